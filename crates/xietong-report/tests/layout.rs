//! Layout properties of charts with many items, many series and long Chinese labels, checked
//! on the SVG with text boxes measured independently (ab_glyph on the vendored font, not the
//! crate's own measuring code).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use xietong_report::*;

static FONT: &[u8] = include_bytes!("../fonts/wqy-microhei.ttc");

fn width(text: &str, size: f64) -> f64 {
    let f = FontRef::try_from_slice_and_index(FONT, 0).unwrap();
    let upem = f.units_per_em().unwrap() as f64;
    let sf = f.as_scaled(PxScale::from(
        (size * f.height_unscaled() as f64 / upem) as f32,
    ));
    text.chars()
        .map(|c| sf.h_advance(sf.glyph_id(c)) as f64)
        .sum()
}

/// A text element's box: (x0, y0, x1, y1), from its anchor, baseline and font size
/// (ascent 0.85 em, descent 0.2 em); `rotated` when it has a transform.
#[derive(Clone, Debug)]
struct TextBox {
    text: String,
    b: (f64, f64, f64, f64),
    rotated: bool,
    size: f64,
}

fn boxes(svg: &str) -> (f64, f64, Vec<TextBox>) {
    let doc = roxmltree::Document::parse(svg).expect("SVG is XML");
    let root = doc.root_element();
    let vb: Vec<f64> = root
        .attribute("viewBox")
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    let out = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let num = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
            let (x, y, size) = (num("x"), num("y"), num("font-size"));
            let text = n.text().unwrap_or("").to_string();
            let w = width(&text, size);
            let x0 = match n.attribute("text-anchor") {
                Some("end") => x - w,
                Some("middle") => x - w / 2.0,
                _ => x,
            };
            TextBox {
                b: (x0, y - 0.85 * size, x0 + w, y + 0.2 * size),
                rotated: n.attribute("transform").is_some(),
                size,
                text,
            }
        })
        .collect();
    (vb[2], vb[3], out)
}

fn overlap(a: &TextBox, b: &TextBox) -> bool {
    // a hair of tolerance for anti-aliasing-free touching
    a.b.0 < b.b.2 - 0.5 && b.b.0 < a.b.2 - 0.5 && a.b.1 < b.b.3 - 0.5 && b.b.1 < a.b.3 - 0.5
}

fn assert_inside(w: f64, h: f64, bs: &[TextBox]) {
    for t in bs.iter().filter(|t| !t.rotated) {
        assert!(
            t.b.0 >= -0.5 && t.b.2 <= w + 0.5 && t.b.1 >= -0.5 && t.b.3 <= h + 0.5,
            "text {:?} box {:?} outside the {w}x{h} canvas",
            t.text,
            t.b
        );
    }
}

fn assert_no_overlap(bs: &[&TextBox]) {
    for (i, a) in bs.iter().enumerate() {
        for b in &bs[..i] {
            assert!(
                !overlap(a, b),
                "{:?} {:?} overlaps {:?} {:?}",
                a.text,
                a.b,
                b.text,
                b.b
            );
        }
    }
}

/// Item names like a real 40-item questionnaire: short ones, long Chinese ones, mixed.
fn item_names(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 4 {
            0 => format!("Q{i} 本地政府愿意与相邻地区共享经济发展数据和行政审批信息资源"),
            1 => format!("Q{i} 协同"),
            2 => format!("Q{i} cadre_incentives − no_cadre_incentives across the region"),
            _ => format!("Q{i} 上级政府的纵向干预有助于推动跨区域合作"),
        })
        .collect()
}

fn likert(n: usize) -> DivergingBarChart {
    DivergingBarChart {
        title: "各题回答分布".into(),
        items: item_names(n),
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
    }
}

/// Lines of the item-label column: right-aligned at the same x as the first item's label.
fn item_labels<'a>(bs: &'a [TextBox], names: &[String]) -> Vec<&'a TextBox> {
    let first = bs
        .iter()
        .find(|t| names[0].starts_with(t.text.trim_end_matches('…')))
        .expect("first item's label");
    let r = first.b.2;
    bs.iter()
        .filter(|t| !t.rotated && (t.b.2 - r).abs() < 1.0)
        .collect()
}

