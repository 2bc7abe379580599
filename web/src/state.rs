//! The editor's state, in one place: the document, the selection, the viewport, the undo
//! history, transient drag previews and notices, plus the derived scene and diagnostics.
//! Components get it from context ([`use_editor`]) and touch only the signals they need; every
//! change to the document goes through [`Editor::edit`], which records undo history.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::editor::geom::{Point, Viewport};
use crate::editor::history::History;
use crate::editor::model::{doc_from_json, doc_to_json, Doc, Placeable, Refused};
use crate::editor::scene::{build, preview as preview_scene, Scene};
use crate::editor::sync::{self, copy_name, Revision, Stamp, Sync};
use crate::storage::{self, DocMeta};

/// Undo steps kept.
pub const HISTORY_LIMIT: usize = 200;

pub use strata_worker::answers::{Diag, Level};

/// A message shown at the bottom of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Text.
    pub text: String,
    /// Shown as an error (stays until dismissed) rather than information.
    pub error: bool,
    /// Increments so identical messages still re-show.
    pub seq: u64,
    /// A button offered with the message.
    pub action: Option<NoticeAction>,
}

/// What the notice's button does.
#[derive(Clone, Debug, PartialEq)]
pub enum NoticeAction {
    /// Restores a deleted document (by storage id).
    Restore(String),
}

/// A side panel shown as a drawer over the canvas, on a screen too narrow to keep it beside
/// the canvas (the widths are main.css's media queries; on a wide screen both panels are always
/// shown and this changes nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drawer {
    /// The component palette (left).
    Palette,
    /// The inspector with the problems list (right).
    Inspector,
}

impl Drawer {
    /// Opens this drawer, or closes it when it is the one open.
    pub fn toggle(self, open: RwSignal<Option<Drawer>>) {
        open.update(|o| *o = if *o == Some(self) { None } else { Some(self) });
    }

    /// Its name in `data-drawer` on the app.
    pub fn name(self) -> &'static str {
        match self {
            Drawer::Palette => "palette",
            Drawer::Inspector => "inspector",
        }
    }
}

/// Which dialog is open over the canvas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// None.
    None,
    /// Keyboard shortcuts.
    Help,
    /// Template gallery.
    Templates,
    /// Export options.
    Export,
    /// Share link.
    Share,
    /// A study beside the run: an A/B comparison or the resilience report card.
    Study(strata_worker::study::StudyKind),
    /// A walkthrough step played in the viewer, as readers of an embed see it.
    Preview,
}

/// A drag in progress, drawn without touching the document until it ends.
#[derive(Clone, Debug, PartialEq)]
pub struct MovePreview {
    /// What is being dragged.
    pub ids: BTreeSet<String>,
    /// World offset so far.
    pub dx: f64,
    /// World offset so far.
    pub dy: f64,
}

/// The editor state (cheap to copy: every field is a signal or a handle).
#[derive(Clone, Copy, Debug)]
pub struct Editor {
    /// The document.
    pub doc: RwSignal<Doc>,
    /// The design as the worker reads it (the topology as JSON): it changes only when the
    /// topology does, not when a container is moved or resized.
    pub design: Memo<String>,
    /// Selected ids: components, containers and `conn:<index>`.
    pub selection: RwSignal<BTreeSet<String>>,
    /// Pan and zoom.
    pub viewport: RwSignal<Viewport>,
    /// Canvas size in pixels.
    pub canvas_size: RwSignal<(f64, f64)>,
    /// Snap to grid.
    pub snap: RwSignal<bool>,
    /// A drag in progress.
    pub preview: RwSignal<Option<MovePreview>>,
    /// Undo history.
    history: StoredValue<History<Doc>>,
    /// (can undo, can redo), refreshed on every change.
    pub undo_state: RwSignal<(bool, bool)>,
    /// The notice line.
    pub notice: RwSignal<Option<Notice>>,
    /// The open dialog.
    pub overlay: RwSignal<Overlay>,
    /// The side panel open as a drawer, on a narrow screen.
    pub drawer: RwSignal<Option<Drawer>>,
    /// Saved documents.
    pub docs: RwSignal<Vec<DocMeta>>,
    /// Storage id of the open document.
    pub current: RwSignal<String>,
    /// Recently deleted documents, newest first (restorable).
    pub deleted: RwSignal<Vec<DocMeta>>,
    /// This tab's id, written beside every save.
    tab: StoredValue<String>,
    /// The stored revision the open document is based on.
    base: StoredValue<Option<Stamp>>,
    /// The open document's text as last saved or loaded (what is not dirty).
    saved_text: StoredValue<Option<String>>,
    /// A viewport change not yet remembered: (document id, viewport).
    pending_view: StoredValue<Option<(String, Viewport)>>,
    /// Why saving failed, if it did.
    pub storage_problem: RwSignal<Option<String>>,
    /// What the canvas draws.
    pub scene: Memo<Scene>,
    /// Validation and lint findings, errors first, as the simulation worker last answered for
    /// the document (see `crate::checks`).
    pub diagnostics: RwSignal<Vec<Diag>>,
    /// Share link being shown.
    pub share_url: RwSignal<String>,
    /// The viewer's address a walkthrough step is previewed at.
    pub preview_url: RwSignal<String>,
    /// The walkthrough panel is open.
    pub walk_open: RwSignal<bool>,
    /// A palette item being dragged, with the pointer's client position.
    pub palette_drag: RwSignal<Option<(Placeable, f64, f64)>>,
    /// The container a drag would drop into (highlighted).
    pub drop_target: RwSignal<Option<String>>,
    /// The space bar is held (drag pans).
    pub space: RwSignal<bool>,
}

