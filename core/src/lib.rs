//! # strata-core
//!
//! The simulation behind Strata: a deterministic, sans-IO model of a cloud architecture, from
//! the physical host under an instance up to the request a user sends.
//!
//! The crate never reads a clock, never touches I/O and never iterates a `HashMap`: time is an
//! input ([`time::SimTime`]), randomness comes from one seeded, portable generator
//! ([`rng::SimRng`]), and every output is data the caller polls. The same topology and seed give
//! the same run natively and in WebAssembly.
//!
//! ## Modules
//! - [`topology`]: the versioned document (containers, components, connections, request types).
//! - [`catalog`]: static descriptions of every component kind, for the editor.
//! - [`validate`]: diagnostics; never fails.
//! - [`resilience`]: timeouts, retries, breakers and bulkheads on connections.
//! - [`experiment`]: failures written in the document (FIS-style actions on a schedule).
//! - [`alarms`]: CloudWatch-style alarms written in the document, with their actions.
//! - [`layers`]: hosts, hypervisors, placement, VPC network, EBS storage and the launch
//!   lifecycle under every instance; [`layers::attach`] puts a topology's instances on them.
//! - [`sim`]: the discrete-event engine and its metrics (on the layers when the topology has an
//!   `infrastructure`).
//! - [`assess`]: a standard battery of disruptions and a resilience report card.
//! - [`compare`]: two runs' figures side by side (A/B), and which side each difference favours.
//! - [`bench`](mod@bench): benchmark entry points; no clock inside, the caller times them.
//!
//! ## Example
//! ```
//! use strata_core::sim::{SimConfig, Simulation};
//! use strata_core::time::SimTime;
//! use strata_core::topology::{ComponentKind, Topology};
//!
//! let mut t = Topology::new("one server");
//! t.add("users", ComponentKind::Client, None);
//! t.add("web", ComponentKind::Ec2, None);
//! t.connect("users", "web");
//! assert!(!strata_core::validate::validate(&t).has_errors());
//!
//! let mut sim = Simulation::new(&t, SimConfig::with_seed(7)).unwrap();
//! sim.step_until(SimTime::from_secs(10));
//! let report = sim.report();
//! let web = report.component("web").unwrap();
//! assert!(web.completions > 500); // 100 req/s for 10 s
//! assert_eq!(web.arrivals, web.completions + web.errors.total + web.in_flight);
//! ```
#![warn(missing_docs)]

pub mod alarms;
pub mod assess;
pub mod bench;
pub mod catalog;
pub mod cloudformation;
pub mod compare;
pub mod containers;
pub mod experiment;
pub mod layers;
pub mod lint;
pub mod pricing;
pub mod resilience;
pub mod rng;
pub mod sim;
pub mod time;
pub mod topology;
pub mod validate;
pub mod walkthrough;
