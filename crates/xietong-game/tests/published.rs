//! Published models: the stable points the authors state for their parameter values.
//!
//! Wang, Jia, He, Wang & Huang (2023), "Engaging stakeholders in collaborative control of air
//! pollution: a tripartite evolutionary game of enterprises, public and government", J. Cleaner
//! Production 418: 138074. Payoffs and parameter sets as in the authors' published MATLAB code;
//! files in examples/games/published/. State order: (x enterprises control pollution, y public
//! participates, z government regulates), the paper's point names in the comments.

use std::path::PathBuf;
use xietong_game::{Game, Stability, analyze};

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
