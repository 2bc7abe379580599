//! Breaking things while a run plays: pick a failure, its target and how long it lasts, and it
//! strikes at the run's current time. Opened from the strip's "Break something" button or by
//! right-clicking a component (which preselects it). The failure joins the run's experiment in
//! the worker, so the run stays reproducible.

use leptos::prelude::*;
use strata_core::experiment::{Action, ActionKind, ActionParams, PushStrategy, Target};
use strata_core::topology::{ComponentKind, ContainerKind, Topology};

use crate::live::client::{use_live, Live};
use crate::state::use_editor;

/// The component kinds an action can be aimed at (empty: it aims at containers or connections).
fn component_kinds(kind: ActionKind) -> &'static [ComponentKind] {
    use ComponentKind as K;
    match kind {
        ActionKind::TerminateInstance
        | ActionKind::HostFailure
        | ActionKind::CpuStress
        | ActionKind::EbsPause
        | ActionKind::EbsThrottle => &[K::Ec2, K::Asg],
        ActionKind::DnsFailure => {
            &[K::Route53, K::Cloudfront, K::Alb, K::Rds, K::Elasticache, K::S3, K::Dynamodb, K::Sqs]
        }
        ActionKind::DbFailover => &[K::Rds],
        ActionKind::StopInstance => &[K::Ec2],
        ActionKind::RebootInstance => &[K::Ec2, K::Asg],
        ActionKind::ConfigPush => &[K::Cloudfront, K::Route53],
        ActionKind::AsgCapacityError => &[K::Asg],
        ActionKind::Deploy | ActionKind::PodDelete | ActionKind::DrainNode | ActionKind::NodeFailure => {
            &[K::Eks, K::Ecs]
        }
        ActionKind::AzOutage
        | ActionKind::RegionOutage
        | ActionKind::NetworkLatency
        | ActionKind::PacketLoss
        | ActionKind::Partition => &[],
    }
}

/// What `kind` can be aimed at in a design, with a label for each.
pub fn targets(t: &Topology, kind: ActionKind) -> Vec<(String, Target)> {
    let containers = |k: ContainerKind| t.containers.iter().filter(move |c| c.kind == k);
    let name = |id: &str, label: &str| {
        if label.is_empty() || label == id {
            id.to_string()
        } else {
            format!("{label} ({id})")
        }
    };
    match kind {
        ActionKind::AzOutage => {
            containers(ContainerKind::Az).map(|c| (name(&c.id, &c.label), Target::Az(c.id.clone()))).collect()
        }
        ActionKind::RegionOutage => {
            containers(ContainerKind::Region).map(|c| (name(&c.id, &c.label), Target::Region(c.id.clone()))).collect()
        }
        ActionKind::NetworkLatency | ActionKind::PacketLoss => t
            .connections
            .iter()
            .map(|c| (format!("{} → {}", c.from, c.to), Target::Connection { from: c.from.clone(), to: c.to.clone() }))
            .collect(),
        ActionKind::Partition => {
            let azs: Vec<_> = containers(ContainerKind::Az).collect();
            let mut out = Vec::new();
            for (i, a) in azs.iter().enumerate() {
                for b in &azs[i + 1..] {
                    out.push((format!("{} | {}", a.id, b.id), Target::Azs([a.id.clone(), b.id.clone()])));
                }
            }
            out
        }
        _ => t
            .components
            .iter()
            .filter(|c| component_kinds(kind).contains(&c.spec.kind()))
            .map(|c| {
                let target = match kind {
                    ActionKind::TerminateInstance
                    | ActionKind::HostFailure
                    | ActionKind::CpuStress
                    | ActionKind::EbsPause
                    | ActionKind::EbsThrottle
                    | ActionKind::StopInstance
                    | ActionKind::RebootInstance => Target::Instance { component: c.id.clone(), index: 0 },
                    _ => Target::Component(c.id.clone()),
                };
                (name(&c.id, &c.label), target)
            })
            .collect(),
    }
}

/// Whether an action lasts a duration the user picks (a reboot lasts as long as the OS takes).
fn lasts(kind: ActionKind) -> bool {
    !matches!(kind, ActionKind::RebootInstance | ActionKind::Deploy) && !kind.on_pods()
}

/// The one number an action needs, if any: (label, unit, default, setter).
type Knob = (&'static str, &'static str, f64, fn(&mut ActionParams, f64));

