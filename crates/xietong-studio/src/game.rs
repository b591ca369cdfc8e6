//! Game page endpoints. One request per edit or slider move: parse the game file
//! (`xietong_game::Game::parse`, located errors), evaluate at the slider values, find and classify
//! the rest points (`xietong_game::analyze`), the symbolic eigenvalues at pure profiles
//! (`xietong_game::symbolic`), trajectories (`xietong_game::ode`) and the phase portrait
//! (`xietong_report::PhasePortrait`). The answer carries the computation time so the page can
//! show the round trip.

use crate::{Shared, bad_request, blocking};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Instant;
use xietong_game::expr::fmt_num;
use xietong_game::ode::{OdeOptions, integrate};
use xietong_game::symbolic;
use xietong_game::{Game, NumericGame, analyze};
use xietong_report::{Chart, Lang, Marker, PhasePortrait};

/// The example games shipped with the repository.
pub const EXAMPLES: [(&str, &str); 4] = [
    (
        "chengdu_chongqing_central.toml",
        include_str!("../../../examples/games/chengdu_chongqing_central.toml"),
    ),
    (
        "chengdu_chongqing.toml",
        include_str!("../../../examples/games/chengdu_chongqing.toml"),
    ),
    (
        "stag_hunt.toml",
        include_str!("../../../examples/games/stag_hunt.toml"),
    ),
    (
        "nashpy_rps.toml",
        include_str!("../../../examples/games/published/nashpy_rps.toml"),
    ),
];

/// Largest game file accepted (the parser also bounds the search work).
const MAX_TEXT: usize = 256 * 1024;
/// At most this many trajectories per request.
const MAX_STARTS: usize = 16;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/game/examples", get(examples))
        .route("/game/analyze", post(analyze_game))
}

async fn examples() -> Response {
    crate::examples_json(&EXAMPLES)
}

#[derive(Deserialize)]
struct AnalyzeIn {
    text: String,
    #[serde(default)]
    name: String,
    /// Slider values; parameters not named keep the file's values.
    #[serde(default)]
    values: BTreeMap<String, f64>,
    /// Starting points of trajectories as shares of each population's first strategy.
    #[serde(default)]
    starts: Vec<Vec<f64>>,
    #[serde(default)]
    lang: String,
}

async fn analyze_game(Json(input): Json<AnalyzeIn>) -> Response {
    if input.text.len() > MAX_TEXT {
        return bad_request(
            format!("the game file is larger than {MAX_TEXT} bytes"),
            Value::Null,
        );
    }
    if input.starts.len() > MAX_STARTS {
        return bad_request(format!("at most {MAX_STARTS} trajectories"), Value::Null);
    }
    blocking(move || Json(compute(&input)).into_response()).await
}

fn located(file: &str, line: usize, column: usize, message: String) -> Value {
    json!({
        "ok": false,
        "message": format!("{file}:{line}:{column}: {message}"),
        "problems": [{"line": line, "column": column, "message": message}],
    })
}

