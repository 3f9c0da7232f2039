//! The agent's sensors. Each is a [`Sensor`]: built from the configuration by
//! [`configured`], run on its own thread by the [`crate::supervisor`], and stopped by a
//! shared flag. Sensors push events into the pipeline and count what they drop.

pub mod file;
pub mod inventory;
pub mod listen;
pub mod logs;
pub mod network;
pub mod process;
pub mod reads;
mod sensor;

pub use sensor::{Context, Sensor};

use crate::config::AgentConfig;

/// Every sensor `config` enables, ready to run.
pub fn configured(
    config: &AgentConfig,
    context: &Context,
    files: file::Saved,
    logs: logs::Saved,
    journal: logs::journal::Saved,
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
            process::Sources {
                ebpf: config.process.ebpf,
                audit: config.process.audit,
                connector: config.process.connector,
            },
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
    if config.logs.enabled {
        if logs::reads_journal(&config.logs) {
            sensors.push(Box::new(logs::journal::JournalSensor::new(
                config.logs.journal_directory.clone(),
                journal,
                context.sink.clone(),
                context.counters.clone(),
                config.logs.admin_groups.clone(),
            )));
        }
        sensors.push(Box::new(logs::LogSensor::new(
            config.logs.clone(),
            logs,
            context.sink.clone(),
            context.counters.clone(),
        )));
    }
    if config.reads.enabled {
        sensors.push(Box::new(reads::ReadSensor::new(
            config.reads.clone(),
            context.sink.clone(),
            context.counters.clone(),
        )));
    }
    sensors.push(Box::new(inventory::InventorySensor::new(
        context.sink.clone(),
    )));
    sensors
}
