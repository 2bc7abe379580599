//! The walkthrough panel over the diagram: the document's guided steps, written from what is on
//! screen. "Record view as step" adds a step from the selection (what it highlights), the
//! components in view (where the camera goes) and the live run's time, speed and experiment
//! (what the simulation does); each step's title, narration, layer and condition are edited in
//! place, steps move up and down or go, and "Preview" plays the walkthrough from a step in the
//! viewer readers get. Every change is an edit of the document: undone, redone and saved like
//! any other.

use leptos::prelude::*;
use strata_core::topology::ComponentKind;
use strata_core::walkthrough::{Layer, Metric};
use wasm_bindgen::JsCast;

use crate::editor::model::Refused;
use crate::editor::walk_edit::{Draft, Edit, Field, Moment, Shot, UntilPart};
use crate::live::client::{use_live, Live};
use crate::live::protocol::{PlayState, Speed};
use crate::state::{use_editor, Editor};

/// Changes the document's walkthrough (refused, with the reason, when it cannot be edited here).
fn change(ed: Editor, edit: Edit) {
    ed.edit(|d| {
        let mut w = Draft::of(&d.topology).map_err(Refused)?;
        w.apply(edit);
        w.write(&mut d.topology);
        Ok(())
    });
}

/// What is on screen now, as a step would replay it. The run's moment is taken only from a
/// run of the document itself (a seek under way: where it lands), and the author is told what
/// readers would not see: another seed, failures injected by hand, an experiment the document
/// no longer has.
fn shot(ed: Editor, live: Live) -> Shot {
    let (w, h) = ed.canvas_size.get_untracked();
    let visible = ed.viewport.get_untracked().visible(w, h);
    let replaying = live.replay.with_untracked(Option::is_some);
    let run = live.header.with_untracked(|h| {
        h.as_ref().map(|h| (h.seek_target_ns.unwrap_or(h.time_ns), h.state, h.speed, !h.injected_text.is_empty()))
    });
    let experiment = live.experiment.get_untracked();
    let known =
        experiment.as_ref().is_none_or(|e| ed.doc.with_untracked(|d| d.topology.experiment_names().contains(e)));
    let moment = run.filter(|_| !replaying).map(|(ns, state, speed, _)| Moment {
        at_s: (ns as f64 / 1e6).round() / 1e3,
        play: state == PlayState::Playing,
        speed: match speed {
            Speed::Times(x) => Some(x),
            Speed::Max => None,
        },
        experiment: experiment.clone().filter(|_| known),
    });
    let seed = live.seed.get_untracked();
    let said = if replaying {
        Some(
            "A report card row is replaying, not this design: the step keeps its moment. Reset the run to record one."
                .to_string(),
        )
    } else if moment.is_none() {
        None
    } else if !known {
        Some(format!(
            "The run's experiment “{}” is no longer in the document: recorded with none.",
            experiment.unwrap_or_default()
        ))
    } else if run.is_some_and(|r| r.3) {
        Some("Failures injected by hand are not part of a step: readers' runs will not have them.".to_string())
    } else {
        (seed != 1).then(|| {
            format!("Recorded at seed {seed}: readers see seed 1 unless the viewer's address says seed={seed}.")
        })
    };
    if let Some(text) = said {
        ed.notify(text, false);
    }
    Shot {
        highlight: ed.selection.with_untracked(|s| ed.doc.with_untracked(|d| Shot::highlight_of(s, &d.topology))),
        focus: ed.scene.with_untracked(|s| Shot::focus_of(s, visible)),
        moment,
    }
}

/// The element an event came from, with its `data-` value `key` (found on it or its nearest
/// ancestor that has one).
fn data_of(ev: &web_sys::Event, key: &str) -> Option<(web_sys::HtmlElement, String)> {
    let el = ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest(&format!("[data-{key}]")).ok()??;
    let value = el.get_attribute(&format!("data-{key}"))?;
    Some((el.dyn_into().ok()?, value))
}

/// A figure of the draft for a view (empty when the walkthrough cannot be read).
fn read(draft: Memo<Result<Draft, String>>, f: impl Fn(&Draft) -> String) -> String {
    draft.with(|d| d.as_ref().map(&f).unwrap_or_default())
}

/// The step an element of the panel belongs to (its row's or the step editor's `data-k`).
fn step_of(el: &web_sys::Element) -> Option<usize> {
    el.closest("[data-k]").ok()??.get_attribute("data-k")?.parse().ok()
}

