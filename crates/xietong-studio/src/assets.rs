//! The page and its CSS and JavaScript, compiled into the binary: the studio works offline and
//! the page loads nothing from elsewhere (the Content-Security-Policy in [`crate::security`]
//! enforces it). Plain HTML, CSS and JavaScript written for the studio; no framework.

use crate::Shared;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// (name, content type, content).
pub const FILES: [(&str, &str, &str); 9] = [
    (
        "boot.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/boot.js"),
    ),
    (
        "studio.css",
        "text/css; charset=utf-8",
        include_str!("../assets/studio.css"),
    ),
    (
        "studio.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/studio.js"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/i18n.js"),
    ),
    (
        "sim.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/sim.js"),
    ),
    (
        "game.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/game.js"),
    ),
    (
        "survey.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/survey.js"),
    ),
    (
        "experiment.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/experiment.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../assets/favicon.svg"),
    ),
];

const INDEX: &str = include_str!("../assets/index.html");

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/static/{name}", get(asset))
}

async fn index() -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => ([(header::CONTENT_TYPE, *mime)], *body).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
