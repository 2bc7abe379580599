//! Questions the page asks about a design rather than a run: its validation and lint findings,
//! a connection's reachability hop by hop, its CloudFormation template. They are answered here,
//! in the worker, so the page carries none of the validator, the layers or the exporter (the page
//! is built for size; see `ARCHITECTURE.md`). Each answer is a pure function of the design.

use serde::{Deserialize, Serialize};
use strata_core::layers::network::HopKind;
use strata_core::lint::lint;
use strata_core::topology::Topology;
use strata_core::validate::{parameter_problems, validate, Element, Severity};

/// What the page wants to know about a design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Question {
    /// Validation errors and warnings, then architecture lint.
    Diagnose,
    /// Whether connection `index` gets through the network layer, hop by hop.
    Reachability {
        /// Index in the design's connections.
        index: usize,
    },
    /// The CloudFormation template of what it can express.
    CloudFormation,
    /// A parameter error that component `index` has in the design asked about and had not in
    /// `before` (the design before an edit of its parameters, as JSON).
    NewParameterError {
        /// The design before the edit.
        before: String,
        /// Index of the edited component.
        index: usize,
    },
}

/// The worker's answer to a [`Question`], numbered as it was asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The question's number (the page keeps only the newest of each kind).
    pub id: u32,
    /// The answer.
    pub reply: Reply,
}

/// An answer's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Findings, errors first.
    Diagnostics(Vec<Diag>),
    /// The connection's verdict; `None` when the design models no network under its
    /// instances, an end has no network interface, or there is no such connection.
    Reachability(Option<Reach>),
    /// A CloudFormation template.
    CloudFormation {
        /// The template, as JSON.
        json: String,
        /// What it could not express, in words.
        skipped: Vec<String>,
        /// Why AWS would not deploy the design as drawn, in words; when any, the template is
        /// not to be offered.
        problems: Vec<String>,
    },
    /// The edit's new parameter error, if it brings one.
    NewParameterError(Option<String>),
    /// The design could not be read.
    Unreadable(String),
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cannot be simulated.
    Error,
    /// Runs, probably not as meant.
    Warning,
    /// Architecture lint.
    Lint,
}

impl Level {
    /// CSS class and label.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Lint => "lint",
        }
    }
}

/// One finding as the editor shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diag {
    /// Severity.
    pub level: Level,
    /// Stable code (validation code or lint rule).
    pub code: String,
    /// Message.
    pub message: String,
    /// The canvas element it concerns (component or container id, or `conn:<i>`).
    pub target: Option<String>,
}

/// A connection's reachability, put into words for the inspector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reach {
    /// The source, in words.
    pub source: String,
    /// The destination, in words.
    pub destination: String,
    /// Destination port.
    pub port: u16,
    /// Whether it works both ways.
    pub reachable: bool,
    /// The steps checked, up to and including the first that blocks.
    pub hops: Vec<ReachHop>,
}

/// One step of a [`Reach`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReachHop {
    /// What was checked ("route table", "security group in", ...).
    pub label: String,
    /// The network component that decided (`rtb-a`, `sg-db`, ...).
    pub component: String,
    /// Whether the traffic got through.
    pub passed: bool,
    /// What happened; for a block, also the change that would fix it.
    pub detail: String,
}

/// Answers `question` about `design` (a topology document as JSON).
pub fn answer(design: &str, question: &Question) -> Reply {
    let t = match Topology::from_json(design) {
        Ok(t) => t,
        Err(e) => return Reply::Unreadable(format!("The design could not be read: {e}")),
    };
    match question {
        Question::Diagnose => Reply::Diagnostics(diagnose(&t)),
        Question::Reachability { index } => Reply::Reachability(reachability(&t, *index)),
        Question::CloudFormation => {
            let out = strata_core::cloudformation::export(&t);
            Reply::CloudFormation { json: out.to_json(), skipped: out.skipped, problems: out.problems }
        }
        Question::NewParameterError { before, index } => match Topology::from_json(before) {
            Ok(before) => Reply::NewParameterError(new_parameter_error(&before, &t, *index)),
            Err(e) => Reply::Unreadable(format!("The design could not be read: {e}")),
        },
    }
}