fn knob(kind: ActionKind) -> Option<Knob> {
    match kind {
        ActionKind::NetworkLatency => Some(("Added latency", "ms each way", 100.0, |p, v| p.latency_ms = Some(v))),
        ActionKind::PacketLoss => Some(("Lost", "% of calls", 10.0, |p, v| p.loss_percent = Some(v))),
        ActionKind::CpuStress => Some(("Neighbour's CPU", "% of the host", 80.0, |p, v| p.cpu_percent = Some(v))),
        ActionKind::EbsThrottle => Some(("Volume limited to", "IOPS", 100.0, |p, v| p.iops = Some(v))),
        ActionKind::ConfigPush => {
            Some(("Requests failing", "% at pushed edges", 100.0, |p, v| p.error_percent = Some(v)))
        }
        // Deployed from here as a person would: with an alarm that rolls it back (as a 10%
        // canary unless another strategy is chosen).
        ActionKind::Deploy => Some(("New version fails", "% of its requests (rolled back above 5%)", 20.0, |p, v| {
            p.error_percent = Some(v);
            p.strategy = Some(PushStrategy::Canary);
            p.stages_percent = Some(vec![10.0, 100.0]);
            p.halt_error_percent = Some(5.0);
        })),
        _ => None,
    }
}

/// The strategies a deployment from the menu offers: the strategy, its name in documents, its
/// label.
const STRATEGIES: [(PushStrategy, &str, &str); 4] = [
    (PushStrategy::Canary, "canary", "canary: 10% of the pods for 5 min, then all"),
    (PushStrategy::Rolling, "rolling", "rolling: 25% more, 25% fewer at a time"),
    (PushStrategy::BlueGreen, "blue-green", "blue-green: a second set, switched at once"),
    (PushStrategy::AllAtOnce, "all-at-once", "all at once"),
];

/// The failure a right-click on a component of `kind` proposes first: the one people think of
/// for it (an instance dies, a database fails over, a bad push reaches the edges), else the
/// first that can be aimed at it.
pub fn first_action_for(kind: ComponentKind) -> Option<ActionKind> {
    let usual = match kind {
        ComponentKind::Ec2 | ComponentKind::Asg => Some(ActionKind::TerminateInstance),
        ComponentKind::Rds => Some(ActionKind::DbFailover),
        ComponentKind::Cloudfront => Some(ActionKind::ConfigPush),
        ComponentKind::Eks | ComponentKind::Ecs => Some(ActionKind::Deploy),
        _ => None,
    };
    usual.or_else(|| ActionKind::ALL.into_iter().find(|a| component_kinds(*a).contains(&kind)))
}

/// Opens the panel, optionally aimed at a component.
pub fn open_inject(live: Live, component: Option<String>) {
    live.inject_open.set(Some(component));
}

