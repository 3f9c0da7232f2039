//! A log line into an event: syslog lines into program, pid and message (and, for sshd,
//! sudo, su and the account tools, who did what from where), audit records into their
//! fields, access log lines into Sigma's `webserver` fields, web server error lines into
//! their level, client and request. A line that does not parse
//! as its file's format is kept whole as the message: nothing read is dropped.

pub mod access;
pub mod audit;
pub mod auth;
pub mod sudo_log;
pub mod syslog;
pub mod web_error;

use std::path::Path;

use vigie_model::agent_config::LogFormat;
use vigie_model::event::{field, Category};
use vigie_model::EventDraft;

/// How one file's lines are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    /// The format (never `Auto`).
    pub format: LogFormat,
    /// The service of lines that do not tell theirs.
    pub service: String,
}

impl Format {
    /// The format of file `path` as configured (`Auto` guessed from the name), and its
    /// service (configured, or guessed from the name).
    pub fn of(path: &Path, format: LogFormat, service: Option<&str>) -> Format {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let dir = path.to_string_lossy().to_ascii_lowercase();
        let web = dir.contains("/nginx/") || dir.contains("/apache2/") || dir.contains("/httpd/");
        let format = match format {
            LogFormat::Auto if name.starts_with("audit") => LogFormat::Audit,
            LogFormat::Auto if name.contains("access") => LogFormat::Access,
            LogFormat::Auto if web && name.contains("error") => LogFormat::Error,
            LogFormat::Auto => LogFormat::Syslog,
            other => other,
        };
        let guessed = if format == LogFormat::Audit {
            "auditd"
        } else if dir.contains("/nginx/") {
            "nginx"
        } else if dir.contains("/apache2/") || dir.contains("/httpd/") {
            "apache"
        } else if name.starts_with("auth") || name == "secure" {
            "auth"
        } else if name.starts_with("cron") {
            "cron"
        } else {
            "syslog"
        };
        Format {
            format,
            service: service.unwrap_or(guessed).to_string(),
        }
    }
}

/// The event of `line`, read from a file of format `format`.
pub fn draft(format: &Format, line: &str) -> EventDraft {
    let mut draft = EventDraft::now(Category::Log);
    match format.format {
        LogFormat::Access => {
            if let Some(fields) = access::parse(line) {
                draft.category = Category::Webserver;
                draft.fields = fields;
            }
        }
        LogFormat::Audit => {
            if let Some(fields) = audit::parse(line) {
                draft.fields = fields;
            }
        }
        LogFormat::Error => {
            if let Some(fields) = web_error::parse(line) {
                draft.fields = fields;
            }
        }
        LogFormat::Syslog | LogFormat::Auto => {
            if let Some(l) = syslog::parse(line) {
                draft = draft
                    .with(field::LOG_TIME, l.time)
                    .with(field::LOG_HOST, l.host)
                    .with(field::PROGRAM, l.program);
                if let Some(pid) = l.pid {
                    draft = draft.with(field::PROCESS_ID, pid);
                }
                let service = auth::service_of(l.program);
                if matches!(service, Some("sshd" | "sudo" | "auth")) {
                    auth::fields(l.program, l.message, &mut draft.fields);
                }
                return draft
                    .with(field::SERVICE, service.unwrap_or(&format.service))
                    .with(field::MESSAGE, l.message);
            }
        }
        LogFormat::Plain => {}
    }
    // A file of one program's own messages (`sshd -E /var/log/sshd.log`, sudo's
    // `logfile`): its service names the program.
    if draft.category == Category::Log && matches!(format.service.as_str(), "sshd" | "sudo") {
        match sudo_log::split_time(line).filter(|_| format.service == "sudo") {
            Some((time, entry)) => {
                draft = draft.with(field::LOG_TIME, time);
                auth::fields("sudo", entry, &mut draft.fields);
            }
            None => auth::fields(&format.service, line, &mut draft.fields),
        }
    }
    draft
        .with(field::SERVICE, format.service.as_str())
        .with(field::MESSAGE, line)
}

