//! Dormand-Prince 5(4) with adaptive, error-controlled steps (the method of MATLAB's ode45 and
//! scipy's RK45), specialised to the replicator field. Hand-written because the systems have 2-12
//! dimensions and a general ODE crate would cost more build time than these 150 lines.
//!
//! States stay on the product of simplices: after every accepted step tiny negative shares are
//! clipped and each population renormalised (the exact flow preserves the simplex; this removes
//! round-off drift). Requested output times are hit exactly by shortening the step.

use crate::dynamics::NumericGame;

#[derive(Clone, Copy, Debug)]
pub struct OdeOptions {
    pub rtol: f64,
    pub atol: f64,
    pub max_steps: usize,
}

impl Default for OdeOptions {
    fn default() -> Self {
        OdeOptions {
            rtol: 1e-8,
            atol: 1e-10,
            max_steps: 1_000_000,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Trajectory {
    pub t: Vec<f64>,
    /// Full states at `t` (population order, strategy order).
    pub x: Vec<Vec<f64>>,
    pub accepted: usize,
    pub rejected: usize,
    pub evaluations: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdeError {
    #[error("integration stopped at t = {t}: more than {max} steps")]
    TooManySteps { t: f64, max: usize },
    #[error("integration stopped at t = {t}: step size underflow")]
    StepUnderflow { t: f64 },
    #[error("output times must be finite, non-negative and increasing")]
    BadTimes,
}

/// Butcher tableau (the system is autonomous, so the nodes c are not needed).
const A: [[f64; 6]; 7] = [
    [0.0; 6],
    [1.0 / 5.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
    [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
    [
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
        0.0,
        0.0,
    ],
    [
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
        0.0,
    ],
    [
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// Fifth-order weights minus embedded fourth-order weights.
const E: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

/// Integrate from `x0` at t = 0, returning the state at each requested time in `t_out`
/// (ascending; a leading 0 returns the start itself).
pub fn integrate(
    g: &NumericGame,
    x0: &[f64],
    t_out: &[f64],
    opts: &OdeOptions,
) -> Result<Trajectory, OdeError> {
    if t_out.iter().any(|t| !t.is_finite() || *t < 0.0) || t_out.windows(2).any(|w| w[1] < w[0]) {
        return Err(OdeError::BadTimes);
    }
    let n = x0.len();
    let mut y = x0.to_vec();
    g.project(&mut y);
    let mut scratch = vec![0.0; n];
    let mut k: [Vec<f64>; 7] = std::array::from_fn(|_| vec![0.0; n]);
    let mut tmp = vec![0.0; n];
    let mut y_new = vec![0.0; n];
    let mut traj = Trajectory::default();
    g.field(&y, &mut scratch, &mut k[0]);
    traj.evaluations += 1;

    let mut t = 0.0;
    let t_end = t_out.last().copied().unwrap_or(0.0);
    let mut next_out = 0;
    while next_out < t_out.len() && t_out[next_out] <= 0.0 {
        traj.t.push(t_out[next_out]);
        traj.x.push(y.clone());
        next_out += 1;
    }
    if next_out == t_out.len() {
        return Ok(traj);
    }

    let mut h = initial_step(g, &y, &k[0], t_end, opts, &mut scratch, &mut tmp);
    traj.evaluations += 1;
    let mut steps = 0;
    while next_out < t_out.len() {
        if steps >= opts.max_steps {
            return Err(OdeError::TooManySteps {
                t,
                max: opts.max_steps,
            });
        }
        steps += 1;
        let target = t_out[next_out];
        let mut hit = false;
        let mut h_try = h;
        if t + h_try >= target * (1.0 - 1e-14) - 1e-300 {
            h_try = target - t;
            hit = true;
        }
        if h_try <= 1e-14 * t.abs().max(1.0) && !hit {
            return Err(OdeError::StepUnderflow { t });
        }
        // Stages 2..7.
        for s in 1..7 {
            for i in 0..n {
                let mut acc = 0.0;
                for (j, kj) in k.iter().enumerate().take(s) {
                    acc += A[s][j] * kj[i];
                }
                tmp[i] = y[i] + h_try * acc;
            }
            if s == 6 {
                y_new.copy_from_slice(&tmp);
            }
            g.field(&tmp, &mut scratch, &mut k[s]);
        }
        traj.evaluations += 6;
        // Error estimate (RMS norm, scipy's scaling).
        let mut err = 0.0;
        for i in 0..n {
            let mut e = 0.0;
            for (s, ks) in k.iter().enumerate() {
                e += E[s] * ks[i];
            }
            let sc = opts.atol + opts.rtol * y[i].abs().max(y_new[i].abs());
            let r = h_try * e / sc;
            err += r * r;
        }
        let err = (err / n as f64).sqrt();
        if err <= 1.0 {
            t = if hit { target } else { t + h_try };
            std::mem::swap(&mut y, &mut y_new);
            let before = y.clone();
            g.project(&mut y);
            if before.iter().zip(&y).any(|(a, b)| (a - b).abs() > 1e-15) {
                g.field(&y, &mut scratch, &mut k[6]);
                traj.evaluations += 1;
            }
            // FSAL: the last stage is the derivative at the new point.
            k.swap(0, 6);
            traj.accepted += 1;
            let factor = if err == 0.0 {
                10.0
            } else {
                (0.9 * err.powf(-0.2)).clamp(0.2, 10.0)
            };
            if !hit || h_try >= h {
                h = h_try * factor;
            }
            while next_out < t_out.len() && t_out[next_out] <= t {
                traj.t.push(t_out[next_out]);
                traj.x.push(y.clone());
                next_out += 1;
            }
        } else {
            traj.rejected += 1;
            h = h_try * (0.9 * err.powf(-0.2)).max(0.2);
        }
    }
    Ok(traj)
}

/// Starting step as in Hairer, Nørsett & Wanner (II.4), the rule scipy also uses.
fn initial_step(
    g: &NumericGame,
    y: &[f64],
    f0: &[f64],
    t_end: f64,
    opts: &OdeOptions,
    scratch: &mut [f64],
    tmp: &mut [f64],
) -> f64 {
    let n = y.len();
    let sc: Vec<f64> = y.iter().map(|v| opts.atol + opts.rtol * v.abs()).collect();
    let rms =
        |v: &dyn Fn(usize) -> f64| ((0..n).map(|i| v(i).powi(2)).sum::<f64>() / n as f64).sqrt();
    let d0 = rms(&|i| y[i] / sc[i]);
    let d1 = rms(&|i| f0[i] / sc[i]);
    let h0 = if d0 < 1e-5 || d1 < 1e-5 {
        1e-6
    } else {
        0.01 * d0 / d1
    };
    let y1: Vec<f64> = (0..n).map(|i| y[i] + h0 * f0[i]).collect();
    g.field(&y1, scratch, tmp);
    let d2 = rms(&|i| (tmp[i] - f0[i]) / sc[i]) / h0;
    let h1 = if d1 <= 1e-15 && d2 <= 1e-15 {
        (h0 * 1e-3).max(1e-6)
    } else {
        (0.01 / d1.max(d2)).powf(0.2)
    };
    (100.0 * h0).min(h1).min(t_end.max(1e-12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_solution_of_a_dominance_game() {
        // Strategy 1 earns 1 more than strategy 2 whatever the other does: x' = x(1-x), so
        // x(t) = 1 / (1 + (1/x0 - 1) e^{-t}).
        let pay = vec![1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let g = NumericGame::new(vec![2, 2], pay);
        let times: Vec<f64> = (0..=10).map(|k| k as f64).collect();
        let tr = integrate(&g, &[0.1, 0.9, 0.5, 0.5], &times, &OdeOptions::default()).unwrap();
        assert_eq!(tr.t, times);
        for (t, x) in tr.t.iter().zip(&tr.x) {
            let exact = 1.0 / (1.0 + 9.0 * (-t).exp());
            assert!((x[0] - exact).abs() < 1e-8, "t={t}: {} vs {exact}", x[0]);
            assert!((x[0] + x[1] - 1.0).abs() < 1e-14);
            assert_eq!(x[2], 0.5);
        }
    }
}
