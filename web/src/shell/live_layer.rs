//! The run drawn on the diagram: a badge under each component with its live figures and state,
//! and a canvas over the diagram where sampled requests travel along their connections.
//!
//! Badges are SVG in the diagram's world coordinates (they pan and zoom with it). Particles are
//! drawn on a `<canvas>` in screen coordinates from the particle store at the particles' clock,
//! one `requestAnimationFrame` per display frame while the run plays. With the system's reduced
//! motion setting, nothing moves: each connection is drawn as thick as its traffic (calls/s over
//! the last simulated second, from the sampled calls times the sampling) and red with failures;
//! `data-edges` then lists those rates instead of the dots drawn.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::editor::geom::Point;
use crate::live::client::{use_live, Live};
use crate::live::figures::{NodeFigures, NodeStatus};
use crate::live::paint::{draw, draw_still, put, sized_context, Geometry, Look};
use crate::live::protocol::{PlayState, Segment, SegmentKind};
use crate::live::raster::Raster;
use crate::shell::run_panel::stamp;
use crate::state::use_editor;
use strata_core::sim::ErrorCause;

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

/// How far below its component a badge and its instance rows reach, in world units.
const BADGE_REACH: f64 = 120.0;

/// Badges under the components, in the diagram's world coordinates, for the components near
/// the view (`within`, the canvas's culling rectangle: a badge far off screen is not built, nor
/// updated at every refresh). At low detail (the diagram's text hidden) a badge is a bar in its
/// status's colour and follows only the status.
#[component]
pub fn LiveBadges(within: Memo<crate::editor::geom::Rect>, low_detail: Memo<bool>) -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    // Which components have a badge, and where: this changes with the diagram, the view's
    // culling and the run, not with every refresh of the figures (each badge follows its own
    // figures below).
    let shown = Memo::new(move |_| {
        let near = within.get();
        live.nodes.with(|figures| {
            if figures.is_empty() {
                return Vec::new();
            }
            ed.scene.with(|s| {
                s.nodes
                    .iter()
                    .filter(|n| figures.contains_key(&n.id))
                    .filter(|n| {
                        let r = n.rect;
                        crate::editor::geom::Rect::new(r.x, r.y, r.w.max(120.0), r.h + BADGE_REACH).intersects(&near)
                    })
                    .map(|n| (n.id.clone(), n.rect))
                    .collect::<Vec<_>>()
            })
        })
    });
    // Every badge covers the same seconds: said once, so a refresh changes only the badges
    // whose figures changed (a redrawn badge repaints the diagram under it).
    let window_end = move || live.nodes.with(|m| m.values().next().map(|f| f.window_end_s.to_string()));
    view! {
        <g class="layer-live" aria-hidden="true" data-testid="live-badges" data-window-end=window_end>
            <For each=move || shown.get() key=|(id, r)| (id.clone(), r.x.to_bits(), r.y.to_bits()) let:item>
                <Badge rect=item.1 id=item.0 low_detail/>
            </For>
        </g>
    }
}

#[component]
fn Badge(rect: crate::editor::geom::Rect, id: String, low_detail: Memo<bool>) -> impl IntoView {
    let live = use_live();
    // This component's figures only, as the badge shows them: the window's end is the layer's,
    // so an idle component's badge stays as it is from one refresh to the next.
    let cell = RwSignal::from(live.figures_of(&id));
    let status = move || cell.with(|f| f.as_ref().map_or(NodeStatus::Idle, |f| f.status));
    // The figures written out, none at low detail: a refresh then changes nothing drawn unless
    // the status changes.
    let figures = move || if low_detail.get() { None } else { cell.get() };
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
            data-p99=move || figures().map(|f| f.p99_ms.to_string())
            data-busy=move || figures().map(|f| f.utilization.to_string())
            data-queue=move || figures().map(|f| f.queue.to_string())
            data-errors=move || figures().map(|f| f.errors_per_s.to_string())
            transform=format!("translate({x} {y})")
        >
            <rect class="live-badge-bg" x="0" y="0" width=rect.w.max(120.0) height="16" rx="4"></rect>
            <circle class="live-dot" cx="8" cy="8" r="4"></circle>
            <text x="16" y="12">
                {move || instances().map(|n| format!("×{n} ")).unwrap_or_default()}
                {text}
            </text>
            <title>{move || format!("{}: {}", status().label(), text())}</title>
            <Members figures=Signal::derive(figures)/>
        </g>
    }
}

