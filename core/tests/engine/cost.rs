//! The bill follows the run: a hand-computed bill for a small design, cost per hour rising as
//! an Auto Scaling group scales out (and instance-hours equal to the instances' running time),
//! cross-AZ traffic charged, stopped instances not charged for compute, a price for every
//! instance type and DB class in the catalog.

use crate::common::{container, run, scenario};
use strata_core::catalog;
use strata_core::pricing::{Assumptions, BYTES_PER_GB, HOURS_PER_MONTH, US_EAST_1};
use strata_core::sim::{CostCategory, CostReport, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, ContainerKind as CK, Dist, Topology};

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

fn line(cost: &CostReport, component: &str, item: &str) -> f64 {
    let c = cost.by_component.iter().find(|c| c.id == component).unwrap_or_else(|| panic!("{component} not billed"));
    c.lines.iter().filter(|l| l.item == item).map(|l| l.accumulated).sum()
}

fn category(cost: &CostReport, cat: CostCategory) -> (f64, f64) {
    let c = cost.by_category.iter().find(|c| c.category == cat).unwrap();
    (c.accumulated, c.per_hour_now)
}

/// `users` (100 requests/s) -> `alb` -> `web-a`, `web-b` (two t3.medium EC2 instances), with
/// no AZs: nothing crosses an AZ, answers to the users leave the region from the ALB.
fn two_behind_an_alb() -> Topology {
    let mut t = Topology::new("two behind an ALB");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 100.0 };
    }
    t.add("alb", K::Alb, None);
    for id in ["web-a", "web-b"] {
        if let ComponentSpec::Ec2(p) = &mut t.add(id, K::Ec2, None).spec {
            p.instance_type = "t3.medium".into();
            p.service_time = Dist::Constant { ms: 5.0 };
        }
    }
    t.connect("users", "alb");
    t.connect("alb", "web-a");
    t.connect("alb", "web-b");
    t
}

#[test]
fn a_small_design_costs_what_the_hand_computed_bill_says() {
    let (_, r) = run(&two_behind_an_alb(), 1, 3600.0, 0.0);
    let cost = &r.cost;
    let p = &US_EAST_1;
    let a = Assumptions::DEFAULT;
    // Requests that reached the ALB in the hour (about 360,000 at 100/s).
    let n = r.component("alb").unwrap().arrivals as f64;
    assert!((350_000.0..370_000.0).contains(&n), "{n}");
    let hours = 1.0;

    // Compute: 2 instances x 1 h x $0.0416 = $0.0832.
    let compute = 2.0 * hours * p.ec2_hourly("t3.medium").unwrap();
    // Root volumes: 2 x 8 GiB x $0.08 / 730 h x 1 h = $0.0017534.
    let volumes = 2.0 * a.root_volume_gib * p.ebs_gp3_gb_month / HOURS_PER_MONTH * hours;
    // ALB hours: 1 h x $0.0225.
    let alb_hours = hours * p.alb_hour;
    // LCUs: new connections n / 3600 s / 25 per s (= 4 at 100/s, one request per connection)
    // against processed bytes n x 11,000 B / 2^30 per hour (= 3.69 GB/h): 4 LCU x 1 h x $0.008.
    let conns_lcu = n / a.requests_per_connection / 3600.0 / 25.0;
    let bytes_lcu = n * (a.request_bytes + a.response_bytes) / BYTES_PER_GB / hours;
    let lcu = conns_lcu.max(bytes_lcu) * hours * p.alb_lcu_hour;
    // Data transfer out: n answers x 10,000 B / 2^30 (= 3.35 GB) x $0.09 = $0.3017.
    let out = n * a.response_bytes / BYTES_PER_GB * p.transfer_out_gb;
    let total = compute + volumes + alb_hours + lcu + out;
    eprintln!(
        "n = {n}: compute {compute:.6} + volumes {volumes:.6} + ALB {alb_hours:.6} + LCU {lcu:.6} + out {out:.6} = {total:.6} USD"
    );

    assert_eq!(cost.currency, "USD");
    assert_eq!(cost.prices_as_of, p.as_of);
    assert!(close(cost.accumulated, total, 1e-9), "bill {} vs hand-computed {total}", cost.accumulated);
    assert!(close(line(cost, "web-a", "instance-hours") + line(cost, "web-b", "instance-hours"), compute, 1e-9));
    assert!(close(category(cost, CostCategory::LoadBalancing).0, alb_hours + lcu, 1e-9));
    assert!(close(category(cost, CostCategory::DataTransfer).0, out, 1e-9));
    assert_eq!(category(cost, CostCategory::Requests).0, 0.0);

    // The rate now: the same instances and load balancer, and the last second's traffic, which
    // at a steady 100/s is close to the hour's average.
    let fixed = compute + volumes + alb_hours;
    let compute_now = category(cost, CostCategory::Compute).1;
    assert!(close(compute_now, compute, 1e-12), "{compute_now}");
    assert!(close(cost.per_hour_now, total, 0.25), "per hour now {} vs {total}", cost.per_hour_now);
    assert!(cost.per_hour_now > fixed);
}

