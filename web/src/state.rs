//! The editor's state, in one place: the document, the selection, the viewport, the undo
//! history, transient drag previews and notices, plus the derived scene and diagnostics.
//! Components get it from context ([`use_editor`]) and touch only the signals they need; every
//! change to the document goes through [`Editor::edit`], which records undo history.

use std::collections::BTreeSet;

use leptos::prelude::*;
use strata_core::lint::lint;
use strata_core::validate::{validate, Element, Severity};

use crate::editor::geom::{Point, Viewport};
use crate::editor::history::History;
use crate::editor::model::{doc_from_json, doc_to_json, Doc, Placeable, Refused};
use crate::editor::scene::{build, preview as preview_scene, Scene};
use crate::storage::{self, DocMeta};

/// Undo steps kept.
pub const HISTORY_LIMIT: usize = 200;

/// How bad a diagnostic is, as shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Cannot be simulated.
    Error,
    /// Runs, probably not as meant.
    Warning,
    /// Architecture lint.
    Lint,
}

impl Level {
    /// CSS class / label.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Lint => "lint",
        }
    }
}

/// One diagnostic as the editor shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diag {
    /// Severity.
    pub level: Level,
    /// Stable code (validation code or lint rule).
    pub code: &'static str,
    /// Message.
    pub message: String,
    /// The canvas element it concerns (component or container id, or `conn:<i>`).
    pub target: Option<String>,
}

/// A message shown at the bottom of the canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Text.
    pub text: String,
    /// Shown as an error (stays until dismissed) rather than information.
    pub error: bool,
    /// Increments so identical messages still re-show.
    pub seq: u64,
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
    /// Saved documents.
    pub docs: RwSignal<Vec<DocMeta>>,
    /// Storage id of the open document.
    pub current: RwSignal<String>,
    /// Why saving failed, if it did.
    pub storage_problem: RwSignal<Option<String>>,
    /// What the canvas draws.
    pub scene: Memo<Scene>,
    /// Validation and lint findings.
    pub diagnostics: Memo<Vec<Diag>>,
    /// Share link being shown.
    pub share_url: RwSignal<String>,
    /// A palette item being dragged, with the pointer's client position.
    pub palette_drag: RwSignal<Option<(Placeable, f64, f64)>>,
    /// The container a drag would drop into (highlighted).
    pub drop_target: RwSignal<Option<String>>,
    /// The space bar is held (drag pans).
    pub space: RwSignal<bool>,
}

fn target_of(el: &Element) -> Option<String> {
    match el {
        Element::Component(id) | Element::Container(id) => Some(id.clone()),
        Element::Connection(i) => Some(format!("conn:{i}")),
        _ => None,
    }
}

/// Validation and lint of a document, errors first.
pub fn diagnose(doc: &Doc) -> Vec<Diag> {
    let t = &doc.topology;
    // An empty canvas is not a problem to report.
    if t.components.is_empty() && t.containers.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Diag> = validate(t)
        .diagnostics
        .into_iter()
        .map(|d| Diag {
            level: if d.severity == Severity::Error { Level::Error } else { Level::Warning },
            code: d.code.as_str(),
            message: d.message,
            target: target_of(&d.element),
        })
        .collect();
    out.extend(lint(t).into_iter().map(|f| Diag {
        level: Level::Lint,
        code: f.rule.as_str(),
        message: f.message,
        target: target_of(&f.element),
    }));
    out.sort_by_key(|d| d.level);
    out
}

