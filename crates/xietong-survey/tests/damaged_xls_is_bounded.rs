//! Damaged `.xls` workbooks that would make calamine 0.38 allocate without bound (a sector chain
//! that loops, a dimensions record declaring more cells than the format holds) must be refused by
//! the structural check before calamine sees them, with an error naming the file; the intact
//! example workbook must still load. Each damage is applied to the shipped example export.

use std::path::{Path, PathBuf};
use xietong_survey::read::{ReadOptions, read_table};

fn example() -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/survey/wjx_sample.xls");
    std::fs::read(p).unwrap()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xietong-xls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn refused(name: &str, bytes: &[u8], why: &str) {
    let p = write(name, bytes);
    let msg = read_table(&p, &ReadOptions::default())
        .expect_err("a damaged workbook must not load")
        .to_string();
    assert!(msg.contains(name), "the error names the file: {msg}");
    assert!(
        msg.contains("damaged"),
        "the error says it is damaged: {msg}"
    );
    assert!(
        msg.contains(why),
        "the error says what is damaged ({why}): {msg}"
    );
}

#[test]
fn the_intact_example_xls_passes_the_check_and_loads() {
    let b = example();
    xietong_survey::compound::check(&b).unwrap();
    let t = read_table(&write("intact.xls", &b), &ReadOptions::default()).unwrap();
    assert!(t.n_rows() > 0);
}

#[test]
fn xls_whose_directory_chain_loops_is_refused_before_calamine() {
    let mut b = example();
    // The FAT's first sector is listed in the header; point the directory sector at itself.
    let fat0 = u32_at(&b, 76) as usize;
    let dir = u32_at(&b, 48) as usize;
    let at = (fat0 + 1) * 512 + 4 * dir;
    b[at..at + 4].copy_from_slice(&(dir as u32).to_le_bytes());
    refused("looping_directory.xls", &b, "loops back");
}

#[test]
fn xls_whose_workbook_chain_leaves_the_file_is_refused() {
    let mut b = example();
    let fat0 = u32_at(&b, 76) as usize;
    // Find the Workbook entry's first sector in the directory and send its chain far away.
    let dir = (u32_at(&b, 48) as usize + 1) * 512;
    let name: Vec<u8> = "Workbook"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let entry = (0..4)
        .map(|i| dir + 128 * i)
        .find(|&e| b[e..e + name.len()] == name[..])
        .expect("the example has a Workbook stream");
    let first = u32_at(&b, entry + 116) as usize;
    let at = (fat0 + 1) * 512 + 4 * first;
    b[at..at + 4].copy_from_slice(&5_000_000u32.to_le_bytes());
    refused("chain_beyond_end.xls", &b, "beyond the end of the file");
}

#[test]
fn xls_declaring_more_cells_than_the_format_holds_is_refused() {
    let mut b = example();
    // The dimensions record: type 0x0200, length 14, then first row, last row (u32 each).
    let at = b
        .windows(4)
        .position(|w| w == [0x00, 0x02, 14, 0])
        .expect("the example has a dimensions record");
    b[at + 8..at + 12].copy_from_slice(&50_000_000u32.to_le_bytes());
    refused(
        "huge_dimensions.xls",
        &b,
        "more than an .xls worksheet can hold",
    );
}

/// Inputs a second fuzzing run (after the chain check) found to exhaust memory or time: cells at
/// far-apart positions make calamine allocate a dense grid for the whole box they span.
#[test]
fn fuzz_found_xls_with_cells_far_apart_is_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    for f in [
        "xls_cells_far_apart_1.xls",
        "xls_cells_far_apart_2.xls",
        "xls_cells_far_apart_3.xls",
        "xls_cells_far_apart_slow.xls",
    ] {
        let msg = read_table(&dir.join(f), &ReadOptions::default())
            .expect_err("a damaged workbook must not load")
            .to_string();
        assert!(msg.contains(f) && msg.contains("cells span"), "{msg}");
    }
}
