//! `GET /hunt` (form and results), `GET /hunt.csv` (download) and `GET /api/v1/events`.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{Api, AppState, Page, Params};
use crate::i18n::{t, Msg};
use crate::queries::hunt::{self, Hunt, MAX_EXPORT, PAGE_ROWS};
use crate::views::hunt::Outcome;

/// `GET /hunt`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let lang = ctx.lang;
    let now = vigie_model::event::now_ms();
    let hunt = match Hunt::parse(&params, now) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    // A search runs once the form was sent (not on first arrival).
    let mut found = None;
    if params.iter().any(|(k, _)| k != "lang") {
        let outcome = match &hunt.count_by {
            Some(field) => hunt::count(&state.client, &hunt, field)
                .await
                .map(Outcome::Counts),
            None => hunt::run(&state.client, &hunt, PAGE_ROWS + 1)
                .await
                .map(Outcome::Events),
        };
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => return ctx.store_failed(&e),
        };
        tracing::info!(user = ctx.who.username, hunt = ?hunt, "hunt");
        state
            .audit
            .note(
                &ctx.who.username,
                "search",
                "events",
                serde_json::to_value(&hunt).unwrap_or_default(),
            )
            .await;
        found = Some(outcome);
    }
    let mut keep = maud::html! {};
    if matches!(found, Some(Outcome::Events(ref rows)) if !rows.is_empty())
        && ctx.who.role.can_triage()
    {
        match crate::queries::incidents::open_ones(&state.client).await {
            Ok(open) => {
                keep = crate::views::incidents::keep_hunt(
                    lang,
                    &ctx.who,
                    &hunt.query_string(None),
                    &open,
                );
            }
            Err(e) => return ctx.store_failed(&e),
        }
    }
    let body = maud::html! {
        (crate::views::hunt::page(lang, &hunt, found.as_ref()))
        (keep)
    };
    ctx.render(StatusCode::OK, t(lang, Msg::NavHunt), body)
}

/// `GET /hunt.csv`: the same search, up to 100,000 events, as a CSV file.
pub(super) async fn csv(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let hunt = match Hunt::parse(&params, vigie_model::event::now_ms()) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    match hunt::run(&state.client, &hunt, MAX_EXPORT).await {
        Ok(rows) => {
            let body = crate::views::csv::hunt_results(&rows);
            tracing::info!(
                user = ctx.who.username,
                rows = rows.len(),
                "hunt exported as CSV"
            );
            state
                .audit
                .note(&ctx.who.username, "export_csv", "events", serde_json::json!({
                    "hunt": hunt, "rows": rows.len(), "sha256": vigie_model::hex::sha256(body.as_bytes()),
                }))
                .await;
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"vigie-events.csv\"",
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `GET /api/v1/events`: the same parameters as `/hunt`, JSON, `limit` up to 1000.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    let hunt = match Hunt::parse(&params, vigie_model::event::now_ms()) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    let limit = match crate::params::param(&params, "limit").map(str::parse::<u64>) {
        None => PAGE_ROWS,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            let problem = crate::params::Problem::OutOfRange(1, 1000);
            return ctx.bad_param(&crate::params::bad("limit", problem));
        }
    };
    if let Some(field) = &hunt.count_by {
        return match hunt::count(&state.client, &hunt, field).await {
            Ok(counts) => {
                state
                    .audit
                    .note(
                        &ctx.who.username,
                        "search",
                        "events",
                        serde_json::json!({"hunt": hunt, "counted_by": field, "via": "api"}),
                    )
                    .await;
                Json(json!({ "field": field, "counts": counts })).into_response()
            }
            Err(e) => ctx.store_failed(&e),
        };
    }
    match hunt::run(&state.client, &hunt, limit).await {
        Ok(rows) => {
            // Bulk reads by programs are in the trail like searches by people.
            state
                .audit
                .note(
                    &ctx.who.username,
                    "search",
                    "events",
                    serde_json::json!({"hunt": hunt, "rows": rows.len(), "via": "api"}),
                )
                .await;
            let events: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| serde_json::from_str(&r.fields).unwrap_or(serde_json::Value::Null))
                .collect();
            Json(json!({ "events": events })).into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
