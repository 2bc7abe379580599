//! Deployments: a workload's versions, the strategies that move it from one to another, and
//! CloudWatch-style alarms that roll a bad one back.
//!
//! A version is just numbers (its image and the share of requests it fails): a bad version or
//! a bad config is a version whose numbers are worse. The strategies, with the replica count R:
//!
//! - **all at once** (Kubernetes' Recreate): the old pods stop, R new ones start; nothing serves
//!   in between.
//! - **rolling** (max surge S, max unavailable U): new pods start while the total stays within
//!   R + S; old pods stop while at least R - U pods stay Ready.
//! - **blue-green**: R new pods start beside the old ones; once all are Ready the traffic
//!   switches at once (ALB listener or Route 53 weights); the old pods are kept for a while
//!   for an instant rollback.
//! - **canary** (steps such as 5% -> 25% -> 100% with a bake time each): the step's share of the
//!   R pods run the new version (the old ones make room) and take that share of the traffic
//!   once Ready, as a canary without a traffic router does; the bake, then the next step.
//!
//! Once every pod runs the new version the deployment keeps watching its alarms for
//! `watch_after_s` (and can still be rolled back) before it is final. A rollback restores R old
//! pods and removes the new ones; where traffic is weighted it goes back to the old version at
//! once.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::cluster::{Cluster, EventKind};
use crate::time::{Duration, SimTime};

/// A version of a workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Version {
    /// Name (`v2`).
    pub name: String,
    /// Its image (a new image is pulled again on each node).
    pub image: String,
    /// Share of requests it fails, 0 to 1.
    pub error_rate: f64,
    /// Its service time against the first version's (1: the same).
    pub service_time_factor: f64,
    /// A memory leak: its pods' service time grows by this share per minute they have served
    /// (0: none).
    pub leak_per_min: f64,
}

impl Default for Version {
    fn default() -> Self {
        Version {
            name: "v1".into(),
            image: "app:1".into(),
            error_rate: 0.0,
            service_time_factor: 1.0,
            leak_per_min: 0.0,
        }
    }
}

impl Version {
    /// How much longer its pods' work takes than the first version's, `served_s` seconds after
    /// a pod began serving.
    pub fn slowdown(&self, served_s: f64) -> f64 {
        self.service_time_factor * (1.0 + self.leak_per_min * served_s.max(0.0) / 60.0)
    }
}

/// One canary step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CanaryStep {
    /// Share of traffic on the new version, 0 to 1 (the last step is 1).
    pub share: f64,
    /// How long the step bakes once its pods are Ready, seconds.
    pub bake_s: f64,
}

/// How a deployment proceeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "strategy", rename_all = "snake_case")]
pub enum Strategy {
    /// Stop every old pod, start every new one.
    AllAtOnce,
    /// Replace pods a few at a time.
    Rolling {
        /// Pods above the replica count allowed during the update.
        max_surge: u32,
        /// Pods below the replica count allowed to be not Ready.
        max_unavailable: u32,
    },
    /// A full second set, traffic switched once it is Ready.
    BlueGreen {
        /// The old set is kept this long after the switch, seconds.
        keep_old_s: f64,
    },
    /// Traffic shifted by steps.
    Canary {
        /// The steps.
        steps: Vec<CanaryStep>,
    },
}

impl Strategy {
    fn label(&self) -> String {
        match self {
            Strategy::AllAtOnce => "all at once".into(),
            Strategy::Rolling { max_surge, max_unavailable } => {
                format!("rolling (max surge {max_surge}, max unavailable {max_unavailable})")
            }
            Strategy::BlueGreen { .. } => "blue-green".into(),
            Strategy::Canary { steps } => {
                let s: Vec<String> = steps.iter().map(|s| format!("{}%", (s.share * 100.0).round())).collect();
                format!("canary {}", s.join(" -> "))
            }
        }
    }

