//! The simulation's one random number generator.
//!
//! A named, portable algorithm (ChaCha8) so that a seed gives the same stream on 64-bit native
//! builds and on 32-bit wasm. `SmallRng` would not: its algorithm depends on the pointer width.
//!
//! On x86 the generator is `rand_chacha::ChaCha8Rng`, whose block function runs on SSE2. Other
//! targets, wasm32 among them, get [`ScalarChaCha8`]: the same block function written out in plain
//! 32-bit code, because `rand_chacha`'s vector backend has no implementation there and emulates
//! its lanes one by one. The two streams are word for word the same (a test checks it): same
//! seeding, same 64-bit block counter, four blocks per refill, same buffering.

use rand::rand_core::block::{BlockRng, BlockRngCore};
use rand::SeedableRng;

/// The RNG every model draws from. Always seeded; never from entropy.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
pub type SimRng = rand_chacha::ChaCha8Rng;
/// The RNG every model draws from. Always seeded; never from entropy.
#[cfg(not(any(target_arch = "x86_64", target_arch = "x86")))]
pub type SimRng = ScalarChaCha8;

/// ChaCha8 in scalar code, the stream of `rand_chacha::ChaCha8Rng`.
pub type ScalarChaCha8 = BlockRng<ChaCha8Core>;

/// A generator for `seed`. Sub-streams (per layer, per replication) derive their seed with
/// [`derive_seed`], so adding draws in one place does not shift the numbers drawn elsewhere.
pub fn rng_from_seed(seed: u64) -> SimRng {
    SimRng::seed_from_u64(seed)
}

/// A seed for the named sub-stream `stream` of `seed` (SplitMix64 finaliser on the pair).
pub fn derive_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Words per ChaCha block.
const BLOCK: usize = 16;
/// Blocks produced per refill.
const BLOCKS: usize = 4;

/// The ChaCha8 block function: a 256-bit key, a 64-bit block counter and a 64-bit stream id
/// (always 0 here), each refill producing [`BLOCKS`] consecutive blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChaCha8Core {
    key: [u32; 8],
    counter: u64,
    stream: u64,
}

/// One refill: [`BLOCKS`] blocks of 16 words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buffer([u32; BLOCK * BLOCKS]);

impl Default for Buffer {
    fn default() -> Self {
        Buffer([0; BLOCK * BLOCKS])
    }
}

impl AsRef<[u32]> for Buffer {
    fn as_ref(&self) -> &[u32] {
        &self.0
    }
}

impl AsMut<[u32]> for Buffer {
    fn as_mut(&mut self) -> &mut [u32] {
        &mut self.0
    }
}

#[inline(always)]
fn quarter(x: &mut [u32; BLOCK], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(16);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(12);
    x[a] = x[a].wrapping_add(x[b]);
    x[d] = (x[d] ^ x[a]).rotate_left(8);
    x[c] = x[c].wrapping_add(x[d]);
    x[b] = (x[b] ^ x[c]).rotate_left(7);
}

impl ChaCha8Core {
    /// One block at `counter` into `out`.
    #[inline(always)]
    fn block(&self, counter: u64, out: &mut [u32]) {
        let k = &self.key;
        let input: [u32; BLOCK] = [
            0x6170_7865,
            0x3320_646e,
            0x7962_2d32,
            0x6b20_6574,
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            k[5],
            k[6],
            k[7],
            counter as u32,
            (counter >> 32) as u32,
            self.stream as u32,
            (self.stream >> 32) as u32,
        ];
        let mut x = input;
        for _ in 0..4 {
            quarter(&mut x, 0, 4, 8, 12);
            quarter(&mut x, 1, 5, 9, 13);
            quarter(&mut x, 2, 6, 10, 14);
            quarter(&mut x, 3, 7, 11, 15);
            quarter(&mut x, 0, 5, 10, 15);
            quarter(&mut x, 1, 6, 11, 12);
            quarter(&mut x, 2, 7, 8, 13);
            quarter(&mut x, 3, 4, 9, 14);
        }
        for ((o, x), i) in out.iter_mut().zip(x).zip(input) {
            *o = x.wrapping_add(i);
        }
    }
}

impl BlockRngCore for ChaCha8Core {
    type Item = u32;
    type Results = Buffer;

    fn generate(&mut self, results: &mut Buffer) {
        for (i, out) in results.0.chunks_exact_mut(BLOCK).enumerate() {
            self.block(self.counter.wrapping_add(i as u64), out);
        }
        self.counter = self.counter.wrapping_add(BLOCKS as u64);
    }
}

impl SeedableRng for ChaCha8Core {
    type Seed = [u8; 32];

    fn from_seed(seed: [u8; 32]) -> Self {
        let mut key = [0u32; 8];
        for (k, b) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        ChaCha8Core { key, counter: 0, stream: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngCore};

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = (0..8)
            .map({
                let mut r = rng_from_seed(42);
                move |_| r.random()
            })
            .collect();
        let b: Vec<u64> = (0..8)
            .map({
                let mut r = rng_from_seed(42);
                move |_| r.random()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(derive_seed(42, 1), derive_seed(42, 2));
    }

    #[test]
    fn stream_is_rand_chacha_chacha8() {
        for seed in [0, 1, 42, u64::MAX] {
            let mut ours = ScalarChaCha8::seed_from_u64(seed);
            let mut theirs = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            // Mixed 32- and 64-bit reads, so some 64-bit reads straddle a refill.
            for i in 0..5000u32 {
                if i % 3 == 0 {
                    assert_eq!(ours.next_u32(), theirs.next_u32(), "seed {seed}, draw {i}");
                } else {
                    assert_eq!(ours.next_u64(), theirs.next_u64(), "seed {seed}, draw {i}");
                }
            }
            let (mut a, mut b) = ([0u8; 37], [0u8; 37]);
            ours.fill_bytes(&mut a);
            theirs.fill_bytes(&mut b);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn published_chacha8_vector() {
        // The ChaCha8 keystream for the all-zero key and nonce begins 3e00ef2f895f40d6.
        let mut r = ScalarChaCha8::from_seed([0; 32]);
        let mut bytes = [0u8; 8];
        r.fill_bytes(&mut bytes);
        assert_eq!(bytes, [0x3e, 0x00, 0xef, 0x2f, 0x89, 0x5f, 0x40, 0xd6]);
    }
}
