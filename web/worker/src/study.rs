//! Studies beside the live run: work that simulates whole runs to an end rather than playing one,
//! with progress and cancel. Two exist:
//! - an A/B comparison: two designs (or one design under two experiments) run with the same seed
//!   and length, their figures lined up by [`strata_core::compare`] with the differences marked,
//!   and charts of both over the whole run;
//! - the resilience report card: [`strata_core::assess`]'s battery, a run per disruption, graded
//!   by disruption type, each row replayable as a live run.
//!
//! A [`Study`] works in slices of wall time ([`Study::work`]), so the worker stays responsive
//! (a cancel, the live run's commands) while it runs; it is pure and tested natively. The result
//! is put into words here ([`StudyView`]: sections of the drill-down's shape, and drawn charts),
//! so the page only lays it out.

use serde::{Deserialize, Serialize};
use strata_core::assess::{self, Assessor};
use strata_core::compare::{compare, Comparison};
use strata_core::sim::{ComponentIdx, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::{ComponentKind, Topology};

use crate::charts::{nice_ceiling, render, ChartData, ChartKind, ChartView, Line};
use crate::drill::{Section, Table};
use crate::html::{body, Marked};
use crate::session::prepare;

/// Events one step of a comparison processes before the clock is read again.
const CHUNK: u64 = 4_000;
/// Simulated time one step of the report card advances before the clock is read again.
const ASSESS_STEP: Duration = Duration::from_millis(250);

/// One side of a comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// How the page names it, e.g. `this design` or a template's title.
    pub label: String,
    /// The design, a topology document as JSON.
    pub design: String,
    /// The design's experiment to play, by name.
    pub experiment: Option<String>,
}

/// What to study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StudyJob {
    /// Two runs side by side with the same seed and length.
    Compare {
        /// A.
        a: Side,
        /// B.
        b: Side,
        /// The seed both run with.
        seed: u64,
        /// How long both run, simulated s.
        duration_s: f64,
    },
    /// The resilience battery against one design.
    Assess {
        /// The design, a topology document as JSON.
        design: String,
        /// The seed every run uses.
        seed: u64,
    },
}

/// A row of the report card replayed as a live run: the design as the battery ran it (with its
/// disruption as the experiment `assessment`, or its traffic spiked) and how long.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The row's disruption, e.g. `lose an availability zone`.
    pub label: String,
    /// The design, a topology document as JSON.
    pub design: String,
    /// Its experiment to play.
    pub experiment: Option<String>,
    /// The seed the card used.
    pub seed: u64,
    /// The battery's run length, s.
    pub duration_s: f64,
}

/// A finished study as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyView {
    /// E.g. `A/B: this design vs Multi-AZ`.
    pub title: String,
    /// One line under it (seed, length, how many figures differ).
    pub subtitle: String,
    /// The engine's result as JSON, exactly (a `Comparison` or an `Assessment`), for scripts.
    pub result_json: String,
    /// The body as HTML, written (and escaped) here from `sections`, `charts` and `replays`:
    /// the page places it as it is. A row offered as a live run has a button that carries its
    /// [`Replay`] (`data-replay` and the fields as `data-*`: see [`crate::html`]).
    pub html: String,
    /// Rows offered as live runs (not sent: their buttons in `html` carry them).
    #[serde(skip)]
    pub replays: Vec<Replay>,
    /// What the body shows, structured (not sent: the page shows `html`).
    #[serde(skip)]
    pub sections: Vec<Section>,
    /// The charts in the body (not sent: their SVG is in `html`).
    #[serde(skip)]
    pub charts: Vec<Result<crate::charts::Chart, String>>,
}

/// Which study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudyKind {
    /// Two runs side by side.
    Compare,
    /// The resilience report card.
    Assess,
}

impl StudyJob {
    /// Which study it is.
    pub fn kind(&self) -> StudyKind {
        match self {
            StudyJob::Compare { .. } => StudyKind::Compare,
            StudyJob::Assess { .. } => StudyKind::Assess,
        }
    }
}

