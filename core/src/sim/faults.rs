//! Faults and operator actions ([`Fault`]): scheduled as ordinary events, applied to components,
//! instances or whole AZs when their time comes.

use super::node::Node;
use super::queue::Ev;
use super::{ErrorCause, Fault, FaultError, Simulation};
use crate::time::SimTime;

/// A scheduled fault, resolved to indices.
#[derive(Clone, Copy, Debug)]
pub(super) enum FaultAction {
    /// Component down (false) or up (true).
    Component(u32, bool),
    /// Instance `.1` of group `.0` down or up.
    Instance(u32, u32, bool),
    /// Everything in the AZ down or up.
    Az(u16, bool),
    /// Instance `.1` of group `.0` serves again after a start or a reboot.
    Restarted(u32, u32),
}

impl Simulation {
    /// Schedules a fault (or recovery) at time `at` as an ordinary event.
    pub fn schedule_fault(&mut self, at: SimTime, fault: &Fault) -> Result<(), FaultError> {
        let comp =
            |id: &str| self.component_index(id).map(|c| c.0).ok_or_else(|| FaultError::UnknownComponent(id.into()));
        let action = match fault {
            Fault::ComponentDown { component } => FaultAction::Component(comp(component)?, false),
            Fault::ComponentUp { component } => FaultAction::Component(comp(component)?, true),
            Fault::InstanceDown { component, instance } | Fault::InstanceUp { component, instance } => {
                let c = comp(component)?;
                let ok = matches!(&self.nodes[c as usize], Node::Group(g) if (*instance as usize) < g.inst.len());
                if !ok {
                    return Err(FaultError::UnknownInstance(component.clone(), *instance));
                }
                FaultAction::Instance(c, *instance, matches!(fault, Fault::InstanceUp { .. }))
            }
            Fault::AzDown { az } | Fault::AzUp { az } => {
                let z = self.az_ids.iter().position(|a| a == az).ok_or_else(|| FaultError::UnknownAz(az.clone()))?;
                FaultAction::Az(z as u16, matches!(fault, Fault::AzUp { .. }))
            }
        };
        self.faults.push(action);
        self.core.queue.push(at.0.max(self.core.now), Ev::Fault { index: self.faults.len() as u32 - 1 });
        Ok(())
    }

    /// `Fault`: applies a scheduled fault.
    #[inline(never)]
    pub(super) fn on_fault(&mut self, index: u32) {
        match self.faults[index as usize] {
            FaultAction::Component(c, up) => self.core.meta[c as usize].down = !up,
            FaultAction::Instance(c, k, up) => self.set_instance(c, k, up),
            FaultAction::Restarted(c, k) => self.restarted(c, k),
            FaultAction::Az(z, up) => {
                for c in 0..self.core.meta.len() {
                    if self.core.meta[c].loc.az == z && !matches!(self.nodes[c], Node::Group(_)) {
                        self.core.meta[c].down = !up;
                    }
                    let ks: Vec<u32> = match &self.nodes[c] {
                        Node::Group(g) => {
                            g.inst.iter().enumerate().filter(|(_, i)| i.az == z).map(|(k, _)| k as u32).collect()
                        }
                        _ => Vec::new(),
                    };
                    for k in ks {
                        self.set_instance(c as u32, k, up);
                    }
                }
            }
        }
    }

    /// Instance `k` of group `comp` fails (its queued requests fail with it) or comes back.
    pub(super) fn set_instance(&mut self, comp: u32, k: u32, up: bool) {
        let now = self.core.now;
        let Node::Group(g) = &mut self.nodes[comp as usize] else { return };
        let i = &mut g.inst[k as usize];
        if i.up == up {
            return;
        }
        i.up = up;
        if up {
            i.ready_at = now;
            i.initial = false;
            return;
        }
        // Queued requests are lost with the instance, those waiting for a worker too.
        let mut lost: Vec<u32> = i.pool.as_mut().map_or_else(Vec::new, |p| p.queue.drain(..).collect());
        lost.extend(i.st.queue.drain(..));
        self.core.stats[comp as usize].queue.add(now, -(lost.len() as i64));
        for call in lost {
            self.answer(call, Some(ErrorCause::Unavailable), None);
        }
    }
}
