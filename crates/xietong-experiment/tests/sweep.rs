//! The sweep report of designs without indices: main effects recover a known response (a metric
//! that rises linearly with one factor and ignores the other) on a grid and on a Latin hypercube,
//! and the report names factors and metrics by their display names.

use xietong_experiment::Plan;
use xietong_experiment::analyze::{main_effects, sweep_report};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_report::Lang;

fn plan(design: &str) -> Plan {
    let text = format!(
        r#"
name = "sweep-test"
seed = 1
replications = 2

[[factor]]
path = "levers.cadre.reward"
low = 0.0
high = 1.0

[[factor]]
path = "central.scale"
low = 0.5
high = 1.5

[design]
{design}

[output]
metrics = ["cumulative_cooperation", "dilemmas"]
"#
    );
    Plan::new(&text, "sweep.toml", CHENGDU_CHONGQING, BUILTIN_NAME).expect("valid experiment")
}

/// Metric 0 = 10 + 4 × reward, metric 1 = 2 at every point.
fn means(p: &Plan) -> Vec<Vec<f64>> {
    let m0 = p.design.rows().map(|r| 10.0 + 4.0 * r[0]).collect();
    let m1 = vec![2.0; p.n_points()];
    vec![m0, m1]
}

#[test]
fn main_effects_recover_a_linear_response_on_a_grid_and_a_hypercube() {
    for design in [
        "method = \"grid\"\nlevels = 5",
        "method = \"latin_hypercube\"\nn = 64\nseed = 4",
    ] {
        let p = plan(design);
        let m = means(&p);
        let reward = main_effects(&p, &m[0], 0).expect("reward varies");
        // Increasing, from about 10 to about 14 along the normalized range.
        assert!(
            reward.y.windows(2).all(|w| w[1] > w[0]),
            "{design}: {:?}",
            reward.y
        );
        let (first, last) = (reward.y[0], *reward.y.last().unwrap());
        assert!(
            (first - 10.0).abs() < 0.5 && (last - 14.0).abs() < 0.5,
            "{design}: {first} {last}"
        );
        assert!(reward.x.iter().all(|x| (0.0..=1.0).contains(x)));
        // The other factor has no effect: its groups' means differ from the overall mean only by
        // sampling (a group of the hypercube has 8 points: sd of its mean 4 × √(1/12) / √8 ≈ 0.41,
        // so 3 sd ≈ 1.2, well under the reward's effect of 4).
        let scale = main_effects(&p, &m[0], 1).expect("scale varies");
        let overall = m[0].iter().sum::<f64>() / m[0].len() as f64;
        assert!(
            scale.y.iter().all(|y| (y - overall).abs() < 1.25),
            "{design}: {:?}",
            scale.y
        );
    }
}

#[test]
fn sweep_report_uses_display_names_in_both_languages() {
    let p = plan("method = \"grid\"\nlevels = 3");
    let m = means(&p);
    let en = sweep_report(&p, &m, Lang::En).unwrap();
    assert!(en.contains("Cadre reward") && en.contains("Cumulative cooperation"));
    assert!(en.contains("main effects"));
    let zh = sweep_report(&p, &m, Lang::Zh).unwrap();
    assert!(
        zh.contains("干部激励（奖励）") && zh.contains("累计合作水平") && zh.contains("主效应")
    );
}
