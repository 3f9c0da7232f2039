//! Vigie's own rule pack: Sigma rules written by us, shipped inside the binary, with
//! French and English titles. Each file carries `vigie_tests` (events that must fire it
//! and events that must not), checked by the tests below.

use crate::sigma::{parse_file, Parsed};

/// The pack's files: name and text.
pub const FILES: &[(&str, &str)] = &[
    ("log_ssh.yml", include_str!("../pack/log_ssh.yml")),
    (
        "log_privilege.yml",
        include_str!("../pack/log_privilege.yml"),
    ),
    (
        "log_tampering.yml",
        include_str!("../pack/log_tampering.yml"),
    ),
    ("web_attacks.yml", include_str!("../pack/web_attacks.yml")),
    (
        "proc_masquerading.yml",
        include_str!("../pack/proc_masquerading.yml"),
    ),
    (
        "net_shell_connection.yml",
        include_str!("../pack/net_shell_connection.yml"),
    ),
    (
        "proc_local_package.yml",
        include_str!("../pack/proc_local_package.yml"),
    ),
    (
        "read_sensitive_files.yml",
        include_str!("../pack/read_sensitive_files.yml"),
    ),
    (
        "fim_account_files.yml",
        include_str!("../pack/fim_account_files.yml"),
    ),
    ("fim_sudoers.yml", include_str!("../pack/fim_sudoers.yml")),
    ("fim_ssh.yml", include_str!("../pack/fim_ssh.yml")),
    (
        "fim_authorized_keys.yml",
        include_str!("../pack/fim_authorized_keys.yml"),
    ),
    ("fim_cron.yml", include_str!("../pack/fim_cron.yml")),
    ("fim_systemd.yml", include_str!("../pack/fim_systemd.yml")),
    (
        "fim_ld_preload.yml",
        include_str!("../pack/fim_ld_preload.yml"),
    ),
    ("fim_webshell.yml", include_str!("../pack/fim_webshell.yml")),
    (
        "fim_log_tampering.yml",
        include_str!("../pack/fim_log_tampering.yml"),
    ),
    (
        "proc_reverse_shell.yml",
        include_str!("../pack/proc_reverse_shell.yml"),
    ),
    (
        "proc_download_execute.yml",
        include_str!("../pack/proc_download_execute.yml"),
    ),
    (
        "proc_exec_tmp.yml",
        include_str!("../pack/proc_exec_tmp.yml"),
    ),
    ("proc_miner.yml", include_str!("../pack/proc_miner.yml")),
    ("net_scans.yml", include_str!("../pack/net_scans.yml")),
    (
        "net_new_listener.yml",
        include_str!("../pack/net_new_listener.yml"),
    ),
    (
        "proc_credential_access.yml",
        include_str!("../pack/proc_credential_access.yml"),
    ),
    (
        "proc_defense_evasion.yml",
        include_str!("../pack/proc_defense_evasion.yml"),
    ),
    (
        "proc_privilege_escalation.yml",
        include_str!("../pack/proc_privilege_escalation.yml"),
    ),
    ("proc_impact.yml", include_str!("../pack/proc_impact.yml")),
    (
        "proc_staged_execution.yml",
        include_str!("../pack/proc_staged_execution.yml"),
    ),
    (
        "proc_archive_upload.yml",
        include_str!("../pack/proc_archive_upload.yml"),
    ),
    (
        "net_listener_inbound.yml",
        include_str!("../pack/net_listener_inbound.yml"),
    ),
    (
        "proc_shell_upgrade.yml",
        include_str!("../pack/proc_shell_upgrade.yml"),
    ),
    (
        "proc_exfiltration.yml",
        include_str!("../pack/proc_exfiltration.yml"),
    ),
    (
        "proc_discovery_burst.yml",
        include_str!("../pack/proc_discovery_burst.yml"),
    ),
];

