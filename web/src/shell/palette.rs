//! The left column: every component kind the core knows (from its catalog), grouped by
//! category with Strata's icons, plus the containers (region, AZ, VPC, subnets). Searchable.
//! Drag an item onto the canvas (mouse, pen or touch), or tap it or focus it and press Enter to
//! place it in the middle of the view; Enter in the search box places the first match.

use leptos::prelude::*;
use strata_core::catalog::{self, Category};
use strata_core::topology::ContainerKind;
use wasm_bindgen::JsCast;

use crate::editor::geom::Point;
use crate::editor::icons::{category_color, category_title, container_color, container_glyph, glyph};
use crate::editor::model::{container_kind_name, Placeable};
use crate::editor::search::{haystack, matches};
use crate::shell::canvas::{client_over, drop_placeable};
use crate::state::{use_editor, Drawer, Editor};

struct Item {
    placeable: Placeable,
    name: &'static str,
    summary: &'static str,
    testid: String,
}

fn groups() -> Vec<(&'static str, &'static str, Vec<Item>)> {
    let containers = [
        (ContainerKind::Region, false, "A geographic region: the outermost box."),
        (ContainerKind::Az, false, "An availability zone: an isolated failure domain inside a region."),
        (ContainerKind::Vpc, false, "A virtual private cloud with its own address block."),
        (ContainerKind::Subnet, true, "A subnet with a route to the internet gateway (load balancers, NAT)."),
        (ContainerKind::Subnet, false, "A subnet with no inbound route from the internet (instances, databases)."),
    ];
    let mut out = vec![(
        "Groups",
        "#147eba",
        containers
            .iter()
            .map(|&(k, public, summary)| Item {
                placeable: Placeable::Container(k, public),
                name: container_kind_name(k, public),
                summary,
                testid: format!("palette-{}", container_kind_name(k, public).to_lowercase().replace(' ', "-")),
            })
            .collect(),
    )];
    for cat in [
        Category::Traffic,
        Category::Networking,
        Category::Compute,
        Category::Database,
        Category::Storage,
        Category::Integration,
    ] {
        let items: Vec<Item> = catalog::KINDS
            .iter()
            .filter(|k| k.category == cat)
            .map(|k| Item {
                placeable: Placeable::Component(k.kind),
                name: k.name,
                summary: k.summary,
                testid: format!("palette-{}", k.kind.tag()),
            })
            .collect();
        if !items.is_empty() {
            out.push((category_title(cat), category_color(cat), items));
        }
    }
    out
}

/// The icon of a palette item.
pub fn item_icon(p: Placeable) -> impl IntoView {
    match p {
        Placeable::Component(k) => {
            let color = category_color(catalog::kind_info(k).category);
            view! {
                <svg class="pal-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <rect width="24" height="24" rx="5" style=format!("fill:{color}")></rect>
                    <g transform="translate(4 4) scale(0.6667)" class="pal-glyph"><path d=glyph(k)></path></g>
                </svg>
            }
            .into_any()
        }
        Placeable::Container(k, public) => {
            let color = container_color(k, public);
            view! {
                <svg class="pal-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <rect x="1" y="1" width="22" height="22" rx="5" class="pal-frame" style=format!("stroke:{color}")></rect>
                    <g transform="translate(4 4) scale(0.6667)" class="pal-glyph-c" style=format!("stroke:{color}")><path d=container_glyph(k)></path></g>
                </svg>
            }
            .into_any()
        }
    }
}

