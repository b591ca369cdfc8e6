//! Tables and figures as the files journals and co-authors take (feature `office`, default):
//! `.xlsx` via `rust_xlsxwriter`, and `.docx` written here as plain OOXML parts zipped with the
//! `zip` crate that `rust_xlsxwriter` already brings in (a Word document of headings,
//! paragraphs, three-line tables and PNG figures needs only five small XML parts, fewer lines
//! than adapting a general docx crate's model, and no further dependency).
//!
//! Both use the three-line table (三线表) Chinese and APA-style journals print: a thick rule
//! above the header, a thin one below it, a thick one under the last row, no vertical rules.

use crate::export::FigureSize;
use crate::html::{Block, HtmlReport};
use crate::svg::escape;
use crate::table::{Table, looks_numeric};
use crate::{Chart, Lang, ReportError};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use std::io::Write;

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Drawing(format!("xlsx: {e}"))
}

/// A cell that reads as a plain number (`-1.25`, `3,200`, `12%`, `−0.5`) as its value and the
/// Excel number format that shows it with the same decimals; `None` for text such as
/// `< 0.001`, `0.05*`, `[0.1, 0.3]`, which stay text.
fn cell_number(c: &str) -> Option<(f64, String)> {
    let t = c.trim().replace('−', "-");
    let (body, pct) = match t.strip_suffix('%') {
        Some(b) => (b.to_string(), true),
        None => (t.clone(), false),
    };
    let plain: String = body.chars().filter(|&ch| ch != ',').collect();
    if plain.is_empty()
        || !plain
            .chars()
            .all(|ch| ch.is_ascii_digit() || "+-.eE".contains(ch))
    {
        return None;
    }
    let v: f64 = plain.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    let dec = plain
        .split_once('.')
        .map(|(_, d)| d.chars().take_while(char::is_ascii_digit).count())
        .unwrap_or(0);
    let mut fmt = if body.contains(',') {
        "#,##0".to_string()
    } else {
        "0".to_string()
    };
    if dec > 0 {
        fmt.push('.');
        fmt.push_str(&"0".repeat(dec));
    }
    if plain.contains(['e', 'E']) {
        fmt = "0.00E+00".into();
    }
    if pct {
        fmt.push('%');
        Some((v / 100.0, fmt))
    } else {
        Some((v, fmt))
    }
}

/// Sheet name from a caption: Excel allows 31 characters and no `[]:*?/\`; names must be
/// unique (case-insensitive).
fn sheet_name(caption: &str, i: usize, used: &mut Vec<String>) -> String {
    let clean: String = caption
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c) && !c.is_control())
        .take(28)
        .collect();
    let clean = clean.trim();
    let base = if clean.is_empty() {
        format!("Table {}", i + 1)
    } else {
        clean.to_string()
    };
    let mut name = base.clone();
    let mut k = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" {k}");
        name = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        k += 1;
    }
    used.push(name.clone());
    name
}

/// Creation time written into `docProps/core.xml` when `SOURCE_DATE_EPOCH` is not set:
/// 2000-01-01T00:00:00Z. A fixed value (rather than the clock) makes identical inputs give
/// byte-identical files, which results folders and their checksums rely on.
pub const XLSX_DEFAULT_CREATED: i64 = 946_684_800;

/// The creation time for generated documents, in seconds since 1970: `SOURCE_DATE_EPOCH` (the
/// reproducible-builds convention) when it is set to a usable number, else
/// [`XLSX_DEFAULT_CREATED`].
pub fn document_timestamp() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        // the range Excel dates can hold (1900-9999)
        .filter(|t| (-2_209_075_200..253_402_300_800).contains(t))
        .unwrap_or(XLSX_DEFAULT_CREATED)
}

/// One worksheet per table: caption in the first row, then a three-line table (bold header),
/// numbers stored as numbers with their printed decimals, the note under the table. The
/// document's creation time is [`document_timestamp`], so the bytes depend on the tables only.
pub fn tables_to_xlsx(tables: &[Table]) -> Result<Vec<u8>, ReportError> {
    tables_to_xlsx_at(tables, document_timestamp())
}

