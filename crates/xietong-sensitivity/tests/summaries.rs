//! Special functions and replication summaries against scipy/numpy (tests/fixtures/*.json).

mod common;

use common::{assert_close, f, fixture, fvec};
use xietong_sensitivity::special::{
    beta_inc, ln_gamma, normal_cdf, normal_quantile, t_cdf, t_quantile,
};
use xietong_sensitivity::summary::quantile_sorted;
use xietong_sensitivity::{Replicates, RunningStats, SaError, welch, welch_from_stats};

fn rel(want: f64) -> f64 {
    1e-12 * want.abs().max(1.0)
}

#[test]
fn special_functions_match_scipy() {
    let fx = fixture("special.json");
    for r in fx["lgamma"].as_array().unwrap() {
        let r = fvec(r);
        assert_close(
            ln_gamma(r[0]),
            r[1],
            rel(r[1]),
            &format!("lgamma({})", r[0]),
        );
    }
    for r in fx["betainc"].as_array().unwrap() {
        let r = fvec(r);
        assert_close(
            beta_inc(r[0], r[1], r[2]),
            r[3],
            1e-13,
            &format!("betainc{r:?}"),
        );
    }
    for r in fx["norm_cdf"].as_array().unwrap() {
        let r = fvec(r);
        // Relative in the far tail, where the value is tiny.
        assert_close(
            normal_cdf(r[0]),
            r[1],
            1e-13 * r[1].max(1e-3),
            &format!("norm.cdf({})", r[0]),
        );
    }
    for r in fx["norm_ppf"].as_array().unwrap() {
        let r = fvec(r);
        assert_close(
            normal_quantile(r[0]),
            r[1],
            rel(r[1]),
            &format!("norm.ppf({})", r[0]),
        );
    }
    for r in fx["t_cdf"].as_array().unwrap() {
        let r = fvec(r);
        assert_close(
            t_cdf(r[0], r[1]),
            r[2],
            1e-13,
            &format!("t.cdf({}, {})", r[0], r[1]),
        );
    }
    for r in fx["t_ppf"].as_array().unwrap() {
        let r = fvec(r);
        assert_close(
            t_quantile(r[0], r[1]),
            r[2],
            1e-11 * r[2].abs().max(1.0),
            &format!("t.ppf({}, {})", r[0], r[1]),
        );
    }
}

#[test]
fn summaries_match_numpy() {
    let fx = fixture("summary.json");
    for (name, s) in fx["samples"].as_object().unwrap() {
        let values = fvec(&s["values"]);
        let mut rep = Replicates::new();
        for v in &values {
            rep.push(*v).unwrap();
        }
        let sm = rep.summary();
        assert_eq!(sm.n as usize, values.len());
        assert_close(sm.mean, f(&s["mean"]), 1e-12, name);
        assert_close(sm.variance, f(&s["variance"]), 1e-12, name);
        assert_close(sm.std_dev, f(&s["variance"]).sqrt(), 1e-12, name);
        assert_eq!(sm.min, f(&s["min"]));
        assert_eq!(sm.max, f(&s["max"]));
        assert_close(sm.p05, f(&s["p05"]), 1e-12, name);
        assert_close(sm.median, f(&s["median"]), 1e-12, name);
        assert_close(sm.p95, f(&s["p95"]), 1e-12, name);
        // Merging two halves equals pushing everything (shards combine exactly).
        let (left, right) = values.split_at(values.len() / 3);
        let mut a = Replicates::new();
        let mut b = Replicates::new();
        left.iter().for_each(|v| a.push(*v).unwrap());
        right.iter().for_each(|v| b.push(*v).unwrap());
        a.merge(&b);
        let m = a.summary();
        assert_close(m.mean, sm.mean, 1e-12, "merged mean");
        assert_close(m.variance, sm.variance, 1e-12, "merged variance");
        assert_eq!(m.p95, sm.p95);
    }
}

