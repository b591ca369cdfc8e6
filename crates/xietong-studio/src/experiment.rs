//! Experiments page endpoints. An experiment lives in its own folder under the workspace's
//! `experiments/`, named by the studio from the experiment's name, and is run with the library's
//! store (`xietong_experiment::store`) and runner (`xietong_experiment::runner`), exactly as
//! `xietong experiment run --resume` does: complete points survive a cancel or the studio being
//! closed, and "resume" continues from them. Results are analysed by
//! `xietong_experiment::analyze` and shown with `xietong_present::experiment`. An experiment on a
//! scenario file (`base.scenario = "my.toml"`) comes with that file's text in the request (opened
//! or edited on the page): the studio never reads a path an experiment file names. The store
//! keeps its copy in the experiment's folder, so resume and analysis need nothing else.

use crate::jobs::{Stop, file};
use crate::{Shared, bad_request, blocking};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::Path;
use xietong_experiment::ExpError;
use xietong_experiment::analyze as an;
use xietong_experiment::plan::Plan;
use xietong_experiment::runner::{run_points, window_for};
use xietong_experiment::spec::ExperimentSpec;
use xietong_experiment::store::{self, Start};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};
use xietong_report::Lang;

/// The example experiments shipped with the repository.
pub const EXAMPLES: [(&str, &str); 3] = [
    (
        "morris-levers.toml",
        include_str!("../../../examples/experiments/morris-levers.toml"),
    ),
    (
        "sobol-sequencing.toml",
        include_str!("../../../examples/experiments/sobol-sequencing.toml"),
    ),
    (
        "lhs-sweep.toml",
        include_str!("../../../examples/experiments/lhs-sweep.toml"),
    ),
];

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/experiment/examples", get(examples))
        .route("/experiment/list", get(list))
        .route("/experiment/start", post(start))
        .route("/experiment/resume", post(resume))
        .route("/experiment/analyze", post(analyze))
}

async fn examples() -> Response {
    crate::examples_json(&EXAMPLES)
}

/// Folder name from the experiment's name: letters, digits, `-` and `_` only.
fn folder_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(48)
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "experiment".into() } else { s }
}

fn status_of(dir: &Path) -> &'static str {
    if dir.join(store::RESULTS).exists() {
        "complete"
    } else if dir.join(store::MANIFEST).exists() {
        "partial"
    } else {
        "empty"
    }
}

async fn list(State(st): State<Shared>) -> Response {
    blocking(move || {
        let mut out = Vec::new();
        if let Ok(rd) = std::fs::read_dir(st.workspace.experiments_root()) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(dir) = st.workspace.experiment_dir(&name)
                    && dir.is_dir()
                {
                    out.push(json!({"id": name, "status": status_of(&dir)}));
                }
            }
        }
        out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        Json(json!(out)).into_response()
    })
    .await
}

#[derive(Deserialize)]
struct StartIn {
    text: String,
    /// The base scenario's text when the experiment names a scenario file.
    #[serde(default)]
    scenario: Option<String>,
}

#[derive(Deserialize)]
struct IdIn {
    id: String,
    #[serde(default)]
    lang: String,
}

/// The experiment's plan, checked by `Plan::new` against its base scenario (the built-in one, or
/// the text sent with it, labelled with the file name the experiment gives) as the CLI checks it.
fn plan_of(text: &str, scenario: Option<&str>) -> Result<Plan, String> {
    let spec = ExperimentSpec::parse(text, "experiment.toml").map_err(|e| e.to_string())?;
    if spec.base.scenario == "builtin" {
        return Plan::new(text, "experiment.toml", CHENGDU_CHONGQING, BUILTIN_NAME)
            .map_err(|e| e.to_string());
    }
    match scenario.filter(|t| !t.trim().is_empty()) {
        Some(base) => {
            Plan::new(text, "experiment.toml", base, &spec.base.scenario).map_err(|e| e.to_string())
        }
        None => Err(format!(
            "experiment.toml: base.scenario = \"{}\": open that scenario file as the base scenario (the studio reads no file an experiment names), or use base.scenario = \"builtin\"",
            spec.base.scenario
        )),
    }
}

/// Start a new experiment in a fresh folder named after it.
async fn start(State(st): State<Shared>, Json(input): Json<StartIn>) -> Response {
    let prepared = blocking({
        let st = st.clone();
        move || -> Result<(String, Plan), Response> {
            let plan = plan_of(&input.text, input.scenario.as_deref())
                .map_err(|e| bad_request(e, Value::Null))?;
            let base = folder_name(&plan.spec.name);
            let mut id = base.clone();
            let mut k = 1;
            while st.workspace.experiment_dir(&id).is_some_and(|d| d.exists()) {
                k += 1;
                id = format!("{base}-{k}");
            }
            Ok((id, plan))
        }
    })
    .await;
    match prepared {
        Ok((id, plan)) => launch(&st, id, plan, false),
        Err(r) => r,
    }
}

