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