impl Editor {
    /// Creates the state, restores the last open document and starts autosaving and listening
    /// to the other tabs.
    pub fn new() -> Editor {
        let docs = storage::index();
        let storage_problem = RwSignal::new(
            storage::available().err().map(|e| format!("Your work cannot be saved in this browser: {e}.")),
        );
        let current_id = storage::current()
            .filter(|id| docs.iter().any(|d| &d.id == id))
            .or_else(|| docs.first().map(|d| d.id.clone()));
        let mut load_problem = None;
        let loaded = current_id.as_deref().and_then(|id| storage::load(id).map(|t| (id.to_string(), t)));
        let (current_id, doc, base, saved) = match loaded {
            Some((id, text)) => match doc_from_json(&text) {
                Ok(d) => {
                    let saved = doc_to_json(&d);
                    let base = storage::revision(&id).map(|r| r.stamp());
                    (id, d, base, Some(saved))
                }
                Err(e) => {
                    // Never overwrite what cannot be read: start a new document beside it.
                    load_problem =
                        Some(format!("The last document could not be opened ({e}); it is kept in storage untouched."));
                    (storage::fresh_id(&docs), Doc::empty("Untitled"), None, None)
                }
            },
            None => (storage::fresh_id(&docs), Doc::empty("Untitled"), None, None),
        };
        let doc = RwSignal::new(doc);
        let preview: RwSignal<Option<MovePreview>> = RwSignal::new(None);
        let base_scene = Memo::new(move |_| doc.with(build));
        let design = Memo::new(move |_| doc.with(|d| d.topology.to_json()));
        let scene = Memo::new(move |_| match preview.get() {
            Some(p) => {
                let (comps, containers) = doc.with(|d| d.moving_set(&p.ids));
                base_scene.with(|s| preview_scene(s, &comps, &containers, p.dx, p.dy))
            }
            None => base_scene.get(),
        });
        let diagnostics = RwSignal::new(Vec::new());
        let ed = Editor {
            doc,
            selection: RwSignal::new(BTreeSet::new()),
            viewport: RwSignal::new(Viewport::default()),
            canvas_size: RwSignal::new((800.0, 600.0)),
            snap: RwSignal::new(true),
            preview,
            history: StoredValue::new(History::new(HISTORY_LIMIT)),
            undo_state: RwSignal::new((false, false)),
            notice: RwSignal::new(None),
            overlay: RwSignal::new(Overlay::None),
            drawer: RwSignal::new(None),
            docs: RwSignal::new(docs),
            current: RwSignal::new(current_id),
            deleted: RwSignal::new(storage::deleted()),
            tab: StoredValue::new(new_tab_id()),
            base: StoredValue::new(base),
            saved_text: StoredValue::new(saved),
            pending_view: StoredValue::new(None),
            storage_problem,
            scene,
            design,
            diagnostics,
            share_url: RwSignal::new(String::new()),
            preview_url: RwSignal::new(String::new()),
            walk_open: RwSignal::new(false),
            palette_drag: RwSignal::new(None),
            drop_target: RwSignal::new(None),
            space: RwSignal::new(false),
        };
        if let Some(p) = load_problem {
            ed.notify(p, true);
        }
        // Autosave: every change of the document is written at once.
        Effect::new(move |_| {
            ed.doc.track();
            ed.autosave();
        });
        // Each document's viewport is remembered (a few times a second at most while panning).
        Effect::new(move |_| {
            let v = ed.viewport.get();
            let id = ed.current.get_untracked();
            let scheduled = ed.pending_view.with_value(|p| p.is_some());
            ed.pending_view.set_value(Some((id, v)));
            if !scheduled {
                set_timeout(move || ed.flush_view(), std::time::Duration::from_millis(300));
            }
        });
        // Leaving the page (reload, close): commit a half-typed field and save everything now.
        let leave = window_event_listener_untyped("pagehide", move |_| ed.flush());
        on_cleanup(move || leave.remove());
        // Other tabs' saves and deletions.
        let other_tabs = window_event_listener(leptos::ev::storage, move |ev| ed.on_storage(ev.key()));
        on_cleanup(move || other_tabs.remove());
        ed
    }

