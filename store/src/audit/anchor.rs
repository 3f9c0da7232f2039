//! The audit trail's anchor outside ClickHouse: a folder on the SOC host that a
//! database writer cannot reach. Per chain it holds
//!
//! - `<chain>.key`: the writer's Ed25519 key (PKCS#8, owner-only), made on first use;
//!   every row the writer appends carries its signature over the row's hash;
//! - `<chain>.pub`: the public half (hex), which verification pins;
//! - `<chain>.tip`: the last row written (sequence number and hash), signed, rewritten
//!   after each row: rows deleted from the end of a chain fall short of it.
//!
//! A hash chain alone proves nothing to someone who can rewrite the table that holds
//! it: they recompute the hashes. They cannot recompute the signatures without the key,
//! nor shorten the chain below the tip kept here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Longest key, public key or tip file read.
const MAX_FILE: u64 = 4096;

/// The signed record of a chain's last row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tip {
    /// The chain.
    pub chain: String,
    /// The last row's sequence number.
    pub seq: u64,
    /// The last row's hash.
    pub hash: String,
    /// Ed25519 signature (hex) over [`tip_message`].
    pub signature: String,
}

/// What a row's signature covers: its hash, under a domain of its own.
pub fn row_message(hash: &str) -> Vec<u8> {
    format!("vigie-audit-row-v1\n{hash}").into_bytes()
}

/// What a tip's signature covers.
pub fn tip_message(chain: &str, seq: u64, hash: &str) -> Vec<u8> {
    format!("vigie-audit-tip-v1\n{chain}\n{seq}\n{hash}").into_bytes()
}

/// Whether `signature_hex` is `public`'s signature of `message`.
pub fn signature_valid(public: &[u8], message: &[u8], signature_hex: &str) -> bool {
    let Some(signature) = vigie_model::hex::decode(signature_hex) else {
        return false;
    };
    UnparsedPublicKey::new(&ED25519, public)
        .verify(message, &signature)
        .is_ok()
}

/// The anchor folder.
#[derive(Debug, Clone)]
pub struct AuditDir {
    dir: PathBuf,
}

impl AuditDir {
    /// The folder at `dir` (made when a writer first needs it).
    pub fn new(dir: impl Into<PathBuf>) -> AuditDir {
        AuditDir { dir: dir.into() }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn file(&self, chain: &str, extension: &str) -> PathBuf {
        self.dir.join(format!("{chain}.{extension}"))
    }

    /// The signer of chain `chain`: its key, made (and its public half pinned) on first
    /// use.
    pub fn signer(&self, chain: &str) -> Result<Signer, StoreError> {
        if !is_chain_name(chain) {
            return Err(anchor_error(&self.dir, "a chain name is [a-z0-9_-]{1,32}"));
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| io_error(&self.dir, e))?;
        let key_path = self.file(chain, "key");
        if !key_path.exists() {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
                .map_err(|_| anchor_error(&key_path, "no randomness for a key"))?;
            vigie_daemon::files::write_private(&key_path, pkcs8.as_ref())
                .map_err(|e| io_error(&key_path, e))?;
            tracing::info!(chain, path = %key_path.display(), "audit signing key created");
        }
        let der = vigie_daemon::files::read_private(&key_path, MAX_FILE)
            .map_err(|e| io_error(&key_path, e))?;
        let key = Ed25519KeyPair::from_pkcs8(&der)
            .map_err(|_| anchor_error(&key_path, "not an Ed25519 PKCS#8 key"))?;
        let public = vigie_model::hex::encode(key.public_key().as_ref());
        let pub_path = self.file(chain, "pub");
        match std::fs::read_to_string(&pub_path) {
            Ok(pinned) if pinned.trim() == public => {}
            Ok(_) => {
                return Err(anchor_error(
                    &pub_path,
                    "the pinned public key is not this chain's key: a key was replaced",
                ))
            }
            Err(_) => vigie_daemon::files::write_atomic(&pub_path, public.as_bytes())
                .map_err(|e| io_error(&pub_path, e))?,
        }
        Ok(Signer {
            chain: chain.to_string(),
            key,
            tip_path: self.file(chain, "tip"),
        })
    }

    /// The pinned public keys and the tips, for verification.
    pub fn anchors(&self) -> Result<Anchors, StoreError> {
        let mut anchors = Anchors {
            dir: self.dir.clone(),
            keys: BTreeMap::new(),
            tips: BTreeMap::new(),
        };
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(anchors),
            Err(e) => return Err(io_error(&self.dir, e)),
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let (Some(chain), Some("pub")) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|s| s.to_str()),
            ) else {
                continue;
            };
            let text = read_small(&path)?;
            let key = vigie_model::hex::decode(text.trim())
                .filter(|k| k.len() == 32)
                .ok_or_else(|| anchor_error(&path, "not a hex Ed25519 public key"))?;
            let tip_path = self.file(chain, "tip");
            if tip_path.exists() {
                let tip: Tip = serde_json::from_str(&read_small(&tip_path)?)
                    .map_err(|e| anchor_error(&tip_path, &e.to_string()))?;
                anchors.tips.insert(chain.to_string(), tip);
            }
            anchors.keys.insert(chain.to_string(), key);
        }
        Ok(anchors)
    }
}

