//! Vigie's detection brain: events in, detections out.
//!
//! The crate is pure: no files, sockets or clocks. The collector hands each stored event
//! to an [`Engine`], which asks every [`Detector`] it holds: the built-in file integrity
//! rule, the Sigma rules (one routed, prefiltered [`sigma::RuleSet`]), correlations and
//! threat-indicator lists. Sigma rules are parsed, then compiled, then evaluated
//! ([`sigma`]); correlation rules are parsed apart from the state they keep.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod builtin;
pub mod detection;
pub mod detector;
pub mod document;
pub mod engine;
pub mod indicators;
pub mod net;
pub mod pack;
pub mod sigma;

pub use detection::{Detection, RuleInfo, Severity};
pub use detector::Detector;
pub use document::Document;
pub use engine::Engine;
