//! Several tabs on one document: who may write, when to take another tab's version, and when
//! both changed it (then both versions are kept). Pure decisions over revision stamps; the
//! browser side (`state.rs`, `storage.rs`) reads and writes them beside each document.
//!
//! Every save writes a [`Revision`] next to the document: a counter, the id of the tab that
//! wrote it and the stamps of the last few versions it descends from. A tab remembers the
//! stamp its open document is based on (its *base*) and whether it has changes not yet written
//! (*dirty*). Before writing, and whenever another tab writes, it compares its base with the
//! stored revision:
//!
//! - the same: nothing happened elsewhere ([`Sync::UpToDate`]);
//! - the stored version descends from the base and this tab has nothing unsaved: take it
//!   ([`Sync::Adopt`]);
//! - otherwise this tab would overwrite, or has been overwritten by, work it has not seen:
//!   keep this tab's version as a copy ([`Sync::KeepBoth`]); the stored one is left as it is;
//! - the document is gone from storage (deleted in another tab): [`Sync::Deleted`].
//!
//! When it cannot tell (the lineage is longer than what is kept), it keeps both: a spare copy
//! is cheap, lost work is not.

use serde::{Deserialize, Serialize};

/// How many ancestors a revision remembers.
pub const ANCESTORS: usize = 16;

/// One saved version of a document: its counter and the tab that wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(pub u64, pub String);

/// What is stored beside a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Counter, one more than the version it was based on.
    pub rev: u64,
    /// The tab that wrote it.
    pub tab: String,
    /// The versions it descends from, newest first (at most [`ANCESTORS`]).
    #[serde(default)]
    pub ancestors: Vec<Stamp>,
}

impl Revision {
    /// Its stamp.
    pub fn stamp(&self) -> Stamp {
        Stamp(self.rev, self.tab.clone())
    }

    /// The revision a tab writes over `stored` (what storage holds now, if anything).
    pub fn next(stored: Option<&Revision>, tab: &str) -> Revision {
        match stored {
            Some(s) => {
                let mut ancestors = Vec::with_capacity(ANCESTORS);
                ancestors.push(s.stamp());
                ancestors.extend(s.ancestors.iter().take(ANCESTORS - 1).cloned());
                Revision { rev: s.rev + 1, tab: tab.to_string(), ancestors }
            }
            None => Revision { rev: 1, tab: tab.to_string(), ancestors: Vec::new() },
        }
    }

    /// Parses the stored text; `None` when absent or unreadable.
    pub fn parse(text: &str) -> Option<Revision> {
        serde_json::from_str(text).ok()
    }

    /// The stored text.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// What a tab should do about the stored version of its open document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// Storage holds this tab's base: it may write over it.
    UpToDate,
    /// Another tab saved a newer version and this tab has nothing of its own to lose: show it.
    Adopt,
    /// Both changed the document: keep this tab's version as a copy, leave the stored one.
    KeepBoth,
    /// The document was deleted from storage after this tab opened it.
    Deleted,
}

/// Compares a tab's base (`None`: never saved nor loaded with a revision), whether it has
/// unsaved changes, and its id with what storage holds now.
pub fn compare(base: Option<&Stamp>, dirty: bool, tab: &str, stored: Option<&Revision>) -> Sync {
    let (base, stored) = match (base, stored) {
        (None, None) => return Sync::UpToDate,
        (Some(_), None) => return Sync::Deleted,
        // Stored under this id without this tab knowing (an older save without revisions, or
        // another tab that picked the same id).
        (None, Some(_)) => return if dirty { Sync::KeepBoth } else { Sync::Adopt },
        (Some(b), Some(s)) => (b, s),
    };
    if stored.stamp() == *base {
        return Sync::UpToDate;
    }
    if dirty {
        return Sync::KeepBoth;
    }
    let descends = stored.ancestors.contains(base);
    // The base was written by this tab and the stored version does not build on it: this
    // tab's work was overwritten.
    if !descends && base.1 == tab {
        return Sync::KeepBoth;
    }
    Sync::Adopt
}

