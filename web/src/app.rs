use leptos::prelude::*;

use crate::shell::{Canvas, Header, Inspector, Palette, Timeline};
use crate::theme::provide_theme;

/// The whole app: header on top, palette on the left, the canvas in the middle, the inspector
/// on the right and the timeline strip along the bottom.
#[component]
pub fn App() -> impl IntoView {
    provide_theme();
    view! {
        <div class="app" data-testid="app">
            <Header/>
            <Palette/>
            <Canvas/>
            <Inspector/>
            <Timeline/>
        </div>
    }
}
