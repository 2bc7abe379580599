//! The launch lifecycle of DOMAIN.md §2: phase order, durations, failures that release what
//! they reserved, instance states and the API call log.

use strata_core::layers::launch::{InstanceState, LaunchPhase, Layer};
use strata_core::layers::storage::VolumeState;
use strata_core::layers::{Infrastructure, InfrastructureConfig, LaunchRequest, Principal};
use strata_core::time::{Duration, SimTime};

fn config() -> InfrastructureConfig {
    serde_json::from_str(
        r#"{
        "fleet": {"azs": ["a", "b"], "per_az": {"racks_per_data_center": 2, "compute_hosts_per_rack": 2, "memory_hosts_per_rack": 1}},
        "network": {"vpcs": [{
            "name": "vpc-main", "cidr": "10.0.0.0/16", "internet_gateway": "igw-main",
            "route_tables": [{"name": "rtb-public", "routes": [{"destination": "0.0.0.0/0", "target": "igw-main"}]}],
            "subnets": [
                {"name": "public-a", "cidr": "10.0.0.0/24", "az": "a", "route_table": "rtb-public"},
                {"name": "app-a", "cidr": "10.0.1.0/24", "az": "a"},
                {"name": "tiny-b", "cidr": "10.0.9.0/28", "az": "b"}
            ],
            "security_groups": [{"name": "sg-web", "inbound": [{"ports": "22", "source": "0.0.0.0/0"}]}]
        }]}
    }"#,
    )
    .unwrap()
}

fn build(seed: u64) -> Infrastructure {
    let (infra, d) = Infrastructure::build(&config(), seed);
    assert!(d.is_empty(), "{d:?}");
    infra
}

fn t3_medium(name: &str) -> LaunchRequest {
    let mut r = LaunchRequest::new(name, "t3.medium", "public-a", "alice");
    r.security_groups = vec!["sg-web".into()];
    r.public_ip = true;
    r
}

