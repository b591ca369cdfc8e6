//! One-way ANOVA with η², Welch's and Brown-Forsythe's robust ANOVAs, and post-hoc comparisons
//! (Tukey HSD / Tukey-Kramer, Games-Howell, Bonferroni) as SPSS's ONEWAY reports them.

use super::ttest::between_within;
use super::{Result, StatsError, dist, mean, ptukey};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupStat {
    pub n: usize,
    pub mean: f64,
    /// `None` for a group of one.
    pub sd: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Anova {
    #[serde(rename = "F")]
    pub f: f64,
    pub df1: f64,
    pub df2: f64,
    pub p: f64,
    pub ss_between: f64,
    pub ss_within: f64,
    pub ms_within: f64,
    pub eta_squared: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RobustF {
    #[serde(rename = "F")]
    pub f: f64,
    pub df1: f64,
    pub df2: f64,
    pub p: f64,
}

/// One pairwise comparison; `t` is diff/se, and for the Tukey family q = √2·|t|.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub diff: f64,
    pub se: f64,
    pub t: f64,
    pub df: f64,
    pub p: f64,
}

pub fn group_stats(groups: &[&[f64]]) -> Vec<GroupStat> {
    groups
        .iter()
        .map(|g| {
            let (m, ss) = super::moments(g);
            let sd = if g.len() > 1 {
                Some((ss / (g.len() as f64 - 1.0)).sqrt())
            } else {
                None
            };
            GroupStat {
                n: g.len(),
                mean: m,
                sd,
            }
        })
        .collect()
}

fn check(groups: &[&[f64]], what: &str) -> Result<()> {
    if groups.len() < 2 {
        return Err(StatsError::TooFewGroups {
            what: what.into(),
            need: 2,
            got: groups.len(),
        });
    }
    if let Some(i) = groups.iter().position(|g| g.is_empty()) {
        return Err(StatsError::Invalid(format!(
            "{what}: group {} has no valid observations",
            i + 1
        )));
    }
    Ok(())
}

/// Classical one-way ANOVA.
pub fn oneway(groups: &[&[f64]]) -> Result<Anova> {
    check(groups, "one-way ANOVA")?;
    let k = groups.len();
    let n: usize = groups.iter().map(|g| g.len()).sum();
    if n <= k {
        return Err(StatsError::TooFew {
            what: "one-way ANOVA".into(),
            need: k + 1,
            got: n,
        });
    }
    let (ssb, ssw) = between_within(groups);
    if ssw <= 0.0 {
        let what = "one-way ANOVA (within groups)".into();
        return Err(if ssb > 0.0 {
            StatsError::NoWithinVariance { what }
        } else {
            StatsError::ZeroVariance { what }
        });
    }
    let df1 = (k - 1) as f64;
    let df2 = (n - k) as f64;
    let f = (ssb / df1) / (ssw / df2);
    Ok(Anova {
        f,
        df1,
        df2,
        p: dist::f_sf(f, df1, df2),
        ss_between: ssb,
        ss_within: ssw,
        ms_within: ssw / df2,
        eta_squared: ssb / (ssb + ssw),
    })
}

fn need_variances(groups: &[&[f64]], what: &str) -> Result<Vec<GroupStat>> {
    check(groups, what)?;
    let gs = group_stats(groups);
    if let Some(i) = gs.iter().position(|g| g.n < 2) {
        return Err(StatsError::TooFew {
            what: format!("{what} (group {})", i + 1),
            need: 2,
            got: gs[i].n,
        });
    }
    Ok(gs)
}

/// Welch's heteroscedastic one-way ANOVA.
pub fn welch(groups: &[&[f64]]) -> Result<RobustF> {
    let gs = need_variances(groups, "Welch ANOVA")?;
    if gs.iter().any(|g| g.sd == Some(0.0)) {
        return Err(StatsError::ZeroVariance {
            what: "Welch ANOVA (a group has zero variance, weight n/s² is infinite)".into(),
        });
    }
    let k = gs.len() as f64;
    let w: Vec<f64> = gs
        .iter()
        .map(|g| g.n as f64 / g.sd.unwrap().powi(2))
        .collect();
    let sw: f64 = w.iter().sum();
    let mw = gs.iter().zip(&w).map(|(g, wi)| wi * g.mean).sum::<f64>() / sw;
    let a = gs
        .iter()
        .zip(&w)
        .map(|(g, wi)| wi * (g.mean - mw).powi(2))
        .sum::<f64>()
        / (k - 1.0);
    let tmp: f64 = gs
        .iter()
        .zip(&w)
        .map(|(g, wi)| (1.0 - wi / sw).powi(2) / (g.n as f64 - 1.0))
        .sum();
    let b = 1.0 + 2.0 * (k - 2.0) / (k * k - 1.0) * tmp;
    let f = a / b;
    let df2 = (k * k - 1.0) / (3.0 * tmp);
    Ok(RobustF {
        f,
        df1: k - 1.0,
        df2,
        p: dist::f_sf(f, k - 1.0, df2),
    })
}

/// Brown-Forsythe's test of equal means, with SPSS's numerator df = k - 1 (statsmodels reports
/// this as `df_num2`/`pvalue2`; its default row uses Mehrotra's modified numerator df).
pub fn brown_forsythe(groups: &[&[f64]]) -> Result<RobustF> {
    let gs = need_variances(groups, "Brown-Forsythe ANOVA")?;
    let n: f64 = gs.iter().map(|g| g.n as f64).sum();
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let gm = mean(&all);
    let num: f64 = gs.iter().map(|g| g.n as f64 * (g.mean - gm).powi(2)).sum();
    let c: Vec<f64> = gs
        .iter()
        .map(|g| (1.0 - g.n as f64 / n) * g.sd.unwrap().powi(2))
        .collect();
    let den: f64 = c.iter().sum();
    if den <= 0.0 {
        return Err(StatsError::ZeroVariance {
            what: "Brown-Forsythe ANOVA".into(),
        });
    }
    let f = num / den;
    let df2 = den * den
        / gs.iter()
            .zip(&c)
            .map(|(g, ci)| ci * ci / (g.n as f64 - 1.0))
            .sum::<f64>();
    let df1 = gs.len() as f64 - 1.0;
    Ok(RobustF {
        f,
        df1,
        df2,
        p: dist::f_sf(f, df1, df2),
    })
}

fn pairs_of(k: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..k).flat_map(move |i| (i + 1..k).map(move |j| (i, j)))
}

