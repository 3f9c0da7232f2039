//! The schema against a real, throwaway ClickHouse server.

use vigie_store::managed::{Component, ManagedClickHouse};
use vigie_store::rows::EventRow;

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_twice_and_rows_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    let url = server.endpoint(Component::Collector);
    let latest = vigie_store::schema::MIGRATIONS.last().unwrap().version;
    // The managed server has no password-less user: the port alone gives nothing.
    let anonymous = vigie_store::Endpoint::new(&server.url(), None, None).unwrap();
    let refused = vigie_store::schema::migrate(&anonymous).await.unwrap_err();
    assert!(refused.to_string().contains("default"), "{refused}");
    assert_eq!(vigie_store::schema::migrate(&url).await.unwrap(), latest);
    // A second start finds everything applied and changes nothing.
    assert_eq!(vigie_store::schema::migrate(&url).await.unwrap(), latest);

    let client = vigie_store::connect(&url);
    let row = EventRow {
        date: vigie_store::date_of(1_700_000_000_000),
        ts: 1_700_000_000_000,
        received_ms: 1_700_000_000_100,
        agent_id: "a1".into(),
        hostname: "h".into(),
        seq: 42,
        category: "file_event".into(),
        action: "created".into(),
        target: "/etc/é'\"\\<x>".into(),
        image: String::new(),
        user: "root".into(),
        sha256: String::new(),
        fields: "{}".into(),
    };
    let mut insert = client.insert::<EventRow>("events").await.unwrap();
    insert.write(&row).await.unwrap();
    insert.end().await.unwrap();
    let back: Vec<EventRow> = client
        .query("SELECT ?fields FROM events WHERE target = ?")
        .bind("/etc/é'\"\\<x>")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(back, vec![row]);
    let migrations: u64 = client
        .query("SELECT count() FROM schema_migrations")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(migrations, u64::from(latest), "each recorded once");
}

