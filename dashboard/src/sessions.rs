//! Sessions and login throttling, in memory. A restart signs everyone out.
//!
//! Failed sign-ins are counted per source address and per (user name, source), never per
//! user name alone: a client spraying names is slowed, and nobody can lock a real user out
//! from another address. The table of failures is bounded; when it is full, expired
//! entries go first, then the oldest, and the evictions are counted in the log.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// Login name.
    pub username: String,
    /// admin, analyst or auditor.
    pub role: String,
    /// Token every state-changing form must carry.
    pub csrf: String,
    expires: Instant,
}

/// Failed logins allowed per (user name, source) per window before refusing for the window.
const MAX_FAILURES: u32 = 5;
/// Failed logins allowed per source address per window, whatever the names.
const MAX_SOURCE_FAILURES: u32 = 20;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// Most (user, source) and source entries kept.
const MAX_FAILURE_ENTRIES: usize = 10_000;

/// Whose failures an entry counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// One address, whatever the names.
    Source(IpAddr),
    /// One name from one address.
    UserAt(String, IpAddr),
}

/// All sessions and recent login failures.
pub struct Sessions {
    lifetime: Duration,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
    evicted: std::sync::atomic::AtomicU64,
}

/// A random token, 32 bytes as hexadecimal.
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("system random source works");
    vigie_model::hex::encode(&bytes)
}

impl Sessions {
    /// Sessions that expire after `lifetime` without use.
    pub fn new(lifetime: Duration) -> Sessions {
        Sessions {
            lifetime,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            evicted: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Opens a session; returns its cookie value.
    pub fn open(&self, username: &str, role: &str) -> String {
        let id = token();
        let session = Session {
            username: username.to_string(),
            role: role.to_string(),
            csrf: token(),
            expires: Instant::now() + self.lifetime,
        };
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.retain(|_, s| s.expires > Instant::now());
        sessions.insert(id.clone(), session);
        id
    }

    /// The live session `id`, extended.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let session = sessions.get_mut(id)?;
        if session.expires <= Instant::now() {
            sessions.remove(id);
            return None;
        }
        session.expires = Instant::now() + self.lifetime;
        Some(session.clone())
    }

    /// Whether session `id` is still open, without extending it: a live stream that
    /// watches it must not keep an idle session alive.
    pub fn is_live(&self, id: &str) -> bool {
        self.sessions
            .lock()
            .expect("sessions lock")
            .get(id)
            .is_some_and(|s| s.expires > Instant::now())
    }

    /// Closes session `id`.
    pub fn close(&self, id: &str) {
        self.sessions.lock().expect("sessions lock").remove(id);
    }

    /// Closes every session of `username`; returns how many there were.
    pub fn close_all(&self, username: &str) -> usize {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let before = sessions.len();
        sessions.retain(|_, s| s.username != username);
        before - sessions.len()
    }

    /// True when `source`, or `username` from `source`, has failed too often lately.
    pub fn throttled(&self, username: &str, source: IpAddr) -> bool {
        let failures = self.failures.lock().expect("failures lock");
        let over = |key: &Key, max: u32| matches!(failures.get(key), Some((n, since)) if *n >= max && since.elapsed() < FAILURE_WINDOW);
        over(&Key::Source(source), MAX_SOURCE_FAILURES)
            || over(&Key::UserAt(username.to_string(), source), MAX_FAILURES)
    }

    /// Records a failed login for `username` from `source`.
    pub fn failed(&self, username: &str, source: IpAddr) {
        let mut failures = self.failures.lock().expect("failures lock");
        for key in [
            Key::Source(source),
            Key::UserAt(username.to_string(), source),
        ] {
            if !failures.contains_key(&key) && failures.len() >= MAX_FAILURE_ENTRIES {
                self.make_room(&mut failures);
            }
            let entry = failures.entry(key).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= FAILURE_WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    /// Drops expired entries, or else the oldest one, counting what is dropped.
    fn make_room(&self, failures: &mut HashMap<Key, (u32, Instant)>) {
        failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        if failures.len() >= MAX_FAILURE_ENTRIES {
            if let Some(oldest) = failures
                .iter()
                .min_by_key(|(_, (_, since))| *since)
                .map(|(k, _)| k.clone())
            {
                failures.remove(&oldest);
                let n = self
                    .evicted
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    + 1;
                tracing::warn!(
                    evicted = n,
                    "login failure table full: oldest entry dropped"
                );
            }
        }
    }

    /// Forgets failures of `username` from `source` after a success (the source's own
    /// count stays: a success does not excuse a spray).
    pub fn succeeded(&self, username: &str, source: IpAddr) {
        self.failures
            .lock()
            .expect("failures lock")
            .remove(&Key::UserAt(username.to_string(), source));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spray_is_slowed_and_a_real_user_elsewhere_is_not() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let attacker: IpAddr = "192.0.2.1".parse().unwrap();
        let office: IpAddr = "192.0.2.2".parse().unwrap();
        for i in 0..MAX_SOURCE_FAILURES {
            assert!(!sessions.throttled(&format!("name{i}"), attacker));
            sessions.failed(&format!("name{i}"), attacker);
        }
        assert!(
            sessions.throttled("someone-new", attacker),
            "the spray is slowed"
        );
        for _ in 0..MAX_FAILURES {
            sessions.failed("admin", attacker);
        }
        assert!(
            !sessions.throttled("admin", office),
            "admin is not locked out elsewhere"
        );
    }

    #[test]
    fn the_failure_table_stays_bounded() {
        let sessions = Sessions::new(Duration::from_secs(60));
        for i in 0..(MAX_FAILURE_ENTRIES as u32 + 50) {
            let source = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            sessions.failed("x", source);
        }
        assert!(sessions.failures.lock().unwrap().len() <= MAX_FAILURE_ENTRIES);
        assert!(sessions.evicted.load(std::sync::atomic::Ordering::Relaxed) > 0);
    }
}
