//! Exceptions end to end, over a real ClickHouse, collector and dashboard: an analyst
//! makes one from an alert (form prefilled from its event), previews it on the stored
//! alerts, saves it; the collector then stores the matching events without their alerts
//! and counts what it held back, while other hosts still alert; removing it brings the
//! alerts back. Auditors read but cannot write; bad exceptions are refused naming the
//! condition; every change is in the audit trail.

use std::time::Duration;

use serde_json::json;
use vigie_tests::{http, json_of, post_form, post_json, wait_for, Stack};

/// The pack's rule on changes to the account files (`fim_account_files.yml`).
const SHADOW_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";

/// Longer than the collector's exceptions reload period (3 s), twice.
const RELOAD: Duration = Duration::from_secs(7);

/// Alerts of `agent` by the rule that watches `/etc/shadow`.
async fn alerts_of(stack: &Stack, agent: &str) -> u64 {
    stack
        .count(&format!(
            "SELECT count() FROM alerts WHERE agent_id = '{agent}' AND rule_id = '{SHADOW_RULE}'"
        ))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exception_from_an_alert_holds_back_exactly_what_it_says() {
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut noisy = stack.sim_agent(&collector, "noisy").await;
    let mut other = stack.sim_agent(&collector, "other").await;
    // Three writes to /etc/shadow on the noisy host: three alerts of the built-in rule.
    noisy.send(&collector, 1, 3, 1, Duration::ZERO).await;
    let (noisy_id, other_id) = (noisy.id().to_string(), other.id().to_string());
    wait_for("the first alerts", Duration::from_secs(30), || async {
        (alerts_of(&stack, &noisy_id).await == 3).then_some(())
    })
    .await;

    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let (aud, aud_csrf) = dashboard.user("aud", "auditor");

    // From the alert: the form comes prefilled with its rule, host and file.
    let (alert_id, rule_id): (String, String) = stack
        .client
        .query("SELECT alert_id, rule_id FROM alerts WHERE agent_id = ? AND rule_id = ? LIMIT 1")
        .bind(&noisy_id)
        .bind(SHADOW_RULE)
        .fetch_one()
        .await
        .unwrap();
    let detail = http(
        port,
        "GET",
        &format!("/alerts/{alert_id}"),
        &[("Cookie", &ana)],
        "",
    );
    assert!(detail
        .body
        .contains(&format!("/exceptions/new?alert={alert_id}")));
    let audit_detail = http(
        port,
        "GET",
        &format!("/alerts/{alert_id}"),
        &[("Cookie", &aud)],
        "",
    );
    assert!(
        !audit_detail.body.contains("/exceptions/new"),
        "auditors are offered no exception"
    );
    let form = http(
        port,
        "GET",
        &format!("/exceptions/new?alert={alert_id}"),
        &[("Cookie", &ana)],
        "",
    );
    assert_eq!(form.status, 200, "{}", form.body);
    let hostname = format!("sim-{}", &noisy_id[..8]);
    for prefilled in [
        rule_id.as_str(),
        hostname.as_str(),
        "/etc/shadow",
        "TargetFilename",
    ] {
        assert!(form.body.contains(prefilled), "form lacks {prefilled}");
    }
    assert_eq!(
        http(port, "GET", "/exceptions/new", &[("Cookie", &aud)], "").status,
        403
    );

    // Preview on what is stored: all three alerts would have been held back.
    let exception_form = |action: &'static str| {
        vec![
            ("csrf", ana_csrf.clone()),
            ("alert", alert_id.clone()),
            ("rule_id", rule_id.clone()),
            ("field0", "hostname".to_string()),
            ("op0", "is".to_string()),
            ("value0", hostname.to_uppercase()),
            ("field1", "TargetFilename".to_string()),
            ("op1", "glob".to_string()),
            ("value1", "/etc/sha*".to_string()),
            ("field2", "".to_string()),
            ("op2", "is".to_string()),
            ("value2", "".to_string()),
            ("reason", "password rotation job on this host".to_string()),
            ("expires_days", "30".to_string()),
            ("action", action.to_string()),
        ]
    };
    let as_refs = |v: &[(&'static str, String)]| -> Vec<(&str, String)> { v.to_vec() };
    let preview_fields = as_refs(&exception_form("preview"));
    let preview_refs: Vec<(&str, &str)> = preview_fields
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let preview = post_form(port, "/exceptions", &ana, &preview_refs);
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("data-would-suppress=\"3\""),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("<option value=\"30\" selected>"),
        "the preview keeps the expiry chosen"
    );

    // Refusals: an auditor cannot save; a bad pattern is named with its condition, in
    // place on the form and as JSON.
    let spec = json!({
        "rule_id": rule_id,
        "conditions": [{"field": "hostname", "op": "is", "value": hostname}],
        "reason": "test",
    });
    assert_eq!(
        post_json(port, "/api/v1/exceptions", &aud, &aud_csrf, &spec).status,
        403
    );
    let bad = json!({
        "conditions": [{"field": "TargetFilename", "op": "glob", "value": "/etc/{shadow"}],
        "reason": "x",
    });
    let refused = post_json(port, "/api/v1/exceptions", &ana, &ana_csrf, &bad);
    assert_eq!(refused.status, 400, "{}", refused.body);
    let refusal = json_of(&refused);
    assert_eq!(refusal["code"], "exception_invalid");
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("condition 1 (TargetFilename)"),
        "{refusal}"
    );
    let unknown_op =
        json!({"conditions": [{"field": "Image", "op": "like", "value": "x"}], "reason": "x"});
    assert_eq!(
        post_json(port, "/api/v1/exceptions", &ana, &ana_csrf, &unknown_op).status,
        400
    );
    let mut no_reason = exception_form("save");
    no_reason.retain(|(k, _)| *k != "reason");
    let no_reason_refs: Vec<(&str, &str)> =
        no_reason.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let inline = post_form(port, "/exceptions", &ana, &no_reason_refs);
    assert_eq!(inline.status, 400);
    assert!(
        inline.body.contains("role=\"alert\"") && inline.body.contains("form id=\"exception\"")
    );
    assert_eq!(
        stack.count("SELECT count() FROM exceptions").await,
        0,
        "nothing stored on refusal"
    );

    // Saved: matching events are stored without alerts and counted; the other host alerts.
    let save_fields = exception_form("save");
    let save_refs: Vec<(&str, &str)> = save_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = post_form(port, "/exceptions", &ana, &save_refs);
    assert_eq!(saved.status, 303, "{}", saved.body);
    tokio::time::sleep(RELOAD).await;
    noisy.send(&collector, 1, 2, 1, Duration::ZERO).await;
    other.send(&collector, 1, 1, 1, Duration::ZERO).await;
    wait_for(
        "the other host's alert",
        Duration::from_secs(30),
        || async { (alerts_of(&stack, &other_id).await == 1).then_some(()) },
    )
    .await;
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM events WHERE agent_id = '{noisy_id}'"
            ))
            .await,
        5,
        "events are stored all the same"
    );
    assert_eq!(
        alerts_of(&stack, &noisy_id).await,
        3,
        "no new alert on the noisy host"
    );
    let listed = json_of(&http(
        port,
        "GET",
        "/api/v1/exceptions",
        &[("Cookie", &aud)],
        "",
    ));
    let exception = &listed["exceptions"][0];
    assert_eq!(exception["suppressed"], 2, "{listed}");
    assert_eq!(exception["state"], "active");
    assert_eq!(exception["author"], "ana");
    let page = http(port, "GET", "/exceptions?lang=fr", &[("Cookie", &aud)], "");
    assert!(page.body.contains("Retenues") && page.body.contains("/etc/sha*"));
    assert!(
        !page.body.contains("/remove"),
        "auditors get no remove button"
    );

    // Removed: the rule alerts again on the same events.
    let id = exception["exception_id"].as_str().unwrap().to_string();
    let removed = post_json(
        port,
        &format!("/api/v1/exceptions/{id}/remove"),
        &ana,
        &ana_csrf,
        &json!({}),
    );
    assert_eq!(removed.status, 200, "{}", removed.body);
    tokio::time::sleep(RELOAD).await;
    noisy.send(&collector, 1, 1, 1, Duration::ZERO).await;
    wait_for(
        "alerts again once removed",
        Duration::from_secs(30),
        || async { (alerts_of(&stack, &noisy_id).await == 4).then_some(()) },
    )
    .await;

    // Every change is audited, with what it said.
    let audit = stack
        .count(&format!(
            "SELECT count() FROM audit_log WHERE target = '{id}' AND action IN ('exception_created', 'exception_removed')"
        ))
        .await;
    assert_eq!(audit, 2);
}
