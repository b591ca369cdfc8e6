//! The experiment file (TOML) as written by a user, and its parsing with located errors.
//! Format reference: `docs/experiments.md`.

use serde::{Deserialize, Serialize};
use xietong_sensitivity::DesignSpec;

use crate::error::{ExpError, Problem};

/// Most replications per design point: the rows of a point's runs are held in memory until the
/// point is written, for a window of points at a time. Checked before anything runs.
pub const MAX_REPLICATIONS: usize = 10_000;

/// An experiment file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Experiment seed: every run's random streams derive from it, the point and the replication.
    #[serde(default = "one")]
    pub seed: u64,
    /// Runs per design point.
    #[serde(default = "one_usize")]
    pub replications: usize,
    /// `independent` (default): each point gets its own seed; `common`: every point uses the same
    /// streams for replication r (common random numbers, less noise in differences between points).
    #[serde(default)]
    pub seeds: Seeding,
    #[serde(default)]
    pub base: Base,
    /// Scenario paths the design varies, in design-column order.
    #[serde(default, rename = "factor")]
    pub factors: Vec<FactorSpec>,
    pub design: DesignSpec,
    #[serde(default)]
    pub output: OutputSpec,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seeding {
    #[default]
    Independent,
    Common,
}

/// The scenario every point starts from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    /// `"builtin"` or a scenario file, relative to the experiment file.
    #[serde(default = "builtin")]
    pub scenario: String,
    /// Fixed `PATH=VALUE` overrides applied before the design's values.
    #[serde(default)]
    pub set: Vec<String>,
}

impl Default for Base {
    fn default() -> Self {
        Base {
            scenario: builtin(),
            set: Vec::new(),
        }
    }
}

/// One varied scenario path: a continuous range, numeric levels, or named values (enums such as
/// `levers.sequencing`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorSpec {
    pub path: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub levels: Option<Vec<f64>>,
    pub values: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Per-run metrics, by name (see `metrics::catalogue`); empty means the default set.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// Per-period indicators to keep as time series (`timeseries.csv`), by name; none by default.
    #[serde(default)]
    pub timeseries: Vec<String>,
}

fn one() -> u64 {
    1
}
fn one_usize() -> usize {
    1
}
fn builtin() -> String {
    "builtin".into()
}

impl ExperimentSpec {
    /// Parse an experiment file; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<ExperimentSpec, ExpError> {
        let spec: ExperimentSpec = toml::from_str(text).map_err(|e| {
            ExpError::file(
                file,
                vec![Problem {
                    line_col: e
                        .span()
                        .map(|s| xietong_model::load::line_col(text, s.start)),
                    path: String::new(),
                    message: xietong_model::load::shorten_quoted(e.message().trim()),
                }],
            )
        })?;
        let mut problems = Vec::new();
        let mut at = |path: String, message: String| {
            problems.push(Problem {
                line_col: xietong_model::load::locate(text, &path),
                path,
                message,
            })
        };
        if spec.replications == 0 {
            at(
                "replications".into(),
                "expected at least 1 replication".into(),
            );
        } else if spec.replications > MAX_REPLICATIONS {
            at(
                "replications".into(),
                format!(
                    "{} replications: at most {MAX_REPLICATIONS} per point (a point's runs are held in memory until it is written); use more design points or several experiments with different seeds",
                    spec.replications
                ),
            );
        }
        if spec.factors.is_empty() {
            at(
                "factor".into(),
                "no [[factor]] given: name at least one scenario path to vary".into(),
            );
        }
        for (i, f) in spec.factors.iter().enumerate() {
            let here = format!("factor[{i}]");
            if f.path.trim().is_empty() || f.path.contains('=') {
                at(
                    format!("{here}.path"),
                    "expected a dotted scenario path such as behaviour.local_centric".into(),
                );
            }
            let forms = [
                f.low.is_some() || f.high.is_some(),
                f.levels.is_some(),
                f.values.is_some(),
            ];
            match forms.iter().filter(|x| **x).count() {
                1 => {}
                0 => at(
                    here.clone(),
                    format!(
                        "factor {}: give low and high, or levels = [numbers], or values = [names]",
                        f.path
                    ),
                ),
                _ => at(
                    here.clone(),
                    format!(
                        "factor {}: give only one of low/high, levels, values",
                        f.path
                    ),
                ),
            }
            if forms[0] {
                match (f.low, f.high) {
                    (Some(lo), Some(hi)) if lo > hi => at(
                        format!("{here}.low"),
                        format!("inverted range: low = {lo} is greater than high = {hi}"),
                    ),
                    (Some(lo), Some(hi)) if lo == hi => at(
                        format!("{here}.low"),
                        format!(
                            "empty range: low = high = {lo}; set the value in [base] set instead"
                        ),
                    ),
                    (Some(_), Some(_)) => {}
                    _ => at(here.clone(), "needs both low and high".into()),
                }
            }
            if let Some(v) = &f.values {
                if v.len() < 2 {
                    at(format!("{here}.values"), "needs at least 2 values".into());
                }
                for (k, name) in v.iter().enumerate() {
                    if v[..k].contains(name) {
                        at(
                            format!("{here}.values"),
                            format!("value \"{name}\" is listed twice"),
                        );
                    }
                }
            }
            if spec.factors[..i].iter().any(|g| g.path == f.path) {
                at(
                    format!("{here}.path"),
                    format!("{} is varied twice", f.path),
                );
            }
        }
        if problems.is_empty() {
            Ok(spec)
        } else {
            Err(ExpError::file(file, problems))
        }
    }
}
