//! `GET /alerts/{id}` and `GET /api/v1/alerts/{id}`: one alert, whole.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::context::{param, Api, AppState, Page, Params};
use crate::i18n::Msg;
use crate::params::{bad, only_known, BadParam, Problem};
use crate::queries::alert_detail;
use crate::queries::context::Anchor;

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Where the host's events are centred (`around=TS-SEQ`; the alert's event when absent),
/// refusing any parameter not in `known`.
fn centre_of(params: &Params, known: &[&str]) -> Result<Option<Anchor>, BadParam> {
    only_known(params, known)?;
    match param(params, "around") {
        None | Some("") => Ok(None),
        Some(text) => Anchor::parse(text)
            .map(Some)
            .ok_or_else(|| bad("around", Problem::NotACursor)),
    }
}

/// `GET /alerts/{id}`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    if !valid_id(&id) {
        return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, "");
    }
    let centre = match centre_of(
        &params,
        &["around", "group", "done", "lang", "refused", "what"],
    ) {
        Ok(c) => c,
        Err(e) => return ctx.bad_param(&e),
    };
    let detail = match alert_detail::load(&state.client, &id, centre).await {
        Ok(Some(d)) => d,
        Ok(None) => return ctx.refuse(StatusCode::NOT_FOUND, Msg::NotFound, ""),
        Err(e) => return ctx.store_failed(&e),
    };
    state
        .audit
        .note(
            &ctx.who.username,
            "alert_viewed",
            &id,
            serde_json::json!({}),
        )
        .await;
    let window = state.config().group_window_ms();
    let (group, assignees, incident, open_incidents) = match tokio::try_join!(
        async {
            crate::queries::alerts::group_of(&state.client, &id, window)
                .await
                .map_err(vigie_store::StoreError::from)
        },
        crate::queries::triage::assignees(&state.client),
        crate::queries::incidents::of_alerts(&state.client, std::slice::from_ref(&id)),
        crate::queries::incidents::open_ones(&state.client)
    ) {
        Ok(found) => found,
        Err(e) => return ctx.store_failed(&e),
    };
    let around = crate::views::alert_detail::Around {
        group: &group,
        from_group: param(&params, "group") == Some("1"),
        assignees: &assignees,
        done: param(&params, "done").and_then(|n| n.parse::<u64>().ok()),
        refused: super::context::refused_of(&params),
    };
    let body = maud::html! {
        (crate::views::alert_detail::page(ctx.lang, &ctx.who, &detail, &around))
        (crate::views::incidents::on_alert(
            ctx.lang,
            &ctx.who,
            &id,
            incident.get(&id).map(String::as_str),
            &open_incidents,
        ))
    };
    let heading = crate::views::alerts::title(
        ctx.lang,
        &detail.alert.rule_title,
        &detail.alert.rule_title_fr,
    );
    ctx.render(StatusCode::OK, heading, body)
}

/// `GET /api/v1/alerts/{id}`.
pub(super) async fn api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    if !valid_id(&id) {
        return ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, "");
    }
    let centre = match centre_of(&params, &["around", "lang"]) {
        Ok(c) => c,
        Err(e) => return ctx.bad_param(&e),
    };
    match alert_detail::load(&state.client, &id, centre).await {
        Ok(Some(d)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "alert_viewed",
                    &id,
                    json!({"via": "api"}),
                )
                .await;
            let mut value = serde_json::to_value(&d).expect("serializable");
            value["alert"] = serde_json::to_value(&d.alert).expect("serializable");
            value["rule"] = serde_json::to_value(&d.rule).expect("serializable");
            let incident =
                crate::queries::incidents::of_alerts(&state.client, std::slice::from_ref(&id))
                    .await
                    .ok()
                    .and_then(|mut of| of.remove(&id));
            value["incident"] = json!(incident);
            value["techniques"] = json!(d
                .rule
                .as_ref()
                .map(|r| crate::attack::techniques(&r.tags))
                .unwrap_or_default());
            Json(value).into_response()
        }
        Ok(None) => ctx.api_refuse(StatusCode::NOT_FOUND, Msg::NotFound, &id),
        Err(e) => ctx.store_failed(&e),
    }
}
