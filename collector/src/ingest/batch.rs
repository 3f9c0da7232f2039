//! `POST /api/v1/batches` (one batch) and `POST /api/v1/batches/many` (several, in
//! order, as an agent drains its spool): authenticate, open, dedup, detect, store,
//! acknowledge. Several batches are checked one after the other as if sent apart, then
//! stored in one write and acknowledged together.

use std::sync::Arc;
use std::time::Duration;
use vigie_model::i18n::Msg;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use vigie_model::event::now_ms;
use vigie_model::wire::{self, Ack, BatchBody, WireError};
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

/// One batch.
pub(super) async fn ingest(
    State(c): State<Arc<Collector>>,
    request: VerifiedAgent,
) -> Result<Json<Ack>, ApiError> {
    let parts = vec![request.body().clone()];
    admitted(c, request, parts).await
}

/// Several batches, framed (`wire::frame`).
pub(super) async fn ingest_many(
    State(c): State<Arc<Collector>>,
    request: VerifiedAgent,
) -> Result<Json<Ack>, ApiError> {
    let ranges = wire::unframe(request.body()).map_err(|e| {
        let e = refusal(e);
        tracing::warn!(agent = request.agent_id(), code = e.code(), error = ?e, "batches refused");
        e
    })?;
    let parts = ranges
        .into_iter()
        .map(|range| request.body().slice(range))
        .collect();
    admitted(c, request, parts).await
}

/// Waits for a processing slot and memory, then processes `parts` in a task of their
/// own: every refusal is logged with the agent and the reason.
///
/// If the agent disconnects mid-way (it crashed, the link dropped), the batches are still
/// finished or cleanly failed, never left half-done.
async fn admitted(
    c: Arc<Collector>,
    request: VerifiedAgent,
    parts: Vec<Bytes>,
) -> Result<Json<Ack>, ApiError> {
    // A processing slot only for requests already verified: nobody unknown holds one.
    // Busy, a request waits its turn (first come, first served: each agent sends one
    // request at a time, so agents are served fairly); only a full queue answers 503.
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
    // Memory, reserved before decompressing: the size each batch declares (at most the
    // largest accepted), so batches in flight hold a bounded amount in all.
    let max = c.config().max_batch_bytes as u64;
    let declared: u64 = parts
        .iter()
        .map(|part| wire::declared_size(part).map_or(max, |n| n.min(max)))
        .sum();
    let kib = declared.div_ceil(1024).clamp(1, c.memory_kib as u64) as u32;
    let memory = c
        .memory
        .clone()
        .acquire_many_owned(kib)
        .await
        .expect("the semaphore is never closed");
    let task = tokio::spawn(async move {
        let _permit = permit;
        let _memory = memory;
        let result = ingest_checked(&c, &request, &parts).await;
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

/// Opens every part; refuses them all if one is malformed, names another agent, or does
/// not come after the one before (a later batch must never be taken for a resend of an
/// earlier one of the same request).
fn open_all(
    c: &Collector,
    agent_id: &str,
    parts: &[Bytes],
) -> Result<Vec<(String, BatchBody)>, ApiError> {
    let mut opened: Vec<(String, BatchBody)> = Vec::with_capacity(parts.len());
    let which = |i: usize| {
        if parts.len() > 1 {
            format!("batch {} of {}: ", i + 1, parts.len())
        } else {
            String::new()
        }
    };
    for (i, part) in parts.iter().enumerate() {
        let batch = wire::open(part, c.config().max_batch_bytes)
            .map_err(|e| refusal_named(e, &which(i)))?;
        if batch.agent_id != agent_id {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                Msg::AgentMismatch,
                format!("{}{}", which(i), batch.agent_id),
            ));
        }
        if let Some((_, previous)) = opened.last() {
            if batch.first_seq <= previous.last_seq {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    Msg::BatchInconsistent,
                    format!(
                        "{}starts at seq {}, not after the previous batch's {}",
                        which(i),
                        batch.first_seq,
                        previous.last_seq
                    ),
                ));
            }
        }
        opened.push((vigie_model::hex::sha256(part), batch));
    }
    Ok(opened)
}

