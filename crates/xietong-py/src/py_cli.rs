//! The `xietong` command of the wheel: a console script calls [`cli_main`] with its arguments,
//! which parses them with the command line's own argument types and runs the command line's own
//! subcommand functions (the modules of crates/xietong, compiled into this extension), so the
//! Python-installed `xietong` behaves as the binary: same output, same files, same exit codes.
//!
//! Only the top-level subcommand list below mirrors crates/xietong/src/main.rs (which is a binary
//! root and cannot be called from here); keep the two in step.

use crate::error::exit_code;
use crate::{experiment, game, run, studio, survey};
use clap::{Parser, Subcommand};
use pyo3::prelude::*;

#[derive(Parser)]
#[command(
    name = "xietong",
    version,
    about = "协同 xietong: regional inter-governmental collaboration toolkit"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a scenario (the built-in Chengdu-Chongqing one by default) and write results.
    Run(run::RunArgs),
    /// Show the built-in scenario or check a scenario file.
    #[command(subcommand)]
    Scenario(run::ScenarioCmd),
    /// Evolutionary-game analysis: rest points, stability tables, trajectories, sweeps.
    #[command(subcommand)]
    Game(game::GameCmd),
    /// Survey analytics: questionnaire exports to tables and charts.
    #[command(subcommand)]
    Survey(survey::SurveyCmd),
    /// Experiments: designs over scenario paths, run in parallel, resumable, shardable; analysis.
    #[command(subcommand)]
    Experiment(experiment::ExperimentCmd),
    /// Compare policy variants with paired runs (common random numbers) and 95% intervals.
    Compare(experiment::CompareArgs),
    /// Fit scenario parameters to targets (survey-window figures by default).
    Calibrate(experiment::CalibrateArgs),
    /// Open the studio, a local web workbench for all of the above, in the browser.
    Studio(studio::StudioArgs),
}

/// Run the command line with `argv` (argv[0] is the program name); returns the exit code
/// (0 ok, 2 bad input, 1 internal failure), printing messages as the binary does.
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
    let cli = match Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version land here too, with exit code 0.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = py.detach(|| match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scenario(cmd) => run::scenario(cmd),
        Command::Game(cmd) => game::run(cmd),
        Command::Survey(cmd) => survey::run(cmd),
        Command::Experiment(cmd) => experiment::run(cmd),
        Command::Compare(args) => experiment::compare(args),
        Command::Calibrate(args) => experiment::calibrate(args),
        Command::Studio(args) => studio::run(args),
    });
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli_main, m)?)
}
