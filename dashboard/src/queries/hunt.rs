//! Hunting: events by category, host, period and conditions on their fields, every value
//! bound (never pasted into SQL). A field's value is read from the stored event as text
//! (strings as they are, numbers as written), so `DestinationPort = 4444` and
//! `Image contains /tmp/` both work.

use serde::Serialize;

use crate::i18n::Msg;
use crate::params::{bad, one_of, Problem};
use crate::params::{param, Params};
use crate::params::{parse_time, BadParam};
use crate::queries::sql::{Bind, Sql};

/// Event categories to choose from: every one the agents emit.
pub fn categories() -> Vec<&'static str> {
    vigie_model::event::Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect()
}

/// The fields shown as columns when none are chosen, by category.
pub fn default_columns(category: &str) -> &'static [&'static str] {
    match category {
        "process_creation" => &["Image", "CommandLine", "User", "ParentImage"],
        "file_event" => &["TargetFilename", "Action", "Image", "ProcessUser", "Sha256"],
        "network_connection" => &[
            "Image",
            "DestinationIp",
            "DestinationPort",
            "Protocol",
            "User",
        ],
        "listening_socket" => &["Action", "LocalIp", "LocalPort", "Image"],
        "dns_query" => &["QueryName", "QueryResults", "Image"],
        "network_flow" => &[
            "SourceIp",
            "DestinationIp",
            "DestinationPort",
            "Bytes",
            "Packets",
        ],
        "log" => &[
            "service",
            "Program",
            "Message",
            "SourceIp",
            "TargetUser",
            "Outcome",
        ],
        "webserver" => &["c-ip", "cs-method", "cs-uri", "sc-status", "cs-user-agent"],
        "file_access" => &[
            "SensitiveFile",
            "TargetFilename",
            "Image",
            "CommandLine",
            "User",
            "ParentProcessId",
        ],
        _ => &["Image", "TargetFilename", "User"],
    }
}

/// Most columns a hunt shows.
pub const MAX_COLUMNS: usize = 8;
/// Values a count by field lists.
pub const COUNT_ROWS: u64 = 50;
/// Every parameter a hunt reads (`lang` is the page's own; `limit` the API's).
pub const PARAMS: [&str; 24] = [
    "category", "host", "from", "to", "before", "columns", "count_by", "limit", "lang", "f1",
    "op1", "v1", "f2", "op2", "v2", "f3", "op3", "v3", "f4", "op4", "v4", "f5", "op5", "v5",
];

/// Condition operators: parameter value and catalogue key.
pub const OPERATORS: [(&str, Msg); 6] = [
    ("eq", Msg::OpEq),
    ("neq", Msg::OpNeq),
    ("contains", Msg::OpContains),
    ("prefix", Msg::OpPrefix),
    ("gt", Msg::OpGt),
    ("lt", Msg::OpLt),
];

/// Conditions a search may hold.
pub const MAX_CONDITIONS: usize = 5;
/// Most rows shown on a page; a CSV export holds up to [`MAX_EXPORT`].
pub const PAGE_ROWS: u64 = 200;
/// Most rows of a CSV export.
pub const MAX_EXPORT: u64 = 100_000;

/// One condition on a field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// Sigma field name (`Image`, `DestinationPort`…).
    pub field: String,
    /// One of [`OPERATORS`].
    pub op: String,
    /// The value compared with.
    pub value: String,
}

/// A hunt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hunt {
    /// Category, or empty for all.
    pub category: String,
    /// Exact host name, or empty for all.
    pub host: String,
    /// Start (ms, included).
    pub from_ms: u64,
    /// End (ms, excluded).
    pub to_ms: u64,
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// Only events older than this (ms), for the next page.
    pub before: Option<u64>,
    /// Fields shown as columns (empty: the category's usual ones).
    pub columns: Vec<String>,
    /// Count the events by this field's values instead of listing them.
    pub count_by: Option<String>,
}

