//! Dialogs over the canvas (keyboard shortcuts, template gallery, export, share link, the
//! studies beside the run) and the storage warning bar.

use leptos::prelude::*;

use crate::io::{self, TemplateEntry};
use crate::shell::study::StudyPanel;
use crate::state::{use_editor, Overlay};
use strata_worker::study::StudyKind;

/// Keyboard shortcuts, listed in the help overlay.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Drag from the palette", "Add a component or container (Enter on a focused item adds it in the middle)"),
    ("Click / Shift+click", "Select / add to the selection"),
    ("Drag on the background or inside a container", "Select with a rubber band"),
    ("Drag a container by its title (or once selected)", "Move it with its contents"),
    ("Drag a component's round handle", "Connect it to another component"),
    ("Space+drag, middle button, one finger", "Pan"),
    ("Wheel, pinch, + / −", "Zoom to the cursor"),
    ("Shift+1 or F", "Fit the diagram to the screen"),
    ("Arrow keys (Shift: ×4)", "Nudge the selection by one grid step"),
    ("Delete / Backspace", "Delete the selection"),
    ("Ctrl+D", "Duplicate"),
    ("Ctrl+C / Ctrl+X / Ctrl+V", "Copy / cut / paste (also between tabs)"),
    ("Ctrl+A", "Select everything"),
    ("Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y", "Undo / redo"),
    ("G", "Snap to grid on or off"),
    ("W", "The walkthrough panel: record the view as a step, edit, reorder, preview"),
    ("Escape", "Clear the selection, close a dialog"),
    ("?", "This help"),
];

#[component]
pub fn Overlays() -> impl IntoView {
    let ed = use_editor();
    let close = move || ed.overlay.set(Overlay::None);
    view! {
        {move || match ed.overlay.get() {
            Overlay::None => ().into_any(),
            Overlay::Help => view! {
                <Dialog title="Keyboard shortcuts" testid="help-overlay">
                    <table class="shortcuts">
                        {SHORTCUTS.iter().map(|(k, v)| view! { <tr><th><kbd>{*k}</kbd></th><td>{*v}</td></tr> }).collect_view()}
                    </table>
                </Dialog>
            }.into_any(),
            Overlay::Templates => view! { <Dialog title="Templates" testid="templates"><Gallery/></Dialog> }.into_any(),
            Overlay::Study(kind) => {
                let title = match kind {
                    StudyKind::Compare => "Compare two runs (A/B)",
                    StudyKind::Assess => "Resilience report card",
                };
                view! { <Dialog title=title testid="study"><StudyPanel kind=kind/></Dialog> }.into_any()
            }
            Overlay::Export => view! { <Dialog title="Export" testid="export-dialog"><ExportPanel/></Dialog> }.into_any(),
            Overlay::Preview => view! {
                <Dialog title="Walkthrough preview" testid="walk-preview-dialog">
                    <p class="field-help">"As readers of an embed see it, from the chosen step (Next and Previous go on from there)."</p>
                    <iframe class="walk-preview" data-testid="walk-preview-frame" title="Walkthrough preview" allow="fullscreen" src=move || ed.preview_url.get()></iframe>
                </Dialog>
            }.into_any(),
            Overlay::Share => {
                // Focusing a field selects its text, ready to copy.
                let select = |ev: leptos::ev::FocusEvent| {
                    use wasm_bindgen::JsCast;
                    let Some(t) = ev.target() else { return };
                    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
                        i.select();
                    } else if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                        a.select();
                    }
                };
                view! {
                    <Dialog title="Share / Embed" testid="share-dialog">
                        <p>"Anyone who opens this link gets a copy of the diagram as a new document (the link holds the whole document; nothing is uploaded)."</p>
                        <input class="field-input mono" readonly=true data-testid="share-url" prop:value=move || ed.share_url.get() on:focus=select />
                        <p class="field-help">{move || format!("{} characters; copied to the clipboard when the browser allows it.", ed.share_url.get().len())}</p>
                        <p>"Embed it, live, in a web page: a frame that holds the diagram, or embed.js beside a copy of the design exported as JSON (lazy, with a JavaScript API)."</p>
                        <textarea class="field-input mono" readonly=true rows=2 data-testid="embed-iframe" prop:value=move || embed_snippets(&ed.share_url.get()).0 on:focus=select></textarea>
                        <textarea class="field-input mono" readonly=true rows=2 data-testid="embed-script" prop:value=move || embed_snippets(&ed.share_url.get()).1 on:focus=select></textarea>
                    </Dialog>
                }.into_any()
            }
        }}
        {move || ed.storage_problem.get().map(|p| view! {
            <div class="storage-warning" role="alert" data-testid="storage-warning">
                <span>{p}" Download a copy to keep your work."</span>
                <button class="btn" data-testid="storage-download" on:click=move |_| io::export_json(ed)>"Download"</button>
            </div>
        })}
        {let _ = close;}
    }
}

