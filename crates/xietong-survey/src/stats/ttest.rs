//! Independent-samples t-test as SPSS reports it: Student and Welch rows, Levene's test, the mean
//! difference with confidence intervals, Cohen's d and Hedges' g.

use super::{Result, StatsError, dist, mean};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TRow {
    pub t: f64,
    pub df: f64,
    pub p: f64,
    /// Standard error of the mean difference.
    pub se: f64,
    pub ci: [f64; 2],
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Levene {
    #[serde(rename = "F")]
    pub f: f64,
    pub df1: f64,
    pub df2: f64,
    pub p: f64,
    pub center: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TTest {
    pub n: [usize; 2],
    pub mean: [f64; 2],
    /// `None` for a group of one.
    pub sd: [Option<f64>; 2],
    pub student: TRow,
    /// `None` when a group has a single observation (its variance is unknown).
    pub welch: Option<TRow>,
    pub levene: Option<Levene>,
    pub mean_diff: f64,
    /// CI of the mean difference from the Student row (the Welch row carries its own).
    pub ci: [f64; 2],
    pub cohen_d: f64,
    /// Cohen's d times J = 1 - 3/(4(n1+n2) - 9), the approximation pingouin and most texts use.
    pub hedges_g: f64,
    pub warnings: Vec<String>,
}

/// Levene's test for equal variances over k groups; `median = true` is the Brown-Forsythe variant.
pub fn levene(groups: &[&[f64]], median: bool) -> Result<Levene> {
    let k = groups.len();
    if k < 2 {
        return Err(StatsError::TooFewGroups {
            what: "Levene's test".into(),
            need: 2,
            got: k,
        });
    }
    let n_tot: usize = groups.iter().map(|g| g.len()).sum();
    if groups.iter().any(|g| g.is_empty()) || n_tot <= k {
        return Err(StatsError::TooFew {
            what: "Levene's test".into(),
            need: k + 1,
            got: n_tot,
        });
    }
    let z: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            let c = if median { super::median(g) } else { mean(g) };
            g.iter().map(|v| (v - c).abs()).collect()
        })
        .collect();
    let zrefs: Vec<&[f64]> = z.iter().map(|v| v.as_slice()).collect();
    let (ssb, ssw) = between_within(&zrefs);
    let df1 = (k - 1) as f64;
    let df2 = (n_tot - k) as f64;
    if ssw <= 0.0 {
        return Err(StatsError::ZeroVariance {
            what: "Levene's test (absolute deviations)".into(),
        });
    }
    let f = (ssb / df1) / (ssw / df2);
    Ok(Levene {
        f,
        df1,
        df2,
        p: dist::f_sf(f, df1, df2),
        center: if median { "median" } else { "mean" },
    })
}

/// Between- and within-group sums of squares, on values shifted by the first observation (exact
/// for data sharing leading digits) and with compensated sums.
pub(crate) fn between_within(groups: &[&[f64]]) -> (f64, f64) {
    let x0 = groups
        .iter()
        .find_map(|g| g.first().copied())
        .unwrap_or(0.0);
    let shifted: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| g.iter().map(|v| v - x0).collect())
        .collect();
    let all: Vec<f64> = shifted.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let gm0 = super::ksum(all.iter().copied()) / n;
    let gm = gm0 + super::ksum(all.iter().map(|v| v - gm0)) / n;
    let mut ssb = Vec::with_capacity(groups.len());
    let mut ssw = Vec::with_capacity(groups.len());
    for g in &shifted {
        let k = g.len() as f64;
        let m0 = super::ksum(g.iter().copied()) / k;
        let m = m0 + super::ksum(g.iter().map(|v| v - m0)) / k;
        ssb.push(k * (m - gm) * (m - gm));
        ssw.push(super::ksum(g.iter().map(|v| (v - m) * (v - m))));
    }
    (super::ksum(ssb), super::ksum(ssw))
}

/// Independent-samples t-test of `a` against `b` (difference = mean(a) - mean(b)).
pub fn ttest_ind(a: &[f64], b: &[f64], conf: f64, levene_median: bool) -> Result<TTest> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 || n1 + n2 < 3 {
        return Err(StatsError::TooFew {
            what: "t-test (both groups together, each non-empty)".into(),
            need: 3,
            got: n1 + n2,
        });
    }
    let ((m1, ss1), (m2, ss2)) = (super::moments(a), super::moments(b));
    let v1 = if n1 > 1 {
        ss1 / (n1 as f64 - 1.0)
    } else {
        f64::NAN
    };
    let v2 = if n2 > 1 {
        ss2 / (n2 as f64 - 1.0)
    } else {
        f64::NAN
    };
    let (f1, f2) = (n1 as f64, n2 as f64);
    let df = f1 + f2 - 2.0;
    let sp2 = (ss1 + ss2) / df;
    if sp2 <= 0.0 {
        let what = "t-test (pooled variance)".into();
        return Err(if m1 != m2 {
            StatsError::NoWithinVariance { what }
        } else {
            StatsError::ZeroVariance { what }
        });
    }
    let diff = m1 - m2;
    let mut warnings = Vec::new();
    let alpha2 = 0.5 + conf / 2.0;
    let se = (sp2 * (1.0 / f1 + 1.0 / f2)).sqrt();
    let t = diff / se;
    let tq = dist::t_quantile(alpha2, df);
    let student = TRow {
        t,
        df,
        p: dist::t_two_sided(t, df),
        se,
        ci: [diff - tq * se, diff + tq * se],
    };
    let welch = if n1 > 1 && n2 > 1 {
        let (q1, q2) = (v1 / f1, v2 / f2);
        let se_w = (q1 + q2).sqrt();
        let df_w = (q1 + q2).powi(2) / (q1 * q1 / (f1 - 1.0) + q2 * q2 / (f2 - 1.0));
        let tw = diff / se_w;
        let tqw = dist::t_quantile(alpha2, df_w);
        Some(TRow {
            t: tw,
            df: df_w,
            p: dist::t_two_sided(tw, df_w),
            se: se_w,
            ci: [diff - tqw * se_w, diff + tqw * se_w],
        })
    } else {
        warnings.push(
            "a group has a single observation: Welch's test and Levene's test are undefined".into(),
        );
        None
    };
    let levene = if n1 > 1 && n2 > 1 {
        match levene(&[a, b], levene_median) {
            Ok(l) => Some(l),
            Err(e) => {
                warnings.push(e.to_string());
                None
            }
        }
    } else {
        None
    };
    let d = diff / sp2.sqrt();
    let j = 1.0 - 3.0 / (4.0 * (f1 + f2) - 9.0);
    Ok(TTest {
        n: [n1, n2],
        mean: [m1, m2],
        sd: [(n1 > 1).then(|| v1.sqrt()), (n2 > 1).then(|| v2.sqrt())],
        student: student.clone(),
        welch,
        levene,
        mean_diff: diff,
        ci: student.ci,
        cohen_d: d,
        hedges_g: d * j,
        warnings,
    })
}
