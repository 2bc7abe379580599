//! What the canvas draws, computed from a document: container rectangles in drawing order,
//! component boxes and routed connections. One derived object handed to the drawing layers (the
//! live canvas and the SVG/PNG export). Pure.

use strata_core::catalog;
use strata_core::topology::{ComponentKind, ContainerKind};

use super::geom::{bounds, Rect};
use super::model::{node_rect, Doc};
use super::route::{path_data, route, Route};

/// Above this many components, edges are routed without avoiding other boxes (the avoidance
/// search is quadratic).
pub const AVOID_LIMIT: usize = 400;

/// A container as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerShape {
    /// Container id.
    pub id: String,
    /// Kind.
    pub kind: ContainerKind,
    /// Public subnet.
    pub public: bool,
    /// Title.
    pub label: String,
    /// CIDR block, if any.
    pub cidr: Option<String>,
    /// Where.
    pub rect: Rect,
    /// Nesting depth (regions are 0).
    pub depth: usize,
}

/// A component as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeShape {
    /// Component id.
    pub id: String,
    /// Kind.
    pub kind: ComponentKind,
    /// Label typed by the user (shown as text).
    pub label: String,
    /// Where.
    pub rect: Rect,
}

/// A connection as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeShape {
    /// Index in the topology's connections.
    pub index: usize,
    /// Caller id.
    pub from: String,
    /// Callee id.
    pub to: String,
    /// Route polyline.
    pub points: Route,
    /// SVG path data of the route.
    pub path: String,
    /// Bounding box of the route.
    pub bbox: Rect,
}

/// Everything to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    /// Outermost first.
    pub containers: Vec<ContainerShape>,
    /// Components in document order.
    pub nodes: Vec<NodeShape>,
    /// Connections whose both ends exist.
    pub edges: Vec<EdgeShape>,
    /// Bounding box of everything.
    pub bounds: Option<Rect>,
}

impl Scene {
    /// Where container `id` is drawn.
    pub fn container_rect(&self, id: &str) -> Option<Rect> {
        self.containers.iter().find(|c| c.id == id).map(|c| c.rect)
    }
}

impl NodeShape {
    /// A display label: the user's, else the kind's name.
    pub fn title(&self) -> &str {
        if self.label.trim().is_empty() {
            catalog::kind_info(self.kind).name
        } else {
            &self.label
        }
    }
}

/// Builds the scene of a document.
pub fn build(doc: &Doc) -> Scene {
    let t = &doc.topology;
    let rects = doc.container_rects();
    let mut containers: Vec<ContainerShape> = t
        .containers
        .iter()
        .filter_map(|c| {
            Some(ContainerShape {
                id: c.id.clone(),
                kind: c.kind,
                public: c.public,
                label: if c.label.is_empty() { c.id.clone() } else { c.label.clone() },
                cidr: c.cidr.clone(),
                rect: *rects.get(&c.id)?,
                depth: doc.depth(&c.id),
            })
        })
        .collect();
    containers.sort_by_key(|c| c.depth);
    let nodes: Vec<NodeShape> = t
        .components
        .iter()
        .map(|c| NodeShape { id: c.id.clone(), kind: c.spec.kind(), label: c.label.clone(), rect: node_rect(c) })
        .collect();
    let index: std::collections::HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let avoid = nodes.len() <= AVOID_LIMIT;
    let edges = t
        .connections
        .iter()
        .enumerate()
        .filter_map(|(i, conn)| {
            let (&a, &b) = (index.get(conn.from.as_str())?, index.get(conn.to.as_str())?);
            let (ra, rb) = (nodes[a].rect, nodes[b].rect);
            let obstacles: Vec<Rect> = if avoid {
                let span = ra.union(&rb).inflate(64.0);
                nodes
                    .iter()
                    .enumerate()
                    .filter(|(k, n)| *k != a && *k != b && n.rect.intersects(&span))
                    .map(|(_, n)| n.rect.inflate(4.0))
                    .collect()
            } else {
                Vec::new()
            };
            let points = route(&ra, &rb, &obstacles);
            let bbox = points
                .iter()
                .fold(Rect::new(points[0].x, points[0].y, 0.0, 0.0), |r, p| r.union(&Rect::new(p.x, p.y, 0.0, 0.0)));
            Some(EdgeShape {
                index: i,
                from: conn.from.clone(),
                to: conn.to.clone(),
                path: path_data(&points),
                points,
                bbox,
            })
        })
        .collect();
    let all: Vec<Rect> = containers.iter().map(|c| c.rect).chain(nodes.iter().map(|n| n.rect)).collect();
    Scene { bounds: bounds(&all), containers, nodes, edges }
}

