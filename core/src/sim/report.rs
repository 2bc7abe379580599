//! The metrics report: what [`super::Simulation::report`] returns and `strata-sim run --json`
//! prints (schema `strata.metrics.v1`).
//!
//! ```text
//! Report {
//!   schema: "strata.metrics.v1", time_s, measured_s (time since warm-up), seed, events,
//!   trace_hash: "16 hex digits", journeys_dropped,
//!   components: [ComponentReport {
//!     id, kind, arrivals, completions, errors: ErrorCounts, in_flight,
//!     throughput_rps (completions / measured_s), latency: Latency (successful calls),
//!     mean_time_in_component_ms (all departures, for Little's law), mean_wait_ms (queue wait),
//!     utilization (busy servers / servers, time-weighted), mean_queue_length, mean_in_system,
//!     instances, cache_hits, cache_misses, cold_starts, launches, terminations,
//!     delivered, delivery_failed, stale_reads, served_stale,
//!     by_request_type: [TypeReport { request_type, arrivals, completions, errors, latency }],
//!     groups with a worker pool only: workers (per instance), worker_utilization (busy workers /
//!     workers, time-weighted), by_instance: [InstanceUtilization { slot, utilization,
//!     worker_utilization }] }],
//!   clients: [ClientReport {
//!     id, requests, successes, errors: ErrorCounts (root causes), in_flight,
//!     success_rate (null while no request has been answered),
//!     throughput_rps, latency (end to end), by_request_type,
//!     slo: SloReport { availability_objective_percent (its own or the document's),
//!       availability_percent, error_budget { slo, allowed_failures, failures, burned },
//!       latency (null without a latency objective): { percentile, target_ms, actual_ms, slow,
//!       allowed_slow, burned, met }, met } }],
//! }
//! ErrorCounts { timeout, queue_full, dependency, throttled, no_healthy_target, dns_failure,
//!               unavailable, hop_limit, network_blocked, server_error,
//!               circuit_open, total }
//! Latency { count, mean_ms, p50_ms, p95_ms, p99_ms, p999_ms, max_ms }
//! ```
//! With an `infrastructure`, the report also has `layers` (absent otherwise):
//! ```text
//! LayersReport {
//!   azs: [AzLayers { name, available, hosts, hosts_available, volumes, volumes_available }],
//!   instances: [InstanceLayers { name, component, slot, instance_type, state, az, host,
//!     private_ip, steal_percent, service_time_multiplier, guest_cpu_percent, available }],
//!   volumes: [VolumeLayers { name, instance, kind, size_gib, baseline_iops, burst_iops,
//!     iops_limit, burst_balance_percent, ios_done, ios_served, az, available }],
//!   blocked_paths: [BlockedPath { connection, from, to, port, hop, at, reason, failures }],
//!   launches, failed_launches, api_log: [ApiCall { at, principal, action, target, result }] }
//! ```
//! Every report has `resilience`:
//! ```text
//! ResilienceReport {
//!   availability (share of client requests answered that succeeded), error_budget { slo,
//!   allowed_failures, failures, burned }, availability_per_minute: [{ t_s, requests, successes,
//!   availability }], experiment, stopped,
//!   incidents: [Incident { action, target, start_s, end_s, time_to_detect_s, impact_s,
//!     time_to_recover_s, requests_failed, blast_radius }],
//!   observations: [Observation { time_s, kind, action, text }],
//!   connections: [ConnectionReport { from, to, calls, retries, amplification,
//!     short_circuited, rejected, budget_exhausted, timed_out }] }
//! ```
//! and `cost` (see `sim::cost`; USD at `pricing::US_EAST_1`, the whole simulated time):
//! ```text
//! CostReport {
//!   currency: "USD", region, prices_as_of, source, time_s, per_hour_now, accumulated,
//!   by_category: [CategoryCost { category: compute | database | load_balancing | networking |
//!     data_transfer | storage | requests, per_hour_now, accumulated }],
//!   by_component: [ComponentCost { id, kind, per_hour_now, accumulated,
//!     lines: [CostLine { item, category, quantity, unit, unit_price, accumulated, per_hour_now }] }],
//!   assumptions: Assumptions { request_bytes, response_bytes, requests_per_connection,
//!     root_volume_gib, elasticache_node_type, rds_storage_gb, s3_stored_gb } }
//! ```
//! and the series points of layered groups carry `steal_percent`, `guest_cpu_percent`,
//! `service_time_multiplier`, `burst_balance_percent` and `disk_iops`; those of groups with a
//! worker pool carry `worker_utilization`.
//! Counts always satisfy `arrivals = completions + errors.total + in_flight` (requests that
//! arrived before the warm-up ended are not counted anywhere).

