//! Disaster recovery across regions: the standbys a failover activates.
//!
//! A Route 53 record with the failover policy gives up its primary when its health checks mark
//! it unhealthy. That starts the recovery plan in every other region, once per run: an Auto
//! Scaling group with `failover_min` (pilot light, warm standby) raises its minimum to it and
//! launches up to it at once; a database with `dr_copy` (a cross-region read replica, or a copy
//! restored from the backups of its region) is unavailable for its `dr_recovery_s` (promotion or
//! restore) and then serves. Route 53 sends traffic to the standby region once its own health
//! checks find it healthy, and clients follow as their resolvers' cached answers expire.

use super::core::ObservationKind;
use super::faults::FaultAction;
use super::node::Node;
use super::queue::Ev;
use super::{asg, ErrorCause, Simulation};

impl Simulation {
    /// The failover record's `primary` was marked unhealthy: activates every standby outside its
    /// region that has not been activated yet.
    #[inline(never)]
    pub(super) fn activate_standbys(&mut self, primary: u32) {
        let region = self.core.meta[primary as usize].loc.region;
        let now = self.core.now;
        for c in 0..self.nodes.len() {
            if self.core.meta[c].loc.region == region {
                continue;
            }
            let id = self.core.meta[c].id.clone();
            match &mut self.nodes[c] {
                Node::Group(g) => {
                    let Some(min) = g.asg.as_mut().and_then(|a| a.failover_min.take()) else { continue };
                    if let Some(a) = g.asg.as_mut() {
                        a.min = a.min.max(min);
                    }
                    let capacity = g.inst.iter().filter(|i| i.state != super::group::InstState::Free).count() as u32;
                    let text = format!("failover: standby {id} scales from {capacity} to {min} instance(s)");
                    self.core.observe(ObservationKind::StandbyActivated, None, text);
                    if min > capacity {
                        asg::launch(g, &mut self.core, c as u32, min - capacity);
                    }
                }
                Node::Rds(d) => {
                    let Some(recovery) = d.dr_recovery_ns.take() else { continue };
                    self.core.meta[c].down = true;
                    self.core.meta[c].down_cause = ErrorCause::Unavailable;
                    let secs = recovery as f64 / 1e9;
                    let text = format!("failover: {id}, the disaster-recovery copy, serves in {secs:.0} s");
                    self.core.observe(ObservationKind::StandbyActivated, None, text);
                    self.faults.push(FaultAction::Component(c as u32, true));
                    let index = self.faults.len() as u32 - 1;
                    self.core.queue.push(now.saturating_add(recovery), Ev::Fault { index });
                }
                _ => {}
            }
        }
    }
}
