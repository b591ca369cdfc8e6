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
/// chains per column hide the latency of the 128-bit multiplication (eight, in vector lanes, on
/// AVX-512).
pub fn fill_uniform_by_column(
    rng: &mut Pcg64Mcg,
    rows: usize,
    cols: usize,
    stride: usize,
    out: &mut [f64],
) {
    fill_uniform_by_column_with(&mut Jumps::default(), rng, rows, cols, stride, out);
}

/// The multipliers [`fill_uniform_by_column`] jumps ahead with for one shape (rows × columns):
/// `M^(cols · l)` for l = 0…8 and `M^(rows · cols)`. Kept from call to call by a caller whose
/// shape seldom changes (the engine's, every period), as taking them afresh (some forty 128-bit
/// multiplications) cost a fifth of the draws at 42 jurisdictions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Jumps {
    shape: Option<(usize, usize)>,
    /// `powers[l] = M^(cols · l)`.
    powers: [u128; 9],
    total: u128,
}

impl Jumps {
    fn for_shape(&mut self, rows: usize, cols: usize) -> &Jumps {
        if self.shape != Some((rows, cols)) {
            let step = multiplier_pow(cols as u64);
            self.powers[0] = 1;
            for l in 1..9 {
                self.powers[l] = self.powers[l - 1].wrapping_mul(step);
            }
            self.total = multiplier_pow((rows * cols) as u64);
            self.shape = Some((rows, cols));
        }
        self
    }
}

/// [`fill_uniform_by_column`] with the jumps kept in `jumps`.
pub(crate) fn fill_uniform_by_column_with(
    jumps: &mut Jumps,
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
    let jumps = jumps.for_shape(rows, cols);
    let s = rng.state();
    let first = s.wrapping_mul(MULTIPLIER); // the state of draw 0
    #[cfg(target_arch = "x86_64")]
    if crate::kernel::vector_lanes() >= 8 {
        // SAFETY: eight lanes are handed out only when the processor has AVX-512F.
        unsafe { wide::fill_columns(first, &jumps.powers, rows, cols, stride, out) };
    } else {
        fill_columns(first, &jumps.powers, rows, cols, stride, out);
    }
    #[cfg(not(target_arch = "x86_64"))]
    fill_columns(first, &jumps.powers, rows, cols, stride, out);
    // The last draw is number rows · cols − 1, whose state is s · M^(rows · cols).
    *rng = Pcg64Mcg::new(s.wrapping_mul(jumps.total));
}

/// [`fill_uniform_by_column`]'s draws from the state of draw 0, four chains per column;
/// `powers[l] = M^(cols · l)`.
fn fill_columns(
    mut first: u128,
    powers: &[u128; 9],
    rows: usize,
    cols: usize,
    stride: usize,
    out: &mut [f64],
) {
    let (step, step4) = (powers[1], powers[4]);
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
}

