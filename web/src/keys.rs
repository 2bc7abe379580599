//! Keyboard shortcuts and the clipboard, installed once on the window. Shortcuts are ignored
//! while a text field has focus (except Escape), so typing in the inspector is never hijacked.

use std::collections::BTreeSet;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::editor::geom::{Point, GRID};
use crate::editor::model::ClipboardData;
use crate::state::{Editor, Overlay};

fn in_text_field(ev: &web_sys::Event) -> bool {
    ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| {
        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || e.has_attribute("contenteditable")
    })
}

fn items(ed: Editor) -> BTreeSet<String> {
    ed.selection.get_untracked().into_iter().filter(|s| !s.starts_with("conn:")).collect()
}

/// Duplicates the selection next to itself.
pub fn duplicate(ed: Editor) {
    let sel = ed.selection.get_untracked();
    let Some(data) = ed.doc.with_untracked(|d| d.copy(&sel)) else { return };
    if let Some(ids) = ed.edit(|d| d.paste(&data, 2.0 * GRID, 2.0 * GRID)) {
        ed.selection.set(ids.into_iter().collect());
    }
}

/// Pastes clipboard text (Strata clipboard JSON) at an offset.
pub fn paste_text(ed: Editor, text: &str) -> bool {
    let Some(data) = ClipboardData::from_text(text) else { return false };
    if let Some(ids) = ed.edit(|d| d.paste(&data, 2.0 * GRID, 2.0 * GRID)) {
        ed.selection.set(ids.into_iter().collect());
    }
    true
}

/// Installs the window listeners.
pub fn install(ed: Editor) {
    let down = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        let ctrl = ev.ctrl_key() || ev.meta_key();
        if key == "Escape" {
            if ed.overlay.get_untracked() != Overlay::None {
                ed.overlay.set(Overlay::None);
            } else if ed.drawer.get_untracked().is_some() && !in_text_field(&ev) {
                ed.drawer.set(None);
            } else if in_text_field(&ev) && crate::state::commit_focused_field() {
                // Leaving a field keeps what was typed (committed, or refused with the reason).
            } else {
                ed.selection.set(BTreeSet::new());
                ed.notice.set(None);
            }
            return;
        }
        if in_text_field(&ev) {
            return;
        }
        let handled = match (key.as_str(), ctrl, ev.shift_key()) {
            ("z" | "Z", true, false) => {
                ed.undo();
                true
            }
            ("z" | "Z", true, true) | ("y" | "Y", true, _) => {
                ed.redo();
                true
            }
            ("d" | "D", true, _) => {
                duplicate(ed);
                true
            }
            ("a" | "A", true, _) => {
                let all: BTreeSet<String> = ed.doc.with_untracked(|d| {
                    d.topology
                        .components
                        .iter()
                        .map(|c| c.id.clone())
                        .chain(d.topology.containers.iter().map(|c| c.id.clone()))
                        .collect()
                });
                ed.selection.set(all);
                true
            }
            ("Delete" | "Backspace", false, _) => {
                let sel = ed.selection.get_untracked();
                if !sel.is_empty() {
                    ed.edit(|d| {
                        d.delete(&sel);
                        Ok(())
                    });
                    ed.selection.set(BTreeSet::new());
                }
                true
            }
            ("ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown", false, shift) => {
                let ids = items(ed);
                if !ids.is_empty() {
                    let step = if ed.snap.get_untracked() { GRID } else { 1.0 } * if shift { 4.0 } else { 1.0 };
                    let (dx, dy) = match key.as_str() {
                        "ArrowLeft" => (-step, 0.0),
                        "ArrowRight" => (step, 0.0),
                        "ArrowUp" => (0.0, -step),
                        _ => (0.0, step),
                    };
                    ed.edit(|d| d.move_items(&ids, dx, dy, false));
                    true
                } else {
                    false
                }
            }
            ("?", _, _) => {
                ed.overlay.set(if ed.overlay.get_untracked() == Overlay::Help { Overlay::None } else { Overlay::Help });
                true
            }
            ("!", false, true) | ("f" | "F", false, false) => {
                ed.fit();
                true
            }
            ("+" | "=", _, _) | ("-" | "_", _, _) => {
                let (w, h) = ed.canvas_size.get_untracked();
                let f = if key == "+" || key == "=" { 1.25 } else { 0.8 };
                ed.viewport.update(|v| *v = v.zoom_at(Point::new(w / 2.0, h / 2.0), f));
                true
            }
            ("0", true, _) => {
                let (w, h) = ed.canvas_size.get_untracked();
                ed.viewport.update(|v| *v = v.zoom_at(Point::new(w / 2.0, h / 2.0), 1.0 / v.zoom));
                true
            }
            ("g" | "G", false, _) => {
                ed.snap.update(|s| *s = !*s);
                true
            }
            ("w" | "W", false, _) => {
                ed.walk_open.update(|o| *o = !*o);
                true
            }
            (" ", false, _) => {
                ed.space.set(true);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    });
    let up = window_event_listener(leptos::ev::keyup, move |ev| {
        if ev.key() == " " {
            ed.space.set(false);
        }
    });
    let copy = window_event_listener(leptos::ev::copy, move |ev| {
        if in_text_field(&ev) {
            return;
        }
        let sel = ed.selection.get_untracked();
        if let Some(data) = ed.doc.with_untracked(|d| d.copy(&sel)) {
            if let Some(dt) = ev.clipboard_data() {
                let _ = dt.set_data("text/plain", &data.to_text());
                ev.prevent_default();
            }
        }
    });
    let cut = window_event_listener(leptos::ev::cut, move |ev| {
        if in_text_field(&ev) {
            return;
        }
        let sel = ed.selection.get_untracked();
        if let Some(data) = ed.doc.with_untracked(|d| d.copy(&sel)) {
            if let Some(dt) = ev.clipboard_data() {
                let _ = dt.set_data("text/plain", &data.to_text());
                ev.prevent_default();
                ed.edit(|d| {
                    d.delete(&sel);
                    Ok(())
                });
                ed.selection.set(BTreeSet::new());
            }
        }
    });
    let paste = window_event_listener(leptos::ev::paste, move |ev| {
        if in_text_field(&ev) {
            return;
        }
        if let Some(text) = ev.clipboard_data().and_then(|dt| dt.get_data("text/plain").ok()) {
            if paste_text(ed, &text) {
                ev.prevent_default();
            } else if !text.trim().is_empty() {
                ed.notify("The clipboard does not hold Strata components.", false);
            }
        }
    });
    on_cleanup(move || {
        down.remove();
        up.remove();
        copy.remove();
        cut.remove();
        paste.remove();
    });
}