#[test]
fn cost_per_hour_follows_the_group_out_and_back_in_and_charges_its_running_time() {
    let t = scenario("traffic-spike-slow-scaling.json");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
    let web = sim.component_index("web").unwrap();
    let price = US_EAST_1.ec2_hourly("c5.large").unwrap();
    // The instances' running time as the test sees it: every second, the slots holding an
    // instance (launching, in service, draining), counted for the second that ends there.
    let mut seen_ns = 0u64;
    let mut before = 0.0;
    let mut peak: f64 = 0.0;
    let mut changes = 0u64;
    let mut last = 2usize;
    let mut after = 0.0;
    for s in 1..=1200u64 {
        sim.step_until(SimTime::from_secs(s));
        let n = sim.instances(web).len();
        changes += n.abs_diff(last) as u64;
        last = n;
        seen_ns += n as u64 * 1_000_000_000;
        let now = category(&sim.cost(), CostCategory::Compute).1;
        if s == 110 {
            before = now;
        }
        peak = peak.max(now);
        after = now;
    }
    assert!(close(before, 2.0 * price, 1e-12), "2 c5.large before the spike: {before}");
    assert!(peak >= before + price - 1e-12, "compute per hour {before} -> peak {peak}");
    // After the spike the group scales in (its 5-minute evaluation and cooldown): the rate falls.
    assert!(after <= peak - price + 1e-12 && after >= before - 1e-12, "{before} -> {peak} -> {after}");
    let cost = sim.cost();
    let billed_ns = sim.billed_instance_ns(web);
    let charged = line(&cost, "web", "instance-hours");
    // Exactly the billed time at the price ...
    assert!(close(charged, billed_ns as f64 / 3.6e12 * price, 1e-9));
    // ... which is the instances' running time sampled every second, within a second per
    // launch or termination.
    let slack = (changes + 1) * 1_000_000_000;
    assert!(billed_ns.abs_diff(seen_ns) <= slack, "billed {billed_ns} ns, sampled {seen_ns} ns, slack {slack}");
    assert!(billed_ns > 2 * 1200 * 1_000_000_000, "more than the 2 instances' 1200 s: {billed_ns}");
    eprintln!(
        "per hour {before:.4} -> {peak:.4} -> {after:.4}; {:.4} instance-hours, {:.4} USD compute",
        billed_ns as f64 / 3.6e12,
        charged
    );
}

/// `users -> front (AZ a) -> back (AZ a or b)`.
fn front_and_back(back_az: &str) -> Topology {
    let mut t = Topology::new("placement");
    t.containers.push(container("r1", CK::Region, None));
    t.containers.push(container("a", CK::Az, Some("r1")));
    t.containers.push(container("b", CK::Az, Some("r1")));
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, Some("r1")).spec {
        p.arrival = Arrival::Constant { rate_rps: 200.0 };
    }
    for (id, az) in [("front", "a"), ("back", back_az)] {
        if let ComponentSpec::Ec2(p) = &mut t.add(id, K::Ec2, Some(az)).spec {
            p.service_time = Dist::Constant { ms: 1.0 };
            p.instance_type = "c5.xlarge".into();
        }
    }
    t.connect("users", "front");
    t.connect("front", "back");
    t
}

#[test]
fn calls_across_azs_are_charged_as_data_transfer() {
    let (_, same) = run(&front_and_back("a"), 3, 600.0, 0.0);
    let (_, cross) = run(&front_and_back("b"), 3, 600.0, 0.0);
    let a = Assumptions::DEFAULT;
    let dt = |r: &strata_core::sim::Report| category(&r.cost, CostCategory::DataTransfer).0;
    assert!(dt(&cross) > dt(&same), "cross-AZ {} vs same AZ {}", dt(&cross), dt(&same));
    // In one AZ, data transfer is the answers to the users only.
    let out = |r: &strata_core::sim::Report| {
        r.component("front").unwrap().arrivals as f64 * a.response_bytes / BYTES_PER_GB * US_EAST_1.transfer_out_gb
    };
    assert!(close(dt(&same), out(&same), 1e-9));
    // Across AZs, every call to `back` carries its request and answer across, and each GB is
    // charged on both sides: calls x 11,000 B / 2^30 x 2 x $0.01.
    let calls = cross.component("back").unwrap().arrivals as f64;
    let crossing = calls * (a.request_bytes + a.response_bytes) / BYTES_PER_GB * 2.0 * US_EAST_1.cross_az_gb_each_way;
    assert!(close(line(&cross.cost, "back", "data transfer between AZs (both sides)"), crossing, 1e-9));
    assert!(close(dt(&cross), out(&cross) + crossing, 1e-9));
    // The compute is the same.
    assert!(close(
        category(&same.cost, CostCategory::Compute).0,
        category(&cross.cost, CostCategory::Compute).0,
        1e-12
    ));
}

