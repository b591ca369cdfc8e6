//! The robustness study of docs/ODD.md (section 9): a Latin-hypercube sample of ±20% perturbations
//! of every behavioural and dynamic parameter of the built-in scenario; at each point every
//! pattern P1-P9, P11-P13 is evaluated as in the test suite; the table gives, per pattern, the
//! share of points where it holds, all jointly, and the parameters each failing pattern is most
//! sensitive to (largest standardized difference of the parameter between failing and passing
//! points).
//!
//! `cargo run --release -p xietong-sim --example robustness -- [POINTS] [RUNS] [SEED]`
//! (defaults 100 points, 20 runs per variant, seed 2024; about two minutes on two cores).

use xietong_model::builtin::chengdu_chongqing;
use xietong_sim::patterns::Probe;
use xietong_sim::rng::{stream, uniform};

/// Every perturbed parameter: its `--set` path, and whether it must stay in [0, 1].
fn parameters() -> Vec<(String, f64, bool)> {
    let s = chengdu_chongqing(&[]).expect("built-in");
    let b = &s.behaviour;
    let d = &s.dynamics;
    let l = &s.dilemma;
    let mut v: Vec<(String, f64, bool)> = vec![
        (
            "behaviour.local_centric.mean".into(),
            b.local_centric.mean(),
            true,
        ),
        ("behaviour.barrier.mean".into(), b.barrier.mean(), true),
        ("behaviour.trust.mean".into(), b.trust.mean(), true),
        (
            "behaviour.orientation.mean".into(),
            b.orientation.mean(),
            true,
        ),
        (
            "behaviour.temperature.mean".into(),
            b.temperature.mean(),
            false,
        ),
        ("behaviour.fidelity.mean".into(), b.fidelity.mean(), true),
    ];
    let unit = |name: &str, x: f64| (format!("dynamics.{name}"), x, true);
    let pos = |name: &str, x: f64| (format!("dynamics.{name}"), x, false);
    v.extend([
        unit("prior_cooperation", d.prior_cooperation),
        unit("distrust_floor", d.distrust_floor),
        unit("cost_relief", d.cost_relief),
        pos("adaptation", d.adaptation),
        unit("alignment_rate", d.alignment_rate),
        unit("alignment_decay", d.alignment_decay),
        unit("foundation", d.foundation),
        pos("capacity", d.capacity),
        unit("wave_threshold", d.wave_threshold),
        unit("trust_up", d.trust_up),
        unit("trust_down", d.trust_down),
        unit("trust_floor", d.trust_floor),
        unit("dilution", d.dilution),
        pos("bureau_rigidity", d.bureau_rigidity),
        unit("unfairness", d.unfairness),
        unit("retreat_trust_cost", d.retreat_trust_cost),
        unit("wear_local_centric", d.wear_local_centric),
        unit("wear_barrier", d.wear_barrier),
        unit("orientation_rate", d.orientation_rate),
        pos("reward_effect", d.reward_effect),
        pos("punishment_effect", d.punishment_effect),
        unit("punishment_ceiling", d.punishment_ceiling),
        pos("reward_bureau", d.reward_bureau),
        pos("growth_rate", d.growth_rate),
        pos("bureau_temperature", d.bureau_temperature),
        pos("bureau_benefit", d.bureau_benefit),
        pos("bureau_cost", d.bureau_cost),
        pos("deepen_effort", d.deepen_effort),
        unit("joint_body", d.joint_body),
    ]);
    let dl = |name: &str, x: f64, u: bool| (format!("dilemma.{name}"), x, u);
    v.extend([
        dl("drop", l.drop, true),
        dl("min_peak", l.min_peak, true),
        dl("selective_threshold", l.selective_threshold, true),
        dl("siphon_threshold", l.siphon_threshold, true),
        dl("stall", l.stall, true),
        dl("deepen_cost", l.deepen_cost, false),
        dl("deepen_alignment", l.deepen_alignment, true),
        dl("temperature", l.temperature, false),
    ]);
    v
}

fn main() {
    let mut args = std::env::args().skip(1);
    let points: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let runs: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(2024);
    let params = parameters();
    let p_n = params.len();
    // Latin hypercube on [0, 1)^p: one stratum per point in every dimension, shuffled.
    let mut rng = stream(seed, 0, 0, 0);
    let mut design = vec![vec![0.0; p_n]; points];
    for j in 0..p_n {
        let mut strata: Vec<usize> = (0..points).collect();
        for i in (1..points).rev() {
            let r = (uniform(&mut rng) * (i + 1) as f64) as usize;
            strata.swap(i, r.min(i));
        }
        for (i, row) in design.iter_mut().enumerate() {
            row[j] = (strata[i] as f64 + uniform(&mut rng)) / points as f64;
        }
    }
    let mut ids: Vec<&'static str> = Vec::new();
    let mut holds: Vec<Vec<bool>> = Vec::new();
    for (i, row) in design.iter().enumerate() {
        let base: Vec<String> = params
            .iter()
            .zip(row)
            .map(|((path, x, unit), u)| {
                let mut v = x * (0.8 + 0.4 * u);
                if *unit {
                    v = v.min(1.0);
                }
                format!("{path}={v}")
            })
            .collect();
        let verdicts = Probe::new(base, seed + 1 + i as u64, runs).all();
        ids = verdicts.iter().map(|v| v.id).collect();
        holds.push(verdicts.iter().map(|v| v.holds).collect());
        let fails: Vec<&str> = verdicts.iter().filter(|v| !v.holds).map(|v| v.id).collect();
        eprintln!(
            "point {:>3}/{points}: {}",
            i + 1,
            if fails.is_empty() {
                "all hold".to_string()
            } else {
                format!("fails {}", fails.join(" "))
            }
        );
        for v in verdicts.iter().filter(|v| !v.holds) {
            eprintln!("    {}: {}", v.id, v.failed.join("; "));
        }
    }
    println!(
        "Robustness: {points} Latin-hypercube points, ±20% on {p_n} parameters, {runs} runs per variant, seed {seed}\n"
    );
    println!(
        "| pattern | holds at | most sensitive parameters (failing − passing, in sd of the factor) |"
    );
    println!("| --- | --- | --- |");
    for (pi, id) in ids.iter().enumerate() {
        let ok: Vec<bool> = holds.iter().map(|h| h[pi]).collect();
        let rate = ok.iter().filter(|&&b| b).count() as f64 / points as f64;
        let mut sens: Vec<(f64, &str)> = Vec::new();
        if ok.iter().any(|&b| !b) && ok.iter().any(|&b| b) {
            for (j, (path, _, _)) in params.iter().enumerate() {
                let group = |want: bool| {
                    let v: Vec<f64> = design
                        .iter()
                        .zip(&ok)
                        .filter(|(_, o)| **o == want)
                        .map(|(r, _)| r[j])
                        .collect();
                    v.iter().sum::<f64>() / v.len() as f64
                };
                // Uniform(0, 1) has sd 1/√12.
                sens.push(((group(false) - group(true)) * 12f64.sqrt(), path));
            }
            sens.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        }
        let top: Vec<String> = sens
            .iter()
            .take(3)
            .map(|(d, p)| format!("`{p}` {d:+.2}"))
            .collect();
        println!(
            "| {id} | {:.0}% | {} |",
            100.0 * rate,
            if top.is_empty() {
                "—".into()
            } else {
                top.join(", ")
            }
        );
    }
    let joint = holds.iter().filter(|h| h.iter().all(|&b| b)).count() as f64 / points as f64;
    println!("| all jointly | {:.0}% | |", 100.0 * joint);
}
