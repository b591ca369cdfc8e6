//! Simulator page endpoints. The scenario travels as the parsed TOML document (JSON for the form)
//! or as TOML text; either way it is validated by `xietong_model::parse_scenario`, the CLI's
//! loader, so the page shows the same located errors as `xietong scenario check`. Runs go through
//! `xietong_sim::simulate` in batches, so the charts appear as the runs come in, and each run then
//! through the library functions `xietong run` streams its runs through (see [`RunFiles`]); the
//! live charts, the report and the paper-ready files are `xietong_present::run`'s. A comparison of
//! two arms goes through `xietong_experiment::compare` (common random numbers) and
//! `xietong_present::experiment::compare_outputs`, as `xietong compare` does.

use crate::jobs::{Job, Stop, file};
use crate::{Shared, bad_request, blocking};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::OnceLock;
use xietong_experiment::compare as cmp;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_model::{LoadError, Scenario, parse_scenario};
use xietong_present::figures::FigureOptions;
use xietong_present::run as run_present;
use xietong_report::Lang;
use xietong_sim::output::{self, RowWriter};
use xietong_sim::{Collected, Collector, RunResult, simulate};

/// Most runs of one studio simulation (its files are held in memory for download).
pub const MAX_RUNS: u64 = 10_000;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/sim/builtin", get(builtin))
        .route("/sim/check", post(check))
        .route("/sim/run", post(run))
        .route("/sim/compare", post(compare))
}

/// A scenario as the page sends it: TOML text (from the file editor or an upload) or the form's
/// document. `name` labels messages like the CLI's file name.
#[derive(Deserialize)]
pub struct ScenarioIn {
    toml: Option<String>,
    doc: Option<Value>,
    name: Option<String>,
}

/// The scenario's text, its document for the form (when it parses as TOML) and the loader's verdict.
pub struct Checked {
    pub name: String,
    pub text: String,
    pub doc: Option<Value>,
    pub result: Result<Scenario, LoadError>,
}

impl ScenarioIn {
    pub fn check(&self) -> Result<Checked, String> {
        let name = self
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "scenario.toml".into());
        let (text, doc) = match (&self.toml, &self.doc) {
            (Some(t), _) => {
                let doc = toml::from_str::<toml::Table>(t)
                    .ok()
                    .and_then(|t| serde_json::to_value(t).ok());
                (t.clone(), doc)
            }
            (None, Some(d)) => {
                let table: toml::Table = serde_json::from_value(d.clone())
                    .map_err(|e| format!("the form's scenario is not a TOML document: {e}"))?;
                let text = toml::to_string(&table)
                    .map_err(|e| format!("the form's scenario cannot be written as TOML: {e}"))?;
                (text, Some(d.clone()))
            }
            (None, None) => return Err("send the scenario as \"toml\" text or a \"doc\"".into()),
        };
        let result = parse_scenario(&text, &name);
        Ok(Checked {
            name,
            text,
            doc,
            result,
        })
    }
}

/// The loader's problems for the page: each with its dotted path (to mark the form field) and
/// line/column (to mark the text), plus the CLI's full message.
pub fn problems_json(e: &LoadError) -> Value {
    json!({
        "message": e.to_string(),
        "problems": e.problems.iter().map(|p| json!({
            "path": p.path,
            "line": p.line_col.map(|l| l.0),
            "column": p.line_col.map(|l| l.1),
            "message": p.message,
        })).collect::<Vec<_>>(),
    })
}

fn summary_of(s: &Scenario) -> Value {
    let jurisdictions: u64 = if s.jurisdictions.is_empty() {
        s.zones.iter().map(|z| z.jurisdictions as u64).sum()
    } else {
        s.jurisdictions.len() as u64
    };
    json!({
        "name": s.name,
        "provinces": s.provinces.len(),
        "zones": s.zones.len(),
        "jurisdictions": jurisdictions,
        "domains": s.domains.len(),
        "periods": s.calendar.periods,
        "start": s.calendar.start.to_string(),
    })
}

/// Choices of every enumerated field, found by asking the loader: each string field of the
/// built-in scenario is set to an impossible value and the loader's "expected one of" list is
/// read back. The form thus follows the model's own types without a copy of them here.
fn choices() -> &'static BTreeMap<String, Vec<String>> {
    static CHOICES: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    CHOICES.get_or_init(|| {
        let base: toml::Table = toml::from_str(CHENGDU_CHONGQING).expect("built-in parses");
        let mut paths = Vec::new();
        string_leaves(&toml::Value::Table(base.clone()), String::new(), &mut paths);
        let mut out = BTreeMap::new();
        for (path, pattern) in paths {
            if out.contains_key(&pattern) {
                continue;
            }
            let mut t = toml::Value::Table(base.clone());
            set_at(&mut t, &path, toml::Value::String("\u{1}".into()));
            let text = toml::to_string(&t).expect("writable");
            if let Err(e) = parse_scenario(&text, "probe") {
                for p in &e.problems {
                    if let Some(list) = expected_one_of(&p.message) {
                        out.insert(pattern.clone(), list);
                        break;
                    }
                }
            }
        }
        out
    })
}

