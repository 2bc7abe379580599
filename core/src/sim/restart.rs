//! Stop/start and reboot of an instance (the `stop-instance` and `reboot-instance` actions,
//! after AWS FIS's `aws:ec2:stop-instances` and `aws:ec2:reboot-instances`).
//!
//! * **Stop**: the instance leaves service at once (its queued requests fail), the layers stop
//!   it (`StopInstances`: its VM leaves the host 3-8 s later; volumes, ENI and private IP stay).
//! * **Start** (when the action ends, and not before the instance is stopped): the layers start
//!   it (`StartInstances`): placement chooses a host afresh, scoring the previous host down, so
//!   the instance usually lands elsewhere; it serves again once booted.
//! * **Reboot**: same host and VM; out of service for the OS reboot time
//!   (`infrastructure.launch.reboot`, 20-40 s by default).
//!
//! Every step is a [`LifecycleEvent`] (phases `stopping`, `stopped`, then the start's phases,
//! or `rebooting` then `running`) and an observation. Without layers the instance is simply out
//! of service for the same default durations, drawn from the engine's generator.

use super::call::NONE;
use super::core::ObservationKind;
use super::detail::{LaunchKind, LaunchRecord};
use super::faults::FaultAction;
use super::group::InstState;
use super::layered::LifecycleEvent;
use super::node::Node;
use super::queue::Ev;
use super::{ComponentIdx, Simulation};
use crate::layers::launch::{InstanceId, LaunchParams, LaunchPhase, Principal};
use crate::time::SimTime;

/// Who calls the EC2 API for an experiment.
fn fis() -> Principal {
    Principal::User("fis-experiment".into())
}

impl Simulation {
    /// The layers instance of slot `k` of group `c`, if it serves (in service and up).
    fn serving_layer(&self, c: u32, k: u32) -> Option<u32> {
        let Node::Group(g) = &self.nodes[c as usize] else { return None };
        let i = g.inst.get(k as usize)?;
        (i.state == InstState::InService && i.up && !i.dead).then_some(i.layer)
    }

    fn slot_name(&self, c: u32, k: u32) -> String {
        format!("{}[{k}]", self.core.meta[c as usize].id)
    }

    /// A lifecycle event of instance `id` now or at `at`.
    fn phase(&mut self, id: InstanceId, c: u32, k: u32, at: u64, phase: LaunchPhase, detail: String) {
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        let inst = run.infra.instance(id);
        let host = inst.host.map(|h| run.infra.fleet.host(h).name.clone());
        let ip = inst.eni.map(|e| run.infra.network.eni(e).private_ip.to_string());
        let volume = inst.volumes.first().map(|v| run.infra.storage.volume(*v).name.clone());
        let e = LifecycleEvent {
            time: SimTime(at),
            component: Some(ComponentIdx(c)),
            slot: k,
            instance: inst.name.clone(),
            phase,
            layer: phase.layer(),
            detail,
            failed: false,
            host,
            private_ip: ip,
            volume,
        };
        run.push_phase(e, id);
    }

    /// Brings slot `k` of group `c` back into service at `at` (after a start or a reboot).
    fn back_at(&mut self, c: u32, k: u32, at: u64) {
        self.faults.push(FaultAction::Restarted(c, k));
        let index = self.faults.len() as u32 - 1;
        self.core.queue.push(at.max(self.core.now), Ev::Fault { index });
    }

