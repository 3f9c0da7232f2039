//! A real headless Chromium (Debian's, driven through chromedriver) does what an analyst
//! does: signs in, finds the alert, opens it, triages it, switches to French. A hostile
//! file name never runs as script. Screenshots go to `target/test-output/browser/`.
//!
//! The test command installs Chromium and sets `VIGIE_BROWSER_TESTS=1`; without a
//! browser and without that variable the test says it was skipped.

use std::path::PathBuf;
use std::time::Duration;

use vigie_store::rows::AlertRow;
use vigie_tests::webdriver::{self, Browser};
use vigie_tests::Stack;

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-output/browser")
}

fn alert(id: &str, ts: u64, target: &str, severity: &str) -> AlertRow {
    AlertRow {
        date: vigie_store::date_of(ts),
        ts,
        created_ms: ts,
        alert_id: id.into(),
        agent_id: "agent-web1".into(),
        hostname: "web1".into(),
        event_seq: 1,
        rule_id: "r-webshell".into(),
        rule_title: "Web shell written".into(),
        rule_title_fr: "Web shell déposé".into(),
        severity: severity.into(),
        tags: vec!["attack.t1505.003".into()],
        author: "Vigie".into(),
        summary: format!("Web shell written: {target}"),
        target: target.into(),
        action: "created".into(),
        events: "[]".into(),
        summary_fr: String::new(),
    }
}

/// True (and said) when no browser is here and none was asked for.
fn skipped() -> bool {
    if webdriver::available() {
        return false;
    }
    assert!(
        std::env::var_os("VIGIE_BROWSER_TESTS").is_none(),
        "VIGIE_BROWSER_TESTS is set but chromium or chromedriver is missing"
    );
    eprintln!("skipped: no chromium/chromedriver (scripts/test.sh installs them)");
    true
}

