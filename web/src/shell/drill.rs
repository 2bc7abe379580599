//! Drilling down while a run plays: pick an instance of the selected EC2 component or Auto
//! Scaling group and see everything under it at the run's simulated time (its host and rack,
//! the neighbour VMs with their CPU demand and the steal they cause, its hypervisor slice, its
//! ENI, security groups and routes, its volumes with IOPS and BurstBalance, and the placement
//! decision behind its host), with stop/start and reboot there so the noisy-neighbour fix is
//! done in the page. A connection's reachability, hop by hop, is in the inspector.

use leptos::prelude::*;
use strata_core::experiment::{Action, ActionKind, ActionParams, Target};
use strata_core::layers::placement::CandidateVerdict;
use strata_core::topology::ComponentKind;
use strata_worker::protocol::{Command, Drill};

use crate::live::client::{use_live, Live};
use crate::state::use_editor;

fn pct(x: f64) -> String {
    format!("{x:.1}%")
}

/// Sends a stop (with a start after `start_after_s`) or a reboot of an instance into the run.
fn operate(live: Live, kind: ActionKind, component: &str, slot: u32, start_after_s: Option<f64>) {
    let action = Action {
        action: kind,
        target: Target::Instance { component: component.to_string(), index: slot },
        start_s: 0.0,
        duration_s: start_after_s,
        params: ActionParams::default(),
    };
    if let Ok(json) = serde_json::to_string(&action) {
        live.send(Command::Inject { action: json });
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
        Some(view! {
            <div class="insp-actions" data-testid="instance-picker">
                <span class="field-help">"Look under an instance: "</span>
                {buttons}
            </div>
        })
    }
}

/// The drill-down of the instance followed.
#[component]
pub fn DrillPanel() -> impl IntoView {
    let live = use_live();
    // Kept across refreshes of the figures (the view is rebuilt at each).
    let ui = DrillUi { stop_after: RwSignal::new(60.0), placement_open: RwSignal::new(false) };
    move || {
        live.inspecting.get()?;
        Some(match live.drill.get()? {
            Err(why) => view! { <p class="empty-hint" data-testid="drill-unavailable">{why}</p> }.into_any(),
            Ok(d) => drill_view(live, ui, d).into_any(),
        })
    }
}

/// What the user set in the drill-down, outside the figures it is rebuilt from.
#[derive(Clone, Copy)]
struct DrillUi {
    /// Seconds between the stop and the start.
    stop_after: RwSignal<f64>,
    /// The placement decision is open.
    placement_open: RwSignal<bool>,
}

