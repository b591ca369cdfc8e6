//! Published models: the stable points the authors state for their parameter values.
//!
//! Wang, Jia, He, Wang & Huang (2023), "Engaging stakeholders in collaborative control of air
//! pollution: a tripartite evolutionary game of enterprises, public and government", J. Cleaner
//! Production 418: 138074. Payoffs and parameter sets as in the authors' published MATLAB code;
//! files in examples/games/published/. State order: (x enterprises control pollution, y public
//! participates, z government regulates), the paper's point names in the comments.

//!
//! Also: the HEI-graduate postgraduate-expansion game (authors' MATLAB code, repository
//! gahuiii417-afk/Evolutionary-Game-Model-HEI-Graduate-: baseline and both sweeps) and the
//! asymmetric replicator-dynamics examples of the Nashpy documentation. Where a source's drawn or
//! printed result and the mathematics disagree, the tests assert the mathematics and say why.

use std::path::PathBuf;
use xietong_game::ode::{OdeOptions, integrate};
use xietong_game::{Analysis, Game, NumericGame, Stability, analyze};

fn stable_points(file: &str) -> (Vec<Vec<f64>>, Game) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/games/published")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let game = Game::parse(file, &text).unwrap();
    let ng = game.numeric(&game.parameter_values(&[]).unwrap()).unwrap();
    let a = analyze(&ng);
    let pts = a
        .rest_points
        .iter()
        .filter(|r| r.stability == Stability::Stable)
        .map(|r| (0..3).map(|i| r.x[ng.offsets[i]]).collect())
        .collect();
    (pts, game)
}

#[test]
fn initial_state_a000_is_the_ess() {
    let (pts, game) = stable_points("wang2023_initial.toml");
    assert_eq!(pts, vec![vec![0.0, 0.0, 0.0]], "A(0,0,0)");
    // The authors' eigenvalue conditions at A(0,0,0), evaluated at their values:
    // eA (Rc − Pe (1 − gov) − CA (1 − γ)) and (CB0 + CH λ) + (Rp ζ − CB1 δ).
    let v = game.parameter_values(&[]).unwrap();
    let l1 = v["eA"] * (v["Rc"] - v["Pe"] * (1.0 - v["gov"]) - v["CA"] * (1.0 - v["gamma"]));
    let l2 = (v["CB0"] + v["CH"] * v["lambda"]) + (v["Rp"] * v["zeta"] - v["CB1"] * v["delta"]);
    let ng = game.numeric(&v).unwrap();
    let a000 = analyze(&ng)
        .rest_points
        .into_iter()
        .find(|r| r.profile == Some(vec![1, 1, 1]))
        .unwrap();
    assert!(
        (a000.eigenvalues[0].re - l1).abs() < 1e-12,
        "{:?} vs {l1}",
        a000.eigenvalues
    );
    assert!(
        (a000.eigenvalues[1].re - l2).abs() < 1e-12,
        "{:?} vs {l2}",
        a000.eigenvalues
    );
}

#[test]
fn scenario4_stage1_moves_to_d001() {
    assert_eq!(
        stable_points("wang2023_stage1.toml").0,
        vec![vec![0.0, 0.0, 1.0]],
        "D(0,0,1)"
    );
}

#[test]
fn scenario4_stage2_moves_to_f101() {
    assert_eq!(
        stable_points("wang2023_stage2.toml").0,
        vec![vec![1.0, 0.0, 1.0]],
        "F(1,0,1)"
    );
}

#[test]
fn scenario4_stage3_moves_to_h111() {
    assert_eq!(
        stable_points("wang2023_stage3.toml").0,
        vec![vec![1.0, 1.0, 1.0]],
        "H(1,1,1)"
    );
}

#[test]
fn scenario4_stage4_moves_to_e110() {
    assert_eq!(
        stable_points("wang2023_stage4.toml").0,
        vec![vec![1.0, 1.0, 0.0]],
        "E(1,1,0)"
    );
}

// ------------------------------------------------------------------ HEI and graduates

