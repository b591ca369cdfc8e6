//! Multi-population replicator dynamics on the product of simplices, for a game whose payoffs
//! have been evaluated to numbers.
//!
//! State layout: the "full" state concatenates every population's mixed strategy (population
//! order, strategy order). The "reduced" coordinates drop each population's last strategy
//! (x_last = 1 − Σ others), giving dimension Σ(nᵢ − 1); Jacobians are taken there.
//!
//! The Jacobian is analytic and exact: expected payoffs are multilinear in the other populations'
//! shares, so every partial derivative is itself an expected payoff with one population held at a
//! pure strategy (no finite differences).

use nalgebra::DMatrix;

/// A game with numeric payoffs. `payoff[profile * n_pop + i]` is population i's payoff.
#[derive(Clone, Debug)]
pub struct NumericGame {
    pub shape: Vec<usize>,
    pub offsets: Vec<usize>,
    pub dim_full: usize,
    pub payoff: Vec<f64>,
    /// Strategy of each population in each profile (first population most significant).
    pub profiles: Vec<Vec<usize>>,
}

impl NumericGame {
    pub fn new(shape: Vec<usize>, payoff: Vec<f64>) -> NumericGame {
        let mut offsets = Vec::with_capacity(shape.len());
        let mut acc = 0;
        for &n in &shape {
            offsets.push(acc);
            acc += n;
        }
        let n_prof: usize = shape.iter().product();
        assert_eq!(payoff.len(), n_prof * shape.len(), "payoff table size");
        let profiles = (0..n_prof)
            .map(|mut idx| {
                let mut p = vec![0; shape.len()];
                for i in (0..shape.len()).rev() {
                    p[i] = idx % shape[i];
                    idx /= shape[i];
                }
                p
            })
            .collect();
        NumericGame {
            shape,
            offsets,
            dim_full: acc,
            payoff,
            profiles,
        }
    }

    pub fn n_pop(&self) -> usize {
        self.shape.len()
    }

    pub fn dim_reduced(&self) -> usize {
        self.shape.iter().map(|n| n - 1).sum()
    }

    pub fn profile_index(&self, strategies: &[usize]) -> usize {
        strategies
            .iter()
            .zip(&self.shape)
            .fold(0, |acc, (s, n)| acc * n + s)
    }

    pub fn payoff_at(&self, profile: usize, pop: usize) -> f64 {
        self.payoff[profile * self.n_pop() + pop]
    }

    /// Largest absolute payoff (at least 1): the scale for zero tests.
    pub fn scale(&self) -> f64 {
        self.payoff.iter().fold(1.0f64, |a, v| a.max(v.abs()))
    }

    /// Expected payoff of every (population, strategy) against the others' mixed strategies.
    pub fn expected_payoffs(&self, x: &[f64], u: &mut [f64]) {
        u.iter_mut().for_each(|v| *v = 0.0);
        let np = self.n_pop();
        for (k, prof) in self.profiles.iter().enumerate() {
            for i in 0..np {
                let mut w = 1.0;
                for j in 0..np {
                    if j != i {
                        w *= x[self.offsets[j] + prof[j]];
                    }
                }
                if w != 0.0 {
                    u[self.offsets[i] + prof[i]] += w * self.payoff[k * np + i];
                }
            }
        }
    }

    /// Replicator field in full coordinates; `u` is scratch of length `dim_full`.
    pub fn field(&self, x: &[f64], u: &mut [f64], out: &mut [f64]) {
        self.expected_payoffs(x, u);
        for (i, &n) in self.shape.iter().enumerate() {
            let o = self.offsets[i];
            let mean: f64 = (0..n).map(|s| x[o + s] * u[o + s]).sum();
            for s in 0..n {
                out[o + s] = x[o + s] * (u[o + s] - mean);
            }
        }
    }