    /// Why the strategy cannot run, if it cannot.
    fn check(&self) -> Result<(), DeployError> {
        match self {
            Strategy::Rolling { max_surge: 0, max_unavailable: 0 } => {
                Err(DeployError::Strategy("a rolling update needs a max surge or a max unavailable above 0".into()))
            }
            Strategy::Canary { steps } => {
                let ordered = steps.windows(2).all(|w| w[0].share < w[1].share);
                let ranged = steps.iter().all(|s| s.share > 0.0 && s.share <= 1.0 && s.bake_s >= 0.0);
                if steps.last().is_none_or(|s| s.share != 1.0) || !ordered || !ranged {
                    Err(DeployError::Strategy("canary steps must rise from above 0% and end at 100%".into()))
                } else {
                    Ok(())
                }
            }
            Strategy::BlueGreen { keep_old_s } if *keep_old_s < 0.0 => {
                Err(DeployError::Strategy("keep the old set for 0 s or more".into()))
            }
            _ => Ok(()),
        }
    }
}

/// Why a deployment cannot start.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    /// No such workload.
    #[error("there is no workload number {0}")]
    NoWorkload(usize),
    /// No such version.
    #[error("the workload has no version number {0}")]
    NoVersion(usize),
    /// Already running it.
    #[error("the workload already runs that version")]
    SameVersion,
    /// Another deployment is under way.
    #[error("a deployment of this workload is already under way")]
    InProgress,
    /// Nothing to roll back.
    #[error("no deployment of this workload is under way")]
    NothingToRollBack,
    /// The strategy's numbers do not work.
    #[error("{0}")]
    Strategy(String),
}

/// Requests served and failed (fractional: the cluster model integrates rates).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Served {
    /// Requests.
    pub requests: f64,
    /// Of which failed.
    pub errors: f64,
}

impl Served {
    pub(super) fn add(&mut self, requests: f64, errors: f64) {
        self.requests += requests;
        self.errors += errors;
    }
}

/// What an alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmTarget {
    /// The error rate of the version being deployed (its target group).
    NewVersion,
    /// The error rate of the whole service (every version, and requests that found no pod).
    Service,
}

/// A CloudWatch alarm on an error rate: in alarm when `datapoints_to_alarm` of the last
/// `evaluation_periods` periods were above the threshold (periods without requests count as
/// not breaching, CloudWatch's default for missing data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    /// Name.
    pub name: String,
    /// Workload (index).
    pub workload: usize,
    /// What it watches.
    pub target: AlarmTarget,
    /// Error rate above which a period breaches, 0 to 1.
    pub threshold: f64,
    /// Period, seconds (60).
    pub period_s: f64,
    /// Periods looked at.
    pub evaluation_periods: u32,
    /// Breaching periods among them for the alarm.
    pub datapoints_to_alarm: u32,
    /// Its action: roll back the deployment under way.
    pub rollback: bool,
}

/// An alarm and its state.
#[derive(Clone, Debug, PartialEq)]
pub struct AlarmRun {
    /// The alarm.
    pub alarm: Alarm,
    /// Its next evaluation.
    pub next_eval: SimTime,
    /// In alarm.
    pub in_alarm: bool,
    mark: Served,
    recent: VecDeque<bool>,
}

impl AlarmRun {
    pub(super) fn new(alarm: Alarm, now: SimTime) -> AlarmRun {
        let next_eval = now + Duration::from_secs_f64(alarm.period_s.max(1.0));
        AlarmRun { alarm, next_eval, in_alarm: false, mark: Served::default(), recent: VecDeque::new() }
    }
}

/// A deployment under way.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rollout {
    /// The version it moves from.
    pub from: usize,
    /// The version it moves to.
    pub to: usize,
    /// How.
    pub strategy: Strategy,
    /// When it started.
    pub started: SimTime,
    /// The new version's traffic share when set by weight (blue-green's switch), else traffic
    /// follows the Ready pods.
    pub weight: Option<f64>,
    /// The canary step under way.
    pub step: usize,
    /// Being rolled back.
    pub rolled_back: bool,
    /// When it next acts by itself (a bake, the blue-green wait or the watch ends).
    pub wake: Option<SimTime>,
    /// When every pod ran the new version (the watch began).
    pub completed_at: Option<SimTime>,
    /// The canary step whose pods are in (its bake under way).
    pub shifted: Option<usize>,
    old_target: u32,
    new_target: u32,
}

