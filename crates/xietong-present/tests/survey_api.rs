//! The survey presentation API called directly (no CLI): tables show the library's numbers and an
//! analysis yields every file of its results folder.

use std::path::Path;
use xietong_present::Lang;
use xietong_present::survey;
use xietong_survey::codebook::Codebook;
use xietong_survey::read::{ReadOptions, read_table};
use xietong_survey::{analyze, quick};

fn sample(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/survey")
        .join(name)
}

#[test]
fn ttest_text_shows_the_reports_statistics() {
    let t = read_table(&sample("wjx_sample.csv"), &ReadOptions::default()).unwrap();
    let levels = vec!["四川".to_string(), "重庆".to_string()];
    let r = quick::ttest_report(
        &t,
        "5、政策执行工作情况",
        "1、您所在的省份",
        Some(&levels),
        &[],
        0.95,
        false,
    )
    .unwrap();
    let text = survey::ttest_text(&r);
    let student = text.lines().find(|l| l.starts_with("Student")).unwrap();
    assert!(
        student.contains(&format!("{:.3}", r.test.student.t)),
        "{student}"
    );
    assert!(text.contains(&format!("Cohen's d = {:.3}", r.test.cohen_d)));
    for g in &r.groups {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&g.level) && l.contains(&g.n.to_string()))
        );
    }
    let e = survey::check_conf(1.5).unwrap_err();
    assert!(e.is_input());
    assert_eq!(e.to_string(), "--conf must be between 0 and 1, got 1.5");
}

#[test]
fn analysis_files_hold_every_table_and_chart_and_the_reports() {
    let t = read_table(&sample("wjx_sample.csv"), &ReadOptions::default()).unwrap();
    let text = std::fs::read_to_string(sample("wjx_sample_codebook.toml")).unwrap();
    let cb = Codebook::from_toml("wjx_sample_codebook.toml", &text).unwrap();
    let a = analyze::analyze(&t, &cb, Lang::En).unwrap();
    let opts = xietong_present::figures::FigureOptions::parse(Some("svg"), None, None).unwrap();
    let files = survey::analysis_files_with(&a, Lang::En, &opts).unwrap();
    assert_eq!(
        survey::analysis_files(&a, Lang::En).unwrap().len(),
        a.tables.len() + a.charts.len() + 3
    );
    // csv + chart svg + json/md/html + figures/*.svg + xlsx/tex/docx
    assert_eq!(files.len(), a.tables.len() + 2 * a.charts.len() + 6);
    for f in &a.charts {
        let fig = files
            .iter()
            .find(|x| x.name == format!("figures/{}.svg", f.stem))
            .unwrap();
        // laid out at one column (8.5 cm), sized in mm for word processors
        assert!(String::from_utf8_lossy(&fig.bytes).contains("width=\"85.00mm\""));
    }
    let tex = files.iter().find(|f| f.name == "tables.tex").unwrap();
    let tex = String::from_utf8_lossy(&tex.bytes);
    assert_eq!(tex.matches("\\toprule").count(), a.tables.len());
    for (stem, table) in &a.tables {
        let f = files
            .iter()
            .find(|f| f.name == format!("tables/{stem}.csv"))
            .unwrap();
        assert_eq!(f.bytes, table.to_csv().into_bytes());
    }
    let json = files.iter().find(|f| f.name == "results.json").unwrap();
    assert_eq!(
        json.bytes,
        serde_json::to_string_pretty(&a.json).unwrap().into_bytes()
    );
    let html = files.iter().find(|f| f.name == "report.html").unwrap();
    assert!(String::from_utf8_lossy(&html.bytes).contains(&a.title));
    // Every file lies under a name the results folder owns.
    for f in &files {
        let top = f.name.split('/').next().unwrap();
        assert!(survey::ANALYSIS_FILES.contains(&top), "{}", f.name);
    }
}

#[test]
fn demo_inputs_are_the_seeded_synthetic_data_and_the_codebooks() {
    let a = survey::demo_inputs(2024);
    let b = survey::demo_inputs(2024);
    let c = survey::demo_inputs(7);
    assert_eq!(a, b);
    assert_ne!(a[0].bytes, c[0].bytes);
    assert_eq!(a[2].bytes, xietong_survey::paper::CODEBOOK_Q1.as_bytes());
    assert!(a[0].name.ends_with(".csv") && a[1].name.ends_with(".csv"));
}
