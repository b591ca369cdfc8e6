//! Runner overhead next to the simulation, on one thread: the same points and replications timed
//! (a) as bare `simulate` calls on scenarios built beforehand and (b) through `run_points`, which
//! also builds each point's scenario from its overrides, formats the rows and reorders them.
//! Minimum over repeats, since the machine is shared.
//! `cargo run --release -p xietong-experiment --example bench_runner [-- POINTS REPS REPEATS]`

use std::time::Instant;
use xietong_experiment::Plan;
use xietong_experiment::runner::run_points;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let points = args.first().copied().unwrap_or(200);
    let reps = args.get(1).copied().unwrap_or(10);
    let repeats = args.get(2).copied().unwrap_or(3);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/experiments/bench-10k.toml"
    ))
    .expect("bench-10k.toml")
    .replace("n = 10000", &format!("n = {points}"))
    .replace("replications = 10", &format!("replications = {reps}"));
    let plan = Plan::new(&text, "bench", CHENGDU_CHONGQING, BUILTIN_NAME).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let runs = (points * reps) as f64;
    let (mut bare, mut full, mut parse) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..repeats {
        let t = Instant::now();
        let scenarios: Vec<_> = (0..points).map(|p| plan.scenario(p).unwrap()).collect();
        parse = parse.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut sink = 0.0;
        pool.install(|| {
            for (p, s) in scenarios.iter().enumerate() {
                for r in 0..reps {
                    sink += xietong_sim::simulate(s, plan.seed(p), r as u64)
                        .summary
                        .cumulative_cooperation;
                }
            }
        });
        bare = bare.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut bytes = 0usize;
        pool.install(|| {
            run_points(&plan, 0..points, 8, &|| {}, &mut |_, rows, _| {
                bytes += rows.len();
                Ok(())
            })
        })
        .unwrap();
        full = full.min(t.elapsed().as_secs_f64());
        assert!(sink.is_finite() && bytes > 0);
    }
    println!(
        "{points} points x {reps} replications, 1 thread, min of {repeats}:\n  bare simulate: {:.3} ms/run\n  runner:        {:.3} ms/run\n  overhead:      {:.3} ms/run ({:.1}%), of which building scenarios from overrides {:.3} ms/point",
        bare * 1e3 / runs,
        full * 1e3 / runs,
        (full - bare) * 1e3 / runs,
        (full - bare) / bare * 100.0,
        parse * 1e3 / points as f64
    );
}
