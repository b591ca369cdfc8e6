//! The synthetic paper surveys reproduce every published figure when written to CSV and read back
//! through the normal reader, and yield the simulator calibration targets.

use xietong_survey::codebook::Codebook;
use xietong_survey::data::to_csv_bytes;
use xietong_survey::paper;
use xietong_survey::read::parse_csv_bytes;

#[test]
fn synthetic_surveys_reproduce_published_figures() {
    let (h1, r1) = paper::generate_q1(2024);
    let (h2, r2) = paper::generate_q2(2024);
    let t1 = parse_csv_bytes("q1.csv", &to_csv_bytes(&h1, &r1, true), None, b',').unwrap();
    let t2 = parse_csv_bytes("q2.csv", &to_csv_bytes(&h2, &r2, true), None, b',').unwrap();
    let cb1 = Codebook::from_toml("q1", paper::CODEBOOK_Q1).unwrap();
    let cb2 = Codebook::from_toml("q2", paper::CODEBOOK_Q2).unwrap();
    let checks = paper::check_figures(&t1, &cb1, &t2, &cb2).unwrap();
    assert!(checks.len() >= 20);
    for c in &checks {
        assert!(
            c.ok,
            "{}: published {}, reproduced {}",
            c.figure, c.published, c.reproduced
        );
    }
    let cal = paper::calibration_targets(&t1, &cb1, &t2, &cb2).unwrap();
    assert_eq!(
        cal.zone_demand_order,
        ["A2", "B3", "A3", "A1", "B2", "B1", "B4"]
    );
    assert!((cal.domain_cooperation_shares["public_services"] - 0.69).abs() < 0.0005);
    assert!((cal.domain_cooperation_shares["infrastructure"] - 0.657).abs() < 0.0005);
    assert!((cal.domain_cooperation_shares["consumption_destination"] - 0.367).abs() < 0.0005);
    assert!(cal.synthetic);
    // Another seed gives other respondents but the same published margins.
    let (_, r1b) = paper::generate_q1(7);
    assert_ne!(r1b, r1);
}

#[test]
fn codebook_errors_are_located() {
    let e = Codebook::from_toml(
        "cb.toml",
        "[[item]]\nid = \"a\"\ntype = \"likert\"\ncolumn = \"x\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("needs `points`"), "{e}");
    let e = Codebook::from_toml("cb.toml", "[[item]]\nid = \"a\"\ntype = \"likrt\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("cb.toml") && e.contains("line 3"), "{e}");
    let e = Codebook::from_toml("cb.toml", "[[scale]]\nid = \"s\"\nitems = [\"a\", \"b\"]\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown item 'a'"), "{e}");
}

#[test]
fn likert_out_of_range_names_row_and_column() {
    let csv = "序号,提交答卷时间,1、满意度\n1,t,4\n2,t,7\n";
    let t = parse_csv_bytes("s.csv", csv.as_bytes(), None, b',').unwrap();
    let cb = Codebook::from_toml(
        "cb",
        "[[item]]\nid = \"sat\"\ntype = \"likert\"\ncolumn = \"1、满意度\"\npoints = 5\n",
    )
    .unwrap();
    let e = xietong_survey::codebook::item_scores(&t, &cb, &cb.items[0])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("s.csv")
            && e.contains("row 3")
            && e.contains("1、满意度")
            && e.contains("out of range"),
        "{e}"
    );
    let e = xietong_survey::analyze::analyze(
        &t,
        &Codebook::from_toml(
            "cb",
            "[[item]]\nid = \"x\"\ntype = \"numeric\"\ncolumn = \"nope\"\n",
        )
        .unwrap(),
        xietong_report::Lang::En,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        e.contains("codebook item 'x'") && e.contains("'nope'"),
        "{e}"
    );
}

#[test]
fn infer_understands_wenjuanxing_headers() {
    let csv = "序号,提交答卷时间,所用时间,1、您所在的省份,2、满意度,3(公共服务),3(基础设施),4、方向\n1,t,10秒,四川,4,1,0,甲┋乙\n2,t,12秒,重庆,5,0,1,乙\n3,t,9秒,四川,2,1,1,(跳过)\n4,t,9秒,重庆,3,0,1,甲\n";
    let t = parse_csv_bytes("w.csv", csv.as_bytes(), None, b',').unwrap();
    let cb = xietong_survey::codebook::infer(&t);
    let kinds: Vec<(String, String)> = cb
        .items
        .iter()
        .map(|i| (i.id.clone(), format!("{:?}", i.kind)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("q1".into(), "Single".into()),
            ("q2".into(), "Likert".into()),
            ("q3".into(), "Multi".into()),
            ("q4".into(), "Multi".into())
        ]
    );
    assert_eq!(cb.items[2].labels, vec!["公共服务", "基础设施"]);
    assert_eq!(cb.items[3].labels, vec!["甲", "乙"]);
    assert_eq!(cb.groups[0].levels, vec!["四川", "重庆"]);
    // The draft round-trips through TOML.
    Codebook::from_toml("draft", &cb.to_toml()).unwrap();
}

