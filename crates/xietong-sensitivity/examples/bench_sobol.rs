//! Benchmark: Saltelli design generation and Sobol' analysis at D = 10, N = 2^14 (second order,
//! 360,448 rows; 100 bootstrap resamples), plus Morris and Latin hypercube for scale.
//! Model outputs come from the G-function and are not timed.
//!
//! Run: `cargo run --release -p xietong-sensitivity --example bench_sobol [-- REPEATS]`
//! Results are recorded in docs/performance/sensitivity.md.

use std::time::{Duration, Instant};

use xietong_sensitivity::design;
use xietong_sensitivity::testfn::g_function;
use xietong_sensitivity::{
    Factor, MorrisOptions, SaltelliOptions, SobolOptions, morris_analyze, sobol_analyze,
};

fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    (times[0], times[times.len() / 2], last.unwrap())
}

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let d = 10;
    let n = 1 << 14;
    let a: Vec<f64> = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0].to_vec();
    let factors: Vec<Factor> = (0..d)
        .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
        .collect();
    println!("D = {d}, N = {n}, repeats = {repeats} (min / median)");

    for second_order in [true, false] {
        let opts = SaltelliOptions {
            second_order,
            skip: 0,
        };
        let (dmin, dmed, des) = time(repeats, || design::saltelli(&factors, n, opts).unwrap());
        let y: Vec<f64> = des.rows().map(|x| g_function(x, &a)).collect();
        let (amin, amed, si) = time(repeats, || {
            sobol_analyze(&des, &y, &SobolOptions::default()).unwrap()
        });
        println!(
            "saltelli second_order={second_order}: {} rows, design {:.1} / {:.1} ms, analysis (100 resamples) {:.1} / {:.1} ms; S1[0] = {:.4}, ST[0] = {:.4}",
            des.n_rows,
            dmin.as_secs_f64() * 1e3,
            dmed.as_secs_f64() * 1e3,
            amin.as_secs_f64() * 1e3,
            amed.as_secs_f64() * 1e3,
            si.s1[0],
            si.st[0]
        );
    }

    let (mmin, mmed, md) = time(repeats, || design::morris(&factors, 1000, 4, 1).unwrap());
    let y: Vec<f64> = md.rows().map(|x| g_function(x, &a)).collect();
    let (amin, amed, _) = time(repeats, || {
        morris_analyze(&md, &y, &MorrisOptions::default()).unwrap()
    });
    println!(
        "morris r=1000, p=4: {} rows, design {:.2} / {:.2} ms, analysis {:.2} / {:.2} ms",
        md.n_rows,
        mmin.as_secs_f64() * 1e3,
        mmed.as_secs_f64() * 1e3,
        amin.as_secs_f64() * 1e3,
        amed.as_secs_f64() * 1e3
    );
    let (lmin, lmed, _) = time(repeats, || {
        design::latin_hypercube(&factors, 100_000, 1).unwrap()
    });
    println!(
        "latin hypercube n=100000: {:.1} / {:.1} ms",
        lmin.as_secs_f64() * 1e3,
        lmed.as_secs_f64() * 1e3
    );
}
