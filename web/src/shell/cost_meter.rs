//! The cost meter in the strip: what the run costs per hour now and has cost so far, by
//! category as a stacked bar, and by component (with each charge) when expanded. The figures are
//! the engine's own bill for the simulated time of the strip's figures (`strata_worker::cost`);
//! this file only formats them.

use leptos::prelude::*;
use strata_worker::cost::{CostMeter as Figures, MeterComponent, MeterLine};

use crate::live::client::use_live;

/// Dollars: four decimals under $10 (a short run costs fractions of a cent), two from there.
pub fn usd(x: f64) -> String {
    if x.abs() < 10.0 {
        format!("${x:.4}")
    } else {
        format!("${x:.2}")
    }
}

/// A quantity or a unit price with four significant digits, trailing zeros dropped
/// (`0.085`, `2.5`, `150000`, `0.0000004`).
pub fn sig(x: f64) -> String {
    let mut y = x.abs();
    let mut decimals = 0;
    while y > 0.0 && y < 1000.0 && decimals < 12 {
        y *= 10.0;
        decimals += 1;
    }
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A category's name in words: `load_balancing` -> `load balancing`.
pub fn category_label(name: &str) -> String {
    name.replace('_', " ")
}

/// One charge in words: `instance-hours: 0.1944 hour × $0.085 = $0.0165 ($0.1700/h now)`.
pub fn line_text(l: &MeterLine) -> String {
    format!(
        "{}: {} {} × ${} = {} ({}/h now)",
        l.item,
        sig(l.quantity),
        l.unit,
        sig(l.unit_price),
        usd(l.accumulated),
        usd(l.per_hour_now)
    )
}

/// A component's charges, one per line (the row's tooltip).
pub fn component_text(c: &MeterComponent) -> String {
    let mut t = format!("{} ({})", c.id, c.kind);
    for l in &c.lines {
        t.push('\n');
        t.push_str(&line_text(l));
    }
    t
}

/// The meter: an empty state before the run's first figures, then the bill as of them. The
/// parts are re-drawn with each refresh of the figures (ten times a second while playing, never
/// while paused), the way the strip's table is.
#[component]
pub fn CostMeter() -> impl IntoView {
    let live = use_live();
    let open = RwSignal::new(false);
    // The bill is read in place from the latest figures (it changes only with them).
    let has = move || live.summary.with(Option::is_some);
    let figure = move |f: fn(&Figures) -> f64| live.summary.with(|s| s.as_ref().map(|s| f(&s.cost)));
    let title = move || {
        live.summary.with(|s| {
            s.as_ref().map(|s| {
                let c = &s.cost;
                format!(
                    "USD at {} on-demand list prices ({}), no free tier. Per hour now: what runs now, plus requests and traffic at the last second's rate. So far: since the run started.",
                    c.region, c.prices_as_of
                )
            })
        })
    };
    // The categories with a charge: a bar of their shares of the rate now, then each in words.
    let categories = move || {
        live.summary.with(|s| {
            let c = &s.as_ref()?.cost;
            let charged = || c.by_category.iter().filter(|k| k.per_hour_now > 0.0 || k.accumulated > 0.0);
            let total = c.per_hour_now;
            let bar = charged()
                .map(|k| {
                    let share = if total > 0.0 { k.per_hour_now / total } else { 0.0 };
                    view! { <span class=format!("cost-seg cost-cat-{}", k.name) style=format!("flex-grow: {share}")></span> }
                })
                .collect_view();
            let words = charged()
                .map(|k| {
                    let label = category_label(&k.name);
                    let title = format!("{label}: {}/h now, {} so far", usd(k.per_hour_now), usd(k.accumulated));
                    view! {
                        <span
                            class="cost-category"
                            data-category=k.name.clone()
                            data-per-hour=k.per_hour_now.to_string()
                            data-accumulated=k.accumulated.to_string()
                            title=title
                        >
                            <i class=format!("cost-swatch cost-cat-{}", k.name)></i>
                            {label}" "<b>{format!("{}/h", usd(k.per_hour_now))}</b>
                        </span>
                    }
                })
                .collect_view();
            Some(view! {
                <span class="cost-bar" aria-hidden="true">{bar}</span>
                <span class="cost-categories" data-testid="cost-categories">{words}</span>
            })
        })
    };
    let components = move || {
        live.summary.with(|s| {
            s.as_ref().map(|s| {
                s.cost
                    .by_component
                    .iter()
                    .map(|k| {
                        let charges = k.lines.iter().map(|l| l.item.as_str()).collect::<Vec<_>>().join(", ");
                        view! {
                            <tr data-testid=format!("cost-component-{}", k.id) title=component_text(k)>
                                <th scope="row">{k.id.clone()}</th>
                                <td>{k.kind.clone()}</td>
                                <td data-per-hour=k.per_hour_now.to_string()>{format!("{}/h", usd(k.per_hour_now))}</td>
                                <td data-accumulated=k.accumulated.to_string()>{usd(k.accumulated)}</td>
                                <td class="cost-lines">{charges}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    // The components not listed by name (a large design), added up.
    let others = move || {
        live.summary.with(|s| {
            s.as_ref().and_then(|s| s.cost.others.clone()).map(|o| {
                view! {
                    <tr data-testid="cost-others" data-count=o.count.to_string()>
                        <th scope="row">{format!("{} more", o.count)}</th>
                        <td></td>
                        <td data-per-hour=o.per_hour_now.to_string()>{format!("{}/h", usd(o.per_hour_now))}</td>
                        <td data-accumulated=o.accumulated.to_string()>{usd(o.accumulated)}</td>
                        <td class="cost-lines">"components with smaller charges, together"</td>
                    </tr>
                }
            })
        })
    };
    view! {
        <section
            class="cost-meter"
            data-testid="cost-meter"
            aria-label="Cost of the run"
            data-state=move || if has() { "live" } else { "empty" }
            data-time-ns=move || live.summary.with(|s| s.as_ref().map(|s| s.time_ns.to_string()))
            data-per-hour=move || figure(|c| c.per_hour_now).map(|x| x.to_string())
            data-accumulated=move || figure(|c| c.accumulated).map(|x| x.to_string())
            title=title
        >
            <span class="cost-title">"Cost"</span>
            <span class="cost-empty" data-testid="cost-empty" hidden=has>
                "— per hour, — so far: the meter runs with the simulation, at public on-demand prices."
            </span>
            <span class="cost-figures" hidden=move || !has()>
                <strong class="cost-figure" data-testid="cost-per-hour">
                    {move || figure(|c| c.per_hour_now).map(|x| format!("{}/h", usd(x)))}
                </strong>
                <span class="cost-muted">" now · "</span>
                <strong class="cost-figure" data-testid="cost-accumulated">
                    {move || figure(|c| c.accumulated).map(usd)}
                </strong>
                <span class="cost-muted">" so far"</span>
            </span>
            {categories}
            <details
                class="cost-breakdown"
                data-testid="cost-breakdown"
                hidden=move || !has()
                prop:open=move || open.get()
                on:toggle=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(d) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()) {
                        open.set(d.open());
                    }
                }
            >
                <summary>"by component"</summary>
                <table class="run-table cost-table">
                    <thead>
                        <tr>
                            <th scope="col">"Component"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Per hour now"</th>
                            <th scope="col">"So far"</th>
                            <th scope="col">"Charges"</th>
                        </tr>
                    </thead>
                    <tbody>{components}{others}</tbody>
                </table>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_keep_fractions_of_a_cent_below_ten() {
        assert_eq!(usd(0.0), "$0.0000");
        assert_eq!(usd(0.008942802511613081), "$0.0089");
        assert_eq!(usd(2.024736964766881), "$2.0247");
        assert_eq!(usd(1234.567), "$1234.57");
    }

    #[test]
    fn quantities_and_unit_prices_keep_four_significant_digits() {
        assert_eq!(sig(0.085), "0.085");
        assert_eq!(sig(0.0000004), "0.0000004");
        assert_eq!(sig(150_000.0), "150000");
        assert_eq!(sig(2.5), "2.5");
        assert_eq!(sig(0.19444444), "0.1944");
        assert_eq!(sig(0.0), "0");
    }

    #[test]
    fn a_charge_reads_as_quantity_times_price() {
        let l = MeterLine {
            item: "instance-hours".into(),
            category: "compute".into(),
            quantity: 0.19444444,
            unit: "hour".into(),
            unit_price: 0.085,
            accumulated: 0.19444444 * 0.085,
            per_hour_now: 0.17,
        };
        assert_eq!(line_text(&l), "instance-hours: 0.1944 hour × $0.085 = $0.0165 ($0.1700/h now)");
        assert_eq!(category_label("load_balancing"), "load balancing");
    }
}
