//! The dashboard's French/English catalogue: every word a page, message or error shows.
//! Keys not found here fall back to the shared catalogue of `vigie-model` (the titles of
//! the collector's own rules, for instance). A test checks every key the dashboard's
//! sources use exists in both languages.

pub use vigie_model::Lang;

/// Every message: key, English, French.
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("app_name", "Vigie", "Vigie"),
    ("login_title", "Sign in", "Connexion"),
    ("username", "User name", "Nom d'utilisateur"),
    ("password", "Password", "Mot de passe"),
    ("sign_in", "Sign in", "Se connecter"),
    ("sign_out", "Sign out", "Se déconnecter"),
    (
        "login_failed",
        "Wrong user name or password.",
        "Nom d'utilisateur ou mot de passe incorrect.",
    ),
    (
        "login_throttled",
        "Too many failed attempts; wait a minute and try again.",
        "Trop d'échecs ; attendez une minute puis réessayez.",
    ),
    ("alerts_title", "Alerts", "Alertes"),
    (
        "alerts_empty",
        "No alerts yet.",
        "Aucune alerte pour l'instant.",
    ),
    ("col_time", "Time", "Heure"),
    ("col_severity", "Severity", "Gravité"),
    ("col_host", "Host", "Hôte"),
    ("col_rule", "Rule", "Règle"),
    ("col_file", "File", "Fichier"),
    ("col_action", "Action", "Action"),
    ("action_created", "created", "créé"),
    ("action_modified", "modified", "modifié"),
    ("action_deleted", "deleted", "supprimé"),
    ("action_renamed", "renamed", "renommé"),
    (
        "action_attributes_changed",
        "attributes changed",
        "attributs modifiés",
    ),
    ("not_signed_in", "Sign in first.", "Connectez-vous d'abord."),
    (
        "csrf_failed",
        "The form expired or did not come from this site; reload and try again.",
        "Le formulaire a expiré ou ne vient pas de ce site ; rechargez et réessayez.",
    ),
    (
        "store_unavailable",
        "The event store is unavailable; try again shortly.",
        "La base d'événements est indisponible ; réessayez bientôt.",
    ),
    (
        "bad_limit",
        "limit must be a whole number from 1 to 1000",
        "limit doit être un entier de 1 à 1000",
    ),
    ("language", "Language", "Langue"),
    // Navigation.
    ("nav_overview", "Overview", "Vue d'ensemble"),
    ("nav_alerts", "Alerts", "Alertes"),
    ("nav_fleet", "Agents", "Agents"),
    ("nav_hunt", "Hunt", "Recherche"),
    ("nav_users", "Users", "Utilisateurs"),
    ("nav_tokens", "API tokens", "Jetons d'API"),
    (
        "sign_out_everywhere",
        "Sign out everywhere",
        "Se déconnecter partout",
    ),
    // Roles.
    ("role_admin", "administrator", "administrateur"),
    ("role_analyst", "analyst", "analyste"),
    ("role_auditor", "auditor", "auditeur"),
    // Refusals.
    (
        "forbidden",
        "Your role does not allow this.",
        "Votre rôle ne le permet pas.",
    ),
    ("not_found", "Not found.", "Introuvable."),
    (
        "bad_token",
        "The API token is unknown, revoked or expired.",
        "Le jeton d'API est inconnu, révoqué ou expiré.",
    ),
    (
        "bad_parameter",
        "A parameter has a value that cannot be used",
        "Un paramètre a une valeur inutilisable",
    ),
    (
        "bad_request_body",
        "The request body is not what this endpoint takes",
        "Le corps de la requête n'est pas celui qu'attend ce point d'accès",
    ),
    // Alert queue.
    ("filter", "Filter", "Filtrer"),
    ("filter_severity", "Severity", "Gravité"),
    ("filter_status", "Status", "Statut"),
    ("filter_host", "Host", "Hôte"),
    ("filter_rule", "Rule", "Règle"),
    ("filter_tag", "ATT&CK tag", "Étiquette ATT&CK"),
    ("filter_text", "Text", "Texte"),
    ("filter_from", "From", "Du"),
    ("filter_to", "To", "Au"),
    ("filter_range", "Period", "Période"),
    ("range_24h", "last 24 hours", "dernières 24 heures"),
    ("range_7d", "last 7 days", "7 derniers jours"),
    ("range_30d", "last 30 days", "30 derniers jours"),
    ("range_all", "all time", "depuis le début"),
    ("filter_sort", "Sort", "Tri"),
    ("sort_newest", "newest first", "plus récentes d'abord"),
    ("sort_oldest", "oldest first", "plus anciennes d'abord"),
    ("sort_severity", "most severe first", "plus graves d'abord"),
    ("filter_group", "Group repeats", "Regrouper les répétitions"),
    ("any", "any", "tous"),
    ("all_statuses", "All", "Toutes"),
    ("next_page", "Next page", "Page suivante"),
    ("first_page", "First page", "Première page"),
    ("col_count", "Count", "Nombre"),
    ("col_status", "Status", "Statut"),
    ("col_assignee", "Assignee", "Assignée à"),
    ("col_target", "Subject", "Objet"),
    ("col_summary", "What happened", "Ce qui s'est passé"),
    (
        "new_alerts",
        "new alerts: reload to see them",
        "nouvelles alertes : rechargez pour les voir",
    ),
    (
        "alerts_none_match",
        "No alert matches these filters.",
        "Aucune alerte ne correspond à ces filtres.",
    ),
    ("select_all", "Select all", "Tout sélectionner"),
    // Statuses.
    // Triage.
    ("triage", "Triage", "Tri"),
    (
        "triage_selected",
        "Apply to the selected alerts",
        "Appliquer aux alertes choisies",
    ),
    ("triage_apply", "Apply", "Appliquer"),
    ("triage_action", "Action", "Action"),
    ("act_acknowledge", "acknowledge", "prendre en compte"),
    ("act_assign", "assign", "assigner"),
    ("act_comment", "comment", "commenter"),
    ("act_status", "set status", "changer le statut"),
    ("triage_assignee", "Assign to", "Assigner à"),
    (
        "triage_comment",
        "Comment or reason",
        "Commentaire ou motif",
    ),
    (
        "triage_reason_required",
        "Resolving an alert or calling it a false positive needs a reason.",
        "Résoudre une alerte ou la déclarer faux positif demande un motif.",
    ),
    (
        "triage_nothing_selected",
        "Select at least one alert.",
        "Choisissez au moins une alerte.",
    ),
    (
        "triage_assignee_required",
        "Name the user to assign.",
        "Indiquez l'utilisateur à qui assigner.",
    ),
    (
        "triage_comment_required",
        "Write the comment.",
        "Écrivez le commentaire.",
    ),
    (
        "triage_unknown_user",
        "There is no such user to assign.",
        "Aucun utilisateur de ce nom à qui assigner.",
    ),
    (
        "triage_done",
        "Recorded (alerts: {n}).",
        "Enregistré (alertes : {n}).",
    ),
    ("history", "Triage history", "Historique du tri"),
    (
        "history_empty",
        "Nothing done yet.",
        "Rien n'a encore été fait.",
    ),
    ("col_who", "Who", "Qui"),
    ("col_what", "What", "Quoi"),
    ("col_why", "Comment", "Commentaire"),
    // Alert detail.
    ("alert_title", "Alert", "Alerte"),
    ("rule", "Rule", "Règle"),
    ("rule_description", "Description", "Description"),
    ("rule_level", "Level", "Niveau"),
    ("rule_author", "Author", "Auteur"),
    ("rule_techniques", "ATT&CK techniques", "Techniques ATT&CK"),
    (
        "rule_unknown",
        "This rule is not in the catalogue (yet).",
        "Cette règle n'est pas (encore) au catalogue.",
    ),
    (
        "trigger_events",
        "Triggering events",
        "Événements déclencheurs",
    ),
    ("col_field", "Field", "Champ"),
    ("col_value", "Value", "Valeur"),
    ("lineage", "Process lineage", "Filiation des processus"),
    (
        "lineage_empty",
        "No process events to trace this alert to.",
        "Aucun événement de processus auquel rattacher cette alerte.",
    ),
    ("col_pid", "PID", "PID"),
    ("col_image", "Program", "Programme"),
    ("col_command", "Command line", "Ligne de commande"),
    ("col_user", "User", "Utilisateur"),
    (
        "nearby_events",
        "Other events of this host, 5 minutes either side",
        "Autres événements de cet hôte, 5 minutes avant et après",
    ),
    ("nearby_empty", "No other events.", "Aucun autre événement."),
    ("col_category", "Category", "Catégorie"),
    (
        "earlier_alerts",
        "Earlier alerts of this rule on this host",
        "Alertes précédentes de cette règle sur cet hôte",
    ),
    ("earlier_empty", "None.", "Aucune."),
    ("back_to_alerts", "Back to the alerts", "Retour aux alertes"),
    // Reports.
    ("nav_reports", "Reports", "Rapports"),
    ("report_title", "Incident report", "Rapport d'incident"),
    ("report_period", "Period", "Période"),
    ("report_generated", "Generated", "Établi"),
    ("report_key", "Signing key fingerprint (SHA-256)", "Empreinte de la clé de signature (SHA-256)"),
    ("report_filters", "Filters", "Filtres"),
    ("report_summary", "Summary", "Synthèse"),
    ("report_alerts", "Alerts", "Alertes"),
    ("report_truncated", "Only the first {n} alerts are detailed below.", "Seules les {n} premières alertes sont détaillées ci-dessous."),
    ("report_timeline", "Timeline (alerts per day)", "Chronologie (alertes par jour)"),
    ("report_hosts", "Hosts affected", "Hôtes touchés"),
    ("report_silent", "Agents that went silent", "Agents devenus muets"),
    ("report_alert_list", "Alerts and their triage", "Les alertes et leur traitement"),
    ("report_format", "Format", "Format"),
    ("report_make", "Make the signed report", "Établir le rapport signé"),
    ("report_made", "The report is made and signed.", "Le rapport est établi et signé."),
    ("report_download", "Download", "Télécharger"),
    ("report_sha256", "SHA-256", "SHA-256"),
    // Audit trail.
    ("nav_audit", "Audit trail", "Journal d'audit"),
    ("audit_verify", "Verify the chains", "Vérifier les chaînes"),
    ("audit_intact", "intact", "intacte"),
    ("audit_from_seq", "from seq", "depuis le numéro"),
    ("audit_chain", "Chain", "Chaîne"),
    ("audit_seq", "Seq", "N°"),
    ("audit_details", "Details", "Détails"),
    // Overview.
    ("overview_alerts_time", "Alerts over time, by severity", "Alertes dans le temps, par gravité"),
    ("overview_top_rules", "Rules with the most alerts", "Règles aux alertes les plus nombreuses"),
    ("overview_top_hosts", "Hosts with the most alerts", "Hôtes aux alertes les plus nombreuses"),
    ("overview_eps", "Events per second, last 5 minutes", "Événements par seconde, 5 dernières minutes"),
    ("overview_per_second", "per second", "par seconde"),
    // Hunting.
    ("hunt_conditions", "Field conditions (all must hold)", "Conditions sur les champs (toutes requises)"),
    ("hunt_field_example", "field, e.g. Image", "champ, p. ex. Image"),
    ("hunt_operator", "Operator", "Opérateur"),
    ("op_eq", "equals", "égal à"),
    ("op_neq", "differs from", "différent de"),
    ("op_contains", "contains", "contient"),
    ("op_prefix", "starts with", "commence par"),
    ("op_gt", "greater than", "supérieur à"),
    ("op_lt", "less than", "inférieur à"),
    ("hunt_search", "Search", "Chercher"),
    ("hunt_found", "Events found", "Événements trouvés"),
    ("hunt_csv", "Download as CSV", "Télécharger en CSV"),
    ("hunt_none", "No event matches.", "Aucun événement ne correspond."),
    ("hunt_fields", "Fields", "Champs"),
    // Fleet.
    ("fleet_total", "Agents", "Agents"),
    ("fleet_silent", "silent", "muets"),
    ("fleet_empty", "No agent has enrolled yet.", "Aucun agent n'est encore enrôlé."),
    ("fleet_os", "System", "Système"),
    ("fleet_version", "Agent version", "Version de l'agent"),
    ("fleet_last_seen", "Last seen", "Vu pour la dernière fois"),
    ("fleet_rate", "Events / min", "Événements / min"),
    ("fleet_backlog", "Spool backlog", "En attente sur disque"),
    ("fleet_dropped", "Dropped events", "Événements perdus"),
    ("fleet_losses", "Sensor losses", "Pertes des capteurs"),
    ("fleet_ok", "reporting", "actif"),
    ("fleet_is_silent", "silent", "muet"),
    ("fleet_revoked", "revoked", "révoqué"),
    ("fleet_revoke", "Revoke", "Révoquer"),
    // Remote agent settings.
    ("nav_settings", "Agent settings", "Réglages des agents"),
    (
        "settings_help",
        "Per group of agents: the [fim], [process] and [network] sections (as in agent.toml) that replace the agents' own. Agents fetch a new version at their next health report and apply it without a restart.",
        "Par groupe d'agents : les sections [fim], [process] et [network] (comme dans agent.toml) qui remplacent celles des agents. Les agents récupèrent une nouvelle version à leur prochain rapport de santé et l'appliquent sans redémarrer.",
    ),
    ("settings_group", "Group", "Groupe"),
    ("settings_new_group", "New group", "Nouveau groupe"),
    ("settings_saved", "Saved as version", "Enregistré, version"),
    ("settings_version", "Settings", "Réglages"),
    ("settings_pending", "pending", "en attente"),
    (
        "settings_bad_group",
        "A group name has 1 to 64 of a-z, 0-9, '.', '_' and '-'.",
        "Un nom de groupe compte 1 à 64 caractères parmi a-z, 0-9, « . », « _ » et « - ».",
    ),
    (
        "settings_invalid",
        "These settings would not work on an agent",
        "Ces réglages ne fonctionneraient pas sur un agent",
    ),
    ("settings_move", "Move", "Déplacer"),
    // Accounts.
    ("col_role", "Role", "Rôle"),
    ("col_state", "State", "État"),
    ("col_created", "Created", "Créé"),
    ("col_change", "Change", "Modifier"),
    ("user_enabled", "enabled", "actif"),
    ("user_disabled", "disabled", "désactivé"),
    ("new_password", "new password (optional)", "nouveau mot de passe (facultatif)"),
    ("save", "Save", "Enregistrer"),
    ("saved", "Saved.", "Enregistré."),
    ("user_create", "Create an account", "Créer un compte"),
    (
        "password_too_short",
        "The password must have at least 10 characters.",
        "Le mot de passe doit compter au moins 10 caractères.",
    ),
    (
        "bad_role",
        "The role must be admin, analyst or auditor.",
        "Le rôle doit être admin, analyst ou auditor.",
    ),
    (
        "bad_username",
        "A user name has 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.",
        "Un nom d'utilisateur compte 1 à 64 caractères parmi a-z, 0-9, « . », « _ » et « - », et commence par une lettre ou un chiffre.",
    ),
    ("user_exists", "That user name is taken.", "Ce nom d'utilisateur est déjà pris."),
    (
        "last_admin",
        "This is the last administrator: it can be neither demoted nor disabled.",
        "C'est le dernier administrateur : il ne peut être ni rétrogradé ni désactivé.",
    ),
    // API tokens.
    (
        "tokens_help",
        "A token lets a program use the API as you, with at most your role: send it as 'Authorization: Bearer <token>'.",
        "Un jeton permet à un programme d'utiliser l'API en votre nom, avec au plus votre rôle : envoyez-le dans « Authorization: Bearer <jeton> ».",
    ),
    (
        "token_shown_once",
        "Copy this token now: it will not be shown again.",
        "Copiez ce jeton maintenant : il ne sera plus affiché.",
    ),
    ("token_name", "Name", "Nom"),
    ("token_expires", "Expires", "Expire"),
    ("token_days", "Valid for (days, 0: no end)", "Valable (jours, 0 : sans fin)"),
    ("token_active", "active", "actif"),
    ("token_revoked", "revoked", "révoqué"),
    ("token_expired", "expired", "expiré"),
    ("token_revoke", "Revoke", "Révoquer"),
    ("token_create", "Create a token", "Créer un jeton"),
    ("token_bad_name", "Give the token a name (up to 100 characters).", "Donnez un nom au jeton (100 caractères au plus)."),
    ("token_bad_days", "The validity must be 0 to 3650 days.", "La validité doit être de 0 à 3650 jours."),
];

