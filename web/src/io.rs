//! Getting documents in and out: JSON import/export, share links, templates, SVG/PNG export
//! (the CloudFormation template is the worker's: `crate::checks`). Failures are shown as notices and never touch the open document.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::editor::import;
use crate::editor::model::{doc_from_json, doc_to_json};
use crate::editor::scene::build;
use crate::editor::share::{self, ShareError, MAX_DOCUMENT};
use crate::editor::svg_export::{render, SvgOptions};
use crate::js;
use crate::state::Editor;

/// A file name from the document name.
pub fn file_stem(ed: Editor) -> String {
    let name = ed.doc.with_untracked(|d| d.topology.name.clone());
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() {
        "strata-diagram".into()
    } else {
        stem
    }
}

/// Downloads the document as JSON.
pub fn export_json(ed: Editor) {
    let text = ed.doc.with_untracked(doc_to_json);
    js::download_text(&format!("{}.json", file_stem(ed)), "application/json", &text);
}

fn svg_text(ed: Editor, transparent: bool) -> (String, f64, f64) {
    let dark = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-theme"))
        .map(|t| t == "dark")
        .unwrap_or(false);
    let opts = SvgOptions {
        background: if transparent { None } else { Some(if dark { "#111418" } else { "#ffffff" }.into()) },
        dark,
        margin: 24.0,
    };
    ed.doc.with_untracked(|d| render(&build(d), &opts))
}

/// Downloads the diagram as SVG.
pub fn export_svg(ed: Editor, transparent: bool) {
    let (svg, _, _) = svg_text(ed, transparent);
    js::download_text(&format!("{}.svg", file_stem(ed)), "image/svg+xml", &svg);
}

/// Downloads the diagram as PNG at a scale.
pub fn export_png(ed: Editor, scale: f64, transparent: bool) {
    let (svg, w, h) = svg_text(ed, transparent);
    let name = format!("{}.png", file_stem(ed));
    spawn_local(async move {
        match js::svg_to_png(&svg, w, h, scale).await {
            Ok(bytes) => js::download(&name, "image/png", &bytes),
            Err(e) => ed.notify(format!("PNG export failed: {}", js::error_text(&e)), true),
        }
    });
}

/// Checks the chosen file's size, then reads it and opens it as a new document; errors leave
/// everything as it was. Large files show a progress notice before parsing.
pub fn import_file(ed: Editor, input: web_sys::HtmlInputElement) {
    let chosen = js::chosen_file(&input);
    if chosen.is_null() {
        return;
    }
    let arr: js_sys::Array = chosen.unchecked_into();
    let name = arr.get(0).as_string().unwrap_or_default();
    let bytes = arr.get(1).as_f64().unwrap_or_default() as u64;
    if let Err(e) = import::check_size(bytes) {
        js::clear_file(&input);
        ed.notify(format!("Could not import {name}: {e}. Your current document is unchanged."), true);
        return;
    }
    spawn_local(async move {
        if bytes > import::PROGRESS_BYTES {
            ed.notify(format!("Importing {name} ({})…", import::size_text(bytes)), false);
            js::next_frame().await;
        }
        let pair = match js::read_file(&input).await {
            Ok(v) => v,
            Err(e) => {
                ed.notify(format!("Could not read the file: {}", js::error_text(&e)), true);
                return;
            }
        };
        let arr: js_sys::Array = pair.unchecked_into();
        let text = arr.get(1).as_string().unwrap_or_default();
        match doc_from_json(&text) {
            Ok(mut doc) => {
                if doc.topology.name.trim().is_empty() {
                    doc.topology.name = name.trim_end_matches(".json").to_string();
                }
                // Refusals (storage full) are explained by open_new.
                if ed.open_new(doc) {
                    ed.notify(format!("Imported {name} as a new document."), false);
                }
            }
            Err(e) => ed.notify(format!("Could not import {name}: {e}. Your current document is unchanged."), true),
        }
    });
}

/// Builds the share link of the open document and shows it.
pub fn share(ed: Editor) {
    spawn_local(async move {
        let Some(frag) = share_fragment(ed).await else { return };
        let url = format!("{}{frag}", page_address());
        ed.share_url.set(url.clone());
        ed.overlay.set(crate::state::Overlay::Share);
        let _ = js::copy_text(&url).await;
    });
}

/// The app's address without its fragment.
fn page_address() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_string()
}

/// The open document as a share link's fragment, or `None` with the reason shown.
async fn share_fragment(ed: Editor) -> Option<String> {
    let text = ed.doc.with_untracked(doc_to_json);
    match js::compress(&text).await {
        Ok(bytes) => {
            let frag = share::fragment(&js_sys::Uint8Array::new(&bytes).to_vec());
            if frag.len() > share::MAX_FRAGMENT {
                ed.notify("This diagram is too large for a share link: export it as JSON instead.", true);
                return None;
            }
            Some(frag)
        }
        Err(e) => {
            ed.notify(format!("Could not build a share link: {}", js::error_text(&e)), true);
            None
        }
    }
}

