//! What clients experienced, second by second, and what that says about availability, the
//! error budget and each incident of an experiment.
//!
//! The engine counts every answered client request in the second it was answered
//! ([`Outcomes::record`]); everything else here is arithmetic on those counts, kept apart from
//! the engine so it can be tested with hand-made numbers.

use serde::Serialize;

/// Answered client requests per simulated second, `[successes, failures]` (requests that
/// arrived during the warm-up are not counted, as in the client's figures).
#[derive(Clone, Debug, Default)]
pub(super) struct Outcomes {
    per_second: Vec<[u32; 2]>,
}

/// Seconds kept per second-by-second record: 30 days, the longest run.
const MAX_SECONDS: usize = 30 * 86_400;

impl Outcomes {
    /// Counts one answered client request at simulated time `now_ns`.
    #[inline]
    pub(super) fn record(&mut self, now_ns: u64, ok: bool) {
        let s = (now_ns / 1_000_000_000) as usize;
        if s >= MAX_SECONDS {
            return;
        }
        if s >= self.per_second.len() {
            // Grows a second at a time, amortised: not once per request.
            self.per_second.resize(s + 1, [0, 0]);
        }
        self.per_second[s][usize::from(!ok)] += 1;
    }

    /// The counts, one entry per second from the start of the run.
    pub(super) fn seconds(&self) -> &[[u32; 2]] {
        &self.per_second
    }

    /// Heap memory held, bytes.
    pub(super) fn heap_bytes(&self) -> usize {
        self.per_second.capacity() * std::mem::size_of::<[u32; 2]>()
    }
}

/// Successes and failures over a run of seconds.
pub(super) fn totals(seconds: &[[u32; 2]]) -> (u64, u64) {
    seconds.iter().fold((0, 0), |(o, b), s| (o + u64::from(s[0]), b + u64::from(s[1])))
}

/// Share of successes over a run of seconds; `None` when no request was answered.
pub(super) fn availability(seconds: &[[u32; 2]]) -> Option<f64> {
    let (ok, bad) = totals(seconds);
    (ok + bad > 0).then(|| ok as f64 / (ok + bad) as f64)
}

/// Availability over one minute.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MinuteAvailability {
    /// Start of the minute, s.
    pub t_s: f64,
    /// Client requests answered in the minute.
    pub requests: u64,
    /// Of which succeeded.
    pub successes: u64,
    /// `successes / requests`; null for a minute with no answered request.
    pub availability: Option<f64>,
}

/// The error budget: how many failures the SLO allows over the measured requests, and how much
/// of that the run used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct ErrorBudget {
    /// The objective, as a share (0.999).
    pub slo: f64,
    /// Failures the objective allows over the requests answered so far.
    pub allowed_failures: f64,
    /// Failures so far.
    pub failures: u64,
    /// `failures / allowed_failures` (1 = the whole budget; above 1 = the SLO is missed).
    pub burned: f64,
}

/// Availability per minute from the per-second counts.
pub(super) fn per_minute(seconds: &[[u32; 2]]) -> Vec<MinuteAvailability> {
    seconds
        .chunks(60)
        .enumerate()
        .map(|(m, chunk)| {
            let (ok, bad) = totals(chunk);
            MinuteAvailability {
                t_s: (m * 60) as f64,
                requests: ok + bad,
                successes: ok,
                availability: availability(chunk),
            }
        })
        .collect()
}

/// The error budget of `successes` and `failures` against `slo`.
pub(super) fn error_budget(slo: f64, successes: u64, failures: u64) -> ErrorBudget {
    let allowed = (1.0 - slo) * (successes + failures) as f64;
    ErrorBudget { slo, allowed_failures: allowed, failures, burned: burned(failures, allowed) }
}