/// Where a study stands, as the worker posts it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyUpdate {
    /// The study's number, as the page gave it.
    pub id: u32,
    /// Which study it is.
    pub kind: StudyKind,
    /// Done, 0 to 1.
    pub progress: f64,
    /// What it is doing, e.g. `run 3 of 8: lose an availability zone`.
    pub doing: String,
    /// The result once finished (`Err`: why it could not be done).
    pub result: Option<Result<StudyView, String>>,
}

struct Pair {
    labels: [String; 2],
    experiments: [Option<String>; 2],
    designs: [Topology; 2],
    sims: [Simulation; 2],
    end: SimTime,
}

enum Job {
    Compare(Box<Pair>),
    Assess(Box<Assessor>, u64),
}

/// A study under way.
pub struct Study {
    id: u32,
    kind: StudyKind,
    job: Job,
    view: ChartView,
}

impl std::fmt::Debug for Study {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Study").field("id", &self.id).finish_non_exhaustive()
    }
}

impl Study {
    /// Sets a study up (reads and checks its designs), or says why it cannot run. Its charts are
    /// drawn at `view`.
    pub fn start(id: u32, job: StudyJob, view: ChartView) -> Result<Study, String> {
        let kind = job.kind();
        let job = match job {
            StudyJob::Compare { a, b, seed, duration_s } => {
                let side = |s: &Side| {
                    prepare(&s.design, seed, &s.experiment, duration_s).map_err(|e| format!("{}: {e}", s.label))
                };
                let ((ta, sa), (tb, sb)) = (side(&a)?, side(&b)?);
                Job::Compare(Box::new(Pair {
                    labels: [a.label, b.label],
                    experiments: [a.experiment, b.experiment],
                    designs: [ta, tb],
                    sims: [sa, sb],
                    end: SimTime((duration_s * 1e9).round() as u64),
                }))
            }
            StudyJob::Assess { design, seed } => {
                let (t, _) = prepare(&design, seed, &None, assess::RUN_S)?;
                Job::Assess(Box::new(Assessor::new(&t, seed).map_err(|e| e.to_string())?), seed)
            }
        };
        Ok(Study { id, kind, job, view })
    }

    /// Its number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Works for up to `slice_ms` of wall time (read through `clock`, ms), then says where it
    /// stands; the update carries the result once the study is done.
    pub fn work(&mut self, clock: &mut dyn FnMut() -> f64, slice_ms: f64) -> StudyUpdate {
        let started = clock();
        let done = match &mut self.job {
            Job::Compare(p) => loop {
                let Some(sim) = p.sims.iter_mut().find(|s| s.now() < p.end) else { break true };
                sim.step_until_budget(p.end, CHUNK);
                if clock() - started >= slice_ms {
                    break p.sims.iter().all(|s| s.now() >= p.end);
                }
            },
            Job::Assess(a, _) => loop {
                match a.advance(ASSESS_STEP) {
                    Ok(true) => break true,
                    Ok(false) if clock() - started >= slice_ms => break false,
                    Ok(false) => {}
                    Err(e) => return self.update(Some(Err(e.to_string()))),
                }
            },
        };
        let result = done.then(|| Ok(self.present()));
        self.update(result)
    }

    fn update(&self, result: Option<Result<StudyView, String>>) -> StudyUpdate {
        let (progress, doing) = match &self.job {
            Job::Compare(p) => {
                let end = p.end.0.max(1) as f64;
                let [a, b] = [&p.sims[0], &p.sims[1]].map(|s| s.now().0.min(p.end.0) as f64 / end);
                let which = if a < 1.0 { &p.labels[0] } else { &p.labels[1] };
                ((a + b) / 2.0, format!("simulating {which}"))
            }
            Job::Assess(a, _) => {
                let runs = a.runs();
                let doing = match a.running() {
                    Some(r) => {
                        let n = runs.iter().position(|x| std::ptr::eq(x, r)).map_or(0, |i| i + 1);
                        format!("run {n} of {}: {}", runs.len(), r.scenario)
                    }
                    None => "grading".into(),
                };
                (a.progress(), doing)
            }
        };
        let progress = if matches!(result, Some(Ok(_))) { 1.0 } else { progress };
        StudyUpdate { id: self.id, kind: self.kind, progress, doing, result }
    }

