//! Reading and writing experiment folders: the only module of this crate that touches files.
//!
//! A folder holds `experiment.toml` and `scenario.toml` (exact copies of the inputs), `design.csv`,
//! `manifest.json` (design hash, shard, columns) and the results: `results.csv.partial` while
//! running, renamed to `results.csv` when every point is done. Rows are appended point by point
//! in design order, so an interrupted run leaves a prefix of the final file; `--resume` keeps the
//! complete points of that prefix and continues after them. With feature `parquet`,
//! [`write_parquet`] adds `results.parquet`, a typed copy of the finished `results.csv`.

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

use crate::error::{ExpError, Result};
use crate::plan::{FORMAT, Plan};

pub const MANIFEST: &str = "manifest.json";
pub const RESULTS: &str = "results.csv";
/// Written only with feature `parquet`, from the finished `results.csv`.
pub const RESULTS_PARQUET: &str = "results.parquet";
pub const PARTIAL: &str = "results.csv.partial";
pub const SERIES: &str = "timeseries.csv";
pub const SERIES_PARTIAL: &str = "timeseries.csv.partial";
pub const EXPERIMENT_COPY: &str = "experiment.toml";
pub const SCENARIO_COPY: &str = "scenario.toml";
pub const DESIGN: &str = "design.csv";

/// Every file an experiment folder can hold (run, merge, parquet, analyze with the default
/// `--out`): what `merge` may replace in an existing folder without a manifest.
pub const EXPERIMENT_FILES: &[&str] = &[
    EXPERIMENT_COPY,
    SCENARIO_COPY,
    DESIGN,
    MANIFEST,
    RESULTS,
    PARTIAL,
    SERIES,
    SERIES_PARTIAL,
    RESULTS_PARQUET,
    "points.csv",
    "analysis.json",
    "sensitivity.csv",
    "sensitivity-report.html",
];

/// What `manifest.json` records. Nothing machine- or time-specific, so a merged folder is
/// byte-identical to a single-machine one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub name: String,
    pub design_hash: String,
    pub method: String,
    pub points: usize,
    pub replications: usize,
    pub factors: Vec<String>,
    pub metrics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeseries: Vec<String>,
    /// `[index, count]` (1-based) for a shard, absent for a whole run or a merge.
    pub shard: Option<[usize; 2]>,
    /// Points of this folder: `start..end`.
    pub point_range: [usize; 2],
}

