//! Prints a Morris design as CSV (shortest round-trip float text) so `tests/fixtures/gen_salib.py`
//! can hand the very same points to SALib's `morris.analyze`.
//!
//! Usage: `cargo run -p xietong-sensitivity --example morris_fixture -- CASE`
//! with CASE `gfun`, `ishigami`, `candidates12` or `candidates60` (the cases of
//! `tests/validation_salib.rs`).

use xietong_sensitivity::{Factor, design};

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    let (factors, r, p, seed) = match case.as_str() {
        "gfun" => (
            (0..6)
                .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
                .collect::<Vec<_>>(),
            50,
            4,
            2024,
        ),
        "ishigami" => (
            (0..3)
                .map(|i| {
                    Factor::new(
                        format!("x{}", i + 1),
                        -std::f64::consts::PI,
                        std::f64::consts::PI,
                    )
                })
                .collect(),
            40,
            6,
            7,
        ),
        // Candidate sets for the optimised-trajectory comparison: unit bounds, so the printed
        // values are the unit-space points SALib's optimisation works on.
        "candidates12" => (
            (0..3)
                .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
                .collect(),
            12,
            4,
            31,
        ),
        "candidates60" => (
            (0..4)
                .map(|i| Factor::new(format!("x{}", i + 1), 0.0, 1.0))
                .collect(),
            60,
            4,
            32,
        ),
        other => {
            eprintln!(
                "unknown case `{other}`; expected gfun, ishigami, candidates12 or candidates60"
            );
            std::process::exit(2);
        }
    };
    let d = design::morris(&factors, r, p, seed).expect("valid fixture design");
    for row in d.rows() {
        let line: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        println!("{}", line.join(","));
    }
}
