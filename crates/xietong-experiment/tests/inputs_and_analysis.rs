//! Bad experiment files give located messages; the analysis pipeline (per-point means, Morris
//! trajectories in design order) reproduces an effect known exactly from the model's structure.

use xietong_experiment::analyze::{Indices, analyze, point_means};
use xietong_experiment::runner::run_points;
use xietong_experiment::store::split_csv_line;
use xietong_experiment::{ExpError, Plan};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

fn plan(text: &str) -> Result<Plan, ExpError> {
    Plan::new(text, "exp.toml", CHENGDU_CHONGQING, BUILTIN_NAME)
}

fn err(text: &str) -> String {
    let e = plan(text).expect_err("should be refused");
    assert!(e.is_input());
    e.to_string()
}

const OK: &str = r#"
replications = 2
[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9
[design]
method = "random"
n = 4
seed = 1
"#;

#[test]
fn bad_experiment_files_are_located() {
    plan(OK).unwrap();
    let m = err(&OK.replace("low = 0.1", "low = 0.95"));
    assert!(m.contains("exp.toml:5:7: factor[0].low"), "{m}");
    assert!(m.contains("inverted range"), "{m}");
    let m = err(&OK.replace("low = 0.1", "low = 0.9"));
    assert!(m.contains("empty range"), "{m}");
    let m = err(&OK.replace("levers.flexibility", "levers.flexibilty"));
    assert!(m.contains("levers.flexibilty"), "{m}");
    assert!(m.contains("does not make a valid scenario"), "{m}");
    // A bound outside what the scenario accepts.
    let m = err(&OK.replace("high = 0.9", "high = 1.5"));
    assert!(m.contains("levers.flexibility = 1.5"), "{m}");
    let m = err(&format!("{OK}[output]\nmetrics = [\"dilemas\"]\n"));
    assert!(
        m.contains("unknown metric \"dilemas\"") && m.contains("exp.toml:12:12"),
        "{m}"
    );
    let m = err(&format!(
        "{OK}[output]\nmetrics = [\"survey_cooperation.health\"]\n"
    ));
    assert!(m.contains("unknown domain \"health\""), "{m}");
    let m = err(&format!(
        "{OK}[output]\ntimeseries = [\"trust\", \"trusst\"]\n"
    ));
    assert!(
        m.contains("output.timeseries[1]")
            && m.contains("unknown time-series indicator \"trusst\""),
        "{m}"
    );
    let m = err(&format!("{OK}[output]\ntimeseries = [\"coop.health\"]\n"));
    assert!(m.contains("unknown domain \"health\""), "{m}");
    let m = err(&OK.replace("replications = 2", "replications = 0"));
    assert!(
        m.contains("exp.toml:2:16") && m.contains("at least 1"),
        "{m}"
    );
    let m = err(&OK.replace("method = \"random\"", "method = \"randm\""));
    assert!(m.contains("exp.toml:"), "{m}");
    let m = err(&OK.replace("n = 4", "n = 0"));
    assert!(m.contains("no points"), "{m}");
    let m = err("replications = 2\n[design]\nmethod = \"random\"\nn = 4\nseed = 1\n");
    assert!(m.contains("no [[factor]]"), "{m}");
    let m = err(&OK.replace("[base]", "").replacen(
        "replications = 2",
        "replications = 2\n[base]\nset = [\"levers.uniformity=2\"]",
        1,
    ));
    assert!(
        m.contains("base scenario") && m.contains("levers.uniformity"),
        "{m}"
    );
    // A Saltelli N that is not a power of two is accepted with a warning.
    let p = plan(&OK.replace(
        "method = \"random\"\nn = 4\nseed = 1",
        "method = \"saltelli\"\nn = 6",
    ))
    .unwrap();
    assert_eq!(p.design.warnings.len(), 1);
    assert!(p.design.warnings[0].to_string().contains("power of two"));
}

/// `demand.scale` only multiplies the reported standards demand: it changes no decision. So in a
/// Morris experiment with common random numbers, its elementary effect on cumulative cooperation
/// is exactly 0, and on a zone's demand it is `demand / scale × (high − low)` at the trajectory's
/// points, which the test recomputes from the result rows themselves.
#[test]
fn morris_analysis_recovers_a_structurally_known_effect() {
    let text = r#"
seed = 3
replications = 2
seeds = "common"
[base]
set = ["calendar.periods=14"]
[[factor]]
path = "demand.scale"
low = 100.0
high = 200.0
[[factor]]
path = "levers.uniformity"
low = 0.4
high = 1.0
[design]
method = "morris"
trajectories = 6
levels = 4
seed = 5
[output]
metrics = ["cumulative_cooperation", "survey_zone_demand.B3", "first_advanced_period"]
"#;
    let p = plan(text).unwrap();
    let mut csv = p.header();
    run_points(&p, 0..p.n_points(), 4, &|| {}, &mut |_, rows, _| {
        csv.push_str(rows);
        Ok(())
    })
    .unwrap();
    let rows: Vec<Vec<String>> = csv.lines().map(split_csv_line).collect();
    let means = point_means(&p, &rows).unwrap();
    let a = analyze(&p, &rows, 50, 1).unwrap();
    let Some(Indices::Morris(coop)) = &a.metrics[0].indices else {
        panic!("morris indices expected")
    };
    assert_eq!(
        coop.mu_star[0], 0.0,
        "demand.scale cannot change cooperation"
    );
    assert!(coop.mu_star[1] > 0.0, "uniformity does change cooperation");
    let Some(Indices::Morris(dem)) = &a.metrics[1].indices else {
        panic!()
    };
    // Expected elementary effects of demand.scale from the rows: demand/scale is the same at the
    // two points of a step (uniformity unchanged, same random streams), times the range 100.
    let xietong_sensitivity::Method::Morris { steps, .. } = &p.design.method else {
        panic!()
    };
    let mut expect = Vec::new();
    for t in 0..6 {
        for s in 0..2 {
            if steps[t * 2 + s].factor == 0 {
                let pt = t * 3 + s;
                let scale = p.design.row(pt)[0];
                expect.push(means[1][pt] / scale * 100.0);
            }
        }
    }
    let mu: f64 = expect.iter().sum::<f64>() / expect.len() as f64;
    assert!((dem.mu[0] - mu).abs() < 1e-9 * mu, "{} vs {mu}", dem.mu[0]);
    // points.csv: n, mean, sd, p05, p95 of each metric over the point's two replications.
    let mut acc = xietong_experiment::analyze::PointAccumulator::new(&p);
    for (i, r) in rows.iter().enumerate() {
        acc.push(i + 1, r).unwrap();
    }
    let (m2, points) = acc.finish().unwrap();
    assert_eq!(m2[0], means[0]);
    let line: Vec<String> = split_csv_line(points.lines().nth(1 + 4).unwrap());
    let (x1, x2): (f64, f64) = (
        rows[1 + 8][5].parse().unwrap(),
        rows[1 + 9][5].parse().unwrap(),
    );
    let (lo, hi) = (x1.min(x2), x1.max(x2));
    assert_eq!(line[0], "4");
    assert_eq!(line[3], "2");
    let got: Vec<f64> = line[4..8].iter().map(|x| x.parse().unwrap()).collect();
    let want = [
        (x1 + x2) / 2.0,
        (x1 - x2).abs() / 2f64.sqrt(),
        lo + 0.05 * (hi - lo),
        lo + 0.95 * (hi - lo),
    ];
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{got:?} vs {want:?}"
        );
    }
    // An event metric that is missing at some point is reported, not analysed as zeros.
    if means[2].iter().any(|v| v.is_nan()) {
        assert!(a.metrics[2].indices.is_none());
        assert!(
            a.metrics[2]
                .note
                .as_ref()
                .unwrap()
                .contains("never happened")
        );
    }
    // Non-Morris, non-Saltelli designs are refused with a clear message.
    let lhs = plan(OK).unwrap();
    let mut csv = lhs.header();
    run_points(&lhs, 0..4, 4, &|| {}, &mut |_, r, _| {
        csv.push_str(r);
        Ok(())
    })
    .unwrap();
    let rows: Vec<Vec<String>> = csv.lines().map(split_csv_line).collect();
    let e = analyze(&lhs, &rows, 10, 1).unwrap_err();
    assert!(e.to_string().contains("morris or saltelli"), "{e}");
    // A truncated results table is refused.
    let e = point_means(&lhs, &rows[..rows.len() - 1]).unwrap_err();
    assert!(e.to_string().contains("expected 4 points"), "{e}");
}

