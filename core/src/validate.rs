//! Checks a topology and reports what is wrong with it. Validation never fails: it returns a
//! list of [`Diagnostic`]s, each naming the element it is about, so the editor can underline it.
//!
//! Errors make a topology impossible to simulate ([`crate::sim::Simulation::new`] refuses it);
//! warnings describe something that runs but probably is not what the author meant.

use crate::catalog::{self, Outgoing};
use crate::topology::{Cidr, ComponentKind, ComponentSpec, ContainerKind, Dist, Topology};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The topology cannot be simulated.
    Error,
    /// It runs, but probably not as intended.
    Warning,
}

/// Stable identifiers of findings (they never change meaning; new ones may be added).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// An id that names nothing (component, container, request type).
    UnknownReference,
    /// Two elements share an id.
    DuplicateId,
    /// Requests can circle forever: a cycle no request can leave.
    CycleWithoutExit,
    /// A cycle that requests can leave (they stop after 64 hops).
    Cycle,
    /// A CIDR block that does not parse.
    InvalidCidr,
    /// A subnet's block is not inside its VPC's.
    SubnetOutsideVpc,
    /// Two subnets of one VPC overlap.
    SubnetsOverlap,
    /// A container nested under the wrong kind of parent.
    BadNesting,
    /// A component no client request can reach.
    Unreachable,
    /// A parameter outside its valid range.
    InvalidParameter,
    /// Routing shares that do not add up to 1 (they are normalised).
    SharesDoNotSum,
    /// A component that must forward requests has nowhere to send some of them.
    NoRoute,
    /// Outgoing connections the kind ignores.
    IgnoredConnection,
    /// No client population: nothing will happen.
    NoTraffic,
    /// A component placed in a container that does not suit it.
    Placement,
    /// Part of the `infrastructure` that could not be built or placed (it is left out).
    Infrastructure,
    /// The network layer (routes, NACLs, security groups) blocks a connection: its requests
    /// will fail with `network_blocked`.
    NetworkBlocked,
    /// An experiment that cannot run as written: an unknown or unsuitable target, an impossible
    /// parameter or time (see [`crate::experiment`]).
    Experiment,
    /// An alarm that cannot work as written: an unknown component, a metric or action that
    /// does not suit it, impossible numbers (see [`crate::alarms`]).
    Alarm,
    /// A walkthrough step that names nothing or asks the impossible (see
    /// [`crate::walkthrough`]); a warning, since a walkthrough never changes a run.
    Walkthrough,
}

impl Code {
    /// The snake_case name as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnknownReference => "unknown_reference",
            Code::DuplicateId => "duplicate_id",
            Code::CycleWithoutExit => "cycle_without_exit",
            Code::Cycle => "cycle",
            Code::InvalidCidr => "invalid_cidr",
            Code::SubnetOutsideVpc => "subnet_outside_vpc",
            Code::SubnetsOverlap => "subnets_overlap",
            Code::BadNesting => "bad_nesting",
            Code::Unreachable => "unreachable",
            Code::InvalidParameter => "invalid_parameter",
            Code::SharesDoNotSum => "shares_do_not_sum",
            Code::NoRoute => "no_route",
            Code::IgnoredConnection => "ignored_connection",
            Code::NoTraffic => "no_traffic",
            Code::Placement => "placement",
            Code::Infrastructure => "infrastructure",
            Code::NetworkBlocked => "network_blocked",
            Code::Experiment => "experiment",
            Code::Alarm => "alarm",
            Code::Walkthrough => "walkthrough",
        }
    }
}

/// The element a diagnostic is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Element {
    /// A component, by id.
    Component(String),
    /// A connection, by index in `connections`.
    Connection(usize),
    /// A container, by id.
    Container(String),
    /// A request type, by name.
    RequestType(String),
    /// A part of the `infrastructure` section, by path (e.g. `instances[2] (api)`).
    Infrastructure(String),
    /// An experiment or one of its actions, by path (e.g. `lose-az.actions[0] (az-outage)`).
    Experiment(String),
    /// The document as a whole.
    Document,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// How bad.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// What is wrong, for a person.
    pub message: String,
    /// What it is about.
    pub element: Element,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let el = match &self.element {
            Element::Component(id) => format!("component `{id}`"),
            Element::Connection(i) => format!("connection #{i}"),
            Element::Container(id) => format!("container `{id}`"),
            Element::RequestType(n) => format!("request type `{n}`"),
            Element::Infrastructure(p) => format!("infrastructure `{p}`"),
            Element::Experiment(p) => format!("experiment `{p}`"),
            Element::Document => "document".into(),
        };
        write!(f, "{sev}[{}] {el}: {}", self.code.as_str(), self.message)
    }
}

/// Everything validation found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Validation {
    /// Findings, errors first, then in document order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Validation {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }
    /// Whether a finding with this code exists.
    pub fn has(&self, code: Code) -> bool {
        self.diagnostics.iter().any(|d| d.code == code)
    }
}

struct Out(Vec<Diagnostic>);

impl Out {
    fn err(&mut self, code: Code, element: Element, message: String) {
        self.0.push(Diagnostic { severity: Severity::Error, code, message, element });
    }
    fn warn(&mut self, code: Code, element: Element, message: String) {
        self.0.push(Diagnostic { severity: Severity::Warning, code, message, element });
    }
}

/// A container kind in words, for messages.
fn container_word(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Region => "region",
        ContainerKind::Az => "availability zone",
        ContainerKind::Vpc => "VPC",
        ContainerKind::Subnet => "subnet",
    }
}

