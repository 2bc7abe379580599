//! The charts beside a run, in a drawer over the bottom of the canvas. The worker draws them (SVG,
//! with plotters) twice a second while time passes and whenever it stops; the page places the
//! markup, writes the titles and legends, and reads a hovered value from the chart's own data:
//! the engine's series point at that second. Clicking a chart seeks the run there; each chart
//! saves as SVG or PNG.

use leptos::prelude::*;
use strata_worker::charts::{clock, Chart, ChartKind, ChartView, HISTOGRAM_BINS, PALETTE};
use strata_worker::html::escape;
use strata_worker::protocol::Command;

use crate::js;
use crate::live::client::use_live;
use crate::theme::use_theme;

/// One chart's size, CSS px (the worker draws at exactly this size).
const CHART_W: u32 = 380;
const CHART_H: u32 = 150;

/// Whether the page shows its dark theme now (pinned, or the system's).
fn dark() -> bool {
    let window = web_sys::window();
    let pinned = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"));
    match pinned.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => window
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// The size and theme the worker draws charts at now.
pub fn chart_size_and_theme() -> ChartView {
    ChartView { width: CHART_W, height: CHART_H, dark: dark() }
}

/// Opens or closes the charts: the worker draws them (at this theme) only while they show.
pub fn show_charts(open: bool) {
    let live = use_live();
    live.charts_open.set(open);
    live.send(Command::Charts { view: open.then(chart_size_and_theme) });
}

/// One line's value at a hovered second.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The line's name.
    pub name: String,
    /// Its palette colour.
    pub color: u8,
    /// Its value there.
    pub value: f64,
}

/// The second nearest `t_s` that has a point, and each line's value there.
pub fn values_at(chart: &Chart, t_s: f64) -> Option<(f64, Vec<Reading>)> {
    let mut at = None;
    let mut values = Vec::new();
    for l in &chart.data.lines {
        let nearest = if chart.data.kind.over_time() {
            l.points.iter().min_by(|a, b| (a.0 - t_s).abs().total_cmp(&(b.0 - t_s).abs()))
        } else {
            // A bar of the distribution: the one whose span holds the point (its right edge).
            l.points.iter().find(|p| p.0 >= t_s).or(l.points.last())
        };
        if let Some(&(t, value)) = nearest {
            at.get_or_insert(t);
            values.push(Reading { name: l.name.clone(), color: l.color, value });
        }
    }
    at.map(|t| (t, values))
}

/// The simulated second under a point of the chart (SVG px), inside its plotting area.
pub fn time_at(chart: &Chart, x: f64) -> Option<f64> {
    let [x0, _, x1, _] = chart.plot;
    if x1 <= x0 || x < x0 || x > x1 {
        return None;
    }
    Some(chart.data.t0_s + (x - x0) / (x1 - x0) * (chart.data.t1_s - chart.data.t0_s))
}

fn kind_name(k: ChartKind) -> &'static str {
    match k {
        ChartKind::Throughput => "throughput",
        ChartKind::Failures => "failures",
        ChartKind::Latency => "latency",
        ChartKind::Availability => "availability",
        ChartKind::Utilization => "utilization",
        ChartKind::Queue => "queue",
        ChartKind::Capacity => "capacity",
        ChartKind::BurstBalance => "burst-balance",
        ChartKind::DiskIops => "disk-iops",
        ChartKind::LatencyHistogram => "latency-histogram",
    }
}

fn swatch(color: u8) -> String {
    let (r, g, b) = PALETTE[color as usize % PALETTE.len()];
    format!("background:rgb({r},{g},{b})")
}

/// A value with its chart's unit, e.g. `297/s`, `41.52 ms`, `99.912%`.
fn with_unit(kind: ChartKind, v: f64) -> String {
    let number = match kind {
        ChartKind::Latency => format!("{v:.2}"),
        ChartKind::Availability => format!("{v:.3}"),
        ChartKind::Utilization | ChartKind::BurstBalance | ChartKind::Queue => format!("{v:.1}"),
        ChartKind::Throughput
        | ChartKind::Failures
        | ChartKind::Capacity
        | ChartKind::DiskIops
        | ChartKind::LatencyHistogram => format!("{v:.0}"),
    };
    format!("{number}{}", kind.unit())
}

