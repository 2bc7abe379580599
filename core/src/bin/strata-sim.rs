//! `strata-sim`: run or check a topology from the command line.
//!
//! ```text
//! strata-sim run FILE [--seed N] [--duration 60s] [--warmup 0s] [--experiment NAME] [--json] [--series] [--journey REQUEST]
//! strata-sim validate FILE [--json] [--duration 60s] [--experiment NAME]
//! strata-sim assess FILE [--seed N] [--json]
//! strata-sim compare A B [--seed N] [--duration 60s] [--warmup 0s] [--experiment NAME] [--experiment-a NAME] [--experiment-b NAME] [--json]
//! strata-sim cloudformation FILE
//! strata-sim catalog
//! ```
//! `compare` runs two designs (or one design twice, under two experiments) with the same seed,
//! length and warm-up and prints their figures side by side (`strata_core::compare`): overall
//! availability, error budget and cost, then per client population requests, availability,
//! throughput, latency percentiles, errors and objectives, with which side each difference
//! favours. `--experiment` plays the same experiment in both; `--experiment-a`/`-b` one each.
//! `run --experiment NAME` plays one of the document's experiments (see
//! `strata_core::experiment`); the report then has one incident per action. `validate` with
//! `--duration` also refuses experiment actions that start after the run ends (all
//! experiments, or only `--experiment NAME`). `assess` runs the standard battery of disruptions
//! (`strata_core::assess`) and prints a report card by disruption type.
//! `run` also prints the layers under the instances when the topology has an `infrastructure`:
//! each instance's host, steal and service-time multiplier, each volume's IOPS limit and
//! `BurstBalance`, the connections the network blocks and why, and the launches.
//! `run --json` prints the report described in `strata_core::sim::report` (schema
//! `strata.metrics.v1`); with `--series` each component and client population also gets its
//! time series under `"series": {"<component id>": [SeriesPoint, ...]}` (a client's latency is
//! its requests' end to end, and its points add `errors_by_cause`, e.g. `{"timeout": 3}`). `run --journey REQUEST` follows one
//! request (the engine's request number, as the live view's tooltips name it) hop by hop: when
//! it arrived, started, answered or failed where, and why (`"journey": [...]` with `--json`).
//!
//! `cloudformation` prints the CloudFormation template the app exports
//! (`strata_core::cloudformation::export`) as pretty JSON; what it leaves out goes to stderr. A
//! design AWS would not deploy as drawn (e.g. a load balancer whose subnets span one Availability
//! Zone) is refused: each reason on stderr and exit 1, no template.
//!
//! Exit codes: 0 success; 1 the topology has validation errors, or `cloudformation` refused it; 2
//! usage error or unreadable file.

use std::process::ExitCode;
use strata_core::experiment;
use strata_core::sim::{ErrorCause, HopKind, JourneyEvent, SimConfig, Simulation};
use strata_core::time::{parse_duration, SimTime, MAX_RUN};
use strata_core::topology::Topology;
use strata_core::validate::{validate, Severity};

const USAGE: &str = "usage:
  strata-sim run FILE [--seed N] [--duration 60s] [--warmup 0s] [--experiment NAME] [--json] [--series] [--journey REQUEST]
  strata-sim validate FILE [--json] [--duration 60s] [--experiment NAME]
  strata-sim assess FILE [--seed N] [--json]
  strata-sim compare A B [--seed N] [--duration 60s] [--warmup 0s] [--experiment NAME] [--experiment-a NAME] [--experiment-b NAME] [--json]
  strata-sim cloudformation FILE
  strata-sim catalog";

