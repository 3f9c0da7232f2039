//! The alert queue's query: filters read from the URL (each refused with the name of
//! the parameter when unusable), turned into one ClickHouse query with bound values
//! only. An alert's status and assignee are those of its latest triage action. Repeated
//! alerts (same rule, host and subject within a window) fold into one line with a count.
//! Pages follow each other by key (the last line's time and id), so page 1,000 costs
//! what page 1 does.

use clickhouse::Row;
use serde::Deserialize;
use vigie_model::{AlertStatus, Severity};
use vigie_store::Client;

use crate::i18n::Msg;
use crate::params::{param, Params};
use crate::queries::sql::{Bind, Sql};

/// Period presets, their length in hours (0: no limit), and their label.
pub const RANGES: [(&str, u64, Msg); 4] = [
    ("24h", 24, Msg::Range24h),
    ("7d", 168, Msg::Range7d),
    ("30d", 720, Msg::Range30d),
    ("all", 0, Msg::RangeAll),
];

/// Line order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sort {
    /// Latest first.
    Newest,
    /// Earliest first.
    Oldest,
    /// Most severe first, then latest.
    Severity,
}

impl Sort {
    /// Every order with its parameter value and label.
    pub const ALL: [(Sort, &'static str, Msg); 3] = [
        (Sort::Newest, "newest", Msg::SortNewest),
        (Sort::Oldest, "oldest", Msg::SortOldest),
        (Sort::Severity, "severity", Msg::SortSeverity),
    ];

    fn name(self) -> &'static str {
        Sort::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .expect("listed")
            .1
    }
}

/// Where the previous page stopped: the last line's severity rank, time and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    rank: u64,
    ts: u64,
    id: String,
}

impl Cursor {
    fn parse(text: &str) -> Option<Cursor> {
        let mut parts = text.splitn(3, '-');
        let rank = parts.next()?.parse().ok()?;
        let ts = parts.next()?.parse().ok()?;
        let id = parts.next()?;
        id.bytes()
            .all(|b| b.is_ascii_alphanumeric())
            .then(|| Cursor {
                rank,
                ts,
                id: id.to_string(),
            })
    }

    /// The text form, for the next page's link.
    pub fn encode(&self) -> String {
        format!("{}-{}-{}", self.rank, self.ts, self.id)
    }
}

pub use crate::params::BadParam;
use crate::params::{bad, one_of, Problem};
pub use vigie_model::time::parse_time;

/// What the analyst asked to see.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFilter {
    /// Wanted severities (empty: all).
    pub severities: Vec<Severity>,
    /// Wanted status (None: all).
    pub status: Option<AlertStatus>,
    /// Host name, whatever its case.
    pub host: String,
    /// A rule id, or words of its title in either language (any case).
    pub rule: String,
    /// Tag prefix, such as `attack.t1059` (sub-techniques included).
    pub tag: String,
    /// Free text, searched without regard to case in the summary, rule, host and subject.
    pub text: String,
    /// Period preset (`24h`, `7d`, `30d`, `all`) or `custom`.
    pub range: String,
    /// Start (ms, included), for `custom`.
    pub from_ms: Option<u64>,
    /// End (ms, excluded), for `custom`.
    pub to_ms: Option<u64>,
    /// Line order.
    pub sort: Sort,
    /// Fold repeats into one line.
    pub group: bool,
    /// Continue after this line.
    pub after: Option<Cursor>,
    /// Lines per page.
    pub limit: u64,
}

impl AlertFilter {
    /// The parameters the queue reads (`lang`, `done`, `refused` and `what` are the
    /// page's own: its language and what the last triage came to).
    pub const PARAMS: [&'static str; 17] = [
        "severity", "status", "host", "rule", "tag", "q", "range", "from", "to", "sort", "group",
        "after", "limit", "lang", "done", "refused", "what",
    ];

