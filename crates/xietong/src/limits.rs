//! Documented limits of the command line (docs/reliability.md), checked before anything is
//! allocated or started, with exit code 2 and a message naming the limit.

use crate::error::bad_input;
use anyhow::Result;

/// Most runs of one `xietong run`. Runs are written as they finish, so memory does not grow with
/// them; the files do (about 60 KB per run of the built-in scenario, 6 GB at the limit).
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
            "--runs {runs}: at most {MAX_RUNS} runs per invocation (the files take about 60 KB per run); use `xietong experiment run` with replications for more"
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

/// Parser of a whole-number option (`--seed`, `--runs`, …) that also reads negative numbers, so
/// `--seed -1` is refused with a plain message instead of being taken for an unknown flag.
pub fn whole_u64(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if t.starts_with('-') && t[1..].parse::<u64>().is_ok() {
        return Err(format!(
            "{t} is negative: expected a whole number from 0 to {}",
            u64::MAX
        ));
    }
    t.parse::<u64>().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, found '{t}'",
            u64::MAX
        )
    })
}

/// [`whole_u64`] for counts held in a `usize`.
pub fn whole_usize(s: &str) -> Result<usize, String> {
    let v = whole_u64(s)?;
    usize::try_from(v).map_err(|_| format!("{v} is too large for this machine"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_refuse_negatives_in_words() {
        assert_eq!(whole_u64("42"), Ok(42));
        assert!(whole_u64("-1").unwrap_err().contains("-1 is negative"));
        assert!(whole_u64("x").unwrap_err().contains("found 'x'"));
        assert_eq!(whole_usize("7"), Ok(7));
    }
}
