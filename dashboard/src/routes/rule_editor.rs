//! Rules written in the dashboard: `GET /rules/write` (a new rule, or `?file=ID` to
//! change one), `POST /rules/write` (`do=try`: check and try over the stored events;
//! `do=save`: check and save), `POST /rules/write/{id}/delete`; the same under
//! `/api/v1/custom-rules` (`GET`, `POST {yaml, file_id?}`, `POST /check {yaml, hours}`,
//! `POST /{id}/delete`). Admins write; analysts may check and try; every save and
//! delete is audited with the text's SHA-256 and the version it replaced.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{
    api_error_with, param, see_other, Api, AppState, Ctx, Page, PageForm, Params,
};
use crate::i18n::{t, Msg};
use crate::queries::custom_rules::{self as queries, Checked, Trial, DEFAULT_HOURS};
use crate::views::rule_editor::{self as views, Editor};
use vigie_store::rows::CustomRuleRow;
use vigie_store::StoreError;

/// What a check and trial gave.
struct Outcome {
    checked: Checked,
    trial: Option<Trial>,
}

/// Checks `text` (to be saved as `file_id`) and, when it has no problem and `hours` is
/// given, tries it over the stored events.
async fn check_and_try(
    state: &AppState,
    text: &str,
    file_id: Option<&str>,
    hours: Option<u64>,
) -> Result<Outcome, StoreError> {
    let in_force = queries::in_force(&state.client).await?;
    let (checked, runnable) = queries::check(text, file_id, &in_force);
    let trial = match (runnable, hours) {
        (Some(runnable), Some(hours)) => Some(
            queries::try_rules(&state.client, runnable, hours, vigie_model::event::now_ms())
                .await?,
        ),
        _ => None,
    };
    Ok(Outcome { checked, trial })
}

/// The SHA-256 of a text, for the audit trail.
fn sha256(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Saves a checked text and audits it; the file id.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    file_id: Option<&str>,
    text: &str,
    checked: &Checked,
) -> Result<String, StoreError> {
    let (id, before) =
        queries::save(&state.client, file_id, text, checked, &ctx.who.username).await?;
    tracing::info!(admin = ctx.who.username, file = id, "rule written");
    state
        .audit
        .note(
            &ctx.who.username,
            "rules_written",
            &id,
            json!({
                "rules": checked.rules.iter().map(|r| &r.id).collect::<Vec<_>>(),
                "sha256": sha256(text),
                "yaml": text,
                "before": before.map(|b| json!({"sha256": sha256(&b.yaml), "rules": b.rule_ids})),
            }),
        )
        .await;
    Ok(id)
}

/// Deletes a file and audits it (with its text); what it was, if it was in force.
async fn delete(
    state: &AppState,
    ctx: &Ctx,
    file_id: &str,
) -> Result<Option<CustomRuleRow>, StoreError> {
    let before = queries::delete(&state.client, file_id, &ctx.who.username).await?;
    if let Some(b) = &before {
        state
            .audit
            .note(
                &ctx.who.username,
                "rules_deleted",
                file_id,
                json!({"rules": b.rule_ids, "sha256": sha256(&b.yaml), "yaml": b.yaml}),
            )
            .await;
    }
    Ok(before)
}

/// The hours a form or request asks to try over.
fn hours_of(value: Option<&str>) -> u64 {
    value.and_then(|h| h.parse().ok()).unwrap_or(DEFAULT_HOURS)
}

/// `GET /rules/write` (`?file=ID`: that file's text).
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let file_id = param(&params, "file").filter(|f| !f.is_empty());
    let text = match file_id {
        Some(id) => match queries::get(&state.client, id).await {
            Ok(Some(row)) => row.yaml,
            Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, id),
            Err(e) => return ctx.store_failed(&e),
        },
        None => String::new(),
    };
    let editor = Editor {
        file_id,
        text: &text,
        hours: DEFAULT_HOURS,
        checked: None,
        trial: None,
    };
    let body = views::page(ctx.lang, &ctx.who, &editor);
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::RulesWrite), body)
}

