//! The drill-down as the page shows it, put into words here from the engine's
//! [`InstanceDetail`], so the page only lays out sections of lines and tables (a few small
//! types cross the boundary instead of the engine's dozen). The figures that tests and
//! scripts read are also given as facts (`host`, `steal`, `ip`, ...) with their exact values.

use serde::{Deserialize, Serialize};
use strata_core::containers::scheduler::Verdict;
use strata_core::layers::placement::CandidateVerdict;
use strata_core::sim::{InstanceDetail, PodDetail};

/// One instance's drill-down at a simulated time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrillView {
    /// The simulated time it is for, ns.
    pub time_ns: u64,
    /// The component followed.
    pub component: String,
    /// The slot in it.
    pub slot: u32,
    /// The instance's name.
    pub name: String,
    /// E.g. `api · m5.xlarge · running`.
    pub title: String,
    /// E.g. `4 vCPUs, 16 GiB, ap-northeast-2a · serving`.
    pub subtitle: String,
    /// Exact figures by name, for scripts and tests (`host`, `steal`, `ip`, `state`, ...).
    pub facts: Vec<(String, String)>,
    /// What to show, in order.
    pub sections: Vec<Section>,
}

/// A titled part of the drill-down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Its key (`host`, `slice`, `neighbours`, `network`, `volumes`, `placement`).
    pub key: String,
    /// Its heading.
    pub title: String,
    /// Lines of text.
    pub lines: Vec<String>,
    /// A table, if it has one.
    pub table: Option<Table>,
    /// Closed until opened (long lists such as the placement candidates).
    pub folded: bool,
    /// Something is wrong here (shown in red).
    pub bad: bool,
}

/// A small table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Column headings.
    pub head: Vec<String>,
    /// Rows: cells, and whether the row stands out (the chosen host).
    pub rows: Vec<(Vec<String>, bool)>,
    /// Per row, an action the page offers on it (its number in the view's list, e.g. a replay
    /// of the report card), if any; empty: none.
    #[serde(default)]
    pub actions: Vec<Option<u32>>,
}

fn pct(x: f64) -> String {
    format!("{x:.1}%")
}

fn section(key: &str, title: String, lines: Vec<String>) -> Section {
    Section { key: key.into(), title, lines, table: None, folded: false, bad: false }
}

