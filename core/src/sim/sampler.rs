//! Service-time samplers: a [`Dist`] of the topology turned into nanoseconds drawn from the one
//! random generator.

use crate::rng::SimRng;
use crate::topology::Dist;
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};

/// A distribution ready to sample, in nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(super) enum Sampler {
    Const(u64),
    Exp(f64),
    LogN { mu: f64, sigma: f64 },
    Unif { lo: f64, span: f64 },
}

impl Sampler {
    /// The sampler of a topology distribution (given in milliseconds).
    pub(super) fn of(d: &Dist) -> Self {
        const NS: f64 = 1e6;
        match *d {
            Dist::Constant { ms } => Sampler::Const((ms * NS).round().max(0.0) as u64),
            Dist::Exponential { mean_ms } => Sampler::Exp(mean_ms * NS),
            Dist::LogNormal { mean_ms, cv } => {
                if cv <= 0.0 || mean_ms <= 0.0 {
                    return Sampler::Const((mean_ms * NS).round().max(0.0) as u64);
                }
                let s2 = libm::log(1.0 + cv * cv);
                Sampler::LogN { mu: libm::log(mean_ms * NS) - s2 / 2.0, sigma: libm::sqrt(s2) }
            }
            Dist::Uniform { min_ms, max_ms } => Sampler::Unif { lo: min_ms * NS, span: (max_ms - min_ms) * NS },
        }
    }
    /// One draw, in nanoseconds.
    #[inline]
    pub(super) fn sample(&self, rng: &mut SimRng) -> u64 {
        match *self {
            Sampler::Const(v) => v,
            Sampler::Exp(mean) => {
                let x: f64 = rng.sample(Exp1);
                (x * mean + 0.5) as u64
            }
            Sampler::LogN { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (libm::exp(mu + sigma * z) + 0.5) as u64
            }
            Sampler::Unif { lo, span } => (lo + span * rng.random::<f64>() + 0.5) as u64,
        }
    }
}
