//! Random streams. Every run, period and chunk of jurisdictions draws from its own PCG stream whose
//! seed is a hash of (seed, run, period, chunk): results are then independent of how work is spread
//! over threads, and identical on every machine.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// SplitMix64 finaliser: a well-mixed 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for one (seed, run, period, chunk). `period = u64::MAX` is used for initialisation.
pub fn stream(seed: u64, run: u64, period: u64, chunk: u64) -> Pcg64Mcg {
    let h = mix(mix(mix(mix(seed) ^ run) ^ period) ^ chunk);
    Pcg64Mcg::seed_from_u64(h)
}

/// A uniform draw in [0, 1) with 53 random bits.
#[inline]
pub fn uniform(rng: &mut Pcg64Mcg) -> f64 {
    use rand::Rng;
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// PCG's multiplier for 128-bit state (the one `rand_pcg` uses).
const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// PCG's XSL RR output: the two halves of the state xor-ed, rotated by the top six bits.
#[inline(always)]
fn output(state: u128) -> u64 {
    (((state >> 64) as u64) ^ (state as u64)).rotate_right((state >> 122) as u32)
}

#[inline(always)]
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Fills `out` with the stream's next `out.len()` uniforms: the same numbers in the same order as
/// that many calls of [`uniform`], and leaves the stream where those calls would. Each draw
/// multiplies the 128-bit state once, a chain whose latency bounds a one-at-a-time loop; here four
/// chains, offset by one step and each advancing four steps at a time (`M⁴`), run side by side.
pub fn fill_uniform(rng: &mut Pcg64Mcg, out: &mut [f64]) {
    if out.is_empty() {
        return;
    }
    let m1 = MULTIPLIER;
    let m2 = m1.wrapping_mul(m1);
    let m4 = m2.wrapping_mul(m2);
    let s = rng.state();
    let mut chains = [m1, m2, m2.wrapping_mul(m1), m4].map(|m| s.wrapping_mul(m));
    let mut last = s;
    let mut groups = out.chunks_exact_mut(4);
    for g in &mut groups {
        for (o, c) in g.iter_mut().zip(chains.iter_mut()) {
            *o = unit(output(*c));
            last = *c;
            *c = c.wrapping_mul(m4);
        }
    }
    for (o, &c) in groups.into_remainder().iter_mut().zip(&chains) {
        *o = unit(output(c));
        last = c;
    }
    // States of this generator are always odd, which `new` keeps.
    *rng = Pcg64Mcg::new(last);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = {
            let mut r = stream(1, 2, 3, 4);
            (0..5).map(|_| uniform(&mut r)).collect()
        };
        let b: Vec<f64> = {
            let mut r = stream(1, 2, 3, 4);
            (0..5).map(|_| uniform(&mut r)).collect()
        };
        let c: Vec<f64> = {
            let mut r = stream(1, 2, 3, 5);
            (0..5).map(|_| uniform(&mut r)).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|x| (0.0..1.0).contains(x)));
    }

    #[test]
    fn fill_uniform_is_the_same_stream_as_single_draws() {
        for len in (0..13).chain([1000, 40_963]) {
            let (mut one, mut many) = (stream(5, 1, 2, 3), stream(5, 1, 2, 3));
            let want: Vec<f64> = (0..len).map(|_| uniform(&mut one)).collect();
            let mut got = vec![0.0; len];
            fill_uniform(&mut many, &mut got);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            assert_eq!(bits(&got), bits(&want), "len = {len}");
            // Both streams continue from the same place.
            assert_eq!(uniform(&mut one).to_bits(), uniform(&mut many).to_bits());
        }
    }
}
