//! An Auto Scaling group's instances drawn where they run, the way AWS diagrams draw them: one
//! box per instance inside the subnet of its AZ that the group launches into, appearing as it
//! launches and gone when it terminates, coloured by its state. Clicking one follows it in the
//! drill-down. Instances whose subnet is not on the diagram stay as chips under the badge.

use std::collections::HashMap;

use leptos::prelude::*;
use strata_core::topology::{ContainerKind, Topology};

use crate::editor::geom::Rect;
use crate::editor::scene::Scene;
use crate::live::client::use_live;
use crate::live::figures::{MemberStatus, NodeFigures};
use crate::state::use_editor;

/// Size of an instance box.
pub const BOX_W: f64 = 40.0;
/// Height of an instance box.
pub const BOX_H: f64 = 16.0;
const GAP: f64 = 4.0;
const INSET: f64 = 8.0;

/// One instance, placed.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceBox {
    /// Its group.
    pub group: String,
    /// Its slot.
    pub slot: u32,
    /// The subnet container it is drawn in.
    pub subnet: String,
    /// Its state.
    pub status: MemberStatus,
    /// In a load balancer's rotation.
    pub in_rotation: bool,
    /// An EKS pod's version (0: the first).
    pub version: u32,
    /// Where, in world coordinates.
    pub rect: Rect,
}

/// Where every group instance goes: in the group's subnet of the instance's AZ, in a row along
/// the subnet's bottom edge (one row per group sharing the subnet), wrapping within its width.
pub fn place(t: &Topology, scene: &Scene, figures: &HashMap<String, NodeFigures>) -> Vec<InstanceBox> {
    let mut out = Vec::new();
    // Rows taken in each subnet so far.
    let mut rows: HashMap<String, usize> = HashMap::new();
    for c in &t.components {
        let Some(group_subnets) = c.spec.group_subnets() else { continue };
        let Some(f) = figures.get(&c.id) else { continue };
        let subnets: Vec<&str> = if group_subnets.is_empty() {
            c.container.as_deref().into_iter().collect()
        } else {
            group_subnets.iter().map(String::as_str).collect()
        };
        let subnet_for = |az: &str| {
            subnets.iter().copied().find(|s| {
                t.container(s).is_some_and(|x| x.kind == ContainerKind::Subnet && x.az.as_deref() == Some(az))
            })
        };
        let mut per_subnet: Vec<(&str, Vec<&crate::live::figures::Member>)> = Vec::new();
        for m in &f.members {
            let Some(s) = m.az.as_deref().and_then(subnet_for) else { continue };
            match per_subnet.iter_mut().find(|(id, _)| *id == s) {
                Some((_, ms)) => ms.push(m),
                None => per_subnet.push((s, vec![m])),
            }
        }
        for (subnet, members) in per_subnet {
            let Some(r) = scene.container_rect(subnet) else { continue };
            let row = rows.entry(subnet.to_string()).or_insert(0);
            let per_line = (((r.w - 2.0 * INSET + GAP) / (BOX_W + GAP)).floor() as usize).max(1);
            let lines = members.len().div_ceil(per_line);
            for (i, m) in members.iter().enumerate() {
                let line = *row + i / per_line;
                let x = r.x + INSET + (i % per_line) as f64 * (BOX_W + GAP);
                let y = r.y + r.h - INSET - BOX_H - line as f64 * (BOX_H + GAP);
                out.push(InstanceBox {
                    group: c.id.clone(),
                    slot: m.slot,
                    subnet: subnet.to_string(),
                    status: m.status,
                    in_rotation: m.in_rotation,
                    version: m.version,
                    rect: Rect::new(x, y, BOX_W, BOX_H),
                });
            }
            *row += lines;
        }
    }
    out
}

