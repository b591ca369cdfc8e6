//! Agreement with independent references (scipy, pingouin, statsmodels, NIST StRD).
//! Expected values live in `fixtures/reference.json`, written by `fixtures/gen_reference.py`;
//! each case names its source. Tolerance: 1e-9 relative unless stated at the check.

use serde_json::Value;
use xietong_survey::stats::{anova, chi2, describe, dist, nonpar, ptukey, reliability, ttest};

fn fixtures() -> Value {
    let text = include_str!("fixtures/reference.json");
    serde_json::from_str(text).expect("reference.json parses")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

#[track_caller]
fn close(got: f64, want: f64, rel: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        err <= rel || (got - want).abs() <= 1e-300,
        "{what}: got {got:e}, want {want:e} (rel err {err:e} > {rel:e})"
    );
}

const REL: f64 = 1e-9;

#[test]
fn descriptives_match_numpy_scipy_statsmodels() {
    let fx = fixtures();
    for c in fx["descriptives"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let d = describe::describe(&vecf(&c["x"]), 0.95).unwrap();
        close(d.mean, f(&c["mean"]), 1e-14, name);
        close(d.sd.unwrap(), f(&c["sd"]), REL, name);
        close(d.se.unwrap(), f(&c["se"]), REL, name);
        close(d.ci_low.unwrap(), f(&c["ci"][0]), REL, name);
        close(d.ci_high.unwrap(), f(&c["ci"][1]), REL, name);
        close(d.median, f(&c["median"]), 1e-15, name);
    }
    let w = &fx["weighted"];
    let d = describe::describe_weighted(&vecf(&w["x"]), &vecf(&w["w"]), 0.95).unwrap();
    close(d.n, f(&w["n"]), 1e-15, "weighted n");
    close(d.mean, f(&w["mean"]), 1e-13, "weighted mean");
    close(d.sd.unwrap(), f(&w["sd"]), REL, "weighted sd");
    close(d.se.unwrap(), f(&w["se"]), REL, "weighted se");
    close(d.ci_low.unwrap(), f(&w["ci"][0]), REL, "weighted ci");
    close(d.ci_high.unwrap(), f(&w["ci"][1]), REL, "weighted ci");
}

#[test]
fn t_quantiles_match_scipy() {
    for c in fixtures()["t_quantile"].as_array().unwrap() {
        let q = dist::t_quantile(f(&c["p"]), f(&c["df"]));
        close(q, f(&c["q"]), REL, &format!("t ppf {c}"));
    }
}

#[test]
fn ttests_match_scipy_pingouin() {
    for c in fixtures()["ttest"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (a, b) = (vecf(&c["a"]), vecf(&c["b"]));
        let r = ttest::ttest_ind(&a, &b, 0.95, false).unwrap();
        close(
            r.student.t,
            f(&c["student"]["t"]),
            REL,
            &format!("{name} student t"),
        );
        close(r.student.df, f(&c["student"]["df"]), REL, name);
        close(
            r.student.p,
            f(&c["student"]["p"]),
            REL,
            &format!("{name} student p"),
        );
        close(
            r.ci[0],
            f(&c["student"]["ci"][0]),
            REL,
            &format!("{name} ci"),
        );
        close(
            r.ci[1],
            f(&c["student"]["ci"][1]),
            REL,
            &format!("{name} ci"),
        );
        let w = r.welch.as_ref().unwrap();
        close(w.t, f(&c["welch"]["t"]), REL, &format!("{name} welch t"));
        close(w.df, f(&c["welch"]["df"]), REL, &format!("{name} welch df"));
        close(w.p, f(&c["welch"]["p"]), REL, &format!("{name} welch p"));
        close(
            w.ci[0],
            f(&c["welch"]["ci"][0]),
            REL,
            &format!("{name} welch ci"),
        );
        close(
            w.ci[1],
            f(&c["welch"]["ci"][1]),
            REL,
            &format!("{name} welch ci"),
        );
        let l = r.levene.as_ref().unwrap();
        close(
            l.f,
            f(&c["levene_mean"]["F"]),
            REL,
            &format!("{name} levene F"),
        );
        close(
            l.p,
            f(&c["levene_mean"]["p"]),
            REL,
            &format!("{name} levene p"),
        );
        let lm = ttest::levene(&[&a, &b], true).unwrap();
        close(
            lm.f,
            f(&c["levene_median"]["F"]),
            REL,
            &format!("{name} levene median F"),
        );
        close(
            lm.p,
            f(&c["levene_median"]["p"]),
            REL,
            &format!("{name} levene median p"),
        );
        close(r.cohen_d, f(&c["cohen_d"]), REL, &format!("{name} d"));
        close(r.hedges_g, f(&c["hedges_g"]), REL, &format!("{name} g"));
        let m = nonpar::mann_whitney(&a, &b).unwrap();
        close(m.u, f(&c["mwu"]["U"]), 1e-15, &format!("{name} U"));
        close(m.p, f(&c["mwu"]["p"]), REL, &format!("{name} mwu p"));
        close(
            m.rank_biserial,
            f(&c["mwu"]["rbc"]),
            REL,
            &format!("{name} rbc"),
        );
    }
    let c = &fixtures()["mwu_exact"];
    let m = nonpar::mann_whitney(&vecf(&c["a"]), &vecf(&c["b"])).unwrap();
    assert_eq!(m.method, "exact");
    close(m.u, f(&c["U"]), 1e-15, "exact U");
    close(m.p, f(&c["p"]), REL, "exact mwu p");
}

