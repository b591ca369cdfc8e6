//! Long computations (simulations, comparisons, experiments) run on their own threads. The page
//! polls a job for its progress, its partial results (charts so far) and, at the end, its result
//! and files; a job can be cancelled at any time and stops at its next check.

use crate::Shared;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use xietong_report::Lang;

/// Finished jobs kept for download before the oldest are dropped.
const KEEP: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Done,
    Failed,
    Cancelled,
}

/// A file a job produced, offered for download.
pub struct File {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

pub struct Job {
    pub id: u64,
    pub kind: &'static str,
    pub done: AtomicU64,
    pub total: AtomicU64,
    cancel: AtomicBool,
    state: Mutex<State_>,
    relang: Mutex<Option<Arc<Relang>>>,
}

/// Redraws a finished job's report in another language from what the job kept (no re-run):
/// the new result for the page and the files that depend on the language.
pub type Relang = dyn Fn(Lang) -> Result<(Value, Vec<File>), Stop> + Send + Sync;

struct State_ {
    status: Status,
    message: Option<String>,
    partial: Value,
    result: Value,
    files: Vec<File>,
    version: u64,
}

/// Why a job stopped early.
pub enum Stop {
    Cancelled,
    Failed(String),
}

impl<E: std::fmt::Display> From<E> for Stop {
    fn from(e: E) -> Stop {
        Stop::Failed(e.to_string())
    }
}

impl Job {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    /// Stop here if the job was cancelled.
    pub fn check(&self) -> Result<(), Stop> {
        if self.cancelled() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    pub fn progress(&self, done: u64, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
    }
    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
    /// Replace the partial results shown while running.
    pub fn set_partial(&self, v: Value) {
        let mut s = self.state.lock().expect("job lock");
        s.partial = v;
        s.version += 1;
    }
    fn finish(&self, outcome: Result<(Value, Vec<File>), Stop>) {
        let mut s = self.state.lock().expect("job lock");
        match outcome {
            Ok((result, files)) => {
                s.status = Status::Done;
                s.result = result;
                s.files = files;
            }
            Err(Stop::Cancelled) => s.status = Status::Cancelled,
            Err(Stop::Failed(m)) => {
                s.status = Status::Failed;
                s.message = Some(m);
            }
        }
        s.version += 1;
    }
    /// Let the page ask for this job's report in another language (see [`Relang`]).
    pub fn set_relang(&self, f: Arc<Relang>) {
        *self.relang.lock().expect("job lock") = Some(f);
    }
    /// Replace the result and the files of the same names by those `f` made.
    fn relabel(&self, result: Value, files: Vec<File>) {
        let mut s = self.state.lock().expect("job lock");
        s.result = result;
        for f in files {
            match s.files.iter_mut().find(|g| g.name == f.name) {
                Some(g) => *g = f,
                None => s.files.push(f),
            }
        }
        s.version += 1;
    }
    pub fn status(&self) -> Status {
        self.state.lock().expect("job lock").status
    }
    /// The job as the page sees it; partial and result only when newer than `since`.
    pub fn view(&self, since: Option<u64>) -> Value {
        let s = self.state.lock().expect("job lock");
        let fresh = since.is_none_or(|v| v < s.version);
        json!({
            "id": self.id,
            "kind": self.kind,
            "status": s.status,
            "done": self.done.load(Ordering::Relaxed),
            "total": self.total.load(Ordering::Relaxed),
            "message": s.message,
            "version": s.version,
            "partial": if fresh { s.partial.clone() } else { Value::Null },
            "result": if fresh { s.result.clone() } else { Value::Null },
            "files": s.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        })
    }
}

#[derive(Default)]
pub struct Jobs {
    next: AtomicU64,
    map: Mutex<BTreeMap<u64, Arc<Job>>>,
}

impl Jobs {
    /// Run `work` on a new thread as a job; returns its id at once.
    pub fn spawn<F>(&self, kind: &'static str, total: u64, work: F) -> u64
    where
        F: FnOnce(&Job) -> Result<(Value, Vec<File>), Stop> + Send + 'static,
    {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id,
            kind,
            done: AtomicU64::new(0),
            total: AtomicU64::new(total),
            cancel: AtomicBool::new(false),
            state: Mutex::new(State_ {
                status: Status::Running,
                message: None,
                partial: Value::Null,
                result: Value::Null,
                files: Vec::new(),
                version: 0,
            }),
            relang: Mutex::new(None),
        });
        {
            let mut map = self.map.lock().expect("jobs lock");
            map.insert(id, job.clone());
            while map.len() > KEEP {
                let old = map
                    .iter()
                    .find(|(_, j)| j.status() != Status::Running)
                    .map(|(k, _)| *k);
                match old {
                    Some(k) => map.remove(&k),
                    None => break,
                };
            }
        }
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&job)))
                .unwrap_or_else(|_| {
                    Err(Stop::Failed(
                        "internal error (the computation panicked)".into(),
                    ))
                });
            job.finish(outcome);
        });
        id
    }

    pub fn get(&self, id: u64) -> Option<Arc<Job>> {
        self.map.lock().expect("jobs lock").get(&id).cloned()
    }

    pub fn cancel_all(&self) {
        for j in self.map.lock().expect("jobs lock").values() {
            j.cancel();
        }
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/jobs/{id}", get(view))
        .route("/jobs/{id}/cancel", post(cancel))
        .route("/jobs/{id}/files/{name}", get(download))
        .route("/jobs/{id}/lang", post(relang))
}