    /// Reads the filter from the URL's parameters; `now_ms` anchors the period presets.
    /// An unknown parameter is refused with its name.
    pub fn parse(params: &Params, now_ms: u64) -> Result<AlertFilter, BadParam> {
        crate::params::only_known(params, &Self::PARAMS)?;
        let text_param = |name: &str, max: usize| -> Result<String, BadParam> {
            let value = param(params, name).unwrap_or("").trim().to_string();
            if value.chars().count() > max {
                return Err(bad(name, Problem::TooLong(max)));
            }
            Ok(value)
        };
        let mut severities = Vec::new();
        for (_, v) in params.iter().filter(|(k, _)| k == "severity") {
            if v.is_empty() {
                continue;
            }
            let Some(severity) = Severity::parse(v) else {
                return Err(bad("severity", one_of(v, &Severity::names())));
            };
            severities.push(severity);
        }
        let status = match param(params, "status").unwrap_or("") {
            "" | "all" => None,
            s => Some(
                AlertStatus::parse(s)
                    .ok_or_else(|| bad("status", one_of(s, &AlertStatus::names())))?,
            ),
        };
        let mut tag = text_param("tag", 100)?.to_ascii_lowercase();
        if tag.starts_with('t') && tag[1..].starts_with(|c: char| c.is_ascii_digit()) {
            tag = format!("attack.{tag}");
        }
        let range = param(params, "range").unwrap_or("7d").to_string();
        let (from_ms, to_ms) = match RANGES.iter().find(|(name, _, _)| *name == range) {
            Some((_, 0, _)) => (None, None),
            Some((_, hours, _)) => (Some(now_ms.saturating_sub(hours * 3_600_000)), None),
            None if range == "custom" => {
                let time = |name: &str| -> Result<Option<u64>, BadParam> {
                    match param(params, name).unwrap_or("") {
                        "" => Ok(None),
                        v => parse_time(v)
                            .map(Some)
                            .ok_or_else(|| bad(name, Problem::NotATime(v.into()))),
                    }
                };
                (time("from")?, time("to")?)
            }
            None => {
                return Err(bad(
                    "range",
                    one_of(&range, &["24h", "7d", "30d", "all", "custom"]),
                ))
            }
        };
        if let (Some(from), Some(to)) = (from_ms, to_ms) {
            if from >= to {
                return Err(bad("to", Problem::EndBeforeStart));
            }
        }
        let sort_name = param(params, "sort").unwrap_or("newest");
        let sort = Sort::ALL
            .iter()
            .find(|(_, name, _)| *name == sort_name)
            .map(|(sort, _, _)| *sort)
            .ok_or_else(|| bad("sort", one_of(sort_name, &["newest", "oldest", "severity"])))?;
        let group = match param(params, "group").unwrap_or("1") {
            "1" | "on" | "true" => true,
            "0" | "off" | "false" => false,
            g => return Err(bad("group", one_of(g, &["1", "0"]))),
        };
        let after = match param(params, "after").unwrap_or("") {
            "" => None,
            a => Some(Cursor::parse(a).ok_or_else(|| bad("after", Problem::NotACursor))?),
        };
        let limit = match param(params, "limit").unwrap_or("50").parse::<u64>() {
            Ok(n) if (1..=500).contains(&n) => n,
            _ => return Err(bad("limit", Problem::OutOfRange(1, 500))),
        };
        Ok(AlertFilter {
            severities,
            status,
            host: text_param("host", 255)?,
            rule: text_param("rule", 255)?,
            tag,
            text: text_param("q", 200)?,
            range,
            from_ms,
            to_ms,
            sort,
            group,
            after,
            limit,
        })
    }

    /// The URL parameters that give this filter back, `status` replaced by `status`
    /// and `after` by `after` (for tabs and the next page).
    pub fn query_string(&self, status: Option<&str>, after: Option<&Cursor>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for s in &self.severities {
            pairs.push(("severity", s.as_str().into()));
        }
        if let Some(s) = status {
            pairs.push(("status", s.into()));
        }
        for (name, value) in [
            ("host", &self.host),
            ("rule", &self.rule),
            ("tag", &self.tag),
            ("q", &self.text),
        ] {
            if !value.is_empty() {
                pairs.push((name, value.clone()));
            }
        }
        pairs.push(("range", self.range.clone()));
        if self.range == "custom" {
            for (name, value) in [("from", self.from_ms), ("to", self.to_ms)] {
                if let Some(v) = value {
                    pairs.push((name, v.to_string()));
                }
            }
        }
        pairs.push(("sort", self.sort.name().into()));
        pairs.push(("group", if self.group { "1" } else { "0" }.into()));
        if let Some(a) = after {
            pairs.push(("after", a.encode()));
        }
        serde_urlencoded::to_string(&pairs).expect("text pairs always encode")
    }
}