/// Points are built from a parsed copy of the base scenario; that must give exactly the scenario
/// `xietong run --set` builds from the text, and the same error when a point is invalid.
#[test]
fn fast_point_scenarios_equal_those_built_from_text() {
    let text = r#"
replications = 1
[base]
set = ["central.scale=1.5", "domains.industry.siphon=2"]
[[factor]]
path = "behaviour.local_centric"
low = 0.3
high = 0.8
[[factor]]
path = "levers.sequencing"
values = ["basic_first", "all_at_once", "key_first"]
[[factor]]
path = "calendar.periods"
levels = [24.0, 40.0]
[[factor]]
path = "domains.ecology.cost"
low = 0.1
high = 2.0
[design]
method = "random"
n = 40
seed = 8
"#;
    let p = plan(text).unwrap();
    for i in 0..p.n_points() {
        let a = serde_json::to_string(&p.scenario(i).unwrap()).unwrap();
        let b = serde_json::to_string(&p.scenario_from_text(i).unwrap()).unwrap();
        assert_eq!(a, b, "point {i}");
    }
    // A combination that the scenario refuses only at some points (a survey window ending after
    // the last period): both ways agree on which, and give the same message.
    let q = plan(
        r#"
[[factor]]
path = "calendar.periods"
levels = [14.0, 40.0]
[[factor]]
path = "calendar.survey_window"
values = ['["2020Q2", "2020Q3"]', '["2022Q1", "2023Q4"]']
[design]
method = "grid"
levels = 0
"#,
    )
    .unwrap();
    let mut refused = 0;
    for i in 0..q.n_points() {
        match (q.scenario(i), q.scenario_from_text(i)) {
            (Ok(a), Ok(b)) => assert_eq!(
                serde_json::to_string(&a).unwrap(),
                serde_json::to_string(&b).unwrap()
            ),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string());
                assert!(a.to_string().contains("design point"), "{a}");
                refused += 1;
            }
            _ => panic!("point {i}: the two ways disagree on validity"),
        }
    }
    assert_eq!(refused, 1);
    let e = q.check_points(0..4).unwrap_err().to_string();
    assert!(e.contains("design point 1"), "{e}");
}

