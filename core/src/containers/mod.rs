//! Containers on the layered stack: a pod is a process on a VM on a host.
//!
//! - [`scheduler`]: one kube-scheduler cycle (filter, score, bind) that keeps every node's
//!   verdict, so a person can see why a pod landed where it did or why it is Pending.
//! - [`pod`]: a workload's pod template and its start as phases with durations (scheduled,
//!   image pull over the node's bandwidth, container start, readiness probe).
//! - [`hpa`]: the Horizontal Pod Autoscaler's rule (CPU target, tolerance, stabilisation).
//! - [`deploy`]: versions, deployment strategies (all at once, rolling, blue-green, canary) and
//!   CloudWatch-style alarms that roll a deployment back.
//! - [`cluster`]: nodes launched through the EC2 lifecycle's phases and joined, pods scheduled
//!   onto them and started, the HPA and the cluster autoscaler, advanced in simulated time with
//!   an event log (`next_deadline` / `advance`, like [`crate::layers::launch`]).
//!
//! Defaults follow public Kubernetes and EKS figures (`DOMAIN.md` section 10); each is a
//! parameter.

pub mod cluster;
pub mod deploy;
pub mod hpa;
pub mod pod;
pub mod scheduler;

use std::fmt;

use serde::{Deserialize, Serialize};

/// CPU and memory, as pods request them and nodes offer them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// CPU in millicores (1000 = one vCPU).
    pub cpu_m: u32,
    /// Memory in MiB.
    pub memory_mib: u32,
}

impl Resources {
    /// `self - other`, never below zero.
    pub fn minus(self, other: Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.saturating_sub(other.cpu_m),
            memory_mib: self.memory_mib.saturating_sub(other.memory_mib),
        }
    }

    /// `self + other`.
    pub fn plus(self, other: Resources) -> Resources {
        Resources { cpu_m: self.cpu_m + other.cpu_m, memory_mib: self.memory_mib + other.memory_mib }
    }

    /// What an EC2 instance type leaves for pods once the kubelet and the container runtime
    /// have their share, as the EKS-optimised AMI reserves it: CPU 6% of the first core, 1% of
    /// the second, 0.5% of the third and fourth and 0.25% of every other; memory 255 MiB plus
    /// 11 MiB per pod the node may run, and the kubelet's 100 MiB eviction threshold.
    pub fn allocatable(vcpus: u32, memory_gib: f64, max_pods: u32) -> Resources {
        let n = f64::from(vcpus);
        let reserved_cpu = 60.0 * n.min(1.0)
            + 10.0 * (n - 1.0).clamp(0.0, 1.0)
            + 5.0 * (n - 2.0).clamp(0.0, 2.0)
            + 2.5 * (n - 4.0).max(0.0);
        let memory = (memory_gib * 1024.0) as u32;
        let reserved_memory = 255 + 11 * max_pods + 100;
        Resources {
            cpu_m: (f64::from(vcpus * 1000) - reserved_cpu).max(0.0) as u32,
            memory_mib: memory.saturating_sub(reserved_memory),
        }
    }
}

/// Fargate's CPU sizes (millicores) with the memory each allows: from, to and step, MiB.
const FARGATE: [(u32, u32, u32, u32); 7] = [
    (250, 512, 2048, 512),
    (500, 1024, 4096, 1024),
    (1000, 2048, 8192, 1024),
    (2000, 4096, 16384, 1024),
    (4000, 8192, 30720, 1024),
    (8000, 16384, 61440, 4096),
    (16000, 32768, 122880, 8192),
];

/// The Fargate size a pod or task requesting `requests` gets: the smallest of Fargate's CPU and
/// memory combinations holding it (on EKS, with 256 MiB more for Kubernetes' own agents).
/// `None`: larger than Fargate's largest (16 vCPU, 120 GiB).
pub fn fargate_size(requests: Resources, eks: bool) -> Option<Resources> {
    let memory = requests.memory_mib + if eks { 256 } else { 0 };
    FARGATE.iter().filter(|(cpu, ..)| *cpu >= requests.cpu_m).find_map(|&(cpu_m, from, to, step)| {
        let m = if memory <= from { from } else { from + (memory - from).div_ceil(step) * step };
        // 0.25 vCPU offers 0.5, 1 and 2 GiB.
        let m = if cpu_m == 250 && m == 1536 { 2048 } else { m };
        (m <= to).then_some(Resources { cpu_m, memory_mib: m })
    })
}

#[cfg(test)]
mod fargate_tests {
    use super::*;

    #[test]
    fn a_pod_gets_the_smallest_fargate_size_that_holds_it() {
        let r = |cpu_m, memory_mib| Resources { cpu_m, memory_mib };
        assert_eq!(fargate_size(r(500, 512), false), Some(r(500, 1024)));
        // EKS adds 256 MiB: 1,024 + 256 needs the next GiB.
        assert_eq!(fargate_size(r(500, 1024), true), Some(r(500, 2048)));
        assert_eq!(fargate_size(r(100, 600), false), Some(r(250, 1024)));
        assert_eq!(fargate_size(r(250, 1100), false), Some(r(250, 2048)));
        // 0.25 vCPU holds at most 2 GiB: 3 GiB needs 0.5 vCPU.
        assert_eq!(fargate_size(r(250, 3000), false), Some(r(500, 3072)));
        assert_eq!(fargate_size(r(16000, 200_000), false), None);
    }
}

/// A node taint (effect NoSchedule): pods without a toleration for its key do not land there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

impl fmt::Display for Taint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocatable_follows_the_eks_reservations() {
        // m5.large: 2 vCPUs, 8 GiB, 29 pods: 2000 - 70 m; 8192 - (255 + 319 + 100) MiB.
        assert_eq!(Resources::allocatable(2, 8.0, 29), Resources { cpu_m: 1930, memory_mib: 7518 });
        // m5.xlarge: 4 vCPUs, 58 pods: 4000 - 80 m.
        assert_eq!(Resources::allocatable(4, 16.0, 58).cpu_m, 3920);
        // 16 vCPUs: 60 + 10 + 10 + 12 x 2.5 = 110 m.
        assert_eq!(Resources::allocatable(16, 64.0, 234).cpu_m, 15890);
    }
}
