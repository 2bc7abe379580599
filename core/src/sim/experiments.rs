//! Playing an experiment ([`crate::experiment`]): each action is resolved to engine indices
//! when the run is built, scheduled as ordinary events (`Ev::Experiment`) at its start, its end
//! and, for a canary push, each stage, and every step is written to the observation log.
//! Stop conditions are checked at every metrics tick.

use super::call::NONE;
use super::core::{Impairment, ObservationKind};
use super::group::InstState;
use super::node::Node;
use super::queue::Ev;
use super::{ErrorCause, Simulation};
use crate::experiment::{Action, ActionKind, Experiment, PushStrategy, StopCondition, Target};
use crate::topology::{ComponentKind, ComponentSpec, ContainerKind, Topology};
use rand::Rng;

/// What an action does, resolved to engine indices.
#[derive(Clone, Debug, PartialEq)]
enum Effect {
    /// Instances `(component, slot)` die (and stay dead: a replacement is a new instance); the
    /// named hosts are retired in the layers.
    Kill(Vec<(u32, u32)>, Vec<String>),
    /// AZs (engine indices) go dark; with a region, components placed in it too.
    Zones { azs: Vec<u16>, region: Option<u16> },
    /// A component is unreachable for a while, answering with `cause`.
    Down { comp: u32, cause: ErrorCause, for_ns: Option<u64> },
    /// Calls from `from` to `to` take longer or are lost.
    Link(Impairment),
    /// Instances run slower by `factor`.
    Stress { targets: Vec<(u32, u32)>, factor: f64 },
    /// An instance's volume completes no I/O until `until` (`iops` `None`) or at most `iops`.
    Disk { comp: u32, slot: u32, iops: Option<f64>, until: u64 },
    /// A share of the component's requests fail with a server error, by stage.
    Push { comp: u32, error: f64, stages: Vec<f64>, canary: bool, bake_ns: u64, halt: f64 },
    /// Launches into the group fail.
    NoCapacity(u32),
    /// Instances are stopped (started again when the action ends) or rebooted.
    Restart { targets: Vec<(u32, u32)>, stop: bool },
    /// An EKS deployment moves to a new version (rolled back when the action is reverted).
    Deploy { comp: u32, release: super::pods::Release },
    /// A pod of an EKS deployment (in slot `slot`, or its lowest) is deleted, or its node
    /// drained or failed.
    Pod { comp: u32, slot: Option<u32>, fault: super::pods::PodFault },
}

/// One action of the experiment, with its state.
#[derive(Clone, Debug)]
pub(super) struct ActionRun {
    pub(super) kind: ActionKind,
    pub(super) target: String,
    pub(super) start_ns: u64,
    pub(super) end_ns: Option<u64>,
    effect: Effect,
    pub(super) active: bool,
    pub(super) ended_at: Option<u64>,
    /// Canary: the stage in effect, and the component's counters when it began.
    stage: usize,
    stage_mark: (u64, u64),
    pub(super) halted: bool,
    /// `stop-instance`: when its instances are stopped (their start waits for it).
    resume_at: u64,
}

/// The experiment being played.
#[derive(Clone, Debug)]
pub(super) struct ExperimentRun {
    pub(super) name: String,
    pub(super) actions: Vec<ActionRun>,
    stop: Vec<StopCondition>,
    pub(super) stopped: Option<(u64, String)>,
}

const S: f64 = 1e9;

/// Resolves `e` against the built engine. Every target was checked by validation, so a target
/// that does not resolve only makes its action do nothing (and says so in its label).
pub(super) fn resolve(sim: &Simulation, t: &Topology, e: &Experiment) -> ExperimentRun {
    let comp = |id: &str| sim.component_index(id).map(|c| c.0);
    let az = |id: &str| sim.az_ids.iter().position(|a| a == id).map(|z| z as u16);
    let mut actions = Vec::new();
    for a in &e.actions {
        let start_ns = (a.start_s * S) as u64;
        let end_ns = a.duration_s.map(|d| start_ns.saturating_add((d * S) as u64));
        let effect = effect(sim, t, a, &comp, &az);
        actions.push(ActionRun {
            kind: a.action,
            target: a.target.to_string(),
            start_ns,
            end_ns,
            effect,
            active: false,
            ended_at: None,
            stage: 0,
            stage_mark: (0, 0),
            halted: false,
            resume_at: 0,
        });
    }
    ExperimentRun { name: e.name.clone(), actions, stop: e.stop_conditions.clone(), stopped: None }
}

fn instances_of(sim: &Simulation, c: u32, index: Option<u32>) -> Vec<(u32, u32)> {
    match &sim.nodes[c as usize] {
        Node::Group(g) => match index {
            Some(k) => vec![(c, k)],
            None => (0..g.inst.len() as u32)
                .filter(|&k| g.inst[k as usize].state != InstState::Free)
                .map(|k| (c, k))
                .collect(),
        },
        _ => Vec::new(),
    }
}

