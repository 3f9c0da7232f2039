//! `POST /api/v1/batches`: authenticate, open, dedup, detect, store, acknowledge.

use std::sync::Arc;
use std::time::Duration;
use vigie_model::i18n::Msg;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, Ack, WireError};
use vigie_model::AckStatus;
use vigie_model::Event;
use vigie_store::rows::{BatchRow, EventRow};

use super::state::Collector;
use super::verified::VerifiedAgent;
use crate::chain::{self, ChainState, Link};
use crate::detect;
use crate::error::ApiError;
use crate::writer::{self, BatchRows};

/// How often an agent's last-seen time is written to the registry.
const LAST_SEEN_EVERY: Duration = Duration::from_secs(60);

/// The handler: every refusal is logged with the agent and the reason.
///
/// Processing runs in its own task: if the agent disconnects mid-way (it crashed, the
/// link dropped), the batch is still finished or cleanly failed, never left half-done.
pub(super) async fn ingest(
    State(c): State<Arc<Collector>>,
    request: VerifiedAgent,
) -> Result<Json<Ack>, ApiError> {
    // A processing slot only for requests already verified: nobody unknown holds one.
    // Busy, a batch waits its turn (first come, first served: each agent sends one batch
    // at a time, so agents are served fairly); only a full queue answers 503.
    let permit = match c.inflight.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            let Some(_place) = c.queue.join() else {
                let e = ApiError::unavailable(Msg::Overloaded, c.queue.suggested_wait_secs(), "");
                tracing::warn!(
                    agent = request.agent_id(),
                    code = e.code(),
                    "batch refused: queue full"
                );
                return Err(e);
            };
            c.inflight
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed")
        }
    };
    // Memory, reserved before decompressing: the size the batch declares (at most the
    // largest accepted), so batches in flight hold a bounded amount in all.
    let max = c.config().max_batch_bytes;
    let kib = wire::declared_size(request.body())
        .map_or(max as u64, |n| n.min(max as u64))
        .div_ceil(1024)
        .clamp(1, c.memory_kib as u64) as u32;
    let memory = c
        .memory
        .clone()
        .acquire_many_owned(kib)
        .await
        .expect("the semaphore is never closed");
    let task = tokio::spawn(async move {
        let _permit = permit;
        let _memory = memory;
        let result = ingest_checked(&c, &request).await;
        if let Err(e) = &result {
            // Logged here, not by the caller: the caller may be gone.
            tracing::warn!(agent = request.agent_id(), code = e.code(), error = ?e, "batch refused");
        }
        result
    });
    match task.await {
        Ok(result) => result.map(Json),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Msg::Internal,
            e.to_string(),
        )),
    }
}

