//! Morris elementary effects and their summaries, as SALib's `morris.analyze` (unscaled).
//!
//! For a move of factor `j` by `delta` (in unit space) within a trajectory, the elementary effect is
//! `(y(upper point) - y(lower point)) / delta`, i.e. the output change per unit of the factor's
//! whole range. Per factor over the `r` trajectories: `mu` = mean, `mu_star` = mean of absolute
//! values, `sigma` = sample standard deviation (n - 1). `mu_star_conf` is the half-width
//! `z_{(1+conf)/2} * sd` of `mu_star` over `resamples` bootstrap resamples of the trajectories.

use serde::{Deserialize, Serialize};

use crate::design::{Design, Method};
use crate::error::{Result, SaError, check_finite, invalid};
use crate::rng::SeededRng;
use crate::special::normal_quantile;

/// Options of [`morris_analyze`]; the defaults are SALib's (100 resamples, 95 %).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MorrisOptions {
    pub resamples: usize,
    pub conf_level: f64,
    pub seed: u64,
}

impl Default for MorrisOptions {
    fn default() -> Self {
        MorrisOptions {
            resamples: 100,
            conf_level: 0.95,
            seed: 0,
        }
    }
}

/// Morris screening measures, one entry per factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndices {
    pub names: Vec<String>,
    pub trajectories: usize,
    pub mu: Vec<f64>,
    pub mu_star: Vec<f64>,
    pub sigma: Vec<f64>,
    pub mu_star_conf: Vec<f64>,
    pub conf_level: f64,
    pub resamples: usize,
    /// `effects[j][t]`: elementary effect of factor `j` in trajectory `t`.
    pub effects: Vec<Vec<f64>>,
}

/// Morris measures for the outputs `y` (one per row, in design order) of a Morris design.
pub fn morris_analyze(
    design: &Design,
    y: &[f64],
    options: &MorrisOptions,
) -> Result<MorrisIndices> {
    let Method::Morris {
        trajectories,
        delta,
        ref steps,
        ..
    } = design.method
    else {
        return Err(SaError::WrongDesign {
            method: "Morris",
            got: design.method.name().into(),
        });
    };
    design.check_consistent()?;
    if y.len() != design.n_rows {
        return Err(SaError::OutputLength {
            method: "Morris analysis",
            expected: format!("{} (one per design row)", design.n_rows),
            got: y.len(),
        });
    }
    if trajectories < 2 {
        return Err(invalid(
            "trajectories",
            "at least 2 to estimate sigma and a confidence interval",
            trajectories,
        ));
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
    let d = design.n_cols();
    let mut effects = vec![vec![0.0; trajectories]; d];
    for t in 0..trajectories {
        for s in 0..d {
            let step = steps[t * d + s];
            let before = y[t * (d + 1) + s];
            let after = y[t * (d + 1) + s + 1];
            let change = if step.increase {
                after - before
            } else {
                before - after
            };
            effects[step.factor][t] = change / delta;
        }
    }
    let r = trajectories as f64;
    let mut mu = vec![0.0; d];
    let mut mu_star = vec![0.0; d];
    let mut sigma = vec![0.0; d];
    let mut mu_star_conf = vec![0.0; d];
    let z = normal_quantile(0.5 + options.conf_level / 2.0);
    let mut rng = SeededRng::new(options.seed);
    let mut boot = vec![0.0; options.resamples];
    for j in 0..d {
        let e = &effects[j];
        mu[j] = e.iter().sum::<f64>() / r;
        mu_star[j] = e.iter().map(|v| v.abs()).sum::<f64>() / r;
        sigma[j] = (e.iter().map(|v| (v - mu[j]).powi(2)).sum::<f64>() / (r - 1.0)).sqrt();
        for b in boot.iter_mut() {
            *b = (0..trajectories)
                .map(|_| e[rng.below(trajectories)].abs())
                .sum::<f64>()
                / r;
        }
        let m = boot.iter().sum::<f64>() / boot.len() as f64;
        let sd =
            (boot.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (boot.len() as f64 - 1.0)).sqrt();
        mu_star_conf[j] = z * sd;
    }
    Ok(MorrisIndices {
        names: design.factors.iter().map(|f| f.name.clone()).collect(),
        trajectories,
        mu,
        mu_star,
        sigma,
        mu_star_conf,
        conf_level: options.conf_level,
        resamples: options.resamples,
        effects,
    })
}