fn effect(
    sim: &Simulation,
    t: &Topology,
    a: &Action,
    comp: &dyn Fn(&str) -> Option<u32>,
    az: &dyn Fn(&str) -> Option<u16>,
) -> Effect {
    let p = &a.params;
    let none = Effect::Kill(Vec::new(), Vec::new());
    let instance_targets = |target: &Target| match target {
        Target::Instance { component, index } => {
            comp(component).map_or(Vec::new(), |c| instances_of(sim, c, Some(*index)))
        }
        Target::Component(id) => comp(id).map_or(Vec::new(), |c| instances_of(sim, c, Some(0))),
        Target::Host(h) => sim.instances_on_hosts(|name, _| name == h),
        Target::Rack(r) => sim.instances_on_hosts(|_, rack| rack == r),
        _ => Vec::new(),
    };
    match a.action {
        ActionKind::TerminateInstance => Effect::Kill(instance_targets(&a.target), Vec::new()),
        ActionKind::HostFailure => match &a.target {
            // The instance's host: with the layers, every VM on it; without, the instance.
            Target::Instance { .. } | Target::Component(_) => {
                let mine = instance_targets(&a.target);
                match mine.first().and_then(|&(c, k)| sim.host_of(c, k)) {
                    Some(h) => Effect::Kill(sim.instances_on_hosts(|name, _| name == h), vec![h]),
                    None => Effect::Kill(mine, Vec::new()),
                }
            }
            Target::Host(h) => Effect::Kill(instance_targets(&a.target), vec![h.clone()]),
            Target::Rack(r) => Effect::Kill(instance_targets(&a.target), sim.hosts_in_rack(r)),
            _ => none,
        },
        ActionKind::AzOutage => match &a.target {
            Target::Az(z) => Effect::Zones { azs: az(z).into_iter().collect(), region: None },
            _ => none,
        },
        ActionKind::RegionOutage => match &a.target {
            Target::Region(r) => {
                let azs = t
                    .containers
                    .iter()
                    .filter(|c| c.kind == ContainerKind::Az && c.parent.as_deref() == Some(r.as_str()))
                    .filter_map(|c| az(&c.id))
                    .collect();
                Effect::Zones { azs, region: sim.region_ids.iter().position(|x| x == r).map(|x| x as u16) }
            }
            _ => none,
        },
        ActionKind::DbFailover => match &a.target {
            Target::Component(id) => {
                let Some(c) = comp(id) else { return none };
                let multi_az = matches!(t.component(id).map(|x| &x.spec), Some(ComponentSpec::Rds(r)) if r.multi_az);
                Effect::Down {
                    comp: c,
                    cause: ErrorCause::Unavailable,
                    // Multi-AZ: the failover's length (drawn when it starts unless given);
                    // single-AZ: down for the whole action.
                    for_ns: if multi_az { Some(p.failover_s.map_or(0, |s| (s * S) as u64)) } else { None },
                }
            }
            _ => none,
        },
        ActionKind::DnsFailure => match &a.target {
            Target::Component(id) => match comp(id) {
                Some(c) => Effect::Down { comp: c, cause: ErrorCause::DnsFailure, for_ns: None },
                None => none,
            },
            _ => none,
        },
        ActionKind::NetworkLatency | ActionKind::PacketLoss => match &a.target {
            Target::Connection { from, to } => match (comp(from), comp(to)) {
                (Some(f), Some(x)) => Effect::Link(Impairment {
                    from: f,
                    to: x,
                    azs: None,
                    extra_ns: if a.action == ActionKind::NetworkLatency {
                        (p.latency_ms.unwrap_or(100.0) * 1e6) as u64
                    } else {
                        0
                    },
                    loss: if a.action == ActionKind::PacketLoss { p.loss_percent.unwrap_or(10.0) / 100.0 } else { 0.0 },
                }),
                _ => none,
            },
            _ => none,
        },
        ActionKind::Partition => match &a.target {
            Target::Azs([x, y]) => match (az(x), az(y)) {
                (Some(x), Some(y)) => {
                    Effect::Link(Impairment { from: NONE, to: NONE, azs: Some((x, y)), extra_ns: 0, loss: 0.0 })
                }
                _ => none,
            },
            _ => none,
        },
        ActionKind::CpuStress => {
            let share = p.cpu_percent.unwrap_or(80.0) / 100.0;
            // A hog using `share` of the CPU leaves `1 - share` for the guest: its work takes
            // 1 / (1 - share) as long (capped at 20x).
            let factor = (1.0 / (1.0 - share).max(0.05)).min(20.0);
            Effect::Stress { targets: instance_targets(&a.target), factor }
        }
        ActionKind::EbsPause | ActionKind::EbsThrottle => match instance_targets(&a.target).first() {
            Some(&(c, k)) => Effect::Disk {
                comp: c,
                slot: k,
                iops: (a.action == ActionKind::EbsThrottle).then(|| p.iops.unwrap_or(100.0)),
                until: a.duration_s.map_or(u64::MAX, |d| ((a.start_s + d) * S) as u64),
            },
            None => none,
        },
        ActionKind::ConfigPush => match &a.target {
            Target::Component(id) => match comp(id) {
                Some(c) => {
                    let canary = p.strategy == Some(PushStrategy::Canary);
                    let stages = if canary {
                        p.stages_percent
                            .clone()
                            .unwrap_or_else(|| vec![5.0, 25.0, 100.0])
                            .iter()
                            .map(|s| s / 100.0)
                            .collect()
                    } else {
                        vec![1.0]
                    };
                    Effect::Push {
                        comp: c,
                        error: p.error_percent.unwrap_or(100.0) / 100.0,
                        stages,
                        canary,
                        bake_ns: (p.bake_s.unwrap_or(60.0) * S) as u64,
                        halt: p.halt_error_percent.unwrap_or(1.0) / 100.0,
                    }
                }
                None => none,
            },
            _ => none,
        },
        ActionKind::StopInstance | ActionKind::RebootInstance => {
            Effect::Restart { targets: instance_targets(&a.target), stop: a.action == ActionKind::StopInstance }
        }
        ActionKind::AsgCapacityError => match &a.target {
            Target::Component(id) => comp(id).map_or(none, Effect::NoCapacity),
            _ => none,
        },
        ActionKind::PodDelete | ActionKind::DrainNode | ActionKind::NodeFailure => {
            use super::pods::PodFault;
            let fault = match a.action {
                ActionKind::PodDelete => PodFault::Delete,
                ActionKind::DrainNode => PodFault::Drain,
                _ => PodFault::Fail,
            };
            let pod = match &a.target {
                Target::Component(id) => comp(id).map(|c| (c, None)),
                Target::Instance { component, index } => comp(component).map(|c| (c, Some(*index))),
                _ => None,
            };
            let Some((c, slot)) = pod else { return none };
            // With the layers, a node's failure is its host's: every VM on it stops.
            let host =
                (fault == PodFault::Fail).then(|| sim.pod_slot(c, slot)).flatten().and_then(|k| sim.host_of(c, k));
            match host {
                Some(h) => Effect::Kill(sim.instances_on_hosts(|name, _| name == h), vec![h]),
                None => Effect::Pod { comp: c, slot, fault },
            }
        }
        ActionKind::Deploy => match &a.target {
            Target::Component(id) => match comp(id) {
                Some(c) => Effect::Deploy {
                    comp: c,
                    release: super::pods::Release {
                        error: p.error_percent.unwrap_or(0.0) / 100.0,
                        service_time_factor: p.service_time_percent.unwrap_or(100.0) / 100.0,
                        leak_per_min: p.leak_percent_per_min.unwrap_or(0.0) / 100.0,
                        config_only: p.config_only.unwrap_or(false),
                        strategy: p.strategy.unwrap_or_default(),
                        stages: p
                            .stages_percent
                            .as_deref()
                            .unwrap_or(&[10.0, 100.0])
                            .iter()
                            .map(|s| s / 100.0)
                            .collect(),
                        bake_s: p.bake_s.unwrap_or(300.0),
                        max_surge: p.max_surge,
                        max_unavailable: p.max_unavailable,
                        halt: p.halt_error_percent.map(|h| h / 100.0),
                    },
                },
                None => none,
            },
            _ => none,
        },
    }
}

