//! A simulation running live in the page: the current design, the core's engine, and the
//! figures the timeline strip shows. Pure logic (no web-sys), tested natively; the timeline
//! drives it from a browser interval.
//!
//! Pacing never changes results: the run advances a *target* simulated time by the wall-clock
//! step times the speed, and the engine works towards it with a bounded number of events per
//! tick, so a heavy design falls behind (and says so) instead of freezing the page. The events
//! processed are the same whatever the pacing: same design + same seed = same run.

use strata_core::sim::{ErrorCause, Report, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::Topology;
use strata_core::validate::{validate, Severity};

/// Events the engine may process per tick: about 10-20 ms of work in the browser.
pub const EVENTS_PER_TICK: u64 = 150_000;

/// A run of one design.
#[derive(Debug)]
pub struct LiveRun {
    sim: Simulation,
    target: SimTime,
    seed: u64,
}

impl LiveRun {
    /// Starts a run of `topology` with `seed`, or says why it cannot run.
    pub fn start(topology: &Topology, seed: u64) -> Result<LiveRun, String> {
        if topology.components.is_empty() {
            return Err("Add components to run a simulation.".into());
        }
        let v = validate(topology);
        let errors: Vec<_> = v.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        if let Some(first) = errors.first() {
            return Err(format!(
                "Fix {} problem{} first: {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                first.message
            ));
        }
        let sim = Simulation::new(topology, SimConfig::with_seed(seed)).map_err(|e| e.to_string())?;
        Ok(LiveRun { sim, target: SimTime::ZERO, seed })
    }

    /// Moves the target `step` further and works towards it with at most `budget` events.
    /// Returns true when the engine has reached the target (false: it is behind).
    pub fn advance(&mut self, step: Duration, budget: u64) -> bool {
        self.target += step;
        self.sim.step_until_budget(self.target, budget)
    }

    /// Simulated time reached.
    pub fn now(&self) -> SimTime {
        self.sim.now()
    }

    /// How far the engine is behind its target.
    pub fn lag(&self) -> Duration {
        self.target.since(self.sim.now())
    }

    /// The seed of this run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.sim.events_processed()
    }

    /// The same run's trace hash (for checking determinism in the page).
    pub fn trace_hash(&self) -> u64 {
        self.sim.trace_hash()
    }

    /// What the strip shows.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.sim.report())
    }
}

/// One client population's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientRow {
    /// Component id.
    pub id: String,
    /// Requests sent.
    pub requests: u64,
    /// Successful requests per second.
    pub rps: f64,
    /// Share answered successfully, `None` before any answer.
    pub success: Option<f64>,
    /// Median end-to-end latency, ms.
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Failed requests.
    pub errors: u64,
    /// The causes of those failures, most frequent first, e.g. `timeout 12, queue_full 3`.
    pub error_causes: String,
}

/// A component's load.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    /// Component id.
    pub id: String,
    /// Busy share of its servers, 0..=1.
    pub utilization: f64,
}

/// The figures of a run at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Simulated seconds.
    pub time_s: f64,
    /// Events processed.
    pub events: u64,
    /// Client populations.
    pub clients: Vec<ClientRow>,
    /// The busiest components, most utilised first (at most three).
    pub busiest: Vec<Busy>,
}

impl Summary {
    /// Extracts the strip's figures from a report.
    pub fn of(r: &Report) -> Summary {
        let clients = r
            .clients
            .iter()
            .map(|c| {
                let mut causes: Vec<(ErrorCause, u64)> =
                    ErrorCause::ALL.iter().map(|&k| (k, c.errors.get(k))).filter(|&(_, n)| n > 0).collect();
                causes.sort_by_key(|c| std::cmp::Reverse(c.1));
                let error_causes =
                    causes.iter().map(|(k, n)| format!("{} {n}", cause_name(*k))).collect::<Vec<_>>().join(", ");
                ClientRow {
                    id: c.id.clone(),
                    requests: c.requests,
                    rps: c.throughput_rps,
                    success: c.success_rate,
                    p50_ms: c.latency.p50_ms,
                    p99_ms: c.latency.p99_ms,
                    errors: c.errors.total,
                    error_causes,
                }
            })
            .collect();
        let mut busiest: Vec<Busy> = r
            .components
            .iter()
            .filter(|c| c.utilization > 0.0)
            .map(|c| Busy { id: c.id.clone(), utilization: c.utilization })
            .collect();
        busiest.sort_by(|a, b| b.utilization.total_cmp(&a.utilization).then_with(|| a.id.cmp(&b.id)));
        busiest.truncate(3);
        Summary { time_s: r.time_s, events: r.events, clients, busiest }
    }
}

