//! The topology document: what the editor saves, what users share and what the runner loads.
//!
//! A topology is plain data: containers (region, availability zone, VPC, subnet), components
//! (a kind with its parameters, a label, a position on the canvas, the container it sits in),
//! directed connections (who calls whom, with a share and an optional request-type filter) and
//! the request types that client populations send.
//!
//! ## Format rules
//! - The document carries `"version": 1`. A document with a newer version is refused with
//!   [`LoadError::UnsupportedVersion`] instead of being half understood.
//! - Ids are editor-friendly strings (`"alb-1"`); the engine maps them to dense indices.
//! - Every kind-specific parameter has a realistic default (see [`crate::catalog`]), so a component
//!   can be written as `{"id": "web", "kind": "ec2"}`.
//! - **Unknown fields are ignored**, at every level. A file written by a newer build that only
//!   adds optional fields still loads; anything that changes meaning bumps `version`.
//! - Container nesting is expressed by `parent`: an AZ's parent is a region, a VPC's parent is a
//!   region (or an AZ), a subnet's parent is a VPC. A subnet's AZ is its `az` field, or the AZ found
//!   by walking up its parents.
//! - The client population is a component of kind `client`: its container is the region its users
//!   are in, its parameters are the arrival process and request mix.

use crate::experiment::Experiment;
use crate::layers::InfrastructureConfig;
use crate::resilience::Resilience;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The document version this build reads and writes.
pub const CURRENT_VERSION: u32 = 1;

/// A whole architecture: the unit the editor saves and the simulator runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    /// Document format version; always [`CURRENT_VERSION`] when written by this build.
    pub version: u32,
    /// Short title.
    #[serde(default)]
    pub name: String,
    /// One-paragraph explanation shown in the gallery.
    #[serde(default)]
    pub description: String,
    /// The request types client populations send, with their default share of the mix.
    #[serde(default = "default_request_types")]
    pub request_types: Vec<RequestType>,
    /// Regions, AZs, VPCs and subnets.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Boxes on the canvas: clients and services.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Directed edges: the `from` component calls the `to` component.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Network latency figures between placements.
    #[serde(default)]
    pub network: NetworkParams,
    /// The layers under the boxes: hosts, hypervisors, VPC rules, volumes, launch parameters
    /// (see [`crate::layers`]). Absent: the engine models no layers and runs as before. An EC2
    /// component whose id names an instance of `infrastructure.instances` runs on that
    /// instance's host, volume and network interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<InfrastructureText>,
    /// Failures written as data: named, scheduled lists of actions (see [`crate::experiment`]).
    /// A run plays at most one of them. Kept as written ([`ExperimentsText`]): read them with
    /// [`Topology::experiments`], name them with [`Topology::experiment_names`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiments: Option<ExperimentsText>,
    /// CloudWatch-style alarms with their actions (see [`crate::alarms`]), kept as written;
    /// read them with [`Topology::alarms`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmsText>,
    /// The service level the run is judged against (availability, error budget).
    #[serde(default, skip_serializing_if = "Slo::is_default")]
    pub slo: Slo,
    /// A guided walkthrough of the design (see [`crate::walkthrough`]), kept as written; read it
    /// with [`Topology::walkthrough`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walkthrough: Option<WalkthroughText>,
}

/// A document's `infrastructure` as written, kept as its JSON text: opening, editing and saving
/// a design never needs its layers read (so the editor's WebAssembly carries no reader for
/// them). [`InfrastructureText::config`] reads them where they are used: the engine,
/// validation (which reports text that does not read as a problem), lint and reachability.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InfrastructureText(Box<serde_json::value::RawValue>);

