//! Survey CSV/TSV reader: `read::parse_csv_bytes` (encoding detection, CSV parsing, table
//! checks), then codebook inference on the table that was read.
//!
//! The first byte picks the delimiter (comma or tab) and whether an explicit encoding label is
//! given; the rest is the file's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xietong_survey::{codebook, read};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let delim = if mode & 1 == 0 { b',' } else { b'\t' };
    let label = match (mode >> 1) & 3 {
        0 | 1 => None,
        2 => Some("gbk"),
        _ => Some("utf-8"),
    };
    if let Ok(table) = read::parse_csv_bytes("fuzz.csv", bytes, label, delim) {
        let cb = codebook::infer(&table);
        for it in &cb.items {
            let _ = codebook::item_scores(&table, &cb, it);
        }
    }
});
