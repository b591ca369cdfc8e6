//! `xietong run` and `xietong scenario show|check`: load a scenario (built-in or file) with `--set`
//! overrides, simulate many runs in parallel, and write `timeseries.csv`, `zones.csv`,
//! `summary.json` and `report.html`. Each run's rows are written as soon as its batch is done, so
//! memory does not grow with `--runs`; the aggregate and the report's bands come from
//! `xietong_sim::Collector`, and the report and terminal summary from `xietong_present::run`.
//! The files go into a fresh sibling folder that replaces the output folder as a whole
//! (`crate::io::begin_set`) only once complete, so bad input or an overflowing run leaves it
//! untouched and a killed run never leaves a mixed set.

use crate::error::bad_input;
use crate::io::{begin_set, finish_set};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING, chengdu_chongqing};
use xietong_model::{Scenario, parse_with_overrides};
use xietong_present::run as run_present;
use xietong_report::Lang;
use xietong_sim::output::{self, RowWriter};
use xietong_sim::{Collector, RunResult, simulate_into};

/// The files of a `run` results folder, written as one set.
const RUN_FILES: [&str; 8] = [
    "timeseries.csv",
    "zones.csv",
    "summary.json",
    "report.html",
    "figures",
    "tables.xlsx",
    "tables.tex",
    "report.docx",
];

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (TOML); the built-in Chengdu-Chongqing scenario when omitted.
    pub scenario: Option<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Seed of the random streams: the same scenario and seed give identical files.
    #[arg(long, default_value_t = 1, value_parser = crate::limits::whole_u64, allow_negative_numbers = true)]
    pub seed: u64,
    /// Number of independent runs.
    #[arg(long, default_value_t = 30, value_parser = crate::limits::whole_u64, allow_negative_numbers = true)]
    pub runs: u64,
    /// Override a scenario value by dotted path, e.g. `--set levers.sequencing=key_first`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Language of the report labels: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub figures: crate::io::FigureArgs,
}

#[derive(Subcommand)]
pub enum ScenarioCmd {
    /// Print the built-in scenario (annotated TOML) to copy and edit.
    Show,
    /// Check a scenario file (and optional overrides) without running it.
    Check {
        file: PathBuf,
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
}

/// Read and validate a scenario, or the built-in one when `path` is None.
pub fn load(path: Option<&Path>, sets: &[String]) -> Result<(Scenario, String)> {
    match path {
        None => Ok((
            chengdu_chongqing(sets).map_err(bad_input)?,
            BUILTIN_NAME.to_string(),
        )),
        Some(p) => {
            let name = p.display().to_string();
            let bytes = std::fs::read(p)
                .map_err(|e| bad_input(format!("cannot read scenario {name}: {e}")))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                bad_input(format!(
                    "{name}: not UTF-8 text (byte {}); save the file as UTF-8",
                    e.utf8_error().valid_up_to()
                ))
            })?;
            Ok((
                parse_with_overrides(&text, &name, sets).map_err(bad_input)?,
                name,
            ))
        }
    }
}

pub fn scenario(cmd: ScenarioCmd) -> Result<()> {
    match cmd {
        ScenarioCmd::Show => {
            print!("{CHENGDU_CHONGQING}");
            Ok(())
        }
        ScenarioCmd::Check { file, sets } => {
            let (s, name) = load(Some(&file), &sets)?;
            let n: u64 = if s.jurisdictions.is_empty() {
                s.zones.iter().map(|z| z.jurisdictions as u64).sum()
            } else {
                s.jurisdictions.len() as u64
            };
            println!(
                "{name}: ok — \"{}\", {} provinces, {} zones, {n} jurisdictions, {} domains, {} periods from {}",
                s.name,
                s.provinces.len(),
                s.zones.len(),
                s.domains.len(),
                s.calendar.periods,
                s.calendar.start
            );
            Ok(())
        }
    }
}

