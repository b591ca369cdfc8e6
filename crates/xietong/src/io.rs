//! File output at the edge: every result file is written to a temporary sibling and renamed into
//! place, so a crash or an error never leaves a half-written result behind.

use std::path::Path;

/// Write `bytes` to `path` atomically (temp file in the same directory, fsync, rename), with the
/// one implementation the experiment store uses too.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    xietong_experiment::store::write_bytes_atomic(path, bytes)
}
