//! Bytes per event on the wire for realistic file, process and log events, at the sealing
//! level agents use, in the current format and in version 1 (older agents).
//! `cargo run -p vigie-model --example wire_bytes`
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
    // A modified file's old hash is the one last reported for it, or its baseline's.
    let mut last_hash = std::collections::HashMap::new();
    let fim: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 37 + seq % 13;
            let dir = dirs[(seq % 5) as usize];
            let action = ["created", "modified", "modified", "deleted"][(seq % 4) as usize];
            let path = format!("{dir}/file{}.conf", seq % 97);
            let mut f = serde_json::json!({"TargetFilename": path, "Action": action, "Size": 1000 + seq * 7 % 5000, "Mode": "0644", "Uid": 0, "Gid": 0, "User": "root"});
            if action == "modified" {
                let old = last_hash.get(&path).cloned().unwrap_or_else(|| hash(seq + 100_000));
                f["OldSha256"] = old.into();
            }
            if action == "deleted" {
                last_hash.remove(&path);
            } else {
                f["Sha256"] = hash(seq).into();
                last_hash.insert(path, hash(seq));
            }
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
    // Files dropped one after the other in one folder: one fresh hash each.
    let created: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 3 + seq % 5;
            let f = serde_json::json!({"TargetFilename": format!("/srv/data/incoming/report-{seq}.csv"), "Action": "created", "Size": 100 + seq * 37 % 900, "Mode": "0644", "Uid": 1000, "Gid": 1000, "User": "amadou", "Sha256": hash(seq)});
            Event { agent_id: agent.into(), hostname: "srv-dgi-web01".into(), seq, ts, category: "file_event".into(), fields: f.as_object().unwrap().clone() }
        })
        .collect();
    // sshd's lines in auth.log during a brute force, as the log sensor sends them.
    let mut offset = 1_000_000u64;
    let users = ["root", "admin", "oracle", "test", "ubuntu", "amadou"];
    let sshd: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 40 + seq % 90;
            let (ip, port, user) = (format!("203.0.113.{}", seq % 7 + 10), 30000 + seq * 13 % 30000, users[(seq % 6) as usize]);
            let (outcome, invalid) = if seq % 3 == 0 { ("failure", true) } else { ("failure", false) };
            let message = format!("Failed password for {}{user} from {ip} port {port} ssh2", if invalid { "invalid user " } else { "" });
            offset += message.len() as u64 + 40;
            let f = serde_json::json!({"LogTime": format!("2026-12-02T16:{:02}:{:02}.{:06}+00:00", seq / 60 % 60, seq % 60, seq * 7919 % 1_000_000), "LogHost": "srv-dgi-web01", "Program": "sshd", "ProcessId": 40000 + seq, "service": "sshd", "Outcome": outcome, "AuthMethod": "password", "TargetUser": user, "InvalidUser": invalid, "SourceIp": ip, "SourcePort": port, "Message": message, "LogFile": "/var/log/auth.log", "LogInode": 1_310_722, "LogOffset": offset});
            Event { agent_id: agent.into(), hostname: "srv-dgi-web01".into(), seq, ts, category: "log".into(), fields: f.as_object().unwrap().clone() }
        })
        .collect();
    // A web server's access log.
    let pages = [
        "/",
        "/index.php",
        "/services/impots/declaration",
        "/static/app.css",
        "/api/v1/dossiers?page=2",
    ];
    let web: Vec<Event> = (1..=1000u64)
        .map(|seq| {
            ts += 20 + seq % 50;
            let uri = pages[(seq % 5) as usize];
            let (stem, query) = uri.split_once('?').unwrap_or((uri, ""));
            let ip = format!("41.{}.{}.{}", 200 + seq % 20, seq % 250, seq * 7 % 250);
            let agent_string = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
            let line = format!("{ip} - - [02/Dec/2026:16:25:07 +0000] \"GET {uri} HTTP/1.1\" 200 {} \"-\" \"{agent_string}\"", 512 + seq * 37 % 20000);
            offset += line.len() as u64 + 1;
            let f = serde_json::json!({"c-ip": ip, "LogTime": "02/Dec/2026:16:25:07 +0000", "cs-method": "GET", "cs-uri-stem": stem, "cs-uri-query": query, "cs-uri": uri, "cs-version": "HTTP/1.1", "sc-status": 200, "sc-bytes": 512 + seq * 37 % 20000, "cs-user-agent": agent_string, "service": "nginx", "Message": line, "LogFile": "/var/log/nginx/access.log", "LogInode": 1_310_999, "LogOffset": offset});
            Event { agent_id: agent.into(), hostname: "srv-dgi-web01".into(), seq, ts, category: "webserver".into(), fields: f.as_object().unwrap().clone() }
        })
        .collect();
    type Sealer = fn(&str, &str, Vec<Event>, u64) -> wire::SealedBatch;
    let formats: [(&str, Sealer); 2] = [("current", wire::seal), ("version 1", wire::seal_v1)];
    for (name, events) in [
        ("file", fim),
        ("file created", created),
        ("process", proc),
        ("sshd log", sshd),
        ("web access", web),
    ] {
        for size in [100usize, 1000] {
            print!("{name:12} batches of {size:5}:");
            for (format, seal) in formats {
                let total: usize = events
                    .chunks(size)
                    .map(|chunk| {
                        seal(agent, wire::GENESIS_HASH, chunk.to_vec(), ts)
                            .bytes
                            .len()
                    })
                    .sum();
                print!("  {format} {:.1}", total as f64 / events.len() as f64);
            }
            println!("  bytes per event");
        }
    }
}