    /// Expected payoff of population `i` playing `s` when population `j` plays `l` and the rest
    /// play their mixed strategies in `x`: the partial derivative of u_{i,s} in x_{j,l}.
    pub fn conditional_payoff(&self, x: &[f64], i: usize, s: usize, j: usize, l: usize) -> f64 {
        let np = self.n_pop();
        let mut total = 0.0;
        for (k, prof) in self.profiles.iter().enumerate() {
            if prof[i] != s || prof[j] != l {
                continue;
            }
            let mut w = 1.0;
            for m in 0..np {
                if m != i && m != j {
                    w *= x[self.offsets[m] + prof[m]];
                }
            }
            total += w * self.payoff[k * np + i];
        }
        total
    }

    /// All conditional payoffs at once: entry `(offsets[i] + s) * dim_full + offsets[j] + l` is
    /// [`Self::conditional_payoff`]`(x, i, s, j, l)` for i ≠ j (zero for i = j). One pass over
    /// the profiles instead of one per entry.
    pub fn conditional_payoffs(&self, x: &[f64]) -> Vec<f64> {
        let np = self.n_pop();
        let d = self.dim_full;
        let mut out = vec![0.0; d * d];
        for (k, prof) in self.profiles.iter().enumerate() {
            for i in 0..np {
                let pay = self.payoff[k * np + i];
                if pay == 0.0 {
                    continue;
                }
                for j in 0..np {
                    if j == i {
                        continue;
                    }
                    let mut w = 1.0;
                    for m in 0..np {
                        if m != i && m != j {
                            w *= x[self.offsets[m] + prof[m]];
                        }
                    }
                    out[(self.offsets[i] + prof[i]) * d + self.offsets[j] + prof[j]] += w * pay;
                }
            }
        }
        out
    }

    /// Jacobian of the replicator field in reduced coordinates at full state `x`.
    pub fn jacobian_reduced(&self, x: &[f64]) -> DMatrix<f64> {
        let d = self.dim_reduced();
        let mut u = vec![0.0; self.dim_full];
        self.expected_payoffs(x, &mut u);
        let cp = self.conditional_payoffs(x);
        let np = self.n_pop();
        let means: Vec<f64> = (0..np)
            .map(|i| {
                (0..self.shape[i])
                    .map(|s| x[self.offsets[i] + s] * u[self.offsets[i] + s])
                    .sum()
            })
            .collect();
        // Full-coordinate partials d f_{i,k} / d x_{j,l}, then chain rule for x_{j,last} = 1 - Σ.
        let full_partial = |i: usize, k: usize, j: usize, l: usize| -> f64 {
            let xi = x[self.offsets[i] + k];
            if i == j {
                let diag = if k == l {
                    u[self.offsets[i] + k] - means[i]
                } else {
                    0.0
                };
                diag - xi * u[self.offsets[i] + l]
            } else {
                if xi == 0.0 {
                    return 0.0;
                }
                let dd = self.dim_full;
                let col = self.offsets[j] + l;
                let own = cp[(self.offsets[i] + k) * dd + col];
                let avg: f64 = (0..self.shape[i])
                    .map(|s| x[self.offsets[i] + s] * cp[(self.offsets[i] + s) * dd + col])
                    .sum();
                xi * (own - avg)
            }
        };
        let mut jac = DMatrix::zeros(d, d);
        let mut row = 0;
        for i in 0..np {
            for k in 0..self.shape[i] - 1 {
                let mut col = 0;
                for j in 0..np {
                    let last = self.shape[j] - 1;
                    let d_last = full_partial(i, k, j, last);
                    for l in 0..last {
                        jac[(row, col)] = full_partial(i, k, j, l) - d_last;
                        col += 1;
                    }
                }
                row += 1;
            }
        }
        jac
    }

    /// Split a full state into per-population vectors.
    pub fn split(&self, x: &[f64]) -> Vec<Vec<f64>> {
        self.shape
            .iter()
            .zip(&self.offsets)
            .map(|(&n, &o)| x[o..o + n].to_vec())
            .collect()
    }