async fn ingest_checked(c: &Collector, request: &VerifiedAgent) -> Result<Ack, ApiError> {
    let agent_id = request.agent_id();
    let body_hash = vigie_model::hex::sha256(request.body());
    let batch = wire::open(request.body(), c.config().max_batch_bytes).map_err(refusal)?;
    if batch.agent_id != agent_id {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            Msg::AgentMismatch,
            &batch.agent_id,
        ));
    }

    let chain_lock = c.chain_for(agent_id);
    let mut guard = chain_lock.lock().await;
    if guard.is_none() {
        // Storage is read as final only when no interrupted write may still land.
        if !c.writer.settled() {
            return Err(unavailable(
                "storage is settling an interrupted write".into(),
            ));
        }
        let loaded = c.chain_loader.load(agent_id).await.map_err(unavailable)?;
        *guard = Some(loaded);
    }
    let state = guard.as_mut().expect("loaded just above");
    let mut link = chain::link(
        state,
        batch.first_seq,
        batch.last_seq,
        &batch.prev_hash,
        request.dropped(),
    );
    let mut events: Vec<Event> = if link == Link::Duplicate {
        // A resend, unless its events are not stored: then the seq ran ahead of them.
        let stored = writer::stored_seqs(&c.client, agent_id, batch.first_seq, batch.last_seq)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let unstored: Vec<Event> = batch
            .events
            .into_iter()
            .filter(|e| !stored.contains(&e.seq))
            .collect();
        if unstored.is_empty() {
            tracing::info!(
                agent = agent_id,
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
        link = Link::BelowWatermark {
            watermark: state.last_seq,
            unstored: unstored.len() as u64,
        };
        unstored
    } else {
        batch
            .events
            .into_iter()
            .filter(|e| e.seq > state.last_seq)
            .collect()
    };
    let now = now_ms();
    let suspect = super::clock::admit(&mut events, batch.sealed_ms, now);
    if suspect > 0 {
        tracing::warn!(
            agent = agent_id,
            suspect,
            "events with impossible times stored at their receive time (ClockSuspect)"
        );
    }
    let engine = c.engine();
    let event_rows: Vec<EventRow> = events.iter().map(|e| EventRow::received(e, now)).collect();
    let exceptions = c.exceptions.current();
    let settings = c.rule_settings.current();
    let detect::Detected {
        mut alerts,
        suppressed,
    } = detect::alerts_for(&engine, &exceptions, &settings, &events, &event_rows, now);
    let evicted = engine.take_evictions();
    if evicted > 0 {
        tracing::warn!(
            agent = agent_id,
            evicted,
            "correlation state full: entries evicted"
        );
        alerts.push(detect::eviction_alert(evicted, &events[0], now));
    }
    let below = matches!(link, Link::BelowWatermark { .. });
    let alert_due = !below || now >= state.below_watermark_alerted_ms + 3_600_000;
    if let Some(alert) = detect::chain_alert(&link, &events[0], batch.first_seq, now) {
        tracing::warn!(agent = agent_id, ?link, "batch chain anomaly");
        if alert_due {
            alerts.push(alert);
        }
    }
    // After a write failed half-way some of these alerts may be stored already.
    match &state.alerts_ahead {
        Some(_) if below && !alerts.is_empty() => {
            // Events under the watermark: their alerts are not among those read ahead.
            let stored =
                writer::stored_alert_ids(&c.client, agent_id, events[0].seq.min(batch.first_seq))
                    .await
                    .map_err(|e| unavailable(e.to_string()))?;
            alerts.retain(|a| !stored.contains(&a.alert_id));
        }
        Some(ahead) => alerts.retain(|a| !ahead.contains(&a.alert_id)),
        None => {}
    }
    let stored = events.len() as u64;
    let rows = BatchRows {
        alerts,
        suppressed,
        events: event_rows,
        batch: BatchRow {
            date: vigie_store::date_of(now),
            agent_id: agent_id.to_string(),
            first_seq: batch.first_seq,
            last_seq: batch.last_seq,
            batch_hash: body_hash.clone(),
            prev_hash: batch.prev_hash.clone(),
            received_ms: now,
            events: stored as u32,
            dropped_total: request.dropped(),
        },
    };
    // Until the write is known to be complete, storage is the only truth: if anything
    // stops us half-way, the next batch reloads the state from it, once settled.
    let before = guard.take().expect("loaded above");
    if let Err(e) = c.writer.write(rows).await {
        return Err(unavailable(e.to_string()));
    }
    *guard = Some(if below {
        // The stored seq stays where it is; this batch filled in under it.
        ChainState {
            below_watermark_alerted_ms: if alert_due {
                now
            } else {
                before.below_watermark_alerted_ms
            },
            ..before
        }
    } else {
        ChainState {
            last_seq: batch.last_seq,
            last_hash: Some(body_hash),
            dropped_total: request.dropped(),
            alerts_ahead: None,
            below_watermark_alerted_ms: before.below_watermark_alerted_ms,
        }
    });
    drop(guard);
    let hostname = events.last().map_or("", |e| e.hostname.as_str());
    c.registry.note_seen(agent_id, hostname, LAST_SEEN_EVERY);
    tracing::debug!(
        agent = agent_id,
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
    ApiError::unavailable(Msg::StorageUnavailable, 2, detail)
}

fn refusal(e: WireError) -> ApiError {
    let status = match e {
        WireError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, e.msg(), e.to_string())
}