impl InfrastructureText {
    /// The layers' configuration, or why the text is not one.
    pub fn config(&self) -> Result<InfrastructureConfig, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The JSON text as written.
    pub fn text(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for InfrastructureText {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Topology {
    /// The layers under the boxes, when the document has an `infrastructure` that reads as one
    /// (one that does not is a validation error, see [`crate::validate`]).
    pub fn layers(&self) -> Option<InfrastructureConfig> {
        self.infrastructure.as_ref().and_then(|i| i.config().ok())
    }

    /// The experiments, when their text reads as experiments (text that does not is a
    /// validation error, see [`crate::validate`]; it reads here as none).
    pub fn experiments(&self) -> Vec<Experiment> {
        self.experiments.as_ref().and_then(|e| e.read().ok()).unwrap_or_default()
    }

    /// The alarms, when their text reads as alarms (`None`: no alarms, or text that does not
    /// read, which validation reports).
    pub fn alarms(&self) -> Option<Vec<crate::alarms::AlarmSpec>> {
        self.alarms.as_ref().and_then(|a| a.read().ok())
    }

    /// The walkthrough, if the document has one (`Err`: why its text is not one).
    pub fn walkthrough(&self) -> Option<Result<crate::walkthrough::Walkthrough, serde_json::Error>> {
        self.walkthrough.as_ref().map(|w| crate::walkthrough::Walkthrough::from_json(w.text()))
    }

    /// The experiment named `name`.
    pub fn experiment(&self, name: &str) -> Option<Experiment> {
        self.experiments().into_iter().find(|e| e.name == name)
    }

    /// The experiments' names, in order (read without their actions).
    pub fn experiment_names(&self) -> Vec<String> {
        self.experiments.as_ref().map(ExperimentsText::names).unwrap_or_default()
    }

    /// Changes the experiments with `f`, written back as text.
    pub fn edit_experiments(&mut self, f: impl FnOnce(&mut Vec<Experiment>)) {
        let mut list = self.experiments();
        f(&mut list);
        self.set_experiments(&list);
    }

    /// Replaces the experiments with `list` (none: the document has no `experiments`).
    pub fn set_experiments(&mut self, list: &[Experiment]) {
        self.experiments = (!list.is_empty()).then(|| ExperimentsText::new(list));
    }
}

/// A document's `experiments` as written, kept as their JSON text: opening, editing and saving a
/// design never reads their actions (so the editor's WebAssembly carries no reader for them).
/// The engine, validation and the studies read them ([`ExperimentsText::read`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExperimentsText(Box<serde_json::value::RawValue>);

impl ExperimentsText {
    /// The text of `list`.
    pub fn new(list: &[Experiment]) -> ExperimentsText {
        // Plain data (strings, numbers, lists, structs): writing it cannot fail.
        ExperimentsText(serde_json::value::to_raw_value(list).expect("experiments are plain data"))
    }

    /// The experiments, or why the text is not a list of them.
    pub fn read(&self) -> Result<Vec<Experiment>, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// Their names (empty when the text is not a list of named objects).
    pub fn names(&self) -> Vec<String> {
        #[derive(Deserialize)]
        struct Named {
            #[serde(default)]
            name: String,
        }
        serde_json::from_str::<Vec<Named>>(self.0.get())
            .map(|v| v.into_iter().map(|n| n.name).collect())
            .unwrap_or_default()
    }

    /// The JSON text as written.
    pub fn text(&self) -> &str {
        self.0.get()
    }
}

/// A document's `alarms` as written, kept as their JSON text (the editor never reads them);
/// the engine and validation read them ([`AlarmsText::read`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlarmsText(Box<serde_json::value::RawValue>);

impl AlarmsText {
    /// The alarms, or why the text is not a list of them.
    pub fn read(&self) -> Result<Vec<crate::alarms::AlarmSpec>, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

/// A document's `walkthrough` as written, kept as its JSON text (the editor edits it as a JSON
/// object); the viewer and validation read it ([`Topology::walkthrough`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WalkthroughText(Box<serde_json::value::RawValue>);

impl WalkthroughText {
    /// The JSON text as written.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// Keeps `text` as a document's walkthrough (it must be JSON; what it says is validation's
    /// business, [`Topology::walkthrough`]).
    pub fn from_json(text: String) -> Result<WalkthroughText, serde_json::Error> {
        serde_json::value::RawValue::from_string(text).map(WalkthroughText)
    }
}

impl PartialEq for WalkthroughText {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl PartialEq for AlarmsText {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl PartialEq for ExperimentsText {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

/// The service level objective client requests are held to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slo {
    /// Share of client requests that must succeed, percent (default 99.9).
    pub availability_percent: f64,
}

impl Default for Slo {
    fn default() -> Self {
        Slo { availability_percent: 99.9 }
    }
}

impl Slo {
    /// Whether this is the default objective (it is then not written out).
    pub fn is_default(&self) -> bool {
        *self == Slo::default()
    }
    /// The objective as a share (0.999).
    pub fn availability(&self) -> f64 {
        self.availability_percent / 100.0
    }
}

fn default_request_types() -> Vec<RequestType> {
    vec![RequestType { name: "default".into(), share: 1.0, write: false }]
}

/// A named kind of request (e.g. `static`, `read`, `write`); each follows its own path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestType {
    /// Name referenced by connection filters and per-type parameters.
    pub name: String,
    /// Default share of a client's mix (normalised over all types).
    #[serde(default = "one")]
    pub share: f64,
    /// Writes are never served from a cache, go to a database primary and pay the Multi-AZ commit.
    #[serde(default)]
    pub write: bool,
}

fn one() -> f64 {
    1.0
}

/// A rectangle on the canvas that holds components or other containers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Container {
    /// Unique id, e.g. `"us-east-1"`, `"vpc-main"`, `"subnet-a"`.
    pub id: String,
    /// What the container is.
    pub kind: ContainerKind,
    /// The enclosing container (none for a region).
    #[serde(default)]
    pub parent: Option<String>,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// IPv4 CIDR block, for VPCs and subnets (e.g. `"10.0.1.0/24"`).
    #[serde(default)]
    pub cidr: Option<String>,
    /// Subnet only: whether it routes to an internet gateway.
    #[serde(default)]
    pub public: bool,
    /// Subnet only: the AZ it lives in, when its parent chain does not name one.
    #[serde(default)]
    pub az: Option<String>,
}

/// The four levels of placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerKind {
    /// A geographic region (e.g. `us-east-1`).
    Region,
    /// A failure-isolated availability zone within a region.
    Az,
    /// A virtual private cloud with a CIDR block.
    Vpc,
    /// A subnet of a VPC, in one AZ.
    Subnet,
}

/// A point on the editor canvas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// One box on the canvas.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// Unique id, e.g. `"alb-1"`.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub label: String,
    /// Where the box is drawn.
    #[serde(default)]
    pub position: Position,
    /// The container it sits in (subnet for instances, region for regional services, none for
    /// global ones such as Route 53 and CloudFront).
    #[serde(default)]
    pub container: Option<String>,
    /// The kind, and its parameters (written flat next to `kind`).
    #[serde(flatten)]
    pub spec: ComponentSpec,
}

/// A component's kind with its kind-specific parameters. Serialised with a `kind` tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ComponentSpec {
    /// A population of users sending requests.
    Client(ClientParams),
    /// DNS with routing policies and health checks.
    Route53(Route53Params),
    /// CDN edge cache.
    Cloudfront(CloudFrontParams),
    /// Application load balancer.
    Alb(AlbParams),
    /// One virtual machine.
    Ec2(Ec2Params),
    /// An Auto Scaling group of identical instances.
    Asg(AsgParams),
    /// A Kubernetes deployment's pods on an EKS managed node group (or on Fargate).
    Eks(EksParams),
    /// An ECS service's tasks on an EC2 capacity provider's container instances (or on
    /// Fargate): the same parameters as an EKS deployment, in ECS's words.
    Ecs(EksParams),
    /// Managed relational database.
    Rds(RdsParams),
    /// Managed Redis/Memcached cache.
    Elasticache(ElastiCacheParams),
    /// Object storage.
    S3(S3Params),
    /// Key-value database.
    Dynamodb(DynamoDbParams),
    /// Functions as a service.
    Lambda(LambdaParams),
    /// Message queue decoupling producers from consumers.
    Sqs(SqsParams),
}

/// The kind of a component, without parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    /// See [`ComponentSpec::Client`].
    Client,
    /// See [`ComponentSpec::Route53`].
    Route53,
    /// See [`ComponentSpec::Cloudfront`].
    Cloudfront,
    /// See [`ComponentSpec::Alb`].
    Alb,
    /// See [`ComponentSpec::Ec2`].
    Ec2,
    /// See [`ComponentSpec::Asg`].
    Asg,
    /// See [`ComponentSpec::Eks`].
    Eks,
    /// See [`ComponentSpec::Ecs`].
    Ecs,
    /// See [`ComponentSpec::Rds`].
    Rds,
    /// See [`ComponentSpec::Elasticache`].
    Elasticache,
    /// See [`ComponentSpec::S3`].
    S3,
    /// See [`ComponentSpec::Dynamodb`].
    Dynamodb,
    /// See [`ComponentSpec::Lambda`].
    Lambda,
    /// See [`ComponentSpec::Sqs`].
    Sqs,
}

impl ComponentKind {
    /// Every kind, in palette order.
    pub const ALL: [ComponentKind; 14] = [
        ComponentKind::Client,
        ComponentKind::Route53,
        ComponentKind::Cloudfront,
        ComponentKind::Alb,
        ComponentKind::Ec2,
        ComponentKind::Asg,
        ComponentKind::Eks,
        ComponentKind::Ecs,
        ComponentKind::Rds,
        ComponentKind::Elasticache,
        ComponentKind::S3,
        ComponentKind::Dynamodb,
        ComponentKind::Lambda,
        ComponentKind::Sqs,
    ];