/// What an `Ev::Experiment` event does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Start = 0,
    End = 1,
    /// A canary stage's bake time is over.
    Stage = 2,
}

impl Step {
    pub(super) fn from_code(c: u32) -> Step {
        match c {
            0 => Step::Start,
            1 => Step::End,
            _ => Step::Stage,
        }
    }
}

impl ActionRun {
    /// Whether two actions were resolved from the same action of the document.
    fn same_plan(&self, other: &ActionRun) -> bool {
        (self.kind, &self.target, self.start_ns, self.end_ns, &self.effect)
            == (other.kind, &other.target, other.start_ns, other.end_ns, &other.effect)
    }
}

impl Simulation {
    /// Makes the experiment actions that `fresh` plays beyond this run's part of this run, as if
    /// they had been in its experiment from the start, so that from here it goes on exactly as
    /// `fresh` would. `fresh` must be this run's design and seed, just built (not stepped), with
    /// an experiment whose actions begin with this run's (the same actions, in the same order)
    /// and go on with the ones to join; each of those is resolved against `fresh`, as the
    /// document would have it. The run's experiment takes `fresh`'s name and stop conditions.
    ///
    /// Returns false and changes nothing when that cannot hold: `fresh` has been stepped, has
    /// another seed, or its first actions are not this run's; or an action to join starts at
    /// or before [`Simulation::now`] (its start would already have happened).
    pub fn join_experiment(&mut self, fresh: &Simulation) -> bool {
        let Some(theirs) = &fresh.experiment else { return false };
        let ours = self.experiment.as_ref().map_or(&[][..], |r| &r.actions[..]);
        let n = ours.len();
        if fresh.core.events != 0
            || fresh.config.seed != self.config.seed
            || theirs.actions.len() < n
            || !ours.iter().zip(&theirs.actions).all(|(a, b)| a.same_plan(b))
            || theirs.actions[n..].iter().any(|a| a.start_ns <= self.core.now)
        {
            return false;
        }
        // The events `fresh`'s build scheduled for the new actions, numbered after this run's
        // build (the build schedules the experiment last, in the order of its actions).
        let joined: Vec<(u64, u64, Ev)> = fresh
            .core
            .queue
            .pending()
            .filter(|&(_, _, ev)| matches!(ev, Ev::Experiment { action, .. } if action as usize >= n))
            .collect();
        let (ours_built, theirs_built) = (self.core.queue.built_seq(), fresh.core.queue.built_seq());
        if theirs_built != ours_built + joined.len() as u64 || joined.iter().any(|&(_, s, _)| s <= ours_built) {
            return false;
        }
        let mut run = theirs.clone();
        match self.experiment.take() {
            Some(mine) => {
                run.actions.splice(..n, mine.actions);
                run.stopped = mine.stopped;
            }
            None => run.stopped = None,
        }
        self.experiment = Some(run);
        self.config.experiment.clone_from(&fresh.config.experiment);
        for (t, s, ev) in joined {
            self.core.queue.push_built(t, s, ev);
        }
        true
    }

