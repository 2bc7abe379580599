//! Writing a document's walkthrough in the editor: the steps read and written as a JSON object
//! (the page carries no typed reader of steps: validation, in the worker, and the viewer read
//! them), every change a new text for the document, so it is undone and saved like any edit.
//!
//! A step is recorded from what the author sees ([`Shot`]): the selection becomes what it
//! highlights, the components in view where the camera goes, and the live run's moment (time,
//! play, speed, experiment) what the simulation does. A step without a time or an experiment of
//! its own takes the last earlier step's; so that moving, adding or removing a step never
//! changes what another shows, those edits first write every step's own time and experiment
//! into it ([`Draft::pin`]).

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use strata_core::topology::{Topology, WalkthroughText};
use strata_core::walkthrough::{Layer, Metric};

use crate::editor::geom::Rect;
use crate::editor::scene::Scene;

/// A text field of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Its title.
    Title,
    /// What it says.
    Narration,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Narration => "narration",
        }
    }
}

/// What the author sees, as a step would replay it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shot {
    /// The selection: components, containers and connections (`from>to`).
    pub highlight: Vec<String>,
    /// The components in view (empty: the whole diagram is).
    pub focus: Vec<String>,
    /// The live run's moment (none without a run: a step recorded then keeps the time and
    /// experiment it had, or takes the last earlier step's).
    pub moment: Option<Moment>,
}

/// A moment of the live run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moment {
    /// Its time, s.
    pub at_s: f64,
    /// Time is passing.
    pub play: bool,
    /// At this speed (none: as fast as it goes, which a step cannot ask for).
    pub speed: Option<f64>,
    /// The experiment it plays (none: no failures).
    pub experiment: Option<String>,
}

impl Shot {
    /// The highlight for a selection (`conn:<index>` is the connection `from>to`).
    pub fn highlight_of(selection: &BTreeSet<String>, t: &Topology) -> Vec<String> {
        selection
            .iter()
            .filter_map(|id| match id.strip_prefix("conn:") {
                Some(i) => {
                    i.parse::<usize>().ok().and_then(|i| t.connections.get(i)).map(|c| format!("{}>{}", c.from, c.to))
                }
                None => Some(id.clone()),
            })
            .collect()
    }

    /// The camera for what `visible` shows: the components wholly in it, or none (the whole
    /// diagram) when they all are or none is.
    pub fn focus_of(scene: &Scene, visible: Rect) -> Vec<String> {
        let seen: Vec<String> =
            scene.nodes.iter().filter(|n| visible.contains_rect(&n.rect)).map(|n| n.id.clone()).collect();
        if seen.len() == scene.nodes.len() {
            Vec::new()
        } else {
            seen
        }
    }

    /// Writes what it records into `step` (its text, layer and condition stay).
    fn apply(&self, step: &mut Map<String, Value>) {
        let list = |ids: &[String]| Value::Array(ids.iter().cloned().map(Value::String).collect());
        let mut set = |k: &str, v: Option<Value>| match v {
            Some(v) => {
                step.insert(k.into(), v);
            }
            None => {
                step.remove(k);
            }
        };
        set("highlight", (!self.highlight.is_empty()).then(|| list(&self.highlight)));
        set("focus", (!self.focus.is_empty()).then(|| list(&self.focus)));
        if let Some(m) = &self.moment {
            set("at_s", Some(m.at_s.into()));
            set("play", m.play.then_some(Value::Bool(true)));
            set("speed", m.speed.filter(|_| m.play).map(Value::from));
            // Always said, `""` for none: an earlier step's experiment must not carry over.
            set("experiment", Some(m.experiment.clone().unwrap_or_default().into()));
        }
    }
}

/// One change to a walkthrough, as the panel asks for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Retitle the walkthrough.
    Title(String),
    /// Set a text field of step `k`.
    Text(usize, Field, String),
    /// Set (or clear) the layer step `k` is about.
    Layer(usize, Option<Layer>),
    /// Add a step with this title, recorded from the shot, at this position.
    Insert(usize, String, Shot),
    /// Record the shot again into step `k`.
    Rerecord(usize, Shot),
    /// Remove step `k`.
    Remove(usize),
    /// Move step `k` to a position.
    Move(usize, usize),
    /// Set a part of step `k`'s condition.
    Until(usize, UntilPart),
}

