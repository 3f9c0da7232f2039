//! Dashboard accounts, stored in ClickHouse `users` (latest row per name wins).

use vigie_store::rows::UserRow;
use vigie_store::{Client, StoreError};

use crate::i18n::Msg;
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

/// Every account, enabled or not, by name.
pub async fn list(client: &Client) -> Result<Vec<UserRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM users FINAL ORDER BY username")
        .fetch_all()
        .await?)
}

/// The account `username`, enabled or not.
pub async fn get(client: &Client, username: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM users FINAL WHERE username = ?")
        .bind(username)
        .fetch_optional()
        .await?)
}

/// What an admin may change of an account.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Change {
    /// New role.
    #[serde(default)]
    pub role: Option<String>,
    /// Disable (true) or enable (false).
    #[serde(default)]
    pub disabled: Option<bool>,
    /// New password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Why an account change was refused: a catalogue key and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// Catalogue key.
    pub key: Msg,
    /// The field concerned.
    pub field: &'static str,
}

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// A user name: 1 to 64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

fn check_password(password: &str, username: &str) -> Result<(), Refused> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Refused {
            key: Msg::PasswordTooShort,
            field: "password",
        });
    }
    if password::too_simple(password, username) {
        return Err(Refused {
            key: Msg::PasswordTooSimple,
            field: "password",
        });
    }
    Ok(())
}

fn check_role(role: &str) -> Result<(), Refused> {
    crate::auth::Role::parse(role).map(|_| ()).ok_or(Refused {
        key: Msg::BadRole,
        field: "role",
    })
}

/// Creates account `username`. Refused if the name is taken or a value is unusable.
pub async fn create(
    client: &Client,
    username: &str,
    role: &str,
    password: &str,
) -> Result<Result<UserRow, Refused>, StoreError> {
    if !valid_name(username) {
        return Ok(Err(Refused {
            key: Msg::BadUsername,
            field: "username",
        }));
    }
    if let Err(r) = check_role(role).and_then(|_| check_password(password, username)) {
        return Ok(Err(r));
    }
    if get(client, username).await?.is_some() {
        return Ok(Err(Refused {
            key: Msg::UserExists,
            field: "username",
        }));
    }
    let now = vigie_model::event::now_ms();
    let row = UserRow {
        username: username.into(),
        role: role.into(),
        password_hash: password::hash(password),
        created_ms: now,
        updated_ms: now,
        disabled: 0,
    };
    vigie_store::insert_rows(client, "users", std::slice::from_ref(&row)).await?;
    Ok(Ok(row))
}

/// Applies `change` to account `username`. The last enabled admin can be neither
/// demoted nor disabled: someone must always be able to manage accounts.
pub async fn update(
    client: &Client,
    username: &str,
    change: &Change,
) -> Result<Result<Option<UserRow>, Refused>, StoreError> {
    let Some(mut row) = get(client, username).await? else {
        return Ok(Ok(None));
    };
    if let Some(role) = &change.role {
        if let Err(r) = check_role(role) {
            return Ok(Err(r));
        }
    }
    if let Some(p) = &change.password {
        if let Err(r) = check_password(p, username) {
            return Ok(Err(r));
        }
    }
    let loses_admin = row.role == "admin"
        && row.disabled == 0
        && (change.role.as_deref().is_some_and(|r| r != "admin") || change.disabled == Some(true));
    if loses_admin {
        let admins: u64 = client
            .query("SELECT count() FROM users FINAL WHERE role = 'admin' AND disabled = 0")
            .fetch_one()
            .await?;
        if admins <= 1 {
            return Ok(Err(Refused {
                key: Msg::LastAdmin,
                field: "role",
            }));
        }
    }
    if let Some(role) = &change.role {
        row.role = role.clone();
    }
    if let Some(disabled) = change.disabled {
        row.disabled = u8::from(disabled);
    }
    if let Some(p) = &change.password {
        row.password_hash = password::hash(p);
    }
    row.updated_ms = vigie_model::event::now_ms().max(row.updated_ms + 1);
    vigie_store::insert_rows(client, "users", std::slice::from_ref(&row)).await?;
    Ok(Ok(Some(row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(valid_name("amadou.diallo") && valid_name("soc-2"));
        for bad in ["", "Admin", "-x", "a b", "x'--", &"a".repeat(65)] {
            assert!(!valid_name(bad), "{bad:?}");
        }
        assert_eq!(
            check_password("short", "ana").unwrap_err().key,
            Msg::PasswordTooShort
        );
        assert!(check_password("long enough pass", "ana").is_ok());
        assert_eq!(
            check_password("aaaaaaaaaa", "ana").unwrap_err().key,
            Msg::PasswordTooSimple
        );
        assert_eq!(check_role("root").unwrap_err().key, Msg::BadRole);
    }
}
