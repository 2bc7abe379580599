//! The document's alarms in the engine ([`crate::alarms`]): at each metrics tick, an alarm
//! whose period is up reads its component's counters over that period, keeps the last
//! `evaluation_periods` verdicts, and on going to ALARM runs its action. Each alarm evaluates
//! at multiples of its period from the start of the run, on the tick at or after that time.

use std::collections::VecDeque;

use super::core::ObservationKind;
use super::node::Node;
use super::Simulation;
use crate::alarms::{AlarmSpec, Do, Metric};
use rand::Rng;

/// A component's counters at one moment.
#[derive(Clone, Copy, Debug, Default)]
struct Mark {
    arrivals: u64,
    errors: u64,
    completions: u64,
    latency_ns: u128,
    busy: u128,
    cap: u128,
    at: u64,
}

/// An alarm and its state.
#[derive(Clone, Debug)]
pub(super) struct AlarmRun {
    spec: AlarmSpec,
    /// The component watched, and the one acted on.
    comp: u32,
    target: u32,
    period_ns: u64,
    next_eval: u64,
    mark: Mark,
    recent: VecDeque<bool>,
    in_alarm: bool,
}

impl AlarmRun {
    /// The alarm `spec` on component `comp`, acting on `target`.
    pub(super) fn new(spec: AlarmSpec, comp: u32, target: u32) -> AlarmRun {
        let period_ns = (spec.period_s * 1e9) as u64;
        AlarmRun {
            spec,
            comp,
            target,
            period_ns: period_ns.max(1),
            next_eval: period_ns.max(1),
            mark: Mark::default(),
            recent: VecDeque::new(),
            in_alarm: false,
        }
    }
}

impl Simulation {
    /// The counters of component `c` now.
    fn alarm_mark(&self, c: usize) -> Mark {
        let now = self.core.now;
        let s = &self.core.stats[c];
        let mut m = Mark { at: now, ..Mark::default() };
        for t in &s.types {
            m.arrivals += t.arrivals;
            m.completions += t.completions;
            m.errors += t.errors.iter().sum::<u64>();
            m.latency_ns += t.lat.sum();
        }
        m.busy = s.busy.integral(now);
        m.cap = s.cap.integral(now);
        m
    }

    /// Evaluates every alarm whose period is up (from the metrics tick).
    pub(super) fn check_alarms(&mut self) {
        let now = self.core.now;
        for k in 0..self.alarms.len() {
            if self.alarms[k].next_eval > now {
                continue;
            }
            let m = self.alarm_mark(self.alarms[k].comp as usize);
            let a = &mut self.alarms[k];
            // The statistics restart at the end of the warm-up: a period across it reads from
            // there.
            let start = self.core.measure_start;
            let from = if a.mark.at < start { Mark { at: start, ..Mark::default() } } else { a.mark };
            a.mark = m;
            while a.next_eval <= now {
                a.next_eval += a.period_ns;
            }
            let requests = m.arrivals.saturating_sub(from.arrivals);
            let value = match a.spec.metric {
                Metric::ErrorPercent => {
                    (requests > 0).then(|| m.errors.saturating_sub(from.errors) as f64 / requests as f64 * 100.0)
                }
                Metric::CpuPercent => {
                    let cap = m.cap.saturating_sub(from.cap);
                    (cap > 0).then(|| m.busy.saturating_sub(from.busy) as f64 / cap as f64 * 100.0)
                }
                Metric::RequestsPerS => Some(requests as f64 / m.at.saturating_sub(from.at).max(1) as f64 * 1e9),
                Metric::LatencyMs => {
                    let done = m.completions.saturating_sub(from.completions);
                    (done > 0).then(|| m.latency_ns.saturating_sub(from.latency_ns) as f64 / done as f64 / 1e6)
                }
            };
            // A period without data does not breach (CloudWatch's default for missing data).
            a.recent.push_back(value.is_some_and(|v| a.spec.breaches(v)));
            while a.recent.len() > a.spec.evaluation_periods.max(1) as usize {
                a.recent.pop_front();
            }
            let in_alarm = a.recent.iter().filter(|b| **b).count() as u32 >= a.spec.datapoints();
            if in_alarm == a.in_alarm {
                continue;
            }
            a.in_alarm = in_alarm;
            let (name, metric, threshold) = (a.spec.name.clone(), a.spec.metric.name(), a.spec.threshold);
            let shown = value.map_or_else(|| "no data".to_string(), |v| format!("{v:.1}"));
            if !in_alarm {
                let text = format!("alarm {name} is OK again ({metric} {shown})");
                self.core.observe(ObservationKind::AlarmOk, None, text);
                continue;
            }
            let done = self.alarm_action(k);
            let text = format!("alarm {name} fires ({metric} {shown}, threshold {threshold}): {done}");
            self.core.observe(ObservationKind::AlarmFired, None, text);
        }
    }

