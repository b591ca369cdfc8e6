//! Paper-ready files of any report, shared by every command: each chart as its own figure file
//! (`figures/<stem>.svg|png|pdf`, laid out again at the printed size, not a scaled screen
//! image) and the report's tables as files a journal takes (`tables.xlsx`, `tables.tex` with
//! booktabs three-line tables, `report.docx` with the tables and the figures as 300-dpi PNG).
//!
//! The options (`--figures`, `--dpi`, `--figure-size`) are parsed here once, so every front end
//! and command accepts the same values and reports the same errors.

use crate::{Error, OutputFile, input};
use xietong_report::{
    Block, Chart, FigureFormat, FigureSize, HtmlReport, Table, WordDocument, WordPart,
    export_figure,
};

type Result<T> = std::result::Result<T, Error>;

/// The names [`table_files`] writes, and the figures folder: add them to a results folder's
/// owned names.
pub const EXPORT_FILES: [&str; 4] = ["figures", "tables.xlsx", "tables.tex", "report.docx"];

/// Whether this build can write PDF figures (cargo feature `pdf`, ~6.5 CPU-min more build).
pub const PDF_BUILT: bool = cfg!(feature = "pdf");

/// Which figure files to write, how large and at what resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureOptions {
    /// Formats to write each chart in; empty writes no `figures/` folder.
    pub formats: Vec<FigureFormat>,
    /// PNG resolution in dots per inch.
    pub dpi: u32,
    /// Printed size.
    pub size: FigureSize,
}

impl Default for FigureOptions {
    fn default() -> Self {
        FigureOptions {
            formats: Vec::new(),
            dpi: 300,
            size: FigureSize::COLUMN,
        }
    }
}

impl FigureOptions {
    /// From the option values as typed: `figures` a comma list of svg, png, pdf (or `none`;
    /// `None` = none), `dpi` 72..=2400 (`None` = 300), `size` as [`FigureSize::parse`]
    /// (`None` = column). Each error names its option.
    pub fn parse(figures: Option<&str>, dpi: Option<&str>, size: Option<&str>) -> Result<Self> {
        let mut o = FigureOptions::default();
        if let Some(list) = figures {
            for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if part.eq_ignore_ascii_case("none") {
                    continue;
                }
                let f = FigureFormat::parse(part).map_err(|_| {
                    input(format!(
                        "--figures {list}: \"{part}\" is not a figure format; expected a comma \
                         list of svg, png, pdf (e.g. --figures svg,png)"
                    ))
                })?;
                if f == FigureFormat::Pdf && !PDF_BUILT {
                    return Err(input(format!(
                        "--figures {list}: PDF figures are not built into this xietong; rebuild \
                         with `cargo build --release --features pdf` (or use svg, png)"
                    )));
                }
                if !o.formats.contains(&f) {
                    o.formats.push(f);
                }
            }
        }
        if let Some(d) = dpi {
            o.dpi = d
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|v| (72..=2400).contains(v))
                .ok_or_else(|| {
                    input(format!(
                        "--dpi {d}: expected a whole number of dots per inch from 72 to 2400 \
                         (300 is the usual journal requirement, 600 for fine line art)"
                    ))
                })?;
        }
        if let Some(s) = size {
            o.size = FigureSize::parse(s).map_err(|e| input(format!("--figure-size: {e}")))?;
        }
        Ok(o)
    }
}

/// A chart of a report with the file stem and caption it is exported under.
pub struct FigureRef<'a> {
    pub stem: &'a str,
    pub caption: &'a str,
    pub chart: &'a dyn Chart,
}

fn draw_err(what: String) -> impl FnOnce(xietong_report::ReportError) -> Error {
    move |source| Error::Draw { what, source }
}

/// `figures/<stem>.<ext>` for every chart and every format of `opts`.
pub fn figure_files(figs: &[FigureRef], opts: &FigureOptions) -> Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    for f in figs {
        for &fmt in &opts.formats {
            let name = format!("figures/{}.{}", f.stem, fmt.extension());
            let bytes = export_figure(f.chart, &opts.size, fmt, opts.dpi)
                .map_err(draw_err(name.clone()))?;
            out.push(OutputFile { name, bytes });
        }
    }
    Ok(out)
}

