//! `GET /api/v1/alerts/stream`: new alerts as server-sent events, so the queue learns of
//! them without reloading. The dashboard asks ClickHouse every two seconds for alerts
//! stored since the last it sent (by the collector's storage time) and sends each as an
//! `alert` event whose id lets a reconnecting browser resume where it stopped.
//!
//! A stream lasts as long as what let it in: before each poll it checks that the session
//! is still open (not signed out, not closed by an account change) or that the token is
//! still good (not revoked, not expired, its user enabled), and ends otherwise. Streams
//! are bounded per user and in total ([`crate::live`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::context::{AppState, Ctx, Params};
use crate::auth::{Credential, Principal};
use crate::i18n::Msg;

const POLL: Duration = Duration::from_secs(2);

#[derive(Row, Deserialize, Serialize)]
struct NewAlert {
    alert_id: String,
    created_ms: u64,
    ts: u64,
    severity: String,
    hostname: String,
    rule_title: String,
    rule_title_fr: String,
    summary: String,
}

/// `GET /api/v1/alerts/stream`.
pub(super) async fn alerts(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let ctx = match Ctx::api(&state, &headers, &params).await {
        Ok(ctx) => ctx,
        Err(r) => return r,
    };
    let Some(slot) = state.streams.take(&ctx.who.username) else {
        return ctx.api_refuse(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            Msg::TooManyStreams,
            "",
        );
    };
    let who = ctx.who;
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or_else(vigie_model::event::now_ms);
    let stream = futures_util::stream::unfold(
        (state, since, Vec::<Event>::new(), who, slot),
        |(state, mut since, mut pending, who, slot)| async move {
            loop {
                if let Some(event) = pending.pop() {
                    return Some((
                        Ok::<_, Infallible>(event),
                        (state, since, pending, who, slot),
                    ));
                }
                tokio::time::sleep(POLL).await;
                if !still_allowed(&state, &who).await {
                    tracing::info!(user = who.username, "live stream ended: access withdrawn");
                    return None;
                }
                let rows: Vec<NewAlert> = match state
                    .client
                    .query(
                        "SELECT alert_id, created_ms, ts, severity, hostname, rule_title, rule_title_fr, summary \
                         FROM alerts WHERE created_ms > ? ORDER BY created_ms DESC LIMIT 100",
                    )
                    .bind(since)
                    .fetch_all()
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::debug!(error = %e, "alert stream query failed; retrying");
                        continue;
                    }
                };
                if let Some(newest) = rows.first() {
                    since = newest.created_ms;
                }
                // Sent oldest first: `pending` pops from the end.
                pending = rows
                    .iter()
                    .map(|row| {
                        Event::default()
                            .event("alert")
                            .id(row.created_ms.to_string())
                            .json_data(row)
                            .expect("serializable")
                    })
                    .collect();
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

/// Whether what let `who` in still holds (checked before every poll).
async fn still_allowed(state: &AppState, who: &Principal) -> bool {
    match &who.credential {
        Credential::Session { id, .. } => state.sessions.is_live(id),
        Credential::Token { token_id } => {
            // A failed check ends the stream: the browser reconnects, and is checked anew.
            crate::queries::api_tokens::still_valid(&state.client, token_id)
                .await
                .unwrap_or(false)
        }
    }
}
