//! CloudWatch-style alarms written in the document: a component's metric, a threshold,
//! evaluation periods and an action, as an alarm with a step-scaling policy, a deployment's
//! rollback or an EC2 action would be configured.
//!
//! ```json
//! "alarms": [{
//!   "name": "web-cpu-high",
//!   "component": "web", "metric": "cpu_percent", "threshold": 80,
//!   "period_s": 60, "evaluation_periods": 2,
//!   "action": {"do": "scale_out", "target": "web", "by": 2}
//! }]
//! ```
//!
//! Each period the engine reads the metric over that period (from its own counters, the figures
//! the report gives); a period breaches when the value is beyond the threshold, and a period
//! with no requests does not breach (CloudWatch's default for missing data). The alarm goes to
//! ALARM when `datapoints_to_alarm` of the last `evaluation_periods` periods breached, and its
//! action runs at that moment (once per transition, as CloudWatch's actions do); it goes back
//! to OK when they no longer do. [`check`] says what cannot work.

use serde::{Deserialize, Serialize};

use crate::topology::{ComponentKind, Topology};
use crate::validate::{Code, Diagnostic, Element, Severity};

/// What an alarm watches on its component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Requests it failed over requests it received, percent.
    ErrorPercent,
    /// Its CPU: busy over available (vCPUs, pods' shares), percent.
    CpuPercent,
    /// Requests it received, per second.
    RequestsPerS,
    /// Mean time a request spent in it, ms (CloudWatch's Average statistic).
    LatencyMs,
}

impl Metric {
    /// Its name as written.
    pub fn name(self) -> &'static str {
        match self {
            Metric::ErrorPercent => "error_percent",
            Metric::CpuPercent => "cpu_percent",
            Metric::RequestsPerS => "requests_per_s",
            Metric::LatencyMs => "latency_ms",
        }
    }
}

/// Which side of the threshold breaches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Greater than the threshold.
    #[default]
    Above,
    /// Less than the threshold.
    Below,
}

/// What the alarm does when it goes to ALARM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Do {
    /// Nothing but its state (an SNS notification).
    Notify,
    /// Adds `by` instances to an Auto Scaling group, or pods (tasks) to an EKS deployment or
    /// ECS service (a step-scaling policy), up to its maximum.
    ScaleOut,
    /// Removes `by` of them, down to its minimum.
    ScaleIn,
    /// Rolls back the deployment under way on an EKS deployment or ECS service.
    Rollback,
    /// Stops an EC2 instance (the EC2 action "Stop this instance").
    StopInstance,
    /// Fails a Multi-AZ RDS database over to its standby (60-120 s without its writer).
    Failover,
}

/// An alarm's action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmAction {
    /// What it does.
    #[serde(rename = "do")]
    pub kind: Do,
    /// The component it acts on (default: the alarm's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Scaling: how many (default 1).
    #[serde(default = "one")]
    pub by: u32,
}

fn one() -> u32 {
    1
}

/// One alarm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    /// Unique name.
    pub name: String,
    /// The component whose metric it watches.
    pub component: String,
    /// The metric.
    pub metric: Metric,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
    /// Which side breaches (default above).
    #[serde(default)]
    pub comparison: Comparison,
    /// Period, seconds (default 60; at least 10).
    #[serde(default = "sixty")]
    pub period_s: f64,
    /// Periods looked at (default 1).
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// Breaching periods among them for ALARM (default: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
    /// What it does.
    pub action: AlarmAction,
}

fn sixty() -> f64 {
    60.0
}

impl AlarmSpec {
    /// Breaching periods needed for ALARM.
    pub fn datapoints(&self) -> u32 {
        self.datapoints_to_alarm.unwrap_or(self.evaluation_periods).max(1)
    }

    /// Whether `value` breaches.
    pub fn breaches(&self, value: f64) -> bool {
        match self.comparison {
            Comparison::Above => value > self.threshold,
            Comparison::Below => value < self.threshold,
        }
    }

    /// The component its action acts on.
    pub fn target(&self) -> &str {
        self.action.target.as_deref().unwrap_or(&self.component)
    }
}

