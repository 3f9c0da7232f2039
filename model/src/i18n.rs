//! The one French/English catalogue of everything a person reads.
//!
//! Messages are looked up by a stable key. A test checks that every key has both
//! languages, so a missing translation fails the build's tests rather than reaching a user.

/// A language Vigie speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// `en` or `fr` (and regional forms such as `fr-ML`), case-insensitive.
    pub fn parse(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_', '.'])
            .next()?
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The preferred language of an HTTP `Accept-Language` header, English when none fits.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The language of the environment (`VIGIE_LANG`, then `LANG`), English by default.
    pub fn from_env() -> Lang {
        ["VIGIE_LANG", "LC_ALL", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find_map(|v| Lang::parse(&v))
            .unwrap_or_default()
    }
}

/// Every message: key, English, French.
const CATALOGUE: &[(&str, &str, &str)] = &[
    // Collector refusals.
    (
        "unknown_agent",
        "unknown agent: enroll it first",
        "agent inconnu : enrôlez-le d'abord",
    ),
    (
        "revoked_agent",
        "this agent has been revoked",
        "cet agent a été révoqué",
    ),
    (
        "bad_signature",
        "the request's signature does not verify with the agent's key for this endpoint",
        "la signature de la requête ne correspond pas à la clé de l'agent pour ce point d'accès",
    ),
    (
        "missing_header",
        "a required header is missing or malformed",
        "un en-tête obligatoire manque ou est mal formé",
    ),
    (
        "stale_request",
        "request time too far from the collector's clock (replay or clock skew)",
        "heure de la requête trop éloignée de celle du collecteur (rejeu ou horloge décalée)",
    ),
    (
        "body_too_slow",
        "the request body did not arrive in time",
        "le corps de la requête n'est pas arrivé à temps",
    ),
    ("not_found", "no such endpoint", "point d'accès inconnu"),
    (
        "batch_too_large",
        "the batch is larger than the collector accepts",
        "le lot dépasse la taille acceptée par le collecteur",
    ),
    (
        "batch_not_zstd",
        "the batch is not valid zstd data",
        "le lot n'est pas une donnée zstd valide",
    ),
    (
        "batch_not_json",
        "the batch is not valid JSON",
        "le lot n'est pas du JSON valide",
    ),
    (
        "batch_version_unsupported",
        "the batch format is newer than this collector",
        "le format du lot est plus récent que ce collecteur",
    ),
    (
        "batch_inconsistent",
        "the batch contradicts itself",
        "le lot est incohérent",
    ),
    (
        "agent_mismatch",
        "the batch names another agent than its sender",
        "le lot nomme un autre agent que son expéditeur",
    ),
    (
        "storage_unavailable",
        "storage is unavailable; retry later",
        "le stockage est indisponible ; réessayez plus tard",
    ),
    (
        "overloaded",
        "the collector is busy; retry later",
        "le collecteur est occupé ; réessayez plus tard",
    ),
    (
        "bad_token",
        "the enrollment token is unknown, expired, revoked or used up",
        "le jeton d'enrôlement est inconnu, expiré, révoqué ou épuisé",
    ),
    (
        "bad_public_key",
        "the public key is not a base64 Ed25519 key",
        "la clé publique n'est pas une clé Ed25519 en base64",
    ),
    (
        "bad_request",
        "the request is malformed",
        "la requête est mal formée",
    ),
    (
        "internal",
        "internal error; see the server log",
        "erreur interne ; voir le journal du serveur",
    ),
    // Built-in alerts.
    (
        "rule_fim_change",
        "File change under a watched path",
        "Modification de fichier sous un chemin surveillé",
    ),
    (
        "rule_chain_gap",
        "Events missing from an agent's chain (lost or removed in transit)",
        "Événements manquants dans la chaîne d'un agent (perdus ou supprimés en route)",
    ),
    (
        "rule_chain_fork",
        "An agent's batch chain forked (tampering or restored agent state)",
        "La chaîne de lots d'un agent a bifurqué (altération ou état d'agent restauré)",
    ),
    (
        "rule_detection_evicted",
        "Detection state was full: some correlations may have been missed",
        "État de détection plein : des corrélations ont pu être manquées",
    ),
    (
        "rule_agent_silent",
        "An agent has gone silent",
        "Un agent ne donne plus de nouvelles",
    ),
    (
        "rule_spool_drop",
        "An agent dropped events: its spool was full",
        "Un agent a perdu des événements : son tampon disque était plein",
    ),
];

/// The message `key` in `lang`. An unknown key is returned as is, so it shows in tests.
pub fn t(lang: Lang, key: &str) -> &str {
    CATALOGUE
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, fr)| if lang == Lang::Fr { *fr } else { *en })
        .unwrap_or(key)
}

/// True when the catalogue has `key`.
pub fn has(key: &str) -> bool {
    CATALOGUE.iter().any(|(k, _, _)| *k == key)
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

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Lang::Fr
        );
        assert_eq!(
            Lang::from_accept_language("de, en;q=0.5, fr;q=0.4"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(
            t(Lang::Fr, "rule_spool_drop"),
            "Un agent a perdu des événements : son tampon disque était plein"
        );
        assert_eq!(t(Lang::En, "no_such_key"), "no_such_key");
    }
}
