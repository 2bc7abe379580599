//! The two shared resources of the kinds: a [`Station`] (servers and a bounded FIFO queue: an
//! instance's vCPUs, an RDS instance, a cache node) and a [`Bucket`] (a token bucket: S3 prefix
//! and DynamoDB rate limits).

use super::stats::TimeWeighted;
use std::collections::VecDeque;

/// Servers with a bounded FIFO queue of calls. `Core::offer`, `Core::start` and `Core::finish`
/// move calls through it.
#[derive(Clone, Debug)]
pub(super) struct Station {
    pub(super) servers: u32,
    pub(super) busy: u32,
    pub(super) cap: u32,
    pub(super) queue: VecDeque<u32>,
    pub(super) busy_tw: TimeWeighted,
}

impl Station {
    pub(super) fn new(servers: u32, cap: u32) -> Self {
        Station {
            servers,
            busy: 0,
            cap,
            queue: VecDeque::with_capacity((cap as usize).min(1024)),
            busy_tw: TimeWeighted::default(),
        }
    }
}

/// A token bucket refilled continuously at a rate per second; it holds at most one second's
/// worth of tokens (at least one), and starts full.
#[derive(Clone, Debug)]
pub(super) struct Bucket {
    tokens: f64,
    last: u64,
    per_ns: f64,
    cap: f64,
}

impl Bucket {
    pub(super) fn new(rate_per_s: f64) -> Self {
        Bucket { tokens: rate_per_s.max(1.0), last: 0, per_ns: rate_per_s / 1e9, cap: rate_per_s.max(1.0) }
    }
    /// Takes a token at `now` if there is one.
    pub(super) fn take(&mut self, now: u64) -> bool {
        self.tokens = (self.tokens + (now - self.last) as f64 * self.per_ns).min(self.cap);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
