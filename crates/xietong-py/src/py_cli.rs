//! The `xietong` command of the wheel: a console script calls [`cli_main`] with its arguments,
//! which runs the `xietong` crate's own [`xietong::main_with`] (the binary's argument parsing,
//! subcommands, messages and exit codes), so the Python-installed `xietong` behaves as the binary:
//! same output, same files, same exit codes. The `studio` feature of that crate is off in the
//! wheel, so `xietong studio` explains how to get a build with the studio.

use pyo3::prelude::*;

/// Run the command line with `argv` (argv[0] is the program name); returns the exit code
/// (0 ok, 2 bad input, 1 internal failure), printing messages as the binary does. The GIL is
/// released while the command runs.
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<String>) -> i32 {
    py.detach(|| xietong::main_with(argv))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli_main, m)?)
}