#[derive(Deserialize)]
struct LangIn {
    lang: String,
}

/// Redraw a finished job's report in the language the page switched to; the job's view (result
/// and files) then carries the new language.
async fn relang(
    State(st): State<Shared>,
    Path(id): Path<u64>,
    axum::Json(l): axum::Json<LangIn>,
) -> Response {
    let Some(j) = st.jobs.get(id) else {
        return not_found();
    };
    let Some(lang) = Lang::parse(&l.lang) else {
        return crate::bad_request(
            format!("lang: expected en or zh, found \"{}\"", l.lang),
            Value::Null,
        );
    };
    if j.status() != Status::Done {
        return crate::bad_request("the job has no finished report to redraw", Value::Null);
    }
    let Some(f) = j.relang.lock().expect("job lock").clone() else {
        return crate::bad_request(
            "this job's results do not depend on the language",
            Value::Null,
        );
    };
    let job = j.clone();
    crate::blocking(move || match f(lang) {
        Ok((result, files)) => {
            job.relabel(result, files);
            axum::Json(job.view(None)).into_response()
        }
        Err(Stop::Cancelled) => crate::bad_request("cancelled", Value::Null),
        Err(Stop::Failed(m)) => crate::bad_request(m, Value::Null),
    })
    .await
}

#[derive(Deserialize)]
struct Since {
    since: Option<u64>,
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such job").into_response()
}

async fn view(State(st): State<Shared>, Path(id): Path<u64>, Query(q): Query<Since>) -> Response {
    match st.jobs.get(id) {
        Some(j) => axum::Json(j.view(q.since)).into_response(),
        None => not_found(),
    }
}

async fn cancel(State(st): State<Shared>, Path(id): Path<u64>) -> Response {
    match st.jobs.get(id) {
        Some(j) => {
            j.cancel();
            axum::Json(json!({"cancelled": true})).into_response()
        }
        None => not_found(),
    }
}

/// Download a file by its name among the job's files (never a path).
#[derive(Deserialize)]
struct Inline {
    #[serde(default)]
    inline: bool,
}

/// With `?inline=true` an HTML report is shown (framed by the page, scripts off) instead of
/// downloaded.
async fn download(
    State(st): State<Shared>,
    Path((id, name)): Path<(u64, String)>,
    Query(q): Query<Inline>,
) -> Response {
    let Some(j) = st.jobs.get(id) else {
        return not_found();
    };
    let s = j.state.lock().expect("job lock");
    match s.files.iter().find(|f| f.name == name) {
        Some(f) if q.inline && f.mime.starts_with("text/html") => (
            [
                (header::CONTENT_TYPE, f.mime.to_string()),
                (
                    axum::http::HeaderName::from_static(crate::security::FRAMEABLE),
                    "1".to_string(),
                ),
            ],
            f.bytes.clone(),
        )
            .into_response(),
        Some(f) => (
            [
                (header::CONTENT_TYPE, f.mime.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", f.name.replace('/', "_")),
                ),
            ],
            f.bytes.clone(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The MIME type for a download by extension.
pub fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "toml" => "application/toml; charset=utf-8",
        "tex" => "application/x-tex; charset=utf-8",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub fn file(name: &str, bytes: impl Into<Vec<u8>>) -> File {
    File {
        name: name.to_string(),
        mime: mime_of(name),
        bytes: bytes.into(),
    }
}
