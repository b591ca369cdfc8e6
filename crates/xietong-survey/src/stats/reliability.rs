//! Scale reliability: Cronbach's α, standardized α, α if item deleted, corrected item-total
//! correlations, and McDonald's ω from a one-factor model fitted by unweighted least squares
//! (minres; iterated principal-axis factoring on the correlation matrix until the communalities
//! stop changing, which converges to the ULS solution, as `psych::omega`/`factor_analyzer` minres).

use super::{Result, StatsError};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ItemStat {
    pub item: String,
    pub mean: f64,
    pub sd: f64,
    /// Corrected item-total correlation; None when undefined (the other items' sum does not vary,
    /// or a pairwise covariance matrix makes its variance non-positive).
    pub item_total_r: Option<f64>,
    /// α of the other items; None with fewer than 3 items or when undefined.
    pub alpha_if_deleted: Option<f64>,
    pub loading: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reliability {
    pub n: usize,
    pub k: usize,
    pub alpha: f64,
    pub standardized_alpha: f64,
    pub mean_inter_item_r: f64,
    /// `None` when the one-factor fit does not converge or needs ≥ 3 items.
    pub omega: Option<f64>,
    pub items: Vec<ItemStat>,
    pub warnings: Vec<String>,
}

/// Means and covariance matrix of columns. Rows are processed in blocks: each block is centred on
/// the (compensated) means and its cross products summed plainly, then block sums are added with
/// compensation — accurate and cache-friendly for a million rows.
fn cov_matrix(cols: &[&[f64]]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = cols.len();
    let n = cols[0].len();
    let means: Vec<f64> = cols.iter().map(|c| super::mean(c)).collect();
    const B: usize = 512;
    let mut acc = vec![0.0f64; k * k];
    let mut comp = vec![0.0f64; k * k];
    let mut blk = vec![0.0f64; B * k];
    let mut part = vec![0.0f64; k * k];
    let mut start = 0;
    while start < n {
        let m = B.min(n - start);
        for (j, c) in cols.iter().enumerate() {
            for r in 0..m {
                blk[r * k + j] = c[start + r] - means[j];
            }
        }
        part.iter_mut().for_each(|v| *v = 0.0);
        for r in 0..m {
            let row = &blk[r * k..r * k + k];
            for a in 0..k {
                let xa = row[a];
                let pa = &mut part[a * k..a * k + k];
                for b in a..k {
                    pa[b] += xa * row[b];
                }
            }
        }
        for a in 0..k {
            for b in a..k {
                let i = a * k + b;
                let x = part[i];
                let t = acc[i] + x;
                comp[i] += if acc[i].abs() >= x.abs() {
                    (acc[i] - t) + x
                } else {
                    (x - t) + acc[i]
                };
                acc[i] = t;
            }
        }
        start += m;
    }
    let mut cov = vec![vec![0.0; k]; k];
    for a in 0..k {
        for b in a..k {
            let v = (acc[a * k + b] + comp[a * k + b]) / (n as f64 - 1.0);
            cov[a][b] = v;
            cov[b][a] = v;
        }
    }
    (means, cov)
}

fn alpha_from_cov(cov: &[Vec<f64>], keep: &[usize]) -> f64 {
    let k = keep.len() as f64;
    let diag: f64 = keep.iter().map(|&i| cov[i][i]).sum();
    let total: f64 = keep
        .iter()
        .flat_map(|&i| keep.iter().map(move |&j| (i, j)))
        .map(|(i, j)| cov[i][j])
        .sum();
    k / (k - 1.0) * (1.0 - diag / total)
}

/// Reliability of complete cases `data[case][item]` (the caller applies listwise deletion).
pub fn reliability(names: &[String], data: &[Vec<f64>]) -> Result<Reliability> {
    let k = names.len();
    if data.iter().any(|r| r.len() != k) {
        return Err(StatsError::Invalid(
            "reliability: every case needs one value per item".into(),
        ));
    }
    let cols: Vec<Vec<f64>> = (0..k)
        .map(|j| data.iter().map(|r| r[j]).collect())
        .collect();
    let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
    reliability_columns(names, &refs)
}

/// Reliability from item columns of complete cases (column-major, no copy of the data).
pub fn reliability_columns(names: &[String], cols: &[&[f64]]) -> Result<Reliability> {
    let k = names.len();
    if cols.len() != k
        || cols
            .iter()
            .any(|c| c.len() != cols.first().map_or(0, |c| c.len()))
    {
        return Err(StatsError::Invalid(
            "reliability: one column of equal length per item".into(),
        ));
    }
    let n = cols.first().map_or(0, |c| c.len());
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "reliability (items)".into(),
            need: 2,
            got: k,
        });
    }
    if n < 2 {
        return Err(StatsError::TooFew {
            what: "reliability (complete cases)".into(),
            need: 2,
            got: n,
        });
    }
    let (means, cov) = cov_matrix(cols);
    from_cov(names, n, &means, &cov, true)
}

