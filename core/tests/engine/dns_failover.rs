//! Route 53 failover only takes effect as resolver caches expire; a DNS outage hurts only
//! once cached answers run out.

use strata_core::sim::{Fault, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{ComponentKind as K, ComponentSpec, RoutingPolicy, Topology};

const TTL_S: f64 = 60.0;
const FAIL_AT: u64 = 60;

fn topology() -> Topology {
    let mut t = Topology::new("failover");
    t.add("users", K::Client, None);
    if let ComponentSpec::Route53(p) = &mut t.add("dns", K::Route53, None).spec {
        p.policy = RoutingPolicy::Failover;
        p.ttl_s = TTL_S;
        p.resolvers = 16;
        p.health_check_interval_s = 10.0;
        p.failure_threshold = 3;
    }
    t.add("primary", K::Ec2, None);
    t.add("standby", K::Ec2, None);
    t.connect("users", "dns");
    t.connect("dns", "primary");
    t.connect("dns", "standby");
    t
}

/// Errors per one-second bucket of the client, indexed by second.
fn client_errors(sim: &Simulation) -> Vec<u64> {
    sim.series(sim.component_index("users").unwrap()).iter().map(|p| p.errors).collect()
}

#[test]
fn failover_waits_for_health_checks_and_ttl() {
    let mut sim = Simulation::new(&topology(), SimConfig::with_seed(8)).unwrap();
    sim.schedule_fault(SimTime::from_secs(FAIL_AT), &Fault::InstanceDown { component: "primary".into(), instance: 0 })
        .unwrap();
    sim.step_until(SimTime::from_secs(300));
    let errors = client_errors(&sim);
    let r = sim.report();
    assert_eq!(errors[..FAIL_AT as usize].iter().sum::<u64>(), 0, "healthy before the failure");
    assert!(
        errors[FAIL_AT as usize + 1..FAIL_AT as usize + 20].iter().sum::<u64>() > 0,
        "cached answers still point at the failed primary"
    );
    // Detection takes up to 3 checks of 10 s; then every cached answer expires within the TTL.
    let settled = FAIL_AT as usize + 40 + TTL_S as usize + 2;
    assert_eq!(errors[settled..].iter().sum::<u64>(), 0, "all traffic on the standby after detection + TTL");
    let standby = r.component("standby").unwrap();
    assert!(standby.completions > 10_000, "standby took over: {}", standby.completions);
    assert!(r.client("users").unwrap().errors.unavailable > 0);
}

#[test]
fn dns_outage_bites_when_caches_expire() {
    let mut t = topology();
    t.connections.retain(|c| c.to != "standby");
    if let ComponentSpec::Route53(p) = &mut t.components[1].spec {
        p.resolvers = 64;
    }
    let mut sim = Simulation::new(&t, SimConfig::with_seed(9)).unwrap();
    sim.schedule_fault(SimTime::from_secs(FAIL_AT), &Fault::ComponentDown { component: "dns".into() }).unwrap();
    sim.step_until(SimTime::from_secs(FAIL_AT + 5));
    let early = sim.report().client("users").unwrap().errors.dns_failure;
    sim.step_until(SimTime::from_secs(FAIL_AT + TTL_S as u64 + 30));
    let errors = client_errors(&sim);
    let r = sim.report();
    assert!(early < 100, "right after the outage most resolvers still have the answer cached ({early} failures)");
    let last = &errors[errors.len() - 20..];
    let served: u64 =
        sim.series(sim.component_index("users").unwrap()).iter().rev().take(20).map(|p| p.completions).sum();
    assert!(
        served == 0 && last.iter().all(|&e| e > 50),
        "once every TTL expired all lookups fail: {last:?}, {served} served"
    );
    assert_eq!(r.client("users").unwrap().errors.total, r.client("users").unwrap().errors.dns_failure);
}