/// Where, beyond the filter, a query looks: a time window, and alert ids.
#[derive(Debug, Clone, Default)]
struct Scope {
    from_ms: Option<u64>,
    to_ms: Option<u64>,
    ids: Option<Vec<String>>,
}

/// The columns the queue's first pass needs (to group, order and filter by status).
const NARROW: &str = "alert_id, ts, rule_id, hostname, target, severity";
/// Every column a queue line shows.
const WIDE: &str =
    "alert_id, ts, agent_id, hostname, rule_id, rule_title, rule_title_fr, severity, \
                    tags, author, summary, summary_fr, target, action";

/// Alerts with their current status (and assignee when `wide`), filtered by everything
/// but status, within `scope`.
fn joined(filter: &AlertFilter, wide: bool, scope: &Scope) -> Sql {
    let columns = if wide { WIDE } else { NARROW };
    let mut sql = Sql::default();
    sql.push(
        &format!(
            "SELECT {columns}, if(st_status = '', 'new', st_status) AS status{} \
             FROM (SELECT {columns} FROM alerts WHERE 1",
            if wide {
                ", st_assignee AS assignee"
            } else {
                ""
            }
        ),
        [],
    );
    let from = filter.from_ms.max(scope.from_ms);
    let to = match (filter.to_ms, scope.to_ms) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(from) = from {
        sql.push(" AND ts >= ?", [Bind::Number(from)]);
    }
    if let Some(to) = to {
        sql.push(" AND ts < ?", [Bind::Number(to)]);
    }
    if let Some(ids) = &scope.ids {
        sql.push(" AND has(?, alert_id)", [Bind::Texts(ids.clone())]);
    }
    if !filter.severities.is_empty() {
        sql.push(
            " AND has(?, severity)",
            [Bind::Texts(
                filter
                    .severities
                    .iter()
                    .map(|s| s.as_str().into())
                    .collect(),
            )],
        );
    }
    if !filter.host.is_empty() {
        // Host names are not case-sensitive (RFC 4343).
        sql.push(
            " AND lowerUTF8(hostname) = lowerUTF8(?)",
            [Bind::Text(filter.host.clone())],
        );
    }
    if !filter.rule.is_empty() {
        // A rule by its id, or by words of its title in either language.
        sql.push(
            " AND (rule_id = ? OR positionCaseInsensitiveUTF8(concat(rule_title, ' ', rule_title_fr), ?) > 0)",
            [
                Bind::Text(filter.rule.clone()),
                Bind::Text(filter.rule.clone()),
            ],
        );
    }
    if !filter.tag.is_empty() {
        sql.push(
            " AND arrayExists(x -> startsWith(x, ?), tags)",
            [Bind::Text(filter.tag.clone())],
        );
    }
    if !filter.text.is_empty() {
        sql.push(
            " AND positionCaseInsensitiveUTF8(concat(summary, ' ', rule_title, ' ', rule_title_fr, ' ', hostname, ' ', target), ?) > 0",
            [Bind::Text(filter.text.clone())],
        );
    }
    sql.push(
        &format!(
            ") ANY LEFT JOIN (SELECT alert_id, argMaxIf(status, ts, status != '') AS st_status{} \
             FROM alert_actions GROUP BY alert_id) USING alert_id",
            if wide {
                ", argMaxIf(assignee, ts, action = 'assign') AS st_assignee"
            } else {
                ""
            }
        ),
        [],
    );
    sql
}

