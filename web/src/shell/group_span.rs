//! Auto Scaling groups (and EKS deployments' node groups) drawn the way AWS architecture
//! diagrams draw them: a dashed outline spanning the subnets the group launches into (across
//! AZs), labelled with the group, behind the boxes. The group's own box stays where the user put it; the outline says where its
//! instances will run.

use leptos::prelude::*;
use strata_core::topology::{ComponentKind, ContainerKind, Topology};

use crate::editor::geom::Rect;
use crate::editor::scene::Scene;
use crate::state::use_editor;

/// Room between a subnet's edge and the outline around it.
const MARGIN: f64 = 6.0;

/// Each outline: the groups with subnets on the diagram that launch into the same subnets
/// (one outline, named for all of them, rather than several drawn on top of each other), and
/// the rectangle around those subnets.
pub fn spans(t: &Topology, scene: &Scene) -> Vec<(Vec<String>, Rect)> {
    let mut out: Vec<(Vec<String>, Rect)> = Vec::new();
    let each = t.components.iter().filter_map(|c| {
        let subnets = c.spec.group_subnets()?;
        let rect = subnets
            .iter()
            .filter(|s| t.container(s).is_some_and(|x| x.kind == ContainerKind::Subnet))
            .filter_map(|s| scene.container_rect(s))
            .reduce(|a, b| a.union(&b))?;
        Some((c.id.clone(), rect.inflate(MARGIN)))
    });
    for (id, rect) in each {
        match out.iter_mut().find(|(_, r)| *r == rect) {
            Some((ids, _)) => ids.push(id),
            None => out.push((vec![id], rect)),
        }
    }
    out
}

/// What an outline says: the groups' names ("Auto Scaling group web", "EKS nodes of api").
pub fn label(t: &Topology, ids: &[String]) -> String {
    let name = |id: &String| {
        let fargate = t.component(id).and_then(|c| c.spec.containers()).is_some_and(|p| p.fargate);
        match t.component(id).map(|c| c.spec.kind()) {
            Some(ComponentKind::Eks) if fargate => format!("Fargate pods of {id}"),
            Some(ComponentKind::Eks) => format!("EKS nodes of {id}"),
            Some(ComponentKind::Ecs) if fargate => format!("Fargate tasks of {id}"),
            Some(ComponentKind::Ecs) => format!("ECS container instances of {id}"),
            _ => format!("Auto Scaling group {id}"),
        }
    };
    ids.iter().map(name).collect::<Vec<_>>().join(", ")
}

/// The outlines, inside the diagram's transformed group, behind the edges and boxes.
#[component]
pub fn GroupSpans() -> impl IntoView {
    let ed = use_editor();
    let outlines = Memo::new(move |_| {
        ed.scene.with(|s| {
            ed.doc.with(|d| {
                spans(&d.topology, s).into_iter().map(|(ids, r)| (label(&d.topology, &ids), ids, r)).collect::<Vec<_>>()
            })
        })
    });
    move || {
        outlines
            .get()
            .into_iter()
            .map(|(label, ids, r)| {
                view! {
                    <g class="group-span" data-testid=format!("group-span-{}", ids.join("-")) aria-hidden="true">
                        <rect x=r.x y=r.y width=r.w height=r.h rx="10"></rect>
                        <text x=r.x + 10.0 y=r.y + r.h + 13.0>{label}</text>
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
        let (ids, r) = &out[0];
        assert_eq!(ids, &["web"]);
        let strata_core::topology::ComponentSpec::Asg(p) = &doc.topology.component("web").unwrap().spec else {
            panic!()
        };
        assert!(p.subnets.len() >= 2, "the template's group spans two AZs");
        for s in &p.subnets {
            let c = scene.container_rect(s).unwrap();
            assert!(
                r.x < c.x && r.y < c.y && r.right() > c.right() && r.bottom() > c.bottom(),
                "{s} {c:?} inside {r:?}"
            );
        }
        // Drawn over the (empty) subnets it launches into, not beside them.
        let web = doc.topology.component("web").unwrap().position;
        assert!(r.contains(crate::editor::geom::Point::new(web.x + 72.0, web.y + 28.0)), "{web:?} in {r:?}");
        // Three groups launching into the same two subnets share one outline, named for all.
        let path = format!("{}/../public/scenarios/multi-service.json", env!("CARGO_MANIFEST_DIR"));
        let t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let doc = Doc::new(t, Layout::default());
        let out = spans(&doc.topology, &crate::editor::scene::build(&doc));
        assert_eq!(out.iter().map(|(ids, _)| ids.join(",")).collect::<Vec<_>>(), ["gateway,auth,catalog"]);
        assert_eq!(
            label(&doc.topology, &out[0].0),
            "Auto Scaling group gateway, Auto Scaling group auth, Auto Scaling group catalog"
        );
        let path = format!("{}/../public/scenarios/pods-pending-spike.json", env!("CARGO_MANIFEST_DIR"));
        let t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let doc = Doc::new(t, Layout::default());
        let out = spans(&doc.topology, &crate::editor::scene::build(&doc));
        assert_eq!(label(&doc.topology, &out[0].0), "EKS nodes of api");
    }
}
