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

use super::context::{param, see_other, Api, AppState, Ctx, Page, Params};
use crate::auth::{Credential, Role};
use crate::i18n::{t, Msg};
use crate::queries::api_tokens;
use crate::views::html::{esc, utc};

/// Longest validity a token may have (days).
const MAX_DAYS: u64 = 3650;

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
    let lang = ctx.lang;
    let csrf = esc(ctx.who.csrf());
    let mut html = format!(
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        esc(t(lang, Msg::NavTokens)),
        esc(t(lang, Msg::TokensHelp))
    );
    if let Some(key) = error.and_then(Msg::from_key) {
        html.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            esc(t(lang, key))
        ));
    }
    if let Some(secret) = secret {
        html.push_str(&format!(
            "<p class=\"banner\" role=\"status\">{}<br><code id=\"new-token\">{}</code></p>",
            esc(t(lang, Msg::TokenShownOnce)),
            esc(secret)
        ));
    }
    html.push_str("<table><thead><tr>");
    for key in [
        Msg::TokenName,
        Msg::Username,
        Msg::ColRole,
        Msg::ColCreated,
        Msg::TokenExpires,
        Msg::ColState,
        Msg::ColChange,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    html.push_str("</tr></thead><tbody>");
    let now = vigie_model::event::now_ms();
    for row in &list {
        let state_key = if row.revoked != 0 {
            Msg::TokenRevoked
        } else if row.expires_ms != 0 && row.expires_ms <= now {
            Msg::TokenExpired
        } else {
            Msg::TokenActive
        };
        let revoke = if state_key == Msg::TokenActive {
            format!(
                "<form method=\"post\" action=\"/tokens/{}/revoke\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><button type=\"submit\">{}</button></form>",
                esc(&row.token_id),
                esc(t(lang, Msg::TokenRevoke))
            )
        } else {
            String::new()
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{revoke}</td></tr>",
            esc(&row.name),
            esc(&row.username),
            esc(crate::auth::Role::label_of(&row.role, lang)),
            esc(&utc(row.created_ms)),
            esc(&if row.expires_ms == 0 { "—".to_string() } else { utc(row.expires_ms) }),
            esc(t(lang, state_key)),
        ));
    }
    html.push_str("</tbody></table>");
    let roles: String = Role::ALL
        .iter()
        .filter(|r| **r <= ctx.who.role)
        .map(|r| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                r.as_str(),
                if *r == ctx.who.role { " selected" } else { "" },
                esc(t(lang, r.msg()))
            )
        })
        .collect();
    html.push_str(&format!(
        "<section><h2>{}</h2><form method=\"post\" action=\"/tokens\" class=\"triage\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
<label>{}<input name=\"name\" required maxlength=\"100\"></label><label>{}<select name=\"role\">{roles}</select></label>\
<label>{}<input name=\"days\" type=\"number\" min=\"0\" max=\"{MAX_DAYS}\" value=\"90\"></label><button type=\"submit\">{}</button></form></section>",
        esc(t(lang, Msg::TokenCreate)),
        esc(t(lang, Msg::TokenName)),
        esc(t(lang, Msg::ColRole)),
        esc(t(lang, Msg::TokenDays)),
        esc(t(lang, Msg::TokenCreate)),
    ));
    ctx.render(StatusCode::OK, t(lang, Msg::NavTokens), &html)
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
    if days > MAX_DAYS {
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
    Page(ctx): Page,
    axum::Form(fields): axum::Form<Params>,
) -> Response {
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
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
    Page(ctx): Page,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Params>,
) -> Response {
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
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
    if let Some(refusal) = ctx.api_csrf(&headers) {
        return refusal;
    }
    let new: NewToken = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(e) => {
            return ctx.api_refuse(StatusCode::BAD_REQUEST, Msg::BadRequestBody, &e.to_string())
        }
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
        Ok(token) => (
            StatusCode::CREATED,
            Json(json!({"token_id": token.token_id, "token": token.secret, "role": role.as_str()})),
        )
            .into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}
