//! `GET /fleet` and `GET /api/v1/agents`: every agent and its state; admins revoke with
//! `POST /fleet/{id}/revoke` or `POST /api/v1/agents/{id}/revoke`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{see_other, Api, AppState, Ctx, Page, PageForm, Surface};
use crate::i18n::{t, Msg};
use crate::queries::fleet::{self};

/// `GET /fleet`.
pub(super) async fn page(State(state): State<Arc<AppState>>, Page(ctx): Page) -> Response {
    render(&state, &ctx, None).await
}

/// The fleet page; for admins with the groups to choose from and the enrollment
/// section, showing `new` once when a token was just made.
pub(super) async fn render(
    state: &AppState,
    ctx: &Ctx,
    new: Option<&vigie_store::enrollment::NewToken>,
) -> Response {
    let now = vigie_model::event::now_ms();
    let agents = match fleet::agents(&state.client, now, state.config().silent_after_ms()).await {
        Ok(a) => a,
        Err(e) => return ctx.store_failed(&e),
    };
    let admin = ctx.who.role.is_admin();
    let (groups, tokens) = if admin {
        match tokio::try_join!(
            crate::queries::agent_settings::group_names(&state.client),
            vigie_store::enrollment::list(&state.client)
        ) {
            Ok(found) => found,
            Err(e) => return ctx.store_failed(&e),
        }
    } else {
        Default::default()
    };
    let config = state.config();
    let ca_sha256 = config
        .collector_ca_file
        .as_ref()
        .and_then(|path| std::fs::read(path).ok())
        .map(|bytes| vigie_model::hex::sha256(&bytes));
    let enrollment = crate::views::enrollment::Enrollment {
        tokens: &tokens,
        new,
        collector_url: config.collector_url.as_deref(),
        ca_sha256: ca_sha256.as_deref(),
        now_ms: now,
    };
    let body = crate::views::fleet::page(ctx.lang, &ctx.who, &agents, &groups, &enrollment);
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavFleet), body)
}

/// `GET /api/v1/agents`.
pub(super) async fn api(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    let now = vigie_model::event::now_ms();
    match fleet::agents(&state.client, now, state.config().silent_after_ms()).await {
        Ok(agents) => Json(json!({ "agents": agents })).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

async fn revoke(state: &AppState, ctx: &Ctx, id: &str) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match fleet::revoke(&state.client, id).await {
        Ok(true) => {
            tracing::info!(admin = ctx.who.username, agent = id, "agent revoked");
            state
                .audit
                .note(
                    &ctx.who.username,
                    "agent_revoked",
                    id,
                    serde_json::json!({}),
                )
                .await;
            if ctx.surface == Surface::Api {
                Json(json!({ "revoked": id })).into_response()
            } else {
                see_other("/fleet")
            }
        }
        Ok(false) => ctx.fail(StatusCode::NOT_FOUND, Msg::NotFound, id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /fleet/{id}/revoke`.
pub(super) async fn revoke_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, _fields): PageForm,
) -> Response {
    revoke(&state, &ctx, &id).await
}

/// `POST /api/v1/agents/{id}/revoke`.
pub(super) async fn revoke_api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = ctx.api_csrf(&headers) {
        return refusal;
    }
    revoke(&state, &ctx, &id).await
}
