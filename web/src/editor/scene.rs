//! What the canvas draws, computed from a document: container rectangles in drawing order,
//! component boxes and routed connections. One derived object handed to the drawing layers (the
//! live canvas and the SVG/PNG export). Pure.

use std::collections::BTreeMap;

use strata_core::catalog;
use strata_core::topology::{ComponentKind, ContainerKind};

use super::geom::{bounds, Point, Rect};
use super::model::{node_rect, Doc};
use super::route::{cross, overlap, path_data, route, route_between, segments, through, Dir, Port, Route, Segment};

/// Above this many components, edges are routed without avoiding other boxes (the avoidance
/// search is quadratic).
pub const AVOID_LIMIT: usize = 400;
/// Up to this many connections, those sharing a box's side are spread along it and every
/// connection is routed around the others (each looks at all the others' segments).
pub const SPREAD_LIMIT: usize = 150;

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
    /// An AZ drawn as a band around the subnets that name it (its size follows them: it has no
    /// size of its own to drag).
    pub band: bool,
}

/// Characters of a component's title that fit on one line of its box (12 px semi-bold beside
/// the icon, about 82 px).
pub const TITLE_CHARS: usize = 13;
/// Roughly how wide a character of a container's title is, in world units (12 px).
const TITLE_CHAR_W: f64 = 6.6;

/// `s` shortened to `n` characters, the last one an ellipsis when anything was cut.
pub fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Room for a line of text beside a component's icon, in world units.
pub const LINE_ROOM: f64 = 84.0;
/// About how wide a character of a component's title (12 px semi-bold) and of its id line
/// (10.5 px) is, in world units.
pub const TITLE_W: f64 = 7.0;
/// See [`TITLE_W`].
pub const SUB_W: f64 = 6.0;

/// The length to draw a line of `text` at (SVG `textLength`, glyphs squeezed or spread to it)
/// so that it never leaves its box whatever the font: `None` for a short line, drawn as it
/// comes; else about its natural length at `char_w` per character, at most [`LINE_ROOM`].
pub fn line_length(text: &str, char_w: f64) -> Option<f64> {
    let n = text.chars().count() as f64;
    (n * char_w > LINE_ROOM * 0.75).then(|| (n * char_w).min(LINE_ROOM))
}

/// A component's title as drawn: one line when it fits, else two split at a space (the second
/// shortened if it is still too long), else one shortened line.
pub fn title_lines(title: &str) -> (String, Option<String>) {
    let n = TITLE_CHARS;
    if title.chars().count() <= n {
        return (title.to_string(), None);
    }
    let cut =
        title.char_indices().filter(|&(i, c)| c == ' ' && title[..i].chars().count() <= n).map(|(i, _)| i).next_back();
    match cut {
        Some(i) => (title[..i].to_string(), Some(shorten(title[i + 1..].trim(), n))),
        None => (shorten(title, n), None),
    }
}

impl ContainerShape {
    /// Its heading as drawn within its width: the label, the kind after it unless the label
    /// says it already, and the CIDR. What does not fit goes: the kind first, then the label is
    /// shortened, then the CIDR.
    pub fn heading(&self) -> (String, String) {
        let kind = super::model::container_kind_name(self.kind, self.public);
        let lower = self.label.to_lowercase();
        let says_kind = lower.contains(&kind.to_lowercase())
            || (self.kind == ContainerKind::Subnet
                && (lower.contains("public") || lower.contains("private") || lower.contains("subnet")))
            || (self.kind == ContainerKind::Vpc && lower.contains("vpc"));
        let room = ((self.rect.w - 44.0) / TITLE_CHAR_W).max(4.0) as usize;
        let cidr = self.cidr.as_deref().map(|c| format!("  {c}")).unwrap_or_default();
        let with_kind = if says_kind { self.label.clone() } else { format!("{} · {kind}", self.label) };
        let len = |t: &str| t.chars().count();
        if len(&with_kind) + len(&cidr) <= room {
            return (with_kind, cidr);
        }
        if len(&self.label) + len(&cidr) <= room {
            return (self.label.clone(), cidr);
        }
        if room > len(&cidr) + 6 {
            return (shorten(&self.label, room - len(&cidr)), cidr);
        }
        (shorten(&self.label, room), String::new())
    }