/// One line of the queue: an alert, or a group of repeats shown by its latest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AlertLine {
    /// The latest alert of the line.
    pub alert_id: String,
    /// How many alerts the line stands for.
    pub count: u64,
    /// Earliest alert time (ms).
    pub first_ts: u64,
    /// Latest alert time (ms).
    pub last_ts: u64,
    /// Agent.
    pub agent_id: String,
    /// Host.
    pub hostname: String,
    /// Rule id.
    pub rule_id: String,
    /// Rule title, English.
    pub rule_title: String,
    /// Rule title, French.
    pub rule_title_fr: String,
    /// Severity of the latest.
    pub severity: String,
    /// Summary of the latest.
    pub summary: String,
    /// The same in French (empty for older alerts).
    pub summary_fr: String,
    /// The file, program or address concerned.
    pub target: String,
    /// Status of the latest.
    pub status: String,
    /// How many of the line's alerts are in each status (statuses with none left out).
    pub statuses: Vec<StatusShare>,
    /// Assignee of the latest.
    pub assignee: String,
    /// Tags.
    pub tags: Vec<String>,
    /// The rule's author.
    pub author: String,
    /// File action of the latest, if a file event.
    pub action: String,
    /// Severity rank (1 informational … 5 critical), for paging.
    pub rank: u64,
    /// The incident the latest alert is in (filled in by [`with_incidents`]).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub incident: String,
}

/// Fills in the incident of each line's latest alert.
pub async fn with_incidents(
    client: &Client,
    lines: &mut [AlertLine],
) -> Result<(), vigie_store::StoreError> {
    let ids: Vec<String> = lines.iter().map(|l| l.alert_id.clone()).collect();
    let of = crate::queries::incidents::of_alerts(client, &ids).await?;
    for line in lines {
        if let Some(incident) = of.get(&line.alert_id) {
            line.incident = incident.clone();
        }
    }
    Ok(())
}

impl AlertLine {
    /// Where the next page starts when this is the last line.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            rank: self.rank,
            ts: self.last_ts,
            id: self.alert_id.clone(),
        }
    }
}

/// How many alerts of a line are in one status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StatusShare {
    /// The status.
    pub status: String,
    /// How many alerts.
    pub count: u64,
}

/// A queue line as the first pass finds it: which alert stands for it, how many it
/// holds, its times, severity rank, and how many alerts in each status (in the order
/// of [`AlertStatus::ALL`]).
#[derive(Debug, Row, Deserialize)]
struct Key {
    rep_id: String,
    count: u64,
    first: u64,
    last: u64,
    rank: u64,
    per_status: Vec<u64>,
}

impl Key {
    fn statuses(&self) -> Vec<StatusShare> {
        AlertStatus::ALL
            .iter()
            .zip(&self.per_status)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| StatusShare {
                status: s.as_str().into(),
                count: *n,
            })
            .collect()
    }
}

/// `[countIf(status = 'new'), …]`: alerts per status, in the order of
/// [`AlertStatus::ALL`] (the names are the code's own, never the user's).
fn per_status_sql() -> String {
    let counts: Vec<String> = AlertStatus::ALL
        .iter()
        .map(|s| format!("countIf(status = '{}')", s.as_str()))
        .collect();
    format!("[{}]", counts.join(", "))
}

