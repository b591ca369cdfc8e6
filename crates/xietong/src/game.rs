//! `xietong game …` (issue 3): the command-line side of the evolutionary-game engine. Reads game
//! files, prints what `xietong_present::game` renders and writes result files atomically; every
//! computation lives in `xietong-game`, every table and chart in `xietong-present`.

use crate::error::bad_input;
use crate::io::{FigureArgs, write_atomic};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use xietong_present::game::{self as present, Formats, LoadedGame};
use xietong_present::{Error, OutputFile};

#[derive(Subcommand)]
pub enum GameCmd {
    /// Every rest point with its Jacobian eigenvalues and stability; for pure profiles also the
    /// symbolic eigenvalues and stability conditions (text and LaTeX).
    Analyze(AnalyzeArgs),
    /// Trajectories (Dormand-Prince 5(4)) from a grid of starts or given ones: CSV, phase
    /// portraits and time plots.
    Simulate(SimulateArgs),
    /// How the stable set and a trajectory change as one parameter moves over a range.
    Sweep(SweepArgs),
}

#[derive(Args, Clone)]
pub struct CommonArgs {
    /// Game file (TOML; see docs/games.md).
    pub file: PathBuf,
    /// Override a parameter, e.g. `--set C=3` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Language of tables and charts: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Also write the pure-profile stability table as a LaTeX file.
    #[arg(long, value_name = "PATH")]
    pub latex: Option<PathBuf>,
    /// Also write the rest-point table for journals to this folder: tables.xlsx, tables.tex
    /// (booktabs) and report.docx.
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
}

#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Start state (repeatable). Two-strategy games: the share playing the first strategy in
    /// each population, e.g. `0.2,0.7`. Otherwise each population's mixed strategy, separated
    /// by `;`, e.g. `0.2,0.8;0.1,0.3,0.6`. Default: the grid {0.1,0.5,0.9} per population.
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub from: Vec<String>,
    /// End time.
    #[arg(long, default_value_t = 50.0, allow_negative_numbers = true)]
    pub t_end: f64,
    /// Number of output times (evenly spaced from 0 to t-end).
    #[arg(long, default_value_t = 201)]
    pub points: usize,
    /// Relative and absolute error tolerance of the integrator.
    #[arg(long, default_value_t = 1e-8, allow_negative_numbers = true)]
    pub rtol: f64,
    #[arg(long, default_value_t = 1e-10, allow_negative_numbers = true)]
    pub atol: f64,
    /// Output directory (CSV and figures).
    #[arg(long, default_value = "game-simulate")]
    pub out: PathBuf,
    /// Figure format: svg, png or both (screen size; see --figures for print size).
    #[arg(long, default_value = "svg")]
    pub format: String,
    #[command(flatten)]
    pub figures: FigureArgs,
}

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Parameter to vary.
    #[arg(long)]
    pub param: String,
    /// Values as A:B:N (N evenly spaced values from A to B); negative bounds are fine
    /// (`--range -1:1:3`).
    #[arg(long, allow_hyphen_values = true)]
    pub range: String,
    /// Start of the trajectory recorded at each value (format as in `simulate`); default 0.5 everywhere.
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub from: Option<String>,
    #[arg(long, default_value_t = 50.0, allow_negative_numbers = true)]
    pub t_end: f64,
    #[arg(long, default_value_t = 201)]
    pub points: usize,
    /// Output directory (CSV and figures).
    #[arg(long, default_value = "game-sweep")]
    pub out: PathBuf,
    /// Figure format: svg, png or both (screen size; see --figures for print size).
    #[arg(long, default_value = "svg")]
    pub format: String,
    #[command(flatten)]
    pub figures: FigureArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: GameCmd) -> anyhow::Result<()> {
    match cmd {
        GameCmd::Analyze(a) => run_analyze(a),
        GameCmd::Simulate(a) => run_simulate(a),
        GameCmd::Sweep(a) => run_sweep(a),
    }
}

/// A present error as the CLI reports it: input errors exit 2; a figure that cannot be drawn
/// names its path under `out`.
pub fn present_err(e: Error, out: Option<&Path>) -> anyhow::Error {
    match e {
        Error::Draw { what, source } => {
            let what = match out {
                Some(dir) => dir.join(&what).display().to_string(),
                None => what,
            };
            anyhow::Error::new(source).context(format!("drawing {what}"))
        }
        Error::Experiment(e) => crate::experiment::to_anyhow(e),
        e if e.is_input() => bad_input(e),
        e => anyhow::Error::new(e),
    }
}

