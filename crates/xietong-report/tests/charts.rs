//! Rendering tests for every chart type: SVG structure and text, PNG header and size, and
//! input errors.

use xietong_report::*;

/// Parses SVG as XML and returns the document's text elements' contents.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc =
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG is not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let ff = root.attribute("font-family").expect("font-family on <svg>");
    assert!(
        ff.starts_with("WenQuanYi Micro Hei")
            && ff.contains("Noto Sans CJK SC")
            && ff.ends_with("sans-serif")
    );
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn svg_size(svg: &str) -> (u32, u32) {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let r = doc.root_element();
    (
        r.attribute("width").unwrap().parse().unwrap(),
        r.attribute("height").unwrap().parse().unwrap(),
    )
}

/// Decodes the PNG fully and returns (width, height, RGBA pixels).
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let hw = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let hh = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("valid PNG");
    let mut buf = vec![0; dec.output_buffer_size().unwrap()];
    let info = dec.next_frame(&mut buf).expect("PNG frame");
    assert_eq!((info.width, info.height), (hw, hh));
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (hw, hh, rgba)
}

/// Share of pixels that are clearly not white (ink).
fn ink(rgba: &[u8]) -> f64 {
    let px = rgba
        .chunks(4)
        .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
        .count();
    px as f64 / (rgba.len() / 4) as f64
}

fn check_chart(c: &dyn Chart, labels: &[&str], size: (u32, u32)) {
    let svg = c.to_svg().expect("svg");
    let texts = svg_texts(&svg);
    for l in labels {
        assert!(
            texts.iter().any(|t| t == l),
            "label {l:?} not found as <text> in {texts:?}"
        );
    }
    assert_eq!(svg_size(&svg), size);
    let png = c.to_png().expect("png");
    let (w, h, rgba) = decode_png(&png);
    assert_eq!((w, h), size);
    let k = ink(&rgba);
    assert!(k > 0.01 && k < 0.9, "implausible amount of ink: {k}");
}

fn series(name: &str, y: Vec<f64>) -> Series {
    Series {
        name: name.into(),
        x: (0..y.len()).map(|i| i as f64).collect(),
        y,
        lower: None,
        upper: None,
    }
}

fn line() -> LineChart {
    let y: Vec<f64> = (0..20).map(|i| i as f64 / 20.0).collect();
    let mut s = series("成都", y.clone());
    s.lower = Some(y.iter().map(|v| v - 0.05).collect());
    s.upper = Some(y.iter().map(|v| v + 0.05).collect());
    LineChart {
        title: "合作率 over time".into(),
        x_label: "时期".into(),
        y_label: "合作率".into(),
        series: vec![s, series("Chongqing", y.iter().map(|v| 1.0 - v).collect())],
        ..Default::default()
    }
}

#[test]
fn line_chart_svg_and_png() {
    check_chart(
        &line(),
        &["合作率 over time", "时期", "合作率", "成都", "Chongqing"],
        (800, 450),
    );
    let mut c = line();
    c.width = 640;
    c.height = 360;
    check_chart(&c, &["合作率"], (640, 360));
}

