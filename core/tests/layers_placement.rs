//! Placement: capacity is respected, spread and cluster groups, dedicated hosts, busy
//! neighbours avoided, every decision explained, the same seed gives the same decisions.

use strata_core::layers::hypervisor::{HypervisorParams, Hypervisors, Tenancy};
use strata_core::layers::physical::{Fleet, FleetParams};
use strata_core::layers::placement::{
    instance_type, CandidateVerdict, Placement, PlacementError, PlacementRequest, PlacementStrategy,
};
use strata_core::rng::rng_from_seed;

fn fleet(racks: u32, hosts_per_rack: u32) -> (Fleet, Hypervisors) {
    let mut p = FleetParams { azs: vec!["a".into()], ..Default::default() };
    p.per_az.racks_per_data_center = racks;
    p.per_az.compute_hosts_per_rack = hosts_per_rack;
    p.per_az.memory_hosts_per_rack = 0;
    let (f, _) = Fleet::generate(&p);
    let hv = Hypervisors::new(&f, HypervisorParams::default());
    (f, hv)
}

fn req(name: &str, t: &str) -> PlacementRequest {
    PlacementRequest::new(name, instance_type(t).unwrap())
}

#[test]
fn capacity_is_never_exceeded_and_the_failure_says_why() {
    let (f, mut hv) = fleet(1, 2);
    let mut p = Placement::default();
    let mut rng = rng_from_seed(1);
    // m5.4xlarge: 16 vCPU / 64 GiB; a 256 GiB host holds four.
    for i in 0..8 {
        p.place(&f, &mut hv, &req(&format!("m{i}"), "m5.4xlarge"), &mut rng).unwrap();
    }
    let err = p.place(&f, &mut hv, &req("m8", "m5.4xlarge"), &mut rng).unwrap_err();
    match &err {
        PlacementError::InsufficientCapacity { decision, summary, .. } => {
            assert_eq!(decision.filtered().count(), 2);
            assert!(summary.contains("2 hosts have too little free memory"), "{summary}");
            assert!(decision.chosen.is_none());
        }
        other => panic!("{other}"),
    }
    for h in &hv.hosts {
        assert_eq!(h.used_memory_gib, 256.0);
        assert!(h.used_vcpus <= h.sellable_vcpus);
    }
    // Small types still fit on the leftover vCPUs? No: memory is gone.
    assert!(p.place(&f, &mut hv, &req("tiny", "t3.micro"), &mut rng).is_err());
}

#[test]
fn load_is_spread_across_hosts() {
    let (f, mut hv) = fleet(2, 3);
    let mut p = Placement::default();
    let mut rng = rng_from_seed(2);
    let mut hosts = Vec::new();
    for i in 0..6 {
        hosts.push(p.place(&f, &mut hv, &req(&format!("w{i}"), "m5.2xlarge"), &mut rng).unwrap().chosen.unwrap());
    }
    hosts.sort();
    hosts.dedup();
    assert_eq!(hosts.len(), 6, "six instances on six different hosts");
}

#[test]
fn spread_group_uses_distinct_racks_and_refuses_a_fourth_on_three_racks() {
    let (f, mut hv) = fleet(3, 4);
    let mut p = Placement::default();
    p.add_group("pg-spread", PlacementStrategy::Spread);
    let mut rng = rng_from_seed(3);
    let mut racks = Vec::new();
    for i in 0..3 {
        let mut r = req(&format!("s{i}"), "m5.large");
        r.group = Some("pg-spread".into());
        let d = p.place(&f, &mut hv, &r, &mut rng).unwrap();
        racks.push(f.host(d.chosen.unwrap()).rack);
    }
    racks.sort();
    racks.dedup();
    assert_eq!(racks.len(), 3);
    let mut r = req("s3", "m5.large");
    r.group = Some("pg-spread".into());
    match p.place(&f, &mut hv, &r, &mut rng).unwrap_err() {
        PlacementError::InsufficientCapacity { summary, .. } => {
            assert!(summary.contains("already holds") && summary.contains("pg-spread"), "{summary}")
        }
        other => panic!("{other}"),
    }
    // Once a member leaves, its rack is free again.
    p.forget("s1");
    assert!(p.place(&f, &mut hv, &r, &mut rng).is_ok());
}

