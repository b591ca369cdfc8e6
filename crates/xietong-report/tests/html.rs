//! HTML report tests: escaping, self-containment, language, contents, embedded figures.

use xietong_report::*;

fn report(lang: Lang) -> HtmlReport {
    let chart = LineChart {
        title: "合作率".into(),
        series: vec![Series {
            name: "成都".into(),
            x: vec![0.0, 1.0, 2.0],
            y: vec![0.2, 0.5, 0.4],
            lower: None,
            upper: None,
        }],
        ..Default::default()
    };
    HtmlReport {
        title: "报告 <script>alert('t')</script>".into(),
        subtitle: "Sub & title".into(),
        lang,
        sections: vec![
            Section {
                heading: "结果 <b>bold</b>".into(),
                blocks: vec![
                    Block::Paragraph("第一段 <script>alert(1)</script>\n\n第二段 & more".into()),
                    Block::Svg(chart.to_svg().unwrap()),
                    Block::Png(chart.to_png().unwrap()),
                    Block::Note("注意 <img src=x onerror=alert(1)>".into()),
                ],
            },
            Section {
                heading: String::new(),
                blocks: vec![Block::Table(Table {
                    caption: "表 1 <i>".into(),
                    header: vec!["变量".into(), "M".into()],
                    rows: vec![
                        vec!["合作率".into(), "0.62".into()],
                        vec!["<script>".into(), "1.5".into()],
                    ],
                    note: Some("N = 30 & p < .05".into()),
                })],
            },
        ],
    }
}

#[test]
fn user_text_is_escaped() {
    let html = report(Lang::Zh).render();
    // the only <script in the page would come from user text
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "unescaped script tag"
    );
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains("<b>bold</b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("结果 &lt;b&gt;bold&lt;/b&gt;"));
    assert!(html.contains("N = 30 &amp; p &lt; .05"));
    assert!(
        html.contains(
            "<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>第二段 &amp; more</p>"
        )
    );
}

#[test]
fn report_is_self_contained() {
    let html = report(Lang::En).render();
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("http://") && !lower.contains("https://"),
        "URL in report"
    );
    assert!(!lower.contains("<link") && !lower.contains("@import") && !lower.contains("src=\"//"));
    // only data: images
    for (i, _) in lower.match_indices(" src=\"") {
        assert!(
            lower[i + 6..].starts_with("data:image/png;base64,"),
            "non-data src"
        );
    }
    assert!(html.contains("Content-Security-Policy"));
    assert!(html.contains("<style>") && html.contains("@media print"));
    // inline SVG kept, PNG embedded
    assert!(html.contains("<svg version=\"1.1\""));
    assert!(html.contains(">合作率</text>"));
    assert!(html.contains("data:image/png;base64,iVBORw0KGgo"));
}

#[test]
fn language_toc_and_table() {
    let zh = report(Lang::Zh).render();
    assert!(zh.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(zh.contains("<meta charset=\"utf-8\">"));
    assert!(zh.contains("<h2>目录</h2>"));
    assert!(zh.contains("<a href=\"#sec-1\">结果 &lt;b&gt;bold&lt;/b&gt;</a>"));
    assert!(zh.contains("<a href=\"#sec-2\">第 2 节</a>"));
    assert!(zh.contains("<section id=\"sec-2\">"));
    assert!(zh.contains("<em>注：</em>"));
    assert!(zh.contains("<td class=\"num\">0.62</td>"));
    let en = report(Lang::En).render();
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("<h2>Contents</h2>"));
    assert!(en.contains("<em>Note.</em>"));
    let title_tag = en
        .split("<title>")
        .nth(1)
        .unwrap()
        .split("</title>")
        .next()
        .unwrap();
    assert_eq!(
        title_tag,
        "报告 &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"
    );
}

#[test]
fn unsafe_or_invalid_figures_are_refused_visibly() {
    let r = HtmlReport {
        title: "t".into(),
        sections: vec![Section {
            heading: "h".into(),
            blocks: vec![
                Block::Svg("<svg><script>alert(1)</script></svg>".into()),
                Block::Svg("<svg><image href=\"https://example.com/x.png\"/></svg>".into()),
                Block::Png(b"GIF89a not a png".to_vec()),
            ],
        }],
        ..Default::default()
    };
    let html = r.render();
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(!html.contains("https://"));
    assert_eq!(html.matches("class=\"blocked\"").count(), 3);
}

#[test]
fn empty_report_still_valid() {
    let html = HtmlReport::default().render();
    assert!(html.contains("<title>Report</title>"));
    assert!(!html.contains("<nav"));
    assert!(html.trim_end().ends_with("</html>"));
}