/// Load a published example at its values with `set` applied: the game, its numeric form and
/// the analysis.
fn load(file: &str, set: &[(&str, f64)]) -> (Game, NumericGame, Analysis) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/games/published")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let game = Game::parse(file, &text).unwrap();
    let set: Vec<(String, f64)> = set.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let ng = game.numeric(&game.parameter_values(&set).unwrap()).unwrap();
    let a = analyze(&ng);
    (game, ng, a)
}

/// First-strategy shares (x, y) of every rest point with the given verdict.
fn points_2x2(ng: &NumericGame, a: &Analysis, s: Stability) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = a
        .rest_points
        .iter()
        .filter(|r| r.stability == s)
        .map(|r| (r.x[ng.offsets[0]], r.x[ng.offsets[1]]))
        .collect();
    v.sort_by(|p, q| p.partial_cmp(q).unwrap());
    v
}

/// The authors' figures: (0,0) and (1,1) stable, (0,1) and (1,0) unstable, the interior point
/// (x*, y*) a saddle, with x* and y* as the code computes them.
fn assert_authors_picture(ng: &NumericGame, a: &Analysis, x_star: f64, y_star: f64) {
    assert_eq!(
        points_2x2(ng, a, Stability::Stable),
        vec![(0.0, 0.0), (1.0, 1.0)]
    );
    assert_eq!(
        points_2x2(ng, a, Stability::Unstable),
        vec![(0.0, 1.0), (1.0, 0.0)]
    );
    let saddle = points_2x2(ng, a, Stability::Saddle);
    assert_eq!(saddle.len(), 1, "{saddle:?}");
    assert!((saddle[0].0 - x_star).abs() < 1e-12 && (saddle[0].1 - y_star).abs() < 1e-12);
    assert!(a.continua.is_empty());
}

#[test]
fn hei_baseline_has_the_two_stable_corners_of_figure_4() {
    let (_, ng, a) = load("hei_graduate_baseline.toml", &[]);
    // initial_conditions.m: x* = ((E2' − E2) − (C2' − C2 − β dC2)) / (dC2 β − dC2 + dC2'),
    // y* = C1 / dE1.
    let x_star = ((20.0 - 30.0) - (15.0 - 15.0 - 3.0 * 10.0)) / (10.0 * 3.0 - 10.0 + 20.0);
    assert_authors_picture(&ng, &a, x_star, 25.0 / 50.0);
}

#[test]
fn hei_eocp_sweep_of_e2_difference() {
    // EOCP.m: x* = (−d − (C2' − C2 − β dC2)) / (dC2 β − dC2 + dC2') = (30 − d)/40, y* = 1/2.
    for d in [10.0, 0.0, 20.0] {
        let (_, ng, a) = load("hei_graduate_eocp.toml", &[("E2_diff", d)]);
        assert_authors_picture(&ng, &a, (30.0 - d) / 40.0, 0.5);
    }
    // d = −10: x* = 1 and the graduates' advantage 40(x − 1) vanishes on the edge x = 1. The code
    // still draws (1,1) as an ESS; mathematically every (1, y) is a rest point, and (1,1) has
    // eigenvalues −25 and 0: not asymptotically stable, undetermined by linearisation.
    let (_, ng, a) = load("hei_graduate_eocp.toml", &[("E2_diff", -10.0)]);
    assert_eq!(points_2x2(&ng, &a, Stability::Stable), vec![(0.0, 0.0)]);
    assert_eq!(
        points_2x2(&ng, &a, Stability::Undetermined),
        vec![(1.0, 1.0)]
    );
    assert_eq!(a.continua.len(), 1);
    assert_eq!(
        (a.continua[0].supports.as_str(), a.continua[0].dimension),
        ("{1} x {1,2}", 1)
    );
    // (1,0): HEIs gain 25 by expanding... an eigenvalue +25 next to a 0: unstable.
    assert!(points_2x2(&ng, &a, Stability::Unstable).contains(&(1.0, 0.0)));
    // d = 30: x* = 0, the advantage 40x vanishes on the edge x = 0; (0,0) is the undetermined one.
    let (_, ng, a) = load("hei_graduate_eocp.toml", &[("E2_diff", 30.0)]);
    assert_eq!(points_2x2(&ng, &a, Stability::Stable), vec![(1.0, 1.0)]);
    assert_eq!(
        points_2x2(&ng, &a, Stability::Undetermined),
        vec![(0.0, 0.0)]
    );
    assert_eq!(
        (a.continua[0].supports.as_str(), a.continua[0].dimension),
        ("{2} x {1,2}", 1)
    );
}

