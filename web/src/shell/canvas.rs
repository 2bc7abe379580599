//! The drawing area: an SVG of containers, connections and components over a snap grid, with
//! every pointer interaction of a diagram editor: select (click, shift-click, rubber band),
//! move (containers carry their contents), connect by dragging from a handle, pan (space+drag,
//! middle button, one finger on the background), zoom to the cursor (wheel, pinch), a minimap
//! and a zoom bar. Off-screen elements are not rendered, at small zoom the boxes drop their
//! text, and a pan or zoom moves what is already drawn (a CSS transform on the world layer)
//! until the gesture settles, so large diagrams stay smooth.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use leptos::prelude::*;
use strata_core::catalog;
use wasm_bindgen::JsCast;

use crate::editor::geom::{snap_point, Point, Rect, Viewport, GRID, NODE_H, NODE_W};
use crate::editor::icons::{category_color, container_color, container_glyph, glyph};
use crate::editor::model::{container_kind_name, Placeable, CONTAINER_GRIP, HEADER};
use crate::editor::scene::{line_length, shorten, title_lines, ContainerShape, EdgeShape, NodeShape, SUB_W, TITLE_W};
use crate::shell::live_layer::{LiveBadges, ParticleCanvas};
use crate::state::{use_editor, Editor, Level, MovePreview, NoticeAction};

/// How long the view must rest before what is rendered shrinks to what is near it.
const REST_MS: u64 = 400;
/// Below this zoom the boxes drop their text (`lod-low`).
const LOD_ZOOM: f64 = 0.3;
/// A pan or zoom gesture has settled (and the view is drawn again for where it ended) when
/// the view has not moved for this long, or at once when the pointer is released.
const SETTLE_MS: u64 = 150;
/// What is drawn reaches beyond the visible area by this fraction of its size on every side, so
/// a pan or zoom out that moves the drawn world reveals diagram, not blank space.
const OVERSCAN: f64 = 0.5;
/// During a gesture, the drawn world is magnified at most this much before it is drawn again.
const MAX_SCALE: f64 = 4.0;

#[derive(Clone, Debug)]
enum Mode {
    Idle,
    Pan {
        last: Point,
    },
    /// A rubber band; `inside` is the container whose body it started on (a click there,
    /// without a drag, selects that container).
    Band {
        start: Point,
        inside: Option<String>,
    },
    Move {
        ids: BTreeSet<String>,
        start: Point,
        moved: bool,
    },
    Link {
        from: String,
    },
    Pinch {
        dist: f64,
        viewport: Viewport,
        mid: Point,
    },
    Resize {
        id: String,
        origin: Point,
    },
    /// Dragging bend `index` of connection `conn`; `added` when the press put it there (a
    /// press that does not drag takes it away again).
    Bend {
        conn: usize,
        index: usize,
        added: bool,
        moved: bool,
    },
}

/// The bend (connection index, bend index) a pointer event's target is, if any.
fn bend_of(target: &web_sys::Element) -> Option<(usize, usize)> {
    let w = target.closest("[data-waypoint]").ok().flatten()?.get_attribute("data-waypoint")?;
    let (c, i) = w.split_once(':')?;
    Some((c.parse().ok()?, i.parse().ok()?))
}

/// Canvas-local pixel position of a client point.
fn local_point(el: &web_sys::Element, client_x: f64, client_y: f64) -> Point {
    let r = el.get_bounding_client_rect();
    Point::new(client_x - r.left(), client_y - r.top())
}

/// Whether a client point lies over the element.
pub fn client_over(el: &web_sys::Element, x: f64, y: f64) -> bool {
    let r = el.get_bounding_client_rect();
    x >= r.left() && x <= r.right() && y >= r.top() && y <= r.bottom()
}

/// Drops a palette item at a world point (its centre), nesting it in the container there.
pub fn drop_placeable(ed: Editor, item: Placeable, centre: Point) {
    let id = ed.edit(|d| match item {
        Placeable::Component(kind) => {
            d.add_component(kind, Point::new(centre.x - NODE_W / 2.0, centre.y - NODE_H / 2.0))
        }
        Placeable::Container(kind, public) => {
            d.add_container(kind, public, Point::new(centre.x - CONTAINER_GRIP.0, centre.y - CONTAINER_GRIP.1))
        }
    });
    if let Some(id) = id {
        ed.selection.set(BTreeSet::from([id]));
    }
}