/// On the paper's 40-item questionnaire every item differs by zone, so a post-hoc table of every
/// item would run to hundreds of rows: the report keeps the scale score's pairs and says so, and
/// results.json keeps every item's pairs.
#[test]
fn the_40_item_report_keeps_scale_posthoc_pairs_and_says_items_are_in_json() {
    let (h1, r1) = paper::generate_q1(2024);
    let t1 = parse_csv_bytes("q1.csv", &to_csv_bytes(&h1, &r1, true), None, b',').unwrap();
    let cb1 = Codebook::from_toml("q1", paper::CODEBOOK_Q1).unwrap();
    let a = xietong_survey::analyze::analyze(&t1, &cb1, xietong_report::Lang::En).unwrap();
    let (_, post) = a
        .tables
        .iter()
        .find(|(stem, _)| stem.contains("posthoc"))
        .expect("a post-hoc table");
    let scales: Vec<String> = cb1.scales.iter().map(|s| s.label_en.clone()).collect();
    assert!(!post.rows.is_empty());
    assert!(post.rows.len() < 40, "{} rows", post.rows.len());
    let note = post.note.clone().unwrap_or_default();
    assert!(
        note.contains("items with such pairs are left out"),
        "{note}"
    );
    let items_in_json = a.json.to_string().matches("\"tukey\"").count();
    assert!(
        items_in_json >= 40,
        "every variable's pairs stay in results.json"
    );
    assert!(
        post.rows
            .iter()
            .all(|r| !r[0].starts_with("Use of standard class")),
        "no item rows: {:?} (scales {scales:?})",
        post.rows.iter().map(|r| &r[0]).collect::<Vec<_>>()
    );
}

/// `item_scores` reads a table handed over in memory (numbers and coded answers in typed
/// columns, no text cells) exactly as the same cells read from a file: labels mapped to points,
/// reverse keying, missing codes, and the same located error for a bad value.
#[test]
fn item_scores_of_typed_columns_match_the_file() {
    use xietong_survey::codebook::item_scores;
    use xietong_survey::data::{CodedColumn, ColumnData, NumberColumn, NumberForm, Table};
    let cb = Codebook::from_toml(
        "cb",
        "[survey]\nmissing = [\"9\"]\n\
         [[item]]\nid = \"sat\"\ntype = \"likert\"\ncolumn = \"sat\"\npoints = 3\nreverse = true\n\
         labels = [\"差\", \"中\", \"好\"]\n\
         [[item]]\nid = \"age\"\ntype = \"numeric\"\ncolumn = \"age\"\n",
    )
    .unwrap();
    let labels = ["好", "差", "中", "2", "(跳过)", "9"];
    let codes = [0, 1, -1, 2, 3, 4, 5, 0];
    let ages = [30.0, 41.5, f64::NAN, 9.0, 52.0, 60.0, 18.0, 9.5];
    let mut csv = String::from("sat,age\n");
    for (k, a) in codes.iter().zip(&ages) {
        let s = if *k < 0 { "" } else { labels[*k as usize] };
        let a = if a.is_nan() {
            String::new()
        } else {
            format!("{a:?}")
        };
        csv.push_str(&format!("{s},{a}\n"));
    }
    let file = parse_csv_bytes("s.csv", csv.as_bytes(), None, b',').unwrap();
    let typed = |codes: Vec<i32>| {
        Table::from_columns(
            "s.csv",
            vec![
                (
                    "sat".into(),
                    ColumnData::Coded(CodedColumn {
                        codes,
                        labels: labels.iter().map(|s| s.to_string()).collect(),
                    }),
                ),
                (
                    "age".into(),
                    ColumnData::Numbers(NumberColumn {
                        values: ages.to_vec(),
                        form: NumberForm::Float,
                    }),
                ),
            ],
            "dataframe",
        )
        .unwrap()
    };
    let t = typed(codes.to_vec());
    assert!(t.columns.iter().all(|c| c.is_empty()), "no text cells");
    for it in &cb.items {
        let got = item_scores(&t, &cb, it).unwrap();
        assert_eq!(got, item_scores(&file, &cb, it).unwrap(), "{}", it.id);
    }
    assert_eq!(
        item_scores(&t, &cb, &cb.items[0]).unwrap(),
        [
            Some(1.0),
            Some(3.0),
            None,
            Some(2.0),
            Some(2.0),
            None,
            None,
            Some(1.0)
        ]
    );
    // "9.0" is not the missing code "9" in a float column, as in the file.
    assert_eq!(item_scores(&t, &cb, &cb.items[1]).unwrap()[3], Some(9.0));
    // An unknown label: the file's error, row and column named.
    let mut bad_labels = labels.map(String::from).to_vec();
    bad_labels[2] = "很好".into();
    let bad = Table::from_columns(
        "s.csv",
        vec![(
            "sat".into(),
            ColumnData::Coded(CodedColumn {
                codes: vec![0, 2],
                labels: bad_labels,
            }),
        )],
        "dataframe",
    )
    .unwrap();
    let e = item_scores(&bad, &cb, &cb.items[0])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("row 3, column 'sat'") && e.contains("很好"),
        "{e}"
    );
}