#[test]
fn hei_rrep_sweep_of_the_benefit_cost_ratio() {
    // RREP.m: dE1 = C1 × ratio, x* = 1/2 (E2 − E2' = 10), y* = 1/ratio.
    for r in [2.0, 4.0, 8.0] {
        let (_, ng, a) = load("hei_graduate_rrep.toml", &[("ratio", r)]);
        assert_authors_picture(&ng, &a, 0.5, 1.0 / r);
    }
    // ratio 1: y* = 1, the HEIs' advantage 25(y − 1) vanishes on the edge y = 1: a continuum,
    // and (1,1) (drawn as an ESS) has eigenvalues 0 and −20: undetermined.
    let (_, ng, a) = load("hei_graduate_rrep.toml", &[("ratio", 1.0)]);
    assert_eq!(points_2x2(&ng, &a, Stability::Stable), vec![(0.0, 0.0)]);
    assert_eq!(
        points_2x2(&ng, &a, Stability::Undetermined),
        vec![(1.0, 1.0)]
    );
    assert_eq!(
        (a.continua[0].supports.as_str(), a.continua[0].dimension),
        ("{1,2} x {1}", 1)
    );
    // ratio 0.5: the HEIs' advantage 12.5y − 25 is negative everywhere, so at (1,1) (drawn as an
    // ESS) HEIs gain 12.5 by not expanding: a saddle. (0,0) is the only stable point.
    let (_, ng, a) = load("hei_graduate_rrep.toml", &[("ratio", 0.5)]);
    assert_eq!(points_2x2(&ng, &a, Stability::Stable), vec![(0.0, 0.0)]);
    let one_one = a
        .rest_points
        .iter()
        .find(|r| r.profile == Some(vec![0, 0]))
        .unwrap();
    assert_eq!(one_one.stability, Stability::Saddle);
    let mut re: Vec<f64> = one_one.eigenvalues.iter().map(|e| e.re).collect();
    re.sort_by(f64::total_cmp);
    assert_eq!(re, vec![-20.0, 12.5]);
}

// ------------------------------------------------------------------ Nashpy documentation

fn trajectory(ng: &NumericGame, x0: &[f64], t_end: f64, n: usize) -> Vec<Vec<f64>> {
    let times: Vec<f64> = (0..n).map(|k| t_end * k as f64 / (n - 1) as f64).collect();
    let opts = OdeOptions {
        rtol: 1e-12,
        atol: 1e-14,
        ..Default::default()
    };
    integrate(ng, x0, &times, &opts).unwrap().x
}

#[test]
fn nashpy_rps_does_not_converge() {
    let (_, ng, a) = load("nashpy_rps.toml", &[]);
    // No stable rest point; the interior equilibrium is a centre in the linearisation.
    assert!(
        a.rest_points
            .iter()
            .all(|r| r.stability != Stability::Stable)
    );
    let centre = a
        .rest_points
        .iter()
        .find(|r| r.x.iter().all(|&v| (v - 1.0 / 3.0).abs() < 1e-12))
        .expect("interior equilibrium");
    assert_eq!(centre.stability, Stability::Undetermined);
    assert!(
        centre
            .eigenvalues
            .iter()
            .all(|e| e.re.abs() < 1e-12 && e.im.abs() > 0.5)
    );
    // B = −A: Σ ln x_i + Σ ln y_j is a constant of motion, so the trajectory from the
    // documentation's start keeps its distance from the equilibrium.
    let x0 = [0.3, 0.35, 0.35, 0.3, 0.35, 0.35];
    let h = |x: &[f64]| x.iter().map(|v| v.ln()).sum::<f64>();
    let path = trajectory(&ng, &x0, 200.0, 2001);
    let h0 = h(&x0);
    let mut min_dist = f64::INFINITY;
    for x in &path {
        assert!((h(x) - h0).abs() < 1e-7, "{} vs {h0}", h(x));
        let d = x.iter().map(|v| (v - 1.0 / 3.0).abs()).fold(0.0, f64::max);
        min_dist = min_dist.min(d);
    }
    assert!(min_dist > 0.01, "{min_dist}");
}

