//! Pattern-oriented validation (docs/ODD.md, section 9). Each pattern P1-P9, P11-P13 is defined
//! once in `xietong_sim::patterns` as a comparison of scenario variants with stated margins; here
//! each must hold at several seeds, none of which was used to choose the model's parameters (those
//! were chosen at seeds 1 and 42), 40 runs per variant. P10 (mean-field agreement with the
//! replicator dynamics) is tested with the game engine in `crates/xietong/tests/p10_mean_field.rs`.
//! Also here: the built-in scenario's calibration and behaviour (few dilemmas, rare retreats, run
//! to run spread), the retreat stage, the advanced stage under strong levers, and the siphon index.
//! Print the numbers: `cargo test --release -p xietong-sim --test patterns -- --nocapture`.

use xietong_model::builtin::chengdu_chongqing;
use xietong_model::mechanism::Stage;
use xietong_model::paper;
use xietong_sim::patterns::{Probe, Verdict, mean};
use xietong_sim::{RunResult, run_many};

const RUNS: u64 = 40;
const SEEDS: [u64; 4] = [20240305, 7_000_001, 31337, 9_876_543_210];
/// Every difference a pattern asserts must also exceed this many standard errors.
const SES: f64 = 3.0;

fn check(id: &str, f: impl Fn(&Probe) -> Verdict) {
    let mut failures = Vec::new();
    for seed in SEEDS {
        let v = f(&Probe::new(Vec::new(), seed, RUNS).with_standard_errors(SES));
        eprintln!(
            "{id} at seed {seed}: {}",
            if v.holds { "holds" } else { "FAILS" }
        );
        for (name, value) in &v.measured {
            eprintln!("    {name} = {value:.4}");
        }
        if !v.holds {
            failures.push(format!("seed {seed}: {}", v.failed.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{id} fails: {}", failures.join(" | "));
}

#[test]
fn p1_selective_cooperation_under_protectionism() {
    check("P1", Probe::p1);
}
#[test]
fn p2_central_policy_raises_cooperation_but_not_the_gap() {
    check("P2", Probe::p2);
}
#[test]
fn p3_standardization_breaks_the_bottleneck() {
    check("P3", Probe::p3);
}
#[test]
fn p4_developmental_beats_responsive() {
    check("P4", Probe::p4);
}
#[test]
fn p5_basic_first_beats_key_first() {
    check("P5", Probe::p5);
}
#[test]
fn p6_uniformity_with_intermediate_flexibility() {
    check("P6", Probe::p6);
}
#[test]
fn p7_cadre_reward_and_punishment_each_help_and_differ() {
    check("P7", Probe::p7);
}
#[test]
fn p8_siphoning_widens_then_regional_purpose_narrows_inequality() {
    check("P8", Probe::p8);
}
#[test]
fn p9_standards_demand_peaks_at_intermediate_development() {
    check("P9", Probe::p9);
}
#[test]
fn p11_two_kinds_of_selective_cooperation() {
    check("P11", Probe::p11);
}
#[test]
fn p12_protectionism_lowers_cooperation_and_raises_selectivity() {
    check("P12", Probe::p12);
}
#[test]
fn p13_deepen_decisions_change_the_future() {
    check("P13", Probe::p13);
}

fn runs(sets: &[&str], seed: u64) -> Vec<RunResult> {
    let s = chengdu_chongqing(&sets.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    run_many(&s, seed, RUNS, &|| {})
}

#[test]
fn calibration_survey_window() {
    let s = chengdu_chongqing(&[]).unwrap();
    for seed in SEEDS {
        let res = runs(&[], seed);
        for (id, target) in paper::SURVEY_COOPERATION {
            let k = s.domain_index(id).unwrap();
            let got = mean(
                &res.iter()
                    .map(|r| r.summary.survey_cooperation[k])
                    .collect::<Vec<_>>(),
            );
            eprintln!("seed {seed}: {id} {got:.3} (target {target})");
            assert!((got - target).abs() <= 0.05, "{id}: {got:.3} vs {target}");
        }
        // Initial or transition at the survey, initial in most run-periods.
        let stages: Vec<&String> = res.iter().flat_map(|r| &r.summary.survey_stages).collect();
        assert!(stages.iter().all(|s| *s == "initial" || *s == "transition"));
        let initial =
            stages.iter().filter(|s| **s == "initial").count() as f64 / stages.len() as f64;
        eprintln!("seed {seed}: survey window initial in {initial:.2} of run-periods");
        assert!(
            initial >= 0.6,
            "initial in {initial:.2} of survey run-periods"
        );
        // Zone demand: averaged over runs it ranks the zones exactly as the paper's questionnaire
        // did; in every single run at most neighbours of similar demand swap (Spearman ρ ≥ 0.9).
        let want: Vec<f64> = s
            .zones
            .iter()
            .map(|z| {
                paper::ZONE_DEMAND
                    .iter()
                    .find(|p| p.0 == z.id)
                    .expect("a paper zone")
                    .1
            })
            .collect();
        let mean_demand: Vec<f64> = (0..s.zones.len())
            .map(|z| {
                mean(
                    &res.iter()
                        .map(|r| r.summary.survey_zone_demand[z])
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(spearman(&mean_demand, &want), 1.0, "{mean_demand:?}");
        for r in &res {
            let rho = spearman(&r.summary.survey_zone_demand, &want);
            assert!(rho >= 0.9, "run {}: ρ = {rho}", r.summary.run);
        }
    }
}

#[test]
fn builtin_has_few_dilemmas_rare_retreats_and_real_spread() {
    for seed in SEEDS {
        let res = runs(&[], seed);
        let per = |f: &dyn Fn(&RunResult) -> f64| mean(&res.iter().map(f).collect::<Vec<_>>());
        let dilemmas = per(&|r| r.summary.dilemmas as f64);
        let retreats = per(&|r| r.summary.retreats as f64);
        let deepens = per(&|r| r.summary.deepens as f64);
        let t: Vec<f64> = res
            .iter()
            .map(|r| {
                f64::from(
                    r.summary
                        .first_transition_period
                        .expect("transition within 40 quarters"),
                )
            })
            .collect();
        let m = mean(&t);
        let sd = (t.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (t.len() as f64 - 1.0)).sqrt();
        eprintln!(
            "seed {seed}: dilemmas {dilemmas:.2}, deepens {deepens:.2}, retreats {retreats:.2}, first transition {m:.1} ± {sd:.1}"
        );
        assert!(dilemmas <= 3.0, "few dilemmas: {dilemmas}");
        assert!(retreats <= 0.5, "retreats the exception: {retreats}");
        // The joint working plan is a deepen decision in every run.
        assert!(res.iter().all(|r| r.summary.deepens >= 1));
        // Transition timing varies from run to run through the provinces' own choices.
        assert!(sd >= 1.0, "first transition sd {sd}");
    }
}

#[test]
fn without_standardization_or_central_support_the_region_retreats() {
    for seed in SEEDS {
        let res = runs(
            &[
                "levers.standardization.timing=none",
                "central.scale=0",
                "behaviour.barrier.mean=0.75",
                "calendar.periods=60",
            ],
            seed,
        );
        let with_retreat =
            res.iter().filter(|r| r.summary.retreats > 0).count() as f64 / res.len() as f64;
        let stage = res
            .iter()
            .filter(|r| r.periods.iter().any(|p| p.stage == Stage::Retreat))
            .count() as f64
            / res.len() as f64;
        eprintln!(
            "seed {seed}: runs with retreat decisions {with_retreat:.2}, with the retreat stage {stage:.2}"
        );
        assert!(with_retreat > 0.5, "most runs see retreat decisions");
        assert!(stage > 0.0, "the retreat stage occurs");
    }
}

#[test]
fn strong_levers_reach_the_advanced_stage_within_60_quarters() {
    for seed in SEEDS {
        let res = runs(
            &[
                "calendar.periods=60",
                "levers.standardization.timing=developmental",
                "levers.uniformity=1",
                "levers.flexibility=0.5",
                "levers.cadre.reward=1",
                "levers.cadre.punishment=1",
                "central.scale=1.5",
            ],
            seed,
        );
        let adv = res
            .iter()
            .filter(|r| r.summary.first_advanced_period.is_some())
            .count() as f64
            / res.len() as f64;
        eprintln!("seed {seed}: advanced within 60 quarters in {adv:.2} of runs");
        assert!(adv >= 0.8, "advanced reached in {adv:.2} of runs");
    }
}

#[test]
fn siphon_index_is_one_half_without_siphoning_whatever_the_sizes() {
    let mut sets = vec!["calendar.periods=14".to_string()];
    let s = chengdu_chongqing(&[]).unwrap();
    for d in &s.domains {
        sets.push(format!("domains.{}.siphon=0", d.id));
    }
    // Very unequal provinces.
    sets.push("zones.B1.jurisdictions=40".into());
    sets.push("zones.B1.development.mean=3".into());
    let sets: Vec<&str> = sets.iter().map(|s| s.as_str()).collect();
    for r in runs(&sets, 5) {
        for p in &r.periods {
            assert!((p.siphon_index - 0.5).abs() < 1e-12, "{}", p.siphon_index);
        }
    }
    // With siphoning, the stronger side captures more.
    let res = runs(
        &[
            "calendar.periods=14",
            "domains.industry.siphon=3",
            "domains.innovation.siphon=3",
        ],
        5,
    );
    let idx = mean(
        &res.iter()
            .map(|r| r.periods[13].siphon_index)
            .collect::<Vec<_>>(),
    );
    assert!(idx > 0.5, "{idx}");
}

/// Spearman's rank correlation of two samples without ties.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let ranks = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        for (rank, &i) in idx.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let d2: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - b) * (a - b)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}
