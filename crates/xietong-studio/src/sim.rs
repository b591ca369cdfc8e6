//! Simulator page endpoints. The scenario travels as the parsed TOML document (JSON for the form)
//! or as TOML text; either way it is validated by `xietong_model::parse_scenario`, the CLI's
//! loader, so the page shows the same located errors as `xietong scenario check`. Runs go through
//! `xietong_sim::simulate` in batches, so the charts appear as the runs come in; a comparison of
//! two arms goes through `xietong_experiment::compare` (common random numbers).

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
use std::sync::OnceLock;
use xietong_experiment::compare as cmp;
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_model::{LoadError, Scenario, parse_scenario};
use xietong_report::Lang;
use xietong_sim::{Aggregate, RunResult, output, simulate};

/// Most runs one studio simulation holds in memory.
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

async fn run(State(st): State<Shared>, Json(input): Json<RunIn>) -> Response {
    if let Err(e) = check_runs(input.runs) {
        return bad_request(e, Value::Null);
    }
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
        let results = run_batches(job, &s, seed, runs, &|results, job| {
            job.set_partial(json!({ "charts": crate::sim::preview(&s, results, lang)? }));
            Ok(())
        })?;
        finish_run(&s, &c, seed, &results, lang)
    });
    Json(json!({ "job": id })).into_response()
}

/// Run `runs` runs in growing batches (first a quick one, so that the first charts come soon),
/// calling `each` with all results so far after every batch; stops when the job is cancelled.
fn run_batches(
    job: &Job,
    s: &Scenario,
    seed: u64,
    runs: u64,
    each: &dyn Fn(&[RunResult], &Job) -> Result<(), Stop>,
) -> Result<Vec<RunResult>, Stop> {
    let threads = rayon::current_num_threads() as u64;
    let mut results: Vec<RunResult> = Vec::with_capacity(runs as usize);
    let mut batch = threads.max(2);
    while (results.len() as u64) < runs {
        job.check()?;
        let from = results.len() as u64;
        let to = (from + batch).min(runs);
        let mut more: Vec<RunResult> = (from..to)
            .into_par_iter()
            .map(|r| {
                let out = simulate(s, seed, r);
                job.tick();
                out
            })
            .collect();
        results.append(&mut more);
        if let Some((r, (t, what))) = results
            .iter()
            .enumerate()
            .skip(from as usize)
            .find_map(|(r, res)| res.first_non_finite().map(|x| (r, x)))
        {
            return Err(Stop::Failed(format!(
                "the simulation overflowed ({what} is not a finite number in run {r}, quarter {}); lower dynamics.growth_rate, the domains' values and local benefits, or calendar.periods",
                s.period_label(t)
            )));
        }
        each(&results, job)?;
        batch = (batch * 2).min((runs / 4).max(threads));
    }
    Ok(results)
}

/// The finished run: overview for the page and every output file, plus the scenario as edited.
fn finish_run(
    s: &Scenario,
    c: &Checked,
    seed: u64,
    results: &[RunResult],
    lang: Lang,
) -> Result<(Value, Vec<crate::jobs::File>), Stop> {
    let agg = Aggregate::of(s, results);
    let report = crate::sim::report(s, &c.name, seed, results, &agg, lang)?;
    let files = vec![
        file("timeseries.csv", output::timeseries_csv(s, results)),
        file("zones.csv", output::zones_csv(s, results)),
        file("summary.json", output::summary_json(s, seed, results, &agg)),
        file("report.html", report),
        file("scenario.toml", c.text.clone()),
    ];
    let result = json!({
        "charts": preview(s, results, lang)?,
        "aggregate": agg,
        "summary": summary_of(s),
    });
    Ok((result, files))
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
        return bad_request("runs: a paired comparison needs at least 2 runs", Value::Null);
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
    let id = st.jobs.spawn("compare", 4 * runs, move |job| {
        let ra = run_batches(job, &sa, seed, runs, &|res, job| {
            job.set_partial(json!({ "a": preview(&sa, res, lang)?, "b": [] }));
            Ok(())
        })?;
        let charts_a = preview(&sa, &ra, lang)?;
        let rb = run_batches(job, &sb, seed, runs, &|res, job| {
            job.set_partial(json!({ "a": charts_a, "b": preview(&sb, res, lang)? }));
            Ok(())
        })?;
        job.check()?;
        let label = format!("{} − {}", va.name, vb.name);
        let comparison = cmp::compare(&label, (&va, &sa), (&vb, &sb), runs as usize, seed, &|| {
            job.tick()
        })?;
        let table = cmp::table(std::slice::from_ref(&comparison));
        let report = cmp::report(std::slice::from_ref(&comparison), &c.name, lang)?;
        let files = vec![
            file("compare.csv", table.to_csv()),
            file(
                "compare.json",
                serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())?,
            ),
            file("report.html", report),
            file("scenario.toml", c.text.clone()),
        ];
        let result = json!({
            "a": charts_a,
            "b": preview(&sb, &rb, lang)?,
            "names": [va.name, vb.name],
            "table": crate::table_json(&table),
        });
        Ok((result, files))
    });
    Json(json!({ "job": id })).into_response()
}

