//! Static descriptions of every component kind, for the editor's palette and inspector, plus
//! the tables of real instance types.
//!
//! The tables are data, not code: the editor generates its forms from [`KINDS`], and a unit test
//! checks that every parameter listed here exists in the kind's serialised defaults with the
//! same default value, so the two cannot drift apart.

use crate::topology::ComponentKind;
use serde::Serialize;

/// Palette section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Client populations (where traffic comes from).
    Traffic,
    /// DNS, CDN, load balancing.
    Networking,
    /// Instances, groups, functions.
    Compute,
    /// Relational, key-value and cache stores.
    Database,
    /// Object storage.
    Storage,
    /// Queues and other glue.
    Integration,
}

/// What an inspector field edits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamType {
    /// A real number.
    Number,
    /// A whole number.
    Integer,
    /// A checkbox.
    Bool,
    /// One of fixed options.
    Choice {
        /// The options as written in documents.
        options: &'static [&'static str],
    },
    /// A random duration ([`crate::topology::Dist`]).
    Distribution,
    /// An arrival pattern ([`crate::topology::Arrival`]).
    Arrival,
    /// A map from request type to a value of the base parameter's type.
    PerRequestType,
    /// A list of container ids.
    ContainerList,
    /// An optional nested object.
    Object,
}

/// One parameter of a kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ParamInfo {
    /// Field name in the document.
    pub name: &'static str,
    /// What it edits.
    #[serde(flatten)]
    pub ty: ParamType,
    /// Unit shown next to the field (`""` when unitless).
    pub unit: &'static str,
    /// Default value as JSON text.
    pub default: &'static str,
    /// Smallest valid value (numbers only).
    pub min: Option<f64>,
    /// Largest valid value (numbers only).
    pub max: Option<f64>,
    /// One-line explanation.
    pub help: &'static str,
}

/// Everything the editor needs about a kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct KindInfo {
    /// The kind.
    pub kind: ComponentKind,
    /// Display name.
    pub name: &'static str,
    /// Palette section.
    pub category: Category,
    /// One-line explanation.
    pub summary: &'static str,
    /// How it treats its outgoing connections.
    pub outgoing: Outgoing,
    /// Its parameters.
    pub params: &'static [ParamInfo],
}

/// How a kind uses its outgoing connections (see [`crate::topology::Connection`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outgoing {
    /// Picks one matching connection per request, weighted by share.
    Route,
    /// Makes every matching call in order, `share` calls per request on average.
    Call,
    /// A cache: forwards misses (and writes) to one matching connection.
    OnMiss,
    /// Delivers queued messages to one matching consumer, asynchronously.
    Deliver,
    /// Ignores outgoing connections.
    None,
}

const fn num(
    name: &'static str,
    unit: &'static str,
    default: &'static str,
    min: f64,
    max: f64,
    help: &'static str,
) -> ParamInfo {
    ParamInfo { name, ty: ParamType::Number, unit, default, min: Some(min), max: Some(max), help }
}
const fn int(
    name: &'static str,
    unit: &'static str,
    default: &'static str,
    min: f64,
    max: f64,
    help: &'static str,
) -> ParamInfo {
    ParamInfo { name, ty: ParamType::Integer, unit, default, min: Some(min), max: Some(max), help }
}
const fn other(
    name: &'static str,
    ty: ParamType,
    unit: &'static str,
    default: &'static str,
    help: &'static str,
) -> ParamInfo {
    ParamInfo { name, ty, unit, default, min: None, max: None, help }
}

const INF: f64 = f64::INFINITY;
const POLICIES: &[&str] = &["simple", "weighted", "latency", "failover"];
const LB: &[&str] = &["round_robin", "least_outstanding_requests"];
const DR_COPIES: &[&str] = &["none", "replica", "backup"];
const EC2_TYPES: &[&str] = &[
    "t2.micro",
    "t2.small",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "t3.2xlarge",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "m5.4xlarge",
    "c5.large",
    "c5.xlarge",
    "c5.2xlarge",
    "c5.4xlarge",
    "r5.large",
    "r5.xlarge",
    "r5.2xlarge",
    "r5.4xlarge",
];
const DB_CLASSES: &[&str] = &[
    "db.t3.micro",
    "db.t3.medium",
    "db.m5.large",
    "db.m5.xlarge",
    "db.m5.2xlarge",
    "db.r5.large",
    "db.r5.xlarge",
    "db.r5.2xlarge",
];

