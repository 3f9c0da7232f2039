//! A ClickHouse server started and stopped by Vigie itself, with its own config and data
//! under a directory of ours: for `vigie up` and for tests (one throwaway server each).
//!
//! The server is a child process. It is asked to die with its parent (Linux
//! `PR_SET_PDEATHSIG`), so even a killed `vigie up` leaves no orphan behind.
//!
//! It listens on 127.0.0.1 only and has no password-less user: each component (the
//! collector, the dashboard, the command line) gets a user of its own with a generated
//! password, kept owner-only under `credentials/`, so that reaching the port is not
//! enough to read password hashes or write an admin row. ClickHouse 18.16 knows no
//! per-table rights (SQL `GRANT` came in 20.5): each user is limited to the `vigie`
//! database; what one table may hold is guarded by the signed audit trail instead.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::StoreError;

/// Where Debian and upstream packages put the server, tried after `PATH`.
const KNOWN_LOCATIONS: &[&str] = &[
    "/usr/sbin/clickhouse-server",
    "/usr/bin/clickhouse-server",
    "/usr/bin/clickhouse",
];

/// The server process and the thread that waits on it. The child is spawned from this
/// thread because `PR_SET_PDEATHSIG` fires when the *thread* that spawned it ends: a
/// pooled thread could end long before the process.
struct Keeper {
    pid: libc::pid_t,
    thread: JoinHandle<()>,
}

/// Who uses the managed server: one ClickHouse user each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// The collector: writes events, alerts, agents, its audit chain.
    Collector,
    /// The dashboard: reads everything, writes triage, users, sessions, its audit chain.
    Dashboard,
    /// The command line: enrollment tokens, audit verification.
    Cli,
}

impl Component {
    /// Every component.
    pub const ALL: [Component; 3] = [Component::Collector, Component::Dashboard, Component::Cli];

    /// Its ClickHouse user name.
    pub fn user(self) -> &'static str {
        match self {
            Component::Collector => "vigie_collector",
            Component::Dashboard => "vigie_dashboard",
            Component::Cli => "vigie_cli",
        }
    }
}

/// Where the managed server under `dir` keeps `component`'s password (mode 0600).
pub fn password_file(dir: &Path, component: Component) -> PathBuf {
    dir.join("credentials")
        .join(format!("{}.password", component.user()))
}

/// A running ClickHouse server owned by this process.
pub struct ManagedClickHouse {
    dir: PathBuf,
    http_port: u16,
    child: Option<Keeper>,
    program: (PathBuf, Vec<String>),
}

/// Finds the ClickHouse server program: `clickhouse-server`, or `clickhouse server`.
pub fn find_server() -> Option<(PathBuf, Vec<String>)> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let mut candidates: Vec<PathBuf> = std::env::split_paths(&path_var)
        .flat_map(|dir| [dir.join("clickhouse-server"), dir.join("clickhouse")])
        .collect();
    candidates.extend(KNOWN_LOCATIONS.iter().map(PathBuf::from));
    candidates.into_iter().find(|p| p.is_file()).map(|p| {
        let args = if p.file_name().is_some_and(|n| n == "clickhouse") {
            vec!["server".to_string()]
        } else {
            Vec::new()
        };
        (p, args)
    })
}

