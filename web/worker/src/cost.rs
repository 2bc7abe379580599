//! The cost meter's figures: the report's `cost` section as the strip carries it, so the page
//! shows the engine's own bill for the simulated time on the clock (the page formats them).

use serde::{Deserialize, Serialize};
use strata_core::sim::CostReport;

/// What the run has cost and costs now, USD at public on-demand prices.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostMeter {
    /// Region of the prices, e.g. `us-east-1`.
    pub region: String,
    /// When the prices are from.
    pub prices_as_of: String,
    /// USD per hour at this time: what runs now, plus usage at the last second's rate.
    pub per_hour_now: f64,
    /// USD since the run started.
    pub accumulated: f64,
    /// Every category, in the report's order (`compute`, `database`, `load_balancing`, ...).
    pub by_category: Vec<MeterCategory>,
    /// Every component with a charge (then NAT gateways and declared volumes).
    pub by_component: Vec<MeterComponent>,
}

/// One category's total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeterCategory {
    /// Its name in the report, e.g. `load_balancing`.
    pub name: String,
    /// USD per hour now.
    pub per_hour_now: f64,
    /// USD so far.
    pub accumulated: f64,
}

/// One component's charges.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeterComponent {
    /// Component id (or NAT gateway or volume name).
    pub id: String,
    /// Its kind, e.g. `asg`, `alb`, `nat_gateway`.
    pub kind: String,
    /// USD per hour now.
    pub per_hour_now: f64,
    /// USD so far.
    pub accumulated: f64,
    /// What it is charged for.
    pub lines: Vec<MeterLine>,
}

/// One charge: a quantity at a unit price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeterLine {
    /// What is charged, e.g. `instance-hours`.
    pub item: String,
    /// Its category's name.
    pub category: String,
    /// Quantity used so far, in `unit`.
    pub quantity: f64,
    /// The unit, e.g. `hour`, `GB`.
    pub unit: String,
    /// USD per unit.
    pub unit_price: f64,
    /// USD so far.
    pub accumulated: f64,
    /// USD per hour now.
    pub per_hour_now: f64,
}

impl CostMeter {
    /// The meter's figures from a report's cost section.
    pub fn of(c: &CostReport) -> CostMeter {
        CostMeter {
            region: c.region.to_string(),
            prices_as_of: c.prices_as_of.to_string(),
            per_hour_now: c.per_hour_now,
            accumulated: c.accumulated,
            by_category: c
                .by_category
                .iter()
                .map(|k| MeterCategory {
                    name: k.category.name().to_string(),
                    per_hour_now: k.per_hour_now,
                    accumulated: k.accumulated,
                })
                .collect(),
            by_component: c
                .by_component
                .iter()
                .map(|k| MeterComponent {
                    id: k.id.clone(),
                    kind: k.kind.to_string(),
                    per_hour_now: k.per_hour_now,
                    accumulated: k.accumulated,
                    lines: k
                        .lines
                        .iter()
                        .map(|l| MeterLine {
                            item: l.item.to_string(),
                            category: l.category.name().to_string(),
                            quantity: l.quantity,
                            unit: l.unit.to_string(),
                            unit_price: l.unit_price,
                            accumulated: l.accumulated,
                            per_hour_now: l.per_hour_now,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
