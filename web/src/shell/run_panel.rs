//! The live run's side panel, above the inspector: instance launches animated through the six
//! layers, phase by phase at their simulated times, with the host, IP and volume each one got.

use leptos::prelude::*;

use crate::live::client::use_live;
use crate::live::launches::{layer_label, phase_label, Launch, LaunchState, Operation};
use crate::shell::drill::{DrillPanel, InstancePicker};

/// Seconds as `+1.234 s`.
fn offset(ns: u64) -> String {
    format!("+{:.3} s", ns as f64 / 1e9)
}

/// Simulated time as `00:01:02.345`.
pub fn stamp(ns: u64) -> String {
    let t = ns as f64 / 1e9;
    format!("{:02}:{:02}:{:06.3}", (t / 3600.0) as u64, ((t / 60.0) as u64) % 60, t % 60.0)
}

/// The run panel, while a run plays: the drill-down under an instance, and the launches.
#[component]
pub fn RunPanel() -> impl IntoView {
    let live = use_live();
    let running = Memo::new(move |_| live.header.with(Option::is_some));
    let has_launches = Memo::new(move |_| live.launches.with(|l| !l.list().is_empty()));
    move || {
        running.get().then(|| {
            view! {
                <section class="run-panel" data-testid="run-panel" aria-label="The run, under the boxes">
                    <InstancePicker/>
                    <DrillPanel/>
                    <crate::shell::trace::TracePanel/>
                    {move || has_launches.get().then(|| view! {
                        <h2 class="panel-title">
                            "Launches "
                            <span class="count" data-testid="launches-in-progress">
                                {move || match live.launches.with(|l| l.in_progress()) {
                                    0 => "(none in progress)".to_string(),
                                    n => format!("({n} in progress)"),
                                }}
                            </span>
                        </h2>
                        <LaunchList/>
                    })}
                </section>
            }
        })
    }
}

#[component]
fn LaunchList() -> impl IntoView {
    let live = use_live();
    move || live.launches.with(|l| l.list().iter().map(launch_view).collect_view())
}

/// One launch as a stepper: every phase, done ones with their time since the request.
fn launch_view(l: &Launch) -> AnyView {
    let state = l.state();
    let (state_name, summary) = match state {
        LaunchState::InProgress(p) => ("in_progress", format!("{}…", phase_label(p))),
        LaunchState::Done => {
            let what = match l.op {
                Operation::Launch => "running",
                Operation::Stop => "stopped",
                Operation::Reboot => "running again",
            };
            ("done", format!("{what} after {:.1} s", l.elapsed_ns() as f64 / 1e9))
        }
        LaunchState::Failed(p) => ("failed", format!("failed at {}", phase_label(p).to_lowercase())),
    };
    let start = l.steps.first().map_or(0, |s| s.time_ns);
    let done: Vec<&str> = l.steps.iter().map(|s| phase_name(s.phase)).collect();
    let steps =
        l.op.phases()
            .iter()
            .map(|p| {
                let step = l.step(*p);
                let class = match (step, state) {
                    (Some(s), _) if s.failed => "step failed",
                    (Some(_), _) => "step done",
                    (None, LaunchState::InProgress(next)) if next == *p => "step current",
                    _ => "step todo",
                };
                let when = step.map(|s| offset(s.time_ns - start)).unwrap_or_default();
                let title = step.map(|s| format!("{} {}", stamp(s.time_ns), s.detail)).unwrap_or_default();
                view! {
                    <li
                        class=class
                        data-phase=phase_name(*p)
                        data-time-ns=step.map(|s| s.time_ns.to_string())
                        title=title
                    >
                        <span class="step-layer">{layer_label(p.layer())}</span>
                        <span class="step-name">{phase_label(*p)}</span>
                        <span class="step-time">{when}</span>
                    </li>
                }
            })
            .collect_view();
    let (host, ip, volume) = l.details();
    let details = [("host", host), ("IP", ip), ("volume", volume)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join(" · ");
    let detail_line = l.steps.last().map(|s| s.detail.clone()).unwrap_or_default();
    view! {
        <article
            class=format!("launch launch-{state_name}")
            data-testid=format!("launch-{}", l.instance)
            data-state=state_name
            data-op=l.op.label()
            data-phases=done.join(",")
        >
            <header class="launch-head">
                <strong>{l.instance.clone()}</strong>
                {format!(" {}", l.op.label())}
                {l.component.clone().map(|c| format!(" for {c}"))}
                <span class="launch-summary">" · "{summary}</span>
            </header>
            <ol class="launch-steps">{steps}</ol>
            <p class="launch-details">{details}</p>
            <p class="launch-detail">{detail_line}</p>
        </article>
    }
    .into_any()
}

/// A phase's name in `data-` attributes (the serde name).
fn phase_name(p: strata_core::layers::launch::LaunchPhase) -> &'static str {
    use strata_core::layers::launch::LaunchPhase as P;
    match p {
        P::RequestAccepted => "request_accepted",
        P::CapacityReserved => "capacity_reserved",
        P::VmCreated => "vm_created",
        P::StorageAttached => "storage_attached",
        P::NetworkConfigured => "network_configured",
        P::OsBoot => "os_boot",
        P::Running => "running",
        P::Stopping => "stopping",
        P::Stopped => "stopped",
        P::Rebooting => "rebooting",
    }
}
