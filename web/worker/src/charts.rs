//! The charts beside a run: what to plot, read from the engine's time series (one point per
//! component per simulated second, the same points `strata-sim run --series` prints), over a
//! window that follows the run, and drawn as SVG with `plotters` here in the worker, so the page
//! only places the markup and never lays out a chart itself.
//!
//! Data and drawing are apart: [`charts`] picks the lines, the window and the scale (pure, tested
//! natively against the engine's series); [`render`] draws one with plotters. Drawing never
//! measures text (no caption, no legend, no right-hand axis: plotters would ask the DOM, which a
//! worker has not), so the page writes titles and legends itself.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use strata_core::sim::{ComponentIdx, ErrorCause, ObservationKind, ScalingAction, SeriesPoint, Simulation};
use strata_core::topology::{ComponentKind, Topology};

/// Simulated seconds a chart shows: the last five minutes of the run.
pub const WINDOW_S: f64 = 300.0;
/// Lines a per-component chart draws at most (the busiest components).
pub const MAX_LINES: usize = 5;

/// Which chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Client requests answered and failed per second.
    Throughput,
    /// Client requests failed per second, by cause.
    Failures,
    /// Client latency percentiles per second.
    Latency,
    /// Availability per minute against the objective.
    Availability,
    /// Busy share of the busiest components.
    Utilization,
    /// Queue length of the components that queue most.
    Queue,
    /// Instances in service per group, with scaling marked.
    Capacity,
    /// Lowest BurstBalance of each group's data volumes (designs with layers).
    BurstBalance,
    /// I/Os per second each group's data volumes served (designs with layers).
    DiskIops,
    /// How many of the first client population's successful requests took how long, since the
    /// run began (its x axis is latency, not time).
    LatencyHistogram,
}

impl ChartKind {
    /// Its title on the page.
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Throughput => "Requests per second",
            ChartKind::Failures => "Failures by cause",
            ChartKind::Latency => "Client latency",
            ChartKind::Availability => "Availability per minute",
            ChartKind::Utilization => "Busy share",
            ChartKind::Queue => "Queue length",
            ChartKind::Capacity => "Instances in service",
            ChartKind::BurstBalance => "EBS BurstBalance",
            ChartKind::DiskIops => "EBS IOPS",
            ChartKind::LatencyHistogram => "Latency distribution",
        }
    }

    /// The unit of its values, as the page writes it after a number.
    pub fn unit(self) -> &'static str {
        match self {
            ChartKind::Throughput | ChartKind::Failures => "/s",
            ChartKind::Latency => " ms",
            ChartKind::Availability | ChartKind::Utilization | ChartKind::BurstBalance => "%",
            ChartKind::Queue => " calls",
            ChartKind::Capacity => " instances",
            ChartKind::DiskIops => " IOPS",
            ChartKind::LatencyHistogram => " requests",
        }
    }

    /// Whether its x axis is simulated time (every chart but the latency distribution).
    pub fn over_time(self) -> bool {
        self != ChartKind::LatencyHistogram
    }
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// What it is, e.g. `users answered`.
    pub name: String,
    /// Palette index (the page and the drawing use the same colours).
    pub color: u8,
    /// (simulated s at the end of the bucket, value), oldest first.
    pub points: Vec<(f64, f64)>,
}

/// A moment marked on a chart's time axis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// Simulated s.
    pub t_s: f64,
    /// What happened.
    pub text: String,
    /// A fault (drawn red) rather than a scaling decision.
    pub fault: bool,
}

/// What one chart shows, before drawing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    /// Which chart.
    pub kind: ChartKind,
    /// Its lines.
    pub lines: Vec<Line>,
    /// Faults and scaling decisions in the window.
    pub marks: Vec<Mark>,
    /// The window, simulated s (the latency distribution: its first latency, ms).
    pub t0_s: f64,
    /// End of the window (the latency distribution: its last latency, ms).
    pub t1_s: f64,
    /// Top of the value axis (the bottom is 0).
    pub y_max: f64,
    /// A figure said beside the title (the availability chart's error budget), if any.
    pub note: Option<String>,
}

