//! `GET /overview` and `GET /api/v1/overview`: the SOC's picture at a glance.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::alerts::title;
use super::context::{param, Api, AppState, Page, Params};
use crate::i18n::{t, Msg};
use crate::queries::overview;
use crate::views::charts::{horizontal_bars, stacked_bars, SEVERITY_COLOURS};
use crate::views::html::{esc, utc};
use vigie_model::Severity;

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
    let mut html = format!(
        "<h1>{}</h1><nav class=\"tabs\">",
        esc(t(lang, Msg::NavOverview))
    );
    for (p, _, label) in PERIODS {
        html.push_str(&format!(
            "<a href=\"/overview?range={p}\"{}>{}</a>",
            if p == period { " class=\"on\"" } else { "" },
            esc(t(lang, label))
        ));
    }
    html.push_str("</nav>");
    let (ok, silent, revoked) = o.agents;
    html.push_str(&format!(
        "<section><h2>{}</h2><p><a href=\"/fleet\">{}: {ok} · {}: {silent} · {}: {revoked}</a></p></section>",
        esc(t(lang, Msg::NavFleet)),
        esc(t(lang, Msg::FleetOk)),
        esc(t(lang, Msg::FleetIsSilent)),
        esc(t(lang, Msg::FleetRevoked)),
    ));
    let names: Vec<String> = Severity::ALL
        .iter()
        .map(|s| s.label(lang).to_string())
        .collect();
    let series: Vec<(&str, &str)> = names
        .iter()
        .map(String::as_str)
        .zip(SEVERITY_COLOURS)
        .collect();
    let buckets: Vec<(String, Vec<u64>)> = o
        .alerts_over_time
        .iter()
        .map(|(b, v)| {
            let label = if o.bucket_ms < 86_400_000 {
                utc(*b)[11..16].to_string()
            } else {
                utc(*b)[5..10].to_string()
            };
            (label, v.clone())
        })
        .collect();
    let chart_title = t(lang, Msg::OverviewAlertsTime);
    html.push_str(&format!(
        "<section><h2>{}</h2>{}</section>",
        esc(chart_title),
        stacked_bars(chart_title, &series, &buckets)
    ));
    let rules: Vec<(String, u64)> = o
        .top_rules
        .iter()
        .map(|(_, en, fr, n)| (title(lang, en, fr).to_string(), *n))
        .collect();
    for (key, items, colour) in [
        (Msg::OverviewTopRules, rules, "#1d3557"),
        (Msg::OverviewTopHosts, o.top_hosts.clone(), "#457b9d"),
    ] {
        let body = if items.is_empty() {
            format!(
                "<p class=\"muted\">{}</p>",
                esc(t(lang, Msg::AlertsNoneMatch))
            )
        } else {
            horizontal_bars(t(lang, key), &items, colour)
        };
        html.push_str(&format!(
            "<section><h2>{}</h2>{body}</section>",
            esc(t(lang, key))
        ));
    }
    html.push_str(&format!(
        "<section><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(t(lang, Msg::OverviewEps)),
        esc(t(lang, Msg::ColCategory)),
        esc(t(lang, Msg::OverviewPerSecond))
    ));
    for (category, eps) in &o.events_per_second {
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{eps:.2}</td></tr>",
            esc(category)
        ));
    }
    html.push_str("</tbody></table></section>");
    ctx.render(StatusCode::OK, t(lang, Msg::NavOverview), &html)
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
