//! The one stream a live view reads: everything a run did since the reader last looked, in time
//! order: sampled calls (sent, started, answered, failed, each with its request's stable
//! number), launch phases, scaling decisions, and the observation log's lines (faults, health
//! checks, failovers, breakers, replacements).
//!
//! Calls and launch phases are handed out once (they are drained from the engine's buffers, so a
//! clone taken right after a read holds only what comes later). The observation log and the
//! scaling history stay in the engine (the report lists them), so a [`StreamCursor`] says how
//! far a reader has read them; a reader whose run went back to an earlier clone starts a fresh
//! cursor and reads them again from the start of the run.
//!
//! Reading allocates nothing: the four sources are merged as they are walked.

use super::core::Observation;
use super::layered::LifecycleEvent;
use super::{JourneyEvent, ScalingActivity, Simulation};
use crate::time::SimTime;

/// How far a reader has read the two logs the engine keeps whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamCursor {
    /// Observation log lines read.
    notes: usize,
    /// Scaling activities read (numbered from the start of the run).
    scaling: u64,
}

/// One thing a run did.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed<'a> {
    /// A hop of a sampled request.
    Call(JourneyEvent),
    /// A phase of a launch through the layers.
    Launch(LifecycleEvent),
    /// An Auto Scaling decision or an instance entering service.
    Scaling(ScalingActivity),
    /// A line of the observation log.
    Note(&'a Observation),
}

impl Observed<'_> {
    /// When it happened.
    pub fn time(&self) -> SimTime {
        match self {
            Observed::Call(e) => e.time,
            Observed::Launch(e) => e.time,
            Observed::Scaling(a) => a.time,
            Observed::Note(o) => SimTime(o.time_ns),
        }
    }
}

impl Simulation {
    /// Hands `f` everything that happened up to now that `cursor` has not seen, oldest first
    /// (at one instant: log lines, then scaling, then launch phases, then calls), and moves the
    /// cursor on. Calls are sampled ([`Simulation::set_journey_sampling`]); launch phases come
    /// only from designs with layers.
    pub fn observe(&mut self, cursor: &mut StreamCursor, mut f: impl FnMut(Observed<'_>)) {
        let now = self.core.now;
        let core = &mut self.core;
        let mut notes = core.observations.get(cursor.notes..).unwrap_or(&[]).iter().peekable();
        let mut scaling = core.activities.since(cursor.scaling).peekable();
        let mut launches = core.layers.as_deref_mut().map(|l| l.take_due(now).peekable());
        let mut calls = core.journeys.drain(..).peekable();
        loop {
            let tn = notes.peek().map(|o| o.time_ns);
            let ts = scaling.peek().map(|a| a.time.0);
            let tl = launches.as_mut().and_then(|l| l.peek()).map(|e| e.time.0);
            let tc = calls.peek().map(|e| e.time.0);
            let Some(first) = [tn, ts, tl, tc].into_iter().flatten().min() else { break };
            let next = if tn == Some(first) {
                notes.next().map(Observed::Note)
            } else if ts == Some(first) {
                scaling.next().copied().map(Observed::Scaling)
            } else if tl == Some(first) {
                launches.as_mut().and_then(Iterator::next).map(Observed::Launch)
            } else {
                calls.next().map(Observed::Call)
            };
            if let Some(o) = next {
                f(o);
            }
        }
        cursor.notes = core.observations.len();
        cursor.scaling = core.activities.pushed();
    }
}
