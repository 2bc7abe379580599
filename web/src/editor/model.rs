//! The document being edited: a [`Topology`] plus the editor's layout of its containers, and
//! every edit a user can make on it, as plain methods (moving, nesting, connecting, deleting,
//! copying). Pure: no DOM, unit-tested natively.
//!
//! Containers have no position in the topology format, so the editor keeps a rectangle for each
//! in [`Layout`] and writes it next to the topology as the `"layout"` field (which the core
//! ignores, as it ignores every unknown field). A container is drawn as the union of its stored
//! rectangle and its contents: it grows to fit its children and moves with them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use strata_core::catalog;
use strata_core::topology::{Component, ComponentKind, Connection, Container, ContainerKind, Position, Topology};

use super::geom::{bounds, snap, Point, Rect, GRID, NODE_H, NODE_W};
use super::route::position_along;

/// Padding between a container's edge and its contents.
pub const PAD: f64 = 24.0;
/// Extra room at the top of a container for its title.
pub const HEADER: f64 = 28.0;
/// Size of a container dropped from the palette.
pub const DEFAULT_CONTAINER: (f64, f64) = (320.0, 200.0);
/// Where a new container is held while it is dropped, from its top-left corner: the point of
/// the drop (the pointer), which decides what it goes into.
pub const CONTAINER_GRIP: (f64, f64) = (40.0, 20.0);

/// Stored rectangles of containers, by id. Written with serde; read by hand from the JSON value
/// the document's loader has parsed anyway ([`Layout::read`]): a reader of its own would add to
/// the page's WebAssembly.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Layout {
    /// Container id -> rectangle (before growing to fit the contents).
    pub containers: BTreeMap<String, Rect>,
    /// The bends people placed on connections. Connections not listed are routed around the
    /// boxes automatically.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bends: Vec<Bends>,
}

impl Layout {
    /// Reads a layout written by serde from its JSON value. What is malformed is left out (a
    /// layout only says how things are drawn): a container without a rectangle is laid out
    /// again, a connection without its bends is routed.
    pub fn read(v: &serde_json::Value) -> Layout {
        Layout { containers: read_rects(v.get("containers")), bends: read_bends(v.get("bends")) }
    }
}

/// Container rectangles as [`Layout::read`] reads them: an object of `{x, y, w, h}`.
fn read_rects(v: Option<&serde_json::Value>) -> BTreeMap<String, Rect> {
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_f64);
    let rect = |r: &serde_json::Value| Some(Rect::new(num(r, "x")?, num(r, "y")?, num(r, "w")?, num(r, "h")?));
    v.and_then(serde_json::Value::as_object)
        .map(|m| m.iter().filter_map(|(k, r)| Some((k.clone(), rect(r)?))).collect())
        .unwrap_or_default()
}

/// Bends as [`Layout::read`] reads them: a list of `{from, to, points: [{x, y}]}`.
fn read_bends(v: Option<&serde_json::Value>) -> Vec<Bends> {
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_f64);
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
    let bend = |b: &serde_json::Value| {
        let points = b.get("points")?.as_array()?.iter().map(|p| Some(Point::new(num(p, "x")?, num(p, "y")?)));
        Some(Bends { from: text(b, "from")?, to: text(b, "to")?, points: points.collect::<Option<Vec<Point>>>()? })
    };
    v.and_then(serde_json::Value::as_array).map(|l| l.iter().filter_map(bend).collect()).unwrap_or_default()
}

/// The points a connection's line is drawn through, in order. A design has at most one
/// connection from one component to another, so its two ends name it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bends {
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// Where the line bends, in order from the caller.
    pub points: Vec<Point>,
}

impl Bends {
    fn of(&self, c: &Connection) -> bool {
        self.from == c.from && self.to == c.to
    }
}

/// A document in the editor.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// What the simulator runs.
    pub topology: Topology,
    /// Where the containers are drawn.
    pub layout: Layout,
}

/// Something a user can place: a component kind, or a container kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeable {
    /// A component of this kind.
    Component(ComponentKind),
    /// A container of this kind; `public` matters for subnets only.
    Container(ContainerKind, bool),
}

/// Why a placement is refused, or `Ok`. `target` is the kind of the container the item would
/// land in (`None`: the bare canvas).
pub fn check_placement(item: Placeable, target: Option<ContainerKind>) -> Result<(), String> {
    use ComponentKind as K;
    use ContainerKind as C;
    let name = |k: K| catalog::kind_info(k).name;
    match item {
        Placeable::Container(C::Region, _) => match target {
            None => Ok(()),
            Some(_) => Err("A region is the outermost container: place it on the bare canvas.".into()),
        },
        Placeable::Container(C::Az, _) => match target {
            Some(C::Region) => Ok(()),
            _ => Err("An availability zone belongs inside a region.".into()),
        },
        Placeable::Container(C::Vpc, _) => match target {
            Some(C::Region | C::Az) => Ok(()),
            _ => Err("A VPC lives in a region (or an availability zone): drop it inside one.".into()),
        },
        Placeable::Container(C::Subnet, _) => match target {
            Some(C::Vpc) => Ok(()),
            _ => Err("A subnet must be inside a VPC.".into()),
        },
        Placeable::Component(k @ (K::Ec2 | K::Rds | K::Elasticache)) => match target {
            Some(C::Subnet) => Ok(()),
            _ => Err(format!("{} runs inside a VPC: drop it into a subnet.", name(k))),
        },
        Placeable::Component(k @ (K::Alb | K::Asg | K::Eks | K::Ecs)) => match target {
            Some(C::Subnet | C::Vpc) => Ok(()),
            _ => Err(format!("{} runs inside a VPC: drop it into a VPC or one of its subnets.", name(k))),
        },
        Placeable::Component(K::Lambda) => Ok(()),
        Placeable::Component(K::Client) => match target {
            None | Some(C::Region | C::Az) => Ok(()),
            _ => Err("Clients are users outside the cloud: place them on the canvas or in a region.".into()),
        },
        Placeable::Component(k @ (K::Route53 | K::Cloudfront)) => match target {
            None | Some(C::Region) => Ok(()),
            _ => Err(format!("{} is a global service outside any VPC.", name(k))),
        },
        Placeable::Component(k @ (K::S3 | K::Dynamodb | K::Sqs)) => match target {
            None | Some(C::Region) => Ok(()),
            _ => Err(format!("{} is a regional service outside any VPC: place it in a region (reach it from subnets through an endpoint).", name(k))),
        },
    }
}

/// `a.b.c.d/n`, written here rather than through `Ipv4Addr`'s formatting (which would add to
/// the page's WebAssembly for this one use).
fn cidr_text(c: strata_core::topology::Cidr) -> String {
    let a = c.addr;
    format!("{}.{}.{}.{}/{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, c.prefix)
}

/// Columns for laying out `n` boxes on a grid of `gx` by `gy`: one column up to `column_max`
/// (a short flow reads top to bottom), then a roughly square block (thousands of components
/// make a field, not a strip hundreds of thousands of pixels tall).
fn grid_columns(n: usize, column_max: usize, gx: f64, gy: f64) -> usize {
    if n <= column_max {
        1
    } else {
        ((n as f64 * gy / gx).sqrt().ceil() as usize).max(1)
    }
}

/// The id prefix for a pasted copy of `id`: `ec2-2` -> `ec2`, `web` -> `web`.
fn paste_prefix<'a>(id: &'a str, fallback: &'a str) -> &'a str {
    let base = match id.rsplit_once('-') {
        Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => p,
        _ => id,
    };
    if base.is_empty() {
        fallback
    } else {
        base
    }
}

/// The rectangle of a component.
pub fn node_rect(c: &Component) -> Rect {
    Rect::new(c.position.x, c.position.y, NODE_W, NODE_H)
}

/// Display name of a container kind.
pub fn container_kind_name(kind: ContainerKind, public: bool) -> &'static str {
    match (kind, public) {
        (ContainerKind::Region, _) => "Region",
        (ContainerKind::Az, _) => "Availability zone",
        (ContainerKind::Vpc, _) => "VPC",
        (ContainerKind::Subnet, true) => "Public subnet",
        (ContainerKind::Subnet, false) => "Private subnet",
    }
}

/// A subnet's tier: (private, name stem, which of that tier's subnets in its AZ).
type Tier = (bool, String, usize);

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused(pub String);

impl Doc {
    /// A document from a topology, laying it out when it carries no usable positions.
    pub fn new(topology: Topology, layout: Layout) -> Doc {
        let mut doc = Doc { topology, layout };
        if doc.needs_layout() {
            doc.auto_layout();
        }
        doc.settle();
        doc
    }

    /// An empty document.
    pub fn empty(name: &str) -> Doc {
        Doc { topology: Topology::new(name), layout: Layout::default() }
    }

    /// The rectangle of every container: its stored rectangle grown to fit its contents.
    pub fn container_rects(&self) -> BTreeMap<String, Rect> {
        let t = &self.topology;
        let mut out = BTreeMap::new();
        let mut visiting = BTreeSet::new();
        for c in &t.containers {
            self.rect_of(&c.id, &mut out, &mut visiting);
        }
        out
    }

