//! One health model for every active health check: the ALB's checks of its targets, Route 53's
//! checks of its records' targets and Auto Scaling's status checks of its instances.
//!
//! A check runs every [`HealthCheck::interval_ns`]. Each result goes to the target's
//! [`Checker`], which changes its verdict only after a run of results that disagree with it:
//! `unhealthy_threshold` failed checks in a row take a healthy target out, `healthy_threshold`
//! passed checks in a row put an unhealthy one back ([`Checker::observe`]). So a target that dies
//! at `t` is out at the `unhealthy_threshold`-th check after `t`: with checks at `k × interval`,
//! at `(⌊t / interval⌋ + unhealthy_threshold) × interval` (see the tests).
//!
//! A check has a timeout ([`HealthCheck::passes`]): it fails when the target is down, and also
//! when the target is up but would not answer within the timeout. The engine does not send the
//! check as a request (it would change the load it measures); it judges the answer time from the
//! target's state when the check runs: a check joins the back of the target's queue, so it waits
//! about as long as the request at the head of that queue has waited so far (the sojourn time
//! CoDel uses to tell a standing queue). An instance whose oldest queued request has waited more
//! than the timeout fails its check; one with an empty queue answers at once.

/// A health check's configuration (all durations in ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct HealthCheck {
    /// Time between two checks of a target.
    pub(super) interval_ns: u64,
    /// A check not answered within this fails (`u64::MAX`: the check does not wait for an
    /// answer, as EC2 status checks do not).
    pub(super) timeout_ns: u64,
    /// Passed checks in a row that put an unhealthy target back.
    pub(super) healthy_threshold: u32,
    /// Failed checks in a row that take a healthy target out.
    pub(super) unhealthy_threshold: u32,
}

impl HealthCheck {
    /// A check with these figures; zero thresholds or interval are raised to 1 (validation
    /// refuses them before a run is built).
    pub(super) fn new(interval_ns: u64, timeout_ns: u64, healthy: u32, unhealthy: u32) -> Self {
        HealthCheck {
            interval_ns: interval_ns.max(1),
            timeout_ns,
            healthy_threshold: healthy.max(1),
            unhealthy_threshold: unhealthy.max(1),
        }
    }

    /// Whether a check of a target passes: it is `up` and its answer, which waits `wait_ns`
    /// (see the module documentation), comes within the timeout.
    #[inline]
    pub(super) fn passes(&self, up: bool, wait_ns: u64) -> bool {
        up && wait_ns <= self.timeout_ns
    }
}

/// A verdict that changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Transition {
    /// The target passed `healthy_threshold` checks in a row: it is healthy again.
    Healthy,
    /// The target failed `unhealthy_threshold` checks in a row: it is unhealthy.
    Unhealthy,
}

/// One target's health as its checks see it: the verdict and the run of results that disagree
/// with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Checker {
    healthy: bool,
    streak: u32,
}

impl Checker {
    /// A target starting with this verdict.
    pub(super) const fn new(healthy: bool) -> Self {
        Checker { healthy, streak: 0 }
    }

    /// The current verdict.
    #[inline]
    pub(super) fn healthy(&self) -> bool {
        self.healthy
    }

    /// Takes one check's result; returns the change of verdict it causes, if any.
    pub(super) fn observe(&mut self, hc: &HealthCheck, pass: bool) -> Option<Transition> {
        if pass == self.healthy {
            self.streak = 0;
            return None;
        }
        self.streak += 1;
        let limit = if self.healthy { hc.unhealthy_threshold } else { hc.healthy_threshold };
        if self.streak < limit {
            return None;
        }
        self.healthy = pass;
        self.streak = 0;
        Some(if pass { Transition::Healthy } else { Transition::Unhealthy })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn the_verdict_changes_exactly_at_each_threshold() {
        let hc = HealthCheck::new(10 * S, 5 * S, 5, 2);
        let mut c = Checker::new(true);
        assert_eq!(c.observe(&hc, false), None, "one failure is below the unhealthy threshold");
        assert_eq!(c.observe(&hc, false), Some(Transition::Unhealthy), "the second one reaches it");
        assert!(!c.healthy());
        for k in 1..5 {
            assert_eq!(c.observe(&hc, true), None, "pass {k} of 5");
        }
        assert_eq!(c.observe(&hc, true), Some(Transition::Healthy), "the fifth pass in a row");
        assert!(c.healthy());
        // A result that agrees with the verdict breaks the run: it starts again.
        assert_eq!(c.observe(&hc, false), None);
        assert_eq!(c.observe(&hc, true), None);
        assert_eq!(c.observe(&hc, false), None);
        assert_eq!(c.observe(&hc, false), Some(Transition::Unhealthy));
        // Thresholds of 1 change the verdict at every disagreeing result.
        let hc = HealthCheck::new(S, S, 1, 1);
        let mut c = Checker::new(false);
        assert_eq!(c.observe(&hc, true), Some(Transition::Healthy));
        assert_eq!(c.observe(&hc, false), Some(Transition::Unhealthy));
    }

    #[test]
    fn zero_thresholds_count_as_one() {
        let hc = HealthCheck::new(0, 0, 0, 0);
        assert_eq!((hc.interval_ns, hc.healthy_threshold, hc.unhealthy_threshold), (1, 1, 1));
    }

    #[test]
    fn a_target_up_but_slower_than_the_timeout_fails_its_check() {
        let hc = HealthCheck::new(30 * S, 5 * S, 5, 2);
        assert!(hc.passes(true, 0));
        assert!(hc.passes(true, 5 * S), "answered exactly at the timeout");
        assert!(!hc.passes(true, 5 * S + 1), "up, but its answer would come after the timeout");
        assert!(!hc.passes(false, 0), "down");
        let status = HealthCheck::new(60 * S, u64::MAX, 1, 2);
        assert!(status.passes(true, u64::MAX), "a check without a timeout only asks whether it is up");
    }

    /// Checks at `k × interval` (k ≥ 1) of a target that dies at `dies_at`: when the checker
    /// takes it out.
    fn out_at(hc: &HealthCheck, dies_at: u64) -> u64 {
        let mut c = Checker::new(true);
        let mut t = hc.interval_ns;
        loop {
            if c.observe(hc, t < dies_at) == Some(Transition::Unhealthy) {
                return t;
            }
            t += hc.interval_ns;
        }
    }

    #[test]
    fn detection_takes_the_unhealthy_threshold_in_checks_after_the_death() {
        let hc = HealthCheck::new(10 * S, 5 * S, 5, 2);
        // Killed at 65 s: the checks at 70 s and 80 s fail; out at exactly 80 s.
        assert_eq!(out_at(&hc, 65 * S), 80 * S);
        for dies_at in [S, 9 * S + 1, 10 * S + 1, 123_456_789_012] {
            let closed_form =
                (dies_at.div_ceil(hc.interval_ns) + u64::from(hc.unhealthy_threshold) - 1) * hc.interval_ns;
            assert_eq!(out_at(&hc, dies_at), closed_form, "died at {dies_at} ns");
        }
    }
}