    /// Where its title is written, roughly: the glyph, the label, the kind and the CIDR at the
    /// canvas's title size, within the box.
    pub fn title_rect(&self) -> Rect {
        let chars = self.label.chars().count() + self.cidr.as_deref().map_or(0, str::len) + 18;
        Rect::new(self.rect.x, self.rect.y + 2.0, self.rect.w.min(40.0 + 6.5 * chars as f64), 24.0)
    }
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
    /// The bends a person placed, which the route passes through (empty: routed automatically).
    pub waypoints: Vec<Point>,
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
                band: doc.is_az_band(&c.id),
            })
        })
        .collect();
    // Outermost first; of containers at one depth, the larger first (an AZ drawn round
    // whole VPCs lies under them).
    containers.sort_by(|a, b| a.depth.cmp(&b.depth).then(b.rect.area().total_cmp(&a.rect.area())));
    let nodes: Vec<NodeShape> = t
        .components
        .iter()
        .map(|c| NodeShape { id: c.id.clone(), kind: c.spec.kind(), label: c.label.clone(), rect: node_rect(c) })
        .collect();
    let index: std::collections::HashMap<&str, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let avoid = nodes.len() <= AVOID_LIMIT;
    // Container titles are kept clear too.
    let titles: Vec<Rect> =
        if avoid { containers.iter().map(ContainerShape::title_rect).collect() } else { Vec::new() };
    // Each connection's ends and the boxes in its way.
    let ends: Vec<(usize, usize, usize, Vec<Rect>)> = t
        .connections
        .iter()
        .enumerate()
        .filter_map(|(i, conn)| {
            let (&a, &b) = (index.get(conn.from.as_str())?, index.get(conn.to.as_str())?);
            let (ra, rb) = (nodes[a].rect, nodes[b].rect);
            let obstacles: Vec<Rect> = if avoid {
                // The boxes near the two ends, then those near any of them: a route goes round
                // an obstacle on lines just outside it, which must not run into the next box.
                let near = |span: Rect| {
                    let boxes = nodes
                        .iter()
                        .enumerate()
                        .filter(move |(k, n)| *k != a && *k != b && n.rect.intersects(&span))
                        .map(|(_, n)| n.rect.inflate(4.0));
                    let labels = titles
                        .iter()
                        .copied()
                        .filter(move |t| t.intersects(&span) && !t.intersects(&ra) && !t.intersects(&rb));
                    boxes.chain(labels)
                };
                let first: Vec<Rect> = near(ra.union(&rb).inflate(64.0)).collect();
                match bounds(&first) {
                    Some(r) => near(r.union(&ra).union(&rb).inflate(48.0)).collect(),
                    None => first,
                }
            } else {
                Vec::new()
            };
            Some((i, a, b, obstacles))
        })
        .collect();
    // Connections with bends a person placed go through them; the others are routed.
    let placed: Vec<&[Point]> = ends.iter().map(|(i, ..)| doc.waypoints(*i)).collect();
    let mut routes: Vec<Route> = ends
        .iter()
        .zip(&placed)
        .map(|((_, a, b, o), w)| {
            if w.is_empty() {
                route(&nodes[*a].rect, &nodes[*b].rect, o)
            } else {
                through(&nodes[*a].rect, &nodes[*b].rect, w)
            }
        })
        .collect();
    if avoid && ends.len() <= SPREAD_LIMIT {
        let fixed: Vec<bool> = placed.iter().map(|w| !w.is_empty()).collect();
        spread_shared_sides(&nodes, &ends, &fixed, &mut routes);
    }
    let edges = ends
        .iter()
        .zip(routes)
        .zip(placed)
        .map(|(((i, _, _, _), points), waypoints)| {
            let conn = &t.connections[*i];
            EdgeShape {
                index: *i,
                from: conn.from.clone(),
                to: conn.to.clone(),
                path: path_data(&points),
                bbox: route_bounds(&points),
                points,
                waypoints: waypoints.to_vec(),
            }
        })
        .collect();
    let all: Vec<Rect> = containers.iter().map(|c| c.rect).chain(nodes.iter().map(|n| n.rect)).collect();
    Scene { bounds: bounds(&all), containers, nodes, edges }
}

