use leptos::prelude::*;

use crate::shell::{Canvas, ChartsPanel, Header, Inspector, Overlays, Palette, PaletteDragLayer, Timeline};
use crate::state::provide_editor;
use crate::theme::provide_theme;

/// The whole app: header on top, palette on the left, the canvas in the middle, the inspector
/// on the right and the timeline strip along the bottom; dialogs and drag feedback above them.
#[component]
pub fn App() -> impl IntoView {
    provide_theme();
    let ed = provide_editor();
    let live = crate::live::client::provide_live();
    crate::checks::keep_diagnostics(ed, live);
    crate::keys::install(ed);
    crate::io::open_share_link(ed);
    // A share link pasted into the address bar of an open tab only changes the fragment.
    let hash = window_event_listener(leptos::ev::hashchange, move |_| crate::io::open_share_link(ed));
    on_cleanup(move || hash.remove());
    view! {
        <div class="app" data-testid="app" data-drawer=move || ed.drawer.get().map(|d| d.name())>
            <Header/>
            <Palette/>
            <Canvas/>
            <Inspector/>
            <Timeline/>
            <ChartsPanel/>
            <Overlays/>
            <PaletteDragLayer/>
        </div>
    }
}
