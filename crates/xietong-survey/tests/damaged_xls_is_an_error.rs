//! Damaged .xls workbooks found by fuzzing (docs/fuzzing.md, target `survey_xlsx`): calamine 0.38
//! panics on them inside its compound-file reader; `read_excel` must return an error instead.

use std::path::Path;
use xietong_survey::read::{ReadOptions, read_excel, read_table};

fn assert_unreadable(file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(file);
    for result in [
        read_excel(&path, &ReadOptions::default()),
        read_table(&path, &ReadOptions::default()),
    ] {
        let msg = result
            .expect_err("a damaged workbook must not load")
            .to_string();
        assert!(msg.contains(file), "the error names the file: {msg}");
        assert!(
            msg.contains("damaged or not a valid Excel workbook"),
            "the error says why: {msg}"
        );
    }
}

#[test]
fn xls_with_a_short_cfb_sector_is_an_error_not_a_panic() {
    assert_unreadable("xls_cfb_sector_slice.xls");
}

#[test]
fn xls_failing_calamines_length_assertion_is_an_error_not_a_panic() {
    assert_unreadable("xls_utils_length_assertion.xls");
}

#[test]
fn xls_with_an_out_of_range_sector_index_is_an_error_not_a_panic() {
    assert_unreadable("xls_cfb_index_out_of_bounds.xls");
}
