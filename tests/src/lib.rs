//! Helpers for Vigie's cross-component tests: a throwaway ClickHouse, the real
//! `vigie-collector`, `vigie-dashboard` and `vigie-agent` binaries as child processes, and
//! polling helpers. The binaries must be built first (`cargo build --bins`; the test
//! command in the README does it).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vigie_store::managed::{Component, ManagedClickHouse};

pub mod peer;
pub mod print_agent;
pub mod sim;
pub mod webdriver;

/// Path of a workspace binary in the target folder the tests were built into.
pub fn bin(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join("debug").join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --bins` before the tests",
        path.display()
    );
    path
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process killed when dropped.
pub struct Process {
    child: Option<Child>,
    /// What it is, for messages.
    pub name: String,
}

impl Process {
    /// Starts `program` with `args`, logging to `log`.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[&str],
        envs: &[(&str, &str)],
        log: &Path,
    ) -> Process {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(program)
            .args(args)
            // The test's own settings only, never the caller's.
            .env_remove("VIGIE_WATCH")
            .env_remove("VIGIE_DATA_DIR")
            // Messages in English unless a test asks otherwise, whatever the machine's.
            .env("VIGIE_LANG", "en")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
        Process {
            child: Some(child),
            name: name.to_string(),
        }
    }

    /// Sends `signal` and waits for the process to end.
    pub fn stop_with(&mut self, signal: i32) {
        if let Some(mut child) = self.child.take() {
            // Our own child, not yet reaped: the pid cannot name another process.
            send_signal(child.id(), signal);
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait: a clean stop.
    pub fn stop(&mut self) {
        self.stop_with(libc::SIGTERM);
    }

    /// SIGKILL: a crash.
    pub fn kill(&mut self) {
        self.stop_with(libc::SIGKILL);
    }

    /// Its pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// True while the process runs.
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `check` every 200 ms until it returns `Some`, or panics after `timeout` saying
/// what was awaited.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `log` contains `needle`.
pub async fn wait_for_log(log: &Path, needle: &str, timeout: Duration) {
    wait_for(
        &format!("{needle:?} in {}", log.display()),
        timeout,
        || async {
            std::fs::read_to_string(log)
                .ok()
                .filter(|t| t.contains(needle))
                .map(|_| ())
        },
    )
    .await
}

/// A whole Vigie for one test: ClickHouse, collector, and helpers to run agents.
pub struct Stack {
    /// Scratch folder of this test.
    pub dir: tempfile::TempDir,
    /// The throwaway ClickHouse.
    pub clickhouse: ManagedClickHouse,
    /// Client for Vigie's database.
    pub client: vigie_store::Client,
    /// Collector process (if running).
    pub collector: Option<Process>,
    /// Collector HTTPS port.
    pub collector_port: u16,
    /// CA certificate agents trust.
    pub ca: PathBuf,
    /// Extra lines for the collector's config.
    pub collector_extra: String,
    /// Address the collector listens on (`127.0.0.1` unless the test needs more).
    pub collector_host: String,
}

impl Stack {
    /// Starts ClickHouse, migrates, makes the PKI, and starts the collector.
    pub async fn start(collector_extra: &str) -> Stack {
        Stack::start_listening(collector_extra, "127.0.0.1", &[]).await
    }

    /// Like [`Stack::start`], the collector listening on `host` with a certificate also
    /// valid for `names` (addresses agents in other network namespaces use).
    pub async fn start_listening(collector_extra: &str, host: &str, names: &[String]) -> Stack {
        let dir = tempfile::tempdir().expect("temp dir");
        let ch_dir = dir.path().join("clickhouse");
        let clickhouse = tokio::task::block_in_place(|| ManagedClickHouse::start(&ch_dir))
            .expect("ClickHouse starts");
        let endpoint = clickhouse.endpoint(Component::Collector);
        vigie_store::schema::migrate(&endpoint)
            .await
            .expect("migrate");
        let client = vigie_store::connect(&endpoint);
        let mut all_names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        all_names.extend(names.iter().cloned());
        let pki = vigie_collector::pki::ensure(&dir.path().join("pki"), &all_names).expect("PKI");
        let mut stack = Stack {
            collector: None,
            collector_port: free_port(),
            ca: pki.ca_cert.clone(),
            collector_extra: collector_extra.to_string(),
            collector_host: host.to_string(),
            dir,
            clickhouse,
            client,
        };
        stack.start_collector().await;
        stack
    }

    /// The configuration lines that point a daemon at this stack's ClickHouse as
    /// `component` (URL, user, password file) and at its audit anchor.
    pub fn clickhouse_settings(&self, component: Component) -> String {
        format!(
            "clickhouse_url = \"{}\"\nclickhouse_user = \"{}\"\nclickhouse_password_file = \"{}\"\naudit_dir = \"{}\"\n",
            self.clickhouse.url(),
            component.user(),
            self.clickhouse.password_file(component).display(),
            self.path("audit").display()
        )
    }

    /// The variables that point the command line at this stack: its ClickHouse, and
    /// its data folder (where the audit anchor is).
    pub fn cli_env(&self) -> [(&'static str, String); 4] {
        [
            ("VIGIE_DATA_DIR", self.dir.path().display().to_string()),
            ("VIGIE_CLICKHOUSE_URL", self.clickhouse.url()),
            ("VIGIE_CLICKHOUSE_USER", Component::Cli.user().to_string()),
            (
                "VIGIE_CLICKHOUSE_PASSWORD_FILE",
                self.clickhouse
                    .password_file(Component::Cli)
                    .display()
                    .to_string(),
            ),
        ]
    }

    /// Path inside the scratch folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The collector's base URL.
    pub fn collector_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.collector_port)
    }

    /// Starts (or restarts) the collector and waits until it listens.
    pub async fn start_collector(&mut self) {
        let config = self.path("collector.toml");
        let pki = self.path("pki");
        std::fs::write(
            &config,
            format!(
                "listen = \"{}:{}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\n{}{}\n",
                self.collector_host,
                self.collector_port,
                pki.join("collector.pem").display(),
                pki.join("collector-key.pem").display(),
                self.clickhouse_settings(Component::Collector),
                self.collector_extra
            ),
        )
        .expect("collector config");
        let log = self.path("collector.log");
        let before = std::fs::read_to_string(&log)
            .map(|t| t.matches("collector listening").count())
            .unwrap_or(0);
        self.collector = Some(Process::spawn(
            "collector",
            &bin("vigie-collector"),
            &["--config", config.to_str().expect("utf-8 path")],
            &[("VIGIE_LOG", "info,vigie_collector=debug")],
            &log,
        ));
        wait_for("collector to listen", Duration::from_secs(60), || async {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            (text.matches("collector listening").count() > before).then_some(())
        })
        .await;
    }

    /// Stops the collector cleanly.
    pub fn stop_collector(&mut self) {
        if let Some(mut c) = self.collector.take() {
            c.stop();
        }
    }

    /// A client of the collector trusting the stack's CA, as an agent makes one.
    pub fn agent_client(&self) -> vigie_agent::client::CollectorClient {
        vigie_agent::client::CollectorClient::new(&self.collector_url(), &self.ca)
            .expect("collector client")
    }

    /// Enrolls an agent named `hostname` with a fresh token; its identity is kept in
    /// `<hostname>.json` in the scratch folder.
    pub async fn enroll(
        &self,
        client: &vigie_agent::client::CollectorClient,
        hostname: &str,
    ) -> vigie_agent::identity::Identity {
        let path = self.path(&format!("{hostname}.json"));
        vigie_agent::enroll::register(client, &self.token().await, hostname, &path)
            .await
            .expect("enrollment")
    }

    /// Makes an enrollment token for one agent.
    pub async fn token(&self) -> String {
        vigie_store::enrollment::create(&self.client, Duration::from_secs(3600), 1, "test")
            .await
            .expect("token")
            .secret
    }

    /// Writes an agent config watching `watch` and returns its path. `top` holds extra
    /// top-level keys, `extra` extra TOML sections. The process, network, log and
    /// reads sensors are off unless `extra` sets their section: these agents are about
    /// files and transport, and the machine's other activity would only add noise.
    pub async fn agent_config(&self, name: &str, watch: &Path, top: &str, extra: &str) -> PathBuf {
        let data = self.path(&format!("{name}-data"));
        let config = self.path(&format!("{name}.toml"));
        let off = |section: &str, when_absent: &str| {
            if extra.contains(section) {
                String::new()
            } else {
                format!("{section}\nenabled = false\n{when_absent}\n")
            }
        };
        let extra = format!(
            "{}{}{}{}{extra}",
            off("[logs]", ""),
            off("[reads]", ""),
            off("[process]", "listeners = false\n"),
            off("[network]", ""),
        );
        let text = format!(
            "data_dir = \"{}\"\n{top}\n\n[collector]\nurl = \"{}\"\nca_file = \"{}\"\nenrollment_token = \"{}\"\n\n\
             [fim]\nrescan_interval_secs = 3600\nsettle_ms = 50\n\n[[fim.paths]]\npath = \"{}\"\nseverity = \"high\"\n\n{extra}\n",
            data.display(),
            self.collector_url(),
            self.ca.display(),
            self.token().await,
            watch.display(),
        );
        std::fs::write(&config, text).expect("agent config");
        config
    }

    /// Starts agent `agent` reading logs as `logs` says (the body of its `[logs]`
    /// section, `[[logs.files]]` included), batches sealed every 50 ms, and waits for
    /// its first look at the logs (the positions are saved after it): a line appended
    /// from then on is new. Returns its configuration file, to start it again.
    pub async fn start_log_agent(&self, logs: &str) -> (PathBuf, Process) {
        let watched = self.path("agent-watched");
        std::fs::create_dir_all(&watched).expect("watched folder");
        let extra = format!("[batch]\nflush_ms = 50\n\n[logs]\n{logs}\n");
        let config = self.agent_config("agent", &watched, "", &extra).await;
        let agent = self.start_agent("agent", &config).await;
        let positions = self.path("agent-data/log-positions.json");
        wait_for(
            "the agent's first look at the logs",
            Duration::from_secs(30),
            || async { positions.exists().then_some(()) },
        )
        .await;
        (config, agent)
    }

    /// Starts an agent with `config`, logging to `<name>.log`, and waits for its baseline.
    pub async fn start_agent(&self, name: &str, config: &Path) -> Process {
        let log = self.path(&format!("{name}.log"));
        let before = std::fs::read_to_string(&log)
            .map(|t| t.matches("file baseline ready").count())
            .unwrap_or(0);
        let process = Process::spawn(
            name,
            &bin("vigie-agent"),
            &["--config", config.to_str().expect("utf-8 path")],
            &[("VIGIE_LOG", "info")],
            &log,
        );
        wait_for(
            &format!("{name} baseline"),
            Duration::from_secs(60),
            || async {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                (text.matches("file baseline ready").count() > before).then_some(())
            },
        )
        .await;
        process
    }

    /// Runs a `SELECT count()`-like query returning one number.
    pub async fn count(&self, sql: &str) -> u64 {
        self.client.query(sql).fetch_one::<u64>().await.expect(sql)
    }
}

/// A plain HTTP/1.1 exchange (one request per connection), for the dashboard.
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Raw header lines.
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
}

impl HttpResponse {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Values of `Set-Cookie` as `name=value`.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next().map(str::to_string))
            .collect()
    }
}

/// Sends one request to `port` on 127.0.0.1 and reads the whole answer (30 s at most).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    http_within(port, method, path, headers, body, Duration::from_secs(30))
}

/// The JSON body of an answer (panics, showing the answer, when it is not JSON).
pub fn json_of(r: &HttpResponse) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {} {}", r.status, r.body))
}

/// `fields` as an `application/x-www-form-urlencoded` body.
pub fn form_body<V: AsRef<str>>(fields: &[(&str, V)]) -> String {
    serde_urlencoded::to_string(
        fields
            .iter()
            .map(|(k, v)| (*k, v.as_ref()))
            .collect::<Vec<_>>(),
    )
    .expect("text fields encode")
}

/// Posts a form as the session `cookie`.
pub fn post_form<V: AsRef<str>>(
    port: u16,
    path: &str,
    cookie: &str,
    fields: &[(&str, V)],
) -> HttpResponse {
    http(
        port,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &form_body(fields),
    )
}

/// Posts JSON to the API as the session `cookie`, with its CSRF token.
pub fn post_json(
    port: u16,
    path: &str,
    cookie: &str,
    csrf: &str,
    body: &serde_json::Value,
) -> HttpResponse {
    http(
        port,
        "POST",
        path,
        &[
            ("Cookie", cookie),
            ("X-CSRF-Token", csrf),
            ("Content-Type", "application/json"),
        ],
        &body.to_string(),
    )
}

/// [`http`] with its own time limit.
pub fn http_within(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    limit: Duration,
) -> HttpResponse {
    request(None, port, method, path, headers, body, limit)
}

/// [`http`] from another loopback address (`127.0.0.2`…), as a second client machine.
pub fn http_from(
    source: std::net::IpAddr,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    request(
        Some(source),
        port,
        method,
        path,
        headers,
        body,
        Duration::from_secs(30),
    )
}

/// Runs hyper on a thread of its own, so tests call it the same way from sync and async
/// code.
fn request(
    source: Option<std::net::IpAddr>,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    limit: Duration,
) -> HttpResponse {
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .expect("a valid request");
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(async move {
                    use http_body_util::BodyExt;
                    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
                    connector.set_local_address(source);
                    let client = hyper_util::client::legacy::Client::builder(
                        hyper_util::rt::TokioExecutor::new(),
                    )
                    .build(connector);
                    let response = tokio::time::timeout(limit, client.request(request))
                        .await
                        .expect("an answer in time")
                        .expect("the server answers");
                    let status = response.status().as_u16();
                    let headers = response
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    let bytes = tokio::time::timeout(limit, response.into_body().collect())
                        .await
                        .expect("the whole body in time")
                        .expect("a readable body")
                        .to_bytes();
                    HttpResponse {
                        status,
                        headers,
                        body: String::from_utf8_lossy(&bytes).into_owned(),
                    }
                })
            })
            .join()
            .expect("the request thread does not panic")
    })
}

/// One sign-in attempt on the dashboard on `port` from `source` (a loopback address),
/// with a fresh login form and its CSRF cookie. When the form itself is refused (a
/// source shut out), that answer is returned.
pub fn sign_in_attempt(
    source: std::net::IpAddr,
    port: u16,
    username: &str,
    password: &str,
) -> HttpResponse {
    let form = http_from(source, port, "GET", "/login", &[], "");
    let Some(cookie) = form
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("vigie_login_csrf="))
    else {
        return form;
    };
    let csrf = cookie.split_once('=').expect("cookie").1.to_string();
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf", csrf.as_str()),
    ])
    .expect("a form");
    http_from(
        source,
        port,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie),
        ],
        &body,
    )
}

/// Signs in to the dashboard on `port` through its login form; returns the session
/// cookie (`name=value`).
pub fn sign_in(port: u16, username: &str, password: &str) -> String {
    let response = sign_in_attempt([127, 0, 0, 1].into(), port, username, password);
    assert_eq!(response.status, 303, "login: {}", response.body);
    response
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("vigie_session="))
        .expect("session cookie")
}

/// The CSRF token of the first form in `html`.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    html[at + 19..].split('"').next().unwrap().to_string()
}

/// A TLS client trusting the certificate authority at `ca` (the collector's).
pub fn tls_connector(ca: &Path) -> tokio_rustls::TlsConnector {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca).expect("the CA file") {
        roots
            .add(cert.expect("a certificate"))
            .expect("a usable CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
}

/// A TLS connection to 127.0.0.1:`port` made from `source` (another loopback address,
/// to stand for another machine).
pub async fn connect_tls_from(
    source: &str,
    port: u16,
    connector: &tokio_rustls::TlsConnector,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{source}:0").parse().expect("an address"))?;
    let tcp = socket
        .connect(format!("127.0.0.1:{port}").parse().expect("an address"))
        .await?;
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1")
        .expect("a name")
        .to_owned();
    connector.connect(name, tcp).await
}

/// A running dashboard signed in as admin.
pub struct Dashboard {
    /// The process.
    pub process: Process,
    /// Its port.
    pub port: u16,
    /// Session cookie (`name=value`).
    pub session: String,
}

impl Dashboard {
    /// Creates account `name` with `role` (as the admin, password `long-password-1`) and
    /// signs it in: its session cookie and CSRF token.
    pub fn user(&self, name: &str, role: &str) -> (String, String) {
        let admin_csrf = csrf_of(
            &http(
                self.port,
                "GET",
                "/alerts",
                &[("Cookie", &self.session)],
                "",
            )
            .body,
        );
        let r = post_json(
            self.port,
            "/api/v1/users",
            &self.session,
            &admin_csrf,
            &serde_json::json!({"username": name, "role": role, "password": "long-password-1"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let session = sign_in(self.port, name, "long-password-1");
        let csrf = csrf_of(&http(self.port, "GET", "/alerts", &[("Cookie", &session)], "").body);
        (session, csrf)
    }
}

impl Stack {
    /// Enrolls a simulated agent `name` with a fresh token (identity in `name.json`).
    pub async fn sim_agent(
        &self,
        collector: &vigie_agent::client::CollectorClient,
        name: &str,
    ) -> sim::SimAgent {
        sim::SimAgent::enroll(
            collector,
            &self.token().await,
            name,
            &self.path(&format!("{name}.json")),
        )
        .await
        .expect("the simulated agent enrolls")
    }

    /// Starts the dashboard with admin password `password` and signs in.
    pub async fn start_dashboard(&self, password: &str) -> Dashboard {
        self.start_dashboard_with(password, "").await
    }

    /// [`Stack::start_dashboard`] with `extra` appended to its configuration file
    /// (tables such as `[reports]`).
    pub async fn start_dashboard_with(&self, password: &str, extra: &str) -> Dashboard {
        let port = free_port();
        let config = self.path("dashboard.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:{port}\"\n{}admin_password = \"{password}\"\nreport_key_file = \"{}\"\n{extra}",
                self.clickhouse_settings(Component::Dashboard),
                self.path("report-key.pk8").display()
            ),
        )
        .expect("dashboard config");
        let log = self.path("dashboard.log");
        let listening = || {
            std::fs::read_to_string(&log)
                .map(|t| t.matches("dashboard listening").count())
                .unwrap_or(0)
        };
        let before = listening();
        let process = Process::spawn(
            "dashboard",
            &bin("vigie-dashboard"),
            &["--config", config.to_str().expect("utf-8")],
            &[],
            &log,
        );
        wait_for("dashboard to listen", Duration::from_secs(60), || async {
            (listening() > before).then_some(())
        })
        .await;
        let session = sign_in(port, "admin", password);
        Dashboard {
            process,
            port,
            session,
        }
    }
}

/// Sends `signal` to process `pid` (a process the test started).
#[allow(unsafe_code)] // kill(2) has no safe wrapper in libc; see SAFETY.
pub fn send_signal(pid: u32, signal: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    unsafe {
        libc::kill(pid as i32, signal);
    }
}

/// Downloads `path` (raw bytes) with `cookie`.
pub fn download(port: u16, path: &str, cookie: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    raw[split + 4..].to_vec()
}

/// A PDF's text as poppler's `pdftotext -layout` reads it (installed by the test command).
pub fn pdf_text(file: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str().expect("utf-8"), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed by the test command");
    assert!(out.status.success(), "pdftotext {}", file.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}
