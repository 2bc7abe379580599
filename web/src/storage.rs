//! Several named documents in the browser's local storage: an index (`strata.docs`), one entry
//! per document (`strata.doc.<id>`) with its revision beside it (`strata.rev.<id>`, see
//! [`crate::editor::sync`]) and its last viewport (`strata.view.<id>`), the recently deleted
//! documents (`strata.deleted`, kept until [`KEEP_DELETED`] newer deletions push them out) and
//! the one open last (`strata.current`). Every write reports failure (storage full or
//! unavailable) instead of hiding it. The index is read again before each change, so tabs that
//! add or remove documents do not drop each other's entries.

use serde::{Deserialize, Serialize};

use crate::editor::sync::Revision;

/// Key of the documents index.
pub const INDEX: &str = "strata.docs";
/// Key of the recently deleted documents.
pub const DELETED: &str = "strata.deleted";
const CURRENT: &str = "strata.current";
/// Prefix of the revision keys.
pub const REV_PREFIX: &str = "strata.rev.";
/// Deleted documents kept for restoring.
pub const KEEP_DELETED: usize = 10;

/// The documents index and the recently deleted list, after a change.
pub type Lists = (Vec<DocMeta>, Vec<DocMeta>);

/// One saved document in the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Storage id.
    pub id: String,
    /// Name shown in the documents menu.
    pub name: String,
}

fn key(id: &str) -> String {
    format!("strata.doc.{id}")
}

fn view_key(id: &str) -> String {
    format!("strata.view.{id}")
}

/// The key of a document's revision.
pub fn rev_key(id: &str) -> String {
    format!("{REV_PREFIX}{id}")
}

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "the browser refuses access to local storage".to_string())?
        .ok_or_else(|| "local storage is unavailable in this browser".to_string())
}

fn set(k: &str, v: &str) -> Result<(), String> {
    storage()?.set_item(k, v).map_err(|_| "local storage is full".to_string())
}

fn get(k: &str) -> Option<String> {
    storage().ok()?.get_item(k).ok().flatten()
}

fn list(k: &str) -> Vec<DocMeta> {
    get(k).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// Whether storage can be written at all.
pub fn available() -> Result<(), String> {
    let s = storage()?;
    s.set_item("strata.probe", "1").map_err(|_| "local storage is full or read-only".to_string())?;
    let _ = s.remove_item("strata.probe");
    Ok(())
}

/// The saved documents.
pub fn index() -> Vec<DocMeta> {
    list(INDEX)
}

/// Adds a document to the index or renames it there; returns the new index.
pub fn list_doc(id: &str, name: &str) -> Result<Vec<DocMeta>, String> {
    let mut docs = index();
    match docs.iter_mut().find(|m| m.id == id) {
        Some(m) if m.name == name => return Ok(docs),
        Some(m) => m.name = name.to_string(),
        None => docs.push(DocMeta { id: id.to_string(), name: name.to_string() }),
    }
    set(INDEX, &serde_json::to_string_pretty(&docs).unwrap_or_default())?;
    Ok(docs)
}

/// Takes a document out of the index (its data stays); returns the new index.
pub fn unlist_doc(id: &str) -> Result<Vec<DocMeta>, String> {
    let mut docs = index();
    docs.retain(|m| m.id != id);
    set(INDEX, &serde_json::to_string_pretty(&docs).unwrap_or_default())?;
    Ok(docs)
}

/// A saved document's JSON.
pub fn load(id: &str) -> Option<String> {
    get(&key(id))
}

/// A saved document's revision.
pub fn revision(id: &str) -> Option<Revision> {
    get(&rev_key(id)).and_then(|t| Revision::parse(&t))
}

/// Saves a document's JSON and then its revision (other tabs react to the revision).
pub fn save(id: &str, text: &str, rev: &Revision) -> Result<(), String> {
    set(&key(id), text)?;
    set(&rev_key(id), &rev.to_text())
}

/// Forgets a document for good: its data, revision and viewport.
pub fn remove(id: &str) {
    if let Ok(s) = storage() {
        for k in [key(id), rev_key(id), view_key(id)] {
            let _ = s.remove_item(&k);
        }
    }
}

/// The viewport last used on a document (as written by [`save_view`]).
pub fn view(id: &str) -> Option<String> {
    get(&view_key(id))
}

/// Remembers a document's viewport.
pub fn save_view(id: &str, text: &str) {
    let _ = set(&view_key(id), text);
}

/// Recently deleted documents, newest first.
pub fn deleted() -> Vec<DocMeta> {
    list(DELETED)
}

/// Moves a document from the index to the recently deleted list (its data stays, so it can be
/// restored); the oldest deleted documents beyond [`KEEP_DELETED`] are removed for good.
/// Returns (index, deleted).
pub fn trash(id: &str, name: &str) -> Result<Lists, String> {
    let mut gone = deleted();
    gone.retain(|m| m.id != id);
    gone.insert(0, DocMeta { id: id.to_string(), name: name.to_string() });
    for old in gone.split_off(gone.len().min(KEEP_DELETED)) {
        remove(&old.id);
    }
    set(DELETED, &serde_json::to_string_pretty(&gone).unwrap_or_default())?;
    Ok((unlist_doc(id)?, gone))
}

/// Takes a document out of the recently deleted list and back into the index. Returns
/// (index, deleted), or `None` when it is no longer in storage.
pub fn restore(id: &str) -> Result<Option<Lists>, String> {
    let mut gone = deleted();
    let Some(meta) = gone.iter().find(|m| m.id == id).cloned() else { return Ok(None) };
    if load(id).is_none() {
        return Ok(None);
    }
    let docs = list_doc(id, &meta.name)?;
    gone.retain(|m| m.id != id);
    set(DELETED, &serde_json::to_string_pretty(&gone).unwrap_or_default())?;
    Ok(Some((docs, gone)))
}

/// Removes the oldest recently deleted document for good, to make room; `false` when there is
/// none.
pub fn purge_oldest_deleted() -> bool {
    let mut gone = deleted();
    let Some(old) = gone.pop() else { return false };
    remove(&old.id);
    let _ = set(DELETED, &serde_json::to_string_pretty(&gone).unwrap_or_default());
    true
}

/// The document open last.
pub fn current() -> Option<String> {
    get(CURRENT)
}

/// Remembers the open document.
pub fn set_current(id: &str) {
    let _ = set(CURRENT, id);
}

/// A storage id not in `docs`, in the deleted list or in storage.
pub fn fresh_id(docs: &[DocMeta]) -> String {
    let gone = deleted();
    (1..)
        .map(|i| format!("doc{i}"))
        .find(|id| !docs.iter().chain(gone.iter()).any(|d| &d.id == id) && load(id).is_none())
        .unwrap_or_default()
}