/// Joins the lines of wrapped sudo log entries (`drafts` read from a file of service
/// `sudo`) into one event each, located at the end of its last line.
pub fn join_sudo_lines(format: &Format, drafts: &mut Vec<EventDraft>) {
    let message = |d: &EventDraft| {
        d.fields
            .get(field::MESSAGE)
            .and_then(|m| m.as_str())
            .unwrap_or("")
            .to_string()
    };
    let mut joined: Vec<EventDraft> = Vec::with_capacity(drafts.len());
    for draft in drafts.drain(..) {
        let text = message(&draft);
        match joined.last_mut() {
            Some(entry) if sudo_log::continues(&text) => {
                let whole = format!("{} {}", message(entry), text.trim());
                let mut again = self::draft(format, &whole);
                for name in [field::LOG_FILE, field::LOG_INODE] {
                    if let Some(v) = entry.fields.get(name) {
                        again.fields.insert(name.into(), v.clone());
                    }
                }
                if let Some(v) = draft.fields.get(field::LOG_OFFSET) {
                    again.fields.insert(field::LOG_OFFSET.into(), v.clone());
                }
                *entry = again;
            }
            _ => joined.push(draft),
        }
    }
    *drafts = joined;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_sudo_log_entry_is_one_event() {
        let sudo = Format::of(
            Path::new("/var/log/sudo.log"),
            LogFormat::Auto,
            Some("sudo"),
        );
        let mut drafts: Vec<EventDraft> = [
            "Dec  2 20:32:41 : deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ;",
            "    COMMAND=/usr/bin/systemctl restart intranet",
            "Dec  2 20:33:00 : ana : user NOT in sudoers ; PWD=/ ; USER=root ; COMMAND=/bin/sh",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| draft(&sudo, l).with(field::LOG_OFFSET, i as u64 * 100))
        .collect();
        join_sudo_lines(&sudo, &mut drafts);
        assert_eq!(drafts.len(), 2);
        let d = &drafts[0].fields;
        assert_eq!(d["User"], "deploy");
        assert_eq!(d["TargetUser"], "root");
        assert_eq!(d["CommandLine"], "/usr/bin/systemctl restart intranet");
        assert_eq!(d["Outcome"], "success");
        assert_eq!(d["LogTime"], "Dec  2 20:32:41");
        assert_eq!(d["LogOffset"], 100, "located at its last line");
        assert_eq!(drafts[1].fields["Outcome"], "failure");
    }

    #[test]
    fn formats_and_services_follow_the_file_and_the_line() {
        let auth = Format::of(Path::new("/var/log/auth.log"), LogFormat::Auto, None);
        assert_eq!(
            (auth.format, auth.service.as_str()),
            (LogFormat::Syslog, "auth")
        );
        let d = draft(
            &auth,
            "Dec  2 16:25:07 web1 sshd[812]: Failed password for root from 10.0.0.2 port 4444 ssh2",
        );
        assert_eq!(d.category, Category::Log);
        assert_eq!(d.fields["service"], "sshd");
        assert_eq!(d.fields["ProcessId"], 812);
        assert_eq!(d.fields["Outcome"], "failure");
        let d = draft(
            &auth,
            "Dec  2 16:25:07 web1 polkitd[1]: Registered Authentication Agent",
        );
        assert_eq!(d.fields["service"], "auth");
        let d = draft(&auth, "garbage that is not syslog");
        assert_eq!(d.fields["Message"], "garbage that is not syslog");
        assert_eq!(d.fields["service"], "auth");

        let web = Format::of(
            Path::new("/var/log/nginx/access.log"),
            LogFormat::Auto,
            None,
        );
        assert_eq!(
            (web.format, web.service.as_str()),
            (LogFormat::Access, "nginx")
        );
        let d = draft(
            &web,
            r#"10.0.0.2 - - [02/Dec/2026:16:25:07 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8""#,
        );
        assert_eq!(d.category, Category::Webserver);
        assert_eq!(d.fields["service"], "nginx");

        let errors = Format::of(
            Path::new("/var/log/apache2/error.log"),
            LogFormat::Auto,
            None,
        );
        assert_eq!(
            (errors.format, errors.service.as_str()),
            (LogFormat::Error, "apache")
        );
        let line = "[Wed Dec 02 10:00:00.1 2026] [authz_core:error] [pid 9] [client 10.0.0.9:5] AH01630: client denied";
        let d = draft(&errors, line);
        assert_eq!(d.category, Category::Log);
        assert_eq!(d.fields["c-ip"], "10.0.0.9");
        assert_eq!(
            d.fields["Message"], line,
            "keyword rules read the whole line"
        );
        let other = Format::of(Path::new("/var/log/app/error.log"), LogFormat::Auto, None);
        assert_eq!(other.format, LogFormat::Syslog, "not a web server's folder");

        let audit = Format::of(Path::new("/var/log/audit/audit.log"), LogFormat::Auto, None);
        let d = draft(&audit, r#"type=CWD msg=audit(1.2:3): cwd="/root""#);
        assert_eq!(
            (d.fields["service"].as_str(), d.fields["cwd"].as_str()),
            (Some("auditd"), Some("/root"))
        );
        let sshd = Format::of(
            Path::new("/var/log/sshd.log"),
            LogFormat::Plain,
            Some("sshd"),
        );
        let d = draft(
            &sshd,
            "Failed password for invalid user nosuch from 10.0.0.9 port 45042 ssh2",
        );
        assert_eq!(
            (d.fields["Outcome"].as_str(), d.fields["SourceIp"].as_str()),
            (Some("failure"), Some("10.0.0.9"))
        );
        let custom = Format::of(
            Path::new("/srv/app/app.log"),
            LogFormat::Plain,
            Some("myapp"),
        );
        assert_eq!(draft(&custom, "x").fields["service"], "myapp");
    }
}
