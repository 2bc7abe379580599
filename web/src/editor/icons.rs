//! Strata's own icons: one glyph per component and container kind, drawn as stroked SVG paths
//! in a 24x24 box, on a tile coloured by category. Shared by the canvas, the palette and the
//! SVG/PNG export.

use strata_core::catalog::Category;
use strata_core::topology::{ComponentKind, ContainerKind};

/// Path data of the glyph for a component kind (stroke only, round joins).
pub fn glyph(kind: ComponentKind) -> &'static str {
    match kind {
        // Two people.
        ComponentKind::Client => "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3.5 19c.6-3.2 2.8-5 5.5-5s4.9 1.8 5.5 5M16 11a2.5 2.5 0 1 0 0-5M17 14c2 .4 3.4 2 3.7 4.5",
        // A globe with a routing arrow.
        ComponentKind::Route53 => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9M12 3c-2.5 2.5-3.5 5.5-3.5 9s1 6.5 3.5 9",
        // A cloud with edge points.
        ComponentKind::Cloudfront => "M7 18h10.5a4 4 0 0 0 .5-8 6 6 0 0 0-11.5 1.5A3.3 3.3 0 0 0 7 18zM8 21.5h0M12 21.5h0M16 21.5h0",
        // One input fanning out to three targets.
        ComponentKind::Alb => "M3 12h6M9 12l6-6h5M9 12h11M9 12l6 6h5M20 6h0M20 12h0M20 18h0",
        // A chip with pins.
        ComponentKind::Ec2 => "M7 7h10v10H7zM10 4v3M14 4v3M10 17v3M14 17v3M4 10h3M4 14h3M17 10h3M17 14h3",
        // Stacked instances with scale arrows.
        ComponentKind::Asg => "M8 8h8v8H8zM5 5h8M5 5v8M3 12V3h9M19 14l2 2-2 2M21 16h-4M16 19v2M16 21h-4",
        // A pod (box) in its cluster (hexagon).
        ComponentKind::Eks => "M12 3l7.8 4.5v9L12 21l-7.8-4.5v-9zM9 9h6v6H9z",
        // Three containers in their service.
        ComponentKind::Ecs => "M3 6h18v12H3zM6 9h3v6H6zM10.5 9h3v6h-3zM15 9h3v6h-3z",
        // A database cylinder.
        ComponentKind::Rds => "M5 6c0-1.7 3.1-3 7-3s7 1.3 7 3-3.1 3-7 3-7-1.3-7-3zM5 6v12c0 1.7 3.1 3 7 3s7-1.3 7-3V6M5 12c0 1.7 3.1 3 7 3s7-1.3 7-3",
        // A cylinder with a lightning bolt.
        ComponentKind::Elasticache => "M5 6c0-1.7 3.1-3 7-3s7 1.3 7 3-3.1 3-7 3-7-1.3-7-3zM5 6v12c0 1.7 3.1 3 7 3s7-1.3 7-3V6M13 10l-3 4h4l-3 4",
        // A bucket.
        ComponentKind::S3 => "M4 6c0-1.4 3.6-2.5 8-2.5S20 4.6 20 6s-3.6 2.5-8 2.5S4 7.4 4 6zM4 6l2 13c.3 1.3 2.9 2 6 2s5.7-.7 6-2l2-13",
        // A table with a key-value split.
        ComponentKind::Dynamodb => "M4 5h16v14H4zM4 10h16M4 15h16M10 5v14",
        // Lambda.
        ComponentKind::Lambda => "M6 4h3l7 16h3M12.5 11.5L7 20",
        // A queue of messages with an arrow.
        ComponentKind::Sqs => "M3 8h4v8H3zM9 8h4v8H9zM15 8h2v8h-2zM19 12h3M20 10l2 2-2 2",
    }
}

/// Path data of the glyph for a container kind.
pub fn container_glyph(kind: ContainerKind) -> &'static str {
    match kind {
        ContainerKind::Region => "M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM3 12h18M12 3v18",
        ContainerKind::Az => "M4 4h16v16H4zM4 4l16 16",
        ContainerKind::Vpc => "M7 18h10.5a4 4 0 0 0 .5-8 6 6 0 0 0-11.5 1.5A3.3 3.3 0 0 0 7 18zM10 12h4v4h-4z",
        ContainerKind::Subnet => "M4 4h16v16H4zM8 8h8v8H8z",
    }
}

/// The category colour (the same values as the CSS custom properties `--cat-*`).
pub fn category_color(cat: Category) -> &'static str {
    match cat {
        Category::Traffic => "#5a6b7d",
        Category::Networking => "#8c4fff",
        Category::Compute => "#ed7100",
        Category::Database => "#c925d1",
        Category::Storage => "#3f8624",
        Category::Integration => "#e7157b",
    }
}

/// Palette heading of a category, after AWS's grouping.
pub fn category_title(cat: Category) -> &'static str {
    match cat {
        Category::Traffic => "Traffic",
        Category::Networking => "Networking & content delivery",
        Category::Compute => "Compute",
        Category::Database => "Database",
        Category::Storage => "Storage",
        Category::Integration => "Application integration",
    }
}

/// Stroke colour of a container's border.
pub fn container_color(kind: ContainerKind, public: bool) -> &'static str {
    match (kind, public) {
        (ContainerKind::Region, _) => "#147eba",
        (ContainerKind::Az, _) => "#147eba",
        (ContainerKind::Vpc, _) => "#8c4fff",
        (ContainerKind::Subnet, true) => "#248814",
        (ContainerKind::Subnet, false) => "#147eba",
    }
}
