//! Construction of a [`Simulation`] from a topology: placement of every component, routes and
//! outgoing calls per request type, each kind's state, and the first events.

use super::alb::Alb;
use super::asg::Asg;
use super::breaker::ConnState;
use super::call::{CallSlab, NONE, NONE16};
use super::client::Client;
use super::cloudfront::CloudFront;
use super::core::{CallOut, Core, Loc, LocClass, Meta, Route};
use super::deadline::DeadlineQueue;
use super::dynamodb::DynamoDb;
use super::elasticache::ElastiCache;
use super::group::{Group, InstState, Instance};
use super::health::{Checker, HealthCheck};
use super::lambda::Lambda;
use super::layered;
use super::metrics::CompStats;
use super::node::Node;
use super::pods::{PodSlot, Pods, Words};
use super::queue::{Ev, EventQueue};
use super::rds::Rds;
use super::route53::Route53;
use super::s3::S3;
use super::sampler::Sampler;
use super::sqs::Sqs;
use super::station::{Bucket, Station};
use super::stats::Ring;
use super::{BuildError, SimConfig, Simulation};
use crate::catalog;
use crate::containers::cluster::{Cluster, ClusterSpec, NodeGroupSpec, WorkloadSpec};
use crate::containers::hpa::{HpaParams, Policy};
use crate::containers::pod::{PodPhase, PodSpec, Probe};
use crate::containers::Resources;
use crate::rng::{derive_seed, rng_from_seed};
use crate::time::Duration;
use crate::topology::{Arrival, ComponentKind, ComponentSpec, ContainerKind, Dist, EksParams, LbAlgorithm, Topology};
use rand::Rng;
use rand_distr::Exp1;
use std::collections::{BTreeMap, VecDeque};