/// The share of a budget of `allowed` bad events that `bad` of them used (above 1: over budget;
/// infinite when none were allowed and some happened).
pub(super) fn burned(bad: u64, allowed: f64) -> f64 {
    if allowed > 0.0 {
        bad as f64 / allowed
    } else if bad > 0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Seconds in the window impact and recovery are judged over.
pub(super) const RECOVERY_WINDOW_S: usize = 10;

/// What an incident did to clients, measured from the second counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Impact {
    /// First second (at or after the start) with a failure that opens a
    /// [`RECOVERY_WINDOW_S`]-second window below the SLO; `None`: clients never noticed.
    pub(super) impact_s: Option<usize>,
    /// First second after the impact that opens a window at or above the SLO; `None` while it
    /// has not recovered.
    pub(super) recovered_s: Option<usize>,
    /// Client requests that failed from the impact to the recovery (or the end).
    pub(super) failed: u64,
}

/// Looks at the seconds from `start_s` on: when clients first see availability below `slo`
/// over a [`RECOVERY_WINDOW_S`]-second window, and when a window is back at or above it. A
/// window that reaches past the end of the run is judged on the seconds it has.
pub(super) fn impact(seconds: &[[u32; 2]], start_s: usize, slo: f64) -> Impact {
    let window = |s: usize| availability(&seconds[s..(s + RECOVERY_WINDOW_S).min(seconds.len())]);
    let mut out = Impact::default();
    for (s, second) in seconds.iter().enumerate().skip(start_s) {
        match out.impact_s {
            None if second[1] > 0 && window(s).is_some_and(|a| a < slo) => out.impact_s = Some(s),
            None => continue,
            Some(_) if out.recovered_s.is_none() && window(s).is_some_and(|a| a >= slo) => {
                out.recovered_s = Some(s);
            }
            _ => {}
        }
        if out.recovered_s.is_none() {
            out.failed += u64::from(second[1]);
        }
    }
    out
}

impl Impact {
    /// From `start_s` until clients were back at the SLO: 0 when they never noticed, `None`
    /// when they had not recovered by the end of the run.
    pub(super) fn time_to_recover(&self, start_s: f64) -> Option<f64> {
        match (self.impact_s, self.recovered_s) {
            (None, _) => Some(0.0),
            (Some(_), Some(r)) => Some((r as f64 - start_s).max(0.0)),
            (Some(_), None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100 requests a second; `bad` of them fail in seconds `from..to`.
    fn run(len: usize, from: usize, to: usize, bad: u32) -> Vec<[u32; 2]> {
        (0..len).map(|s| if (from..to).contains(&s) { [100 - bad, bad] } else { [100, 0] }).collect()
    }

    #[test]
    fn minutes_and_budget_add_up() {
        let s = run(180, 60, 90, 50);
        let m = per_minute(&s);
        assert_eq!(m.len(), 3);
        assert_eq!((m[0].requests, m[0].successes), (6000, 6000));
        assert_eq!((m[1].requests, m[1].successes), (6000, 4500));
        assert_eq!(m[1].availability, Some(0.75));
        let b = error_budget(0.999, 16_500, 1500);
        assert!((b.allowed_failures - 18.0).abs() < 1e-9);
        assert!((b.burned - 1500.0 / 18.0).abs() < 1e-9);
        assert_eq!(error_budget(0.999, 10, 0).burned, 0.0);
    }

    #[test]
    fn an_outage_is_found_and_its_recovery_measured() {
        // Half the requests fail from second 100 to second 130.
        let s = run(300, 100, 130, 50);
        let i = impact(&s, 95, 0.999);
        assert_eq!(i.impact_s, Some(100));
        assert_eq!(i.recovered_s, Some(130));
        assert_eq!(i.failed, 30 * 50);
    }

    #[test]
    fn no_impact_means_no_incident_failures() {
        let s = run(120, 0, 0, 0);
        assert_eq!(impact(&s, 10, 0.999), Impact::default());
    }

    #[test]
    fn an_unrecovered_outage_counts_failures_to_the_end() {
        let s = run(100, 50, 100, 100);
        let i = impact(&s, 50, 0.99);
        assert_eq!((i.impact_s, i.recovered_s, i.failed), (Some(50), None, 5000));
    }

    #[test]
    fn counts_land_in_their_second() {
        let mut o = Outcomes::default();
        o.record(500_000_000, true);
        o.record(1_500_000_000, false);
        o.record(1_999_999_999, true);
        assert_eq!(o.seconds(), &[[1, 0], [1, 1]]);
    }
}
