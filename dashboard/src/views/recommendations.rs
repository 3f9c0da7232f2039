//! The recommendations a report proposes by default, after the analyst's own: one per
//! ATT&CK technique seen (techniques that call for the same action share one, naming
//! each id seen), then one per tactic whose alerts carry no technique we advise on,
//! then the open alerts and the silent agents. Written for the techniques the pack's
//! rules carry; a rule from outside tagged with another technique still gets its
//! tactic's advice.

use vigie_model::i18n::{t, Lang, Msg};

use crate::queries::report::ReportData;

/// What to do about a parent technique (`T1098` covers `T1098.004`).
const BY_TECHNIQUE: &[(&str, Msg)] = &[
    ("T1098", Msg::RecommendAccountKeys),
    ("T1136", Msg::RecommendAccounts),
    ("T1078", Msg::RecommendAccounts),
    ("T1110", Msg::RecommendBruteForce),
    ("T1548", Msg::RecommendSudo),
    ("T1505", Msg::RecommendWebShell),
    ("T1190", Msg::RecommendWebShell),
    ("T1210", Msg::RecommendExposedService),
    ("T1105", Msg::RecommendToolTransfer),
    ("T1204", Msg::RecommendToolTransfer),
    ("T1059", Msg::RecommendExecution),
    ("T1036", Msg::RecommendMasquerading),
    ("T1574", Msg::RecommendPreload),
    ("T1562", Msg::RecommendImpairedDefences),
    ("T1070", Msg::RecommendLogsCleared),
    ("T1222", Msg::RecommendPermissions),
    ("T1053", Msg::RecommendPersistence),
    ("T1543", Msg::RecommendPersistence),
    ("T1546", Msg::RecommendPersistence),
    ("T1003", Msg::RecommendCredentials),
    ("T1552", Msg::RecommendCredentials),
    ("T1555", Msg::RecommendCredentials),
    ("T1082", Msg::RecommendDiscovery),
    ("T1033", Msg::RecommendDiscovery),
    ("T1057", Msg::RecommendDiscovery),
    ("T1049", Msg::RecommendDiscovery),
    ("T1016", Msg::RecommendDiscovery),
    ("T1018", Msg::RecommendDiscovery),
    ("T1046", Msg::RecommendScanning),
    ("T1595", Msg::RecommendScanning),
    ("T1021", Msg::RecommendLateral),
    ("T1571", Msg::RecommendUnusualPorts),
    ("T1095", Msg::RecommendUnusualPorts),
    ("T1205", Msg::RecommendUnusualPorts),
    ("T1071", Msg::RecommendCommand),
    ("T1048", Msg::RecommendExfiltration),
    ("T1041", Msg::RecommendExfiltration),
    ("T1567", Msg::RecommendExfiltration),
    ("T1560", Msg::RecommendExfiltration),
    ("T1005", Msg::RecommendExfiltration),
    ("T1485", Msg::RecommendImpact),
    ("T1486", Msg::RecommendImpact),
    ("T1561", Msg::RecommendImpact),
    ("T1496", Msg::RecommendResources),
    ("T1498", Msg::RecommendResources),
];

/// What to do about a tactic, for alerts without a technique listed above.
const BY_TACTIC: &[(&str, Msg)] = &[
    ("attack.execution", Msg::RecommendExecution),
    ("attack.persistence", Msg::RecommendPersistence),
    ("attack.privilege_escalation", Msg::RecommendPrivilege),
    ("attack.defense_evasion", Msg::RecommendEvasion),
    ("attack.credential_access", Msg::RecommendCredentials),
    ("attack.discovery", Msg::RecommendDiscovery),
    ("attack.lateral_movement", Msg::RecommendLateral),
    ("attack.command_and_control", Msg::RecommendCommand),
    ("attack.exfiltration", Msg::RecommendExfiltration),
    ("attack.impact", Msg::RecommendImpact),
];

/// One recommendation: the advice and the technique ids that call for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The advice.
    pub msg: Msg,
    /// The techniques seen that it answers (`T1098.004`), empty for general advice.
    pub techniques: Vec<String>,
}

impl Recommendation {
    /// The advice in `lang`, followed by the techniques it answers.
    pub fn text(&self, lang: Lang) -> String {
        let advice = t(lang, self.msg);
        if self.techniques.is_empty() {
            advice.to_string()
        } else {
            format!("{advice} ({})", self.techniques.join(", "))
        }
    }
}

/// The default recommendations for `data`, most pressing first.
pub fn defaults(data: &ReportData) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    let open = data.by_status.get("new").copied().unwrap_or(0)
        + data.by_status.get("acknowledged").copied().unwrap_or(0);
    if open > 0 {
        out.push(general(Msg::RecommendDefault));
    }
    for id in data.techniques.keys() {
        let Some(msg) = advice_for(id) else { continue };
        match out.iter_mut().find(|r| r.msg == msg) {
            Some(r) => r.techniques.push(id.clone()),
            None => out.push(Recommendation {
                msg,
                techniques: vec![id.clone()],
            }),
        }
    }
    for (tactic, msg) in BY_TACTIC {
        let unadvised = data.alerts.iter().any(|a| {
            a.tags.iter().any(|t| t.eq_ignore_ascii_case(tactic))
                && crate::attack::techniques(&a.tags)
                    .iter()
                    .all(|(id, _)| advice_for(id).is_none())
        });
        if unadvised && !out.iter().any(|r| r.msg == *msg) {
            out.push(general(*msg));
        }
    }
    if !data.silent_agents.is_empty() {
        out.push(general(Msg::RecommendSilent));
    }
    out
}

fn general(msg: Msg) -> Recommendation {
    Recommendation {
        msg,
        techniques: Vec::new(),
    }
}

/// The advice for a technique id (`T1098.004` → that of `T1098`).
fn advice_for(id: &str) -> Option<Msg> {
    let parent = id.split('.').next().unwrap_or(id);
    BY_TECHNIQUE
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(parent))
        .map(|(_, msg)| *msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_technique_the_pack_carries_has_advice() {
        let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/pack");
        for entry in std::fs::read_dir(pack).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
                let Some(id) = word.strip_prefix("attack.t") else {
                    continue;
                };
                if id.starts_with(|c: char| c.is_ascii_digit()) {
                    assert!(
                        advice_for(&format!("T{id}")).is_some(),
                        "{}: attack.t{id} has no recommendation",
                        path.display()
                    );
                }
            }
        }
    }

    #[test]
    fn techniques_that_share_an_action_share_one_recommendation() {
        assert_eq!(advice_for("T1098.004"), Some(Msg::RecommendAccountKeys));
        assert_eq!(advice_for("t1136.001"), advice_for("T1078"));
        assert_eq!(advice_for("T9999"), None);
        let r = Recommendation {
            msg: Msg::RecommendAccounts,
            techniques: vec!["T1078".into(), "T1136.001".into()],
        };
        assert!(r.text(Lang::Fr).ends_with("(T1078, T1136.001)"));
    }
}