/// The first pass over `scope`: the next lines after the cursor, in order.
async fn keys(
    client: &Client,
    filter: &AlertFilter,
    scope: &Scope,
    group_window_ms: u64,
) -> Result<Vec<Key>, clickhouse::error::Error> {
    let mut sql = Sql::default();
    sql.push(
        &format!(
            "SELECT argMax(alert_id, ts) AS rep_id, count() AS n, min(ts) AS first, \
             max(ts) AS last, argMax({}, ts) AS rank, {} AS per_status FROM (",
            Severity::SQL_RANK,
            per_status_sql()
        ),
        [],
    );
    let inner = joined(filter, false, scope);
    sql.push(&inner.text, inner.binds);
    sql.push(")", []);
    if let Some(status) = &filter.status {
        sql.push(" WHERE status = ?", [Bind::Text(status.as_str().into())]);
    }
    if filter.group {
        // Repeats: same rule, host and subject in the same window.
        sql.push(
            " GROUP BY cityHash64(rule_id, hostname, target), intDiv(ts, ?)",
            [Bind::Number(group_window_ms)],
        );
    } else {
        sql.push(" GROUP BY alert_id", []);
    }
    if let Some(c) = &filter.after {
        let (ts, id) = (Bind::Number(c.ts), Bind::Text(c.id.clone()));
        match filter.sort {
            Sort::Newest => sql.push(" HAVING (last, rep_id) < (?, ?)", [ts, id]),
            Sort::Oldest => sql.push(" HAVING (last, rep_id) > (?, ?)", [ts, id]),
            Sort::Severity => sql.push(
                " HAVING (rank, last, rep_id) < (?, ?, ?)",
                [Bind::Number(c.rank), ts, id],
            ),
        }
    }
    sql.push(
        match filter.sort {
            Sort::Newest => " ORDER BY last DESC, rep_id DESC",
            Sort::Oldest => " ORDER BY last ASC, rep_id ASC",
            Sort::Severity => " ORDER BY rank DESC, last DESC, rep_id DESC",
        },
        [],
    );
    sql.push(" LIMIT ?", [Bind::Number(filter.limit + 1)]);
    sql.query(client).fetch_all().await
}

#[derive(Row, Deserialize)]
struct Bounds {
    earliest: u64,
    latest: u64,
    count: u64,
}

/// The first pass, looking first at the alerts nearest the cursor and widening the time
/// window until the page is full: a page costs what its window holds, not what the
/// whole period holds. Windows are whole grouping windows, so a group is never cut.
async fn windowed_keys(
    client: &Client,
    filter: &AlertFilter,
    group_window_ms: u64,
) -> Result<Vec<Key>, clickhouse::error::Error> {
    if filter.sort == Sort::Severity {
        return keys(client, filter, &Scope::default(), group_window_ms).await;
    }
    let mut sql = Sql::default();
    sql.push("SELECT min(ts), max(ts), count() FROM alerts WHERE 1", []);
    if let Some(from) = filter.from_ms {
        sql.push(" AND ts >= ?", [Bind::Number(from)]);
    }
    if let Some(to) = filter.to_ms {
        sql.push(" AND ts < ?", [Bind::Number(to)]);
    }
    let bounds: Bounds = sql.query(client).fetch_one().await?;
    if bounds.count == 0 {
        return Ok(Vec::new());
    }
    let step = if filter.group {
        group_window_ms
    } else {
        3_600_000
    };
    let align_down = |ms: u64| ms / step * step;
    let newest = filter.sort == Sort::Newest;
    // The edge the page starts from: after the cursor's window, or the period's end.
    let start = match (&filter.after, newest) {
        (Some(c), true) => align_down(c.ts) + step,
        (None, true) => align_down(bounds.latest) + step,
        (Some(c), false) => align_down(c.ts),
        (None, false) => align_down(bounds.earliest),
    };
    let mut span = step;
    loop {
        let scope = if newest {
            let from = start.saturating_sub(span);
            Scope {
                from_ms: (from > bounds.earliest).then_some(from),
                to_ms: Some(start),
                ids: None,
            }
        } else {
            let to = start.saturating_add(span);
            Scope {
                from_ms: Some(start),
                to_ms: (to <= bounds.latest).then_some(to),
                ids: None,
            }
        };
        let found = keys(client, filter, &scope, group_window_ms).await?;
        let whole = if newest {
            scope.from_ms.is_none()
        } else {
            scope.to_ms.is_none()
        };
        if found.len() as u64 > filter.limit || whole {
            return Ok(found);
        }
        span = span.saturating_mul(4);
    }
}

/// The second pass: what the page shows of each line's alert.
#[derive(Debug, Row, Deserialize)]
struct Shown {
    alert_id: String,
    // Read because rows are positional; the line's times come from the first pass.
    _ts: u64,
    agent_id: String,
    hostname: String,
    rule_id: String,
    rule_title: String,
    rule_title_fr: String,
    severity: String,
    tags: Vec<String>,
    author: String,
    summary: String,
    summary_fr: String,
    target: String,
    action: String,
    status: String,
    assignee: String,
}

