//! Sobol' indices from a Saltelli design, with the estimators of SALib's `sobol.analyze`.
//!
//! Outputs are first standardised, `(y - mean) / sd` over all rows (population sd), as SALib does.
//! With `V = var(A ∪ B)` (population variance over the A and B rows only):
//!
//! * first order (Saltelli et al. 2010): `S_j = mean(B * (AB_j - A)) / V`
//! * total order (Jansen 1999): `ST_j = mean((A - AB_j)^2) / (2 V)`
//! * second order (Saltelli 2002): `S_jk = mean(BA_j * AB_k - A * B) / V - S_j - S_k`
//!
//! Confidence: `N` base samples are resampled with replacement `resamples` times (the same index
//! draws for every index, as SALib); the reported `*_conf` is the half-width
//! `z_{(1+conf)/2} * sd(bootstrap estimates)`, SALib's normal-approximation interval.

use serde::{Deserialize, Serialize};

use crate::design::{Design, Method, saltelli_block};
use crate::error::{Result, SaError, check_finite, invalid};
use crate::rng::SeededRng;
use crate::special::normal_quantile;

/// Options of [`sobol_analyze`]; the defaults are SALib's (100 resamples, 95 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SobolOptions {
    pub resamples: usize,
    pub conf_level: f64,
    pub seed: u64,
}

impl Default for SobolOptions {
    fn default() -> Self {
        SobolOptions {
            resamples: 100,
            conf_level: 0.95,
            seed: 0,
        }
    }
}

/// A second-order index of factors `i < j`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairIndex {
    pub i: usize,
    pub j: usize,
    pub value: f64,
    pub conf: f64,
}

/// First-, total- and (optionally) second-order Sobol' indices, one entry per factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    pub names: Vec<String>,
    pub base_samples: usize,
    pub s1: Vec<f64>,
    pub s1_conf: Vec<f64>,
    pub st: Vec<f64>,
    pub st_conf: Vec<f64>,
    /// Pairs in order (0,1), (0,2), ..., (D-2,D-1); empty without second order.
    pub s2: Vec<PairIndex>,
    pub conf_level: f64,
    pub resamples: usize,
    /// E.g. constant outputs, for which every index is reported as 0 (as SALib does).
    pub warnings: Vec<String>,
}

impl SobolIndices {
    /// The second-order index of factors `i` and `j` (either order).
    pub fn s2(&self, i: usize, j: usize) -> Option<&PairIndex> {
        let (i, j) = if i < j { (i, j) } else { (j, i) };
        self.s2.iter().find(|p| p.i == i && p.j == j)
    }
}

/// Sobol' indices for the outputs `y` (one per row, in design order) of a Saltelli design.
pub fn sobol_analyze(design: &Design, y: &[f64], options: &SobolOptions) -> Result<SobolIndices> {
    let Method::Saltelli { second_order, .. } = design.method else {
        return Err(SaError::WrongDesign {
            method: "Sobol'",
            got: design.method.name().into(),
        });
    };
    design.check_consistent()?;
    if y.len() != design.n_rows {
        return Err(SaError::OutputLength {
            method: "Sobol' analysis",
            expected: format!("{} (one per design row)", design.n_rows),
            got: y.len(),
        });
    }
    let names: Vec<String> = design.factors.iter().map(|f| f.name.clone()).collect();
    sobol_analyze_outputs(&names, second_order, y, options)
}