/// Puts an instance's detail into words.
pub fn present(d: &InstanceDetail, component: &str, slot: u32) -> DrillView {
    let mut facts = vec![
        ("instance".to_string(), d.name.clone()),
        ("state".into(), d.state.to_string()),
        ("takes_traffic".into(), d.takes_traffic.to_string()),
        ("restarts".into(), d.restarts.to_string()),
    ];
    let mut sections = Vec::new();
    if let Some(h) = &d.host {
        facts.push(("host".into(), h.name.clone()));
        facts.push(("host_steal".into(), h.steal_percent.to_string()));
        let mut s = section(
            "host",
            format!("Host {}", h.name),
            vec![
                format!("rack {} · {} · {}", h.rack, h.data_center, h.az),
                format!("{} · {} cores, {} threads, {:.0} GiB", h.cpu_model, h.cores, h.hardware_threads, h.memory_gib),
                format!(
                    "{} of {} sellable vCPUs allocated ({:.2} per thread) · {:.0} of {:.0} GiB",
                    h.allocated_vcpus, h.sellable_vcpus, h.oversubscription, h.allocated_memory_gib, h.memory_gib
                ),
                format!(
                    "CPU demand {:.1} of {:.1} vCPUs ({}) · steal {}{}",
                    h.cpu_demand_vcpus,
                    h.cpu_capacity_vcpus,
                    pct(h.cpu_load_percent),
                    pct(h.steal_percent),
                    if h.available { "" } else { " · unavailable (its AZ is lost)" }
                ),
            ],
        );
        s.bad = h.cpu_load_percent > 100.0 || !h.available;
        sections.push(s);
    }
    if let Some(v) = &d.slice {
        facts.push(("steal".into(), v.steal_percent.to_string()));
        facts.push(("multiplier".into(), v.service_time_multiplier.to_string()));
        let mut s = section(
            "slice",
            "Hypervisor slice".into(),
            vec![format!(
                "{} vCPUs, {:.0} GiB · guest CPU {} · steal {} · service times ×{:.2}",
                v.vcpus,
                v.memory_gib,
                pct(v.guest_cpu_percent),
                pct(v.steal_percent),
                v.service_time_multiplier
            )],
        );
        s.bad = v.steal_percent >= 10.0;
        sections.push(s);
    }
    if !d.neighbours.is_empty() {
        facts.push(("neighbours".into(), d.neighbours.len().to_string()));
        let mut s = section("neighbours", format!("Neighbours on the host ({})", d.neighbours.len()), Vec::new());
        s.table = Some(Table {
            head: ["VM", "account", "vCPUs", "CPU", "steal"].map(String::from).to_vec(),
            rows: d
                .neighbours
                .iter()
                .map(|n| {
                    let cells = vec![
                        n.name.clone(),
                        n.account.clone(),
                        n.vcpus.to_string(),
                        pct(n.cpu_demand_percent),
                        pct(n.steal_percent),
                    ];
                    (cells, false)
                })
                .collect(),
            actions: Vec::new(),
        });
        sections.push(s);
    }
    if let Some(n) = &d.network {
        facts.push(("ip".into(), n.private_ip.clone()));
        let mut lines = vec![format!(
            "{} · {}{} · subnet {} {} · VPC {} {}",
            n.eni_id,
            n.private_ip,
            n.public_ip.as_ref().map(|p| format!(" / {p}")).unwrap_or_default(),
            n.subnet,
            n.subnet_cidr,
            n.vpc,
            n.vpc_cidr
        )];
        for g in &n.security_groups {
            let rules: Vec<String> = g
                .inbound
                .iter()
                .map(|r| format!("in: {r}"))
                .chain(g.outbound.iter().map(|r| format!("out: {r}")))
                .collect();
            lines.push(format!("{}: {}", g.name, if rules.is_empty() { "no rules".into() } else { rules.join("; ") }));
        }
        let routes: Vec<String> = n.routes.iter().map(|r| format!("{} → {}", r.destination, r.target)).collect();
        lines.push(format!("route table {}: {} · NACL {}", n.route_table, routes.join(", "), n.nacl));
        sections.push(section("network", "Network".into(), lines));
    }
    if !d.volumes.is_empty() {
        let mut s = section("volumes", "Volumes".into(), Vec::new());
        for (i, v) in d.volumes.iter().enumerate() {
            facts.push((format!("volume{i}_iops"), v.iops_limit.to_string()));
            facts.push((format!("volume{i}_burst"), v.burst_balance_percent.to_string()));
            s.lines.push(format!(
                "{} {} {} GiB{} · {} IOPS now (baseline {}, burst {}) · BurstBalance {} · queue {} I/Os, {:.1} ms",
                v.name,
                v.kind.name(),
                v.size_gib,
                if v.root { " (root)" } else { "" },
                v.iops_limit,
                v.baseline_iops,
                v.burst_iops,
                pct(v.burst_balance_percent),
                v.queued_ios,
                v.queue_wait_ms
            ));
            s.bad |= !v.available || v.burst_balance_percent < 1.0 && v.baseline_iops < v.burst_iops;
        }
        sections.push(s);
    }
    if let Some(p) = &d.placement {
        let chosen = p.chosen;
        let mut s = section(
            "placement",
            format!("Why this host? {} candidates: {}", p.candidates.len(), p.az_reason),
            Vec::new(),
        );
        s.folded = true;
        s.table = Some(Table {
            head: ["host", "score", "filtered out, or the score's terms"].map(String::from).to_vec(),
            rows: p
                .candidates
                .iter()
                .map(|c| {
                    let (why, score) = match &c.verdict {
                        CandidateVerdict::Filtered { reason } => (reason.clone(), String::new()),
                        CandidateVerdict::Scored { score, terms } => (terms.join(", "), format!("{score:.1}")),
                    };
                    (vec![c.host_name.clone(), score, why], chosen == Some(c.host))
                })
                .collect(),
            actions: Vec::new(),
        });
        if let Some(c) = p.candidates.iter().find(|c| chosen == Some(c.host)) {
            facts.push(("placed_on".into(), c.host_name.clone()));
        }
        sections.push(s);
    } else if let Some(note) = &d.placement_note {
        sections.push(section("placement", "Placement".into(), vec![note.clone()]));
    }
    let state = d.state.to_string();
    DrillView {
        time_ns: d.time.0,
        component: component.to_string(),
        slot,
        name: d.name.clone(),
        title: format!("{} · {} · {state}", d.name, d.instance_type),
        subtitle: format!(
            "{} vCPUs, {:.0} GiB, {} · {}{}",
            d.vcpus,
            d.memory_gib,
            d.az,
            if d.takes_traffic { "serving" } else { "not serving" },
            if d.restarts > 0 { format!(" · stopped and started {} time(s)", d.restarts) } else { String::new() }
        ),
        facts,
        sections,
    }
}

