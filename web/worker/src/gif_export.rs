//! A run exported as an animated GIF (the `gif` crate), frame by frame as the page captures
//! them, in a worker of its own (`strata-gif-worker`, loaded only for an export), so the page can
//! show progress and cancel between frames.
//!
//! A run's frames differ only where dots move: the first frame trains one palette of 255 colours
//! (NeuQuant, from `color_quant`) for the whole clip, and each later frame writes only the pixels
//! that changed, the rest transparent over the frame before (index 255). Training once and
//! skipping the unchanged pixels is what keeps the export fast and small.

use std::borrow::Cow;

use color_quant::NeuQuant;
use gif::{DisposalMethod, Encoder, Frame, Repeat};

/// The index of "unchanged": transparent over the frame before.
const UNCHANGED: u8 = 255;
/// NeuQuant's sampling: 1 (best) to 30 (fastest); 10 is the gif crate's own choice.
const SAMPLE: i32 = 10;

/// A GIF being written.
pub struct GifExport {
    width: u16,
    height: u16,
    delay_cs: u16,
    /// The encoder and the palette, made with the first frame.
    encoder: Option<(Encoder<Vec<u8>>, NeuQuant)>,
    /// The frame before, RGBA, and the indices of the frame being written.
    previous: Vec<u8>,
    indices: Vec<u8>,
    frames: u32,
}

impl std::fmt::Debug for GifExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GifExport({}x{}, {} frames)", self.width, self.height, self.frames)
    }
}

/// Why an export cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GifError {
    /// A size GIF cannot hold, or nothing at all.
    #[error("a GIF is between 1x1 and 65535x65535 pixels, not {0}x{1}")]
    Size(u32, u32),
    /// A frame of the wrong size.
    #[error("a frame has {got} bytes where {width}x{height} RGBA needs {want}")]
    Frame {
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        want: usize,
        /// Width.
        width: u16,
        /// Height.
        height: u16,
    },
    /// The encoder's own error.
    #[error("the GIF could not be written: {0}")]
    Encode(String),
}

fn encode_error(e: impl std::fmt::Display) -> GifError {
    GifError::Encode(e.to_string())
}