    fn present(&self) -> StudyView {
        match &self.job {
            Job::Compare(p) => present_comparison(p, self.view),
            Job::Assess(a, seed) => present_card(a, *seed),
        }
    }
}

fn present_comparison(p: &Pair, view: ChartView) -> StudyView {
    let c = compare(&p.sims[0].report(), &p.sims[1].report());
    let (wins_a, wins_b) = c.wins();
    let named = |i: usize| match &p.experiments[i] {
        Some(e) => format!("{} (experiment {e})", p.labels[i]),
        None => p.labels[i].clone(),
    };
    let table = Table {
        head: ["figure", "A", "B", "B − A", "better"].map(String::from).to_vec(),
        rows: c
            .rows
            .iter()
            .map(|r| {
                let cells = vec![
                    r.figure.clone(),
                    r.unit.format(r.a),
                    r.unit.format(r.b),
                    r.delta_text(),
                    r.verdict.label().to_string(),
                ];
                (cells, r.verdict != strata_core::compare::Verdict::Same)
            })
            .collect(),
        actions: Vec::new(),
    };
    let figures = Section {
        key: "figures".into(),
        title: "Figures".into(),
        lines: vec![format!("A: {}", named(0)), format!("B: {}", named(1))],
        table: Some(table),
        folded: false,
        bad: false,
    };
    let charts: Vec<_> = comparison_charts(p, &c).iter().map(|d| render(d, view)).collect();
    let sections = vec![figures];
    StudyView {
        html: body(&sections, Marked::Differs, &charts, &[]),
        title: format!("A/B: {} vs {}", p.labels[0], p.labels[1]),
        subtitle: format!(
            "Seed {}, {:.0} s simulated each · {} figure{} differ: A better on {wins_a}, B better on {wins_b}",
            c.seed,
            c.time_s,
            c.differences().count(),
            if c.differences().count() == 1 { "" } else { "s" }
        ),
        result_json: serde_json::to_string(&c).unwrap_or_default(),
        sections,
        charts,
        replays: Vec::new(),
    }
}

/// Both runs over their whole length: availability per minute, answered requests per second
/// and p95 latency of every client population together (the sides' first population for
/// latency), A and B as two lines of each chart.
fn comparison_charts(p: &Pair, c: &Comparison) -> Vec<ChartData> {
    let t1 = c.time_s.max(1.0);
    let res_s = p.sims[0].series_resolution_s();
    let series = [Second::of(&p.sims[0]), Second::of(&p.sims[1])];
    let minutes = |s: &[Second]| -> Points {
        // (start of the minute, answered, all) per whole minute.
        let mut m: Vec<(f64, u64, u64)> = Vec::new();
        for x in s {
            let start = ((x.t_s - 1e-9) / 60.0).floor() * 60.0;
            match m.last_mut() {
                Some(last) if last.0 == start => {
                    last.1 += x.answered;
                    last.2 += x.answered + x.failed;
                }
                _ => m.push((start, x.answered, x.answered + x.failed)),
            }
        }
        m.into_iter().filter(|x| x.2 > 0).map(|x| ((x.0 + 60.0).min(t1), x.1 as f64 / x.2 as f64 * 100.0)).collect()
    };
    let two = |name: &str, f: &dyn Fn(&[Second]) -> Points| -> Vec<Line> {
        ["A", "B"]
            .iter()
            .zip(&series)
            .enumerate()
            .map(|(k, (side, s))| Line { name: format!("{side} {name}"), color: (2 * k) as u8, points: f(s) })
            .collect()
    };
    let chart = |kind, lines: Vec<Line>, y_max: Option<f64>| {
        let peak = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
        ChartData {
            kind,
            y_max: y_max.unwrap_or_else(|| nice_ceiling(peak.max(1.0))),
            lines,
            marks: Vec::new(),
            t0_s: 0.0,
            t1_s: t1,
            note: None,
        }
    };
    let objective = p.designs[0].slo.availability_percent;
    let mut availability = two("availability", &minutes);
    availability.push(Line { name: "objective".into(), color: 1, points: vec![(0.0, objective), (t1, objective)] });
    vec![
        chart(ChartKind::Availability, availability, Some(100.0)),
        chart(
            ChartKind::Throughput,
            two("answered", &|s| s.iter().map(|x| (x.t_s, x.answered as f64 / res_s)).collect()),
            None,
        ),
        chart(
            ChartKind::Latency,
            two("p95", &|s| s.iter().filter(|x| x.answered > 0).map(|x| (x.t_s, x.p95_ms)).collect()),
            None,
        ),
    ]
}

