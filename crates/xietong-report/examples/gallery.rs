//! Renders one example of every chart (PNG and SVG) and an HTML report into a directory, for
//! looking at the output: `cargo run --release -p xietong-report --example gallery -- /tmp/gallery`.

use std::{env, fs, path::PathBuf};
use xietong_report::*;

pub fn line() -> LineChart {
    let x: Vec<f64> = (0..=60).map(|i| i as f64).collect();
    let mk = |k: f64, a: f64| -> Vec<f64> {
        x.iter()
            .map(|t| a / (1.0 + (-(t - 25.0) * k).exp()))
            .collect()
    };
    let y1 = mk(0.15, 0.85);
    let mut y2 = mk(0.09, 0.6);
    y2[30] = f64::NAN; // a gap
    y2[31] = f64::NAN;
    LineChart {
        title: "合作率随时间变化 (Cooperation rate)".into(),
        x_label: "时期 t".into(),
        y_label: "合作率".into(),
        series: vec![
            Series {
                name: "成都 Chengdu".into(),
                lower: Some(y1.iter().map(|v| (v - 0.08).max(0.0)).collect()),
                upper: Some(y1.iter().map(|v| (v + 0.08).min(1.0)).collect()),
                x: x.clone(),
                y: y1,
            },
            Series {
                name: "重庆 Chongqing".into(),
                x: x.clone(),
                y: y2,
                lower: None,
                upper: None,
            },
            Series {
                name: "基准 baseline".into(),
                x: x.clone(),
                y: x.iter().map(|_| 0.5).collect(),
                lower: None,
                upper: None,
            },
        ],
        y_range: Some((0.0, 1.0)),
        x_ticks: None,
        width: 0,
        height: 0,
    }
}

pub fn bar(horizontal: bool) -> BarChart {
    BarChart {
        title: "各机制下的平均合作水平".into(),
        x_label: if horizontal {
            "平均合作水平".into()
        } else {
            "协同机制".into()
        },
        y_label: if horizontal {
            String::new()
        } else {
            "平均合作水平".into()
        },
        categories: vec![
            "利益共享".into(),
            "纵向干预".into(),
            "声誉约束".into(),
            "契约治理 contract".into(),
        ],
        groups: vec![
            BarGroup {
                name: "成都".into(),
                values: vec![0.62, 0.48, 0.55, 0.71],
                err_low: Some(vec![0.55, 0.40, 0.50, 0.66]),
                err_high: Some(vec![0.69, 0.56, 0.60, 0.76]),
            },
            BarGroup {
                name: "重庆".into(),
                values: vec![0.58, f64::NAN, 0.51, 0.66],
                err_low: None,
                err_high: None,
            },
        ],
        horizontal,
        width: 0,
        height: 0,
    }
}

pub fn diverging() -> DivergingBarChart {
    DivergingBarChart {
        title: "问卷：对跨区域协同的态度".into(),
        items: vec![
            "信息共享充分".into(),
            "利益分配公平".into(),
            "上级支持有力".into(),
            "Trust between cities".into(),
        ],
        levels: vec![
            "非常不同意".into(),
            "不同意".into(),
            "中立".into(),
            "同意".into(),
            "非常同意".into(),
        ],
        shares: vec![
            vec![0.05, 0.10, 0.20, 0.40, 0.25],
            vec![0.15, 0.25, 0.30, 0.20, 0.10],
            vec![0.02, 0.08, 0.15, 0.45, 0.30],
            vec![0.10, 0.20, 0.25, 0.30, 0.15],
        ],
        width: 0,
        height: 0,
    }
}

