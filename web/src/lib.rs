//! # strata-web
//!
//! Strata's browser app: a Leptos client-side UI over `strata-core`. Only this crate touches the
//! DOM, `JsValue` and the browser clock; everything it shows is computed by the core.
//!
//! Layout: `app` assembles the shell; `shell/` holds one file per area of the screen; `state`
//! is the editor's state in one place; `editor/` is the pure editing logic (geometry, document
//! edits, routing, history, formats) with native tests; `storage`, `io`, `keys` and `js` connect
//! it to the browser; `checks` asks the simulation worker about the design (diagnostics,
//! reachability, CloudFormation); `theme` follows the system colour scheme unless the user
//! picks one.

pub mod app;
pub mod checks;
pub mod editor;
pub mod io;
pub mod js;
pub mod keys;
pub mod live;
pub mod shell;
pub mod state;
pub mod storage;
pub mod theme;
pub mod viewer;

pub use app::App;