/// A field name: letters, digits, `_` and `-` (the web server fields are `c-ip`,
/// `cs-uri`…). Always bound as a parameter, never pasted into SQL.
fn valid_field(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Hunt {
    /// Reads a hunt from the URL: `category`, `host`, `from`, `to` (default: the last 24
    /// hours), `before`, and conditions `f1`/`op1`/`v1` … `f5`/`op5`/`v5`.
    /// `columns` (comma-separated field names) and `count_by` (a field name) choose what
    /// is shown. An unknown parameter is refused with its name.
    pub fn parse(params: &Params, now_ms: u64) -> Result<Hunt, BadParam> {
        crate::params::only_known(params, &PARAMS)?;
        let category = param(params, "category").unwrap_or("").to_string();
        if !category.is_empty() && !categories().contains(&category.as_str()) {
            return Err(bad("category", one_of(&category, &categories())));
        }
        let mut columns = Vec::new();
        for name in param(params, "columns").unwrap_or("").split(',') {
            let name = name.trim();
            if name.is_empty() || columns.iter().any(|c| c == name) {
                continue;
            }
            if !valid_field(name) {
                return Err(bad("columns", Problem::NotAFieldName(name.into())));
            }
            if columns.len() == MAX_COLUMNS {
                return Err(bad("columns", Problem::OutOfRange(1, MAX_COLUMNS as u64)));
            }
            columns.push(name.to_string());
        }
        let count_by = match param(params, "count_by").map(str::trim) {
            None | Some("") => None,
            Some(name) if valid_field(name) => Some(name.to_string()),
            Some(name) => return Err(bad("count_by", Problem::NotAFieldName(name.into()))),
        };
        let host = param(params, "host").unwrap_or("").trim().to_string();
        if host.chars().count() > 255 {
            return Err(bad("host", Problem::TooLong(255)));
        }
        let time = |name: &str, default: u64| -> Result<u64, BadParam> {
            match param(params, name).unwrap_or("") {
                "" => Ok(default),
                v => parse_time(v).ok_or_else(|| bad(name, Problem::NotATime(v.into()))),
            }
        };
        let from_ms = time("from", now_ms.saturating_sub(86_400_000))?;
        let to_ms = time("to", now_ms + 60_000)?;
        if from_ms >= to_ms {
            return Err(bad("to", Problem::EndBeforeStart));
        }
        let before = match param(params, "before").unwrap_or("") {
            "" => None,
            b => Some(
                b.parse()
                    .map_err(|_| bad("before", Problem::NotATime(b.into())))?,
            ),
        };
        let mut conditions = Vec::new();
        for i in 1..=MAX_CONDITIONS {
            let field = param(params, &format!("f{i}")).unwrap_or("").trim();
            if field.is_empty() {
                continue;
            }
            if !valid_field(field) {
                return Err(bad(&format!("f{i}"), Problem::NotAFieldName(field.into())));
            }
            let op = param(params, &format!("op{i}")).unwrap_or("eq");
            if !OPERATORS.iter().any(|(o, _)| *o == op) {
                let names: Vec<&str> = OPERATORS.iter().map(|(o, _)| *o).collect();
                return Err(bad(&format!("op{i}"), one_of(op, &names)));
            }
            let mut value = param(params, &format!("v{i}")).unwrap_or("").to_string();
            if value.chars().count() > 1000 {
                return Err(bad(&format!("v{i}"), Problem::TooLong(1000)));
            }
            if matches!(op, "gt" | "lt") {
                // Compared as a number by ClickHouse: sent in the one form it reads
                // (`+5` and `inf` used to reach it and give a 503).
                match value.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => value = n.to_string(),
                    _ => return Err(bad(&format!("v{i}"), Problem::NotANumber(value))),
                }
            }
            conditions.push(Condition {
                field: field.into(),
                op: op.into(),
                value,
            });
        }
        Ok(Hunt {
            category,
            host,
            from_ms,
            to_ms,
            conditions,
            before,
            columns,
            count_by,
        })
    }

    /// The columns shown: those chosen, else the category's usual ones.
    pub fn shown_columns(&self) -> Vec<String> {
        if self.columns.is_empty() {
            default_columns(&self.category)
                .iter()
                .map(|c| c.to_string())
                .collect()
        } else {
            self.columns.clone()
        }
    }

    fn sql(&self, limit: u64) -> Sql {
        let mut sql = Sql::default();
        sql.push("SELECT ?fields FROM events", []);
        self.push_where(&mut sql);
        sql.push(
            " ORDER BY ts DESC, agent_id, seq LIMIT ?",
            [Bind::Number(limit)],
        );
        sql
    }

    /// Counts by `field`'s values, most frequent first.
    fn count_sql(&self, field: &str) -> Sql {
        let mut sql = Sql::default();
        sql.push(
            &format!("SELECT {TEXT_VALUE} AS value, count() AS n FROM events"),
            [
                Bind::Text(field.into()),
                Bind::Text(field.into()),
                Bind::Text(field.into()),
            ],
        );
        self.push_where(&mut sql);
        // Events without the field are not a value of it.
        sql.push(
            " GROUP BY value HAVING value != '' ORDER BY n DESC, value LIMIT ?",
            [Bind::Number(COUNT_ROWS)],
        );
        sql
    }

    fn push_where(&self, sql: &mut Sql) {
        let day = |ms: u64| vigie_model::time::day(ms);
        sql.push(
            " WHERE date >= toDate(?) AND date <= toDate(?) AND ts >= ? AND ts < ?",
            [
                Bind::Text(day(self.from_ms)),
                Bind::Text(day(self.to_ms)),
                Bind::Number(self.from_ms),
                Bind::Number(self.to_ms),
            ],
        );
        if let Some(before) = self.before {
            sql.push(" AND ts < ?", [Bind::Number(before)]);
        }
        if !self.category.is_empty() {
            sql.push(" AND category = ?", [Bind::Text(self.category.clone())]);
        }
        if !self.host.is_empty() {
            sql.push(" AND hostname = ?", [Bind::Text(self.host.clone())]);
        }
        for c in &self.conditions {
            let value = TEXT_VALUE;
            let field = || Bind::Text(c.field.clone());
            let compared = match c.op.as_str() {
                "eq" => format!(" AND {value} = ?"),
                "neq" => format!(" AND {value} != ?"),
                "contains" => format!(" AND positionCaseInsensitiveUTF8({value}, ?) > 0"),
                "prefix" => format!(" AND startsWith({value}, ?)"),
                "gt" => format!(" AND toFloat64OrZero({value}) > toFloat64(?)"),
                _ => format!(" AND toFloat64OrZero({value}) < toFloat64(?)"),
            };
            sql.push(
                &compared,
                [
                    field(),
                    field(),
                    field(),
                    Bind::Text(c.value.trim().to_string()),
                ],
            );
        }
    }

    /// The URL parameters giving this hunt back, continuing `before` when given.
    pub fn query_string(&self, before: Option<u64>) -> String {
        let mut pairs = vec![
            ("category".to_string(), self.category.clone()),
            ("host".to_string(), self.host.clone()),
            ("from".to_string(), self.from_ms.to_string()),
            ("to".to_string(), self.to_ms.to_string()),
        ];
        if !self.columns.is_empty() {
            pairs.push(("columns".into(), self.columns.join(",")));
        }
        if let Some(field) = &self.count_by {
            pairs.push(("count_by".into(), field.clone()));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let n = i + 1;
            pairs.push((format!("f{n}"), c.field.clone()));
            pairs.push((format!("op{n}"), c.op.clone()));
            pairs.push((format!("v{n}"), c.value.clone()));
        }
        if let Some(b) = before {
            pairs.push(("before".into(), b.to_string()));
        }
        serde_urlencoded::to_string(&pairs).expect("text pairs always encode")
    }

    /// The hunt with one more condition, `field` equal to `value`, listing events: where a
    /// count's value or a pivot leads.
    pub fn narrowed(&self, field: &str, value: &str) -> Hunt {
        let mut next = self.clone();
        next.count_by = None;
        next.before = None;
        if field == "hostname" {
            next.host = value.into();
        } else if next.conditions.len() < MAX_CONDITIONS {
            next.conditions.push(Condition {
                field: field.into(),
                op: "eq".into(),
                value: value.into(),
            });
        }
        next
    }
}

