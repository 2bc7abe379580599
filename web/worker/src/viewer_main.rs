//! Entry point of the embeddable viewer's Web Worker: the live run only.

fn main() {
    console_error_panic_hook::set_once();
    strata_worker::worker::start_viewer();
}
