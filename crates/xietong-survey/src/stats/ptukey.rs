//! The studentized range distribution (Tukey HSD, Tukey-Kramer, Games-Howell p-values).
//!
//! Q = R / S, with R the range of k independent N(0,1) and S = sqrt(χ²_ν/ν) independent of R:
//! P(Q > q) = ∫ f_S(s) P(R > q s) ds. The upper tail is integrated directly (never `1 - cdf`), using
//! P(R > w) = k ∫ φ(z) Φ(z-w) Σ_{i=0}^{k-2} Φ(z)^i (Φ(z)-Φ(z-w))^{k-2-i} dz, which is the exact
//! difference k∫φ[Φ(z)^{k-1} - (Φ(z)-Φ(z-w))^{k-1}] with the cancellation factored out. Both
//! integrals use adaptive Gauss-Kronrod with panels placed around the peaks; ν may be fractional
//! (Games-Howell uses Welch degrees of freedom) and ν = ∞ is the normal range.

use super::dist::{lgamma, norm_cdf, norm_pdf, norm_sf};
use super::quad::integrate;

/// Tolerances of the nested integrals. The scaled Gauss-Kronrod error estimates are
/// conservative: results agree with QUADPACK references to ~1e-14, well inside the 1e-9 target.
const EPSREL_INNER: f64 = 1e-11;
const EPSREL_OUTER: f64 = 1e-10;

/// P(R > w) for the range R of `k` iid standard normals.
pub fn normal_range_sf(w: f64, k: usize) -> f64 {
    if w <= 0.0 {
        return 1.0;
    }
    if k < 2 {
        return 0.0;
    }
    let kf = k as f64;
    let integrand = |z: f64| {
        let a = norm_cdf(z);
        let c = norm_cdf(z - w);
        // b = Φ(z) - Φ(z-w) without cancellation when both are close to 1.
        let b = if z - w > 0.0 {
            norm_sf(z - w) - norm_sf(z)
        } else {
            a - c
        };
        // Σ_{i=0}^{k-2} a^i b^{k-2-i} by Horner: s_j = s_{j-1} b + a^j.
        let mut sum = 1.0;
        let mut apow = 1.0;
        for _ in 0..k - 2 {
            apow *= a;
            sum = sum * b + apow;
        }
        kf * norm_pdf(z) * c * sum
    };
    // The integrand lives where φ(z)Φ(z-w) does: a bump of sd ≈ 0.7 around w/2 (shifted right by
    // the max of k variables), or for small w the whole of φ. Beyond the limits below it is below
    // e^-50 of its peak, i.e. negligible at the 1e-13 tolerance.
    let centre = 0.5 * w;
    let lo = (centre - 10.0).max(-13.0);
    let hi = (centre + 12.0).max(13.0);
    let mut breaks = vec![lo];
    for d in [-5.0, -3.0, -1.5, 0.0, 1.5, 3.0, 5.0] {
        let x = centre + d;
        if x > lo && x < hi {
            breaks.push(x);
        }
    }
    breaks.push(hi);
    breaks.sort_by(|a, b| a.partial_cmp(b).unwrap());
    breaks.dedup();
    integrate(integrand, &breaks, 1e-300, EPSREL_INNER, 400).clamp(0.0, 1.0)
}

/// Upper tail P(Q > q) of the studentized range with `k` groups and `df` degrees of freedom
/// (`df` may be fractional; `f64::INFINITY` gives the normal range).
pub fn sf(q: f64, k: usize, df: f64) -> f64 {
    if q.is_nan() || df.is_nan() || k < 2 || df <= 0.0 {
        return f64::NAN;
    }
    if q <= 0.0 {
        return 1.0;
    }
    if q.is_infinite() {
        return 0.0;
    }
    if df.is_infinite() || df > 1e7 {
        return normal_range_sf(q, k);
    }
    let dens = density_of_s(df);
    let mode = ((df - 1.0).max(0.0) / df).sqrt();
    let spread = (1.0 / (2.0 * df)).sqrt();
    // For large q the integrand peaks left of the density's mode: log P(R > qs) ≈ -q²s²/4, so
    // the product peaks near s* = sqrt((ν-1)/(ν + q²/2)) with width 1/sqrt(2(ν + q²/2)).
    let s_star = ((df - 1.0).max(0.0) / (df + 0.5 * q * q)).sqrt();
    let spread_star = (1.0 / (2.0 * (df + 0.5 * q * q))).sqrt();
    let lo = (mode - 16.0 * spread)
        .min(s_star - 16.0 * spread_star)
        .max(0.0);
    let hi = mode + 16.0 * spread.max(if df < 4.0 { 0.8 } else { 0.0 });
    let mut breaks = vec![lo];
    // Few initial panels (each costs 21 inner integrals); the adaptive loop refines where needed.
    let far = (s_star - mode).abs() > 3.0 * spread;
    for d in [-4.0, 0.0, 4.0] {
        let mut xs = vec![mode + d * spread];
        if far {
            xs.push(s_star + d * spread_star);
        }
        for x in xs {
            if x > lo && x < hi {
                breaks.push(x);
            }
        }
    }
    breaks.sort_by(|a, b| a.partial_cmp(b).unwrap());
    breaks.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    breaks.push(hi);
    let v = integrate(
        |s| dens(s) * normal_range_sf(q * s, k),
        &breaks,
        1e-300,
        EPSREL_OUTER,
        400,
    );
    v.clamp(0.0, 1.0)
}