/// Puts a pod's detail into words: where it runs and why there (the scheduler's verdict on every
/// node), its start phase by phase, and its node's room.
pub fn present_pod(d: &PodDetail, component: &str, slot: u32) -> DrillView {
    let node = d.node.clone().unwrap_or_else(|| "no node".into());
    let phase = format!("{:?}", d.phase).to_lowercase();
    let mut facts = vec![
        ("pod".to_string(), d.pod.clone()),
        ("version".into(), d.version.clone()),
        ("phase".into(), phase.clone()),
        ("node".into(), node.clone()),
    ];
    let mut sections = Vec::new();
    let mut start = section(
        "start",
        "Start".into(),
        vec![d.phases.iter().map(|(p, t)| format!("{p} {t:.1} s")).collect::<Vec<_>>().join(" · ")],
    );
    for (t, why) in &d.pending {
        start.lines.push(format!("Pending at {t:.1} s: {why}"));
    }
    start.bad = !d.pending.is_empty();
    sections.push(start);
    if d.fargate {
        sections.push(section(
            "node",
            format!("Fargate micro-VM {node}"),
            vec![format!(
                "Its own, sized to it: {} m and {} MiB (Fargate's smallest size that holds its request); provisioned when it was created, its image pulled afresh",
                d.node_allocatable.cpu_m, d.node_allocatable.memory_mib
            )],
        ));
    } else if let Some(chosen) = &d.chosen {
        facts.push(("scheduled_on".into(), chosen.clone()));
        let mut s = section(
            "scheduler",
            format!("Why {chosen}? The scheduler's verdict on {} node(s)", d.verdicts.len()),
            Vec::new(),
        );
        s.table = Some(Table {
            head: ["node", "score", "filtered out, or least allocated + image + 2 x spread"].map(String::from).to_vec(),
            rows: d
                .verdicts
                .iter()
                .map(|(n, v)| {
                    let (score, why) = match v {
                        Verdict::Filtered(u) => (String::new(), u.to_string()),
                        Verdict::Scored(s) => (
                            s.total.to_string(),
                            format!("{} + {} + 2 x {}", s.least_allocated, s.image_locality, s.spread),
                        ),
                    };
                    (vec![n.clone(), score, why], n == chosen)
                })
                .collect(),
            actions: Vec::new(),
        });
        sections.push(s);
    }
    if d.node.is_some() && !d.fargate {
        let mut s = section(
            "node",
            format!("Node {node}"),
            vec![format!(
                "{} m and {} MiB for pods · {} m and {} MiB requested by its pods",
                d.node_allocatable.cpu_m,
                d.node_allocatable.memory_mib,
                d.node_requested.cpu_m,
                d.node_requested.memory_mib
            )],
        );
        // On the layers: the node is an instance on a host, and the pod runs at its speed.
        if let Some(vm) = &d.vm {
            let host = vm.host.clone().unwrap_or_else(|| "no host".into());
            s.lines.push(format!(
                "Instance {} ({}) on host {host} · steal {:.1}% · service times x {:.2} · guest CPU {:.1}%",
                vm.instance, vm.instance_type, vm.steal_percent, vm.service_time_multiplier, vm.guest_cpu_percent
            ));
            s.bad = vm.steal_percent >= 10.0;
            facts.push(("host".into(), host));
            facts.push(("multiplier".into(), vm.service_time_multiplier.to_string()));
        }
        sections.push(s);
    }
    DrillView {
        time_ns: (d.time_s * 1e9).round() as u64,
        component: component.to_string(),
        slot,
        name: d.pod.clone(),
        title: format!("{component} · pod {} · {} · {phase}", d.pod, d.version),
        subtitle: format!(
            "{} m, {} MiB requested · on {node}{}{}",
            d.requests.cpu_m,
            d.requests.memory_mib,
            d.az.as_deref().map(|a| format!(" ({a})")).unwrap_or_default(),
            if d.error_rate > 0.0 {
                format!(" · fails {:.0}% of its requests", d.error_rate * 100.0)
            } else {
                String::new()
            }
        ),
        facts,
        sections,
    }
}
