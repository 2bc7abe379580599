use std::time::Duration as WallDuration;

use leptos::prelude::*;
use strata_core::time::Duration;

use crate::run::{LiveRun, Summary, EVENTS_PER_TICK};
use crate::state::{use_editor, Level};

/// Wall-clock time between two steps of a live run.
const TICK: WallDuration = WallDuration::from_millis(100);
/// The seed live runs use (the command-line runner's default is the same).
const SEED: u64 = 1;
/// Speeds offered: simulated seconds per wall-clock second.
const SPEEDS: [u64; 4] = [1, 10, 60, 600];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunState {
    Idle,
    Running,
    Paused,
}

/// The bottom strip: run controls, simulated clock and live metrics of the design on the canvas,
/// simulated in the page by the core's engine.
#[component]
pub fn Timeline() -> impl IntoView {
    let editor = use_editor();
    let run: StoredValue<Option<LiveRun>, LocalStorage> = StoredValue::new_local(None);
    let interval: StoredValue<Option<IntervalHandle>, LocalStorage> = StoredValue::new_local(None);
    let state = RwSignal::new(RunState::Idle);
    let speed = RwSignal::new(1u64);
    let summary = RwSignal::new(Summary::default());
    let behind = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    // Why the run on screen is not the one started with Run (the design changed under it).
    let restarted = RwSignal::new(None::<String>);

    // Why the design cannot run now, if it cannot.
    let blocker = Memo::new(move |_| {
        let n = editor.doc.with(|d| d.topology.components.len());
        if n == 0 {
            return Some("Add components to run a simulation".to_string());
        }
        let errors = editor.diagnostics.with(|ds| ds.iter().filter(|d| d.level == Level::Error).count());
        (errors > 0).then(|| format!("Fix {errors} problem{} to run", if errors == 1 { "" } else { "s" }))
    });

    let stop_ticking = move || {
        if let Some(h) = interval.try_update_value(|h| h.take()).flatten() {
            h.clear();
        }
    };
    let tick = move || {
        let step = Duration::from_nanos(TICK.as_nanos() as u64 * speed.get_untracked());
        let figures = run.try_update_value(|r| {
            r.as_mut().map(|r| {
                let caught_up = r.advance(step, EVENTS_PER_TICK);
                (r.summary(), !caught_up)
            })
        });
        if let Some(Some((s, lag))) = figures {
            summary.set(s);
            behind.set(lag);
        }
    };
    let start_ticking = move || {
        stop_ticking();
        match set_interval_with_handle(tick, TICK) {
            Ok(h) => interval.set_value(Some(h)),
            Err(_) => problem.set(Some("The browser refused a timer: the run cannot advance.".into())),
        }
    };
    let play = move |_| match state.get_untracked() {
        RunState::Idle => {
            let started = editor.doc.with_untracked(|d| LiveRun::start(&d.topology, SEED));
            match started {
                Ok(r) => {
                    run.set_value(Some(r));
                    summary.set(Summary::default());
                    problem.set(None);
                    restarted.set(None);
                    state.set(RunState::Running);
                    start_ticking();
                }
                Err(why) => problem.set(Some(why)),
            }
        }
        RunState::Paused => {
            state.set(RunState::Running);
            start_ticking();
        }
        RunState::Running => {
            stop_ticking();
            state.set(RunState::Paused);
        }
    };
    let reset = move |_: ()| {
        stop_ticking();
        run.set_value(None);
        summary.set(Summary::default());
        behind.set(false);
        problem.set(None);
        restarted.set(None);
        state.set(RunState::Idle);
    };
    on_cleanup(stop_ticking);
    // A run belongs to the document it started from: opening another document ends it.
    Effect::new(move |previous: Option<String>| {
        let current = editor.current.get();
        if previous.is_some_and(|p| p != current) {
            reset(());
        }
        current
    });

    // An edit during a run is never ignored: the run starts again from zero with the changed
    // design (paused stays paused), and says so; a design that can no longer run stops it.
    let design = Memo::new(move |_| editor.doc.with(|d| d.topology.clone()));
    Effect::new(move |previous: Option<String>| {
        // Read (not only tracked), so the memo computes and follows the document.
        design.with(|_| ());
        let current = editor.current.get_untracked();
        let same_document = previous.as_ref() == Some(&current);
        if same_document && state.get_untracked() != RunState::Idle {
            let at = summary.with_untracked(|s| s.time_s);
            match design.with_untracked(|t| LiveRun::start(t, SEED)) {
                Ok(r) => {
                    run.set_value(Some(r));
                    summary.set(Summary::default());
                    behind.set(false);
                    problem.set(None);
                    restarted.set(Some(format!(
                        "The design changed at t = {at:.1} s: the run restarted from 0 s with your change."
                    )));
                }
                Err(why) => {
                    reset(());
                    problem.set(Some(format!("The design changed and the run stopped. {why}")));
                }
            }
        }
        current
    });

    let play_label = move || match state.get() {
        RunState::Running => "❚❚ Pause",
        RunState::Paused => "▶ Resume",
        RunState::Idle => "▶ Run",
    };
    let play_disabled = move || state.get() == RunState::Idle && blocker.get().is_some();
    let play_title = move || blocker.get().unwrap_or_else(|| "Simulate this design in the browser (seed 1)".into());
    let clock = move || summary.with(|s| format!("t = {:.3} s", s.time_s));
    let rows = move || summary.with(|s| s.clients.clone());
    let busiest = move || {
        summary.with(|s| {
            s.busiest.iter().map(|b| format!("{} {:.0}%", b.id, b.utilization * 100.0)).collect::<Vec<_>>().join(" · ")
        })
    };

    view! {
        <footer class="timeline" data-testid="timeline" aria-label="Timeline and metrics">
            <div class="timeline-controls">
                <button
                    class="btn"
                    data-testid="run"
                    title=play_title
                    disabled=play_disabled
                    on:click=play
                >
                    {play_label}
                </button>
                <button
                    class="btn btn-ghost"
                    data-testid="run-reset"
                    title="Stop and clear this run"
                    disabled=move || state.get() == RunState::Idle
                    on:click=move |_| reset(())
                >
                    "⟲ Reset"
                </button>
                <label class="speed">
                    "Speed "
                    <select
                        data-testid="run-speed"
                        aria-label="Simulation speed"
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                speed.set(v);
                            }
                        }
                    >
                        {SPEEDS
                            .iter()
                            .map(|s| view! { <option value=s.to_string() selected=*s == 1>{format!("{s}×")}</option> })
                            .collect_view()}
                    </select>
                </label>
                <span class="clock" data-testid="sim-clock">{clock}</span>
                <span class="run-events" data-testid="run-events">
                    {move || summary.with(|s| if s.events > 0 { format!("{} events", s.events) } else { String::new() })}
                </span>
                <Show when=move || behind.get()>
                    <span class="run-behind" data-testid="run-behind" title="The design needs more events per second than the page can simulate at this speed; the clock slows down, results are unchanged">
                        "catching up"
                    </span>
                </Show>
            </div>
            {move || problem.get().map(|p| view! { <p class="run-problem" role="alert" data-testid="run-problem">{p}</p> })}
            {move || restarted.get().map(|p| view! { <p class="run-restarted" role="status" data-testid="run-restarted">{p}</p> })}
            <Show
                when=move || state.get() != RunState::Idle
                fallback=move || view! {
                    <p class="empty-hint" data-testid="timeline-empty">
                        {move || match blocker.get() {
                            Some(why) => format!("{why}. Metrics appear here while a simulation runs."),
                            None => "Press Run to simulate this design: requests per second, success rate and latency per client appear here.".to_string(),
                        }}
                    </p>
                }
            >
                <table class="run-table" data-testid="run-clients">
                    <thead>
                        <tr>
                            <th scope="col">"Client"</th>
                            <th scope="col">"Requests"</th>
                            <th scope="col">"Req/s"</th>
                            <th scope="col">"Success"</th>
                            <th scope="col">"p50"</th>
                            <th scope="col">"p99"</th>
                            <th scope="col">"Errors"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|r| r.id.clone() let:r>
                            <tr data-testid=format!("run-client-{}", r.id)>
                                <th scope="row">{r.id.clone()}</th>
                                <td>{r.requests}</td>
                                <td>{format!("{:.1}", r.rps)}</td>
                                <td data-testid="run-success">
                                    {r.success.map(|s| format!("{:.1}%", s * 100.0)).unwrap_or_else(|| "—".into())}
                                </td>
                                <td>{format!("{:.1} ms", r.p50_ms)}</td>
                                <td>{format!("{:.1} ms", r.p99_ms)}</td>
                                <td title=r.error_causes.clone()>
                                    {if r.errors == 0 { "0".to_string() } else { format!("{} ({})", r.errors, r.error_causes) }}
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table>
                <p class="run-busiest" data-testid="run-busiest">
                    {move || {
                        let b = busiest();
                        if b.is_empty() { String::new() } else { format!("Busiest: {b}") }
                    }}
                </p>
            </Show>
        </footer>
    }
}
