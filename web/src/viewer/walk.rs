//! A document's walkthrough in the viewer: the step shown (counter, title, narration, layer),
//! what it highlights and where the camera goes, worked out from the scene. The run's side of a
//! step (experiment, time, speed, play, condition) is `Viewer::apply_step`.

use strata_core::walkthrough::{Until, Walkthrough};

use crate::editor::geom::Rect;
use crate::editor::scene::Scene;

/// The walkthrough being played and the step shown.
#[derive(Clone, Debug)]
pub(super) struct Walk {
    pub(super) w: Walkthrough,
    pub(super) step: usize,
    /// The step's condition, until it holds.
    pub(super) until: Option<Until>,
}

impl Walk {
    /// The step `k` would be, kept within the steps.
    pub(super) fn clamp(&self, k: isize) -> usize {
        k.clamp(0, self.w.steps.len() as isize - 1) as usize
    }
}

/// The SVG drawn over the diagram for `ids` (components and containers outlined, connections
/// `from>to` traced) in the accent colour.
pub(super) fn highlight_svg(scene: &Scene, ids: &[String], accent: &str) -> String {
    let mut s = String::from(r#"<g class="sv-hl" data-testid="walk-highlight" fill="none" pointer-events="none">"#);
    for id in ids {
        if let Some((a, b)) = id.split_once('>') {
            for e in scene.edges.iter().filter(|e| e.from == a && e.to == b) {
                s.push_str(&format!(
                    r#"<path d="{}" stroke="{accent}" stroke-width="5" stroke-opacity="0.55" data-hl="{}"/>"#,
                    e.path,
                    strata_worker::html::escape(id)
                ));
            }
        } else if let Some(r) = rect_of(scene, id) {
            let r = r.inflate(5.0);
            s.push_str(&format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" stroke="{accent}" stroke-width="3" data-hl="{}"/>"#,
                r.x,
                r.y,
                r.w,
                r.h,
                strata_worker::html::escape(id)
            ));
        }
    }
    s.push_str("</g>");
    s
}

/// A component's or a container's box.
fn rect_of(scene: &Scene, id: &str) -> Option<Rect> {
    scene.nodes.iter().find(|n| n.id == id).map(|n| n.rect).or_else(|| scene.container_rect(id))
}

/// The world box the camera shows for `focus` (all of `whole` when empty or unknown): the
/// focused boxes with a margin, widened to `whole`'s proportions and kept inside it.
pub(super) fn camera(scene: &Scene, focus: &[String], whole: Rect) -> Rect {
    let rects: Vec<Rect> = focus.iter().filter_map(|id| rect_of(scene, id)).collect();
    let Some(first) = rects.first() else { return whole };
    let r = rects.iter().skip(1).fold(*first, |a, b| a.union(b)).inflate(40.0);
    let aspect = whole.h / whole.w.max(1.0);
    // At most twice as close as the whole diagram: a lone box keeps its surroundings.
    let (mut w, mut h) = (r.w.max(whole.w / 2.0), r.h.max(whole.h / 2.0));
    if h / w > aspect {
        w = h / aspect;
    } else {
        h = w * aspect;
    }
    let (w, h) = (w.min(whole.w), h.min(whole.h));
    let c = r.center();
    let x = (c.x - w / 2.0).clamp(whole.x, whole.x + whole.w - w);
    let y = (c.y - h / 2.0).clamp(whole.y, whole.y + whole.h - h);
    Rect { x, y, w, h }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::model::doc_from_json;

    fn scene(file: &str) -> Scene {
        let path = format!("{}/../public/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        crate::editor::scene::build(&doc_from_json(&std::fs::read_to_string(path).unwrap()).unwrap())
    }

    #[test]
    fn the_camera_frames_the_focus_in_the_diagram_s_proportions_and_stays_inside_it() {
        let s = scene("az-outage-multi-az.json");
        let whole = s.bounds.unwrap().inflate(24.0);
        assert_eq!(camera(&s, &[], whole), whole);
        assert_eq!(camera(&s, &["ghost".into()], whole), whole);
        let az = s.container_rect("use1-az1").unwrap();
        let c = camera(&s, &["use1-az1".into()], whole);
        assert!((c.h / c.w - whole.h / whole.w).abs() < 1e-9, "same proportions");
        assert!(
            c.x <= az.x && c.y <= az.y && c.right() >= az.right() && c.bottom() >= az.bottom(),
            "{c:?} holds {az:?}"
        );
        assert!(
            c.x >= whole.x
                && c.y >= whole.y
                && c.right() <= whole.right() + 1e-9
                && c.bottom() <= whole.bottom() + 1e-9
        );
        assert!(c.w < whole.w, "zoomed in");
    }

    #[test]
    fn a_highlight_outlines_boxes_and_traces_connections_it_names() {
        let s = scene("az-outage-multi-az.json");
        let svg = highlight_svg(&s, &["db".into(), "alb>web".into(), "ghost".into()], "#f00");
        assert_eq!(svg.matches("<rect").count(), 1);
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r#"data-hl="db""#) && svg.contains(r#"data-hl="alb&gt;web""#), "{svg}");
    }
}