#[test]
fn likert_chart_with_40_items_grows_and_labels_do_not_overlap() {
    let (w10, h10, _) = boxes(&likert(10).to_svg().unwrap());
    let svg = likert(40).to_svg().unwrap();
    let (w, h, bs) = boxes(&svg);
    assert_eq!((w10, w), (800.0, 800.0));
    assert!(
        h > 3.0 * h10 * 0.8 && h > 1200.0,
        "40 items: {h} px tall vs {h10} for 10"
    );
    assert_inside(w, h, &bs);
    let names = item_names(40);
    let labels = item_labels(&bs, &names);
    // every item is labelled (its first line starts with "Q<i> ")
    for i in 0..40 {
        let p = format!("Q{i} ");
        assert!(
            labels.iter().any(|t| t.text.starts_with(&p)),
            "item {i} has no label"
        );
    }
    assert!(labels.len() > 40, "long labels wrap onto more lines");
    assert_no_overlap(&labels);
    // and no label line is cut to a stub: every wrapped line keeps at least 3 characters
    assert!(
        labels.iter().all(|t| t.text.chars().count() >= 3),
        "{labels:?}"
    );
}

#[test]
fn fixed_height_likert_chart_still_never_overprints() {
    let mut c = likert(40);
    c.height = 500;
    let (w, h, bs) = boxes(&c.to_svg().unwrap());
    assert_eq!(h, 500.0);
    assert_inside(w, h, &bs);
    let names = item_names(40);
    assert_no_overlap(&item_labels(&bs, &names));
}

#[test]
fn horizontal_bars_put_value_title_under_the_axis() {
    let cats: Vec<String> = (0..40)
        .map(|i| format!("cadre_incentives − no_cadre_incentives {i}"))
        .collect();
    let c = BarChart {
        title: "cooperation: A − B".into(),
        x_label: String::new(),
        y_label: "平均绝对基本效应 mean |elementary effect| (μ*)".into(),
        categories: cats.clone(),
        groups: vec![BarGroup {
            name: "差值".into(),
            values: (0..40).map(|i| i as f64 / 40.0 - 0.3).collect(),
            err_low: Some((0..40).map(|i| i as f64 / 40.0 - 0.35).collect()),
            err_high: Some((0..40).map(|i| i as f64 / 40.0 - 0.25).collect()),
        }],
        horizontal: true,
        width: 0,
        height: 0,
    };
    let svg = c.to_svg().unwrap();
    let (w, h, bs) = boxes(&svg);
    assert!(h > 40.0 * 20.0, "height {h} grows with 40 categories");
    assert_inside(w, h, &bs);
    let title = bs
        .iter()
        .find(|t| t.text.starts_with("平均绝对基本效应"))
        .expect("value title");
    assert!(!title.rotated, "value title is horizontal");
    let labels: Vec<&TextBox> = bs
        .iter()
        .filter(|t| t.text.starts_with("cadre") || t.text.starts_with("no_cadre"))
        .collect();
    assert!(labels.len() >= 40);
    assert_no_overlap(&labels);
    for l in &labels {
        assert!(!overlap(title, l), "value title overlaps {:?}", l.text);
        assert!(
            title.b.1 > l.b.3,
            "value title is below the category labels"
        );
    }
    assert!(!svg.contains("rotate(-90"), "no vertical axis title");
}

#[test]
fn bar_chart_value_range_starts_bars_at_the_scale_minimum() {
    let c = BarChart {
        title: "均值".into(),
        x_label: "组".into(),
        y_label: "均值 (1-5)".into(),
        categories: vec!["A".into(), "B".into()],
        groups: vec![BarGroup {
            name: String::new(),
            values: vec![3.0, 5.0],
            ..Default::default()
        }],
        ..Default::default()
    };
    let styled = c.clone().with_value_range(1.0, 5.0);
    let svg = styled.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#0072b2"))
        .map(|n| {
            let g = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (g("y") + g("height"), g("height"))
        })
        .collect();
    assert_eq!(bars.len(), 2);
    assert!((bars[0].0 - bars[1].0).abs() < 0.01, "common base");
    // heights proportional to value - 1, not value - 0
    let ratio = bars[0].1 / bars[1].1;
    assert!((ratio - 0.5).abs() < 0.01, "ratio {ratio}");
    let (_, _, bs) = boxes(&svg);
    assert!(bs.iter().any(|t| t.text == "1") && !bs.iter().any(|t| t.text == "0"));
    // without the range the bars start at 0
    let plain = c.to_svg().unwrap();
    assert!(boxes(&plain).2.iter().any(|t| t.text == "0"));
    // a bad range is an error naming the field
    let e = c
        .clone()
        .with_value_range(5.0, 1.0)
        .to_svg()
        .unwrap_err()
        .to_string();
    assert!(e.contains("value_range"), "{e}");
}

