//! DynamoDB provisioned capacity: reads beyond the read capacity are throttled.

use crate::common::{assert_conserved, run};
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Topology};

#[test]
fn reads_beyond_capacity_are_throttled() {
    let mut t = Topology::new("ddb");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 300.0 };
    }
    if let ComponentSpec::Dynamodb(p) = &mut t.add("table", K::Dynamodb, None).spec {
        p.read_capacity_rps = 100.0;
    }
    t.connect("users", "table");
    let (sim, r) = run(&t, 5, 120.0, 10.0);
    assert_conserved(&sim, &r);
    let table = r.component("table").unwrap();
    assert!((table.throughput_rps - 100.0).abs() < 2.0, "served {} reads/s", table.throughput_rps);
    let throttled = table.errors.throttled as f64 / r.measured_s;
    assert!((throttled - 200.0).abs() < 10.0, "{throttled} throttled/s");
    assert_eq!(table.errors.total, table.errors.throttled);

    // Under capacity nothing is throttled.
    if let ComponentSpec::Client(p) = &mut t.components[0].spec {
        p.arrival = Arrival::Constant { rate_rps: 50.0 };
    }
    let (_, r) = run(&t, 5, 60.0, 0.0);
    assert_eq!(r.component("table").unwrap().errors.throttled, 0);
}
