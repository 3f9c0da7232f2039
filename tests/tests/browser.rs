//! A real headless Chromium (Debian's, driven through chromedriver) does what an analyst
//! does: signs in, finds the alert, opens it, triages it, switches to French. A hostile
//! file name never runs as script. Screenshots go to `target/test-output/browser/`.
//!
//! The test command installs Chromium and sets `VIGIE_BROWSER_TESTS=1`; without a
//! browser and without that variable the test says it was skipped.

use std::path::PathBuf;

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
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_signs_in_finds_triages_and_reads_in_french() {
    if !webdriver::available() {
        assert!(
            std::env::var_os("VIGIE_BROWSER_TESTS").is_none(),
            "VIGIE_BROWSER_TESTS is set but chromium or chromedriver is missing"
        );
        eprintln!("skipped: no chromium/chromedriver (scripts/test.sh installs them)");
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