impl Manifest {
    pub fn of(plan: &Plan, shard: Option<(usize, usize)>, range: &Range<usize>) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            name: plan.spec.name.clone(),
            design_hash: plan.hash.clone(),
            method: plan.design.method.name().into(),
            points: plan.n_points(),
            replications: plan.replications(),
            factors: plan.factors.iter().map(|f| f.name.clone()).collect(),
            metrics: plan.metric_names.clone(),
            timeseries: plan.series_names.clone(),
            shard: shard.map(|(i, n)| [i, n]),
            point_range: [range.start, range.end],
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest always serializes") + "\n"
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path)
        .map_err(|e| ExpError::input(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        ExpError::input(format!(
            "{}: not UTF-8 text (byte {}); save the file as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Write a file atomically: temporary sibling, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_bytes_atomic(path, bytes)
        .map_err(|e| ExpError::io(format!("writing {}", path.display()), e))
}

/// The same with the plain I/O error, for callers with their own error type (the CLI writes
/// every result file through this, so there is one implementation of the pattern).
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temp_files(dir, Some(&name));
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether process `pid` may still be running. On Linux from `/proc`; elsewhere every process is
/// assumed alive, so a temporary of another run is never removed under its feet.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return true;
    }
    pid == std::process::id() || proc.join(pid.to_string()).exists()
}

/// The process id in a temporary name `.{stem}.{pid}{suffix}` of this crate, if it is one.
fn temp_pid(entry: &str, stem: &str, suffix: &str) -> Option<u32> {
    entry
        .strip_prefix('.')?
        .strip_prefix(stem)?
        .strip_prefix('.')?
        .strip_suffix(suffix)?
        .parse()
        .ok()
}

/// Remove `.{name}.{pid}.tmp` files left in `dir` by killed processes (best effort).
/// With `name` None: of every file of the folder (`--resume` cleans a whole experiment folder).
fn remove_stale_temp_files(dir: &Path, name: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let entry = e.file_name().to_string_lossy().into_owned();
        let pid = match name {
            Some(name) => temp_pid(&entry, name, ".tmp"),
            None => entry
                .strip_prefix('.')
                .and_then(|r| r.strip_suffix(".tmp"))
                .and_then(|r| r.rsplit_once('.'))
                .and_then(|(_, pid)| pid.parse().ok()),
        };
        if let Some(pid) = pid
            && !process_alive(pid)
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// A whole folder of results written as one set: every file goes into a fresh sibling folder
/// `.NAME.PID.new`, which replaces `NAME` only when all of them are written and synced. A reader
/// therefore sees the previous complete set or the new complete set, never a mix, and a killed
/// run leaves only its `.NAME.PID.new` folder, which the next write of `NAME` removes.
///
/// Replacing an existing folder swaps the two folders in one step where the system can (Linux
/// `renameat2` with `RENAME_EXCHANGE`), then deletes the old set. Elsewhere it goes through
/// `.NAME.PID.old` (rename the old set aside, rename the new one in, delete the old one); if a
/// run is killed between those two renames, the next write of `NAME` first puts the old set back. An existing folder is replaced only if everything
/// in it is something the command writes (`owned` top-level names) or a temporary of this crate:
/// other files are never deleted, the write is refused instead.
pub struct OutputSet {
    out: PathBuf,
    parent: PathBuf,
    name: String,
    tmp: PathBuf,
    committed: bool,
}

impl OutputSet {
    /// Check the location, clean up after killed runs, and create the empty temporary folder.
    /// Errors are the location's problems (a file in the way, no permission, foreign files in
    /// the folder), reported before any result is computed when called first.
    pub fn begin(out: &Path, owned: &[&str]) -> std::io::Result<OutputSet> {
        use std::io::{Error, ErrorKind};
        let name = match out.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    "name a results folder (not `.`, `..` or a root): the folder is replaced as a whole",
                ));
            }
        };
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if let Some(file) = parent.ancestors().find(|a| a.exists() && !a.is_dir()) {
            return Err(Error::new(
                ErrorKind::NotADirectory,
                format!(
                    "{} is a file, so no folder can be made under it",
                    file.display()
                ),
            ));
        }
        fs::create_dir_all(&parent)?;
        if out.exists() && !out.is_dir() {
            return Err(Error::new(
                ErrorKind::AlreadyExists,
                "exists and is not a folder",
            ));
        }
        // Clean up after killed runs: put back an old set whose replacement never arrived, and
        // remove temporaries of processes that no longer exist.
        if let Ok(entries) = fs::read_dir(&parent) {
            let mut stale: Vec<(String, PathBuf)> = entries
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect();
            stale.sort();
            for (entry, path) in stale {
                if let Some(pid) = temp_pid(&entry, &name, ".old")
                    && !process_alive(pid)
                {
                    if out.exists() {
                        let _ = fs::remove_dir_all(&path);
                    } else {
                        fs::rename(&path, out)?;
                    }
                } else if let Some(pid) = temp_pid(&entry, &name, ".new")
                    && !process_alive(pid)
                {
                    let _ = fs::remove_dir_all(&path);
                }
            }
        }
        if out.is_dir() {
            check_owned(out, owned)?;
        }
        let tmp = parent.join(format!(".{name}.{}.new", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        Ok(OutputSet {
            out: out.to_path_buf(),
            parent,
            name,
            tmp,
            committed: false,
        })
    }

    /// The temporary folder the set is being written into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// Write one file of the set (`rel` may contain `/`: subfolders are created) and sync it.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let mut f = File::create(&path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    /// Put the set in place of `out` (see the type's documentation). `owned` as for `begin`:
    /// the folder is checked again, in case files appeared meanwhile.
    pub fn commit(mut self, owned: &[&str]) -> std::io::Result<()> {
        sync_dir(&self.tmp);
        if self.out.is_dir() {
            check_owned(&self.out, owned)?;
            if exchange(&self.tmp, &self.out)? {
                // `out` now holds the new set and the temporary folder the old one; a kill from
                // here on leaves a complete `out` and a stale `.NAME.PID.new` for the next run.
                self.committed = true;
                let _ = fs::remove_dir_all(&self.tmp);
                sync_dir(&self.parent);
                return Ok(());
            }
            let old = self
                .parent
                .join(format!(".{}.{}.old", self.name, std::process::id()));
            if old.exists() {
                fs::remove_dir_all(&old)?;
            }
            fs::rename(&self.out, &old)?;
            if let Err(e) = fs::rename(&self.tmp, &self.out) {
                let _ = fs::rename(&old, &self.out);
                return Err(e);
            }
            self.committed = true;
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&self.tmp, &self.out)?;
            self.committed = true;
        }
        sync_dir(&self.parent);
        Ok(())
    }
}

