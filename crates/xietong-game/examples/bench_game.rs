//! Benchmark: analysis time of a 2x2x2 game and trajectory integration speed, to be compared
//! side by side with `benches/bench_scipy.py` (scipy solve_ivp on the same system).
//!
//!     cargo run --release -p xietong-game --example bench_game
//!
//! The game is examples/games/chengdu_chongqing_central.toml at a = 1 (nine rest points, one
//! of them on a face). Integration: the 27 starts {0.1, 0.5, 0.9}^3 to t = 50, at scipy's
//! default tolerances (rtol 1e-3, atol 1e-6) and at tight ones (rtol 1e-8, atol 1e-10).

use std::hint::black_box;
use std::time::Instant;
use xietong_game::ode::{OdeOptions, integrate};
use xietong_game::{Game, analyze, symbolic};

const GAME: &str = include_str!("../../../examples/games/chengdu_chongqing_central.toml");

fn per_call(mut f: impl FnMut(), min_secs: f64) -> (f64, usize) {
    f();
    let mut n = 0;
    let t0 = Instant::now();
    while t0.elapsed().as_secs_f64() < min_secs {
        f();
        n += 1;
    }
    (t0.elapsed().as_secs_f64() / n as f64, n)
}

fn main() {
    let game = Game::parse("chengdu_chongqing_central.toml", GAME).expect("example parses");
    let vals = game.parameter_values(&[("a".into(), 1.0)]).unwrap();
    let ng = game.numeric(&vals).unwrap();

    let (t_an, n_an) = per_call(
        || {
            black_box(analyze(black_box(&ng)));
        },
        1.0,
    );
    let (t_full, n_full) = per_call(
        || {
            let g = Game::parse("x.toml", GAME).unwrap();
            let v = g.parameter_values(&[("a".into(), 1.0)]).unwrap();
            let n = g.numeric(&v).unwrap();
            let a = analyze(&n);
            for rp in &a.rest_points {
                if let Some(p) = &rp.profile {
                    black_box(symbolic::pure_profile(&g, p));
                }
            }
        },
        1.0,
    );
    let (t_parse, _) = per_call(
        || {
            black_box(Game::parse("x.toml", black_box(GAME)).unwrap());
        },
        0.5,
    );
    let (t_sym, _) = per_call(
        || {
            for prof in &ng.profiles {
                black_box(symbolic::pure_profile(&game, prof));
            }
        },
        0.5,
    );
    println!(
        "parsing and validating the game file: {:.1} us; symbolic tables of the 8 pure profiles: {:.1} us",
        t_parse * 1e6,
        t_sym * 1e6
    );
    println!(
        "analysis, numeric rest points + eigenvalues (2x2x2): {:.1} us per call ({n_an} calls)",
        t_an * 1e6
    );
    println!(
        "analysis incl. parsing and symbolic tables (2x2x2):   {:.1} us per call ({n_full} calls)",
        t_full * 1e6
    );

    let grid = [0.1, 0.5, 0.9];
    let mut starts = Vec::new();
    for &x in &grid {
        for &y in &grid {
            for &z in &grid {
                starts.push(vec![x, 1.0 - x, y, 1.0 - y, z, 1.0 - z]);
            }
        }
    }
    for (label, opts) in [
        (
            "rtol 1e-3 atol 1e-6 (scipy default)",
            OdeOptions {
                rtol: 1e-3,
                atol: 1e-6,
                ..Default::default()
            },
        ),
        (
            "rtol 1e-8 atol 1e-10",
            OdeOptions {
                rtol: 1e-8,
                atol: 1e-10,
                ..Default::default()
            },
        ),
    ] {
        let mut steps = 0;
        let mut evals = 0;
        let (t, _) = per_call(
            || {
                steps = 0;
                evals = 0;
                for x0 in &starts {
                    let tr = integrate(&ng, x0, &[50.0], &opts).unwrap();
                    steps += tr.accepted + tr.rejected;
                    evals += tr.evaluations;
                    black_box(tr);
                }
            },
            1.0,
        );
        println!(
            "integration, 27 starts to t = 50, {label}: {:.1} us per trajectory ({:.0} steps, {:.0} field evaluations per trajectory)",
            t / 27.0 * 1e6,
            steps as f64 / 27.0,
            evals as f64 / 27.0
        );
    }
}
