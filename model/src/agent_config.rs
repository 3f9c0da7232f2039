//! An agent's configuration: a TOML file, then `VIGIE_*` variables, then validation;
//! and the part of it the SOC may set remotely, per group of agents.

use std::path::PathBuf;
use std::time::Duration;

use crate::Severity;

use serde::Deserialize;

/// The agent's configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// State, keys, baseline and spool. `VIGIE_DATA_DIR` overrides it (as `…/agent`).
    pub data_dir: PathBuf,
    /// Where and how to reach the collector.
    pub collector: CollectorConfig,
    /// File integrity monitoring.
    pub fim: FimConfig,
    /// Process creation monitoring.
    pub process: ProcessConfig,
    /// Network connections and DNS, from packets.
    pub network: NetworkConfig,
    /// Log files: auth, system, audit and web server logs.
    pub logs: LogsConfig,
    /// Reads of sensitive files (password hashes, private keys, histories…).
    pub reads: ReadsConfig,
    /// Batching of events before they are spooled and sent.
    pub batch: BatchConfig,
    /// The on-disk spool.
    pub spool: SpoolConfig,
    /// Seconds between two `agent_health` events.
    pub health_interval_secs: u64,
}

/// How to reach the collector.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CollectorConfig {
    /// Base URL, e.g. `https://soc.example:8443`.
    pub url: String,
    /// PEM file of the CA that signed the collector's certificate: the only CA trusted.
    pub ca_file: PathBuf,
    /// Enrollment token, used once when the agent has no identity yet.
    pub enrollment_token: String,
}

/// One watched path.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WatchPath {
    /// A file or a folder.
    pub path: PathBuf,
    /// Severity of alerts about it: informational, low, medium, high, critical.
    #[serde(default = "default_severity")]
    pub severity: String,
    /// For a folder: watch everything below it, not only its direct entries.
    #[serde(default = "yes")]
    pub recursive: bool,
    /// Glob patterns left out under this path only.
    #[serde(default)]
    pub exclude: Vec<String>,
}

fn default_severity() -> String {
    "medium".into()
}

fn yes() -> bool {
    true
}

/// File integrity monitoring settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FimConfig {
    /// Turns file monitoring on or off.
    pub enabled: bool,
    /// Watched files and folders.
    pub paths: Vec<WatchPath>,
    /// Glob patterns left out everywhere (`*` stays within a path segment, `**` does
    /// not; a pattern without `/` matches the file name).
    pub exclude: Vec<String>,
    /// Files larger than this are tracked by size, mode and times, not hashed.
    pub max_hash_bytes: u64,
    /// Most MiB per second the agent reads to hash files (0: no limit), so a scan never
    /// starves the server.
    pub hash_rate_mib_s: u64,
    /// Seconds between two full rescans (catches what the kernel's queue lost).
    pub rescan_interval_secs: u64,
    /// Milliseconds a path must stay quiet before it is examined (coalesces bursts).
    pub settle_ms: u64,
    /// Most paths waiting to be examined; past it the agent forgets them and rescans.
    pub max_pending: usize,
    /// Names the process and user behind each change, from eBPF (root, BTF).
    pub who: bool,
}

/// Process monitoring settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessConfig {
    /// Turns process monitoring on or off.
    pub enabled: bool,
    /// Takes every exec from the kernel through eBPF, arguments included, when the
    /// kernel allows it (root, BTF); false (or eBPF refused) starts from the audit
    /// subsystem.
    pub ebpf: bool,
    /// Takes every exec from the kernel's audit subsystem, arguments included, where
    /// eBPF is off or refused; false (or audit refused) starts from the connector.
    pub audit: bool,
    /// Uses the kernel's process connector when it can (else lists processes every
    /// second); false forces the listing.
    pub connector: bool,
    /// Reports sockets that start or stop listening.
    pub listeners: bool,
    /// Seconds between two looks at the listening sockets.
    pub listen_interval_secs: u64,
}

impl Default for ProcessConfig {
    fn default() -> ProcessConfig {
        ProcessConfig {
            enabled: true,
            ebpf: true,
            audit: true,
            connector: true,
            listeners: true,
            listen_interval_secs: 5,
        }
    }
}