/// One simulated run with its rows already formatted (done in parallel, written in run order).
struct Done {
    result: RunResult,
    /// The run's first non-finite indicator (nothing is formatted then).
    overflow: Option<(usize, &'static str)>,
    text: Text,
}

/// A run's formatted rows and `per_run` entry. The buffers go back to a pool once written and
/// are reused by a later run: allocating some 60 KB per run afresh, and freeing it on the writing
/// thread, measured as a tenth of the run time in the allocator.
#[derive(Default)]
struct Text {
    timeseries: Vec<u8>,
    zones: Vec<u8>,
    entry: Vec<u8>,
    /// The results of the run last written from these buffers, taken up again by a worker that
    /// writes its next run over them (`simulate_into`) rather than dropped by the (serial) writer.
    written: Option<RunResult>,
}

/// Where the runs go, in run order: the two CSV files and the `per_run` entries of
/// `summary.json` (a scratch file until the aggregate is known), and the collector of the
/// aggregate and bands (its own scratch file).
struct Sink<'a> {
    s: &'a Scenario,
    source: &'a str,
    out: &'a Path,
    timeseries: BufWriter<File>,
    zones: BufWriter<File>,
    entries: BufWriter<File>,
    collector: Collector<'a>,
    next_run: u64,
    /// Buffers of written runs, for the next batch to fill.
    pool: &'a std::sync::Mutex<Vec<Text>>,
}

impl Sink<'_> {
    /// Write a batch, checking each run before any of its values is written: an overflow aborts
    /// the whole set (the caller drops it, which removes everything written so far).
    fn write(&mut self, batch: Vec<Done>) -> Result<()> {
        let mut spent = Vec::with_capacity(batch.len());
        for d in batch {
            let r = self.next_run;
            if let Some((t, what)) = d.overflow {
                return Err(bad_input(format!(
                    "{}: the simulation overflowed ({what} is not a finite number in run {r}, quarter {}); \
                     the scenario's magnitudes make development grow without bound: lower \
                     dynamics.growth_rate, the domains' values and local benefits, or calendar.periods. \
                     Nothing was written.",
                    self.source,
                    self.s.period_label(t)
                )));
            }
            let at = |f: &str| format!("writing {}", self.out.join(f).display());
            // A run's rows are tens of KB: written straight to the file rather than copied
            // through the buffer (which holds only the header, flushed once).
            let direct = |w: &mut BufWriter<File>, bytes: &[u8]| -> std::io::Result<()> {
                if !w.buffer().is_empty() {
                    w.flush()?;
                }
                w.get_mut().write_all(bytes)
            };
            direct(&mut self.timeseries, &d.text.timeseries)
                .with_context(|| at("timeseries.csv"))?;
            direct(&mut self.zones, &d.text.zones).with_context(|| at("zones.csv"))?;
            let scratch = || format!("writing a scratch file in {}", self.out.display());
            if r > 0 {
                self.entries.write_all(b",\n").with_context(scratch)?;
            }
            self.entries
                .write_all(&d.text.entry)
                .with_context(scratch)?;
            self.collector.push(&d.result).with_context(scratch)?;
            self.next_run += 1;
            let mut text = d.text;
            text.written = Some(d.result);
            spent.push(text);
        }
        self.pool
            .lock()
            .expect("no panic holding the pool")
            .extend(spent);
        Ok(())
    }
}

/// A scratch file in the set's folder, removed from the folder at once where the system allows
/// (the open handle keeps it readable) and otherwise before the set is committed.
fn scratch(dir: &Path, name: &str) -> std::io::Result<File> {
    let path = dir.join(name);
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(f)
}

