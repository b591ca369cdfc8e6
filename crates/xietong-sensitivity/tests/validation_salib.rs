//! Analyses against SALib 1.6 on the same designs: point estimates to 1e-9, bootstrap
//! half-widths loosely (the resampling RNGs differ). See tests/fixtures/README.md.

mod common;

use common::{assert_close, f, fixture, fvec};
use xietong_sensitivity::design::{self, Design};
use xietong_sensitivity::testfn::{g_function, ishigami};
use xietong_sensitivity::{
    Factor, MorrisOptions, SaltelliOptions, SobolOptions, morris_analyze, sobol_analyze,
};

const G_A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];

fn ishigami_factors() -> Vec<Factor> {
    let pi = std::f64::consts::PI;
    (0..3)
        .map(|i| Factor::new(format!("x{}", i + 1), -pi, pi))
        .collect()
}

fn gfun_factors() -> Vec<Factor> {
    (0..6)
        .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
        .collect()
}

fn outputs(design: &Design, gfun: bool) -> Vec<f64> {
    design
        .rows()
        .map(|x| {
            if gfun {
                g_function(x, &G_A)
            } else {
                ishigami(x, 7.0, 0.1)
            }
        })
        .collect()
}

/// Bootstrap half-widths from two different RNGs: each is a 1000-resample estimate of the same sd,
/// so their ratio is within a few percent of 1; 0.8..1.25 leaves a wide margin.
fn assert_conf_similar(got: f64, want: f64, what: &str) {
    if want == 0.0 {
        assert_eq!(got, 0.0, "{what}");
        return;
    }
    let ratio = got / want;
    assert!(
        (0.8..1.25).contains(&ratio),
        "{what}: half-width {got} vs SALib {want} (ratio {ratio})"
    );
}

fn checksum(d: &Design) -> (usize, f64, f64) {
    let (mut s, mut w) = (0.0, 0.0);
    for (i, row) in d.rows().enumerate() {
        for (j, v) in row.iter().enumerate() {
            s += v;
            w += v * ((i + 1) * (j + 1)) as f64;
        }
    }
    (d.n_rows, s, w)
}

#[test]
fn sobol_indices_equal_salib() {
    let fx = fixture("sobol.json");
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let gfun = name.starts_with("gfun");
        let factors = if gfun {
            gfun_factors()
        } else {
            ishigami_factors()
        };
        let opts = SaltelliOptions {
            second_order: case["second_order"].as_bool().unwrap(),
            skip: case["skip"].as_u64().unwrap(),
        };
        let n = case["n"].as_u64().unwrap() as usize;
        let d = design::saltelli(&factors, n, opts).unwrap();
        let (rows, s, w) = checksum(&d);
        let cs = &case["design_checksum"];
        assert_eq!(rows as u64, cs["rows"].as_u64().unwrap(), "{name}");
        assert_close(s, f(&cs["sum"]), 1e-9 * f(&cs["sum"]).abs().max(1.0), name);
        assert_close(
            w,
            f(&cs["weighted"]),
            1e-9 * f(&cs["weighted"]).abs().max(1.0),
            name,
        );

        let y = outputs(&d, gfun);
        let si = sobol_analyze(
            &d,
            &y,
            &SobolOptions {
                resamples: 1000,
                conf_level: 0.95,
                seed: 3,
            },
        )
        .unwrap();
        // Convergence warnings are expected at SALib's small N; a degenerate-output warning is not.
        assert!(
            !si.warnings.iter().any(|w| w.contains("identical")),
            "{:?}",
            si.warnings
        );
        for (j, (got, want)) in si.s1.iter().zip(fvec(&case["S1"])).enumerate() {
            assert_close(*got, want, 1e-9, &format!("{name} S1[{j}]"));
        }
        for (j, (got, want)) in si.st.iter().zip(fvec(&case["ST"])).enumerate() {
            assert_close(*got, want, 1e-9, &format!("{name} ST[{j}]"));
        }
        for (j, (got, want)) in si.s1_conf.iter().zip(fvec(&case["S1_conf"])).enumerate() {
            assert_conf_similar(*got, want, &format!("{name} S1_conf[{j}]"));
        }
        for (j, (got, want)) in si.st_conf.iter().zip(fvec(&case["ST_conf"])).enumerate() {
            assert_conf_similar(*got, want, &format!("{name} ST_conf[{j}]"));
        }
        if opts.second_order {
            let pairs = case["S2"].as_array().unwrap();
            assert_eq!(pairs.len(), si.s2.len());
            for p in pairs {
                let p = p.as_array().unwrap();
                let (i, j) = (
                    p[0].as_u64().unwrap() as usize,
                    p[1].as_u64().unwrap() as usize,
                );
                let got = si.s2(i, j).unwrap();
                assert_close(got.value, f(&p[2]), 1e-9, &format!("{name} S2[{i},{j}]"));
                assert_conf_similar(got.conf, f(&p[3]), &format!("{name} S2_conf[{i},{j}]"));
            }
        } else {
            assert!(si.s2.is_empty());
        }
    }
}

