//! The collector's HTTP/1 server loop over [`crate::tls::TlsListener`]. Written out
//! rather than `axum::serve` for one reason: hyper's deadline for reading a request's
//! headers needs a timer that `axum::serve` does not give it, and without one a peer
//! sending a header byte now and then holds its connection forever. Bodies have their
//! own deadline ([`crate::ingest`]).

use std::future::Future;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;

use crate::tls::TlsListener;

/// Longest a request's headers may take to arrive, counted from when the connection
/// is ready for a request: an idle keep-alive connection is closed after it too
/// (agents open another).
pub const HEADER_DEADLINE: Duration = Duration::from_secs(20);

/// Serves `app` on `listener` until `shutdown` completes, then lets requests under way
/// finish.
pub async fn serve(
    mut listener: TlsListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) {
    // Every connection task holds a receiver; when all are gone, every one has ended.
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let Some((io, peer, slot)) = accepted else {
            break;
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_DEADLINE)
                .keep_alive(true);
            let connection = builder.serve_connection(TokioIo::new(io), service);
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                }
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stop_tx.send(true);
    drop(stop_rx);
    stop_tx.closed().await;
    tracing::info!(refused = listener.refused(), "collector server stopped");
}
