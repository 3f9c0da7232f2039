//! Dashboard accounts, stored in ClickHouse `users` (latest row per name wins).

use vigie_store::rows::UserRow;
use vigie_store::{Client, StoreError};

use crate::password;

/// The account `username`, if it exists and is enabled.
pub async fn find(client: &Client, username: &str) -> Result<Option<UserRow>, StoreError> {
    let user: Option<UserRow> = client
        .query("SELECT ?fields FROM users FINAL WHERE username = ?")
        .bind(username)
        .fetch_optional()
        .await?;
    Ok(user.filter(|u| u.disabled == 0))
}

/// Makes sure an admin exists. When none does, creates `admin` with `password` (or a
/// generated one) and returns the password to show once.
pub async fn ensure_admin(
    client: &Client,
    password: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let admins: u64 = client
        .query("SELECT count() FROM users FINAL WHERE role = 'admin' AND disabled = 0")
        .fetch_one()
        .await?;
    if admins > 0 {
        return Ok(None);
    }
    let password = password
        .map(str::to_string)
        .unwrap_or_else(password::generate);
    let now = vigie_model::event::now_ms();
    let row = UserRow {
        username: "admin".into(),
        role: "admin".into(),
        password_hash: password::hash(&password),
        created_ms: now,
        updated_ms: now,
        disabled: 0,
    };
    vigie_store::insert_rows(client, "users", std::slice::from_ref(&row)).await?;
    Ok(Some(password))
}
