//! The installation's private PKI: a local CA and the collector's certificate, made once
//! in the data folder. Agents trust only this CA.

use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// Where the PKI files are.
#[derive(Debug, Clone)]
pub struct PkiPaths {
    /// The CA certificate, to give agents.
    pub ca_cert: PathBuf,
    /// The collector's certificate.
    pub server_cert: PathBuf,
    /// The collector's private key.
    pub server_key: PathBuf,
}

/// Creates the CA and a server certificate for `names` under `dir`, unless they exist.
pub fn ensure(dir: &Path, names: &[String]) -> anyhow::Result<PkiPaths> {
    let paths = PkiPaths {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("collector.pem"),
        server_key: dir.join("collector-key.pem"),
    };
    if paths.ca_cert.exists() && paths.server_cert.exists() && paths.server_key.exists() {
        return Ok(paths);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ca_key = KeyPair::generate().context("generating the CA key")?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Vigie local CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().context("generating the collector key")?;
    let mut server_params = CertificateParams::new(names.to_vec())?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "Vigie collector");
    let server_cert = server_params.signed_by(&server_key, &issuer)?;

    write(&paths.ca_cert, ca_cert.pem().as_bytes(), 0o644)?;
    write(&paths.server_cert, server_cert.pem().as_bytes(), 0o644)?;
    write(
        &paths.server_key,
        server_key.serialize_pem().as_bytes(),
        0o600,
    )?;
    Ok(paths)
}

fn write(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}