/// The audit trail against a real server: rows chain and are signed, and tampering by
/// someone who can write the database is named (issue #12, finding 2).
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_chain_names_tampering_done_in_the_database() {
    use vigie_store::audit::{self, AuditDir, AuditLog, AuditRow, Verdict};
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(&dir.path().join("ch")).expect("start ClickHouse");
    vigie_store::schema::migrate(&server.endpoint(Component::Collector))
        .await
        .unwrap();
    let client = vigie_store::connect(&server.endpoint(Component::Collector));
    let anchor = AuditDir::new(dir.path().join("audit"));
    let chains = [
        "altered",
        "collector",
        "deleted",
        "headless",
        "inserted",
        "intact",
        "rewritten",
        "truncated",
    ];
    for chain in chains {
        let log = AuditLog::open(client.clone(), &anchor, chain)
            .await
            .unwrap();
        for i in 1..=6 {
            log.record(
                "ana",
                "triage",
                &format!("alert{i}"),
                serde_json::json!({"n": i}),
            )
            .await
            .unwrap();
        }
    }
    // A reopened log continues its chain.
    let log = AuditLog::open(client.clone(), &anchor, "intact")
        .await
        .unwrap();
    assert_eq!(
        log.record("ana", "logout", "", serde_json::json!({}))
            .await
            .unwrap()
            .seq,
        7
    );
    let anchors = anchor.anchors().unwrap();
    assert_eq!(
        audit::verify(&client, "intact", &anchors).await.unwrap(),
        Verdict::Intact {
            rows: 7,
            first_seq: 1,
            witnessed: 7
        }
    );
    let mutate = |sql: &'static str| {
        let client = client.clone();
        async move {
            client.query(sql).execute().await.unwrap();
            // Mutations apply in the background.
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        }
    };
    let rows_of = |chain: &'static str| {
        let client = client.clone();
        async move {
            client
                .query("SELECT ?fields FROM audit_log WHERE chain = ? ORDER BY seq")
                .bind(chain)
                .fetch_all::<AuditRow>()
                .await
                .unwrap()
        }
    };
    mutate("ALTER TABLE audit_log UPDATE actor = 'mallory' WHERE chain = 'altered' AND seq = 2")
        .await;
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'deleted' AND seq = 3").await;
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'truncated' AND seq >= 5").await;
    // A row slipped in with a made-up hash and link.
    let mut forged = rows_of("inserted").await[1].clone();
    forged.actor = "mallory".into();
    forged.hash = forged.expected_hash();
    vigie_store::insert_rows(&client, "audit_log", &[forged])
        .await
        .unwrap();
    // A middle row rewritten, every later hash recomputed, the newest rows dropped.
    let mut rewritten = rows_of("rewritten").await;
    rewritten[2].actor = "mallory".into();
    for i in 2..rewritten.len() {
        if i > 2 {
            rewritten[i].prev_hash = rewritten[i - 1].hash.clone();
        }
        rewritten[i].hash = rewritten[i].expected_hash();
    }
    rewritten.truncate(5);
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'rewritten'").await;
    vigie_store::insert_rows(&client, "audit_log", &rewritten)
        .await
        .unwrap();
    // The oldest rows deleted, and a checkpoint forged to explain it: in a chain of its
    // own, and unsigned in the collector's.
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'headless' AND seq <= 2").await;
    let headless = rows_of("headless").await;
    let mut checkpoint = AuditRow {
        chain: "retention".into(),
        seq: 1,
        action: audit::CHECKPOINT.into(),
        details: audit::checkpoint_details("headless", 2, &headless[0].prev_hash).to_string(),
        prev_hash: audit::GENESIS.into(),
        signature: String::new(),
        ..headless[0].clone()
    };
    checkpoint.hash = checkpoint.expected_hash();
    let mut in_collector = checkpoint.clone();
    in_collector.chain = "collector".into();
    in_collector.seq = 7;
    in_collector.prev_hash = rows_of("collector").await[5].hash.clone();
    in_collector.hash = in_collector.expected_hash();
    vigie_store::insert_rows(&client, "audit_log", &[checkpoint, in_collector])
        .await
        .unwrap();

    // A restart does not build on what the database shows last.
    let reopened = AuditLog::open(client.clone(), &anchor, "truncated")
        .await
        .unwrap();
    assert_eq!(
        reopened
            .record("ana", "login", "", serde_json::json!({}))
            .await
            .unwrap()
            .seq,
        7,
        "continues after the witnessed tip, leaving the gap visible"
    );
    let reopened = AuditLog::open(client.clone(), &anchor, "rewritten")
        .await
        .unwrap();
    assert_eq!(
        reopened
            .record("ana", "login", "", serde_json::json!({}))
            .await
            .unwrap()
            .seq,
        7
    );

    let anchors = anchor.anchors().unwrap();
    for (chain, seq, words) in [
        ("altered", 2, "altered"),
        ("deleted", 3, "missing"),
        ("inserted", 2, "inserted"),
        ("rewritten", 3, "not signed by its writer"),
        ("truncated", 5, "missing"),
        ("headless", 2, "missing"),
        ("collector", 7, "no signature"),
        ("retention", 0, "no key pinned"),
    ] {
        match audit::verify(&client, chain, &anchors).await.unwrap() {
            Verdict::Broken {
                seq: at, reason, ..
            } => {
                assert_eq!(at, seq, "{chain}: {reason}");
                assert!(reason.contains(words), "{chain}: {reason}");
            }
            other => panic!("{chain}: {other:?}"),
        }
    }
    let mut all: Vec<&str> = chains.to_vec();
    all.push("retention");
    all.sort();
    assert_eq!(audit::chains(&client, &anchors).await.unwrap(), all);
}