/// Network monitoring settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Turns network monitoring on or off.
    pub enabled: bool,
    /// Interfaces to capture on; empty: every interface that is up.
    pub interfaces: Vec<String>,
    /// Capture on loopback too (off by default: local traffic is mostly noise).
    pub loopback: bool,
    /// UDP ports read as DNS.
    pub dns_ports: Vec<u16>,
    /// Most flows followed at once; past it the oldest is evicted (counted).
    pub max_flows: usize,
}

impl Default for NetworkConfig {
    fn default() -> NetworkConfig {
        NetworkConfig {
            enabled: true,
            interfaces: Vec::new(),
            loopback: false,
            dns_ports: vec![53],
            max_flows: 65_536,
        }
    }
}

/// Log reading settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Turns log reading on or off.
    pub enabled: bool,
    /// The log files read. A file absent now is read from its first line once it
    /// appears; one present at the agent's first start is read from its end (its
    /// history is not sent).
    pub files: Vec<LogSource>,
    /// Longest line kept, in bytes; the rest of a longer line is dropped and counted.
    pub max_line_bytes: usize,
    /// Most MiB per second the agent reads from logs (0: no limit); past it the agent
    /// falls behind, and catches up, without losing a line.
    pub read_rate_mib_s: u64,
    /// Milliseconds between two looks at the files.
    pub poll_ms: u64,
    /// Reads the systemd journal too: `auto` (when none of the syslog-format files above
    /// exists, as on a host where journald alone keeps the logs), `on` or `off`.
    pub journal: JournalSetting,
    /// Reads the journal files in this folder instead of the system's journal.
    pub journal_directory: Option<PathBuf>,
    /// Where web sites' files lie: a request in an access log to a script under one of
    /// them carries how long ago the script was written (`ScriptAgeSecs`).
    pub web_roots: Vec<PathBuf>,
    /// The groups whose members administer the server: a sudo line tells whether its
    /// user is in one (`AdminGroupMember`), so a sudo by anyone else stands out.
    pub admin_groups: Vec<String>,
}

/// Whether the log sensor reads the systemd journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JournalSetting {
    /// When none of the syslog-format files configured exists.
    #[default]
    Auto,
    /// Always.
    On,
    /// Never.
    Off,
}

/// One log file (or several, through a pattern in its last part).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSource {
    /// An absolute path; its file name may hold `*` and `?` (`/var/log/nginx/*access.log`).
    pub path: String,
    /// How its lines are written.
    #[serde(default)]
    pub format: LogFormat,
    /// Sigma service given to its lines when the line itself does not tell (the program
    /// of a syslog line does: `sshd`, `sudo`, `cron`…).
    #[serde(default)]
    pub service: Option<String>,
}

/// How a log file's lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Guessed from the file's name: `audit` for `audit.log`, `access` for names with
    /// `access`, `error` for names with `error` in an nginx, Apache or httpd folder,
    /// `syslog` otherwise (a line that is not syslog is kept whole).
    #[default]
    Auto,
    /// Syslog lines (`Dec  2 16:25:07 host sshd[812]: …` or with an RFC 3339 time).
    Syslog,
    /// The Linux audit log (`type=SYSCALL msg=audit(…): …`).
    Audit,
    /// A web server access log in the combined format (nginx, Apache).
    Access,
    /// A web server error log (nginx, Apache).
    Error,
    /// Any text: each line is the message.
    Plain,
}

impl LogSource {
    fn new(path: &str) -> LogSource {
        LogSource {
            path: path.into(),
            format: LogFormat::Auto,
            service: None,
        }
    }
}

