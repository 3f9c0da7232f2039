//! Exceptions: `GET /exceptions` (the list, with what each held back),
//! `GET /exceptions/new?alert=ID` (a form prefilled from an alert),
//! `GET /exceptions/{id}/edit`, `POST /exceptions` (preview, or save a new or changed
//! one), `POST /exceptions/{id}/remove`; the same under `/api/v1/exceptions`. Analysts
//! and admins write, auditors read; every change is audited with what it replaced.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use vigie_model::exception::{
    Condition, ExceptionError, ExceptionSpec, Op, MAX_CONDITIONS, MAX_REASON_BYTES, MAX_VALUE_BYTES,
};
use vigie_model::Event;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params};
use crate::i18n::{fill, rule_title, t, Lang, Msg};
use crate::queries::exceptions::{self as queries, RuleTitle};
use crate::views::exceptions::{self as views, Draft};

/// Fields an exception made from an alert proposes, when its event has them.
const PROPOSED_FIELDS: [&str; 7] = [
    "Image",
    "CommandLine",
    "ParentImage",
    "TargetFilename",
    "DestinationIp",
    "DestinationPort",
    "User",
];

/// Why an exception was refused, in `lang`.
fn error_text(lang: Lang, e: &ExceptionError) -> String {
    match e {
        ExceptionError::NoCondition => t(lang, Msg::ExceptionNoCondition).to_string(),
        ExceptionError::TooManyConditions => fill(
            lang,
            Msg::ExceptionTooManyConditions,
            &[("max", &MAX_CONDITIONS)],
        ),
        ExceptionError::EmptyField(n) => fill(lang, Msg::ExceptionEmptyField, &[("n", n)]),
        ExceptionError::EmptyValue(n, f) => {
            fill(lang, Msg::ExceptionEmptyValue, &[("n", n), ("field", f)])
        }
        ExceptionError::ValueTooLong(n, f) => fill(
            lang,
            Msg::ExceptionValueTooLong,
            &[("n", n), ("field", f), ("max", &MAX_VALUE_BYTES)],
        ),
        ExceptionError::BadGlob(n, f, reason) => fill(
            lang,
            Msg::ExceptionBadGlob,
            &[("n", n), ("field", f), ("reason", reason)],
        ),
        ExceptionError::Reason => fill(lang, Msg::ExceptionNoReason, &[("max", &MAX_REASON_BYTES)]),
    }
}

fn title_of(lang: Lang, titles: &[RuleTitle], rule_id: &str) -> String {
    titles.iter().find(|r| r.rule_id == rule_id).map_or_else(
        || rule_id.to_string(),
        |r| rule_title(lang, &r.title, &r.title_fr).to_string(),
    )
}

/// `GET /exceptions`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let now = vigie_model::event::now_ms();
    let (listed, titles) = match tokio::try_join!(
        queries::list(&state.client, now),
        queries::rule_titles(&state.client)
    ) {
        Ok(found) => found,
        Err(e) => return ctx.store_failed(&e),
    };
    let notice = if param(&params, "saved").is_some() {
        Some(Msg::ExceptionSaved)
    } else if param(&params, "removed").is_some() {
        Some(Msg::ExceptionRemoved)
    } else {
        None
    };
    let title = |id: &str| title_of(ctx.lang, &titles, id);
    let body = views::list(ctx.lang, &ctx.who, &listed, &title, notice);
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavExceptions), body)
}

/// `GET /exceptions/new?alert=ID`: the form, prefilled from the alert when one is named.
pub(super) async fn new_form(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let alert_id = param(&params, "alert").unwrap_or("");
    let mut spec = ExceptionSpec {
        rule_id: String::new(),
        conditions: Vec::new(),
        reason: String::new(),
        expires_ms: 0,
    };
    if !alert_id.is_empty() {
        match crate::queries::alert_detail::load(&state.client, alert_id, None).await {
            Ok(Some(detail)) => {
                spec.rule_id = detail.alert.rule_id.clone();
                if let Some(event) = detail.events.last() {
                    spec.conditions = proposed_conditions(event);
                }
            }
            Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, alert_id),
            Err(e) => return ctx.store_failed(&e),
        }
    }
    let alert = (!alert_id.is_empty()).then_some(alert_id);
    let form = FormState {
        id: None,
        alert,
        expiry_choice: "0",
    };
    render_form(&state, &ctx, &form, &spec, None, None).await
}

/// Where a form stands besides its exception: which one it changes, the alert it came
/// from, the expiry chosen.
struct FormState<'a> {
    id: Option<&'a str>,
    alert: Option<&'a str>,
    expiry_choice: &'a str,
}

