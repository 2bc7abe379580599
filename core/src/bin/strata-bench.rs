//! `strata-bench`: engine events per second, natively.
//!
//! ```text
//! cargo run --profile bench-native -p strata-core --bin strata-bench -- [--events N | --customers N] [--json]
//! ```
//! Runs the M/M/1 model (lambda = 800/s, mu = 1000/s, the same as `bench/mm1_peers.py`) and the
//! three-tier gallery scenario, and prints events/s and customers/s for each. This is the only
//! place in the crate that reads a clock, and it is a binary, not the library.

use std::time::Instant;
use strata_core::bench::{bench_mm1, bench_three_tier, BenchResult};

fn timed(f: impl FnOnce() -> BenchResult) -> (BenchResult, f64) {
    let t0 = Instant::now();
    let r = f();
    (r, t0.elapsed().as_secs_f64())
}

fn main() {
    let mut events: u64 = 20_000_000;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--events" => events = args.next().and_then(|v| v.parse().ok()).unwrap_or(events),
            // M/M/1 takes four events per customer (arrival, arrival at the server, service
            // end, response), so N customers is 4N events.
            "--customers" => events = args.next().and_then(|v| v.parse::<u64>().ok()).map_or(events, |c| c * 4),
            "--json" => json = true,
            _ => {
                eprintln!("usage: strata-bench [--events N | --customers N] [--json]");
                std::process::exit(2);
            }
        }
    }
    // Warm caches and the allocator once.
    let _ = bench_mm1(events / 20, 99);
    let mut rows = Vec::new();
    for (name, run) in [("mm1", bench_mm1 as fn(u64, u64) -> BenchResult), ("three_tier", bench_three_tier)] {
        let (r, secs) = timed(|| run(events, 1));
        rows.push((name, r, secs));
    }
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(n, r, s)| {
                serde_json::json!({
                    "model": n, "events": r.events, "customers": r.customers, "seconds": s,
                    "events_per_s": r.events as f64 / s, "customers_per_s": r.customers as f64 / s,
                    "simulated_s": r.simulated_s, "mean_time_in_system_ms": r.mean_time_in_system_ms,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        for (n, r, s) in rows {
            println!(
                "{n:<11} {:>11} events in {s:>6.3} s = {:>6.2} M events/s, {:>6.2} M customers/s (simulated {:.0} s, W = {:.3} ms)",
                r.events,
                r.events as f64 / s / 1e6,
                r.customers as f64 / s / 1e6,
                r.simulated_s,
                r.mean_time_in_system_ms
            );
        }
    }
}
