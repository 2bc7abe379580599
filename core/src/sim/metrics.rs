//! Per-component statistics ([`CompStats`]) and the two events that maintain them: the metrics
//! tick (one time-series point per component) and the end of the warm-up (everything restarts).

use super::queue::Ev;
use super::report::SeriesPoint;
use super::stats::{Histogram, Ring, TimeWeighted};
use super::{Simulation, N_CAUSES};

/// One request type's figures at one component.
#[derive(Clone, Debug, Default)]
pub(super) struct TypeStats {
    pub(super) arrivals: u64,
    pub(super) completions: u64,
    /// Errors by cause (indexed by `cause as usize`).
    pub(super) errors: [u64; N_CAUSES],
    /// Latency of successful calls.
    pub(super) lat: Histogram,
    pub(super) err_lat_sum: u128,
    pub(super) wait_sum: u128,
    pub(super) started: u64,
}

/// The cumulative figures at the previous tick (a series point is the difference).
#[derive(Debug, Default, Clone, Copy)]
struct Prev {
    arrivals: u64,
    completions: u64,
    errors: u64,
    lat_sum: u128,
    busy: u128,
    cap: u128,
    queue: u128,
    workers: u128,
}

/// One component's statistics since the warm-up.
#[derive(Clone, Debug)]
pub(super) struct CompStats {
    pub(super) types: Vec<TypeStats>,
    /// Calls in the component.
    pub(super) in_sys: TimeWeighted,
    /// Calls waiting in its queues (SQS: messages in the backlog).
    pub(super) queue: TimeWeighted,
    /// Busy servers.
    pub(super) busy: TimeWeighted,
    /// Servers available.
    pub(super) cap: TimeWeighted,
    /// Busy workers (groups whose instances have a worker pool; their workers available are
    /// `cap` scaled by workers per vCPU).
    pub(super) workers_busy: TimeWeighted,
    /// Latencies of the current time-series bucket's successful calls.
    pub(super) window: Histogram,
    pub(super) series: Ring<SeriesPoint>,
    /// Client populations only: failures by cause in each bucket, in step with `series`.
    pub(super) causes: Option<Ring<[u32; N_CAUSES]>>,
    /// Failures by cause at the previous tick.
    prev_causes: [u64; N_CAUSES],
    prev: Prev,
    pub(super) hits: u64,
    pub(super) misses: u64,
    pub(super) cold_starts: u64,
    pub(super) launches: u64,
    pub(super) terminations: u64,
    pub(super) delivered: u64,
    pub(super) delivery_failed: u64,
    pub(super) stale_reads: u64,
    /// CloudFront: reads answered with a stale copy because the origin failed.
    pub(super) served_stale: u64,
}

impl CompStats {
    /// Arrivals and errors so far (every request type).
    pub(super) fn totals(&self) -> (u64, u64) {
        self.types.iter().fold((0, 0), |(a, e), t| (a + t.arrivals, e + t.errors.iter().sum::<u64>()))
    }

    pub(super) fn new(types: usize, series: usize) -> Self {
        CompStats {
            types: (0..types).map(|_| TypeStats::default()).collect(),
            in_sys: TimeWeighted::default(),
            queue: TimeWeighted::default(),
            busy: TimeWeighted::default(),
            cap: TimeWeighted::default(),
            workers_busy: TimeWeighted::default(),
            window: Histogram::new(),
            series: Ring::new(series),
            causes: None,
            prev_causes: [0; N_CAUSES],
            prev: Prev::default(),
            hits: 0,
            misses: 0,
            cold_starts: 0,
            launches: 0,
            terminations: 0,
            delivered: 0,
            delivery_failed: 0,
            stale_reads: 0,
            served_stale: 0,
        }
    }
    fn reset(&mut self, now: u64) {
        for t in &mut self.types {
            let lat = std::mem::take(&mut t.lat);
            *t = TypeStats { lat, ..TypeStats::default() };
            t.lat.clear();
        }
        for tw in [&mut self.in_sys, &mut self.queue, &mut self.busy, &mut self.cap, &mut self.workers_busy] {
            tw.reset(now);
        }
        self.prev = Prev::default();
        self.prev_causes = [0; N_CAUSES];
        self.hits = 0;
        self.misses = 0;
        self.cold_starts = 0;
        self.launches = 0;
        self.terminations = 0;
        self.delivered = 0;
        self.delivery_failed = 0;
        self.stale_reads = 0;
        self.served_stale = 0;
    }
}

