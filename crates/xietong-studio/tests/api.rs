//! The studio's answers are the library's: the same located errors as the CLI's loaders and the
//! same tables as `xietong-present`.

mod support;

use serde_json::json;
use support::*;
use xietong_model::builtin::CHENGDU_CHONGQING;

#[test]
fn scenario_errors_are_the_loaders_with_paths_and_lines() {
    let (s, _ws) = studio("api-sim");
    let bad = CHENGDU_CHONGQING.replace("uniformity = 0.8", "uniformity = 1.8");
    let r = post_json(
        s.addr,
        "/api/sim/check",
        &json!({"toml": bad, "name": "my.toml"}),
    )
    .json();
    assert_eq!(r["ok"], false);
    let expected = xietong_model::parse_scenario(&bad, "my.toml").unwrap_err();
    assert_eq!(r["problems"]["message"], expected.to_string());
    let p = &r["problems"]["problems"][0];
    assert_eq!(p["path"], "levers.uniformity");
    let line = bad
        .lines()
        .position(|l| l.starts_with("uniformity = 1.8"))
        .unwrap()
        + 1;
    assert_eq!(p["line"], line);
    // The form's document round-trips to a valid scenario; running refuses an invalid one.
    let ok = post_json(
        s.addr,
        "/api/sim/check",
        &json!({"toml": CHENGDU_CHONGQING}),
    )
    .json();
    assert_eq!(ok["ok"], true);
    let doc = ok["doc"].clone();
    assert_eq!(
        post_json(s.addr, "/api/sim/check", &json!({"doc": doc})).json()["ok"],
        true
    );
    assert_eq!(
        post_json(s.addr, "/api/sim/run", &json!({"toml": bad})).status,
        400
    );
    assert_eq!(
        post_json(
            s.addr,
            "/api/sim/run",
            &json!({"toml": CHENGDU_CHONGQING, "runs": 0})
        )
        .status,
        400
    );
}

#[test]
fn game_answers_carry_the_presentation_crates_latex_and_located_errors() {
    let (s, _ws) = studio("api-game");
    let text = xietong_studio::game::EXAMPLES[0].1;
    let r = post_json(
        s.addr,
        "/api/game/analyze",
        &json!({"text": text, "name": "g.toml", "values": {"Cg": 0.9}}),
    )
    .json();
    assert_eq!(r["ok"], true, "{r}");
    let ld = xietong_present::game::LoadedGame::new(
        "g.toml",
        text,
        &["Cg=0.9".to_string()],
        xietong_report::Lang::En,
    )
    .unwrap();
    let an = ld.analyze();
    assert_eq!(r["latex"], xietong_present::game::latex_table(&ld, &an));
    assert_eq!(
        r["rest_points"].as_array().unwrap().len(),
        an.rest_points.len()
    );
    let broken = text.replacen("values = [", "values = [\"S +* 1\", ", 1);
    let e = post_json(
        s.addr,
        "/api/game/analyze",
        &json!({"text": broken, "name": "g.toml"}),
    )
    .json();
    assert_eq!(e["ok"], false);
    let expected = xietong_game::Game::parse("g.toml", &broken).unwrap_err();
    assert_eq!(e["problems"][0]["line"], expected.line);
    assert_eq!(e["problems"][0]["column"], expected.column);
}

