//! One request's story, as a waterfall in the style of distributed tracing: every hop with when
//! it arrived, the network time from its caller, the time it queued and was served, how it
//! ended (answered, or failed and why), retries as further attempts at the same callee, and the
//! critical path (the hops the client's wait was made of).
//!
//! The run is deterministic and journey sampling only observes, so a request is traced by
//! replaying: from the latest keyframe before it was sent, with every `request`-th request
//! sampled (which includes that one), until it ends. Nothing has to be recorded in advance.

use serde::{Deserialize, Serialize};
use strata_core::sim::{assemble_journeys, Hop, HopKind, JourneyEvent, Simulation};
use strata_core::time::{Duration, SimTime};

/// Simulated time a trace follows a request at most after the replay starts.
const MAX_FOLLOW: Duration = Duration::from_secs(600);
/// How long after the client has its answer the replay goes on, for calls it left behind (a
/// timeout does not stop the work under it).
const AFTER_ANSWER: Duration = Duration::from_secs(30);
/// Events per step of the replay.
const STEP_EVENTS: u64 = 20_000;

/// One hop of a traced request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceHop {
    /// Component id.
    pub component: String,
    /// Instance, replica or node, when the component has several.
    pub instance: Option<u32>,
    /// Nesting depth (0: the client).
    pub depth: u32,
    /// The hop that made this call (none for the client).
    pub caller: Option<usize>,
    /// Which attempt at this callee from this caller (1, then 2, 3... for retries).
    pub attempt: u32,
    /// When the call arrived, ms after the request was sent.
    pub arrived_ms: f64,
    /// One-way network time from the caller, ms (the answer takes as long back).
    pub network_ms: f64,
    /// Time waiting for a server, ms (kinds that queue).
    pub queued_ms: Option<f64>,
    /// When it answered, ms after the request was sent (`None`: it had not answered when the
    /// trace ended).
    pub finished_ms: Option<f64>,
    /// The cause it failed with, in words.
    pub error: Option<String>,
    /// On the critical path: the client's wait is made of this hop's time.
    pub critical: bool,
}

/// A traced request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Request number.
    pub request: u64,
    /// When it was sent, simulated ns.
    pub sent_ns: u64,
    /// Its hops, in the order they arrived.
    pub hops: Vec<TraceHop>,
    /// How it ended, in words: `answered in 41.2 ms`, `failed after 30000.0 ms: timeout`.
    pub outcome: String,
}

/// Replays `from` (a clone of the run at a moment before `request` was sent) until the request
/// ends, and puts its hops in order. `end` is the end of the run.
pub fn trace(mut from: Simulation, request: u64, end: SimTime) -> Result<Trace, String> {
    if request == 0 {
        return Err("Requests are numbered from 1.".into());
    }
    from.set_journey_sampling(request);
    let limit = SimTime(end.0.min((from.now() + MAX_FOLLOW).0));
    let mut events: Vec<JourneyEvent> = Vec::new();
    let mut answered: Option<SimTime> = None;
    loop {
        let until = answered.map_or(limit, |t| SimTime((t + AFTER_ANSWER).0.min(limit.0)));
        let done = from.step_until_budget(until, STEP_EVENTS);
        for e in from.drain_journeys().filter(|e| e.request == request) {
            if e.from.is_none() && matches!(e.kind, HopKind::Done | HopKind::Error(_)) {
                answered = Some(e.time);
            }
            events.push(e);
        }
        let settled = answered.is_some() && open_hops(&events) == 0;
        if settled || (done && until == limit) || (done && answered.is_some()) {
            break;
        }
    }
    let journey = assemble_journeys(&events)
        .into_iter()
        .next()
        .ok_or_else(|| format!("Request #{request} was not sent before the run ends."))?;
    Ok(present(&from, request, &journey.hops))
}

/// Hops that arrived and have not answered.
fn open_hops(events: &[JourneyEvent]) -> usize {
    let arrived = events.iter().filter(|e| e.kind == HopKind::Arrive).count();
    let ended = events.iter().filter(|e| matches!(e.kind, HopKind::Done | HopKind::Error(_))).count();
    arrived.saturating_sub(ended)
}

fn present(sim: &Simulation, request: u64, hops: &[Hop]) -> Trace {
    let sent = hops.first().map_or(0, |h| h.arrived.0);
    let ms = |t: SimTime| (t.0.saturating_sub(sent)) as f64 / 1e6;
    // Each hop's caller: the latest earlier hop one level up.
    let callers: Vec<Option<usize>> =
        (0..hops.len()).map(|i| (0..i).rev().find(|&j| hops[j].depth + 1 == hops[i].depth)).collect();
    let mut out: Vec<TraceHop> = hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let attempt =
                1 + (0..i).filter(|&j| callers[j] == callers[i] && hops[j].component == h.component).count() as u32;
            TraceHop {
                component: sim.component_id(h.component).to_string(),
                instance: (h.instance != u32::MAX).then_some(h.instance),
                depth: h.depth,
                caller: callers[i],
                attempt,
                arrived_ms: ms(h.arrived),
                network_ms: f64::from(h.link_ns) / 1e6,
                queued_ms: h.started.map(|s| (s.0 - h.arrived.0) as f64 / 1e6),
                finished_ms: h.finished.map(ms),
                error: h.error.map(|c| c.name().to_string()),
                critical: false,
            }
        })
        .collect();
    // The critical path: from the client, the call each hop waited on longest (the one that
    // answered last; one still running counts as the latest).
    let mut at = (!out.is_empty()).then_some(0);
    while let Some(i) = at {
        out[i].critical = true;
        at = (0..out.len()).filter(|&j| out[j].caller == Some(i)).max_by(|&a, &b| {
            let end = |h: &TraceHop| h.finished_ms.unwrap_or(f64::INFINITY);
            end(&out[a]).total_cmp(&end(&out[b])).then(b.cmp(&a))
        });
    }
    let outcome = match out.first() {
        Some(TraceHop { finished_ms: Some(t), error: None, .. }) => format!("answered in {t:.1} ms"),
        Some(TraceHop { finished_ms: Some(t), error: Some(e), .. }) => {
            // Where it went wrong first: the earliest failure under the client.
            let first = out.iter().skip(1).filter(|h| h.error.is_some()).min_by(|a, b| {
                a.finished_ms.unwrap_or(f64::INFINITY).total_cmp(&b.finished_ms.unwrap_or(f64::INFINITY))
            });
            match first {
                Some(h) => format!(
                    "failed after {t:.1} ms: {e}; first failure at {}: {}",
                    h.component,
                    h.error.as_deref().unwrap_or_default()
                ),
                None => format!("failed after {t:.1} ms: {e}"),
            }
        }
        _ => "no answer when the trace ended".into(),
    };
    Trace { request, sent_ns: sent, hops: out, outcome }
}