/// Checks the document's alarms: each names a component that exists, a metric and an action
/// that suit it, and numbers that make sense. Never fails.
pub fn check(t: &Topology) -> Vec<Diagnostic> {
    let list = match t.alarms.as_ref().map(|a| a.read()) {
        Some(Err(e)) => return vec![problem(Element::Document, format!("the alarms do not read: {e}"))],
        Some(Ok(list)) => list,
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, a) in list.iter().enumerate() {
        let el = Element::Document;
        let who = if a.name.is_empty() { format!("alarm #{i}") } else { format!("alarm `{}`", a.name) };
        let mut bad = |m: String| out.push(problem(el.clone(), format!("{who}: {m}")));
        if a.name.trim().is_empty() {
            bad("needs a name".into());
        } else if !names.insert(a.name.as_str()) {
            bad("two alarms have this name".into());
        }
        match t.component(&a.component).map(|c| c.spec.kind()) {
            None => bad(format!("no component `{}` to watch", a.component)),
            Some(ComponentKind::Client) => bad(format!("`{}` is a client population: it has no metrics", a.component)),
            Some(_) => {}
        }
        if !(a.threshold.is_finite() && a.threshold >= 0.0) {
            bad(format!("threshold {} must be 0 or more (in {})", a.threshold, a.metric.name()));
        }
        if !(a.period_s.is_finite() && (10.0..=86_400.0).contains(&a.period_s)) {
            bad(format!("period_s {} must be between 10 s and one day", a.period_s));
        }
        if a.evaluation_periods == 0 || a.evaluation_periods > 100 {
            bad(format!("evaluation_periods {} must be between 1 and 100", a.evaluation_periods));
        }
        if a.datapoints() > a.evaluation_periods.max(1) {
            bad(format!(
                "datapoints_to_alarm {} is more than the {} periods it looks at",
                a.datapoints(),
                a.evaluation_periods
            ));
        }
        let target = a.target();
        let kind = t.component(target).map(|c| c.spec.kind());
        let suits = match a.action.kind {
            Do::Notify => true,
            Do::ScaleOut | Do::ScaleIn => {
                matches!(kind, Some(ComponentKind::Asg | ComponentKind::Eks | ComponentKind::Ecs))
            }
            Do::Rollback => matches!(kind, Some(ComponentKind::Eks | ComponentKind::Ecs)),
            Do::StopInstance => matches!(kind, Some(ComponentKind::Ec2)),
            Do::Failover => matches!(
                t.component(target).map(|c| &c.spec),
                Some(crate::topology::ComponentSpec::Rds(p)) if p.multi_az
            ),
        };
        if kind.is_none() {
            bad(format!("no component `{target}` to act on"));
        } else if !suits {
            let takes = match a.action.kind {
                Do::ScaleOut | Do::ScaleIn => "an Auto Scaling group, an EKS deployment or an ECS service",
                Do::Rollback => "an EKS deployment or an ECS service",
                Do::Failover => "a Multi-AZ RDS database",
                _ => "an EC2 component",
            };
            bad(format!("its action cannot act on `{target}`: it takes {takes}"));
        }
        if matches!(a.action.kind, Do::ScaleOut | Do::ScaleIn) && !(1..=500).contains(&a.action.by) {
            bad(format!("by {} must be between 1 and 500", a.action.by));
        }
    }
    out
}

fn problem(element: Element, message: String) -> Diagnostic {
    Diagnostic { severity: Severity::Error, code: Code::Alarm, message, element }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(alarms: &str) -> Topology {
        Topology::from_json(&format!(
            r#"{{"version": 1,
              "components": [{{"id": "users", "kind": "client"}}, {{"id": "web", "kind": "asg"}},
                             {{"id": "db", "kind": "rds"}}],
              "connections": [{{"from": "users", "to": "web"}}, {{"from": "web", "to": "db"}}],
              "alarms": {alarms}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn alarms_that_cannot_work_are_refused_in_words() {
        let ok = doc(r#"[{"name": "hot", "component": "web", "metric": "cpu_percent", "threshold": 80,
                 "evaluation_periods": 2, "action": {"do": "scale_out", "by": 2}}]"#);
        assert_eq!(check(&ok), Vec::new());
        assert_eq!(ok.alarms().unwrap()[0].datapoints(), 2);
        let cases = [
            (
                r#"[{"name": "a", "component": "ghost", "metric": "cpu_percent", "threshold": 1, "action": {"do": "notify"}}]"#,
                "no component `ghost` to watch",
            ),
            (
                r#"[{"name": "a", "component": "users", "metric": "cpu_percent", "threshold": 1, "action": {"do": "notify"}}]"#,
                "it has no metrics",
            ),
            (
                r#"[{"name": "a", "component": "db", "metric": "latency_ms", "threshold": 50, "action": {"do": "rollback"}}]"#,
                "its action cannot act on `db`: it takes an EKS deployment or an ECS service",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "error_percent", "threshold": 5, "period_s": 1, "action": {"do": "notify"}}]"#,
                "period_s 1 must be between 10 s and one day",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "latency_ms", "threshold": 50, "action": {"do": "failover", "target": "web"}}]"#,
                "it takes a Multi-AZ RDS database",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "error_percent", "threshold": 5, "datapoints_to_alarm": 3, "action": {"do": "notify"}}]"#,
                "datapoints_to_alarm 3 is more than the 1 periods",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "cpu_percent", "threshold": 5, "action": {"do": "scale_out", "by": 0}}]"#,
                "by 0 must be between 1 and 500",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "cpu_percent", "threshold": 5, "action": {"do": "notify"}},
                 {"name": "a", "component": "web", "metric": "cpu_percent", "threshold": 9, "action": {"do": "notify"}}]"#,
                "two alarms have this name",
            ),
            (
                r#"[{"name": "a", "component": "web", "metric": "memory", "threshold": 5, "action": {"do": "notify"}}]"#,
                "the alarms do not read: unknown variant `memory`",
            ),
        ];
        for (alarms, want) in cases {
            let got = check(&doc(alarms));
            assert!(got.iter().any(|d| d.message.contains(want) && d.severity == Severity::Error), "{alarms}: {got:?}");
        }
    }
}
