//! Render timing for typical charts (median of repeated runs, release build):
//! `cargo run --release -p xietong-report --example bench [-- ITERATIONS]`.
//! Results are recorded in docs/performance/report.md.

use std::time::Instant;
use xietong_report::*;

#[path = "gallery.rs"]
#[allow(dead_code)]
mod gallery;

/// (median ms, minimum ms, output size): the minimum is the better estimate on a shared, busy
/// machine, the median the typical cost.
fn time_ms(iters: usize, mut f: impl FnMut() -> usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(iters);
    let mut size = 0;
    for _ in 0..iters {
        let t = Instant::now();
        size = std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0], size)
}

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    // warm up the font (parsed once per process)
    let _ = gallery::line().to_png();
    let charts: Vec<(&str, Box<dyn Chart>)> = vec![
        (
            "line: 3 series x 61 points, 1 band",
            Box::new(gallery::line()),
        ),
        (
            "bar: 4 categories x 2 groups, error bars",
            Box::new(gallery::bar(false)),
        ),
        (
            "diverging: 4 items x 5 levels",
            Box::new(gallery::diverging()),
        ),
        (
            "phase: 121 arrows, 4 trajectories x 401 points",
            Box::new(gallery::phase()),
        ),
        (
            "ribbon: 10 periods x 4 stages",
            Box::new(gallery::ribbon(10)),
        ),
        ("ribbon: 120 periods (area)", Box::new(gallery::ribbon(120))),
    ];
    println!("{iters} iterations per cell, 800x450 px; times in ms as median / minimum");
    println!("| chart | SVG ms | SVG bytes | PNG ms | PNG bytes |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, c) in &charts {
        let (svg_med, svg_min, svg_b) = time_ms(iters, || c.to_svg().unwrap().len());
        let (png_med, png_min, png_b) = time_ms(iters, || c.to_png().unwrap().len());
        println!(
            "| {name} | {svg_med:.2} / {svg_min:.2} | {svg_b} | {png_med:.1} / {png_min:.1} | {png_b} |"
        );
    }
    let report = HtmlReport {
        title: "bench".into(),
        sections: vec![Section {
            heading: "charts".into(),
            blocks: charts
                .iter()
                .map(|(_, c)| Block::Svg(c.to_svg().unwrap()))
                .collect(),
        }],
        ..Default::default()
    };
    let (html_med, html_min, html_b) = time_ms(iters, || report.render().len());
    println!("| HTML report with the 6 SVGs | {html_med:.2} / {html_min:.2} | {html_b} | | |");
}