#[component]
pub fn Palette() -> impl IntoView {
    let ed = use_editor();
    let (query, set_query) = signal(String::new());
    let groups = groups();
    // Every item in the order shown, with what it answers to (for Enter in the search box).
    let all: Vec<(Placeable, String)> = groups
        .iter()
        .flat_map(|(_, _, items)| items.iter().map(|i| (i.placeable, haystack(i.placeable, i.name, i.summary))))
        .collect();
    let sections = groups
        .into_iter()
        .map(|(title, color, items)| {
            let names: Vec<String> = items.iter().map(|i| haystack(i.placeable, i.name, i.summary)).collect();
            let names2 = names.clone();
            let visible = move || query.with(|q| names.iter().any(|n| matches(n, q)));
            let rows = items
                .into_iter()
                .zip(names2)
                .map(|(item, hay)| {
                    let p = item.placeable;
                    let shown = move || query.with(|q| matches(&hay, q));
                    view! {
                        <li
                            class="pal-item"
                            class:hidden=move || !shown()
                            data-testid=item.testid
                            tabindex="0"
                            role="button"
                            aria-label=format!("{}: {} Drag onto the canvas, or press Enter to add.", item.name, item.summary)
                            title=item.summary
                            on:pointerdown=move |ev| {
                                if ev.button() != 0 { return; }
                                ev.prevent_default();
                                if let Some(t) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                                    let _ = t.release_pointer_capture(ev.pointer_id());
                                }
                                ed.palette_drag.set(Some((p, ev.client_x() as f64, ev.client_y() as f64)));
                            }
                            on:click=move |_| close_drawer(ed)
                            on:keydown=move |ev| {
                                if ev.key() == "Enter" || ev.key() == " " {
                                    ev.prevent_default();
                                    place_in_view(ed, p);
                                }
                            }
                        >
                            {item_icon(p)}
                            <span class="pal-name">{item.name}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="pal-group" class:hidden=move || !visible()>
                    <h3 class="pal-title"><span class="pal-swatch" style=format!("background:{color}")></span>{title}</h3>
                    <ul class="pal-list">{rows}</ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <aside class="panel palette" data-testid="palette" aria-label="Component palette">
            <button class="btn btn-ghost narrow-only drawer-close" data-testid="palette-close" aria-label="Close the components"
                on:click=move |_| ed.drawer.set(None)>"×"</button>
            <h2 class="panel-title">"Components"</h2>
            <input
                class="search"
                type="search"
                placeholder="Search: redis, cdn, lb…"
                aria-label="Search components"
                data-testid="palette-search"
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
                on:keydown=move |ev| match ev.key().as_str() {
                    // Enter places the first match in the middle of the view; Escape clears.
                    "Enter" => {
                        let first = query.with_untracked(|q| {
                            (!q.trim().is_empty()).then(|| all.iter().find(|(_, hay)| matches(hay, q)).map(|(p, _)| *p)).flatten()
                        });
                        if let Some(p) = first {
                            ev.prevent_default();
                            place_in_view(ed, p);
                        }
                    }
                    "Escape" => set_query.set(String::new()),
                    _ => {}
                }
            />
            <div class="pal-groups">{sections}</div>
        </aside>
    }
}

/// Adds `p` at the centre of the view (Enter on an item, or a tap), and closes the palette's
/// drawer on a narrow screen so the new component can be seen.
fn place_in_view(ed: Editor, p: Placeable) {
    add_in_view(ed, p);
    close_drawer(ed);
}

/// Adds `p` in the middle of the view.
fn add_in_view(ed: Editor, p: Placeable) {
    let (w, h) = ed.canvas_size.get_untracked();
    let c = ed.viewport.get_untracked().to_world(Point::new(w / 2.0, h / 2.0));
    drop_placeable(ed, p, c);
}

/// Closes the palette's drawer (on a narrow screen) once something was added from it.
fn close_drawer(ed: Editor) {
    if ed.drawer.get_untracked() == Some(Drawer::Palette) {
        ed.drawer.set(None);
    }
}

/// The point is over the palette (which, as an open drawer, lies over the canvas; closed, it is
/// moved off screen).
fn over_palette(x: f64, y: f64) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=palette]").ok().flatten())
        .is_some_and(|el| client_over(&el, x, y))
}

/// How far the pointer may move between press and release on an item for it to count as a
/// tap (which adds the item in view) rather than a drag, in CSS px.
const TAP_SLOP: f64 = 6.0;

/// The ghost that follows the pointer while a palette item is dragged, and the drop itself
/// (or, released where it was pressed, a tap: the item is added in view).
#[component]
pub fn PaletteDragLayer() -> impl IntoView {
    let ed = use_editor();
    let canvas_el = move || -> Option<web_sys::Element> {
        web_sys::window()?.document()?.query_selector("[data-testid=canvas-stage]").ok().flatten()
    };
    let update_target = move |x: f64, y: f64| {
        let target = canvas_el().filter(|el| client_over(el, x, y)).and_then(|el| {
            let r = el.get_bounding_client_rect();
            let w = ed.viewport.get_untracked().to_world(Point::new(x - r.left(), y - r.top()));
            ed.doc.with_untracked(|d| d.container_at(w, &Default::default()))
        });
        if ed.drop_target.get_untracked() != target {
            ed.drop_target.set(target);
        }
    };
    // Where the drag started (the press), until it is released.
    let origin = StoredValue::new(None::<(f64, f64)>);
    let mv = window_event_listener(leptos::ev::pointermove, move |ev| {
        if let Some((p, x0, y0)) = ed.palette_drag.get_untracked() {
            if origin.get_value().is_none() {
                origin.set_value(Some((x0, y0)));
            }
            let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
            ed.palette_drag.set(Some((p, x, y)));
            update_target(x, y);
        }
    });
    let up = window_event_listener(leptos::ev::pointerup, move |ev| {
        if let Some((p, x0, y0)) = ed.palette_drag.get_untracked() {
            let (sx, sy) = origin.get_value().unwrap_or((x0, y0));
            origin.set_value(None);
            ed.palette_drag.set(None);
            ed.drop_target.set(None);
            let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
            if (x - sx).hypot(y - sy) <= TAP_SLOP {
                // The drawer closes on the tap's click (on the item): closed now, the click
                // would land on whatever lies under the finger once it is gone.
                add_in_view(ed, p);
            } else if let Some(el) = canvas_el().filter(|el| client_over(el, x, y) && !over_palette(x, y)) {
                let r = el.get_bounding_client_rect();
                let world = ed.viewport.get_untracked().to_world(Point::new(x - r.left(), y - r.top()));
                drop_placeable(ed, p, world);
                close_drawer(ed);
            }
        }
    });
    let cancel = window_event_listener(leptos::ev::pointercancel, move |_| {
        origin.set_value(None);
        ed.palette_drag.set(None);
        ed.drop_target.set(None);
    });
    on_cleanup(move || {
        mv.remove();
        up.remove();
        cancel.remove();
    });
    view! {
        {move || ed.palette_drag.get().map(|(p, x, y)| view! {
            <div class="drag-ghost" data-testid="drag-ghost" style=format!("left:{}px;top:{}px", x - 20.0, y - 20.0) aria-hidden="true">
                {item_icon(p)}
            </div>
        })}
    }
}
