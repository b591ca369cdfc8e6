//! Reproduces the calibration of the built-in scenario's local benefits `b` to the paper's
//! survey-window figures (public services 0.69, infrastructure 0.657, international consumption
//! destination 0.367): coordinate-wise bisection on each domain's `local_benefit`, repeated until
//! the fitted values stop moving, 60 runs per evaluation (seed 7, common random numbers).
//! `cargo run --release -p xietong-sim --example calibrate_builtin`

use xietong_model::builtin::chengdu_chongqing;
use xietong_sim::{Aggregate, run_many};

use xietong_model::paper::SURVEY_COOPERATION as TARGETS;

fn survey_coop(b: &[f64; 3], domain: &str) -> f64 {
    let sets: Vec<String> = TARGETS
        .iter()
        .zip(b)
        .map(|((id, _), v)| format!("domains.{id}.local_benefit={v}"))
        .collect();
    let s = chengdu_chongqing(&sets).expect("valid overrides");
    let res = run_many(&s, 7, 60, &|| {});
    Aggregate::of(&s, &res).survey_period.cooperation_by_domain[domain]
}

fn main() {
    let base = chengdu_chongqing(&[]).unwrap();
    let mut b = TARGETS.map(|(id, _)| base.domains[base.domain_index(id).unwrap()].local_benefit);
    for sweep in 0..4 {
        for (i, (id, target)) in TARGETS.iter().enumerate() {
            let (mut lo, mut hi) = (0.0, 2.0);
            for _ in 0..30 {
                b[i] = (lo + hi) / 2.0;
                if survey_coop(&b, id) < *target {
                    lo = b[i]
                } else {
                    hi = b[i]
                }
            }
            b[i] = ((lo + hi) / 2.0 * 1000.0).round() / 1000.0;
        }
        let fit: Vec<String> = TARGETS
            .iter()
            .map(|(id, t)| format!("{id} {:.3} (target {t})", survey_coop(&b, id)))
            .collect();
        println!(
            "sweep {sweep}: local_benefit = {b:?}; survey cooperation: {}",
            fit.join(", ")
        );
    }
}
