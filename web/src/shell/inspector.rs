use leptos::prelude::*;

/// The right column: parameters of whatever is selected.
#[component]
pub fn Inspector() -> impl IntoView {
    view! {
        <aside class="panel inspector" data-testid="inspector" aria-label="Inspector">
            <h2 class="panel-title">"Inspector"</h2>
            <p class="empty-hint" data-testid="inspector-empty">
                "Select a component to see and edit its parameters."
            </p>
        </aside>
    }
}