    /// `stop-instance` starts: slot `k` of group `c` leaves service and is stopped. Returns when
    /// it is stopped (the earliest its start can begin).
    pub(super) fn stop_slot(&mut self, action: Option<u32>, c: u32, k: u32) -> u64 {
        // An experiment's action, or an alarm's (the EC2 action of a CloudWatch alarm).
        let who = if action.is_some() { fis() } else { Principal::User("cloudwatch-alarm-action".into()) };
        let now = self.core.now;
        let name = self.slot_name(c, k);
        let Some(layer) = self.serving_layer(c, k) else {
            let text = format!("{name} is not running: nothing to stop");
            self.core.observe(ObservationKind::InstanceStopped, action, text);
            return now;
        };
        self.set_instance(c, k, false);
        if layer == NONE {
            // A stopped instance is not billed for compute (its volume still is).
            self.bill_instance(c, k, false);
            let d = LaunchParams::default().stop.draw(&mut self.core.rng).as_nanos();
            let text = format!("{name} stops (StopInstances); out of service until it is started");
            self.core.observe(ObservationKind::InstanceStopped, action, text);
            return now.saturating_add(d);
        }
        let id = InstanceId(layer);
        let Some(run) = self.core.layers.as_deref_mut() else { return now };
        run.infra.advance(SimTime(now));
        match run.infra.stop_instance(SimTime(now), id, &who) {
            Ok(at) => {
                let host =
                    run.infra.instance(id).host.map(|h| run.infra.fleet.host(h).name.clone()).unwrap_or_default();
                if let Node::Group(g) = &mut self.nodes[c as usize] {
                    g.inst[k as usize].billed.stop(now);
                }
                let slice = run
                    .infra
                    .instance(id)
                    .vm
                    .map(|vm| run.infra.hypervisors.vm(vm))
                    .map(|v| format!("{} vCPUs and {} GiB", v.vcpus, v.memory_gib))
                    .unwrap_or_default();
                run.set_record(id, Some(LaunchRecord::begun(LaunchKind::StopStart, SimTime(now), None)));
                self.phase(
                    id,
                    c,
                    k,
                    now,
                    LaunchPhase::Stopping,
                    format!("StopInstances by {who}: the OS shuts down on {host}; requests in flight fail"),
                );
                self.phase(
                    id,
                    c,
                    k,
                    at.0,
                    LaunchPhase::Stopped,
                    format!("the VM leaves {host} ({slice} back to the host); EBS volumes, ENI and private IP stay"),
                );
                let text = format!("{name} stops (StopInstances) and leaves host {host}");
                self.core.observe(ObservationKind::InstanceStopped, action, text);
                at.0
            }
            Err(e) => {
                let text = format!("{name} cannot be stopped: {e}");
                self.core.observe(ObservationKind::InstanceStopped, action, text);
                now
            }
        }
    }

    /// `stop-instance` ends: the stopped slot `k` of group `c` is started (placement chooses
    /// its host afresh) and serves again once booted.
    pub(super) fn start_slot(&mut self, action: u32, c: u32, k: u32) {
        let now = self.core.now;
        let name = self.slot_name(c, k);
        let Node::Group(g) = &self.nodes[c as usize] else { return };
        let Some(i) = g.inst.get(k as usize) else { return };
        if i.up || i.dead || i.state != InstState::InService {
            return;
        }
        let layer = i.layer;
        if layer == NONE || self.core.layers.is_none() {
            let p = LaunchParams::default();
            let rng = &mut self.core.rng;
            let d = [p.request_accepted, p.capacity_reserved, p.vm_created, p.os_boot]
                .iter()
                .map(|r| r.draw(rng).as_nanos())
                .sum::<u64>();
            self.bill_instance(c, k, true);
            let text = format!("{name} starts (StartInstances); it serves again in {:.1} s", d as f64 / 1e9);
            self.core.observe(ObservationKind::InstanceStarted, Some(action), text);
            self.back_at(c, k, now.saturating_add(d));
            return;
        }
        let id = InstanceId(layer);
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        run.infra.advance(SimTime(now));
        let before = run.infra.instance(id).host.map(|h| run.infra.fleet.host(h).name.clone()).unwrap_or_default();
        match run.infra.start_instance(SimTime(now), id, &fis()) {
            Ok(plan) => {
                let ready = plan.outcome.as_ref().map_or(now, |t| t.0);
                if let Node::Group(g) = &mut self.nodes[c as usize] {
                    g.inst[k as usize].billed.start(now);
                }
                let events = run.plan_events(&plan, Some(ComponentIdx(c)), k, &run.infra.instance(id).name.clone());
                if run.launch_record(id).is_none_or(|r| r.kind != LaunchKind::StopStart) {
                    run.set_record(id, Some(LaunchRecord::begun(LaunchKind::StopStart, SimTime(now), None)));
                }
                if let Some(r) = run.record_mut(id) {
                    r.ready_at = Some(SimTime(ready));
                }
                for e in events {
                    run.push_phase(e, id);
                }
                let after =
                    run.infra.instance(id).host.map(|h| run.infra.fleet.host(h).name.clone()).unwrap_or_default();
                let moved = if after == before { "the same host" } else { "a different host" };
                let text = format!(
                    "{name} starts (StartInstances) on host {after} ({moved}; it ran on {before}); serves again at {:.1} s",
                    ready as f64 / 1e9
                );
                self.core.observe(ObservationKind::InstanceStarted, Some(action), text);
                self.back_at(c, k, ready);
            }
            Err(e) => {
                let reason = e.to_string();
                if let Some(r) = run.record_mut(id) {
                    r.failure = Some(reason.clone());
                }
                let text = format!("{name} cannot be started: {reason}; it stays stopped");
                self.core.observe(ObservationKind::LaunchFailed, Some(action), text);
            }
        }
    }

