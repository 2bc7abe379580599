//! Orthogonal edge routing: a connection leaves its source box from the middle of one side and
//! enters its target box at the middle of one side, with right-angle bends, going around the
//! other boxes in the way.
//!
//! The route is a shortest path (A*, from the `pathfinding` crate) over a sparse grid: the lines
//! just outside every obstacle and the two boxes, and their middles. A path's cost is its
//! length plus a penalty per bend, so among routes that avoid every box the one with the fewest
//! bends and then the shortest wins. With many obstacles in the way the grid would be large, so
//! the few candidate shapes of [`candidates`] are compared instead (fewest boxes crossed, then
//! shortest).

use pathfinding::prelude::astar;

use super::geom::{Point, Rect};

/// How far a route stands off a box before it turns.
pub const STUB: f64 = 16.0;
/// How far a route keeps from an obstacle (beyond the obstacle's own margin).
const GAP: f64 = 8.0;
/// What a bend costs, in world units of length.
const BEND: i64 = 48;
/// What crossing another connection costs.
const CROSS: i64 = 250;
/// What running along another connection costs (they would read as one).
const SHARE: i64 = 500;
/// Above this many obstacles near a connection, routing compares candidate shapes instead.
const GRID_LIMIT: usize = 24;

/// A routed edge: its polyline (first point on the source box, last on the target box).
pub type Route = Vec<Point>;

fn length(p: &[Point]) -> f64 {
    p.windows(2).map(|w| (w[1].x - w[0].x).abs() + (w[1].y - w[0].y).abs()).sum()
}

fn crossings(p: &[Point], obstacles: &[Rect]) -> usize {
    obstacles.iter().filter(|o| p.windows(2).any(|w| o.hits_segment(w[0], w[1]))).count()
}

/// A direction along the grid; as a box's side, the way out of the box through it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

impl Dir {
    const ALL: [Dir; 4] = [Dir::Left, Dir::Right, Dir::Up, Dir::Down];

    fn opposite(self) -> Dir {
        match self {
            Dir::Left => Dir::Right,
            Dir::Right => Dir::Left,
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
        }
    }

    /// The point of `r`'s side facing this way, `offset` from its middle along the side, and
    /// the point a stub away from it.
    fn port(self, r: &Rect, offset: f64) -> (Point, Point) {
        let c = r.center();
        match self {
            Dir::Left => (Point::new(r.x, c.y + offset), Point::new(r.x - STUB, c.y + offset)),
            Dir::Right => (Point::new(r.right(), c.y + offset), Point::new(r.right() + STUB, c.y + offset)),
            Dir::Up => (Point::new(c.x + offset, r.y), Point::new(c.x + offset, r.y - STUB)),
            Dir::Down => (Point::new(c.x + offset, r.bottom()), Point::new(c.x + offset, r.bottom() + STUB)),
        }
    }

    /// The side of `r` a route's end point `p` lies on.
    pub fn side_of(r: &Rect, p: Point) -> Dir {
        let d = [(p.x - r.x).abs(), (p.x - r.right()).abs(), (p.y - r.y).abs(), (p.y - r.bottom()).abs()];
        let best = (0..4).min_by(|&i, &j| d[i].total_cmp(&d[j])).unwrap_or(0);
        Dir::ALL[best]
    }

    /// Along this side: horizontal for the top and bottom, vertical for the left and right.
    pub fn runs_horizontally(self) -> bool {
        matches!(self, Dir::Up | Dir::Down)
    }
}

/// Where a route must leave or enter a box: the side, and how far from its middle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Port {
    /// The side.
    pub side: Dir,
    /// Offset from the side's middle (right or down is positive).
    pub offset: f64,
}

/// A search state: before leaving the source, at a grid point heading some way, or arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum State {
    Start,
    At { i: usize, j: usize, heading: Dir },
    End,
}

/// The sparse grid a route is searched on.
struct Grid<'a> {
    xs: Vec<f64>,
    ys: Vec<f64>,
    blocked: Vec<Rect>,
    a: &'a Rect,
    b: &'a Rect,
    /// The source's ports to try (its four side middles, or the one it must use).
    from: Vec<Port>,
    /// The target's.
    to: Vec<Port>,
    /// Other connections' segments near this one (crossing or joining them costs).
    others: Vec<Segment>,
}

/// A straight piece of a route.
pub type Segment = (Point, Point);

