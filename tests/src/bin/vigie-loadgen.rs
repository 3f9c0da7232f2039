//! `vigie-loadgen`: the collector under load. Starts a throwaway ClickHouse and the
//! collector built beside this program (release, for figures), enrolls simulated agents
//! with real tokens and keys, and for each agent count sends the same number of events
//! as valid signed chained batches, as fast as they are acknowledged. Prints events/s,
//! batch latency percentiles, retries (503s and failures), the collector's CPU and
//! memory, ClickHouse's merges, and checks exactly once at the end of each run.
//!
//! `vigie-loadgen` : le collecteur sous charge ; affiche des chiffres et vérifie que
//! chaque événement est stocké une fois.
//!
//! Batches are sealed before the clock starts: the figures are the collector's, not the
//! generator's JSON and zstd work.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use vigie_agent::client::{CollectorClient, SendError};
use vigie_agent::identity::Identity;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, SealedBatch, GENESIS_HASH};
use vigie_store::managed::{Component, ManagedClickHouse};
use vigie_tests::sim::{check_exactly_once, event};

/// The collector under load / le collecteur sous charge.
#[derive(Parser)]
struct Args {
    /// Agent counts to run, one run each / nombres d'agents, une passe chacun.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,1000")]
    agents: Vec<usize>,
    /// Events sent in each run / événements envoyés par passe.
    #[arg(long, default_value_t = 500_000)]
    events: u64,
    /// Events per batch / événements par lot.
    #[arg(long, default_value_t = 500)]
    batch: u64,
    /// One event in this many alerts (0: none) / un événement sur N lève une alerte.
    #[arg(long, default_value_t = 0)]
    alert_every: u64,
    /// Extra lines for the collector's configuration / lignes de configuration en plus.
    #[arg(long, default_value = "")]
    collector_config: String,
}

struct Agent {
    identity: Identity,
    batches: Vec<SealedBatch>,
}

fn rss_and_cpu(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<u64> = after
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // utime + stime, in clock ticks (100 a second here).
    let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
    (rss, ticks * 10)
}

fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[(sorted.len() - 1) * p / 100]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let here = std::env::current_exe()?
        .parent()
        .expect("a folder")
        .to_path_buf();
    let collector_bin = here.join("vigie-collector");
    anyhow::ensure!(
        collector_bin.is_file(),
        "{} is missing: cargo build --release --bins",
        collector_bin.display()
    );
    let dir = tempfile::tempdir()?;
    let clickhouse =
        tokio::task::block_in_place(|| ManagedClickHouse::start(&dir.path().join("ch")))?;
    let endpoint = clickhouse.endpoint(Component::Collector);
    vigie_store::schema::migrate(&endpoint).await?;
    let client = vigie_store::connect(&endpoint);
    let pki = vigie_collector::pki::ensure(&dir.path().join("pki"), &["127.0.0.1".to_string()])?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let config = dir.path().join("collector.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\nclickhouse_url = \"{}\"\nclickhouse_user = \"{}\"\nclickhouse_password_file = \"{}\"\naudit_dir = \"{}\"\nmax_connections_per_source = 100000\nmax_connections = 100000\n{}\n",
            pki.server_cert.display(),
            pki.server_key.display(),
            clickhouse.url(),
            Component::Collector.user(),
            clickhouse.password_file(Component::Collector).display(),
            dir.path().join("audit").display(),
            args.collector_config.replace("\\n", "\n"),
        ),
    )?;
    let log = std::fs::File::create(dir.path().join("collector.log"))?;
    let mut collector = std::process::Command::new(&collector_bin)
        .args(["--config", config.to_str().expect("utf-8")])
        .env("VIGIE_LOG", std::env::var("VIGIE_LOG").unwrap_or_else(|_| "warn".into()))
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()?;
    let url = format!("https://127.0.0.1:{port}");
    let http = CollectorClient::new(&url, &pki.ca_cert)?;
    for _ in 0..300 {
        if http.server_time().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    println!(
        "{:>6} {:>10} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>10} {:>8}",
        "agents",
        "events",
        "events/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "retries",
        "coll CPU",
        "coll RSS",
        "merged",
        "exactly"
    );
    for (run, &agents) in args.agents.iter().enumerate() {
        let per_agent = (args.events / agents as u64).max(1);
        let batch = args.batch.min(per_agent).max(1);
        let token = vigie_collector::tokens::create(
            &client,
            Duration::from_secs(3600),
            agents as u32,
            "loadgen",
        )
        .await?
        .secret;
        // Enroll and seal everything first.
        let mut fleet = Vec::with_capacity(agents);
        for i in 0..agents {
            let identity = vigie_agent::enroll::register(
                &http,
                &token,
                &format!("load{run}-{i}"),
                &dir.path().join(format!("id-{run}-{i}.json")),
            )
            .await?;
            let id = identity.agent_id.clone();
            let mut prev = GENESIS_HASH.to_string();
            let mut batches = Vec::new();
            let mut seq = 1;
            while seq <= per_agent {
                let last = (seq + batch - 1).min(per_agent);
                let events = (seq..=last)
                    .map(|s| event(&id, s, args.alert_every))
                    .collect();
                let sealed = wire::seal(&id, &prev, events, now_ms());
                prev = sealed.hash.clone();
                batches.push(sealed);
                seq = last + 1;
            }
            fleet.push(Agent { identity, batches });
        }
        let wire_bytes: usize = fleet
            .iter()
            .flat_map(|a| &a.batches)
            .map(|b| b.bytes.len())
            .sum();
        let merged_before = merged_rows(&client).await;
        let pid = collector.id();
        let (_, cpu_before) = rss_and_cpu(pid);
        let started = Instant::now();
        let retries = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut tasks = Vec::new();
        for agent in fleet {
            let http = http.clone();
            let retries = retries.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                for batch in &agent.batches {
                    let sent = Instant::now();
                    loop {
                        match http.send_batch(&agent.identity, batch, 0).await {
                            Ok(ack) if ack.acked_through >= batch.last_seq => break,
                            Err(SendError::Refused { status, refusal })
                                if status < 500 && status != 429 =>
                            {
                                panic!("refused: {status} {}", refusal.code)
                            }
                            Err(SendError::Retry { after, reason }) => {
                                if retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 3 {
                                    eprintln!("retry: {reason}");
                                }
                                tokio::time::sleep(vigie_agent::retry::around(
                                    after.unwrap_or(Duration::from_millis(200)),
                                ))
                                .await;
                            }
                            _ => {
                                retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                tokio::time::sleep(Duration::from_millis(200)).await;
                            }
                        }
                    }
                    latencies.push(sent.elapsed().as_millis() as u64);
                }
                (
                    agent.identity.agent_id.clone(),
                    agent.batches.last().map_or(0, |b| b.last_seq),
                    latencies,
                )
            }));
        }
        let mut acknowledged = HashMap::new();
        let mut latencies = Vec::new();
        for task in tasks {
            let (id, events, l) = task.await?;
            acknowledged.insert(id, events);
            latencies.extend(l);
        }
        let elapsed = started.elapsed();
        let (rss, cpu_after) = rss_and_cpu(pid);
        latencies.sort_unstable();
        let total: u64 = acknowledged.values().sum();
        let check = check_exactly_once(&client, &acknowledged).await;
        let merged = merged_rows(&client).await.saturating_sub(merged_before);
        println!(
            "{:>6} {:>10} {:>9.0} {:>8} {:>8} {:>8} {:>8} {:>8.0}% {:>6} MiB {:>10} {:>8}",
            agents,
            total,
            total as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 50),
            percentile(&latencies, 95),
            percentile(&latencies, 99),
            retries.load(std::sync::atomic::Ordering::Relaxed),
            (cpu_after - cpu_before) as f64 / elapsed.as_millis().max(1) as f64 * 100.0,
            rss / 1024,
            merged,
            if check.holds() { "yes" } else { "NO" },
        );
        if !check.holds() {
            println!("   {check:?}");
        }
        println!(
            "   wire: {:.1} bytes per event",
            wire_bytes as f64 / total.max(1) as f64
        );
    }
    let _ = collector.kill();
    let _ = collector.wait();
    Ok(())
}

/// Rows ClickHouse has merged since it started.
async fn merged_rows(client: &vigie_store::Client) -> u64 {
    client
        .query("SELECT value FROM system.events WHERE event = 'MergedRows'")
        .fetch_optional::<u64>()
        .await
        .ok()
        .flatten()
        .unwrap_or(0)
}
