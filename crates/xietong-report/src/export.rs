//! Figures as files at print size: SVG, PNG at a chosen resolution and (feature `pdf`) PDF
//! with the used CJK glyphs embedded.
//!
//! A figure is laid out at a width in layout px derived from its printed width
//! ([`MM_PER_PX`]), so text keeps the same printed size whatever the figure's width: the
//! 12-px tick labels print at 8 pt, axis titles at 9.3 pt, the title at 12 pt, which journal
//! guidelines ask for (6-12 pt at final size). PNG and PDF are then scaled from that layout.
//!
//! ```
//! use xietong_report::*;
//! let chart = BarChart {
//!     categories: vec!["成都".into(), "重庆".into()],
//!     groups: vec![BarGroup { values: vec![0.4, 0.6], ..Default::default() }],
//!     ..Default::default()
//! };
//! let size: FigureSize = "column".parse()?; // 8.5 cm wide, height from the content
//! let png = export_figure(&chart, &size, FigureFormat::Png, 300)?;
//! let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
//! assert_eq!(width, (85.0 / 25.4 * 300.0_f64).round() as u32); // 1004 px
//! assert!("12 x 8".parse::<FigureSize>().unwrap_err().to_string().contains("12x8cm"));
//! # Ok::<(), ReportError>(())
//! ```

use crate::error::ReportError;
use crate::scene::Scene;
use crate::{Chart, raster, svg};
use std::fmt;
use std::str::FromStr;

/// Millimetres per layout px at print size: 12-px labels print at 8 pt (1 pt = 0.3528 mm).
pub const MM_PER_PX: f64 = 8.0 * 25.4 / 72.0 / 12.0;

/// Printed figure size. `height_mm: None` lets the chart choose its height for the width
/// (and grow with many items).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FigureSize {
    pub width_mm: f64,
    pub height_mm: Option<f64>,
}

const SIZE_FORMS: &str = "`column` (8.5 cm wide), `1.5column` (12 cm), `page` (17.5 cm), or \
     WxH with a unit, e.g. `12x8cm`, `85x60mm`, `3.5x2.5in`, or a width alone such as `12cm`";

impl FigureSize {
    /// One journal column, 8.5 cm (Elsevier 90 mm, Springer 84 mm, most Chinese journals 8 cm).
    pub const COLUMN: FigureSize = FigureSize {
        width_mm: 85.0,
        height_mm: None,
    };
    /// One and a half columns, 12 cm.
    pub const ONE_AND_HALF: FigureSize = FigureSize {
        width_mm: 120.0,
        height_mm: None,
    };
    /// The full text width of a page, 17.5 cm.
    pub const PAGE: FigureSize = FigureSize {
        width_mm: 175.0,
        height_mm: None,
    };

    /// Parses `column`, `1.5column`, `page` or `WxH` / `W` with unit `cm`, `mm` or `in`
    /// (case-insensitive; `×` and `*` work as the separator). The error lists the forms.
    pub fn parse(s: &str) -> Result<FigureSize, ReportError> {
        let t: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let bad = |why: &str| ReportError::InvalidValue {
            chart: "figure size",
            field: "size".into(),
            reason: format!("{why} in {s:?}; expected {SIZE_FORMS}"),
        };
        match t.as_str() {
            "column" | "col" | "single" | "1column" => return Ok(Self::COLUMN),
            "1.5column" | "1.5col" | "onehalf" | "1.5" => return Ok(Self::ONE_AND_HALF),
            "page" | "full" | "double" | "2column" => return Ok(Self::PAGE),
            "" => return Err(bad("empty size")),
            _ => {}
        }
        let (num, mm_per_unit) = if let Some(n) = t.strip_suffix("mm") {
            (n, 1.0)
        } else if let Some(n) = t.strip_suffix("cm") {
            (n, 10.0)
        } else if let Some(n) = t.strip_suffix("in") {
            (n, 25.4)
        } else {
            return Err(bad("no unit (cm, mm or in)"));
        };
        let parts: Vec<&str> = num.split(['x', '×', '*']).collect();
        let val = |p: &str| -> Result<f64, ReportError> {
            let v: f64 = p
                .parse()
                .map_err(|_| bad(&format!("{p:?} is not a number")))?;
            if !(v.is_finite() && v > 0.0) {
                return Err(bad("sizes must be positive"));
            }
            Ok(v * mm_per_unit)
        };
        let size = match parts.as_slice() {
            [w] => FigureSize {
                width_mm: val(w)?,
                height_mm: None,
            },
            [w, h] => FigureSize {
                width_mm: val(w)?,
                height_mm: Some(val(h)?),
            },
            _ => return Err(bad("more than two dimensions")),
        };
        size.check().map_err(|e| bad(&e))?;
        Ok(size)
    }

