//! Descriptive statistics and frequency tables, unweighted or with case (frequency) weights.

use super::{Result, StatsError, dist, ksum};
use serde::Serialize;

/// Summary of one numeric variable. `sd`, `se` and the CI are `None` when n < 2.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Descriptives {
    pub n: f64,
    pub mean: f64,
    pub sd: Option<f64>,
    pub variance: Option<f64>,
    pub se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// n, mean, SD (n-1), SE, t-based CI at level `conf`, median, min, max.
pub fn describe(x: &[f64], conf: f64) -> Result<Descriptives> {
    if x.is_empty() {
        return Err(StatsError::TooFew {
            what: "descriptives".into(),
            need: 1,
            got: 0,
        });
    }
    let n = x.len();
    let (m, ss) = super::moments(x);
    let median = super::median(x);
    let (min, max) = x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (sd, variance, se, lo, hi) = if n >= 2 {
        let v = ss / (n as f64 - 1.0);
        let sd = v.sqrt();
        let se = sd / (n as f64).sqrt();
        let tq = dist::t_quantile(0.5 + conf / 2.0, n as f64 - 1.0);
        (
            Some(sd),
            Some(v),
            Some(se),
            Some(m - tq * se),
            Some(m + tq * se),
        )
    } else {
        (None, None, None, None, None)
    };
    Ok(Descriptives {
        n: n as f64,
        mean: m,
        sd,
        variance,
        se,
        ci_low: lo,
        ci_high: hi,
        median,
        min,
        max,
    })
}

/// Descriptives with frequency weights (as SPSS WEIGHT BY): n = Σw, variance = Σw(x-m)²/(Σw-1).
/// The median is the weighted median (first value where the cumulative weight reaches half; the
/// midpoint when it lands exactly on half).
pub fn describe_weighted(x: &[f64], w: &[f64], conf: f64) -> Result<Descriptives> {
    if x.len() != w.len() {
        return Err(StatsError::Invalid(
            "values and weights differ in length".into(),
        ));
    }
    if w.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(StatsError::Invalid(
            "weights must be finite and non-negative".into(),
        ));
    }
    let sw = ksum(w.iter().copied());
    if sw <= 0.0 {
        return Err(StatsError::TooFew {
            what: "weighted descriptives".into(),
            need: 1,
            got: 0,
        });
    }
    let m0 = ksum(x.iter().zip(w).map(|(a, b)| a * b)) / sw;
    let m = m0 + ksum(x.iter().zip(w).map(|(a, b)| (a - m0) * b)) / sw;
    let mut pairs: Vec<(f64, f64)> = x
        .iter()
        .copied()
        .zip(w.iter().copied())
        .filter(|p| p.1 > 0.0)
        .collect();
    pairs.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let half = sw / 2.0;
    let mut cum = 0.0;
    let mut median = pairs[pairs.len() - 1].0;
    for (i, &(v, wt)) in pairs.iter().enumerate() {
        cum += wt;
        if (cum - half).abs() <= 1e-12 * sw && i + 1 < pairs.len() {
            median = 0.5 * (v + pairs[i + 1].0);
            break;
        }
        if cum > half {
            median = v;
            break;
        }
    }
    let (sd, variance, se, lo, hi) = if sw > 1.0 {
        let v = ksum(x.iter().zip(w).map(|(a, b)| b * (a - m) * (a - m))) / (sw - 1.0);
        let sd = v.sqrt();
        let se = sd / sw.sqrt();
        let tq = dist::t_quantile(0.5 + conf / 2.0, sw - 1.0);
        (
            Some(sd),
            Some(v),
            Some(se),
            Some(m - tq * se),
            Some(m + tq * se),
        )
    } else {
        (None, None, None, None, None)
    };
    Ok(Descriptives {
        n: sw,
        mean: m,
        sd,
        variance,
        se,
        ci_low: lo,
        ci_high: hi,
        median,
        min: pairs[0].0,
        max: pairs[pairs.len() - 1].0,
    })
}

/// One row of a frequency table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FreqRow {
    pub value: String,
    pub count: f64,
    /// Percent of all cases, missing included.
    pub percent: f64,
    /// Percent of valid (non-missing) cases.
    pub valid_percent: f64,
    pub cumulative_percent: f64,
}

/// Frequency table over `categories` (in display order) from per-case category indices; `None` is
/// missing. Weighted when `weights` is given.
pub fn frequencies(
    categories: &[String],
    codes: &[Option<usize>],
    weights: Option<&[f64]>,
) -> (Vec<FreqRow>, f64, f64) {
    let mut counts = vec![0.0; categories.len()];
    let mut missing = 0.0;
    for (i, c) in codes.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        match c {
            Some(j) if *j < counts.len() => counts[*j] += w,
            _ => missing += w,
        }
    }
    let valid: f64 = counts.iter().sum();
    let total = valid + missing;
    let mut cum = 0.0;
    let rows = categories
        .iter()
        .zip(&counts)
        .map(|(v, &c)| {
            let vp = if valid > 0.0 { 100.0 * c / valid } else { 0.0 };
            cum += vp;
            FreqRow {
                value: v.clone(),
                count: c,
                percent: if total > 0.0 { 100.0 * c / total } else { 0.0 },
                valid_percent: vp,
                cumulative_percent: cum,
            }
        })
        .collect();
    (rows, valid, missing)
}
