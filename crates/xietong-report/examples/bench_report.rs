//! Render timing for typical charts (median of repeated runs, release build):
//! `cargo run --release -p xietong-report --example bench_report [-- ITERATIONS]`.
//! Results are recorded in docs/performance/report.md.

use std::time::Instant;
use xietong_report::*;

#[path = "gallery.rs"]
#[allow(dead_code)]
mod gallery;

/// CPU time of this thread in ns (Linux `/proc/thread-self/schedstat`), if available: on a
/// shared machine it is closer to the idle-machine cost than wall time.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

struct Timing {
    median_ms: f64,
    min_ms: f64,
    cpu_mean_ms: Option<f64>,
    bytes: usize,
}

/// Wall median and minimum per call, and mean thread CPU time over all calls.
fn time_ms(iters: usize, mut f: impl FnMut() -> usize) -> Timing {
    let mut times = Vec::with_capacity(iters);
    let mut bytes = 0;
    let cpu0 = thread_cpu_ns();
    for _ in 0..iters {
        let t = Instant::now();
        bytes = std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let cpu1 = thread_cpu_ns();
    times.sort_by(f64::total_cmp);
    Timing {
        median_ms: times[times.len() / 2],
        min_ms: times[0],
        cpu_mean_ms: cpu0
            .zip(cpu1)
            .map(|(a, b)| (b - a) as f64 / 1e6 / iters as f64),
        bytes,
    }
}

fn cell(t: &Timing, digits: usize) -> String {
    let cpu = t
        .cpu_mean_ms
        .map_or("-".to_string(), |c| format!("{c:.digits$}"));
    format!("{:.digits$} / {:.digits$} / {cpu}", t.median_ms, t.min_ms)
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
    println!(
        "{iters} iterations per cell, 800x450 px; ms per call as wall median / wall minimum / mean thread CPU"
    );
    println!("| chart | SVG ms | SVG bytes | PNG ms | PNG bytes |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, c) in &charts {
        let svg = time_ms(iters, || c.to_svg().unwrap().len());
        let png = time_ms(iters, || c.to_png().unwrap().len());
        println!(
            "| {name} | {} | {} | {} | {} |",
            cell(&svg, 2),
            svg.bytes,
            cell(&png, 1),
            png.bytes
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
    let html = time_ms(iters, || report.render().len());
    println!(
        "| HTML report with the 6 SVGs | {} | {} | | |",
        cell(&html, 2),
        html.bytes
    );
}