impl Default for LogsConfig {
    fn default() -> LogsConfig {
        LogsConfig {
            enabled: true,
            files: [
                "/var/log/auth.log",
                "/var/log/secure",
                "/var/log/syslog",
                "/var/log/messages",
                "/var/log/audit/audit.log",
                "/var/log/nginx/access.log",
                "/var/log/nginx/error.log",
                "/var/log/apache2/access.log",
                "/var/log/apache2/error.log",
                "/var/log/httpd/access_log",
                "/var/log/httpd/error_log",
            ]
            .into_iter()
            .map(LogSource::new)
            .collect(),
            max_line_bytes: 16 << 10,
            read_rate_mib_s: 8,
            poll_ms: 250,
            journal: JournalSetting::Auto,
            journal_directory: None,
            web_roots: [
                "/var/www/html",
                "/var/www",
                "/srv/www",
                "/srv/http",
                "/usr/share/nginx/html",
            ]
            .into_iter()
            .map(PathBuf::from)
            .collect(),
            admin_groups: ["sudo", "wheel", "admin", "root"]
                .into_iter()
                .map(String::from)
                .collect(),
        }
    }
}

/// Which reads of files are events: opens for reading of a short list of sensitive
/// files, seen in the kernel (eBPF) with the process that asked.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadsConfig {
    /// Turns the sensor on or off.
    pub enabled: bool,
    /// The sensitive files: absolute paths whose parts may hold `*`, `?` and `{a,b}`
    /// (`/home/*/.ssh/id_{rsa,ed25519}`). Matched again every second, so a file
    /// created or replaced later is watched too.
    pub paths: Vec<String>,
    /// Also reports a process opening another's memory (`/proc/PID/mem`).
    pub proc_mem: bool,
}

impl Default for ReadsConfig {
    fn default() -> ReadsConfig {
        const KEYS: &str = "id_{rsa,dsa,ecdsa,ed25519,ecdsa_sk,ed25519_sk}";
        let homes = ["/root", "/home/*"];
        let mut paths: Vec<String> = [
            "/etc/shadow",
            "/etc/shadow-",
            "/etc/gshadow",
            "/etc/gshadow-",
            "/etc/security/opasswd",
            "/etc/ssh/ssh_host_*_key",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for home in homes {
            for file in [
                format!(".ssh/{KEYS}"),
                ".bash_history".to_string(),
                ".zsh_history".to_string(),
                ".aws/credentials".to_string(),
                ".docker/config.json".to_string(),
                ".git-credentials".to_string(),
                ".pgpass".to_string(),
                ".my.cnf".to_string(),
                ".netrc".to_string(),
                ".gnupg/private-keys-v1.d/*".to_string(),
                ".mozilla/firefox/*/{logins.json,key4.db}".to_string(),
                ".config/{google-chrome,chromium}/*/Login Data".to_string(),
            ] {
                paths.push(format!("{home}/{file}"));
            }
        }
        ReadsConfig {
            enabled: true,
            paths,
            proc_mem: true,
        }
    }
}

/// Batching settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BatchConfig {
    /// Most events in one batch.
    pub max_events: usize,
    /// Most bytes of uncompressed JSON in one batch.
    pub max_bytes: usize,
    /// Milliseconds an event may wait before its batch is sealed.
    pub flush_ms: u64,
}

/// Spool settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpoolConfig {
    /// Most bytes on disk; past it the oldest batches are dropped and counted.
    pub max_bytes: u64,
    /// Size at which a segment file is closed and a new one begun.
    pub segment_bytes: u64,
}

impl Default for AgentConfig {
    fn default() -> AgentConfig {
        AgentConfig {
            data_dir: PathBuf::from("/var/lib/vigie/agent"),
            collector: CollectorConfig::default(),
            fim: FimConfig::default(),
            process: ProcessConfig::default(),
            network: NetworkConfig::default(),
            logs: LogsConfig::default(),
            reads: ReadsConfig::default(),
            batch: BatchConfig::default(),
            spool: SpoolConfig::default(),
            health_interval_secs: 60,
        }
    }
}

impl Default for FimConfig {
    fn default() -> FimConfig {
        let watch = |path: &str, severity: &str| WatchPath {
            path: PathBuf::from(path),
            severity: severity.into(),
            recursive: true,
            exclude: Vec::new(),
        };
        FimConfig {
            enabled: true,
            paths: vec![
                watch("/etc", "medium"),
                watch("/usr/bin", "high"),
                watch("/usr/sbin", "high"),
                watch("/usr/local/bin", "high"),
                watch("/usr/local/sbin", "high"),
                watch("/bin", "high"),
                watch("/sbin", "high"),
                watch("/boot", "high"),
                watch("/root/.ssh", "critical"),
                watch("/var/spool/cron", "high"),
                watch("/var/www", "high"),
                watch("/srv/www", "high"),
            ],
            exclude: vec![
                "*.swp".into(),
                "*.swx".into(),
                "*~".into(),
                "/etc/mtab".into(),
                "/etc/adjtime".into(),
                "/etc/ld.so.cache".into(),
                "/etc/.pwd.lock".into(),
            ],
            max_hash_bytes: 256 << 20,
            hash_rate_mib_s: 64,
            rescan_interval_secs: 600,
            settle_ms: 100,
            max_pending: 100_000,
            who: true,
        }
    }
}

