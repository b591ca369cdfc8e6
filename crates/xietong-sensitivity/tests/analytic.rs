//! Analyses against closed-form answers: Ishigami and Sobol' G-function indices, Morris measures
//! of a linear model and of the G-function on a 4-level grid; error handling of the analyses.

mod common;

use common::assert_close;
use xietong_sensitivity::design::{self, Design};
use xietong_sensitivity::testfn::{g_function, g_function_indices, ishigami, ishigami_indices};
use xietong_sensitivity::{
    Factor, MorrisOptions, SaError, SaltelliOptions, SobolOptions, morris_analyze, sobol_analyze,
};

fn ishigami_design(n: usize) -> (Design, Vec<f64>) {
    let pi = std::f64::consts::PI;
    let f: Vec<Factor> = (0..3)
        .map(|i| Factor::new(format!("x{}", i + 1), -pi, pi))
        .collect();
    let d = design::saltelli(&f, n, SaltelliOptions::default()).unwrap();
    let y = d.rows().map(|x| ishigami(x, 7.0, 0.1)).collect();
    (d, y)
}

#[test]
fn ishigami_closed_form_matches_issue_values() {
    let (s1, st, s13) = ishigami_indices(7.0, 0.1);
    let r4 = |v: f64| (v * 1e4).round() / 1e4;
    assert_eq!(s1.map(r4), [0.3139, 0.4424, 0.0]);
    assert_eq!(st.map(r4), [0.5576, 0.4424, 0.2437]);
    assert_eq!(r4(s13), 0.2437);
}

/// N = 2^13 base samples (81,920 runs), unscrambled Sobol', no skip. Observed errors are at most
/// 0.0011; the tolerance is 0.005.
#[test]
fn ishigami_indices_within_tolerance_at_n_8192() {
    let (d, y) = ishigami_design(1 << 13);
    let si = sobol_analyze(&d, &y, &SobolOptions::default()).unwrap();
    let (s1, st, s13) = ishigami_indices(7.0, 0.1);
    for j in 0..3 {
        assert_close(si.s1[j], s1[j], 0.005, &format!("S1[{j}]"));
        assert_close(si.st[j], st[j], 0.005, &format!("ST[{j}]"));
    }
    assert_close(si.s2(0, 2).unwrap().value, s13, 0.005, "S13");
    assert_close(si.s2(0, 1).unwrap().value, 0.0, 0.005, "S12");
    assert_close(si.s2(1, 2).unwrap().value, 0.0, 0.005, "S23");
}

#[test]
fn bootstrap_intervals_cover_truth_and_shrink_with_n() {
    let (s1, st, _) = ishigami_indices(7.0, 0.1);
    let opts = SobolOptions {
        resamples: 200,
        conf_level: 0.95,
        seed: 5,
    };
    let (d, y) = ishigami_design(1 << 10);
    let small = sobol_analyze(&d, &y, &opts).unwrap();
    let (d, y) = ishigami_design(1 << 14);
    let large = sobol_analyze(&d, &y, &opts).unwrap();
    for j in 0..3 {
        for si in [&small, &large] {
            assert!(
                (si.s1[j] - s1[j]).abs() <= si.s1_conf[j],
                "S1[{j}] {} ± {}",
                si.s1[j],
                si.s1_conf[j]
            );
            assert!(
                (si.st[j] - st[j]).abs() <= si.st_conf[j],
                "ST[{j}] {} ± {}",
                si.st[j],
                si.st_conf[j]
            );
        }
        // 16 times more samples: the half-width should fall by about 4.
        assert!(large.s1_conf[j] < 0.5 * small.s1_conf[j], "S1_conf[{j}]");
        assert!(large.st_conf[j] < 0.5 * small.st_conf[j], "ST_conf[{j}]");
    }
    // Same seed, same intervals; another seed, other intervals.
    let again = sobol_analyze(&d, &y, &opts).unwrap();
    assert_eq!(again, large);
    let other = sobol_analyze(&d, &y, &SobolOptions { seed: 6, ..opts }).unwrap();
    assert_ne!(other.s1_conf, large.s1_conf);
    assert_eq!(other.s1, large.s1);
}

