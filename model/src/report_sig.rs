//! Signatures of exported reports: the installation's Ed25519 report key signs the
//! file's exact bytes; the signature travels beside the file as `FILE.sig`, a small JSON
//! document that also names the key (public key and SHA-256 fingerprint). Changing any
//! byte of the file, swapping the signature, or checking against another key fails, and
//! [`verify`] says which.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde::{Deserialize, Serialize};

/// Format name written in every signature file.
pub const FORMAT: &str = "vigie-report-signature-v1";

/// A detached report signature (`FILE.sig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSignature {
    /// Always [`FORMAT`].
    pub format: String,
    /// The report's file name.
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The signing key's public half, base64.
    pub public_key: String,
    /// SHA-256 of the public key, hex: the fingerprint people compare.
    pub key_fingerprint: String,
    /// The Ed25519 signature of the file's bytes, base64.
    pub signature: String,
    /// When it was signed (ms).
    pub signed_ms: u64,
}

/// The fingerprint of a raw Ed25519 public key.
pub fn fingerprint(public_key: &[u8]) -> String {
    crate::hex::sha256(public_key)
}

/// Signs `bytes` (the file named `file`) with `key`.
pub fn sign(key: &Ed25519KeyPair, file: &str, bytes: &[u8], now_ms: u64) -> ReportSignature {
    let public = key.public_key().as_ref();
    ReportSignature {
        format: FORMAT.into(),
        file: file.into(),
        sha256: crate::hex::sha256(bytes),
        algorithm: "Ed25519".into(),
        public_key: B64.encode(public),
        key_fingerprint: fingerprint(public),
        signature: B64.encode(key.sign(bytes).as_ref()),
        signed_ms: now_ms,
    }
}

/// Why a report does not verify, in English and French.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// In English.
    pub reason: String,
    /// In French.
    pub reason_fr: String,
}

fn invalid(reason: String, reason_fr: String) -> Invalid {
    Invalid { reason, reason_fr }
}

/// The key a report must be signed by, as a person gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedKey {
    /// A raw Ed25519 public key (from base64 or a signature file).
    Public(Vec<u8>),
    /// 64 hexadecimal digits: a raw public key or the SHA-256 fingerprint the dashboard
    /// shows, which look alike; either matches (no key has another key's fingerprint).
    PublicOrFingerprint(Vec<u8>),
}

impl ExpectedKey {
    /// Whether `public` is this key.
    pub fn matches(&self, public: &[u8]) -> bool {
        match self {
            ExpectedKey::Public(key) => key == public,
            ExpectedKey::PublicOrFingerprint(bytes) => {
                bytes == public || crate::hex::encode(bytes) == fingerprint(public)
            }
        }
    }

    /// How to name it in a message: its fingerprint, or the digits given.
    pub fn describe(&self) -> String {
        match self {
            ExpectedKey::Public(key) => fingerprint(key),
            ExpectedKey::PublicOrFingerprint(bytes) => crate::hex::encode(bytes),
        }
    }
}

/// Reads a key given as base64, 64 hexadecimal digits (a public key or its fingerprint),
/// or the JSON of a signature file.
pub fn parse_expected_key(text: &str) -> Option<ExpectedKey> {
    let text = text.trim();
    if let Ok(sig) = serde_json::from_str::<ReportSignature>(text) {
        return B64.decode(sig.public_key).ok().map(ExpectedKey::Public);
    }
    if text.len() == 64 {
        return crate::hex::decode(text).map(ExpectedKey::PublicOrFingerprint);
    }
    B64.decode(text)
        .ok()
        .filter(|k| k.len() == 32)
        .map(ExpectedKey::Public)
}