/// As [`sobol_analyze`] from the outputs alone, like SALib: `N = len / (2D + 2)` (or `D + 2`).
pub fn sobol_analyze_outputs(
    names: &[String],
    second_order: bool,
    y: &[f64],
    options: &SobolOptions,
) -> Result<SobolIndices> {
    let d = names.len();
    if d == 0 {
        return Err(SaError::NoFactors);
    }
    let block = saltelli_block(d, second_order);
    #[allow(clippy::manual_is_multiple_of)]
    // is_multiple_of needs Rust 1.87; the workspace allows 1.85
    if y.is_empty() || y.len() % block != 0 {
        return Err(SaError::OutputLength {
            method: "Sobol' analysis",
            expected: format!("a positive multiple of {block} (rows per base sample with D = {d})"),
            got: y.len(),
        });
    }
    if options.resamples < 2 {
        return Err(invalid("resamples", "at least 2", options.resamples));
    }
    if !(options.conf_level > 0.0 && options.conf_level < 1.0) {
        return Err(invalid(
            "conf_level",
            "strictly between 0 and 1",
            options.conf_level,
        ));
    }
    check_finite(y)?;
    let n = y.len() / block;
    let pairs: Vec<(usize, usize)> = if second_order {
        (0..d)
            .flat_map(|i| (i + 1..d).map(move |j| (i, j)))
            .collect()
    } else {
        vec![]
    };
    let mut out = SobolIndices {
        names: names.to_vec(),
        base_samples: n,
        s1: vec![0.0; d],
        s1_conf: vec![0.0; d],
        st: vec![0.0; d],
        st_conf: vec![0.0; d],
        s2: pairs
            .iter()
            .map(|&(i, j)| PairIndex {
                i,
                j,
                value: 0.0,
                conf: 0.0,
            })
            .collect(),
        conf_level: options.conf_level,
        resamples: options.resamples,
        warnings: vec![],
    };

    let len = y.len() as f64;
    let mean = y.iter().sum::<f64>() / len;
    let sd = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / len).sqrt();
    if !sd.is_finite() {
        return Err(SaError::Undefined(format!(
            "model outputs are too large to standardise (standard deviation overflows: {sd})"
        )));
    }
    if sd == 0.0 {
        out.warnings.push(
            "all model outputs are identical: every index is reported as 0 (the output does not depend on the factors)"
                .into(),
        );
        return Ok(out);
    }
    let yn: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let col = |offset: usize| -> Vec<f64> { (0..n).map(|i| yn[i * block + offset]).collect() };
    let a = col(0);
    let b = col(block - 1);
    let ab: Vec<Vec<f64>> = (0..d).map(|j| col(1 + j)).collect();
    let ba: Vec<Vec<f64>> = if second_order {
        (0..d).map(|j| col(1 + d + j)).collect()
    } else {
        vec![]
    };

    let est = Estimates::compute(&a, &b, &ab, &ba, &pairs);
    if est.constant {
        out.warnings
            .push("the A and B rows give identical outputs: every index is reported as 0".into());
    }
    out.s1.clone_from(&est.s1);
    out.st.clone_from(&est.st);
    for (p, v) in out.s2.iter_mut().zip(&est.s2) {
        p.value = *v;
    }

    // Bootstrap over base samples.
    let r = options.resamples;
    let mut rng = SeededRng::new(options.seed);
    let mut boot_s1 = vec![Vec::with_capacity(r); d];
    let mut boot_st = vec![Vec::with_capacity(r); d];
    let mut boot_s2 = vec![Vec::with_capacity(r); pairs.len()];
    // Each resample is gathered into contiguous buffers once, so the D + D(D-1)/2 estimators then
    // read memory in order.
    let mut idx = vec![0usize; n];
    let mut ra = vec![0.0; n];
    let mut rb = vec![0.0; n];
    let mut rab = vec![vec![0.0; n]; d];
    let mut rba = vec![vec![0.0; n]; ba.len()];
    let gather = |dst: &mut [f64], src: &[f64], idx: &[usize]| {
        for (x, &i) in dst.iter_mut().zip(idx) {
            *x = src[i];
        }
    };
    for _ in 0..r {
        for i in idx.iter_mut() {
            *i = rng.below(n);
        }
        gather(&mut ra, &a, &idx);
        gather(&mut rb, &b, &idx);
        for (dst, src) in rab.iter_mut().zip(&ab) {
            gather(dst, src, &idx);
        }
        for (dst, src) in rba.iter_mut().zip(&ba) {
            gather(dst, src, &idx);
        }
        let e = Estimates::compute(&ra, &rb, &rab, &rba, &pairs);
        for j in 0..d {
            boot_s1[j].push(e.s1[j]);
            boot_st[j].push(e.st[j]);
        }
        for (k, v) in e.s2.iter().enumerate() {
            boot_s2[k].push(*v);
        }
    }
    let z = normal_quantile(0.5 + options.conf_level / 2.0);
    for j in 0..d {
        out.s1_conf[j] = z * sample_sd(&boot_s1[j]);
        out.st_conf[j] = z * sample_sd(&boot_st[j]);
    }
    for (p, v) in out.s2.iter_mut().zip(&boot_s2) {
        p.conf = z * sample_sd(v);
    }
    out.warnings.extend(convergence_warnings(&out));
    Ok(out)
}