#[test]
fn a_stopped_instance_is_not_charged_for_compute_but_its_volume_is() {
    let t = scenario("noisy-neighbour-before.json");
    let config = SimConfig { seed: 7, experiment: Some("stop-start-api".into()), ..SimConfig::default() };
    let mut sim = Simulation::new(&t, config).unwrap();
    sim.step_until(SimTime::from_secs(300));
    let api = sim.component_index("api").unwrap();
    // Stopped at 60 s, started at 120 s: billed 0-60 s and 120-300 s.
    assert_eq!(sim.billed_instance_ns(api), 240 * 1_000_000_000);
    let cost = sim.cost();
    let price = US_EAST_1.ec2_hourly("m5.xlarge").unwrap();
    assert!(close(line(&cost, "api", "instance-hours"), 240.0 / 3600.0 * price, 1e-9));
    let volume = Assumptions::DEFAULT.root_volume_gib * US_EAST_1.ebs_gp3_gb_month / HOURS_PER_MONTH;
    assert!(close(line(&cost, "api", "root volume (gp3) hours"), 300.0 / 3600.0 * volume, 1e-9));
}

#[test]
fn every_catalog_instance_type_and_db_class_has_a_price() {
    assert_eq!(US_EAST_1.unpriced_catalog_types(), Vec::<&str>::new());
    for t in catalog::INSTANCE_TYPES {
        let p = US_EAST_1.ec2_hourly(t.name).unwrap_or_else(|| panic!("{} has no price", t.name));
        assert!(p > 0.0 && p < 10.0, "{}: {p}", t.name);
    }
    for t in catalog::DB_INSTANCE_CLASSES {
        let p = US_EAST_1.rds_hourly(t.name, false).unwrap_or_else(|| panic!("{} has no price", t.name));
        assert!(p > 0.0 && p < 10.0, "{}: {p}", t.name);
        assert_eq!(US_EAST_1.rds_hourly(t.name, true), Some(2.0 * p), "{}: Multi-AZ doubles", t.name);
    }
    assert!(US_EAST_1.elasticache_hourly(Assumptions::DEFAULT.elasticache_node_type).is_some());
}

#[test]
fn the_cli_report_carries_the_bill() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_strata-sim")).args(args).output().expect("runs");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let path = format!("{}/../public/scenarios/three-tier.json", env!("CARGO_MANIFEST_DIR"));
    let json: serde_json::Value = serde_json::from_str(&run(&["run", &path, "--duration", "30s", "--json"])).unwrap();
    let cost = &json["cost"];
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["prices_as_of"], US_EAST_1.as_of);
    assert!(cost["accumulated"].as_f64().unwrap() > 0.0 && cost["per_hour_now"].as_f64().unwrap() > 0.0);
    let ids: Vec<&str> = cost["by_component"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for id in ["web", "db", "alb", "cdn"] {
        assert!(ids.contains(&id), "{id} not billed: {ids:?}");
    }
    let cats: Vec<&str> =
        cost["by_category"].as_array().unwrap().iter().map(|c| c["category"].as_str().unwrap()).collect();
    assert_eq!(cats, ["compute", "database", "load_balancing", "networking", "data_transfer", "storage", "requests"]);
    let text = run(&["run", &path, "--duration", "30s"]);
    assert!(
        text.contains("cost: $") && text.contains("/hour now") && text.contains("by category: compute $"),
        "{text}"
    );
}

