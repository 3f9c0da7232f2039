//! The rule folders the collector runs (its config's `rules_dirs`, and `VIGIE_RULES_DIR`
//! for `vigie up`), reloaded when they change: Sigma rules (`.yml`, `.yaml`) and
//! threat-indicator lists (`.ioc`, one indicator per line, named after the file).
//!
//! Folders are polled (path, size and mtime of every file): a new or changed
//! file takes effect without a restart; a file that no longer parses is reported and its
//! previous version stays in force; a removed file's rules go away. Rule files admins
//! write in the dashboard (the `custom_rules` table) are held the same way.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use vigie_rules::indicators::IndicatorList;
use vigie_rules::sigma::{
    assemble, parse_file, Correlation, Limits, Parsed, RuleError, RuleSet, SigmaRule,
};
use vigie_rules::Engine;
use vigie_store::rows::CustomRuleRow;

/// Every `.yml`/`.yaml` file under `path` (or `path` itself), sorted.
pub fn rule_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    files_with(path, &["yml", "yaml"])
}

/// Every rule or indicator file under `path` (or `path` itself), sorted.
pub fn library_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    files_with(path, &["yml", "yaml", "ioc"])
}

fn files_with(path: &Path, extensions: &[&str]) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and parses one rule file (detection and correlation rules).
pub fn load_file(file: &Path) -> Parsed {
    let origin = file.display().to_string();
    match std::fs::read_to_string(file) {
        Ok(text) => parse_file(&text, &origin),
        Err(e) => Parsed {
            errors: vec![RuleError::new(&origin, format!("cannot read: {e}"))],
            ..Parsed::default()
        },
    }
}

#[derive(Default)]
struct Loaded {
    signature: (Option<SystemTime>, u64),
    rules: Vec<SigmaRule>,
    correlations: Vec<Correlation>,
    lists: Vec<IndicatorList>,
}

/// Loads a rule file or an indicator list; returns it and its problems.
fn load_any(file: &Path, signature: (Option<SystemTime>, u64)) -> (Loaded, Vec<RuleError>) {
    if file.extension().is_some_and(|e| e == "ioc") {
        let origin = file.display().to_string();
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = std::fs::read_to_string(file)
            .map_err(|e| vec![RuleError::new(&origin, format!("cannot read: {e}"))])
            .and_then(|text| IndicatorList::parse(&name, &origin, &text));
        return match result {
            Ok(list) => (
                Loaded {
                    signature,
                    lists: vec![list],
                    ..Loaded::default()
                },
                Vec::new(),
            ),
            Err(errors) => (
                Loaded {
                    signature,
                    ..Loaded::default()
                },
                errors,
            ),
        };
    }
    let parsed = load_file(file);
    let loaded = Loaded {
        signature,
        rules: parsed.rules,
        correlations: parsed.correlations,
        lists: Vec::new(),
    };
    (loaded, parsed.errors)
}

/// What a refresh found.
#[derive(Debug, Default)]
pub struct Refresh {
    /// Whether the rules in force changed.
    pub changed: bool,
    /// Rules from the folders in force now.
    pub rules: usize,
    /// Rules written in the dashboard in force now.
    pub dashboard_rules: usize,
    /// Indicator lists in force now.
    pub indicator_lists: usize,
    /// Problems found in changed files (their previous versions stay in force).
    pub errors: Vec<RuleError>,
}

/// The rule folders and what was loaded from them.
pub struct RuleLibrary {
    dirs: Vec<PathBuf>,
    files: BTreeMap<PathBuf, Loaded>,
    /// Rule files written in the dashboard, by file id (their version is the signature's
    /// length).
    stored: BTreeMap<String, Loaded>,
}

impl RuleLibrary {
    /// A library over `dirs`; nothing is loaded until [`RuleLibrary::refresh`].
    pub fn new(dirs: Vec<PathBuf>) -> RuleLibrary {
        RuleLibrary {
            dirs,
            files: BTreeMap::new(),
            stored: BTreeMap::new(),
        }
    }

