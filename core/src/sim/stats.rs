//! Fixed-size statistics: log-linear histograms, time-weighted averages, bounded ring buffers.
//! Nothing here allocates after construction.

use serde::Serialize;

/// Sub-buckets per power of two: 2^5 = 32, so a bucket is at most 1/32 of its value wide
/// (reported values are bucket midpoints: relative error below 1.6%).
const SUB_BITS: u32 = 5;
const SUB: usize = 1 << SUB_BITS;
/// Largest power of two tracked exactly: 2^42 ns is about 73 minutes; longer values clamp.
const MAX_EXP: u32 = 42;
const BUCKETS: usize = (MAX_EXP as usize - SUB_BITS as usize + 2) * SUB;

/// An HDR-style histogram of nanosecond values with fixed log-linear buckets.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64]>,
    count: u64,
    sum: u128,
    max: u64,
    min: u64,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histogram").field("count", &self.count).field("max", &self.max).finish()
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram (about 10 KB).
    pub fn new() -> Self {
        Histogram { counts: vec![0; BUCKETS].into_boxed_slice(), count: 0, sum: 0, max: 0, min: u64::MAX }
    }

    /// Heap memory held, bytes.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.counts)
    }

    #[inline]
    fn index(v: u64) -> usize {
        if v < SUB as u64 {
            return v as usize;
        }
        let e = 63 - v.leading_zeros();
        if e > MAX_EXP {
            return BUCKETS - 1;
        }
        let m = (v >> (e - SUB_BITS)) as usize; // in [32, 64)
        (e - SUB_BITS + 1) as usize * SUB + (m - SUB)
    }

    fn bounds(i: usize) -> (u64, u64) {
        if i < SUB {
            return (i as u64, i as u64 + 1);
        }
        let g = (i / SUB) as u32;
        let m = (i % SUB + SUB) as u64;
        let lo = m << (g - 1);
        (lo, lo + (1u64 << (g - 1)))
    }

    /// Adds one value.
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.count += 1;
        self.sum += v as u128;
        if v > self.max {
            self.max = v;
        }
        if v < self.min {
            self.min = v;
        }
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// Exact mean (from the running sum), 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }
    /// Exact sum of all values.
    pub fn sum(&self) -> u128 {
        self.sum
    }
    /// Largest value.
    pub fn max(&self) -> u64 {
        self.max
    }
    /// The value at quantile `q` (0..=1), as the midpoint of its bucket, clamped to [min, max].
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        // Every value lies between `min` and `max`: buckets outside theirs are empty.
        let (first, last) = self.used();
        let mut seen = 0;
        for (i, &c) in self.counts[first..=last].iter().enumerate() {
            let i = first + i;
            seen += c;
            if seen >= rank {
                let (lo, hi) = Self::bounds(i);
                return ((lo + hi) / 2).clamp(self.min, self.max);
            }
        }
        self.max
    }
    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count > 0 {
            let (first, last) = other.used();
            for (a, b) in self.counts[first..=last].iter_mut().zip(other.counts[first..=last].iter()) {
                *a += *b;
            }
        }
        self.count += other.count;
        self.sum += other.sum;
        self.max = self.max.max(other.max);
        self.min = self.min.min(other.min);
    }
    /// The first and last bucket that may count values (those of `min` and `max`; only while
    /// some value was recorded).
    #[inline]
    fn used(&self) -> (usize, usize) {
        (Self::index(self.min), Self::index(self.max))
    }
    /// Forgets everything (keeps the memory).
    pub fn clear(&mut self) {
        if self.count > 0 {
            let (first, last) = self.used();
            self.counts[first..=last].iter_mut().for_each(|c| *c = 0);
        }
        self.count = 0;
        self.sum = 0;
        self.max = 0;
        self.min = u64::MAX;
    }
}

/// `a × b` without overflow. A 128-bit multiply is a library call in wasm32, so the usual case (both
/// factors below 2^32: a small count times an interval shorter than about 4 s) multiplies in 64 bits.
#[inline]
fn mul_wide(a: u64, b: u64) -> u128 {
    if (a | b) >> 32 == 0 {
        u128::from(a * b)
    } else {
        u128::from(a) * u128::from(b)
    }
}

/// The time integral of a non-negative integer quantity (queue length, busy servers...).
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeWeighted {
    /// Current value.
    pub value: u64,
    last: u64,
    integral: u128,
}

