//! The dashboard's own style sheet and script, built into the binary: nothing is
//! fetched from outside, and they are cached by browsers for a day.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "vigie.css",
        "text/css; charset=utf-8",
        include_str!("../../static/vigie.css"),
    ),
    (
        "vigie.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/vigie.js"),
    ),
];

/// `GET /static/{file}`.
pub(super) async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
