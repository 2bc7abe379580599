//! A structured parameter (a distribution, an arrival pattern, a disk step) edited with real
//! controls: a choice of shape, then a number field for each of that shape's numbers, as the
//! core's catalog describes them ([`strata_core::catalog::Form`]). Each change is written as
//! the parameter's JSON and goes through the same check and commit as any other field.

use std::collections::BTreeMap;

use leptos::prelude::*;
use strata_core::catalog::Form;

/// The shape and numbers of a parameter's current JSON (`""` or `null`: absent).
fn current(form: &Form, value: &str) -> (&'static str, BTreeMap<String, f64>) {
    let v: serde_json::Value = serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
    let numbers: BTreeMap<String, f64> = v
        .as_object()
        .map(|o| o.iter().filter_map(|(k, n)| Some((k.clone(), n.as_f64()?))).collect())
        .unwrap_or_default();
    let shape = match form.tag {
        Some(tag) => v.get(tag).and_then(|t| t.as_str()).and_then(|t| form.variants.iter().find(|x| x.value == t)),
        None if v.is_null() => form.variants.iter().find(|x| x.fields.is_empty()),
        None => form.variants.iter().find(|x| !x.fields.is_empty()),
    };
    (shape.or(form.variants.first()).map_or("", |s| s.value), numbers)
}

/// The controls for parameter `name` whose JSON is `value`. `write` gets the JSON of each
/// change; `refuse` the reason a typed number is not one.
pub fn form_field(
    form: &'static Form,
    name: &'static str,
    value: &str,
    write: impl Fn(String) + Clone + Send + Sync + 'static,
    refuse: impl Fn(String) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let (shape, numbers) = current(form, value);
    let numbers = StoredValue::new(numbers);
    let choose = {
        let write = write.clone();
        move |ev| {
            let to = event_target_value(&ev);
            write(form.json(&to, &|n| numbers.with_value(|m| m.get(n).copied())));
        }
    };
    let fields = form
        .variants
        .iter()
        .find(|v| v.value == shape)
        .map(|v| v.fields)
        .unwrap_or_default()
        .iter()
        .map(|f| {
            let shown = numbers.with_value(|m| m.get(f.name).copied()).unwrap_or(f.start);
            let (write, refuse) = (write.clone(), refuse.clone());
            let set = move |text: String| {
                let t = text.trim();
                match t.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        numbers.update_value(|m| {
                            m.insert(f.name.to_string(), n);
                        });
                        write(form.json(shape, &|k| numbers.with_value(|m| m.get(k).copied())));
                    }
                    _ => refuse(format!("{}: `{t}` is not a number", f.name)),
                }
            };
            view! {
                <label class="form-num">
                    <span class="form-num-name">{f.name.replace('_', " ")}</span>
                    <input type="text" inputmode="decimal" class="field-input" data-testid=format!("param-{name}-{}", f.name)
                        value=format!("{shown}")
                        // Enter commits too: a text field's change fires on Enter as on leaving it.
                        on:change=move |ev| set(event_target_value(&ev)) />
                    <span class="unit">{f.unit}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <div class="form-field" data-testid=format!("form-{name}") data-shape=shape>
            <select class="field-input" id=format!("f-{name}") data-testid=format!("param-{name}") on:change=choose>
                {form.variants.iter().map(|v| view! { <option value=v.value selected=v.value == shape>{v.label}</option> }).collect_view()}
            </select>
            {fields}
        </div>
    }
}