/// The dashboard, and a browser signed in to it as the admin (in English); its address.
async fn signed_in(stack: &Stack) -> (vigie_tests::Dashboard, Browser, String) {
    let dashboard = stack.start_dashboard("browser-password-1").await;
    let base = format!("http://127.0.0.1:{}", dashboard.port);
    let browser = Browser::start(&stack.path("chromedriver.log")).await;
    browser.go(&format!("{base}/login?lang=en"));
    browser.type_into("input[name=username]", "admin");
    browser.type_into("input[name=password]", "browser-password-1");
    browser.click("form.login button[type=submit]");
    browser.wait_for_url("the alert queue", |u| u.ends_with("/alerts"));
    (dashboard, browser, base)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_signs_in_finds_triages_and_reads_in_french() {
    if skipped() {
        return;
    }
    let stack = Stack::start("").await;
    let now = vigie_model::event::now_ms();
    let xss = "/var/www/<img src=x onerror=alert(1)><script>alert(2)</script>.php";
    vigie_store::insert_rows(
        &stack.client,
        "alerts",
        &[
            alert("b1", now - 120_000, xss, "high"),
            alert("c1", now - 60_000, "/var/www/html/up.php", "critical"),
        ],
    )
    .await
    .unwrap();
    let dashboard = stack.start_dashboard("browser-password-1").await;
    let base = format!("http://127.0.0.1:{}", dashboard.port);
    let browser = Browser::start(&stack.path("chromedriver.log")).await;

    // Sign in.
    browser.go(&format!("{base}/login?lang=en"));
    browser.screenshot(&shots().join("1-login.png"));
    browser.type_into("input[name=username]", "admin");
    browser.type_into("input[name=password]", "browser-password-1");
    browser.click("form.login button[type=submit]");
    browser.wait_for_url("the alert queue", |u| u.ends_with("/alerts"));

    // The queue shows both alerts; the hostile name is text, no script ran.
    let queue = browser.wait_for_text("main", "Web shell written");
    assert!(
        queue.contains("Web shell written") && queue.contains("<script>alert(2)</script>"),
        "{queue}"
    );
    assert_eq!(browser.dialog(), None, "no script of the data ran");
    browser.screenshot(&shots().join("2-queue.png"));

    // Find the critical one by filter, open it.
    browser.click("input[name=severity][value=critical]");
    browser.click("form.filters button[type=submit]");
    browser.wait_for_url("the filtered queue", |u| u.contains("severity=critical"));
    browser.click("tr[data-alert-id=c1] a");
    browser.wait_for_url("the alert", |u| u.ends_with("/alerts/c1"));

    // Triage it: resolved, with a reason.
    browser.click("select[name=action] option[value=status]");
    browser.click("select[name=status] option[value=resolved]");
    browser.type_into("input[name=comment]", "file removed, upload form closed");
    browser.click("fieldset.triage button[type=submit]");
    let detail = browser.wait_for_text("main", "file removed, upload form closed");
    assert!(
        detail.contains("resolved") && detail.contains("file removed, upload form closed"),
        "{detail}"
    );
    browser.screenshot(&shots().join("3-triaged.png"));

    // Switch to French: the same page, in French, remembered afterwards.
    browser.click("#lang");
    let french = browser.wait_for_text("main", "Historique du tri");
    assert!(
        french.contains("Historique du tri") && french.contains("résolue"),
        "{french}"
    );
    assert!(browser.source().contains("lang=\"fr\""));
    browser.go(&format!("{base}/alerts"));
    browser.wait_for_text("h1", "Alertes");
    browser.screenshot(&shots().join("4-french.png"));
    assert_eq!(browser.dialog(), None);
    assert_eq!(
        stack
            .count(
                "SELECT count() FROM alert_actions WHERE alert_id = 'c1' AND status = 'resolved'"
            )
            .await,
        1
    );
}

/// Issue #15: alert → exception → preview → save → the next identical event stores no
/// alert, and the exception's counter moves.
#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_silences_a_false_positive_from_its_alert() {
    if skipped() {
        return;
    }
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "rotation").await;
    // Two writes to /etc/shadow: two alerts of the account-files rule.
    agent.send(&collector, 1, 2, 1, Duration::ZERO).await;
    let agent_id = agent.id().to_string();
    let alerts = || {
        let (stack, id) = (&stack, agent_id.clone());
        async move {
            stack
                .count(&format!(
                    "SELECT count() FROM alerts WHERE agent_id = '{id}' AND rule_id = '{ACCOUNT_FILES_RULE}'"
                ))
                .await
        }
    };
    vigie_tests::wait_for("the alerts", Duration::from_secs(30), || async {
        (alerts().await == 2).then_some(())
    })
    .await;
    let alert_id: String = stack
        .client
        .query("SELECT alert_id FROM alerts WHERE rule_id = ? LIMIT 1")
        .bind(ACCOUNT_FILES_RULE)
        .fetch_one()
        .await
        .unwrap();
    let (_dashboard, browser, base) = signed_in(&stack).await;

    // From the alert, the form comes prefilled; the preview counts both alerts.
    browser.go(&format!("{base}/alerts/{alert_id}"));
    browser.click("#new-exception");
    browser.wait_for_url("the exception form", |u| u.contains("/exceptions/new"));
    let form = browser.source();
    assert!(
        form.contains("/etc/shadow") && form.contains("sim-"),
        "{form}"
    );
    browser.type_into(
        "textarea[name=reason]",
        "nightly password rotation on this host",
    );
    browser.click("button[value=preview]");
    let preview = browser.wait_for_text("#preview", "Would have held back");
    assert!(preview.contains("2 of the 2"), "{preview}");
    browser.screenshot(&shots().join("5-exception-preview.png"));
    browser.click("button[value=save]");
    browser.wait_for_url("the exceptions list", |u| u.contains("/exceptions?saved"));
    let listed = browser.wait_for_text("#exceptions", "nightly password rotation");
    assert!(listed.contains("/etc/shadow"), "{listed}");

    // The next identical event is stored without an alert; the counter moves.
    tokio::time::sleep(Duration::from_secs(7)).await;
    agent.send(&collector, 1, 1, 1, Duration::ZERO).await;
    vigie_tests::wait_for("the held-back count", Duration::from_secs(30), || async {
        browser.go(&format!("{base}/exceptions"));
        browser.text("td.held").starts_with('1').then_some(())
    })
    .await;
    browser.screenshot(&shots().join("6-exception-held.png"));
    assert_eq!(alerts().await, 2, "no alert for the held-back event");
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM events WHERE agent_id = '{agent_id}'"
            ))
            .await,
        3,
        "the event itself is stored"
    );
    assert_eq!(browser.dialog(), None);
}

