//! What a sensor is to the supervisor, and what every sensor is given.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::health::Counters;
use crate::pipeline::Sink;
use crate::throttle::Throttle;

/// One source of events, run on a thread of its own (sensors block on files, sockets and
/// `/proc`).
pub trait Sensor: Send {
    /// The thread's name, `vigie-…`, also used in logs.
    fn name(&self) -> &'static str;
    /// Runs until `stop` is set or the pipeline closes, saving any state before returning.
    fn run(self: Box<Self>, stop: Arc<AtomicBool>);
}

/// What every sensor is given: where events go, the counters, the reading budget.
#[derive(Clone)]
pub struct Context {
    /// The pipeline into the batcher.
    pub sink: Sink,
    /// The agent's counters.
    pub counters: Arc<Counters>,
    /// The reading budget shared by everything that hashes files.
    pub throttle: Arc<Throttle>,
}