impl GifExport {
    /// A looping GIF of `width` x `height` whose frames last `delay_cs` hundredths of a second.
    pub fn new(width: u32, height: u32, delay_cs: u16) -> Result<GifExport, GifError> {
        let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
            return Err(GifError::Size(width, height));
        };
        if w == 0 || h == 0 {
            return Err(GifError::Size(width, height));
        }
        Ok(GifExport {
            width: w,
            height: h,
            delay_cs,
            encoder: None,
            previous: Vec::new(),
            indices: Vec::new(),
            frames: 0,
        })
    }

    /// Adds a frame of RGBA pixels (row by row, `width * height * 4` bytes).
    pub fn push(&mut self, rgba: &[u8]) -> Result<(), GifError> {
        let want = usize::from(self.width) * usize::from(self.height) * 4;
        if rgba.len() != want {
            return Err(GifError::Frame { got: rgba.len(), want, width: self.width, height: self.height });
        }
        if self.encoder.is_none() {
            let quant = NeuQuant::new(SAMPLE, usize::from(UNCHANGED), rgba);
            let mut palette = quant.color_map_rgb();
            palette.extend_from_slice(&[0, 0, 0]);
            let mut encoder = Encoder::new(Vec::new(), self.width, self.height, &palette).map_err(encode_error)?;
            encoder.set_repeat(Repeat::Infinite).map_err(encode_error)?;
            self.encoder = Some((encoder, quant));
        }
        let Some((encoder, quant)) = self.encoder.as_mut() else { unreachable!("made above") };
        let first = self.previous.is_empty();
        self.indices.clear();
        self.indices.extend(rgba.chunks_exact(4).enumerate().map(|(i, px)| {
            if !first && self.previous[i * 4..i * 4 + 4] == *px {
                UNCHANGED
            } else {
                quant.index_of(px) as u8
            }
        }));
        let frame = Frame {
            width: self.width,
            height: self.height,
            delay: self.delay_cs,
            dispose: DisposalMethod::Keep,
            transparent: (!first).then_some(UNCHANGED),
            buffer: Cow::Borrowed(&self.indices),
            ..Frame::default()
        };
        encoder.write_frame(&frame).map_err(encode_error)?;
        self.previous.clear();
        self.previous.extend_from_slice(rgba);
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u32 {
        self.frames
    }

    /// The finished file (an empty clip has no frame and is refused).
    pub fn finish(self) -> Result<Vec<u8>, GifError> {
        let (encoder, _) = self.encoder.ok_or_else(|| GifError::Encode("the clip has no frame".into()))?;
        encoder.into_inner().map_err(encode_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The logical screen size and the number of images in a GIF file, read block by block.
    fn read(gif: &[u8]) -> (u16, u16, usize) {
        assert_eq!(&gif[..6], b"GIF89a");
        let (w, h) = (u16::from_le_bytes([gif[6], gif[7]]), u16::from_le_bytes([gif[8], gif[9]]));
        let mut i = 13 + if gif[10] & 0x80 != 0 { 3 << ((gif[10] & 7) + 1) } else { 0 };
        let mut images = 0;
        let skip_blocks = |mut i: usize| {
            while gif[i] != 0 {
                i += gif[i] as usize + 1;
            }
            i + 1
        };
        loop {
            match gif[i] {
                0x21 => i = skip_blocks(i + 2),
                0x2C => {
                    images += 1;
                    let packed = gif[i + 9];
                    i += 10 + if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 };
                    i = skip_blocks(i + 1);
                }
                0x3B => return (w, h, images),
                b => panic!("unexpected block {b:#x} at {i}"),
            }
        }
    }

    #[test]
    fn frames_make_a_looping_gif_of_their_size_and_count() {
        let mut g = GifExport::new(40, 25, 10).unwrap();
        for k in 0..5u8 {
            let px: Vec<u8> = (0..40 * 25).flat_map(|i| [(i % 40) as u8 * 6, k * 50, 200, 255]).collect();
            g.push(&px).unwrap();
        }
        assert_eq!(g.frames(), 5);
        let bytes = g.finish().unwrap();
        assert_eq!(read(&bytes), (40, 25, 5));
    }

    #[test]
    fn unchanged_pixels_cost_almost_nothing_after_the_first_frame() {
        let still: Vec<u8> = (0..200 * 100).flat_map(|i| [(i % 200) as u8, (i / 200) as u8, 90, 255]).collect();
        let clip = |n: usize| {
            let mut g = GifExport::new(200, 100, 10).unwrap();
            for _ in 0..n {
                g.push(&still).unwrap();
            }
            g.finish().unwrap()
        };
        let (one, ten) = (clip(1).len(), clip(10).len());
        assert_eq!(read(&clip(10)), (200, 100, 10));
        // Each unchanged frame: its header and one long run of "unchanged", under 5% of a full one.
        assert!((ten - one) * 20 < 9 * one, "nine unchanged frames cost {} bytes, one frame {one}", ten - one);
    }

    #[test]
    fn impossible_sizes_and_short_frames_are_refused() {
        assert_eq!(GifExport::new(0, 10, 10).unwrap_err(), GifError::Size(0, 10));
        assert_eq!(GifExport::new(70_000, 10, 10).unwrap_err(), GifError::Size(70_000, 10));
        let mut g = GifExport::new(4, 4, 10).unwrap();
        assert!(matches!(g.push(&[0; 12]), Err(GifError::Frame { got: 12, want: 64, .. })));
        assert!(GifExport::new(4, 4, 10).unwrap().finish().is_err(), "no frame, no file");
    }
}
