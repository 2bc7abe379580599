//! The right column: the parameters of whatever is selected, generated from the core's catalog
//! (unit, default, valid range, one-line explanation; invalid values are refused with the
//! reason and never stored, the engine's worker judging each edit against the core's
//! validation), and below it the live list of problems (validation and lint), each a button
//! that selects and shows its element.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use strata_core::catalog::{self, ParamType};
use strata_core::topology::{ContainerKind, Topology};
use strata_worker::answers::{Question, Reply};

use crate::editor::model::container_kind_name;
use crate::editor::params::{apply_container, apply_param, apply_share, field_text, range_text, ContainerField};
use crate::live::client::{use_live, Live};
use crate::shell::palette::item_icon;
use crate::state::{use_editor, Editor};

type Errors = RwSignal<BTreeMap<String, String>>;

fn commit(ed: Editor, errors: Errors, key: String, result: Result<strata_core::topology::Topology, String>) {
    match result {
        Ok(t) => {
            errors.update(|e| {
                e.remove(&key);
            });
            ed.replace_topology(t);
        }
        Err(reason) => errors.update(|e| {
            e.insert(key, reason);
        }),
    }
}

/// Commits a parameter edit of component `id` once the engine's worker finds it brings no new
/// validation error on that component (the rules live with the engine); a refused edit leaves
/// the document as it was and says why under the field.
fn commit_checked(ed: Editor, errors: Errors, live: Live, key: String, id: &str, result: Result<Topology, String>) {
    let next = match result {
        Ok(next) => next,
        Err(reason) => return commit(ed, errors, key, Err(reason)),
    };
    let Some(index) = next.components.iter().position(|c| c.id == id) else { return };
    // The design as the worker reads it is already written out (`ed.design`).
    let before = ed.design.get_untracked();
    let question = Question::NewParameterError { before: before.clone(), index };
    live.ask(next.to_json(), question, move |reply| {
        // Checked against the document as it was: an edit made in between is never overwritten.
        if ed.design.with_untracked(|d| *d != before) {
            return commit(
                ed,
                errors,
                key,
                Err("The document changed while this value was checked; enter it again.".into()),
            );
        }
        match reply {
            Reply::NewParameterError(None) => commit(ed, errors, key, Ok(next)),
            Reply::NewParameterError(Some(why)) | Reply::Unreadable(why) => commit(ed, errors, key, Err(why)),
            _ => {}
        }
    });
}

fn error_line(errors: Errors, key: &str) -> impl IntoView {
    let k = key.to_string();
    let k2 = key.to_string();
    move || {
        errors.with(|e| e.get(&k).cloned()).map(|msg| {
            view! { <p class="field-error" role="alert" data-testid=format!("param-error-{}", k2)>{msg}</p> }
        })
    }
}

fn text_field(
    ed: Editor,
    errors: Errors,
    key: &str,
    label: &str,
    value: String,
    apply: impl Fn(&str) -> Result<strata_core::topology::Topology, String> + 'static + Clone,
) -> impl IntoView {
    let key_s = key.to_string();
    view! {
        <div class="field">
            <label class="field-label" for=format!("f-{key}")>{label.to_string()}</label>
            <input
                id=format!("f-{key}")
                class="field-input"
                type="text"
                data-testid=format!("param-{key}")
                value=value
                // Enter commits too: a text field's change fires on Enter as on leaving it (a
                // second commit on Enter was refused as "the document changed").
                on:change=move |ev| commit(ed, errors, key_s.clone(), apply(&event_target_value(&ev)))
            />
            {error_line(errors, key)}
        </div>
    }
}