/// Builds the run of `t` without validating it (see `Simulation::new`).
pub(super) fn build(t: &Topology, config: SimConfig) -> Result<Simulation, BuildError> {
    let nt = t.request_types.len();
    let n = t.components.len();
    let idx: BTreeMap<&str, u32> = t.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
    let type_idx: BTreeMap<&str, usize> =
        t.request_types.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();

    // Placement: region and AZ of every container.
    let mut regions: Vec<String> = Vec::new();
    let mut azs: Vec<String> = Vec::new();
    for c in &t.containers {
        match c.kind {
            ContainerKind::Region => regions.push(c.id.clone()),
            ContainerKind::Az => azs.push(c.id.clone()),
            _ => {}
        }
    }
    let place = |id: Option<&str>| -> (u16, u16) {
        let (mut region, mut az) = (NONE16, NONE16);
        let mut cur = id;
        let mut guard = 0;
        while let Some(cid) = cur {
            guard += 1;
            let Some(c) = t.container(cid) else { break };
            if guard > 16 {
                break;
            }
            match c.kind {
                ContainerKind::Region => region = regions.iter().position(|r| *r == c.id).map_or(NONE16, |p| p as u16),
                ContainerKind::Az if az == NONE16 => {
                    az = azs.iter().position(|r| *r == c.id).map_or(NONE16, |p| p as u16)
                }
                ContainerKind::Subnet if az == NONE16 => {
                    if let Some(a) = &c.az {
                        az = azs.iter().position(|r| r == a).map_or(NONE16, |p| p as u16);
                    }
                }
                _ => {}
            }
            cur = c.parent.as_deref();
        }
        if region == NONE16 && az != NONE16 {
            if let Some(p) = t.container(&azs[az as usize]).and_then(|a| a.parent.as_deref()) {
                region = regions.iter().position(|r| r == p).map_or(NONE16, |p| p as u16);
            }
        }
        (region, az)
    };
    let half = |ms: f64| Duration::from_millis_f64(ms / 2.0).as_nanos().min(u32::MAX as u64) as u32;
    let ns = |ms: f64| Duration::from_millis_f64(ms).as_nanos();

    let mut meta = Vec::with_capacity(n);
    for c in &t.components {
        let (region, az) = place(c.container.as_deref());
        let kind = c.spec.kind();
        let (class, edge_ns, origin_ns) = match &c.spec {
            ComponentSpec::Client(_) => (LocClass::Client, 0, 0),
            ComponentSpec::Route53(_) => (LocClass::Dns, 0, 0),
            ComponentSpec::Cloudfront(p) => (LocClass::Edge, half(p.edge_rtt_ms), half(p.origin_rtt_ms)),
            _ => (LocClass::Placed, 0, 0),
        };
        meta.push(Meta {
            id: c.id.clone(),
            kind,
            loc: Loc { class, region, az, edge_ns, origin_ns },
            down: false,
            down_cause: super::ErrorCause::Unavailable,
            bad_share: 0.0,
        });
    }

    // Routes and calls per (component, request type).
    let mut routes = vec![Vec::new(); n * nt];
    let mut callouts = vec![Vec::new(); n * nt];
    let mut conn_states = Vec::new();
    let mut deadlines: Vec<DeadlineQueue> = Vec::new();
    for conn in &t.connections {
        let (Some(&from), Some(&to)) = (idx.get(conn.from.as_str()), idx.get(conn.to.as_str())) else { continue };
        // The caller's resilience patterns on this connection (compute callers only).
        let patterns = if !conn.resilience.is_empty()
            && catalog::kind_info(meta[from as usize].kind).outgoing == catalog::Outgoing::Call
        {
            let mut state = ConnState::new(&conn.resilience);
            if let Some(ms) = conn.resilience.timeout_ms {
                state.deadlines = deadlines.len() as u32;
                deadlines.push(DeadlineQueue::new(ns(ms).max(1)));
            }
            conn_states.push((from, to, state));
            (conn_states.len() - 1) as u16
        } else {
            NONE16
        };
        for (ti, rt) in t.request_types.iter().enumerate() {
            if !conn.request_types.is_empty() && !conn.request_types.contains(&rt.name) {
                continue;
            }
            let slot = from as usize * nt + ti;
            match catalog::kind_info(meta[from as usize].kind).outgoing {
                catalog::Outgoing::Call => callouts[slot].push(CallOut {
                    to,
                    whole: conn.share.floor().min(1000.0) as u16,
                    frac: conn.share.fract(),
                    blocked: NONE16,
                    patterns,
                }),
                catalog::Outgoing::None => {}
                _ => {
                    if conn.share > 0.0 {
                        let prev = routes[slot].last().map_or(0.0, |r: &Route| r.cum);
                        routes[slot].push(Route { to, cum: prev + conn.share });
                    }
                }
            }
        }
    }

    let per_type = |map: &BTreeMap<String, Dist>, base: &Dist| -> Vec<Sampler> {
        t.request_types.iter().map(|rt| Sampler::of(map.get(&rt.name).unwrap_or(base))).collect()
    };
    let per_type_f = |map: &BTreeMap<String, f64>, base: f64| -> Vec<f64> {
        t.request_types.iter().map(|rt| *map.get(&rt.name).unwrap_or(&base)).collect()
    };
    let _ = &type_idx;

    let n_clients = t.components.iter().filter(|c| c.spec.kind() == ComponentKind::Client).count().max(1);
    let mut nodes = Vec::with_capacity(n);
    let mut client_ordinal = 0u16;
    let mut stats: Vec<CompStats> = (0..n).map(|_| CompStats::new(nt, config.series_capacity)).collect();
    for (s, c) in stats.iter_mut().zip(&t.components) {
        if c.spec.kind() == ComponentKind::Client {
            s.causes = Some(super::stats::Ring::new(config.series_capacity));
        }
    }
    let mut queue = EventQueue::with_capacity(1024);
    let mut rng = rng_from_seed(derive_seed(config.seed, 0));

    let group_azs = |subnets: &[String], container: Option<&str>| -> Vec<u16> {
        let mut v: Vec<u16> = subnets.iter().map(|s| place(Some(s.as_str())).1).collect();
        if v.is_empty() {
            v.push(place(container).1);
        }
        v
    };
    for (ci, c) in t.components.iter().enumerate() {
        let node = match &c.spec {
            ComponentSpec::Client(p) => {
                let mut shares: Vec<f64> = t
                    .request_types
                    .iter()
                    .map(|rt| if p.mix.is_empty() { rt.share } else { *p.mix.get(&rt.name).unwrap_or(&0.0) })
                    .collect();
                let mut acc = 0.0;
                for s in shares.iter_mut() {
                    acc += *s;
                    *s = acc;
                }
                let max_rate = p.arrival.max_rate();
                if max_rate > 0.0 {
                    let gap: f64 = rng.sample::<f64, _>(Exp1) / max_rate * 1e9;
                    queue.push(((gap + 0.5) as u64).max(1), Ev::ClientArrival { comp: ci as u32 });
                }
                let ordinal = client_ordinal;
                client_ordinal += 1;
                Node::Client(Client {
                    arrival: p.arrival.clone(),
                    max_rate,
                    constant: matches!(p.arrival, Arrival::Constant { .. }),
                    mix: if nt == 1 { vec![1.0] } else { shares },
                    timeout_ns: ns(p.timeout_ms),
                    ordinal,
                    deadlines: {
                        deadlines.push(DeadlineQueue::new(ns(p.timeout_ms).max(1)));
                        deadlines.len() as u32 - 1
                    },
                })
            }
            ComponentSpec::Route53(p) => {
                queue.push(ns(p.health_check_interval_s * 1000.0), Ev::HealthCheck { comp: ci as u32 });
                Node::Route53(Route53 {
                    policy: p.policy,
                    ttl_ns: ns(p.ttl_s * 1000.0),
                    query_ns: ns(p.query_ms),
                    resolvers: p.resolvers.max(1),
                    cache: vec![(NONE, 0); n_clients * p.resolvers.max(1) as usize],
                    // Route 53 uses its failure threshold both ways: that many failed checks
                    // make a target unhealthy, that many passed ones healthy again.
                    check: HealthCheck::new(
                        ns(p.health_check_interval_s * 1000.0),
                        ns(p.effective_health_check_timeout_s() * 1000.0),
                        p.failure_threshold,
                        p.failure_threshold,
                    ),
                    health: vec![Checker::new(true); n],
                    targets: Vec::new(),
                })
            }
            ComponentSpec::Cloudfront(p) => Node::CloudFront(CloudFront {
                proc_ns: ns(p.processing_ms),
                hit: per_type_f(&p.hit_ratio_by_type, p.hit_ratio),
                stale_ns: p.serve_stale_on_error.then(|| ns(p.stale_if_error_s * 1000.0)),
                fresh_at: vec![0; nt],
            }),
            ComponentSpec::Alb(p) => {
                let interval = ns(p.health_check_interval_s * 1000.0);
                queue.push(interval.max(1), Ev::HealthCheck { comp: ci as u32 });
                // AZs the ALB has nodes in: where its targets can be.
                let mut zs: Vec<u16> = Vec::new();
                for conn in t.connections.iter().filter(|x| x.from == c.id) {
                    if let Some(target) = t.component(&conn.to) {
                        let list = match &target.spec {
                            ComponentSpec::Asg(a) => group_azs(&a.subnets, target.container.as_deref()),
                            _ => vec![place(target.container.as_deref()).1],
                        };
                        zs.extend(list.into_iter().filter(|z| *z != NONE16));
                    }
                }
                zs.sort_unstable();
                zs.dedup();
                Node::Alb(Alb {
                    lor: p.algorithm == LbAlgorithm::LeastOutstandingRequests,
                    cross_zone: p.cross_zone,
                    proc_ns: ns(p.processing_ms),
                    check: HealthCheck::new(
                        interval,
                        ns(p.effective_health_check_timeout_s() * 1000.0),
                        p.healthy_threshold,
                        p.unhealthy_threshold,
                    ),
                    rr: 0,
                    azs: zs,
                    scratch: Vec::with_capacity(64),
                })
            }
            ComponentSpec::Ec2(p) => {
                let vcpus = p.vcpus.unwrap_or_else(|| catalog::instance_type(&p.instance_type).map_or(1, |x| x.vcpus));
                let az = place(c.container.as_deref()).1;
                let mut inst = Instance::new(vcpus, p.queue_capacity, az, p.workers);
                inst.state = InstState::InService;
                inst.initial = true;
                inst.lb = Checker::new(true);
                inst.billed.start(0);
                inst.exists.start(0);
                if let Some(d) = &p.disk {
                    inst.disk_gap_ns = if d.iops > 0.0 { 1e9 / d.iops } else { 0.0 };
                }
                stats[ci].cap.add(0, vcpus as i64);
                deadlines.push(DeadlineQueue::component(ns(p.timeout_ms).max(1)));
                Node::Group(Group {
                    deadlines: deadlines.len() as u32 - 1,
                    svc: per_type(&p.service_time_by_type, &p.service_time),
                    inst: vec![inst],
                    rr: 0,
                    disk_ios: p.disk.as_ref().map_or(0.0, |d| d.ios_per_request),
                    asg: None,
                    pods: None,
                })
            }
            ComponentSpec::Asg(p) => {
                let vcpus = p.vcpus.unwrap_or_else(|| catalog::instance_type(&p.instance_type).map_or(1, |x| x.vcpus));
                let zs = group_azs(&p.subnets, c.container.as_deref());
                let mut inst: Vec<Instance> =
                    (0..p.max.max(1)).map(|_| Instance::new(vcpus, p.queue_capacity, NONE16, p.workers)).collect();
                for (k, i) in inst.iter_mut().enumerate().take(p.desired as usize) {
                    i.state = InstState::InService;
                    i.initial = true;
                    i.lb = Checker::new(true);
                    i.az = zs[k % zs.len()];
                    i.billed.start(0);
                    i.exists.start(0);
                    stats[ci].cap.add(0, vcpus as i64);
                }
                let period = ns(p.evaluation_period_s * 1000.0).max(1);
                queue.push(period, Ev::ScalingEval { comp: ci as u32 });
                deadlines.push(DeadlineQueue::component(ns(p.timeout_ms).max(1)));
                Node::Group(Group {
                    deadlines: deadlines.len() as u32 - 1,
                    svc: per_type(&p.service_time_by_type, &p.service_time),
                    inst,
                    rr: 0,
                    disk_ios: 0.0,
                    asg: Some(Asg {
                        min: p.min,
                        max: p.max,
                        target: p.target_cpu_percent / 100.0,
                        warmup_ns: ns(p.warmup_s * 1000.0),
                        cooldown_ns: ns(p.cooldown_s * 1000.0),
                        period_ns: period,
                        // EC2 status checks, read at every evaluation: they ask whether the
                        // instance is alive, not how fast it answers; two failures in a row
                        // (the check fails for a while before the group acts) replace it.
                        status_check: HealthCheck::new(period, u64::MAX, 1, 2),
                        launch: Sampler::of(&Dist::Uniform {
                            min_ms: p.launch_min_s * 1000.0,
                            max_ms: p.launch_max_s * 1000.0,
                        }),
                        azs: zs,
                        last_action: 0,
                        launch_blocked: false,
                        failover_min: p.failover_min,
                    }),
                    pods: None,
                })
            }
            ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => {
                let zs = group_azs(&p.subnets, c.container.as_deref());
                // A readiness gate is the load balancer controller's: without a load balancer in
                // front there is no target to wait for.
                let behind_alb = t.connections.iter().any(|x| {
                    x.to == c.id && t.components.iter().any(|f| f.id == x.from && f.spec.kind() == ComponentKind::Alb)
                });
                let mut spec = eks_cluster(&c.id, p, &zs, matches!(c.spec, ComponentSpec::Ecs(_)));
                spec.workloads[0].pod.readiness_gate &= behind_alb;
                let cluster = Cluster::running(spec, derive_seed(config.seed, 1_000 + ci as u64));
                // A pod of `cpu_m` serves max(1, cpu_m / 1000) requests at once, at the speed
                // that gives it exactly its CPU.
                let servers = (p.cpu_m / 1000).max(1);
                let quota = f64::from(servers) * 1000.0 / f64::from(p.cpu_m.max(1));
                // Room for the most pods at once and as many draining.
                let mut inst: Vec<Instance> = (0..2 * p.max_pods().max(1))
                    .map(|_| {
                        let mut i = Instance::new(servers, p.queue_capacity, NONE16, None);
                        i.quota = quota;
                        i.on_node = !p.fargate;
                        i
                    })
                    .collect();
                let mut slots = Vec::new();
                for (k, pod) in cluster.pods.iter().filter(|x| x.phase == PodPhase::Ready).enumerate() {
                    let i = &mut inst[k];
                    i.state = InstState::InService;
                    i.initial = true;
                    i.lb = Checker::new(true);
                    i.az = pod.node.and_then(|n| cluster.nodes[n].az.parse().ok()).unwrap_or(NONE16);
                    stats[ci].cap.add(0, servers as i64);
                    slots.push(PodSlot::new(pod.name.clone(), k as u32, pod.version, (0, 0)));
                }
                let words = if matches!(c.spec, ComponentSpec::Ecs(_)) { Words::ECS } else { Words::EKS };
                let mut pods = Pods::new(cluster, p.cpu_m, slots, words);
                pods.arm_at_start(&mut queue, ci as u32);
                deadlines.push(DeadlineQueue::component(ns(p.timeout_ms).max(1)));
                Node::Group(Group {
                    deadlines: deadlines.len() as u32 - 1,
                    svc: per_type(&p.service_time_by_type, &p.service_time),
                    inst,
                    rr: 0,
                    disk_ios: 0.0,
                    asg: None,
                    pods: Some(Box::new(pods)),
                })
            }
            ComponentSpec::Rds(p) => {
                let class = catalog::db_instance_class(&p.instance_class);
                let vcpus = p.vcpus.unwrap_or_else(|| class.map_or(2, |x| x.vcpus));
                let max_conn = p.max_connections.unwrap_or_else(|| class.map_or(100, catalog::default_max_connections));
                let st = (0..=p.read_replicas).map(|_| Station::new(vcpus, max_conn)).collect();
                stats[ci].cap.add(0, (vcpus * (p.read_replicas + 1)) as i64);
                Node::Rds(Rds {
                    st,
                    svc: per_type(&p.query_time_by_type, &p.query_time),
                    commit_ns: if p.multi_az { ns(p.commit_ms) } else { 0 },
                    max_conn: max_conn as u64,
                    lag_ns: ns(p.replication_lag_ms),
                    last_write: None,
                    multi_az: p.multi_az,
                    dr_recovery_ns: (p.dr_copy != crate::topology::DrCopy::None).then(|| ns(p.dr_recovery_s * 1000.0)),
                })
            }
            ComponentSpec::Elasticache(p) => {
                stats[ci].cap.add(0, p.nodes as i64);
                Node::ElastiCache(ElastiCache {
                    st: (0..p.nodes).map(|_| Station::new(1, p.queue_capacity)).collect(),
                    svc: Sampler::of(&p.service_time),
                    hit: per_type_f(&p.hit_ratio_by_type, p.hit_ratio),
                })
            }
            ComponentSpec::S3(p) => Node::S3(S3 {
                get: Sampler::of(&p.get_latency),
                put: Sampler::of(&p.put_latency),
                gets: (0..p.prefixes).map(|_| Bucket::new(p.get_rps_per_prefix)).collect(),
                puts: (0..p.prefixes).map(|_| Bucket::new(p.put_rps_per_prefix)).collect(),
            }),
            ComponentSpec::Dynamodb(p) => Node::DynamoDb(DynamoDb {
                read: Sampler::of(&p.read_latency),
                write: Sampler::of(&p.write_latency),
                rb: Bucket::new(p.read_capacity_rps),
                wb: Bucket::new(p.write_capacity_rps),
            }),
            ComponentSpec::Lambda(p) => {
                stats[ci].cap.add(0, p.concurrency_limit as i64);
                Node::Lambda(Lambda {
                    dur: Sampler::of(&p.duration),
                    cold: Sampler::of(&p.cold_start),
                    limit: p.concurrency_limit,
                    active: 0,
                    idle: VecDeque::with_capacity((p.concurrency_limit as usize).min(4096)),
                    keep_ns: ns(p.keep_warm_s * 1000.0),
                    run_ns: 0,
                })
            }
            ComponentSpec::Sqs(p) => {
                stats[ci].cap.add(0, p.consumer_concurrency as i64);
                Node::Sqs(Sqs {
                    send: Sampler::of(&p.send_latency),
                    conc: p.consumer_concurrency,
                    busy: 0,
                    max: p.max_messages as usize,
                    backlog: VecDeque::with_capacity(1024),
                })
            }
        };
        nodes.push(node);
    }
    let res = config.metrics_resolution.as_nanos();
    queue.push(res, Ev::MetricsTick);
    if config.warmup.as_nanos() > 0 {
        queue.push(config.warmup.as_nanos(), Ev::Warmup);
    }
    let write_types = t.request_types.iter().enumerate().filter(|(_, r)| r.write).fold(0u64, |m, (i, _)| m | (1 << i));
    let net = &t.network;
    let core = Core {
        now: 0,
        queue,
        calls: CallSlab::new(1024, config.max_calls.clamp(16, u32::MAX as usize - 1)),
        rng,
        meta,
        nt,
        routes,
        callouts,
        stats,
        journeys: VecDeque::with_capacity(if config.journey_sample_every > 0 {
            config.journey_buffer.min(65_536)
        } else {
            0
        }),
        journey_cap: config.journey_buffer.max(1),
        journeys_dropped: 0,
        sample_every: config.journey_sample_every,
        next_req: 0,
        write_types,
        hash: 0xcbf2_9ce4_8422_2325 ^ config.seed,
        events: 0,
        warmup_end: config.warmup.as_nanos(),
        measure_start: 0,
        same_az_ns: half(net.same_az_rtt_ms),
        cross_az_ns: half(net.cross_az_rtt_ms),
        cross_region_ns: half(net.cross_region_rtt_ms),
        internet_ns: half(net.internet_rtt_ms),
        activities: Ring::new(4096),
        layers: None,
        impairments: Vec::new(),
        az_down: vec![false; azs.len()],
        outcomes: Default::default(),
        observations: Vec::new(),
        trail: Vec::new(),
        conn_states,
        deadlines,
        usage: vec![Default::default(); n],
    };
    let az_region = azs.iter().map(|a| place(Some(a.as_str())).0).collect();
    let mut sim = Simulation {
        core,
        nodes,
        faults: Vec::new(),
        az_region,
        az_ids: azs,
        region_lost: vec![false; regions.len()],
        region_ids: regions,
        experiment: None,
        alarms: Vec::new(),
        slo: t.slo.availability(),
        client_slos: t
            .components
            .iter()
            .map(|c| match &c.spec {
                ComponentSpec::Client(p) => super::slo::resolve(&p.slo, t.slo.availability_percent),
                _ => Default::default(),
            })
            .collect(),
        type_names: t.request_types.iter().map(|r| r.name.clone()).collect(),
        resolution_ns: res,
        time_regressions: 0,
        config,
        cost: super::cost::CostRun::of(t),
    };
    if let Some(text) = &t.infrastructure {
        let cfg = text.config().map_err(|e| BuildError::Config(format!("the infrastructure does not read: {e}")))?;
        layered::attach(&mut sim, t, &cfg);
    }
    // The document's alarms, on the components they name (validation refuses the others).
    if let Some(list) = t.alarms.as_ref().map(|a| a.read()) {
        let list = list.map_err(|e| BuildError::Config(format!("the alarms do not read: {e}")))?;
        for spec in list {
            let index = |id: &str| sim.component_index(id).map(|c| c.0);
            if let (Some(comp), Some(target)) = (index(&spec.component), index(spec.target())) {
                sim.alarms.push(super::alarms::AlarmRun::new(spec, comp, target));
            }
        }
    }
    if let Some(name) = sim.config.experiment.clone() {
        let list = match t.experiments.as_ref().map(|x| x.read()) {
            Some(Err(e)) => return Err(BuildError::Config(format!("the experiments do not read: {e}"))),
            Some(Ok(list)) => list,
            None => Vec::new(),
        };
        let Some(e) = list.iter().find(|e| e.name == name) else {
            let known: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
            return Err(BuildError::UnknownExperiment {
                name,
                known: if known.is_empty() { "none".into() } else { known.join(", ") },
            });
        };
        sim.experiment = Some(super::experiments::resolve(&sim, t, e));
        sim.schedule_experiment();
    }
    sim.core.queue.built();
    Ok(sim)
}

