//! Enrollment: an agent presents a one-time token and its public key, and gets its id.

use serde::{Deserialize, Serialize};

/// What an agent sends to enroll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The enrollment token the operator created (`vigie token create`).
    pub token: String,
    /// The agent's Ed25519 public key, base64.
    pub public_key: String,
    /// The host's name.
    pub hostname: String,
    /// The agent's version.
    pub version: String,
}

/// What the collector answers to a successful enrollment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The id the agent puts on every event from now on.
    pub agent_id: String,
    /// SHA-256 of the registered public key, hexadecimal.
    pub key_fingerprint: String,
}
