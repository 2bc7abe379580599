//! A run exported as an animated GIF or a WebM video: 10 s from the time shown, 10 frames a
//! second, 800 x 500.
//!
//! The run is paused and stepped 100 ms at a time; after each step the dots are painted at
//! exactly that time and drawn over the diagram (the SVG as an image, letterboxed) on a canvas of
//! the clip's size. For a GIF, the pixels go to the GIF worker (`strata-gif-worker`, started for
//! the export), which encodes each frame as it arrives. For a WebM, the browser's MediaRecorder
//! records the canvas, one frame requested per step and held 100 ms of wall time (a recorder
//! times frames by the clock), so it takes the clip's own 10 s. Progress shows as it goes;
//! Cancel stops it and keeps nothing.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasCaptureMediaStreamTrack, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, MediaRecorder, Worker,
};

/// The GIF worker's script (Trunk's loader), next to the page.
const GIF_WORKER_URL: &str = "./strata-gif-worker_loader.js";
/// The clip: its size, its frames and the simulated time between two.
pub(super) const WIDTH: u32 = 800;
pub(super) const HEIGHT: u32 = 500;
pub(super) const FRAMES: u32 = 100;
pub(super) const STEP_MS: u64 = 100;

/// What the clip becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Gif,
    Webm,
}

impl Format {
    /// The file's name and type.
    pub(super) fn file(self) -> (&'static str, &'static str) {
        match self {
            Format::Gif => ("strata-run.gif", "image/gif"),
            Format::Webm => ("strata-run.webm", "video/webm"),
        }
    }

    /// Its name on screen.
    pub(super) fn label(self) -> &'static str {
        match self {
            Format::Gif => "GIF",
            Format::Webm => "WebM",
        }
    }
}

/// Where the frames go.
enum Sink {
    /// The GIF worker.
    Gif(Worker),
    /// The browser's recorder of the canvas, its track, and the data it has given so far.
    Webm { recorder: MediaRecorder, track: CanvasCaptureMediaStreamTrack, chunks: Rc<RefCell<Vec<JsValue>>> },
}

/// Whether this browser records a canvas as WebM.
pub(super) fn webm_supported() -> bool {
    let has = web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"MediaRecorder".into()).unwrap_or(false));
    has && MediaRecorder::is_type_supported("video/webm")
}

