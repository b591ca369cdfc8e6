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

/// CPU time of this thread in nanoseconds (Linux `/proc/thread-self/schedstat`), which other
/// processes on a shared machine disturb much less than wall time; None elsewhere. The kernel
/// updates it at scheduler ticks, so it is read around all repeats together and averaged.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `f` `repeats` times; returns (min wall, median wall, mean CPU if known, last result).
fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, Option<Duration>, T) {
    let mut times = Vec::with_capacity(repeats);
    let mut last = None;
    let c0 = cpu_ns();
    for _ in 0..repeats {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    let cpu = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => Some(Duration::from_nanos((b - a) / repeats as u64)),
        _ => None,
    };
    times.sort();
    (times[0], times[times.len() / 2], cpu, last.unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(label: &str, (min, med, cpu): (Duration, Duration, Option<Duration>)) {
    let cpu = cpu.map_or("n/a".to_string(), |c| format!("{:.1} ms", ms(c)));
    println!(
        "{label:<50} wall min {:>7.2} ms, median {:>7.2} ms; CPU mean {cpu}",
        ms(min),
        ms(med)
    );
}

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let d = 10;
    let n = 1 << 14;
    let a: Vec<f64> = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0].to_vec();
    let factors: Vec<Factor> = (0..d)
        .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
        .collect();
    println!("D = {d}, N = {n}, repeats = {repeats}");

    for second_order in [true, false] {
        let opts = SaltelliOptions {
            second_order,
            skip: 0,
        };
        let (a1, b1, c1, des) = time(repeats, || design::saltelli(&factors, n, opts).unwrap());
        let y: Vec<f64> = des.rows().map(|x| g_function(x, &a)).collect();
        let (a2, b2, c2, si) = time(repeats, || {
            sobol_analyze(&des, &y, &SobolOptions::default()).unwrap()
        });
        let order = if second_order {
            "second order"
        } else {
            "first order"
        };
        report(
            &format!("Saltelli design, {order}, {} rows", des.n_rows),
            (a1, b1, c1),
        );
        report(
            &format!("Sobol' analysis, {order}, 100 resamples"),
            (a2, b2, c2),
        );
        println!("    (S1[0] = {:.4}, ST[0] = {:.4})", si.s1[0], si.st[0]);
    }

    let (a1, b1, c1, md) = time(repeats, || design::morris(&factors, 1000, 4, 1).unwrap());
    let y: Vec<f64> = md.rows().map(|x| g_function(x, &a)).collect();
    let (a2, b2, c2, _) = time(repeats, || {
        morris_analyze(&md, &y, &MorrisOptions::default()).unwrap()
    });
    report(
        &format!("Morris design, r = 1000, p = 4, {} rows", md.n_rows),
        (a1, b1, c1),
    );
    report("Morris analysis, 100 resamples", (a2, b2, c2));
    let (a1, b1, c1, _) = time(repeats.min(5), || {
        design::morris_optimised(&factors, 100, 10, 4, 1).unwrap()
    });
    report("Morris optimised, 10 of 100 candidates", (a1, b1, c1));
    let (a1, b1, c1, _) = time(repeats, || {
        design::latin_hypercube(&factors, 100_000, 1).unwrap()
    });
    report("Latin hypercube, n = 100000", (a1, b1, c1));
}
