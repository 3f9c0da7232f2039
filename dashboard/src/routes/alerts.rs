//! The alert queue: filters, counts per status, grouped repeats, keyset pages, bulk
//! triage, and live arrival. `GET /alerts` for people, `GET /api/v1/alerts` for programs.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{see_other, Api, AppState, Ctx, Page, Params};
use crate::i18n::{t, Lang, Msg};
use crate::queries::alerts::{self, AlertFilter, AlertLine, Sort, RANGES};
use crate::views::html::{esc, utc};
use vigie_model::{AlertStatus, Severity};

/// `GET /`: the alert queue.
pub(super) async fn home() -> Response {
    see_other("/alerts")
}

/// The rule title in the user's language.
pub(super) fn title<'a>(lang: Lang, en: &'a str, fr: &'a str) -> &'a str {
    crate::i18n::rule_title(lang, en, fr)
}

/// A severity badge.
pub(super) fn severity_badge(lang: Lang, severity: &str) -> String {
    format!(
        "<span class=\"sev sev-{}\">{}</span>",
        esc(severity),
        esc(Severity::label_of(severity, lang))
    )
}

/// A status badge.
pub(super) fn status_badge(lang: Lang, status: &str) -> String {
    format!(
        "<span class=\"st st-{}\">{}</span>",
        esc(status),
        esc(AlertStatus::label_of(status, lang))
    )
}

/// `GET /alerts`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let filter = match AlertFilter::parse(&params, vigie_model::event::now_ms()) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let window = state.config().group_window_ms();
    let (lines, more, counts) = match tokio::try_join!(
        alerts::page(&state.client, &filter, window),
        alerts::counts(&state.client, &filter)
    ) {
        Ok(((lines, more), counts)) => (lines, more, counts),
        Err(e) => return ctx.store_failed(&e),
    };
    let notice = params
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, n)| n.parse::<u64>().ok())
        .map(|n| {
            format!(
                "<p class=\"ok\" role=\"status\">{}</p>",
                esc(&t(ctx.lang, Msg::TriageDone).replace("{n}", &n.to_string()))
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{}</h1>{notice}{}{}{}",
        esc(t(ctx.lang, Msg::AlertsTitle)),
        filter_form(ctx.lang, &filter),
        status_tabs(ctx.lang, &filter, &counts),
        queue(&ctx, &filter, &lines, more),
    );
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::AlertsTitle), &body)
}

fn filter_form(lang: Lang, f: &AlertFilter) -> String {
    let mut html = String::from("<form class=\"filters\" method=\"get\" action=\"/alerts\">");
    if let Some(s) = &f.status {
        html.push_str(&format!(
            "<input type=\"hidden\" name=\"status\" value=\"{}\">",
            esc(s.as_str())
        ));
    }
    html.push_str(&format!(
        "<fieldset><legend>{}</legend>",
        esc(t(lang, Msg::FilterSeverity))
    ));
    for s in Severity::ALL.iter().rev() {
        let checked = if f.severities.contains(s) {
            " checked"
        } else {
            ""
        };
        html.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{s}\"{checked}> {}</label> ",
            esc(s.label(lang))
        ));
    }
    html.push_str("</fieldset>");
    for (name, key, value) in [
        ("host", Msg::FilterHost, &f.host),
        ("rule", Msg::FilterRule, &f.rule),
        ("tag", Msg::FilterTag, &f.tag),
        ("q", Msg::FilterText, &f.text),
    ] {
        html.push_str(&format!(
            "<label>{}<input name=\"{name}\" value=\"{}\"></label>",
            esc(t(lang, key)),
            esc(value)
        ));
    }
    html.push_str(&format!(
        "<label>{}<select name=\"range\">",
        esc(t(lang, Msg::FilterRange))
    ));
    for (name, _, label) in RANGES {
        let selected = if f.range == name { " selected" } else { "" };
        html.push_str(&format!(
            "<option value=\"{name}\"{selected}>{}</option>",
            esc(t(lang, label))
        ));
    }
    let custom = if f.range == "custom" { " selected" } else { "" };
    html.push_str(&format!(
        "<option value=\"custom\"{custom}>{} / {}</option></select></label>",
        esc(t(lang, Msg::FilterFrom)),
        esc(t(lang, Msg::FilterTo))
    ));
    for (name, key, value) in [
        ("from", Msg::FilterFrom, f.from_ms),
        ("to", Msg::FilterTo, f.to_ms),
    ] {
        let value = match (f.range.as_str(), value) {
            ("custom", Some(ms)) => utc(ms).replace(' ', "T")[..16].to_string(),
            _ => String::new(),
        };
        html.push_str(&format!(
            "<label>{} (UTC)<input type=\"datetime-local\" name=\"{name}\" value=\"{value}\"></label>",
            esc(t(lang, key))
        ));
    }
    html.push_str(&format!(
        "<label>{}<select name=\"sort\">",
        esc(t(lang, Msg::FilterSort))
    ));
    for (sort, name, label) in Sort::ALL {
        let selected = if f.sort == sort { " selected" } else { "" };
        html.push_str(&format!(
            "<option value=\"{name}\"{selected}>{}</option>",
            esc(t(lang, label))
        ));
    }
    html.push_str("</select></label>");
    html.push_str(&format!(
        "<label>{}<select name=\"group\"><option value=\"1\"{}>✓</option><option value=\"0\"{}>✗</option></select></label>",
        esc(t(lang, Msg::FilterGroup)),
        if f.group { " selected" } else { "" },
        if f.group { "" } else { " selected" },
    ));
    html.push_str(&format!(
        "<button type=\"submit\">{}</button></form>",
        esc(t(lang, Msg::Filter))
    ));
    html
}

