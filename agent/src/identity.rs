//! The agent's identity: its id and Ed25519 key pair, made at enrollment and kept in a
//! file readable by its owner only.

use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};

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
    /// Makes a new Ed25519 key pair; its public half is what enrollment registers.
    pub fn new_key() -> anyhow::Result<(Vec<u8>, Ed25519KeyPair)> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("cannot generate an Ed25519 key"))?;
        let key = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .map_err(|e| anyhow::anyhow!("generated key unusable: {e}"))?;
        Ok((pkcs8.as_ref().to_vec(), key))
    }

    /// The identity the collector gave for `key` (made by [`Identity::new_key`]).
    pub fn new(
        agent_id: String,
        key_fingerprint: String,
        pkcs8: &[u8],
        key: Ed25519KeyPair,
    ) -> Identity {
        Identity {
            agent_id,
            key_fingerprint,
            pkcs8: B64.encode(pkcs8),
            key: Some(key),
        }
    }

    /// The public key, base64, as enrollment sends it.
    pub fn public_key_b64(key: &Ed25519KeyPair) -> String {
        B64.encode(key.public_key().as_ref())
    }

    /// Saves the identity at `path`, readable by its owner only.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("identity serializes");
        vigie_daemon::files::write_private(path, &bytes)
            .with_context(|| format!("saving identity to {}", path.display()))
    }

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