#[component]
pub fn WalkPanel() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let draft = Memo::new(move |_| ed.doc.with(|d| Draft::of(&d.topology)));
    // The panel's shape: how many steps (or why it cannot be edited). The list and the step's
    // fields are built again only when it changes; texts follow the draft in place, so a field
    // left by clicking a button of the panel keeps that button under the pointer.
    let shape = Memo::new(move |_| draft.with(|d| d.as_ref().map(Draft::len).map_err(Clone::clone)));
    // The client populations a step's condition may read.
    let clients = Memo::new(move |_| {
        ed.doc.with(|d| {
            let t = &d.topology;
            t.components
                .iter()
                .filter(|c| c.spec.kind() == ComponentKind::Client)
                .map(|c| c.id.clone())
                .collect::<Vec<_>>()
        })
    });
    let len = move || shape.with(|s| *s.as_ref().unwrap_or(&0));
    // The step being edited, kept within the steps.
    let chosen = RwSignal::new(None::<usize>);
    let current = move || chosen.get().filter(|&k| k < len());
    // Every button of the panel, by its `data-act` (and its step's `data-k`).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((el, act)) = data_of(&ev, "act") else { return };
        let k = step_of(&el);
        let (edit, next) = match (act.as_str(), k) {
            ("record", _) => {
                let at = current().map_or(len(), |k| k + 1);
                (Edit::Insert(at, format!("Step {}", at + 1), shot(ed, live)), Some(at))
            }
            ("open", Some(k)) => return chosen.set(Some(k)),
            ("up", Some(k)) if k > 0 => (Edit::Move(k, k - 1), Some(k - 1)),
            ("down", Some(k)) if k + 1 < len() => (Edit::Move(k, k + 1), Some(k + 1)),
            ("delete", Some(k)) => (Edit::Remove(k), None),
            ("rerecord", Some(k)) => (Edit::Rerecord(k, shot(ed, live)), Some(k)),
            ("preview", Some(k)) => return crate::io::preview_step(ed, k),
            ("close", _) => return ed.walk_open.set(false),
            _ => return,
        };
        change(ed, edit);
        chosen.set(next);
    };
    // Every field, by its `data-field`.
    let on_change = move |ev: leptos::ev::Event| {
        let Some((el, field)) = data_of(&ev, "field") else { return };
        let value = event_target_value(&ev);
        let k = step_of(&el);
        let edit = match (field.as_str(), k) {
            ("name", _) => Edit::Title(value),
            ("title", Some(k)) => Edit::Text(k, Field::Title, value),
            ("narration", Some(k)) => Edit::Text(k, Field::Narration, value),
            ("layer", Some(k)) => Edit::Layer(k, Layer::ALL.into_iter().find(|l| l.key() == value)),
            ("until-client", Some(k)) => Edit::Until(k, UntilPart::Client(Some(value).filter(|v| !v.is_empty()))),
            ("until-metric", Some(k)) => match Metric::ALL.into_iter().find(|m| m.key() == value) {
                Some(m) => Edit::Until(k, UntilPart::Metric(m)),
                None => return,
            },
            ("until-above", Some(k)) => match value.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Edit::Until(k, UntilPart::Above(x)),
                _ => return ed.notify(format!("“{value}” is not a number: the condition is unchanged."), true),
            },
            _ => return,
        };
        change(ed, edit);
    };
    view! {
        <section class="walk-panel" data-testid="walk-panel" aria-label="Walkthrough" on:click=on_click on:change=on_change>
            <div class="walk-panel-head">
                <h2 class="panel-title">"Walkthrough"</h2>
                <button class="icon-btn" aria-label="Close" data-testid="walk-close" title="Close (W)" data-act="close">"×"</button>
            </div>
            {move || match shape.get() {
                Err(e) => view! {
                    <p class="field-error" data-testid="walk-unreadable">{format!("This document's walkthrough cannot be edited here ({e}); it is kept as it is.")}</p>
                }.into_any(),
                Ok(n) => view! {
                    <input class="field-input" data-testid="walk-name" data-field="name" placeholder="Walkthrough title" aria-label="Walkthrough title"
                        prop:value=move || read(draft, |w| w.title().to_string()) />
                    {(n == 0).then(|| view! {
                        <p class="empty-hint" data-testid="walk-empty">"No steps yet. Select what a step should point at, frame it, run the design to the moment it shows, then record the view. Readers step through it in embeds and presenter mode. (With no steps and no title, the document has no walkthrough.)"</p>
                    })}
                    <ol class="walk-steps">
                        {(0..n).map(|k| step_row(draft, k, n, current)).collect_view()}
                    </ol>
                    <button class="btn" data-testid="walk-record" data-act="record"
                        title="A new step from what is on screen: the selection is highlighted, the components in view framed, the run's time, speed and experiment replayed">
                        "Record view as step"
                    </button>
                    {move || current().map(|k| step_editor(draft, clients, k))}
                }.into_any(),
            }}
        </section>
    }
}

