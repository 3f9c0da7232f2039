//! `POST /api/v1/batches`: authenticate, open, dedup, detect, store, acknowledge.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ring::signature::{UnparsedPublicKey, ED25519};
use vigie_model::event::now_ms;
use vigie_model::wire::{self, Ack, WireError};
use vigie_model::AckStatus;
use vigie_model::Event;
use vigie_store::rows::{BatchRow, EventRow};

use super::Collector;
use crate::chain::{self, ChainState, Link};
use crate::detect;
use crate::error::ApiError;
use crate::writer::{self, BatchRows};

/// How often an agent's last-seen time is written to the registry.
const LAST_SEEN_EVERY: Duration = Duration::from_secs(60);

pub(super) struct Signed {
    pub(super) agent_id: String,
    time_ms: u64,
    dropped: u64,
    signature: Vec<u8>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "missing_header", name))
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    header(headers, name)?
        .parse()
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "missing_header", name))
}

impl Signed {
    fn parse(headers: &HeaderMap) -> Result<Signed, ApiError> {
        Ok(Signed {
            agent_id: header(headers, wire::HEADER_AGENT)?.to_string(),
            time_ms: number(headers, wire::HEADER_TIME)?,
            dropped: number(headers, wire::HEADER_DROPPED)?,
            signature: B64
                .decode(header(headers, wire::HEADER_SIGNATURE)?)
                .map_err(|_| {
                    ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", "not base64")
                })?,
        })
    }
}

/// The handler: every refusal is logged with the agent and the reason.
///
/// Processing runs in its own task: if the agent disconnects mid-way (it crashed, the
/// link dropped), the batch is still finished or cleanly failed, never left half-done.
pub async fn ingest(
    State(c): State<Arc<Collector>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Ack>, ApiError> {
    let refuse = |e: ApiError| {
        tracing::warn!(agent = agent_name(&headers), code = e.code(), error = ?e, "batch refused");
        Err(e)
    };
    let Ok(permit) = c.inflight.clone().try_acquire_owned() else {
        return refuse(ApiError::unavailable("overloaded", 1, ""));
    };
    let max = c.config().max_body_bytes;
    let Ok(bytes) = axum::body::to_bytes(body, max).await else {
        let detail = format!("body over {max} bytes");
        return refuse(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            detail,
        ));
    };
    let task = tokio::spawn(async move {
        let _permit = permit;
        let result = ingest_checked(&c, &headers, bytes).await;
        if let Err(e) = &result {
            // Logged here, not by the caller: the caller may be gone.
            tracing::warn!(agent = agent_name(&headers), code = e.code(), error = ?e, "batch refused");
        }
        result
    });
    match task.await {
        Ok(result) => result.map(Json),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )),
    }
}

fn agent_name(headers: &HeaderMap) -> String {
    headers
        .get(wire::HEADER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// Checks a signed request: a known, unrevoked agent, its signature over `bytes`, and a
/// time close to ours. Returns the signed headers.
pub(super) async fn authenticate(
    c: &Collector,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Signed, ApiError> {
    let signed = Signed::parse(headers)?;

    let agent = c.registry.get(&signed.agent_id).await.ok_or_else(|| {
        ApiError::new(StatusCode::UNAUTHORIZED, "unknown_agent", &signed.agent_id)
    })?;
    if agent.revoked != 0 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "revoked_agent",
            &signed.agent_id,
        ));
    }
    let body_hash = vigie_model::hex::sha256(bytes);
    let message =
        wire::signing_message(&signed.agent_id, signed.time_ms, signed.dropped, &body_hash);
    let public_key = B64.decode(&agent.public_key).unwrap_or_default();
    UnparsedPublicKey::new(&ED25519, &public_key)
        .verify(&message, &signed.signature)
        .map_err(|_| ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", ""))?;
    let skew = now_ms().abs_diff(signed.time_ms);
    if skew > c.config().max_clock_skew_secs * 1000 {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "stale_request",
            format!("{} s apart", skew / 1000),
        ));
    }
    Ok(signed)
}