/// Checks `topology`. Never fails.
pub fn validate(topology: &Topology) -> Validation {
    let mut out = Out(Vec::new());
    let t = topology;

    // Request types.
    let mut types = BTreeSet::new();
    for rt in &t.request_types {
        let el = Element::RequestType(rt.name.clone());
        if !types.insert(rt.name.as_str()) {
            out.err(Code::DuplicateId, el.clone(), format!("request type `{}` is declared twice", rt.name));
        }
        if !rt.share.is_finite() || rt.share < 0.0 {
            out.err(Code::InvalidParameter, el, format!("share {} must be a non-negative number", rt.share));
        }
    }
    if t.request_types.is_empty() {
        out.err(Code::InvalidParameter, Element::Document, "at least one request type is needed".into());
    } else if t.request_types.len() > 64 {
        out.err(Code::InvalidParameter, Element::Document, "at most 64 request types are supported".into());
    }

    // Containers.
    let mut containers: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in t.containers.iter().enumerate() {
        if containers.insert(c.id.as_str(), i).is_some() {
            out.err(
                Code::DuplicateId,
                Element::Container(c.id.clone()),
                format!("container id `{}` is used twice", c.id),
            );
        }
    }
    let mut cidrs: BTreeMap<&str, Cidr> = BTreeMap::new();
    for c in &t.containers {
        let el = Element::Container(c.id.clone());
        let parent = c.parent.as_deref().and_then(|p| containers.get(p).map(|&i| &t.containers[i]));
        if let Some(p) = &c.parent {
            if parent.is_none() {
                out.err(Code::UnknownReference, el.clone(), format!("parent `{p}` does not exist"));
            }
        }
        let allowed: &[ContainerKind] = match c.kind {
            ContainerKind::Region => &[],
            ContainerKind::Az => &[ContainerKind::Region],
            ContainerKind::Vpc => &[ContainerKind::Region, ContainerKind::Az],
            ContainerKind::Subnet => &[ContainerKind::Vpc],
        };
        match (parent, c.kind) {
            (None, ContainerKind::Region) => {}
            (None, k) if c.parent.is_none() => {
                let within = allowed.iter().map(|&a| container_word(a)).collect::<Vec<_>>().join(" or ");
                let k = container_word(k);
                let a = if k.starts_with('a') { "an" } else { "a" };
                out.err(Code::BadNesting, el.clone(), format!("{a} {k} must be inside a {within}"));
            }
            (Some(p), k) if !allowed.contains(&p.kind) => {
                let (k, pk) = (container_word(k), container_word(p.kind));
                let a = if k.starts_with('a') { "an" } else { "a" };
                out.err(Code::BadNesting, el.clone(), format!("{a} {k} cannot sit inside the {pk} `{}`", p.id));
            }
            _ => {}
        }
        if let Some(az) = &c.az {
            if !t.containers.iter().any(|x| x.id == *az && x.kind == ContainerKind::Az) {
                out.err(Code::UnknownReference, el.clone(), format!("AZ `{az}` does not exist"));
            }
        }
        match (c.kind, &c.cidr) {
            (ContainerKind::Vpc | ContainerKind::Subnet, Some(text)) => match Cidr::parse(text) {
                Ok(cidr) => {
                    cidrs.insert(c.id.as_str(), cidr);
                }
                Err(e) => out.err(Code::InvalidCidr, el.clone(), e),
            },
            (ContainerKind::Vpc, None) => out.err(Code::InvalidCidr, el.clone(), "a VPC needs a CIDR block".into()),
            (ContainerKind::Subnet, None) => {
                out.err(Code::InvalidCidr, el.clone(), "a subnet needs a CIDR block".into())
            }
            _ => {}
        }
        if c.kind == ContainerKind::Vpc {
            if let Some(cidr) = cidrs.get(c.id.as_str()) {
                let private = [("10.0.0.0/8"), ("172.16.0.0/12"), ("192.168.0.0/16")]
                    .iter()
                    .any(|r| Cidr::parse(r).map(|r| r.contains(cidr)).unwrap_or(false));
                if !private {
                    out.warn(Code::InvalidCidr, el.clone(), "VPC block is outside the RFC 1918 private ranges".into());
                }
                if !(16..=28).contains(&cidr.prefix) {
                    out.err(Code::InvalidCidr, el.clone(), format!("VPC prefix /{} is outside /16../28", cidr.prefix));
                }
            }
        }
    }
    for c in t.containers.iter().filter(|c| c.kind == ContainerKind::Subnet) {
        let (Some(sub), Some(vpc_id)) = (cidrs.get(c.id.as_str()), c.parent.as_deref()) else { continue };
        if let Some(vpc) = cidrs.get(vpc_id) {
            if !vpc.contains(sub) {
                out.err(
                    Code::SubnetOutsideVpc,
                    Element::Container(c.id.clone()),
                    format!(
                        "{} is not inside VPC `{vpc_id}` ({})",
                        c.cidr.as_deref().unwrap_or(""),
                        t.container(vpc_id).and_then(|v| v.cidr.as_deref()).unwrap_or("")
                    ),
                );
            }
        }
    }
    let subnets: Vec<_> = t.containers.iter().filter(|c| c.kind == ContainerKind::Subnet).collect();
    for (i, a) in subnets.iter().enumerate() {
        for b in &subnets[i + 1..] {
            if a.parent != b.parent {
                continue;
            }
            if let (Some(x), Some(y)) = (cidrs.get(a.id.as_str()), cidrs.get(b.id.as_str())) {
                if x.overlaps(y) {
                    out.err(
                        Code::SubnetsOverlap,
                        Element::Container(b.id.clone()),
                        format!("overlaps subnet `{}` in the same VPC", a.id),
                    );
                }
            }
        }
    }

    // Components.
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, c) in t.components.iter().enumerate() {
        if ids.insert(c.id.as_str(), i).is_some() {
            out.err(
                Code::DuplicateId,
                Element::Component(c.id.clone()),
                format!("component id `{}` is used twice", c.id),
            );
        }
        if containers.contains_key(c.id.as_str()) {
            out.err(Code::DuplicateId, Element::Component(c.id.clone()), format!("`{}` is also a container id", c.id));
        }
    }
    for c in &t.components {
        let el = Element::Component(c.id.clone());
        let container = c.container.as_deref().and_then(|id| containers.get(id).map(|&i| &t.containers[i]));
        if let Some(id) = &c.container {
            if container.is_none() {
                out.err(Code::UnknownReference, el.clone(), format!("container `{id}` does not exist"));
            }
        }
        let kind = c.spec.kind();
        let placed_in = container.map(|c| c.kind);
        match kind {
            ComponentKind::Ec2 | ComponentKind::Rds | ComponentKind::Elasticache | ComponentKind::Alb
                if c.container.is_some() && !matches!(placed_in, Some(ContainerKind::Subnet | ContainerKind::Vpc)) =>
            {
                out.warn(
                    Code::Placement,
                    el.clone(),
                    format!("a {} usually sits in a subnet", catalog::kind_info(kind).name),
                );
            }
            ComponentKind::Client if matches!(placed_in, Some(ContainerKind::Vpc | ContainerKind::Subnet)) => {
                out.warn(
                    Code::Placement,
                    el.clone(),
                    "clients are outside the cloud: put them in a region (or nowhere)".into(),
                );
            }
            _ => {}
        }
        check_params(&mut out, t, &types, &el, &c.spec, &containers);
    }
    if !t.components.iter().any(|c| c.spec.kind() == ComponentKind::Client) {
        out.warn(Code::NoTraffic, Element::Document, "no client population: the simulation will be idle".into());
    }

    // Connections.
    for (i, conn) in t.connections.iter().enumerate() {
        let el = Element::Connection(i);
        for problem in crate::resilience::check(&conn.resilience) {
            out.err(Code::InvalidParameter, el.clone(), format!("{} ({})", problem, conn.label()));
        }
        for end in [&conn.from, &conn.to] {
            if !ids.contains_key(end.as_str()) {
                out.err(
                    Code::UnknownReference,
                    el.clone(),
                    format!("component `{end}` does not exist ({})", conn.label()),
                );
            }
        }
        if !conn.share.is_finite() || conn.share < 0.0 {
            out.err(Code::InvalidParameter, el.clone(), format!("share {} must be a non-negative number", conn.share));
        }
        for rt in &conn.request_types {
            if !types.contains(rt.as_str()) {
                out.err(Code::UnknownReference, el.clone(), format!("request type `{rt}` is not declared"));
            }
        }
        if let Some(&to) = ids.get(conn.to.as_str()) {
            if t.components[to].spec.kind() == ComponentKind::Client {
                out.err(Code::InvalidParameter, el.clone(), "a client population cannot be called".into());
            }
        }
        if let Some(&from) = ids.get(conn.from.as_str()) {
            let kind = t.components[from].spec.kind();
            if catalog::kind_info(kind).outgoing == Outgoing::None {
                out.warn(
                    Code::IgnoredConnection,
                    el.clone(),
                    format!("a {kind} makes no calls; this connection is ignored"),
                );
            }
        }
    }

    // Routing: every forwarding component must have a route for every type, shares should sum.
    let outgoing = |from: &str, rt: &str| -> Vec<(usize, f64)> {
        t.connections
            .iter()
            .enumerate()
            .filter(|(_, c)| c.from == from && ids.contains_key(c.to.as_str()))
            .filter(|(_, c)| c.request_types.is_empty() || c.request_types.iter().any(|x| x == rt))
            .map(|(i, c)| (i, c.share))
            .collect()
    };
    for c in &t.components {
        let kind = c.spec.kind();
        let mode = catalog::kind_info(kind).outgoing;
        if !matches!(mode, Outgoing::Route | Outgoing::Deliver) {
            continue;
        }
        for rt in &t.request_types {
            let outs = outgoing(&c.id, &rt.name);
            if outs.is_empty() {
                if kind == ComponentKind::Client {
                    out.err(
                        Code::NoRoute,
                        Element::Component(c.id.clone()),
                        format!("no connection carries `{}` requests anywhere", rt.name),
                    );
                }
                continue;
            }
            let sum: f64 = outs.iter().map(|o| o.1).sum();
            if sum <= 0.0 {
                out.err(
                    Code::SharesDoNotSum,
                    Element::Component(c.id.clone()),
                    format!("every connection for `{}` has share 0", rt.name),
                );
            } else if outs.len() > 1
                && outs.iter().all(|o| o.1 <= 1.0)
                && (sum - 1.0).abs() > 1e-6
                && kind != ComponentKind::Alb
            {
                out.warn(
                    Code::SharesDoNotSum,
                    Element::Component(c.id.clone()),
                    format!("shares for `{}` sum to {sum:.3}, not 1; they are used as relative weights", rt.name),
                );
            }
        }
    }

    // Reachability from clients.
    let mut reached = vec![false; t.components.len()];
    let mut stack: Vec<usize> =
        (0..t.components.len()).filter(|&i| t.components[i].spec.kind() == ComponentKind::Client).collect();
    for &i in &stack {
        reached[i] = true;
    }
    while let Some(i) = stack.pop() {
        for conn in t.connections.iter().filter(|c| c.from == t.components[i].id) {
            if let Some(&j) = ids.get(conn.to.as_str()) {
                if !reached[j] {
                    reached[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    let has_clients = t.components.iter().any(|c| c.spec.kind() == ComponentKind::Client);
    for (i, c) in t.components.iter().enumerate() {
        if has_clients && !reached[i] && ids.get(c.id.as_str()) == Some(&i) {
            out.warn(
                Code::Unreachable,
                Element::Component(c.id.clone()),
                "no client request can reach this component".into(),
            );
        }
    }

    // Cycles (Tarjan's strongly connected components over the component graph).
    let n = t.components.len();
    let mut adj = vec![Vec::new(); n];
    for conn in &t.connections {
        if let (Some(&a), Some(&b)) = (ids.get(conn.from.as_str()), ids.get(conn.to.as_str())) {
            if catalog::kind_info(t.components[a].spec.kind()).outgoing != Outgoing::None {
                adj[a].push(b);
            }
        }
    }
    for scc in strongly_connected(&adj) {
        let cyclic = scc.len() > 1 || adj[scc[0]].contains(&scc[0]);
        if !cyclic {
            continue;
        }
        let members: BTreeSet<usize> = scc.iter().copied().collect();
        let leaves = scc.iter().any(|&v| adj[v].iter().any(|w| !members.contains(w)));
        // A cache can answer without forwarding; that is an exit too.
        let answers =
            scc.iter().any(|&v| matches!(catalog::kind_info(t.components[v].spec.kind()).outgoing, Outgoing::OnMiss));
        let names: Vec<&str> = scc.iter().map(|&v| t.components[v].id.as_str()).collect();
        let first = Element::Component(t.components[*scc.iter().min().unwrap_or(&0)].id.clone());
        if !leaves && !answers {
            out.err(Code::CycleWithoutExit, first, format!("requests entering {names:?} can never leave"));
        } else {
            out.warn(Code::Cycle, first, format!("{names:?} form a cycle; requests stop after 64 hops"));
        }
    }

    check_network(&mut out, &t.network);

    match t.infrastructure.as_ref().map(|i| i.config()) {
        Some(Ok(cfg)) => check_layers(&mut out, t, &cfg),
        Some(Err(e)) => {
            out.err(Code::Infrastructure, Element::Document, format!("the infrastructure does not read: {e}"))
        }
        None => {}
    }

    let slo = t.slo.availability_percent;
    if !(slo.is_finite() && slo > 0.0 && slo < 100.0) {
        out.err(
            Code::InvalidParameter,
            Element::Document,
            format!("slo.availability_percent {slo} must be above 0 and below 100 (e.g. 99.9)"),
        );
    }
    out.0.extend(crate::experiment::check(t));
    out.0.extend(crate::alarms::check(t));
    // Warnings: a walkthrough never changes a run, so it never stops one (an experiment it
    // names may be renamed or deleted while the design is edited).
    match t.walkthrough() {
        Some(Ok(w)) => {
            for (at, m) in w.problems(t) {
                out.warn(Code::Walkthrough, Element::Document, format!("{at}: {m}"));
            }
        }
        Some(Err(e)) => out.warn(Code::Walkthrough, Element::Document, format!("the walkthrough does not read: {e}")),
        None => {}
    }

    out.0.sort_by_key(|d| d.severity);
    Validation { diagnostics: out.0 }
}

/// The parameter errors of component `index` alone: what an edit of its parameters can break,
/// worded as [`validate`] words them (its `InvalidParameter` errors on that component). Much
/// cheaper than [`validate`]: it needs none of the layers, so the editor checks an edit with it
/// before accepting it.
pub fn parameter_problems(t: &Topology, index: usize) -> Vec<String> {
    let Some(c) = t.components.get(index) else { return Vec::new() };
    let types: BTreeSet<&str> = t.request_types.iter().map(|r| r.name.as_str()).collect();
    let containers: BTreeMap<&str, usize> = t.containers.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let mut out = Out(Vec::new());
    check_params(&mut out, t, &types, &Element::Component(c.id.clone()), &c.spec, &containers);
    out.0.into_iter().filter(|d| d.code == Code::InvalidParameter).map(|d| d.message).collect()
}

/// What the layers report: parts that could not be built, and connections the network blocks
/// (the same evaluation the engine applies to every request).
fn check_layers(out: &mut Out, t: &Topology, cfg: &crate::layers::InfrastructureConfig) {
    let a = crate::layers::attach::attach(t, cfg, 0);
    for d in a.diagnostics {
        // `components[web]` and `instances[3] (web)` concern the component when it exists.
        let named = d
            .path
            .strip_prefix("components[")
            .and_then(|p| p.strip_suffix(']'))
            .or_else(|| d.path.split_once(" (").and_then(|(_, n)| n.strip_suffix(')')));
        let element = match named {
            Some(id) if t.component(id).is_some() => Element::Component(id.to_string()),
            _ => Element::Infrastructure(d.path.clone()),
        };
        out.warn(Code::Infrastructure, element, d.message);
    }
    for p in a.paths.iter().filter(|p| !p.report.reachable) {
        let reason = p.report.reason().unwrap_or("blocked");
        let msg =
            format!("{} cannot reach {} on port {}: {reason}", t.components[p.from].id, t.components[p.to].id, p.port);
        out.warn(Code::NetworkBlocked, Element::Connection(p.connection), msg);
    }
}

/// The highest arrival rate of one client population, requests per second. Above it the gaps
/// between arrivals approach the engine's 1 ns time step.
pub const MAX_RATE_RPS: f64 = 1e7;
/// The longest latency, service time or processing time a parameter may describe (1 hour), ms.
pub const MAX_LATENCY_MS: f64 = 3_600_000.0;
/// The longest network round trip, ms: a one-way hop of half of it must fit the engine's
/// per-hop field (about 4.29 s), even when an internet and a cross-region hop add up.
pub const MAX_RTT_MS: f64 = 4_000.0;
/// The longest period, timeout or TTL a parameter may describe (30 days, the longest run), s.
pub const MAX_PERIOD_S: f64 = 30.0 * 86_400.0;
/// The shortest interval of a periodic check (health checks, scaling evaluations), s.
pub const MIN_INTERVAL_S: f64 = 0.01;
/// The most worker processes an instance may have.
pub const MAX_WORKERS: u32 = 100_000;
/// The largest coefficient of variation of a log-normal distribution.
pub const MAX_CV: f64 = 100.0;

/// The problem with a random duration, including values too large to simulate.
fn dist_problem(d: &Dist) -> Option<String> {
    if let Some(p) = d.problem() {
        return Some(p);
    }
    let upper = match *d {
        Dist::Constant { ms } => ms,
        Dist::Exponential { mean_ms } | Dist::LogNormal { mean_ms, .. } => mean_ms,
        Dist::Uniform { max_ms, .. } => max_ms,
    };
    if upper > MAX_LATENCY_MS {
        return Some(format!("{upper} ms exceeds the simulator's limit of 1 hour ({MAX_LATENCY_MS} ms)"));
    }
    if let Dist::LogNormal { cv, .. } = *d {
        if cv > MAX_CV {
            return Some(format!("log-normal cv {cv} exceeds {MAX_CV}"));
        }
    }
    None
}

/// The problem with a duration parameter in milliseconds that must lie within `0..=max_ms`.
fn ms_problem(v: f64, max_ms: f64) -> Option<String> {
    limit_problem(v, max_ms, "ms")
}

/// The problem with a non-negative quantity in `unit` that must not exceed `max`.
fn limit_problem(v: f64, max: f64, unit: &str) -> Option<String> {
    if !v.is_finite() || v < 0.0 {
        Some(format!("{v} {unit} must be zero or more"))
    } else if v > max {
        Some(format!("{v} {unit} exceeds the simulator's limit of {max} {unit}"))
    } else {
        None
    }
}

/// The network round trips (`network.*`): non-negative and at most [`MAX_RTT_MS`].
fn check_network(out: &mut Out, n: &crate::topology::NetworkParams) {
    for (name, v) in [
        ("same_az_rtt_ms", n.same_az_rtt_ms),
        ("cross_az_rtt_ms", n.cross_az_rtt_ms),
        ("cross_region_rtt_ms", n.cross_region_rtt_ms),
        ("internet_rtt_ms", n.internet_rtt_ms),
    ] {
        if let Some(p) = ms_problem(v, MAX_RTT_MS) {
            out.err(Code::InvalidParameter, Element::Document, format!("network.{name}: {p}"));
        }
    }
}

fn check_params(
    out: &mut Out,
    t: &Topology,
    types: &BTreeSet<&str>,
    el: &Element,
    spec: &ComponentSpec,
    containers: &BTreeMap<&str, usize>,
) {
    let mut bad = |what: &str, msg: String| out.err(Code::InvalidParameter, el.clone(), format!("{what}: {msg}"));
    let mut unknown_types: Vec<String> = Vec::new();
    let mut check_types = |keys: &mut dyn Iterator<Item = &String>| {
        for k in keys {
            if !types.contains(k.as_str()) {
                unknown_types.push(k.clone());
            }
        }
    };
    let nonneg = |v: f64| v.is_finite() && v >= 0.0;
    // False for NaN too.
    let pos = |v: f64| v > 0.0;
    let ratio = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
    let dist = |bad: &mut dyn FnMut(&str, String), name: &str, d: &Dist| {
        if let Some(p) = dist_problem(d) {
            bad(name, p);
        }
    };
    // A duration in ms within 0..=max.
    let ms = |bad: &mut dyn FnMut(&str, String), name: &str, v: f64, max: f64| {
        if let Some(p) = ms_problem(v, max) {
            bad(name, p);
        }
    };
    // A span in seconds within 0..=30 days.
    let secs = |bad: &mut dyn FnMut(&str, String), name: &str, v: f64| {
        if let Some(p) = limit_problem(v, MAX_PERIOD_S, "s") {
            bad(name, p);
        }
    };
    // A period in seconds within MIN_INTERVAL_S..=MAX_PERIOD_S.
    let interval = |bad: &mut dyn FnMut(&str, String), name: &str, v: f64| {
        if !(MIN_INTERVAL_S..=MAX_PERIOD_S).contains(&v) {
            bad(name, format!("{v} s must be between {MIN_INTERVAL_S} s and {MAX_PERIOD_S} s (30 days)"));
        }
    };
    // A health check's timeout: positive and shorter than its interval (AWS refuses a timeout
    // as long as the interval: the next check would start before the last one ended).
    let check_timeout = |bad: &mut dyn FnMut(&str, String), timeout: Option<f64>, interval: f64| {
        let Some(timeout) = timeout else { return };
        if !pos(timeout) {
            bad("health_check_timeout_s", format!("{timeout} s must be positive"));
        } else if timeout >= interval {
            bad(
                "health_check_timeout_s",
                format!("{timeout} s must be shorter than health_check_interval_s ({interval} s)"),
            );
        }
    };
    // The subnets a group spreads over: each one known, and a subnet.
    let subnets = |bad: &mut dyn FnMut(&str, String), list: &[String]| {
        for s in list {
            match containers.get(s.as_str()).map(|&i| t.containers[i].kind) {
                None => out_unknown(bad, s),
                Some(ContainerKind::Subnet) => {}
                Some(_) => bad("subnets", format!("`{s}` is not a subnet")),
            }
        }
    };
    // A worker pool: absent, or 1..=MAX_WORKERS.
    let workers = |bad: &mut dyn FnMut(&str, String), w: Option<u32>| match w {
        Some(0) => bad("workers", "zero workers would serve nothing: at least one, or none for no pool".into()),
        Some(w) if w > MAX_WORKERS => bad("workers", format!("{w} exceeds the simulator's limit of {MAX_WORKERS}")),
        _ => {}
    };
    match spec {
        ComponentSpec::Client(p) => {
            for r in p.arrival.rates() {
                if !nonneg(r) {
                    bad("arrival", format!("rate {r} req/s must be zero or more"));
                }
            }
            let peak = p.arrival.max_rate();
            if p.arrival.rates().into_iter().all(nonneg) && peak > MAX_RATE_RPS {
                bad(
                    "arrival",
                    format!("peak rate {peak} req/s exceeds the simulator's 10 million requests/s per population"),
                );
            }
            let instant = |v: f64| v.is_finite() && v.abs() <= MAX_PERIOD_S;
            match p.arrival {
                crate::topology::Arrival::DailyCycle { amplitude, period_s, peak_at_s, .. } => {
                    if !ratio(amplitude) {
                        bad("arrival.amplitude", format!("{amplitude} must be within 0..1"));
                    }
                    if !(1.0..=MAX_PERIOD_S).contains(&period_s) {
                        bad(
                            "arrival.period_s",
                            format!("{period_s} s must be between 1 s and {MAX_PERIOD_S} s (30 days)"),
                        );
                    }
                    if !instant(peak_at_s) {
                        bad("arrival.peak_at_s", format!("{peak_at_s} s is not a time within 30 days"));
                    }
                }
                crate::topology::Arrival::Ramp { start_s, duration_s, .. } => {
                    if !instant(start_s) {
                        bad("arrival.start_s", format!("{start_s} s is not a time within 30 days"));
                    }
                    if !(duration_s.is_finite() && (0.0..=MAX_PERIOD_S).contains(&duration_s)) {
                        bad(
                            "arrival.duration_s",
                            format!("{duration_s} s must be between 0 and {MAX_PERIOD_S} s (30 days)"),
                        );
                    }
                }
                crate::topology::Arrival::Spike { at_s, duration_s, .. } => {
                    if !instant(at_s) {
                        bad("arrival.at_s", format!("{at_s} s is not a time within 30 days"));
                    }
                    if !(duration_s.is_finite() && (0.0..=MAX_PERIOD_S).contains(&duration_s)) {
                        bad(
                            "arrival.duration_s",
                            format!("{duration_s} s must be between 0 and {MAX_PERIOD_S} s (30 days)"),
                        );
                    }
                }
                crate::topology::Arrival::Constant { .. } => {}
            }
            if p.mix.values().any(|v| !nonneg(*v)) || (!p.mix.is_empty() && p.mix.values().sum::<f64>() <= 0.0) {
                bad("mix", "shares must be non-negative and not all zero".into());
            }
            check_types(&mut p.mix.keys());
            if !pos(p.timeout_ms) {
                bad("timeout_ms", format!("{} must be positive", p.timeout_ms));
            }
            if let Some(a) = p.slo.availability_percent {
                if !(a > 0.0 && a < 100.0) {
                    bad("slo.availability_percent", format!("{a} must be above 0 and below 100 (e.g. 99.9)"));
                }
            }
            if let Some(l) = p.slo.latency {
                if !(l.percentile > 0.0 && l.percentile < 100.0) {
                    bad("slo.latency.percentile", format!("{} must be above 0 and below 100 (e.g. 99)", l.percentile));
                }
                if !(pos(l.target_ms) && l.target_ms <= MAX_LATENCY_MS) {
                    bad(
                        "slo.latency.target_ms",
                        format!("{} ms must be above 0 and at most {MAX_LATENCY_MS} ms", l.target_ms),
                    );
                }
            }
        }
        ComponentSpec::Route53(p) => {
            secs(&mut bad, "ttl_s", p.ttl_s);
            ms(&mut bad, "query_ms", p.query_ms, MAX_LATENCY_MS);
            if p.resolvers == 0 {
                bad("resolvers", "at least one resolver is needed".into());
            }
            interval(&mut bad, "health_check_interval_s", p.health_check_interval_s);
            check_timeout(&mut bad, p.health_check_timeout_s, p.health_check_interval_s);
            if p.failure_threshold == 0 {
                bad("failure_threshold", "0 checks can never change a target's health: at least 1".into());
            }
        }
        ComponentSpec::Cloudfront(p) => {
            if !ratio(p.hit_ratio) {
                bad("hit_ratio", format!("{} is outside [0, 1]", p.hit_ratio));
            }
            for (k, v) in &p.hit_ratio_by_type {
                if !ratio(*v) {
                    bad("hit_ratio_by_type", format!("`{k}`: {v} is outside [0, 1]"));
                }
            }
            check_types(&mut p.hit_ratio_by_type.keys());
            for (n, v, max) in [
                ("edge_rtt_ms", p.edge_rtt_ms, MAX_RTT_MS),
                ("processing_ms", p.processing_ms, MAX_LATENCY_MS),
                ("origin_rtt_ms", p.origin_rtt_ms, MAX_RTT_MS),
            ] {
                ms(&mut bad, n, v, max);
            }
            interval(&mut bad, "stale_if_error_s", p.stale_if_error_s);
        }
        ComponentSpec::Alb(p) => {
            ms(&mut bad, "processing_ms", p.processing_ms, MAX_LATENCY_MS);
            interval(&mut bad, "health_check_interval_s", p.health_check_interval_s);
            check_timeout(&mut bad, p.health_check_timeout_s, p.health_check_interval_s);
            for (name, v) in
                [("healthy_threshold", p.healthy_threshold), ("unhealthy_threshold", p.unhealthy_threshold)]
            {
                if v == 0 {
                    bad(name, "0 checks can never change a target's health: at least 1".into());
                }
            }
        }
        ComponentSpec::Ec2(p) => {
            if catalog::instance_type(&p.instance_type).is_none() {
                bad("instance_type", format!("`{}` is not a known instance type", p.instance_type));
            }
            if p.vcpus == Some(0) {
                bad("vcpus", "zero capacity: at least one vCPU".into());
            }
            workers(&mut bad, p.workers);
            dist(&mut bad, "service_time", &p.service_time);
            for (k, d) in &p.service_time_by_type {
                dist(&mut bad, &format!("service_time_by_type.{k}"), d);
            }
            check_types(&mut p.service_time_by_type.keys());
            if !pos(p.timeout_ms) {
                bad("timeout_ms", format!("{} must be positive", p.timeout_ms));
            }
            if let Some(d) = &p.disk {
                if !pos(d.iops) || !nonneg(d.ios_per_request) {
                    bad("disk", "iops must be positive, ios_per_request zero or more".into());
                }
            }
        }
        ComponentSpec::Asg(p) => {
            if catalog::instance_type(&p.instance_type).is_none() {
                bad("instance_type", format!("`{}` is not a known instance type", p.instance_type));
            }
            if p.vcpus == Some(0) {
                bad("vcpus", "zero capacity: at least one vCPU".into());
            }
            workers(&mut bad, p.workers);
            if !(p.min <= p.desired && p.desired <= p.max) || p.max == 0 {
                bad(
                    "min/desired/max",
                    format!("need min <= desired <= max and max > 0 (got {}/{}/{})", p.min, p.desired, p.max),
                );
            }
            if p.max > 1000 {
                bad("max", "at most 1000 instances".into());
            }
            if let Some(m) = p.failover_min.filter(|&m| m > p.max) {
                bad("failover_min", format!("{m} is above the group's max {}", p.max));
            }
            if !(p.target_cpu_percent > 0.0 && p.target_cpu_percent <= 100.0) {
                bad("target_cpu_percent", format!("{} must be in (0, 100]", p.target_cpu_percent));
            }
            if !pos(p.evaluation_period_s) || !nonneg(p.warmup_s) || !nonneg(p.cooldown_s) {
                bad("timing", "evaluation period must be positive, warm-up and cooldown zero or more".into());
            } else {
                interval(&mut bad, "evaluation_period_s", p.evaluation_period_s);
                secs(&mut bad, "warmup_s", p.warmup_s);
                secs(&mut bad, "cooldown_s", p.cooldown_s);
            }
            if !(nonneg(p.launch_min_s) && p.launch_min_s <= p.launch_max_s) {
                bad("launch_min_s/launch_max_s", "need 0 <= min <= max".into());
            } else {
                secs(&mut bad, "launch_max_s", p.launch_max_s);
            }
            dist(&mut bad, "service_time", &p.service_time);
            for (k, d) in &p.service_time_by_type {
                dist(&mut bad, &format!("service_time_by_type.{k}"), d);
            }
            check_types(&mut p.service_time_by_type.keys());
            subnets(&mut bad, &p.subnets);
            if !pos(p.timeout_ms) {
                bad("timeout_ms", format!("{} must be positive", p.timeout_ms));
            }
        }
        ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => {
            if p.fargate {
                let eks = matches!(spec, ComponentSpec::Eks(_));
                if p.cpu_m > 0 && crate::containers::fargate_size(p.requests(), eks).is_none() {
                    bad(
                        "cpu_m/memory_mib",
                        format!(
                            "{} m and {} MiB is beyond Fargate's largest size (16 vCPU, 120 GiB)",
                            p.cpu_m, p.memory_mib
                        ),
                    );
                }
            } else {
                if catalog::instance_type(&p.node_type).is_none() {
                    bad("node_type", format!("`{}` is not a known instance type", p.node_type));
                }
                if !(p.nodes_min <= p.nodes && p.nodes <= p.nodes_max) || p.nodes_max == 0 {
                    bad(
                        "nodes_min/nodes/nodes_max",
                        format!(
                            "need nodes_min <= nodes <= nodes_max and nodes_max > 0 (got {}/{}/{})",
                            p.nodes_min, p.nodes, p.nodes_max
                        ),
                    );
                }
                if p.nodes_max > 100 {
                    bad("nodes_max", "at most 100 nodes".into());
                }
                // A pod must fit on a node, or it stays Pending for ever.
                if let Some(room) = crate::containers::cluster::node_allocatable(&p.node_type) {
                    if p.cpu_m > room.cpu_m || p.memory_mib > room.memory_mib {
                        bad(
                            "cpu_m/memory_mib",
                            format!(
                                "a pod of {} m and {} MiB fits on no {} node ({} m and {} MiB left for pods)",
                                p.cpu_m, p.memory_mib, p.node_type, room.cpu_m, room.memory_mib
                            ),
                        );
                    }
                }
            }
            if p.replicas == 0 || p.cpu_m == 0 || p.memory_mib == 0 {
                bad(
                    "replicas/cpu_m/memory_mib",
                    "a deployment needs at least one pod, and pods some CPU and memory".into(),
                );
            }
            if p.hpa_target_cpu_percent > 0.0 {
                if p.hpa_target_cpu_percent > 100.0 {
                    bad(
                        "hpa_target_cpu_percent",
                        format!("{} must be in (0, 100], or 0 for no HPA", p.hpa_target_cpu_percent),
                    );
                }
                if !(p.hpa_min <= p.replicas && p.replicas <= p.hpa_max) || p.hpa_min == 0 {
                    bad(
                        "hpa_min/replicas/hpa_max",
                        format!(
                            "need 1 <= hpa_min <= replicas <= hpa_max (got {}/{}/{})",
                            p.hpa_min, p.replicas, p.hpa_max
                        ),
                    );
                }
            } else if p.hpa_target_cpu_percent < 0.0 || p.hpa_target_cpu_percent.is_nan() {
                bad("hpa_target_cpu_percent", "0 (no HPA) or a percentage".into());
            }
            if p.max_pods() > 500 {
                bad("hpa_max", "at most 500 pods".into());
            }
            if !(nonneg(p.image_mb) && nonneg(p.app_start_s) && pos(p.readiness_period_s)) {
                bad(
                    "image_mb/app_start_s/readiness_period_s",
                    "image size and start time zero or more, probe period positive".into(),
                );
            } else {
                secs(&mut bad, "app_start_s", p.app_start_s);
                interval(&mut bad, "readiness_period_s", p.readiness_period_s);
            }
            dist(&mut bad, "service_time", &p.service_time);
            for (k, d) in &p.service_time_by_type {
                dist(&mut bad, &format!("service_time_by_type.{k}"), d);
            }
            check_types(&mut p.service_time_by_type.keys());
            subnets(&mut bad, &p.subnets);
            if !pos(p.timeout_ms) {
                bad("timeout_ms", format!("{} must be positive", p.timeout_ms));
            }
        }
        ComponentSpec::Rds(p) => {
            if catalog::db_instance_class(&p.instance_class).is_none() {
                bad("instance_class", format!("`{}` is not a known DB instance class", p.instance_class));
            }
            if p.vcpus == Some(0) || p.max_connections == Some(0) {
                bad("capacity", "zero capacity: vCPUs and connections must be at least 1".into());
            }
            dist(&mut bad, "query_time", &p.query_time);
            for (k, d) in &p.query_time_by_type {
                dist(&mut bad, &format!("query_time_by_type.{k}"), d);
            }
            check_types(&mut p.query_time_by_type.keys());
            ms(&mut bad, "commit_ms", p.commit_ms, MAX_LATENCY_MS);
            ms(&mut bad, "replication_lag_ms", p.replication_lag_ms, MAX_LATENCY_MS);
            secs(&mut bad, "dr_recovery_s", p.dr_recovery_s);
            interval(&mut bad, "backup_interval_s", p.backup_interval_s);
        }
        ComponentSpec::Elasticache(p) => {
            if p.nodes == 0 {
                bad("nodes", "zero capacity: at least one node".into());
            }
            if !ratio(p.hit_ratio) {
                bad("hit_ratio", format!("{} is outside [0, 1]", p.hit_ratio));
            }
            for (k, v) in &p.hit_ratio_by_type {
                if !ratio(*v) {
                    bad("hit_ratio_by_type", format!("`{k}`: {v} is outside [0, 1]"));
                }
            }
            check_types(&mut p.hit_ratio_by_type.keys());
            dist(&mut bad, "service_time", &p.service_time);
        }
        ComponentSpec::S3(p) => {
            dist(&mut bad, "get_latency", &p.get_latency);
            dist(&mut bad, "put_latency", &p.put_latency);
            if p.prefixes == 0 || !pos(p.get_rps_per_prefix) || !pos(p.put_rps_per_prefix) {
                bad("rate limits", "prefixes and per-prefix rates must be positive".into());
            }
        }
        ComponentSpec::Dynamodb(p) => {
            dist(&mut bad, "read_latency", &p.read_latency);
            dist(&mut bad, "write_latency", &p.write_latency);
            if !pos(p.read_capacity_rps) || !pos(p.write_capacity_rps) {
                bad("capacity", "read and write capacity must be positive".into());
            }
            if let Some(lag) = p.global_table_lag_ms {
                ms(&mut bad, "global_table_lag_ms", lag, MAX_LATENCY_MS);
            }
        }
        ComponentSpec::Lambda(p) => {
            dist(&mut bad, "duration", &p.duration);
            dist(&mut bad, "cold_start", &p.cold_start);
            if p.concurrency_limit == 0 {
                bad("concurrency_limit", "zero capacity: at least 1".into());
            }
            secs(&mut bad, "keep_warm_s", p.keep_warm_s);
        }
        ComponentSpec::Sqs(p) => {
            dist(&mut bad, "send_latency", &p.send_latency);
            if p.consumer_concurrency == 0 || p.max_messages == 0 {
                bad("capacity", "consumer_concurrency and max_messages must be at least 1".into());
            }
        }
    }
    for k in unknown_types {
        out.err(Code::UnknownReference, el.clone(), format!("request type `{k}` is not declared"));
    }
}

fn out_unknown(bad: &mut dyn FnMut(&str, String), s: &str) {
    bad("subnets", format!("subnet `{s}` does not exist"));
}

/// Tarjan's algorithm, iterative. Returns the strongly connected components.
fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adj[v].get(*i) {
                *i += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut scc = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    scc.push(w);
                    if w == v {
                        break;
                    }
                }
                scc.sort_unstable();
                out.push(scc);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{ComponentKind as K, Container, ContainerKind as CK, Topology};

    fn base() -> Topology {
        let mut t = Topology::new("t");
        t.add("users", K::Client, None);
        t.add("web", K::Ec2, None);
        t.connect("users", "web");
        t
    }

    fn container(id: &str, kind: CK, parent: Option<&str>, cidr: Option<&str>) -> Container {
        Container {
            id: id.into(),
            kind,
            parent: parent.map(Into::into),
            label: String::new(),
            cidr: cidr.map(Into::into),
            public: false,
            az: None,
        }
    }

    #[test]
    fn clean_topology_has_no_errors() {
        let v = validate(&base());
        assert!(!v.has_errors(), "{:?}", v.diagnostics);
    }

    #[test]
    fn unknown_reference_and_duplicate() {
        let mut t = base();
        t.connect("web", "ghost");
        t.add("web", K::Rds, None);
        let v = validate(&t);
        assert!(v.diagnostics.iter().any(|d| d.code == Code::UnknownReference && d.element == Element::Connection(1)));
        assert!(v.has(Code::DuplicateId));
    }

    #[test]
    fn cycle_without_exit_is_an_error_with_exit_a_warning() {
        let mut t = base();
        t.add("lb", K::Alb, None);
        t.add("lb2", K::Alb, None);
        t.connect("web", "lb");
        t.connect("lb", "lb2");
        t.connect("lb2", "lb");
        let v = validate(&t);
        assert!(v.has(Code::CycleWithoutExit), "{:?}", v.diagnostics);
        t.add("db", K::Rds, None);
        t.connect("lb2", "db");
        let v = validate(&t);
        assert!(!v.has(Code::CycleWithoutExit) && v.has(Code::Cycle));
    }

    #[test]
    fn subnet_cidr_checks() {
        let mut t = base();
        t.containers.push(container("r", CK::Region, None, None));
        t.containers.push(container("vpc", CK::Vpc, Some("r"), Some("10.0.0.0/16")));
        t.containers.push(container("a", CK::Subnet, Some("vpc"), Some("10.0.1.0/24")));
        t.containers.push(container("b", CK::Subnet, Some("vpc"), Some("10.0.1.128/25")));
        t.containers.push(container("c", CK::Subnet, Some("vpc"), Some("10.9.0.0/24")));
        t.containers.push(container("d", CK::Subnet, Some("r"), Some("10.0.9.0/24")));
        let v = validate(&t);
        let about =
            |code, id: &str| v.diagnostics.iter().any(|d| d.code == code && d.element == Element::Container(id.into()));
        assert!(about(Code::SubnetsOverlap, "b"));
        assert!(about(Code::SubnetOutsideVpc, "c"));
        assert!(about(Code::BadNesting, "d"));
        // Nesting is explained in words, not type names.
        let says = |v: &Validation, id: &str| {
            v.diagnostics
                .iter()
                .find(|d| d.code == Code::BadNesting && d.element == Element::Container(id.into()))
                .map(|d| d.message.clone())
        };
        assert_eq!(says(&v, "d").as_deref(), Some("a subnet cannot sit inside the region `r`"));
        t.containers.push(container("orphan", CK::Subnet, None, Some("10.0.7.0/24")));
        t.containers.push(container("lost-vpc", CK::Vpc, None, Some("10.3.0.0/16")));
        let v = validate(&t);
        assert_eq!(says(&v, "orphan").as_deref(), Some("a subnet must be inside a VPC"));
        assert_eq!(says(&v, "lost-vpc").as_deref(), Some("a VPC must be inside a region or availability zone"));
    }

    #[test]
    fn unreachable_and_impossible_parameters() {
        let mut t = base();
        t.add("lonely", K::S3, None);
        if let ComponentSpec::Client(p) = &mut t.components[0].spec {
            p.arrival = crate::topology::Arrival::Constant { rate_rps: -5.0 };
        }
        if let ComponentSpec::Ec2(p) = &mut t.components[1].spec {
            p.vcpus = Some(0);
        }
        t.add("cdn", K::Cloudfront, None);
        if let ComponentSpec::Cloudfront(p) = &mut t.components[3].spec {
            p.hit_ratio = 1.5;
        }
        t.connect("users", "cdn").share = 0.3;
        t.connections[0].share = 0.3;
        let v = validate(&t);
        let about =
            |code, id: &str| v.diagnostics.iter().any(|d| d.code == code && d.element == Element::Component(id.into()));
        assert!(about(Code::Unreachable, "lonely"));
        assert!(about(Code::InvalidParameter, "users"));
        assert!(about(Code::InvalidParameter, "web"));
        assert!(about(Code::InvalidParameter, "cdn"));
        assert!(about(Code::SharesDoNotSum, "users"));
        assert!(v.has_errors());
        // Errors sort first.
        assert_eq!(v.diagnostics[0].severity, Severity::Error);
        // One component's parameter errors alone are validate's, word for word.
        for (i, c) in t.components.iter().enumerate() {
            let from_validate: Vec<String> = v
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::InvalidParameter && d.element == Element::Component(c.id.clone()))
                .map(|d| d.message.clone())
                .collect();
            assert_eq!(parameter_problems(&t, i), from_validate, "{}", c.id);
        }
        assert_eq!(parameter_problems(&t, 0).len(), 1, "the client's negative rate");
        assert!(parameter_problems(&t, 99).is_empty());
    }
}
