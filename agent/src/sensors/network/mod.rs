//! Network activity from packets (`pnet`, AF_PACKET): a `network_connection` event for
//! each new TCP connection (SYN seen) and each new UDP flow, with its direction and the
//! process that owns the local socket; `dns_query` events from DNS answers, whose
//! addresses then name later connections; `network_flow` events with each flow's totals
//! (packets, bytes, duration) when it ends and every minute while it lasts (on loopback
//! each packet is seen twice, so totals are doubled there). The agent's own traffic to its collector is
//! left out. The flow table is bounded and counts what it evicts; packets the sensor
//! cannot keep up with are counted too. Interfaces that appear later are captured within
//! seconds; one that vanishes ends its capture (see [`capture`]).

mod capture;
pub mod dns;
mod flow_key;
mod owners;
pub mod packet;
mod pending;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pnet::datalink::{self, NetworkInterface};
use vigie_model::event::field;
use vigie_model::{Category, EventDraft};

use crate::health::{bump, Counters};
use crate::pipeline::{Item, Sink};
use crate::procfs::{self, sockets};
use crate::queue;
use crate::users::UserNames;
use capture::Captures;
use flow_key::{key, FlowKey};
use owners::Owner;
use packet::{Packet, Proto};
use pending::{Pending, Waiting};

/// Network sensor settings (already validated).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Interfaces to capture on; empty: every interface that is up.
    pub interfaces: Vec<String>,
    /// Capture on loopback too.
    pub loopback: bool,
    /// UDP ports whose traffic is read as DNS.
    pub dns_ports: Vec<u16>,
    /// Endpoints never reported (the collector).
    pub ignore: Vec<SocketAddr>,
    /// Most flows followed at once.
    pub max_flows: usize,
}

/// Packets waiting for the flow table (the buffer is allocated up front: keep it modest).
const PACKET_QUEUE: usize = 8_192;
const UDP_IDLE: Duration = Duration::from_secs(60);
const TCP_IDLE: Duration = Duration::from_secs(300);
const MAX_NAMES: usize = 65_536;
/// How often interfaces are listed again, to capture new ones.
const RESCAN_EVERY: Duration = Duration::from_secs(3);
/// A long flow's totals are reported this often, not only when it ends.
const REPORT_EVERY: Duration = Duration::from_secs(60);

/// One followed flow: what its connection event said, and its totals.
struct Flow {
    fields: serde_json::Map<String, serde_json::Value>,
    started: Instant,
    last: Instant,
    last_report: Instant,
    packets: u64,
    bytes: u64,
}

/// The network sensor.
pub struct NetworkSensor {
    settings: Settings,
    sink: Sink,
    counters: Arc<Counters>,
    users: UserNames,
    flows: HashMap<FlowKey, Flow>,
    names: HashMap<IpAddr, String>,
    local: HashSet<IpAddr>,
    owners: HashMap<u64, u32>,
    owners_scanned: Instant,
    /// Sockets no scan found an owner for (gone, or another namespace's): not searched
    /// again. Bounded; cleared when full.
    unowned: HashSet<u64>,
    /// Connections and their programs from eBPF (none when unavailable).
    opened: Option<Arc<owners::OwnerTable>>,
    /// Events of connections this host opened, waiting for eBPF's record.
    pending: Pending,
}

/// Fewest milliseconds between two scans of every process's sockets.
const OWNER_SCAN_MS: u64 = 100;
/// Most sockets remembered as without owner.
const MAX_UNOWNED: usize = 4096;

impl NetworkSensor {
    /// A sensor with `settings`.
    pub fn new(settings: Settings, sink: Sink, counters: Arc<Counters>) -> NetworkSensor {
        NetworkSensor {
            settings,
            sink,
            counters,
            users: UserNames::default(),
            flows: HashMap::new(),
            names: HashMap::new(),
            local: HashSet::new(),
            owners: HashMap::new(),
            owners_scanned: Instant::now() - Duration::from_secs(60),
            unowned: HashSet::new(),
            opened: None,
            pending: Pending::default(),
        }
    }

    /// Of `all`, the interfaces the settings ask to capture.
    fn chosen(&self, all: Vec<NetworkInterface>) -> Vec<NetworkInterface> {
        all.into_iter()
            .filter(|i| {
                if self.settings.interfaces.is_empty() {
                    i.is_up() && (self.settings.loopback || !i.is_loopback())
                } else {
                    self.settings.interfaces.contains(&i.name)
                }
            })
            .collect()
    }

