//! The collector's HTTPS listener: connections bounded per source address and in all
//! (counted before the TLS handshake, so stalled handshakes count too), handshakes run
//! in their own tasks with a time limit, so a slow or hostile client never holds up
//! the others.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes finished but not yet taken by the server; past it, new connections wait.
const READY_QUEUE: usize = 64;

/// A TLS server configuration (rustls on `ring`) from PEM files.
pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", cert.display()))?;
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .context("certificate and key do not match")?;
    Ok(Arc::new(config))
}

/// How many connections may be open at once.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// From one address.
    pub per_source: usize,
    /// In all.
    pub total: usize,
}

/// The connections open now, by source address.
struct Open {
    limits: ConnectionLimits,
    by_source: Mutex<HashMap<IpAddr, usize>>,
    refused: AtomicU64,
}

/// One open connection's place; given back when dropped (the connection ended).
pub struct ConnectionSlot {
    open: Arc<Open>,
    source: IpAddr,
}

impl Open {
    fn take(self: &Arc<Self>, source: IpAddr) -> Option<ConnectionSlot> {
        let mut by_source = self.by_source.lock().expect("connections lock");
        let total: usize = by_source.values().sum();
        let mine = by_source.get(&source).copied().unwrap_or(0);
        if mine >= self.limits.per_source || total >= self.limits.total {
            let refused = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
            // One line per thousand: a flood must not flood the log too.
            if refused == 1 || refused.is_multiple_of(1000) {
                tracing::warn!(%source, mine, total, refused, "connection refused: too many open");
            }
            return None;
        }
        *by_source.entry(source).or_default() += 1;
        Some(ConnectionSlot {
            open: self.clone(),
            source,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut by_source = self.open.by_source.lock().expect("connections lock");
        if let Some(n) = by_source.get_mut(&self.source) {
            *n -= 1;
            if *n == 0 {
                by_source.remove(&self.source);
            }
        }
    }
}

/// A connection whose TLS handshake succeeded, with its place among the open ones.
pub type Accepted = (TlsStream<TcpStream>, SocketAddr, ConnectionSlot);

/// Accepts TCP connections and hands on only those within the limits whose TLS
/// handshake succeeded.
pub struct TlsListener {
    ready: mpsc::Receiver<Accepted>,
    open: Arc<Open>,
}

impl TlsListener {
    /// Starts accepting on `listener`.
    pub fn new(
        listener: TcpListener,
        config: Arc<rustls::ServerConfig>,
        limits: ConnectionLimits,
    ) -> TlsListener {
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(READY_QUEUE);
        let open = Arc::new(Open {
            limits,
            by_source: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
        });
        let counted = open.clone();
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = counted.take(peer.ip()) else {
                    drop(stream);
                    continue;
                };
                let acceptor = acceptor.clone();
                let ready_tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = ready_tx.send((tls, peer, slot)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
                if tx.is_closed() {
                    return;
                }
            }
        });
        TlsListener { ready, open }
    }

    /// The next connection ready to serve (`None` once the accept loop has ended).
    pub async fn accept(&mut self) -> Option<Accepted> {
        self.ready.recv().await
    }

    /// Connections refused for being over a limit, since start.
    pub fn refused(&self) -> u64 {
        self.open.refused.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_bounded_per_source_and_in_all() {
        let open = Arc::new(Open {
            limits: ConnectionLimits {
                per_source: 2,
                total: 3,
            },
            by_source: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = open.take(a).unwrap();
        let _second = open.take(a).unwrap();
        assert!(open.take(a).is_none(), "a third from one source");
        let _other = open.take(b).unwrap();
        assert!(open.take(b).is_none(), "the total is reached");
        drop(first);
        assert!(open.take(b).is_some(), "given back when a connection ends");
        assert_eq!(open.refused.load(Ordering::Relaxed), 2);
    }
}
