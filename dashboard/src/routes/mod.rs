//! The dashboard's routes and what they share: state, language, who is asking, and the
//! shape of refusals (a page for people, JSON for programs).

mod agent_settings;
mod alert_detail;
mod alerts;
mod assets;
mod audit;
mod fleet;
mod hunt;
mod login;
mod overview;
mod reports;
mod stream;
mod tokens;
mod triage;
mod users;

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use vigie_store::Client;

use crate::auth::{Credential, Principal, Role};
use crate::config::DashboardConfig;
use crate::html::{esc, page};
use crate::i18n::{t, Lang};
use crate::sessions::Sessions;

/// What every handler shares.
pub struct AppState {
    /// ClickHouse.
    pub client: Client,
    /// Sessions and login throttling.
    pub sessions: Sessions,
    /// Settings; replaced when SIGHUP reloads the file (see [`crate::reload`]).
    pub settings: std::sync::RwLock<DashboardConfig>,
    /// The dashboard's chain of the audit trail.
    pub audit: vigie_store::audit::AuditLog,
    /// The installation's report signing key.
    pub report_key: ring::signature::Ed25519KeyPair,
}

impl AppState {
    /// The settings in force now.
    pub fn config(&self) -> DashboardConfig {
        self.settings.read().expect("settings lock").clone()
    }
}

/// All routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(alerts::home))
        .route("/login", get(login::form).post(login::submit))
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
        .route("/audit", get(audit::page))
        .route("/api/v1/audit", get(audit::api))
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
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Every answer forbids framing and outside scripts, styles and fonts.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
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

/// Query parameters in order, repeated names kept (`severity=high&severity=critical`).
pub type Params = Vec<(String, String)>;

/// The first value of parameter `name`.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Name of the session cookie.
const SESSION_COOKIE: &str = "vigie_session";
/// Name of the language cookie.
const LANG_COOKIE: &str = "vigie_lang";

/// The value of cookie `name`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The language: `?lang=`, else the cookie, else `Accept-Language`. The second value is
/// true when `?lang=` asked for a change to remember.
fn language(headers: &HeaderMap, params: &Params) -> (Lang, bool) {
    if let Some(lang) = param(params, "lang").and_then(Lang::parse) {
        return (lang, true);
    }
    if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return (lang, false);
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    (Lang::from_accept_language(accept), false)
}