#[component]
pub fn Inspector() -> impl IntoView {
    let ed = use_editor();
    let live = use_live();
    let errors: Errors = RwSignal::new(BTreeMap::new());
    // Errors belong to the fields of one selection.
    Effect::new(move |_| {
        ed.selection.track();
        errors.set(BTreeMap::new());
    });
    let body = move || {
        let sel: BTreeSet<String> = ed.selection.get();
        let doc = ed.doc.get();
        let t = doc.topology.clone();
        if sel.is_empty() {
            let n = (t.components.len(), t.containers.len(), t.connections.len());
            let tn = t.clone();
            let td = t.clone();
            return view! {
                <div class="insp-section" data-testid="inspector-empty">
                    <p class="empty-hint">"Select a component to see and edit its parameters."</p>
                    {text_field(ed, errors, "doc-name", "Document name", t.name.clone(), move |v| { let mut x = tn.clone(); x.name = v.to_string(); Ok(x) })}
                    {text_field(ed, errors, "doc-description", "Description", t.description.clone(), move |v| { let mut x = td.clone(); x.description = v.to_string(); Ok(x) })}
                    <p class="insp-stats">{format!("{} components, {} containers, {} connections", n.0, n.1, n.2)}</p>
                </div>
            }
            .into_any();
        }
        if sel.len() > 1 {
            return view! {
                <div class="insp-section" data-testid="inspector-multi">
                    <p>{format!("{} items selected", sel.len())}</p>
                    <p class="empty-hint">"Drag to move them together; Ctrl+D duplicates, Delete removes, arrow keys nudge."</p>
                </div>
            }
            .into_any();
        }
        let id = sel.iter().next().cloned().unwrap_or_default();
        if let Some(c) = t.component(&id).cloned() {
            let info = catalog::kind_info(c.spec.kind());
            let tl = t.clone();
            let idl = id.clone();
            let container = c
                .container
                .clone()
                .and_then(|cid| {
                    t.container(&cid).map(|x| format!("{} ({})", x.label, container_kind_name(x.kind, x.public)))
                })
                .unwrap_or_else(|| "none (global)".into());
            let params = info
                .params
                .iter()
                .map(|p| {
                    let value = field_text(&c, p.name);
                    let (t2, id2) = (t.clone(), id.clone());
                    let apply = move |v: &str| apply_param(&t2, &id2, p, v);
                    let commit = {
                        let id = id.clone();
                        move |ed, errors, key, result| commit_checked(ed, errors, live, key, &id, result)
                    };
                    let unit = if p.unit.is_empty() { String::new() } else { format!(" ({})", p.unit) };
                    let hint = {
                        let mut h = p.help.to_string();
                        if let Some(r) = range_text(p) {
                            h.push_str(&format!(" Valid: {r}."));
                        }
                        h.push_str(&format!(" Default: {}.", p.default.trim_matches('"')));
                        h
                    };
                    let key = p.name.to_string();
                    let input = match p.ty {
                        ParamType::Bool => {
                            let checked = value == "true";
                            let (apply, commit) = (apply.clone(), commit.clone());
                            let key = key.clone();
                            view! {
                                <input type="checkbox" class="field-check" id=format!("f-{}", p.name) data-testid=format!("param-{}", p.name) prop:checked=checked
                                    on:change=move |ev| commit(ed, errors, key.clone(), apply(if event_target_checked(&ev) { "true" } else { "false" })) />
                            }
                            .into_any()
                        }
                        ParamType::Choice { options } => {
                            let (apply, commit) = (apply.clone(), commit.clone());
                            let key = key.clone();
                            view! {
                                <select class="field-input" id=format!("f-{}", p.name) data-testid=format!("param-{}", p.name)
                                    on:change=move |ev| commit(ed, errors, key.clone(), apply(&event_target_value(&ev)))>
                                    {options.iter().map(|o| view! { <option value=*o selected=*o == value>{*o}</option> }).collect_view()}
                                </select>
                            }
                            .into_any()
                        }
                        ty if catalog::form(ty).is_some() => {
                            let form = catalog::form(ty).unwrap_or(&catalog::DISK_FORM);
                            let (apply, commit) = (apply.clone(), commit.clone());
                            let (k1, k2) = (key.clone(), key.clone());
                            crate::shell::form_field::form_field(
                                form,
                                p.name,
                                &value,
                                move |json| commit(ed, errors, k1.clone(), apply(&json)),
                                move |why| self::commit(ed, errors, k2.clone(), Err(why)),
                            )
                            .into_any()
                        }
                        _ => {
                            let k1 = key.clone();
                            let wide = matches!(p.ty, ParamType::Number | ParamType::Integer);
                            view! {
                                <input type="text" class="field-input" class:mono=!wide id=format!("f-{}", p.name) data-testid=format!("param-{}", p.name) value=value
                                    placeholder=if p.default == "null" { "default" } else { "" }
                                    on:change=move |ev| commit(ed, errors, k1.clone(), apply(&event_target_value(&ev))) />
                            }
                            .into_any()
                        }
                    };
                    view! {
                        <div class="field">
                            <label class="field-label" for=format!("f-{}", p.name)>{p.name}<span class="unit">{unit}</span></label>
                            {input}
                            <p class="field-help">{hint}</p>
                            {error_line(errors, p.name)}
                        </div>
                    }
                })
                .collect_view();
            let others: Vec<(String, String)> = t
                .components
                .iter()
                .filter(|o| o.id != id && o.spec.kind() != strata_core::topology::ComponentKind::Client)
                .filter(|o| !t.connections.iter().any(|x| x.from == id && x.to == o.id))
                .take(500)
                .map(|o| {
                    (o.id.clone(), if o.label.is_empty() { o.id.clone() } else { format!("{} ({})", o.label, o.id) })
                })
                .collect();
            let from = id.clone();
            let calls = info.outgoing != catalog::Outgoing::None && !others.is_empty();
            let actions = view! {
                <div class="insp-actions">
                    {calls.then(|| view! {
                        <select class="field-input" data-testid="connect-to" aria-label="Connect to another component"
                            on:change=move |ev| {
                                let to = event_target_value(&ev);
                                if !to.is_empty() {
                                    if let Some(i) = ed.edit(|d| d.connect(&from, &to)) {
                                        ed.selection.set(BTreeSet::from([format!("conn:{i}")]));
                                    }
                                }
                            }>
                            <option value="" selected=true>"Connect to…"</option>
                            {others.into_iter().map(|(oid, name)| view! { <option value=oid>{name}</option> }).collect_view()}
                        </select>
                    })}
                    <button class="btn" data-testid="duplicate" title="Duplicate (Ctrl+D)" on:click=move |_| crate::keys::duplicate(ed)>"Duplicate"</button>
                    <button class="btn" data-testid="delete" title="Delete (Delete)" on:click=move |_| {
                        let sel = ed.selection.get_untracked();
                        ed.edit(|d| { d.delete(&sel); Ok(()) });
                        ed.selection.set(BTreeSet::new());
                    }>"Delete"</button>
                </div>
            };
            return view! {
                <div class="insp-section" data-testid="inspector-component">
                    <div class="insp-head">
                        {item_icon(crate::editor::model::Placeable::Component(info.kind))}
                        <div>
                            <div class="insp-kind">{info.name}</div>
                            <div class="insp-id">{id.clone()}" · in "{container}</div>
                        </div>
                    </div>
                    <p class="field-help">{info.summary}</p>
                    {actions}
                    {text_field(ed, errors, "label", "Label", c.label.clone(), move |v| {
                        let mut x = tl.clone();
                        if let Some(c) = x.components.iter_mut().find(|c| c.id == idl) { c.label = v.to_string(); }
                        Ok(x)
                    })}
                    {params}
                </div>
            }
            .into_any();
        }
        if let Some(c) = t.container(&id).cloned() {
            let (t1, t2, t3) = (t.clone(), t.clone(), t.clone());
            let (i1, i2, i3) = (id.clone(), id.clone(), id.clone());
            let has_cidr = matches!(c.kind, ContainerKind::Vpc | ContainerKind::Subnet);
            let subnet = c.kind == ContainerKind::Subnet;
            return view! {
                <div class="insp-section" data-testid="inspector-container">
                    <div class="insp-head">
                        {item_icon(crate::editor::model::Placeable::Container(c.kind, c.public))}
                        <div>
                            <div class="insp-kind">{container_kind_name(c.kind, c.public)}</div>
                            <div class="insp-id">{id.clone()}</div>
                        </div>
                    </div>
                    {text_field(ed, errors, "label", "Label", c.label.clone(), move |v| apply_container(&t1, &i1, ContainerField::Label, v))}
                    {has_cidr.then(|| text_field(ed, errors, "cidr", "CIDR block", c.cidr.clone().unwrap_or_default(), move |v| apply_container(&t2, &i2, ContainerField::Cidr, v)))}
                    {subnet.then(|| view! {
                        <div class="field">
                            <label class="field-label">
                                <input type="checkbox" class="field-check" data-testid="param-public" prop:checked=c.public
                                    on:change=move |ev| commit(ed, errors, "public".into(), apply_container(&t3, &i3, ContainerField::Public, if event_target_checked(&ev) { "true" } else { "false" })) />
                                " Public (routes to an internet gateway)"
                            </label>
                        </div>
                    })}
                    <p class="field-help">"Drag the box to move it with everything inside; drop it into another container to nest it."</p>
                </div>
            }
            .into_any();
        }
        if let Some(i) = id.strip_prefix("conn:").and_then(|i| i.parse::<usize>().ok()) {
            if let Some(conn) = t.connections.get(i).cloned() {
                let t1 = t.clone();
                return view! {
                    <div class="insp-section" data-testid="inspector-connection">
                        <div class="insp-kind">"Connection"</div>
                        <div class="insp-id">{format!("{} → {}", conn.from, conn.to)}</div>
                        {text_field(ed, errors, "share", "share", conn.share.to_string(), move |v| apply_share(&t1, i, v))}
                        <p class="field-help">"For routers (client, Route 53, ALB, caches, queues): relative weight of this path. For compute (EC2, ASG, Lambda): calls per request on average."</p>
                        <p class="field-help">{if conn.request_types.is_empty() { "Carries every request type.".to_string() } else { format!("Carries: {}", conn.request_types.join(", ")) }}</p>
                        <Bends conn=i/>
                        <crate::checks::Reachability design=t.to_json() index=i/>
                    </div>
                }
                .into_any();
            }
        }
        view! { <p class="empty-hint">"Nothing to show."</p> }.into_any()
    };
    view! {
        <aside class="panel inspector" data-testid="inspector" aria-label="Inspector">
            <button class="btn btn-ghost narrow-only drawer-close" data-testid="drawer-close" aria-label="Close the inspector"
                on:click=move |_| ed.drawer.set(None)>"×"</button>
            <crate::shell::run_panel::RunPanel/>
            <h2 class="panel-title">"Inspector"</h2>
            {body}
            <Problems/>
        </aside>
    }
}

