//! Rest points of the replicator dynamics and their linear stability.
//!
//! A point is at rest iff, in every population, all strategies in use earn the same payoff. So
//! rest points are found support by support: every pure profile; then, for each choice of
//! supports with at least one mixed population, the "equal payoff" equations. For games where
//! every population has two strategies and at most three are mixed, these are solved exactly
//! (linear, or one quadratic after elimination); otherwise by multi-start Newton with
//! deduplication. Consistency is decided exactly in the two-strategy case: a support whose
//! equations have no solution gives nothing; one whose solutions form a segment, curve or surface
//! (a continuum of rest points, non-generic) is reported as a [`Continuum`] with its dimension
//! and a parametrization, and the isolated points of every other support are still listed.

use crate::dynamics::NumericGame;
use nalgebra::{DMatrix, DVector};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pure,
    Face,
    Interior,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pure => "pure",
            Kind::Face => "face",
            Kind::Interior => "interior",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stability {
    Stable,
    Unstable,
    Saddle,
    Undetermined,
}

impl Stability {
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Stable => "stable",
            Stability::Unstable => "unstable",
            Stability::Saddle => "saddle",
            Stability::Undetermined => "undetermined",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Eigen {
    pub re: f64,
    pub im: f64,
}

#[derive(Clone, Debug)]
pub struct RestPoint {
    /// Full state (population order, strategy order).
    pub x: Vec<f64>,
    pub kind: Kind,
    /// For pure profiles: each population's strategy index.
    pub profile: Option<Vec<usize>>,
    pub jacobian: DMatrix<f64>,
    /// For pure profiles ordered by (population, non-played strategy), matching the symbolic
    /// expressions; otherwise as returned by the eigen-solver, sorted by real part.
    pub eigenvalues: Vec<Eigen>,
    pub stability: Stability,
}

#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub rest_points: Vec<RestPoint>,
    /// Supports whose rest points are not isolated (also described in `warnings`).
    pub continua: Vec<Continuum>,
    pub warnings: Vec<String>,
}

/// Classify from eigenvalues (real parts within `tol` of zero count as zero).
///
/// Any eigenvalue with a positive real part makes the rest point unstable, whatever the others
/// are (Lyapunov's instability theorem): `Saddle` when some other real part is negative,
/// `Unstable` otherwise. Linearisation is inconclusive (`Undetermined`) only when the largest
/// real part is zero; `Stable` when every real part is negative.
pub fn classify(eigs: &[Eigen], tol: f64) -> Stability {
    let any_pos = eigs.iter().any(|e| e.re > tol);
    let any_neg = eigs.iter().any(|e| e.re < -tol);
    let any_zero = eigs.iter().any(|e| e.re.abs() <= tol);
    match (any_pos, any_neg, any_zero) {
        (true, true, _) => Stability::Saddle,
        (true, false, _) => Stability::Unstable,
        (false, _, true) => Stability::Undetermined,
        (false, _, false) => Stability::Stable,
    }
}

pub fn eigenvalues(m: &DMatrix<f64>) -> Vec<Eigen> {
    if m.nrows() == 0 {
        return Vec::new();
    }
    let mut v: Vec<Eigen> = m
        .complex_eigenvalues()
        .iter()
        .map(|c| Eigen { re: c.re, im: c.im })
        .collect();
    v.sort_by(|a, b| a.re.total_cmp(&b.re).then(a.im.total_cmp(&b.im)));
    v
}

/// Zero tolerance for eigenvalue real parts, relative to the payoff scale.
pub fn zero_tol(g: &NumericGame) -> f64 {
    1e-9 * g.scale()
}

