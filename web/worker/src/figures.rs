//! The figures a live run shows, read from the engine's own counters and time series (the same
//! figures its report has), so the page shows exactly what `strata-sim run --json` reports for
//! the same design, seed and time.

use serde::{Deserialize, Serialize};
use strata_core::sim::{ComponentIdx, ErrorCause, InstanceStatus, Simulation, SloReport};
use strata_core::topology::ComponentKind;

use crate::cost::CostMeter;

/// One client population's figures (cumulative since the run started).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Failed requests.
    pub errors: u64,
    /// The causes of those failures, most frequent first, e.g. `timeout 12, queue full 3`.
    pub error_causes: String,
    /// How it stands against its objectives (the report's `slo` for it).
    pub slo: Option<SloReport>,
}

/// A component's load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Busy {
    /// Component id.
    pub id: String,
    /// Busy share of its servers, 0..=1.
    pub utilization: f64,
}

/// The strip's figures of a run at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Simulated time of these figures, ns.
    pub time_ns: u64,
    /// Events processed.
    pub events: u64,
    /// Client populations.
    pub clients: Vec<ClientRow>,
    /// The busiest components, most utilised first (at most three).
    pub busiest: Vec<Busy>,
    /// Share of client requests answered successfully (`None` before any answer).
    pub availability: Option<f64>,
    /// The cost meter: the report's bill at this time.
    pub cost: CostMeter,
}

impl Summary {
    /// The strip's figures now, read from the engine's counters (the same figures its report
    /// has for this time, without building one).
    pub fn now(sim: &Simulation) -> Summary {
        let mut clients = Vec::new();
        let (mut ok, mut answered) = (0, 0);
        for c in sim.client_totals() {
            ok += c.successes;
            answered += c.successes + c.errors.total;
            let mut causes: Vec<(ErrorCause, u64)> =
                ErrorCause::ALL.iter().map(|&k| (k, c.errors.get(k))).filter(|&(_, n)| n > 0).collect();
            causes.sort_by_key(|c| std::cmp::Reverse(c.1));
            let error_causes = causes.iter().map(|(k, n)| format!("{} {n}", k.name())).collect::<Vec<_>>().join(", ");
            clients.push(ClientRow {
                id: c.id.to_string(),
                requests: c.requests,
                rps: c.throughput_rps,
                success: c.success_rate(),
                p50_ms: c.latency.p50_ms,
                p95_ms: c.latency.p95_ms,
                p99_ms: c.latency.p99_ms,
                errors: c.errors.total,
                error_causes,
                slo: sim.component_index(c.id).and_then(|i| sim.client_slo(i)),
            });
        }
        let mut busiest: Vec<Busy> = (0..sim.component_count())
            .map(|i| ComponentIdx(i as u32))
            .filter(|&c| sim.component_kind(c) != ComponentKind::Client)
            .map(|c| Busy { id: sim.component_id(c).to_string(), utilization: sim.utilization(c) })
            .filter(|b| b.utilization > 0.0)
            .collect();
        busiest.sort_by(|a, b| b.utilization.total_cmp(&a.utilization).then_with(|| a.id.cmp(&b.id)));
        busiest.truncate(3);
        Summary {
            time_ns: sim.now().0,
            events: sim.events_processed(),
            clients,
            busiest,
            availability: (answered > 0).then(|| ok as f64 / answered as f64),
            cost: CostMeter::of(&sim.cost()),
        }
    }
}

/// What a component's badge says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Nothing arrived in the window.
    Idle,
    /// Answering, errors under 1% and servers under 90% busy.
    Healthy,
    /// Errors of 1% or more, or servers 90% busy or more.
    Degraded,
    /// No instance in service, or calls arrived and every one answered failed.
    Down,
    /// An instance of the group is launching.
    Launching,
}

impl NodeStatus {
    /// The word on the badge.
    pub fn label(self) -> &'static str {
        match self {
            NodeStatus::Idle => "idle",
            NodeStatus::Healthy => "healthy",
            NodeStatus::Degraded => "degraded",
            NodeStatus::Down => "down",
            NodeStatus::Launching => "launching",
        }
    }
}

/// One instance of a group, as its badge shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Slot number in the group.
    pub slot: u32,
    /// Its AZ container id.
    pub az: Option<String>,
    /// Its state.
    pub status: MemberStatus,
    /// A load balancer's health checks have it in rotation.
    pub in_rotation: bool,
    /// An EKS pod's version (0: the first; 0 for an instance).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// An instance's state, as the page draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Launching through the layers.
    Launching,
    /// Serving.
    InService,
    /// Failed, not yet replaced or back.
    Down,
    /// Scaled in or replaced: finishing its requests.
    Draining,
    /// Ready, checked by its load balancer, sent nothing (a blue-green deployment's idle set).
    Standby,
}

impl MemberStatus {
    /// Its name (CSS class and test attribute), e.g. `in_service`.
    pub fn name(self) -> &'static str {
        match self {
            MemberStatus::Launching => "launching",
            MemberStatus::InService => "in_service",
            MemberStatus::Down => "down",
            MemberStatus::Draining => "draining",
            MemberStatus::Standby => "standby",
        }
    }
}

