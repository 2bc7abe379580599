//! Guided walkthroughs: a document's list of steps, each a title and narration, what to
//! highlight, where the camera goes and what the simulation does.
//!
//! A step's simulation is a pure function of the step, so stepping forward and back shows the
//! same figures each time: the run plays the walkthrough's experiment (a step may switch to
//! another of the document's experiments, or to none with `""`), goes to the step's time (`at_s`; a step without one
//! takes the last earlier step's), then lets time pass at the step's speed when it `play`s, until
//! its condition (`until`) holds, if it has one.
//!
//! ```json
//! "walkthrough": {
//!   "title": "Slow at 15% CPU",
//!   "steps": [
//!     { "title": "The symptom", "narration": "p95 is 99 ms...", "highlight": ["api"], "play": true },
//!     { "title": "Where to look", "highlight": ["api"], "layer": "hypervisor", "focus": ["api"], "at_s": 60 },
//!     { "title": "The fix", "experiment": "stop-start-api", "at_s": 50, "play": true,
//!       "until": { "component": "users", "metric": "error_percent", "above": 1 } }
//!   ]
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::topology::{ComponentKind, Topology};

/// A document's walkthrough.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Walkthrough {
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// The document's experiment the run plays from the first step (none: no failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// The steps, in order (validation warns when there is none).
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// One step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Its title.
    pub title: String,
    /// What it says.
    #[serde(default)]
    pub narration: String,
    /// Components and containers (by id) and connections (`from>to`) drawn highlighted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub highlight: Vec<String>,
    /// The layer of the stack the step is about (`physical`, `hypervisor`, `placement`,
    /// `network`, `storage`, `containers`, `service`), named beside the narration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    /// Where the camera goes: these components and containers fill the view (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub focus: Vec<String>,
    /// The document's experiment the run plays from this step on (none: the one before; `""`:
    /// none, whatever came before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// The simulated time the step starts at, s (none: the last earlier step's, or 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// Let time pass from there (else the run waits, paused, at the step's time).
    #[serde(default)]
    pub play: bool,
    /// Simulated seconds per wall-clock second while it plays (none: as it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Pause once this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Until>,
}

/// A layer of the stack as a walkthrough names it: the layers under an instance (those a launch
/// goes through, [`crate::layers::launch::Layer`]) and the two above them, containers and
/// services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Racks and hosts.
    Physical,
    /// VMs sharing a host's CPU.
    Hypervisor,
    /// Where an instance lands.
    Placement,
    /// VPCs, subnets, routes and security.
    Network,
    /// Volumes.
    Storage,
    /// Pods and nodes.
    Containers,
    /// The services requests go through.
    Service,
}

impl Layer {
    /// Every layer, from the hosts up.
    pub const ALL: [Layer; 7] = [
        Layer::Physical,
        Layer::Hypervisor,
        Layer::Placement,
        Layer::Network,
        Layer::Storage,
        Layer::Containers,
        Layer::Service,
    ];

    /// Its name in a document (`"hypervisor"`).
    pub fn key(self) -> &'static str {
        match self {
            Layer::Physical => "physical",
            Layer::Hypervisor => "hypervisor",
            Layer::Placement => "placement",
            Layer::Network => "network",
            Layer::Storage => "storage",
            Layer::Containers => "containers",
            Layer::Service => "service",
        }
    }

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Layer::Physical => "Physical hosts",
            Layer::Hypervisor => "Hypervisor",
            Layer::Placement => "Placement",
            Layer::Network => "Virtual network",
            Layer::Storage => "Virtual storage",
            Layer::Containers => "Containers",
            Layer::Service => "Services",
        }
    }
}

/// A condition on a client population's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Until {
    /// The client component.
    pub component: String,
    /// What is measured.
    pub metric: Metric,
    /// Holds once the figure is above this.
    pub above: f64,
}

/// A client population's figure a condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of the answered requests that failed, percent.
    ErrorPercent,
    /// 99th percentile latency, ms.
    P99Ms,
    /// Requests sent so far.
    Requests,
}

impl Metric {
    /// Every figure a condition may read.
    pub const ALL: [Metric; 3] = [Metric::ErrorPercent, Metric::P99Ms, Metric::Requests];

    /// Its name in a document (`"error_percent"`).
    pub fn key(self) -> &'static str {
        match self {
            Metric::ErrorPercent => "error_percent",
            Metric::P99Ms => "p99_ms",
            Metric::Requests => "requests",
        }
    }

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Metric::ErrorPercent => "error % above",
            Metric::P99Ms => "p99 (ms) above",
            Metric::Requests => "requests above",
        }
    }
}

