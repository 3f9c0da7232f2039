//! The agent registry: who may send, with which key, and who is revoked. Kept in
//! ClickHouse (`agents`) and cached here, refreshed often so a revocation made elsewhere
//! (dashboard, CLI) takes effect within seconds.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use vigie_store::rows::AgentRow;
use vigie_store::Client;

/// How often the cache is reloaded.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);

/// The registry cache.
pub struct Registry {
    client: Client,
    agents: RwLock<HashMap<String, AgentRow>>,
    last_miss_refresh: RwLock<Instant>,
}

impl Registry {
    /// An empty cache over `client`; call [`Registry::refresh`] before use.
    pub fn new(client: Client) -> Registry {
        Registry {
            client,
            agents: RwLock::new(HashMap::new()),
            last_miss_refresh: RwLock::new(Instant::now() - REFRESH_EVERY),
        }
    }

    /// Reloads every agent's latest row.
    pub async fn refresh(&self) -> Result<(), clickhouse::error::Error> {
        let rows: Vec<AgentRow> = self
            .client
            .query("SELECT ?fields FROM agents FINAL")
            .fetch_all()
            .await?;
        let map = rows.into_iter().map(|r| (r.agent_id.clone(), r)).collect();
        *self.agents.write().expect("registry lock") = map;
        Ok(())
    }

    /// The agent `id`. An unknown id triggers one reload (at most once a second), so an
    /// agent enrolled through another collector is found.
    pub async fn get(&self, id: &str) -> Option<AgentRow> {
        if let Some(row) = self.agents.read().expect("registry lock").get(id) {
            return Some(row.clone());
        }
        let due = self
            .last_miss_refresh
            .read()
            .expect("registry lock")
            .elapsed()
            >= Duration::from_secs(1);
        if due {
            *self.last_miss_refresh.write().expect("registry lock") = Instant::now();
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "agent registry reload failed");
            }
        }
        self.agents.read().expect("registry lock").get(id).cloned()
    }

    /// Records a newly enrolled agent (already stored).
    pub fn insert(&self, row: AgentRow) {
        self.agents
            .write()
            .expect("registry lock")
            .insert(row.agent_id.clone(), row);
    }

    /// True when `id`'s stored last-seen time is more than `every` old; marks it fresh.
    pub fn touch_due(&self, id: &str, every: Duration) -> bool {
        let now = vigie_model::event::now_ms();
        let mut agents = self.agents.write().expect("registry lock");
        let Some(row) = agents.get_mut(id) else {
            return false;
        };
        if now.saturating_sub(row.last_seen_ms) < every.as_millis() as u64 {
            return false;
        }
        row.last_seen_ms = now;
        true
    }

    /// Stores that `id` was seen now as `hostname`. Re-reads the stored row first so a
    /// revocation written meanwhile by the dashboard or CLI is kept, not overwritten.
    pub async fn store_last_seen(
        &self,
        id: &str,
        hostname: &str,
    ) -> Result<(), clickhouse::error::Error> {
        let Some(mut row) = self
            .client
            .query("SELECT ?fields FROM agents FINAL WHERE agent_id = ?")
            .bind(id)
            .fetch_optional::<AgentRow>()
            .await?
        else {
            return Ok(());
        };
        let now = vigie_model::event::now_ms();
        row.last_seen_ms = now;
        row.hostname = hostname.to_string();
        row.updated_ms = now.max(row.updated_ms + 1);
        let mut insert = self.client.insert::<AgentRow>("agents").await?;
        insert.write(&row).await?;
        insert.end().await?;
        self.insert(row);
        Ok(())
    }
}
