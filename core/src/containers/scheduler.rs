//! One scheduling cycle in the style of kube-scheduler: every node is filtered (does the pod fit,
//! does it tolerate the node's taints, would it break the workload's spread across AZs), the
//! nodes that pass are scored (free room left, image already on the node, fewer of the
//! workload's pods in the node's AZ), and the pod is bound to the best. Every node's verdict is
//! kept, so a person can see why the pod landed where it did, or why it stays Pending (as
//! kube-scheduler-simulator shows).

use std::fmt;

use serde::Serialize;

use super::{Resources, Taint};

/// What the scheduler needs to know about a node.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// Its AZ.
    pub az: &'a str,
    /// What pods may use (the instance minus what the system reserves).
    pub allocatable: Resources,
    /// What the pods already on it requested.
    pub requested: Resources,
    /// Its taints.
    pub taints: &'a [Taint],
    /// Joined and accepting pods: not launching, cordoned or draining.
    pub schedulable: bool,
    /// Holds the pod's image already.
    pub has_image: bool,
    /// The workload's pods in this node's AZ (placed or on their way).
    pub workload_in_az: u32,
}

/// What the pod asks for.
#[derive(Clone, Copy, Debug)]
pub struct PodAsk<'a> {
    /// Requests.
    pub requests: Resources,
    /// Taint keys it tolerates.
    pub tolerations: &'a [String],
    /// At most this many more of the workload's pods in one AZ than in the emptiest one, or no
    /// limit.
    pub max_skew: Option<u32>,
}

/// Why a node was filtered out.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unfit {
    /// Launching, not yet joined, cordoned or draining.
    Unschedulable,
    /// Not enough CPU left.
    InsufficientCpu {
        /// Millicores free.
        free_m: u32,
        /// Millicores asked for.
        want_m: u32,
    },
    /// Not enough memory left.
    InsufficientMemory {
        /// MiB free.
        free_mib: u32,
        /// MiB asked for.
        want_mib: u32,
    },
    /// A taint the pod does not tolerate.
    Taint {
        /// The taint.
        taint: Taint,
    },
    /// Binding here would put the AZ more than the allowed skew ahead of the emptiest AZ.
    Spread {
        /// The node's AZ.
        az: String,
        /// The skew binding here would make.
        skew: u32,
    },
}

impl Unfit {
    /// kube-scheduler's words for it, used to group the nodes in a Pending pod's reason.
    pub fn summary(&self) -> String {
        match self {
            Unfit::Unschedulable => "node(s) were not ready or unschedulable".into(),
            Unfit::InsufficientCpu { .. } => "Insufficient cpu".into(),
            Unfit::InsufficientMemory { .. } => "Insufficient memory".into(),
            Unfit::Taint { taint } => format!("node(s) had untolerated taint {{{}}}", taint),
            Unfit::Spread { .. } => "node(s) didn't match pod topology spread constraints".into(),
        }
    }
}

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfit::InsufficientCpu { free_m, want_m } => {
                write!(f, "Insufficient cpu: {free_m}m free, {want_m}m requested")
            }
            Unfit::InsufficientMemory { free_mib, want_mib } => {
                write!(f, "Insufficient memory: {free_mib} MiB free, {want_mib} MiB requested")
            }
            Unfit::Spread { az, skew } => write!(f, "{az} would be {skew} pods ahead of the emptiest AZ"),
            other => f.write_str(&other.summary()),
        }
    }
}

/// A node's score, 0-100 per part as kube-scheduler's plugins give them, and the weighted sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Room left after binding (NodeResourcesFit, least allocated): emptier nodes score higher.
    pub least_allocated: u32,
    /// The image is already on the node (ImageLocality): 100, else 0.
    pub image_locality: u32,
    /// Fewer of the workload's pods in the node's AZ (PodTopologySpread): higher.
    pub spread: u32,
    /// `least_allocated + image_locality + 2 x spread` (the spread plugin weighs double, as in
    /// kube-scheduler's default profile).
    pub total: u32,
}

/// One node's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Filtered out, and why.
    Filtered(Unfit),
    /// Passed the filters, with its score.
    Scored(Score),
}

/// The outcome of one cycle: the node chosen (index into the candidates), or none, and every
/// node's verdict in candidate order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// The chosen node.
    pub node: Option<usize>,
    /// Each candidate's verdict.
    pub verdicts: Vec<Verdict>,
}

