//! The alert list: a page for people, `GET /api/v1/alerts` for programs. Newest first.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use vigie_model::i18n::t;
use vigie_model::Lang;
use vigie_store::rows::AlertRow;

use super::{language, remember_language, see_other, session, AppState};
use crate::html::{self, esc, utc};

const PAGE_LIMIT: u64 = 200;

/// `GET /`: the alert list.
pub async fn home() -> Response {
    see_other("/alerts")
}

async fn newest(state: &AppState, limit: u64) -> Result<Vec<AlertRow>, vigie_store::StoreError> {
    Ok(state
        .client
        .query("SELECT ?fields FROM alerts ORDER BY ts DESC, alert_id LIMIT ?")
        .bind(limit)
        .fetch_all()
        .await?)
}

/// `GET /alerts`.
pub async fn page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (lang, changed) = language(&headers, &query);
    let Some((_, user)) = session(&state, &headers) else {
        return see_other("/login");
    };
    let alerts = match newest(&state, PAGE_LIMIT).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "alert query failed");
            let body = format!("<p class=\"err\">{}</p>", esc(t(lang, "store_unavailable")));
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(html::page(
                    lang,
                    t(lang, "alerts_title"),
                    Some((&user.username, &user.csrf)),
                    &body,
                )),
            )
                .into_response();
        }
    };
    let body = alert_table(lang, &alerts);
    let html = html::page(
        lang,
        t(lang, "alerts_title"),
        Some((&user.username, &user.csrf)),
        &body,
    );
    remember_language(Html(html).into_response(), lang, changed)
}

fn alert_table(lang: Lang, alerts: &[AlertRow]) -> String {
    let mut html = format!("<h1>{}</h1>", esc(t(lang, "alerts_title")));
    if alerts.is_empty() {
        html.push_str(&format!("<p>{}</p>", esc(t(lang, "alerts_empty"))));
        return html;
    }
    html.push_str("<table><thead><tr>");
    for key in [
        "col_time",
        "col_severity",
        "col_host",
        "col_rule",
        "col_file",
        "col_action",
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for a in alerts {
        let title = if lang == Lang::Fr && !a.rule_title_fr.is_empty() {
            &a.rule_title_fr
        } else {
            &a.rule_title
        };
        let severity_key = format!("severity_{}", a.severity);
        let action_key = format!("action_{}", a.action);
        let action = if a.action.is_empty() {
            String::new()
        } else {
            t(lang, &action_key).to_string()
        };
        html.push_str(&format!(
            "<tr data-alert-id=\"{id}\"><td>{time}</td><td><span class=\"sev sev-{sev_class}\">{sev}</span></td><td>{host}</td><td title=\"{summary}\">{title}</td><td>{target}</td><td>{action}</td></tr>",
            id = esc(&a.alert_id),
            time = esc(&utc(a.ts)),
            sev_class = esc(&a.severity),
            sev = esc(t(lang, &severity_key)),
            host = esc(&a.hostname),
            summary = esc(&a.summary),
            title = esc(title),
            target = esc(&a.target),
            action = esc(&action),
        ));
    }
    html.push_str("</tbody></table>");
    html
}

/// `GET /api/v1/alerts?limit=N`: the newest alerts as JSON (session required).
pub async fn api(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (lang, _) = language(&headers, &query);
    let error = |status: StatusCode, code: &str| {
        (status, Json(json!({"code": code, "message": t(Lang::En, code), "message_fr": t(Lang::Fr, code), "message_user": t(lang, code)}))).into_response()
    };
    if session(&state, &headers).is_none() {
        return error(StatusCode::UNAUTHORIZED, "not_signed_in");
    }
    let limit = match query.get("limit").map(|l| l.parse::<u64>()) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => return error(StatusCode::BAD_REQUEST, "bad_limit"),
    };
    match newest(&state, limit).await {
        Ok(alerts) => {
            let items: Vec<_> = alerts
                .iter()
                .map(|a| {
                    json!({
                        "alert_id": a.alert_id, "ts": a.ts, "created_ms": a.created_ms,
                        "agent_id": a.agent_id, "hostname": a.hostname, "event_seq": a.event_seq,
                        "rule_id": a.rule_id, "rule_title": a.rule_title, "rule_title_fr": a.rule_title_fr,
                        "severity": a.severity, "tags": a.tags, "author": a.author,
                        "summary": a.summary, "target": a.target, "action": a.action,
                    })
                })
                .collect();
            Json(json!({ "alerts": items })).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "alert query failed");
            error(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable")
        }
    }
}
