//! Reads agents' chain state from storage, many agents per query.
//!
//! When the collector starts, or ClickHouse comes back, every agent's next batch needs
//! its state read before it can be stored. One query pair per agent made 5,000 agents
//! wait minutes behind each other; here, requests that arrive while a read runs go
//! together in the next one.
//!
//! Safe to delay: an agent's state is read while its chain lock is held and after the
//! writer was seen settled, so none of its rows can be in a write that lands later.

use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use vigie_store::Client;

use crate::chain::{ChainState, MAX_AGENTS_PER_LOAD};

struct Request {
    agent_id: String,
    reply: oneshot::Sender<Result<ChainState, String>>,
}

/// A handle on the reading task.
pub(super) struct ChainLoader {
    requests: mpsc::Sender<Request>,
}

impl ChainLoader {
    /// Starts the task reading through `client`.
    pub(super) fn start(client: Client) -> ChainLoader {
        let (requests, rx) = mpsc::channel(MAX_AGENTS_PER_LOAD * 4);
        tokio::spawn(run(client, rx));
        ChainLoader { requests }
    }

    /// The stored state of `agent_id`, read with other agents' waiting at the same time.
    pub(super) async fn load(&self, agent_id: &str) -> Result<ChainState, String> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            agent_id: agent_id.to_string(),
            reply,
        };
        self.requests
            .send(request)
            .await
            .map_err(|_| "the state reader stopped".to_string())?;
        answer
            .await
            .unwrap_or_else(|_| Err("the state reader stopped".to_string()))
    }
}

async fn run(client: Client, mut rx: mpsc::Receiver<Request>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_AGENTS_PER_LOAD {
            match rx.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        let mut ids: Vec<String> = group.iter().map(|r| r.agent_id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        match ChainState::load_many(&client, &ids).await {
            Ok(states) => answer(group, &states),
            Err(e) => {
                let error = e.to_string();
                for request in group {
                    let _ = request.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

fn answer(group: Vec<Request>, states: &HashMap<String, ChainState>) {
    for request in group {
        let state = states
            .get(&request.agent_id)
            .cloned()
            .ok_or_else(|| format!("no state read for agent {}", request.agent_id));
        let _ = request.reply.send(state);
    }
}