/// A drawn chart, as a frame carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Its data (the page reads hovered values from it).
    pub data: ChartData,
    /// The SVG markup.
    pub svg: String,
    /// The plotting area in the SVG's pixels: left, top, right, bottom.
    pub plot: [f64; 4],
}

/// How the page shows the charts: their size in CSS pixels and the theme.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// Width of one chart.
    pub width: u32,
    /// Height of one chart.
    pub height: u32,
    /// Dark theme.
    pub dark: bool,
}

/// The line colours, in palette order (chosen to read on light and dark backgrounds).
pub const PALETTE: [(u8, u8, u8); 6] =
    [(59, 130, 246), (239, 68, 68), (16, 185, 129), (245, 158, 11), (139, 92, 246), (236, 72, 153)];

/// The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) at or above `v`; 1 for
/// nothing to show.
pub fn nice_ceiling(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|&n| n >= v * (1.0 - 1e-12)).unwrap_or(10.0 * p)
}

fn line(name: String, color: usize, series: &[SeriesPoint], t0: f64, value: impl Fn(&SeriesPoint) -> f64) -> Line {
    Line {
        name,
        color: (color % PALETTE.len()) as u8,
        points: series.iter().filter(|p| p.t_s > t0).map(|p| (p.t_s, value(p))).collect(),
    }
}