    /// `reboot-instance`: slot `k` of group `c` is out of service for the OS reboot time, on
    /// the same host and VM.
    pub(super) fn reboot_slot(&mut self, action: u32, c: u32, k: u32) {
        let now = self.core.now;
        let name = self.slot_name(c, k);
        let Some(layer) = self.serving_layer(c, k) else {
            let text = format!("{name} is not running: nothing to reboot");
            self.core.observe(ObservationKind::InstanceRebooted, Some(action), text);
            return;
        };
        if layer == NONE || self.core.layers.is_none() {
            let d = LaunchParams::default().reboot.draw(&mut self.core.rng).as_nanos();
            self.set_instance(c, k, false);
            let text = format!("{name} reboots (RebootInstances); back in {:.1} s", d as f64 / 1e9);
            self.core.observe(ObservationKind::InstanceRebooted, Some(action), text);
            self.back_at(c, k, now.saturating_add(d));
            return;
        }
        let id = InstanceId(layer);
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        run.infra.advance(SimTime(now));
        match run.infra.reboot_instance(SimTime(now), id, &fis()) {
            Ok(until) => {
                let host =
                    run.infra.instance(id).host.map(|h| run.infra.fleet.host(h).name.clone()).unwrap_or_default();
                run.set_record(id, Some(LaunchRecord::begun(LaunchKind::Reboot, SimTime(now), Some(until))));
                let secs = until.since(SimTime(now)).as_secs_f64();
                self.set_instance(c, k, false);
                self.phase(
                    id,
                    c,
                    k,
                    now,
                    LaunchPhase::Rebooting,
                    format!("RebootInstances by {}: the OS restarts on {host}, same VM ({secs:.1} s)", fis()),
                );
                self.phase(id, c, k, until.0, LaunchPhase::Running, format!("{name} is running again on {host}"));
                let text = format!("{name} reboots (RebootInstances) on host {host}; back in {secs:.1} s");
                self.core.observe(ObservationKind::InstanceRebooted, Some(action), text);
                self.back_at(c, k, until.0);
            }
            Err(e) => {
                let text = format!("{name} cannot be rebooted: {e}");
                self.core.observe(ObservationKind::InstanceRebooted, Some(action), text);
            }
        }
    }

    /// `Fault` `Restarted`: a started or rebooted instance serves again, at its new host's
    /// contention.
    pub(super) fn restarted(&mut self, c: u32, k: u32) {
        let now = self.core.now;
        let Node::Group(g) = &mut self.nodes[c as usize] else { return };
        let Some(i) = g.inst.get_mut(k as usize) else { return };
        if i.dead || i.state != InstState::InService {
            return;
        }
        if let (Some(run), true) = (self.core.layers.as_deref_mut(), i.layer != NONE) {
            run.infra.advance(SimTime(now));
            if !run.infra.takes_traffic(InstanceId(i.layer), SimTime(now)) {
                // Stopped again meanwhile (or its start failed): it stays out of service.
                return;
            }
            i.mult = run.multiplier(i.layer);
        }
        self.set_instance(c, k, true);
    }
}
