//! One request's story in the run panel: pick a request (one that failed or was slow lately,
//! one clicked on the canvas, or any number, as the failure tooltips name them) and see its
//! waterfall: each hop's network time, queueing
//! and service, retries as further attempts, where it failed and why, the critical path in bold.
//! The worker traces it by replaying the run (see `strata_worker::trace`).

use leptos::prelude::*;
use strata_worker::trace::{Trace, TraceHop};

use crate::live::client::use_live;
use crate::shell::run_panel::stamp;

/// Width of the bars' area, px.
const BARS_W: f64 = 150.0;

/// Where a hop's bar starts and how wide it is, px, on a waterfall `span_ms` long; and its
/// queued part's width.
pub fn bar(h: &TraceHop, span_ms: f64) -> (f64, f64, f64) {
    let scale = BARS_W / span_ms.max(1e-9);
    let end = h.finished_ms.unwrap_or(span_ms);
    let x = h.arrived_ms * scale;
    let w = ((end - h.arrived_ms) * scale).max(1.0);
    let queued = h.queued_ms.map_or(0.0, |q| (q * scale).min(w));
    (x, w, queued)
}

/// How long the waterfall is: the latest moment any hop shows.
pub fn span_ms(t: &Trace) -> f64 {
    t.hops.iter().map(|h| h.finished_ms.unwrap_or(h.arrived_ms)).fold(0.0, f64::max).max(1.0)
}

fn hop_row(h: &TraceHop, span: f64) -> impl IntoView {
    let (x, w, queued) = bar(h, span);
    let name = match h.instance {
        Some(i) => format!("{}[{i}]", h.component),
        None => h.component.clone(),
    };
    let attempt = (h.attempt > 1).then(|| format!(" (attempt {})", h.attempt));
    let timing = format!(
        "arrived +{:.2} ms over {:.2} ms of network{}{}",
        h.arrived_ms,
        h.network_ms,
        h.queued_ms.map(|q| format!(", queued {q:.2} ms")).unwrap_or_default(),
        match h.finished_ms {
            Some(f) => format!(", answered at +{f:.2} ms"),
            None => ", no answer when the trace ended".into(),
        }
    );
    let status = h.error.clone().unwrap_or_else(|| if h.finished_ms.is_some() { "ok".into() } else { "cut".into() });
    view! {
        <li class="trace-hop" class:critical=h.critical class:failed=h.error.is_some() class:cut=h.finished_ms.is_none()
            data-testid="trace-hop" data-component=h.component.clone() data-depth=h.depth.to_string()
            data-arrived=h.arrived_ms.to_string() data-finished=h.finished_ms.map(|f| f.to_string())
            data-error=h.error.clone() title=timing>
            <span class="trace-name" style=format!("padding-left:{}px", h.depth * 10)>{name}{attempt}</span>
            <span class="trace-bars" style=format!("width:{BARS_W}px")>
                <i class="trace-bar" style=format!("left:{x:.1}px;width:{w:.1}px")>
                    <i class="trace-queued" style=format!("width:{queued:.1}px")></i>
                </i>
            </span>
            <span class="trace-status">{status}</span>
        </li>
    }
}

/// The trace picker and waterfall.
#[component]
pub fn TracePanel() -> impl IntoView {
    let live = use_live();
    let number = RwSignal::new(String::new());
    let go = move || {
        if let Ok(n) = number.get_untracked().trim().trim_start_matches('#').parse::<u64>() {
            live.trace_request(n);
        }
    };
    let waterfall = move || {
        live.trace.get().map(|t| match t {
            Err(why) => view! { <p class="run-problem" data-testid="trace-problem">{why}</p> }.into_any(),
            Ok(t) => {
                let span = span_ms(&t);
                view! {
                    <div class="trace" data-testid="trace" data-request=t.request.to_string()>
                        <p class="trace-outcome" data-testid="trace-outcome">
                            {format!("Request #{} sent at {}: {}", t.request, stamp(t.sent_ns), t.outcome)}
                        </p>
                        <ol class="trace-hops">{t.hops.iter().map(|h| hop_row(h, span)).collect_view()}</ol>
                        <p class="trace-key">"bars: time at each hop (darker: queued) · bold: the critical path · hover a row for its times"</p>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        <section class="trace-panel" data-testid="trace-panel">
            <h2 class="panel-title">"Trace a request"</h2>
            <form class="trace-pick" on:submit=move |ev| { ev.prevent_default(); go(); }>
                <input class="field-input inline" data-testid="trace-number" type="text" inputmode="numeric" placeholder="#1234"
                    aria-label="Request number" prop:value=move || number.get() on:input=move |ev| number.set(event_target_value(&ev))/>
                <button class="btn btn-small" type="submit" data-testid="trace-go" disabled=move || live.tracing.get()>
                    {move || if live.tracing.get() { "Tracing…" } else { "Trace" }}
                </button>
            </form>
            // Named at most once a second while the run plays (the worker holds them back).
            {move || {
                let notable = live.notable.get();
                (!notable.is_empty()).then(|| view! {
                    <p class="trace-failed">"Failed or slow lately: "
                        {notable.into_iter().map(|f| {
                            let n = f.request;
                            view! {
                                <button class="btn btn-ghost btn-small" data-testid="trace-pick" data-request=n.to_string() data-cause=f.cause.clone()
                                    title=format!("{} at {}: {}, answered after {:.1} ms", f.client, stamp(f.time_ns), f.cause, f.latency_ms)
                                    on:click=move |_| { number.set(n.to_string()); live.trace_request(n); }>
                                    {format!("#{n} {} {:.0} ms", f.cause, f.latency_ms)}
                                </button>
                            }
                        }).collect_view()}
                    </p>
                })
            }}
            {waterfall}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(arrived: f64, finished: Option<f64>, queued: Option<f64>) -> TraceHop {
        TraceHop {
            component: "web".into(),
            instance: None,
            depth: 1,
            caller: Some(0),
            attempt: 1,
            arrived_ms: arrived,
            network_ms: 0.5,
            queued_ms: queued,
            finished_ms: finished,
            error: None,
            critical: false,
        }
    }

    #[test]
    fn bars_sit_at_their_time_on_the_waterfall() {
        let (x, w, q) = bar(&hop(30.0, Some(90.0), Some(15.0)), 150.0);
        assert_eq!((x, w, q), (30.0, 60.0, 15.0));
        // A hop with no answer runs to the end; a very short one still shows.
        assert_eq!(bar(&hop(100.0, None, None), 150.0), (100.0, 50.0, 0.0));
        assert_eq!(bar(&hop(10.0, Some(10.0), None), 150.0).1, 1.0);
        let t = Trace {
            request: 1,
            sent_ns: 0,
            hops: vec![hop(0.0, Some(42.0), None), hop(1.0, None, None)],
            outcome: String::new(),
        };
        assert_eq!(span_ms(&t), 42.0);
    }
}