impl Decision {
    /// Why the pod stays Pending, in kube-scheduler's form: "0/3 nodes are available: 2
    /// Insufficient cpu, 1 node(s) had untolerated taint {dedicated=gpu}." (`None` when bound).
    pub fn pending_reason(&self) -> Option<String> {
        if self.node.is_some() {
            return None;
        }
        let mut groups: Vec<(String, usize)> = Vec::new();
        for v in &self.verdicts {
            if let Verdict::Filtered(u) = v {
                let s = u.summary();
                match groups.iter_mut().find(|(g, _)| *g == s) {
                    Some((_, n)) => *n += 1,
                    None => groups.push((s, 1)),
                }
            }
        }
        let parts: Vec<String> = groups.into_iter().map(|(s, n)| format!("{n} {s}")).collect();
        Some(if parts.is_empty() {
            format!("0/{} nodes are available.", self.verdicts.len())
        } else {
            format!("0/{} nodes are available: {}.", self.verdicts.len(), parts.join(", "))
        })
    }
}

/// Runs one cycle for `pod` over `nodes`. Ties go to the first node in order (kube-scheduler
/// picks among ties at random; a fixed order keeps runs reproducible without a draw).
pub fn schedule(pod: &PodAsk<'_>, nodes: &[Candidate<'_>]) -> Decision {
    // The emptiest AZ, over the AZs of nodes the pod could otherwise use.
    let mut verdicts: Vec<Verdict> = nodes.iter().map(|n| filter_resources(pod, n)).collect();
    let min_in_az = nodes
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| matches!(v, Verdict::Scored(_)))
        .map(|(n, _)| n.workload_in_az)
        .min()
        .unwrap_or(0);
    if let Some(max_skew) = pod.max_skew {
        for (n, v) in nodes.iter().zip(verdicts.iter_mut()) {
            // Only nodes that passed the other filters count (the emptiest AZ is among theirs).
            if !matches!(v, Verdict::Scored(_)) {
                continue;
            }
            let skew = (n.workload_in_az + 1).saturating_sub(min_in_az);
            if skew > max_skew {
                *v = Verdict::Filtered(Unfit::Spread { az: n.az.to_string(), skew });
            }
        }
    }
    let max_in_az = nodes.iter().map(|n| n.workload_in_az).max().unwrap_or(0);
    for (n, v) in nodes.iter().zip(verdicts.iter_mut()) {
        if matches!(v, Verdict::Scored(_)) {
            *v = Verdict::Scored(score(pod, n, min_in_az, max_in_az));
        }
    }
    let mut best: Option<(usize, u32)> = None;
    for (i, v) in verdicts.iter().enumerate() {
        if let Verdict::Scored(s) = v {
            if best.is_none_or(|(_, t)| s.total > t) {
                best = Some((i, s.total));
            }
        }
    }
    Decision { node: best.map(|(i, _)| i), verdicts }
}

/// The filters that do not depend on other nodes: schedulable, taints, resources. A node that
/// passes gets a placeholder score, filled in once every node is filtered.
fn filter_resources(pod: &PodAsk<'_>, n: &Candidate<'_>) -> Verdict {
    if !n.schedulable {
        return Verdict::Filtered(Unfit::Unschedulable);
    }
    if let Some(t) = n.taints.iter().find(|t| !pod.tolerations.contains(&t.key)) {
        return Verdict::Filtered(Unfit::Taint { taint: t.clone() });
    }
    let free = n.allocatable.minus(n.requested);
    if pod.requests.cpu_m > free.cpu_m {
        return Verdict::Filtered(Unfit::InsufficientCpu { free_m: free.cpu_m, want_m: pod.requests.cpu_m });
    }
    if pod.requests.memory_mib > free.memory_mib {
        return Verdict::Filtered(Unfit::InsufficientMemory {
            free_mib: free.memory_mib,
            want_mib: pod.requests.memory_mib,
        });
    }
    Verdict::Scored(Score { least_allocated: 0, image_locality: 0, spread: 0, total: 0 })
}