fn sync(w: BufWriter<File>) -> std::io::Result<()> {
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

pub fn run(args: RunArgs) -> Result<()> {
    let lang = Lang::parse(&args.lang).ok_or_else(|| {
        bad_input(format!(
            "--lang: expected en or zh, found \"{}\"",
            args.lang
        ))
    })?;
    crate::limits::check_runs(args.runs)?;
    crate::limits::check_threads(args.threads)?;
    let figures = args.figures.options()?;
    let (s, name) = load(args.scenario.as_deref(), &args.sets)?;
    // The results folder is prepared before simulating: an unusable location fails fast.
    let set = begin_set(&args.out, &RUN_FILES)?;
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .context("starting the worker threads")?;
    }
    let dir = set.dir().to_path_buf();
    let out = |f: &str| args.out.join(f).display().to_string();
    let create = |f: &str| -> Result<BufWriter<File>> {
        let file = File::create(dir.join(f)).with_context(|| format!("writing {}", out(f)))?;
        Ok(BufWriter::with_capacity(1 << 20, file))
    };
    let pool = std::sync::Mutex::new(Vec::new());
    let mut sink = Sink {
        s: &s,
        source: &name,
        out: &args.out,
        timeseries: create("timeseries.csv")?,
        zones: create("zones.csv")?,
        entries: BufWriter::with_capacity(
            1 << 16,
            scratch(&dir, ".per_run.part").context("writing a scratch file in --out")?,
        ),
        collector: Collector::to_file(
            &s,
            scratch(&dir, ".columns.part").context("writing a scratch file in --out")?,
        ),
        next_run: 0,
        pool: &pool,
    };
    sink.timeseries
        .write_all(&RowWriter::timeseries_header(&s))
        .with_context(|| format!("writing {}", out("timeseries.csv")))?;
    sink.zones
        .write_all(&RowWriter::zones_header())
        .with_context(|| format!("writing {}", out("zones.csv")))?;

    let bar = ProgressBar::with_draw_target(Some(args.runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating [{bar:30}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    // Runs are simulated and formatted in parallel a batch at a time, and each batch is written
    // (in run order) while the next one is simulated: memory holds two batches, whatever --runs.
    let rows = RowWriter::new(&s);
    let batch = (4 * rayon::current_num_threads() as u64).clamp(8, 64);
    let simulate_batch = |runs: std::ops::Range<u64>| -> Vec<Done> {
        runs.into_par_iter()
            .map(|r| {
                let mut text = pool
                    .lock()
                    .expect("no panic holding the pool")
                    .pop()
                    .unwrap_or_default();
                // The run is written over the results last written from these buffers, reusing
                // their vectors (a fresh result allocates several per period).
                let mut result = text.written.take().unwrap_or_else(|| RunResult {
                    periods: Vec::new(),
                    summary: Default::default(),
                });
                simulate_into(&s, args.seed, r, &mut result);
                text.timeseries.clear();
                text.zones.clear();
                text.entry.clear();
                let overflow = result.first_non_finite();
                if overflow.is_none() {
                    rows.timeseries_rows(&result, &mut text.timeseries);
                    rows.zones_rows(&result, &mut text.zones);
                    output::push_summary_entry(&s, &result, &mut text.entry);
                }
                bar.inc(1);
                Done {
                    result,
                    overflow,
                    text,
                }
            })
            .collect()
    };
    let mut pending: Option<Vec<Done>> = None;
    let mut start = 0;
    loop {
        let range = start..(start + batch).min(args.runs);
        start = range.end;
        let last = range.is_empty();
        let (next, written) = rayon::join(
            || simulate_batch(range),
            || pending.take().map_or(Ok(()), |p| sink.write(p)),
        );
        written?;
        if last {
            break;
        }
        pending = Some(next);
    }
    bar.finish_and_clear();

    let Sink {
        timeseries,
        zones,
        entries,
        collector,
        ..
    } = sink;
    let collected = collector
        .finish()
        .context("reading back a scratch file in --out")?;
    sync(timeseries).with_context(|| format!("writing {}", out("timeseries.csv")))?;
    sync(zones).with_context(|| format!("writing {}", out("zones.csv")))?;
    let agg = &collected.aggregate;
    let (head, tail) = output::summary_frame(&s, args.seed, agg.runs, agg);
    let write_summary = || -> std::io::Result<()> {
        let mut entries = entries.into_inner().map_err(|e| e.into_error())?;
        entries.seek(SeekFrom::Start(0))?;
        let mut f = BufWriter::new(File::create(dir.join("summary.json"))?);
        f.write_all(head.as_bytes())?;
        std::io::copy(&mut entries, &mut f)?;
        f.write_all(tail.as_bytes())?;
        sync(f)
    };
    write_summary().with_context(|| format!("writing {}", out("summary.json")))?;
    for f in [".per_run.part", ".columns.part"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let (html, export) =
        run_present::report_files(&s, &name, args.seed, &collected, lang, &figures)
            .map_err(|e| crate::game::present_err(e, None))?;
    let mut files: Vec<(&str, &[u8])> = vec![("report.html", html.as_bytes())];
    files.extend(export.iter().map(|f| (f.name.as_str(), f.bytes.as_slice())));
    finish_set(set, &args.out, &RUN_FILES, &files)?;
    eprint!(
        "{}",
        run_present::terminal_summary(&s, args.seed, &args.out.display().to_string(), agg, lang)
    );
    Ok(())
}
