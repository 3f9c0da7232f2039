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

/// The audit trail against a real server: rows chain, and tampering by SQL is named.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_chain_names_tampering_done_in_the_database() {
    use vigie_store::audit::{self, AuditLog, Verdict};
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    vigie_store::schema::migrate(&server.endpoint(Component::Collector)).await.unwrap();
    let client = vigie_store::connect(&server.endpoint(Component::Collector));
    for chain in ["altered", "deleted", "inserted", "intact"] {
        let log = AuditLog::open(client.clone(), chain).await.unwrap();
        for i in 1..=4 {
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
    let log = AuditLog::open(client.clone(), "intact").await.unwrap();
    assert_eq!(
        log.record("ana", "logout", "", serde_json::json!({}))
            .await
            .unwrap()
            .seq,
        5
    );
    assert_eq!(
        audit::verify(&client, "intact").await.unwrap(),
        Verdict::Intact {
            rows: 5,
            first_seq: 1
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
    mutate("ALTER TABLE audit_log UPDATE actor = 'mallory' WHERE chain = 'altered' AND seq = 2")
        .await;
    mutate("ALTER TABLE audit_log DELETE WHERE chain = 'deleted' AND seq = 3").await;
    // A row slipped in with a made-up hash and link.
    let mut forged: vigie_store::audit::AuditRow = client
        .query("SELECT ?fields FROM audit_log WHERE chain = 'inserted' AND seq = 2")
        .fetch_one()
        .await
        .unwrap();
    forged.actor = "mallory".into();
    forged.hash = forged.expected_hash();
    vigie_store::insert_rows(&client, "audit_log", &[forged])
        .await
        .unwrap();
    for (chain, seq, word) in [
        ("altered", 2, "altered"),
        ("deleted", 3, "missing"),
        ("inserted", 2, "inserted"),
    ] {
        match audit::verify(&client, chain).await.unwrap() {
            Verdict::Broken {
                seq: at, reason, ..
            } => {
                assert_eq!(at, seq, "{reason}");
                assert!(reason.contains(word), "{reason}");
            }
            other => panic!("{chain}: {other:?}"),
        }
    }
    assert_eq!(
        audit::chains(&client).await.unwrap(),
        ["altered", "deleted", "inserted", "intact"]
    );
}

/// Retention drops only whole partitions past their table's retention, and the audit
/// chain stays verifiable from the first row kept, anchored by a checkpoint.
#[tokio::test(flavor = "multi_thread")]
async fn retention_drops_old_partitions_and_keeps_the_chain_verifiable() {
    use vigie_store::audit::{self, AuditLog, AuditRow, Verdict, GENESIS};
    use vigie_store::retention::{self, Retention};
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    vigie_store::schema::migrate(&server.endpoint(Component::Collector)).await.unwrap();
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
    // A dashboard chain: three rows three years old, two from today.
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
        };
        row.hash = row.expected_hash();
        rows.push(row);
    }
    vigie_store::insert_rows(&client, "audit_log", &rows)
        .await
        .unwrap();
    let log = AuditLog::open(client.clone(), "collector").await.unwrap();
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
    assert_eq!(
        audit::verify(&client, "dashboard").await.unwrap(),
        Verdict::Intact {
            rows: 2,
            first_seq: 4
        },
        "anchored by the collector's checkpoint"
    );
    assert!(matches!(
        audit::verify(&client, "collector").await.unwrap(),
        Verdict::Intact { .. }
    ));
    // Nothing more to drop the next day.
    assert!(retention::apply(&client, &policy, today, &log)
        .await
        .unwrap()
        .is_empty());
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
        assert_eq!(migrate_to(&server.endpoint(Component::Collector), start).await.unwrap(), start);
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
            })
            .collect();
        vigie_store::insert_rows(&client, "alerts", &alerts)
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
            migrate(&server.endpoint(Component::Collector)).await.unwrap(),
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
    }
}