/// The drawer with every chart.
#[component]
pub fn ChartsPanel() -> impl IntoView {
    let live = use_live();
    let open = live.charts_open;
    let theme = use_theme();
    // Drawn again at the new theme while open.
    Effect::new(move |first: Option<()>| {
        theme.0.track();
        if first.is_some() && open.get_untracked() {
            show_charts(true);
        }
    });
    move || {
        open.get().then(|| {
            view! {
                <section class="charts" data-testid="charts" aria-label="Charts of the run">
                    <header class="charts-head">
                        <h2 class="panel-title">"Charts"</h2>
                        <span class="charts-note">"Last 5 simulated minutes · hover for values · click to go to that time"</span>
                        <button class="icon-btn" title="Close the charts" aria-label="Close the charts" on:click=move |_| show_charts(false)>"×"</button>
                    </header>
                    <ChartsGrid/>
                </section>
            }
        })
    }
}

/// A chart as drawn by the worker, or why it could not be.
type Drawn = Result<Chart, String>;

/// The charts, each in its own slot. The worker sends every chart at once; the slots take them
/// one per display frame (eight in about 130 ms, against a new set every 500 ms), so placing
/// the SVGs never costs a frame more than one chart's markup (all eight in one task took 15 to
/// 20 ms on top of a live frame, and dropped frames twice a second).
#[component]
fn ChartsGrid() -> impl IntoView {
    let live = use_live();
    let hover: RwSignal<Option<(ChartKind, f64)>> = RwSignal::new(None);
    // Reference-counted: made in the effect below, they outlive its run.
    let slots: RwSignal<Vec<ArcRwSignal<Drawn>>> = RwSignal::new(Vec::new());
    // Which chart each slot shows (or why it could not be drawn), to tell a new set of charts
    // from news.
    let kinds: StoredValue<Vec<Result<ChartKind, String>>> = StoredValue::new(Vec::new());
    // The newest set, by slot: `Some` until that slot shows it.
    let pending: StoredValue<Vec<Option<Drawn>>> = StoredValue::new(Vec::new());
    let applying = StoredValue::new(false);
    Effect::new(move |_| {
        let charts = live.charts.get();
        let now: Vec<_> = charts.iter().map(|d| d.as_ref().map(|c| c.data.kind).map_err(Clone::clone)).collect();
        if kinds.with_value(|k| *k != now) {
            // A new set of charts (a new run's first, none, or a chart's problem): shown at once.
            kinds.set_value(now);
            pending.set_value(Vec::new());
            slots.set(charts.into_iter().map(ArcRwSignal::new).collect());
            return;
        }
        pending.set_value(charts.into_iter().map(Some).collect());
        if !applying.get_value() {
            applying.set_value(true);
            request_animation_frame(move || apply_next(slots, pending, applying, 0));
        }
    });
    let running = move || live.header.with(Option::is_some);
    move || {
        if slots.with(Vec::is_empty) {
            let text = if running() {
                "The charts appear as the run's first simulated second ends."
            } else {
                "Press Run: the charts follow the run as it plays."
            };
            return view! { <p class="empty-hint" data-testid="charts-empty">{text}</p> }.into_any();
        }
        let each = slots.get();
        view! {
            <div class="charts-grid">
                {each.into_iter().map(|slot| {
                    match slot.with_untracked(|d| d.as_ref().map(|c| c.data.kind).map_err(Clone::clone)) {
                        Ok(kind) => chart_view(kind, slot, hover).into_any(),
                        Err(why) => view! { <p class="run-problem">{format!("A chart could not be drawn: {why}")}</p> }.into_any(),
                    }
                }).collect_view()}
            </div>
        }
        .into_any()
    }
}