/// The segments of a route.
pub fn segments(r: &[Point]) -> impl Iterator<Item = Segment> + '_ {
    r.windows(2).map(|w| (w[0], w[1]))
}

/// Where a horizontal and a vertical segment lie.
struct Perpendicular {
    /// The horizontal one's x range and its y.
    h: (f64, f64, f64),
    /// The vertical one's x and its y range.
    v: (f64, f64, f64),
}

impl Perpendicular {
    /// `a` and `b` when one is horizontal and the other vertical.
    fn of(a: Segment, b: Segment) -> Option<Perpendicular> {
        let (h, v) = if a.0.y == a.1.y && b.0.x == b.1.x {
            (a, b)
        } else if b.0.y == b.1.y && a.0.x == a.1.x {
            (b, a)
        } else {
            return None;
        };
        Some(Perpendicular {
            h: (h.0.x.min(h.1.x), h.0.x.max(h.1.x), h.0.y),
            v: (v.0.x, v.0.y.min(v.1.y), v.0.y.max(v.1.y)),
        })
    }

    /// The vertical's line passes the horizontal's span (`ends`: its ends included), and the
    /// horizontal's line passes strictly inside the vertical's span.
    fn meet(&self, ends: bool) -> bool {
        let ((x0, x1, y), (x, y0, y1)) = (self.h, self.v);
        let along = if ends { x >= x0 && x <= x1 } else { x > x0 && x < x1 };
        along && y > y0 && y < y1
    }
}

/// Two orthogonal segments cross at a point inside both.
pub fn cross(a: Segment, b: Segment) -> bool {
    Perpendicular::of(a, b).is_some_and(|p| p.meet(false))
}

/// A grid move meets another segment: crosses it, or stops or starts on it (the grid's lines
/// often pass exactly where another connection runs, so a crossing can be split over two moves).
fn meets(a: Segment, b: Segment) -> bool {
    Perpendicular::of(a, b).is_some_and(|p| p.meet(true))
}

/// Two segments run along the same line for more than a few units.
pub fn overlap(a: Segment, b: Segment) -> bool {
    let common = |p: f64, q: f64, r: f64, s: f64| p.max(q).min(r.max(s)) - p.min(q).max(r.min(s));
    if a.0.y == a.1.y && b.0.y == b.1.y && (a.0.y - b.0.y).abs() < 1.0 {
        common(a.0.x, a.1.x, b.0.x, b.1.x) > 4.0
    } else if a.0.x == a.1.x && b.0.x == b.1.x && (a.0.x - b.0.x).abs() < 1.0 {
        common(a.0.y, a.1.y, b.0.y, b.1.y) > 4.0
    } else {
        false
    }
}