    fn rect_of(&self, id: &str, out: &mut BTreeMap<String, Rect>, visiting: &mut BTreeSet<String>) -> Option<Rect> {
        if let Some(r) = out.get(id) {
            return Some(*r);
        }
        if !visiting.insert(id.to_string()) {
            return None; // a parent cycle: ignore the back edge
        }
        let t = &self.topology;
        let mut kids: Vec<Rect> =
            t.components.iter().filter(|c| c.container.as_deref() == Some(id)).map(node_rect).collect();
        for child in t.containers.iter().filter(|c| c.parent.as_deref() == Some(id)) {
            if let Some(r) = self.rect_of(&child.id, out, visiting) {
                kids.push(r);
            }
        }
        let fit =
            bounds(&kids).map(|b| Rect::new(b.x - PAD, b.y - PAD - HEADER, b.w + 2.0 * PAD, b.h + 2.0 * PAD + HEADER));
        let stored = self.layout.containers.get(id).copied();
        // An AZ that holds nothing but is named by subnets (`az` field) is drawn around them, as
        // in AWS diagrams where the AZ band crosses the VPC.
        if kids.is_empty() && t.container(id).is_some_and(|c| c.kind == ContainerKind::Az) {
            let mut members: Vec<String> =
                t.containers.iter().filter(|c| c.az.as_deref() == Some(id)).map(|c| c.id.clone()).collect();
            // Subnets of several VPCs, each VPC wholly in this AZ: the band goes round the VPCs
            // (drawn round their subnets it would cut across the VPCs' boxes).
            let mut vpcs: Vec<String> = Vec::new();
            for v in members.iter().filter_map(|m| t.container(m)?.parent.as_ref()) {
                if !vpcs.contains(v) {
                    vpcs.push(v.clone());
                }
            }
            let whole = |v: &String| {
                t.containers.iter().filter(|c| c.parent.as_ref() == Some(v)).all(|c| c.az.as_deref() == Some(id))
            };
            if vpcs.len() > 1 && vpcs.iter().all(whole) {
                members = vpcs;
            }
            let rects: Vec<Rect> = members.iter().filter_map(|m| self.rect_of(m, out, visiting)).collect();
            if let Some(b) = bounds(&rects) {
                let r = Rect::new(b.x - PAD / 2.0, b.y - HEADER, b.w + PAD, b.h + HEADER + PAD / 2.0);
                visiting.remove(id);
                out.insert(id.to_string(), r);
                return Some(r);
            }
        }
        let rect = match (stored, fit) {
            (Some(s), Some(f)) => s.union(&f),
            (Some(s), None) => s,
            (None, Some(f)) => f,
            (None, None) => Rect::new(0.0, 0.0, DEFAULT_CONTAINER.0, DEFAULT_CONTAINER.1),
        };
        visiting.remove(id);
        out.insert(id.to_string(), rect);
        Some(rect)
    }

    /// Whether `id` is an AZ that holds nothing itself but is named by subnets: it is drawn as a
    /// band around them rather than placed.
    pub fn is_az_band(&self, id: &str) -> bool {
        let t = &self.topology;
        t.container(id).is_some_and(|c| c.kind == ContainerKind::Az)
            && !t.components.iter().any(|c| c.container.as_deref() == Some(id))
            && !t.containers.iter().any(|c| c.parent.as_deref() == Some(id))
            && t.containers.iter().any(|c| c.az.as_deref() == Some(id))
    }

    /// Nesting depth of a container (a region is 0).
    pub fn depth(&self, id: &str) -> usize {
        let mut d = 0;
        let mut cur = self.topology.container(id).and_then(|c| c.parent.clone());
        while let Some(p) = cur {
            d += 1;
            if d > 16 {
                break;
            }
            cur = self.topology.container(&p).and_then(|c| c.parent.clone());
        }
        d
    }

    /// Writes the fitted rectangles back as stored ones, so containers never shrink under
    /// their contents and survive their contents moving away.
    pub fn settle(&mut self) {
        let rects = self.container_rects();
        self.layout.containers = rects.into_iter().filter(|(id, _)| !self.is_az_band(id)).collect();
        self.prune_waypoints();
    }

    /// Forgets the bends of connections that are gone.
    fn prune_waypoints(&mut self) {
        let t = &self.topology;
        self.layout.bends.retain(|b| !b.points.is_empty() && t.connections.iter().any(|c| b.of(c)));
    }

    /// The bends placed on connection `conn` (none when it is routed automatically).
    pub fn waypoints(&self, conn: usize) -> &[Point] {
        self.topology
            .connections
            .get(conn)
            .and_then(|c| self.layout.bends.iter().find(|b| b.of(c)))
            .map_or(&[], |b| b.points.as_slice())
    }

    fn waypoints_mut(&mut self, conn: usize) -> Result<&mut Vec<Point>, Refused> {
        let c = self.topology.connections.get(conn).ok_or_else(|| Refused("That connection is gone.".into()))?;
        let bends = &mut self.layout.bends;
        let i = match bends.iter().position(|b| b.of(c)) {
            Some(i) => i,
            None => {
                bends.push(Bends { from: c.from.clone(), to: c.to.clone(), points: Vec::new() });
                bends.len() - 1
            }
        };
        Ok(&mut bends[i].points)
    }

    /// Adds a bend at `p` to connection `conn`, drawn now along `route`: it goes between the
    /// bends before and after that place on the line. Returns its index among the bends.
    pub fn insert_waypoint(&mut self, conn: usize, route: &[Point], p: Point) -> Result<usize, Refused> {
        let at = position_along(route, p).0;
        let list = self.waypoints_mut(conn)?;
        let i = list.iter().filter(|w| position_along(route, **w).0 < at).count();
        list.insert(i, p);
        Ok(i)
    }

    /// Moves bend `i` of connection `conn` to `p`.
    pub fn move_waypoint(&mut self, conn: usize, i: usize, p: Point) {
        if let Some(w) = self.waypoints_mut(conn).ok().and_then(|l| l.get_mut(i)) {
            *w = p;
        }
    }

    /// Removes bend `i` of connection `conn` (`None`: all of them, back to automatic routing).
    pub fn remove_waypoints(&mut self, conn: usize, i: Option<usize>) {
        if let Ok(list) = self.waypoints_mut(conn) {
            match i {
                Some(i) if i < list.len() => {
                    list.remove(i);
                }
                Some(_) => {}
                None => list.clear(),
            }
        }
        self.prune_waypoints();
    }

    /// The deepest container whose rectangle holds `p` and that `item` may sit in, skipping
    /// `exclude`: a subnet moved to where an AZ band and its VPC overlap goes into the VPC.
    pub fn holder_at(&self, p: Point, exclude: &BTreeSet<String>, item: Placeable) -> Option<String> {
        self.deepest_at(&self.container_rects(), p, exclude, Some(item))
    }

    /// The deepest container whose rectangle holds `p`, skipping `exclude`.
    pub fn container_at(&self, p: Point, exclude: &BTreeSet<String>) -> Option<String> {
        self.deepest_at(&self.container_rects(), p, exclude, None)
    }

    /// The deepest of `rects` holding `p`, skipping `exclude` (and, given an `item`, the
    /// containers it may not sit in); of equal depth, the smallest.
    fn deepest_at(
        &self,
        rects: &BTreeMap<String, Rect>,
        p: Point,
        exclude: &BTreeSet<String>,
        item: Option<Placeable>,
    ) -> Option<String> {
        rects
            .iter()
            .filter(|(id, r)| r.contains(p) && !exclude.contains(*id))
            .filter(|(id, _)| item.is_none_or(|item| check_placement(item, self.kind_of_container(Some(id))).is_ok()))
            .max_by(|a, b| self.depth(a.0).cmp(&self.depth(b.0)).then(b.1.area().total_cmp(&a.1.area())))
            .map(|(id, _)| id.clone())
    }

    /// The component whose box holds `p` (topmost, i.e. last drawn, first).
    pub fn component_at(&self, p: Point) -> Option<String> {
        self.topology.components.iter().rev().find(|c| node_rect(c).contains(p)).map(|c| c.id.clone())
    }

    /// Components and containers whose rectangles lie fully inside `band` (rubber-band
    /// selection). Containers are only selected when the band holds them entirely.
    pub fn in_rect(&self, band: &Rect) -> Vec<String> {
        let mut ids: Vec<String> = self
            .topology
            .components
            .iter()
            .filter(|c| band.contains_rect(&node_rect(c)))
            .map(|c| c.id.clone())
            .collect();
        for (id, r) in self.container_rects() {
            if band.contains_rect(&r) {
                ids.push(id);
            }
        }
        ids
    }

    /// Every container nested (at any depth) inside `id`, and `id` itself.
    pub fn subtree(&self, id: &str) -> BTreeSet<String> {
        let mut set = BTreeSet::from([id.to_string()]);
        loop {
            let before = set.len();
            for c in &self.topology.containers {
                if c.parent.as_ref().is_some_and(|p| set.contains(p)) {
                    set.insert(c.id.clone());
                }
            }
            if set.len() == before {
                return set;
            }
        }
    }

    /// A fresh id with this prefix (`ec2-1`, `ec2-2`, ...).
    pub fn fresh_id(&self, prefix: &str) -> String {
        let taken = |id: &str| self.topology.component(id).is_some() || self.topology.container(id).is_some();
        (1..).map(|i| format!("{prefix}-{i}")).find(|id| !taken(id)).unwrap_or_default()
    }

    fn kind_of_container(&self, id: Option<&str>) -> Option<ContainerKind> {
        id.and_then(|id| self.topology.container(id)).map(|c| c.kind)
    }