/// The pack's rule on changes to the account files (`fim_account_files.yml`).
const ACCOUNT_FILES_RULE: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";

/// Issue #15: every alert matching a filter, on every page, after the count is
/// confirmed; a grouped line then shows its mix of statuses.
#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_closes_a_storm_of_a_thousand_alerts_at_once() {
    if skipped() {
        return;
    }
    let stack = Stack::start("").await;
    let now = vigie_model::event::now_ms();
    // 1,000 low alerts about one file (a noisy deployment) and one critical among them.
    let mut rows: Vec<AlertRow> = (0..1_000)
        .map(|i| {
            alert(
                &format!("s{i}"),
                now - 1_000 - i,
                "/var/www/html/cache.php",
                "low",
            )
        })
        .collect();
    rows.push(alert(
        "k1",
        now - 500,
        "/var/www/html/cache.php",
        "critical",
    ));
    vigie_store::insert_rows(&stack.client, "alerts", &rows)
        .await
        .unwrap();
    let (_dashboard, browser, base) = signed_in(&stack).await;

    // Low alerts, ungrouped: twenty pages of fifty; the action goes to all of them.
    browser.go(&format!("{base}/alerts?severity=low&group=0"));
    let scope = browser.text("fieldset.scope");
    assert!(
        scope.contains("all 1000 alerts matching this filter"),
        "{scope}"
    );
    browser.click("input[name=scope][value=filter]");
    browser.click("select[name=action] option[value=status]");
    browser.click("select[name=status] option[value=false_positive]");
    browser.type_into("input[name=comment]", "cache rebuild by the deployment job");
    browser.click("fieldset.triage button[type=submit]");
    let confirm = browser.wait_for_text("main", "Confirm");
    assert!(confirm.contains("1000 alerts"), "{confirm}");
    browser.screenshot(&shots().join("7-bulk-confirm.png"));
    browser.click("#bulk-confirm");
    browser.wait_for_text("main", "Recorded (alerts: 1000)");
    assert_eq!(
        stack
            .count("SELECT uniqExact(alert_id) FROM alert_actions WHERE status = 'false_positive'")
            .await,
        1_000
    );
    assert_eq!(
        stack
            .count("SELECT count() FROM alert_actions WHERE alert_id = 'k1'")
            .await,
        0,
        "the critical alert was not in the filter"
    );

    // Grouped, the line of the file says how many alerts are in which status.
    browser.go(&format!("{base}/alerts"));
    let mix = browser.wait_for_text(".mix", "false positive");
    assert!(mix.contains("1000") && mix.contains("1 new"), "{mix}");
    browser.screenshot(&shots().join("8-grouped-mix.png"));
    assert_eq!(browser.dialog(), None);
}

/// Issue #15: the rules page in a browser — an admin finds the account-files rule,
/// gives its alerts another severity with a reason, and the page says so.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sets_a_rules_severity_from_the_rules_page() {
    if skipped() {
        return;
    }
    let stack = Stack::start("").await;
    // The collector publishes its rules when it starts; wait for the catalogue.
    vigie_tests::wait_for("the rule catalogue", Duration::from_secs(30), || async {
        (stack.count("SELECT count() FROM rules").await > 0).then_some(())
    })
    .await;
    let (_dashboard, browser, base) = signed_in(&stack).await;
    browser.go(&format!("{base}/rules"));
    let listed = browser.wait_for_text("#rules", "Account database changed");
    assert!(
        listed.contains("Vigie pack") && listed.contains("built-in"),
        "{listed}"
    );
    let row = format!("tr[data-rule-id=\"{ACCOUNT_FILES_RULE}\"]");
    browser.click(&format!("{row} details.rule-change summary"));
    browser.click(&format!(
        "{row} select[name=severity] option[value=critical]"
    ));
    browser.type_into(
        &format!("{row} input[name=reason]"),
        "crown jewels on these hosts",
    );
    browser.click(&format!("{row} button[type=submit]"));
    browser.wait_for_url("the saved rules page", |u| u.contains("/rules?saved="));
    let after = browser.wait_for_text(&row, "crown jewels");
    assert!(after.contains("critical"), "{after}");
    browser.screenshot(&shots().join("9-rule-severity.png"));
    assert_eq!(
        stack
            .count(&format!(
                "SELECT count() FROM rule_settings WHERE rule_id = '{ACCOUNT_FILES_RULE}' AND severity = 'critical'"
            ))
            .await,
        1
    );
    assert_eq!(browser.dialog(), None);
}

