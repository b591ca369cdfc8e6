//! `xietong game …` (issue 3).
use clap::Subcommand;

#[derive(Subcommand)]
pub enum GameCmd {}

pub fn run(cmd: GameCmd) -> anyhow::Result<()> {
    match cmd {}
}
