//! Refusals: a stable code, an HTTP status, and the message in English and French.
//! Internal errors are logged in full and answered with a generic message.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vigie_model::i18n::{Lang, Msg};
use vigie_model::wire::Refusal;

/// Why the collector refuses a request.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: Msg,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A refusal with `status` and catalogue `code`; `detail` says what exactly was wrong.
    pub fn new(status: StatusCode, code: Msg, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// 503: come back after `secs` seconds.
    pub fn unavailable(code: Msg, secs: u64, detail: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(secs),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code.key()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (en, fr) = (self.code.text(Lang::En), self.code.text(Lang::Fr));
        let internal =
            self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE;
        let (message, message_fr) = if internal || self.detail.is_empty() {
            (en.to_string(), fr.to_string())
        } else {
            (
                format!("{en}: {}", self.detail),
                format!("{fr} : {}", self.detail),
            )
        };
        let body = Refusal {
            code: self.code.key().to_string(),
            message,
            message_fr,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}
