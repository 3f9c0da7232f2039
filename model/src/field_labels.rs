//! What a person reads for an event field: the fields keep the Sigma names rules are
//! written with (`CommandLine`), and pages show each with its label in French or
//! English beside it. A field this version does not know (a newer agent, a rule's own)
//! has no label and is shown by its name.

use crate::Lang;

/// Field name, English label, French label.
const LABELS: &[(&str, &str, &str)] = &[
    // Every event.
    ("agent_id", "Agent", "Agent"),
    ("hostname", "Host", "Hôte"),
    ("seq", "Sequence number", "Numéro de séquence"),
    ("ts", "Time", "Heure"),
    ("category", "Category", "Catégorie"),
    // Files.
    ("TargetFilename", "File", "Fichier"),
    ("Action", "Action", "Action"),
    ("PreviousFilename", "Previous name", "Ancien nom"),
    ("OldSha256", "SHA-256 before", "SHA-256 avant"),
    ("Sha256", "SHA-256", "SHA-256"),
    ("Size", "Size", "Taille"),
    ("OldSize", "Size before", "Taille avant"),
    ("Mode", "Permissions", "Permissions"),
    ("OldMode", "Permissions before", "Permissions avant"),
    ("Uid", "Owner id", "Identifiant du propriétaire"),
    (
        "OldUid",
        "Owner id before",
        "Identifiant du propriétaire avant",
    ),
    ("Gid", "Group id", "Identifiant du groupe"),
    ("OldGid", "Group id before", "Identifiant du groupe avant"),
    ("User", "User", "Utilisateur"),
    ("Mtime", "Modification time", "Date de modification"),
    (
        "OldMtime",
        "Modification time before",
        "Date de modification avant",
    ),
    (
        "MtimeBackwards",
        "Modification time went back",
        "Date de modification reculée",
    ),
    ("Image", "Program", "Programme"),
    ("WatchPath", "Watched path", "Chemin surveillé"),
    (
        "WatchSeverity",
        "Watched path's severity",
        "Gravité du chemin surveillé",
    ),
    ("Files", "Files", "Fichiers"),
    ("DetectedBy", "Detected by", "Détecté par"),
    ("HashSkipped", "Why not hashed", "Pourquoi sans empreinte"),
    ("Inode", "Inode", "Inode"),
    ("ReplacedSha256", "SHA-256 replaced", "SHA-256 remplacé"),
    ("Changed", "What changed", "Ce qui a changé"),
    ("FileType", "File type", "Type de fichier"),
    ("Capabilities", "Capabilities", "Capacités"),
    ("OldCapabilities", "Capabilities before", "Capacités avant"),
    (
        "XattrSha256",
        "Extended attributes' SHA-256",
        "SHA-256 des attributs étendus",
    ),
    ("ProcessUser", "Process's user", "Utilisateur du processus"),
    ("Transient", "Short-lived file", "Fichier éphémère"),
    // Processes.
    ("ProcessId", "Process id", "Identifiant du processus"),
    (
        "ParentProcessId",
        "Parent's process id",
        "Identifiant du processus parent",
    ),
    ("CommandLine", "Command line", "Ligne de commande"),
    (
        "CommandLineTruncated",
        "Command line cut",
        "Ligne de commande tronquée",
    ),
    ("CurrentDirectory", "Working folder", "Dossier de travail"),
    ("LogonId", "Login id", "Identifiant de connexion"),
    ("ParentImage", "Parent program", "Programme parent"),
    (
        "ParentCommandLine",
        "Parent's command line",
        "Ligne de commande du parent",
    ),
    ("Incomplete", "Incomplete", "Incomplet"),
    (
        "PackageManager",
        "Package manager",
        "Gestionnaire de paquets",
    ),
    // Sensitive reads.
    ("SensitiveFile", "Sensitive file", "Fichier sensible"),
    ("AccessMode", "Access mode", "Mode d'accès"),
    (
        "TargetProcessId",
        "Target process id",
        "Identifiant du processus visé",
    ),
    // Network.
    ("Protocol", "Protocol", "Protocole"),
    ("Initiated", "Opened by this host", "Ouverte par cet hôte"),
    ("SourceIp", "Source address", "Adresse source"),
    ("SourcePort", "Source port", "Port source"),
    (
        "DestinationIp",
        "Destination address",
        "Adresse de destination",
    ),
    ("DestinationPort", "Destination port", "Port de destination"),
    (
        "DestinationHostname",
        "Destination name",
        "Nom de la destination",
    ),
    ("LocalIp", "Local address", "Adresse locale"),
    ("LocalPort", "Local port", "Port local"),
    ("IcmpType", "ICMP type", "Type ICMP"),
    ("IcmpCode", "ICMP code", "Code ICMP"),
    ("Packets", "Packets", "Paquets"),
    ("Bytes", "Bytes", "Octets"),
    ("EndReason", "Why it ended", "Motif de fin"),
    ("DurationMs", "Duration (ms)", "Durée (ms)"),
    ("QueryName", "Name asked", "Nom demandé"),
    ("QueryType", "Query type", "Type de requête"),
    ("QueryResults", "Answers", "Réponses"),
    // Agent clock.
    ("AgentTs", "Agent's time", "Heure de l'agent"),
    (
        "ClockSuspect",
        "Agent clock doubtful",
        "Horloge de l'agent douteuse",
    ),
    // Logs.
    ("service", "Log source", "Source du journal"),
    ("LogFile", "Log file", "Fichier journal"),
    ("LogInode", "Log file inode", "Inode du fichier journal"),
    (
        "LogOffset",
        "Position in the log",
        "Position dans le journal",
    ),
    ("LogTime", "Time in the log", "Heure dans le journal"),
    ("LogHost", "Host in the log", "Hôte dans le journal"),
    ("Program", "Program that logged", "Programme émetteur"),
    ("Message", "Message", "Message"),
    ("LogLevel", "Log level", "Niveau de journal"),
    ("ErrorCode", "Error code", "Code d'erreur"),
    ("LineTruncated", "Line cut", "Ligne tronquée"),
    ("Outcome", "Outcome", "Résultat"),
    (
        "AuthMethod",
        "Authentication method",
        "Méthode d'authentification",
    ),
    ("TargetUser", "Target account", "Compte visé"),
    ("InvalidUser", "Unknown account", "Compte inconnu"),
    ("AccountAction", "Account change", "Changement de compte"),
    ("Group", "Group", "Groupe"),
    ("Reason", "Reason", "Motif"),
    ("UserGroups", "Account's groups", "Groupes du compte"),
    (
        "AdminGroupMember",
        "Administrators' group member",
        "Membre d'un groupe d'administrateurs",
    ),
    ("ScriptAgeSecs", "Script's age (s)", "Âge du script (s)"),
    // Web server logs (W3C names).
    ("c-ip", "Client address", "Adresse du client"),
    ("cs-host", "Site asked", "Site demandé"),
    ("cs-method", "Method", "Méthode"),
    ("cs-referer", "Referring page", "Page d'origine"),
    ("cs-uri", "Address asked", "Adresse demandée"),
    ("cs-uri-stem", "Path asked", "Chemin demandé"),
    ("cs-uri-query", "Query string", "Paramètres de la requête"),
    ("cs-user-agent", "Browser or tool", "Navigateur ou outil"),
    ("cs-username", "Account", "Compte"),
    ("cs-version", "Protocol version", "Version du protocole"),
    ("s-sitename", "Site", "Site"),
    ("sc-bytes", "Bytes sent", "Octets envoyés"),
    ("sc-status", "Answer status", "Code de réponse"),
];

