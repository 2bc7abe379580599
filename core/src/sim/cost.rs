//! The cost model: what the run used, charged at a [`PriceTable`] when a report is built.
//!
//! The engine only counts (allocation-free, a few integer additions per call): the calls that
//! reach each component ([`Usage`]: requests, writes, and those that came from the internet,
//! from another AZ or from another region, which `Core::send` marks on the call); the time each
//! instance of an EC2 component or Auto Scaling group is billed and exists ([`Meter`], started
//! and stopped where the engine launches, terminates, kills, stops and starts instances); the
//! time Lambda invocations run. Nothing is reset at the end of the warm-up: the bill covers the
//! whole simulated time. Money is computed only in [`Simulation::cost_at`].
//!
//! What is charged, and the simplifications (see also [`Assumptions`]):
//! - EC2 and Auto Scaling instances: instance-hours from the launch request to termination
//!   (pending and boot included; AWS starts billing at `running`, seconds later), not while
//!   stopped (`stop-instance`) nor after an instance dies (terminated, its host or AZ lost);
//!   a root gp3 volume per instance while it exists, stopped or not.
//! - RDS: the class's hourly price for the whole run, twice with Multi-AZ, once more per read
//!   replica, plus its assumed storage. ElastiCache: node-hours of the assumed node type.
//! - ALB: hours, plus LCU-hours: the larger of new connections / 25 per second and processed
//!   GB per hour (request + answer bytes), over the whole run (per hour for a steady rate);
//!   active connections and rule evaluations (first 10 rules free) are not charged.
//! - NAT gateways (`infrastructure.network.nat_gateways`): hours. The GB they process is shown
//!   as 0: the engine routes no traffic through them.
//! - Data transfer: answers to calls that came from the internet (client populations, through
//!   Route 53) to a component in a region; a call between AZs carries its request and answer
//!   across once each, both sides charged (on the called component's bill); between regions,
//!   charged once. Calls between a load
//!   balancer and its targets do not cross AZs here (the ALB is not zonal in the engine; AWS
//!   does not charge that traffic either). CloudFront's origin fetches are free.
//! - CloudFront: requests and GB out; S3: GET (reads) and PUT (writes) requests, plus assumed
//!   storage; Lambda: requests and GB-seconds from arrival to answer (cold starts and the
//!   function's own calls included); DynamoDB: one read or write request unit per request
//!   (strongly consistent, items up to 4 KB / 1 KB); SQS: three requests per message (send,
//!   receive, delete); Route 53: the queries that reach it (the resolvers' cache misses: an
//!   answer cached for its TTL costs nothing). Declared EBS volumes (`infrastructure.volumes`)
//!   for the whole run.
//! - Cost per hour now: what is running now at its hourly price, plus the usage charges at the
//!   rate of the last metrics bucket.

use super::call::{Flags, NONE16};
use super::core::LocClass;
use super::group::Group;
use super::node::Node;
use super::Simulation;
use crate::layers::storage::VolumeKind;
use crate::pricing::{Assumptions, PriceTable, BYTES_PER_GB, HOURS_PER_MONTH, US_EAST_1};
use crate::topology::{ComponentKind, ComponentSpec, Topology};
use serde::Serialize;

/// Not running: a [`Meter`]'s `since`.
const STOPPED: u64 = u64::MAX;

/// Time something is billed: closed spans plus the open one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meter {
    since: u64,
    total: u64,
}

impl Meter {
    /// A meter that has not run.
    pub(super) const IDLE: Meter = Meter { since: STOPPED, total: 0 };

    /// Starts it at `now` (no effect while running).
    #[inline]
    pub(super) fn start(&mut self, now: u64) {
        if self.since == STOPPED {
            self.since = now;
        }
    }
    /// Stops it at `now` (no effect while stopped).
    #[inline]
    pub(super) fn stop(&mut self, now: u64) {
        if self.since != STOPPED {
            self.total += now.saturating_sub(self.since);
            self.since = STOPPED;
        }
    }
    /// Whether it runs.
    pub(super) fn running(&self) -> bool {
        self.since != STOPPED
    }
    /// Nanoseconds run up to `now`.
    pub(super) fn at(&self, now: u64) -> u64 {
        self.total + if self.running() { now.saturating_sub(self.since) } else { 0 }
    }
}

