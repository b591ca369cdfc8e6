//! What every front end shows. The CLI, the studio and the Python package call these functions
//! for the text, JSON and LaTeX tables, charts and reports of each command, so that no
//! presentation logic exists twice. Nothing here touches the file system or the terminal: each
//! function returns strings or bytes and the front end decides where they go.
//!
//! Options are plain structs and strings (no command-line parser types), and every failure is an
//! [`Error`] whose message is the one the CLI prints, naming the option or file at fault.

pub mod experiment;
pub mod figures;
pub mod game;
pub mod run;
pub mod survey;

pub use xietong_report::Lang;

/// Why a presentation function failed. [`Error::Input`] is something the user can fix (exit
/// status 2 in the CLI); the others keep their source so a front end can tell I/O from bugs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input (a value, option or file's content); the message names it and what was expected.
    #[error("{0}")]
    Input(String),
    /// Drawing a chart or report failed; `what` names the figure file or report.
    #[error("drawing {what}: {source}")]
    Draw {
        what: String,
        #[source]
        source: xietong_report::ReportError,
    },
    /// An error of the experiment crate, kept whole so its kind (input or I/O) survives.
    #[error(transparent)]
    Experiment(#[from] xietong_experiment::ExpError),
    /// Serializing a result to JSON failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// Whether the user caused it and can fix it (the CLI's exit status 2).
    pub fn is_input(&self) -> bool {
        match self {
            Error::Input(_) => true,
            Error::Experiment(e) => e.is_input(),
            _ => false,
        }
    }
}

/// Shorthand for an [`Error::Input`].
pub(crate) fn input(msg: impl std::fmt::Display) -> Error {
    Error::Input(msg.to_string())
}

/// One named output of a command (`"tables/summary.csv"`, `"phase.svg"`, …) rendered in memory; the
/// front end decides where it goes (a results folder, an HTTP response, a Python `bytes`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    /// Path relative to the command's output folder, `/`-separated.
    pub name: String,
    pub bytes: Vec<u8>,
}
