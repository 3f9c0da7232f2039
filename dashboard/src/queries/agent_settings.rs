//! Remote agent settings on the SOC side: per group of agents, the `[fim]`, `[process]`,
//! `[network]` and `[logs]` sections agents apply without a restart; which agent is in which
//! group. Settings are checked with the agent's own rules before they are stored; each
//! change gets the next version number, which agents report back.

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use vigie_model::agent_config::{ConfigError, RemoteConfig};
use vigie_store::rows::{AgentConfigRow, AgentGroupRow};
use vigie_store::{Client, StoreError};

/// The group of agents with none assigned.
pub const DEFAULT_GROUP: &str = "default";

/// A group name: 1 to 64 of `a-z 0-9 . _ -`.
pub fn valid_group(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Every group's latest settings, by name.
pub async fn groups(client: &Client) -> Result<Vec<AgentConfigRow>, StoreError> {
    Ok(client
        .query("SELECT ?fields FROM agent_config FINAL ORDER BY group_name")
        .fetch_all()
        .await?)
}

/// Why settings were refused.
#[derive(Debug)]
pub enum Refused {
    /// The group name is not usable.
    BadGroup,
    /// The settings do not pass the agent's checks.
    Invalid(ConfigError),
}

/// Checks and stores `body` as group `group`'s next version; returns the version.
pub async fn save(
    client: &Client,
    group: &str,
    body: &str,
    author: &str,
) -> Result<Result<u64, Refused>, StoreError> {
    if !valid_group(group) {
        return Ok(Err(Refused::BadGroup));
    }
    if let Err(e) = RemoteConfig::from_toml(body) {
        return Ok(Err(Refused::Invalid(e)));
    }
    let last: u64 = client
        .query("SELECT max(version) FROM agent_config WHERE group_name = ?")
        .bind(group)
        .fetch_one()
        .await?;
    let row = AgentConfigRow {
        group_name: group.into(),
        version: last + 1,
        body: body.into(),
        author: author.into(),
        updated_ms: vigie_model::event::now_ms(),
    };
    vigie_store::insert_rows(client, "agent_config", std::slice::from_ref(&row)).await?;
    Ok(Ok(row.version))
}

/// The groups an agent may be put in: the default one and those with settings.
pub async fn group_names(client: &Client) -> Result<Vec<String>, StoreError> {
    let mut names = vec![DEFAULT_GROUP.to_string()];
    for g in groups(client).await? {
        if g.group_name != DEFAULT_GROUP {
            names.push(g.group_name);
        }
    }
    Ok(names)
}

/// Why an agent could not be put in a group.
#[derive(Debug, PartialEq)]
pub enum NotAssigned {
    /// The name is not usable.
    BadName,
    /// No such group: a typo must not make a new, empty group.
    Unknown,
}

/// Puts agent `agent_id` in group `group`, which must exist (see [`group_names`]).
pub async fn assign(
    client: &Client,
    agent_id: &str,
    group: &str,
) -> Result<Result<(), NotAssigned>, StoreError> {
    if !valid_group(group) {
        return Ok(Err(NotAssigned::BadName));
    }
    if !group_names(client).await?.iter().any(|g| g == group) {
        return Ok(Err(NotAssigned::Unknown));
    }
    let row = AgentGroupRow {
        agent_id: agent_id.into(),
        group_name: group.into(),
        updated_ms: vigie_model::event::now_ms(),
    };
    vigie_store::insert_rows(client, "agent_groups", std::slice::from_ref(&row)).await?;
    Ok(Ok(()))
}

/// An agent's group.
#[derive(Debug, Clone, Row, Deserialize, Serialize)]
pub struct Membership {
    /// The agent.
    pub agent_id: String,
    /// Its group.
    pub group_name: String,
}

/// Every agent's group (agents not listed are in [`DEFAULT_GROUP`]).
pub async fn memberships(client: &Client) -> Result<Vec<Membership>, clickhouse::error::Error> {
    client
        .query(
            "SELECT agent_id, argMax(group_name, updated_ms) FROM agent_groups GROUP BY agent_id",
        )
        .fetch_all()
        .await
}
