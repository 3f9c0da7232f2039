//! Triage requests: the queue's and the alert page's forms (`POST /alerts/triage`) and
//! the API (`POST /api/v1/alerts/triage`). Analysts and admins only; sessions must
//! carry their CSRF token (form field `csrf`, or header `X-CSRF-Token` for the API).
//!
//! A request names its alerts (checked lines, one alert, the alerts of a grouped line)
//! or gives a filter: then it applies to every alert the filter matches, on every page,
//! once the number of those alerts has been confirmed (`expected`), and the audit trail
//! records one row with the filter and the count.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{api_error_with, param, see_other, Api, AppState, Ctx, PageForm, Params};
use crate::i18n::{t, Msg};
use crate::params::BadParam;
use crate::queries::alerts::{self, AlertFilter};
use crate::queries::triage::{self, Refused, TriageRequest, MAX_BY_FILTER};
use vigie_store::rows::AlertActionRow;
use vigie_store::StoreError;

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

/// What a triage wrote, and how many of its alerts were in each status before.
type Recorded = (Vec<AlertActionRow>, std::collections::BTreeMap<String, u64>);

/// Records `request` with `record` after reading the statuses it changes, for the
/// audit trail's before and after.
/// `known`: the statuses before, when the caller has them already (a filter's counts).
async fn with_before<F>(
    state: &AppState,
    request: &TriageRequest,
    known: Option<std::collections::BTreeMap<String, u64>>,
    record: F,
) -> Result<Result<Recorded, Refused>, StoreError>
where
    F: std::future::Future<Output = Result<Result<Vec<AlertActionRow>, Refused>, StoreError>>,
{
    let before = match known {
        Some(counts) => counts,
        None => triage::statuses(&state.client, &request.ids).await?,
    };
    Ok(record.await?.map(|rows| (rows, before)))
}

/// Logs and audits what `recorded` wrote for `request` (`filter`: the filter the
/// alerts were chosen by, if any); the number of alerts.
async fn audited(
    state: &AppState,
    ctx: &Ctx,
    request: &TriageRequest,
    filter: Option<&str>,
    recorded: Result<Result<Recorded, Refused>, StoreError>,
) -> Result<Result<usize, Refused>, StoreError> {
    let (rows, before) = match recorded {
        Ok(Ok(done)) => done,
        Ok(Err(refused)) => return Ok(Err(refused)),
        Err(e) => return Err(e),
    };
    tracing::info!(
        user = ctx.who.username,
        action = request.action,
        alerts = rows.len(),
        by_filter = filter.is_some(),
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
                "action": request.action,
                // Only what the action set: a status for `status`, an assignee for `assign`.
                "status": (request.action == "status").then_some(&request.status),
                "assignee": (request.action == "assign").then_some(request.assignee.trim()),
                "before": before,
                "comment": request.comment, "alerts": rows.len(), "filter": filter,
                "request_id": rows.first().map(|r| r.request_id.as_str()),
                "actions_sha256": AlertActionRow::digest(&rows),
                "date": rows.first().map(|r| r.date),
            }),
        )
        .await;
    Ok(Ok(rows.len()))
}

/// Records `request` for the alerts it names, for the user of `ctx`. `expanded`: the ids
/// are the store's own answer (the alerts of grouped lines, which a storm can make more
/// than [`triage::MAX_ALERTS`]), not ids as sent.
async fn apply_named(
    state: &AppState,
    ctx: &Ctx,
    request: &TriageRequest,
    expanded: bool,
) -> Result<Result<usize, Refused>, StoreError> {
    let recorded = if expanded {
        with_before(
            state,
            request,
            None,
            triage::apply_listed(&state.client, request, &ctx.who.username),
        )
        .await
    } else {
        with_before(
            state,
            request,
            None,
            triage::apply(&state.client, request, &ctx.who.username),
        )
        .await
    };
    audited(state, ctx, request, None, recorded).await
}

/// Ids as sent, before any expansion: no more than [`triage::MAX_ALERTS`].
fn too_many_sent(ids: &[String]) -> Option<Refused> {
    (ids.len() > triage::MAX_ALERTS).then(|| Refused {
        key: Msg::BadParameter,
        detail: format!("ids: more than {}", triage::MAX_ALERTS),
    })
}

/// What a triage by filter came to.
enum ByFilter {
    /// Recorded for this many alerts.
    Recorded(usize),
    /// The filter matches this many alerts, not the number confirmed (or none was).
    Confirm {
        filter: AlertFilter,
        matching: usize,
    },
    /// More alerts match than one request may change.
    TooMany,
    /// The filter cannot be read.
    BadFilter(BadParam),
    /// The action cannot be recorded.
    Refused(Refused),
}