/// Step `k` of `n` in the list: its title (a click edits it), up, down and delete.
fn step_row(
    draft: Memo<Result<Draft, String>>,
    k: usize,
    n: usize,
    current: impl Fn() -> Option<usize> + Send + Sync + 'static,
) -> impl IntoView {
    let title = move || {
        read(draft, |w| {
            let t = w.text(k, Field::Title);
            format!("{}. {}", k + 1, if t.trim().is_empty() { "(untitled)" } else { t })
        })
    };
    view! {
        <li class="walk-step" class:active=move || current() == Some(k) data-k=k>
            <button class="walk-step-title" data-testid=format!("walk-step-{k}") data-act="open">{title}</button>
            <button class="icon-btn" data-testid=format!("walk-up-{k}") data-act="up" aria-label="Move up" title="Move up" disabled=k == 0>"↑"</button>
            <button class="icon-btn" data-testid=format!("walk-down-{k}") data-act="down" aria-label="Move down" title="Move down" disabled=k + 1 == n>"↓"</button>
            <button class="icon-btn" data-testid=format!("walk-delete-{k}") data-act="delete" aria-label="Delete step" title="Delete step (undo brings it back)">"✕"</button>
        </li>
    }
}

/// The fields of step `k`, following the draft.
fn step_editor(draft: Memo<Result<Draft, String>>, clients: Memo<Vec<String>>, k: usize) -> impl IntoView {
    let layer = move || draft.with(|d| d.as_ref().ok().and_then(|w| w.layer(k)));
    let until = move || draft.with(|d| d.as_ref().ok().and_then(|w| w.until(k)));
    view! {
        <div class="walk-edit" data-testid="walk-edit" data-k=k>
            <label class="field-label">"Title"
                <input class="field-input" data-testid="walk-step-title" data-field="title" prop:value=move || read(draft, |w| w.text(k, Field::Title).to_string()) />
            </label>
            <label class="field-label">"Narration"
                <textarea class="field-input" rows=4 data-testid="walk-step-narration" data-field="narration" prop:value=move || read(draft, |w| w.text(k, Field::Narration).to_string())></textarea>
            </label>
            <label class="field-label">"Layer of the stack"
                <select class="field-input" data-testid="walk-step-layer" data-field="layer">
                    <option value="" prop:selected=move || layer().is_none()>"none"</option>
                    {Layer::ALL.into_iter().map(|l| view! { <option value=l.key() prop:selected=move || layer() == Some(l)>{l.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field-label">"Pause when"
                <span class="walk-until">
                    <select class="field-input" data-testid="walk-until-client" data-field="until-client" aria-label="Client population">
                        <option value="" prop:selected=move || until().is_none()>"never"</option>
                        {move || clients.get().into_iter().map(|c| {
                            let (id, value) = (c.clone(), c.clone());
                            view! { <option value=value prop:selected=move || until().is_some_and(|u| u.0 == id)>{c}</option> }
                        }).collect_view()}
                    </select>
                    <select class="field-input" data-testid="walk-until-metric" data-field="until-metric" aria-label="Figure" disabled=move || until().is_none()>
                        {Metric::ALL.into_iter().map(|m| view! { <option value=m.key() prop:selected=move || until().is_some_and(|u| u.1 == Some(m))>{m.label()}</option> }).collect_view()}
                    </select>
                    <input class="field-input" type="number" data-testid="walk-until-above" data-field="until-above" aria-label="Threshold" disabled=move || until().is_none()
                        prop:value=move || until().map(|u| u.2.to_string()).unwrap_or_default() />
                </span>
            </label>
            <p class="field-help" data-testid="walk-step-summary">{move || read(draft, |w| w.summary(k))}</p>
            <div class="row">
                <button class="btn" data-testid="walk-rerecord" data-act="rerecord" title="Take the selection, the view and the run's moment again (the words stay)">"Re-record view"</button>
                <button class="btn" data-testid="walk-preview" data-act="preview" title="Play the walkthrough from this step in the viewer readers get">"Preview"</button>
            </div>
        </div>
    }
}
