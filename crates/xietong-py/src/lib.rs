//! `xietong._xietong`: the Rust half of the Python package. Thin transport only: every function
//! here calls the same library functions as the `xietong` command line and hands back bytes,
//! strings or JSON text; the Python half (python/xietong) turns them into pandas DataFrames and
//! dicts. The GIL is released while the engine works, so Dask threads and Jupyter stay live.

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::{Path, PathBuf};

mod py_cli;
mod py_frames;
mod py_game;
mod py_survey;

// The command line's own modules: the library half of crates/xietong, so the wheel's `xietong`
// command and the functions below that build a command's arguments run exactly the binary's code.
use xietong::{error, experiment, io};

create_exception!(
    _xietong,
    InputError,
    PyValueError,
    "Bad input: a file, a value or an argument the user can fix (the CLI's exit code 2)."
);
create_exception!(
    _xietong,
    ScenarioError,
    InputError,
    "A scenario that does not load or validate; the message names file, line:column or --set."
);

/// An input error (the CLI's exit code 2).
pub(crate) fn input_err(msg: impl std::fmt::Display) -> PyErr {
    InputError::new_err(msg.to_string())
}

/// Map the experiment crate's errors the way the CLI maps them to exit codes.
pub(crate) fn exp_err(e: xietong_experiment::ExpError) -> PyErr {
    if e.is_input() {
        InputError::new_err(e.to_string())
    } else {
        PyOSError::new_err(e.to_string())
    }
}

/// Map xietong-present's errors as the CLI does: input problems are [`InputError`].
pub(crate) fn present_err(e: xietong_present::Error) -> PyErr {
    if e.is_input() {
        InputError::new_err(e.to_string())
    } else {
        PyOSError::new_err(e.to_string())
    }
}

/// Run one of the command line's own commands in-process (its code, its files, its messages);
/// a failure becomes InputError (exit code 2) or OSError (exit code 1) with the CLI's message.
pub(crate) fn via_cli(
    py: Python<'_>,
    f: impl FnOnce() -> anyhow::Result<()> + Send,
) -> PyResult<()> {
    py.detach(f).map_err(|err| {
        let msg = format!("{err:#}");
        if error::exit_code(&err) == 2 {
            InputError::new_err(msg)
        } else {
            PyOSError::new_err(msg)
        }
    })
}

/// A worker pool of the requested size (default: rayon's, all cores).
fn pool(threads: Option<usize>) -> PyResult<rayon::ThreadPool> {
    if threads == Some(0) {
        return Err(input_err("threads: expected at least 1"));
    }
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t);
    }
    b.build()
        .map_err(|e| PyOSError::new_err(format!("starting the worker threads: {e}")))
}

