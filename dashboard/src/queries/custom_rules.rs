//! Sigma rules admins write in the dashboard. A text is checked by the same parser, with
//! the same errors, as `vigie rules check` on a file holding it — plus what only the
//! dashboard can know: an id already used by another rule. It is tried against the
//! events stored over the last hours ("would have fired N times", see [`try_rules`]),
//! then saved as a new version in `custom_rules`, which the collector puts in force
//! within seconds (its rule library reads the table like a rule folder).

use std::collections::{BTreeMap, HashMap, HashSet};

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::Event;
use vigie_rules::sigma::{assemble, parse_file, Limits, RuleError, RuleSet};
use vigie_store::rows::CustomRuleRow;
use vigie_store::{Client, StoreError};

/// Longest text accepted (a rule file, not a rule library).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Hours of stored events a trial can look back.
pub const MAX_HOURS: u64 = 168;
/// Hours a trial looks back when not told.
pub const DEFAULT_HOURS: u64 = 24;
/// Most events a trial reads: past it, the window starts later (and says so).
pub const MAX_EXAMINED: u64 = 500_000;
/// Matching events a trial shows.
pub const SAMPLES: usize = 20;
/// Where errors say the text comes from.
const ORIGIN: &str = "rule";

/// One problem in a text: its line when known, and what is wrong (the words of
/// `vigie rules check`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl From<RuleError> for Problem {
    fn from(e: RuleError) -> Problem {
        Problem {
            line: e.line,
            reason: e.reason,
        }
    }
}

/// A rule a text holds.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its level.
    pub level: String,
    /// True for a correlation rule.
    pub correlation: bool,
}

/// What a check of a text found.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    /// The rules it holds.
    pub rules: Vec<Found>,
    /// Its problems; empty: it can be saved.
    pub errors: Vec<Problem>,
}

/// A text ready to run: its detection rules and correlations, assembled.
pub struct Runnable {
    rules: Vec<vigie_rules::sigma::SigmaRule>,
    correlator: vigie_rules::sigma::Correlator,
}

/// Rule ids already in force, and where: `(title, source, file_id)`; `file_id` names the
/// dashboard file holding a rule written here.
pub type InForce = HashMap<String, (String, String, Option<String>)>;

#[derive(Row, Deserialize)]
struct CatalogueRow {
    rule_id: String,
    title: String,
    source: String,
}

/// The rules in force (the collector's latest catalogue) and the dashboard's files.
pub async fn in_force(client: &Client) -> Result<InForce, StoreError> {
    let catalogue: Vec<CatalogueRow> = client
        .query(
            "SELECT rule_id, title, source FROM rules FINAL \
             WHERE updated_ms = (SELECT max(updated_ms) FROM rules)",
        )
        .fetch_all()
        .await?;
    let mut ids: InForce = catalogue
        .into_iter()
        .map(|r| (r.rule_id, (r.title, r.source, None)))
        .collect();
    // Files saved since the catalogue was published count too.
    for file in files(client).await? {
        for id in file.rule_ids {
            let entry = ids
                .entry(id)
                .or_insert((String::new(), "dashboard".into(), None));
            entry.1 = "dashboard".into();
            entry.2 = Some(file.file_id.clone());
        }
    }
    Ok(ids)
}