/// `browsers -> cdn -> bucket` and `apps -> fn -> table`, 50 requests/s each for 3000 s (then
/// none), 80% reads and 20% writes; the function runs 100 ms (200 ms more on a cold start) with
/// 512 MB and makes one 5 ms DynamoDB call 1 ms away each way.
fn serverless() -> Topology {
    use strata_core::topology::RequestType;
    let mut t = Topology::new("serverless");
    t.network.cross_az_rtt_ms = 2.0;
    t.request_types = vec![
        RequestType { name: "read".into(), share: 0.8, write: false },
        RequestType { name: "write".into(), share: 0.2, write: true },
    ];
    for id in ["browsers", "apps"] {
        if let ComponentSpec::Client(p) = &mut t.add(id, K::Client, None).spec {
            p.arrival = Arrival::Spike { base_rps: 0.0, peak_rps: 50.0, at_s: 0.0, duration_s: 3000.0 };
        }
    }
    t.add("cdn", K::Cloudfront, None);
    t.add("bucket", K::S3, None);
    if let ComponentSpec::Lambda(p) = &mut t.add("fn", K::Lambda, None).spec {
        p.duration = Dist::Constant { ms: 100.0 };
        p.cold_start = Dist::Constant { ms: 200.0 };
        p.memory_mb = 512;
    }
    if let ComponentSpec::Dynamodb(p) = &mut t.add("table", K::Dynamodb, None).spec {
        p.read_latency = Dist::Constant { ms: 5.0 };
        p.write_latency = Dist::Constant { ms: 5.0 };
    }
    t.connect("browsers", "cdn");
    t.connect("cdn", "bucket");
    t.connect("apps", "fn");
    t.connect("fn", "table");
    t
}

#[test]
fn per_request_charges_add_up_by_hand() {
    let (_, r) = run(&serverless(), 5, 3600.0, 0.0);
    let p = &US_EAST_1;
    let a = Assumptions::DEFAULT;
    let c = |id: &str| r.component(id).unwrap();
    let writes = |id: &str| c(id).by_request_type.iter().find(|t| t.request_type == "write").unwrap().arrivals as f64;
    let (cdn, bucket, f, table) = (c("cdn"), c("bucket"), c("fn"), c("table"));
    assert_eq!(f.in_flight + table.in_flight + cdn.in_flight, 0, "every request answered");
    let n_cdn = cdn.arrivals as f64;
    let (s3_writes, s3_reads) = (writes("bucket"), bucket.arrivals as f64 - writes("bucket"));
    let n_fn = f.arrivals as f64;
    let (db_writes, db_reads) = (writes("table"), table.arrivals as f64 - writes("table"));
    assert!(n_fn > 140_000.0 && db_writes > 25_000.0 && s3_reads > 1_000.0, "{n_fn} {db_writes} {s3_reads}");

    // CloudFront: requests x $0.01 / 10,000 + answers x 10,000 B / 2^30 x $0.085.
    let cloudfront =
        n_cdn * p.cloudfront_per_10k_requests / 1e4 + n_cdn * a.response_bytes / BYTES_PER_GB * p.cloudfront_gb;
    // S3 (the misses and every write): GETs x $0.0004 / 1,000 + PUTs x $0.005 / 1,000.
    let s3 = s3_reads * p.s3_get_per_1k / 1e3 + s3_writes * p.s3_put_per_1k / 1e3;
    // Lambda: invocations x $0.20 / million + GB-seconds x $0.0000166667, where each invocation
    // runs 100 ms + 1 ms + 5 ms + 1 ms (200 ms more when cold) at 0.5 GB.
    let seconds = n_fn * 0.107 + f.cold_starts as f64 * 0.2;
    let lambda = n_fn * p.lambda_per_million / 1e6 + seconds * 0.5 * p.lambda_gb_second;
    // DynamoDB: reads x $0.125 / million + writes x $0.625 / million.
    let dynamodb = db_reads * p.dynamodb_per_million_reads / 1e6 + db_writes * p.dynamodb_per_million_writes / 1e6;
    // The function's answers leave the region: x 10,000 B / 2^30 x $0.09.
    let out = n_fn * a.response_bytes / BYTES_PER_GB * p.transfer_out_gb;
    let total = cloudfront + s3 + lambda + dynamodb + out;
    eprintln!("cloudfront {cloudfront:.6} + s3 {s3:.6} + lambda {lambda:.6} + dynamodb {dynamodb:.6} + out {out:.6} = {total:.6} USD");

    let bill = |id: &str| r.cost.by_component.iter().find(|x| x.id == id).unwrap().accumulated;
    assert!(close(bill("cdn"), cloudfront, 1e-9), "{} vs {cloudfront}", bill("cdn"));
    assert!(close(bill("bucket"), s3, 1e-9));
    assert!(close(bill("fn"), lambda + out, 1e-9), "{} vs {}", bill("fn"), lambda + out);
    assert!(close(bill("table"), dynamodb, 1e-9));
    assert!(close(r.cost.accumulated, total, 1e-9), "{} vs {total}", r.cost.accumulated);
    // No traffic in the last 600 s: nothing is charged per hour now.
    assert_eq!(r.cost.per_hour_now, 0.0);
}