/// The optional worker pool of EC2 and Auto Scaling instances (empty: no pool).
const WORKERS: ParamInfo = ParamInfo {
    name: "workers",
    ty: ParamType::Integer,
    unit: "workers",
    default: "null",
    min: Some(1.0),
    max: Some(crate::validate::MAX_WORKERS as f64),
    help: "Worker processes per instance (e.g. Gunicorn): one request each until it answers, database calls included.",
};

const EXP20: &str = r#"{"dist":"exponential","mean_ms":20.0}"#;

/// Every kind, in palette order.
pub static KINDS: &[KindInfo] = &[
    KindInfo {
        kind: ComponentKind::Client,
        name: "Client population",
        category: Category::Traffic,
        summary: "Users in a region sending Poisson traffic with a request mix.",
        outgoing: Outgoing::Route,
        params: &[
            other(
                "arrival",
                ParamType::Arrival,
                "req/s",
                r#"{"pattern":"constant","rate_rps":100.0}"#,
                "Arrival pattern: constant, ramp, spike or daily_cycle.",
            ),
            other(
                "mix",
                ParamType::PerRequestType,
                "share",
                "{}",
                "Share of each request type; empty uses the request types' own shares.",
            ),
            num("timeout_ms", "ms", "30000.0", 0.0, INF, "Users give up after this long."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Route53,
        name: "Route 53",
        category: Category::Networking,
        summary: "DNS: resolves the name to a target by routing policy; resolvers cache answers for the TTL.",
        outgoing: Outgoing::Route,
        params: &[
            num("ttl_s", "s", "60.0", 0.0, 604_800.0, "How long resolvers cache an answer; failover waits for it."),
            other("policy", ParamType::Choice { options: POLICIES }, "", "\"simple\"", "Routing policy."),
            num("query_ms", "ms", "30.0", 0.0, 10_000.0, "Resolution time when the resolver's cache is empty."),
            int("resolvers", "", "64", 1.0, 100_000.0, "Independent caching resolvers per client population."),
            num("health_check_interval_s", "s", "30.0", 1.0, 3600.0, "Seconds between health checks of each target."),
            ParamInfo {
                name: "health_check_timeout_s",
                ty: ParamType::Number,
                unit: "s",
                default: "null",
                min: Some(0.01),
                max: Some(3600.0),
                help: "A check not answered within this fails (empty: 2 s, at most half the interval).",
            },
            int(
                "failure_threshold",
                "",
                "3",
                1.0,
                10.0,
                "Failed (or passed) checks in a row that change a target's health.",
            ),
        ],
    },
    KindInfo {
        kind: ComponentKind::Cloudfront,
        name: "CloudFront",
        category: Category::Networking,
        summary: "CDN: a hit is served at the nearest edge, a miss is fetched from the origin.",
        outgoing: Outgoing::OnMiss,
        params: &[
            num("edge_rtt_ms", "ms", "15.0", 0.0, 1000.0, "Round trip from users to the nearest edge (5-30 ms)."),
            num("processing_ms", "ms", "1.0", 0.0, 1000.0, "Edge processing per request."),
            num("hit_ratio", "", "0.9", 0.0, 1.0, "Fraction of reads served from the edge cache."),
            other("hit_ratio_by_type", ParamType::PerRequestType, "", "{}", "Hit ratio per request type."),
            num("origin_rtt_ms", "ms", "20.0", 0.0, 1000.0, "Round trip from the edge to the origin."),
            other(
                "serve_stale_on_error",
                ParamType::Bool,
                "",
                "false",
                "When the origin fails a cacheable read's miss, answer with the expired cached copy.",
            ),
            num(
                "stale_if_error_s",
                "s",
                "86400.0",
                0.01,
                2_592_000.0,
                "How long after the origin's last good answer a stale copy may still be served.",
            ),
        ],
    },
    KindInfo {
        kind: ComponentKind::Alb,
        name: "Application Load Balancer",
        category: Category::Networking,
        summary: "Spreads requests over healthy targets; health checks take targets in and out.",
        outgoing: Outgoing::Route,
        params: &[
            other("algorithm", ParamType::Choice { options: LB }, "", "\"round_robin\"", "Target selection."),
            other("cross_zone", ParamType::Bool, "", "true", "Whether a node may send to targets in other AZs."),
            num("processing_ms", "ms", "1.0", 0.0, 1000.0, "Processing added per request (~1 ms)."),
            num("health_check_interval_s", "s", "30.0", 5.0, 300.0, "Seconds between health checks."),
            ParamInfo {
                name: "health_check_timeout_s",
                ty: ParamType::Number,
                unit: "s",
                default: "null",
                min: Some(2.0),
                max: Some(120.0),
                help: "A target slower than this to answer fails its check (empty: 5 s, at most half the interval).",
            },
            int("healthy_threshold", "", "5", 2.0, 10.0, "Passed checks before a target gets traffic."),
            int("unhealthy_threshold", "", "2", 2.0, 10.0, "Failed checks before a target stops getting traffic."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Ec2,
        name: "EC2 instance",
        category: Category::Compute,
        summary: "A virtual machine: vCPUs serve requests in parallel from a bounded queue.",
        outgoing: Outgoing::Call,
        params: &[
            other(
                "instance_type",
                ParamType::Choice { options: EC2_TYPES },
                "",
                "\"t3.medium\"",
                "Instance type (sets vCPUs and memory).",
            ),
            other("vcpus", ParamType::Integer, "vCPU", "null", "Override of the type's vCPU count."),
            other("service_time", ParamType::Distribution, "ms", EXP20, "CPU time per request on one vCPU."),
            other("service_time_by_type", ParamType::PerRequestType, "ms", "{}", "Service time per request type."),
            int("queue_capacity", "requests", "1000", 0.0, 1e9, "Waiting requests beyond this are refused."),
            num("timeout_ms", "ms", "30000.0", 0.0, INF, "Requests older than this time out."),
            other("disk", ParamType::Object, "", "null", "Optional EBS step: {iops, ios_per_request}."),
            WORKERS,
        ],
    },
    KindInfo {
        kind: ComponentKind::Asg,
        name: "Auto Scaling group",
        category: Category::Compute,
        summary: "Identical instances across AZs; target tracking on CPU adds and removes them.",
        outgoing: Outgoing::Call,
        params: &[
            other(
                "instance_type",
                ParamType::Choice { options: EC2_TYPES },
                "",
                "\"t3.medium\"",
                "Launch template instance type.",
            ),
            other("vcpus", ParamType::Integer, "vCPU", "null", "Override of the type's vCPU count."),
            int("min", "instances", "2", 0.0, 1000.0, "Minimum size."),
            int("desired", "instances", "2", 0.0, 1000.0, "Size at start."),
            int("max", "instances", "6", 1.0, 1000.0, "Maximum size."),
            other("subnets", ParamType::ContainerList, "", "[]", "Subnets to spread over (one per AZ)."),
            num("target_cpu_percent", "%", "50.0", 1.0, 100.0, "Target average CPU utilisation."),
            num("warmup_s", "s", "300.0", 0.0, 3600.0, "New instances are left out of the metric this long."),
            num("cooldown_s", "s", "300.0", 0.0, 3600.0, "Wait after a scaling action before scaling in."),
            num("evaluation_period_s", "s", "60.0", 1.0, 3600.0, "How often the policy looks at CPU."),
            num("launch_min_s", "s", "8.0", 0.0, 600.0, "Fastest launch to serving."),
            num("launch_max_s", "s", "15.0", 0.0, 600.0, "Slowest launch to serving."),
            other("service_time", ParamType::Distribution, "ms", EXP20, "CPU time per request on one vCPU."),
            other("service_time_by_type", ParamType::PerRequestType, "ms", "{}", "Service time per request type."),
            int(
                "queue_capacity",
                "requests",
                "1000",
                0.0,
                1e9,
                "Waiting requests per instance beyond this are refused.",
            ),
            num("timeout_ms", "ms", "30000.0", 0.0, INF, "Requests older than this time out."),
            WORKERS,
            ParamInfo {
                name: "failover_min",
                ty: ParamType::Integer,
                unit: "instances",
                default: "null",
                min: Some(0.0),
                max: Some(1000.0),
                help: "DR standby: minimum size once Route 53 fails over from the primary region.",
            },
        ],
    },
    KindInfo {
        kind: ComponentKind::Eks,
        name: "EKS deployment",
        category: Category::Compute,
        summary: "Pods on a managed node group: scheduled, pulled and probed before they serve; the HPA and the cluster autoscaler add pods and nodes.",
        outgoing: Outgoing::Call,
        params: &[
            other(
                "node_type",
                ParamType::Choice { options: EC2_TYPES },
                "",
                "\"m5.large\"",
                "Node group instance type (pods share its vCPUs and memory).",
            ),
            int("nodes_min", "nodes", "2", 0.0, 100.0, "Node group minimum."),
            int("nodes", "nodes", "2", 0.0, 100.0, "Nodes at start."),
            int("nodes_max", "nodes", "6", 1.0, 100.0, "Node group maximum (the cluster autoscaler stops here)."),
            other("subnets", ParamType::ContainerList, "", "[]", "Subnets the nodes go to (one per AZ)."),
            int("replicas", "pods", "2", 1.0, 500.0, "Pods at start."),
            int("cpu_m", "millicores", "500", 1.0, 64000.0, "CPU each pod requests (1000 = one vCPU)."),
            int("memory_mib", "MiB", "512", 1.0, 262144.0, "Memory each pod requests."),
            num("image_mb", "MB", "300.0", 0.0, 100000.0, "Image size, pulled at 50 MB/s by a node that lacks it."),
            num("app_start_s", "s", "5.0", 0.0, 3600.0, "From the container starting to the application answering."),
            num("readiness_period_s", "s", "10.0", 0.1, 3600.0, "Readiness probe period: a pod serves from its first passing probe."),
            other(
                "readiness_gate",
                ParamType::Bool,
                "",
                "false",
                "Pod readiness gate: a rollout counts a pod only once its load balancer target is healthy.",
            ),
            other(
                "fargate",
                ParamType::Bool,
                "",
                "false",
                "Fargate profile: each pod on a micro-VM of its own (10-25 s to provision, image pulled every time); no nodes.",
            ),
            num("hpa_target_cpu_percent", "%", "60.0", 0.0, 100.0, "HPA target CPU of the request (0: no HPA)."),
            int("hpa_min", "pods", "2", 1.0, 500.0, "HPA minimum."),
            int("hpa_max", "pods", "10", 1.0, 500.0, "HPA maximum."),
            other("service_time", ParamType::Distribution, "ms", EXP20, "CPU time per request on one vCPU."),
            other("service_time_by_type", ParamType::PerRequestType, "ms", "{}", "Service time per request type."),
            int("queue_capacity", "requests", "100", 0.0, 1e9, "Waiting requests per pod beyond this are refused."),
            num("timeout_ms", "ms", "30000.0", 0.0, INF, "Requests older than this time out."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Ecs,
        name: "ECS service",
        category: Category::Compute,
        summary: "Tasks on an EC2 capacity provider's container instances or on Fargate: placed, pulled and health-checked before they serve; service auto scaling adds tasks.",
        outgoing: Outgoing::Call,
        params: &[
            other(
                "fargate",
                ParamType::Bool,
                "",
                "false",
                "Fargate: each task on a micro-VM of its own (10-25 s to provision, image pulled every time); no instances.",
            ),
            other(
                "node_type",
                ParamType::Choice { options: EC2_TYPES },
                "",
                "\"m5.large\"",
                "Capacity provider: container instance type (EC2 launch type).",
            ),
            int("nodes_min", "instances", "2", 0.0, 100.0, "Capacity provider: minimum container instances."),
            int("nodes", "instances", "2", 0.0, 100.0, "Container instances at start."),
            int("nodes_max", "instances", "6", 1.0, 100.0, "Capacity provider: maximum (managed scaling stops here)."),
            other("subnets", ParamType::ContainerList, "", "[]", "Subnets the tasks go to (one per AZ)."),
            int("replicas", "tasks", "2", 1.0, 500.0, "Desired tasks at start."),
            int("cpu_m", "millicores", "500", 1.0, 64000.0, "CPU each task reserves (1000 = one vCPU, 1024 CPU units)."),
            int("memory_mib", "MiB", "512", 1.0, 262144.0, "Memory each task reserves."),
            num("image_mb", "MB", "300.0", 0.0, 100000.0, "Image size, pulled at 50 MB/s where it is not cached."),
            num("app_start_s", "s", "5.0", 0.0, 3600.0, "From the container starting to the application answering."),
            num("readiness_period_s", "s", "10.0", 0.1, 3600.0, "Container health check period: a task serves from its first pass."),
            other(
                "readiness_gate",
                ParamType::Bool,
                "",
                "false",
                "Count a new task as healthy for a deployment only once its load balancer target is.",
            ),
            num("hpa_target_cpu_percent", "%", "60.0", 0.0, 100.0, "Service auto scaling: target CPU (0: none)."),
            int("hpa_min", "tasks", "2", 1.0, 500.0, "Service auto scaling minimum."),
            int("hpa_max", "tasks", "10", 1.0, 500.0, "Service auto scaling maximum."),
            other("service_time", ParamType::Distribution, "ms", EXP20, "CPU time per request on one vCPU."),
            other("service_time_by_type", ParamType::PerRequestType, "ms", "{}", "Service time per request type."),
            int("queue_capacity", "requests", "100", 0.0, 1e9, "Waiting requests per task beyond this are refused."),
            num("timeout_ms", "ms", "30000.0", 0.0, INF, "Requests older than this time out."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Rds,
        name: "RDS database",
        category: Category::Database,
        summary: "Relational primary, optional Multi-AZ standby (sync commit) and read replicas.",
        outgoing: Outgoing::None,
        params: &[
            other(
                "instance_class",
                ParamType::Choice { options: DB_CLASSES },
                "",
                "\"db.m5.large\"",
                "DB instance class.",
            ),
            other("vcpus", ParamType::Integer, "vCPU", "null", "Override of the class's vCPU count."),
            other(
                "query_time",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":2.0,"cv":0.5}"#,
                "Simple query time (1-5 ms).",
            ),
            other("query_time_by_type", ParamType::PerRequestType, "ms", "{}", "Query time per request type."),
            other("multi_az", ParamType::Bool, "", "true", "Synchronous standby in another AZ."),
            num("commit_ms", "ms", "1.5", 0.0, 100.0, "Extra write latency for the standby commit (1-2 ms)."),
            int("read_replicas", "", "0", 0.0, 15.0, "Asynchronous replicas serving reads."),
            num("replication_lag_ms", "ms", "100.0", 0.0, INF, "Replica staleness."),
            other("max_connections", ParamType::Integer, "", "null", "Connection limit; default from memory."),
            other(
                "dr_copy",
                ParamType::Choice { options: DR_COPIES },
                "",
                "\"none\"",
                "Cross-region DR copy of the primary: a read replica or restored from backups.",
            ),
            num(
                "dr_recovery_s",
                "s",
                "300.0",
                0.0,
                2_592_000.0,
                "DR copy: from the failover to serving (promotion: minutes; restore: hours).",
            ),
            num(
                "backup_interval_s",
                "s",
                "86400.0",
                1.0,
                2_592_000.0,
                "DR backup copy: how often backups reach its region (the data a restore loses).",
            ),
        ],
    },
    KindInfo {
        kind: ComponentKind::Elasticache,
        name: "ElastiCache",
        category: Category::Database,
        summary: "In-memory cache (sub-ms); misses and writes go on to the next connection.",
        outgoing: Outgoing::OnMiss,
        params: &[
            int("nodes", "", "1", 1.0, 500.0, "Shards, each serving one command at a time."),
            other(
                "service_time",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"exponential","mean_ms":0.1}"#,
                "Time per command.",
            ),
            num("hit_ratio", "", "0.8", 0.0, 1.0, "Fraction of reads found."),
            other("hit_ratio_by_type", ParamType::PerRequestType, "", "{}", "Hit ratio per request type."),
            int("queue_capacity", "commands", "10000", 0.0, 1e9, "Waiting commands per node beyond this are refused."),
        ],
    },
    KindInfo {
        kind: ComponentKind::S3,
        name: "S3 bucket",
        category: Category::Storage,
        summary: "Object storage; each key prefix takes 5,500 GET and 3,500 PUT per second, then 503 SlowDown.",
        outgoing: Outgoing::None,
        params: &[
            other(
                "get_latency",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":30.0,"cv":0.6}"#,
                "GET first byte (10-100 ms).",
            ),
            other(
                "put_latency",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":50.0,"cv":0.6}"#,
                "PUT completion.",
            ),
            int("prefixes", "", "1", 1.0, 1e6, "Key prefixes requests spread over."),
            num("get_rps_per_prefix", "req/s", "5500.0", 0.0, INF, "GET rate per prefix before throttling."),
            num("put_rps_per_prefix", "req/s", "3500.0", 0.0, INF, "PUT rate per prefix before throttling."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Dynamodb,
        name: "DynamoDB table",
        category: Category::Database,
        summary: "Key-value store with single-digit ms latency; throttles beyond its capacity.",
        outgoing: Outgoing::None,
        params: &[
            other(
                "read_latency",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":4.0,"cv":0.5}"#,
                "Read latency (2-10 ms).",
            ),
            other(
                "write_latency",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":6.0,"cv":0.5}"#,
                "Write latency.",
            ),
            num("read_capacity_rps", "req/s", "40000.0", 0.0, INF, "Reads per second before throttling."),
            num("write_capacity_rps", "req/s", "40000.0", 0.0, INF, "Writes per second before throttling."),
            ParamInfo {
                name: "global_table_lag_ms",
                ty: ParamType::Number,
                unit: "ms",
                default: "null",
                min: Some(0.0),
                max: Some(3_600_000.0),
                help: "Global table: how long a write takes to reach the other regions (empty: regional).",
            },
        ],
    },
    KindInfo {
        kind: ComponentKind::Lambda,
        name: "Lambda function",
        category: Category::Compute,
        summary: "Functions: cold start when no warm environment is free, 429 beyond the concurrency limit.",
        outgoing: Outgoing::Call,
        params: &[
            other(
                "duration",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"exponential","mean_ms":50.0}"#,
                "Handler run time.",
            ),
            other(
                "cold_start",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":300.0,"cv":0.5}"#,
                "Cold start (100 ms-1 s+).",
            ),
            int("concurrency_limit", "", "1000", 1.0, 1e6, "Concurrent executions before throttling."),
            num("keep_warm_s", "s", "600.0", 0.0, 86_400.0, "Idle time before an environment is reclaimed."),
            int("memory_mb", "MB", "512", 128.0, 10_240.0, "Memory size."),
        ],
    },
    KindInfo {
        kind: ComponentKind::Sqs,
        name: "SQS queue",
        category: Category::Integration,
        summary: "Producers get an answer once the message is stored; consumers drain it at their own pace.",
        outgoing: Outgoing::Deliver,
        params: &[
            other(
                "send_latency",
                ParamType::Distribution,
                "ms",
                r#"{"dist":"log_normal","mean_ms":10.0,"cv":0.5}"#,
                "SendMessage time.",
            ),
            int("consumer_concurrency", "", "10", 1.0, 1e6, "Messages processed in parallel."),
            int("max_messages", "", "1000000", 1.0, 1e9, "Backlog before sends are refused."),
        ],
    },
];

/// The description of `kind`.
pub fn kind_info(kind: ComponentKind) -> &'static KindInfo {
    KINDS.iter().find(|k| k.kind == kind).expect("every kind has a catalog entry")
}

/// A real EC2 instance type.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct InstanceType {
    /// API name.
    pub name: &'static str,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
}

const fn it(name: &'static str, vcpus: u32, memory_gib: f64) -> InstanceType {
    InstanceType { name, vcpus, memory_gib }
}

/// EC2 instance types the simulator knows (public AWS figures).
pub static INSTANCE_TYPES: &[InstanceType] = &[
    it("t2.micro", 1, 1.0),
    it("t2.small", 1, 2.0),
    it("t3.micro", 2, 1.0),
    it("t3.small", 2, 2.0),
    it("t3.medium", 2, 4.0),
    it("t3.large", 2, 8.0),
    it("t3.xlarge", 4, 16.0),
    it("t3.2xlarge", 8, 32.0),
    it("m5.large", 2, 8.0),
    it("m5.xlarge", 4, 16.0),
    it("m5.2xlarge", 8, 32.0),
    it("m5.4xlarge", 16, 64.0),
    it("c5.large", 2, 4.0),
    it("c5.xlarge", 4, 8.0),
    it("c5.2xlarge", 8, 16.0),
    it("c5.4xlarge", 16, 32.0),
    it("r5.large", 2, 16.0),
    it("r5.xlarge", 4, 32.0),
    it("r5.2xlarge", 8, 64.0),
    it("r5.4xlarge", 16, 128.0),
];

/// RDS DB instance classes the simulator knows.
pub static DB_INSTANCE_CLASSES: &[InstanceType] = &[
    it("db.t3.micro", 2, 1.0),
    it("db.t3.medium", 2, 4.0),
    it("db.m5.large", 2, 8.0),
    it("db.m5.xlarge", 4, 16.0),
    it("db.m5.2xlarge", 8, 32.0),
    it("db.r5.large", 2, 16.0),
    it("db.r5.xlarge", 4, 32.0),
    it("db.r5.2xlarge", 8, 64.0),
];

/// Looks up an EC2 instance type by name.
pub fn instance_type(name: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.name == name)
}

/// Looks up an RDS class by name.
pub fn db_instance_class(name: &str) -> Option<&'static InstanceType> {
    DB_INSTANCE_CLASSES.iter().find(|t| t.name == name)
}

/// RDS MySQL's default `max_connections`: `DBInstanceClassMemory / 12582880`.
pub fn default_max_connections(class: &InstanceType) -> u32 {
    ((class.memory_gib * 1024.0 * 1024.0 * 1024.0) / 12_582_880.0) as u32
}

/// A number in a structured parameter: its name in the document, its unit, and the value it
/// starts at when its shape is chosen.
#[derive(Clone, Copy, Debug)]
pub struct FormField {
    /// Field name in the document.
    pub name: &'static str,
    /// Unit shown beside it.
    pub unit: &'static str,
    /// Starting value.
    pub start: f64,
}

/// One shape a structured parameter can take (a distribution, an arrival pattern).
#[derive(Clone, Copy, Debug)]
pub struct FormVariant {
    /// The tag's value as written (`""`: the parameter is absent, `null`).
    pub value: &'static str,
    /// What a person reads.
    pub label: &'static str,
    /// Its numbers.
    pub fields: &'static [FormField],
}

/// How the inspector edits a structured parameter with real controls: a choice of shape, then
/// a number field for each of the shape's numbers.
#[derive(Clone, Copy, Debug)]
pub struct Form {
    /// The key naming the shape (`None`: the shapes are "absent" or one untagged object).
    pub tag: Option<&'static str>,
    /// The shapes.
    pub variants: &'static [FormVariant],
}

const fn field(name: &'static str, unit: &'static str, start: f64) -> FormField {
    FormField { name, unit, start }
}

/// The shapes of a [`crate::topology::Dist`].
pub const DISTRIBUTION_FORM: Form = Form {
    tag: Some("dist"),
    variants: &[
        FormVariant { value: "exponential", label: "Exponential (mean)", fields: &[field("mean_ms", "ms", 20.0)] },
        FormVariant {
            value: "log_normal",
            label: "Log-normal (mean, variation)",
            fields: &[field("mean_ms", "ms", 20.0), field("cv", "", 0.5)],
        },
        FormVariant { value: "constant", label: "Constant", fields: &[field("ms", "ms", 20.0)] },
        FormVariant {
            value: "uniform",
            label: "Uniform (between)",
            fields: &[field("min_ms", "ms", 10.0), field("max_ms", "ms", 30.0)],
        },
    ],
};

/// The shapes of an [`crate::topology::Arrival`].
pub const ARRIVAL_FORM: Form = Form {
    tag: Some("pattern"),
    variants: &[
        FormVariant { value: "constant", label: "Constant rate", fields: &[field("rate_rps", "req/s", 100.0)] },
        FormVariant {
            value: "ramp",
            label: "Ramp",
            fields: &[
                field("from_rps", "req/s", 100.0),
                field("to_rps", "req/s", 500.0),
                field("start_s", "s", 0.0),
                field("duration_s", "s", 300.0),
            ],
        },
        FormVariant {
            value: "spike",
            label: "Spike",
            fields: &[
                field("base_rps", "req/s", 100.0),
                field("peak_rps", "req/s", 1000.0),
                field("at_s", "s", 60.0),
                field("duration_s", "s", 60.0),
            ],
        },
        FormVariant {
            value: "daily_cycle",
            label: "Daily cycle",
            fields: &[
                field("mean_rps", "req/s", 100.0),
                field("amplitude", "", 0.5),
                field("period_s", "s", 86_400.0),
                field("peak_at_s", "s", 0.0),
            ],
        },
    ],
};

/// The shapes of an EC2 instance's disk step ([`crate::topology::DiskParams`], the only
/// [`ParamType::Object`] parameter): none, or an EBS volume's IOPS and the I/Os per request.
pub const DISK_FORM: Form = Form {
    tag: None,
    variants: &[
        FormVariant { value: "", label: "No disk step", fields: &[] },
        FormVariant {
            value: "ebs",
            label: "EBS volume",
            fields: &[field("iops", "IOPS", 3000.0), field("ios_per_request", "I/Os", 1.0)],
        },
    ],
};

/// The form for a structured parameter type, if it has one.
pub fn form(ty: ParamType) -> Option<&'static Form> {
    match ty {
        ParamType::Distribution => Some(&DISTRIBUTION_FORM),
        ParamType::Arrival => Some(&ARRIVAL_FORM),
        ParamType::Object => Some(&DISK_FORM),
        _ => None,
    }
}

impl Form {
    /// The JSON a shape with these numbers is written as (`value` names the shape; a number
    /// not given takes the field's starting value).
    pub fn json(&self, value: &str, numbers: &dyn Fn(&str) -> Option<f64>) -> String {
        let Some(v) = self.variants.iter().find(|v| v.value == value) else { return "null".into() };
        if v.fields.is_empty() {
            return "null".into();
        }
        let mut parts: Vec<String> = Vec::with_capacity(v.fields.len() + 1);
        if let Some(tag) = self.tag {
            parts.push(format!("\"{tag}\":\"{}\"", v.value));
        }
        for f in v.fields {
            let n = numbers(f.name).unwrap_or(f.start);
            parts.push(format!("\"{}\":{n:?}", f.name));
        }
        format!("{{{}}}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Component;

    #[test]
    fn catalog_matches_serialised_defaults() {
        assert_eq!(KINDS.len(), ComponentKind::ALL.len());
        for info in KINDS {
            let c = Component {
                id: "x".into(),
                label: String::new(),
                position: Default::default(),
                container: None,
                spec: info.kind.default_spec(),
            };
            let v = serde_json::to_value(&c).unwrap();
            let obj = v.as_object().unwrap();
            let known = ["id", "label", "position", "container", "kind"];
            let fields: Vec<&String> = obj.keys().filter(|k| !known.contains(&k.as_str())).collect();
            assert_eq!(fields.len(), info.params.len(), "{}: fields {fields:?}", info.name);
            for p in info.params {
                let actual = obj.get(p.name).unwrap_or_else(|| panic!("{}.{} not in defaults", info.name, p.name));
                let listed: serde_json::Value = serde_json::from_str(p.default).unwrap();
                assert_eq!(actual, &listed, "{}.{} default", info.name, p.name);
                if let (Some(min), Some(max), Some(x)) = (p.min, p.max, actual.as_f64()) {
                    assert!(x >= min && x <= max, "{}.{} default outside its range", info.name, p.name);
                }
            }
        }
    }

    #[test]
    fn instance_tables_hold_real_shapes() {
        assert_eq!(instance_type("t3.medium").unwrap().vcpus, 2);
        assert_eq!(instance_type("m5.4xlarge").unwrap().memory_gib, 64.0);
        assert_eq!(default_max_connections(db_instance_class("db.t3.micro").unwrap()), 85);
    }

    #[test]
    fn every_form_shape_reads_as_its_type_and_names_its_fields() {
        use crate::topology::{Arrival, DiskParams, Dist};
        fn keys<T: serde::Serialize>(v: &T) -> Vec<String> {
            let mut k: Vec<String> = serde_json::to_value(v).unwrap().as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        }
        fn names(form: &Form, v: &FormVariant) -> Vec<String> {
            let mut k: Vec<String> =
                v.fields.iter().map(|f| f.name.to_string()).chain(form.tag.map(String::from)).collect();
            k.sort();
            k
        }
        for v in DISTRIBUTION_FORM.variants {
            let d: Dist = serde_json::from_str(&DISTRIBUTION_FORM.json(v.value, &|_| None)).unwrap();
            assert_eq!(keys(&d), names(&DISTRIBUTION_FORM, v), "{}", v.value);
            assert!(d.problem().is_none(), "{}", v.value);
        }
        for v in ARRIVAL_FORM.variants {
            let a: Arrival = serde_json::from_str(&ARRIVAL_FORM.json(v.value, &|_| None)).unwrap();
            assert_eq!(keys(&a), names(&ARRIVAL_FORM, v), "{}", v.value);
        }
        assert_eq!(DISK_FORM.json("", &|_| None), "null");
        let d: DiskParams = serde_json::from_str(&DISK_FORM.json("ebs", &|n| (n == "iops").then_some(1500.0))).unwrap();
        assert_eq!(d, DiskParams { iops: 1500.0, ios_per_request: 1.0 });
        assert_eq!(keys(&d), names(&DISK_FORM, &DISK_FORM.variants[1]));
        // Every parameter of these types has its form; the only object parameter is the disk step.
        for k in KINDS {
            for p in k.params {
                assert_eq!(
                    form(p.ty).is_some(),
                    matches!(p.ty, ParamType::Distribution | ParamType::Arrival | ParamType::Object)
                );
                if p.ty == ParamType::Object {
                    assert_eq!(p.name, "disk");
                }
            }
        }
    }
}
