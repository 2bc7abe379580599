//! Orthogonal edge routing: a connection leaves its source box from the side facing the target
//! and enters the target from the opposite side, with right-angle bends, choosing among a few
//! candidate routes the one that crosses the fewest other boxes (then the shortest).

use super::geom::{Point, Rect};

/// How far a route stands off a box before it turns.
pub const STUB: f64 = 16.0;

/// A routed edge: its polyline (first point on the source box, last on the target box).
pub type Route = Vec<Point>;

fn length(p: &[Point]) -> f64 {
    p.windows(2).map(|w| (w[1].x - w[0].x).abs() + (w[1].y - w[0].y).abs()).sum()
}

fn crossings(p: &[Point], obstacles: &[Rect]) -> usize {
    obstacles.iter().filter(|o| p.windows(2).any(|w| o.hits_segment(w[0], w[1]))).count()
}

/// Routes from `a` to `b` around `obstacles` (which should not include `a` and `b`).
pub fn route(a: &Rect, b: &Rect, obstacles: &[Rect]) -> Route {
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