impl Default for BatchConfig {
    fn default() -> BatchConfig {
        BatchConfig {
            max_events: 1000,
            max_bytes: 1 << 20,
            flush_ms: 500,
        }
    }
}

impl Default for SpoolConfig {
    fn default() -> SpoolConfig {
        SpoolConfig {
            max_bytes: 1 << 30,
            segment_bytes: 16 << 20,
        }
    }
}

/// A configuration problem, naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    /// The setting at fault, as written in the file.
    pub setting: String,
    /// What is wrong with it.
    pub reason: String,
}

fn bad(setting: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.into(),
        reason: reason.into(),
    }
}

impl AgentConfig {
    /// Parses a TOML file's text. Unknown keys are errors that name the key.
    pub fn from_toml(text: &str) -> Result<AgentConfig, ConfigError> {
        toml::from_str(text).map_err(|e| bad("config", e.to_string()))
    }

    /// Applies `VIGIE_DATA_DIR` and `VIGIE_WATCH` (`:`-separated paths).
    pub fn apply_env(&mut self) {
        if let Ok(dir) = std::env::var("VIGIE_DATA_DIR") {
            if !dir.is_empty() {
                self.data_dir = PathBuf::from(dir).join("agent");
            }
        }
        if let Ok(watch) = std::env::var("VIGIE_WATCH") {
            let paths: Vec<WatchPath> = watch
                .split(':')
                .filter(|p| !p.is_empty())
                .map(|p| WatchPath {
                    path: PathBuf::from(p),
                    severity: default_severity(),
                    recursive: true,
                    exclude: Vec::new(),
                })
                .collect();
            if !paths.is_empty() {
                self.fim.paths = paths;
            }
        }
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (i, w) in self.fim.paths.iter().enumerate() {
            if !w.path.is_absolute() {
                return Err(bad(
                    &format!("fim.paths[{i}].path"),
                    format!("{} is not an absolute path", w.path.display()),
                ));
            }
            if Severity::parse(&w.severity).map(Severity::as_str) != Some(w.severity.as_str()) {
                return Err(bad(
                    &format!("fim.paths[{i}].severity"),
                    Severity::not_one_of(&w.severity),
                ));
            }
            for (j, pattern) in w.exclude.iter().enumerate() {
                if let Err(e) = crate::glob::PathGlob::new(pattern) {
                    return Err(bad(&format!("fim.paths[{i}].exclude[{j}]"), e.to_string()));
                }
            }
        }
        for (j, pattern) in self.fim.exclude.iter().enumerate() {
            if let Err(e) = crate::glob::PathGlob::new(pattern) {
                return Err(bad(&format!("fim.exclude[{j}]"), e.to_string()));
            }
        }
        for (i, source) in self.logs.files.iter().enumerate() {
            let at = format!("logs.files[{i}].path");
            if !source.path.starts_with('/') {
                return Err(bad(&at, format!("{} is not an absolute path", source.path)));
            }
            let (dir, name) = source.path.rsplit_once('/').unwrap_or(("", &source.path));
            if dir.contains(['*', '?', '[']) {
                return Err(bad(
                    &at,
                    format!("{}: a pattern may only be in the file name", source.path),
                ));
            }
            if let Err(e) = crate::glob::PathGlob::new(name) {
                return Err(bad(&at, e.to_string()));
            }
            if source
                .service
                .as_deref()
                .is_some_and(|s| s.trim().is_empty())
            {
                return Err(bad(&format!("logs.files[{i}].service"), "is empty"));
            }
        }
        for (i, root) in self.logs.web_roots.iter().enumerate() {
            if !root.is_absolute() {
                return Err(bad(
                    &format!("logs.web_roots[{i}]"),
                    format!("{} is not an absolute path", root.display()),
                ));
            }
        }
        if let Some(dir) = &self.logs.journal_directory {
            if !dir.is_absolute() {
                return Err(bad(
                    "logs.journal_directory",
                    format!("{} is not an absolute path", dir.display()),
                ));
            }
        }
        for (i, path) in self.reads.paths.iter().enumerate() {
            let at = format!("reads.paths[{i}]");
            if !path.starts_with('/') {
                return Err(bad(&at, format!("{path} is not an absolute path")));
            }
            for part in path.split('/').filter(|p| !p.is_empty()) {
                if part == "**" {
                    return Err(bad(&at, format!("{path}: `**` is not allowed here")));
                }
                if let Err(e) = crate::glob::PathGlob::new(part) {
                    return Err(bad(&at, e.to_string()));
                }
            }
        }
        if self.logs.max_line_bytes < 256 || self.logs.poll_ms == 0 {
            return Err(bad("logs", "max_line_bytes must be ≥ 256 and poll_ms ≥ 1"));
        }
        if self.batch.max_events == 0 || self.batch.max_bytes < 1024 {
            return Err(bad("batch", "max_events must be ≥ 1 and max_bytes ≥ 1024"));
        }
        if self.spool.segment_bytes < 4096 || self.spool.max_bytes < 2 * self.spool.segment_bytes {
            return Err(bad(
                "spool",
                "segment_bytes must be ≥ 4096 and max_bytes at least twice segment_bytes",
            ));
        }
        if self.fim.max_pending == 0 || self.fim.rescan_interval_secs == 0 {
            return Err(bad(
                "fim",
                "max_pending and rescan_interval_secs must be ≥ 1",
            ));
        }
        Ok(())
    }

