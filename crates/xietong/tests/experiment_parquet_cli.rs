//! `xietong experiment run|merge --format`: without feature `parquet`, asking for Parquet exits 2
//! naming the feature before anything is written; with it, run, resume of a finished CSV-only
//! folder and merge each leave a `results.parquet` next to an unchanged `results.csv`.

mod common;
use common::{s, tmpdir, xietong};

use std::fs;

const EXP: &str = r#"
name = "pqcli"
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
method = "latin_hypercube"
n = 6
seed = 2
[output]
metrics = ["dilemmas", "cumulative_cooperation"]
"#;

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_exits_2_and_writes_nothing() {
    let d = tmpdir("off");
    let f = d.join("exp.toml");
    fs::write(&f, EXP).unwrap();
    for format in ["parquet", "both"] {
        let out = d.join(format!("out-{format}"));
        let o = xietong(&[
            "experiment",
            "run",
            s(&f),
            "--out",
            s(&out),
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--features parquet"), "{err}");
        assert!(!out.exists(), "{format}: the folder was created");
    }
    let o = xietong(&[
        "experiment",
        "merge",
        s(&d),
        "--out",
        s(&d.join("m")),
        "--format",
        "parquet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features parquet"));
    // The default and an explicit csv still run.
    let o = xietong(&[
        "experiment",
        "run",
        s(&f),
        "--out",
        s(&d.join("csv")),
        "--format",
        "csv",
    ]);
    common::assert_ok(&o);
    assert!(d.join("csv/results.csv").exists());
    assert!(!d.join("csv/results.parquet").exists());
    fs::remove_dir_all(&d).unwrap();
}

#[cfg(feature = "parquet")]
#[test]
fn run_resume_and_merge_write_parquet() {
    let d = tmpdir("on");
    let f = d.join("exp.toml");
    fs::write(&f, EXP).unwrap();
    let ok = |args: &[&str]| {
        let o = xietong(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    let parquet = |dir: &std::path::Path| {
        let b = fs::read(dir.join("results.parquet")).unwrap();
        assert!(b.len() > 8 && b.starts_with(b"PAR1") && b.ends_with(b"PAR1"));
        b
    };
    let (a, c) = (d.join("a"), d.join("c"));
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--out",
        s(&a),
        "--format",
        "both",
    ]);
    let whole = parquet(&a);
    // A CSV-only run, then asked again for Parquet: made from the finished CSV.
    ok(&["experiment", "run", s(&f), "--out", s(&c)]);
    assert!(!c.join("results.parquet").exists());
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--out",
        s(&c),
        "--resume",
        "--format",
        "parquet",
    ]);
    assert_eq!(parquet(&c), whole);
    // Shards merged with --format parquet: the same bytes as the single run.
    let (s1, s2, m) = (d.join("s1"), d.join("s2"), d.join("m"));
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--out",
        s(&s1),
        "--shard",
        "1/2",
    ]);
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--out",
        s(&s2),
        "--shard",
        "2/2",
    ]);
    ok(&[
        "experiment",
        "merge",
        s(&s2),
        s(&s1),
        "--out",
        s(&m),
        "--format",
        "parquet",
    ]);
    assert_eq!(
        fs::read(m.join("results.csv")).unwrap(),
        fs::read(a.join("results.csv")).unwrap()
    );
    assert_eq!(parquet(&m), whole);
    fs::remove_dir_all(&d).unwrap();
}
