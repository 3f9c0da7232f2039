//! The words Vigie's parts share about alerts and deliveries, each one type that knows how
//! it is written everywhere: on the wire and in JSON (serde, snake case), in ClickHouse
//! (the same text, [`Severity::as_str`]; ranked with [`Severity::SQL_RANK`]), and for people
//! in French and English ([`Severity::label`]). Sensors, rules, collector, store, dashboard
//! and reports use these instead of strings of their own.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Writes the shared methods of a word list: every value, its text, reading it back, its
/// FR/EN label, and the label of a stored text that may be unknown to this version.
macro_rules! word_list {
    ($name:ident, $what:literal, [$(($variant:ident, $text:literal, $en:literal, $fr:literal)),+ $(,)?]) => {
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text on the wire, in JSON and in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value written `text` (case-insensitive, surrounding spaces ignored).
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(text.trim()))
            }

            /// What a person reads, in `lang`.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::En) => $en,
                      ($name::$variant, Lang::Fr) => $fr),+
                }
            }

            /// The label of a stored `text`, or the text itself when this version does not
            /// know it (a newer writer, an old row): shown as is rather than hidden.
            pub fn label_of(text: &str, lang: Lang) -> &str {
                Self::parse(text).map_or(text, |v| v.label(lang))
            }

            /// Every value's text, in order.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }

            /// "`text` is not one of …", for refusals.
            pub fn not_one_of(text: &str) -> String {
                format!("{text:?} is not {} ({})", $what, Self::names().join(", "))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// How serious an alert is, least serious first (Sigma's `level`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing, no action.
    Informational,
    /// Low.
    Low,
    /// Medium.
    #[default]
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

word_list!(
    Severity,
    "a severity",
    [
        (
            Informational,
            "informational",
            "informational",
            "information"
        ),
        (Low, "low", "low", "faible"),
        (Medium, "medium", "medium", "moyenne"),
        (High, "high", "high", "élevée"),
        (Critical, "critical", "critical", "critique"),
    ]
);

impl Severity {
    /// 1 (informational) to 5 (critical).
    pub fn rank(self) -> u8 {
        self as u8 + 1
    }

    /// A ClickHouse expression giving the rank (1–5, 0 when unknown) of the `severity`
    /// column; built from [`Severity::ALL`] so SQL and Rust always agree.
    pub const SQL_RANK: &'static str =
        "indexOf(['informational', 'low', 'medium', 'high', 'critical'], severity)";
}

/// Where an alert stands in triage; the latest action decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Nobody has looked at it yet.
    #[default]
    New,
    /// Someone is on it.
    InProgress,
    /// Dealt with.
    Resolved,
    /// Not a threat.
    FalsePositive,
}

word_list!(
    AlertStatus,
    "an alert status",
    [
        (New, "new", "new", "nouvelle"),
        (InProgress, "in_progress", "in progress", "en cours"),
        (Resolved, "resolved", "resolved", "résolue"),
        (
            FalsePositive,
            "false_positive",
            "false positive",
            "faux positif"
        ),
    ]
);

impl AlertStatus {
    /// Closing statuses need a reason written down.
    pub fn needs_reason(self) -> bool {
        matches!(self, AlertStatus::Resolved | AlertStatus::FalsePositive)
    }
}

/// What the collector says of a batch it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckStatus {
    /// Newly stored.
    Stored,
    /// Already stored earlier (a resend); nothing stored twice.
    Duplicate,
}

word_list!(
    AckStatus,
    "an acknowledgement status",
    [
        (Stored, "stored", "stored", "stocké"),
        (Duplicate, "duplicate", "already stored", "déjà stocké"),
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_and_serializes_as_written() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
            assert!(!s.label(Lang::Fr).is_empty());
        }
        for s in AlertStatus::ALL {
            assert_eq!(AlertStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
        }
        for s in AckStatus::ALL {
            assert_eq!(AckStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Severity::parse(" High "), Some(Severity::High));
        assert_eq!(Severity::label_of("weird", Lang::Fr), "weird");
        assert_eq!(
            AlertStatus::label_of("false_positive", Lang::Fr),
            "faux positif"
        );
        assert!(Severity::Critical > Severity::High);
        assert_eq!(Severity::Critical.rank(), 5);
    }

    #[test]
    fn the_sql_rank_lists_every_severity_in_order() {
        let listed: Vec<String> = Severity::ALL.iter().map(|s| format!("'{s}'")).collect();
        assert_eq!(
            Severity::SQL_RANK,
            format!("indexOf([{}], severity)", listed.join(", "))
        );
    }
}
