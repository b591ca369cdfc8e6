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

/// 2 for input errors and for file-system errors the user causes and can fix (an output folder
/// under a file, no permission, a read-only file system, foreign files in a results folder),
/// 1 for everything else.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    let user_io = |e: &(dyn std::error::Error + 'static)| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| user_caused(io.kind()))
    };
    if err.chain().any(|e| e.is::<BadInput>() || user_io(e)) {
        2
    } else {
        1
    }
}

/// File-system errors that come from where the user asked us to read or write.
fn user_caused(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        kind,
        K::PermissionDenied
            | K::NotADirectory
            | K::IsADirectory
            | K::ReadOnlyFilesystem
            | K::AlreadyExists
            | K::DirectoryNotEmpty
            | K::InvalidInput
            | K::InvalidFilename
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_caused_io_errors_exit_2_machine_failures_exit_1() {
        use std::io::{Error, ErrorKind};
        let denied = anyhow::Error::new(Error::from(ErrorKind::PermissionDenied))
            .context("writing out/report.html");
        assert_eq!(exit_code(&denied), 2);
        let read_only = anyhow::Error::new(Error::from(ErrorKind::ReadOnlyFilesystem));
        assert_eq!(exit_code(&read_only), 2);
        let full = anyhow::Error::new(Error::from(ErrorKind::StorageFull)).context("writing");
        assert_eq!(exit_code(&full), 1);
        assert_eq!(exit_code(&anyhow::anyhow!("internal")), 1);
        assert_eq!(exit_code(&bad_input("bad")), 2);
    }
}