/// Records `request` for every alert `filter_query` matches, once `expected` is their
/// number.
async fn apply_by_filter(
    state: &AppState,
    ctx: &Ctx,
    filter_query: &str,
    expected: Option<usize>,
    request: TriageRequest,
) -> Result<ByFilter, StoreError> {
    if let Err(refused) = request.check_action() {
        return Ok(ByFilter::Refused(refused));
    }
    let params: Params = match serde_urlencoded::from_str(filter_query) {
        Ok(p) => p,
        Err(_) => {
            return Ok(ByFilter::BadFilter(crate::params::bad(
                "filter",
                crate::params::Problem::NotAQuery,
            )))
        }
    };
    let filter = match AlertFilter::parse(&params, vigie_model::event::now_ms()) {
        Ok(f) => f,
        Err(e) => {
            return Ok(ByFilter::BadFilter(BadParam {
                param: format!("filter.{}", e.param),
                ..e
            }))
        }
    };
    let ids = alerts::matching_ids(&state.client, &filter, MAX_BY_FILTER as u64).await?;
    if ids.len() > MAX_BY_FILTER {
        return Ok(ByFilter::TooMany);
    }
    if ids.is_empty() {
        return Ok(ByFilter::Refused(Refused {
            key: Msg::TriageNothingSelected,
            detail: "filter".into(),
        }));
    }
    if expected != Some(ids.len()) {
        return Ok(ByFilter::Confirm {
            filter,
            matching: ids.len(),
        });
    }
    let request = TriageRequest { ids, ..request };
    // The filter's counts per status are the statuses before, in one query.
    let before = alerts::counts(&state.client, &filter)
        .await?
        .into_iter()
        .filter(|(status, n)| *n > 0 && filter.status.is_none_or(|s| s.as_str() == status))
        .collect();
    let recorded = with_before(
        state,
        &request,
        Some(before),
        triage::apply_listed(&state.client, &request, &ctx.who.username),
    )
    .await;
    Ok(
        match audited(state, ctx, &request, Some(filter_query), recorded).await? {
            Ok(n) => ByFilter::Recorded(n),
            Err(refused) => ByFilter::Refused(refused),
        },
    )
}

