//! `--figures`, `--dpi`, `--figure-size` and the journal table files (tables.xlsx, tables.tex,
//! report.docx) of `survey analyze` and `compare`.

mod common;
use common::*;
use std::fs;
use std::io::Read;
use std::path::Path;

/// The text of every XML part of a zip container (.xlsx, .docx).
fn zip_text(path: &Path) -> String {
    let mut z = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.name().unwrap().ends_with(".xml") {
            f.read_to_string(&mut all).unwrap();
        }
    }
    all
}

/// Width in px and whether a pHYs (resolution) chunk is present, read from the PNG's chunks.
fn png_info(bytes: &[u8]) -> (u32, Option<u32>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if &bytes[at + 4..at + 8] == b"pHYs" {
            let ppm = u32::from_be_bytes(bytes[at + 8..at + 12].try_into().unwrap());
            return (width, Some(ppm));
        }
        at += 12 + len;
    }
    (width, None)
}

/// Every chart of the report (charts/*.svg) is in figures/ as svg and png at page width.
fn check_figures(out: &Path, stems: &[String]) {
    assert!(!stems.is_empty());
    let want = (175.0 / 25.4 * 300.0_f64).round() as u32;
    for stem in stems {
        let svg = fs::read_to_string(out.join(format!("figures/{stem}.svg"))).unwrap();
        assert!(
            svg.contains("width=\"175.00mm\""),
            "{stem}: {}",
            &svg[..200]
        );
        let png = fs::read(out.join(format!("figures/{stem}.png"))).unwrap();
        let (w, ppm) = png_info(&png);
        assert_eq!(w, want, "{stem}");
        // 300 dpi = 11811 px per metre
        assert_eq!(ppm, Some((300.0 / 0.0254_f64).round() as u32), "{stem}");
    }
}

#[test]
fn survey_analyze_writes_print_figures_and_journal_tables() {
    let d = tmpdir("fig-survey");
    let out = d.join("q1");
    let demo = example("survey", "paper-demo");
    let r = xietong(&[
        "survey",
        "analyze",
        s(&demo.join("synthetic_q1_standards_use.csv")),
        "--codebook",
        s(&demo.join("paper_q1_codebook.toml")),
        "--lang",
        "en",
        "--out",
        s(&out),
        "--figures",
        "svg,png",
        "--dpi",
        "300",
        "--figure-size",
        "page",
    ]);
    assert_ok(&r);
    let stems: Vec<String> = fs::read_dir(out.join("charts"))
        .unwrap()
        .map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".svg").unwrap().to_string()
        })
        .collect();
    check_figures(&out, &stems);
    assert_eq!(
        fs::read_dir(out.join("figures")).unwrap().count(),
        2 * stems.len()
    );
    let caption = "Descriptive statistics of rating items";
    let tex = fs::read_to_string(out.join("tables.tex")).unwrap();
    assert!(tex.contains(&format!("\\caption{{{caption}}}")), "{tex}");
    assert!(tex.contains("\\toprule") && tex.contains("\\bottomrule"));
    let tables = fs::read_dir(out.join("tables")).unwrap().count();
    assert_eq!(tex.matches("\\begin{tabular}").count(), tables);
    let xlsx = zip_text(&out.join("tables.xlsx"));
    assert!(xlsx.contains(caption));
    let docx = zip_text(&out.join("report.docx"));
    assert!(docx.contains(caption));
    // the means chart is a figure of the docx, by its caption
    assert!(docx.contains("Means by Zone"), "no means figure caption");
}

#[test]
fn compare_writes_print_figures_and_journal_tables() {
    let d = tmpdir("fig-cmp");
    let out = d.join("cmp");
    let r = xietong(&[
        "compare",
        "--variant",
        "rigid:levers.flexibility=0.1",
        "--variant",
        "flexible:levers.flexibility=0.9",
        "--set",
        "calendar.periods=16",
        "--runs",
        "4",
        "--out",
        s(&out),
        "--figures",
        "svg,png",
        "--dpi",
        "300",
        "--figure-size",
        "page",
    ]);
    assert_ok(&r);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let stems: Vec<String> = fs::read_dir(out.join("figures"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".svg").map(str::to_string)
        })
        .collect();
    // one figure per chart of the report
    assert_eq!(stems.len(), html.matches("<svg").count());
    check_figures(&out, &stems);
    let tex = fs::read_to_string(out.join("tables.tex")).unwrap();
    assert!(tex.contains("\\caption{Variants}"), "{tex}");
    assert!(tex.contains("flexible"));
    assert!(zip_text(&out.join("tables.xlsx")).contains("flexible"));
    let docx = zip_text(&out.join("report.docx"));
    assert!(docx.contains("Variants") && docx.contains("levers.flexibility=0.9"));
}