    /// The `kind` tag as written in documents.
    pub fn tag(self) -> &'static str {
        match self {
            ComponentKind::Client => "client",
            ComponentKind::Route53 => "route53",
            ComponentKind::Cloudfront => "cloudfront",
            ComponentKind::Alb => "alb",
            ComponentKind::Ec2 => "ec2",
            ComponentKind::Asg => "asg",
            ComponentKind::Eks => "eks",
            ComponentKind::Ecs => "ecs",
            ComponentKind::Rds => "rds",
            ComponentKind::Elasticache => "elasticache",
            ComponentKind::S3 => "s3",
            ComponentKind::Dynamodb => "dynamodb",
            ComponentKind::Lambda => "lambda",
            ComponentKind::Sqs => "sqs",
        }
    }

    /// A component of this kind with every parameter at its default.
    pub fn default_spec(self) -> ComponentSpec {
        match self {
            ComponentKind::Client => ComponentSpec::Client(Default::default()),
            ComponentKind::Route53 => ComponentSpec::Route53(Default::default()),
            ComponentKind::Cloudfront => ComponentSpec::Cloudfront(Default::default()),
            ComponentKind::Alb => ComponentSpec::Alb(Default::default()),
            ComponentKind::Ec2 => ComponentSpec::Ec2(Default::default()),
            ComponentKind::Asg => ComponentSpec::Asg(Default::default()),
            ComponentKind::Eks => ComponentSpec::Eks(Default::default()),
            ComponentKind::Ecs => ComponentSpec::Ecs(Default::default()),
            ComponentKind::Rds => ComponentSpec::Rds(Default::default()),
            ComponentKind::Elasticache => ComponentSpec::Elasticache(Default::default()),
            ComponentKind::S3 => ComponentSpec::S3(Default::default()),
            ComponentKind::Dynamodb => ComponentSpec::Dynamodb(Default::default()),
            ComponentKind::Lambda => ComponentSpec::Lambda(Default::default()),
            ComponentKind::Sqs => ComponentSpec::Sqs(Default::default()),
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl ComponentSpec {
    /// The subnets a group of instances spreads over (an Auto Scaling group's instances, an
    /// EKS deployment's nodes); `None` for other kinds.
    pub fn group_subnets(&self) -> Option<&[String]> {
        match self {
            ComponentSpec::Asg(p) => Some(&p.subnets),
            ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => Some(&p.subnets),
            _ => None,
        }
    }

    /// The containers' parameters of an EKS deployment or an ECS service.
    pub fn containers(&self) -> Option<&EksParams> {
        match self {
            ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => Some(p),
            _ => None,
        }
    }

    /// The kind, without parameters.
    pub fn kind(&self) -> ComponentKind {
        match self {
            ComponentSpec::Client(_) => ComponentKind::Client,
            ComponentSpec::Route53(_) => ComponentKind::Route53,
            ComponentSpec::Cloudfront(_) => ComponentKind::Cloudfront,
            ComponentSpec::Alb(_) => ComponentKind::Alb,
            ComponentSpec::Ec2(_) => ComponentKind::Ec2,
            ComponentSpec::Asg(_) => ComponentKind::Asg,
            ComponentSpec::Eks(_) => ComponentKind::Eks,
            ComponentSpec::Ecs(_) => ComponentKind::Ecs,
            ComponentSpec::Rds(_) => ComponentKind::Rds,
            ComponentSpec::Elasticache(_) => ComponentKind::Elasticache,
            ComponentSpec::S3(_) => ComponentKind::S3,
            ComponentSpec::Dynamodb(_) => ComponentKind::Dynamodb,
            ComponentSpec::Lambda(_) => ComponentKind::Lambda,
            ComponentSpec::Sqs(_) => ComponentKind::Sqs,
        }
    }
}

/// A directed edge: `from` calls `to`.
///
/// What `share` means depends on the caller. Routers (client, Route 53, CloudFront origin
/// selection, ALB, cache miss path, SQS consumers) pick **one** matching connection per request,
/// with probability proportional to `share`. Compute (EC2, Auto Scaling group, Lambda) makes
/// **every** matching call in order, `share` times per request on average (0.3 = 30% of requests
/// make this call; 2 = two calls each).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Optional id, for diagnostics and selection in the editor.
    #[serde(default)]
    pub id: Option<String>,
    /// Caller component id.
    pub from: String,
    /// Callee component id.
    pub to: String,
    /// Weight (routers) or mean calls per request (compute); default 1.
    #[serde(default = "one")]
    pub share: f64,
    /// Request types that take this connection; empty means all.
    #[serde(default)]
    pub request_types: Vec<String>,
    /// TCP port the caller connects to, for the network layer's rules (default 80). Only used
    /// when both ends run on instances of the document's `infrastructure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Timeout, retries, circuit breaker and bulkhead the caller applies to this connection
    /// (see [`crate::resilience`]); none by default.
    #[serde(default, skip_serializing_if = "Resilience::is_empty")]
    pub resilience: Resilience,
}

impl Connection {
    /// The id diagnostics use: the explicit id, or `from->to`.
    pub fn label(&self) -> String {
        self.id.clone().unwrap_or_else(|| format!("{}->{}", self.from, self.to))
    }
}

/// Round-trip network latencies by placement (DOMAIN figures), in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkParams {
    /// Round trip between two endpoints in the same AZ.
    pub same_az_rtt_ms: f64,
    /// Round trip between AZs of one region (also to regional services such as S3).
    pub cross_az_rtt_ms: f64,
    /// Round trip between regions.
    pub cross_region_rtt_ms: f64,
    /// Round trip from a client population to a region over the internet.
    pub internet_rtt_ms: f64,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams { same_az_rtt_ms: 0.3, cross_az_rtt_ms: 1.0, cross_region_rtt_ms: 70.0, internet_rtt_ms: 30.0 }
    }
}

/// A random duration, written in milliseconds.
///
/// Written as an object tagged by `"dist"`; read through [`DistFields`] (see there why).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", try_from = "DistFields")]
pub enum Dist {
    /// Always `ms`.
    Constant {
        /// The value.
        ms: f64,
    },
    /// Exponential (memoryless) with the given mean.
    Exponential {
        /// Mean.
        mean_ms: f64,
    },
    /// Log-normal with the given mean and coefficient of variation (std dev / mean).
    LogNormal {
        /// Mean.
        mean_ms: f64,
        /// Coefficient of variation.
        cv: f64,
    },
    /// Uniform between two bounds.
    Uniform {
        /// Lower bound.
        min_ms: f64,
        /// Upper bound.
        max_ms: f64,
    },
}

impl Dist {
    /// Mean of the distribution in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Dist::Constant { ms } => ms,
            Dist::Exponential { mean_ms } | Dist::LogNormal { mean_ms, .. } => mean_ms,
            Dist::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
        }
    }
    /// The first parameter that makes no sense, as a message.
    pub fn problem(&self) -> Option<String> {
        let bad = |v: f64| !v.is_finite() || v < 0.0;
        match *self {
            Dist::Constant { ms } if bad(ms) => Some(format!("constant {ms} ms is not a duration")),
            Dist::Exponential { mean_ms } if bad(mean_ms) => {
                Some(format!("exponential mean {mean_ms} ms is not a duration"))
            }
            Dist::LogNormal { mean_ms, cv } if bad(mean_ms) || bad(cv) => {
                Some(format!("log-normal mean {mean_ms} ms / cv {cv} must be non-negative"))
            }
            Dist::Uniform { min_ms, max_ms } if bad(min_ms) || bad(max_ms) || min_ms > max_ms => {
                Some(format!("uniform [{min_ms}, {max_ms}] ms is not a range"))
            }
            _ => None,
        }
    }
    fn exp(mean_ms: f64) -> Dist {
        Dist::Exponential { mean_ms }
    }
    fn logn(mean_ms: f64, cv: f64) -> Dist {
        Dist::LogNormal { mean_ms, cv }
    }
}

