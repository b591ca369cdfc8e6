//! Rest points of the replicator dynamics and their linear stability.
//!
//! A point is at rest iff, in every population, all strategies in use earn the same payoff. So
//! rest points are found support by support: every pure profile; then, for each choice of
//! supports with at least one mixed population, the "equal payoff" equations. For games where
//! every population has two strategies and at most three are mixed, these are solved exactly
//! (linear, or one quadratic after elimination); otherwise by multi-start Newton with
//! deduplication. A support whose equations hold on a whole segment or surface (a continuum of
//! rest points, non-generic) is reported as a warning rather than as isolated points.

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
    pub warnings: Vec<String>,
}

/// Classify from eigenvalues: a real part within `tol` of zero makes linearisation inconclusive.
pub fn classify(eigs: &[Eigen], tol: f64) -> Stability {
    if eigs.iter().any(|e| e.re.abs() <= tol) {
        return Stability::Undetermined;
    }
    let neg = eigs.iter().all(|e| e.re < 0.0);
    let pos = eigs.iter().all(|e| e.re > 0.0);
    match (neg, pos) {
        (true, _) => Stability::Stable,
        (_, true) => Stability::Unstable,
        _ => Stability::Saddle,
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
            match exact_binary(g, &supports) {
                Ok(v) => v,
                Err(Degenerate) => {
                    out.warnings.push(format!(
                        "a continuum of rest points exists with supports {}: the game is degenerate there (isolated points are not reported for this support)",
                        support_text(&supports)
                    ));
                    Vec::new()
                }
            }
        } else {
            let (pts, degenerate) = newton_support(g, &supports);
            if degenerate {
                out.warnings.push(format!(
                    "rest points with supports {} are not isolated (singular equal-payoff system): the game is degenerate there",
                    support_text(&supports)
                ));
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

struct Degenerate;

/// Two-strategy populations: `x` holds the share of the first strategy for mixed populations.
fn exact_binary(g: &NumericGame, supports: &[Vec<usize>]) -> Result<Vec<Vec<f64>>, Degenerate> {
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
    // Payoff advantage of strategy 1 over strategy 2 for population i at given shares.
    let adv = |i: usize, vals: &[(usize, f64)]| -> f64 {
        let mut x = base.clone();
        for &(j, p) in vals {
            set(&mut x, j, p);
        }
        let mut u = vec![0.0; g.dim_full];
        g.expected_payoffs(&x, &mut u);
        u[g.offsets[i]] - u[g.offsets[i] + 1]
    };
    let inside = |p: f64| p > 1e-12 && p < 1.0 - 1e-12;
    let build = |vals: &[(usize, f64)]| -> Vec<f64> {
        let mut x = base.clone();
        for &(j, p) in vals {
            set(&mut x, j, p);
        }
        x
    };
    match mixed.len() {
        1 => {
            let i = mixed[0];
            if adv(i, &[]).abs() <= tol {
                Err(Degenerate)
            } else {
                Ok(Vec::new())
            }
        }
        2 => {
            let (i, j) = (mixed[0], mixed[1]);
            // adv_i is affine in x_j only, adv_j affine in x_i only.
            let solve = |who: usize, other: usize| -> Result<Option<f64>, Degenerate> {
                let a = adv(who, &[(other, 0.0)]);
                let b = adv(who, &[(other, 1.0)]) - a;
                if b.abs() <= tol {
                    return if a.abs() <= tol {
                        Err(Degenerate)
                    } else {
                        Ok(None)
                    };
                }
                Ok(Some(-a / b))
            };
            let xj = solve(i, j)?;
            let xi = solve(j, i)?;
            match (xi, xj) {
                (Some(p), Some(q)) if inside(p) && inside(q) => Ok(vec![build(&[(i, p), (j, q)])]),
                _ => Ok(Vec::new()),
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
            // With z = x_k: adv_i(x_j, z) = 0 gives x_j = N2(z)/D2(z); adv_j(x_i, z) = 0 gives
            // x_i = N1(z)/D1(z); substitute both into adv_k(x_i, x_j) = 0, times D1 D2.
            let ci = coef(i, j, k);
            let cj = coef(j, i, k);
            let ck = coef(k, i, j);
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
                return Err(Degenerate);
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
            let mut pts = Vec::new();
            for z in roots {
                if !inside(z) {
                    continue;
                }
                let den1 = d1[0] + d1[1] * z;
                let den2 = d2[0] + d2[1] * z;
                if den1.abs() <= tol || den2.abs() <= tol {
                    // adv_i or adv_j vanishes for all x on a line through this z: not isolated.
                    let num1 = n1[0] + n1[1] * z;
                    let num2 = n2[0] + n2[1] * z;
                    if (den1.abs() <= tol && num1.abs() <= tol)
                        || (den2.abs() <= tol && num2.abs() <= tol)
                    {
                        return Err(Degenerate);
                    }
                    continue;
                }
                let xi = (n1[0] + n1[1] * z) / den1;
                let xj = (n2[0] + n2[1] * z) / den2;
                if inside(xi) && inside(xj) {
                    let x = build(&[(i, xi), (j, xj), (k, z)]);
                    // Guard against spurious roots introduced by clearing denominators.
                    let ok = [i, j, k].iter().all(|&w| {
                        let mut u = vec![0.0; g.dim_full];
                        g.expected_payoffs(&x, &mut u);
                        (u[g.offsets[w]] - u[g.offsets[w] + 1]).abs() <= 1e-8 * g.scale()
                    });
                    if ok && !pts.iter().any(|p: &Vec<f64>| dist(p, &x) < 1e-9) {
                        pts.push(x);
                    }
                }
            }
            Ok(pts)
        }
        _ => Err(Degenerate),
    }
}

/// Multi-start Newton on the equal-payoff equations of one support choice. Returns the isolated
/// solutions strictly inside the face and whether a singular (non-isolated) solution was met.
fn newton_support(g: &NumericGame, supports: &[Vec<usize>]) -> (Vec<Vec<f64>>, bool) {
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
    let mut degenerate = false;
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
            degenerate = true;
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
            let Ok(mut exact) = exact_binary(&g, &sup) else {
                continue;
            };
            let (mut newton, deg) = newton_support(&g, &sup);
            assert!(!deg);
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
}