fn groups_of(c: &Value) -> Vec<Vec<f64>> {
    c["groups"].as_array().unwrap().iter().map(vecf).collect()
}

#[test]
fn anova_family_matches_scipy_pingouin_statsmodels() {
    for c in fixtures()["anova"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let g = groups_of(c);
        let refs: Vec<&[f64]> = g.iter().map(|v| v.as_slice()).collect();
        let labels: Vec<String> = (1..=g.len()).map(|i| format!("g{i}")).collect();
        let a = anova::oneway(&refs).unwrap();
        close(a.f, f(&c["anova"]["F"]), REL, &format!("{name} F"));
        close(a.p, f(&c["anova"]["p"]), REL, &format!("{name} p"));
        close(a.ss_between, f(&c["anova"]["ss_between"]), REL, name);
        close(a.ss_within, f(&c["anova"]["ss_within"]), REL, name);
        close(a.eta_squared, f(&c["anova"]["eta_squared"]), REL, name);
        let w = anova::welch(&refs).unwrap();
        close(w.f, f(&c["welch"]["F"]), REL, &format!("{name} welch F"));
        close(
            w.df2,
            f(&c["welch"]["df2"]),
            REL,
            &format!("{name} welch df2"),
        );
        close(w.p, f(&c["welch"]["p"]), REL, &format!("{name} welch p"));
        let bf = anova::brown_forsythe(&refs).unwrap();
        close(
            bf.f,
            f(&c["brown_forsythe"]["F"]),
            REL,
            &format!("{name} BF F"),
        );
        close(bf.df1, f(&c["brown_forsythe"]["df1"]), REL, name);
        close(
            bf.df2,
            f(&c["brown_forsythe"]["df2"]),
            REL,
            &format!("{name} BF df2"),
        );
        close(
            bf.p,
            f(&c["brown_forsythe"]["p"]),
            REL,
            &format!("{name} BF p"),
        );
        let kw = nonpar::kruskal(&refs).unwrap();
        close(kw.h, f(&c["kruskal"]["H"]), REL, &format!("{name} H"));
        close(kw.p, f(&c["kruskal"]["p"]), REL, &format!("{name} kw p"));
        let l = ttest::levene(&refs, false).unwrap();
        close(l.f, f(&c["levene"]["F"]), REL, &format!("{name} levene"));
        close(l.p, f(&c["levene"]["p"]), REL, &format!("{name} levene p"));
        // Post hoc: pingouin's p-values come from scipy.studentized_range (epsabs 1e-11), so they
        // are compared with rel 1e-9 or abs 2e-11, whichever is looser.
        let tk = anova::tukey(&refs, &labels).unwrap();
        for (got, want) in tk.iter().zip(c["tukey"].as_array().unwrap()) {
            let what = format!("{name} tukey {}-{}", got.a, got.b);
            assert_eq!(got.a, want["a"].as_str().unwrap());
            close(got.diff, f(&want["diff"]), REL, &what);
            close(got.se, f(&want["se"]), REL, &what);
            close(got.t, f(&want["t"]), REL, &what);
            close_p(got.p, f(&want["p"]), &what);
        }
        let gh = anova::games_howell(&refs, &labels).unwrap();
        for (got, want) in gh.iter().zip(c["games_howell"].as_array().unwrap()) {
            let what = format!("{name} games-howell {}-{}", got.a, got.b);
            close(got.se, f(&want["se"]), REL, &what);
            close(got.t, f(&want["t"]), REL, &what);
            close(got.df, f(&want["df"]), REL, &what);
            close_p(got.p, f(&want["p"]), &what);
        }
        let bo = anova::bonferroni(&refs, &labels).unwrap();
        for (got, want) in bo.iter().zip(c["bonferroni"].as_array().unwrap()) {
            close(got.t, f(&want["t"]), REL, name);
            close(got.p, f(&want["p"]), REL, &format!("{name} bonferroni p"));
        }
    }
}

