//! `xietong game`: exit codes, located errors, JSON shape and result files, end to end.

mod common;
use common::{assert_ok, bin, example, tmpdir};

#[test]
fn analyze_json_has_the_documented_shape() {
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .arg("--json")
        .output()
        .unwrap();
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rps = v["rest_points"].as_array().unwrap();
    assert_eq!(rps.len(), 5);
    let stable: Vec<&serde_json::Value> =
        rps.iter().filter(|r| r["stability"] == "stable").collect();
    assert_eq!(stable.len(), 2);
    assert_eq!(
        stable[0]["state"],
        serde_json::json!([[1.0, 0.0], [1.0, 0.0]])
    );
    assert_eq!(stable[0]["kind"], "pure");
    assert_eq!(
        stable[0]["eigenvalue_expressions"],
        serde_json::json!(["H - S", "H - S"])
    );
    assert_eq!(
        stable[0]["eigenvalues"][0],
        serde_json::json!({"re": -1.0, "im": 0.0})
    );
    let interior = rps.iter().find(|r| r["kind"] == "interior").unwrap();
    assert_eq!(interior["stability"], "saddle");
    assert!((interior["state"][0][0].as_f64().unwrap() - 0.75).abs() < 1e-12);
    assert_eq!(interior["eigenvalue_expressions"], serde_json::json!([]));
}