/// What reached or left one component since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Usage {
    /// Calls that reached it.
    pub(super) requests: u64,
    /// Of which writes.
    pub(super) writes: u64,
    /// Of which came from the internet (a client population, through Route 53 or not).
    pub(super) from_internet: u64,
    /// Of which came from a component in another AZ of its region.
    pub(super) cross_az: u64,
    /// Of which came from a component in another region.
    pub(super) cross_region: u64,
    /// Lambda: nanoseconds its invocations ran (filled in when read).
    pub(super) run_ns: u64,
    /// Route 53: queries that reached it (resolver cache misses).
    pub(super) queries: u64,
}

impl Usage {
    fn minus(self, o: Usage) -> Usage {
        Usage {
            requests: self.requests - o.requests,
            writes: self.writes - o.writes,
            from_internet: self.from_internet - o.from_internet,
            cross_az: self.cross_az - o.cross_az,
            cross_region: self.cross_region - o.cross_region,
            run_ns: self.run_ns.saturating_sub(o.run_ns),
            queries: self.queries - o.queries,
        }
    }
}

impl super::core::Core {
    /// What a call from component `from` (in `from_az`) to component `to` (in `to_az`) is for
    /// the data-transfer charges, as flags the call carries until it arrives (where
    /// `arrive_stats` counts them, so counts agree with the report's arrivals).
    #[inline(always)]
    pub(super) fn transfer(&self, from: u32, from_az: u16, to: u32, to_az: u16) -> Flags {
        let f = &self.meta[from as usize];
        let t = self.meta[to as usize].loc;
        // A load balancer's traffic to its targets is not charged across AZs.
        if t.class != LocClass::Placed || f.kind == ComponentKind::Alb {
            return Flags::EMPTY;
        }
        match f.loc.class {
            LocClass::Client | LocClass::Dns => Flags::FROM_INTERNET,
            LocClass::Placed if f.loc.region != NONE16 && t.region != NONE16 && f.loc.region != t.region => {
                Flags::CROSS_REGION
            }
            LocClass::Placed if from_az != NONE16 && to_az != NONE16 && from_az != to_az => Flags::CROSS_AZ,
            _ => Flags::EMPTY,
        }
    }
}

/// What a component is charged for, from the document (prices are looked up when charging).
#[derive(Clone, Debug)]
pub(super) enum Basis {
    /// Not charged (client populations).
    Free,
    /// EC2 or an Auto Scaling group of this instance type.
    Instances(String),
    /// An EKS deployment or an ECS service: its nodes of `node_type`, or its Fargate
    /// micro-VMs of `fargate`'s size; an EKS cluster's fee.
    Eks {
        node_type: String,
        fargate: Option<crate::containers::Resources>,
        eks: bool,
    },
    /// RDS of this class; Multi-AZ; read replicas.
    Rds(String, bool, u32),
    /// ElastiCache with this many nodes.
    Cache(u32),
    /// A Lambda function with this memory, MB.
    Lambda(u32),
    Alb,
    CloudFront,
    S3,
    DynamoDb,
    Sqs,
    Route53,
}

/// The run's charges that do not follow the engine's events.
#[derive(Clone, Debug, Default)]
pub(super) struct CostRun {
    /// Per component.
    pub(super) basis: Vec<Basis>,
    /// NAT gateways of the infrastructure.
    pub(super) nat: Vec<String>,
    /// Declared EBS volumes: name, kind, GiB, provisioned IOPS.
    pub(super) volumes: Vec<(String, VolumeKind, u32, Option<u32>)>,
    /// Usage at the last metrics tick, and over the bucket before it.
    pub(super) prev: Vec<Usage>,
    pub(super) last: Vec<Usage>,
    pub(super) last_span_ns: u64,
}