impl Drop for OutputSet {
    /// An abandoned set (an error before `commit`) leaves nothing behind.
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Swap two paths in one step (Linux `renameat2` with `RENAME_EXCHANGE`). `Ok(false)` where the
/// system or file system cannot, so the caller falls back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that live across the call; AT_FDCWD makes them
    // relative to the working directory like every other path here.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Refuse to replace a folder holding anything but `owned` names and temporaries of this crate.
fn check_owned(dir: &Path, owned: &[&str]) -> std::io::Result<()> {
    let mut foreign = Vec::new();
    for e in fs::read_dir(dir)? {
        let entry = e?.file_name().to_string_lossy().into_owned();
        // `.NAME.PID.tmp|new|old`: a temporary of this crate, left by a killed process.
        let temporary = entry.starts_with('.')
            && [".tmp", ".new", ".old"].iter().any(|suffix| {
                entry.strip_suffix(suffix).is_some_and(|rest| {
                    rest.rsplit_once('.').is_some_and(|(head, pid)| {
                        head.len() > 1 && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
                    })
                })
            });
        if !owned.contains(&entry.as_str()) && !temporary {
            foreign.push(entry);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let n = foreign.len();
    foreign.truncate(5);
    Err(std::io::Error::new(
        std::io::ErrorKind::DirectoryNotEmpty,
        format!(
            "the folder holds {n} file{} this command does not write ({}{}); results replace the whole folder, so choose a new or empty folder (or move those files)",
            if n == 1 { "" } else { "s" },
            foreign.join(", "),
            if n > foreign.len() { ", …" } else { "" }
        ),
    ))
}

/// Sync a folder's entries to disk where the platform allows it (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Read an experiment file and its base scenario (built-in, or a file relative to it).
pub fn load_experiment(path: &Path) -> Result<Plan> {
    let text = read_text(path)?;
    let name = path.display().to_string();
    let spec = crate::spec::ExperimentSpec::parse(&text, &name)?;
    let (base_text, base_name) = if spec.base.scenario == "builtin" {
        (CHENGDU_CHONGQING.to_string(), BUILTIN_NAME.to_string())
    } else {
        let p = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&spec.base.scenario);
        (read_text(&p)?, p.display().to_string())
    };
    Plan::new(&text, &name, &base_text, &base_name)
}

/// Read an experiment folder: the plan rebuilt from its copies, checked against its manifest.
pub fn load_dir(dir: &Path) -> Result<(Plan, Manifest)> {
    let manifest = read_manifest(dir)?;
    let exp = dir.join(EXPERIMENT_COPY);
    let base = dir.join(SCENARIO_COPY);
    let plan = Plan::new(
        &read_text(&exp)?,
        &exp.display().to_string(),
        &read_text(&base)?,
        &base.display().to_string(),
    )?;
    if plan.hash != manifest.design_hash {
        return Err(ExpError::input(format!(
            "{}: the design hash {} does not match experiment.toml and scenario.toml (hash {}); the folder was edited or made by another version",
            dir.join(MANIFEST).display(),
            manifest.design_hash,
            plan.hash
        )));
    }
    Ok((plan, manifest))
}

pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = read_text(&path)?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        ExpError::input(format!(
            "{}:{}:{}: not an experiment manifest: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if m.format != FORMAT {
        return Err(ExpError::input(format!(
            "{}: format \"{}\", this version reads \"{FORMAT}\"",
            path.display(),
            m.format
        )));
    }
    Ok(m)
}

/// One output file being appended to, renamed from `partial` to `done` at the end.
struct Out {
    file: File,
    partial: PathBuf,
    done: PathBuf,
}

impl Out {
    fn write(&mut self, text: &str) -> Result<()> {
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| ExpError::io(format!("writing {}", self.partial.display()), e))
    }

    /// Open `partial` for appending after truncating it to `offset` (writing `header` if 0).
    fn reopen(partial: PathBuf, done: PathBuf, offset: u64, header: &str) -> Result<Out> {
        let io = |e| ExpError::io(format!("reopening {}", partial.display()), e);
        let mut file = OpenOptions::new().write(true).open(&partial).map_err(io)?;
        file.set_len(offset).map_err(io)?;
        file.seek(SeekFrom::End(0)).map_err(io)?;
        if offset == 0 {
            file.write_all(header.as_bytes()).map_err(io)?;
        }
        Ok(Out {
            file,
            partial,
            done,
        })
    }

    fn create(partial: PathBuf, done: PathBuf, header: &str) -> Result<Out> {
        let io = |e| ExpError::io(format!("creating {}", partial.display()), e);
        let mut file = File::create(&partial).map_err(io)?;
        file.write_all(header.as_bytes()).map_err(io)?;
        Ok(Out {
            file,
            partial,
            done,
        })
    }

    fn sync(&self) -> Result<()> {
        self.file
            .sync_all()
            .map_err(|e| ExpError::io(format!("finishing {}", self.partial.display()), e))
    }

    fn rename(&self) -> Result<()> {
        fs::rename(&self.partial, &self.done)
            .map_err(|e| ExpError::io(format!("finishing {}", self.partial.display()), e))
    }
}

/// The open results (and time-series) files receiving rows in design order.
pub struct Writer {
    results: Out,
    series: Option<Out>,
}

impl Writer {
    /// Append one point's rows; they reach the operating system before the next point is
    /// written, so killing the process loses at most the points still in memory. The time
    /// series goes first, so every point complete in the results is complete in the series.
    pub fn append(&mut self, rows: &str, series: &str) -> Result<()> {
        if let Some(s) = &mut self.series {
            s.write(series)?;
        }
        self.results.write(rows)
    }

