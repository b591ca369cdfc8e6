//! Special functions for confidence intervals: log-gamma, regularized incomplete beta and gamma,
//! and from them the normal and Student t distribution functions and quantiles.
//!
//! Written here (about a hundred lines) rather than pulling a statistics crate; checked against
//! scipy in `tests/fixtures/special.csv`. Quantiles are found by bisection on the distribution
//! function, which is slow next to rational approximations but exact to the last few ulps and
//! only ever called a handful of times per analysis.

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine terms; reflection below 1/2).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz evaluation).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        // Even term.
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + num / c;
        if c.abs() < TINY {
            c = TINY;
        }
        h *= d * c;
        // Odd term.
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + num / c;
        if c.abs() < TINY {
            c = TINY;
        }
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// Regularized incomplete beta I_x(a, b).
pub fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The fraction converges fast on the side of the mean; use the symmetry on the other side.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// Regularized upper incomplete gamma Q(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let log_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x).
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * log_front.exp()
    } else {
        // Continued fraction for Q(a, x), modified Lentz.
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let step = d * c;
            h *= step;
            if (step - 1.0).abs() < EPS {
                break;
            }
        }
        log_front.exp() * h
    }
}

/// Complementary error function, via erfc(z) = Q(1/2, z^2) for z >= 0.
pub fn erfc(z: f64) -> f64 {
    if z >= 0.0 {
        gamma_q(0.5, z * z)
    } else {
        2.0 - gamma_q(0.5, z * z)
    }
}

/// Standard normal distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Student t distribution function with `df` (real, > 0) degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let t2 = t * t;
    if t2 < df {
        // Near the centre: P(|T| < |t|) = I_{t²/(df+t²)}(1/2, df/2) keeps full precision for small t,
        // where df/(df+t²) would round to 1.
        let central = 0.5 * beta_inc(0.5, 0.5 * df, t2 / (df + t2));
        if t >= 0.0 {
            0.5 + central
        } else {
            0.5 - central
        }
    } else {
        let tail = 0.5 * beta_inc(0.5 * df, 0.5, df / (df + t2));
        if t >= 0.0 { 1.0 - tail } else { tail }
    }
}

/// Two-sided tail probability P(|T| >= |t|).
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    beta_inc(0.5 * df, 0.5, df / (df + t * t))
}

/// Inverts an increasing distribution function by bisection on a bracket grown until it holds `p`.
fn invert(cdf: impl Fn(f64) -> f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (-1.0, 1.0);
    while cdf(lo) > p {
        lo *= 2.0;
    }
    while cdf(hi) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid == lo || mid == hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Standard normal quantile for `p` in (0, 1); NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    invert(normal_cdf, p)
}

/// Student t quantile for `p` in (0, 1) and `df > 0`; NaN otherwise.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let valid = p > 0.0 && p < 1.0 && df > 0.0; // false for NaN too
    if !valid {
        return f64::NAN;
    }
    if df.is_infinite() {
        return normal_quantile(p);
    }
    invert(|t| t_cdf(t, df), p)
}