/// The bounding box of a route.
fn route_bounds(points: &[Point]) -> Rect {
    let first = points.first().copied().unwrap_or_default();
    points.iter().fold(Rect::new(first.x, first.y, 0.0, 0.0), |r, p| r.union(&Rect::new(p.x, p.y, 0.0, 0.0)))
}

/// One end of a routed connection at a box's side: the route, whether it is the source end,
/// and where the other end is along the side.
type End = (usize, bool, f64);

/// Connections that leave or enter a box through the same side get points of their own along
/// it, in the order of where their other ends are, and every connection is routed again,
/// through them and around the others' segments: they neither run together out of a box nor
/// cross each other where a way around exists. Connections `fixed` (they go through bends a
/// person placed) keep their routes; the others go round them.
fn spread_shared_sides(
    nodes: &[NodeShape],
    ends: &[(usize, usize, usize, Vec<Rect>)],
    fixed: &[bool],
    routes: &mut [Route],
) {
    // (box, side) -> the connections' ends there
    let mut sides: BTreeMap<(usize, u8), Vec<End>> = BTreeMap::new();
    for (k, ((_, a, b, _), r)) in ends.iter().zip(routes.iter()).enumerate().filter(|(k, _)| !fixed[*k]) {
        let (Some(&first), Some(&last)) = (r.first(), r.last()) else { continue };
        for (node, other, at, source) in [(*a, *b, first, true), (*b, *a, last, false)] {
            let side = Dir::side_of(&nodes[node].rect, at);
            let c = nodes[other].rect.center();
            let along = if side.runs_horizontally() { c.x } else { c.y };
            sides.entry((node, side as u8)).or_default().push((k, source, along));
        }
    }
    let mut ports: Vec<(Option<Port>, Option<Port>)> = vec![(None, None); routes.len()];
    for ((node, _), mut list) in sides {
        if list.len() < 2 {
            continue;
        }
        list.sort_by(|p, q| p.2.total_cmp(&q.2).then(p.0.cmp(&q.0)));
        let (k0, source0, _) = list[0];
        let r = nodes[node].rect;
        let at = if source0 { routes[k0][0] } else { *routes[k0].last().unwrap_or(&r.center()) };
        let side = Dir::side_of(&r, at);
        let length = if side.runs_horizontally() { r.w } else { r.h };
        let step = (length / (list.len() + 1) as f64).min(24.0);
        let middle = (list.len() - 1) as f64 / 2.0;
        for (n, (k, source, _)) in list.into_iter().enumerate() {
            let port = Port { side, offset: (n as f64 - middle) * step };
            if source {
                ports[k].0 = Some(port);
            } else {
                ports[k].1 = Some(port);
            }
        }
    }
    for (k, (from, to)) in ports.into_iter().enumerate().filter(|(k, _)| !fixed[*k]) {
        let (_, a, b, obstacles) = &ends[k];
        let others: Vec<Segment> = routes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, r)| segments(r).collect::<Vec<_>>())
            .collect();
        // A connection that keeps its sides' middles and meets no other stays as it is.
        let meets = segments(&routes[k]).any(|s| others.iter().any(|o| cross(s, *o) || overlap(s, *o)));
        if from.is_some() || to.is_some() || meets {
            routes[k] = route_between(&nodes[*a].rect, from, &nodes[*b].rect, to, obstacles, &others);
        }
    }
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
            // Bends move with a connection whose two ends move (as the drop will do).
            if comps.contains(&e.from) && comps.contains(&e.to) {
                for w in &mut e.waypoints {
                    *w = Point::new(w.x + dx, w.y + dy);
                }
            }
            e.points = through(&a, &b, &e.waypoints);
            e.path = path_data(&e.points);
            e.bbox = route_bounds(&e.points);
        }
    }
    s.edges = edges;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_wrap_and_headings_fit_their_box() {
        assert_eq!(title_lines("Users"), ("Users".into(), None));
        assert_eq!(title_lines("Application Load Balancer"), ("Application".into(), Some("Load Balancer".into())));
        assert_eq!(title_lines("RDS MySQL Multi-AZ"), ("RDS MySQL".into(), Some("Multi-AZ".into())));
        assert_eq!(title_lines("Recommendations engine v2"), ("Recommendati…".into(), None));
        let c = |label: &str, w: f64| ContainerShape {
            id: "s".into(),
            kind: ContainerKind::Subnet,
            public: false,
            label: label.into(),
            cidr: Some("10.10.11.0/24".into()),
            rect: Rect::new(0.0, 0.0, w, 100.0),
            depth: 0,
            band: false,
        };
        let fits = |s: &ContainerShape| {
            let (t, cidr) = s.heading();
            44.0 + (t.chars().count() + cidr.chars().count()) as f64 * TITLE_CHAR_W
                <= s.rect.w.max(44.0 + 4.0 * TITLE_CHAR_W)
        };
        assert_eq!(c("services a", 400.0).heading(), ("services a · Private subnet".into(), "  10.10.11.0/24".into()));
        assert_eq!(c("services a", 220.0).heading(), ("services a".into(), "  10.10.11.0/24".into()));
        for w in [120.0, 160.0, 200.0, 240.0, 400.0] {
            assert!(fits(&c("a rather long subnet name", w)), "{w}: {:?}", c("a rather long subnet name", w).heading());
        }
    }

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