/// Checks `text`, to be saved as `file_id` (`None`: a new file): the rules it holds and
/// its problems, and the rules ready to run when it has none.
pub fn check(text: &str, file_id: Option<&str>, in_force: &InForce) -> (Checked, Option<Runnable>) {
    let mut errors: Vec<Problem> = Vec::new();
    if text.len() > MAX_TEXT_BYTES {
        let reason = format!(
            "the text is {} bytes; at most {MAX_TEXT_BYTES} are accepted",
            text.len()
        );
        errors.push(Problem { line: None, reason });
        let checked = Checked {
            rules: Vec::new(),
            errors,
        };
        return (checked, None);
    }
    let parsed = parse_file(text, ORIGIN);
    errors.extend(parsed.errors.into_iter().map(Problem::from));
    let mut rules: Vec<Found> = parsed
        .rules
        .iter()
        .map(|r| (&r.info, false))
        .chain(parsed.correlations.iter().map(|c| (&c.info, true)))
        .map(|(info, correlation)| Found {
            id: info.id.clone(),
            title: info.title.clone(),
            level: info.level.as_str().into(),
            correlation,
        })
        .collect();
    if rules.is_empty() && errors.is_empty() {
        errors.push(problem("the text holds no rule"));
    }
    let mut seen = HashSet::new();
    for rule in &rules {
        // The parser names a rule without an id after its origin.
        if rule.id.trim().is_empty() || rule.id == format!("path:{ORIGIN}") {
            errors.push(problem(&format!(
                "rule {:?} has no id: rules written here need one (a UUID)",
                rule.title
            )));
        } else if !seen.insert(rule.id.as_str()) {
            errors.push(problem(&format!("id {} is used twice", rule.id)));
        } else if let Some((title, source, holder)) = in_force.get(&rule.id) {
            if holder.is_none() || holder.as_deref() != file_id {
                errors.push(problem(&format!(
                    "id {} is already the id of rule {title:?} ({source})",
                    rule.id
                )));
            }
        }
    }
    let (standalone, correlator, unresolved) =
        assemble(parsed.rules, parsed.correlations, Limits::default());
    errors.extend(unresolved.into_iter().map(Problem::from));
    rules.sort_by_key(|r| r.correlation);
    let runnable = errors.is_empty().then_some(Runnable {
        rules: standalone,
        correlator,
    });
    (Checked { rules, errors }, runnable)
}

fn problem(reason: &str) -> Problem {
    Problem {
        line: None,
        reason: reason.into(),
    }
}

/// One matching event a trial shows.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// When (ms).
    pub ts: u64,
    /// Its host.
    pub hostname: String,
    /// Its agent.
    pub agent_id: String,
    /// Its sequence number.
    pub seq: u64,
    /// Its category.
    pub category: String,
    /// What it is about.
    pub subject: String,
    /// The rule that matched.
    pub rule_id: String,
}

/// What a trial over stored events found.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    /// Hours asked for.
    pub hours: u64,
    /// Start of the window read (ms); later than asked when [`Trial::cut`].
    pub from_ms: u64,
    /// End of the window (ms).
    pub to_ms: u64,
    /// Events read.
    pub examined: u64,
    /// True when more events than [`MAX_EXAMINED`] lay in the window: only the latest
    /// were read.
    pub cut: bool,
    /// Times the rules would have fired (before exceptions and rule settings).
    pub fired: u64,
    /// By rule id.
    pub by_rule: BTreeMap<String, u64>,
    /// By host, most first (at most ten).
    pub by_host: Vec<(String, u64)>,
    /// The first matches, in time order.
    pub samples: Vec<Sample>,
}

#[derive(Row, Deserialize)]
struct Cut {
    first: u64,
    n: u64,
}

#[derive(Row, Deserialize)]
struct Stored {
    fields: String,
}

/// The categories `runnable` can match, or `None` when one of its rules names none (it
/// may match any event).
fn categories(runnable: &Runnable) -> Option<Vec<String>> {
    let mut all = Vec::new();
    for rule in &runnable.rules {
        all.push(rule.logsource.category.clone()?);
    }
    // Correlations count the rules they name, which are in `rules` or quiet; a quiet
    // rule's category is unknown here, so read every category.
    if !runnable.correlator.is_empty() {
        return None;
    }
    all.sort();
    all.dedup();
    Some(all)
}