    /// Full state of a pure profile.
    pub fn vertex(&self, strategies: &[usize]) -> Vec<f64> {
        let mut x = vec![0.0; self.dim_full];
        for (i, &s) in strategies.iter().enumerate() {
            x[self.offsets[i] + s] = 1.0;
        }
        x
    }

    /// Clip tiny negatives and renormalise each population: keeps numerical states on the simplex.
    pub fn project(&self, x: &mut [f64]) {
        for (&n, &o) in self.shape.iter().zip(&self.offsets) {
            let seg = &mut x[o..o + n];
            let mut sum = 0.0;
            for v in seg.iter_mut() {
                if *v < 0.0 {
                    *v = 0.0;
                }
                sum += *v;
            }
            if sum > 0.0 {
                for v in seg.iter_mut() {
                    *v /= sum;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central finite differences of the reduced field: an independent check of the analytic form.
    fn fd_jacobian(g: &NumericGame, x: &[f64]) -> DMatrix<f64> {
        let d = g.dim_reduced();
        let reduced_field = |y: &[f64]| -> Vec<f64> {
            let mut full = vec![0.0; g.dim_full];
            let mut c = 0;
            for (i, &n) in g.shape.iter().enumerate() {
                let mut s = 0.0;
                for k in 0..n - 1 {
                    full[g.offsets[i] + k] = y[c];
                    s += y[c];
                    c += 1;
                }
                full[g.offsets[i] + n - 1] = 1.0 - s;
            }
            let mut u = vec![0.0; g.dim_full];
            let mut f = vec![0.0; g.dim_full];
            g.field(&full, &mut u, &mut f);
            let mut out = Vec::new();
            for (i, &n) in g.shape.iter().enumerate() {
                for k in 0..n - 1 {
                    out.push(f[g.offsets[i] + k]);
                }
            }
            out
        };
        let mut y = Vec::new();
        for (i, &n) in g.shape.iter().enumerate() {
            for k in 0..n - 1 {
                y.push(x[g.offsets[i] + k]);
            }
        }
        let h = 1e-6;
        let mut jac = DMatrix::zeros(d, d);
        for c in 0..d {
            let mut yp = y.clone();
            let mut ym = y.clone();
            yp[c] += h;
            ym[c] -= h;
            let fp = reduced_field(&yp);
            let fm = reduced_field(&ym);
            for r in 0..d {
                jac[(r, c)] = (fp[r] - fm[r]) / (2.0 * h);
            }
        }
        jac
    }

    #[test]
    fn analytic_jacobian_matches_finite_differences() {
        // 3 x 2 x 3 game with arbitrary payoffs.
        let shape = vec![3, 2, 3];
        let n: usize = 18 * 3;
        let payoff: Vec<f64> = (0..n)
            .map(|k| ((k * 37 % 11) as f64) - 4.5 + 0.1 * k as f64)
            .collect();
        let g = NumericGame::new(shape, payoff);
        let x = vec![0.2, 0.5, 0.3, 0.6, 0.4, 0.1, 0.1, 0.8];
        let a = g.jacobian_reduced(&x);
        let b = fd_jacobian(&g, &x);
        for (p, q) in a.iter().zip(b.iter()) {
            assert!((p - q).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn field_is_tangent_to_the_simplex() {
        let g = NumericGame::new(vec![2, 3], (0..12).map(|k| k as f64 * 0.7 - 3.0).collect());
        let x = vec![0.3, 0.7, 0.2, 0.2, 0.6];
        let mut u = vec![0.0; 5];
        let mut f = vec![0.0; 5];
        g.field(&x, &mut u, &mut f);
        assert!((f[0] + f[1]).abs() < 1e-14);
        assert!((f[2] + f[3] + f[4]).abs() < 1e-14);
    }
}