/// The public keys and tips of every chain with an anchor.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    dir: PathBuf,
    keys: BTreeMap<String, Vec<u8>>,
    tips: BTreeMap<String, Tip>,
}

impl Anchors {
    /// Chain `chain`'s pinned public key.
    pub fn key(&self, chain: &str) -> Option<&[u8]> {
        self.keys.get(chain).map(Vec::as_slice)
    }

    /// Chain `chain`'s last witnessed row, as recorded (its signature unchecked).
    pub fn tip(&self, chain: &str) -> Option<&Tip> {
        self.tips.get(chain)
    }

    /// The chains with a pinned key.
    pub fn chains(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// The folder they come from (named in verdicts).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Signs one chain's rows and keeps its tip.
pub struct Signer {
    chain: String,
    key: Ed25519KeyPair,
    tip_path: PathBuf,
}

impl Signer {
    /// The chain it signs.
    pub fn chain(&self) -> &str {
        &self.chain
    }

    /// The public key.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// The signature (hex) of a row with hash `hash`.
    pub fn sign_row(&self, hash: &str) -> String {
        vigie_model::hex::encode(self.key.sign(&row_message(hash)).as_ref())
    }

    /// The last witnessed row, if its record is there and signed by this key.
    pub fn tip(&self) -> Result<Option<Tip>, StoreError> {
        if !self.tip_path.exists() {
            return Ok(None);
        }
        let tip: Tip = serde_json::from_str(&read_small(&self.tip_path)?)
            .map_err(|e| anchor_error(&self.tip_path, &e.to_string()))?;
        let message = tip_message(&tip.chain, tip.seq, &tip.hash);
        if tip.chain != self.chain || !signature_valid(self.public_key(), &message, &tip.signature)
        {
            return Err(anchor_error(
                &self.tip_path,
                "the tip is not signed by this chain's key",
            ));
        }
        Ok(Some(tip))
    }

    /// Records row `seq` with hash `hash` as the tip (replaced atomically, synced).
    pub fn witness(&self, seq: u64, hash: &str) -> Result<(), StoreError> {
        let tip = Tip {
            chain: self.chain.clone(),
            seq,
            hash: hash.to_string(),
            signature: vigie_model::hex::encode(
                self.key.sign(&tip_message(&self.chain, seq, hash)).as_ref(),
            ),
        };
        let json = serde_json::to_vec(&tip).expect("a tip serializes");
        vigie_daemon::files::write_atomic(&self.tip_path, &json)
            .map_err(|e| io_error(&self.tip_path, e))
    }
}

fn is_chain_name(chain: &str) -> bool {
    (1..=32).contains(&chain.len())
        && chain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn read_small(path: &Path) -> Result<String, StoreError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut text = String::new();
    file.take(MAX_FILE)
        .read_to_string(&mut text)
        .map_err(|e| io_error(path, e))?;
    Ok(text)
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Anchor(format!("{}: {e}", path.display()))
}

fn anchor_error(path: &Path, what: &str) -> StoreError {
    StoreError::Anchor(format!("{}: {what}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signer_pins_its_key_and_signs_its_tip() {
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditDir::new(dir.path().join("audit"));
        let signer = audit.signer("dashboard").unwrap();
        let again = audit.signer("dashboard").unwrap();
        assert_eq!(signer.public_key(), again.public_key());
        let signature = signer.sign_row("abc");
        assert!(signature_valid(
            signer.public_key(),
            &row_message("abc"),
            &signature
        ));
        assert!(!signature_valid(
            signer.public_key(),
            &row_message("abd"),
            &signature
        ));
        assert_eq!(signer.tip().unwrap(), None);
        signer.witness(7, "h7").unwrap();
        assert_eq!(signer.tip().unwrap().unwrap().seq, 7);
        let anchors = audit.anchors().unwrap();
        assert_eq!(anchors.chains().collect::<Vec<_>>(), ["dashboard"]);
        assert_eq!(anchors.tip("dashboard").unwrap().hash, "h7");

        // A tip edited by hand no longer verifies.
        let path = dir.path().join("audit/dashboard.tip");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"seq\":7", "\"seq\":3");
        std::fs::write(&path, text).unwrap();
        assert!(signer.tip().is_err());

        // A replaced key is refused rather than silently re-pinned.
        std::fs::remove_file(dir.path().join("audit/dashboard.key")).unwrap();
        let err = audit.signer("dashboard").err().unwrap();
        assert!(err.to_string().contains("replaced"), "{err}");
        assert!(audit.signer("../x").is_err());
    }
}