/// Signs that the base sample is too small for the estimates to mean much: indices outside what
/// they can be in theory (S1 ≤ ST, S2 ≥ 0, ΣS1 ≤ 1) by more than rounding, or intervals so wide
/// that a factor's rank is undecided. The estimators can break these bounds at small N; SALib
/// prints such indices silently, and readers then take noise for interaction effects.
pub fn convergence_warnings(ix: &SobolIndices) -> Vec<String> {
    const TOL: f64 = 0.01;
    const WIDE: f64 = 0.1;
    let n = ix.base_samples;
    let mut w = Vec::new();
    for (j, name) in ix.names.iter().enumerate() {
        if ix.s1[j] > ix.st[j] + TOL {
            w.push(format!(
                "S1 of '{name}' exceeds its ST ({:.3} > {:.3}), which cannot hold for converged estimates",
                ix.s1[j], ix.st[j]
            ));
        }
    }
    for p in &ix.s2 {
        if p.value < -TOL {
            w.push(format!(
                "S2 of '{}' × '{}' is negative ({:.3}), which cannot hold for converged estimates",
                ix.names[p.i], ix.names[p.j], p.value
            ));
        }
    }
    let sum: f64 = ix.s1.iter().sum();
    if sum > 1.0 + TOL {
        w.push(format!(
            "the first-order indices sum to {sum:.3} > 1, which cannot hold for converged estimates"
        ));
    }
    let widest = ix
        .s1_conf
        .iter()
        .chain(&ix.st_conf)
        .cloned()
        .fold(0.0, f64::max);
    if widest > WIDE {
        w.push(format!(
            "confidence intervals are as wide as ±{widest:.3}: factor rankings within that distance are undecided"
        ));
    }
    if !w.is_empty() {
        w.push(format!(
            "increase the base sample N (now {n}), e.g. to {}, and compare",
            (n * 4).max(512)
        ));
    }
    w
}

fn sample_sd(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Point estimates on one (re)sample of base-sample indices.
struct Estimates {
    s1: Vec<f64>,
    st: Vec<f64>,
    s2: Vec<f64>,
    constant: bool,
}

impl Estimates {
    fn compute(
        a: &[f64],
        b: &[f64],
        ab: &[Vec<f64>],
        ba: &[Vec<f64>],
        pairs: &[(usize, usize)],
    ) -> Estimates {
        let d = ab.len();
        let n = a.len() as f64;
        let mut sum = 0.0;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&x, &y) in a.iter().zip(b) {
            sum += x + y;
            lo = lo.min(x).min(y);
            hi = hi.max(x).max(y);
        }
        let mean = sum / (2.0 * n);
        let var = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - mean).powi(2) + (y - mean).powi(2))
            .sum::<f64>()
            / (2.0 * n);
        // SALib: constant A ∪ B, or a variance below machine epsilon, gives 0.
        if hi - lo <= f64::EPSILON || var <= f64::EPSILON {
            return Estimates {
                s1: vec![0.0; d],
                st: vec![0.0; d],
                s2: vec![0.0; pairs.len()],
                constant: true,
            };
        }
        let mut s1 = vec![0.0; d];
        let mut st = vec![0.0; d];
        for j in 0..d {
            let (mut f, mut t) = (0.0, 0.0);
            for ((&x, &y), &z) in a.iter().zip(b).zip(&ab[j]) {
                f += y * (z - x);
                t += (x - z) * (x - z);
            }
            s1[j] = f / n / var;
            st[j] = 0.5 * (t / n) / var;
        }
        let ab_mean: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / n;
        let s2 = pairs
            .iter()
            .map(|&(j, k)| {
                let cross: f64 = ba[j].iter().zip(&ab[k]).map(|(p, q)| p * q).sum::<f64>() / n;
                (cross - ab_mean) / var - s1[j] - s1[k]
            })
            .collect();
        Estimates {
            s1,
            st,
            s2,
            constant: false,
        }
    }
}
