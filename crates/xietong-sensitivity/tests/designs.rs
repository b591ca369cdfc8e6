//! Designs: SALib/scipy agreement bit for bit, structure, determinism and validation errors.

mod common;

use common::{fixture, fixture_text, matrix};
use xietong_sensitivity::design::{self, Method, legacy_saltelli_skip};
use xietong_sensitivity::{DesignWarning, Factor, SaError, SaltelliOptions};

fn factors_from_bounds(bounds: &[Vec<f64>]) -> Vec<Factor> {
    let names = ["a", "b", "c", "d", "e", "f"];
    bounds
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let name = if bounds.len() == 3 {
                format!("x{}", i + 1)
            } else {
                names[i].to_string()
            };
            Factor::new(name, b[0], b[1])
        })
        .collect()
}

#[test]
fn saltelli_equals_salib_bit_for_bit() {
    let fx = fixture("designs.json");
    for case in fx["saltelli"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let bounds = matrix(&case["bounds"]);
        let factors = factors_from_bounds(&bounds);
        let opts = SaltelliOptions {
            second_order: case["second_order"].as_bool().unwrap(),
            skip: case["skip"].as_u64().unwrap(),
        };
        let n = case["n"].as_u64().unwrap() as usize;
        let d = design::saltelli(&factors, n, opts).unwrap();
        let want = matrix(&case["points"]);
        assert_eq!(d.n_rows, want.len(), "{name}: row count");
        let rows_per = if opts.second_order {
            2 * factors.len() + 2
        } else {
            factors.len() + 2
        };
        assert_eq!(d.n_rows, n * rows_per, "{name}: N(2D+2) / N(D+2)");
        for (i, (got, want)) in d.rows().zip(&want).enumerate() {
            assert_eq!(got, want.as_slice(), "{name}: row {i}");
        }
    }
}

#[test]
fn sobol_sequence_equals_scipy_unscrambled() {
    let fx = fixture("designs.json");
    let want = matrix(&fx["sobol_plain_d5_n64"]);
    let factors: Vec<Factor> = (0..5)
        .map(|i| Factor::new(format!("u{i}"), 0.0, 1.0))
        .collect();
    let d = design::sobol_sequence(&factors, 64, 0).unwrap();
    assert!(d.warnings.is_empty());
    for (i, (got, want)) in d.rows().zip(&want).enumerate() {
        assert_eq!(got, want.as_slice(), "row {i}");
    }
}

#[test]
fn sobol_n_not_power_of_two_warns_not_fails() {
    let factors = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", 0.0, 1.0)];
    let d = design::saltelli(&factors, 100, SaltelliOptions::default()).unwrap();
    assert_eq!(d.n_rows, 100 * 6);
    assert_eq!(
        d.warnings,
        vec![DesignWarning::SobolNotPowerOfTwo { n: 100 }]
    );
    assert!(d.warnings[0].to_string().contains("128"));
    let d = design::sobol_sequence(&factors, 48, 10).unwrap();
    assert!(
        d.warnings
            .contains(&DesignWarning::SobolNotPowerOfTwo { n: 48 })
    );
    assert!(
        d.warnings
            .contains(&DesignWarning::SkipNotPowerOfTwo { skip: 10 })
    );
    assert!(
        d.warnings
            .contains(&DesignWarning::MorePointsThanSkipped { n: 48, skip: 10 })
    );
    let d = design::saltelli(
        &factors,
        64,
        SaltelliOptions {
            second_order: false,
            skip: 64,
        },
    )
    .unwrap();
    assert!(d.warnings.is_empty());
}

#[test]
fn legacy_skip_matches_salib_rule() {
    assert_eq!(legacy_saltelli_skip(1), 16);
    assert_eq!(legacy_saltelli_skip(16), 16);
    assert_eq!(legacy_saltelli_skip(100), 128);
    assert_eq!(legacy_saltelli_skip(1024), 1024);
}