#[test]
fn phases_run_in_order_with_their_layers_and_details() {
    let mut infra = build(1);
    let now = SimTime::ZERO + Duration::from_secs(100);
    let plan = infra.launch_instance(now, &t3_medium("web-1"));
    let phases: Vec<LaunchPhase> = plan.events.iter().map(|e| e.phase).collect();
    assert_eq!(phases, LaunchPhase::LAUNCH);
    let layers: Vec<Layer> = plan.events.iter().map(|e| e.layer).collect();
    assert_eq!(layers[1], Layer::Placement);
    assert_eq!(layers[2], Layer::Hypervisor);
    assert_eq!(layers[3], Layer::Storage);
    assert_eq!(layers[4], Layer::Network);
    assert!(plan.events.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(plan.events.iter().all(|e| !e.failed));

    let inst = infra.instance(plan.instance).clone();
    let host = infra.fleet.host(inst.host.unwrap()).name.clone();
    assert!(plan.events[1].detail.contains(&host), "{}", plan.events[1].detail);
    assert!(
        plan.events[3].detail.contains("8 GiB gp3") && plan.events[3].detail.contains("web-1-root"),
        "{}",
        plan.events[3].detail
    );
    assert!(
        plan.events[4].detail.contains("10.0.0.4") && plan.events[4].detail.contains("public IP"),
        "{}",
        plan.events[4].detail
    );
    assert!(plan.placement.as_ref().unwrap().chosen.is_some());

    // Pending until the plan says running; only then it takes traffic.
    let ready = *plan.outcome.as_ref().unwrap();
    assert_eq!(inst.state, InstanceState::Pending);
    infra.advance(SimTime(ready.as_nanos() - 1));
    assert!(!infra.takes_traffic(plan.instance, ready));
    infra.advance(ready);
    assert_eq!(infra.instance(plan.instance).state, InstanceState::Running);
    assert!(infra.takes_traffic(plan.instance, ready));
    let log = infra.api_log.last().unwrap();
    assert_eq!((log.action.as_str(), log.target.as_str(), log.at), ("RunInstances", "web-1", now));
    assert_eq!(log.principal, Principal::User("alice".into()));
    assert!(log.result.is_ok());
}

#[test]
fn default_launch_takes_8_to_15_seconds_for_every_seed() {
    let mut totals = Vec::new();
    for seed in 0..300 {
        let mut infra = build(seed);
        let plan = infra.launch_instance(SimTime::ZERO, &t3_medium("web"));
        let total = plan.total().expect("launches").as_secs_f64();
        assert!((8.0..=15.0).contains(&total), "seed {seed}: {total} s");
        totals.push(total);
    }
    let mean = totals.iter().sum::<f64>() / totals.len() as f64;
    assert!((10.0..=12.5).contains(&mean), "mean {mean}");
    // The draws vary with the seed.
    assert!(totals.iter().any(|t| (t - totals[0]).abs() > 0.5));
}

#[test]
fn iam_denial_fails_at_the_request_and_reserves_nothing() {
    let mut cfg = config();
    cfg.launch.iam_denied = vec!["user:intern".into()];
    let (mut infra, _) = Infrastructure::build(&cfg, 1);
    let mut req = t3_medium("x");
    req.principal = Principal::User("intern".into());
    let plan = infra.launch_instance(SimTime::ZERO, &req);
    let f = plan.outcome.as_ref().unwrap_err();
    assert_eq!(f.phase, LaunchPhase::RequestAccepted);
    assert!(f.reason.starts_with("AccessDenied: user:intern"), "{}", f.reason);
    assert_eq!(plan.events.len(), 1);
    assert!(plan.events[0].failed);
    assert!(infra.hypervisors.hosts.iter().all(|h| h.used_vcpus == 0));
    assert!(infra.network.enis.is_empty());
    assert_eq!(infra.instance(plan.instance).state, InstanceState::Terminated);
    assert!(infra.api_log.last().unwrap().result.as_ref().unwrap_err().contains("AccessDenied"));
}

#[test]
fn vcpu_quota_is_checked_at_the_request() {
    let mut cfg = config();
    cfg.launch.vcpu_quota = 4;
    let (mut infra, _) = Infrastructure::build(&cfg, 1);
    assert!(infra.launch_instance(SimTime::ZERO, &t3_medium("a")).outcome.is_ok());
    assert!(infra.launch_instance(SimTime::ZERO, &t3_medium("b")).outcome.is_ok());
    let plan = infra.launch_instance(SimTime::ZERO, &t3_medium("c"));
    let f = plan.outcome.unwrap_err();
    assert_eq!(f.phase, LaunchPhase::RequestAccepted);
    assert!(f.reason.contains("VcpuLimitExceeded") && f.reason.contains("4 of its 4"), "{}", f.reason);
}

#[test]
fn impaired_az_refuses_launches() {
    let mut infra = build(1);
    let a = infra.fleet.az_by_name("a").unwrap();
    infra.fleet.set_az_available(a, false);
    let f = infra.launch_instance(SimTime::ZERO, &t3_medium("x")).outcome.unwrap_err();
    assert_eq!(f.phase, LaunchPhase::RequestAccepted);
    assert!(f.reason.contains("ap-northeast-2a is not accepting launches"), "{}", f.reason);
}

#[test]
fn insufficient_capacity_fails_at_placement_with_the_decision() {
    let mut cfg = config();
    cfg.launch.vcpu_quota = 10_000;
    let (mut infra, _) = Infrastructure::build(&cfg, 1);
    // AZ a: 4 compute hosts (256 GiB: 2 each), a 512 GiB memory host (4) and a 1 TiB memory
    // host whose 96 threads cap it at 6 of 16 vCPUs each: 18 in all.
    let mut launched = 0;
    let failure = loop {
        let mut r = LaunchRequest::new(&format!("big-{launched}"), "r5.4xlarge", "app-a", "alice");
        r.principal = Principal::AutoScaling("asg-big".into());
        let plan = infra.launch_instance(SimTime::ZERO, &r);
        match plan.outcome {
            Ok(_) => launched += 1,
            Err(f) => break (f, plan.placement),
        }
        assert!(launched < 100);
    };
    assert_eq!(launched, 18);
    assert_eq!(failure.0.phase, LaunchPhase::CapacityReserved);
    assert!(failure.0.reason.starts_with("InsufficientInstanceCapacity"), "{}", failure.0.reason);
    assert!(failure.0.reason.contains("have too little free memory"), "{}", failure.0.reason);
    let decision = failure.1.expect("decision recorded");
    assert_eq!(decision.candidates.len(), 6);
    assert_eq!(decision.filtered().count(), 6);
    for h in &infra.hypervisors.hosts {
        assert!(h.used_memory_gib <= h.memory_gib && h.used_vcpus <= h.sellable_vcpus);
    }
    assert_eq!(infra.api_log.last().unwrap().principal, Principal::AutoScaling("asg-big".into()));
}

#[test]
fn storage_failure_releases_the_host_capacity() {
    let mut cfg = config();
    cfg.storage.cluster_capacity_gib = 12;
    let (mut infra, _) = Infrastructure::build(&cfg, 1);
    assert!(infra.launch_instance(SimTime::ZERO, &t3_medium("a")).outcome.is_ok());
    let used_before: u32 = infra.hypervisors.hosts.iter().map(|h| h.used_vcpus).sum();
    let plan = infra.launch_instance(SimTime::ZERO, &t3_medium("b"));
    let f = plan.outcome.as_ref().unwrap_err();
    assert_eq!(f.phase, LaunchPhase::StorageAttached);
    assert!(f.reason.contains("storage cluster in ap-northeast-2a has 4 GiB free"), "{}", f.reason);
    let used_after: u32 = infra.hypervisors.hosts.iter().map(|h| h.used_vcpus).sum();
    assert_eq!(used_after, used_before, "the failed launch's vCPUs are back");
    let last = plan.events.last().unwrap();
    assert!(last.failed && last.detail.contains("released capacity on"), "{}", last.detail);
    assert_eq!(infra.instance(plan.instance).state, InstanceState::Terminated);
}

#[test]
fn subnet_exhaustion_releases_host_and_volume() {
    let mut infra = build(1);
    let tiny = infra.network.subnet_by_name("tiny-b").unwrap();
    for i in 0..11 {
        infra.network.create_eni(&format!("filler-{i}"), tiny, vec![], None, false).unwrap();
    }
    let used_gib = infra.storage.used_gib.get("ap-northeast-2b").copied().unwrap_or(0);
    let mut req = t3_medium("late");
    req.subnet = "tiny-b".into();
    let plan = infra.launch_instance(SimTime::ZERO, &req);
    let f = plan.outcome.as_ref().unwrap_err();
    assert_eq!(f.phase, LaunchPhase::NetworkConfigured);
    assert!(f.reason.contains("no free private addresses") && f.reason.contains("10.0.9.0/28"), "{}", f.reason);
    assert!(infra.hypervisors.hosts.iter().all(|h| h.used_vcpus == 0));
    assert_eq!(infra.storage.used_gib["ap-northeast-2b"], used_gib);
    let root = infra.storage.volumes.iter().find(|v| v.name == "late-root").unwrap();
    assert_eq!(root.state, VolumeState::Deleted);
    let last = plan.events.last().unwrap();
    assert!(last.detail.contains("volume late-root"), "{}", last.detail);
}

#[test]
fn terminate_releases_everything_but_data_volumes_survive_and_reattach() {
    let mut infra = build(1);
    let user = Principal::User("alice".into());
    let plan = infra.launch_instance(SimTime::ZERO, &t3_medium("db-1"));
    let id = plan.instance;
    let ready = plan.outcome.unwrap();
    infra.advance(ready);
    let data = infra
        .storage
        .create_volume("data", "ap-northeast-2a", 100, strata_core::layers::storage::VolumeKind::Gp2, None)
        .unwrap();
    infra.storage.attach(data, "db-1", "ap-northeast-2a").unwrap();
    infra.instances[id.index()].volumes.push(data);
    let ip = infra.network.eni(infra.instance(id).eni.unwrap()).private_ip;

    let done = infra.terminate_instance(ready, id, &user).unwrap();
    assert_eq!(infra.instance(id).state, InstanceState::ShuttingDown);
    infra.advance(done);
    assert_eq!(infra.instance(id).state, InstanceState::Terminated);
    assert!(infra.hypervisors.hosts.iter().all(|h| h.used_vcpus == 0));
    assert_eq!(infra.storage.volume(data).state, VolumeState::Available);
    let root = infra.storage.volume_by_name("db-1-root");
    assert!(root.is_none(), "root volume deleted on termination");

    // The next instance reuses the address and takes the volume.
    let plan2 = infra.launch_instance(done, &t3_medium("db-2"));
    infra.advance(plan2.outcome.unwrap());
    assert_eq!(infra.network.eni(infra.instance(plan2.instance).eni.unwrap()).private_ip, ip);
    infra.storage.attach(data, "db-2", "ap-northeast-2a").unwrap();

    // Illegal transitions are refused and logged.
    let e = infra.start_instance(done, plan2.instance, &user).unwrap_err();
    assert!(e.to_string().contains("IncorrectInstanceState"), "{e}");
    assert!(infra.terminate_instance(done, id, &user).is_err());
    assert_eq!(infra.api_log.iter().filter(|c| c.result.is_err()).count(), 2);
}

#[test]
fn launch_plans_are_deterministic_per_seed() {
    let run = |seed| {
        let mut infra = build(seed);
        let plans: Vec<String> = (0..5)
            .map(|i| {
                serde_json::to_string(&infra.launch_instance(SimTime::ZERO, &t3_medium(&format!("w{i}")))).unwrap()
            })
            .collect();
        plans
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}
