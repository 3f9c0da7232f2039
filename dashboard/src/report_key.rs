//! The installation's report key: Ed25519, made on first use and kept (owner-only) in
//! the file the configuration names. Its public half and fingerprint travel with every
//! signed report; auditors compare the fingerprint with the one the dashboard shows.

use std::path::Path;

use anyhow::Context;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

/// Loads the key at `path`, making it first if the file does not exist.
pub fn load_or_create(path: &Path) -> anyhow::Result<Ed25519KeyPair> {
    if !path.exists() {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| anyhow::anyhow!("no randomness for the report key"))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        write_private(path, pkcs8.as_ref())?;
        tracing::info!(path = %path.display(), "report signing key created");
    }
    let der = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let key = Ed25519KeyPair::from_pkcs8(&der)
        .map_err(|e| anyhow::anyhow!("{} is not an Ed25519 PKCS#8 key: {e}", path.display()))?;
    tracing::info!(
        fingerprint = vigie_model::report_sig::fingerprint(key.public_key().as_ref()),
        "report signing key"
    );
    Ok(key)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/report.pk8");
        let first = load_or_create(&path).unwrap();
        let again = load_or_create(&path).unwrap();
        assert_eq!(first.public_key().as_ref(), again.public_key().as_ref());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::write(dir.path().join("bad"), b"junk").unwrap();
        assert!(load_or_create(&dir.path().join("bad")).is_err());
    }
}