/// Each chart of the run now. Charts with nothing to show in this design (BurstBalance without
/// layers) are left out; the others are always there, empty before the first second ends.
pub fn charts(sim: &Simulation, design: &Topology) -> Vec<ChartData> {
    let res_s = sim.series_resolution_s();
    // Points kept per component: the window, and the minute it starts in (availability is per
    // whole minute). Only the components a chart shows are copied; the others are only read.
    let keep = ((WINDOW_S + 60.0) / res_s).ceil() as usize + 1;
    let recent = |c: ComponentIdx| sim.series_recent(c, keep).copied().collect::<Vec<_>>();
    let all = || (0..sim.component_count()).map(|i| ComponentIdx(i as u32));
    let t1 = sim.series_recent(ComponentIdx(0), 1).next().map_or(0.0, |p| p.t_s);
    let (t0, t1) = ((t1 - WINDOW_S).max(0.0), t1.max(1.0));
    let is_client = |c: ComponentIdx| sim.component_kind(c) == ComponentKind::Client;
    let clients: Vec<(ComponentIdx, Vec<SeriesPoint>)> =
        all().filter(|&c| is_client(c)).map(|c| (c, recent(c))).collect();
    let servers: Vec<ComponentIdx> = all().filter(|&c| !is_client(c)).collect();
    let id = |c: ComponentIdx| sim.component_id(c).to_string();
    // The components with the largest peak of a figure in the window (at most MAX_LINES); those
    // whose figure stayed at 0 only when `zeros` (a group with no instance left is news, an
    // idle component's busy share is not).
    let top = |value: &dyn Fn(&SeriesPoint) -> f64, among: &mut dyn Iterator<Item = ComponentIdx>, zeros: bool| {
        let mut ranked: Vec<(f64, ComponentIdx)> = among
            .map(|c| (sim.series_recent(c, keep).filter(|p| p.t_s > t0).map(value).fold(0.0, f64::max), c))
            .filter(|(peak, _)| zeros || *peak > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1 .0.cmp(&b.1 .0)));
        ranked.into_iter().take(MAX_LINES).map(|(_, c)| (c, recent(c))).collect::<Vec<_>>()
    };

    let mut throughput = Vec::new();
    let mut latency = Vec::new();
    let mut failures = Vec::new();
    for (k, (c, s)) in clients.iter().enumerate() {
        // One line per cause seen in the window, from the buckets kept in step with the series.
        for (i, cause) in ErrorCause::ALL.iter().enumerate() {
            let points: Vec<(f64, f64)> = s
                .iter()
                .zip(sim.error_causes_recent(*c, keep))
                .filter(|(p, _)| p.t_s > t0)
                .map(|(p, b)| (p.t_s, f64::from(b[i]) / res_s))
                .collect();
            if points.iter().any(|p| p.1 > 0.0) {
                let color = (failures.len() % PALETTE.len()) as u8;
                failures.push(Line { name: format!("{} {}", id(*c), cause.name()), color, points });
            }
        }
        throughput.push(line(format!("{} answered", id(*c)), 2 * k, s, t0, |p| p.completions as f64 / res_s));
        throughput.push(line(format!("{} failed", id(*c)), 2 * k + 1, s, t0, |p| p.errors as f64 / res_s));
        if k < 2 {
            latency.push(line(format!("{} p50", id(*c)), 3 * k, s, t0, |p| p.p50_ms));
            latency.push(line(format!("{} p95", id(*c)), 3 * k + 3, s, t0, |p| p.p95_ms));
            latency.push(line(format!("{} p99", id(*c)), 3 * k + 1, s, t0, |p| p.p99_ms));
        }
    }
    let busiest = |value: &dyn Fn(&SeriesPoint) -> f64, scale: f64| -> Vec<Line> {
        top(value, &mut servers.iter().copied(), false)
            .iter()
            .enumerate()
            .map(|(k, (c, s))| line(id(*c), k, s, t0, |p| value(p) * scale))
            .collect()
    };
    let activities = sim.scaling_activities();
    let mut groups: Vec<Line> = Vec::new();
    let is_group = |c: &ComponentIdx| matches!(sim.component_kind(*c), ComponentKind::Asg | ComponentKind::Ec2);
    for (c, s) in top(&|p| f64::from(p.instances), &mut servers.iter().copied().filter(is_group), true) {
        let k = groups.len();
        groups.push(line(format!("{} in service", id(c)), k, &s, t0, |p| f64::from(p.instances)));
        if let Some(start) = desired_at_start(design, &id(c)) {
            // The capacity asked for: the design's, then each scaling decision's.
            let desired = |t: f64| {
                let latest = activities.iter().rev().find(|a| {
                    a.component == c
                        && matches!(a.action, ScalingAction::ScaleOut | ScalingAction::ScaleIn)
                        && a.time.0 as f64 / 1e9 <= t
                });
                latest.map_or(f64::from(start), |a| f64::from(a.desired))
            };
            groups.push(line(format!("{} desired", id(c)), k + 1, &s, t0, |p| desired(p.t_s)));
        }
    }
    // A figure only the layers give: a line per component that has it (at most MAX_LINES).
    let layered = |value: fn(&SeriesPoint) -> Option<f64>| -> Vec<Line> {
        servers
            .iter()
            .filter(|&&c| sim.series_recent(c, keep).any(|p| value(p).is_some()))
            .take(MAX_LINES)
            .enumerate()
            .map(|(k, &c)| line(id(c), k, &recent(c), t0, |p| value(p).unwrap_or(0.0)))
            .collect()
    };
    let iops = layered(|p| p.disk_iops);
    let burst = layered(|p| p.burst_balance_percent);

    let marks = marks(sim, t0, t1);
    let chart = |kind, lines: Vec<Line>, floor: f64| {
        let peak = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
        ChartData {
            kind,
            y_max: nice_ceiling(peak.max(floor)),
            lines,
            marks: marks.clone(),
            t0_s: t0,
            t1_s: t1,
            note: None,
        }
    };
    let mut out = vec![
        chart(ChartKind::Throughput, throughput, 1.0),
        chart(ChartKind::Failures, failures, 1.0),
        chart(ChartKind::Latency, latency, 1.0),
        availability(sim, &clients, design.slo.availability_percent, t0, t1, &marks),
        chart(ChartKind::Utilization, busiest(&|p| p.utilization, 100.0), 1.0),
        chart(ChartKind::Queue, busiest(&|p| p.mean_queue, 1.0), 1.0),
        chart(ChartKind::Capacity, groups, 1.0),
    ];
    out.push(histogram(sim, clients.first().map(|cs| cs.0)));
    if !burst.is_empty() {
        out.push(ChartData { y_max: 100.0, ..chart(ChartKind::BurstBalance, burst, 100.0) });
        out.push(chart(ChartKind::DiskIops, iops, 1.0));
    }
    out
}

/// Bars of the latency distribution.
pub const HISTOGRAM_BINS: usize = 30;

