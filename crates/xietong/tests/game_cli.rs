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
