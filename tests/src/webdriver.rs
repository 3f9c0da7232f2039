//! A small WebDriver client, enough to drive Debian's Chromium through `chromedriver` in
//! tests: open pages, find elements, type, click, read, screenshot. It speaks the W3C
//! protocol's JSON over the tests' HTTP client (hyper). Written here rather than taken
//! from fantoccini, which was weighed: it brings the `webdriver` crate (MPL-2.0, with
//! ICU) and its own HTTP stack for the half-dozen commands these tests use.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::{free_port, Process};

/// The key WebDriver names element references with.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session.
pub struct Browser {
    _driver: Process,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

/// True when `chromedriver` and `chromium` are installed (the test command installs them).
pub fn available() -> bool {
    ["chromedriver", "chromium"].iter().all(|b| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(b).is_file()))
    })
}

impl Browser {
    /// Starts `chromedriver` and a headless Chromium; its log goes to `log`.
    pub async fn start(log: &Path) -> Browser {
        let port = free_port();
        let driver = Process::spawn(
            "chromedriver",
            Path::new("chromedriver"),
            &[&format!("--port={port}")],
            &[],
            log,
        );
        let profile = tempfile::tempdir().expect("profile dir");
        crate::wait_for("chromedriver", Duration::from_secs(30), || async {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .ok()
                .map(|_| ())
        })
        .await;
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--no-first-run", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let answer = call(port, "POST", "/session", Some(&capabilities));
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {answer}"))
            .to_string();
        Browser {
            _driver: driver,
            port,
            session,
            _profile: profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        call(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )
    }

    /// Opens `url` and waits for it to load.
    pub fn go(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    /// The element matching CSS `selector`; panics with the page if none does.
    pub fn find(&self, selector: &str) -> String {
        let answer = self.command(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": selector})),
        );
        match answer["value"][ELEMENT].as_str() {
            Some(id) => id.to_string(),
            None => panic!("no element {selector:?}: {answer}\npage: {}", self.source()),
        }
    }

    /// Types `text` into the element matching `selector`.
    pub fn type_into(&self, selector: &str, text: &str) {
        let id = self.find(selector);
        self.command(
            "POST",
            &format!("/element/{id}/value"),
            Some(&json!({ "text": text })),
        );
    }

    /// Clicks the element matching `selector`.
    pub fn click(&self, selector: &str) {
        let id = self.find(selector);
        self.command("POST", &format!("/element/{id}/click"), Some(&json!({})));
    }

    /// The page's HTML as the browser holds it now.
    pub fn source(&self) -> String {
        self.command("GET", "/source", None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.command("GET", "/url", None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (up to 15 s) until the current URL satisfies `check`, as a click's
    /// navigation completes after the click returns; panics naming `what` otherwise.
    pub fn wait_for_url(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let url = self.url();
            if check(&url) {
                return url;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {what}; at {url}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to 15 s) until the text of `selector` holds `needle`; returns the text.
    pub fn wait_for_text(&self, selector: &str, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let answer = self.command(
                "POST",
                "/element",
                Some(&json!({"using": "css selector", "value": selector})),
            );
            if let Some(id) = answer["value"][ELEMENT].as_str() {
                let text = self.command("GET", &format!("/element/{id}/text"), None)["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if text.contains(needle) {
                    return text;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "waited for {needle:?} in {selector}: {text}"
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "waited for {selector}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The visible text of the element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        let id = self.find(selector);
        self.command("GET", &format!("/element/{id}/text"), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The text of an open JavaScript dialog (`alert(…)`), if one is open.
    pub fn dialog(&self) -> Option<String> {
        self.command("GET", "/alert/text", None)["value"]
            .as_str()
            .map(str::to_string)
    }

    /// Saves a PNG screenshot to `path`.
    pub fn screenshot(&self, path: &Path) {
        let answer = self.command("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(answer["value"].as_str().expect("screenshot data"))
            .expect("base64 PNG");
        std::fs::create_dir_all(path.parent().expect("folder")).expect("screenshot folder");
        std::fs::write(path, png).expect("screenshot written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        call(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

/// One WebDriver command (page loads may take long on a busy machine: two minutes).
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let answer = crate::http_within(
        port,
        method,
        path,
        &[("Content-Type", "application/json")],
        &body,
        Duration::from_secs(120),
    );
    serde_json::from_str(&answer.body).unwrap_or(Value::Null)
}