fn drill_view(live: Live, ui: DrillUi, d: Drill) -> impl IntoView {
    let state = serde_json::to_value(d.state).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let host = d.host.clone().map(|h| {
        let overloaded = h.cpu_load_percent > 100.0;
        view! {
            <section class="drill-sec" data-testid="drill-host" data-host=h.name.clone() data-steal=h.steal_percent.to_string()>
                <h3>"Host"</h3>
                <p><strong>{h.name.clone()}</strong>" in rack "{h.rack.clone()}" · "{h.data_center.clone()}" · "{h.az.clone()}</p>
                <p class="drill-mono">{format!("{} · {} cores, {} threads, {:.0} GiB", h.cpu_model, h.cores, h.hardware_threads, h.memory_gib)}</p>
                <p class="drill-mono">{format!(
                    "{} of {} sellable vCPUs allocated ({:.2} per thread) · {:.0} of {:.0} GiB",
                    h.allocated_vcpus, h.sellable_vcpus, h.oversubscription, h.allocated_memory_gib, h.memory_gib
                )}</p>
                <p class="drill-mono" class:drill-bad=overloaded>{format!(
                    "CPU demand {:.1} of {:.1} vCPUs ({}) · steal {}{}",
                    h.cpu_demand_vcpus, h.cpu_capacity_vcpus, pct(h.cpu_load_percent), pct(h.steal_percent),
                    if h.available { "" } else { " · unavailable (AZ lost)" }
                )}</p>
            </section>
        }
    });
    let slice = d.slice.clone().map(|s| {
        view! {
            <section class="drill-sec" data-testid="drill-slice" data-steal=s.steal_percent.to_string() data-multiplier=s.service_time_multiplier.to_string()>
                <h3>"Hypervisor slice"</h3>
                <p class="drill-mono">{format!(
                    "{} vCPUs, {:.0} GiB · guest CPU {} · steal {} · service times ×{:.2}",
                    s.vcpus, s.memory_gib, pct(s.guest_cpu_percent), pct(s.steal_percent), s.service_time_multiplier
                )}</p>
            </section>
        }
    });
    let neighbours = (!d.neighbours.is_empty()).then(|| {
        let rows = d
            .neighbours
            .iter()
            .map(|n| {
                view! {
                    <tr data-testid="drill-neighbour">
                        <th scope="row">{n.name.clone()}</th>
                        <td>{n.account.clone()}</td>
                        <td>{n.vcpus}</td>
                        <td>{pct(n.cpu_demand_percent)}</td>
                        <td>{pct(n.steal_percent)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="drill-sec">
                <h3>{format!("Neighbours on the host ({})", d.neighbours.len())}</h3>
                <table class="run-table drill-table">
                    <thead><tr><th>"VM"</th><th>"account"</th><th>"vCPUs"</th><th>"CPU"</th><th>"steal"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    let network = d.network.clone().map(|n| {
        let sgs = n
            .security_groups
            .iter()
            .map(|g| {
                let rules = g.inbound.iter().map(|r| format!("in: {r}")).chain(g.outbound.iter().map(|r| format!("out: {r}")));
                view! { <li><strong>{g.name.clone()}</strong>" "{rules.collect::<Vec<_>>().join("; ")}</li> }
            })
            .collect_view();
        let routes = n.routes.iter().map(|r| format!("{} → {}", r.destination, r.target)).collect::<Vec<_>>().join(", ");
        view! {
            <section class="drill-sec" data-testid="drill-network" data-ip=n.private_ip.clone()>
                <h3>"Network"</h3>
                <p class="drill-mono">{format!("{} · {}{} · subnet {} {} · VPC {} {}", n.eni_id, n.private_ip,
                    n.public_ip.as_ref().map(|p| format!(" / {p}")).unwrap_or_default(), n.subnet, n.subnet_cidr, n.vpc, n.vpc_cidr)}</p>
                <ul class="drill-list">{sgs}</ul>
                <p class="drill-mono">{format!("route table {}: {routes} · NACL {}", n.route_table, n.nacl)}</p>
            </section>
        }
    });
    let volumes = d
        .volumes
        .iter()
        .map(|v| {
            let kind = serde_json::to_value(v.kind).ok().and_then(|x| x.as_str().map(str::to_string)).unwrap_or_default();
            view! {
                <li data-testid="drill-volume" data-iops=v.iops_limit.to_string() data-burst=v.burst_balance_percent.to_string()>
                    <strong>{v.name.clone()}</strong>
                    {format!(" {kind} {} GiB · {} IOPS now (baseline {}, burst {}) · BurstBalance {} · queue {} I/Os, {:.1} ms{}",
                        v.size_gib, v.iops_limit, v.baseline_iops, v.burst_iops, pct(v.burst_balance_percent), v.queued_ios, v.queue_wait_ms,
                        if v.root { " · root" } else { "" })}
                </li>
            }
        })
        .collect_view();
    let placement = d.placement.clone().map(|p| {
        let chosen = p.chosen;
        let rows = p
            .candidates
            .iter()
            .map(|c| {
                let (verdict, score) = match &c.verdict {
                    CandidateVerdict::Filtered { reason } => (reason.clone(), String::new()),
                    CandidateVerdict::Scored { score, terms } => (terms.join(", "), format!("{score:.1}")),
                };
                let won = chosen == Some(c.host);
                view! {
                    <tr class:drill-chosen=won data-testid="drill-candidate" data-chosen=won.to_string()>
                        <th scope="row">{c.host_name.clone()}</th>
                        <td>{score}</td>
                        <td class="drill-why">{verdict}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <details class="drill-sec" data-testid="drill-placement" prop:open=move || ui.placement_open.get()
                on:toggle=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(el) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                        ui.placement_open.set(el.open());
                    }
                }>
                <summary>{format!("Why this host? {} candidates in {}", p.candidates.len(), p.az_reason)}</summary>
                <table class="run-table drill-table">
                    <thead><tr><th>"host"</th><th>"score"</th><th>"filtered out, or the score's terms"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        }
    });
    let note = d.placement_note.clone().map(|n| view! { <p class="field-help">{n}</p> });
    let (component, slot) = (d.component.clone(), d.slot);
    let (c1, c2) = (component.clone(), component.clone());
    let stop_after = ui.stop_after;
    let set_stop_after = move |ev: leptos::ev::Event| {
        if let Some(v) = event_target_value(&ev).parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0) {
            stop_after.set(v);
        }
    };
    view! {
        <section class="drill" data-testid="drill" data-instance=d.name.clone() data-time-ns=d.time_ns.to_string() data-state=state.clone()>
            <h2 class="panel-title">{format!("{} · {} · {}", d.name, d.instance_type, state)}</h2>
            <p class="field-help">{format!("{} vCPUs, {:.0} GiB, {} · {}{}", d.vcpus, d.memory_gib, d.az,
                if d.takes_traffic { "serving" } else { "not serving" },
                if d.restarts > 0 { format!(" · stopped and started {} time(s)", d.restarts) } else { String::new() })}</p>
            <div class="insp-actions">
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
                <button class="btn btn-ghost btn-small" on:click=move |_| live.inspect(None)>"Close"</button>
            </div>
            {move || live.refused.get().map(|e| view! { <p class="run-problem" role="alert" data-testid="drill-refused">{e}</p> })}
            {host}
            {slice}
            {neighbours}
            {network}
            <section class="drill-sec"><h3>"Volumes"</h3><ul class="drill-list">{volumes}</ul></section>
            {placement}
            {note}
        </section>
    }
}

/// A hop's kind on screen.
fn hop_label(k: strata_core::layers::network::HopKind) -> &'static str {
    use strata_core::layers::network::HopKind as H;
    match k {
        H::RouteTable => "route table",
        H::Gateway => "gateway",
        H::NaclOutbound => "NACL out",
        H::SgOutbound => "security group out",
        H::NaclInbound => "NACL in",
        H::SgInbound => "security group in",
        H::ReturnRoute => "return route",
        H::ReturnNaclOutbound => "return NACL out",
        H::ReturnNaclInbound => "return NACL in",
    }
}

/// Whether connection `index` of `t` gets through the network layer, hop by hop, with the
/// blocking hop and its fix. Nothing when the design models no network under its instances or
/// an end has no network interface.
pub fn reachability_view(t: &strata_core::topology::Topology, index: usize) -> Option<impl IntoView> {
    let cfg = t.infrastructure.as_ref()?;
    let attached = strata_core::layers::attach::attach(t, cfg, 0);
    let path = attached.paths.into_iter().find(|p| p.connection == index)?;
    let r = path.report;
    let hops = r
        .hops
        .iter()
        .map(|h| {
            view! {
                <li class=if h.passed { "hop hop-pass" } else { "hop hop-block" } data-testid="reach-hop" data-passed=h.passed.to_string()>
                    <strong>{if h.passed { "✓ " } else { "✗ " }}{hop_label(h.kind)}" "{h.component.clone()}</strong>
                    " "{h.detail.clone()}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="drill-sec" data-testid="reachability" data-reachable=r.reachable.to_string()>
            <h3>{format!("Reachability on port {}", r.port)}</h3>
            <p class="field-help">{format!("{} → {}: {}", r.source, r.destination, if r.reachable { "reachable both ways" } else { "blocked" })}</p>
            <ol class="drill-list">{hops}</ol>
        </section>
    })
}
