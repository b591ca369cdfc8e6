//! Presentation of `xietong game` results: the rest-point table (text, JSON, LaTeX), trajectory
//! and sweep CSV text, phase portraits and time plots, and the parsing of `--set` values and start
//! states. The numbers come from `xietong-game`; this module decides how they are shown.
//!
//! A front end reads the game file, makes a [`LoadedGame`] from its text, then calls
//! [`analysis_text`] / [`analysis_json`] / [`latex_table`], or [`plan_simulation`] and
//! [`SimulationPlan::run`], or [`sweep`], and writes or shows what they return.

use crate::{Error, Lang, OutputFile, input};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use xietong_game::expr::fmt_num;
use xietong_game::ode::{OdeOptions, Trajectory, integrate};
use xietong_game::rest::Eigen;
use xietong_game::sweep::SweepPoint;
use xietong_game::symbolic::{self, SymbolicEigen};
use xietong_game::{Analysis, Game, Kind, NumericGame, RestPoint, Stability, analyze};

pub use charts::{Figure, MAX_LEGEND_SERIES};

type Result<T> = std::result::Result<T, Error>;

/// `--lang` of the game commands: en or zh (regional forms such as zh-CN too).
pub fn parse_lang(s: &str) -> Result<Lang> {
    Lang::parse(s).ok_or_else(|| input(format!("--lang {s}: expected en or zh")))
}

/// A game at its parameter values, with everything the tables need.
pub struct LoadedGame {
    pub game: Game,
    pub values: BTreeMap<String, f64>,
    /// `values` plus the value of every definition.
    pub env: BTreeMap<String, f64>,
    pub numeric: NumericGame,
    pub lang: Lang,
    /// The `--set` overrides, in the order given.
    pub overrides: Vec<(String, f64)>,
}

impl LoadedGame {
    /// Parse a game file's `text` (`source` names it in messages) and apply `set` (`NAME=VALUE`).
    pub fn new(source: &str, text: &str, set: &[String], lang: Lang) -> Result<LoadedGame> {
        let game = Game::parse(source, text).map_err(input)?;
        let overrides = parse_set(set)?;
        let values = game.parameter_values(&overrides).map_err(input)?;
        let numeric = game.numeric(&values).map_err(input)?;
        let env = game.environment(&values).map_err(input)?;
        Ok(LoadedGame {
            game,
            values,
            env,
            numeric,
            lang,
            overrides,
        })
    }

    /// Every rest point with eigenvalues and stability (the engine's analysis).
    pub fn analyze(&self) -> Analysis {
        analyze(&self.numeric)
    }

    fn population_names(&self) -> Vec<String> {
        self.game
            .populations
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }
}

/// `--set NAME=VALUE` items as (name, finite value) pairs.
pub fn parse_set(items: &[String]) -> Result<Vec<(String, f64)>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| input(format!("--set {s}: expected NAME=VALUE, e.g. --set C=3")))?;
            let v: f64 = v
                .trim()
                .parse()
                .map_err(|_| input(format!("--set {s}: `{}` is not a number", v.trim())))?;
            if !v.is_finite() {
                return Err(input(format!("--set {s}: the value must be finite")));
            }
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

/// "wrote: PATH" in the game's language, one line.
pub fn wrote_line(lang: Lang, path: &str) -> String {
    format!("{}: {path}\n", lang.pick("wrote", "已写入"))
}

// ---------------------------------------------------------------- formatting helpers

fn num(v: f64) -> String {
    if v.abs() < 5e-13 {
        return "0".into();
    }
    let r = format!("{v:.6}").parse::<f64>().unwrap_or(v);
    fmt_num(r)
}

fn eig_text(e: &Eigen) -> String {
    if e.im.abs() < 1e-12 {
        num(e.re)
    } else {
        format!(
            "{} {} {}i",
            num(e.re),
            if e.im < 0.0 { "-" } else { "+" },
            num(e.im.abs())
        )
    }
}

fn binary(g: &NumericGame) -> bool {
    g.shape.iter().all(|&n| n == 2)
}