/// Everything except the data pass: α and item statistics from means and a covariance matrix
/// (listwise or pairwise-complete); ω only when `with_omega`.
fn from_cov(
    names: &[String],
    n: usize,
    means: &[f64],
    cov: &[Vec<f64>],
    with_omega: bool,
) -> Result<Reliability> {
    let k = names.len();
    if let Some(j) = (0..k).find(|&j| cov[j][j] <= 0.0) {
        return Err(StatsError::ZeroVariance {
            what: format!("reliability (item '{}')", names[j]),
        });
    }
    let all: Vec<usize> = (0..k).collect();
    let alpha = alpha_from_cov(cov, &all);
    let corr: Vec<Vec<f64>> = (0..k)
        .map(|a| {
            (0..k)
                .map(|b| cov[a][b] / (cov[a][a] * cov[b][b]).sqrt())
                .collect()
        })
        .collect();
    let mut rsum = 0.0;
    for a in 0..k {
        for b in a + 1..k {
            rsum += corr[a][b];
        }
    }
    let rbar = rsum / (k * (k - 1) / 2) as f64;
    let kf = k as f64;
    let std_alpha = kf * rbar / (1.0 + (kf - 1.0) * rbar);
    let mut warnings = Vec::new();
    let (omega, loadings) = if !with_omega {
        warnings.push(
            "omega is reported with listwise deletion only (a factor fit needs one set of cases)"
                .into(),
        );
        (None, None)
    } else if k >= 3 {
        match one_factor_uls(&corr) {
            Some(l) => {
                if l.iter().any(|v| *v < 0.0) {
                    warnings.push("some items load negatively on the common factor: check reverse-keyed items".into());
                }
                if l.iter().any(|v| v * v >= 1.0) {
                    warnings
                        .push("Heywood case: a communality reached 1; omega is unreliable".into());
                }
                let s: f64 = l.iter().sum();
                let u: f64 = l.iter().map(|v| 1.0 - v * v).sum();
                (Some(s * s / (s * s + u)), Some(l))
            }
            None => {
                warnings.push("one-factor model did not converge: omega not reported".into());
                (None, None)
            }
        }
    } else {
        warnings.push("omega needs at least 3 items".into());
        (None, None)
    };
    let mut items = Vec::with_capacity(k);
    for j in 0..k {
        // Corrected item-total r: item j against the sum of the other items.
        let others: Vec<usize> = (0..k).filter(|&i| i != j).collect();
        let var_rest: f64 = others
            .iter()
            .flat_map(|&a| others.iter().map(move |&b| (a, b)))
            .map(|(a, b)| cov[a][b])
            .sum();
        let cov_j_rest: f64 = others.iter().map(|&b| cov[j][b]).sum();
        let r = Some(cov_j_rest / (cov[j][j] * var_rest).sqrt()).filter(|r| r.is_finite());
        // Undefined (None, never NaN) when the remaining items' sum does not vary.
        let aid = if k >= 3 {
            Some(alpha_from_cov(cov, &others)).filter(|a| a.is_finite())
        } else {
            None
        };
        items.push(ItemStat {
            item: names[j].clone(),
            mean: means[j],
            sd: cov[j][j].sqrt(),
            item_total_r: r,
            alpha_if_deleted: aid,
            loading: loadings.as_ref().map(|l| l[j]),
        });
    }
    // Never report NaN or infinity: a covariance matrix that is not positive semidefinite
    // (possible under pairwise deletion) can make these undefined.
    let finite = alpha.is_finite() && std_alpha.is_finite() && rbar.is_finite();
    if !finite {
        return Err(StatsError::Invalid(
            "alpha is undefined for these items (the item covariances are inconsistent, e.g. under pairwise deletion with few shared cases)".into(),
        ));
    }
    Ok(Reliability {
        n,
        k,
        alpha,
        standardized_alpha: std_alpha,
        mean_inter_item_r: rbar,
        omega,
        items,
        warnings,
    })
}