fn status_tabs(lang: Lang, f: &AlertFilter, counts: &[(String, u64)]) -> String {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut html = String::from("<nav class=\"tabs\">");
    let tab = |status: Option<&str>, label: String, n: u64| {
        let on = if f.status.map(AlertStatus::as_str) == status {
            " class=\"on\""
        } else {
            ""
        };
        format!(
            "<a href=\"/alerts?{}\"{on}>{} ({n})</a>",
            esc(&f.query_string(status, None)),
            esc(&label)
        )
    };
    html.push_str(&tab(None, t(lang, Msg::AllStatuses).into(), total));
    for (status, n) in counts {
        html.push_str(&tab(
            Some(status),
            AlertStatus::label_of(status, lang).into(),
            *n,
        ));
    }
    html.push_str("</nav>");
    html
}

fn queue(ctx: &Ctx, f: &AlertFilter, lines: &[AlertLine], more: bool) -> String {
    let lang = ctx.lang;
    let mut html = format!(
        "<p id=\"new-alerts\" class=\"banner\" hidden><a href=\"/alerts?{}\"><span data-count>0</span> {}</a></p>",
        esc(&f.query_string(f.status.map(AlertStatus::as_str), None)),
        esc(t(lang, Msg::NewAlerts))
    );
    if lines.is_empty() {
        html.push_str(&format!("<p>{}</p>", esc(t(lang, Msg::AlertsNoneMatch))));
        return html;
    }
    let triage = ctx.who.role.can_triage();
    if triage {
        html.push_str(&format!(
            "<form method=\"post\" action=\"/alerts/triage\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
<input type=\"hidden\" name=\"grouped\" value=\"{}\"><input type=\"hidden\" name=\"return\" value=\"{}\">",
            esc(ctx.who.csrf()),
            if f.group { "1" } else { "0" },
            esc(&f.query_string(f.status.map(AlertStatus::as_str), f.after.as_ref())),
        ));
        if let Some(s) = &f.status {
            html.push_str(&format!(
                "<input type=\"hidden\" name=\"status_filter\" value=\"{}\">",
                esc(s.as_str())
            ));
        }
    }
    html.push_str("<table><thead><tr>");
    if triage {
        html.push_str(&format!(
            "<th><input type=\"checkbox\" data-select-all aria-label=\"{}\"></th>",
            esc(t(lang, Msg::SelectAll))
        ));
    }
    for key in [
        Msg::ColTime,
        Msg::ColSeverity,
        Msg::ColStatus,
        Msg::ColHost,
        Msg::ColRule,
        Msg::ColTarget,
        Msg::ColCount,
        Msg::ColAssignee,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for line in lines {
        html.push_str(&format!("<tr data-alert-id=\"{}\">", esc(&line.alert_id)));
        if triage {
            html.push_str(&format!(
                "<td><input type=\"checkbox\" name=\"id\" value=\"{}\"></td>",
                esc(&line.alert_id)
            ));
        }
        let time = if line.count > 1 {
            format!("{} – {}", utc(line.first_ts), utc(line.last_ts))
        } else {
            utc(line.last_ts)
        };
        html.push_str(&format!(
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/alerts/{}\" title=\"{}\">{}</a></td><td class=\"wrap\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&time),
            severity_badge(lang, &line.severity),
            status_badge(lang, &line.status),
            esc(&line.hostname),
            esc(&line.alert_id),
            esc(&line.summary),
            esc(title(lang, &line.rule_title, &line.rule_title_fr)),
            subject(lang, line),
            line.count,
            esc(&line.assignee),
        ));
    }
    html.push_str("</tbody></table>");
    if triage {
        html.push_str(&triage_controls(lang));
        html.push_str("</form>");
    }
    let mut pages = String::from("<p>");
    if f.after.is_some() {
        pages.push_str(&format!(
            "<a href=\"/alerts?{}\">{}</a> ",
            esc(&f.query_string(f.status.map(AlertStatus::as_str), None)),
            esc(t(lang, Msg::FirstPage))
        ));
    }
    if more {
        let last = lines.last().expect("not empty").cursor();
        pages.push_str(&format!(
            "<a href=\"/alerts?{}\" rel=\"next\">{}</a>",
            esc(&f.query_string(f.status.map(AlertStatus::as_str), Some(&last))),
            esc(t(lang, Msg::NextPage))
        ));
    }
    pages.push_str("</p>");
    html.push_str(&pages);
    html
}

/// The file, program or address, and what happened to a file.
fn subject(lang: Lang, line: &AlertLine) -> String {
    let mut html = esc(&line.target);
    if !line.action.is_empty() {
        html.push_str(&format!(
            " <span class=\"muted\">({})</span>",
            esc(vigie_model::event::FileAction::parse(&line.action)
                .map_or(line.action.as_str(), |a| t(lang, a.msg())))
        ));
    }
    html
}

/// The triage controls (inside a form that carries the alert ids and the CSRF token).
pub(super) fn triage_controls(lang: Lang) -> String {
    let mut html = format!(
        "<fieldset class=\"triage\"><legend>{}</legend><label>{}<select name=\"action\">",
        esc(t(lang, Msg::TriageSelected)),
        esc(t(lang, Msg::TriageAction))
    );
    for action in crate::queries::triage::ACTIONS {
        html.push_str(&format!(
            "<option value=\"{action}\">{}</option>",
            esc(crate::queries::triage::action_label(action, lang))
        ));
    }
    html.push_str(&format!(
        "</select></label><label>{}<select name=\"status\">",
        esc(t(lang, Msg::FilterStatus))
    ));
    for status in AlertStatus::ALL {
        html.push_str(&format!(
            "<option value=\"{status}\">{}</option>",
            esc(status.label(lang))
        ));
    }
    html.push_str(&format!(
        "</select></label><label>{}<input name=\"assignee\" maxlength=\"64\"></label>\
<label>{}<input name=\"comment\" maxlength=\"2000\" size=\"40\"></label><button type=\"submit\">{}</button></fieldset>",
        esc(t(lang, Msg::TriageAssignee)),
        esc(t(lang, Msg::TriageComment)),
        esc(t(lang, Msg::TriageApply)),
    ));
    html
}

/// `GET /api/v1/alerts`: the same filters as the page; lines, counts per status, and
/// the cursor of the next page (null on the last).
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    let filter = match AlertFilter::parse(&params, vigie_model::event::now_ms()) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let window = state.config().group_window_ms();
    match tokio::try_join!(
        alerts::page(&state.client, &filter, window),
        alerts::counts(&state.client, &filter)
    ) {
        Ok(((lines, more), counts)) => {
            let next = more.then(|| lines.last().map(|l| l.cursor().encode()));
            let counts: serde_json::Map<String, serde_json::Value> =
                counts.into_iter().map(|(s, n)| (s, json!(n))).collect();
            Json(json!({ "alerts": lines, "counts": counts, "next": next.flatten() }))
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