/// A group's instances under its badge, by AZ: one square each, coloured by state (launching,
/// in service, down, draining), appearing as they launch and gone when they terminate.
#[component]
fn Members(figures: Signal<Option<NodeFigures>>) -> impl IntoView {
    let groups = move || {
        let f = figures.get()?;
        if f.members.is_empty() {
            return None;
        }
        let mut by_az: BTreeMap<String, Vec<crate::live::figures::Member>> = BTreeMap::new();
        for m in f.members {
            by_az.entry(m.az.clone().unwrap_or_else(|| "no AZ".into())).or_default().push(m);
        }
        Some((f.id, by_az))
    };
    move || {
        groups().map(|(id, by_az)| {
            let summary = by_az
                .iter()
                .flat_map(|(az, ms)| ms.iter().map(move |m| format!("{az}:{}", m.status.name())))
                .collect::<Vec<_>>()
                .join(",");
            let mut y = 20.0;
            let rows = by_az
                .into_iter()
                .map(|(az, ms)| {
                    let row_y = y;
                    y += 13.0;
                    let chips = ms
                        .into_iter()
                        .take(24)
                        .enumerate()
                        .map(|(i, m)| {
                            let title = format!("{id}[{}] in {az}: {}{}", m.slot, m.status.name().replace('_', " "),
                                if m.in_rotation { ", in the load balancer's rotation" } else { "" });
                            view! {
                                <rect class=format!("member member-{}", m.status.name()) x=70.0 + i as f64 * 12.0 y=row_y width="9" height="9" rx="2">
                                    <title>{title}</title>
                                </rect>
                            }
                        })
                        .collect_view();
                    view! {
                        <text class="member-az" x="4" y=row_y + 8.0>{az}</text>
                        {chips}
                    }
                })
                .collect_view();
            view! { <g class="members" data-testid=format!("live-members-{id}") data-members=summary>{rows}</g> }
        })
    }
}

/// A drawn call in words, with the engine's request number (`strata-sim run --journey`), the
/// component (and instance) and the simulated time: a failure says where and why, e.g.
/// `Request #12345 failed at web[2]: queue full · 00:01:23.456`; a call where it goes,
/// `Request #9 to web[1] · 00:01:23.400`; an answer where it comes from,
/// `Request #9 answered by web[1] · 00:01:23.431`.
pub fn call_text(s: &Segment, ids: &[String]) -> String {
    let name = |c: u32| ids.get(c as usize).map_or("?", String::as_str);
    let instance = s.instance.map(|i| format!("[{i}]")).unwrap_or_default();
    let (n, at) = (s.request, stamp(s.t0 as u64));
    match s.kind {
        SegmentKind::Failure => {
            let why = s.cause.map_or("error", ErrorCause::name);
            format!("Request #{n} failed at {}{instance}: {why} · {at}", name(s.from))
        }
        SegmentKind::Request => format!("Request #{n} to {}{instance} · {at}", name(s.to)),
        SegmentKind::Response => format!("Request #{n} answered by {}{instance} · {at}", name(s.from)),
    }
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

    // The dots' geometry follows the diagram and the run's components; scratch space is reused.
    let geo: StoredValue<Geometry, LocalStorage> = StoredValue::new_local(Geometry::default());
    let run_id = Memo::new(move |_| live.header.with(|h| h.as_ref().map(|h| h.run)));
    Effect::new(move |_| {
        // Read (not only tracked), so the memos compute and the effect follows them.
        ed.scene.with(|_| ());
        let _ = run_id.get();
        geo.set_value(live.components.with_value(|ids| ed.scene.with_untracked(|s| Geometry::new(&s.edges, ids))));
    });
    let scratch: StoredValue<BTreeMap<Look, Vec<(f64, f64)>>, LocalStorage> = StoredValue::new_local(BTreeMap::new());
    let counts: StoredValue<Vec<u32>, LocalStorage> = StoredValue::new_local(Vec::new());
    let raster: StoredValue<Raster, LocalStorage> = StoredValue::new_local(Raster::default());

    // Hovering a dot names its request (a failed call, its red dot or the burst where it failed,
    // says why it failed, and wins over a nearer dot), and a click then traces it. The canvas
    // lets the pointer through to the editor: a window `pointermove` with no button pressed
    // keeps the pointer's place, each paint finds the call drawn nearest to it (over the
    // canvas), and the tooltip's text is built only when that call changes.
    // Canvas px, found when the pointer moves: a paint never asks for the canvas's place (that
    // forced a layout of the whole page in every frame after the badges changed: 3 to 8 ms).
    let pointer: Rc<Cell<Option<Point>>> = Rc::default();
    let shown: Rc<Cell<Option<(u64, u64)>>> = Rc::default();
    let dots_drawn: Rc<Cell<bool>> = Rc::default();
    let tip = document().create_element("div").ok();
    if let Some(t) = &tip {
        for (k, v) in [("class", "failure-tip"), ("data-testid", "failure-tip"), ("role", "tooltip")] {
            let _ = t.set_attribute(k, v);
        }
    }

    // One frame: size the canvas, draw, publish what was drawn (for tests and screen readers).
    let paint = {
        let (pointer, dots_drawn, shown) = (pointer.clone(), dots_drawn.clone(), shown.clone());
        move || {
            let Some(canvas) = canvas_ref.get_untracked() else { return };
            let canvas: web_sys::HtmlCanvasElement = canvas;
            // Dots are stamped at CSS-pixel resolution (the canvas scales them up unsmoothed);
            // the reduced-motion lines are drawn at the screen's own.
            let dpr = if reduced { web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()) } else { 1.0 };
            let (w, h) = ed.canvas_size.get_untracked();
            let Some(ctx) = sized_context(&canvas, w, h, dpr) else { return };
            let wall = crate::js::now_ms();
            let vp = ed.viewport.get_untracked();
            let at = pointer.get();
            let mut near = None;
            geo.with_value(|g| {
                counts.update_value(|c| c.resize(g.paths.len(), 0));
                if reduced {
                    let t = live.clock.get_value().time_ns;
                    let sample = live.header.with_untracked(|h| h.as_ref().map_or(1, |h| h.sample_every));
                    live.particles.with_value(|p| {
                        counts.update_value(|c| draw_still(&ctx, p, (t, sample), g, (w, h, vp, dpr), c));
                    });
                } else {
                    raster.update_value(|ras| {
                        scratch.update_value(|sc| {
                            counts.update_value(|c| {
                                let t = live.clock.get_value().at(wall);
                                let (hit, any) =
                                    live.particles.with_value(|p| draw(ras, p, t, g, (w, h, vp), sc, c, at));
                                near = hit;
                                dots_drawn.set(any);
                            });
                        });
                        put(&ctx, ras);
                    });
                }
                counts.with_value(|c| {
                    let total: u32 = if reduced { 0 } else { c.iter().sum() };
                    let _ = canvas.set_attribute("data-dots", &total.to_string());
                    let _ = canvas.set_attribute("data-mode", if reduced { "throughput" } else { "dots" });
                    let edges = c
                        .iter()
                        .zip(&g.names)
                        .filter(|(n, _)| **n > 0)
                        .map(|(n, name)| format!("{name}:{n}"))
                        .collect::<Vec<_>>()
                        .join(",");
                    let _ = canvas.set_attribute("data-edges", &edges);
                });
            });
            let key = near.map(|s: Segment| (s.request, s.t0 as u64));
            if let (Some(t), Some(host)) = (&tip, canvas.parent_node()) {
                if shown.replace(key) != key {
                    if t.parent_node().is_none() {
                        let _ = host.insert_before(t, None);
                    }
                    let style = match (near, at) {
                        (Some(s), Some(p)) => {
                            t.set_text_content(Some(&live.components.with_value(|ids| call_text(&s, ids))));
                            format!("display:block;left:{}px;top:{}px", p.x + 12.0, p.y + 12.0)
                        }
                        _ => "display:none".into(),
                    };
                    let _ = t.set_attribute("style", &style);
                }
            }
        }
    };
    let moved = window_event_listener(leptos::ev::pointermove, {
        let paint = paint.clone();
        move |ev| {
            let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
            let p = canvas_ref.get_untracked().filter(|_| ev.buttons() == 0).and_then(|c| {
                let r = c.get_bounding_client_rect();
                let over = x >= r.left() && x <= r.right() && y >= r.top() && y <= r.bottom();
                over.then(|| Point::new(x - r.left(), y - r.top()))
            });
            // While playing, the next frame looks; paused, look now if dots are drawn.
            if pointer.replace(p) != p && dots_drawn.get() && !playing_untracked(live) {
                paint();
            }
        }
    });
    on_cleanup(move || moved.remove());
    // Clicking while a dot is hovered traces its request (the waterfall in the run panel); the
    // click also reaches the editor, as any click on the canvas does.
    let clicked = window_event_listener(leptos::ev::click, {
        move |_| {
            if let Some((request, _)) = shown.get() {
                live.trace_request(request);
            }
        }
    });
    on_cleanup(move || clicked.remove());

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
        <canvas node_ref=canvas_ref class=if reduced { "particles" } else { "particles pixels" } data-testid="particles" aria-hidden="true" data-dots="0"></canvas>
    }
}