#[test]
fn line_chart_nan_makes_gaps_not_zeros() {
    let y = vec![0.5, 0.6, f64::NAN, 0.7, 0.8, f64::NAN];
    let c = LineChart {
        series: vec![series("a", y)],
        y_range: Some((0.4, 0.9)),
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lines: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .collect();
    assert_eq!(lines.len(), 2, "two runs around the NaN");
    // every drawn y lies inside the plot: with y_range (0.4, 0.9) a NaN drawn as 0 would fall
    // below the axis and be clipped into a separate segment along the bottom edge
    for l in &lines {
        let n = l.attribute("points").unwrap().split_whitespace().count();
        assert_eq!(n, 2);
    }
    // all NaN is an error, not an empty picture
    let c = LineChart {
        series: vec![series("a", vec![f64::NAN; 3])],
        ..Default::default()
    };
    assert!(matches!(c.to_svg(), Err(ReportError::Empty { .. })));
}

#[test]
fn line_chart_custom_ticks_and_range() {
    let c = LineChart {
        series: vec![series("", vec![1.0, 5.0, 3.0])],
        x_ticks: Some(vec![
            (0.0, "一月".into()),
            (1.0, "二月".into()),
            (2.0, "三月".into()),
        ]),
        y_range: Some((0.0, 4.0)),
        ..Default::default()
    };
    let texts = svg_texts(&c.to_svg().unwrap());
    for l in ["一月", "二月", "三月", "0", "4"] {
        assert!(texts.iter().any(|t| t == l), "{l} missing in {texts:?}");
    }
    let bad = LineChart {
        y_range: Some((1.0, 1.0)),
        ..c.clone()
    };
    assert!(matches!(
        bad.to_svg(),
        Err(ReportError::InvalidValue { .. })
    ));
}

#[test]
fn line_chart_input_errors() {
    assert!(matches!(
        LineChart::default().to_svg(),
        Err(ReportError::Empty { .. })
    ));
    let mut s = series("a", vec![1.0, 2.0]);
    s.x.push(3.0);
    let e = LineChart {
        series: vec![s],
        ..Default::default()
    }
    .to_png()
    .unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::LengthMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("series[0] (a).y"), "{e}");
    let mut s = series("a", vec![1.0, 2.0]);
    s.lower = Some(vec![0.0]);
    s.upper = Some(vec![3.0, 3.0]);
    assert!(matches!(
        LineChart {
            series: vec![s],
            ..Default::default()
        }
        .to_svg(),
        Err(ReportError::LengthMismatch { .. })
    ));
    let c = LineChart {
        series: vec![series("a", vec![1.0])],
        width: 20,
        height: 20,
        ..Default::default()
    };
    assert!(matches!(c.to_png(), Err(ReportError::BadSize { .. })));
    let c = LineChart {
        series: vec![series("a", vec![1.0])],
        width: 100_000,
        ..Default::default()
    };
    assert!(matches!(c.to_png(), Err(ReportError::BadSize { .. })));
}

fn bar(horizontal: bool) -> BarChart {
    BarChart {
        title: "平均合作水平".into(),
        x_label: "机制".into(),
        y_label: "合作率".into(),
        categories: vec!["利益共享".into(), "纵向干预".into(), "Reputation".into()],
        groups: vec![
            BarGroup {
                name: "成都".into(),
                values: vec![0.6, 0.4, -0.1],
                err_low: Some(vec![0.5, 0.3, -0.2]),
                err_high: Some(vec![0.7, 0.5, 0.0]),
            },
            BarGroup {
                name: "重庆".into(),
                values: vec![0.5, f64::NAN, 0.2],
                err_low: None,
                err_high: None,
            },
        ],
        horizontal,
        width: 700,
        height: 400,
    }
}

#[test]
fn bar_chart_both_orientations() {
    for h in [false, true] {
        check_chart(
            &bar(h),
            &[
                "平均合作水平",
                "机制",
                "合作率",
                "利益共享",
                "Reputation",
                "成都",
                "重庆",
            ],
            (700, 400),
        );
    }
    // NaN bar is left out: 3 + 2 bars (rects with a palette fill) instead of 6
    let svg = bar(false).to_svg().unwrap();
    let bars = svg.matches("fill=\"#0072b2\"").count() + svg.matches("fill=\"#e69f00\"").count();
    assert_eq!(bars, 5 + 2, "5 bars plus 2 legend swatches");
}

#[test]
fn bar_chart_input_errors() {
    let mut c = bar(false);
    c.groups[1].values.pop();
    let e = c.to_svg().unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::LengthMismatch {
                expected: 3,
                got: 2,
                ..
            }
        ),
        "{e}"
    );
    let mut c = bar(false);
    c.groups[0].err_high = Some(vec![1.0]);
    assert!(matches!(
        c.to_png(),
        Err(ReportError::LengthMismatch { .. })
    ));
    assert!(matches!(
        BarChart::default().to_svg(),
        Err(ReportError::Empty { .. })
    ));
    let mut c = bar(true);
    c.groups.clear();
    assert!(matches!(c.to_svg(), Err(ReportError::Empty { .. })));
}

