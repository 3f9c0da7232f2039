//! `GET /audit` and `GET /api/v1/audit`: the audit trail, for auditors and admins, with
//! a check of every chain on request (`?verify=1`).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use vigie_store::audit::triage::TriageVerdict;
use vigie_store::audit::{self, Verdict};

use crate::views::audit::Checked;

use super::context::{param, Api, AppState, Page, Params};
use crate::auth::Role;
use crate::i18n::{t, Msg};
use crate::queries::audit::{self as audit_query, AuditFilter, PAGE_ROWS};

pub(super) fn may_read(role: Role) -> bool {
    matches!(role, Role::Auditor | Role::Admin)
}

/// Every chain and what its walk found, and what the check of the triage history found.
pub(super) async fn verdicts(state: &AppState) -> Result<Checked, vigie_store::StoreError> {
    let dir = audit::AuditDir::new(state.config().audit_dir);
    let anchors = dir.anchors()?;
    let mut chains = Vec::new();
    for chain in audit::chains(&state.client, &anchors).await? {
        let verdict = audit::verify(&state.client, &chain, &anchors).await?;
        chains.push((chain, verdict));
    }
    let triage = audit::triage::verify_triage(&state.client, &anchors).await?;
    Ok(Checked { chains, triage })
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
    let checked = match param(&params, "verify") {
        Some(_) => match verdicts(&state).await {
            Ok(v) => Some(v),
            Err(e) => return ctx.store_failed(&e),
        },
        None => None,
    };
    let more = rows.len() as u64 > PAGE_ROWS;
    let rows = &rows[..rows.len().min(PAGE_ROWS as usize)];
    let body = crate::views::audit::page(lang, &ctx.who, &filter, checked.as_ref(), rows, more);
    ctx.render(StatusCode::OK, t(lang, Msg::NavAudit), body)
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
                answer["triage"] = match &v.triage {
                    TriageVerdict::Intact { rows, requests } => {
                        json!({"intact": true, "rows": rows, "requests": requests})
                    }
                    TriageVerdict::Broken {
                        alert_id,
                        reason,
                        reason_fr,
                    } => {
                        json!({"intact": false, "alert_id": alert_id, "reason": reason, "reason_fr": reason_fr})
                    }
                };
                answer["chains"] = v
                    .chains
                    .iter()
                    .map(|(chain, verdict)| match verdict {
                        Verdict::Intact { rows, first_seq, witnessed } => json!({"chain": chain, "intact": true, "rows": rows, "first_seq": first_seq, "witnessed": witnessed}),
                        Verdict::Broken { seq, reason, reason_fr } => json!({"chain": chain, "intact": false, "seq": seq, "reason": reason, "reason_fr": reason_fr}),
                    })
                    .collect();
            }
            Err(e) => return ctx.store_failed(&e),
        }
    }
    Json(answer).into_response()
}
