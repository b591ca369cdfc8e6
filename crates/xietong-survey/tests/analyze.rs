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
