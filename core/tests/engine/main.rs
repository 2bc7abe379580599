//! Behaviour tests of the simulation engine, one file per behaviour, all through the public API.
//!
//! The statistical queueing-theory checks need tens of millions of events; they run in
//! optimised builds only (`cargo test -p strata-core --profile ci`, or any optimised profile), the rest run
//! everywhere.

mod alarms;
mod arrival_patterns;
mod asg_spread;
mod autoscaling;
mod bounded_memory;
mod bounded_queues;
mod cache_hit_ratio;
mod cli;
mod clones;
mod common;
mod conservation_props;
mod cost;
mod determinism;
mod dns_failover;
mod dynamodb_throttling;
mod eks;
mod eks_layers;
mod experiments;
mod extreme_values;
mod failure_scenarios;
mod health_checks;
mod interactive_stepping;
mod journeys;
mod lambda_and_sqs;
mod littles_law;
mod load_balancing;
mod network_latency;
mod observe;
#[cfg(not(debug_assertions))]
mod queueing_theory;
mod rds_replicas;
mod route53_weighted;
mod s3_throttling;
mod scenarios;
mod series;
mod service_timeouts;
mod slo;
mod worker_pools;
