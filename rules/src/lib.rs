//! Vigie's detection brain: events in, detections out.
//!
//! The crate is pure: no files, sockets or clocks. The collector hands each stored event
//! to an [`Engine`], which asks every [`Detector`] it holds. Today the engine carries the
//! built-in file integrity rule; the Sigma engine, correlation and threat indicators plug
//! in as further detectors through the same trait.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod builtin;
pub mod detection;
pub mod document;
pub mod engine;
pub mod indicators;
pub mod net;
pub mod pack;
pub mod sigma;

pub use detection::{Detection, RuleInfo, Severity};
pub use document::Document;
pub use engine::{Detector, Engine};
