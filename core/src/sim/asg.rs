//! Auto Scaling: target-tracking scaling of a group's instances (scale-out launches, in the
//! layers when the topology has them; scale-in drains, newest first) and instances becoming
//! ready.

use super::call::{NONE, NONE16};
use super::core::{Core, ObservationKind};
use super::group::{Group, InstState};
use super::health::{HealthCheck, Transition};
use super::queue::Ev;
use super::sampler::Sampler;
use super::{ComponentIdx, ScalingAction, ScalingActivity};
use crate::time::SimTime;

/// A group's scaling policy and state.
#[derive(Clone, Debug)]
pub(super) struct Asg {
    pub(super) min: u32,
    pub(super) max: u32,
    /// Target average CPU (0..1).
    pub(super) target: f64,
    pub(super) warmup_ns: u64,
    pub(super) cooldown_ns: u64,
    pub(super) period_ns: u64,
    /// The EC2 status checks its instances are replaced by (one per evaluation).
    pub(super) status_check: HealthCheck,
    /// Launch time.
    pub(super) launch: Sampler,
    /// AZs it launches in.
    pub(super) azs: Vec<u16>,
    pub(super) last_action: u64,
    /// Launches fail with `InsufficientInstanceCapacity` (the `asg-capacity-error` action).
    pub(super) launch_blocked: bool,
    /// A disaster-recovery standby: the minimum it takes once a failover record gives up its
    /// primary (`None`: not a standby, or already raised).
    pub(super) failover_min: Option<u32>,
}

/// `InstanceReady`: a launched instance starts serving.
#[inline(never)]
pub(super) fn on_instance_ready(g: &mut Group, core: &mut Core, comp: u32, inst: u32) {
    let now = core.now;
    let i = &mut g.inst[inst as usize];
    if i.state != InstState::Launching {
        return;
    }
    i.state = InstState::InService;
    i.ready_at = now;
    i.mark_busy = i.st.busy_tw.integral(now);
    i.mark_time = now;
    i.tick_busy = i.mark_busy;
    i.mark_report(now);
    if let Some(run) = core.layers.as_deref_mut() {
        // Running in the layers too: its host's contention applies from now on.
        run.infra.advance(SimTime(now));
        if i.layer != NONE {
            i.mult = run.multiplier(i.layer);
        }
    }
    let s = &mut core.stats[comp as usize];
    s.cap.add(now, i.st.servers as i64);
    s.launches += 1;
    let capacity =
        g.inst.iter().filter(|i| matches!(i.state, InstState::InService | InstState::Launching)).count() as u32;
    core.activities.push(ScalingActivity {
        time: SimTime(now),
        component: ComponentIdx(comp),
        action: ScalingAction::InstanceReady,
        instance: inst,
        capacity_before: capacity,
        desired: capacity,
        cpu: 0.0,
    });
}

/// `ScalingEval`: target tracking on the average CPU of the warmed-up instances.
#[inline(never)]
pub(super) fn on_scaling(g: &mut Group, core: &mut Core, comp: u32) {
    let now = core.now;
    let Some(asg) = &g.asg else { return };
    core.queue.push(now.saturating_add(asg.period_ns.max(1)), Ev::ScalingEval { comp });
    replace_dead(g, core, comp);
    let Some(asg) = &g.asg else { return };
    // Average CPU over in-service instances past their warm-up.
    let (mut cpu_sum, mut warm) = (0.0, 0u32);
    let mut serving = 0u32;
    let mut pending = 0u32;
    let mut failed = 0u32;
    let mut launching = 0u32;
    for i in g.inst.iter_mut() {
        match i.state {
            InstState::Launching => {
                pending += 1;
                launching += 1;
            }
            // A failed instance waiting for its replacement (or to come back) does not count
            // in the metric (its idle CPU would drag the average down), but it is capacity the
            // health check restores: scaling does not launch for it too.
            InstState::InService if !i.up => failed += 1,
            InstState::InService => {
                serving += 1;
                let busy = i.st.busy_tw.integral(now);
                let span = now.saturating_sub(i.mark_time);
                let warmed = i.initial || now >= i.ready_at + asg.warmup_ns;
                if warmed && span > 0 {
                    cpu_sum += (busy - i.mark_busy) as f64 / (span as f64 * i.st.servers as f64);
                    warm += 1;
                } else if !warmed {
                    pending += 1;
                }
                i.mark_busy = busy;
                i.mark_time = now;
            }
            _ => {}
        }
    }
    let capacity = serving + failed + launching;
    if warm == 0 {
        // No metric to track, but the group still keeps its minimum: launches that failed
        // (every AZ down, no capacity) are tried again at each evaluation.
        let min = g.asg.as_ref().map_or(0, |a| a.min);
        if capacity < min {
            launch(g, core, comp, min - capacity);
        }
        return;
    }
    // Target tracking: the capacity that would bring the warmed-up instances' average to the
    // target. Instances still launching or warming count as capacity already on its way (so
    // the group does not launch again for the same load) but not in the metric. Scale-in is
    // conservative: it needs the metric 10% below the target.
    let cpu = cpu_sum / warm as f64;
    let need = |target: f64| (((warm as f64 * cpu / target) - 1e-9).ceil().max(0.0) as u32).clamp(asg.min, asg.max);
    let desired = need(asg.target);
    let desired = if desired < serving { need(asg.target * 0.9) } else { desired };
    let activity = |action| ScalingActivity {
        time: SimTime(now),
        component: ComponentIdx(comp),
        action,
        instance: NONE,
        capacity_before: capacity,
        desired,
        cpu,
    };
    if desired > capacity {
        core.activities.push(activity(ScalingAction::ScaleOut));
        let failed = launch(g, core, comp, desired - capacity);
        if let Some(asg) = &mut g.asg {
            asg.last_action = now;
        }
        if failed > 0 {
            core.activities.push(activity(ScalingAction::LaunchFailed));
        }
    } else if desired < serving && pending == 0 && g.asg.as_ref().is_some_and(|a| now >= a.last_action + a.cooldown_ns)
    {
        core.activities.push(activity(ScalingAction::ScaleIn));
        scale_in(g, core, comp, serving - desired);
        if let Some(asg) = &mut g.asg {
            asg.last_action = now;
        }
    }
}