#[track_caller]
fn close_p(got: f64, want: f64, what: &str) {
    let ok = (got - want).abs() <= 2e-11 || (got - want).abs() <= REL * want.abs();
    assert!(ok, "{what}: p {got:e} vs {want:e}");
}

#[test]
fn nist_strd_anova_certified_values() {
    for c in fixtures()["nist_anova"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let g = groups_of(c);
        let refs: Vec<&[f64]> = g.iter().map(|v| v.as_slice()).collect();
        let a = anova::oneway(&refs).unwrap();
        // 1e-9 against exact rational arithmetic on the parsed doubles, for every set.
        let ex = &c["exact_on_doubles"];
        close(
            a.ss_between,
            f(&ex["ss_between"]),
            REL,
            &format!("{name} SSB (exact on doubles)"),
        );
        close(
            a.ss_within,
            f(&ex["ss_within"]),
            REL,
            &format!("{name} SSW (exact on doubles)"),
        );
        close(
            a.f,
            f(&ex["F"]),
            REL,
            &format!("{name} F (exact on doubles)"),
        );
        // Against the certificate: 1e-9 wherever the data are representable in binary; where they
        // are not (SmLs07-09 at 1e12 + 0.1) the parsed data themselves differ from the certified
        // ones, and we allow twice that representation error.
        let repr = ((f(&ex["F"]) - f(&c["F"])) / f(&c["F"])).abs();
        let tol = if repr < 1e-10 { REL } else { 2.0 * repr };
        close(a.f, f(&c["F"]), tol, &format!("{name} F (certified)"));
        close(
            a.ss_between,
            f(&c["ss_between"]),
            tol.max(
                2.0 * ((f(&ex["ss_between"]) - f(&c["ss_between"])) / f(&c["ss_between"])).abs(),
            ),
            &format!("{name} SSB (certified)"),
        );
        close(
            a.ss_within,
            f(&c["ss_within"]),
            tol.max(2.0 * ((f(&ex["ss_within"]) - f(&c["ss_within"])) / f(&c["ss_within"])).abs()),
            &format!("{name} SSW (certified)"),
        );
        close(
            a.eta_squared,
            f(&c["r_squared"]),
            tol.max(1e-9),
            &format!("{name} R²"),
        );
        eprintln!(
            "{name}: F {:.15e} certified {:.15e}, representation error of the data {repr:.1e}",
            a.f,
            f(&c["F"])
        );
    }
}

