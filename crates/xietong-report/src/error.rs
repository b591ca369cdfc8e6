//! Error type shared by all charts and reports.

/// Why a chart or report could not be produced. Messages name the chart and the field.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Nothing drawable was given (no series, no categories, only NaN values, ...).
    #[error("{chart}: nothing to draw: {what}")]
    Empty { chart: &'static str, what: String },
    /// Two fields that must have the same length do not.
    #[error("{chart}: `{field}` has {got} entries but {expected} were expected ({reason})")]
    LengthMismatch {
        chart: &'static str,
        field: String,
        expected: usize,
        got: usize,
        reason: String,
    },
    /// A value is outside what the chart can show (negative share, inverted range, ...).
    #[error("{chart}: invalid `{field}`: {reason}")]
    InvalidValue {
        chart: &'static str,
        field: String,
        reason: String,
    },
    /// Requested image size is too small for a readable layout or too large to allocate.
    #[error(
        "{chart}: image size {width}x{height} px is not supported (allowed {min}..={max} px per side)"
    )]
    BadSize {
        chart: &'static str,
        width: u32,
        height: u32,
        min: u32,
        max: u32,
    },
    /// The rasteriser or PNG encoder failed.
    #[error("drawing failed: {0}")]
    Drawing(String),
}

impl ReportError {
    pub(crate) fn empty(chart: &'static str, what: impl Into<String>) -> Self {
        ReportError::Empty {
            chart,
            what: what.into(),
        }
    }
    pub(crate) fn mismatch(
        chart: &'static str,
        field: impl Into<String>,
        expected: usize,
        got: usize,
        reason: impl Into<String>,
    ) -> Self {
        ReportError::LengthMismatch {
            chart,
            field: field.into(),
            expected,
            got,
            reason: reason.into(),
        }
    }
    pub(crate) fn invalid(
        chart: &'static str,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        ReportError::InvalidValue {
            chart,
            field: field.into(),
            reason: reason.into(),
        }
    }
}