/// The status answering a refusal.
fn refusal_status(refused: &Refused) -> StatusCode {
    if refused.key == Msg::NotFound {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// A query string of the queue, to go back to; never another site.
fn queue_link(query: &str) -> &str {
    if query.contains(['/', '\\', ':']) {
        ""
    } else {
        query
    }
}

/// The action and its values, as a form gives them.
fn form_request(fields: &Params, ids: Vec<String>) -> TriageRequest {
    TriageRequest {
        ids,
        action: param(fields, "action").unwrap_or("").into(),
        status: param(fields, "status").unwrap_or("").into(),
        assignee: param(fields, "assignee").unwrap_or("").into(),
        comment: param(fields, "comment").unwrap_or("").into(),
    }
}

/// `POST /alerts/triage` (a form): `scope` says what it applies to — `selected`
/// (repeated `id` fields, expanded to their groups when `grouped`), `alert` or `group`
/// (the alert page's `id`), or `filter` (every alert the `filter` query matches).
pub(super) async fn form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.can_triage() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let ids: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())
        .collect();
    if let Some(refused) = too_many_sent(&ids) {
        let body = crate::views::forms::triage_refused(ctx.lang, refused.key, &refused.detail);
        return ctx.render(StatusCode::BAD_REQUEST, t(ctx.lang, Msg::Triage), body);
    }
    let scope = param(&fields, "scope").unwrap_or("selected");
    let grouped = match scope {
        "selected" => param(&fields, "grouped") == Some("1"),
        other => other == "group",
    };
    let ids = match scope {
        "filter" => return form_by_filter(&state, &ctx, &fields).await,
        "selected" => {
            let status_filter = param(&fields, "status_filter").filter(|s| !s.is_empty());
            expand_groups(&state, &ids, grouped, status_filter).await
        }
        "group" => expand_groups(&state, &ids, true, None).await,
        "alert" => Ok(ids),
        other => {
            let e = crate::params::bad(
                "scope",
                crate::params::one_of(other, &["selected", "alert", "group", "filter"]),
            );
            return ctx.bad_param(&e);
        }
    };
    let ids = match ids {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let request = form_request(&fields, ids);
    match apply_named(&state, &ctx, &request, grouped).await {
        Ok(Ok(n)) => {
            match param(&fields, "alert").filter(|a| a.bytes().all(|b| b.is_ascii_alphanumeric())) {
                Some(alert) => see_other(&format!("/alerts/{alert}?done={n}")),
                None => {
                    let back = queue_link(param(&fields, "return").unwrap_or(""));
                    see_other(&format!("/alerts?{back}&done={n}"))
                }
            }
        }
        Ok(Err(refused)) => {
            // Back to the page the form was on, the reason shown beside the form.
            let said = serde_urlencoded::to_string([
                ("refused", refused.key.key()),
                ("what", refused.detail.as_str()),
            ])
            .expect("text pairs");
            match param(&fields, "alert").filter(|a| a.bytes().all(|b| b.is_ascii_alphanumeric())) {
                Some(alert) => see_other(&format!("/alerts/{alert}?{said}#triage")),
                None => {
                    let back = queue_link(param(&fields, "return").unwrap_or(""));
                    see_other(&format!("/alerts?{back}&{said}#triage"))
                }
            }
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// The form's triage by filter: a confirmation page first, then the action.
async fn form_by_filter(state: &AppState, ctx: &Ctx, fields: &Params) -> Response {
    let filter_query = queue_link(param(fields, "filter").unwrap_or(""));
    let expected = param(fields, "expected").and_then(|n| n.parse().ok());
    let request = form_request(fields, Vec::new());
    let outcome = apply_by_filter(state, ctx, filter_query, expected, request.clone()).await;
    match outcome {
        Ok(ByFilter::Recorded(n)) => see_other(&format!("/alerts?{filter_query}&done={n}")),
        Ok(ByFilter::Confirm { filter, matching }) => {
            let confirmation = crate::views::triage::Confirmation {
                filter: &filter,
                filter_query,
                matching,
                request: &request,
                changed: expected.is_some(),
                csrf: ctx.who.csrf(),
            };
            let body = crate::views::triage::confirm(ctx.lang, &confirmation);
            ctx.render(StatusCode::OK, t(ctx.lang, Msg::Triage), body)
        }
        Ok(ByFilter::TooMany) => ctx.refuse(
            StatusCode::BAD_REQUEST,
            Msg::TriageTooMany,
            &format!("> {MAX_BY_FILTER}"),
        ),
        Ok(ByFilter::BadFilter(e)) => ctx.bad_param(&e),
        Ok(ByFilter::Refused(refused)) => {
            let body = crate::views::forms::triage_refused(ctx.lang, refused.key, &refused.detail);
            ctx.render(refusal_status(&refused), t(ctx.lang, Msg::Triage), body)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// The API's triage request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ApiTriage {
    /// The alerts, by id (or give `filter`).
    #[serde(default)]
    ids: Vec<String>,
    /// What to do, with its values.
    action: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    comment: String,
    /// Expand each id to its group of repeats (as the queue shows them).
    #[serde(default)]
    grouped: bool,
    /// With `grouped`, only the repeats in this status.
    #[serde(default)]
    status_filter: Option<String>,
    /// Every alert matching this queue filter (`GET /api/v1/alerts` parameters, as a
    /// query string), instead of `ids`.
    #[serde(default)]
    filter: Option<String>,
    /// With `filter`: how many alerts it matches, as confirmed by the caller.
    #[serde(default)]
    expected: Option<usize>,
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
    let request = TriageRequest {
        ids: Vec::new(),
        action: body.action,
        status: body.status,
        assignee: body.assignee,
        comment: body.comment,
    };
    if let Some(filter) = &body.filter {
        if !body.ids.is_empty() {
            return ctx.api_refuse(StatusCode::BAD_REQUEST, Msg::TriageIdsAndFilter, "ids");
        }
        return api_by_filter(&state, &ctx, filter, body.expected, request).await;
    }
    if let Some(refused) = too_many_sent(&body.ids) {
        return ctx.api_refuse(StatusCode::BAD_REQUEST, refused.key, &refused.detail);
    }
    let ids = match expand_groups(
        &state,
        &body.ids,
        body.grouped,
        body.status_filter.as_deref(),
    )
    .await
    {
        Ok(ids) => ids,
        Err(e) => return ctx.store_failed(&e),
    };
    let request = TriageRequest { ids, ..request };
    match apply_named(&state, &ctx, &request, body.grouped).await {
        Ok(Ok(n)) => Json(json!({ "recorded": n })).into_response(),
        Ok(Err(refused)) => ctx.api_refuse(refusal_status(&refused), refused.key, &refused.detail),
        Err(e) => ctx.store_failed(&e),
    }
}

/// The API's triage by filter: 409 with `matching` until `expected` is that number.
async fn api_by_filter(
    state: &AppState,
    ctx: &Ctx,
    filter: &str,
    expected: Option<usize>,
    request: TriageRequest,
) -> Response {
    match apply_by_filter(state, ctx, filter, expected, request).await {
        Ok(ByFilter::Recorded(n)) => {
            Json(json!({ "recorded": n, "filter": filter })).into_response()
        }
        Ok(ByFilter::Confirm { matching, .. }) => {
            let mut more = serde_json::Map::new();
            more.insert("matching".into(), json!(matching));
            api_error_with(
                ctx.lang,
                StatusCode::CONFLICT,
                Msg::TriageConfirmCount,
                &format!("expected: {matching}"),
                more,
            )
        }
        Ok(ByFilter::TooMany) => ctx.api_refuse(
            StatusCode::BAD_REQUEST,
            Msg::TriageTooMany,
            &format!("filter: more than {MAX_BY_FILTER} alerts"),
        ),
        Ok(ByFilter::BadFilter(e)) => ctx.bad_param(&e),
        Ok(ByFilter::Refused(refused)) => {
            ctx.api_refuse(refusal_status(&refused), refused.key, &refused.detail)
        }
        Err(e) => ctx.store_failed(&e),
    }
}
