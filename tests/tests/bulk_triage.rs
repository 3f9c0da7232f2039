//! Triage at the scale of a storm, over a real ClickHouse, collector and dashboard: a
//! grouped line tells how many of its alerts are in each status; its alert page lists
//! the group and triages all of it; "every alert matching this filter" asks for the
//! count to be confirmed, applies to every page of 6,000 alerts and only those, and
//! leaves one audit row with the filter and the count; a count that moved is asked
//! again; assignees are analysts; misspelt filters and unknown fields are refused.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vigie_tests::{http, json_of, post_form, post_json, wait_for, Stack};

/// The pack's rule on changes to the account files (`fim_account_files.yml`).
const SHADOW_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";

/// How many alerts the storm host raises: more than one request may name (5,000), so
/// that its grouped line and its filter must be triaged whole all the same.
const STORM: u64 = 6_000;

/// Alerts of the account-files rule on `host` whose latest status (or `new`) is
/// `status`.
async fn in_status(stack: &Stack, host: &str, status: &str) -> u64 {
    stack
        .count(&format!(
            "SELECT count() FROM (SELECT alert_id FROM alerts \
             WHERE hostname = '{host}' AND rule_id = '{SHADOW_RULE}') \
             ANY LEFT JOIN (SELECT alert_id, argMaxIf(status, ts, status != '') AS st \
             FROM alert_actions GROUP BY alert_id) USING alert_id \
             WHERE if(st = '', 'new', st) = '{status}'"
        ))
        .await
}

