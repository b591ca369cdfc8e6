//! `xietong experiment run|merge|analyze`, `xietong compare`, `xietong calibrate` end to end:
//! identical files for any thread count and sharding, exit code 2 with a located message on bad
//! input, and finished results left untouched.

mod common;
use common::{s, tmpdir, xietong};

use std::fs;

fn ok(args: &[&str]) -> String {
    let o = xietong(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn bad(args: &[&str]) -> String {
    let o = xietong(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MORRIS: &str = r#"
name = "cli"
seed = 4
replications = 2
[base]
set = ["calendar.periods=16"]
[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9
[[factor]]
path = "levers.sequencing"
values = ["basic_first", "key_first"]
[design]
method = "morris"
trajectories = 4
seed = 2
[output]
metrics = ["dilemmas", "cumulative_cooperation"]
"#;

#[test]
fn run_shard_merge_resume_and_analyze() {
    let d = tmpdir("main");
    let f = d.join("exp.toml");
    fs::write(&f, MORRIS).unwrap();
    let (a, b) = (d.join("a"), d.join("b"));
    ok(&["experiment", "run", s(&f), "--out", s(&a), "--threads", "1"]);
    ok(&["experiment", "run", s(&f), "--out", s(&b), "--threads", "2"]);
    let results = fs::read(a.join("results.csv")).unwrap();
    assert_eq!(results, fs::read(b.join("results.csv")).unwrap());
    assert_eq!(
        String::from_utf8_lossy(&results).lines().count(),
        1 + 12 * 2
    );

    // Shards in any order merge to the same folder.
    let mut shards = Vec::new();
    for i in 1..=3 {
        let sd = d.join(format!("s{i}"));
        ok(&[
            "experiment",
            "run",
            s(&f),
            "--shard",
            &format!("{i}/3"),
            "--out",
            s(&sd),
        ]);
        shards.push(sd);
    }
    let m = d.join("merged");
    ok(&[
        "experiment",
        "merge",
        s(&shards[2]),
        s(&shards[0]),
        s(&shards[1]),
        "--out",
        s(&m),
    ]);
    for file in [
        "results.csv",
        "manifest.json",
        "design.csv",
        "experiment.toml",
        "scenario.toml",
    ] {
        assert_eq!(
            fs::read(m.join(file)).unwrap(),
            fs::read(a.join(file)).unwrap(),
            "{file}"
        );
    }
    let e = bad(&[
        "experiment",
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        "--out",
        s(&d.join("m2")),
    ]);
    assert!(e.contains("need shards 1..=3"), "{e}");
    let e = bad(&[
        "experiment",
        "run",
        s(&f),
        "--shard",
        "4/3",
        "--out",
        s(&d.join("x")),
    ]);
    assert!(e.contains("--shard 4/3"), "{e}");
    let e = bad(&[
        "experiment",
        "run",
        s(&f),
        "--shard",
        "1/50",
        "--out",
        s(&d.join("x")),
    ]);
    assert!(e.contains("more shards than"), "{e}");

    // An existing folder is refused without --resume; a changed design with it.
    let before = fs::read(a.join("results.csv")).unwrap();
    let e = bad(&["experiment", "run", s(&f), "--out", s(&a)]);
    assert!(e.contains("--resume"), "{e}");
    let g = d.join("changed.toml");
    fs::write(&g, MORRIS.replace("seed = 4", "seed = 5")).unwrap();
    let e = bad(&["experiment", "run", s(&g), "--out", s(&a), "--resume"]);
    assert!(e.contains("design changed"), "{e}");
    assert_eq!(fs::read(a.join("results.csv")).unwrap(), before);
    ok(&["experiment", "run", s(&f), "--out", s(&a), "--resume"]);
    assert_eq!(fs::read(a.join("results.csv")).unwrap(), before);

    // An interrupted folder (complete rows of the first points, then a torn line) resumes to
    // the same bytes.
    let c = d.join("c");
    fs::create_dir_all(&c).unwrap();
    for file in [
        "manifest.json",
        "design.csv",
        "experiment.toml",
        "scenario.toml",
    ] {
        fs::copy(a.join(file), c.join(file)).unwrap();
    }
    let text = String::from_utf8(before.clone()).unwrap();
    let cut: String = text.lines().take(1 + 7).map(|l| format!("{l}\n")).collect();
    fs::write(c.join("results.csv.partial"), format!("{cut}3,1,99")).unwrap();
    ok(&["experiment", "run", s(&f), "--out", s(&c), "--resume"]);
    assert_eq!(fs::read(c.join("results.csv")).unwrap(), before);

    // Analysis of the Morris design.
    let table = ok(&["experiment", "analyze", s(&a), "--resamples", "50"]);
    assert!(
        table.contains("| dilemmas | levers.flexibility |"),
        "{table}"
    );
    let csv = fs::read_to_string(a.join("sensitivity.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 2, "{csv}");
    let html = fs::read_to_string(a.join("sensitivity-report.html")).unwrap();
    // The report names metrics by their display names; the CSV above keeps identifiers.
    assert!(html.contains("<svg") && html.contains("Cumulative cooperation"));
}

#[test]
fn bad_experiment_input_exits_2_and_writes_nothing() {
    let d = tmpdir("bad");
    let f = d.join("exp.toml");
    fs::write(&f, MORRIS.replace("low = 0.1", "low = 0.95")).unwrap();
    let out = d.join("out");
    let e = bad(&["experiment", "run", s(&f), "--out", s(&out)]);
    assert!(
        e.contains("exp.toml:9:7") && e.contains("inverted range"),
        "{e}"
    );
    assert!(!out.exists());
    fs::write(&f, MORRIS.replace("levers.flexibility", "levers.flex")).unwrap();
    let e = bad(&["experiment", "run", s(&f), "--out", s(&out)]);
    assert!(e.contains("levers.flex"), "{e}");
    assert!(!out.exists());
    let e = bad(&[
        "experiment",
        "run",
        s(&d.join("missing.toml")),
        "--out",
        s(&out),
    ]);
    assert!(e.contains("cannot read"), "{e}");
    let e = bad(&[
        "experiment",
        "run",
        s(&f),
        "--threads",
        "0",
        "--out",
        s(&out),
    ]);
    assert!(e.contains("--threads"), "{e}");
    // Analysis of a design that is neither Morris nor Saltelli.
    fs::write(
        &f,
        MORRIS.replace(
            "method = \"morris\"\ntrajectories = 4\nseed = 2",
            "method = \"random\"\nn = 3\nseed = 2",
        ),
    )
    .unwrap();
    ok(&["experiment", "run", s(&f), "--out", s(&out)]);
    let o = xietong(&["experiment", "analyze", s(&out)]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("need a morris or saltelli design"));
    let points = fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(points.lines().count(), 1 + 3, "{points}");
    assert!(points.starts_with("point,levers.flexibility,levers.sequencing,dilemmas_n,dilemmas_mean,dilemmas_sd,dilemmas_p05,dilemmas_p95,"), "{points}");
    assert!(!out.join("sensitivity.csv").exists());
    let e = bad(&["experiment", "analyze", s(&d.join("nothing"))]);
    assert!(e.contains("manifest.json"), "{e}");
}

#[test]
fn compare_and_calibrate() {
    let d = tmpdir("cmp");
    let out = d.join("cmp");
    let table = ok(&[
        "compare",
        "--variant",
        "rigid:levers.flexibility=0.1",
        "--variant",
        "flexible:levers.flexibility=0.9",
        "--set",
        "calendar.periods=16",
        "--runs",
        "4",
        "--out",
        s(&out),
    ]);
    assert!(table.contains("flexible − rigid"), "{table}");
    let csv = fs::read_to_string(out.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 7, "{csv}");
    assert!(
        fs::read_to_string(out.join("report.html"))
            .unwrap()
            .contains("<svg")
    );
    let e = bad(&["compare", "--variant", "nonsense", "--variant", "key_first"]);
    assert!(e.contains("not a built-in variant"), "{e}");
    let e = bad(&[
        "compare",
        "--variant",
        "x:levers.uniformity=7",
        "--variant",
        "key_first",
    ]);
    assert!(e.contains("variant x"), "{e}");

    let f = d.join("cal.toml");
    fs::write(
        &f,
        r#"
[[parameter]]
path = "domains.public_services.local_benefit"
low = 0.2
high = 0.8
[calibration]
runs = 3
restarts = 2
max_iters = 8
"#,
    )
    .unwrap();
    let out = d.join("cal");
    let text = ok(&["calibrate", s(&f), "--out", s(&out)]);
    assert!(
        text.contains("domains.public_services.local_benefit"),
        "{text}"
    );
    let calibrated = out.join("calibrated.toml");
    ok(&["scenario", "check", s(&calibrated)]);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("calibration.json")).unwrap()).unwrap();
    assert_eq!(json["fits"].as_array().unwrap().len(), 2);
    let t = d.join("targets.json");
    fs::write(&t, "{\"zone_demand_order\": [\"A2\", \"Z9\"]}").unwrap();
    let e = bad(&[
        "calibrate",
        s(&f),
        "--targets",
        s(&t),
        "--out",
        s(&d.join("c2")),
    ]);
    assert!(e.contains("unknown zone \"Z9\""), "{e}");
    // Issue 10 item 14: target-file errors name the JSON file.
    assert!(e.contains(&format!("{}: unknown zone", s(&t))), "{e}");
    assert!(!d.join("c2").exists());
}