fn compute(input: &AnalyzeIn) -> Value {
    let t0 = Instant::now();
    let lang = Lang::parse(&input.lang).unwrap_or(Lang::En);
    let name = if input.name.trim().is_empty() {
        "game.toml"
    } else {
        input.name.as_str()
    };
    let game = match Game::parse(name, &input.text) {
        Ok(g) => g,
        Err(e) => return located(&e.file, e.line, e.column, e.message),
    };
    let overrides: Vec<(String, f64)> = input
        .values
        .iter()
        .filter(|(k, _)| game.parameters.iter().any(|p| &p.name == *k))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    if let Some((k, v)) = overrides.iter().find(|(_, v)| !v.is_finite()) {
        return json!({"ok": false, "message": format!("{k} = {v}: expected a finite number"), "problems": []});
    }
    let values = match game.parameter_values(&overrides) {
        Ok(v) => v,
        Err(m) => return json!({"ok": false, "message": m, "problems": []}),
    };
    let ng = match game.numeric(&values) {
        Ok(g) => g,
        Err(e) => return located(&e.file, e.line, e.column, e.message),
    };
    let an = analyze(&ng);
    let env = game.environment(&values).unwrap_or(values.clone());

    let state_text = |x: &[f64]| -> String {
        game.populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let o = ng.offsets[i];
                let shares: Vec<String> =
                    (0..p.strategies.len()).map(|s| fmt_num(x[o + s])).collect();
                format!("{}: ({})", p.name, shares.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut rows = Vec::new();
    let mut conditions = Vec::new();
    for rp in &an.rest_points {
        let label = match &rp.profile {
            Some(pr) => format!(
                "({})",
                pr.iter()
                    .enumerate()
                    .map(|(i, &s)| game.populations[i].strategies[s].clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => state_text(&rp.x),
        };
        let eig: Vec<String> = rp
            .eigenvalues
            .iter()
            .map(|e| {
                if e.im.abs() > 1e-12 {
                    format!(
                        "{}{}{}i",
                        fmt_num(e.re),
                        if e.im < 0.0 { "−" } else { "+" },
                        fmt_num(e.im.abs())
                    )
                } else {
                    fmt_num(e.re)
                }
            })
            .collect();
        rows.push(json!({
            "point": label,
            "kind": xietong_present::game::kind_word(rp.kind, lang),
            "eigenvalues": eig,
            "stability": xietong_present::game::stability_word(rp.stability, lang),
            "x": rp.x,
        }));
        if let Some(pr) = &rp.profile {
            let sym = symbolic::pure_profile(&game, pr);
            conditions.push(json!({
                "point": label,
                "stability": rp.stability.as_str(),
                "eigenvalues": sym.iter().map(|s| json!({
                    "population": game.populations[s.population].name,
                    "to": game.populations[s.population].strategies[s.strategy],
                    "text": s.text,
                    "latex": s.latex,
                    "value": symbolic::eval(s, &env),
                })).collect::<Vec<_>>(),
            }));
        }
    }
    // The LaTeX table of `xietong game analyze --latex`, from the shared presentation crate.
    let sets: Vec<String> = overrides.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let latex = xietong_present::game::LoadedGame::new(name, &input.text, &sets, lang)
        .map(|ld| xietong_present::game::latex_table(&ld, &an))
        .ok();
    let (portrait, trajectories) = match portrait(&game, &ng, &an, &input.starts, lang) {
        Ok(x) => x,
        Err(m) => return json!({"ok": false, "message": m, "problems": []}),
    };
    // Games the portrait cannot show (a population with 3 or more strategies, or one population):
    // the figures `xietong game simulate` draws for them, the time paths from its default starts.
    let time_paths = if portrait.is_none() {
        match time_paths(name, &input.text, &sets, lang) {
            Ok(x) => x,
            Err(m) => return json!({"ok": false, "message": m, "problems": []}),
        }
    } else {
        Vec::new()
    };
    json!({
        "ok": true,
        "title": game.title,
        "parameters": game.parameters.iter().map(|p| json!({
            "name": p.name, "file_value": p.value, "value": values[&p.name],
        })).collect::<Vec<_>>(),
        "populations": game.populations.iter().map(|p| json!({"name": p.name, "strategies": p.strategies})).collect::<Vec<_>>(),
        "rest_points": rows,
        "conditions": conditions,
        "warnings": an.warnings,
        "portrait": portrait,
        "time_paths": time_paths,
        "latex": latex,
        "trajectories": trajectories,
        "millis": t0.elapsed().as_secs_f64() * 1000.0,
    })
}

/// The charts of `xietong game simulate` with its default options (time paths of each population's
/// share of its first strategy, from the default grid of starts), as SVG.
fn time_paths(name: &str, text: &str, sets: &[String], lang: Lang) -> Result<Vec<String>, String> {
    use xietong_present::game as pg;
    let ld = pg::LoadedGame::new(name, text, sets, lang).map_err(|e| e.to_string())?;
    let plan =
        pg::plan_simulation(&ld, &pg::SimulateOptions::default()).map_err(|e| e.to_string())?;
    let sim = plan.run(&ld).map_err(|e| e.to_string())?;
    pg::charts::simulate_figures(&ld, &sim.analysis, &sim.trajectories, lang)
        .iter()
        .map(|f| f.chart.to_svg().map_err(|e| e.to_string()))
        .collect()
}

/// Phase portrait of the first two populations' shares of their first strategy (games where
/// every population has two strategies). With more populations the others start at ½ and the
/// arrows are drawn with them at ½.
fn portrait(
    game: &Game,
    ng: &NumericGame,
    an: &xietong_game::Analysis,
    starts: &[Vec<f64>],
    lang: Lang,
) -> Result<(Option<String>, usize), String> {
    let n = ng.shape.len();
    if n < 2 || ng.shape.iter().any(|&k| k != 2) {
        return Ok((None, 0));
    }
    let full = |shares: &[f64]| -> Vec<f64> { shares.iter().flat_map(|&s| [s, 1.0 - s]).collect() };
    let mut arrows = Vec::new();
    let (mut u, mut out) = (vec![0.0; ng.dim_full], vec![0.0; ng.dim_full]);
    let grid = 13;
    for i in 0..grid {
        for j in 0..grid {
            let (a, b) = (
                (i as f64 + 0.5) / grid as f64,
                (j as f64 + 0.5) / grid as f64,
            );
            let mut sh = vec![0.5; n];
            sh[0] = a;
            sh[1] = b;
            ng.field(&full(&sh), &mut u, &mut out);
            arrows.push(((a, b), (out[0], out[2])));
        }
    }
    let times: Vec<f64> = (0..=200).map(|k| k as f64 * 0.25).collect();
    let mut trajectories = Vec::new();
    for s in starts {
        let mut sh = vec![0.5; n];
        for (k, v) in s.iter().take(n).enumerate() {
            if !v.is_finite() || !(0.0..=1.0).contains(v) {
                return Err(format!(
                    "trajectory start: shares must be in [0, 1], found {v}"
                ));
            }
            sh[k] = *v;
        }
        let tr = integrate(ng, &full(&sh), &times, &OdeOptions::default())
            .map_err(|e| format!("trajectory from {s:?}: {e}"))?;
        trajectories.push(tr.x.iter().map(|x| (x[0], x[2])).collect::<Vec<_>>());
    }
    let markers = an
        .rest_points
        .iter()
        .filter(|rp| {
            n == 2
                || rp.x.chunks(2).skip(2).all(|c| (c[0] - 0.5).abs() < 1e-9)
                || rp.profile.is_some()
        })
        .map(|rp| Marker {
            x: rp.x[0],
            y: rp.x[2],
            label: String::new(),
            filled: rp.stability == xietong_game::Stability::Stable,
        })
        .collect();
    let share = |i: usize| {
        let p = &game.populations[i];
        format!("{}: {}", p.name, lang.pick("share", "比例")) + &format!(" {}", p.strategies[0])
    };
    let chart = PhasePortrait {
        title: game.title.clone(),
        x_label: share(0),
        y_label: share(1),
        arrows,
        trajectories: trajectories.clone(),
        markers,
        width: 560,
        height: 520,
    };
    let svg = chart.to_svg().map_err(|e| e.to_string())?;
    Ok((Some(svg), trajectories.len()))
}
