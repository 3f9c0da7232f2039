//! The rules in force in the collector: the engine built from the rule library, the
//! catalogue published for the dashboard, and what the log and the audit trail say of them.

use std::sync::Arc;

use crate::detect;
use crate::ingest::Collector;
use crate::rule_library;

/// The engine for the rules `library` holds; correlations that cannot be resolved are
/// logged and left out.
pub fn build_engine(library: &rule_library::RuleLibrary) -> vigie_rules::Engine {
    let (engine, errors) = library.engine();
    for error in errors {
        tracing::warn!(%error, "rule not in force");
    }
    engine
}

/// What the audit trail says of the rules in force: how many, from which files.
pub fn details(
    engine: &vigie_rules::Engine,
    library: &rule_library::RuleLibrary,
) -> serde_json::Value {
    serde_json::json!({
        "rules": engine.describe().len(),
        "files": library.files(),
    })
}

/// Writes the rules in force to the `rules` table, so the dashboard can describe the
/// rule behind each alert (older versions stay, for older alerts).
pub async fn publish(
    client: &vigie_store::Client,
    engine: &vigie_rules::Engine,
    library: &rule_library::RuleLibrary,
) {
    let now = vigie_model::event::now_ms();
    let source = sources(library.stored_ids(), library.loaded_ids());
    let rows: Vec<vigie_store::rows::RuleRow> = engine
        .describe()
        .into_iter()
        .chain(detect::own_rules())
        .map(|(info, description)| vigie_store::rows::RuleRow {
            source: source(&info.id).into(),
            rule_id: info.id.clone(),
            title: info.title.clone(),
            title_fr: info.title_fr.clone(),
            description,
            description_fr: info.description_fr.clone(),
            guidance: info.guidance.clone(),
            guidance_fr: info.guidance_fr.clone(),
            level: info.level.as_str().into(),
            author: info.author.clone(),
            tags: info.tags.clone(),
            updated_ms: now,
        })
        .collect();
    if let Err(e) = vigie_store::insert_rows(client, "rules", &rows).await {
        tracing::warn!(error = %e, "could not publish the rule catalogue");
    }
}

/// Where a rule comes from, by id: the collector's own, a coded detector, written in the
/// dashboard (`stored`), Vigie's pack unless a loaded rule replaces it (`loaded`), or
/// else a rule folder.
fn sources(
    stored: std::collections::HashSet<String>,
    loaded: std::collections::HashSet<String>,
) -> impl Fn(&str) -> &'static str {
    use vigie_rules::Detector;
    let ids = |described: Vec<(Arc<vigie_rules::RuleInfo>, String)>| {
        described
            .into_iter()
            .map(|(info, _)| info.id.clone())
            .collect::<std::collections::HashSet<_>>()
    };
    let own = ids(detect::own_rules());
    let coded = ids(vigie_rules::builtin::FimChange::new().describe());
    let pack = ids(vigie_rules::Engine::with_builtins().describe());
    move |id| {
        if own.contains(id) {
            "collector"
        } else if coded.contains(id) {
            "built-in"
        } else if stored.contains(id) {
            "dashboard"
        } else if pack.contains(id) && !loaded.contains(id) {
            "pack"
        } else {
            "folder"
        }
    }
}

/// The rule files written in the dashboard, the latest version of each (deleted ones
/// too); `None`, logged, when they cannot be read — those in force then stay.
pub async fn stored(client: &vigie_store::Client) -> Option<Vec<vigie_store::rows::CustomRuleRow>> {
    match client
        .query("SELECT ?fields FROM custom_rules FINAL")
        .fetch_all()
        .await
    {
        Ok(rows) => Some(rows),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the rules written in the dashboard");
            None
        }
    }
}

/// Logs what a refresh of the rule folders found, and how many rules are in force in
/// all (the built-in pack and rules included, not only the folders').
pub fn report(refresh: &rule_library::Refresh, engine: &vigie_rules::Engine) {
    for error in &refresh.errors {
        tracing::warn!(%error, "rule not loaded; any previous version stays in force");
    }
    tracing::info!(
        in_force = engine.describe().len(),
        from_folders = refresh.rules,
        from_dashboard = refresh.dashboard_rules,
        failed = refresh.errors.len(),
        "rules in force"
    );
}

/// Rereads the rule folders (those of the configuration in force: a reload may have
/// changed them) and, when anything changed, puts a new engine in force, publishes the
/// catalogue and records the change in the audit trail.
pub async fn reload_if_changed(c: &Arc<Collector>, library: &mut rule_library::RuleLibrary) {
    let dirs = c.config().rules_dirs;
    let dirs_changed = library.dirs() != dirs.as_slice();
    if dirs_changed {
        *library = rule_library::RuleLibrary::new(dirs);
    }
    let taken = std::mem::replace(library, rule_library::RuleLibrary::new(Vec::new()));
    let rows = stored(&c.client).await;
    let (back, mut refresh) = tokio::task::spawn_blocking(move || {
        let mut taken = taken;
        let refresh = taken.refresh_with(rows);
        (taken, refresh)
    })
    .await
    .expect("rule refresh does not panic: bad rules are returned as errors");
    *library = back;
    refresh.changed |= dirs_changed;
    if refresh.changed {
        c.set_engine(build_engine(library));
        publish(&c.client, &c.engine(), library).await;
        let mut audit_details = details(&c.engine(), library);
        audit_details["errors"] = refresh.errors.iter().map(|e| e.to_string()).collect();
        c.audit
            .note("collector", "rules_changed", "", audit_details)
            .await;
    }
    if refresh.changed || !refresh.errors.is_empty() {
        report(&refresh, &c.engine());
    }
}