/// One page of the queue, and whether more follows.
pub async fn page(
    client: &Client,
    filter: &AlertFilter,
    group_window_ms: u64,
) -> Result<(Vec<AlertLine>, bool), clickhouse::error::Error> {
    let group_window_ms = group_window_ms.max(1);
    let mut keys = windowed_keys(client, filter, group_window_ms).await?;
    let more = keys.len() as u64 > filter.limit;
    keys.truncate(filter.limit as usize);
    if keys.is_empty() {
        return Ok((Vec::new(), false));
    }
    let scope = Scope {
        from_ms: keys.iter().map(|k| k.last).min(),
        to_ms: keys.iter().map(|k| k.last + 1).max(),
        ids: Some(keys.iter().map(|k| k.rep_id.clone()).collect()),
    };
    let shown: Vec<Shown> = joined(filter, true, &scope)
        .query(client)
        .fetch_all()
        .await?;
    let lines = keys
        .into_iter()
        .filter_map(|k| {
            let s = shown.iter().find(|s| s.alert_id == k.rep_id)?;
            Some(AlertLine {
                statuses: k.statuses(),
                alert_id: k.rep_id,
                count: k.count,
                first_ts: k.first,
                last_ts: k.last,
                agent_id: s.agent_id.clone(),
                hostname: s.hostname.clone(),
                rule_id: s.rule_id.clone(),
                rule_title: s.rule_title.clone(),
                rule_title_fr: s.rule_title_fr.clone(),
                severity: s.severity.clone(),
                summary: s.summary.clone(),
                summary_fr: s.summary_fr.clone(),
                target: s.target.clone(),
                status: s.status.clone(),
                assignee: s.assignee.clone(),
                tags: s.tags.clone(),
                author: s.author.clone(),
                action: s.action.clone(),
                rank: k.rank,
                incident: String::new(),
            })
        })
        .collect();
    Ok((lines, more))
}

#[derive(Row, Deserialize)]
struct StatusCount {
    status: String,
    count: u64,
}

/// How many alerts each status holds under the filter (its own status aside).
pub async fn counts(
    client: &Client,
    filter: &AlertFilter,
) -> Result<Vec<(String, u64)>, clickhouse::error::Error> {
    let mut sql = Sql::default();
    sql.push("SELECT status, count() FROM (", []);
    let inner = joined(filter, false, &Scope::default());
    sql.push(&inner.text, inner.binds);
    sql.push(") GROUP BY status", []);
    let rows: Vec<StatusCount> = sql.query(client).fetch_all().await?;
    Ok(AlertStatus::ALL
        .iter()
        .map(|s| {
            let n = rows
                .iter()
                .find(|r| r.status == s.as_str())
                .map_or(0, |r| r.count);
            (s.as_str().to_string(), n)
        })
        .collect())
}

/// One alert of a group of repeats.
#[derive(Debug, Clone, Row, Deserialize, serde::Serialize)]
pub struct GroupMember {
    /// Its id.
    pub alert_id: String,
    /// When (ms).
    pub ts: u64,
    /// Severity.
    pub severity: String,
    /// Its current status.
    pub status: String,
}

/// The alerts folded with alert `alert_id` into one queue line (same rule, host,
/// subject and grouping window; itself included), latest first.
pub async fn group_of(
    client: &Client,
    alert_id: &str,
    group_window_ms: u64,
) -> Result<Vec<GroupMember>, clickhouse::error::Error> {
    let window = Bind::Number(group_window_ms.max(1));
    let mut sql = Sql::default();
    sql.push(
        "SELECT alert_id, ts, severity, if(st_status = '', 'new', st_status) AS status \
         FROM (SELECT alert_id, ts, severity FROM alerts \
         WHERE (rule_id, hostname, target, intDiv(ts, ?)) IN \
         (SELECT rule_id, hostname, target, intDiv(ts, ?) FROM alerts WHERE alert_id = ?)) \
         ANY LEFT JOIN (SELECT alert_id, argMaxIf(status, ts, status != '') AS st_status \
         FROM alert_actions GROUP BY alert_id) USING alert_id \
         ORDER BY ts DESC, alert_id DESC",
        [window.clone(), window, Bind::Text(alert_id.to_string())],
    );
    sql.query(client).fetch_all().await
}

