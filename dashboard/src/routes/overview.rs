//! `GET /overview` and `GET /api/v1/overview`: the SOC's picture at a glance.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::context::{param, Api, AppState, Page, Params};
use crate::i18n::{t, Msg};
use crate::queries::overview;

/// Periods offered: parameter, hours.
const PERIODS: [(&str, u64, Msg); 3] = [
    ("24h", 24, Msg::Range24h),
    ("7d", 168, Msg::Range7d),
    ("30d", 720, Msg::Range30d),
];

fn hours(params: &Params) -> Result<(String, u64), crate::params::BadParam> {
    let asked = param(params, "range").unwrap_or("24h");
    PERIODS
        .iter()
        .find(|(p, _, _)| *p == asked)
        .map(|(p, h, _)| (p.to_string(), *h))
        .ok_or_else(|| {
            crate::params::bad("range", crate::params::one_of(asked, &["24h", "7d", "30d"]))
        })
}

/// `GET /overview`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    let lang = ctx.lang;
    let (period, hours) = match hours(&params) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    let now = vigie_model::event::now_ms();
    let o = match overview::load(&state.client, now, hours, state.config().silent_after_ms()).await
    {
        Ok(o) => o,
        Err(e) => return ctx.store_failed(&e),
    };
    let periods: Vec<(&str, Msg)> = PERIODS.iter().map(|(p, _, m)| (*p, *m)).collect();
    let body = crate::views::overview::page(lang, &o, &periods, &period);
    ctx.render(StatusCode::OK, t(lang, Msg::NavOverview), body)
}

/// `GET /api/v1/overview?range=24h|7d|30d`.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Query(params): Query<Params>,
) -> Response {
    let (_, hours) = match hours(&params) {
        Ok(h) => h,
        Err(e) => return ctx.bad_param(&e),
    };
    let now = vigie_model::event::now_ms();
    match overview::load(&state.client, now, hours, state.config().silent_after_ms()).await {
        Ok(o) => Json(o).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}
