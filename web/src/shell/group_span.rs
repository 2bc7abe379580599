//! Auto Scaling groups drawn the way AWS architecture diagrams draw them: a dashed outline
//! spanning the subnets the group launches into (across AZs), labelled with the group, behind
//! the boxes. The group's own box stays where the user put it; the outline says where its
//! instances will run.

use leptos::prelude::*;
use strata_core::topology::{ComponentSpec, ContainerKind, Topology};

use crate::editor::geom::Rect;
use crate::editor::scene::Scene;
use crate::state::use_editor;

/// Room between a subnet's edge and the outline around it.
const MARGIN: f64 = 6.0;

/// Each group with subnets on the diagram, and the outline around them.
pub fn spans(t: &Topology, scene: &Scene) -> Vec<(String, Rect)> {
    t.components
        .iter()
        .filter_map(|c| {
            let ComponentSpec::Asg(p) = &c.spec else { return None };
            let rect = p
                .subnets
                .iter()
                .filter(|s| t.container(s).is_some_and(|x| x.kind == ContainerKind::Subnet))
                .filter_map(|s| scene.container_rect(s))
                .reduce(|a, b| a.union(&b))?;
            Some((c.id.clone(), rect.inflate(MARGIN)))
        })
        .collect()
}

/// The outlines, inside the diagram's transformed group, behind the edges and boxes.
#[component]
pub fn GroupSpans() -> impl IntoView {
    let ed = use_editor();
    let outlines = Memo::new(move |_| ed.scene.with(|s| ed.doc.with(|d| spans(&d.topology, s))));
    move || {
        outlines
            .get()
            .into_iter()
            .map(|(id, r)| {
                view! {
                    <g class="group-span" data-testid=format!("group-span-{id}") aria-hidden="true">
                        <rect x=r.x y=r.y width=r.w height=r.h rx="10"></rect>
                        <text x=r.x + 10.0 y=r.y + r.h + 13.0>{format!("Auto Scaling group {id}")}</text>
                    </g>
                }
                .into_any()
            })
            .collect_view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::model::{Doc, Layout};

    #[test]
    fn a_group_spans_the_subnets_it_launches_into() {
        let path = format!("{}/../public/scenarios/three-tier.json", env!("CARGO_MANIFEST_DIR"));
        let t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let doc = Doc::new(t, Layout::default());
        let scene = crate::editor::scene::build(&doc);
        let out = spans(&doc.topology, &scene);
        assert_eq!(out.len(), 1);
        let (id, r) = &out[0];
        assert_eq!(id, "web");
        let ComponentSpec::Asg(p) = &doc.topology.component("web").unwrap().spec else { panic!() };
        assert!(p.subnets.len() >= 2, "the template's group spans two AZs");
        for s in &p.subnets {
            let c = scene.container_rect(s).unwrap();
            assert!(
                r.x < c.x && r.y < c.y && r.right() > c.right() && r.bottom() > c.bottom(),
                "{s} {c:?} inside {r:?}"
            );
        }
    }
}
