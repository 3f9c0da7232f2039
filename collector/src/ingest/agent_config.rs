//! `POST /api/v1/agent-config`: an agent, in a signed request, asks for its group's
//! remote settings; the answer names the group, the version and the TOML.

use std::sync::Arc;
use vigie_model::i18n::Msg;

use axum::extract::State;
use axum::Json;
use vigie_model::wire::RemoteSettings;
use vigie_store::rows::AgentConfigRow;

use super::state::Collector;
use super::verified::VerifiedAgent;
use crate::error::ApiError;

/// The group of agents with none assigned.
pub(super) const DEFAULT_GROUP: &str = "default";

/// The handler.
pub(super) async fn fetch(
    State(c): State<Arc<Collector>>,
    agent: VerifiedAgent,
) -> Result<Json<RemoteSettings>, ApiError> {
    let unavailable = |e: clickhouse::error::Error| {
        ApiError::unavailable(Msg::StorageUnavailable, 2, e.to_string())
    };
    let group: Option<String> = c
        .client
        .query("SELECT argMax(group_name, updated_ms) FROM agent_groups WHERE agent_id = ? GROUP BY agent_id")
        .bind(agent.agent_id())
        .fetch_optional()
        .await
        .map_err(unavailable)?;
    let group = group
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| DEFAULT_GROUP.to_string());
    let row: Option<AgentConfigRow> = c
        .client
        .query("SELECT ?fields FROM agent_config FINAL WHERE group_name = ?")
        .bind(group.as_str())
        .fetch_optional()
        .await
        .map_err(unavailable)?;
    Ok(Json(match row {
        Some(r) => RemoteSettings {
            group,
            version: r.version,
            body: r.body,
        },
        None => RemoteSettings {
            group,
            version: 0,
            body: String::new(),
        },
    }))
}
