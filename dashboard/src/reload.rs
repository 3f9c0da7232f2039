//! Reloading the configuration on SIGHUP: a bad file is reported and the running
//! configuration stays; a good one is put in force for what can change live (grouping
//! window, silence, cookie flags), while a changed listen address, database, report key
//! or session length waits for a restart, as the log says.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::DashboardConfig;
use crate::state::AppState;

/// `new` with the settings that need a restart taken from `running`, and their names.
pub fn merge(
    running: &DashboardConfig,
    mut new: DashboardConfig,
) -> (DashboardConfig, Vec<&'static str>) {
    let mut restart = Vec::new();
    if new.listen != running.listen {
        restart.push("listen");
        new.listen = running.listen;
    }
    if new.clickhouse_url != running.clickhouse_url
        || new.clickhouse_user != running.clickhouse_user
        || new.clickhouse_password_file != running.clickhouse_password_file
    {
        restart.push("clickhouse_url");
        new.clickhouse_url.clone_from(&running.clickhouse_url);
        new.clickhouse_user.clone_from(&running.clickhouse_user);
        new.clickhouse_password_file
            .clone_from(&running.clickhouse_password_file);
    }
    if new.report_key_file != running.report_key_file {
        restart.push("report_key_file");
        new.report_key_file.clone_from(&running.report_key_file);
    }
    if new.session_hours != running.session_hours {
        restart.push("session_hours");
        new.session_hours = running.session_hours;
    }
    if new.audit_dir != running.audit_dir {
        restart.push("audit_dir");
        new.audit_dir.clone_from(&running.audit_dir);
    }
    (new, restart)
}

/// Reloads `path` each time the process gets SIGHUP.
pub async fn on_hangup(state: Arc<AppState>, path: PathBuf) {
    vigie_daemon::reload_on_hangup(
        path,
        |path| {
            let mut config = vigie_daemon::read_config(path, DashboardConfig::from_toml)?;
            config.apply_env().map_err(|e| e.to_string())?;
            Ok(config)
        },
        |new| {
            let (merged, restart) = merge(&state.config(), new);
            *state.settings.write().expect("settings lock") = merged;
            vigie_daemon::report_restart_needed(&restart);
        },
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_settings_change_and_the_rest_waits_for_a_restart() {
        let running = DashboardConfig::default();
        let mut new = running.clone();
        new.group_window_minutes = 15;
        new.clickhouse_url = "http://elsewhere:8123".into();
        let (merged, restart) = merge(&running, new);
        assert_eq!(merged.group_window_minutes, 15);
        assert_eq!(merged.clickhouse_url, running.clickhouse_url);
        assert_eq!(restart, ["clickhouse_url"]);
    }
}