    /// Runs alarm `k`'s action; what it did, in words.
    fn alarm_action(&mut self, k: usize) -> String {
        let (target, kind, by, name) = {
            let a = &self.alarms[k];
            (a.target, a.spec.action.kind, a.spec.action.by, a.spec.name.clone())
        };
        let id = self.core.meta[target as usize].id.clone();
        let principal = format!("cloudwatch-alarm:{name}");
        let call = match kind {
            Do::Notify => "sns:Publish",
            Do::StopInstance => "ec2:StopInstances",
            Do::Failover => "rds:RebootDBInstance (ForceFailover)",
            // A rollback's call is the deployment's own (recorded with it).
            Do::Rollback => "",
            Do::ScaleOut | Do::ScaleIn => match &self.nodes[target as usize] {
                Node::Group(g) if g.pods.is_some() => "k8s:patch deployments/scale",
                _ => "autoscaling:ExecutePolicy",
            },
        };
        if !call.is_empty() {
            let detail = match kind {
                Do::ScaleOut => format!("scale out by {by}"),
                Do::ScaleIn => format!("scale in by {by}"),
                _ => String::new(),
            };
            self.core.record(&principal, call, target, detail);
        }
        match kind {
            Do::Notify => "notifies".into(),
            Do::StopInstance => {
                self.stop_slot(None, target, 0);
                self.core.arm_layers();
                format!("stops {id}")
            }
            Do::Failover => {
                let c = target as usize;
                if self.core.meta[c].down {
                    return format!("{id} is down already");
                }
                // As AWS's Multi-AZ failover: no writer for 60-120 s, then the standby serves.
                let secs = 60.0 + 60.0 * self.core.rng.random::<f64>();
                self.core.meta[c].down = true;
                self.core.meta[c].down_cause = super::ErrorCause::Unavailable;
                let index = self.push_fault_action(super::faults::FaultAction::Component(target, true));
                let at = self.core.now.saturating_add((secs * 1e9) as u64);
                self.core.queue.push(at, super::queue::Ev::Fault { index });
                let text = format!("{id} fails over to its standby ({secs:.0} s)");
                self.core.observe(ObservationKind::Failover, None, text);
                format!("fails {id} over to its standby")
            }
            Do::Rollback => match &mut self.nodes[target as usize] {
                Node::Group(g) if g.pods.is_some() => {
                    super::pods::roll_back(g, &mut self.core, target, &format!("alarm {name}"));
                    format!("rolls back {id}'s deployment")
                }
                _ => format!("{id} has no deployment to roll back"),
            },
            Do::ScaleOut | Do::ScaleIn => {
                let out = kind == Do::ScaleOut;
                let Node::Group(g) = &mut self.nodes[target as usize] else { return format!("{id} cannot scale") };
                if g.pods.is_some() {
                    let to =
                        super::pods::scale_by(g, &mut self.core, target, if out { by as i64 } else { -(by as i64) });
                    return format!("sets {id} to {to}");
                }
                let Some(asg) = g.asg.as_ref() else { return format!("{id} cannot scale") };
                let (min, max) = (asg.min, asg.max);
                let capacity = g.in_service()
                    + g.inst.iter().filter(|i| i.state == super::group::InstState::Launching).count() as u32;
                if out {
                    let n = by.min(max.saturating_sub(capacity));
                    let failed = super::asg::launch(g, &mut self.core, target, n);
                    format!("launches {} instance(s) into {id} ({capacity} -> {})", n - failed, capacity + n - failed)
                } else {
                    let n = by.min(capacity.saturating_sub(min));
                    super::asg::scale_in(g, &mut self.core, target, n);
                    format!("takes {n} instance(s) out of {id} ({capacity} -> {})", capacity - n)
                }
            }
        }
    }
}