use super::slo::SloReport;
use super::stats::LatencySummary;
use super::{ErrorCause, Simulation, N_CAUSES};
use crate::topology::ComponentKind;
use serde::Serialize;

/// Errors by cause.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErrorCounts {
    /// See [`ErrorCause::Timeout`].
    pub timeout: u64,
    /// See [`ErrorCause::QueueFull`].
    pub queue_full: u64,
    /// See [`ErrorCause::Dependency`].
    pub dependency: u64,
    /// See [`ErrorCause::Throttled`].
    pub throttled: u64,
    /// See [`ErrorCause::NoHealthyTarget`].
    pub no_healthy_target: u64,
    /// See [`ErrorCause::DnsFailure`].
    pub dns_failure: u64,
    /// See [`ErrorCause::Unavailable`].
    pub unavailable: u64,
    /// See [`ErrorCause::HopLimit`].
    pub hop_limit: u64,
    /// See [`ErrorCause::NetworkBlocked`].
    pub network_blocked: u64,
    /// See [`ErrorCause::ServerError`].
    pub server_error: u64,
    /// See [`ErrorCause::CircuitOpen`].
    pub circuit_open: u64,
    /// Sum of all causes.
    pub total: u64,
}

impl ErrorCounts {
    pub(super) fn add(&mut self, e: &[u64; N_CAUSES]) {
        self.timeout += e[0];
        self.queue_full += e[1];
        self.dependency += e[2];
        self.throttled += e[3];
        self.no_healthy_target += e[4];
        self.dns_failure += e[5];
        self.unavailable += e[6];
        self.hop_limit += e[7];
        self.network_blocked += e[8];
        self.server_error += e[9];
        self.circuit_open += e[10];
        self.total += e.iter().sum::<u64>();
    }
    /// The count for one cause.
    pub fn get(&self, cause: ErrorCause) -> u64 {
        match cause {
            ErrorCause::Timeout => self.timeout,
            ErrorCause::QueueFull => self.queue_full,
            ErrorCause::Dependency => self.dependency,
            ErrorCause::Throttled => self.throttled,
            ErrorCause::NoHealthyTarget => self.no_healthy_target,
            ErrorCause::DnsFailure => self.dns_failure,
            ErrorCause::Unavailable => self.unavailable,
            ErrorCause::HopLimit => self.hop_limit,
            ErrorCause::NetworkBlocked => self.network_blocked,
            ErrorCause::ServerError => self.server_error,
            ErrorCause::CircuitOpen => self.circuit_open,
        }
    }
}

/// Per request type figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeReport {
    /// Request type name.
    pub request_type: String,
    /// Calls that arrived.
    pub arrivals: u64,
    /// Calls answered successfully.
    pub completions: u64,
    /// Calls answered with an error.
    pub errors: ErrorCounts,
    /// Latency of successful calls.
    pub latency: LatencySummary,
}