    /// Sync both files, then rename the time series and last the results: a `results.csv`
    /// means the folder is complete.
    pub fn finish(self) -> Result<()> {
        if let Some(s) = &self.series {
            s.sync()?;
        }
        self.results.sync()?;
        if let Some(s) = &self.series {
            s.rename()?;
        }
        self.results.rename()
    }
}

/// Where a run starts: the points still to do and the open writer.
pub enum Start {
    /// The folder already holds the complete results of this design.
    Complete,
    Run {
        writer: Writer,
        /// Points still to run.
        todo: Range<usize>,
        /// Points already in the file.
        done: usize,
    },
}

/// Prepare `dir` for a run of `plan` over `range`. Without `resume`, refuses a folder that holds
/// an experiment; with it, refuses a changed design and keeps every complete point.
pub fn start(
    dir: &Path,
    plan: &Plan,
    shard: Option<(usize, usize)>,
    range: Range<usize>,
    resume: bool,
) -> Result<Start> {
    if dir.exists() && !dir.is_dir() {
        return Err(ExpError::input(format!(
            "--out {}: exists and is not a folder",
            dir.display()
        )));
    }
    let manifest = Manifest::of(plan, shard, &range);
    let partial = dir.join(PARTIAL);
    let done_path = dir.join(RESULTS);
    if dir.join(MANIFEST).exists() {
        if !resume {
            return Err(ExpError::input(format!(
                "{} already holds an experiment (manifest.json): use --resume to continue it, or another --out",
                dir.display()
            )));
        }
        let old = read_manifest(dir)?;
        if old.design_hash != manifest.design_hash {
            return Err(ExpError::input(format!(
                "--resume: the design changed since {} was started (design hash {} there, {} now: base scenario, overrides, factors, design, seed, replications or metrics differ); refusing to mix results. Run the changed experiment with another --out",
                dir.display(),
                old.design_hash,
                manifest.design_hash
            )));
        }
        if old.shard != manifest.shard {
            let show = |s: Option<[usize; 2]>| {
                s.map_or("the whole design".to_string(), |[i, n]| {
                    format!("shard {i}/{n}")
                })
            };
            return Err(ExpError::input(format!(
                "--resume: {} holds {}, not {}",
                dir.display(),
                show(old.shard),
                show(manifest.shard)
            )));
        }
        // Temporaries of a killed run of this folder (copies written before the kill).
        remove_stale_temp_files(dir, None);
        let (series_partial, series_done) = (dir.join(SERIES_PARTIAL), dir.join(SERIES));
        if done_path.exists() {
            // Killed between the two renames: the time series is complete as well.
            if plan.has_series() && series_partial.exists() && !series_done.exists() {
                fs::rename(&series_partial, &series_done).map_err(|e| {
                    ExpError::io(format!("renaming {}", series_partial.display()), e)
                })?;
            }
            return Ok(Start::Complete);
        }
        if partial.exists() {
            let (done, offset) = scan_partial(&partial, plan, &range)?;
            let series_offset = if plan.has_series() {
                if series_done.exists() && !series_partial.exists() {
                    // Killed after renaming the series but before the results.
                    fs::rename(&series_done, &series_partial).map_err(|e| {
                        ExpError::io(format!("renaming {}", series_done.display()), e)
                    })?;
                }
                if series_partial.exists() {
                    Some(scan_series(&series_partial, plan, range.start, done)?)
                } else if done == 0 {
                    None
                } else {
                    return Err(ExpError::input(format!(
                        "--resume: {} is missing although {done} points are finished; the folder is damaged, so nothing was changed",
                        series_partial.display()
                    )));
                }
            } else {
                None
            };
            // Both files were checked before either is truncated.
            let series = match series_offset {
                Some(off) => Some(Out::reopen(
                    series_partial,
                    series_done,
                    off,
                    &plan.series_header(),
                )?),
                None if plan.has_series() => Some(Out::create(
                    series_partial,
                    series_done,
                    &plan.series_header(),
                )?),
                None => None,
            };
            let results = Out::reopen(partial, done_path, offset, &plan.header())?;
            return Ok(Start::Run {
                writer: Writer { results, series },
                todo: range.start + done..range.end,
                done,
            });
        }
    } else {
        write_atomic(&dir.join(EXPERIMENT_COPY), plan.experiment_text.as_bytes())?;
        write_atomic(&dir.join(SCENARIO_COPY), plan.base_text.as_bytes())?;
        write_atomic(&dir.join(DESIGN), plan.design_csv().as_bytes())?;
        write_atomic(&dir.join(MANIFEST), manifest.to_json().as_bytes())?;
    }
    let series = if plan.has_series() {
        Some(Out::create(
            dir.join(SERIES_PARTIAL),
            dir.join(SERIES),
            &plan.series_header(),
        )?)
    } else {
        None
    };
    let results = Out::create(partial, done_path, &plan.header())?;
    Ok(Start::Run {
        writer: Writer { results, series },
        todo: range,
        done: 0,
    })
}

/// Check an interrupted time series against the `done` complete points from `start` on: every
/// (point, replication, period) in order. Returns the byte length they occupy; rows after them
/// (an unfinished point) are dropped by the caller.
pub fn scan_series(path: &Path, plan: &Plan, start: usize, done: usize) -> Result<u64> {
    let f = File::open(path).map_err(|e| ExpError::io(format!("opening {}", path.display()), e))?;
    let mut reader = BufReader::new(f);
    let corrupt = |line: usize, what: String| {
        ExpError::input(format!(
            "--resume: {}:{line}: {what}; the file is corrupted, so nothing was changed. Move the folder away to start the experiment over",
            path.display()
        ))
    };
    let header = plan.series_header();
    let mut buf = Vec::new();
    let read = |reader: &mut BufReader<File>, buf: &mut Vec<u8>| -> Result<()> {
        buf.clear();
        reader
            .read_until(b'\n', buf)
            .map_err(|e| ExpError::io(format!("reading {}", path.display()), e))?;
        Ok(())
    };
    read(&mut reader, &mut buf)?;
    if !buf.ends_with(b"\n") {
        if done == 0 && header.as_bytes().starts_with(&buf) {
            return Ok(0);
        }
        return Err(corrupt(1, "the header line is incomplete".into()));
    }
    if buf != header.as_bytes() {
        return Err(corrupt(
            1,
            "the header differs from the experiment's columns".into(),
        ));
    }
    let ncols = 4 + plan.series.len();
    let mut offset = buf.len() as u64;
    let mut line = 1;
    for p in start..start + done {
        let periods = plan.scenario(p)?.calendar.periods as usize;
        for r in 0..plan.replications() {
            for t in 0..periods {
                read(&mut reader, &mut buf)?;
                line += 1;
                if !buf.ends_with(b"\n") {
                    return Err(corrupt(
                        line,
                        format!("ends before point {p} (finished in results.csv) is complete"),
                    ));
                }
                let text = std::str::from_utf8(&buf)
                    .map_err(|_| corrupt(line, "not UTF-8 text".into()))?;
                let f = split_csv_line(text.trim_end_matches(['\n', '\r']));
                if f.len() != ncols
                    || f[0] != p.to_string()
                    || f[1] != r.to_string()
                    || f[2] != t.to_string()
                {
                    return Err(corrupt(
                        line,
                        format!(
                            "expected point {p} replication {r} period {t} with {ncols} fields"
                        ),
                    ));
                }
                offset += buf.len() as u64;
            }
        }
    }
    Ok(offset)
}

/// Check an interrupted results file row by row against the plan. Returns the number of complete
/// points and the byte length they occupy (header included). A torn last line (no newline) is
/// expected after a kill and dropped; anything else unexpected is corruption and an error, and
/// the file is left as it is.
pub fn scan_partial(path: &Path, plan: &Plan, range: &Range<usize>) -> Result<(usize, u64)> {
    let f = File::open(path).map_err(|e| ExpError::io(format!("opening {}", path.display()), e))?;
    let mut reader = BufReader::new(f);
    let corrupt = |line: usize, what: String| {
        ExpError::input(format!(
            "--resume: {}:{line}: {what}; the file is corrupted, so nothing was changed. Move it away to start the experiment over",
            path.display()
        ))
    };
    let mut buf = Vec::new();
    let header = plan.header();
    reader
        .read_until(b'\n', &mut buf)
        .map_err(|e| ExpError::io(format!("reading {}", path.display()), e))?;
    if !buf.ends_with(b"\n") {
        // Killed before the header was complete: start over from an empty file.
        if header.as_bytes().starts_with(&buf) {
            return Ok((0, 0));
        }
        return Err(corrupt(
            1,
            "the header line is incomplete and differs from the expected one".into(),
        ));
    }
    if buf != header.as_bytes() {
        return Err(corrupt(
            1,
            format!(
                "header is {:?}, expected {:?}",
                String::from_utf8_lossy(&buf).trim_end(),
                header.trim_end()
            ),
        ));
    }
    let reps = plan.replications();
    let ncols = 3 + plan.factors.len() + plan.metrics.len();
    let mut offset = buf.len() as u64;
    let mut complete_offset = offset;
    let mut rows = 0usize;
    let mut in_point = 0usize;
    let mut line_no = 1;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| ExpError::io(format!("reading {}", path.display()), e))?;
        if n == 0 || !buf.ends_with(b"\n") {
            // End of file, possibly after a torn line, which is dropped.
            break;
        }
        line_no += 1;
        let text =
            std::str::from_utf8(&buf).map_err(|_| corrupt(line_no, "not UTF-8 text".into()))?;
        let p = range.start + rows / reps;
        let r = rows % reps;
        if p >= range.end {
            return Err(corrupt(
                line_no,
                format!("more rows than the {} points of this run", range.len()),
            ));
        }
        let fields = split_csv_line(text.trim_end_matches(['\n', '\r']));
        if fields.len() != ncols {
            return Err(corrupt(
                line_no,
                format!("{} fields, expected {ncols}", fields.len()),
            ));
        }
        let expect_seed = plan.seed(p).to_string();
        if fields[0] != p.to_string() || fields[1] != r.to_string() || fields[2] != expect_seed {
            return Err(corrupt(
                line_no,
                format!(
                    "expected point {p} replication {r} seed {expect_seed}, found {} {} {}",
                    fields[0], fields[1], fields[2]
                ),
            ));
        }
        for (j, v) in plan.design.row(p).iter().enumerate() {
            if fields[3 + j] != plan.label(j, *v) {
                return Err(corrupt(
                    line_no,
                    format!(
                        "{} = {} differs from the design's {}",
                        plan.factors[j].name,
                        fields[3 + j],
                        plan.label(j, *v)
                    ),
                ));
            }
        }
        for (k, m) in plan.metric_names.iter().enumerate() {
            let c = &fields[3 + plan.factors.len() + k];
            if !c.is_empty() && c.parse::<f64>().is_err() {
                return Err(corrupt(line_no, format!("{m} = {c:?} is not a number")));
            }
        }
        offset += buf.len() as u64;
        rows += 1;
        in_point += 1;
        if in_point == reps {
            in_point = 0;
            complete_offset = offset;
        }
    }
    Ok((rows / reps, complete_offset))
}

