//! Enrollment tokens from the fleet page and the API (admins): `POST /fleet/enrollment`
//! makes one and shows it once with the command that uses it;
//! `POST /fleet/enrollment/{id}/revoke`; `GET`/`POST /api/v1/enrollment-tokens`,
//! `POST /api/v1/enrollment-tokens/{id}/revoke`. Each change is in the audit trail
//! (never the secret).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use vigie_store::enrollment::{self, NewToken};

use super::context::{param, see_other, Api, AppState, Ctx, PageForm, Surface};
use crate::i18n::Msg;
use crate::params::{bad, BadParam, Problem};

/// What a new token is asked to be.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Wanted {
    /// Hours it stays valid (1 to 720).
    #[serde(default = "default_hours")]
    hours: u64,
    /// Servers it may enroll (1 to 1,000).
    #[serde(default = "default_uses")]
    max_uses: u32,
    /// Which servers, who asked.
    #[serde(default)]
    note: String,
}

fn default_hours() -> u64 {
    24
}
fn default_uses() -> u32 {
    1
}

impl Wanted {
    fn check(&self) -> Result<(), BadParam> {
        if !(1..=720).contains(&self.hours) {
            return Err(bad("hours", Problem::OutOfRange(1, 720)));
        }
        if !(1..=1000).contains(&self.max_uses) {
            return Err(bad("max_uses", Problem::OutOfRange(1, 1000)));
        }
        if self.note.chars().count() > 200 {
            return Err(bad("note", Problem::TooLong(200)));
        }
        Ok(())
    }
}

/// Makes the token `wanted` asks for, audited; the refusal otherwise.
async fn create(state: &AppState, ctx: &Ctx, wanted: &Wanted) -> Result<NewToken, Response> {
    if !ctx.who.role.is_admin() {
        return Err(ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, ""));
    }
    if let Err(e) = wanted.check() {
        return Err(ctx.bad_param(&e));
    }
    let note = wanted.note.trim();
    let ttl = Duration::from_secs(wanted.hours * 3600);
    let token = enrollment::create(&state.client, ttl, wanted.max_uses, note)
        .await
        .map_err(|e| ctx.store_failed(&e))?;
    tracing::info!(
        admin = ctx.who.username,
        token = token.token_id,
        "enrollment token made"
    );
    state
        .audit
        .note(
            &ctx.who.username,
            "enrollment_token_created",
            &token.token_id,
            json!({"hours": wanted.hours, "max_uses": wanted.max_uses, "note": note}),
        )
        .await;
    Ok(token)
}

/// `POST /fleet/enrollment`: the fleet page again, with the new token shown once.
pub(super) async fn create_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    let number = |name: &str, default: u64| -> Result<u64, BadParam> {
        match param(&fields, name).map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| bad(name, Problem::NotANumber(v.into()))),
        }
    };
    let wanted = match (number("hours", 24), number("max_uses", 1)) {
        (Ok(hours), Ok(uses)) => Wanted {
            hours,
            max_uses: u32::try_from(uses).unwrap_or(u32::MAX),
            note: param(&fields, "note").unwrap_or("").into(),
        },
        (Err(e), _) | (_, Err(e)) => return ctx.bad_param(&e),
    };
    match create(&state, &ctx, &wanted).await {
        Ok(token) => super::fleet::render(&state, &ctx, Some(&token)).await,
        Err(refusal) => refusal,
    }
}

async fn revoke(state: &AppState, ctx: &Ctx, id: &str) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match enrollment::revoke(&state.client, id).await {
        Ok(true) => {
            state
                .audit
                .note(&ctx.who.username, "enrollment_token_revoked", id, json!({}))
                .await;
            match ctx.surface {
                Surface::Api => Json(json!({"token_id": id, "revoked": true})).into_response(),
                Surface::Page => see_other("/fleet#enroll"),
            }
        }
        Ok(false) => ctx.fail(StatusCode::NOT_FOUND, Msg::NotFound, id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /fleet/enrollment/{id}/revoke`.
pub(super) async fn revoke_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, _fields): PageForm,
) -> Response {
    revoke(&state, &ctx, &id).await
}

/// `GET /api/v1/enrollment-tokens` (admins).
pub(super) async fn api_list(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.api_refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match enrollment::list(&state.client).await {
        Ok(tokens) => {
            let tokens: Vec<_> = tokens
                .iter()
                .map(|s| {
                    json!({
                        "token_id": s.row.token_id, "note": s.row.note,
                        "created_ms": s.row.created_ms, "expires_ms": s.row.expires_ms,
                        "max_uses": s.row.max_uses, "uses": s.uses, "revoked": s.row.revoked != 0,
                    })
                })
                .collect();
            Json(json!({"tokens": tokens})).into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/enrollment-tokens` with `{hours, max_uses, note}`: 201 with the
/// secret (shown this once) and the command that uses it.
pub(super) async fn api_create(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let wanted: Wanted = match ctx.api_write(&headers, ctx.who.role.is_admin(), &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    match create(&state, &ctx, &wanted).await {
        Ok(token) => (
            StatusCode::CREATED,
            Json(json!({
                "token_id": token.token_id, "secret": token.secret,
                "expires_ms": token.expires_ms, "max_uses": token.max_uses,
                "command": crate::views::enrollment::enroll_command(&token.secret),
            })),
        )
            .into_response(),
        Err(refusal) => refusal,
    }
}

/// `POST /api/v1/enrollment-tokens/{id}/revoke`.
pub(super) async fn api_revoke(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = ctx.api_may_write(&headers, ctx.who.role.is_admin()) {
        return *refusal;
    }
    revoke(&state, &ctx, &id).await
}
