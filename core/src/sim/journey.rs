//! Turns the flat stream of sampled [`JourneyEvent`]s into per-request waterfalls.

use super::{ComponentIdx, ErrorCause, HopKind, JourneyEvent};
use crate::time::SimTime;
use serde::Serialize;
use std::collections::BTreeMap;

/// One component visit of a request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hop {
    /// Where.
    pub component: ComponentIdx,
    /// Instance, replica or node (`u32::MAX` when not applicable).
    pub instance: u32,
    /// Nesting depth (0 = the client).
    pub depth: u32,
    /// One-way network latency from the caller, ns (the answer takes as long back).
    pub link_ns: u32,
    /// When the call arrived.
    pub arrived: SimTime,
    /// When it left the queue and started service, for queueing kinds.
    pub started: Option<SimTime>,
    /// When it answered (none while in flight).
    pub finished: Option<SimTime>,
    /// The error it answered with, if any.
    pub error: Option<ErrorCause>,
}

/// Every hop of one sampled request, in arrival order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Journey {
    /// Request number.
    pub request: u64,
    /// Request type index.
    pub request_type: u16,
    /// Hops, in the order they started.
    pub hops: Vec<Hop>,
}

/// Groups journey events by request (in first-seen order) and pairs each arrival with its
/// start and answer. Events of requests whose first events were dropped are still grouped.
pub fn assemble_journeys(events: &[JourneyEvent]) -> Vec<Journey> {
    let mut index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut out: Vec<Journey> = Vec::new();
    let mut open: Vec<Vec<usize>> = Vec::new();
    for e in events {
        let j = *index.entry(e.request).or_insert_with(|| {
            out.push(Journey { request: e.request, request_type: e.request_type, hops: Vec::new() });
            open.push(Vec::new());
            out.len() - 1
        });
        let journey = &mut out[j];
        let stack = &mut open[j];
        match e.kind {
            HopKind::Arrive => {
                stack.push(journey.hops.len());
                journey.hops.push(Hop {
                    component: e.component,
                    instance: e.instance,
                    depth: stack.len() as u32 - 1,
                    link_ns: e.link_ns,
                    arrived: e.time,
                    started: None,
                    finished: None,
                    error: None,
                });
            }
            HopKind::Start | HopKind::Done | HopKind::Error(_) => {
                // The most recent open hop at this component.
                let Some(pos) = stack.iter().rposition(|&h| journey.hops[h].component == e.component) else { continue };
                let h = &mut journey.hops[stack[pos]];
                h.instance = e.instance;
                match e.kind {
                    HopKind::Start => h.started = Some(e.time),
                    HopKind::Error(c) => {
                        h.finished = Some(e.time);
                        h.error = Some(c);
                        stack.remove(pos);
                    }
                    _ => {
                        h.finished = Some(e.time);
                        stack.remove(pos);
                    }
                }
            }
        }
    }
    out
}
