//! `vigie-agent enroll`: registers this server with the collector once, before the
//! service starts, and says plainly what went wrong when it cannot: a wrong CA, an
//! unreachable collector, a clock too far from the collector's (its batches would be
//! refused), a refused token. Checks come before the token is spent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use vigie_model::enroll::EnrollRequest;
use vigie_model::i18n::{self, Lang, Msg};

use crate::client::{CollectorClient, SendError};
use crate::identity::Identity;
use crate::retry::Backoff;

/// What enrollment needs.
pub struct Enrollment {
    /// The collector's base URL.
    pub collector: String,
    /// The one-time token.
    pub token: String,
    /// The CA that signed the collector's certificate.
    pub ca_file: PathBuf,
    /// The agent's state folder (its identity goes there).
    pub data_dir: PathBuf,
    /// Most clock difference accepted with the collector (seconds).
    pub max_skew_secs: u64,
}

/// Why enrollment failed, in English and French (from the catalogue), and the exit code
/// to use.
#[derive(Debug)]
pub struct Failure {
    /// 2: nothing done (already enrolled, bad local files); 3: collector unreachable or
    /// not trusted; 4: clock; 5: token refused.
    pub code: i32,
    /// English.
    pub message: String,
    /// French.
    pub message_fr: String,
}

fn fail(code: i32, msg: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> Failure {
    let (message, message_fr) = i18n::both(msg, values);
    Failure {
        code,
        message,
        message_fr,
    }
}

impl Failure {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message,
            Lang::Fr => &self.message_fr,
        }
    }
}

/// Enrolls; returns the identity saved.
pub async fn run(e: &Enrollment) -> Result<(Identity, PathBuf), Failure> {
    let path = e.data_dir.join("identity.json");
    if let Ok(Some(existing)) = Identity::load(&path) {
        return Err(fail(
            2,
            Msg::AgentAlreadyEnrolled,
            &[("agent", &existing.agent_id), ("path", &path.display())],
        ));
    }
    std::fs::create_dir_all(&e.data_dir).map_err(|err| {
        fail(
            2,
            Msg::AgentCannotCreate,
            &[("path", &e.data_dir.display()), ("error", &err)],
        )
    })?;
    let client = CollectorClient::new(&e.collector, &e.ca_file)
        .map_err(|err| fail(2, Msg::AgentBadCaOrUrl, &[("error", &format!("{err:#}"))]))?;
    // Reachability, trust and clock first: a token is spent only when all are right.
    let server_ms = match client.server_time().await {
        Ok(t) => t,
        Err(SendError::Retry { reason, .. }) if untrusted(&reason) => {
            return Err(fail(
                3,
                Msg::AgentCollectorUntrusted,
                &[("path", &e.ca_file.display()), ("error", &reason)],
            ))
        }
        Err(err) => {
            return Err(fail(
                3,
                Msg::AgentCollectorUnreachable,
                &[("url", &e.collector), ("error", &err)],
            ))
        }
    };
    if let Some(server_ms) = server_ms {
        let local = vigie_model::event::now_ms();
        let skew = local.abs_diff(server_ms) / 1000;
        if skew > e.max_skew_secs {
            return Err(fail(
                4,
                Msg::AgentClockSkew,
                &[("skew", &skew), ("max", &e.max_skew_secs)],
            ));
        }
    }
    match register(&client, &e.token, &crate::procfs::own::hostname(), &path).await {
        Ok(identity) => Ok((identity, path)),
        Err(err) => {
            let text = format!("{err:#}");
            if text.contains(Msg::TokenRefused.key()) {
                Err(fail(5, Msg::AgentTokenRefused, &[]))
            } else {
                Err(fail(3, Msg::AgentEnrollmentError, &[("error", &text)]))
            }
        }
    }
}

/// True when a connection failed because the collector's certificate is not trusted.
fn untrusted(reason: &str) -> bool {
    [
        "UnknownIssuer",
        "InvalidCertificate",
        "certificate",
        "BadSignature",
    ]
    .iter()
    .any(|k| reason.contains(k))
}

/// The identity file's permissions, for the message.
pub fn describe(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| format!("{:o}", m.permissions().mode() & 0o777))
        .unwrap_or_default()
}

/// Generates a key pair, registers it with `token`, and saves the identity at `path`.
pub async fn register(
    client: &CollectorClient,
    token: &str,
    hostname: &str,
    path: &Path,
) -> anyhow::Result<Identity> {
    let (pkcs8, key) = Identity::new_key()?;
    let request = EnrollRequest {
        token: token.to_string(),
        public_key: Identity::public_key_b64(&key),
        hostname: hostname.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let answer = client
        .enroll(&request)
        .await
        .context("enrollment with the collector failed")?;
    let identity = Identity::new(answer.agent_id, answer.key_fingerprint, &pkcs8, key);
    identity.save(path)?;
    Ok(identity)
}

/// Registers like [`register`], retrying while the collector cannot be reached (it may be
/// starting, or the link down); a refusal (wrong or used-up token) is final.
pub async fn register_patiently(
    client: &CollectorClient,
    token: &str,
    hostname: &str,
    path: &Path,
) -> anyhow::Result<Identity> {
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    loop {
        match register(client, token, hostname, path).await {
            Ok(identity) => return Ok(identity),
            Err(e) if matches!(e.downcast_ref(), Some(SendError::Retry { .. })) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "collector unreachable for enrollment; retrying"
                );
                tokio::time::sleep(backoff.next_wait(None)).await;
            }
            Err(e) => return Err(e),
        }
    }
}
