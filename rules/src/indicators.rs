//! Threat-indicator lists: SHA-256 hashes, IP addresses and networks, domain names, one
//! per line (`#` starts a comment). Matched against `Sha256`, `DestinationIp`,
//! `DestinationHostname` and `QueryName`; an alert names the list and the indicator.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use vigie_model::i18n::{both, Msg};

use serde_json::Value;
use vigie_model::event::field;
use vigie_model::Event;

use crate::detection::{Detection, RuleInfo, Severity};
use crate::detector::Detector;
use crate::document::Document;
use crate::sigma::RuleError;

/// One list.
#[derive(Debug, Clone)]
pub struct IndicatorList {
    info: Arc<RuleInfo>,
    hashes: HashSet<String>,
    addresses: HashSet<IpAddr>,
    networks: Vec<(IpAddr, u8)>,
    domains: HashSet<String>,
}

/// The indicator an event matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The event field that matched.
    pub field: &'static str,
    /// The indicator as listed.
    pub indicator: String,
}

fn is_domain(text: &str) -> bool {
    text.contains('.')
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

impl IndicatorList {
    /// Parses a list named `name` (from `origin`). Every unreadable line is reported
    /// with its number; the list is refused if any line is wrong.
    pub fn parse(name: &str, origin: &str, text: &str) -> Result<IndicatorList, Vec<RuleError>> {
        let mut list = IndicatorList {
            info: Arc::new(RuleInfo {
                id: format!("ioc:{name}"),
                title: format!("Threat indicator from list {name}"),
                title_fr: format!("Indicateur de menace de la liste {name}"),
                level: Severity::High,
                tags: vec!["vigie.ioc".into()],
                author: "Vigie".into(),
                description_fr: format!("Un événement désigne un indicateur de la liste {name}."),
                guidance: "Find which program on the host reached the indicator (the event's Image) and since when; block it at the firewall and look for it in the other servers' events.".into(),
                guidance_fr: "Identifier quel programme de l'hôte a joint l'indicateur (Image de l'événement) et depuis quand\u{a0}; le bloquer au pare-feu et le rechercher dans les événements des autres serveurs.".into(),
            }),
            hashes: HashSet::new(),
            addresses: HashSet::new(),
            networks: Vec::new(),
            domains: HashSet::new(),
        };
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let lower = line.to_ascii_lowercase();
            if vigie_model::hex::is_sha256(&lower) {
                list.hashes.insert(lower);
            } else if let Ok(ip) = line.parse::<IpAddr>() {
                list.addresses.insert(ip);
            } else if let Some(net) = line
                .contains('/')
                .then(|| crate::net::parse_network(line).ok())
                .flatten()
            {
                list.networks.push(net);
            } else if is_domain(&lower) {
                list.domains.insert(lower.trim_end_matches('.').to_string());
            } else {
                let mut e = RuleError::new(
                    origin,
                    format!("{line:?} is not a SHA-256, an IP address, a network or a domain"),
                );
                e.line = Some(i + 1);
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(list)
        } else {
            Err(errors)
        }
    }

    /// How many indicators the list holds.
    pub fn len(&self) -> usize {
        self.hashes.len() + self.addresses.len() + self.networks.len() + self.domains.len()
    }

    /// True when the list holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first indicator `doc` matches, if any.
    pub fn hit(&self, doc: &dyn Document) -> Option<Hit> {
        let text = |field: &str| {
            doc.get(field)
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        };
        if let Some(hash) = text("Sha256").filter(|h| self.hashes.contains(h)) {
            return Some(Hit {
                field: "Sha256",
                indicator: hash,
            });
        }
        if let Some(ip) = text(field::DESTINATION_IP).and_then(|t| t.parse::<IpAddr>().ok()) {
            if self.addresses.contains(&ip) {
                return Some(Hit {
                    field: field::DESTINATION_IP,
                    indicator: ip.to_string(),
                });
            }
            if let Some(net) = self
                .networks
                .iter()
                .find(|(n, b)| crate::net::in_network(ip, *n, *b))
            {
                return Some(Hit {
                    field: field::DESTINATION_IP,
                    indicator: format!("{}/{}", net.0, net.1),
                });
            }
        }
        for field in [field::DESTINATION_HOSTNAME, field::QUERY_NAME] {
            let Some(name) = text(field) else { continue };
            let name = name.trim_end_matches('.');
            // A listed domain covers its subdomains.
            let mut candidate = name;
            loop {
                if self.domains.contains(candidate) {
                    return Some(Hit {
                        field,
                        indicator: candidate.to_string(),
                    });
                }
                match candidate.split_once('.') {
                    Some((_, parent)) if parent.contains('.') => candidate = parent,
                    _ => break,
                }
            }
        }
        None
    }
}

impl Detector for IndicatorList {
    fn describe(&self) -> Vec<(Arc<RuleInfo>, String)> {
        vec![(
            self.info.clone(),
            format!(
                "An event names an indicator of list {} ({} indicators).",
                self.info.id.trim_start_matches("ioc:"),
                self.len()
            ),
        )]
    }

    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>) {
        if let Some(hit) = self.hit(event) {
            let list = self.info.id.trim_start_matches("ioc:");
            let (summary, summary_fr) = both(
                Msg::SummaryIndicator,
                &[
                    ("field", &hit.field),
                    ("indicator", &hit.indicator),
                    ("list", &list),
                ],
            );
            out.push(Detection {
                rule: self.info.clone(),
                severity: self.info.level,
                summary,
                summary_fr,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIST: &str = "# known bad\n\
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  # empty file\n\
        198.51.100.7\n203.0.113.0/24\n2001:db8::/32\nEvil.Example\n\n";

    fn doc(v: Value) -> serde_json::Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn matches_hashes_addresses_networks_and_domains() {
        let list = IndicatorList::parse("apt-x", "apt-x.ioc", LIST).unwrap();
        assert_eq!(list.len(), 5);
        let hit = list.hit(&doc(json!({"Sha256": "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"}))).unwrap();
        assert_eq!(hit.field, "Sha256");
        assert_eq!(
            list.hit(&doc(json!({"DestinationIp": "203.0.113.9"})))
                .unwrap()
                .indicator,
            "203.0.113.0/24"
        );
        assert!(list
            .hit(&doc(json!({"DestinationIp": "2001:db8::1"})))
            .is_some());
        assert_eq!(
            list.hit(&doc(json!({"QueryName": "c2.evil.example."})))
                .unwrap()
                .indicator,
            "evil.example"
        );
        assert!(list
            .hit(&doc(json!({"DestinationHostname": "notevil.example"})))
            .is_none());
        assert!(list
            .hit(&doc(json!({"DestinationIp": "198.51.100.8"})))
            .is_none());
    }

    #[test]
    fn a_bad_line_is_named() {
        let errors = IndicatorList::parse("x", "x.ioc", "1.2.3.4\nnot an indicator\n").unwrap_err();
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].reason.contains("not an indicator"));
    }
}