#[component]
pub fn Canvas() -> impl IntoView {
    let ed = use_editor();
    // The stage never moves: it takes the pointer and wheel, and pointer positions are measured
    // from its corner. The world layer inside it is what a pan or zoom moves.
    let stage_ref = NodeRef::<leptos::html::Div>::new();
    let mode = StoredValue::new(Mode::Idle);
    let band: RwSignal<Option<Rect>> = RwSignal::new(None);
    let link: RwSignal<Option<(Point, Point)>> = RwSignal::new(None);
    let touches: StoredValue<BTreeMap<i32, Point>> = StoredValue::new(BTreeMap::new());
    // The document before a live gesture (resize), recorded as one undo step at its end.
    let gesture: StoredValue<Option<crate::editor::model::Doc>> = StoredValue::new(None);

    // Keep the canvas size known (fit, culling, minimap).
    let measure = move || {
        if let Some(stage) = stage_ref.get_untracked() {
            let r = stage.get_bounding_client_rect();
            if r.width() > 0.0 {
                ed.canvas_size.set((r.width(), r.height()));
            }
        }
    };
    Effect::new(move |first: Option<()>| {
        if stage_ref.get().is_some() && first.is_none() {
            measure();
            ed.restore_view();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let stage_el = move || -> Option<web_sys::Element> { stage_ref.get_untracked().map(|s| s.unchecked_into()) };
    let to_world = move |cx: f64, cy: f64| -> Point {
        let el = stage_el();
        let p = el.map(|e| local_point(&e, cx, cy)).unwrap_or_default();
        ed.viewport.get_untracked().to_world(p)
    };

    // Per-element worst diagnostic level, for the badges.
    let badges = Memo::new(move |_| {
        ed.diagnostics.with(|ds| {
            let mut m: HashMap<String, Level> = HashMap::new();
            for d in ds {
                if let Some(t) = &d.target {
                    let e = m.entry(t.clone()).or_insert(d.level);
                    if d.level < *e {
                        *e = d.level;
                    }
                }
            }
            m
        })
    });

    // Pan and zoom on the compositor. `ed.viewport` is always where the view is (hit testing,
    // the particle canvas, the zoom level, the minimap and the saved view read it); `drawn` is
    // the viewport the world was last rendered for (the world's transform, the culling, the
    // grid). During a pan or zoom gesture only `drawn`'s difference from `ed.viewport` changes,
    // as a CSS transform on the world layer: the browser moves the pixels it already has instead
    // of rendering a thousand components again each frame. The view is drawn again when the
    // gesture settles (pointer released, or still for SETTLE_MS), when the moved world would no
    // longer fill the canvas (what is drawn overscans by OVERSCAN), and at once for every other
    // change of view (fit, zoom buttons and keys, minimap, another document).
    let drawn = RwSignal::new(ed.viewport.get_untracked());
    let moving = StoredValue::new(false);
    let gestures = StoredValue::new(0u64);
    Effect::new(move |_| {
        let v = ed.viewport.get();
        let (w, h) = ed.canvas_size.get();
        let d = drawn.get_untracked();
        if v != d && (!moving.get_value() || !v.covered_by(&d, w, h, OVERSCAN, MAX_SCALE)) {
            drawn.set(v);
        }
    });
    let settle = move || {
        moving.try_set_value(false);
        gestures.try_update_value(|g| *g += 1);
        if let Some(v) = ed.viewport.try_get_untracked() {
            if drawn.try_get_untracked().is_some_and(|d| d != v) {
                drawn.try_set(v);
            }
        }
    };
    let gesture_to = move |v: Viewport| {
        moving.set_value(true);
        let n = gestures.get_value() + 1;
        gestures.set_value(n);
        ed.viewport.set(v);
        set_timeout(
            move || {
                if gestures.try_get_value() == Some(n) {
                    settle();
                }
            },
            std::time::Duration::from_millis(SETTLE_MS),
        );
    };

    // Culling: only what is near the visible area is rendered.
    // The culling rectangle is the visible area grown by half a screen and snapped outwards to
    // tiles of a power-of-two size, so it only changes (and the lists below are only recomputed)
    // when the view crosses a tile boundary or the zoom halves or doubles, not on every frame
    // of a pan or zoom.
    let visible_rect = Memo::new(move |_| {
        let vp = drawn.get();
        let (w, h) = ed.canvas_size.get();
        let v = vp.visible(w, h);
        let tile = 2f64.powi((v.w.max(v.h) / 2.0).max(1.0).log2().ceil() as i32);
        let x0 = ((v.x - v.w / 2.0) / tile).floor() * tile;
        let y0 = ((v.y - v.h / 2.0) / tile).floor() * tile;
        let x1 = ((v.right() + v.w / 2.0) / tile).ceil() * tile;
        let y1 = ((v.bottom() + v.h / 2.0) / tile).ceil() * tile;
        Rect::new(x0, y0, x1 - x0, y1 - y0)
    });
    // Low detail (boxes without text) below 30%.
    let low_detail = Memo::new(move |_| drawn.get().zoom < LOD_ZOOM);
    // At low detail, what is rendered grows at once when the view needs more but only shrinks to
    // the culling rectangle once the view has rested: a wheel rolled in then out keeps the same
    // elements mounted instead of dropping hundreds of them when the culling tile halves and
    // building them again a moment later (one frame of 100-400 ms each time at 1,000
    // components). Boxes without text cost little to keep; at full detail every mounted text is
    // laid out again at each zoom step, so there the culling stays tight.
    let rested = RwSignal::new(0u64);
    let moves = StoredValue::new(0u64);
    Effect::new(move |_| {
        drawn.track();
        ed.canvas_size.track();
        let n = moves.get_value() + 1;
        moves.set_value(n);
        set_timeout(
            move || {
                if moves.try_get_value() == Some(n) {
                    rested.try_update(|r| *r += 1);
                }
            },
            std::time::Duration::from_millis(REST_MS),
        );
    });
    let seen_rest = StoredValue::new(0u64);
    let rendered_rect = Memo::new(move |prev: Option<&Rect>| {
        let want = visible_rect.get();
        let low = low_detail.get();
        let rest = rested.get();
        let settle = seen_rest.get_value() != rest;
        seen_rest.set_value(rest);
        let keep = low && !settle;
        match prev {
            Some(p) if keep && p.contains_rect(&want) => *p,
            Some(p) if keep && p.intersects(&want) && p.union(&want).area() <= 4.0 * want.area() => p.union(&want),
            _ => want,
        }
    });
    let vis_containers = Memo::new(move |_| {
        let v = rendered_rect.get();
        ed.scene.with(|s| s.containers.iter().filter(|c| c.rect.intersects(&v)).cloned().collect::<Vec<_>>())
    });
    let vis_nodes = Memo::new(move |_| {
        let v = rendered_rect.get();
        ed.scene.with(|s| s.nodes.iter().filter(|n| n.rect.intersects(&v)).cloned().collect::<Vec<_>>())
    });
    let vis_edges = Memo::new(move |_| {
        let v = rendered_rect.get();
        ed.scene.with(|s| s.edges.iter().filter(|e| e.bbox.inflate(1.0).intersects(&v)).cloned().collect::<Vec<_>>())
    });
    let lod = move || if low_detail.get() { "world lod-low" } else { "world" };

    // While a run is on, right-clicking a component opens the failure menu aimed at it. The
    // svg may hold the pointer capture, so the component is found under the pointer.
    let live = crate::live::client::use_live();
    let context_menu = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        if live.header.with_untracked(Option::is_none) {
            return;
        }
        let id = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.element_from_point(ev.client_x() as f32, ev.client_y() as f32))
            .and_then(|e| e.closest("[data-node]").ok().flatten())
            .and_then(|e| e.get_attribute("data-id"));
        crate::shell::inject::open_inject(live, id);
    };
    let pointer_down = move |ev: web_sys::PointerEvent| {
        let Some(el) = stage_el() else { return };
        let local = local_point(&el, ev.client_x() as f64, ev.client_y() as f64);
        let world = ed.viewport.get_untracked().to_world(local);
        let target: Option<web_sys::Element> = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        let find = |sel: &str| {
            target.as_ref().and_then(|t| t.closest(sel).ok().flatten()).and_then(|e| e.get_attribute("data-id"))
        };
        let _ = el.set_pointer_capture(ev.pointer_id());
        if let Some(active) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element()) {
            // Leave text fields so keyboard shortcuts reach the canvas.
            if matches!(active.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") {
                if let Ok(h) = active.dyn_into::<web_sys::HtmlElement>() {
                    let _ = h.blur();
                }
            }
        }
        if ev.pointer_type() == "touch" {
            touches.update_value(|t| {
                t.insert(ev.pointer_id(), local);
            });
            if touches.with_value(|t| t.len()) == 2 {
                let pts: Vec<Point> = touches.with_value(|t| t.values().copied().collect());
                let dist = ((pts[0].x - pts[1].x).powi(2) + (pts[0].y - pts[1].y).powi(2)).sqrt().max(1.0);
                let mid = Point::new((pts[0].x + pts[1].x) / 2.0, (pts[0].y + pts[1].y) / 2.0);
                ed.preview.set(None);
                band.set(None);
                mode.set_value(Mode::Pinch { dist, viewport: ed.viewport.get_untracked(), mid });
                return;
            }
        }
        if ev.button() == 1 || ed.space.get_untracked() {
            ev.prevent_default();
            mode.set_value(Mode::Pan { last: local });
            return;
        }
        if ev.button() != 0 {
            return;
        }
        let shift = ev.shift_key() || ev.meta_key() || ev.ctrl_key();
        if let Some(id) = find("[data-resize]") {
            let origin = ed.scene.with_untracked(|s| s.container_rect(&id).map(|r| Point::new(r.x, r.y)));
            if let Some(origin) = origin {
                gesture.set_value(Some(ed.begin_gesture()));
                mode.set_value(Mode::Resize { id, origin });
            }
            return;
        }
        if let Some((conn, index)) = target.as_ref().and_then(bend_of) {
            gesture.set_value(Some(ed.begin_gesture()));
            mode.set_value(Mode::Bend { conn, index, added: false, moved: false });
            return;
        }
        if let Some(from) = find("[data-handle]") {
            link.set(Some((world, world)));
            mode.set_value(Mode::Link { from });
            return;
        }
        // A drag from the body of a container that is not selected draws a rubber band (to
        // select what is inside); its title strip, or a selected container, moves it.
        if let (None, Some(id), false) = (find("[data-node]"), find("[data-container]"), shift) {
            let on_body = ed.scene.with_untracked(|s| s.container_rect(&id)).is_some_and(|r| world.y > r.y + HEADER);
            if on_body && ev.pointer_type() != "touch" && !ed.selection.with_untracked(|s| s.contains(&id)) {
                ed.selection.set(BTreeSet::new());
                band.set(Some(Rect::from_corners(world, world)));
                mode.set_value(Mode::Band { start: world, inside: Some(id) });
                return;
            }
        }
        let item = find("[data-node]").or_else(|| find("[data-container]"));
        if let Some(id) = item {
            let mut sel = ed.selection.get_untracked();
            if shift {
                if !sel.remove(&id) {
                    sel.insert(id.clone());
                }
            } else if !sel.contains(&id) {
                sel = BTreeSet::from([id.clone()]);
            }
            ed.selection.set(sel.clone());
            let ids: BTreeSet<String> = sel.into_iter().filter(|s| !s.starts_with("conn:")).collect();
            if !ids.is_empty() && (!shift || ids.contains(&id)) {
                mode.set_value(Mode::Move { ids, start: world, moved: false });
            }
            return;
        }
        if let Some(edge) = find("[data-edge]") {
            let id = format!("conn:{edge}");
            // Pressing on the line of the selected connection adds a bend there, to drag.
            let conn = edge.parse::<usize>().ok();
            if let (Some(conn), false, true) =
                (conn, shift, ed.selection.with_untracked(|s| s.len() == 1 && s.contains(&id)))
            {
                let at = if ed.snap.get_untracked() { snap_point(world) } else { world };
                let line =
                    ed.scene.with_untracked(|s| s.edges.iter().find(|e| e.index == conn).map(|e| e.points.clone()));
                let before = ed.begin_gesture();
                let mut next = before.clone();
                if let Some(index) = line.and_then(|l| next.insert_waypoint(conn, &l, at).ok()) {
                    gesture.set_value(Some(before));
                    ed.doc.set(next);
                    mode.set_value(Mode::Bend { conn, index, added: true, moved: false });
                }
                return;
            }
            ed.selection.update(|s| {
                if shift {
                    if !s.remove(&id) {
                        s.insert(id);
                    }
                } else {
                    *s = BTreeSet::from([id]);
                }
            });
            return;
        }
        // The bare canvas.
        if ev.pointer_type() == "touch" {
            mode.set_value(Mode::Pan { last: local });
            return;
        }
        if !shift {
            ed.selection.set(BTreeSet::new());
        }
        band.set(Some(Rect::from_corners(world, world)));
        mode.set_value(Mode::Band { start: world, inside: None });
    };

    let pointer_move = move |ev: web_sys::PointerEvent| {
        let Some(el) = stage_el() else { return };
        let local = local_point(&el, ev.client_x() as f64, ev.client_y() as f64);
        if ev.pointer_type() == "touch" {
            touches.update_value(|t| {
                if let Some(p) = t.get_mut(&ev.pointer_id()) {
                    *p = local;
                }
            });
        }
        let world = ed.viewport.get_untracked().to_world(local);
        let m = mode.get_value();
        match m {
            Mode::Idle => {}
            Mode::Pan { last } => {
                gesture_to(ed.viewport.get_untracked().pan_by(local.x - last.x, local.y - last.y));
                mode.set_value(Mode::Pan { last: local });
            }
            Mode::Band { start, .. } => band.set(Some(Rect::from_corners(start, world))),
            Mode::Move { ids, start, moved } => {
                let (dx, dy) = (world.x - start.x, world.y - start.y);
                if !moved
                    && dx.abs() < 3.0 / ed.viewport.get_untracked().zoom
                    && dy.abs() < 3.0 / ed.viewport.get_untracked().zoom
                {
                    return;
                }
                ed.preview.set(Some(MovePreview { ids: ids.clone(), dx, dy }));
                mode.set_value(Mode::Move { ids, start, moved: true });
            }
            Mode::Resize { id, origin, .. } => {
                ed.doc.update(|d| d.resize_container(&id, world.x - origin.x, world.y - origin.y));
            }
            Mode::Bend { conn, index, added, .. } => {
                let at = if ed.snap.get_untracked() { snap_point(world) } else { world };
                if ed.doc.with_untracked(|d| d.waypoints(conn).get(index) != Some(&at)) {
                    ed.doc.update(|d| d.move_waypoint(conn, index, at));
                    mode.set_value(Mode::Bend { conn, index, added, moved: true });
                }
            }
            Mode::Link { .. } => link.update(|l| {
                if let Some(l) = l {
                    l.1 = world;
                }
            }),
            Mode::Pinch { dist, viewport, mid } => {
                let pts: Vec<Point> = touches.with_value(|t| t.values().copied().collect());
                if pts.len() == 2 {
                    let d = ((pts[0].x - pts[1].x).powi(2) + (pts[0].y - pts[1].y).powi(2)).sqrt().max(1.0);
                    let now_mid = Point::new((pts[0].x + pts[1].x) / 2.0, (pts[0].y + pts[1].y) / 2.0);
                    let v = viewport.zoom_at(mid, d / dist).pan_by(now_mid.x - mid.x, now_mid.y - mid.y);
                    gesture_to(v);
                }
            }
        }
    };

    let pointer_up = move |ev: web_sys::PointerEvent| {
        touches.update_value(|t| {
            t.remove(&ev.pointer_id());
        });
        let world = to_world(ev.client_x() as f64, ev.client_y() as f64);
        let m = mode.get_value();
        mode.set_value(Mode::Idle);
        match m {
            Mode::Band { inside, .. } => {
                if let Some(r) = band.get_untracked() {
                    if r.w > 2.0 || r.h > 2.0 {
                        let hits = ed.doc.with_untracked(|d| d.in_rect(&r));
                        ed.selection.update(|s| s.extend(hits));
                    } else if let Some(id) = inside {
                        ed.selection.set(BTreeSet::from([id]));
                    }
                }
                band.set(None);
            }
            Mode::Move { ids, start, moved } => {
                ed.preview.set(None);
                if moved {
                    let snap = ed.snap.get_untracked();
                    ed.edit(|d| d.move_items(&ids, world.x - start.x, world.y - start.y, snap));
                }
            }
            Mode::Resize { .. } => {
                if let Some(before) = gesture.try_update_value(|g| g.take()).flatten() {
                    ed.end_gesture(before);
                }
            }
            Mode::Bend { added, moved, .. } => {
                if let Some(before) = gesture.try_update_value(|g| g.take()).flatten() {
                    if added && !moved {
                        // A click on the line, not a drag: no bend.
                        ed.doc.set(before);
                    } else {
                        ed.end_gesture(before);
                    }
                }
            }
            Mode::Link { from } => {
                link.set(None);
                let to = ed.doc.with_untracked(|d| d.component_at(world));
                match to {
                    Some(to) if to != from => {
                        if let Some(i) = ed.edit(|d| d.connect(&from, &to)) {
                            ed.selection.set(BTreeSet::from([format!("conn:{i}")]));
                        }
                    }
                    Some(_) => {}
                    None => ed.notify("Release the connection on another component to connect them.", false),
                }
            }
            Mode::Pan { .. } | Mode::Pinch { .. } => settle(),
            Mode::Idle => {}
        }
    };

    // A double-click on a bend takes it away.
    let double_click = move |ev: web_sys::MouseEvent| {
        // The stage holds the pointer capture, so the bend is found under the pointer.
        let bend = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.element_from_point(ev.client_x() as f32, ev.client_y() as f32))
            .and_then(|t| bend_of(&t));
        if let Some((conn, index)) = bend {
            ed.edit(|d| {
                d.remove_waypoints(conn, Some(index));
                Ok(())
            });
        }
    };

    let wheel = move |ev: web_sys::WheelEvent| {
        ev.prevent_default();
        let Some(el) = stage_el() else { return };
        let local = local_point(&el, ev.client_x() as f64, ev.client_y() as f64);
        gesture_to(
            ed.viewport.get_untracked().zoom_at(local, wheel_zoom_factor(ev.delta_y(), ev.delta_mode(), ev.ctrl_key())),
        );
    };

    let transform = move || {
        let v = drawn.get();
        format!("translate({:.2} {:.2}) scale({:.4})", v.pan.x, v.pan.y, v.zoom)
    };
    // The world layer's move from where it was drawn to where the view is (none once settled).
    let layer_style = move || {
        let (s, tx, ty) = ed.viewport.get().relative_to(&drawn.get());
        if s == 1.0 && tx == 0.0 && ty == 0.0 {
            String::new()
        } else {
            format!("transform:translate({tx:.2}px,{ty:.2}px) scale({s:.5})")
        }
    };
    // The grid overscans like the world, so it moves with it.
    let grid_style = move || {
        let v = drawn.get();
        let (w, h) = ed.canvas_size.get();
        let (mx, my) = ((w * OVERSCAN).round(), (h * OVERSCAN).round());
        let s = GRID * v.zoom * if v.zoom < 0.5 { 4.0 } else { 1.0 };
        format!(
            "inset:{:.0}px {:.0}px;background-size:{s:.2}px {s:.2}px;background-position:{:.2}px {:.2}px",
            -my,
            -mx,
            v.pan.x + mx,
            v.pan.y + my
        )
    };
    let empty = move || ed.doc.with(|d| d.topology.components.is_empty() && d.topology.containers.is_empty());

    view! {
        <main class="canvas" data-testid="canvas" aria-label="Architecture canvas">
            <div
                node_ref=stage_ref
                class="canvas-stage"
                data-testid="canvas-stage"
                class:panning=move || ed.space.get()
                on:pointerdown=pointer_down
                on:pointermove=pointer_move
                on:pointerup=pointer_up
                on:pointercancel=pointer_up
                on:wheel=wheel
                on:dblclick=double_click
                on:contextmenu=context_menu
            >
                <div class="canvas-world" data-testid="canvas-world" style=layer_style>
                    <div class="canvas-grid" aria-hidden="true" style=grid_style></div>
                    <svg
                        class="canvas-svg"
                        data-testid="canvas-svg"
                        role="application"
                        aria-label="Diagram: drag to select, drag components to move them, drag from a component's handle to connect"
                    >
                        <defs>
                            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                                <path d="M0 0L10 5L0 10z" class="arrow-head"></path>
                            </marker>
                            <marker id="arrow-sel" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                                <path d="M0 0L10 5L0 10z" class="arrow-head-sel"></path>
                            </marker>
                        </defs>
                        <g class=lod transform=transform>
                            <g class="layer-containers">
                                <For each=move || vis_containers.get() key=|c| (c.id.clone(), c.label.clone(), c.cidr.clone(), c.public, c.band, rect_key(&c.rect)) let:c>
                                    <ContainerView c=c badges=badges/>
                                </For>
                            </g>
                            <crate::shell::group_span::GroupSpans/>
                            <g class="layer-edges">
                                <For each=move || vis_edges.get() key=|e| (e.index, e.from.clone(), e.to.clone(), e.path.clone()) let:e>
                                    <EdgeView e=e badges=badges/>
                                </For>
                            </g>
                            <g class="layer-nodes">
                                <For each=move || vis_nodes.get() key=|n| (n.id.clone(), n.label.clone(), rect_key(&n.rect)) let:n>
                                    <NodeView n=n badges=badges/>
                                </For>
                            </g>
                            <crate::shell::live_instances::LiveInstances/>
                            {move || link.get().map(|(a, b)| view! {
                                <line class="link-preview" x1=a.x y1=a.y x2=b.x y2=b.y marker-end="url(#arrow-sel)"></line>
                            })}
                            {move || band.get().map(|r| view! {
                                <rect class="band" data-testid="rubber-band" x=r.x y=r.y width=r.w height=r.h></rect>
                            })}
                        </g>
                    </svg>
                    // The run's badges over the diagram, on a layer of their own: their figures
                    // change every refresh, and repainting them must not repaint the diagram.
                    <svg class="canvas-svg canvas-badges" aria-hidden="true">
                        <g class=lod transform=transform>
                            <LiveBadges within=rendered_rect low_detail/>
                        </g>
                    </svg>
                </div>
            </div>
            <ParticleCanvas/>
            <Show when=empty>
                <div class="empty-state" data-testid="canvas-empty">
                    <svg viewBox="0 0 64 64" class="empty-icon" aria-hidden="true">
                        <rect x="6" y="14" width="22" height="16" rx="3"/>
                        <rect x="36" y="34" width="22" height="16" rx="3"/>
                        <path d="M28 22h8v20h0"/>
                    </svg>
                    <p class="empty-title">"Drag a component here or open a template"</p>
                    <p class="empty-sub">
                        "Sketch regions, availability zones, VPCs and subnets, connect services, then press Run to watch requests flow. Press ? for shortcuts."
                    </p>
                </div>
            </Show>
            <ZoomBar/>
            <Minimap/>
            <NoticeLine/>
            <Show when=move || ed.walk_open.get()>
                <crate::shell::walk_panel::WalkPanel/>
            </Show>
        </main>
    }
}

