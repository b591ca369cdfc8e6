//! `xietong run` and `xietong scenario`: exit codes, output files and their shape, bit-identical
//! results across thread counts, and nothing written on bad input.

mod common;
use common::{assert_ok, bin, tmpdir};

use std::path::Path;

fn run_ok(args: &[&str], out: &Path) {
    let o = bin()
        .arg("run")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert_ok(&o);
}

#[test]
fn run_writes_the_four_files_with_documented_shape() {
    let dir = tmpdir("shape");
    run_ok(&["--runs", "6", "--seed", "3"], &dir);
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let header: Vec<&str> = ts.lines().next().unwrap().split(',').collect();
    for col in [
        "run",
        "period",
        "quarter",
        "stage",
        "coop_public_services",
        "coop_axis_economic",
        "coop_tier_basic",
        "coop_sichuan",
        "selective_index",
        "trust",
        "alignment",
        "local_centric",
        "barrier",
        "orientation",
        "execution_gap",
        "gini",
        "theil",
        "siphon_index",
        "dilemmas",
        "deepens",
        "retreats",
    ] {
        assert!(header.contains(&col), "timeseries.csv lacks {col}");
    }
    assert_eq!(ts.lines().count(), 1 + 6 * 40);
    let second = ts.lines().nth(1).unwrap();
    assert!(second.starts_with("0,0,2020Q1,initial,"), "{second}");
    let zones = std::fs::read_to_string(dir.join("zones.csv")).unwrap();
    assert_eq!(
        zones.lines().next().unwrap(),
        "run,period,quarter,zone,province,cooperation,development,demand"
    );
    assert_eq!(zones.lines().count(), 1 + 6 * 40 * 7);

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["per_run"].as_array().unwrap().len(), 6);
    let agg = &summary["aggregate"];
    for key in [
        "first_transition_period",
        "first_advanced_period",
        "dilemmas",
        "cumulative_cooperation",
        "final_gini",
        "final_alignment",
        "final_trust",
    ] {
        for q in ["mean", "p05", "p95"] {
            assert!(agg[key].get(q).is_some(), "aggregate.{key}.{q}");
        }
    }
    assert!(agg["first_transition_period"]["never_share"].is_number());
    assert!(agg["first_advanced_period"]["never_share"].is_number());
    assert!(agg["retreat_share"].is_number());
    let sp = &agg["survey_period"];
    assert!(sp["cooperation_by_domain"]["public_services"].is_number());
    for st in ["initial", "transition", "advanced", "retreat"] {
        assert!(sp["stage_shares"][st].is_number(), "stage_shares.{st}");
    }
    for z in ["A1", "A2", "A3", "B1", "B2", "B3", "B4"] {
        assert!(sp["zone_demand"][z].is_number(), "zone_demand.{z}");
    }

    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("http://") && !html.contains("https://"));
    assert!(
        !std::fs::read_dir(&dir).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
}

#[test]
fn chinese_report_labels() {
    let dir = tmpdir("zh");
    run_ok(&["--runs", "2", "--lang", "zh"], &dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("合作概率") && html.contains("信任"));
}

#[test]
fn bit_identical_across_thread_counts() {
    let (a, b) = (tmpdir("t1"), tmpdir("t2"));
    run_ok(&["--runs", "5", "--seed", "11", "--threads", "1"], &a);
    run_ok(&["--runs", "5", "--seed", "11", "--threads", "2"], &b);
    for f in ["timeseries.csv", "zones.csv", "summary.json", "report.html"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tmpdir("bad");
    let scen = dir.join("bad.toml");
    let text =
        String::from_utf8(bin().args(["scenario", "show"]).output().unwrap().stdout).unwrap();
    std::fs::write(
        &scen,
        text.replacen("uniformity = 0.8", "uniformity = 1.8", 1),
    )
    .unwrap();
    let out = dir.join("out");
    let cases: Vec<Vec<String>> = vec![
        vec![scen.display().to_string()],
        vec!["--set".into(), "domains.nowhere.siphon=1".into()],
        vec!["--set".into(), "levers.sequencing=diagonal".into()],
        vec!["--lang".into(), "fr".into()],
        vec!["--runs".into(), "0".into()],
        vec![dir.join("missing.toml").display().to_string()],
    ];
    for args in cases {
        let o = bin()
            .arg("run")
            .args(&args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote into the output folder");
    }
    let o = bin()
        .arg("run")
        .arg(&scen)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let line = text
        .lines()
        .position(|l| l.starts_with("uniformity"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("bad.toml:{line}:")) && err.contains("levers.uniformity"),
        "{err}"
    );
}

#[test]
fn scenario_show_round_trips_through_check() {
    let dir = tmpdir("show");
    let text = bin().args(["scenario", "show"]).output().unwrap().stdout;
    let f = dir.join("cc.toml");
    std::fs::write(&f, text).unwrap();
    let o = bin().args(["scenario", "check"]).arg(&f).output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("42 jurisdictions, 10 domains"));
    let o = bin()
        .args(["scenario", "check"])
        .arg(&f)
        .args(["--set", "levers.uniformity=7"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The files `run` writes one batch of runs at a time equal, byte for byte, what the library
/// computes from every run held in memory (`run_many`, the in-memory CSV and summary writers,
/// `Aggregate::of`), for a run count that spans several batches and a partial last one.
#[test]
fn streamed_files_equal_the_in_memory_library_results() {
    use xietong_model::builtin::{BUILTIN_NAME, chengdu_chongqing};
    use xietong_sim::{Aggregate, Collector, output, run_many};
    let dir = tmpdir("stream");
    let sets = ["calendar.periods=20".to_string()];
    let (runs, seed) = (75u64, 9u64);
    run_ok(
        &[
            "--runs",
            &runs.to_string(),
            "--seed",
            &seed.to_string(),
            "--set",
            &sets[0],
            "--threads",
            "2",
        ],
        &dir,
    );
    let s = chengdu_chongqing(&sets).unwrap();
    let results = run_many(&s, seed, runs, &|| {});
    let agg = Aggregate::of(&s, &results);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    assert!(read("timeseries.csv") == output::timeseries_csv(&s, &results));
    assert!(read("zones.csv") == output::zones_csv(&s, &results));
    assert_eq!(
        read("summary.json"),
        output::summary_json(&s, seed, &results, &agg)
    );
    let mut c = Collector::in_memory(&s);
    for r in &results {
        c.push(r).unwrap();
    }
    let html = xietong_present::run::report_html(
        &s,
        BUILTIN_NAME,
        seed,
        &c.finish().unwrap(),
        xietong_report::Lang::En,
    )
    .unwrap();
    assert!(read("report.html") == html);
    // Only the result files: the scratch files of the streaming are gone.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "report.docx",
            "report.html",
            "summary.json",
            "tables.tex",
            "tables.xlsx",
            "timeseries.csv",
            "zones.csv"
        ]
    );
}
