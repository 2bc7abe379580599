//! A live run: the engine plays a design in a dedicated Web Worker and streams frames to the
//! page, which only draws them.
//!
//! - `protocol`: the commands and frames that cross between the page and the worker.
//! - `session`: the worker's side, pure and tested natively: pacing, pause, step, seek (replaying
//!   from the start to go back), and the frames (figures, badges, particles, event log).
//! - `figures`: the strip's and the badges' figures, computed from the engine's own report.
//! - `particles`: the page's side of the particle stream: which dots are where at a time.
//! - `worker`: the worker's entry point around a `Session`.
//! - `client`: the page's handle on the worker, as Leptos signals.

pub mod figures;
pub mod particles;
pub mod protocol;
pub mod session;

pub mod client;
pub mod worker;

#[cfg(test)]
mod tests;
