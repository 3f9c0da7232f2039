//! Events of connections this host opened, held until their program is known. eBPF
//! writes the record of a `connect()` when the call returns — one round trip after the
//! SYN the sensor sees — and its reader thread may wait for a core on a busy machine.
//! So such an event waits for its record up to [`SETTLE_AFTER`], counted on the
//! reader's progress (a reader that lags makes the wait longer, never the answer
//! wrong); after that, `/proc` is asked. Later events of the same flow wait behind it,
//! so they leave in order and carry the program too.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use vigie_model::EventDraft;

use super::flow_key::FlowKey;
use super::owners::{Owner, OwnerTable};
use super::packet::Proto;

/// How long an event waits for its record (a slow link's handshake included).
pub(super) const SETTLE_AFTER: Duration = Duration::from_secs(1);
/// Longest wait whatever the reader's lag.
const GIVE_UP_AFTER: Duration = Duration::from_secs(10);
/// Most events held at once; past it the oldest is settled at once (from `/proc`).
const MAX_WAITING: usize = 4_096;

/// One held event and what identifies its connection.
pub(super) struct Waiting {
    /// The connection (or DNS) event.
    pub draft: EventDraft,
    pub proto: Proto,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    /// The flow it opened, whose later events wait behind it.
    pub flow: Option<FlowKey>,
    /// Events of that flow that came meanwhile, in order.
    pub then: Vec<EventDraft>,
    since: Instant,
}

impl Waiting {
    pub(super) fn new(
        draft: EventDraft,
        proto: Proto,
        local: SocketAddr,
        remote: SocketAddr,
        flow: Option<FlowKey>,
    ) -> Waiting {
        Waiting {
            draft,
            proto,
            local,
            remote,
            flow,
            then: Vec::new(),
            since: Instant::now(),
        }
    }
}

/// The held events, oldest first.
#[derive(Default)]
pub(super) struct Pending {
    waiting: BTreeMap<u64, Waiting>,
    by_flow: HashMap<FlowKey, u64>,
    next: u64,
}

impl Pending {
    pub(super) fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Holds `w`; returns the oldest held event when there was no room for both (to
    /// settle now).
    pub(super) fn hold(&mut self, w: Waiting) -> Option<Waiting> {
        let evicted = if self.waiting.len() >= MAX_WAITING {
            self.take_first()
        } else {
            None
        };
        if let Some(flow) = &w.flow {
            self.by_flow.insert(flow.clone(), self.next);
        }
        self.waiting.insert(self.next, w);
        self.next += 1;
        evicted
    }

    /// Queues `draft` behind its flow's held connection event; gives it back when that
    /// event is not held.
    pub(super) fn defer(&mut self, flow: &FlowKey, draft: EventDraft) -> Option<EventDraft> {
        match self.by_flow.get(flow).and_then(|n| self.waiting.get_mut(n)) {
            Some(w) => {
                w.then.push(draft);
                None
            }
            None => Some(draft),
        }
    }

    /// Takes the events that can leave now, oldest first, each with its program when
    /// the record came: those whose record was read, and those whose record would
    /// have been read by now.
    pub(super) fn due(&mut self, table: &OwnerTable) -> Vec<(Waiting, Option<Owner>)> {
        let mut ready = Vec::new();
        let mut done = Vec::new();
        for (n, w) in &self.waiting {
            let owner = table.owner(w.proto, w.local, w.remote);
            let waited = w.since.elapsed();
            if owner.is_some()
                || waited >= GIVE_UP_AFTER
                || (waited >= SETTLE_AFTER && table.caught_up_after(w.since + SETTLE_AFTER))
            {
                done.push(*n);
                ready.push(owner);
            }
        }
        done.into_iter()
            .zip(ready)
            .filter_map(|(n, owner)| self.remove(n).map(|w| (w, owner)))
            .collect()
    }

    /// Takes every held event (when the sensor stops).
    pub(super) fn drain(&mut self) -> Vec<Waiting> {
        std::iter::from_fn(|| self.take_first()).collect()
    }

    fn take_first(&mut self) -> Option<Waiting> {
        let n = *self.waiting.keys().next()?;
        self.remove(n)
    }

    fn remove(&mut self, n: u64) -> Option<Waiting> {
        let w = self.waiting.remove(&n)?;
        if let Some(flow) = &w.flow {
            if self.by_flow.get(flow) == Some(&n) {
                self.by_flow.remove(flow);
            }
        }
        Some(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_model::Category;

    fn waiting(port: u16) -> Waiting {
        let local: SocketAddr = format!("10.0.0.1:{port}").parse().unwrap();
        let remote: SocketAddr = "10.0.0.2:443".parse().unwrap();
        let flow = FlowKey(Proto::Tcp, local, remote);
        Waiting::new(
            EventDraft::now(Category::NetworkConnection),
            Proto::Tcp,
            local,
            remote,
            Some(flow),
        )
    }

    #[test]
    fn an_event_waits_while_the_reader_lags_and_leaves_once_it_caught_up() {
        let table = OwnerTable::default();
        let mut pending = Pending::default();
        assert!(pending.hold(waiting(40000)).is_none());
        let flow = FlowKey(
            Proto::Tcp,
            "10.0.0.1:40000".parse().unwrap(),
            "10.0.0.2:443".parse().unwrap(),
        );
        assert!(
            pending
                .defer(&flow, EventDraft::now(Category::NetworkFlow))
                .is_none(),
            "the flow's end waits behind its connection"
        );
        std::thread::sleep(SETTLE_AFTER + Duration::from_millis(50));
        assert!(
            pending.due(&table).is_empty(),
            "the reader has not read past the wait: the record may still come"
        );
        table.note_caught_up(Instant::now());
        let due = pending.due(&table);
        assert_eq!(due.len(), 1);
        assert!(due[0].1.is_none(), "no record: /proc is asked");
        assert_eq!(due[0].0.then.len(), 1);
        assert!(pending.is_empty());
        assert!(
            pending
                .defer(&flow, EventDraft::now(Category::NetworkFlow))
                .is_some(),
            "nothing held any more: sent at once"
        );
    }

    #[test]
    fn a_full_hold_settles_its_oldest_event() {
        let mut pending = Pending::default();
        for port in 0..MAX_WAITING as u16 {
            assert!(pending.hold(waiting(port)).is_none());
        }
        let oldest = pending.hold(waiting(60000)).expect("no room");
        assert_eq!(oldest.local.port(), 0);
        assert_eq!(pending.drain().len(), MAX_WAITING);
    }
}
