//! A hop's latency depends on where its two ends are: the configured same-AZ, cross-AZ and
//! cross-region round trips are added to a call, exactly.

use crate::common::{container, run};
use strata_core::topology::{ComponentKind as K, ComponentSpec, ContainerKind as CK, Dist, Topology};

const SAME_AZ: f64 = 0.4;
const CROSS_AZ: f64 = 2.0;
const CROSS_REGION: f64 = 60.0;

/// Three chains `users-X -> front-X (r1/a) -> back-X`, with `back-X` in the same AZ, the other
/// AZ of the region, and another region. Every service takes exactly 1 ms.
fn topology() -> Topology {
    let mut t = Topology::new("placement");
    t.network.same_az_rtt_ms = SAME_AZ;
    t.network.cross_az_rtt_ms = CROSS_AZ;
    t.network.cross_region_rtt_ms = CROSS_REGION;
    t.containers.push(container("r1", CK::Region, None));
    t.containers.push(container("a", CK::Az, Some("r1")));
    t.containers.push(container("b", CK::Az, Some("r1")));
    t.containers.push(container("r2", CK::Region, None));
    t.containers.push(container("c", CK::Az, Some("r2")));
    for (x, back_az) in [("same", "a"), ("cross", "b"), ("far", "c")] {
        t.add(&format!("users-{x}"), K::Client, Some("r1"));
        for (id, az) in [(format!("front-{x}"), "a"), (format!("back-{x}"), back_az)] {
            if let ComponentSpec::Ec2(p) = &mut t.add(&id, K::Ec2, Some(az)).spec {
                p.service_time = Dist::Constant { ms: 1.0 };
                p.instance_type = "c5.4xlarge".into();
            }
        }
        t.connect(&format!("users-{x}"), &format!("front-{x}"));
        t.connect(&format!("front-{x}"), &format!("back-{x}"));
    }
    t
}

#[test]
fn each_hop_adds_the_round_trip_of_its_placement() {
    let (_, r) = run(&topology(), 2, 60.0, 5.0);
    for (x, rtt) in [("same", SAME_AZ), ("cross", CROSS_AZ), ("far", CROSS_REGION)] {
        let front = r.component(&format!("front-{x}")).unwrap();
        let back = r.component(&format!("back-{x}")).unwrap();
        assert!(front.completions > 5_000, "{x}: {}", front.completions);
        // The back end only serves: 1 ms.
        assert!((back.latency.mean_ms - 1.0).abs() < 0.01, "{x}: back {}", back.latency.mean_ms);
        // The front serves (1 ms), then calls the back end: one round trip plus its 1 ms.
        let added = front.latency.mean_ms - 2.0;
        assert!((added - rtt).abs() <= rtt * 0.01 + 0.005, "{x}: the hop added {added:.4} ms, configured {rtt} ms");
    }
}