    /// Adds a component of `kind` with its top-left corner at `at` (snapped), into the
    /// container under its centre. Refused when the model forbids that placement.
    pub fn add_component(&mut self, kind: ComponentKind, at: Point) -> Result<String, Refused> {
        let at = Point::new(snap(at.x), snap(at.y));
        let centre = Point::new(at.x + NODE_W / 2.0, at.y + NODE_H / 2.0);
        let container = self.container_at(centre, &BTreeSet::new());
        check_placement(Placeable::Component(kind), self.kind_of_container(container.as_deref())).map_err(Refused)?;
        let id = self.fresh_id(kind.tag());
        let label = catalog::kind_info(kind).name.to_string();
        let c = self.topology.add(&id, kind, container.as_deref());
        c.position = Position { x: at.x, y: at.y };
        c.label = label;
        self.settle();
        Ok(id)
    }

    /// Adds a container whose top-left corner is at `at`, inside the container there.
    pub fn add_container(&mut self, kind: ContainerKind, public: bool, at: Point) -> Result<String, Refused> {
        // What it goes into follows the pointer (the grip), then its corner, then its centre.
        let grip = Point::new(at.x + CONTAINER_GRIP.0, at.y + CONTAINER_GRIP.1);
        let mut at = Point::new(snap(at.x), snap(at.y));
        let centre = Point::new(at.x + DEFAULT_CONTAINER.0 / 2.0, at.y + DEFAULT_CONTAINER.1 / 2.0);
        let none = BTreeSet::new();
        let item = Placeable::Container(kind, public);
        let rects = self.container_rects();
        let hit = [grip, at, centre]
            .into_iter()
            .find_map(|p| self.deepest_at(&rects, p, &none, Some(item)))
            .or_else(|| [grip, at, centre].into_iter().find_map(|p| self.deepest_at(&rects, p, &none, None)));
        // Dropped onto something that cannot hold it (a subnet onto a subnet): the nearest
        // enclosing container that can, if any, as a diagram tool would.
        let parent = self
            .ancestors(hit.as_deref())
            .into_iter()
            .find(|a| check_placement(item, self.kind_of_container(Some(a))).is_ok())
            .or(hit.clone());
        check_placement(item, self.kind_of_container(parent.as_deref())).map_err(Refused)?;
        // Do not cover a sibling: go below the lowest one it would overlap.
        let rects = self.container_rects();
        let mine = |at: Point| Rect::new(at.x, at.y, DEFAULT_CONTAINER.0, DEFAULT_CONTAINER.1);
        for _ in 0..64 {
            let blocker = self
                .topology
                .containers
                .iter()
                .filter(|c| c.parent == parent)
                .filter_map(|c| rects.get(&c.id))
                .filter(|r| r.intersects(&mine(at)))
                .map(|r| r.bottom())
                .fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.max(b))));
            match blocker {
                Some(b) => at.y = snap(b + 2.0 * GRID),
                None => break,
            }
        }
        let prefix = match kind {
            ContainerKind::Region => "region",
            ContainerKind::Az => "az",
            ContainerKind::Vpc => "vpc",
            ContainerKind::Subnet => {
                if public {
                    "public-subnet"
                } else {
                    "private-subnet"
                }
            }
        };
        let id = self.fresh_id(prefix);
        let cidr = match kind {
            ContainerKind::Vpc => Some(self.free_vpc_cidr()),
            ContainerKind::Subnet => parent.as_deref().map(|p| self.free_subnet_cidr(p)),
            _ => None,
        };
        let label = match kind {
            ContainerKind::Region => "us-east-1".to_string(),
            ContainerKind::Az => {
                let n = self.topology.containers.iter().filter(|c| c.kind == ContainerKind::Az).count();
                format!("us-east-1{}", (b'a' + (n % 26) as u8) as char)
            }
            _ => format!("{} {}", container_kind_name(kind, public), id.rsplit('-').next().unwrap_or("")),
        };
        // A subnet's AZ: the AZ it is drawn in, if any.
        let az = if kind == ContainerKind::Subnet {
            self.ancestors(parent.as_deref())
                .into_iter()
                .find(|a| self.kind_of_container(Some(a)) == Some(ContainerKind::Az))
        } else {
            None
        };
        self.topology.containers.push(Container { id: id.clone(), kind, parent, label, cidr, public, az });
        self.layout.containers.insert(id.clone(), Rect::new(at.x, at.y, DEFAULT_CONTAINER.0, DEFAULT_CONTAINER.1));
        self.settle();
        Ok(id)
    }

    fn ancestors(&self, start: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = start.map(str::to_string);
        while let Some(id) = cur {
            if out.contains(&id) || out.len() > 16 {
                break;
            }
            cur = self.topology.container(&id).and_then(|c| c.parent.clone());
            out.push(id);
        }
        out
    }

    fn free_vpc_cidr(&self) -> String {
        (0..=255)
            .map(|i| format!("10.{i}.0.0/16"))
            .find(|c| !self.topology.containers.iter().any(|x| x.cidr.as_deref() == Some(c)))
            .unwrap_or_else(|| "10.0.0.0/16".into())
    }

    fn free_subnet_cidr(&self, vpc: &str) -> String {
        let base = self
            .topology
            .container(vpc)
            .and_then(|v| v.cidr.as_deref())
            .and_then(|c| strata_core::topology::Cidr::parse(c).ok())
            .unwrap_or(strata_core::topology::Cidr { addr: 10 << 24, prefix: 16 });
        let (a, b) = ((base.addr >> 24) & 255, (base.addr >> 16) & 255);
        (0..=255)
            .map(|i| format!("{a}.{b}.{i}.0/24"))
            .find(|c| !self.topology.containers.iter().any(|x| x.cidr.as_deref() == Some(c)))
            .unwrap_or_else(|| format!("{a}.{b}.0.0/24"))
    }

    /// Resizes a container by its bottom-right corner. It never shrinks below its contents (nor
    /// below a minimum size); enclosing containers grow to fit.
    pub fn resize_container(&mut self, id: &str, w: f64, h: f64) {
        if self.is_az_band(id) {
            return;
        }
        let Some(r) = self.container_rects().get(id).copied() else { return };
        let saved = self.layout.containers.clone();
        // Fit without the stored rectangle: what the contents need.
        self.layout.containers.remove(id);
        let need = self.container_rects().get(id).copied();
        self.layout.containers = saved;
        let has_contents = self.topology.components.iter().any(|c| c.container.as_deref() == Some(id))
            || self.topology.containers.iter().any(|c| c.parent.as_deref() == Some(id));
        let mut next = Rect::new(r.x, r.y, snap(w).max(160.0), snap(h).max(96.0));
        if let (true, Some(n)) = (has_contents, need) {
            next.w = next.w.max(n.right() - r.x);
            next.h = next.h.max(n.bottom() - r.y);
        }
        self.layout.containers.insert(id.to_string(), next);
        self.settle();
    }

    /// The components and containers that move when `ids` are dragged: the items themselves
    /// plus everything inside the containers among them.
    pub fn moving_set(&self, ids: &BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut containers = BTreeSet::new();
        for id in ids {
            if self.topology.container(id).is_some() {
                containers.extend(self.subtree(id));
            }
        }
        let comps = self
            .topology
            .components
            .iter()
            .filter(|c| ids.contains(&c.id) || c.container.as_ref().is_some_and(|p| containers.contains(p)))
            .map(|c| c.id.clone())
            .collect();
        (comps, containers)
    }

    /// Moves the items by (dx, dy) without changing where they are nested.
    pub fn translate(&mut self, ids: &BTreeSet<String>, dx: f64, dy: f64) {
        let (comps, containers) = self.moving_set(ids);
        for c in &mut self.topology.components {
            if comps.contains(&c.id) {
                c.position.x += dx;
                c.position.y += dy;
            }
        }
        for id in &containers {
            if let Some(r) = self.layout.containers.get_mut(id) {
                *r = r.translate(dx, dy);
            }
        }
        // A connection whose two ends move keeps its shape.
        for b in self.layout.bends.iter_mut().filter(|b| comps.contains(&b.from) && comps.contains(&b.to)) {
            for w in &mut b.points {
                *w = Point::new(w.x + dx, w.y + dy);
            }
        }
    }

    /// Moves the items by (dx, dy) (positions snapped when `snap_to_grid`), then nests each moved
    /// item in the container it now sits in. All or nothing: if any item may not sit where it was
    /// dropped, nothing changes and the reason is returned.
    pub fn move_items(&mut self, ids: &BTreeSet<String>, dx: f64, dy: f64, snap_to_grid: bool) -> Result<(), Refused> {
        let before = self.clone();
        let (mut dx, mut dy) = (dx, dy);
        if snap_to_grid {
            // Snap the first moved item's corner; everything else keeps its offset from it.
            if let Some(c) = self.topology.components.iter().find(|c| ids.contains(&c.id)) {
                dx = snap(c.position.x + dx) - c.position.x;
                dy = snap(c.position.y + dy) - c.position.y;
            } else {
                // Containers move by whole grid steps, so their contents stay on the grid.
                dx = snap(dx);
                dy = snap(dy);
            }
        }
        let rects = self.container_rects();
        self.translate(ids, dx, dy);
        // Re-nest: only the dragged items themselves (their contents travel with them).
        let dragged_containers: BTreeSet<String> =
            ids.iter().filter(|id| self.topology.container(id).is_some()).cloned().collect();
        let mut exclude = BTreeSet::new();
        for id in &dragged_containers {
            exclude.extend(self.subtree(id));
        }
        // Stored rectangles of containers the items leave must not follow them: use the
        // rectangles from before the move for hit testing.
        let mut probe = self.clone();
        for (id, r) in &rects {
            if !exclude.contains(id) {
                probe.layout.containers.insert(id.clone(), *r);
            }
        }
        for id in ids {
            if let Some(c) = self.topology.component(id) {
                let kind = c.spec.kind();
                let centre = node_rect(c).center();
                // Hit-test against containers without the moved component inside them.
                let mut p = probe.clone();
                p.topology.components.retain(|x| !ids.contains(&x.id));
                let target = p.container_at(centre, &exclude);
                if let Err(e) = check_placement(Placeable::Component(kind), self.kind_of_container(target.as_deref())) {
                    *self = before;
                    return Err(Refused(e));
                }
                if let Some(c) = self.topology.components.iter_mut().find(|c| c.id == *id) {
                    c.container = target;
                }
            } else if let Some(k) = self.topology.container(id).map(|c| (c.kind, c.public)) {
                let r = self.container_rects()[id.as_str()];
                let mut p = probe.clone();
                p.topology.components.retain(|x| !ids.contains(&x.id));
                let (corner, item) = (Point::new(r.x + 1.0, r.y + 1.0), Placeable::Container(k.0, k.1));
                let target = p.holder_at(corner, &exclude, item).or_else(|| p.container_at(corner, &exclude));
                if let Err(e) = check_placement(item, self.kind_of_container(target.as_deref())) {
                    *self = before;
                    return Err(Refused(e));
                }
                if let Some(c) = self.topology.containers.iter_mut().find(|c| c.id == *id) {
                    c.parent = target;
                }
            }
        }
        // Containers the items left shrink back to what they held before, grown to fit.
        for (id, r) in rects {
            if !exclude.contains(&id) {
                self.layout.containers.insert(id, r);
            }
        }
        self.settle();
        Ok(())
    }

    /// Deletes components and containers (with everything inside them) and every connection
    /// that touches a deleted component. Connections are named `conn:<index>`.
    pub fn delete(&mut self, ids: &BTreeSet<String>) {
        let (comps, containers) = self.moving_set(ids);
        let conn_idx: BTreeSet<usize> = ids.iter().filter_map(|id| id.strip_prefix("conn:")?.parse().ok()).collect();
        let t = &mut self.topology;
        t.components.retain(|c| !comps.contains(&c.id));
        t.containers.retain(|c| !containers.contains(&c.id));
        let mut i = 0;
        t.connections.retain(|c| {
            let keep = !conn_idx.contains(&i) && !comps.contains(&c.from) && !comps.contains(&c.to);
            i += 1;
            keep
        });
        for id in &containers {
            self.layout.containers.remove(id);
        }
        self.prune_waypoints();
    }

    /// Connects two components. Refused for self-loops, duplicates and calls into a client.
    pub fn connect(&mut self, from: &str, to: &str) -> Result<usize, Refused> {
        if from == to {
            return Err(Refused("A component cannot call itself.".into()));
        }
        let (Some(a), Some(b)) = (self.topology.component(from), self.topology.component(to)) else {
            return Err(Refused("Connect two components.".into()));
        };
        if b.spec.kind() == ComponentKind::Client {
            return Err(Refused("A client population sends requests; nothing can call it.".into()));
        }
        if catalog::kind_info(a.spec.kind()).outgoing == catalog::Outgoing::None {
            return Err(Refused(format!("A {} makes no calls of its own.", catalog::kind_info(a.spec.kind()).name)));
        }
        if self.topology.connections.iter().any(|c| c.from == from && c.to == to) {
            return Err(Refused(format!("{from} already calls {to}.")));
        }
        self.topology.connect(from, to);
        Ok(self.topology.connections.len() - 1)
    }

    /// The selected items as clipboard JSON (see [`ClipboardData`]).
    pub fn copy(&self, ids: &BTreeSet<String>) -> Option<ClipboardData> {
        let (comps, containers) = self.moving_set(ids);
        if comps.is_empty() && containers.is_empty() {
            return None;
        }
        let rects = self.container_rects();
        Some(ClipboardData {
            strata: CLIPBOARD_TAG.into(),
            version: 1,
            containers: self.topology.containers.iter().filter(|c| containers.contains(&c.id)).cloned().collect(),
            components: self.topology.components.iter().filter(|c| comps.contains(&c.id)).cloned().collect(),
            connections: self
                .topology
                .connections
                .iter()
                .filter(|c| comps.contains(&c.from) && comps.contains(&c.to))
                .cloned()
                .collect(),
            layout: containers.iter().filter_map(|id| rects.get(id).map(|r| (id.clone(), *r))).collect(),
            bends: self
                .layout
                .bends
                .iter()
                .filter(|b| comps.contains(&b.from) && comps.contains(&b.to))
                .cloned()
                .collect(),
        })
    }

    /// Pastes clipboard content offset by (dx, dy), with fresh ids (the copy of `ec2-2` is the
    /// next free `ec2-N`). Copies never pile up: when an earlier copy already lies at the
    /// offset, the offset is taken again. Items keep their container when it is part of the
    /// paste or exists in this document; one whose container is in neither goes into the
    /// container under it where it may sit, or the paste is refused with the reason. Pasted
    /// VPCs and subnets get free address blocks (a subnet pasted beside its original would
    /// overlap it). Returns the new ids of the top-level pasted items.
    pub fn paste(&mut self, data: &ClipboardData, dx: f64, dy: f64) -> Result<Vec<String>, Refused> {
        let (dx, dy) = self.free_offset(data, dx, dy);
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for c in &data.containers {
            let id = self.fresh_id(paste_prefix(&c.id, "container"));
            // Reserve the id before the next one is chosen.
            self.topology.containers.push(Container { id: id.clone(), ..c.clone() });
            map.insert(c.id.clone(), id);
        }
        for c in &data.components {
            let id = self.fresh_id(paste_prefix(&c.id, c.spec.kind().tag()));
            self.topology.components.push(Component { id: id.clone(), ..c.clone() });
            map.insert(c.id.clone(), id);
        }
        let remap = |old: &Option<String>, map: &BTreeMap<String, String>, t: &Topology| -> Option<String> {
            let old = old.as_ref()?;
            map.get(old).cloned().or_else(|| t.container(old).map(|_| old.clone()))
        };
        let mut top = Vec::new();
        // Top-level items whose container is neither pasted nor here.
        let mut orphans = Vec::new();
        let n_cont = self.topology.containers.len() - data.containers.len();
        for i in n_cont..self.topology.containers.len() {
            let old_parent = self.topology.containers[i].parent.clone();
            if !old_parent.as_ref().is_some_and(|p| map.contains_key(p)) {
                top.push(self.topology.containers[i].id.clone());
            }
            let parent = remap(&old_parent, &map, &self.topology);
            if old_parent.is_some() && parent.is_none() {
                orphans.push(self.topology.containers[i].id.clone());
            }
            self.topology.containers[i].parent = parent;
            let az = self.topology.containers[i].az.clone();
            self.topology.containers[i].az = az.and_then(|a| map.get(&a).cloned().or(Some(a)));
        }
        let n_comp = self.topology.components.len() - data.components.len();
        for i in n_comp..self.topology.components.len() {
            let old_parent = self.topology.components[i].container.clone();
            if !old_parent.as_ref().is_some_and(|p| map.contains_key(p)) {
                top.push(self.topology.components[i].id.clone());
            }
            let container = remap(&old_parent, &map, &self.topology);
            if old_parent.is_some() && container.is_none() {
                orphans.push(self.topology.components[i].id.clone());
            }
            let c = &mut self.topology.components[i];
            c.container = container;
            c.position.x += dx;
            c.position.y += dy;
        }
        for (old, r) in &data.layout {
            if let Some(new) = map.get(old) {
                self.layout.containers.insert(new.clone(), r.translate(dx, dy));
            }
        }
        for conn in &data.connections {
            if let (Some(f), Some(t)) = (map.get(&conn.from), map.get(&conn.to)) {
                if let Some(b) = data.bends.iter().find(|b| b.of(conn)) {
                    let points = b.points.iter().map(|w| Point::new(w.x + dx, w.y + dy)).collect();
                    self.layout.bends.push(Bends { from: f.clone(), to: t.clone(), points });
                }
                self.topology.connections.push(Connection { id: None, from: f.clone(), to: t.clone(), ..conn.clone() });
            }
        }
        let pasted: BTreeSet<String> = map.values().cloned().collect();
        self.adopt_orphans(&orphans, &pasted)?;
        self.renumber_cidrs(&pasted);
        self.settle();
        Ok(top)
    }

    /// `(dx, dy)` times the first multiple at which no pasted item lands exactly where an item
    /// of the document already is (the third paste of one copy lands beside the second).
    fn free_offset(&self, data: &ClipboardData, dx: f64, dy: f64) -> (f64, f64) {
        let taken = |k: f64| {
            data.components.iter().any(|c| {
                let (x, y) = (c.position.x + k * dx, c.position.y + k * dy);
                self.topology.components.iter().any(|o| o.position.x == x && o.position.y == y)
            }) || data.layout.values().any(|r| {
                let (x, y) = (r.x + k * dx, r.y + k * dy);
                self.layout.containers.values().any(|o| o.x == x && o.y == y)
            })
        };
        let k = (1..=64).map(f64::from).find(|&k| !taken(k)).unwrap_or(1.0);
        (k * dx, k * dy)
    }

    /// An orphan goes into the container under its centre when it may sit there; otherwise the
    /// paste is refused, saying what it needs.
    fn adopt_orphans(&mut self, orphans: &[String], pasted: &BTreeSet<String>) -> Result<(), Refused> {
        for id in orphans {
            let (item, centre) = match (self.topology.container(id), self.topology.component(id)) {
                (Some(c), _) => {
                    let r = self.container_rects().get(id).copied().unwrap_or_default();
                    (Placeable::Container(c.kind, c.public), r.center())
                }
                (_, Some(c)) => (Placeable::Component(c.spec.kind()), node_rect(c).center()),
                _ => continue,
            };
            let target = self.container_at(centre, pasted);
            check_placement(item, self.kind_of_container(target.as_deref())).map_err(|why| {
                Refused(format!("{why} The copied container is not in this document: paste into one, or copy its container with it."))
            })?;
            self.set_parent(id, target);
        }
        Ok(())
    }

    /// Gives a pasted VPC that overlaps another VPC a free block in 10.0.0.0/8 (its pasted
    /// subnets move with it), and a pasted subnet that overlaps a sibling a free block of the
    /// same size in its VPC.
    fn renumber_cidrs(&mut self, pasted: &BTreeSet<String>) {
        use strata_core::topology::Cidr;
        let block = |c: &Container| c.cidr.as_deref().and_then(|t| Cidr::parse(t).ok());
        for kind in [ContainerKind::Vpc, ContainerKind::Subnet] {
            for i in 0..self.topology.containers.len() {
                let c = self.topology.containers[i].clone();
                let Some(old) = block(&c).filter(|_| c.kind == kind && pasted.contains(&c.id)) else { continue };
                let taken: Vec<Cidr> = self
                    .topology
                    .containers
                    .iter()
                    .filter(|o| o.id != c.id && o.kind == kind && (kind == ContainerKind::Vpc || o.parent == c.parent))
                    .filter_map(block)
                    .collect();
                let size = 1u64 << (32 - u32::from(old.prefix));
                let within = match kind {
                    ContainerKind::Vpc => Some(Cidr { addr: 10 << 24, prefix: 8 }),
                    _ => c.parent.as_deref().and_then(|p| self.topology.container(p)).and_then(block),
                };
                let free = within.filter(|_| taken.iter().any(|t| t.overlaps(&old))).and_then(|w| {
                    (0..w.size() / size)
                        .map(|k| Cidr { addr: w.addr + (k * size) as u32, prefix: old.prefix })
                        .find(|b| !taken.iter().any(|t| t.overlaps(b)))
                });
                let Some(new) = free else { continue };
                let shift = new.addr.wrapping_sub(old.addr);
                for s in &mut self.topology.containers {
                    // The container, and a VPC's subnets with it.
                    if s.id == c.id || (kind == ContainerKind::Vpc && s.parent.as_deref() == Some(c.id.as_str())) {
                        if let Some(b) = block(s) {
                            s.cidr = Some(cidr_text(Cidr { addr: b.addr.wrapping_add(shift), prefix: b.prefix }));
                        }
                    }
                }
            }
        }
    }

    /// Whether the document needs laying out: it has containers but no editor layout (a
    /// hand-written or generated file), or its components are stacked or overlap.
    pub fn needs_layout(&self) -> bool {
        let cs = &self.topology.components;
        if !self.layout.containers.is_empty() {
            return false;
        }
        // Containers have no position in the topology format: a file without the editor's
        // layout gets one.
        if !self.topology.containers.is_empty() {
            return true;
        }
        if cs.len() < 2 {
            return false;
        }
        let distinct: BTreeSet<(i64, i64)> = cs.iter().map(|c| (c.position.x as i64, c.position.y as i64)).collect();
        if distinct.len() * 2 <= cs.len() {
            return true;
        }
        // Positions written for smaller boxes: any two components overlap.
        let rects: Vec<Rect> = cs.iter().map(node_rect).collect();
        rects.iter().enumerate().any(|(i, a)| rects[i + 1..].iter().any(|b| a.intersects(b)))
    }

    /// Places every component and container: global components in a column on the left,
    /// then each top-level container with its components in a grid and its child containers
    /// side by side.
    pub fn auto_layout(&mut self) {
        self.layout.containers.clear();
        let order = flow_order(&self.topology);
        let mut x = 0.0;
        let globals: Vec<String> = order
            .iter()
            .filter(|id| self.topology.component(id).is_some_and(|c| c.container.is_none()))
            .cloned()
            .collect();
        let (gap_x, gap_y) = (NODE_W + 96.0, NODE_H + 48.0);
        let cols = grid_columns(globals.len(), 8, gap_x, gap_y);
        for (i, id) in globals.iter().enumerate() {
            self.set_pos(id, (i % cols) as f64 * gap_x, HEADER + PAD + (i / cols) as f64 * gap_y);
        }
        if !globals.is_empty() {
            x += cols as f64 * gap_x;
        }
        let roots: Vec<String> = self
            .topology
            .containers
            .iter()
            .filter(|c| c.parent.as_ref().is_none_or(|p| self.topology.container(p).is_none()))
            .map(|c| c.id.clone())
            .collect();
        for id in roots {
            let r = self.layout_container(&id, Point::new(x, 0.0), &order, 0);
            x = r.right() + 64.0;
        }
    }

    /// Puts container or component `id` into `parent`.
    fn set_parent(&mut self, id: &str, parent: Option<String>) {
        if let Some(c) = self.topology.containers.iter_mut().find(|c| c.id == id) {
            c.parent = parent;
        } else if let Some(c) = self.topology.components.iter_mut().find(|c| c.id == id) {
            c.container = parent;
        }
    }

    fn set_pos(&mut self, id: &str, x: f64, y: f64) {
        if let Some(c) = self.topology.components.iter_mut().find(|c| c.id == id) {
            c.position = Position { x, y };
        }
    }

    /// The subnets an Auto Scaling group in container `id` launches into, when they are all
    /// empty children of `id`: its box is drawn over them (as AWS diagrams draw a group across
    /// its AZs) rather than beside them. Empty otherwise.
    fn spanned_subnets(&self, group: &str, id: &str) -> Vec<String> {
        let t = &self.topology;
        let Some(strata_core::topology::ComponentSpec::Asg(p)) = t.component(group).map(|c| &c.spec) else {
            return Vec::new();
        };
        let fits = !p.subnets.is_empty()
            && p.subnets.iter().all(|s| {
                t.container(s).is_some_and(|c| c.kind == ContainerKind::Subnet && c.parent.as_deref() == Some(id))
                    && !t.components.iter().any(|c| c.container.as_deref() == Some(s.as_str()))
            });
        if fits {
            p.subnets.clone()
        } else {
            Vec::new()
        }
    }

    /// A subnet's tier, for lining tiers up across AZs: private after public, and its name
    /// without a last word of one or two characters (the AZ letter: "public a" -> "public").
    /// The third part tells apart several subnets of one tier in one AZ.
    fn tier(&self, id: &str) -> Tier {
        let c = self.topology.container(id);
        let name = c.map_or(id, |c| if c.label.is_empty() { &c.id } else { &c.label }).to_lowercase();
        let name = name.trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == ' ' || ch == '-');
        let stem = match name.rsplit_once([' ', '-']) {
            Some((head, last)) if last.chars().count() <= 2 && !head.is_empty() => head,
            _ => name,
        };
        (!c.is_some_and(|c| c.public), stem.to_string(), 0)
    }

    fn layout_container(&mut self, id: &str, at: Point, order: &[String], depth: usize) -> Rect {
        let inner = Point::new(at.x + PAD, at.y + PAD + HEADER);
        // Groups drawn over the subnets they launch into are placed once those are.
        let over: Vec<(String, Vec<String>)> = order
            .iter()
            .filter(|c| self.topology.component(c).is_some_and(|c| c.container.as_deref() == Some(id)))
            .map(|c| (c.clone(), self.spanned_subnets(c, id)))
            .filter(|(_, s)| !s.is_empty())
            .collect();
        let comps: Vec<String> = order
            .iter()
            .filter(|c| self.topology.component(c).is_some_and(|c| c.container.as_deref() == Some(id)))
            .filter(|c| !over.iter().any(|(g, _)| g == *c))
            .cloned()
            .collect();
        let (gx, gy) = (NODE_W + 48.0, NODE_H + 40.0);
        let cols = grid_columns(comps.len(), 4, gx, gy).max(if comps.len() > 4 { 2 } else { 1 });
        let mut bottom = inner.y;
        let mut right = inner.x;
        for (i, c) in comps.iter().enumerate() {
            let (cx, cy) = (inner.x + (i % cols) as f64 * gx, inner.y + (i / cols) as f64 * gy);
            self.set_pos(c, cx, cy);
            bottom = bottom.max(cy + NODE_H);
            right = right.max(cx + NODE_W);
        }
        let t = &self.topology;
        // AZs that only name subnets are drawn around them; they take no room of their own.
        let kids: Vec<String> = t
            .containers
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id))
            .filter(|c| !self.is_az_band(&c.id))
            .map(|c| c.id.clone())
            .collect();
        // Subnets go in one column per AZ (public above private); other containers side by side.
        let mut columns: Vec<(Option<String>, Vec<String>)> = Vec::new();
        for k in &kids {
            let c = t.container(k).expect("listed above");
            let key = if c.kind == ContainerKind::Subnet { c.az.clone().or(Some(String::new())) } else { None };
            match columns.iter_mut().find(|(a, _)| key.is_some() && a == &key) {
                Some((_, v)) => v.push(k.clone()),
                None => columns.push((key, vec![k.clone()])),
            }
        }
        for (_, col) in &mut columns {
            col.sort_by_key(|k| !self.topology.container(k).is_some_and(|c| c.public));
        }
        // Subnets of one tier (the same name but for its AZ letter: "private app a", "private
        // app b") form a row across the AZ columns, as tall as its tallest, so tiers line up
        // (measured by a first pass, then laid out again). Other containers go side by side.
        let mut tiers: Vec<Tier> = Vec::new();
        // Subnet -> its row (index in `tiers`).
        let mut tier_of: Vec<(String, usize)> = Vec::new();
        for (key, col) in &columns {
            let mut seen: Vec<Tier> = Vec::new();
            for k in col.iter().filter(|_| key.is_some() && depth <= 12) {
                let mut t = self.tier(k);
                t.2 = seen.iter().filter(|s| s.0 == t.0 && s.1 == t.1).count();
                seen.push(t.clone());
                let row = tiers.iter().position(|x| *x == t).unwrap_or_else(|| {
                    tiers.push(t);
                    tiers.len() - 1
                });
                tier_of.push((k.clone(), row));
            }
        }
        // Public tiers on top, then in order of first appearance.
        let public = (0..tiers.len()).filter(|&r| !tiers[r].0);
        let rows: Vec<usize> = public.chain((0..tiers.len()).filter(|&r| tiers[r].0)).collect();
        let mut row_h = vec![0.0f64; tiers.len()];
        for (k, row) in &tier_of {
            let row = *row;
            row_h[row] = row_h[row].max(self.layout_container(k, inner, order, depth + 1).h);
        }
        let mut row_y = vec![0.0f64; tiers.len()];
        let mut y = inner.y + 8.0;
        for &r in &rows {
            row_y[r] = y;
            y += row_h[r] + 40.0;
        }
        let mut cx = if comps.is_empty() { inner.x } else { right + 48.0 };
        for (_, col) in columns {
            if depth > 12 {
                break;
            }
            let mut cy = inner.y;
            let mut col_right = cx;
            for k in col {
                let row = tier_of.iter().find(|(s, _)| *s == k).map(|(_, r)| *r);
                let mut r = self.layout_container(&k, Point::new(cx, row.map_or(cy, |r| row_y[r])), order, depth + 1);
                if let Some(row) = row.filter(|&row| row_h[row] > r.h) {
                    r.h = row_h[row];
                    self.layout.containers.insert(k.clone(), r);
                }
                cy = r.bottom() + 40.0;
                col_right = col_right.max(r.right());
                right = right.max(r.right());
                bottom = bottom.max(r.bottom());
            }
            cx = col_right + 40.0;
        }
        for (group, subnets) in over {
            let span = subnets.iter().filter_map(|s| self.layout.containers.get(s).copied()).reduce(|a, b| a.union(&b));
            if let Some(c) = span.map(|r| r.center()) {
                // Below the subnets' titles when it is over one subnet only.
                let y = if subnets.len() == 1 { c.y - NODE_H / 2.0 + HEADER / 2.0 } else { c.y - NODE_H / 2.0 };
                self.set_pos(&group, snap(c.x - NODE_W / 2.0), snap(y));
            }
        }
        let rect = Rect::new(at.x, at.y, (right - at.x + PAD).max(256.0), (bottom - at.y + PAD).max(120.0));
        self.layout.containers.insert(id.to_string(), rect);
        rect
    }
}

