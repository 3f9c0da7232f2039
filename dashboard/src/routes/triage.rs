//! Triage requests: the queue's and the detail page's forms (`POST /alerts/triage`) and
//! the API (`POST /api/v1/alerts/triage`). Analysts and admins only; sessions must
//! carry their CSRF token (form field `csrf`, or header `X-CSRF-Token` for the API).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, Params};
use crate::i18n::{t, Msg};
use crate::queries::alerts;
use crate::queries::triage::{self, Refused, TriageRequest};

/// Expands queue lines that stand for groups into their alerts.
async fn expand_groups(
    state: &AppState,
    ids: &[String],
    grouped: bool,
    status: Option<&str>,
) -> Result<Vec<String>, clickhouse::error::Error> {
    let mut all = Vec::new();
    for id in ids {
        all.extend(
            alerts::expand(
                &state.client,
                id,
                grouped,
                status,
                state.config().group_window_ms(),
            )
            .await?,
        );
    }
    Ok(all)
}

/// Records `request` for the user of `ctx`: the rows, the log line, the audit trail.
async fn apply(
    state: &AppState,
    ctx: &Ctx,
    request: &TriageRequest,
) -> Result<Result<usize, Refused>, vigie_store::StoreError> {
    let result = triage::apply(&state.client, request, &ctx.who.username).await;
    let Ok(Ok(rows)) = result else {
        return result.map(|r| r.map(|rows| rows.len()));
    };
    tracing::info!(
        user = ctx.who.username,
        action = request.action,
        alerts = rows.len(),
        "triage"
    );
    let ids: Vec<&str> = request.ids.iter().take(50).map(String::as_str).collect();
    // The digest of the rows written lets `audit verify` find any of them changed,
    // removed or added afterwards.
    state
        .audit
        .note(
            &ctx.who.username,
            "triage",
            &ids.join(" "),
            json!({
                "action": request.action, "status": request.status, "assignee": request.assignee,
                "comment": request.comment, "alerts": rows.len(),
                "request_id": rows.first().map(|r| r.request_id.as_str()),
                "actions_sha256": vigie_store::rows::AlertActionRow::digest(&rows),
                "date": rows.first().map(|r| r.date),
            }),
        )
        .await;
    Ok(Ok(rows.len()))
}

/// `POST /alerts/triage` (a form; repeated `id` fields).
pub(super) async fn form(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Form(fields): Form<Params>,
) -> Response {
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let ids: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())
        .collect();
    let grouped = param(&fields, "grouped") == Some("1");
    let status_filter = param(&fields, "status_filter").filter(|s| !s.is_empty());
    let ids = match expand_groups(&state, &ids, grouped, status_filter).await {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let request = TriageRequest {
        ids,
        action: param(&fields, "action").unwrap_or("").into(),
        status: param(&fields, "status").unwrap_or("").into(),
        assignee: param(&fields, "assignee").unwrap_or("").into(),
        comment: param(&fields, "comment").unwrap_or("").into(),
    };
    match apply(&state, &ctx, &request).await {
        Ok(Ok(n)) => {
            match param(&fields, "alert").filter(|a| a.bytes().all(|b| b.is_ascii_alphanumeric())) {
                Some(alert) => see_other(&format!("/alerts/{alert}?done={n}")),
                None => {
                    let back = param(&fields, "return").unwrap_or("");
                    // Only a query string of the queue is followed back: never another site.
                    let back = if back.contains(['/', '\\', ':']) {
                        ""
                    } else {
                        back
                    };
                    see_other(&format!("/alerts?{back}&done={n}"))
                }
            }
        }
        Ok(Err(Refused { key, detail })) => {
            let status = if key == Msg::NotFound {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            let body = crate::views::forms::triage_refused(ctx.lang, key, &detail);
            ctx.render(status, t(ctx.lang, Msg::Triage), body)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// The API's triage request.
#[derive(Deserialize)]
pub(super) struct ApiTriage {
    #[serde(flatten)]
    request: TriageRequest,
    /// Expand each id to its group of repeats (as the queue shows them).
    #[serde(default)]
    grouped: bool,
    /// With `grouped`, only the repeats in this status.
    #[serde(default)]
    status_filter: Option<String>,
}

/// `POST /api/v1/alerts/triage` with a JSON body.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body: ApiTriage = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let ids = match expand_groups(
        &state,
        &body.request.ids,
        body.grouped,
        body.status_filter.as_deref(),
    )
    .await
    {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let request = TriageRequest {
        ids,
        ..body.request
    };
    match apply(&state, &ctx, &request).await {
        Ok(Ok(n)) => Json(json!({ "recorded": n })).into_response(),
        Ok(Err(Refused { key, detail })) => {
            let status = if key == Msg::NotFound {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            ctx.api_refuse(status, key, &detail)
        }
        Err(e) => ctx.store_failed(&e),
    }
}