impl Until {
    /// Whether it holds for a client's `requests` so far, the share of its answered requests
    /// that succeeded (`None` before any answer) and its p99.
    pub fn holds(&self, requests: u64, success: Option<f64>, p99_ms: f64) -> bool {
        let value = match self.metric {
            Metric::ErrorPercent => match success {
                Some(s) => (1.0 - s) * 100.0,
                None => return false,
            },
            Metric::P99Ms => p99_ms,
            Metric::Requests => requests as f64,
        };
        value > self.above
    }
}

/// What the run does at a step: the experiment it plays and the time it goes to.
#[derive(Clone, Debug, PartialEq)]
pub struct StepRun {
    /// The experiment (none: no failures).
    pub experiment: Option<String>,
    /// The time to go to, s.
    pub at_s: f64,
}

impl Walkthrough {
    /// Reads a walkthrough's JSON text.
    pub fn from_json(text: &str) -> Result<Walkthrough, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// What the run does at step `k` (clamped to the last step): the experiment in force (the
    /// last one set at or before it) and the time (its `at_s`, else the last earlier one's).
    pub fn run_at(&self, k: usize) -> StepRun {
        let upto = &self.steps[..(k + 1).min(self.steps.len())];
        StepRun {
            experiment: upto
                .iter()
                .rev()
                .find_map(|s| s.experiment.clone())
                .or_else(|| self.experiment.clone())
                .filter(|e| !e.is_empty()),
            at_s: upto.iter().rev().find_map(|s| s.at_s).unwrap_or(0.0),
        }
    }

