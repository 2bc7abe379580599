//! The run drawn on the diagram: a badge under each component with its live figures and state,
//! and a canvas over the diagram where sampled requests travel along their connections.
//!
//! Badges are SVG in the diagram's world coordinates (they pan and zoom with it). Particles are
//! drawn on a `<canvas>` in screen coordinates from the particle store at the particles' clock,
//! one `requestAnimationFrame` per display frame while the run plays.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::editor::geom::{Point, Viewport};
use crate::live::client::{use_live, Live};
use crate::live::figures::{NodeFigures, NodeStatus};
use crate::live::protocol::{PlayState, SegmentKind};
use crate::state::{use_editor, Editor};

/// Colours of the request types, in order (a type beyond them reuses them).
const TYPE_COLORS: [&str; 6] = ["#2f7ef6", "#10a37f", "#b45cf0", "#e08a00", "#0aa5c2", "#d64f8a"];
const FAILURE: &str = "#e5484d";

fn rate(x: f64) -> String {
    if x >= 10_000.0 {
        format!("{:.0}k/s", x / 1000.0)
    } else if x >= 100.0 {
        format!("{x:.0}/s")
    } else {
        format!("{x:.1}/s")
    }
}

/// The badge's text, e.g. `240/s · p99 41 ms · CPU 35% · q 0.2`.
pub fn badge_text(n: &NodeFigures) -> String {
    let mut parts = vec![rate(n.rps)];
    if n.p99_ms > 0.0 {
        parts.push(format!("p99 {:.0} ms", n.p99_ms));
    }
    if n.utilization > 0.0 {
        parts.push(format!("busy {:.0}%", n.utilization * 100.0));
    }
    if n.queue >= 0.05 {
        parts.push(format!("q {:.1}", n.queue));
    }
    if n.errors_per_s > 0.0 {
        parts.push(format!("err {}", rate(n.errors_per_s)));
    }
    parts.join(" · ")
}

/// Badges under the components, inside the diagram's transformed group.
#[component]
pub fn LiveBadges() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let badges = move || {
        live.nodes.with(|figures| {
            if figures.is_empty() {
                return Vec::new();
            }
            ed.scene.with(|s| {
                s.nodes.iter().filter_map(|n| figures.get(&n.id).map(|f| (n.rect, f.clone()))).collect::<Vec<_>>()
            })
        })
    };
    view! {
        <g class="layer-live" aria-hidden="true">
            <For each=badges key=|(r, f)| (f.id.clone(), r.x.to_bits(), r.y.to_bits()) let:item>
                <Badge rect=item.0 id=item.1.id.clone()/>
            </For>
        </g>
    }
}

#[component]
fn Badge(rect: crate::editor::geom::Rect, id: String) -> impl IntoView {
    let live = use_live();
    let key = id.clone();
    let figures = Memo::new(move |_| live.nodes.with(|m| m.get(&key).cloned()));
    let figures = move || figures.get();
    let status = move || figures().map_or(NodeStatus::Idle, |f| f.status);
    let text = move || {
        figures()
            .map(|f| {
                let mut t = badge_text(&f);
                if f.launching > 0 {
                    t = format!("{} launching · {t}", f.launching);
                }
                t
            })
            .unwrap_or_default()
    };
    let instances = move || figures().filter(|f| f.instances > 1 || f.launching > 0).map(|f| f.instances);
    let (x, y) = (rect.x, rect.y + rect.h + 4.0);
    view! {
        <g
            class=move || format!("live-badge status-{}", status().label())
            data-testid=format!("live-badge-{id}")
            data-status=move || status().label()
            data-rps=move || figures().map(|f| f.rps.to_string())
            data-window-end=move || figures().map(|f| f.window_end_s.to_string())
            transform=format!("translate({x} {y})")
        >
            <rect class="live-badge-bg" x="0" y="0" width=rect.w.max(120.0) height="16" rx="4"></rect>
            <circle class="live-dot" cx="8" cy="8" r="4"></circle>
            <text x="16" y="12">
                {move || instances().map(|n| format!("×{n} ")).unwrap_or_default()}
                {text}
            </text>
            <title>{move || format!("{}: {}", status().label(), text())}</title>
        </g>
    }
}

/// The polyline of each connection by (caller, callee) id.
fn routes(ed: Editor) -> HashMap<(String, String), Vec<Point>> {
    ed.scene.with_untracked(|s| s.edges.iter().map(|e| ((e.from.clone(), e.to.clone()), e.points.clone())).collect())
}

/// The point `f` (0..=1) of the way along a polyline.
fn along(points: &[Point], f: f64) -> Option<Point> {
    let lengths: Vec<f64> =
        points.windows(2).map(|w| ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt()).collect();
    let total: f64 = lengths.iter().sum();
    if points.is_empty() {
        return None;
    }
    let mut left = f.clamp(0.0, 1.0) * total;
    for (w, l) in points.windows(2).zip(&lengths) {
        if left <= *l && *l > 0.0 {
            let k = left / l;
            return Some(Point::new(w[0].x + (w[1].x - w[0].x) * k, w[0].y + (w[1].y - w[0].y) * k));
        }
        left -= l;
    }
    points.last().copied()
}

