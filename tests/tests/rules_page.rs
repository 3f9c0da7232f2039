//! The rules page over a real collector and dashboard: every rule in force is listed
//! with its source (Vigie's pack, the built-in file-change rule, the collector's own)
//! and how often it fired; an admin turns a rule off — the next matching event is stored
//! without an alert — then gives it another severity, which the next alert carries;
//! each change needs a reason and is audited with the before; analysts cannot, and the
//! collector's own rules cannot be turned off.

use std::time::Duration;

use serde_json::{json, Value};
use vigie_tests::{http, json_of, post_json, wait_for, Stack};

/// The pack's rule on changes to the account files (`fim_account_files.yml`), high.
const SHADOW_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";

/// Longer than the collector's rule settings reload period (3 s), twice.
const RELOAD: Duration = Duration::from_secs(7);

async fn shadow_alerts(stack: &Stack, severity: &str) -> u64 {
    stack
        .count(&format!(
            "SELECT count() FROM alerts WHERE rule_id = '{SHADOW_RULE}' AND severity = '{severity}'"
        ))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_turn_rules_off_and_set_their_severity_live() {
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "files1").await;
    agent.send(&collector, 1, 2, 1, Duration::ZERO).await;
    wait_for("the first alerts", Duration::from_secs(30), || async {
        (shadow_alerts(&stack, "high").await == 2).then_some(())
    })
    .await;
    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let admin = dashboard.session.clone();
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let admin_csrf =
        vigie_tests::csrf_of(&http(port, "GET", "/alerts", &[("Cookie", &admin)], "").body);

    // Every rule in force, with its source and figures.
    let rules = json_of(&http(port, "GET", "/api/v1/rules", &[("Cookie", &ana)], ""));
    let rules = rules["rules"].as_array().unwrap().clone();
    let find = |id: &str| rules.iter().find(|r| r["rule_id"] == id).cloned();
    let shadow = find(SHADOW_RULE).expect("the pack's rule is listed");
    assert_eq!(shadow["source"], "pack");
    assert_eq!(shadow["alerts_24h"], 2);
    assert!(shadow["last_fired_ms"].as_u64().is_some());
    let sources: Vec<&str> = rules
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"built-in"),
        "the file-change rule is listed: {sources:?}"
    );
    assert!(sources.contains(&"collector"), "{sources:?}");
    let own = rules.iter().find(|r| r["source"] == "collector").unwrap()["rule_id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = http(port, "GET", "/rules?lang=fr", &[("Cookie", &ana)], "");
    assert!(page.body.contains("jeu de Vigie") && page.body.contains("Base des comptes modifiée"));
    assert!(
        !page.body.contains("action=\"/rules/"),
        "analysts get no change form"
    );

    // Refusals, each naming what; nothing changes.
    let change = |cookie: &str, csrf: &str, id: &str, body: Value| {
        post_json(port, &format!("/api/v1/rules/{id}"), cookie, csrf, &body)
    };
    let shadow_path = SHADOW_RULE;
    for (cookie, csrf, id, body, status, code) in [
        (
            &ana,
            &ana_csrf,
            shadow_path,
            json!({"enabled": false, "reason": "noisy"}),
            403,
            "forbidden",
        ),
        (
            &admin,
            &admin_csrf,
            shadow_path,
            json!({"enabled": false}),
            400,
            "rules_reason_required",
        ),
        (
            &admin,
            &admin_csrf,
            shadow_path,
            json!({"enabled": true, "severity": "urgent", "reason": "x"}),
            400,
            "bad_parameter",
        ),
        (
            &admin,
            &admin_csrf,
            own.as_str(),
            json!({"enabled": false, "reason": "quiet"}),
            400,
            "rules_cannot_turn_off",
        ),
        (
            &admin,
            &admin_csrf,
            "no-such-rule",
            json!({"enabled": false, "reason": "x"}),
            404,
            "not_found",
        ),
    ] {
        let r = change(cookie, csrf, id, body.clone());
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(json_of(&r)["code"], code, "{body}");
    }
    assert_eq!(stack.count("SELECT count() FROM rule_settings").await, 0);

    // Off: the next write to /etc/shadow is stored, without an alert.
    let r = change(
        &admin,
        &admin_csrf,
        SHADOW_RULE,
        json!({"enabled": false, "reason": "password rotation week"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    tokio::time::sleep(RELOAD).await;
    agent.send(&collector, 1, 1, 1, Duration::ZERO).await;
    wait_for("the event", Duration::from_secs(30), || async {
        (stack
            .count("SELECT count() FROM events WHERE target = '/etc/shadow'")
            .await
            == 3)
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(shadow_alerts(&stack, "high").await, 2, "no alert while off");
    assert!(
        http(port, "GET", "/rules?lang=fr", &[("Cookie", &admin)], "")
            .body
            .contains("désactivée")
    );

    // On again, critical: the next alert carries the new severity.
    let r = change(
        &admin,
        &admin_csrf,
        SHADOW_RULE,
        json!({"enabled": true, "severity": "critical", "reason": "crown jewels"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    tokio::time::sleep(RELOAD).await;
    agent.send(&collector, 1, 1, 1, Duration::ZERO).await;
    wait_for("the critical alert", Duration::from_secs(30), || async {
        (shadow_alerts(&stack, "critical").await == 1).then_some(())
    })
    .await;
    let audited = stack
        .count(&format!(
            "SELECT count() FROM audit_log WHERE action = 'rules_changed' AND target = '{SHADOW_RULE}' \
             AND position(details, 'crown jewels') > 0 AND position(details, '\"before\":{{\"enabled\":false') > 0"
        ))
        .await;
    assert_eq!(audited, 1, "the change and what it was before");
}