struct Args {
    command: String,
    file: Option<String>,
    /// `compare`'s second design.
    file_b: Option<String>,
    seed: u64,
    duration: strata_core::time::Duration,
    warmup: strata_core::time::Duration,
    json: bool,
    series: bool,
    /// The request to follow hop by hop.
    journey: Option<u64>,
    experiment: Option<String>,
    /// `compare`: the experiments of A and B, when they differ.
    experiment_a: Option<String>,
    experiment_b: Option<String>,
    /// Whether `--duration` was given (validate checks experiment times only then).
    duration_given: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("missing command")?;
    let mut a = Args {
        command,
        file: None,
        file_b: None,
        seed: 1,
        duration: strata_core::time::Duration::from_secs(60),
        warmup: strata_core::time::Duration::ZERO,
        json: false,
        series: false,
        journey: None,
        experiment: None,
        experiment_a: None,
        experiment_b: None,
        duration_given: false,
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--seed" => a.seed = value("--seed")?.parse().map_err(|_| "--seed needs a whole number".to_string())?,
            "--duration" => {
                a.duration = parse_duration(&value("--duration")?)?;
                a.duration_given = true;
            }
            "--experiment" => a.experiment = Some(value("--experiment")?),
            "--experiment-a" => a.experiment_a = Some(value("--experiment-a")?),
            "--experiment-b" => a.experiment_b = Some(value("--experiment-b")?),
            "--warmup" => a.warmup = parse_duration(&value("--warmup")?)?,
            "--json" => a.json = true,
            "--series" => a.series = true,
            "--journey" => {
                let v = value("--journey")?;
                let n =
                    v.trim_start_matches('#').parse().map_err(|_| "--journey needs a request number".to_string())?;
                a.journey = Some(n);
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with('-') => return Err(format!("unknown option `{s}`")),
            s if a.file.is_none() => a.file = Some(s.to_string()),
            s if a.command == "compare" && a.file_b.is_none() => a.file_b = Some(s.to_string()),
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

/// The FILE argument's design, or the exit code after saying why there is none (missing
/// argument, unreadable or malformed file).
fn load_arg(path: Option<&str>) -> Result<(&str, Topology), ExitCode> {
    let Some(path) = path else {
        eprintln!("strata-sim: missing FILE\n{USAGE}");
        return Err(ExitCode::from(2));
    };
    load(path).map(|t| (path, t)).map_err(|e| {
        eprintln!("strata-sim: {e}");
        ExitCode::from(2)
    })
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
        "compare" => compare(&args),
        "cloudformation" => cloudformation(args.file.as_deref()),
        "validate" | "run" | "assess" => {
            let (path, topology) = match load_arg(args.file.as_deref()) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            let mut v = validate(&topology);
            let experiments = topology.experiments();
            if let Some(name) = &args.experiment {
                match experiments.iter().find(|e| &e.name == name) {
                    Some(e) if args.duration_given || args.command == "run" => {
                        v.diagnostics.extend(experiment::check_timing(e, args.duration.as_secs_f64()));
                    }
                    Some(_) => {}
                    None => {
                        let known: Vec<&str> = experiments.iter().map(|e| e.name.as_str()).collect();
                        eprintln!(
                            "strata-sim: {path} has no experiment `{name}` (it has: {})",
                            if known.is_empty() { "none".to_string() } else { known.join(", ") }
                        );
                        return ExitCode::from(2);
                    }
                }
            } else if args.duration_given && args.command == "validate" {
                for e in &experiments {
                    v.diagnostics.extend(experiment::check_timing(e, args.duration.as_secs_f64()));
                }
            }
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
            if args.command == "assess" {
                return assess(&topology, &args);
            }
            run(&topology, &args)
        }
        other => {
            eprintln!("strata-sim: unknown command `{other}`\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// Loads a design that must run for `experiment`: exit 2 for an unreadable file or an unknown
/// experiment, 1 for validation errors (each printed with the file's path).
fn runnable(path: &str, experiment: Option<&str>) -> Result<Topology, ExitCode> {
    let t = load(path).map_err(|e| {
        eprintln!("strata-sim: {e}");
        ExitCode::from(2)
    })?;
    if let Some(name) = experiment {
        let names = t.experiment_names();
        if !names.iter().any(|e| e == name) {
            let known: Vec<&str> = names.iter().map(String::as_str).collect();
            let known = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            eprintln!("strata-sim: {path} has no experiment `{name}` (it has: {known})");
            return Err(ExitCode::from(2));
        }
    }
    let v = validate(&t);
    if v.has_errors() {
        for d in v.errors() {
            eprintln!("{path}: {d}");
        }
        return Err(ExitCode::from(1));
    }
    Ok(t)
}

/// `cloudformation FILE`: the template on stdout, or the reasons it is refused on stderr (exit 1).
fn cloudformation(path: Option<&str>) -> ExitCode {
    let (path, t) = match load_arg(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let out = strata_core::cloudformation::export(&t);
    if !out.problems.is_empty() {
        for p in &out.problems {
            eprintln!("{path}: refused: {p}");
        }
        return ExitCode::from(1);
    }
    for s in &out.skipped {
        eprintln!("{path}: not exported: {s}");
    }
    println!("{}", out.to_json());
    ExitCode::SUCCESS
}

/// `compare A B`: both runs, then their figures side by side.
fn compare(args: &Args) -> ExitCode {
    let (Some(path_a), Some(path_b)) = (args.file.as_deref(), args.file_b.as_deref()) else {
        eprintln!("strata-sim: compare needs two files, A and B\n{USAGE}");
        return ExitCode::from(2);
    };
    let exp_a = args.experiment_a.clone().or_else(|| args.experiment.clone());
    let exp_b = args.experiment_b.clone().or_else(|| args.experiment.clone());
    let mut reports = Vec::new();
    for (path, experiment) in [(path_a, &exp_a), (path_b, &exp_b)] {
        let t = match runnable(path, experiment.as_deref()) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let config =
            SimConfig { seed: args.seed, warmup: args.warmup, experiment: experiment.clone(), ..SimConfig::default() };
        let mut sim = match Simulation::new(&t, config) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("strata-sim: {path}: {e}");
                return ExitCode::from(1);
            }
        };
        sim.step_until(SimTime(args.duration.as_nanos()));
        reports.push((t.name.clone(), sim.report()));
    }
    let (a, b) = (&reports[0], &reports[1]);
    let c = strata_core::compare::compare(&a.1, &b.1);
    if args.json {
        let side = |path: &str, name: &str, e: &Option<String>| serde_json::json!({"file": path, "name": name, "experiment": e});
        let v = serde_json::json!({
            "a": side(path_a, &a.0, &exp_a),
            "b": side(path_b, &b.0, &exp_b),
            "comparison": c,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    let side = |label: &str, path: &str, name: &str, e: &Option<String>| {
        let e = e.as_ref().map(|e| format!(", experiment {e}")).unwrap_or_default();
        println!("{label}: {} ({path}{e})", if name.is_empty() { "topology" } else { name });
    };
    side("A", path_a, &a.0, &exp_a);
    side("B", path_b, &b.0, &exp_b);
    println!("both: seed {}, {:.1} s simulated", c.seed, c.time_s);
    println!();
    println!("{:<34} {:>14} {:>14} {:>12}  better", "figure", "A", "B", "B - A");
    for r in &c.rows {
        println!(
            "{:<34} {:>14} {:>14} {:>12}  {}",
            r.figure,
            r.unit.format(r.a),
            r.unit.format(r.b),
            r.delta_text(),
            r.verdict.label()
        );
    }
    let (wins_a, wins_b) = c.wins();
    println!();
    println!("{} figure(s) differ: A better on {wins_a}, B better on {wins_b}", c.differences().count());
    ExitCode::SUCCESS
}

/// A population's objectives in words, e.g. `SLO met: availability 99.95% against 99.9% (23% of
/// the error budget used); p99 212.3 ms against 300 ms (8% of the latency budget used)`.
fn slo_text(s: &strata_core::sim::SloReport) -> String {
    let used = |burned: f64| if burned.is_finite() { format!("{:.0}%", burned * 100.0) } else { "all".into() };
    let mut out = format!(
        "SLO {}: availability {} against {}% ({} of the error budget used)",
        if s.met { "met" } else { "MISSED" },
        s.availability_percent.map_or("—".into(), |a| format!("{a:.3}%")),
        s.availability_objective_percent,
        used(s.error_budget.burned)
    );
    if let Some(l) = &s.latency {
        out += &format!(
            "; p{} {:.1} ms against {} ms ({} of the latency budget used)",
            l.percentile,
            l.actual_ms,
            l.target_ms,
            used(l.burned)
        );
    }
    out
}

fn run(t: &Topology, args: &Args) -> ExitCode {
    let config =
        SimConfig { seed: args.seed, warmup: args.warmup, experiment: args.experiment.clone(), ..SimConfig::default() };
    let mut sim = match Simulation::new(t, config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("strata-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let end = SimTime(args.duration.as_nanos());
    let journey = match args.journey {
        // Sampling only observes: the run is the same, and every n-th request includes the n-th.
        Some(n) => {
            sim.set_journey_sampling(n.max(1));
            let mut kept = Vec::new();
            while !sim.step_until_budget(end, 16_384) {
                kept.extend(sim.drain_journeys().filter(|e| e.request == n));
            }
            kept.extend(sim.drain_journeys().filter(|e| e.request == n));
            Some(kept)
        }
        None => {
            sim.step_until(end);
            None
        }
    };
    let report = sim.report();
    if args.json {
        let mut v = serde_json::to_value(&report).unwrap_or_default();
        if let Some(events) = &journey {
            v["journey"] = events.iter().map(|e| journey_json(&sim, e)).collect();
        }
        if args.series {
            let mut series = serde_json::Map::new();
            let ids = report.components.iter().map(|c| &c.id).chain(report.clients.iter().map(|c| &c.id));
            for id in ids {
                if let Some(i) = sim.component_index(id) {
                    let mut points = serde_json::to_value(sim.series(i)).unwrap_or_default();
                    // A client population's points also say why its requests failed.
                    let causes = sim.series_error_causes(i);
                    if let Some(list) = points.as_array_mut().filter(|_| !causes.is_empty()) {
                        for (p, bucket) in list.iter_mut().zip(&causes) {
                            let named: serde_json::Map<String, serde_json::Value> = ErrorCause::ALL
                                .iter()
                                .zip(bucket)
                                .filter(|(_, &n)| n > 0)
                                .map(|(c, &n)| {
                                    (
                                        serde_json::to_value(c)
                                            .unwrap_or_default()
                                            .as_str()
                                            .unwrap_or_default()
                                            .to_string(),
                                        n.into(),
                                    )
                                })
                                .collect();
                            p["errors_by_cause"] = named.into();
                        }
                    }
                    series.insert(id.clone(), points);
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
    for c in &report.clients {
        println!("  {}: {}", c.id, slo_text(&c.slo));
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
    print_resilience(&report.resilience);
    print_cost(&report.cost);
    if let (Some(n), Some(events)) = (args.journey, &journey) {
        println!();
        println!("request #{n}: {} hop event(s) up to {:.3} s", events.len(), end.0 as f64 / 1e9);
        for e in events {
            let j = journey_json(&sim, e);
            let at = |k: &str| j[k].as_str().map(str::to_string);
            let instance = j["instance"].as_u64().map(|i| format!("[{i}]")).unwrap_or_default();
            let from = at("from").map(|f| format!(" (called by {f})")).unwrap_or_default();
            let cause = at("cause").map(|c| format!(": {c}")).unwrap_or_default();
            println!(
                "  {:>12.6} s  {}{instance}  {}{cause}{from}",
                e.time.0 as f64 / 1e9,
                j["component"].as_str().unwrap_or_default(),
                j["event"].as_str().unwrap_or_default()
            );
        }
    }
    ExitCode::SUCCESS
}

/// One hop event of a followed request: when, where (component id and instance), called by
/// whom, what happened and, for a failure, its cause in words.
fn journey_json(sim: &Simulation, e: &JourneyEvent) -> serde_json::Value {
    let (event, cause) = match e.kind {
        HopKind::Arrive => ("arrive", None),
        HopKind::Start => ("start", None),
        HopKind::Done => ("done", None),
        HopKind::Error(c) => ("error", Some(c.name())),
    };
    serde_json::json!({
        "request": e.request,
        "time_ns": e.time.0,
        "component": sim.component_id(e.component),
        "instance": (e.instance != u32::MAX).then_some(e.instance),
        "from": e.from.map(|f| sim.component_id(f)),
        "event": event,
        "cause": cause,
    })
}

fn print_cost(c: &strata_core::sim::CostReport) {
    println!();
    println!(
        "cost: ${:.4} over {:.1} s, ${:.4}/hour now ({} on-demand prices, {}; {:.0} B per request, {:.0} B per answer)",
        c.accumulated,
        c.time_s,
        c.per_hour_now,
        c.region,
        c.prices_as_of,
        c.assumptions.request_bytes,
        c.assumptions.response_bytes
    );
    let cats: Vec<String> = c
        .by_category
        .iter()
        .filter(|k| k.accumulated > 0.0 || k.per_hour_now > 0.0)
        .map(|k| format!("{} ${:.4} (${:.4}/h)", k.category.name(), k.accumulated, k.per_hour_now))
        .collect();
    println!("  by category: {}", if cats.is_empty() { "nothing".to_string() } else { cats.join(", ") });
    for k in &c.by_component {
        let lines: Vec<String> = k
            .lines
            .iter()
            .filter(|l| l.quantity > 0.0)
            .map(|l| format!("{} {:.4} {}", l.item, l.quantity, l.unit))
            .collect();
        println!(
            "  {:<16} {:<12} ${:>10.4} ${:>9.4}/h  {}",
            k.id,
            k.kind,
            k.accumulated,
            k.per_hour_now,
            lines.join("; ")
        );
    }
}

fn opt_s(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.0} s"))
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or("—".to_string(), |v| format!("{:.3}%", v * 100.0))
}

fn print_resilience(r: &strata_core::sim::ResilienceReport) {
    println!();
    println!(
        "availability {} against an SLO of {:.3}%; error budget {:.0}% burned ({} failures of {:.1} allowed)",
        opt_pct(r.availability),
        r.error_budget.slo * 100.0,
        r.error_budget.burned * 100.0,
        r.error_budget.failures,
        r.error_budget.allowed_failures
    );
    if let Some(name) = &r.experiment {
        println!("experiment `{name}`{}", r.stopped.as_ref().map_or(String::new(), |s| format!(": {s}")));
    }
    for i in &r.incidents {
        println!(
            "  {} on {} at {:.0} s: detected after {}, recovered after {}, {} requests failed; affected: {}",
            i.action,
            i.target,
            i.start_s,
            opt_s(i.time_to_detect_s),
            opt_s(i.time_to_recover_s),
            i.requests_failed,
            if i.blast_radius.is_empty() { "nothing".to_string() } else { i.blast_radius.join(", ") }
        );
    }
    for c in r.connections.iter().filter(|c| c.retries > 0 || c.short_circuited > 0 || c.rejected > 0) {
        println!(
            "  {} -> {}: {} calls, {} retries (x{:.2} amplification), {} failed fast by the breaker, {} refused by the bulkhead",
            c.from, c.to, c.calls, c.retries, c.amplification, c.short_circuited, c.rejected
        );
    }
    if !r.trail.is_empty() {
        println!("control-plane calls (CloudTrail):");
        for t in &r.trail {
            let detail = if t.detail.is_empty() { String::new() } else { format!(": {}", t.detail) };
            println!("  {:>8.1} s  {} {} on {}{detail}", t.time_s, t.principal, t.call, t.resource);
        }
    }
}

fn assess(t: &Topology, args: &Args) -> ExitCode {
    let card = match strata_core::assess::assess(t, args.seed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("strata-sim: {e}");
            return ExitCode::from(1);
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&card).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    println!(
        "{} — resilience report card (seed {}, SLO {:.3}%, baseline availability {})",
        if card.design.is_empty() { "topology" } else { &card.design },
        card.seed,
        card.slo * 100.0,
        opt_pct(card.baseline_availability)
    );
    println!();
    println!(
        "{:<10} {:<46} {:>12} {:>9} {:>9} {:>9} {:>9}",
        "type", "disruption", "availability", "detect", "RTO", "RPO", "failed"
    );
    for r in &card.rows {
        println!(
            "{:<10} {:<46} {:>12} {:>9} {:>9} {:>9} {:>9}",
            r.disruption.label().to_lowercase(),
            r.scenario,
            opt_pct(r.availability),
            opt_s(r.time_to_detect_s),
            opt_s(r.rto_s),
            r.rpo_s.map_or("lost".to_string(), |v| format!("{v:.0} s")),
            r.requests_failed
        );
    }
    println!();
    for g in &card.grades {
        println!(
            "{:<10} worst availability {}, worst RTO {}, {}",
            g.disruption.label().to_lowercase(),
            opt_pct(g.availability),
            opt_s(g.rto_s),
            if g.meets_slo { "meets the SLO" } else { "misses the SLO" }
        );
    }
    for s in &card.skipped {
        println!("skipped: {s}");
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
        let kind = v.kind.name();
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