/// The conditions an exception from `event` starts with: its host and what identifies
/// the program or file, each compared whole.
fn proposed_conditions(event: &Event) -> Vec<Condition> {
    let mut conditions = vec![Condition {
        field: "hostname".into(),
        op: Op::Is,
        value: event.hostname.clone(),
    }];
    for field in PROPOSED_FIELDS {
        let value = match event.fields.get(field) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        conditions.push(Condition {
            field: field.into(),
            op: Op::Is,
            value: value.chars().take(MAX_VALUE_BYTES / 4).collect(),
        });
    }
    conditions
}

/// `GET /exceptions/{id}/edit`.
pub(super) async fn edit_form(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let row = match queries::get(&state.client, &id).await {
        Ok(Some(row)) if row.removed == 0 => row,
        Ok(_) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => return ctx.store_failed(&e),
    };
    let Ok(spec) = serde_json::from_str::<ExceptionSpec>(&row.spec) else {
        return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id);
    };
    let form = FormState {
        id: Some(&id),
        alert: None,
        expiry_choice: "keep",
    };
    render_form(&state, &ctx, &form, &spec, None, None).await
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    form: &FormState<'_>,
    spec: &ExceptionSpec,
    preview: Option<queries::Preview>,
    error: Option<String>,
) -> Response {
    let id = form.id;
    let titles = match queries::rule_titles(&state.client).await {
        Ok(t) => t,
        Err(e) => return ctx.store_failed(&e),
    };
    let draft = Draft {
        id,
        rule: (&spec.rule_id, title_of(ctx.lang, &titles, &spec.rule_id)),
        conditions: spec.conditions.clone(),
        reason: &spec.reason,
        expires_ms: spec.expires_ms,
        expiry_choice: form.expiry_choice,
        preview,
        error: error.clone(),
        alert: form.alert,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let title = t(
        ctx.lang,
        if id.is_some() {
            Msg::ExceptionEdit
        } else {
            Msg::ExceptionNew
        },
    );
    ctx.render(status, title, views::form(ctx.lang, &ctx.who, &draft))
}

/// The exception a form describes. Lines with an empty value are spare lines, left out;
/// `keep_expiry` is the stored expiry when the form says to keep it.
fn spec_from_form(fields: &Params, keep_expiry: u64, now_ms: u64) -> ExceptionSpec {
    let mut conditions = Vec::new();
    for i in 0.. {
        let Some(field) = param(fields, &format!("field{i}")) else {
            break;
        };
        let value = param(fields, &format!("value{i}")).unwrap_or("");
        if value.is_empty() {
            continue;
        }
        let op = param(fields, &format!("op{i}"))
            .and_then(Op::parse)
            .unwrap_or(Op::Is);
        conditions.push(Condition {
            field: field.trim().to_string(),
            op,
            value: value.to_string(),
        });
    }
    let expires_ms = match param(fields, "expires_days") {
        Some("keep") => keep_expiry,
        Some(days) => days
            .parse::<u64>()
            .ok()
            .filter(|d| *d > 0)
            .map_or(0, |d| now_ms + d.min(3650) * 86_400_000),
        None => 0,
    };
    ExceptionSpec {
        rule_id: param(fields, "rule_id").unwrap_or("").trim().to_string(),
        conditions,
        reason: param(fields, "reason").unwrap_or("").trim().to_string(),
        expires_ms,
    }
}

/// `POST /exceptions`: preview, or save a new exception or a change.
pub(super) async fn submit(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let now = vigie_model::event::now_ms();
    let id = param(&fields, "id").filter(|id| !id.is_empty());
    let alert = param(&fields, "alert").filter(|a| !a.is_empty());
    let stored_expiry = match id {
        Some(id) => match queries::get(&state.client, id).await {
            Ok(Some(row)) if row.removed == 0 => {
                serde_json::from_str::<ExceptionSpec>(&row.spec).map_or(0, |s| s.expires_ms)
            }
            Ok(_) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, id),
            Err(e) => return ctx.store_failed(&e),
        },
        None => 0,
    };
    let spec = spec_from_form(&fields, stored_expiry, now);
    let form = FormState {
        id,
        alert,
        expiry_choice: param(&fields, "expires_days").unwrap_or("0"),
    };
    if param(&fields, "action") == Some("preview") {
        return match queries::preview(&state.client, &spec, now).await {
            Ok(Ok(p)) => render_form(&state, &ctx, &form, &spec, Some(p), None).await,
            Ok(Err(e)) => {
                let error = error_text(ctx.lang, &e);
                render_form(&state, &ctx, &form, &spec, None, Some(error)).await
            }
            Err(e) => ctx.store_failed(&e),
        };
    }
    match save(&state, &ctx, id, &spec).await {
        Ok(Ok(_)) => see_other("/exceptions?saved=1"),
        Ok(Err(Refusal::Invalid(e))) => {
            let error = error_text(ctx.lang, &e);
            render_form(&state, &ctx, &form, &spec, None, Some(error)).await
        }
        Ok(Err(Refusal::NotFound)) => {
            ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, id.unwrap_or(""))
        }
        Err(e) => ctx.store_failed(&e),
    }
}