/// Every rule and correlation of the pack, compiled.
pub fn load() -> Parsed {
    let mut all = Parsed::default();
    for (name, text) in FILES {
        let parsed = parse_file(text, &format!("pack/{name}"));
        // The tests below keep every pack rule compiling; a failure here is a bug.
        assert!(
            parsed.errors.is_empty(),
            "built-in rule pack: {:?}",
            parsed.errors
        );
        all.rules.extend(parsed.rules);
        all.correlations.extend(parsed.correlations);
    }
    all
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use super::*;
    use crate::sigma::{assemble, Limits};

    /// Examples: a list of events (or of `{sequence: [...]}`), or `{repeat: N, event:
    /// {...}}` where `{i}` in a value is replaced by the event's number (for
    /// correlations).
    fn examples(v: &Value) -> Vec<Vec<Map<String, Value>>> {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|e| match e.get("sequence") {
                    Some(_) => examples(e).remove(0),
                    None => vec![e.as_object().unwrap().clone()],
                })
                .collect(),
            // Different events in order, one example (for ordered correlations); an
            // entry may itself be `{repeat: N, event: {...}}`.
            Value::Object(o) if o.get("sequence").is_some() => vec![o["sequence"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|e| match e.get("repeat") {
                    Some(_) => examples(e).remove(0),
                    None => vec![e.as_object().unwrap().clone()],
                })
                .collect()],
            Value::Object(o) => {
                let n = o["repeat"].as_u64().unwrap();
                let template = serde_json::to_string(&o["event"]).unwrap();
                vec![(0..n)
                    .map(|i| {
                        serde_json::from_str::<Map<String, Value>>(
                            &template.replace("{i}", &i.to_string()),
                        )
                        .unwrap()
                    })
                    .collect()]
            }
            other => panic!("bad examples: {other}"),
        }
    }

    #[test]
    fn every_pack_rule_fires_on_its_examples_and_only_those() {
        let mut ids = std::collections::HashSet::new();
        let all = load();
        for (name, text) in FILES {
            let parsed = parse_file(text, name);
            assert!(parsed.errors.is_empty(), "{name}: {:?}", parsed.errors);
            let docs: Vec<Value> = serde_saphyr::from_multiple(text).unwrap();
            let infos = parsed
                .rules
                .iter()
                .map(|r| &r.info)
                .chain(parsed.correlations.iter().map(|c| &c.info));
            for info in infos {
                assert!(ids.insert(info.id.clone()), "{name}: duplicate id");
                assert_ne!(info.title, info.title_fr, "{name}: needs a French title");
                assert!(
                    !info.description_fr.is_empty(),
                    "{name}: {} needs a French description",
                    info.title
                );
                assert_eq!(
                    vigie_model::i18n::unspaced_punctuation(&info.description_fr),
                    None,
                    "{name}: French puts a no-break space before ; : ! ?"
                );
                if info.level != crate::Severity::Informational {
                    assert!(
                        !info.guidance.is_empty() && !info.guidance_fr.is_empty(),
                        "{name}: {} needs what to do next, in both languages",
                        info.title
                    );
                    assert_eq!(
                        vigie_model::i18n::unspaced_punctuation(&info.guidance_fr),
                        None,
                        "{name}: French puts a no-break space before ; : ! ?"
                    );
                }
                assert!(
                    info.tags.iter().any(|t| t.starts_with("attack.t")),
                    "{name}: needs an ATT&CK technique"
                );
                assert_eq!(info.author, "Vigie");
            }
            for doc in docs.iter().filter(|d| d.get("vigie_tests").is_some()) {
                let id = doc["id"].as_str().unwrap();
                let fires = |events: &[Map<String, Value>]| -> bool {
                    // A fresh pack for each sequence, so correlation state starts empty.
                    let fresh = load();
                    let (standalone, correlator, errors) =
                        assemble(fresh.rules, fresh.correlations, Limits::default());
                    assert!(errors.is_empty(), "{errors:?}");
                    // Through the rule set, as the collector runs them (prefilter included).
                    let standalone = crate::sigma::RuleSet::new(standalone);
                    let mut fired = false;
                    for (i, e) in events.iter().enumerate() {
                        fired = standalone.matches(e).iter().any(|r| r.info.id == id)
                            || correlator
                                .observe(e, i as u64)
                                .iter()
                                .any(|(info, _, _)| info.id == id);
                    }
                    fired
                };
                for events in examples(&doc["vigie_tests"]["match"]) {
                    assert!(
                        fires(&events),
                        "{name}/{id} should fire on {:?}",
                        events.last()
                    );
                }
                for events in examples(&doc["vigie_tests"]["no_match"]) {
                    assert!(
                        !fires(&events),
                        "{name}/{id} should not fire on {:?}",
                        events.last()
                    );
                }
            }
        }
        let (_, correlator, errors) = assemble(all.rules, all.correlations, Limits::default());
        assert!(errors.is_empty() && correlator.len() == 11, "{errors:?}");
    }
}
