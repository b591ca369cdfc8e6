//! Statistics for survey analysis. Each routine takes clean numeric input (missing values already
//! removed by the caller according to its missing-data policy) and returns plain result structs.
//! Undefined quantities are reported as errors or `None`, never as silent NaN.

pub mod anova;
pub mod chi2;
pub mod describe;
pub mod dist;
pub mod multi;
pub mod nonpar;
pub mod ptukey;
pub mod quad;
pub mod reliability;
pub mod ttest;

use thiserror::Error;

/// Why a statistic cannot be computed from the given data.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StatsError {
    #[error("{what}: needs at least {need} valid observations, found {got}")]
    TooFew {
        what: String,
        need: usize,
        got: usize,
    },
    #[error("{what}: all values are identical (zero variance), the statistic is undefined")]
    ZeroVariance { what: String },
    /// The groups differ, but every group's values are identical: no error variance to weigh
    /// the difference against.
    #[error(
        "{what}: the values are identical within each group (zero within-group variance, although the group means differ), the statistic is undefined"
    )]
    NoWithinVariance { what: String },
    #[error("{what}: needs at least {need} groups/categories, found {got}")]
    TooFewGroups {
        what: String,
        need: usize,
        got: usize,
    },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, StatsError>;

/// Compensated sum (Knuth's branch-free TwoSum on four interleaved lanes, error terms added at
/// the end): as accurate as Neumaier summation, without its unpredictable branch, and the lanes
/// let the CPU overlap the dependency chains. The NIST StRD ANOVA sets need more than naive sums.
pub(crate) fn ksum<I: IntoIterator<Item = f64>>(it: I) -> f64 {
    let mut it = it.into_iter();
    let mut s = [0.0f64; 4];
    let mut c = [0.0f64; 4];
    loop {
        let mut buf = [0.0f64; 4];
        let mut n = 0;
        while n < 4 {
            match it.next() {
                Some(x) => {
                    buf[n] = x;
                    n += 1;
                }
                None => break,
            }
        }
        for l in 0..4 {
            let t = s[l] + buf[l];
            let z = t - s[l];
            c[l] += (s[l] - (t - z)) + (buf[l] - z);
            s[l] = t;
        }
        if n < 4 {
            break;
        }
    }
    let mut total = 0.0f64;
    let mut comp = c[0] + c[1] + c[2] + c[3];
    for v in s {
        let t = total + v;
        let z = t - total;
        comp += (total - (t - z)) + (v - z);
        total = t;
    }
    total + comp
}

/// Mean by compensated sum of shifted values: x - x[0] is exact for data sharing leading digits
/// (NIST SmLs07-09 sit at 1e12 + 0.1), so no information is lost before averaging.
pub(crate) fn mean(x: &[f64]) -> f64 {
    let (x0, md) = shifted_mean(x);
    x0 + md
}

/// (shift, mean of x - shift).
pub(crate) fn shifted_mean(x: &[f64]) -> (f64, f64) {
    let x0 = x.first().copied().unwrap_or(0.0);
    let n = x.len() as f64;
    let m = ksum(x.iter().map(|v| v - x0)) / n;
    (x0, m + ksum(x.iter().map(|v| (v - x0) - m)) / n)
}

/// (mean, sum of squared deviations) in three passes, on shifted values.
pub(crate) fn moments(x: &[f64]) -> (f64, f64) {
    let (x0, md) = shifted_mean(x);
    let ss = ksum(x.iter().map(|v| {
        let d = (v - x0) - md;
        d * d
    }));
    (x0 + md, ss)
}

/// Median by selection (O(n)), averaging the two middle values for even n, as numpy.
pub(crate) fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let n = v.len();
    let cmp = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    let (_, hi, _) = v.select_nth_unstable_by(n / 2, cmp);
    let hi = *hi;
    if n % 2 == 1 {
        hi
    } else {
        let lo = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lo + hi)
    }
}
