//! An EKS deployment's nodes on the infrastructure's layers: each node is an instance on a
//! host, its pods run at its speed (a noisy neighbour on the host slows every pod on the node),
//! its CPU is the sum of its pods' work, a node the cluster autoscaler adds launches through the
//! six phases, and a node goes down with its host.

use strata_core::layers::launch::{InstanceState, LaunchPhase, Principal};
use strata_core::sim::{
    ComponentIdx, InstanceLayers, InstanceStatus, LifecycleEvent, ObservationKind, SimConfig, Simulation,
};
use strata_core::time::SimTime;

use crate::common::{assert_conserved, scenario, scenario_edited};

/// The noisy-node scenario's load: 60 requests/s over six pods, 20 ms of CPU each.
const POD_RPS: f64 = 10.0;
const SERVICE_S: f64 = 0.020;
const NOISY_NODE: &str = "api-node-1";

fn noisy(experiment: Option<&str>) -> Simulation {
    let t = scenario("eks-noisy-node.json");
    Simulation::new(&t, SimConfig { experiment: experiment.map(Into::into), ..SimConfig::with_seed(1) }).unwrap()
}

/// Each pod's node and its node's service-time multiplier now.
fn pods_on_nodes(sim: &Simulation, api: ComponentIdx) -> Vec<(String, f64)> {
    (0..32)
        .filter_map(|k| sim.pod_detail(api, k))
        .filter(|d| d.phase == strata_core::containers::pod::PodPhase::Ready)
        .map(|d| {
            let vm = d.vm.expect("a pod on a node of the layers");
            assert_eq!(Some(&vm.instance), d.node.as_ref(), "the node is its instance");
            (vm.instance, vm.service_time_multiplier)
        })
        .collect()
}

fn instance(sim: &Simulation, name: &str) -> InstanceLayers {
    let r = sim.report();
    r.layers.unwrap().instances.into_iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no instance {name}"))
}

/// Mean of the api's series over (from, to].
fn window(
    sim: &Simulation,
    api: ComponentIdx,
    from: f64,
    to: f64,
    f: impl Fn(&strata_core::sim::SeriesPoint) -> f64,
) -> f64 {
    let pts: Vec<f64> = sim.series(api).iter().filter(|p| p.t_s > from && p.t_s <= to).map(f).collect();
    pts.iter().sum::<f64>() / pts.len() as f64
}

