//! Experimental designs: row-major matrices of factor values, in design order.
//!
//! Every design is built in the unit hypercube and mapped through [`Factor::scale`]. Random designs
//! are a pure function of a `u64` seed (PCG64, see the private `rng` module); quasi-random ones of their
//! size and skip. Problems that make a design meaningless (no factors, inverted bounds, fewer than
//! two levels, zero points) are errors; choices that are legal but weaken the method (a Sobol size
//! that is not a power of two, an odd Morris level count) come back as [`DesignWarning`]s.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sobol::Sobol;
use sobol::params::JoeKuoD6;

use crate::error::{Result, SaError, invalid};
use crate::factor::{Factor, Range, validate_factors};
use crate::rng::SeededRng;

/// Largest design accepted, in cells (rows x factors): 2^28 f64 values are 2 GiB.
pub const MAX_CELLS: usize = 1 << 28;

/// How a design was made, with what the analyses need to read its outputs back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    FullFactorial {
        levels: Vec<usize>,
    },
    List,
    Uniform {
        seed: u64,
    },
    LatinHypercube {
        seed: u64,
    },
    Sobol {
        skip: u64,
    },
    /// Rows in blocks of `D + 2` (or `2D + 2` with second order): A, AB_1..AB_D, [BA_1..BA_D,] B.
    Saltelli {
        base_samples: usize,
        second_order: bool,
        skip: u64,
    },
    /// `trajectories` blocks of `D + 1` rows; `steps[t * D + s]` is the move from row `s` to `s + 1`.
    Morris {
        trajectories: usize,
        levels: usize,
        delta: f64,
        /// None for trajectories imported with [`morris_from_points`].
        seed: Option<u64>,
        /// For [`morris_optimised`]: how many candidate trajectories the design was chosen from.
        #[serde(default)]
        candidates: Option<usize>,
        steps: Vec<MorrisStep>,
    },
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::FullFactorial { .. } => "full-factorial",
            Method::List => "list",
            Method::Uniform { .. } => "uniform random",
            Method::LatinHypercube { .. } => "Latin hypercube",
            Method::Sobol { .. } => "Sobol sequence",
            Method::Saltelli { .. } => "Saltelli",
            Method::Morris { .. } => "Morris",
        }
    }
}

/// One move inside a Morris trajectory: which factor changed and in which direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MorrisStep {
    pub factor: usize,
    pub increase: bool,
}

/// A legal design choice that weakens the method; report it to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DesignWarning {
    /// Sobol' points are balanced only in blocks of 2^m.
    SobolNotPowerOfTwo { n: usize },
    /// Skipping a number of points that is not 2^m breaks the same balance.
    SkipNotPowerOfTwo { skip: u64 },
    /// More points than skipped: SALib warns that convergence may not be valid.
    MorePointsThanSkipped { n: usize, skip: u64 },
    /// Morris with an odd number of levels samples the grid unevenly.
    MorrisOddLevels { levels: usize },
}

impl fmt::Display for DesignWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesignWarning::SobolNotPowerOfTwo { n } => write!(
                f,
                "Sobol' N = {n} is not a power of two; the sequence's balance properties hold only for N = 2^m (e.g. {})",
                n.next_power_of_two()
            ),
            DesignWarning::SkipNotPowerOfTwo { skip } => write!(
                f,
                "skipping {skip} Sobol' points: convergence properties hold only when the skip is a power of two"
            ),
            DesignWarning::MorePointsThanSkipped { n, skip } => write!(
                f,
                "N = {n} is larger than the {skip} skipped Sobol' points; convergence may not be valid"
            ),
            DesignWarning::MorrisOddLevels { levels } => write!(
                f,
                "Morris with an odd number of levels ({levels}) samples the grid unevenly; use an even number"
            ),
        }
    }
}

/// A design: `n_rows` points over `factors`, row-major in `points`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    pub factors: Vec<Factor>,
    pub n_rows: usize,
    pub points: Vec<f64>,
    pub method: Method,
    pub warnings: Vec<DesignWarning>,
}

impl Design {
    pub fn n_cols(&self) -> usize {
        self.factors.len()
    }

