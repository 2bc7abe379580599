//! The areas of the screen, one file each.

pub mod canvas;
pub mod charts;
pub mod cost_meter;
pub mod drill;
pub mod form_field;
pub mod group_span;
pub mod header;
pub mod inject;
pub mod inspector;
pub mod live_instances;
pub mod live_layer;
pub mod overlays;
pub mod palette;
pub mod run_panel;
pub mod study;
pub mod timeline;
pub mod trace;
pub mod walk_panel;

pub use canvas::Canvas;
pub use charts::ChartsPanel;
pub use header::Header;
pub use inspector::Inspector;
pub use overlays::Overlays;
pub use palette::{Palette, PaletteDragLayer};
pub use timeline::Timeline;