/// How a client population's request rate changes over time (Poisson arrivals at that rate).
///
/// Written as an object tagged by `"pattern"`; read through [`ArrivalFields`] (see there why).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "pattern", rename_all = "snake_case", try_from = "ArrivalFields")]
pub enum Arrival {
    /// A steady rate.
    Constant {
        /// Requests per second.
        rate_rps: f64,
    },
    /// Linear change from one rate to another.
    Ramp {
        /// Rate before `start_s`.
        from_rps: f64,
        /// Rate after `start_s + duration_s`.
        to_rps: f64,
        /// When the ramp starts, seconds (0 when not written).
        start_s: f64,
        /// How long the ramp lasts, seconds.
        duration_s: f64,
    },
    /// A base rate with one burst.
    Spike {
        /// Rate outside the spike.
        base_rps: f64,
        /// Rate during the spike.
        peak_rps: f64,
        /// When the spike starts, seconds.
        at_s: f64,
        /// How long it lasts, seconds.
        duration_s: f64,
    },
    /// A sinusoidal daily (or any period) cycle: `mean * (1 + amplitude * cos(2π (t - peak_at) / period))`.
    DailyCycle {
        /// Mean rate.
        mean_rps: f64,
        /// Relative swing, 0..=1.
        amplitude: f64,
        /// Period, seconds (one day when not written).
        period_s: f64,
        /// When in the period the peak is, seconds (0 when not written).
        peak_at_s: f64,
    },
}

fn day() -> f64 {
    86_400.0
}

/// The value of a field a variant needs, or serde's own words for its absence.
fn needed(v: Option<f64>, name: &str) -> Result<f64, String> {
    v.ok_or_else(|| format!("missing field `{name}`"))
}

/// A [`Dist`] as written, with every variant's fields optional. An internally tagged enum is
/// read by buffering the object and reading it again per variant, which made its reader the
/// largest function of the WebAssembly page after the app itself; one flat object and a
/// check is a fraction of that, with the same messages for a missing field or an unknown kind.
#[derive(Deserialize)]
struct DistFields {
    dist: DistKind,
    ms: Option<f64>,
    mean_ms: Option<f64>,
    cv: Option<f64>,
    min_ms: Option<f64>,
    max_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum DistKind {
    Constant,
    Exponential,
    LogNormal,
    Uniform,
}

impl TryFrom<DistFields> for Dist {
    type Error = String;
    fn try_from(f: DistFields) -> Result<Dist, String> {
        Ok(match f.dist {
            DistKind::Constant => Dist::Constant { ms: needed(f.ms, "ms")? },
            DistKind::Exponential => Dist::Exponential { mean_ms: needed(f.mean_ms, "mean_ms")? },
            DistKind::LogNormal => Dist::LogNormal { mean_ms: needed(f.mean_ms, "mean_ms")?, cv: needed(f.cv, "cv")? },
            DistKind::Uniform => {
                Dist::Uniform { min_ms: needed(f.min_ms, "min_ms")?, max_ms: needed(f.max_ms, "max_ms")? }
            }
        })
    }
}

/// An [`Arrival`] as written, with every pattern's fields optional (as [`DistFields`]).
#[derive(Deserialize)]
struct ArrivalFields {
    pattern: ArrivalKind,
    rate_rps: Option<f64>,
    from_rps: Option<f64>,
    to_rps: Option<f64>,
    start_s: Option<f64>,
    duration_s: Option<f64>,
    base_rps: Option<f64>,
    peak_rps: Option<f64>,
    at_s: Option<f64>,
    mean_rps: Option<f64>,
    amplitude: Option<f64>,
    period_s: Option<f64>,
    peak_at_s: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ArrivalKind {
    Constant,
    Ramp,
    Spike,
    DailyCycle,
}

impl TryFrom<ArrivalFields> for Arrival {
    type Error = String;
    fn try_from(f: ArrivalFields) -> Result<Arrival, String> {
        Ok(match f.pattern {
            ArrivalKind::Constant => Arrival::Constant { rate_rps: needed(f.rate_rps, "rate_rps")? },
            ArrivalKind::Ramp => Arrival::Ramp {
                from_rps: needed(f.from_rps, "from_rps")?,
                to_rps: needed(f.to_rps, "to_rps")?,
                start_s: f.start_s.unwrap_or(0.0),
                duration_s: needed(f.duration_s, "duration_s")?,
            },
            ArrivalKind::Spike => Arrival::Spike {
                base_rps: needed(f.base_rps, "base_rps")?,
                peak_rps: needed(f.peak_rps, "peak_rps")?,
                at_s: needed(f.at_s, "at_s")?,
                duration_s: needed(f.duration_s, "duration_s")?,
            },
            ArrivalKind::DailyCycle => Arrival::DailyCycle {
                mean_rps: needed(f.mean_rps, "mean_rps")?,
                amplitude: needed(f.amplitude, "amplitude")?,
                period_s: f.period_s.unwrap_or_else(day),
                peak_at_s: f.peak_at_s.unwrap_or(0.0),
            },
        })
    }
}

impl Default for Arrival {
    fn default() -> Self {
        Arrival::Constant { rate_rps: 100.0 }
    }
}

impl Arrival {
    /// The rate at simulated second `t`.
    pub fn rate_at(&self, t: f64) -> f64 {
        match *self {
            Arrival::Constant { rate_rps } => rate_rps,
            Arrival::Ramp { from_rps, to_rps, start_s, duration_s } => {
                if t <= start_s {
                    from_rps
                } else if t >= start_s + duration_s || duration_s <= 0.0 {
                    to_rps
                } else {
                    from_rps + (to_rps - from_rps) * (t - start_s) / duration_s
                }
            }
            Arrival::Spike { base_rps, peak_rps, at_s, duration_s } => {
                if t >= at_s && t < at_s + duration_s {
                    peak_rps
                } else {
                    base_rps
                }
            }
            Arrival::DailyCycle { mean_rps, amplitude, period_s, peak_at_s } => {
                let phase = 2.0 * std::f64::consts::PI * (t - peak_at_s) / period_s;
                (mean_rps * (1.0 + amplitude * libm::cos(phase))).max(0.0)
            }
        }
    }
    /// An upper bound of the rate over all time (for thinning).
    pub fn max_rate(&self) -> f64 {
        match *self {
            Arrival::Constant { rate_rps } => rate_rps,
            Arrival::Ramp { from_rps, to_rps, .. } => from_rps.max(to_rps),
            Arrival::Spike { base_rps, peak_rps, .. } => base_rps.max(peak_rps),
            Arrival::DailyCycle { mean_rps, amplitude, .. } => mean_rps * (1.0 + amplitude.abs()),
        }
    }
    /// Every rate figure in the pattern, for validation.
    pub fn rates(&self) -> Vec<f64> {
        match *self {
            Arrival::Constant { rate_rps } => vec![rate_rps],
            Arrival::Ramp { from_rps, to_rps, .. } => vec![from_rps, to_rps],
            Arrival::Spike { base_rps, peak_rps, .. } => vec![base_rps, peak_rps],
            Arrival::DailyCycle { mean_rps, .. } => vec![mean_rps],
        }
    }
}

/// Parameters of a client population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientParams {
    /// Arrival process.
    pub arrival: Arrival,
    /// Request mix override: request type -> share. Empty: the request types' own shares.
    pub mix: BTreeMap<String, f64>,
    /// The user gives up after this long (counted as a timeout).
    pub timeout_ms: f64,
    /// This population's own objectives (absent: the document's availability objective).
    #[serde(skip_serializing_if = "ClientSlo::is_empty")]
    pub slo: ClientSlo,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            arrival: Arrival::default(),
            mix: BTreeMap::new(),
            timeout_ms: 30_000.0,
            slo: ClientSlo::default(),
        }
    }
}

