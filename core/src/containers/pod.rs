//! A workload's pod template, and how a pod starts: the phases it goes through once bound to a
//! node, with their durations. Only a Ready pod takes traffic.

use serde::{Deserialize, Serialize};

use crate::layers::launch::SecondsRange;

use super::Resources;
use crate::time::{Duration, SimTime};

/// A readiness probe: the first check `initial_delay_s` after the container starts, then every
/// `period_s`; the pod is Ready after `success_threshold` passing checks in a row. A check
/// passes once the application inside has finished starting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Probe {
    /// Before the first check (Kubernetes' default 0 s).
    pub initial_delay_s: f64,
    /// Between checks (default 10 s).
    pub period_s: f64,
    /// Passing checks in a row for Ready (default 1).
    pub success_threshold: u32,
}

impl Default for Probe {
    fn default() -> Self {
        Probe { initial_delay_s: 0.0, period_s: 10.0, success_threshold: 1 }
    }
}

/// What every pod of a workload is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PodSpec {
    /// Requested CPU and memory (what the scheduler reserves on a node).
    pub requests: Resources,
    /// Image name (a node that pulled it once keeps it).
    pub image: String,
    /// Compressed image size, MB.
    pub image_mb: f64,
    /// From the container starting to the application answering, seconds.
    pub app_start_s: f64,
    /// The readiness probe.
    pub readiness: Probe,
    /// Taint keys tolerated.
    pub tolerations: Vec<String>,
    /// A readiness gate: a Ready pod counts as available to its deployment only once whoever
    /// runs its load balancer opens the gate ([`super::cluster::Cluster::open_gate`]).
    pub readiness_gate: bool,
}

impl Default for PodSpec {
    fn default() -> Self {
        PodSpec {
            requests: Resources { cpu_m: 500, memory_mib: 512 },
            image: "app:1".into(),
            image_mb: 300.0,
            app_start_s: 5.0,
            readiness: Probe::default(),
            tolerations: Vec::new(),
            readiness_gate: false,
        }
    }
}

/// The pod the tests use: half a vCPU and 512 MiB, a 300 MB image, 5 s to start, probed every
/// 10 s from the start (17 s from binding to Ready on a node without the image, 11.2 s with it).
#[cfg(test)]
pub(super) fn test_pod() -> PodSpec {
    PodSpec {
        requests: Resources { cpu_m: 500, memory_mib: 512 },
        image_mb: 300.0,
        app_start_s: 5.0,
        readiness: Probe { initial_delay_s: 0.0, period_s: 10.0, success_threshold: 1 },
        ..PodSpec::default()
    }
}

/// Where a pod is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PodPhase {
    /// Waiting for a node that fits.
    Pending,
    /// Bound to a node; the kubelet is setting up its sandbox and network.
    Scheduled,
    /// Pulling the image (skipped when the node has it).
    PullingImage,
    /// The container is running; the application is starting and the probe not yet passing.
    Starting,
    /// The readiness probe passed: it takes traffic.
    Ready,
    /// Stopping (grace period), out of rotation.
    Terminating,
}

/// Times a bound pod takes, beside its spec: how fast its node pulls, how long the kubelet
/// needs to set up the pod before pulling, and the grace period when it stops.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StartParams {
    /// Sandbox and network (CNI) set-up after binding, seconds.
    pub sandbox_s: f64,
    /// A node pulls and unpacks images at this rate, MB/s.
    pub pull_mb_per_s: f64,
    /// Pulling an image the node has costs this long (a check against the registry), seconds.
    pub cached_pull_s: f64,
    /// Grace period from terminating to gone, seconds.
    pub termination_grace_s: f64,
    /// On Fargate: from a pod's creation to its own micro-VM ready for it (capacity found, the
    /// VM booted, its network interface attached), seconds.
    pub fargate_provisioning: SecondsRange,
}

impl Default for StartParams {
    fn default() -> Self {
        StartParams {
            sandbox_s: 1.0,
            pull_mb_per_s: 50.0,
            cached_pull_s: 0.2,
            termination_grace_s: 30.0,
            fargate_provisioning: SecondsRange { min: 10.0, max: 25.0 },
        }
    }
}

/// When a pod bound at `bound` enters each phase: Scheduled at `bound`, then pulling, starting
/// and Ready. The probe passes at its first check after the application has started, and Ready
/// follows `success_threshold - 1` periods later.
pub fn start_times(spec: &PodSpec, p: &StartParams, cached: bool, bound: SimTime) -> [(PodPhase, SimTime); 4] {
    let pulling = bound + Duration::from_secs_f64(p.sandbox_s);
    let pull = if cached { p.cached_pull_s } else { spec.image_mb / p.pull_mb_per_s.max(1e-9) };
    let started = pulling + Duration::from_secs_f64(pull);
    let app_up = spec.app_start_s.max(0.0);
    let probe = spec.readiness;
    let period = probe.period_s.max(1e-3);
    // The first check at or after the application is up.
    let checks = ((app_up - probe.initial_delay_s) / period).ceil().max(0.0);
    let first_pass = probe.initial_delay_s + checks * period;
    let ready_after = first_pass + f64::from(probe.success_threshold.max(1) - 1) * period;
    [
        (PodPhase::Scheduled, bound),
        (PodPhase::PullingImage, pulling),
        (PodPhase::Starting, started),
        (PodPhase::Ready, started + Duration::from_secs_f64(ready_after)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_starts_through_its_phases_with_closed_form_durations() {
        let spec = PodSpec {
            image_mb: 500.0,
            app_start_s: 12.0,
            readiness: Probe { initial_delay_s: 5.0, period_s: 10.0, success_threshold: 1 },
            ..PodSpec::default()
        };
        let p = StartParams::default();
        let t = start_times(&spec, &p, false, SimTime::from_secs(100));
        assert_eq!(t[0], (PodPhase::Scheduled, SimTime::from_secs(100)));
        assert_eq!(t[1], (PodPhase::PullingImage, SimTime::from_secs(101)));
        // 500 MB at 50 MB/s.
        assert_eq!(t[2], (PodPhase::Starting, SimTime::from_secs(111)));
        // Checks at 5 s and 15 s after the start; the application is up at 12 s: Ready at 15 s.
        assert_eq!(t[3], (PodPhase::Ready, SimTime::from_secs(126)));
        // The image on the node: 0.2 s instead of 10 s.
        let cached = start_times(&spec, &p, true, SimTime::from_secs(100));
        assert_eq!(cached[3].1, SimTime::from_millis(116_200));
        // Three passes in a row: two more periods.
        let strict = PodSpec { readiness: Probe { success_threshold: 3, ..spec.readiness }, ..spec.clone() };
        assert_eq!(start_times(&strict, &p, false, SimTime::from_secs(100))[3].1, SimTime::from_secs(146));
    }
}