#[test]
fn bar_chart_long_labels_rotate_and_stay_in_image() {
    let c = BarChart {
        categories: (0..12).map(|i| format!("第{i}个很长的类别名称")).collect(),
        groups: vec![BarGroup {
            name: String::new(),
            values: (0..12).map(|i| i as f64).collect(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    assert!(svg.contains("rotate(-35"));
    // each label is 10 ideographs = 120 px at 12 px; rotated by 35 degrees it reaches
    // 120 * cos(35) = 98 px left of its anchor, which must stay inside the image
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let first = doc
        .descendants()
        .find(|n| n.has_tag_name("text") && n.text() == Some("第0个很长的类别名称"))
        .unwrap();
    let x: f64 = first.attribute("x").unwrap().parse().unwrap();
    assert!(
        x - 120.0 * 0.819 >= 0.0,
        "first label starts at {}",
        x - 98.3
    );
    check_chart(&c, &["第0个很长的类别名称"], (800, 450));
}

fn likert() -> DivergingBarChart {
    DivergingBarChart {
        title: "态度 attitudes".into(),
        items: vec!["信息共享".into(), "Fair sharing".into()],
        levels: vec![
            "非常不同意".into(),
            "不同意".into(),
            "中立".into(),
            "同意".into(),
            "非常同意".into(),
        ],
        shares: vec![vec![0.1, 0.2, 0.2, 0.3, 0.2], vec![0.3, 0.3, 0.2, 0.1, 0.1]],
        width: 0,
        height: 0,
    }
}

#[test]
fn diverging_chart_renders_and_centres_neutral() {
    check_chart(
        &likert(),
        &["态度 attitudes", "信息共享", "Fair sharing", "中立", "30%"],
        (800, 450),
    );
    // the neutral segment straddles the zero line: find the grey rect of row 0
    let svg = likert().to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let neutral: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("rect")
                && n.attribute("fill") == Some("#cccccc")
                && n.attribute("height").unwrap().parse::<f64>().unwrap() > 20.0
        })
        .map(|n| {
            (
                n.attribute("x").unwrap().parse().unwrap(),
                n.attribute("width").unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(neutral.len(), 2);
    let zero_x: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("stroke-width") == Some("1.2"))
        .map(|n| n.attribute("x1").unwrap().parse().unwrap())
        .collect();
    assert_eq!(zero_x.len(), 1);
    for (x, w) in neutral {
        assert!(
            (x + w / 2.0 - zero_x[0]).abs() < 0.6,
            "neutral centre {} vs zero {}",
            x + w / 2.0,
            zero_x[0]
        );
    }
}

#[test]
fn diverging_chart_errors() {
    let mut c = likert();
    c.shares[1].pop();
    assert!(matches!(
        c.to_svg(),
        Err(ReportError::LengthMismatch {
            expected: 5,
            got: 4,
            ..
        })
    ));
    let mut c = likert();
    c.shares.pop();
    assert!(matches!(
        c.to_svg(),
        Err(ReportError::LengthMismatch { .. })
    ));
    let mut c = likert();
    c.shares[0][0] = -0.1;
    assert!(matches!(c.to_svg(), Err(ReportError::InvalidValue { .. })));
    let mut c = likert();
    c.levels.truncate(1);
    assert!(c.to_svg().is_err());
    // even number of levels works too (no neutral)
    let c = DivergingBarChart {
        levels: vec!["不同意".into(), "同意".into()],
        shares: vec![vec![0.4, 0.6], vec![0.7, 0.3]],
        ..likert()
    };
    check_chart(&c, &["同意", "60%"], (800, 450));
}

fn phase() -> PhasePortrait {
    PhasePortrait {
        title: "相图".into(),
        x_label: "x 合作比例".into(),
        y_label: "y 合作比例".into(),
        arrows: vec![
            ((0.5, 0.5), (1.0, 0.0)),
            ((0.2, 0.2), (0.0, 0.0)),
            ((0.3, 0.3), (f64::NAN, 1.0)),
        ],
        trajectories: vec![vec![
            (0.1, 0.1),
            (0.5, 0.6),
            (f64::NAN, 0.2),
            (0.9, 0.9),
            (1.2, 1.3),
        ]],
        markers: vec![
            Marker {
                x: 1.0,
                y: 1.0,
                label: "稳定点 ESS".into(),
                filled: true,
            },
            Marker {
                x: 0.5,
                y: 0.5,
                label: "鞍点".into(),
                filled: false,
            },
        ],
        width: 600,
        height: 600,
    }
}

#[test]
fn phase_portrait_renders() {
    check_chart(
        &phase(),
        &[
            "相图",
            "x 合作比例",
            "y 合作比例",
            "稳定点 ESS",
            "鞍点",
            "1.0",
        ],
        (600, 600),
    );
    let svg = phase().to_svg().unwrap();
    // filled and hollow markers
    assert!(svg.contains("r=\"5.5\" fill=\"#000000\""));
    assert!(svg.contains("r=\"5.5\" fill=\"#ffffff\""));
    assert!(matches!(
        PhasePortrait::default().to_svg(),
        Err(ReportError::Empty { .. })
    ));
}

fn ribbon(n: usize) -> StageRibbon {
    StageRibbon {
        title: "阶段".into(),
        periods: (0..n).map(|i| format!("{}", 2000 + i)).collect(),
        categories: vec!["初始".into(), "过渡".into(), "高级".into(), "退化".into()],
        shares: (0..n)
            .map(|i| {
                if i == 1 {
                    vec![f64::NAN; 4]
                } else {
                    vec![0.4, 0.3, 0.2, 0.1]
                }
            })
            .collect(),
        width: 0,
        height: 0,
    }
}

#[test]
fn stage_ribbon_bars_and_area() {
    check_chart(
        &ribbon(6),
        &["阶段", "初始", "退化", "2000", "40%", "100%"],
        (800, 450),
    );
    check_chart(&ribbon(150), &["阶段", "过渡", "2000"], (800, 450));
    let mut c = ribbon(3);
    c.shares[2] = vec![0.5, 0.5];
    assert!(matches!(
        c.to_png(),
        Err(ReportError::LengthMismatch {
            expected: 4,
            got: 2,
            ..
        })
    ));
    let mut c = ribbon(3);
    c.periods.pop();
    assert!(matches!(
        c.to_svg(),
        Err(ReportError::LengthMismatch { .. })
    ));
    let c = StageRibbon {
        shares: vec![vec![f64::NAN; 4]],
        periods: vec!["a".into()],
        ..ribbon(1)
    };
    assert!(matches!(c.to_svg(), Err(ReportError::Empty { .. })));
}

#[test]
fn svg_escapes_user_text() {
    let c = LineChart {
        title: "a < b & \"c\" <script>".into(),
        series: vec![series("x", vec![1.0, 2.0])],
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    assert!(!svg.contains("<script>"));
    assert!(
        svg_texts(&svg)
            .iter()
            .any(|t| t == "a < b & \"c\" <script>")
    );
}

#[test]
fn png_text_is_drawn_in_chinese_not_boxes() {
    // Titles differing only in their Chinese characters give different pixels (missing glyphs
    // would all draw the same .notdef box), and a title adds ink: glyphs are really rasterised.
    let mk = |t: &str| LineChart {
        title: t.into(),
        series: vec![series("", vec![1.0, 2.0])],
        ..Default::default()
    };
    let (_, _, a) = decode_png(&mk("合作率").to_png().unwrap());
    let (_, _, b) = decode_png(&mk("协同度").to_png().unwrap());
    let (_, _, none) = decode_png(&mk("").to_png().unwrap());
    let band = |p: &[u8]| p[..800 * 40 * 4].to_vec();
    assert_ne!(band(&a), band(&b));
    assert!(ink(&band(&a)) > 0.003, "title band has ink");
    assert!(ink(&band(&a)) > ink(&band(&none)));
}

/// Xorshift generator for the hostile-input test (deterministic, no dependency).
struct Gen(u64);

impl Gen {
    fn u(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.u() % n) as usize
    }
    /// Mostly values in [-1, 1], one in five a special value.
    fn val(&mut self) -> f64 {
        const SPECIAL: [f64; 9] = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
            1e-300,
            0.0,
            -0.0,
            5e-324,
        ];
        let r = self.u();
        if r.is_multiple_of(5) {
            SPECIAL[(r / 5 % SPECIAL.len() as u64) as usize]
        } else {
            (r % 2001) as f64 / 1000.0 - 1.0
        }
    }
    fn vec(&mut self, k: usize) -> Vec<f64> {
        (0..k).map(|_| self.val()).collect()
    }
    fn pt(&mut self) -> (f64, f64) {
        (self.val(), self.val())
    }
}

/// Pseudo-random inputs with NaN, infinities, huge and tiny values, empty and ragged vectors
/// and odd sizes: every chart must return Ok or Err, never panic, and SVG and PNG must agree.
#[test]
fn hostile_inputs_never_panic() {
    let mut g = Gen(0x9e3779b97f4a7c15);
    let sizes = [0u32, 1, 159, 160, 200, 333, 800, 1000, 8001];
    let (mut ok, mut err) = (0, 0);
    for round in 0..60 {
        let n = g.below(6);
        let m = n + g.below(2); // sometimes ragged
        let (w, h) = (sizes[round % sizes.len()], sizes[(round / 3) % sizes.len()]);
        let text = if round % 2 == 0 { "合作率\n<&>" } else { "" };
        let charts: Vec<Box<dyn Chart>> = vec![
            Box::new(LineChart {
                title: text.into(),
                series: vec![Series {
                    name: text.into(),
                    x: g.vec(n),
                    y: g.vec(m),
                    lower: Some(g.vec(n)),
                    upper: Some(g.vec(n)),
                }],
                y_range: if round % 3 == 0 {
                    Some((g.val(), g.val()))
                } else {
                    None
                },
                width: w,
                height: h,
                ..Default::default()
            }),
            Box::new(BarChart {
                categories: (0..n).map(|i| format!("类{i}")).collect(),
                groups: vec![BarGroup {
                    name: text.into(),
                    values: g.vec(m),
                    err_low: Some(g.vec(n)),
                    err_high: Some(g.vec(n)),
                }],
                horizontal: round % 2 == 1,
                width: w,
                height: h,
                ..Default::default()
            }),
            Box::new(DivergingBarChart {
                items: (0..n).map(|i| format!("题{i}")).collect(),
                levels: (0..g.below(6)).map(|i| i.to_string()).collect(),
                shares: (0..n)
                    .map(|_| {
                        let k = g.below(6);
                        g.vec(k).iter().map(|v| v.abs()).collect()
                    })
                    .collect(),
                width: w,
                height: h,
                ..Default::default()
            }),
            Box::new(PhasePortrait {
                arrows: (0..n).map(|_| (g.pt(), g.pt())).collect(),
                trajectories: vec![(0..m).map(|_| g.pt()).collect()],
                markers: vec![Marker {
                    x: g.val(),
                    y: g.val(),
                    label: text.into(),
                    filled: true,
                }],
                width: w,
                height: h,
                ..Default::default()
            }),
            Box::new(StageRibbon {
                periods: (0..n).map(|i| i.to_string()).collect(),
                categories: vec!["a".into(), "b".into()],
                shares: (0..m)
                    .map(|_| g.vec(2).iter().map(|v| v.abs()).collect())
                    .collect(),
                width: w,
                height: h,
                ..Default::default()
            }),
        ];
        for c in &charts {
            match c.to_svg() {
                Ok(svg) => {
                    roxmltree::Document::parse(&svg).expect("valid XML even for odd input");
                    let png = c.to_png().expect("PNG succeeds whenever SVG does");
                    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
                    ok += 1;
                }
                Err(_) => {
                    assert!(c.to_png().is_err(), "SVG and PNG agree on errors");
                    err += 1;
                }
            }
        }
    }
    eprintln!("hostile inputs: {ok} drawn, {err} rejected");
    // the generator must exercise both paths, or the test says little
    assert!(ok >= 30 && err >= 30, "{ok} drawn, {err} rejected");
}

#[test]
fn small_chart_tick_labels_do_not_collide() {
    for (h, y_range) in [
        (160u32, Some((0.0, 1.0))),
        (200, None),
        (450, Some((-1e-6, 1e-6))),
    ] {
        let c = LineChart {
            series: vec![series("a", vec![0.0, 0.3, 1.0])],
            y_range,
            width: 320,
            height: h,
            ..Default::default()
        };
        let svg = c.to_svg().unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // y tick labels: right-anchored texts
        let mut ys: Vec<f64> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text") && n.attribute("text-anchor") == Some("end"))
            .map(|n| n.attribute("y").unwrap().parse().unwrap())
            .collect();
        assert!(ys.len() >= 2, "at least two y labels at height {h}");
        ys.sort_by(f64::total_cmp);
        for w in ys.windows(2) {
            assert!(
                w[1] - w[0] >= 12.0,
                "labels {} px apart at height {h}",
                w[1] - w[0]
            );
        }
    }
}

#[test]
fn long_series_stay_small_in_svg() {
    let n = 100_000;
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let y: Vec<f64> = x.iter().map(|t| (t / 5000.0).sin()).collect();
    let lower = Some(y.iter().map(|v| v - 0.1).collect());
    let upper = Some(y.iter().map(|v| v + 0.1).collect());
    let c = LineChart {
        series: vec![Series {
            name: "long".into(),
            x,
            y,
            lower,
            upper,
        }],
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let pl = doc
        .descendants()
        .find(|n| n.has_tag_name("polyline"))
        .unwrap();
    let kept = pl.attribute("points").unwrap().split_whitespace().count();
    eprintln!("line: {kept} of {n} points kept");
    assert!(kept < 8_000, "{kept} points kept of {n}");
    let band = doc
        .descendants()
        .find(|n| n.has_tag_name("polygon"))
        .unwrap();
    let kept = band.attribute("points").unwrap().split_whitespace().count();
    assert!(kept < 16_000, "band: {kept} points kept of {}", 2 * n);
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
    let (w, h, _) = decode_png(&c.to_png().unwrap());
    assert_eq!((w, h), (800, 450));
}

#[test]
fn scaled_png_for_print() {
    let c = line();
    let png = c.to_png_scaled(2.0).unwrap();
    let (w, h, rgba) = decode_png(&png);
    assert_eq!((w, h), (1600, 900));
    let k = ink(&rgba);
    assert!(k > 0.01 && k < 0.9);
    let dec = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .unwrap();
    let dims = dec.info().pixel_dims.expect("pHYs chunk");
    assert_eq!(dims.unit, png::Unit::Meter);
    assert_eq!(dims.xppu, (2.0f64 * 96.0 / 0.0254).round() as u32); // 192 dpi
    // scale 1 is exactly to_png
    assert_eq!(c.to_png_scaled(1.0).unwrap(), c.to_png().unwrap());
    for bad in [0.0, -1.0, 0.1, 9.0, f32::NAN, f32::INFINITY] {
        assert!(
            matches!(c.to_png_scaled(bad), Err(ReportError::InvalidValue { .. })),
            "{bad}"
        );
    }
}

#[test]
fn short_series_get_distinct_marker_shapes() {
    let c = LineChart {
        series: (0..4)
            .map(|k| {
                series(
                    &format!("s{k}"),
                    vec![k as f64, k as f64 + 1.0, k as f64 + 0.5],
                )
            })
            .collect(),
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let filled = |tag: &str, color: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name(tag) && n.attribute("fill") == Some(color))
            .collect::<Vec<_>>()
    };
    // 3 points + 1 legend swatch per series, each in its own shape
    assert_eq!(filled("circle", "#0072b2").len(), 4);
    assert_eq!(filled("rect", "#e69f00").len(), 4);
    let tri = filled("polygon", "#009e73");
    assert_eq!(tri.len(), 4);
    assert!(
        tri.iter()
            .all(|n| n.attribute("points").unwrap().split_whitespace().count() == 3)
    );
    let dia = filled("polygon", "#56b4e9");
    assert_eq!(dia.len(), 4);
    assert!(
        dia.iter()
            .all(|n| n.attribute("points").unwrap().split_whitespace().count() == 4)
    );
    // long series: no markers
    let y: Vec<f64> = (0..100).map(|i| i as f64).collect();
    let svg = LineChart {
        series: vec![series("long", y)],
        ..Default::default()
    }
    .to_svg()
    .unwrap();
    assert!(!svg.contains("<circle"));
}
