//! The natural logarithm of `libm` (the fdlibm algorithm: `x = 2^k (1 + f)`, then a rational
//! approximation in `s = f / (2 + f)`), with its special-input branches taken out of the main
//! path so that loops over columns vectorize. For positive normal numbers the core does exactly
//! libm's operations in libm's order, so results are bit-identical to `libm::log` (tested over
//! millions of inputs); `ln` and the slice function hand every other input to `libm::log`
//! itself. The engine takes two logarithms per jurisdiction and period, which made `libm::log`
//! one of its largest costs.

/// fdlibm's constants, by their bit patterns: ln 2 split in a high part with trailing zeros and
/// a low part, and the coefficients of the approximation of `(ln(1 + f) − f + f²/2) / s`.
const LN2_HI: u64 = 0x3fe6_2e42_fee0_0000;
const LN2_LO: u64 = 0x3dea_39ef_3579_3c76;
const LG: [u64; 7] = [
    0x3fe5_5555_5555_5593,
    0x3fd9_9999_9997_fa04,
    0x3fd2_4924_9422_9359,
    0x3fcc_71c5_1d8e_78af,
    0x3fc7_4664_96cb_03de,
    0x3fc3_9a09_d078_c69f,
    0x3fc2_f112_df3e_5244,
];

/// `ln x` for positive, normal, finite `x`, without branches. Other inputs give garbage.
#[inline(always)]
pub fn ln_positive_normal(x: f64) -> f64 {
    let c = |b: u64| f64::from_bits(b);
    let bits = x.to_bits();
    // Shift the exponent so that the reduced mantissa lies in [√2/2, √2).
    let hx = ((bits >> 32) as u32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    let k = (hx >> 20) as i32 - 0x3ff;
    let hx = (hx & 0x000f_ffff) + 0x3fe6_a09e;
    let m = f64::from_bits((u64::from(hx) << 32) | (bits & 0xffff_ffff));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (c(LG[1]) + w * (c(LG[3]) + w * c(LG[5])));
    let t2 = z * (c(LG[0]) + w * (c(LG[2]) + w * (c(LG[4]) + w * c(LG[6]))));
    let r = t2 + t1;
    let dk = f64::from(k);
    s * (hfsq + r) + dk * c(LN2_LO) - hfsq + f + dk * c(LN2_HI)
}

/// `ln x` for any `x`, bit-identical to `libm::log`: the inlined core for positive normal
/// numbers, libm itself for the rest.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    if plain(x) {
        ln_positive_normal(x)
    } else {
        libm::log(x)
    }
}

/// Whether libm's main path applies: positive, normal and finite.
#[inline(always)]
fn plain(x: f64) -> bool {
    x.is_normal() && x.is_sign_positive()
}

/// `out[i] = ln(xs[i])`, bit-identical to `libm::log` for every input. Every value goes through
/// the branch-free core (the loop vectorizes); zeros, negatives, subnormals, infinities and NaN
/// are then redone by `libm::log` in a second loop that runs only if there are any.
#[inline(always)]
pub fn ln_into(xs: &[f64], out: &mut [f64]) {
    let out = &mut out[..xs.len()];
    let mut special = false;
    for (o, &x) in out.iter_mut().zip(xs) {
        special |= !plain(x);
        *o = ln_positive_normal(x);
    }
    if special {
        for (o, &x) in out.iter_mut().zip(xs) {
            if !plain(x) {
                *o = libm::log(x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(x: f64) {
        let (a, b) = (ln_positive_normal(x), libm::log(x));
        assert_eq!(a.to_bits(), b.to_bits(), "ln({x:e}) = {a:e}, libm {b:e}");
    }

    #[test]
    fn core_matches_libm_bit_for_bit() {
        // A xorshift walk over all exponents of normal numbers and random mantissas.
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..3_000_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let exponent = 1 + (s >> 52) % 2046;
            same(f64::from_bits(
                (exponent << 52) | (s & 0x000f_ffff_ffff_ffff),
            ));
        }
        // Where the reduction switches exponent, around 1, and at the ends of the normal range.
        for b in [
            0x3fe6_a09e_0000_0000u64,
            0x3ff6_a09e_0000_0000,
            0x3ff0_0000_0000_0000,
        ] {
            for d in 0..20_000u64 {
                same(f64::from_bits(b + d * 0x1_0000_0000 / 97));
                same(f64::from_bits(b - d * 0x1_0000_0000 / 97));
            }
        }
        for x in [
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0,
            2.0,
            0.5,
            std::f64::consts::E,
            1e-300,
            1e300,
        ] {
            same(x);
        }
    }

    #[test]
    fn slices_match_libm_for_every_kind_of_input() {
        let xs = [
            1.5,
            0.0,
            -0.0,
            -2.0,
            5e-324,
            2.2e-308,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1.0,
            3.7e10,
        ];
        let mut out = [0.0; 11];
        ln_into(&xs, &mut out);
        for (x, o) in xs.iter().zip(out) {
            assert_eq!(o.to_bits(), libm::log(*x).to_bits(), "ln({x:e})");
            assert_eq!(ln(*x).to_bits(), libm::log(*x).to_bits(), "ln({x:e})");
        }
        let mut plain_only = [0.0; 3];
        ln_into(&[2.0, 0.25, 9.0], &mut plain_only);
        assert_eq!(
            plain_only.map(f64::to_bits),
            [2.0, 0.25, 9.0].map(|x| libm::log(x).to_bits())
        );
    }
}
