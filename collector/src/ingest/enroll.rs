//! `POST /api/v1/enroll`: a valid token and a public key become a registered agent.

use std::sync::Arc;
use vigie_model::i18n::Msg;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use vigie_model::enroll::{EnrollRequest, EnrollResponse};
use vigie_store::rows::AgentRow;

use super::state::Collector;
use crate::error::ApiError;
use vigie_store::enrollment as tokens;

/// The handler.
pub(super) async fn enroll(
    State(c): State<Arc<Collector>>,
    body: Bytes,
) -> Result<Json<EnrollResponse>, ApiError> {
    let result = enroll_checked(&c, &body).await;
    if let Err(e) = &result {
        tracing::warn!(code = e.code(), error = ?e, "enrollment refused");
    }
    result.map(Json)
}

async fn enroll_checked(c: &Collector, body: &[u8]) -> Result<EnrollResponse, ApiError> {
    let request: EnrollRequest = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, Msg::BadRequest, e.to_string()))?;
    let public_key = B64
        .decode(&request.public_key)
        .ok()
        .filter(|k| k.len() == 32)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, Msg::BadPublicKey, ""))?;
    let _one_at_a_time = c.enroll_lock.lock().await;
    let token = tokens::find_usable(&c.client, &request.token)
        .await
        .map_err(|e| ApiError::unavailable(Msg::StorageUnavailable, 2, e.to_string()))?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, Msg::TokenRefused, ""))?;
    let now = vigie_model::event::now_ms();
    let row = AgentRow {
        agent_id: tokens::random_hex(16),
        hostname: request.hostname.chars().take(255).collect(),
        public_key: request.public_key.clone(),
        key_fingerprint: vigie_model::hex::sha256(&public_key),
        version: request.version.chars().take(64).collect(),
        token_id: token.token_id.clone(),
        first_seen_ms: now,
        last_seen_ms: now,
        revoked: 0,
        updated_ms: now,
    };
    vigie_store::insert_rows(&c.client, "agents", std::slice::from_ref(&row))
        .await
        .map_err(|e| ApiError::unavailable(Msg::StorageUnavailable, 2, e.to_string()))?;
    tracing::info!(
        agent_id = row.agent_id,
        hostname = row.hostname,
        token_id = token.token_id,
        "agent enrolled"
    );
    c.audit
        .note(
            "collector",
            "agent_enrolled",
            &row.agent_id,
            serde_json::json!({"hostname": row.hostname, "token_id": token.token_id, "key_fingerprint": row.key_fingerprint}),
        )
        .await;
    let response = EnrollResponse {
        agent_id: row.agent_id.clone(),
        key_fingerprint: row.key_fingerprint.clone(),
    };
    c.registry.insert(row);
    Ok(response)
}
