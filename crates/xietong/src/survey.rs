//! `xietong survey …` (issue 4).
use clap::Subcommand;

#[derive(Subcommand)]
pub enum SurveyCmd {}

pub fn run(cmd: SurveyCmd) -> anyhow::Result<()> {
    match cmd {}
}
