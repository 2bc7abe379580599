//! A standalone SVG of the diagram (what the canvas shows, with explicit colours instead of the
//! stylesheet's), for the SVG download and as the source of the PNG. User text is escaped.

use strata_core::catalog;
use strata_worker::html::escape;

use super::icons::{category_color, container_color, container_glyph, glyph};
use super::scene::{line_length, shorten, title_lines, Scene, SUB_W, TITLE_W};

/// Export options.
#[derive(Clone, Debug, PartialEq)]
pub struct SvgOptions {
    /// Background fill; `None` leaves it transparent.
    pub background: Option<String>,
    /// Dark palette for text and boxes.
    pub dark: bool,
    /// Margin around the diagram, in world units.
    pub margin: f64,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions { background: Some("#ffffff".into()), dark: false, margin: 24.0 }
    }
}

/// Renders the scene; returns the SVG text and its width and height in pixels (world units).
pub fn render(scene: &Scene, opts: &SvgOptions) -> (String, f64, f64) {
    let b = scene.bounds.unwrap_or_default().inflate(opts.margin);
    let (w, h) = (b.w.max(1.0).ceil(), b.h.max(1.0).ceil());
    let (text, muted, node_fill, node_stroke, edge) = if opts.dark {
        ("#e6e9ed", "#9aa4af", "#1f242a", "#2d333b", "#9aa4af")
    } else {
        ("#1b1f24", "#5d6672", "#ffffff", "#d9dde3", "#5d6672")
    };
    let mut s = String::with_capacity(1024 + scene.nodes.len() * 600);
    s.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="{:.1} {:.1} {w} {h}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">"#,
        b.x, b.y
    ));
    s.push_str(&format!(
        r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{edge}"/></marker></defs>"#
    ));
    if let Some(bg) = &opts.background {
        s.push_str(&format!(r#"<rect x="{:.1}" y="{:.1}" width="{w}" height="{h}" fill="{}"/>"#, b.x, b.y, escape(bg)));
    }
    for c in &scene.containers {
        let col = container_color(c.kind, c.public);
        let dash =
            if matches!(c.kind, strata_core::topology::ContainerKind::Az) { r#" stroke-dasharray="6 4""# } else { "" };
        let r = c.rect;
        s.push_str(&format!(
            r#"<g><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="{col}" fill-opacity="0.04" stroke="{col}" stroke-width="1.5"{dash}/>"#,
            r.x, r.y, r.w, r.h
        ));
        s.push_str(&format!(
            r#"<g transform="translate({:.1} {:.1}) scale(0.75)" fill="none" stroke="{col}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="{}"/></g>"#,
            r.x + 8.0,
            r.y + 6.0,
            container_glyph(c.kind)
        ));
        let (title, cidr) = c.heading();
        s.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="12" font-weight="600" fill="{col}">{}<tspan fill="{muted}" font-weight="400">{}</tspan></text></g>"#,
            r.x + 32.0,
            r.y + 20.0,
            escape(&title),
            escape(&cidr)
        ));
    }
    for e in &scene.edges {
        s.push_str(&format!(
            r#"<path d="{}" fill="none" stroke="{edge}" stroke-width="1.5" marker-end="url(#arrow)"/>"#,
            e.path
        ));
    }
    for n in &scene.nodes {
        let info = catalog::kind_info(n.kind);
        let col = category_color(info.category);
        let r = n.rect;
        s.push_str(&format!(
            r##"<g><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="{node_fill}" stroke="{node_stroke}"/><rect x="{:.1}" y="{:.1}" width="36" height="36" rx="6" fill="{col}"/><g transform="translate({:.1} {:.1})" fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="{}"/></g>"##,
            r.x, r.y, r.w, r.h, r.x + 10.0, r.y + 10.0, r.x + 16.0, r.y + 16.0, glyph(n.kind)
        ));
        let (first, second) = title_lines(n.title());
        let (title_y, sub_y) = if second.is_some() { (19.0, 45.0) } else { (25.0, 40.0) };
        // Squeezed to its box when long, as on the canvas.
        let fit = |t: &str, char_w: f64| {
            line_length(t, char_w)
                .map(|l| format!(r#" textLength="{l:.1}" lengthAdjust="spacingAndGlyphs""#))
                .unwrap_or_default()
        };
        let line = |t: &str, y: f64| {
            format!(
                r#"<text x="{:.1}" y="{:.1}" font-size="12" font-weight="600" fill="{text}"{}>{}</text>"#,
                r.x + 54.0,
                r.y + y,
                fit(t, TITLE_W),
                escape(t)
            )
        };
        s.push_str(&line(&first, title_y));
        if let Some(t) = &second {
            s.push_str(&line(t, 32.0));
        }
        let id = shorten(&n.id, 15);
        s.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10.5" fill="{muted}"{}>{}</text></g>"#,
            r.x + 54.0,
            r.y + sub_y,
            fit(&id, SUB_W),
            escape(&id)
        ));
    }
    s.push_str("</svg>");
    (s, w, h)
}