/// Retention drops only whole partitions past their table's retention, and the audit
/// chain stays verifiable from the first row kept, anchored by a checkpoint.
#[tokio::test(flavor = "multi_thread")]
async fn retention_drops_old_partitions_and_keeps_the_chain_verifiable() {
    use vigie_store::audit::{self, AuditDir, AuditLog, AuditRow, Verdict, GENESIS};
    use vigie_store::retention::{self, Retention};
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    vigie_store::schema::migrate(&server.endpoint(Component::Collector))
        .await
        .unwrap();
    let client = vigie_store::connect(&server.endpoint(Component::Collector));
    let day_ms = 86_400_000u64;
    let now = vigie_model::event::now_ms();
    let event = |ts: u64, seq: u64| EventRow {
        date: vigie_store::date_of(ts),
        ts,
        received_ms: ts,
        agent_id: "a".into(),
        hostname: "h".into(),
        seq,
        category: "file_event".into(),
        action: String::new(),
        target: String::new(),
        image: String::new(),
        user: String::new(),
        sha256: String::new(),
        fields: "{}".into(),
    };
    // Events 100 and 89 days old: with 90 days kept, only the first goes.
    vigie_store::insert_rows(
        &client,
        "events",
        &[event(now - 100 * day_ms, 1), event(now - 89 * day_ms, 2)],
    )
    .await
    .unwrap();
    // A dashboard chain: three rows three years old, two from today, signed by the
    // dashboard's key.
    let anchor = AuditDir::new(dir.path().join("audit"));
    let dashboard = anchor.signer("dashboard").unwrap();
    let mut rows: Vec<AuditRow> = Vec::new();
    for seq in 1..=5u64 {
        let ts = if seq <= 3 {
            now - 3 * 365 * day_ms
        } else {
            now
        };
        let mut row = AuditRow {
            date: vigie_store::date_of(ts),
            chain: "dashboard".into(),
            seq,
            ts,
            actor: "ana".into(),
            action: "login".into(),
            target: String::new(),
            details: "{}".into(),
            prev_hash: rows.last().map_or(GENESIS.to_string(), |r| r.hash.clone()),
            hash: String::new(),
            signature: String::new(),
        };
        row.hash = row.expected_hash();
        row.signature = dashboard.sign_row(&row.hash);
        rows.push(row);
    }
    dashboard.witness(5, &rows[4].hash).unwrap();
    vigie_store::insert_rows(&client, "audit_log", &rows)
        .await
        .unwrap();
    let log = AuditLog::open(client.clone(), &anchor, "collector")
        .await
        .unwrap();
    let policy = Retention {
        events_days: 90,
        batches_days: 90,
        alerts_days: 730,
        alert_actions_days: 730,
        audit_days: 365,
    };
    let today = vigie_store::date_of(now);
    let dropped = retention::apply(&client, &policy, today, &log)
        .await
        .unwrap();
    assert_eq!(
        dropped.iter().filter(|d| d.table == "events").count(),
        1,
        "{dropped:?}"
    );
    assert_eq!(
        dropped.iter().filter(|d| d.table == "audit_log").count(),
        1,
        "{dropped:?}"
    );
    let events: Vec<u64> = client
        .query("SELECT seq FROM events ORDER BY seq")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(events, [2], "the event inside its retention stays");
    let anchors = anchor.anchors().unwrap();
    assert_eq!(
        audit::verify(&client, "dashboard", &anchors).await.unwrap(),
        Verdict::Intact {
            rows: 2,
            first_seq: 4,
            witnessed: 5
        },
        "anchored by the collector's checkpoint"
    );
    assert!(matches!(
        audit::verify(&client, "collector", &anchors).await.unwrap(),
        Verdict::Intact { .. }
    ));
    // Nothing more to drop the next day.
    assert!(retention::apply(&client, &policy, today, &log)
        .await
        .unwrap()
        .is_empty());
}

/// An alert row as versions 1 to 12 stored it.
#[derive(clickhouse::Row, serde::Serialize)]
struct AlertBefore13 {
    date: u16,
    ts: u64,
    created_ms: u64,
    alert_id: String,
    agent_id: String,
    hostname: String,
    event_seq: u64,
    rule_id: String,
    rule_title: String,
    rule_title_fr: String,
    severity: String,
    tags: Vec<String>,
    author: String,
    summary: String,
    target: String,
    action: String,
    events: String,
}

impl From<&vigie_store::rows::AlertRow> for AlertBefore13 {
    fn from(a: &vigie_store::rows::AlertRow) -> AlertBefore13 {
        AlertBefore13 {
            date: a.date,
            ts: a.ts,
            created_ms: a.created_ms,
            alert_id: a.alert_id.clone(),
            agent_id: a.agent_id.clone(),
            hostname: a.hostname.clone(),
            event_seq: a.event_seq,
            rule_id: a.rule_id.clone(),
            rule_title: a.rule_title.clone(),
            rule_title_fr: a.rule_title_fr.clone(),
            severity: a.severity.clone(),
            tags: a.tags.clone(),
            author: a.author.clone(),
            summary: a.summary.clone(),
            target: a.target.clone(),
            action: a.action.clone(),
            events: a.events.clone(),
        }
    }
}

