//! The dashboard's routes: which handler answers which path, and the security headers
//! every answer carries. What handlers share (who asks, in which language, how refusals
//! look) is in [`context`]; each page and its API has a file of its own.

mod agent_settings;
mod alert_detail;
mod alerts;
mod assets;
mod audit;
mod audit_export;
mod context;
mod enrollment;
mod exceptions;
mod fleet;
mod hunt;
mod incidents;
mod login;
mod overview;
mod reports;
mod rule_editor;
mod rules;
mod stream;
mod tokens;
mod triage;
mod users;

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub use crate::state::AppState;
pub use context::{api_error, Api, Ctx, Page};

/// All routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(alerts::home))
        .route(
            "/login",
            get(login::form)
                .post(login::submit)
                // A sign-in form is a few hundred bytes: refuse more before reading it.
                .layer(axum::extract::DefaultBodyLimit::max(8 * 1024)),
        )
        .route("/logout", post(login::logout))
        .route("/logout/everywhere", post(login::logout_everywhere))
        .route("/alerts", get(alerts::page))
        .route("/alerts/triage", post(triage::form))
        .route("/alerts/{id}", get(alert_detail::page))
        .route("/api/v1/alerts", get(alerts::api))
        .route("/api/v1/alerts/triage", post(triage::api))
        .route("/api/v1/alerts/stream", get(stream::alerts))
        .route("/api/v1/alerts/{id}", get(alert_detail::api))
        .route("/reports", get(reports::page).post(reports::create_form))
        .route("/reports/{id}/file", get(reports::file))
        .route("/reports/{id}/sig", get(reports::sig))
        .route(
            "/api/v1/reports",
            get(reports::api_list).post(reports::api_create),
        )
        .route(
            "/exceptions",
            get(exceptions::page).post(exceptions::submit),
        )
        .route("/exceptions/new", get(exceptions::new_form))
        .route("/exceptions/{id}/edit", get(exceptions::edit_form))
        .route("/exceptions/{id}/remove", post(exceptions::remove_form))
        .route(
            "/api/v1/exceptions",
            get(exceptions::api_list).post(exceptions::api_create),
        )
        .route("/api/v1/exceptions/preview", post(exceptions::api_preview))
        .route("/api/v1/exceptions/{id}", post(exceptions::api_update))
        .route(
            "/api/v1/exceptions/{id}/remove",
            post(exceptions::api_remove),
        )
        .route(
            "/incidents",
            get(incidents::page).post(incidents::open_form),
        )
        .route("/incidents/attach", post(incidents::attach_form))
        .route("/incidents/evidence", post(incidents::evidence_chosen_form))
        .route(
            "/incidents/{id}",
            get(incidents::one).post(incidents::change_form),
        )
        .route("/incidents/{id}/notes", post(incidents::text_form))
        .route("/incidents/{id}/evidence", post(incidents::evidence_form))
        .route(
            "/api/v1/incidents",
            get(incidents::api_list).post(incidents::api_open),
        )
        .route(
            "/api/v1/incidents/{id}",
            get(incidents::api_one).post(incidents::api_change),
        )
        .route("/api/v1/incidents/{id}/notes", post(incidents::api_text))
        .route("/api/v1/incidents/{id}/alerts", post(incidents::api_attach))
        .route(
            "/api/v1/incidents/{id}/evidence",
            post(incidents::api_evidence),
        )
        .route("/rules", get(rules::page))
        .route(
            "/rules/write",
            get(rule_editor::page).post(rule_editor::submit),
        )
        .route("/rules/write/{id}/delete", post(rule_editor::delete_form))
        .route(
            "/api/v1/custom-rules",
            get(rule_editor::api_list).post(rule_editor::api_save),
        )
        .route("/api/v1/custom-rules/check", post(rule_editor::api_check))
        .route(
            "/api/v1/custom-rules/{id}/delete",
            post(rule_editor::api_delete),
        )
        .route("/rules/{id}", post(rules::form))
        .route("/api/v1/rules", get(rules::api))
        .route("/api/v1/rules/{id}", post(rules::api_change))
        .route("/audit", get(audit::page))
        .route("/api/v1/audit", get(audit::api))
        .route("/audit/export", post(audit_export::form))
        .route("/api/v1/audit/export", post(audit_export::api))
        .route("/overview", get(overview::page))
        .route("/api/v1/overview", get(overview::api))
        .route("/hunt", get(hunt::page))
        .route("/hunt.csv", get(hunt::csv))
        .route("/api/v1/events", get(hunt::api))
        .route(
            "/fleet/settings",
            get(agent_settings::page).post(agent_settings::save_form),
        )
        .route("/fleet/{id}/group", post(agent_settings::group_form))
        .route(
            "/api/v1/agent-settings",
            get(agent_settings::api_list).post(agent_settings::api_save),
        )
        .route("/api/v1/agents/{id}/group", post(agent_settings::api_group))
        .route("/fleet", get(fleet::page))
        .route("/fleet/enrollment", post(enrollment::create_form))
        .route(
            "/fleet/enrollment/{id}/revoke",
            post(enrollment::revoke_form),
        )
        .route(
            "/api/v1/enrollment-tokens",
            get(enrollment::api_list).post(enrollment::api_create),
        )
        .route(
            "/api/v1/enrollment-tokens/{id}/revoke",
            post(enrollment::api_revoke),
        )
        .route("/fleet/{id}/revoke", post(fleet::revoke_form))
        .route("/api/v1/agents", get(fleet::api))
        .route("/api/v1/agents/{id}/revoke", post(fleet::revoke_api))
        .route("/admin/users", get(users::page).post(users::create_form))
        .route("/admin/users/{name}", post(users::update_form))
        .route(
            "/api/v1/users",
            get(users::api_list).post(users::api_create),
        )
        .route("/api/v1/users/{name}", post(users::api_update))
        .route("/tokens", get(tokens::page).post(tokens::create_form))
        .route("/tokens/{id}/revoke", post(tokens::revoke_form))
        .route("/api/v1/tokens", post(tokens::api_create))
        .route("/static/{file}", get(assets::serve))
        .route("/healthz", get(healthz))
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Every answer forbids framing and outside scripts, styles and fonts; none is kept by a
/// browser or proxy unless it says so itself (the style sheet and script do): pages hold
/// alerts, and one shows a new token's secret.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