/// Density of S = sqrt(χ²_ν/ν). For ν > 2 it is written around its mode m = sqrt((ν-1)/ν) as
/// exp(C0 + (ν-1)·g(s/m - 1)) with g(t) = ln(1+t) - t - t²/2 and C0 from Stirling's series, so that
/// no large terms cancel: the naive form loses ~1e-10 to rounding at ν = 10⁶, which both limits the
/// accuracy and stalls the adaptive quadrature on noise.
fn density_of_s(df: f64) -> impl Fn(f64) -> f64 {
    let stable = df > 2.0;
    let m = ((df - 1.0).max(0.0) / df).sqrt();
    let x = 0.5 * df;
    let ln_c_naive = 0.5 * df * df.ln() - lgamma(x) - (x - 1.0) * std::f64::consts::LN_2;
    let c0 = if stable {
        // ε(x) = lgamma(x) - [(x - ½)ln x - x + ½ln 2π]
        let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
        let eps = if x >= 10.0 {
            let x2 = x * x;
            (1.0 / 12.0
                - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * x2)) / x2) / x2)
                    / x2)
                / x
        } else {
            lgamma(x) - ((x - 0.5) * x.ln() - x + half_ln_2pi)
        };
        0.5 * x.ln() + std::f64::consts::LN_2 - half_ln_2pi - eps
            + (x - 0.5) * (-1.0 / df).ln_1p()
            + 0.5
    } else {
        0.0
    };
    move |s: f64| {
        if s <= 0.0 {
            return 0.0;
        }
        if stable {
            let t = s / m - 1.0;
            let g = if t.abs() < 0.2 {
                // -t² + t³/3 - t⁴/4 + …
                let mut sum = 0.0;
                let mut pow = t * t * t;
                let mut j = 3.0;
                while j < 60.0 {
                    let term = pow / j;
                    sum += if (j as i64) % 2 == 1 { term } else { -term };
                    if term.abs() < 1e-18 * (t * t) {
                        break;
                    }
                    pow *= t;
                    j += 1.0;
                }
                -t * t + sum
            } else {
                t.ln_1p() - t - 0.5 * t * t
            };
            (c0 + (df - 1.0) * g).exp()
        } else {
            (ln_c_naive + (df - 1.0) * s.ln() - 0.5 * df * s * s).exp()
        }
    }
}

/// Lower tail P(Q <= q).
pub fn cdf(q: f64, k: usize, df: f64) -> f64 {
    1.0 - sf(q, k, df)
}

/// Quantile: the q with P(Q <= q) = p, by bracketing and bisection refined with secant steps.
pub fn quantile(p: f64, k: usize, df: f64) -> f64 {
    if !(0.0..1.0).contains(&p) || p == 0.0 {
        return if p == 0.0 { 0.0 } else { f64::NAN };
    }
    let target = 1.0 - p; // upper tail
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while sf(hi, k, df) > target {
        lo = hi;
        hi *= 2.0;
        if hi > 1e6 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if sf(mid, k, df) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-13 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_of_s_integrates_to_one() {
        for df in [1.0, 2.5, 3.0, 10.0, 57.3, 2404.0, 1e6] {
            let f = density_of_s(df);
            let sd = (0.5f64 / df).sqrt();
            let m = ((df - 1.0f64).max(0.0) / df).sqrt();
            let mut b = vec![0.0];
            for d in [-12.0, -4.0, 0.0, 4.0, 12.0] {
                let x = m + d * sd;
                if x > 0.0 {
                    b.push(x);
                }
            }
            b.push(m + 40.0 * sd.max(0.5));
            let v = integrate(&f, &b, 0.0, 1e-14, 500);
            assert!((v - 1.0).abs() < 1e-12, "df={df}: {v}");
        }
    }

    #[test]
    fn extreme_tails_lie_within_bonferroni_bounds() {
        // P(|T| > q/√2) ≤ P(Q > q) ≤ C(k,2)·P(|T| > q/√2).
        for &(q, k, df) in &[
            (12.0, 7usize, 1e6),
            (30.0, 7, 1e6),
            (12.0, 3, 30.0),
            (25.0, 4, 200.0),
        ] {
            let p = sf(q, k, df);
            let pt = super::super::dist::t_two_sided(q / std::f64::consts::SQRT_2, df);
            let m = (k * (k - 1) / 2) as f64;
            assert!(
                p >= pt * (1.0 - 1e-9) && p <= m * pt * (1.0 + 1e-9),
                "q={q} k={k} df={df}: {p:e} vs [{pt:e}, {:e}]",
                m * pt
            );
        }
    }

    #[test]
    fn two_groups_reduce_to_t() {
        // With k = 2, Q = sqrt(2)|T|: P(Q > q) = P(|T| > q/sqrt 2).
        for &(q, df) in &[
            (1.0, 5.0),
            (3.0, 12.5),
            (4.2, 60.0),
            (2.0, 1.0),
            (6.0, 300.0),
        ] {
            let a = sf(q, 2, df);
            let b = super::super::dist::t_two_sided(q / std::f64::consts::SQRT_2, df);
            assert!(((a - b) / b).abs() < 1e-11, "q={q} df={df}: {a} vs {b}");
        }
        // df = ∞: P(|Z1-Z2| > w) = 2 Q(w/√2).
        let w = 3.3;
        let a = normal_range_sf(w, 2);
        let b = 2.0 * norm_sf(w / std::f64::consts::SQRT_2);
        assert!(((a - b) / b).abs() < 1e-12);
    }
}
