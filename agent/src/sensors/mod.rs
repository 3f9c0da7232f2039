//! The agent's sensors. Each is a [`Sensor`]: built from the configuration by
//! [`configured`], run on its own thread by the [`crate::supervisor`], and stopped by a
//! shared flag. Sensors push events into the pipeline and count what they drop.

pub mod file;
pub mod inventory;
pub mod listen;
pub mod network;
pub mod process;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::config::AgentConfig;
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

/// The file sensor's saved state: its baseline, as loaded and caught up from the spool.
pub struct FileState {
    /// The baseline (none on a first run or with `--print`).
    pub baseline: Option<file::Baseline>,
    /// Where the baseline is saved (none with `--print`).
    pub path: Option<PathBuf>,
}

/// Every sensor `config` enables, ready to run.
pub fn configured(
    config: &AgentConfig,
    context: &Context,
    files: FileState,
) -> Vec<Box<dyn Sensor>> {
    let mut sensors: Vec<Box<dyn Sensor>> = Vec::new();
    if config.fim.enabled {
        sensors.push(Box::new(file::FileSensor::new(
            config.fim.clone(),
            files.baseline,
            files.path,
            context.sink.clone(),
            context.counters.clone(),
            context.throttle.clone(),
        )));
    }
    if config.process.enabled {
        sensors.push(Box::new(process::ProcessSensor::new(
            context.sink.clone(),
            context.counters.clone(),
            context.throttle.clone(),
            config.process.connector,
        )));
    }
    if config.process.listeners {
        let interval = std::time::Duration::from_secs(config.process.listen_interval_secs.max(1));
        sensors.push(Box::new(listen::ListenSensor::new(
            context.sink.clone(),
            context.counters.clone(),
            interval,
        )));
    }
    if config.network.enabled {
        let settings = network::Settings {
            interfaces: config.network.interfaces.clone(),
            loopback: config.network.loopback,
            dns_ports: config.network.dns_ports.clone(),
            ignore: crate::collector_url::endpoints(&config.collector.url),
            max_flows: config.network.max_flows.max(1),
        };
        sensors.push(Box::new(network::NetworkSensor::new(
            settings,
            context.sink.clone(),
            context.counters.clone(),
        )));
    }
    sensors.push(Box::new(inventory::InventorySensor::new(
        context.sink.clone(),
    )));
    sensors
}
