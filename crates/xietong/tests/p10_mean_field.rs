//! P10 (docs/ODD.md, section 9): with the state frozen, many homogeneous jurisdictions and a small
//! temperature μ, the simulator's cooperation shares settle where the two-population replicator
//! dynamics of the same payoffs has a stable rest point. The game is built from the scenario with
//! the model's own payoff rule (cooperating pays the perceived utility `U(π_obs)`, not cooperating
//! pays 0; `U` is linear in the partner's cooperation, so the 2×2 game is exact), analysed by
//! `xietong-game`, and compared with the agent-based run domain by domain.

use xietong_game::{Game, Stability, analyze};
use xietong_model::builtin::chengdu_chongqing;
use xietong_model::mechanism::{self as m, DomainTerms};
use xietong_sim::engine::central_at;
use xietong_sim::simulate;

#[test]
fn frozen_simulation_settles_on_a_stable_rest_point_of_the_game() {
    // Two levels of central policy, so that both kinds of stable rest point are reached.
    let mut cooperative = 0;
    for scale in ["1", "2.5"] {
        cooperative += check(scale);
    }
    assert!(
        cooperative >= 3,
        "mutual cooperation reached in {cooperative} domain games"
    );
}

/// Simulate and compare every domain; returns how many settled on mutual cooperation.
fn check(central_scale: &str) -> usize {
    let mut sets: Vec<String> = vec![
        format!("central.scale={central_scale}"),
        "dynamics.frozen=true".into(),
        "levers.standardization.timing=none".into(),
        "dilemma.warmup=1000000".into(),
        "calendar.periods=60".into(),
        "calendar.survey_window=[\"2020Q1\", \"2020Q1\"]".into(),
        "behaviour.temperature=0.001".into(),
        "behaviour.temperature.sd=0".into(),
        "behaviour.fidelity.sd=0".into(),
        "behaviour.fidelity=1.0".into(),
    ];
    for key in ["local_centric", "barrier", "trust", "orientation"] {
        sets.push(format!("behaviour.{key}.sd=0"));
    }
    for z in ["A1", "A2", "A3", "B1", "B2", "B3", "B4"] {
        sets.push(format!("zones.{z}.development=1.0"));
        sets.push(format!("zones.{z}.jurisdictions=1000"));
    }
    let s = chengdu_chongqing(&sets).unwrap();
    let run = simulate(&s, 17, 0);
    let last = run.periods.last().unwrap();
    let b = &s.behaviour;
    let central = central_at(&s, 0);
    let dy = &s.dynamics;
    let mut cooperative = 0;
    for (k, d) in s.domains.iter().enumerate() {
        let terms = DomainTerms::new(d, central[k], 0.0, dy.cost_relief);
        // Perceived utility of cooperating for a province's (homogeneous) jurisdictions.
        let u = |p: usize, pi_obs: f64| {
            let prov = &s.provinces[p];
            let lambda = b.local_centric.mean() + prov.local_centric_shift;
            let beta = b.barrier.mean() + prov.barrier_shift;
            let pi = m::belief(pi_obs, beta, 0.0, b.trust.mean(), dy.distrust_floor);
            m::perceived_utility(&terms, pi, 0.5, lambda, beta, b.orientation.mean(), 0.0)
        };
        let text = format!(
            "title = \"{id}\"\n[parameters]\n[[population]]\nname = \"P0\"\nstrategies = [\"coop\", \"not\"]\n[[population]]\nname = \"P1\"\nstrategies = [\"coop\", \"not\"]\n\
             [[payoff]]\nprofile = [\"coop\", \"coop\"]\nvalues = [\"{a}\", \"{b}\"]\n\
             [[payoff]]\nprofile = [\"coop\", \"not\"]\nvalues = [\"{c}\", \"0\"]\n\
             [[payoff]]\nprofile = [\"not\", \"coop\"]\nvalues = [\"0\", \"{e}\"]\n\
             [[payoff]]\nprofile = [\"not\", \"not\"]\nvalues = [\"0\", \"0\"]\n",
            id = d.id,
            a = u(0, 1.0),
            b = u(1, 1.0),
            c = u(0, 0.0),
            e = u(1, 0.0),
        );
        let game = Game::parse("p10.toml", &text).unwrap();
        let numeric = game.numeric(&game.parameter_values(&[]).unwrap()).unwrap();
        let analysis = analyze(&numeric);
        let sim = [
            last.coop_province_domain[0][k],
            last.coop_province_domain[1][k],
        ];
        let nearest = analysis
            .rest_points
            .iter()
            .min_by(|p, q| dist(&p.x, sim).total_cmp(&dist(&q.x, sim)))
            .unwrap();
        let gap = dist(&nearest.x, sim);
        eprintln!(
            "P10 scale {central_scale} {}: simulated ({:.3}, {:.3}); nearest rest point ({:.3}, {:.3}) {:?} at distance {gap:.4}",
            d.id, sim[0], sim[1], nearest.x[0], nearest.x[2], nearest.stability
        );
        assert_eq!(
            nearest.stability,
            Stability::Stable,
            "{}: settled next to a non-stable rest point",
            d.id
        );
        assert!(gap < 0.05, "{}: {gap}", d.id);
        cooperative += usize::from(sim[0] > 0.9 && sim[1] > 0.9);
    }
    cooperative
}

/// Distance between a full game state (x_coop, x_not, y_coop, y_not) and simulated shares.
fn dist(x: &[f64], sim: [f64; 2]) -> f64 {
    ((x[0] - sim[0]).powi(2) + (x[2] - sim[1]).powi(2)).sqrt()
}