impl Grid<'_> {
    fn new<'a>(
        a: &'a Rect,
        b: &'a Rect,
        obstacles: &[Rect],
        from: Vec<Port>,
        to: Vec<Port>,
        others: &[Segment],
    ) -> Grid<'a> {
        let mut xs = vec![(a.center().x + b.center().x) / 2.0];
        let mut ys = vec![(a.center().y + b.center().y) / 2.0];
        for r in [a, b] {
            xs.extend([r.x - STUB, r.center().x, r.right() + STUB]);
            ys.extend([r.y - STUB, r.center().y, r.bottom() + STUB]);
        }
        for (r, port) in from.iter().map(|p| (a, p)).chain(to.iter().map(|p| (b, p))) {
            let (_, stub) = port.side.port(r, port.offset);
            xs.push(stub.x);
            ys.push(stub.y);
        }
        for o in obstacles {
            xs.extend([o.x - GAP, o.right() + GAP]);
            ys.extend([o.y - GAP, o.bottom() + GAP]);
        }
        for v in [&mut xs, &mut ys] {
            v.sort_by(f64::total_cmp);
            v.dedup_by(|p, q| (*p - *q).abs() < 0.5);
        }
        let blocked = obstacles.iter().copied().chain([*a, *b]).collect();
        let area = Rect::from_corners(
            Point::new(xs.first().copied().unwrap_or(0.0), ys.first().copied().unwrap_or(0.0)),
            Point::new(xs.last().copied().unwrap_or(0.0), ys.last().copied().unwrap_or(0.0)),
        )
        .inflate(1.0);
        let others = others.iter().copied().filter(|(p, q)| area.hits_segment(*p, *q) || area.contains(*p)).collect();
        Grid { xs, ys, blocked, a, b, from, to, others }
    }

    fn point(&self, i: usize, j: usize) -> Point {
        Point::new(self.xs[i], self.ys[j])
    }

    fn index(&self, p: Point) -> Option<(usize, usize)> {
        let i = self.xs.iter().position(|x| (x - p.x).abs() < 0.5)?;
        let j = self.ys.iter().position(|y| (y - p.y).abs() < 0.5)?;
        Some((i, j))
    }

    fn clear(&self, p: Point, q: Point) -> bool {
        !self.blocked.iter().any(|r| r.hits_segment(p, q))
    }

    fn step(&self, i: usize, j: usize, d: Dir) -> Option<(usize, usize)> {
        match d {
            Dir::Left => i.checked_sub(1).map(|i| (i, j)),
            Dir::Right => (i + 1 < self.xs.len()).then_some((i + 1, j)),
            Dir::Up => j.checked_sub(1).map(|j| (i, j)),
            Dir::Down => (j + 1 < self.ys.len()).then_some((i, j + 1)),
        }
    }

    fn successors(&self, s: &State) -> Vec<(State, i64)> {
        match *s {
            State::Start => self
                .from
                .iter()
                .filter_map(|p| {
                    let (_, stub) = p.side.port(self.a, p.offset);
                    let (i, j) = self.index(stub)?;
                    self.clear(stub, stub).then_some((State::At { i, j, heading: p.side }, STUB as i64))
                })
                .collect(),
            State::At { i, j, heading } => {
                let here = self.point(i, j);
                let mut next: Vec<(State, i64)> = Dir::ALL
                    .into_iter()
                    .filter(|d| *d != heading.opposite())
                    .filter_map(|d| {
                        let (ni, nj) = self.step(i, j, d)?;
                        let there = self.point(ni, nj);
                        if !self.clear(here, there) {
                            return None;
                        }
                        let cost = ((there.x - here.x).abs() + (there.y - here.y).abs()).round() as i64;
                        let seg = (here, there);
                        let crossed = self.others.iter().filter(|o| meets(seg, **o)).count() as i64;
                        let joined = self.others.iter().any(|o| overlap(seg, *o));
                        let penalty = crossed * CROSS + if joined { SHARE } else { 0 };
                        Some((
                            State::At { i: ni, j: nj, heading: d },
                            cost + penalty + if d == heading { 0 } else { BEND },
                        ))
                    })
                    .collect();
                // Into the target: from the stub of one of its sides, never doubling back.
                for &Port { side, offset } in &self.to {
                    let (_, stub) = side.port(self.b, offset);
                    let inward = side.opposite();
                    if (stub.x - here.x).abs() < 0.5 && (stub.y - here.y).abs() < 0.5 && heading != side {
                        next.push((State::End, STUB as i64 + if heading == inward { 0 } else { BEND }));
                    }
                }
                next
            }
            State::End => Vec::new(),
        }
    }

    fn heuristic(&self, s: &State) -> i64 {
        match *s {
            State::At { i, j, .. } => {
                let p = self.point(i, j);
                self.to
                    .iter()
                    .map(|t| {
                        let (port, _) = t.side.port(self.b, t.offset);
                        ((port.x - p.x).abs() + (port.y - p.y).abs()).floor() as i64
                    })
                    .min()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// The route of a found path: the source's port, the grid points, the target's port, with
    /// points in the middle of straight runs dropped.
    fn polyline(&self, path: &[State]) -> Route {
        let mut points = Vec::with_capacity(path.len() + 2);
        for s in path {
            if let State::At { i, j, .. } = *s {
                points.push(self.point(i, j));
            }
        }
        let (Some(&first), Some(&last)) = (points.first(), points.last()) else { return Vec::new() };
        let port_of = |r: &Rect, ports: &[Port], stub: Point| {
            ports
                .iter()
                .map(|p| p.side.port(r, p.offset))
                .find(|(_, s)| (s.x - stub.x).abs() < 0.5 && (s.y - stub.y).abs() < 0.5)
        };
        if let Some((port, _)) = port_of(self.a, &self.from, first) {
            points.insert(0, port);
        }
        if let Some((port, _)) = port_of(self.b, &self.to, last) {
            points.push(port);
        }
        simplify(points)
    }
}

/// Drops points in the middle of straight runs (and repeated points).
fn simplify(points: Vec<Point>) -> Route {
    let mut out: Route = Vec::with_capacity(points.len());
    for p in points {
        if out.last().is_some_and(|q: &Point| (q.x - p.x).abs() < 0.01 && (q.y - p.y).abs() < 0.01) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            let straight = (a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y);
            if straight {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Routes from `a` to `b` around `obstacles` (which should not include `a` and `b`), from the
/// middle of whichever sides make the best route.
pub fn route(a: &Rect, b: &Rect, obstacles: &[Rect]) -> Route {
    route_between(a, None, b, None, obstacles, &[])
}

/// Routes from `a` to `b` around `obstacles`, leaving and entering through the given ports
/// (or through the middle of whichever sides make the best route), crossing and joining the
/// `others` connections' segments as little as it can.
pub fn route_between(
    a: &Rect,
    from: Option<Port>,
    b: &Rect,
    to: Option<Port>,
    obstacles: &[Rect],
    others: &[Segment],
) -> Route {
    let middles = || Dir::ALL.into_iter().map(|side| Port { side, offset: 0.0 }).collect::<Vec<_>>();
    let searched = !obstacles.is_empty() || from.is_some() || to.is_some();
    if searched && obstacles.len() <= GRID_LIMIT && !a.intersects(b) {
        let from = from.map_or_else(middles, |p| vec![p]);
        let to = to.map_or_else(middles, |p| vec![p]);
        let grid = Grid::new(a, b, obstacles, from, to, others);
        let found = astar(&State::Start, |s| grid.successors(s), |s| grid.heuristic(s), |s| *s == State::End);
        if let Some((path, _)) = found {
            let p = grid.polyline(&path);
            if p.len() >= 2 {
                return p;
            }
        }
    }
    candidates(a, b, obstacles)
}

/// The best of a few candidate shapes: leave from the side facing the target, enter from the
/// opposite side (a Z with its middle at a half, a fifth or four fifths of the way, or an L),
/// fewest boxes crossed, then shortest.
fn candidates(a: &Rect, b: &Rect, obstacles: &[Rect]) -> Route {
    let ac = a.center();
    let bc = b.center();
    let mut candidates: Vec<Route> = Vec::with_capacity(8);
    // Horizontal first: leave from the side facing the target.
    let (ax, bx) = if bc.x >= ac.x { (a.right(), b.x) } else { (a.x, b.right()) };
    let (ay, by) = if bc.y >= ac.y { (a.bottom(), b.y) } else { (a.y, b.bottom()) };
    let dir_x = if bc.x >= ac.x { 1.0 } else { -1.0 };
    let dir_y = if bc.y >= ac.y { 1.0 } else { -1.0 };
    let horizontal_gap = (bx - ax) * dir_x;
    let vertical_gap = (by - ay) * dir_y;
    if horizontal_gap > 2.0 * STUB {
        for t in [0.5, 0.2, 0.8] {
            let mx = ax + (bx - ax) * t;
            candidates.push(vec![
                Point::new(ax, ac.y),
                Point::new(mx, ac.y),
                Point::new(mx, bc.y),
                Point::new(bx, bc.y),
            ]);
        }
    }
    if vertical_gap > 2.0 * STUB {
        for t in [0.5, 0.2, 0.8] {
            let my = ay + (by - ay) * t;
            candidates.push(vec![
                Point::new(ac.x, ay),
                Point::new(ac.x, my),
                Point::new(bc.x, my),
                Point::new(bc.x, by),
            ]);
        }
    }
    // L-shapes: out horizontally, in vertically (and the reverse).
    if horizontal_gap > -b.w / 2.0 + STUB && vertical_gap > STUB {
        candidates.push(vec![Point::new(ax, ac.y), Point::new(bc.x, ac.y), Point::new(bc.x, by)]);
    }
    if vertical_gap > -b.h / 2.0 + STUB && horizontal_gap > STUB {
        candidates.push(vec![Point::new(ac.x, ay), Point::new(ac.x, bc.y), Point::new(bx, bc.y)]);
    }
    if candidates.is_empty() {
        // Overlapping or stacked boxes: go around on the right.
        let x = a.right().max(b.right()) + 2.0 * STUB;
        candidates.push(vec![
            Point::new(a.right(), ac.y),
            Point::new(x, ac.y),
            Point::new(x, bc.y),
            Point::new(b.right(), bc.y),
        ]);
    }
    if obstacles.is_empty() {
        return candidates.swap_remove(0);
    }
    candidates
        .into_iter()
        .enumerate()
        .min_by(|(i, p), (j, q)| {
            crossings(p, obstacles).cmp(&crossings(q, obstacles)).then(length(p).total_cmp(&length(q))).then(i.cmp(j))
        })
        .map(|(_, p)| p)
        .unwrap_or_default()
}

/// The side of `r` that faces `p`: left or right when `p` lies further off sideways (for the
/// box's proportions) than up or down.
fn facing(r: &Rect, p: Point) -> Dir {
    let c = r.center();
    let (dx, dy) = ((p.x - c.x) / r.w.max(1.0), (p.y - c.y) / r.h.max(1.0));
    match (dx.abs() >= dy.abs(), dx >= 0.0, dy >= 0.0) {
        (true, true, _) => Dir::Right,
        (true, false, _) => Dir::Left,
        (false, _, true) => Dir::Down,
        (false, _, false) => Dir::Up,
    }
}

/// A route from `a` to `b` through the points a person placed (waypoints), in order, with
/// right-angle bends: it leaves `a` from the middle of the side facing the first point, turns
/// at every point, and enters `b` through the middle of the side facing the last. Nothing is
/// avoided: the person chose the way.
pub fn through(a: &Rect, b: &Rect, waypoints: &[Point]) -> Route {
    let (Some(&first), Some(&last)) = (waypoints.first(), waypoints.last()) else {
        return route(a, b, &[]);
    };
    let out_side = facing(a, first);
    let (start, _) = out_side.port(a, 0.0);
    let mut points = vec![start];
    // Every leg starts the way the route leaves `a` and turns once: it arrives at each point
    // the other way, so it turns again there.
    let horizontal = !out_side.runs_horizontally();
    // The last leg goes to the point a stub off the target's side, then straight in.
    let (end, stub) = facing(b, last).port(b, 0.0);
    for &p in waypoints.iter().chain([&stub]) {
        let q = *points.last().unwrap_or(&start);
        points.push(if horizontal { Point::new(p.x, q.y) } else { Point::new(q.x, p.y) });
        points.push(p);
    }
    points.push(end);
    simplify(points)
}

/// How far along `route` the point of it nearest `p` lies (in route length), and how far `p`
/// is from it.
pub fn position_along(route: &[Point], p: Point) -> (f64, f64) {
    let mut walked = 0.0;
    let mut best = (0.0, f64::INFINITY);
    for w in route.windows(2) {
        let (a, b) = (w[0], w[1]);
        let seg = (b.x - a.x).abs() + (b.y - a.y).abs();
        let t = if seg > 0.0 {
            (((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / (seg * seg)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let q = Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
        let d = ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt();
        if d < best.1 {
            best = (walked + seg * t, d);
        }
        walked += seg;
    }
    best
}

/// SVG path data for a route (`M x y L x y ...`), rounded to tenths.
pub fn path_data(p: &[Point]) -> String {
    let mut s = String::with_capacity(p.len() * 16);
    for (i, pt) in p.iter().enumerate() {
        s.push(if i == 0 { 'M' } else { 'L' });
        s.push_str(&format!("{:.1} {:.1} ", pt.x, pt.y));
    }
    s.trim_end().to_string()
}

/// The middle of a route (where a connection's label or badge goes).
pub fn midpoint(p: &[Point]) -> Point {
    let total = length(p);
    let mut left = total / 2.0;
    for w in p.windows(2) {
        let seg = (w[1].x - w[0].x).abs() + (w[1].y - w[0].y).abs();
        if seg >= left && seg > 0.0 {
            let t = left / seg;
            return Point::new(w[0].x + (w[1].x - w[0].x) * t, w[0].y + (w[1].y - w[0].y) * t);
        }
        left -= seg;
    }
    p.first().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orthogonal(p: &[Point]) -> bool {
        p.windows(2).all(|w| w[0].x == w[1].x || w[0].y == w[1].y)
    }

    #[test]
    fn left_to_right_is_an_orthogonal_z() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(300.0, 200.0, 100.0, 50.0);
        let p = route(&a, &b, &[]);
        assert!(orthogonal(&p));
        assert_eq!(p[0], Point::new(100.0, 25.0), "leaves from the right side");
        assert_eq!(*p.last().unwrap(), Point::new(300.0, 225.0), "enters from the left side");
        assert_eq!(path_data(&p), "M100.0 25.0 L200.0 25.0 L200.0 225.0 L300.0 225.0");
    }

    #[test]
    fn a_route_through_waypoints_passes_each_with_right_angles() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(600.0, 0.0, 100.0, 50.0);
        // Down under something in between, then back up into the target.
        let wps = [Point::new(200.0, 200.0), Point::new(500.0, 200.0)];
        let p = through(&a, &b, &wps);
        assert!(orthogonal(&p), "{p:?}");
        for w in wps {
            assert_eq!(position_along(&p, w).1, 0.0, "{w:?} on {p:?}");
        }
        assert_eq!(p[0], Point::new(50.0, 50.0), "leaves from the side facing the first point");
        assert_eq!(*p.last().unwrap(), Point::new(650.0, 50.0), "enters from the side facing the last");
        let along: Vec<f64> = wps.iter().map(|&w| position_along(&p, w).0).collect();
        assert!(along[0] < along[1], "in order: {along:?}");
        // Beside the boxes: out of the right side, in through the left.
        let side = through(&a, &b, &[Point::new(300.0, 25.0), Point::new(350.0, 125.0)]);
        assert_eq!((side[0], *side.last().unwrap()), (Point::new(100.0, 25.0), Point::new(600.0, 25.0)));
        assert!(orthogonal(&side), "{side:?}");
        assert!(side.contains(&Point::new(350.0, 125.0)), "turns at the bend: {side:?}");
        // A point above the source leaves from its top.
        let up = through(&a, &b, &[Point::new(50.0, -200.0)]);
        assert_eq!(up[0], Point::new(50.0, 0.0));
        assert!(orthogonal(&up), "{up:?}");
        // No waypoints: the ordinary route.
        assert_eq!(through(&a, &b, &[]), route(&a, &b, &[]));
    }

    #[test]
    fn stacked_boxes_route_vertically() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(0.0, 200.0, 100.0, 50.0);
        let p = route(&a, &b, &[]);
        assert!(orthogonal(&p));
        assert_eq!(p[0], Point::new(50.0, 50.0));
        assert_eq!(*p.last().unwrap(), Point::new(50.0, 200.0));
    }

    #[test]
    fn avoids_a_box_in_the_way() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(400.0, 100.0, 100.0, 50.0);
        // A box exactly where the middle vertical segment would go.
        let wall = Rect::new(220.0, 0.0, 60.0, 80.0);
        let p = route(&a, &b, &[wall]);
        assert!(orthogonal(&p));
        assert_eq!(crossings(&p, &[wall]), 0, "route {p:?} crosses the wall");
    }

    #[test]
    fn ports_are_kept_and_other_connections_are_gone_round() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(400.0, 0.0, 100.0, 50.0);
        let from = Port { side: Dir::Right, offset: -10.0 };
        let to = Port { side: Dir::Left, offset: 10.0 };
        let p = route_between(&a, Some(from), &b, Some(to), &[], &[]);
        assert!(orthogonal(&p));
        assert_eq!(p[0], Point::new(100.0, 15.0));
        assert_eq!(*p.last().unwrap(), Point::new(400.0, 35.0));
        // A connection standing across the way between the two boxes, open below: the route
        // goes under it rather than through it.
        let wall = (Point::new(250.0, -200.0), Point::new(250.0, 60.0));
        let p = route_between(&a, None, &b, None, &[Rect::new(600.0, 600.0, 10.0, 10.0)], &[wall]);
        assert!(orthogonal(&p));
        assert!(segments(&p).all(|s| !cross(s, wall)), "{p:?} crosses the other connection");
    }

    #[test]
    fn overlapping_boxes_still_get_a_route() {
        let a = Rect::new(0.0, 0.0, 100.0, 50.0);
        let b = Rect::new(10.0, 10.0, 100.0, 50.0);
        let p = route(&a, &b, &[]);
        assert!(p.len() >= 2 && orthogonal(&p));
    }

    #[test]
    fn midpoint_walks_the_polyline() {
        let p = [Point::new(0.0, 0.0), Point::new(10.0, 0.0), Point::new(10.0, 10.0)];
        assert_eq!(midpoint(&p), Point::new(10.0, 0.0));
    }
}