#[test]
fn welch_matches_scipy() {
    let fx = fixture("summary.json");
    let samples = &fx["samples"];
    for w in fx["welch"].as_array().unwrap() {
        let a = fvec(&samples[w["a"].as_str().unwrap()]["values"]);
        let b = fvec(&samples[w["b"].as_str().unwrap()]["values"]);
        let conf = f(&w["conf_level"]);
        let r = welch(&a, &b, conf).unwrap();
        let what = format!("{} vs {}", w["a"], w["b"]);
        assert_close(r.t, f(&w["t"]), 1e-10, &what);
        assert_close(r.df, f(&w["df"]), 1e-9, &what);
        assert_close(r.p_value, f(&w["p_value"]), 1e-12, &what);
        assert_close(r.ci_low, f(&w["ci_low"]), 1e-10, &what);
        assert_close(r.ci_high, f(&w["ci_high"]), 1e-10, &what);
        assert!(r.ci_low < r.difference && r.difference < r.ci_high);
    }
}

#[test]
fn welch_refuses_undefined_cases() {
    let err = welch(&[1.0], &[1.0, 2.0], 0.95).unwrap_err();
    assert!(err.to_string().contains("at least 2 replications"), "{err}");
    let err = welch(&[1.0, 1.0], &[2.0, 2.0], 0.95).unwrap_err();
    assert!(matches!(err, SaError::Undefined(_)), "{err}");
    let err = welch(&[1.0, 2.0], &[f64::INFINITY, 2.0], 0.95).unwrap_err();
    assert!(matches!(err, SaError::NonFinite { index: 0, .. }), "{err}");
    let err = welch_from_stats(&RunningStats::new(), &RunningStats::new(), 2.0).unwrap_err();
    assert!(err.to_string().contains("conf_level"), "{err}");
    let mut rep = Replicates::new();
    assert!(rep.push(f64::NAN).is_err());
    assert_eq!(rep.stats().count(), 0);
}

#[test]
fn quantile_edge_cases() {
    assert!(quantile_sorted(&[], 0.5).is_nan());
    assert_eq!(quantile_sorted(&[3.0], 0.05), 3.0);
    assert_eq!(quantile_sorted(&[1.0, 2.0], 0.5), 1.5);
    assert_eq!(quantile_sorted(&[1.0, 2.0, 4.0], 1.0), 4.0);
    let one = {
        let mut r = Replicates::new();
        r.push(7.0).unwrap();
        r.summary()
    };
    assert_eq!(one.mean, 7.0);
    assert!(one.variance.is_nan());
}

#[test]
fn quantile_functions_return_nan_outside_their_domain() {
    assert!(normal_quantile(0.0).is_nan());
    assert!(normal_quantile(1.5).is_nan());
    assert!(t_quantile(0.5, 0.0).is_nan());
    assert!(t_quantile(f64::NAN, 3.0).is_nan());
}

#[test]
fn paired_matches_scipy_ttest_rel_and_is_tighter_than_welch_under_shared_seeds() {
    use xietong_sensitivity::paired;
    let fx = fixture("summary.json");
    let case = &fx["paired"];
    let (a, b) = (fvec(&case["a"]), fvec(&case["b"]));
    for r in case["results"].as_array().unwrap() {
        let conf = f(&r["conf_level"]);
        let got = paired(&a, &b, conf).unwrap();
        assert_close(got.t, f(&r["t"]), 1e-10, "paired t");
        assert_eq!(got.df, f(&r["df"]));
        assert_close(got.p_value, f(&r["p_value"]), 1e-12, "paired p");
        assert_close(got.ci_low, f(&r["ci_low"]), 1e-10, "paired ci low");
        assert_close(got.ci_high, f(&r["ci_high"]), 1e-10, "paired ci high");
    }
    let p = paired(&a, &b, 0.95).unwrap();
    let w = welch(&a, &b, 0.95).unwrap();
    let wci = fvec(&case["welch_ci"]);
    assert_close(w.ci_low, wci[0], 1e-10, "welch ci low");
    assert!(p.ci_high - p.ci_low < 0.5 * (w.ci_high - w.ci_low));
    let err = paired(&a, &b[1..], 0.95).unwrap_err();
    assert!(err.to_string().contains("equal length"), "{err}");
    let err = paired(&[1.0, 2.0], &[0.0, 1.0], 0.95).unwrap_err();
    assert!(
        err.to_string().contains("every paired difference equals 1"),
        "{err}"
    );
}
