//! `GET /fleet` and `GET /api/v1/agents`: every agent and its state; admins revoke with
//! `POST /fleet/{id}/revoke` or `POST /api/v1/agents/{id}/revoke`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use serde_json::json;

use super::context::{param, see_other, Api, AppState, Ctx, Page, Params, Surface};
use crate::i18n::{t, Msg};
use crate::queries::fleet::{self, AgentStatus};
use crate::views::html::{esc, utc};

/// `GET /fleet`.
pub(super) async fn page(State(state): State<Arc<AppState>>, Page(ctx): Page) -> Response {
    let now = vigie_model::event::now_ms();
    let agents = match fleet::agents(&state.client, now, state.config().silent_after_ms()).await {
        Ok(a) => a,
        Err(e) => return ctx.store_failed(&e),
    };
    let lang = ctx.lang;
    let silent = agents.iter().filter(|a| a.silent).count();
    let mut html = format!(
        "<h1>{}</h1><p><a href=\"/fleet/settings\">{}</a></p><p>{}: {} · {}: {}</p>",
        esc(t(lang, Msg::NavFleet)),
        esc(t(lang, Msg::NavSettings)),
        esc(t(lang, Msg::FleetTotal)),
        agents.len(),
        esc(t(lang, Msg::FleetSilent)),
        silent
    );
    if agents.is_empty() {
        html.push_str(&format!("<p>{}</p>", esc(t(lang, Msg::FleetEmpty))));
        return ctx.render(StatusCode::OK, t(lang, Msg::NavFleet), &html);
    }
    html.push_str("<table><thead><tr>");
    let admin = ctx.who.role.is_admin();
    for key in [
        Msg::ColHost,
        Msg::ColState,
        Msg::FleetOs,
        Msg::FleetVersion,
        Msg::FleetLastSeen,
        Msg::FleetRate,
        Msg::FleetBacklog,
        Msg::FleetDropped,
        Msg::FleetLosses,
        Msg::SettingsGroup,
        Msg::SettingsVersion,
    ] {
        html.push_str(&format!("<th>{}</th>", esc(t(lang, key))));
    }
    if admin {
        html.push_str("<th></th>");
    }
    html.push_str("</tr></thead><tbody>");
    for a in &agents {
        html.push_str(&row(&ctx, a, admin));
    }
    html.push_str("</tbody></table>");
    ctx.render(StatusCode::OK, t(lang, Msg::NavFleet), &html)
}

fn row(ctx: &Ctx, a: &AgentStatus, admin: bool) -> String {
    let lang = ctx.lang;
    let (state_key, class) = if a.revoked {
        (Msg::FleetRevoked, "st")
    } else if a.silent {
        (Msg::FleetIsSilent, "sev sev-high")
    } else {
        (Msg::FleetOk, "st st-resolved")
    };
    let revoke = if admin && !a.revoked {
        format!(
            "<td><form method=\"post\" action=\"/fleet/{}/revoke\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">{}</button></form></td>",
            esc(&a.agent_id),
            esc(ctx.who.csrf()),
            esc(t(lang, Msg::FleetRevoke))
        )
    } else if admin {
        "<td></td>".into()
    } else {
        String::new()
    };
    let group = if admin {
        format!(
            "<form method=\"post\" action=\"/fleet/{}/group\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><input name=\"group\" value=\"{}\" size=\"10\" aria-label=\"{}\"> <button type=\"submit\">{}</button></form>",
            esc(&a.agent_id),
            esc(ctx.who.csrf()),
            esc(&a.group),
            esc(t(lang, Msg::SettingsGroup)),
            esc(t(lang, Msg::SettingsMove))
        )
    } else {
        esc(&a.group)
    };
    let settings = if a.settings_version == a.group_version {
        format!("v{}", a.settings_version)
    } else {
        format!(
            "v{} → v{} ({})",
            a.settings_version,
            a.group_version,
            t(lang, Msg::SettingsPending)
        )
    };
    format!(
        "<tr data-agent-id=\"{}\"><td>{}<br><code class=\"muted\">{}</code></td><td><span class=\"{class}\">{}</span></td><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{group}</td><td>{}</td>{revoke}</tr>",
        esc(&a.agent_id),
        esc(&a.hostname),
        esc(&a.agent_id),
        esc(t(lang, state_key)),
        esc(&a.os),
        esc(&a.kernel),
        esc(&a.version),
        esc(&utc(a.last_seen_ms)),
        a.events_per_minute,
        a.spool_backlog,
        a.dropped,
        a.sensor_losses,
        esc(&settings),
    )
}

/// `GET /api/v1/agents`.
pub(super) async fn api(State(state): State<Arc<AppState>>, Api(ctx): Api) -> Response {
    let now = vigie_model::event::now_ms();
    match fleet::agents(&state.client, now, state.config().silent_after_ms()).await {
        Ok(agents) => Json(json!({ "agents": agents })).into_response(),
        Err(e) => ctx.store_failed(&e),
    }
}

async fn revoke(state: &AppState, ctx: &Ctx, id: &str) -> Response {
    if !ctx.who.role.is_admin() {
        return ctx.fail(StatusCode::FORBIDDEN, Msg::Forbidden, "");
    }
    match fleet::revoke(&state.client, id).await {
        Ok(true) => {
            tracing::info!(admin = ctx.who.username, agent = id, "agent revoked");
            state
                .audit
                .note(
                    &ctx.who.username,
                    "agent_revoked",
                    id,
                    serde_json::json!({}),
                )
                .await;
            if ctx.surface == Surface::Api {
                Json(json!({ "revoked": id })).into_response()
            } else {
                see_other("/fleet")
            }
        }
        Ok(false) => ctx.fail(StatusCode::NOT_FOUND, Msg::NotFound, id),
        Err(e) => ctx.store_failed(&e),
    }
}

/// `POST /fleet/{id}/revoke`.
pub(super) async fn revoke_form(
    State(state): State<Arc<AppState>>,
    Page(ctx): Page,
    Path(id): Path<String>,
    Form(fields): Form<Params>,
) -> Response {
    if !ctx.who.csrf_ok(param(&fields, "csrf")) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
    revoke(&state, &ctx, &id).await
}

/// `POST /api/v1/agents/{id}/revoke`.
pub(super) async fn revoke_api(
    State(state): State<Arc<AppState>>,
    Api(ctx): Api,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refusal) = ctx.api_csrf(&headers) {
        return refusal;
    }
    revoke(&state, &ctx, &id).await
}