/// Fields of one CSV line (RFC 4180 quoting).
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cur.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Join finished shard folders into `out`, byte for byte what one machine would have written.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<usize> {
    if dirs.is_empty() {
        return Err(ExpError::input("merge: name the shard folders to join"));
    }
    if out.join(MANIFEST).exists() {
        return Err(ExpError::input(format!(
            "merge: {} already holds an experiment; choose an empty --out",
            out.display()
        )));
    }
    let mut shards = Vec::new();
    for d in dirs {
        let (plan, m) = load_dir(d)?;
        shards.push((d.clone(), plan, m));
    }
    let first_hash = shards[0].2.design_hash.clone();
    let count = match shards[0].2.shard {
        Some([_, n]) => n,
        None => {
            return Err(ExpError::input(format!(
                "merge: {} is a whole run, not a shard",
                shards[0].0.display()
            )));
        }
    };
    for (d, _, m) in &shards {
        if m.design_hash != first_hash {
            return Err(ExpError::input(format!(
                "merge: {} has design hash {}, {} has {}: they are shards of different experiments",
                d.display(),
                m.design_hash,
                shards[0].0.display(),
                first_hash
            )));
        }
        match m.shard {
            Some([_, n]) if n == count => {}
            other => {
                let is = match other {
                    Some([i, n]) => format!("shard {i} of {n}"),
                    None => "a whole run, not a shard".to_string(),
                };
                return Err(ExpError::input(format!(
                    "merge: {} is {is}, but {} is a shard of {count}: merge shards of one split (all run with --shard I/{count})",
                    d.display(),
                    shards[0].0.display()
                )));
            }
        }
        if !d.join(RESULTS).exists() {
            return Err(ExpError::input(format!(
                "merge: {} is not finished (no results.csv); run it again with --resume first",
                d.display()
            )));
        }
    }
    shards.sort_by_key(|(_, _, m)| m.shard.map(|s| s[0]));
    let have: Vec<usize> = shards.iter().map(|(_, _, m)| m.shard.unwrap()[0]).collect();
    let want: Vec<usize> = (1..=count).collect();
    if have != want {
        return Err(ExpError::input(format!(
            "merge: need shards 1..={count} exactly once each, got shards {}",
            have.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let plan = &shards[0].1;
    let header = plan.header();
    let reps = plan.replications();
    // Stream the shards' rows into the new folder (memory stays bounded however large the
    // results), which replaces `out` as a whole once every file is written.
    let io = |e| ExpError::io(format!("writing {}", out.display()), e);
    let set = OutputSet::begin(out, EXPERIMENT_FILES).map_err(io)?;
    concat_bodies(
        &set.dir().join(RESULTS),
        &header,
        shards
            .iter()
            .map(|(d, _, m)| {
                (
                    d.join(RESULTS),
                    (m.point_range[1] - m.point_range[0]) * reps,
                )
            })
            .collect(),
    )?;
    if plan.has_series() {
        let mut parts = Vec::new();
        for (d, _, m) in &shards {
            let mut lines = 0;
            for p in m.point_range[0]..m.point_range[1] {
                lines += reps * plan.scenario(p)?.calendar.periods as usize;
            }
            parts.push((d.join(SERIES), lines));
        }
        concat_bodies(&set.dir().join(SERIES), &plan.series_header(), parts)?;
    }
    let range = 0..plan.n_points();
    set.write(EXPERIMENT_COPY, plan.experiment_text.as_bytes())
        .map_err(io)?;
    set.write(SCENARIO_COPY, plan.base_text.as_bytes())
        .map_err(io)?;
    set.write(DESIGN, plan.design_csv().as_bytes())
        .map_err(io)?;
    set.write(
        MANIFEST,
        Manifest::of(plan, None, &range).to_json().as_bytes(),
    )
    .map_err(io)?;
    set.commit(EXPERIMENT_FILES).map_err(io)?;
    Ok(shards.len())
}

/// Whether this build writes `results.parquet` (cargo feature `parquet`).
pub const PARQUET: bool = cfg!(feature = "parquet");

/// The message for `--format parquet|both` in a build without the feature.
pub const NO_PARQUET: &str = "--format parquet: this xietong was built without Parquet support; rebuild with `--features parquet` (e.g. `cargo build --release -p xietong --features parquet`), or use --format csv";

/// Write `dir/results.parquet` from the folder's finished `results.csv` (atomically, in row
/// groups); an input error naming the feature in a build without `parquet`.
pub fn write_parquet(dir: &Path, plan: &Plan) -> Result<usize> {
    #[cfg(feature = "parquet")]
    {
        crate::parquet_out::write_results_parquet(dir, plan, crate::parquet_out::ROW_GROUP)
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (dir, plan);
        Err(ExpError::input(NO_PARQUET))
    }
}

/// Call `f(line number, fields)` for every line of a folder's finished `results.csv`, header
/// first, reading one line at a time.
pub fn for_each_result_row(
    dir: &Path,
    f: &mut dyn FnMut(usize, &[String]) -> Result<()>,
) -> Result<()> {
    let path = dir.join(RESULTS);
    if !path.exists() {
        return Err(ExpError::input(format!(
            "{}: no results.csv: the run is not finished (continue it with --resume) or this is not an experiment folder",
            dir.display()
        )));
    }
    let file =
        File::open(&path).map_err(|e| ExpError::io(format!("opening {}", path.display()), e))?;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| {
            ExpError::input(format!("{}:{}: cannot read: {e}", path.display(), i + 1))
        })?;
        f(i + 1, &split_csv_line(&line))?;
    }
    Ok(())
}

/// Write `header` and then the body (all but the header line) of each file to `dest`, checking
/// each file's header and its number of lines.
fn concat_bodies(dest: &Path, header: &str, parts: Vec<(PathBuf, usize)>) -> Result<()> {
    let io = |e| ExpError::io(format!("writing {}", dest.display()), e);
    let mut w = std::io::BufWriter::new(File::create(dest).map_err(io)?);
    w.write_all(header.as_bytes()).map_err(io)?;
    for (path, expect) in parts {
        let rio = |e| ExpError::io(format!("reading {}", path.display()), e);
        let mut r = BufReader::new(File::open(&path).map_err(rio)?);
        let mut first = Vec::new();
        r.read_until(b'\n', &mut first).map_err(rio)?;
        if first != header.as_bytes() {
            return Err(ExpError::input(format!(
                "merge: {}: header differs from the experiment's columns",
                path.display()
            )));
        }
        let (mut lines, mut last) = (0usize, b'\n');
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = r.read(&mut buf).map_err(rio)?;
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
            last = buf[n - 1];
            w.write_all(&buf[..n]).map_err(io)?;
        }
        if lines != expect || last != b'\n' {
            return Err(ExpError::input(format!(
                "merge: {}: {lines} rows, expected {expect}",
                path.display()
            )));
        }
    }
    let f = w.into_inner().map_err(|e| io(e.into_error()))?;
    f.sync_all().map_err(io)
}

/// The finished results of a folder as rows of fields (header first).
pub fn read_results(dir: &Path) -> Result<Vec<Vec<String>>> {
    let path = dir.join(RESULTS);
    if !path.exists() {
        return Err(ExpError::input(format!(
            "{}: no results.csv: the run is not finished (continue it with --resume) or this is not an experiment folder",
            dir.display()
        )));
    }
    let text = read_text(&path)?;
    Ok(text.lines().map(split_csv_line).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-step swap exchanges two folders' contents, or reports that it cannot (leaving
    /// both untouched) so that the caller falls back to two renames.
    #[test]
    fn exchange_swaps_two_folders_or_leaves_them_untouched() {
        let d = std::env::temp_dir().join(format!("xietong-exchange-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        let (a, b) = (d.join("a"), d.join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("f"), "from a").unwrap();
        fs::write(b.join("f"), "from b").unwrap();
        let swapped = exchange(&a, &b).unwrap();
        let (in_a, in_b) = (
            fs::read_to_string(a.join("f")).unwrap(),
            fs::read_to_string(b.join("f")).unwrap(),
        );
        if swapped {
            assert_eq!((in_a.as_str(), in_b.as_str()), ("from b", "from a"));
        } else {
            assert_eq!((in_a.as_str(), in_b.as_str()), ("from a", "from b"));
        }
        let _ = fs::remove_dir_all(&d);
    }
}
