//! Renders an HTML report with a 40-item table and a 40-item Likert chart in headless
//! Chromium and measures the laid-out page: its height stays bounded (the issue's report grew
//! to 14,000 px because the item column was squeezed to one character per line), the item
//! column keeps a readable width, and no numeric cell wraps.
//!
//! Without Chromium the test prints a skip notice, unless XIETONG_REQUIRE_BROWSER=1 (CI sets
//! it, with chromium and fonts-wqy-microhei installed), when it fails.

use std::path::Path;
use std::process::Command;
use xietong_report::*;

fn chromium() -> Option<&'static str> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
}

fn report() -> HtmlReport {
    let items: Vec<String> = (0..40)
        .map(|i| match i % 3 {
            0 => format!(
                "Q{} 本地政府愿意与相邻地区共享经济发展数据和行政审批信息资源",
                i + 1
            ),
            1 => format!("Q{} 协同", i + 1),
            _ => format!("Q{} cadre_incentives − no_cadre_incentives", i + 1),
        })
        .collect();
    let mut header: Vec<String> = vec!["题目".into(), "n".into(), "M".into(), "SD".into()];
    for z in ["成都", "重庆", "绵阳", "德阳", "其他"] {
        header.push(format!("{z} M"));
        header.push(format!("{z} SD"));
    }
    header.extend(["F".into(), "p".into(), "η²".into()]);
    let rows: Vec<Vec<String>> = items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let mut r = vec![it.clone(), "412".into(), "3.52".into(), "0.94".into()];
            for _ in 0..5 {
                r.push("3.61".into());
                r.push("1.02".into());
            }
            r.extend([
                "12.31".into(),
                format_p(if i % 2 == 0 { 0.0001 } else { 0.0412 }),
                "0.011".into(),
            ]);
            r
        })
        .collect();
    let likert = DivergingBarChart {
        title: "各题回答分布".into(),
        items: items.clone(),
        levels: ["非常不同意", "不同意", "中立", "同意", "非常同意"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        shares: (0..40).map(|_| vec![0.1, 0.2, 0.2, 0.3, 0.2]).collect(),
        width: 0,
        height: 0,
    };
    HtmlReport {
        title: "问卷分析报告".into(),
        subtitle: String::new(),
        lang: Lang::Zh,
        sections: vec![Section {
            heading: "地区比较".into(),
            blocks: vec![
                Block::Table(Table {
                    caption: "各题地区比较".into(),
                    header,
                    rows,
                    note: Some("单因素方差分析。".into()),
                }),
                Block::svg_of(&likert).unwrap(),
            ],
        }],
    }
}

#[test]
fn forty_item_report_lays_out_in_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var("XIETONG_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium not found but XIETONG_REQUIRE_BROWSER=1");
        }
        eprintln!("skipped: chromium not installed (set XIETONG_REQUIRE_BROWSER=1 to require it)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("xietong-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = report().render();
    // The report forbids scripts (CSP). The measuring copy drops that one meta tag and appends
    // a script that writes the measurements into the DOM, which --dump-dom prints.
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + html[csp_start..].find('>').unwrap() + 1;
    let probe = r#"<script>
const first = [...document.querySelectorAll('tbody tr')][0];
const item = first.cells[0].getBoundingClientRect();
const nums = [...document.querySelectorAll('td.num')];
const lines = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length; };
const wrapped = nums.filter(td => lines(td) > 1).length;
const p = [...document.querySelectorAll('tbody tr')].map(r => r.cells[r.cells.length - 2].textContent);
document.body.setAttribute('data-measure', JSON.stringify({
  height: document.documentElement.scrollHeight,
  itemWidth: item.width, wrapped: wrapped, p: p.slice(0, 2),
  tableScrolls: document.querySelector('figure.table').scrollWidth > document.querySelector('figure.table').clientWidth
}));
</script></body>"#;
    let measured = format!("{}{}", &html[..csp_start], &html[csp_end..]).replace("</body>", probe);
    let page = dir.join("report.html");
    std::fs::write(&page, &measured).unwrap();
    std::fs::write(dir.join("report-original.html"), &html).unwrap();
    let profile = dir.join("profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1200,2000",
    ];
    let out = Command::new(bin)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let at = dom.find("data-measure=\"").unwrap_or_else(|| {
        panic!(
            "no measurement in the DOM: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let json = dom[at + 14..]
        .split('"')
        .next()
        .unwrap()
        .replace("&quot;", "\"")
        .replace("&lt;", "<");
    let num = |key: &str| -> f64 {
        let k = format!("\"{key}\":");
        json[json.find(&k).unwrap() + k.len()..]
            .split([',', '}'])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let height = num("height");
    let item_width = num("itemWidth");
    let wrapped = num("wrapped");
    eprintln!(
        "page {height} px tall, item column {item_width} px, {wrapped} numeric cells wrapped: {json}"
    );
    // 40 rows of at most three lines (~80 px) + a 40-item chart (~1.6k px) + headings
    assert!(height < 6500.0, "page is {height} px tall");
    assert!(
        item_width >= 100.0,
        "item column squeezed to {item_width} px"
    );
    assert_eq!(wrapped, 0.0, "numeric cells wrapped");
    assert!(json.contains("< 0.001"), "p printed whole: {json}");
    // a screenshot of the unmodified report, for people to look at
    let shot = dir.join("report.png");
    let st = Command::new(bin)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!(
            "file://{}",
            dir.join("report-original.html").display()
        ))
        .output()
        .unwrap();
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&st.stderr)));
    assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1200);
    if std::env::var("XIETONG_KEEP_SCREENSHOT").is_ok() {
        eprintln!("screenshot kept in {}", shot.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