/// Read a scenario file as the CLI does (UTF-8 required, named in every message).
fn read_text(path: &Path, what: &str) -> PyResult<String> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| input_err(format!("cannot read {what} {name}: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        input_err(format!(
            "{name}: not UTF-8 text (byte {}); save the file as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Parse and validate scenario text with `PATH=VALUE` overrides (the CLI's `--set`); errors are
/// the loader's located messages.
fn load(text: &str, name: &str, sets: &[String]) -> PyResult<xietong_model::Scenario> {
    xietong_model::parse_with_overrides(text, name, sets)
        .map_err(|e| ScenarioError::new_err(e.to_string()))
}

/// Scenario text and name: the built-in one, or a file's.
#[pyfunction]
fn scenario_source(path: Option<PathBuf>) -> PyResult<(String, String)> {
    match path {
        None => Ok((
            xietong_model::builtin::CHENGDU_CHONGQING.to_string(),
            xietong_model::builtin::BUILTIN_NAME.to_string(),
        )),
        Some(p) => Ok((read_text(&p, "scenario")?, p.display().to_string())),
    }
}

/// Validate `text` with `sets`; returns (scenario name, periods, zones) for display.
#[pyfunction]
fn scenario_check(text: &str, name: &str, sets: Vec<String>) -> PyResult<(String, usize, usize)> {
    let s = load(text, name, &sets)?;
    Ok((s.name.clone(), s.calendar.periods as usize, s.zones.len()))
}

/// The scenario as TOML with the overrides applied (the same edit the loader makes).
#[pyfunction]
fn scenario_toml(text: &str, name: &str, sets: Vec<String>) -> PyResult<String> {
    load(text, name, &sets)?;
    if sets.is_empty() {
        return Ok(text.to_string());
    }
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| ScenarioError::new_err(format!("{name}: {e}")))?;
    for set in &sets {
        xietong_model::load::apply_set(&mut table, set)
            .map_err(|m| ScenarioError::new_err(format!("--set {set}: {m}")))?;
    }
    Ok(toml::to_string(&table).expect("a TOML table always serializes"))
}

/// Most runs of one call, as the CLI's `--runs` (all runs are held in memory).
const MAX_RUNS: u64 = 100_000;

/// What the run report is drawn from: the scenario, its source name, the seed and what
/// `xietong_sim::Collector` gathered of the runs (as `xietong run` keeps it for report.html).
/// Held by `RunResult` so the report is rendered only when asked for.
#[pyclass(frozen, module = "xietong._xietong")]
struct RunReport {
    scenario: xietong_model::Scenario,
    source: String,
    seed: u64,
    collected: xietong_sim::Collected,
}

#[pymethods]
impl RunReport {
    /// `report.html` of these runs, byte-identical to the one `xietong run --lang LANG` writes:
    /// the same `xietong_present::run::report_html` on the same `Collected`.
    #[pyo3(signature = (lang="en"))]
    fn html(&self, py: Python<'_>, lang: &str) -> PyResult<String> {
        let lang = xietong_report::Lang::parse(lang)
            .ok_or_else(|| input_err(format!("lang: expected en or zh, found \"{lang}\"")))?;
        py.detach(|| {
            xietong_present::run::report_html(
                &self.scenario,
                &self.source,
                self.seed,
                &self.collected,
                lang,
            )
        })
        .map_err(|e| PyOSError::new_err(format!("drawing report.html: {e}")))
    }
}

/// Simulate `runs` runs and return the CLI's three result files as bytes and the report's data:
/// (timeseries.csv, zones.csv, summary.json, RunReport). The files are byte-identical to
/// `xietong run` for the same scenario, overrides and seed; the aggregate comes from the same
/// `Collector` the CLI feeds, one run at a time in run order.
#[pyfunction]
#[pyo3(signature = (text, name, sets, runs, seed, threads=None))]
#[allow(clippy::type_complexity)]
fn simulate_runs(
    py: Python<'_>,
    text: &str,
    name: &str,
    sets: Vec<String>,
    runs: u64,
    seed: u64,
    threads: Option<usize>,
) -> PyResult<(Py<PyBytes>, Py<PyBytes>, String, RunReport)> {
    if runs == 0 {
        return Err(input_err("runs: expected at least 1 run"));
    }
    if runs > MAX_RUNS {
        return Err(input_err(format!(
            "runs {runs}: at most {MAX_RUNS} runs per call (all runs are held in memory); use xietong.experiment for more"
        )));
    }
    let s = load(text, name, &sets)?;
    let pool = pool(threads)?;
    let out = py.detach(|| {
        let results = pool.install(|| xietong_sim::run_many(&s, seed, runs, &|| {}));
        if let Some((r, (t, what))) = results
            .iter()
            .enumerate()
            .find_map(|(r, res)| res.first_non_finite().map(|x| (r, x)))
        {
            return Err(input_err(format!(
                "{name}: the simulation overflowed ({what} is not a finite number in run {r}, quarter {}); \
                 the scenario's magnitudes make development grow without bound: lower \
                 dynamics.growth_rate, the domains' values and local benefits, or calendar.periods.",
                s.period_label(t)
            )));
        }
        let mut collector = xietong_sim::Collector::in_memory(&s);
        for r in &results {
            collector
                .push(r)
                .map_err(|e| PyOSError::new_err(format!("collecting the runs: {e}")))?;
        }
        let collected = collector
            .finish()
            .map_err(|e| PyOSError::new_err(format!("collecting the runs: {e}")))?;
        Ok((
            xietong_sim::output::timeseries_csv(&s, &results),
            xietong_sim::output::zones_csv(&s, &results),
            xietong_sim::output::summary_json(&s, seed, &results, &collected.aggregate),
            collected,
        ))
    });
    let (ts, zones, summary, collected) = out?;
    Ok((
        PyBytes::new(py, ts.as_bytes()).unbind(),
        PyBytes::new(py, zones.as_bytes()).unbind(),
        summary,
        RunReport {
            scenario: s,
            source: name.to_string(),
            seed,
            collected,
        },
    ))
}

/// `experiment run`: every point of `file` (or shard `(i, n)`), written to `out` by the
/// experiment store. Returns the number of points run now.
#[pyfunction]
#[pyo3(signature = (file, out, shard=None, resume=false, threads=None))]
fn experiment_run(
    py: Python<'_>,
    file: PathBuf,
    out: PathBuf,
    shard: Option<(usize, usize)>,
    resume: bool,
    threads: Option<usize>,
) -> PyResult<usize> {
    use xietong_experiment::runner::{run_points, window_for};
    use xietong_experiment::store::{self, Start};
    if let Some((i, n)) = shard {
        if n == 0 || i == 0 || i > n {
            return Err(input_err(format!(
                "shard ({i}, {n}): expected (I, N) with 1 <= I <= N"
            )));
        }
    }
    let pool = pool(threads)?;
    py.detach(|| {
        let plan = store::load_experiment(&file)?;
        let range = plan.shard_range(shard)?;
        pool.install(|| plan.check_points(range.clone()))?;
        let (mut writer, todo) = match store::start(&out, &plan, shard, range, resume)? {
            Start::Complete => return Ok(0),
            Start::Run { writer, todo, .. } => (writer, todo),
        };
        let threads = pool.current_num_threads();
        pool.install(|| {
            run_points(
                &plan,
                todo.clone(),
                window_for(threads),
                &|| {},
                &mut |_, rows, series| writer.append(rows, series),
            )
        })?;
        writer.finish()?;
        Ok(todo.len())
    })
    .map_err(exp_err)
}

/// `experiment merge`: join finished shard folders; returns the number of shards.
#[pyfunction]
fn experiment_merge(py: Python<'_>, dirs: Vec<PathBuf>, out: PathBuf) -> PyResult<usize> {
    py.detach(|| xietong_experiment::store::merge(&dirs, &out))
        .map_err(exp_err)
}

/// `experiment analyze`, run by the command line's own code: points.csv (per point n, mean, sd,
/// p05, p95 of each metric) and, for Morris/Saltelli designs, analysis.json, sensitivity.csv and
/// sensitivity-report.html (else sweep-report.html), written into `out` (default `dir`).
#[pyfunction]
#[pyo3(signature = (dir, out=None, resamples=1000, lang="en".to_string()))]
fn experiment_analyze(
    py: Python<'_>,
    dir: PathBuf,
    out: Option<PathBuf>,
    resamples: usize,
    lang: String,
) -> PyResult<()> {
    let args = experiment::AnalyzeArgs {
        dir,
        out,
        resamples,
        lang,
        figures: io::FigureArgs::default(),
    };
    via_cli(py, move || {
        experiment::run(experiment::ExperimentCmd::Analyze(args))
    })
}

/// `xietong compare`, run by the command line's own code: writes compare.csv, compare.json and
/// report.html into `out`.
#[pyfunction]
#[pyo3(signature = (out, scenario=None, variants=Vec::new(), runs=50, seed=1, sets=Vec::new(), threads=None, lang="en".to_string()))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    out: PathBuf,
    scenario: Option<PathBuf>,
    variants: Vec<String>,
    runs: usize,
    seed: u64,
    sets: Vec<String>,
    threads: Option<usize>,
    lang: String,
) -> PyResult<()> {
    let args = experiment::CompareArgs {
        scenario,
        variants,
        runs,
        seed,
        sets,
        out,
        threads,
        lang,
        figures: io::FigureArgs::default(),
    };
    via_cli(py, move || experiment::compare(args))
}

