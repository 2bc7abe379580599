//! The state a caller keeps for one connection's resilience patterns: the circuit breaker, the
//! retry budget and the bulkhead's count, plus how many attempts went over it.

use crate::resilience::{BreakerPolicy, Jitter, Resilience, RetryPolicy};

/// A circuit breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BreakerState {
    /// Calls go through; outcomes are counted.
    Closed,
    /// Calls fail at once until the open period ends.
    Open,
    /// A few trial calls go through; their outcomes decide.
    HalfOpen,
}

/// What the breaker says about a call about to be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Admit {
    /// Make it.
    Yes,
    /// Make it as a half-open trial.
    Trial,
    /// Fail it at once.
    No,
}

/// A breaker change worth telling (the observation stream and the incident report use it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transition {
    Opened,
    HalfOpened,
    Closed,
}

const BUCKETS: usize = 10;

/// A Hystrix-style breaker over a rolling window of [`BUCKETS`] buckets.
#[derive(Clone, Debug)]
pub(super) struct Breaker {
    window_ns: u64,
    min_requests: u32,
    error_share: f64,
    open_ns: u64,
    trials: u32,
    pub(super) state: BreakerState,
    /// `[successes, failures]` per bucket, and the bucket number each belongs to.
    buckets: [([u32; 2], u64); BUCKETS],
    open_until: u64,
    trials_out: u32,
    trials_ok: u32,
}

impl Breaker {
    pub(super) fn new(p: &BreakerPolicy) -> Self {
        Breaker {
            window_ns: (p.window_s * 1e9) as u64,
            min_requests: p.min_requests,
            error_share: p.error_percent / 100.0,
            open_ns: (p.open_s * 1e9) as u64,
            trials: p.half_open_trials.max(1),
            state: BreakerState::Closed,
            buckets: [([0, 0], u64::MAX); BUCKETS],
            open_until: 0,
            trials_out: 0,
            trials_ok: 0,
        }
    }

    fn bucket_ns(&self) -> u64 {
        (self.window_ns / BUCKETS as u64).max(1)
    }

    /// Before a call: may it go? Moves from open to half-open when the open period is over.
    pub(super) fn admit(&mut self, now: u64) -> (Admit, Option<Transition>) {
        match self.state {
            BreakerState::Closed => (Admit::Yes, None),
            BreakerState::Open if now < self.open_until => (Admit::No, None),
            BreakerState::Open => {
                self.state = BreakerState::HalfOpen;
                self.trials_out = 1;
                self.trials_ok = 0;
                (Admit::Trial, Some(Transition::HalfOpened))
            }
            BreakerState::HalfOpen if self.trials_out < self.trials => {
                self.trials_out += 1;
                (Admit::Trial, None)
            }
            BreakerState::HalfOpen => (Admit::No, None),
        }
    }

    /// After a call that went through: its outcome.
    pub(super) fn record(&mut self, now: u64, ok: bool, trial: bool) -> Option<Transition> {
        if trial && self.state == BreakerState::HalfOpen {
            if !ok {
                return Some(self.open(now));
            }
            self.trials_ok += 1;
            if self.trials_ok >= self.trials {
                self.state = BreakerState::Closed;
                self.buckets = [([0, 0], u64::MAX); BUCKETS];
                return Some(Transition::Closed);
            }
            return None;
        }
        if self.state != BreakerState::Closed {
            return None;
        }
        let n = now / self.bucket_ns();
        let slot = &mut self.buckets[(n % BUCKETS as u64) as usize];
        if slot.1 != n {
            *slot = ([0, 0], n);
        }
        slot.0[usize::from(!ok)] += 1;
        let (mut okc, mut bad) = (0u64, 0u64);
        for (counts, b) in &self.buckets {
            if *b != u64::MAX && *b + BUCKETS as u64 > n {
                okc += u64::from(counts[0]);
                bad += u64::from(counts[1]);
            }
        }
        let total = okc + bad;
        if total >= u64::from(self.min_requests) && total > 0 && bad as f64 / total as f64 >= self.error_share {
            return Some(self.open(now));
        }
        None
    }

    fn open(&mut self, now: u64) -> Transition {
        self.state = BreakerState::Open;
        self.open_until = now.saturating_add(self.open_ns);
        Transition::Opened
    }
}

/// The retry quota of one caller on one connection.
#[derive(Clone, Debug)]
pub(super) struct Budget {
    tokens: u32,
    max: u32,
    retry_cost: u32,
    timeout_cost: u32,
    refund: u32,
}

