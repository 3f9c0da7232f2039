//! `GET /hunt` (form and results), `GET /hunt.csv` (download) and `GET /api/v1/events`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{Api, AppState, Page, Params};
use crate::i18n::{t, Lang, Msg};
use crate::queries::hunt::{
    self, Hunt, CATEGORIES, MAX_CONDITIONS, MAX_EXPORT, OPERATORS, PAGE_ROWS,
};
use crate::views::html::{esc, utc};

/// `GET /hunt`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let lang = ctx.lang;
    let now = vigie_model::event::now_ms();
    let hunt = match Hunt::parse(&params, now) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    let mut html = format!(
        "<h1>{}</h1>{}",
        esc(t(lang, Msg::NavHunt)),
        form(lang, &hunt)
    );
    // A search runs once the form was sent (not on first arrival).
    if params.iter().any(|(k, _)| k == "from" || k == "category") {
        let rows = match hunt::run(&state.client, &hunt, PAGE_ROWS + 1).await {
            Ok(r) => r,
            Err(e) => return ctx.store_failed(&e),
        };
        tracing::info!(user = ctx.who.username, hunt = ?hunt, "hunt");
        state
            .audit
            .note(
                &ctx.who.username,
                "search",
                "events",
                serde_json::to_value(&hunt).unwrap_or_default(),
            )
            .await;
        html.push_str(&results(lang, &hunt, &rows));
    }
    ctx.render(StatusCode::OK, t(lang, Msg::NavHunt), &html)
}

fn form(lang: Lang, h: &Hunt) -> String {
    let mut html = String::from("<form class=\"filters\" method=\"get\" action=\"/hunt\">");
    html.push_str(&format!(
        "<label>{}<select name=\"category\"><option value=\"\">{}</option>",
        esc(t(lang, Msg::ColCategory)),
        esc(t(lang, Msg::Any))
    ));
    for c in CATEGORIES {
        let selected = if h.category == c { " selected" } else { "" };
        html.push_str(&format!("<option value=\"{c}\"{selected}>{c}</option>"));
    }
    html.push_str("</select></label>");
    html.push_str(&format!(
        "<label>{}<input name=\"host\" value=\"{}\"></label>",
        esc(t(lang, Msg::ColHost)),
        esc(&h.host)
    ));
    for (name, key, ms) in [
        ("from", Msg::FilterFrom, h.from_ms),
        ("to", Msg::FilterTo, h.to_ms),
    ] {
        html.push_str(&format!(
            "<label>{} (UTC)<input type=\"datetime-local\" name=\"{name}\" value=\"{}\"></label>",
            esc(t(lang, key)),
            &utc(ms).replace(' ', "T")[..16]
        ));
    }
    html.push_str(&format!(
        "<fieldset><legend>{}</legend>",
        esc(t(lang, Msg::HuntConditions))
    ));
    for i in 1..=MAX_CONDITIONS {
        let c = h.conditions.get(i - 1);
        let op_now = c.map_or("eq", |c| c.op.as_str());
        let ops: String = OPERATORS
            .iter()
            .map(|(op, key)| {
                format!(
                    "<option value=\"{op}\"{}>{}</option>",
                    if *op == op_now { " selected" } else { "" },
                    esc(t(lang, *key))
                )
            })
            .collect();
        html.push_str(&format!(
            "<div><input name=\"f{i}\" placeholder=\"{}\" value=\"{}\" aria-label=\"{}\"> <select name=\"op{i}\" aria-label=\"{}\">{ops}</select> <input name=\"v{i}\" value=\"{}\" aria-label=\"{}\"></div>",
            esc(t(lang, Msg::HuntFieldExample)),
            esc(c.map_or("", |c| &c.field)),
            esc(t(lang, Msg::ColField)),
            esc(t(lang, Msg::HuntOperator)),
            esc(c.map_or("", |c| &c.value)),
            esc(t(lang, Msg::ColValue)),
        ));
    }
    html.push_str(&format!(
        "</fieldset><button type=\"submit\">{}</button></form>",
        esc(t(lang, Msg::HuntSearch))
    ));
    html
}

fn results(lang: Lang, h: &Hunt, rows: &[hunt::Found]) -> String {
    let more = rows.len() as u64 > PAGE_ROWS;
    let rows = &rows[..rows.len().min(PAGE_ROWS as usize)];
    let mut html = format!(
        "<p>{}: {}{} · <a href=\"/hunt.csv?{}\" download>{}</a></p>",
        esc(t(lang, Msg::HuntFound)),
        rows.len(),
        if more { "+" } else { "" },
        esc(&h.query_string(None)),
        esc(t(lang, Msg::HuntCsv))
    );
    if rows.is_empty() {
        html.push_str(&format!("<p>{}</p>", esc(t(lang, Msg::HuntNone))));
        return html;
    }
    html.push_str("<table><thead><tr>");
    for key in [
        Msg::ColTime,
        Msg::ColHost,
        Msg::ColCategory,
        Msg::ColImage,
        Msg::ColTarget,
        Msg::ColUser,
        Msg::HuntFields,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for r in rows {
        let fields: String = r.fields.chars().take(400).collect();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td class=\"wrap\">{}</td><td>{}</td><td class=\"wrap\"><code>{}</code></td></tr>",
            esc(&utc(r.ts)),
            esc(&r.hostname),
            esc(&r.category),
            esc(&r.image),
            esc(&r.target),
            esc(&r.user),
            esc(&fields)
        ));
    }
    html.push_str("</tbody></table>");
    if more {
        let last = rows.last().expect("not empty").ts;
        html.push_str(&format!(
            "<p><a href=\"/hunt?{}\" rel=\"next\">{}</a></p>",
            esc(&h.query_string(Some(last))),
            esc(t(lang, Msg::NextPage))
        ));
    }
    html
}

/// `GET /hunt.csv`: the same search, up to 100,000 events, as a CSV file.
pub(super) async fn csv(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let hunt = match Hunt::parse(&params, vigie_model::event::now_ms()) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    match hunt::run(&state.client, &hunt, MAX_EXPORT).await {
        Ok(rows) => {
            let body = crate::views::csv::hunt_results(&rows);
            tracing::info!(
                user = ctx.who.username,
                rows = rows.len(),
                "hunt exported as CSV"
            );
            state
                .audit
                .note(&ctx.who.username, "export_csv", "events", serde_json::json!({
                    "hunt": hunt, "rows": rows.len(), "sha256": vigie_model::hex::sha256(body.as_bytes()),
                }))
                .await;
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"vigie-events.csv\"",
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/events`: the same parameters as `/hunt`, JSON, `limit` up to 1000.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    let hunt = match Hunt::parse(&params, vigie_model::event::now_ms()) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    let limit = match crate::params::param(&params, "limit").map(str::parse::<u64>) {
        None => PAGE_ROWS,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            let problem = crate::params::Problem::OutOfRange(1, 1000);
            return ctx.bad_param(&crate::params::bad("limit", problem));
        }
    };
    match hunt::run(&state.client, &hunt, limit).await {
        Ok(rows) => {
            let events: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| serde_json::from_str(&r.fields).unwrap_or(serde_json::Value::Null))
                .collect();
            Json(json!({ "events": events })).into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
