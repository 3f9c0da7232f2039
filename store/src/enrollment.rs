//! Enrollment tokens: made by the operator (`vigie token create`), shown once, stored only
//! as a SHA-256, limited in time and in how many agents may use them.

use std::time::Duration;

use crate::rows::TokenRow;
use crate::{Client, StoreError};
use ring::rand::{SecureRandom, SystemRandom};
use vigie_model::hex;

/// A token just created: the secret is shown to the operator once and never stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Public id, for lists and logs.
    pub token_id: String,
    /// The secret the agent presents.
    pub secret: String,
    /// Expiry (ms).
    pub expires_ms: u64,
    /// How many agents may use it.
    pub max_uses: u32,
}

/// Random bytes as hexadecimal.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the system random source works");
    hex::encode(&buf)
}

/// Creates and stores a token valid for `ttl` and `max_uses` enrollments.
pub async fn create(
    client: &Client,
    ttl: Duration,
    max_uses: u32,
    note: &str,
) -> Result<NewToken, StoreError> {
    let token_id = random_hex(4);
    let secret = format!("{token_id}.{}", random_hex(24));
    let now = vigie_model::event::now_ms();
    let row = TokenRow {
        token_id: token_id.clone(),
        token_sha256: hex::sha256(secret.as_bytes()),
        created_ms: now,
        expires_ms: now + ttl.as_millis() as u64,
        max_uses,
        revoked: 0,
        note: note.to_string(),
        updated_ms: now,
    };
    crate::insert_rows(client, "enrollment_tokens", std::slice::from_ref(&row)).await?;
    Ok(NewToken {
        token_id,
        secret,
        expires_ms: row.expires_ms,
        max_uses,
    })
}

/// The token whose secret is `secret`, if it exists, is not revoked or expired, and has
/// uses left.
pub async fn find_usable(client: &Client, secret: &str) -> Result<Option<TokenRow>, StoreError> {
    let token: Option<TokenRow> = client
        .query("SELECT ?fields FROM enrollment_tokens FINAL WHERE token_sha256 = ?")
        .bind(hex::sha256(secret.as_bytes()))
        .fetch_optional()
        .await?;
    let Some(token) = token else {
        return Ok(None);
    };
    if token.revoked != 0 || token.expires_ms <= vigie_model::event::now_ms() {
        return Ok(None);
    }
    let uses: u64 = client
        .query("SELECT uniqExact(agent_id) FROM agents WHERE token_id = ?")
        .bind(&token.token_id)
        .fetch_one()
        .await?;
    Ok((uses < u64::from(token.max_uses)).then_some(token))
}

/// A token as the operator lists it: its row and how many agents enrolled with it.
#[derive(Debug, Clone)]
pub struct TokenStatus {
    /// The stored token (no secret).
    pub row: TokenRow,
    /// Agents enrolled with it.
    pub uses: u64,
}

#[derive(clickhouse::Row, serde::Deserialize)]
struct Uses {
    token_id: String,
    uses: u64,
}

/// Every token, newest first, with its uses.
pub async fn list(client: &Client) -> Result<Vec<TokenStatus>, StoreError> {
    let rows: Vec<TokenRow> = client
        .query("SELECT ?fields FROM enrollment_tokens FINAL ORDER BY created_ms DESC")
        .fetch_all()
        .await?;
    let uses: Vec<Uses> = client
        .query("SELECT token_id, uniqExact(agent_id) FROM agents GROUP BY token_id")
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| TokenStatus {
            uses: uses
                .iter()
                .find(|u| u.token_id == row.token_id)
                .map_or(0, |u| u.uses),
            row,
        })
        .collect())
}

/// Revokes token `token_id`: no agent may enroll with it any more (agents already
/// enrolled keep working). False when there is no such token.
pub async fn revoke(client: &Client, token_id: &str) -> Result<bool, StoreError> {
    crate::update_latest(
        client,
        "enrollment_tokens",
        "token_id",
        token_id,
        |row: &mut TokenRow| {
            row.revoked = 1;
            true
        },
    )
    .await
}