/// One component's figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentReport {
    /// Component id.
    pub id: String,
    /// Kind.
    pub kind: ComponentKind,
    /// Calls that arrived.
    pub arrivals: u64,
    /// Calls answered successfully.
    pub completions: u64,
    /// Calls answered with an error, by cause.
    pub errors: ErrorCounts,
    /// Calls arrived and not yet answered.
    pub in_flight: u64,
    /// Successful answers per second.
    pub throughput_rps: f64,
    /// Latency of successful calls (time in this component and below).
    pub latency: LatencySummary,
    /// Mean time from arrival to answer over every answered call, in ms.
    pub mean_time_in_component_ms: f64,
    /// Mean wait in the queue before service, in ms (queueing kinds).
    pub mean_wait_ms: f64,
    /// Busy servers over servers available, time-weighted (vCPUs, nodes, concurrency).
    pub utilization: f64,
    /// Time-average number of calls waiting in queues (SQS: backlog).
    pub mean_queue_length: f64,
    /// Time-average number of calls in the component.
    pub mean_in_system: f64,
    /// Instances in service now (groups), else 1.
    pub instances: u32,
    /// Cache hits (CloudFront, ElastiCache).
    pub cache_hits: u64,
    /// Cache misses.
    pub cache_misses: u64,
    /// Lambda cold starts.
    pub cold_starts: u64,
    /// Instances launched by scaling.
    pub launches: u64,
    /// Instances terminated by scaling.
    pub terminations: u64,
    /// SQS messages processed by consumers.
    pub delivered: u64,
    /// SQS messages whose processing failed.
    pub delivery_failed: u64,
    /// RDS reads served by a replica less than the replication lag after a write (possibly stale).
    pub stale_reads: u64,
    /// CloudFront with `serve_stale_on_error`: cacheable reads answered with an expired copy
    /// because the origin failed.
    pub served_stale: u64,
    /// The same figures per request type.
    pub by_request_type: Vec<TypeReport>,
    /// Groups with a worker pool: workers per instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
    /// Groups with a worker pool: busy workers over workers available, time-weighted. Near 1
    /// while `utilization` (the vCPUs) is low: requests wait for workers held by slow calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_utilization: Option<f64>,
    /// Groups (EC2, Auto Scaling, EKS): every instance or pod held now, with its state, AZ,
    /// version (pods) and whether its load balancer has it in rotation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<super::InstanceView>,
    /// Groups with a worker pool: each instance's vCPU and worker utilisation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_instance: Vec<InstanceUtilization>,
}

/// One instance's utilisation, since the warm-up or since it started serving if later (time
/// it spent failed counts as idle). Instances no longer in the group are left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceUtilization {
    /// Instance slot in its group.
    pub slot: u32,
    /// Busy vCPUs over vCPUs, time-weighted.
    pub utilization: f64,
    /// Busy workers over workers, time-weighted.
    pub worker_utilization: f64,
}

/// One client population's end-to-end figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClientReport {
    /// Component id.
    pub id: String,
    /// Requests sent.
    pub requests: u64,
    /// Requests answered successfully within the timeout.
    pub successes: u64,
    /// Failed requests by root cause.
    pub errors: ErrorCounts,
    /// Requests not yet answered.
    pub in_flight: u64,
    /// successes / (successes + errors); `None` (JSON `null`) while no request has been
    /// answered, since there is no rate to speak of.
    pub success_rate: Option<f64>,
    /// Successful requests per second.
    pub throughput_rps: f64,
    /// End-to-end latency of successful requests.
    pub latency: LatencySummary,
    /// The same figures per request type.
    pub by_request_type: Vec<TypeReport>,
    /// How it stands against its objectives (availability, and latency when it has one).
    pub slo: SloReport,
}

/// One time-series bucket.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// End of the bucket, seconds.
    pub t_s: f64,
    /// Arrivals in the bucket.
    pub arrivals: u64,
    /// Successful answers in the bucket.
    pub completions: u64,
    /// Errors in the bucket.
    pub errors: u64,
    /// Mean latency of the bucket's successful answers.
    pub mean_latency_ms: f64,
    /// Median of the bucket's successful answers.
    pub p50_ms: f64,
    /// 95th percentile of the bucket's successful answers.
    pub p95_ms: f64,
    /// 99th percentile of the bucket's successful answers.
    pub p99_ms: f64,
    /// Busy over available servers in the bucket.
    pub utilization: f64,
    /// Time-average queue length in the bucket.
    pub mean_queue: f64,
    /// Calls in the component at the end of the bucket.
    pub in_flight: u64,
    /// Instances in service at the end of the bucket.
    pub instances: u32,
    /// Groups with a worker pool: busy over available workers in the bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_utilization: Option<f64>,
    /// Layers only: mean CPU steal of the component's instances, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steal_percent: Option<f64>,
    /// Layers only: mean CPU utilisation the instances' guests report (steal not included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_cpu_percent: Option<f64>,
    /// Layers only: mean factor CPU contention stretches service times by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_time_multiplier: Option<f64>,
    /// Layers only: lowest `BurstBalance` of the instances' data volumes, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst_balance_percent: Option<f64>,
    /// Layers only: I/Os per second the instances' data volumes served in the bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_iops: Option<f64>,
}

