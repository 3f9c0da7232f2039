//! Host inventory: what this machine is (OS, kernel, CPU, memory, disks, network
//! interfaces and their addresses, listening ports), at start and every few hours.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sysinfo::{Disks, Networks, System};
use vigie_model::{Category, EventDraft};

use crate::pipeline::{Item, Sink};

/// How often the inventory is sent again.
pub const EVERY: Duration = Duration::from_secs(6 * 3600);

/// Builds one `host_inventory` event.
pub fn inventory() -> EventDraft {
    let mut draft = EventDraft::now(Category::HostInventory)
        .with("Os", System::long_os_version().unwrap_or_default())
        .with("OsName", System::name().unwrap_or_default())
        .with("OsVersion", System::os_version().unwrap_or_default())
        .with("Kernel", System::kernel_version().unwrap_or_default())
        .with("Hostname", System::host_name().unwrap_or_default())
        .with("Architecture", System::cpu_arch());
    if let Ok(mut system) = System::new() {
        system.refresh_memory();
        system.refresh_cpu_list(sysinfo::CpuRefreshKind::nothing());
        let cpus = system.cpus();
        draft = draft
            .with(
                "CpuModel",
                cpus.first()
                    .map(|c| c.brand().trim().to_string())
                    .unwrap_or_default(),
            )
            .with("CpuThreads", cpus.len())
            .with(
                "CpuCores",
                System::physical_core_count().unwrap_or(cpus.len()),
            )
            .with("MemoryBytes", system.total_memory());
    }
    if let Ok(disks) = Disks::new_with_refreshed_list() {
        let list: Vec<_> = disks
            .iter()
            .map(|d| {
                json!({
                    "Mount": d.mount_point().to_string_lossy(),
                    "FileSystem": d.file_system().to_string_lossy(),
                    "TotalBytes": d.total_space(),
                    "AvailableBytes": d.available_space(),
                })
            })
            .collect();
        draft = draft.with("Disks", list);
    }
    if let Ok(networks) = Networks::new_with_refreshed_list() {
        let mut list: Vec<_> = networks
            .iter()
            .map(|(name, data)| {
                json!({
                    "Name": name.to_string_lossy(),
                    "Mac": data.mac_address().to_string(),
                    "Addresses": data.ip_networks().iter().map(|n| format!("{}/{}", n.addr, n.prefix)).collect::<Vec<_>>(),
                })
            })
            .collect();
        list.sort_by(|a, b| a["Name"].as_str().cmp(&b["Name"].as_str()));
        draft = draft.with("Interfaces", list);
    }
    let mut ports: Vec<_> = super::listen::listeners(Path::new("/proc"))
        .into_iter()
        .map(|l| format!("{}/{}:{}", l.protocol, l.ip, l.port))
        .collect();
    ports.sort();
    ports.dedup();
    draft.with("ListeningPorts", ports)
}

/// The inventory sensor.
pub struct InventorySensor {
    sink: Sink,
}

impl InventorySensor {
    /// A sensor sending to `sink`.
    pub fn new(sink: Sink) -> InventorySensor {
        InventorySensor { sink }
    }
}

impl super::sensor::Sensor for InventorySensor {
    fn name(&self) -> &'static str {
        "vigie-inventory"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        run(self.sink, stop)
    }
}

/// Sends the inventory now and every [`EVERY`] until `stop` is set.
fn run(sink: Sink, stop: Arc<AtomicBool>) {
    let mut next = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        if Instant::now() >= next {
            if sink.blocking_send(Item::Event(inventory())).is_err() {
                return;
            }
            next = Instant::now() + EVERY;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn describes_this_host() {
        let event = super::inventory();
        let f = &event.fields;
        assert!(!f["Kernel"].as_str().unwrap().is_empty());
        assert!(f["MemoryBytes"].as_u64().unwrap() > 0);
        assert!(f["CpuThreads"].as_u64().unwrap() >= 1);
        let interfaces = f["Interfaces"].as_array().unwrap();
        let lo = interfaces
            .iter()
            .find(|i| i["Name"] == "lo")
            .expect("loopback listed");
        assert!(
            lo["Addresses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "127.0.0.1/8"),
            "{lo}"
        );
        assert!(f["Disks"].is_array() && f["ListeningPorts"].is_array());
    }
}
