//! Ramp and daily-cycle populations send requests at `rate_at(t)`: the count in every window
//! matches the integral of the rate.

use strata_core::sim::{SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Topology};

/// Requests sent in each `window_s` window of `secs`, and the integral of `rate_at` over it.
fn windows(arrival: &Arrival, secs: u64, window_s: u64) -> Vec<(f64, f64)> {
    let mut t = Topology::new("pattern");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = arrival.clone();
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.instance_type = "c5.4xlarge".into();
    }
    t.connect("users", "web");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(7)).unwrap();
    let mut out = Vec::new();
    let mut sent = 0;
    for w in 0..secs / window_s {
        let (a, b) = ((w * window_s) as f64, ((w + 1) * window_s) as f64);
        sim.step_until(SimTime::from_secs((w + 1) * window_s));
        let now = sim.report().client("users").unwrap().requests;
        // Midpoint rule on 1000 slices.
        let expected: f64 =
            (0..1000).map(|i| arrival.rate_at(a + (b - a) * (i as f64 + 0.5) / 1000.0)).sum::<f64>() * (b - a) / 1000.0;
        out.push(((now - sent) as f64, expected));
        sent = now;
    }
    out
}

fn assert_poisson(arrival: &Arrival, got: &[(f64, f64)]) {
    for (w, &(n, expected)) in got.iter().enumerate() {
        // Five standard deviations of a Poisson count.
        assert!(
            (n - expected).abs() <= 5.0 * expected.sqrt() + 1.0,
            "{arrival:?} window {w}: {n} requests, expected {expected:.0}"
        );
    }
}

#[test]
fn a_ramp_follows_its_rate() {
    let ramp = Arrival::Ramp { from_rps: 50.0, to_rps: 500.0, start_s: 20.0, duration_s: 60.0 };
    let got = windows(&ramp, 120, 10);
    assert_poisson(&ramp, &got);
    // Flat before, rising through, flat after.
    assert!(got[0].0 < 700.0 && got[1].0 < 700.0);
    assert!(got[2].0 < got[4].0 && got[4].0 < got[6].0);
    assert!(got[9].0 > 4_500.0 && got[11].0 > 4_500.0);
}

#[test]
fn a_daily_cycle_follows_its_rate() {
    let cycle = Arrival::DailyCycle { mean_rps: 200.0, amplitude: 0.8, period_s: 120.0, peak_at_s: 30.0 };
    let got = windows(&cycle, 240, 10);
    assert_poisson(&cycle, &got);
    // The window around the peak (t = 30 s) carries far more than the one around the trough (90 s).
    assert!(got[2].0 > 3.0 * got[8].0, "peak {} vs trough {}", got[2].0, got[8].0);
    let total: f64 = got.iter().map(|g| g.0).sum();
    assert!((total - 200.0 * 240.0).abs() < 5.0 * (200.0f64 * 240.0).sqrt(), "{total} over two periods");
}