impl SeriesPoint {
    /// The layer fields of a point for a component without layers.
    pub const EMPTY_LAYERS: SeriesPoint = SeriesPoint {
        t_s: 0.0,
        arrivals: 0,
        completions: 0,
        errors: 0,
        mean_latency_ms: 0.0,
        p50_ms: 0.0,
        p95_ms: 0.0,
        p99_ms: 0.0,
        utilization: 0.0,
        mean_queue: 0.0,
        in_flight: 0,
        instances: 0,
        worker_utilization: None,
        steal_percent: None,
        guest_cpu_percent: None,
        service_time_multiplier: None,
        burst_balance_percent: None,
        disk_iops: None,
    };
}

/// Everything measured so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Schema name and version.
    pub schema: &'static str,
    /// Simulated time now, seconds.
    pub time_s: f64,
    /// Time since statistics (re)started, seconds.
    pub measured_s: f64,
    /// Seed of the run.
    pub seed: u64,
    /// Events processed.
    pub events: u64,
    /// Trace hash as 16 hex digits.
    pub trace_hash: String,
    /// Journey events lost because nobody drained them.
    pub journeys_dropped: u64,
    /// Every non-client component.
    pub components: Vec<ComponentReport>,
    /// Every client population.
    pub clients: Vec<ClientReport>,
    /// What the layers under the instances did (topologies with an `infrastructure` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<super::LayersReport>,
    /// Availability, error budget, incidents and resilience patterns (see
    /// [`super::ResilienceReport`]).
    pub resilience: super::ResilienceReport,
    /// What the run cost at public on-demand prices (see [`super::CostReport`]).
    pub cost: super::CostReport,
}