impl Simulation {
    /// End of the warm-up: every statistic restarts.
    #[inline(never)]
    pub(super) fn on_warmup(&mut self) {
        let now = self.core.now;
        self.core.measure_start = now;
        for s in &mut self.core.stats {
            s.reset(now);
        }
        for node in &mut self.nodes {
            if let super::node::Node::Group(g) = node {
                g.inst.iter_mut().for_each(|i| i.mark_report(now));
            }
        }
    }

    /// Time-series bucket boundary: one point per component (and the layers' tick first).
    #[inline(never)]
    pub(super) fn on_tick(&mut self) {
        let now = self.core.now;
        let res = self.resolution_ns;
        self.core.queue.push(now.saturating_add(res.max(1)), Ev::MetricsTick);
        if self.core.layers.is_some() {
            self.layers_tick();
        }
        if self.experiment.is_some() {
            self.check_stop_conditions();
        }
        if !self.alarms.is_empty() {
            self.check_alarms();
        }
        self.cost_tick();
        for (c, s) in self.core.stats.iter_mut().enumerate() {
            let (mut a, mut d, mut e, mut ls) = (0u64, 0u64, 0u64, 0u128);
            for t in &s.types {
                a += t.arrivals;
                d += t.completions;
                e += t.errors.iter().sum::<u64>();
                ls += t.lat.sum();
            }
            let busy = s.busy.integral(now);
            let cap = s.cap.integral(now);
            let queue = s.queue.integral(now);
            let workers = s.workers_busy.integral(now);
            let p = s.prev;
            let dc = d - p.completions;
            let dcap = cap - p.cap;
            let span = res as f64;
            let instances = self.nodes[c].instances_in_service().unwrap_or(1);
            // Workers available over the bucket: the vCPUs available, scaled.
            let worker_utilization = self.nodes[c].pool().map(|(w, v)| {
                let avail = dcap as f64 * f64::from(w) / f64::from(v);
                if avail > 0.0 {
                    (workers - p.workers) as f64 / avail
                } else {
                    0.0
                }
            });
            let [p50, p95, p99] =
                super::stats::quantiles_across(std::iter::once(&s.window), [0.5, 0.95, 0.99]).map(|ns| ns as f64 / 1e6);
            s.series.push(SeriesPoint {
                t_s: now as f64 / 1e9,
                arrivals: a - p.arrivals,
                completions: dc,
                errors: e - p.errors,
                mean_latency_ms: if dc > 0 { (ls - p.lat_sum) as f64 / dc as f64 / 1e6 } else { 0.0 },
                p50_ms: p50,
                p95_ms: p95,
                p99_ms: p99,
                utilization: if dcap > 0 { (busy - p.busy) as f64 / dcap as f64 } else { 0.0 },
                mean_queue: (queue - p.queue) as f64 / span,
                in_flight: s.in_sys.value,
                instances,
                worker_utilization,
                ..self.core.layers.as_deref().map_or(SeriesPoint::EMPTY_LAYERS, |l| l.series_fields(c))
            });
            if let Some(ring) = &mut s.causes {
                let mut now_causes = [0u64; N_CAUSES];
                for t in &s.types {
                    now_causes.iter_mut().zip(&t.errors).for_each(|(n, e)| *n += e);
                }
                let mut bucket = [0u32; N_CAUSES];
                for ((b, n), p) in bucket.iter_mut().zip(&now_causes).zip(&s.prev_causes) {
                    *b = u32::try_from(n - p).unwrap_or(u32::MAX);
                }
                ring.push(bucket);
                s.prev_causes = now_causes;
            }
            s.window.clear();
            s.prev = Prev { arrivals: a, completions: d, errors: e, lat_sum: ls, busy, cap, queue, workers };
        }
    }
}
