//! Sessions and login throttling, in memory. A restart signs everyone out.

use std::collections::HashMap;
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

/// Failed logins allowed per user name per window before refusing for the window.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// All sessions and recent login failures.
pub struct Sessions {
    lifetime: Duration,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
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

    /// True when `username` has failed too often lately.
    pub fn throttled(&self, username: &str) -> bool {
        let failures = self.failures.lock().expect("failures lock");
        matches!(failures.get(username), Some((n, since)) if *n >= MAX_FAILURES && since.elapsed() < FAILURE_WINDOW)
    }

    /// Records a failed login for `username`.
    pub fn failed(&self, username: &str) {
        let mut failures = self.failures.lock().expect("failures lock");
        let entry = failures
            .entry(username.to_string())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets failures of `username` after a success.
    pub fn succeeded(&self, username: &str) {
        self.failures
            .lock()
            .expect("failures lock")
            .remove(username);
    }
}
