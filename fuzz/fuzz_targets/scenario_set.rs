//! Scenario loader with `--set` overrides: `xietong_model::load::parse_with_overrides`.
//!
//! Input layout: scenario TOML text, optionally followed by a NUL byte and then one
//! `PATH=VALUE` override per line (exactly what `xietong run --set PATH=VALUE` passes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, sets) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let sets: Vec<String> = String::from_utf8_lossy(sets)
        .lines()
        .map(str::to_string)
        .collect();
    // Errors are fine; a panic, hang or runaway allocation is a finding.
    let _ = xietong_model::load::parse_with_overrides(text, "fuzz.toml", &sets);
});