/// String leaves as (path with indices, path with `[]` for any index); first row of arrays only.
fn string_leaves(v: &toml::Value, path: String, out: &mut Vec<(Vec<PathPart>, String)>) {
    fn walk(v: &toml::Value, parts: Vec<PathPart>, out: &mut Vec<(Vec<PathPart>, String)>) {
        match v {
            toml::Value::String(_) => {
                let pattern = parts
                    .iter()
                    .map(|p| match p {
                        PathPart::Key(k) => format!(".{k}"),
                        PathPart::Index(_) => "[]".into(),
                    })
                    .collect::<String>();
                out.push((parts, pattern.trim_start_matches('.').to_string()));
            }
            toml::Value::Table(t) => {
                for (k, x) in t {
                    let mut p = parts.clone();
                    p.push(PathPart::Key(k.clone()));
                    walk(x, p, out);
                }
            }
            toml::Value::Array(a) => {
                if let Some(first) = a.first() {
                    let mut p = parts.clone();
                    p.push(PathPart::Index(0));
                    walk(first, p, out);
                }
            }
            _ => {}
        }
    }
    let _ = path;
    walk(v, Vec::new(), out)
}

#[derive(Clone)]
enum PathPart {
    Key(String),
    Index(usize),
}

fn set_at(v: &mut toml::Value, path: &[PathPart], new: toml::Value) {
    let mut cur = v;
    for p in path {
        cur = match (p, cur) {
            (PathPart::Key(k), toml::Value::Table(t)) => t.get_mut(k).expect("path exists"),
            (PathPart::Index(i), toml::Value::Array(a)) => &mut a[*i],
            _ => return,
        };
    }
    *cur = new;
}

/// The variants in a serde "expected one of `a`, `b`" message.
fn expected_one_of(message: &str) -> Option<Vec<String>> {
    let rest = &message[message.find("expected one of")? + "expected one of".len()..];
    let list: Vec<String> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.to_string())
        .collect();
    (!list.is_empty()).then_some(list)
}

async fn builtin() -> Response {
    let doc = blocking(|| {
        let table: toml::Table = toml::from_str(CHENGDU_CHONGQING).expect("built-in parses");
        json!({
            "name": BUILTIN_NAME,
            "toml": CHENGDU_CHONGQING,
            "doc": table,
            "choices": choices(),
            "variants": cmp::builtin_variants(),
            "labels": xietong_model::labels::PATH_LABELS
                .iter()
                .map(|(p, en, zh)| (p.to_string(), [en.to_string(), zh.to_string()]))
                .collect::<BTreeMap<_, _>>(),
        })
    })
    .await;
    Json(doc).into_response()
}

async fn check(Json(input): Json<ScenarioIn>) -> Response {
    blocking(move || match input.check() {
        Err(e) => bad_request(e, Value::Null),
        Ok(c) => {
            let (ok, problems, summary) = match &c.result {
                Ok(s) => (true, Value::Null, summary_of(s)),
                Err(e) => (false, problems_json(e), Value::Null),
            };
            Json(json!({
                "ok": ok,
                "toml": c.text,
                "doc": c.doc,
                "problems": problems,
                "summary": summary,
            }))
            .into_response()
        }
    })
    .await
}

#[derive(Deserialize)]
struct RunIn {
    #[serde(flatten)]
    scenario: ScenarioIn,
    #[serde(default = "one")]
    seed: u64,
    #[serde(default = "thirty")]
    runs: u64,
    #[serde(default)]
    lang: String,
    #[serde(flatten)]
    figures: FiguresIn,
}

fn one() -> u64 {
    1
}
fn thirty() -> u64 {
    30
}

fn lang_of(s: &str) -> Lang {
    Lang::parse(s).unwrap_or(Lang::En)
}

fn check_runs(runs: u64) -> Result<(), String> {
    if runs == 0 || runs > MAX_RUNS {
        return Err(format!("runs: expected 1 to {MAX_RUNS}, found {runs}"));
    }
    Ok(())
}

