//! `xietong`: the command-line front end. Each subcommand lives in its own module; this file only
//! parses arguments and maps failures to exit codes (0 ok, 2 bad input, 1 internal failure).

mod error;
mod io;
mod game;
mod survey;

use clap::{Parser, Subcommand};
use error::exit_code;

#[derive(Parser)]
#[command(name = "xietong", version, about = "协同 xietong: regional inter-governmental collaboration toolkit")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evolutionary-game analysis: rest points, stability tables, trajectories, sweeps.
    #[command(subcommand)]
    Game(game::GameCmd),
    /// Survey analytics: questionnaire exports to tables and charts.
    #[command(subcommand)]
    Survey(survey::SurveyCmd),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Game(cmd) => game::run(cmd),
        Command::Survey(cmd) => survey::run(cmd),
    };
    if let Err(err) = result {
        eprintln!("error: {err:#}");
        std::process::exit(exit_code(&err));
    }
}