/// Adds the language cookie to `response` when the user just chose one.
fn remember_language(mut response: Response, lang: Lang, changed: bool) -> Response {
    if changed {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Strict",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The person (session cookie) or program (bearer token) behind the request.
async fn principal(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(secret) = bearer {
        return match crate::api_tokens::verify(&state.client, secret.trim()).await {
            Ok(found) => Ok(found),
            Err(e) => {
                tracing::error!(error = %e, "token lookup failed");
                Err(api_error(
                    Lang::En,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "",
                ))
            }
        };
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.sessions.get(id).and_then(|s| {
        Some(Principal {
            username: s.username,
            role: Role::parse(&s.role)?,
            credential: Credential::Session {
                id: id.to_string(),
                csrf: s.csrf,
            },
        })
    }))
}

/// A page request's context, as an extractor: without a session (or token), the
/// request is answered with a redirect to the sign-in form before the handler runs.
pub struct Page(pub Ctx);

/// An API request's context, as an extractor: without a session or a valid token, 401.
pub struct Api(pub Ctx);

fn query_of(parts: &axum::http::request::Parts) -> Params {
    axum::extract::Query::<Params>::try_from_uri(&parts.uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

impl axum::extract::FromRequestParts<Arc<AppState>> for Page {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Page, Response> {
        Ctx::page(state, &parts.headers, &query_of(parts))
            .await
            .map(Page)
    }
}

impl axum::extract::FromRequestParts<Arc<AppState>> for Api {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Api, Response> {
        Ctx::api(state, &parts.headers, &query_of(parts))
            .await
            .map(Api)
    }
}

/// A request's context: its language and who makes it.
pub struct Ctx {
    /// The language to answer in.
    pub lang: Lang,
    /// True when `?lang=` changed it (the choice is remembered in a cookie).
    pub lang_changed: bool,
    /// Who asks.
    pub who: Principal,
}

impl Ctx {
    /// For pages: without a session, a redirect to the sign-in form.
    pub async fn page(
        state: &AppState,
        headers: &HeaderMap,
        params: &Params,
    ) -> Result<Ctx, Response> {
        let (lang, lang_changed) = language(headers, params);
        match principal(state, headers).await? {
            Some(who) => Ok(Ctx {
                lang,
                lang_changed,
                who,
            }),
            None => Err(see_other("/login")),
        }
    }

    /// For the API: without a session or token, 401.
    pub async fn api(
        state: &AppState,
        headers: &HeaderMap,
        params: &Params,
    ) -> Result<Ctx, Response> {
        let (lang, lang_changed) = language(headers, params);
        let bearer = headers.contains_key(header::AUTHORIZATION);
        match principal(state, headers).await? {
            Some(who) => Ok(Ctx {
                lang,
                lang_changed,
                who,
            }),
            None if bearer => Err(api_error(lang, StatusCode::UNAUTHORIZED, "bad_token", "")),
            None => Err(api_error(
                lang,
                StatusCode::UNAUTHORIZED,
                "not_signed_in",
                "",
            )),
        }
    }

    /// A whole page for this user, remembering a language change.
    pub fn render(&self, status: StatusCode, title: &str, body: &str) -> Response {
        let html = page(self.lang, title, Some(&self.who), body);
        remember_language(
            (status, Html(html)).into_response(),
            self.lang,
            self.lang_changed,
        )
    }

    /// A page saying why the request was refused.
    pub fn refuse(&self, status: StatusCode, key: &str, detail: &str) -> Response {
        let mut body = format!("<p class=\"err\" role=\"alert\">{}", esc(t(self.lang, key)));
        if !detail.is_empty() {
            body.push_str(&format!(": {}", esc(detail)));
        }
        body.push_str("</p>");
        self.render(status, t(self.lang, key), &body)
    }

    /// The JSON refusal.
    pub fn api_refuse(&self, status: StatusCode, code: &str, detail: &str) -> Response {
        api_error(self.lang, status, code, detail)
    }

    /// 400 for a parameter that cannot be used, naming it (a page, or JSON when `api`).
    pub fn bad_param(&self, e: &crate::alert_query::BadParam, api: bool) -> Response {
        let detail = e.detail(self.lang);
        if api {
            self.api_refuse(StatusCode::BAD_REQUEST, "bad_parameter", &detail)
        } else {
            self.refuse(StatusCode::BAD_REQUEST, "bad_parameter", &detail)
        }
    }

    /// For API calls that change something: a session must send its CSRF token in the
    /// `X-CSRF-Token` header (API tokens need none). The 403 to answer when it did not.
    pub fn api_csrf(&self, headers: &HeaderMap) -> Option<Response> {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        (!self.who.csrf_ok(sent))
            .then(|| self.api_refuse(StatusCode::FORBIDDEN, "csrf_failed", "X-CSRF-Token"))
    }
}

/// A JSON refusal: a stable code, the message in both languages and in the user's, and
/// the detail (which parameter, what was wrong).
pub fn api_error(lang: Lang, status: StatusCode, code: &str, detail: &str) -> Response {
    (
        status,
        Json(json!({
            "code": code,
            "message": t(Lang::En, code),
            "message_fr": t(Lang::Fr, code),
            "message_user": t(lang, code),
            "detail": detail,
        })),
    )
        .into_response()
}

/// A `Set-Cookie` value for the session cookie (empty value and `Max-Age=0` clears it).
fn session_cookie(state: &AppState, value: &str, max_age: Option<u64>) -> HeaderValue {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .expect("cookie value is ASCII")
}

/// A redirect to `location` (303, so a POST becomes a GET).
fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// Logs a store failure and answers 503 (a page or JSON).
fn store_failed(ctx: &Ctx, api: bool, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "ClickHouse query failed");
    if api {
        ctx.api_refuse(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", "")
    } else {
        ctx.refuse(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", "")
    }
}
