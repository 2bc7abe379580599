//! The failure scenario library in `public/scenarios/`: each file's description states figures
//! measured with seed 1 over 15 minutes (the disaster-recovery designs, over 1.5 hours). These tests play the files the same way and hold them
//! to those figures (the description must still quote the figure the test checks, so the two
//! cannot drift apart silently).

use crate::common::scenario;
use strata_core::experiment::check_timing;
use strata_core::sim::{Incident, ObservationKind, Report, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::validate::validate;

/// Every scenario is measured over 15 minutes.
const RUN_S: f64 = 900.0;

/// Plays `file` for 15 minutes with seed 1 and `experiment` (if any), after checking that the
/// document validates without a diagnostic and that every action starts within the run.
fn play(file: &str, experiment: Option<&str>) -> (Simulation, Report) {
    let t = scenario(file);
    let v = validate(&t);
    assert!(v.diagnostics.is_empty(), "{file}: {:?}", v.diagnostics);
    for e in &t.experiments() {
        let timing = check_timing(e, RUN_S);
        assert!(timing.is_empty(), "{file}: {timing:?}");
    }
    let config = SimConfig { experiment: experiment.map(Into::into), ..SimConfig::with_seed(1) };
    let mut sim = Simulation::new(&t, config).unwrap_or_else(|e| panic!("{file}: {e}"));
    sim.step_until(SimTime(Duration::from_secs_f64(RUN_S).as_nanos()));
    let r = sim.report();
    (sim, r)
}

/// The description of `file` quotes each of `figures` word for word.
fn states(file: &str, figures: &[&str]) {
    let d = scenario(file).description;
    for f in figures {
        assert!(d.contains(f), "{file}: the description no longer states `{f}`: {d}");
    }
}

/// Availability over the run, percent.
fn availability(file: &str, r: &Report) -> f64 {
    100.0 * r.resilience.availability.unwrap_or_else(|| panic!("{file}: no request answered"))
}

/// `got` within `tol` of `want`.
fn near(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: {got:.3}, expected {want} ± {tol}");
}

/// The only incident of the run.
fn incident(file: &str, r: &Report) -> Incident {
    assert_eq!(r.resilience.incidents.len(), 1, "{file}: {:?}", r.resilience.incidents);
    r.resilience.incidents[0].clone()
}

/// Seconds from `from_s` to the first observation of `kind` at or after it.
fn first_after(r: &Report, kind: ObservationKind, from_s: f64) -> Option<f64> {
    r.resilience.observations.iter().find(|o| o.kind == kind && o.time_s >= from_s).map(|o| o.time_s - from_s)
}

/// Availability of the minutes starting at `from_s` up to (not including) `to_s`, percent each.
fn minutes(r: &Report, from_s: f64, to_s: f64) -> Vec<f64> {
    r.resilience
        .availability_per_minute
        .iter()
        .filter(|m| m.t_s >= from_s && m.t_s < to_s)
        .map(|m| 100.0 * m.availability.unwrap_or_else(|| panic!("no request in the minute at {} s", m.t_s)))
        .collect()
}

#[test]
fn az_outage_single_az_goes_down_multi_az_rides_through() {
    // Everything in one AZ: down for the outage; back as soon as the AZ is, as the ALB, with no
    // healthy target, fails open.
    let file = "az-outage-single-az.json";
    states(file, &["66.7%", "45 s", "301 s", "29,922"]);
    let (_, r) = play(file, Some("lose-az1"));
    let single = availability(file, &r);
    near("single-AZ availability", single, 66.7, 2.0);
    let i = incident(file, &r);
    assert_eq!((i.start_s, i.end_s), (135.0, Some(435.0)), "{file}: {i:?}");
    let detect = i.time_to_detect_s.expect("the ALB notices");
    assert!(detect > 30.0 && detect <= 60.0, "{file}: detected after {detect} s, not at the 2nd 30 s check");
    near("single-AZ detection", detect, 45.0, 1.0);
    // Back when the AZ returns: the unhealthy instance gets traffic again at once (fail open),
    // long before its 5 passed checks (30 s apart) put it back in rotation.
    let rto = i.time_to_recover_s.expect("recovers within the run");
    assert!((300.0..=302.0).contains(&rto), "{file}: recovered after {rto} s");
    near("single-AZ RTO", rto, 301.0, 1.0);
    near("single-AZ requests failed", i.requests_failed as f64, 29_922.0, 1_000.0);
    let healthy = first_after(&r, ObservationKind::TargetHealthy, 435.0).expect("checks pass again");
    assert!((4.0 * 30.0..=5.0 * 30.0).contains(&healthy), "{file}: back in rotation {healthy} s after the AZ");
    assert!(minutes(&r, 180.0, 420.0).iter().all(|&a| a == 0.0), "{file}: served during the outage");

    // Two AZs, primary database in the lost one: the Multi-AZ failover is the outage.
    let file = "az-outage-multi-az.json";
    states(file, &["89.9%", "89 s", "90 s", "9,132", "99.1%", "15 s", "771"]);
    let (_, r) = play(file, Some("lose-az1"));
    let multi = availability(file, &r);
    near("multi-AZ availability (primary's AZ)", multi, 89.9, 2.0);
    let failover = r
        .resilience
        .observations
        .iter()
        .find(|o| o.kind == ObservationKind::Failover)
        .expect("the database fails over");
    let secs: f64 = failover.text.rsplit('(').next().and_then(|s| s.strip_suffix(" s)")).unwrap().parse().unwrap();
    assert!((60.0..=120.0).contains(&secs), "failover window {secs} s outside 60-120 s");
    near("failover window", secs, 89.0, 1.0);
    let i = incident(file, &r);
    assert_eq!(i.time_to_detect_s, Some(0.0), "the failover starts at once: {i:?}");
    let rto = i.time_to_recover_s.expect("recovers within the run");
    assert!(rto >= secs && rto <= secs + 2.0, "recovered after {rto} s, failover took {secs} s");
    // Every request (100/s) fails for the failover window.
    let expected = secs * 100.0;
    near("requests failed in the failover", i.requests_failed as f64, expected, 0.05 * expected);
    near("requests failed (stated)", i.requests_failed as f64, 9_132.0, 300.0);
    // Meanwhile the ALB (checks every 10 s) takes the dead instances out after 2 checks.
    let out = first_after(&r, ObservationKind::TargetUnhealthy, 135.0).expect("the ALB notices");
    assert!(out > 10.0 && out <= 20.0, "ALB noticed after {out} s");
    // 89.9% vs 66.7%: the single-AZ design is down for the whole outage (but, its ALB failing
    // open, no longer after it).
    assert!(multi > single + 20.0, "Multi-AZ {multi:.1}% vs single-AZ {single:.1}%");

    // Two AZs, only web instances in the lost one: the ALB's detection window is the outage.
    let (_, r) = play(file, Some("lose-az2"));
    near("multi-AZ availability (web-only AZ)", availability(file, &r), 99.1, 0.5);
    let i = incident(file, &r);
    let detect = i.time_to_detect_s.expect("the ALB notices");
    assert!(detect > 10.0 && detect <= 20.0, "detected after {detect} s, not at the 2nd 10 s check");
    assert!(first_after(&r, ObservationKind::Failover, 0.0).is_none(), "the database was not in the lost AZ");
    let rto = i.time_to_recover_s.expect("recovers within the run");
    assert!(rto <= detect + 2.0, "recovered after {rto} s, detected after {detect} s");
    // Half the traffic (the dead half of the targets) for the detection window: 100/s x 15 s / 2.
    assert!((500..=1100).contains(&i.requests_failed), "{} failed", i.requests_failed);
}

#[test]
fn retry_storm_collapses_without_backoff_and_recovers_with_budget_and_breaker() {
    let file = "retry-storm-before.json";
    states(file, &["13.3%", "4.5", "780,151"]);
    let (_, r) = play(file, Some("db-slowdown"));
    let before = availability(file, &r);
    near("availability before", before, 13.3, 2.0);
    let c = &r.resilience.connections[0];
    assert_eq!((c.from.as_str(), c.to.as_str()), ("web", "db"));
    assert!(c.amplification > 4.0, "amplification {}", c.amplification);
    near("retries before", c.retries as f64, 780_151.0, 40_000.0);
    assert_eq!(c.short_circuited + c.budget_exhausted, 0, "no breaker, no budget: {c:?}");
    // Metastable: the storm outlives the slowdown (which ends at 300 s).
    let i = incident(file, &r);
    assert_eq!(i.end_s, Some(300.0));
    assert_eq!(i.time_to_recover_s, None, "the storm died out: {i:?}");
    assert!(minutes(&r, 180.0, 900.0).iter().all(|&a| a < 1.0), "{:?}", minutes(&r, 0.0, 900.0));

    let file = "retry-storm-after.json";
    states(file, &["92.8%", "1.01", "219 s", "180 s", "12,079", "52-71%"]);
    let (_, r) = play(file, Some("db-slowdown"));
    let after = availability(file, &r);
    near("availability after", after, 92.8, 2.0);
    let c = &r.resilience.connections[0];
    assert!(c.amplification < 1.1, "amplification {}", c.amplification);
    near("retries refused by the budget", c.budget_exhausted as f64, 12_079.0, 3_000.0);
    for a in minutes(&r, 120.0, 300.0) {
        assert!((45.0..=80.0).contains(&a), "availability per minute during the slowdown {a:.1}%");
    }
    let opened = first_after(&r, ObservationKind::BreakerOpened, 0.0).expect("the breaker opens");
    near("breaker opens", opened, 219.0, 10.0);
    let i = incident(file, &r);
    let rto = i.time_to_recover_s.expect("recovers");
    assert!((180.0..=190.0).contains(&rto), "recovered {rto} s after the slowdown began (it lasts 180 s)");
    assert!(minutes(&r, 300.0, 900.0).iter().all(|&a| a == 100.0), "{:?}", minutes(&r, 0.0, 900.0));
    assert!(after > before + 50.0, "after {after:.1}% vs before {before:.1}%");
}

#[test]
fn config_push_all_at_once_fails_everything_canary_halts_at_the_first_stage() {
    let file = "config-push-all-at-once.json";
    states(file, &["66.6%", "301 s", "89,956"]);
    let (_, r) = play(file, Some("bad-push"));
    let all = availability(file, &r);
    near("all-at-once availability", all, 66.6, 2.0);
    let i = incident(file, &r);
    assert_eq!(i.end_s, Some(420.0));
    near("all-at-once requests failed", i.requests_failed as f64, 89_956.0, 2_500.0);
    let rto = i.time_to_recover_s.expect("recovers after the rollback");
    assert!((300.0..=302.0).contains(&rto), "recovered after {rto} s");
    let m = minutes(&r, 120.0, 420.0);
    assert!(m.iter().all(|&a| a < 1.0), "every request through the edge fails: {m:?}");
    let users = &r.clients[0];
    assert_eq!(users.errors.server_error, users.errors.total, "{:?}", users.errors);

    let file = "config-push-canary.json";
    states(file, &["99.66%", "921", "60 s", "5.1%"]);
    let (_, r) = play(file, Some("bad-push"));
    let canary = availability(file, &r);
    near("canary availability", canary, 99.66, 0.2);
    let halt = r.resilience.observations.iter().find(|o| o.kind == ObservationKind::CanaryHalted).expect("halts");
    assert!(halt.text.contains("canary at 5% of cdn: 5.1% errors"), "{}", halt.text);
    let halted = first_after(&r, ObservationKind::CanaryHalted, 120.0).expect("the canary halts");
    assert_eq!(halted, 60.0, "halted after one 60 s bake");
    assert!(first_after(&r, ObservationKind::CanaryStage, 0.0).is_none(), "the push went past its first stage");
    let i = incident(file, &r);
    assert_eq!(i.end_s, Some(180.0), "rolled back at the end of the first bake");
    // 5% of 300 requests/s for 60 s.
    assert!((700..=1150).contains(&i.requests_failed), "{} failed", i.requests_failed);
    assert!(canary > all + 30.0);
}

#[test]
fn dns_failure_of_a_dependency_fails_its_callers_and_cached_answers_outlive_a_record() {
    let file = "dns-failure-single-region.json";
    states(file, &["73.4%", "69.7%", "46%"]);
    let (_, r) = play(file, Some("dynamodb-dns"));
    near("availability, DynamoDB name lost", availability(file, &r), 73.4, 2.0);
    // The static 60% keeps working through CloudFront and S3; the API 40% fails.
    for a in minutes(&r, 120.0, 720.0) {
        near("availability per minute during the outage", a, 60.0, 3.0);
    }
    let users = &r.clients[0];
    assert_eq!(users.errors.dns_failure, users.errors.total, "{:?}", users.errors);
    assert_eq!(r.component("assets").unwrap().errors.total, 0);
    let rto = incident(file, &r).time_to_recover_s.expect("recovers");
    assert!((600.0..=602.0).contains(&rto), "recovered after {rto} s");

    let (_, r) = play(file, Some("app-record-dns"));
    near("availability, site's record lost", availability(file, &r), 69.7, 2.0);
    let m = minutes(&r, 120.0, 420.0);
    // Resolvers' cached answers (60 s TTL) carry part of the first minute, none after it.
    assert!(m[0] > 20.0 && m[0] < 80.0, "first minute {:.1}%", m[0]);
    assert!(m[1..].iter().all(|&a| a == 0.0), "{m:?}");
    let rto = incident(file, &r).time_to_recover_s.expect("recovers");
    assert!((300.0..=302.0).contains(&rto), "recovered after {rto} s");
}

#[test]
fn traffic_spike_overruns_slow_scaling_and_headroom_absorbs_it() {
    let file = "traffic-spike-slow-scaling.json";
    states(file, &["29.0%", "570 s", "316 s", "87,933", "61,604"]);
    let (sim, r) = play(file, None);
    let slow = availability(file, &r);
    near("slow-scaling availability", slow, 29.0, 2.0);
    let users = &r.clients[0];
    near("queue_full", users.errors.queue_full as f64, 87_933.0, 5_000.0);
    near("timeouts", users.errors.timeout as f64, 61_604.0, 5_000.0);
    // The new instances take traffic long after the spike (120-420 s) is over.
    let healthy = first_after(&r, ObservationKind::TargetHealthy, 0.0).expect("scaled out");
    near("new instances in service", healthy, 570.0, 30.0);
    let (rto, failed) = sim.recovery_since(120.0);
    let rto = rto.expect("recovers within the run");
    assert!(rto > 300.0, "recovered {rto} s after the spike began, before it ended");
    near("slow-scaling recovery", rto, 316.0, 10.0);
    assert!(failed > 100_000, "{failed} failed");

    let file = "traffic-spike-headroom.json";
    states(file, &["100%", "178 ms", "330 s"]);
    let (sim, r) = play(file, None);
    let headroom = availability(file, &r);
    assert!(headroom >= 99.9, "headroom availability {headroom}");
    assert_eq!(sim.recovery_since(120.0), (Some(0.0), 0));
    let healthy = first_after(&r, ObservationKind::TargetHealthy, 0.0).expect("scaled out");
    near("new instances in service", healthy, 330.0, 30.0);
    let p99 = r.clients[0].latency.p99_ms;
    near("headroom p99", p99, 178.0, 40.0);
    assert!(headroom > slow + 60.0);
}

#[test]
fn slow_query_exhausts_the_workers_at_low_cpu_and_a_fast_query_frees_them() {
    // The model both files share: 2 instances x 4 workers, 2 vCPUs each, 10 ms of CPU per
    // request, 60 requests/s; the round trip to the database is 0.3 ms from the instance in its
    // AZ and 1 ms from the other (0.65 ms on average), and 0.65 ms from the ALB to an instance.
    let (instances, workers, vcpus, cpu_ms, rate) = (2.0, 4.0, 2.0, 10.0, 60.0);
    let (rtt_db, rtt_web, internet, alb) = (0.65, 0.65, 30.0, 1.0);

    let file = "slow-at-low-cpu-before.json";
    states(file, &["49.8 requests/s", "16.9%", "4.36 s", "12.4%", "100% busy", "93%"]);
    let (sim, r) = play(file, None);
    let query_ms = 150.0;
    let hold_ms = cpu_ms + query_ms + rtt_db;
    // Little's law on the pool: workers always busy, each request holding one `hold_ms`.
    let capacity = instances * workers / (hold_ms / 1e3);
    let web = r.component("web").unwrap();
    let served = web.completions as f64 / RUN_S;
    // At most the capacity (give or take the sampled query times), a little less since 4
    // workers share 2 vCPUs, so CPU work sometimes waits, and the first requests found free workers.
    assert!(served < 1.005 * capacity && served > 0.97 * capacity, "served {served:.2}/s, capacity {capacity:.2}/s");
    let busy = web.worker_utilization.expect("the web tier has workers");
    assert!(busy > 0.99, "workers {busy:.3} busy");
    assert_eq!(web.workers, Some(4));
    // The CPU works only 10 ms of each 161 ms a worker is held.
    let cpu = served * cpu_ms / 1e3 / (instances * vcpus);
    near("web CPU utilisation", web.utilization, cpu, 0.005);
    assert!(web.utilization < 0.2, "CPU {:.3}", web.utilization);
    for i in &web.by_instance {
        assert!(i.worker_utilization > 0.99 && i.utilization < 0.2, "instance {i:?}");
    }
    assert_eq!(web.by_instance.len(), 2);
    // What the pool cannot take is refused once each instance's queue of 100 is full, and an
    // accepted request waits behind those 100 for its instance's share of the capacity.
    let users = &r.clients[0];
    let refused = users.errors.queue_full as f64 / users.requests as f64;
    near("refused share", refused, 1.0 - capacity / rate, 0.02);
    assert_eq!(users.errors.queue_full, users.errors.total, "{:?}", users.errors);
    let wait_ms = 100.0 / (capacity / instances) * 1e3;
    let p50 = users.latency.p50_ms;
    near("p50 latency", p50, wait_ms + hold_ms + internet + alb + rtt_web, 0.05 * wait_ms);
    assert!(users.latency.p95_ms > 4_000.0, "p95 {} ms", users.latency.p95_ms);
    // Target tracking on CPU never sees the problem.
    assert_eq!(web.instances, 2);
    assert!(sim.scaling_activities().is_empty(), "{:?}", sim.scaling_activities());
    // The database is busy but has a vCPU for every worker: its queries never wait.
    let db = r.component("db").unwrap();
    assert!(db.mean_wait_ms < 1.0, "db wait {} ms", db.mean_wait_ms);
    near("db utilisation", db.utilization, served * query_ms / 1e3 / 8.0, 0.02);

    let file = "slow-at-low-cpu-after.json";
    states(file, &["100% success", "47.3 ms", "15.0%", "11.8% busy"]);
    let (_, r) = play(file, None);
    let query_ms = 5.0;
    let hold_ms = cpu_ms + query_ms + rtt_db;
    let web = r.component("web").unwrap();
    let served = web.completions as f64 / RUN_S;
    near("after: served", served, rate, 0.02 * rate);
    let busy = web.worker_utilization.unwrap();
    near("after: workers busy", busy, served * hold_ms / 1e3 / (instances * workers), 0.01);
    near("after: CPU", web.utilization, served * cpu_ms / 1e3 / (instances * vcpus), 0.01);
    let users = &r.clients[0];
    assert_eq!(users.errors.total, 0, "{:?}", users.errors);
    // Latency is the sum of the steps: almost nothing waits.
    let sum = internet + alb + rtt_web + hold_ms;
    near("after: mean latency", users.latency.mean_ms, sum, 0.03 * sum);
    assert!(users.latency.p95_ms < 1.5 * sum, "p95 {} ms", users.latency.p95_ms);
}

#[test]
fn a_host_failure_stops_only_its_vms_and_placement_spread_decides_the_blast_radius() {
    use strata_core::layers::launch::InstanceState;
    // The VMs the layers report stopped, and the hosts they were on.
    let stopped = |r: &Report| -> (Vec<String>, Vec<String>) {
        let l = r.layers.as_ref().expect("layered scenario");
        let mut names = Vec::new();
        let mut hosts = Vec::new();
        for i in l.instances.iter().filter(|i| i.state == InstanceState::Stopped) {
            names.push(i.name.clone());
            hosts.push(i.host.clone().unwrap());
        }
        hosts.dedup();
        (names, hosts)
    };
    let host_of = |r: &Report, name: &str| {
        r.layers.as_ref().unwrap().instances.iter().find(|i| i.name == name).and_then(|i| i.host.clone()).unwrap()
    };
    let rate = 80.0;

    // Packed: every API VM and the neighbours' on one host.
    let file = "host-failure-packed.json";
    states(file, &["13 VMs stopped", "13.3%", "62,717", "78.6 ms", "49.8 ms"]);
    let (_, r) = play(file, Some("lose-host"));
    let (names, hosts) = stopped(&r);
    assert_eq!(hosts, vec!["ap-northeast-2a-shared-h07".to_string()], "only the failed host's VMs stop");
    assert_eq!(names.len(), 13, "{names:?}");
    let running = r.layers.as_ref().unwrap().instances.iter().filter(|i| i.state == InstanceState::Running).count();
    assert_eq!(running, 0, "nothing else was on the fleet");
    // Nothing answers after 120 s: the availability is the share of the run before it.
    near("packed availability", availability(file, &r), 100.0 * 120.0 / RUN_S, 0.3);
    let i = incident(file, &r);
    assert_eq!(i.time_to_recover_s, None);
    for api in ["api-1", "api-2", "api-3", "api-4"] {
        assert!(i.blast_radius.iter().any(|c| c == api), "{:?}", i.blast_radius);
    }
    near("packed requests failed", i.requests_failed as f64, rate * (RUN_S - 120.0), 0.02 * rate * RUN_S);

    // Spread: one VM per rack; the failed host holds api-1 alone.
    let file = "host-failure-spread.json";
    states(file, &["1 VM stopped", "203 requests failed", "99.72%", "10 s"]);
    let (_, r) = play(file, Some("lose-host"));
    let (names, hosts) = stopped(&r);
    assert_eq!(names, vec!["api-1".to_string()]);
    assert_eq!(hosts, vec![host_of(&r, "api-1")]);
    let l = r.layers.as_ref().unwrap();
    let mut racks: Vec<String> = ["api-1", "api-2", "api-3", "api-4"]
        .iter()
        .map(|n| host_of(&r, n).rsplit_once('-').unwrap().0.to_string())
        .collect();
    racks.sort();
    racks.dedup();
    assert_eq!(racks.len(), 4, "one rack per API instance: {racks:?}");
    assert!(l.instances.iter().filter(|i| i.name.starts_with("tenant-b")).all(|i| i.state == InstanceState::Running));
    let i = incident(file, &r);
    assert_eq!(i.blast_radius, vec!["users", "alb", "api-1"]);
    // A quarter of the traffic fails until the ALB's second failed check (10 s apart).
    let detect = i.time_to_detect_s.expect("the ALB notices");
    assert!(detect > 0.0 && detect <= 20.0, "detected after {detect} s");
    near("spread requests failed", i.requests_failed as f64, rate / 4.0 * detect, 0.15 * rate / 4.0 * detect);
    assert!(i.time_to_recover_s.is_some_and(|t| t <= detect + 1.0), "{i:?}");
    let spread = availability(file, &r);
    near("spread availability", spread, 100.0 * (1.0 - rate / 4.0 * detect / (rate * RUN_S)), 0.05);

    // Before any failure, packing on the noisy host already costs the neighbours' steal: the
    // median request's CPU work is stretched by the host's multiplier.
    let median_ms = 20.0 / 1.25f64.sqrt();
    let before = |file: &str| {
        let (_, r) = crate::common::run(&crate::common::scenario(file), 1, 120.0, 0.0);
        let m =
            r.layers.as_ref().unwrap().instances.iter().find(|i| i.name == "api-1").unwrap().service_time_multiplier;
        (r.clients[0].latency.p50_ms, m)
    };
    let (packed_p50, packed_m) = before("host-failure-packed.json");
    let (spread_p50, spread_m) = before("host-failure-spread.json");
    assert!(packed_m > 2.0 && spread_m < 1.1, "{packed_m} {spread_m}");
    assert!(packed_p50 - spread_p50 > 0.9 * median_ms * (packed_m - spread_m), "{packed_p50} vs {spread_p50}");
}

#[test]
fn multi_region_disaster_recovery_strategies_order_by_rto_and_rpo() {
    use strata_core::assess::recovery_point;
    use strata_core::topology::{ComponentSpec, Route53Params};
    // Each design loses us-east-1 at 305 s; a 1.5 h run leaves room for a 1 h restore.
    let run_s = 5_400.0;
    let lost_at = 305.0;
    let play_dr = |file: &str| -> (strata_core::topology::Topology, Report) {
        let t = scenario(file);
        let v = validate(&t);
        assert!(v.diagnostics.is_empty(), "{file}: {:?}", v.diagnostics);
        assert!(check_timing(&t.experiments()[0], run_s).is_empty());
        let config = SimConfig { experiment: Some("lose-us-east-1".into()), ..SimConfig::with_seed(1) };
        let mut sim = Simulation::new(&t, config).unwrap();
        sim.step_until(SimTime(Duration::from_secs_f64(run_s).as_nanos()));
        let r = sim.report();
        (t, r)
    };
    let dns = |t: &strata_core::topology::Topology| -> Route53Params {
        match &t.component("dns").unwrap().spec {
            ComponentSpec::Route53(p) => p.clone(),
            _ => unreachable!(),
        }
    };
    // What the model predicts for each: Route 53 notices the lost primary after its failure
    // threshold of checks; then the standby's database takes its recovery time (promotion or
    // restore), or, active-active, the resolvers still caching the lost region give it up
    // within one TTL. The RPO is the freshest copy's distance behind.
    let mut rtos = Vec::new();
    for (file, rto, rpo) in [
        ("dr-backup-restore.json", 3_626.0, 3_600.0),
        ("dr-pilot-light.json", 626.0, 1.0),
        ("dr-warm-standby.json", 146.0, 1.0),
        ("dr-active-active.json", 78.0, 1.0),
    ] {
        let fmt = |x: f64| {
            let s = format!("{x:.0}");
            if x >= 1000.0 {
                format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..])
            } else {
                s
            }
        };
        states(file, &[&format!("RTO {} s", fmt(rto)), &format!("RPO {} s", fmt(rpo))]);
        let (t, r) = play_dr(file);
        let p = dns(&t);
        let detect = first_after(&r, ObservationKind::RecordUnhealthy, lost_at).expect("Route 53 notices");
        let (interval, threshold) = (p.health_check_interval_s, p.failure_threshold as f64);
        assert!(
            detect > (threshold - 1.0) * interval && detect <= threshold * interval,
            "{file}: noticed after {detect} s"
        );
        let i = incident(file, &r);
        assert_eq!(i.start_s, lost_at);
        let measured = i.time_to_recover_s.unwrap_or_else(|| panic!("{file}: did not recover: {i:?}"));
        let standby_db = t.components.iter().find_map(|c| match &c.spec {
            ComponentSpec::Rds(d) if d.dr_copy != strata_core::topology::DrCopy::None => Some(d.dr_recovery_s),
            _ => None,
        });
        match standby_db {
            // Failover designs: back one second after the standby database serves.
            Some(recovery) => near(&format!("{file} RTO"), measured, detect + recovery + 1.0, 1.0),
            // Active-active: within one TTL of the detection.
            None => assert!(
                measured > detect && measured <= detect + p.ttl_s + 2.0,
                "{file}: recovered after {measured} s, noticed after {detect} s, TTL {} s",
                p.ttl_s
            ),
        }
        near(&format!("{file} RTO (stated)"), measured, rto, 2.0);
        let (got, basis) = recovery_point(&t, &t.experiments()[0].actions[0]);
        assert_eq!(got, Some(rpo), "{file}: {basis}");
        rtos.push((file, measured));
    }
    assert!(rtos.windows(2).all(|w| w[0].1 > w[1].1), "RTO must fall from backup/restore to active-active: {rtos:?}");
}