#[test]
fn set_changes_the_stable_set() {
    // With S below H the joint project never pays: only (local, local) is stable.
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .args(["--json", "--set", "S=2.5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stable: Vec<&serde_json::Value> = v["rest_points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stability"] == "stable")
        .collect();
    assert_eq!(stable.len(), 1);
    assert_eq!(
        stable[0]["state"],
        serde_json::json!([[0.0, 1.0], [0.0, 1.0]])
    );
}

#[test]
fn bad_input_exits_2_with_file_line_column() {
    let dir = tmpdir("bad");
    let f = dir.join("bad.toml");
    let text = std::fs::read_to_string(example("games", "stag_hunt.toml"))
        .unwrap()
        .replace("values = [\"G\", \"H\"]", "values = [\"G\", \"H + X\"]");
    std::fs::write(&f, &text).unwrap();
    let out = bin().args(["game", "analyze"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().position(|l| l.contains("H + X")).unwrap() + 1;
    assert!(
        err.contains(&format!("bad.toml:{line}:21: undefined parameter `X`")),
        "{err}"
    );

    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .args(["--set", "Q=1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["game", "analyze"])
        .arg(dir.join("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["game", "simulate"])
        .arg(example("games", "stag_hunt.toml"))
        .args(["--from", "0.5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn simulate_writes_csv_and_figures_and_warns_on_vertices() {
    let dir = tmpdir("sim");
    let out = bin()
        .args(["game", "simulate"])
        .arg(example("games", "stag_hunt.toml"))
        .args([
            "--from", "1,0", "--from", "0.9,0.9", "--t-end", "10", "--points", "11", "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("start 1 lies on a vertex"));
    let csv = std::fs::read_to_string(dir.join("trajectories.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "start,t,Region A:joint,Region A:local,Region B:joint,Region B:local"
    );
    assert_eq!(lines.len(), 1 + 2 * 11);
    assert_eq!(lines[1], "1,0,1,0,0,1");
    for f in ["phase.svg", "time_1.svg", "time_2.svg"] {
        assert!(
            std::fs::read_to_string(dir.join(f))
                .unwrap()
                .contains("<svg"),
            "{f}"
        );
    }
}

#[test]
fn sweep_reports_the_change_of_the_stable_set() {
    let dir = tmpdir("sweep");
    let out = bin()
        .args(["game", "sweep"])
        .arg(example("games", "chengdu_chongqing.toml"))
        .args(["--param", "a", "--range", "0:1:3", "--json", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 3);
    // Without alignment only mutual non-cooperation is stable; with full alignment mutual
    // cooperation becomes stable as well.
    assert_eq!(pts[0]["stable"].as_array().unwrap().len(), 1);
    assert_eq!(pts[2]["stable"].as_array().unwrap().len(), 2);
    assert!(dir.join("sweep_stable.csv").exists());
    assert!(dir.join("sweep_end_state.svg").exists());
}

/// A four-population game in replicator form: 3^4 = 81 default starts.
const FOUR_POP: &str = r#"title = "Four populations"
[[population]]
name = "A"
strategies = ["1", "2"]
advantage = "y - 0.5"
[[population]]
name = "B"
strategies = ["1", "2"]
advantage = "0.5 - z"
[[population]]
name = "C"
strategies = ["1", "2"]
advantage = "w - 0.25"
[[population]]
name = "D"
strategies = ["1", "2"]
advantage = "x*y - 0.3"
"#;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn simulate_with_81_starts_draws_every_chart() {
    let dir = tmpdir("sim81");
    let f = dir.join("four.toml");
    std::fs::write(&f, FOUR_POP).unwrap();
    let out_dir = dir.join("out");
    let out = bin()
        .args(["game", "simulate"])
        .arg(&f)
        .args(["--t-end", "5", "--points", "21", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 1 + 6 + 4, "{names:?}");
    let csv = std::fs::read_to_string(out_dir.join("trajectories.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 81 * 21);
    let t1 = std::fs::read_to_string(out_dir.join("time_1.svg")).unwrap();
    assert!(t1.contains("81 starts"), "one legend entry for all starts");
}

#[test]
fn failed_simulate_writes_no_file() {
    let dir = tmpdir("simfail");
    // --out names an existing file: refused before anything is written.
    let blocker = dir.join("afile");
    std::fs::write(&blocker, "x").unwrap();
    let out = bin()
        .args(["game", "simulate"])
        .arg(example("games", "stag_hunt.toml"))
        .arg("--out")
        .arg(&blocker)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("exists and is not a folder"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
    // Bad options are refused before the output folder is created.
    let target = dir.join("never");
    for (opt, val, needle) in [
        ("--atol", "inf", "--atol inf"),
        ("--atol", "0", "--atol 0"),
        ("--rtol", "1e-300", "--rtol 1e-300"),
        ("--rtol", "nan", "--rtol NaN"),
        ("--t-end", "1e300", "--t-end 1e300"),
        ("--t-end", "-5", "--t-end -5"),
    ] {
        let out = bin()
            .args(["game", "simulate"])
            .arg(example("games", "stag_hunt.toml"))
            .args([opt, val, "--out"])
            .arg(&target)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{opt} {val}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(needle),
            "{opt} {val}: {}",
            stderr(&out)
        );
        assert!(!target.exists(), "{opt} {val}");
    }
}

#[test]
fn analyze_latex_into_a_folder_exits_2() {
    let dir = tmpdir("latexdir");
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .arg("--latex")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a folder"), "{}", stderr(&out));
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .arg("--latex")
        .arg(dir.join("sub/t.tex"))
        .output()
        .unwrap();
    std::fs::write(dir.join("afile"), "x").unwrap();
    let out2 = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .arg("--latex")
        .arg(dir.join("afile/t.tex"))
        .output()
        .unwrap();
    // A missing folder is created; a path under a file is an unusable location.
    assert_ok(&out);
    assert_eq!(out2.status.code(), Some(2), "{}", stderr(&out2));
    assert!(stderr(&out2).contains("--latex"), "{}", stderr(&out2));
}

#[test]
fn sweep_range_accepts_negative_numbers() {
    let dir = tmpdir("sweepneg");
    let out = bin()
        .args(["game", "sweep"])
        .arg(example("games", "stag_hunt.toml"))
        .args([
            "--param", "G", "--range", "-1:1:3", "--t-end", "5", "--json", "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vals: Vec<f64> = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    assert_eq!(vals, vec![-1.0, 0.0, 1.0]);
    // A negative --set value and a negative --t-end reach our own validation, not clap's.
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "stag_hunt.toml"))
        .args(["--set", "G=-2", "--json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let out = bin()
        .args(["game", "sweep"])
        .arg(example("games", "stag_hunt.toml"))
        .args([
            "--param", "G", "--range", "-1:1:3", "--t-end", "-1", "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--t-end -1: expected a positive number"));
}

#[test]
fn expression_and_game_size_limits_exit_2_naming_the_limit() {
    let dir = tmpdir("limits");
    let deep = FOUR_POP.replace(
        "\"y - 0.5\"",
        &format!("\"{}y{} - 0.5\"", "(".repeat(150), ")".repeat(150)),
    );
    let f = dir.join("deep.toml");
    std::fs::write(&f, deep).unwrap();
    let out = bin().args(["game", "analyze"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the limit is 100"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("deep.toml:5:"), "{}", stderr(&out));

    let s: Vec<String> = (0..300).map(|k| format!("\"s{k}\"")).collect();
    let big = format!(
        "[[population]]\nname = \"A\"\nstrategies = [{0}]\n[[population]]\nname = \"B\"\nstrategies = [{0}]\n",
        s.join(", ")
    );
    let f = dir.join("big.toml");
    std::fs::write(&f, big).unwrap();
    let out = bin().args(["game", "analyze"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("game too large"), "{}", stderr(&out));
}

#[test]
fn degenerate_game_reports_continua_not_false_warnings() {
    // A's advantage is the constant 1; B and C are indifferent everywhere.
    let dir = tmpdir("degenerate");
    let f = dir.join("deg.toml");
    std::fs::write(
        &f,
        "[[population]]\nname = \"A\"\nstrategies = [\"1\", \"2\"]\nadvantage = \"1\"\n\
         [[population]]\nname = \"B\"\nstrategies = [\"1\", \"2\"]\nadvantage = \"0\"\n\
         [[population]]\nname = \"C\"\nstrategies = [\"1\", \"2\"]\nadvantage = \"0\"\n",
    )
    .unwrap();
    let out = bin()
        .args(["game", "analyze"])
        .arg(&f)
        .arg("--json")
        .output()
        .unwrap();
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["payoff_form"], "advantage");
    let supports: Vec<&str> = v["continua"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["supports"].as_str().unwrap())
        .collect();
    assert!(
        !supports.iter().any(|s| s.starts_with("{1,2}")),
        "{supports:?}"
    );
    assert!(supports.contains(&"{1} x {1,2} x {1,2}"), "{supports:?}");
}

#[test]
fn latex_table_uses_definitions_by_name() {
    let dir = tmpdir("latexdefs");
    let tex = dir.join("t.tex");
    let out = bin()
        .args(["game", "analyze"])
        .arg(example("games", "chengdu_chongqing_central.toml"))
        .arg("--latex")
        .arg(&tex)
        .output()
        .unwrap();
    assert_ok(&out);
    let t = std::fs::read_to_string(&tex).unwrap();
    // Conditions in the named terms, the formulas listed once below the table.
    assert!(t.contains("K_{S} + A_{S}"), "{t}");
    assert!(
        !t.lines()
            .any(|l| l.contains("\\lambda_{1}") && l.contains("\\beta_{S}")),
        "{t}"
    );
    let where_line = t
        .lines()
        .find(|l| l.contains("where"))
        .expect("definitions listed");
    assert!(where_line.contains("K_{S} = "), "{where_line}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Definitions (used by name in the symbolic table)"),
        "{text}"
    );
}
