//! Particles painted over a diagram: where each sampled call is along its connection at a
//! simulated time, stamped into a [`Raster`] (or, with reduced motion, each connection drawn as
//! thick as its traffic). Shared by the app's particle canvas and the embeddable viewer; no UI
//! framework here.

use std::collections::{BTreeMap, HashMap};

use wasm_bindgen::Clamped;

use super::particles::Particles;
use super::raster::{rgba, Raster};
use crate::editor::geom::{Point, Viewport};
use strata_worker::protocol::{Segment, SegmentKind};

/// Colours of the request types, in order (a type beyond them reuses them).
pub const TYPE_COLORS: [&str; 6] = ["#2f7ef6", "#10a37f", "#b45cf0", "#e08a00", "#0aa5c2", "#d64f8a"];
/// A failed call's colour.
pub const FAILURE: &str = "#e5484d";

/// A connection's polyline with the running length at each point, for placing dots by
/// progress without allocating.
#[derive(Clone, Debug, Default)]
pub struct Path {
    pub points: Vec<Point>,
    /// `acc[i]`: length from the first point to point `i`.
    acc: Vec<f64>,
}

impl Path {
    pub fn new(points: &[Point]) -> Path {
        let mut acc = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                let q = points[i - 1];
                total += ((p.x - q.x).powi(2) + (p.y - q.y).powi(2)).sqrt();
            }
            acc.push(total);
        }
        Path { points: points.to_vec(), acc }
    }

    /// The point `f` (0..=1) of the way along.
    pub fn at(&self, f: f64) -> Option<Point> {
        let total = *self.acc.last()?;
        let d = f.clamp(0.0, 1.0) * total;
        let i = self.acc.partition_point(|&a| a < d).clamp(1, self.points.len().max(2) - 1);
        let (a, b) = (self.points.get(i - 1)?, self.points.get(i)?);
        let span = self.acc[i] - self.acc[i - 1];
        let k = if span > 0.0 { (d - self.acc[i - 1]) / span } else { 0.0 };
        Some(Point::new(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k))
    }
}

/// Where dots go: for each (caller, callee) pair of engine indices, the connection's path and
/// whether it is walked backwards (an answer on its way back). Rebuilt when the diagram or the
/// run's components change, not per frame.
#[derive(Clone, Debug, Default)]
pub struct Geometry {
    /// Each connection's path.
    pub paths: Vec<Path>,
    by_pair: HashMap<(u32, u32), (usize, bool)>,
    /// Display names of the pairs, for the per-connection counts (`from>to` as the design says).
    pub names: Vec<String>,
}

impl Geometry {
    /// The paths of a scene's `edges` for a run whose components are `ids` (engine order).
    pub fn new(edges: &[crate::editor::scene::EdgeShape], ids: &[String]) -> Geometry {
        let index: HashMap<&str, u32> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i as u32)).collect();
        let mut g = Geometry::default();
        for e in edges {
            let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else { continue };
            let k = g.paths.len();
            g.paths.push(Path::new(&e.points));
            g.names.push(format!("{}>{}", e.from, e.to));
            g.by_pair.insert((a, b), (k, false));
            g.by_pair.entry((b, a)).or_insert((k, true));
        }
        g
    }
}

/// Dots of one look, drawn together: requests, then answers, then failures on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Look {
    Request(usize),
    Response(usize),
    Failure,
}

/// The burst drawn where a failed call failed (the start of its way back) while its answer is in
/// the first quarter of its way: centre (world) and radius (px), for dots of radius `r`.
fn burst(path: &Path, backwards: bool, progress: f64, r: f64) -> Option<(Point, f64)> {
    if progress >= 0.25 {
        return None;
    }
    path.at(if backwards { 1.0 } else { 0.0 }).map(|o| (o, r * (2.0 + 12.0 * progress)))
}

/// The pointer this close (px) to a dot (or a failed call's burst) hovers it.
pub const HIT_PX: f64 = 8.0;

/// Keeps in `near` the call drawn nearest to the pointer `p`: `seg`, drawn at `o`, hovers it
/// within `reach` px (squared distances).
fn offer(near: &mut Option<(f64, Segment)>, p: Option<Point>, o: Point, reach: f64, seg: Segment) {
    let Some(p) = p else { return };
    let d = (o.x - p.x) * (o.x - p.x) + (o.y - p.y) * (o.y - p.y);
    if d <= reach * reach && near.is_none_or(|(b, _)| d < b) {
        *near = Some((d, seg));
    }
}

