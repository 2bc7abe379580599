//! Entry point of the embeddable viewer: fills in `viewer.html`'s markup and plays its design.

fn main() {
    console_error_panic_hook::set_once();
    strata_web::viewer::start();
}
