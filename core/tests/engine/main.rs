//! Behaviour tests of the simulation engine, one file per behaviour, all through the public API.
//!
//! The statistical queueing-theory checks need tens of millions of events; they run in
//! optimised builds only (`cargo test -p strata-core --profile bench-native`), the rest run
//! everywhere.

mod autoscaling;
mod bounded_memory;
mod cache_hit_ratio;
mod cli;
mod common;
mod conservation_props;
mod determinism;
mod dns_failover;
mod extreme_values;
mod interactive_stepping;
mod lambda_and_sqs;
mod journeys;
mod littles_law;
mod load_balancing;
#[cfg(not(debug_assertions))]
mod queueing_theory;
mod rds_replicas;
mod s3_throttling;
mod scenarios;