#[test]
fn nashpy_steady_state_is_the_dominant_profile() {
    let (_, ng, a) = load("nashpy_steady_state.toml", &[]);
    // Row s1 and column s0 dominate: (x, y) = (share of row s0, share of column s0) = (0, 1).
    assert_eq!(points_2x2(&ng, &a, Stability::Stable), vec![(0.0, 1.0)]);
    let path = trajectory(&ng, &[0.9, 0.1, 0.3, 0.7], 50.0, 101);
    let end = path.last().unwrap();
    assert!(end[0] < 1e-6 && end[2] > 1.0 - 1e-6, "{end:?}");
}

#[test]
fn nashpy_howto_stops_on_a_continuum_where_the_closed_form_says() {
    let (_, ng, a) = load("nashpy_howto.toml", &[]);
    // Against the column's dominant s1 the row player is indifferent: every (x, column at s1)
    // is a rest point, so nothing is asymptotically stable.
    assert!(
        a.rest_points
            .iter()
            .all(|r| r.stability != Stability::Stable)
    );
    assert_eq!(a.continua.len(), 1);
    assert_eq!(
        (a.continua[0].supports.as_str(), a.continua[0].dimension),
        ("{1,2} x {2}", 1)
    );
    assert_eq!(
        points_2x2(&ng, &a, Stability::Undetermined),
        vec![(0.0, 0.0), (1.0, 0.0)]
    );
    // Closed form: ln(x/(1 − x)) + ½ ln(1 − y) is constant (x, y the shares of s0), and
    // y/(1 − y) decays like e^{−2t}. The how-to prints x(10) = 0.41421355 and 0.17411242.
    for (x0, y0, printed) in [(0.5, 0.5, 0.41421355), (0.4, 0.9, 0.17411242)] {
        let path = trajectory(&ng, &[x0, 1.0 - x0, y0, 1.0 - y0], 10.0, 1001);
        let end = path.last().unwrap();
        let odds_y = y0 / (1.0 - y0) * (-20.0f64).exp();
        let y10 = odds_y / (1.0 + odds_y);
        let c = (x0 / (1.0 - x0)).ln() + 0.5 * (1.0 - y0).ln();
        let odds_x = (c - 0.5 * (1.0 - y10).ln()).exp();
        let x10 = odds_x / (1.0 + odds_x);
        assert!((end[2] - y10).abs() < 1e-12, "{} vs {y10}", end[2]);
        assert!((end[0] - x10).abs() < 1e-9, "{} vs {x10}", end[0]);
        // Nashpy's numbers come from scipy's odeint at its default tolerances (about 1.5e-8): they
        // agree with the closed form to that accuracy, not to every printed digit (the printed
        // 0.41421355 is 1.3e-8 below the exact 0.4142135626; its y(10) = 2.2e-9 is 7% above the
        // exact e^-20/(1 + e^-20) = 2.06e-9). We follow the closed form.
        assert!((end[0] - printed).abs() < 3e-8, "{} vs {printed}", end[0]);
    }
    // The limit from (0.5, 0.5) is √2 − 1.
    let path = trajectory(&ng, &[0.5, 0.5, 0.5, 0.5], 40.0, 11);
    assert!((path.last().unwrap()[0] - (2f64.sqrt() - 1.0)).abs() < 1e-9);
}
