//! Quick look at the built-in scenario under overrides, for tuning and for reading the model:
//! `cargo run --release -p xietong-sim --example explore -- RUNS [PATH=VALUE]...`

use xietong_model::builtin::chengdu_chongqing;
use xietong_sim::{Aggregate, run_many};

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let sets: Vec<String> = args.collect();
    let s = chengdu_chongqing(&sets).unwrap_or_else(|e| panic!("{e}"));
    let res = run_many(&s, 42, runs, &|| {});
    let agg = Aggregate::of(&s, &res);
    println!("{}", serde_json::to_string_pretty(&agg).unwrap());
    let t_n = s.calendar.periods as usize;
    let mean = |f: &dyn Fn(&xietong_sim::PeriodRecord) -> f64, t: usize| {
        res.iter().map(|r| f(&r.periods[t])).sum::<f64>() / res.len() as f64
    };
    print!("{:>8}", "period");
    for d in &s.domains {
        print!(" {:>6.6}", d.id);
    }
    println!(
        " {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "trust", "align", "lam", "beta", "omega", "sel", "gini", "dil", "eff"
    );
    for t in (0..t_n).step_by((t_n / 20).max(1)) {
        print!("{:>8}", s.period_label(t));
        for k in 0..s.domains.len() {
            print!(" {:>6.3}", mean(&|r| r.coop_domain[k], t));
        }
        println!(
            " {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6.3}",
            mean(&|r| r.trust, t),
            mean(&|r| r.alignment, t),
            mean(&|r| r.local_centric, t),
            mean(&|r| r.barrier, t),
            mean(&|r| r.orientation, t),
            mean(&|r| r.selective_index, t),
            mean(&|r| r.gini, t),
            res.iter()
                .map(|r| r.periods[..=t].iter().map(|p| p.dilemmas).sum::<u32>() as f64)
                .sum::<f64>()
                / res.len() as f64,
            mean(&|r| r.effort[0] * r.effort[1], t),
        );
    }
}