/// Whether a focus event came from the keyboard (Tab), not from a click (which selects on its
/// own, with Shift semantics).
fn keyboard_focus(ev: &web_sys::FocusEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| e.matches(":focus-visible").unwrap_or(false))
}

fn rect_key(r: &Rect) -> (u64, u64, u64, u64) {
    (r.x.to_bits(), r.y.to_bits(), r.w.to_bits(), r.h.to_bits())
}

#[component]
fn ContainerView(c: ContainerShape, badges: Memo<HashMap<String, Level>>) -> impl IntoView {
    let ed = use_editor();
    let id = c.id.clone();
    let id2 = c.id.clone();
    let id3 = c.id.clone();
    let id4 = c.id.clone();
    let id5 = c.id.clone();
    let r = c.rect;
    let color = container_color(c.kind, c.public);
    let kind_name = container_kind_name(c.kind, c.public);
    // Fitted to the box: the kind unless the label says it, the CIDR while it fits.
    let (title, cidr) = c.heading();
    let aria = format!("{kind_name} {}{}", c.label, c.cidr.as_deref().map(|x| format!(", {x}")).unwrap_or_default());
    let badge = move || badges.with(|b| b.get(&id3).copied());
    view! {
        <g
            class=format!("container kind-{:?}{}", c.kind, if c.band { " az-band" } else { "" }).to_lowercase()
            class:selected=move || ed.selection.with(|s| s.contains(&id))
            class:drop-target=move || ed.drop_target.with(|t| t.as_deref() == Some(id2.as_str()))
            data-container=""
            data-id=c.id.clone()
            data-testid=format!("container-{}", c.id)
            role="group"
            tabindex="0"
            aria-label=aria
            on:focus=move |ev| {
                if keyboard_focus(&ev) && !ed.selection.with_untracked(|s| s.contains(&id5)) {
                    ed.selection.set(BTreeSet::from([id5.clone()]));
                }
            }
        >
            <rect class="container-box" x=r.x y=r.y width=r.w height=r.h rx="6" style=format!("stroke:{color};fill:{color}")></rect>
            <g class="container-glyph" transform=format!("translate({} {}) scale(0.75)", r.x + 8.0, r.y + 6.0) style=format!("stroke:{color}")>
                <path d=container_glyph(c.kind)></path>
            </g>
            <text class="container-title" x=r.x + 32.0 y=r.y + 20.0 style=format!("fill:{color}")>
                {title}
                <tspan class="container-cidr">{cidr}</tspan>
            </text>
            <rect class="resize-handle" data-resize="" data-id=c.id.clone() data-testid=format!("resize-{}", c.id)
                x=r.right() - 7.0 y=r.bottom() - 7.0 width="12" height="12" rx="2">
                <title>"Drag to resize"</title>
            </rect>
            {move || badge().map(|l| view! {
                <g class=format!("badge badge-{}", l.as_str()) data-testid=format!("badge-{}", id4) transform=format!("translate({} {})", r.right() - 12.0, r.y + 12.0)>
                    <circle r="8"></circle>
                    <text y="4">"!"</text>
                </g>
            })}
        </g>
    }
}

