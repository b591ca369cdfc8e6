//! Distribution tail functions written directly on statrs' special functions (regularised
//! incomplete beta and gamma, erfc), so that p-values keep their relative accuracy in the tails
//! instead of being computed as `1 - cdf`.

use libm::erfc;
use statrs::function::{beta::beta_reg, gamma::gamma_ur, gamma::ln_gamma};

/// Two-sided p-value of Student's t: P(|T| >= |t|) = I_{df/(df+t²)}(df/2, 1/2).
pub fn t_two_sided(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return 0.0;
    }
    let x = df / (df + t * t);
    beta_reg(df / 2.0, 0.5, x).clamp(0.0, 1.0)
}

/// P(T <= t) for Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * t_two_sided(t, df);
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// Student's t density.
pub fn t_pdf(t: f64, df: f64) -> f64 {
    let ln = ln_gamma((df + 1.0) / 2.0)
        - ln_gamma(df / 2.0)
        - 0.5 * (df * std::f64::consts::PI).ln()
        - (df + 1.0) / 2.0 * (1.0 + t * t / df).ln();
    ln.exp()
}

/// Quantile of Student's t: statrs' starting value polished by Newton steps on our own cdf.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if p == 0.5 {
        return 0.0;
    }
    let mut x = StudentsT::new(0.0, 1.0, df)
        .map(|d| d.inverse_cdf(p))
        .unwrap_or(0.0);
    for _ in 0..8 {
        // Newton on the smaller tail, so the relative precision of small tails is kept.
        let d = t_pdf(x, df);
        if d <= 0.0 || !d.is_finite() {
            break;
        }
        let dx = if x > 0.0 {
            (0.5 * t_two_sided(x, df) - (1.0 - p)) / d
        } else {
            -(0.5 * t_two_sided(x, df) - p) / d
        };
        x += dx;
        if dx.abs() <= 1e-15 * x.abs().max(1.0) {
            break;
        }
    }
    x
}

/// Upper tail of the F distribution: P(F >= f).
pub fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    let x = df2 / (df2 + df1 * f);
    beta_reg(df2 / 2.0, df1 / 2.0, x).clamp(0.0, 1.0)
}

/// Upper tail of the chi-square distribution: P(X >= x).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    gamma_ur(df / 2.0, x / 2.0).clamp(0.0, 1.0)
}

/// Standard normal upper tail Q(z) = P(Z >= z).
pub fn norm_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// Standard normal cdf Φ(z).
pub fn norm_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal density φ(z).
pub fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

pub use statrs::function::gamma::ln_gamma as lgamma;
