//! The bottom strip: run controls (play, pause, step, speed, seed, experiment, length), the
//! simulated clock and a scrubber to seek, the figures per client population, the cost meter
//! (`cost_meter`), and the event log.
//! The engine runs in its Web Worker (`crate::live`); this strip only sends commands and shows
//! what the frames carry.

use leptos::prelude::*;

use crate::live::client::use_live;
use crate::live::protocol::{Command, PlayState, Speed};
use crate::shell::cost_meter::CostMeter;
use crate::shell::inject::{open_inject, InjectPanel};
use crate::state::{use_editor, Level, Overlay};
use strata_worker::study::StudyKind;

/// Run lengths offered, simulated seconds.
const LENGTHS: [(u32, &str); 7] =
    [(60, "1 min"), (300, "5 min"), (600, "10 min"), (900, "15 min"), (1800, "30 min"), (3600, "1 h"), (21_600, "6 h")];
/// How far one step goes, simulated ms.
const STEP_MS: u64 = 100;

/// Why the design on the canvas cannot run, from the findings on screen.
fn ready_to_run(editor: crate::state::Editor) -> Option<String> {
    if editor.doc.with_untracked(|d| d.topology.components.is_empty()) {
        return Some("Add components to run a simulation.".into());
    }
    editor.diagnostics.with_untracked(|ds| {
        let errors: Vec<_> = ds.iter().filter(|d| d.level == Level::Error).collect();
        errors.first().map(|first| strata_worker::answers::fix_first(errors.len(), &first.message))
    })
}

/// Why the design on the canvas cannot run, as the strip says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Blocker {
    /// Nothing on the canvas.
    Empty,
    /// This many errors among the problems.
    Problems(usize),
}

impl Blocker {
    fn text(self) -> String {
        match self {
            Blocker::Empty => "Add components to run a simulation".into(),
            Blocker::Problems(n) => format!("Fix {n} problem{} to run", if n == 1 { "" } else { "s" }),
        }
    }
}

/// Shows the problems list: the inspector's drawer on a narrow screen, scrolled to the list.
fn show_problems(editor: crate::state::Editor) {
    editor.drawer.set(Some(crate::state::Drawer::Inspector));
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=problems]").ok().flatten())
    {
        el.scroll_into_view();
    }
}

fn clock_text(ns: u64) -> String {
    format!("t = {:.3} s", ns as f64 / 1e9)
}

fn ms(x: f64) -> String {
    if x >= 1000.0 {
        format!("{:.2} s", x / 1000.0)
    } else {
        format!("{x:.1} ms")
    }
}

