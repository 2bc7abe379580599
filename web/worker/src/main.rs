//! Entry point of the engine's Web Worker (built by Trunk as a `data-type="worker"` asset).

fn main() {
    console_error_panic_hook::set_once();
    strata_worker::worker::start();
}