/// Every table of `report`, in order.
pub fn report_tables(report: &HtmlReport) -> Vec<Table> {
    report
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// `tables.xlsx` (one sheet per table), `tables.tex` (booktabs) and `report.docx` (the
/// report's headings, notes and three-line tables, then every figure as a 300-dpi PNG at
/// `size`, at most the page's text width). A report without tables gets only the docx.
pub fn table_files(
    report: &HtmlReport,
    figs: &[FigureRef],
    size: &FigureSize,
) -> Result<Vec<OutputFile>> {
    let tables = report_tables(report);
    let mut out = Vec::new();
    if !tables.is_empty() {
        let xlsx =
            xietong_report::tables_to_xlsx(&tables).map_err(draw_err("tables.xlsx".into()))?;
        out.push(OutputFile {
            name: "tables.xlsx".into(),
            bytes: xlsx,
        });
        let head = if report.subtitle.is_empty() {
            report.title.clone()
        } else {
            format!("{} — {}", report.title, report.subtitle)
        };
        let mut tex = format!(
            "% {head}\n% tables written by xietong; \\input{{tables}} into a document that loads booktabs\n\n"
        );
        for t in &tables {
            tex.push_str(&t.to_latex());
            tex.push('\n');
        }
        out.push(OutputFile {
            name: "tables.tex".into(),
            bytes: tex.into_bytes(),
        });
    }
    let mut doc = WordDocument::from_report(report);
    if !figs.is_empty() {
        doc.parts
            .push(WordPart::Heading(report.lang.pick("Figures", "图").into()));
        let docx_size = FigureSize {
            width_mm: size.width_mm.min(166.0),
            height_mm: size.height_mm,
        };
        for f in figs {
            doc.add_chart(f.caption, f.chart, &docx_size)
                .map_err(draw_err(format!("report.docx figure {}", f.stem)))?;
        }
    }
    out.push(OutputFile {
        name: "report.docx".into(),
        bytes: doc.to_docx().map_err(draw_err("report.docx".into()))?,
    });
    Ok(out)
}

/// Both [`figure_files`] and [`table_files`].
pub fn export_files(
    report: &HtmlReport,
    figs: &[FigureRef],
    opts: &FigureOptions,
) -> Result<Vec<OutputFile>> {
    let mut out = figure_files(figs, opts)?;
    out.extend(table_files(report, figs, &opts.size)?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_bytes_do_not_depend_on_the_clock() {
        // rust_xlsxwriter stamps the current second unless the creation time is set; two
        // files made more than a second apart must still be identical
        let t = Table {
            caption: "c".into(),
            header: vec!["a".into()],
            rows: vec![vec!["1".into()]],
            note: None,
        };
        let report = HtmlReport {
            title: "r".into(),
            sections: vec![xietong_report::Section {
                heading: "s".into(),
                blocks: vec![xietong_report::Block::Table(t)],
            }],
            ..Default::default()
        };
        let xlsx = || {
            table_files(&report, &[], &FigureSize::COLUMN)
                .unwrap()
                .into_iter()
                .find(|f| f.name == "tables.xlsx")
                .unwrap()
                .bytes
        };
        let first = xlsx();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert!(first == xlsx(), "tables.xlsx differs between two runs");
    }

    #[test]
    fn options_parse_and_name_the_option() {
        let o = FigureOptions::parse(Some("svg, PNG,svg"), Some("600"), Some("page")).unwrap();
        assert_eq!(o.formats, vec![FigureFormat::Svg, FigureFormat::Png]);
        assert_eq!((o.dpi, o.size), (600, FigureSize::PAGE));
        assert_eq!(
            FigureOptions::parse(None, None, None).unwrap(),
            FigureOptions::default()
        );
        let e = |f, d, s| FigureOptions::parse(f, d, s).unwrap_err().to_string();
        assert!(e(Some("svg,jpg"), None, None).starts_with("--figures"));
        assert!(e(None, Some("30"), None).starts_with("--dpi 30"));
        assert!(e(None, Some("3e2"), None).starts_with("--dpi"));
        assert!(e(None, None, Some("wide")).starts_with("--figure-size"));
        let pdf = FigureOptions::parse(Some("pdf"), None, None);
        assert_eq!(pdf.is_ok(), PDF_BUILT);
        if !PDF_BUILT {
            assert!(pdf.unwrap_err().to_string().contains("--features pdf"));
        }
    }
}