/// Plays the open document's walkthrough from step `k` in the viewer, in a dialog.
pub fn preview_step(ed: Editor, k: usize) {
    spawn_local(async move {
        let Some(frag) = share_fragment(ed).await else { return };
        let dir = share::app_dir(&page_address()).to_string();
        ed.preview_url.set(format!("{dir}/viewer/index.html?step={k}{frag}"));
        ed.overlay.set(crate::state::Overlay::Preview);
    });
}

/// Opens the document in the address's share fragment (if any) as a new document.
pub fn open_share_link(ed: Editor) {
    let Some(window) = web_sys::window() else { return };
    let hash = window.location().hash().unwrap_or_default();
    if !hash.starts_with("#share=") {
        return;
    }
    // Forget the fragment so a reload does not import it again.
    if let Ok(h) = window.history() {
        let path = window.location().pathname().unwrap_or_default() + &window.location().search().unwrap_or_default();
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    let fail = move |e: ShareError| {
        ed.notify(format!("Could not open the shared diagram: {e}. Your documents are unchanged."), true)
    };
    let bytes = match share::payload(&hash) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    spawn_local(async move {
        match js::decompress(&bytes, MAX_DOCUMENT as f64).await {
            Ok(text) => match doc_from_json(&text.as_string().unwrap_or_default()) {
                Ok(mut doc) => {
                    let name = if doc.topology.name.trim().is_empty() {
                        "Shared diagram".to_string()
                    } else {
                        doc.topology.name.clone()
                    };
                    doc.topology.name = format!("{name} (shared)");
                    if ed.open_new(doc) {
                        ed.notify("Opened the shared diagram as a new document.", false);
                    }
                }
                Err(e) => fail(ShareError::Document(e)),
            },
            Err(e) => fail(if js::error_text(&e) == "too-large" { ShareError::TooLarge } else { ShareError::Damaged }),
        }
    });
}

/// One entry of the template gallery.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateEntry {
    /// File in `scenarios/`.
    pub file: String,
    /// Title.
    pub title: String,
    /// One-paragraph description.
    pub description: String,
}

/// The gallery's entries from its index (`{"scenarios": [{file, title, description}]}`), read
/// from the JSON value (the page has that reader anyway; a typed one would add to it).
fn read_index(text: &str) -> Result<Vec<TemplateEntry>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let list = v.get("scenarios").and_then(serde_json::Value::as_array).ok_or("the index lists no scenarios")?;
    let text = |e: &serde_json::Value, k: &str| e.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
    list.iter()
        .map(|e| {
            Some(TemplateEntry {
                file: text(e, "file")?,
                title: text(e, "title")?,
                description: text(e, "description").unwrap_or_default(),
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| "an entry of the index has no file or title".to_string())
}

/// Loads the gallery index.
pub async fn load_templates() -> Result<Vec<TemplateEntry>, String> {
    let text = js::fetch_text("scenarios/index.json").await.map_err(|e| js::error_text(&e))?;
    read_index(&text.as_string().unwrap_or_default())
}

/// The gallery's picture of template `file` (nothing when it cannot be fetched or read).
pub async fn template_thumbnail(file: &str) -> Option<String> {
    let text = js::fetch_text(&format!("scenarios/{file}")).await.ok()?.as_string()?;
    let doc = doc_from_json(&text).ok()?;
    Some(crate::editor::svg_export::thumbnail(&crate::editor::scene::build(&doc), 200.0, 110.0))
}

/// Opens a template as a new document.
pub fn open_template(ed: Editor, entry: TemplateEntry) {
    spawn_local(async move {
        match js::fetch_text(&format!("scenarios/{}", entry.file)).await {
            Ok(text) => match doc_from_json(&text.as_string().unwrap_or_default()) {
                Ok(mut doc) => {
                    if doc.topology.name.trim().is_empty() {
                        doc.topology.name = entry.title.clone();
                    }
                    ed.overlay.set(crate::state::Overlay::None);
                    ed.open_new(doc);
                }
                Err(e) => ed.notify(format!("Template {} cannot be opened: {e}", entry.title), true),
            },
            Err(e) => ed.notify(format!("Template {} cannot be loaded: {}", entry.title, js::error_text(&e)), true),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gallery_index_reads_every_entry_and_refuses_a_broken_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/scenarios/index.json");
        let list = read_index(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(list.len(), 38);
        assert!(list.iter().all(|e| e.file.ends_with(".json") && !e.title.is_empty() && !e.description.is_empty()));
        assert_eq!(
            read_index(r#"{"scenarios": [{"file": "a.json"}]}"#),
            Err("an entry of the index has no file or title".into())
        );
        assert!(read_index("{").is_err());
        assert_eq!(read_index(r#"{"scenarios": [{"file": "a.json", "title": "A"}]}"#).unwrap()[0].description, "");
    }
}
