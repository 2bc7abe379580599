//! M/M/1 and M/M/c against their closed forms (Erlang C), with replications and a discarded
//! warm-up. Run in optimised builds: `cargo test -p strata-core --profile ci`.

use crate::common::run;
use strata_core::bench::mmc_topology;

struct Theory {
    w: f64,
    wq: f64,
    lq: f64,
    l: f64,
}

/// Closed forms for M/M/c with arrival rate `lambda` and service rate `mu` per server.
fn erlang_c(lambda: f64, mu: f64, c: u32) -> Theory {
    let a = lambda / mu;
    let rho = a / c as f64;
    assert!(rho < 1.0);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - rho); // a^c / c! / (1 - rho)
    let p_wait = top / (sum + top);
    let lq = p_wait * rho / (1.0 - rho);
    let wq = lq / lambda;
    let w = wq + 1.0 / mu;
    Theory { w, wq, lq, l: lambda * w }
}

/// Runs `reps` replications of `customers / reps` customers each, discarding the first 2% of
/// simulated time, and compares the grand means with theory (relative tolerance `tol`).
fn check(c: u32, rho: f64, customers: f64, reps: u64, tol: f64) {
    let mu = 1000.0; // 1 ms mean service
    let lambda = rho * c as f64 * mu;
    let t = mmc_topology(lambda, mu, c);
    let th = erlang_c(lambda, mu, c);
    let secs = customers / reps as f64 / lambda;
    let (mut w, mut wq, mut lq, mut l) = (0.0, 0.0, 0.0, 0.0);
    for seed in 0..reps {
        let (_, r) = run(&t, 1000 + seed, secs * 1.02, secs * 0.02);
        let s = r.component("server").unwrap();
        assert_eq!(s.errors.total, 0);
        w += s.mean_time_in_component_ms / 1e3;
        wq += s.mean_wait_ms / 1e3;
        lq += s.mean_queue_length;
        l += s.mean_in_system;
    }
    let n = reps as f64;
    let rel = |got: f64, want: f64| (got / n - want).abs() / want;
    let msg = format!(
        "M/M/{c} rho={rho}: W {:.6}/{:.6} Wq {:.6}/{:.6} Lq {:.4}/{:.4} L {:.4}/{:.4}",
        w / n,
        th.w,
        wq / n,
        th.wq,
        lq / n,
        th.lq,
        l / n,
        th.l
    );
    eprintln!("{msg}");
    assert!(rel(w, th.w) < tol, "time in system off: {msg}");
    assert!(rel(wq, th.wq) < tol, "wait off: {msg}");
    assert!(rel(lq, th.lq) < tol, "queue length off: {msg}");
    assert!(rel(l, th.l) < tol, "number in system off: {msg}");
}

#[test]
fn erlang_c_reduces_to_mm1() {
    let t = erlang_c(800.0, 1000.0, 1);
    assert!((t.w - 0.005).abs() < 1e-12 && (t.lq - 3.2).abs() < 1e-9);
}

#[test]
fn mm1_at_rho_0_5() {
    check(1, 0.5, 2e6, 4, 0.02);
}

#[test]
fn mm1_at_rho_0_8() {
    check(1, 0.8, 5e6, 5, 0.02);
}

#[test]
fn mm1_at_rho_0_9() {
    check(1, 0.9, 12e6, 6, 0.02);
}

#[test]
fn mm2_at_two_loads() {
    check(2, 0.5, 2e6, 4, 0.02);
    check(2, 0.85, 5e6, 5, 0.02);
}

#[test]
fn mm4_at_two_loads() {
    check(4, 0.6, 2e6, 4, 0.02);
    check(4, 0.85, 5e6, 5, 0.02);
}

#[test]
fn mm8_at_three_loads() {
    check(8, 0.5, 2e6, 4, 0.02);
    check(8, 0.75, 3e6, 4, 0.02);
    check(8, 0.9, 6e6, 5, 0.02);
}