impl From<InstanceStatus> for MemberStatus {
    fn from(s: InstanceStatus) -> MemberStatus {
        match s {
            InstanceStatus::Launching => MemberStatus::Launching,
            InstanceStatus::InService => MemberStatus::InService,
            InstanceStatus::Down => MemberStatus::Down,
            InstanceStatus::Draining => MemberStatus::Draining,
            InstanceStatus::Standby => MemberStatus::Standby,
        }
    }
}

/// Seconds of history a badge averages over: the last complete one-second buckets of the
/// engine's time series.
pub const BADGE_WINDOW_S: usize = 3;

/// A component's figures at a glance, over the last [`BADGE_WINDOW_S`] complete seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeFigures {
    /// Component id.
    pub id: String,
    /// Calls arriving per second.
    pub rps: f64,
    /// Worst 99th percentile latency of the window's seconds, ms.
    pub p99_ms: f64,
    /// Busy share of its servers (CPU for compute), 0..=1.
    pub utilization: f64,
    /// Mean calls waiting.
    pub queue: f64,
    /// Errors per second.
    pub errors_per_s: f64,
    /// Instances in service now (groups; 1 otherwise, 0 when the component is down).
    pub instances: u32,
    /// Instances launching (groups).
    pub launching: u32,
    /// The badge.
    pub status: NodeStatus,
    /// The group's instances now (EC2 and Auto Scaling; empty for other kinds).
    pub members: Vec<Member>,
    /// End of the window, simulated seconds (0 before the first second completes).
    pub window_end_s: f64,
}

/// Every component's badge figures, in engine order.
pub fn node_figures(sim: &Simulation) -> Vec<NodeFigures> {
    (0..sim.component_count())
        .map(|i| {
            let c = ComponentIdx(i as u32);
            let window = sim.series_tail(c, BADGE_WINDOW_S);
            let n = window.len().max(1) as f64;
            let arrivals: u64 = window.iter().map(|p| p.arrivals).sum();
            let answered: u64 = window.iter().map(|p| p.completions + p.errors).sum();
            let errors: u64 = window.iter().map(|p| p.errors).sum();
            let utilization = window.iter().map(|p| p.utilization).sum::<f64>() / n;
            let members: Vec<Member> = sim
                .instances(c)
                .into_iter()
                .map(|v| Member {
                    slot: v.slot,
                    az: v.az,
                    status: v.status.into(),
                    in_rotation: v.in_rotation,
                    version: v.version.unwrap_or(0),
                })
                .collect();
            let launching = members.iter().filter(|m| m.status == MemberStatus::Launching).count() as u32;
            let in_service = sim.instances_in_service(c);
            let status = if launching > 0 {
                NodeStatus::Launching
            } else if in_service == 0 {
                NodeStatus::Down
            } else if arrivals == 0 && answered == 0 {
                NodeStatus::Idle
            } else if answered > 0 && errors == answered {
                NodeStatus::Down
            } else if errors * 100 >= answered.max(1) || utilization >= 0.9 {
                NodeStatus::Degraded
            } else {
                NodeStatus::Healthy
            };
            NodeFigures {
                id: sim.component_id(c).to_string(),
                rps: arrivals as f64 / n,
                p99_ms: window.iter().map(|p| p.p99_ms).fold(0.0, f64::max),
                utilization,
                queue: window.iter().map(|p| p.mean_queue).sum::<f64>() / n,
                errors_per_s: errors as f64 / n,
                instances: in_service,
                launching,
                status,
                members,
                window_end_s: window.last().map_or(0.0, |p| p.t_s),
            }
        })
        .collect()
}

/// The badge figures a frame carries: all of them, or only those that changed since the last
/// frame that carried some (most components of a large design are idle and stay as they were).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeUpdate {
    /// Every component's figures, in engine order: the page replaces what it has.
    pub complete: bool,
    /// The figures sent (all of them when complete).
    pub nodes: Vec<NodeFigures>,
    /// End of every badge's window, simulated seconds (the same for all).
    pub window_end_s: f64,
}

impl NodeUpdate {
    /// What to send after `sent` for the figures `now` (both in engine order).
    pub fn between(sent: &[NodeFigures], now: &[NodeFigures], complete: bool) -> NodeUpdate {
        let window_end_s = now.first().map_or(0.0, |n| n.window_end_s);
        let nodes = if complete {
            now.to_vec()
        } else {
            now.iter().zip(sent).filter(|(n, s)| !n.same_as(s)).map(|(n, _)| n.clone()).collect()
        };
        NodeUpdate { complete, nodes, window_end_s }
    }

    /// Applies the update to the figures the page has, by component id.
    pub fn apply(self, figures: &mut std::collections::HashMap<String, NodeFigures>) {
        if self.complete {
            figures.clear();
        }
        for n in self.nodes {
            figures.insert(n.id.clone(), n);
        }
        for f in figures.values_mut() {
            f.window_end_s = self.window_end_s;
        }
    }
}

impl NodeFigures {
    /// The same figures, whatever the window's end.
    fn same_as(&self, other: &NodeFigures) -> bool {
        *self == NodeFigures { window_end_s: self.window_end_s, ..other.clone() }
    }
}
