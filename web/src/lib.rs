//! # strata-web
//!
//! Strata's browser app: a Leptos client-side UI over `strata-core`. Only this crate touches the
//! DOM, `JsValue` and the browser clock; everything it shows is computed by the core.
//!
//! Layout: `app` assembles the shell; `shell/` holds one file per area of the screen;
//! `theme` follows the system colour scheme unless the user picks one.

pub mod app;
pub mod editor;
pub mod shell;
pub mod theme;

pub use app::App;