#[component]
fn NodeView(n: NodeShape, badges: Memo<HashMap<String, Level>>) -> impl IntoView {
    let ed = use_editor();
    let info = catalog::kind_info(n.kind);
    let color = category_color(info.category);
    let r = n.rect;
    let id = n.id.clone();
    let id_focus = n.id.clone();
    let id_badge = n.id.clone();
    let id_b2 = n.id.clone();
    // A long title takes two lines, the id the third.
    let (title, second) = title_lines(n.title());
    let (title_y, sub_y) = if second.is_some() { (19.0, 45.0) } else { (25.0, 40.0) };
    let sub = shorten(&n.id, 16);
    let aria = format!("{}, {} ({})", n.title(), info.name, n.id);
    let badge = move || badges.with(|b| b.get(&id_badge).copied());
    view! {
        <g
            class="node"
            class:selected=move || ed.selection.with(|s| s.contains(&id))
            data-node=""
            data-id=n.id.clone()
            data-testid=format!("node-{}", n.id)
            data-kind=n.kind.tag()
            transform=format!("translate({} {})", r.x, r.y)
            tabindex="0"
            role="button"
            aria-label=aria
            on:focus=move |ev| {
                if keyboard_focus(&ev) && !ed.selection.with_untracked(|s| s.contains(&id_focus)) {
                    ed.selection.set(BTreeSet::from([id_focus.clone()]));
                }
            }
        >
            <rect class="node-box" width=NODE_W height=NODE_H rx="8"></rect>
            <rect class="node-tile" x="10" y="10" width="36" height="36" rx="6" style=format!("fill:{color}")></rect>
            <g class="node-glyph" transform="translate(16 16)">
                <path d=glyph(n.kind)></path>
            </g>
            <text class="node-label" x="54" y=title_y textLength=line_length(&title, TITLE_W) lengthAdjust="spacingAndGlyphs">{title.clone()}</text>
            {second.map(|t| view! {
                <text class="node-label" x="54" y="32" textLength=line_length(&t, TITLE_W) lengthAdjust="spacingAndGlyphs">{t.clone()}</text>
            })}
            <text class="node-sub" x="54" y=sub_y textLength=line_length(&sub, SUB_W) lengthAdjust="spacingAndGlyphs">{sub.clone()}</text>
            <circle class="handle" data-handle="" data-id=n.id.clone() data-testid=format!("handle-{}", n.id) cx=NODE_W cy=NODE_H / 2.0 r="7">
                <title>"Drag to another component to connect"</title>
            </circle>
            {move || badge().map(|l| view! {
                <g class=format!("badge badge-{}", l.as_str()) data-testid=format!("badge-{}", id_b2) transform=format!("translate({} -2)", NODE_W - 6.0)>
                    <circle r="8"></circle>
                    <text y="4">"!"</text>
                </g>
            })}
        </g>
    }
}