#[test]
fn full_factorial_order_levels_and_discrete_factors() {
    let factors = vec![
        Factor::new("rate", 0.1, 0.3),
        Factor::levels("mode", vec![2.0, 5.0, 7.0]),
    ];
    let d = design::full_factorial(&factors, &[3, 0]).unwrap();
    assert_eq!(d.n_rows, 9);
    let rows: Vec<Vec<f64>> = d.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows[0], vec![0.1, 2.0]);
    assert_eq!(rows[1], vec![0.1, 5.0]);
    assert_eq!(rows[2], vec![0.1, 7.0]);
    assert_eq!(rows[3][0], 0.1 + 0.1); // first factor varies slowest
    assert_eq!(rows[8], vec![0.3, 7.0]); // upper bound hit exactly
    assert_eq!(d.method, Method::FullFactorial { levels: vec![3, 3] });
    // A discrete factor's count must match its levels.
    let err = design::full_factorial(&factors, &[3, 2]).unwrap_err();
    assert!(
        matches!(&err, SaError::InvalidFactor { name, .. } if name == "mode"),
        "{err}"
    );
    // levels < 2 on a continuous factor.
    let err = design::full_factorial(&factors, &[1, 0]).unwrap_err();
    assert!(
        err.to_string().contains("rate") && err.to_string().contains("at least 2"),
        "{err}"
    );
    // One count per factor.
    assert!(design::full_factorial(&factors, &[3]).is_err());
}

#[test]
fn list_design_checks_rows() {
    let factors = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::levels("k", vec![1.0, 2.0]),
    ];
    let d = design::list(&factors, &[vec![0.5, 1.0], vec![1.0, 2.0]]).unwrap();
    assert_eq!(d.points, vec![0.5, 1.0, 1.0, 2.0]);
    let err = design::list(&factors, &[vec![0.5, 1.0], vec![1.5, 2.0]]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "design row 1 (0-based): factor `a` is 1.5, expected a value in [0, 1]"
    );
    let err = design::list(&factors, &[vec![0.5, 3.0]]).unwrap_err();
    assert!(err.to_string().contains("factor `k` is 3"), "{err}");
    let err = design::list(&factors, &[vec![0.5]]).unwrap_err();
    assert!(err.to_string().contains("has 1 values"), "{err}");
    assert!(design::list(&factors, &[]).is_err());
}

#[test]
fn validation_errors_name_the_problem() {
    let ok = Factor::new("ok", 0.0, 1.0);
    let cases: Vec<(Vec<Factor>, &str)> = vec![
        (vec![], "no factors"),
        (vec![Factor::new("x", 2.0, 1.0)], "inverted bounds"),
        (vec![Factor::new("x", 1.0, 1.0)], "empty range"),
        (vec![Factor::new("x", 0.0, f64::INFINITY)], "finite"),
        (vec![Factor::levels("k", vec![1.0])], "at least 2 levels"),
        (vec![Factor::levels("k", vec![1.0, 1.0])], "listed twice"),
        (vec![ok.clone(), ok.clone()], "used twice"),
    ];
    for (factors, needle) in cases {
        for result in [
            design::uniform(&factors, 4, 1),
            design::latin_hypercube(&factors, 4, 1),
            design::sobol_sequence(&factors, 4, 0),
            design::saltelli(&factors, 4, SaltelliOptions::default()),
            design::morris(&factors, 4, 4, 1),
        ] {
            let err = result.unwrap_err().to_string();
            assert!(err.contains(needle), "expected `{needle}` in `{err}`");
        }
    }
    let f = vec![ok];
    for result in [
        design::uniform(&f, 0, 1),
        design::latin_hypercube(&f, 0, 1),
        design::sobol_sequence(&f, 0, 0),
        design::saltelli(&f, 0, SaltelliOptions::default()),
        design::morris(&f, 0, 4, 1),
    ] {
        let err = result.unwrap_err().to_string();
        assert!(err.contains("at least 1, got 0"), "{err}");
    }
    let err = design::morris(&f, 10, 1, 1).unwrap_err().to_string();
    assert_eq!(err, "`levels` must be at least 2, got 1");
    let many: Vec<Factor> = (0..600)
        .map(|i| Factor::new(format!("x{i}"), 0.0, 1.0))
        .collect();
    let err = design::saltelli(&many, 4, SaltelliOptions::default()).unwrap_err();
    assert!(matches!(err, SaError::TooLarge(_)), "{err}");
    let err = design::uniform(&f, usize::MAX / 2, 1).unwrap_err();
    assert!(matches!(err, SaError::TooLarge(_)), "{err}");
}