pub fn phase() -> PhasePortrait {
    // replicator dynamics of a 2x2 asymmetric game with an interior saddle
    let f = |x: f64, y: f64| (x * (1.0 - x) * (y - 0.4), y * (1.0 - y) * (x - 0.6));
    let mut arrows = Vec::new();
    for i in 0..=10 {
        for j in 0..=10 {
            let (x, y) = (i as f64 / 10.0, j as f64 / 10.0);
            arrows.push(((x, y), f(x, y)));
        }
    }
    let traj = |mut x: f64, mut y: f64| {
        let mut v = vec![(x, y)];
        for _ in 0..400 {
            let (dx, dy) = f(x, y);
            x += 0.05 * dx;
            y += 0.05 * dy;
            v.push((x, y));
        }
        v
    };
    PhasePortrait {
        title: "演化博弈相图 (replicator dynamics)".into(),
        x_label: "成都合作比例 x".into(),
        y_label: "重庆合作比例 y".into(),
        arrows,
        trajectories: vec![
            traj(0.7, 0.45),
            traj(0.5, 0.35),
            traj(0.62, 0.2),
            traj(0.3, 0.9),
        ],
        markers: vec![
            Marker {
                x: 0.0,
                y: 0.0,
                label: "E1 (0,0) 稳定".into(),
                filled: true,
            },
            Marker {
                x: 1.0,
                y: 1.0,
                label: "E4 (1,1) 稳定".into(),
                filled: true,
            },
            Marker {
                x: 1.0,
                y: 0.0,
                label: "E2".into(),
                filled: false,
            },
            Marker {
                x: 0.0,
                y: 1.0,
                label: "E3".into(),
                filled: false,
            },
            Marker {
                x: 0.6,
                y: 0.4,
                label: "鞍点 saddle".into(),
                filled: false,
            },
        ],
        width: 0,
        height: 0,
    }
}

pub fn ribbon(n: usize) -> StageRibbon {
    let periods: Vec<String> = (0..n).map(|i| format!("{}", 2015 + i)).collect();
    let shares = (0..n)
        .map(|i| {
            let t = i as f64 / (n.max(2) - 1) as f64;
            vec![
                0.7 * (1.0 - t) + 0.05,
                0.2 + 0.2 * t,
                0.05 + 0.5 * t * t,
                0.05 + 0.05 * t,
            ]
        })
        .collect();
    StageRibbon {
        title: "协同阶段构成".into(),
        periods,
        categories: vec![
            "初始阶段".into(),
            "过渡阶段".into(),
            "高级阶段".into(),
            "退化 retreat".into(),
        ],
        shares,
        width: 0,
        height: 0,
    }
}

/// Eight English-labelled series with a long title: palette cycling, legend wrapping.
pub fn many_series() -> LineChart {
    let x: Vec<f64> = (0..200).map(|i| i as f64 * 0.05).collect();
    LineChart {
        title: "Eight scenarios of vertical intervention strength and their effect on the long-run cooperation rate".into(),
        x_label: "Years since the agreement".into(),
        y_label: "Cooperation rate (share of governments)".into(),
        series: (0..8)
            .map(|k| Series {
                name: format!("Scenario {} (intervention = {:.1})", k + 1, k as f64 * 0.1),
                x: x.clone(),
                y: x.iter().map(|t| (k as f64 * 0.1 + 0.1) * (1.0 - (-t * 0.5).exp()) + 0.02 * (t * 2.0).sin()).collect(),
                lower: None,
                upper: None,
            })
            .collect(),
        y_range: None,
        x_ticks: None,
        width: 0,
        height: 0,
    }
}

/// Negative values, horizontal orientation, long category names.
pub fn bar_negative() -> BarChart {
    BarChart {
        title: "Effect on cooperation (difference from baseline)".into(),
        x_label: "Δ cooperation rate".into(),
        y_label: String::new(),
        categories: vec![
            "Benefit sharing between Chengdu and Chongqing".into(),
            "纵向干预".into(),
            "Reputation".into(),
            "一个非常非常非常非常非常非常长的类别名称用于测试".into(),
        ],
        groups: vec![BarGroup {
            name: String::new(),
            values: vec![0.12, -0.05, 0.03, -0.2],
            err_low: Some(vec![0.08, -0.09, -0.01, -0.26]),
            err_high: Some(vec![0.16, -0.01, 0.07, -0.14]),
        }],
        horizontal: true,
        width: 0,
        height: 0,
    }
}