#[test]
fn cluster_group_stays_in_one_rack() {
    let (f, mut hv) = fleet(3, 4);
    let mut p = Placement::default();
    p.add_group("pg-hpc", PlacementStrategy::Cluster);
    let mut rng = rng_from_seed(4);
    let mut racks = Vec::new();
    for i in 0..6 {
        let mut r = req(&format!("c{i}"), "c5.4xlarge");
        r.group = Some("pg-hpc".into());
        racks.push(f.host(p.place(&f, &mut hv, &r, &mut rng).unwrap().chosen.unwrap()).rack);
    }
    assert!(racks.iter().all(|r| *r == racks[0]), "{racks:?}");
    let d = p.decisions.last().unwrap();
    let chosen = d.candidates.iter().find(|c| Some(c.host) == d.chosen).unwrap();
    match &chosen.verdict {
        CandidateVerdict::Scored { terms, .. } => {
            assert!(terms.iter().any(|t| t.contains("same rack as cluster group")))
        }
        v => panic!("{v:?}"),
    }
}

#[test]
fn dedicated_hosts_take_only_their_owner_when_targeted() {
    let (f, mut hv) = fleet(1, 3);
    let dh = f.hosts[1].id;
    hv.allocate_dedicated_host(dh, "acme");
    let mut p = Placement::default();
    let mut rng = rng_from_seed(5);
    for i in 0..10 {
        let d = p.place(&f, &mut hv, &req(&format!("x{i}"), "m5.large"), &mut rng).unwrap();
        assert_ne!(d.chosen, Some(dh));
        let why = d.candidates.iter().find(|c| c.host == dh).unwrap();
        assert!(matches!(&why.verdict, CandidateVerdict::Filtered { reason } if reason.contains("dedicated host")));
    }
    let mut r = req("mine", "m5.large");
    r.account = "acme".into();
    r.tenancy = Tenancy::Host;
    r.host = Some(dh);
    assert_eq!(p.place(&f, &mut hv, &r, &mut rng).unwrap().chosen, Some(dh));
}

#[test]
fn busy_neighbours_are_avoided_and_the_decision_is_explained() {
    let (f, mut hv) = fleet(1, 3);
    // Host 0 is almost empty but its one VM burns CPU; hosts 1 and 2 hold idle VMs.
    let busy = hv.reserve(f.hosts[0].id, "cruncher", "other", 64, 32.0, &Tenancy::Default).unwrap();
    hv.start(busy);
    hv.set_cpu_demand(busy, 1.0);
    for h in [1, 2] {
        let vm = hv.reserve(f.hosts[h].id, "idle", "other", 96, 64.0, &Tenancy::Default).unwrap();
        hv.start(vm);
    }
    let mut p = Placement::default();
    let d = p.place(&f, &mut hv, &req("api", "m5.xlarge"), &mut rng_from_seed(6)).unwrap();
    assert_ne!(d.chosen, Some(f.hosts[0].id));
    assert_eq!(d.candidates.len(), 3);
    assert!(d.az_reason.contains("most free capacity"));
    let busy_score = d.score_of(f.hosts[0].id).unwrap();
    let best = d.score_of(d.chosen.unwrap()).unwrap();
    assert!(best > busy_score);
    match &d.candidates[0].verdict {
        CandidateVerdict::Scored { terms, .. } => {
            assert!(terms.iter().any(|t| t.contains("neighbours keep CPU")))
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(p.decisions.len(), 1);
}

#[test]
fn same_seed_same_decisions() {
    let run = |seed| {
        let (f, mut hv) = fleet(3, 4);
        let mut p = Placement::default();
        let mut rng = rng_from_seed(seed);
        for i in 0..20 {
            p.place(&f, &mut hv, &req(&format!("i{i}"), "m5.large"), &mut rng).unwrap();
        }
        serde_json::to_string(&p.decisions).unwrap()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}