    fn check(&self) -> Result<(), String> {
        if !(20.0..=500.0).contains(&self.width_mm) {
            return Err(format!(
                "width {:.1} mm is outside 20..=500 mm",
                self.width_mm
            ));
        }
        if let Some(h) = self.height_mm
            && !(20.0..=1000.0).contains(&h)
        {
            return Err(format!("height {h:.1} mm is outside 20..=1000 mm"));
        }
        Ok(())
    }

    /// Layout size in px (height 0 when the chart chooses).
    pub fn layout_px(&self) -> (u32, u32) {
        let px = |mm: f64| (mm / MM_PER_PX).round() as u32;
        (px(self.width_mm), self.height_mm.map_or(0, px))
    }
}

impl FromStr for FigureSize {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FigureSize::parse(s)
    }
}

impl fmt::Display for FigureSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.height_mm {
            Some(h) => write!(f, "{}x{}mm", self.width_mm, h),
            None => write!(f, "{}mm", self.width_mm),
        }
    }
}

/// File format of an exported figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureFormat {
    Svg,
    Png,
    /// Needs the crate feature `pdf`; without it [`export_figure`] returns an error saying so.
    Pdf,
}

impl FigureFormat {
    /// From a file name's extension (`.svg`, `.png`, `.pdf`, any case).
    pub fn from_path(path: &str) -> Result<FigureFormat, ReportError> {
        let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        FigureFormat::parse(ext).map_err(|_| ReportError::InvalidValue {
            chart: "figure",
            field: "file name".into(),
            reason: format!("{path:?} does not end in .svg, .png or .pdf"),
        })
    }

    /// `svg`, `png` or `pdf` (any case).
    pub fn parse(s: &str) -> Result<FigureFormat, ReportError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "svg" => Ok(FigureFormat::Svg),
            "png" => Ok(FigureFormat::Png),
            "pdf" => Ok(FigureFormat::Pdf),
            _ => Err(ReportError::InvalidValue {
                chart: "figure",
                field: "format".into(),
                reason: format!("{s:?} is not one of svg, png, pdf"),
            }),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FigureFormat::Svg => "svg",
            FigureFormat::Png => "png",
            FigureFormat::Pdf => "pdf",
        }
    }
}

/// A chart laid out at a fixed size (see [`Chart::layout`]), ready to write in any format.
#[derive(Clone, Debug)]
pub struct Drawing {
    scene: Scene,
}

/// Resolutions accepted for PNG export.
const DPI_RANGE: std::ops::RangeInclusive<u32> = 72..=2400;
/// Largest PNG side in pixels (a 17.5 cm figure at 1200 dpi is 8268 px wide).
const MAX_PNG_SIDE: u32 = 20_000;

impl Drawing {
    pub(crate) fn new(scene: Scene) -> Drawing {
        Drawing { scene }
    }

    /// Layout width in px.
    pub fn width_px(&self) -> u32 {
        self.scene.width
    }

    /// Layout height in px (after any growth with content).
    pub fn height_px(&self) -> u32 {
        self.scene.height
    }

    /// Printed height for a printed width, keeping the layout's shape.
    pub fn height_mm(&self, width_mm: f64) -> f64 {
        width_mm * self.scene.height as f64 / self.scene.width as f64
    }

    /// SVG with the same px size as [`Chart::to_svg`].
    pub fn to_svg(&self) -> String {
        svg::write(&self.scene)
    }

    /// SVG whose `width`/`height` are in millimetres, so word processors and LaTeX place it at
    /// the printed size; the drawing itself is unchanged (`viewBox` in layout px).
    pub fn to_svg_mm(&self, width_mm: f64) -> String {
        svg::write_sized(&self.scene, Some((width_mm, self.height_mm(width_mm))))
    }