/// Runs `runnable` over the events stored in the `hours` before `now_ms`, in time order
/// (correlations count as the collector would), reading at most [`MAX_EXAMINED`].
pub async fn try_rules(
    client: &Client,
    runnable: Runnable,
    hours: u64,
    now_ms: u64,
) -> Result<Trial, StoreError> {
    let hours = hours.clamp(1, MAX_HOURS);
    let wanted_from = now_ms.saturating_sub(hours * 3_600_000);
    let categories = categories(&runnable);
    let where_clause = match &categories {
        Some(_) => "ts >= ? AND ts <= ? AND has(?, category)",
        None => "ts >= ? AND ts <= ?",
    };
    let bind_window = |q: clickhouse::query::Query, from: u64| {
        let q = q.bind(from).bind(now_ms);
        match &categories {
            Some(c) => q.bind(c.as_slice()),
            None => q,
        }
    };
    // The window's start: as asked, or later when it holds too many events.
    let cut: Cut = bind_window(
        client.query(&format!(
            "SELECT min(ts) AS first, count() AS n FROM \
             (SELECT ts FROM events WHERE {where_clause} ORDER BY ts DESC LIMIT {MAX_EXAMINED})"
        )),
        wanted_from,
    )
    .fetch_one()
    .await?;
    let total: u64 = bind_window(
        client.query(&format!("SELECT count() FROM events WHERE {where_clause}")),
        wanted_from,
    )
    .fetch_one()
    .await?;
    let is_cut = total > cut.n;
    let from = if is_cut { cut.first } else { wanted_from };
    let mut engine = vigie_rules::Engine::default();
    engine.add(Box::new(RuleSet::new(runnable.rules)));
    if !runnable.correlator.is_empty() {
        engine.add(Box::new(runnable.correlator));
    }
    let mut trial = Trial {
        hours,
        from_ms: from,
        to_ms: now_ms,
        examined: 0,
        cut: is_cut,
        fired: 0,
        by_rule: BTreeMap::new(),
        by_host: Vec::new(),
        samples: Vec::new(),
    };
    let mut hosts: HashMap<String, u64> = HashMap::new();
    let mut cursor = bind_window(
        client.query(&format!(
            "SELECT fields FROM events WHERE {where_clause} \
             ORDER BY ts, agent_id, seq LIMIT {MAX_EXAMINED}"
        )),
        from,
    )
    .fetch::<Stored>()?;
    while let Some(row) = cursor.next().await? {
        let Ok(event) = serde_json::from_str::<Event>(&row.fields) else {
            continue;
        };
        trial.examined += 1;
        for detection in engine.evaluate(&event) {
            trial.fired += 1;
            *trial.by_rule.entry(detection.rule.id.clone()).or_insert(0) += 1;
            *hosts.entry(event.hostname.clone()).or_insert(0) += 1;
            if trial.samples.len() < SAMPLES {
                trial.samples.push(Sample {
                    ts: event.ts,
                    hostname: event.hostname.clone(),
                    agent_id: event.agent_id.clone(),
                    seq: event.seq,
                    category: event.category.clone(),
                    subject: event.subject(),
                    rule_id: detection.rule.id.clone(),
                });
            }
        }
    }
    let mut by_host: Vec<(String, u64)> = hosts.into_iter().collect();
    by_host.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by_host.truncate(10);
    trial.by_host = by_host;
    Ok(trial)
}

/// The dashboard's rule files in force (not deleted), by file id.
pub async fn files(client: &Client) -> Result<Vec<CustomRuleRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM custom_rules FINAL WHERE deleted = 0 ORDER BY file_id")
        .fetch_all()
        .await?)
}

/// The dashboard's rule file `file_id`, if in force.
pub async fn get(client: &Client, file_id: &str) -> Result<Option<CustomRuleRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM custom_rules FINAL WHERE file_id = ? AND deleted = 0")
        .bind(file_id)
        .fetch_optional()
        .await?)
}

/// The latest version of `file_id`, deleted or not: the one a new version must follow.
async fn latest(client: &Client, file_id: &str) -> Result<Option<CustomRuleRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM custom_rules FINAL WHERE file_id = ?")
        .bind(file_id)
        .fetch_optional()
        .await?)
}

/// Saves `text` (already checked: `checked` is its check) as `file_id`, or as a new
/// file named after its first rule; the file id and the version it replaced.
pub async fn save(
    client: &Client,
    file_id: Option<&str>,
    text: &str,
    checked: &Checked,
    by: &str,
) -> Result<(String, Option<CustomRuleRow>), StoreError> {
    let id = match file_id {
        Some(id) => id.to_string(),
        None => checked
            .rules
            .first()
            .map(|r| r.id.clone())
            .unwrap_or_default(),
    };
    let before = latest(client, &id).await?;
    let row = CustomRuleRow {
        file_id: id.clone(),
        yaml: text.into(),
        rule_ids: checked.rules.iter().map(|r| r.id.clone()).collect(),
        deleted: 0,
        updated_by: by.into(),
        // Past both now and the last version, so this one wins even if the clock went back.
        updated_ms: vigie_model::event::now_ms()
            .max(before.as_ref().map_or(0, |b| b.updated_ms + 1)),
    };
    vigie_store::insert_rows(client, "custom_rules", std::slice::from_ref(&row)).await?;
    Ok((id, before.filter(|b| b.deleted == 0)))
}

