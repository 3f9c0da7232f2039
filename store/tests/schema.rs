//! The schema against a real, throwaway ClickHouse server.

use vigie_store::managed::ManagedClickHouse;
use vigie_store::rows::EventRow;

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_twice_and_rows_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    let url = server.url();
    let latest = vigie_store::schema::MIGRATIONS.last().unwrap().version;
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
    vigie_store::schema::migrate(&server.url()).await.unwrap();
    let client = vigie_store::connect(&server.url());
    for chain in ["altered", "deleted", "intact"] {
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
    for (chain, seq, word) in [("altered", 2, "altered"), ("deleted", 3, "missing")] {
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
        ["altered", "deleted", "intact"]
    );
}
