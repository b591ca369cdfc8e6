//! Policy comparison: arms share random streams (identical variants differ by exactly 0), the
//! reported differences are the paired t intervals of the simulator's own runs, and variant
//! strings are checked.

use xietong_experiment::compare::{
    Variant, builtin_pairs, compare, parse_variant, variant_scenario,
};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_sensitivity::paired;

fn scen(v: &Variant) -> xietong_model::Scenario {
    variant_scenario(
        CHENGDU_CHONGQING,
        BUILTIN_NAME,
        &["calendar.periods=24".to_string()],
        v,
    )
    .unwrap()
}

#[test]
fn identical_arms_differ_by_exactly_zero() {
    let v = parse_variant("same:levers.flexibility=0.5").unwrap();
    let s = scen(&v);
    let c = compare("same", (&v, &s), (&v, &s), 6, 9, &|| {}).unwrap();
    for d in &c.differences {
        assert_eq!(
            (d.difference, d.ci_low, d.ci_high),
            (0.0, 0.0, 0.0),
            "{}",
            d.outcome
        );
        assert_eq!(d.p_value, None);
    }
}

#[test]
fn differences_are_paired_intervals_of_the_runs() {
    let (a, b, _) = builtin_pairs().remove(0);
    let (sa, sb) = (scen(&a), scen(&b));
    let runs = 12;
    let c = compare("p4", (&a, &sa), (&b, &sb), runs, 3, &|| {}).unwrap();
    let cum = |s: &xietong_model::Scenario| -> Vec<f64> {
        (0..runs as u64)
            .map(|r| {
                xietong_sim::simulate(s, 3, r)
                    .summary
                    .cumulative_cooperation
            })
            .collect()
    };
    let want = paired(&cum(&sa), &cum(&sb), 0.95).unwrap();
    let got = c
        .differences
        .iter()
        .find(|d| d.outcome == "cumulative_cooperation")
        .unwrap();
    assert_eq!(got.difference, want.difference);
    assert_eq!((got.ci_low, got.ci_high), (want.ci_low, want.ci_high));
    assert_eq!(got.p_value, Some(want.p_value));
    // Time to transition counts a run that never reaches it as the horizon (24).
    let t: Vec<f64> = (0..runs as u64)
        .map(|r| {
            xietong_sim::simulate(&sb, 3, r)
                .summary
                .first_transition_period
                .map_or(24.0, f64::from)
        })
        .collect();
    let got = &c.differences[0];
    assert_eq!(got.outcome, "transition_period_censored");
    assert_eq!(got.mean_b, t.iter().sum::<f64>() / runs as f64);
}

#[test]
fn variant_strings_are_checked() {
    let v = parse_variant("rigid:levers.uniformity=0.9, levers.flexibility=0.1").unwrap();
    assert_eq!(v.sets, ["levers.uniformity=0.9", "levers.flexibility=0.1"]);
    assert_eq!(
        parse_variant("key_first").unwrap().sets,
        ["levers.sequencing=key_first"]
    );
    let e = parse_variant("keyfirst").unwrap_err().to_string();
    assert!(
        e.contains("not a built-in variant") && e.contains("key_first"),
        "{e}"
    );
    let e = parse_variant("x:levers.uniformity")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not PATH=VALUE"), "{e}");
    let e = parse_variant(":a=1").unwrap_err().to_string();
    assert!(e.contains("empty name"), "{e}");
    let bad = parse_variant("bad:levers.uniformity=3").unwrap();
    let e = variant_scenario(CHENGDU_CHONGQING, BUILTIN_NAME, &[], &bad)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("variant bad") && e.contains("levers.uniformity"),
        "{e}"
    );
    let s = scen(&v);
    assert!(compare("x", (&v, &s), (&v, &s), 1, 1, &|| {}).is_err());
}
