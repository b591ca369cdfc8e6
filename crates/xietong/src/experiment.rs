//! `xietong experiment run|merge|analyze`, `xietong compare` and `xietong calibrate`: the
//! terminal side of `xietong-experiment` (arguments, progress bar, thread pool, messages). Files
//! are written by the crate's `store` module or atomically here; tables and reports come from
//! `xietong_present::experiment`.

use crate::error::bad_input;
use crate::game::present_err;
use crate::io::{FigureArgs, begin_set, finish_set, write_atomic};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xietong_experiment::ExpError;
use xietong_experiment::runner::{run_points, window_for};
use xietong_experiment::store::{self, Start};
use xietong_present::experiment::{self as present, COMPARE_FILES};

#[derive(Subcommand)]
pub enum ExperimentCmd {
    /// Run an experiment file: every design point, all replications, rows in design order.
    Run(RunArgs),
    /// Join finished shard folders into one folder, identical to a single-machine run.
    Merge {
        /// Shard folders (any order).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, default_value = "experiment-out")]
        out: PathBuf,
        /// Result files, as for `run`.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
    },
    /// Morris or Sobol' sensitivity indices of a finished experiment, with an HTML report.
    Analyze(AnalyzeArgs),
}

#[derive(Args)]
pub struct RunArgs {
    /// Experiment file (TOML, see docs/experiments.md).
    pub file: PathBuf,
    /// Output folder.
    #[arg(long, default_value = "experiment-out")]
    pub out: PathBuf,
    /// Run only slice I of N (1-based), e.g. `--shard 2/8`; join the folders with `merge`.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    pub shard: Option<String>,
    /// Continue an interrupted run in --out, keeping every finished point.
    #[arg(long)]
    pub resume: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Result files: csv, or parquet/both to add results.parquet (needs a build with
    /// `--features parquet`). results.csv is always kept: resume, merge and analyze read it.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
}

/// Which result files a run or merge leaves. `results.csv` is the record in every case (resume,
/// shards, merge and analyze read it); `parquet` and `both` add `results.parquet` made from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
    Both,
}

impl Format {
    /// Whether results.parquet is wanted; refuses it (exit 2) in a build without the feature,
    /// before anything is run or written.
    fn parquet(self) -> Result<bool> {
        let want = self != Format::Csv;
        if want && !store::PARQUET {
            return Err(bad_input(store::NO_PARQUET));
        }
        Ok(want)
    }
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A finished experiment folder (Morris or Saltelli design).
    pub dir: PathBuf,
    /// Where to write analysis.json, sensitivity.csv and report.html (default: DIR).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 1000, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub resamples: usize,
    /// Language of the report: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// Map the crate's errors to exit codes: input problems exit 2, I/O failures 1.
pub fn to_anyhow(e: ExpError) -> anyhow::Error {
    if e.is_input() {
        bad_input(e)
    } else {
        anyhow::Error::new(e)
    }
}

pub fn run(cmd: ExperimentCmd) -> Result<()> {
    match cmd {
        ExperimentCmd::Run(args) => run_experiment(args),
        ExperimentCmd::Merge { dirs, out, format } => {
            let parquet = format.parquet()?;
            let n = store::merge(&dirs, &out).map_err(to_anyhow)?;
            eprintln!("merged {n} shards → {}/", out.display());
            if parquet {
                write_parquet(&out)?;
            }
            Ok(())
        }
        ExperimentCmd::Analyze(args) => analyze(args),
    }
}

fn parse_shard(s: &str) -> Result<(usize, usize)> {
    present::parse_shard(s).map_err(|e| present_err(e, None))
}

fn parse_lang(s: &str) -> Result<xietong_report::Lang> {
    present::parse_lang(s).map_err(|e| present_err(e, None))
}

/// A thread pool of the requested size (or rayon's default).
pub fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    crate::limits::check_threads(threads)?;
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t);
    }
    b.build().context("starting the worker threads")
}

pub fn progress(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} runs, {{elapsed}} elapsed, ETA {{eta}}"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// results.parquet from the finished results.csv of `dir`.
fn write_parquet(dir: &std::path::Path) -> Result<()> {
    let (plan, _) = store::load_dir(dir).map_err(to_anyhow)?;
    let rows = store::write_parquet(dir, &plan).map_err(to_anyhow)?;
    eprintln!("{rows} rows → {}/results.parquet", dir.display());
    Ok(())
}

