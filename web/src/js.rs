//! The few browser APIs the editor reaches through a small JavaScript snippet rather than
//! web-sys bindings: stream compression for share links, file download and reading, fetching
//! text, and SVG-to-PNG rasterisation. Each returns a promise; failures come back as `Err`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export async function compress(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
export async function decompress(bytes, max) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts = []; let total = 0;
  for (;;) {
    let r;
    try { r = await reader.read(); } catch (e) { throw new Error('damaged'); }
    if (r.done) break;
    total += r.value.length;
    if (total > max) { try { await reader.cancel(); } catch (e) {} throw new Error('too-large'); }
    parts.push(r.value);
  }
  const all = new Uint8Array(total); let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  try { return new TextDecoder('utf-8', { fatal: true }).decode(all); } catch (e) { throw new Error('damaged'); }
}
export function download(name, mime, data) {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = url; a.download = name; a.style.display = 'none';
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
export async function fetch_text(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ': ' + r.status + ' ' + r.statusText);
  return await r.text();
}
export function chosen_file(input) {
  const f = input.files && input.files[0];
  return f ? [f.name, f.size] : null;
}
export function clear_file(input) { input.value = ''; }
export function next_frame() {
  return new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
}
export async function read_file(input) {
  const f = input.files && input.files[0];
  if (!f) throw new Error('no file chosen');
  const text = await f.text();
  input.value = '';
  return [f.name, text];
}
export async function svg_to_png(svg, w, h, scale) {
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await img.decode();
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.round(w * scale)); c.height = Math.max(1, Math.round(h * scale));
  const ctx = c.getContext('2d');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, w, h);
  const blob = await new Promise((ok, fail) => c.toBlob((b) => b ? ok(b) : fail(new Error('the diagram is too large for a PNG at this scale')), 'image/png'));
  return new Uint8Array(await blob.arrayBuffer());
}
export async function copy_text(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) { return false; }
}
export function now_ms() { return performance.now(); }
"#)]
extern "C" {
    /// deflate-raw compression of UTF-8 text.
    #[wasm_bindgen(catch)]
    pub async fn compress(text: &str) -> Result<JsValue, JsValue>;
    /// Inflates bytes to text; errors `damaged` or `too-large`.
    #[wasm_bindgen(catch)]
    pub async fn decompress(bytes: &[u8], max: f64) -> Result<JsValue, JsValue>;
    /// Saves data (a string or bytes) as a file.
    pub fn download(name: &str, mime: &str, data: &JsValue);
    /// GETs a URL as text.
    #[wasm_bindgen(catch)]
    pub async fn fetch_text(url: &str) -> Result<JsValue, JsValue>;
    /// The name and size of the file chosen in an `<input type=file>`, without reading it:
    /// `[name, bytes]`, or `null`.
    pub fn chosen_file(input: &web_sys::HtmlInputElement) -> JsValue;
    /// Forgets the chosen file (so choosing it again fires `change`).
    pub fn clear_file(input: &web_sys::HtmlInputElement);
    /// Resolves after the browser has painted a frame.
    pub async fn next_frame() -> JsValue;
    /// Reads the file chosen in an `<input type=file>`: `[name, text]`.
    #[wasm_bindgen(catch)]
    pub async fn read_file(input: &web_sys::HtmlInputElement) -> Result<JsValue, JsValue>;
    /// Rasterises SVG text at a scale; PNG bytes.
    #[wasm_bindgen(catch)]
    pub async fn svg_to_png(svg: &str, w: f64, h: f64, scale: f64) -> Result<JsValue, JsValue>;
    /// Writes text to the system clipboard; `false` when the browser refuses.
    pub async fn copy_text(text: &str) -> JsValue;
    /// High-resolution wall time (`performance.now()`), ms: measurements and the particles' clock.
    pub fn now_ms() -> f64;
}

/// The message of a JavaScript error value.
pub fn error_text(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Saves text as a file.
pub fn download_text(name: &str, mime: &str, text: &str) {
    download(name, mime, &JsValue::from_str(text));
}