/// Draws one frame of `particles` at simulated time `t` (ns); counts the dots drawn per
/// connection into `counts`. Returns the call drawn nearest to `pointer` (canvas px) within
/// [`HIT_PX`] (a failed call, its dot or its burst, first), and whether any dot was drawn.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    raster: &mut Raster,
    particles: &Particles,
    t: f64,
    geo: &Geometry,
    screen: (f64, f64, Viewport),
    scratch: &mut BTreeMap<Look, Vec<(f64, f64)>>,
    counts: &mut [u32],
    pointer: Option<Point>,
) -> (Option<Segment>, bool) {
    let (mut near, mut near_failure) = (None, None);
    let (w, h, vp) = screen;
    raster.begin(w as u32, h as u32);
    counts.iter_mut().for_each(|c| *c = 0);
    scratch.values_mut().for_each(Vec::clear);
    let mut bursts: Vec<(f64, f64, f64)> = Vec::new();
    let r = (3.0 * vp.zoom.sqrt()).clamp(1.5, 4.0);
    {
        for dot in particles.visible(t) {
            let Some(&(k, backwards)) = geo.by_pair.get(&(dot.seg.from, dot.seg.to)) else { continue };
            let path = &geo.paths[k];
            let f = if backwards { 1.0 - dot.progress } else { dot.progress };
            let Some(pw) = path.at(f) else { continue };
            let s = vp.to_screen(pw);
            if s.x < -10.0 || s.y < -10.0 || s.x > w + 10.0 || s.y > h + 10.0 {
                continue;
            }
            counts[k] += 1;
            let colour = dot.seg.request_type as usize % TYPE_COLORS.len();
            let look = match dot.seg.kind {
                SegmentKind::Request => Look::Request(colour),
                SegmentKind::Response => Look::Response(colour),
                SegmentKind::Failure => {
                    if let Some((o, radius)) = burst(path, backwards, dot.progress, r) {
                        let o = vp.to_screen(o);
                        bursts.push((o.x, o.y, radius));
                        offer(&mut near_failure, pointer, o, radius.max(HIT_PX), dot.seg);
                    }
                    offer(&mut near_failure, pointer, s, HIT_PX, dot.seg);
                    Look::Failure
                }
            };
            offer(&mut near, pointer, s, HIT_PX, dot.seg);
            scratch.entry(look).or_default().push((s.x, s.y));
        }
    }
    // Requests, then answers, then failures on top (the looks' order).
    for (look, points) in scratch.iter() {
        let colour = rgba(match *look {
            Look::Request(c) | Look::Response(c) => TYPE_COLORS[c],
            Look::Failure => FAILURE,
        });
        // Squares, not circles: at 3 to 8 px they read as dots. An answer is a hollow square.
        for &(x, y) in points {
            match look {
                Look::Response(_) => raster.hollow(x, y, r, colour),
                Look::Request(_) | Look::Failure => raster.square(x, y, r, colour),
            }
        }
    }
    let red = rgba(FAILURE);
    for (x, y, radius) in bursts {
        raster.ring(x, y, radius, 1.5, red);
    }
    (near_failure.or(near).map(|(_, seg)| seg), counts.iter().any(|&n| n > 0))
}

/// `canvas` sized to `w` x `h` CSS pixels at `dpr` device pixels each, and its 2D context.
pub fn sized_context(
    canvas: &web_sys::HtmlCanvasElement,
    w: f64,
    h: f64,
    dpr: f64,
) -> Option<web_sys::CanvasRenderingContext2d> {
    use wasm_bindgen::JsCast;
    let (pw, ph) = ((w * dpr) as u32, (h * dpr) as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Copies to the canvas what changed in `raster` this frame.
pub fn put(ctx: &web_sys::CanvasRenderingContext2d, raster: &Raster) {
    let Some(d) = raster.dirty() else { return };
    // A view of the raster's memory, not a copy: used at once, before anything allocates.
    let image =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(raster.pixels()), raster.width(), raster.height());
    if let Ok(image) = image {
        let (x, y, w, h) = (f64::from(d.x0), f64::from(d.y0), f64::from(d.width()), f64::from(d.height()));
        let _ =
            ctx.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(&image, 0.0, 0.0, x, y, w, h);
    }
}

/// With reduced motion: each connection as a line as thick as its traffic over the last second
/// of simulated time before `t` (ns; one sampled call stands for `sample` calls), red in
/// proportion to its failed calls; the counts go to `counts`.
pub fn draw_still(
    ctx: &web_sys::CanvasRenderingContext2d,
    particles: &Particles,
    (t, sample): (f64, u64),
    geo: &Geometry,
    screen: (f64, f64, Viewport, f64),
    counts: &mut [u32],
) {
    let (w, h, vp, dpr) = screen;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok();
    ctx.clear_rect(0.0, 0.0, w, h);
    counts.iter_mut().for_each(|c| *c = 0);
    let sample = sample.max(1);
    let per_pair = particles.counts(t, 1e9);
    for ((a, b), (calls, failed)) in per_pair {
        let Some(&(k, false)) = geo.by_pair.get(&(a, b)) else { continue };
        counts[k] = calls * sample as u32;
        let rate = f64::from(calls) * sample as f64;
        let width = (1.0 + rate.max(1.0).log10() * 2.0).min(12.0);
        let bad = f64::from(failed) / f64::from(calls.max(1));
        ctx.set_stroke_style_str(if bad > 0.01 { FAILURE } else { TYPE_COLORS[0] });
        ctx.set_global_alpha(if bad > 0.01 { (0.4 + bad).min(1.0) } else { 0.55 });
        ctx.set_line_width(width);
        ctx.begin_path();
        for (i, p) in geo.paths[k].points.iter().enumerate() {
            let s = vp.to_screen(*p);
            if i == 0 {
                ctx.move_to(s.x, s.y);
            } else {
                ctx.line_to(s.x, s.y);
            }
        }
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
}
