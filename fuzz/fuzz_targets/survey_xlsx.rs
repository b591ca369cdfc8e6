//! Survey Excel reader: `read::read_excel` (calamine) on xlsx and xls workbooks.
//!
//! The reader takes a path, so each input is written to a per-process temporary file: with the
//! `.xlsx` extension if it starts like a zip archive (`PK`), else `.xls`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use xietong_survey::read::{ReadOptions, read_excel};

fuzz_target!(|data: &[u8]| {
    let ext = if data.starts_with(b"PK") {
        "xlsx"
    } else {
        "xls"
    };
    let path: PathBuf =
        std::env::temp_dir().join(format!("xietong-fuzz-{}.{ext}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = read_excel(&path, &ReadOptions::default());
    let _ = std::fs::remove_file(&path);
});