#[test]
fn random_designs_are_deterministic_in_bounds_and_seed_dependent() {
    let factors = vec![
        Factor::new("a", -1.0, 3.0),
        Factor::levels("k", vec![0.0, 10.0, 20.0]),
    ];
    for make in [design::uniform, design::latin_hypercube] {
        let d1 = make(&factors, 200, 42).unwrap();
        let d2 = make(&factors, 200, 42).unwrap();
        let d3 = make(&factors, 200, 43).unwrap();
        assert_eq!(d1, d2);
        assert_ne!(d1.points, d3.points);
        assert!(
            d1.rows()
                .all(|r| (-1.0..=3.0).contains(&r[0]) && [0.0, 10.0, 20.0].contains(&r[1]))
        );
    }
}

#[test]
fn latin_hypercube_has_one_point_per_stratum() {
    let factors: Vec<Factor> = (0..4)
        .map(|i| Factor::new(format!("x{i}"), 0.0, 1.0))
        .collect();
    let n = 50;
    let d = design::latin_hypercube(&factors, n, 9).unwrap();
    for j in 0..4 {
        let mut strata: Vec<usize> = d
            .rows()
            .map(|r| (r[j] * n as f64).floor() as usize)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..n).collect::<Vec<_>>(), "column {j}");
    }
}

#[test]
fn morris_trajectories_move_one_factor_by_delta() {
    let factors = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::new("b", 0.0, 1.0),
        Factor::new("c", 0.0, 1.0),
    ];
    let (r, p) = (30, 4);
    let d = design::morris(&factors, r, p, 5).unwrap();
    assert_eq!(d.n_rows, r * 4);
    let delta = 4.0 / 6.0;
    let Method::Morris {
        steps, delta: dd, ..
    } = &d.method
    else {
        panic!()
    };
    assert_eq!(*dd, delta);
    let grid = [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0];
    for t in 0..r {
        let mut moved = vec![];
        for s in 0..3 {
            let (x0, x1) = (d.row(t * 4 + s), d.row(t * 4 + s + 1));
            let changed: Vec<usize> = (0..3).filter(|&j| x0[j] != x1[j]).collect();
            assert_eq!(changed.len(), 1, "trajectory {t} step {s}");
            let j = changed[0];
            assert_eq!(steps[t * 3 + s].factor, j);
            assert!(((x1[j] - x0[j]).abs() - delta).abs() < 1e-12);
            assert_eq!(steps[t * 3 + s].increase, x1[j] > x0[j]);
            moved.push(j);
        }
        moved.sort();
        assert_eq!(
            moved,
            vec![0, 1, 2],
            "each factor moves once per trajectory"
        );
    }
    assert!(
        d.points
            .iter()
            .all(|v| grid.iter().any(|g| (v - g).abs() < 1e-12))
    );
    // Both directions and several start levels occur.
    assert!(steps.iter().any(|s| s.increase) && steps.iter().any(|s| !s.increase));
    // Odd levels: a warning, not an error.
    let d = design::morris(&factors, 4, 5, 5).unwrap();
    assert_eq!(
        d.warnings,
        vec![DesignWarning::MorrisOddLevels { levels: 5 }]
    );
}

#[test]
fn morris_fixture_designs_are_reproduced_exactly() {
    // The CSVs were written by the example `morris_fixture` when the fixtures were generated; the
    // same seed must give the same bits today (portable generator).
    let pi = std::f64::consts::PI;
    let cases = [
        (
            "morris_design_gfun.csv",
            (0..6)
                .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
                .collect::<Vec<_>>(),
            50,
            4,
            2024,
        ),
        (
            "morris_design_ishigami.csv",
            (0..3)
                .map(|i| Factor::new(format!("x{}", i + 1), -pi, pi))
                .collect(),
            40,
            6,
            7,
        ),
    ];
    for (file, factors, r, p, seed) in cases {
        let d = design::morris(&factors, r, p, seed).unwrap();
        let text = fixture_text(file);
        let want: Vec<Vec<f64>> = text
            .lines()
            .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
            .collect();
        assert_eq!(want.len(), d.n_rows, "{file}");
        for (i, (got, want)) in d.rows().zip(&want).enumerate() {
            assert_eq!(got, want.as_slice(), "{file} row {i}");
        }
    }
}

