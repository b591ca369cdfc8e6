//! Error type shared by designs, analyses and summaries.
//!
//! Every variant names the offending field (factor name, argument, row or output index) and says what
//! was expected, so the CLI can forward the message to the user unchanged.

use thiserror::Error;

/// Why a design, an analysis or a summary could not be computed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SaError {
    /// A design needs at least one factor.
    #[error("no factors given: a design needs at least one factor")]
    NoFactors,
    /// Two factors share a name, so results could not be told apart.
    #[error("factor name `{0}` is used twice; factor names must be unique")]
    DuplicateFactor(String),
    /// A factor's bounds or levels are unusable.
    #[error("factor `{name}`: {reason}")]
    InvalidFactor { name: String, reason: String },
    /// A numeric argument is out of its allowed range.
    #[error("`{field}` must be {expected}, got {got}")]
    InvalidArgument {
        field: &'static str,
        expected: String,
        got: String,
    },
    /// A row of an explicit list design is unusable.
    #[error("design row {row} (0-based): {reason}")]
    InvalidRow { row: usize, reason: String },
    /// The requested design has more points than can be addressed.
    #[error("design too large: {0}")]
    TooLarge(String),
    /// Model outputs do not fit the design they are analysed against.
    #[error("{method}: expected {expected} model outputs, got {got}")]
    OutputLength {
        method: &'static str,
        expected: String,
        got: usize,
    },
    /// A model output (or sample value) is NaN or infinite.
    #[error("value {index} (0-based) is {value}; only finite numbers can be analysed")]
    NonFinite { index: usize, value: f64 },
    /// The analysis was given a design made by another method.
    #[error("{method} analysis needs a {method} design, got a {got} design")]
    WrongDesign { method: &'static str, got: String },
    /// The statistic is undefined for this data (e.g. both samples constant).
    #[error("{0}")]
    Undefined(String),
}

/// Shorthand for results in this crate.
pub type Result<T> = std::result::Result<T, SaError>;

pub(crate) fn invalid(
    field: &'static str,
    expected: impl Into<String>,
    got: impl ToString,
) -> SaError {
    SaError::InvalidArgument {
        field,
        expected: expected.into(),
        got: got.to_string(),
    }
}

/// Rejects NaN/inf in model outputs, naming the first bad index.
pub(crate) fn check_finite(values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(SaError::NonFinite {
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}
