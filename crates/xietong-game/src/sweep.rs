//! One-parameter sweeps: how the set of stable rest points and the trajectory from a start change
//! as a parameter moves over a range (the sensitivity figures of this literature).

use crate::ode::{OdeOptions, Trajectory, integrate};
use crate::rest::{Analysis, analyze};
use crate::spec::{Game, GameError};

/// Parse `A:B:N` into N evenly spaced values from A to B inclusive.
pub fn parse_range(s: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 3 {
        return Err(format!("range `{s}`: expected A:B:N, e.g. 0:10:21"));
    }
    let a: f64 = parts[0]
        .trim()
        .parse()
        .map_err(|_| format!("range `{s}`: start `{}` is not a number", parts[0]))?;
    let b: f64 = parts[1]
        .trim()
        .parse()
        .map_err(|_| format!("range `{s}`: end `{}` is not a number", parts[1]))?;
    let n: usize = parts[2]
        .trim()
        .parse()
        .map_err(|_| format!("range `{s}`: count `{}` is not a whole number", parts[2]))?;
    if !a.is_finite() || !b.is_finite() {
        return Err(format!("range `{s}`: bounds must be finite"));
    }
    if n == 0 || n > 100_000 {
        return Err(format!("range `{s}`: count must be between 1 and 100000"));
    }
    if n == 1 {
        return Ok(vec![a]);
    }
    Ok((0..n)
        .map(|k| a + (b - a) * k as f64 / (n - 1) as f64)
        .collect())
}

/// Result at one parameter value.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    pub value: f64,
    pub analysis: Analysis,
    pub trajectory: Trajectory,
}

/// Analyse the game and integrate from `start` for every value of `param`.
pub fn sweep(
    game: &Game,
    overrides: &[(String, f64)],
    param: &str,
    values: &[f64],
    start: &[f64],
    times: &[f64],
    opts: &OdeOptions,
) -> Result<Vec<SweepPoint>, SweepError> {
    let mut out = Vec::with_capacity(values.len());
    for &v in values {
        let mut ov: Vec<(String, f64)> = overrides
            .iter()
            .filter(|(k, _)| k != param)
            .cloned()
            .collect();
        ov.push((param.to_string(), v));
        let vals = game.parameter_values(&ov).map_err(SweepError::Input)?;
        let ng = game.numeric(&vals).map_err(SweepError::Game)?;
        let analysis = analyze(&ng);
        let trajectory = integrate(&ng, start, times, opts)
            .map_err(|e| SweepError::Input(format!("{param} = {v}: {e}")))?;
        out.push(SweepPoint {
            value: v,
            analysis,
            trajectory,
        });
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    Game(GameError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("0:1:3").unwrap(), vec![0.0, 0.5, 1.0]);
        assert!(parse_range("0:1").is_err());
        assert!(parse_range("a:1:3").is_err());
        assert!(parse_range("0:1:0").is_err());
    }
}
