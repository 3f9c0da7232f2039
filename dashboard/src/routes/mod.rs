//! The dashboard's routes and what they share: state, language, session lookup.

mod alerts;
mod login;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use vigie_model::Lang;
use vigie_store::Client;

use crate::config::DashboardConfig;
use crate::sessions::{Session, Sessions};

/// What every handler shares.
pub struct AppState {
    /// ClickHouse.
    pub client: Client,
    /// Sessions and login throttling.
    pub sessions: Sessions,
    /// Settings.
    pub config: DashboardConfig,
}

/// All routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(alerts::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/alerts", get(alerts::page))
        .route("/api/v1/alerts", get(alerts::api))
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
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
fn language(headers: &HeaderMap, query: &HashMap<String, String>) -> (Lang, bool) {
    if let Some(lang) = query.get("lang").and_then(|l| Lang::parse(l)) {
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

/// The session of the request, with its cookie id.
fn session(state: &AppState, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, SESSION_COOKIE)?;
    state.sessions.get(id).map(|s| (id.to_string(), s))
}

/// A `Set-Cookie` value for the session cookie (empty value and `Max-Age=0` clears it).
fn session_cookie(state: &AppState, value: &str, max_age: Option<u64>) -> HeaderValue {
    let secure = if state.config.secure_cookies {
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
        axum::http::StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}