/// The alerts a queue line stands for: the alert `alert_id` and, when `grouped`, the
/// repeats folded with it, restricted to those in `status` when given.
pub async fn expand(
    client: &Client,
    alert_id: &str,
    grouped: bool,
    status: Option<&str>,
    group_window_ms: u64,
) -> Result<Vec<String>, clickhouse::error::Error> {
    if !grouped {
        return Ok(vec![alert_id.to_string()]);
    }
    Ok(group_of(client, alert_id, group_window_ms)
        .await?
        .into_iter()
        .filter(|m| status.is_none_or(|s| m.status == s))
        .map(|m| m.alert_id)
        .collect())
}

#[derive(Row, Deserialize)]
struct Id {
    alert_id: String,
}

/// Every alert the filter matches, status included (grouping and paging aside), up to
/// `cap` + 1 of them so that a caller can tell "more than `cap`".
pub async fn matching_ids(
    client: &Client,
    filter: &AlertFilter,
    cap: u64,
) -> Result<Vec<String>, clickhouse::error::Error> {
    let mut sql = Sql::default();
    sql.push("SELECT alert_id FROM (", []);
    let inner = joined(filter, false, &Scope::default());
    sql.push(&inner.text, inner.binds);
    sql.push(")", []);
    if let Some(status) = &filter.status {
        sql.push(" WHERE status = ?", [Bind::Text(status.as_str().into())]);
    }
    sql.push(" LIMIT ?", [Bind::Number(cap + 1)]);
    let ids: Vec<Id> = sql.query(client).fetch_all().await?;
    Ok(ids.into_iter().map(|i| i.alert_id).collect())
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
    fn filters_read_and_refuse_with_the_parameter_named() {
        let f = AlertFilter::parse(
            &params(&[
                ("severity", "high"),
                ("severity", "critical"),
                ("status", "new"),
                ("tag", "T1059"),
                ("q", "'; DROP TABLE alerts; --"),
                ("range", "24h"),
            ]),
            100 * 3_600_000,
        )
        .unwrap();
        assert_eq!(f.severities, vec![Severity::High, Severity::Critical]);
        assert_eq!(f.tag, "attack.t1059");
        assert_eq!(f.from_ms, Some(76 * 3_600_000));
        assert_eq!(f.text, "'; DROP TABLE alerts; --", "kept as a value");
        for (name, value) in [
            ("severity", "urgent"),
            ("status", "closed"),
            ("range", "1y"),
            ("sort", "random"),
            ("limit", "0"),
            ("after", "x"),
            ("severty", "high"),
        ] {
            let e = AlertFilter::parse(&params(&[(name, value)]), 0).unwrap_err();
            assert_eq!(e.param, name);
        }
        let e = AlertFilter::parse(
            &params(&[
                ("range", "custom"),
                ("from", "2026-11-28T10:00"),
                ("to", "2026-11-28T09:00"),
            ]),
            0,
        )
        .unwrap_err();
        assert_eq!(e.param, "to");
    }

    #[test]
    fn times_cursors_and_links_round_trip() {
        let c = Cursor::parse("4-1700000000000-abc123").unwrap();
        assert_eq!(c.encode(), "4-1700000000000-abc123");
        assert!(Cursor::parse("4-1-abc'").is_none(), "ids are plain");
        let f = AlertFilter::parse(&params(&[("host", "web 1"), ("severity", "low")]), 0).unwrap();
        let again =
            AlertFilter::parse(&url_decoded(&f.query_string(Some("resolved"), Some(&c))), 0)
                .unwrap();
        assert_eq!(again.host, "web 1");
        assert_eq!(again.status, Some(AlertStatus::Resolved));
        assert_eq!(again.after, Some(c));
    }

    fn url_decoded(query: &str) -> Params {
        serde_urlencoded::from_str(query).unwrap()
    }
}
