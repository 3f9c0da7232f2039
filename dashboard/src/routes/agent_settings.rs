//! Remote agent settings, for admins: `GET /fleet/settings` (every group's settings and
//! a form to change them), `POST /fleet/settings` (check and store a new version),
//! `POST /fleet/{id}/group` (move an agent to a group); the same under
//! `/api/v1/agent-settings` and `/api/v1/agents/{id}/group`. Reading is open to every
//! role.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, PageForm, Params, Surface};
use crate::i18n::{t, Lang, Msg};
use crate::queries::agent_settings::{self, Refused};

fn refusal_text(lang: Lang, r: &Refused) -> String {
    match r {
        Refused::BadGroup => t(lang, Msg::SettingsBadGroup).to_string(),
        Refused::Invalid(e) => format!(
            "{} — {}: {}",
            t(lang, Msg::SettingsInvalid),
            e.setting,
            e.reason
        ),
    }
}

/// `GET /fleet/settings`.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Query(params): Query<Params>,
) -> Response {
    render(&state, &ctx, None, param(&params, "saved")).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    error: Option<(&str, &str, String)>,
    saved: Option<&str>,
) -> Response {
    let groups = match agent_settings::groups(&state.client).await {
        Ok(g) => g,
        Err(e) => return ctx.store_failed(&e),
    };
    let refusal = error.map(
        |(group, body, message)| crate::views::agent_settings::Refusal {
            group,
            body,
            message,
        },
    );
    let body =
        crate::views::agent_settings::page(ctx.lang, &ctx.who, &groups, refusal.as_ref(), saved);
    ctx.render(StatusCode::OK, t(ctx.lang, Msg::NavSettings), body)
}

/// `POST /fleet/settings`.
pub(super) async fn save_form(
    State(state): State<Arc<AppState>>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    let (group, body) = (
        param(&fields, "group").unwrap_or("").trim(),
        param(&fields, "body").unwrap_or(""),
    );
    match agent_settings::save(&state.client, group, body, &ctx.who.username).await {
        Ok(Ok(version)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "agent_settings_changed",
                    group,
                    json!({"version": version, "body": body}),
                )
                .await;
            see_other(&format!("/fleet/settings?saved={version}"))
        }
        Ok(Err(r)) => {
            render(
                &state,
                &ctx,
                Some((group, body, refusal_text(ctx.lang, &r))),
                None,
            )
            .await
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /fleet/{id}/group`.
pub(super) async fn group_form(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    PageForm(ctx, fields): PageForm,
) -> Response {
    assign(
        &state,
        &ctx,
        &id,
        param(&fields, "group").unwrap_or("").trim(),
    )
    .await
}

async fn assign(state: &AppState, ctx: &Ctx, id: &str, group: &str) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match agent_settings::assign(&state.client, id, group).await {
        Ok(Ok(())) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "agent_group_set",
                    id,
                    json!({"group": group}),
                )
                .await;
            if ctx.surface == Surface::Api {
                Json(json!({"agent_id": id, "group": group})).into_response()
            } else {
                see_other("/fleet")
            }
        }
        Ok(Err(agent_settings::NotAssigned::BadName)) => {
            ctx.fail(StatusCode::BAD_REQUEST, Msg::SettingsBadGroup, group)
        }
        Ok(Err(agent_settings::NotAssigned::Unknown)) => {
            ctx.fail(StatusCode::BAD_REQUEST, Msg::SettingsUnknownGroup, group)
        }
        Err(e) => ctx.store_failed(&e),
    }
}

/// The API's new settings.
#[derive(Deserialize)]
pub(super) struct NewSettings {
    group: String,
    body: String,
}

/// `GET /api/v1/agent-settings`.
pub(super) async fn api_list(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    match agent_settings::groups(&state.client).await {
        Ok(groups) => Json(json!({"groups": groups})).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/agent-settings` with `{group, body}`.
pub(super) async fn api_save(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let new: NewSettings = match ctx.api_write(&headers, ctx.who.role.is_admin(), &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    match agent_settings::save(
        &state.client,
        new.group.trim(),
        &new.body,
        &ctx.who.username,
    )
    .await
    {
        Ok(Ok(version)) => {
            state
                .audit
                .note(
                    &ctx.who.username,
                    "agent_settings_changed",
                    new.group.trim(),
                    json!({"version": version, "body": new.body}),
                )
                .await;
            Json(json!({"group": new.group.trim(), "version": version})).into_response()
        }
        Ok(Err(Refused::BadGroup)) => {
            ctx.api_refuse(StatusCode::BAD_REQUEST, Msg::SettingsBadGroup, &new.group)
        }
        Ok(Err(Refused::Invalid(e))) => ctx.api_refuse(
            StatusCode::BAD_REQUEST,
            Msg::SettingsInvalid,
            &format!("{}: {}", e.setting, e.reason),
        ),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /api/v1/agents/{id}/group` with `{group}`.
pub(super) async fn api_group(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    #[derive(Deserialize)]
    struct Group {
        group: String,
    }
    let group: Group = match ctx.api_write(&headers, true, &body) {
        Ok(v) => v,
        Err(refusal) => return *refusal,
    };
    assign(&state, &ctx, &id, group.group.trim()).await
}