    /// Runs until `stop` is set. Blocks: call it on its own thread.
    fn run_until(mut self, stop: Arc<AtomicBool>) {
        let (tx, rx) = queue::bounded::<Packet>(PACKET_QUEUE);
        let mut captures = Captures::new(
            tx,
            stop.clone(),
            self.counters.clone(),
            self.settings.dns_ports.clone(),
        );
        let owners_stop = crate::ebpf::StopOnDrop::new();
        self.opened = owners::start(owners_stop.0.clone(), self.counters.clone());
        self.counters
            .set_network_owners_mode(if self.opened.is_some() {
                "ebpf"
            } else {
                "proc"
            });
        let count = self.rescan(&mut captures);
        tracing::info!(interfaces = count, "network capture started");
        self.process(rx, stop, &mut captures);
    }

    /// Brings the captures and the local addresses in line with the interfaces there
    /// are now; returns how many are captured.
    fn rescan(&mut self, captures: &mut Captures) -> usize {
        let all = datalink::interfaces();
        self.local = all
            .iter()
            .flat_map(|i| i.ips.iter().map(|n| n.ip()))
            .collect();
        let count = captures.sync(&self.chosen(all));
        self.counters
            .network_interfaces
            .store(count as u64, Ordering::Relaxed);
        count
    }

