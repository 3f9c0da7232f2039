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
//! generator's JSON and zstd work. With `--soak-minutes`, agents send at a set rate
//! instead, sealing each batch when due, and figures are printed each minute; with
//! `--outage-secs` too, ClickHouse is hung (SIGSTOP) that long after the first minute and
//! the time the collector takes to store the backlog once it resumes is printed.

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
    /// Soak: send at `--rate` for this many minutes with the first agent count, printing
    /// figures each minute / endurance : envoie au débit `--rate` pendant N minutes.
    #[arg(long)]
    soak_minutes: Option<u64>,
    /// Events per second in all, for a soak / événements par seconde au total.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// During a soak, hang ClickHouse this many seconds after the first minute and time
    /// the drain / pendant l'endurance, suspend ClickHouse N secondes et mesure la reprise.
    #[arg(long, default_value_t = 0)]
    outage_secs: u64,
    /// Exceptions in force, none matching (each is evaluated for every alert) / exceptions
    /// en vigueur, aucune ne correspondant.
    #[arg(long, default_value_t = 0)]
    exceptions: usize,
    /// Keep the working folder (collector log, ClickHouse data) and print where / garder
    /// le dossier de travail (journal du collecteur, données) et dire où.
    #[arg(long)]
    keep: bool,
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
    if args.keep {
        println!("working folder: {}", dir.path().display());
    }
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
        .env(
            "VIGIE_LOG",
            std::env::var("VIGIE_LOG").unwrap_or_else(|_| "warn".into()),
        )
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

    if args.exceptions > 0 {
        add_exceptions(&client, args.exceptions).await?;
    }
    if let Some(minutes) = args.soak_minutes {
        let agents = args.agents.first().copied().unwrap_or(1000);
        let token = vigie_store::enrollment::create(
            &client,
            Duration::from_secs(3600),
            agents as u32,
            "soak",
        )
        .await?
        .secret;
        let mut fleet = Vec::with_capacity(agents);
        for i in 0..agents {
            let path = dir.path().join(format!("soak-{i}.json"));
            fleet.push(
                vigie_agent::enroll::register(&http, &token, &format!("soak-{i}"), &path).await?,
            );
        }
        let pids = (collector.id(), clickhouse.pid().unwrap_or(0) as u32);
        soak(&client, &http, fleet, &args, minutes, pids).await?;
        let _ = collector.kill();
        let _ = collector.wait();
        if args.keep {
            let _ = dir.keep();
        }
        return Ok(());
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
        let token = vigie_store::enrollment::create(
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
    if args.keep {
        let _ = dir.keep();
    }
    Ok(())
}

/// Stores `n` exceptions for every rule that match no generated event (another host,
/// another path), and waits for the collector to load them.
async fn add_exceptions(client: &vigie_store::Client, n: usize) -> anyhow::Result<()> {
    let now = now_ms();
    let rows: Vec<vigie_store::rows::ExceptionRow> = (0..n)
        .map(|i| {
            let spec = serde_json::json!({
                "conditions": [
                    {"field": "TargetFilename", "op": "glob", "value": format!("/srv/other{i}/**")},
                    {"field": "hostname", "op": "is", "value": format!("host-{i}")},
                ],
                "reason": "load generator",
            });
            vigie_store::rows::ExceptionRow {
                exception_id: format!("load{i}"),
                spec: spec.to_string(),
                author: "loadgen".into(),
                created_ms: now,
                removed: 0,
                updated_by: "loadgen".into(),
                updated_ms: now,
            }
        })
        .collect();
    vigie_store::insert_rows(client, "exceptions", &rows).await?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    println!("{n} exceptions in force");
    Ok(())
}

/// Sends `signal` (`-STOP`, `-CONT`) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("kill {signal} {pid} failed: {status:?}");
    }
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

/// What the soak's agents share with its reporter.
#[derive(Default)]
struct SoakFigures {
    events: std::sync::atomic::AtomicU64,
    retries: std::sync::atomic::AtomicU64,
    latencies: std::sync::Mutex<Vec<u64>>,
}

