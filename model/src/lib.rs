//! Vigie's shared model: the event envelope, the agent → collector wire format, and the
//! French/English message catalogue.
//!
//! This crate does no I/O. The agent depends on it instead of on any server crate, so the
//! agent binary stays small; the collector and dashboard use the same types, so both ends
//! of the wire agree by construction. The format is described for humans in
//! `docs/wire-format.md`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod agent_config;
pub mod enroll;
pub mod event;
pub mod exception;
pub mod field_labels;
pub mod glob;
pub mod hex;
pub mod i18n;
pub mod report_sig;
pub mod time;
pub mod vocabulary;
pub mod wire;

pub use event::{Category, Event, EventDraft};
pub use i18n::Lang;
pub use vocabulary::{AckStatus, AlertStatus, Severity};
