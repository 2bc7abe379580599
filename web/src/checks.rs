//! What the editor asks the simulation worker about the open design rather than about a run:
//! the validation and lint findings (kept current as the document changes), a connection's
//! reachability hop by hop, and the CloudFormation template. The worker has the validator, the
//! layers and the exporter already; asking it keeps them out of the page's bundle.

use leptos::prelude::*;
use strata_worker::answers::{Question, Reach, Reply};

use crate::live::client::Live;
use crate::state::Editor;

/// Keeps `ed.diagnostics` equal to the worker's findings for the document: asked again after
/// every change of the design (moving things does not ask), and only the newest answer is shown
/// (an older one arriving late is dropped).
pub fn keep_diagnostics(ed: Editor, live: Live) {
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let design = ed.design.get();
        // An empty canvas is not a problem to report.
        let empty = ed.doc.with_untracked(|d| d.topology.components.is_empty() && d.topology.containers.is_empty());
        let design = (!empty).then_some(design);
        let n = asked.get_value() + 1;
        asked.set_value(n);
        let Some(design) = design else {
            ed.diagnostics.set(Vec::new());
            return;
        };
        live.ask(design, Question::Diagnose, move |reply| {
            if asked.get_value() != n {
                return;
            }
            match reply {
                Reply::Diagnostics(found) => ed.diagnostics.set(found),
                Reply::Unreadable(why) => ed.notify(why, true),
                _ => {}
            }
        });
    });
}

/// Connection `index`'s reachability through the network layer, hop by hop, with the blocking
/// hop and its fix; nothing when the design models no network under its instances or an end
/// has no network interface. Asked when shown (the inspector rebuilds it after every edit).
#[component]
pub fn Reachability(design: String, index: usize) -> impl IntoView {
    let answer: RwSignal<Option<Reach>> = RwSignal::new(None);
    crate::live::client::use_live().ask(design, Question::Reachability { index }, move |reply| {
        if let Reply::Reachability(r) = reply {
            // The view may be gone by now (another selection, another edit).
            let _ = answer.try_set(r);
        }
    });
    move || {
        answer.get().map(|r| {
            let hops = r
                .hops
                .into_iter()
                .map(|h| {
                    view! {
                        <li class=if h.passed { "hop hop-pass" } else { "hop hop-block" } data-testid="reach-hop" data-passed=h.passed.to_string()>
                            <strong>{if h.passed { "✓ " } else { "✗ " }}{h.label}" "{h.component}</strong>
                            " "{h.detail}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="drill-sec" data-testid="reachability" data-reachable=r.reachable.to_string()>
                    <h3>{format!("Reachability on port {}", r.port)}</h3>
                    <p class="field-help">{format!("{} → {}: {}", r.source, r.destination, if r.reachable { "reachable both ways" } else { "blocked" })}</p>
                    <ol class="drill-list">{hops}</ol>
                </section>
            }
        })
    }
}

/// Downloads a CloudFormation template of what the design can express, saying what it left out;
/// a design AWS would not deploy as drawn gets the reasons instead of a file.
pub fn export_cloudformation(ed: Editor, live: Live) {
    let design = ed.design.get_untracked();
    let file = format!("{}.cfn.json", crate::io::file_stem(ed));
    live.ask(design, Question::CloudFormation, move |reply| match reply {
        Reply::CloudFormation { problems, .. } if !problems.is_empty() => {
            ed.notify(
                format!("CloudFormation template not saved, AWS would not deploy this design: {}", problems.join("; ")),
                true,
            );
        }
        Reply::CloudFormation { json, skipped, .. } => {
            crate::js::download_text(&file, "application/json", &json);
            if !skipped.is_empty() {
                ed.notify(
                    format!("CloudFormation template saved; not expressible and left out: {}", skipped.join(", ")),
                    false,
                );
            }
        }
        Reply::Unreadable(why) => ed.notify(why, true),
        _ => {}
    });
}