/// Many long category names on a vertical bar chart: labels rotate.
pub fn bar_rotated() -> BarChart {
    BarChart {
        title: "各城市合作项目数".into(),
        x_label: "城市".into(),
        y_label: "项目数".into(),
        categories: [
            "成都市",
            "重庆市主城区",
            "绵阳市",
            "德阳市",
            "眉山市",
            "资阳市",
            "遂宁市",
            "内江市",
            "自贡市",
            "泸州市",
            "宜宾市",
            "Dazhou City",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        groups: vec![BarGroup {
            name: String::new(),
            values: vec![
                42.0, 38.0, 12.0, 15.0, 9.0, 7.0, 6.0, 8.0, 5.0, 11.0, 10.0, 4.0,
            ],
            err_low: None,
            err_high: None,
        }],
        horizontal: false,
        width: 640,
        height: 400,
    }
}

/// Four short series (10 yearly points): point markers of four shapes.
pub fn markers() -> LineChart {
    let x: Vec<f64> = (2015..2025).map(|y| y as f64).collect();
    LineChart {
        title: "年度合作指数 (annual index)".into(),
        x_label: "年份".into(),
        y_label: "指数".into(),
        series: ["成都", "重庆", "绵阳", "宜宾"]
            .iter()
            .enumerate()
            .map(|(k, n)| Series {
                name: n.to_string(),
                x: x.clone(),
                y: x.iter()
                    .map(|t| 50.0 + 5.0 * k as f64 + (t - 2015.0) * (3.0 - k as f64 * 0.6))
                    .collect(),
                lower: None,
                upper: None,
            })
            .collect(),
        y_range: None,
        x_ticks: None,
        width: 0,
        height: 0,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env::args().nth(1).unwrap_or_else(|| "gallery".into()));
    fs::create_dir_all(&dir)?;
    let charts: Vec<(&str, Box<dyn Chart>)> = vec![
        ("line", Box::new(line())),
        ("bar", Box::new(bar(false))),
        ("bar_h", Box::new(bar(true))),
        ("diverging", Box::new(diverging())),
        ("phase", Box::new(phase())),
        ("ribbon", Box::new(ribbon(10))),
        ("ribbon_long", Box::new(ribbon(120))),
        (
            "edge_small",
            Box::new(LineChart {
                width: 320,
                height: 200,
                ..line()
            }),
        ),
        ("edge_many", Box::new(many_series())),
        ("edge_bar_negative", Box::new(bar_negative())),
        ("edge_bar_rotated", Box::new(bar_rotated())),
        ("edge_markers", Box::new(markers())),
    ];
    let mut blocks = Vec::new();
    for (name, c) in &charts {
        let svg = c.to_svg()?;
        fs::write(dir.join(format!("{name}.svg")), &svg)?;
        fs::write(dir.join(format!("{name}.png")), c.to_png()?)?;
        blocks.push(Block::Svg(svg));
    }
    fs::write(dir.join("line@2x.png"), charts[0].1.to_png_scaled(2.0)?)?;
    let report = HtmlReport {
        title: "成渝地区双城经济圈协同报告".into(),
        subtitle: "示例 <script>alert(1)</script>".into(),
        lang: Lang::Zh,
        sections: vec![
            Section {
                heading: "图表".into(),
                blocks,
            },
            Section {
                heading: "表格".into(),
                blocks: vec![
                    Block::Table(Table {
                        caption: "表 1 描述统计".into(),
                        header: vec!["变量".into(), "M".into(), "SD".into()],
                        rows: vec![
                            vec!["合作率".into(), "0.62".into(), "0.11".into()],
                            vec!["信任".into(), "3.80".into(), "0.92".into()],
                        ],
                        note: Some("N = 120。".into()),
                    }),
                    Block::Png(charts[0].1.to_png()?),
                    Block::Note("数值为模拟结果。".into()),
                ],
            },
        ],
    };
    fs::write(dir.join("report.html"), report.render())?;
    println!("wrote {}", dir.display());
    Ok(())
}