/// As [`tables_to_xlsx`] with the creation time given (seconds since 1970, UTC, within the
/// years 1900-9999 that Excel dates cover).
pub fn tables_to_xlsx_at(tables: &[Table], created: i64) -> Result<Vec<u8>, ReportError> {
    if tables.is_empty() {
        return Err(ReportError::empty("xlsx", "no table given"));
    }
    let mut wb = Workbook::new();
    let when = rust_xlsxwriter::ExcelDateTime::from_timestamp(created).map_err(xlsx_err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&when));
    let mut used = Vec::new();
    for (ti, t) in tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.caption, ti, &mut used))
            .map_err(xlsx_err)?;
        let cols = t.columns();
        let mut row: u32 = 0;
        if !t.caption.trim().is_empty() {
            ws.write_string_with_format(row, 0, &t.caption, &Format::new().set_bold())
                .map_err(xlsx_err)?;
            row += 2;
        }
        let numeric: Vec<bool> = (0..cols)
            .map(|i| {
                let mut cells = t
                    .rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|c| !c.trim().is_empty())
                    .peekable();
                cells.peek().is_some() && cells.all(|c| looks_numeric(c))
            })
            .collect();
        let align = |i: usize| {
            if numeric[i] {
                FormatAlign::Right
            } else {
                FormatAlign::Left
            }
        };
        if !t.header.is_empty() {
            for i in 0..cols {
                let f = Format::new()
                    .set_bold()
                    .set_align(align(i))
                    .set_border_top(FormatBorder::Medium)
                    .set_border_bottom(FormatBorder::Thin);
                let h = t.header.get(i).map(String::as_str).unwrap_or("");
                ws.write_string_with_format(row, i as u16, h, &f)
                    .map_err(xlsx_err)?;
            }
            row += 1;
        }
        let last = t.rows.len().saturating_sub(1);
        for (ri, r) in t.rows.iter().enumerate() {
            for i in 0..cols {
                let mut f = Format::new().set_align(align(i));
                if ri == last {
                    f = f.set_border_bottom(FormatBorder::Medium);
                }
                if ri == 0 && t.header.is_empty() {
                    f = f.set_border_top(FormatBorder::Medium);
                }
                let c = r.get(i).map(String::as_str).unwrap_or("");
                match cell_number(c) {
                    Some((v, nf)) => {
                        ws.write_number_with_format(row, i as u16, v, &f.set_num_format(nf))
                            .map_err(xlsx_err)?;
                    }
                    None => {
                        ws.write_string_with_format(row, i as u16, c, &f)
                            .map_err(xlsx_err)?;
                    }
                }
            }
            row += 1;
        }
        if let Some(n) = t.note.as_ref().filter(|n| !n.trim().is_empty()) {
            ws.write_string_with_format(row, 0, n, &Format::new().set_italic())
                .map_err(xlsx_err)?;
        }
        ws.autofit();
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A piece of a Word document.
#[derive(Clone, Debug)]
pub enum WordPart {
    Heading(String),
    Paragraph(String),
    /// A remark set in smaller italic type.
    Note(String),
    /// Numbered "表 n" / "Table n" with the caption above, as a three-line table.
    Table(Table),
    /// A PNG image `width_mm` wide (height from the image's shape), numbered "图 n" /
    /// "Figure n" with the caption below.
    Figure {
        caption: String,
        png: Vec<u8>,
        width_mm: f64,
    },
}

/// A Word (.docx) document: title, subtitle, then the parts in order, on A4 with Chinese
/// journal defaults (SimSun / Times New Roman, 10.5 pt).
#[derive(Clone, Debug, Default)]
pub struct WordDocument {
    pub title: String,
    pub subtitle: String,
    pub lang: Lang,
    pub parts: Vec<WordPart>,
}

/// Text width of the A4 page with 2.2 cm side margins.
const TEXT_WIDTH_MM: f64 = 166.0;
/// Height left for a figure on an A4 page with 2.54 cm margins, after its caption.
const TEXT_HEIGHT_MM: f64 = 225.0;

impl WordDocument {
    /// Adds `chart` as a figure at `size` (e.g. [`FigureSize::COLUMN`]), rendered at 300 dpi.
    pub fn add_chart(
        &mut self,
        caption: &str,
        chart: &dyn Chart,
        size: &FigureSize,
    ) -> Result<(), ReportError> {
        let png = crate::export_figure(chart, size, crate::FigureFormat::Png, 300)?;
        self.parts.push(WordPart::Figure {
            caption: caption.to_string(),
            png,
            width_mm: size.width_mm.min(TEXT_WIDTH_MM),
        });
        Ok(())
    }