impl TimeWeighted {
    /// Changes the value at `now` by `delta`.
    #[inline]
    pub fn add(&mut self, now: u64, delta: i64) {
        self.integral += mul_wide(self.value, now - self.last);
        self.last = now;
        self.value = (self.value as i64 + delta) as u64;
    }
    /// The integral from the last reset up to `now` (value × ns).
    #[inline]
    pub fn integral(&self, now: u64) -> u128 {
        self.integral + mul_wide(self.value, now.saturating_sub(self.last))
    }
    /// Restarts the integral at `now`, keeping the value.
    pub fn reset(&mut self, now: u64) {
        self.integral = 0;
        self.last = now;
    }
}

/// A fixed-capacity ring buffer that overwrites its oldest entry when full.
#[derive(Clone, Debug)]
pub struct Ring<T> {
    buf: Vec<T>,
    head: usize,
    cap: usize,
    /// Items ever pushed (the dropped ones included).
    pushed: u64,
}

impl<T: Clone> Ring<T> {
    /// A ring holding at most `cap` items (at least one).
    pub fn new(cap: usize) -> Self {
        Ring { buf: Vec::with_capacity(cap.max(1)), head: 0, cap: cap.max(1), pushed: 0 }
    }
    /// Adds an item, dropping the oldest when full.
    pub fn push(&mut self, v: T) {
        self.pushed += 1;
        if self.buf.len() < self.cap {
            self.buf.push(v);
        } else {
            self.buf[self.head] = v;
            self.head = (self.head + 1) % self.cap;
        }
    }
    /// Items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.buf[self.head..].iter().chain(self.buf[..self.head].iter())
    }
    /// Items held.
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    /// Items ever pushed, the dropped ones included: the number the next push will have.
    pub fn pushed(&self) -> u64 {
        self.pushed
    }
    /// The items held that were pushed as number `n` or later (numbered from 0), oldest first.
    pub fn since(&self, n: u64) -> impl Iterator<Item = &T> {
        let first_held = self.pushed - self.buf.len() as u64;
        self.iter().skip(n.saturating_sub(first_held).min(self.buf.len() as u64) as usize)
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// Memory reserved, in items (never grows past the capacity given at construction).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// Count, sum, smallest and largest value of several histograms together.
fn totals<'a>(hs: impl Iterator<Item = &'a Histogram>) -> (u64, u128, u64, u64) {
    let (mut count, mut sum, mut min, mut max) = (0u64, 0u128, u64::MAX, 0u64);
    for h in hs {
        count += h.count;
        sum += h.sum;
        min = min.min(h.min);
        max = max.max(h.max);
    }
    (count, sum, min, max)
}

/// The values at quantiles `qs` (ascending, each 0..=1) of several histograms taken together,
/// exactly as [`Histogram::quantile`] of their merge would give them (0 when all are empty).
pub fn quantiles_across<'a, const N: usize>(hs: impl Iterator<Item = &'a Histogram> + Clone, qs: [f64; N]) -> [u64; N] {
    let (count, _, min, max) = totals(hs.clone());
    let mut out = [max; N];
    if count == 0 {
        return out;
    }
    let ranks = qs.map(|q| ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).max(1));
    let (mut seen, mut k) = (0, 0);
    for i in Histogram::index(min)..=Histogram::index(max) {
        seen += hs.clone().map(|h| h.counts[i]).sum::<u64>();
        while k < N && seen >= ranks[k] {
            let (lo, hi) = Histogram::bounds(i);
            out[k] = ((lo + hi) / 2).clamp(min, max);
            k += 1;
        }
        if k == N {
            break;
        }
    }
    out
}

/// How many values of several histograms taken together exceed `limit`, counting each value as
/// its bucket's midpoint clamped to the smallest and largest value (the convention
/// [`Histogram::quantile`] reports values by, so a quantile at or below `limit` leaves at most
/// the share of values above it over `limit`).
pub fn count_above<'a>(hs: impl Iterator<Item = &'a Histogram> + Clone, limit: u64) -> u64 {
    let (count, _, min, max) = totals(hs.clone());
    if count == 0 || max <= limit {
        return 0;
    }
    (Histogram::index(min)..=Histogram::index(max))
        .filter(|&i| {
            let (lo, hi) = Histogram::bounds(i);
            ((lo + hi) / 2).clamp(min, max) > limit
        })
        .map(|i| hs.clone().map(|h| h.counts[i]).sum::<u64>())
        .sum()
}

/// Latency figures in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    /// Values recorded.
    pub count: u64,
    /// Exact mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

impl LatencySummary {
    /// Summarises a histogram of nanoseconds.
    pub fn of(h: &Histogram) -> Self {
        Self::across(std::iter::once(h))
    }

