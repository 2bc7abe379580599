//! Several named documents in the browser's local storage: an index (`strata.docs`), one entry
//! per document (`strata.doc.<id>`) and the one open last (`strata.current`). Every call reports
//! failure (storage full or unavailable) instead of hiding it.

use serde::{Deserialize, Serialize};

const INDEX: &str = "strata.docs";
const CURRENT: &str = "strata.current";

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

fn storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("no window")?
        .local_storage()
        .map_err(|_| "the browser refuses access to local storage".to_string())?
        .ok_or_else(|| "local storage is unavailable in this browser".to_string())
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
    storage()
        .ok()
        .and_then(|s| s.get_item(INDEX).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Writes the index.
pub fn save_index(docs: &[DocMeta]) -> Result<(), String> {
    let text = serde_json::to_string(docs).unwrap_or_default();
    storage()?.set_item(INDEX, &text).map_err(|_| "local storage is full".to_string())
}

/// A saved document's JSON.
pub fn load(id: &str) -> Option<String> {
    storage().ok()?.get_item(&key(id)).ok().flatten()
}

/// Saves a document's JSON.
pub fn save(id: &str, text: &str) -> Result<(), String> {
    storage()?.set_item(&key(id), text).map_err(|_| "local storage is full".to_string())
}

/// Forgets a document.
pub fn remove(id: &str) {
    if let Ok(s) = storage() {
        let _ = s.remove_item(&key(id));
    }
}

/// The document open last.
pub fn current() -> Option<String> {
    storage().ok()?.get_item(CURRENT).ok().flatten()
}

/// Remembers the open document.
pub fn set_current(id: &str) {
    if let Ok(s) = storage() {
        let _ = s.set_item(CURRENT, id);
    }
}

/// A storage id not in `docs`.
pub fn fresh_id(docs: &[DocMeta]) -> String {
    (1..).map(|i| format!("doc{i}")).find(|id| !docs.iter().any(|d| &d.id == id)).unwrap_or_default()
}