/// A client population's service level objectives.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClientSlo {
    /// Share of its requests that must succeed, percent (absent: the document's `slo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_percent: Option<f64>,
    /// How fast its successful requests must be (absent: no latency objective).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencyObjective>,
}

impl ClientSlo {
    /// Whether it sets nothing (it is then not written out).
    pub fn is_empty(&self) -> bool {
        *self == ClientSlo::default()
    }
}

/// A latency objective: `percentile` percent of successful requests within `target_ms`
/// (e.g. 99 within 300 ms).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyObjective {
    /// Percent of successful requests that must be fast enough, e.g. 99.
    pub percentile: f64,
    /// How fast, ms.
    pub target_ms: f64,
}

/// Route 53 routing policies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutingPolicy {
    /// One record; several targets are picked at random.
    #[default]
    Simple,
    /// Targets in proportion to the connections' shares.
    Weighted,
    /// The target with the lowest latency from the client's region.
    Latency,
    /// The first connection is primary; the next healthy one is used when it fails its health check.
    Failover,
}

/// Parameters of a Route 53 hosted zone record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Route53Params {
    /// Record TTL: how long resolvers cache an answer.
    pub ttl_s: f64,
    /// Routing policy.
    pub policy: RoutingPolicy,
    /// Time to resolve when the resolver has no cached answer.
    pub query_ms: f64,
    /// Independent resolvers per client population (each caches its own answer).
    pub resolvers: u32,
    /// Health-check interval.
    pub health_check_interval_s: f64,
    /// A check not answered within this fails, even if the target is up. Unset: two seconds,
    /// what AWS's checkers give an endpoint to answer once connected (not configurable there),
    /// or half the interval if that is shorter. Must be shorter than the interval.
    pub health_check_timeout_s: Option<f64>,
    /// Consecutive failed checks before a target is unhealthy, and passed checks before it is
    /// healthy again.
    pub failure_threshold: u32,
}

impl Route53Params {
    /// The health checks' timeout in force: `health_check_timeout_s`, or 2 s (at most half the
    /// interval) when unset.
    pub fn effective_health_check_timeout_s(&self) -> f64 {
        self.health_check_timeout_s.unwrap_or_else(|| (self.health_check_interval_s / 2.0).min(2.0))
    }
}

impl Default for Route53Params {
    fn default() -> Self {
        Route53Params {
            ttl_s: 60.0,
            policy: RoutingPolicy::Simple,
            query_ms: 30.0,
            resolvers: 64,
            health_check_interval_s: 30.0,
            health_check_timeout_s: None,
            failure_threshold: 3,
        }
    }
}

/// Parameters of a CloudFront distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloudFrontParams {
    /// Round trip from a user to the nearest edge.
    pub edge_rtt_ms: f64,
    /// Edge processing per request.
    pub processing_ms: f64,
    /// Fraction of cacheable requests served from the edge.
    pub hit_ratio: f64,
    /// Per request type override of `hit_ratio`.
    pub hit_ratio_by_type: BTreeMap<String, f64>,
    /// Round trip from the edge to an origin in its region.
    pub origin_rtt_ms: f64,
    /// Origin failover to the cache (`stale-if-error`): when the origin answers a cacheable
    /// read's miss with an error, the edge answers with the expired copy it still holds.
    pub serve_stale_on_error: bool,
    /// How long after the origin's last successful answer for a request type the edge still
    /// holds a copy it may serve stale.
    pub stale_if_error_s: f64,
}

impl Default for CloudFrontParams {
    fn default() -> Self {
        CloudFrontParams {
            edge_rtt_ms: 15.0,
            processing_ms: 1.0,
            hit_ratio: 0.9,
            hit_ratio_by_type: BTreeMap::new(),
            origin_rtt_ms: 20.0,
            serve_stale_on_error: false,
            stale_if_error_s: 86_400.0,
        }
    }
}

/// How a load balancer picks a target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LbAlgorithm {
    /// Each healthy target in turn.
    #[default]
    RoundRobin,
    /// The healthy target with the fewest requests in flight.
    LeastOutstandingRequests,
}

/// Parameters of an application load balancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlbParams {
    /// Target selection.
    pub algorithm: LbAlgorithm,
    /// Whether a load-balancer node may send to targets in other AZs.
    pub cross_zone: bool,
    /// Processing added per request.
    pub processing_ms: f64,
    /// Seconds between health checks of each target.
    pub health_check_interval_s: f64,
    /// Seconds a target has to answer a check: a slower answer fails it, even if the target is
    /// up. Unset: AWS's default of 5 s, or half the interval if that is shorter. Must be
    /// shorter than the interval.
    pub health_check_timeout_s: Option<f64>,
    /// Consecutive successes before a target receives traffic.
    pub healthy_threshold: u32,
    /// Consecutive failures before a target stops receiving traffic.
    pub unhealthy_threshold: u32,
}

impl AlbParams {
    /// The health checks' timeout in force: `health_check_timeout_s`, or AWS's 5 s (at most
    /// half the interval) when unset.
    pub fn effective_health_check_timeout_s(&self) -> f64 {
        self.health_check_timeout_s.unwrap_or_else(|| (self.health_check_interval_s / 2.0).min(5.0))
    }
}

impl Default for AlbParams {
    fn default() -> Self {
        AlbParams {
            algorithm: LbAlgorithm::RoundRobin,
            cross_zone: true,
            processing_ms: 1.0,
            health_check_interval_s: 30.0,
            health_check_timeout_s: None,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
        }
    }
}

/// An EBS-backed disk step: each request does `ios_per_request` I/Os against an IOPS limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiskParams {
    /// Sustained IOPS (gp3 baseline 3,000).
    pub iops: f64,
    /// I/Os each request performs.
    pub ios_per_request: f64,
}

impl Default for DiskParams {
    fn default() -> Self {
        DiskParams { iops: 3000.0, ios_per_request: 1.0 }
    }
}

/// Parameters of one EC2 instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ec2Params {
    /// Instance type from [`crate::catalog::INSTANCE_TYPES`].
    pub instance_type: String,
    /// Override of the type's vCPU count (parallel servers).
    pub vcpus: Option<u32>,
    /// CPU time a request needs on one vCPU.
    pub service_time: Dist,
    /// Per request type override of `service_time`.
    pub service_time_by_type: BTreeMap<String, Dist>,
    /// Requests waiting for a vCPU (with `workers`: for a worker) beyond this are refused (queue
    /// full).
    pub queue_capacity: u32,
    /// A request not answered this long after it arrived is answered as a timeout at that
    /// moment (its work goes on unobserved; if it is still queued it is dropped when dequeued).
    pub timeout_ms: f64,
    /// Optional disk I/O step after the CPU work.
    pub disk: Option<DiskParams>,
    /// Worker processes (Gunicorn workers, threads of a pool): a request holds one from the
    /// start of its service until it answers, its outgoing calls included, and uses CPU only
    /// for its own service time. Requests wait for a free worker before a vCPU. `None`: no
    /// pool, every request waits only for a vCPU.
    pub workers: Option<u32>,
}

