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

/// `--figures`, `--dpi`, `--figure-size`: paper-ready figure files, the same on every command
/// that draws charts (parsed and checked by `xietong_present::figures::FigureOptions`).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct FigureArgs {
    /// Also write every chart to figures/ in these formats, laid out at the printed size:
    /// comma list of svg, png, pdf (pdf needs a build with `--features pdf`). Default: none.
    #[arg(long, value_name = "svg,png,pdf")]
    pub figures: Option<String>,
    /// Resolution of PNG figures, dots per inch (72-2400; default 300).
    #[arg(long, value_name = "N")]
    pub dpi: Option<String>,
    /// Printed figure size: column (8.5 cm, default), 1.5column (12 cm), page (17.5 cm), or
    /// WxH / W with a unit: 12x8cm, 85x60mm, 3.5x2.5in, 12cm.
    #[arg(long, value_name = "SIZE")]
    pub figure_size: Option<String>,
}

impl FigureArgs {
    /// The checked options; a bad value is an input error (exit 2) naming the option.
    pub fn options(&self) -> Result<xietong_present::figures::FigureOptions> {
        xietong_present::figures::FigureOptions::parse(
            self.figures.as_deref(),
            self.dpi.as_deref(),
            self.figure_size.as_deref(),
        )
        .map_err(crate::error::bad_input)
    }
}