    /// Commits the field being typed in (its `change` handler runs on blur), saves the document
    /// and remembers the viewport, synchronously.
    pub fn flush(&self) {
        let _ = commit_focused_field();
        self.autosave();
        self.flush_view();
    }

    /// Writes the viewport change waiting to be remembered.
    pub fn flush_view(&self) {
        if let Some((id, v)) = self.pending_view.try_update_value(|p| p.take()).flatten() {
            if !id.is_empty() {
                storage::save_view(&id, &v.to_text());
            }
        }
    }

    /// Shows the open document where it was last viewed, or the whole of it.
    pub fn restore_view(&self) {
        let id = self.current.get_untracked();
        match storage::view(&id).and_then(|t| Viewport::from_text(&t)) {
            Some(v) => self.viewport.set(v),
            None => self.fit(),
        }
    }

    /// Writes the open document if it changed since it was last saved or loaded, unless another
    /// tab saved a version this tab has not seen: then both are kept (see [`sync`]).
    pub fn autosave(&self) {
        let text = self.doc.with_untracked(doc_to_json);
        if self.saved_text.with_value(|s| s.as_deref() == Some(text.as_str())) {
            return;
        }
        let id = self.current.get_untracked();
        let stored = storage::revision(&id);
        let tab = self.tab.get_value();
        match self.base.with_value(|b| sync::compare(b.as_ref(), true, &tab, stored.as_ref())) {
            Sync::UpToDate | Sync::Deleted => {
                let name = self.doc.with_untracked(|d| d.topology.name.clone());
                match self.store(&id, &name, &text, stored.as_ref()) {
                    Ok(rev) => {
                        self.base.set_value(Some(rev.stamp()));
                        self.saved_text.set_value(Some(text));
                        storage::set_current(&id);
                        if self.storage_problem.get_untracked().is_some() && storage::available().is_ok() {
                            self.storage_problem.set(None);
                        }
                    }
                    Err(e) => self.storage_problem.set(Some(format!("Your latest changes are not saved: {e}."))),
                }
            }
            Sync::Adopt | Sync::KeepBoth => self.keep_both(),
        }
    }

    /// Saves a document and lists it; the revision written.
    fn store(&self, id: &str, name: &str, text: &str, stored: Option<&Revision>) -> Result<Revision, String> {
        let rev = Revision::next(stored, &self.tab.get_value());
        storage::save(id, text, &rev)?;
        let docs = storage::list_doc(id, name)?;
        self.docs.set(docs);
        // Editing a document another tab deleted keeps it.
        if self.deleted.with_untracked(|d| d.iter().any(|m| m.id == id)) {
            if let Ok(Some((docs, gone))) = storage::restore(id) {
                self.docs.set(docs);
                self.deleted.set(gone);
            }
        }
        Ok(rev)
    }