impl Default for Ec2Params {
    fn default() -> Self {
        Ec2Params {
            instance_type: "t3.medium".into(),
            vcpus: None,
            service_time: Dist::exp(20.0),
            service_time_by_type: BTreeMap::new(),
            queue_capacity: 1000,
            timeout_ms: 30_000.0,
            disk: None,
            workers: None,
        }
    }
}

/// Parameters of an Auto Scaling group (its instances behave like [`Ec2Params`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AsgParams {
    /// Launch template: instance type.
    pub instance_type: String,
    /// Override of the type's vCPU count.
    pub vcpus: Option<u32>,
    /// Never fewer instances than this.
    pub min: u32,
    /// Instances at start.
    pub desired: u32,
    /// Never more instances than this.
    pub max: u32,
    /// Subnets to spread instances over (one per AZ); empty: the group's container.
    pub subnets: Vec<String>,
    /// Target-tracking set point: average CPU utilisation, percent.
    pub target_cpu_percent: f64,
    /// Seconds a new instance is excluded from the CPU metric after it starts serving.
    pub warmup_s: f64,
    /// Seconds after a scaling action before the group scales in.
    pub cooldown_s: f64,
    /// How often the policy evaluates the metric.
    pub evaluation_period_s: f64,
    /// Fastest instance launch (request to serving).
    pub launch_min_s: f64,
    /// Slowest instance launch.
    pub launch_max_s: f64,
    /// As [`Ec2Params::service_time`].
    pub service_time: Dist,
    /// As [`Ec2Params::service_time_by_type`].
    pub service_time_by_type: BTreeMap<String, Dist>,
    /// As [`Ec2Params::queue_capacity`].
    pub queue_capacity: u32,
    /// As [`Ec2Params::timeout_ms`].
    pub timeout_ms: f64,
    /// As [`Ec2Params::workers`], per instance.
    pub workers: Option<u32>,
    /// Disaster-recovery standby (pilot light, warm standby): once a Route 53 failover record
    /// gives up its primary in another region, the group's minimum becomes this many instances
    /// and it launches up to it at once. `None`: not a standby.
    pub failover_min: Option<u32>,
}

impl Default for AsgParams {
    fn default() -> Self {
        AsgParams {
            instance_type: "t3.medium".into(),
            vcpus: None,
            min: 2,
            desired: 2,
            max: 6,
            subnets: Vec::new(),
            target_cpu_percent: 50.0,
            warmup_s: 300.0,
            cooldown_s: 300.0,
            evaluation_period_s: 60.0,
            launch_min_s: 8.0,
            launch_max_s: 15.0,
            service_time: Dist::exp(20.0),
            service_time_by_type: BTreeMap::new(),
            queue_capacity: 1000,
            timeout_ms: 30_000.0,
            workers: None,
            failover_min: None,
        }
    }
}

/// Parameters of an EKS deployment: its pods, the managed node group they run on, and their
/// autoscalers (see [`crate::containers`]). A pod requesting `cpu_m` millicores serves
/// `max(1, cpu_m / 1000)` requests at a time, each at the speed that gives the pod exactly its
/// CPU (a 500 m pod takes twice a request's CPU time).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EksParams {
    /// Node group: instance type.
    pub node_type: String,
    /// Node group: fewest nodes.
    pub nodes_min: u32,
    /// Node group: nodes at the start.
    pub nodes: u32,
    /// Node group: most nodes (the cluster autoscaler stops here).
    pub nodes_max: u32,
    /// Subnets the nodes go to (one per AZ); empty: the component's container.
    pub subnets: Vec<String>,
    /// Pods at the start.
    pub replicas: u32,
    /// CPU each pod requests, millicores.
    pub cpu_m: u32,
    /// Memory each pod requests, MiB.
    pub memory_mib: u32,
    /// Compressed image size, MB (pulled by every node that has not pulled it).
    pub image_mb: f64,
    /// From the container starting to the application answering, seconds.
    pub app_start_s: f64,
    /// Readiness probe period, seconds.
    pub readiness_period_s: f64,
    /// The AWS Load Balancer Controller's pod readiness gate: a deployment counts a new pod as
    /// available only once its load balancer target is healthy (without it, a rolling update
    /// can stop old pods while the new ones are still failing the load balancer's checks).
    pub readiness_gate: bool,
    /// Fargate instead of nodes: each pod (task) gets a micro-VM of its own sized to its
    /// request, provisioned when it is created (10-25 s), pulling its image every time; billed
    /// per vCPU-hour and GB-hour. The node parameters do not apply.
    pub fargate: bool,
    /// HPA: target CPU utilisation of the pods' request, percent (0: no HPA).
    pub hpa_target_cpu_percent: f64,
    /// HPA: fewest pods.
    pub hpa_min: u32,
    /// HPA: most pods.
    pub hpa_max: u32,
    /// CPU time per request on one vCPU.
    pub service_time: Dist,
    /// Service time per request type.
    pub service_time_by_type: BTreeMap<String, Dist>,
    /// Waiting requests per pod beyond this are refused.
    pub queue_capacity: u32,
    /// Requests older than this time out.
    pub timeout_ms: f64,
}

impl Default for EksParams {
    fn default() -> Self {
        EksParams {
            node_type: "m5.large".into(),
            nodes_min: 2,
            nodes: 2,
            nodes_max: 6,
            subnets: Vec::new(),
            replicas: 2,
            cpu_m: 500,
            memory_mib: 512,
            image_mb: 300.0,
            app_start_s: 5.0,
            readiness_period_s: 10.0,
            readiness_gate: false,
            fargate: false,
            hpa_target_cpu_percent: 60.0,
            hpa_min: 2,
            hpa_max: 10,
            service_time: Dist::exp(20.0),
            service_time_by_type: BTreeMap::new(),
            queue_capacity: 100,
            timeout_ms: 30_000.0,
        }
    }
}

impl EksParams {
    /// What each pod (task) requests.
    pub fn requests(&self) -> crate::containers::Resources {
        crate::containers::Resources { cpu_m: self.cpu_m, memory_mib: self.memory_mib }
    }

    /// The most pods it can have at once (the HPA's maximum, or the replicas without one).
    pub fn max_pods(&self) -> u32 {
        if self.hpa_target_cpu_percent > 0.0 {
            self.hpa_max.max(self.replicas)
        } else {
            self.replicas
        }
    }
}

/// What a database in a disaster-recovery region holds of the primary's data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrCopy {
    /// Not a disaster-recovery copy.
    #[default]
    None,
    /// A cross-region read replica: behind by `replication_lag_ms`, promoted on failover.
    Replica,
    /// Restored from the latest backup copied to its region (every `backup_interval_s`).
    Backup,
}

