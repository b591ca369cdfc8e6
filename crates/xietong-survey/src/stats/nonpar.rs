//! Rank tests: Mann-Whitney U (with rank-biserial r) and Kruskal-Wallis H, both tie-corrected.

use super::{Result, StatsError, dist};
use serde::Serialize;

/// Average ranks (1-based) of `x`, and Σ(t³ - t) over tie groups.
pub fn rank_average(x: &[f64]) -> (Vec<f64>, f64) {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].partial_cmp(&x[b]).unwrap());
    let mut ranks = vec![0.0; n];
    let mut ties = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &t in &idx[i..=j] {
            ranks[t] = r;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample (count of pairs where it is larger, ties counted half).
    #[serde(rename = "U")]
    pub u: f64,
    pub z: Option<f64>,
    pub p: f64,
    /// "exact" (no ties, both n ≤ 8, as scipy's default) or "asymptotic".
    pub method: &'static str,
    /// Rank-biserial correlation 2U/(n1 n2) - 1: positive when the first sample tends to be larger.
    pub rank_biserial: f64,
}

/// Two-sided Mann-Whitney U test. The normal approximation uses the tie correction and a 0.5
/// continuity correction (scipy's default); small tie-free samples use the exact distribution.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Result<MannWhitney> {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return Err(StatsError::TooFew {
            what: "Mann-Whitney U (each group)".into(),
            need: 1,
            got: n1.min(n2),
        });
    }
    let all: Vec<f64> = a.iter().chain(b).copied().collect();
    let (ranks, ties) = rank_average(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let rbc = 2.0 * u1 / (f1 * f2) - 1.0;
    let umax = u1.max(u2);
    if ties == 0.0 && n1 <= 8 && n2 <= 8 {
        // Exact: count arrangements with U >= umax via the recursion on (n1, n2).
        let dist = exact_u_counts(n1, n2);
        let total: f64 = dist.iter().sum();
        let ui = umax.round() as usize;
        let upper: f64 = dist[ui..].iter().sum::<f64>() / total;
        return Ok(MannWhitney {
            u: u1,
            z: None,
            p: (2.0 * upper).min(1.0),
            method: "exact",
            rank_biserial: rbc,
        });
    }
    let n = f1 + f2;
    let mu = f1 * f2 / 2.0;
    let var = f1 * f2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    if var <= 0.0 {
        return Err(StatsError::ZeroVariance {
            what: "Mann-Whitney U (all values tied)".into(),
        });
    }
    let z = (umax - mu - 0.5) / var.sqrt();
    let p = (2.0 * dist::norm_sf(z)).min(1.0);
    Ok(MannWhitney {
        u: u1,
        z: Some(z),
        p,
        method: "asymptotic",
        rank_biserial: rbc,
    })
}

/// Number of orderings giving each U = 0..=n1 n2 (no ties).
fn exact_u_counts(n1: usize, n2: usize) -> Vec<f64> {
    // c[i][j] = distribution for sizes (i, j); c[i][j](u) = c[i-1][j](u - j) + c[i][j-1](u).
    let mut c: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n2 + 1]; n1 + 1];
    for i in 0..=n1 {
        for j in 0..=n2 {
            if i == 0 || j == 0 {
                c[i][j] = vec![1.0];
                continue;
            }
            let mut v = vec![0.0; i * j + 1];
            for (u, x) in c[i - 1][j].iter().enumerate() {
                v[u + j] += x;
            }
            for (u, x) in c[i][j - 1].iter().enumerate() {
                v[u] += x;
            }
            c[i][j] = v;
        }
    }
    c[n1][n2].clone()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Kruskal {
    #[serde(rename = "H")]
    pub h: f64,
    pub df: f64,
    pub p: f64,
}

/// Kruskal-Wallis H with the tie correction (as scipy.stats.kruskal).
pub fn kruskal(groups: &[&[f64]]) -> Result<Kruskal> {
    if groups.len() < 2 {
        return Err(StatsError::TooFewGroups {
            what: "Kruskal-Wallis".into(),
            need: 2,
            got: groups.len(),
        });
    }
    if groups.iter().any(|g| g.is_empty()) {
        return Err(StatsError::Invalid(
            "Kruskal-Wallis: a group has no valid observations".into(),
        ));
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let n = all.len() as f64;
    let (ranks, ties) = rank_average(&all);
    let mut off = 0;
    let mut s = 0.0;
    for g in groups {
        let r: f64 = ranks[off..off + g.len()].iter().sum();
        s += r * r / g.len() as f64;
        off += g.len();
    }
    let h0 = 12.0 / (n * (n + 1.0)) * s - 3.0 * (n + 1.0);
    let corr = 1.0 - ties / (n * n * n - n);
    if corr <= 0.0 {
        return Err(StatsError::ZeroVariance {
            what: "Kruskal-Wallis (all values tied)".into(),
        });
    }
    let h = h0 / corr;
    let df = groups.len() as f64 - 1.0;
    Ok(Kruskal {
        h,
        df,
        p: dist::chi2_sf(h, df),
    })
}