#[test]
fn morris_measures_equal_salib() {
    let fx = fixture("morris.json");
    let pi = std::f64::consts::PI;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let gfun = name == "gfun";
        let (factors, r, seed) = if gfun {
            (gfun_factors(), 50, 2024)
        } else {
            (
                (0..3)
                    .map(|i| Factor::new(format!("x{}", i + 1), -pi, pi))
                    .collect(),
                40,
                7,
            )
        };
        let p = case["levels"].as_u64().unwrap() as usize;
        let d = design::morris(&factors, r, p, seed).unwrap();
        let y = outputs(&d, gfun);
        let m = morris_analyze(
            &d,
            &y,
            &MorrisOptions {
                resamples: 1000,
                conf_level: 0.95,
                seed: 11,
            },
        )
        .unwrap();
        let check = |got: &[f64], key: &str| {
            for (j, (g, w)) in got.iter().zip(fvec(&case[key])).enumerate() {
                assert_close(*g, w, 1e-9, &format!("{name} {key}[{j}]"));
            }
        };
        check(&m.mu, "mu");
        check(&m.mu_star, "mu_star");
        check(&m.sigma, "sigma");
        for (j, (g, w)) in m
            .mu_star_conf
            .iter()
            .zip(fvec(&case["mu_star_conf"]))
            .enumerate()
        {
            assert_conf_similar(*g, w, &format!("{name} mu_star_conf[{j}]"));
        }
    }
}

#[test]
fn salib_made_morris_design_imported_and_analysed_like_salib() {
    let fx = fixture("morris.json");
    let case = &fx["salib_design"];
    let names = ["a", "b", "c", "d"];
    let factors: Vec<Factor> = case["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .zip(names)
        .map(|(b, name)| {
            let b = fvec(b);
            Factor::new(name, b[0], b[1])
        })
        .collect();
    let rows: Vec<Vec<f64>> = case["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(fvec)
        .collect();
    let p = case["levels"].as_u64().unwrap() as usize;
    let d = design::morris_from_points(&factors, &rows, p).unwrap();
    let y = fvec(&case["y"]);
    let m = morris_analyze(
        &d,
        &y,
        &MorrisOptions {
            resamples: 1000,
            conf_level: 0.95,
            seed: 4,
        },
    )
    .unwrap();
    for (key, got) in [("mu", &m.mu), ("mu_star", &m.mu_star), ("sigma", &m.sigma)] {
        for (j, (g, w)) in got.iter().zip(fvec(&case[key])).enumerate() {
            assert_close(*g, w, 1e-9, &format!("SALib design {key}[{j}]"));
        }
    }
    for (j, (g, w)) in m
        .mu_star_conf
        .iter()
        .zip(fvec(&case["mu_star_conf"]))
        .enumerate()
    {
        assert_conf_similar(*g, w, &format!("SALib design mu_star_conf[{j}]"));
    }
}

/// Campolongo spread: sqrt(sum over trajectory pairs of (sum of point-to-point distances)^2).
fn spread(d: &Design) -> f64 {
    let k = d.n_cols();
    let rows: Vec<&[f64]> = d.rows().collect();
    let t: Vec<&[&[f64]]> = rows.chunks(k + 1).collect();
    let mut total = 0.0;
    for a in 0..t.len() {
        for b in a + 1..t.len() {
            let mut s = 0.0;
            for p in t[a] {
                for q in t[b] {
                    s += p
                        .iter()
                        .zip(q.iter())
                        .map(|(x, y)| (x - y) * (x - y))
                        .sum::<f64>()
                        .sqrt();
                }
            }
            total += s * s;
        }
    }
    total.sqrt()
}

#[test]
fn optimised_trajectories_match_salib_selection() {
    let fx = fixture("morris_optimal.json");
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (dims, seed) = if name == "candidates12" {
            (3, 31)
        } else {
            (4, 32)
        };
        let factors: Vec<Factor> = (0..dims)
            .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
            .collect();
        let m = case["candidates"].as_u64().unwrap() as usize;
        let k = case["trajectories"].as_u64().unwrap() as usize;
        let d = design::morris_optimised(&factors, m, k, 4, seed).unwrap();
        assert_eq!(d.n_rows, k * (dims + 1));
        let salib_spread = f(&case["spread"]);
        let ours = spread(&d);
        if case["strategy"] == "BruteForce" {
            // Both score every subset: the same trajectories, in the same (candidate) order.
            let want: Vec<Vec<f64>> = case["selected_points"]
                .as_array()
                .unwrap()
                .iter()
                .map(fvec)
                .collect();
            for (i, (got, want)) in d.rows().zip(&want).enumerate() {
                assert_eq!(got, want.as_slice(), "{name} row {i}");
            }
            assert_close(ours, salib_spread, 1e-9 * salib_spread, name);
        } else {
            // Both are local searches; ours must spread the points at least as well as SALib's.
            assert!(
                ours >= salib_spread * (1.0 - 1e-12),
                "{name}: spread {ours} < SALib {salib_spread}"
            );
        }
        // Better spread than the first k candidates taken as they come.
        let plain = design::morris(&factors, k, 4, seed).unwrap();
        assert!(ours > spread(&plain), "{name}");
    }
}
