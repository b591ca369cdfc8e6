//! Runs the engine on one thread for a fixed number of runs of the built-in scenario at a given
//! number of jurisdictions (40 quarters), and prints a checksum of the results: a fixed, small
//! workload for instruction counts (`valgrind --tool=callgrind`), which unlike timings do not
//! drift with the machine's speed.
//! `cargo run --release -p xietong-sim --example engine_runs -- [RUNS] [JURISDICTIONS]`; with
//! `ENGINE_RUNS_REUSE=1` each run is written over the previous one with `simulate_into`.

use xietong_model::builtin::{chengdu_chongqing, spread_jurisdictions};
use xietong_sim::{simulate, simulate_into};

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let runs = args.first().copied().unwrap_or(100);
    let n = args.get(1).copied().unwrap_or(42);
    let mut sets = spread_jurisdictions(n);
    sets.push("calendar.periods=40".to_string());
    let s = chengdu_chongqing(&sets).expect("valid scenario");
    let reuse = std::env::var_os("ENGINE_RUNS_REUSE").is_some();
    let mut check = 0u64;
    let mut res = None;
    for r in 0..runs {
        match (&mut res, reuse) {
            (Some(out), true) => simulate_into(&s, 1, r, out),
            _ => res = Some(simulate(&s, 1, r)),
        }
        let res = res.as_ref().expect("a result");
        for p in &res.periods {
            check = check.rotate_left(5) ^ p.cooperation.to_bits() ^ p.gini.to_bits();
        }
    }
    println!("{runs} runs of {n} jurisdictions, checksum {check:016x}");
}