#[test]
fn studentized_range_matches_quadpack_and_scipy() {
    for c in fixtures()["ptukey"].as_array().unwrap() {
        let (q, k, df) = (f(&c["q"]), c["k"].as_u64().unwrap() as usize, f(&c["df"]));
        if let Some(want) = c.get("sf_quadpack") {
            let got = ptukey::sf(q, k, df);
            close(
                got,
                f(want),
                REL,
                &format!("ptukey sf q={q} k={k} df={df} vs quadpack"),
            );
            close_p(
                got,
                f(&c["sf_scipy"]),
                &format!("ptukey sf q={q} k={k} df={df} vs scipy"),
            );
        }
        if let Some(want) = c.get("cdf_scipy") {
            close(ptukey::cdf(q, k, df), f(want), REL, "ptukey cdf");
            close(
                ptukey::quantile(0.95, k, df),
                f(&c["ppf95_scipy"]),
                REL,
                "ptukey ppf",
            );
        }
    }
}

#[test]
fn contingency_matches_scipy() {
    for c in fixtures()["chi2"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let t: Vec<Vec<f64>> = c["table"].as_array().unwrap().iter().map(vecf).collect();
        let r = chi2::contingency(&t).unwrap();
        close(r.pearson.chi2, f(&c["pearson"]["chi2"]), REL, name);
        close(
            r.pearson.p,
            f(&c["pearson"]["p"]),
            REL,
            &format!("{name} p"),
        );
        close(
            r.likelihood_ratio.chi2,
            f(&c["likelihood_ratio"]["chi2"]),
            REL,
            &format!("{name} G"),
        );
        close(
            r.likelihood_ratio.p,
            f(&c["likelihood_ratio"]["p"]),
            REL,
            &format!("{name} G p"),
        );
        close(r.cramers_v, f(&c["cramers_v"]), REL, &format!("{name} V"));
        for (row, want) in r.expected.iter().zip(c["expected"].as_array().unwrap()) {
            for (g, w) in row.iter().zip(vecf(want)) {
                close(*g, w, 1e-14, &format!("{name} expected"));
            }
        }
        if let Some(y) = c.get("yates") {
            let ry = r.yates.as_ref().unwrap();
            close(ry.chi2, f(&y["chi2"]), REL, &format!("{name} yates"));
            close(ry.p, f(&y["p"]), REL, &format!("{name} yates p"));
            close(
                r.fisher_p.unwrap(),
                f(&c["fisher_p"]),
                REL,
                &format!("{name} fisher"),
            );
        } else {
            assert!(r.yates.is_none() && r.fisher_p.is_none());
        }
    }
}

#[test]
fn reliability_matches_pingouin_and_uls() {
    for c in fixtures()["reliability"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let data: Vec<Vec<f64>> = c["data"].as_array().unwrap().iter().map(vecf).collect();
        let k = data[0].len();
        let names: Vec<String> = (1..=k).map(|i| format!("i{i}")).collect();
        let r = reliability::reliability(&names, &data).unwrap();
        close(r.alpha, f(&c["alpha"]), REL, &format!("{name} alpha"));
        close(
            r.standardized_alpha,
            f(&c["standardized_alpha"]),
            REL,
            &format!("{name} std alpha"),
        );
        for (it, want) in r.items.iter().zip(c["items"].as_array().unwrap()) {
            close(
                it.item_total_r.unwrap(),
                f(&want["item_total_r"]),
                REL,
                &format!("{name} item-total r"),
            );
            close(
                it.alpha_if_deleted.unwrap(),
                f(&want["alpha_if_deleted"]),
                REL,
                &format!("{name} alpha if deleted"),
            );
        }
        for (l, want) in r.items.iter().zip(vecf(&c["loadings"])) {
            close(l.loading.unwrap(), want, REL, &format!("{name} loading"));
        }
        close(
            r.omega.unwrap(),
            f(&c["omega"]),
            REL,
            &format!("{name} omega"),
        );
        if let Some(fa) = c.get("omega_factor_analyzer_minres") {
            // factor_analyzer optimises with L-BFGS-B at its default tolerance: agreement to 1e-5.
            close(
                r.omega.unwrap(),
                f(fa),
                1e-5,
                &format!("{name} omega vs factor_analyzer"),
            );
        }
    }
}