    /// Schedules the start (and end) of every action of the experiment.
    pub(super) fn schedule_experiment(&mut self) {
        let Some(run) = &self.experiment else { return };
        let mut at: Vec<(u64, u32, Step)> = Vec::new();
        for (i, a) in run.actions.iter().enumerate() {
            at.push((a.start_ns, i as u32, Step::Start));
            if let Some(end) = a.end_ns {
                at.push((end, i as u32, Step::End));
            }
        }
        for (t, i, step) in at {
            self.core.queue.push(t, Ev::Experiment { action: i, step: step as u32 });
        }
    }

    /// `Experiment`: an action starts, ends, or moves to its next canary stage.
    #[inline(never)]
    pub(super) fn on_experiment(&mut self, index: u32, step: Step) {
        let Some(run) = self.experiment.as_mut() else { return };
        if run.stopped.is_some() && step != Step::End {
            return;
        }
        let a = &mut run.actions[index as usize];
        match step {
            Step::Start if !a.active && a.ended_at.is_none() => {
                a.active = true;
                let effect = a.effect.clone();
                let (kind, target) = (a.kind, a.target.clone());
                self.core.observe(ObservationKind::ActionStarted, Some(index), format!("{kind} on {target}"));
                self.apply_effect(index, &effect, true);
            }
            Step::End if a.active => self.end_action(index),
            Step::Stage if a.active => self.next_stage(index),
            _ => {}
        }
    }

    fn end_action(&mut self, index: u32) {
        let Some(run) = self.experiment.as_mut() else { return };
        let a = &mut run.actions[index as usize];
        if !a.active {
            return;
        }
        if matches!(a.effect, Effect::Restart { stop: true, .. }) && a.resume_at > self.core.now {
            // Its instances are still stopping: they start once stopped.
            let at = a.resume_at;
            self.core.queue.push(at, Ev::Experiment { action: index, step: Step::End as u32 });
            return;
        }
        a.active = false;
        a.ended_at = Some(self.core.now);
        let effect = a.effect.clone();
        let (kind, target) = (a.kind, a.target.clone());
        self.apply_effect(index, &effect, false);
        self.core.observe(ObservationKind::ActionEnded, Some(index), format!("{kind} on {target} ends"));
    }