impl Budget {
    /// Takes the tokens a retry costs; false (and nothing taken) when there are not enough.
    pub(super) fn spend(&mut self, after_timeout: bool) -> bool {
        let cost = if after_timeout { self.timeout_cost } else { self.retry_cost };
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
    /// A successful call earns some back.
    pub(super) fn refund(&mut self) {
        self.tokens = (self.tokens + self.refund).min(self.max);
    }
}

/// The wait before retry number `attempt` (1 = the first retry), before jitter, ns.
pub(super) fn backoff_ns(p: &RetryPolicy, attempt: u32) -> u64 {
    let exp = f64::from(attempt.saturating_sub(1).min(60));
    let ms = (p.base_ms * libm::pow(2.0, exp)).min(p.cap_ms);
    (ms * 1e6) as u64
}

/// Everything a caller keeps for one outgoing connection.
#[derive(Clone, Debug)]
pub(super) struct ConnState {
    pub(super) retry: Option<RetryPolicy>,
    pub(super) jitter_full: bool,
    pub(super) budget: Option<Budget>,
    pub(super) breaker: Option<Breaker>,
    pub(super) bulkhead: u32,
    /// Calls in flight over the connection now.
    pub(super) in_flight: u32,
    /// First attempts made.
    pub(super) calls: u64,
    /// Retries made.
    pub(super) retries: u64,
    /// Calls failed at once by the open breaker.
    pub(super) short_circuited: u64,
    /// Calls refused by the bulkhead.
    pub(super) bulkhead_rejected: u64,
    /// Retries the budget refused.
    pub(super) budget_exhausted: u64,
    /// Calls abandoned at the connection's timeout.
    pub(super) timed_out: u64,
    /// Its deadline queue when it has a timeout (`u32::MAX`: none).
    pub(super) deadlines: u32,
}

impl ConnState {
    pub(super) fn new(r: &Resilience) -> Self {
        ConnState {
            retry: r.retry.clone().filter(|p| p.max_attempts > 1),
            jitter_full: r.retry.as_ref().is_some_and(|p| p.jitter == Jitter::Full),
            budget: r.retry.as_ref().and_then(|p| p.budget.as_ref()).map(|b| Budget {
                tokens: b.tokens,
                max: b.tokens,
                retry_cost: b.retry_cost,
                timeout_cost: b.timeout_cost,
                refund: b.success_refund,
            }),
            breaker: r.breaker.as_ref().map(Breaker::new),
            bulkhead: r.bulkhead.unwrap_or(u32::MAX),
            in_flight: 0,
            calls: 0,
            retries: 0,
            short_circuited: 0,
            bulkhead_rejected: 0,
            budget_exhausted: 0,
            timed_out: 0,
            deadlines: u32::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn the_breaker_opens_at_its_thresholds_and_closes_after_a_good_trial() {
        let mut b = Breaker::new(&BreakerPolicy::default());
        // 19 failures: below the 20-request minimum, stays closed.
        for i in 0..19 {
            assert_eq!(b.record(i * 100_000_000, false, false), None);
        }
        assert_eq!(b.state, BreakerState::Closed);
        // The 20th at 50% or more errors opens it.
        assert_eq!(b.record(2 * S, false, false), Some(Transition::Opened));
        assert_eq!(b.admit(2 * S + 1).0, Admit::No);
        assert_eq!(b.admit(7 * S - 1).0, Admit::No, "open for 5 s");
        // After 5 s: one trial, the others still fail fast.
        assert_eq!(b.admit(7 * S), (Admit::Trial, Some(Transition::HalfOpened)));
        assert_eq!(b.admit(7 * S).0, Admit::No);
        assert_eq!(b.record(7 * S + 10, true, true), Some(Transition::Closed));
        assert_eq!(b.admit(7 * S + 20).0, Admit::Yes);
    }

    #[test]
    fn a_failed_trial_opens_it_again_and_errors_below_the_share_keep_it_closed() {
        let mut b = Breaker::new(&BreakerPolicy::default());
        for i in 0..40 {
            b.record(i * 10_000_000, i % 3 != 0, false); // one in three fails: 33%
        }
        assert_eq!(b.state, BreakerState::Closed);
        for i in 0..40 {
            b.record(S + i, false, false);
        }
        assert_eq!(b.state, BreakerState::Open);
        let (admit, _) = b.admit(10 * S);
        assert_eq!(admit, Admit::Trial);
        assert_eq!(b.record(10 * S, false, true), Some(Transition::Opened));
        assert_eq!(b.admit(10 * S + 1).0, Admit::No);
    }

    #[test]
    fn old_outcomes_leave_the_window() {
        let mut b = Breaker::new(&BreakerPolicy::default());
        for i in 0..15 {
            b.record(i, false, false);
        }
        // Eleven seconds later those 15 failures are out of the 10 s window: 10 more failures
        // are only 10 requests, below the minimum of 20.
        for i in 0..10 {
            assert_eq!(b.record(11 * S + i, false, false), None);
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_the_budget_runs_out() {
        let p = RetryPolicy { base_ms: 100.0, cap_ms: 1000.0, ..RetryPolicy::default() };
        let waits: Vec<u64> = (1..=6).map(|a| backoff_ns(&p, a) / 1_000_000).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        let mut budget = Budget { tokens: 20, max: 20, retry_cost: 5, timeout_cost: 10, refund: 1 };
        assert!(budget.spend(true));
        assert!(budget.spend(false));
        assert!(budget.spend(false));
        assert!(!budget.spend(false), "0 tokens left");
        budget.refund();
        assert!(!budget.spend(false), "1 token is not enough for a retry");
    }
}
