//! Pure editor logic: geometry, the document model and its edits, edge routing, undo history,
//! share-link encoding, parameter checking, the scene the canvas draws, the palette's search and the
//! SVG export.
//! Nothing here touches the DOM, so all of it is unit-tested natively (`cargo test -p strata-web
//! --lib`).

pub mod geom;
pub mod history;
pub mod icons;
pub mod import;
pub mod model;
pub mod params;
pub mod route;
pub mod scene;
pub mod search;
pub mod share;
pub mod svg_export;
pub mod sync;
pub mod walk_edit;