    fn apply_effect(&mut self, index: u32, effect: &Effect, on: bool) {
        let now = self.core.now;
        match effect {
            Effect::Kill(list, hosts) => {
                if on {
                    for h in hosts {
                        self.retire_host(h);
                    }
                    for &(c, k) in list {
                        // A pod on a failed host goes with its node (below).
                        if hosts.is_empty() || !self.on_node(c, k) {
                            self.kill_instance(c, k);
                        }
                    }
                    if !hosts.is_empty() {
                        self.nodes_lost_with_hosts();
                    }
                }
            }
            Effect::Zones { azs, region } => {
                // While a whole region is lost, a Multi-AZ database has no AZ to fail over to.
                let lost = region.and_then(|r| self.region_lost.get_mut(r as usize));
                if let (Some(l), true) = (lost, on) {
                    *l = true;
                }
                for &z in azs {
                    self.set_az(z, on);
                }
                if let (Some(l), false) = (region.and_then(|r| self.region_lost.get_mut(r as usize)), on) {
                    *l = false;
                }
                if let Some(r) = *region {
                    for c in 0..self.core.meta.len() {
                        let m = &self.core.meta[c];
                        if m.loc.region == r
                            && m.loc.az == super::call::NONE16
                            && !matches!(self.nodes[c], Node::Group(_))
                        {
                            self.core.meta[c].down = on;
                            self.core.meta[c].down_cause = ErrorCause::Unavailable;
                        }
                    }
                }
            }
            Effect::Down { comp, cause, for_ns } => {
                let c = *comp as usize;
                if on {
                    self.core.meta[c].down = true;
                    self.core.meta[c].down_cause = *cause;
                    if let Some(d) = *for_ns {
                        // A Multi-AZ failover: the standby takes over after `d` (drawn in
                        // 60-120 s when not given).
                        let d = if d == 0 { (60.0 * S + 60.0 * S * self.core.rng.random::<f64>()) as u64 } else { d };
                        self.core.observe(
                            ObservationKind::Failover,
                            Some(index),
                            format!("{} fails over to its standby ({:.0} s)", self.core.meta[c].id, d as f64 / S),
                        );
                        self.core
                            .queue
                            .push(now.saturating_add(d), Ev::Experiment { action: index, step: Step::End as u32 });
                    }
                } else {
                    self.core.meta[c].down = false;
                    self.core.meta[c].down_cause = ErrorCause::Unavailable;
                }
            }
            Effect::Link(imp) => {
                if on {
                    self.core.impairments.push(*imp);
                } else if let Some(p) = self.core.impairments.iter().position(|x| x == imp) {
                    self.core.impairments.remove(p);
                }
            }
            Effect::Stress { targets, factor } => {
                for &(c, k) in targets {
                    if let Node::Group(g) = &mut self.nodes[c as usize] {
                        let i = &mut g.inst[k as usize];
                        i.stress = if on { *factor } else { 1.0 };
                    }
                }
            }
            Effect::Disk { comp, slot, iops, until } => {
                if let Node::Group(g) = &mut self.nodes[*comp as usize] {
                    let i = &mut g.inst[*slot as usize];
                    match (on, iops) {
                        (true, None) => i.disk_hold_until = *until,
                        (true, Some(iops)) => i.disk_cap_gap_ns = 1e9 / iops.max(1e-6),
                        (false, _) => {
                            i.disk_hold_until = now;
                            i.disk_cap_gap_ns = 0.0;
                        }
                    }
                }
            }
            Effect::Push { comp, error, stages, .. } => {
                let c = *comp as usize;
                if on {
                    self.core.meta[c].bad_share = stages[0] * error;
                    self.mark_stage(index);
                    self.schedule_stage(index);
                } else {
                    self.core.meta[c].bad_share = 0.0;
                }
            }
            Effect::Pod { comp, slot, fault } => {
                // Kubernetes replaces what it stops: nothing to revert.
                if let (true, Node::Group(g)) = (on, &mut self.nodes[*comp as usize]) {
                    super::pods::fault(g, &mut self.core, *comp, *slot, *fault);
                    // A failed node's pods stop answering, failing what they hold.
                    for k in super::pods::unreachable_slots(g) {
                        self.set_instance(*comp, k, false);
                    }
                }
            }
            Effect::Deploy { comp, release } => {
                if let Node::Group(g) = &mut self.nodes[*comp as usize] {
                    if on {
                        super::pods::deploy(g, &mut self.core, *comp, release);
                    } else {
                        super::pods::roll_back(g, &mut self.core, *comp, "the experiment was stopped");
                    }
                }
            }
            Effect::Restart { targets, stop } => {
                let mut resume = now;
                for &(c, k) in targets {
                    match (stop, on) {
                        (true, true) => resume = resume.max(self.stop_slot(Some(index), c, k)),
                        (true, false) => self.start_slot(index, c, k),
                        (false, true) => self.reboot_slot(index, c, k),
                        (false, false) => {}
                    }
                }
                if let (true, true, Some(run)) = (*stop, on, self.experiment.as_mut()) {
                    run.actions[index as usize].resume_at = resume;
                }
                // The VM leaves its host, or the start runs, at its exact time.
                self.core.arm_layers();
            }
            Effect::NoCapacity(c) => {
                if let Node::Group(g) = &mut self.nodes[*c as usize] {
                    if let Some(asg) = &mut g.asg {
                        asg.launch_blocked = on;
                    }
                }
            }
        }
    }

