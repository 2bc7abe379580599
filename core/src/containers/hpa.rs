//! The Horizontal Pod Autoscaler's rule, as Kubernetes applies it every sync period:
//!
//! - desired = ceil(current x utilisation / target), left alone within the tolerance (10%);
//!   pods not yet Ready count as idle when scaling up, which makes it ceil(CPU used / (request x
//!   target));
//! - scaling up at most to max(2 x current, current + 4) per period (the default policies: 100%
//!   or 4 pods per 15 s, whichever is more);
//! - scaling down only to the highest recommendation of the stabilisation window (300 s), so a
//!   dip does not shed pods a spike will want back.
//!
//! An ECS service scales by Application Auto Scaling's target tracking instead
//! ([`Policy::TargetTracking`]): its CloudWatch alarms look at one-minute averages, scaling out
//! once 3 in a row are above the target (to the latest recommendation, with no cap per step)
//! and in once 15 in a row are below it (to the highest of them).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::time::{Duration, SimTime};

/// Whose scaling rule a workload follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Kubernetes' Horizontal Pod Autoscaler.
    #[default]
    Hpa,
    /// Application Auto Scaling's target tracking (an ECS service): 3 evaluations above the
    /// target to scale out, 15 below to scale in.
    TargetTracking,
}

/// Target tracking's alarms: evaluations in a row to scale out, and to scale in.
const TRACKING_OUT: usize = 3;
const TRACKING_IN: usize = 15;

/// An HPA on CPU utilisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HpaParams {
    /// Fewest replicas.
    pub min_replicas: u32,
    /// Most replicas.
    pub max_replicas: u32,
    /// Target CPU utilisation, a fraction of the pods' request (0.6 = 60%).
    pub target_cpu: f64,
    /// No change while utilisation / target is within 1 +- this (Kubernetes' 0.1).
    pub tolerance: f64,
    /// How often it evaluates, seconds (the controller manager's 15 s; target tracking's
    /// one-minute metric).
    pub sync_s: f64,
    /// Whose rule.
    pub policy: Policy,
    /// Scale-down stabilisation window, seconds (300 s).
    pub scale_down_window_s: f64,
}

impl Default for HpaParams {
    fn default() -> Self {
        HpaParams {
            min_replicas: 2,
            max_replicas: 20,
            target_cpu: 0.6,
            tolerance: 0.1,
            sync_s: 15.0,
            policy: Policy::Hpa,
            scale_down_window_s: 300.0,
        }
    }
}

/// An HPA's state: its recent recommendations.
#[derive(Clone, Debug, PartialEq)]
pub struct Hpa {
    /// Its settings.
    pub params: HpaParams,
    recent: VecDeque<(SimTime, u32)>,
}

impl Hpa {
    /// A new autoscaler.
    pub fn new(params: HpaParams) -> Hpa {
        Hpa { params, recent: VecDeque::new() }
    }

    /// What the rule alone asks for, before the policies and the window: `current` replicas of
    /// which `ready` are Ready, using `used_m` millicores in all, each requesting `request_m`.
    pub fn recommend(&self, current: u32, ready: u32, used_m: f64, request_m: u32) -> u32 {
        let p = &self.params;
        if ready == 0 || request_m == 0 || p.target_cpu <= 0.0 {
            return current.clamp(p.min_replicas, p.max_replicas);
        }
        let utilisation = used_m / (f64::from(ready) * f64::from(request_m));
        let ratio = utilisation / p.target_cpu;
        let want = if (ratio - 1.0).abs() <= p.tolerance {
            current
        } else if ratio > 1.0 {
            // Pods not Ready yet count as idle: spread the use over every replica.
            let all = used_m / (f64::from(current.max(ready)) * f64::from(request_m)) / p.target_cpu;
            if all <= 1.0 + p.tolerance {
                current
            } else {
                (used_m / (f64::from(request_m) * p.target_cpu)).ceil() as u32
            }
        } else {
            (f64::from(ready) * ratio).ceil() as u32
        };
        want.clamp(p.min_replicas, p.max_replicas)
    }