/// The "break something" panel.
#[component]
pub fn InjectPanel() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let kind = RwSignal::new(ActionKind::AzOutage);
    let target = RwSignal::new(0usize);
    let duration = RwSignal::new(String::from("60"));
    let amount = RwSignal::new(None::<f64>);
    let strategy = RwSignal::new(PushStrategy::Canary);
    let error = RwSignal::new(None::<String>);

    // Aim at the component it was opened on.
    Effect::new(move |_| {
        if let Some(Some(id)) = live.inject_open.get() {
            let found =
                ed.doc.with_untracked(|d| d.topology.components.iter().find(|c| c.id == id).map(|c| c.spec.kind()));
            if let Some(action) = found.and_then(first_action_for) {
                kind.set(action);
                let aims_at =
                    |t: &Target| matches!(t, Target::Component(c) | Target::Instance { component: c, .. } if *c == id);
                let index =
                    ed.doc.with_untracked(|d| targets(&d.topology, action).iter().position(|(_, t)| aims_at(t)));
                target.set(index.unwrap_or(0));
            }
        }
    });
    let options = Memo::new(move |_| ed.doc.with(|d| targets(&d.topology, kind.get())));
    let close = move || {
        live.inject_open.set(None);
        error.set(None);
    };
    let inject = move || {
        let Some((_, t)) = options.with_untracked(|o| o.get(target.get_untracked()).cloned()) else {
            error.set(Some("This design has nothing this failure can be aimed at.".into()));
            return;
        };
        let text = duration.get_untracked();
        let duration_s = match text.trim() {
            _ if !lasts(kind.get_untracked()) => None,
            "" => None,
            s => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => Some(v),
                _ => {
                    error.set(Some(format!("“{s}” is not a duration in seconds (leave it empty: until the end).")));
                    return;
                }
            },
        };
        let mut params = ActionParams::default();
        if let Some((_, _, default, set)) = knob(kind.get_untracked()) {
            set(&mut params, amount.get_untracked().unwrap_or(default));
        }
        if kind.get_untracked() == ActionKind::Deploy && strategy.get_untracked() != PushStrategy::Canary {
            params.strategy = Some(strategy.get_untracked());
            params.stages_percent = None;
        }
        let action = Action { action: kind.get_untracked(), target: t, start_s: 0.0, duration_s, params };
        match live.inject(&action) {
            Ok(()) => close(),
            Err(e) => error.set(Some(e)),
        }
    };

    view! {
        <Show when=move || live.inject_open.with(Option::is_some)>
            <div class="inject-panel" role="dialog" aria-label="Break something" data-testid="inject-panel"
                on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <strong>"Break something now"</strong>
                <label>
                    "Failure "
                    <select data-testid="inject-action" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some(a) = ActionKind::ALL.into_iter().find(|a| a.name() == v) {
                            kind.set(a);
                            target.set(0);
                            amount.set(None);
                        }
                    }>
                        {ActionKind::ALL.into_iter().map(|a| view! {
                            <option value=a.name() selected=move || kind.get() == a>{a.name()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Target "
                    <select data-testid="inject-target" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() { target.set(i) }
                    }>
                        {move || options.get().into_iter().enumerate().map(|(i, (label, _))| view! {
                            <option value=i.to_string() selected=move || target.get() == i>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                {move || options.with(Vec::is_empty).then(|| view! {
                    <span class="inject-none" data-testid="inject-none">"Nothing in this design to aim it at."</span>
                })}
                <Show when=move || lasts(kind.get())>
                    <label>
                        "For "
                        <input class="inject-duration" data-testid="inject-duration" type="text" inputmode="decimal"
                            prop:value=move || duration.get() on:input=move |ev| duration.set(event_target_value(&ev))/>
                        " s"
                    </label>
                </Show>
                {move || knob(kind.get()).map(|(label, unit, default, _)| view! {
                    <label>
                        {label}" "
                        <input class="inject-duration" data-testid="inject-amount" type="number"
                            prop:value=move || amount.get().unwrap_or(default).to_string()
                            on:input=move |ev| amount.set(event_target_value(&ev).parse().ok())/>
                        " "{unit}
                    </label>
                })}
                <Show when=move || kind.get() == ActionKind::Deploy>
                    <label>
                        "Strategy "
                        <select data-testid="inject-strategy" on:change=move |ev| {
                            if let Some(s) = STRATEGIES.iter().find(|(_, n, _)| *n == event_target_value(&ev)) {
                                strategy.set(s.0);
                            }
                        }>
                            {STRATEGIES.iter().map(|&(s, name, label)| view! {
                                <option value=name selected=move || strategy.get() == s>{label}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <button class="btn" data-testid="inject-go" on:click=move |_| inject()
                    disabled=move || options.with(Vec::is_empty)>"Inject now"</button>
                <button class="btn btn-ghost" on:click=move |_| close()>"Cancel"</button>
                {move || error.get().or_else(|| live.refused.get()).map(|e| view! {
                    <p class="run-problem" role="alert" data-testid="inject-refused">{e}</p>
                })}
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> Topology {
        let path = format!("{}/../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn every_target_offered_is_one_the_engine_accepts() {
        for name in ["three-tier", "az-outage-multi-az", "multi-service", "config-push-canary", "deploy-canary"] {
            let t = scenario(name);
            for kind in ActionKind::ALL {
                for (label, target) in targets(&t, kind) {
                    let a = Action {
                        action: kind,
                        target,
                        start_s: 1.0,
                        duration_s: lasts(kind).then_some(10.0),
                        params: ActionParams::default(),
                    };
                    let problems = strata_core::experiment::check_action(&t, &a);
                    assert!(problems.is_empty(), "{name}: {} on {label}: {problems:?}", kind.name());
                }
            }
        }
    }

    #[test]
    fn the_common_failures_have_targets_in_the_three_tier_design() {
        let t = scenario("three-tier");
        for kind in
            [ActionKind::AzOutage, ActionKind::DbFailover, ActionKind::TerminateInstance, ActionKind::NetworkLatency]
        {
            assert!(!targets(&t, kind).is_empty(), "{}", kind.name());
        }
        assert_eq!(first_action_for(ComponentKind::Rds), Some(ActionKind::DbFailover));
        assert_eq!(first_action_for(ComponentKind::Client), None);
    }
}
