//! `strata-sim`: run or check a topology from the command line.
//!
//! ```text
//! strata-sim run FILE [--seed N] [--duration 60s] [--warmup 0s] [--json] [--series]
//! strata-sim validate FILE [--json]
//! strata-sim catalog
//! ```
//! `run` also prints the layers under the instances when the topology has an `infrastructure`:
//! each instance's host, steal and service-time multiplier, each volume's IOPS limit and
//! `BurstBalance`, the connections the network blocks and why, and the launches.
//! `run --json` prints the report described in `strata_core::sim::report` (schema
//! `strata.metrics.v1`); with `--series` each component also gets its time series under
//! `"series": {"<component id>": [SeriesPoint, ...]}`.
//!
//! Exit codes: 0 success; 1 the topology has validation errors; 2 usage error or unreadable file.

use std::process::ExitCode;
use strata_core::sim::{SimConfig, Simulation};
use strata_core::time::{parse_duration, SimTime, MAX_RUN};
use strata_core::topology::Topology;
use strata_core::validate::{validate, Severity};

const USAGE: &str = "usage:
  strata-sim run FILE [--seed N] [--duration 60s] [--warmup 0s] [--json] [--series]
  strata-sim validate FILE [--json]
  strata-sim catalog";

struct Args {
    command: String,
    file: Option<String>,
    seed: u64,
    duration: strata_core::time::Duration,
    warmup: strata_core::time::Duration,
    json: bool,
    series: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("missing command")?;
    let mut a = Args {
        command,
        file: None,
        seed: 1,
        duration: strata_core::time::Duration::from_secs(60),
        warmup: strata_core::time::Duration::ZERO,
        json: false,
        series: false,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seed" => a.seed = value("--seed")?.parse().map_err(|_| "--seed needs a whole number".to_string())?,
            "--duration" => a.duration = parse_duration(&value("--duration")?)?,
            "--warmup" => a.warmup = parse_duration(&value("--warmup")?)?,
            "--json" => a.json = true,
            "--series" => a.series = true,
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s if a.file.is_none() => a.file = Some(s.to_string()),
            s => return Err(format!("unexpected argument `{s}`")),
        }
    }
    if a.duration > MAX_RUN {
        return Err(format!("--duration {} exceeds the longest run, 30 days of simulated time", a.duration));
    }
    if a.warmup >= a.duration {
        return Err(format!("--warmup {} must be shorter than --duration {}", a.warmup, a.duration));
    }
    Ok(a)
}

