//! Errors: `Input` is something the user can fix (exit 2 in the CLI), `Io` is a failure of the
//! machine (exit 1). Messages name the file, the line and column or the field, and what was expected.

use std::fmt::Write;

#[derive(Debug, thiserror::Error)]
pub enum ExpError {
    #[error("{0}")]
    Input(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// One located problem in an experiment file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub line_col: Option<(usize, usize)>,
    pub path: String,
    pub message: String,
}

impl ExpError {
    pub fn input(msg: impl Into<String>) -> ExpError {
        ExpError::Input(msg.into())
    }

    pub fn io(what: impl Into<String>, source: std::io::Error) -> ExpError {
        ExpError::Io {
            what: what.into(),
            source,
        }
    }

    /// All problems of one file in one message.
    pub fn file(file: &str, problems: Vec<Problem>) -> ExpError {
        let n = problems.len();
        let mut s = format!(
            "{n} problem{} in experiment file {file}",
            if n == 1 { "" } else { "s" }
        );
        for p in problems {
            s.push_str("\n  ");
            match p.line_col {
                Some((l, c)) => {
                    let _ = write!(s, "{file}:{l}:{c}: ");
                }
                None => {
                    let _ = write!(s, "{file}: ");
                }
            }
            if !p.path.is_empty() {
                let _ = write!(s, "{}: ", p.path);
            }
            s.push_str(&p.message);
        }
        ExpError::Input(s)
    }

    pub fn is_input(&self) -> bool {
        matches!(self, ExpError::Input(_))
    }
}

pub type Result<T> = std::result::Result<T, ExpError>;