/// Validate the scenario of a request, or the 400 answer that explains why it is not valid.
fn valid(input: &ScenarioIn) -> Result<(Checked, Scenario), Response> {
    let c = input.check().map_err(|e| bad_request(e, Value::Null))?;
    match &c.result {
        Ok(s) => {
            let s = s.clone();
            Ok((c, s))
        }
        Err(e) => Err(bad_request(e.to_string(), problems_json(e))),
    }
}

/// Figure files as `xietong run --figures` takes them (comma list of svg, png, pdf; empty or
/// "none" for none), with `--dpi` and `--figure-size`: the same fields for the simulator and
/// compare.
#[derive(Deserialize, Default)]
struct FiguresIn {
    #[serde(default)]
    figures: Option<String>,
    #[serde(default)]
    dpi: Option<String>,
    #[serde(default)]
    figure_size: Option<String>,
}

impl FiguresIn {
    /// Checked as the CLI's options are (same messages).
    fn parse(&self) -> Result<FigureOptions, Response> {
        FigureOptions::parse(
            self.figures.as_deref(),
            self.dpi.as_deref(),
            self.figure_size.as_deref(),
        )
        .map_err(|e| bad_request(e, Value::Null))
    }
}

async fn run(State(st): State<Shared>, Json(input): Json<RunIn>) -> Response {
    if let Err(e) = check_runs(input.runs) {
        return bad_request(e, Value::Null);
    }
    let figures = match input.figures.parse() {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (c, s) = match blocking({
        let sc = input.scenario;
        move || valid(&sc)
    })
    .await
    {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (seed, runs, lang) = (input.seed, input.runs, lang_of(&input.lang));
    let id = st.jobs.spawn("sim", runs, move |job| {
        let mut out = RunFiles::new(&s);
        let mut preview = Preview::new(&s);
        run_batches(job, &s, seed, runs, &mut |batch, job| {
            for r in batch {
                out.push(&r)?;
                preview.push(r);
            }
            job.set_partial(
                json!({ "charts": preview.charts(&c.name, seed, lang)?, "runs": preview.runs() }),
            );
            Ok(())
        })?;
        drop(preview);
        job.check()?;
        let (collected, mut files) = out.finish(seed)?;
        let text = c.text.clone();
        let report = Arc::new(
            move |lang: Lang| -> Result<(Value, Vec<crate::jobs::File>), Stop> {
                let (html, export) =
                    run_present::report_files(&s, &c.name, seed, &collected, lang, &figures)
                        .map_err(|e| Stop::Failed(e.to_string()))?;
                let mut files = vec![file("report.html", html)];
                files.extend(export.into_iter().map(|f| file(&f.name, f.bytes)));
                let result = json!({
                    "runs": collected.aggregate.runs,
                    "summary": summary_of(&s),
                    "lang": lang.pick("en", "zh"),
                });
                Ok((result, files))
            },
        );
        let (result, report_files) = report(lang)?;
        job.set_relang(report);
        // The files of `xietong run` in its order (data, report, paper-ready files), then the
        // scenario that was run.
        files.extend(report_files);
        files.push(file("scenario.toml", text));
        Ok((result, files))
    });
    Json(json!({ "job": id })).into_response()
}
/// Run `runs` runs in growing batches (first a quick one, so that the first charts come soon),
/// handing each batch, in run order, to `each`; stops when the job is cancelled or a run
/// overflows (before any of that run is kept).
fn run_batches(
    job: &Job,
    s: &Scenario,
    seed: u64,
    runs: u64,
    each: &mut dyn FnMut(Vec<RunResult>, &Job) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let threads = rayon::current_num_threads() as u64;
    let mut batch = threads.max(2);
    let mut from = 0;
    while from < runs {
        job.check()?;
        let to = (from + batch).min(runs);
        let more: Vec<RunResult> = (from..to)
            .into_par_iter()
            .map(|r| {
                let out = simulate(s, seed, r);
                job.tick();
                out
            })
            .collect();
        if let Some((r, (t, what))) = more
            .iter()
            .enumerate()
            .find_map(|(r, res)| res.first_non_finite().map(|x| (from as usize + r, x)))
        {
            return Err(Stop::Failed(format!(
                "the simulation overflowed ({what} is not a finite number in run {r}, quarter {}); lower dynamics.growth_rate, the domains' values and local benefits, or calendar.periods",
                s.period_label(t)
            )));
        }
        from = to;
        each(more, job)?;
        batch = (batch * 2).min((runs / 4).max(threads));
    }
    Ok(())
}

/// The data files of `xietong run`, made as it makes them: each run's rows appended in run order
/// by `RowWriter`, the `per_run` entries of `summary.json` framed by `summary_frame` once the
/// aggregate is known, and the aggregate and bands gathered by `xietong_sim::Collector`. Runs are
/// not kept.
struct RunFiles<'a> {
    s: &'a Scenario,
    rows: RowWriter,
    timeseries: Vec<u8>,
    zones: Vec<u8>,
    entries: Vec<u8>,
    collector: Collector<'a>,
}

impl<'a> RunFiles<'a> {
    fn new(s: &'a Scenario) -> Self {
        RunFiles {
            s,
            rows: RowWriter::new(s),
            timeseries: RowWriter::timeseries_header(s),
            zones: RowWriter::zones_header(),
            entries: Vec::new(),
            collector: Collector::in_memory(s),
        }
    }

    fn push(&mut self, r: &RunResult) -> Result<(), Stop> {
        self.rows.timeseries_rows(r, &mut self.timeseries);
        self.rows.zones_rows(r, &mut self.zones);
        if self.collector.runs() > 0 {
            self.entries.extend_from_slice(b",\n");
        }
        self.entries
            .extend_from_slice(output::summary_entry_text(self.s, r).as_bytes());
        self.collector.push(r)?;
        Ok(())
    }

    /// What the report needs, and timeseries.csv, zones.csv and summary.json.
    fn finish(self, seed: u64) -> Result<(Collected, Vec<crate::jobs::File>), Stop> {
        let collected = self.collector.finish()?;
        let agg = &collected.aggregate;
        let (head, tail) = output::summary_frame(self.s, seed, agg.runs, agg);
        let mut summary = head.into_bytes();
        summary.extend_from_slice(&self.entries);
        summary.extend_from_slice(tail.as_bytes());
        let files = vec![
            file("timeseries.csv", self.timeseries),
            file("zones.csv", self.zones),
            file("summary.json", summary),
        ];
        Ok((collected, files))
    }
}

/// Memory the live charts may hold (see [`Preview`]).
const PREVIEW_BYTES: usize = 96 << 20;

/// The live charts while runs come in: the run report's own figures
/// (`xietong_present::run::report_parts`) drawn from a `Collected` of the runs so far. A
/// `Collector` gives its `Collected` only once (`finish` takes it), so the preview keeps each run
/// without what the report does not read (zone and per-province records) and collects them
/// afresh for every redraw; past [`PREVIEW_BYTES`] it stops taking runs and says how many it
/// shows. The files and the final report come from [`RunFiles`], which keeps no runs.
struct Preview<'a> {
    s: &'a Scenario,
    kept: Vec<RunResult>,
    bytes: usize,
    full: bool,
}

