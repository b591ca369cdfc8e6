//! `xietong`: the command-line front end. The subcommands and their dispatch live in the library
//! half of this crate (lib.rs), which the Python wheel's `xietong` command calls too; this file
//! only hands over the process's arguments and exits with the code (0 ok, 2 bad input, 1
//! internal failure).

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = xietong::main_with(std::env::args_os());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// mimalloc instead of the system allocator: fewer CPU-seconds for `xietong run`, whose worker
/// threads free what others allocated (measured in docs/PERFORMANCE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