    /// The headings, paragraphs, notes, tables and PNG figures of an HTML report. Inline SVG
    /// blocks cannot be placed in Word as they are: add those charts with
    /// [`WordDocument::add_chart`].
    pub fn from_report(report: &HtmlReport) -> WordDocument {
        let mut parts = Vec::new();
        for s in &report.sections {
            parts.push(WordPart::Heading(s.heading.clone()));
            for b in &s.blocks {
                match b {
                    Block::Paragraph(p) => parts.push(WordPart::Paragraph(p.clone())),
                    Block::Note(p) => parts.push(WordPart::Note(p.clone())),
                    Block::Table(t) => parts.push(WordPart::Table(t.clone())),
                    Block::Png(png) => {
                        if let Some((w, _)) = png_size(png) {
                            parts.push(WordPart::Figure {
                                caption: String::new(),
                                png: png.clone(),
                                width_mm: (w as f64 / 96.0 * 25.4).min(TEXT_WIDTH_MM),
                            });
                        }
                    }
                    Block::Svg(_) => {}
                }
            }
        }
        WordDocument {
            title: report.title.clone(),
            subtitle: report.subtitle.clone(),
            lang: report.lang,
            parts,
        }
    }

    /// The .docx file.
    pub fn to_docx(&self) -> Result<Vec<u8>, ReportError> {
        let mut body = String::new();
        let mut images: Vec<&[u8]> = Vec::new();
        if !self.title.trim().is_empty() {
            body.push_str(&para("Title", None, &run(&self.title, "")));
        }
        if !self.subtitle.trim().is_empty() {
            body.push_str(&para("Subtitle", None, &run(&self.subtitle, "")));
        }
        let (mut n_tab, mut n_fig) = (0, 0);
        for p in &self.parts {
            match p {
                WordPart::Heading(h) => body.push_str(&para("Heading1", None, &run(h, ""))),
                WordPart::Paragraph(t) => {
                    for chunk in t.split("\n\n").filter(|c| !c.trim().is_empty()) {
                        body.push_str(&para("Normal", None, &run(chunk.trim(), "")));
                    }
                }
                WordPart::Note(t) => {
                    body.push_str(&para("Note", None, &run(t, "")));
                }
                WordPart::Table(t) => {
                    n_tab += 1;
                    let label = match self.lang {
                        Lang::Zh => format!("表 {n_tab}"),
                        Lang::En => format!("Table {n_tab}"),
                    };
                    let cap = format!("{label}  {}", t.caption.trim());
                    body.push_str(&para(
                        "Caption",
                        Some("<w:keepNext/>"),
                        &run(cap.trim(), "<w:b/>"),
                    ));
                    body.push_str(&table_xml(t));
                    if let Some(n) = t.note.as_ref().filter(|n| !n.trim().is_empty()) {
                        let lead = self.lang.pick("Note. ", "注：");
                        body.push_str(&para("Note", None, &(run(lead, "<w:i/>") + &run(n, ""))));
                    }
                }
                WordPart::Figure {
                    caption,
                    png,
                    width_mm,
                } => {
                    let Some((pw, ph)) = png_size(png) else {
                        return Err(ReportError::invalid(
                            "docx",
                            format!("figure {}", n_fig + 1),
                            "the bytes are not a PNG image",
                        ));
                    };
                    if !(width_mm.is_finite() && *width_mm > 5.0 && *width_mm <= 500.0) {
                        return Err(ReportError::invalid(
                            "docx",
                            format!("figure {} width_mm", n_fig + 1),
                            format!("must be within 5..=500, got {width_mm}"),
                        ));
                    }
                    n_fig += 1;
                    images.push(png);
                    // fit the text block of the page (a 40-item chart is taller than wide)
                    let aspect = ph as f64 / pw as f64;
                    let w = width_mm.min(TEXT_WIDTH_MM).min(TEXT_HEIGHT_MM / aspect);
                    let cx = (w * 36_000.0).round() as u64;
                    let cy = (w * aspect * 36_000.0).round() as u64;
                    body.push_str(&para(
                        "Figure",
                        Some("<w:keepNext/>"),
                        &drawing(n_fig, cx, cy),
                    ));
                    let label = match self.lang {
                        Lang::Zh => format!("图 {n_fig}"),
                        Lang::En => format!("Figure {n_fig}"),
                    };
                    let cap = format!("{label}  {}", caption.trim());
                    body.push_str(&para("Caption", None, &run(cap.trim(), "")));
                }
            }
        }
        let document = format!(
            "{XML_DECL}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" \
             xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
             xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
             xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>{body}\
             <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1247\" \
             w:bottom=\"1440\" w:left=\"1247\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
             </w:sectPr></w:body></w:document>"
        );
        let mut rels = format!(
            "{XML_DECL}<Relationships xmlns=\"{PKG_REL_NS}\">\
             <Relationship Id=\"rIdStyles\" Type=\"{R_NS}/styles\" Target=\"styles.xml\"/>"
        );
        for i in 1..=images.len() {
            rels.push_str(&format!(
                "<Relationship Id=\"rIdImg{i}\" Type=\"{R_NS}/image\" Target=\"media/image{i}.png\"/>"
            ));
        }
        rels.push_str("</Relationships>");

        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opt = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            let zerr = |e: zip::result::ZipError| ReportError::Drawing(format!("docx: {e}"));
            let ioerr = |e: std::io::Error| ReportError::Drawing(format!("docx: {e}"));
            let put = |z: &mut zip::ZipWriter<&mut std::io::Cursor<Vec<u8>>>,
                       name: &str,
                       data: &[u8],
                       o: zip::write::SimpleFileOptions|
             -> Result<(), ReportError> {
                z.start_file(name, o).map_err(zerr)?;
                z.write_all(data).map_err(ioerr)
            };
            put(&mut z, "[Content_Types].xml", CONTENT_TYPES.as_bytes(), opt)?;
            put(&mut z, "_rels/.rels", ROOT_RELS.as_bytes(), opt)?;
            put(&mut z, "word/document.xml", document.as_bytes(), opt)?;
            put(&mut z, "word/_rels/document.xml.rels", rels.as_bytes(), opt)?;
            put(&mut z, "word/styles.xml", STYLES.as_bytes(), opt)?;
            for (i, png) in images.iter().enumerate() {
                // PNG is already deflated
                put(
                    &mut z,
                    &format!("word/media/image{}.png", i + 1),
                    png,
                    stored,
                )?;
            }
            z.finish().map_err(zerr)?;
        }
        Ok(buf.into_inner())
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    (w > 0 && h > 0).then_some((w, h))
}

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