/// Parameters of an RDS database.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RdsParams {
    /// DB instance class from [`crate::catalog::DB_INSTANCE_CLASSES`].
    pub instance_class: String,
    /// Override of the class's vCPU count.
    pub vcpus: Option<u32>,
    /// Time a simple query takes on one vCPU.
    pub query_time: Dist,
    /// Per request type override of `query_time`.
    pub query_time_by_type: BTreeMap<String, Dist>,
    /// Synchronous standby in another AZ: writes wait for its commit.
    pub multi_az: bool,
    /// Extra time a write waits for the standby's commit.
    pub commit_ms: f64,
    /// Asynchronous read replicas; reads are spread over them.
    pub read_replicas: u32,
    /// How far replicas lag behind the primary (reported, not simulated per row).
    pub replication_lag_ms: f64,
    /// Connections beyond this are refused; default from the class's memory.
    pub max_connections: Option<u32>,
    /// A disaster-recovery copy of a primary in another region (see [`DrCopy`]): once a Route
    /// 53 failover record gives up its primary, it is unavailable for `dr_recovery_s` (the
    /// replica's promotion, or the restore) and then serves. Until then it answers like any
    /// database (the model does not refuse writes to a replica).
    pub dr_copy: DrCopy,
    /// From the failover to serving, s: a replica's promotion, or a restore from backup.
    pub dr_recovery_s: f64,
    /// How often backups reach the disaster-recovery region (`dr_copy: backup`), s: what a
    /// restore loses at most.
    pub backup_interval_s: f64,
}

impl Default for RdsParams {
    fn default() -> Self {
        RdsParams {
            instance_class: "db.m5.large".into(),
            vcpus: None,
            query_time: Dist::logn(2.0, 0.5),
            query_time_by_type: BTreeMap::new(),
            multi_az: true,
            commit_ms: 1.5,
            read_replicas: 0,
            replication_lag_ms: 100.0,
            max_connections: None,
            dr_copy: DrCopy::None,
            dr_recovery_s: 300.0,
            backup_interval_s: 86_400.0,
        }
    }
}

/// Parameters of an ElastiCache cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ElastiCacheParams {
    /// Nodes (shards), each serving one command at a time.
    pub nodes: u32,
    /// Time per command on a node.
    pub service_time: Dist,
    /// Fraction of reads found in the cache.
    pub hit_ratio: f64,
    /// Per request type override of `hit_ratio`.
    pub hit_ratio_by_type: BTreeMap<String, f64>,
    /// Commands waiting per node beyond this are refused.
    pub queue_capacity: u32,
}

impl Default for ElastiCacheParams {
    fn default() -> Self {
        ElastiCacheParams {
            nodes: 1,
            service_time: Dist::exp(0.1),
            hit_ratio: 0.8,
            hit_ratio_by_type: BTreeMap::new(),
            queue_capacity: 10_000,
        }
    }
}

/// Parameters of an S3 bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct S3Params {
    /// Time to first byte of a GET.
    pub get_latency: Dist,
    /// Time to complete a PUT.
    pub put_latency: Dist,
    /// Key prefixes the requests spread over uniformly.
    pub prefixes: u32,
    /// GET/HEAD requests per second each prefix accepts before 503 SlowDown.
    pub get_rps_per_prefix: f64,
    /// PUT/COPY/POST/DELETE requests per second each prefix accepts.
    pub put_rps_per_prefix: f64,
}

impl Default for S3Params {
    fn default() -> Self {
        S3Params {
            get_latency: Dist::logn(30.0, 0.6),
            put_latency: Dist::logn(50.0, 0.6),
            prefixes: 1,
            get_rps_per_prefix: 5500.0,
            put_rps_per_prefix: 3500.0,
        }
    }
}

/// Parameters of a DynamoDB table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DynamoDbParams {
    /// Latency of a read.
    pub read_latency: Dist,
    /// Latency of a write.
    pub write_latency: Dist,
    /// Reads per second before throttling (on-demand table quota by default).
    pub read_capacity_rps: f64,
    /// Writes per second before throttling.
    pub write_capacity_rps: f64,
    /// A global table: every write reaches its copies in the other regions this much later
    /// (what a region's loss takes away). `None`: a regional table.
    pub global_table_lag_ms: Option<f64>,
}

impl Default for DynamoDbParams {
    fn default() -> Self {
        DynamoDbParams {
            read_latency: Dist::logn(4.0, 0.5),
            write_latency: Dist::logn(6.0, 0.5),
            read_capacity_rps: 40_000.0,
            write_capacity_rps: 40_000.0,
            global_table_lag_ms: None,
        }
    }
}

/// Parameters of a Lambda function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LambdaParams {
    /// Handler run time (the environment is held for it and for downstream calls).
    pub duration: Dist,
    /// Extra time when no warm environment is free.
    pub cold_start: Dist,
    /// Concurrent executions before 429 throttling.
    pub concurrency_limit: u32,
    /// How long an idle environment stays warm.
    pub keep_warm_s: f64,
    /// Memory size (informational; CPU share scales with it on AWS).
    pub memory_mb: u32,
}

impl Default for LambdaParams {
    fn default() -> Self {
        LambdaParams {
            duration: Dist::exp(50.0),
            cold_start: Dist::logn(300.0, 0.5),
            concurrency_limit: 1000,
            keep_warm_s: 600.0,
            memory_mb: 512,
        }
    }
}

/// Parameters of an SQS queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SqsParams {
    /// Time for a producer's SendMessage.
    pub send_latency: Dist,
    /// Consumers polling in parallel (each handles one message at a time).
    pub consumer_concurrency: u32,
    /// Messages the queue holds before SendMessage is refused.
    pub max_messages: u32,
}

impl Default for SqsParams {
    fn default() -> Self {
        SqsParams { send_latency: Dist::logn(10.0, 0.5), consumer_concurrency: 10, max_messages: 1_000_000 }
    }
}

/// Why a document could not be loaded. Validation problems are not load errors: they are
/// [`crate::validate::Diagnostic`]s.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not JSON, or JSON of the wrong shape.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The `version` field is absent or not a number.
    #[error("missing or non-numeric \"version\" field (this build reads version {CURRENT_VERSION})")]
    MissingVersion,
    /// Written by a newer (or unknown) format.
    #[error("document version {found} is not supported: this build reads version {CURRENT_VERSION}; update Strata to open it")]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
    },
}

impl Topology {
    /// An empty version-1 document.
    pub fn new(name: impl Into<String>) -> Self {
        Topology {
            version: CURRENT_VERSION,
            name: name.into(),
            description: String::new(),
            request_types: default_request_types(),
            containers: Vec::new(),
            components: Vec::new(),
            connections: Vec::new(),
            network: NetworkParams::default(),
            infrastructure: None,
            experiments: None,
            alarms: None,
            slo: Slo::default(),
            walkthrough: None,
        }
    }