/// How connection `conn`'s line is drawn: routed, or through the bends a person placed, which
/// can be taken away.
#[component]
fn Bends(conn: usize) -> impl IntoView {
    let ed = use_editor();
    let count = move || ed.doc.with(|d| d.waypoints(conn).len());
    let text = move || match count() {
        0 => "Routed around the boxes. Drag its line to bend it where you want.".to_string(),
        1 => "Drawn through 1 bend you placed: drag it to move it, double-click it to remove it.".to_string(),
        n => format!("Drawn through {n} bends you placed: drag one to move it, double-click it to remove it."),
    };
    view! {
        <div class="field" data-testid="bends">
            <p class="field-help">{text}</p>
            <button class="btn" data-testid="clear-bends" hidden=move || count() == 0
                on:click=move |_| { ed.edit(|d| { d.remove_waypoints(conn, None); Ok(()) }); }>"Route automatically"</button>
        </div>
    }
}

#[component]
fn Problems() -> impl IntoView {
    let ed = use_editor();
    let count = move || ed.diagnostics.with(|d| d.len());
    view! {
        <section class="problems" data-testid="problems" aria-label="Problems">
            <h2 class="panel-title">"Problems "<span class="count" data-testid="problem-count">{count}</span></h2>
            {move || (count() == 0).then(|| view! { <p class="empty-hint" data-testid="problems-empty">"No problems found."</p> })}
            <ul class="problem-list">
                {move || ed.diagnostics.get().into_iter().take(200).map(|d| {
                    let target = d.target.clone();
                    view! {
                        <li>
                            <button
                                class=format!("problem problem-{}", d.level.as_str())
                                data-testid="problem"
                                data-code=d.code
                                data-target=d.target.clone().unwrap_or_default()
                                on:click=move |_| if let Some(t) = &target { ed.focus(t) }
                            >
                                <span class="problem-level">{d.level.as_str()}</span>
                                <span class="problem-text">{d.target.clone().map(|t| format!("{t}: ")).unwrap_or_default()}{d.message.clone()}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