pub(super) fn build(sim: &Simulation) -> Report {
    let core = &sim.core;
    let now = core.now;
    let measured = now.saturating_sub(core.measure_start);
    let measured_s = measured as f64 / 1e9;
    let per_s = |x: u64| if measured_s > 0.0 { x as f64 / measured_s } else { 0.0 };
    let mut components = Vec::new();
    let mut clients = Vec::new();
    for (c, s) in core.stats.iter().enumerate() {
        let meta = &core.meta[c];
        let all = LatencySummary::across(s.types.iter().map(|t| &t.lat));
        let (mut arrivals, mut completions, mut errors) = (0, 0, ErrorCounts::default());
        let (mut ok_lat, mut err_lat, mut wait, mut started) = (0u128, 0u128, 0u128, 0u64);
        let mut by_type = Vec::new();
        for (ti, t) in s.types.iter().enumerate() {
            ok_lat += t.lat.sum();
            arrivals += t.arrivals;
            completions += t.completions;
            errors.add(&t.errors);
            err_lat += t.err_lat_sum;
            wait += t.wait_sum;
            started += t.started;
            let mut e = ErrorCounts::default();
            e.add(&t.errors);
            by_type.push(TypeReport {
                request_type: sim.type_names[ti].clone(),
                arrivals: t.arrivals,
                completions: t.completions,
                errors: e,
                latency: LatencySummary::of(&t.lat),
            });
        }
        let in_flight = arrivals - completions - errors.total;
        let departed = completions + errors.total;
        if meta.kind == ComponentKind::Client {
            let answered = completions + errors.total;
            clients.push(ClientReport {
                id: meta.id.clone(),
                requests: arrivals,
                successes: completions,
                errors,
                in_flight,
                success_rate: (answered > 0).then(|| completions as f64 / answered as f64),
                throughput_rps: per_s(completions),
                latency: all,
                by_request_type: by_type,
                slo: super::slo::assess(&sim.client_slos[c], completions, errors.total, s.types.iter().map(|t| &t.lat)),
            });
            continue;
        }
        let cap = s.cap.integral(now);
        let pool = sim.nodes[c].pool();
        components.push(ComponentReport {
            id: meta.id.clone(),
            kind: meta.kind,
            arrivals,
            completions,
            errors,
            in_flight,
            throughput_rps: per_s(completions),
            mean_time_in_component_ms: if departed > 0 {
                (ok_lat + err_lat) as f64 / departed as f64 / 1e6
            } else {
                0.0
            },
            latency: all,
            mean_wait_ms: if started > 0 { wait as f64 / started as f64 / 1e6 } else { 0.0 },
            utilization: sim.utilization(super::ComponentIdx(c as u32)),
            mean_queue_length: if measured > 0 { s.queue.integral(now) as f64 / measured as f64 } else { 0.0 },
            mean_in_system: if measured > 0 { s.in_sys.integral(now) as f64 / measured as f64 } else { 0.0 },
            instances: sim.instances_in_service(super::ComponentIdx(c as u32)),
            cache_hits: s.hits,
            cache_misses: s.misses,
            cold_starts: s.cold_starts,
            launches: s.launches,
            terminations: s.terminations,
            delivered: s.delivered,
            delivery_failed: s.delivery_failed,
            stale_reads: s.stale_reads,
            served_stale: s.served_stale,
            by_request_type: by_type,
            workers: pool.map(|(w, _)| w),
            worker_utilization: pool.map(|(w, v)| {
                let avail = cap as f64 * f64::from(w) / f64::from(v);
                if avail > 0.0 {
                    s.workers_busy.integral(now) as f64 / avail
                } else {
                    0.0
                }
            }),
            by_instance: if pool.is_some() { by_instance(&sim.nodes[c], now) } else { Vec::new() },
            members: sim.instances(super::ComponentIdx(c as u32)),
        });
    }
    Report {
        schema: "strata.metrics.v1",
        time_s: now as f64 / 1e9,
        measured_s,
        seed: sim.config.seed,
        events: core.events,
        trace_hash: format!("{:016x}", core.hash),
        journeys_dropped: core.journeys_dropped,
        components,
        clients,
        layers: sim.core.layers.as_deref().map(|l| l.report(sim)),
        resilience: super::resilience_report::build(sim),
        cost: sim.cost(),
    }
}

/// The utilisation of each instance a group holds (launching ones excepted).
fn by_instance(node: &super::node::Node, now: u64) -> Vec<InstanceUtilization> {
    let super::node::Node::Group(g) = node else { return Vec::new() };
    let share = |busy: u128, mark: u128, servers: u32, since: u64| {
        let span = now.saturating_sub(since) as f64 * f64::from(servers);
        if span > 0.0 {
            busy.saturating_sub(mark) as f64 / span
        } else {
            0.0
        }
    };
    g.inst
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.state, super::group::InstState::InService | super::group::InstState::Draining))
        .map(|(k, i)| {
            let (cpu, workers, since) = i.report_mark;
            let pool = i.pool.as_ref();
            InstanceUtilization {
                slot: k as u32,
                utilization: share(i.st.busy_tw.integral(now), cpu, i.st.servers, since),
                worker_utilization: pool.map_or(0.0, |p| share(p.busy_tw.integral(now), workers, p.servers, since)),
            }
        })
        .collect()
}

impl Report {
    /// The component with this id.
    pub fn component(&self, id: &str) -> Option<&ComponentReport> {
        self.components.iter().find(|c| c.id == id)
    }
    /// The client population with this id.
    pub fn client(&self, id: &str) -> Option<&ClientReport> {
        self.clients.iter().find(|c| c.id == id)
    }
}
