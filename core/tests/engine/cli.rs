//! The command-line runner: clear errors with path and reason, exit codes, JSON schema.

use std::process::Command;

fn sim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata-sim")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn scenario(name: &str) -> String {
    format!("{}/../public/scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes `text` to a file private to this test process (test runs in other profiles share
/// the directory, so the process id keeps them apart).
fn temp(name: &str, text: &str) -> String {
    let path = format!("{}/{}-{name}", env!("CARGO_TARGET_TMPDIR"), std::process::id());
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_files_exit_2_naming_path_and_reason() {
    let (code, _, err) = sim(&["run", "/no/such/topology.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/topology.json") && err.contains("cannot read"), "{err}");

    let broken =
        temp("broken.json", "{\"version\": 1,\n \"components\": [ {\"id\": \"x\", \"kind\": \"mainframe\"} ]}");
    let (code, _, err) = sim(&["run", &broken]);
    assert_eq!(code, 2);
    assert!(err.contains(&broken) && err.contains("line 2") && err.contains("mainframe"), "{err}");

    let newer = temp("newer.json", "{\"version\": 7}");
    let (code, _, err) = sim(&["run", &newer]);
    assert_eq!(code, 2);
    assert!(err.contains("version 7"), "{err}");

    let (code, _, _) = sim(&["run", &scenario("single-ec2.json"), "--duration", "soon"]);
    assert_eq!(code, 2);
}

#[test]
fn validate_prints_diagnostics_and_exits_1_on_errors() {
    let bad = temp(
        "invalid.json",
        r#"{"version":1,"components":[{"id":"u","kind":"client"},{"id":"w","kind":"ec2","vcpus":0}],
            "connections":[{"from":"u","to":"w"},{"from":"w","to":"ghost"}]}"#,
    );
    let (code, out, _) = sim(&["validate", &bad]);
    assert_eq!(code, 1);
    assert!(out.contains("unknown_reference") && out.contains("invalid_parameter"), "{out}");
    let (code, out, _) = sim(&["validate", &scenario("three-tier.json")]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn run_json_follows_the_documented_schema() {
    let (code, out, err) =
        sim(&["run", &scenario("single-ec2.json"), "--seed", "3", "--duration", "5s", "--json", "--series"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "strata.metrics.v1");
    assert_eq!(v["seed"], 3);
    assert_eq!(v["time_s"], 5.0);
    let web = &v["components"][0];
    assert_eq!(web["id"], "web");
    for key in [
        "arrivals",
        "completions",
        "errors",
        "in_flight",
        "latency",
        "utilization",
        "mean_queue_length",
        "by_request_type",
    ] {
        assert!(!web[key].is_null(), "missing {key}");
    }
    assert!(web["latency"]["p999_ms"].as_f64().is_some());
    assert_eq!(v["series"]["web"].as_array().unwrap().len(), 5);
    let (code, out, _) = sim(&["run", &scenario("single-ec2.json"), "--duration", "2s"]);
    assert_eq!(code, 0);
    assert!(out.contains("web") && out.contains("p99"), "{out}");
}

#[test]
fn absurd_durations_exit_2_instead_of_hanging() {
    let file = scenario("single-ec2.json");
    for d in ["99999999999999999999s", "31d", "721h", "1e30"] {
        let (code, out, err) = sim(&["run", &file, "--duration", d]);
        assert_eq!(code, 2, "--duration {d}: {out}{err}");
        assert!(err.contains("--duration") || err.contains(d), "{err}");
    }
    let (code, _, err) = sim(&["run", &file, "--duration", "721h"]);
    assert_eq!(code, 2);
    assert!(err.contains("30 days"), "{err}");
}

#[test]
fn warmup_not_shorter_than_duration_exits_2() {
    let file = scenario("single-ec2.json");
    for (w, d) in [("10s", "10s"), ("20s", "10s"), ("61s", "60s")] {
        let (code, _, err) = sim(&["run", &file, "--warmup", w, "--duration", d]);
        assert_eq!(code, 2, "--warmup {w} --duration {d}");
        assert!(err.contains("--warmup") && err.contains("shorter"), "{err}");
    }
    // The default duration is 60 s.
    let (code, _, _) = sim(&["run", &file, "--warmup", "90s"]);
    assert_eq!(code, 2);
    let (code, _, err) = sim(&["run", &file, "--warmup", "1s", "--duration", "2s"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn success_rate_is_undefined_until_a_request_is_answered() {
    // A population that sends nothing: no rate to report, neither 0 % nor 100 %.
    let idle = temp(
        "idle.json",
        r#"{"version":1,"components":[{"id":"u","kind":"client","arrival":{"pattern":"constant","rate_rps":0}},{"id":"w","kind":"ec2"}],
            "connections":[{"from":"u","to":"w"}]}"#,
    );
    let (code, out, err) = sim(&["run", &idle, "--duration", "2s", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let u = &v["clients"][0];
    assert_eq!(u["requests"], 0);
    assert!(u["success_rate"].is_null(), "{u}");
    let (code, out, _) = sim(&["run", &idle, "--duration", "2s"]);
    assert_eq!(code, 0);
    let row = out.lines().find(|l| l.starts_with("u ")).unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains('—') && !row.contains('%'), "{row}");
    // A busy one reports a number.
    let (_, out, _) = sim(&["run", &scenario("single-ec2.json"), "--duration", "5s", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rate = v["clients"][0]["success_rate"].as_f64().unwrap();
    assert!(rate > 0.99, "{rate}");
}

#[test]
fn run_journey_follows_one_request_hop_by_hop_without_changing_the_run() {
    // Request 1000 of slow-at-low-cpu-before waits in web's worker pool, then succeeds.
    let file = scenario("slow-at-low-cpu-before.json");
    let (code, out, err) = sim(&["run", &file, "--duration", "30s", "--json", "--journey", "1000"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hops = v["journey"].as_array().unwrap();
    assert!(hops.iter().all(|h| h["request"] == 1000), "{hops:?}");
    let path: Vec<(&str, &str)> =
        hops.iter().map(|h| (h["component"].as_str().unwrap(), h["event"].as_str().unwrap())).collect();
    assert_eq!(path.first(), Some(&("users", "arrive")));
    assert_eq!(path.last(), Some(&("users", "done")));
    assert!(path.contains(&("db", "done")), "{path:?}");
    assert!(hops.windows(2).all(|w| w[0]["time_ns"].as_u64() <= w[1]["time_ns"].as_u64()));
    // Sampling only observes: the same run as without it.
    let (_, plain, _) = sim(&["run", &file, "--duration", "30s", "--json"]);
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(v["trace_hash"], plain["trace_hash"]);
    // A failed request names the component, the instance and the cause in words: request 1407
    // is refused by web's full queue, and alb answers it with a 5xx.
    let (_, out, _) = sim(&["run", &file, "--duration", "30s", "--json", "--journey", "1407"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<&serde_json::Value> =
        v["journey"].as_array().unwrap().iter().filter(|h| h["event"] == "error").collect();
    let failed = errors.iter().find(|h| h["component"] == "web").expect("refused by web");
    assert_eq!(failed["cause"], "queue full");
    assert!(failed["instance"].is_u64() && failed["from"] == "alb", "{failed}");
    assert!(errors.iter().any(|h| h["component"] == "alb" && h["cause"] == "5xx from dependency"), "{errors:?}");
    let (_, text, _) = sim(&["run", &file, "--duration", "30s", "--journey", "#1407"]);
    assert!(text.contains("request #1407:") && text.contains(": queue full (called by alb)"), "{text}");
}

#[test]
fn compare_lines_up_two_designs_under_one_experiment_with_each_run_s_own_figures() {
    let (single, multi) = (scenario("az-outage-single-az.json"), scenario("az-outage-multi-az.json"));
    let common = ["--experiment", "lose-az1", "--duration", "15m", "--seed", "5", "--json"];
    let (code, out, err) = sim(&[&["compare", &single, &multi][..], &common].concat());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["a"]["experiment"], "lose-az1");
    let rows = v["comparison"]["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["figure"] == name).unwrap_or_else(|| panic!("{name}: {rows:?}"));
    // Each side's figures are exactly what `run` reports for that design, seed and experiment.
    for (side, path) in [("a", &single), ("b", &multi)] {
        let (code, run, err) =
            sim(&["run", path, "--experiment", "lose-az1", "--duration", "15m", "--seed", "5", "--json"]);
        assert_eq!(code, 0, "{err}");
        let r: serde_json::Value = serde_json::from_str(&run).unwrap();
        let availability = r["resilience"]["availability"].as_f64().unwrap() * 100.0;
        assert_eq!(row("availability")[side].as_f64().unwrap(), availability, "{side}");
        assert_eq!(row("users: requests")[side], r["clients"][0]["requests"].as_f64().unwrap());
        assert_eq!(row("users: p99 latency")[side], r["clients"][0]["latency"]["p99_ms"]);
        assert_eq!(row("cost of the run")[side], r["cost"]["accumulated"]);
    }
    // Multi-AZ rides through the outage the single-AZ design goes down for.
    let a = row("availability");
    assert!(a["b"].as_f64().unwrap() > a["a"].as_f64().unwrap() + 10.0, "{a}");
    assert_eq!(a["verdict"], "b");
    assert_eq!(row("users: errors")["verdict"], "b");
    assert_eq!(row("cost per hour now")["verdict"], "a", "two AZs cost more");

    // In words: a table with the verdict.
    let (code, text, _) =
        sim(&["compare", &single, &multi, "--experiment", "lose-az1", "--duration", "15m", "--seed", "5"]);
    assert_eq!(code, 0);
    let line = text.lines().find(|l| l.starts_with("availability")).unwrap();
    assert!(line.trim_end().ends_with(" B"), "{line}");
}

#[test]
fn compare_refuses_what_it_cannot_run_and_says_which_file() {
    let three = scenario("three-tier.json");
    let (code, _, err) = sim(&["compare", &three]);
    assert_eq!(code, 2);
    assert!(err.contains("two files"), "{err}");
    let (code, _, err) = sim(&["compare", &three, &scenario("az-outage-multi-az.json"), "--experiment-b", "lose-az9"]);
    assert_eq!(code, 2);
    assert!(err.contains("az-outage-multi-az.json") && err.contains("lose-az9") && err.contains("lose-az1"), "{err}");
    let (code, _, err) = sim(&["compare", &three, "/no/such.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such.json"), "{err}");
    // One design under two experiments: the same design, different runs.
    let multi = scenario("az-outage-multi-az.json");
    let (code, out, err) = sim(&[
        "compare",
        &multi,
        &multi,
        "--experiment-a",
        "lose-az1",
        "--experiment-b",
        "lose-az2",
        "--duration",
        "15m",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["comparison"]["rows"].as_array().unwrap();
    let availability = rows.iter().find(|r| r["figure"] == "availability").unwrap();
    // Losing the database primary's AZ costs the failover; losing the other AZ only detection.
    assert_eq!(availability["verdict"], "b", "{availability}");
}
