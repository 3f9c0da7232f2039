//! The agent's identity: its id and Ed25519 key pair, made at enrollment and kept in a
//! file readable by its owner only.

use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use vigie_model::enroll::EnrollRequest;

use crate::client::CollectorClient;

/// What the agent keeps of its enrollment.
#[derive(Serialize, Deserialize)]
pub struct Identity {
    /// The id the collector gave.
    pub agent_id: String,
    /// SHA-256 of the public key.
    pub key_fingerprint: String,
    /// The PKCS#8 key pair, base64.
    pkcs8: String,
    #[serde(skip)]
    key: Option<Ed25519KeyPair>,
}

impl Identity {
    /// Loads the identity file, if the agent is enrolled.
    pub fn load(path: &Path) -> anyhow::Result<Option<Identity>> {
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut identity: Identity = serde_json::from_slice(&text)
            .with_context(|| format!("{} is not an agent identity", path.display()))?;
        identity.key = Some(key_from(&identity.pkcs8).with_context(|| path.display().to_string())?);
        Ok(Some(identity))
    }

    /// Base64 Ed25519 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let key = self
            .key
            .as_ref()
            .expect("identity keys are loaded on creation");
        B64.encode(key.sign(message).as_ref())
    }
}

fn key_from(pkcs8_b64: &str) -> anyhow::Result<Ed25519KeyPair> {
    let der = B64.decode(pkcs8_b64).context("key is not base64")?;
    Ed25519KeyPair::from_pkcs8(&der).map_err(|e| anyhow::anyhow!("key is not Ed25519 PKCS#8: {e}"))
}

/// Generates a key pair, registers it with `token`, and saves the identity at `path`.
pub async fn enroll(
    client: &CollectorClient,
    token: &str,
    hostname: &str,
    path: &Path,
) -> anyhow::Result<Identity> {
    let rng = SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
        .map_err(|_| anyhow::anyhow!("cannot generate an Ed25519 key"))?;
    let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .map_err(|e| anyhow::anyhow!("generated key unusable: {e}"))?;
    let request = EnrollRequest {
        token: token.to_string(),
        public_key: B64.encode(key.public_key().as_ref()),
        hostname: hostname.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let answer = client
        .enroll(&request)
        .await
        .context("enrollment with the collector failed")?;
    let identity = Identity {
        agent_id: answer.agent_id,
        key_fingerprint: answer.key_fingerprint,
        pkcs8: B64.encode(pkcs8.as_ref()),
        key: Some(key),
    };
    let bytes = serde_json::to_vec_pretty(&identity).expect("identity serializes");
    crate::fsutil::write_private(path, &bytes)
        .with_context(|| format!("saving identity to {}", path.display()))?;
    Ok(identity)
}

/// This host's name.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
