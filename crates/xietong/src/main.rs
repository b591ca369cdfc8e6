//! `xietong`: the command-line front end. Each subcommand lives in its own module; this file only
//! parses arguments and maps failures to exit codes (0 ok, 2 bad input, 1 internal failure).

mod error;
mod experiment;
mod game;
mod io;
mod limits;
mod run;
mod studio;
mod survey;

use clap::{Parser, Subcommand};
use error::exit_code;

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

fn main() {
    let cli = Cli::parse();
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
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        std::process::exit(exit_code(&err));
    }
}