/// `xietong calibrate`, run by the command line's own code: writes calibration.json,
/// calibrated.toml and report.html into `out`.
#[pyfunction]
#[pyo3(signature = (file, out, targets=None, threads=None))]
fn calibrate(
    py: Python<'_>,
    file: PathBuf,
    out: PathBuf,
    targets: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<()> {
    let args = experiment::CalibrateArgs {
        file,
        out,
        targets,
        threads,
    };
    via_cli(py, move || experiment::calibrate(args))
}

/// Number of design points of an experiment file (for splitting it into shards).
#[pyfunction]
fn experiment_points(file: PathBuf) -> PyResult<usize> {
    let plan = xietong_experiment::store::load_experiment(&file).map_err(exp_err)?;
    Ok(plan.n_points())
}

/// Benchmark helper (python/bench/bench_overhead.py): the best of `repeats` wall times, in
/// seconds, of the engine alone (`run_many` on an already loaded scenario, one thread), to
/// subtract from the time of a whole `xietong.run` call.
#[pyfunction]
fn _bench_engine_seconds(
    py: Python<'_>,
    text: &str,
    name: &str,
    runs: u64,
    seed: u64,
    repeats: usize,
) -> PyResult<f64> {
    let s = load(text, name, &[])?;
    let pool = pool(Some(1))?;
    Ok(py.detach(|| {
        (0..repeats.max(1))
            .map(|_| {
                let t = std::time::Instant::now();
                let r = pool.install(|| xietong_sim::run_many(&s, seed, runs, &|| {}));
                std::hint::black_box(r);
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }))
}

/// The extension's version (the workspace's).
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _xietong(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add_function(wrap_pyfunction!(scenario_source, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_check, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_toml, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_runs, m)?)?;
    m.add_class::<RunReport>()?;
    m.add_function(wrap_pyfunction!(experiment_run, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_merge, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_points, m)?)?;
    m.add_function(wrap_pyfunction!(experiment_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    py_game::register(m)?;
    py_frames::register(m)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(_bench_engine_seconds, m)?)?;
    py_survey::register(m)?;
    py_cli::register(m)?;
    Ok(())
}
