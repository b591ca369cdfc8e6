//! Evolutionary games: `xietong game analyze --json` and `game simulate`'s trajectories.csv,
//! through xietong-present's game module exactly as the command line calls it.

use crate::present_err;
use pyo3::prelude::*;
use xietong_present::game::{self as present, LoadedGame};

fn load(source: &str, text: &str, sets: &[String], lang: &str) -> PyResult<LoadedGame> {
    let lang = present::parse_lang(lang).map_err(present_err)?;
    LoadedGame::new(source, text, sets, lang).map_err(present_err)
}

/// (analysis JSON as `game analyze --json` prints it, the text tables of `game analyze`, the
/// LaTeX table of `--latex`, warnings).
#[pyfunction]
#[pyo3(signature = (source, text, sets=Vec::new(), lang="en"))]
fn game_analyze(
    py: Python<'_>,
    source: &str,
    text: &str,
    sets: Vec<String>,
    lang: &str,
) -> PyResult<(String, String, String, Vec<String>)> {
    let ld = load(source, text, &sets, lang)?;
    let an = py.detach(|| ld.analyze());
    let json = serde_json::to_string_pretty(&present::analysis_json(&ld, &an))
        .expect("analysis serializes")
        + "\n";
    Ok((
        json,
        present::analysis_text(&ld, &an),
        present::latex_table(&ld, &an),
        an.warnings.clone(),
    ))
}

/// trajectories.csv of `game simulate` (and its warnings and summary text).
#[pyfunction]
#[pyo3(signature = (source, text, sets=Vec::new(), starts=Vec::new(), t_end=50.0, points=201, rtol=1e-8, atol=1e-10, lang="en"))]
#[allow(clippy::too_many_arguments)]
fn game_simulate(
    py: Python<'_>,
    source: &str,
    text: &str,
    sets: Vec<String>,
    starts: Vec<String>,
    t_end: f64,
    points: usize,
    rtol: f64,
    atol: f64,
    lang: &str,
) -> PyResult<(String, Vec<String>, String)> {
    let ld = load(source, text, &sets, lang)?;
    let opts = present::SimulateOptions {
        from: starts,
        t_end,
        points,
        rtol,
        atol,
    };
    let plan = present::plan_simulation(&ld, &opts).map_err(present_err)?;
    let warnings = plan.warnings();
    let sim = py.detach(|| plan.run(&ld)).map_err(present_err)?;
    Ok((
        present::trajectories_csv(&ld, &sim.trajectories),
        warnings,
        present::simulation_summary(&ld, &sim),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(game_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(game_simulate, m)?)?;
    Ok(())
}
