//! Signing in and out. The login form carries a CSRF token bound to a cookie (double
//! submit); sign-out needs the session's own CSRF token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use vigie_model::Lang;

use super::context::{
    cookie, language, remember_language, see_other, session_cookie, AppState, Ctx, Params,
};
use crate::i18n::{t, Msg};
use crate::sessions;
use crate::views::html::page;

const LOGIN_CSRF_COOKIE: &str = "vigie_login_csrf";

/// The login form's fields.
#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

/// The sign-out form's fields.
#[derive(Deserialize)]
pub(super) struct LogoutForm {
    csrf: String,
}

fn login_page(state: &AppState, lang: Lang, error: Option<Msg>, status: StatusCode) -> Response {
    let csrf = sessions::token();
    let body = crate::views::forms::form(lang, error, &csrf);
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict{secure}");
    let mut response = (
        status,
        Html(page(lang, t(lang, Msg::LoginTitle), None, body).into_string()),
    )
        .into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ASCII cookie"),
    );
    response
}

/// `GET /login`.
pub(super) async fn form(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let (lang, changed) = language(&headers, &params);
    remember_language(
        login_page(&state, lang, None, StatusCode::OK),
        lang,
        changed,
    )
}

/// `POST /login`.
pub(super) async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let source = peer.ip();
    let (lang, _) = language(&headers, &Vec::new());
    // A name no account can have is a failure at once: never stored, looked up or logged
    // whole (issue #12: 200 kB names grew memory and the log without bound).
    if form.username.chars().count() > MAX_NAME || form.password.len() > MAX_PASSWORD {
        state.sessions.failed(&short(&form.username), source);
        return login_page(
            &state,
            lang,
            Some(Msg::LoginFailed),
            StatusCode::UNAUTHORIZED,
        );
    }
    if cookie(&headers, LOGIN_CSRF_COOKIE) != Some(form.csrf.as_str()) || form.csrf.is_empty() {
        return login_page(&state, lang, Some(Msg::CsrfFailed), StatusCode::FORBIDDEN);
    }
    if state.sessions.throttled(&form.username, source) {
        tracing::warn!(username = short(&form.username), %source, "login throttled");
        state
            .audit
            .note(
                &short(&form.username),
                "login_failed",
                "",
                json!({"reason": "throttled"}),
            )
            .await;
        return login_page(
            &state,
            lang,
            Some(Msg::LoginThrottled),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = match crate::queries::users::find(&state.client, &form.username).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "user lookup failed");
            return login_page(
                &state,
                lang,
                Some(Msg::StoreUnavailable),
                StatusCode::SERVICE_UNAVAILABLE,
            );
        }
    };
    let matches = crate::password::verify_timing_safe(
        &form.password,
        user.as_ref().map(|u| u.password_hash.as_str()),
    )
    .await;
    let Some(user) = user.filter(|_| matches) else {
        state.sessions.failed(&form.username, source);
        tracing::warn!(username = short(&form.username), %source, "login failed");
        state
            .audit
            .note(
                &short(&form.username),
                "login_failed",
                "",
                json!({"reason": "wrong user name or password"}),
            )
            .await;
        return login_page(
            &state,
            lang,
            Some(Msg::LoginFailed),
            StatusCode::UNAUTHORIZED,
        );
    };
    state.sessions.succeeded(&user.username, source);
    let id = state.sessions.open(&user.username, &user.role);
    tracing::info!(username = user.username, "signed in");
    state
        .audit
        .note(&user.username, "login", "", json!({"role": user.role}))
        .await;
    let mut response = see_other("/alerts");
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&state, &id, None));
    response
}

/// `POST /logout`: ends this session.
pub(super) async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    sign_out(&state, &headers, &form, false).await
}

/// `POST /logout/everywhere`: ends every session of this user (a lost laptop, a shared
/// computer).
pub(super) async fn logout_everywhere(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    sign_out(&state, &headers, &form, true).await
}

async fn sign_out(
    state: &AppState,
    headers: &HeaderMap,
    form: &LogoutForm,
    everywhere: bool,
) -> Response {
    let ctx = match Ctx::page(state, headers, &Vec::new()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let crate::auth::Credential::Session { id, .. } = &ctx.who.credential else {
        return see_other("/login");
    };
    if !ctx.who.csrf_ok(Some(&form.csrf)) {
        return ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "");
    }
    if everywhere {
        let n = state.sessions.close_all(&ctx.who.username);
        tracing::info!(
            username = ctx.who.username,
            sessions = n,
            "signed out everywhere"
        );
        state
            .audit
            .note(
                &ctx.who.username,
                "logout_everywhere",
                "",
                json!({"sessions": n}),
            )
            .await;
    } else {
        state.sessions.close(id);
        tracing::info!(username = ctx.who.username, "signed out");
        state
            .audit
            .note(&ctx.who.username, "logout", "", json!({}))
            .await;
    }
    let mut response = see_other("/login");
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(state, "", Some(0)));
    response
}

/// A user name as typed, cut to 64 characters for the audit trail.
/// Longest user name an account may have (as `queries::users` accepts them).
const MAX_NAME: usize = 64;
/// Longest password looked at; a longer one is refused without hashing it.
const MAX_PASSWORD: usize = 1024;

/// A name as it may be logged or recorded: at most [`MAX_NAME`] characters.
fn short(name: &str) -> String {
    name.chars().take(MAX_NAME).collect()
}
