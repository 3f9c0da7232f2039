//! What every handler shares: the request's context (language, who asks, and whether a
//! page or the JSON API answers), the extractors that build it, cookies, and the shape
//! of refusals (a page for people, JSON for programs).

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::auth::{Credential, Principal, Role};
use crate::i18n::{t, Lang, Msg};
pub(super) use crate::params::{param, Params};
pub(super) use crate::state::AppState;
use maud::Markup;

use crate::views::html::page;

/// Name of the session cookie.
pub(super) const SESSION_COOKIE: &str = "vigie_session";
/// Name of the language cookie.
pub(super) const LANG_COOKIE: &str = "vigie_lang";

/// The value of cookie `name`.
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
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
pub(super) fn language(headers: &HeaderMap, params: &Params) -> (Lang, bool) {
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
pub(super) fn remember_language(mut response: Response, lang: Lang, changed: bool) -> Response {
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
pub(super) async fn principal(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Principal>, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(secret) = bearer {
        return match crate::queries::api_tokens::verify(&state.client, secret.trim()).await {
            Ok(found) => Ok(found),
            Err(e) => {
                tracing::error!(error = %e, "token lookup failed");
                Err(api_error(
                    Lang::En,
                    StatusCode::SERVICE_UNAVAILABLE,
                    Msg::StoreUnavailable,
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

pub(super) fn query_of(parts: &axum::http::request::Parts) -> Params {
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

/// A page's form, as an extractor: the page's context (a redirect to sign in without a
/// session), then the form's fields, whose CSRF token must be the session's (403
/// otherwise) before the handler runs.
pub(super) struct PageForm(pub Ctx, pub Params);

impl axum::extract::FromRequest<Arc<AppState>> for PageForm {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &Arc<AppState>,
    ) -> Result<PageForm, Response> {
        let (mut parts, body) = request.into_parts();
        let Page(ctx) =
            <Page as axum::extract::FromRequestParts<Arc<AppState>>>::from_request_parts(
                &mut parts, state,
            )
            .await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let axum::Form(fields) = axum::Form::<Params>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !ctx.who.csrf_ok(param(&fields, "csrf")) {
            return Err(ctx.refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, ""));
        }
        Ok(PageForm(ctx, fields))
    }
}

/// Who the answer is for: a person's browser (pages) or a program (JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// HTML pages; refusals are pages too.
    Page,
    /// The `/api/v1` JSON API; refusals are JSON with a stable code.
    Api,
}

/// A request's context: its language, who makes it, and which surface answers.
pub struct Ctx {
    /// Pages or JSON: decided by the extractor, so refusals take the right shape.
    pub surface: Surface,
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
                surface: Surface::Page,
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
                surface: Surface::Api,
                lang,
                lang_changed,
                who,
            }),
            None if bearer => Err(api_error(lang, StatusCode::UNAUTHORIZED, Msg::BadToken, "")),
            None => Err(api_error(
                lang,
                StatusCode::UNAUTHORIZED,
                Msg::NotSignedIn,
                "",
            )),
        }
    }

    /// A whole page for this user, remembering a language change.
    pub fn render(&self, status: StatusCode, title: &str, body: Markup) -> Response {
        let html = page(self.lang, title, Some(&self.who), body);
        remember_language(
            (status, Html(html.into_string())).into_response(),
            self.lang,
            self.lang_changed,
        )
    }

    /// A page saying why the request was refused.
    pub fn refuse(&self, status: StatusCode, key: Msg, detail: &str) -> Response {
        let body = crate::views::forms::refusal(self.lang, key, detail);
        self.render(status, t(self.lang, key), body)
    }

    /// The JSON refusal.
    pub fn api_refuse(&self, status: StatusCode, code: Msg, detail: &str) -> Response {
        api_error(self.lang, status, code, detail)
    }

    /// A refusal in the shape this request's surface takes: a page or JSON.
    pub fn fail(&self, status: StatusCode, key: Msg, detail: &str) -> Response {
        match self.surface {
            Surface::Page => self.refuse(status, key, detail),
            Surface::Api => self.api_refuse(status, key, detail),
        }
    }

    /// 400 for a parameter that cannot be used, naming it.
    pub fn bad_param(&self, e: &crate::params::BadParam) -> Response {
        self.fail(
            StatusCode::BAD_REQUEST,
            Msg::BadParameter,
            &e.detail(self.lang),
        )
    }

    /// Logs a store failure and answers 503.
    pub fn store_failed(&self, error: &dyn std::fmt::Display) -> Response {
        tracing::error!(%error, "ClickHouse query failed");
        self.fail(StatusCode::SERVICE_UNAVAILABLE, Msg::StoreUnavailable, "")
    }

    /// For API calls that change something: a session must send its CSRF token in the
    /// `X-CSRF-Token` header (API tokens need none). The 403 to answer when it did not.
    pub fn api_csrf(&self, headers: &HeaderMap) -> Option<Response> {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        (!self.who.csrf_ok(sent))
            .then(|| self.api_refuse(StatusCode::FORBIDDEN, Msg::CsrfFailed, "X-CSRF-Token"))
    }

    /// For API calls that change something: the CSRF token, then the role (`allowed`);
    /// the 403 to answer when either fails.
    pub fn api_may_write(&self, headers: &HeaderMap, allowed: bool) -> Result<(), Box<Response>> {
        if let Some(refusal) = self.api_csrf(headers) {
            return Err(Box::new(refusal));
        }
        if !allowed {
            return Err(Box::new(self.api_refuse(
                StatusCode::FORBIDDEN,
                Msg::Forbidden,
                "",
            )));
        }
        Ok(())
    }

    /// The JSON body of an API call, or the 400 naming what is wrong in it.
    pub fn api_body<T: serde::de::DeserializeOwned>(
        &self,
        body: &[u8],
    ) -> Result<T, Box<Response>> {
        serde_json::from_slice(body).map_err(|e| {
            Box::new(self.api_refuse(StatusCode::BAD_REQUEST, Msg::BadRequestBody, &e.to_string()))
        })
    }

    /// [`Ctx::api_may_write`], then [`Ctx::api_body`]: the usual start of an API write.
    pub fn api_write<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        allowed: bool,
        body: &[u8],
    ) -> Result<T, Box<Response>> {
        self.api_may_write(headers, allowed)?;
        self.api_body(body)
    }
}

/// A JSON refusal: a stable code, the message in both languages and in the user's, and
/// the detail (which parameter, what was wrong).
pub fn api_error(lang: Lang, status: StatusCode, code: Msg, detail: &str) -> Response {
    api_error_with(lang, status, code, detail, serde_json::Map::new())
}

/// [`api_error`] with more fields for programs (such as a count to confirm).
pub(super) fn api_error_with(
    lang: Lang,
    status: StatusCode,
    code: Msg,
    detail: &str,
    more: serde_json::Map<String, serde_json::Value>,
) -> Response {
    let mut body = json!({
        "code": code.key(),
        "message": t(Lang::En, code),
        "message_fr": t(Lang::Fr, code),
        "message_user": t(lang, code),
        "detail": detail,
    });
    if let Some(fields) = body.as_object_mut() {
        fields.extend(more);
    }
    (status, Json(body)).into_response()
}

/// A `Set-Cookie` value for the session cookie (empty value and `Max-Age=0` clears it).
pub(super) fn session_cookie(state: &AppState, value: &str, max_age: Option<u64>) -> HeaderValue {
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

/// What the last triage was refused for, as the form's redirect says it: a catalogue
/// key (anything else is ignored) and what.
pub(super) fn refused_of(params: &Params) -> Option<(crate::i18n::Msg, String)> {
    let key = crate::i18n::Msg::from_key(param(params, "refused")?)?;
    let what: String = param(params, "what")
        .unwrap_or("")
        .chars()
        .take(300)
        .collect();
    Some((key, what))
}

/// A redirect to `location` (303, so a POST becomes a GET).
pub(super) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}
