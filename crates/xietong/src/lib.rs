//! The `xietong` command line as a library: its subcommand modules and [`main_with`], which
//! parses arguments and runs one command. The `xietong` binary (main.rs) and the Python wheel's
//! `xietong` command (crates/xietong-py) both call [`main_with`], so the subcommand list, the
//! output and the exit codes exist once. The subcommand modules are public for the Python
//! package, which builds some commands' arguments itself (`experiment analyze`, `compare`,
//! `calibrate`) and maps failures to exceptions with [`error::exit_code`].

pub mod error;
pub mod experiment;
pub mod game;
pub mod io;
pub mod limits;
mod run;
pub mod studio;
pub mod survey;

use clap::{Parser, Subcommand};
use error::exit_code;
use std::ffi::OsString;

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

/// Run the command line with `args` (the first is the program name, as in `std::env::args_os`):
/// parse, run the command, print its messages, and return the exit code (0 ok, 2 bad input or
/// bad arguments, 1 internal failure). `--help` and `--version` print and return 0.
pub fn main_with<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // What `Cli::parse` does, without leaving the process: help and version on stdout,
            // usage errors on stderr.
            let _ = e.print();
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scenario(cmd) => run::scenario(cmd),
        Command::Game(cmd) => game::run(cmd),
        Command::Survey(cmd) => survey::run(cmd),
        Command::Experiment(cmd) => experiment::run(cmd),
        Command::Compare(args) => experiment::compare(args),
        Command::Calibrate(args) => experiment::calibrate(args),
        Command::Studio(args) => studio::run(args),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}