impl CostRun {
    /// What each component of `t` is charged for.
    pub(super) fn of(t: &Topology) -> CostRun {
        let basis = t
            .components
            .iter()
            .map(|c| match &c.spec {
                ComponentSpec::Client(_) => Basis::Free,
                ComponentSpec::Route53(_) => Basis::Route53,
                ComponentSpec::Cloudfront(_) => Basis::CloudFront,
                ComponentSpec::Alb(_) => Basis::Alb,
                ComponentSpec::Ec2(p) => Basis::Instances(p.instance_type.clone()),
                ComponentSpec::Asg(p) => Basis::Instances(p.instance_type.clone()),
                ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => Basis::Eks {
                    node_type: p.node_type.clone(),
                    fargate: p
                        .fargate
                        .then(|| crate::containers::fargate_size(p.requests(), c.spec.kind() == ComponentKind::Eks))
                        .flatten(),
                    eks: c.spec.kind() == ComponentKind::Eks,
                },
                ComponentSpec::Rds(p) => Basis::Rds(p.instance_class.clone(), p.multi_az, p.read_replicas),
                ComponentSpec::Elasticache(p) => Basis::Cache(p.nodes),
                ComponentSpec::S3(_) => Basis::S3,
                ComponentSpec::Dynamodb(_) => Basis::DynamoDb,
                ComponentSpec::Lambda(p) => Basis::Lambda(p.memory_mb),
                ComponentSpec::Sqs(_) => Basis::Sqs,
            })
            .collect();
        let (nat, volumes) = t.layers().map_or_else(Default::default, |i| {
            (
                i.network.vpcs.iter().flat_map(|v| v.nat_gateways.iter()).map(|n| n.name.clone()).collect(),
                i.volumes.iter().map(|v| (v.name.clone(), v.kind, v.size_gib, v.iops)).collect(),
            )
        });
        let n = t.components.len();
        CostRun {
            basis,
            nat,
            volumes,
            prev: vec![Usage::default(); n],
            last: vec![Usage::default(); n],
            last_span_ns: 0,
        }
    }

    /// Heap memory held, bytes.
    pub(super) fn heap_bytes(&self) -> usize {
        (self.prev.capacity() + self.last.capacity()) * std::mem::size_of::<Usage>()
            + self.basis.capacity() * std::mem::size_of::<Basis>()
    }
}

/// A cost category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// EC2 and Auto Scaling instance-hours, Lambda GB-seconds.
    Compute,
    /// RDS instance-hours and ElastiCache node-hours.
    Database,
    /// Load balancer hours and LCU-hours.
    LoadBalancing,
    /// NAT gateway hours and GB processed.
    Networking,
    /// Data transfer out to the internet, between AZs and regions, CloudFront GB.
    DataTransfer,
    /// EBS volumes, RDS storage, S3 storage.
    Storage,
    /// Per-request charges: CloudFront, S3, Lambda, DynamoDB, SQS, Route 53.
    Requests,
}

impl CostCategory {
    /// Every category, in report order.
    pub const ALL: [CostCategory; 7] = [
        CostCategory::Compute,
        CostCategory::Database,
        CostCategory::LoadBalancing,
        CostCategory::Networking,
        CostCategory::DataTransfer,
        CostCategory::Storage,
        CostCategory::Requests,
    ];
    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            CostCategory::Compute => "compute",
            CostCategory::Database => "database",
            CostCategory::LoadBalancing => "load_balancing",
            CostCategory::Networking => "networking",
            CostCategory::DataTransfer => "data_transfer",
            CostCategory::Storage => "storage",
            CostCategory::Requests => "requests",
        }
    }
}

/// One charge: a quantity used at a unit price.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostLine {
    /// What is charged, e.g. `instance-hours`, `cross-az GB`.
    pub item: &'static str,
    /// Its category.
    pub category: CostCategory,
    /// Quantity used over the run, in `unit`.
    pub quantity: f64,
    /// The unit of the quantity and the price.
    pub unit: &'static str,
    /// USD per unit.
    pub unit_price: f64,
    /// USD: quantity x unit price.
    pub accumulated: f64,
    /// USD per hour at the rate now.
    pub per_hour_now: f64,
}