/// The cluster of an EKS deployment `id`: one managed node group over the AZs `azs` (the
/// engine's AZ numbers, written as node AZ names) and the deployment's pods.
fn eks_cluster(id: &str, p: &EksParams, azs: &[u16], ecs: bool) -> ClusterSpec {
    let group = NodeGroupSpec {
        // A Fargate micro-VM is named as one.
        name: if p.fargate { format!("{id}-fargate") } else { format!("{id}-node") },
        instance_type: p.node_type.clone(),
        azs: azs.iter().map(u16::to_string).collect(),
        min: p.nodes_min,
        max: p.nodes_max,
        desired: p.nodes,
        fargate: p.fargate,
        ..NodeGroupSpec::default()
    };
    let pod = PodSpec {
        requests: Resources { cpu_m: p.cpu_m, memory_mib: p.memory_mib },
        image: format!("{id}:1"),
        image_mb: p.image_mb,
        app_start_s: p.app_start_s,
        readiness: Probe { period_s: p.readiness_period_s, ..Probe::default() },
        readiness_gate: p.readiness_gate,
        tolerations: Vec::new(),
    };
    let hpa = (p.hpa_target_cpu_percent > 0.0).then(|| HpaParams {
        min_replicas: p.hpa_min,
        max_replicas: p.hpa_max,
        target_cpu: p.hpa_target_cpu_percent / 100.0,
        // An ECS service scales by target tracking on one-minute CloudWatch averages.
        sync_s: if ecs { 60.0 } else { 15.0 },
        policy: if ecs { Policy::TargetTracking } else { Policy::Hpa },
        ..HpaParams::default()
    });
    let workload =
        WorkloadSpec { name: id.to_string(), pod, replicas: p.replicas, max_skew: Some(1), hpa, versions: Vec::new() };
    ClusterSpec::new(vec![group], vec![workload])
}