/// A line's points: (simulated s, value).
type Points = Vec<(f64, f64)>;

/// One point of a run's series, every client population together.
struct Second {
    /// End of the bucket, simulated s.
    t_s: f64,
    /// Client requests answered successfully in it.
    answered: u64,
    /// Client requests failed in it.
    failed: u64,
    /// The first population's p95 latency in it, ms.
    p95_ms: f64,
}

impl Second {
    /// The whole run's points.
    fn of(sim: &Simulation) -> Vec<Second> {
        let clients = (0..sim.component_count() as u32)
            .map(ComponentIdx)
            .filter(|&i| sim.component_kind(i) == ComponentKind::Client);
        let mut out: Vec<Second> = Vec::new();
        for (k, client) in clients.enumerate() {
            for (j, s) in sim.series_recent(client, usize::MAX).enumerate() {
                if out.len() <= j {
                    out.push(Second { t_s: s.t_s, answered: 0, failed: 0, p95_ms: 0.0 });
                }
                out[j].answered += s.completions;
                out[j].failed += s.errors;
                if k == 0 {
                    out[j].p95_ms = s.p95_ms;
                }
            }
        }
        out
    }
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |a| format!("{:.3}%", a * 100.0))
}

fn opt_s(v: Option<f64>) -> String {
    v.map_or("—".into(), |s| format!("{s:.0} s"))
}