    /// One evaluation at `now`: the replica count to set.
    pub fn evaluate(&mut self, now: SimTime, current: u32, ready: u32, used_m: f64, request_m: u32) -> u32 {
        let rec = self.recommend(current, ready, used_m, request_m);
        if self.params.policy == Policy::TargetTracking {
            self.recent.push_back((now, rec));
            while self.recent.len() > TRACKING_IN {
                self.recent.pop_front();
            }
            let last = |n: usize| self.recent.iter().rev().take(n).map(|(_, r)| *r);
            return if self.recent.len() >= TRACKING_OUT && last(TRACKING_OUT).all(|r| r > current) {
                rec
            } else if self.recent.len() >= TRACKING_IN && last(TRACKING_IN).all(|r| r < current) {
                last(TRACKING_IN).max().unwrap_or(current)
            } else {
                current
            };
        }
        let window = Duration::from_secs_f64(self.params.scale_down_window_s);
        while self.recent.front().is_some_and(|(t, _)| now.since(*t) > window) {
            self.recent.pop_front();
        }
        self.recent.push_back((now, rec));
        if rec > current {
            rec.min((2 * current).max(current + 4))
        } else {
            // Down only as far as the highest recommendation in the window.
            self.recent.iter().map(|(_, r)| *r).max().unwrap_or(rec).min(current)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_tolerance_and_policies() {
        let mut h = Hpa::new(HpaParams { min_replicas: 2, max_replicas: 50, ..HpaParams::default() });
        // 4 pods of 500 m at 90%: 1800 m used against a 60% target -> ceil(1800 / 300) = 6.
        assert_eq!(h.recommend(4, 4, 1800.0, 500), 6);
        // Within 10% of the target: unchanged (4 x 500 x 0.63 = 1260 m).
        assert_eq!(h.recommend(4, 4, 1260.0, 500), 4);
        // A spike to 6000 m: the rule wants 20, the policy allows 4 -> 8 in one period.
        assert_eq!(h.evaluate(SimTime::from_secs(0), 4, 4, 6000.0, 500), 8);
        assert_eq!(h.evaluate(SimTime::from_secs(15), 8, 4, 6000.0, 500), 16);
        assert_eq!(h.evaluate(SimTime::from_secs(30), 16, 8, 6000.0, 500), 20);
    }

    #[test]
    fn scale_down_waits_for_the_stabilisation_window() {
        let mut h = Hpa::new(HpaParams::default());
        let mut at = 0;
        assert_eq!(h.evaluate(SimTime::from_secs(at), 10, 10, 3000.0, 500), 10);
        // Load falls to a third: the rule says 4, the window holds 10 for 300 s.
        let mut n = 10;
        while n == 10 {
            at += 15;
            n = h.evaluate(SimTime::from_secs(at), 10, 10, 1000.0, 500);
        }
        assert_eq!(at, 315, "the first evaluation after the window");
        assert_eq!(n, 4);
    }

    #[test]
    fn target_tracking_waits_three_minutes_to_scale_out_and_fifteen_to_scale_in() {
        let p = HpaParams {
            policy: Policy::TargetTracking,
            sync_s: 60.0,
            min_replicas: 2,
            max_replicas: 50,
            ..HpaParams::default()
        };
        let mut h = Hpa::new(p);
        let at = |m: u64| SimTime::from_secs(60 * m);
        // 4 tasks at 150% of the target: 10 wanted, but only after 3 minutes in a row, and all
        // at once (no cap per step).
        assert_eq!(h.evaluate(at(1), 4, 4, 1800.0, 500), 4);
        assert_eq!(h.evaluate(at(2), 4, 4, 1800.0, 500), 4);
        assert_eq!(h.evaluate(at(3), 4, 4, 6000.0, 500), 20);
        // Idle: 15 minutes in a row below before scaling in, to the highest of them.
        let mut got = Vec::new();
        for m in 4..=18 {
            got.push(h.evaluate(at(m), 20, 20, if m == 4 { 1500.0 } else { 600.0 }, 500));
        }
        assert!(got[..14].iter().all(|n| *n == 20), "{got:?}");
        assert_eq!(got[14], 5, "the highest of the 15: 1,500 m at 60% of 500 m");
    }
}