/// A part of a step's condition, as its fields set it.
#[derive(Clone, Debug, PartialEq)]
pub enum UntilPart {
    /// The client population whose figures it reads (none: no condition; one chosen where
    /// there was none: more than 5% errors, until the other fields say otherwise).
    Client(Option<String>),
    /// What it reads.
    Metric(Metric),
    /// The threshold it must pass.
    Above(f64),
}

/// A document's walkthrough being written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft(Map<String, Value>);

impl Draft {
    /// The document's walkthrough (an empty one when it has none), or why it cannot be edited
    /// here (it is kept as it is).
    pub fn of(t: &Topology) -> Result<Draft, String> {
        let Some(w) = &t.walkthrough else { return Ok(Draft::default()) };
        let steps_are_objects = |m: &Map<String, Value>| {
            m.get("steps").is_none_or(|s| s.as_array().is_some_and(|a| a.iter().all(Value::is_object)))
        };
        match serde_json::from_str::<Value>(w.text()) {
            Ok(Value::Object(map)) if steps_are_objects(&map) => Ok(Draft(map)),
            Ok(_) => Err("its walkthrough is not an object with a list of steps".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Writes it into the document (no walkthrough when it has neither steps nor a title).
    pub fn write(&self, t: &mut Topology) {
        let bare = self.0.keys().all(|k| k == "title" || k == "steps");
        t.walkthrough = if self.is_empty() && self.title().trim().is_empty() && bare {
            None
        } else {
            let mut map = self.0.clone();
            // A walkthrough always lists its steps, even none yet (its title typed first).
            map.entry("steps").or_insert_with(|| Value::Array(Vec::new()));
            Some(WalkthroughText::from_json(Value::Object(map).to_string()).expect("a JSON value's text is JSON"))
        };
    }

    /// Writes into every step the time and experiment it runs at, where it took them from an
    /// earlier step, so that a change of order leaves what each step shows as it was (the
    /// experiment only when the walkthrough names one somewhere, or `experiments`: a step about
    /// to say one). Only a missing (or `null`) value is written: a value of another type is the
    /// author's, left for validation to name.
    pub fn pin(&mut self, experiments: bool) {
        let top = self.0.get("experiment").and_then(Value::as_str).map(str::to_string);
        let named = experiments || top.is_some() || self.steps().iter().any(|s| s.get("experiment").is_some());
        let (mut at, mut experiment) = (0.0, top.unwrap_or_default());
        for step in self.steps_mut().iter_mut().filter_map(Value::as_object_mut) {
            match step.get("at_s") {
                Some(Value::Number(a)) => at = a.as_f64().unwrap_or(at),
                None | Some(Value::Null) => {
                    step.insert("at_s".into(), at.into());
                }
                Some(_) => {}
            }
            match step.get("experiment") {
                Some(Value::String(e)) => experiment = e.clone(),
                None | Some(Value::Null) if named => {
                    step.insert("experiment".into(), experiment.clone().into());
                }
                _ => {}
            }
        }
    }

    /// Makes a change.
    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Title(t) => self.set_title(&t),
            Edit::Text(k, field, t) => self.set_text(k, field, &t),
            Edit::Layer(k, layer) => self.set_layer(k, layer),
            Edit::Insert(at, title, shot) => self.insert(at, &title, &shot),
            Edit::Rerecord(k, shot) => self.rerecord(k, &shot),
            Edit::Remove(k) => self.remove(k),
            Edit::Move(k, to) => {
                self.move_step(k, to);
            }
            Edit::Until(k, part) => self.set_until(k, part),
        }
    }

    /// Step `k`'s condition: the client, what it reads and the threshold.
    pub fn until(&self, k: usize) -> Option<(String, Option<Metric>, f64)> {
        let u = self.steps().get(k)?.get("until").filter(|u| u.is_object())?;
        let metric = u.get("metric").and_then(Value::as_str);
        Some((
            u.get("component").and_then(Value::as_str).unwrap_or_default().to_string(),
            Metric::ALL.into_iter().find(|m| Some(m.key()) == metric),
            u.get("above").and_then(Value::as_f64).unwrap_or(0.0),
        ))
    }

    /// Sets a part of step `k`'s condition.
    pub fn set_until(&mut self, k: usize, part: UntilPart) {
        let Some(s) = self.step_mut(k) else { return };
        if part == UntilPart::Client(None) {
            s.remove("until");
            return;
        }
        // A new condition (or one that is not an object) starts at more than 5% errors.
        let u = s.entry("until").or_insert(Value::Null);
        if !u.is_object() {
            let mut fresh = Map::new();
            fresh.insert("metric".into(), Metric::ErrorPercent.key().into());
            fresh.insert("above".into(), 5.0.into());
            *u = Value::Object(fresh);
        }
        let Some(u) = u.as_object_mut() else { return };
        let (key, value) = match part {
            UntilPart::Client(c) => ("component", c.into()),
            UntilPart::Metric(m) => ("metric", m.key().into()),
            UntilPart::Above(x) => ("above", x.into()),
        };
        u.insert(key.into(), value);
    }

    /// Its title.
    pub fn title(&self) -> &str {
        self.0.get("title").and_then(Value::as_str).unwrap_or("")
    }

    /// Retitles it.
    pub fn set_title(&mut self, title: &str) {
        self.0.insert("title".into(), title.into());
    }

    fn steps(&self) -> &[Value] {
        self.0.get("steps").and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }

    fn steps_mut(&mut self) -> &mut Vec<Value> {
        let v = self.0.entry("steps").or_insert_with(|| Value::Array(Vec::new()));
        if !v.is_array() {
            *v = Value::Array(Vec::new());
        }
        v.as_array_mut().expect("made an array above")
    }

    fn step_mut(&mut self, k: usize) -> Option<&mut Map<String, Value>> {
        self.steps_mut().get_mut(k).and_then(Value::as_object_mut)
    }

    /// How many steps it has.
    pub fn len(&self) -> usize {
        self.steps().len()
    }

    /// It has no steps.
    pub fn is_empty(&self) -> bool {
        self.steps().is_empty()
    }

    /// A text field of step `k`.
    pub fn text(&self, k: usize, field: Field) -> &str {
        self.steps().get(k).and_then(|s| s.get(field.key())).and_then(Value::as_str).unwrap_or("")
    }

    /// Sets a text field of step `k`.
    pub fn set_text(&mut self, k: usize, field: Field, text: &str) {
        if let Some(s) = self.step_mut(k) {
            s.insert(field.key().into(), text.into());
        }
    }

    /// The layer step `k` is about.
    pub fn layer(&self, k: usize) -> Option<Layer> {
        let key = self.steps().get(k)?.get("layer")?.as_str()?;
        Layer::ALL.into_iter().find(|l| l.key() == key)
    }

    /// Sets (or clears) the layer step `k` is about.
    pub fn set_layer(&mut self, k: usize, layer: Option<Layer>) {
        if let Some(s) = self.step_mut(k) {
            match layer {
                Some(l) => s.insert("layer".into(), l.key().into()),
                None => s.remove("layer"),
            };
        }
    }

    /// Adds a step recorded from `shot` at position `at` (the end at most).
    pub fn insert(&mut self, at: usize, title: &str, shot: &Shot) {
        self.pin(shot.moment.is_some());
        let mut step = Map::new();
        step.insert("title".into(), title.into());
        step.insert("narration".into(), "".into());
        shot.apply(&mut step);
        let steps = self.steps_mut();
        let at = at.min(steps.len());
        steps.insert(at, Value::Object(step));
    }

    /// Records `shot` again into step `k`, keeping its text, layer and condition (and what the
    /// steps after it show).
    pub fn rerecord(&mut self, k: usize, shot: &Shot) {
        self.pin(shot.moment.is_some());
        if let Some(s) = self.step_mut(k) {
            shot.apply(s);
        }
    }

    /// Removes step `k`.
    pub fn remove(&mut self, k: usize) {
        self.pin(false);
        let steps = self.steps_mut();
        if k < steps.len() {
            steps.remove(k);
        }
    }

    /// Moves step `k` to position `to`; whether it moved.
    pub fn move_step(&mut self, k: usize, to: usize) -> bool {
        let n = self.len();
        if k >= n || to >= n || k == to {
            return false;
        }
        self.pin(false);
        let steps = self.steps_mut();
        let s = steps.remove(k);
        steps.insert(to, s);
        true
    }

    /// What step `k` does, in a line: its time, play and speed, the experiment in force, what
    /// it highlights and where the camera goes.
    pub fn summary(&self, k: usize) -> String {
        let Some(s) = self.steps().get(k) else { return String::new() };
        let steps = &self.steps()[..=k];
        let last = |key: &str| steps.iter().rev().find_map(|s| s.get(key).filter(|v| !v.is_null()));
        let at = last("at_s").and_then(Value::as_f64).unwrap_or(0.0);
        let mut parts = vec![format!("at {at} s")];
        if s.get("play").and_then(Value::as_bool) == Some(true) {
            parts.push(match s.get("speed").and_then(Value::as_f64) {
                Some(x) => format!("plays at {x}×"),
                None => "plays".into(),
            });
        }
        let experiment = last("experiment").or_else(|| self.0.get("experiment")).and_then(Value::as_str);
        parts.push(match experiment.filter(|e| !e.is_empty()) {
            Some(e) => format!("experiment {e}"),
            None => "no experiment".into(),
        });
        let count = |key: &str| s.get(key).and_then(Value::as_array).map_or(0, Vec::len);
        if count("highlight") > 0 {
            parts.push(format!("highlights {}", count("highlight")));
        }
        parts.push(match count("focus") {
            0 => "whole diagram".into(),
            n => format!("camera on {n}"),
        });
        if let Some((client, metric, above)) = self.until(k) {
            let metric = metric.map_or("(an unknown figure) above", Metric::label);
            parts.push(format!("until {client} {metric} {above}"));
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::model::doc_from_json;

    fn doc(file: &str) -> crate::editor::model::Doc {
        let path = format!("{}/../public/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        doc_from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn shot(at: f64) -> Shot {
        Shot {
            highlight: vec!["web".into()],
            focus: vec![],
            moment: Some(Moment { at_s: at, play: true, speed: Some(10.0), experiment: None }),
        }
    }

    fn paused(at: f64, experiment: Option<&str>) -> Shot {
        Shot {
            moment: Some(Moment { at_s: at, play: false, speed: Some(10.0), experiment: experiment.map(Into::into) }),
            ..shot(at)
        }
    }

    fn no_run() -> Shot {
        Shot { highlight: vec!["db".into()], focus: vec!["db".into()], moment: None }
    }

    /// What each step runs at (time, experiment), as the viewer reads the written document.
    fn runs(d: &crate::editor::model::Doc) -> Vec<(f64, Option<String>)> {
        let w = d.topology.walkthrough().unwrap().unwrap();
        (0..w.steps.len()).map(|k| w.run_at(k)).map(|r| (r.at_s, r.experiment)).collect()
    }

    #[test]
    fn recorded_steps_edited_and_reordered_are_a_walkthrough_validation_accepts() {
        let mut d = doc("three-tier.json");
        d.topology.walkthrough = None;
        let mut w = Draft::of(&d.topology).unwrap();
        assert!(w.is_empty(), "none yet");
        w.set_title("A tour");
        w.insert(0, "Step 1", &shot(0.0));
        w.insert(9, "Step 2", &paused(60.0, None));
        w.insert(1, "Between", &no_run());
        assert_eq!(
            (w.text(0, Field::Title), w.text(1, Field::Title), w.text(2, Field::Title)),
            ("Step 1", "Between", "Step 2")
        );
        w.set_text(1, Field::Narration, "The database.");
        w.set_layer(1, Some(Layer::Storage));
        assert!(w.move_step(2, 0));
        assert!(!w.move_step(0, 3), "out of range");
        assert_eq!(w.text(0, Field::Title), "Step 2");
        w.write(&mut d.topology);
        let typed = d.topology.walkthrough().unwrap().unwrap();
        assert_eq!(typed.title, "A tour");
        let titles: Vec<&str> = typed.steps.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Step 2", "Step 1", "Between"]);
        assert_eq!(
            (typed.steps[0].at_s, typed.steps[0].play, typed.steps[0].speed),
            (Some(60.0), false, None),
            "no speed unless it plays"
        );
        assert_eq!(typed.steps[2].layer, Some(Layer::Storage));
        assert_eq!(typed.steps[2].narration, "The database.");
        assert_eq!(typed.steps[2].focus, ["db"]);
        assert_eq!(typed.steps[2].at_s, Some(0.0), "recorded without a run after a step at 0 s, and pinned there");
        assert_eq!(typed.problems(&d.topology), Vec::<(String, String)>::new());
        let mut again = Draft::of(&d.topology).unwrap();
        assert_eq!(again.summary(2), "at 0 s · no experiment · highlights 1 · camera on 1");
        // Removing everything keeps the titled walkthrough; without its title it goes.
        for _ in 0..3 {
            again.remove(0);
        }
        again.write(&mut d.topology);
        assert!(d.topology.walkthrough.is_some(), "titled");
        again.set_title(" ");
        again.write(&mut d.topology);
        assert!(d.topology.walkthrough.is_none());
    }

    #[test]
    fn moving_adding_or_removing_a_step_leaves_what_the_others_show() {
        let mut d = doc("az-outage-multi-az.json");
        let before = runs(&d);
        let mut w = Draft::of(&d.topology).unwrap();
        let n = w.len();
        assert!(n >= 4 && before.iter().any(|(_, e)| e.is_some()), "a walkthrough with an experiment: {before:?}");
        // Moved to the front and back again, every step runs as it did.
        assert!(w.move_step(n - 1, 0));
        assert!(w.move_step(0, n - 1));
        w.write(&mut d.topology);
        assert_eq!(runs(&d), before);
        // A step recorded between two, at another time and with no experiment, changes neither.
        let mut w = Draft::of(&d.topology).unwrap();
        w.insert(1, "Healthy, later", &paused(500.0, None));
        w.write(&mut d.topology);
        let mut expect = before.clone();
        expect.insert(1, (500.0, None));
        assert_eq!(runs(&d), expect, "\"\" is no experiment, and the next step keeps its own time");
        let mut w = Draft::of(&d.topology).unwrap();
        w.remove(1);
        w.write(&mut d.topology);
        assert_eq!(runs(&d), before);
    }

    #[test]
    fn a_step_with_an_experiment_added_to_a_walkthrough_without_one_leaves_the_others() {
        let mut d = doc("three-tier.json");
        let before = runs(&d);
        assert!(before.iter().all(|(_, e)| e.is_none()), "no experiment: {before:?}");
        let mut w = Draft::of(&d.topology).unwrap();
        w.insert(1, "Failing", &paused(30.0, Some("x")));
        w.write(&mut d.topology);
        let mut expect = before.clone();
        expect.insert(1, (30.0, Some("x".into())));
        assert_eq!(runs(&d), expect);
        // Re-recording the first step with another experiment changes that step alone.
        let mut w = Draft::of(&d.topology).unwrap();
        w.rerecord(0, &paused(10.0, Some("y")));
        w.write(&mut d.topology);
        expect[0] = (10.0, Some("y".into()));
        assert_eq!(runs(&d), expect);
    }

    #[test]
    fn pinning_writes_only_what_is_missing() {
        let mut d = doc("three-tier.json");
        d.topology.walkthrough = Some(
            WalkthroughText::from_json(
                r#"{"steps": [{"title": "a", "at_s": "soon"}, {"title": "b", "at_s": null}, {"title": "c", "experiment": 3}]}"#.into(),
            )
            .unwrap(),
        );
        let mut w = Draft::of(&d.topology).unwrap();
        w.pin(true);
        w.write(&mut d.topology);
        let v: Value = serde_json::from_str(d.topology.walkthrough.as_ref().unwrap().text()).unwrap();
        assert_eq!(v["steps"][0]["at_s"], "soon", "the author's, for validation to name");
        assert_eq!(v["steps"][1]["at_s"], 0.0);
        assert_eq!(v["steps"][2]["experiment"], 3);
        assert_eq!(v["steps"][1]["experiment"], "");
    }

    #[test]
    fn rerecording_keeps_a_step_s_words_layer_and_condition_and_without_a_run_its_moment() {
        let d = doc("noisy-neighbour-before.json");
        let mut w = Draft::of(&d.topology).unwrap();
        let k = (0..w.len()).find(|&k| w.summary(k).contains("until")).expect("a step with a condition");
        let (title, layer) = (w.text(k, Field::Title).to_string(), w.layer(k));
        let moment = w.summary(k);
        w.rerecord(k, &no_run());
        let s = w.summary(k);
        assert_eq!(
            s.split(" · highlights").next(),
            moment.split(" · highlights").next(),
            "time, play and experiment kept"
        );
        assert!(s.contains("camera on 1"), "{s}");
        w.rerecord(k, &paused(5.0, Some("x")));
        assert_eq!((w.text(k, Field::Title), w.layer(k)), (title.as_str(), layer));
        let s = w.summary(k);
        assert!(s.starts_with("at 5 s · experiment x · highlights 1 · whole diagram · until "), "{s}");
    }

    #[test]
    fn a_condition_is_set_part_by_part_and_removed_with_its_client() {
        let mut d = doc("three-tier.json");
        let mut w = Draft::of(&d.topology).unwrap();
        w.apply(Edit::Until(1, UntilPart::Client(Some("users".into()))));
        assert_eq!(w.until(1), Some(("users".into(), Some(Metric::ErrorPercent), 5.0)), "5% errors to begin with");
        w.apply(Edit::Until(1, UntilPart::Metric(Metric::P99Ms)));
        w.apply(Edit::Until(1, UntilPart::Above(250.0)));
        w.write(&mut d.topology);
        let typed = d.topology.walkthrough().unwrap().unwrap();
        let u = typed.steps[1].until.as_ref().unwrap();
        assert_eq!((u.component.as_str(), u.metric, u.above), ("users", Metric::P99Ms, 250.0));
        assert_eq!(typed.problems(&d.topology), Vec::<(String, String)>::new());
        let mut w = Draft::of(&d.topology).unwrap();
        w.apply(Edit::Until(1, UntilPart::Client(None)));
        assert_eq!(w.until(1), None);
        // A condition written as null by hand is none, and a client chosen makes one.
        w.steps_mut()[1].as_object_mut().unwrap().insert("until".into(), Value::Null);
        assert_eq!(w.until(1), None);
        w.apply(Edit::Until(1, UntilPart::Client(Some("users".into()))));
        assert_eq!(w.until(1), Some(("users".into(), Some(Metric::ErrorPercent), 5.0)));
    }

    #[test]
    fn a_title_typed_before_any_step_is_a_walkthrough_that_reads() {
        let mut d = doc("three-tier.json");
        d.topology.walkthrough = None;
        let mut w = Draft::of(&d.topology).unwrap();
        w.set_title("Soon");
        w.write(&mut d.topology);
        let typed = d.topology.walkthrough().unwrap().expect("it reads");
        assert!(typed.steps.is_empty());
    }

    #[test]
    fn the_selection_and_the_view_become_highlight_and_camera() {
        let d = doc("three-tier.json");
        let scene = crate::editor::scene::build(&d);
        let c = &d.topology.connections[1];
        let selection: BTreeSet<String> = ["conn:1".to_string(), "db".into(), "conn:99".into()].into();
        let mut h = Shot::highlight_of(&selection, &d.topology);
        h.sort();
        let mut expect = vec![format!("{}>{}", c.from, c.to), "db".into()];
        expect.sort();
        assert_eq!(h, expect);
        let all = scene.bounds.unwrap().inflate(10.0);
        assert!(Shot::focus_of(&scene, all).is_empty(), "everything in view: the whole diagram");
        let db = scene.nodes.iter().find(|n| n.id == "db").unwrap().rect;
        assert_eq!(Shot::focus_of(&scene, db.inflate(2.0)), ["db"]);
        assert!(Shot::focus_of(&scene, Rect::new(-1e6, -1e6, 1.0, 1.0)).is_empty(), "nothing in view");
    }

    #[test]
    fn a_walkthrough_that_is_not_an_object_of_steps_is_left_alone() {
        let mut d = doc("three-tier.json");
        d.topology.walkthrough = Some(WalkthroughText::from_json("[1, 2]".into()).unwrap());
        assert!(Draft::of(&d.topology).is_err());
        d.topology.walkthrough = Some(WalkthroughText::from_json(r#"{"steps": 3}"#.into()).unwrap());
        assert!(Draft::of(&d.topology).is_err());
        d.topology.walkthrough =
            Some(WalkthroughText::from_json(r#"{"steps": [{"title": "a"}, "b"]}"#.into()).unwrap());
        assert!(Draft::of(&d.topology).is_err(), "a step that is not an object could not be edited");
    }
}