pub use preview::{preview, report};

mod preview {
    //! Charts of the runs so far and the downloadable report.
    // TODO(xietong-present::run): replace with the shared run report once it moves out of the CLI.
    use crate::jobs::Stop;
    use xietong_model::{Scenario, Tier};
    use xietong_report::{Block, Chart, HtmlReport, Lang, LineChart, Section, Series};
    use xietong_sim::output::bands;
    use xietong_sim::{Aggregate, PeriodRecord, RunResult};

    fn series(results: &[RunResult], name: String, f: impl Fn(&PeriodRecord) -> f64) -> Series {
        let (mean, lo, hi) = bands(results, f);
        Series {
            name,
            x: (0..mean.len()).map(|t| t as f64).collect(),
            y: mean,
            lower: Some(lo),
            upper: Some(hi),
        }
    }

    pub fn preview(s: &Scenario, results: &[RunResult], lang: Lang) -> Result<Vec<String>, Stop> {
        let t = |en: &'static str, zh: &'static str| lang.pick(en, zh).to_string();
        let mut charts = Vec::new();
        for tier in Tier::ALL {
            let ks: Vec<usize> = (0..s.domains.len()).filter(|&k| s.domains[k].tier == tier).collect();
            if ks.is_empty() {
                continue;
            }
            let title = match tier {
                Tier::Basic => t("Basic domains", "基础领域"),
                Tier::Key => t("Key domains", "重点领域"),
                Tier::Other => t("Other domains", "其他领域"),
            };
            let ser = ks
                .iter()
                .map(|&k| {
                    let d = &s.domains[k];
                    let name = lang.pick(&d.name_en, &d.name_zh).to_string();
                    series(results, name, move |p| p.coop_domain[k])
                })
                .collect();
            charts.push(
                LineChart {
                    title: format!("{title} ({} {})", results.len(), t("runs", "次模拟")),
                    x_label: t("Quarter", "季度"),
                    y_label: t("Probability of cooperating", "合作概率"),
                    series: ser,
                    y_range: Some((0.0, 1.0)),
                    width: 640,
                    height: 340,
                    ..Default::default()
                }
                .to_svg()?,
            );
        }
        let state = vec![
            series(results, t("Trust τ", "信任 τ"), |p| p.trust),
            series(results, t("Alignment ā", "标准协同度 ā"), |p| p.alignment),
        ];
        charts.push(
            LineChart {
                title: t("Trust and alignment", "信任与标准协同"),
                x_label: t("Quarter", "季度"),
                y_label: t("Level", "水平"),
                series: state,
                y_range: Some((0.0, 1.0)),
                width: 640,
                height: 340,
                ..Default::default()
            }
            .to_svg()?,
        );
        Ok(charts)
    }

    pub fn report(
        s: &Scenario,
        source: &str,
        seed: u64,
        results: &[RunResult],
        agg: &Aggregate,
        lang: Lang,
    ) -> Result<String, Stop> {
        let _ = agg;
        let blocks = preview(s, results, lang)?.into_iter().map(Block::Svg).collect();
        Ok(HtmlReport {
            title: format!("{} — {}", lang.pick("xietong simulation", "协同模拟"), s.name),
            subtitle: format!("{source}; {} runs, seed {seed}", results.len()),
            lang,
            sections: vec![Section {
                heading: lang.pick("Results", "结果").to_string(),
                blocks,
            }],
        }
        .render())
    }
}