    fn process(
        &mut self,
        rx: queue::Receiver<Packet>,
        stop: Arc<AtomicBool>,
        captures: &mut Captures,
    ) {
        let mut last_sweep = Instant::now();
        let mut last_rescan = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            // Held events are looked at often; otherwise wake for the timers only.
            let tick = if self.pending.is_empty() {
                Duration::from_millis(200)
            } else {
                Duration::from_millis(20)
            };
            match rx.recv_timeout(tick) {
                Ok(p) => {
                    if !self.on_packet(p) {
                        return;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if !self.send_due() {
                return;
            }
            if last_rescan.elapsed() >= RESCAN_EVERY {
                self.rescan(captures);
                last_rescan = Instant::now();
            }
            if last_sweep.elapsed() >= Duration::from_secs(10) {
                let idle: Vec<FlowKey> = self
                    .flows
                    .iter()
                    .filter(|(k, f)| {
                        f.last.elapsed()
                            >= if k.0 == Proto::Tcp {
                                TCP_IDLE
                            } else {
                                UDP_IDLE
                            }
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in idle {
                    if let Some(flow) = self.flows.remove(&k) {
                        if !self.flow_event(&k, &flow, "idle") {
                            return;
                        }
                    }
                }
                last_sweep = Instant::now();
            }
        }
        // Stopping: what is held leaves now, with what `/proc` still knows.
        for w in self.pending.drain() {
            if !self.settle(w, None) {
                return;
            }
        }
    }

    /// Sends the held events that can leave; false when the pipeline is gone.
    fn send_due(&mut self) -> bool {
        let Some(table) = self.opened.clone() else {
            return true;
        };
        for (w, owner) in self.pending.due(&table) {
            if !self.settle(w, owner) {
                return false;
            }
        }
        true
    }

    /// Sends a held event and those of its flow behind it, with its program: `owner`
    /// from eBPF, else from `/proc`. False when the pipeline is gone.
    fn settle(&mut self, w: Waiting, owner: Option<Owner>) -> bool {
        let owner = owner.or_else(|| self.proc_owner(w.proto, w.local));
        let mut drafts = vec![w.draft];
        drafts.extend(w.then);
        for draft in drafts {
            let draft = self.with_found_owner(draft, owner.as_ref());
            bump(&self.counters.network_events);
            if self.sink.blocking_send(Item::Event(draft)).is_err() {
                return false;
            }
        }
        if let (Some(key), Some(owner)) = (&w.flow, &owner) {
            if let Some(mut flow) = self.flows.remove(key) {
                let mut draft = EventDraft::now(Category::NetworkConnection);
                draft.fields = std::mem::take(&mut flow.fields);
                flow.fields = self.with_found_owner(draft, Some(owner)).fields;
                self.flows.insert(key.clone(), flow);
            }
        }
        true
    }

    fn ignored(&self, p: &Packet) -> bool {
        self.settings
            .ignore
            .iter()
            .any(|a| *a == p.src || *a == p.dst)
    }

    /// Handles one packet; false when the pipeline is gone.
    fn on_packet(&mut self, p: Packet) -> bool {
        if self.ignored(&p) {
            return true;
        }
        if p.proto == Proto::Udp && !p.payload.is_empty() {
            if let Some(response) = dns::parse_response(&p.payload) {
                if !self.dns_event(&p, response) {
                    return false;
                }
            }
        }
        let k = key(&p);
        if let Some(flow) = self.flows.get_mut(&k) {
            flow.packets += 1;
            flow.bytes += p.bytes as u64;
            flow.last = Instant::now();
            if p.closing {
                let flow = self.flows.remove(&k).expect("present");
                return self.flow_event(&k, &flow, "ended");
            }
            if flow.last_report.elapsed() >= REPORT_EVERY {
                flow.last_report = Instant::now();
                let snapshot = Flow {
                    fields: flow.fields.clone(),
                    started: flow.started,
                    last: flow.last,
                    last_report: flow.last_report,
                    packets: flow.packets,
                    bytes: flow.bytes,
                };
                return self.flow_event(&k, &snapshot, "ongoing");
            }
            return true;
        }
        // A TCP flow is followed from its first SYN, so its direction is known.
        if p.closing || (p.proto == Proto::Tcp && !p.syn_only) {
            return true;
        }
        if self.flows.len() >= self.settings.max_flows {
            let oldest = self
                .flows
                .iter()
                .min_by_key(|(_, f)| f.last)
                .map(|(k, _)| k.clone());
            if let Some(o) = oldest {
                let flow = self.flows.remove(&o).expect("present");
                bump(&self.counters.network_flows_evicted);
                if !self.flow_event(&o, &flow, "evicted") {
                    return false;
                }
            }
        }
        let Some(fields) = self.connection_event(&p, &k) else {
            return false;
        };
        let now = Instant::now();
        self.flows.insert(
            k,
            Flow {
                fields,
                started: now,
                last: now,
                last_report: now,
                packets: 1,
                bytes: p.bytes as u64,
            },
        );
        true
    }

    /// Reports a flow's totals (`reason`: ended, idle, evicted, ongoing), behind its
    /// connection event when that one is held.
    fn flow_event(&mut self, key: &FlowKey, flow: &Flow, reason: &str) -> bool {
        let mut draft = EventDraft::now(Category::NetworkFlow);
        draft.fields = flow.fields.clone();
        draft = draft
            .with(
                field::ACTION,
                if reason == "ongoing" {
                    "ongoing"
                } else {
                    "ended"
                },
            )
            .with(field::END_REASON, reason)
            .with(field::PACKETS, flow.packets)
            .with(field::BYTES, flow.bytes)
            .with(
                field::DURATION_MS,
                flow.last.duration_since(flow.started).as_millis() as u64,
            );
        let Some(draft) = self.pending.defer(key, draft) else {
            return true;
        };
        bump(&self.counters.network_events);
        self.sink.blocking_send(Item::Event(draft)).is_ok()
    }

    /// Reports a new connection (or holds it for its program); returns its fields (kept
    /// for the flow's totals), or `None` when the pipeline is gone.
    fn connection_event(
        &mut self,
        p: &Packet,
        key: &FlowKey,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let initiated = self.local.contains(&p.src.ip());
        let local = if initiated { p.src } else { p.dst };
        let mut draft = EventDraft::now(Category::NetworkConnection)
            .with(field::PROTOCOL, p.proto.as_str())
            .with(field::INITIATED, if initiated { "true" } else { "false" })
            .with(field::SOURCE_IP, p.src.ip().to_string())
            .with(field::DESTINATION_IP, p.dst.ip().to_string());
        if let Some(name) = self.names.get(&p.dst.ip()) {
            draft = draft.with(field::DESTINATION_HOSTNAME, name.clone());
        }
        if let Some((kind, code)) = p.icmp {
            // No ports, no socket to own it: ping is seen as a process anyway.
            draft = draft
                .with(field::ICMP_TYPE, kind)
                .with(field::ICMP_CODE, code);
        } else {
            draft = draft
                .with(field::SOURCE_PORT, p.src.port())
                .with(field::DESTINATION_PORT, p.dst.port());
            let remote = if initiated { p.dst } else { p.src };
            match self.with_owner(draft, p.proto, local, remote, initiated) {
                Ok(found) => draft = found,
                Err(held) => {
                    let fields = held.fields.clone();
                    let w = Waiting::new(held, p.proto, local, remote, Some(key.clone()));
                    return self.hold(w).then_some(fields);
                }
            }
        }
        bump(&self.counters.network_events);
        let fields = draft.fields.clone();
        self.sink
            .blocking_send(Item::Event(draft))
            .ok()
            .map(|()| fields)
    }

    /// Holds `w` for its record; false when the pipeline is gone.
    fn hold(&mut self, w: Waiting) -> bool {
        match self.pending.hold(w) {
            Some(oldest) => self.settle(oldest, None),
            None => true,
        }
    }

    fn dns_event(&mut self, p: &Packet, r: dns::Response) -> bool {
        for ip in &r.addresses {
            if self.names.len() >= MAX_NAMES {
                self.names.clear();
            }
            self.names.insert(*ip, r.name.clone());
        }
        // The response goes to the client that asked.
        let draft = EventDraft::now(Category::DnsQuery)
            .with(field::QUERY_NAME, r.name.clone())
            .with(field::QUERY_TYPE, r.qtype.clone())
            .with(field::QUERY_RESULTS, r.results.join(";"))
            .with(field::DESTINATION_IP, p.src.ip().to_string())
            .with(field::DESTINATION_PORT, p.src.port());
        match self.with_owner(draft, Proto::Udp, p.dst, p.src, true) {
            Ok(found) => {
                bump(&self.counters.network_events);
                self.sink.blocking_send(Item::Event(found)).is_ok()
            }
            Err(held) => self.hold(Waiting::new(held, Proto::Udp, p.dst, p.src, None)),
        }
    }

    /// Adds the process owning the local socket `local` talking to `remote`: from eBPF's
    /// record of the call that opened it, else from `/proc`. A connection this host
    /// `initiated` whose record is not read yet comes back as `Err`, to be held.
    fn with_owner(
        &mut self,
        draft: EventDraft,
        proto: Proto,
        local: SocketAddr,
        remote: SocketAddr,
        initiated: bool,
    ) -> Result<EventDraft, EventDraft> {
        let owner = match &self.opened {
            Some(table) => match table.owner(proto, local, remote) {
                Some(owner) => Some(owner),
                None if initiated => return Err(draft),
                None => self.proc_owner(proto, local),
            },
            None => self.proc_owner(proto, local),
        };
        Ok(self.with_found_owner(draft, owner.as_ref()))
    }

    /// `draft` with `owner`'s process id, program and user.
    fn with_found_owner(&mut self, mut draft: EventDraft, owner: Option<&Owner>) -> EventDraft {
        let Some(owner) = owner else { return draft };
        draft = draft.with(field::PROCESS_ID, owner.pid);
        if let Some(ppid) = owner.ppid {
            draft = draft.with(field::PARENT_PROCESS_ID, ppid);
        }
        if !owner.image.is_empty() {
            draft = draft.with(field::IMAGE, owner.image.clone());
        }
        if let Some(uid) = owner.uid {
            draft = draft.with(field::USER, self.users.name(uid));
        }
        draft
    }

    /// The process holding the local socket `local` in `/proc`, if it is there.
    fn proc_owner(&mut self, proto: Proto, local: SocketAddr) -> Option<Owner> {
        let protocol = match proto {
            Proto::Tcp => sockets::Protocol::Tcp,
            Proto::Udp => sockets::Protocol::Udp,
            Proto::Icmp => return None,
        };
        let inode = sockets::inode_of(protocol, local)?;
        let mut pid = self.owners.get(&inode).copied();
        // A socket we have not seen: rescan /proc/*/fd, at most every 100 ms — waiting
        // out the rest of the interval rather than giving up, or a connection opened just
        // after a scan would lose its program. A socket no scan finds is not searched
        // again.
        if pid.is_none() && !self.unowned.contains(&inode) {
            let since = self.owners_scanned.elapsed();
            let interval = Duration::from_millis(OWNER_SCAN_MS);
            if since < interval {
                std::thread::sleep(interval - since);
            }
            self.owners = procfs::sockets::owners(Path::new("/proc"), None);
            self.owners_scanned = Instant::now();
            pid = self.owners.get(&inode).copied();
            if pid.is_none() {
                if self.unowned.len() >= MAX_UNOWNED {
                    self.unowned.clear();
                }
                self.unowned.insert(inode);
            }
        }
        let pid = pid?;
        let info = procfs::process::read(Path::new("/proc"), pid);
        Some(Owner {
            pid,
            uid: info.uid,
            ppid: info.ppid,
            image: info.image.unwrap_or_default(),
        })
    }
}

impl crate::sensors::sensor::Sensor for NetworkSensor {
    fn name(&self) -> &'static str {
        "vigie-network"
    }

    fn run(self: Box<Self>, stop: Arc<AtomicBool>) {
        (*self).run_until(stop)
    }
}
