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

    /// How long to wait after a failure. A server's `Retry-After` is honoured as given,
    /// spread a quarter either side so agents told the same do not come back at once; it
    /// is not a floor under a doubling back-off, which kept a busy collector idle while
    /// its agents waited 30 s. Without a hint (the collector unreachable), the back-off
    /// doubles, jittered.
    pub fn next_wait(&mut self, server_hint: Option<Duration>) -> Duration {
        match server_hint {
            Some(hint) => around(hint),
            None => {
                let wait = jitter(self.current);
                self.current = (self.current * 2).min(self.max);
                wait
            }
        }
    }
}

/// A random duration between three quarters and five quarters of `hint`.
pub fn around(hint: Duration) -> Duration {
    hint * 3 / 4 + hint / 2 * u32::from(random_byte()) / 255
}

fn random_byte() -> u8 {
    let mut byte = [0u8; 1];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut byte);
    byte[0]
}

/// A random duration between half and all of `backoff`.
pub fn jitter(backoff: Duration) -> Duration {
    backoff / 2 + backoff / 2 * u32::from(random_byte()) / 255
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
        // The server's hint is honoured as given (a quarter either side), never
        // stretched by the back-off, which it leaves where it was.
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        for _ in 0..6 {
            b.next_wait(None);
        }
        for _ in 0..20 {
            let wait = b.next_wait(Some(Duration::from_secs(1)));
            assert!(
                wait >= Duration::from_millis(750) && wait <= Duration::from_millis(1250),
                "{wait:?}"
            );
        }
    }
}