    /// Another tab saved this document while this tab changed it too: this tab's version
    /// becomes a copy (saved and opened here); the stored one is left as the other tab wrote it.
    fn keep_both(&self) {
        let id = self.current.get_untracked();
        let docs = storage::index();
        let theirs = storage::load(&id)
            .and_then(|t| doc_from_json(&t).ok())
            .map(|d| d.topology.name)
            .or_else(|| docs.iter().find(|m| m.id == id).map(|m| m.name.clone()))
            .unwrap_or_default();
        let taken: Vec<String> = docs.iter().map(|m| m.name.clone()).collect();
        let mut doc = self.doc.get_untracked();
        let copy = copy_name(&doc.topology.name, &taken);
        doc.topology.name = copy.clone();
        let text = doc_to_json(&doc);
        let new_id = storage::fresh_id(&docs);
        match self.store(&new_id, &copy, &text, None) {
            Ok(rev) => {
                self.base.set_value(Some(rev.stamp()));
                self.saved_text.set_value(Some(text));
                self.current.set(new_id.clone());
                storage::set_current(&new_id);
                self.doc.set(doc);
                self.notify(
                    format!(
                        "This document was also changed in another tab. Both versions are kept: the other tab's as “{theirs}”, yours as “{copy}” (open here)."
                    ),
                    true,
                );
            }
            Err(e) => self.storage_problem.set(Some(format!(
                "This document was also changed in another tab, and your version could not be saved as a copy: {e}."
            ))),
        }
    }

    /// A storage event from another tab: its key (`None` when storage was cleared).
    pub fn on_storage(&self, key: Option<String>) {
        let id = self.current.get_untracked();
        match key.as_deref() {
            Some(k) if k == storage::rev_key(&id) => self.sync_from_storage(),
            Some(storage::INDEX) | Some(storage::DELETED) | None => {
                self.docs.set(storage::index());
                self.deleted.set(storage::deleted());
                if self.deleted.with_untracked(|d| d.iter().any(|m| m.id == id)) {
                    let name = self.doc.with_untracked(|d| d.topology.name.clone());
                    self.notify(
                        format!("“{name}” was deleted in another tab. It stays open here; editing it keeps it."),
                        false,
                    );
                }
            }
            _ => {}
        }
    }

    /// Takes another tab's newer save of the open document, or keeps both versions when this
    /// tab has work of its own the save does not include.
    fn sync_from_storage(&self) {
        let id = self.current.get_untracked();
        let stored = storage::revision(&id);
        let dirty = self.doc.with_untracked(doc_to_json) != self.saved_text.get_value().unwrap_or_default();
        let tab = self.tab.get_value();
        match self.base.with_value(|b| sync::compare(b.as_ref(), dirty, &tab, stored.as_ref())) {
            Sync::UpToDate | Sync::Deleted => {}
            Sync::KeepBoth => self.keep_both(),
            Sync::Adopt => {
                let Some(Ok(theirs)) = storage::load(&id).map(|t| doc_from_json(&t)) else { return };
                self.base.set_value(stored.map(|r| r.stamp()));
                self.saved_text.set_value(Some(doc_to_json(&theirs)));
                let before = self.doc.get_untracked();
                if theirs != before {
                    // Undoable like an edit, so nothing is hidden from this tab's history.
                    self.history.update_value(|h| h.record(before));
                    self.doc.set(theirs);
                    self.prune_selection();
                    self.refresh_undo();
                    self.notify("Updated with changes saved in another tab.", false);
                }
            }
        }
    }

    /// Applies an edit. On success the previous state goes to the undo history; on refusal the
    /// document is untouched and the reason is shown.
    pub fn edit<T>(&self, f: impl FnOnce(&mut Doc) -> Result<T, Refused>) -> Option<T> {
        let before = self.doc.get_untracked();
        let mut next = before.clone();
        match f(&mut next) {
            Ok(v) => {
                // A successful edit answers an earlier refusal.
                if self.notice.get_untracked().is_some_and(|n| n.error) {
                    self.notice.set(None);
                }
                if next != before {
                    self.history.update_value(|h| h.record(before));
                    self.doc.set(next);
                    self.refresh_undo();
                }
                Some(v)
            }
            Err(Refused(reason)) => {
                self.notify(reason, true);
                None
            }
        }
    }

    /// Starts a gesture that changes the document live (a resize): the state before it becomes
    /// one undo step when it ends.
    pub fn begin_gesture(&self) -> Doc {
        self.doc.get_untracked()
    }

    /// Ends a gesture started with [`Editor::begin_gesture`].
    pub fn end_gesture(&self, before: Doc) {
        if self.doc.with_untracked(|d| *d != before) {
            self.history.update_value(|h| h.record(before));
            self.refresh_undo();
        }
    }