/// One component's (or infrastructure item's) charges.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentCost {
    /// Component id (or the NAT gateway's or volume's name).
    pub id: String,
    /// Its kind as documents write it (`asg`, `alb`, ...; `nat_gateway`, `ebs_volume`).
    pub kind: &'static str,
    /// USD per hour now.
    pub per_hour_now: f64,
    /// USD over the run.
    pub accumulated: f64,
    /// The charges.
    pub lines: Vec<CostLine>,
}

/// One category's total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryCost {
    /// The category.
    pub category: CostCategory,
    /// USD per hour now.
    pub per_hour_now: f64,
    /// USD over the run.
    pub accumulated: f64,
}

/// What the run cost (the report's `cost`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    /// Currency of every figure: `USD`.
    pub currency: &'static str,
    /// Region of the prices.
    pub region: &'static str,
    /// The date the prices are from.
    pub prices_as_of: &'static str,
    /// Where the prices come from.
    pub source: &'static str,
    /// Simulated time charged, seconds (the whole run, warm-up included).
    pub time_s: f64,
    /// USD per hour at the report's time: what runs now, and usage at the last bucket's rate.
    pub per_hour_now: f64,
    /// USD over the simulated time.
    pub accumulated: f64,
    /// Per category, in [`CostCategory::ALL`] order.
    pub by_category: Vec<CategoryCost>,
    /// Per component with a charge, then NAT gateways and declared volumes.
    pub by_component: Vec<ComponentCost>,
    /// The sizes and storage the bill assumes.
    pub assumptions: Assumptions,
}

/// Builds a component's lines.
struct Lines {
    lines: Vec<CostLine>,
}

impl Lines {
    fn add(
        &mut self,
        item: &'static str,
        category: CostCategory,
        unit: &'static str,
        unit_price: f64,
        quantity: f64,
        per_hour: f64,
    ) {
        self.lines.push(CostLine {
            item,
            category,
            quantity,
            unit,
            unit_price,
            accumulated: quantity * unit_price,
            per_hour_now: per_hour * unit_price,
        });
    }
}

impl Simulation {
    /// The run's bill at [`US_EAST_1`] prices with the default [`Assumptions`].
    pub fn cost(&self) -> CostReport {
        self.cost_at(&US_EAST_1, &Assumptions::DEFAULT)
    }

