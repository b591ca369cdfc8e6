//! Documented limits of the command line (docs/reliability.md), checked before anything is
//! allocated or started, with exit code 2 and a message naming the limit.

use crate::error::bad_input;
use anyhow::Result;

/// Most runs of one `xietong run`: every run's results are held in memory until the files are
/// written (about 0.1 MB per run of the built-in scenario).
pub const MAX_RUNS: u64 = 100_000;

/// Most worker threads (`--threads`) of any command.
pub const MAX_THREADS: usize = 1024;

/// Refuse `--runs` outside 1..=MAX_RUNS.
pub fn check_runs(runs: u64) -> Result<()> {
    if runs == 0 {
        return Err(bad_input("--runs: expected at least 1 run"));
    }
    if runs > MAX_RUNS {
        return Err(bad_input(format!(
            "--runs {runs}: at most {MAX_RUNS} runs per invocation (all runs are held in memory until the files are written); use `xietong experiment run` with replications for more"
        )));
    }
    Ok(())
}

/// Refuse `--threads` outside 1..=MAX_THREADS.
pub fn check_threads(threads: Option<usize>) -> Result<()> {
    match threads {
        Some(0) => Err(bad_input("--threads: expected at least 1")),
        Some(t) if t > MAX_THREADS => Err(bad_input(format!(
            "--threads {t}: at most {MAX_THREADS} worker threads"
        ))),
        _ => Ok(()),
    }
}