#[test]
fn discrete_factor_in_sobol_design_takes_every_level_equally() {
    let factors = vec![
        Factor::levels("k", vec![1.0, 2.0, 3.0, 4.0]),
        Factor::new("x", 0.0, 1.0),
    ];
    let d = design::sobol_sequence(&factors, 64, 0).unwrap();
    for level in [1.0, 2.0, 3.0, 4.0] {
        assert_eq!(d.rows().filter(|r| r[0] == level).count(), 16);
    }
}

#[test]
fn legacy_skip_reproduces_deprecated_salib_saltelli_sample() {
    let fx = fixture("designs.json");
    let pi = std::f64::consts::PI;
    let factors: Vec<Factor> = (0..3)
        .map(|i| Factor::new(format!("x{}", i + 1), -pi, pi))
        .collect();
    for case in fx["legacy_saltelli_ishigami"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let opts = SaltelliOptions {
            second_order: case["second_order"].as_bool().unwrap(),
            skip: legacy_saltelli_skip(n),
        };
        let d = design::saltelli(&factors, n, opts).unwrap();
        let want = matrix(&case["points"]);
        assert_eq!(d.n_rows, want.len(), "N = {n}");
        for (i, (got, want)) in d.rows().zip(&want).enumerate() {
            assert_eq!(got, want.as_slice(), "N = {n}, row {i}");
        }
    }
}