    /// The run's bill at `prices`, with the sizes and storage of `a`: what it used so far
    /// (`accumulated`) and the rate now (`per_hour_now`), by component and by category.
    pub fn cost_at(&self, prices: &PriceTable, a: &Assumptions) -> CostReport {
        use CostCategory as C;
        let now = self.core.now;
        let hours = now as f64 / 3.6e12;
        let per_ns_to_hour = 3.6e12;
        let last_hours = self.cost.last_span_ns as f64 / 3.6e12;
        let gb_req = a.request_bytes / BYTES_PER_GB;
        let gb_resp = a.response_bytes / BYTES_PER_GB;
        let gb_both = gb_req + gb_resp;
        let mut by_component = Vec::new();
        for (c, basis) in self.cost.basis.iter().enumerate() {
            let mut u = self.core.usage[c];
            if let Node::Lambda(l) = &self.nodes[c] {
                u.run_ns = l.run_ns_at(now);
            }
            // Usage over the last bucket, per hour.
            let d = self.cost.last[c];
            let rate = |x: u64| if last_hours > 0.0 { x as f64 / last_hours } else { 0.0 };
            let mut l = Lines { lines: Vec::new() };
            // Data transfer: (label, calls so far, calls in the last bucket, GB per call, price).
            // Between AZs each direction is charged on both sides.
            for (label, calls, recent, gb_per_call, price) in [
                (
                    "data transfer out to the internet",
                    u.from_internet,
                    d.from_internet,
                    gb_resp,
                    prices.transfer_out_gb,
                ),
                (
                    "data transfer between AZs (both sides)",
                    u.cross_az,
                    d.cross_az,
                    gb_both * 2.0,
                    prices.cross_az_gb_each_way,
                ),
                ("data transfer between regions", u.cross_region, d.cross_region, gb_both, prices.cross_region_gb),
            ] {
                if calls > 0 {
                    l.add(label, C::DataTransfer, "GB", price, calls as f64 * gb_per_call, rate(recent) * gb_per_call);
                }
            }
            let reads = u.requests - u.writes;
            let d_reads = d.requests - d.writes;
            match basis {
                Basis::Free => {}
                Basis::Instances(ty) => {
                    let Node::Group(g) = &self.nodes[c] else { continue };
                    let (billed, running, existed, existing) = instance_time(g, now);
                    let price = prices.ec2_hourly(ty).unwrap_or(0.0);
                    l.add("instance-hours", C::Compute, "hour", price, billed as f64 / per_ns_to_hour, running as f64);
                    let gb_month = prices.ebs_gp3_gb_month * a.root_volume_gib / HOURS_PER_MONTH;
                    l.add(
                        "root volume (gp3) hours",
                        C::Storage,
                        "volume-hour",
                        gb_month,
                        existed as f64 / per_ns_to_hour,
                        existing as f64,
                    );
                }
                Basis::Eks { node_type: ty, fargate, eks } => {
                    let Node::Group(g) = &self.nodes[c] else { continue };
                    let Some(p) = g.pods.as_deref() else { continue };
                    // Nodes are billed from their launch to their end, like any instance; a
                    // Fargate micro-VM by its size, from its provisioning to its pod's end.
                    let node_hours = p.node_ns_at(now) as f64 / per_ns_to_hour;
                    let nodes = f64::from(p.nodes_now);
                    if *eks {
                        l.add("EKS cluster hours", C::Compute, "hour", prices.eks_cluster_hour, hours, 1.0);
                    }
                    if let Some(size) = fargate {
                        let (vcpu, gb) = (f64::from(size.cpu_m) / 1000.0, f64::from(size.memory_mib) / 1024.0);
                        let price = prices.fargate_vcpu_hour;
                        l.add("Fargate vCPU-hours", C::Compute, "vCPU-hour", price, vcpu * node_hours, vcpu * nodes);
                        let price = prices.fargate_gb_hour;
                        l.add("Fargate GB-hours", C::Compute, "GB-hour", price, gb * node_hours, gb * nodes);
                    } else {
                        l.add(
                            "node instance-hours",
                            C::Compute,
                            "hour",
                            prices.ec2_hourly(ty).unwrap_or(0.0),
                            node_hours,
                            nodes,
                        );
                        let gb_month = prices.ebs_gp3_gb_month * a.root_volume_gib / HOURS_PER_MONTH;
                        l.add("node root volume (gp3) hours", C::Storage, "volume-hour", gb_month, node_hours, nodes);
                    }
                }
                Basis::Rds(class, multi_az, replicas) => {
                    let copies = f64::from(replicas + 1);
                    let price = prices.rds_hourly(class, *multi_az).unwrap_or(0.0);
                    l.add("instance-hours", C::Database, "hour", price, hours * copies, copies);
                    let storage = if *multi_az { 2.0 } else { 1.0 } * copies * a.rds_storage_gb;
                    l.add(
                        "storage (gp2)",
                        C::Storage,
                        "GB-hour",
                        prices.rds_storage_gb_month / HOURS_PER_MONTH,
                        storage * hours,
                        storage,
                    );
                }
                Basis::Cache(nodes) => {
                    let price = prices.elasticache_hourly(a.elasticache_node_type).unwrap_or(0.0);
                    let n = f64::from(*nodes);
                    l.add("node-hours", C::Database, "hour", price, n * hours, n);
                }
                Basis::Lambda(mb) => {
                    let gb = f64::from(*mb) / 1024.0;
                    l.add(
                        "requests",
                        C::Requests,
                        "request",
                        prices.lambda_per_million / 1e6,
                        u.requests as f64,
                        rate(d.requests),
                    );
                    l.add(
                        "GB-seconds",
                        C::Compute,
                        "GB-second",
                        prices.lambda_gb_second,
                        u.run_ns as f64 / 1e9 * gb,
                        rate(d.run_ns) / 1e9 * gb,
                    );
                }
                Basis::Alb => {
                    l.add("load balancer hours", C::LoadBalancing, "hour", prices.alb_hour, hours, 1.0);
                    let lcu = |requests: u64, h: f64| {
                        if h <= 0.0 {
                            return 0.0;
                        }
                        let conns_per_s = requests as f64 / a.requests_per_connection.max(1e-9) / (h * 3600.0);
                        let gb_per_hour = requests as f64 * gb_both / h;
                        (conns_per_s / 25.0).max(gb_per_hour)
                    };
                    l.add(
                        "LCU-hours",
                        C::LoadBalancing,
                        "LCU-hour",
                        prices.alb_lcu_hour,
                        lcu(u.requests, hours) * hours,
                        lcu(d.requests, last_hours),
                    );
                }
                Basis::CloudFront => {
                    l.add(
                        "HTTPS requests",
                        C::Requests,
                        "request",
                        prices.cloudfront_per_10k_requests / 1e4,
                        u.requests as f64,
                        rate(d.requests),
                    );
                    l.add(
                        "data transfer out",
                        C::DataTransfer,
                        "GB",
                        prices.cloudfront_gb,
                        u.requests as f64 * gb_resp,
                        rate(d.requests) * gb_resp,
                    );
                }
                Basis::S3 => {
                    l.add(
                        "GET requests",
                        C::Requests,
                        "request",
                        prices.s3_get_per_1k / 1e3,
                        reads as f64,
                        rate(d_reads),
                    );
                    l.add(
                        "PUT requests",
                        C::Requests,
                        "request",
                        prices.s3_put_per_1k / 1e3,
                        u.writes as f64,
                        rate(d.writes),
                    );
                    if a.s3_stored_gb > 0.0 {
                        l.add(
                            "storage (Standard)",
                            C::Storage,
                            "GB-hour",
                            prices.s3_gb_month / HOURS_PER_MONTH,
                            a.s3_stored_gb * hours,
                            a.s3_stored_gb,
                        );
                    }
                }
                Basis::DynamoDb => {
                    l.add(
                        "read request units",
                        C::Requests,
                        "unit",
                        prices.dynamodb_per_million_reads / 1e6,
                        reads as f64,
                        rate(d_reads),
                    );
                    l.add(
                        "write request units",
                        C::Requests,
                        "unit",
                        prices.dynamodb_per_million_writes / 1e6,
                        u.writes as f64,
                        rate(d.writes),
                    );
                }
                Basis::Sqs => l.add(
                    "requests (send, receive, delete)",
                    C::Requests,
                    "request",
                    prices.sqs_per_million / 1e6,
                    3.0 * u.requests as f64,
                    3.0 * rate(d.requests),
                ),
                Basis::Route53 => l.add(
                    "queries",
                    C::Requests,
                    "query",
                    prices.route53_per_million / 1e6,
                    u.queries as f64,
                    rate(d.queries),
                ),
            }
            if l.lines.is_empty() {
                continue;
            }
            let kind = self.core.meta[c].kind.tag();
            by_component.push(component(self.core.meta[c].id.clone(), kind, l.lines));
        }
        for name in &self.cost.nat {
            let mut l = Lines { lines: Vec::new() };
            l.add("NAT gateway hours", C::Networking, "hour", prices.nat_hour, hours, 1.0);
            l.add("GB processed (not modelled)", C::Networking, "GB", prices.nat_gb, 0.0, 0.0);
            by_component.push(component(name.clone(), "nat_gateway", l.lines));
        }
        for (name, kind, gib, iops) in &self.cost.volumes {
            let mut l = Lines { lines: Vec::new() };
            let gib = f64::from(*gib);
            let gb_price = match kind {
                VolumeKind::Gp2 => prices.ebs_gp2_gb_month,
                VolumeKind::Gp3 => prices.ebs_gp3_gb_month,
                VolumeKind::Io2 => prices.ebs_io2_gb_month,
            };
            l.add("storage", C::Storage, "GB-hour", gb_price / HOURS_PER_MONTH, gib * hours, gib);
            let extra_iops = match (kind, iops) {
                (VolumeKind::Io2, Some(i)) => (f64::from(*i), prices.ebs_io2_iops_month),
                (VolumeKind::Gp3, Some(i)) => ((f64::from(*i) - 3000.0).max(0.0), prices.ebs_gp3_iops_month),
                _ => (0.0, 0.0),
            };
            if extra_iops.0 > 0.0 {
                l.add(
                    "provisioned IOPS",
                    C::Storage,
                    "IOPS-hour",
                    extra_iops.1 / HOURS_PER_MONTH,
                    extra_iops.0 * hours,
                    extra_iops.0,
                );
            }
            by_component.push(component(name.clone(), "ebs_volume", l.lines));
        }
        let by_category = CostCategory::ALL
            .iter()
            .map(|&cat| {
                let lines = by_component.iter().flat_map(|c| c.lines.iter()).filter(|l| l.category == cat);
                let (now, acc) = lines.fold((0.0, 0.0), |(n, a), l| (n + l.per_hour_now, a + l.accumulated));
                CategoryCost { category: cat, per_hour_now: now, accumulated: acc }
            })
            .collect::<Vec<_>>();
        CostReport {
            currency: prices.currency,
            region: prices.region,
            prices_as_of: prices.as_of,
            source: prices.source,
            time_s: now as f64 / 1e9,
            per_hour_now: by_category.iter().map(|c| c.per_hour_now).sum(),
            accumulated: by_category.iter().map(|c| c.accumulated).sum(),
            by_category,
            by_component,
            assumptions: *a,
        }
    }