#[component]
fn EdgeView(e: EdgeShape, badges: Memo<HashMap<String, Level>>) -> impl IntoView {
    let ed = use_editor();
    let key = format!("conn:{}", e.index);
    let key2 = key.clone();
    let key3 = key.clone();
    let selected = Memo::new(move |_| ed.selection.with(|s| s.contains(&key)));
    let level = move || badges.with(|b| b.get(&key2).copied());
    let _ = &key3;
    let bends = e.waypoints.clone();
    let bend_id = format!("{}-{}", e.from, e.to);
    let index = e.index;
    view! {
        <g
            class="edge"
            class:selected=move || selected.get()
            class:edge-warn=move || level().is_some()
            data-edge=""
            data-id=e.index.to_string()
            data-testid=format!("edge-{}-{}", e.from, e.to)
            role="button"
            aria-label=format!("Connection from {} to {}", e.from, e.to)
        >
            <path class="edge-hit" d=e.path.clone()></path>
            <path class="edge-line" d=e.path.clone() marker-end=move || if selected.get() { "url(#arrow-sel)" } else { "url(#arrow)" }></path>
            {bends.iter().enumerate().map(|(i, w)| view! {
                <circle class="waypoint" r="6" cx=w.x cy=w.y
                    data-waypoint=format!("{index}:{i}")
                    data-testid=format!("waypoint-{bend_id}-{i}")>
                    <title>"Drag to move this bend; double-click to remove it"</title>
                </circle>
            }).collect_view()}
        </g>
    }
}