/// Component ids in request-flow order (breadth first from the clients), so auto layout puts
/// callers before callees.
pub fn flow_order(t: &Topology) -> Vec<String> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<String> = Vec::new();
    let mut queue: std::collections::VecDeque<&str> =
        t.components.iter().filter(|c| c.spec.kind() == ComponentKind::Client).map(|c| c.id.as_str()).collect();
    for c in &t.components {
        if queue.is_empty() && seen.is_empty() {
            queue.push_back(c.id.as_str());
        }
    }
    while let Some(id) = queue.pop_front() {
        if !seen.insert(id) {
            continue;
        }
        out.push(id.to_string());
        for conn in t.connections.iter().filter(|c| c.from == id) {
            queue.push_back(conn.to.as_str());
        }
    }
    for c in &t.components {
        if !seen.contains(c.id.as_str()) {
            out.push(c.id.clone());
        }
    }
    out
}

/// Tag identifying Strata clipboard content.
pub const CLIPBOARD_TAG: &str = "strata-clipboard";

/// What copy puts on the clipboard (as JSON text, so it also pastes into another tab).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClipboardData {
    /// Always [`CLIPBOARD_TAG`].
    pub strata: String,
    /// Format version, 1.
    pub version: u32,
    /// Copied containers (with everything inside them).
    pub containers: Vec<Container>,
    /// Copied components.
    pub components: Vec<Component>,
    /// Connections between copied components.
    pub connections: Vec<Connection>,
    /// Rectangles of the copied containers (read by hand, as [`Layout::read`] does).
    #[serde(skip_deserializing)]
    pub layout: BTreeMap<String, Rect>,
    /// Bends of the copied connections (likewise).
    #[serde(skip_serializing_if = "Vec::is_empty", skip_deserializing)]
    pub bends: Vec<Bends>,
}