/// G-function, D = 8, a = (0, 1, 4.5, 9, 99, 99, 99, 99) (SALib's Sobol_G default), N = 2^13.
/// Observed errors at most 0.0016; tolerance 0.005 for S1, ST and every S2.
#[test]
fn g_function_indices_within_tolerance() {
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    let f: Vec<Factor> = (0..8)
        .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
        .collect();
    let d = design::saltelli(&f, 1 << 13, SaltelliOptions::default()).unwrap();
    let y: Vec<f64> = d.rows().map(|x| g_function(x, &a)).collect();
    let si = sobol_analyze(&d, &y, &SobolOptions::default()).unwrap();
    let (s1, st, s2) = g_function_indices(&a);
    for j in 0..8 {
        assert_close(si.s1[j], s1[j], 0.005, &format!("S1[{j}]"));
        assert_close(si.st[j], st[j], 0.005, &format!("ST[{j}]"));
    }
    assert_eq!(si.s2.len(), 28);
    for p in &si.s2 {
        assert_close(
            p.value,
            s2[p.i][p.j],
            0.005,
            &format!("S2[{},{}]", p.i, p.j),
        );
    }
    // Without second order: N(D+2) rows, same S1/ST estimators.
    let d1 = design::saltelli(
        &f,
        1 << 13,
        SaltelliOptions {
            second_order: false,
            skip: 0,
        },
    )
    .unwrap();
    assert_eq!(d1.n_rows, (1 << 13) * 10);
    let y1: Vec<f64> = d1.rows().map(|x| g_function(x, &a)).collect();
    let si1 = sobol_analyze(&d1, &y1, &SobolOptions::default()).unwrap();
    assert!(si1.s2.is_empty());
    for j in 0..8 {
        assert_close(
            si1.s1[j],
            s1[j],
            0.005,
            &format!("first-order design S1[{j}]"),
        );
    }
}

/// A linear model y = sum b_i x_i: every elementary effect is b_i (high_i - low_i) exactly, so
/// mu = mu* = |b_i| (high - low) for positive b, sigma = 0.
#[test]
fn morris_linear_model_is_exact() {
    let f = vec![
        Factor::new("a", 0.0, 1.0),
        Factor::new("b", -5.0, 5.0),
        Factor::new("c", 100.0, 101.0),
    ];
    let beta = [3.0, -0.5, 20.0];
    let d = design::morris(&f, 25, 4, 3).unwrap();
    let y: Vec<f64> = d
        .rows()
        .map(|x| x.iter().zip(beta).map(|(v, b)| v * b).sum())
        .collect();
    let m = morris_analyze(&d, &y, &MorrisOptions::default()).unwrap();
    let want = [3.0, -5.0, 20.0];
    for j in 0..3 {
        assert_close(m.mu[j], want[j], 1e-9, "mu");
        assert_close(m.mu_star[j], want[j].abs(), 1e-9, "mu*");
        assert_close(m.sigma[j], 0.0, 1e-9, "sigma");
        assert_close(m.mu_star_conf[j], 0.0, 1e-9, "mu* conf");
    }
}

/// G-function on the 4-level Morris grid (delta = 2/3). Each |4x - 2| + a term takes the values
/// (2 + a) or (2/3 + a) with probability 1/2 at every grid point, and a move by delta switches a
/// factor between them, so |EE_i| = 2/(1+a_i) * prod_{j != i} g_j(x_j) with independent g_j:
/// E|EE_i| = 2/(1+a_i) * prod_{j != i} (4/3 + a_j)/(1 + a_j), and E[EE_i] = 0. The estimates from
/// r = 400 trajectories must be within 4 standard errors (from the exact variance).
#[test]
fn morris_g_function_matches_analytic_mu_star() {
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    let f: Vec<Factor> = (0..8)
        .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
        .collect();
    let r = 400;
    let d = design::morris(&f, r, 4, 17).unwrap();
    let y: Vec<f64> = d.rows().map(|x| g_function(x, &a)).collect();
    let m = morris_analyze(&d, &y, &MorrisOptions::default()).unwrap();
    let mean_g: Vec<f64> = a.iter().map(|a| (4.0 / 3.0 + a) / (1.0 + a)).collect();
    let mean_g2: Vec<f64> = a
        .iter()
        .map(|a| ((2.0 + a).powi(2) + (2.0 / 3.0 + a).powi(2)) / 2.0 / (1.0 + a).powi(2))
        .collect();
    for i in 0..8 {
        let others = |v: &[f64]| (0..8).filter(|&j| j != i).map(|j| v[j]).product::<f64>();
        let scale = 2.0 / (1.0 + a[i]);
        let mu_star = scale * others(&mean_g);
        let second = scale * scale * others(&mean_g2);
        let se_abs = ((second - mu_star * mu_star) / r as f64).sqrt();
        let se_signed = (second / r as f64).sqrt();
        assert_close(m.mu_star[i], mu_star, 4.0 * se_abs, &format!("mu*[{i}]"));
        assert_close(m.mu[i], 0.0, 4.0 * se_signed, &format!("mu[{i}]"));
    }
    // Screening ranks the factors as their a_i do.
    for i in 0..3 {
        assert!(m.mu_star[i] > m.mu_star[i + 1]);
    }
}