/// The message of a parameter error that component `index` has in `after` and had not in
/// `before`.
pub fn new_parameter_error(before: &Topology, after: &Topology, index: usize) -> Option<String> {
    let old = parameter_problems(before, index);
    parameter_problems(after, index).into_iter().find(|m| !old.contains(m))
}

/// Why a design with `errors` errors cannot run, naming the first: the words the page shows
/// before it asks for a run and the worker when it refuses one.
pub fn fix_first(errors: usize, first: &str) -> String {
    format!("Fix {errors} problem{} first: {first}", if errors == 1 { "" } else { "s" })
}

fn target_of(el: &Element) -> Option<String> {
    match el {
        Element::Component(id) | Element::Container(id) => Some(id.clone()),
        Element::Connection(i) => Some(format!("conn:{i}")),
        _ => None,
    }
}

/// Validation and lint of a design, errors first (nothing for an empty canvas, which is not a
/// problem to report).
pub fn diagnose(t: &Topology) -> Vec<Diag> {
    if t.components.is_empty() && t.containers.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Diag> = validate(t)
        .diagnostics
        .into_iter()
        .map(|d| Diag {
            level: if d.severity == Severity::Error { Level::Error } else { Level::Warning },
            code: d.code.as_str().to_string(),
            message: d.message,
            target: target_of(&d.element),
        })
        .collect();
    out.extend(lint(t).into_iter().map(|f| Diag {
        level: Level::Lint,
        code: f.rule.as_str().to_string(),
        message: f.message,
        target: target_of(&f.element),
    }));
    out.sort_by_key(|d| d.level);
    out
}

/// Whether connection `index` of `t` gets through the network layer.
pub fn reachability(t: &Topology, index: usize) -> Option<Reach> {
    let cfg = t.layers()?;
    let attached = strata_core::layers::attach::attach(t, &cfg, 0);
    let r = attached.paths.into_iter().find(|p| p.connection == index)?.report;
    Some(Reach {
        source: r.source,
        destination: r.destination,
        port: r.port,
        reachable: r.reachable,
        hops: r
            .hops
            .into_iter()
            .map(|h| ReachHop {
                label: hop_label(h.kind).to_string(),
                component: h.component,
                passed: h.passed,
                detail: h.detail,
            })
            .collect(),
    })
}

