//! Account management, for admins: `GET /admin/users`, `POST /admin/users` (create),
//! `POST /admin/users/{name}` (role, enable/disable, new password); and the same as
//! `GET|POST /api/v1/users[/{name}]`. A changed or disabled account is signed out
//! everywhere at once.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use super::context::{param, see_other, AppState, Ctx, Params};
use crate::i18n::{t, Msg};
use crate::queries::users::{self, Change, Refused};

async fn admin_page(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Ctx, Response> {
    let ctx = Ctx::page(state, headers, params).await?;
    if !ctx.who.role.is_admin() {
        return Err(ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, ""));
    }
    Ok(ctx)
}

async fn admin_api(state: &AppState, headers: &HeaderMap) -> Result<Ctx, Response> {
    let ctx = Ctx::api(state, headers, &Vec::new()).await?;
    if !ctx.who.role.is_admin() {
        return Err(ctx.api_refuse(StatusCode::FORBIDDEN, Msg::Forbidden, ""));
    }
    Ok(ctx)
}

/// `GET /admin/users`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let ctx = match admin_page(&state, &headers, &params).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let list = match users::list(&state.client).await {
        Ok(l) => l,
        Err(e) => return ctx.store_failed(&e),
    };
    let body = crate::views::users::page(
        ctx.lang,
        &ctx.who,
        &list,
        param(&params, "error").and_then(Msg::from_key),
        param(&params, "saved").is_some(),
        users::MIN_PASSWORD,
    );
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavUsers), body)
}

fn refused_page(r: &Refused) -> Response {
    see_other(&format!("/admin/users?error={}", r.key.key()))
}

/// `POST /admin/users`: creates an account.
pub(super) async fn create_form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(fields): Form<Params>,
) -> Response {
    let ctx = match admin_page(&state, &headers, &Vec::new()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
    let (name, role, password) = (
        param(&fields, "username").unwrap_or("").trim(),
        param(&fields, "role").unwrap_or(""),
        param(&fields, "password").unwrap_or(""),
    );
    let created = {
        let _one_at_a_time = state.accounts.lock().await;
        users::create(&state.client, name, role, password).await
    };
    match created {
        Ok(Ok(_)) => {
            tracing::info!(
                admin = ctx.who.username,
                user = name,
                role,
                "account created"
            );
            state
                .audit
                .note(
                    &ctx.who.username,
                    "user_created",
                    name,
                    serde_json::json!({"role": role}),
                )
                .await;
            see_other("/admin/users?saved=1")
        }
        Ok(Err(r)) => refused_page(&r),
        Err(e) => ctx.store_failed(&e),
    }
}

fn change_of(fields: &Params) -> Change {
    Change {
        role: param(fields, "role")
            .filter(|r| !r.is_empty())
            .map(str::to_string),
        disabled: param(fields, "disabled").map(|d| d == "1"),
        password: param(fields, "password")
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    }
}

/// `POST /admin/users/{name}`: changes an account.
pub(super) async fn update_form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(fields): Form<Params>,
) -> Response {
    let ctx = match admin_page(&state, &headers, &Vec::new()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
    let change = change_of(&fields);
    let changed = {
        let _one_at_a_time = state.accounts.lock().await;
        users::update(&state.client, &name, &change).await
    };
    match changed {
        Ok(Ok(Some(_))) => {
            after_change(&state, &ctx, &name, &change).await;
            see_other("/admin/users?saved=1")
        }
        Ok(Ok(None)) => ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &name),
        Ok(Err(r)) => refused_page(&r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// What follows a change of account `name`: its sessions end (they carry the old role);
/// a new password or a disabled account also revokes its API tokens for good, so
/// neither a reset nor a later re-enabling brings back a token made before.
async fn after_change(state: &AppState, ctx: &Ctx, name: &str, change: &Change) {
    let closed = state.sessions.close_all(name);
    let revoked = if change.password.is_some() || change.disabled == Some(true) {
        match crate::queries::api_tokens::revoke_all_of(&state.client, name).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, user = name, "API tokens not revoked");
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    tracing::info!(
        admin = ctx.who.username,
        user = name,
        closed,
        revoked_tokens = revoked.len(),
        "account changed"
    );
    let mut details = change_details(change);
    details["revoked_tokens"] = json!(revoked);
    state
        .audit
        .note(&ctx.who.username, "user_changed", name, details)
        .await;
}

/// What an account change did, for the audit trail (never the password itself).
fn change_details(change: &Change) -> serde_json::Value {
    json!({
        "role": change.role,
        "disabled": change.disabled,
        "password_changed": change.password.is_some(),
    })
}

fn user_json(u: &vigie_store::rows::UserRow) -> serde_json::Value {
    json!({"username": u.username, "role": u.role, "disabled": u.disabled != 0, "created_ms": u.created_ms})
}

/// `GET /api/v1/users`.
pub(super) async fn api_list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let ctx = match admin_api(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match users::list(&state.client).await {
        Ok(list) => {
            Json(json!({"users": list.iter().map(user_json).collect::<Vec<_>>()})).into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// The API's new account.
#[derive(Deserialize)]
pub(super) struct NewUser {
    username: String,
    role: String,
    password: String,
}

/// `POST /api/v1/users`.
pub(super) async fn api_create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ctx = match admin_api(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let new: NewUser = match ctx.api_write(&headers, true, &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let created = {
        let _one_at_a_time = state.accounts.lock().await;
        users::create(&state.client, new.username.trim(), &new.role, &new.password).await
    };
    match created {
        Ok(Ok(u)) => {
            tracing::info!(
                admin = ctx.who.username,
                user = u.username,
                "account created"
            );
            state
                .audit
                .note(
                    &ctx.who.username,
                    "user_created",
                    &u.username,
                    serde_json::json!({"role": u.role}),
                )
                .await;
            (StatusCode::CREATED, Json(user_json(&u))).into_response()
        }
        Ok(Err(r)) => {
            let status = if r.key == Msg::UserExists {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            ctx.api_refuse(status, r.key, r.field)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/users/{name}` with a JSON `{role?, disabled?, password?}`.
pub(super) async fn api_update(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let ctx = match admin_api(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let change: Change = match ctx.api_write(&headers, true, &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    let changed = {
        let _one_at_a_time = state.accounts.lock().await;
        users::update(&state.client, &name, &change).await
    };
    match changed {
        Ok(Ok(Some(u))) => {
            after_change(&state, &ctx, &name, &change).await;
            Json(user_json(&u)).into_response()
        }
        Ok(Ok(None)) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &name),
        Ok(Err(r)) => {
            let status = if r.key == Msg::LastAdmin {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            ctx.api_refuse(status, r.key, r.field)
        }
        Err(e) => ctx.store_failed(&e),
    }
}