/// Issue #16: an incident opened from an alert's line, a hunt's results kept in it as
/// evidence, then closed — all through the pages.
#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_opens_an_incident_keeps_evidence_and_closes_it() {
    if skipped() {
        return;
    }
    let stack = Stack::start("").await;
    let collector = stack.agent_client();
    let mut agent = stack.sim_agent(&collector, "intrusion").await;
    // Three writes to /etc/shadow: one line of three alerts of the account-files rule.
    agent.send(&collector, 1, 3, 1, Duration::ZERO).await;
    vigie_tests::wait_for("the alerts", Duration::from_secs(30), || async {
        let n = stack
            .count(&format!(
                "SELECT count() FROM alerts WHERE rule_id = '{ACCOUNT_FILES_RULE}'"
            ))
            .await;
        (n == 3).then_some(())
    })
    .await;
    let (alert_id, host): (String, String) = stack
        .client
        .query("SELECT alert_id, hostname FROM alerts WHERE rule_id = ? LIMIT 1")
        .bind(ACCOUNT_FILES_RULE)
        .fetch_one()
        .await
        .unwrap();
    let (dashboard, browser, base) = signed_in(&stack).await;

    browser.go(&format!("{base}/alerts/{alert_id}"));
    browser.type_into(
        "#alert-incident input[name=title]",
        "Accounts added on a web server",
    );
    browser.click("#alert-incident form button");
    let url = browser.wait_for_url("the incident", |u| u.contains("/incidents/INC-"));
    let incident = url.rsplit('/').next().unwrap().to_string();
    let alerts = browser.text("#incident-alerts");
    assert_eq!(alerts.matches(&host).count(), 3, "{alerts}");

    browser.go(&format!("{base}/hunt?category=file_event&host={host}"));
    browser.click("#keep-hunt button");
    browser.wait_for_url("back on the incident", |u| u.contains("saved=1"));
    let evidence = browser.text("#incident-evidence");
    assert!(evidence.contains("hunt results"), "{evidence}");

    browser.go(&format!("{base}/incidents/{incident}"));
    browser.click("#incident-change summary");
    browser.click("#incident-change select[name=status] option[value=closed]");
    browser.click("#incident-change button[type=submit]");
    browser.wait_for_text("#incident-status", "closed");
    let history = browser.text("#incident-history");
    assert!(
        history.contains("opened the incident") && history.contains("kept evidence"),
        "{history}"
    );
    browser.screenshot(&shots().join("10-incident.png"));
    assert!(url.ends_with(&incident));

    // Its report, in French and in English, from the incident's page: signed, about
    // this incident.
    for (lang, title) in [("fr", "Rapport d'incident"), ("en", "Incident report")] {
        browser.go(&format!("{base}/incidents/{incident}"));
        browser.click(&format!(
            "#incident-report select[name=report_lang] option[value={lang}]"
        ));
        browser.click("#incident-report button[type=submit]");
        let made = browser.wait_for_url("the report made", |u| u.contains("made="));
        let id = made.rsplit("made=").next().unwrap().to_string();
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("incident.pdf");
        let cookie = dashboard.session.as_str();
        std::fs::write(
            &pdf,
            vigie_tests::download(dashboard.port, &format!("/reports/{id}/file"), cookie),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("incident.pdf.sig"),
            vigie_tests::download(dashboard.port, &format!("/reports/{id}/sig"), cookie),
        )
        .unwrap();
        let verified = std::process::Command::new(vigie_tests::bin("vigie"))
            .args(["report", "verify", pdf.to_str().unwrap()])
            .env("VIGIE_DATA_DIR", stack.path(""))
            .env("VIGIE_DASHBOARD_CONFIG", stack.path("none.toml"))
            .output()
            .unwrap();
        assert_eq!(verified.status.code(), Some(0), "{lang}");
        let text = vigie_tests::pdf_text(&pdf);
        for needle in [
            title,
            incident.as_str(),
            "Accounts added on a web server",
            &host,
        ] {
            assert!(
                text.contains(needle),
                "{lang}: {needle:?} missing from:\n{text}"
            );
        }
    }
    assert_eq!(browser.dialog(), None);
}
