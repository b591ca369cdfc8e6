//! A portable, inlinable `exp` for the decision loop. The engine calls `exp` twice per
//! jurisdiction-domain decision; the `libm` crate's version is exact to an ulp but is an out-of-line
//! call that took half the engine's time, and the platform's `f64::exp` is not guaranteed to give
//! the same bits on every machine. This one uses only IEEE-754 additions and multiplications in a
//! fixed order (no fused multiply-add), so it is bit-for-bit reproducible everywhere, and its
//! relative error is below 2e-15 (tested against `libm::exp`), far below anything the model resolves.

const LOG2_E: f64 = std::f64::consts::LOG2_E;
// ln 2 split so that k · LN2_HI is exact for |k| < 2^11 (Cody-Waite reduction).
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;

/// `e^x` for finite `x`; saturates to 0 below −708 and to `e^709` above 709; NaN stays NaN.
#[inline]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    // Round to nearest by adding 1.5·2^52 (exact IEEE arithmetic; `f64::round` is an out-of-line
    // call on baseline x86-64). The integer k then sits in the low mantissa bits of `shifted`.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let shifted = x * LOG2_E + SHIFT;
    let k = shifted - SHIFT;
    let k_int = shifted.to_bits().wrapping_sub(SHIFT.to_bits()) as i64;
    let r = (x - k * LN2_HI) - k * LN2_LO; // |r| ≤ ln2/2 ≈ 0.347
    // Taylor series to r^13 (remainder < 0.347^14/14! ≈ 4e-18), evaluated in Estrin form to
    // shorten the dependency chain.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = 1.0 + r;
    let p23 = 1.0 / 2.0 + r * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    let p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0);
    let p1011 = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
    let p1213 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0);
    let lo = (p01 + r2 * p23) + r4 * (p45 + r2 * p67);
    let hi = (p89 + r2 * p1011) + r4 * p1213;
    let poly = lo + r8 * hi;
    // Scale by 2^k: the clamp keeps k in [−1021, 1023], a normal power of two.
    poly * f64::from_bits(((k_int + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::exp;

    #[test]
    fn matches_libm_to_2e_15() {
        let mut worst: f64 = 0.0;
        let mut x = -700.0;
        while x < 700.0 {
            let (a, b) = (exp(x), libm::exp(x));
            worst = worst.max(((a - b) / b).abs());
            x += 0.0137;
        }
        for &x in &[
            0.0,
            1e-300,
            -1e-300,
            0.5,
            -0.5,
            0.34657359,
            -0.34657359,
            1.0,
            -1.0,
            20.0,
            -20.0,
        ] {
            let (a, b) = (exp(x), libm::exp(x));
            worst = worst.max(((a - b) / b).abs());
        }
        assert!(worst < 2e-15, "worst relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn saturates_and_propagates_nan() {
        assert!(exp(-1000.0) < 1e-300 && exp(-1000.0) >= 0.0);
        assert!(exp(1000.0).is_finite());
        assert!(exp(f64::NAN).is_nan());
    }
}