    /// Replaces the topology after a checked edit (inspector).
    pub fn replace_topology(&self, t: strata_core::topology::Topology) {
        self.edit(|d| {
            d.topology = t;
            d.settle();
            Ok(())
        });
    }

    fn refresh_undo(&self) {
        let s = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.undo_state.set(s);
    }

    /// Steps back one edit.
    pub fn undo(&self) {
        let cur = self.doc.get_untracked();
        if let Some(Some(prev)) = self.history.try_update_value(|h| h.undo(cur)) {
            self.doc.set(prev);
            self.prune_selection();
        }
        self.refresh_undo();
    }

    /// Steps forward one undone edit.
    pub fn redo(&self) {
        let cur = self.doc.get_untracked();
        if let Some(Some(next)) = self.history.try_update_value(|h| h.redo(cur)) {
            self.doc.set(next);
            self.prune_selection();
        }
        self.refresh_undo();
    }

    fn prune_selection(&self) {
        let d = self.doc.get_untracked();
        let n = d.topology.connections.len();
        self.selection.update(|s| {
            s.retain(|id| {
                d.topology.component(id).is_some()
                    || d.topology.container(id).is_some()
                    || id.strip_prefix("conn:").and_then(|i| i.parse::<usize>().ok()).is_some_and(|i| i < n)
            })
        });
    }

    /// Shows a message.
    pub fn notify(&self, text: impl Into<String>, error: bool) {
        self.show_notice(text.into(), error, None);
    }

    /// Shows a message with a button (kept on screen longer).
    pub fn notify_action(&self, text: impl Into<String>, action: NoticeAction) {
        self.show_notice(text.into(), false, Some(action));
    }

    fn show_notice(&self, text: String, error: bool, action: Option<NoticeAction>) {
        let seq = self.notice.get_untracked().map_or(0, |n| n.seq + 1);
        let ms = if error || action.is_some() { 10_000 } else { 4000 };
        self.notice.set(Some(Notice { text, error, seq, action }));
        {
            let ed = *self;
            set_timeout(
                move || {
                    if ed.notice.get_untracked().is_some_and(|n| n.seq == seq) {
                        ed.notice.set(None);
                    }
                },
                std::time::Duration::from_millis(ms),
            );
        }
    }

    /// Opens a document as a new entry in the documents list (never overwriting another). It is
    /// saved first: a document that cannot be saved is not listed, and the open one stays.
    /// Returns whether it was opened.
    pub fn open_new(&self, doc: Doc) -> bool {
        self.open_new_inner(doc, true)
    }

    fn open_new_inner(&self, doc: Doc, make_room: bool) -> bool {
        let id = storage::fresh_id(&storage::index());
        let text = doc_to_json(&doc);
        let name = doc.topology.name.clone();
        match self.store(&id, &name, &text, None) {
            Ok(rev) => {
                if make_room {
                    self.make_room();
                }
                self.switch_to(id, doc, Some(rev.stamp()), Some(text));
                true
            }
            Err(e) => {
                storage::remove(&id);
                if let Ok(docs) = storage::unlist_doc(&id) {
                    self.docs.set(docs);
                }
                let name = if name.trim().is_empty() { "Untitled".to_string() } else { name };
                self.notify(
                    format!("Could not save “{name}” as a new document: {e}. Your current document is unchanged."),
                    true,
                );
                false
            }
        }
    }

    /// An empty, untouched open document makes room instead of cluttering the list.
    fn make_room(&self) {
        let cur = self.current.get_untracked();
        let empty = self.doc.with_untracked(|d| d.topology.components.is_empty() && d.topology.containers.is_empty());
        if empty && !self.history.with_value(|h| h.can_undo()) {
            storage::remove(&cur);
            if let Ok(docs) = storage::unlist_doc(&cur) {
                self.docs.set(docs);
            }
        }
    }

    fn switch_to(&self, id: String, doc: Doc, base: Option<Stamp>, saved: Option<String>) {
        self.flush_view();
        self.history.update_value(|h| h.clear());
        self.selection.set(BTreeSet::new());
        self.preview.set(None);
        self.base.set_value(base);
        self.saved_text.set_value(saved);
        storage::set_current(&id);
        self.current.set(id);
        self.doc.set(doc);
        self.refresh_undo();
        self.restore_view();
    }

