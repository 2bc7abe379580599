//! Resilience patterns a caller applies to one connection: a per-attempt timeout, retries with
//! exponential backoff, jitter and a retry budget, a circuit breaker and a bulkhead.
//!
//! All of them are off unless written: AWS has no default for them on a connection between two
//! of your services. When a policy is written, its unset fields take the public defaults listed
//! in `DOMAIN.md` §9: the AWS SDK "standard" retry mode (3 attempts, full jitter, factor 2,
//! capped at 20 s, a quota of 500 tokens: 5 per retry, 10 per retry after a timeout, 1 back per
//! success) and a Hystrix-style breaker (20 requests in 10 s at 50% errors opens it for 5 s,
//! then one trial).
//!
//! ```json
//! {"from": "web", "to": "db", "resilience": {
//!   "timeout_ms": 500,
//!   "retry": {"max_attempts": 3, "base_ms": 50, "budget": {}},
//!   "breaker": {},
//!   "bulkhead": 16}}
//! ```

use serde::{Deserialize, Serialize};

/// The patterns on one connection. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resilience {
    /// Each attempt is abandoned after this long (the caller sees a timeout; the callee's work
    /// goes on and its late answer is ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Retries of failed attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// A circuit breaker in front of the callee.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerPolicy>,
    /// At most this many calls in flight over the connection from each caller component; more
    /// fail at once (a separate pool per dependency, so one slow callee cannot take them all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulkhead: Option<u32>,
}

impl Resilience {
    /// Whether no pattern is set.
    pub fn is_empty(&self) -> bool {
        *self == Resilience::default()
    }
}

/// How the wait before a retry is spread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// Uniform between 0 and the backoff (AWS's "full jitter").
    #[default]
    Full,
    /// Exactly the backoff: every caller retries in step (the thundering herd).
    None,
}

/// Retries with exponential backoff: attempt `n` (1-based) waits `min(cap, base * 2^(n-1))`,
/// spread by the jitter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3).
    pub max_attempts: u32,
    /// Backoff before the first retry, ms (default 1000, the SDK's one-second unit).
    pub base_ms: f64,
    /// Longest backoff, ms (default 20,000).
    pub cap_ms: f64,
    /// Spread of the wait (default full jitter).
    pub jitter: Jitter,
    /// A retry quota per caller component; absent: retries are unlimited (up to
    /// `max_attempts`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_ms: 1000.0, cap_ms: 20_000.0, jitter: Jitter::Full, budget: None }
    }
}

/// The SDK's retry quota: a retry spends tokens, a success earns one back, no tokens no retry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetryBudget {
    /// Tokens at the start, and the most it holds (default 500).
    pub tokens: u32,
    /// Spent per retry (default 5).
    pub retry_cost: u32,
    /// Spent per retry after a timeout (default 10).
    pub timeout_cost: u32,
    /// Earned back per successful call (default 1).
    pub success_refund: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget { tokens: 500, retry_cost: 5, timeout_cost: 10, success_refund: 1 }
    }
}

/// A circuit breaker: closed, it counts outcomes in a rolling window; when the window holds at
/// least `min_requests` and `error_percent` or more of them failed, it opens and fails calls at
/// once for `open_s`; then it is half-open and lets `half_open_trials` calls through: if they
/// all succeed it closes, if one fails it opens again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreakerPolicy {
    /// Rolling window, s (default 10).
    pub window_s: f64,
    /// Calls the window needs before it may open (default 20).
    pub min_requests: u32,
    /// Error share that opens it, percent (default 50).
    pub error_percent: f64,
    /// How long it stays open, s (default 5).
    pub open_s: f64,
    /// Trial calls when half-open (default 1).
    pub half_open_trials: u32,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        BreakerPolicy { window_s: 10.0, min_requests: 20, error_percent: 50.0, open_s: 5.0, half_open_trials: 1 }
    }
}

/// Problems with a connection's patterns, in words (empty when fine).
pub fn check(r: &Resilience) -> Vec<String> {
    let mut out = Vec::new();
    let mut range = |name: &str, x: f64, lo: f64, hi: f64| {
        if !(x.is_finite() && x > lo && x <= hi) {
            out.push(format!("{name} {x} must be above {lo} and at most {hi}"));
        }
    };
    if let Some(t) = r.timeout_ms {
        range("timeout_ms", t, 0.0, 3_600_000.0);
    }
    if let Some(p) = &r.retry {
        range("retry.base_ms", p.base_ms, 0.0, 3_600_000.0);
        range("retry.cap_ms", p.cap_ms, 0.0, 3_600_000.0);
        range("retry.max_attempts", f64::from(p.max_attempts), 0.0, 20.0);
        if let Some(b) = &p.budget {
            range("retry.budget.tokens", f64::from(b.tokens), 0.0, 1_000_000.0);
            range("retry.budget.retry_cost", f64::from(b.retry_cost), 0.0, 1_000_000.0);
            range("retry.budget.timeout_cost", f64::from(b.timeout_cost), 0.0, 1_000_000.0);
        }
    }
    if let Some(b) = &r.breaker {
        range("breaker.window_s", b.window_s, 0.0, 3600.0);
        range("breaker.min_requests", f64::from(b.min_requests), 0.0, 1_000_000.0);
        range("breaker.error_percent", b.error_percent, 0.0, 100.0);
        range("breaker.open_s", b.open_s, 0.0, 3600.0);
        range("breaker.half_open_trials", f64::from(b.half_open_trials), 0.0, 1000.0);
    }
    if let Some(n) = r.bulkhead {
        range("bulkhead", f64::from(n), 0.0, 1_000_000.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_policies_take_the_public_defaults() {
        let r: Resilience = serde_json::from_str(r#"{"retry": {"budget": {}}, "breaker": {}}"#).unwrap();
        let p = r.retry.unwrap();
        assert_eq!((p.max_attempts, p.base_ms, p.cap_ms, p.jitter), (3, 1000.0, 20_000.0, Jitter::Full));
        assert_eq!(p.budget.unwrap(), RetryBudget { tokens: 500, retry_cost: 5, timeout_cost: 10, success_refund: 1 });
        let b = r.breaker.unwrap();
        assert_eq!(
            (b.window_s, b.min_requests, b.error_percent, b.open_s, b.half_open_trials),
            (10.0, 20, 50.0, 5.0, 1)
        );
        assert_eq!(r.timeout_ms, None);
        assert_eq!(r.bulkhead, None);
    }

    #[test]
    fn impossible_values_are_refused() {
        let r: Resilience = serde_json::from_str(
            r#"{"timeout_ms": 0, "retry": {"max_attempts": 0, "base_ms": -1}, "breaker": {"error_percent": 150}, "bulkhead": 0}"#,
        )
        .unwrap();
        let got = check(&r);
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(check(&Resilience::default()).is_empty());
    }
}
