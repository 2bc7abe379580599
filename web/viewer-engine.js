// The embeddable viewer's engine worker (a module worker): the viewer's own WebAssembly module,
// the one its page loaded (the browser has it already), started as the engine.
import init, { start_engine } from './strata-viewer.js';

await init({ module_or_path: new URL('./strata-viewer_bg.wasm', import.meta.url) });
start_engine();
