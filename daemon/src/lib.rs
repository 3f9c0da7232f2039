//! What every Vigie program shares at start and stop: logging set up the same way, and
//! the signals that stop it cleanly.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod files;

/// Logs to stderr, filtered by `VIGIE_LOG` (default `info`), in colour only on a
/// terminal so that files and the journal get plain text.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIGIE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Reads a TOML configuration file with `parse`, naming the file in any error.
pub fn read_config<T, E: std::fmt::Display>(
    path: &std::path::Path,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("in {}: {e}", path.display()))
}

/// Each SIGHUP, rereads the configuration at `path` with `read` (whose errors name the
/// file and line): a good one goes to `apply` (which puts in force what it can and says
/// what waits for a restart); a bad one is logged and the running one stays in force.
pub async fn reload_on_hangup<T>(
    path: std::path::PathBuf,
    read: impl Fn(&std::path::Path) -> Result<T, String>,
    mut apply: impl FnMut(T),
) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: reloading needs a restart");
        return;
    };
    while hangups.recv().await.is_some() {
        match read(&path) {
            Ok(config) => {
                apply(config);
                tracing::info!(path = %path.display(), "configuration reloaded");
            }
            Err(error) => tracing::error!(
                %error,
                "configuration not reloaded; the running one stays in force"
            ),
        }
    }
}

/// Logs each setting that changed in the file but takes effect only at the next restart.
pub fn report_restart_needed(settings: &[&str]) {
    for setting in settings {
        tracing::warn!(
            setting,
            "changed in the file: takes effect at the next restart"
        );
    }
}
