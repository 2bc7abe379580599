//! Drilling down while a run plays: pick an instance of the selected EC2 component or Auto
//! Scaling group and see everything under it at the run's simulated time (its host and rack,
//! the neighbour VMs with their CPU demand and the steal they cause, its hypervisor slice, its
//! ENI, security groups and routes, its volumes with IOPS and BurstBalance, and the placement
//! decision behind its host), with stop/start and reboot there so the noisy-neighbour fix is
//! done in the page. A connection's reachability, hop by hop, is in the inspector.

use leptos::prelude::*;
use strata_core::experiment::{Action, ActionKind, ActionParams, Target};
use strata_core::topology::ComponentKind;
use strata_worker::drill::{DrillView, Section};

use crate::live::client::{use_live, Live};
use crate::state::use_editor;

/// Sends an action on an instance (a stop with a start after `start_after_s`, a reboot) or a pod
/// (deleted, its node drained or failed) into the run.
fn operate(live: Live, kind: ActionKind, component: &str, slot: u32, start_after_s: Option<f64>) {
    let action = Action {
        action: kind,
        target: Target::Instance { component: component.to_string(), index: slot },
        start_s: 0.0,
        duration_s: start_after_s,
        params: ActionParams::default(),
    };
    if let Err(e) = live.inject(&action) {
        live.refused.set(Some(e));
    }
}

/// The instances of the selected component a user can drill into, while a run plays.
#[component]
pub fn InstancePicker() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    // The selected EC2 component or group, with its kind.
    let selected = Memo::new(move |_| {
        let sel = ed.selection.get();
        let id = sel.iter().next().filter(|_| sel.len() == 1)?.clone();
        let kind = ed.doc.with(|d| d.topology.components.iter().find(|c| c.id == id).map(|c| c.spec.kind()))?;
        matches!(kind, ComponentKind::Ec2 | ComponentKind::Asg).then_some((id, kind))
    });
    let running = Memo::new(move |_| live.header.with(Option::is_some));
    // Selecting an EC2 component follows its instance at once.
    Effect::new(move |_| {
        if !running.get() {
            return;
        }
        if let Some((id, ComponentKind::Ec2)) = selected.get() {
            live.inspect(Some((id, 0)));
        }
    });
    // The group's slots (only when they change, not at every refresh of the figures).
    let slots = Memo::new(move |_| {
        let (id, kind) = selected.get()?;
        match kind {
            ComponentKind::Asg => {
                live.nodes.with(|n| n.get(&id).map(|f| f.members.iter().map(|m| m.slot).collect::<Vec<_>>()))
            }
            _ => Some(vec![0]),
        }
    });
    move || {
        let (id, kind) = selected.get().filter(|_| running.get())?;
        let slots = slots.get()?;
        let buttons = slots
            .into_iter()
            .map(|slot| {
                let id2 = id.clone();
                let label = if kind == ComponentKind::Asg { format!("{id}[{slot}]") } else { id.clone() };
                let is_on = {
                    let id3 = id.clone();
                    move || live.inspecting.with(|t| t.as_ref().is_some_and(|(c, s)| *c == id3 && *s == slot))
                };
                view! {
                    <button class="btn btn-small" class:on=is_on.clone() data-testid=format!("inspect-{id}-{slot}")
                        aria-pressed=move || is_on().to_string()
                        on:click=move |_| live.inspect(Some((id2.clone(), slot)))>{label}</button>
                }
            })
            .collect_view();
        Some(
            view! {
                <div class="insp-actions" data-testid="instance-picker">
                    <span class="field-help">"Look under an instance: "</span>
                    {buttons}
                </div>
            }
            .into_any(),
        )
    }
}

/// The drill-down of the instance followed.
#[component]
pub fn DrillPanel() -> impl IntoView {
    let live = use_live();
    // Kept across refreshes of the figures (the view is rebuilt at each).
    let ui = DrillUi { stop_after: RwSignal::new(60.0), open: RwSignal::new(Vec::new()) };
    move || {
        live.inspecting.get()?;
        Some(match live.drill.get()? {
            Err(why) => view! { <p class="empty-hint" data-testid="drill-unavailable">{why}</p> }.into_any(),
            Ok(d) => drill_view(live, ui, d),
        })
    }
}

/// What the user set in the drill-down, outside the figures it is rebuilt from.
#[derive(Clone, Copy)]
struct DrillUi {
    /// Seconds between the stop and the start.
    stop_after: RwSignal<f64>,
    /// Folded sections the user opened, by key.
    open: RwSignal<Vec<String>>,
}

