//! Entry point of the GIF export's Web Worker.

fn main() {
    console_error_panic_hook::set_once();
    strata_worker::gif_worker::start();
}