/// The instance boxes, inside the diagram's transformed group.
#[component]
pub fn LiveInstances() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let boxes = Memo::new(move |_| {
        live.nodes.with(|figures| {
            if figures.is_empty() {
                return Vec::new();
            }
            ed.scene.with(|s| ed.doc.with(|d| place(&d.topology, s, figures)))
        })
    });
    move || {
        boxes
            .get()
            .into_iter()
            .map(|b| {
                let (group, slot) = (b.group.clone(), b.slot);
                let title = format!(
                    "{}[{}] in {}: v{} {}{} (click to look under it)",
                    b.group,
                    b.slot,
                    b.subnet,
                    b.version + 1,
                    b.status.name().replace('_', " "),
                    if b.in_rotation { ", in the load balancer's rotation" } else { "" }
                );
                let on = {
                    let g = group.clone();
                    move || live.inspecting.with(|t| t.as_ref().is_some_and(|(c, s)| *c == g && *s == slot))
                };
                view! {
                    <g
                        class=format!("live-instance member-{} version-{}", b.status.name(), b.version % 4)
                        class:on=on
                        data-testid=format!("instance-{}-{}", b.group, b.slot)
                        data-subnet=b.subnet.clone()
                        data-status=b.status.name()
                        data-version=b.version + 1
                        transform=format!("translate({} {})", b.rect.x, b.rect.y)
                        on:pointerdown=|ev| ev.stop_propagation()
                        on:click=move |ev| {
                            ev.stop_propagation();
                            ed.selection.set([group.clone()].into_iter().collect());
                            live.inspect(Some((group.clone(), slot)));
                        }
                    >
                        <rect width=BOX_W height=BOX_H rx="3"></rect>
                        <text x="4" y="12">{format!("#{}", b.slot)}</text>
                        <title>{title}</title>
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
    use crate::live::figures::{Member, NodeStatus};

    fn figures_for(group: &str, members: &[(u32, &str, MemberStatus)]) -> HashMap<String, NodeFigures> {
        let f = NodeFigures {
            id: group.into(),
            rps: 0.0,
            p99_ms: 0.0,
            utilization: 0.0,
            queue: 0.0,
            errors_per_s: 0.0,
            instances: members.len() as u32,
            launching: 0,
            status: NodeStatus::Healthy,
            members: members
                .iter()
                .map(|(slot, az, status)| Member {
                    slot: *slot,
                    az: Some(az.to_string()),
                    status: *status,
                    in_rotation: true,
                    version: 0,
                })
                .collect(),
            window_end_s: 0.0,
        };
        [(group.to_string(), f)].into_iter().collect()
    }

    #[test]
    fn each_instance_sits_in_the_group_s_subnet_of_its_az() {
        let path = format!("{}/../public/scenarios/scale-out-layers.json", env!("CARGO_MANIFEST_DIR"));
        let t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let doc = Doc::new(t.clone(), Layout::default());
        let scene = crate::editor::scene::build(&doc);
        let figures = figures_for(
            "web",
            &[
                (0, "us-east-1a", MemberStatus::InService),
                (1, "us-east-1b", MemberStatus::InService),
                (2, "us-east-1a", MemberStatus::Launching),
            ],
        );
        let boxes = place(&doc.topology, &scene, &figures);
        assert_eq!(
            boxes.iter().map(|b| (b.slot, b.subnet.as_str())).collect::<Vec<_>>(),
            [(0, "app-a"), (2, "app-a"), (1, "app-b")]
        );
        for b in &boxes {
            let r = scene.container_rect(&b.subnet).unwrap();
            assert!(
                b.rect.x >= r.x
                    && b.rect.x + b.rect.w <= r.x + r.w
                    && b.rect.y >= r.y
                    && b.rect.y + b.rect.h <= r.y + r.h,
                "{b:?} outside {r:?}"
            );
        }
        assert!(boxes[1].rect.x > boxes[0].rect.x, "side by side");
        // An instance in an AZ where the group has no subnet is not drawn in one.
        let elsewhere = figures_for("web", &[(0, "us-east-1c", MemberStatus::InService)]);
        assert!(place(&doc.topology, &scene, &elsewhere).is_empty());
    }
}
