//! Instance launches (and stops and reboots) as the page follows them: the lifecycle phases
//! the worker sends, grouped by operation, newest first. Pure.
//!
//! A launch goes through the six layers in order (the API accepts the request, placement
//! reserves a host, the hypervisor slices a VM, storage attaches the root volume, the network
//! gives it an interface and an IP, the guest boots, then it runs); each phase arrives when its
//! simulated time comes, so a launch in progress shows where it is now. A second launch of the
//! same instance name (a start after a stop) is a new entry.

use strata_core::layers::launch::{LaunchPhase, Layer};
use strata_worker::protocol::LaunchStep;

/// Launches kept (the oldest finished ones go first).
pub const KEEP: usize = 8;

/// Every phase of a launch (or of a start after a stop), in order.
pub const PHASES: [LaunchPhase; 7] = LaunchPhase::LAUNCH;

/// The phases of a stop.
const STOP: [LaunchPhase; 2] = [LaunchPhase::Stopping, LaunchPhase::Stopped];
/// The phases of a reboot.
const REBOOT: [LaunchPhase; 2] = [LaunchPhase::Rebooting, LaunchPhase::Running];

/// What an entry follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// A launch, or the start after a stop.
    Launch,
    /// A stop: the VM leaves its host.
    Stop,
    /// A reboot on the same VM.
    Reboot,
}

impl Operation {
    /// The operation a phase begins, if it begins one.
    pub fn begun_by(p: LaunchPhase) -> Option<Operation> {
        match p {
            LaunchPhase::RequestAccepted => Some(Operation::Launch),
            LaunchPhase::Stopping => Some(Operation::Stop),
            LaunchPhase::Rebooting => Some(Operation::Reboot),
            _ => None,
        }
    }

    /// Its phases, in order.
    pub fn phases(self) -> &'static [LaunchPhase] {
        match self {
            Operation::Launch => &PHASES,
            Operation::Stop => &STOP,
            Operation::Reboot => &REBOOT,
        }
    }

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Operation::Launch => "launch",
            Operation::Stop => "stop",
            Operation::Reboot => "reboot",
        }
    }
}

/// A phase's name on screen.
pub fn phase_label(p: LaunchPhase) -> &'static str {
    match p {
        LaunchPhase::Stopping => "Stopping",
        LaunchPhase::Stopped => "VM left the host",
        LaunchPhase::Rebooting => "Rebooting",
        LaunchPhase::RequestAccepted => "Request accepted",
        LaunchPhase::CapacityReserved => "Host reserved",
        LaunchPhase::VmCreated => "VM sliced",
        LaunchPhase::StorageAttached => "Volume attached",
        LaunchPhase::NetworkConfigured => "ENI and IP",
        LaunchPhase::OsBoot => "OS booted",
        LaunchPhase::Running => "Running",
    }
}

/// A layer's name on screen.
pub fn layer_label(l: Layer) -> &'static str {
    match l {
        Layer::Physical => "physical",
        Layer::Hypervisor => "hypervisor",
        Layer::Placement => "placement",
        Layer::Network => "network",
        Layer::Storage => "storage",
        Layer::Service => "EC2 API",
        Layer::Guest => "guest OS",
    }
}

/// Where a launch stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaunchState {
    /// Working on the phase after the last one done.
    InProgress(LaunchPhase),
    /// Its last phase happened (running, or stopped for a stop).
    Done,
    /// Failed at this phase (its reservations were released).
    Failed(LaunchPhase),
}

/// One launch (or stop, or reboot) of one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// What it follows.
    pub op: Operation,
    /// The instance's name.
    pub instance: String,
    /// The group it launches for.
    pub component: Option<String>,
    /// Its phases so far, in order.
    pub steps: Vec<LaunchStep>,
}

impl Launch {
    /// Where it stands.
    pub fn state(&self) -> LaunchState {
        let phases = self.op.phases();
        match self.steps.last().map(|s| (s.phase, s.failed)) {
            Some((p, true)) => LaunchState::Failed(p),
            Some((p, false)) => match phases.iter().position(|q| *q == p) {
                Some(i) if i + 1 < phases.len() => LaunchState::InProgress(phases[i + 1]),
                _ => LaunchState::Done,
            },
            None => LaunchState::InProgress(phases[0]),
        }
    }

    /// The phase `p` if it has happened.
    pub fn step(&self, p: LaunchPhase) -> Option<&LaunchStep> {
        self.steps.iter().find(|s| s.phase == p)
    }

    /// Simulated ns from the request to the last phase so far.
    pub fn elapsed_ns(&self) -> u64 {
        match (self.steps.first(), self.steps.last()) {
            (Some(a), Some(b)) => b.time_ns.saturating_sub(a.time_ns),
            _ => 0,
        }
    }

    /// The latest known host, IP and volume.
    pub fn details(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        let last = |f: fn(&LaunchStep) -> Option<&str>| self.steps.iter().rev().find_map(f);
        (last(|s| s.host.as_deref()), last(|s| s.private_ip.as_deref()), last(|s| s.volume.as_deref()))
    }
}

/// The launches of a run, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Launches {
    list: Vec<Launch>,
}