/// An export under way.
pub(super) struct Capture {
    pub(super) format: Format,
    sink: Sink,
    /// The sink takes frames (the GIF worker said so; a recorder does at once).
    pub(super) sink_ready: bool,
    pub(super) image: HtmlImageElement,
    pub(super) image_ready: bool,
    /// The clip's canvas, drawn through its context.
    ctx: CanvasRenderingContext2d,
    background: String,
    /// The simulated time of the next frame to take, ns.
    pub(super) next_ns: u64,
    /// Frames taken, and encoded by the GIF worker.
    pub(super) taken: u32,
    pub(super) encoded: u32,
    /// Wall time when the first frame was taken, ms.
    pub(super) started_ms: f64,
    /// Its handlers (dropped with it).
    _closures: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Capture {
    /// Prepares an export of `svg` (the diagram as shown) from `from_ns` as `format`; `on_sink`
    /// is called when the GIF worker speaks or the recorder stops, `on_image` when the diagram's
    /// image is ready.
    pub(super) fn new(
        svg: &str,
        dark: bool,
        from_ns: u64,
        format: Format,
        on_sink: Box<dyn FnMut(web_sys::Event)>,
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
        let on_sink = Closure::<dyn FnMut(web_sys::Event)>::new(on_sink);
        let mut closures = Vec::new();
        let sink = match format {
            Format::Gif => {
                let gif = Worker::new(GIF_WORKER_URL)
                    .map_err(|e| format!("the GIF encoder cannot start: {}", crate::js::error_text(&e)))?;
                gif.set_onmessage(Some(on_sink.as_ref().unchecked_ref()));
                Sink::Gif(gif)
            }
            Format::Webm => {
                let refused = |e: JsValue| format!("this browser cannot record the run: {}", crate::js::error_text(&e));
                let stream = canvas.capture_stream_with_frame_request_rate(0.0).map_err(refused)?;
                let track: CanvasCaptureMediaStreamTrack =
                    stream.get_video_tracks().get(0).dyn_into().map_err(|_| "the canvas gives no video track")?;
                let options = web_sys::MediaRecorderOptions::new();
                options.set_mime_type(Format::Webm.file().1);
                let recorder = MediaRecorder::new_with_media_stream_and_media_recorder_options(&stream, &options)
                    .map_err(refused)?;
                let chunks: Rc<RefCell<Vec<JsValue>>> = Rc::default();
                let kept = chunks.clone();
                let on_data = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                    if let Some(b) = ev.dyn_ref::<web_sys::BlobEvent>().and_then(|b| b.data()) {
                        kept.borrow_mut().push(b.into());
                    }
                });
                recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
                recorder.set_onstop(Some(on_sink.as_ref().unchecked_ref()));
                closures.push(on_data);
                Sink::Webm { recorder, track, chunks }
            }
        };
        let image = HtmlImageElement::new().map_err(|_| "no image")?;
        let on_image = Closure::<dyn FnMut(web_sys::Event)>::new(on_image);
        image.set_onload(Some(on_image.as_ref().unchecked_ref()));
        let encoded = String::from(js_sys::encode_uri_component(svg));
        image.set_src(&format!("data:image/svg+xml;charset=utf-8,{encoded}"));
        closures.push(on_sink);
        closures.push(on_image);
        Ok(Capture {
            format,
            sink_ready: matches!(sink, Sink::Webm { .. }),
            sink,
            image,
            image_ready: false,
            ctx,
            background: if dark { "#111418" } else { "#ffffff" }.into(),
            next_ns: from_ns,
            taken: 0,
            encoded: 0,
            started_ms: 0.0,
            _closures: closures,
        })
    }

    /// Both the sink and the diagram's image are ready: the clip begins.
    pub(super) fn ready(&self) -> bool {
        self.sink_ready && self.image_ready
    }

    /// Tells the encoder the clip's size and pace, or starts recording.
    pub(super) fn begin(&mut self) {
        match &self.sink {
            Sink::Gif(gif) => {
                let m = js_sys::Object::new();
                for (k, v) in [
                    ("type", JsValue::from("begin")),
                    ("width", WIDTH.into()),
                    ("height", HEIGHT.into()),
                    ("delay_cs", 10.into()),
                ] {
                    let _ = js_sys::Reflect::set(&m, &k.into(), &v);
                }
                let _ = gif.post_message(&m);
            }
            Sink::Webm { recorder, .. } => {
                let _ = recorder.start();
            }
        }
        self.started_ms = crate::js::now_ms();
    }

    /// Takes a frame: the diagram letterboxed on the background, the dots drawn as painted on
    /// `dots` (the viewer's canvas over the diagram), sent to the encoder or recorded.
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
        match &self.sink {
            Sink::Gif(gif) => {
                let Ok(pixels) = self.ctx.get_image_data(0.0, 0.0, w, h) else { return };
                let rgba = js_sys::Uint8Array::from(pixels.data().0.as_slice());
                let m = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&m, &"type".into(), &"frame".into());
                let _ = js_sys::Reflect::set(&m, &"rgba".into(), &rgba);
                let _ = gif.post_message_with_transfer(&m, &js_sys::Array::of1(&rgba.buffer()));
            }
            Sink::Webm { track, .. } => track.request_frame(),
        }
        self.taken += 1;
        self.next_ns += STEP_MS * 1_000_000;
    }

    /// No more frames: the encoder finishes the file, or the recorder stops (its last data
    /// arrives before its `stop`).
    pub(super) fn end(&self) {
        match &self.sink {
            Sink::Gif(gif) => {
                let m = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&m, &"type".into(), &"end".into());
                let _ = gif.post_message(&m);
            }
            Sink::Webm { recorder, .. } => {
                let _ = recorder.stop();
            }
        }
    }

    /// The recorded video, once the recorder stopped.
    pub(super) fn video(&self) -> Option<web_sys::Blob> {
        let Sink::Webm { chunks, .. } = &self.sink else { return None };
        let parts: js_sys::Array = chunks.borrow().iter().collect();
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(Format::Webm.file().1);
        web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options).ok()
    }

    /// Stops the encoder or the recorder and silences their handlers (they are dropped later,
    /// outside their own calls: see `Viewer::retired`).
    pub(super) fn stop(&self) {
        self.image.set_onload(None);
        match &self.sink {
            Sink::Gif(gif) => {
                gif.set_onmessage(None);
                gif.terminate();
            }
            Sink::Webm { recorder, track, .. } => {
                recorder.set_ondataavailable(None);
                recorder.set_onstop(None);
                if recorder.state() != web_sys::RecordingState::Inactive {
                    let _ = recorder.stop();
                }
                track.stop();
            }
        }
    }
}

/// The bytes of a GIF as a file.
pub(super) fn gif_blob(bytes: &js_sys::Uint8Array) -> Result<web_sys::Blob, JsValue> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(Format::Gif.file().1);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(bytes), &options)
}

/// Offers `blob` as a download named `name`.
pub(super) fn download(blob: &web_sys::Blob, name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or(JsValue::NULL)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
