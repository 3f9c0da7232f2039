//! The audit trail: every action of a person or an administrator process, as rows of
//! `audit_log` forming hash chains. Each writer (the dashboard, the collector, the
//! command line) keeps a chain of its own, so one process's rows never race another's:
//! a row carries its chain, a sequence number, the SHA-256 of the previous row of its
//! chain, the SHA-256 of its own content and that link, and its writer's signature of
//! that hash. Keys and each chain's last row ("tip") live outside ClickHouse, in the
//! [`anchor`] folder, so someone who can write the database can neither rewrite rows
//! (the signatures fail) nor drop the newest ones (they fall short of the tip).
//! [`verify`] walks a chain and names the first row altered, deleted, inserted or
//! forged. Retention drops old partitions only after writing, in the collector's chain,
//! a signed checkpoint row per chain that anchors what remains of it.

pub mod anchor;
mod log;
pub mod triage;
mod verify;

use clickhouse::Row;
use serde::{Deserialize, Serialize};

pub use anchor::{Anchors, AuditDir};
pub use log::AuditLog;
pub use verify::{chains, checkpoint_details, verify, walk, Verdict};

/// The `prev_hash` of a chain's first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The action of retention checkpoints.
pub const CHECKPOINT: &str = "retention_checkpoint";
/// The action of the first signed row of a chain written before rows were signed: its
/// signature vouches for the unsigned rows it links back to.
pub const SIGNING_STARTED: &str = "audit_signing_started";
/// The action of the collector's record of a partition retention dropped.
pub const RETENTION_DROPPED: &str = "retention_dropped";
/// The action of the dashboard's record of a triage request.
pub const TRIAGE: &str = "triage";
/// The only chain whose checkpoints are believed.
pub const CHECKPOINT_CHAIN: &str = "collector";

/// A row of `audit_log`.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct AuditRow {
    /// Day of `ts`: the partition (retention drops whole months).
    pub date: u16,
    /// The writer's chain: `dashboard`, `collector`, `cli`.
    pub chain: String,
    /// Position in the chain, from 1, without gaps.
    pub seq: u64,
    /// When (ms).
    pub ts: u64,
    /// Who: a user name, or the process for automatic actions.
    pub actor: String,
    /// What: `login`, `login_failed`, `triage`, `user_created`…
    pub action: String,
    /// On what: an alert, a user, an agent, a file…
    pub target: String,
    /// The rest, as JSON.
    pub details: String,
    /// `hash` of the previous row of the chain ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 of this row's content and `prev_hash`.
    pub hash: String,
    /// The writer's Ed25519 signature (hex) of `hash` (empty on rows written before
    /// rows were signed).
    pub signature: String,
}

impl AuditRow {
    /// The hash this row must carry: SHA-256 over every field but `hash` and `date`,
    /// each preceded by its length so that no two rows share an encoding.
    pub fn expected_hash(&self) -> String {
        let mut text = String::from("vigie-audit-v1");
        for field in [
            self.chain.as_str(),
            &self.seq.to_string(),
            &self.ts.to_string(),
            &self.actor,
            &self.action,
            &self.target,
            &self.details,
            &self.prev_hash,
        ] {
            text.push_str(&format!("\n{}:{field}", field.len()));
        }
        vigie_model::hex::sha256(text.as_bytes())
    }
}
