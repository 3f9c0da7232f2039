//! The agent's sensors. Each runs on its own and pushes events into the pipeline.

pub mod file;
pub mod inventory;
pub mod listen;
pub mod network;
pub mod process;
