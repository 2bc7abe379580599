//! The top bar: product name, the documents menu, templates, import/export, share, undo/redo,
//! help and the theme toggle. Every command here also has a keyboard shortcut. On a narrow
//! screen the commands fold into a menu, and buttons open the palette and the inspector as
//! drawers (main.css decides the widths).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::editor::model::Doc;
use crate::io;
use crate::state::{use_editor, Drawer, Overlay};
use crate::storage::DocMeta;
use crate::theme::{use_theme, ThemeChoice};

fn display_name(name: &str) -> String {
    if name.trim().is_empty() {
        "Untitled".to_string()
    } else {
        name.to_string()
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let theme = use_theme();
    let ed = use_editor();
    let label = move || match theme.0.get() {
        ThemeChoice::System => "Theme: system",
        ThemeChoice::Light => "Theme: light",
        ThemeChoice::Dark => "Theme: dark",
    };
    let file_ref = NodeRef::<leptos::html::Input>::new();
    view! {
        <header class="header" data-testid="header">
            <button
                class="btn btn-ghost narrow-only palette-toggle"
                data-testid="toggle-palette"
                title="Components: add to the diagram"
                aria-label="Components"
                aria-expanded=move || (ed.drawer.get() == Some(Drawer::Palette)).to_string()
                on:click=move |_| Drawer::Palette.toggle(ed.drawer)
            >"+"</button>
            <div class="brand">
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M3 7l9-4 9 4-9 4z" class="layer layer-top"/>
                    <path d="M3 12l9 4 9-4" class="layer"/>
                    <path d="M3 17l9 4 9-4" class="layer"/>
                </svg>
                <h1 class="brand-name">"Strata"</h1>
                <span class="brand-tag">"cloud architecture, all the way down"</span>
            </div>
            <div class="header-narrow">
                <button
                    class="btn narrow-only inspector-toggle"
                    data-testid="toggle-inspector"
                    title="Inspector and problems"
                    aria-expanded=move || (ed.drawer.get() == Some(Drawer::Inspector)).to_string()
                    on:click=move |_| Drawer::Inspector.toggle(ed.drawer)
                >
                    "Inspector"
                    <span class="count" class:hidden=move || ed.diagnostics.with(Vec::is_empty)>
                        {move || ed.diagnostics.with(Vec::len)}
                    </span>
                </button>
                // The browser's popover: it opens and closes the folded menu, and closes it on
                // Escape or a press elsewhere.
                <button class="btn btn-ghost menu-toggle" data-testid="header-menu" title="Menu" aria-label="Menu"
                    popovertarget="header-actions">"☰"</button>
            </div>
            // On a wide screen a row in the header; on a narrow one (main.css) a popover menu,
            // which a command chosen in it closes (`popovertargetaction="hide"`).
            <nav class="header-actions" id="header-actions" popover="auto" data-testid="header-actions" aria-label="Document">
                <select
                    class="btn doc-select"
                    data-testid="doc-select"
                    aria-label="Open document"
                    title="Your documents (saved in this browser)"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        match v.as_str() {
                            "__new" => {
                                ed.open_new(Doc::empty("Untitled"));
                            }
                            "__delete" => ed.delete_current(),
                            v => match v.strip_prefix("__restore:") {
                                Some(id) => ed.restore(id),
                                None => ed.open_saved(v),
                            },
                        }
                        // Show the open document again (the select is a menu).
                        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
                            t.set_value(&ed.current.get_untracked());
                        }
                    }
                >
                    {move || {
                        let cur = ed.current.get();
                        let mut docs = ed.docs.get();
                        // The open document is always shown, saved or not (the storage warning says
                        // when it is not).
                        if !docs.iter().any(|d| d.id == cur) {
                            let name = ed.doc.with_untracked(|d| d.topology.name.clone());
                            docs.push(DocMeta { id: cur.clone(), name });
                        }
                        docs.into_iter().map(|d| {
                            let sel = d.id == cur;
                            view! { <option value=d.id.clone() selected=sel>{display_name(&d.name)}</option> }
                        }).collect_view()
                    }}
                    <option value="__new" data-testid="doc-new">"+ New document"</option>
                    <option disabled=true>"──────────"</option>
                    <option value="__delete" data-testid="doc-delete">"Delete this document"</option>
                    {move || {
                        let gone = ed.deleted.get();
                        (!gone.is_empty()).then(|| view! {
                            <optgroup label="Recently deleted (choose to restore)">
                                {gone.into_iter().map(|d| view! {
                                    <option value=format!("__restore:{}", d.id) data-testid=format!("doc-restore-{}", d.id)>{format!("Restore “{}”", display_name(&d.name))}</option>
                                }).collect_view()}
                            </optgroup>
                        })
                    }}
                </select>
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn" data-testid="open-templates" title="Open a template" on:click=move |_| ed.overlay.set(Overlay::Templates)>"Templates"</button>
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn" data-testid="import" title="Import a JSON document (opens as a new document)" on:click=move |_| {
                    if let Some(i) = file_ref.get_untracked() { i.click(); }
                }>"Import"</button>
                <input type="file" accept=".json,application/json" class="hidden" data-testid="import-file" node_ref=file_ref
                    on:change=move |_| if let Some(i) = file_ref.get_untracked() { io::import_file(ed, i) } />
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn" data-testid="open-export" title="Export JSON, SVG, PNG or CloudFormation" on:click=move |_| ed.overlay.set(Overlay::Export)>"Export"</button>
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn" data-testid="open-walkthrough" title="Write a guided walkthrough of this design (W)"
                    aria-pressed=move || ed.walk_open.get().to_string() on:click=move |_| ed.walk_open.update(|o| *o = !*o)>"Walkthrough"</button>
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn" data-testid="share" title="Copy a link that contains this diagram" on:click=move |_| io::share(ed)>"Share"</button>
                <span class="sep" aria-hidden="true"></span>
                <button class="btn btn-ghost" data-testid="undo" title="Undo (Ctrl+Z)" aria-label="Undo" disabled=move || !ed.undo_state.get().0 on:click=move |_| ed.undo()>"↶"</button>
                <button class="btn btn-ghost" data-testid="redo" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" disabled=move || !ed.undo_state.get().1 on:click=move |_| ed.redo()>"↷"</button>
                <button popovertarget="header-actions" popovertargetaction="hide" class="btn btn-ghost" data-testid="help" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" on:click=move |_| ed.overlay.set(Overlay::Help)>"?"</button>
                <button
                    popovertarget="header-actions"
                    popovertargetaction="hide"
                    class="btn btn-ghost"
                    data-testid="theme-toggle"
                    title="Switch between system, light and dark themes"
                    on:click=move |_| theme.0.update(|t| *t = t.next())
                >
                    {label}
                </button>
            </nav>
        </header>
    }
}