/// Takes `n` instances out of service: from the AZ with the most, the newest first; each
/// finishes what it holds, then is terminated.
pub(super) fn scale_in(g: &mut Group, core: &mut Core, comp: u32, n: u32) {
    for _ in 0..n {
        // Remove from the AZ with the most instances, the newest first.
        let Some(asg) = &g.asg else { break };
        let az = *asg
            .azs
            .iter()
            .max_by_key(|&&z| g.inst.iter().filter(|i| i.state == InstState::InService && i.az == z).count())
            .unwrap_or(&NONE16);
        let victim = g
            .inst
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state == InstState::InService && (i.az == az || az == NONE16))
            .max_by_key(|(k, i)| (i.ready_at, *k))
            .map(|(k, _)| k);
        let Some(k) = victim else { break };
        let i = &mut g.inst[k];
        if i.active == 0 {
            i.terminate(core, comp);
        } else {
            i.state = InstState::Draining;
        }
    }
}

/// Launches `n` instances into free slots, each in the live AZ (one not dark) with the fewest
/// instances; returns how many could not be launched (no live AZ, capacity errors, the layers
/// refusing).
pub(super) fn launch(g: &mut Group, core: &mut Core, comp: u32, n: u32) -> u32 {
    let now = core.now;
    let Some(asg) = &g.asg else { return n };
    let mut failed = 0u32;
    for _ in 0..n {
        let live = |z: u16| !core.az_down.get(z as usize).copied().unwrap_or(false);
        let az = asg
            .azs
            .iter()
            .copied()
            .filter(|&z| z == NONE16 || live(z))
            .min_by_key(|&z| g.inst.iter().filter(|i| i.state != InstState::Free && i.az == z).count());
        let Some(slot) = g.inst.iter().position(|i| i.state == InstState::Free) else {
            failed += 1;
            continue;
        };
        let (Some(az), false) = (az, asg.launch_blocked) else {
            failed += 1;
            let why = if asg.launch_blocked { "InsufficientInstanceCapacity" } else { "every AZ of the group is down" };
            let text = format!("{} cannot launch an instance: {why}", core.meta[comp as usize].id);
            core.observe(ObservationKind::LaunchFailed, None, text);
            continue;
        };
        let i = &mut g.inst[slot];
        i.start_launch(az);
        // Billed from the launch request (a launch the layers refuse at once costs nothing).
        i.billed.start(now);
        i.exists.start(now);
        match core.layers.as_deref_mut() {
            // The layered launch: placement, VM, storage, network, boot.
            Some(run) => match run.launch_slot(now, comp, slot as u32, az, &core.meta[comp as usize].id) {
                Some((layer, ready)) => {
                    i.layer = layer;
                    core.queue.push(ready, Ev::InstanceReady { comp, inst: slot as u32 });
                    core.arm_layers();
                }
                None => {
                    i.state = InstState::Free;
                    i.billed.stop(now);
                    i.exists.stop(now);
                    failed += 1;
                }
            },
            None => {
                let d = asg.launch.sample(&mut core.rng);
                core.queue.push(now.saturating_add(d), Ev::InstanceReady { comp, inst: slot as u32 });
            }
        }
    }
    failed
}

/// Status checks of the group's instances, through the shared model (`health`): an instance
/// that is dead (terminated, its host or AZ lost) fails them; once it failed the threshold in a
/// row it is terminated (drained of the calls it still holds) and replaced through a launch.
/// Runs before every scaling evaluation, so an instance that died between two evaluations is
/// replaced at the second evaluation after its death.
fn replace_dead(g: &mut Group, core: &mut Core, comp: u32) {
    let Some(hc) = g.asg.as_ref().map(|a| a.status_check) else { return };
    let mut replaced = 0;
    for k in 0..g.inst.len() {
        let i = &mut g.inst[k];
        if i.state != InstState::InService || i.status.observe(&hc, !i.dead) != Some(Transition::Unhealthy) {
            continue;
        }
        if i.active == 0 {
            i.terminate(core, comp);
        } else {
            i.state = InstState::Draining;
        }
        replaced += 1;
        let text = format!(
            "{} replaces {}[{k}], which failed its health check",
            core.meta[comp as usize].id, core.meta[comp as usize].id
        );
        core.observe(ObservationKind::InstanceReplaced, None, text);
    }
    if replaced > 0 && launch(g, core, comp, replaced) > 0 {
        let now = core.now;
        let capacity =
            g.inst.iter().filter(|i| matches!(i.state, InstState::InService | InstState::Launching)).count() as u32;
        core.activities.push(ScalingActivity {
            time: SimTime(now),
            component: ComponentIdx(comp),
            action: ScalingAction::LaunchFailed,
            instance: NONE,
            capacity_before: capacity,
            desired: capacity + replaced,
            cpu: 0.0,
        });
    }
}