fn section_view(ui: DrillUi, s: Section) -> AnyView {
    let lines = s.lines.into_iter().map(|l| view! { <p class="drill-mono">{l}</p> }).collect_view();
    let table = s.table.map(|t| {
        let head = t.head.into_iter().map(|h| view! { <th>{h}</th> }).collect_view();
        let rows = t
            .rows
            .into_iter()
            .map(|(cells, marked)| {
                let cells = cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view();
                view! { <tr class:drill-chosen=marked data-marked=marked.to_string()>{cells}</tr> }
            })
            .collect_view();
        view! { <table class="run-table drill-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table> }
    });
    let key = s.key.clone();
    let folded = s.folded;
    let is_open = Memo::new({
        let k = key.clone();
        move |_| !folded || ui.open.with(|o| o.contains(&k))
    });
    let toggle = move |_| {
        ui.open.update(|o| match o.iter().position(|k| *k == key) {
            Some(i) => {
                o.remove(i);
            }
            None => o.push(key.clone()),
        })
    };
    let body = view! { {lines}{table} };
    view! {
        <section class="drill-sec" class:drill-bad=s.bad data-testid=format!("drill-{}", s.key)>
            <h3>
                <button class="drill-fold" aria-expanded=move || is_open.get().to_string() on:click=toggle>{s.title}</button>
            </h3>
            <div class="drill-body" class:folded=move || !is_open.get()>{body}</div>
        </section>
    }
    .into_any()
}

fn drill_view(live: Live, ui: DrillUi, d: DrillView) -> AnyView {
    let is_pod = d.facts.iter().any(|(k, _)| k == "pod");
    let facts = d.facts.into_iter().map(|(k, v)| view! { <dd data-fact=k>{v}</dd> }).collect_view();
    let sections = d.sections.into_iter().map(|s| section_view(ui, s)).collect_view();
    let (component, slot) = (d.component.clone(), d.slot);
    let (c1, c2, c3, c4) = (component.clone(), component.clone(), component.clone(), component.clone());
    let c5 = component;
    let stop_after = ui.stop_after;
    let set_stop_after = move |ev: leptos::ev::Event| {
        if let Some(v) = event_target_value(&ev).parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0) {
            stop_after.set(v);
        }
    };
    view! {
        <section class="drill" data-testid="drill" data-instance=d.name data-time-ns=d.time_ns.to_string()>
            <h2 class="panel-title">{d.title}</h2>
            <p class="field-help">{d.subtitle}</p>
            <dl class="drill-facts" hidden>{facts}</dl>
            <div class="insp-actions">
                // A pod is stopped and started by Kubernetes, not with EC2's calls.
                <span hidden=is_pod>
                <label class="field-help">"Stop, start after "
                    <input class="inject-duration" type="number" min="1" data-testid="drill-stop-after"
                        prop:value=move || stop_after.get().to_string()
                        on:input=set_stop_after/>
                    " s"
                </label>
                <button class="btn btn-small" data-testid="drill-stop-start" title="StopInstances, then StartInstances: placement chooses a host afresh"
                    on:click=move |_| operate(live, ActionKind::StopInstance, &c1, slot, Some(stop_after.get_untracked()))>"Stop / start"</button>
                <button class="btn btn-small" data-testid="drill-reboot" title="RebootInstances: same host, same VM"
                    on:click=move |_| operate(live, ActionKind::RebootInstance, &c2, slot, None)>"Reboot"</button>
                </span>
                // A pod's faults, as Kubernetes has them.
                <span hidden=!is_pod>
                <button class="btn btn-small" data-testid="drill-pod-delete" title="kubectl delete pod: its ReplicaSet starts a replacement"
                    on:click=move |_| operate(live, ActionKind::PodDelete, &c3, slot, None)>"Delete pod"</button>
                <button class="btn btn-small" data-testid="drill-drain-node" title="kubectl drain: cordon its node and evict its pods"
                    on:click=move |_| operate(live, ActionKind::DrainNode, &c4, slot, None)>"Drain its node"</button>
                <button class="btn btn-small" data-testid="drill-node-failure" title="The node's EC2 instance fails"
                    on:click=move |_| operate(live, ActionKind::NodeFailure, &c5, slot, None)>"Fail its node"</button>
                </span>
                <button class="btn btn-ghost btn-small" on:click=move |_| live.inspect(None)>"Close"</button>
            </div>
            {move || live.refused.get().map(|e| view! { <p class="run-problem" role="alert" data-testid="drill-refused">{e}</p> })}
            {sections}
        </section>
    }
    .into_any()
}
