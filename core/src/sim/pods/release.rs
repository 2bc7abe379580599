//! New versions of a deployment: a release as an experiment action writes it, started with its
//! alarm, rolled back; and a deployment scaled by an alarm's step-scaling action.

use super::{credit, follow};
use crate::containers::deploy::{Alarm, AlarmTarget, CanaryStep, Strategy, Version};
use crate::experiment::PushStrategy;
use crate::sim::core::{Core, ObservationKind};
use crate::sim::group::Group;
use crate::time::SimTime;

/// A new version of a deployment, as an experiment action writes it.
#[derive(Clone, Debug, PartialEq)]
pub(in crate::sim) struct Release {
    /// Share of the requests it fails.
    pub(in crate::sim) error: f64,
    /// Its service time against the first version's.
    pub(in crate::sim) service_time_factor: f64,
    /// Its memory leak: service time added per minute a pod has served, as a share.
    pub(in crate::sim) leak_per_min: f64,
    /// A configuration change: the pods keep the image their nodes hold.
    pub(in crate::sim) config_only: bool,
    /// How it rolls out.
    pub(in crate::sim) strategy: PushStrategy,
    /// Canary: the traffic shares of its steps.
    pub(in crate::sim) stages: Vec<f64>,
    /// Canary: each step's bake; blue-green: how long the old set is kept after the switch.
    pub(in crate::sim) bake_s: f64,
    /// Rolling: pods above and below the replica count allowed (`None`: Kubernetes' 25%).
    pub(in crate::sim) max_surge: Option<u32>,
    pub(in crate::sim) max_unavailable: Option<u32>,
    /// An alarm on its error rate at this share rolls it back.
    pub(in crate::sim) halt: Option<f64>,
}

impl Release {
    /// The cluster's strategy for a deployment of `replicas` pods.
    fn strategy(&self, replicas: u32) -> Strategy {
        match self.strategy {
            PushStrategy::AllAtOnce => Strategy::AllAtOnce,
            PushStrategy::Canary => Strategy::Canary {
                steps: self.stages.iter().map(|&share| CanaryStep { share, bake_s: self.bake_s }).collect(),
            },
            PushStrategy::Rolling => Strategy::Rolling {
                max_surge: self.max_surge.unwrap_or(replicas.div_ceil(4)),
                max_unavailable: self.max_unavailable.unwrap_or(replicas / 4),
            },
            PushStrategy::BlueGreen => Strategy::BlueGreen { keep_old_s: self.bake_s },
        }
    }
}

/// Starts deploying a new version of the deployment, with an alarm on its error rate (2
/// one-minute periods in a row above `halt`) that rolls it back.
pub(in crate::sim) fn deploy(g: &mut Group, core: &mut Core, comp: u32, r: &Release) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    let now = SimTime(core.now);
    // The alarm's periods count from now.
    p.cluster.advance(now);
    let id = core.meta[comp as usize].id.clone();
    let w = &p.cluster.spec().workloads[0];
    let next = w.version_count();
    let name = format!("v{}", next + 1);
    let image = if r.config_only { w.version(p.cluster.stable[0]).image } else { format!("{id}:{}", next + 1) };
    let version = Version {
        name: name.clone(),
        image,
        error_rate: r.error,
        service_time_factor: r.service_time_factor,
        leak_per_min: r.leak_per_min,
    };
    p.cluster.set_version(0, next, version);
    if let Some(threshold) = r.halt {
        p.cluster.add_alarm(Alarm {
            name: format!("{id}-{name}-errors"),
            workload: 0,
            target: AlarmTarget::NewVersion,
            threshold,
            period_s: 60.0,
            evaluation_periods: 2,
            datapoints_to_alarm: 2,
            rollback: true,
        });
    }
    let strategy = r.strategy(p.cluster.replicas[0]);
    if let Err(e) = p.cluster.deploy(now, 0, next, strategy) {
        core.observe(ObservationKind::Deployment, None, format!("{id}: the deployment of {name} is refused: {e}"));
    }
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
}

/// Scales the deployment by `delta` pods (an alarm's step-scaling action), within 1 and the
/// pods it may have; returns the replicas it now wants.
pub(in crate::sim) fn scale_by(g: &mut Group, core: &mut Core, comp: u32, delta: i64) -> u32 {
    let Some(mut p) = g.pods.take() else { return 0 };
    credit(&mut p, g);
    let most = (g.inst.len() / 2).max(1) as i64;
    let to = (i64::from(p.cluster.replicas[0]) + delta).clamp(1, most) as u32;
    p.cluster.scale_to(SimTime(core.now), 0, to);
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
    to
}

/// Rolls back the deployment under way, if any.
pub(in crate::sim) fn roll_back(g: &mut Group, core: &mut Core, comp: u32, why: &str) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    // Nothing under way: nothing to roll back.
    let _ = p.cluster.rollback(SimTime(core.now), 0, why);
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
}