impl<'a> Preview<'a> {
    fn new(s: &'a Scenario) -> Self {
        Preview {
            s,
            kept: Vec::new(),
            bytes: 0,
            full: false,
        }
    }

    fn push(&mut self, mut r: RunResult) {
        if self.full {
            return;
        }
        for p in &mut r.periods {
            p.zones = Vec::new();
            p.coop_province_domain = Default::default();
            p.alignment_domain = Vec::new();
            p.active_domain = Vec::new();
        }
        let size = r.periods.len()
            * (std::mem::size_of::<xietong_sim::PeriodRecord>() + 8 * self.s.domains.len())
            + 64 * (self.s.domains.len() + self.s.zones.len() + 8);
        if self.bytes + size > PREVIEW_BYTES {
            self.full = true;
            return;
        }
        self.bytes += size;
        self.kept.push(r);
    }

    fn runs(&self) -> usize {
        self.kept.len()
    }

    fn collected(&self) -> Result<Collected, Stop> {
        let mut c = Collector::in_memory(self.s);
        for r in &self.kept {
            c.push(r)?;
        }
        Ok(c.finish()?)
    }

    /// The report's figures of the runs kept so far, as SVG.
    fn charts(&self, source: &str, seed: u64, lang: Lang) -> Result<Vec<String>, Stop> {
        figure_svgs(self.s, source, seed, &self.collected()?, lang)
    }
}

/// The figures of the run report (`xietong_present::run::report_parts`) as SVG.
fn figure_svgs(
    s: &Scenario,
    source: &str,
    seed: u64,
    c: &Collected,
    lang: Lang,
) -> Result<Vec<String>, Stop> {
    let (_, figs) = run_present::report_parts(s, source, seed, c, lang)?;
    figs.iter().map(|f| Ok(f.chart.to_svg()?)).collect()
}

