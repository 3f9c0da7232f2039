//! Bytes per event on the wire for realistic file and process events, at the sealing
//! level agents use. `cargo run -p vigie-model --example wire_bytes`
use vigie_model::wire;
use vigie_model::Event;

fn hash(i: u64) -> String {
    vigie_model::hex::sha256(&i.to_le_bytes())
}

fn main() {
    let agent = "5f3c9a1e2b7d4c6a8e0f1a2b3c4d5e6f";
    let mut ts = 1_796_151_358_426u64;
    let dirs = [
        "/etc",
        "/usr/bin",
        "/var/www/html/uploads",
        "/etc/nginx/conf.d",
        "/home/amadou/.ssh",
    ];
    let fim: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 37 + seq % 13;
            let dir = dirs[(seq % 5) as usize];
            let action = ["created", "modified", "modified", "deleted"][(seq % 4) as usize];
            let mut f = serde_json::json!({"TargetFilename": format!("{dir}/file{}.conf", seq % 97), "Action": action, "Size": 1000 + seq * 7 % 5000, "Mode": "0644", "Uid": 0, "Gid": 0, "User": "root"});
            if action != "deleted" { f["Sha256"] = hash(seq).into(); }
            if action == "modified" { f["OldSha256"] = hash(seq + 100_000).into(); }
            Event { agent_id: agent.into(), hostname: "srv-dgi-web01".into(), seq, ts, category: "file_event".into(), fields: f.as_object().unwrap().clone() }
        })
        .collect();
    let images = [
        "/usr/bin/bash",
        "/usr/sbin/sshd",
        "/usr/bin/python3",
        "/usr/bin/curl",
        "/usr/lib/postgresql/15/bin/postgres",
    ];
    let proc: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 11 + seq % 7;
            let image = images[(seq % 5) as usize];
            let f = serde_json::json!({"ProcessId": 20000 + seq, "ParentProcessId": 19000 + seq % 50, "Image": image, "CommandLine": format!("{image} -c 'run job {}'", seq % 31), "CurrentDirectory": "/var/lib/app", "User": "www-data", "LogonId": 33, "ParentImage": "/usr/bin/bash", "ParentCommandLine": "bash", "Sha256": hash(seq % 5)});
            Event { agent_id: agent.into(), hostname: "srv-dgi-web01".into(), seq, ts, category: "process_creation".into(), fields: f.as_object().unwrap().clone() }
        })
        .collect();
    for (name, events) in [("file", fim), ("process", proc)] {
        for size in [100usize, 1000] {
            let mut total = 0;
            for chunk in events.chunks(size) {
                total += wire::seal(agent, wire::GENESIS_HASH, chunk.to_vec(), ts)
                    .bytes
                    .len();
            }
            println!(
                "{name:8} batches of {size:5}: {:.1} bytes per event",
                total as f64 / events.len() as f64
            );
        }
    }
}
