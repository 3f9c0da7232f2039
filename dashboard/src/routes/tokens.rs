//! API tokens: `GET /tokens` lists one's own (admins: all), `POST /tokens` makes one
//! (shown once), `POST /tokens/{id}/revoke`; `POST /api/v1/tokens` for scripts signed in
//! with a session. A token may not have more power than its maker.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params};
use crate::auth::{Credential, Role};
use crate::i18n::{t, Msg};
use crate::queries::api_tokens;

use crate::queries::api_tokens::MAX_DAYS;

fn owner_filter(ctx: &Ctx) -> Option<&str> {
    (!ctx.who.role.is_admin()).then_some(ctx.who.username.as_str())
}

/// `GET /tokens`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    render(&state, &ctx, None, param(&params, "error")).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    secret: Option<&str>,
    error: Option<&str>,
) -> Response {
    let list = match api_tokens::list(&state.client, owner_filter(ctx)).await {
        Ok(l) => l,
        Err(e) => return ctx.store_failed(&e),
    };
    let body = crate::views::tokens::page(
        ctx.lang,
        &ctx.who,
        &list,
        secret,
        error.and_then(Msg::from_key),
        MAX_DAYS,
        vigie_model::event::now_ms(),
    );
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavTokens), body)
}

/// What a new token needs.
#[derive(Deserialize)]
pub(super) struct NewToken {
    name: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    days: Option<u64>,
}

/// Checks a request for a token: a name, a role no higher than the maker's, a validity.
fn check(ctx: &Ctx, new: &NewToken) -> Result<(Role, u64), Msg> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Msg::TokenBadName);
    }
    let role = match &new.role {
        None => ctx.who.role,
        Some(r) => Role::parse(r).ok_or(Msg::BadRole)?,
    };
    if role > ctx.who.role {
        return Err(Msg::Forbidden);
    }
    let days = new.days.unwrap_or(90);
    if days == 0 || days > MAX_DAYS {
        return Err(Msg::TokenBadDays);
    }
    Ok((role, days))
}

/// Only a person signed in may make tokens (not another token).
fn by_session(ctx: &Ctx) -> bool {
    matches!(ctx.who.credential, Credential::Session { .. })
}

/// `POST /tokens`.
pub(super) async fn create_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !by_session(&ctx) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let new = NewToken {
        name: param(&fields, "name").unwrap_or("").into(),
        role: param(&fields, "role").map(str::to_string),
        days: match param(&fields, "days").map(|d| d.trim().parse::<u64>()) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => return see_other("/tokens?error=token_bad_days"),
        },
    };
    let (role, days) = match check(&ctx, &new) {
        Ok(v) => v,
        Err(key) => return see_other(&format!("/tokens?error={}", key.key())),
    };
    match api_tokens::create(
        &state.client,
        &ctx.who.username,
        role,
        new.name.trim(),
        days,
    )
    .await
    {
        Ok(token) => {
            tracing::info!(
                user = ctx.who.username,
                token = token.token_id,
                "API token created"
            );
            state
                .audit
                .note(&ctx.who.username, "token_created", &token.token_id, serde_json::json!({"name": new.name.trim(), "role": role.as_str(), "days": days}))
                .await;
            render(&state, &ctx, Some(&token.secret), None).await
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /tokens/{id}/revoke`.
pub(super) async fn revoke_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, _fields): PageForm,
) -> Response {
    match api_tokens::revoke(&state.client, &id, owner_filter(&ctx)).await {
        Ok(true) => {
            tracing::info!(user = ctx.who.username, token = id, "API token revoked");
            state
                .audit
                .note(
                    &ctx.who.username,
                    "token_revoked",
                    &id,
                    serde_json::json!({}),
                )
                .await;
            see_other("/tokens")
        }
        Ok(false) => ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/tokens` with `{name, role?, days?}` (signed-in session, CSRF header).
pub(super) async fn api_create(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !by_session(&ctx) {
        return ctx.api_refuse(
            StatusCode::FORBIDDEN,
            Msg::Forbidden,
            "tokens cannot make tokens",
        );
    }
    let new: NewToken = match ctx.api_write(&headers, true, &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let (role, days) = match check(&ctx, &new) {
        Ok(v) => v,
        Err(key) => {
            let status = if key == Msg::Forbidden {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            return ctx.api_refuse(status, key, "");
        }
    };
    match api_tokens::create(
        &state.client,
        &ctx.who.username,
        role,
        new.name.trim(),
        days,
    )
    .await
    {
        Ok(token) => {
            tracing::info!(
                user = ctx.who.username,
                token = token.token_id,
                "API token created"
            );
            state
                .audit
                .note(&ctx.who.username, "token_created", &token.token_id, json!({"name": new.name.trim(), "role": role.as_str(), "days": days, "via": "api"}))
                .await;
            (
                StatusCode::CREATED,
                Json(json!({"token_id": token.token_id, "token": token.secret, "role": role.as_str()})),
            )
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