impl ManagedClickHouse {
    /// Writes a config under `dir` and starts a server on free loopback ports; returns
    /// once it answers `/ping`.
    pub fn start(dir: &Path) -> Result<ManagedClickHouse, StoreError> {
        let program = find_server().ok_or_else(|| {
            StoreError::Managed(vigie_model::i18n::say(
                vigie_model::i18n::Msg::CliInstallClickhouse,
                &[],
            ))
        })?;
        let dir = std::path::absolute(dir).map_err(|e| managed_error(dir, e))?;
        for sub in ["data", "tmp", "user_files", "format_schemas", "log"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| managed_error(&dir, e))?;
        }
        let http_port = free_port()?;
        let tcp_port = free_port()?;
        write_config(&dir, http_port, tcp_port)?;
        write_users(&dir)?;
        let mut server = ManagedClickHouse {
            dir,
            http_port,
            child: None,
            program,
        };
        server.spawn()?;
        Ok(server)
    }

    /// The server process's id while it runs (for tests that stop and resume it).
    pub fn pid(&self) -> Option<i32> {
        self.child.as_ref().map(|k| k.pid)
    }

    /// The server's HTTP URL, without credentials.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The server as `component` reaches it, for [`crate::connect`].
    pub fn endpoint(&self, component: Component) -> crate::Endpoint {
        endpoint_at(&self.dir, &self.url(), component)
            .expect("the managed server's credentials were written at start")
    }

    /// The file holding `component`'s password (for a daemon's configuration).
    pub fn password_file(&self, component: Component) -> PathBuf {
        password_file(&self.dir, component)
    }

    /// Stops the server (SIGTERM, then SIGKILL after 15 s). Data stays on disk.
    pub fn stop(&mut self) {
        if let Some(keeper) = self.child.take() {
            signal(keeper.pid, libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline && !keeper.thread.is_finished() {
                std::thread::sleep(Duration::from_millis(50));
            }
            if !keeper.thread.is_finished() {
                signal(keeper.pid, libc::SIGKILL);
            }
            let _ = keeper.thread.join();
        }
    }

    /// Starts the server again on the same ports and data, after [`Self::stop`].
    pub fn restart(&mut self) -> Result<(), StoreError> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> Result<(), StoreError> {
        let (path, args) = &self.program;
        let mut command = Command::new(path);
        command
            .args(args)
            .arg(format!(
                "--config-file={}",
                self.dir.join("config.xml").display()
            ))
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        die_with_parent(&mut command);
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("clickhouse-keeper".into())
            .spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = tx.send(Ok(child.id() as libc::pid_t));
                    let _ = child.wait();
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            })
            .map_err(|e| managed_error(path, e))?;
        let pid = rx
            .recv()
            .map_err(|e| StoreError::Managed(e.to_string()))?
            .map_err(|e| managed_error(path, e))?;
        self.child = Some(Keeper { pid, thread });
        self.wait_ready(Duration::from_secs(60))
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), StoreError> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if ping(self.http_port) {
                return Ok(());
            }
            if self.child.as_ref().is_some_and(|k| k.thread.is_finished()) {
                self.child = None;
                return Err(StoreError::Managed(format!(
                    "ClickHouse exited at start; see {}",
                    self.dir.join("log").display()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(StoreError::Managed(format!(
            "ClickHouse did not answer within {}s; see {}",
            timeout.as_secs(),
            self.dir.join("log").display()
        )))
    }
}

impl Drop for ManagedClickHouse {
    fn drop(&mut self) {
        self.stop();
    }
}

#[allow(unsafe_code)] // kill(2) has no safe wrapper here; see SAFETY.
fn signal(pid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: kill(2) on the pid of our child, which its keeper thread has not reaped
    // (callers check the keeper is still running, or accept a harmless ESRCH).
    unsafe {
        libc::kill(pid, sig);
    }
}

#[allow(unsafe_code)] // `pre_exec` is unsafe by design; see SAFETY.
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches only the child being created.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

fn ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(b"GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.contains(" 200 ") && answer.ends_with("Ok.\n")
}

fn free_port() -> Result<u16, StoreError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| StoreError::Managed(format!("no free port on 127.0.0.1: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| StoreError::Managed(e.to_string()))
}

fn managed_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Managed(format!("{}: {e}", path.display()))
}

fn write_config(dir: &Path, http_port: u16, tcp_port: u16) -> Result<(), StoreError> {
    let d = dir.display();
    // Small caches: a first look and tests must run on modest machines.
    let config = format!(
        r#"<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>{d}/log/clickhouse-server.log</log>
        <errorlog>{d}/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>2</count>
    </logger>
    <http_port>{http_port}</http_port>
    <tcp_port>{tcp_port}</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>{d}/data/</path>
    <tmp_path>{d}/tmp/</tmp_path>
    <user_files_path>{d}/user_files/</user_files_path>
    <format_schema_path>{d}/format_schemas/</format_schema_path>
    <users_config>{d}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <max_concurrent_queries>100</max_concurrent_queries>
</yandex>
"#
    );
    std::fs::write(dir.join("config.xml"), config).map_err(|e| managed_error(dir, e))?;
    Ok(())
}

/// `component`'s endpoint on the managed server under `dir` at `url` (for the command
/// line, which finds the server `vigie up` runs).
pub fn endpoint_at(
    dir: &Path,
    url: &str,
    component: Component,
) -> Result<crate::Endpoint, StoreError> {
    let password = crate::endpoint::read_password_file(&password_file(dir, component))?;
    Ok(crate::Endpoint::with_credentials(
        url,
        component.user(),
        &password,
    ))
}

/// Writes `users.xml`: one user per component, its password generated once and kept
/// owner-only, only its SHA-256 in the server's file; no `default` user.
fn write_users(dir: &Path) -> Result<(), StoreError> {
    let mut users = String::new();
    for component in Component::ALL {
        let file = password_file(dir, component);
        if !file.exists() {
            std::fs::create_dir_all(file.parent().expect("credentials folder"))
                .map_err(|e| managed_error(dir, e))?;
            vigie_daemon::files::write_private(&file, generate_password()?.as_bytes())
                .map_err(|e| managed_error(&file, e))?;
        }
        let password = crate::endpoint::read_password_file(&file)?;
        users.push_str(&format!(
            "        <{user}>
            <password_sha256_hex>{hash}</password_sha256_hex>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
            <allow_databases><database>{db}</database></allow_databases>
        </{user}>
",
            user = component.user(),
            hash = vigie_model::hex::sha256(password.as_bytes()),
            db = crate::DATABASE,
        ));
    }
    let xml = format!(
        r#"<?xml version="1.0"?>
<yandex>
    <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
    <users>
{users}    </users>
    <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
"#
    );
    // The server's own file holds hashes only, yet nobody else needs to read it.
    vigie_daemon::files::write_private(&dir.join("users.xml"), xml.as_bytes())
        .map_err(|e| managed_error(dir, e))
}

fn generate_password() -> Result<String, StoreError> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 24];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| StoreError::Managed("no randomness for a ClickHouse password".into()))?;
    Ok(vigie_model::hex::encode(&bytes))
}
