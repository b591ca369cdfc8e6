//! Survey page endpoints. An upload (see [`crate::workspace`]) is read by
//! `xietong_survey::read::read_table`; the codebook is drafted by `xietong_present::survey`; each
//! analysis of the menu is `xietong_survey::quick` with its text table from
//! `xietong_present::survey`, the same as `xietong survey ttest|anova|chi2|alpha|multi`; the full
//! codebook analysis (descriptives, charts, report) is `xietong_survey::analyze` and
//! `xietong_present::survey::analysis_files`. Files are referred to by upload id only.

use crate::jobs::file;
use crate::{Shared, bad_request, blocking};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use xietong_present::survey as present;
use xietong_report::Lang;
use xietong_survey::codebook::Codebook;
use xietong_survey::data::Table;
use xietong_survey::quick;
use xietong_survey::read::{ReadOptions, read_table};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/survey/load", post(load))
        .route("/survey/quick", post(quick_analysis))
        .route("/survey/analyze", post(full_analysis))
}

#[derive(Deserialize)]
struct Upload {
    id: String,
    #[serde(default)]
    name: String,
}

fn read(st: &Shared, up: &Upload) -> Result<Table, Response> {
    let Some(path) = st.workspace.upload(&up.id) else {
        return Err(bad_request(
            "no such upload (upload the file again)",
            Value::Null,
        ));
    };
    let mut t = read_table(&path, &ReadOptions::default()).map_err(|e| {
        // Messages name the stored file; the user knows it by the name they uploaded.
        let msg = e
            .to_string()
            .replace(&path.display().to_string(), display_name(up));
        bad_request(msg, Value::Null)
    })?;
    t.source = display_name(up).to_string();
    Ok(t)
}

fn display_name(up: &Upload) -> &str {
    if up.name.trim().is_empty() {
        "upload"
    } else {
        up.name.as_str()
    }
}

/// Columns and the drafted codebook of an upload.
async fn load(State(st): State<Shared>, Json(up): Json<Upload>) -> Response {
    blocking(move || {
        let t = match read(&st, &up) {
            Ok(t) => t,
            Err(r) => return r,
        };
        Json(json!({
            "source": t.source,
            "rows": t.n_rows(),
            "encoding": t.encoding,
            "columns": t.header,
            "codebook": present::codebook_draft(&t),
        }))
        .into_response()
    })
    .await
}

#[derive(Deserialize)]
struct QuickIn {
    #[serde(flatten)]
    upload: Upload,
    analysis: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    row: String,
    #[serde(default)]
    col: String,
    #[serde(default)]
    items: Vec<String>,
    #[serde(default)]
    missing: Vec<String>,
    conf: Option<f64>,
    #[serde(default)]
    levene_median: bool,
    #[serde(default)]
    pairwise: bool,
}

/// One analysis of the menu: its result as JSON and as the CLI's text table.
async fn quick_analysis(State(st): State<Shared>, Json(q): Json<QuickIn>) -> Response {
    blocking(move || {
        let t = match read(&st, &q.upload) {
            Ok(t) => t,
            Err(r) => return r,
        };
        let out: Result<(Value, String), String> = (|| {
            let e = |x: quick::QuickError| x.to_string();
            let need = |v: &str, what: &str| {
                if v.is_empty() {
                    Err(format!("choose the {what}"))
                } else {
                    Ok(())
                }
            };
            Ok(match q.analysis.as_str() {
                "ttest" => {
                    need(&q.value, "test variable")?;
                    need(&q.group, "grouping variable")?;
                    let conf = q.conf.unwrap_or(0.95);
                    present::check_conf(conf).map_err(|x| x.to_string())?;
                    let r = quick::ttest_report(
                        &t,
                        &q.value,
                        &q.group,
                        None,
                        &q.missing,
                        conf,
                        q.levene_median,
                    )
                    .map_err(e)?;
                    (json!(r), present::ttest_text(&r))
                }
                "anova" => {
                    need(&q.value, "dependent variable")?;
                    need(&q.group, "factor")?;
                    let r = quick::anova_report(
                        &t,
                        &q.value,
                        &q.group,
                        None,
                        &q.missing,
                        q.levene_median,
                    )
                    .map_err(e)?;
                    (json!(r), present::anova_text(&r))
                }
                "chi2" => {
                    need(&q.row, "row variable")?;
                    need(&q.col, "column variable")?;
                    let r = quick::chi2_report(&t, &q.row, &q.col, &q.missing).map_err(e)?;
                    (json!(r), present::chi2_text(&r))
                }
                "alpha" => {
                    let policy = if q.pairwise {
                        quick::MissingPolicy::Pairwise
                    } else {
                        quick::MissingPolicy::Listwise
                    };
                    let r = quick::alpha_report(&t, &q.items, &q.missing, policy).map_err(e)?;
                    (json!(r), present::alpha_text(&r))
                }
                "multi" => {
                    let g = (!q.group.is_empty()).then_some(q.group.as_str());
                    let r = quick::multi_report(&t, &q.items, g, &q.missing).map_err(e)?;
                    (json!(r), present::multi_text(&r))
                }
                other => {
                    return Err(format!(
                        "unknown analysis '{other}' (expected ttest, anova, chi2, alpha or multi)"
                    ));
                }
            })
        })();
        match out {
            Ok((result, text)) => Json(json!({"result": result, "text": text})).into_response(),
            Err(m) => bad_request(m, Value::Null),
        }
    })
    .await
}

#[derive(Deserialize)]
struct AnalyzeIn {
    #[serde(flatten)]
    upload: Upload,
    /// The codebook as edited on the page (TOML).
    codebook: String,
    #[serde(default)]
    lang: String,
}

/// The full codebook analysis (descriptives of every item, charts, report) as a job with files.
async fn full_analysis(State(st): State<Shared>, Json(a): Json<AnalyzeIn>) -> Response {
    let lang = Lang::parse(&a.lang).unwrap_or(Lang::En);
    let prepared = blocking({
        let st = st.clone();
        move || -> Result<(Table, Codebook), Response> {
            let t = read(&st, &a.upload)?;
            let cb = Codebook::from_toml("codebook.toml", &a.codebook)
                .map_err(|e| bad_request(e.to_string(), Value::Null))?;
            Ok((t, cb))
        }
    })
    .await;
    let (t, cb) = match prepared {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = st.jobs.spawn("survey", 1, move |job| {
        let an = xietong_survey::analyze::analyze(&t, &cb, lang)?;
        job.check()?;
        let files = present::analysis_files(&an, lang)?;
        job.tick();
        let report = files
            .iter()
            .find(|f| f.name == "report.html")
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned());
        let out = files
            .into_iter()
            .map(|f| file(&f.name.replace('/', "_"), f.bytes))
            .collect();
        Ok((json!({"report": report}), out))
    });
    Json(json!({"job": id})).into_response()
}