#[component]
fn Dialog(title: &'static str, testid: &'static str, children: Children) -> impl IntoView {
    let ed = use_editor();
    view! {
        <div class="overlay" on:pointerdown=move |ev| {
            use wasm_bindgen::JsCast;
            let on_backdrop = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| e.class_list().contains("overlay"));
            if on_backdrop { ed.overlay.set(Overlay::None); }
        }>
            <div class="dialog" role="dialog" aria-modal="true" aria-label=title data-testid=testid>
                <div class="dialog-head">
                    <h2>{title}</h2>
                    <button class="icon-btn" aria-label="Close" data-testid="dialog-close" on:click=move |_| ed.overlay.set(Overlay::None)>"×"</button>
                </div>
                {children()}
            </div>
        </div>
    }
}

#[component]
fn Gallery() -> impl IntoView {
    let ed = use_editor();
    let entries: RwSignal<Option<Result<Vec<TemplateEntry>, String>>> = RwSignal::new(None);
    leptos::task::spawn_local(async move { entries.set(Some(io::load_templates().await)) });
    view! {
        {move || match entries.get() {
            None => view! { <p class="empty-hint">"Loading templates…"</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="gallery">
                    {list.into_iter().map(|e: TemplateEntry| {
                        let stem = e.file.trim_end_matches(".json").to_string();
                        let e2 = e.clone();
                        // A picture of the design, drawn from its file once it has come.
                        let thumb: RwSignal<String> = RwSignal::new(String::new());
                        let file = e.file.clone();
                        leptos::task::spawn_local(async move {
                            if let Some(svg) = io::template_thumbnail(&file).await {
                                let _ = thumb.try_set(svg);
                            }
                        });
                        view! {
                            <li>
                                <button class="gallery-item" data-testid=format!("template-{stem}") on:click=move |_| io::open_template(ed, e2.clone())>
                                    <span class="gallery-thumb" data-testid=format!("thumb-{stem}") inner_html=move || thumb.get()></span>
                                    <span class="gallery-title">{e.title.clone()}</span>
                                    <span class="gallery-desc">{e.description.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any(),
            Some(Err(e)) => view! { <p class="field-error">{format!("Templates could not be loaded: {e}")}</p> }.into_any(),
        }}
    }
}

#[component]
fn ExportPanel() -> impl IntoView {
    let ed = use_editor();
    let scale = RwSignal::new(2.0f64);
    let transparent = RwSignal::new(false);
    view! {
        <div class="export">
            <section>
                <h3>"Document"</h3>
                <button class="btn" data-testid="export-json" on:click=move |_| io::export_json(ed)>"JSON (Strata topology)"</button>
                <button class="btn" data-testid="export-cfn" on:click=move |_| crate::checks::export_cloudformation(ed, crate::live::client::use_live())>"CloudFormation template"</button>
            </section>
            <section>
                <h3>"Image"</h3>
                <label class="field-label">"Scale "
                    <select class="field-input inline" data-testid="export-scale" on:change=move |ev| scale.set(event_target_value(&ev).parse().unwrap_or(2.0))>
                        <option value="1">"1×"</option>
                        <option value="2" selected=true>"2×"</option>
                        <option value="3">"3×"</option>
                        <option value="4">"4×"</option>
                    </select>
                </label>
                <label class="field-label">
                    <input type="checkbox" data-testid="export-transparent" prop:checked=move || transparent.get() on:change=move |ev| transparent.set(event_target_checked(&ev)) />
                    " Transparent background"
                </label>
                <div class="row">
                    <button class="btn" data-testid="export-svg" on:click=move |_| io::export_svg(ed, transparent.get_untracked())>"SVG"</button>
                    <button class="btn" data-testid="export-png" on:click=move |_| io::export_png(ed, scale.get_untracked(), transparent.get_untracked())>"PNG"</button>
                </div>
            </section>
        </div>
    }
}

/// The snippets that embed the shared design, from its share link: an `<iframe>` of the viewer
/// holding the document in its fragment, and `embed.js` with a `<strata-diagram>` reading the
/// design from a JSON file beside the page.
fn embed_snippets(share_url: &str) -> (String, String) {
    let fragment = share_url.split_once('#').map_or("", |(_, f)| f);
    let dir = crate::editor::share::app_dir(share_url);
    (
        format!(
            r#"<iframe src="{dir}/viewer/index.html#{fragment}" title="Strata live diagram" allow="fullscreen" style="border:0;width:100%;height:560px"></iframe>"#
        ),
        format!(
            "<script src=\"{dir}/embed.js\" defer></script>\n<strata-diagram src=\"design.json\"></strata-diagram>"
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn embed_snippets_point_at_the_viewer_beside_the_app_whatever_its_query() {
        let (frame, script) = super::embed_snippets("https://h.example/strata/index.html?ref=a/b#share=1.xyz");
        assert!(frame.contains(r#"src="https://h.example/strata/viewer/index.html#share=1.xyz""#), "{frame}");
        assert!(script.contains(r#"src="https://h.example/strata/embed.js""#), "{script}");
    }
}