    /// Opens a saved document.
    pub fn open_saved(&self, id: &str) {
        if id == self.current.get_untracked() {
            return;
        }
        match storage::load(id).map(|t| doc_from_json(&t)) {
            Some(Ok(doc)) => {
                let base = storage::revision(id).map(|r| r.stamp());
                let saved = doc_to_json(&doc);
                self.switch_to(id.to_string(), doc, base, Some(saved));
            }
            Some(Err(e)) => self.notify(format!("That document cannot be opened: {e}"), true),
            None => self.notify("That document is no longer in this browser's storage.", true),
        }
    }

    /// Deletes the open document (it stays restorable: the notice offers Undo and the documents
    /// menu lists it under "Recently deleted") and opens another, or a fresh one.
    pub fn delete_current(&self) {
        let id = self.current.get_untracked();
        let name = self.doc.with_untracked(|d| d.topology.name.clone());
        let name = if name.trim().is_empty() { "Untitled".to_string() } else { name };
        self.autosave();
        match storage::trash(&id, &name) {
            Ok((docs, gone)) => {
                self.docs.set(docs.clone());
                self.deleted.set(gone);
                match docs.first() {
                    Some(m) => {
                        let m = m.id.clone();
                        self.current.set(String::new());
                        self.open_saved(&m);
                    }
                    None => {
                        self.open_new_inner(Doc::empty("Untitled"), false);
                    }
                }
                self.notify_action(format!("Deleted “{name}”."), NoticeAction::Restore(id));
            }
            Err(e) => self.notify(format!("Could not delete “{name}”: {e}."), true),
        }
    }

    /// Brings a recently deleted document back into the list and opens it.
    pub fn restore(&self, id: &str) {
        match storage::restore(id) {
            Ok(Some((docs, gone))) => {
                self.docs.set(docs);
                self.deleted.set(gone);
                self.make_room();
                self.current.set(String::new());
                self.open_saved(id);
                let name = self.doc.with_untracked(|d| d.topology.name.clone());
                self.notify(format!("Restored “{name}”."), false);
            }
            Ok(None) => self.notify("That document is no longer in this browser's storage.", true),
            Err(e) => self.notify(format!("Could not restore the document: {e}."), true),
        }
    }

    /// Fits the whole diagram in the canvas.
    pub fn fit(&self) {
        let (w, h) = self.canvas_size.get_untracked();
        if let Some(b) = self.scene.with_untracked(|s| s.bounds) {
            // Keep the strip along the bottom (zoom bar, minimap) clear when there is room.
            let h = if h > 400.0 { h - 120.0 } else { h };
            self.viewport.set(Viewport::fit(&b, w, h, 40.0));
        } else {
            self.viewport.set(Viewport::default());
        }
    }

    /// Selects an element and brings it into view.
    pub fn focus(&self, target: &str) {
        self.selection.set(BTreeSet::from([target.to_string()]));
        let (w, h) = self.canvas_size.get_untracked();
        let centre: Option<Point> = self.scene.with_untracked(|s| {
            s.nodes
                .iter()
                .find(|n| n.id == target)
                .map(|n| n.rect.center())
                .or_else(|| s.container_rect(target).map(|r| r.center()))
                .or_else(|| {
                    let i: usize = target.strip_prefix("conn:")?.parse().ok()?;
                    s.edges.iter().find(|e| e.index == i).map(|e| crate::editor::route::midpoint(&e.points))
                })
        });
        if let Some(c) = centre {
            self.viewport.update(|v| *v = v.center_on(c, w, h));
        }
    }
}

/// Blurs the focused text field, which fires its `change` event (and so commits it) when the
/// value changed. Whether there was one.
pub fn commit_focused_field() -> bool {
    use wasm_bindgen::JsCast;
    let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
    let Some(el) = active.filter(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA")) else { return false };
    el.dyn_into::<web_sys::HtmlElement>().map(|h| h.blur()).is_ok()
}

/// A random id for this tab (written beside its saves).
fn new_tab_id() -> String {
    format!("{:x}", (js_sys::Math::random() * 281_474_976_710_656.0) as u64)
}

impl Default for Editor {
    fn default() -> Self {
        Editor::new()
    }
}

/// Puts a fresh editor in context.
pub fn provide_editor() -> Editor {
    let ed = Editor::new();
    provide_context(ed);
    ed
}

/// The editor from context.
pub fn use_editor() -> Editor {
    use_context::<Editor>().unwrap_or_else(provide_editor)
}
