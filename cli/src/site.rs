//! Where the command line finds this site's ClickHouse and audit anchor, first found
//! wins:
//!
//! 1. `VIGIE_CLICKHOUSE_URL` (with `VIGIE_CLICKHOUSE_USER`, `VIGIE_CLICKHOUSE_PASSWORD_FILE`),
//!    the anchor in `VIGIE_DATA_DIR/audit`;
//! 2. the ClickHouse `vigie up` runs from `VIGIE_DATA_DIR`, as its own user;
//! 3. a packaged install's collector configuration (`/etc/vigie/collector.toml`, or
//!    `VIGIE_COLLECTOR_CONFIG`): its ClickHouse settings and its `audit_dir`.

use std::path::PathBuf;

use anyhow::Context;
use vigie_model::i18n::{say, Msg};
use vigie_store::audit::AuditDir;
use vigie_store::Endpoint;

/// The packaged collector configuration.
const PACKAGED_CONFIG: &str = "/etc/vigie/collector.toml";

/// This site as the command line reaches it.
pub(crate) struct Site {
    /// Its ClickHouse.
    pub(crate) clickhouse: Endpoint,
    /// Its audit anchor.
    pub(crate) audit: AuditDir,
}

/// Finds this site.
pub(crate) fn find() -> anyhow::Result<Site> {
    let data_audit = || AuditDir::new(crate::data_dir().join("audit"));
    let (mut url, mut user, mut password_file) = (String::new(), None, None);
    vigie_store::endpoint::apply_env(&mut url, &mut user, &mut password_file);
    if !url.is_empty() {
        return Ok(Site {
            clickhouse: Endpoint::new(&url, user.as_deref(), password_file.as_deref())?,
            audit: data_audit(),
        });
    }
    let url_file = crate::clickhouse_url_file();
    if let Ok(url) = std::fs::read_to_string(&url_file) {
        let dir = url_file.parent().expect("the URL file is in a folder");
        return Ok(Site {
            clickhouse: vigie_store::managed::endpoint_at(
                dir,
                url.trim(),
                vigie_store::managed::Component::Cli,
            )?,
            audit: data_audit(),
        });
    }
    let config = std::env::var_os("VIGIE_COLLECTOR_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(PACKAGED_CONFIG));
    if config.exists() {
        let collector =
            vigie_daemon::read_config(&config, vigie_collector::config::CollectorConfig::from_toml)
                .map_err(anyhow::Error::msg)?;
        return Ok(Site {
            clickhouse: collector.clickhouse().with_context(|| {
                say(Msg::CliClickhouseSettingsOf, &[("path", &config.display())])
            })?,
            audit: AuditDir::new(collector.audit_dir),
        });
    }
    anyhow::bail!(say(
        Msg::CliNoClickhouse,
        &[
            ("url_file", &url_file.display()),
            ("config", &config.display())
        ]
    ))
}
