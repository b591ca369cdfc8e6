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

/// `M^k` modulo 2¹²⁸: the multiplier that advances the stream by `k` draws at once.
fn multiplier_pow(mut k: u64) -> u128 {
    let (mut base, mut acc) = (MULTIPLIER, 1u128);
    while k > 0 {
        if k & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        k >>= 1;
    }
    acc
}

/// Takes the stream's next `rows × cols` uniforms in row-major order (row by row, each row's
/// columns in order) and stores them column by column: draw `r * cols + c` goes to
/// `out[c * stride + r]`. The same numbers as that many calls of [`uniform`], and the stream is
/// left where those calls would leave it. Each column is an arithmetic progression of the stream
/// (step `cols`), reached by jumping ahead with `M^cols`, so no transposition is needed; four
/// chains per column hide the latency of the 128-bit multiplication.
pub fn fill_uniform_by_column(
    rng: &mut Pcg64Mcg,
    rows: usize,
    cols: usize,
    stride: usize,
    out: &mut [f64],
) {
    if rows == 0 || cols == 0 {
        return;
    }
    assert!(stride >= rows && out.len() >= (cols - 1) * stride + rows);
    let s = rng.state();
    let step = multiplier_pow(cols as u64);
    let step4 = multiplier_pow(4 * cols as u64);
    let mut first = s.wrapping_mul(MULTIPLIER); // the state of draw 0
    for c in 0..cols {
        let column = &mut out[c * stride..c * stride + rows];
        let mut chains = [first; 4];
        for l in 1..4 {
            chains[l] = chains[l - 1].wrapping_mul(step);
        }
        let mut groups = column.chunks_exact_mut(4);
        for g in &mut groups {
            for (o, ch) in g.iter_mut().zip(chains.iter_mut()) {
                *o = unit(output(*ch));
                *ch = ch.wrapping_mul(step4);
            }
        }
        for (o, &ch) in groups.into_remainder().iter_mut().zip(&chains) {
            *o = unit(output(ch));
        }
        first = first.wrapping_mul(MULTIPLIER);
    }
    // The last draw is number rows · cols − 1, whose state is s · M^(rows · cols).
    *rng = Pcg64Mcg::new(s.wrapping_mul(multiplier_pow((rows * cols) as u64)));
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
    fn fill_by_column_is_the_same_stream_as_single_draws() {
        for (rows, cols, stride) in [
            (0, 3, 0),
            (5, 0, 5),
            (1, 1, 1),
            (7, 3, 9),
            (4096, 10, 4104),
            (13, 1, 13),
        ] {
            let (mut one, mut many) = (stream(8, 0, 1, 2), stream(8, 0, 1, 2));
            let mut want = vec![f64::NAN; cols * stride];
            for r in 0..rows {
                for c in 0..cols {
                    want[c * stride + r] = uniform(&mut one);
                }
            }
            let mut got = vec![f64::NAN; cols * stride];
            fill_uniform_by_column(&mut many, rows, cols, stride, &mut got);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            assert_eq!(bits(&got), bits(&want), "{rows} x {cols}");
            assert_eq!(uniform(&mut one).to_bits(), uniform(&mut many).to_bits());
        }
    }
}