#[test]
fn a_pod_runs_at_its_node_s_speed_and_a_node_s_cpu_is_its_pods_work() {
    let mut sim = noisy(None);
    let api = sim.component_index("api").unwrap();
    let overhead = sim.infrastructure().unwrap().hypervisors.params.overhead;
    let quiet = 1.0 / (1.0 - overhead);
    let mut read = Vec::new();
    for at in [60, 120] {
        sim.step_until(SimTime::from_secs(at));
        let pods = pods_on_nodes(&sim, api);
        assert_eq!(pods.len(), 6);
        let on_noisy: Vec<f64> = pods.iter().filter(|p| p.0 == NOISY_NODE).map(|p| p.1).collect();
        assert_eq!(on_noisy.len(), 2, "the scheduler spreads six pods over three nodes: {pods:?}");
        // The node shares its host with nine busy VMs of another tenant: it suffers what they do.
        let neighbour = instance(&sim, "tenant-b-batch-1");
        let node = instance(&sim, NOISY_NODE);
        assert_eq!(node.host, neighbour.host);
        assert_eq!(node.component.as_deref(), Some("api"));
        assert_eq!(node.slot, None, "a node serves its pods, in no slot of its own");
        assert!((node.service_time_multiplier - neighbour.service_time_multiplier).abs() < 1e-9);
        let m1 = on_noisy[0];
        assert!(m1 > 2.0, "{m1}");
        for (n, m) in &pods {
            if n != NOISY_NODE {
                assert!((m - quiet).abs() < 1e-6, "{n}: {m} on a quiet host, {quiet} expected");
            }
        }
        // The pods' CPU over the last minute: each pod's share of its server is its work times
        // its node's stretch.
        let util = window(&sim, api, at as f64 - 60.0 + 10.0, at as f64, |p| p.utilization);
        let expected = POD_RPS * SERVICE_S * (2.0 * m1 + 4.0 * quiet) / 6.0;
        assert!((util / expected - 1.0).abs() < 0.06, "at {at} s: pods {util:.4} busy, {expected:.4} expected");
        // A node's guest CPU is its pods' work over its vCPUs (m5.xlarge: 4), whatever the
        // steal: two pods of 10 requests/s x 20 ms.
        for name in [NOISY_NODE, "api-node-2", "api-node-3"] {
            let guest = instance(&sim, name).guest_cpu_percent;
            let work = 2.0 * POD_RPS * SERVICE_S / (4.0 * (1.0 - overhead)) * 100.0;
            assert!((guest / work - 1.0).abs() < 0.12, "{name} at {at} s: guest {guest:.2}%, {work:.2}% expected");
        }
        let mean = window(&sim, api, at as f64 - 50.0, at as f64, |p| p.mean_latency_ms);
        read.push((m1, util, mean));
        assert!(mean > SERVICE_S * 1e3 * (2.0 * m1 + 4.0 * quiet) / 6.0, "{mean} ms");
    }
    println!("noisy node (multiplier, pod busy, api mean ms) at 60 s and 120 s: {read:?}");
    assert_conserved(&sim, &sim.report());

    // Drained at 60 s: the noisy node's pods are rescheduled on the quiet nodes, which then
    // carry three each; the noisy node's guest CPU falls to nothing.
    let mut sim = noisy(Some("drain-noisy-node"));
    sim.step_until(SimTime::from_secs(150));
    let pods = pods_on_nodes(&sim, api);
    assert_eq!(pods.len(), 6, "{pods:?}");
    assert!(pods.iter().all(|p| p.0 != NOISY_NODE), "{pods:?}");
    assert!(instance(&sim, NOISY_NODE).guest_cpu_percent < 1.0);
    let work = 3.0 * POD_RPS * SERVICE_S / (4.0 * (1.0 - overhead)) * 100.0;
    for name in ["api-node-2", "api-node-3"] {
        let guest = instance(&sim, name).guest_cpu_percent;
        assert!((guest / work - 1.0).abs() < 0.12, "{name}: guest {guest:.2}%, {work:.2}% expected");
    }
    let util = window(&sim, api, 100.0, 150.0, |p| p.utilization);
    assert!((util / (POD_RPS * SERVICE_S * quiet) - 1.0).abs() < 0.06, "{util}");
    let after = window(&sim, api, 100.0, 150.0, |p| p.mean_latency_ms);
    assert!(after * 1.2 < read[0].2, "drained: {after:.1} ms against {:.1} ms", read[0].2);
    println!("drained: api mean {after:.1} ms (was {:.1})", read[0].2);
}

/// Pods-pending-spike with its nodes on the layers (`edit` changes the layers more).
fn spike_on_layers(edit: impl Fn(&mut serde_json::Value)) -> Simulation {
    let t = scenario_edited("pods-pending-spike.json", |v| {
        v["infrastructure"] = serde_json::json!({
            "fleet": {"region": "us-east-1", "azs": ["a", "b"]},
            "network": {"vpcs": [{"name": "vpc-main", "cidr": "10.0.0.0/16", "subnets": [
                {"name": "app-a", "cidr": "10.0.11.0/24", "az": "a"},
                {"name": "app-b", "cidr": "10.0.12.0/24", "az": "b"}]}]}
        });
        edit(v);
    });
    Simulation::new(&t, SimConfig::with_seed(1)).unwrap()
}

#[test]
fn a_node_the_autoscaler_adds_launches_through_the_six_phases_then_joins() {
    let mut sim = spike_on_layers(|_| {});
    let mut phases: Vec<LifecycleEvent> = Vec::new();
    for s in (0..=600).step_by(5) {
        sim.step_until(SimTime::from_secs(s));
        phases.extend(sim.drain_lifecycle_events());
    }
    let r = sim.report();
    let layers = r.layers.as_ref().unwrap();
    let nodes: Vec<&InstanceLayers> =
        layers.instances.iter().filter(|i| i.component.as_deref() == Some("api")).collect();
    assert!(nodes.len() >= 4, "two nodes at the start and some the autoscaler added: {nodes:?}");
    assert_eq!(layers.launches as usize, nodes.len() - 2, "every added node launched through the layers");
    let joined: Vec<(f64, String)> = sim
        .observations()
        .iter()
        .filter(|o| o.kind == ObservationKind::NodeJoined)
        .map(|o| (o.time_s, o.text.split_whitespace().nth(2).unwrap().to_string()))
        .collect();
    for n in nodes.iter().skip(2) {
        assert_eq!(n.state, InstanceState::Running, "{}", n.name);
        assert!(n.host.is_some() && n.private_ip.is_some(), "{n:?}");
        let mine: Vec<&LifecycleEvent> = phases.iter().filter(|e| e.instance == n.name).collect();
        let order: Vec<LaunchPhase> = mine.iter().map(|e| e.phase).collect();
        assert_eq!(order, LaunchPhase::LAUNCH.to_vec(), "{}", n.name);
        assert!(mine.iter().all(|e| e.component == Some(sim.component_index("api").unwrap())));
        // The kubelet joins 20-40 s after the instance runs, as the layers ran it.
        let running = mine.last().unwrap().time.as_secs_f64();
        let (at, _) =
            joined.iter().find(|(_, name)| *name == n.name).unwrap_or_else(|| panic!("{} never joined", n.name));
        assert!((20.0..=40.0).contains(&(at - running)), "{}: running at {running}, Ready at {at}", n.name);
        let call = layers.api_log.iter().find(|c| c.action == "RunInstances" && c.target == n.name).unwrap();
        assert_eq!(call.principal, Principal::AutoScaling("api-node".into()));
        assert!(call.result.is_ok());
    }
    assert_conserved(&sim, &r);
}