/// Sends at `args.rate` events/s in all from `fleet` for `minutes`, sealing each batch
/// when it is due, printing a line of figures each minute; then checks exactly once.
async fn soak(
    client: &vigie_store::Client,
    http: &CollectorClient,
    fleet: Vec<Identity>,
    args: &Args,
    minutes: u64,
    (collector_pid, clickhouse_pid): (u32, u32),
) -> anyhow::Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    let agents = fleet.len().max(1) as u64;
    let per_agent_rate = (args.rate as f64 / agents as f64).max(0.01);
    // A batch every 5 s at most, as a real agent's spool sends.
    let batch = args.batch.min((per_agent_rate * 5.0).ceil() as u64).max(1);
    let every = Duration::from_secs_f64(batch as f64 / per_agent_rate);
    let end = Instant::now() + Duration::from_secs(minutes * 60);
    let figures = Arc::new(SoakFigures::default());
    println!(
        "soak: {agents} agents, {} events/s in all, {batch} events per batch every {every:.1?}, {minutes} min",
        args.rate
    );
    println!(
        "{:>6} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "minute", "events/s", "p50 ms", "p99 ms", "retries", "coll CPU", "coll RSS", "CH RSS"
    );
    let mut tasks = Vec::new();
    for (i, identity) in fleet.into_iter().enumerate() {
        let (http, figures, alert_every) = (http.clone(), figures.clone(), args.alert_every);
        // Spread the agents' first batches over one period.
        let start = every.mul_f64(i as f64 / agents as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(start).await;
            // As a real agent: batches are sealed on time whatever happens to the sending,
            // and what waits goes several to a request.
            let first_sealed = Instant::now();
            let (mut prev, mut seq, mut sealed_count) = (GENESIS_HASH.to_string(), 1u64, 0u64);
            let mut waiting: std::collections::VecDeque<(wire::SealedBatch, Instant)> =
                Default::default();
            loop {
                let now = Instant::now();
                if now < end {
                    let due = (now.duration_since(first_sealed).as_secs_f64() / every.as_secs_f64())
                        .floor() as u64
                        + 1;
                    while sealed_count < due {
                        let events = (seq..seq + batch)
                            .map(|s| event(&identity.agent_id, s, alert_every))
                            .collect();
                        let sealed = wire::seal(&identity.agent_id, &prev, events, now_ms());
                        prev = sealed.hash.clone();
                        seq += batch;
                        sealed_count += 1;
                        waiting.push_back((sealed, Instant::now()));
                    }
                } else if waiting.is_empty() {
                    break;
                }
                if waiting.is_empty() {
                    let next = first_sealed + every.mul_f64(sealed_count as f64);
                    tokio::time::sleep_until(next.into()).await;
                    continue;
                }
                let sending: Vec<wire::SealedBatch> = waiting
                    .iter()
                    .take(wire::MAX_BATCHES_PER_REQUEST)
                    .map(|(b, _)| b.clone())
                    .collect();
                let sent = if sending.len() > 1 {
                    http.send_batches(&identity, &sending, 0).await
                } else {
                    http.send_batch(&identity, &sending[0], 0).await
                };
                match sent {
                    Ok(ack) => {
                        while let Some((b, sealed_at)) = waiting.front() {
                            if b.last_seq > ack.acked_through {
                                break;
                            }
                            figures.events.fetch_add(batch, Relaxed);
                            figures
                                .latencies
                                .lock()
                                .expect("latencies")
                                .push(sealed_at.elapsed().as_millis() as u64);
                            waiting.pop_front();
                        }
                    }
                    Err(SendError::Refused { status, refusal })
                        if status < 500 && status != 429 =>
                    {
                        panic!("refused: {status} {}", refusal.code)
                    }
                    Err(SendError::Retry { after, .. }) => {
                        figures.retries.fetch_add(1, Relaxed);
                        tokio::time::sleep(vigie_agent::retry::around(
                            after.unwrap_or(Duration::from_millis(200)),
                        ))
                        .await;
                    }
                    Err(_) => {
                        figures.retries.fetch_add(1, Relaxed);
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
            (identity.agent_id, seq - 1)
        }));
    }
    if args.outage_secs > 0 {
        let outage = Duration::from_secs(args.outage_secs);
        let (figures, started) = (figures.clone(), Instant::now());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            signal(clickhouse_pid, "-STOP");
            println!("outage: ClickHouse hung for {outage:?}");
            tokio::time::sleep(outage).await;
            signal(clickhouse_pid, "-CONT");
            let resumed = Instant::now();
            // What the agents had to send by the time it resumed: each one's batches due
            // from its first (spread over one period) to now.
            let due: u64 = (0..agents)
                .map(|i| {
                    let first = every.mul_f64(i as f64 / agents as f64);
                    let since = (resumed - started).saturating_sub(first);
                    (since.as_secs_f64() / every.as_secs_f64()).floor() as u64 + 1
                })
                .sum::<u64>()
                * batch;
            while figures.events.load(Relaxed) < due {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            println!(
                "outage: {due} events due were all stored {:.1} s after ClickHouse resumed",
                resumed.elapsed().as_secs_f64()
            );
        });
    }
    let reporter = {
        let figures = figures.clone();
        tokio::spawn(async move {
            let (mut events_before, mut retries_before) = (0, 0);
            let (_, mut cpu_before) = rss_and_cpu(collector_pid);
            for minute in 1.. {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let events = figures.events.load(Relaxed);
                let retries = figures.retries.load(Relaxed);
                let mut latencies =
                    std::mem::take(&mut *figures.latencies.lock().expect("latencies"));
                latencies.sort_unstable();
                let (rss, cpu) = rss_and_cpu(collector_pid);
                let (clickhouse_rss, _) = rss_and_cpu(clickhouse_pid);
                println!(
                    "{minute:>6} {:>9.0} {:>8} {:>8} {:>8} {:>8.0}% {:>5} MiB {:>5} MiB",
                    (events - events_before) as f64 / 60.0,
                    percentile(&latencies, 50),
                    percentile(&latencies, 99),
                    retries - retries_before,
                    (cpu - cpu_before) as f64 / 600.0,
                    rss / 1024,
                    clickhouse_rss / 1024,
                );
                (events_before, retries_before, cpu_before) = (events, retries, cpu);
            }
        })
    };
    let mut acknowledged = HashMap::new();
    for task in tasks {
        let (id, last_seq) = task.await?;
        acknowledged.insert(id, last_seq);
    }
    reporter.abort();
    let check = check_exactly_once(client, &acknowledged).await;
    println!(
        "soak: {} events acknowledged, {} retries; exactly once: {}",
        acknowledged.values().sum::<u64>(),
        figures.retries.load(Relaxed),
        if check.holds() {
            "yes".to_string()
        } else {
            format!("NO {check:?}")
        }
    );
    Ok(())
}
