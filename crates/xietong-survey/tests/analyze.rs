//! `analyze` end to end on small tables: weights reach descriptives and frequencies, reverse keying
//! and text labels are applied, group levels outside the codebook are refused with their row.

use xietong_report::Lang;
use xietong_survey::analyze::analyze;
use xietong_survey::codebook::Codebook;
use xietong_survey::read::parse_csv_bytes;
use xietong_survey::stats::describe;

const CB: &str = r#"
[survey]
title = "t"
weight = "w"

[[group]]
id = "g"
column = "grp"
levels = ["a", "b"]

[[item]]
id = "x"
type = "likert"
column = "x"
points = 5
labels = ["1", "2", "3", "4", "很好"]

[[item]]
id = "y"
type = "likert"
column = "y"
points = 5
reverse = true

[[item]]
id = "c"
type = "single"
column = "c"
labels = ["是", "否"]
"#;

#[test]
fn weights_reverse_keying_and_labels() {
    let csv = "grp,w,x,y,c\na,1,很好,1,是\na,2,4,2,否\nb,1,2,5,是\nb,3,3,4,否\na,1,1,3,是\n";
    let t = parse_csv_bytes("t.csv", csv.as_bytes(), None, b',').unwrap();
    let cb = Codebook::from_toml("cb.toml", CB).unwrap();
    let a = analyze(&t, &cb, Lang::En).unwrap();
    // x with the text label mapped to 5, weighted by w.
    let want =
        describe::describe_weighted(&[5.0, 4.0, 2.0, 3.0, 1.0], &[1.0, 2.0, 1.0, 3.0, 1.0], 0.95)
            .unwrap();
    let got = &a.json["items"]["x"];
    assert_eq!(got["n"].as_f64().unwrap(), 8.0);
    assert!((got["mean"].as_f64().unwrap() - want.mean).abs() < 1e-12);
    assert!((got["sd"].as_f64().unwrap() - want.sd.unwrap()).abs() < 1e-12);
    // y reverse-keyed: 6 - value.
    let want_y =
        describe::describe_weighted(&[5.0, 4.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 1.0, 3.0, 1.0], 0.95)
            .unwrap();
    assert!((a.json["items"]["y"]["mean"].as_f64().unwrap() - want_y.mean).abs() < 1e-12);
    // Weighted frequencies of the single-choice item: 是 1+1+1 = 3, 否 2+3 = 5.
    let f = &a.json["questions"]["c"]["frequencies"];
    assert_eq!(f[0]["count"].as_f64().unwrap(), 3.0);
    assert_eq!(f[1]["count"].as_f64().unwrap(), 5.0);
    assert!(!a.tables.is_empty() && !a.charts.is_empty());
}

#[test]
fn undeclared_group_level_is_refused_with_its_row() {
    let csv = "grp,w,x,y,c\na,1,5,1,是\nz,1,4,2,否\n";
    let t = parse_csv_bytes("t.csv", csv.as_bytes(), None, b',').unwrap();
    let cb = Codebook::from_toml("cb.toml", CB).unwrap();
    let e = analyze(&t, &cb, Lang::En).err().unwrap().to_string();
    assert!(
        e.contains("row 3") && e.contains("'z'") && e.contains("grp"),
        "{e}"
    );
}

/// Three groups with clearly different means: the report carries a Tukey table with exactly the
/// significant pairs the statistics module finds, and a 2×2 question × group table with small
/// counts reports Fisher's exact p next to χ².
#[test]
fn posthoc_table_and_fisher_exact_test_reach_the_report() {
    const CB3: &str = r#"
[survey]
title = "t"

[[group]]
id = "g"
column = "grp"
levels = ["a", "b", "c"]

[[group]]
id = "h"
column = "sex"
levels = ["m", "f"]

[[item]]
id = "x"
type = "likert"
column = "x"
points = 5

[[item]]
id = "c"
type = "single"
column = "c"
labels = ["是", "否"]
"#;
    let xs = [
        ("a", [1, 2, 1, 2, 1, 2]),
        ("b", [3, 3, 2, 3, 3, 4]),
        ("c", [5, 4, 5, 5, 4, 5]),
    ];
    let mut csv = String::from("grp,sex,x,c\n");
    for (g, vals) in xs {
        for (i, v) in vals.iter().enumerate() {
            let sex = if i % 2 == 0 { "m" } else { "f" };
            let c = if (g == "a") == (i < 5) { "是" } else { "否" };
            csv.push_str(&format!("{g},{sex},{v},{c}\n"));
        }
    }
    let t = parse_csv_bytes("t.csv", csv.as_bytes(), None, b',').unwrap();
    let cb = Codebook::from_toml("cb.toml", CB3).unwrap();
    let a = analyze(&t, &cb, Lang::En).unwrap();

    let groups: Vec<Vec<f64>> = xs
        .iter()
        .map(|(_, v)| v.iter().map(|&x| x as f64).collect())
        .collect();
    let refs: Vec<&[f64]> = groups.iter().map(|g| g.as_slice()).collect();
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let want: Vec<String> = xietong_survey::stats::anova::tukey(&refs, &names)
        .unwrap()
        .into_iter()
        .filter(|p| p.p < 0.05)
        .map(|p| format!("{} − {}", p.a, p.b))
        .collect();
    assert!(!want.is_empty());
    let (_, posthoc) = a
        .tables
        .iter()
        .find(|(stem, _)| stem.ends_with("posthoc_g"))
        .expect("a post-hoc table for the three-level group");
    let got: Vec<String> = posthoc.rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(got, want);

    let fisher = xietong_survey::stats::chi2::contingency(&[
        vec![
            csv.lines()
                .filter(|l| l.ends_with(",是") && l.contains(",m,"))
                .count() as f64,
            csv.lines()
                .filter(|l| l.ends_with(",是") && l.contains(",f,"))
                .count() as f64,
        ],
        vec![
            csv.lines()
                .filter(|l| l.ends_with(",否") && l.contains(",m,"))
                .count() as f64,
            csv.lines()
                .filter(|l| l.ends_with(",否") && l.contains(",f,"))
                .count() as f64,
        ],
    ])
    .unwrap()
    .fisher_p
    .unwrap();
    let text = format!("{:?}", a.sections);
    let p = xietong_survey::text::p_apa(fisher);
    assert!(
        text.contains(&format!("Fisher's exact test p = {p}"))
            || text.contains(&format!("Fisher's exact test p {p}")),
        "Fisher p {p} missing from the report: {text}"
    );
}
