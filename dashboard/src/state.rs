//! What every handler shares: ClickHouse, sessions, settings, the audit trail and the
//! report signing key.

use vigie_store::Client;

use crate::config::DashboardConfig;
use crate::sessions::Sessions;

/// What every handler shares.
pub struct AppState {
    /// ClickHouse.
    pub client: Client,
    /// Sessions and login throttling.
    pub sessions: Sessions,
    /// Settings; replaced when SIGHUP reloads the file (see [`crate::reload`]).
    pub settings: std::sync::RwLock<DashboardConfig>,
    /// The dashboard's chain of the audit trail.
    pub audit: vigie_store::audit::AuditLog,
    /// The installation's report signing key.
    pub report_key: ring::signature::Ed25519KeyPair,
    /// Held while an account changes: the check that an enabled admin remains and the
    /// change itself must not interleave with another change (two admins demoting each
    /// other at once would leave none).
    pub accounts: tokio::sync::Mutex<()>,
    /// Live alert streams open now.
    pub streams: std::sync::Arc<crate::live::StreamSlots>,
}

impl AppState {
    /// The settings in force now.
    pub fn config(&self) -> DashboardConfig {
        self.settings.read().expect("settings lock").clone()
    }
}
