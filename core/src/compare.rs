//! Two runs side by side (A/B): two designs, or one design under two experiments, with the same
//! seed and length. [`compare`] lines up the figures of their two reports, says which side each
//! difference favours, and leaves the running to the caller (`strata-sim compare`, the app).

use serde::Serialize;

use crate::sim::Report;

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// More is better (availability, throughput).
    Higher,
    /// Less is better (latency, errors, cost, budget burned).
    Lower,
    /// Neither: the figure is context (requests sent).
    Neither,
}

/// What a difference means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The same at the figure's precision.
    Same,
    /// A's is better.
    A,
    /// B's is better.
    B,
    /// Different, and neither is better (or one side has no figure).
    Differs,
}

/// How a figure is written (and the precision "the same" is judged at).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A count.
    Count,
    /// Percent, three decimals.
    Percent,
    /// Milliseconds, two decimals.
    Ms,
    /// US dollars, four decimals.
    Usd,
    /// Per second, one decimal.
    PerSecond,
    /// A share of a budget (1 = all of it), as percent with no decimals.
    Budget,
}

impl Unit {
    /// The figure rounded to what is shown: differences smaller than this are "the same".
    fn round(self, v: f64) -> f64 {
        let step = match self {
            Unit::Count => 1.0,
            Unit::Percent => 1e-3,
            Unit::Ms => 1e-2,
            Unit::Usd => 1e-4,
            Unit::PerSecond => 1e-1,
            Unit::Budget => 1e-2,
        };
        (v / step).round() * step
    }

    /// The figure in words, e.g. `99.912%`, `212.30 ms`, `$0.4417`.
    pub fn format(self, v: Option<f64>) -> String {
        let Some(v) = v else { return "—".into() };
        if !v.is_finite() {
            return "all".into();
        }
        match self {
            Unit::Count => format!("{v:.0}"),
            Unit::Percent => format!("{v:.3}%"),
            Unit::Ms => format!("{v:.2} ms"),
            Unit::Usd => format!("${v:.4}"),
            Unit::PerSecond => format!("{v:.1}/s"),
            Unit::Budget => format!("{:.0}%", v * 100.0),
        }
    }
}

/// One figure of both runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// What it is, e.g. `users: p99 latency`.
    pub figure: String,
    /// A's value (`None`: A has no such figure).
    pub a: Option<f64>,
    /// B's value.
    pub b: Option<f64>,
    /// How it is written.
    pub unit: Unit,
    /// Which way is better.
    pub better: Better,
    /// `b - a` when both have it.
    pub delta: Option<f64>,
    /// What the difference means.
    pub verdict: Verdict,
}

impl Row {
    /// `B - A` in words, signed, e.g. `+34.950%`, `-7.86 ms` (empty when a side has no figure).
    pub fn delta_text(&self) -> String {
        self.delta.map_or(String::new(), |d| {
            let s = self.unit.format(Some(d.abs()));
            if d > 0.0 {
                format!("+{s}")
            } else if d < 0.0 {
                format!("-{s}")
            } else {
                s
            }
        })
    }
}

impl Verdict {
    /// The verdict in a table's "better" column: `A`, `B`, `differs`, or nothing.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Same => "",
            Verdict::A => "A",
            Verdict::B => "B",
            Verdict::Differs => "differs",
        }
    }
}

/// Two reports lined up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Simulated time of both, s.
    pub time_s: f64,
    /// The seed both ran with.
    pub seed: u64,
    /// The figures, overall first, then per client population (by A's order, then B's own).
    pub rows: Vec<Row>,
}

impl Comparison {
    /// The rows where the runs differ.
    pub fn differences(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.verdict != Verdict::Same)
    }

    /// How many figures favour A, and how many B.
    pub fn wins(&self) -> (usize, usize) {
        self.rows.iter().fold((0, 0), |(a, b), r| match r.verdict {
            Verdict::A => (a + 1, b),
            Verdict::B => (a, b + 1),
            _ => (a, b),
        })
    }

    /// The row of a figure, by its name.
    pub fn row(&self, figure: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.figure == figure)
    }
}

fn row(figure: String, a: Option<f64>, b: Option<f64>, unit: Unit, better: Better) -> Row {
    let (ra, rb) = (a.map(|v| unit.round(v)), b.map(|v| unit.round(v)));
    let verdict = match (ra, rb) {
        (Some(x), Some(y)) if x == y || (x.is_infinite() && y.is_infinite()) => Verdict::Same,
        (None, None) => Verdict::Same,
        (Some(x), Some(y)) => match better {
            Better::Higher if y > x => Verdict::B,
            Better::Higher => Verdict::A,
            Better::Lower if y < x => Verdict::B,
            Better::Lower => Verdict::A,
            Better::Neither => Verdict::Differs,
        },
        _ => Verdict::Differs,
    };
    let delta = a.zip(b).map(|(x, y)| y - x).filter(|d| d.is_finite());
    Row { figure, a, b, unit, better, delta, verdict }
}