/// Smallest and largest number of cases behind one entry of a pairwise covariance matrix.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct PairwiseCounts {
    pub n_min: usize,
    pub n_max: usize,
}

/// Reliability under pairwise deletion: every covariance from the cases answering both items,
/// centred on those cases' means with n_ij - 1 (as pandas `DataFrame.cov`, psych
/// `use = "pairwise"`, pingouin `nan_policy = "pairwise"`); item means and SDs from each item's
/// available cases. ω is not reported (see `from_cov`). `Reliability::n` is the smallest pairwise
/// count, so that a reader sees the weakest basis of the matrix.
pub fn reliability_pairwise(
    names: &[String],
    cols: &[&[Option<f64>]],
) -> Result<(Reliability, PairwiseCounts)> {
    let k = names.len();
    let n = cols.first().map_or(0, |c| c.len());
    if cols.len() != k || cols.iter().any(|c| c.len() != n) {
        return Err(StatsError::Invalid(
            "reliability: one column of equal length per item".into(),
        ));
    }
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "reliability (items)".into(),
            need: 2,
            got: k,
        });
    }
    let mut cov = vec![vec![0.0; k]; k];
    let mut means = vec![0.0; k];
    let mut counts = PairwiseCounts {
        n_min: usize::MAX,
        n_max: 0,
    };
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for a in 0..k {
        for b in a..k {
            xs.clear();
            ys.clear();
            for (x, y) in cols[a].iter().zip(cols[b].iter()) {
                if let (Some(x), Some(y)) = (x, y) {
                    xs.push(*x);
                    ys.push(*y);
                }
            }
            let m = xs.len();
            if m < 2 {
                return Err(StatsError::TooFew {
                    what: format!(
                        "reliability (cases answering both '{}' and '{}')",
                        names[a], names[b]
                    ),
                    need: 2,
                    got: m,
                });
            }
            counts.n_min = counts.n_min.min(m);
            counts.n_max = counts.n_max.max(m);
            let (mx, my) = (super::mean(&xs), super::mean(&ys));
            if a == b {
                means[a] = mx;
            }
            let v = super::ksum(xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)))
                / (m as f64 - 1.0);
            cov[a][b] = v;
            cov[b][a] = v;
        }
    }
    let mut rel = from_cov(names, counts.n_min, &means, &cov, false)?;
    // A pairwise matrix need not be positive semi-definite; then α and the item statistics can
    // leave their usual ranges, which the reader should know.
    let (vals, _) = jacobi_eigen(cov.clone());
    let scale = (0..k).map(|i| cov[i][i]).fold(0.0, f64::max);
    if vals.iter().any(|&v| v < -1e-12 * scale) {
        rel.warnings.push(
            "the pairwise covariance matrix is not positive semi-definite: results may be out of range; prefer listwise".into(),
        );
    }
    Ok((rel, counts))
}