impl Cluster {
    /// Starts deploying version `to` of `workload`.
    pub fn deploy(&mut self, now: SimTime, workload: usize, to: usize, strategy: Strategy) -> Result<(), DeployError> {
        self.advance(now);
        let w = self.spec.workloads.get(workload).ok_or(DeployError::NoWorkload(workload))?;
        if to >= w.version_count() {
            return Err(DeployError::NoVersion(to));
        }
        if self.rollouts[workload].is_some() {
            return Err(DeployError::InProgress);
        }
        let from = self.stable[workload];
        if from == to {
            return Err(DeployError::SameVersion);
        }
        strategy.check()?;
        let r = self.replicas[workload];
        self.log(
            now,
            EventKind::DeploymentStarted {
                workload: w.name.clone(),
                from: w.version(from).name,
                to: w.version(to).name,
                strategy: strategy.label(),
            },
        );
        let weight = matches!(strategy, Strategy::BlueGreen { .. }).then_some(0.0);
        self.rollouts[workload] = Some(Rollout {
            from,
            to,
            strategy,
            started: now,
            weight,
            step: 0,
            rolled_back: false,
            wake: None,
            completed_at: None,
            shifted: None,
            old_target: r,
            new_target: 0,
        });
        self.settle_rollouts(now);
        Ok(())
    }

    /// Rolls back `workload`'s deployment under way (a person's rollback, or an alarm's).
    pub fn rollback(&mut self, now: SimTime, workload: usize, why: &str) -> Result<(), DeployError> {
        self.advance(now);
        self.start_rollback(now, workload, why)?;
        self.settle_rollouts(now);
        Ok(())
    }

    fn start_rollback(&mut self, now: SimTime, workload: usize, why: &str) -> Result<(), DeployError> {
        let name = self.spec.workloads.get(workload).ok_or(DeployError::NoWorkload(workload))?.name.clone();
        let Some(r) = self.rollouts[workload].as_mut().filter(|r| !r.rolled_back) else {
            return Err(DeployError::NothingToRollBack);
        };
        r.rolled_back = true;
        r.wake = None;
        let shifted = r.weight.is_some_and(|x| x > 0.0) || r.shifted.is_some();
        if r.weight.is_some() {
            r.weight = Some(0.0);
        }
        self.log(now, EventKind::RollbackStarted { workload: name.clone(), why: why.into() });
        if shifted {
            self.log(now, EventKind::TrafficShifted { workload: name, to_share: 0.0 });
        }
        Ok(())
    }

    /// Moves deployments on and reconciles until nothing changes.
    pub(super) fn settle_rollouts(&mut self, t: SimTime) {
        for _ in 0..8 {
            let before = self.rollouts.clone();
            self.progress_rollouts(t);
            self.reconcile();
            if before == self.rollouts {
                break;
            }
        }
    }

    /// Replica targets of each of a workload's versions.
    pub(super) fn targets(&self, w: usize) -> Vec<u32> {
        let mut t = vec![0; self.spec.workloads[w].version_count()];
        match &self.rollouts[w] {
            None => t[self.stable[w]] = self.replicas[w],
            Some(r) => {
                t[r.from] = r.old_target;
                t[r.to] = r.new_target;
            }
        }
        t
    }

    /// How a workload's traffic is split over its versions now (shares summing to 1, or all 0
    /// when no pod is Ready).
    pub fn traffic(&self, w: usize) -> Vec<f64> {
        let n = self.spec.workloads[w].version_count();
        let ready: Vec<u32> = (0..n).map(|v| self.ready_of(w, v)).collect();
        let total: u32 = ready.iter().sum();
        let mut shares = vec![0.0; n];
        if total == 0 {
            return shares;
        }
        if let Some((r, x)) = self.rollouts[w].as_ref().and_then(|r| Some((r, r.weight?))) {
            let to = if ready[r.to] > 0 { x } else { 0.0 };
            let from = if ready[r.from] > 0 { 1.0 - to } else { 0.0 };
            if to + from > 0.0 {
                shares[r.to] = to / (to + from);
                shares[r.from] = from / (to + from);
                return shares;
            }
        }
        for (s, r) in shares.iter_mut().zip(&ready) {
            *s = f64::from(*r) / f64::from(total);
        }
        shares
    }

