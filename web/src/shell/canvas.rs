use leptos::prelude::*;

/// The central drawing area. Empty, it tells the user how to begin.
#[component]
pub fn Canvas() -> impl IntoView {
    view! {
        <main class="canvas" data-testid="canvas" aria-label="Architecture canvas">
            <div class="canvas-grid" aria-hidden="true"></div>
            <div class="empty-state" data-testid="canvas-empty">
                <svg viewBox="0 0 64 64" class="empty-icon" aria-hidden="true">
                    <rect x="6" y="14" width="22" height="16" rx="3"/>
                    <rect x="36" y="34" width="22" height="16" rx="3"/>
                    <path d="M28 22h8v20h0"/>
                </svg>
                <p class="empty-title">"Drag a component here or open a template"</p>
                <p class="empty-sub">
                    "Sketch regions, availability zones, VPCs and subnets, connect services, then press Run to watch requests flow."
                </p>
            </div>
        </main>
    }
}