impl Editor {
    /// Creates the state, restores the last open document and starts autosaving.
    pub fn new() -> Editor {
        let mut docs = storage::index();
        let storage_problem = RwSignal::new(
            storage::available().err().map(|e| format!("Your work cannot be saved in this browser: {e}.")),
        );
        let current_id = storage::current()
            .filter(|id| docs.iter().any(|d| &d.id == id))
            .or_else(|| docs.first().map(|d| d.id.clone()));
        let mut load_problem = None;
        let (current_id, doc) =
            match current_id.as_deref().and_then(|id| storage::load(id).map(|t| (id.to_string(), t))) {
                Some((id, text)) => match doc_from_json(&text) {
                    Ok(d) => (id, d),
                    Err(e) => {
                        // Never overwrite what cannot be read: start a new document beside it.
                        load_problem = Some(format!(
                            "The last document could not be opened ({e}); it is kept in storage untouched."
                        ));
                        let id = storage::fresh_id(&docs);
                        docs.push(DocMeta { id: id.clone(), name: "Untitled".into() });
                        (id, Doc::empty("Untitled"))
                    }
                },
                None => {
                    let id = storage::fresh_id(&docs);
                    docs.push(DocMeta { id: id.clone(), name: "Untitled".into() });
                    (id, Doc::empty("Untitled"))
                }
            };
        let doc = RwSignal::new(doc);
        let preview: RwSignal<Option<MovePreview>> = RwSignal::new(None);
        let base_scene = Memo::new(move |_| doc.with(build));
        let scene = Memo::new(move |_| match preview.get() {
            Some(p) => {
                let (comps, containers) = doc.with(|d| d.moving_set(&p.ids));
                base_scene.with(|s| preview_scene(s, &comps, &containers, p.dx, p.dy))
            }
            None => base_scene.get(),
        });
        let diagnostics = Memo::new(move |_| doc.with(diagnose));
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
            docs: RwSignal::new(docs),
            current: RwSignal::new(current_id),
            storage_problem,
            scene,
            diagnostics,
            share_url: RwSignal::new(String::new()),
            palette_drag: RwSignal::new(None),
            drop_target: RwSignal::new(None),
            space: RwSignal::new(false),
        };
        if let Some(p) = load_problem {
            ed.notify(p, true);
        }
        // Autosave: every change of the document is written at once.
        Effect::new(move |_| {
            let text = ed.doc.with(doc_to_json);
            let name = ed.doc.with(|d| d.topology.name.clone());
            let id = ed.current.get_untracked();
            let mut docs = ed.docs.get_untracked();
            if let Some(m) = docs.iter_mut().find(|m| m.id == id) {
                if m.name != name {
                    m.name = name;
                    ed.docs.set(docs.clone());
                }
            }
            let result = storage::save(&id, &text).and_then(|_| storage::save_index(&docs));
            match result {
                Ok(()) => {
                    storage::set_current(&id);
                    if ed.storage_problem.get_untracked().is_some() && storage::available().is_ok() {
                        ed.storage_problem.set(None);
                    }
                }
                Err(e) => ed.storage_problem.set(Some(format!("Your latest changes are not saved: {e}."))),
            }
        });
        ed
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
        let seq = self.notice.get_untracked().map_or(0, |n| n.seq + 1);
        self.notice.set(Some(Notice { text: text.into(), error, seq }));
        {
            let ed = *self;
            let ms = if error { 10_000 } else { 4000 };
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

    /// Opens a document as a new entry in the documents list (never overwriting another).
    pub fn open_new(&self, doc: Doc) {
        let mut docs = self.docs.get_untracked();
        // An empty, untouched document makes room instead of cluttering the list.
        let cur = self.current.get_untracked();
        let empty = self.doc.with_untracked(|d| d.topology.components.is_empty() && d.topology.containers.is_empty());
        if empty && !self.history.with_value(|h| h.can_undo()) {
            docs.retain(|d| d.id != cur);
            storage::remove(&cur);
        }
        let id = storage::fresh_id(&docs);
        docs.push(DocMeta { id: id.clone(), name: doc.topology.name.clone() });
        self.docs.set(docs);
        self.switch_to(id, doc);
    }

    fn switch_to(&self, id: String, doc: Doc) {
        self.history.update_value(|h| h.clear());
        self.selection.set(BTreeSet::new());
        self.preview.set(None);
        self.current.set(id);
        self.doc.set(doc);
        self.refresh_undo();
        self.fit();
    }

    /// Opens a saved document.
    pub fn open_saved(&self, id: &str) {
        if id == self.current.get_untracked() {
            return;
        }
        match storage::load(id).map(|t| doc_from_json(&t)) {
            Some(Ok(doc)) => self.switch_to(id.to_string(), doc),
            Some(Err(e)) => self.notify(format!("That document cannot be opened: {e}"), true),
            None => self.notify("That document is no longer in this browser's storage.", true),
        }
    }

    /// Deletes the open document and opens another (or a fresh one).
    pub fn delete_current(&self) {
        let id = self.current.get_untracked();
        storage::remove(&id);
        let mut docs = self.docs.get_untracked();
        docs.retain(|d| d.id != id);
        let _ = storage::save_index(&docs);
        self.docs.set(docs.clone());
        match docs.first() {
            Some(m) => {
                let m = m.id.clone();
                self.current.set(String::new());
                self.open_saved(&m);
            }
            None => self.open_new(Doc::empty("Untitled")),
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
                .or_else(|| s.containers.iter().find(|c| c.id == target).map(|c| c.rect.center()))
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
