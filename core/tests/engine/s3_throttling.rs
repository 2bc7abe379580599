//! S3 answers 503 SlowDown above 5,500 GET (3,500 PUT) per second per prefix.

use crate::common::{assert_conserved, run};
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, RequestType, Topology};

fn topology(rate: f64, write: bool, prefixes: u32) -> Topology {
    let mut t = Topology::new("s3");
    t.request_types = vec![RequestType { name: "op".into(), share: 1.0, write }];
    if let ComponentSpec::Client(p) = &mut t.add("uploaders", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: rate };
    }
    if let ComponentSpec::S3(p) = &mut t.add("bucket", K::S3, None).spec {
        p.prefixes = prefixes;
    }
    t.connect("uploaders", "bucket");
    t
}

/// Throttled fraction over `secs` seconds; the bucket may absorb one second of burst.
fn throttled(rate: f64, write: bool, prefixes: u32, secs: f64) -> f64 {
    let (sim, r) = run(&topology(rate, write, prefixes), 21, secs, 0.0);
    assert_conserved(&sim, &r);
    let b = r.component("bucket").unwrap();
    assert_eq!(b.errors.total, b.errors.throttled);
    b.errors.throttled as f64 / b.arrivals as f64
}

#[test]
fn gets_above_the_per_prefix_rate_are_throttled() {
    let secs = 20.0;
    let limit = 5500.0;
    let expected = 1.0 - limit * (secs + 1.0) / (8000.0 * secs);
    let got = throttled(8000.0, false, 1, secs);
    assert!((got - expected).abs() < 0.01, "throttled {got:.4}, expected {expected:.4}");
    assert!(throttled(5000.0, false, 1, secs) < 0.001, "below the limit nothing is throttled");
    assert!(throttled(8000.0, false, 2, secs) < 0.001, "two prefixes double the limit");
}

#[test]
fn puts_have_the_lower_limit() {
    let secs = 20.0;
    let expected = 1.0 - 3500.0 * (secs + 1.0) / (4500.0 * secs);
    let got = throttled(4500.0, true, 1, secs);
    assert!((got - expected).abs() < 0.01, "throttled {got:.4}, expected {expected:.4}");
    assert!(throttled(3000.0, true, 1, secs) < 0.001);
}
