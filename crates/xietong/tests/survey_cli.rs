//! `xietong survey`: JSON keys as documented in issue 4, readers (UTF-8 BOM, GBK, xlsx, xls give the
//! same numbers), exit codes and located errors, report files, end to end.

mod common;
use common::{assert_ok, bin, example, tmpdir};

use serde_json::Value;

fn json(args: &[&str], file: &str) -> Value {
    let out = bin()
        .arg("survey")
        .args(args)
        .arg(example("survey", file))
        .arg("--json")
        .output()
        .unwrap();
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn has(v: &Value, path: &[&str]) {
    let mut cur = v;
    for p in path {
        cur = cur
            .get(p)
            .unwrap_or_else(|| panic!("missing key {path:?} in {v}"));
    }
}

#[test]
fn ttest_json_keys_and_same_result_from_every_format() {
    let args = [
        "ttest",
        "--value",
        "5、政策执行工作情况",
        "--group",
        "1、您所在的省份",
        "--levels",
        "四川,重庆",
    ];
    let v = json(&args, "wjx_sample.csv");
    for k in [
        &["student", "t"][..],
        &["student", "df"],
        &["student", "p"],
        &["welch", "t"],
        &["welch", "df"],
        &["welch", "p"],
        &["levene", "F"],
        &["levene", "p"],
        &["mean_diff"],
        &["ci"],
        &["cohen_d"],
        &["hedges_g"],
    ] {
        has(&v, k);
    }
    assert_eq!(v["ci"].as_array().unwrap().len(), 2);
    for other in ["wjx_sample_gbk.csv", "wjx_sample.xlsx", "wjx_sample.xls"] {
        let w = json(&args, other);
        assert_eq!(w["student"], v["student"], "{other}");
        assert_eq!(w["welch"], v["welch"], "{other}");
        assert_eq!(w["levene"], v["levene"], "{other}");
    }
    // Skip codes are missing: -3 in planning, (跳过) in research.
    let r = json(
        &[
            "ttest",
            "--value",
            "4、政策规划工作情况",
            "--group",
            "1、您所在的省份",
        ],
        "wjx_sample.csv",
    );
    let n: u64 = r["n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert!(n < 80 && n > 70, "{n}");
}

#[test]
fn anova_chi2_alpha_multi_json_keys() {
    let v = json(
        &[
            "anova",
            "--value",
            "5、政策执行工作情况",
            "--group",
            "2、您所在的区域",
        ],
        "wjx_sample.csv",
    );
    for k in ["F", "df1", "df2", "p", "eta_squared"] {
        has(&v, &["anova", k]);
    }
    for k in ["F", "df1", "df2", "p"] {
        has(&v, &["welch", k]);
        has(&v, &["brown_forsythe", k]);
    }
    has(&v, &["kruskal", "H"]);
    has(&v, &["kruskal", "p"]);
    has(&v, &["levene", "F"]);
    for list in ["tukey", "games_howell"] {
        let pairs = v[list].as_array().unwrap();
        assert_eq!(pairs.len(), 21);
        for k in ["a", "b", "diff", "se", "t", "df", "p"] {
            has(&pairs[0], &[k]);
        }
    }
    let c = json(
        &[
            "chi2",
            "--row",
            "1、您所在的省份",
            "--col",
            "7、您认为应采取的协同方式",
        ],
        "wjx_sample.csv",
    );
    for k in [
        &["pearson", "chi2"][..],
        &["pearson", "df"],
        &["pearson", "p"],
        &["cramers_v"],
        &["expected"],
    ] {
        has(&c, k);
    }
    assert!(c["yates"].is_null(), "Yates only for 2x2");
    let levels: Vec<&str> = c["col_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"其他"),
        "free text 〖…〗 stripped: {levels:?}"
    );
    let a = json(
        &[
            "alpha",
            "--items",
            "3、政策研究工作情况,4、政策规划工作情况,5、政策执行工作情况",
        ],
        "wjx_sample.csv",
    );
    for k in ["alpha", "standardized_alpha", "omega"] {
        has(&a, &[k]);
    }
    for k in ["item", "item_total_r", "alpha_if_deleted"] {
        has(&a["items"][0], &[k]);
    }
    let m = json(
        &[
            "multi",
            "--items",
            "6(公共服务共建共享),6(现代基础设施网络),6(国际消费目的地)",
        ],
        "wjx_sample.csv",
    );
    assert_eq!(m["cases"].as_f64().unwrap(), 80.0);
    for k in ["item", "count", "pct_responses", "pct_cases"] {
        has(&m["options"][0], &[k]);
    }
    assert_eq!(m["options"][0]["item"], "公共服务共建共享");
}

#[test]
fn bad_input_exits_2_with_located_message() {
    let d = tmpdir("bad");
    let ragged = d.join("ragged.csv");
    std::fs::write(&ragged, "a,b\n1,2\n3\n").unwrap();
    let out = bin()
        .args(["survey", "ttest"])
        .arg(&ragged)
        .args(["--value", "a", "--group", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ragged.csv") && err.contains("row 3"), "{err}");
    let out = bin()
        .args(["survey", "ttest"])
        .arg(example("survey", "wjx_sample.csv"))
        .args(["--value", "1、您所在的省份", "--group", "2、您所在的区域"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 2")
            && err.contains("1、您所在的省份")
            && err.contains("expected a number"),
        "{err}"
    );
    let out = bin()
        .args(["survey", "anova"])
        .arg(example("survey", "wjx_sample.csv"))
        .args(["--value", "nope", "--group", "2、您所在的区域"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column named 'nope'"));
    let empty = d.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let out = bin()
        .args(["survey", "alpha"])
        .arg(&empty)
        .args(["--items", "a,b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
}

#[test]
fn analyze_writes_complete_report_and_refuses_bad_codebook() {
    let d = tmpdir("analyze");
    let out = bin()
        .args(["survey", "analyze"])
        .arg(example("survey", "wjx_sample.csv"))
        .arg("--codebook")
        .arg(example("survey", "wjx_sample_codebook.toml"))
        .arg("--out")
        .arg(&d)
        .args(["--lang", "en"])
        .output()
        .unwrap();
    assert_ok(&out);
    for f in [
        "report.html",
        "report.md",
        "results.json",
        "charts/likert_diverging.svg",
        "charts/means_province.svg",
        "charts/multi_future.svg",
    ] {
        assert!(d.join(f).exists(), "{f}");
    }
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("Joint work rating") && html.contains("SYNTHETIC")
    );
    let csvs = std::fs::read_dir(d.join("tables")).unwrap().count();
    assert!(csvs >= 6, "{csvs} tables");
    // A codebook referring to a missing column: exit 2, nothing written.
    let bad = d.join("bad.toml");
    std::fs::write(
        &bad,
        "[[item]]\nid = \"x\"\ntype = \"numeric\"\ncolumn = \"9、不存在\"\n",
    )
    .unwrap();
    let out2 = d.join("out2");
    let out = bin()
        .args(["survey", "analyze"])
        .arg(example("survey", "wjx_sample.csv"))
        .arg("--codebook")
        .arg(&bad)
        .arg("--out")
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("codebook item 'x'"));
    assert!(!out2.exists());
}

#[test]
fn codebook_infer_drafts_a_usable_codebook() {
    let d = tmpdir("infer");
    let cb = d.join("cb.toml");
    let out = bin()
        .args(["survey", "codebook", "infer"])
        .arg(example("survey", "wjx_sample_gbk.csv"))
        .arg("--out")
        .arg(&cb)
        .output()
        .unwrap();
    assert_ok(&out);
    let text = std::fs::read_to_string(&cb).unwrap();
    assert!(
        text.contains("type = \"multi\"")
            && text.contains("6(国际消费目的地)")
            && !text.contains("提交答卷时间"),
        "{text}"
    );
    let out = bin()
        .args(["survey", "analyze"])
        .arg(example("survey", "wjx_sample_gbk.csv"))
        .arg("--codebook")
        .arg(&cb)
        .arg("--out")
        .arg(d.join("r"))
        .output()
        .unwrap();
    assert_ok(&out);
}

#[test]
fn calibrate_turns_the_demo_surveys_into_simulator_targets() {
    let demo = example("survey", "paper-demo");
    let out = bin()
        .args(["survey", "calibrate", "--q1"])
        .arg(demo.join("synthetic_q1_standards_use.csv"))
        .arg("--q1-codebook")
        .arg(demo.join("paper_q1_codebook.toml"))
        .arg("--q2")
        .arg(demo.join("synthetic_q2_collaboration.csv"))
        .arg("--q2-codebook")
        .arg(demo.join("paper_q2_codebook.toml"))
        .output()
        .unwrap();
    assert_ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let shares = &v["domain_cooperation_shares"];
    for d in [
        "public_services",
        "infrastructure",
        "consumption_destination",
    ] {
        let s = shares[d].as_f64().unwrap();
        assert!(s > 0.0 && s < 1.0, "{d}: {s}");
    }
    let order: Vec<&str> = v["zone_demand_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z.as_str().unwrap())
        .collect();
    assert_eq!(order, ["A2", "B3", "A3", "A1", "B2", "B1", "B4"]);
    assert_eq!(v["synthetic"], true);
}

#[test]
fn alpha_missing_policy_pairwise_matches_pingouin_and_refuses_unknown() {
    let fx: Value = serde_json::from_str(include_str!(
        "../../xietong-survey/tests/fixtures/pairwise.json"
    ))
    .unwrap();
    let c = &fx["cases"][1];
    let rows = c["data"].as_array().unwrap();
    let k = rows[0].as_array().unwrap().len();
    let mut csv = (1..=k)
        .map(|i| format!("i{i}"))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in rows {
        let cells: Vec<String> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().map_or(String::new(), |x| x.to_string()))
            .collect();
        csv += &(cells.join(",") + "\n");
    }
    let d = tmpdir("pairwise");
    let file = d.join("items.csv");
    std::fs::write(&file, csv).unwrap();
    let items = (1..=k)
        .map(|i| format!("i{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let run = |policy: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["survey", "alpha"])
            .arg(&file)
            .args(["--items", &items, "--json"]);
        if let Some(p) = policy {
            cmd.args(["--missing-policy", p]);
        }
        cmd.output().unwrap()
    };
    let parse = |o: std::process::Output| -> Value {
        assert_ok(&o);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let rel = |a: f64, b: &Value| (a - b.as_f64().unwrap()).abs() / b.as_f64().unwrap().abs();
    let p = parse(run(Some("pairwise")));
    assert_eq!(p["missing_policy"], "pairwise");
    assert!(rel(p["alpha"].as_f64().unwrap(), &c["alpha"]) < 1e-9);
    assert_eq!(p["pairwise"]["n_min"], c["n_min"]);
    assert!(p["omega"].is_null());
    let l = parse(run(None));
    assert_eq!(l["missing_policy"], "listwise");
    assert!(l.get("pairwise").is_none());
    assert_eq!(l["n"], c["n_complete"]);
    assert!(rel(l["alpha"].as_f64().unwrap(), &c["alpha_listwise"]) < 1e-9);
    let out = run(Some("casewise"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("casewise") && err.contains("listwise or pairwise"),
        "{err}"
    );
    let text = bin()
        .args(["survey", "alpha"])
        .arg(&file)
        .args(["--items", &items, "--missing-policy", "pairwise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("pairwise deletion"), "{text}");
}

/// `xietong survey ARGS…` with the standard error as text.
fn survey(args: &[&str]) -> (Option<i32>, String, String) {
    let out = bin().arg("survey").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `survey analyze` of a data file and a codebook written into a fresh folder; returns the exit
/// code, standard error and the output folder it was asked to write.
fn analyze_with(
    tag: &str,
    data_name: &str,
    data: &str,
    codebook: &str,
) -> (Option<i32>, String, std::path::PathBuf) {
    let d = tmpdir(tag);
    let path = d.join(data_name);
    std::fs::write(&path, data).unwrap();
    let cb = d.join("cb.toml");
    std::fs::write(&cb, codebook).unwrap();
    let out = d.join("out");
    let (code, _, stderr) = survey(&[
        "analyze",
        path.to_str().unwrap(),
        "--codebook",
        cb.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (code, stderr, out)
}

/// Issue 10 item 1: values near 1e306 overflowed inside the statistics (statrs panicked in
/// ttest/anova, alpha printed NaN with exit 0). Now a located error, exit 2, no NaN anywhere.
#[test]
fn huge_values_are_refused_with_exit_2_never_nan_or_panic() {
    let d = tmpdir("huge");
    let f = d.join("huge.csv");
    std::fs::write(
        &f,
        "g,x,y,z\na,1e306,2e306,3e306\na,3e306,1e306,2e306\nb,-2e306,5e305,1e306\nb,4e305,-1e306,7e305\n",
    )
    .unwrap();
    let p = f.to_str().unwrap();
    for args in [
        vec!["ttest", p, "--value", "x", "--group", "g"],
        vec!["anova", p, "--value", "x", "--group", "g"],
        vec!["alpha", p, "--items", "x,y,z"],
        vec!["alpha", p, "--items", "x,y,z", "--json"],
    ] {
        let (code, stdout, stderr) = survey(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            !stdout.contains("NaN") && !stdout.contains("inf"),
            "{stdout}"
        );
        assert!(
            stderr.contains("huge.csv") && stderr.contains("row 2") && stderr.contains("magnitude"),
            "{args:?}: {stderr}"
        );
    }
    // Values so close to zero that their squares underflow are refused the same way, instead of
    // being called "identical".
    let tiny = d.join("tiny.csv");
    std::fs::write(&tiny, "g,x\na,1e-300\na,2e-300\nb,3e-300\nb,5e-300\n").unwrap();
    let (code, _, stderr) = survey(&[
        "ttest",
        tiny.to_str().unwrap(),
        "--value",
        "x",
        "--group",
        "g",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("tiny.csv") && stderr.contains("closer to zero"),
        "{stderr}"
    );
}

/// Issue 10 item 9: a multi item with 1 label for 3 columns is an error naming the item.
#[test]
fn codebook_multi_item_needs_one_label_per_column() {
    let (code, stderr, out) = analyze_with(
        "multilabels",
        "m.csv",
        "a,b,c\n1,0,1\n0,1,1\n",
        "[[item]]\nid = \"future\"\ntype = \"multi\"\ncolumns = [\"a\", \"b\", \"c\"]\nlabels = [\"only one\"]\n",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cb.toml")
            && stderr.contains("'future'")
            && stderr.contains("1 labels for 3 columns"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// Issue 10 item 9: `survey analyze` on a header-only file refuses, like ttest/anova do.
#[test]
fn analyze_refuses_a_header_only_file() {
    let (code, stderr, out) = analyze_with(
        "headeronly",
        "h.csv",
        "x,g\n",
        "[[item]]\nid = \"x\"\ntype = \"numeric\"\ncolumn = \"x\"\n",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("h.csv") && stderr.contains("no respondents"),
        "{stderr}"
    );
    assert!(!out.exists(), "a 0-respondent report was written");
    let data = out.with_file_name("h.csv");
    let (code, _, _) = survey(&[
        "ttest",
        data.to_str().unwrap(),
        "--value",
        "x",
        "--group",
        "g",
    ]);
    assert_eq!(code, Some(2));
}

/// Issue 10 item 14: `--levels a,a,b` names the duplicate instead of saying it "has no cases".
#[test]
fn duplicated_level_is_named_as_duplicated() {
    let d = tmpdir("duplevels");
    let f = d.join("g.csv");
    std::fs::write(&f, "x,g\n1,a\n2,a\n3,b\n5,b\n").unwrap();
    let (code, _, stderr) = survey(&[
        "anova",
        f.to_str().unwrap(),
        "--value",
        "x",
        "--group",
        "g",
        "--levels",
        "a,a,b",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("level 'a' is duplicated") && !stderr.contains("no cases"),
        "{stderr}"
    );
}

/// Issue 10 item 14: alpha errors name the items and the file.
#[test]
fn alpha_errors_name_the_items_and_the_file() {
    let d = tmpdir("alphaerr");
    let f = d.join("flat.csv");
    std::fs::write(&f, "q1,q2,q3\n3,1,2\n3,2,4\n3,5,1\n").unwrap();
    let (code, _, stderr) = survey(&["alpha", f.to_str().unwrap(), "--items", "q1,q2,q3"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("flat.csv") && stderr.contains("q1, q2, q3") && stderr.contains("'q1'"),
        "{stderr}"
    );
}

/// Issue 10 item 14: a codebook with a megabyte-long unknown key gets a short, located message.
#[test]
fn long_unknown_codebook_keys_are_truncated() {
    let key = "k".repeat(1_000_000);
    let (code, stderr, _) = analyze_with(
        "longkey",
        "x.csv",
        "x\n1\n2\n",
        &format!("[[item]]\nid = \"x\"\ntype = \"numeric\"\n{key} = \"x\"\n"),
    );
    assert_eq!(code, Some(2), "{}", &stderr[..stderr.len().min(500)]);
    assert!(
        stderr.len() < 2_000 && stderr.contains("cb.toml") && stderr.contains("line 4"),
        "{}",
        &stderr[..stderr.len().min(500)]
    );
}
