//! # strata-worker
//!
//! The engine's side of a live run. The page (`strata-web`) never simulates: it sends commands to
//! a dedicated Web Worker built from this crate, which plays the design with `strata-core` and
//! streams frames back. Kept apart from the page's crate so the worker carries no UI code and is
//! optimised for speed while the page is optimised for size.
//!
//! - `protocol`: the commands and frames that cross between the page and the worker.
//! - `session`: the worker's logic, pure and tested natively: pacing, pause, step, seek
//!   (from keyframes to go back), and the frames (figures, badges, particles, log).
//! - `figures`: the strip's and the badges' figures, read from the engine's counters and series.
//! - `charts`: the charts beside a run (what to plot, and the SVG drawn with `plotters`).
//! - `cost`: the cost meter's figures, the engine's bill as the strip carries it.
//! - `drill`: the drill-down under an instance, put into words from the engine's detail.
//! - `answers`: questions about a design rather than a run (validation and lint, a connection's
//!   reachability, the CloudFormation template), so the page carries none of that code.
//! - `trace`: one request's story as a waterfall, replayed from a keyframe.
//! - `study`: A/B comparisons and the resilience report card, run to their end beside the live
//!   run with progress and cancel.
//! - `worker`: the Web Worker entry point around a `Session` (wasm-bindgen and web-sys).
//! - `gif_export`, `gif_worker`: a run's frames encoded into an animated GIF, in a worker of its
//!   own loaded only for an export.

pub mod answers;
pub mod charts;
pub mod cost;
pub mod drill;
pub mod figures;
pub mod gif_export;
pub mod gif_worker;
pub mod html;
pub mod protocol;
pub mod session;
pub mod study;
pub mod trace;
pub mod worker;

#[cfg(test)]
mod tests;