#[component]
fn ZoomBar() -> impl IntoView {
    let ed = use_editor();
    let zoom_by = move |f: f64| {
        let (w, h) = ed.canvas_size.get_untracked();
        ed.viewport.update(|v| *v = v.zoom_at(Point::new(w / 2.0, h / 2.0), f));
    };
    view! {
        <div class="zoombar" data-testid="zoom-bar" role="toolbar" aria-label="Zoom">
            <button class="icon-btn" data-testid="zoom-out" title="Zoom out (-)" aria-label="Zoom out" on:click=move |_| zoom_by(1.0 / ZOOM_STEP)>"−"</button>
            <span class="zoom-level" data-testid="zoom-level">{move || format!("{:.0}%", ed.viewport.get().zoom * 100.0)}</span>
            <button class="icon-btn" data-testid="zoom-in" title="Zoom in (+)" aria-label="Zoom in" on:click=move |_| zoom_by(ZOOM_STEP)>"+"</button>
            <button class="icon-btn" data-testid="zoom-fit" title="Fit to screen (Shift+1)" aria-label="Fit to screen" on:click=move |_| ed.fit()>"⤢"</button>
            <button
                class="icon-btn"
                class:on=move || ed.snap.get()
                data-testid="snap-toggle"
                title="Snap to grid (G)"
                aria-label="Snap to grid"
                aria-pressed=move || ed.snap.get().to_string()
                on:click=move |_| ed.snap.update(|s| *s = !*s)
            >"#"</button>
        </div>
    }
}

