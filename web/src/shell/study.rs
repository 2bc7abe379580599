//! Studies beside the run, in a dialog over the canvas: an A/B comparison (this design against
//! another of your documents or itself under another experiment, with the strip's seed and run
//! length, the figures side by side with the differences marked and charts of both runs) and the
//! resilience report card (the disruption battery, a card by disruption type, each row
//! replayable as the live run). The worker runs them beside the live run, with progress and
//! cancel, and writes their body (`strata_worker::study`); this dialog sets them up and places
//! what comes back. Closing it leaves a study running: opening it again shows where it stands.
//! The set-up fields are plain form fields read when the study starts: nothing to keep in sync.

use leptos::prelude::*;
use strata_worker::study::{Replay, Side, StudyJob, StudyKind, StudyUpdate};
use wasm_bindgen::JsCast;

use crate::editor::model::doc_from_json;
use crate::live::client::{use_live, Live};
use crate::shell::charts::chart_size_and_theme;
use crate::state::{use_editor, Overlay};

/// The value of the dialog's form field with this test id ("" if absent).
fn field(test_id: &str) -> String {
    element(test_id)
        .and_then(|e| js_sys::Reflect::get(&e, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// An experiment field's choice (empty: none).
fn experiment(test_id: &str) -> Option<String> {
    Some(field(test_id)).filter(|v| !v.is_empty())
}

/// Reads design B from where it was chosen (`this`, or `d:<saved document id>`): its label,
/// JSON and experiment names.
fn load_b(this: (String, Vec<String>), source: &str) -> Result<(String, String, Vec<String>), String> {
    let Some(id) = source.strip_prefix("d:") else { return Ok(("this design".into(), this.0, this.1)) };
    let name = crate::storage::index().into_iter().find(|m| m.id == id).map_or(id.to_string(), |m| m.name);
    let text = crate::storage::load(id).ok_or_else(|| format!("{name} is no longer saved in this browser."))?;
    let doc = doc_from_json(&text).map_err(|e| format!("{name} cannot be read: {e}"))?;
    let names = doc.topology.experiment_names();
    Ok((name, doc.topology.to_json(), names))
}

/// The dialog's body for a study of `kind`.
#[component]
pub fn StudyPanel(kind: StudyKind) -> impl IntoView {
    let live = use_live();
    let ed = use_editor();
    // The design on the canvas (A, and B when B is this design) and its experiments.
    let this = move || {
        let names = ed.doc.with_untracked(|d| d.topology.experiment_names());
        (ed.design.get_untracked(), names)
    };
    // B's experiments, read when B is chosen; and why the study cannot start, if it cannot.
    let b_names = RwSignal::new(this().1);
    let problem = RwSignal::new(None::<String>);
    let choose_b = move || match load_b(this(), &field("study-b")) {
        Ok((_, _, names)) => {
            b_names.set(names);
            problem.set(None);
        }
        Err(why) => problem.set(Some(why)),
    };
    let start = move |_| {
        // The strip's seed and length: one place to set them for runs and studies.
        let (seed, duration_s) = (live.seed.get_untracked(), f64::from(live.length_s.get_untracked()));
        problem.set(None);
        let design = this().0;
        if kind == StudyKind::Assess {
            return live.start_study(StudyJob::Assess { design, seed }, chart_size_and_theme());
        }
        match load_b(this(), &field("study-b")) {
            Ok((label, json, _)) => {
                let a = Side { label: "this design".into(), design, experiment: experiment("study-exp-a") };
                let b = Side { label, design: json, experiment: experiment("study-exp-b") };
                live.start_study(StudyJob::Compare { a, b, seed, duration_s }, chart_size_and_theme());
            }
            Err(why) => problem.set(Some(why)),
        }
    };
    let options = |names: Vec<String>| {
        names
            .into_iter()
            .map(|n| {
                let label = n.clone();
                view! { <option value=n>{label}</option> }
            })
            .collect_view()
    };
    let busy = move || live.study.with(|s| s.as_ref().is_some_and(|s| s.result.is_none()));
    let setup = match kind {
        StudyKind::Compare => {
            // Your other documents, as the documents menu lists them (a template opened once is
            // one of them).
            let current = ed.current.get_untracked();
            let saved = crate::storage::index()
                .into_iter()
                .filter(|m| m.id != current)
                .map(|m| view! { <option value=format!("d:{}", m.id)>{m.name}</option> })
                .collect_view();
            view! {
                <label class="speed">"A: this design, with "
                    <select data-testid="study-exp-a" aria-label="Experiment for A">
                        <option value="">"no experiment"</option>
                        {options(this().1)}
                    </select>
                </label>
                <label class="speed">"B: "
                    <select data-testid="study-b" aria-label="Design B" on:change=move |_| choose_b()>
                        <option value="this">"this design"</option>
                        {saved}
                    </select>
                    " with "
                    <select data-testid="study-exp-b" aria-label="Experiment for B">
                        <option value="">"no experiment"</option>
                        {move || options(b_names.get())}
                    </select>
                </label>
            }
            .into_any()
        }
        StudyKind::Assess => view! {
            <p class="field-help">
                "Runs this design once without a disruption and once per disruption (lose an instance, a host, an AZ, the region; a dependency 10x slower; a bad configuration everywhere; a 5x traffic spike), 15 simulated minutes each, and grades it by disruption type."
            </p>
        }
        .into_any(),
    };
    view! {
        <div class="study-setup">
            {setup}
            <button class="btn" data-testid="study-run" disabled=busy on:click=start>
                {if kind == StudyKind::Assess { "Run the report card" } else { "Run A/B" }}
            </button>
            <span class="charts-note">"With the strip's seed (and length for A/B), simulated to the end beside the live run"</span>
        </div>
        {move || problem.get().map(|p| view! { <p class="run-problem" role="alert" data-testid="study-problem">{p}</p> })}
        {move || live.study.get().filter(|s| s.kind == kind).map(|s| study_view(live, ed.overlay, s))}
    }
}

/// An element of the page by its test id.
fn element(test_id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.query_selector(&format!("[data-testid={test_id}]")).ok().flatten()
}

/// Progress with a cancel button, or the finished study (or why it could not be done).
fn study_view(live: Live, overlay: RwSignal<Overlay>, s: StudyUpdate) -> AnyView {
    match s.result {
        None => {
            let pct = (s.progress * 100.0).round();
            view! {
                <div class="study-progress" data-testid="study-progress" data-progress=s.progress.to_string() role="status">
                    <span class="study-bar"><i style=format!("width:{pct:.0}%")></i></span>
                    <span>{format!("{pct:.0}% · {}", s.doing)}</span>
                    <button class="btn btn-small" data-testid="study-cancel" on:click=move |_| live.cancel_study()>"Cancel"</button>
                </div>
            }
            .into_any()
        }
        Some(Err(why)) => {
            view! { <p class="run-problem" role="alert" data-testid="study-problem">{why}</p> }.into_any()
        }
        Some(Ok(v)) => {
            // A replay button in the worker's markup carries its run: play it as the live run.
            let on_click = move |ev: web_sys::MouseEvent| {
                let button = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.closest("[data-replay]").ok().flatten());
                let Some(b) = button else { return };
                let data = |k: &str| b.get_attribute(k).unwrap_or_default();
                live.replay.set(Some(Replay {
                    label: data("data-label"),
                    design: data("data-design"),
                    experiment: Some(data("data-experiment")).filter(|e| !e.is_empty()),
                    seed: data("data-seed").parse().unwrap_or(1),
                    duration_s: data("data-duration-s").parse().unwrap_or(900.0),
                }));
                overlay.set(Overlay::None);
            };
            view! {
                <div class="study-result" data-testid="study-result" data-result=v.result_json on:click=on_click>
                    <h3 class="study-title">{v.title}</h3>
                    <p class="field-help" data-testid="study-subtitle">{v.subtitle}</p>
                    <div inner_html=v.html></div>
                </div>
            }
            .into_any()
        }
    }
}