    pub(super) fn evaluate_alarms(&mut self, t: SimTime) {
        for k in 0..self.alarms.len() {
            if self.alarms[k].next_eval > t {
                continue;
            }
            let a = &self.alarms[k].alarm;
            let w = a.workload;
            let totals = match (a.target, self.rollouts.get(w).and_then(Option::as_ref)) {
                (AlarmTarget::NewVersion, Some(r)) => self.served(w, r.to),
                (AlarmTarget::NewVersion, None) => self.alarms[k].mark,
                (AlarmTarget::Service, _) => self.served.get(w).map_or(Served::default(), |s| {
                    s.iter().fold(Served::default(), |mut acc, x| {
                        acc.add(x.requests, x.errors);
                        acc
                    })
                }),
            };
            let run = &mut self.alarms[k];
            let (dr, de) = (totals.requests - run.mark.requests, totals.errors - run.mark.errors);
            run.mark = totals;
            let value = if dr > 1e-9 { de / dr } else { 0.0 };
            run.recent.push_back(dr > 1e-9 && value > run.alarm.threshold);
            while run.recent.len() > run.alarm.evaluation_periods.max(1) as usize {
                run.recent.pop_front();
            }
            run.next_eval += Duration::from_secs_f64(run.alarm.period_s.max(1.0));
            let in_alarm = run.recent.iter().filter(|b| **b).count() as u32 >= run.alarm.datapoints_to_alarm.max(1);
            if in_alarm == run.in_alarm {
                continue;
            }
            run.in_alarm = in_alarm;
            let (name, rollback) = (run.alarm.name.clone(), run.alarm.rollback);
            self.log(t, EventKind::AlarmChanged { alarm: name.clone(), in_alarm, value });
            if in_alarm && rollback {
                // Nothing under way: nothing to roll back, and nothing to say.
                let _ = self.start_rollback(t, w, &format!("alarm {name}"));
            }
        }
    }

