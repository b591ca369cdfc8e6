//! Output folders and sizes across commands (issue 10 items 2, 10, 12): documented limits refused
//! before allocating, an unusable output location is the user's problem (exit 2), and a folder of
//! results is always one complete, consistent set, even when a run is killed.

mod common;
use common::{names, permissions_enforced, s, tmpdir, unwritable, xietong};

use std::fs;
use std::path::Path;
use std::time::Duration;

fn code_and_err(args: &[&str]) -> (Option<i32>, String) {
    let o = xietong(args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn bad(args: &[&str]) -> String {
    let (code, err) = code_and_err(args);
    assert_eq!(code, Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

fn ok(args: &[&str]) {
    let (code, err) = code_and_err(args);
    assert_eq!(code, Some(0), "{args:?}: {err}");
}

const EXPERIMENT: &str = r#"
name = "outputs"
seed = 4
replications = 1
[base]
set = ["calendar.periods=16"]
[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9
[design]
method = "random"
n = 6
seed = 2
"#;

const CODEBOOK: &str = "[[item]]\nid = \"x\"\ntype = \"numeric\"\ncolumn = \"x\"\n";

#[test]
fn run_sizes_beyond_the_limit_are_refused_before_allocating() {
    let d = tmpdir("runlimit");
    let out = d.join("out");
    for runs in ["9223372036854775807", "1000000000", "100001"] {
        let e = bad(&["run", "--runs", runs, "--out", s(&out)]);
        assert!(e.contains("at most 100000 runs"), "{e}");
    }
    assert!(!out.exists());
    let e = bad(&["compare", "--runs", "1000000000", "--out", s(&out)]);
    assert!(e.contains("at most 100000"), "{e}");
    assert!(!out.exists());
}

#[test]
fn threads_beyond_the_limit_exit_2() {
    let d = tmpdir("threads");
    let f = d.join("exp.toml");
    fs::write(&f, EXPERIMENT).unwrap();
    let out = s(&d.join("out")).to_string();
    for args in [
        vec!["run", "--runs", "2", "--threads", "100000", "--out", &out],
        vec![
            "experiment",
            "run",
            s(&f),
            "--threads",
            "100000",
            "--out",
            &out,
        ],
        vec![
            "compare",
            "--runs",
            "2",
            "--threads",
            "100000",
            "--out",
            &out,
        ],
    ] {
        let e = bad(&args);
        assert!(e.contains("at most 1024 worker threads"), "{e}");
    }
    assert!(!d.join("out").exists());
}

/// `--out` under an existing file, or in a folder where nothing can be created: exit 2 with the
/// location named, for every command that writes a results folder, before any simulation.
#[test]
fn unusable_output_locations_exit_2() {
    let d = tmpdir("unusable");
    let f = d.join("exp.toml");
    fs::write(&f, EXPERIMENT).unwrap();
    let data = d.join("data.csv");
    fs::write(&data, "x\n1\n2\n3\n").unwrap();
    let cb = d.join("cb.toml");
    fs::write(&cb, CODEBOOK).unwrap();
    let afile = d.join("afile");
    fs::write(&afile, "not a folder").unwrap();
    let ro = unwritable("unusable-ro");
    // A finished shard pair to merge.
    let (s1, s2) = (d.join("s1"), d.join("s2"));
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--shard",
        "1/2",
        "--out",
        s(&s1),
    ]);
    ok(&[
        "experiment",
        "run",
        s(&f),
        "--shard",
        "2/2",
        "--out",
        s(&s2),
    ]);
    for out in [afile.join("sub"), ro.join("sub"), afile.clone()] {
        let o = s(&out);
        let commands: Vec<Vec<&str>> = vec![
            vec!["run", "--runs", "2", "--out", o],
            vec![
                "compare",
                "--runs",
                "2",
                "--set",
                "calendar.periods=16",
                "--out",
                o,
            ],
            vec![
                "survey",
                "analyze",
                s(&data),
                "--codebook",
                s(&cb),
                "--out",
                o,
            ],
            vec!["experiment", "run", s(&f), "--out", o],
            vec!["experiment", "merge", s(&s1), s(&s2), "--out", o],
        ];
        for args in commands {
            let e = bad(&args);
            assert!(
                e.contains(s(&out)) || e.contains(s(&afile)),
                "{args:?}: {e}"
            );
        }
    }
    assert_eq!(fs::read_to_string(&afile).unwrap(), "not a folder");
    // Resuming a folder that became read-only (permission bits are ignored for root).
    if permissions_enforced() {
        use std::os::unix::fs::PermissionsExt;
        let r = d.join("resume");
        ok(&["experiment", "run", s(&f), "--out", s(&r)]);
        fs::remove_file(r.join("results.csv")).unwrap();
        fs::write(r.join("results.csv.partial"), "").unwrap();
        fs::set_permissions(
            r.join("results.csv.partial"),
            fs::Permissions::from_mode(0o444),
        )
        .unwrap();
        fs::set_permissions(&r, fs::Permissions::from_mode(0o555)).unwrap();
        let e = bad(&["experiment", "run", s(&f), "--out", s(&r), "--resume"]);
        fs::set_permissions(&r, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(e.contains("results.csv.partial"), "{e}");
    }
}

#[test]
fn foreign_files_in_a_results_folder_are_kept_and_the_write_refused() {
    let d = tmpdir("foreign");
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let e = bad(&["run", "--runs", "2", "--out", s(&out)]);
    assert!(e.contains("notes.txt"), "{e}");
    assert_eq!(names(&out), ["notes.txt"]);
    assert_eq!(names(&d), ["out"]);
}

fn set_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    names(dir)
        .into_iter()
        .map(|n| {
            let bytes = fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// A `run --seed 2` killed at various moments over a finished seed-1 folder leaves exactly the
/// seed-1 set or exactly the seed-2 set, never a mix; the next run removes what the killed one
/// left and replaces the whole folder.
#[test]
fn a_killed_run_leaves_one_complete_set_and_no_stale_temporaries() {
    let d = tmpdir("killed");
    let (ref1, ref2) = (d.join("ref1"), d.join("ref2"));
    let runs = "400";
    ok(&["run", "--runs", runs, "--seed", "1", "--out", s(&ref1)]);
    ok(&["run", "--runs", runs, "--seed", "2", "--out", s(&ref2)]);
    let (set1, set2) = (set_of(&ref1), set_of(&ref2));
    let work = d.join("work");
    fs::create_dir_all(&work).unwrap();
    let out = work.join("out");
    ok(&["run", "--runs", runs, "--seed", "1", "--out", s(&out)]);
    for delay_ms in [50, 200, 400, 700, 1000] {
        let mut child = common::bin()
            .args(["run", "--runs", runs, "--seed", "2", "--out", s(&out)])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        // Killed in the instant between renaming the old set aside and the new one in, `out` is
        // missing and the old set is complete in `.out.PID.old` (the next run puts it back).
        let shown = if out.exists() {
            out.clone()
        } else {
            names(&work)
                .into_iter()
                .find(|n| n.starts_with(".out.") && n.ends_with(".old"))
                .map(|n| work.join(n))
                .expect("neither out nor the old set aside")
        };
        let now = set_of(&shown);
        assert!(
            now == set1 || now == set2,
            "killed after {delay_ms} ms: the folder is a mix: {:?}",
            now.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
        // Whatever the kill left is at most the killed run's own temporary folders.
        for n in names(&work) {
            assert!(
                n == "out"
                    || (n.starts_with(".out.") && (n.ends_with(".new") || n.ends_with(".old"))),
                "{n}"
            );
        }
    }
    ok(&["run", "--runs", runs, "--seed", "2", "--out", s(&out)]);
    assert_eq!(names(&work), ["out"], "stale temporaries were not removed");
    assert!(set_of(&out) == set2);
}

#[test]
fn survey_analyze_replaces_its_folder_as_a_whole() {
    let d = tmpdir("sets");
    let out = d.join("report");
    let (sample, sample_cb) = (
        common::example("survey", "wjx_sample.csv"),
        common::example("survey", "wjx_sample_codebook.toml"),
    );
    ok(&[
        "survey",
        "analyze",
        s(&sample),
        "--codebook",
        s(&sample_cb),
        "--out",
        s(&out),
    ]);
    assert!(out.join("charts").exists());
    // A stale file of a killed writer inside the folder, and a stale temporary folder beside it.
    fs::write(out.join(".report.html.999999999.tmp"), "stale").unwrap();
    fs::create_dir_all(d.join(".report.999999999.new")).unwrap();
    let data = d.join("data.csv");
    fs::write(&data, "x\n1\n2\n3\n").unwrap();
    let cb = d.join("cb.toml");
    fs::write(&cb, CODEBOOK).unwrap();
    ok(&[
        "survey",
        "analyze",
        s(&data),
        "--codebook",
        s(&cb),
        "--out",
        s(&out),
    ]);
    assert!(!out.join(".report.html.999999999.tmp").exists());
    assert!(!d.join(".report.999999999.new").exists());
    // The small analysis draws no chart: the earlier analysis's charts must not remain.
    assert_eq!(
        names(&out),
        [
            "report.docx",
            "report.html",
            "report.md",
            "results.json",
            "tables",
            "tables.tex",
            "tables.xlsx"
        ]
    );
    assert_eq!(names(&out.join("tables")), ["01_items_descriptives.csv"]);
    let e = bad(&[
        "survey",
        "analyze",
        s(&data),
        "--codebook",
        s(&cb),
        "--out",
        s(&data),
    ]);
    assert!(e.contains("not a folder"), "{e}");
}

/// Merge writes its folder as one set (nothing left beside it, stale temporaries of a killed
/// merge removed) and describes mismatched shards in words, not Rust debug text.
#[test]
fn merge_writes_one_set_and_describes_mismatched_shards_plainly() {
    let d = tmpdir("merge");
    let f = d.join("exp.toml");
    fs::write(&f, EXPERIMENT).unwrap();
    let shards = d.join("shards");
    let (a, b, c) = (shards.join("a"), shards.join("b"), shards.join("c"));
    ok(&["experiment", "run", s(&f), "--shard", "1/2", "--out", s(&a)]);
    ok(&["experiment", "run", s(&f), "--shard", "2/2", "--out", s(&b)]);
    ok(&["experiment", "run", s(&f), "--shard", "2/3", "--out", s(&c)]);
    let e = bad(&[
        "experiment",
        "merge",
        s(&a),
        s(&c),
        "--out",
        s(&d.join("m")),
    ]);
    assert!(
        !e.contains("Some(") && e.contains("shard 2 of 3") && e.contains("a shard of 2"),
        "{e}"
    );
    let work = d.join("work");
    fs::create_dir_all(work.join(".m.999999999.new")).unwrap();
    fs::write(work.join(".m.999999999.new/results.csv"), "half").unwrap();
    let m = work.join("m");
    ok(&["experiment", "merge", s(&a), s(&b), "--out", s(&m)]);
    assert_eq!(names(&work), ["m"]);
    assert_eq!(
        names(&m),
        [
            "design.csv",
            "experiment.toml",
            "manifest.json",
            "results.csv",
            "scenario.toml"
        ]
    );
    let whole = d.join("whole");
    ok(&["experiment", "run", s(&f), "--out", s(&whole)]);
    assert_eq!(
        fs::read(m.join("results.csv")).unwrap(),
        fs::read(whole.join("results.csv")).unwrap()
    );
}

/// Issue 10 item 13: a negative number given to an option is read as its value and refused (or
/// used) with a plain message, not taken for an unknown flag with clap's "use -- -1" tip.
#[test]
fn negative_numbers_to_options_get_a_clear_message() {
    let d = tmpdir("negative");
    let f = d.join("exp.toml");
    fs::write(&f, EXPERIMENT).unwrap();
    let data = d.join("g.csv");
    fs::write(&data, "x,g\n1,a\n2,a\n3,b\n5,b\n").unwrap();
    let out = s(&d.join("out")).to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run", "--seed", "-1", "--out", &out], "-1 is negative"),
        (vec!["run", "--runs", "-5", "--out", &out], "-5 is negative"),
        (
            vec!["run", "--threads", "-2", "--out", &out],
            "-2 is negative",
        ),
        (
            vec!["compare", "--seed", "-3", "--out", &out],
            "-3 is negative",
        ),
        (
            vec!["experiment", "run", s(&f), "--shard", "-1/3", "--out", &out],
            "--shard -1/3: expected I/N",
        ),
        (
            vec!["experiment", "run", s(&f), "--shard", "-1", "--out", &out],
            "--shard -1: expected I/N",
        ),
        (
            vec![
                "survey",
                "ttest",
                s(&data),
                "--value",
                "x",
                "--group",
                "g",
                "--conf",
                "-0.5",
            ],
            "--conf must be between 0 and 1",
        ),
    ];
    for (args, want) in cases {
        let e = bad(&args);
        assert!(
            e.contains(want) && !e.contains("unexpected argument") && !e.contains("tip:"),
            "{args:?}: {e}"
        );
    }
    assert!(!d.join("out").exists());
}

/// Issue 10 item 10: `--resume` removes the `.NAME.PID.tmp` files a killed run of the folder left.
#[test]
fn resume_removes_temporaries_of_the_killed_run() {
    let d = tmpdir("resumetmp");
    let f = d.join("exp.toml");
    fs::write(&f, EXPERIMENT).unwrap();
    let out = d.join("out");
    ok(&["experiment", "run", s(&f), "--out", s(&out)]);
    let before = names(&out);
    fs::write(out.join(".design.csv.999999999.tmp"), "stale").unwrap();
    fs::write(out.join(".manifest.json.999999999.tmp"), "stale").unwrap();
    ok(&["experiment", "run", s(&f), "--out", s(&out), "--resume"]);
    assert_eq!(names(&out), before);
}