fn many_series(n: usize) -> LineChart {
    LineChart {
        title: "扫描：27 个初始点".into(),
        x_label: "时间".into(),
        y_label: "合作比例".into(),
        series: (0..n)
            .map(|k| Series {
                name: format!("初始 {} ({:.2})", k + 1, k as f64 / n as f64),
                x: (0..30).map(|t| t as f64).collect(),
                y: (0..30)
                    .map(|t| (k as f64 / n as f64) * (1.0 - (-(t as f64) / 10.0).exp()))
                    .collect(),
                lower: None,
                upper: None,
            })
            .collect(),
        y_range: Some((0.0, 1.0)),
        ..Default::default()
    }
}

#[test]
fn eighty_series_line_chart_grows_and_styles_do_not_repeat() {
    let svg = many_series(80).to_svg().unwrap();
    let (w, h, bs) = boxes(&svg);
    assert!(
        h > 450.0,
        "legend of 80 entries makes the chart taller: {h}"
    );
    assert_inside(w, h, &bs);
    let legend: Vec<&TextBox> = bs.iter().filter(|t| t.text.starts_with("初始")).collect();
    assert_eq!(legend.len(), 80);
    assert_no_overlap(&legend);
    // 80 series lines with 80 different (colour, dash) pairs
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let mut styles: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            (
                n.attribute("stroke").unwrap().to_string(),
                n.attribute("stroke-dasharray")
                    .unwrap_or("solid")
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(styles.len(), 80);
    styles.sort();
    styles.dedup();
    assert_eq!(styles.len(), 80, "some series share colour and dash");
    // the plot keeps a usable height
    let ticks: Vec<f64> = bs
        .iter()
        .filter(|t| t.text == "0.0" || t.text == "1.0")
        .map(|t| t.b.1)
        .collect();
    let span = ticks.iter().cloned().fold(f64::MIN, f64::max)
        - ticks.iter().cloned().fold(f64::MAX, f64::min);
    assert!(span > 150.0, "plot height {span}");
}

#[test]
fn highlighted_series_is_drawn_strongly_and_on_top() {
    let svg = many_series(27).with_highlight(vec![4]).to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let lines: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .collect();
    let last = lines.last().unwrap();
    assert_eq!(last.attribute("stroke-width"), Some("3.5"));
    assert_eq!(last.attribute("stroke-dasharray"), None, "solid");
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|n| n.attribute("stroke-width") == Some("1.3")
                && n.attribute("stroke-opacity").is_some())
    );
    assert!(many_series(3).with_highlight(vec![3]).to_svg().is_err());
}

#[test]
fn wrapped_labels_keep_within_their_column() {
    // one very long Chinese label next to short ones: it wraps instead of taking the plot
    let c = BarChart {
        categories: vec![
            "上级政府的纵向干预与地方官员晋升激励共同推动跨区域协同治理的制度安排".into(),
            "短".into(),
        ],
        groups: vec![BarGroup {
            values: vec![1.0, 2.0],
            ..Default::default()
        }],
        horizontal: true,
        ..Default::default()
    };
    let (w, h, bs) = boxes(&c.to_svg().unwrap());
    assert_inside(w, h, &bs);
    let lines: Vec<&TextBox> = bs
        .iter()
        .filter(|t| {
            t.text.starts_with("上级") || t.text.contains("晋升") || t.text.contains("制度")
        })
        .collect();
    assert!(lines.len() >= 2, "{lines:?}");
    assert!(lines.iter().all(|t| t.b.2 - t.b.0 <= 0.36 * w + 1.0));
    assert_no_overlap(&lines);
    assert!(lines.iter().all(|t| t.size == 12.0));
}

