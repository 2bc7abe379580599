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
    /// The components with the largest charges so far (at most [`MAX_COMPONENTS`]; then NAT
    /// gateways and declared volumes), in the report's order.
    pub by_component: Vec<MeterComponent>,
    /// The charged components left out of `by_component`, together.
    pub others: Option<OtherComponents>,
}

/// Components the meter lists by name at most: a design of a thousand components would
/// otherwise send every one's charges ten times a second.
pub const MAX_COMPONENTS: usize = 20;

/// The components the meter does not list, added up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OtherComponents {
    /// How many.
    pub count: usize,
    /// USD per hour now, together.
    pub per_hour_now: f64,
    /// USD so far, together.
    pub accumulated: f64,
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
        let named = kept(c);
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
            others: (c.by_component.len() > MAX_COMPONENTS).then(|| {
                let left = c.by_component.iter().enumerate().filter(|(i, _)| !named.contains(i));
                left.fold(OtherComponents::default(), |o, (_, k)| OtherComponents {
                    count: o.count + 1,
                    per_hour_now: o.per_hour_now + k.per_hour_now,
                    accumulated: o.accumulated + k.accumulated,
                })
            }),
            by_component: named
                .iter()
                .map(|&i| &c.by_component[i])
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

/// Which of the report's components the meter lists: the [`MAX_COMPONENTS`] with the largest
/// charges so far (the earlier in the report on a tie), in the report's order.
fn kept(c: &CostReport) -> Vec<usize> {
    let mut order: Vec<usize> = (0..c.by_component.len()).collect();
    order.sort_by(|&a, &b| c.by_component[b].accumulated.total_cmp(&c.by_component[a].accumulated).then(a.cmp(&b)));
    order.truncate(MAX_COMPONENTS);
    order.sort_unstable();
    order
}