impl ClipboardData {
    /// JSON text for the clipboard.
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
    /// Parses clipboard text; `None` when it is not Strata content.
    pub fn from_text(text: &str) -> Option<ClipboardData> {
        let mut d: ClipboardData = serde_json::from_str(text).ok()?;
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        (d.layout, d.bends) = (read_rects(v.get("layout")), read_bends(v.get("bends")));
        (d.strata == CLIPBOARD_TAG && d.version == 1).then_some(d)
    }
}

/// Serialises a document as the versioned topology JSON, with the editor's `"layout"` beside it.
pub fn doc_to_json(doc: &Doc) -> String {
    // Through text rather than `to_value`: one serializer instantiation for the document types
    // keeps the WebAssembly bundle small.
    let mut v: serde_json::Value = serde_json::from_str(&doc.topology.to_json()).unwrap_or_default();
    if let Some(obj) = v.as_object_mut() {
        let layout = serde_json::to_string_pretty(&doc.layout)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        obj.insert("layout".into(), layout);
    }
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// Parses a document file: the core's loader decides (with its clear errors for bad or newer
/// files); the editor's `"layout"` is read when present and well formed, ignored otherwise.
pub fn doc_from_json(text: &str) -> Result<Doc, String> {
    let topology = Topology::from_json(text).map_err(|e| e.to_string())?;
    let layout = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("layout").map(Layout::read))
        .unwrap_or_default();
    Ok(Doc::new(topology, layout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_tier() -> Doc {
        let mut d = Doc::empty("t");
        let region = d.add_container(ContainerKind::Region, false, Point::new(0.0, 0.0)).unwrap();
        let vpc = d.add_container(ContainerKind::Vpc, false, Point::new(32.0, 48.0)).unwrap();
        assert_eq!(d.topology.container(&vpc).unwrap().parent.as_deref(), Some(region.as_str()));
        let sub = d.add_container(ContainerKind::Subnet, false, Point::new(64.0, 96.0)).unwrap();
        assert_eq!(d.topology.container(&sub).unwrap().cidr.as_deref(), Some("10.0.0.0/24"));
        d
    }

    #[test]
    fn bends_are_placed_in_order_move_with_their_ends_and_go_with_their_connection() {
        let mut d = Doc::empty("b");
        let a = d.add_component(ComponentKind::Client, Point::new(0.0, 0.0)).unwrap();
        let b = d.add_component(ComponentKind::Lambda, Point::new(600.0, 0.0)).unwrap();
        let conn = d.connect(&a, &b).unwrap();
        let line = crate::editor::scene::build(&d).edges[0].points.clone();
        // Two bends: the later one along the line is added first, and still ends up second.
        let far = Point::new(480.0, line[0].y);
        let near = Point::new(160.0, line[0].y);
        assert_eq!(d.insert_waypoint(conn, &line, far).unwrap(), 0);
        let line = crate::editor::scene::build(&d).edges[0].points.clone();
        assert_eq!(d.insert_waypoint(conn, &line, near).unwrap(), 0);
        assert_eq!(d.waypoints(conn), &[near, far]);
        // Dragged off the line: the route goes through it.
        d.move_waypoint(conn, 1, Point::new(480.0, 240.0));
        let e = &crate::editor::scene::build(&d).edges[0];
        assert!(e.points.contains(&Point::new(480.0, 240.0)), "{:?}", e.points);
        assert_eq!(e.waypoints.len(), 2);
        // Written with the layout and read back.
        let back = doc_from_json(&doc_to_json(&d)).unwrap();
        assert_eq!(back.waypoints(conn), d.waypoints(conn));
        // Moving one end leaves them; moving both carries them.
        d.translate(&BTreeSet::from([b.clone()]), 40.0, 0.0);
        assert_eq!(d.waypoints(conn)[0], near);
        d.translate(&BTreeSet::from([a.clone(), b.clone()]), 0.0, 80.0);
        assert_eq!(d.waypoints(conn)[0], Point::new(near.x, near.y + 80.0));
        // Copied and pasted with their connection, offset like it.
        let clip = d.copy(&BTreeSet::from([a.clone(), b.clone()])).unwrap();
        d.paste(&clip, 48.0, 48.0).unwrap();
        assert_eq!(d.topology.connections.len(), 2);
        assert_eq!(d.waypoints(1)[0], Point::new(near.x + 48.0, near.y + 128.0));
        // One removed, then all: back to automatic routing.
        d.remove_waypoints(conn, Some(0));
        assert_eq!(d.waypoints(conn).len(), 1);
        d.remove_waypoints(conn, None);
        assert!(d.waypoints(conn).is_empty());
        assert_eq!(d.layout.bends.len(), 1, "only the copy's remain");
        // Deleting the connection forgets its bends.
        d.delete(&BTreeSet::from(["conn:1".to_string()]));
        assert!(d.layout.bends.is_empty());
        assert!(!doc_to_json(&d).contains("bends"), "an empty list is not written");
    }

    #[test]
    fn a_malformed_part_of_the_layout_is_left_out_and_the_rest_kept() {
        let mut d = three_tier();
        let a = d.add_component(ComponentKind::Client, Point::new(-400.0, 0.0)).unwrap();
        let b = d.add_component(ComponentKind::Lambda, Point::new(-400.0, 300.0)).unwrap();
        d.connect(&a, &b).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&doc_to_json(&d)).unwrap();
        let region = d.topology.containers[0].id.clone();
        v["layout"] = serde_json::json!({
            "containers": {region.clone(): {"x": 8.0, "y": 16.0, "w": 900.0, "h": 700.0}, "ghost": {"x": "left"}},
            "bends": [
                {"from": a, "to": b, "points": [{"x": -300.0, "y": 150.0}]},
                {"from": a, "to": b, "points": [{"x": "here"}]},
                {"to": b}
            ]
        });
        let back = doc_from_json(&v.to_string()).unwrap();
        // The good rectangle is kept (grown to fit its contents, as every stored one is).
        let r = back.layout.containers[&region];
        assert!(r.right() >= 908.0 && r.bottom() >= 716.0, "{r:?}");
        assert!(d.container_rects()[&region].right() < 908.0, "without it the region would be smaller");
        assert!(!back.layout.containers.contains_key("ghost"));
        assert_eq!(back.layout.bends.len(), 1, "the good bend kept: {:?}", back.layout.bends);
        assert_eq!(back.waypoints(0), &[Point::new(-300.0, 150.0)]);
        // Not an object at all: no layout, laid out afresh, nothing else lost.
        v["layout"] = serde_json::json!("scribbles");
        let back = doc_from_json(&v.to_string()).unwrap();
        assert_eq!(back.topology.components.len(), d.topology.components.len());
    }

    #[test]
    fn resizing_never_hides_contents() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        d.resize_container(&sub, 640.0, 400.0);
        let big = d.container_rects()[&sub];
        assert_eq!((big.w, big.h), (640.0, 400.0));
        assert!(d.container_rects()[&d.topology.containers[1].id].contains_rect(&big), "the VPC grew");
        let id = d.add_component(ComponentKind::Ec2, Point::new(r.x + 400.0, r.y + 300.0)).unwrap();
        d.resize_container(&sub, 10.0, 10.0);
        let small = d.container_rects()[&sub];
        assert!(small.contains_rect(&node_rect(d.topology.component(&id).unwrap())), "still holds its EC2");
        assert!(small.w < big.w, "but did shrink");
    }

    #[test]
    fn a_subnet_dropped_on_a_subnet_goes_into_the_vpc_below_it() {
        let mut d = three_tier();
        let first = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&first];
        let second = d.add_container(ContainerKind::Subnet, true, Point::new(r.x + 20.0, r.y + 20.0)).unwrap();
        let c = d.topology.container(&second).unwrap();
        assert_eq!(c.parent.as_deref(), Some(d.topology.containers[1].id.as_str()), "nested in the VPC");
        let rects = d.container_rects();
        assert!(!rects[&first].intersects(&rects[&second]), "placed beside, not on top");
        assert_ne!(c.cidr, d.topology.container(&first).unwrap().cidr, "its own block");
    }

    #[test]
    fn placement_rules_explain_refusals() {
        assert!(check_placement(Placeable::Component(ComponentKind::Rds), Some(ContainerKind::Subnet)).is_ok());
        let e = check_placement(Placeable::Component(ComponentKind::Rds), None).unwrap_err();
        assert!(e.contains("subnet"), "{e}");
        assert!(check_placement(Placeable::Container(ContainerKind::Subnet, true), Some(ContainerKind::Region))
            .unwrap_err()
            .contains("VPC"));
        assert!(check_placement(Placeable::Component(ComponentKind::S3), Some(ContainerKind::Subnet)).is_err());
        assert!(check_placement(Placeable::Component(ComponentKind::Client), None).is_ok());
    }

    #[test]
    fn drop_nests_into_the_deepest_container() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].clone();
        let r = d.container_rects()[&sub.id];
        let id = d.add_component(ComponentKind::Rds, Point::new(r.x + 10.0, r.y + 40.0)).unwrap();
        assert_eq!(d.topology.component(&id).unwrap().container.as_deref(), Some(sub.id.as_str()));
        let refused = d.add_component(ComponentKind::Rds, Point::new(-2000.0, -2000.0)).unwrap_err();
        assert!(refused.0.contains("subnet"));
        assert_eq!(d.topology.components.len(), 1, "a refused drop adds nothing");
    }

    #[test]
    fn a_container_goes_where_the_pointer_drops_it() {
        let mut d = three_tier();
        let vpc = d.topology.containers[1].id.clone();
        let r = d.container_rects()[&vpc];
        // Dropped with the pointer just inside the VPC's top-left corner: the new subnet's own
        // corner lies outside the VPC (in the region), yet it goes into the VPC.
        let region = d.topology.containers[0].id.clone();
        let pointer = Point::new(r.x + 24.0, r.y + 6.0);
        let at = Point::new(pointer.x - CONTAINER_GRIP.0, pointer.y - CONTAINER_GRIP.1);
        assert_eq!(d.container_at(at, &BTreeSet::new()).as_deref(), Some(region.as_str()));
        let id = d.add_container(ContainerKind::Subnet, true, at).unwrap();
        assert_eq!(d.topology.container(&id).unwrap().parent.as_deref(), Some(vpc.as_str()));
    }

    #[test]
    fn thousands_of_components_without_positions_are_laid_out_as_a_field() {
        let mut t = Topology::new("big");
        for i in 0..2000 {
            t.add(&format!("fn-{i}"), ComponentKind::Lambda, None);
        }
        t.containers.push(Container {
            id: "r".into(),
            kind: ContainerKind::Region,
            parent: None,
            label: "r".into(),
            cidr: None,
            public: false,
            az: None,
        });
        for i in 0..600 {
            t.add(&format!("q-{i}"), ComponentKind::Sqs, Some("r"));
        }
        let d = Doc::new(t, Layout::default());
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for c in &d.topology.components {
            let r = node_rect(c);
            (x0, y0, x1, y1) = (x0.min(r.x), y0.min(r.y), x1.max(r.right()), y1.max(r.bottom()));
        }
        let (w, h) = (x1 - x0, y1 - y0);
        // Was a column of 2,000 (about 320,000 px) beside a two-column strip of 600.
        assert!(h < 20_000.0 && w < 40_000.0, "{w} x {h}");
        assert!(w / h > 0.3 && w / h < 4.0, "roughly square: {w} x {h}");
        let rects: Vec<Rect> = d.topology.components.iter().map(node_rect).collect();
        let distinct: BTreeSet<(i64, i64)> = rects.iter().map(|r| (r.x as i64, r.y as i64)).collect();
        assert_eq!(distinct.len(), rects.len(), "no two stacked");
        // A short flow stays a column.
        assert_eq!(grid_columns(3, 8, 10.0, 10.0), 1);
    }

    #[test]
    fn a_subnet_moved_where_an_az_band_overlaps_its_vpc_stays_in_the_vpc() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/scenarios/three-tier.json"))
            .unwrap();
        let mut d = doc_from_json(&text).unwrap();
        let ids = BTreeSet::from(["data-a".to_string()]);
        let before = d.container_rects()["data-a"];
        d.move_items(&ids, 96.0, 0.0, true).unwrap();
        assert_eq!(d.topology.container("data-a").unwrap().parent.as_deref(), Some("vpc-main"));
        assert_eq!(d.container_rects()["data-a"].x, before.x + 96.0);
    }

    #[test]
    fn containers_grow_to_fit_and_move_with_children() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let vpc = d.topology.containers[1].id.clone();
        let r = d.container_rects()[&sub];
        let id = d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        // Drag the EC2 to the subnet's bottom-right corner: the subnet (and its VPC) grow.
        let ids = BTreeSet::from([id.clone()]);
        d.move_items(&ids, 200.0, 96.0, true).unwrap();
        let grown = d.container_rects();
        assert!(grown[&sub].contains_rect(&node_rect(d.topology.component(&id).unwrap())));
        assert!(grown[&vpc].contains_rect(&grown[&sub]));
        // Moving the VPC moves the subnet and the EC2.
        let before = d.topology.component(&id).unwrap().position;
        d.move_items(&BTreeSet::from([vpc.clone()]), 160.0, 32.0, true).unwrap();
        let after = d.topology.component(&id).unwrap().position;
        assert_eq!((after.x - before.x, after.y - before.y), (160.0, 32.0));
        assert_eq!(d.topology.component(&id).unwrap().container.as_deref(), Some(sub.as_str()));
    }

    #[test]
    fn moving_out_of_a_subnet_is_refused_for_an_instance() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        let id = d.add_component(ComponentKind::Rds, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let snapshot = d.clone();
        let e = d.move_items(&BTreeSet::from([id]), 3000.0, 0.0, true).unwrap_err();
        assert!(e.0.contains("subnet"));
        assert_eq!(d, snapshot, "nothing changed");
    }

    #[test]
    fn delete_removes_contents_and_connections() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        let web = d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let client = d.add_component(ComponentKind::Client, Point::new(-400.0, 0.0)).unwrap();
        d.connect(&client, &web).unwrap();
        assert!(d.connect(&client, &web).is_err(), "duplicate refused");
        assert!(d.connect(&web, &client).is_err(), "clients cannot be called");
        d.delete(&BTreeSet::from([d.topology.containers[1].id.clone()]));
        assert_eq!(d.topology.containers.len(), 1);
        assert_eq!(d.topology.components.len(), 1);
        assert!(d.topology.connections.is_empty());
    }

    #[test]
    fn clipboard_round_trip_with_fresh_ids() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        let a = d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let b = d.add_component(ComponentKind::Rds, Point::new(r.x + 16.0, r.y + 160.0)).unwrap();
        d.connect(&a, &b).unwrap();
        let clip = d.copy(&BTreeSet::from([a.clone(), b.clone()])).unwrap();
        let text = clip.to_text();
        let back = ClipboardData::from_text(&text).unwrap();
        assert!(ClipboardData::from_text("{\"hello\":1}").is_none());
        let top = d.paste(&back, 32.0, 32.0).unwrap();
        assert_eq!(top.len(), 2);
        assert_eq!(d.topology.components.len(), 4);
        assert_eq!(d.topology.connections.len(), 2);
        let pasted = d.topology.component(&top[0]).unwrap();
        assert_ne!(pasted.id, a);
        assert_eq!(pasted.container.as_deref(), Some(sub.as_str()), "keeps its subnet");
        // Copying a container takes its contents along.
        let clip = d.copy(&BTreeSet::from([d.topology.containers[1].id.clone()])).unwrap();
        assert_eq!(clip.containers.len(), 2);
        assert_eq!(clip.components.len(), 4);
    }

    #[test]
    fn pasted_copies_are_renumbered_offset_and_given_free_address_blocks() {
        let mut d = three_tier();
        let vpc = d.topology.containers[1].id.clone();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let two = d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 160.0)).unwrap();
        assert_eq!(two, "ec2-2");
        // The copy of ec2-2 is ec2-3 (not "ec-1"); pasting twice never piles the copies up.
        let clip = d.copy(&BTreeSet::from([two.clone()])).unwrap();
        let first = d.paste(&clip, 32.0, 32.0).unwrap();
        let second = d.paste(&clip, 32.0, 32.0).unwrap();
        assert_eq!((first[0].as_str(), second[0].as_str()), ("ec2-3", "ec2-4"));
        let at = |id: &str| d.topology.component(id).map(|c| (c.position.x, c.position.y)).unwrap();
        let base = at(&two);
        assert_eq!(at(&first[0]), (base.0 + 32.0, base.1 + 32.0));
        assert_eq!(at(&second[0]), (base.0 + 64.0, base.1 + 64.0));
        // A subnet pasted beside its original gets the next free block of its VPC.
        let clip = d.copy(&BTreeSet::from([sub.clone()])).unwrap();
        let copy = d.paste(&clip, 0.0, 400.0).unwrap();
        let cidr = |d: &Doc, id: &str| d.topology.container(id).and_then(|c| c.cidr.clone()).unwrap();
        assert_eq!(cidr(&d, &sub), "10.0.0.0/24");
        assert_eq!(cidr(&d, &copy[0]), "10.0.1.0/24");
        assert_eq!(d.topology.container(&copy[0]).unwrap().parent.as_deref(), Some(vpc.as_str()));
        // A pasted VPC moves to a free /16 and its subnets move with it.
        let clip = d.copy(&BTreeSet::from([vpc.clone()])).unwrap();
        let copy = d.paste(&clip, 0.0, 900.0).unwrap();
        let new_vpc =
            copy.iter().find(|id| d.topology.container(id).is_some_and(|c| c.kind == ContainerKind::Vpc)).unwrap();
        assert_eq!(cidr(&d, new_vpc), "10.1.0.0/16");
        let mut subs: Vec<String> = d
            .topology
            .containers
            .iter()
            .filter(|c| c.parent.as_deref() == Some(new_vpc.as_str()))
            .map(|c| c.cidr.clone().unwrap())
            .collect();
        subs.sort();
        assert_eq!(subs, ["10.1.0.0/24", "10.1.1.0/24"]);
        assert!(
            !strata_core::validate::validate(&d.topology).has(strata_core::validate::Code::SubnetsOverlap),
            "no overlapping blocks"
        );
    }

    #[test]
    fn a_paste_without_its_container_goes_into_the_one_under_it_or_is_refused_in_words() {
        let mut src = three_tier();
        let sub = src.topology.containers[2].id.clone();
        let r = src.container_rects()[&sub];
        let ec2 = src.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let clip_sub = src.copy(&BTreeSet::from([sub.clone()])).unwrap();
        let clip_ec2 = src.copy(&BTreeSet::from([ec2.clone()])).unwrap();
        // Into an empty document: a subnet cannot stand alone.
        let mut empty = Doc::empty("e");
        let why = empty.paste(&clip_sub, 32.0, 32.0).unwrap_err().0;
        assert!(why.starts_with("A subnet must be inside a VPC."), "{why}");
        assert!(why.contains("copy its container with it"), "{why}");
        // Into another document whose subnet lies under the pasted instance: it goes in there.
        let mut other = three_tier();
        let other_sub = other.topology.containers[2].id.clone();
        let at = other.container_rects()[&other_sub];
        let c = &clip_ec2.components[0];
        let (dx, dy) = (at.x + 40.0 - c.position.x, at.y + 60.0 - c.position.y);
        let mut renamed = clip_ec2.clone();
        renamed.components[0].container = Some("elsewhere".into());
        let top = other.paste(&renamed, dx, dy).unwrap();
        assert_eq!(other.topology.component(&top[0]).unwrap().container.as_deref(), Some(other_sub.as_str()));
    }

    #[test]
    fn file_round_trip_keeps_layout_and_refuses_newer_versions() {
        let d = three_tier();
        let text = doc_to_json(&d);
        let back = doc_from_json(&text).unwrap();
        assert_eq!(back.topology, d.topology);
        assert_eq!(back.layout, d.layout);
        let e = doc_from_json(r#"{"version": 9}"#).unwrap_err();
        assert!(e.contains("version 9"), "{e}");
        assert!(doc_from_json("not json").is_err());
        // The file is one JSON object: the topology's fields and the layout.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["layout"]["containers"].as_object().unwrap().len(), d.layout.containers.len());
        // A malformed layout is ignored, the design still opens.
        let topology = d.topology.to_json();
        let bad = format!("{},\"layout\": {{\"containers\": 3}}}}", topology.trim_end().strip_suffix('}').unwrap());
        let opened = doc_from_json(&bad);
        assert!(serde_json::from_str::<serde_json::Value>(&bad).is_ok(), "{bad}");
        assert_eq!(opened.unwrap().layout, doc_from_json(&topology).unwrap().layout);
    }

    #[test]
    fn auto_layout_spreads_stacked_components() {
        let mut t = Topology::new("x");
        t.containers.push(Container {
            id: "r".into(),
            kind: ContainerKind::Region,
            parent: None,
            label: String::new(),
            cidr: None,
            public: false,
            az: None,
        });
        t.containers.push(Container {
            id: "v".into(),
            kind: ContainerKind::Vpc,
            parent: Some("r".into()),
            label: String::new(),
            cidr: Some("10.0.0.0/16".into()),
            public: false,
            az: None,
        });
        t.containers.push(Container {
            id: "s".into(),
            kind: ContainerKind::Subnet,
            parent: Some("v".into()),
            label: String::new(),
            cidr: Some("10.0.1.0/24".into()),
            public: false,
            az: None,
        });
        t.add("users", ComponentKind::Client, None);
        t.add("web", ComponentKind::Ec2, Some("s"));
        t.add("db", ComponentKind::Rds, Some("s"));
        t.connect("users", "web");
        t.connect("web", "db");
        let d = Doc::new(t, Layout::default());
        let rects: Vec<Rect> = d.topology.components.iter().map(node_rect).collect();
        for i in 0..rects.len() {
            for j in i + 1..rects.len() {
                assert!(!rects[i].intersects(&rects[j]), "components overlap after layout");
            }
        }
        let cr = d.container_rects();
        assert!(cr["v"].contains_rect(&cr["s"]) && cr["r"].contains_rect(&cr["v"]));
        assert!(cr["s"].contains_rect(&rects[1]));
        assert!(!cr["r"].contains_rect(&rects[0]), "the client stays outside the region");
    }

    #[test]
    fn hit_testing() {
        let mut d = three_tier();
        let sub = d.topology.containers[2].id.clone();
        let r = d.container_rects()[&sub];
        let a = d.add_component(ComponentKind::Ec2, Point::new(r.x + 16.0, r.y + 48.0)).unwrap();
        let c = node_rect(d.topology.component(&a).unwrap()).center();
        assert_eq!(d.component_at(c), Some(a.clone()));
        assert_eq!(d.container_at(c, &BTreeSet::new()), Some(sub.clone()));
        assert_eq!(d.component_at(Point::new(-999.0, -999.0)), None);
        let all = d.in_rect(&Rect::new(-10_000.0, -10_000.0, 20_000.0, 20_000.0));
        assert_eq!(all.len(), 4);
    }
}