    fn mark_stage(&mut self, index: u32) {
        let Some(run) = self.experiment.as_mut() else { return };
        let a = &mut run.actions[index as usize];
        if let Effect::Push { comp, .. } = a.effect {
            a.stage_mark = self.core.stats[comp as usize].totals();
        }
    }

    fn schedule_stage(&mut self, index: u32) {
        let Some(run) = self.experiment.as_ref() else { return };
        if let Effect::Push { canary: true, bake_ns, .. } = run.actions[index as usize].effect {
            self.core.queue.push(
                self.core.now.saturating_add(bake_ns),
                Ev::Experiment { action: index, step: Step::Stage as u32 },
            );
        }
    }

    /// A canary stage baked: halt and roll back if its error rate passed the threshold, else
    /// push to the next stage.
    fn next_stage(&mut self, index: u32) {
        let Some(run) = self.experiment.as_mut() else { return };
        let a = &mut run.actions[index as usize];
        let Effect::Push { comp, error, ref stages, halt, .. } = a.effect else { return };
        let (arr, err) = self.core.stats[comp as usize].totals();
        let (da, de) = (arr - a.stage_mark.0, err - a.stage_mark.1);
        let rate = if da > 0 { de as f64 / da as f64 } else { 0.0 };
        let id = self.core.meta[comp as usize].id.clone();
        if rate > halt {
            a.halted = true;
            let share = stages[a.stage];
            self.core.observe(
                ObservationKind::CanaryHalted,
                Some(index),
                format!(
                    "canary at {:.0}% of {id}: {:.1}% errors > {:.1}%, rollout halted and rolled back",
                    share * 100.0,
                    rate * 100.0,
                    halt * 100.0
                ),
            );
            self.end_action(index);
            return;
        }
        if a.stage + 1 >= stages.len() {
            return;
        }
        a.stage += 1;
        let share = stages[a.stage];
        self.core.meta[comp as usize].bad_share = share * error;
        self.core.observe(
            ObservationKind::CanaryStage,
            Some(index),
            format!("config reaches {:.0}% of {id}", share * 100.0),
        );
        self.mark_stage(index);
        self.schedule_stage(index);
    }

    /// At every metrics tick: a stop condition met ends the experiment.
    pub(super) fn check_stop_conditions(&mut self) {
        let Some(run) = self.experiment.as_ref() else { return };
        if run.stopped.is_some() || run.stop.is_empty() || !run.actions.iter().any(|a| a.active) {
            return;
        }
        let now_s = (self.core.now / 1_000_000_000) as usize;
        let seconds = self.core.outcomes.seconds();
        let mut reason = None;
        for s in &run.stop {
            let w = s.window_s as usize;
            let lo = now_s.saturating_sub(w);
            let window = seconds.get(lo..now_s.min(seconds.len())).unwrap_or(&[]);
            if let Some(a) = super::outcomes::availability(window).filter(|&a| a < s.availability_below) {
                reason = Some(format!(
                    "stopped: availability {:.1}% over the last {} s fell below {:.1}%",
                    a * 100.0,
                    w,
                    s.availability_below * 100.0
                ));
                break;
            }
        }
        let Some(reason) = reason else { return };
        let n = run.actions.len() as u32;
        if let Some(run) = self.experiment.as_mut() {
            run.stopped = Some((self.core.now, reason.clone()));
        }
        self.core.observe(ObservationKind::ExperimentStopped, None, reason);
        for i in 0..n {
            self.end_action(i);
        }
    }

    /// An instance dies: it stops serving, its queued calls fail, and it never comes back by
    /// itself (an Auto Scaling group replaces it once its health check notices).
    pub(super) fn kill_instance(&mut self, comp: u32, k: u32) {
        let Node::Group(g) = &self.nodes[comp as usize] else { return };
        if g.inst.get(k as usize).is_none_or(|i| i.state == InstState::Free || !i.up) {
            return;
        }
        self.set_instance(comp, k, false);
        let now = self.core.now;
        if let Node::Group(g) = &mut self.nodes[comp as usize] {
            let i = &mut g.inst[k as usize];
            i.dead = true;
            // Terminated (or gone with its host): neither it nor its root volume is billed.
            i.billed.stop(now);
            i.exists.stop(now);
        }
        let id = self.core.meta[comp as usize].id.clone();
        self.core.observe(ObservationKind::InstanceDied, None, format!("{id}[{k}] dies"));
    }
}