/// The first client population's successful requests by latency since the run began: 30 bars
/// of equal width from 0 to a nice number at or above its p99.9 (slower ones are left out).
fn histogram(sim: &Simulation, client: Option<ComponentIdx>) -> ChartData {
    let totals = client.and_then(|c| sim.client_totals().find(|t| t.id == sim.component_id(c)));
    let top = nice_ceiling(totals.map_or(0.0, |t| t.latency.p999_ms));
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS).map(|i| top * i as f64 / HISTOGRAM_BINS as f64).collect();
    let counts = client.map_or_else(Vec::new, |c| sim.latency_counts(c, &edges));
    let points: Vec<(f64, f64)> = edges[1..].iter().zip(&counts).map(|(&hi, &n)| (hi, n as f64)).collect();
    let peak = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let name = client.map_or_else(|| "requests".to_string(), |c| format!("{} requests", sim.component_id(c)));
    ChartData {
        kind: ChartKind::LatencyHistogram,
        y_max: nice_ceiling(peak),
        lines: if points.iter().any(|p| p.1 > 0.0) { vec![Line { name, color: 0, points }] } else { Vec::new() },
        marks: Vec::new(),
        t0_s: 0.0,
        t1_s: top,
        note: totals.map(|t| {
            format!(
                "p50 {:.1} ms · p99 {:.1} ms · p99.9 {:.1} ms",
                t.latency.p50_ms, t.latency.p99_ms, t.latency.p999_ms
            )
        }),
    }
}

/// A group's instances at the start, as the design asks (Auto Scaling's `desired`; 1 for EC2).
fn desired_at_start(design: &Topology, id: &str) -> Option<u32> {
    match &design.components.iter().find(|c| c.id == id)?.spec {
        strata_core::topology::ComponentSpec::Asg(a) => Some(a.desired),
        _ => None,
    }
}

/// Availability of the client requests answered in each whole minute of the window (the same
/// counts as the report's `availability_per_minute`), and the objective as a second line.
fn availability(
    sim: &Simulation,
    clients: &[(ComponentIdx, Vec<SeriesPoint>)],
    objective: f64,
    t0: f64,
    t1: f64,
    marks: &[Mark],
) -> ChartData {
    let mut minutes: Vec<(f64, u64, u64)> = Vec::new();
    for (_, s) in clients {
        // Every second of every minute that ends in the window, the first one's whole.
        let first_minute = (t0 / 60.0).floor() * 60.0;
        for p in s.iter().filter(|p| p.t_s > first_minute) {
            let start = ((p.t_s - 1e-9) / 60.0).floor() * 60.0;
            match minutes.iter_mut().find(|m| m.0 == start) {
                Some(m) => {
                    m.1 += p.completions;
                    m.2 += p.completions + p.errors;
                }
                None => minutes.push((start, p.completions, p.completions + p.errors)),
            }
        }
    }
    minutes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let points: Vec<(f64, f64)> = minutes
        .iter()
        .filter(|m| m.2 > 0 && m.0 + 60.0 > t0)
        .map(|m| ((m.0 + 60.0).min(t1), m.1 as f64 / m.2 as f64 * 100.0))
        .collect();
    let target = Line { name: "objective".into(), color: 1, points: vec![(t0, objective), (t1, objective)] };
    // The error budget over the whole run so far: failures over those the objective allows.
    let (ok, failed) = sim.client_totals().fold((0, 0), |(o, f), c| (o + c.successes, f + c.errors.total));
    let allowed = (1.0 - objective / 100.0) * (ok + failed) as f64;
    let note = (ok + failed > 0).then(|| {
        if allowed > 0.0 {
            format!(
                "error budget used {:.0}% ({failed} of {allowed:.1} failures allowed)",
                failed as f64 / allowed * 100.0
            )
        } else {
            format!("{failed} failures")
        }
    });
    ChartData {
        kind: ChartKind::Availability,
        lines: vec![Line { name: "availability".into(), color: 0, points }, target],
        marks: marks.to_vec(),
        t0_s: t0,
        t1_s: t1,
        y_max: 100.0,
        note,
    }
}

