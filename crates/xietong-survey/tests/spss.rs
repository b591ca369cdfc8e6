//! SPSS reader (cargo feature `spss`): user-missing values, value labels, nominal variables read as
//! labels, and a codebook drafted from the file. Fixture: `fixtures/spss_sample.sav`, written by
//! `fixtures/gen_spss.py` with pyreadstat.
#![cfg(feature = "spss")]

use std::path::Path;
use xietong_survey::codebook::{ItemType, infer};
use xietong_survey::read::{ReadOptions, read_table};

#[test]
fn reads_values_missing_codes_and_labels() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spss_sample.sav");
    let t = read_table(&p, &ReadOptions::default()).unwrap();
    assert_eq!(t.n_rows(), 12);
    assert_eq!(
        t.header,
        ["province", "q3", "age", "note", "f1", "f2", "f3"]
    );
    // Nominal with value labels → label text.
    assert_eq!(&t.columns[0][..2], ["四川", "重庆"]);
    // User-missing 9 and range 90-99 → missing.
    let q3 = t.numeric(1, &[]).unwrap();
    assert_eq!(q3[0], Some(5.0));
    assert_eq!(q3[2], None);
    let age = t.numeric(2, &[]).unwrap();
    assert_eq!((age[2], age[7], age[0]), (None, None, Some(34.0)));
    assert_eq!(t.columns[3][1], "加强共享");
    // The ordinal item keeps its codes and hands its labels to the codebook draft.
    let cb = infer(&t);
    let q3 = cb
        .items
        .iter()
        .find(|i| i.column.as_deref() == Some("q3"))
        .unwrap();
    assert_eq!(q3.kind, ItemType::Likert);
    assert_eq!(q3.points, Some(5));
    assert_eq!(q3.labels, ["很差", "较差", "一般", "较好", "很好"]);
}