async fn ingest_checked(
    c: &Collector,
    request: &VerifiedAgent,
    parts: &[Bytes],
) -> Result<Ack, ApiError> {
    let agent_id = request.agent_id();
    let opened = open_all(c, agent_id, parts)?;

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
    let mut state = guard.clone().expect("loaded just above");
    let now = now_ms();
    let mut rows = BatchRows::default();
    let mut ack = Ack {
        status: AckStatus::Duplicate,
        acked_through: 0,
        stored: 0,
    };
    let mut hostname = String::new();
    for (body_hash, batch) in opened {
        let step = check_one(c, request, &state, body_hash, batch, now).await?;
        ack.acked_through = ack.acked_through.max(step.acked_through);
        if let Some(step_rows) = step.rows {
            ack.status = AckStatus::Stored;
            ack.stored += step_rows.events.len() as u64;
            if let Some(event) = step_rows.events.last() {
                hostname.clone_from(&event.hostname);
            }
            rows.append(step_rows);
        }
        state = step.after;
    }
    if rows.batches.is_empty() {
        return Ok(ack);
    }
    // Until the write is known to be complete, storage is the only truth: if anything
    // stops us half-way, the next request reloads the state from it, once settled.
    guard.take();
    let (first_seq, last_seq) = (
        rows.batches[0].first_seq,
        rows.batches[rows.batches.len() - 1].last_seq,
    );
    if let Err(e) = c.writer.write(rows).await {
        return Err(unavailable(e.to_string()));
    }
    // Alerts read ahead of the stored events may reach past what was just stored (a
    // write of several batches that failed half-way): kept until state is read again.
    state.alerts_ahead = state.alerts_ahead.filter(|ahead| !ahead.is_empty());
    *guard = Some(state);
    drop(guard);
    c.registry.note_seen(agent_id, &hostname, LAST_SEEN_EVERY);
    tracing::debug!(
        agent = agent_id,
        first_seq,
        last_seq,
        stored = ack.stored,
        "batches stored"
    );
    Ok(ack)
}

/// What one batch of a request comes to.
struct Step {
    /// The rows to store (`None`: a resend, already stored).
    rows: Option<BatchRows>,
    /// The agent's state once they are stored.
    after: ChainState,
    /// How far the agent may count its events stored once they are.
    acked_through: u64,
}

/// Checks one batch against the agent's state `state` (as it will be once the batches
/// before it in the request are stored): chain, resend, times, detection.
async fn check_one(
    c: &Collector,
    request: &VerifiedAgent,
    state: &ChainState,
    body_hash: String,
    batch: BatchBody,
    now: u64,
) -> Result<Step, ApiError> {
    let agent_id = request.agent_id();
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
            return Ok(Step {
                rows: None,
                after: state.clone(),
                acked_through: state.last_seq,
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
    let rows = BatchRows {
        alerts,
        suppressed,
        events: event_rows,
        batches: vec![BatchRow {
            date: vigie_store::date_of(now),
            agent_id: agent_id.to_string(),
            first_seq: batch.first_seq,
            last_seq: batch.last_seq,
            batch_hash: body_hash.clone(),
            prev_hash: batch.prev_hash.clone(),
            received_ms: now,
            events: events.len() as u32,
            dropped_total: request.dropped(),
        }],
    };
    let after = if below {
        // The stored seq stays where it is; this batch filled in under it.
        ChainState {
            below_watermark_alerted_ms: if alert_due {
                now
            } else {
                state.below_watermark_alerted_ms
            },
            ..state.clone()
        }
    } else {
        ChainState {
            last_seq: batch.last_seq,
            last_hash: Some(body_hash),
            dropped_total: request.dropped(),
            alerts_ahead: state.alerts_ahead.clone(),
            below_watermark_alerted_ms: state.below_watermark_alerted_ms,
        }
    };
    Ok(Step {
        rows: Some(rows),
        after,
        acked_through: batch.last_seq,
    })
}

fn unavailable(detail: String) -> ApiError {
    ApiError::unavailable(Msg::StorageUnavailable, 2, detail)
}

fn refusal(e: WireError) -> ApiError {
    refusal_named(e, "")
}

/// `e` as an answer, its detail after `which` (the batch it is about).
fn refusal_named(e: WireError, which: &str) -> ApiError {
    let status = match e {
        WireError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError::new(status, e.msg(), format!("{which}{e}"))
}