fn playing_untracked(live: Live) -> bool {
    live.header.with_untracked(|h| h.as_ref().is_some_and(|h| h.state == PlayState::Playing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drawn_call_in_words_names_its_request_where_it_is_and_when_and_a_failure_why() {
        let ids: Vec<String> = ["users", "alb", "web"].map(String::from).to_vec();
        let mut s = Segment {
            from: 2,
            to: 1,
            t0: 83_456_000_000.0,
            t1: 83_457_000_000.0,
            kind: SegmentKind::Failure,
            request_type: 0,
            request: 12_345,
            cause: Some(ErrorCause::QueueFull),
            instance: Some(2),
        };
        assert_eq!(call_text(&s, &ids), "Request #12345 failed at web[2]: queue full · 00:01:23.456");
        (s.from, s.instance, s.cause, s.request) = (1, None, Some(ErrorCause::Dependency), 7);
        assert_eq!(call_text(&s, &ids), "Request #7 failed at alb: 5xx from dependency · 00:01:23.456");
        (s.from, s.to, s.kind, s.cause, s.instance) = (1, 2, SegmentKind::Request, None, Some(1));
        assert_eq!(call_text(&s, &ids), "Request #7 to web[1] · 00:01:23.456");
        (s.from, s.to, s.kind) = (2, 1, SegmentKind::Response);
        assert_eq!(call_text(&s, &ids), "Request #7 answered by web[1] · 00:01:23.456");
    }
}
