//! A run exported as an animated GIF: 10 s from the time shown, 10 frames a second, 800 x 500.
//!
//! The run is paused and stepped 100 ms at a time; after each step the dots are painted at
//! exactly that time, drawn over the diagram (the SVG as an image, letterboxed) on a canvas of
//! the clip's size, and the pixels go to the GIF worker (`strata-gif-worker`, started for the
//! export), which encodes each frame as it arrives. Progress shows as it goes; Cancel stops
//! both and keeps nothing.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Worker};

/// The GIF worker's script (Trunk's loader), next to the page.
const GIF_WORKER_URL: &str = "./strata-gif-worker_loader.js";
/// The clip: its size, its frames and the simulated time between two.
pub(super) const WIDTH: u32 = 800;
pub(super) const HEIGHT: u32 = 500;
pub(super) const FRAMES: u32 = 100;
pub(super) const STEP_MS: u64 = 100;

/// An export under way.
pub(super) struct Capture {
    pub(super) gif: Worker,
    pub(super) gif_ready: bool,
    pub(super) image: HtmlImageElement,
    pub(super) image_ready: bool,
    /// The clip's canvas, drawn through its context.
    ctx: CanvasRenderingContext2d,
    background: String,
    /// The simulated time of the next frame to take, ns.
    pub(super) next_ns: u64,
    /// Frames taken, and encoded by the worker.
    pub(super) taken: u32,
    pub(super) encoded: u32,
    /// Wall time when the first frame was taken, ms.
    pub(super) started_ms: f64,
    /// Its handlers (dropped with it).
    _closures: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Capture {
    /// Prepares an export of `svg` (the diagram as shown) from `from_ns`; `on_gif` and
    /// `on_image` are called when the GIF worker speaks and when the diagram's image is ready.
    pub(super) fn new(
        svg: &str,
        dark: bool,
        from_ns: u64,
        on_gif: Box<dyn FnMut(web_sys::Event)>,
        on_image: Box<dyn FnMut(web_sys::Event)>,
    ) -> Result<Capture, String> {
        let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
        let canvas: HtmlCanvasElement =
            document.create_element("canvas").map_err(|_| "no canvas")?.dyn_into().map_err(|_| "no canvas")?;
        canvas.set_width(WIDTH);
        canvas.set_height(HEIGHT);
        let ctx: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("this browser cannot draw on a canvas")?;
        let gif = Worker::new(GIF_WORKER_URL)
            .map_err(|e| format!("the GIF encoder cannot start: {}", crate::js::error_text(&e)))?;
        let on_gif = Closure::<dyn FnMut(web_sys::Event)>::new(on_gif);
        gif.set_onmessage(Some(on_gif.as_ref().unchecked_ref()));
        let image = HtmlImageElement::new().map_err(|_| "no image")?;
        let on_image = Closure::<dyn FnMut(web_sys::Event)>::new(on_image);
        image.set_onload(Some(on_image.as_ref().unchecked_ref()));
        let encoded = String::from(js_sys::encode_uri_component(svg));
        image.set_src(&format!("data:image/svg+xml;charset=utf-8,{encoded}"));
        Ok(Capture {
            gif,
            gif_ready: false,
            image,
            image_ready: false,
            ctx,
            background: if dark { "#111418" } else { "#ffffff" }.into(),
            next_ns: from_ns,
            taken: 0,
            encoded: 0,
            started_ms: 0.0,
            _closures: vec![on_gif, on_image],
        })
    }

    /// Both the encoder and the diagram's image are ready: the clip begins.
    pub(super) fn ready(&self) -> bool {
        self.gif_ready && self.image_ready
    }

    /// Tells the encoder the clip's size and pace.
    pub(super) fn begin(&mut self) {
        let m = js_sys::Object::new();
        for (k, v) in [
            ("type", JsValue::from("begin")),
            ("width", WIDTH.into()),
            ("height", HEIGHT.into()),
            ("delay_cs", 10.into()),
        ] {
            let _ = js_sys::Reflect::set(&m, &k.into(), &v);
        }
        let _ = self.gif.post_message(&m);
        self.started_ms = crate::js::now_ms();
    }

    /// Takes a frame: the diagram letterboxed on the background, the dots drawn as painted on
    /// `dots` (the viewer's canvas over the diagram), sent to the encoder.
    pub(super) fn take(&mut self, dots: &HtmlCanvasElement) {
        let (w, h) = (f64::from(WIDTH), f64::from(HEIGHT));
        let (iw, ih) = (f64::from(self.image.natural_width().max(1)), f64::from(self.image.natural_height().max(1)));
        let scale = (w / iw).min(h / ih);
        let (dw, dh) = (iw * scale, ih * scale);
        let (x, y) = ((w - dw) / 2.0, (h - dh) / 2.0);
        self.ctx.set_fill_style_str(&self.background);
        self.ctx.fill_rect(0.0, 0.0, w, h);
        let _ = self.ctx.draw_image_with_html_image_element_and_dw_and_dh(&self.image, x, y, dw, dh);
        let _ = self.ctx.draw_image_with_html_canvas_element_and_dw_and_dh(dots, x, y, dw, dh);
        let Ok(pixels) = self.ctx.get_image_data(0.0, 0.0, w, h) else { return };
        let rgba = js_sys::Uint8Array::from(pixels.data().0.as_slice());
        let m = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&m, &"type".into(), &"frame".into());
        let _ = js_sys::Reflect::set(&m, &"rgba".into(), &rgba);
        let _ = self.gif.post_message_with_transfer(&m, &js_sys::Array::of1(&rgba.buffer()));
        self.taken += 1;
        self.next_ns += STEP_MS * 1_000_000;
    }

    /// No more frames: the encoder finishes the file.
    pub(super) fn end(&self) {
        let m = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&m, &"type".into(), &"end".into());
        let _ = self.gif.post_message(&m);
    }

    /// Stops the encoder and silences its handlers (they are dropped later, outside their own
    /// calls: see `Viewer::retired`).
    pub(super) fn stop(&self) {
        self.gif.set_onmessage(None);
        self.image.set_onload(None);
        self.gif.terminate();
    }
}

/// Offers `bytes` as a download named `name`.
pub(super) fn download(bytes: &js_sys::Uint8Array, name: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/gif");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or(JsValue::NULL)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