/// `POST /rules/write`: check and try, or check and save.
pub(super) async fn submit(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let text = param(&fields, "yaml").unwrap_or("").replace("\r\n", "\n");
    let file_id = param(&fields, "file_id").filter(|f| !f.is_empty());
    let hours = hours_of(param(&fields, "hours"));
    if let Some(id) = file_id {
        match queries::get(&state.client, id).await {
            Ok(Some(_)) => {}
            Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, id),
            Err(e) => return ctx.store_failed(&e),
        }
    }
    let saving = param(&fields, "do") == Some("save");
    let outcome = match check_and_try(&state, &text, file_id, (!saving).then_some(hours)).await {
        Ok(o) => o,
        Err(e) => return ctx.store_failed(&e),
    };
    if saving && outcome.checked.errors.is_empty() {
        return match save(&state, &ctx, file_id, &text, &outcome.checked).await {
            Ok(id) => see_other(&format!("/rules?saved={id}#written")),
            Err(e) => ctx.store_failed(&e),
        };
    }
    let status = if outcome.checked.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let editor = Editor {
        file_id,
        text: &text,
        hours,
        checked: Some(&outcome.checked),
        trial: outcome.trial.as_ref(),
    };
    let body = views::page(ctx.lang, &ctx.who, &editor);
    ctx.render(status, t(ctx.lang, Msg::RulesWrite), body)
}

/// `POST /rules/write/{id}/delete`.
pub(super) async fn delete_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, _fields): PageForm,
) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match delete(&state, &ctx, &id).await {
        Ok(Some(_)) => see_other("/rules?deleted=1#written"),
        Ok(None) => ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/custom-rules`.
pub(super) async fn api_list(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    match queries::files(&state.client).await {
        Ok(files) => Json(json!({"files": files})).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// The body of `POST /api/v1/custom-rules` and `…/check`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleText {
    yaml: String,
    #[serde(default)]
    file_id: Option<String>,
    #[serde(default)]
    hours: Option<u64>,
}

/// `POST /api/v1/custom-rules/check` with `{yaml, hours?, file_id?}`: the rules it holds,
/// its problems, and (without problems) how often it would have fired.
pub(super) async fn api_check(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: RuleText = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(r) => r,
        Err(refusal) => return *refusal,
    };
    let hours = Some(request.hours.unwrap_or(DEFAULT_HOURS));
    match check_and_try(&state, &request.yaml, request.file_id.as_deref(), hours).await {
        Ok(o) => {
            Json(json!({"rules": o.checked.rules, "errors": o.checked.errors, "trial": o.trial}))
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/custom-rules` with `{yaml, file_id?}`: 201 with the file id, or 400
/// `rules_invalid` with the problems (nothing saved).
pub(super) async fn api_save(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: RuleText = match ctx.api_write(&headers, ctx.who.role.is_admin(), &body) {
        Ok(r) => r,
        Err(refusal) => return *refusal,
    };
    let file_id = request.file_id.as_deref().filter(|f| !f.is_empty());
    if let Some(id) = file_id {
        match queries::get(&state.client, id).await {
            Ok(Some(_)) => {}
            Ok(None) => return ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, id),
            Err(e) => return ctx.store_failed(&e),
        }
    }
    let outcome = match check_and_try(&state, &request.yaml, file_id, None).await {
        Ok(o) => o,
        Err(e) => return ctx.store_failed(&e),
    };
    if !outcome.checked.errors.is_empty() {
        let mut more = serde_json::Map::new();
        more.insert("errors".into(), json!(outcome.checked.errors));
        let detail = outcome.checked.errors[0].reason.clone();
        return api_error_with(
            ctx.lang,
            StatusCode::BAD_REQUEST,
            Msg::RulesInvalid,
            &detail,
            more,
        );
    }
    match save(&state, &ctx, file_id, &request.yaml, &outcome.checked).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(json!({"file_id": id, "rules": outcome.checked.rules})),
        )
            .into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/custom-rules/{id}/delete`.
pub(super) async fn api_delete(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = ctx.api_may_write(&headers, ctx.who.role.is_admin()) {
        return *refusal;
    }
    match delete(&state, &ctx, &id).await {
        Ok(Some(_)) => Json(json!({"file_id": id, "deleted": true})).into_response(),
        Ok(None) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}