    /// Metrics tick: the usage over the bucket that ends now (the rate `per_hour_now` charges).
    pub(super) fn cost_tick(&mut self) {
        let now = self.core.now;
        for c in 0..self.cost.prev.len() {
            let mut u = self.core.usage[c];
            if let Node::Lambda(l) = &self.nodes[c] {
                u.run_ns = l.run_ns_at(now);
            }
            self.cost.last[c] = u.minus(self.cost.prev[c]);
            self.cost.prev[c] = u;
        }
        self.cost.last_span_ns = self.resolution_ns;
    }

    /// Instance `k` of group `c` starts (`true`) or stops being billed for compute (a stop, a
    /// start).
    pub(super) fn bill_instance(&mut self, c: u32, k: u32, running: bool) {
        let now = self.core.now;
        if let Some(Node::Group(g)) = self.nodes.get_mut(c as usize) {
            if let Some(i) = g.inst.get_mut(k as usize) {
                if running {
                    i.billed.start(now);
                } else {
                    i.billed.stop(now);
                }
            }
        }
    }

    /// Nanoseconds each billed instance of group `component` ran so far, summed (what the
    /// `instance-hours` line charges), for checks.
    pub fn billed_instance_ns(&self, component: super::ComponentIdx) -> u64 {
        match self.nodes.get(component.0 as usize) {
            Some(Node::Group(g)) => instance_time(g, self.core.now).0,
            _ => 0,
        }
    }
}

fn component(id: String, kind: &'static str, lines: Vec<CostLine>) -> ComponentCost {
    ComponentCost {
        id,
        kind,
        per_hour_now: lines.iter().map(|l| l.per_hour_now).sum(),
        accumulated: lines.iter().map(|l| l.accumulated).sum(),
        lines,
    }
}

/// A group's billed nanoseconds, instances billed now, existing nanoseconds and instances
/// existing now.
fn instance_time(g: &Group, now: u64) -> (u64, u32, u64, u32) {
    g.inst.iter().fold((0, 0, 0, 0), |(b, r, e, x), i| {
        (
            b + i.billed.at(now),
            r + u32::from(i.billed.running()),
            e + i.exists.at(now),
            x + u32::from(i.exists.running()),
        )
    })
}
