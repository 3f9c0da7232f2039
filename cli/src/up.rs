//! `vigie up`: ClickHouse (managed unless `VIGIE_CLICKHOUSE_URL`), collector, dashboard and
//! an agent watching this host, all in one process tree that Ctrl-C stops cleanly.

use std::path::Path;
use std::time::Duration;
use vigie_model::i18n::{say, Msg};

use anyhow::Context;
use tokio::sync::watch;
use vigie_agent::config::AgentConfig;
use vigie_collector::config::CollectorConfig;
use vigie_dashboard::config::DashboardConfig;
use vigie_store::managed::{Component, ManagedClickHouse};

/// Runs until SIGINT or SIGTERM.
pub(crate) async fn run() -> anyhow::Result<()> {
    let data_dir = std::path::absolute(crate::data_dir())?;
    std::fs::create_dir_all(&data_dir)
        .with_context(|| say(Msg::CliCreating, &[("path", &data_dir.display())]))?;

    let managed = match std::env::var("VIGIE_CLICKHOUSE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(_) => None,
        None => {
            let dir = data_dir.join("clickhouse");
            eprintln!(
                "{}",
                say(Msg::CliStartingClickhouse, &[("path", &dir.display())])
            );
            let server = tokio::task::spawn_blocking(move || ManagedClickHouse::start(&dir))
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(crate::clickhouse_url_file(), server.url())?;
            Some(server)
        }
    };
    let result = run_services(&data_dir, managed.as_ref()).await;
    if let Some(mut server) = managed {
        let _ = std::fs::remove_file(crate::clickhouse_url_file());
        tokio::task::spawn_blocking(move || server.stop()).await?;
    }
    result
}

/// Points a daemon's ClickHouse settings at the managed server, as `component`.
fn use_managed(
    server: &ManagedClickHouse,
    component: Component,
    url: &mut String,
    user: &mut Option<String>,
    password_file: &mut Option<std::path::PathBuf>,
) {
    *url = server.url();
    *user = Some(component.user().to_string());
    *password_file = Some(server.password_file(component));
}

async fn run_services(data_dir: &Path, managed: Option<&ManagedClickHouse>) -> anyhow::Result<()> {
    let mut collector = CollectorConfig::default();
    collector.apply_env()?;
    let mut dashboard = DashboardConfig::default();
    dashboard.apply_env()?;
    if let Some(server) = managed {
        use_managed(
            server,
            Component::Collector,
            &mut collector.clickhouse_url,
            &mut collector.clickhouse_user,
            &mut collector.clickhouse_password_file,
        );
        use_managed(
            server,
            Component::Dashboard,
            &mut dashboard.clickhouse_url,
            &mut dashboard.clickhouse_user,
            &mut dashboard.clickhouse_password_file,
        );
    }
    collector.audit_dir = data_dir.join("audit");
    dashboard.audit_dir = data_dir.join("audit");
    let clickhouse = collector.clickhouse()?;
    vigie_collector::migrate_with_patience(&clickhouse, Duration::from_secs(60)).await?;
    let client = vigie_store::connect(&clickhouse);

    let pki = vigie_collector::pki::ensure(
        &data_dir.join("pki"),
        &[
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            collector.listen.ip().to_string(),
        ],
    )?;
    collector.tls_cert = pki.server_cert.clone();
    collector.tls_key = pki.server_key.clone();

    let admin_password = vigie_dashboard::prepare(&dashboard).await?;
    let dashboard_listener = tokio::net::TcpListener::bind(dashboard.listen)
        .await
        .with_context(|| say(Msg::CliDashboardAddress, &[("address", &dashboard.listen)]))?;

    let mut agent = AgentConfig::default();
    agent.apply_env();
    agent.data_dir = data_dir.join("agent");
    let collector_host = if collector.listen.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        collector.listen.ip().to_string()
    };
    agent.collector.url = format!("https://{collector_host}:{}", collector.listen.port());
    agent.collector.ca_file = pki.ca_cert.clone();
    // Shown on the fleet page with each new enrollment token.
    dashboard.collector_url = Some(agent.collector.url.clone());
    dashboard.collector_ca_file = Some(pki.ca_cert.clone());
    if !agent.data_dir.join("identity.json").exists() {
        let token = vigie_store::enrollment::create(
            &client,
            Duration::from_secs(3600),
            1,
            "vigie up: local agent",
        )
        .await?;
        agent.collector.enrollment_token = token.secret;
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let dashboard_url = format!("http://{}", dashboard.listen);
    let mut tasks = tokio::task::JoinSet::new();
    tasks.spawn(async move {
        (
            "collector",
            vigie_collector::run(collector, None, stopped(stop_rx.clone())).await,
        )
    });
    let rx = stop_tx.subscribe();
    tasks.spawn(async move {
        (
            "dashboard",
            vigie_dashboard::serve(dashboard, None, dashboard_listener, stopped(rx)).await,
        )
    });
    // Give the collector a moment to listen before the agent enrolls.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rx = stop_tx.subscribe();
    tasks.spawn(async move {
        (
            "agent",
            vigie_agent::run(agent, vigie_agent::Mode::Send, None, stopped(rx)).await,
        )
    });

    println!();
    println!("{}", say(Msg::CliRunning, &[]));
    println!("{}", say(Msg::CliDashboardAt, &[("url", &dashboard_url)]));
    match admin_password {
        Some(p) => println!("{}", say(Msg::CliLoginOnce, &[("password", &p)])),
        None => println!("{}", say(Msg::CliLoginExisting, &[])),
    }
    println!("{}", say(Msg::CliDataAt, &[("path", &data_dir.display())]));
    println!("{}", say(Msg::CliCtrlC, &[]));

    let mut failure = None;
    tokio::select! {
        _ = vigie_daemon::shutdown_signal() => {}
        Some(done) = tasks.join_next() => {
            if let Ok((name, result)) = done {
                match result {
                    Err(e) => failure = Some(e.context(say(Msg::CliServiceStopped, &[("name", &name)]))),
                    Ok(()) => {
                        failure = Some(anyhow::anyhow!(say(
                            Msg::CliStoppedUnexpectedly,
                            &[("name", &name)]
                        )))
                    }
                }
            }
        }
    }
    eprintln!("{}", say(Msg::CliStopping, &[]));
    let _ = stop_tx.send(true);
    let drain = async {
        while let Some(done) = tasks.join_next().await {
            if let Ok((name, Err(e))) = done {
                eprintln!("{name}: {e:#}");
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(30), drain)
        .await
        .is_err()
    {
        eprintln!("{}", say(Msg::CliSlowStop, &[]));
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
