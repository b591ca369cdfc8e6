//! File output at the edge. A single result file is written to a temporary sibling and renamed
//! into place; a folder of results (`run`, `compare`, `survey analyze`; `experiment merge` in the
//! store) is written as one [`OutputSet`]: a fresh sibling folder renamed into place when complete,
//! so a folder of results is always one complete, consistent set.

use anyhow::{Context, Result};
use std::path::Path;
use xietong_experiment::store::OutputSet;

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename), with the
/// one implementation the experiment store uses too.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    xietong_experiment::store::write_bytes_atomic(path, bytes)
}

/// Start writing the results folder `out`, which may hold only the `owned` names (it is replaced
/// as a whole). Call it before computing, so an unusable location fails fast (exit 2).
pub fn begin_set(out: &Path, owned: &[&str]) -> Result<OutputSet> {
    OutputSet::begin(out, owned).with_context(|| format!("--out {}", out.display()))
}

/// Write every `(relative path, bytes)` into `set` and put it in place of `out`.
pub fn finish_set(
    set: OutputSet,
    out: &Path,
    owned: &[&str],
    files: &[(&str, &[u8])],
) -> Result<()> {
    for (rel, bytes) in files {
        set.write(rel, bytes)
            .with_context(|| format!("writing {}", out.join(rel).display()))?;
    }
    set.commit(owned)
        .with_context(|| format!("--out {}", out.display()))
}
