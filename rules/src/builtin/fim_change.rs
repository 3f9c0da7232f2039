//! Alerts on every change under a watched path, with the severity the path was given —
//! except changes made by a package manager and the scripts it runs (`PackageManager`):
//! an upgrade rewrites dozens of watched files, and an alert for each would bury the one
//! that matters. Those changes stay stored and searchable, the rules that matter for
//! them (accounts, units, setuid) say so themselves, and a package installed from a file
//! rather than a repository is its own alert.

use std::sync::Arc;
use vigie_model::i18n::{fill, Lang, Msg};

use vigie_model::event::field;
use vigie_model::{Category, Event};

use crate::detection::{Detection, RuleInfo, Severity};
use crate::detector::Detector;

/// Stable id of the built-in file integrity rule.
pub(super) const FIM_CHANGE_RULE_ID: &str = "9a1f3c52-6f1e-4d0b-9a43-1c0f2d7e5b01";

/// The built-in file integrity rule.
pub struct FimChange {
    rule: Arc<RuleInfo>,
}

impl FimChange {
    /// The rule, ready to evaluate.
    pub fn new() -> FimChange {
        FimChange {
            rule: Arc::new(RuleInfo {
                id: FIM_CHANGE_RULE_ID.to_string(),
                title: "File change under a watched path".to_string(),
                title_fr: "Modification de fichier sous un chemin surveillé".to_string(),
                level: Severity::Medium,
                tags: vec!["attack.t1565.001".to_string()],
                author: "Vigie".to_string(),
                description_fr: "Un fichier surveillé a été créé, modifié, supprimé, renommé ou a vu ses attributs changer."
                    .to_string(),
                guidance: "Check the change against planned work (the event gives the old and new SHA-256, who wrote it and with which program); restore the file from a good copy if nobody planned it.".to_string(),
                guidance_fr: "Confronter le changement aux travaux prévus (l'événement donne l'ancien et le nouveau SHA-256, qui a écrit et avec quel programme)\u{a0}; restaurer le fichier depuis une copie saine si personne ne l'a prévu.".to_string(),
            }),
        }
    }
}

/// A file event's action in words (the action itself when unknown).
fn action_words(lang: Lang, action: &str) -> String {
    let msg = match action {
        "created" => Msg::FileActionCreated,
        "modified" => Msg::FileActionModified,
        "deleted" => Msg::FileActionDeleted,
        "renamed" => Msg::FileActionRenamed,
        "attributes_changed" => Msg::FileActionAttributes,
        other => return other.to_string(),
    };
    msg.text(lang).to_string()
}

impl Default for FimChange {
    fn default() -> FimChange {
        FimChange::new()
    }
}

impl Detector for FimChange {
    fn describe(&self) -> Vec<(Arc<RuleInfo>, String)> {
        vec![(
            self.rule.clone(),
            "A watched file was created, changed, deleted, renamed or had its attributes changed."
                .into(),
        )]
    }

    fn evaluate(&self, event: &Event, out: &mut Vec<Detection>) {
        if event.category != Category::FileEvent.as_str() {
            return;
        }
        let Some(path) = event.str_field(field::TARGET_FILENAME) else {
            return;
        };
        if event.fields.contains_key(field::PACKAGE_MANAGER) {
            return;
        }
        let action = event.str_field(field::ACTION).unwrap_or("changed");
        let severity = event
            .str_field(field::WATCH_SEVERITY)
            .and_then(Severity::parse)
            .unwrap_or(self.rule.level);
        let said = |lang: Lang| {
            let action = action_words(lang, action);
            match event.str_field(field::PREVIOUS_FILENAME) {
                Some(from) => fill(
                    lang,
                    Msg::SummaryFileRenamed,
                    &[("action", &action), ("from", &from), ("path", &path)],
                ),
                None => fill(
                    lang,
                    Msg::SummaryFileAction,
                    &[("action", &action), ("path", &path)],
                ),
            }
        };
        out.push(Detection {
            rule: self.rule.clone(),
            severity,
            summary: said(Lang::En),
            summary_fr: said(Lang::Fr),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(category: &str, fields: serde_json::Value) -> Event {
        Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq: 1,
            ts: 1,
            category: category.into(),
            fields: fields.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn fires_on_file_events_with_the_paths_severity() {
        let mut out = Vec::new();
        let e = event(
            "file_event",
            json!({"TargetFilename": "/etc/shadow", "Action": "modified", "WatchSeverity": "critical"}),
        );
        FimChange::new().evaluate(&e, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Critical);
        assert_eq!(out[0].summary, "modified /etc/shadow");
        assert_eq!(out[0].rule.author, "Vigie");
    }

    #[test]
    fn ignores_other_categories_and_defaults_severity() {
        let mut out = Vec::new();
        let rule = FimChange::new();
        rule.evaluate(
            &event("process_creation", json!({"TargetFilename": "/x"})),
            &mut out,
        );
        assert!(out.is_empty());
        rule.evaluate(
            &event(
                "file_event",
                json!({"TargetFilename": "/x", "PreviousFilename": "/y", "Action": "renamed"}),
            ),
            &mut out,
        );
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].summary, "renamed /y -> /x");
    }

    #[test]
    fn leaves_changes_made_under_a_package_manager_to_the_rules() {
        let mut out = Vec::new();
        let e = event(
            "file_event",
            json!({"TargetFilename": "/etc/ssh/sshd_config", "Action": "modified", "PackageManager": "dpkg"}),
        );
        FimChange::new().evaluate(&e, &mut out);
        assert!(out.is_empty());
    }
}
