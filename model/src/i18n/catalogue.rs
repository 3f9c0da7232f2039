//! Every message a person reads, in English and French: one entry per message, named by
//! a [`Msg`] variant (checked by the compiler) and by a stable key (the code in JSON
//! refusals, the name in the audit trail). `{name}` marks a value filled in by
//! [`fill`]. Grouped by who shows it.

use super::Lang;

catalogue! {
    // Shared: the collector's refusals and its own rules' titles.
    // Collector refusals.
    UnknownAgent = "unknown_agent",
        "unknown agent: enroll it first",
        "agent inconnu\u{a0}: enrôlez-le d'abord";
    RevokedAgent = "revoked_agent",
        "this agent has been revoked",
        "cet agent a été révoqué";
    BadSignature = "bad_signature",
        "the request's signature does not verify with the agent's key for this endpoint",
        "la signature de la requête ne correspond pas à la clé de l'agent pour ce point d'accès";
    MissingHeader = "missing_header",
        "a required header is missing or malformed",
        "un en-tête obligatoire manque ou est mal formé";
    StaleRequest = "stale_request",
        "request time too far from the collector's clock (replay or clock skew)",
        "heure de la requête trop éloignée de celle du collecteur (rejeu ou horloge décalée)";
    BodyTooSlow = "body_too_slow",
        "the request body did not arrive in time",
        "le corps de la requête n'est pas arrivé à temps";
    NoSuchEndpoint = "no_such_endpoint",
        "no such endpoint",
        "point d'accès inconnu";
    BatchTooLarge = "batch_too_large",
        "the batch is larger than the collector accepts",
        "le lot dépasse la taille acceptée par le collecteur";
    BatchNotZstd = "batch_not_zstd",
        "the batch is not valid zstd data",
        "le lot n'est pas une donnée zstd valide";
    BatchNotJson = "batch_not_json",
        "the batch is not valid JSON",
        "le lot n'est pas du JSON valide";
    BatchVersionUnsupported = "batch_version_unsupported",
        "the batch format is newer than this collector",
        "le format du lot est plus récent que ce collecteur";
    BatchInconsistent = "batch_inconsistent",
        "the batch contradicts itself",
        "le lot est incohérent";
    AgentMismatch = "agent_mismatch",
        "the batch names another agent than its sender",
        "le lot nomme un autre agent que son expéditeur";
    StorageUnavailable = "storage_unavailable",
        "storage is unavailable; retry later",
        "le stockage est indisponible\u{a0}; réessayez plus tard";
    Overloaded = "overloaded",
        "the collector is busy; retry later",
        "le collecteur est occupé\u{a0}; réessayez plus tard";
    TokenRefused = "token_refused",
        "the enrollment token is unknown, expired, revoked or used up",
        "le jeton d'enrôlement est inconnu, expiré, révoqué ou épuisé";
    BadPublicKey = "bad_public_key",
        "the public key is not a base64 Ed25519 key",
        "la clé publique n'est pas une clé Ed25519 en base64";
    BadRequest = "bad_request",
        "the request is malformed",
        "la requête est mal formée";
    Internal = "internal",
        "internal error; see the server log",
        "erreur interne\u{a0}; voir le journal du serveur";
    // Built-in alerts.
    RuleFimChange = "rule_fim_change",
        "File change under a watched path",
        "Modification de fichier sous un chemin surveillé";
    RuleChainGap = "rule_chain_gap",
        "Events missing from an agent's chain (lost or removed in transit)",
        "Événements manquants dans la chaîne d'un agent (perdus ou supprimés en route)";
    RuleChainFork = "rule_chain_fork",
        "An agent's batch chain forked (tampering or restored agent state)",
        "La chaîne de lots d'un agent a bifurqué (altération ou état d'agent restauré)";
    RuleDetectionEvicted = "rule_detection_evicted",
        "Detection state was full: some correlations may have been missed",
        "État de détection plein\u{a0}: des corrélations ont pu être manquées";
    RuleNotifyFailing = "rule_notify_failing",
        "Notification channel failing",
        "Canal de notification en échec";
    RuleAgentSilent = "rule_agent_silent",
        "An agent has gone silent",
        "Un agent ne donne plus de nouvelles";
    RuleSpoolDrop = "rule_spool_drop",
        "An agent dropped events: its spool was full",
        "Un agent a perdu des événements\u{a0}: son tampon disque était plein";

    // The collector's own rules: what each detects.
    RuleChainGapDescription = "rule_chain_gap_description",
        "Sequence numbers are missing from an agent's hash chain: events were lost or removed between the agent and the collector.",
        "Des numéros manquent dans la chaîne d'empreintes d'un agent\u{a0}: des événements ont été perdus ou retirés entre l'agent et le collecteur.";
    RuleChainForkDescription = "rule_chain_fork_description",
        "A batch names another predecessor than the one stored: the agent's state was restored or its batches were tampered with.",
        "Un lot désigne un autre prédécesseur que celui enregistré\u{a0}: l'état de l'agent a été restauré ou ses lots ont été altérés.";
    RuleSpoolDropDescription = "rule_spool_drop_description",
        "The agent's disk spool was full while the collector was unreachable; it dropped its oldest events and counted them.",
        "Le tampon disque de l'agent était plein pendant que le collecteur était injoignable\u{a0}; il a perdu ses plus anciens événements et les a comptés.";
    RuleAgentSilentDescription = "rule_agent_silent_description",
        "An agent has sent nothing (not even its health report, due every minute) for longer than the configured interval: the host may be down, cut off, or the agent stopped.",
        "Un agent n'a rien envoyé (pas même son bilan de santé, attendu chaque minute) depuis plus longtemps que l'intervalle configuré\u{a0}: l'hôte est peut-être arrêté, coupé du réseau, ou l'agent arrêté.";
    RuleDetectionEvictedDescription = "rule_detection_evicted_description",
        "Correlation state reached its limits and older entries were dropped: some correlations may have been missed.",
        "L'état des corrélations a atteint ses limites et des entrées anciennes ont été abandonnées\u{a0}: des corrélations ont pu être manquées.";
    RuleNotifyFailingDescription = "rule_notify_failing_description",
        "A notification channel (e-mail, webhook or syslog) has failed to deliver for longer than the configured time: the people or systems it serves are not being told of alerts. The outbox keeps what waits and delivers it when the channel works again.",
        "Un canal de notification (courriel, webhook ou syslog) n'arrive plus à livrer depuis plus longtemps que le délai configuré\u{a0}: les personnes ou systèmes qu'il sert ne sont pas prévenus des alertes. La file d'envoi garde ce qui attend et le livre quand le canal fonctionne de nouveau.";

    InEnglishOnly = "in_english_only",
        "(in English only)",
        "(en anglais seulement)";
    // Notification messages.
    NoticeWhen = "notice_when",
        "When (UTC)",
        "Quand (UTC)";
    NoticeOpen = "notice_open",
        "Open the alert",
        "Ouvrir l'alerte";
    NoticeDigestSubject = "notice_digest_subject",
        "[Vigie] {n} alerts in a burst — most severe: {severity}",
        "[Vigie] {n} alertes en rafale — la plus grave\u{a0}: {severity}";
    NoticeDigestIntro = "notice_digest_intro",
        "Too many alerts for a message each: here are {n} together (the channel's limit was reached).",
        "Trop d'alertes pour un message chacune\u{a0}: en voici {n} ensemble (limite du canal atteinte).";
    NoticeDigestMore = "notice_digest_more",
        "… and {n} more.",
        "… et {n} de plus.";
    NoticeQueue = "notice_queue",
        "The alert queue",
        "La file des alertes";
    // The collector's own rules: what to do next.
    RuleChainGapGuidance = "rule_chain_gap_guidance",
        "Compare with the agent's own count of dropped events (its health); missing events it does not explain were lost on the way or removed: check the link and the agent's spool folder, and treat that host's recent activity as unseen.",
        "Comparer au nombre d'événements perdus que l'agent déclare (sa santé)\u{a0}; des événements manquants qu'il n'explique pas ont été perdus en route ou retirés\u{a0}: vérifier la liaison et le dossier tampon de l'agent, et considérer l'activité récente de l'hôte comme non vue.";
    RuleChainForkGuidance = "rule_chain_fork_guidance",
        "Ask whether the server was restored from a backup or its agent reinstalled; if not, someone holds the agent's key or replayed its batches: revoke the agent, enroll it again with a new key, and examine the host.",
        "Demander si le serveur a été restauré depuis une sauvegarde ou son agent réinstallé\u{a0}; sinon, quelqu'un détient la clé de l'agent ou a rejoué ses lots\u{a0}: révoquer l'agent, le réenrôler avec une nouvelle clé et examiner l'hôte.";
    RuleSpoolDropGuidance = "rule_spool_drop_guidance",
        "The host was cut off longer than its spool could hold: restore the link, and if it happens again give the agent a larger spool (max_spool_mib) or a faster link.",
        "L'hôte a été coupé plus longtemps que son tampon ne pouvait tenir\u{a0}: rétablir la liaison et, si cela se reproduit, donner à l'agent un tampon plus grand (max_spool_mib) ou une liaison plus rapide.";
    RuleAgentSilentGuidance = "rule_agent_silent_guidance",
        "Check that the server is up and reachable, then that the agent runs (systemctl status vigie-agent); an agent stopped by someone else is a warning sign: look at who did it.",
        "Vérifier que le serveur fonctionne et est joignable, puis que l'agent tourne (systemctl status vigie-agent)\u{a0}; un agent arrêté par quelqu'un d'autre est un signal d'alerte\u{a0}: rechercher qui l'a fait.";
    RuleDetectionEvictedGuidance = "rule_detection_evicted_guidance",
        "Look at which correlation filled up (the collector's log) and whether a burst or an attack caused it; raise the detection limits if the load is normal.",
        "Identifier quelle corrélation s'est remplie (journal du collecteur) et si une rafale ou une attaque en est la cause\u{a0}; relever les limites de détection si la charge est normale.";
    RuleNotifyFailingGuidance = "rule_notify_failing_guidance",
        "Read the last error in the alert (mail server refused, webhook unreachable, certificate); fix the channel's settings or the receiver — what waits is delivered once it works.",
        "Lire la dernière erreur dans l'alerte (serveur de courriel qui refuse, webhook injoignable, certificat)\u{a0}; corriger les réglages du canal ou le récepteur — ce qui attend sera livré dès qu'il fonctionnera.";
    RuleGuidance = "rule_guidance",
        "What to do next",
        "Que faire maintenant";

    // What happened: the one-line summaries of alerts.
    SummaryFileAction = "summary_file_action",
        "{action} {path}",
        "{action}\u{a0}: {path}";
    SummaryFileRenamed = "summary_file_renamed",
        "{action} {from} -> {path}",
        "{action}\u{a0}: {from} -> {path}";
    SummaryRuleSubject = "summary_rule_subject",
        "{title}: {subject}",
        "{title}\u{a0}: {subject}";
    SummaryIndicator = "summary_indicator",
        "{field} {indicator} is in list {list}",
        "{field} {indicator} figure dans la liste {list}";
    SummaryCorrelationCount = "summary_correlation_count",
        "{n} matching events within {s}s",
        "{n} événements correspondants en {s}\u{a0}s";
    SummaryCorrelationDistinct = "summary_correlation_distinct",
        "{n} distinct {field} within {s}s",
        "{n} valeurs distinctes de {field} en {s}\u{a0}s";
    SummaryCorrelationTemporal = "summary_correlation_temporal",
        "{n} of the correlated rules matched within {s}s",
        "{n} des règles corrélées ont concordé en {s}\u{a0}s";
    SummaryCorrelationOrdered = "summary_correlation_ordered",
        "the correlated rules matched in order within {s}s",
        "les règles corrélées ont concordé dans l'ordre en {s}\u{a0}s";
    SummaryCorrelationFor = "summary_correlation_for",
        "{why} for {group}",
        "{why} pour {group}";
    CorrelationDescription = "correlation_description",
        "Correlation of rules: {rules}.",
        "Corrélation des règles\u{a0}: {rules}.";
    SummarySpoolDrop = "summary_spool_drop",
        "{n} events dropped by the agent before seq {seq} (spool full)",
        "{n} événements perdus par l'agent avant le n° {seq} (tampon plein)";
    SummaryChainGap = "summary_chain_gap",
        "{n} events missing before seq {seq} ({explained} explained by agent drops)",
        "{n} événements manquants avant le n° {seq} ({explained} expliqués par des pertes de l'agent)";
    SummaryChainFork = "summary_chain_fork",
        "batch at seq {seq} names predecessor {found}, expected {expected}",
        "le lot au n° {seq} désigne le prédécesseur {found} au lieu de {expected}";
    SummaryBelowWatermark = "summary_below_watermark",
        "batch at seq {seq} is below the stored seq {watermark} yet holds {unstored} events never stored: the agent's sequence was jumped ahead (a batch forged with its key?) or its state restored; stored all the same",
        "le lot au n° {seq} est sous le n° enregistré {watermark} mais porte {unstored} événements jamais enregistrés\u{a0}: la séquence de l'agent a été avancée (un lot forgé avec sa clé\u{a0}?) ou son état restauré\u{a0}; enregistré malgré tout";
    SummaryEviction = "summary_eviction",
        "{n} pieces of correlation state dropped (limits reached): some correlations may have been missed",
        "{n} éléments d'état de corrélation abandonnés (limites atteintes)\u{a0}: des corrélations ont pu être manquées";
    SummaryAgentSilent = "summary_agent_silent",
        "agent {agent} ({host}) silent for {minutes} minutes",
        "agent {agent} ({host}) muet depuis {minutes} minutes";
    SummaryNotifyFailing = "summary_notify_failing",
        "notification channel {channel} failing for {minutes} minutes, {waiting} notices waiting: {error}",
        "canal de notification {channel} en échec depuis {minutes} minutes, {waiting} avis en attente\u{a0}: {error}";
    FileActionCreated = "file_action_created",
        "created",
        "créé";
    FileActionModified = "file_action_modified",
        "modified",
        "modifié";
    FileActionDeleted = "file_action_deleted",
        "deleted",
        "supprimé";
    FileActionRenamed = "file_action_renamed",
        "renamed",
        "renommé";
    FileActionAttributes = "file_action_attributes",
        "attributes changed",
        "attributs modifiés";

    // The dashboard.
    AppName = "app_name",
        "Vigie",
        "Vigie";
    LoginTitle = "login_title",
        "Sign in",
        "Connexion";
    Username = "username",
        "User name",
        "Nom d'utilisateur";
    Password = "password",
        "Password",
        "Mot de passe";
    SignIn = "sign_in",
        "Sign in",
        "Se connecter";
    SignOut = "sign_out",
        "Sign out",
        "Se déconnecter";
    LoginFailed = "login_failed",
        "Wrong user name or password.",
        "Nom d'utilisateur ou mot de passe incorrect.";
    LoginThrottled = "login_throttled",
        "Too many failed attempts; wait a minute and try again.",
        "Trop d'échecs\u{a0}; attendez une minute puis réessayez.";
    AlertsTitle = "alerts_title",
        "Alerts",
        "Alertes";
    AlertsEmpty = "alerts_empty",
        "No alerts yet.",
        "Aucune alerte pour l'instant.";
    ColTime = "col_time",
        "Time",
        "Heure";
    ColSeverity = "col_severity",
        "Severity",
        "Gravité";
    ColHost = "col_host",
        "Host",
        "Hôte";
    ColRule = "col_rule",
        "Rule",
        "Règle";
    ColFile = "col_file",
        "File",
        "Fichier";
    ColAction = "col_action",
        "Action",
        "Action";
    ActionCreated = "action_created",
        "created",
        "créé";
    ActionModified = "action_modified",
        "modified",
        "modifié";
    ActionDeleted = "action_deleted",
        "deleted",
        "supprimé";
    ActionRenamed = "action_renamed",
        "renamed",
        "renommé";
    ActionAttributesChanged = "action_attributes_changed",
        "attributes changed",
        "attributs modifiés";
    ActionBaseline = "action_baseline",
        "baseline recorded",
        "état de référence enregistré";
    // Audit trail actions.
    AuditAgentEnrolled = "audit_agent_enrolled",
        "agent enrolled",
        "agent enrôlé";
    AuditAgentGroupSet = "audit_agent_group_set",
        "agent's group set",
        "groupe de l'agent changé";
    AuditAgentRevoked = "audit_agent_revoked",
        "agent revoked",
        "agent révoqué";
    AuditAgentSettingsChanged = "audit_agent_settings_changed",
        "agent settings changed",
        "réglages des agents changés";
    AuditAlertViewed = "audit_alert_viewed",
        "alert viewed",
        "alerte consultée";
    AuditEnrollmentTokenCreated = "audit_enrollment_token_created",
        "enrollment token created",
        "jeton d'enrôlement créé";
    AuditEnrollmentTokenRevoked = "audit_enrollment_token_revoked",
        "enrollment token revoked",
        "jeton d'enrôlement révoqué";
    AuditExceptionChanged = "audit_exception_changed",
        "exception changed",
        "exception modifiée";
    AuditExceptionCreated = "audit_exception_created",
        "exception created",
        "exception créée";
    AuditExceptionRemoved = "audit_exception_removed",
        "exception removed",
        "exception retirée";
    AuditExportCsv = "audit_export_csv",
        "CSV exported",
        "export CSV";
    AuditHunt = "audit_hunt",
        "hunt",
        "recherche d'événements";
    AuditLogin = "audit_login",
        "signed in",
        "connexion";
    AuditLoginFailed = "audit_login_failed",
        "sign-in failed",
        "échec de connexion";
    AuditLogout = "audit_logout",
        "signed out",
        "déconnexion";
    AuditLogoutEverywhere = "audit_logout_everywhere",
        "signed out everywhere",
        "déconnexion partout";
    AuditPasswordChanged = "audit_password_changed",
        "password changed",
        "mot de passe changé";
    AuditReportDownloaded = "audit_report_downloaded",
        "report downloaded",
        "rapport téléchargé";
    AuditReportExported = "audit_report_exported",
        "report exported",
        "rapport exporté";
    AuditRetentionDropped = "audit_retention_dropped",
        "old data dropped (retention)",
        "anciennes données supprimées (conservation)";
    AuditRulesChanged = "audit_rules_changed",
        "rules changed",
        "règles modifiées";
    AuditIncidentOpened = "audit_incident_opened",
        "incident opened",
        "incident ouvert";
    AuditIncidentChanged = "audit_incident_changed",
        "incident changed",
        "incident modifié";
    AuditIncidentNote = "audit_incident_note",
        "incident note or action",
        "note ou action d'incident";
    AuditIncidentAlerts = "audit_incident_alerts",
        "alerts attached to an incident",
        "alertes rattachées à un incident";
    AuditIncidentEvidence = "audit_incident_evidence",
        "evidence kept for an incident",
        "preuve conservée pour un incident";
    AuditRulesWritten = "audit_rules_written",
        "rule written",
        "règle écrite";
    AuditRulesDeleted = "audit_rules_deleted",
        "rule deleted",
        "règle supprimée";
    AuditRulesLoaded = "audit_rules_loaded",
        "rules loaded",
        "règles chargées";
    AuditSearch = "audit_search",
        "search",
        "recherche";
    AuditTokenCreated = "audit_token_created",
        "API token created",
        "jeton d'API créé";
    AuditTokenRevoked = "audit_token_revoked",
        "API token revoked",
        "jeton d'API révoqué";
    AuditTriage = "audit_triage",
        "triage",
        "tri";
    AuditUserChanged = "audit_user_changed",
        "account changed",
        "compte modifié";
    AuditUserCreated = "audit_user_created",
        "account created",
        "compte créé";
    CategoryFileEvent = "category_file_event",
        "file change",
        "modification de fichier";
    CategoryProcessCreation = "category_process_creation",
        "process started",
        "processus lancé";
    CategoryNetworkConnection = "category_network_connection",
        "network connection",
        "connexion réseau";
    CategoryDnsQuery = "category_dns_query",
        "DNS query",
        "requête DNS";
    CategoryListeningSocket = "category_listening_socket",
        "listening socket",
        "port en écoute";
    CategoryNetworkFlow = "category_network_flow",
        "network flow",
        "flux réseau";
    CategoryHostInventory = "category_host_inventory",
        "host inventory",
        "inventaire de l'hôte";
    CategoryAgentHealth = "category_agent_health",
        "agent health",
        "santé de l'agent";
    CategoryLog = "category_log",
        "log line",
        "ligne de journal";
    CategoryWebserver = "category_webserver",
        "web request",
        "requête web";
    CategoryFileAccess = "category_file_access",
        "sensitive file read",
        "lecture de fichier sensible";
    ActionOpened = "action_opened",
        "opened",
        "ouvert";
    ActionClosed = "action_closed",
        "closed",
        "fermé";
    NotSignedIn = "not_signed_in",
        "Sign in first.",
        "Connectez-vous d'abord.";
    CsrfFailed = "csrf_failed",
        "The form expired or did not come from this site; reload and try again.",
        "Le formulaire a expiré ou ne vient pas de ce site\u{a0}; rechargez et réessayez.";
    StoreUnavailable = "store_unavailable",
        "The event store is unavailable; try again shortly.",
        "La base d'événements est indisponible\u{a0}; réessayez bientôt.";
    BadLimit = "bad_limit",
        "limit must be a whole number from 1 to 1000",
        "limit doit être un entier de 1 à 1000";
    Language = "language",
        "Language",
        "Langue";
    // Navigation.
    NavOverview = "nav_overview",
        "Overview",
        "Vue d'ensemble";
    NavAlerts = "nav_alerts",
        "Alerts",
        "Alertes";
    NavFleet = "nav_fleet",
        "Agents",
        "Agents";
    NavHunt = "nav_hunt",
        "Hunt",
        "Recherche";
    NavUsers = "nav_users",
        "Users",
        "Utilisateurs";
    NavTokens = "nav_tokens",
        "API tokens",
        "Jetons d'API";
    SignOutEverywhere = "sign_out_everywhere",
        "Sign out everywhere",
        "Se déconnecter partout";
    // Roles.
    RoleAdmin = "role_admin",
        "administrator",
        "administrateur";
    RoleAnalyst = "role_analyst",
        "analyst",
        "analyste";
    RoleAuditor = "role_auditor",
        "auditor",
        "auditeur";
    // Refusals.
    Forbidden = "forbidden",
        "Your role does not allow this.",
        "Votre rôle ne le permet pas.";
    NotFound = "not_found",
        "Not found.",
        "Introuvable.";
    BadToken = "bad_token",
        "The API token is unknown, revoked or expired.",
        "Le jeton d'API est inconnu, révoqué ou expiré.";
    BadParameter = "bad_parameter",
        "A parameter has a value that cannot be used",
        "Un paramètre a une valeur inutilisable";
    BadRequestBody = "bad_request_body",
        "The request body is not what this endpoint takes",
        "Le corps de la requête n'est pas celui qu'attend ce point d'accès";
    // Alert queue.
    Filter = "filter",
        "Filter",
        "Filtrer";
    FilterSeverity = "filter_severity",
        "Severity",
        "Gravité";
    FilterStatus = "filter_status",
        "Status",
        "Statut";
    FilterHost = "filter_host",
        "Host",
        "Hôte";
    FilterRule = "filter_rule",
        "Rule",
        "Règle";
    FilterRuleHint = "filter_rule_hint",
        "title or id",
        "titre ou identifiant";
    FilterTag = "filter_tag",
        "ATT&CK tag",
        "Étiquette ATT&CK";
    FilterText = "filter_text",
        "Text",
        "Texte";
    FilterFrom = "filter_from",
        "From",
        "Du";
    FilterTo = "filter_to",
        "To",
        "Au";
    FilterRange = "filter_range",
        "Period",
        "Période";
    Range24h = "range_24h",
        "last 24 hours",
        "dernières 24 heures";
    Range7d = "range_7d",
        "last 7 days",
        "7 derniers jours";
    Range30d = "range_30d",
        "last 30 days",
        "30 derniers jours";
    RangeAll = "range_all",
        "all time",
        "depuis le début";
    FilterSort = "filter_sort",
        "Sort",
        "Tri";
    SortNewest = "sort_newest",
        "newest first",
        "plus récentes d'abord";
    SortOldest = "sort_oldest",
        "oldest first",
        "plus anciennes d'abord";
    SortSeverity = "sort_severity",
        "most severe first",
        "plus graves d'abord";
    FilterGroup = "filter_group",
        "Group repeats",
        "Regrouper les répétitions";
    Any = "any",
        "any",
        "tous";
    And = "and",
        "and",
        "et";
    AnyFeminine = "any_feminine",
        "any",
        "toutes";
    AllStatuses = "all_statuses",
        "All",
        "Toutes";
    NextPage = "next_page",
        "Next page",
        "Page suivante";
    FirstPage = "first_page",
        "First page",
        "Première page";
    ColCount = "col_count",
        "Count",
        "Nombre";
    ColStatus = "col_status",
        "Status",
        "Statut";
    ColAssignee = "col_assignee",
        "Assignee",
        "Assignée à";
    ColTarget = "col_target",
        "Subject",
        "Objet";
    ColSummary = "col_summary",
        "What happened",
        "Ce qui s'est passé";
    NewAlerts = "new_alerts",
        "new alerts: reload to see them",
        "nouvelles alertes\u{a0}: rechargez pour les voir";
    AlertsNoneMatch = "alerts_none_match",
        "No alert matches these filters.",
        "Aucune alerte ne correspond à ces filtres.";
    SelectAll = "select_all",
        "Select all",
        "Tout sélectionner";
    // Statuses.
    // Triage.
    Triage = "triage",
        "Triage",
        "Tri";
    TriageSelected = "triage_selected",
        "Apply to the selected alerts",
        "Appliquer aux alertes choisies";
    TriageApply = "triage_apply",
        "Apply",
        "Appliquer";
    TriageAction = "triage_action",
        "Action",
        "Action";
    ActAcknowledge = "act_acknowledge",
        "acknowledge",
        "prendre en compte";
    ActAssign = "act_assign",
        "assign",
        "assigner";
    ActComment = "act_comment",
        "comment",
        "commenter";
    ActStatus = "act_status",
        "set status",
        "changer le statut";
    TriageAssignee = "triage_assignee",
        "Assign to",
        "Assigner à";
    TriageComment = "triage_comment",
        "Comment or reason",
        "Commentaire ou motif";
    TriageReasonRequired = "triage_reason_required",
        "Resolving an alert or calling it a false positive needs a reason.",
        "Résoudre une alerte ou la déclarer faux positif demande un motif.";
    TriageNothingSelected = "triage_nothing_selected",
        "Select at least one alert.",
        "Choisissez au moins une alerte.";
    TriageAssigneeRequired = "triage_assignee_required",
        "Name the user to assign.",
        "Indiquez l'utilisateur à qui assigner.";
    TriageCommentRequired = "triage_comment_required",
        "Write the comment.",
        "Écrivez le commentaire.";
    TriageUnknownUser = "triage_unknown_user",
        "There is no such user to assign.",
        "Aucun utilisateur de ce nom à qui assigner.";
    TriageAssigneeCannotTriage = "triage_assignee_cannot_triage",
        "This user only reads (auditor): alerts are assigned to analysts and administrators.",
        "Cet utilisateur ne fait que consulter (auditeur)\u{a0}: les alertes s'assignent aux analystes et aux administrateurs.";
    TriageScope = "triage_scope",
        "Apply to",
        "Appliquer à";
    TriageScopeSelected = "triage_scope_selected",
        "the selected lines",
        "les lignes cochées";
    TriageScopeFilter = "triage_scope_filter",
        "all {n} alerts matching this filter (every page)",
        "toutes les alertes correspondant à ce filtre, sur toutes les pages ({n})";
    TriageScopeAlert = "triage_scope_alert",
        "this alert only",
        "cette alerte seulement";
    TriageScopeGroup = "triage_scope_group",
        "the {n} alerts of its line",
        "les {n} alertes de sa ligne";
    TriageConfirmTitle = "triage_confirm_title",
        "Confirm: {action} on {n} alerts",
        "Confirmer\u{a0}: {action} sur {n} alertes";
    TriageConfirmText = "triage_confirm_text",
        "This records the action once for each of the {n} alerts that match this filter now, on every page:",
        "L'action sera enregistrée une fois pour chacune des {n} alertes qui correspondent maintenant à ce filtre, sur toutes les pages\u{a0}:";
    TriageConfirm = "triage_confirm",
        "Confirm",
        "Confirmer";
    TriageCancel = "triage_cancel",
        "Back to the queue, nothing recorded",
        "Retour à la file, rien d'enregistré";
    TriageConfirmCount = "triage_confirm_count",
        "The number of alerts matching the filter is not the one confirmed (it changed, or was not given): check it and confirm again.",
        "Le nombre d'alertes correspondant au filtre n'est pas celui qui a été confirmé (il a changé, ou n'a pas été donné)\u{a0}: vérifiez-le et confirmez de nouveau.";
    TriageTooMany = "triage_too_many",
        "More alerts match this filter than one action may change at once: narrow the filter (period, severity, host) and try again.",
        "Plus d'alertes correspondent à ce filtre qu'une action ne peut en changer d'un coup\u{a0}: resserrez le filtre (période, gravité, hôte) et recommencez.";
    TriageIdsAndFilter = "triage_ids_and_filter",
        "Give either alert ids or a filter, not both.",
        "Donnez soit des identifiants d'alertes, soit un filtre, pas les deux.";
    GroupTitle = "group_title",
        "Repeats on the same line",
        "Répétitions sur la même ligne";
    GroupText = "group_text",
        "The queue shows this alert as one line standing for {n} alerts: same rule, same host, same subject, from {first} to {last}.",
        "La file montre cette alerte sur une ligne qui en représente {n}\u{a0}: même règle, même hôte, même sujet, du {first} au {last}.";
    GroupMore = "group_more",
        "… and {n} more.",
        "… et {n} de plus.";
    TriageDone = "triage_done",
        "Recorded (alerts: {n}).",
        "Enregistré (alertes\u{a0}: {n}).";
    History = "history",
        "Triage history",
        "Historique du tri";
    HistoryEmpty = "history_empty",
        "Nothing done yet.",
        "Rien n'a encore été fait.";
    ColWho = "col_who",
        "Who",
        "Qui";
    ColWhat = "col_what",
        "What",
        "Quoi";
    ColWhy = "col_why",
        "Comment",
        "Commentaire";
    // Alert detail.
    AlertTitle = "alert_title",
        "Alert",
        "Alerte";
    Rule = "rule",
        "Rule",
        "Règle";
    RuleDescription = "rule_description",
        "Description",
        "Description";
    RuleLevel = "rule_level",
        "Level",
        "Niveau";
    RuleAuthor = "rule_author",
        "Author",
        "Auteur";
    RuleTechniques = "rule_techniques",
        "ATT&CK techniques",
        "Techniques ATT&CK";
    RuleUnknown = "rule_unknown",
        "This rule is not in the catalogue (yet).",
        "Cette règle n'est pas (encore) au catalogue.";
    TriggerEvents = "trigger_events",
        "Triggering events",
        "Événements déclencheurs";
    ColField = "col_field",
        "Field",
        "Champ";
    ColValue = "col_value",
        "Value",
        "Valeur";
    Lineage = "lineage",
        "Process lineage",
        "Filiation des processus";
    LineageEmpty = "lineage_empty",
        "No process events to trace this alert to.",
        "Aucun événement de processus auquel rattacher cette alerte.";
    ColPid = "col_pid",
        "PID",
        "PID";
    ColImage = "col_image",
        "Program",
        "Programme";
    ColCommand = "col_command",
        "Command line",
        "Ligne de commande";
    ColUser = "col_user",
        "User",
        "Utilisateur";
    NearbyEvents = "nearby_events",
        "Events of this host around the alert",
        "Événements de cet hôte autour de l'alerte";
    NearbyEmpty = "nearby_empty",
        "No events of this host are stored around it.",
        "Aucun événement de cet hôte n'est conservé autour d'elle.";
    ContextShown = "context_shown",
        "{n} events, from {first} to {last}.",
        "{n} événements, du {first} au {last}.";
    ContextEarlier = "context_earlier",
        "There are earlier events: show them",
        "Il y a des événements plus anciens\u{a0}: les afficher";
    ContextLater = "context_later",
        "There are later events: show them",
        "Il y a des événements plus récents\u{a0}: les afficher";
    ContextThisAlert = "context_this_alert",
        "this alert",
        "cette alerte";
    ColCategory = "col_category",
        "Category",
        "Catégorie";
    EarlierAlerts = "earlier_alerts",
        "Earlier alerts of this rule on this host",
        "Alertes précédentes de cette règle sur cet hôte";
    EarlierEmpty = "earlier_empty",
        "None.",
        "Aucune.";
    BackToAlerts = "back_to_alerts",
        "Back to the alerts",
        "Retour aux alertes";
    // Reports.
    NavReports = "nav_reports",
        "Reports",
        "Rapports";
    ReportTitle = "report_title",
        "Incident report",
        "Rapport d'incident";
    ReportPeriod = "report_period",
        "Period",
        "Période";
    ReportGenerated = "report_generated",
        "Generated",
        "Établi";
    ReportKey = "report_key",
        "Signing key fingerprint (SHA-256)",
        "Empreinte de la clé de signature (SHA-256)";
    ReportFilters = "report_filters",
        "Filters",
        "Filtres";
    ReportSummary = "report_summary",
        "Summary",
        "Synthèse";
    ReportAlerts = "report_alerts",
        "Alerts",
        "Alertes";
    ReportTruncated = "report_truncated",
        "Only the first {n} alerts are detailed below.",
        "Seules les {n} premières alertes sont détaillées ci-dessous.";
    ReportTimeline = "report_timeline",
        "Timeline (alerts per day)",
        "Chronologie (alertes par jour)";
    ReportHosts = "report_hosts",
        "Hosts affected",
        "Hôtes touchés";
    ReportSilent = "report_silent",
        "Agents that went silent",
        "Agents devenus muets";
    ReportAlertList = "report_alert_list",
        "Alerts and their triage",
        "Les alertes et leur traitement";
    ReportFormat = "report_format",
        "Format",
        "Format";
    ReportMake = "report_make",
        "Make the signed report",
        "Établir le rapport signé";
    ReportMade = "report_made",
        "The report is made and signed.",
        "Le rapport est établi et signé.";
    ReportDownload = "report_download",
        "Download",
        "Télécharger";
    ReportSha256 = "report_sha256",
        "SHA-256",
        "SHA-256";
    // What is wrong with a parameter (after its name and a colon).
    ProblemTooLong = "problem_too_long",
        "longer than {n} characters",
        "plus de {n} caractères";
    ProblemNotOneOf = "problem_not_one_of",
        "{value} is not one of {allowed}",
        "{value} n'est pas l'une des valeurs {allowed}";
    ProblemNotATime = "problem_not_a_time",
        "{value} is not a date and time",
        "{value} n'est pas une date et une heure";
    ProblemEndBeforeStart = "problem_end_before_start",
        "the end comes before the start",
        "la fin précède le début";
    ProblemNotACursor = "problem_not_a_cursor",
        "not a page cursor",
        "pas un repère de page";
    ProblemOutOfRange = "problem_out_of_range",
        "must be a whole number from {a} to {b}",
        "doit être un entier de {a} à {b}";
    ProblemNotANumber = "problem_not_a_number",
        "{value} is not a number",
        "{value} n'est pas un nombre";
    ProblemNotAFieldName = "problem_not_a_field_name",
        "{value} is not a field name",
        "{value} n'est pas un nom de champ";
    ProblemTooManyHosts = "problem_too_many_hosts",
        "at most 500 host names of up to 255 characters",
        "au plus 500 noms d'hôtes de 255 caractères au plus";
    ProblemNotAQuery = "problem_not_a_query",
        "not a query string (name=value&…)",
        "pas une chaîne de requête (nom=valeur&…)";
    ProblemUnknown = "problem_unknown",
        "no such parameter here (known: {known})",
        "paramètre inconnu ici (connus\u{a0}: {known})";
    ProblemRequired = "problem_required",
        "required",
        "obligatoire";
    // Report CSV columns.
    ColAlertId = "col_alert_id",
        "Alert id",
        "Identifiant de l'alerte";
    ColTimeUtc = "col_time_utc",
        "Time (UTC)",
        "Heure (UTC)";
    ColAgentId = "col_agent_id",
        "Agent id",
        "Identifiant de l'agent";
    ColRuleId = "col_rule_id",
        "Rule id",
        "Identifiant de la règle";
    ColTags = "col_tags",
        "Tags",
        "Étiquettes";
    ColEvents = "col_events",
        "Events (JSON)",
        "Événements (JSON)";
    // The report document.
    Yes = "yes",
        "Yes",
        "Oui";
    No = "no",
        "No",
        "Non";
    ReportPeriodTitle = "report_period_title",
        "Security monitoring report",
        "Rapport de surveillance de la sécurité";
    ReportPreparedBy = "report_prepared_by",
        "Prepared by",
        "Établi par";
    ReportApprovedBy = "report_approved_by",
        "Approved by",
        "Approuvé par";
    ReportDateSignature = "report_date_signature",
        "Date and signature",
        "Date et signature";
    ReportContents = "report_contents",
        "Contents",
        "Sommaire";
    ReportPageOf = "report_page_of",
        "Page {n} of {m}",
        "Page {n} sur {m}";
    ReportMarking = "report_marking",
        "Classification marking",
        "Mention de protection";
    ReportAnnex = "report_annex",
        "Include the annex (every alert with its events and triage history)",
        "Joindre l'annexe (chaque alerte avec ses événements et son historique de tri)";
    ReportRecommendations = "report_recommendations",
        "Recommendations",
        "Recommandations";
    ReportRecommendationsHint = "report_recommendations_hint",
        "Your recommendations, one per line (the report adds those that follow from the techniques seen)",
        "Vos recommandations, une par ligne (le rapport y ajoute celles qui découlent des techniques observées)";
    ReportExecutive = "report_executive",
        "Executive summary",
        "Synthèse pour la direction";
    ReportSentencePeriod = "report_sentence_period",
        "Between {from} and {to}, Vigie raised {alerts} on {hosts}.",
        "Entre le {from} et le {to}, Vigie a levé {alerts} sur {hosts}.";
    ReportSentencePeriodOne = "report_sentence_period_one",
        "Between {from} and {to}, Vigie raised {alerts} on one host, {host}.",
        "Entre le {from} et le {to}, Vigie a levé {alerts} sur un seul hôte, {host}.";
    ReportSentenceNone = "report_sentence_none",
        "Between {from} and {to}, Vigie raised no alert matching this report's filters.",
        "Entre le {from} et le {to}, Vigie n'a levé aucune alerte répondant aux filtres de ce rapport.";
    ReportSentenceSeverity = "report_sentence_severity",
        "By severity: {list}.",
        "Par gravité\u{a0}: {list}.";
    ReportSentenceStatus = "report_sentence_status",
        "{open} still await an analyst's decision, {resolved} were resolved and {fp} were judged false positives.",
        "{open} attendent encore la décision d'un analyste, {resolved} ont été résolues et {fp} jugées fausses alertes.";
    ReportSentenceBusiest = "report_sentence_busiest",
        "The busiest day was {day}, with {alerts}.",
        "La journée la plus chargée a été le {day}, avec {alerts}.";
    ReportSentenceHost = "report_sentence_host",
        "The most affected host was {host}, with {alerts}.",
        "L'hôte le plus touché a été {host}, avec {alerts}.";
    ReportSentenceRule = "report_sentence_rule",
        "The most frequent detection was “{rule}”, with {alerts}.",
        "La détection la plus fréquente a été «\u{a0}{rule}\u{a0}», avec {alerts}.";
    ReportSentenceTechniques = "report_sentence_techniques",
        "ATT&CK techniques observed: {n}; the most frequent was {id} {name}.",
        "Techniques ATT&CK observées\u{a0}: {n}\u{a0}; la plus fréquente a été {id} {name}.";
    ReportSentenceSilent = "report_sentence_silent",
        "Agents that went silent during the period: {n}; their servers were not watched for a while.",
        "Agents devenus muets pendant la période\u{a0}: {n}\u{a0}; leurs serveurs n'ont pas été surveillés un temps.";
    ReportSentenceNoSilent = "report_sentence_no_silent",
        "No agent went silent: every server was watched throughout.",
        "Aucun agent n'est devenu muet\u{a0}: chaque serveur a été surveillé sans interruption.";
    AlertsOne = "alerts_one",
        "1 alert",
        "1 alerte";
    AlertsMany = "alerts_many",
        "{n} alerts",
        "{n} alertes";
    HostsOne = "hosts_one",
        "1 host",
        "1 hôte";
    HostsMany = "hosts_many",
        "{n} hosts",
        "{n} hôtes";
    ReportIncidentSentence = "report_incident_sentence",
        "Incident {id}, “{title}”, was opened by {by} on {date}. Its severity is {severity} and its status {status}.",
        "L'incident {id}, «\u{a0}{title}\u{a0}», a été ouvert par {by} le {date}. Sa gravité est {severity} et son statut {status}.";
    ReportIncidentOwner = "report_incident_owner",
        "{owner} leads it.",
        "{owner} le dirige.";
    ReportIncidentNoOwner = "report_incident_no_owner",
        "Nobody leads it yet.",
        "Personne ne le dirige encore.";
    ReportIncidentLog = "report_incident_log",
        "Notes and actions taken on the incident:",
        "Notes et actions menées sur l'incident\u{a0}:";
    ReportCharts = "report_charts",
        "Alerts over time and by severity",
        "Alertes dans le temps et par gravité";
    ReportByStatus = "report_by_status",
        "By status",
        "Par statut";
    ReportGrouped = "report_grouped",
        "Detections by rule and host",
        "Détections par règle et par hôte";
    ReportFirst = "report_first",
        "First",
        "Première";
    ReportLast = "report_last",
        "Last",
        "Dernière";
    ReportCount = "report_count",
        "Alerts",
        "Alertes";
    ReportHighest = "report_highest",
        "Highest severity",
        "Gravité maximale";
    ReportDone = "report_done",
        "What was done",
        "Ce qui a été fait";
    ReportDoneSentence = "report_done_sentence",
        "Triage steps recorded by analysts on these alerts: {n}; those with a comment follow.",
        "Étapes de tri enregistrées par les analystes sur ces alertes\u{a0}: {n}\u{a0}; celles qui portent un commentaire suivent.";
    ReportDoneNone = "report_done_none",
        "No triage was recorded on these alerts.",
        "Aucun tri n'a été enregistré sur ces alertes.";
    ReportSteps = "report_steps",
        "Triage steps",
        "Étapes de tri";
    ReportLatestComments = "report_latest_comments",
        "The {n} latest of the {all} comments follow; the annex holds every step.",
        "Les {n} derniers des {all} commentaires suivent\u{a0}; l'annexe contient toutes les étapes.";
    ReportMoreGroups = "report_more_groups",
        "The {shown} most severe and frequent pairs follow; {more} more are in the annex.",
        "Les {shown} couples les plus graves et les plus fréquents suivent\u{a0}; {more} autres figurent en annexe.";
    ReportAnalyst = "report_analyst",
        "Analyst",
        "Analyste";
    ReportComment = "report_comment",
        "Comment",
        "Commentaire";
    ReportSignOff = "report_sign_off",
        "Sign-off",
        "Validation";
    ReportSignatureFacts = "report_signature_facts",
        "This document is signed",
        "Ce document est signé";
    ReportSignatureText = "report_signature_text",
        "Vigie signs this file with the installation's Ed25519 key; the signature travels beside it as {file}.sig. Anyone can check that not a byte has changed with this command (Vigie's command line, offline):",
        "Vigie signe ce fichier avec la clé Ed25519 de l'installation\u{a0}; la signature l'accompagne sous le nom {file}.sig. Chacun peut vérifier qu'aucun octet n'a changé avec cette commande (ligne de commande de Vigie, hors ligne)\u{a0}:";
    ReportAnnexTitle = "report_annex_title",
        "Annex: every alert in detail",
        "Annexe\u{a0}: chaque alerte en détail";
    ReportHostsSentence = "report_hosts_sentence",
        "Hosts with alerts in the period: {n}.",
        "Hôtes ayant levé des alertes pendant la période\u{a0}: {n}.";
    ReportTechniqueName = "report_technique_name",
        "Technique",
        "Technique";
    RecommendDefault = "recommend_default",
        "Review the open alerts first, starting with the critical and high ones, and close each with a decision.",
        "Traiter d'abord les alertes ouvertes, en commençant par les critiques et les élevées, et clore chacune par une décision.";
    RecommendSilent = "recommend_silent",
        "Find out why agents went silent (server stopped, network cut, agent stopped) and restore them: a silent server is an unwatched one.",
        "Établir pourquoi des agents sont devenus muets (serveur arrêté, réseau coupé, agent arrêté) et les rétablir\u{a0}: un serveur muet n'est plus surveillé.";
    RecommendExecution = "recommend_execution",
        "Execution: check the command lines of the alerts with their owners and restrict who may run shells and interpreters on servers.",
        "Exécution\u{a0}: vérifier les lignes de commande des alertes avec leurs responsables et restreindre qui peut lancer des shells et des interpréteurs sur les serveurs.";
    RecommendPersistence = "recommend_persistence",
        "Persistence: compare cron tables, services, SSH authorized keys and accounts with the expected state and remove what nobody can explain.",
        "Persistance\u{a0}: comparer tables cron, services, clés SSH autorisées et comptes à l'état attendu et retirer ce que personne ne sait expliquer.";
    RecommendPrivilege = "recommend_privilege",
        "Privilege escalation: review sudo rules, setuid files and file capabilities; apply pending security updates.",
        "Élévation de privilèges\u{a0}: revoir les règles sudo, les fichiers setuid et les capacités de fichiers\u{a0}; appliquer les mises à jour de sécurité en attente.";
    RecommendEvasion = "recommend_evasion",
        "Defence evasion: check that logging, auditing and the Vigie agent run on every server; investigate any host where they were stopped.",
        "Contournement des défenses\u{a0}: vérifier que journalisation, audit et agent Vigie fonctionnent sur chaque serveur\u{a0}; enquêter sur tout hôte où ils ont été arrêtés.";
    RecommendCredentials = "recommend_credentials",
        "Credential access: change the passwords and keys of the accounts concerned and look for their use from unusual places.",
        "Accès aux identifiants\u{a0}: changer les mots de passe et clés des comptes concernés et rechercher leur usage depuis des lieux inhabituels.";
    RecommendDiscovery = "recommend_discovery",
        "Discovery: find who ran the reconnaissance commands; on a server, this often precedes an attack.",
        "Découverte\u{a0}: identifier qui a lancé les commandes de reconnaissance\u{a0}; sur un serveur, elles précèdent souvent une attaque.";
    RecommendLateral = "recommend_lateral",
        "Lateral movement: restrict SSH between servers to what is needed and review the keys that allow it.",
        "Déplacement latéral\u{a0}: limiter le SSH entre serveurs au nécessaire et revoir les clés qui le permettent.";
    RecommendCommand = "recommend_command",
        "Command and control: block the remote addresses seen at the firewall and look for them in other servers' connections.",
        "Commande et contrôle\u{a0}: bloquer au pare-feu les adresses distantes observées et les rechercher dans les connexions des autres serveurs.";
    RecommendExfiltration = "recommend_exfiltration",
        "Exfiltration: establish what data left, to where, and inform its owners and the national CERT as the rules require.",
        "Exfiltration\u{a0}: établir quelles données sont sorties et vers où, et en informer leurs responsables et le CERT national selon les règles.";
    RecommendImpact = "recommend_impact",
        "Impact: check backups and restore what was damaged from a copy made before the first alert.",
        "Impact\u{a0}: vérifier les sauvegardes et restaurer ce qui a été endommagé à partir d'une copie antérieure à la première alerte.";
    RecommendAccountKeys = "recommend_account_keys",
        "Account manipulation: compare every authorized_keys file with the keys each owner declares, remove the others, and check recent password and group changes.",
        "Manipulation de comptes\u{a0}: comparer chaque fichier authorized_keys aux clés que son titulaire déclare, retirer les autres, et vérifier les changements récents de mots de passe et de groupes.";
    RecommendAccounts = "recommend_accounts",
        "Accounts: have each new or used account confirmed by its owner, disable those nobody claims, and review their recent logins.",
        "Comptes\u{a0}: faire confirmer chaque compte créé ou utilisé par son titulaire, désactiver ceux que personne ne revendique et revoir leurs connexions récentes.";
    RecommendBruteForce = "recommend_brute_force",
        "Brute force: block the source addresses, allow SSH by key only or lock accounts after repeated failures, and check whether any attempt succeeded.",
        "Force brute\u{a0}: bloquer les adresses sources, n'autoriser SSH que par clé ou verrouiller les comptes après des échecs répétés, et vérifier si une tentative a réussi.";
    RecommendSudo = "recommend_sudo",
        "Abuse of elevation: review sudo rules (no password-free sudo for shells, editors or interpreters), remove setuid bits nobody needs, and check who used sudo in the period.",
        "Abus d'élévation\u{a0}: revoir les règles sudo (pas de sudo sans mot de passe pour les shells, éditeurs ou interpréteurs), retirer les bits setuid inutiles et vérifier qui a utilisé sudo pendant la période.";
    RecommendWebShell = "recommend_web_shell",
        "Web shell or exposed application: compare the web root with the deployed version, remove unknown scripts, update the application and change the secrets it holds.",
        "Web shell ou application exposée\u{a0}: comparer la racine web à la version déployée, retirer les scripts inconnus, mettre l'application à jour et changer les secrets qu'elle détient.";
    RecommendExposedService = "recommend_exposed_service",
        "Exploited service: update the service named in the alerts and allow only the hosts that need it to reach it.",
        "Service exploité\u{a0}: mettre à jour le service nommé dans les alertes et n'en permettre l'accès qu'aux hôtes qui en ont besoin.";
    RecommendToolTransfer = "recommend_tool_transfer",
        "Downloaded tools: find the downloaded files by their SHA-256 on every server, remove them, and allow servers to download only from known sources.",
        "Outils téléchargés\u{a0}: retrouver les fichiers téléchargés par leur SHA-256 sur chaque serveur, les supprimer et ne permettre aux serveurs de télécharger que depuis des sources connues.";
    RecommendMasquerading = "recommend_masquerading",
        "Masquerading: check the path and SHA-256 of programs named like system tools but run from elsewhere, and remove the impostors.",
        "Usurpation de nom\u{a0}: vérifier le chemin et le SHA-256 des programmes nommés comme des outils système mais lancés d'ailleurs, et supprimer les imposteurs.";
    RecommendPreload = "recommend_preload",
        "Hijacked execution: empty /etc/ld.so.preload unless a known product needs it, and examine the libraries it named.",
        "Détournement d'exécution\u{a0}: vider /etc/ld.so.preload sauf si un produit connu en a besoin, et examiner les bibliothèques qui y figuraient.";
    RecommendImpairedDefences = "recommend_impaired_defences",
        "Impaired defences: restore the stopped or altered protection (firewall, audit, Vigie agent) and find out who changed it and why.",
        "Défenses affaiblies\u{a0}: rétablir la protection arrêtée ou modifiée (pare-feu, audit, agent Vigie) et établir qui l'a changée et pourquoi.";
    RecommendLogsCleared = "recommend_logs_cleared",
        "Cleared traces: logs or history were erased; rely on the copies held elsewhere (the collector keeps the events) and look for what was hidden.",
        "Traces effacées\u{a0}: des journaux ou un historique ont été effacés\u{a0}; s'appuyer sur les copies conservées ailleurs (le collecteur garde les événements) et rechercher ce qui a été caché.";
    RecommendPermissions = "recommend_permissions",
        "Permission changes: restore the expected owner and mode of the files concerned and find out who changed them.",
        "Changements de permissions\u{a0}: rétablir le propriétaire et les droits attendus des fichiers concernés et établir qui les a changés.";
    RecommendScanning = "recommend_scanning",
        "Scanning: identify the scanning host; if it is one of yours, find the process behind it, otherwise block it and check what it could reach.",
        "Balayage\u{a0}: identifier l'hôte qui balaie\u{a0}; s'il est à vous, trouver le processus en cause, sinon le bloquer et vérifier ce qu'il a pu atteindre.";
    RecommendUnusualPorts = "recommend_unusual_ports",
        "Unusual ports and protocols: allow servers out only on the ports and to the hosts they need, block the rest at the firewall, and find the programs that tried.",
        "Ports et protocoles inhabituels\u{a0}: n'autoriser les serveurs à sortir que vers les ports et hôtes nécessaires, bloquer le reste au pare-feu et trouver les programmes qui ont essayé.";
    RecommendResources = "recommend_resources",
        "Resource abuse: stop the process using the processor or flooding the network, find how it was started, and remove that means.",
        "Détournement de ressources\u{a0}: arrêter le processus qui occupe le processeur ou inonde le réseau, trouver comment il a été lancé et supprimer ce moyen.";
    // Audit trail export.
    AuditExportTitle = "audit_export_title",
        "Audit trail export",
        "Export du journal d'audit";
    AuditExportMake = "audit_export_make",
        "Export the signed trail",
        "Exporter le journal signé";
    AuditExportHelp = "audit_export_help",
        "The CSV and JSON files carry every entry with its hashes and signature, so each chain can be checked again elsewhere; the PDF summarises them. Each file is signed like a report.",
        "Les fichiers CSV et JSON portent chaque entrée avec ses empreintes et sa signature, pour que chaque chaîne puisse être revérifiée ailleurs\u{a0}; le PDF les résume. Chaque fichier est signé comme un rapport.";
    AuditExportSentence = "audit_export_sentence",
        "Between {from} and {to}, the audit trail holds {n} entries, written by {actors} people or programs in {chains} chains.",
        "Entre le {from} et le {to}, le journal d'audit compte {n} entrées, écrites par {actors} personnes ou programmes dans {chains} chaînes.";
    AuditExportCut = "audit_export_cut",
        "Only the first {n} entries are in this file: export a shorter period for the rest.",
        "Seules les {n} premières entrées figurent dans ce fichier\u{a0}: exportez une période plus courte pour la suite.";
    AuditExportChains = "audit_export_chains",
        "The chains when the trail was exported",
        "Les chaînes au moment de l'export";
    AuditExportByAction = "audit_export_by_action",
        "Entries by action",
        "Entrées par action";
    AuditExportByActor = "audit_export_by_actor",
        "Entries by author",
        "Entrées par auteur";
    ColPrevHash = "col_prev_hash",
        "Previous hash",
        "Empreinte précédente";
    ColHash = "col_hash",
        "Hash",
        "Empreinte";
    ColSignature = "col_signature",
        "Signature",
        "Signature";
    AuditAuditExported = "audit_audit_exported",
        "audit trail exported",
        "journal d'audit exporté";
    // Audit trail.
    NavAudit = "nav_audit",
        "Audit trail",
        "Journal d'audit";
    AuditVerify = "audit_verify",
        "Verify the chains",
        "Vérifier les chaînes";
    AuditIntact = "audit_intact",
        "intact",
        "intacte";
    AuditFromSeq = "audit_from_seq",
        "from seq",
        "depuis le numéro";
    AuditTriageHistory = "audit_triage_history",
        "triage history",
        "historique de tri";
    AuditWitnessed = "audit_witnessed",
        "signed tip outside the database at seq",
        "sommet signé hors de la base au numéro";
    AuditChain = "audit_chain",
        "Chain",
        "Chaîne";
    AuditSeq = "audit_seq",
        "Seq",
        "N°";
    AuditDetails = "audit_details",
        "Details",
        "Détails";
    // Overview.
    OverviewAlertsTime = "overview_alerts_time",
        "Alerts over time, by severity",
        "Alertes dans le temps, par gravité";
    OverviewTopRules = "overview_top_rules",
        "Rules with the most alerts",
        "Règles aux alertes les plus nombreuses";
    OverviewTopHosts = "overview_top_hosts",
        "Hosts with the most alerts",
        "Hôtes aux alertes les plus nombreuses";
    OverviewEps = "overview_eps",
        "Events per second, last 5 minutes",
        "Événements par seconde, 5 dernières minutes";
    OverviewPerSecond = "overview_per_second",
        "per second",
        "par seconde";
    // Hunting.
    HuntConditions = "hunt_conditions",
        "Field conditions (all must hold)",
        "Conditions sur les champs (toutes requises)";
    HuntFieldExample = "hunt_field_example",
        "field, e.g. Image",
        "champ, p. ex. Image";
    HuntOperator = "hunt_operator",
        "Operator",
        "Opérateur";
    OpEq = "op_eq",
        "equals",
        "égal à";
    OpNeq = "op_neq",
        "differs from",
        "différent de";
    OpContains = "op_contains",
        "contains",
        "contient";
    OpPrefix = "op_prefix",
        "starts with",
        "commence par";
    OpGt = "op_gt",
        "greater than",
        "supérieur à";
    OpLt = "op_lt",
        "less than",
        "inférieur à";
    HuntSearch = "hunt_search",
        "Search",
        "Chercher";
    HuntFound = "hunt_found",
        "Events found",
        "Événements trouvés";
    HuntCsv = "hunt_csv",
        "Download as CSV",
        "Télécharger en CSV";
    HuntNone = "hunt_none",
        "No event matches.",
        "Aucun événement ne correspond.";
    HuntColumns = "hunt_columns",
        "Columns (fields, comma-separated)",
        "Colonnes (champs, séparés par des virgules)";
    HuntCountBy = "hunt_count_by",
        "Count by field",
        "Compter par champ";
    HuntEvents = "hunt_events",
        "Events",
        "Événements";
    HuntPivot = "hunt_pivot",
        "Hunt for this value",
        "Rechercher cette valeur";
    HuntFields = "hunt_fields",
        "Fields",
        "Champs";
    // Fleet.
    FleetTotal = "fleet_total",
        "Agents",
        "Agents";
    FleetSilent = "fleet_silent",
        "silent",
        "muets";
    FleetEmpty = "fleet_empty",
        "No agent has enrolled yet.",
        "Aucun agent n'est encore enrôlé.";
    FleetOs = "fleet_os",
        "System",
        "Système";
    FleetVersion = "fleet_version",
        "Agent version",
        "Version de l'agent";
    FleetLastSeen = "fleet_last_seen",
        "Last seen",
        "Vu pour la dernière fois";
    FleetRate = "fleet_rate",
        "Events / min",
        "Événements / min";
    FleetBacklog = "fleet_backlog",
        "Spool backlog",
        "En attente sur disque";
    FleetDropped = "fleet_dropped",
        "Dropped events",
        "Événements perdus";
    FleetLosses = "fleet_losses",
        "Sensor losses",
        "Pertes des capteurs";
    FleetProcesses = "fleet_processes",
        "Process sensor",
        "Capteur de processus";
    FleetProcessEbpf = "fleet_process_ebpf",
        "eBPF: every exec whole",
        "eBPF\u{a0}: chaque exec complet";
    FleetProcessAudit = "fleet_process_audit",
        "kernel audit: every exec whole",
        "audit du noyau\u{a0}: chaque exec complet";
    FleetProcessConnector = "fleet_process_connector",
        "degraded: kernel connector, brief processes may lack their command line",
        "dégradé\u{a0}: connecteur du noyau, les processus brefs peuvent manquer leur ligne de commande";
    FleetProcessPolling = "fleet_process_polling",
        "degraded: listing every second, brief processes missed",
        "dégradé\u{a0}: relevé chaque seconde, processus brefs manqués";
    FleetProcessOff = "fleet_process_off",
        "off",
        "arrêté";
    FleetOk = "fleet_ok",
        "reporting",
        "actif";
    FleetIsSilent = "fleet_is_silent",
        "silent",
        "muet";
    FleetRevoked = "fleet_revoked",
        "revoked",
        "révoqué";
    FleetRevoke = "fleet_revoke",
        "Revoke…",
        "Révoquer…";
    FleetRevokeConfirm = "fleet_revoke_confirm",
        "Revoke this agent: it can no longer send anything",
        "Révoquer cet agent\u{a0}: il ne pourra plus rien envoyer";
    // Remote agent settings.
    NavSettings = "nav_settings",
        "Agent settings",
        "Réglages des agents";
    SettingsHelp = "settings_help",
        "Per group of agents: the [fim], [process], [network] and [logs] sections (as in agent.toml) that replace the agents' own. Agents fetch a new version at their next health report and apply it without a restart.",
        "Par groupe d'agents\u{a0}: les sections [fim], [process], [network] et [logs] (comme dans agent.toml) qui remplacent celles des agents. Les agents récupèrent une nouvelle version à leur prochain rapport de santé et l'appliquent sans redémarrer.";
    SettingsGroup = "settings_group",
        "Group",
        "Groupe";
    SettingsNewGroup = "settings_new_group",
        "New group",
        "Nouveau groupe";
    SettingsSaved = "settings_saved",
        "Saved as version",
        "Enregistré, version";
    SettingsVersion = "settings_version",
        "Settings",
        "Réglages";
    SettingsPending = "settings_pending",
        "pending",
        "en attente";
    SettingsBadGroup = "settings_bad_group",
        "A group name has 1 to 64 of a-z, 0-9, '.', '_' and '-'.",
        "Un nom de groupe compte 1 à 64 caractères parmi a-z, 0-9, «\u{a0}.\u{a0}», «\u{a0}_\u{a0}» et «\u{a0}-\u{a0}».";
    SettingsUnknownGroup = "settings_unknown_group",
        "There is no such group: create it first, with its settings (Agents → Agent settings).",
        "Ce groupe n'existe pas\u{a0}: créez-le d'abord, avec ses réglages (Agents → Réglages des agents).";
    FleetDegraded = "fleet_degraded",
        "degraded",
        "dégradé";
    FleetDegradedWhy = "fleet_degraded_why",
        "events lost on this agent: {dropped} dropped from its spool, {losses} lost by its sensors",
        "événements perdus sur cet agent\u{a0}: {dropped} jetés de son tampon, {losses} perdus par ses capteurs";
    EnrollTitle = "enroll_title",
        "Add a server",
        "Ajouter un serveur";
    EnrollIntro = "enroll_intro",
        "A server joins with a token made here: install the agent package, give it the SOC's CA certificate, then enroll it with the token. Tokens are shown once, expire, and serve a limited number of servers.",
        "Un serveur rejoint Vigie avec un jeton fait ici\u{a0}: installez le paquet de l'agent, donnez-lui le certificat de l'autorité du SOC, puis enrôlez-le avec le jeton. Un jeton ne s'affiche qu'une fois, expire, et sert à un nombre limité de serveurs.";
    EnrollCollector = "enroll_collector",
        "Collector address for agents",
        "Adresse du collecteur pour les agents";
    EnrollCaFingerprint = "enroll_ca_fingerprint",
        "SHA-256 of the CA certificate (ca.pem), to compare on the server",
        "SHA-256 du certificat de l'autorité (ca.pem), à comparer sur le serveur";
    EnrollHours = "enroll_hours",
        "Valid for (hours)",
        "Valable (heures)";
    EnrollMaxUses = "enroll_max_uses",
        "Servers it may enroll",
        "Serveurs qu'il peut enrôler";
    EnrollNote = "enroll_note",
        "Note (which servers, who asked)",
        "Note (quels serveurs, qui l'a demandé)";
    EnrollCreate = "enroll_create",
        "Make a token",
        "Créer un jeton";
    EnrollCreated = "enroll_created",
        "Token made. Copy it now: it will not be shown again.",
        "Jeton créé. Copiez-le maintenant\u{a0}: il ne sera plus affiché.";
    EnrollSteps = "enroll_steps",
        "On the server, as root:",
        "Sur le serveur, en root\u{a0}:";
    EnrollTokens = "enroll_tokens",
        "Enrollment tokens",
        "Jetons d'enrôlement";
    EnrollNone = "enroll_none",
        "No enrollment token yet.",
        "Aucun jeton d'enrôlement pour l'instant.";
    EnrollUses = "enroll_uses",
        "Used",
        "Utilisé";
    EnrollExpires = "enroll_expires",
        "Expires (UTC)",
        "Expire (UTC)";
    EnrollActive = "enroll_active",
        "usable",
        "utilisable";
    EnrollExpired = "enroll_expired",
        "expired",
        "expiré";
    EnrollUsedUp = "enroll_used_up",
        "used up",
        "épuisé";
    EnrollRevoked = "enroll_revoked",
        "revoked",
        "révoqué";
    EnrollRevoke = "enroll_revoke",
        "Revoke…",
        "Révoquer…";
    EnrollRevokeConfirm = "enroll_revoke_confirm",
        "Revoke this token: no more servers enroll with it",
        "Révoquer ce jeton\u{a0}: plus aucun serveur ne s'enrôle avec";
    CopyButton = "copy_button",
        "Copy",
        "Copier";
    SettingsInvalid = "settings_invalid",
        "These settings would not work on an agent",
        "Ces réglages ne fonctionneraient pas sur un agent";
    SettingsMove = "settings_move",
        "Move",
        "Déplacer";
    // Accounts.
    ColRole = "col_role",
        "Role",
        "Rôle";
    ColState = "col_state",
        "State",
        "État";
    ColCreated = "col_created",
        "Created",
        "Créé";
    ColChange = "col_change",
        "Change",
        "Modifier";
    UserEnabled = "user_enabled",
        "enabled",
        "actif";
    UserDisabled = "user_disabled",
        "disabled",
        "désactivé";
    NewPassword = "new_password",
        "new password (optional)",
        "nouveau mot de passe (facultatif)";
    Save = "save",
        "Save",
        "Enregistrer";
    Saved = "saved",
        "Saved.",
        "Enregistré.";
    UserCreate = "user_create",
        "Create an account",
        "Créer un compte";
    PasswordTooShort = "password_too_short",
        "The password must have at least 10 characters.",
        "Le mot de passe doit compter au moins 10 caractères.";
    PasswordTooSimple = "password_too_simple",
        "The password is too simple: a repeated character, a run like 1234 or azerty, the user name, or a well-known password. A few unrelated words make a good one.",
        "Le mot de passe est trop simple\u{a0}: un caractère répété, une suite comme 1234 ou azerty, le nom d'utilisateur ou un mot de passe connu. Quelques mots sans rapport en font un bon.";
    BadRole = "bad_role",
        "The role must be admin, analyst or auditor.",
        "Le rôle doit être admin, analyst ou auditor.";
    BadUsername = "bad_username",
        "A user name has 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.",
        "Un nom d'utilisateur compte 1 à 64 caractères parmi a-z, 0-9, «\u{a0}.\u{a0}», «\u{a0}_\u{a0}» et «\u{a0}-\u{a0}», et commence par une lettre ou un chiffre.";
    UserExists = "user_exists",
        "That user name is taken.",
        "Ce nom d'utilisateur est déjà pris.";
    LastAdmin = "last_admin",
        "This is the last administrator: it can be neither demoted nor disabled.",
        "C'est le dernier administrateur\u{a0}: il ne peut être ni rétrogradé ni désactivé.";
    // API tokens.
    TokensHelp = "tokens_help",
        "A token lets a program use the API as you, with at most your role: send it as `Authorization: Bearer <token>`.",
        "Un jeton permet à un programme d'utiliser l'API en votre nom, avec au plus votre rôle\u{a0}: envoyez-le dans `Authorization: Bearer <jeton>`.";
    TokenShownOnce = "token_shown_once",
        "Copy this token now: it will not be shown again.",
        "Copiez ce jeton maintenant\u{a0}: il ne sera plus affiché.";
    TokenName = "token_name",
        "Name",
        "Nom";
    TokenExpires = "token_expires",
        "Expires",
        "Expire";
    TokenDays = "token_days",
        "Valid for (days)",
        "Valable (jours)";
    TokenActive = "token_active",
        "active",
        "actif";
    TokenRevoked = "token_revoked",
        "revoked",
        "révoqué";
    TokenExpired = "token_expired",
        "expired",
        "expiré";
    TokenRevoke = "token_revoke",
        "Revoke",
        "Révoquer";
    TokenCreate = "token_create",
        "Create a token",
        "Créer un jeton";
    TokenBadName = "token_bad_name",
        "Give the token a name (up to 100 characters).",
        "Donnez un nom au jeton (100 caractères au plus).";
    TooManyStreams = "too_many_streams",
        "Too many live streams are open for this account (or in all); close a tab and retry.",
        "Trop de flux en direct sont ouverts pour ce compte (ou en tout)\u{a0}; fermez un onglet et réessayez.";
    TokenBadDays = "token_bad_days",
        "The validity must be 1 to 365 days: every token ends.",
        "La validité doit être de 1 à 365 jours\u{a0}: tout jeton prend fin.";

    // The agent.
    AgentAlreadyEnrolled = "agent_already_enrolled",
        "already enrolled as agent {agent} ({path}); remove that file to enroll again",
        "déjà enrôlé comme agent {agent} ({path})\u{a0}; supprimez ce fichier pour enrôler à nouveau";
    AgentCannotCreate = "agent_cannot_create",
        "cannot create {path}: {error}",
        "impossible de créer {path}\u{a0}: {error}";
    AgentBadCaOrUrl = "agent_bad_ca_or_url",
        "the CA file or the collector's URL cannot be used: {error}",
        "fichier d'autorité (CA) ou adresse du collecteur inutilisable\u{a0}: {error}";
    AgentCollectorUntrusted = "agent_collector_untrusted",
        "the collector's certificate is not signed by the CA in {path} (wrong CA file?): {error}",
        "le certificat du collecteur n'est pas signé par l'autorité de {path} (mauvais fichier CA\u{a0}?)\u{a0}: {error}";
    AgentCollectorUnreachable = "agent_collector_unreachable",
        "cannot reach the collector at {url}: {error}",
        "collecteur injoignable à {url}\u{a0}: {error}";
    AgentClockSkew = "agent_clock_skew",
        "this server's clock differs from the collector's by {skew} s (more than {max} s): its batches would be refused; set the time (NTP) and retry",
        "l'horloge de ce serveur diffère de celle du collecteur de {skew} s (plus de {max} s)\u{a0}: ses lots seraient refusés\u{a0}; réglez l'heure (NTP) et recommencez";
    AgentTokenRefused = "agent_token_refused",
        "the collector refused the token: wrong, expired, used up or revoked (ask for a new one: vigie token create)",
        "le collecteur a refusé le jeton\u{a0}: erroné, expiré, épuisé ou révoqué (demandez-en un nouveau\u{a0}: vigie token create)";
    AgentEnrollmentError = "agent_enrollment_error",
        "the collector did not complete the enrollment: {error}",
        "le collecteur n'a pas mené l'enrôlement à son terme\u{a0}: {error}";
    AgentNotEnrolled = "agent_not_enrolled",
        "this agent is not enrolled and no enrollment token is configured (collector.enrollment_token)",
        "cet agent n'est pas enrôlé et aucun jeton d'enrôlement n'est configuré (collector.enrollment_token)";
    AgentEnrolled = "agent_enrolled",
        "enrolled as agent {agent} (key {key}); identity saved to {path} (mode {mode})",
        "enrôlé comme agent {agent} (clé {key})\u{a0}; identité enregistrée dans {path} (mode {mode})";
    AgentEnrollFailed = "agent_enroll_failed",
        "enrollment failed: {reason}",
        "échec de l'enrôlement\u{a0}: {reason}";
    AgentEnrollNeeds = "agent_enroll_needs",
        "--collector and --token are needed (or a --config holding them)",
        "--collector et --token sont requis (ou un --config qui les contient)";
    AgentConfigNeeded = "agent_config_needed",
        "--config FILE is required unless --print is given",
        "--config FICHIER est requis sauf avec --print";

    // The command line.
    CliAuditEmpty = "cli_audit_empty",
        "the audit trail is empty",
        "le journal d'audit est vide";
    CliAuditIntact = "cli_audit_intact",
        "{chain}: intact, {rows} rows from seq {first}, signed tip outside the database at seq {tip}",
        "{chain}\u{a0}: intacte, {rows} lignes depuis le numéro {first}, sommet signé hors de la base au numéro {tip}";
    CliTriageIntact = "cli_triage_intact",
        "triage history: intact, {rows} rows in {requests} requests match the audit trail",
        "historique de tri\u{a0}: intact, {rows} lignes en {requests} demandes correspondent au journal d'audit";
    CliTriageBroken = "cli_triage_broken",
        "triage history: BROKEN: {reason}",
        "historique de tri\u{a0}: ROMPU\u{a0}: {reason}";
    CliAuditBroken = "cli_audit_broken",
        "{chain}: BROKEN: {reason}",
        "{chain}\u{a0}: ROMPUE\u{a0}: {reason}";
    CliPkiMade = "cli_pki_made",
        "CA: {ca} (give it to agents)\ncollector: {cert} and {key}",
        "autorité (CA)\u{a0}: {ca} (à donner aux agents)\ncollecteur\u{a0}: {cert} et {key}";
    CliNotASignature = "cli_not_a_signature",
        "invalid: {path} is not a signature file ({error})",
        "invalide\u{a0}: {path} n'est pas un fichier de signature ({error})";
    CliNotAKey = "cli_not_a_key",
        "--key {key} is not an Ed25519 public key (base64, hex or a .sig file)",
        "--key {key} n'est pas une clé publique Ed25519 (base64, hexadécimal ou fichier .sig)";
    CliReportValid = "cli_report_valid",
        "valid: {path} signed by key {fingerprint} at {when} UTC",
        "valide\u{a0}: {path} signé par la clé {fingerprint} le {when} UTC";
    CliReportKeyNotChecked = "cli_report_key_not_checked",
        "the signature is valid, but its key was NOT checked: no --key was given and this installation's report key is not on this machine; anyone can sign with a key of their own. Compare the fingerprint above with the one the dashboard shows (Reports), or pass --key FINGERPRINT (exit code 3)",
        "la signature est valide, mais sa clé n'a PAS été vérifiée\u{a0}: pas de --key et la clé de rapport de cette installation n'est pas sur cette machine\u{a0}; n'importe qui peut signer avec sa propre clé. Comparez l'empreinte ci-dessus avec celle du tableau de bord (Rapports), ou donnez --key EMPREINTE (code de sortie 3)";
    CliReportKeyGiven = "cli_report_key_given",
        "key checked: the one given with --key",
        "clé vérifiée\u{a0}: celle donnée avec --key";
    CliReportKeyInstallation = "cli_report_key_installation",
        "key checked: this installation's report key ({path})",
        "clé vérifiée\u{a0}: la clé de rapport de cette installation ({path})";
    CliReportInvalid = "cli_report_invalid",
        "invalid: {reason}",
        "invalide\u{a0}: {reason}";
    CliRuleNotLoaded = "cli_rule_not_loaded",
        "rule not loaded: {error}",
        "règle non chargée\u{a0}: {error}";
    CliTokenHeader = "cli_token_header",
        "id        state     uses  expires (UTC)        note",
        "id        état      usages expire (UTC)       note";
    CliTokenRevoked = "cli_token_revoked",
        "revoked",
        "révoqué";
    CliTokenExpired = "cli_token_expired",
        "expired",
        "expiré";
    CliTokenUsed = "cli_token_used",
        "used",
        "épuisé";
    CliTokenUsable = "cli_token_usable",
        "usable",
        "utilisable";
    CliNoToken = "cli_no_token",
        "no token {id}",
        "aucun jeton {id}";
    CliTokenWasRevoked = "cli_token_was_revoked",
        "token {id} revoked",
        "jeton {id} révoqué";
    CliTokenLimits = "cli_token_limits",
        "--ttl-hours and --max-uses must be at least 1",
        "--ttl-hours et --max-uses doivent valoir au moins 1";
    CliTokenMade = "cli_token_made",
        "token {id} valid {hours} h for {uses} agent(s)",
        "jeton {id} valable {hours} h pour {uses} agent(s)";
    CliStartingClickhouse = "cli_starting_clickhouse",
        "Starting ClickHouse ({path})…",
        "Démarrage de ClickHouse ({path})…";
    CliRunning = "cli_running",
        "Vigie is running.",
        "Vigie est lancé.";
    CliDashboardAt = "cli_dashboard_at",
        "  Dashboard: {url}",
        "  Tableau de bord\u{a0}: {url}";
    CliLoginOnce = "cli_login_once",
        "  Login: admin / {password}   (shown once)",
        "  Identifiant\u{a0}: admin / {password}   (affiché une seule fois)";
    CliLoginExisting = "cli_login_existing",
        "  Login: admin (existing password)",
        "  Identifiant\u{a0}: admin (mot de passe existant)";
    CliDataAt = "cli_data_at",
        "  Data: {path}",
        "  Données\u{a0}: {path}";
    CliCtrlC = "cli_ctrl_c",
        "  Ctrl-C stops everything.",
        "  Ctrl-C arrête tout.";
    CliStopping = "cli_stopping",
        "Stopping…",
        "Arrêt…";
    CliStoppedUnexpectedly = "cli_stopped_unexpectedly",
        "{name} stopped unexpectedly",
        "{name} s'est arrêté de façon inattendue";
    CliSlowStop = "cli_slow_stop",
        "some services did not stop within 30 s",
        "certains services ne se sont pas arrêtés en 30 s";
    CliCreating = "cli_creating",
        "creating {path}",
        "création de {path}";
    CliReading = "cli_reading",
        "reading {path}",
        "lecture de {path}";
    CliReadingSignature = "cli_reading_signature",
        "reading the signature {path}",
        "lecture de la signature {path}";
    CliOpening = "cli_opening",
        "opening {path}",
        "ouverture de {path}";
    CliLineOf = "cli_line_of",
        "{path}, line {line}",
        "{path}, ligne {line}";
    CliNotJsonObject = "cli_not_json_object",
        "{path}, line {line}: not a JSON object",
        "{path}, ligne {line}\u{a0}: pas un objet JSON";
    CliClickhouseSettingsOf = "cli_clickhouse_settings_of",
        "the ClickHouse settings of {path}",
        "les réglages ClickHouse de {path}";
    CliClickhouseAt = "cli_clickhouse_at",
        "ClickHouse at {url}",
        "ClickHouse à {url}";
    CliNoClickhouse = "cli_no_clickhouse",
        "no ClickHouse: set VIGIE_CLICKHOUSE_URL, run `vigie up` ({url_file} missing), or install the server package ({config} missing)",
        "pas de ClickHouse\u{a0}: indiquez VIGIE_CLICKHOUSE_URL, lancez `vigie up` ({url_file} absent) ou installez le paquet serveur ({config} absent)";
    CliDashboardAddress = "cli_dashboard_address",
        "dashboard address {address}",
        "adresse du tableau de bord {address}";
    CliServiceStopped = "cli_service_stopped",
        "{name} stopped",
        "{name} s'est arrêté";
    CliInstallClickhouse = "cli_install_clickhouse",
        "ClickHouse is not installed. On Debian or Ubuntu: sudo apt-get install clickhouse-server  (or set VIGIE_CLICKHOUSE_URL to an existing server)",
        "ClickHouse n'est pas installé. Sur Debian ou Ubuntu\u{a0}: sudo apt-get install clickhouse-server (ou indiquez un serveur existant dans VIGIE_CLICKHOUSE_URL)";

    // The audit trail's verdicts.
    AuditRowsMissingBefore = "audit_rows_missing_before",
        "rows before seq {seq} are missing (deleted) and no retention checkpoint accounts for them",
        "les lignes avant le numéro {seq} manquent (supprimées) et aucun point de contrôle de rétention ne l'explique";
    AuditRowAltered = "audit_row_altered",
        "row seq {seq} was altered: its content does not match its hash",
        "la ligne {seq} a été modifiée\u{a0}: son contenu ne correspond pas à son empreinte";
    AuditSeqTwice = "audit_seq_twice",
        "seq {seq} appears twice: a row was inserted",
        "le numéro {seq} apparaît deux fois\u{a0}: une ligne a été insérée";
    AuditRowsMissing = "audit_rows_missing",
        "rows seq {from} to {to} are missing (deleted)",
        "les lignes {from} à {to} manquent (supprimées)";
    AuditRowNotFollowing = "audit_row_not_following",
        "row seq {seq} does not follow seq {prev}: a row was inserted or replaced",
        "la ligne {seq} ne suit pas la ligne {prev}\u{a0}: une ligne a été insérée ou remplacée";
    AuditBadSignature = "audit_bad_signature",
        "row seq {seq} is not signed by its writer's key: it was rewritten or forged in the database",
        "la ligne {seq} n'est pas signée par la clé de son auteur\u{a0}: elle a été réécrite ou forgée dans la base";
    AuditUnsigned = "audit_unsigned",
        "row seq {seq} has no signature where one is required: it was rewritten or forged in the database",
        "la ligne {seq} n'a pas de signature alors qu'il en faut une\u{a0}: elle a été réécrite ou forgée dans la base";
    AuditTailMissing = "audit_tail_missing",
        "rows seq {from} to {to} are missing from the end: the chain was cut short (its signed tip outside the database reaches {to})",
        "les lignes {from} à {to} manquent à la fin\u{a0}: la chaîne a été tronquée (son sommet signé hors de la base atteint {to})";
    AuditTipDiffers = "audit_tip_differs",
        "row seq {seq} differs from the one its signed tip records: it was replaced",
        "la ligne {seq} diffère de celle que son sommet signé enregistre\u{a0}: elle a été remplacée";
    AuditTipForged = "audit_tip_forged",
        "the tip file (seq {seq}) is not signed by this chain's key",
        "le fichier de sommet (ligne {seq}) n'est pas signé par la clé de cette chaîne";
    TriageRowsChanged = "triage_rows_changed",
        "triage history of alert {alert}: the request {actor} made is recorded with {recorded} rows, the database holds {found} that do not match: rows were changed or deleted",
        "historique de tri de l'alerte {alert}\u{a0}: la demande faite par {actor} est enregistrée avec {recorded} lignes, la base en contient {found} qui ne correspondent pas\u{a0}: des lignes ont été modifiées ou supprimées";
    TriageRowUnrecorded = "triage_row_unrecorded",
        "triage history of alert {alert}: the {action} by {actor} at {when} UTC is in no audit record: it was added in the database",
        "historique de tri de l'alerte {alert}\u{a0}: l'action {action} de {actor} le {when} UTC ne figure dans aucun enregistrement d'audit\u{a0}: elle a été ajoutée dans la base";
    AuditUnknownChain = "audit_unknown_chain",
        "chain {chain} has no key pinned in {dir}: its rows come from no known writer",
        "la chaîne {chain} n'a pas de clé épinglée dans {dir}\u{a0}: ses lignes ne viennent d'aucun auteur connu";
    // Notifications on the overview.
    OverviewNotifications = "overview_notifications",
        "Notifications",
        "Notifications";
    NotifyNone = "notify_none",
        "No notification channel has told anything yet (channels are set in the collector's configuration, [notify]).",
        "Aucun canal de notification n'a encore rien transmis (les canaux se règlent dans la configuration du collecteur, [notify]).";
    NotifyChannel = "notify_channel",
        "Channel",
        "Canal";
    NotifySent = "notify_sent",
        "Sent",
        "Envoyées";
    NotifyDigested = "notify_digested",
        "In digests",
        "En récapitulatif";
    NotifyWaiting = "notify_waiting",
        "Waiting",
        "En attente";
    NotifyFailing = "notify_failing",
        "Retried after a failure",
        "Réessayées après un échec";
    NotifyOldest = "notify_oldest",
        "Oldest waiting since (UTC)",
        "La plus ancienne attend depuis (UTC)";
    NotifyLastError = "notify_last_error",
        "Last error",
        "Dernière erreur";
    // Rules (dashboard).
    NavRules = "nav_rules",
        "Rules",
        "Règles";
    RulesHelp = "rules_help",
        "Every rule in force: where it comes from, how severe, what it detects, how often it fired. Admins turn a rule off or give its alerts another severity; the collector applies it within seconds, and the audit trail keeps who did it and why.",
        "Chaque règle en vigueur\u{a0}: d'où elle vient, sa gravité, ce qu'elle détecte, combien de fois elle s'est déclenchée. Les administrateurs désactivent une règle ou donnent une autre gravité à ses alertes\u{a0}; le collecteur l'applique en quelques secondes, et la piste d'audit garde qui l'a fait et pourquoi.";
    RulesSource = "rules_source",
        "Source",
        "Origine";
    RulesLast24h = "rules_last_24h",
        "24 h",
        "24 h";
    RulesLast7d = "rules_last_7d",
        "7 days",
        "7 jours";
    RulesLastFired = "rules_last_fired",
        "Last fired (UTC)",
        "Dernier déclenchement (UTC)";
    RulesState = "rules_state",
        "State",
        "État";
    RulesOn = "rules_on",
        "on",
        "active";
    RulesOff = "rules_off",
        "off",
        "désactivée";
    RulesOwnSeverity = "rules_own_severity",
        "the rule's own",
        "celle de la règle";
    RulesChange = "rules_change",
        "Change…",
        "Modifier…";
    RulesSave = "rules_save",
        "Save",
        "Enregistrer";
    RulesReason = "rules_reason",
        "Why",
        "Pourquoi";
    RulesReasonRequired = "rules_reason_required",
        "Say why the rule is changed.",
        "Dites pourquoi la règle est changée.";
    RulesCannotTurnOff = "rules_cannot_turn_off",
        "The collector's own rules (lost or forged events, silent agents) cannot be turned off.",
        "Les règles propres au collecteur (événements perdus ou falsifiés, agents muets) ne peuvent pas être désactivées.";
    RulesSaved = "rules_saved",
        "Saved: the collector applies it within seconds.",
        "Enregistré\u{a0}: le collecteur l'applique en quelques secondes.";
    RulesSourcePack = "rules_source_pack",
        "Vigie pack",
        "jeu de Vigie";
    RulesSourceBuiltIn = "rules_source_built_in",
        "built-in",
        "intégrée";
    RulesSourceCollector = "rules_source_collector",
        "collector",
        "collecteur";
    RulesSourceFolder = "rules_source_folder",
        "rule folder",
        "dossier de règles";
    RulesSourceDashboard = "rules_source_dashboard",
        "written in Vigie",
        "écrite dans Vigie";
    // Rules written in the dashboard.
    RulesWritten = "rules_written",
        "Rules written in Vigie",
        "Règles écrites dans Vigie";
    RulesWrite = "rules_write",
        "Write a rule",
        "Écrire une règle";
    RulesEditText = "rules_edit_text",
        "Edit the text",
        "Modifier le texte";
    RulesWriteHelp = "rules_write_help",
        "A Sigma rule in YAML — or several, separated by ---, such as a correlation with the rules it counts. It is checked as `vigie rules check` checks a file; try it on the events already stored to see how often it would have fired, then save it: the collector puts it in force within seconds.",
        "Une règle Sigma en YAML — ou plusieurs, séparées par ---, comme une corrélation avec les règles qu'elle compte. Elle est vérifiée comme `vigie rules check` vérifie un fichier\u{a0}; essayez-la sur les événements déjà enregistrés pour voir combien de fois elle se serait déclenchée, puis enregistrez-la\u{a0}: le collecteur la met en vigueur en quelques secondes.";
    RulesText = "rules_text",
        "Sigma rule (YAML)",
        "Règle Sigma (YAML)";
    RulesTryOver = "rules_try_over",
        "Try it on the events of the last",
        "L'essayer sur les événements des dernières";
    RulesHours = "rules_hours",
        "{n} h",
        "{n} h";
    RulesTry = "rules_try",
        "Check and try",
        "Vérifier et essayer";
    RulesSaveRule = "rules_save_rule",
        "Check and save",
        "Vérifier et enregistrer";
    RulesProblems = "rules_problems",
        "Problems found — nothing was saved:",
        "Problèmes trouvés — rien n'a été enregistré\u{a0}:";
    RulesInvalid = "rules_invalid",
        "The rule text has problems; nothing was saved.",
        "Le texte de la règle a des problèmes\u{a0}; rien n'a été enregistré.";
    RulesLine = "rules_line",
        "line {n}: ",
        "ligne {n}\u{a0}: ";
    RulesTrialHosts = "rules_trial_hosts",
        "By host: ",
        "Par hôte\u{a0}: ";
    RulesInText = "rules_in_text",
        "Rules in the text",
        "Règles du texte";
    RulesCorrelation = "rules_correlation",
        "correlation",
        "corrélation";
    RulesTrialFired = "rules_trial_fired",
        "Would have fired {n} times in the {examined} events of the last {hours} h (before exceptions and rule settings).",
        "Se serait déclenchée {n} fois sur les {examined} événements des {hours} dernières heures (avant exceptions et réglages des règles).";
    RulesTrialCut = "rules_trial_cut",
        "That window holds more than {max} events: only those since {from} UTC were read.",
        "Cette période compte plus de {max} événements\u{a0}: seuls ceux depuis le {from} UTC ont été lus.";
    RulesTrialFirst = "rules_trial_first",
        "First matches",
        "Premières correspondances";
    RulesDelete = "rules_delete",
        "Delete",
        "Supprimer";
    RulesDeleteConfirm = "rules_delete_confirm",
        "Delete this rule file? Its rules stop raising alerts within seconds; the audit trail keeps its text.",
        "Supprimer ce fichier de règles\u{a0}? Ses règles cessent de lever des alertes en quelques secondes\u{a0}; la piste d'audit garde son texte.";
    RulesDeleted = "rules_deleted",
        "Deleted: the collector stops the rule within seconds.",
        "Supprimée\u{a0}: le collecteur arrête la règle en quelques secondes.";
    // Exceptions (dashboard).
    // Incidents (dashboard).
    NavIncidents = "nav_incidents",
        "Incidents",
        "Incidents";
    IncidentsHelp = "incidents_help",
        "An incident gathers the alerts that are one intrusion, on one host or several: what was found, what was done, and the evidence kept with its SHA-256. Analysts and admins write, auditors read; everything done is kept in its history and in the audit trail.",
        "Un incident réunit les alertes qui forment une même intrusion, sur un hôte ou plusieurs\u{a0}: ce qui a été trouvé, ce qui a été fait, et les preuves conservées avec leur SHA-256. Les analystes et les administrateurs écrivent, les auditeurs lisent\u{a0}; tout ce qui est fait est gardé dans son historique et dans la piste d'audit.";
    IncidentsEmpty = "incidents_empty",
        "No incident yet. Open one from an alert.",
        "Aucun incident pour l'instant. Ouvrez-en un depuis une alerte.";
    IncidentTitle = "incident_title",
        "Title",
        "Titre";
    IncidentOwner = "incident_owner",
        "Lead",
        "Responsable";
    IncidentOpenedAt = "incident_opened_at",
        "Opened (UTC)",
        "Ouvert le (UTC)";
    IncidentHosts = "incident_hosts",
        "Affected hosts",
        "Hôtes touchés";
    IncidentRecommendations = "incident_recommendations",
        "Recommendations",
        "Recommandations";
    IncidentHistory = "incident_history",
        "History",
        "Historique";
    IncidentEvidence = "incident_evidence",
        "Evidence",
        "Éléments de preuve";
    IncidentStatusOpen = "incident_status_open",
        "open",
        "ouvert";
    IncidentStatusContained = "incident_status_contained",
        "contained",
        "contenu";
    IncidentStatusEradicated = "incident_status_eradicated",
        "eradicated",
        "éradiqué";
    IncidentStatusClosed = "incident_status_closed",
        "closed",
        "clos";
    IncidentOpen = "incident_open",
        "Open an incident",
        "Ouvrir un incident";
    IncidentOpenSelected = "incident_open_selected",
        "Open an incident with the selected lines",
        "Ouvrir un incident avec les lignes choisies";
    IncidentOpenWithLine = "incident_open_with_line",
        "Open an incident with this line's alerts",
        "Ouvrir un incident avec les alertes de cette ligne";
    IncidentAddTo = "incident_add_to",
        "Add this line's alerts to",
        "Ajouter les alertes de cette ligne à";
    IncidentIn = "incident_in",
        "In incident",
        "Dans l'incident";
    IncidentAttach = "incident_attach",
        "Add",
        "Ajouter";
    IncidentSaveChanges = "incident_save_changes",
        "Save changes",
        "Enregistrer les modifications";
    IncidentNote = "incident_note",
        "Note",
        "Note";
    IncidentActionTaken = "incident_action_taken",
        "Action taken",
        "Action menée";
    IncidentAddText = "incident_add_text",
        "Add to the history",
        "Ajouter à l'historique";
    IncidentKeepEvent = "incident_keep_event",
        "Keep as evidence in",
        "Garder comme preuve dans";
    IncidentKeepHunt = "incident_keep_hunt",
        "Keep these results as evidence in",
        "Garder ces résultats comme preuve dans";
    IncidentTitleRequired = "incident_title_required",
        "Give the incident a title.",
        "Donnez un titre à l'incident.";
    IncidentTextRequired = "incident_text_required",
        "Write the note or the action.",
        "Écrivez la note ou l'action.";
    IncidentNoAlert = "incident_no_alert",
        "Choose at least one alert.",
        "Choisissez au moins une alerte.";
    IncidentSaved = "incident_saved",
        "Recorded.",
        "Enregistré.";
    IncidentDidOpened = "incident_did_opened",
        "opened the incident",
        "a ouvert l'incident";
    IncidentDidChanged = "incident_did_changed",
        "changed",
        "a modifié";
    IncidentDidNote = "incident_did_note",
        "noted",
        "a noté";
    IncidentDidActionTaken = "incident_did_action_taken",
        "took an action",
        "a mené une action";
    IncidentDidAlertsAttached = "incident_did_alerts_attached",
        "attached alerts",
        "a rattaché des alertes";
    IncidentDidEvidenceAttached = "incident_did_evidence_attached",
        "kept evidence",
        "a conservé une preuve";
    EvidenceKindEvent = "evidence_kind_event",
        "event",
        "événement";
    EvidenceKindHunt = "evidence_kind_hunt",
        "hunt results",
        "résultats de recherche";
    NavExceptions = "nav_exceptions",
        "Exceptions",
        "Exceptions";
    ExceptionsHelp = "exceptions_help",
        "An exception stops a rule (or every rule) from raising alerts on events that meet all of its conditions. The events are still stored; what each exception held back is counted here. The collector's own alerts (lost or forged events, silent agents) are never held back.",
        "Une exception empêche une règle (ou toutes) de lever des alertes sur les événements qui remplissent toutes ses conditions. Les événements restent enregistrés\u{a0}; ce que chaque exception a retenu est compté ici. Les alertes propres au collecteur (événements perdus ou falsifiés, agents muets) ne sont jamais retenues.";
    ExceptionNew = "exception_new",
        "New exception",
        "Nouvelle exception";
    ExceptionFromAlert = "exception_from_alert",
        "Create an exception…",
        "Créer une exception…";
    ExceptionEdit = "exception_edit",
        "Change this exception",
        "Modifier cette exception";
    ExceptionRule = "exception_rule",
        "Rule",
        "Règle";
    ExceptionAllRules = "exception_all_rules",
        "every rule",
        "toutes les règles";
    ExceptionConditions = "exception_conditions",
        "Conditions (all must hold; leave a value empty to drop its line)",
        "Conditions (toutes doivent être remplies\u{a0}; videz une valeur pour retirer sa ligne)";
    ExceptionField = "exception_field",
        "Field",
        "Champ";
    ExceptionOp = "exception_op",
        "Comparison",
        "Comparaison";
    ExceptionValue = "exception_value",
        "Value",
        "Valeur";
    ExceptionOpIs = "exception_op_is",
        "is",
        "est";
    ExceptionOpContains = "exception_op_contains",
        "contains",
        "contient";
    ExceptionOpStartsWith = "exception_op_starts_with",
        "starts with",
        "commence par";
    ExceptionOpEndsWith = "exception_op_ends_with",
        "ends with",
        "finit par";
    ExceptionOpGlob = "exception_op_glob",
        "matches the path pattern",
        "correspond au motif de chemin";
    ExceptionReason = "exception_reason",
        "Reason",
        "Motif";
    ExceptionExpires = "exception_expires",
        "Expires",
        "Expire";
    ExceptionNever = "exception_never",
        "never",
        "jamais";
    ExceptionInDays = "exception_in_days",
        "in {days} days",
        "dans {days} jours";
    ExceptionPreview = "exception_preview",
        "Preview",
        "Aperçu";
    ExceptionWouldSuppress = "exception_would_suppress",
        "Would have held back {n} of the {examined} alerts of the last 7 days.",
        "Aurait retenu {n} des {examined} alertes des 7 derniers jours.";
    ExceptionWouldSuppressCapped = "exception_would_suppress_capped",
        "Would have held back at least {n} of the newest {examined} alerts of the last 7 days.",
        "Aurait retenu au moins {n} des {examined} alertes les plus récentes des 7 derniers jours.";
    ExceptionSave = "exception_save",
        "Save the exception",
        "Enregistrer l'exception";
    ExceptionSaved = "exception_saved",
        "Exception saved: it applies to new events within seconds.",
        "Exception enregistrée\u{a0}: elle s'applique aux nouveaux événements d'ici quelques secondes.";
    ExceptionRemove = "exception_remove",
        "Remove…",
        "Retirer…";
    ExceptionRemoveConfirm = "exception_remove_confirm",
        "Remove this exception: its rule alerts again on these events",
        "Retirer cette exception\u{a0}: sa règle alertera de nouveau sur ces événements";
    ExceptionRemoved = "exception_removed",
        "Exception removed.",
        "Exception retirée.";
    ExceptionHeldBack = "exception_held_back",
        "Held back",
        "Retenues";
    ExceptionHeldBackWeek = "exception_held_back_week",
        "last 7 days",
        "7 derniers jours";
    ExceptionLastHeldBack = "exception_last_held_back",
        "Last",
        "Dernière";
    ExceptionState = "exception_state",
        "State",
        "État";
    ExceptionActive = "exception_active",
        "active",
        "active";
    ExceptionExpired = "exception_expired",
        "expired",
        "expirée";
    ExceptionRemovedState = "exception_removed_state",
        "removed",
        "retirée";
    ExceptionBy = "exception_by",
        "By",
        "Par";
    ExceptionNone = "exception_none",
        "No exception yet.",
        "Aucune exception pour l'instant.";
    ExceptionInvalid = "exception_invalid",
        "This exception cannot be saved",
        "Cette exception ne peut pas être enregistrée";
    ExceptionNoCondition = "exception_no_condition",
        "an exception needs at least one condition (to turn a rule off, use the rules page)",
        "une exception a besoin d'au moins une condition (pour désactiver une règle, passez par la page des règles)";
    ExceptionTooManyConditions = "exception_too_many_conditions",
        "at most {max} conditions",
        "au plus {max} conditions";
    ExceptionEmptyField = "exception_empty_field",
        "condition {n}: the field is empty",
        "condition {n}\u{a0}: le champ est vide";
    ExceptionEmptyValue = "exception_empty_value",
        "condition {n} ({field}): the value is empty",
        "condition {n} ({field})\u{a0}: la valeur est vide";
    ExceptionValueTooLong = "exception_value_too_long",
        "condition {n} ({field}): the value is longer than {max} bytes",
        "condition {n} ({field})\u{a0}: la valeur dépasse {max} octets";
    ExceptionBadGlob = "exception_bad_glob",
        "condition {n} ({field}): the pattern is not valid ({reason})",
        "condition {n} ({field})\u{a0}: le motif n'est pas valide ({reason})";
    ExceptionNoReason = "exception_no_reason",
        "a reason is required (at most {max} bytes)",
        "un motif est obligatoire (au plus {max} octets)";
}