/// A hop's kind in words.
fn hop_label(k: HopKind) -> &'static str {
    match k {
        HopKind::RouteTable => "route table",
        HopKind::Gateway => "gateway",
        HopKind::NaclOutbound => "NACL out",
        HopKind::SgOutbound => "security group out",
        HopKind::NaclInbound => "NACL in",
        HopKind::SgInbound => "security group in",
        HopKind::ReturnRoute => "return route",
        HopKind::ReturnNaclOutbound => "return NACL out",
        HopKind::ReturnNaclInbound => "return NACL in",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::topology::Topology;

    fn scenario(name: &str) -> String {
        std::fs::read_to_string(format!("{}/../../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn a_parameter_edit_is_refused_only_for_an_error_it_brings() {
        use strata_core::topology::{ComponentKind, ComponentSpec, Dist};
        let mut before = Topology::new("p");
        before.add("db", ComponentKind::Rds, None);
        let edited = |ms: f64| {
            let mut t = before.clone();
            if let ComponentSpec::Rds(p) = &mut t.components[0].spec {
                p.query_time = Dist::Constant { ms };
            }
            t.to_json()
        };
        let ask = |after: String, before: &Topology| {
            answer(&after, &Question::NewParameterError { before: before.to_json(), index: 0 })
        };
        let Reply::NewParameterError(Some(why)) = ask(edited(-4.0), &before) else { panic!("a negative time") };
        assert!(why.contains("query_time"), "{why}");
        assert_eq!(ask(edited(4.0), &before), Reply::NewParameterError(None));
        // An error the component already had is not this edit's.
        let bad = Topology::from_json(&edited(-4.0)).unwrap();
        assert_eq!(ask(edited(-4.0), &bad), Reply::NewParameterError(None));
        let unreadable = answer(&edited(4.0), &Question::NewParameterError { before: "{".into(), index: 0 });
        assert!(matches!(unreadable, Reply::Unreadable(_)));
    }

    #[test]
    fn diagnostics_are_the_validators_and_the_linters_errors_first() {
        for name in ["three-tier", "peering-routes-before", "single-ec2"] {
            let design = scenario(name);
            let t = Topology::from_json(&design).unwrap();
            let Reply::Diagnostics(found) = answer(&design, &Question::Diagnose) else { panic!("{name}") };
            let v = validate(&t).diagnostics;
            let l = lint(&t);
            assert_eq!(found.len(), v.len() + l.len(), "{name}");
            for d in &v {
                assert!(found.iter().any(|f| f.code == d.code.as_str() && f.message == d.message), "{name}: {d:?}");
            }
            for f in &l {
                assert!(found
                    .iter()
                    .any(|x| x.level == Level::Lint && x.code == f.rule.as_str() && x.message == f.message));
            }
            assert!(found.windows(2).all(|w| w[0].level <= w[1].level), "{name}: errors first");
        }
        // The blocked peering route is a warning on its connection.
        let Reply::Diagnostics(found) = answer(&scenario("peering-routes-before"), &Question::Diagnose) else {
            panic!()
        };
        assert!(found
            .iter()
            .any(|d| d.code == "network_blocked" && d.target.as_deref().is_some_and(|t| t.starts_with("conn:"))));
        // An empty canvas has nothing to report.
        let Reply::Diagnostics(none) = answer(&Topology::new("empty").to_json(), &Question::Diagnose) else { panic!() };
        assert!(none.is_empty());
    }

    #[test]
    fn reachability_names_the_blocking_hop_and_passes_every_hop_once_fixed() {
        let before = scenario("peering-routes-before");
        let t = Topology::from_json(&before).unwrap();
        let cfg = t.layers().unwrap();
        let blocked = strata_core::layers::attach::attach(&t, &cfg, 0)
            .paths
            .into_iter()
            .find(|p| !p.report.reachable)
            .expect("a blocked path");
        let Reply::Reachability(Some(r)) = answer(&before, &Question::Reachability { index: blocked.connection })
        else {
            panic!()
        };
        assert!(!r.reachable);
        assert_eq!(r.port, blocked.port);
        let last = r.hops.last().unwrap();
        assert!(!last.passed);
        assert_eq!(last.component, blocked.report.hops.last().unwrap().component);
        assert_eq!(last.label, "route table");
        let after = scenario("peering-routes-after");
        let Reply::Reachability(Some(r)) = answer(&after, &Question::Reachability { index: blocked.connection }) else {
            panic!()
        };
        assert!(r.reachable && r.hops.iter().all(|h| h.passed));
        // No such connection, or no layers: nothing to show.
        assert_eq!(answer(&after, &Question::Reachability { index: 9_999 }), Reply::Reachability(None));
        assert_eq!(answer(&scenario("three-tier"), &Question::Reachability { index: 0 }), Reply::Reachability(None));
    }

    #[test]
    fn the_cloudformation_answer_is_the_exporters() {
        for name in ["three-tier", "az-outage-single-az"] {
            let design = scenario(name);
            let out = strata_core::cloudformation::export(&Topology::from_json(&design).unwrap());
            assert_eq!(out.problems.is_empty(), name == "three-tier");
            assert_eq!(
                answer(&design, &Question::CloudFormation),
                Reply::CloudFormation { json: out.to_json(), skipped: out.skipped, problems: out.problems }
            );
        }
    }

    #[test]
    fn an_unreadable_design_is_said_so() {
        let Reply::Unreadable(why) = answer("{ not json", &Question::Diagnose) else { panic!() };
        assert!(why.starts_with("The design could not be read"), "{why}");
    }
}
