//! Contingency tables: Pearson χ², Yates-corrected χ² (2×2), likelihood-ratio G², Fisher's exact
//! test (2×2, two-sided), expected counts with a low-expected-count warning, and Cramér's V.

use super::{Result, StatsError, dist};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChiRow {
    pub chi2: f64,
    pub df: f64,
    pub p: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contingency {
    pub n: f64,
    pub pearson: ChiRow,
    /// Yates' continuity correction, 2×2 tables only.
    pub yates: Option<ChiRow>,
    pub likelihood_ratio: ChiRow,
    /// Fisher's exact two-sided p, 2×2 tables only.
    pub fisher_p: Option<f64>,
    /// From the uncorrected Pearson χ²: sqrt(χ² / (n (min(r, c) - 1))).
    pub cramers_v: f64,
    pub expected: Vec<Vec<f64>>,
    pub cells_expected_below_5: usize,
    pub min_expected: f64,
    pub warnings: Vec<String>,
}

/// Analyse an r×c table of (possibly weighted) counts.
pub fn contingency(obs: &[Vec<f64>]) -> Result<Contingency> {
    let r = obs.len();
    let c = obs.first().map_or(0, |row| row.len());
    if r < 2 || c < 2 {
        return Err(StatsError::TooFewGroups {
            what: "chi-square test (rows and columns)".into(),
            need: 2,
            got: r.min(c),
        });
    }
    if obs.iter().any(|row| row.len() != c) {
        return Err(StatsError::Invalid("chi-square test: ragged table".into()));
    }
    if obs.iter().flatten().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(StatsError::Invalid(
            "chi-square test: counts must be finite and non-negative".into(),
        ));
    }
    let rows: Vec<f64> = obs.iter().map(|row| row.iter().sum()).collect();
    let cols: Vec<f64> = (0..c).map(|j| obs.iter().map(|row| row[j]).sum()).collect();
    let n: f64 = rows.iter().sum();
    if let Some(i) = rows.iter().position(|&v| v == 0.0) {
        return Err(StatsError::Invalid(format!(
            "chi-square test: row {} is empty (expected counts would be zero)",
            i + 1
        )));
    }
    if let Some(j) = cols.iter().position(|&v| v == 0.0) {
        return Err(StatsError::Invalid(format!(
            "chi-square test: column {} is empty (expected counts would be zero)",
            j + 1
        )));
    }
    let expected: Vec<Vec<f64>> = rows
        .iter()
        .map(|ri| cols.iter().map(|cj| ri * cj / n).collect())
        .collect();
    let df = ((r - 1) * (c - 1)) as f64;
    let mut x2 = 0.0;
    let mut g2 = 0.0;
    for i in 0..r {
        for j in 0..c {
            let (o, e) = (obs[i][j], expected[i][j]);
            x2 += (o - e) * (o - e) / e;
            if o > 0.0 {
                g2 += o * (o / e).ln();
            }
        }
    }
    g2 *= 2.0;
    let yates = if r == 2 && c == 2 {
        let mut y = 0.0;
        for i in 0..2 {
            for j in 0..2 {
                let d = (obs[i][j] - expected[i][j]).abs();
                let d = d - d.min(0.5);
                y += d * d / expected[i][j];
            }
        }
        Some(ChiRow {
            chi2: y,
            df,
            p: dist::chi2_sf(y, df),
        })
    } else {
        None
    };
    let fisher_p = if r == 2 && c == 2 && obs.iter().flatten().all(|v| v.fract() == 0.0) {
        Some(fisher_2x2(
            obs[0][0] as u64,
            obs[0][1] as u64,
            obs[1][0] as u64,
            obs[1][1] as u64,
        ))
    } else {
        None
    };
    let low = expected.iter().flatten().filter(|&&e| e < 5.0).count();
    let min_e = expected
        .iter()
        .flatten()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    let mut warnings = Vec::new();
    if low > 0 {
        warnings.push(format!(
            "{low} of {} cells ({:.1}%) have expected count below 5; the minimum expected count is {:.2}{}",
            r * c,
            100.0 * low as f64 / (r * c) as f64,
            min_e,
            if r == 2 && c == 2 { " (use Fisher's exact test)" } else { "" }
        ));
    }
    let k = r.min(c) as f64 - 1.0;
    Ok(Contingency {
        n,
        pearson: ChiRow {
            chi2: x2,
            df,
            p: dist::chi2_sf(x2, df),
        },
        yates,
        likelihood_ratio: ChiRow {
            chi2: g2,
            df,
            p: dist::chi2_sf(g2, df),
        },
        fisher_p,
        cramers_v: (x2 / (n * k)).sqrt(),
        expected,
        cells_expected_below_5: low,
        min_expected: min_e,
        warnings,
    })
}

fn ln_choose(n: u64, k: u64) -> f64 {
    use statrs::function::gamma::ln_gamma;
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Two-sided Fisher exact p for [[a, b], [c, d]]: the sum of the probabilities of all tables with
/// the same margins that are no more likely than the observed one (relative tolerance 1e-7, as R).
pub fn fisher_2x2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let r1 = a + b;
    let r2 = c + d;
    let c1 = a + c;
    let n = r1 + r2;
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let lnp = |x: u64| ln_choose(r1, x) + ln_choose(r2, c1 - x) - ln_choose(n, c1);
    let obs = lnp(a);
    let mut p = 0.0;
    for x in lo..=hi {
        let l = lnp(x);
        if l <= obs + 1e-7f64.ln_1p() {
            p += l.exp();
        }
    }
    p.min(1.0)
}