/// All rest points of the game, pure profiles first, then faces, then the interior.
pub fn analyze(g: &NumericGame) -> Analysis {
    let mut out = Analysis::default();
    let tol = zero_tol(g);
    let np = g.n_pop();

    // Pure profiles: eigenvalues are exactly the payoff gains of unilateral switches.
    for prof in &g.profiles {
        let x = g.vertex(prof);
        let k = g.profile_index(prof);
        let mut eigs = Vec::new();
        for i in 0..np {
            for s in 0..g.shape[i] {
                if s == prof[i] {
                    continue;
                }
                let mut alt = prof.clone();
                alt[i] = s;
                let v = g.payoff_at(g.profile_index(&alt), i) - g.payoff_at(k, i);
                eigs.push(Eigen { re: v, im: 0.0 });
            }
        }
        let stability = classify(&eigs, tol);
        out.rest_points.push(RestPoint {
            jacobian: g.jacobian_reduced(&x),
            x,
            kind: Kind::Pure,
            profile: Some(prof.clone()),
            eigenvalues: eigs,
            stability,
        });
    }

    // Mixed supports.
    let mut mixed: Vec<Vec<f64>> = Vec::new();
    let binary = g.shape.iter().all(|&n| n == 2);
    for supports in all_supports(&g.shape) {
        let n_mixed = supports.iter().filter(|s| s.len() > 1).count();
        if n_mixed == 0 {
            continue;
        }
        let found = if binary && n_mixed <= 3 {
            let ex = exact_binary(g, &supports);
            for (dimension, parametrization) in ex.continua {
                out.warnings.push(format!(
                    "a continuum of rest points of dimension {dimension} exists with supports {}{}: the game is degenerate there",
                    support_text(&supports),
                    parametrization
                        .as_ref()
                        .map(|p| format!(" ({p})"))
                        .unwrap_or_default()
                ));
                out.continua.push(Continuum {
                    supports: support_text(&supports),
                    dimension,
                    parametrization,
                });
            }
            ex.points
        } else {
            let (pts, degenerate) = newton_support(g, &supports);
            if let Some(dimension) = degenerate {
                out.warnings.push(format!(
                    "rest points with supports {} are not isolated (singular equal-payoff system; the solution set there has dimension {dimension} by the numerical rank): the game is degenerate there",
                    support_text(&supports)
                ));
                out.continua.push(Continuum {
                    supports: support_text(&supports),
                    dimension,
                    parametrization: None,
                });
            }
            pts
        };
        for x in found {
            if !mixed.iter().any(|y| dist(y, &x) < 1e-7) {
                mixed.push(x);
            }
        }
    }
    let interior_first = |x: &Vec<f64>| -> bool { (0..g.dim_full).all(|k| x[k] > 0.0) };
    mixed.sort_by(|a, b| {
        interior_first(a).cmp(&interior_first(b)).then_with(|| {
            a.iter()
                .zip(b)
                .map(|(p, q)| q.total_cmp(p))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        })
    });
    for x in mixed {
        let jac = g.jacobian_reduced(&x);
        let eigs = eigenvalues(&jac);
        let stability = classify(&eigs, tol);
        let kind = if x.iter().all(|&v| v > 0.0) {
            Kind::Interior
        } else {
            Kind::Face
        };
        out.rest_points.push(RestPoint {
            x,
            kind,
            profile: None,
            jacobian: jac,
            eigenvalues: eigs,
            stability,
        });
    }
    out
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

fn support_text(s: &[Vec<usize>]) -> String {
    s.iter()
        .map(|v| {
            format!(
                "{{{}}}",
                v.iter()
                    .map(|k| (k + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect::<Vec<_>>()
        .join(" x ")
}

/// Every combination of non-empty supports (strategy index sets), one per population.
fn all_supports(shape: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let mut acc: Vec<Vec<Vec<usize>>> = vec![Vec::new()];
    for &n in shape {
        let mut next = Vec::new();
        for prefix in &acc {
            for mask in 1u32..(1 << n) {
                let s: Vec<usize> = (0..n).filter(|k| mask & (1 << k) != 0).collect();
                let mut p = prefix.clone();
                p.push(s);
                next.push(p);
            }
        }
        acc = next;
    }
    acc
}

/// A set of rest points that is not isolated: a segment, surface or solid of one support.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Continuum {
    /// The supports, e.g. `{1,2} x {1} x {1,2}` (strategy numbers per population).
    pub supports: String,
    /// Dimension of the set (1 = a curve or segment, 2 = a surface, …).
    pub dimension: usize,
    /// The set in the first-strategy shares `x1, x2, …` of the mixed populations, when cheap.
    pub parametrization: Option<String>,
}

/// Result of solving one support exactly: isolated points and continua (dimension,
/// parametrization).
#[derive(Default)]
struct Exact {
    points: Vec<Vec<f64>>,
    continua: Vec<(usize, Option<String>)>,
}

/// Affine function `c[0] + c[1] t`.
fn aff(c: [f64; 2], t: f64) -> f64 {
    c[0] + c[1] * t
}

/// Does a multi-affine function with these corner values vanish somewhere in the open box? On
/// the open box it is a positive combination of its corner values, so: iff all corners are zero
/// or the corners take both signs.
fn zero_in_open_box(corners: &[f64], tol: f64) -> bool {
    let min = corners.iter().copied().fold(f64::INFINITY, f64::min);
    let max = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min >= -tol && max <= tol) || (min < -tol && max > tol)
}

/// The open t-intervals of (0, 1) on which u = −au(t)/bu(t) and v = −av(t)/bv(t) (affine
/// numerators and denominators) both lie strictly inside (0, 1). Exact: between consecutive roots
/// of the six affine functions au, bu, au + bu, av, bv, av + bv every sign is constant, so one
/// test per piece decides it.
fn curve_intervals(
    au: [f64; 2],
    bu: [f64; 2],
    av: [f64; 2],
    bv: [f64; 2],
    tol: f64,
) -> Vec<(f64, f64)> {
    let sum = |p: [f64; 2], q: [f64; 2]| [p[0] + q[0], p[1] + q[1]];
    let mut cuts = vec![0.0, 1.0];
    for f in [au, bu, sum(au, bu), av, bv, sum(av, bv)] {
        if f[1].abs() > tol {
            let r = -f[0] / f[1];
            if r > 0.0 && r < 1.0 {
                cuts.push(r);
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for w in cuts.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        if hi - lo <= 1e-12 {
            continue;
        }
        let t = 0.5 * (lo + hi);
        let (du, dv) = (aff(bu, t), aff(bv, t));
        if du.abs() <= tol || dv.abs() <= tol {
            continue;
        }
        let (u, v) = (-aff(au, t) / du, -aff(av, t) / dv);
        if u > 0.0 && u < 1.0 && v > 0.0 && v < 1.0 {
            match out.last_mut() {
                Some(last) if (last.1 - lo).abs() <= 1e-12 => last.1 = hi,
                _ => out.push((lo, hi)),
            }
        }
    }
    out
}

/// `-(num)/(den)` for affine num, den in `t`, printed as simply as it is: a constant, an affine
/// function, or a ratio.
fn ratio_text(num: [f64; 2], den: [f64; 2], t: &str) -> String {
    use crate::expr::fmt_num;
    let times_t = |b: f64| -> String {
        if b == 1.0 {
            t.to_string()
        } else {
            format!("{}*{t}", fmt_num(b))
        }
    };
    let affine = |a: f64, b: f64| -> String {
        match (a == 0.0, b == 0.0) {
            (_, true) => fmt_num(a),
            (true, false) if b < 0.0 => format!("-{}", times_t(-b)),
            (true, false) => times_t(b),
            (false, false) => format!(
                "{} {} {}",
                fmt_num(a),
                if b < 0.0 { "-" } else { "+" },
                times_t(b.abs())
            ),
        }
    };
    if den[1] == 0.0 {
        return affine(-num[0] / den[0], -num[1] / den[0]);
    }
    format!(
        "({})/({})",
        affine(-num[0], -num[1]),
        affine(den[0], den[1])
    )
}

fn interval_text(iv: &[(f64, f64)]) -> String {
    iv.iter()
        .map(|(a, b)| {
            format!(
                "({}, {})",
                crate::expr::fmt_num(*a),
                crate::expr::fmt_num(*b)
            )
        })
        .collect::<Vec<_>>()
        .join(" ∪ ")
}

/// Two-strategy populations: `x` holds the share of the first strategy for mixed populations.
/// The equal-payoff equations of a support are decided exactly: inconsistent supports give
/// nothing, isolated solutions are points, and solution sets of positive dimension are continua.
fn exact_binary(g: &NumericGame, supports: &[Vec<usize>]) -> Exact {
    let np = g.n_pop();
    let tol = 1e-12 * g.scale();
    let mut base = vec![0.0; g.dim_full];
    let mixed: Vec<usize> = (0..np).filter(|&i| supports[i].len() == 2).collect();
    for i in 0..np {
        if supports[i].len() == 1 {
            base[g.offsets[i] + supports[i][0]] = 1.0;
        }
    }
    let set = |x: &mut Vec<f64>, i: usize, p: f64| {
        x[g.offsets[i]] = p;
        x[g.offsets[i] + 1] = 1.0 - p;
    };
    let build = |vals: &[(usize, f64)]| -> Vec<f64> {
        let mut x = base.clone();
        for &(j, p) in vals {
            set(&mut x, j, p);
        }
        x
    };
    // Payoff advantage of strategy 1 over strategy 2 for population i at given shares.
    let adv = |i: usize, vals: &[(usize, f64)]| -> f64 {
        let x = build(vals);
        let mut u = vec![0.0; g.dim_full];
        g.expected_payoffs(&x, &mut u);
        u[g.offsets[i]] - u[g.offsets[i] + 1]
    };
    let inside = |p: f64| p > 1e-12 && p < 1.0 - 1e-12;
    let name = |i: usize| format!("x{}", i + 1);
    let mut out = Exact::default();
    match mixed.len() {
        1 => {
            let i = mixed[0];
            if adv(i, &[]).abs() <= tol {
                out.continua
                    .push((1, Some(format!("{} ∈ (0, 1)", name(i)))));
            }
        }
        2 => {
            let (i, j) = (mixed[0], mixed[1]);
            // adv_who is affine in x_other only: its zero is a value, every value, or none.
            enum Lin {
                Value(f64),
                Free,
                Empty,
            }
            let solve = |who: usize, other: usize| -> Lin {
                let a = adv(who, &[(other, 0.0)]);
                let b = adv(who, &[(other, 1.0)]) - a;
                if b.abs() <= tol {
                    if a.abs() <= tol {
                        Lin::Free
                    } else {
                        Lin::Empty
                    }
                } else {
                    let v = -a / b;
                    if inside(v) { Lin::Value(v) } else { Lin::Empty }
                }
            };
            let xj = solve(i, j);
            let xi = solve(j, i);
            let text = |who: usize, l: &Lin| match l {
                Lin::Value(v) => format!("{} = {}", name(who), crate::expr::fmt_num(*v)),
                _ => format!("{} ∈ (0, 1)", name(who)),
            };
            match (&xi, &xj) {
                (Lin::Empty, _) | (_, Lin::Empty) => {}
                (Lin::Value(p), Lin::Value(q)) => out.points.push(build(&[(i, *p), (j, *q)])),
                _ => {
                    let dim = [&xi, &xj].iter().filter(|l| matches!(l, Lin::Free)).count();
                    out.continua
                        .push((dim, Some(format!("{}, {}", text(i, &xi), text(j, &xj)))));
                }
            }
        }
        3 => {
            let (i, j, k) = (mixed[0], mixed[1], mixed[2]);
            // Bilinear coefficients of adv_who(x_a, x_b) = c0 + c1 x_a + c2 x_b + c3 x_a x_b.
            let coef = |who: usize, a: usize, b: usize| -> [f64; 4] {
                let f00 = adv(who, &[(a, 0.0), (b, 0.0)]);
                let f10 = adv(who, &[(a, 1.0), (b, 0.0)]);
                let f01 = adv(who, &[(a, 0.0), (b, 1.0)]);
                let f11 = adv(who, &[(a, 1.0), (b, 1.0)]);
                [f00, f10 - f00, f01 - f00, f11 - f10 - f01 + f00]
            };
            let corners = |c: [f64; 4]| [c[0], c[0] + c[1], c[0] + c[2], c[0] + c[1] + c[2] + c[3]];
            let ci = coef(i, j, k);
            let cj = coef(j, i, k);
            let ck = coef(k, i, j);
            // A population whose advantage has no zero inside the face cannot be mixed there.
            if [ci, cj, ck]
                .iter()
                .any(|&c| !zero_in_open_box(&corners(c), tol))
            {
                return out;
            }
            let free = |c: [f64; 4]| corners(c).iter().all(|v| v.abs() <= tol);
            let (fi, fj, fk) = (free(ci), free(cj), free(ck));
            let n_free = [fi, fj, fk].iter().filter(|&&f| f).count();
            let bilinear_text = |c: [f64; 4], a: usize, b: usize| {
                format!(
                    "{} + {}*{} + {}*{} + {}*{}*{} = 0",
                    crate::expr::fmt_num(c[0]),
                    crate::expr::fmt_num(c[1]),
                    name(a),
                    crate::expr::fmt_num(c[2]),
                    name(b),
                    crate::expr::fmt_num(c[3]),
                    name(a),
                    name(b)
                )
            };
            if n_free == 3 {
                out.continua.push((
                    3,
                    Some(format!("{}, {}, {} ∈ (0, 1)", name(i), name(j), name(k))),
                ));
                return out;
            }
            if n_free == 2 {
                // The one remaining equation (it has zeros inside, checked above) constrains the
                // other two shares to a curve; the population's own share is free.
                let (w, c, a, b) = if !fi {
                    (i, ci, j, k)
                } else if !fj {
                    (j, cj, i, k)
                } else {
                    (k, ck, i, j)
                };
                out.continua.push((
                    2,
                    Some(format!("{} ∈ (0, 1); {}", name(w), bilinear_text(c, a, b))),
                ));
                return out;
            }
            // Parametrize by t = the share of population `w`; the other two equations then read
            // A(t) + B(t)·u = 0 for one share each (affine A, B).
            let curve = |w: usize,
                         (p, cp_t_first): (usize, [f64; 4]),
                         (q, cq_t_first): (usize, [f64; 4])|
             -> Option<(usize, Option<String>)> {
                // cp: adv_p(x_w = t, x_q) = c0 + c1 t + c2 x_q + c3 t x_q, so x_q = -(c0 + c1 t)/(c2 + c3 t).
                let (aq, bq) = (
                    [cp_t_first[0], cp_t_first[1]],
                    [cp_t_first[2], cp_t_first[3]],
                );
                let (ap, bp) = (
                    [cq_t_first[0], cq_t_first[1]],
                    [cq_t_first[2], cq_t_first[3]],
                );
                let iv = curve_intervals(aq, bq, ap, bp, tol);
                if iv.is_empty() {
                    return None;
                }
                let t = name(w);
                Some((
                    1,
                    Some(format!(
                        "{t} ∈ {}, {} = {}, {} = {}",
                        interval_text(&iv),
                        name(q),
                        ratio_text(aq, bq, &t),
                        name(p),
                        ratio_text(ap, bp, &t)
                    )),
                ))
            };
            if n_free == 1 {
                // coef(p, w, q): adv_p as a function of (x_w, x_q), t = x_w first.
                let (w, p, q) = if fi {
                    (i, j, k)
                } else if fj {
                    (j, i, k)
                } else {
                    (k, i, j)
                };
                if let Some(c) = curve(w, (p, coef(p, w, q)), (q, coef(q, w, p))) {
                    out.continua.push(c);
                }
                return out;
            }
            // With z = x_k: adv_i(x_j, z) = 0 gives x_j = N2(z)/D2(z); adv_j(x_i, z) = 0 gives
            // x_i = N1(z)/D1(z); substitute both into adv_k(x_i, x_j) = 0, times D1 D2.
            let n2 = [-ci[0], -ci[2]];
            let d2 = [ci[1], ci[3]];
            let n1 = [-cj[0], -cj[2]];
            let d1 = [cj[1], cj[3]];
            let mul =
                |p: [f64; 2], q: [f64; 2]| [p[0] * q[0], p[0] * q[1] + p[1] * q[0], p[1] * q[1]];
            let a = mul(d1, d2);
            let b = mul(n1, d2);
            let c = mul(n2, d1);
            let d = mul(n1, n2);
            let poly: Vec<f64> = (0..3)
                .map(|m| ck[0] * a[m] + ck[1] * b[m] + ck[2] * c[m] + ck[3] * d[m])
                .collect();
            let pscale = tol * (1.0 + g.scale() * g.scale());
            if poly.iter().all(|c| c.abs() <= pscale) {
                // adv_k vanishes wherever the other two do: the solutions form a curve in z.
                if let Some(c) = curve(k, (i, coef(i, k, j)), (j, coef(j, k, i))) {
                    out.continua.push(c);
                }
                return out;
            }
            let mut roots = Vec::new();
            if poly[2].abs() <= pscale {
                if poly[1].abs() > pscale {
                    roots.push(-poly[0] / poly[1]);
                }
            } else {
                let disc = poly[1] * poly[1] - 4.0 * poly[2] * poly[0];
                if disc >= -pscale {
                    let sq = disc.max(0.0).sqrt();
                    // Numerically stable pair of roots.
                    let q = -0.5 * (poly[1] + poly[1].signum() * sq);
                    if q != 0.0 {
                        roots.push(q / poly[2]);
                        roots.push(poly[0] / q);
                    } else {
                        roots.push(0.0);
                    }
                }
            }
            let residual_ok = |x: &[f64]| {
                let mut u = vec![0.0; g.dim_full];
                g.expected_payoffs(x, &mut u);
                [i, j, k]
                    .iter()
                    .all(|&w| (u[g.offsets[w]] - u[g.offsets[w] + 1]).abs() <= 1e-8 * g.scale())
            };
            for z in roots {
                if !inside(z) {
                    continue;
                }
                let (den1, num1) = (aff(d1, z), aff(n1, z));
                let (den2, num2) = (aff(d2, z), aff(n2, z));
                let free1 = den1.abs() <= tol && num1.abs() <= tol; // x_i free at this z
                let free2 = den2.abs() <= tol && num2.abs() <= tol; // x_j free at this z
                if (den1.abs() <= tol && !free1) || (den2.abs() <= tol && !free2) {
                    continue;
                }
                let zt = crate::expr::fmt_num(z);
                if free1 && free2 {
                    // Both shares free at this z: adv_k(x_i, x_j) = 0 is a curve (zeros inside
                    // were checked above).
                    out.continua.push((
                        1,
                        Some(format!("{} = {zt}; {}", name(k), bilinear_text(ck, i, j))),
                    ));
                    continue;
                }
                if free1 || free2 {
                    // One share fixed by its equation, the other by adv_k (affine in it).
                    let (fixed, fv, loose) = if free2 {
                        (i, num1 / den1, j)
                    } else {
                        (j, num2 / den2, i)
                    };
                    if !inside(fv) {
                        continue;
                    }
                    let a0 = adv(k, &[(fixed, fv), (loose, 0.0)]);
                    let a1 = adv(k, &[(fixed, fv), (loose, 1.0)]) - a0;
                    if a1.abs() <= tol {
                        if a0.abs() <= tol {
                            out.continua.push((
                                1,
                                Some(format!(
                                    "{} = {zt}, {} = {}, {} ∈ (0, 1)",
                                    name(k),
                                    name(fixed),
                                    crate::expr::fmt_num(fv),
                                    name(loose)
                                )),
                            ));
                        }
                        continue;
                    }
                    let lv = -a0 / a1;
                    if inside(lv) {
                        let x = build(&[(fixed, fv), (loose, lv), (k, z)]);
                        if residual_ok(&x) && !out.points.iter().any(|p| dist(p, &x) < 1e-9) {
                            out.points.push(x);
                        }
                    }
                    continue;
                }
                let xi = num1 / den1;
                let xj = num2 / den2;
                if inside(xi) && inside(xj) {
                    let x = build(&[(i, xi), (j, xj), (k, z)]);
                    // Guard against spurious roots introduced by clearing denominators.
                    if residual_ok(&x) && !out.points.iter().any(|p| dist(p, &x) < 1e-9) {
                        out.points.push(x);
                    }
                }
            }
        }
        _ => unreachable!("exact_binary handles one to three mixed populations"),
    }
    out
}

/// Multi-start Newton on the equal-payoff equations of one support choice. Returns the isolated
/// solutions strictly inside the face and, when a singular (non-isolated) solution was met, the
/// dimension of the solution set there (the nullity of the equations' Jacobian).
fn newton_support(g: &NumericGame, supports: &[Vec<usize>]) -> (Vec<Vec<f64>>, Option<usize>) {
    let np = g.n_pop();
    let mixed: Vec<usize> = (0..np).filter(|&i| supports[i].len() > 1).collect();
    let dim: usize = mixed.iter().map(|&i| supports[i].len() - 1).sum();
    let scale = g.scale();
    let mut base = vec![0.0; g.dim_full];
    for i in 0..np {
        if supports[i].len() == 1 {
            base[g.offsets[i] + supports[i][0]] = 1.0;
        }
    }
    let to_full = |z: &[f64]| -> Vec<f64> {
        let mut x = base.clone();
        let mut c = 0;
        for &i in &mixed {
            let s = &supports[i];
            let mut rest = 1.0;
            for &st in &s[..s.len() - 1] {
                x[g.offsets[i] + st] = z[c];
                rest -= z[c];
                c += 1;
            }
            x[g.offsets[i] + s[s.len() - 1]] = rest;
        }
        x
    };
    let residual = |x: &[f64]| -> DVector<f64> {
        let mut u = vec![0.0; g.dim_full];
        g.expected_payoffs(x, &mut u);
        let mut r = DVector::zeros(dim);
        let mut c = 0;
        for &i in &mixed {
            let s = &supports[i];
            let last = u[g.offsets[i] + s[s.len() - 1]];
            for &st in &s[..s.len() - 1] {
                r[c] = u[g.offsets[i] + st] - last;
                c += 1;
            }
        }
        r
    };
    let jacobian = |x: &[f64]| -> DMatrix<f64> {
        let cp = g.conditional_payoffs(x);
        let dd = g.dim_full;
        let mut m = DMatrix::zeros(dim, dim);
        let mut r = 0;
        for &i in &mixed {
            let si = &supports[i];
            let li = si[si.len() - 1];
            for &a in &si[..si.len() - 1] {
                let mut c = 0;
                for &j in &mixed {
                    let sj = &supports[j];
                    let lj = sj[sj.len() - 1];
                    for &b in &sj[..sj.len() - 1] {
                        if i != j {
                            let (oi, oj) = (g.offsets[i], g.offsets[j]);
                            let d =
                                |s: usize| cp[(oi + s) * dd + oj + b] - cp[(oi + s) * dd + oj + lj];
                            m[(r, c)] = d(a) - d(li);
                        }
                        c += 1;
                    }
                }
                r += 1;
            }
        }
        m
    };

    // Deterministic quasi-random starts in the interior of the face.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15 ^ (dim as u64);
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    // With one or two mixed populations the equations are linear (a population's payoffs do not
    // depend on its own shares), so one Newton run from anywhere is exact.
    let n_starts = if mixed.len() <= 2 { 1 } else { 12 + 6 * dim };
    let mut found: Vec<Vec<f64>> = Vec::new();
    let mut degenerate: Option<usize> = None;
    for _ in 0..n_starts {
        let mut z = Vec::with_capacity(dim);
        for &i in &mixed {
            let m = supports[i].len();
            let w: Vec<f64> = (0..m).map(|_| -(rnd().max(1e-12)).ln()).collect();
            let t: f64 = w.iter().sum();
            z.extend(w[..m - 1].iter().map(|v| v / t));
        }
        let mut converged = false;
        for iter in 0..40 {
            let x = to_full(&z);
            let r = residual(&x);
            if r.amax() <= 1e-13 * scale {
                converged = true;
                break;
            }
            // Damped steps cross the unit box in a few iterations and Newton then converges
            // quadratically: a run still far from a root after 15 iterations is wandering.
            if iter >= 15 && r.amax() > 1e-6 * scale {
                break;
            }
            let jm = jacobian(&x);
            let Some(step) = jm.clone().lu().solve(&(-&r)) else {
                break;
            };
            if !step.iter().all(|v| v.is_finite()) {
                break;
            }
            let damp = if step.amax() > 0.5 {
                0.5 / step.amax()
            } else {
                1.0
            };
            for (zk, sk) in z.iter_mut().zip(step.iter()) {
                *zk += damp * sk;
            }
            // Solutions lie in [0, 1]; a run that leaves a margin around it is abandoned.
            if z.iter().any(|v| !(-0.5..=1.5).contains(v)) {
                break;
            }
        }
        if !converged {
            continue;
        }
        let x = to_full(&z);
        let inside = mixed
            .iter()
            .all(|&i| supports[i].iter().all(|&s| x[g.offsets[i] + s] > 1e-10));
        if !inside {
            continue;
        }
        let sv = jacobian(&x).singular_values();
        if sv.min() <= 1e-9 * scale {
            let nullity = sv.iter().filter(|&&v| v <= 1e-9 * scale).count();
            degenerate = Some(degenerate.unwrap_or(0).max(nullity));
            continue;
        }
        if !found.iter().any(|y| dist(y, &x) < 1e-7) {
            found.push(x);
        }
    }
    (found, degenerate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_pennies_has_an_undetermined_centre() {
        // Row: [1,-1;-1,1], column: negated.
        let pay = vec![1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0];
        let g = NumericGame::new(vec![2, 2], pay);
        let a = analyze(&g);
        assert_eq!(a.rest_points.len(), 5);
        let int = a
            .rest_points
            .iter()
            .find(|r| r.kind == Kind::Interior)
            .unwrap();
        assert!((int.x[0] - 0.5).abs() < 1e-12 && (int.x[2] - 0.5).abs() < 1e-12);
        assert_eq!(int.stability, Stability::Undetermined);
        assert!(
            int.eigenvalues
                .iter()
                .all(|e| e.re.abs() < 1e-12 && (e.im.abs() - 1.0).abs() < 1e-12)
        );
        assert!(
            a.rest_points
                .iter()
                .filter(|r| r.kind == Kind::Pure)
                .all(|r| r.stability == Stability::Saddle)
        );
    }

    #[test]
    fn exact_and_newton_agree_on_a_random_2x2x2() {
        let pay: Vec<f64> = (0..24)
            .map(|k| ((k * 53 % 17) as f64) - 8.0 + 0.37 * k as f64)
            .collect();
        let g = NumericGame::new(vec![2, 2, 2], pay);
        for sup in all_supports(&g.shape) {
            if sup.iter().filter(|s| s.len() > 1).count() < 2 {
                continue;
            }
            let ex = exact_binary(&g, &sup);
            assert!(ex.continua.is_empty(), "{sup:?}");
            let mut exact = ex.points;
            let (mut newton, deg) = newton_support(&g, &sup);
            assert!(deg.is_none());
            exact.sort_by(|a, b| a[0].total_cmp(&b[0]));
            newton.sort_by(|a, b| a[0].total_cmp(&b[0]));
            assert_eq!(
                exact.len(),
                newton.len(),
                "{sup:?}: {exact:?} vs {newton:?}"
            );
            for (a, b) in exact.iter().zip(&newton) {
                assert!(dist(a, b) < 1e-9);
            }
        }
    }

    #[test]
    fn pure_eigenvalues_match_the_jacobian() {
        let pay: Vec<f64> = (0..24).map(|k| ((k * 29 % 13) as f64) - 6.0).collect();
        let g = NumericGame::new(
            vec![2, 3, 2],
            pay[..].iter().chain(pay.iter()).take(36).copied().collect(),
        );
        for rp in analyze(&g)
            .rest_points
            .iter()
            .filter(|r| r.kind == Kind::Pure)
        {
            let mut a: Vec<f64> = rp.eigenvalues.iter().map(|e| e.re).collect();
            let mut b: Vec<f64> = eigenvalues(&rp.jacobian).iter().map(|e| e.re).collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-9, "{a:?} vs {b:?}");
            }
        }
    }

    fn eig(re: &[f64]) -> Vec<Eigen> {
        re.iter().map(|&re| Eigen { re, im: 0.0 }).collect()
    }

    #[test]
    fn any_positive_real_part_is_unstable_whatever_the_zeros() {
        // The face point of the issue: real parts [0, 0, 0, +1/3].
        assert_eq!(
            classify(&eig(&[0.0, 0.0, 0.0, 1.0 / 3.0]), 1e-9),
            Stability::Unstable
        );
        assert_eq!(classify(&eig(&[0.0, 2.0]), 1e-9), Stability::Unstable);
        assert_eq!(classify(&eig(&[-1.0, 0.0, 2.0]), 1e-9), Stability::Saddle);
        assert_eq!(classify(&eig(&[-1.0, 0.0]), 1e-9), Stability::Undetermined);
        assert_eq!(
            classify(&eig(&[-1.0, -1e-12]), 1e-9),
            Stability::Undetermined
        );
        assert_eq!(
            classify(&eig(&[1e-12, -3.0]), 1e-9),
            Stability::Undetermined
        );
        assert_eq!(classify(&eig(&[-1.0, -2.0]), 1e-9), Stability::Stable);
        assert_eq!(classify(&eig(&[1.0, 2.0]), 1e-9), Stability::Unstable);
    }

    #[test]
    fn pure_profile_with_a_zero_and_a_positive_gain_is_unstable() {
        // A is indifferent everywhere; B gains 1 by switching from its second strategy.
        // Profiles in order (1,1), (1,2), (2,1), (2,2); payoffs (A, B).
        let pay = vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let g = NumericGame::new(vec![2, 2], pay);
        let a = analyze(&g);
        let at = |p: Vec<usize>| {
            a.rest_points
                .iter()
                .find(|r| r.profile.as_ref() == Some(&p))
                .unwrap()
                .stability
        };
        assert_eq!(at(vec![0, 1]), Stability::Unstable);
        assert_eq!(at(vec![0, 0]), Stability::Undetermined);
    }

    /// Three two-strategy populations: A's advantage is the constant `a_adv`, B's and C's are given
    /// as payoffs of their first strategy by profile (second strategy earns 0).
    fn three_pop(a_adv: f64, b_first: [f64; 8], c_first: [f64; 8]) -> NumericGame {
        let mut pay = Vec::new();
        for k in 0..8 {
            let (sa, sb, sc) = (k / 4, (k / 2) % 2, k % 2);
            pay.push(if sa == 0 { a_adv } else { 0.0 });
            pay.push(if sb == 0 { b_first[k] } else { 0.0 });
            pay.push(if sc == 0 { c_first[k] } else { 0.0 });
        }
        NumericGame::new(vec![2, 2, 2], pay)
    }

    #[test]
    fn constant_nonzero_advantage_gives_no_false_continuum() {
        // The minimal case: A's advantage is 1, B and C are indifferent everywhere.
        let g = three_pop(1.0, [0.0; 8], [0.0; 8]);
        let a = analyze(&g);
        assert!(
            !a.continua.iter().any(|c| c.supports.starts_with("{1,2}")),
            "{:?}",
            a.continua
        );
        // The real continua: A pure, B and C anything (a square, dimension 2).
        let real: Vec<&Continuum> = a
            .continua
            .iter()
            .filter(|c| c.supports == "{1} x {1,2} x {1,2}" || c.supports == "{2} x {1,2} x {1,2}")
            .collect();
        assert_eq!(real.len(), 2, "{:?}", a.continua);
        assert!(real.iter().all(|c| c.dimension == 2));
        assert_eq!(
            real[0].parametrization.as_deref(),
            Some("x2 ∈ (0, 1), x3 ∈ (0, 1)")
        );
    }

    #[test]
    fn isolated_points_are_reported_next_to_a_continuum() {
        // B's advantage is x_C - 1/2... written as profile payoffs: B's first strategy earns 1/2
        // against C's first and -1/2 against C's second; C's advantage is 1/4 - x_B... C's first
        // earns -3/4 against B's first and 1/4 against B's second. A's advantage is 0 (free).
        let b = [0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5];
        let c = [-0.75, -0.75, 0.25, 0.25, -0.75, -0.75, 0.25, 0.25];
        let g = three_pop(0.0, b, c);
        let a = analyze(&g);
        // All mixed: x_C = 1/2, x_B = 1/4, x_A free: a segment.
        let seg = a
            .continua
            .iter()
            .find(|c| c.supports == "{1,2} x {1,2} x {1,2}")
            .expect("segment");
        assert_eq!(seg.dimension, 1);
        // A pure: B and C mixed at (1/4, 1/2): isolated points on those faces.
        let faces: Vec<&RestPoint> = a
            .rest_points
            .iter()
            .filter(|r| r.kind == Kind::Face)
            .collect();
        assert_eq!(
            faces.len(),
            2,
            "{:?}",
            a.rest_points.iter().map(|r| &r.x).collect::<Vec<_>>()
        );
        for f in faces {
            assert!((f.x[2] - 0.25).abs() < 1e-12 && (f.x[4] - 0.5).abs() < 1e-12);
        }
    }

    #[test]
    fn exact_supports_agree_with_newton_on_degenerate_integer_games() {
        // Payoffs in {-1, 0, 1} make many supports rank-deficient. Wherever the exact solver
        // reports neither a point nor a continuum, Newton from many starts must not converge to a
        // solution inside the face either; every reported point must satisfy the equations.
        let mut seed: u64 = 12345;
        let mut rnd = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 3) as f64 - 1.0
        };
        let mut checked_empty = 0;
        for _ in 0..300 {
            let pay: Vec<f64> = (0..24).map(|_| rnd()).collect();
            let g = NumericGame::new(vec![2, 2, 2], pay);
            for sup in all_supports(&g.shape) {
                if sup.iter().filter(|s| s.len() > 1).count() < 2 {
                    continue;
                }
                let ex = exact_binary(&g, &sup);
                for x in &ex.points {
                    let mut u = vec![0.0; g.dim_full];
                    g.expected_payoffs(x, &mut u);
                    for i in 0..3 {
                        if sup[i].len() == 2 {
                            assert!((u[g.offsets[i]] - u[g.offsets[i] + 1]).abs() < 1e-9);
                        }
                    }
                }
                if ex.points.is_empty() && ex.continua.is_empty() {
                    // Newton converges slowly to a double root on the face's boundary and can stop
                    // within ~1e-7 of it; such points are not inside the face.
                    let (pts, deg) = newton_support(&g, &sup);
                    let well_inside: Vec<&Vec<f64>> = pts
                        .iter()
                        .filter(|x| {
                            x.iter()
                                .all(|&v| v == 0.0 || v == 1.0 || (1e-5..=1.0 - 1e-5).contains(&v))
                        })
                        .collect();
                    assert!(
                        well_inside.is_empty() && deg.is_none(),
                        "{sup:?} {:?} {pts:?} {deg:?}",
                        g.payoff
                    );
                    checked_empty += 1;
                }
            }
        }
        assert!(checked_empty > 100, "{checked_empty}");
    }

    /// A 2x2x2 game from the three payoff advantages (first strategy earns the advantage at each
    /// vertex, the second 0); `adv[i]` gets the first-strategy shares of all three populations.
    fn from_advantages(adv: [fn([f64; 3]) -> f64; 3]) -> NumericGame {
        let mut pay = Vec::new();
        for k in 0..8 {
            let s = [k / 4, (k / 2) % 2, k % 2];
            let x = s.map(|v| if v == 0 { 1.0 } else { 0.0 });
            for i in 0..3 {
                pay.push(if s[i] == 0 { adv[i](x) } else { 0.0 });
            }
        }
        NumericGame::new(vec![2, 2, 2], pay)
    }

    #[test]
    fn a_curve_of_rest_points_is_reported_with_its_parametrization() {
        // A: x_B - x_C, B: x_A - 1/2, C indifferent: x_A = 1/2, x_B = x_C = t for t in (0, 1).
        let g = from_advantages([|x| x[1] - x[2], |x| x[0] - 0.5, |_| 0.0]);
        let a = analyze(&g);
        let c = a
            .continua
            .iter()
            .find(|c| c.supports == "{1,2} x {1,2} x {1,2}")
            .expect("the segment");
        assert_eq!(c.dimension, 1);
        assert_eq!(
            c.parametrization.as_deref(),
            Some("x3 ∈ (0, 1), x2 = x3, x1 = 0.5")
        );
        // Every point of the reported segment is a rest point.
        for t in [0.1, 0.5, 0.9] {
            let x = [0.5, 0.5, t, 1.0 - t, t, 1.0 - t];
            let (mut u, mut f) = (vec![0.0; 6], vec![0.0; 6]);
            g.field(&x, &mut u, &mut f);
            assert!(f.iter().all(|v| v.abs() < 1e-15), "{f:?}");
        }
        // The same equations with C's advantage nonzero: x_C is fixed, the segment shrinks to a
        // point (x_A, x_B, x_C) = (1/2, 1/4, 1/4) found exactly, and no continuum is reported.
        let g = from_advantages([|x| x[1] - x[2], |x| x[0] - 0.5, |x| 0.25 - x[1]]);
        let a = analyze(&g);
        assert!(
            a.continua
                .iter()
                .all(|c| c.supports != "{1,2} x {1,2} x {1,2}")
        );
        let int: Vec<&RestPoint> = a
            .rest_points
            .iter()
            .filter(|r| r.kind == Kind::Interior)
            .collect();
        assert_eq!(int.len(), 1);
        assert!(
            (int[0].x[0] - 0.5).abs() < 1e-12
                && (int[0].x[2] - 0.25).abs() < 1e-12
                && (int[0].x[4] - 0.25).abs() < 1e-12
        );
    }
}