/// The simulator's downloads are the files `xietong run` writes for the same scenario, seed and
/// runs, byte for byte. The expected files are made here by a different path than the studio's
/// streaming one: every run kept in memory, the data files by `xietong_sim::output`'s whole-set
/// writers, the report and paper-ready files by `xietong_present::run::report_files` on an
/// in-memory `Collector`. Switching language redraws the report without a re-run.
#[test]
fn simulation_files_are_the_clis_byte_for_byte_and_the_report_follows_the_language() {
    use xietong_model::builtin::BUILTIN_NAME;
    use xietong_present::figures::FigureOptions;
    use xietong_report::Lang;
    use xietong_sim::{Aggregate, Collector, output, simulate};

    let (st, _ws) = studio("api-sim-files");
    let (seed, runs) = (7u64, 9u64);
    let r = post_json(
        st.addr,
        "/api/sim/run",
        &json!({"toml": CHENGDU_CHONGQING, "name": BUILTIN_NAME, "seed": seed, "runs": runs, "lang": "zh", "figures": "svg"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["job"].as_u64().unwrap();
    let v = wait_job(st.addr, id, std::time::Duration::from_secs(300));
    assert_eq!(v["status"], "done", "{v}");
    let listed = job_files(&v);
    let fetch = |name: &str| {
        let path = format!("/api/jobs/{id}/files/{}", name.replace('/', "%2F"));
        let reply = get(st.addr, &path);
        assert_eq!(reply.status, 200, "{name}");
        reply.body
    };

    let s = xietong_model::parse_scenario(CHENGDU_CHONGQING, BUILTIN_NAME).unwrap();
    let results: Vec<_> = (0..runs).map(|r| simulate(&s, seed, r)).collect();
    let agg = Aggregate::of(&s, &results);
    let mut c = Collector::in_memory(&s);
    for r in &results {
        c.push(r).unwrap();
    }
    let collected = c.finish().unwrap();
    let figures = FigureOptions::parse(Some("svg"), None, None).unwrap();
    let expected_report = |lang| {
        xietong_present::run::report_files(&s, BUILTIN_NAME, seed, &collected, lang, &figures)
            .unwrap()
    };
    let mut expected: Vec<(String, Vec<u8>)> = vec![
        (
            "timeseries.csv".into(),
            output::timeseries_csv(&s, &results).into_bytes(),
        ),
        (
            "zones.csv".into(),
            output::zones_csv(&s, &results).into_bytes(),
        ),
        (
            "summary.json".into(),
            output::summary_json(&s, seed, &results, &agg).into_bytes(),
        ),
    ];
    let (html, export) = expected_report(Lang::Zh);
    expected.push(("report.html".into(), html.into_bytes()));
    expected.extend(export.into_iter().map(|f| (f.name, f.bytes)));
    assert!(
        expected.iter().any(|(n, _)| n.starts_with("figures/")),
        "svg figures expected"
    );
    for want in ["tables.xlsx", "report.docx", "tables.tex"] {
        assert!(expected.iter().any(|(n, _)| n == want), "{want} expected");
    }
    let mut names: Vec<String> = expected.iter().map(|(n, _)| n.clone()).collect();
    names.push("scenario.toml".into());
    assert_eq!(listed, names);
    for (name, bytes) in &expected {
        assert!(fetch(name) == *bytes, "{name} differs from the CLI's");
    }
    assert_eq!(fetch("scenario.toml"), CHENGDU_CHONGQING.as_bytes());

    // Switch to English: the report and the paper-ready files are redrawn, the data kept.
    let before_csv = fetch("timeseries.csv");
    let r = post_json(
        st.addr,
        &format!("/api/jobs/{id}/lang"),
        &json!({"lang": "en"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let (html_en, export_en) = expected_report(Lang::En);
    assert!(
        fetch("report.html") == html_en.as_bytes(),
        "report.html not redrawn in English"
    );
    for f in &export_en {
        assert!(
            fetch(&f.name) == f.bytes,
            "{} not redrawn in English",
            f.name
        );
    }
    assert_eq!(fetch("timeseries.csv"), before_csv);
    assert_eq!(
        post_json(
            st.addr,
            &format!("/api/jobs/{id}/lang"),
            &json!({"lang": "fr"})
        )
        .status,
        400
    );
    // A bad figure option is refused with the CLI's message.
    let bad = post_json(
        st.addr,
        "/api/sim/run",
        &json!({"toml": CHENGDU_CHONGQING, "figures": "gif"}),
    );
    assert_eq!(bad.status, 400);
    let want = FigureOptions::parse(Some("gif"), None, None)
        .unwrap_err()
        .to_string();
    assert_eq!(bad.json()["error"], want);
}

/// The comparison's files are `xietong compare`'s (`xietong_present::experiment::compare_outputs`).
#[test]
fn comparison_files_are_the_clis() {
    use xietong_experiment::compare as cmp;
    use xietong_model::builtin::BUILTIN_NAME;
    let (st, _ws) = studio("api-cmp-files");
    let r = post_json(
        st.addr,
        "/api/sim/compare",
        &json!({"toml": CHENGDU_CHONGQING, "name": BUILTIN_NAME, "a": "key_first", "b": "basic_first", "seed": 2, "runs": 4, "lang": "en"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["job"].as_u64().unwrap();
    let v = wait_job(st.addr, id, std::time::Duration::from_secs(300));
    assert_eq!(v["status"], "done", "{v}");
    let (va, vb) = (
        cmp::parse_variant("key_first").unwrap(),
        cmp::parse_variant("basic_first").unwrap(),
    );
    let sa = cmp::variant_scenario(CHENGDU_CHONGQING, BUILTIN_NAME, &[], &va).unwrap();
    let sb = cmp::variant_scenario(CHENGDU_CHONGQING, BUILTIN_NAME, &[], &vb).unwrap();
    let c = cmp::compare(
        "key_first vs basic_first",
        (&va, &sa),
        (&vb, &sb),
        4,
        2,
        &|| {},
    )
    .unwrap();
    let o = xietong_present::experiment::compare_outputs(
        &[c],
        BUILTIN_NAME,
        xietong_report::Lang::En,
        &Default::default(),
    )
    .unwrap();
    let fetch = |name: &str| get(st.addr, &format!("/api/jobs/{id}/files/{name}")).body;
    assert!(fetch("compare.csv") == o.csv.as_bytes());
    assert!(fetch("compare.json") == o.json.as_bytes());
    assert!(fetch("report.html") == o.html.as_bytes());
    for f in &o.export {
        assert!(fetch(&f.name.replace('/', "%2F")) == f.bytes, "{}", f.name);
    }
    // The arms' charts are the run report's figures.
    assert!(
        v["result"]["a"].as_array().unwrap().len() >= 5,
        "{}",
        v["result"]["a"]
    );
}

/// A game with three strategies per population gets the time paths of `xietong game simulate`.
#[test]
fn games_with_three_strategies_show_the_clis_time_paths() {
    let (s, _ws) = studio("api-game-3");
    let text = xietong_studio::game::EXAMPLES
        .iter()
        .find(|e| e.0 == "nashpy_rps.toml")
        .unwrap()
        .1;
    let r = post_json(
        s.addr,
        "/api/game/analyze",
        &json!({"text": text, "name": "rps.toml", "lang": "en"}),
    )
    .json();
    assert_eq!(r["ok"], true, "{r}");
    assert!(r["portrait"].is_null());
    use xietong_present::game as pg;
    let ld = pg::LoadedGame::new("rps.toml", text, &[], xietong_report::Lang::En).unwrap();
    let sim = pg::plan_simulation(&ld, &pg::SimulateOptions::default())
        .unwrap()
        .run(&ld)
        .unwrap();
    let figs = pg::charts::simulate_figures(
        &ld,
        &sim.analysis,
        &sim.trajectories,
        xietong_report::Lang::En,
    );
    let want: Vec<String> = figs.iter().map(|f| f.chart.to_svg().unwrap()).collect();
    assert_eq!(want.len(), 2);
    assert_eq!(r["time_paths"], json!(want));
    // Two-strategy games keep their portrait and get no time paths.
    let stag = xietong_studio::game::EXAMPLES
        .iter()
        .find(|e| e.0 == "stag_hunt.toml")
        .unwrap()
        .1;
    let r = post_json(
        s.addr,
        "/api/game/analyze",
        &json!({"text": stag, "name": "s.toml"}),
    )
    .json();
    assert!(
        r["portrait"].is_string() && r["time_paths"].as_array().unwrap().is_empty(),
        "{r}"
    );
}

/// An experiment on a scenario file runs on the text sent with it, checked as the CLI checks it;
/// without it the studio explains, and reads no path the experiment names.
#[test]
fn experiments_on_an_uploaded_base_scenario() {
    let (s, ws) = studio("api-exp-base");
    let exp = r#"name = "on-file"
seed = 1
replications = 2
[base]
scenario = "my-region.toml"
[[factor]]
path = "central.support"
low = 0.0
high = 1.0
[design]
method = "latin_hypercube"
n = 3
seed = 1
"#;
    let missing = post_json(s.addr, "/api/experiment/start", &json!({"text": exp}));
    assert_eq!(missing.status, 400);
    assert!(
        missing.json()["error"]
            .as_str()
            .unwrap()
            .contains("my-region.toml"),
        "{}",
        missing.text()
    );
    // A bad base scenario: the message of Plan::new, the CLI's check, with the file's line.
    let bad_base = CHENGDU_CHONGQING.replace("uniformity = 0.8", "uniformity = 1.8");
    let r = post_json(
        s.addr,
        "/api/experiment/start",
        &json!({"text": exp, "scenario": bad_base}),
    );
    assert_eq!(r.status, 400);
    let want =
        xietong_experiment::plan::Plan::new(exp, "experiment.toml", &bad_base, "my-region.toml")
            .unwrap_err()
            .to_string();
    assert_eq!(r.json()["error"], want);
    assert!(
        want.contains("my-region.toml:") && want.contains("levers.uniformity"),
        "{want}"
    );
    // A good one runs, and its copy is the store's scenario.toml in the experiment's folder.
    let edited = CHENGDU_CHONGQING.replace("uniformity = 0.8", "uniformity = 0.6");
    let r = post_json(
        s.addr,
        "/api/experiment/start",
        &json!({"text": exp, "scenario": edited}),
    )
    .json();
    let v = wait_job(
        s.addr,
        r["job"].as_u64().unwrap(),
        std::time::Duration::from_secs(300),
    );
    assert_eq!(v["status"], "done", "{v}");
    let dir = ws.join("experiments").join(r["id"].as_str().unwrap());
    let (plan, _) = xietong_experiment::store::load_dir(&dir).unwrap();
    assert_eq!(plan.n_points(), 3);
    let copy = std::fs::read_to_string(dir.join(xietong_experiment::store::SCENARIO_COPY)).unwrap();
    assert_eq!(
        copy,
        edited,
        "the base scenario's copy is kept in {}",
        dir.display()
    );
    // Its analysis (a sweep: no indices) gives the CLI's files, the journal files included.
    let r = post_json(
        s.addr,
        "/api/experiment/analyze",
        &json!({"id": r["id"], "lang": "zh"}),
    )
    .json();
    let v = wait_job(
        s.addr,
        r["job"].as_u64().unwrap(),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(v["status"], "done", "{v}");
    let listed = job_files(&v);
    for name in [
        "points.csv",
        "sweep-report.html",
        "report.docx",
        "tables.xlsx",
        "tables.tex",
    ] {
        assert!(listed.iter().any(|f| f == name), "{name}: {listed:?}");
    }
}