fn run_experiment(args: RunArgs) -> Result<()> {
    let parquet = args.format.parquet()?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let pool = pool(args.threads)?;
    let plan = store::load_experiment(&args.file).map_err(to_anyhow)?;
    for w in &plan.design.warnings {
        eprintln!("warning: {}: design: {w}", args.file.display());
    }
    let range = plan.shard_range(shard).map_err(to_anyhow)?;
    let started = Instant::now();
    // Every point is checked before the first run, so a bad combination of values never leaves
    // a half-done folder behind.
    pool.install(|| plan.check_points(range.clone()))
        .map_err(to_anyhow)?;
    let start =
        store::start(&args.out, &plan, shard, range.clone(), args.resume).map_err(to_anyhow)?;
    let (mut writer, todo, done) = match start {
        Start::Complete => {
            eprintln!(
                "{}: already complete ({} points); nothing to do",
                args.out.display(),
                range.len()
            );
            // Killed between finishing results.csv and writing results.parquet, or asked for
            // Parquet after a CSV-only run.
            if parquet && !args.out.join(store::RESULTS_PARQUET).exists() {
                write_parquet(&args.out)?;
            }
            return Ok(());
        }
        Start::Run { writer, todo, done } => (writer, todo, done),
    };
    if done > 0 {
        eprintln!(
            "resuming {}: {done} of {} points already done",
            args.out.display(),
            range.len()
        );
    }
    let reps = plan.replications();
    let bar = progress((todo.len() * reps) as u64, "simulating");
    let threads = pool.current_num_threads();
    let result = pool.install(|| {
        run_points(
            &plan,
            todo.clone(),
            window_for(threads),
            &|| bar.inc(1),
            &mut |_, rows, series| writer.append(rows, series),
        )
    });
    bar.finish_and_clear();
    result.map_err(to_anyhow)?;
    writer.finish().map_err(to_anyhow)?;
    let secs = started.elapsed().as_secs_f64();
    let runs = todo.len() * reps;
    eprintln!(
        "{} points × {reps} replications ({runs} runs) in {secs:.1} s on {threads} threads ({:.2} ms per run) → {}/results.csv",
        todo.len(),
        secs * 1e3 / runs.max(1) as f64,
        args.out.display()
    );
    if parquet {
        write_parquet(&args.out)?;
    }
    Ok(())
}