fn load(path: &str) -> Result<Topology, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: cannot read: {e}"))?;
    Topology::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("strata-sim: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match args.command.as_str() {
        "catalog" => {
            println!("{}", serde_json::to_string_pretty(strata_core::catalog::KINDS).unwrap_or_default());
            ExitCode::SUCCESS
        }
        "validate" | "run" => {
            let Some(path) = args.file.as_deref() else {
                eprintln!("strata-sim: missing FILE\n{USAGE}");
                return ExitCode::from(2);
            };
            let topology = match load(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("strata-sim: {e}");
                    return ExitCode::from(2);
                }
            };
            let v = validate(&topology);
            if args.command == "validate" {
                if args.json {
                    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                } else {
                    for d in &v.diagnostics {
                        println!("{path}: {d}");
                    }
                    let errors = v.errors().count();
                    println!("{path}: {errors} error(s), {} warning(s)", v.diagnostics.len() - errors);
                }
                return if v.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS };
            }
            if v.has_errors() {
                for d in v.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
                    eprintln!("{path}: {d}");
                }
                return ExitCode::from(1);
            }
            run(&topology, &args)
        }
        other => {
            eprintln!("strata-sim: unknown command `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(t: &Topology, args: &Args) -> ExitCode {
    let config = SimConfig { seed: args.seed, warmup: args.warmup, ..SimConfig::default() };
    let mut sim = match Simulation::new(t, config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("strata-sim: {e}");
            return ExitCode::from(1);
        }
    };
    sim.step_until(SimTime(args.duration.as_nanos()));
    let report = sim.report();
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if args.series {
            let mut series = serde_json::Map::new();
            for c in &report.components {
                if let Some(i) = sim.component_index(&c.id) {
                    series.insert(c.id.clone(), serde_json::to_value(sim.series(i)).unwrap_or_default());
                }
            }
            v["series"] = serde_json::Value::Object(series);
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    println!(
        "{} — {:.1} s simulated (measured {:.1} s), seed {}, {} events, trace {}",
        if t.name.is_empty() { "topology" } else { &t.name },
        report.time_s,
        report.measured_s,
        report.seed,
        report.events,
        report.trace_hash
    );
    println!();
    println!(
        "{:<16} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9}  errors",
        "client", "requests", "success", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms"
    );
    for c in &report.clients {
        println!(
            "{:<16} {:>10} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {}",
            c.id,
            c.requests,
            c.success_rate.map_or("—".to_string(), |r| format!("{:.2}%", r * 100.0)),
            c.latency.p50_ms,
            c.latency.p95_ms,
            c.latency.p99_ms,
            c.latency.p999_ms,
            errors_text(&c.errors)
        );
    }
    println!();
    println!(
        "{:<16} {:<11} {:>9} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>6} {:>7}  errors",
        "component", "kind", "arrivals", "ok", "in-fl", "req/s", "mean ms", "p50 ms", "p99 ms", "util", "queue"
    );
    for c in &report.components {
        println!(
            "{:<16} {:<11} {:>9} {:>9} {:>7} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>5.1}% {:>7.2}  {}",
            c.id,
            c.kind.tag(),
            c.arrivals,
            c.completions,
            c.in_flight,
            c.throughput_rps,
            c.latency.mean_ms,
            c.latency.p50_ms,
            c.latency.p99_ms,
            c.utilization * 100.0,
            c.mean_queue_length,
            errors_text(&c.errors)
        );
    }
    if let Some(l) = &report.layers {
        print_layers(l);
    }
    ExitCode::SUCCESS
}

fn print_layers(l: &strata_core::sim::LayersReport) {
    println!();
    println!(
        "{:<20} {:<12} {:<30} {:<9} {:>7} {:>7} {:>8}",
        "instance", "component", "host", "state", "steal%", "x svc", "guest%"
    );
    for i in &l.instances {
        println!(
            "{:<20} {:<12} {:<30} {:<9} {:>6.1}% {:>7.2} {:>7.1}%",
            i.name,
            i.component.as_deref().unwrap_or("-"),
            i.host.as_deref().unwrap_or("-"),
            i.state.to_string(),
            i.steal_percent,
            i.service_time_multiplier,
            i.guest_cpu_percent
        );
    }
    println!();
    println!(
        "{:<20} {:<20} {:<5} {:>6} {:>9} {:>7} {:>7} {:>13} {:>10}",
        "volume", "instance", "kind", "GiB", "baseline", "burst", "limit", "BurstBalance", "I/Os"
    );
    for v in &l.volumes {
        let kind = serde_json::to_value(v.kind).ok().and_then(|k| k.as_str().map(String::from)).unwrap_or_default();
        println!(
            "{:<20} {:<20} {:<5} {:>6} {:>9} {:>7} {:>7} {:>12.1}% {:>10}",
            v.name,
            v.instance.as_deref().unwrap_or("-"),
            kind,
            v.size_gib,
            v.baseline_iops,
            v.burst_iops,
            v.iops_limit,
            v.burst_balance_percent,
            v.ios_done
        );
    }
    for b in &l.blocked_paths {
        println!();
        println!(
            "blocked: {} -> {} port {} at {} ({}), {} request(s) failed: {}",
            b.from,
            b.to,
            b.port,
            b.at,
            serde_json::to_value(b.hop).ok().and_then(|k| k.as_str().map(String::from)).unwrap_or_default(),
            b.failures,
            b.reason
        );
    }
    println!();
    println!("launches: {} running, {} failed; {} API call(s) logged", l.launches, l.failed_launches, l.api_log.len());
}

fn errors_text(e: &strata_core::sim::ErrorCounts) -> String {
    use strata_core::sim::ErrorCause;
    let parts: Vec<String> = ErrorCause::ALL
        .iter()
        .filter(|c| e.get(**c) > 0)
        .map(|c| {
            format!(
                "{}={}",
                serde_json::to_value(c).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
                e.get(*c)
            )
        })
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}
