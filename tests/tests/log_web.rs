//! A real nginx (Debian's package), started by the test with its access log in a file,
//! and a client in another network namespace (joined by veth, made by the test) that
//! sends ordinary requests, then a path traversal, a command injection, a scanner's
//! user agent and a request to a script just dropped under the web root: the agent reads
//! the access log as `webserver` events and the collector raises the four web alerts,
//! each naming the client's address and the request; ordinary requests raise nothing,
//! and the page that does not exist is read from nginx's error log with its client.
//! Needs root, iproute2, nginx and python3, as CI has.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use vigie_tests::peer::Peer;
use vigie_tests::{wait_for, Stack};

const PATH_TRAVERSAL: &str = "40151b14-786a-4548-bb68-79c124d2122c";
const COMMAND_INJECTION: &str = "71891408-ae3c-4d3e-85d6-004286e7ed7e";
const SCANNER: &str = "512a173a-d1c8-4369-9cff-b4ff95551055";
const FRESH_SCRIPT: &str = "f6bd138f-50d5-42a6-aa95-23d76b98434e";

/// nginx in the foreground with everything under `dir`, killed on drop.
struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, listen: &str, port: u16) -> Nginx {
        assert!(
            Path::new("/usr/sbin/nginx").exists(),
            "nginx is needed (scripts/test.sh installs it)"
        );
        std::fs::create_dir_all(dir.join("www")).unwrap();
        std::fs::write(dir.join("www/index.html"), "<p>Ministère</p>\n").unwrap();
        let d = dir.display();
        let config = format!(
            // Workers as root: the test's folder is private to root.
            "user root root;\nworker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  \
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             server {{ listen {listen}:{port}; root {d}/www; }}\n}}\n"
        );
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config).unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .args(["-c", conf.to_str().unwrap(), "-p", dir.to_str().unwrap()])
            .spawn()
            .expect("nginx starts");
        Nginx(child)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        // The workers follow their master.
        let _ = Command::new("pkill")
            .args(["-f", "nginx: worker process"])
            .status();
    }
}

/// Sends `GET path` with `agent` from `peer`, the path exactly as given.
fn get(peer: &Peer, port: u16, path: &str, agent: &str) {
    let script = format!(
        "import http.client\nc = http.client.HTTPConnection({:?}, {port}, timeout=10)\n\
         c.putrequest('GET', {path:?}, skip_accept_encoding=True)\n\
         c.putheader('User-Agent', {agent:?})\nc.endheaders()\nc.getresponse().read()\n",
        peer.host_ip
    );
    assert!(peer.run("python3", &["-c", &script]), "GET {path}");
}

#[tokio::test(flavor = "multi_thread")]
async fn attacks_in_an_access_log_raise_web_alerts_with_the_client_address() {
    let stack = Stack::start("").await;
    let site = stack.path("nginx");
    std::fs::create_dir_all(&site).unwrap();
    let _agent = stack
        .start_log_agent(&format!(
            "poll_ms = 50\nweb_roots = [\"{}/www\"]\n\n[[logs.files]]\npath = \"{}/*access.log\"\n\n\
             [[logs.files]]\npath = \"{}/error.log\"\n",
            site.display(),
            site.display(),
            site.display()
        ))
        .await;

    let client = Peer::new(235);
    let port = 8000 + (std::process::id() % 1000) as u16;
    let _nginx = Nginx::start(&site, &client.host_ip, port);
    wait_for("nginx listens", Duration::from_secs(20), || async {
        std::net::TcpStream::connect((client.host_ip.as_str(), port))
            .ok()
            .map(|_| ())
    })
    .await;

    let browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    for path in ["/", "/index.html?lang=fr", "/services/impots?page=2"] {
        get(&client, port, path, browser);
    }
    get(
        &client,
        port,
        "/download.php?file=../../../../etc/passwd",
        browser,
    );
    get(
        &client,
        port,
        "/cgi-bin/ping.cgi?host=127.0.0.1;id",
        browser,
    );
    get(
        &client,
        port,
        "/",
        "sqlmap/1.7.2#stable (https://sqlmap.org)",
    );
    // A script dropped under the web root (an upload), then asked for.
    std::fs::create_dir_all(site.join("www/uploads")).unwrap();
    std::fs::write(
        site.join("www/uploads/img.php"),
        "<?php system($_GET['c']); ?>",
    )
    .unwrap();
    get(&client, port, "/uploads/img.php?c=ls", browser);

    for (rule, what, needle) in [
        (PATH_TRAVERSAL, "path traversal", "etc/passwd"),
        (COMMAND_INJECTION, "command injection", ";id"),
        (SCANNER, "scanner", "sqlmap"),
        (FRESH_SCRIPT, "fresh script", "img.php"),
    ] {
        let sql = format!(
            "SELECT count() FROM alerts WHERE rule_id = '{rule}' AND events LIKE '%{}%' AND events LIKE '%{needle}%'",
            client.peer_ip
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while stack.count(&sql).await != 1 {
            if std::time::Instant::now() > deadline {
                let events: Vec<String> = stack
                    .client
                    .query("SELECT visitParamExtractString(fields, 'cs-uri') FROM events WHERE category = 'webserver'")
                    .fetch_all()
                    .await
                    .unwrap();
                let logs: String = ["agent.log", "nginx/access.log", "nginx/error.log"]
                    .iter()
                    .map(|f| std::fs::read_to_string(stack.path(f)).unwrap_or_default())
                    .collect();
                panic!("no {what} alert; the events: {events:#?}\n{logs}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // Every request is an event, with its status; the ordinary ones alert on nothing.
    let requests = format!(
        "SELECT count() FROM events WHERE category = 'webserver' \
         AND visitParamExtractString(fields, 'c-ip') = '{}' \
         AND visitParamExtractString(fields, 'service') = 'nginx'",
        client.peer_ip
    );
    assert_eq!(stack.count(&requests).await, 7);
    let alerts = "SELECT count() FROM alerts WHERE events LIKE '%webserver%'";
    assert_eq!(stack.count(alerts).await, 4, "only the four attacks alert");
    // The page that does not exist is in nginx's error log too, with its client.
    let missing = format!(
        "SELECT count() FROM events WHERE category = 'log' \
         AND visitParamExtractString(fields, 'service') = 'nginx' \
         AND visitParamExtractString(fields, 'LogLevel') = 'error' \
         AND visitParamExtractString(fields, 'c-ip') = '{}' \
         AND visitParamExtractString(fields, 'cs-uri-stem') = '/services/impots'",
        client.peer_ip
    );
    wait_for("the error log line", Duration::from_secs(20), || async {
        (stack.count(&missing).await == 1).then_some(())
    })
    .await;
}
