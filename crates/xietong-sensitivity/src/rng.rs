//! Portable seeded randomness.
//!
//! Only `Pcg64::seed_from_u64` and `next_u64` are taken from rand; the conversions to floats,
//! bounded integers and shuffles are written here so that a seed gives the same design on every
//! platform and across rand releases.

use rand_pcg::Pcg64;
use rand_pcg::rand_core::{Rng, SeedableRng};

/// The generator used everywhere in this crate.
pub struct SeededRng(Pcg64);

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng(Pcg64::seed_from_u64(seed))
    }

    /// Uniform on `[0, 1)`: the top 53 bits of one `u64`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` without modulo bias (Lemire's multiply-and-reject).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.0.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }

    /// A fair coin.
    #[inline]
    pub fn coin(&mut self) -> bool {
        self.0.next_u64() >> 63 == 1
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_is_in_range_and_covers_all_values() {
        let mut rng = SeededRng::new(7);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            seen[rng.below(5)] += 1;
        }
        // Each cell expects 1000; a fair generator lands within +-150 with overwhelming probability.
        assert!(seen.iter().all(|&c| (850..1150).contains(&c)), "{seen:?}");
    }

    #[test]
    fn unit_is_in_half_open_interval() {
        let mut rng = SeededRng::new(1);
        let xs: Vec<f64> = (0..10000).map(|_| rng.unit()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = {
            let mut r = SeededRng::new(42);
            (0..8).map(|_| r.below(1000) as u64).collect()
        };
        let b: Vec<u64> = {
            let mut r = SeededRng::new(42);
            (0..8).map(|_| r.below(1000) as u64).collect()
        };
        assert_eq!(a, b);
    }
}
