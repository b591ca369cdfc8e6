//! `codebook infer` on Wenjuanxing-shaped exports: a free-text box is typed as text even when most
//! respondents left it empty and the rest wrote the same words; group levels come out in natural
//! order, not in the order respondents happened to submit.

use xietong_survey::codebook::{ItemType, infer};
use xietong_survey::read::parse_csv_bytes;

fn table(csv: &str) -> xietong_survey::data::Table {
    parse_csv_bytes("t.csv", csv.as_bytes(), None, b',').expect("test CSV parses")
}

#[test]
fn free_text_box_is_text_not_a_single_choice() {
    let mut csv = String::from("序号,1、您所在的区域,2、其他建议,3、您认为应采取的协同方式\n");
    let zones = ["B4", "A1", "A3", "B1", "A2", "A10"];
    for i in 0..60 {
        let advice = if i % 3 == 0 {
            "加强标准共享"
        } else {
            "(空)"
        };
        let mode = if i % 2 == 0 {
            "联合推进"
        } else {
            "各有侧重"
        };
        csv.push_str(&format!(
            "{},{},{advice},{mode}\n",
            i + 1,
            zones[i % zones.len()]
        ));
    }
    let cb = infer(&table(&csv));
    let kind = |id: &str| cb.items.iter().find(|i| i.id == id).map(|i| i.kind);
    assert_eq!(kind("q2"), Some(ItemType::Text), "free-text box");
    assert_eq!(
        kind("q3"),
        Some(ItemType::Single),
        "a real two-option choice stays single"
    );
    let zone = cb
        .groups
        .iter()
        .find(|g| g.id == "q1_group")
        .expect("zone offered as a group");
    assert_eq!(zone.levels, ["A1", "A2", "A3", "A10", "B1", "B4"]);
}

#[test]
fn one_repeated_answer_without_a_comment_header_is_still_not_a_choice() {
    let mut csv = String::from("1、单位类型\n");
    for _ in 0..30 {
        csv.push_str("机关\n");
    }
    let cb = infer(&table(&csv));
    assert_eq!(cb.items[0].kind, ItemType::Text);
}
