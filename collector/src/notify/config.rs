//! What `[notify]` in the collector's configuration says: where the dashboard is (for
//! links), and each channel with its route (which alerts it is told) and its transport
//! (e-mail, webhook or syslog, one per channel).

use std::path::PathBuf;

use serde::Deserialize;
use vigie_model::Severity;

/// `[notify]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// The dashboard's address as analysts reach it, for links to alerts
    /// (`https://soc.example:8080`).
    pub dashboard_url: String,
    /// The channels (`[[notify.channels]]`).
    pub channels: Vec<ChannelConfig>,
    /// A channel whose oldest undelivered notice has failed for this long raises the
    /// collector's own alert "notification channel failing" (once per outage).
    pub failing_alert_after_secs: u64,
}

impl Default for NotifyConfig {
    fn default() -> NotifyConfig {
        NotifyConfig {
            dashboard_url: String::new(),
            channels: Vec::new(),
            failing_alert_after_secs: 600,
        }
    }
}

/// One channel: a name, a route, a language, a rate limit, and one transport.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Its name (in logs, the outbox and the audit trail).
    pub name: String,
    /// `fr` or `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Alerts at least this severe (`informational` … `critical`).
    #[serde(default = "default_min_severity")]
    pub min_severity: String,
    /// Only alerts with one of these tags (a prefix: `attack.t1059` takes its
    /// sub-techniques); empty: any.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only alerts of agents in these groups; empty: any.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Messages a minute at most; past it, what waits goes in one digest a minute.
    #[serde(default = "default_max_per_minute")]
    pub max_per_minute: u32,
    /// E-mail.
    pub smtp: Option<SmtpConfig>,
    /// JSON over HTTPS, signed.
    pub webhook: Option<WebhookConfig>,
    /// RFC 5424 over TCP or TLS.
    pub syslog: Option<SyslogConfig>,
}

fn default_language() -> String {
    "en".into()
}
fn default_min_severity() -> String {
    "high".into()
}
fn default_max_per_minute() -> u32 {
    20
}

/// `[notify.channels.smtp]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The mail server's name (checked against its certificate).
    pub server: String,
    /// Its port (587: submission with STARTTLS).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (required, the default), `tls` (implicit, port 465) or `none` (a
    /// relay on this machine only).
    #[serde(default = "default_smtp_security")]
    pub security: String,
    /// CA certificate(s) to trust, PEM; else the system's.
    pub ca_file: Option<PathBuf>,
    /// Account, if the server wants one.
    pub user: Option<String>,
    /// File holding its password (never the password itself here).
    pub password_file: Option<PathBuf>,
    /// Sender.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
}

fn default_smtp_port() -> u16 {
    587
}
fn default_smtp_security() -> String {
    "starttls".into()
}

/// `[notify.channels.webhook]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where to POST (`https://…`; `http://` only to this machine).
    pub url: String,
    /// File holding the HMAC-SHA256 key the receiver checks `X-Vigie-Signature` with.
    pub secret_file: PathBuf,
    /// CA certificate(s) to trust, PEM; else the system's.
    pub ca_file: Option<PathBuf>,
}

/// `[notify.channels.syslog]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
    /// `host:port` of the SIEM's listener.
    pub address: String,
    /// TLS (RFC 5425), the default; `false` for plain TCP to this machine only.
    #[serde(default = "default_true")]
    pub tls: bool,
    /// The name its certificate carries (else the host of `address`).
    pub server_name: Option<String>,
    /// CA certificate(s) to trust, PEM; else the system's.
    pub ca_file: Option<PathBuf>,
    /// Payload: `cef` (ArcSight Common Event Format) or `json`.
    #[serde(default = "default_syslog_format")]
    pub format: String,
    /// Syslog facility number (10: security/authorization).
    #[serde(default = "default_facility")]
    pub facility: u8,
}

fn default_true() -> bool {
    true
}
fn default_syslog_format() -> String {
    "cef".into()
}
fn default_facility() -> u8 {
    10
}