    /// PNG `width_mm` wide at `dpi` (72..=2400): exactly `round(width_mm / 25.4 * dpi)` px
    /// wide, the resolution recorded in the file.
    pub fn to_png_mm(&self, width_mm: f64, dpi: u32) -> Result<Vec<u8>, ReportError> {
        if !DPI_RANGE.contains(&dpi) {
            return Err(ReportError::invalid(
                "figure",
                "dpi",
                format!("must be within 72..=2400, got {dpi}"),
            ));
        }
        let pw = (width_mm / 25.4 * dpi as f64).round();
        let ph = (self.height_mm(width_mm) / 25.4 * dpi as f64).round();
        if !(pw >= 1.0 && ph >= 1.0 && pw <= MAX_PNG_SIDE as f64 && ph <= MAX_PNG_SIDE as f64) {
            return Err(ReportError::invalid(
                "figure",
                "dpi",
                format!(
                    "{width_mm:.0} mm at {dpi} dpi gives a {pw}x{ph} px image (at most \
                     {MAX_PNG_SIDE} px per side); lower the dpi or the size"
                ),
            ));
        }
        let scale = (pw / self.scene.width as f64) as f32;
        raster::render_png_px(&self.scene, scale, pw as u32, ph as u32, dpi)
    }

    /// PDF of the figure `width_mm` wide with the used glyphs of the vendored WenQuanYi font
    /// embedded (so Chinese prints on any machine). Needs the crate feature `pdf`.
    pub fn to_pdf_mm(&self, width_mm: f64) -> Result<Vec<u8>, ReportError> {
        #[cfg(feature = "pdf")]
        {
            crate::pdf::svg_to_pdf(&self.to_svg_mm(width_mm))
        }
        #[cfg(not(feature = "pdf"))]
        {
            let _ = width_mm;
            Err(ReportError::invalid(
                "figure",
                "format",
                "PDF output is not built in: build xietong-report with the cargo feature `pdf`",
            ))
        }
    }
}

/// Lays `chart` out for `size` and encodes it as `format` (`dpi` is used by PNG only; 300 is
/// the usual requirement for line art with text, 600 for some journals).
pub fn export_figure(
    chart: &dyn Chart,
    size: &FigureSize,
    format: FigureFormat,
    dpi: u32,
) -> Result<Vec<u8>, ReportError> {
    size.check().map_err(|e| {
        ReportError::invalid("figure size", "size", format!("{e}; expected {SIZE_FORMS}"))
    })?;
    let (w, h) = size.layout_px();
    let d = chart.layout(w, h)?;
    match format {
        FigureFormat::Svg => Ok(d.to_svg_mm(size.width_mm).into_bytes()),
        FigureFormat::Png => d.to_png_mm(size.width_mm, dpi),
        FigureFormat::Pdf => d.to_pdf_mm(size.width_mm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(FigureSize::parse("column").unwrap(), FigureSize::COLUMN);
        assert_eq!(FigureSize::parse(" Page ").unwrap(), FigureSize::PAGE);
        assert_eq!(FigureSize::parse("1.5column").unwrap().width_mm, 120.0);
        let s = FigureSize::parse("12x8cm").unwrap();
        assert_eq!((s.width_mm, s.height_mm), (120.0, Some(80.0)));
        let s = FigureSize::parse("3.5 × 2in").unwrap();
        assert!((s.width_mm - 88.9).abs() < 1e-9 && (s.height_mm.unwrap() - 50.8).abs() < 1e-9);
        assert_eq!(FigureSize::parse("90mm").unwrap().height_mm, None);
        for bad in [
            "", "12x8", "axbcm", "0x5cm", "-3cm", "1x2x3cm", "900cm", "wide",
        ] {
            let e = FigureSize::parse(bad).unwrap_err().to_string();
            assert!(e.contains("column") && e.contains("12x8cm"), "{bad}: {e}");
        }
        // column width in layout px: 12-px text prints at 8 pt
        assert_eq!(FigureSize::COLUMN.layout_px(), (361, 0));
        assert!((12.0 * MM_PER_PX / (25.4 / 72.0) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn formats_parse() {
        assert_eq!(
            FigureFormat::from_path("out/fig.PDF").unwrap(),
            FigureFormat::Pdf
        );
        assert_eq!(
            FigureFormat::from_path("a.b.svg").unwrap(),
            FigureFormat::Svg
        );
        assert!(
            FigureFormat::from_path("fig.jpg")
                .unwrap_err()
                .to_string()
                .contains(".png")
        );
    }
}