async fn ingest_checked(c: &Collector, headers: &HeaderMap, bytes: Bytes) -> Result<Ack, ApiError> {
    let signed = authenticate(c, headers, &bytes).await?;
    let body_hash = vigie_model::hex::sha256(&bytes);
    let batch = wire::open(&bytes, c.config().max_batch_bytes).map_err(refusal)?;
    if batch.agent_id != signed.agent_id {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "agent_mismatch",
            &batch.agent_id,
        ));
    }

    let chain_lock = c.chain_for(&signed.agent_id);
    let mut guard = chain_lock.lock().await;
    if guard.is_none() {
        let loaded = ChainState::load(&c.client, &signed.agent_id)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        *guard = Some(loaded);
    }
    let state = guard.as_mut().expect("loaded just above");
    let link = chain::link(
        state,
        batch.first_seq,
        batch.last_seq,
        &batch.prev_hash,
        signed.dropped,
    );
    if link == Link::Duplicate {
        tracing::info!(
            agent = signed.agent_id,
            first_seq = batch.first_seq,
            last_seq = batch.last_seq,
            "batch already stored; acknowledged again"
        );
        return Ok(Ack {
            status: AckStatus::Duplicate,
            acked_through: state.last_seq,
            stored: 0,
        });
    }
    let events: Vec<Event> = batch
        .events
        .into_iter()
        .filter(|e| e.seq > state.last_seq)
        .collect();
    let now = now_ms();
    let engine = c.engine();
    let mut alerts = detect::alerts_for(&engine, &events, now);
    let evicted = engine.take_evictions();
    if evicted > 0 {
        tracing::warn!(
            agent = signed.agent_id,
            evicted,
            "correlation state full: entries evicted"
        );
        alerts.push(detect::eviction_alert(evicted, &events[0], now));
    }
    if let Some(alert) = detect::chain_alert(&link, &events[0], batch.first_seq, now) {
        tracing::warn!(agent = signed.agent_id, ?link, "batch chain anomaly");
        alerts.push(alert);
    }
    if state.check_alerts && !alerts.is_empty() {
        let stored = writer::stored_alert_ids(
            &c.client,
            &signed.agent_id,
            events[0].seq.min(batch.first_seq),
        )
        .await
        .map_err(|e| unavailable(e.to_string()))?;
        alerts.retain(|a| !stored.contains(&a.alert_id));
    }
    let stored = events.len() as u64;
    let rows = BatchRows {
        alerts,
        events: events.iter().map(|e| EventRow::received(e, now)).collect(),
        batch: BatchRow {
            date: vigie_store::date_of(now),
            agent_id: signed.agent_id.clone(),
            first_seq: batch.first_seq,
            last_seq: batch.last_seq,
            batch_hash: body_hash.clone(),
            prev_hash: batch.prev_hash.clone(),
            received_ms: now,
            events: stored as u32,
            dropped_total: signed.dropped,
        },
    };
    let timeout = Duration::from_secs(c.config().store_timeout_secs.max(1));
    // Until the write is known to be complete, storage is the only truth: if anything
    // stops us half-way, the next batch reloads the state from it.
    let before = guard.take().expect("loaded above");
    if let Err(e) = writer::write(&c.client, &rows, timeout).await {
        return Err(unavailable(e.to_string()));
    }
    drop(before);
    *guard = Some(ChainState {
        last_seq: batch.last_seq,
        last_hash: Some(body_hash),
        dropped_total: signed.dropped,
        check_alerts: false,
    });
    drop(guard);
    if c.registry.touch_due(&signed.agent_id, LAST_SEEN_EVERY) {
        let hostname = events
            .last()
            .map(|e| e.hostname.clone())
            .unwrap_or_default();
        if let Err(e) = c
            .registry
            .store_last_seen(&signed.agent_id, &hostname)
            .await
        {
            tracing::warn!(error = %e, "cannot record when the agent was last seen");
        }
    }
    tracing::debug!(
        agent = signed.agent_id,
        first_seq = batch.first_seq,
        last_seq = batch.last_seq,
        stored,
        "batch stored"
    );
    Ok(Ack {
        status: AckStatus::Stored,
        acked_through: batch.last_seq,
        stored,
    })
}

fn unavailable(detail: String) -> ApiError {
    ApiError::unavailable("storage_unavailable", 2, detail)
}

fn refusal(e: WireError) -> ApiError {
    let status = match e {
        WireError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, e.code(), e.to_string())
}
