//! The dashboard's configuration: a TOML file, then `VIGIE_*` variables.

use std::net::SocketAddr;

use serde::Deserialize;

/// The dashboard's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DashboardConfig {
    /// Listen address. `VIGIE_DASHBOARD_ADDR` overrides it.
    pub listen: SocketAddr,
    /// ClickHouse HTTP endpoint (may carry `user:password@`). `VIGIE_CLICKHOUSE_URL`
    /// overrides it.
    pub clickhouse_url: String,
    /// ClickHouse user. `VIGIE_CLICKHOUSE_USER` overrides it.
    pub clickhouse_user: Option<String>,
    /// File holding the ClickHouse password, mode 0600 (never the password itself in
    /// this file). `VIGIE_CLICKHOUSE_PASSWORD_FILE` overrides it.
    pub clickhouse_password_file: Option<std::path::PathBuf>,
    /// The audit trail's anchor, outside ClickHouse: each writer's signing key and its
    /// chain's signed tip (shared by the collector, the dashboard and the command line
    /// of one site). With `VIGIE_DATA_DIR` set and this not, `audit` in that folder.
    pub audit_dir: std::path::PathBuf,
    /// Password of the first admin, used only when no admin exists yet.
    /// `VIGIE_ADMIN_PASSWORD` overrides it; when neither is set one is generated and
    /// printed once.
    pub admin_password: Option<String>,
    /// Mark cookies `Secure` (set when the dashboard is served behind HTTPS).
    pub secure_cookies: bool,
    /// Hours a session lasts without activity.
    pub session_hours: u64,
    /// Repeats of an alert (same rule, host and subject) within this many minutes show
    /// as one line of the queue.
    pub group_window_minutes: u64,
    /// An agent without news for this many minutes shows as silent (keep it equal to
    /// the collector's `agent_silent_minutes`, which raises the alert).
    pub agent_silent_minutes: u64,
    /// The installation's Ed25519 report key (PKCS#8), made on first use. With
    /// `VIGIE_DATA_DIR` set and this not, `report-key.pk8` in that folder.
    pub report_key_file: std::path::PathBuf,
    /// The collector's address as servers reach it (`https://soc.example:8443`), shown
    /// with new enrollment tokens.
    pub collector_url: Option<String>,
    /// The CA certificate agents trust (`ca.pem`); its SHA-256 is shown with new tokens,
    /// to check the copy on each server.
    pub collector_ca_file: Option<std::path::PathBuf>,
    /// How reports present the organisation.
    pub reports: ReportsConfig,
}

/// `[reports]`: the organisation's name and logo on each report's cover, and the
/// classification marking printed at the top and bottom of every page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportsConfig {
    /// Name on the cover (`Ministère de l'Économie et des Finances`).
    pub organisation: String,
    /// PNG or JPEG logo for the cover.
    pub logo_file: Option<std::path::PathBuf>,
    /// Marking of every page (`DIFFUSION RESTREINTE`); a report may set its own.
    pub marking: String,
}

impl ReportsConfig {
    /// The logo's bytes, checked to be a PNG or a JPEG; an error names the file.
    pub fn logo(&self) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(path) = &self.logo_file else {
            return Ok(None);
        };
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("[reports] logo_file {}: {e}", path.display()))?;
        let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
        let jpeg = bytes.starts_with(&[0xff, 0xd8, 0xff]);
        if !png && !jpeg {
            anyhow::bail!(
                "[reports] logo_file {}: not a PNG or JPEG image",
                path.display()
            );
        }
        Ok(Some(bytes))
    }
}

impl Default for DashboardConfig {
    fn default() -> DashboardConfig {
        DashboardConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            clickhouse_url: "http://127.0.0.1:8123".into(),
            clickhouse_user: None,
            clickhouse_password_file: None,
            audit_dir: std::path::PathBuf::from("var/audit"),
            admin_password: None,
            secure_cookies: false,
            session_hours: 8,
            group_window_minutes: 60,
            agent_silent_minutes: 5,
            report_key_file: std::path::PathBuf::from("var/report-key.pk8"),
            collector_url: None,
            collector_ca_file: None,
            reports: ReportsConfig::default(),
        }
    }
}

impl DashboardConfig {
    /// How long without news makes an agent silent, in milliseconds.
    pub fn silent_after_ms(&self) -> u64 {
        self.agent_silent_minutes.max(1) * 60_000
    }

    /// The grouping window in milliseconds (at least one minute).
    pub fn group_window_ms(&self) -> u64 {
        self.group_window_minutes.max(1) * 60_000
    }

    /// Where ClickHouse is and the credentials to use there (the password file read).
    pub fn clickhouse(&self) -> Result<vigie_store::Endpoint, vigie_store::StoreError> {
        vigie_store::Endpoint::new(
            &self.clickhouse_url,
            self.clickhouse_user.as_deref(),
            self.clickhouse_password_file.as_deref(),
        )
    }

    /// Parses a TOML file's text. Unknown keys are errors that name the key.
    pub fn from_toml(text: &str) -> anyhow::Result<DashboardConfig> {
        Ok(toml::from_str(text)?)
    }

    /// Applies `VIGIE_DASHBOARD_ADDR`, the `VIGIE_CLICKHOUSE_*` variables and
    /// `VIGIE_ADMIN_PASSWORD`.
    pub fn apply_env(&mut self) -> anyhow::Result<()> {
        if let Ok(addr) = std::env::var("VIGIE_DASHBOARD_ADDR") {
            self.listen = addr
                .parse()
                .map_err(|e| anyhow::anyhow!("VIGIE_DASHBOARD_ADDR={addr:?}: {e}"))?;
        }
        vigie_store::endpoint::apply_env(
            &mut self.clickhouse_url,
            &mut self.clickhouse_user,
            &mut self.clickhouse_password_file,
        );
        if let Ok(dir) = std::env::var("VIGIE_DATA_DIR") {
            if !dir.is_empty() && self.report_key_file == DashboardConfig::default().report_key_file
            {
                self.report_key_file = std::path::Path::new(&dir).join("report-key.pk8");
            }
            if !dir.is_empty() && self.audit_dir == DashboardConfig::default().audit_dir {
                self.audit_dir = std::path::Path::new(&dir).join("audit");
            }
        }
        if let Ok(password) = std::env::var("VIGIE_ADMIN_PASSWORD") {
            if !password.is_empty() {
                self.admin_password = Some(password);
            }
        }
        Ok(())
    }
}
