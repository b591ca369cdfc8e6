//! `xietong run` and `xietong scenario show|check`: load a scenario (built-in or file) with `--set`
//! overrides, simulate many runs in parallel, and write `timeseries.csv`, `zones.csv`,
//! `summary.json` and `report.html`. The files go into a fresh sibling folder that replaces the
//! output folder as a whole (`crate::io::begin_set`), so bad input leaves it untouched and a
//! killed run never leaves a mixed set.

use crate::error::bad_input;
use crate::io::{begin_set, finish_set};
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::time::Duration;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING, chengdu_chongqing};
use xietong_model::{Scenario, parse_with_overrides};
use xietong_report::Lang;
use xietong_sim::{Aggregate, output, run_many};

/// The files of a `run` results folder, written as one set.
const RUN_FILES: [&str; 4] = ["timeseries.csv", "zones.csv", "summary.json", "report.html"];

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

pub fn run(args: RunArgs) -> Result<()> {
    let lang = Lang::parse(&args.lang).ok_or_else(|| {
        bad_input(format!(
            "--lang: expected en or zh, found \"{}\"",
            args.lang
        ))
    })?;
    crate::limits::check_runs(args.runs)?;
    crate::limits::check_threads(args.threads)?;
    let (s, name) = load(args.scenario.as_deref(), &args.sets)?;
    // The results folder is prepared before simulating: an unusable location fails fast.
    let set = begin_set(&args.out, &RUN_FILES)?;
    if let Some(t) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .context("starting the worker threads")?;
    }

    let bar = ProgressBar::with_draw_target(Some(args.runs), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating [{bar:30}] {pos}/{len} runs, {elapsed} elapsed, ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let results = run_many(&s, args.seed, args.runs, &|| bar.inc(1));
    bar.finish_and_clear();
    if let Some((r, (t, what))) = results
        .iter()
        .enumerate()
        .find_map(|(r, res)| res.first_non_finite().map(|x| (r, x)))
    {
        return Err(bad_input(format!(
            "{name}: the simulation overflowed ({what} is not a finite number in run {r}, quarter {}); \
             the scenario's magnitudes make development grow without bound: lower \
             dynamics.growth_rate, the domains' values and local benefits, or calendar.periods. \
             Nothing was written.",
            s.period_label(t)
        )));
    }

    let agg = Aggregate::of(&s, &results);
    let files = [
        ("timeseries.csv", output::timeseries_csv(&s, &results)),
        ("zones.csv", output::zones_csv(&s, &results)),
        (
            "summary.json",
            output::summary_json(&s, args.seed, &results, &agg),
        ),
        (
            "report.html",
            crate::run_report::render(&s, &name, args.seed, &results, &agg, lang)?,
        ),
    ];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(f, t)| (*f, t.as_bytes())).collect();
    finish_set(set, &args.out, &RUN_FILES, &files)?;
    let sp = &agg.survey_period;
    eprintln!(
        "{} runs of {} ({} periods from {}), seed {} → {}/",
        args.runs,
        s.name,
        s.calendar.periods,
        s.calendar.start,
        args.seed,
        args.out.display()
    );
    let stage_now = sp
        .stage_shares
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, v)| format!("{k} ({:.0}%)", v * 100.0))
        .unwrap_or_default();
    eprintln!(
        "survey window {}–{}: most common stage {stage_now}",
        sp.window[0], sp.window[1]
    );
    if let Some(m) = agg.first_transition_period.mean {
        eprintln!(
            "transition reached after {m:.1} periods on average (never in {:.0}% of runs)",
            agg.first_transition_period.never_share.unwrap_or(0.0) * 100.0
        );
    } else {
        eprintln!("transition never reached");
    }
    Ok(())
}
