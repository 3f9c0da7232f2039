//! `GET /rules` and `GET /api/v1/rules`: the rules in force; admins change one with
//! `POST /rules/{id}` (a form) or `POST /api/v1/rules/{id}` (`{enabled, severity,
//! reason}`), each change in the audit trail with the before and after.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params, Surface};
use crate::i18n::{t, Msg};
use crate::queries::rules::{self, Change, Refused};

/// `GET /rules`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let now = vigie_model::event::now_ms();
    match tokio::try_join!(
        rules::list(&state.client, now),
        crate::queries::custom_rules::files(&state.client)
    ) {
        Ok((list, written)) => {
            let saved = param(&params, "saved");
            let deleted = param(&params, "deleted").is_some();
            let body = maud::html! {
                (crate::views::rules::page(ctx.lang, &ctx.who, &list, saved, deleted))
                (crate::views::rule_editor::written(ctx.lang, &ctx.who, &written))
            };
            ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavRules), body)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/rules`.
pub(super) async fn api(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    match rules::list(&state.client, vigie_model::event::now_ms()).await {
        Ok(list) => Json(json!({"rules": list})).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

async fn apply(state: &AppState, ctx: &Ctx, id: &str, change: &Change) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match rules::change(&state.client, id, change, &ctx.who.username).await {
        Ok(Ok(before)) => {
            tracing::info!(
                admin = ctx.who.username,
                rule = id,
                enabled = change.enabled,
                "rule changed"
            );
            state
                .audit
                .note(
                    &ctx.who.username,
                    "rules_changed",
                    id,
                    json!({
                        "before": before.map(|b| json!({"enabled": b.enabled != 0, "severity": b.severity})),
                        "enabled": change.enabled, "severity": change.severity,
                        "reason": change.reason.trim(),
                    }),
                )
                .await;
            match ctx.surface {
                Surface::Api => Json(
                    json!({"rule_id": id, "enabled": change.enabled, "severity": change.severity}),
                )
                .into_response(),
                Surface::Page => see_other(&format!("/rules?saved={id}")),
            }
        }
        Ok(Err(Refused { key, detail })) => {
            let status = if key == Msg::NotFound {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            };
            ctx.fail(status, key, &detail)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /rules/{id}`.
pub(super) async fn form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    let change = Change {
        enabled: param(&fields, "enabled") == Some("1"),
        severity: param(&fields, "severity").unwrap_or("").into(),
        reason: param(&fields, "reason").unwrap_or("").into(),
    };
    apply(&state, &ctx, &id, &change).await
}

/// `POST /api/v1/rules/{id}`.
pub(super) async fn api_change(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let change: Change = match ctx.api_write(&headers, ctx.who.role.is_admin(), &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    apply(&state, &ctx, &id, &change).await
}