    /// The flush interval as a duration.
    pub fn flush_interval(&self) -> Duration {
        Duration::from_millis(self.batch.flush_ms.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_exclusion_pattern_is_named() {
        let config =
            AgentConfig::from_toml("[fim]\nexclude = [\"*.swp\", \"/var/[cache\"]\n").unwrap();
        let e = config.validate().unwrap_err();
        assert_eq!(e.setting, "fim.exclude[1]");
        assert!(e.reason.contains("/var/[cache"), "{e}");
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = AgentConfig::from_toml("").unwrap();
        assert_eq!(config.batch.flush_ms, 500);
        assert_eq!(config.spool.max_bytes, 1 << 30);
        assert!(config
            .fim
            .paths
            .iter()
            .any(|w| w.path == std::path::Path::new("/etc")));
        config.validate().unwrap();
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err = AgentConfig::from_toml("[fim]\nrescan_intervall = 3\n").unwrap_err();
        assert!(err.to_string().contains("rescan_intervall"), "{err}");
        let config =
            AgentConfig::from_toml("[[fim.paths]]\npath = \"/srv\"\nseverity = \"urgent\"\n")
                .unwrap();
        let err = config.validate().unwrap_err();
        assert_eq!(err.setting, "fim.paths[0].severity");
        let config = AgentConfig::from_toml("[[fim.paths]]\npath = \"srv\"\n").unwrap();
        assert!(config.validate().unwrap_err().reason.contains("absolute"));
    }

    #[test]
    fn log_files_are_checked_and_named() {
        let config = AgentConfig::from_toml(
            "[logs]\n[[logs.files]]\npath = \"/var/log/nginx/*access.log\"\nformat = \"access\"\n",
        )
        .unwrap();
        config.validate().unwrap();
        assert_eq!(config.logs.files[0].format, LogFormat::Access);
        let config =
            AgentConfig::from_toml("[[logs.files]]\npath = \"/var/*/auth.log\"\n").unwrap();
        let e = config.validate().unwrap_err();
        assert_eq!(e.setting, "logs.files[0].path");
        assert!(e.reason.contains("only be in the file name"), "{e}");
        let e = AgentConfig::from_toml("[[logs.files]]\npath = \"/x\"\nformat = \"json\"\n")
            .unwrap_err();
        assert!(e.reason.contains("json"), "{e}");
        assert!(AgentConfig::default()
            .logs
            .files
            .iter()
            .any(|f| f.path == "/var/log/auth.log"));
    }
}

/// The part of an agent's configuration the SOC sets remotely for a group of agents:
/// file monitoring, process and network sensors. A section present here replaces the
/// agent's own; one absent leaves it as the agent's file says. Agents fetch it from the
/// collector and apply it without a restart.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfig {
    /// Replaces `[fim]` (and its `[[fim.paths]]`).
    pub fim: Option<FimConfig>,
    /// Replaces `[process]`.
    pub process: Option<ProcessConfig>,
    /// Replaces `[network]`.
    pub network: Option<NetworkConfig>,
    /// Replaces `[logs]` (and its `[[logs.files]]`).
    pub logs: Option<LogsConfig>,
    /// Replaces `[reads]`.
    pub reads: Option<ReadsConfig>,
}

impl RemoteConfig {
    /// Reads and checks a group's settings (an empty text sets nothing).
    pub fn from_toml(text: &str) -> Result<RemoteConfig, ConfigError> {
        let remote: RemoteConfig =
            toml::from_str(text).map_err(|e| bad("remote configuration", e.to_string()))?;
        remote.over(&AgentConfig::default()).validate()?;
        Ok(remote)
    }