/// A database left at each earlier schema version is migrated forward by the current
/// code with its rows unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn every_earlier_schema_version_migrates_forward_without_loss() {
    use vigie_store::rows::{AlertRow, UserRow};
    use vigie_store::schema::{migrate, migrate_to, MIGRATIONS};
    let latest = MIGRATIONS.last().unwrap().version;
    for start in 1..latest {
        let dir = tempfile::tempdir().unwrap();
        let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
        assert_eq!(
            migrate_to(&server.endpoint(Component::Collector), start)
                .await
                .unwrap(),
            start
        );
        let client = vigie_store::connect(&server.endpoint(Component::Collector));
        // Rows of the tables every version has.
        let ts = 1_700_000_000_000u64;
        let alerts: Vec<AlertRow> = (0..50)
            .map(|i| AlertRow {
                date: vigie_store::date_of(ts),
                ts: ts + i,
                created_ms: ts + i,
                alert_id: format!("a{i}"),
                agent_id: "ag".into(),
                hostname: "h".into(),
                event_seq: i,
                rule_id: "r".into(),
                rule_title: "R".into(),
                rule_title_fr: "R".into(),
                severity: "high".into(),
                tags: vec!["attack.t1098".into()],
                author: "Vigie".into(),
                summary: "s".into(),
                target: "/etc/shadow".into(),
                action: "modified".into(),
                events: "[]".into(),
                summary_fr: String::new(),
            })
            .collect();
        // Written as the alerts table was before version 13 gave it `summary_fr`.
        let written: Vec<AlertBefore13> = alerts.iter().map(AlertBefore13::from).collect();
        vigie_store::insert_rows(&client, "alerts", &written)
            .await
            .unwrap();
        let user = UserRow {
            username: "ana".into(),
            role: "analyst".into(),
            password_hash: "x".into(),
            created_ms: ts,
            updated_ms: ts,
            disabled: 0,
        };
        vigie_store::insert_rows(&client, "users", &[user])
            .await
            .unwrap();
        // Audit rows from before they were signed (the table as version 3 made it).
        let mut legacy: Vec<vigie_store::audit::AuditRow> = Vec::new();
        if start >= 3 {
            for seq in 1..=3u64 {
                let mut row = vigie_store::audit::AuditRow {
                    date: vigie_store::date_of(ts),
                    chain: "dashboard".into(),
                    seq,
                    ts: ts + seq,
                    actor: "ana".into(),
                    action: "login".into(),
                    target: String::new(),
                    details: "{}".into(),
                    prev_hash: legacy
                        .last()
                        .map_or(vigie_store::audit::GENESIS.into(), |r| r.hash.clone()),
                    hash: String::new(),
                    signature: String::new(),
                };
                row.hash = row.expected_hash();
                client
                    .query(
                        "INSERT INTO audit_log (date, chain, seq, ts, actor, action, target, \
                         details, prev_hash, hash) VALUES (today(), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&row.chain)
                    .bind(row.seq)
                    .bind(row.ts)
                    .bind(&row.actor)
                    .bind(&row.action)
                    .bind(&row.target)
                    .bind(&row.details)
                    .bind(&row.prev_hash)
                    .bind(&row.hash)
                    .execute()
                    .await
                    .unwrap();
                legacy.push(row);
            }
        }
        let counts = |client: vigie_store::Client| async move {
            let mut out = Vec::new();
            for table in ["alerts", "users", "events", "agents"] {
                let n: u64 = client
                    .query(&format!("SELECT count() FROM {table}"))
                    .fetch_one()
                    .await
                    .unwrap();
                out.push(n);
            }
            out
        };
        let before = counts(client.clone()).await;
        assert_eq!(
            migrate(&server.endpoint(Component::Collector))
                .await
                .unwrap(),
            latest,
            "from version {start}"
        );
        assert_eq!(
            counts(client.clone()).await,
            before,
            "rows kept from version {start}"
        );
        let back: Vec<AlertRow> = client
            .query("SELECT ?fields FROM alerts ORDER BY ts")
            .fetch_all()
            .await
            .unwrap();
        assert_eq!(back, alerts, "from version {start}");
        if !legacy.is_empty() {
            // The writer's first open vouches for the unsigned rows with a signed one.
            use vigie_store::audit::{self, AuditDir, AuditLog, Verdict};
            let anchor = AuditDir::new(dir.path().join("audit"));
            let log = AuditLog::open(client.clone(), &anchor, "dashboard")
                .await
                .unwrap();
            log.record("ana", "logout", "", serde_json::json!({}))
                .await
                .unwrap();
            let verdict = audit::verify(&client, "dashboard", &anchor.anchors().unwrap())
                .await
                .unwrap();
            assert_eq!(
                verdict,
                Verdict::Intact {
                    rows: 5,
                    first_seq: 1,
                    witnessed: 5
                },
                "from version {start}"
            );
        }
    }
}
