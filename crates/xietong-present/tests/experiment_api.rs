//! The experiment presentation API called directly (no CLI): option checks give the CLI's
//! messages, and a real comparison renders into consistent CSV, JSON, Markdown and HTML.

use xietong_experiment::compare as cmp;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_present::Lang;
use xietong_present::experiment as present;

#[test]
fn option_checks_name_the_option() {
    assert_eq!(present::parse_shard("2/8").unwrap(), (2, 8));
    for bad in ["3/2", "0/1", "x", "1/0"] {
        let e = present::parse_shard(bad).unwrap_err();
        assert!(e.is_input());
        assert_eq!(
            e.to_string(),
            format!("--shard {bad}: expected I/N such as 2/8 (1 <= I <= N)")
        );
    }
    assert_eq!(
        present::parse_lang("fr").unwrap_err().to_string(),
        "--lang: expected en or zh, found \"fr\""
    );
    let e = present::parse_calibration_spec("c.toml", "name = \"x\"\n[base]\nscenario = 3\n")
        .unwrap_err();
    assert!(e.is_input());
    assert!(e.to_string().starts_with("c.toml:3:12: "), "{e}");
    let twice = ["a:seed=1".to_string(), "a:seed=2".to_string()];
    assert_eq!(
        present::variant_pairs(&twice).unwrap_err().to_string(),
        "--variant: name a used twice"
    );
}

#[test]
fn a_comparison_renders_every_pair_in_every_output() {
    let pairs = present::variant_pairs(&[]).unwrap();
    assert_eq!(pairs.len(), cmp::builtin_pairs().len());
    let (a, b, label) = &pairs[0];
    let sa = cmp::variant_scenario(CHENGDU_CHONGQING, BUILTIN_NAME, &[], a).unwrap();
    let sb = cmp::variant_scenario(CHENGDU_CHONGQING, BUILTIN_NAME, &[], b).unwrap();
    let r = cmp::compare(label, (a, &sa), (b, &sb), 3, 1, &|| {}).unwrap();
    let results = vec![r];
    let o =
        present::compare_outputs(&results, BUILTIN_NAME, Lang::En, &Default::default()).unwrap();
    let table = cmp::table(&results);
    assert_eq!(o.csv, table.to_csv());
    assert_eq!(o.csv.lines().count(), 1 + table.rows.len());
    // The terminal table shows the comparison's display name; the files keep the label.
    let shown = cmp::comparison_label(&results[0], Lang::En);
    assert_ne!(&shown, label);
    assert!(o.markdown.contains(&shown), "{}", o.markdown);
    let zh =
        present::compare_outputs(&results, BUILTIN_NAME, Lang::Zh, &Default::default()).unwrap();
    assert!(
        zh.markdown.contains("发展型与回应型标准化"),
        "{}",
        zh.markdown
    );
    let v: serde_json::Value = serde_json::from_str(&o.json).unwrap();
    assert_eq!(v[0]["label"], label.as_str());
    assert_eq!(v[0]["runs"], 3);
    assert!(o.html.starts_with("<!DOCTYPE html>") || o.html.starts_with("<!doctype html>"));
    assert!(o.html.contains("<svg"));
}
