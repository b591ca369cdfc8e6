//! Files for journals: PNG at print resolution, PDF with an embedded font (feature `pdf`),
//! .xlsx and .docx tables (feature `office`), each opened and inspected.

use std::io::Read;
use xietong_report::*;

fn chart() -> BarChart {
    BarChart {
        title: "平均合作水平".into(),
        x_label: "机制".into(),
        y_label: "合作率".into(),
        categories: vec!["利益共享".into(), "纵向干预".into(), "Reputation".into()],
        groups: vec![BarGroup {
            name: "成都".into(),
            values: vec![0.6, 0.4, 0.1],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn png_info(png: &[u8]) -> (u32, u32, f64) {
    let dec = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let info = dec.info();
    let dims = info.pixel_dims.expect("pHYs chunk");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!(dims.xppu, dims.yppu);
    (info.width, info.height, dims.xppu as f64 * 0.0254)
}

#[test]
fn png_size_is_dpi_times_physical_size() {
    for (size, dpi) in [
        ("column", 300),
        ("page", 600),
        ("12x8cm", 300),
        ("3.5x2.5in", 150),
    ] {
        let s: FigureSize = size.parse().unwrap();
        let png = export_figure(&chart(), &s, FigureFormat::Png, dpi).unwrap();
        let (w, h, recorded) = png_info(&png);
        assert_eq!(
            w,
            (s.width_mm / 25.4 * dpi as f64).round() as u32,
            "{size} width"
        );
        if let Some(hm) = s.height_mm {
            assert_eq!(h, (hm / 25.4 * dpi as f64).round() as u32, "{size} height");
        } else {
            assert!(h > w / 3 && h < w * 2, "{size}: {w}x{h}");
        }
        assert!(
            (recorded - dpi as f64).abs() < 0.05,
            "recorded {recorded} dpi"
        );
    }
    let e = export_figure(&chart(), &FigureSize::PAGE, FigureFormat::Png, 5000).unwrap_err();
    assert!(e.to_string().contains("dpi"), "{e}");
}

#[test]
fn svg_export_has_millimetre_size() {
    let svg = String::from_utf8(
        export_figure(&chart(), &"12x8cm".parse().unwrap(), FigureFormat::Svg, 300).unwrap(),
    )
    .unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let r = doc.root_element();
    assert_eq!(r.attribute("width"), Some("120.00mm"));
    assert_eq!(r.attribute("height"), Some("80.00mm"));
    // the layout width keeps 12-px text at 8 pt: 120 mm / MM_PER_PX layout px
    let vb: Vec<f64> = r
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert!((vb[2] - (120.0 / MM_PER_PX).round()).abs() < 0.5);
}

#[test]
fn styled_charts_export_too() {
    let c = chart().with_value_range(-1.0, 1.0);
    let png = export_figure(&c, &FigureSize::COLUMN, FigureFormat::Png, 300).unwrap();
    assert_eq!(png_info(&png).0, 1004);
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_embeds_the_cjk_font_and_has_the_printed_size() {
    let pdf = export_figure(&chart(), &"12x8cm".parse().unwrap(), FigureFormat::Pdf, 300).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(64)..]).to_string();
    assert!(tail.trim_end().ends_with("%%EOF"), "{tail}");
    // the cross-reference table is where startxref says
    let at: usize = tail
        .split("startxref")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(pdf[at..].starts_with(b"xref") || pdf[at..].windows(7).take(40).any(|w| w == b"/XRef"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        text.contains("/FontFile2") || text.contains("/FontFile3"),
        "no embedded font program"
    );
    assert!(
        text.contains("WenQuanYi") || text.contains("WenQuanYiMicroHei"),
        "font not named"
    );
    // MediaBox of 120 x 80 mm in points
    let mb = text.split("/MediaBox").nth(1).unwrap();
    let nums: Vec<f64> = mb
        .trim_start()
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        (nums[2] - nums[0] - 120.0 / 25.4 * 72.0).abs() < 0.5,
        "{nums:?}"
    );
    assert!(
        (nums[3] - nums[1] - 80.0 / 25.4 * 72.0).abs() < 0.5,
        "{nums:?}"
    );
}

#[cfg(not(feature = "pdf"))]
#[test]
fn pdf_without_the_feature_says_how_to_get_it() {
    let e = export_figure(&chart(), &FigureSize::COLUMN, FigureFormat::Pdf, 300).unwrap_err();
    assert!(e.to_string().contains("feature `pdf`"), "{e}");
}

fn tables() -> Vec<Table> {
    vec![
        Table {
            caption: "政策比较 Policy comparison".into(),
            header: vec![
                "比较".into(),
                "差值".into(),
                "95% CI".into(),
                "p".into(),
                "n".into(),
            ],
            rows: vec![
                vec![
                    "cadre_incentives − no_cadre_incentives".into(),
                    "0.124".into(),
                    "[0.05, 0.20]".into(),
                    format_p(0.0002),
                    "200".into(),
                ],
                vec![
                    "利益共享 − 基线".into(),
                    "−0.031".into(),
                    "[−0.09, 0.03]".into(),
                    format_p(0.31),
                    "1,200".into(),
                ],
            ],
            note: Some("配对比较（共同随机数）。".into()),
        },
        Table {
            caption: "Items".into(),
            header: vec!["Item".into(), "M".into()],
            rows: vec![vec!["Q1".into(), "3.50".into()]],
            note: None,
        },
    ]
}

#[cfg(feature = "office")]
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        out.insert(f.name().unwrap().to_string(), v);
    }
    out
}

#[cfg(feature = "office")]
#[test]
fn xlsx_holds_cells_numbers_as_numbers_and_borders() {
    let x = tables_to_xlsx(&tables()).unwrap();
    let parts = unzip(&x);
    assert!(parts.contains_key("xl/workbook.xml"));
    let wb = String::from_utf8(parts["xl/workbook.xml"].clone()).unwrap();
    let doc = roxmltree::Document::parse(&wb).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("sheet"))
        .map(|n| n.attribute("name").unwrap())
        .collect();
    assert_eq!(names, ["政策比较 Policy comparison", "Items"]);
    let shared = String::from_utf8(parts["xl/sharedStrings.xml"].clone()).unwrap();
    let sdoc = roxmltree::Document::parse(&shared).unwrap();
    let strings: Vec<String> = sdoc
        .descendants()
        .filter(|n| n.has_tag_name("si"))
        .map(|n| {
            n.descendants()
                .filter(|t| t.is_text())
                .map(|t| t.text().unwrap())
                .collect()
        })
        .collect();
    for s in [
        "比较",
        "cadre_incentives − no_cadre_incentives",
        "[0.05, 0.20]",
        "< 0.001",
        "配对比较（共同随机数）。",
    ] {
        assert!(strings.iter().any(|x| x == s), "{s:?} not in {strings:?}");
    }
    let sheet = String::from_utf8(parts["xl/worksheets/sheet1.xml"].clone()).unwrap();
    let d = roxmltree::Document::parse(&sheet).unwrap();
    let numbers: Vec<f64> = d
        .descendants()
        .filter(|n| n.has_tag_name("c") && n.attribute("t").is_none())
        .filter_map(|n| n.descendants().find(|v| v.has_tag_name("v")))
        .map(|v| v.text().unwrap().parse().unwrap())
        .collect();
    for v in [0.124, -0.031, 200.0, 1200.0] {
        assert!(
            numbers.iter().any(|x| (x - v).abs() < 1e-12),
            "{v} not a number cell: {numbers:?}"
        );
    }
    let styles = String::from_utf8(parts["xl/styles.xml"].clone()).unwrap();
    assert!(
        styles.contains("medium") && styles.contains("thin"),
        "three-line borders"
    );
    assert!(styles.contains("<b/>"), "bold header");
}