    /// Each deployment's next move at `t`, from the pods as they are.
    pub(super) fn progress_rollouts(&mut self, t: SimTime) {
        for w in 0..self.rollouts.len() {
            let Some(mut r) = self.rollouts[w].clone() else { continue };
            let n = self.replicas[w];
            let (ready_old, ready_new) = (self.ready_of(w, r.from), self.ready_of(w, r.to));
            let (live_old, live_new) = (self.live_of(w, r.from), self.live_of(w, r.to));
            let name = self.spec.workloads[w].name.clone();
            let mut finished = None;
            if r.rolled_back {
                r.old_target = n;
                r.new_target = 0;
                if ready_old >= n && live_new == 0 {
                    finished = Some(r.from);
                }
            } else {
                match r.strategy.clone() {
                    Strategy::AllAtOnce => {
                        r.old_target = 0;
                        r.new_target = n;
                    }
                    Strategy::Rolling { max_surge, max_unavailable } => {
                        let surge_room = (n + max_surge).saturating_sub(live_old);
                        r.new_target = r.new_target.max(surge_room.min(n));
                        let can_remove = (ready_old + ready_new).saturating_sub(n.saturating_sub(max_unavailable));
                        r.old_target = r.old_target.min(ready_old.saturating_sub(can_remove));
                    }
                    Strategy::BlueGreen { keep_old_s } => {
                        r.new_target = n;
                        if r.weight == Some(0.0) && ready_new >= n {
                            r.weight = Some(1.0);
                            r.wake = Some(t + Duration::from_secs_f64(keep_old_s));
                            self.log(t, EventKind::TrafficShifted { workload: name.clone(), to_share: 1.0 });
                        }
                        if r.weight == Some(1.0) && r.wake.is_some_and(|k| k <= t) {
                            r.old_target = 0;
                            r.wake = None;
                        }
                    }
                    Strategy::Canary { steps } => {
                        // The step's share of the pods run the new version (the traffic follows
                        // the pods): the old ones make room for them.
                        let k = r.step.min(steps.len() - 1);
                        let step = steps[k];
                        let want =
                            if step.share >= 1.0 { n } else { ((f64::from(n) * step.share).ceil() as u32).max(1) };
                        r.new_target = r.new_target.max(want);
                        r.old_target = r.old_target.min(n.saturating_sub(r.new_target));
                        if ready_new >= r.new_target && r.shifted != Some(k) {
                            r.shifted = Some(k);
                            if step.share < 1.0 {
                                r.wake = Some(t + Duration::from_secs_f64(step.bake_s));
                            }
                            self.log(t, EventKind::TrafficShifted { workload: name.clone(), to_share: step.share });
                        } else if step.share < 1.0 && r.wake.is_some_and(|k| k <= t) {
                            r.wake = None;
                            r.step += 1;
                        }
                    }
                }
                if ready_new >= n && live_old == 0 && r.old_target == 0 {
                    // Replaced: the deployment watches its alarms a while before it is final.
                    let watch = Duration::from_secs_f64(self.spec.watch_after_s.max(0.0));
                    let since = *r.completed_at.get_or_insert(t);
                    if since + watch <= t {
                        finished = Some(r.to);
                    } else {
                        r.wake = Some(since + watch);
                    }
                }
            }
            match finished {
                Some(v) => {
                    self.stable[w] = v;
                    self.rollouts[w] = None;
                    let version = self.spec.workloads[w].version(v).name;
                    self.log(t, EventKind::DeploymentFinished { workload: name, version, rolled_back: r.rolled_back });
                }
                None => self.rollouts[w] = Some(r),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster::{ClusterSpec, NodeGroupSpec, WorkloadSpec};
    use super::*;

    const DEPLOY: SimTime = SimTime::from_secs(60);
    /// Requests per second.
    const RPS: f64 = 1000.0;

    fn version(name: &str, image: &str, error_rate: f64) -> Version {
        Version { name: name.into(), image: image.into(), error_rate, ..Version::default() }
    }

    /// Ten pods of 500 m on four m5.xlarge nodes (room for 28), at 1,000 requests/s. Versions:
    /// v1 (running), v2 (fails 20%), v3 (good); a new image takes 17 s to start (1 s sandbox,
    /// 300 MB at 50 MB/s, the probe's pass 10 s after the start), a cached one 11.2 s.
    fn service() -> Cluster {
        let group = NodeGroupSpec { instance_type: "m5.xlarge".into(), desired: 4, max: 4, ..NodeGroupSpec::default() };
        let pod = super::super::pod::test_pod();
        let versions = vec![version("v1", "app:1", 0.0), version("v2", "app:2", 0.2), version("v3", "app:3", 0.0)];
        let web = WorkloadSpec { name: "web".into(), pod, replicas: 10, max_skew: None, hpa: None, versions };
        let mut c = Cluster::running(ClusterSpec::new(vec![group], vec![web]), 1);
        c.set_request_rate(0, RPS);
        c
    }

    fn alarm(target: AlarmTarget) -> Alarm {
        Alarm {
            name: "web-5xx".into(),
            workload: 0,
            target,
            threshold: 0.05,
            period_s: 60.0,
            evaluation_periods: 2,
            datapoints_to_alarm: 2,
            rollback: true,
        }
    }

    /// Runs until nothing is due or `until`.
    fn run(c: &mut Cluster, until: SimTime) {
        while let Some(t) = c.next_deadline().filter(|t| *t <= until) {
            c.advance(t);
        }
        c.advance(until);
    }

    fn when(c: &Cluster, f: impl Fn(&EventKind) -> bool) -> Option<f64> {
        c.events.iter().find(|e| f(&e.kind)).map(|e| e.at.as_secs_f64())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * b.abs().max(1.0)
    }

    #[test]
    fn a_bad_version_all_at_once_against_a_canary_with_an_alarm() {
        // All at once, with an alarm on the service's error rate (over 5% in 2 of 2 minutes).
        let mut all = service();
        all.add_alarm(alarm(AlarmTarget::Service));
        all.deploy(DEPLOY, 0, 1, Strategy::AllAtOnce).unwrap();
        run(&mut all, SimTime::from_secs(600));
        // Nothing serves for 17 s (every request fails), then v2 fails 20% until the alarm
        // fires at the end of the second bad minute (180 s) and v1 is back 11.2 s later.
        assert_eq!(when(&all, |k| matches!(k, EventKind::AlarmChanged { in_alarm: true, .. })), Some(180.0));
        let recovered = when(&all, |k| matches!(k, EventKind::DeploymentFinished { rolled_back: true, .. })).unwrap();
        assert!(close(recovered, 191.2), "{recovered}");
        let expect = RPS * 17.0 + RPS * 0.2 * (180.0 - 77.0) + RPS * 11.2;
        assert!(close(all.errors(0), expect), "{} vs {expect}", all.errors(0));
        assert_eq!(all.stable[0], 0, "back on v1");

        // A canary: 10% for 5 minutes, then 100%; the alarm watches the canary's target group.
        let mut canary = service();
        canary.add_alarm(alarm(AlarmTarget::NewVersion));
        let steps = vec![CanaryStep { share: 0.1, bake_s: 300.0 }, CanaryStep { share: 1.0, bake_s: 0.0 }];
        canary.deploy(DEPLOY, 0, 1, Strategy::Canary { steps }).unwrap();
        run(&mut canary, SimTime::from_secs(600));
        // One pod Ready at 77 s takes 10%: 20 errors/s until the rollback at 180 s.
        assert_eq!(
            when(&canary, |k| matches!(k, EventKind::TrafficShifted { to_share, .. } if *to_share == 0.1)),
            Some(77.0)
        );
        assert_eq!(when(&canary, |k| matches!(k, EventKind::RollbackStarted { .. })), Some(180.0));
        let expect_canary = RPS * 0.1 * 0.2 * (180.0 - 77.0);
        assert!(close(canary.errors(0), expect_canary), "{} vs {expect_canary}", canary.errors(0));
        assert!(close(canary.served(0, 3).requests, 0.0), "no request found the service without a pod");
        let ratio = all.errors(0) / canary.errors(0);
        println!(
            "bad version: all at once {:.0} errors, recovered after {:.1} s; canary {:.0} errors ({ratio:.1}x fewer), stopped after {:.0} s",
            all.errors(0),
            recovered - 60.0,
            canary.errors(0),
            180.0 - 60.0
        );
        assert!(ratio > 20.0);
    }

    #[test]
    fn blue_green_switches_with_no_failed_request_and_rolls_back_at_once() {
        let mut c = service();
        c.deploy(DEPLOY, 0, 2, Strategy::BlueGreen { keep_old_s: 300.0 }).unwrap();
        run(&mut c, SimTime::from_secs(76));
        assert_eq!(c.traffic(0), vec![1.0, 0.0, 0.0], "blue serves while green starts");
        assert_eq!(c.ready_of(0, 2), 0);
        run(&mut c, SimTime::from_secs(77));
        assert_eq!(c.traffic(0), vec![0.0, 0.0, 1.0], "switched once all ten are Ready");
        assert_eq!(c.ready_of(0, 0), 10, "blue kept");
        c.rollback(SimTime::from_secs(100), 0, "operator").unwrap();
        assert_eq!(c.traffic(0), vec![1.0, 0.0, 0.0], "back at once");
        run(&mut c, SimTime::from_secs(600));
        assert_eq!(c.errors(0), 0.0, "not one request failed");
        assert!(close(c.served(0, 0).requests + c.served(0, 2).requests, RPS * 600.0));
        assert!(close(c.served(0, 2).requests, RPS * 23.0), "green served 77-100 s");
        assert_eq!(c.rollback(SimTime::from_secs(600), 0, "again"), Err(DeployError::NothingToRollBack));

        // Without a rollback, blue goes 300 s after the switch.
        let mut c = service();
        c.deploy(DEPLOY, 0, 2, Strategy::BlueGreen { keep_old_s: 300.0 }).unwrap();
        run(&mut c, SimTime::from_secs(700));
        // Blue goes 300 s after the switch; the deployment is final after 300 s more of watch.
        assert_eq!(when(&c, |k| matches!(k, EventKind::DeploymentFinished { rolled_back: false, .. })), Some(677.0));
        assert_eq!((c.stable[0], c.ready_of(0, 0), c.ready_of(0, 2)), (2, 0, 10));
    }

    #[test]
    fn rolling_with_max_unavailable_too_high_halves_capacity_under_load() {
        // The lowest number of Ready pods during the update, and when it ended.
        let dip = |max_surge, max_unavailable| {
            let mut c = service();
            c.deploy(DEPLOY, 0, 2, Strategy::Rolling { max_surge, max_unavailable }).unwrap();
            let mut low = c.ready(0);
            let mut shares = Vec::new();
            let mut replaced = None;
            while let Some(t) = c.next_deadline().filter(|t| *t <= SimTime::from_secs(900)) {
                c.advance(t);
                low = low.min(c.ready(0));
                shares.push(c.traffic(0)[2]);
                if replaced.is_none() && c.ready_of(0, 2) == 10 && c.live_of(0, 0) == 0 {
                    replaced = Some(t.as_secs_f64());
                }
            }
            let done = replaced.unwrap();
            // Final after the 300 s watch.
            assert_eq!(when(&c, |k| matches!(k, EventKind::DeploymentFinished { .. })), Some(done + 300.0));
            // Traffic follows the Ready pods: the new version's share only grows.
            assert!(shares.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{shares:?}");
            (low, done)
        };
        let (low_high, done_high) = dip(0, 5);
        let (low_safe, done_safe) = dip(1, 1);
        assert_eq!(low_high, 5, "max unavailable 5: half the pods serve");
        assert_eq!(low_safe, 9);
        // At 3,000 m of use, each Ready pod's CPU (500 m requested): 120% against 67%.
        println!(
            "rolling: max unavailable 5 -> {low_high} Ready ({:.0}% CPU), replaced in {:.1} s; surge 1 / unavailable 1 -> {low_safe} Ready ({:.0}% CPU), replaced in {:.1} s",
            3000.0 / (f64::from(low_high) * 500.0) * 100.0,
            done_high - 60.0,
            3000.0 / (f64::from(low_safe) * 500.0) * 100.0,
            done_safe - 60.0
        );
        assert!(done_high < done_safe, "faster, at that price");
    }

    #[test]
    fn bad_deployments_are_refused_in_words() {
        let mut c = service();
        let t = SimTime::from_secs(10);
        assert_eq!(c.deploy(t, 0, 0, Strategy::AllAtOnce), Err(DeployError::SameVersion));
        assert_eq!(c.deploy(t, 0, 7, Strategy::AllAtOnce), Err(DeployError::NoVersion(7)));
        assert_eq!(c.deploy(t, 3, 1, Strategy::AllAtOnce), Err(DeployError::NoWorkload(3)));
        let e = c.deploy(t, 0, 1, Strategy::Rolling { max_surge: 0, max_unavailable: 0 }).unwrap_err();
        assert_eq!(e.to_string(), "a rolling update needs a max surge or a max unavailable above 0");
        let e =
            c.deploy(t, 0, 1, Strategy::Canary { steps: vec![CanaryStep { share: 0.5, bake_s: 60.0 }] }).unwrap_err();
        assert!(e.to_string().contains("end at 100%"));
        c.deploy(t, 0, 1, Strategy::AllAtOnce).unwrap();
        assert_eq!(c.deploy(t, 0, 2, Strategy::AllAtOnce), Err(DeployError::InProgress));
        // Same inputs, same run.
        let again = |c: &mut Cluster| {
            c.add_alarm(alarm(AlarmTarget::Service));
            run(c, SimTime::from_secs(400));
            c.events.clone()
        };
        let mut d = service();
        d.deploy(t, 0, 1, Strategy::AllAtOnce).unwrap();
        assert_eq!(again(&mut c), again(&mut d));
    }
}