/// Continue an experiment from its complete points (after a cancel or a closed studio).
async fn resume(State(st): State<Shared>, Json(input): Json<IdIn>) -> Response {
    let Some(dir) = st
        .workspace
        .experiment_dir(&input.id)
        .filter(|d| d.is_dir())
    else {
        return bad_request("no such experiment", Value::Null);
    };
    let loaded = blocking(move || store::load_dir(&dir).map(|(p, _)| p)).await;
    match loaded {
        Ok(plan) => launch(&st, input.id, plan, true),
        Err(e) => bad_request(e.to_string(), Value::Null),
    }
}

fn launch(st: &Shared, id: String, plan: Plan, resume: bool) -> Response {
    let Some(dir) = st.workspace.experiment_dir(&id) else {
        return bad_request("bad experiment name", Value::Null);
    };
    let total = (plan.n_points() * plan.replications()) as u64;
    let shown = id.clone();
    let job_id = st.jobs.spawn("experiment", total, move |job| {
        let range = plan.shard_range(None)?;
        plan.check_points(range.clone())?;
        let (mut writer, todo, done) = match store::start(&dir, &plan, None, range.clone(), resume)?
        {
            Start::Complete => {
                job.progress(total, total);
                return Ok((json!({"id": id, "status": "complete"}), vec![]));
            }
            Start::Run { writer, todo, done } => (writer, todo, done),
        };
        job.progress((done * plan.replications()) as u64, total);
        let threads = rayon::current_num_threads();
        let cancelled = std::sync::atomic::AtomicBool::new(false);
        let r = run_points(
            &plan,
            todo,
            window_for(threads),
            &|| job.tick(),
            &mut |_, rows, series| {
                // Points are appended whole, so a cancel here keeps every complete point for resume.
                writer.append(rows, series)?;
                if job.cancelled() {
                    cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(ExpError::input("cancelled"));
                }
                Ok(())
            },
        );
        if cancelled.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        r?;
        writer.finish()?;
        Ok((json!({"id": id, "status": "complete"}), vec![]))
    });
    Json(json!({"job": job_id, "id": shown})).into_response()
}

/// Analyse a complete experiment: Morris/Sobol' indices or, for other designs, the sweep report.
async fn analyze(State(st): State<Shared>, Json(input): Json<IdIn>) -> Response {
    let Some(dir) = st
        .workspace
        .experiment_dir(&input.id)
        .filter(|d| d.is_dir())
    else {
        return bad_request("no such experiment", Value::Null);
    };
    let lang = Lang::parse(&input.lang).unwrap_or(Lang::En);
    let id = st.jobs.spawn("analyze", 1, move |job| {
        if status_of(&dir) != "complete" {
            return Err(Stop::Failed(
                "the experiment is not complete: resume it first".into(),
            ));
        }
        let (plan, _) = store::load_dir(&dir)?;
        let mut acc = an::PointAccumulator::new(&plan);
        store::for_each_result_row(&dir, &mut |line, row| acc.push(line, row))?;
        let (means, points_csv) = acc.finish()?;
        job.check()?;
        let mut files = vec![file("points.csv", points_csv)];
        let (html, markdown) = if an::has_indices(&plan) {
            let a = an::analyze_means(&plan, &means, 1000, plan.spec.seed)?;
            let o = xietong_present::experiment::sensitivity_outputs(&a, lang)?;
            files.push(file("analysis.json", o.json));
            files.push(file("sensitivity.csv", o.csv));
            files.push(file("sensitivity-report.html", o.html.clone()));
            // The journal files (tables.xlsx, tables.tex, report.docx), as the CLI writes them.
            files.extend(o.export.into_iter().map(|f| file(&f.name, f.bytes)));
            (o.html, o.markdown)
        } else {
            let figures = xietong_present::figures::FigureOptions::default();
            let (html, export) =
                xietong_present::experiment::sweep_outputs(&plan, &means, lang, &figures)?;
            files.push(file("sweep-report.html", html.clone()));
            files.extend(export.into_iter().map(|f| file(&f.name, f.bytes)));
            (html, String::new())
        };
        job.tick();
        Ok((json!({"report": html, "markdown": markdown}), files))
    });
    Json(json!({"job": id})).into_response()
}
