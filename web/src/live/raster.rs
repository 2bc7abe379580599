//! The particles' pixels: dots stamped straight into an RGBA buffer that the canvas takes in one
//! `putImageData`, instead of thousands of path calls the browser must rasterise every frame.
//!
//! In headless Chromium (software compositing) rasterising 5,000 squares as one canvas path cost
//! the page 5 to 9 ms of every frame; stamping them here costs well under a millisecond, and the
//! copy into the canvas covers only the area drawn in this frame or the last. The buffer is at
//! CSS-pixel resolution whatever the screen's density: the canvas is scaled up without smoothing,
//! so a dot stays a crisp square and a frame copies the same bytes on any display.

/// A rectangle of pixels, `x0..x1` by `y0..y1` (ends excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl Bounds {
    /// The smallest rectangle holding both.
    pub fn union(self, o: Bounds) -> Bounds {
        Bounds { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }

    pub fn width(self) -> u32 {
        self.x1 - self.x0
    }

    pub fn height(self) -> u32 {
        self.y1 - self.y0
    }
}

/// An opaque colour from `#rrggbb` (black if it is not one).
pub fn rgba(hex: &str) -> [u8; 4] {
    let channel = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0);
    [channel(1), channel(3), channel(5), 255]
}

/// One frame's pixels, cleared where the last frame drew.
#[derive(Debug, Default)]
pub struct Raster {
    width: u32,
    height: u32,
    /// RGBA, row after row.
    pixels: Vec<u8>,
    /// Where this frame has drawn so far.
    drawn: Option<Bounds>,
    /// Where the last frame drew (cleared by [`Raster::begin`], so the canvas must take it too).
    cleared: Option<Bounds>,
}