#[test]
fn phase_trajectories_get_direction_arrows() {
    let traj: Vec<(f64, f64)> = (0..=100)
        .map(|i| {
            let t = i as f64 / 100.0;
            (0.1 + 0.8 * t, 0.2 + 0.6 * t * t)
        })
        .collect();
    let c = PhasePortrait {
        trajectories: vec![traj],
        width: 600,
        height: 600,
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    // end head plus at least two heads along the way (filled triangles in the trajectory colour)
    let heads = svg.matches("<polygon").filter(|_| true).count();
    assert!(heads >= 3, "{heads} arrowheads");
}

#[test]
fn x_band_is_shaded_under_the_lines_and_labelled_above_the_plot() {
    let c = LineChart {
        title: "合作概率".into(),
        x_label: "年份".into(),
        y_label: "合作概率".into(),
        series: vec![Series {
            name: "成都".into(),
            x: (0..40).map(f64::from).collect(),
            y: (0..40)
                .map(|t| 0.5 + 0.4 * (t as f64 / 6.0).sin())
                .collect(),
            ..Default::default()
        }],
        y_range: Some((0.0, 1.0)),
        x_ticks: Some(vec![(0.0, "2020".into()), (40.0, "2030".into())]),
        width: 860,
        height: 420,
    };
    let label = "问卷调查窗口 2022Q4–2023Q2";
    let svg = c
        .clone()
        .with_x_bands(vec![XBand {
            from: 10.5,
            to: 13.5,
            label: label.into(),
        }])
        .to_svg()
        .unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let num = |n: roxmltree::Node, a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
    let tick_x = |t: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("text") && n.text() == Some(t))
            .map(|n| num(n, "x"))
            .unwrap()
    };
    let (x0, x40) = (tick_x("2020"), tick_x("2030"));
    let band: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#eaeaea"))
        .collect();
    assert_eq!(band.len(), 1, "one shaded rectangle");
    let b = band[0];
    let at = |v: f64| x0 + (x40 - x0) * v / 40.0;
    assert!((num(b, "x") - at(10.5)).abs() < 0.6, "band starts at 10.5");
    assert!(
        (num(b, "x") + num(b, "width") - at(13.5)).abs() < 0.6,
        "band ends at 13.5"
    );
    // under the line: the band comes before the series' polyline in drawing order
    let pos = |n: roxmltree::Node| n.range().start;
    let line = doc
        .descendants()
        .find(|n| n.has_tag_name("polyline"))
        .unwrap();
    assert!(pos(b) < pos(line));
    // the label sits above the plot, so no data is covered
    let (_, _, bs) = boxes(&svg);
    let lab = bs.iter().find(|t| t.text == label).expect("band label");
    assert!(
        lab.b.3 <= num(b, "y") + 0.5,
        "{:?} above {}",
        lab.b,
        num(b, "y")
    );
    assert!(lab.b.0 >= x0 - 0.5 && lab.b.2 <= x40 + 0.5);
    // no band without the style, and a band with NaN is an error naming it
    assert!(!c.to_svg().unwrap().contains("#eaeaea"));
    let e = c
        .with_x_bands(vec![XBand {
            from: f64::NAN,
            to: 1.0,
            label: "w".into(),
        }])
        .to_svg()
        .unwrap_err()
        .to_string();
    assert!(e.contains("x_bands[0]"), "{e}");
}

/// The x positions of the category labels rotated by 35°, in drawing order.
fn rotated_label_xs(svg: &str) -> Vec<f64> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("text")
                && n.attribute("transform")
                    .is_some_and(|t| t.starts_with("rotate(-35"))
        })
        .map(|n| n.attribute("x").unwrap().parse::<f64>().unwrap())
        .collect()
}

fn many_bars(n: usize, width: u32) -> BarChart {
    BarChart {
        title: "各组均值".into(),
        x_label: "地区".into(),
        y_label: "均值".into(),
        categories: (0..n)
            .map(|i| match i % 3 {
                0 => format!("第{i}区县（川渝毗邻地区）"),
                1 => format!("G{i}"),
                _ => format!("district_{i} near the provincial border"),
            })
            .collect(),
        groups: vec![
            BarGroup {
                name: "2022".into(),
                values: (0..n).map(|i| 2.0 + (i % 4) as f64 * 0.5).collect(),
                ..Default::default()
            },
            BarGroup {
                name: "2023".into(),
                values: (0..n).map(|i| 2.5 + (i % 3) as f64 * 0.5).collect(),
                ..Default::default()
            },
        ],
        horizontal: false,
        width,
        height: 0,
    }
}

