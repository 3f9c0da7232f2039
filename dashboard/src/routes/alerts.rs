//! The alert queue: filters, counts per status, grouped repeats, keyset pages, bulk
//! triage, and live arrival. `GET /alerts` for people, `GET /api/v1/alerts` for programs.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{see_other, Api, AppState, Page, Params};
use crate::i18n::{t, Msg};
use crate::queries::alerts::{self, AlertFilter};

/// `GET /`: the alert queue.
pub(super) async fn home() -> Response {
    see_other("/alerts")
}

/// `GET /alerts`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let filter = match AlertFilter::parse(&params, vigie_model::event::now_ms()) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let window = state.config().group_window_ms();
    let (mut lines, more, counts) = match tokio::try_join!(
        alerts::page(&state.client, &filter, window),
        alerts::counts(&state.client, &filter)
    ) {
        Ok(((lines, more), counts)) => (lines, more, counts),
        Err(e) => return ctx.store_failed(&e),
    };
    if let Err(e) = alerts::with_incidents(&state.client, &mut lines).await {
        return ctx.store_failed(&e);
    }
    let assignees = match crate::queries::triage::assignees(&state.client).await {
        Ok(names) => names,
        Err(e) => return ctx.store_failed(&e),
    };
    let done = params
        .iter()
        .find(|(k, _)| k == "done")
        .and_then(|(_, n)| n.parse::<u64>().ok());
    let queue = crate::views::alerts::Queue {
        filter: &filter,
        lines: &lines,
        more,
        counts: &counts,
        done,
        assignees: &assignees,
        refused: super::context::refused_of(&params),
    };
    let body = crate::views::alerts::page(ctx.lang, &ctx.who, &queue);
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::AlertsTitle), body)
}

/// `GET /api/v1/alerts`: the same filters as the page; lines, counts per status, and
/// the cursor of the next page (null on the last).
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    let filter = match AlertFilter::parse(&params, vigie_model::event::now_ms()) {
        Ok(f) => f,
        Err(e) => return ctx.bad_param(&e),
    };
    let window = state.config().group_window_ms();
    match tokio::try_join!(
        alerts::page(&state.client, &filter, window),
        alerts::counts(&state.client, &filter)
    ) {
        Ok(((mut lines, more), counts)) => {
            if let Err(e) = alerts::with_incidents(&state.client, &mut lines).await {
                return ctx.store_failed(&e);
            }
            let next = more.then(|| lines.last().map(|l| l.cursor().encode()));
            let counts: serde_json::Map<String, serde_json::Value> =
                counts.into_iter().map(|(s, n)| (s, json!(n))).collect();
            Json(json!({ "alerts": lines, "counts": counts, "next": next.flatten() }))
                .into_response()
        }
        Err(e) => ctx.store_failed(&e),
    }
}