/// The name of the copy that keeps a tab's version: "<name> (copy)", or "(copy 2)", ... when
/// that is taken.
pub fn copy_name(name: &str, taken: &[String]) -> String {
    let name = if name.trim().is_empty() { "Untitled" } else { name.trim() };
    (1..)
        .map(|i| if i == 1 { format!("{name} (copy)") } else { format!("{name} (copy {i})") })
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(n: u64, tab: &str, ancestors: &[(u64, &str)]) -> Revision {
        Revision {
            rev: n,
            tab: tab.into(),
            ancestors: ancestors.iter().map(|(r, t)| Stamp(*r, t.to_string())).collect(),
        }
    }

    fn st(n: u64, tab: &str) -> Stamp {
        Stamp(n, tab.into())
    }

    #[test]
    fn a_tab_writes_over_its_own_base() {
        let stored = rev(3, "a", &[(2, "b")]);
        assert_eq!(compare(Some(&st(3, "a")), true, "a", Some(&stored)), Sync::UpToDate);
        assert_eq!(compare(Some(&st(3, "a")), false, "b", Some(&stored)), Sync::UpToDate);
        assert_eq!(compare(None, true, "a", None), Sync::UpToDate, "a new document");
    }

    #[test]
    fn a_clean_tab_takes_a_newer_version_built_on_its_own() {
        // Tab A saved 3; tab B took it and saved 4 on top.
        let stored = rev(4, "b", &[(3, "a"), (2, "a")]);
        assert_eq!(compare(Some(&st(3, "a")), false, "a", Some(&stored)), Sync::Adopt);
    }

    #[test]
    fn a_clean_viewer_takes_any_newer_version() {
        // This tab only shows what others wrote: nothing of its own can be lost.
        let stored = rev(9, "c", &[]);
        assert_eq!(compare(Some(&st(3, "b")), false, "a", Some(&stored)), Sync::Adopt);
    }

    #[test]
    fn regression_two_tabs_overwrite_each_other() {
        // Tab A added an EC2 (saved 2:a over 1:a); tab B, still on 1:a, renamed: B must not
        // write over 2:a.
        let stored = rev(2, "a", &[(1, "a")]);
        assert_eq!(compare(Some(&st(1, "a")), true, "b", Some(&stored)), Sync::KeepBoth);
        // And had B written anyway (a race: both saved at once), A finds its work overwritten.
        let overwritten = rev(2, "b", &[(1, "a")]);
        assert_eq!(compare(Some(&st(2, "a")), false, "a", Some(&overwritten)), Sync::KeepBoth);
        // B, whose write is the stored one, has nothing to do.
        assert_eq!(compare(Some(&st(2, "b")), false, "b", Some(&overwritten)), Sync::UpToDate);
    }

    #[test]
    fn both_dirty_keeps_both() {
        let stored = rev(4, "b", &[(3, "a")]);
        assert_eq!(compare(Some(&st(3, "a")), true, "a", Some(&stored)), Sync::KeepBoth);
    }

    #[test]
    fn a_lineage_longer_than_remembered_keeps_both_rather_than_guess() {
        let mut stored = Revision::next(None, "a");
        let base = stored.stamp();
        for _ in 0..ANCESTORS + 2 {
            stored = Revision::next(Some(&stored), "b");
        }
        assert_eq!(stored.ancestors.len(), ANCESTORS);
        assert_eq!(compare(Some(&base), false, "a", Some(&stored)), Sync::KeepBoth);
        let mut near = Revision::next(None, "a");
        let base = near.stamp();
        for _ in 0..ANCESTORS {
            near = Revision::next(Some(&near), "b");
        }
        assert_eq!(compare(Some(&base), false, "a", Some(&near)), Sync::Adopt);
    }

    #[test]
    fn deleted_and_unknown_documents() {
        assert_eq!(compare(Some(&st(2, "a")), true, "a", None), Sync::Deleted);
        let stored = rev(1, "b", &[]);
        assert_eq!(compare(None, true, "a", Some(&stored)), Sync::KeepBoth);
        assert_eq!(compare(None, false, "a", Some(&stored)), Sync::Adopt);
    }

    #[test]
    fn next_revision_counts_up_and_remembers_ancestors() {
        let r1 = Revision::next(None, "a");
        assert_eq!(r1, rev(1, "a", &[]));
        let r2 = Revision::next(Some(&r1), "b");
        assert_eq!(r2, rev(2, "b", &[(1, "a")]));
        assert_eq!(Revision::parse(&r2.to_text()), Some(r2));
        assert_eq!(Revision::parse("not json"), None);
    }

    #[test]
    fn copy_names_do_not_collide() {
        assert_eq!(copy_name("Shop", &[]), "Shop (copy)");
        assert_eq!(copy_name("Shop", &["Shop (copy)".into()]), "Shop (copy 2)");
        assert_eq!(copy_name("  ", &[]), "Untitled (copy)");
    }
}
