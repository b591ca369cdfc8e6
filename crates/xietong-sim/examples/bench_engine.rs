//! Engine throughput: jurisdiction-domain decisions per second for the built-in scenario's 10
//! domains at 100, 10,000 and 1,000,000 jurisdictions, on one thread and on all threads, with the
//! process's peak resident memory. Whole runs are timed (decisions, state updates, indicators,
//! inequality), not just the decision kernel.
//! `cargo run --release -p xietong-sim --example bench_engine [-- SIZES...]`; with
//! `BENCH_LANES=2` (or 4) the kernels are limited to baseline x86-64 (or AVX2) vectors, to measure
//! what processors without AVX-512 get; with `BENCH_THREADS=k` only k threads are measured.

use std::time::Instant;
use xietong_model::builtin::{chengdu_chongqing, spread_jurisdictions};
use xietong_sim::run_many;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds used by this process so far (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 (utime, stime) are at positions 11 and 12 after the command name.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if let Some(lanes) = std::env::var("BENCH_LANES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        xietong_sim::limit_vector_lanes(lanes);
    }
    let header = std::env::var_os("BENCH_ENGINE_CHILD").is_none();
    if header {
        println!(
            "Kernels on vectors of {} doubles.\n",
            xietong_sim::vector_lanes()
        );
        println!(
            "| jurisdictions | threads | runs x periods | decisions | wall s | CPU s | decisions/s (wall) | decisions/s per CPU-second | peak RSS MiB |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }
    if sizes.is_empty() {
        // Each size in a process of its own, so that its peak memory is its own.
        for n in [100, 10_000, 1_000_000] {
            let status = std::process::Command::new(std::env::current_exe().unwrap())
                .arg(n.to_string())
                .env("BENCH_ENGINE_CHILD", "1")
                .status()
                .expect("run the benchmark for one size");
            assert!(status.success());
        }
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    for &n in &sizes {
        // n jurisdictions spread over the 7 zones (3 Sichuan, 4 Chongqing).
        let mut sets = spread_jurisdictions(n);
        let periods = 40u64;
        sets.push(format!("calendar.periods={periods}"));
        let s = chengdu_chongqing(&sets).expect("valid scenario");
        // Enough runs for every size to take seconds, so that start-up does not dominate.
        let runs = (400_000 / n)
            .clamp(1, 4000)
            .max(if n >= 1_000_000 { 1 } else { 2 });
        // BENCH_THREADS=k measures k threads only (for profiling one configuration).
        let thread_counts: Vec<usize> = match std::env::var("BENCH_THREADS") {
            Ok(k) => vec![k.parse().expect("BENCH_THREADS: a whole number")],
            Err(_) => vec![1, cores],
        };
        for threads in thread_counts {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let (t0, c0) = (Instant::now(), cpu_seconds());
            let res = pool.install(|| run_many(&s, 1, runs, &|| {}));
            let secs = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - c0;
            let decisions = (n * 10 * periods * runs) as f64;
            assert_eq!(res.len() as u64, runs);
            println!(
                "| {n} | {threads} | {runs} x {periods} | {decisions:.3e} | {secs:.2} | {cpu:.2} | {:.1} M | {:.1} M | {:.0} |",
                decisions / secs / 1e6,
                decisions / cpu / 1e6,
                peak_rss_mib()
            );
        }
    }
}
