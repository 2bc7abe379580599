//! RDS: reads spread over asynchronous replicas can be stale by the replication lag; writes
//! pay the synchronous Multi-AZ commit.

use crate::common::run;
use strata_core::topology::{ComponentKind as K, ComponentSpec, RequestType, Topology};

#[test]
fn read_replicas_take_the_reads_and_lag_behind_writes() {
    let mut t = Topology::new("replicas");
    t.request_types = vec![
        RequestType { name: "read".into(), share: 0.8, write: false },
        RequestType { name: "write".into(), share: 0.2, write: true },
    ];
    if let ComponentSpec::Client(p) = &mut t.add("app", K::Client, None).spec {
        p.arrival = strata_core::topology::Arrival::Constant { rate_rps: 500.0 };
    }
    if let ComponentSpec::Rds(p) = &mut t.add("db", K::Rds, None).spec {
        p.read_replicas = 2;
        p.replication_lag_ms = 5.0;
    }
    t.connect("app", "db");
    let (_, fast) = run(&t, 4, 30.0, 0.0);
    if let ComponentSpec::Rds(p) = &mut t.components[1].spec {
        p.replication_lag_ms = 50.0;
    }
    let (_, slow) = run(&t, 4, 30.0, 0.0);
    let stale = |r: &strata_core::sim::Report| r.component("db").unwrap().stale_reads as f64;
    let reads = fast.component("db").unwrap().by_request_type[0].completions as f64;
    // Writes arrive at 100/s: a read lands within `lag` of the last write with probability
    // 1 - exp(-100 * lag).
    for (r, lag) in [(&fast, 0.005), (&slow, 0.05)] {
        let expected = 1.0 - (-100.0f64 * lag).exp();
        assert!(
            (stale(r) / reads - expected).abs() < 0.03,
            "lag {lag}: stale {} of {reads}, expected {expected:.3}",
            stale(r)
        );
    }
    // Writes pay the Multi-AZ commit on top of the query.
    let db = fast.component("db").unwrap();
    assert!(db.by_request_type[1].latency.mean_ms > db.by_request_type[0].latency.mean_ms + 1.0);
}
