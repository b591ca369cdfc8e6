//! Survey codebook loader: `Codebook::from_toml`, its consistency check, and a save/load round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xietong_survey::codebook::Codebook;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cb) = Codebook::from_toml("fuzz.toml", text) {
        let _ = cb.check("fuzz.toml");
        let saved = cb.to_toml();
        let _ = Codebook::from_toml("saved.toml", &saved);
    }
});
