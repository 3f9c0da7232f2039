//! The schema against a real, throwaway ClickHouse server.

use vigie_store::managed::ManagedClickHouse;
use vigie_store::rows::EventRow;

#[tokio::test(flavor = "multi_thread")]
async fn migrations_apply_twice_and_rows_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedClickHouse::start(dir.path()).expect("start ClickHouse");
    let url = server.url();
    assert_eq!(vigie_store::schema::migrate(&url).await.unwrap(), 1);
    // A second start finds everything applied and changes nothing.
    assert_eq!(vigie_store::schema::migrate(&url).await.unwrap(), 1);

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
    assert_eq!(migrations, 1);
}