fn score(pod: &PodAsk<'_>, n: &Candidate<'_>, min_in_az: u32, max_in_az: u32) -> Score {
    let after = n.allocatable.minus(n.requested).minus(pod.requests);
    let share = |free: u32, all: u32| if all == 0 { 0.0 } else { f64::from(free) / f64::from(all) };
    let least_allocated =
        ((share(after.cpu_m, n.allocatable.cpu_m) + share(after.memory_mib, n.allocatable.memory_mib)) * 50.0).round()
            as u32;
    let image_locality = if n.has_image { 100 } else { 0 };
    let spread =
        if max_in_az == min_in_az { 100 } else { 100 * (max_in_az - n.workload_in_az) / (max_in_az - min_in_az) };
    Score { least_allocated, image_locality, spread, total: least_allocated + image_locality + 2 * spread }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(az: &'a str, cpu_used: u32, taints: &'a [Taint]) -> Candidate<'a> {
        Candidate {
            az,
            allocatable: Resources { cpu_m: 1930, memory_mib: 7100 },
            requested: Resources { cpu_m: cpu_used, memory_mib: 1024 },
            taints,
            schedulable: true,
            has_image: false,
            workload_in_az: 0,
        }
    }

    const ASK: PodAsk<'static> =
        PodAsk { requests: Resources { cpu_m: 500, memory_mib: 512 }, tolerations: &[], max_skew: None };

    #[test]
    fn a_pod_goes_to_the_node_with_most_room_and_each_reason_is_kept() {
        let gpu = [Taint { key: "dedicated".into(), value: "gpu".into() }];
        let nodes = [node("a", 1800, &[]), node("a", 200, &[]), node("b", 0, &gpu), node("b", 1000, &[])];
        let d = schedule(&ASK, &nodes);
        assert_eq!(d.node, Some(1), "the emptiest node that fits and tolerates");
        assert_eq!(d.verdicts[0], Verdict::Filtered(Unfit::InsufficientCpu { free_m: 130, want_m: 500 }));
        assert!(matches!(&d.verdicts[2], Verdict::Filtered(Unfit::Taint { taint }) if taint.key == "dedicated"));
        let (Verdict::Scored(s1), Verdict::Scored(s3)) = (&d.verdicts[1], &d.verdicts[3]) else { panic!("{d:?}") };
        // Node 1: (1930-200-500)/1930 cpu and (7100-1024-512)/7100 memory free after binding.
        let expect = ((1230.0 / 1930.0 + 5564.0 / 7100.0) * 50.0_f64).round() as u32;
        assert_eq!(s1.least_allocated, expect);
        assert!(s1.total > s3.total);
        assert_eq!(d.pending_reason(), None);
        // Tolerating the taint, the empty tainted node wins.
        let tol = ["dedicated".to_string()];
        let d = schedule(&PodAsk { tolerations: &tol, ..ASK }, &nodes);
        assert_eq!(d.node, Some(2));
    }

    #[test]
    fn a_pod_that_fits_nowhere_stays_pending_with_kube_schedulers_reason() {
        let gpu = [Taint { key: "dedicated".into(), value: "gpu".into() }];
        let mut launching = node("b", 0, &[]);
        launching.schedulable = false;
        let nodes = [node("a", 1800, &[]), node("a", 1700, &[]), node("b", 0, &gpu), launching];
        let d = schedule(&ASK, &nodes);
        assert_eq!(d.node, None);
        assert_eq!(
            d.pending_reason().unwrap(),
            "0/4 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated=gpu}, \
             1 node(s) were not ready or unschedulable."
        );
        let big = PodAsk { requests: Resources { cpu_m: 100, memory_mib: 7000 }, ..ASK };
        let d = schedule(&big, &[node("a", 0, &[])]);
        assert_eq!(d.verdicts[0], Verdict::Filtered(Unfit::InsufficientMemory { free_mib: 6076, want_mib: 7000 }));
    }

    #[test]
    fn a_filtered_node_in_an_emptier_az_does_not_upset_the_spread() {
        // The unschedulable node's AZ holds none of the workload, the others two each.
        let mut down = node("a", 0, &[]);
        down.schedulable = false;
        let mut b = node("b", 0, &[]);
        b.workload_in_az = 2;
        let d = schedule(&PodAsk { max_skew: Some(1), ..ASK }, &[down, b]);
        assert_eq!(d.node, Some(1), "{:?}", d.verdicts);
        assert_eq!(d.verdicts[0], Verdict::Filtered(Unfit::Unschedulable));
    }

    #[test]
    fn spread_keeps_azs_even_and_scores_the_emptier_az() {
        let mut a = node("a", 0, &[]);
        a.workload_in_az = 2;
        let mut b = node("b", 1000, &[]);
        b.workload_in_az = 1;
        // Without a limit the emptier node in the fuller AZ still loses on spread (weight 2).
        let d = schedule(&ASK, &[a, b]);
        let (Verdict::Scored(sa), Verdict::Scored(sb)) = (&d.verdicts[0], &d.verdicts[1]) else { panic!() };
        assert_eq!((sa.spread, sb.spread), (0, 100));
        assert_eq!(d.node, Some(1));
        // With max skew 1: AZ a would be 2 ahead of b, so a is filtered.
        let d = schedule(&PodAsk { max_skew: Some(1), ..ASK }, &[a, b]);
        assert_eq!(d.verdicts[0], Verdict::Filtered(Unfit::Spread { az: "a".into(), skew: 2 }));
        assert_eq!(d.node, Some(1));
        // An image already on a node is worth a full 100.
        let mut cached = node("a", 600, &[]);
        cached.has_image = true;
        let d = schedule(&ASK, &[node("a", 0, &[]), cached]);
        assert_eq!(d.node, Some(1), "{:?}", d.verdicts);
    }
}
