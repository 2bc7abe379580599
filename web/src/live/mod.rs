//! A live run as the page sees it. The engine plays the design in a dedicated Web Worker (the
//! `strata-worker` crate) and streams frames; the page only draws them.
//!
//! - `client`: the page's handle on the worker, as Leptos signals.
//! - `particles`: which dots are where at a simulated time.
//! - `raster`: the dots' pixels, stamped into the buffer the canvas shows.
//! - `paint`: the dots placed along their connections and stamped (shared with the viewer).
//! - `launches`: instance launches through the layers, phase by phase.
//! - `figures`, `protocol`: the worker's types, re-exported for the page.

pub mod client;
pub mod launches;
pub mod paint;
pub mod particles;
pub mod raster;

pub use strata_worker::{figures, protocol};