    /// Like [`RuleLibrary::refresh`], and puts in force the rule files written in the
    /// dashboard: `stored` holds the latest version of each (deleted ones included, to
    /// be removed), or is `None` when they could not be read (those in force stay). A
    /// stored file that no longer parses keeps its previous version, like a folder's.
    pub fn refresh_with(&mut self, stored: Option<Vec<CustomRuleRow>>) -> Refresh {
        let mut refresh = self.refresh();
        let Some(rows) = stored else {
            return refresh;
        };
        let live: HashSet<&str> = rows
            .iter()
            .filter(|r| r.deleted == 0)
            .map(|r| r.file_id.as_str())
            .collect();
        let before = self.stored.len();
        self.stored.retain(|id, _| live.contains(id.as_str()));
        refresh.changed |= self.stored.len() != before;
        for row in rows.iter().filter(|r| r.deleted == 0) {
            let signature = (None, row.updated_ms);
            if self
                .stored
                .get(&row.file_id)
                .is_some_and(|l| l.signature == signature)
            {
                continue;
            }
            let parsed = parse_file(&row.yaml, &format!("dashboard:{}", row.file_id));
            if parsed.errors.is_empty() || !self.stored.contains_key(&row.file_id) {
                refresh.changed = true;
                let loaded = Loaded {
                    signature,
                    rules: parsed.rules,
                    correlations: parsed.correlations,
                    lists: Vec::new(),
                };
                self.stored.insert(row.file_id.clone(), loaded);
            } else if let Some(previous) = self.stored.get_mut(&row.file_id) {
                previous.signature = signature;
            }
            refresh.errors.extend(parsed.errors);
        }
        refresh.dashboard_rules = self
            .stored
            .values()
            .map(|l| l.rules.len() + l.correlations.len())
            .sum::<usize>();
        refresh
    }

    /// The ids of the rules written in the dashboard that are in force.
    pub fn stored_ids(&self) -> HashSet<String> {
        self.stored
            .values()
            .flat_map(|l| {
                let rules = l.rules.iter().map(|r| r.info.id.clone());
                rules.chain(l.correlations.iter().map(|c| c.info.id.clone()))
            })
            .collect()
    }

    /// Everything loaded: the folders' files, then the dashboard's.
    fn all_loaded(&self) -> impl Iterator<Item = &Loaded> {
        self.files.values().chain(self.stored.values())
    }

    /// Looks for new, changed and removed files and loads what changed.
    pub fn refresh(&mut self) -> Refresh {
        let mut refresh = Refresh::default();
        let mut seen = Vec::new();
        for dir in &self.dirs {
            let files = match library_files(dir) {
                Ok(f) => f,
                Err(e) => {
                    refresh.errors.push(RuleError::new(
                        &dir.display().to_string(),
                        format!("cannot read the rule folder: {e}"),
                    ));
                    // Keep what was loaded from an unreadable folder rather than drop it.
                    seen.extend(self.files.keys().filter(|p| p.starts_with(dir)).cloned());
                    continue;
                }
            };
            for file in files {
                let signature = std::fs::metadata(&file)
                    .map(|m| (m.modified().ok(), m.len()))
                    .unwrap_or((None, 0));
                seen.push(file.clone());
                if self
                    .files
                    .get(&file)
                    .is_some_and(|l| l.signature == signature)
                {
                    continue;
                }
                let (loaded, errors) = load_any(&file, signature);
                if errors.is_empty() || !self.files.contains_key(&file) {
                    refresh.changed = true;
                    self.files.insert(file, loaded);
                } else if let Some(previous) = self.files.get_mut(&file) {
                    // Broken now: keep the previous version, and do not report it again
                    // until the file changes once more.
                    previous.signature = signature;
                }
                refresh.errors.extend(errors);
            }
        }
        let before = self.files.len();
        self.files.retain(|path, _| seen.contains(path));
        refresh.changed |= self.files.len() != before;
        refresh.rules = self
            .files
            .values()
            .map(|l| l.rules.len() + l.correlations.len())
            .sum();
        refresh.indicator_lists = self.files.values().map(|l| l.lists.len()).sum();
        refresh
    }

    /// The folders it reads.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The rule and indicator files loaded, by path (`dashboard:ID` for those written in
    /// the dashboard).
    pub fn files(&self) -> Vec<String> {
        let folders = self.files.keys().map(|p| p.display().to_string());
        folders
            .chain(self.stored.keys().map(|id| format!("dashboard:{id}")))
            .collect()
    }

    /// Everything loaded with where it comes from: the folders' files, then the
    /// dashboard's.
    fn all_loaded_named(&self) -> impl Iterator<Item = (String, &Loaded)> {
        let files = self.files.iter().map(|(p, l)| (p.display().to_string(), l));
        files.chain(
            self.stored
                .iter()
                .map(|(id, l)| (format!("dashboard:{id}"), l)),
        )
    }