/// The zoom factor for one wheel event, proportional to the distance rolled. With Ctrl held
/// (how a trackpad's pinch arrives, in small deltas) the rate is higher but one event never
/// zooms more than one zoom button's step (1.25x), so a mouse notch with Ctrl held is a step a
/// person can follow.
pub fn wheel_zoom_factor(delta_y: f64, delta_mode: u32, ctrl: bool) -> f64 {
    let unit = if delta_mode == 1 { 16.0 } else { 1.0 };
    if ctrl {
        (-delta_y * unit * 0.01).exp().clamp(1.0 / ZOOM_STEP, ZOOM_STEP)
    } else {
        (-delta_y * unit * 0.0015).exp()
    }
}

/// The zoom buttons' (and keys') step.
const ZOOM_STEP: f64 = 1.25;

const MM_W: f64 = 200.0;
const MM_H: f64 = 130.0;

#[component]
fn Minimap() -> impl IntoView {
    let ed = use_editor();
    let dragging = StoredValue::new(false);
    // World area shown by the minimap: the diagram plus the visible area, at the minimap's aspect.
    let frame = Memo::new(move |_| {
        let (w, h) = ed.canvas_size.get();
        let vis = ed.viewport.get().visible(w, h);
        let b = ed.scene.with(|s| s.bounds).map(|b| b.union(&vis)).unwrap_or(vis).inflate(40.0);
        let scale = (b.w / MM_W).max(b.h / MM_H);
        let (fw, fh) = (MM_W * scale, MM_H * scale);
        Rect::new(b.center().x - fw / 2.0, b.center().y - fh / 2.0, fw, fh)
    });
    let nodes_path = Memo::new(move |_| {
        ed.scene.with(|s| {
            let mut p = String::with_capacity(s.nodes.len() * 32);
            for n in &s.nodes {
                p.push_str(&format!(
                    "M{:.0} {:.0}h{:.0}v{:.0}h-{:.0}z",
                    n.rect.x, n.rect.y, n.rect.w, n.rect.h, n.rect.w
                ));
            }
            p
        })
    });
    let containers_path = Memo::new(move |_| {
        ed.scene.with(|s| {
            let mut p = String::new();
            for c in &s.containers {
                p.push_str(&format!(
                    "M{:.0} {:.0}h{:.0}v{:.0}h-{:.0}z",
                    c.rect.x, c.rect.y, c.rect.w, c.rect.h, c.rect.w
                ));
            }
            p
        })
    });
    let view_rect = move || {
        let (w, h) = ed.canvas_size.get();
        ed.viewport.get().visible(w, h)
    };
    let jump = move |ev: &web_sys::PointerEvent| {
        let Some(t) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let p = local_point(&t, ev.client_x() as f64, ev.client_y() as f64);
        let f = frame.get_untracked();
        let world = Point::new(f.x + p.x / MM_W * f.w, f.y + p.y / MM_H * f.h);
        let (w, h) = ed.canvas_size.get_untracked();
        ed.viewport.update(|v| *v = v.center_on(world, w, h));
    };
    let hidden = move || ed.scene.with(|s| s.nodes.is_empty() && s.containers.is_empty());
    view! {
        <svg
            class="minimap"
            class:hidden=hidden
            data-testid="minimap"
            role="img"
            aria-label="Minimap: click to move the view"
            width=MM_W
            height=MM_H
            viewBox=move || { let f = frame.get(); format!("{} {} {} {}", f.x, f.y, f.w, f.h) }
            on:pointerdown=move |ev| {
                dragging.set_value(true);
                if let Some(t) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                jump(&ev);
            }
            on:pointermove=move |ev| if dragging.get_value() { jump(&ev) }
            on:pointerup=move |_| dragging.set_value(false)
        >
            <path class="mm-containers" d=move || containers_path.get()></path>
            <path class="mm-nodes" d=move || nodes_path.get()></path>
            <rect class="mm-view" x=move || view_rect().x y=move || view_rect().y width=move || view_rect().w height=move || view_rect().h></rect>
        </svg>
    }
}