/// A field's value as text: a JSON string's content, else the raw JSON (numbers);
/// takes the field name three times.
const TEXT_VALUE: &str = "if(visitParamExtractString(fields, ?) != '', \
    visitParamExtractString(fields, ?), visitParamExtractRaw(fields, ?))";

/// One value of a count by field.
#[derive(Debug, Clone, clickhouse::Row, serde::Deserialize, Serialize)]
pub struct Count {
    /// The value, as text.
    pub value: String,
    /// Events with it.
    pub count: u64,
}

/// Counts `hunt`'s events by `field`, the most frequent values first.
pub async fn count(
    client: &vigie_store::Client,
    hunt: &Hunt,
    field: &str,
) -> Result<Vec<Count>, clickhouse::error::Error> {
    hunt.count_sql(field).query(client).fetch_all().await
}

/// One event found: a stored event row, as every part of Vigie reads events.
pub type Found = vigie_store::rows::EventRow;

/// Runs `hunt`, at most `limit` rows, newest first.
pub async fn run(
    client: &vigie_store::Client,
    hunt: &Hunt,
    limit: u64,
) -> Result<Vec<Found>, clickhouse::error::Error> {
    hunt.sql(limit).query(client).fetch_all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn hunts_read_and_refuse_with_the_parameter_named() {
        let h = Hunt::parse(
            &params(&[
                ("category", "network_connection"),
                ("f1", "DestinationPort"),
                ("op1", "eq"),
                ("v1", "4444"),
                ("f2", "Image"),
                ("op2", "contains"),
                ("v2", "'; DROP TABLE events --"),
            ]),
            1_000_000_000,
        )
        .unwrap();
        assert_eq!(h.conditions.len(), 2);
        assert_eq!(h.from_ms, 1_000_000_000 - 86_400_000);
        let sql = h.sql(10);
        assert!(!sql.text.contains("DROP"), "values are bound, not pasted");
        for (name, value, bad_param) in [
            ("category", "everything", "category"),
            ("f1", "Image'--", "f1"),
            ("op1", "like", "op1"),
            ("from", "yesterday", "from"),
        ] {
            let mut p = params(&[(name, value)]);
            if name == "op1" {
                p.push(("f1".into(), "Image".into()));
            }
            assert_eq!(Hunt::parse(&p, 0).unwrap_err().param, bad_param);
        }
        let e =
            Hunt::parse(&params(&[("f1", "Port"), ("op1", "gt"), ("v1", "many")]), 0).unwrap_err();
        assert_eq!(e.param, "v1");
    }

    #[test]
    fn numbers_are_sent_in_the_form_clickhouse_reads() {
        // Issue #12: `v1=+5` and `to=18446744073709551615` gave a 503, not a 400.
        let h = Hunt::parse(&params(&[("f1", "Port"), ("op1", "gt"), ("v1", "+5")]), 0).unwrap();
        assert_eq!(h.conditions[0].value, "5");
        let e =
            Hunt::parse(&params(&[("f1", "Port"), ("op1", "lt"), ("v1", "inf")]), 0).unwrap_err();
        assert_eq!(e.param, "v1");
        let e = Hunt::parse(&params(&[("to", "18446744073709551615")]), 0).unwrap_err();
        assert_eq!(e.param, "to");
    }
}