enum Refusal {
    Invalid(ExceptionError),
    NotFound,
}

/// Stores a new exception (no `id`) or a change, and audits it; the exception's id.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    id: Option<&str>,
    spec: &ExceptionSpec,
) -> Result<Result<String, Refusal>, vigie_store::StoreError> {
    let actor = &ctx.who.username;
    match id {
        None => match queries::create(&state.client, spec, actor).await? {
            Ok(id) => {
                state
                    .audit
                    .note(actor, "exception_created", &id, json!({"exception": spec}))
                    .await;
                Ok(Ok(id))
            }
            Err(e) => Ok(Err(Refusal::Invalid(e))),
        },
        Some(id) => match queries::update(&state.client, id, spec, actor).await? {
            Ok(Some(before)) => {
                state
                    .audit
                    .note(
                        actor,
                        "exception_changed",
                        id,
                        json!({"before": before, "after": spec}),
                    )
                    .await;
                Ok(Ok(id.to_string()))
            }
            Ok(None) => Ok(Err(Refusal::NotFound)),
            Err(e) => Ok(Err(Refusal::Invalid(e))),
        },
    }
}

/// Removes exception `id` and audits it; false when there was none in force.
async fn remove(state: &AppState, ctx: &Ctx, id: &str) -> Result<bool, vigie_store::StoreError> {
    let Some(before) = queries::remove(&state.client, id, &ctx.who.username).await? else {
        return Ok(false);
    };
    state
        .audit
        .note(
            &ctx.who.username,
            "exception_removed",
            id,
            json!({"before": before}),
        )
        .await;
    Ok(true)
}

/// `POST /exceptions/{id}/remove`.
pub(super) async fn remove_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, _fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match remove(&state, &ctx, &id).await {
        Ok(true) => see_other("/exceptions?removed=1"),
        Ok(false) => ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/exceptions`.
pub(super) async fn api_list(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    match queries::list(&state.client, vigie_model::event::now_ms()).await {
        Ok(listed) => Json(json!({"exceptions": listed})).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// Checks the API request may change exceptions and reads its exception; or the refusal.
fn api_spec(ctx: &Ctx, headers: &HeaderMap, body: &[u8]) -> Result<ExceptionSpec, Box<Response>> {
    ctx.api_write(headers, ctx.who.role.can_triage(), body)
}

fn api_invalid(ctx: &Ctx, e: &ExceptionError) -> Response {
    ctx.api_refuse(
        StatusCode::BAD_REQUEST,
        Msg::ExceptionInvalid,
        &error_text(ctx.lang, e),
    )
}

/// `POST /api/v1/exceptions` with an exception (`rule_id`, `conditions`, `reason`,
/// `expires_ms`).
pub(super) async fn api_create(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let spec = match api_spec(&ctx, &headers, &body) {
        Ok(spec) => spec,
        Err(refusal) => return *refusal,
    };
    match save(&state, &ctx, None, &spec).await {
        Ok(Ok(id)) => (StatusCode::CREATED, Json(json!({"exception_id": id}))).into_response(),
        Ok(Err(Refusal::Invalid(e))) => api_invalid(&ctx, &e),
        Ok(Err(Refusal::NotFound)) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, ""),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/exceptions/preview` with an exception: how many alerts of the last 7
/// days it would have held back.
pub(super) async fn api_preview(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let spec = match api_spec(&ctx, &headers, &body) {
        Ok(spec) => spec,
        Err(refusal) => return *refusal,
    };
    match queries::preview(&state.client, &spec, vigie_model::event::now_ms()).await {
        Ok(Ok(p)) => Json(p).into_response(),
        Ok(Err(e)) => api_invalid(&ctx, &e),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/exceptions/{id}` with the exception's new content.
pub(super) async fn api_update(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let spec = match api_spec(&ctx, &headers, &body) {
        Ok(spec) => spec,
        Err(refusal) => return *refusal,
    };
    match save(&state, &ctx, Some(&id), &spec).await {
        Ok(Ok(id)) => Json(json!({"exception_id": id})).into_response(),
        Ok(Err(Refusal::Invalid(e))) => api_invalid(&ctx, &e),
        Ok(Err(Refusal::NotFound)) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/exceptions/{id}/remove`.
pub(super) async fn api_remove(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refusal) = ctx.api_may_write(&headers, ctx.who.role.can_triage()) {
        return *refusal;
    }
    match remove(&state, &ctx, &id).await {
        Ok(true) => Json(json!({"exception_id": id, "removed": true})).into_response(),
        Ok(false) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}