#[component]
fn NoticeLine() -> impl IntoView {
    let ed = use_editor();
    view! {
        {move || ed.notice.get().map(|n| view! {
            <div class=if n.error { "notice notice-error" } else { "notice" } data-testid="notice" role=if n.error { "alert" } else { "status" }>
                <span data-testid="notice-text">{n.text.clone()}</span>
                {n.action.clone().map(|a| match a {
                    NoticeAction::Restore(id) => view! {
                        <button class="btn notice-action" data-testid="notice-undo" on:click=move |_| { ed.notice.set(None); ed.restore(&id) }>"Undo"</button>
                    },
                })}
                <button class="icon-btn" aria-label="Dismiss" data-testid="notice-dismiss" on:click=move |_| ed.notice.set(None)>"×"</button>
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wheel_event_zooms_at_most_one_step() {
        // A mouse notch with Ctrl held (100 px) used to zoom by e^-1 (49% -> 18%).
        assert_eq!(wheel_zoom_factor(100.0, 0, true), 1.0 / ZOOM_STEP);
        assert_eq!(wheel_zoom_factor(-100.0, 0, true), ZOOM_STEP);
        // Lines (Firefox) are 16 px each.
        assert_eq!(wheel_zoom_factor(3.0, 1, false), (-3.0f64 * 16.0 * 0.0015).exp());
        // A trackpad's pinch arrives as small Ctrl+wheel deltas, followed proportionally.
        let pinch = wheel_zoom_factor(-4.0, 0, true);
        assert!((pinch - 0.04f64.exp()).abs() < 1e-12 && pinch < ZOOM_STEP);
        // A plain scroll follows the distance rolled.
        assert_eq!(wheel_zoom_factor(100.0, 0, false), (-0.15f64).exp());
        assert_eq!(wheel_zoom_factor(-200.0, 0, false), 0.3f64.exp());
    }
}