#[test]
fn a_node_launch_the_vcpu_quota_refuses_leaves_pods_pending() {
    // Two m5.large nodes use 4 vCPUs: a quota of 4 leaves no room for a third.
    let mut sim = spike_on_layers(|v| v["infrastructure"]["launch"] = serde_json::json!({"vcpu_quota": 4}));
    let api = sim.component_index("api").unwrap();
    let mut most = 0;
    for s in (0..=400).step_by(5) {
        sim.step_until(SimTime::from_secs(s));
        most = most.max(sim.instances_in_service(api));
    }
    let failed: Vec<_> = sim.observations().iter().filter(|o| o.kind == ObservationKind::LaunchFailed).collect();
    assert!(failed.len() >= 2, "the autoscaler tries again at later scans: {failed:?}");
    assert!(failed[0].text.starts_with("api: node api-node-3 failed to launch:"), "{}", failed[0].text);
    assert!(failed[0].text.contains("vCPU"), "{}", failed[0].text);
    assert!(sim.observations().iter().all(|o| o.kind != ObservationKind::NodeJoined), "no node joined");
    assert_eq!(most, 6, "two m5.large nodes hold six 500m pods, and no more came");
    let r = sim.report();
    assert_eq!(r.layers.as_ref().unwrap().failed_launches as usize, failed.len());
    assert_eq!(r.layers.as_ref().unwrap().launches, 0);
}

#[test]
fn a_node_failure_on_the_layers_is_its_host_s_and_every_vm_on_it_stops() {
    let t = scenario_edited("eks-noisy-node.json", |v| {
        v["experiments"] = serde_json::json!([{"name": "x", "actions": [
            {"action": "node-failure", "target": {"instance": {"component": "api", "index": 0}}, "start_s": 60}]}]);
    });
    let mut sim = Simulation::new(&t, SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(1) }).unwrap();
    let api = sim.component_index("api").unwrap();
    sim.step_until(SimTime::from_secs(61));
    assert_eq!(pods_on_nodes(&sim, api).iter().filter(|p| p.0 == NOISY_NODE).count(), 0, "its pods stop answering");
    for k in 1..=9 {
        let vm = instance(&sim, &format!("tenant-b-batch-{k}"));
        assert_eq!(vm.state, InstanceState::Stopped, "the host's other VMs stop with it");
    }
    assert_eq!(instance(&sim, NOISY_NODE).state, InstanceState::Stopped);
    let lost = sim.observations().iter().find(|o| o.text.contains("is lost with its host")).unwrap();
    assert_eq!(lost.time_s, 60.0);
    assert!(lost.text.starts_with("api: node api-node-1"), "{}", lost.text);
    let answering =
        |sim: &Simulation| sim.instances(api).iter().filter(|i| i.status == InstanceStatus::InService).count();
    assert_eq!(answering(&sim), 4);
    sim.step_until(SimTime::from_secs(399));
    assert_eq!(answering(&sim), 4, "replaced only after the eviction delay");
    sim.step_until(SimTime::from_secs(460));
    let pods = pods_on_nodes(&sim, api);
    assert_eq!(pods.len(), 6, "{pods:?}");
    assert!(pods.iter().all(|p| p.0 != NOISY_NODE));
    let gone = instance(&sim, NOISY_NODE).state;
    assert!(matches!(gone, InstanceState::ShuttingDown | InstanceState::Terminated), "{gone:?}");
    assert_conserved(&sim, &sim.report());
}
