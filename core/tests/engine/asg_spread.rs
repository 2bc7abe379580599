//! An Auto Scaling group spreads its instances evenly over the AZs of its subnets: losing one AZ
//! takes only that AZ's share.

use std::collections::BTreeSet;
use strata_core::sim::{Fault, HopKind, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{ComponentKind as K, ComponentSpec, Container, ContainerKind as CK, Topology};

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

fn topology(azs: usize, desired: u32) -> Topology {
    let mut t = Topology::new("spread");
    t.containers.push(container("r", CK::Region, None, None));
    t.containers.push(container("vpc", CK::Vpc, Some("r"), Some("10.0.0.0/16")));
    let mut subnets = Vec::new();
    for (i, az) in ["az-a", "az-b", "az-c"].iter().take(azs).enumerate() {
        t.containers.push(container(az, CK::Az, Some("r"), None));
        let mut s = container(&format!("sub-{i}"), CK::Subnet, Some("vpc"), Some(&format!("10.0.{i}.0/24")));
        s.az = Some((*az).into());
        t.containers.push(s);
        subnets.push(format!("sub-{i}"));
    }
    t.add("users", K::Client, Some("r"));
    if let ComponentSpec::Asg(p) = &mut t.add("app", K::Asg, Some("vpc")).spec {
        p.min = desired;
        p.desired = desired;
        p.max = desired;
        p.subnets = subnets;
    }
    t.connect("users", "app");
    t
}

/// The instances of `app` that started serving sampled requests in `(from, to]` seconds.
fn serving(sim: &mut Simulation, from: u64, to: u64) -> BTreeSet<u32> {
    sim.step_until(SimTime::from_secs(to));
    let app = sim.component_index("app").unwrap();
    sim.drain_journeys()
        .filter(|j| j.component == app && matches!(j.kind, HopKind::Start) && j.time > SimTime::from_secs(from))
        .map(|j| j.instance)
        .collect()
}

#[test]
fn instances_are_spread_evenly_across_azs() {
    for (azs, desired) in [(3, 6), (3, 9), (2, 4)] {
        let t = topology(azs, desired);
        let v = strata_core::validate::validate(&t);
        assert!(!v.has_errors(), "{:?}", v.diagnostics);
        let config = SimConfig { seed: 1, journey_sample_every: 1, journey_buffer: 100_000, ..SimConfig::default() };
        let mut sim = Simulation::new(&t, config).unwrap();
        sim.schedule_fault(SimTime::from_secs(10), &Fault::AzDown { az: "az-b".into() }).unwrap();
        let before = serving(&mut sim, 0, 10);
        assert_eq!(before.len() as u32, desired, "every instance serves while all AZs are up");
        let after = serving(&mut sim, 10, 20);
        let per_az = desired / azs as u32;
        assert_eq!(
            after.len() as u32,
            desired - per_az,
            "{azs} AZs, {desired} instances: az-b held {}",
            desired - after.len() as u32
        );
        assert!(after.is_subset(&before));
    }
}