#[cfg(feature = "office")]
#[test]
fn docx_holds_three_line_tables_and_figures() {
    let mut d = WordDocument {
        title: "政策比较".into(),
        subtitle: "scenario".into(),
        lang: Lang::Zh,
        parts: vec![
            WordPart::Heading("结果".into()),
            WordPart::Paragraph("说明 & <注意>".into()),
        ],
    };
    for t in tables() {
        d.parts.push(WordPart::Table(t));
    }
    d.add_chart("平均合作水平", &chart(), &FigureSize::COLUMN)
        .unwrap();
    let bytes = d.to_docx().unwrap();
    let parts = unzip(&bytes);
    for p in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/_rels/document.xml.rels",
        "word/styles.xml",
        "word/media/image1.png",
    ] {
        assert!(parts.contains_key(p), "{p} missing");
        if p.ends_with(".xml") || p.ends_with(".rels") {
            roxmltree::Document::parse(std::str::from_utf8(&parts[p]).unwrap())
                .unwrap_or_else(|e| panic!("{p}: {e}"));
        }
    }
    let xml = String::from_utf8(parts["word/document.xml"].clone()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let texts: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("t"))
        .map(|n| n.text().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("|");
    for s in [
        "政策比较",
        "表 1  政策比较 Policy comparison",
        "cadre_incentives − no_cadre_incentives",
        "< 0.001",
        "注：",
        "图 1  平均合作水平",
        "说明 & <注意>",
    ] {
        assert!(texts.contains(s), "{s:?} not in {texts}");
    }
    let tbls: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tbl"))
        .collect();
    assert_eq!(tbls.len(), 2);
    // three-line: thick top and bottom table rules, no vertical or inner rules, thin rule under the header
    let borders = tbls[0]
        .descendants()
        .find(|n| n.has_tag_name("tblBorders"))
        .unwrap();
    let attr = |side: &str| {
        let n = borders.children().find(|n| n.has_tag_name(side)).unwrap();
        (
            n.attributes()
                .find(|a| a.name() == "val")
                .unwrap()
                .value()
                .to_string(),
            n.attributes()
                .find(|a| a.name() == "sz")
                .map(|a| a.value().to_string()),
        )
    };
    assert_eq!(attr("top"), ("single".into(), Some("12".into())));
    assert_eq!(attr("bottom"), ("single".into(), Some("12".into())));
    for side in ["left", "right", "insideH", "insideV"] {
        assert_eq!(attr(side).0, "nil", "{side}");
    }
    let header = tbls[0].children().find(|n| n.has_tag_name("tr")).unwrap();
    assert!(header.descendants().any(|n| n.has_tag_name("tblHeader")));
    assert!(
        header
            .descendants()
            .filter(|n| n.has_tag_name("tcBorders"))
            .count()
            == 5
    );
    // the image relationship resolves to the PNG part, whose size matches the chart at 300 dpi
    let rels = String::from_utf8(parts["word/_rels/document.xml.rels"].clone()).unwrap();
    assert!(rels.contains("Id=\"rIdImg1\"") && rels.contains("Target=\"media/image1.png\""));
    assert!(xml.contains("r:embed=\"rIdImg1\""));
    let png = &parts["word/media/image1.png"];
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1004);
    // 85 mm wide in EMU
    assert!(xml.contains("cx=\"3060000\""));
}