/// How well a scene's connections read: the figures a reviewer counts on a diagram.
#[cfg(test)]
pub mod quality {
    use super::*;

    /// Counts for one scene.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Stats {
        /// (connection, component) pairs where the connection runs through a component that is
        /// neither of its ends.
        pub through_nodes: usize,
        /// (connection, container) pairs where the connection runs through the container's title.
        pub through_titles: usize,
        /// Places where two connections cross.
        pub crossings: usize,
        /// Pairs of connections that run along the same line for a stretch (they read as one).
        pub shared: usize,
    }

    fn segments(e: &EdgeShape) -> impl Iterator<Item = (Point, Point)> + '_ {
        crate::editor::route::segments(&e.points)
    }

    /// The counts for `s`.
    pub fn stats(s: &Scene) -> Stats {
        let mut out = Stats::default();
        for e in &s.edges {
            out.through_nodes += s
                .nodes
                .iter()
                .filter(|n| n.id != e.from && n.id != e.to)
                .filter(|n| segments(e).any(|(a, b)| n.rect.inflate(-2.0).hits_segment(a, b)))
                .count();
        }
        for e in &s.edges {
            out.through_titles += s
                .containers
                .iter()
                .filter(|c| segments(e).any(|(a, b)| c.title_rect().inflate(-2.0).hits_segment(a, b)))
                .count();
        }
        for (i, e) in s.edges.iter().enumerate() {
            for f in &s.edges[i + 1..] {
                out.crossings += segments(e)
                    .map(|a| segments(f).filter(|&b| crate::editor::route::cross(a, b)).count())
                    .sum::<usize>();
                if segments(e).any(|a| segments(f).any(|b| crate::editor::route::overlap(a, b))) {
                    out.shared += 1;
                }
            }
        }
        out
    }

    /// Every gallery template's counts, by file name.
    pub fn gallery() -> Vec<(String, Stats)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("index.json"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let doc = crate::editor::model::doc_from_json(&std::fs::read_to_string(&p).unwrap()).unwrap();
                (p.file_stem().unwrap().to_string_lossy().into_owned(), stats(&build(&doc)))
            })
            .collect()
    }

    #[test]
    fn gallery_connections_read_right() {
        let all = gallery();
        let mut total = Stats::default();
        println!("{:<28} {:>8} {:>7} {:>9} {:>6}", "template", "through", "titles", "crossings", "shared");
        for (name, s) in &all {
            println!("{name:<28} {:>8} {:>7} {:>9} {:>6}", s.through_nodes, s.through_titles, s.crossings, s.shared);
            total.through_nodes += s.through_nodes;
            total.through_titles += s.through_titles;
            total.crossings += s.crossings;
            total.shared += s.shared;
        }
        println!(
            "{:<28} {:>8} {:>7} {:>9} {:>6}",
            "total", total.through_nodes, total.through_titles, total.crossings, total.shared
        );
        assert_eq!(all.len(), 38);
        // Before routing searched a grid around the boxes, over the gallery: 15 connections
        // through boxes, 3 through container titles, 34 crossings and 59 pairs running
        // together (multi-service: 5, 1, 9, 8). Now: none, none, 23 and none.
        assert!(all.iter().all(|(_, s)| s.through_nodes == 0), "a connection runs through a box");
        assert!(all.iter().all(|(_, s)| s.through_titles == 0), "a connection runs through a title");
        assert!(all.iter().all(|(_, s)| s.shared == 0), "connections run together");
        // With tiers aligned across AZs and groups drawn over their subnets: 6.
        assert!(total.crossings <= 6, "{} crossings", total.crossings);
    }

    /// Pairs of containers whose boxes cut across each other (neither holds the other, yet
    /// they overlap): an AZ box straddling two VPCs reads as nothing AWS has.
    pub fn straddles(s: &Scene) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, a) in s.containers.iter().enumerate() {
            for b in &s.containers[i + 1..] {
                let (p, q) = (a.rect.inflate(-1.0), b.rect.inflate(-1.0));
                if p.intersects(&q) && !a.rect.contains_rect(&b.rect) && !b.rect.contains_rect(&a.rect) {
                    out.push((a.id.clone(), b.id.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn gallery_containers_nest_and_tiers_line_up() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/scenarios");
        for (name, _) in gallery() {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            let doc = crate::editor::model::doc_from_json(&text).unwrap();
            let s = build(&doc);
            assert_eq!(straddles(&s), Vec::<(String, String)>::new(), "{name}");
            // Subnets side by side in one VPC (one per AZ) share their top and height.
            for a in s.containers.iter().filter(|c| c.kind == ContainerKind::Subnet) {
                for b in s.containers.iter().filter(|c| c.kind == ContainerKind::Subnet && c.id != a.id) {
                    let side_by_side = (a.rect.y - b.rect.y).abs() < 40.0;
                    if side_by_side
                        && doc.topology.container(&a.id).map(|c| &c.parent)
                            == doc.topology.container(&b.id).map(|c| &c.parent)
                    {
                        assert_eq!((a.rect.y, a.rect.h), (b.rect.y, b.rect.h), "{name}: {} and {}", a.id, b.id);
                    }
                }
            }
        }
        // The peering template's AZ goes round both VPCs (it cut across them).
        let text = std::fs::read_to_string(dir.join("peering-routes-before.json")).unwrap();
        let s = build(&crate::editor::model::doc_from_json(&text).unwrap());
        let az = s.container_rect("ap-northeast-2a").unwrap();
        assert!(
            az.contains_rect(&s.container_rect("vpc-a").unwrap())
                && az.contains_rect(&s.container_rect("vpc-b").unwrap())
        );
    }
}