    /// The ids of the rules loaded from folders and the dashboard.
    pub fn loaded_ids(&self) -> HashSet<String> {
        self.all_loaded()
            .flat_map(|l| {
                let rules = l.rules.iter().map(|r| r.info.id.clone());
                rules.chain(l.correlations.iter().map(|c| c.info.id.clone()))
            })
            .collect()
    }

    /// An engine with the built-in detectors, Vigie's pack and every rule in force, and
    /// the rules left out: correlations that cannot be resolved, and rules whose id an
    /// earlier file already uses (two rules with one id would raise every alert twice
    /// under one alert id). A rule with the id of one of the pack's replaces it: that is
    /// how a pack rule is tuned (copied into a folder, changed, its id kept).
    pub fn engine(&self) -> (Engine, Vec<RuleError>) {
        let mut errors = Vec::new();
        let mut first_file: HashMap<String, String> = HashMap::new();
        let mut rules = Vec::new();
        let mut correlations = Vec::new();
        for (origin, loaded) in self.all_loaded_named() {
            let mut keep = |id: &str, what: &str| match first_file.get(id) {
                Some(first) => {
                    errors.push(RuleError::new(
                        &origin,
                        format!(
                            "{what} id {id} is already used in {first}; this one is not in force"
                        ),
                    ));
                    false
                }
                None => {
                    first_file.insert(id.to_string(), origin.clone());
                    true
                }
            };
            rules.extend(
                loaded
                    .rules
                    .iter()
                    .filter(|r| keep(&r.info.id, "rule"))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            correlations.extend(
                loaded
                    .correlations
                    .iter()
                    .filter(|c| keep(&c.info.id, "correlation"))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let pack = vigie_rules::pack::load();
        let replaced = |id: &str| {
            let replaced = first_file.contains_key(id);
            if replaced {
                tracing::info!(rule = id, file = %first_file[id], "a pack rule is replaced by a rule of the same id");
            }
            replaced
        };
        rules.extend(pack.rules.into_iter().filter(|r| !replaced(&r.info.id)));
        correlations.extend(
            pack.correlations
                .into_iter()
                .filter(|c| !replaced(&c.info.id)),
        );
        let mut engine = Engine::with_coded();
        let (standalone, correlator, unresolved) = assemble(rules, correlations, Limits::default());
        errors.extend(unresolved);
        engine.add(Box::new(RuleSet::new(standalone)));
        if !correlator.is_empty() {
            engine.add(Box::new(correlator));
        }
        for list in self.all_loaded().flat_map(|l| l.lists.iter()) {
            engine.add(Box::new(list.clone()));
        }
        (engine, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: Shadow read\nid: r1\nlogsource: {category: file_event}\ndetection:\n  sel:\n    TargetFilename: /etc/shadow\n  condition: sel\n";

    /// Alerts `engine` raises for a change of /etc/shadow, by rule id.
    fn shadow_alerts(engine: &Engine) -> Vec<String> {
        let event = vigie_model::Event {
            agent_id: "a".into(),
            hostname: "h".into(),
            seq: 1,
            ts: 1,
            category: "file_event".into(),
            fields: serde_json::json!({"TargetFilename": "/etc/shadow", "Action": "modified", "product": "linux"})
                .as_object()
                .unwrap()
                .clone(),
        };
        let mut ids: Vec<String> = engine
            .evaluate(&event)
            .into_iter()
            .map(|d| d.rule.id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn a_pack_rule_copied_into_a_folder_replaces_it_and_an_id_used_twice_is_refused() {
        const PACK_ACCOUNTS: &str = "1b7e0c2a-4d3f-4e5a-9b6c-7d8e9f0a1b01";
        let pack_only = RuleLibrary::new(Vec::new()).engine().0;
        let before = shadow_alerts(&pack_only);
        assert_eq!(
            before.iter().filter(|id| *id == PACK_ACCOUNTS).count(),
            1,
            "{before:?}"
        );

        let dir = tempfile::tempdir().unwrap();
        let tuned = vigie_rules::pack::FILES
            .iter()
            .find(|(name, _)| *name == "fim_account_files.yml")
            .unwrap()
            .1
            .replace("level: high", "level: low");
        std::fs::write(dir.path().join("a_tuned.yml"), &tuned).unwrap();
        std::fs::write(dir.path().join("b_again.yml"), &tuned).unwrap();
        let mut library = RuleLibrary::new(vec![dir.path().to_path_buf()]);
        assert!(library.refresh().errors.is_empty());
        let (engine, errors) = library.engine();
        assert_eq!(shadow_alerts(&engine), before, "one alert per rule id");
        let tuned_level = engine
            .describe()
            .into_iter()
            .find(|(info, _)| info.id == PACK_ACCOUNTS)
            .map(|(info, _)| info.level.as_str().to_string());
        assert_eq!(
            tuned_level.as_deref(),
            Some("low"),
            "the folder's version is in force"
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        let error = errors[0].to_string();
        assert!(
            error.contains("b_again.yml")
                && error.contains("a_tuned.yml")
                && error.contains(PACK_ACCOUNTS),
            "{error}"
        );
    }

    #[test]
    fn new_changed_broken_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yml");
        std::fs::write(&file, RULE).unwrap();
        let mut library = RuleLibrary::new(vec![dir.path().to_path_buf()]);
        let r = library.refresh();
        assert!(r.changed && r.rules == 1 && r.errors.is_empty(), "{r:?}");
        assert!(!library.refresh().changed, "nothing changed");

        // Broken: reported, previous version stays.
        std::fs::write(&file, RULE.replace("condition: sel", "condition: nope")).unwrap();
        let r = library.refresh();
        assert!(!r.changed && r.rules == 1, "{r:?}");
        assert!(r.errors[0].reason.contains("nope"), "{r:?}");

        // Fixed with a second rule in another file.
        std::fs::write(&file, RULE.replace("/etc/shadow", "/etc/gshadow")).unwrap();
        std::fs::write(dir.path().join("b.yaml"), RULE.replace("r1", "r2")).unwrap();
        let r = library.refresh();
        assert!(r.changed && r.rules == 2 && r.errors.is_empty(), "{r:?}");

        std::fs::remove_file(&file).unwrap();
        let r = library.refresh();
        assert!(r.changed && r.rules == 1, "{r:?}");

        // Indicator lists load from the same folders.
        std::fs::write(
            dir.path().join("apt.ioc"),
            "# c2
198.51.100.7
",
        )
        .unwrap();
        let r = library.refresh();
        assert!(
            r.changed && r.indicator_lists == 1 && r.errors.is_empty(),
            "{r:?}"
        );
        std::fs::write(
            dir.path().join("bad.ioc"),
            "nope nope
",
        )
        .unwrap();
        let r = library.refresh();
        assert_eq!(r.errors[0].line, Some(1), "{r:?}");
    }

    fn stored(id: &str, yaml: &str, version: u64, deleted: u8) -> CustomRuleRow {
        CustomRuleRow {
            file_id: id.into(),
            yaml: yaml.into(),
            rule_ids: vec![id.into()],
            deleted,
            updated_by: "admin".into(),
            updated_ms: version,
        }
    }

    #[test]
    fn rules_written_in_the_dashboard_come_change_break_and_go() {
        let mut library = RuleLibrary::new(Vec::new());
        let r = library.refresh_with(Some(vec![stored("r1", RULE, 1, 0)]));
        assert!(
            r.changed && r.dashboard_rules == 1 && r.errors.is_empty(),
            "{r:?}"
        );
        assert!(library.stored_ids().contains("r1"));
        assert_eq!(library.files(), vec!["dashboard:r1".to_string()]);
        assert!(
            !library
                .refresh_with(Some(vec![stored("r1", RULE, 1, 0)]))
                .changed
        );

        // Unreadable table: those in force stay.
        let r = library.refresh_with(None);
        assert!(!r.changed, "{r:?}");
        assert!(library.stored_ids().contains("r1"));

        // Broken by a newer collector's rules: reported once, the previous one stays.
        let broken = RULE.replace("condition: sel", "condition: nope");
        let r = library.refresh_with(Some(vec![stored("r1", &broken, 2, 0)]));
        assert!(
            !r.changed && r.dashboard_rules == 1 && r.errors.len() == 1,
            "{r:?}"
        );
        assert!(r.errors[0].origin == "dashboard:r1", "{r:?}");

        let r = library.refresh_with(Some(vec![stored("r1", RULE, 3, 1)]));
        assert!(r.changed && r.dashboard_rules == 0, "{r:?}");
        assert!(library.stored_ids().is_empty());
    }
}