/// The label of event field `name` in `lang`, when this version knows the field.
pub fn field_label(name: &str, lang: Lang) -> Option<&'static str> {
    LABELS
        .iter()
        .find(|(field, _, _)| *field == name)
        .map(|(_, en, fr)| match lang {
            Lang::En => *en,
            Lang::Fr => *fr,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field the event model names (`event::field`) has its labels.
    #[test]
    fn every_field_of_the_event_model_has_labels() {
        let source = include_str!("event.rs");
        let fields = source
            .split("pub mod field {")
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").next())
            .expect("event.rs has its field module");
        let mut names = 0;
        for line in fields.lines() {
            let Some(quoted) = line.trim().strip_prefix("pub const ") else {
                continue;
            };
            let name = quoted.split('"').nth(1).expect("a quoted field name");
            assert!(field_label(name, Lang::En).is_some(), "{name} has no label");
            names += 1;
        }
        assert!(names > 60, "only {names} fields read from event.rs");
    }

    #[test]
    fn labels_are_distinct_per_field_and_language() {
        for (i, (field, en, fr)) in LABELS.iter().enumerate() {
            assert!(!en.is_empty() && !fr.is_empty(), "{field}");
            assert!(
                LABELS[..i].iter().all(|(f, _, _)| f != field),
                "{field} listed twice"
            );
        }
        assert_eq!(
            field_label("CommandLine", Lang::Fr),
            Some("Ligne de commande")
        );
        assert_eq!(field_label("NotAField", Lang::En), None);
    }
}