#[test]
fn analyses_reject_mismatched_inputs() {
    let (d, mut y) = ishigami_design(16);
    let err = sobol_analyze(&d, &y[..10], &SobolOptions::default()).unwrap_err();
    assert!(
        matches!(err, SaError::OutputLength { got: 10, .. }),
        "{err}"
    );
    y[5] = f64::NAN;
    let err = sobol_analyze(&d, &y, &SobolOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "value 5 (0-based) is NaN; only finite numbers can be analysed"
    );
    let err = morris_analyze(&d, &y, &MorrisOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Morris analysis needs a Morris design, got a Saltelli design"
    );
    let f = vec![Factor::new("a", 0.0, 1.0), Factor::new("b", 0.0, 1.0)];
    let m = design::morris(&f, 1, 4, 1).unwrap();
    let err = morris_analyze(&m, &[0.0; 3], &MorrisOptions::default()).unwrap_err();
    assert!(err.to_string().contains("at least 2"), "{err}");
    let err = sobol_analyze(&m, &[0.0; 3], &SobolOptions::default()).unwrap_err();
    assert!(matches!(err, SaError::WrongDesign { .. }));
    let (d, y) = ishigami_design(16);
    let err = sobol_analyze(
        &d,
        &y,
        &SobolOptions {
            conf_level: 1.0,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("conf_level"), "{err}");
}

#[test]
fn constant_output_gives_zero_indices_with_a_warning() {
    let (d, y) = ishigami_design(32);
    let flat = vec![2.5; y.len()];
    let si = sobol_analyze(&d, &flat, &SobolOptions::default()).unwrap();
    assert!(si.s1.iter().chain(&si.st).all(|&v| v == 0.0));
    assert_eq!(si.warnings.len(), 1);
    assert!(si.warnings[0].contains("identical"));
}

/// Small base samples break the bounds the indices obey in theory (S1 ≤ ST, S2 ≥ 0, ΣS1 ≤ 1) or
/// leave wide intervals, and the analysis says so; at N = 8192 the Ishigami estimates are within
/// 0.0011 of the truth and no such warning appears.
#[test]
fn too_small_base_sample_is_flagged_and_a_converged_one_is_not() {
    let (d, y) = ishigami_design(16);
    let small = sobol_analyze(&d, &y, &SobolOptions::default()).unwrap();
    assert!(
        small
            .warnings
            .iter()
            .any(|w| w.contains("increase the base sample N (now 16)")),
        "{:?}",
        small.warnings
    );
    let (d, y) = ishigami_design(1 << 13);
    let large = sobol_analyze(&d, &y, &SobolOptions::default()).unwrap();
    assert!(large.warnings.is_empty(), "{:?}", large.warnings);
}

#[test]
fn each_bound_violation_is_named() {
    let ix = xietong_sensitivity::SobolIndices {
        names: vec!["a".into(), "b".into()],
        base_samples: 64,
        s1: vec![0.6, 0.45],
        s1_conf: vec![0.05, 0.05],
        st: vec![0.5, 0.5],
        st_conf: vec![0.05, 0.05],
        s2: vec![xietong_sensitivity::PairIndex {
            i: 0,
            j: 1,
            value: -0.2,
            conf: 0.05,
        }],
        conf_level: 0.95,
        resamples: 100,
        warnings: vec![],
    };
    let w = xietong_sensitivity::sobol_analysis::convergence_warnings(&ix);
    assert_eq!(w.len(), 4, "{w:?}");
    assert!(w[0].contains("S1 of 'a' exceeds its ST"));
    assert!(w[1].contains("S2 of 'a' × 'b' is negative"));
    assert!(w[2].contains("sum to 1.050"));
    assert!(w[3].contains("increase the base sample N (now 64)"));
}