    /// Parses a document, checking its version first so a newer file gets a clear message.
    pub fn from_json(text: &str) -> Result<Topology, LoadError> {
        let syntax =
            |e: serde_json::Error| LoadError::Syntax { line: e.line(), column: e.column(), message: e.to_string() };
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax)?;
        let version = value.get("version").and_then(|v| v.as_u64()).ok_or(LoadError::MissingVersion)?;
        if version != u64::from(CURRENT_VERSION) {
            return Err(LoadError::UnsupportedVersion { found: version });
        }
        // Parse the text again (not the Value) so shape errors keep their line and column.
        serde_json::from_str(text).map_err(syntax)
    }

    /// Pretty JSON for saving.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The component with this id.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// The container with this id.
    pub fn container(&self, id: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.id == id)
    }

    /// The container of `kind` that container `id` is in (itself when it is one), following
    /// parents at most 16 levels up.
    pub fn enclosing(&self, id: Option<&str>, kind: ContainerKind) -> Option<&Container> {
        let mut cur = self.container(id?)?;
        for _ in 0..16 {
            if cur.kind == kind {
                return Some(cur);
            }
            cur = self.container(cur.parent.as_deref()?)?;
        }
        None
    }

    /// Adds a component with default parameters; returns it for tweaking.
    pub fn add(&mut self, id: &str, kind: ComponentKind, container: Option<&str>) -> &mut Component {
        self.components.push(Component {
            id: id.into(),
            label: String::new(),
            position: Position::default(),
            container: container.map(Into::into),
            spec: kind.default_spec(),
        });
        self.components.last_mut().expect("just pushed")
    }

    /// Adds a connection with share 1 and no filter.
    pub fn connect(&mut self, from: &str, to: &str) -> &mut Connection {
        self.connections.push(Connection {
            id: None,
            from: from.into(),
            to: to.into(),
            share: 1.0,
            request_types: Vec::new(),
            port: None,
            resilience: Resilience::default(),
        });
        self.connections.last_mut().expect("just pushed")
    }
}

/// A parsed IPv4 CIDR block: the network layer's [`crate::layers::network::Ipv4Cidr`], the one
/// CIDR type of the crate. [`Cidr::parse`] reads the text of a container's `cidr`.
pub use crate::layers::network::Ipv4Cidr as Cidr;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_component_gets_defaults() {
        let t = Topology::from_json(
            r#"{"version":1,"components":[{"id":"web","kind":"ec2","future_field":3}],"later":true}"#,
        )
        .unwrap();
        match &t.components[0].spec {
            ComponentSpec::Ec2(p) => assert_eq!(p.instance_type, "t3.medium"),
            other => panic!("wrong kind {other:?}"),
        }
        assert_eq!(t.request_types[0].name, "default");
    }

    #[test]
    fn newer_version_is_refused_clearly() {
        let e = Topology::from_json(r#"{"version":2,"components":[]}"#).unwrap_err();
        assert!(matches!(e, LoadError::UnsupportedVersion { found: 2 }));
        assert!(e.to_string().contains("version 2"));
        assert!(matches!(Topology::from_json("{}").unwrap_err(), LoadError::MissingVersion));
        assert!(matches!(Topology::from_json(r#"{"version":"1"}"#).unwrap_err(), LoadError::MissingVersion));
        assert!(matches!(Topology::from_json(r#"{"version":1.5}"#).unwrap_err(), LoadError::MissingVersion));
        assert!(matches!(Topology::from_json("[]").unwrap_err(), LoadError::MissingVersion));
        assert!(matches!(Topology::from_json("{\"version\":1,").unwrap_err(), LoadError::Syntax { line: 1, .. }));
        assert!(matches!(Topology::from_json("{\"version\" 1}").unwrap_err(), LoadError::Syntax { line: 1, .. }));
        let e = Topology::from_json("{\"version\":1,\n\"components\":[{\"id\":\"x\",\"kind\":\"nope\"}]}").unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 2, .. }), "{e}");
    }

    #[test]
    fn distributions_and_arrivals_read_as_written() {
        let dist = |t: &str| serde_json::from_str::<Dist>(t).map_err(|e| e.to_string());
        assert_eq!(
            dist(r#"{"dist":"log_normal","mean_ms":2.0,"cv":0.5}"#),
            Ok(Dist::LogNormal { mean_ms: 2.0, cv: 0.5 })
        );
        assert_eq!(dist(r#"{"ms":3,"dist":"constant","note":1}"#), Ok(Dist::Constant { ms: 3.0 }));
        let e = dist(r#"{"dist":"uniform","min_ms":1}"#).unwrap_err();
        assert!(e.starts_with("missing field `max_ms`"), "{e}");
        let e = dist(r#"{"dist":"pareto","mean_ms":1}"#).unwrap_err();
        assert!(e.starts_with("unknown variant `pareto`, expected one of `constant`"), "{e}");
        assert!(dist(r#"{"mean_ms":1}"#).unwrap_err().starts_with("missing field `dist`"));
        let arrival = |t: &str| serde_json::from_str::<Arrival>(t).map_err(|e| e.to_string());
        assert_eq!(
            arrival(r#"{"pattern":"ramp","from_rps":1,"to_rps":5,"duration_s":10}"#),
            Ok(Arrival::Ramp { from_rps: 1.0, to_rps: 5.0, start_s: 0.0, duration_s: 10.0 })
        );
        assert_eq!(
            arrival(r#"{"pattern":"daily_cycle","mean_rps":100,"amplitude":0.5}"#),
            Ok(Arrival::DailyCycle { mean_rps: 100.0, amplitude: 0.5, period_s: 86_400.0, peak_at_s: 0.0 })
        );
        let e = arrival(r#"{"pattern":"spike","base_rps":1,"peak_rps":2,"duration_s":3}"#).unwrap_err();
        assert!(e.starts_with("missing field `at_s`"), "{e}");
        // Written back tagged, as before.
        let spike = Arrival::Spike { base_rps: 1.0, peak_rps: 2.0, at_s: 3.0, duration_s: 4.0 };
        let text = serde_json::to_string(&spike).unwrap();
        assert!(text.starts_with(r#"{"pattern":"spike","#), "{text}");
        assert_eq!(arrival(&text), Ok(spike));
        // In a document, the message keeps its line.
        let e = Topology::from_json(
            "{\"version\":1,\n\"components\":[{\"id\":\"u\",\"kind\":\"client\",\n\"arrival\":{\"pattern\":\"constant\"}}]}",
        )
        .unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("missing field `rate_rps`"), "{e}");
    }

    #[test]
    fn round_trips_every_kind() {
        let mut t = Topology::new("all");
        for (i, k) in ComponentKind::ALL.iter().enumerate() {
            t.add(&format!("c{i}"), *k, None);
        }
        let back = Topology::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t);
        assert!(t.to_json().contains("\"kind\": \"elasticache\""));
    }

    #[test]
    fn cidr_math() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        let a = Cidr::parse("10.0.1.0/24").unwrap();
        let b = Cidr::parse("10.0.1.128/25").unwrap();
        let out = Cidr::parse("10.1.0.0/24").unwrap();
        assert!(vpc.contains(&a) && a.overlaps(&b) && !vpc.contains(&out));
        assert!(Cidr::parse("10.0.0/16").is_err() && Cidr::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn arrival_patterns() {
        let r = Arrival::Ramp { from_rps: 10.0, to_rps: 30.0, start_s: 10.0, duration_s: 10.0 };
        assert_eq!(r.rate_at(15.0), 20.0);
        let d = Arrival::DailyCycle { mean_rps: 100.0, amplitude: 0.5, period_s: 100.0, peak_at_s: 0.0 };
        assert!((d.rate_at(0.0) - 150.0).abs() < 1e-9 && (d.rate_at(50.0) - 50.0).abs() < 1e-9);
        assert_eq!(d.max_rate(), 150.0);
    }
}