    /// Point `i` (one value per factor, in factor order).
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.n_cols();
        &self.points[i * d..(i + 1) * d]
    }

    /// All points in design order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        self.points.chunks_exact(self.n_cols())
    }

    pub fn factor_names(&self) -> Vec<&str> {
        self.factors.iter().map(|f| f.name.as_str()).collect()
    }

    /// Checks that the parts of a design agree (they always do for designs made here; a design
    /// read back from a file may have been edited), so analyses can index without panicking.
    pub fn check_consistent(&self) -> Result<()> {
        let d = self.n_cols();
        let bad = |what: String| {
            Err(SaError::Undefined(format!(
                "inconsistent {} design: {what}",
                self.method.name()
            )))
        };
        if d == 0 {
            return Err(SaError::NoFactors);
        }
        if self.n_rows.checked_mul(d) != Some(self.points.len()) {
            return bad(format!(
                "{} rows x {d} factors but {} values",
                self.n_rows,
                self.points.len()
            ));
        }
        match &self.method {
            Method::Saltelli {
                base_samples,
                second_order,
                ..
            } => {
                let want = base_samples.checked_mul(saltelli_block(d, *second_order));
                if want != Some(self.n_rows) {
                    return bad(format!(
                        "{base_samples} base samples need {want:?} rows, found {}",
                        self.n_rows
                    ));
                }
            }
            Method::Morris {
                trajectories,
                steps,
                delta,
                ..
            } => {
                if trajectories.checked_mul(d + 1) != Some(self.n_rows)
                    || steps.len() != trajectories * d
                {
                    return bad(format!(
                        "{trajectories} trajectories need {} rows and {} steps, found {} and {}",
                        trajectories * (d + 1),
                        trajectories * d,
                        self.n_rows,
                        steps.len()
                    ));
                }
                if let Some(s) = steps.iter().find(|s| s.factor >= d) {
                    return bad(format!(
                        "a step moves factor {} but there are {d}",
                        s.factor
                    ));
                }
                if !(delta.is_finite() && *delta > 0.0) {
                    return bad(format!("step size {delta}"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn check_size(rows: usize, cols: usize, what: &str) -> Result<()> {
    match rows.checked_mul(cols) {
        Some(cells) if cells <= MAX_CELLS => Ok(()),
        _ => Err(SaError::TooLarge(format!(
            "{what} needs {rows} points x {cols} factors, more than the {MAX_CELLS} values this library holds in memory; reduce the size"
        ))),
    }
}

fn positive(field: &'static str, n: usize) -> Result<()> {
    if n == 0 {
        Err(invalid(field, "at least 1", n))
    } else {
        Ok(())
    }
}

fn build(
    factors: &[Factor],
    unit: Vec<f64>,
    method: Method,
    warnings: Vec<DesignWarning>,
) -> Design {
    let d = factors.len();
    let n_rows = unit.len() / d;
    let mut points = unit;
    for row in points.chunks_exact_mut(d) {
        for (v, f) in row.iter_mut().zip(factors) {
            *v = f.scale(*v);
        }
    }
    Design {
        factors: factors.to_vec(),
        n_rows,
        points,
        method,
        warnings,
    }
}

/// Full-factorial grid. `levels[i]` is the number of evenly spaced values (ends included, at least 2)
/// of continuous factor `i`; for a factor with listed levels give 0 or its level count. The first
/// factor varies slowest, the last fastest.
pub fn full_factorial(factors: &[Factor], levels: &[usize]) -> Result<Design> {
    validate_factors(factors)?;
    if levels.len() != factors.len() {
        return Err(invalid(
            "levels",
            format!("one level count per factor ({})", factors.len()),
            format!("{} counts", levels.len()),
        ));
    }
    // Level counts first, and the grid's size checked against the limit, before any level list
    // is allocated (a count of 2^40 must be refused, not materialised).
    let mut used = Vec::with_capacity(factors.len());
    for (f, &n) in factors.iter().zip(levels) {
        used.push(match &f.range {
            Range::Continuous { .. } => {
                if n < 2 {
                    return Err(SaError::InvalidFactor {
                        name: f.name.clone(),
                        reason: format!("a grid needs at least 2 levels, got {n}"),
                    });
                }
                n
            }
            Range::Levels(ls) => {
                if n != 0 && n != ls.len() {
                    return Err(SaError::InvalidFactor {
                        name: f.name.clone(),
                        reason: format!(
                            "has {} listed levels, so its grid level count must be 0 or {}, got {n}",
                            ls.len(),
                            ls.len()
                        ),
                    });
                }
                ls.len()
            }
        });
    }
    let rows = used
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| {
            SaError::TooLarge(format!(
                "a grid with levels {used:?} has more points than can be counted; the limit is {MAX_CELLS} values (points x factors)"
            ))
        })?;
    check_size(rows, factors.len(), "the full-factorial grid")?;
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(factors.len());
    for (f, &n) in factors.iter().zip(&used) {
        let vals = match &f.range {
            Range::Continuous { low, high } => {
                let step = (high - low) / (n - 1) as f64;
                (0..n)
                    .map(|i| {
                        if i == n - 1 {
                            *high
                        } else {
                            low + i as f64 * step
                        }
                    })
                    .collect()
            }
            Range::Levels(ls) => ls.clone(),
        };
        values.push(vals);
    }
    let d = factors.len();
    let mut points = Vec::with_capacity(rows * d);
    let mut idx = vec![0usize; d];
    for _ in 0..rows {
        points.extend(idx.iter().zip(&values).map(|(&i, v)| v[i]));
        for j in (0..d).rev() {
            idx[j] += 1;
            if idx[j] < used[j] {
                break;
            }
            idx[j] = 0;
        }
    }
    Ok(Design {
        factors: factors.to_vec(),
        n_rows: rows,
        points,
        method: Method::FullFactorial { levels: used },
        warnings: vec![],
    })
}

/// An explicit list of points, checked against the factors' bounds and levels.
pub fn list(factors: &[Factor], rows: &[Vec<f64>]) -> Result<Design> {
    validate_factors(factors)?;
    if rows.is_empty() {
        return Err(invalid("rows", "at least one point", "an empty list"));
    }
    check_size(rows.len(), factors.len(), "the list design")?;
    let mut points = Vec::with_capacity(rows.len() * factors.len());
    for (r, row) in rows.iter().enumerate() {
        if row.len() != factors.len() {
            return Err(SaError::InvalidRow {
                row: r,
                reason: format!(
                    "has {} values, expected one per factor ({})",
                    row.len(),
                    factors.len()
                ),
            });
        }
        for (f, &v) in factors.iter().zip(row) {
            if !f.contains(v) {
                return Err(SaError::InvalidRow {
                    row: r,
                    reason: format!("factor `{}` is {v}, expected {}", f.name, f.expected()),
                });
            }
        }
        points.extend_from_slice(row);
    }
    Ok(Design {
        factors: factors.to_vec(),
        n_rows: rows.len(),
        points,
        method: Method::List,
        warnings: vec![],
    })
}

/// `n` independent uniform points.
pub fn uniform(factors: &[Factor], n: usize, seed: u64) -> Result<Design> {
    validate_factors(factors)?;
    positive("n", n)?;
    check_size(n, factors.len(), "the random design")?;
    let mut rng = SeededRng::new(seed);
    let unit = (0..n * factors.len()).map(|_| rng.unit()).collect();
    Ok(build(factors, unit, Method::Uniform { seed }, vec![]))
}

/// Latin hypercube: each factor's range cut into `n` equal strata, one point per stratum, strata
/// paired at random across factors (as SALib's `latin.sample`).
pub fn latin_hypercube(factors: &[Factor], n: usize, seed: u64) -> Result<Design> {
    validate_factors(factors)?;
    positive("n", n)?;
    check_size(n, factors.len(), "the Latin hypercube")?;
    let d = factors.len();
    let mut rng = SeededRng::new(seed);
    let mut unit = vec![0.0; n * d];
    let mut column = vec![0.0; n];
    for j in 0..d {
        for (i, c) in column.iter_mut().enumerate() {
            *c = (i as f64 + rng.unit()) / n as f64;
        }
        rng.shuffle(&mut column);
        for (i, c) in column.iter().enumerate() {
            unit[i * d + j] = *c;
        }
    }
    Ok(build(
        factors,
        unit,
        Method::LatinHypercube { seed },
        vec![],
    ))
}

fn joe_kuo() -> &'static JoeKuoD6 {
    static PARAMS: OnceLock<JoeKuoD6> = OnceLock::new();
    PARAMS.get_or_init(JoeKuoD6::standard)
}

/// Most dimensions the bundled Joe-Kuo table supports (Saltelli uses two per factor).
pub fn max_sobol_dims() -> usize {
    joe_kuo().max_dims
}

fn sobol_warnings(n: usize, skip: u64) -> Vec<DesignWarning> {
    let mut w = vec![];
    if !n.is_power_of_two() {
        w.push(DesignWarning::SobolNotPowerOfTwo { n });
    }
    if skip > 0 {
        if !skip.is_power_of_two() {
            w.push(DesignWarning::SkipNotPowerOfTwo { skip });
        }
        // SALib compares floor(log2) of both.
        if n.ilog2() > skip.ilog2() {
            w.push(DesignWarning::MorePointsThanSkipped { n, skip });
        }
    }
    w
}

/// `n` points of `dims`-dimensional unscrambled Sobol' sequence after skipping `skip`, row-major.
///
/// Uses the `sobol` crate's direction numbers but jumps straight to point `skip` (point `k` is the
/// XOR of the direction numbers selected by the bits of its Gray code `k ^ (k >> 1)`) and then
/// steps in Gray-code order, as the crate's iterator, scipy and SALib do; so any skip costs
/// the same and no vector is allocated per point.
fn sobol_unit(dims: usize, n: usize, skip: u64) -> Result<Vec<f64>> {
    const RESOLUTION: usize = 53; // f64 significand: the sequence is exact up to 2^53 points
    if dims > max_sobol_dims() {
        return Err(SaError::TooLarge(format!(
            "the Sobol' sequence supports at most {} dimensions, {dims} were needed",
            max_sobol_dims()
        )));
    }
    let end = (n as u64)
        .checked_add(skip)
        .filter(|&t| t <= 1u64 << RESOLUTION);
    if end.is_none() {
        return Err(invalid(
            "n + skip",
            "at most 2^53 Sobol' points",
            format!("{n} + {skip}"),
        ));
    }
    let dirs: Vec<Vec<u64>> = Sobol::<f64>::init_direction_vals::<u32>(dims, RESOLUTION, joe_kuo());
    let gray = skip ^ (skip >> 1);
    let mut state: Vec<u64> = dirs
        .iter()
        .map(|d| {
            (0..RESOLUTION)
                .filter(|&b| (gray >> b) & 1 == 1)
                .fold(0u64, |acc, b| acc ^ d[b])
        })
        .collect();
    let scale = 1.0 / 18_446_744_073_709_551_616.0; // 2^-64: direction numbers fill the top bits
    let mut out = Vec::with_capacity(n * dims);
    for k in skip..skip + n as u64 {
        if k > skip {
            // Gray code of k differs from that of k - 1 in the lowest zero bit of k - 1.
            let bit = (!(k - 1)).trailing_zeros() as usize;
            for (s, d) in state.iter_mut().zip(&dirs) {
                *s ^= d[bit];
            }
        }
        out.extend(state.iter().map(|&v| v as f64 * scale));
    }
    Ok(out)
}

/// `n` points of the unscrambled Sobol' sequence (Joe-Kuo 6.21201 directions, Gray-code order)
/// after skipping the first `skip` points: the points of scipy's `qmc.Sobol(scramble=False)`.
pub fn sobol_sequence(factors: &[Factor], n: usize, skip: u64) -> Result<Design> {
    validate_factors(factors)?;
    positive("n", n)?;
    check_size(n, factors.len(), "the Sobol' design")?;
    let unit = sobol_unit(factors.len(), n, skip)?;
    Ok(build(
        factors,
        unit,
        Method::Sobol { skip },
        sobol_warnings(n, skip),
    ))
}

/// Options of the Saltelli design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaltelliOptions {
    /// Add the BA blocks needed for second-order indices (`N(2D+2)` rows instead of `N(D+2)`).
    pub second_order: bool,
    /// Sobol' points skipped before the base samples. 0 is SALib 1.6's `sobol.sample(...,
    /// scramble=False)` default; [`legacy_saltelli_skip`] gives the deprecated `saltelli.sample`'s.
    pub skip: u64,
}

impl Default for SaltelliOptions {
    fn default() -> Self {
        SaltelliOptions {
            second_order: true,
            skip: 0,
        }
    }
}

/// The skip of SALib's deprecated `saltelli.sample`: the next power of two >= N, at least 16.
pub fn legacy_saltelli_skip(n: usize) -> u64 {
    (n.max(1).next_power_of_two() as u64).max(16)
}

/// Rows per base sample of a Saltelli design.
pub fn saltelli_block(d: usize, second_order: bool) -> usize {
    if second_order { 2 * d + 2 } else { d + 2 }
}

/// Saltelli's cross-sampled design for Sobol' indices, row for row as SALib's `sobol.sample` with
/// `scramble=False`: base sample `i` is point `skip + i` of a 2D-dimensional Sobol' sequence, its
/// first D coordinates are A, the last D are B; each base sample gives the rows A, AB_1..AB_D
/// (A with column j from B), [BA_1..BA_D (B with column j from A),] B.
pub fn saltelli(factors: &[Factor], n: usize, options: SaltelliOptions) -> Result<Design> {
    validate_factors(factors)?;
    positive("n", n)?;
    let d = factors.len();
    let block = saltelli_block(d, options.second_order);
    let rows = n.checked_mul(block).ok_or_else(|| {
        SaError::TooLarge(format!("N = {n} base samples x {block} rows overflow"))
    })?;
    check_size(rows, d, "the Saltelli design")?;
    let base = sobol_unit(2 * d, n, options.skip)?;
    let mut unit = Vec::with_capacity(rows * d);
    for s in base.chunks_exact(2 * d) {
        let (a, b) = s.split_at(d);
        unit.extend_from_slice(a);
        for k in 0..d {
            unit.extend((0..d).map(|j| if j == k { b[j] } else { a[j] }));
        }
        if options.second_order {
            for k in 0..d {
                unit.extend((0..d).map(|j| if j == k { a[j] } else { b[j] }));
            }
        }
        unit.extend_from_slice(b);
    }
    let method = Method::Saltelli {
        base_samples: n,
        second_order: options.second_order,
        skip: options.skip,
    };
    Ok(build(
        factors,
        unit,
        method,
        sobol_warnings(n, options.skip),
    ))
}

/// The Morris step in unit space, `p / (2 (p - 1))`.
pub fn morris_delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `r` Morris trajectories on a `p`-level grid (Campolongo et al. 2007 form, as SALib's
/// `morris.sample` without trajectory optimisation). Each trajectory starts at a random base point
/// with coordinates in `{0, 1/(p-1), ..., 1 - delta}`, then moves one factor at a time, in random
/// order, by `delta` up or down (random direction per factor): `D + 1` rows per trajectory.
pub fn morris(factors: &[Factor], trajectories: usize, levels: usize, seed: u64) -> Result<Design> {
    check_morris(factors, trajectories, levels)?;
    let (unit, steps) = morris_unit(factors.len(), trajectories, levels, seed);
    let method = Method::Morris {
        trajectories,
        levels,
        delta: morris_delta(levels),
        seed: Some(seed),
        candidates: None,
        steps,
    };
    Ok(build(factors, unit, method, morris_warnings(levels)))
}

fn check_morris(factors: &[Factor], trajectories: usize, levels: usize) -> Result<()> {
    validate_factors(factors)?;
    positive("trajectories", trajectories)?;
    if levels < 2 {
        return Err(invalid("levels", "at least 2", levels));
    }
    let d = factors.len();
    let rows = trajectories
        .checked_mul(d + 1)
        .ok_or_else(|| SaError::TooLarge(format!("{trajectories} trajectories overflow")))?;
    check_size(rows, d, "the Morris design")
}

fn morris_warnings(levels: usize) -> Vec<DesignWarning> {
    if levels % 2 == 1 {
        vec![DesignWarning::MorrisOddLevels { levels }]
    } else {
        vec![]
    }
}

/// Unit-space Morris trajectories and their moves (arguments already checked).
fn morris_unit(
    d: usize,
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> (Vec<f64>, Vec<MorrisStep>) {
    let delta = morris_delta(levels);
    // numpy.linspace(0, 1 - delta, levels / 2): the possible base coordinates.
    let n_base = levels / 2;
    let step = if n_base > 1 {
        (1.0 - delta) / (n_base - 1) as f64
    } else {
        0.0
    };
    let base_grid: Vec<f64> = (0..n_base)
        .map(|i| {
            if i + 1 == n_base && n_base > 1 {
                1.0 - delta
            } else {
                i as f64 * step
            }
        })
        .collect();

    let mut rng = SeededRng::new(seed);
    let mut unit = Vec::with_capacity(trajectories * (d + 1) * d);
    let mut steps = Vec::with_capacity(trajectories * d);
    let mut order: Vec<usize> = (0..d).collect();
    let mut x_star = vec![0.0; d];
    let mut up = vec![false; d];
    for _ in 0..trajectories {
        for j in 0..d {
            x_star[j] = base_grid[rng.below(n_base)];
            up[j] = rng.coin();
        }
        for (j, o) in order.iter_mut().enumerate() {
            *o = j;
        }
        rng.shuffle(&mut order);
        // A factor moving up starts at x*, one moving down starts at x* + delta.
        let mut x: Vec<f64> = (0..d)
            .map(|j| if up[j] { x_star[j] } else { x_star[j] + delta })
            .collect();
        unit.extend_from_slice(&x);
        for &j in &order {
            x[j] = if up[j] { x_star[j] + delta } else { x_star[j] };
            unit.extend_from_slice(&x);
            steps.push(MorrisStep {
                factor: j,
                increase: up[j],
            });
        }
    }
    (unit, steps)
}

/// Most candidate trajectories [`morris_optimised`] accepts: it holds the distances between every
/// pair (an M x M matrix, 128 MiB at this limit) and scores pairs of trajectories, so the work
/// grows with M squared. Checked before anything is allocated.
pub const MAX_MORRIS_CANDIDATES: usize = 4096;

/// Largest number of subsets [`morris_optimised`] scores one by one; above it, it searches.
pub const MORRIS_EXHAUSTIVE_LIMIT: u64 = 1_000_000;

/// Campolongo et al. (2007) optimised Morris design: `candidates` trajectories are drawn as in
/// [`morris`] (same seed, same candidates), and the `trajectories` of them that are most spread
/// out are kept, in candidate order. Spread of a set S is `sqrt(sum over pairs {m, l} in S of
/// d(m, l)^2)`, with `d(m, l)` the sum of Euclidean distances (in unit space) between every point
/// of trajectory m and every point of trajectory l; SALib's `optimal_trajectories` maximises the
/// same quantity. Up to [`MORRIS_EXHAUSTIVE_LIMIT`] subsets every subset is scored (SALib's brute
/// force; the first best subset in lexicographic order wins); beyond that a greedy choice is
/// improved by single swaps until no swap helps (a local optimum, like SALib's local option).
pub fn morris_optimised(
    factors: &[Factor],
    candidates: usize,
    trajectories: usize,
    levels: usize,
    seed: u64,
) -> Result<Design> {
    if candidates > MAX_MORRIS_CANDIDATES {
        return Err(SaError::TooLarge(format!(
            "{candidates} Morris candidates: at most {MAX_MORRIS_CANDIDATES} (choosing among them compares every pair, a {candidates} x {candidates} matrix); use fewer candidates"
        )));
    }
    check_morris(factors, candidates, levels)?;
    if trajectories < 2 || trajectories >= candidates {
        return Err(invalid(
            "trajectories",
            format!(
                "between 2 and {} (fewer than the {candidates} candidates)",
                candidates.saturating_sub(1)
            ),
            trajectories,
        ));
    }
    let d = factors.len();
    let (unit, steps) = morris_unit(d, candidates, levels, seed);
    let per = (d + 1) * d;
    let dist = trajectory_distances(&unit, candidates, d);
    let chosen = most_spread(&dist, candidates, trajectories);
    let mut kept_unit = Vec::with_capacity(trajectories * per);
    let mut kept_steps = Vec::with_capacity(trajectories * d);
    for &c in &chosen {
        kept_unit.extend_from_slice(&unit[c * per..(c + 1) * per]);
        kept_steps.extend_from_slice(&steps[c * d..(c + 1) * d]);
    }
    let method = Method::Morris {
        trajectories,
        levels,
        delta: morris_delta(levels),
        seed: Some(seed),
        candidates: Some(candidates),
        steps: kept_steps,
    };
    Ok(build(factors, kept_unit, method, morris_warnings(levels)))
}

/// Symmetric matrix (row-major, M x M) of Campolongo distances between unit-space trajectories.
fn trajectory_distances(unit: &[f64], m: usize, d: usize) -> Vec<f64> {
    let per = (d + 1) * d;
    let mut dist = vec![0.0; m * m];
    for a in 0..m {
        let ta = &unit[a * per..(a + 1) * per];
        for b in a + 1..m {
            let tb = &unit[b * per..(b + 1) * per];
            let mut sum = 0.0;
            for p in ta.chunks_exact(d) {
                for q in tb.chunks_exact(d) {
                    sum += p
                        .iter()
                        .zip(q)
                        .map(|(x, y)| (x - y) * (x - y))
                        .sum::<f64>()
                        .sqrt();
                }
            }
            dist[a * m + b] = sum;
            dist[b * m + a] = sum;
        }
    }
    dist
}

fn binomial(n: usize, k: usize) -> u64 {
    let k = k.min(n - k);
    let mut c: u64 = 1;
    for i in 0..k {
        // c * (n - i) / (i + 1) stays integral; saturate instead of overflowing.
        c = match c.checked_mul((n - i) as u64) {
            Some(v) => v / (i as u64 + 1),
            None => return u64::MAX,
        };
    }
    c
}

/// Squared spread of a set of trajectories.
fn spread_sq(dist: &[f64], m: usize, set: &[usize]) -> f64 {
    let mut s = 0.0;
    for (i, &a) in set.iter().enumerate() {
        for &b in &set[i + 1..] {
            s += dist[a * m + b] * dist[a * m + b];
        }
    }
    s
}

/// Indices (ascending) of the `k` of `m` trajectories with the largest spread.
fn most_spread(dist: &[f64], m: usize, k: usize) -> Vec<usize> {
    if binomial(m, k) <= MORRIS_EXHAUSTIVE_LIMIT {
        exhaustive_spread(dist, m, k)
    } else {
        search_spread(dist, m, k)
    }
}

fn exhaustive_spread(dist: &[f64], m: usize, k: usize) -> Vec<usize> {
    let score = |set: &[usize]| spread_sq(dist, m, set);
    {
        // Lexicographic enumeration of k-subsets; strict improvement keeps the first best.
        let mut set: Vec<usize> = (0..k).collect();
        let mut best = set.clone();
        let mut best_score = score(&set);
        loop {
            let mut i = k;
            while i > 0 && set[i - 1] == m - k + i - 1 {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            set[i - 1] += 1;
            for j in i..k {
                set[j] = set[j - 1] + 1;
            }
            let s = score(&set);
            if s > best_score {
                best_score = s;
                best.clone_from(&set);
            }
        }
        best
    }
}

fn search_spread(dist: &[f64], m: usize, k: usize) -> Vec<usize> {
    let sq = |a: usize, b: usize| dist[a * m + b] * dist[a * m + b];
    // Greedy: the farthest pair, then repeatedly the candidate adding most squared distance.
    let (mut a0, mut b0, mut far) = (0, 1, f64::NEG_INFINITY);
    for a in 0..m {
        for b in a + 1..m {
            if sq(a, b) > far {
                (a0, b0, far) = (a, b, sq(a, b));
            }
        }
    }
    let mut inside = vec![false; m];
    inside[a0] = true;
    inside[b0] = true;
    // gain[c] = sum of squared distances from c to the chosen set.
    let mut gain: Vec<f64> = (0..m).map(|c| sq(c, a0) + sq(c, b0)).collect();
    for _ in 2..k {
        let c = (0..m)
            .filter(|&c| !inside[c])
            .fold(None, |best: Option<usize>, c| match best {
                Some(b) if gain[b] >= gain[c] => Some(b),
                _ => Some(c),
            })
            .expect("k < m leaves a candidate");
        inside[c] = true;
        for (x, g) in gain.iter_mut().enumerate() {
            *g += sq(x, c);
        }
    }
    // Single swaps: replacing s by c changes the score by gain[c] - sq(c, s) - gain[s].
    for _ in 0..10 * m {
        let mut best: Option<(usize, usize, f64)> = None;
        for s in (0..m).filter(|&s| inside[s]) {
            for c in (0..m).filter(|&c| !inside[c]) {
                let delta = gain[c] - sq(c, s) - gain[s];
                if delta > 1e-12 * (1.0 + gain[s]) && best.is_none_or(|(_, _, b)| delta > b) {
                    best = Some((s, c, delta));
                }
            }
        }
        let Some((s, c, _)) = best else { break };
        inside[s] = false;
        inside[c] = true;
        for (x, g) in gain.iter_mut().enumerate() {
            *g += sq(x, c) - sq(x, s);
        }
    }
    (0..m).filter(|&c| inside[c]).collect()
}

/// Morris trajectories made elsewhere (e.g. SALib's `morris.sample`), given as rows in blocks of
/// `D + 1`. Each step must change exactly one factor and each factor must move exactly once per
/// trajectory; the moves are read from the values, as SALib's analysis does.
pub fn morris_from_points(factors: &[Factor], rows: &[Vec<f64>], levels: usize) -> Result<Design> {
    validate_factors(factors)?;
    if levels < 2 {
        return Err(invalid("levels", "at least 2", levels));
    }
    let d = factors.len();
    #[allow(clippy::manual_is_multiple_of)]
    // is_multiple_of needs Rust 1.87; the workspace allows 1.85
    if rows.is_empty() || rows.len() % (d + 1) != 0 {
        return Err(invalid(
            "rows",
            format!(
                "a positive multiple of {} (D + 1 rows per trajectory)",
                d + 1
            ),
            format!("{} rows", rows.len()),
        ));
    }
    check_size(rows.len(), d, "the Morris design")?;
    for (r, row) in rows.iter().enumerate() {
        if row.len() != d {
            return Err(SaError::InvalidRow {
                row: r,
                reason: format!("has {} values, expected one per factor ({d})", row.len()),
            });
        }
        if let Some(v) = row.iter().find(|v| !v.is_finite()) {
            return Err(SaError::InvalidRow {
                row: r,
                reason: format!("value {v} is not a finite number"),
            });
        }
    }
    let trajectories = rows.len() / (d + 1);
    let mut steps = Vec::with_capacity(trajectories * d);
    for t in 0..trajectories {
        let mut moved = vec![false; d];
        for s in 0..d {
            let r = t * (d + 1) + s;
            let (a, b) = (&rows[r], &rows[r + 1]);
            let changed: Vec<usize> = (0..d).filter(|&j| a[j] != b[j]).collect();
            if changed.len() != 1 {
                return Err(SaError::InvalidRow {
                    row: r + 1,
                    reason: format!(
                        "changes {} factors from the row before; a Morris step changes exactly one",
                        changed.len()
                    ),
                });
            }
            let j = changed[0];
            if moved[j] {
                return Err(SaError::InvalidRow {
                    row: r + 1,
                    reason: format!(
                        "moves factor `{}` a second time in trajectory {t}",
                        factors[j].name
                    ),
                });
            }
            moved[j] = true;
            steps.push(MorrisStep {
                factor: j,
                increase: b[j] > a[j],
            });
        }
    }
    let warnings = morris_warnings(levels);
    Ok(Design {
        factors: factors.to_vec(),
        n_rows: rows.len(),
        points: rows.concat(),
        method: Method::Morris {
            trajectories,
            levels,
            delta: morris_delta(levels),
            seed: None,
            candidates: None,
            steps,
        },
        warnings,
    })
}

/// Grid level counts: one number for every continuous factor, or one per factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GridLevels {
    All(usize),
    PerFactor(Vec<usize>),
}

/// A design request, ready to be read from an experiment file (`method = "saltelli"`, `n = 1024`,
/// ...) and turned into a [`Design`] for given factors. Optional fields default to SALib's
/// defaults: `second_order = true`, `skip = 0`, Morris `levels = 4`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum DesignSpec {
    Grid {
        levels: GridLevels,
    },
    List {
        rows: Vec<Vec<f64>>,
    },
    Random {
        n: usize,
        seed: u64,
    },
    LatinHypercube {
        n: usize,
        seed: u64,
    },
    Sobol {
        n: usize,
        #[serde(default)]
        skip: u64,
    },
    Saltelli {
        n: usize,
        #[serde(default = "yes")]
        second_order: bool,
        #[serde(default)]
        skip: u64,
    },
    Morris {
        trajectories: usize,
        #[serde(default = "four")]
        levels: usize,
        seed: u64,
        /// Choose the `trajectories` most spread out of this many candidates ([`morris_optimised`]).
        #[serde(default)]
        candidates: Option<usize>,
    },
}

fn yes() -> bool {
    true
}
fn four() -> usize {
    4
}

impl DesignSpec {
    /// Builds the design; the same errors and warnings as the individual functions.
    pub fn generate(&self, factors: &[Factor]) -> Result<Design> {
        match self {
            DesignSpec::Grid { levels } => {
                let per: Vec<usize> = match levels {
                    GridLevels::All(n) => factors
                        .iter()
                        .map(|f| match f.range {
                            Range::Continuous { .. } => *n,
                            Range::Levels(_) => 0,
                        })
                        .collect(),
                    GridLevels::PerFactor(v) => v.clone(),
                };
                full_factorial(factors, &per)
            }
            DesignSpec::List { rows } => list(factors, rows),
            DesignSpec::Random { n, seed } => uniform(factors, *n, *seed),
            DesignSpec::LatinHypercube { n, seed } => latin_hypercube(factors, *n, *seed),
            DesignSpec::Sobol { n, skip } => sobol_sequence(factors, *n, *skip),
            DesignSpec::Saltelli {
                n,
                second_order,
                skip,
            } => saltelli(
                factors,
                *n,
                SaltelliOptions {
                    second_order: *second_order,
                    skip: *skip,
                },
            ),
            DesignSpec::Morris {
                trajectories,
                levels,
                seed,
                candidates: None,
            } => morris(factors, *trajectories, *levels, *seed),
            DesignSpec::Morris {
                trajectories,
                levels,
                seed,
                candidates: Some(m),
            } => morris_optimised(factors, *m, *trajectories, *levels, *seed),
        }
    }

    /// Number of rows the design will have, without building it (for progress bars and size
    /// checks); None for a grid or list, whose size depends on the factors.
    pub fn rows(&self, n_factors: usize) -> Option<usize> {
        match self {
            DesignSpec::Grid { .. } | DesignSpec::List { .. } => None,
            DesignSpec::Random { n, .. }
            | DesignSpec::LatinHypercube { n, .. }
            | DesignSpec::Sobol { n, .. } => Some(*n),
            DesignSpec::Saltelli {
                n, second_order, ..
            } => n.checked_mul(saltelli_block(n_factors, *second_order)),
            DesignSpec::Morris { trajectories, .. } => trajectories.checked_mul(n_factors + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The jump-ahead generator must give exactly the `sobol` crate iterator's points.
    #[test]
    fn jump_ahead_equals_iterating() {
        for skip in [0u64, 1, 5, 16, 1000, 4097] {
            let got = sobol_unit(7, 40, skip).unwrap();
            let want: Vec<f64> = Sobol::<f64>::new(7, joe_kuo())
                .skip(skip as usize)
                .take(40)
                .flatten()
                .collect();
            assert_eq!(got, want, "skip {skip}");
        }
    }

    /// The swap search reaches the exhaustive optimum on small problems (or comes very close).
    #[test]
    fn spread_search_is_close_to_exhaustive() {
        let (mut exact, mut worst) = (0, 1.0f64);
        for seed in 0..20 {
            let (m, k, d) = (16, 5, 3);
            let (unit, _) = morris_unit(d, m, 4, seed);
            let dist = trajectory_distances(&unit, m, d);
            let best = spread_sq(&dist, m, &exhaustive_spread(&dist, m, k));
            let found = spread_sq(&dist, m, &search_spread(&dist, m, k));
            assert!(found <= best * (1.0 + 1e-12));
            if found >= best * (1.0 - 1e-12) {
                exact += 1;
            }
            worst = worst.min((found / best).sqrt());
        }
        assert!(
            exact >= 15,
            "search found the optimum in {exact} of 20 cases"
        );
        assert!(worst > 0.99, "worst spread ratio {worst}");
    }

    #[test]
    fn binomial_counts_and_saturates() {
        assert_eq!(binomial(12, 4), 495);
        assert_eq!(binomial(60, 10), 75_394_027_566);
        assert_eq!(binomial(1000, 500), u64::MAX);
    }

    #[test]
    fn huge_skip_is_cheap_and_in_range() {
        let pts = sobol_unit(3, 4, 1 << 40).unwrap();
        assert!(pts.iter().all(|&u| (0.0..1.0).contains(&u)));
        assert!(sobol_unit(3, 4, (1 << 53) - 3).is_err());
    }
}