/// Tukey HSD with the Tukey-Kramer standard error for unequal n; pooled MSE with N - k df.
pub fn tukey(groups: &[&[f64]], labels: &[String]) -> Result<Vec<Pair>> {
    let k = groups.len();
    pooled_pairs(groups, labels, |t, df| {
        ptukey::sf(std::f64::consts::SQRT_2 * t.abs(), k, df)
    })
}

/// Every pair's difference of means with the pooled-MSE standard error (N - k df); `p_of(t, df)`
/// gives the p-value, which is where Tukey and Bonferroni differ.
fn pooled_pairs(
    groups: &[&[f64]],
    labels: &[String],
    p_of: impl Fn(f64, f64) -> f64,
) -> Result<Vec<Pair>> {
    let aov = oneway(groups)?;
    let gs = group_stats(groups);
    Ok(pairs_of(gs.len())
        .map(|(i, j)| {
            let diff = gs[i].mean - gs[j].mean;
            let se = (aov.ms_within * (1.0 / gs[i].n as f64 + 1.0 / gs[j].n as f64)).sqrt();
            let t = diff / se;
            Pair {
                a: labels[i].clone(),
                b: labels[j].clone(),
                diff,
                se,
                t,
                df: aov.df2,
                p: p_of(t, aov.df2),
            }
        })
        .collect())
}

/// Games-Howell: unpooled SE, Welch df per pair, studentized range with k groups.
pub fn games_howell(groups: &[&[f64]], labels: &[String]) -> Result<Vec<Pair>> {
    let gs = need_variances(groups, "Games-Howell")?;
    let k = gs.len();
    let mut out = Vec::new();
    for (i, j) in pairs_of(k) {
        let vi = gs[i].sd.unwrap().powi(2) / gs[i].n as f64;
        let vj = gs[j].sd.unwrap().powi(2) / gs[j].n as f64;
        if vi + vj <= 0.0 {
            return Err(StatsError::ZeroVariance {
                what: format!("Games-Howell ({} vs {})", labels[i], labels[j]),
            });
        }
        let diff = gs[i].mean - gs[j].mean;
        let se = (vi + vj).sqrt();
        let df = (vi + vj).powi(2)
            / (vi * vi / (gs[i].n as f64 - 1.0) + vj * vj / (gs[j].n as f64 - 1.0));
        let t = diff / se;
        let p = ptukey::sf(std::f64::consts::SQRT_2 * t.abs(), k, df);
        out.push(Pair {
            a: labels[i].clone(),
            b: labels[j].clone(),
            diff,
            se,
            t,
            df,
            p,
        });
    }
    Ok(out)
}

/// Bonferroni (SPSS ONEWAY style): pooled-MSE t-tests, p multiplied by the number of pairs, capped at 1.
pub fn bonferroni(groups: &[&[f64]], labels: &[String]) -> Result<Vec<Pair>> {
    let k = groups.len();
    let m = (k * (k - 1) / 2) as f64;
    pooled_pairs(groups, labels, |t, df| {
        (m * dist::t_two_sided(t, df)).min(1.0)
    })
}