fn present_card(a: &Assessor, seed: u64) -> StudyView {
    // Graded from the finished runs (the assessor keeps them).
    let card = a.card();
    let runs = &a.runs()[1..];
    let replays: Vec<Replay> = runs
        .iter()
        .map(|r| Replay {
            label: r.scenario.to_string(),
            design: r.design.to_json(),
            experiment: r.experiment.clone(),
            seed,
            duration_s: assess::RUN_S,
        })
        .collect();
    let mut sections: Vec<Section> = card
        .grades
        .iter()
        .map(|g| {
            let of: Vec<(usize, &assess::CardRow)> =
                card.rows.iter().enumerate().filter(|(_, r)| r.disruption == g.disruption).collect();
            let kind = g.disruption.label();
            Section {
                key: kind.to_lowercase(),
                title: format!(
                    "{kind}: worst availability {}, worst RTO {}, worst RPO {} · {}",
                    opt_pct(g.availability),
                    opt_s(g.rto_s),
                    g.rpo_s.map_or("data lost".into(), |v| format!("{v:.0} s")),
                    if g.meets_slo { "meets the SLO" } else { "misses the SLO" }
                ),
                lines: of.iter().map(|(_, r)| format!("RPO of {}: {}", r.scenario, r.rpo_basis)).collect(),
                table: Some(Table {
                    head: ["disruption", "target", "availability", "detect", "RTO", "RPO", "failed"]
                        .map(String::from)
                        .to_vec(),
                    rows: of
                        .iter()
                        .map(|(_, r)| {
                            let cells = vec![
                                r.scenario.clone(),
                                r.target.clone(),
                                opt_pct(r.availability),
                                opt_s(r.time_to_detect_s),
                                opt_s(r.rto_s),
                                r.rpo_s.map_or("lost".to_string(), |v| format!("{v:.0} s")),
                                r.requests_failed.to_string(),
                            ];
                            (cells, !r.meets_slo)
                        })
                        .collect(),
                    actions: of.iter().map(|(i, _)| Some(*i as u32)).collect(),
                }),
                folded: false,
                bad: !g.meets_slo,
            }
        })
        .collect();
    if !card.skipped.is_empty() {
        sections.push(Section {
            key: "skipped".into(),
            title: format!("Not run ({})", card.skipped.len()),
            lines: card.skipped.clone(),
            table: None,
            folded: false,
            bad: false,
        });
    }
    StudyView {
        title: format!("Resilience report card: {}", if card.design.is_empty() { "this design" } else { &card.design }),
        subtitle: format!(
            "Seed {seed}, SLO {:.3}%, baseline availability {} · each disruption at {:.0} s of a {:.0} s run",
            card.slo * 100.0,
            opt_pct(card.baseline_availability),
            assess::FAULT_AT_S,
            assess::RUN_S
        ),
        result_json: serde_json::to_string(&card).unwrap_or_default(),
        html: body(&sections, Marked::Misses, &[], &replays),
        sections,
        charts: Vec::new(),
        replays,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::sim::SimConfig;

    fn design(name: &str) -> String {
        std::fs::read_to_string(format!("{}/../../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    const VIEW: ChartView = ChartView { width: 380, height: 150, dark: false };

    /// Works a study to its end on a clock that moves 1 ms per reading, checking that progress
    /// only grows and stays within 0..1; returns the result and how many slices it took.
    fn finish(mut s: Study) -> (Result<StudyView, String>, usize) {
        let mut t = 0.0;
        let mut clock = move || {
            t += 1.0;
            t
        };
        let mut last = 0.0;
        for slices in 1..100_000 {
            let u = s.work(&mut clock, 12.0);
            assert!((last..=1.0).contains(&u.progress), "progress {} after {last}", u.progress);
            last = u.progress;
            if let Some(r) = u.result {
                return (r, slices);
            }
        }
        panic!("the study never finished");
    }

    fn report(name: &str, experiment: &str, duration_s: u64) -> strata_core::sim::Report {
        let t = Topology::from_json(&design(name)).unwrap();
        let mut sim =
            Simulation::new(&t, SimConfig { experiment: Some(experiment.into()), ..SimConfig::with_seed(3) }).unwrap();
        sim.step_until(SimTime::from_secs(duration_s));
        sim.report()
    }

    #[test]
    fn an_ab_study_in_slices_equals_the_engine_comparing_both_runs_whole() {
        let side = |label: &str, name: &str| Side {
            label: label.into(),
            design: design(name),
            experiment: Some("lose-az1".into()),
        };
        let job = StudyJob::Compare {
            a: side("single AZ", "az-outage-single-az"),
            b: side("Multi-AZ", "az-outage-multi-az"),
            seed: 3,
            duration_s: 600.0,
        };
        let (view, slices) = finish(Study::start(7, job, VIEW).unwrap());
        let view = view.unwrap();
        assert!(slices > 10, "worked in slices, not at once ({slices})");
        let (a, b) = (report("az-outage-single-az", "lose-az1", 600), report("az-outage-multi-az", "lose-az1", 600));
        let c = compare(&a, &b);
        assert_eq!(view.result_json, serde_json::to_string(&c).unwrap());
        let availability = c.row("availability").unwrap();
        assert_eq!(availability.verdict, strata_core::compare::Verdict::B, "Multi-AZ rides through the outage");
        // The table says what the engine says, with the differences marked.
        let table = view.sections[0].table.as_ref().unwrap();
        assert_eq!(table.rows.len(), c.rows.len());
        for ((cells, marked), r) in table.rows.iter().zip(&c.rows) {
            assert_eq!(cells[1], r.unit.format(r.a));
            assert_eq!(cells[2], r.unit.format(r.b));
            assert_eq!(*marked, r.verdict != strata_core::compare::Verdict::Same, "{}", r.figure);
        }
        // Charts of both whole runs: each side's answered requests per second add up to its
        // successes, and its minutes of availability are the report's.
        assert_eq!(view.charts.len(), 3);
        let chart = |k: ChartKind| view.charts.iter().flatten().find(|c| c.data.kind == k).unwrap();
        let throughput = chart(ChartKind::Throughput);
        for (line, r) in throughput.data.lines.iter().zip([&a, &b]) {
            let answered: f64 = line.points.iter().map(|p| p.1).sum();
            assert_eq!(answered.round() as u64, r.clients[0].successes);
        }
        let per_minute = chart(ChartKind::Availability);
        for (line, r) in per_minute.data.lines.iter().zip([&a, &b]) {
            let expected: Vec<f64> =
                r.resilience.availability_per_minute.iter().filter_map(|m| m.availability).map(|x| x * 100.0).collect();
            let drawn: Vec<f64> = line.points.iter().map(|p| p.1).collect();
            assert_eq!(drawn.len(), expected.len(), "{}", line.name);
            for (d, e) in drawn.iter().zip(&expected) {
                assert!((d - e).abs() < 1e-9, "{} {d} vs {e}", line.name);
            }
        }
        assert!(per_minute.data.lines[0].points.iter().any(|p| p.1 < 60.0), "A's outage shows");
    }

    #[test]
    fn a_study_of_a_design_that_cannot_run_says_why() {
        let bad = StudyJob::Compare {
            a: Side { label: "this design".into(), design: "{".into(), experiment: None },
            b: Side { label: "B".into(), design: design("three-tier"), experiment: None },
            seed: 1,
            duration_s: 60.0,
        };
        let why = Study::start(1, bad, VIEW).unwrap_err();
        assert!(why.starts_with("this design: The design could not be read"), "{why}");
        let missing = StudyJob::Compare {
            a: Side { label: "A".into(), design: design("three-tier"), experiment: Some("nope".into()) },
            b: Side { label: "B".into(), design: design("three-tier"), experiment: None },
            seed: 1,
            duration_s: 60.0,
        };
        assert!(Study::start(1, missing, VIEW).unwrap_err().contains("nope"));
        let long = StudyJob::Compare {
            a: Side { label: "A".into(), design: design("three-tier"), experiment: None },
            b: Side { label: "B".into(), design: design("three-tier"), experiment: None },
            seed: 1,
            duration_s: f64::NAN,
        };
        assert!(Study::start(1, long, VIEW).unwrap_err().contains("A run lasts"));
    }

    #[test]
    fn the_report_card_is_graded_by_disruption_type_with_every_row_replayable() {
        // (That the battery in slices equals it at once is the core's test; the browser's card
        // equals `strata-sim assess` in the end-to-end tests.)
        let job = StudyJob::Assess { design: design("az-outage-multi-az"), seed: 1 };
        let (view, _) = finish(Study::start(2, job, VIEW).unwrap());
        let view = view.unwrap();
        let card: serde_json::Value = serde_json::from_str(&view.result_json).unwrap();
        let rows = card["rows"].as_array().unwrap();
        let keys: Vec<&str> = view.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["software", "hardware", "az", "region"], "every disruption type, graded");
        // Every row is offered as a replay: the design as the battery ran it.
        assert_eq!(view.replays.len(), rows.len());
        let mut offered = 0;
        for s in &view.sections {
            let table = s.table.as_ref().unwrap();
            for ((cells, marked), action) in table.rows.iter().zip(&table.actions) {
                let i = action.unwrap() as usize;
                let (row, replay) = (&rows[i], &view.replays[i]);
                assert_eq!(cells[0], row["scenario"].as_str().unwrap());
                assert_eq!(*marked, !row["meets_slo"].as_bool().unwrap());
                assert_eq!(replay.label, cells[0]);
                let replayed = Topology::from_json(&replay.design).unwrap();
                if let Some(kind) = row["action"].as_str() {
                    let e = replayed.experiment(replay.experiment.as_deref().unwrap()).unwrap();
                    assert_eq!(serde_json::to_value(e.actions[0].action).unwrap(), kind);
                    assert_eq!(e.actions[0].start_s, assess::FAULT_AT_S);
                }
                offered += 1;
            }
        }
        assert_eq!(offered, rows.len());
        assert!(view.html.contains("data-replay") && view.html.contains("Software:"));
    }
}
