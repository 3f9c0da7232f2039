//! API tokens for integrations: `vgt_<id>_<secret>`, sent as `Authorization: Bearer …`.
//! Only the secret's SHA-256 is stored. A token acts as the user who made it, with at
//! most the role it was made with, and stops working when it expires (every token does,
//! within [`MAX_DAYS`]), is revoked, or its user is disabled or loses that role. A new
//! password or a disabled account revokes its user's tokens for good.

use vigie_store::rows::ApiTokenRow;
use vigie_store::{Client, StoreError};

use crate::auth::{constant_time_eq, Credential, Principal, Role};

const PREFIX: &str = "vgt_";

/// Longest validity a token may have (days). Tokens made before every token had an
/// end (stored with no expiry) end this long after they were made.
pub const MAX_DAYS: u64 = 365;

/// A token just made: its public id and the secret to show once.
pub struct NewToken {
    /// Public id.
    pub token_id: String,
    /// The whole bearer value, shown once and never stored.
    pub secret: String,
}

/// Makes a token for `username` acting with `role`, valid `days` (1 to [`MAX_DAYS`]).
pub async fn create(
    client: &Client,
    username: &str,
    role: Role,
    name: &str,
    days: u64,
) -> Result<NewToken, StoreError> {
    let token_id = crate::sessions::token()[..12].to_string();
    let secret = format!("{PREFIX}{token_id}_{}", crate::sessions::token());
    let now = vigie_model::event::now_ms();
    let row = ApiTokenRow {
        token_id: token_id.clone(),
        token_sha256: vigie_model::hex::sha256(secret.as_bytes()),
        name: name.to_string(),
        username: username.to_string(),
        role: role.as_str().into(),
        created_ms: now,
        expires_ms: now + days.clamp(1, MAX_DAYS) * 86_400_000,
        revoked: 0,
        updated_ms: now,
    };
    vigie_store::insert_rows(client, "api_tokens", std::slice::from_ref(&row)).await?;
    Ok(NewToken { token_id, secret })
}

/// Every token (`username` given: only theirs), newest first.
pub async fn list(client: &Client, username: Option<&str>) -> Result<Vec<ApiTokenRow>, StoreError> {
    let rows: Vec<ApiTokenRow> = client
        .query("SELECT ?fields FROM api_tokens FINAL ORDER BY created_ms DESC")
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| username.is_none_or(|u| r.username == u))
        .collect())
}

/// Revokes token `token_id`; `owner` given, only if it is theirs. True when revoked.
pub async fn revoke(
    client: &Client,
    token_id: &str,
    owner: Option<&str>,
) -> Result<bool, StoreError> {
    vigie_store::update_latest(
        client,
        "api_tokens",
        "token_id",
        token_id,
        |row: &mut ApiTokenRow| {
            if owner.is_some_and(|o| row.username != o) {
                return false;
            }
            row.revoked = 1;
            true
        },
    )
    .await
}

/// Revokes every token of `username` still in force; returns their ids.
pub async fn revoke_all_of(client: &Client, username: &str) -> Result<Vec<String>, StoreError> {
    let mut revoked = Vec::new();
    for token in list(client, Some(username)).await? {
        if token.revoked == 0 && revoke(client, &token.token_id, Some(username)).await? {
            revoked.push(token.token_id);
        }
    }
    Ok(revoked)
}

/// The principal behind bearer value `secret`, if the token is good.
pub async fn verify(client: &Client, secret: &str) -> Result<Option<Principal>, StoreError> {
    let Some(token_id) = secret
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .map(|(id, _)| id)
    else {
        return Ok(None);
    };
    let row: Option<ApiTokenRow> = client
        .query("SELECT ?fields FROM api_tokens FINAL WHERE token_id = ?")
        .bind(token_id)
        .fetch_optional()
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let digest = vigie_model::hex::sha256(secret.as_bytes());
    let now = vigie_model::event::now_ms();
    if !constant_time_eq(digest.as_bytes(), row.token_sha256.as_bytes()) {
        return Ok(None);
    }
    principal_of(client, row, now).await
}

/// When a token ends: its expiry, or [`MAX_DAYS`] after it was made for one stored
/// without.
pub fn ends_ms(row: &ApiTokenRow) -> u64 {
    if row.expires_ms == 0 {
        row.created_ms.saturating_add(MAX_DAYS * 86_400_000)
    } else {
        row.expires_ms
    }
}

/// Whether token `token_id` still stands for its user (a long-lived stream checks
/// this as it goes): not revoked, not expired, its user still there with a role.
pub async fn still_valid(client: &Client, token_id: &str) -> Result<bool, StoreError> {
    let row: Option<ApiTokenRow> = client
        .query("SELECT ?fields FROM api_tokens FINAL WHERE token_id = ?")
        .bind(token_id)
        .fetch_optional()
        .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    Ok(principal_of(client, row, vigie_model::event::now_ms())
        .await?
        .is_some())
}

async fn principal_of(
    client: &Client,
    row: ApiTokenRow,
    now: u64,
) -> Result<Option<Principal>, StoreError> {
    if row.revoked != 0 || ends_ms(&row) <= now {
        return Ok(None);
    }
    let Some(user) = crate::queries::users::find(client, &row.username).await? else {
        return Ok(None);
    };
    let (Some(token_role), Some(user_role)) = (Role::parse(&row.role), Role::parse(&user.role))
    else {
        return Ok(None);
    };
    Ok(Some(Principal {
        username: row.username,
        role: token_role.min(user_role),
        credential: Credential::Token {
            token_id: row.token_id,
        },
    }))
}