/// A short name for an error cause, as the JSON report spells it.
pub fn cause_name(c: ErrorCause) -> &'static str {
    match c {
        ErrorCause::Timeout => "timeout",
        ErrorCause::QueueFull => "queue full",
        ErrorCause::Dependency => "5xx from dependency",
        ErrorCause::Throttled => "throttled",
        ErrorCause::NoHealthyTarget => "no healthy target",
        ErrorCause::DnsFailure => "DNS failure",
        ErrorCause::Unavailable => "unavailable",
        ErrorCause::HopLimit => "hop limit",
        ErrorCause::NetworkBlocked => "network blocked",
        ErrorCause::ServerError => "server error",
        ErrorCause::CircuitOpen => "circuit open",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> Topology {
        let path = format!("{}/../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn pacing_does_not_change_the_run() {
        let t = scenario("three-tier");
        // One run in big steps with an ample budget, one in small starved steps that lag.
        let mut a = LiveRun::start(&t, 7).unwrap();
        a.advance(Duration::from_secs(3), u64::MAX);
        let mut b = LiveRun::start(&t, 7).unwrap();
        let mut behind = false;
        for _ in 0..30 {
            behind |= !b.advance(Duration::from_millis(100), 50);
        }
        assert!(behind, "the starved run must fall behind its target");
        assert!(b.lag() > Duration::ZERO);
        while !b.advance(Duration::ZERO, 50) {}
        assert_eq!(b.now(), a.now());
        assert_eq!(a.trace_hash(), b.trace_hash(), "same design + seed = same run, whatever the pacing");
        assert_ne!(
            LiveRun::start(&t, 8)
                .map(|mut r| {
                    r.advance(Duration::from_secs(3), u64::MAX);
                    r.trace_hash()
                })
                .unwrap(),
            a.trace_hash()
        );
    }

    #[test]
    fn summary_reports_clients_and_busiest() {
        let mut run = LiveRun::start(&scenario("single-ec2"), 1).unwrap();
        run.advance(Duration::from_secs(20), u64::MAX);
        let s = run.summary();
        assert!((s.time_s - 20.0).abs() < 1e-9);
        assert_eq!(s.clients.len(), 1);
        let c = &s.clients[0];
        assert!(c.requests > 100, "{c:?}");
        assert!(c.success.unwrap() > 0.9, "{c:?}");
        assert!(c.p99_ms >= c.p50_ms && c.p50_ms > 0.0, "{c:?}");
        assert!(!s.busiest.is_empty() && s.busiest.len() <= 3);
        assert!(s.busiest.windows(2).all(|w| w[0].utilization >= w[1].utilization));
    }

    #[test]
    fn designs_that_cannot_run_say_why() {
        let empty = Topology::new("empty");
        assert_eq!(LiveRun::start(&empty, 1).unwrap_err(), "Add components to run a simulation.");
        let mut t = Topology::new("dangling");
        t.add("web", strata_core::topology::ComponentKind::Ec2, None);
        t.connect("web", "nowhere");
        let e = LiveRun::start(&t, 1).unwrap_err();
        assert!(e.starts_with("Fix 1 problem first:"), "{e}");
        assert!(e.contains("nowhere"), "{e}");
    }

    #[test]
    fn error_causes_are_listed_most_frequent_first() {
        let mut run = LiveRun::start(&scenario("peering-routes-before"), 1).unwrap();
        run.advance(Duration::from_secs(10), u64::MAX);
        let c = &run.summary().clients[0];
        assert!(c.errors > 0 && c.success == Some(0.0), "{c:?}");
        assert!(c.error_causes.starts_with("network blocked"), "{c:?}");
    }
}