#[derive(Deserialize)]
struct CompareIn {
    #[serde(flatten)]
    scenario: ScenarioIn,
    /// Built-in variant names; empty for the scenario as edited.
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default = "one")]
    seed: u64,
    #[serde(default = "thirty")]
    runs: u64,
    #[serde(default)]
    lang: String,
    #[serde(flatten)]
    figures: FiguresIn,
}

fn variant(name: &str) -> Result<cmp::Variant, String> {
    if name.trim().is_empty() {
        return Ok(cmp::Variant {
            name: "as_edited".into(),
            sets: vec![],
        });
    }
    cmp::parse_variant(name).map_err(|e| e.to_string())
}

/// Two arms side by side with the same seeds: each arm's charts as its runs come in, then the
/// paired differences of `xietong compare`.
async fn compare(State(st): State<Shared>, Json(input): Json<CompareIn>) -> Response {
    if let Err(e) = check_runs(input.runs) {
        return bad_request(e, Value::Null);
    }
    if input.runs < 2 {
        return bad_request(
            "runs: a paired comparison needs at least 2 runs",
            Value::Null,
        );
    }
    let (va, vb) = match (variant(&input.a), variant(&input.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return bad_request(e, Value::Null),
    };
    let prepared = blocking({
        let sc = input.scenario;
        let (va, vb) = (va.clone(), vb.clone());
        move || -> Result<(Checked, Scenario, Scenario), Response> {
            let (c, _) = valid(&sc)?;
            let arm = |v: &cmp::Variant| {
                cmp::variant_scenario(&c.text, &c.name, &[], v)
                    .map_err(|e| bad_request(e.to_string(), Value::Null))
            };
            let (a, b) = (arm(&va)?, arm(&vb)?);
            Ok((c, a, b))
        }
    })
    .await;
    let (c, sa, sb) = match prepared {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (seed, runs, lang) = (input.seed, input.runs, lang_of(&input.lang));
    let figures = match input.figures.parse() {
        Ok(f) => f,
        Err(r) => return r,
    };
    let id = st.jobs.spawn("compare", 4 * runs, move |job| {
        // Each arm's run-report figures as its runs come in (the same charts as the run page).
        let arm =
            |s: &Scenario, shown_a: &Value, first: bool| -> Result<(Value, Collected), Stop> {
                let mut preview = Preview::new(s);
                run_batches(job, s, seed, runs, &mut |batch, job| {
                    batch.into_iter().for_each(|r| preview.push(r));
                    let charts = json!(preview.charts(&c.name, seed, lang)?);
                    job.set_partial(if first {
                        json!({ "a": charts, "b": [] })
                    } else {
                        json!({ "a": shown_a, "b": charts })
                    });
                    Ok(())
                })?;
                let collected = preview.collected()?;
                Ok((
                    json!(figure_svgs(s, &c.name, seed, &collected, lang)?),
                    collected,
                ))
            };
        let (charts_a, col_a) = arm(&sa, &Value::Null, true)?;
        let (_, col_b) = arm(&sb, &charts_a, false)?;
        job.check()?;
        let label = format!("{} vs {}", va.name, vb.name);
        let comparison =
            cmp::compare(&label, (&va, &sa), (&vb, &sb), runs as usize, seed, &|| {
                job.tick()
            })?;
        let results = vec![comparison];
        let name = c.name.clone();
        let a_names = [va.name.clone(), vb.name.clone()];
        // compare.csv, compare.json, report.html and the paper-ready files of `xietong compare`.
        let outputs = Arc::new(
            move |lang: Lang| -> Result<(Value, Vec<crate::jobs::File>), Stop> {
                let o =
                    xietong_present::experiment::compare_outputs(&results, &name, lang, &figures)
                        .map_err(|e| Stop::Failed(e.to_string()))?;
                let mut files = vec![
                    file("compare.csv", o.csv),
                    file("compare.json", o.json),
                    file("report.html", o.html),
                ];
                files.extend(o.export.into_iter().map(|f| file(&f.name, f.bytes)));
                let result = json!({
                    "a": figure_svgs(&sa, &name, seed, &col_a, lang)?,
                    "b": figure_svgs(&sb, &name, seed, &col_b, lang)?,
                    "names": a_names,
                    "table": crate::table_json(&cmp::display_table(&results, lang)),
                    "lang": lang.pick("en", "zh"),
                });
                Ok((result, files))
            },
        );
        let (result, mut files) = outputs(lang)?;
        job.set_relang(outputs);
        files.push(file("scenario.toml", c.text.clone()));
        Ok((result, files))
    });
    Json(json!({ "job": id })).into_response()
}
