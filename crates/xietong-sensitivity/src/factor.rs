//! Named factors (model inputs) and the map from the unit interval to their values.
//!
//! All designs are generated in the unit hypercube and mapped here, so every method treats
//! continuous and discrete factors the same way.

use serde::{Deserialize, Serialize};

use crate::error::{Result, SaError};

/// What values a factor can take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Range {
    /// Any value in `[low, high]`, mapped linearly from the unit interval (as SALib's `scale_samples`).
    Continuous { low: f64, high: f64 },
    /// One of a finite list of values; the unit interval is cut into equal cells, one per level.
    Levels(Vec<f64>),
}

/// A model input varied by a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub name: String,
    pub range: Range,
}

impl Factor {
    /// A factor taking any value in `[low, high]`.
    pub fn new(name: impl Into<String>, low: f64, high: f64) -> Self {
        Factor {
            name: name.into(),
            range: Range::Continuous { low, high },
        }
    }

    /// A factor taking one of the listed values (in the given order).
    pub fn levels(name: impl Into<String>, levels: Vec<f64>) -> Self {
        Factor {
            name: name.into(),
            range: Range::Levels(levels),
        }
    }

    /// Maps `u` in `[0, 1]` to a factor value.
    ///
    /// Continuous: `u * (high - low) + low` (the same operation order as SALib, so designs agree
    /// bit for bit), clamped so rounding can never leave the bounds. Levels: cell `floor(u * k)`,
    /// with `u = 1` in the last cell.
    #[inline]
    pub fn scale(&self, u: f64) -> f64 {
        match &self.range {
            // max/min rather than clamp: no panic even on a factor that was never validated.
            Range::Continuous { low, high } => (u * (high - low) + low).max(*low).min(*high),
            Range::Levels(levels) => {
                let k = levels.len();
                if k == 0 {
                    return f64::NAN;
                }
                let i = ((u * k as f64).floor() as usize).min(k - 1);
                levels[i]
            }
        }
    }

    /// Whether `v` is a value this factor can take.
    pub fn contains(&self, v: f64) -> bool {
        match &self.range {
            Range::Continuous { low, high } => v >= *low && v <= *high,
            Range::Levels(levels) => levels.contains(&v),
        }
    }

    fn describe(&self) -> String {
        match &self.range {
            Range::Continuous { low, high } => format!("a value in [{low}, {high}]"),
            Range::Levels(levels) => format!("one of {levels:?}"),
        }
    }

    pub(crate) fn expected(&self) -> String {
        self.describe()
    }

    fn validate(&self) -> Result<()> {
        let bad = |reason: String| SaError::InvalidFactor {
            name: self.name.clone(),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(SaError::InvalidFactor {
                name: self.name.clone(),
                reason: "the name is empty".into(),
            });
        }
        match &self.range {
            Range::Continuous { low, high } => {
                if !low.is_finite() || !high.is_finite() {
                    return Err(bad(format!(
                        "bounds must be finite numbers, got low = {low}, high = {high}"
                    )));
                }
                if low > high {
                    return Err(bad(format!(
                        "inverted bounds: low = {low} is greater than high = {high}"
                    )));
                }
                if low == high {
                    return Err(bad(format!(
                        "empty range: low = high = {low}; fix the value in the base scenario instead of varying it"
                    )));
                }
            }
            Range::Levels(levels) => {
                if levels.len() < 2 {
                    return Err(bad(format!(
                        "needs at least 2 levels, got {}",
                        levels.len()
                    )));
                }
                if let Some(v) = levels.iter().find(|v| !v.is_finite()) {
                    return Err(bad(format!("level {v} is not a finite number")));
                }
                for (i, v) in levels.iter().enumerate() {
                    if levels[..i].contains(v) {
                        return Err(bad(format!("level {v} is listed twice")));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Checks a factor list: non-empty, unique names, usable ranges.
pub fn validate_factors(factors: &[Factor]) -> Result<()> {
    if factors.is_empty() {
        return Err(SaError::NoFactors);
    }
    for (i, f) in factors.iter().enumerate() {
        f.validate()?;
        if factors[..i].iter().any(|g| g.name == f.name) {
            return Err(SaError::DuplicateFactor(f.name.clone()));
        }
    }
    Ok(())
}
