//! Browser tests of the app shell, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts the app into a fresh container and returns that container.
fn mount_app() -> web_sys::HtmlElement {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), strata_web::App).forget();
    host
}

fn by_testid(root: &web_sys::HtmlElement, id: &str) -> Option<web_sys::Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap()
}

#[wasm_bindgen_test]
async fn shell_has_every_area() {
    let root = mount_app();
    leptos::task::tick().await;
    for id in ["header", "palette", "canvas", "inspector", "timeline"] {
        assert!(by_testid(&root, id).is_some(), "missing area {id}");
    }
    let header = by_testid(&root, "header").unwrap();
    assert!(header.text_content().unwrap().contains("Strata"));
    let empty = by_testid(&root, "canvas-empty").unwrap();
    assert!(empty.text_content().unwrap().contains("Drag a component here or open a template"));
    root.remove();
}

#[wasm_bindgen_test]
async fn theme_toggle_cycles_and_sets_html_attribute() {
    let root = mount_app();
    leptos::task::tick().await;
    let html = document().document_element().unwrap();
    let button: web_sys::HtmlElement = by_testid(&root, "theme-toggle").unwrap().unchecked_into();
    let before = html.get_attribute("data-theme").unwrap();
    button.click();
    leptos::task::tick().await;
    let after = html.get_attribute("data-theme").unwrap();
    assert_ne!(before, after, "the toggle must change the theme");
    assert!(["system", "light", "dark"].contains(&after.as_str()));
    assert!(button.text_content().unwrap().contains(&after));
    root.remove();
}

fn clear_storage() {
    if let Some(s) = web_sys::window().unwrap().local_storage().unwrap() {
        s.clear().unwrap();
    }
}

#[wasm_bindgen_test]
async fn palette_lists_every_catalog_kind_and_search_filters() {
    clear_storage();
    let root = mount_app();
    leptos::task::tick().await;
    for info in strata_core::catalog::KINDS {
        assert!(by_testid(&root, &format!("palette-{}", info.kind.tag())).is_some(), "{} in the palette", info.name);
    }
    let search: web_sys::HtmlInputElement = by_testid(&root, "palette-search").unwrap().unchecked_into();
    search.set_value("lambda");
    search.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    leptos::task::tick().await;
    let hidden = |id: &str| by_testid(&root, id).unwrap().closest(".hidden").unwrap().is_some();
    assert!(!hidden("palette-lambda"));
    assert!(hidden("palette-rds"));
    root.remove();
}

#[wasm_bindgen_test]
async fn enter_on_a_palette_item_adds_it_and_the_inspector_refuses_bad_values() {
    clear_storage();
    let root = mount_app();
    leptos::task::tick().await;
    let item: web_sys::HtmlElement = by_testid(&root, "palette-lambda").unwrap().unchecked_into();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    item.dispatch_event(&web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()).unwrap();
    leptos::task::tick().await;
    assert!(by_testid(&root, "node-lambda-1").is_some(), "placed on the canvas");
    assert!(by_testid(&root, "canvas-empty").is_none());
    // The new component is selected; its inspector comes from the catalog.
    let field: web_sys::HtmlInputElement = by_testid(&root, "param-memory_mb").unwrap().unchecked_into();
    field.set_value("64");
    field.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    leptos::task::tick().await;
    let err = by_testid(&root, "param-error-memory_mb").expect("refused with a reason");
    assert!(err.text_content().unwrap().contains("128 to 10240 MB"), "{}", err.text_content().unwrap());
    let saved = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    let current = saved.get_item("strata.current").unwrap().unwrap();
    let doc = saved.get_item(&format!("strata.doc.{current}")).unwrap().unwrap();
    assert!(doc.contains("\"memory_mb\": 512"), "the refused value is not stored");
    root.remove();
}
