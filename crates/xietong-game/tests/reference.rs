//! Rest points, eigenvalues and trajectories checked against independent references computed with
//! sympy, numpy and scipy (`tests/fixtures/gen_fixtures.py` regenerates `reference.json`).

use serde_json::Value;
use std::path::PathBuf;
use xietong_game::ode::{OdeOptions, integrate};
use xietong_game::{Game, analyze};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reference() -> Value {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference.json"),
    )
    .expect("fixture");
    serde_json::from_str(&text).expect("fixture json")
}

fn load(case: &Value) -> xietong_game::NumericGame {
    let path = root().join(case["file"].as_str().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let game = Game::parse(&path.display().to_string(), &text).unwrap();
    let overrides: Vec<(String, f64)> = case["overrides"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
        .collect();
    let vals = game.parameter_values(&overrides).unwrap();
    game.numeric(&vals).unwrap()
}

fn sorted(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    v
}

#[test]
fn rest_points_and_eigenvalues_match_sympy_and_numpy() {
    let r = reference();
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let g = load(case);
        let ours = analyze(&g);
        let theirs = case["rest_points"].as_array().unwrap();
        assert_eq!(
            ours.rest_points.len(),
            theirs.len(),
            "{name}: number of rest points"
        );
        assert!(ours.warnings.is_empty(), "{name}: {:?}", ours.warnings);
        for rp in theirs {
            let state: Vec<f64> = rp["state"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
                .collect();
            let m = ours
                .rest_points
                .iter()
                .find(|o| o.x.iter().zip(&state).all(|(a, b)| (a - b).abs() < 1e-9))
                .unwrap_or_else(|| panic!("{name}: reference rest point {state:?} not found"));
            let want = sorted(
                rp["eigenvalues"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| (e[0].as_f64().unwrap(), e[1].as_f64().unwrap()))
                    .collect(),
            );
            let got = sorted(m.eigenvalues.iter().map(|e| (e.re, e.im)).collect());
            assert_eq!(want.len(), got.len());
            for (w, o) in want.iter().zip(&got) {
                assert!(
                    (w.0 - o.0).abs() < 1e-8 && (w.1.abs() - o.1.abs()).abs() < 1e-8,
                    "{name} at {state:?}: {want:?} vs {got:?}"
                );
            }
        }
    }
}

#[test]
fn trajectories_match_scipy_dop853() {
    let r = reference();
    let times: Vec<f64> = r["t_eval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let opts = OdeOptions {
        rtol: 1e-11,
        atol: 1e-13,
        ..Default::default()
    };
    for case in r["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let g = load(case);
        for tr in case["trajectories"].as_array().unwrap() {
            let x0: Vec<f64> = tr["start"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let ours = integrate(&g, &x0, &times, &opts).unwrap();
            for (k, want) in tr["states"].as_array().unwrap().iter().enumerate() {
                for (j, w) in want.as_array().unwrap().iter().enumerate() {
                    let w = w.as_f64().unwrap();
                    let o = ours.x[k][j];
                    assert!(
                        (w - o).abs() < 1e-8,
                        "{name} from {x0:?} at t={}: component {j}: {o} vs scipy {w}",
                        times[k]
                    );
                }
            }
        }
    }
}