#[test]
fn bad_figure_options_exit_2_naming_the_option_and_write_nothing() {
    let d = tmpdir("fig-bad");
    let demo = example("survey", "paper-demo");
    for (opt, val) in [
        ("--figure-size", "wide"),
        ("--figure-size", "12x8"),
        ("--dpi", "20"),
        ("--dpi", "many"),
        ("--figures", "svg,jpg"),
    ] {
        let out = d.join("never");
        let r = xietong(&[
            "survey",
            "analyze",
            s(&demo.join("synthetic_q1_standards_use.csv")),
            "--codebook",
            s(&demo.join("paper_q1_codebook.toml")),
            "--out",
            s(&out),
            opt,
            val,
        ]);
        assert_eq!(r.status.code(), Some(2), "{opt} {val}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(opt), "{opt} {val}: {err}");
        assert!(!out.exists(), "{opt} {val} wrote {}", out.display());
        let out = d.join("never-cmp");
        let r = xietong(&["compare", "--runs", "2", "--out", s(&out), opt, val]);
        assert_eq!(r.status.code(), Some(2), "compare {opt} {val}");
        assert!(String::from_utf8_lossy(&r.stderr).contains(opt));
        assert!(!out.exists());
    }
    #[cfg(not(feature = "pdf"))]
    {
        let r = xietong(&[
            "compare",
            "--runs",
            "2",
            "--out",
            s(&d.join("p")),
            "--figures",
            "pdf",
        ]);
        assert_eq!(r.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&r.stderr).contains("cargo build --release --features pdf")
        );
    }
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_figures_embed_the_font() {
    let d = tmpdir("fig-pdf");
    let out = d.join("cmp");
    let r = xietong(&[
        "compare",
        "--variant",
        "rigid:levers.flexibility=0.1",
        "--variant",
        "flexible:levers.flexibility=0.9",
        "--set",
        "calendar.periods=16",
        "--runs",
        "2",
        "--lang",
        "zh",
        "--out",
        s(&out),
        "--figures",
        "pdf",
    ]);
    assert_ok(&r);
    let pdfs: Vec<_> = fs::read_dir(out.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!pdfs.is_empty());
    for p in pdfs {
        let b = fs::read(&p).unwrap();
        assert!(b.starts_with(b"%PDF"), "{}", p.display());
        let text = String::from_utf8_lossy(&b);
        assert!(
            text.contains("WenQuanYi"),
            "{}: font not embedded",
            p.display()
        );
    }
}

#[test]
fn run_writes_figures_and_tables_and_a_chinese_summary() {
    let d = tmpdir("fig-run");
    let out = d.join("run");
    let r = xietong(&[
        "run",
        "--runs",
        "2",
        "--lang",
        "zh",
        "--out",
        s(&out),
        "--figures",
        "svg",
    ]);
    assert_ok(&r);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("问卷窗口期") && !err.contains("survey window"),
        "{err}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let figs = fs::read_dir(out.join("figures")).unwrap().count();
    assert_eq!(figs, html.matches("<svg").count());
    // the x ticks are years, and so is the axis title
    assert!(html.contains("年份") && !html.contains("季度</text>"));
    let tex = fs::read_to_string(out.join("tables.tex")).unwrap();
    assert!(tex.contains("\\caption{各次模拟的结果}"), "{tex}");
    assert!(zip_text(&out.join("report.docx")).contains("各次模拟的结果"));
}

#[test]
fn game_commands_write_print_figures_and_the_rest_point_table() {
    let d = tmpdir("fig-game");
    let game = example("games", "stag_hunt.toml");
    let tables = d.join("tables");
    let r = xietong(&["game", "analyze", s(&game), "--tables", s(&tables)]);
    assert_ok(&r);
    let tex = fs::read_to_string(tables.join("tables.tex")).unwrap();
    assert!(
        tex.contains("rest points}") && tex.contains("E5 & interior & (0.75, 0.75)"),
        "{tex}"
    );
    assert!(zip_text(&tables.join("report.docx")).contains("stable (ESS)"));
    assert!(zip_text(&tables.join("tables.xlsx")).contains("saddle"));
    let out = d.join("sim");
    let r = xietong(&[
        "game",
        "simulate",
        s(&game),
        "--out",
        s(&out),
        "--figures",
        "png",
        "--dpi",
        "600",
    ]);
    assert_ok(&r);
    // the screen-size svg figures as before, and print-size PNGs one column wide at 600 dpi
    assert!(out.join("phase.svg").exists());
    let (w, _) = png_info(&fs::read(out.join("figures/phase.png")).unwrap());
    assert_eq!(w, (85.0 / 25.4 * 600.0_f64).round() as u32);
}