/// Checks `bytes` against `sig`; with `expected_key`, also that `sig` names that key.
/// Returns the fingerprint of the key that signed.
pub fn verify(
    bytes: &[u8],
    sig: &ReportSignature,
    expected_key: Option<&ExpectedKey>,
) -> Result<String, Invalid> {
    if sig.format != FORMAT || sig.algorithm != "Ed25519" {
        return Err(invalid(
            format!(
                "unknown signature format {:?} / {:?}",
                sig.format, sig.algorithm
            ),
            format!(
                "format de signature inconnu {:?} / {:?}",
                sig.format, sig.algorithm
            ),
        ));
    }
    let public = B64.decode(&sig.public_key).map_err(|_| {
        invalid(
            "the signature file's public key is not base64".into(),
            "la clé publique du fichier de signature n'est pas du base64".into(),
        )
    })?;
    if fingerprint(&public) != sig.key_fingerprint {
        return Err(invalid(
            "the key fingerprint does not match the public key in the signature file".into(),
            "l'empreinte de clé ne correspond pas à la clé publique du fichier de signature".into(),
        ));
    }
    if let Some(expected) = expected_key {
        if !expected.matches(&public) {
            return Err(invalid(
                format!(
                    "signed by another key (fingerprint {}), not the expected one ({})",
                    sig.key_fingerprint,
                    expected.describe()
                ),
                format!(
                    "signé par une autre clé (empreinte {}), pas celle attendue ({})",
                    sig.key_fingerprint,
                    expected.describe()
                ),
            ));
        }
    }
    let digest = crate::hex::sha256(bytes);
    if digest != sig.sha256 {
        return Err(invalid(
            format!(
                "the file and the signature do not match: the file was changed, or the signature is another file's (file SHA-256 {digest}, signed {})",
                sig.sha256
            ),
            format!(
                "le fichier et la signature ne correspondent pas\u{a0}: le fichier a été modifié, ou la signature est celle d'un autre fichier (SHA-256 du fichier {digest}, signé {})",
                sig.sha256
            ),
        ));
    }
    let signature = B64.decode(&sig.signature).map_err(|_| {
        invalid(
            "the signature is not base64".into(),
            "la signature n'est pas du base64".into(),
        )
    })?;
    UnparsedPublicKey::new(&ED25519, &public)
        .verify(bytes, &signature)
        .map_err(|_| {
            invalid(
                "the signature does not match the file and key (swapped or forged signature)".into(),
                "la signature ne correspond pas au fichier et à la clé (signature échangée ou forgée)".into(),
            )
        })?;
    Ok(sig.key_fingerprint.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    fn key() -> Ed25519KeyPair {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
    }

    #[test]
    fn a_changed_byte_a_swapped_signature_or_another_key_fail() {
        let (k1, k2) = (key(), key());
        let file = b"%PDF-1.4 report".to_vec();
        let sig = sign(&k1, "r.pdf", &file, 1);
        assert_eq!(verify(&file, &sig, None), Ok(sig.key_fingerprint.clone()));
        let k1_public = ExpectedKey::Public(k1.public_key().as_ref().to_vec());
        assert_eq!(
            verify(&file, &sig, Some(&k1_public)),
            Ok(sig.key_fingerprint.clone())
        );
        // The fingerprint the dashboard shows is accepted as the key.
        let by_fingerprint = parse_expected_key(&sig.key_fingerprint).unwrap();
        assert_eq!(
            verify(&file, &sig, Some(&by_fingerprint)),
            Ok(sig.key_fingerprint.clone())
        );
        let mut changed = file.clone();
        changed[3] ^= 1;
        assert!(verify(&changed, &sig, None)
            .unwrap_err()
            .reason
            .contains("changed"));
        let other = sign(&k1, "r.pdf", b"another report", 1);
        let swapped = ReportSignature {
            signature: other.signature,
            ..sig.clone()
        };
        assert!(verify(&file, &swapped, None)
            .unwrap_err()
            .reason
            .contains("swapped"));
        let k2_public = ExpectedKey::Public(k2.public_key().as_ref().to_vec());
        let err = verify(&file, &sig, Some(&k2_public)).unwrap_err();
        assert!(err.reason.contains("another key"), "{err:?}");
        let k2_fingerprint = parse_expected_key(&fingerprint(k2.public_key().as_ref())).unwrap();
        assert!(verify(&file, &sig, Some(&k2_fingerprint)).is_err());
        // A whole signature made by another key, passed off with the right fingerprint.
        let forged = ReportSignature {
            key_fingerprint: sig.key_fingerprint.clone(),
            ..sign(&k2, "r.pdf", &file, 1)
        };
        assert!(verify(&file, &forged, None)
            .unwrap_err()
            .reason
            .contains("fingerprint"));
    }

    #[test]
    fn keys_read_in_every_form() {
        let k = key();
        let raw = k.public_key().as_ref().to_vec();
        let sig = sign(&k, "f", b"x", 0);
        for given in [
            sig.public_key.clone(),
            crate::hex::encode(&raw),
            sig.key_fingerprint.clone(),
            serde_json::to_string(&sig).unwrap(),
        ] {
            let expected = parse_expected_key(&given).unwrap();
            assert!(expected.matches(&raw), "{given}");
            assert!(!expected.matches(&[7; 32]), "{given}");
        }
        assert_eq!(parse_expected_key("not a key"), None);
        assert_eq!(parse_expected_key(&"z".repeat(64)), None);
    }
}
