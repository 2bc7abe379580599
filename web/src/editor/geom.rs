//! Plane geometry of the canvas: points, rectangles, the viewport transform (pan and zoom) and
//! the snap grid. Pure: no DOM, unit-tested natively.

use serde::{Deserialize, Serialize};

/// Size of a component box on the canvas, in world units.
pub const NODE_W: f64 = 144.0;
/// Height of a component box.
pub const NODE_H: f64 = 56.0;
/// Snap grid pitch.
pub const GRID: f64 = 16.0;
/// Smallest and largest zoom factors.
pub const MIN_ZOOM: f64 = 0.05;
/// See [`MIN_ZOOM`].
pub const MAX_ZOOM: f64 = 4.0;

/// A point (world or screen units, depending on context).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

impl Point {
    /// A point.
    pub const fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }
}

/// An axis-aligned rectangle; `w` and `h` are never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// A rectangle from its top-left corner and size.
    pub const fn new(x: f64, y: f64, w: f64, h: f64) -> Self {
        Rect { x, y, w, h }
    }
    /// The rectangle spanned by two corners in any order (a rubber band).
    pub fn from_corners(a: Point, b: Point) -> Self {
        Rect { x: a.x.min(b.x), y: a.y.min(b.y), w: (a.x - b.x).abs(), h: (a.y - b.y).abs() }
    }
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    /// Centre point.
    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    /// Area.
    pub fn area(&self) -> f64 {
        self.w * self.h
    }
    /// Whether `p` lies inside (edges included).
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.x && p.x <= self.right() && p.y >= self.y && p.y <= self.bottom()
    }
    /// Whether `other` lies entirely inside.
    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.x >= self.x && other.y >= self.y && other.right() <= self.right() && other.bottom() <= self.bottom()
    }
    /// Whether the two rectangles overlap (touching edges do not count).
    pub fn intersects(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }
    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        let x = self.x.min(other.x);
        let y = self.y.min(other.y);
        Rect { x, y, w: self.right().max(other.right()) - x, h: self.bottom().max(other.bottom()) - y }
    }
    /// Grown by `d` on every side (shrunk when negative).
    pub fn inflate(&self, d: f64) -> Rect {
        Rect { x: self.x - d, y: self.y - d, w: (self.w + 2.0 * d).max(0.0), h: (self.h + 2.0 * d).max(0.0) }
    }
    /// Moved by (dx, dy).
    pub fn translate(&self, dx: f64, dy: f64) -> Rect {
        Rect { x: self.x + dx, y: self.y + dy, ..*self }
    }
    /// Whether the segment from `a` to `b` (horizontal or vertical) crosses the interior.
    pub fn hits_segment(&self, a: Point, b: Point) -> bool {
        let seg = Rect::from_corners(a, b);
        // A zero-width segment still blocks when it passes strictly inside.
        seg.x < self.right() && seg.right() > self.x && seg.y < self.bottom() && seg.bottom() > self.y
    }
}

/// Bounding box of many rectangles (none: `None`).
pub fn bounds<'a>(rects: impl IntoIterator<Item = &'a Rect>) -> Option<Rect> {
    rects.into_iter().fold(None, |acc: Option<Rect>, r| Some(acc.map_or(*r, |a| a.union(r))))
}

/// Rounds to the nearest grid line.
pub fn snap(v: f64) -> f64 {
    (v / GRID).round() * GRID
}

/// Rounds a point to the grid.
pub fn snap_point(p: Point) -> Point {
    Point::new(snap(p.x), snap(p.y))
}

/// What part of the world the canvas shows: `screen = (world - origin... )`, precisely
/// `screen = world * zoom + pan`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    /// Screen offset of the world origin, in pixels.
    pub pan: Point,
    /// Pixels per world unit.
    pub zoom: f64,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport { pan: Point::new(40.0, 40.0), zoom: 1.0 }
    }
}