/// The bottom strip.
#[component]
pub fn Timeline() -> impl IntoView {
    let editor = use_editor();
    let live = use_live();
    // A run has been started (its first frame may not have arrived yet).
    let active = RwSignal::new(false);
    let speed = RwSignal::new(Speed::Times(1.0));
    let (seed, length_s) = (live.seed, live.length_s);
    let experiment = live.experiment;
    // Why the run on screen is not the one started with Run (the design changed under it).
    let restarted = RwSignal::new(None::<String>);
    let log_open = RwSignal::new(false);

    let state = move || live.header.with(|h| h.as_ref().map(|h| h.state));
    let time_ns = move || live.header.with(|h| h.as_ref().map_or(0, |h| h.time_ns));
    // For handlers and effects: reading the run's state must not subscribe them to every frame.
    let state_now = move || live.header.with_untracked(|h| h.as_ref().map(|h| h.state));
    let time_now = move || live.header.with_untracked(|h| h.as_ref().map_or(0, |h| h.time_ns));

    // Why the design cannot run now, if it cannot.
    let blocker = Memo::new(move |_| {
        let n = editor.doc.with(|d| d.topology.components.len());
        if n == 0 {
            return Some(Blocker::Empty);
        }
        let errors = editor.diagnostics.with(|ds| ds.iter().filter(|d| d.level == Level::Error).count());
        (errors > 0).then_some(Blocker::Problems(errors))
    });
    let experiments = Memo::new(move |_| editor.doc.with(|d| d.topology.experiment_names()));

    // A report card row played as the run: the design as the battery ran it, until the design,
    // the seed, the experiment or the length is changed, or the run is reset.
    let replaying = live.replay;

    // Starts (or restarts) the run of the design on the canvas (or of the row replayed).
    let start = move |paused: bool| {
        let (design, chosen) = match replaying.get_untracked() {
            Some(r) => (r.design, r.experiment),
            None => (
                editor.design.get_untracked(),
                // Forget an experiment the document no longer has.
                experiment.get_untracked().filter(|e| experiments.with_untracked(|x| x.contains(e))),
            ),
        };
        live.send(Command::Start {
            design,
            seed: seed.get_untracked(),
            experiment: chosen,
            duration_s: f64::from(length_s.get_untracked()),
            speed: speed.get_untracked(),
            paused,
        });
        active.set(true);
    };
    let reset = move || {
        if active.get_untracked() {
            live.send(Command::Stop);
        }
        active.set(false);
        restarted.set(None);
        replaying.set(None);
    };
    // A row of the report card chosen for replay: its design, seed and length, from 0 s.
    Effect::new(move |_| {
        let Some((label, r_seed, r_length)) =
            replaying.with(|r| r.as_ref().map(|r| (r.label.clone(), r.seed, r.duration_s)))
        else {
            return;
        };
        seed.set(r_seed);
        length_s.set(r_length as u32);
        experiment.set(None);
        start(false);
        restarted.set(Some(format!(
            "Replaying “{label}” from the report card (seed {r_seed}): the disruption starts at {} s. Edit the design or press Reset to go back to it.",
            strata_core::assess::FAULT_AT_S
        )));
    });
    let play = move |_| match state_now() {
        _ if !active.get_untracked() => {
            restarted.set(None);
            // The worker checks the design again when it starts the run (`session::can_run`).
            let why = ready_to_run(editor);
            match why {
                Some(why) => live.problem.set(Some(why)),
                None => start(false),
            }
        }
        Some(PlayState::Playing) | Some(PlayState::Seeking) => live.send(Command::Pause),
        Some(PlayState::Paused) => live.send(Command::Play),
        Some(PlayState::Finished) => start(false),
        None => {}
    };
    // A setting that changes the run (seed, experiment, length) restarts it, keeping its state.
    let restart_for = move |what: &str| {
        replaying.set(None);
        if active.get_untracked() {
            let paused = state_now() != Some(PlayState::Playing);
            restarted.set(Some(format!("{what}: the run restarted from 0 s.")));
            start(paused);
        }
    };
    // A run the worker could not start (say, an experiment that does not fit the run's length)
    // leaves the strip ready to run again, with the reason shown.
    Effect::new(move |_| {
        if live.problem.with(Option::is_some) && live.header.with_untracked(Option::is_none) {
            active.set(false);
            restarted.set(None);
        }
    });
    on_cleanup(move || {
        if active.get_untracked() {
            live.send(Command::Stop);
        }
    });
    // A run belongs to the document it started from: opening another document ends it.
    Effect::new(move |previous: Option<String>| {
        let current = editor.current.get();
        if previous.is_some_and(|p| p != current) {
            reset();
        }
        current
    });
    // An edit during a run is never ignored: the run starts again from zero with the changed
    // design (paused stays paused), and says so; a design that can no longer run stops it, with
    // the worker's reason.
    Effect::new(move |previous: Option<String>| {
        editor.design.track();
        let current = editor.current.get_untracked();
        if previous.as_ref() == Some(&current) && active.get_untracked() {
            replaying.set(None);
            let at = time_now() as f64 / 1e9;
            // The worker checks the changed design before it runs it; if it can no longer run,
            // its reason replaces this notice (see the effect above).
            start(state_now() != Some(PlayState::Playing));
            restarted.set(Some(format!(
                "The design changed at t = {at:.1} s: the run restarted from 0 s with your change."
            )));
        }
        current
    });

    let set_seed = move |ev: leptos::ev::Event| match event_target_value(&ev).trim().parse::<u64>() {
        Ok(s) if s != seed.get_untracked() => {
            seed.set(s);
            restart_for(&format!("Seed {s}"));
        }
        Ok(_) => {}
        Err(_) => live.problem.set(Some("A seed is a whole number from 0 to 18446744073709551615.".into())),
    };
    let play_label = move || match state() {
        _ if !active.get() => "▶ Run",
        Some(PlayState::Playing) | Some(PlayState::Seeking) => "❚❚ Pause",
        Some(PlayState::Paused) => "▶ Resume",
        Some(PlayState::Finished) => "▶ Run again",
        None => "❚❚ Pause",
    };
    let play_disabled = move || !active.get() && blocker.get().is_some();
    let play_title = move || {
        blocker
            .get()
            .map_or_else(|| format!("Simulate this design in the browser (seed {})", seed.get()), Blocker::text)
    };
    let duration_ms = move || {
        live.header.with(|h| h.as_ref().map_or(u64::from(length_s.get()) * 1000, |h| h.duration_ns / 1_000_000))
    };
    let legend = move || {
        live.header.with(|h| {
            let h = h.as_ref()?;
            match (h.state, h.speed) {
                (PlayState::Playing, Speed::Max) => Some("Dots are off at maximum speed.".to_string()),
                (PlayState::Playing, _) if h.sample_every > 0 => Some(format!(
                    "1 dot ≈ {} request{} (each drawn on every hop; red: a failure on its way back)",
                    h.sample_every,
                    if h.sample_every == 1 { "" } else { "s" }
                )),
                _ => None,
            }
        })
    };

    view! {
        <footer class="timeline" data-testid="timeline" aria-label="Timeline and metrics">
            <div class="timeline-controls">
                <button class="btn" data-testid="run" title=play_title disabled=play_disabled on:click=play>
                    {play_label}
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-step"
                    title=format!("Advance {STEP_MS} ms of simulated time, then pause")
                    disabled=move || !matches!(state(), Some(PlayState::Paused) | Some(PlayState::Playing))
                    on:click=move |_| live.send(Command::Step { ms: STEP_MS })
                >
                    "Step +0.1 s"
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-inject"
                    title="Inject a failure at the current simulated time (or right-click a component)"
                    disabled=move || !matches!(state(), Some(PlayState::Paused) | Some(PlayState::Playing))
                    on:click=move |_| open_inject(live, None)
                >
                    "⚡ Break something"
                </button>
                <button
                    class="btn btn-ghost"
                    class:on=move || live.charts_open.get()
                    data-testid="run-charts"
                    title="Charts of the run: throughput, latency, availability, load, capacity"
                    aria-pressed=move || live.charts_open.get().to_string()
                    on:click=move |_| crate::shell::charts::show_charts(!live.charts_open.get_untracked())
                >
                    "📈 Charts"
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-compare"
                    title="Compare this design with another (or with itself under another experiment): same seed, same length, side by side"
                    on:click=move |_| editor.overlay.set(Overlay::Study(StudyKind::Compare))
                >
                    "⚖ Compare"
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-card"
                    title="Resilience report card: a run per disruption type, graded, each replayable"
                    on:click=move |_| editor.overlay.set(Overlay::Study(StudyKind::Assess))
                >
                    "🛡 Report card"
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-reset"
                    title="Stop and clear this run"
                    disabled=move || !active.get()
                    on:click=move |_| reset()
                >
                    "⟲ Reset"
                </button>
                <label class="speed">
                    "Speed "
                    <select
                        data-testid="run-speed"
                        aria-label="Simulation speed"
                        on:change=move |ev| {
                            if let Some(s) = Speed::from_key(&event_target_value(&ev)) {
                                speed.set(s);
                                if active.get_untracked() {
                                    live.send(Command::SetSpeed { speed: s });
                                }
                            }
                        }
                    >
                        {Speed::CHOICES
                            .iter()
                            .map(|s| view! { <option value=s.key() selected=*s == Speed::Times(1.0)>{s.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="speed">
                    "Seed "
                    <input
                        class="seed-input"
                        data-testid="run-seed"
                        type="number"
                        min="0"
                        step="1"
                        aria-label="Random seed: the same seed gives the same run"
                        prop:value=move || seed.get().to_string()
                        on:change=set_seed
                    />
                </label>
                <label class="speed">
                    "Failures "
                    <select
                        data-testid="run-experiment"
                        aria-label="Experiment to play"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            experiment.set((!v.is_empty()).then_some(v.clone()));
                            restart_for(&if v.is_empty() { "No experiment".to_string() } else { format!("Experiment {v}") });
                        }
                    >
                        <option value="" selected=move || experiment.get().is_none()>"none"</option>
                        {move || experiments.get().into_iter().map(|name| {
                            let selected = experiment.get().as_deref() == Some(name.as_str());
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="speed">
                    "Length "
                    <select
                        data-testid="run-length"
                        aria-label="Simulated length of the run"
                        prop:value=move || length_s.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                length_s.set(v);
                                restart_for("New length");
                            }
                        }
                    >
                        {LENGTHS.iter().map(|(s, label)| view! { <option value=s.to_string() selected=*s == 600>{*label}</option> }).collect_view()}
                    </select>
                </label>
                <span class="clock" data-testid="sim-clock" data-time-ns=move || time_ns().to_string()>{move || clock_text(time_ns())}</span>
                <input
                    class="scrubber"
                    data-testid="run-scrubber"
                    type="range"
                    min="0"
                    step="100"
                    aria-label="Seek to a simulated time"
                    disabled=move || !active.get()
                    prop:max=move || duration_ms().to_string()
                    prop:value=move || (time_ns() / 1_000_000).to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                            live.send(Command::Seek { ms: v });
                        }
                    }
                />
                <Show when=move || live.header.with(|h| h.as_ref().is_some_and(|h| h.behind))>
                    <span class="run-behind" data-testid="run-behind" title="The design needs more events per second than the engine can simulate at this speed; the clock slows down, results are unchanged">
                        "catching up"
                    </span>
                </Show>
                <Show when=move || state() == Some(PlayState::Seeking)>
                    <span class="run-behind" data-testid="run-seeking">
                        {move || live.header.with(|h| h.as_ref().and_then(|h| h.seek_target_ns).map(|t| format!("going to {:.1} s…", t as f64 / 1e9)).unwrap_or_default())}
                    </span>
                </Show>
                <Show when=move || state() == Some(PlayState::Finished)>
                    <span class="run-events" data-testid="run-finished">"finished"</span>
                </Show>
            </div>
            {move || live.problem.get().map(|p| view! { <p class="run-problem" role="alert" data-testid="run-problem">{p}</p> })}
            {move || restarted.get().map(|p| view! { <p class="run-restarted" role="status" data-testid="run-restarted">{p}</p> })}
            <InjectPanel/>
            {move || live.header.with(|h| {
                let h = h.as_ref()?;
                (!h.injected_text.is_empty()).then(|| {
                    let text = h.injected_text.join("; ");
                    view! { <p class="run-restarted" data-testid="run-injected" data-actions=h.injected_json.clone()>"Injected: "{text}</p> }
                })
            })}
            <Show
                when=move || active.get()
                fallback=move || view! {
                    <p class="empty-hint" data-testid="timeline-empty">
                        // Problems to fix are a button that shows them (a drawer on a narrow screen).
                        <button class="link-btn" data-testid="show-problems" on:click=move |_| show_problems(editor)
                            class:hidden=move || !matches!(blocker.get(), Some(Blocker::Problems(_)))>
                            {move || blocker.get().map(Blocker::text)}
                        </button>
                        {move || match blocker.get() {
                            Some(Blocker::Problems(_)) => ". Metrics appear here while a simulation runs.".to_string(),
                            Some(b) => format!("{}. Metrics appear here while a simulation runs.", b.text()),
                            None => "Press Run to watch this design work: requests move along the connections, each component shows its load, and the figures per client and what the design costs appear here.".to_string(),
                        }}
                    </p>
                    <CostMeter/>
                }
            >
                <Figures/>
                <CostMeter/>
                <p class="run-legend" data-testid="run-legend">{legend}</p>
                <EventLog open=log_open/>
            </Show>
        </footer>
    }
}

/// A population's objectives in a cell, e.g. `met · 12% of budget` or `MISSED · p99 312 ms`,
/// and the whole story for its tooltip.
fn slo_text(o: &strata_core::sim::SloReport) -> (String, String) {
    let used = |b: f64| if b.is_finite() { format!("{:.0}%", b * 100.0) } else { "all".into() };
    let mut text = format!("{} · {} of budget", if o.met { "met" } else { "MISSED" }, used(o.error_budget.burned));
    let mut title = format!(
        "Availability objective {}%: {} ({} of {:.1} failures allowed)",
        o.availability_objective_percent,
        o.availability_percent.map_or("no answer yet".into(), |a| format!("{a:.3}%")),
        o.error_budget.failures,
        o.error_budget.allowed_failures
    );
    if let Some(l) = &o.latency {
        text += &format!(" · p{} {:.0} ms", l.percentile, l.actual_ms);
        title += &format!(
            "; latency objective p{} within {} ms: {:.1} ms ({} slow of {:.1} allowed, {} of budget)",
            l.percentile,
            l.target_ms,
            l.actual_ms,
            l.slow,
            l.allowed_slow,
            used(l.burned)
        );
    }
    (text, title)
}

/// The figures per client population and overall, as of the latest frame's figures.
#[component]
fn Figures() -> impl IntoView {
    let live = use_live();
    let rows = move || {
        live.summary.with(|s| {
            s.as_ref().map(|s| {
                s.clients
                    .iter()
                    .map(|r| {
                        view! {
                            <tr data-testid=format!("run-client-{}", r.id)>
                                <th scope="row">{r.id.clone()}</th>
                                <td data-testid="run-requests">{r.requests}</td>
                                <td>{format!("{:.1}", r.rps)}</td>
                                <td data-testid="run-success">
                                    {r.success.map(|s| format!("{:.2}%", s * 100.0)).unwrap_or_else(|| "—".into())}
                                </td>
                                <td data-testid="run-p50">{ms(r.p50_ms)}</td>
                                <td data-testid="run-p95">{ms(r.p95_ms)}</td>
                                <td data-testid="run-p99">{ms(r.p99_ms)}</td>
                                <td title=r.error_causes.clone()>
                                    {if r.errors == 0 { "0".to_string() } else { format!("{} ({})", r.errors, r.error_causes) }}
                                </td>
                                {r.slo.map(|o| {
                                    let (text, title) = slo_text(&o);
                                    view! {
                                        <td data-testid="run-slo" class:slo-missed=!o.met title=title
                                            data-met=o.met.to_string() data-budget=o.error_budget.burned.to_string()
                                            data-latency-budget=o.latency.map(|l| l.burned.to_string())>
                                            {text}
                                        </td>
                                    }
                                })}
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let figures_time = move || live.summary.with(|s| s.as_ref().map(|s| s.time_ns));
    let busiest = move || {
        live.summary.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.busiest.iter().map(|b| format!("{} {:.0}%", b.id, b.utilization * 100.0)).collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .join(" · ")
        })
    };
    view! {
        <table class="run-table" data-testid="run-clients" data-time-ns=move || figures_time().map(|t| t.to_string())>
            <thead>
                <tr>
                    <th scope="col">"Client"</th>
                    <th scope="col">"Requests"</th>
                    <th scope="col">"Req/s"</th>
                    <th scope="col">"Success"</th>
                    <th scope="col">"p50"</th>
                    <th scope="col">"p95"</th>
                    <th scope="col">"p99"</th>
                    <th scope="col">"Errors"</th>
                    <th scope="col" title="The population's objectives: met or missed, and how much of each budget the run has used">"SLO"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="run-busiest" data-testid="run-busiest">
            {move || {
                let events = live.summary.with(|s| s.as_ref().map_or(0, |s| s.events));
                let b = busiest();
                let mut parts = Vec::new();
                if let Some(t) = figures_time() {
                    parts.push(format!("figures at {:.3} s", t as f64 / 1e9));
                }
                if events > 0 {
                    parts.push(format!("{events} events"));
                }
                if !b.is_empty() {
                    parts.push(format!("Busiest: {b}"));
                }
                parts.join(" · ")
            }}
        </p>
    }
}

/// What happened, in words, with simulated timestamps.
#[component]
fn EventLog(open: RwSignal<bool>) -> impl IntoView {
    let live = use_live();
    let editor = use_editor();
    let count = move || live.log.with(Vec::len);
    view! {
        <details class="run-log" data-testid="run-log" prop:open=move || open.get() on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                open.set(d.open());
            }
        }>
            <summary>{move || format!("Event log ({})", count())}</summary>
            <ol class="run-log-lines">
                {move || live.log.with(|lines| {
                    lines.iter().rev().take(200).map(|l| {
                        let stamp = crate::shell::run_panel::stamp(l.time_ns);
                        let named = l.component.clone();
                        let title = named.as_ref().map(|c| format!("Select {c}"));
                        view! {
                            <li class:bad=l.bad class:named=named.is_some() data-testid="run-log-line"
                                data-component=named.clone() title=title
                                on:click=move |_| {
                                    // Clicking a line selects what it names.
                                    if let Some(c) = named.clone() {
                                        editor.selection.set(std::collections::BTreeSet::from([c]));
                                    }
                                }>
                                <span class="stamp">{stamp}</span>" "{l.text.clone()}
                            </li>
                        }
                    }).collect_view()
                })}
            </ol>
        </details>
    }
}
