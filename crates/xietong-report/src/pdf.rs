//! PDF figures (feature `pdf`): the chart's SVG is parsed by `usvg` with the vendored
//! WenQuanYi Micro Hei loaded as the only font, and `svg2pdf` writes it as vector PDF with the
//! used glyphs embedded as a font subset, so Chinese labels print on machines without CJK
//! fonts and the text stays selectable.

use crate::error::ReportError;
use std::sync::Arc;

/// Converts one of this crate's SVG documents (size in mm, see `svg::write_sized`) to PDF.
pub(crate) fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, ReportError> {
    let mut db = usvg::fontdb::Database::new();
    // both faces of the collection are loaded; the family list in our SVG names face 0 first
    db.load_font_data(crate::font::FONT_BYTES.to_vec());
    db.set_sans_serif_family("WenQuanYi Micro Hei");
    let opt = usvg::Options {
        font_family: "WenQuanYi Micro Hei".into(),
        fontdb: Arc::new(db),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| ReportError::Drawing(format!("PDF: reading the figure's SVG: {e}")))?;
    // usvg turns mm into px at 96 per inch; 96 dpi here maps them back to the same mm
    let page = svg2pdf::PageOptions { dpi: 96.0 };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| ReportError::Drawing(format!("PDF: {e}")))
}
