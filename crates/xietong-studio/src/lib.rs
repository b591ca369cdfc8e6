//! `xietong studio`: a local web workbench over the library crates, for researchers who do not
//! use a terminal. The studio is a thin front end: it moves requests and files between the browser
//! and the library crates (xietong-model, xietong-sim, xietong-game, xietong-survey,
//! xietong-experiment, xietong-report, xietong-present) and computes nothing of its own.
//!
//! - [`security`]: who may talk to the server (loopback by default, Host/Origin checks against DNS
//!   rebinding and cross-site requests, an access token when reachable from other machines).
//! - [`assets`]: the page, its CSS and JavaScript, vendored in the binary (no CDN, no network).
//! - [`jobs`]: long computations in the background, with progress, partial results and cancel.
//! - [`workspace`]: the one folder the studio reads and writes; uploads get names it chooses.
//! - [`sim`], [`game`], [`survey`], [`experiment`]: the pages' endpoints.

pub mod assets;
pub mod experiment;
pub mod game;
pub mod jobs;
pub mod security;
pub mod sim;
pub mod survey;
pub mod workspace;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// Largest request body accepted (an upload of a survey export or a scenario/game/experiment file).
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// How the studio is started (the `xietong studio` flags).
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; loopback unless `allow_remote`.
    pub bind: IpAddr,
    /// Port; 0 picks a free one. With `port_fixed == false` the next ports are tried when busy.
    pub port: u16,
    pub port_fixed: bool,
    /// Required to bind anything but a loopback address; then every request needs the token.
    pub allow_remote: bool,
    /// The only folder the studio writes to (uploads, experiment stores).
    pub workspace: PathBuf,
    /// Largest request body (uploads included), bytes.
    pub max_body: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            port_fixed: false,
            allow_remote: false,
            workspace: PathBuf::from("xietong-studio"),
            max_body: MAX_BODY,
        }
    }
}

/// First port tried when none is given.
pub const DEFAULT_PORT: u16 = 8765;

/// Shared state of all handlers.
pub struct AppState {
    pub guard: security::Guard,
    pub jobs: jobs::Jobs,
    pub workspace: workspace::Workspace,
}

pub type Shared = Arc<AppState>;

/// The whole application: routes, security layer and body limit.
pub fn app(state: Shared, max_body: usize) -> Router {
    let api = Router::new()
        .merge(sim::routes())
        .merge(game::routes())
        .merge(survey::routes())
        .merge(experiment::routes())
        .merge(jobs::routes())
        .merge(workspace::routes());
    Router::new()
        .merge(assets::routes())
        .nest("/api", api)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::check,
        ))
        .with_state(state)
}

/// A studio bound to its address, ready to serve.
pub struct Bound {
    listener: tokio::net::TcpListener,
    state: Shared,
    max_body: usize,
    /// The address actually bound.
    pub addr: SocketAddr,
    /// What to open in the browser (with `?token=…` when a token is needed).
    pub url: String,
    /// The access token, when the studio listens beyond loopback.
    pub token: Option<String>,
}

/// Check the configuration, create the workspace and bind the listening socket. Must run inside a
/// tokio runtime.
pub async fn bind(config: &Config) -> Result<Bound> {
    if !config.bind.is_loopback() && !config.allow_remote {
        bail!(
            "--bind {}: not a loopback address; other machines could reach the studio. Add --allow-remote to allow it (every request then needs the access token printed at start)",
            config.bind
        );
    }
    let workspace = workspace::Workspace::open(&config.workspace)?;
    let tries = if config.port_fixed || config.port == 0 {
        1
    } else {
        20
    };
    let mut last = None;
    let mut listener = None;
    for k in 0..tries {
        let port = config.port.saturating_add(k);
        match tokio::net::TcpListener::bind(SocketAddr::new(config.bind, port)).await {
            Ok(l) => {
                listener = Some(l);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let listener = match listener {
        Some(l) => l,
        None => {
            let e = last.expect("at least one try");
            return Err(e).with_context(|| {
                format!(
                    "cannot listen on {}:{} (choose another with --port)",
                    config.bind, config.port
                )
            });
        }
    };
    let addr = listener.local_addr()?;
    let token = if config.bind.is_loopback() {
        None
    } else {
        Some(security::new_token()?)
    };
    let guard = security::Guard::new(addr, token.clone());
    let host = if config.bind.is_unspecified() || config.bind.is_loopback() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let url = match &token {
        None => format!("http://{host}/"),
        Some(t) => format!("http://{host}/?token={t}"),
    };
    let state = Arc::new(AppState {
        guard,
        jobs: jobs::Jobs::default(),
        workspace,
    });
    Ok(Bound {
        listener,
        state,
        max_body: config.max_body,
        addr,
        url,
        token,
    })
}

impl Bound {
    /// Serve until `shutdown` resolves; running jobs are cancelled then.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let state = self.state.clone();
        let app = app(self.state, self.max_body);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving the studio")?;
        state.jobs.cancel_all();
        Ok(())
    }
}

/// A studio running on its own threads (for tests, benchmarks and the CLI).
pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    pub token: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

impl Running {
    /// Stop serving and wait for the server thread.
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    /// Block until the server stops by itself (an error) or forever.
    pub fn wait(mut self) -> Result<()> {
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow::anyhow!("studio thread panicked"))?,
            None => Ok(()),
        }
    }

    fn shutdown(&mut self) -> Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow::anyhow!("studio thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Start the studio on a background thread with its own tokio runtime; returns once it listens.
pub fn start(config: Config) -> Result<Running> {
    let (ready_tx, ready_rx) =
        std::sync::mpsc::channel::<Result<(String, SocketAddr, Option<String>)>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("xietong-studio".into())
        .spawn(move || -> Result<()> {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("starting the studio's runtime")?;
            rt.block_on(async move {
                let bound = match bind(&config).await {
                    Ok(b) => b,
                    Err(e) => {
                        let msg = format!("{e:#}");
                        let _ = ready_tx.send(Err(e));
                        bail!("{msg}");
                    }
                };
                let _ = ready_tx.send(Ok((bound.url.clone(), bound.addr, bound.token.clone())));
                bound
                    .serve(async move {
                        let _ = stop_rx.await;
                    })
                    .await
            })
        })
        .context("starting the studio thread")?;
    match ready_rx.recv() {
        Ok(Ok((url, addr, token))) => Ok(Running {
            url,
            addr,
            token,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => match thread.join() {
            Ok(Err(e)) => Err(e),
            _ => bail!("the studio thread ended before listening"),
        },
    }
}

/// A 400 answer with a message for the page: `{"error": …}` plus optional details.
pub fn bad_request(
    message: impl std::fmt::Display,
    details: serde_json::Value,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({"error": message.to_string(), "details": details})),
    )
        .into_response()
}

/// A page's built-in examples, `(name, file text)`, as the JSON list its example menu reads.
pub fn examples_json(examples: &[(&str, &str)]) -> axum::response::Response {
    use axum::response::IntoResponse;
    axum::Json(serde_json::json!(
        examples
            .iter()
            .map(|(n, t)| serde_json::json!({"name": n, "text": t}))
            .collect::<Vec<_>>()
    ))
    .into_response()
}

/// Run a quick computation off the async threads.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("blocking task panicked")
}

/// A library table for the page to lay out: caption, header, rows, note.
pub fn table_json(t: &xietong_report::Table) -> serde_json::Value {
    serde_json::json!({
        "caption": t.caption,
        "header": t.header,
        "rows": t.rows,
        "note": t.note,
    })
}