/// A small picture of the scene for the template gallery: containers as outlines, components as
/// boxes in their category's colour, connections as thin lines; no text. Fits `w` x `h` pixels.
pub fn thumbnail(scene: &Scene, w: f64, h: f64) -> String {
    let b = scene.bounds.unwrap_or_default().inflate(16.0);
    let mut s = String::with_capacity(256 + scene.nodes.len() * 120 + scene.edges.len() * 80);
    s.push_str(&format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="thumb" width="{w}" height="{h}" viewBox="{:.0} {:.0} {:.0} {:.0}" preserveAspectRatio="xMidYMid meet" aria-hidden="true">"#,
        b.x,
        b.y,
        b.w.max(1.0),
        b.h.max(1.0)
    ));
    for c in &scene.containers {
        let col = container_color(c.kind, c.public);
        let r = c.rect;
        s.push_str(&format!(
            r#"<rect class="thumb-container" x="{:.0}" y="{:.0}" width="{:.0}" height="{:.0}" rx="8" fill="{col}" fill-opacity="0.06" stroke="{col}" stroke-width="4"/>"#,
            r.x, r.y, r.w, r.h
        ));
    }
    for e in &scene.edges {
        s.push_str(&format!(
            r##"<path class="thumb-edge" d="{}" fill="none" stroke="#8a94a0" stroke-width="3"/>"##,
            e.path
        ));
    }
    for n in &scene.nodes {
        let col = category_color(catalog::kind_info(n.kind).category);
        let r = n.rect;
        s.push_str(&format!(
            r#"<rect class="thumb-node" x="{:.0}" y="{:.0}" width="{:.0}" height="{:.0}" rx="10" fill="{col}"/>"#,
            r.x, r.y, r.w, r.h
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::geom::Point;
    use crate::editor::model::Doc;
    use crate::editor::scene::build;
    use strata_core::topology::ComponentKind;

    #[test]
    fn labels_are_text_never_markup() {
        let mut d = Doc::empty("x");
        let id = d.add_component(ComponentKind::Client, Point::new(0.0, 0.0)).unwrap();
        d.topology.components[0].label = "<script>alert(1)</script>&".into();
        let (svg, w, h) = render(&build(&d), &SvgOptions::default());
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(&id));
        assert!(w > 100.0 && h > 50.0);
        assert!(svg.contains("fill=\"#ffffff\""));
        let (clear, _, _) = render(&build(&d), &SvgOptions { background: None, ..Default::default() });
        assert!(!clear.contains("fill=\"#ffffff\"/>"), "transparent has no background rect");
    }

    #[test]
    fn a_thumbnail_draws_every_box_and_no_text() {
        let mut d = Doc::empty("x");
        d.add_container(strata_core::topology::ContainerKind::Region, false, Point::new(0.0, 0.0)).unwrap();
        let a = d.add_component(ComponentKind::Client, Point::new(-400.0, 0.0)).unwrap();
        let b = d.add_component(ComponentKind::S3, Point::new(40.0, 60.0)).unwrap();
        d.topology.components[0].label = "<b>users</b>".into();
        d.connect(&a, &b).unwrap();
        let t = thumbnail(&build(&d), 200.0, 120.0);
        assert_eq!(t.matches("class=\"thumb-node\"").count(), 2);
        assert_eq!(t.matches("class=\"thumb-container\"").count(), 1);
        assert_eq!(t.matches("class=\"thumb-edge\"").count(), 1);
        assert!(!t.contains("<text") && !t.contains("users"));
    }
}