/// Write a report file atomically, naming it in any error.
fn write(path: &std::path::Path, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// Write export files (figures/*, tables.xlsx, …) into `out`, each atomically.
fn write_files(out: &std::path::Path, files: &[xietong_present::OutputFile]) -> Result<()> {
    for f in files {
        let path = out.join(&f.name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        write_atomic(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> Result<()> {
    use xietong_experiment::analyze as an;
    let lang = parse_lang(&args.lang)?;
    let figures = args.figures.options()?;
    let (plan, _) = store::load_dir(&args.dir).map_err(to_anyhow)?;
    let mut acc = an::PointAccumulator::new(&plan);
    store::for_each_result_row(&args.dir, &mut |line, row| acc.push(line, row))
        .map_err(to_anyhow)?;
    let (means, points_csv) = acc.finish().map_err(to_anyhow)?;
    let out = args.out.unwrap_or(args.dir.clone());
    write(&out.join("points.csv"), &points_csv)?;
    if !an::has_indices(&plan) {
        let (html, export) = present::sweep_outputs(&plan, &means, lang, &figures)
            .map_err(|e| present_err(e, None))?;
        write(&out.join("sweep-report.html"), &html)?;
        write_files(&out, &export)?;
        eprintln!(
            "wrote points.csv (per point: n, mean, sd, p05, p95 of each metric over replications), sweep-report.html (main effects of each factor), report.docx, tables.xlsx, tables.tex{} → {}/\nno sensitivity indices: they need a morris or saltelli design, this one is {}",
            if figures.formats.is_empty() {
                ""
            } else {
                ", figures/"
            },
            out.display(),
            plan.design.method.name()
        );
        return Ok(());
    }
    let a = an::analyze_means(&plan, &means, args.resamples, plan.spec.seed).map_err(to_anyhow)?;
    let o =
        present::sensitivity_outputs_with(&a, lang, &figures).map_err(|e| present_err(e, None))?;
    write(&out.join("analysis.json"), &o.json)?;
    write(&out.join("sensitivity.csv"), &o.csv)?;
    write(&out.join("sensitivity-report.html"), &o.html)?;
    write_files(&out, &o.export)?;
    println!("{}", o.markdown);
    for m in &a.metrics {
        if let Some(n) = &m.note {
            eprintln!("note: {}: {n}", m.metric);
        }
        if let Some(an::Indices::Sobol(i)) = &m.indices {
            for w in &i.warnings {
                eprintln!("warning: {}: {w}", m.metric);
            }
        }
    }
    eprintln!(
        "wrote points.csv, analysis.json, sensitivity.csv, sensitivity-report.html, report.docx, tables.xlsx, tables.tex{} → {}/",
        if figures.formats.is_empty() {
            ""
        } else {
            ", figures/"
        },
        out.display()
    );
    Ok(())
}

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario file (TOML); the built-in Chengdu-Chongqing scenario when omitted.
    pub scenario: Option<PathBuf>,
    /// `NAME:PATH=VALUE,PATH=VALUE` or a built-in name (developmental, responsive, basic_first,
    /// key_first, uniform_flexible, uniform_rigid, cadre_incentives, no_cadre_incentives).
    /// The first is the reference B; every other is compared with it as A − B. Without
    /// --variant, the paper's four recommendations are compared with their alternatives.
    #[arg(long = "variant", value_name = "NAME:PATH=VALUE,...")]
    pub variants: Vec<String>,
    /// Runs per arm (the same seeds in both arms).
    #[arg(long, default_value_t = 50, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub runs: usize,
    /// Seed of the random streams, shared by both arms of every comparison.
    #[arg(long, default_value_t = 1, value_parser = crate::limits::whole_u64, allow_negative_numbers = true)]
    pub seed: u64,
    /// Overrides applied to both arms before the variants'.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Output folder for compare.csv, compare.json, report.html, report.docx, tables.xlsx,
    /// tables.tex and figures/.
    #[arg(long, default_value = "compare-out")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub threads: Option<usize>,
    /// Language of the report: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    #[command(flatten)]
    pub figures: FigureArgs,
}

pub fn compare(args: CompareArgs) -> Result<()> {
    use xietong_experiment::compare as c;
    let lang = parse_lang(&args.lang)?;
    let figures = args.figures.options()?;
    let pool = pool(args.threads)?;
    let (base_text, base_name) = match &args.scenario {
        None => (
            xietong_model::builtin::CHENGDU_CHONGQING.to_string(),
            xietong_model::builtin::BUILTIN_NAME.to_string(),
        ),
        Some(p) => {
            // Validate with the CLI's loader for its messages, then keep the text.
            crate::run::load(Some(p), &args.sets)?;
            (
                std::fs::read_to_string(p)
                    .map_err(|e| bad_input(format!("cannot read {}: {e}", p.display())))?,
                p.display().to_string(),
            )
        }
    };
    let pairs = present::variant_pairs(&args.variants).map_err(|e| present_err(e, None))?;
    // Every scenario is checked before anything runs.
    let mut scenarios = Vec::new();
    for (a, b, _) in &pairs {
        let sa = c::variant_scenario(&base_text, &base_name, &args.sets, a).map_err(to_anyhow)?;
        let sb = c::variant_scenario(&base_text, &base_name, &args.sets, b).map_err(to_anyhow)?;
        scenarios.push((sa, sb));
    }
    if args.runs < 2 {
        return Err(bad_input("--runs: a paired interval needs at least 2 runs"));
    }
    if args.runs as u64 > crate::limits::MAX_RUNS {
        return Err(bad_input(format!(
            "--runs {}: at most {} runs per arm",
            args.runs,
            crate::limits::MAX_RUNS
        )));
    }
    // The results folder is prepared before simulating: an unusable location fails fast.
    let set = begin_set(&args.out, &COMPARE_FILES)?;
    let bar = progress((pairs.len() * args.runs * 2) as u64, "comparing");
    let mut results = Vec::new();
    for ((a, b, label), (sa, sb)) in pairs.iter().zip(&scenarios) {
        let r = pool
            .install(|| {
                c::compare(label, (a, sa), (b, sb), args.runs, args.seed, &|| {
                    bar.inc(1)
                })
            })
            .map_err(to_anyhow)?;
        results.push(r);
    }
    bar.finish_and_clear();
    let o = present::compare_outputs(&results, &base_name, lang, &figures)
        .map_err(|e| present_err(e, None))?;
    let mut files: Vec<(&str, &[u8])> = vec![
        ("compare.csv", o.csv.as_bytes()),
        ("compare.json", o.json.as_bytes()),
        ("report.html", o.html.as_bytes()),
    ];
    files.extend(
        o.export
            .iter()
            .map(|f| (f.name.as_str(), f.bytes.as_slice())),
    );
    finish_set(set, &args.out, &COMPARE_FILES, &files)?;
    println!("{}", o.markdown);
    eprintln!(
        "{} comparisons × {} paired runs, seed {} → {}/",
        results.len(),
        args.runs,
        args.seed,
        args.out.display()
    );
    Ok(())
}

#[derive(Args)]
pub struct CalibrateArgs {
    /// Calibration file (TOML, see docs/experiments.md): base scenario, [[parameter]] with
    /// bounds, [calibration] settings.
    pub file: PathBuf,
    /// Output folder for calibration.json, calibrated.toml and report.html.
    #[arg(long, default_value = "calibrate-out")]
    pub out: PathBuf,
    /// A targets JSON file (overrides [calibration] targets; default: the paper's survey window).
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = crate::limits::whole_usize, allow_negative_numbers = true)]
    pub threads: Option<usize>,
}

pub fn calibrate(args: CalibrateArgs) -> Result<()> {
    use xietong_experiment::calibrate as cal;
    if args.out.exists() && !args.out.is_dir() {
        return Err(bad_input(format!(
            "--out {}: exists and is not a folder",
            args.out.display()
        )));
    }
    let pool = pool(args.threads)?;
    let name = args.file.display().to_string();
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| bad_input(format!("cannot read {name}: {e}")))?;
    let spec = present::parse_calibration_spec(&name, &text).map_err(|e| present_err(e, None))?;
    let dir = args.file.parent().unwrap_or(std::path::Path::new("."));
    let (base_text, base_name) = if spec.base.scenario == "builtin" {
        (
            xietong_model::builtin::CHENGDU_CHONGQING.to_string(),
            xietong_model::builtin::BUILTIN_NAME.to_string(),
        )
    } else {
        let p = dir.join(&spec.base.scenario);
        (
            std::fs::read_to_string(&p)
                .map_err(|e| bad_input(format!("cannot read scenario {}: {e}", p.display())))?,
            p.display().to_string(),
        )
    };
    let targets_path = args
        .targets
        .clone()
        .or_else(|| spec.calibration.targets.as_ref().map(|t| dir.join(t)));
    let (targets, targets_name) = match &targets_path {
        None => (
            cal::Targets::paper(),
            "the paper's survey window".to_string(),
        ),
        Some(p) => {
            let t = std::fs::read_to_string(p)
                .map_err(|e| bad_input(format!("cannot read targets {}: {e}", p.display())))?;
            (
                cal::Targets::parse_json(&t, &p.display().to_string()).map_err(to_anyhow)?,
                p.display().to_string(),
            )
        }
    };
    let c = cal::Calibration::with_targets_from(
        &text,
        &name,
        &base_text,
        &base_name,
        targets,
        &targets_name,
    )
    .map_err(to_anyhow)?;
    let s = &c.settings;
    eprintln!("{}", present::calibration_plan_text(&c, &targets_name));
    let started = Instant::now();
    let bar = ProgressBar::with_draw_target(Some(s.restarts as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} fitting [{bar:30}] {pos}/{len} restarts, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let outcome = pool
        .install(|| cal::calibrate(&c, &|_| bar.inc(1)))
        .map_err(to_anyhow)?;
    bar.finish_and_clear();
    let o = present::calibration_outputs(&c, &outcome, &name, &targets_name, &base_name)
        .map_err(|e| present_err(e, None))?;
    write(&args.out.join("calibration.json"), &o.json)?;
    write(&args.out.join("calibrated.toml"), &o.toml)?;
    write(&args.out.join("report.html"), &o.html)?;
    write_files(&args.out, &o.export)?;
    println!("{}", o.markdown);
    eprintln!(
        "{:.1} s → {}/calibrated.toml, calibration.json, report.html, report.docx, tables.xlsx, tables.tex",
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}
