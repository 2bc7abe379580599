//! The page's side of the particle stream: segments received from the worker, and which dots are
//! where at a simulated time. Pure.
//!
//! A segment leaves its caller at its simulated departure; network hops last about a
//! millisecond, far too short to see, so each is drawn over at least a minimum span of simulated
//! time (the caller picks it from the speed so that a dot is on screen long enough to follow).
//! Departure times and the order of events stay the engine's.

use strata_worker::protocol::{Segment, SegmentKind, SEGMENT_STRIDE};

/// Segments kept at most (the oldest are dropped first).
pub const MAX_KEPT: usize = 60_000;

/// A dot to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    /// Its segment (with the call's request number and, for a failure, its cause).
    pub seg: Segment,
    /// How far along, 0..=1.
    pub progress: f64,
}

/// The segments in flight on the page.
#[derive(Clone, Debug, Default)]
pub struct Particles {
    segs: Vec<Segment>,
}

impl Particles {
    /// Adds a frame's segments ([`SEGMENT_STRIDE`] numbers each), each drawn over at least
    /// `min_span_ns` of simulated time.
    pub fn add(&mut self, data: &[f64], min_span_ns: f64) {
        for s in data.chunks_exact(SEGMENT_STRIDE) {
            let mut seg = Segment::read(s);
            seg.t1 = seg.t1.max(seg.t0 + min_span_ns);
            self.segs.push(seg);
        }
        if self.segs.len() > MAX_KEPT {
            let extra = self.segs.len() - MAX_KEPT;
            self.segs.drain(..extra);
        }
    }

    /// The dots on their way at simulated time `t` (ns).
    pub fn visible(&self, t: f64) -> impl Iterator<Item = Dot> + '_ {
        self.segs
            .iter()
            .filter(move |s| s.t0 <= t && t < s.t1)
            .map(move |s| Dot { seg: *s, progress: ((t - s.t0) / (s.t1 - s.t0)).clamp(0.0, 1.0) })
    }

    /// Calls and failed answers per (from, to) pair whose departure lies in `(t - window, t]`
    /// (ns), for drawing throughput without motion. Failures are counted on the caller's
    /// connection: `(callee, caller)` pairs are reported as `(caller, callee)`.
    pub fn counts(&self, t: f64, window: f64) -> std::collections::BTreeMap<(u32, u32), (u32, u32)> {
        let mut out = std::collections::BTreeMap::new();
        for s in self.segs.iter().filter(|s| s.t0 <= t && s.t0 > t - window) {
            match s.kind {
                SegmentKind::Request => out.entry((s.from, s.to)).or_insert((0, 0)).0 += 1,
                SegmentKind::Failure => out.entry((s.to, s.from)).or_insert((0, 0)).1 += 1,
                SegmentKind::Response => {}
            }
        }
        out
    }

    /// Drops the segments that arrived before `t`.
    pub fn forget_before(&mut self, t: f64) {
        self.segs.retain(|s| s.t1 >= t);
    }

    /// Drops everything (a new run, or a seek back).
    pub fn clear(&mut self) {
        self.segs.clear();
    }

    /// Segments kept.
    pub fn len(&self) -> usize {
        self.segs.len()
    }

    /// Whether none are kept.
    pub fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_places_particles_along_their_edge_by_simulated_time() {
        let mut p = Particles::default();
        // One request 0 -> 1 over [1.000 s, 1.002 s], drawn for at least 100 ms of simulated time.
        p.add(&[0.0, 1.0, 1.0e9, 1.002e9, 0.0, 0.0, 7.0, -1.0, -1.0], 1.0e8);
        let at = |p: &Particles, t: f64| p.visible(t).map(|d| (d.seg.from, d.seg.to, d.progress)).collect::<Vec<_>>();
        assert!(at(&p, 0.99e9).is_empty(), "not yet sent");
        let half = at(&p, 1.05e9);
        assert_eq!(half.len(), 1);
        assert_eq!((half[0].0, half[0].1), (0, 1));
        assert!((half[0].2 - 0.5).abs() < 1e-9, "{half:?}");
        assert!(at(&p, 1.2e9).is_empty(), "arrived");
        p.forget_before(1.2e9);
        assert_eq!(p.len(), 0);
    }

    #[test]
    fn counts_per_connection_cover_the_window_and_put_failures_on_the_caller_s_connection() {
        let mut p = Particles::default();
        // Two calls 0 -> 1, one failed answer 1 -> 0, one call 1 -> 2 long ago.
        p.add(&[0.0, 1.0, 5.0e9, 5.001e9, 0.0, 0.0, 1.0, -1.0, -1.0], 0.0);
        p.add(&[0.0, 1.0, 5.5e9, 5.501e9, 0.0, 0.0, 2.0, -1.0, -1.0], 0.0);
        p.add(&[1.0, 0.0, 5.6e9, 5.601e9, 2.0, 0.0, 2.0, 1.0, 3.0], 0.0);
        p.add(&[1.0, 2.0, 1.0e9, 1.001e9, 0.0, 0.0, 3.0, -1.0, -1.0], 0.0);
        let c = p.counts(6.0e9, 1.0e9 + 1.0);
        assert_eq!(c.get(&(0, 1)), Some(&(2, 1)));
        assert_eq!(c.get(&(1, 2)), None, "outside the window");
        assert_eq!(c.len(), 1);
    }
}