fn get(port: u16, path: &str, cookie: &str) -> vigie_tests::HttpResponse {
    http(port, "GET", path, &[("Cookie", cookie)], "")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_storm_is_triaged_whole_and_grouped_lines_tell_the_truth() {
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut storm = stack.sim_agent(&collector, "storm").await;
    let mut quiet = stack.sim_agent(&collector, "quiet").await;
    // Every event writes /etc/shadow: one alert each of the account-files rule (and
    // one of the generic file-change rule, left aside by the filters below).
    storm
        .send(&collector, 12, STORM / 12, 1, Duration::ZERO)
        .await;
    quiet.send(&collector, 1, 5, 1, Duration::ZERO).await;
    let storm_host = format!("sim-{}", &storm.id()[..8]);
    let quiet_host = format!("sim-{}", &quiet.id()[..8]);
    wait_for("the storm's alerts", Duration::from_secs(60), || async {
        let n = stack
            .count(&format!(
                "SELECT count() FROM alerts WHERE rule_id = '{SHADOW_RULE}'"
            ))
            .await;
        (n == STORM + 5).then_some(())
    })
    .await;

    let dashboard = stack.start_dashboard("admin-password-1").await;
    let port = dashboard.port;
    let (ana, ana_csrf) = dashboard.user("ana", "analyst");
    let (aud, aud_csrf) = dashboard.user("aud", "auditor");

    // One alert of the storm resolved: its line now says "999 new · 1 resolved".
    let one: String = stack
        .client
        .query("SELECT alert_id FROM alerts WHERE hostname = ? AND rule_id = ? ORDER BY ts LIMIT 1")
        .bind(&storm_host)
        .bind(SHADOW_RULE)
        .fetch_one()
        .await
        .unwrap();
    let r = post_json(
        port,
        "/api/v1/alerts/triage",
        &ana,
        &ana_csrf,
        &json!({"ids": [one], "action": "status", "status": "resolved", "comment": "checked"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let lines = json_of(&get(
        port,
        &format!("/api/v1/alerts?range=24h&host={storm_host}&rule={SHADOW_RULE}"),
        &ana,
    ));
    let lines = lines["alerts"].as_array().unwrap().clone();
    let share = |status: &str| -> u64 {
        lines
            .iter()
            .flat_map(|l| l["statuses"].as_array().unwrap().clone())
            .filter(|s| s["status"] == status)
            .map(|s| s["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        (share("new"), share("resolved")),
        (STORM - 1, 1),
        "{lines:?}"
    );
    let page = get(
        port,
        &format!("/alerts?range=24h&host={storm_host}&rule={SHADOW_RULE}"),
        &ana,
    );
    assert!(page.body.contains("class=\"mix\""), "the mix is shown");
    assert!(
        page.body.contains("?group=1"),
        "a grouped line opens its group"
    );
    // The assignee list holds those who may triage, not the auditor.
    assert!(page.body.contains("<option value=\"ana\">"));
    assert!(!page.body.contains("<option value=\"aud\">"));

    // The alert page of a grouped line lists the group, and triage applies to it whole.
    let line = &lines[0];
    let (rep, line_count) = (
        line["alert_id"].as_str().unwrap().to_string(),
        line["count"].as_u64().unwrap(),
    );
    let detail = get(port, &format!("/alerts/{rep}?group=1"), &ana);
    assert!(detail.body.contains("id=\"group\""), "group section");
    assert!(
        detail.body.contains("value=\"group\" checked"),
        "the whole line is the default from a grouped line"
    );
    assert!(get(port, &format!("/alerts/{rep}"), &ana)
        .body
        .contains("value=\"alert\" checked"));
    let r = post_form(
        port,
        "/alerts/triage",
        &ana,
        &[
            ("csrf", ana_csrf.as_str()),
            ("id", &rep),
            ("alert", &rep),
            ("scope", "group"),
            ("action", "acknowledge"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.header("location")
            .unwrap()
            .ends_with(&format!("done={line_count}")),
        "{:?}",
        r.header("location")
    );

    // A form without the session's CSRF token changes nothing.
    let forged = post_form(
        port,
        "/alerts/triage",
        &ana,
        &[
            ("csrf", "forged"),
            ("id", rep.as_str()),
            ("action", "acknowledge"),
        ],
    );
    assert_eq!(forged.status, 403);
    // A refused form goes back to its page, the reason shown beside the form.
    let r = post_form(
        port,
        "/alerts/triage",
        &ana,
        &[
            ("csrf", ana_csrf.as_str()),
            ("id", &rep),
            ("alert", &rep),
            ("scope", "alert"),
            ("action", "status"),
            ("status", "resolved"),
        ],
    );
    assert_eq!(r.status, 303);
    let back = r.header("location").unwrap().to_string();
    assert!(
        back.starts_with(&format!("/alerts/{rep}?refused=triage_reason_required")),
        "{back}"
    );
    let page = get(port, &back[..back.find('#').unwrap()], &ana);
    assert!(page.body.contains("needs a reason"), "{}", page.body);

    // Every alert matching a filter: first the count to confirm, nothing recorded.
    let actions_before = stack.count("SELECT count() FROM alert_actions").await;
    let filter = format!(
        "host={}&rule={SHADOW_RULE}&status=new&range=24h",
        storm_host.to_uppercase()
    );
    let bulk = |expected: Option<u64>| {
        let mut fields = vec![
            ("csrf", ana_csrf.clone()),
            ("scope", "filter".to_string()),
            ("filter", filter.clone()),
            ("action", "status".to_string()),
            ("status", "false_positive".to_string()),
            ("comment", "backup job rewrites shadow".to_string()),
        ];
        if let Some(n) = expected {
            fields.push(("expected", n.to_string()));
        }
        post_form(port, "/alerts/triage", &ana, &fields)
    };
    let confirm = bulk(None);
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("bulk-confirm"));
    assert!(
        confirm
            .body
            .contains(&format!("name=\"expected\" value=\"{}\"", STORM - 1)),
        "the count of every page is asked for confirmation"
    );
    assert_eq!(
        stack.count("SELECT count() FROM alert_actions").await,
        actions_before
    );
    // A count that is no longer true is asked again, nothing recorded.
    let moved = bulk(Some(STORM - 2));
    assert_eq!(moved.status, 200);
    assert!(
        moved.body.contains("role=\"alert\""),
        "says the count moved"
    );
    assert_eq!(
        stack.count("SELECT count() FROM alert_actions").await,
        actions_before
    );
    let started = Instant::now();
    let done = bulk(Some(STORM - 1));
    let took = started.elapsed();
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(done
        .header("location")
        .unwrap()
        .ends_with(&format!("done={}", STORM - 1)));
    println!(
        "bulk triage by filter of {} alerts: {} ms",
        STORM - 1,
        took.as_millis()
    );
    assert_eq!(
        in_status(&stack, &storm_host, "false_positive").await,
        STORM - 1
    );
    assert_eq!(in_status(&stack, &storm_host, "resolved").await, 1);
    assert_eq!(
        in_status(&stack, &quiet_host, "new").await,
        5,
        "other hosts untouched"
    );
    // One audit row, with the filter and the count.
    let audited = stack
        .count(&format!(
            "SELECT count() FROM audit_log WHERE action = 'triage' AND actor = 'ana' \
             AND position(details, '\"alerts\":{}') > 0 AND position(details, 'status=new') > 0 \
             AND position(details, '\"before\":{{\"new\":{}}}') > 0",
            STORM - 1,
            STORM - 1
        ))
        .await;
    assert_eq!(
        audited, 1,
        "one row: the filter, the count, the statuses before"
    );
    // The audit trail reads as words, the details as lines, not raw JSON.
    let audit = get(port, "/audit?lang=fr", &dashboard.session);
    assert!(
        audit.body.contains("title=\"triage\">tri<"),
        "actions in words"
    );
    assert!(audit.body.contains("<dt>before</dt>"), "details as lines");

    // The API: 409 with the count until it is confirmed.
    let api = |body: Value, cookie: &str, csrf: &str| {
        post_json(port, "/api/v1/alerts/triage", cookie, csrf, &body)
    };
    let quiet_filter = format!("host={quiet_host}&rule={SHADOW_RULE}&range=24h");
    let r = api(
        json!({"filter": quiet_filter, "action": "acknowledge"}),
        &ana,
        &ana_csrf,
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(json_of(&r)["code"], "triage_confirm_count");
    assert_eq!(json_of(&r)["matching"], 5);
    let r = api(
        json!({"filter": quiet_filter, "expected": 5, "action": "assign", "assignee": "ana"}),
        &ana,
        &ana_csrf,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(json_of(&r)["recorded"], 5);
    // Refusals, each naming what: nothing recorded by any of them.
    let actions_before = stack.count("SELECT count() FROM alert_actions").await;
    for (body, status, code, detail) in [
        (
            json!({"filter": "severty=high", "expected": 5, "action": "acknowledge"}),
            400,
            "bad_parameter",
            "filter.severty",
        ),
        (
            json!({"filter": quiet_filter, "ids": [one], "action": "acknowledge"}),
            400,
            "triage_ids_and_filter",
            "ids",
        ),
        (
            json!({"filter": quiet_filter, "expected": 5, "action": "assign", "assignee": "aud"}),
            400,
            "triage_assignee_cannot_triage",
            "aud",
        ),
        (
            json!({"filter": quiet_filter, "expected": 5, "action": "status", "status": "resolved"}),
            400,
            "triage_reason_required",
            "comment",
        ),
        (
            json!({"ids": vec!["a1"; 5_001], "grouped": true, "action": "acknowledge"}),
            400,
            "bad_parameter",
            "ids: more than 5000",
        ),
        (
            json!({"ids": [one], "action": "acknowledge", "colour": "red"}),
            400,
            "bad_request_body",
            "colour",
        ),
    ] {
        let r = api(body.clone(), &ana, &ana_csrf);
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(json_of(&r)["code"], code, "{body}");
        assert!(
            json_of(&r)["detail"].as_str().unwrap().contains(detail),
            "{body}: {}",
            r.body
        );
    }
    let r = api(
        json!({"filter": quiet_filter, "expected": 5, "action": "acknowledge"}),
        &aud,
        &aud_csrf,
    );
    assert_eq!(r.status, 403, "auditors do not triage");
    assert_eq!(
        stack.count("SELECT count() FROM alert_actions").await,
        actions_before
    );
    // The queue refuses a parameter it does not know rather than show everything.
    let r = get(port, "/api/v1/alerts?severty=high", &ana);
    assert_eq!(r.status, 400);
    assert!(json_of(&r)["detail"]
        .as_str()
        .unwrap()
        .starts_with("severty"));
}