/// One-factor ULS loadings of a correlation matrix by iterated principal axes, starting from the
/// squared multiple correlations. Loadings are signed so that their sum is positive.
pub fn one_factor_uls(corr: &[Vec<f64>]) -> Option<Vec<f64>> {
    let k = corr.len();
    let mut h2: Vec<f64> = match invert(corr) {
        Some(inv) => (0..k)
            .map(|i| (1.0 - 1.0 / inv[i][i]).clamp(0.005, 0.995))
            .collect(),
        None => (0..k)
            .map(|i| {
                (0..k)
                    .filter(|&j| j != i)
                    .map(|j| corr[i][j].abs())
                    .fold(0.0, f64::max)
            })
            .collect(),
    };
    let mut load = vec![0.0; k];
    let mut start = vec![1.0 / (k as f64).sqrt(); k];
    for _ in 0..20000 {
        let mut m = corr.to_vec();
        for i in 0..k {
            m[i][i] = h2[i];
        }
        let (val, vec) = top_eigen(&m, &mut start)?;
        if val <= 0.0 {
            return None;
        }
        let s = val.sqrt();
        for i in 0..k {
            load[i] = vec[i] * s;
        }
        let new: Vec<f64> = load.iter().map(|l| l * l).collect();
        let delta = new
            .iter()
            .zip(&h2)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        h2 = new;
        if delta < 1e-15 {
            if load.iter().sum::<f64>() < 0.0 {
                load.iter_mut().for_each(|v| *v = -*v);
            }
            return Some(load);
        }
    }
    None
}

fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            row
        })
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| m[x][c].abs().partial_cmp(&m[y][c].abs()).unwrap())?;
        if m[p][c].abs() < 1e-12 {
            return None;
        }
        m.swap(c, p);
        let d = m[c][c];
        m[c].iter_mut().for_each(|v| *v /= d);
        for r in 0..n {
            if r != c {
                let f = m[r][c];
                if f != 0.0 {
                    for j in 0..2 * n {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// Largest (algebraic) eigenpair of a symmetric matrix by power iteration on M + cI (c from
/// Gershgorin so that the shifted matrix is positive semi-definite), warm-started from `start`;
/// falls back to a full Jacobi decomposition if it stalls.
fn top_eigen(m: &[Vec<f64>], start: &mut Vec<f64>) -> Option<(f64, Vec<f64>)> {
    let k = m.len();
    let c = (0..k)
        .map(|i| {
            m[i][i]
                - (0..k)
                    .filter(|&j| j != i)
                    .map(|j| m[i][j].abs())
                    .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
        .min(0.0)
        .abs();
    let mut v = start.clone();
    let mut lambda = 0.0;
    for _ in 0..5000 {
        let mut w: Vec<f64> = (0..k)
            .map(|i| m[i].iter().zip(&v).map(|(a, b)| a * b).sum::<f64>() + c * v[i])
            .collect();
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 || !norm.is_finite() {
            return None;
        }
        w.iter_mut().for_each(|x| *x /= norm);
        let diff = w
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        v = w;
        lambda = norm - c;
        if diff < 1e-15 {
            *start = v.clone();
            return Some((lambda, v));
        }
    }
    let _ = lambda;
    let (vals, vecs) = jacobi_eigen(m.to_vec());
    let top = (0..k).max_by(|&a, &b| vals[a].partial_cmp(&vals[b]).unwrap())?;
    let v: Vec<f64> = (0..k).map(|i| vecs[i][top]).collect();
    *start = v.clone();
    Some((vals[top], v))
}

/// Cyclic Jacobi eigen-decomposition of a symmetric matrix: (eigenvalues, eigenvectors as columns).
pub fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k][p], v[k][q]);
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}