impl NotifyConfig {
    /// Checks what parsing cannot: names unique, one transport per channel, known
    /// values, addresses that can be used. The error names the channel and the key.
    pub fn check(&self) -> Result<(), String> {
        let mut names = std::collections::HashSet::new();
        for c in &self.channels {
            let at =
                |key: &str, what: String| format!("notify.channels {:?}: {key}: {what}", c.name);
            if c.name.is_empty()
                || !c
                    .name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
            {
                return Err(at("name", "letters, digits, '-', '_' or '.' only".into()));
            }
            if !names.insert(&c.name) {
                return Err(at("name", "used twice".into()));
            }
            if !["fr", "en"].contains(&c.language.as_str()) {
                return Err(at("language", format!("{:?} is not fr or en", c.language)));
            }
            if Severity::parse(&c.min_severity).is_none() {
                return Err(at(
                    "min_severity",
                    format!(
                        "{:?} is not one of {}",
                        c.min_severity,
                        Severity::names().join(", ")
                    ),
                ));
            }
            if c.max_per_minute == 0 {
                return Err(at("max_per_minute", "must be at least 1".into()));
            }
            let transports =
                c.smtp.is_some() as u8 + c.webhook.is_some() as u8 + c.syslog.is_some() as u8;
            if transports != 1 {
                return Err(at("smtp|webhook|syslog", "give exactly one".into()));
            }
            if let Some(s) = &c.smtp {
                if !["starttls", "tls", "none"].contains(&s.security.as_str()) {
                    return Err(at(
                        "smtp.security",
                        format!("{:?} is not starttls, tls or none", s.security),
                    ));
                }
                if s.to.is_empty() {
                    return Err(at("smtp.to", "no recipient".into()));
                }
                if s.user.is_some() != s.password_file.is_some() {
                    return Err(at("smtp.user", "user and password_file go together".into()));
                }
            }
            if let Some(w) = &c.webhook {
                let local = ["http://127.", "http://localhost", "http://[::1]"]
                    .iter()
                    .any(|p| w.url.starts_with(p));
                if !w.url.starts_with("https://") && !local {
                    return Err(at(
                        "webhook.url",
                        "https:// (http:// only to this machine)".into(),
                    ));
                }
            }
            if let Some(s) = &c.syslog {
                if !["cef", "json"].contains(&s.format.as_str()) {
                    return Err(at(
                        "syslog.format",
                        format!("{:?} is not cef or json", s.format),
                    ));
                }
                if s.facility > 23 {
                    return Err(at("syslog.facility", "0 to 23".into()));
                }
                if !s.address.contains(':') {
                    return Err(at("syslog.address", "host:port".into()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NotifyConfig, String> {
        let c: NotifyConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.check().map(|()| c)
    }

    #[test]
    fn channels_are_checked_naming_what_is_wrong() {
        let ok = parse(
            r#"dashboard_url = "https://soc.example"
            [[channels]]
            name = "cert"
            [channels.syslog]
            address = "siem.example:6514""#,
        )
        .unwrap();
        assert_eq!(ok.channels[0].syslog.as_ref().unwrap().format, "cef");
        for (text, needle) in [
            ("[[channels]]\nname = \"a\"", "exactly one"),
            ("[[channels]]\nname = \"a\"\nlanguage = \"de\"\n[channels.syslog]\naddress = \"h:1\"", "language"),
            ("[[channels]]\nname = \"a\"\nmin_severity = \"urgent\"\n[channels.syslog]\naddress = \"h:1\"", "min_severity"),
            ("[[channels]]\nname = \"a\"\n[channels.webhook]\nurl = \"http://example.org/x\"\nsecret_file = \"/s\"", "webhook.url"),
            ("[[channels]]\nname = \"a\"\n[channels.smtp]\nserver = \"m\"\nfrom = \"a@b\"\nto = []", "smtp.to"),
            ("[[channels]]\nname = \"a\"\n[channels.syslog]\naddress = \"h:1\"\nfromat = \"cef\"", "fromat"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }
}