#[test]
fn design_spec_reads_like_an_experiment_file_and_generates() {
    use xietong_sensitivity::DesignSpec;
    let factors = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::levels("k", vec![1.0, 2.0, 3.0]),
    ];
    let spec: DesignSpec = serde_json::from_str(r#"{"method": "saltelli", "n": 64}"#).unwrap();
    assert_eq!(
        spec,
        DesignSpec::Saltelli {
            n: 64,
            second_order: true,
            skip: 0
        }
    );
    assert_eq!(spec.rows(2), Some(64 * 6));
    let d = spec.generate(&factors).unwrap();
    assert_eq!(
        d,
        design::saltelli(&factors, 64, SaltelliOptions::default()).unwrap()
    );

    let spec: DesignSpec = serde_json::from_str(r#"{"method": "grid", "levels": 4}"#).unwrap();
    assert_eq!(spec.generate(&factors).unwrap().n_rows, 12);
    let spec: DesignSpec = serde_json::from_str(r#"{"method": "grid", "levels": [2, 3]}"#).unwrap();
    assert_eq!(spec.generate(&factors).unwrap().n_rows, 6);
    let spec: DesignSpec =
        serde_json::from_str(r#"{"method": "morris", "trajectories": 10, "seed": 3}"#).unwrap();
    let d = spec.generate(&factors).unwrap();
    assert_eq!(d, design::morris(&factors, 10, 4, 3).unwrap());
    assert_eq!(spec.rows(2), Some(30));
    let spec: DesignSpec = serde_json::from_str(
        r#"{"method": "morris", "trajectories": 4, "seed": 3, "candidates": 20}"#,
    )
    .unwrap();
    assert_eq!(
        spec.generate(&factors).unwrap(),
        design::morris_optimised(&factors, 20, 4, 4, 3).unwrap()
    );

    // Typos and unknown methods are refused by the reader, not ignored.
    let err = serde_json::from_str::<DesignSpec>(
        r#"{"method": "saltelli", "n": 64, "secnd_order": false}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("secnd_order"), "{err}");
    let err = serde_json::from_str::<DesignSpec>(r#"{"method": "fast", "n": 64}"#).unwrap_err();
    assert!(err.to_string().contains("fast"), "{err}");
    // Size rules still apply.
    let spec: DesignSpec =
        serde_json::from_str(r#"{"method": "random", "n": 0, "seed": 1}"#).unwrap();
    assert!(spec.generate(&factors).is_err());
}

#[test]
fn morris_from_points_reads_back_own_design_and_rejects_broken_trajectories() {
    let factors = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", -1.0, 1.0)];
    let made = design::morris(&factors, 6, 4, 8).unwrap();
    let rows: Vec<Vec<f64>> = made.rows().map(|r| r.to_vec()).collect();
    let read = design::morris_from_points(&factors, &rows, 4).unwrap();
    assert_eq!(read.points, made.points);
    let (
        Method::Morris { steps: s1, .. },
        Method::Morris {
            steps: s2, seed, ..
        },
    ) = (&made.method, &read.method)
    else {
        panic!()
    };
    assert_eq!(s1, s2);
    assert_eq!(*seed, None);

    let err = design::morris_from_points(&factors, &rows[..5], 4).unwrap_err();
    assert!(err.to_string().contains("multiple of 3"), "{err}");
    let mut two = rows.clone();
    two[1] = vec![two[0][0] + 0.5, two[0][1] + 0.5];
    let err = design::morris_from_points(&factors, &two, 4).unwrap_err();
    assert_eq!(
        err.to_string(),
        "design row 1 (0-based): changes 2 factors from the row before; a Morris step changes exactly one"
    );
    let mut twice = rows.clone();
    let j = (0..2).find(|&j| twice[0][j] != twice[1][j]).unwrap();
    twice[2] = twice[1].clone();
    twice[2][j] = twice[0][j];
    let err = design::morris_from_points(&factors, &twice, 4).unwrap_err();
    assert!(err.to_string().contains("a second time"), "{err}");
}

#[test]
fn analyses_refuse_inconsistent_designs_instead_of_panicking() {
    use xietong_sensitivity::{MorrisOptions, SobolOptions, morris_analyze, sobol_analyze};
    let factors = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", 0.0, 1.0)];
    let mut m = design::morris(&factors, 4, 4, 1).unwrap();
    if let Method::Morris { steps, .. } = &mut m.method {
        steps.pop();
    }
    let err = morris_analyze(&m, &vec![0.0; m.n_rows], &MorrisOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("inconsistent Morris design"),
        "{err}"
    );
    let mut s = design::saltelli(&factors, 8, SaltelliOptions::default()).unwrap();
    s.n_rows -= 1;
    s.points.truncate(s.n_rows * 2);
    let err = sobol_analyze(&s, &vec![0.0; s.n_rows], &SobolOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("inconsistent Saltelli design"),
        "{err}"
    );
}

#[test]
fn optimised_morris_validates_its_counts() {
    let factors = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", 0.0, 1.0)];
    for (m, k) in [(10, 1), (10, 10), (10, 12)] {
        let err = design::morris_optimised(&factors, m, k, 4, 1).unwrap_err();
        assert!(err.to_string().contains("trajectories"), "{err}");
    }
    let d = design::morris_optimised(&factors, 10, 3, 4, 1).unwrap();
    let Method::Morris {
        candidates,
        trajectories,
        steps,
        ..
    } = &d.method
    else {
        panic!()
    };
    assert_eq!((*candidates, *trajectories, steps.len()), (Some(10), 3, 6));
    // The kept trajectories are candidates drawn by `morris` with the same seed, in order.
    let all = design::morris(&factors, 10, 4, 1).unwrap();
    let blocks: Vec<&[f64]> = all.points.chunks(6).collect();
    let mut last = None;
    for kept in d.points.chunks(6) {
        let pos = blocks.iter().position(|b| *b == kept).expect("a candidate");
        assert!(last.is_none_or(|l| pos > l));
        last = Some(pos);
    }
}

/// Issue 10 item 2: a grid level count of 2^40 is refused by the size limit before its levels
/// are allocated (this test would abort on allocation otherwise).
#[test]
fn huge_grid_level_count_is_refused_before_allocating() {
    let f = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::levels("b", vec![1.0, 2.0]),
    ];
    let err = design::full_factorial(&f, &[1 << 40, 0]).unwrap_err();
    assert!(matches!(err, SaError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("2199023255552 points"), "{err}");
    let err = design::full_factorial(&f, &[usize::MAX, 2]).unwrap_err();
    assert!(matches!(err, SaError::TooLarge(_)), "{err}");
}

/// Issue 10 item 2: a million Morris candidates (an 8 TB distance matrix) are refused up front.
#[test]
fn too_many_morris_candidates_are_refused_before_allocating() {
    let f = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", 0.0, 1.0)];
    let err = design::morris_optimised(&f, 1_000_000, 10, 4, 1).unwrap_err();
    assert!(matches!(err, SaError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("at most 4096"), "{err}");
    assert!(design::morris_optimised(&f, 40, 10, 4, 1).is_ok());
}