/// The same draws with AVX-512: eight chains per column, one in each lane, each state held as its
/// high and low 64-bit halves in two vectors. The 128-bit product modulo 2¹²⁸ is built from
/// 32 × 32-bit products, and the output permutation and the conversion to a double are exact
/// integer operations, so the bits are those of the scalar path (tested). The scalar path's
/// 128-bit multiplications, one per draw, took a tenth of a period at 42 jurisdictions.
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::MULTIPLIER;
    use std::arch::x86_64::*;

    /// A 128-bit number in each of eight lanes.
    #[derive(Clone, Copy)]
    struct U128x8 {
        hi: __m512i,
        lo: __m512i,
    }

    /// Low and high halves of the lane-wise 64 × 64-bit products.
    #[target_feature(enable = "avx512f")]
    fn mul_wide(a: __m512i, b: __m512i) -> (__m512i, __m512i) {
        let mask = _mm512_set1_epi64(0xffff_ffff);
        let (a_hi, b_hi) = (_mm512_srli_epi64::<32>(a), _mm512_srli_epi64::<32>(b));
        let ll = _mm512_mul_epu32(a, b);
        let lh = _mm512_mul_epu32(a, b_hi);
        let hl = _mm512_mul_epu32(a_hi, b);
        let hh = _mm512_mul_epu32(a_hi, b_hi);
        // a · b = hh 2⁶⁴ + (lh + hl) 2³² + ll; the middle 32-bit column and its carry.
        let mid = _mm512_add_epi64(
            _mm512_add_epi64(_mm512_srli_epi64::<32>(ll), _mm512_and_si512(lh, mask)),
            _mm512_and_si512(hl, mask),
        );
        let lo = _mm512_or_si512(_mm512_and_si512(ll, mask), _mm512_slli_epi64::<32>(mid));
        let hi = _mm512_add_epi64(
            _mm512_add_epi64(hh, _mm512_srli_epi64::<32>(lh)),
            _mm512_add_epi64(_mm512_srli_epi64::<32>(hl), _mm512_srli_epi64::<32>(mid)),
        );
        (lo, hi)
    }

    /// Low half of the lane-wise 64 × 64-bit products.
    #[target_feature(enable = "avx512f")]
    fn mul_low(a: __m512i, b: __m512i) -> __m512i {
        let (a_hi, b_hi) = (_mm512_srli_epi64::<32>(a), _mm512_srli_epi64::<32>(b));
        let cross = _mm512_add_epi64(_mm512_mul_epu32(a, b_hi), _mm512_mul_epu32(a_hi, b));
        _mm512_add_epi64(_mm512_mul_epu32(a, b), _mm512_slli_epi64::<32>(cross))
    }

    /// Lane-wise `a · b` modulo 2¹²⁸.
    #[target_feature(enable = "avx512f")]
    fn mul(a: U128x8, b: U128x8) -> U128x8 {
        let (lo, carry) = mul_wide(a.lo, b.lo);
        let hi = _mm512_add_epi64(
            carry,
            _mm512_add_epi64(mul_low(a.lo, b.hi), mul_low(a.hi, b.lo)),
        );
        U128x8 { hi, lo }
    }

    #[target_feature(enable = "avx512f")]
    fn splat(x: u128) -> U128x8 {
        U128x8 {
            hi: _mm512_set1_epi64((x >> 64) as i64),
            lo: _mm512_set1_epi64(x as i64),
        }
    }

    #[target_feature(enable = "avx512f")]
    fn from_lanes(x: [u128; 8]) -> U128x8 {
        let (hi, lo) = (x.map(|v| (v >> 64) as i64), x.map(|v| v as i64));
        // SAFETY: eight i64s are one 512-bit vector; unaligned loads.
        unsafe {
            U128x8 {
                hi: _mm512_loadu_si512(hi.as_ptr().cast()),
                lo: _mm512_loadu_si512(lo.as_ptr().cast()),
            }
        }
    }

    /// PCG's XSL RR output of each lane's state, as a uniform in [0, 1): `(hi ^ lo)` rotated right
    /// by the top six bits, its top 53 bits as a double, times 2⁻⁵³. An integer below 2⁵² becomes
    /// a double exactly by or-ing it into the mantissa of 2⁵² and subtracting 2⁵²; the 53 bits are
    /// converted as their top 52 and their last bit, then `2 · top + last`, exact as well.
    #[target_feature(enable = "avx512f")]
    fn unit(x: U128x8) -> __m512d {
        let bits = _mm512_rorv_epi64(_mm512_xor_si512(x.hi, x.lo), _mm512_srli_epi64::<58>(x.hi));
        let top = _mm512_srli_epi64::<11>(bits);
        let two52 = _mm512_set1_epi64(0x4330_0000_0000_0000);
        let exact = |v: __m512i| {
            _mm512_sub_pd(
                _mm512_castsi512_pd(_mm512_or_si512(v, two52)),
                _mm512_castsi512_pd(two52),
            )
        };
        let halves = exact(_mm512_srli_epi64::<1>(top));
        let last = exact(_mm512_and_si512(top, _mm512_set1_epi64(1)));
        let v = _mm512_add_pd(_mm512_mul_pd(halves, _mm512_set1_pd(2.0)), last);
        _mm512_mul_pd(v, _mm512_set1_pd(1.0 / (1u64 << 53) as f64))
    }

    /// `powers[l] = M^(cols · l)`.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn fill_columns(
        first: u128,
        powers: &[u128; 9],
        rows: usize,
        cols: usize,
        stride: usize,
        out: &mut [f64],
    ) {
        let lanes: [u128; 8] = std::array::from_fn(|l| powers[l]);
        let (step8, next) = (splat(powers[8]), splat(MULTIPLIER));
        let powers = from_lanes(lanes);
        // Lane l of column c holds draw (8 g + l) · cols + c of the stream in group g.
        let mut start = mul(splat(first), powers);
        for c in 0..cols {
            let column = &mut out[c * stride..c * stride + rows];
            let mut chains = start;
            let mut groups = column.chunks_exact_mut(8);
            for g in &mut groups {
                // SAFETY: `g` holds eight doubles.
                unsafe { _mm512_storeu_pd(g.as_mut_ptr(), unit(chains)) };
                chains = mul(chains, step8);
            }
            let rest = groups.into_remainder();
            if !rest.is_empty() {
                let mask = (1u8 << rest.len()) - 1;
                // SAFETY: the mask writes only the first `rest.len()` doubles.
                unsafe { _mm512_mask_storeu_pd(rest.as_mut_ptr(), mask, unit(chains)) };
            }
            start = mul(start, next);
        }
    }
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
        // Jumps kept over all the shapes, each shape twice: they follow every change of shape.
        let mut kept = Jumps::default();
        for (rows, cols, stride) in [
            (0, 3, 0),
            (5, 0, 5),
            (1, 1, 1),
            (7, 3, 9),
            (7, 3, 9),
            (4096, 10, 4104),
            (13, 1, 13),
            (13, 1, 13),
            (42, 10, 56),
            (42, 9, 56),
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
            let mut with_kept = stream(8, 0, 1, 2);
            let mut got_kept = vec![f64::NAN; cols * stride];
            fill_uniform_by_column_with(
                &mut kept,
                &mut with_kept,
                rows,
                cols,
                stride,
                &mut got_kept,
            );
            assert_eq!(bits(&got_kept), bits(&want), "kept jumps, {rows} x {cols}");
            uniform(&mut with_kept);
            assert_eq!(
                with_kept.state(),
                many.state(),
                "kept jumps, {rows} x {cols}"
            );
            // Both paths, whichever the processor takes above.
            if rows > 0 && cols > 0 {
                let first = stream(8, 0, 1, 2).state().wrapping_mul(MULTIPLIER);
                let mut jumps = Jumps::default();
                let powers = jumps.for_shape(rows, cols).powers;
                let mut scalar = vec![f64::NAN; cols * stride];
                fill_columns(first, &powers, rows, cols, stride, &mut scalar);
                assert_eq!(bits(&scalar), bits(&want), "scalar, {rows} x {cols}");
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx512f") {
                    let mut wide = vec![f64::NAN; cols * stride];
                    // SAFETY: the processor has AVX-512F (checked just above).
                    unsafe { wide::fill_columns(first, &powers, rows, cols, stride, &mut wide) };
                    assert_eq!(bits(&wide), bits(&want), "AVX-512, {rows} x {cols}");
                }
            }
        }
    }
}