impl Simulation {
    /// An AZ goes dark (`on`) or comes back. Instances of Auto Scaling groups in it die (their
    /// group replaces them in the AZs still up); an EKS deployment's nodes there stop answering
    /// (its pods there stop serving at once and are replaced elsewhere after Kubernetes' eviction
    /// delay); a lone EC2 instance is down until the AZ
    /// returns; a Multi-AZ database fails over to its standby in 60-120 s (unless its whole
    /// region is lost), a single-AZ one is down until the AZ returns; a cache in it is down; a load balancer survives while it has
    /// another AZ. Regional services (S3, DynamoDB, Lambda, SQS) and global ones are not zonal.
    pub(super) fn set_az(&mut self, z: u16, on: bool) {
        if let Some(d) = self.core.az_down.get_mut(z as usize) {
            *d = on;
        }
        let name = self.az_ids.get(z as usize).cloned().unwrap_or_default();
        let (kind, text) = if on {
            (ObservationKind::ZoneLost, format!("AZ {name} is lost"))
        } else {
            (ObservationKind::ZoneBack, format!("AZ {name} is back"))
        };
        self.core.observe(kind, None, text);
        self.set_az_in_layers(z, on);
        for c in 0..self.core.meta.len() {
            let kind = self.core.meta[c].kind;
            match &self.nodes[c] {
                Node::Group(g) => {
                    let asg = g.asg.is_some();
                    let ks: Vec<u32> = g
                        .inst
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| i.az == z && i.state != InstState::Free)
                        .map(|(k, _)| k as u32)
                        .collect();
                    let cluster = g.pods.is_some();
                    for k in ks {
                        match (asg, on) {
                            (true, true) => self.kill_instance(c as u32, k),
                            (true, false) => {}
                            (false, _) => self.set_instance(c as u32, k, !on),
                        }
                    }
                    // An EKS deployment's cluster loses (or gets back) its nodes there.
                    if let (true, Node::Group(g)) = (cluster, &mut self.nodes[c]) {
                        super::pods::on_az(g, &mut self.core, c as u32, z, on);
                    }
                }
                Node::Alb(a) => {
                    let survives = alb_survives(&a.azs, &self.core.az_down);
                    if self.core.meta[c].loc.az == z || !survives {
                        self.core.meta[c].down = !survives;
                    }
                }
                Node::Rds(d) if self.core.meta[c].loc.az == z => {
                    let region_lost = self
                        .az_region
                        .get(z as usize)
                        .and_then(|&r| self.region_lost.get(r as usize))
                        .copied()
                        .unwrap_or(false);
                    if region_lost {
                        self.core.meta[c].down = on;
                    } else if on && d.multi_az {
                        let secs = 60.0 + 60.0 * self.core.rng.random::<f64>();
                        self.core.meta[c].down = true;
                        self.core.meta[c].down_cause = ErrorCause::Unavailable;
                        let id = self.core.meta[c].id.clone();
                        self.core.observe(
                            ObservationKind::Failover,
                            None,
                            format!("{id} fails over to its standby ({secs:.0} s)"),
                        );
                        let index = self.push_fault_action(super::faults::FaultAction::Component(c as u32, true));
                        self.core.queue.push(self.core.now.saturating_add((secs * S) as u64), Ev::Fault { index });
                    } else if !d.multi_az {
                        self.core.meta[c].down = on;
                    }
                }
                _ if self.core.meta[c].loc.az == z && zonal(kind) && !matches!(self.nodes[c], Node::Rds(_)) => {
                    self.core.meta[c].down = on;
                }
                _ => {}
            }
        }
    }

    /// The AZ in the layers: lost (`on`) or back. Its hosts and the volumes of its storage
    /// cluster are unavailable meanwhile and it refuses launches, so a launch aimed at it fails
    /// in the layers. The fleet's AZ is the one named like the engine's AZ (full name or
    /// suffix), else the one the first layered instance the engine places in it runs in.
    fn set_az_in_layers(&mut self, z: u16, on: bool) {
        let name = self.az_ids.get(z as usize).map(String::as_str).unwrap_or_default();
        let Some(run) = self.core.layers.as_deref() else { return };
        let fleet = &run.infra.fleet;
        let by_instance = || {
            self.nodes.iter().find_map(|n| match n {
                Node::Group(g) => g
                    .inst
                    .iter()
                    .find(|i| i.az == z && i.layer != NONE)
                    .and_then(|i| fleet.az_by_name(&run.infra.instances[i.layer as usize].az)),
                _ => None,
            })
        };
        let Some(az) = fleet.az_by_name(name).or_else(by_instance) else { return };
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        let (hosts, volumes) = run.infra.set_az_lost(az, on);
        let layer_name = run.infra.fleet.az(az).name.clone();
        let text = if on {
            format!(
                "layers: {hosts} host(s) and {volumes} volume(s) of {layer_name} unavailable; launches there refused"
            )
        } else {
            format!("layers: {hosts} host(s) and {volumes} volume(s) of {layer_name} available again")
        };
        let kind = if on { ObservationKind::ZoneLost } else { ObservationKind::ZoneBack };
        self.core.observe(kind, None, text);
    }

    pub(super) fn push_fault_action(&mut self, a: super::faults::FaultAction) -> u32 {
        self.faults.push(a);
        self.faults.len() as u32 - 1
    }

    /// The name of the host an instance runs on in the layers.
    pub(super) fn host_of(&self, c: u32, k: u32) -> Option<String> {
        let Node::Group(g) = &self.nodes[c as usize] else { return None };
        let layer = g.inst.get(k as usize)?.layer;
        let run = self.core.layers.as_deref()?;
        let inst = run.infra.instances.get(layer as usize)?;
        inst.host.map(|h| run.infra.fleet.host(h).name.clone())
    }

    /// Whether slot `k` of `c` is a pod on a node of the layers.
    fn on_node(&self, c: u32, k: u32) -> bool {
        matches!(&self.nodes[c as usize], Node::Group(g) if g.inst.get(k as usize).is_some_and(|i| i.on_node))
    }

    /// The slot of `c` a pod fault aimed at `slot` acts on: that one, or the lowest holding a pod.
    fn pod_slot(&self, c: u32, slot: Option<u32>) -> Option<u32> {
        let Node::Group(g) = &self.nodes[c as usize] else { return None };
        let holds = |k: &u32| g.inst.get(*k as usize).is_some_and(|i| i.on_node && i.state != InstState::Free);
        match slot {
            Some(k) => Some(k).filter(holds),
            None => (0..g.inst.len() as u32).find(holds),
        }
    }

    /// After a host failure: deployments' nodes whose instance stopped with it are lost, and
    /// their pods' slots fail what they hold.
    fn nodes_lost_with_hosts(&mut self) {
        for c in 0..self.nodes.len() as u32 {
            let Node::Group(g) = &mut self.nodes[c as usize] else { continue };
            if super::pods::lost_with_hosts(g, &mut self.core, c) {
                for k in super::pods::unreachable_slots(g) {
                    self.set_instance(c, k, false);
                }
            }
        }
    }

    /// The hosts of a rack, by name.
    pub(super) fn hosts_in_rack(&self, rack: &str) -> Vec<String> {
        let Some(run) = self.core.layers.as_deref() else { return Vec::new() };
        let f = &run.infra.fleet;
        f.hosts.iter().filter(|h| f.rack(h.rack).name == rack).map(|h| h.name.clone()).collect()
    }

    /// Every engine instance whose host `pick(host name, rack name)` selects.
    pub(super) fn instances_on_hosts(&self, pick: impl Fn(&str, &str) -> bool) -> Vec<(u32, u32)> {
        let Some(run) = self.core.layers.as_deref() else { return Vec::new() };
        let f = &run.infra.fleet;
        let mut out = Vec::new();
        for (c, n) in self.nodes.iter().enumerate() {
            let Node::Group(g) = n else { continue };
            for (k, i) in g.inst.iter().enumerate() {
                if i.layer == NONE || i.state == InstState::Free {
                    continue;
                }
                let host = run.infra.instances.get(i.layer as usize).and_then(|x| x.host);
                if let Some(h) = host {
                    let host = f.host(h);
                    if pick(&host.name, &f.rack(host.rack).name) {
                        out.push((c as u32, k as u32));
                    }
                }
            }
        }
        out
    }

    /// A host fails in the layers: it leaves service (placement skips it from now on) and
    /// every VM on it stops, whoever owns it (the engine's instances on it die separately).
    fn retire_host(&mut self, name: &str) {
        let mut stopped = Vec::new();
        if let Some(run) = self.core.layers.as_deref_mut() {
            if let Some(h) = run.infra.fleet.host_by_name(name) {
                stopped = run.infra.fail_host(h);
            }
        }
        self.core.observe(ObservationKind::InstanceDied, None, format!("host {name} fails"));
        if !stopped.is_empty() {
            let text = format!("{} VM(s) on host {name} stop with it: {}", stopped.len(), stopped.join(", "));
            self.core.observe(ObservationKind::InstanceDied, None, text);
        }
    }
}

/// Whether an ALB with targets in `azs` survives when `down` AZs are dark: it runs nodes in
/// every AZ it has targets in.
pub(super) fn alb_survives(azs: &[u16], down: &[bool]) -> bool {
    azs.is_empty() || azs.iter().any(|&z| !down.get(z as usize).copied().unwrap_or(false))
}

/// The component kinds whose AZ placement an AZ outage takes down with it.
pub(super) fn zonal(kind: ComponentKind) -> bool {
    !matches!(kind, ComponentKind::Client | ComponentKind::Route53 | ComponentKind::Cloudfront)
}