/// State as printed: first-strategy shares for two-strategy games, else each population's vector.
fn state_text(ld: &LoadedGame, rp: &RestPoint) -> String {
    if let Some(p) = &rp.profile {
        let names: Vec<&str> = p
            .iter()
            .enumerate()
            .map(|(i, &s)| ld.game.populations[i].strategies[s].as_str())
            .collect();
        return format!("({})", names.join(", "));
    }
    let g = &ld.numeric;
    if binary(g) {
        let xs: Vec<String> = (0..g.n_pop()).map(|i| num(rp.x[g.offsets[i]])).collect();
        format!("({})", xs.join(", "))
    } else {
        let parts: Vec<String> = g
            .split(&rp.x)
            .iter()
            .map(|v| {
                format!(
                    "[{}]",
                    v.iter().map(|a| num(*a)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        parts.join(" ")
    }
}

fn binary_coords(ld: &LoadedGame, rp: &RestPoint) -> String {
    let g = &ld.numeric;
    let xs: Vec<String> = (0..g.n_pop()).map(|i| num(rp.x[g.offsets[i]])).collect();
    format!("({})", xs.join(", "))
}

/// The stability verdict in words ("stable (ESS)", "鞍点", …).
pub fn stability_word(s: Stability, lang: Lang) -> &'static str {
    match s {
        Stability::Stable => lang.pick("stable (ESS)", "稳定点 (ESS)"),
        Stability::Unstable => lang.pick("unstable", "不稳定点"),
        Stability::Saddle => lang.pick("saddle", "鞍点"),
        Stability::Undetermined => lang.pick("undetermined", "不确定"),
    }
}

/// The kind of a rest point in words (pure, face, interior).
pub fn kind_word(k: Kind, lang: Lang) -> &'static str {
    match k {
        Kind::Pure => lang.pick("pure", "纯策略"),
        Kind::Face => lang.pick("face", "边界混合"),
        Kind::Interior => lang.pick("interior", "内部混合"),
    }
}

/// Pad to a display width, counting CJK characters as two columns.
fn pad(s: &str, w: usize) -> String {
    let width: usize = s
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    let mut out = s.to_string();
    for _ in width..w {
        out.push(' ');
    }
    out
}

fn symbolic_for(ld: &LoadedGame, rp: &RestPoint) -> Vec<SymbolicEigen> {
    match &rp.profile {
        Some(p) => symbolic::pure_profile(&ld.game, p),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------- analyze

fn rest_point_json(ld: &LoadedGame, rp: &RestPoint) -> Value {
    let sym = symbolic_for(ld, rp);
    let state: Vec<Vec<f64>> = ld.numeric.split(&rp.x);
    let mut obj = json!({
        "state": state,
        "kind": rp.kind.as_str(),
        "eigenvalues": rp.eigenvalues.iter().map(|e| json!({"re": e.re, "im": e.im})).collect::<Vec<_>>(),
        "stability": rp.stability.as_str(),
        "eigenvalue_expressions": sym.iter().map(|s| s.text.clone()).collect::<Vec<_>>(),
    });
    let m = obj.as_object_mut().expect("object");
    if let Some(p) = &rp.profile {
        m.insert(
            "profile".into(),
            json!(
                p.iter()
                    .enumerate()
                    .map(|(i, &s)| ld.game.populations[i].strategies[s].clone())
                    .collect::<Vec<_>>()
            ),
        );
        m.insert(
            "eigenvalue_latex".into(),
            json!(sym.iter().map(|s| s.latex.clone()).collect::<Vec<_>>()),
        );
        m.insert(
            "stability_conditions".into(),
            json!(
                sym.iter()
                    .map(|s| s.condition_text.clone())
                    .collect::<Vec<_>>()
            ),
        );
        m.insert(
            "stability_conditions_latex".into(),
            json!(
                sym.iter()
                    .map(|s| s.condition_latex.clone())
                    .collect::<Vec<_>>()
            ),
        );
    }
    let jac: Vec<Vec<f64>> = (0..rp.jacobian.nrows())
        .map(|r| {
            (0..rp.jacobian.ncols())
                .map(|c| rp.jacobian[(r, c)])
                .collect()
        })
        .collect();
    m.insert("jacobian".into(), json!(jac));
    obj
}

/// The analysis as JSON (`game analyze --json`): state, eigenvalues, stability, and for pure
/// profiles the symbolic eigenvalues and stability conditions (text and LaTeX).
pub fn analysis_json(ld: &LoadedGame, an: &Analysis) -> Value {
    json!({
        "title": ld.game.title,
        "populations": ld.game.populations.iter().map(|p| json!({"name": p.name, "strategies": p.strategies})).collect::<Vec<_>>(),
        "parameters": ld.values,
        "rest_points": an.rest_points.iter().map(|rp| rest_point_json(ld, rp)).collect::<Vec<_>>(),
        "payoff_form": if ld.game.advantages.is_some() { "advantage" } else { "table" },
        "definitions": ld.game.definitions.iter().map(|d| (d.name.clone(), d.text.clone())).collect::<BTreeMap<_, _>>(),
        "continua": an.continua,
        "warnings": an.warnings,
    })
}

/// The rest-point table's rows: label, kind, state, eigenvalues, stability.
fn rest_point_rows(ld: &LoadedGame, an: &Analysis) -> Vec<[String; 5]> {
    let lang = ld.lang;
    let g = &ld.numeric;
    an.rest_points
        .iter()
        .enumerate()
        .map(|(k, rp)| {
            let st = if rp.profile.is_some() && binary(g) {
                format!("{} {}", binary_coords(ld, rp), state_text(ld, rp))
            } else {
                state_text(ld, rp)
            };
            [
                format!("E{}", k + 1),
                kind_word(rp.kind, lang).to_string(),
                st,
                rp.eigenvalues
                    .iter()
                    .map(eig_text)
                    .collect::<Vec<_>>()
                    .join(", "),
                stability_word(rp.stability, lang).to_string(),
            ]
        })
        .collect()
}

fn rest_point_headers(lang: Lang) -> [&'static str; 5] {
    [
        "",
        lang.pick("kind", "类型"),
        lang.pick("state", "状态"),
        lang.pick("eigenvalues", "特征值"),
        lang.pick("stability", "稳定性"),
    ]
}

/// `tables.xlsx`, `tables.tex` and `report.docx` of `game analyze` (`--tables DIR`): the rest
/// points with their eigenvalues and stability.
pub fn analysis_table_files(ld: &LoadedGame, an: &Analysis) -> Result<Vec<OutputFile>> {
    let lang = ld.lang;
    let h = rest_point_headers(lang);
    let table = xietong_report::Table {
        caption: format!("{}: {}", ld.game.title, lang.pick("rest points", "均衡点")),
        header: h.iter().map(|x| x.to_string()).collect(),
        rows: rest_point_rows(ld, an).into_iter().map(Vec::from).collect(),
        note: None,
    };
    let report = xietong_report::HtmlReport {
        title: ld.game.title.clone(),
        subtitle: String::new(),
        lang,
        sections: vec![xietong_report::Section {
            heading: lang.pick("Rest points", "均衡点").into(),
            blocks: vec![xietong_report::Block::Table(table)],
        }],
    };
    crate::figures::table_files(&report, &[], &xietong_report::FigureSize::COLUMN)
}

/// The analysis as text tables (`game analyze`): header, rest points, pure-profile conditions.
pub fn analysis_text(ld: &LoadedGame, an: &Analysis) -> String {
    let lang = ld.lang;
    let g = &ld.numeric;
    let mut s = String::new();
    let _ = writeln!(s, "{}", ld.game.title);
    if let Some(src) = &ld.game.source_citation {
        let _ = writeln!(s, "{}: {}", lang.pick("Source", "来源"), src.trim());
    }
    let params: Vec<String> = ld
        .game
        .parameters
        .iter()
        .map(|p| format!("{} = {}", p.name, num(ld.values[&p.name])))
        .collect();
    if !params.is_empty() {
        let _ = writeln!(
            s,
            "{}: {}",
            lang.pick("Parameters", "参数"),
            params.join(", ")
        );
    }
    if !ld.overrides.is_empty() {
        let o: Vec<String> = ld
            .overrides
            .iter()
            .map(|(k, v)| format!("{k} = {}", num(*v)))
            .collect();
        let _ = writeln!(
            s,
            "{}: {}",
            lang.pick("Overridden with --set", "--set 覆盖"),
            o.join(", ")
        );
    }
    if !ld.game.definitions.is_empty() {
        let _ = writeln!(
            s,
            "{}:",
            lang.pick(
                "Definitions (used by name in the symbolic table)",
                "记号 (符号表中按名称使用)"
            )
        );
        for d in &ld.game.definitions {
            let _ = writeln!(
                s,
                "  {} = {}   (= {})",
                d.name,
                d.text,
                num(ld.env[&d.name])
            );
        }
    }
    for (i, p) in ld.game.populations.iter().enumerate() {
        match &ld.game.advantages {
            Some(adv) => {
                let _ = writeln!(
                    s,
                    "  {} {{{}}}   {} {} − {} = {}",
                    p.name,
                    p.strategies.join(", "),
                    lang.pick("payoff advantage", "收益差"),
                    p.strategies[0],
                    p.strategies[1],
                    adv[i].text
                );
            }
            None => {
                let _ = writeln!(s, "  {} {{{}}}", p.name, p.strategies.join(", "));
            }
        }
    }
    if ld.game.advantages.is_some() {
        let _ = writeln!(
            s,
            "{}",
            lang.pick(
                "Given in payoff-advantage (replicator) form: the equivalent payoff table (first strategy earns the advantage at each vertex, second strategy 0) is used",
                "以收益差 (复制动态) 形式给出: 使用等价的收益矩阵 (第一个策略在各顶点获得收益差, 第二个策略为 0)"
            )
        );
    }
    if binary(g) {
        let first: Vec<String> = ld
            .game
            .populations
            .iter()
            .map(|p| format!("{}: {}", p.name, p.strategies[0]))
            .collect();
        let _ = writeln!(
            s,
            "{} ({})",
            lang.pick(
                "Mixed states are shown as the share playing each population's first strategy",
                "混合状态显示为各群体选择第一个策略的比例"
            ),
            first.join("; ")
        );
    }
    let _ = writeln!(
        s,
        "{}: {}",
        lang.pick(
            "Replicator dynamics, reduced dimension",
            "复制动态, 约化维数"
        ),
        g.dim_reduced()
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{} ({})",
        lang.pick("Rest points", "均衡点"),
        an.rest_points.len()
    );
    let rows = rest_point_rows(ld, an);
    let headers = rest_point_headers(lang);
    let width = |c: usize| {
        rows.iter()
            .map(|r| {
                r[c].chars()
                    .map(|ch| if (ch as u32) >= 0x2E80 { 2 } else { 1 })
                    .sum::<usize>()
            })
            .chain(std::iter::once(
                headers[c]
                    .chars()
                    .map(|ch| if (ch as u32) >= 0x2E80 { 2 } else { 1 })
                    .sum(),
            ))
            .max()
            .unwrap_or(0)
    };
    let ws: Vec<usize> = (0..5).map(width).collect();
    let line = |cells: [&str; 5]| -> String {
        let mut l = String::new();
        for (c, cell) in cells.iter().enumerate() {
            l.push_str(&pad(cell, ws[c]));
            if c < 4 {
                l.push_str("  ");
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(s, "{}", line(headers));
    for r in &rows {
        let _ = writeln!(s, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{}",
        lang.pick(
            "Pure profiles: eigenvalue = payoff gain of one population switching alone; stable iff every eigenvalue < 0",
            "纯策略均衡点: 特征值 = 单个群体单独偏离的收益变化; 全部特征值 < 0 时为稳定点"
        )
    );
    for (k, rp) in an.rest_points.iter().enumerate() {
        let Some(p) = &rp.profile else { continue };
        let sym = symbolic_for(ld, rp);
        let names: Vec<&str> = p
            .iter()
            .enumerate()
            .map(|(i, &st)| ld.game.populations[i].strategies[st].as_str())
            .collect();
        let _ = writeln!(
            s,
            "E{} ({}): {}",
            k + 1,
            names.join(", "),
            stability_word(rp.stability, lang)
        );
        for (m, e) in sym.iter().enumerate() {
            let v = symbolic::eval(e, &ld.env);
            let holds = v < 0.0 && v.abs() > xietong_game::rest::zero_tol(g);
            let mark = if holds { "✓" } else { "✗" };
            let who = format!(
                "{} → {}",
                ld.game.populations[e.population].name,
                ld.game.populations[e.population].strategies[e.strategy]
            );
            let _ = writeln!(
                s,
                "  λ{} = {}   [{}] = {}   {}: {}  {}",
                m + 1,
                e.text,
                who,
                num(v),
                lang.pick("condition", "条件"),
                e.condition_text,
                mark
            );
        }
    }
    for w in &an.warnings {
        let _ = writeln!(s, "{}: {w}", lang.pick("note", "注意"));
    }
    s
}

fn latex_escape(s: &str) -> String {
    s.replace('\\', "\\textbackslash{}")
        .replace('&', "\\&")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .replace('#', "\\#")
}

/// The pure-profile stability table as a LaTeX `tabular` (`game analyze --latex`).
pub fn latex_table(ld: &LoadedGame, an: &Analysis) -> String {
    let lang = ld.lang;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "% {}",
        lang.pick(
            "Generated by xietong game analyze",
            "由 xietong game analyze 生成"
        )
    );
    let _ = writeln!(s, "\\begin{{tabular}}{{llll}}\n\\hline");
    let _ = writeln!(
        s,
        "{} \\\\\n\\hline",
        lang.pick(
            "Equilibrium & Eigenvalues & Stability conditions & Result",
            "均衡点 & 特征值 & 稳定条件 & 结果"
        )
    );
    for (k, rp) in an.rest_points.iter().enumerate() {
        let Some(p) = &rp.profile else { continue };
        let sym = symbolic_for(ld, rp);
        let names: Vec<String> = p
            .iter()
            .enumerate()
            .map(|(i, &st)| latex_escape(&ld.game.populations[i].strategies[st]))
            .collect();
        for (m, e) in sym.iter().enumerate() {
            let first = if m == 0 {
                format!("$E_{{{}}}$ ({})", k + 1, names.join(", "))
            } else {
                String::new()
            };
            let result = if m == 0 {
                stability_word(rp.stability, lang).to_string()
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "{first} & $\\lambda_{{{}}} = {}$ & ${}$ & {result} \\\\",
                m + 1,
                e.latex,
                e.condition_latex
            );
        }
        let _ = writeln!(s, "\\hline");
    }
    let _ = writeln!(s, "\\end{{tabular}}");
    if !ld.game.definitions.is_empty() {
        let defs: Vec<String> = ld
            .game
            .definitions
            .iter()
            .map(|d| {
                format!(
                    "${} = {}$",
                    xietong_game::expr::latex_name(&d.name),
                    d.expr.to_latex()
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "\n\\noindent {} {}.",
            lang.pick("where", "其中"),
            defs.join(", ")
        );
    }
    s
}

// ---------------------------------------------------------------- simulate

/// Parse one start state into a full state vector.
pub fn parse_state(g: &NumericGame, names: &[String], s: &str) -> Result<Vec<f64>> {
    let bad = |m: String| input(format!("--from {s}: {m}"));
    let nums = |part: &str| -> Result<Vec<f64>> {
        part.split(',')
            .map(|t| {
                t.trim()
                    .parse::<f64>()
                    .map_err(|_| bad(format!("`{}` is not a number", t.trim())))
            })
            .collect()
    };
    let mut x = vec![0.0; g.dim_full];
    if s.contains(';') {
        let parts: Vec<&str> = s.split(';').collect();
        if parts.len() != g.n_pop() {
            return Err(bad(format!(
                "expected {} populations separated by `;`, found {}",
                g.n_pop(),
                parts.len()
            )));
        }
        for (i, part) in parts.iter().enumerate() {
            let v = nums(part)?;
            if v.len() != g.shape[i] {
                return Err(bad(format!(
                    "population {} has {} strategies, found {} shares",
                    names[i],
                    g.shape[i],
                    v.len()
                )));
            }
            if v.iter().any(|a| !(0.0..=1.0).contains(a))
                || (v.iter().sum::<f64>() - 1.0).abs() > 1e-9
            {
                return Err(bad(format!(
                    "the shares of population {} must lie in [0, 1] and sum to 1",
                    names[i]
                )));
            }
            x[g.offsets[i]..g.offsets[i] + g.shape[i]].copy_from_slice(&v);
        }
    } else {
        if !binary(g) {
            return Err(bad(
                "this game has a population with more than two strategies: give each population's shares, separated by `;`"
                    .into(),
            ));
        }
        let v = nums(s)?;
        if v.len() != g.n_pop() {
            return Err(bad(format!(
                "expected {} shares (the share playing the first strategy in each population: {}), found {}",
                g.n_pop(),
                names.join(", "),
                v.len()
            )));
        }
        for (i, &p) in v.iter().enumerate() {
            if !(0.0..=1.0).contains(&p) {
                return Err(bad(format!("share {p} for {} is outside [0, 1]", names[i])));
            }
            x[g.offsets[i]] = p;
            x[g.offsets[i] + 1] = 1.0 - p;
        }
    }
    Ok(x)
}

/// The default grid: {0.1, 0.5, 0.9} per two-strategy population; for larger simplices the
/// barycentre and the points with 0.8 on one strategy.
pub fn default_starts(g: &NumericGame) -> Vec<Vec<f64>> {
    let per_pop: Vec<Vec<Vec<f64>>> = g
        .shape
        .iter()
        .map(|&n| {
            if n == 2 {
                [0.1, 0.5, 0.9].iter().map(|&p| vec![p, 1.0 - p]).collect()
            } else {
                let mut v = vec![vec![1.0 / n as f64; n]];
                for k in 0..n {
                    let mut w = vec![0.2 / (n - 1) as f64; n];
                    w[k] = 0.8;
                    v.push(w);
                }
                v
            }
        })
        .collect();
    let mut acc: Vec<Vec<f64>> = vec![Vec::new()];
    for opts in &per_pop {
        let mut next = Vec::new();
        for a in &acc {
            for o in opts {
                let mut b = a.clone();
                b.extend_from_slice(o);
                next.push(b);
            }
        }
        acc = next;
    }
    acc
}

fn is_vertex(x: &[f64]) -> bool {
    x.iter().all(|&v| v == 0.0 || v == 1.0)
}

/// Largest `--t-end` accepted: trajectories settle long before, and the integrator's step budget
/// (1,000,000 steps per trajectory) is then never the reason a run fails.
pub const MAX_T_END: f64 = 1e5;
/// Tightest relative tolerance accepted: double precision cannot meet a tighter one.
pub const MIN_RTOL: f64 = 1e-13;

/// `points` output times evenly spaced from 0 to `t_end`, both checked.
pub fn output_times(t_end: f64, points: usize) -> Result<Vec<f64>> {
    if !(t_end.is_finite() && t_end > 0.0 && t_end <= MAX_T_END) {
        return Err(input(format!(
            "--t-end {}: expected a positive number up to {MAX_T_END:e} (trajectories of the replicator dynamics settle long before)",
            show(t_end)
        )));
    }
    if !(2..=1_000_000).contains(&points) {
        return Err(input(format!("--points {points}: expected 2 to 1000000")));
    }
    Ok((0..points)
        .map(|k| t_end * k as f64 / (points - 1) as f64)
        .collect())
}

fn column_names(ld: &LoadedGame) -> Vec<String> {
    ld.game
        .populations
        .iter()
        .flat_map(|p| {
            p.strategies
                .iter()
                .map(move |s| format!("{}:{}", p.name, s))
        })
        .collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// trajectories.csv: one row per start and output time, one column per population strategy.
pub fn trajectories_csv(ld: &LoadedGame, trajs: &[(Vec<f64>, Trajectory)]) -> String {
    let mut s = String::new();
    let mut head = vec!["start".to_string(), "t".to_string()];
    head.extend(column_names(ld));
    let _ = writeln!(
        s,
        "{}",
        head.iter()
            .map(|h| csv_field(h))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (k, (_, tr)) in trajs.iter().enumerate() {
        for (t, x) in tr.t.iter().zip(&tr.x) {
            let mut row = vec![(k + 1).to_string(), format!("{t}")];
            row.extend(x.iter().map(|v| format!("{v}")));
            let _ = writeln!(s, "{}", row.join(","));
        }
    }
    s
}

/// A number as a user would write it: plain for moderate magnitudes, else in e-notation.
fn show(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Refuse integrator tolerances double precision cannot meet or that make no sense for shares.
pub fn check_tolerances(rtol: f64, atol: f64) -> Result<()> {
    if !(rtol.is_finite() && (MIN_RTOL..=0.1).contains(&rtol)) {
        return Err(input(format!(
            "--rtol {}: expected a number from {MIN_RTOL:e} to 0.1 (double precision cannot meet a tighter relative tolerance)",
            show(rtol)
        )));
    }
    if !(atol.is_finite() && atol > 0.0 && atol <= 0.1) {
        return Err(input(format!(
            "--atol {}: expected a positive finite number up to 0.1 (shares lie in [0, 1])",
            show(atol)
        )));
    }
    Ok(())
}

/// An integrator failure is caused by the options (end time, tolerances): exit status 2, with
/// what to change.
fn integration_failed(what: String, e: xietong_game::ode::OdeError) -> Error {
    input(format!(
        "{what}: {e}: the requested accuracy cannot be reached over this time span; use a shorter --t-end or looser --rtol/--atol"
    ))
}

/// A state in three decimals: first-strategy shares for two-strategy games, else vectors.
pub fn short_state(g: &NumericGame, x: &[f64]) -> String {
    if binary(g) {
        format!(
            "({})",
            (0..g.n_pop())
                .map(|i| format!("{:.3}", x[g.offsets[i]]))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        g.split(x)
            .iter()
            .map(|v| {
                format!(
                    "[{}]",
                    v.iter()
                        .map(|a| format!("{a:.3}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Figure file formats: svg, png or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    pub svg: bool,
    pub png: bool,
}

impl Formats {
    /// `--format`: svg, png or both.
    pub fn parse(f: &str) -> Result<Formats> {
        let (svg, png) = match f {
            "svg" => (true, false),
            "png" => (false, true),
            "both" => (true, true),
            _ => return Err(input(format!("--format {f}: expected svg, png or both"))),
        };
        Ok(Formats { svg, png })
    }
}

/// Render every figure to bytes, named `<figure>.svg` / `<figure>.png`.
pub fn render_figures(figs: &[Figure], formats: Formats) -> Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    for f in figs {
        if formats.svg {
            let name = format!("{}.svg", f.name);
            let bytes = f.chart.to_svg().map_err(|source| Error::Draw {
                what: name.clone(),
                source,
            })?;
            out.push(OutputFile {
                name,
                bytes: bytes.into_bytes(),
            });
        }
        if formats.png {
            let name = format!("{}.png", f.name);
            let bytes = f.chart.to_png().map_err(|source| Error::Draw {
                what: name.clone(),
                source,
            })?;
            out.push(OutputFile { name, bytes });
        }
    }
    Ok(out)
}

/// `figures/<name>.<ext>` of `figs` at print size (`--figures`, `--dpi`, `--figure-size`).
fn export_figures(
    figs: &[Figure],
    opts: &crate::figures::FigureOptions,
) -> Result<Vec<OutputFile>> {
    let refs: Vec<crate::figures::FigureRef> = figs
        .iter()
        .map(|f| crate::figures::FigureRef {
            stem: &f.name,
            caption: &f.name,
            chart: f.chart.as_ref(),
        })
        .collect();
    crate::figures::figure_files(&refs, opts)
}

/// The print-size figure files of `game simulate` (`figures/*`, see [`crate::figures`]).
pub fn simulation_figure_files(
    ld: &LoadedGame,
    sim: &Simulation,
    opts: &crate::figures::FigureOptions,
) -> Result<Vec<OutputFile>> {
    let figs = charts::simulate_figures(ld, &sim.analysis, &sim.trajectories, ld.lang);
    export_figures(&figs, opts)
}

/// The print-size figure files of `game sweep` (`figures/*`, see [`crate::figures`]).
pub fn sweep_figure_files(
    ld: &LoadedGame,
    sw: &Sweep,
    opts: &crate::figures::FigureOptions,
) -> Result<Vec<OutputFile>> {
    let figs = charts::sweep_figures(ld, &sw.param, &sw.points, ld.lang);
    export_figures(&figs, opts)
}

/// What `game simulate` is asked for (defaults as in the CLI).
#[derive(Clone, Debug)]
pub struct SimulateOptions {
    /// Start states as text (see [`parse_state`]); empty for the default grid.
    pub from: Vec<String>,
    pub t_end: f64,
    pub points: usize,
    pub rtol: f64,
    pub atol: f64,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        SimulateOptions {
            from: Vec::new(),
            t_end: 50.0,
            points: 201,
            rtol: 1e-8,
            atol: 1e-10,
        }
    }
}

/// Checked starts, output times and tolerances, ready to integrate; split from the integration
/// so a front end can show [`SimulationPlan::warnings`] before the work starts.
pub struct SimulationPlan {
    pub starts: Vec<Vec<f64>>,
    pub times: Vec<f64>,
    pub t_end: f64,
    ode: OdeOptions,
}

/// Trajectories from every start, with the analysis that names the rest points they approach.
pub struct Simulation {
    pub analysis: Analysis,
    /// (start, trajectory) per start, in the order given.
    pub trajectories: Vec<(Vec<f64>, Trajectory)>,
    pub t_end: f64,
}

/// Check the options of a simulation (starts, tolerances, times, in that order).
pub fn plan_simulation(ld: &LoadedGame, opts: &SimulateOptions) -> Result<SimulationPlan> {
    let g = &ld.numeric;
    let names = ld.population_names();
    let starts: Vec<Vec<f64>> = if opts.from.is_empty() {
        default_starts(g)
    } else {
        opts.from
            .iter()
            .map(|s| parse_state(g, &names, s))
            .collect::<Result<_>>()?
    };
    check_tolerances(opts.rtol, opts.atol)?;
    let times = output_times(opts.t_end, opts.points)?;
    Ok(SimulationPlan {
        starts,
        times,
        t_end: opts.t_end,
        ode: OdeOptions {
            rtol: opts.rtol,
            atol: opts.atol,
            ..Default::default()
        },
    })
}

impl SimulationPlan {
    /// Starts that cannot move (vertices of the state space), one message each.
    pub fn warnings(&self) -> Vec<String> {
        self.starts
            .iter()
            .enumerate()
            .filter(|(_, x0)| is_vertex(x0))
            .map(|(k, _)| format!(
                "start {} lies on a vertex of the state space (a pure profile): it is a rest point and cannot move",
                k + 1
            ))
            .collect()
    }

    /// Integrate from every start (Dormand-Prince 5(4)).
    pub fn run(&self, ld: &LoadedGame) -> Result<Simulation> {
        let g = &ld.numeric;
        let analysis = analyze(g);
        let mut trajectories = Vec::new();
        for (k, x0) in self.starts.iter().enumerate() {
            let tr = integrate(g, x0, &self.times, &self.ode)
                .map_err(|e| integration_failed(format!("start {}", k + 1), e))?;
            trajectories.push((x0.clone(), tr));
        }
        Ok(Simulation {
            analysis,
            trajectories,
            t_end: self.t_end,
        })
    }
}

/// The files of `game simulate`: trajectories.csv first, then the figures.
pub fn simulation_files(
    ld: &LoadedGame,
    sim: &Simulation,
    formats: Formats,
) -> Result<Vec<OutputFile>> {
    let csv = trajectories_csv(ld, &sim.trajectories);
    let figures = charts::simulate_figures(ld, &sim.analysis, &sim.trajectories, ld.lang);
    let mut files = vec![OutputFile {
        name: "trajectories.csv".into(),
        bytes: csv.into_bytes(),
    }];
    files.extend(render_figures(&figures, formats)?);
    Ok(files)
}

/// Where each start ends and which rest point it approaches (the `game simulate` summary).
pub fn simulation_summary(ld: &LoadedGame, sim: &Simulation) -> String {
    let lang = ld.lang;
    let g = &ld.numeric;
    let analysis = &sim.analysis;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({} {}, t = 0..{})",
        ld.game.title,
        sim.trajectories.len(),
        lang.pick("starts", "个初始点"),
        num(sim.t_end)
    );
    for (k, (x0, tr)) in sim.trajectories.iter().enumerate() {
        let end = tr.x.last().expect("at least one output");
        let near = analysis
            .rest_points
            .iter()
            .enumerate()
            .map(|(i, rp)| {
                (
                    i,
                    rp.x.iter()
                        .zip(end)
                        .map(|(p, q)| (p - q).abs())
                        .fold(0.0, f64::max),
                )
            })
            .min_by(|p, q| p.1.total_cmp(&q.1));
        let tag = match near {
            Some((i, d)) if d < 1e-3 => format!(
                "→ E{} ({})",
                i + 1,
                stability_word(analysis.rest_points[i].stability, lang)
            ),
            _ => lang
                .pick("(not yet at a rest point)", "(尚未到达均衡点)")
                .to_string(),
        };
        let _ = writeln!(
            s,
            "  {:>3}  {} → {}  {tag}",
            k + 1,
            short_state(g, x0),
            short_state(g, end)
        );
    }
    if binary(g) && g.n_pop() > 2 {
        let (held, k) = charts::held_values(ld, analysis, &sim.trajectories);
        let at = held
            .iter()
            .map(|v| num((v * 1000.0).round() / 1000.0))
            .collect::<Vec<_>>();
        let _ = writeln!(
            s,
            "{} ({}): ({})",
            lang.pick(
                "phase panels: each pair with the other populations held at",
                "相图面板：每对群体之外的群体固定于"
            ),
            match k {
                Some(k) => format!("E{}", k + 1),
                None => lang
                    .pick("the mean end state", "各初始点终态的均值")
                    .to_string(),
            },
            at.join(", ")
        );
    }
    s
}

// ---------------------------------------------------------------- sweep

/// The stable rest points of an analysis.
pub fn stable_of(an: &Analysis) -> Vec<&RestPoint> {
    an.rest_points
        .iter()
        .filter(|r| r.stability == Stability::Stable)
        .collect()
}

/// What `game sweep` is asked for.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Parameter to vary.
    pub param: String,
    /// Values as `A:B:N`.
    pub range: String,
    /// Start of the trajectory at each value (as in [`parse_state`]); barycentre when `None`.
    pub from: Option<String>,
    pub t_end: f64,
    pub points: usize,
}

/// A finished sweep: per parameter value, the analysis and the trajectory from `start`.
pub struct Sweep {
    pub param: String,
    pub range: String,
    pub start: Vec<f64>,
    pub points: Vec<SweepPoint>,
}

/// Check the options (parameter, range, start, times, in that order) and run the sweep.
pub fn sweep(ld: &LoadedGame, opts: &SweepOptions) -> Result<Sweep> {
    let g = &ld.numeric;
    if !ld.values.contains_key(&opts.param) {
        return Err(input(format!(
            "--param {}: not a parameter of this game (parameters: {})",
            opts.param,
            ld.game
                .parameters
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let values = xietong_game::sweep::parse_range(&opts.range).map_err(input)?;
    let names = ld.population_names();
    let start = match &opts.from {
        Some(s) => parse_state(g, &names, s)?,
        None => g
            .shape
            .iter()
            .flat_map(|&n| vec![1.0 / n as f64; n])
            .collect(),
    };
    let times = output_times(opts.t_end, opts.points)?;
    let points = xietong_game::sweep::sweep(
        &ld.game,
        &ld.overrides,
        &opts.param,
        &values,
        &start,
        &times,
        &OdeOptions::default(),
    )
    .map_err(|e| match e {
        xietong_game::sweep::SweepError::Game(ge) => input(ge),
        xietong_game::sweep::SweepError::Input(m) => input(m),
    })?;
    Ok(Sweep {
        param: opts.param.clone(),
        range: opts.range.clone(),
        start,
        points,
    })
}

/// The files of `game sweep`: sweep_stable.csv, sweep_trajectories.csv, then the figures.
pub fn sweep_files(ld: &LoadedGame, sw: &Sweep, formats: Formats) -> Result<Vec<OutputFile>> {
    let mut stable_csv = String::new();
    let mut head = vec![csv_field(&sw.param), "kind".into()];
    head.extend(column_names(ld).iter().map(|c| csv_field(c)));
    let _ = writeln!(stable_csv, "{}", head.join(","));
    let mut final_csv = String::new();
    let mut head2 = vec![csv_field(&sw.param), "t".into()];
    head2.extend(column_names(ld).iter().map(|c| csv_field(c)));
    let _ = writeln!(final_csv, "{}", head2.join(","));
    for p in &sw.points {
        for rp in stable_of(&p.analysis) {
            let mut row = vec![format!("{}", p.value), rp.kind.as_str().to_string()];
            row.extend(rp.x.iter().map(|v| format!("{v}")));
            let _ = writeln!(stable_csv, "{}", row.join(","));
        }
        for (t, x) in p.trajectory.t.iter().zip(&p.trajectory.x) {
            let mut row = vec![format!("{}", p.value), format!("{t}")];
            row.extend(x.iter().map(|v| format!("{v}")));
            let _ = writeln!(final_csv, "{}", row.join(","));
        }
    }
    let figs = charts::sweep_figures(ld, &sw.param, &sw.points, ld.lang);
    let mut files = vec![
        OutputFile {
            name: "sweep_stable.csv".into(),
            bytes: stable_csv.into_bytes(),
        },
        OutputFile {
            name: "sweep_trajectories.csv".into(),
            bytes: final_csv.into_bytes(),
        },
    ];
    files.extend(render_figures(&figs, formats)?);
    Ok(files)
}

/// The sweep as JSON (`game sweep --json`): stable set and final state per value.
pub fn sweep_json(ld: &LoadedGame, sw: &Sweep) -> Value {
    let g = &ld.numeric;
    json!({
        "parameter": sw.param,
        "points": sw.points.iter().map(|p| json!({
            "value": p.value,
            "stable": stable_of(&p.analysis).iter().map(|rp| json!({"state": g.split(&rp.x), "kind": rp.kind.as_str()})).collect::<Vec<_>>(),
            "final_state": g.split(p.trajectory.x.last().expect("output")),
        })).collect::<Vec<_>>(),
    })
}

/// The sweep as a text table: stable rest points and the state at t-end per value.
pub fn sweep_text(ld: &LoadedGame, sw: &Sweep) -> String {
    let lang = ld.lang;
    let g = &ld.numeric;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} {} {}",
        ld.game.title,
        lang.pick("sweep of", "参数扫描"),
        sw.param,
        sw.range
    );
    let _ = writeln!(
        s,
        "{}  {}  |  {} {}",
        pad(&sw.param, 10),
        pad(lang.pick("stable rest points", "稳定均衡点"), 40),
        lang.pick("state at t-end from", "t-end 时状态, 初始"),
        short_state(g, &sw.start)
    );
    for p in &sw.points {
        let st: Vec<String> = stable_of(&p.analysis)
            .iter()
            .map(|rp| short_state(g, &rp.x))
            .collect();
        let st = if st.is_empty() {
            lang.pick("none", "无").to_string()
        } else {
            st.join(" ")
        };
        let _ = writeln!(
            s,
            "{}  {}  |  {}",
            pad(&num(p.value), 10),
            pad(&st, 40),
            short_state(g, p.trajectory.x.last().expect("output"))
        );
    }
    s
}

pub mod charts {
    //! Figures for `simulate` and `sweep`, drawn with xietong-report: phase portraits in the unit
    //! square (two-strategy games; pairwise panels for three or four populations), time plots,
    //! and the sensitivity figures of a sweep.
    use super::{LoadedGame, binary, stable_of};
    use crate::Lang;
    use xietong_game::ode::Trajectory;
    use xietong_game::sweep::SweepPoint;
    use xietong_game::{Analysis, Stability};
    use xietong_report::{Chart, LineChart, Marker, PhasePortrait, Series};

    /// A chart and the file stem it is written under.
    pub struct Figure {
        pub name: String,
        pub chart: Box<dyn Chart>,
    }

    /// Most trajectories drawn in their own colour with a legend entry in a time chart; with more
    /// starts all are drawn in one colour (a legend of 80 entries would not fit the figure).
    pub const MAX_LEGEND_SERIES: usize = 12;

    fn share_label(ld: &LoadedGame, i: usize, lang: Lang) -> String {
        let p = &ld.game.populations[i];
        match lang {
            Lang::En => format!("{}: share {}", p.name, p.strategies[0]),
            Lang::Zh => format!("{}: {} 比例", p.name, p.strategies[0]),
        }
    }

    /// Population `i`'s share of its first strategy over time, one line per series.
    fn time_figure(
        ld: &LoadedGame,
        i: usize,
        lang: Lang,
        name: String,
        series: Vec<Series>,
    ) -> Figure {
        Figure {
            name,
            chart: Box::new(LineChart {
                title: format!("{}: {}", ld.game.title, ld.game.populations[i].name),
                x_label: lang.pick("time", "时间").to_string(),
                y_label: share_label(ld, i, lang),
                series,
                y_range: Some((0.0, 1.0)),
                x_ticks: None,
                width: 0,
                height: 0,
            }),
        }
    }

    /// Where the populations outside a phase panel are held: each population's first-strategy
    /// share at the stable rest point that the most starts reach (its index is returned), or,
    /// when no start ends at a stable rest point, the mean end state over the starts.
    ///
    /// Used for three or more two-strategy populations: each pairwise panel is the slice of
    /// state space with the other populations fixed at these values. A stable vertex puts every
    /// slice on a face of the cube, which the replicator flow leaves invariant, so the panels
    /// then show trajectories of the full system.
    pub fn held_values(
        ld: &LoadedGame,
        an: &Analysis,
        trajs: &[(Vec<f64>, Trajectory)],
    ) -> (Vec<f64>, Option<usize>) {
        let g = &ld.numeric;
        let ends: Vec<&Vec<f64>> = trajs.iter().filter_map(|(_, t)| t.x.last()).collect();
        let near = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f64::max)
                < 1e-3
        };
        let best = an
            .rest_points
            .iter()
            .enumerate()
            .filter(|(_, rp)| rp.stability == Stability::Stable)
            .map(|(k, rp)| (k, ends.iter().filter(|e| near(e, &rp.x)).count()))
            .filter(|(_, n)| *n > 0)
            // most starts; among ties the first rest point
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        let first = |x: &[f64]| -> Vec<f64> { g.offsets.iter().map(|&o| x[o]).collect() };
        match best {
            Some((k, _)) => (first(&an.rest_points[k].x), Some(k)),
            None => {
                let n = ends.len().max(1) as f64;
                let mean = (0..g.n_pop())
                    .map(|p| ends.iter().map(|e| e[g.offsets[p]]).sum::<f64>() / n)
                    .collect();
                (mean, None)
            }
        }
    }

    /// Direction field of populations `i` (x) and `j` (y) on a 15 x 15 grid, the others at
    /// their `held` first-strategy shares, scaled to a common short length.
    fn field_arrows(
        ld: &LoadedGame,
        i: usize,
        j: usize,
        held: &[f64],
    ) -> Vec<((f64, f64), (f64, f64))> {
        let g = &ld.numeric;
        let (oi, oj) = (g.offsets[i], g.offsets[j]);
        let mut u = vec![0.0; g.dim_full];
        let mut f = vec![0.0; g.dim_full];
        let mut st = vec![0.0; g.dim_full];
        for (p, &o) in g.offsets.iter().enumerate() {
            st[o] = held[p];
            st[o + 1] = 1.0 - held[p];
        }
        let n = 15;
        let mut arrows = Vec::new();
        for a in 0..n {
            for b in 0..n {
                let x = (a as f64 + 0.5) / n as f64;
                let y = (b as f64 + 0.5) / n as f64;
                st[oi] = x;
                st[oi + 1] = 1.0 - x;
                st[oj] = y;
                st[oj + 1] = 1.0 - y;
                g.field(&st, &mut u, &mut f);
                let (dx, dy) = (f[oi], f[oj]);
                let len = (dx * dx + dy * dy).sqrt();
                if len > 0.0 {
                    let k = 0.028 / len;
                    arrows.push(((x, y), (dx * k, dy * k)));
                }
            }
        }
        arrows
    }

    /// Trajectories of the two-population system left when every population other than `i` and
    /// `j` is held at `held`: from each distinct (x_i, x_j) of the starts, over the starts'
    /// output times. Holding a population is done exactly by giving it the same payoff for both
    /// strategies (its replicator equation is then x' = 0), so the project's integrator is used
    /// unchanged. Trajectories of a 2-D autonomous system cannot cross.
    fn slice_trajectories(
        ld: &LoadedGame,
        i: usize,
        j: usize,
        held: &[f64],
        trajs: &[(Vec<f64>, Trajectory)],
    ) -> Vec<Vec<(f64, f64)>> {
        let g = &ld.numeric;
        let np = g.n_pop();
        let (oi, oj) = (g.offsets[i], g.offsets[j]);
        let mut frozen = g.clone();
        for prof in 0..frozen.profiles.len() {
            for k in (0..np).filter(|&k| k != i && k != j) {
                frozen.payoff[prof * np + k] = 0.0;
            }
        }
        let mut starts: Vec<(f64, f64)> = Vec::new();
        for (x0, _) in trajs {
            let p = (x0[oi], x0[oj]);
            if !starts
                .iter()
                .any(|q| (q.0 - p.0).abs() < 1e-9 && (q.1 - p.1).abs() < 1e-9)
            {
                starts.push(p);
            }
        }
        let times = trajs.first().map(|(_, t)| t.t.clone()).unwrap_or_default();
        let opts = xietong_game::ode::OdeOptions::default();
        starts
            .iter()
            .filter_map(|&(x, y)| {
                let mut st = vec![0.0; g.dim_full];
                for (p, &o) in g.offsets.iter().enumerate() {
                    st[o] = held[p];
                    st[o + 1] = 1.0 - held[p];
                }
                st[oi] = x;
                st[oi + 1] = 1.0 - x;
                st[oj] = y;
                st[oj + 1] = 1.0 - y;
                // the full system was integrated from these states already; a reduced one
                // that fails is left out of the picture rather than failing the command
                xietong_game::ode::integrate(&frozen, &st, &times, &opts)
                    .ok()
                    .map(|t| t.x.iter().map(|x| (x[oi], x[oj])).collect())
            })
            .collect()
    }

    /// "Central held at 0 (lax)" or "Central held at 0.37": what a slice panel fixes.
    fn held_text(ld: &LoadedGame, k: usize, v: f64, lang: Lang) -> String {
        let p = &ld.game.populations[k];
        let pure = if v.abs() < 1e-9 {
            Some(&p.strategies[1])
        } else if (v - 1.0).abs() < 1e-9 {
            Some(&p.strategies[0])
        } else {
            None
        };
        let shown = super::num((v * 1000.0).round() / 1000.0);
        match (pure, lang) {
            (Some(s), Lang::En) => format!("{} held at {shown} ({s})", p.name),
            (Some(s), Lang::Zh) => format!("{} 固定为 {shown}（{s}）", p.name),
            (None, Lang::En) => format!("{} held at {shown}", p.name),
            (None, Lang::Zh) => format!("{} 固定为 {shown}", p.name),
        }
    }

    /// Phase portraits (two-strategy games) and one time plot per population. Two populations:
    /// the unit square with direction field, trajectories and rest points. Three or four: one
    /// panel per pair, each the slice with the other populations held at [`held_values`]
    /// (direction field, trajectories of the reduced system and the rest points lying in the
    /// slice), so no panel shows a projection whose trajectories cross.
    pub fn simulate_figures(
        ld: &LoadedGame,
        an: &Analysis,
        trajs: &[(Vec<f64>, Trajectory)],
        lang: Lang,
    ) -> Vec<Figure> {
        let g = &ld.numeric;
        let np = g.n_pop();
        let mut figs = Vec::new();
        if binary(g) {
            let held = if np > 2 {
                held_values(ld, an, trajs).0
            } else {
                vec![0.5; np]
            };
            for i in 0..np {
                for j in i + 1..np {
                    let (oi, oj) = (g.offsets[i], g.offsets[j]);
                    let others: Vec<usize> = (0..np).filter(|&k| k != i && k != j).collect();
                    let arrows = field_arrows(ld, i, j, &held);
                    let trajectories = if np == 2 {
                        trajs
                            .iter()
                            .map(|(_, t)| t.x.iter().map(|x| (x[oi], x[oj])).collect())
                            .collect()
                    } else {
                        slice_trajectories(ld, i, j, &held, trajs)
                    };
                    // rest points of the full system that lie in the slice (all of them for
                    // two populations) are rest points of the panel's flow too
                    let markers = an
                        .rest_points
                        .iter()
                        .enumerate()
                        .filter(|(_, rp)| {
                            others
                                .iter()
                                .all(|&k| (rp.x[g.offsets[k]] - held[k]).abs() < 1e-6)
                        })
                        .map(|(k, rp)| Marker {
                            x: rp.x[oi],
                            y: rp.x[oj],
                            label: format!("E{}", k + 1),
                            filled: rp.stability == Stability::Stable,
                        })
                        .collect();
                    let title = if np == 2 {
                        match lang {
                            Lang::En => {
                                format!("{}: phase portrait (filled = stable)", ld.game.title)
                            }
                            Lang::Zh => format!("{}: 相图 (实心 = 稳定点)", ld.game.title),
                        }
                    } else {
                        let fixed: Vec<String> = others
                            .iter()
                            .map(|&k| held_text(ld, k, held[k], lang))
                            .collect();
                        match lang {
                            Lang::En => {
                                format!("Phase portrait, {} (filled = stable)", fixed.join(", "))
                            }
                            Lang::Zh => format!("相图，{}（实心 = 稳定点）", fixed.join("，")),
                        }
                    };
                    let name = if np == 2 {
                        "phase".to_string()
                    } else {
                        format!("phase_{}_{}", i + 1, j + 1)
                    };
                    figs.push(Figure {
                        name,
                        chart: Box::new(PhasePortrait {
                            title,
                            x_label: share_label(ld, i, lang),
                            y_label: share_label(ld, j, lang),
                            arrows,
                            trajectories,
                            markers,
                            width: 0,
                            height: 0,
                        }),
                    });
                }
            }
        }
        for i in 0..np {
            let o = g.offsets[i];
            let series = if trajs.len() <= MAX_LEGEND_SERIES {
                trajs
                    .iter()
                    .enumerate()
                    .map(|(k, (x0, t))| Series {
                        name: format!("{} {} ({:.2})", lang.pick("start", "初始"), k + 1, x0[o]),
                        x: t.t.clone(),
                        y: t.x.iter().map(|x| x[o]).collect(),
                        lower: None,
                        upper: None,
                    })
                    .collect()
            } else {
                // Too many starts for a legend (and for distinguishable colours): every
                // trajectory in one colour, separated by gaps, named once.
                let mut x = Vec::new();
                let mut y = Vec::new();
                for (_, t) in trajs {
                    if !x.is_empty() {
                        x.push(f64::NAN);
                        y.push(f64::NAN);
                    }
                    x.extend_from_slice(&t.t);
                    y.extend(t.x.iter().map(|s| s[o]));
                }
                vec![Series {
                    name: match lang {
                        Lang::En => format!("{} starts", trajs.len()),
                        Lang::Zh => format!("{} 个初始点", trajs.len()),
                    },
                    x,
                    y,
                    lower: None,
                    upper: None,
                }]
            };
            figs.push(time_figure(ld, i, lang, format!("time_{}", i + 1), series));
        }
        figs
    }

    /// End state, number of stable rest points, and time paths over the swept values.
    pub fn sweep_figures(
        ld: &LoadedGame,
        param: &str,
        res: &[SweepPoint],
        lang: Lang,
    ) -> Vec<Figure> {
        let g = &ld.numeric;
        let mut figs = Vec::new();
        if res.is_empty() {
            return figs;
        }
        // Sensitivity of the end state (and of the stable set's first-strategy shares).
        let xs: Vec<f64> = res.iter().map(|p| p.value).collect();
        let mut series = Vec::new();
        for i in 0..g.n_pop() {
            let o = g.offsets[i];
            series.push(Series {
                name: format!(
                    "{} ({})",
                    ld.game.populations[i].name,
                    lang.pick("state at t-end", "t-end 时状态")
                ),
                x: xs.clone(),
                y: res
                    .iter()
                    .map(|p| p.trajectory.x.last().map(|x| x[o]).unwrap_or(f64::NAN))
                    .collect(),
                lower: None,
                upper: None,
            });
        }
        figs.push(Figure {
            name: "sweep_end_state".into(),
            chart: Box::new(LineChart {
                title: format!(
                    "{}: {} {}",
                    ld.game.title,
                    lang.pick("sensitivity to", "敏感性:"),
                    param
                ),
                x_label: param.to_string(),
                y_label: lang
                    .pick("share playing the first strategy", "选择第一个策略的比例")
                    .to_string(),
                series,
                y_range: Some((0.0, 1.0)),
                x_ticks: None,
                width: 0,
                height: 0,
            }),
        });
        // Number of stable rest points, a compact view of bifurcations.
        figs.push(Figure {
            name: "sweep_stable_count".into(),
            chart: Box::new(LineChart {
                title: format!(
                    "{}: {}",
                    ld.game.title,
                    lang.pick("number of stable rest points", "稳定均衡点个数")
                ),
                x_label: param.to_string(),
                y_label: lang.pick("stable rest points", "稳定均衡点").to_string(),
                series: vec![Series {
                    name: lang.pick("stable", "稳定").to_string(),
                    x: xs.clone(),
                    y: res
                        .iter()
                        .map(|p| stable_of(&p.analysis).len() as f64)
                        .collect(),
                    lower: None,
                    upper: None,
                }],
                y_range: None,
                x_ticks: None,
                width: 0,
                height: 0,
            }),
        });
        // Time paths for up to seven evenly spaced values, one figure per population.
        let pick: Vec<usize> = if res.len() <= 7 {
            (0..res.len()).collect()
        } else {
            let mut v: Vec<usize> = (0..7).map(|k| k * (res.len() - 1) / 6).collect();
            v.dedup();
            v
        };
        for i in 0..g.n_pop() {
            let o = g.offsets[i];
            let series = pick
                .iter()
                .map(|&k| {
                    let p = &res[k];
                    Series {
                        name: format!("{param} = {}", super::num(p.value)),
                        x: p.trajectory.t.clone(),
                        y: p.trajectory.x.iter().map(|x| x[o]).collect(),
                        lower: None,
                        upper: None,
                    }
                })
                .collect();
            figs.push(time_figure(
                ld,
                i,
                lang,
                format!("sweep_time_{}", i + 1),
                series,
            ));
        }
        figs
    }

    #[cfg(test)]
    mod tests {
        use super::super::{LoadedGame, SimulateOptions, plan_simulation};
        use super::*;

        const CENTRAL: &str =
            include_str!("../../../examples/games/chengdu_chongqing_central.toml");

        /// Whether segments ab and cd cross at a point inside both (not at shared ends).
        fn cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
            let o = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
                (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
            };
            let (d1, d2) = (o(a, b, c), o(a, b, d));
            let (d3, d4) = (o(c, d, a), o(c, d, b));
            d1 * d2 < -1e-18 && d3 * d4 < -1e-18
        }

        /// Number of crossings between different paths, away from every path's end (paths
        /// converging to one rest point meet there without crossing).
        fn crossings(paths: &[Vec<(f64, f64)>]) -> usize {
            let ends: Vec<(f64, f64)> = paths.iter().filter_map(|p| p.last().copied()).collect();
            let far = |p: (f64, f64)| ends.iter().all(|e| (p.0 - e.0).hypot(p.1 - e.1) > 0.02);
            let mut n = 0;
            for (i, p) in paths.iter().enumerate() {
                for q in &paths[..i] {
                    for s in p.windows(2).filter(|s| far(s[0]) && far(s[1])) {
                        for t in q.windows(2).filter(|t| far(t[0]) && far(t[1])) {
                            n += cross(s[0], s[1], t[0], t[1]) as usize;
                        }
                    }
                }
            }
            n
        }

        #[test]
        fn three_population_panels_are_slices_whose_trajectories_do_not_cross() {
            let ld =
                LoadedGame::new("central.toml", CENTRAL, &["a=1".to_string()], Lang::En).unwrap();
            let sim = plan_simulation(&ld, &SimulateOptions::default())
                .unwrap()
                .run(&ld)
                .unwrap();
            let (held, k) = held_values(&ld, &sim.analysis, &sim.trajectories);
            // every one of the 27 starts ends at the stable profile (cooperate, cooperate, lax)
            let k = k.expect("a stable rest point is reached");
            assert_eq!(held, vec![1.0, 1.0, 0.0], "E{}", k + 1);
            let g = &ld.numeric;
            let mut projected_crossings = 0;
            for (i, j) in [(0, 1), (0, 2), (1, 2)] {
                let (oi, oj) = (g.offsets[i], g.offsets[j]);
                let slice = slice_trajectories(&ld, i, j, &held, &sim.trajectories);
                assert_eq!(slice.len(), 9, "the 27 starts project to 9 distinct points");
                assert_eq!(crossings(&slice), 0, "panel {i}-{j}");
                // the held value is a vertex, so the slice is an invariant face: its paths
                // are those of the full game started on the face
                for path in &slice {
                    let mut x0 = vec![0.0; g.dim_full];
                    for (p, &o) in g.offsets.iter().enumerate() {
                        x0[o] = held[p];
                        x0[o + 1] = 1.0 - held[p];
                    }
                    x0[oi] = path[0].0;
                    x0[oi + 1] = 1.0 - path[0].0;
                    x0[oj] = path[0].1;
                    x0[oj + 1] = 1.0 - path[0].1;
                    let full = xietong_game::ode::integrate(
                        g,
                        &x0,
                        &sim.trajectories[0].1.t,
                        &Default::default(),
                    )
                    .unwrap();
                    for (a, b) in path.iter().zip(&full.x) {
                        assert!((a.0 - b[oi]).abs() < 1e-6 && (a.1 - b[oj]).abs() < 1e-6);
                    }
                }
                // what the panels showed before: the projection of the 3-D paths crosses
                let projected: Vec<Vec<(f64, f64)>> = sim
                    .trajectories
                    .iter()
                    .map(|(_, t)| t.x.iter().map(|x| (x[oi], x[oj])).collect())
                    .collect();
                projected_crossings += crossings(&projected);
            }
            assert!(projected_crossings > 0);
            // the title states what is held; only rest points in the slice are marked
            let figs = simulate_figures(&ld, &sim.analysis, &sim.trajectories, Lang::En);
            let svg = figs
                .iter()
                .find(|f| f.name == "phase_1_2")
                .unwrap()
                .chart
                .to_svg()
                .unwrap();
            assert!(svg.contains("Central held at 0 (lax)"), "title");
            let in_face = sim
                .analysis
                .rest_points
                .iter()
                .filter(|rp| rp.x[g.offsets[2]].abs() < 1e-6)
                .count();
            assert_eq!(svg.matches(r#"r="5.5""#).count(), in_face);
            let zh = simulate_figures(&ld, &sim.analysis, &sim.trajectories, Lang::Zh);
            assert!(zh[0].chart.to_svg().unwrap().contains("固定为"));
        }
    }
}