/// Faults (from the observation log) and scaling decisions inside the window.
fn marks(sim: &Simulation, t0: f64, t1: f64) -> Vec<Mark> {
    let inside = |t: f64| t > t0 && t <= t1;
    let mut out: Vec<Mark> = sim
        .observations()
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                ObservationKind::ActionStarted
                    | ObservationKind::ActionEnded
                    | ObservationKind::ZoneLost
                    | ObservationKind::ZoneBack
                    | ObservationKind::InstanceDied
                    | ObservationKind::Failover
            ) && inside(o.time_s)
        })
        .map(|o| Mark { t_s: o.time_s, text: o.text.clone(), fault: true })
        .collect();
    for a in sim.scaling_activities() {
        let t = a.time.0 as f64 / 1e9;
        let verb = match a.action {
            ScalingAction::ScaleOut => "scales out",
            ScalingAction::ScaleIn => "scales in",
            _ => continue,
        };
        if inside(t) {
            let text = format!("{} {verb} from {} to {}", sim.component_id(a.component), a.capacity_before, a.desired);
            out.push(Mark { t_s: t, text, fault: false });
        }
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out
}

/// Draws a chart as SVG.
pub fn render(d: &ChartData, view: ChartView) -> Result<Chart, String> {
    let (fg, grid, bg) = if view.dark {
        (RGBColor(203, 213, 225), RGBColor(51, 65, 85), RGBColor(15, 23, 42))
    } else {
        (RGBColor(71, 85, 105), RGBColor(226, 232, 240), RGBColor(255, 255, 255))
    };
    let mut svg = String::new();
    let plot;
    {
        let root = SVGBackend::with_string(&mut svg, (view.width.max(120), view.height.max(80))).into_drawing_area();
        root.fill(&bg).map_err(|e| e.to_string())?;
        // The right margin leaves room for the last time label, centred on the plot's edge.
        let mut chart = ChartBuilder::on(&root)
            .margin(6)
            .margin_right(18)
            .x_label_area_size(20)
            .y_label_area_size(44)
            .build_cartesian_2d(d.t0_s..d.t1_s, 0.0..d.y_max)
            .map_err(|e| e.to_string())?;
        let unit = d.kind.unit().trim();
        chart
            .configure_mesh()
            .x_labels(5)
            .y_labels(4)
            .light_line_style(bg)
            .bold_line_style(grid)
            .axis_style(grid)
            .label_style(("sans-serif", 11).into_font().color(&fg))
            .x_label_formatter(&|t| if d.kind.over_time() { clock(*t) } else { format!("{} ms", short(*t)) })
            .y_label_formatter(&|v| if unit == "%" { format!("{v:.0}%") } else { short(*v) })
            .draw()
            .map_err(|e| e.to_string())?;
        for m in &d.marks {
            let color = if m.fault { RGBColor(239, 68, 68) } else { RGBColor(148, 163, 184) };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.t_s, 0.0), (m.t_s, d.y_max)],
                    color.stroke_width(1),
                )))
                .map_err(|e| e.to_string())?;
        }
        for l in &d.lines {
            let (r, g, b) = PALETTE[l.color as usize % PALETTE.len()];
            if d.kind.over_time() {
                let style = RGBColor(r, g, b).stroke_width(2);
                chart.draw_series(LineSeries::new(l.points.iter().copied(), style)).map_err(|e| e.to_string())?;
            } else {
                // Bars: each point is a bar's right edge and height.
                let width = (d.t1_s - d.t0_s) / HISTOGRAM_BINS as f64;
                let bars = l
                    .points
                    .iter()
                    .map(|&(hi, n)| Rectangle::new([(hi - width, 0.0), (hi, n)], RGBColor(r, g, b).filled()));
                chart.draw_series(bars).map_err(|e| e.to_string())?;
            }
        }
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        plot = [f64::from(xs.start), f64::from(ys.start), f64::from(xs.end), f64::from(ys.end)];
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(Chart { data: d.clone(), svg, plot })
}

/// Simulated seconds as `m:ss` (or `h:mm:ss`).
pub fn clock(t_s: f64) -> String {
    let s = t_s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// An axis value, short: `1.5k`, `250`, `0.5`.
fn short(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
