//! Vigie's built-in detectors, which need no rule file.

mod fim_change;

pub use fim_change::FimChange;