#[cfg(feature = "office")]
#[test]
fn docx_from_report_keeps_tables_and_rejects_bad_png() {
    let r = HtmlReport {
        title: "Report".into(),
        sections: vec![Section {
            heading: "One".into(),
            blocks: vec![Block::Table(tables()[1].clone()), Block::Note("n".into())],
        }],
        ..Default::default()
    };
    let d = WordDocument::from_report(&r);
    assert_eq!(d.parts.len(), 3);
    assert!(d.to_docx().is_ok());
    let bad = WordDocument {
        parts: vec![WordPart::Figure {
            caption: "x".into(),
            png: vec![1, 2, 3],
            width_mm: 80.0,
        }],
        ..Default::default()
    };
    assert!(bad.to_docx().unwrap_err().to_string().contains("not a PNG"));
    assert!(tables_to_xlsx(&[]).is_err());
}

/// Opens the files in LibreOffice when it is installed (CI: set XIETONG_REQUIRE_OFFICE=1 to
/// make its absence a failure): both must convert to PDF.
#[cfg(feature = "office")]
#[test]
fn libreoffice_opens_xlsx_and_docx() {
    let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        if std::env::var("XIETONG_REQUIRE_OFFICE").as_deref() == Ok("1") {
            panic!("LibreOffice not found but XIETONG_REQUIRE_OFFICE=1");
        }
        eprintln!("skipped: LibreOffice (soffice) not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("xietong-office-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut d = WordDocument {
        title: "政策比较".into(),
        lang: Lang::Zh,
        ..Default::default()
    };
    d.parts.push(WordPart::Table(tables()[0].clone()));
    d.add_chart("平均合作水平", &chart(), &FigureSize::COLUMN)
        .unwrap();
    std::fs::write(dir.join("t.docx"), d.to_docx().unwrap()).unwrap();
    std::fs::write(dir.join("t.xlsx"), tables_to_xlsx(&tables()).unwrap()).unwrap();
    for f in ["t.docx", "t.xlsx"] {
        let profile = dir.join(format!("profile-{f}"));
        let st = std::process::Command::new(soffice)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(dir.join(f))
            .output()
            .unwrap();
        let pdf = dir.join(f.replace(".docx", ".pdf").replace(".xlsx", ".pdf"));
        assert!(
            st.status.success() && pdf.exists(),
            "{f}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 2000, "{f}");
        std::fs::remove_file(pdf).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
