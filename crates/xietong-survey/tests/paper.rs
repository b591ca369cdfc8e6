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