/// Deletes the rule file `file_id`; what it was, or `None` when it was not in force.
pub async fn delete(
    client: &Client,
    file_id: &str,
    by: &str,
) -> Result<Option<CustomRuleRow>, StoreError> {
    let Some(before) = get(client, file_id).await? else {
        return Ok(None);
    };
    let row = CustomRuleRow {
        deleted: 1,
        updated_by: by.into(),
        updated_ms: vigie_model::event::now_ms().max(before.updated_ms + 1),
        ..before.clone()
    };
    vigie_store::insert_rows(client, "custom_rules", std::slice::from_ref(&row)).await?;
    Ok(Some(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "title: Curl to a raw IP\nid: 5f0c8a52-0b5e-4c55-9d3e-1a2b3c4d5e6f\nlevel: high\nlogsource: {category: process_creation, product: linux}\ndetection:\n  sel:\n    Image|endswith: /curl\n  condition: sel\n";

    #[test]
    fn a_good_rule_is_found_and_runnable() {
        let (checked, runnable) = check(RULE, None, &InForce::new());
        assert!(checked.errors.is_empty(), "{:?}", checked.errors);
        assert_eq!(checked.rules[0].title, "Curl to a raw IP");
        assert_eq!(checked.rules[0].level, "high");
        let runnable = runnable.unwrap();
        assert_eq!(
            categories(&runnable),
            Some(vec!["process_creation".to_string()])
        );
    }

    #[test]
    fn problems_are_named_with_their_line() {
        let broken = RULE.replace("condition: sel", "condition: sel and nope");
        let (checked, runnable) = check(&broken, None, &InForce::new());
        assert!(runnable.is_none());
        assert!(checked.errors[0].reason.contains("nope"), "{checked:?}");

        let (checked, _) = check("title: [unclosed", None, &InForce::new());
        assert!(
            checked.errors[0].reason.contains("not valid YAML"),
            "{checked:?}"
        );
        assert_eq!(checked.errors[0].line, Some(1));

        let (checked, _) = check("", None, &InForce::new());
        assert!(
            checked.errors[0].reason.contains("holds no rule"),
            "{checked:?}"
        );

        let no_id = RULE.replace("id: 5f0c8a52-0b5e-4c55-9d3e-1a2b3c4d5e6f\n", "");
        let (checked, _) = check(&no_id, None, &InForce::new());
        assert!(
            checked.errors[0].reason.contains("has no id"),
            "{checked:?}"
        );
    }

    #[test]
    fn an_id_in_force_elsewhere_is_refused_but_its_own_file_may_change() {
        let id = "5f0c8a52-0b5e-4c55-9d3e-1a2b3c4d5e6f".to_string();
        let mut in_force = InForce::new();
        in_force.insert(id.clone(), ("Pack rule".into(), "pack".into(), None));
        let (checked, _) = check(RULE, None, &in_force);
        assert!(
            checked.errors[0].reason.contains("\"Pack rule\" (pack)"),
            "{checked:?}"
        );

        in_force.insert(
            id.clone(),
            ("Mine".into(), "dashboard".into(), Some(id.clone())),
        );
        let (checked, _) = check(RULE, Some(&id), &in_force);
        assert!(checked.errors.is_empty(), "{checked:?}");
        let (checked, _) = check(RULE, Some("another-file"), &in_force);
        assert_eq!(checked.errors.len(), 1, "{checked:?}");

        let twice = format!("{RULE}---\n{RULE}");
        let (checked, _) = check(&twice, None, &InForce::new());
        assert!(
            checked.errors[0].reason.contains("used twice"),
            "{checked:?}"
        );
    }

    #[test]
    fn too_long_a_text_is_refused_unread() {
        let long = "#".repeat(MAX_TEXT_BYTES + 1);
        let (checked, runnable) = check(&long, None, &InForce::new());
        assert!(runnable.is_none());
        assert!(checked.errors[0].reason.contains("at most"), "{checked:?}");
    }
}