    /// `local` with the sections this sets replaced.
    pub fn over(&self, local: &AgentConfig) -> AgentConfig {
        let mut config = local.clone();
        if let Some(fim) = &self.fim {
            config.fim = fim.clone();
        }
        if let Some(process) = &self.process {
            config.process = process.clone();
        }
        if let Some(network) = &self.network {
            config.network = network.clone();
        }
        if let Some(logs) = &self.logs {
            config.logs = logs.clone();
        }
        if let Some(reads) = &self.reads {
            config.reads = reads.clone();
        }
        config
    }
}

#[cfg(test)]
mod reads_tests {
    use super::*;

    #[test]
    fn sensitive_paths_are_absolute_patterns_and_mistakes_are_named() {
        let config = AgentConfig::from_toml(
            "[reads]\npaths = [\"/etc/shadow\", \"/home/*/.ssh/id_{rsa,ed25519}\"]\n",
        )
        .unwrap();
        config.validate().unwrap();
        assert!(config.reads.enabled && config.reads.proc_mem);
        for (paths, why) in [
            (
                "[\"/etc/shadow\", \"home/.pgpass\"]",
                "reads.paths[1]: home/.pgpass is not an absolute path",
            ),
            (
                "[\"/home/**/id_rsa\"]",
                "reads.paths[0]: /home/**/id_rsa: `**` is not allowed here",
            ),
        ] {
            let config = AgentConfig::from_toml(&format!("[reads]\npaths = {paths}\n")).unwrap();
            let e = config.validate().unwrap_err();
            assert_eq!(e.to_string(), why);
        }
        let e = AgentConfig::from_toml("[reads]\npath = []\n").unwrap_err();
        assert!(e.to_string().contains("path"), "{e}");
    }
}

#[cfg(test)]
mod remote_tests {
    use super::*;

    #[test]
    fn remote_sections_replace_local_ones_and_are_checked() {
        let remote = RemoteConfig::from_toml(
            "[process]\nenabled = false\n\n[[fim.paths]]\npath = \"/srv/app\"\nseverity = \"high\"\n",
        )
        .unwrap();
        let local = AgentConfig::default();
        let merged = remote.over(&local);
        assert!(!merged.process.enabled);
        assert_eq!(merged.fim.paths.len(), 1);
        assert_eq!(merged.network.enabled, local.network.enabled, "untouched");
        assert!(RemoteConfig::from_toml("").is_ok());
        let e = RemoteConfig::from_toml("[collector]\nurl = \"x\"\n").unwrap_err();
        assert!(
            e.reason.contains("collector"),
            "only sensors are remote: {e:?}"
        );
        let e = RemoteConfig::from_toml("[[fim.paths]]\npath = \"relative\"\n").unwrap_err();
        assert_eq!(e.setting, "fim.paths[0].path");
    }
}