/// Styles: 10.5 pt (五号) Times New Roman / SimSun body, bold headings, centred captions.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"SimSun\" w:cs=\"Times New Roman\"/>\
<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"300\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"SimHei\"/><w:b/><w:sz w:val=\"32\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Subtitle\"><w:name w:val=\"Subtitle\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"24\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"SimHei\"/><w:b/><w:sz w:val=\"28\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:jc w:val=\"center\"/><w:spacing w:before=\"120\" w:after=\"120\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Figure\"><w:name w:val=\"Figure\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:jc w:val=\"center\"/><w:spacing w:before=\"120\" w:after=\"0\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/>\
<w:rPr><w:sz w:val=\"18\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/></w:rPr></w:style>\
</w:styles>";

fn run(text: &str, rpr: &str) -> String {
    let rpr = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    // line breaks inside a paragraph become <w:br/>
    text.split('\n')
        .map(|l| {
            format!(
                "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                escape(l)
            )
        })
        .collect::<Vec<_>>()
        .join("<w:r><w:br/></w:r>")
}

fn para(style: &str, extra_ppr: Option<&str>, runs: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{}</w:pPr>{runs}</w:p>",
        extra_ppr.unwrap_or("")
    )
}

fn table_xml(t: &Table) -> String {
    let cols = t.columns().max(1);
    let numeric: Vec<bool> = (0..cols)
        .map(|i| {
            let mut cells = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.trim().is_empty())
                .peekable();
            cells.peek().is_some() && cells.all(|c| looks_numeric(c))
        })
        .collect();
    let rule = |side: &str, sz: u32| {
        format!("<w:{side} w:val=\"single\" w:sz=\"{sz}\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let mut o = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/>\
         <w:tblBorders>{}<w:left w:val=\"nil\"/>{}<w:right w:val=\"nil\"/>\
         <w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/>\
         <w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>",
        rule("top", 12),
        rule("bottom", 12)
    );
    for w in column_twips(t, &numeric) {
        o.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    o.push_str("</w:tblGrid>");
    let cell = |text: &str, i: usize, header: bool| {
        let borders = if header {
            format!(
                "<w:tcPr><w:tcBorders>{}</w:tcBorders></w:tcPr>",
                rule("bottom", 6)
            )
        } else {
            String::new()
        };
        let jc = if numeric[i] { "right" } else { "left" };
        format!(
            "<w:tc>{borders}<w:p><w:pPr><w:pStyle w:val=\"TableText\"/><w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p></w:tc>",
            run(text, if header { "<w:b/>" } else { "" })
        )
    };
    if !t.header.is_empty() {
        o.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for i in 0..cols {
            o.push_str(&cell(
                t.header.get(i).map(String::as_str).unwrap_or(""),
                i,
                true,
            ));
        }
        o.push_str("</w:tr>");
    }
    for r in &t.rows {
        o.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for i in 0..cols {
            o.push_str(&cell(r.get(i).map(String::as_str).unwrap_or(""), i, false));
        }
        o.push_str("</w:tr>");
    }
    if t.rows.is_empty() && t.header.is_empty() {
        o.push_str("<w:tr>");
        o.push_str(&cell("", 0, false));
        o.push_str("</w:tr>");
    }
    o.push_str("</w:tbl>");
    o
}

/// Column widths in twips filling the text width: numeric columns get their longest cell (9 pt
/// text, measured with the vendored font, plus cell margins); text columns share the rest in
/// proportion to their longest cell, so a long item column is not squeezed to one character
/// per line (LibreOffice sizes columns from this grid rather than from the content).
fn column_twips(t: &Table, numeric: &[bool]) -> Vec<u32> {
    let total = TEXT_WIDTH_MM / 25.4 * 1440.0;
    let cols = numeric.len();
    let natural: Vec<f64> = (0..cols)
        .map(|i| {
            let longest = t
                .rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(t.header.get(i))
                .map(|c| crate::font::text_width(c, 9.0, true) as f64)
                .fold(0.0, f64::max);
            longest * 20.0 + 2.0 * 80.0 + 60.0
        })
        .collect();
    let num_sum: f64 = (0..cols).filter(|&i| numeric[i]).map(|i| natural[i]).sum();
    let text_sum: f64 = (0..cols).filter(|&i| !numeric[i]).map(|i| natural[i]).sum();
    let widths: Vec<f64> = if text_sum > 0.0 && num_sum < total * 0.8 {
        let room = total - num_sum;
        (0..cols)
            .map(|i| {
                if numeric[i] {
                    natural[i]
                } else {
                    room * natural[i] / text_sum
                }
            })
            .collect()
    } else {
        let sum: f64 = natural.iter().sum::<f64>().max(1.0);
        natural.iter().map(|w| total * w / sum).collect()
    };
    widths.iter().map(|w| w.round().max(200.0) as u32).collect()
}

fn drawing(n: usize, cx: u64, cy: u64) -> String {
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
         <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"Figure {n}\"/>\
         <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
         <pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
         <pic:blipFill><a:blip r:embed=\"rIdImg{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
         <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm>\
         <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>\
         </a:graphic></wp:inline></w:drawing></w:r>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_decimals() {
        assert_eq!(cell_number("0.620"), Some((0.62, "0.000".into())));
        assert_eq!(cell_number("−1.5"), Some((-1.5, "0.0".into())));
        assert_eq!(cell_number("3,200"), Some((3200.0, "#,##0".into())));
        assert_eq!(cell_number("12%"), Some((0.12, "0%".into())));
        assert_eq!(cell_number("42"), Some((42.0, "0".into())));
        for text in [
            "< 0.001",
            "0.05*",
            "[0.1, 0.3]",
            "成都",
            "",
            "—",
            "NaN",
            "inf",
        ] {
            assert_eq!(cell_number(text), None, "{text}");
        }
    }

    fn core_xml(xlsx: &[u8]) -> String {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut core = String::new();
        std::io::Read::read_to_string(&mut z.by_name("docProps/core.xml").unwrap(), &mut core)
            .unwrap();
        core
    }

    #[test]
    fn xlsx_creation_time_is_the_one_given() {
        let t = Table {
            caption: "c".into(),
            header: vec!["a".into()],
            rows: vec![vec!["1".into()]],
            note: None,
        };
        let tables = std::slice::from_ref(&t);
        // 2021-06-01T12:30:00Z
        let at = tables_to_xlsx_at(tables, 1_622_550_600).unwrap();
        let core = core_xml(&at);
        // created and modified both carry it (rust_xlsxwriter writes the clock otherwise)
        assert_eq!(core.matches("2021-06-01T12:30:00Z").count(), 2, "{core}");
        let default = core_xml(&tables_to_xlsx_at(tables, XLSX_DEFAULT_CREATED).unwrap());
        assert_eq!(
            default.matches("2000-01-01T00:00:00Z").count(),
            2,
            "{default}"
        );
        assert!(tables_to_xlsx_at(tables, i64::MAX).is_err());
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = Vec::new();
        let a = sheet_name(
            "Table: a/b [x] 很长很长很长很长很长很长很长很长很长很长很长",
            0,
            &mut used,
        );
        assert!(a.chars().count() <= 31 && !a.contains([':', '/', '[', ']']));
        let b = sheet_name(
            "Table: a/b [x] 很长很长很长很长很长很长很长很长很长很长很长",
            1,
            &mut used,
        );
        assert_ne!(a, b);
        assert!(b.chars().count() <= 31);
        assert_eq!(sheet_name("", 2, &mut used), "Table 3");
    }
}