/// The scene while items are being dragged: `base` with the moving components and containers
/// shifted by (dx, dy) and only the connections that touch a moving component re-routed (their
/// containers do not grow until the drop). Much cheaper than [`build`] on a large diagram.
pub fn preview(
    base: &Scene,
    comps: &std::collections::BTreeSet<String>,
    containers: &std::collections::BTreeSet<String>,
    dx: f64,
    dy: f64,
) -> Scene {
    let mut s = base.clone();
    for c in s.containers.iter_mut().filter(|c| containers.contains(&c.id)) {
        c.rect = c.rect.translate(dx, dy);
    }
    let mut moved: std::collections::HashMap<&str, Rect> = std::collections::HashMap::new();
    for n in s.nodes.iter_mut().filter(|n| comps.contains(&n.id)) {
        n.rect = n.rect.translate(dx, dy);
    }
    for n in &s.nodes {
        if comps.contains(&n.id) {
            moved.insert(n.id.as_str(), n.rect);
        }
    }
    let rect_of = |id: &str| moved.get(id).copied().or_else(|| base.nodes.iter().find(|n| n.id == id).map(|n| n.rect));
    let mut edges = s.edges.clone();
    for e in edges.iter_mut().filter(|e| comps.contains(&e.from) || comps.contains(&e.to)) {
        if let (Some(a), Some(b)) = (rect_of(&e.from), rect_of(&e.to)) {
            e.points = route(&a, &b, &[]);
            e.path = path_data(&e.points);
            e.bbox = e.points.iter().fold(Rect::new(e.points[0].x, e.points[0].y, 0.0, 0.0), |r, p| {
                r.union(&Rect::new(p.x, p.y, 0.0, 0.0))
            });
        }
    }
    s.edges = edges;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::geom::Point;

    #[test]
    fn scene_orders_containers_and_routes_edges() {
        let mut d = Doc::empty("s");
        d.add_container(ContainerKind::Region, false, Point::new(0.0, 0.0)).unwrap();
        d.add_container(ContainerKind::Vpc, false, Point::new(32.0, 48.0)).unwrap();
        let a = d.add_component(ComponentKind::Client, Point::new(-400.0, 0.0)).unwrap();
        let b = d.add_component(ComponentKind::Alb, Point::new(64.0, 96.0)).unwrap();
        d.connect(&a, &b).unwrap();
        let s = build(&d);
        assert_eq!(s.containers[0].kind, ContainerKind::Region);
        assert_eq!(s.containers[1].kind, ContainerKind::Vpc);
        assert_eq!(s.nodes.len(), 2);
        assert_eq!(s.edges.len(), 1);
        assert!(s.edges[0].path.starts_with('M'));
        assert!(s.bounds.unwrap().contains_rect(&s.nodes[0].rect));
        assert_eq!(s.nodes[1].title(), "Application Load Balancer");
        // Dragging the ALB: it moves, its edge follows, the client stays.
        let p = preview(&s, &[b.clone()].into_iter().collect(), &Default::default(), 32.0, 16.0);
        assert_eq!(p.nodes[1].rect, s.nodes[1].rect.translate(32.0, 16.0));
        assert_eq!(p.nodes[0].rect, s.nodes[0].rect);
        assert_ne!(p.edges[0].path, s.edges[0].path);
        assert_eq!(*p.edges[0].points.last().unwrap(), Point::new(p.nodes[1].rect.x, p.nodes[1].rect.center().y));
    }
}
