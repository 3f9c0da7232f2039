//! Vigie's own rule pack: Sigma rules written by us, shipped inside the binary, with
//! French and English titles. Each file carries `vigie_tests` (events that must fire it
//! and events that must not), checked by the tests below.

use crate::sigma::{parse_rules, SigmaRule};

/// The pack's files: name and text.
pub const FILES: &[(&str, &str)] = &[
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
];

/// Every rule of the pack, compiled.
pub fn rules() -> Vec<SigmaRule> {
    FILES
        .iter()
        .flat_map(|(name, text)| {
            let (rules, errors) = parse_rules(text, &format!("pack/{name}"));
            // The tests below keep every pack rule compiling; a failure here is a bug.
            assert!(errors.is_empty(), "built-in rule pack: {errors:?}");
            rules
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    #[test]
    fn every_pack_rule_fires_on_its_examples_and_only_those() {
        let mut ids = std::collections::HashSet::new();
        for (name, text) in FILES {
            let (rules, errors) = parse_rules(text, name);
            assert!(errors.is_empty(), "{name}: {errors:?}");
            let rule = &rules[0];
            assert!(ids.insert(rule.info.id.clone()), "{name}: duplicate id");
            assert_ne!(
                rule.info.title, rule.info.title_fr,
                "{name}: needs a French title"
            );
            assert!(
                rule.info.tags.iter().any(|t| t.starts_with("attack.t")),
                "{name}: needs an ATT&CK technique"
            );
            assert_eq!(rule.info.author, "Vigie");
            let doc: Value = serde_saphyr::from_str(text).unwrap();
            let examples = &doc["vigie_tests"];
            let hits = examples["match"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no match examples"));
            let misses = examples["no_match"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: no no_match examples"));
            for e in hits {
                assert!(
                    rule.matches(e.as_object().unwrap()),
                    "{name} should fire on {e}"
                );
            }
            for e in misses {
                assert!(
                    !rule.matches(e.as_object().unwrap()),
                    "{name} should not fire on {e}"
                );
            }
        }
        assert_eq!(rules().len(), FILES.len());
    }
}
