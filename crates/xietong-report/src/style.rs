//! Options the original chart structs lack, added without changing those structs (callers
//! build them with struct literals): a chart is wrapped as [`Styled`] with a [`Style`].
//!
//! ```
//! use xietong_report::*;
//! let means = BarChart {
//!     categories: vec!["A".into(), "B".into()],
//!     groups: vec![BarGroup { values: vec![3.2, 4.1], ..Default::default() }],
//!     ..Default::default()
//! }
//! .with_value_range(1.0, 5.0); // a 1-5 Likert scale: bars start at 1, not 0
//! assert!(means.to_svg()?.contains(">5</text>"));
//! # Ok::<(), ReportError>(())
//! ```

use crate::{BarChart, LineChart, ReportError};

/// A shaded stretch of a line chart's x axis, such as the window in which a survey was
/// fielded: drawn in light grey under the grid and the lines, its label written at the top
/// of the plot. `from`/`to` are in data units (either order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XBand {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// Extra layout options; fields a chart type does not use are an error, not silently ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Style {
    /// Bar charts: fixed value axis `(lo, hi)`, e.g. `(1.0, 5.0)` for means on a 1-5 scale.
    /// Bars grow from 0 when 0 is inside the range, otherwise from the end nearer to 0.
    pub value_range: Option<(f64, f64)>,
    /// Line charts: indices of series to draw strongly (solid, thick, on top), such as the one
    /// starting point that reaches cooperation; the others are drawn thinner and lighter.
    pub highlight: Vec<usize>,
    /// Line charts: shaded x ranges (see [`XBand`]).
    pub x_bands: Vec<XBand>,
}

/// A chart together with a [`Style`]; implements [`crate::Chart`] like the chart itself.
#[derive(Clone, Debug)]
pub struct Styled<C> {
    pub chart: C,
    pub style: Style,
}

impl BarChart {
    /// This chart with a fixed value axis from `lo` to `hi` (see [`Style::value_range`]).
    pub fn with_value_range(self, lo: f64, hi: f64) -> Styled<BarChart> {
        Styled {
            chart: self,
            style: Style {
                value_range: Some((lo, hi)),
                ..Style::default()
            },
        }
    }
}

impl LineChart {
    /// This chart with series `indices` drawn strongly (see [`Style::highlight`]).
    pub fn with_highlight(self, indices: Vec<usize>) -> Styled<LineChart> {
        Styled {
            chart: self,
            style: Style {
                highlight: indices,
                ..Style::default()
            },
        }
    }
}

impl LineChart {
    /// This chart with the x ranges `bands` shaded (see [`XBand`]).
    pub fn with_x_bands(self, bands: Vec<XBand>) -> Styled<LineChart> {
        Styled {
            chart: self,
            style: Style {
                x_bands: bands,
                ..Style::default()
            },
        }
    }
}

impl Styled<LineChart> {
    /// The same styled chart with the x ranges `bands` shaded as well.
    pub fn with_x_bands(mut self, bands: Vec<XBand>) -> Styled<LineChart> {
        self.style.x_bands = bands;
        self
    }

    /// The same styled chart with series `indices` highlighted as well.
    pub fn with_highlight(mut self, indices: Vec<usize>) -> Styled<LineChart> {
        self.style.highlight = indices;
        self
    }
}

impl Style {
    pub(crate) fn check_value_range(&self, chart: &'static str) -> Result<(), ReportError> {
        if let Some((lo, hi)) = self.value_range
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return Err(ReportError::invalid(
                chart,
                "style.value_range",
                format!("need finite lo < hi, got ({lo}, {hi})"),
            ));
        }
        Ok(())
    }

    pub(crate) fn only(
        &self,
        chart: &'static str,
        value_range: bool,
        highlight: bool,
    ) -> Result<(), ReportError> {
        if !value_range && self.value_range.is_some() {
            return Err(ReportError::invalid(
                chart,
                "style.value_range",
                "applies to bar charts only",
            ));
        }
        if !highlight && !self.x_bands.is_empty() {
            return Err(ReportError::invalid(
                chart,
                "style.x_bands",
                "applies to line charts only",
            ));
        }
        if !highlight && !self.highlight.is_empty() {
            return Err(ReportError::invalid(
                chart,
                "style.highlight",
                "applies to line charts only",
            ));
        }
        Ok(())
    }
}