impl Viewport {
    /// World point under a screen point.
    pub fn to_world(&self, s: Point) -> Point {
        Point::new((s.x - self.pan.x) / self.zoom, (s.y - self.pan.y) / self.zoom)
    }
    /// Screen point of a world point.
    pub fn to_screen(&self, w: Point) -> Point {
        Point::new(w.x * self.zoom + self.pan.x, w.y * self.zoom + self.pan.y)
    }
    /// Zooms by `factor` keeping the world point under the screen point `anchor` fixed (zoom to
    /// cursor). The result is clamped to [`MIN_ZOOM`]..[`MAX_ZOOM`].
    pub fn zoom_at(&self, anchor: Point, factor: f64) -> Viewport {
        let zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        let w = self.to_world(anchor);
        Viewport { zoom, pan: Point::new(anchor.x - w.x * zoom, anchor.y - w.y * zoom) }
    }
    /// Moved by a screen-space delta.
    pub fn pan_by(&self, dx: f64, dy: f64) -> Viewport {
        Viewport { pan: Point::new(self.pan.x + dx, self.pan.y + dy), ..*self }
    }
    /// The viewport that shows `content` centred in a `screen_w` x `screen_h` canvas with a margin,
    /// never zooming in beyond 1.
    pub fn fit(content: &Rect, screen_w: f64, screen_h: f64, margin: f64) -> Viewport {
        let w = content.w.max(1.0);
        let h = content.h.max(1.0);
        let zoom = ((screen_w - 2.0 * margin) / w).min((screen_h - 2.0 * margin) / h).clamp(MIN_ZOOM, 1.0);
        let c = content.center();
        Viewport { zoom, pan: Point::new(screen_w / 2.0 - c.x * zoom, screen_h / 2.0 - c.y * zoom) }
    }
    /// The world rectangle visible in a canvas of this size.
    pub fn visible(&self, screen_w: f64, screen_h: f64) -> Rect {
        let a = self.to_world(Point::new(0.0, 0.0));
        Rect::new(a.x, a.y, screen_w / self.zoom, screen_h / self.zoom)
    }
    /// Centred on a world point, keeping the zoom.
    pub fn center_on(&self, p: Point, screen_w: f64, screen_h: f64) -> Viewport {
        Viewport { pan: Point::new(screen_w / 2.0 - p.x * self.zoom, screen_h / 2.0 - p.y * self.zoom), ..*self }
    }
    /// Where what was drawn for `drawn` must move to show this viewport: `(s, tx, ty)` such that
    /// `screen = drawn_screen * s + (tx, ty)`, i.e. the CSS transform `translate(tx, ty) scale(s)`
    /// about the canvas's top-left corner. The canvas uses it to move the last rendered world on
    /// the compositor during a pan or zoom instead of drawing it again.
    pub fn relative_to(&self, drawn: &Viewport) -> (f64, f64, f64) {
        let s = self.zoom / drawn.zoom;
        (s, self.pan.x - s * drawn.pan.x, self.pan.y - s * drawn.pan.y)
    }
    /// Whether what was drawn for `drawn` (the visible area grown by `overscan` times its size on
    /// every side) still fills a `screen_w` x `screen_h` canvas showing this viewport, without
    /// being magnified more than `max_scale` times (it would look blurred).
    pub fn covered_by(&self, drawn: &Viewport, screen_w: f64, screen_h: f64, overscan: f64, max_scale: f64) -> bool {
        let d = drawn.visible(screen_w, screen_h);
        let area = Rect::new(
            d.x - d.w * overscan,
            d.y - d.h * overscan,
            d.w * (1.0 + 2.0 * overscan),
            d.h * (1.0 + 2.0 * overscan),
        );
        self.zoom / drawn.zoom <= max_scale && area.contains_rect(&self.visible(screen_w, screen_h))
    }
    /// As remembered per document: `"<pan x> <pan y> <zoom>"`.
    pub fn to_text(&self) -> String {
        format!("{} {} {}", self.pan.x, self.pan.y, self.zoom)
    }
    /// Reads [`Viewport::to_text`]; `None` for anything else (or a zoom out of range).
    pub fn from_text(text: &str) -> Option<Viewport> {
        let v: Vec<f64> = text.split(' ').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        match v[..] {
            [x, y, zoom] if x.is_finite() && y.is_finite() && (MIN_ZOOM..=MAX_ZOOM).contains(&zoom) => {
                Some(Viewport { pan: Point::new(x, y), zoom })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawn_world_moved_by_relative_to_lands_where_the_new_viewport_draws_it() {
        let drawn = Viewport { pan: Point::new(-300.0, 120.0), zoom: 0.8 };
        let now = drawn.zoom_at(Point::new(500.0, 300.0), 1.7).pan_by(-42.0, 17.5);
        let (s, tx, ty) = now.relative_to(&drawn);
        for w in [Point::new(0.0, 0.0), Point::new(1234.0, -56.0), Point::new(-800.0, 910.0)] {
            let a = drawn.to_screen(w);
            let b = now.to_screen(w);
            assert!((a.x * s + tx - b.x).abs() < 1e-9 && (a.y * s + ty - b.y).abs() < 1e-9);
        }
        assert_eq!(drawn.relative_to(&drawn), (1.0, 0.0, 0.0));
    }

    #[test]
    fn a_pan_or_zoom_out_within_the_overscan_is_covered_and_beyond_it_is_not() {
        let drawn = Viewport { pan: Point::new(0.0, 0.0), zoom: 1.0 };
        assert!(drawn.covered_by(&drawn, 1000.0, 800.0, 0.5, 4.0));
        assert!(drawn.pan_by(-480.0, 390.0).covered_by(&drawn, 1000.0, 800.0, 0.5, 4.0));
        assert!(!drawn.pan_by(-520.0, 0.0).covered_by(&drawn, 1000.0, 800.0, 0.5, 4.0));
        // Zooming out about the centre: twice as much fits, 2.2 times does not.
        let c = Point::new(500.0, 400.0);
        assert!(drawn.zoom_at(c, 0.5).covered_by(&drawn, 1000.0, 800.0, 0.5, 4.0));
        assert!(!drawn.zoom_at(c, 1.0 / 2.2).covered_by(&drawn, 1000.0, 800.0, 0.5, 4.0));
        // Zooming in: covered, up to the magnification allowed.
        assert!(drawn.zoom_at(c, 2.0).covered_by(&drawn, 1000.0, 800.0, 0.5, 2.5));
        assert!(!drawn.zoom_at(c, 3.0).covered_by(&drawn, 1000.0, 800.0, 0.5, 2.5));
    }

    #[test]
    fn viewport_text_round_trips_and_rejects_nonsense() {
        let v = Viewport { pan: Point::new(-120.5, 33.25), zoom: 1.75 };
        assert_eq!(Viewport::from_text(&v.to_text()), Some(v));
        for bad in ["", "1 2", "1 2 3 4", "a b c", "1 2 NaN", "1 2 0", "inf 2 1"] {
            assert_eq!(Viewport::from_text(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rect_relations() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        let b = Rect::new(5.0, 5.0, 10.0, 10.0);
        let c = Rect::new(10.0, 0.0, 5.0, 5.0);
        assert!(a.intersects(&b) && !a.intersects(&c), "touching edges do not overlap");
        assert_eq!(a.union(&b), Rect::new(0.0, 0.0, 15.0, 15.0));
        assert!(a.contains(Point::new(10.0, 10.0)) && !a.contains(Point::new(10.1, 3.0)));
        assert!(a.inflate(1.0).contains_rect(&a));
        assert_eq!(Rect::from_corners(Point::new(5.0, 1.0), Point::new(1.0, 4.0)), Rect::new(1.0, 1.0, 4.0, 3.0));
        assert_eq!(bounds(&[a, c]), Some(Rect::new(0.0, 0.0, 15.0, 10.0)));
        assert_eq!(bounds(&[]), None);
    }

    #[test]
    fn segments_through_rects() {
        let r = Rect::new(10.0, 10.0, 10.0, 10.0);
        assert!(r.hits_segment(Point::new(0.0, 15.0), Point::new(30.0, 15.0)));
        assert!(!r.hits_segment(Point::new(0.0, 25.0), Point::new(30.0, 25.0)));
        assert!(!r.hits_segment(Point::new(0.0, 15.0), Point::new(9.0, 15.0)));
    }

    #[test]
    fn zoom_keeps_the_cursor_fixed() {
        let v = Viewport { pan: Point::new(13.0, -7.0), zoom: 0.8 };
        let cursor = Point::new(300.0, 200.0);
        let before = v.to_world(cursor);
        let z = v.zoom_at(cursor, 1.5);
        let after = z.to_world(cursor);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        assert!((z.zoom - 1.2).abs() < 1e-12);
        assert_eq!(v.zoom_at(cursor, 1e9).zoom, MAX_ZOOM);
        let s = v.to_screen(before);
        assert!((s.x - 300.0).abs() < 1e-9);
    }

    #[test]
    fn fit_centres_content() {
        let content = Rect::new(1000.0, 1000.0, 2000.0, 1000.0);
        let v = Viewport::fit(&content, 1000.0, 600.0, 50.0);
        assert!((v.zoom - 0.45).abs() < 1e-9);
        let c = v.to_screen(content.center());
        assert!((c.x - 500.0).abs() < 1e-9 && (c.y - 300.0).abs() < 1e-9);
        let small = Viewport::fit(&Rect::new(0.0, 0.0, 10.0, 10.0), 1000.0, 600.0, 50.0);
        assert_eq!(small.zoom, 1.0, "never zooms in past 100%");
        let vis = v.visible(1000.0, 600.0);
        assert!(vis.contains_rect(&content));
    }

    #[test]
    fn snapping() {
        assert_eq!(snap(7.0), 0.0);
        assert_eq!(snap(9.0), 16.0);
        assert_eq!(snap_point(Point::new(-9.0, 31.0)), Point::new(-16.0, 32.0));
    }
}