impl Launches {
    /// Adds the phases of a frame (oldest first).
    pub fn add(&mut self, steps: Vec<LaunchStep>) {
        for step in steps {
            let open = self
                .list
                .iter_mut()
                .find(|l| l.instance == step.instance && matches!(l.state(), LaunchState::InProgress(_)));
            let begins = Operation::begun_by(step.phase);
            match (open, begins) {
                (Some(l), None) => l.steps.push(step),
                (_, Some(op)) => self.list.insert(
                    0,
                    Launch {
                        op,
                        instance: step.instance.clone(),
                        component: step.component.clone(),
                        steps: vec![step],
                    },
                ),
                // A phase whose beginning was not seen (dropped with an old entry): nothing to add it to.
                (None, None) => {}
            }
        }
        // Drop the oldest finished launches first, then the oldest at all.
        while self.list.len() > KEEP {
            let victim = self
                .list
                .iter()
                .rposition(|l| !matches!(l.state(), LaunchState::InProgress(_)))
                .unwrap_or(self.list.len() - 1);
            self.list.remove(victim);
        }
    }

    /// Newest first.
    pub fn list(&self) -> &[Launch] {
        &self.list
    }

    /// Launches not finished yet.
    pub fn in_progress(&self) -> usize {
        self.list.iter().filter(|l| matches!(l.state(), LaunchState::InProgress(_))).count()
    }

    /// Forgets them all (a new run, or a seek backward).
    pub fn clear(&mut self) {
        self.list.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(instance: &str, phase: LaunchPhase, t: u64, failed: bool) -> LaunchStep {
        LaunchStep {
            time_ns: t,
            component: Some("web".into()),
            instance: instance.into(),
            phase,
            layer: phase.layer(),
            detail: String::new(),
            failed,
            host: (phase >= LaunchPhase::CapacityReserved).then(|| "h1".into()),
            private_ip: (phase >= LaunchPhase::NetworkConfigured).then(|| "10.0.0.5".into()),
            volume: (phase >= LaunchPhase::StorageAttached).then(|| "vol".into()),
        }
    }

    #[test]
    fn phases_group_by_launch_and_say_what_comes_next() {
        let mut l = Launches::default();
        l.add(vec![
            step("web-3", LaunchPhase::RequestAccepted, 1, false),
            step("web-4", LaunchPhase::RequestAccepted, 2, false),
        ]);
        l.add(vec![step("web-3", LaunchPhase::CapacityReserved, 5, false)]);
        assert_eq!(l.list().len(), 2);
        assert_eq!(l.list()[0].instance, "web-4", "newest first");
        let web3 = &l.list()[1];
        assert_eq!(web3.state(), LaunchState::InProgress(LaunchPhase::VmCreated));
        assert_eq!(web3.elapsed_ns(), 4);
        assert_eq!(web3.details(), (Some("h1"), None, None));
        assert_eq!(l.in_progress(), 2);
        l.add(PHASES[2..].iter().enumerate().map(|(i, p)| step("web-3", *p, 10 + i as u64, false)).collect());
        assert_eq!(l.list()[1].state(), LaunchState::Done);
        assert_eq!(l.list()[1].details(), (Some("h1"), Some("10.0.0.5"), Some("vol")));
        assert_eq!(l.in_progress(), 1);
    }

    #[test]
    fn a_failed_phase_ends_the_launch_and_a_restart_is_a_new_one() {
        let mut l = Launches::default();
        l.add(vec![
            step("a", LaunchPhase::RequestAccepted, 1, false),
            step("a", LaunchPhase::CapacityReserved, 2, true),
        ]);
        assert_eq!(l.list()[0].state(), LaunchState::Failed(LaunchPhase::CapacityReserved));
        l.add(vec![step("a", LaunchPhase::RequestAccepted, 3, false)]);
        assert_eq!(l.list().len(), 2, "the retry is a launch of its own");
        assert_eq!(l.list()[0].state(), LaunchState::InProgress(LaunchPhase::CapacityReserved));
    }

    #[test]
    fn a_stop_then_its_start_and_a_reboot_are_entries_of_their_own() {
        let mut l = Launches::default();
        l.add(PHASES.iter().map(|p| step("api", *p, 1, false)).collect());
        l.add(vec![step("api", LaunchPhase::Stopping, 10, false)]);
        assert_eq!(l.list()[0].op, Operation::Stop);
        assert_eq!(l.list()[0].state(), LaunchState::InProgress(LaunchPhase::Stopped));
        l.add(vec![step("api", LaunchPhase::Stopped, 12, false), step("api", LaunchPhase::RequestAccepted, 70, false)]);
        assert_eq!(l.list()[1].state(), LaunchState::Done, "the stop is over");
        assert_eq!(
            (l.list()[0].op, l.list()[0].state()),
            (Operation::Launch, LaunchState::InProgress(LaunchPhase::CapacityReserved))
        );
        l.add(PHASES[1..].iter().map(|p| step("api", *p, 80, false)).collect());
        l.add(vec![step("api", LaunchPhase::Rebooting, 90, false)]);
        assert_eq!(
            (l.list()[0].op, l.list()[0].state()),
            (Operation::Reboot, LaunchState::InProgress(LaunchPhase::Running))
        );
        l.add(vec![step("api", LaunchPhase::Running, 95, false)]);
        assert_eq!(l.list()[0].state(), LaunchState::Done);
        assert_eq!(l.list().len(), 4);
        assert_eq!(l.in_progress(), 0);
    }

    #[test]
    fn finished_launches_go_first_when_there_are_too_many() {
        let mut l = Launches::default();
        l.add(PHASES.iter().map(|p| step("done", *p, 1, false)).collect());
        for i in 0..KEEP {
            l.add(vec![step(&format!("new-{i}"), LaunchPhase::RequestAccepted, 2, false)]);
        }
        assert_eq!(l.list().len(), KEEP);
        assert!(l.list().iter().all(|x| x.instance != "done"), "the finished one made room");
        assert_eq!(l.in_progress(), KEEP);
    }
}
