//! The agent registry: who may send, with which key, and who is revoked. Kept in
//! ClickHouse (`agents`) and cached here, refreshed often so a revocation made elsewhere
//! (dashboard, CLI) takes effect within seconds.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use vigie_store::rows::AgentRow;
use vigie_store::Client;

/// How often the cache is reloaded.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3);
/// How often the last-seen times noted are stored.
pub const STORE_SEEN_EVERY: Duration = Duration::from_secs(2);

/// The registry cache.
pub struct Registry {
    client: Client,
    agents: RwLock<HashMap<String, AgentRow>>,
    last_miss_refresh: RwLock<Instant>,
    /// Agents seen and not yet recorded as such: hostname and when.
    seen: Mutex<HashMap<String, (String, u64)>>,
}

impl Registry {
    /// An empty cache over `client`; call [`Registry::refresh`] before use.
    pub fn new(client: Client) -> Registry {
        Registry {
            client,
            agents: RwLock::new(HashMap::new()),
            last_miss_refresh: RwLock::new(Instant::now() - REFRESH_EVERY),
            seen: Mutex::new(HashMap::new()),
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

    /// Notes that `id` was seen now as `hostname`, when its stored last-seen time is
    /// more than `every` old; [`Registry::store_seen`] writes what was noted.
    pub fn note_seen(&self, id: &str, hostname: &str, every: Duration) {
        let now = vigie_model::event::now_ms();
        {
            let mut agents = self.agents.write().expect("registry lock");
            let Some(row) = agents.get_mut(id) else {
                return;
            };
            if now.saturating_sub(row.last_seen_ms) < every.as_millis() as u64 {
                return;
            }
            row.last_seen_ms = now;
        }
        self.seen
            .lock()
            .expect("seen lock")
            .insert(id.to_string(), (hostname.to_string(), now));
    }

    /// Stores the last-seen times noted since the last call, all in one insert: with
    /// thousands of agents, one insert each would keep ClickHouse merging. Re-reads the
    /// stored rows first so a revocation written meanwhile by the dashboard or CLI is
    /// kept, not overwritten. Returns how many agents were recorded; on failure what was
    /// noted is kept for the next call.
    pub async fn store_seen(&self) -> Result<usize, clickhouse::error::Error> {
        let noted = std::mem::take(&mut *self.seen.lock().expect("seen lock"));
        if noted.is_empty() {
            return Ok(0);
        }
        match self.write_seen(&noted).await {
            Ok(rows) => {
                for row in rows {
                    self.insert(row);
                }
                Ok(noted.len())
            }
            Err(e) => {
                let mut seen = self.seen.lock().expect("seen lock");
                for (id, entry) in noted {
                    seen.entry(id).or_insert(entry);
                }
                Err(e)
            }
        }
    }

    async fn write_seen(
        &self,
        noted: &HashMap<String, (String, u64)>,
    ) -> Result<Vec<AgentRow>, clickhouse::error::Error> {
        let ids: Vec<&String> = noted.keys().collect();
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = vec!["?"; chunk.len()].join(",");
            let mut query = self.client.query(&format!(
                "SELECT ?fields FROM agents FINAL WHERE agent_id IN ({list})"
            ));
            for id in chunk {
                query = query.bind(id.as_str());
            }
            rows.extend(query.fetch_all::<AgentRow>().await?);
        }
        if rows.is_empty() {
            return Ok(rows);
        }
        let mut insert = self.client.insert::<AgentRow>("agents").await?;
        for row in &mut rows {
            let (hostname, seen_ms) = &noted[&row.agent_id];
            row.last_seen_ms = *seen_ms;
            row.hostname.clone_from(hostname);
            row.updated_ms = (*seen_ms).max(row.updated_ms + 1);
            insert.write(row).await?;
        }
        insert.end().await?;
        Ok(rows)
    }
}