/// Lines up two reports' figures: overall availability, error budget and cost, then for each
/// client population (matched by id) requests, availability, throughput, latency percentiles,
/// errors and its objectives.
pub fn compare(a: &Report, b: &Report) -> Comparison {
    let pct = |v: Option<f64>| v.map(|x| x * 100.0);
    let mut rows = vec![
        row(
            "availability".into(),
            pct(a.resilience.availability),
            pct(b.resilience.availability),
            Unit::Percent,
            Better::Higher,
        ),
        row(
            "error budget used".into(),
            Some(a.resilience.error_budget.burned),
            Some(b.resilience.error_budget.burned),
            Unit::Budget,
            Better::Lower,
        ),
        row("cost per hour now".into(), Some(a.cost.per_hour_now), Some(b.cost.per_hour_now), Unit::Usd, Better::Lower),
        row("cost of the run".into(), Some(a.cost.accumulated), Some(b.cost.accumulated), Unit::Usd, Better::Lower),
    ];
    let mut ids: Vec<&str> = a.clients.iter().map(|c| c.id.as_str()).collect();
    ids.extend(b.clients.iter().map(|c| c.id.as_str()).filter(|id| a.client(id).is_none()));
    for id in ids {
        let (ca, cb) = (a.client(id), b.client(id));
        let mut add = |what: &str, f: &dyn Fn(&crate::sim::ClientReport) -> Option<f64>, unit, better| {
            rows.push(row(format!("{id}: {what}"), ca.and_then(f), cb.and_then(f), unit, better));
        };
        add("requests", &|c| Some(c.requests as f64), Unit::Count, Better::Neither);
        add("availability", &|c| pct(c.success_rate), Unit::Percent, Better::Higher);
        add("throughput", &|c| Some(c.throughput_rps), Unit::PerSecond, Better::Higher);
        add("p50 latency", &|c| Some(c.latency.p50_ms), Unit::Ms, Better::Lower);
        add("p95 latency", &|c| Some(c.latency.p95_ms), Unit::Ms, Better::Lower);
        add("p99 latency", &|c| Some(c.latency.p99_ms), Unit::Ms, Better::Lower);
        add("errors", &|c| Some(c.errors.total as f64), Unit::Count, Better::Lower);
        add("error budget used", &|c| Some(c.slo.error_budget.burned), Unit::Budget, Better::Lower);
        if ca.is_some_and(|c| c.slo.latency.is_some()) || cb.is_some_and(|c| c.slo.latency.is_some()) {
            add("latency budget used", &|c| c.slo.latency.map(|l| l.burned), Unit::Budget, Better::Lower);
        }
    }
    Comparison { time_s: a.time_s, seed: a.seed, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_favours_the_side_its_direction_says_and_rounding_makes_the_same() {
        let r = row("x".into(), Some(99.9), Some(99.95), Unit::Percent, Better::Higher);
        assert_eq!((r.verdict, r.delta.map(|d| (d * 1e3).round())), (Verdict::B, Some(50.0)));
        assert_eq!(row("x".into(), Some(10.0), Some(12.0), Unit::Ms, Better::Lower).verdict, Verdict::A);
        assert_eq!(row("x".into(), Some(10.0), Some(10.004), Unit::Ms, Better::Lower).verdict, Verdict::Same);
        assert_eq!(row("x".into(), Some(10.0), Some(12.0), Unit::Count, Better::Neither).verdict, Verdict::Differs);
        assert_eq!(row("x".into(), None, Some(1.0), Unit::Count, Better::Lower).verdict, Verdict::Differs);
        assert_eq!(
            row("x".into(), Some(f64::INFINITY), Some(f64::INFINITY), Unit::Budget, Better::Lower).verdict,
            Verdict::Same
        );
        assert_eq!(row("x".into(), Some(2.0), Some(f64::INFINITY), Unit::Budget, Better::Lower).verdict, Verdict::A);
        assert_eq!(Unit::Budget.format(Some(f64::INFINITY)), "all");
        assert_eq!(Unit::Usd.format(Some(0.441698)), "$0.4417");
        assert_eq!(Unit::Percent.format(None), "—");
        assert_eq!(row("x".into(), Some(12.0), Some(10.0), Unit::Ms, Better::Lower).delta_text(), "-2.00 ms");
        assert_eq!(row("x".into(), Some(1.0), Some(3.5), Unit::Usd, Better::Lower).delta_text(), "+$2.5000");
        assert_eq!(row("x".into(), None, Some(3.5), Unit::Usd, Better::Lower).delta_text(), "");
    }
}