fn load(c: &CommonArgs) -> anyhow::Result<LoadedGame> {
    let lang = present::parse_lang(&c.lang).map_err(|e| present_err(e, None))?;
    let text = std::fs::read_to_string(&c.file)
        .map_err(|e| bad_input(format!("cannot read game file {}: {e}", c.file.display())))?;
    LoadedGame::new(&c.file.display().to_string(), &text, &c.set, lang)
        .map_err(|e| present_err(e, None))
}

/// Print to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
fn emit(s: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

fn run_analyze(a: AnalyzeArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    if let Some(path) = &a.latex
        && path.is_dir()
    {
        return Err(bad_input(format!(
            "--latex {}: is a folder; expected a file name such as table.tex",
            path.display()
        )));
    }
    if let Some(dir) = &a.tables {
        prepare_out_dir(dir).map_err(|e| bad_input(format!("--tables: {e}")))?;
    }
    let analysis = ld.analyze();
    if let Some(dir) = &a.tables {
        let files =
            present::analysis_table_files(&ld, &analysis).map_err(|e| present_err(e, Some(dir)))?;
        write_all(dir, &files)?;
    }
    if let Some(path) = &a.latex {
        let tex = present::latex_table(&ld, &analysis);
        write_atomic(path, tex.as_bytes())
            .map_err(|e| bad_input(format!("--latex {}: cannot write: {e}", path.display())))?;
    }
    if a.json {
        let v = present::analysis_json(&ld, &analysis);
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    } else {
        emit(&present::analysis_text(&ld, &analysis));
    }
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// The output folder must be usable before anything is computed or written.
fn prepare_out_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(bad_input(format!(
            "--out {}: exists and is not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        bad_input(format!(
            "--out {}: cannot create the folder: {e}",
            dir.display()
        ))
    })?;
    Ok(())
}

/// Write a complete output set that was rendered in memory beforehand into `dir`; a failure to
/// write is an unusable output location (exit status 2). Returns the paths written, in order.
fn write_all(dir: &Path, files: &[OutputFile]) -> anyhow::Result<Vec<PathBuf>> {
    prepare_out_dir(dir)?;
    let mut written = Vec::new();
    for f in files {
        let p = dir.join(&f.name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| bad_input(format!("cannot create {}: {e}", parent.display())))?;
        }
        write_atomic(&p, &f.bytes)
            .map_err(|e| bad_input(format!("cannot write {}: {e}", p.display())))?;
        written.push(p);
    }
    Ok(written)
}

fn run_simulate(a: SimulateArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    let err = |e| present_err(e, Some(&a.out));
    let formats = Formats::parse(&a.format).map_err(err)?;
    let figures = a.figures.options()?;
    let opts = present::SimulateOptions {
        from: a.from.clone(),
        t_end: a.t_end,
        points: a.points,
        rtol: a.rtol,
        atol: a.atol,
    };
    let plan = present::plan_simulation(&ld, &opts).map_err(err)?;
    for w in plan.warnings() {
        eprintln!("warning: {w}");
    }
    let sim = plan.run(&ld).map_err(err)?;
    // Everything is rendered in memory first, so a failure leaves no partial set behind.
    let mut files = present::simulation_files(&ld, &sim, formats).map_err(err)?;
    files.extend(present::simulation_figure_files(&ld, &sim, &figures).map_err(err)?);
    let written = write_all(&a.out, &files)?;
    let mut text = present::simulation_summary(&ld, &sim);
    for p in &written {
        text += &present::wrote_line(ld.lang, &p.display().to_string());
    }
    print!("{text}");
    Ok(())
}

fn run_sweep(a: SweepArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    let err = |e| present_err(e, Some(&a.out));
    let formats = Formats::parse(&a.format).map_err(err)?;
    let figures = a.figures.options()?;
    let opts = present::SweepOptions {
        param: a.param.clone(),
        range: a.range.clone(),
        from: a.from.clone(),
        t_end: a.t_end,
        points: a.points,
    };
    let sw = present::sweep(&ld, &opts).map_err(err)?;
    let mut files = present::sweep_files(&ld, &sw, formats).map_err(err)?;
    files.extend(present::sweep_figure_files(&ld, &sw, &figures).map_err(err)?);
    let written = write_all(&a.out, &files)?;
    if a.json {
        let v = present::sweep_json(&ld, &sw);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let mut text = present::sweep_text(&ld, &sw);
        text += &present::wrote_line(
            ld.lang,
            &format!("{}, {}", written[0].display(), written[1].display()),
        );
        for p in &written[2..] {
            text += &present::wrote_line(ld.lang, &p.display().to_string());
        }
        print!("{text}");
    }
    Ok(())
}