impl Raster {
    /// Starts a frame of `width` by `height` pixels: a new size starts from a blank buffer,
    /// else what the last frame drew is wiped.
    pub fn begin(&mut self, width: u32, height: u32) {
        if (width, height) != (self.width, self.height) {
            *self = Raster {
                width,
                height,
                pixels: vec![0; width as usize * height as usize * 4],
                drawn: None,
                // The whole canvas: whatever it showed at the old size is stale.
                cleared: (width > 0 && height > 0).then_some(Bounds { x0: 0, y0: 0, x1: width, y1: height }),
            };
            return;
        }
        self.cleared = self.drawn.take();
        if let Some(b) = self.cleared {
            self.fill(b, [0; 4]);
        }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, RGBA row after row.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// What the canvas must take this frame: what was drawn now or wiped from the last frame.
    pub fn dirty(&self) -> Option<Bounds> {
        match (self.drawn, self.cleared) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b),
        }
    }

    /// The pixel at `(x, y)`, if inside.
    pub fn at(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        (x < self.width && y < self.height).then(|| {
            let i = (y as usize * self.width as usize + x as usize) * 4;
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2], self.pixels[i + 3]]
        })
    }

    /// The pixels covered by the square of half-side `r` centred on `(x, y)`, clipped.
    fn square_bounds(&self, x: f64, y: f64, r: f64) -> Option<Bounds> {
        let clip = |v: f64, max: u32| v.round().clamp(0.0, f64::from(max)) as u32;
        let b = Bounds {
            x0: clip(x - r, self.width),
            y0: clip(y - r, self.height),
            x1: clip(x + r, self.width),
            y1: clip(y + r, self.height),
        };
        (b.x1 > b.x0 && b.y1 > b.y0).then_some(b)
    }

    fn fill(&mut self, b: Bounds, colour: [u8; 4]) {
        let w = self.width as usize;
        for y in b.y0..b.y1 {
            let row = y as usize * w;
            let span = &mut self.pixels[(row + b.x0 as usize) * 4..(row + b.x1 as usize) * 4];
            for p in span.chunks_exact_mut(4) {
                p.copy_from_slice(&colour);
            }
        }
    }

    fn mark(&mut self, b: Bounds) {
        self.drawn = Some(self.drawn.map_or(b, |d| d.union(b)));
    }

    /// A filled square of half-side `r` centred on `(x, y)`.
    pub fn square(&mut self, x: f64, y: f64, r: f64, colour: [u8; 4]) {
        if let Some(b) = self.square_bounds(x, y, r) {
            self.fill(b, colour);
            self.mark(b);
        }
    }

    /// A hollow square: the square of half-side `r` with the one of half-side `r / 2` cut out.
    pub fn hollow(&mut self, x: f64, y: f64, r: f64, colour: [u8; 4]) {
        let Some(outer) = self.square_bounds(x, y, r) else { return };
        let inner = self.square_bounds(x, y, 0.5 * r);
        for y in outer.y0..outer.y1 {
            let row = Bounds { y0: y, y1: y + 1, ..outer };
            match inner.filter(|i| y >= i.y0 && y < i.y1) {
                Some(i) => {
                    self.fill(Bounds { x1: i.x0, ..row }, colour);
                    self.fill(Bounds { x0: i.x1, ..row }, colour);
                }
                None => self.fill(row, colour),
            }
        }
        self.mark(outer);
    }

    /// A ring of radius `radius` and line width `line` centred on `(x, y)`.
    pub fn ring(&mut self, x: f64, y: f64, radius: f64, line: f64, colour: [u8; 4]) {
        let Some(b) = self.square_bounds(x, y, radius + line) else { return };
        let (inner, outer) = ((radius - 0.5 * line).max(0.0), radius + 0.5 * line);
        for py in b.y0..b.y1 {
            let dy = f64::from(py) + 0.5 - y;
            for px in b.x0..b.x1 {
                let dx = f64::from(px) + 0.5 - x;
                let d2 = dx * dx + dy * dy;
                if d2 >= inner * inner && d2 <= outer * outer {
                    let i = (py as usize * self.width as usize + px as usize) * 4;
                    self.pixels[i..i + 4].copy_from_slice(&colour);
                }
            }
        }
        self.mark(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUE: [u8; 4] = [0x2f, 0x7e, 0xf6, 255];

    #[test]
    fn a_colour_is_read_from_its_hex_code() {
        assert_eq!(rgba("#2f7ef6"), BLUE);
        assert_eq!(rgba("#e5484d"), [0xe5, 0x48, 0x4d, 255]);
        assert_eq!(rgba("nope"), [0, 0, 0, 255]);
    }

    #[test]
    fn a_square_covers_its_pixels_and_is_wiped_by_the_next_frame() {
        let mut r = Raster::default();
        r.begin(20, 10);
        assert_eq!(r.dirty(), Some(Bounds { x0: 0, y0: 0, x1: 20, y1: 10 }), "a new size takes the whole canvas");
        r.begin(20, 10);
        assert_eq!(r.dirty(), None, "nothing drawn, nothing wiped");
        r.square(5.0, 5.0, 3.0, BLUE);
        assert_eq!(r.dirty(), Some(Bounds { x0: 2, y0: 2, x1: 8, y1: 8 }));
        assert_eq!(r.at(2, 2), Some(BLUE));
        assert_eq!(r.at(7, 7), Some(BLUE));
        assert_eq!(r.at(8, 8), Some([0; 4]));
        assert_eq!(r.at(1, 5), Some([0; 4]));
        // The next frame wipes it and still copies its place (now blank) to the canvas.
        r.begin(20, 10);
        assert_eq!(r.at(5, 5), Some([0; 4]));
        r.square(15.0, 5.0, 1.0, BLUE);
        assert_eq!(r.dirty(), Some(Bounds { x0: 2, y0: 2, x1: 16, y1: 8 }));
    }

    #[test]
    fn a_square_at_the_edge_is_clipped_and_one_outside_draws_nothing() {
        let mut r = Raster::default();
        r.begin(10, 10);
        r.begin(10, 10);
        r.square(0.0, 9.5, 3.0, BLUE);
        assert_eq!(r.dirty(), Some(Bounds { x0: 0, y0: 7, x1: 3, y1: 10 }));
        r.begin(10, 10);
        r.square(-20.0, 5.0, 3.0, BLUE);
        r.square(5.0, 40.0, 3.0, BLUE);
        assert_eq!(r.dirty(), Some(Bounds { x0: 0, y0: 7, x1: 3, y1: 10 }), "only the last frame's wiped area");
        assert!(r.pixels().iter().all(|&b| b == 0));
    }

    #[test]
    fn a_hollow_square_leaves_its_middle_empty() {
        let mut r = Raster::default();
        r.begin(20, 20);
        r.hollow(10.0, 10.0, 4.0, BLUE);
        assert_eq!(r.at(6, 6), Some(BLUE), "corner");
        assert_eq!(r.at(13, 10), Some(BLUE), "right side");
        assert_eq!(r.at(10, 10), Some([0; 4]), "middle");
        assert_eq!(r.at(8, 8), Some([0; 4]), "inner square's corner");
        assert_eq!(r.at(7, 10), Some(BLUE), "just outside the inner square");
    }

    #[test]
    fn a_ring_is_drawn_on_its_radius_only() {
        let mut r = Raster::default();
        r.begin(40, 40);
        r.ring(20.0, 20.0, 10.0, 1.5, BLUE);
        assert_eq!(r.at(29, 19), Some(BLUE), "on the radius, right");
        assert_eq!(r.at(20, 10), Some(BLUE), "on the radius, top");
        assert_eq!(r.at(20, 20), Some([0; 4]), "centre");
        assert_eq!(r.at(25, 25), Some([0; 4]), "inside, off the line");
        assert_eq!(r.at(35, 35), Some([0; 4]), "outside");
    }
}
