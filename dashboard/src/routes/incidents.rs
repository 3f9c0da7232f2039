//! Incidents: `GET /incidents` (`?status=`), `GET /incidents/{id}`, `POST /incidents`
//! (open: a title and `alert` ids, or `group_of` an alert for its whole line),
//! `POST /incidents/attach` (`incident` and `alert` ids or `group_of`),
//! `POST /incidents/{id}` (change), `POST /incidents/{id}/notes` (`kind`: note or
//! action_taken, `text`), `POST /incidents/{id}/evidence` (`agent_id` and `seq` of an
//! event, or `hunt`: a hunt's query string); the same under `/api/v1/incidents` with
//! JSON. Analysts and admins write, auditors read; every change is in the incident's
//! history and the audit trail.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params, Surface};
use crate::i18n::{t, Msg};
use crate::queries::incidents::{self as queries, Change, Opening, Refused};

/// Most queue lines expanded to their alerts in one go.
const MAX_LINES: usize = 200;

/// The alert ids a form or request names: `ids` as they are, and every alert of the
/// lines of `lines` (each line named by one of its alerts).
async fn chosen_alerts(
    state: &AppState,
    ids: Vec<String>,
    lines: &[String],
) -> Result<Vec<String>, vigie_store::StoreError> {
    let mut ids = ids;
    let window = state.config().group_window_ms();
    for anchor in lines.iter().filter(|a| !a.is_empty()).take(MAX_LINES) {
        let group = crate::queries::alerts::group_of(&state.client, anchor, window).await?;
        if group.is_empty() {
            ids.push(anchor.clone());
        }
        ids.extend(group.into_iter().map(|m| m.alert_id));
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The alerts a page form names: `alert` fields; `group_of` (an alert page's line); or
/// the queue's ticked lines (`id`), whole lines when the queue is grouped.
async fn form_alerts(
    state: &AppState,
    fields: &Params,
) -> Result<Vec<String>, vigie_store::StoreError> {
    let mut lines = all(fields, "group_of");
    let ticked = all(fields, "id");
    let mut ids = all(fields, "alert");
    if param(fields, "grouped") == Some("1") {
        lines.extend(ticked);
    } else {
        ids.extend(ticked);
    }
    chosen_alerts(state, ids, &lines).await
}

/// Every value of field `name` in a form.
fn all(fields: &Params, name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

fn refusal(ctx: &Ctx, r: &Refused) -> Response {
    let status = if r.key == Msg::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    ctx.fail(status, r.key, &r.detail)
}

/// After a change: the incident's page, or its JSON.
fn done(ctx: &Ctx, id: &str, answer: serde_json::Value) -> Response {
    match ctx.surface {
        Surface::Api => Json(answer).into_response(),
        Surface::Page => see_other(&format!("/incidents/{id}?saved=1")),
    }
}

/// `GET /incidents`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    match queries::list(&state.client, param(&params, "status")).await {
        Ok(listed) => {
            let body = crate::views::incidents::list(ctx.lang, &listed);
            ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavIncidents), body)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/incidents`.
pub(super) async fn api_list(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    match queries::list(&state.client, param(&params, "status")).await {
        Ok(listed) => Json(json!({"incidents": listed})).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /incidents/{id}`.
pub(super) async fn one(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    match queries::get(&state.client, &id).await {
        Ok(Some(incident)) => {
            let saved = param(&params, "saved").is_some();
            let body = crate::views::incidents::page(ctx.lang, &ctx.who, &incident, saved);
            ctx.render(StatusCode::OK, &incident.state.title.clone(), body)
        }
        Ok(None) => ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/incidents/{id}`.
pub(super) async fn api_one(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Path(id): Path<String>,
) -> Response {
    match queries::get(&state.client, &id).await {
        Ok(Some(incident)) => Json(incident).into_response(),
        Ok(None) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}

async fn open(state: &AppState, ctx: &Ctx, opening: &Opening) -> Response {
    match queries::open(&state.client, opening, &ctx.who.username).await {
        Ok(Ok(id)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "incident_opened",
                    &id,
                    json!({"title": opening.title, "alerts": opening.alert_ids.len()}),
                )
                .await;
            match ctx.surface {
                Surface::Api => {
                    (StatusCode::CREATED, Json(json!({"incident_id": id}))).into_response()
                }
                Surface::Page => see_other(&format!("/incidents/{id}")),
            }
        }
        Ok(Err(r)) => refusal(ctx, &r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /incidents`.
pub(super) async fn open_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let alert_ids = match form_alerts(&state, &fields).await {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let title = param(&fields, "title").or_else(|| param(&fields, "incident_title"));
    let opening = Opening {
        title: title.unwrap_or("").into(),
        severity: param(&fields, "severity").unwrap_or("").into(),
        owner: param(&fields, "owner").unwrap_or("").into(),
        alert_ids,
    };
    open(&state, &ctx, &opening).await
}

/// The body of `POST /api/v1/incidents`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiOpening {
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    alert_ids: Vec<String>,
    #[serde(default)]
    group_of: Option<String>,
}

/// `POST /api/v1/incidents`.
pub(super) async fn api_open(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: ApiOpening = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(r) => r,
        Err(refusal) => return *refusal,
    };
    let alert_ids = match chosen_alerts(
        &state,
        request.alert_ids,
        &request.group_of.into_iter().collect::<Vec<_>>(),
    )
    .await
    {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let opening = Opening {
        title: request.title,
        severity: request.severity,
        owner: request.owner,
        alert_ids,
    };
    open(&state, &ctx, &opening).await
}

async fn attach(state: &AppState, ctx: &Ctx, id: &str, alert_ids: &[String]) -> Response {
    match queries::attach_alerts(&state.client, id, alert_ids, &ctx.who.username).await {
        Ok(Ok(attached)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "incident_alerts",
                    id,
                    json!({"attached": attached, "asked": alert_ids.len()}),
                )
                .await;
            done(ctx, id, json!({"incident_id": id, "attached": attached}))
        }
        Ok(Err(r)) => refusal(ctx, &r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /incidents/attach`: alerts (or an alert's line) added to an incident.
pub(super) async fn attach_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let id = param(&fields, "incident").unwrap_or("").to_string();
    let ids = match form_alerts(&state, &fields).await {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    attach(&state, &ctx, &id, &ids).await
}

/// The body of `POST /api/v1/incidents/{id}/alerts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiAlerts {
    #[serde(default)]
    alert_ids: Vec<String>,
    #[serde(default)]
    group_of: Option<String>,
}

/// `POST /api/v1/incidents/{id}/alerts`.
pub(super) async fn api_attach(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let request: ApiAlerts = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(r) => r,
        Err(refusal) => return *refusal,
    };
    let ids = match chosen_alerts(
        &state,
        request.alert_ids,
        &request.group_of.into_iter().collect::<Vec<_>>(),
    )
    .await
    {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    attach(&state, &ctx, &id, &ids).await
}

async fn change(state: &AppState, ctx: &Ctx, id: &str, change: &Change) -> Response {
    match queries::change(&state.client, id, change, &ctx.who.username).await {
        Ok(Ok(details)) => {
            state
                .audit
                .note(&ctx.who.username, "incident_changed", id, details.clone())
                .await;
            done(ctx, id, json!({"incident_id": id, "changed": details}))
        }
        Ok(Err(r)) => refusal(ctx, &r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /incidents/{id}`.
pub(super) async fn change_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let text = |name: &str| param(&fields, name).map(str::to_string);
    let asked = Change {
        title: text("title"),
        severity: text("severity"),
        status: text("status"),
        owner: text("owner"),
        techniques: text("techniques").map(|t| t.split([' ', ',']).map(str::to_string).collect()),
        recommendations: text("recommendations").map(|r| r.replace("\r\n", "\n")),
    };
    change(&state, &ctx, &id, &asked).await
}

/// `POST /api/v1/incidents/{id}` with what changes.
pub(super) async fn api_change(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let asked: Change = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(c) => c,
        Err(refusal) => return *refusal,
    };
    change(&state, &ctx, &id, &asked).await
}

/// A note or an action taken.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    kind: String,
    text: String,
}

async fn add_text(state: &AppState, ctx: &Ctx, id: &str, text: &Text) -> Response {
    match queries::add_text(&state.client, id, &text.kind, &text.text, &ctx.who.username).await {
        Ok(Ok(())) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "incident_note",
                    id,
                    json!({"kind": text.kind, "text": text.text.trim()}),
                )
                .await;
            done(ctx, id, json!({"incident_id": id, "kind": text.kind}))
        }
        Ok(Err(r)) => refusal(ctx, &r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /incidents/{id}/notes`.
pub(super) async fn text_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let text = Text {
        kind: param(&fields, "kind").unwrap_or("note").into(),
        text: param(&fields, "text").unwrap_or("").replace("\r\n", "\n"),
    };
    add_text(&state, &ctx, &id, &text).await
}

/// `POST /api/v1/incidents/{id}/notes` with `{kind, text}`.
pub(super) async fn api_text(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let text: Text = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(t) => t,
        Err(refusal) => return *refusal,
    };
    add_text(&state, &ctx, &id, &text).await
}

/// What to keep as evidence: an event, or a hunt's results.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Evidence {
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    hunt: Option<String>,
}

/// The evidence `asked` names, read from storage: (kind, label, content as JSON).
async fn evidence_of(
    state: &AppState,
    ctx: &Ctx,
    asked: &Evidence,
) -> Result<(String, String, String), Response> {
    if let Some(query) = &asked.hunt {
        let params: Params = serde_urlencoded::from_str(query.trim_start_matches('?'))
            .map_err(|_| ctx.fail(StatusCode::BAD_REQUEST, Msg::BadParameter, "hunt"))?;
        let hunt = crate::queries::hunt::Hunt::parse(&params, vigie_model::event::now_ms())
            .map_err(|e| ctx.bad_param(&e))?;
        let found = crate::queries::hunt::run(&state.client, &hunt, queries::MAX_HUNT_EVIDENCE)
            .await
            .map_err(|e| ctx.store_failed(&e))?;
        let events: Vec<serde_json::Value> = found
            .iter()
            .map(|row| serde_json::from_str(&row.fields).unwrap_or(serde_json::Value::Null))
            .collect();
        let content = json!({"query": hunt.query_string(None), "events": events}).to_string();
        let label = format!(
            "/hunt?{} ({} events)",
            hunt.query_string(None),
            events.len()
        );
        return Ok(("hunt".into(), label, content));
    }
    let (Some(agent_id), Some(seq)) = (&asked.agent_id, asked.seq) else {
        return Err(ctx.fail(
            StatusCode::BAD_REQUEST,
            Msg::BadParameter,
            "agent_id, seq or hunt",
        ));
    };
    let fields: Option<String> = state
        .client
        .query("SELECT fields FROM events WHERE agent_id = ? AND seq = ? LIMIT 1")
        .bind(agent_id)
        .bind(seq)
        .fetch_optional()
        .await
        .map_err(|e| ctx.store_failed(&e))?;
    let Some(content) = fields else {
        return Err(ctx.fail(
            StatusCode::NOT_FOUND,
            Msg::NotFound,
            &format!("{agent_id}/{seq}"),
        ));
    };
    let label = serde_json::from_str::<vigie_model::Event>(&content)
        .map(|e| format!("{} {} {}", e.hostname, e.category, e.subject()))
        .unwrap_or_else(|_| format!("{agent_id}/{seq}"));
    Ok(("event".into(), label, content))
}

async fn keep(state: &AppState, ctx: &Ctx, id: &str, asked: &Evidence) -> Response {
    let (kind, label, content) = match evidence_of(state, ctx, asked).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    match queries::attach_evidence(
        &state.client,
        id,
        &kind,
        &label,
        &content,
        &ctx.who.username,
    )
    .await
    {
        Ok(Ok(evidence_id)) => {
            let sha256 = vigie_model::hex::sha256(content.as_bytes());
            state
                .audit
                .note(
                    &ctx.who.username,
                    "incident_evidence",
                    id,
                    json!({"evidence_id": evidence_id, "kind": kind, "label": label, "sha256": sha256}),
                )
                .await;
            done(
                ctx,
                id,
                json!({"incident_id": id, "evidence_id": evidence_id, "sha256": sha256}),
            )
        }
        Ok(Err(r)) => refusal(ctx, &r),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /incidents/{id}/evidence`.
pub(super) async fn evidence_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let asked = Evidence {
        agent_id: param(&fields, "agent_id").map(str::to_string),
        seq: param(&fields, "seq").and_then(|s| s.parse().ok()),
        hunt: param(&fields, "hunt").map(str::to_string),
    };
    keep(&state, &ctx, &id, &asked).await
}

/// `POST /incidents/evidence`: evidence for the incident chosen in the form
/// (`incident`), as from the hunt page.
pub(super) async fn evidence_chosen_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    let id = param(&fields, "incident").unwrap_or("").to_string();
    evidence_form(State(state), Path(id), PageForm(ctx, fields)).await
}

/// `POST /api/v1/incidents/{id}/evidence` with `{agent_id, seq}` or `{hunt}`.
pub(super) async fn api_evidence(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let asked: Evidence = match ctx.api_write(&headers, ctx.who.role.can_triage(), &body) {
        Ok(e) => e,
        Err(refusal) => return *refusal,
    };
    keep(&state, &ctx, &id, &asked).await
}
