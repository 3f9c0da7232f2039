//! The agent's one retry policy: exponential back-off with jitter, reset on success, and
//! a server's `Retry-After` taken into account. The sender and enrollment both use it.

use std::time::Duration;

/// Exponential back-off between `min` and `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    /// Starts at `min`, doubles at each failure up to `max`.
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max,
            current: min,
        }
    }

    /// After a success: the next failure waits `min` again.
    pub fn reset(&mut self) {
        self.current = self.min;
    }

    /// How long to wait after a failure. `server_hint` (a `Retry-After`) is honoured when
    /// given; the wait is never shorter than a jittered back-off, so agents cut off together
    /// do not all come back at the same instant.
    pub fn next_wait(&mut self, server_hint: Option<Duration>) -> Duration {
        let wait = server_hint
            .unwrap_or(self.current)
            .max(jitter(self.current));
        self.current = (self.current * 2).min(self.max);
        wait
    }
}

/// A random duration between half and all of `backoff`.
pub fn jitter(backoff: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut byte);
    backoff / 2 + backoff / 2 * u32::from(byte[0]) / 255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(400));
        let waits: Vec<_> = (0..4).map(|_| b.next_wait(None)).collect();
        assert!(waits[0] >= Duration::from_millis(50) && waits[0] <= Duration::from_millis(100));
        assert!(waits[3] >= Duration::from_millis(200) && waits[3] <= Duration::from_millis(400));
        b.reset();
        assert!(b.next_wait(None) <= Duration::from_millis(100));
        // The server's hint is honoured when longer than the back-off.
        assert_eq!(
            b.next_wait(Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
    }
}
