//! Summaries over replications: streaming mean and variance, quantiles, and comparisons of two
//! policy variants: Welch (independent runs) or paired (runs sharing seeds, i.e. common random
//! numbers, where pairing removes the seed-to-seed noise shared by both variants).
//!
//! Mean and variance use Welford's update and merge exactly (Chan et al.), so shards of a run can
//! be summarised separately and combined. Quantiles need the values themselves: [`Replicates`]
//! keeps them (8 bytes per replication, which is small next to a simulation run) and interpolates
//! linearly between order statistics, numpy's default ("type 7") rule.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SaError, check_finite, invalid};
use crate::special::{t_quantile, t_two_sided_p};

/// Count, mean, variance, minimum and maximum in O(1) memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunningStats {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for RunningStats {
    fn default() -> Self {
        RunningStats {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl RunningStats {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Combines two summaries as if all values had been pushed into one.
    pub fn merge(&mut self, other: &RunningStats) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        self.mean += d * other.n as f64 / n as f64;
        self.m2 += other.m2 + d * d * (self.n as f64 * other.n as f64 / n as f64);
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.n
    }
    /// NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }
    /// Sample variance (divisor n - 1); NaN with fewer than two values.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }
    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.n as f64).sqrt()
    }
    pub fn min(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.min }
    }
    pub fn max(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.max }
    }
}

/// Quantile `p` of already sorted values, linear interpolation between order statistics
/// (numpy's default). NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    a + (b - a) * t
}

/// Everything the experiment layer reports for one metric at one design point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: u64,
    pub mean: f64,
    /// Sample variance (n - 1); NaN with one value.
    pub variance: f64,
    pub std_dev: f64,
    pub std_error: f64,
    pub min: f64,
    pub p05: f64,
    pub median: f64,
    pub p95: f64,
    pub max: f64,
}

/// Accumulates one metric over replications, value by value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replicates {
    stats: RunningStats,
    values: Vec<f64>,
}

impl Replicates {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one replication's value; NaN and infinities are refused, naming their position.
    pub fn push(&mut self, x: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(SaError::NonFinite {
                index: self.values.len(),
                value: x,
            });
        }
        self.stats.push(x);
        self.values.push(x);
        Ok(())
    }

    pub fn merge(&mut self, other: &Replicates) {
        self.stats.merge(&other.stats);
        self.values.extend_from_slice(&other.values);
    }

    pub fn stats(&self) -> &RunningStats {
        &self.stats
    }

    /// Quantile `p` in [0, 1] of the values so far.
    pub fn quantile(&self, p: f64) -> f64 {
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        quantile_sorted(&v, p)
    }

    pub fn summary(&self) -> Summary {
        let mut v = self.values.clone();
        v.sort_by(f64::total_cmp);
        let s = &self.stats;
        Summary {
            n: s.count(),
            mean: s.mean(),
            variance: s.variance(),
            std_dev: s.std_dev(),
            std_error: s.std_error(),
            min: s.min(),
            p05: quantile_sorted(&v, 0.05),
            median: quantile_sorted(&v, 0.5),
            p95: quantile_sorted(&v, 0.95),
            max: s.max(),
        }
    }
}

/// Difference of means `a - b` with a Welch (unequal variances) t interval and test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanDifference {
    pub n_a: u64,
    pub n_b: u64,
    pub mean_a: f64,
    pub mean_b: f64,
    /// mean_a - mean_b.
    pub difference: f64,
    pub std_error: f64,
    /// Welch-Satterthwaite degrees of freedom.
    pub df: f64,
    pub t: f64,
    /// Two-sided p-value for "no difference".
    pub p_value: f64,
    pub conf_level: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Welch comparison of two samples (e.g. one metric under two policy variants).
pub fn welch(a: &[f64], b: &[f64], conf_level: f64) -> Result<MeanDifference> {
    check_finite(a)?;
    check_finite(b)?;
    let mut sa = RunningStats::new();
    a.iter().for_each(|&x| sa.push(x));
    let mut sb = RunningStats::new();
    b.iter().for_each(|&x| sb.push(x));
    welch_from_stats(&sa, &sb, conf_level)
}

/// Welch comparison from streaming summaries.
pub fn welch_from_stats(
    a: &RunningStats,
    b: &RunningStats,
    conf_level: f64,
) -> Result<MeanDifference> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(invalid(
            "conf_level",
            "strictly between 0 and 1",
            conf_level,
        ));
    }
    for (label, s) in [("first", a), ("second", b)] {
        if s.count() < 2 {
            return Err(SaError::Undefined(format!(
                "the {label} sample has {} value(s); a Welch interval needs at least 2 replications per variant",
                s.count()
            )));
        }
    }
    let (na, nb) = (a.count() as f64, b.count() as f64);
    let (qa, qb) = (a.variance() / na, b.variance() / nb);
    let se2 = qa + qb;
    if se2 <= 0.0 {
        return Err(SaError::Undefined(format!(
            "both samples are constant ({} and {}); the Welch interval is undefined",
            a.mean(),
            b.mean()
        )));
    }
    let se = se2.sqrt();
    let df = se2 * se2 / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0));
    let difference = a.mean() - b.mean();
    let t = difference / se;
    let half = t_quantile(0.5 + conf_level / 2.0, df) * se;
    Ok(MeanDifference {
        n_a: a.count(),
        n_b: b.count(),
        mean_a: a.mean(),
        mean_b: b.mean(),
        difference,
        std_error: se,
        df,
        t,
        p_value: t_two_sided_p(t, df),
        conf_level,
        ci_low: difference - half,
        ci_high: difference + half,
    })
}

/// Paired comparison of two variants run with the same seeds (`a[i]` and `b[i]` from replication
/// `i`): the mean of `a[i] - b[i]` with a t interval on `n - 1` degrees of freedom (scipy's
/// `ttest_rel`). The result's `mean_a`/`mean_b` are the variants' means, `n_a = n_b = n`.
pub fn paired(a: &[f64], b: &[f64], conf_level: f64) -> Result<MeanDifference> {
    check_finite(a)?;
    check_finite(b)?;
    if a.len() != b.len() {
        return Err(invalid(
            "paired samples",
            "two samples of equal length (one value per shared seed)",
            format!("{} and {} values", a.len(), b.len()),
        ));
    }
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(invalid(
            "conf_level",
            "strictly between 0 and 1",
            conf_level,
        ));
    }
    if a.len() < 2 {
        return Err(SaError::Undefined(format!(
            "{} pair(s); a paired interval needs at least 2 replications",
            a.len()
        )));
    }
    let mut diff = RunningStats::new();
    let mut sa = RunningStats::new();
    let mut sb = RunningStats::new();
    for (x, y) in a.iter().zip(b) {
        diff.push(x - y);
        sa.push(*x);
        sb.push(*y);
    }
    let se = diff.std_error();
    if se.is_nan() || se <= 0.0 {
        return Err(SaError::Undefined(format!(
            "every paired difference equals {}; the paired interval is undefined",
            diff.mean()
        )));
    }
    let df = (diff.count() - 1) as f64;
    let t = diff.mean() / se;
    let half = t_quantile(0.5 + conf_level / 2.0, df) * se;
    Ok(MeanDifference {
        n_a: sa.count(),
        n_b: sb.count(),
        mean_a: sa.mean(),
        mean_b: sb.mean(),
        difference: diff.mean(),
        std_error: se,
        df,
        t,
        p_value: t_two_sided_p(t, df),
        conf_level,
        ci_low: diff.mean() - half,
        ci_high: diff.mean() + half,
    })
}
