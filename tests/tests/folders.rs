//! Folders: created with files inside at once (`mkdir -p`), renamed, deleted.

use std::time::Duration;

use vigie_tests::{wait_for, Stack};

#[tokio::test(flavor = "multi_thread")]
async fn folder_creation_rename_and_removal_report_every_file() {
    let stack = Stack::start("").await;
    let watched = stack.path("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let config = stack.agent_config("agent", &watched, "", "").await;
    let _agent = stack.start_agent("agent", &config).await;

    // Files written into folders the moment they exist, before any watch can be set.
    let deep = watched.join("site/a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("index.php"), "<?php system($_GET['c']);").unwrap();
    std::fs::write(watched.join("site/a/config.php"), "secret").unwrap();
    wait_for("both files created", Duration::from_secs(20), || async {
        (stack
            .count("SELECT count() FROM events WHERE action = 'created'")
            .await
            == 2)
            .then_some(())
    })
    .await;

    // A folder renamed: every file in it is renamed, from its old path.
    std::fs::rename(watched.join("site"), watched.join("site-old")).unwrap();
    wait_for("two renames", Duration::from_secs(20), || async {
        (stack
            .count("SELECT count() FROM events WHERE action = 'renamed'")
            .await
            == 2)
            .then_some(())
    })
    .await;
    let renamed: Vec<(String, String)> = stack
        .client
        .query("SELECT target, visitParamExtractString(fields, 'PreviousFilename') FROM events WHERE action = 'renamed' ORDER BY target")
        .fetch_all()
        .await
        .unwrap();
    assert!(
        renamed[0].0.ends_with("site-old/a/b/c/index.php")
            && renamed[0].1.ends_with("site/a/b/c/index.php"),
        "{renamed:?}"
    );
    assert!(
        renamed[1].0.ends_with("site-old/a/config.php")
            && renamed[1].1.ends_with("site/a/config.php"),
        "{renamed:?}"
    );

    // A folder removed: every file in it is deleted, with its last known hash.
    std::fs::remove_dir_all(watched.join("site-old")).unwrap();
    wait_for("two deletions", Duration::from_secs(20), || async {
        (stack
            .count("SELECT count() FROM events WHERE action = 'deleted'")
            .await
            == 2)
            .then_some(())
    })
    .await;
    let old_hash = vigie_model::hex::sha256(b"secret");
    assert_eq!(
        stack
            .count(&format!("SELECT count() FROM events WHERE action = 'deleted' AND fields LIKE '%\"OldSha256\":\"{old_hash}\"%'"))
            .await,
        1
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        stack
            .count("SELECT count() FROM events WHERE category = 'file_event'")
            .await,
        6,
        "nothing else reported"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_periodic_rescan_finds_what_no_watch_saw() {
    let stack = Stack::start("").await;
    let dir = stack.path("mapped");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("library.so");
    std::fs::write(&file, "original content of a library").unwrap();
    let config = stack.agent_config("agent", &dir, "", "").await;
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("rescan_interval_secs = 3600", "rescan_interval_secs = 2");
    std::fs::write(&config, text).unwrap();
    let _agent = stack.start_agent("agent", &config).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Writes through a memory mapping raise no inotify event: only the rescan can find
    // them. (The writer stays alive: Python's mapping holds a copy of the descriptor,
    // whose close would be reported.)
    let mut writer = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import mmap,os,time\nfd=os.open('{}', os.O_RDWR); m=mmap.mmap(fd, 0); os.close(fd)\ntime.sleep(1); m[0:8]=b'PATCHED!'; m.flush(); time.sleep(120)",
            file.display()
        ))
        .spawn()
        .unwrap();
    let by: String = wait_for("the rescan to report the change", Duration::from_secs(30), || async {
        stack
            .client
            .query("SELECT visitParamExtractString(fields, 'DetectedBy') FROM events WHERE action = 'modified' AND target LIKE '%/library.so'")
            .fetch_optional::<String>()
            .await
            .unwrap()
    })
    .await;
    let _ = writer.kill();
    let _ = writer.wait();
    assert_eq!(by, "rescan");
}
