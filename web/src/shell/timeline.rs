use leptos::prelude::*;

/// The bottom strip: run controls, simulated clock and live metrics.
#[component]
pub fn Timeline() -> impl IntoView {
    view! {
        <footer class="timeline" data-testid="timeline" aria-label="Timeline and metrics">
            <div class="timeline-controls">
                <button class="btn" data-testid="run" disabled=true title="Add components to run a simulation">
                    "▶ Run"
                </button>
                <span class="clock" data-testid="sim-clock">"t = 0.000 s"</span>
            </div>
            <p class="empty-hint" data-testid="timeline-empty">
                "Metrics and request traces appear here while a simulation runs."
            </p>
        </footer>
    }
}
