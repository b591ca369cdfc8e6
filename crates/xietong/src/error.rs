//! Exit-code policy: errors caused by the user's input exit with 2, everything else with 1.
//! A command marks an input error by wrapping it in [`BadInput`] (or returning it via [`bad_input`]);
//! anything unmarked is treated as an internal failure.

use std::fmt;

/// Marker for an error the user can fix (bad file, bad value, bad flag).
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Build an input error from anything printable.
pub fn bad_input(msg: impl fmt::Display) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.to_string()))
}

pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.is::<BadInput>()) {
        2
    } else {
        1
    }
}