/// Widths of the bars of the first group (fill #0072b2).
fn bar_widths(svg: &str) -> Vec<f64> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#0072b2"))
        .map(|n| n.attribute("width").unwrap().parse::<f64>().unwrap())
        .collect()
}

#[test]
fn vertical_bar_chart_widens_with_categories_and_labels_never_collide() {
    let c = many_bars(40, 0);
    let svg = c.to_svg().unwrap();
    let (w, _, bs) = boxes(&svg);
    assert!(
        w > 1000.0,
        "40 categories widen an auto-sized chart, got {w}"
    );
    let widths = bar_widths(&svg);
    // the legend swatch is one of them; every bar keeps a usable width
    assert!(widths.len() >= 40);
    assert!(widths.iter().all(|&b| b >= 6.0), "{widths:?}");
    // rotated category labels: consecutive ones are at least a text line apart
    // (perpendicular to the text, i.e. spacing x sin 35°)
    let rot = rotated_label_xs(&svg);
    assert_eq!(rot.len(), 40, "every category is labelled");
    for p in rot.windows(2) {
        assert!((p[1] - p[0]) * 0.574 >= 12.0 * 1.1, "{p:?}");
    }
    assert!(bs.iter().any(|t| t.text == "各组均值"));
    // a width fixed too small keeps the width and writes every k-th label instead
    let fixed = many_bars(40, 500).to_svg().unwrap();
    let (fw, _, _) = boxes(&fixed);
    assert_eq!(fw, 500.0);
    let frot = rotated_label_xs(&fixed);
    assert!(frot.len() < 40 && frot.len() >= 10, "{}", frot.len());
    for p in frot.windows(2) {
        assert!((p[1] - p[0]) * 0.574 >= 12.0 * 1.1, "{p:?}");
    }
}

#[test]
fn vertical_bar_labels_wrap_onto_two_lines_when_every_word_fits() {
    // six categories of two words each: too wide for one line in a 600-px chart, but each
    // word fits its slot, so the labels are wrapped (not rotated, not cut)
    let c = BarChart {
        title: "t".into(),
        categories: (0..6)
            .map(|i| format!("Province{i} Municipality"))
            .collect(),
        groups: vec![BarGroup {
            values: vec![1.0; 6],
            ..Default::default()
        }],
        width: 600,
        height: 300,
        ..Default::default()
    };
    let svg = c.to_svg().unwrap();
    assert!(!svg.contains("rotate("), "no rotated labels");
    // the same labels in a chart too narrow for their words are rotated instead
    let narrow = BarChart {
        width: 300,
        ..c.clone()
    }
    .to_svg()
    .unwrap();
    assert!(narrow.contains("rotate("));
    let (_, _, bs) = boxes(&svg);
    for i in 0..6 {
        let first = bs
            .iter()
            .find(|t| t.text == format!("Province{i}"))
            .expect("first line");
        let second = bs
            .iter()
            .filter(|t| t.text == "Municipality")
            .find(|t| ((t.b.0 + t.b.2) - (first.b.0 + first.b.2)).abs() < 1.0)
            .expect("second line under the first");
        assert!(second.b.1 >= first.b.3 - 0.5);
    }
    let labels: Vec<&TextBox> = bs.iter().filter(|t| t.text != "t").collect();
    assert_no_overlap(&labels);
}

#[test]
fn value_range_labels_its_lowest_end() {
    // the mean of a sum of three 1-5 items lies in 3..15: the axis must say where it starts
    for horizontal in [false, true] {
        let c = BarChart {
            title: "量表总分".into(),
            categories: vec!["四川".into(), "重庆".into()],
            groups: vec![BarGroup {
                values: vec![9.5, 11.0],
                ..Default::default()
            }],
            horizontal,
            ..Default::default()
        }
        .with_value_range(3.0, 15.0);
        for (w, h) in [(0, 0), (361, 280)] {
            let d = c.layout(w, h).unwrap();
            let svg = d.to_svg_mm(85.0);
            let (_, _, bs) = boxes(&svg);
            let has = |s: &str| bs.iter().any(|t| t.text == s);
            assert!(has("3") && has("15"), "horizontal {horizontal} at {w}x{h}");
            assert!(!has("2.5") && !has("7.5"), "whole-number steps");
        }
    }
}