/// Draws one frame of particles; returns the dots drawn per edge (`from>to`).
fn draw(
    ctx: &web_sys::CanvasRenderingContext2d,
    live: Live,
    ed: Editor,
    vp: Viewport,
    wall_ms: f64,
    dpr: f64,
) -> BTreeMap<String, u32> {
    let (w, h) = ed.canvas_size.get_untracked();
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok();
    ctx.clear_rect(0.0, 0.0, w, h);
    let mut counts = BTreeMap::new();
    let routes = routes(ed);
    let t = live.clock.get_value().at(wall_ms);
    let ids = live.components.with_value(Clone::clone);
    let r = (3.0 * vp.zoom.sqrt()).clamp(1.5, 4.0);
    live.particles.with_value(|p| {
        for dot in p.visible(t) {
            let (Some(a), Some(b)) = (ids.get(dot.from as usize), ids.get(dot.to as usize)) else { continue };
            // Answers travel the caller's connection backwards.
            let (key, f) = match routes.get(&(a.clone(), b.clone())) {
                Some(pts) => (pts, dot.progress),
                None => match routes.get(&(b.clone(), a.clone())) {
                    Some(pts) => (pts, 1.0 - dot.progress),
                    None => continue,
                },
            };
            let Some(pw) = along(key, f) else { continue };
            let s = vp.to_screen(pw);
            if s.x < -10.0 || s.y < -10.0 || s.x > w + 10.0 || s.y > h + 10.0 {
                continue;
            }
            *counts.entry(format!("{a}>{b}")).or_insert(0) += 1;
            ctx.begin_path();
            let _ = ctx.arc(s.x, s.y, r, 0.0, std::f64::consts::TAU);
            match dot.kind {
                SegmentKind::Request => {
                    ctx.set_fill_style_str(TYPE_COLORS[dot.request_type as usize % TYPE_COLORS.len()]);
                    ctx.fill();
                }
                SegmentKind::Response => {
                    ctx.set_stroke_style_str(TYPE_COLORS[dot.request_type as usize % TYPE_COLORS.len()]);
                    ctx.set_line_width(1.5);
                    ctx.stroke();
                }
                SegmentKind::Failure => {
                    ctx.set_fill_style_str(FAILURE);
                    ctx.fill();
                    if dot.progress < 0.25 {
                        // The burst where it failed.
                        if let Some(origin) = along(key, if f == dot.progress { 0.0 } else { 1.0 }) {
                            let o = vp.to_screen(origin);
                            ctx.begin_path();
                            let _ = ctx.arc(o.x, o.y, r * (2.0 + 12.0 * dot.progress), 0.0, std::f64::consts::TAU);
                            ctx.set_stroke_style_str(FAILURE);
                            ctx.set_line_width(1.5);
                            ctx.stroke();
                        }
                    }
                }
            }
        }
    });
    counts
}

/// A `requestAnimationFrame` callback that can schedule itself again.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// The particle canvas over the diagram.
#[component]
pub fn ParticleCanvas() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let reduced = web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches());
    let playing = move || live.header.with(|h| h.as_ref().is_some_and(|h| h.state == PlayState::Playing));

    // One frame: size the canvas, draw, publish what was drawn (for tests and screen readers).
    let paint = move || {
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let canvas: web_sys::HtmlCanvasElement = canvas;
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let (w, h) = ed.canvas_size.get_untracked();
        let (pw, ph) = ((w * dpr) as u32, (h * dpr) as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        let Ok(Some(ctx)) = canvas.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
        let wall = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
        let counts =
            if reduced { BTreeMap::new() } else { draw(&ctx, live, ed, ed.viewport.get_untracked(), wall, dpr) };
        let total: u32 = counts.values().sum();
        let _ = canvas.set_attribute("data-dots", &total.to_string());
        let edges = counts.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(",");
        let _ = canvas.set_attribute("data-edges", &edges);
    };

    // While the run plays: one paint per display frame.
    let handle: FrameCallback = Rc::new(RefCell::new(None));
    let running = Rc::new(RefCell::new(false));
    let schedule = {
        let handle = handle.clone();
        move || {
            if let (Some(w), Some(cb)) = (web_sys::window(), handle.borrow().as_ref()) {
                let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
            }
        }
    };
    {
        let running = running.clone();
        let schedule = schedule.clone();
        *handle.borrow_mut() = Some(Closure::new(move || {
            paint();
            if playing_untracked(live) {
                schedule();
            } else {
                *running.borrow_mut() = false;
            }
        }));
    }
    Effect::new(move |_| {
        live.frames.track();
        ed.viewport.track();
        let _ = playing();
        if !*running.borrow() {
            *running.borrow_mut() = true;
            schedule();
        }
    });
    let keep = StoredValue::new_local(handle);
    on_cleanup(move || {
        keep.update_value(|h| {
            h.borrow_mut().take();
        });
    });
    view! {
        <canvas node_ref=canvas_ref class="particles" data-testid="particles" aria-hidden="true" data-dots="0"></canvas>
    }
}

fn playing_untracked(live: Live) -> bool {
    live.header.with_untracked(|h| h.as_ref().is_some_and(|h| h.state == PlayState::Playing))
}
