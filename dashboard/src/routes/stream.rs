//! `GET /api/v1/alerts/stream`: new alerts as server-sent events, so the queue learns of
//! them without reloading. The dashboard asks ClickHouse every two seconds for alerts
//! stored since the last it sent (by the collector's storage time) and sends each as an
//! `alert` event whose id lets a reconnecting browser resume where it stopped.

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
    if let Err(r) = Ctx::api(&state, &headers, &params).await {
        return r;
    }
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or_else(vigie_model::event::now_ms);
    let stream = futures_util::stream::unfold(
        (state, since, Vec::<Event>::new()),
        |(state, mut since, mut pending)| async move {
            loop {
                if let Some(event) = pending.pop() {
                    return Some((Ok::<_, Infallible>(event), (state, since, pending)));
                }
                tokio::time::sleep(POLL).await;
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
