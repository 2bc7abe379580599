use leptos::prelude::*;

/// The left column: the components a user can drag onto the canvas.
#[component]
pub fn Palette() -> impl IntoView {
    let (query, set_query) = signal(String::new());
    view! {
        <aside class="panel palette" data-testid="palette" aria-label="Component palette">
            <h2 class="panel-title">"Components"</h2>
            <input
                class="search"
                type="search"
                placeholder="Search components"
                aria-label="Search components"
                data-testid="palette-search"
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            <p class="empty-hint" data-testid="palette-empty">
                "Component kinds appear here, grouped by category."
            </p>
        </aside>
    }
}