/// Shows the next pending chart from slot `from` on (wrapping), and asks for the next frame
/// while any is left.
fn apply_next(
    slots: RwSignal<Vec<ArcRwSignal<Drawn>>>,
    pending: StoredValue<Vec<Option<Drawn>>>,
    applying: StoredValue<bool>,
    from: usize,
) {
    // The drawer closed in between: nothing to show it in.
    let Some(next) = pending.try_update_value(|p| {
        let n = p.len();
        (0..n).map(|k| (from + k) % n).find_map(|i| p[i].take().map(|c| (i, c)))
    }) else {
        return;
    };
    let Some((i, chart)) = next else {
        applying.set_value(false);
        return;
    };
    if let Some(slot) = slots.with_untracked(|s| s.get(i).cloned()) {
        if slot.with_untracked(|shown| *shown != chart) {
            slot.set(chart);
        }
    }
    request_animation_frame(move || apply_next(slots, pending, applying, i + 1));
}

/// Reads the chart in `slot`, if it holds one.
fn with_chart<R>(slot: &ArcRwSignal<Drawn>, f: impl FnOnce(&Chart) -> R) -> Option<R> {
    slot.with(|d| d.as_ref().ok().map(f))
}

/// One chart of `kind`, following its slot: a new drawing replaces the markup, the legend and
/// the figures in place (the figure, its buttons and its handlers stay).
fn chart_view(kind: ChartKind, slot: ArcRwSignal<Drawn>, hover: RwSignal<Option<(ChartKind, f64)>>) -> impl IntoView {
    let live = use_live();
    let name = kind_name(kind);
    let (w, h) = (CHART_W as f64, CHART_H as f64);
    let figure = NodeRef::<leptos::html::Figure>::new();
    let plot = NodeRef::<leptos::html::Div>::new();
    let note = NodeRef::<leptos::html::Span>::new();
    let legend = NodeRef::<leptos::html::Span>::new();
    Effect::new({
        let slot = slot.clone();
        move |_| {
            let (Some(figure), Some(plot), Some(note), Some(legend)) =
                (figure.get(), plot.get(), note.get(), legend.get())
            else {
                return;
            };
            slot.with(|d| {
                let Ok(c) = d else { return };
                plot.set_inner_html(&c.svg);
                let points = c.data.lines.first().map_or(0, |l| l.points.len());
                let _ = figure.set_attribute("data-points", &points.to_string());
                let _ = figure.set_attribute("data-t1", &c.data.t1_s.to_string());
                let empty = c.data.lines.iter().all(|l| l.points.is_empty());
                let _ = figure.class_list().toggle_with_force("chart-blank", empty);
                note.set_text_content(c.data.note.as_deref());
                let keys: String = c
                    .data
                    .lines
                    .iter()
                    .map(|l| {
                        format!(
                            r#"<span class="chart-key"><i style="{}"></i>{}</span>"#,
                            swatch(l.color),
                            escape(&l.name)
                        )
                    })
                    .collect();
                legend.set_inner_html(&keys);
            });
        }
    });
    // The SVG lets the pointer through (CSS), so offsets are the plot box's, in SVG px.
    let local_x = |ev: &web_sys::PointerEvent| f64::from(ev.offset_x());
    let tip = {
        let slot = slot.clone();
        move || {
            let (k, x) = hover.get()?;
            if k != kind {
                return None;
            }
            with_chart(&slot, |c| {
                let t = time_at(c, x)?;
                let (at, values) = values_at(c, t)?;
                let [x0, _, x1, _] = c.plot;
                let px = x0 + (at - c.data.t0_s) / (c.data.t1_s - c.data.t0_s).max(1e-9) * (x1 - x0);
                let span = (c.data.t1_s - c.data.t0_s) / HISTOGRAM_BINS as f64;
                Some((at, px, values, span))
            })
            .flatten()
        }
    };
    let seek = {
        let slot = slot.clone();
        move |ev: web_sys::MouseEvent| {
            let x = f64::from(ev.offset_x());
            let t = slot.with_untracked(|d| d.as_ref().ok().and_then(|c| time_at(c, x))).filter(|_| kind.over_time());
            if let Some(t) = t {
                live.send(Command::Seek { ms: (t * 1000.0).round() as u64 });
            }
        }
    };
    let svg = move || slot.with_untracked(|d| d.as_ref().ok().map(|c| c.svg.clone()));
    let save_svg = {
        let svg = svg.clone();
        move |_| {
            if let Some(svg) = svg() {
                js::download_text(&format!("strata-{name}.svg"), "image/svg+xml", &svg);
            }
        }
    };
    let save_png = {
        let svg = svg.clone();
        move |_| {
            let Some(svg) = svg() else { return };
            leptos::task::spawn_local(async move {
                if let Ok(bytes) = js::svg_to_png(&svg, w, h, 2.0).await {
                    js::download(&format!("strata-{name}.png"), "image/png", &bytes);
                }
            });
        }
    };
    view! {
        <figure class="chart" node_ref=figure data-testid=format!("chart-{name}")>
            <figcaption>
                <span class="chart-title">{kind.title()}</span>
                <span class="chart-note" node_ref=note data-testid=format!("chart-note-{name}")></span>
                <span class="chart-legend" node_ref=legend></span>
                <button class="btn btn-ghost btn-small" data-testid=format!("chart-svg-{name}") title="Save this chart as SVG" on:click=save_svg>"SVG"</button>
                <button class="btn btn-ghost btn-small" data-testid=format!("chart-png-{name}") title="Save this chart as PNG" on:click=save_png>"PNG"</button>
            </figcaption>
            <div
                class="chart-plot"
                node_ref=plot
                data-testid=format!("chart-plot-{name}")
                style=format!("width:{w}px;height:{h}px")
                on:pointermove=move |ev| hover.set(Some((kind, local_x(&ev))))
                on:pointerleave=move |_| hover.set(None)
                on:click=seek
            ></div>
            <p class="chart-empty">"Nothing to show in this window."</p>
            {move || tip().map(|(at, px, values, span)| view! {
                <div class="chart-cursor" style=format!("left:{px:.1}px;height:{h}px")></div>
                <div class="chart-tip" data-testid=format!("chart-tip-{name}") data-t=at.to_string()>
                    <b>{if kind.over_time() { clock(at) } else { format!("{:.1} to {at:.1} ms", at - span) }}</b>
                    {values.into_iter().map(|r| view! {
                        <span class="chart-tip-row" data-line=r.name.clone() data-value=r.value.to_string()>
                            <i style=swatch(r.color)></i>{format!("{} {}", r.name, with_unit(kind, r.value))}
                        </span>
                    }).collect_view()}
                </div>
            })}
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_worker::charts::{ChartData, Line};

    fn chart() -> Chart {
        Chart {
            data: ChartData {
                kind: ChartKind::Throughput,
                lines: vec![Line {
                    name: "users answered".into(),
                    color: 0,
                    points: (1..=60).map(|s| (s as f64, s as f64 * 10.0)).collect(),
                }],
                marks: Vec::new(),
                note: None,
                t0_s: 0.0,
                t1_s: 60.0,
                y_max: 1000.0,
            },
            svg: String::new(),
            plot: [50.0, 6.0, 350.0, 124.0],
        }
    }

    #[test]
    fn a_point_of_the_plot_reads_the_second_under_it() {
        let c = chart();
        assert_eq!(time_at(&c, 50.0), Some(0.0));
        assert_eq!(time_at(&c, 350.0), Some(60.0));
        assert_eq!(time_at(&c, 200.0), Some(30.0));
        assert_eq!(time_at(&c, 20.0), None, "the axis labels are not the plot");
        let (at, values) = values_at(&c, 30.4).unwrap();
        assert_eq!((at, values[0].value), (30.0, 300.0));
        assert_eq!(values_at(&c, 0.2).unwrap().0, 1.0, "before the first point: the first");
        assert_eq!(with_unit(ChartKind::Latency, 41.5234), "41.52 ms");
        // A bar of a distribution reads the span under the pointer, not the nearest edge.
        let mut h = chart();
        h.data.kind = ChartKind::LatencyHistogram;
        h.data.lines[0].points = vec![(10.0, 5.0), (20.0, 7.0), (30.0, 1.0)];
        assert_eq!(values_at(&h, 11.0).unwrap().1[0].value, 7.0);
        assert_eq!(values_at(&h, 19.9).unwrap().1[0].value, 7.0);
    }
}
