//! Where ClickHouse is and who Vigie is to it: the HTTP URL, the user, the password.
//!
//! The password comes from a private file (`VIGIE_CLICKHOUSE_PASSWORD_FILE`, mode 0600)
//! or from the URL's `user:password@`, never from a command line, where `ps` shows it.
//! It travels in ClickHouse's `X-ClickHouse-User`/`X-ClickHouse-Key` headers, never in
//! the query string, and [`Endpoint`]'s `Debug` and [`Endpoint::url`] leave it out, so
//! logs never carry it.

use std::path::Path;

use crate::StoreError;

/// Longest password file read: a password, not a document.
const MAX_PASSWORD_FILE: u64 = 1024;

/// A ClickHouse HTTP endpoint with the credentials to use there.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    user: Option<String>,
    password: Option<String>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Endpoint {
    /// The endpoint at `url`; a `user:password@` in it becomes the credentials (and
    /// leaves the URL). `user` and `password_file`, when given, take precedence.
    pub fn new(
        url: &str,
        user: Option<&str>,
        password_file: Option<&Path>,
    ) -> Result<Endpoint, StoreError> {
        let mut parsed = url::Url::parse(url.trim())
            .map_err(|e| StoreError::Credentials(format!("ClickHouse URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(StoreError::Credentials(format!(
                "ClickHouse URL {:?}: use http:// or https:// / utilisez http:// ou https://",
                redact(&parsed)
            )));
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let mut endpoint = Endpoint {
            url: String::new(),
            user: Some(parsed.username())
                .filter(|u| !u.is_empty())
                .map(decode),
            password: parsed.password().map(decode),
        };
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        endpoint.url = parsed.as_str().trim_end_matches('/').to_string();
        if let Some(user) = user.filter(|u| !u.is_empty()) {
            endpoint.user = Some(user.to_string());
        }
        if let Some(path) = password_file.filter(|p| !p.as_os_str().is_empty()) {
            endpoint.password = Some(read_password_file(path)?);
        }
        Ok(endpoint)
    }

    /// The endpoint at `url` with these credentials (made by Vigie itself).
    pub fn with_credentials(url: &str, user: &str, password: &str) -> Endpoint {
        Endpoint {
            url: url.trim_end_matches('/').to_string(),
            user: Some(user.to_string()),
            password: Some(password.to_string()),
        }
    }

    /// The URL, without credentials: safe to log and show.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The user, when one is set (else ClickHouse's `default`).
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Whether a password is sent: a server reached without one is open to anyone who
    /// reaches its port, which the daemons say in their log.
    pub fn has_password(&self) -> bool {
        self.password.as_deref().is_some_and(|p| !p.is_empty())
    }

    /// A client for the server, without a database. Row validation is off: it asks the
    /// server for a setting that ClickHouse 18.16 lacks.
    pub fn server_client(&self) -> crate::Client {
        let mut client = crate::Client::default()
            .with_url(&self.url)
            .with_validation(false);
        if self.is_local() {
            // On the same machine compression only spends CPU on both ends, and the two
            // share the same cores.
            client = client.with_compression(clickhouse::Compression::None);
        }
        if let Some(user) = &self.user {
            client = client.with_user(user);
        }
        if let Some(password) = &self.password {
            client = client.with_password(password);
        }
        client
    }

    /// Whether the server is on this machine (a loopback address or `localhost`).
    pub fn is_local(&self) -> bool {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .is_some_and(|h| {
                h == "localhost"
                    || h.trim_matches(['[', ']'])
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            })
    }

    /// Logs a warning when no password is sent (once, at start).
    pub fn warn_if_open(&self, component: &str) {
        if !self.has_password() {
            tracing::warn!(
                url = %self.url,
                component,
                "ClickHouse is used without a password: anyone who reaches its port can read and rewrite Vigie's data; set VIGIE_CLICKHOUSE_USER and VIGIE_CLICKHOUSE_PASSWORD_FILE / ClickHouse est utilisé sans mot de passe"
            );
        }
    }
}

/// The ClickHouse settings of a daemon's configuration file (`clickhouse_url`,
/// `clickhouse_user`, `clickhouse_password_file`), with `VIGIE_CLICKHOUSE_URL`,
/// `VIGIE_CLICKHOUSE_USER` and `VIGIE_CLICKHOUSE_PASSWORD_FILE` applied over them.
pub fn apply_env(
    url: &mut String,
    user: &mut Option<String>,
    password_file: &mut Option<std::path::PathBuf>,
) {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let Some(value) = var("VIGIE_CLICKHOUSE_URL") {
        *url = value;
    }
    if let Some(value) = var("VIGIE_CLICKHOUSE_USER") {
        *user = Some(value);
    }
    if let Some(value) = var("VIGIE_CLICKHOUSE_PASSWORD_FILE") {
        *password_file = Some(value.into());
    }
}

/// Reads a password from a private file: mode 0600 or stricter, at most 1 KiB, the
/// trailing newline an editor adds removed.
pub fn read_password_file(path: &Path) -> Result<String, StoreError> {
    let bytes = vigie_daemon::files::read_private(path, MAX_PASSWORD_FILE)
        .map_err(|e| StoreError::Credentials(format!("{}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        StoreError::Credentials(format!(
            "{}: not UTF-8 text / pas du texte UTF-8",
            path.display()
        ))
    })?;
    let password = text.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(StoreError::Credentials(format!(
            "{}: empty password file / fichier de mot de passe vide",
            path.display()
        )));
    }
    Ok(password)
}

fn redact(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_leave_it_and_never_show() {
        let e = Endpoint::new("http://vigie:p%40ss@127.0.0.1:8123/", None, None).unwrap();
        assert_eq!(e.url(), "http://127.0.0.1:8123");
        assert_eq!(e.user(), Some("vigie"));
        assert!(e.has_password());
        let shown = format!("{e:?}");
        assert!(
            !shown.contains("p@ss") && !shown.contains("p%40ss"),
            "{shown}"
        );
        let open = Endpoint::new("http://127.0.0.1:8123", None, None).unwrap();
        assert!(!open.has_password() && open.user().is_none());
        assert!(open.is_local());
        assert!(Endpoint::new("http://[::1]:8123", None, None)
            .unwrap()
            .is_local());
        assert!(!Endpoint::new("https://ch.soc:8443", None, None)
            .unwrap()
            .is_local());
    }

    #[test]
    fn a_password_file_must_be_private_and_not_empty() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("password");
        vigie_daemon::files::write_private(&path, b"s3cret\n").unwrap();
        let e = Endpoint::new("http://127.0.0.1:8123", Some("vigie"), Some(&path)).unwrap();
        assert_eq!(e.password.as_deref(), Some("s3cret"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = Endpoint::new("http://127.0.0.1:8123", None, Some(&path)).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        vigie_daemon::files::write_private(&path, b"\n").unwrap();
        let err = Endpoint::new("http://127.0.0.1:8123", None, Some(&path)).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
        let err = Endpoint::new("ftp://x", None, None).unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }
}
