//! Writes sample print outputs into a directory, to look at them (and for docs/reports.md):
//! `cargo run --release -p xietong-report --features pdf --example export_samples -- /tmp/samples`
//!
//! A 40-item Likert chart, a horizontal comparison with long labels, an 80-series sweep with
//! one highlighted line, a phase portrait, each as SVG, 300-dpi PNG and (feature `pdf`) PDF;
//! an HTML report with a 40-item table; the tables as .xlsx, .docx and LaTeX.

use xietong_report::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "samples".into()));
    std::fs::create_dir_all(&dir)?;
    let n = 40;
    let items: Vec<String> = (0..n)
        .map(|i| match i % 4 {
            0 => format!(
                "Q{} 本地政府愿意与相邻地区共享经济发展数据和行政审批信息资源",
                i + 1
            ),
            1 => format!("Q{} 协同", i + 1),
            2 => format!("Q{} cadre_incentives − no_cadre_incentives", i + 1),
            _ => format!("Q{} 上级政府的纵向干预有助于推动跨区域合作", i + 1),
        })
        .collect();
    let likert = DivergingBarChart {
        title: "各题回答分布".into(),
        items: items.clone(),
        levels: ["非常不同意", "不同意", "中立", "同意", "非常同意"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        shares: (0..n)
            .map(|i| {
                let k = (i % 5) as f64;
                vec![0.1 + k * 0.02, 0.2, 0.2, 0.3 - k * 0.02, 0.2]
            })
            .collect(),
        width: 0,
        height: 0,
    };
    let compare = BarChart {
        title: "cooperation: A − B".into(),
        x_label: "比较 comparison".into(),
        y_label: "合作率差值 difference in cooperation rate".into(),
        categories: vec![
            "cadre_incentives − no_cadre_incentives".into(),
            "利益共享机制 − 基线情景（无横向转移支付）".into(),
            "reputation − baseline".into(),
        ],
        groups: vec![BarGroup {
            name: "差值".into(),
            values: vec![0.12, -0.03, 0.05],
            err_low: Some(vec![0.05, -0.09, 0.01]),
            err_high: Some(vec![0.2, 0.03, 0.09]),
        }],
        horizontal: true,
        width: 0,
        height: 0,
    };
    let means = BarChart {
        title: "各组均值 (95% CI)".into(),
        x_label: "地区".into(),
        y_label: "均值".into(),
        categories: vec!["成都".into(), "重庆".into(), "其他".into()],
        groups: vec![BarGroup {
            name: "信任".into(),
            values: vec![3.4, 3.9, 2.8],
            err_low: Some(vec![3.2, 3.7, 2.5]),
            err_high: Some(vec![3.6, 4.1, 3.1]),
        }],
        horizontal: false,
        width: 0,
        height: 0,
    }
    .with_value_range(1.0, 5.0);
    let sweep = LineChart {
        title: "初始合作比例扫描".into(),
        x_label: "时间".into(),
        y_label: "合作比例".into(),
        series: (0..27)
            .map(|k| {
                let x0 = k as f64 / 27.0;
                Series {
                    name: format!("初始 {} ({:.2})", k + 1, x0),
                    x: (0..60).map(|t| t as f64).collect(),
                    y: (0..60)
                        .map(|t| {
                            if k == 20 {
                                x0 + (1.0 - x0) * (1.0 - (-(t as f64) / 8.0).exp())
                            } else {
                                x0 * (-(t as f64) / 15.0).exp()
                            }
                        })
                        .collect(),
                    lower: None,
                    upper: None,
                }
            })
            .collect(),
        y_range: Some((0.0, 1.0)),
        ..Default::default()
    }
    .with_highlight(vec![20]);
    let phase = PhasePortrait {
        title: "相图".into(),
        x_label: "x 合作比例".into(),
        y_label: "y 合作比例".into(),
        arrows: (1..10)
            .flat_map(|i| {
                (1..10).map(move |j| {
                    let (x, y) = (i as f64 / 10.0, j as f64 / 10.0);
                    (
                        (x, y),
                        (x * (1.0 - x) * (y - 0.4), y * (1.0 - y) * (x - 0.6)),
                    )
                })
            })
            .collect(),
        trajectories: vec![
            (0..=200)
                .map(|i| {
                    let t = i as f64 / 200.0;
                    (0.2 + 0.7 * t, 0.8 - 0.5 * t * t)
                })
                .collect(),
            (0..=200)
                .map(|i| {
                    let t = i as f64 / 200.0;
                    (0.8 - 0.6 * t, 0.2 + 0.7 * t)
                })
                .collect(),
        ],
        markers: vec![Marker {
            x: 0.6,
            y: 0.4,
            label: "E5".into(),
            filled: false,
        }],
        width: 0,
        height: 0,
    };
    let charts: Vec<(&str, &dyn Chart, FigureSize)> = vec![
        ("likert40", &likert, FigureSize::PAGE),
        ("compare", &compare, FigureSize::COLUMN),
        ("means", &means, FigureSize::COLUMN),
        ("sweep", &sweep, FigureSize::ONE_AND_HALF),
        ("phase", &phase, "8.5x8.5cm".parse()?),
    ];
    for (name, c, size) in &charts {
        for fmt in [FigureFormat::Svg, FigureFormat::Png, FigureFormat::Pdf] {
            match export_figure(*c, size, fmt, 300) {
                Ok(bytes) => {
                    std::fs::write(dir.join(format!("{name}.{}", fmt.extension())), bytes)?
                }
                Err(e) => eprintln!("{name}.{}: {e}", fmt.extension()),
            }
        }
    }
    let table = Table {
        caption: "各题描述统计与地区比较".into(),
        header: [
            "题目", "n", "M", "SD", "成都 M", "重庆 M", "其他 M", "F", "p", "η²",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let m = 3.0 + (i % 7) as f64 * 0.2;
                vec![
                    it.clone(),
                    "412".into(),
                    format!("{m:.2}"),
                    "0.94".into(),
                    format!("{:.2}", m + 0.1),
                    format!("{:.2}", m - 0.1),
                    format!("{m:.2}"),
                    "2.31".into(),
                    format_p(if i % 3 == 0 { 0.0004 } else { 0.0412 }),
                    "0.011".into(),
                ]
            })
            .collect(),
        note: Some("p: 单因素方差分析。".into()),
    };
    let report = HtmlReport {
        title: "问卷分析报告".into(),
        subtitle: "40 题".into(),
        lang: Lang::Zh,
        sections: vec![Section {
            heading: "评分题".into(),
            blocks: vec![Block::Table(table.clone()), Block::svg_of(&likert)?],
        }],
    };
    std::fs::write(dir.join("report.html"), report.render())?;
    std::fs::write(dir.join("table.tex"), table.to_latex())?;
    #[cfg(feature = "office")]
    {
        std::fs::write(
            dir.join("tables.xlsx"),
            tables_to_xlsx(std::slice::from_ref(&table))?,
        )?;
        let mut doc = WordDocument::from_report(&report);
        doc.add_chart("各题回答分布", &likert, &FigureSize::PAGE)?;
        doc.add_chart("政策比较", &compare, &FigureSize::COLUMN)?;
        std::fs::write(dir.join("report.docx"), doc.to_docx()?)?;
    }
    println!("wrote samples to {}", dir.display());
    Ok(())
}
