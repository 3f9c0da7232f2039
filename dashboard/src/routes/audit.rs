//! `GET /audit` and `GET /api/v1/audit`: the audit trail, for auditors and admins, with
//! a check of every chain on request (`?verify=1`).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use vigie_store::audit::{self, Verdict};

use super::context::{param, Api, AppState, Page, Params};
use crate::auth::Role;
use crate::i18n::{t, Lang, Msg};
use crate::queries::audit::{self as audit_query, AuditFilter, PAGE_ROWS};
use crate::views::html::{esc, utc};

fn may_read(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::Admin)
}

/// Every chain and what its walk found.
async fn verdicts(state: &AppState) -> Result<Vec<(String, Verdict)>, vigie_store::StoreError> {
    let mut out = Vec::new();
    for chain in audit::chains(&state.client).await? {
        let verdict = audit::verify(&state.client, &chain).await?;
        out.push((chain, verdict));
    }
    Ok(out)
}

fn verdict_html(lang: Lang, chain: &str, v: &Verdict) -> String {
    match v {
        Verdict::Intact { rows, first_seq } => format!(
            "<li class=\"ok\"><strong>{}</strong>: {} ({rows} · {} {first_seq})</li>",
            esc(chain),
            esc(t(lang, Msg::AuditIntact)),
            esc(t(lang, Msg::AuditFromSeq)),
        ),
        Verdict::Broken {
            reason, reason_fr, ..
        } => format!(
            "<li class=\"err\"><strong>{}</strong>: {}</li>",
            esc(chain),
            esc(if lang == Lang::Fr { reason_fr } else { reason })
        ),
    }
}

/// `GET /audit`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    if !may_read(ctx.who.role) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let lang = ctx.lang;
    let filter = match AuditFilter::parse(&params) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let rows = match audit_query::rows(&state.client, &filter, PAGE_ROWS + 1).await {
        Ok(r) => r,
        Err(e) => return ctx.store_failed(&e),
    };
    let mut html = format!("<h1>{}</h1>", esc(t(lang, Msg::NavAudit)));
    if param(&params, "verify").is_some() {
        match verdicts(&state).await {
            Ok(v) => {
                html.push_str(&format!(
                    "<section><h2>{}</h2><ul>",
                    esc(t(lang, Msg::AuditVerify))
                ));
                for (chain, verdict) in &v {
                    html.push_str(&verdict_html(lang, chain, verdict));
                }
                html.push_str("</ul></section>");
            }
            Err(e) => return ctx.store_failed(&e),
        }
    } else {
        html.push_str(&format!(
            "<p><a href=\"/audit?verify=1\">{}</a></p>",
            esc(t(lang, Msg::AuditVerify))
        ));
    }
    html.push_str("<form class=\"filters\" method=\"get\" action=\"/audit\">");
    for (name, key, value) in [
        ("chain", Msg::AuditChain, &filter.chain),
        ("actor", Msg::ColWho, &filter.actor),
        ("action", Msg::ColWhat, &filter.action),
    ] {
        html.push_str(&format!(
            "<label>{}<input name=\"{name}\" value=\"{}\"></label>",
            esc(t(lang, key)),
            esc(value)
        ));
    }
    for (name, key, ms) in [
        ("from", Msg::FilterFrom, filter.from_ms),
        ("to", Msg::FilterTo, filter.to_ms),
    ] {
        let value = ms
            .map(|m| utc(m).replace(' ', "T")[..16].to_string())
            .unwrap_or_default();
        html.push_str(&format!(
            "<label>{} (UTC)<input type=\"datetime-local\" name=\"{name}\" value=\"{value}\"></label>",
            esc(t(lang, key))
        ));
    }
    html.push_str(&format!(
        "<button type=\"submit\">{}</button></form>",
        esc(t(lang, Msg::Filter))
    ));
    let more = rows.len() as u64 > PAGE_ROWS;
    let rows = &rows[..rows.len().min(PAGE_ROWS as usize)];
    html.push_str("<table><thead><tr>");
    for key in [
        Msg::ColTime,
        Msg::AuditChain,
        Msg::AuditSeq,
        Msg::ColWho,
        Msg::ColWhat,
        Msg::ColTarget,
        Msg::AuditDetails,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    for r in rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"wrap\">{}</td><td class=\"wrap\"><code>{}</code></td></tr>",
            esc(&utc(r.ts)),
            esc(&r.chain),
            r.seq,
            esc(&r.actor),
            esc(&r.action),
            esc(&r.target),
            esc(&r.details)
        ));
    }
    html.push_str("</tbody></table>");
    if more {
        let last = rows.last().expect("not empty").ts;
        html.push_str(&format!(
            "<p><a href=\"/audit?{}\" rel=\"next\">{}</a></p>",
            esc(&filter.query_string(Some(last))),
            esc(t(lang, Msg::NextPage))
        ));
    }
    ctx.render(StatusCode::OK, t(lang, Msg::NavAudit), &html)
}

/// `GET /api/v1/audit`: rows (same filters), and with `verify=1` each chain's verdict.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    if !may_read(ctx.who.role) {
        return ctx.api_refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let filter = match AuditFilter::parse(&params) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let rows = match audit_query::rows(&state.client, &filter, PAGE_ROWS).await {
        Ok(r) => r,
        Err(e) => return ctx.store_failed(&e),
    };
    let mut answer = json!({ "rows": rows });
    if param(&params, "verify").is_some() {
        match verdicts(&state).await {
            Ok(v) => {
                answer["chains"] = v
                    .iter()
                    .map(|(chain, verdict)| match verdict {
                        Verdict::Intact { rows, first_seq } => json!({"chain": chain, "intact": true, "rows": rows, "first_seq": first_seq}),
                        Verdict::Broken { seq, reason, reason_fr } => json!({"chain": chain, "intact": false, "seq": seq, "reason": reason, "reason_fr": reason_fr}),
                    })
                    .collect();
            }
            Err(e) => return ctx.store_failed(&e),
        }
    }
    Json(answer).into_response()
}
