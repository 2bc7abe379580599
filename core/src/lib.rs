//! # strata-core
//!
//! The simulation behind Strata: a deterministic, sans-IO model of a cloud architecture, from
//! the physical host under an instance up to the request a user sends.
//!
//! The crate never reads a clock, never touches I/O and never iterates a `HashMap`: time is an
//! input ([`time::SimTime`]), randomness comes from one seeded, portable generator
//! ([`rng::SimRng`]), and every output is data the caller polls. The same topology and seed give
//! the same run natively and in WebAssembly.
#![warn(missing_docs)]

pub mod layers;
pub mod rng;
pub mod time;