/// The analysis path of an experiment (file → Saltelli design → per-point outputs → indices →
/// report) on the Ishigami function instead of the simulator: three factors on [0, 1] mapped to
/// [-π, π] (indices do not change under that affine map). Expected values as stated in issue 5
/// for a = 7, b = 0.1: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
#[test]
fn sobol_analysis_of_an_experiment_matches_ishigami() {
    let p = plan(
        r#"
[[factor]]
path = "levers.uniformity"
low = 0.0
high = 1.0
[[factor]]
path = "levers.flexibility"
low = 0.0
high = 1.0
[[factor]]
path = "levers.standardization.effort"
low = 0.0
high = 1.0
[design]
method = "saltelli"
n = 8192
second_order = false
[output]
metrics = ["dilemmas"]
"#,
    )
    .unwrap();
    let pi = std::f64::consts::PI;
    let y: Vec<f64> = (0..p.n_points())
        .map(|i| {
            let x: Vec<f64> = p.design.row(i).iter().map(|u| 2.0 * pi * u - pi).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        })
        .collect();
    let a = xietong_experiment::analyze::analyze_means(&p, &[y], 200, 1).unwrap();
    let Some(Indices::Sobol(s)) = &a.metrics[0].indices else {
        panic!("sobol indices expected")
    };
    for (j, (s1, st)) in [(0.3139, 0.5576), (0.4424, 0.4424), (0.0, 0.2437)]
        .into_iter()
        .enumerate()
    {
        assert!((s.s1[j] - s1).abs() < 0.01, "S1[{j}] = {} vs {s1}", s.s1[j]);
        assert!((s.st[j] - st).abs() < 0.01, "ST[{j}] = {} vs {st}", s.st[j]);
        assert!(s.s1_conf[j] > 0.0 && s.s1_conf[j] < 0.05);
    }
    let html = xietong_experiment::analyze::report(&a, xietong_report::Lang::Zh).unwrap();
    // Factors by their display names (the CSV table below keeps the paths).
    assert!(
        html.contains("敏感性分析")
            && html.contains("执行灵活性")
            && !html.contains("levers.flexibility")
    );
    let t = xietong_experiment::analyze::indices_table(&a);
    assert_eq!(t.rows.len(), 3);
}

/// Issue 10 item 2: designs and replication counts beyond the documented limits are refused with
/// a located input error before anything is allocated (each of these allocated tens of GB to TB).
#[test]
fn design_size_limits_are_checked_before_allocating() {
    let m = err(&OK.replace("replications = 2", "replications = 1000000000"));
    assert!(
        m.contains("exp.toml:2:16") && m.contains("at most 10000"),
        "{m}"
    );
    let grid = r#"
[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9
[[factor]]
path = "levers.standardization.timing"
values = ["developmental", "responsive"]
[design]
method = "grid"
levels = [1099511627776, 0]
"#;
    let m = err(grid);
    assert!(
        m.contains("exp.toml:") && m.contains("2199023255552 points"),
        "{m}"
    );
    let morris = r#"
[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9
[design]
method = "morris"
trajectories = 10
seed = 1
candidates = 1000000
"#;
    let m = err(morris);
    assert!(m.contains("exp.toml:") && m.contains("at most 4096"), "{m}");
}

/// Issue 10 item 14: a megabyte-long unknown key is not echoed in full.
#[test]
fn long_unknown_keys_in_an_experiment_file_are_truncated() {
    let key = "k".repeat(1_000_000);
    let m = err(&format!("{key} = 1\n{OK}"));
    assert!(
        m.len() < 2_000 && m.contains("kkkk") && m.contains("exp.toml:"),
        "{}",
        m.len()
    );
}
