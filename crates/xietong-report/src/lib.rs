//! Charts (SVG and PNG) and self-contained HTML reports with Chinese or English labels.
//!
//! Every chart is laid out once into a small scene of primitives (module `scene`) and then written
//! either as hand-made SVG (text stays text, with a CJK font fallback list) or rasterised to PNG
//! with `tiny-skia` and the vendored WenQuanYi Micro Hei font. The crate does no I/O: callers get
//! strings and bytes and decide where to write them. See `docs/reports.md`.
//!
//! ```
//! use xietong_report::*;
//!
//! let chart = LineChart {
//!     title: "合作率".into(),
//!     x_label: "时期".into(),
//!     y_label: "合作率".into(),
//!     series: vec![Series {
//!         name: "成都".into(),
//!         x: vec![0.0, 1.0, 2.0],
//!         y: vec![0.2, f64::NAN, 0.4], // NaN leaves a gap
//!         ..Default::default()
//!     }],
//!     y_range: Some((0.0, 1.0)),
//!     ..Default::default() // 800 x 450
//! };
//! let svg = chart.to_svg()?;
//! assert!(svg.contains(">合作率</text>"));
//! let png = chart.to_png()?;
//! assert!(png.starts_with(b"\x89PNG"));
//!
//! let html = HtmlReport {
//!     title: "报告".into(),
//!     lang: Lang::Zh,
//!     sections: vec![Section { heading: "结果".into(), blocks: vec![Block::Svg(svg)] }],
//!     ..Default::default()
//! }
//! .render();
//! assert!(html.contains("<html lang=\"zh-CN\">"));
//!
//! // bad input is an error, not a panic
//! let bad = LineChart { series: vec![Series { x: vec![0.0, 1.0], y: vec![1.0], ..Default::default() }], ..Default::default() };
//! assert!(matches!(bad.to_svg(), Err(ReportError::LengthMismatch { .. })));
//! # Ok::<(), ReportError>(())
//! ```

mod axis;
mod charts;
mod error;
mod export;
mod font;
mod html;
mod latex;
#[cfg(feature = "office")]
mod office;
mod palette;
#[cfg(feature = "pdf")]
mod pdf;
mod raster;
mod scene;
mod style;
mod svg;
mod table;

pub use charts::bar::{BarChart, BarGroup};
pub use charts::diverging::DivergingBarChart;
pub use charts::line::{LineChart, Series};
pub use charts::phase::{Marker, PhasePortrait};
pub use charts::ribbon::StageRibbon;
pub use error::ReportError;
pub use export::{Drawing, FigureFormat, FigureSize, MM_PER_PX, export_figure};
pub use html::{Block, HtmlReport, Section};
#[cfg(feature = "office")]
pub use office::{
    WordDocument, WordPart, XLSX_DEFAULT_CREATED, document_timestamp, tables_to_xlsx,
    tables_to_xlsx_at,
};
pub use style::{Style, Styled, XBand};
pub use table::{Table, format_p};

/// CSS/SVG `font-family` list used for all text: the vendored font first, then the CJK fonts
/// most readers already have, so a browser without WenQuanYi still shows Chinese.
pub const FONT_FAMILY: &str =
    "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";

/// Default chart size in pixels when `width`/`height` are 0.
pub const DEFAULT_WIDTH: u32 = 800;
/// Default chart height in pixels when `height` is 0.
pub const DEFAULT_HEIGHT: u32 = 450;

/// Language of generated labels and of the HTML report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Parses `"en"` or `"zh"` (case-insensitive; regional forms such as `zh-CN`, `en-GB` too).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// Chooses between an English and a Chinese string.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// BCP 47 tag for `<html lang>`.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// Something that can be drawn as SVG text or PNG bytes.
pub trait Chart {
    /// Standalone SVG document; text is kept as `<text>` elements.
    fn to_svg(&self) -> Result<String, ReportError>;
    /// PNG image of exactly the chart's width x height pixels.
    fn to_png(&self) -> Result<Vec<u8>, ReportError>;
    /// PNG of the same layout magnified `scale` times (0.25..=8), text included: `2.0` or
    /// `3.0` give print-quality figures (192 or 288 dpi at the on-screen size).
    ///
    /// The default only supports `scale == 1`; the crate's charts support every scale.
    fn to_png_scaled(&self, scale: f32) -> Result<Vec<u8>, ReportError> {
        if scale == 1.0 {
            self.to_png()
        } else {
            Err(ReportError::InvalidValue {
                chart: "chart",
                field: "scale".into(),
                reason: "this chart type renders PNG at scale 1 only".into(),
            })
        }
    }
    /// Lays the chart out at `width` x `height` layout px (0 = the chart's own choice, which
    /// grows with the content), for export at a physical size: see [`export_figure`].
    ///
    /// The default reports that the chart type cannot be re-laid out; the crate's charts can.
    fn layout(&self, width: u32, height: u32) -> Result<Drawing, ReportError> {
        let _ = (width, height);
        Err(ReportError::InvalidValue {
            chart: "chart",
            field: "size".into(),
            reason: "this chart type cannot be laid out at another size".into(),
        })
    }
}

/// Implements [`Chart`] for a type with a `fn scene(&self) -> Result<Scene, ReportError>`.
macro_rules! impl_chart {
    ($t:ty) => {
        impl $crate::Chart for $t {
            fn to_svg(&self) -> Result<String, $crate::ReportError> {
                Ok($crate::svg::write(&self.scene()?))
            }
            fn to_png(&self) -> Result<Vec<u8>, $crate::ReportError> {
                $crate::raster::render_png(&self.scene()?, 1.0)
            }
            fn to_png_scaled(&self, scale: f32) -> Result<Vec<u8>, $crate::ReportError> {
                $crate::raster::render_png(&self.scene()?, scale)
            }
            fn layout(
                &self,
                width: u32,
                height: u32,
            ) -> Result<$crate::Drawing, $crate::ReportError> {
                let mut c = self.clone();
                c.width = width;
                c.height = height;
                Ok($crate::Drawing::new(c.scene()?))
            }
        }
    };
}
pub(crate) use impl_chart;

/// Implements [`Chart`] for `Styled<T>` where `T` has `fn scene_with(&self, &Style)`.
macro_rules! impl_styled_chart {
    ($t:ty) => {
        impl $crate::Chart for $crate::Styled<$t> {
            fn to_svg(&self) -> Result<String, $crate::ReportError> {
                Ok($crate::svg::write(&self.chart.scene_with(&self.style)?))
            }
            fn to_png(&self) -> Result<Vec<u8>, $crate::ReportError> {
                $crate::raster::render_png(&self.chart.scene_with(&self.style)?, 1.0)
            }
            fn to_png_scaled(&self, scale: f32) -> Result<Vec<u8>, $crate::ReportError> {
                $crate::raster::render_png(&self.chart.scene_with(&self.style)?, scale)
            }
            fn layout(
                &self,
                width: u32,
                height: u32,
            ) -> Result<$crate::Drawing, $crate::ReportError> {
                let mut c = self.chart.clone();
                c.width = width;
                c.height = height;
                Ok($crate::Drawing::new(c.scene_with(&self.style)?))
            }
        }
    };
}
pub(crate) use impl_styled_chart;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parse_and_pick() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::Zh.pick("Cooperation", "合作"), "合作");
        assert_eq!(Lang::default().pick("Cooperation", "合作"), "Cooperation");
    }
}