    /// What is wrong with it against `t`, in words, each with where (`steps[2].highlight`).
    pub fn problems(&self, t: &Topology) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let names = t.experiment_names();
        let experiment = |path: String, e: &Option<String>, out: &mut Vec<(String, String)>| {
            if let Some(e) = e.as_ref().filter(|e| !e.is_empty() && !names.contains(e)) {
                out.push((path, format!("no experiment named `{e}` in the document")));
            }
        };
        if self.steps.is_empty() {
            out.push(("walkthrough.steps".into(), "a walkthrough needs at least one step".into()));
        }
        experiment("walkthrough.experiment".into(), &self.experiment, &mut out);
        let known = |id: &str| {
            t.component(id).is_some()
                || t.container(id).is_some()
                || id.split_once('>').is_some_and(|(a, b)| t.connections.iter().any(|c| c.from == a && c.to == b))
        };
        for (k, s) in self.steps.iter().enumerate() {
            let at = |field: &str| format!("walkthrough.steps[{k}].{field}");
            if s.title.trim().is_empty() {
                out.push((at("title"), "a step needs a title".into()));
            }
            for id in s.highlight.iter().filter(|id| !known(id)) {
                out.push((at("highlight"), format!("`{id}` is no component, container or connection (from>to)")));
            }
            for id in s.focus.iter().filter(|id| t.component(id).is_none() && t.container(id).is_none()) {
                out.push((at("focus"), format!("`{id}` is no component or container")));
            }
            experiment(at("experiment"), &s.experiment, &mut out);
            if s.at_s.is_some_and(|a| !a.is_finite() || a < 0.0) {
                out.push((at("at_s"), "a step's time must be 0 s or later".into()));
            }
            if s.speed.is_some_and(|x| !x.is_finite() || x <= 0.0) {
                out.push((at("speed"), "a speed must be above 0".into()));
            }
            if let Some(u) = &s.until {
                match t.component(&u.component).map(|c| c.spec.kind()) {
                    Some(ComponentKind::Client) => {}
                    Some(_) => out.push((at("until"), format!("`{}` is not a client population", u.component))),
                    None => out.push((at("until"), format!("no component named `{}`", u.component))),
                }
                if !u.above.is_finite() {
                    out.push((at("until"), "the threshold must be a number".into()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_steps() -> Walkthrough {
        Walkthrough::from_json(
            r#"{"title": "t", "experiment": "a", "steps": [
                {"title": "one", "play": true},
                {"title": "two", "at_s": 60, "experiment": "b"},
                {"title": "three", "play": true},
                {"title": "four", "experiment": ""}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_step_runs_the_experiment_and_time_in_force_at_it_whichever_way_it_is_reached() {
        let w = three_steps();
        assert_eq!(w.run_at(0), StepRun { experiment: Some("a".into()), at_s: 0.0 });
        assert_eq!(w.run_at(1), StepRun { experiment: Some("b".into()), at_s: 60.0 });
        assert_eq!(w.run_at(2), StepRun { experiment: Some("b".into()), at_s: 60.0 }, "inherits both");
        assert_eq!(w.run_at(3), StepRun { experiment: None, at_s: 60.0 }, "\"\" is no experiment");
        assert_eq!(w.run_at(9), w.run_at(3), "clamped to the last step");
        assert!(w.problems(&Topology::new("t")).iter().all(|(at, _)| !at.starts_with("walkthrough.steps[3]")));
        let titled = Walkthrough::from_json(r#"{"title": "only a title"}"#).unwrap();
        assert_eq!(
            titled.problems(&Topology::new("t")),
            [("walkthrough.steps".to_string(), "a walkthrough needs at least one step".to_string())]
        );
    }

    #[test]
    fn a_condition_on_errors_needs_answers_and_compares_strictly() {
        let u = Until { component: "users".into(), metric: Metric::ErrorPercent, above: 5.0 };
        assert!(!u.holds(10, None, 0.0), "nothing answered yet");
        assert!(!u.holds(100, Some(0.96), 0.0), "4% is not above 5%");
        assert!(u.holds(100, Some(0.94), 0.0));
        let p = Until { metric: Metric::P99Ms, above: 250.0, ..u.clone() };
        assert!(p.holds(0, None, 251.0) && !p.holds(0, None, 250.0));
    }

    #[test]
    fn a_layer_s_and_a_metric_s_key_is_its_name_in_a_document() {
        for layer in Layer::ALL {
            assert_eq!(serde_json::to_string(&layer).unwrap(), format!("\"{}\"", layer.key()));
        }
        for metric in Metric::ALL {
            assert_eq!(serde_json::to_string(&metric).unwrap(), format!("\"{}\"", metric.key()));
        }
    }

    #[test]
    fn validation_names_each_step_s_problem_and_the_gallery_s_walkthroughs_have_none() {
        let mut t = Topology::new("t");
        t.components = Topology::from_json(include_str!("../../public/scenarios/single-ec2.json")).unwrap().components;
        let w = Walkthrough::from_json(
            r#"{"experiment": "nope", "steps": [
                {"title": "", "highlight": ["ghost", "users>nowhere"], "focus": ["ghost"]},
                {"title": "b", "at_s": -1, "speed": 0, "until": {"component": "web", "metric": "p99_ms", "above": 1}}]}"#,
        )
        .unwrap();
        let said: Vec<String> = w.problems(&t).into_iter().map(|(at, m)| format!("{at}: {m}")).collect();
        let expect = [
            "walkthrough.experiment: no experiment named `nope`",
            "walkthrough.steps[0].title: a step needs a title",
            "walkthrough.steps[0].highlight: `ghost` is no component",
            "walkthrough.steps[0].highlight: `users>nowhere` is no component",
            "walkthrough.steps[0].focus: `ghost` is no component",
            "walkthrough.steps[1].at_s: a step's time must be 0 s or later",
            "walkthrough.steps[1].speed: a speed must be above 0",
            "walkthrough.steps[1].until: ",
        ];
        assert_eq!(said.len(), expect.len(), "{said:#?}");
        for (s, e) in said.iter().zip(expect) {
            assert!(s.starts_with(e), "{s} (expected {e}...)");
        }
        let dir = format!("{}/../public/scenarios", env!("CARGO_MANIFEST_DIR"));
        let mut walked = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(t) = Topology::from_json(&std::fs::read_to_string(&path).unwrap()) else { continue };
            let Some(w) = t.walkthrough() else { continue };
            let w = w.unwrap();
            assert!(w.steps.len() >= 4, "{path:?}: the symptom, where to look, the fix, the outcome");
            assert_eq!(w.problems(&t), Vec::<(String, String)>::new(), "{path:?}");
            walked.push(path);
        }
        assert!(walked.len() >= 5, "{walked:?}");
    }

    #[test]
    fn a_broken_walkthrough_warns_but_never_stops_a_run() {
        let path = format!("{}/../public/scenarios/noisy-neighbour-before.json", env!("CARGO_MANIFEST_DIR"));
        let mut t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        t.set_experiments(&[]);
        let v = crate::validate::validate(&t);
        let found: Vec<_> = v.diagnostics.iter().filter(|d| d.code == crate::validate::Code::Walkthrough).collect();
        assert!(
            !found.is_empty() && found.iter().all(|d| d.severity == crate::validate::Severity::Warning),
            "{found:?}"
        );
        assert_eq!(v.errors().count(), 0);
    }
}
