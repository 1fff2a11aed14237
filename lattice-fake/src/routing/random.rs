//! The random source of weighted picks.
//!
//! The fake draws from one [`Rng`] (`fastrand`'s wyrand generator) seeded
//! with [`FakeLatticeBuilder::seed`](crate::FakeLatticeBuilder::seed): the
//! same seed and the same sequence of requests give the same weighted picks
//! and injected faults, run after run (with one version of `fastrand`).
//! Request ids do not come from it; they are random version-4 UUIDs, so
//! that clients cannot predict them.

pub use fastrand::Rng;

/// A source of random numbers for weighted picks; inject a seeded one
/// ([`Rng::with_seed`]) for deterministic tests.
pub trait RandomSource {
    /// The next uniformly distributed 64-bit value.
    fn next_u64(&mut self) -> u64;
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn next_u64(&mut self) -> u64 {
        (**self).next_u64()
    }
}

impl RandomSource for Rng {
    fn next_u64(&mut self) -> u64 {
        self.u64(..)
    }
}