/// The message `key` in `lang`; unknown keys fall back to the shared catalogue, and are
/// returned as they are when it lacks them too (so they show in tests).
pub fn t(lang: Lang, key: &str) -> &str {
    CATALOGUE
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or_else(|| vigie_model::i18n::t(lang, key))
}

/// A rule's title in `lang` (the English one when there is no French title).
pub fn rule_title<'a>(lang: Lang, en: &'a str, fr: &'a str) -> &'a str {
    if lang == Lang::Fr && !fr.is_empty() {
        fr
    } else {
        en
    }
}

/// True when `key` is known here or in the shared catalogue.
pub fn has(key: &str) -> bool {
    CATALOGUE.iter().any(|(k, _, _)| *k == key) || vigie_model::i18n::has(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_once() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, fr) in CATALOGUE {
            assert!(seen.insert(key), "{key} appears twice");
            assert!(
                !en.is_empty() && !fr.is_empty(),
                "{key} lacks a translation"
            );
        }
    }

    /// Every `t(lang, "key")` in the dashboard's sources names a key with both languages.
    #[test]
    fn every_key_used_exists() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src];
        let mut missing = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // This file's own pattern below is not a use.
            if path.ends_with("i18n.rs") {
                continue;
            }
            for pattern in ["t(lang, \"", "t(ctx.lang, \"", "t(self.lang, \""] {
                for piece in text.split(pattern).skip(1) {
                    let key = piece.split('"').next().unwrap();
                    if !has(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys without a translation: {missing:?}"
        );
    }
}