    /// Summarises several histograms of nanoseconds taken together, exactly as if they were
    /// merged into one, without merging (nothing is allocated).
    pub fn across<'a>(hs: impl Iterator<Item = &'a Histogram> + Clone) -> Self {
        let (count, sum, _, max) = totals(hs.clone());
        let q = quantiles_across(hs, [0.5, 0.95, 0.99, 0.999]);
        let ms = |ns: u64| ns as f64 / 1e6;
        LatencySummary {
            count,
            mean_ms: if count == 0 { 0.0 } else { sum as f64 / count as f64 / 1e6 },
            p50_ms: ms(q[0]),
            p95_ms: ms(q[1]),
            p99_ms: ms(q[2]),
            p999_ms: ms(q[3]),
            max_ms: ms(max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_tight() {
        let mut prev_hi = 0;
        for i in 0..BUCKETS {
            let (lo, hi) = Histogram::bounds(i);
            assert_eq!(lo, prev_hi, "bucket {i}");
            assert!(hi > lo);
            assert_eq!(Histogram::index(lo), i);
            assert_eq!(Histogram::index(hi - 1), i);
            if lo >= 32 {
                assert!((hi - lo) as f64 / lo as f64 <= 1.0 / 32.0 + 1e-12);
            }
            prev_hi = hi;
        }
    }

    #[test]
    fn a_summary_across_histograms_equals_the_summary_of_their_merge() {
        // Three histograms of different spreads, and an empty one.
        let mut hs = [Histogram::new(), Histogram::new(), Histogram::new(), Histogram::new()];
        let mut x: u64 = 12345;
        for i in 0..30_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let v = match i % 3 {
                0 => 1_000 + (x >> 50),
                1 => 2_000_000 + (x >> 40),
                _ => 10 + (x >> 60),
            };
            hs[(i % 3) as usize].record(v);
        }
        let mut merged = Histogram::new();
        hs.iter().for_each(|h| merged.merge(h));
        assert_eq!(LatencySummary::across(hs.iter()), LatencySummary::of(&merged));
        assert_eq!(LatencySummary::across(hs[3..].iter()), LatencySummary::default());
        let one = LatencySummary::across(hs[1..2].iter());
        assert_eq!(one.p95_ms, hs[1].quantile(0.95) as f64 / 1e6);
        assert_eq!(one.p999_ms, hs[1].quantile(0.999) as f64 / 1e6);
    }

    #[test]
    fn values_above_a_limit_agree_with_the_quantiles() {
        let mut h = Histogram::new();
        let mut x: u64 = 99;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            h.record(1_000_000 + (x >> 38));
        }
        let one = || std::iter::once(&h);
        assert_eq!(count_above(one(), 0), h.count());
        assert_eq!(count_above(one(), h.max()), 0);
        let mut last = h.count();
        for p in [0.5, 0.9, 0.95, 0.99, 0.999] {
            let q = h.quantile(p);
            assert_eq!(quantiles_across(one(), [p])[0], q);
            let above = count_above(one(), q);
            // At most the share above the quantile lies above its value, and fewer as it rises.
            assert!(above <= h.count() - (p * h.count() as f64).ceil() as u64, "p{p}: {above}");
            assert!(above <= last);
            last = above;
            // Just below the quantile's value, its own bucket counts too: more than the share.
            assert!(count_above(one(), q - 1) as f64 >= (1.0 - p) * h.count() as f64, "p{p}");
        }
    }

    #[test]
    fn quantiles_within_bucket_precision() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record(v * 1000);
        }
        for q in [0.5, 0.95, 0.99, 0.999] {
            let exact = q * 100_000.0 * 1000.0;
            let got = h.quantile(q) as f64;
            assert!((got - exact).abs() / exact < 0.02, "q{q}: {got} vs {exact}");
        }
        assert_eq!(h.mean(), 50_000.5 * 1000.0);
        h.record(u64::MAX);
        assert_eq!(h.max(), u64::MAX);
    }

    #[test]
    fn time_weighted_and_ring() {
        let mut tw = TimeWeighted::default();
        tw.add(0, 2);
        tw.add(10, -1);
        assert_eq!(tw.integral(20), 30);
        let mut r = Ring::new(3);
        for i in 0..10 {
            r.push(i);
        }
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), vec![7, 8, 9]);
        assert_eq!(r.capacity(), 3);
        assert_eq!(r.pushed(), 10);
        // Items from a number on: those dropped are skipped, those not pushed yet are not there.
        assert_eq!(r.since(8).copied().collect::<Vec<_>>(), vec![8, 9]);
        assert_eq!(r.since(2).copied().collect::<Vec<_>>(), vec![7, 8, 9]);
        assert_eq!(r.since(10).count(), 0);
        assert_eq!(r.since(12).count(), 0);
    }
}
