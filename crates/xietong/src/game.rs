//! `xietong game …` (issue 3): the command-line side of the evolutionary-game engine. Reads game
//! files, applies `--set`, prints tables or JSON and writes result files atomically; every
//! computation lives in `xietong-game`.

use crate::error::bad_input;
use crate::io::write_atomic;
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use xietong_game::expr::fmt_num;
use xietong_game::ode::{OdeOptions, Trajectory, integrate};
use xietong_game::rest::Eigen;
use xietong_game::symbolic::{self, SymbolicEigen};
use xietong_game::{Analysis, Game, Kind, NumericGame, RestPoint, Stability, analyze};

#[derive(Subcommand)]
pub enum GameCmd {
    /// Every rest point with its Jacobian eigenvalues and stability; for pure profiles also the
    /// symbolic eigenvalues and stability conditions (text and LaTeX).
    Analyze(AnalyzeArgs),
    /// Trajectories (Dormand-Prince 5(4)) from a grid of starts or given ones: CSV, phase
    /// portraits and time plots.
    Simulate(SimulateArgs),
    /// How the stable set and a trajectory change as one parameter moves over a range.
    Sweep(SweepArgs),
}

#[derive(Args, Clone)]
pub struct CommonArgs {
    /// Game file (TOML; see docs/games.md).
    pub file: PathBuf,
    /// Override a parameter, e.g. `--set C=3` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// Language of tables and charts: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Also write the pure-profile stability table as a LaTeX file.
    #[arg(long, value_name = "PATH")]
    pub latex: Option<PathBuf>,
}

#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Start state (repeatable). Two-strategy games: the share playing the first strategy in
    /// each population, e.g. `0.2,0.7`. Otherwise each population's mixed strategy, separated
    /// by `;`, e.g. `0.2,0.8;0.1,0.3,0.6`. Default: the grid {0.1,0.5,0.9} per population.
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub from: Vec<String>,
    /// End time.
    #[arg(long, default_value_t = 50.0, allow_negative_numbers = true)]
    pub t_end: f64,
    /// Number of output times (evenly spaced from 0 to t-end).
    #[arg(long, default_value_t = 201)]
    pub points: usize,
    /// Relative and absolute error tolerance of the integrator.
    #[arg(long, default_value_t = 1e-8, allow_negative_numbers = true)]
    pub rtol: f64,
    #[arg(long, default_value_t = 1e-10, allow_negative_numbers = true)]
    pub atol: f64,
    /// Output directory (CSV and figures).
    #[arg(long, default_value = "game-simulate")]
    pub out: PathBuf,
    /// Figure format: svg, png or both.
    #[arg(long, default_value = "svg")]
    pub format: String,
}

#[derive(Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Parameter to vary.
    #[arg(long)]
    pub param: String,
    /// Values as A:B:N (N evenly spaced values from A to B); negative bounds are fine
    /// (`--range -1:1:3`).
    #[arg(long, allow_hyphen_values = true)]
    pub range: String,
    /// Start of the trajectory recorded at each value (format as in `simulate`); default 0.5 everywhere.
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub from: Option<String>,
    #[arg(long, default_value_t = 50.0, allow_negative_numbers = true)]
    pub t_end: f64,
    #[arg(long, default_value_t = 201)]
    pub points: usize,
    /// Output directory (CSV and figures).
    #[arg(long, default_value = "game-sweep")]
    pub out: PathBuf,
    /// Figure format: svg, png or both.
    #[arg(long, default_value = "svg")]
    pub format: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cmd: GameCmd) -> anyhow::Result<()> {
    match cmd {
        GameCmd::Analyze(a) => run_analyze(a),
        GameCmd::Simulate(a) => run_simulate(a),
        GameCmd::Sweep(a) => run_sweep(a),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    fn parse(s: &str) -> anyhow::Result<Lang> {
        match s
            .trim()
            .to_ascii_lowercase()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
        {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(bad_input(format!("--lang {s}: expected en or zh"))),
        }
    }
    fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        if self == Lang::En { en } else { zh }
    }
}

/// A loaded game at its parameter values.
struct Loaded {
    game: Game,
    values: BTreeMap<String, f64>,
    /// `values` plus the value of every definition.
    env: BTreeMap<String, f64>,
    numeric: NumericGame,
    lang: Lang,
    overrides: Vec<(String, f64)>,
}

fn parse_set(items: &[String]) -> anyhow::Result<Vec<(String, f64)>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s.split_once('=').ok_or_else(|| {
                bad_input(format!("--set {s}: expected NAME=VALUE, e.g. --set C=3"))
            })?;
            let v: f64 = v
                .trim()
                .parse()
                .map_err(|_| bad_input(format!("--set {s}: `{}` is not a number", v.trim())))?;
            if !v.is_finite() {
                return Err(bad_input(format!("--set {s}: the value must be finite")));
            }
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

fn load(c: &CommonArgs) -> anyhow::Result<Loaded> {
    let lang = Lang::parse(&c.lang)?;
    let text = std::fs::read_to_string(&c.file)
        .map_err(|e| bad_input(format!("cannot read game file {}: {e}", c.file.display())))?;
    let game = Game::parse(&c.file.display().to_string(), &text).map_err(bad_input)?;
    let overrides = parse_set(&c.set)?;
    let values = game.parameter_values(&overrides).map_err(bad_input)?;
    let numeric = game.numeric(&values).map_err(bad_input)?;
    let env = game.environment(&values).map_err(bad_input)?;
    Ok(Loaded {
        game,
        values,
        env,
        numeric,
        lang,
        overrides,
    })
}

// ---------------------------------------------------------------- formatting helpers

/// Print to stdout; a closed pipe (`| head`) ends output quietly instead of panicking.
fn emit(s: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

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
fn state_text(ld: &Loaded, rp: &RestPoint) -> String {
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

fn binary_coords(ld: &Loaded, rp: &RestPoint) -> String {
    let g = &ld.numeric;
    let xs: Vec<String> = (0..g.n_pop()).map(|i| num(rp.x[g.offsets[i]])).collect();
    format!("({})", xs.join(", "))
}

fn stability_word(s: Stability, lang: Lang) -> &'static str {
    match s {
        Stability::Stable => lang.pick("stable (ESS)", "稳定点 (ESS)"),
        Stability::Unstable => lang.pick("unstable", "不稳定点"),
        Stability::Saddle => lang.pick("saddle", "鞍点"),
        Stability::Undetermined => lang.pick("undetermined", "不确定"),
    }
}

fn kind_word(k: Kind, lang: Lang) -> &'static str {
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

fn symbolic_for(ld: &Loaded, rp: &RestPoint) -> Vec<SymbolicEigen> {
    match &rp.profile {
        Some(p) => symbolic::pure_profile(&ld.game, p),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------- analyze

fn run_analyze(a: AnalyzeArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    if let Some(path) = &a.latex
        && path.is_dir()
    {
        return Err(bad_input(format!(
            "--latex {}: is a folder; expected a file name such as table.tex",
            path.display()
        )));
    }
    let analysis = analyze(&ld.numeric);
    if let Some(path) = &a.latex {
        let tex = latex_table(&ld, &analysis);
        write_atomic(path, tex.as_bytes())
            .map_err(|e| bad_input(format!("--latex {}: cannot write: {e}", path.display())))?;
    }
    if a.json {
        let v = analysis_json(&ld, &analysis);
        emit(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    } else {
        emit(&analysis_text(&ld, &analysis));
    }
    for w in &analysis.warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

fn rest_point_json(ld: &Loaded, rp: &RestPoint) -> Value {
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

fn analysis_json(ld: &Loaded, an: &Analysis) -> Value {
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

fn analysis_text(ld: &Loaded, an: &Analysis) -> String {
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
    let rows: Vec<[String; 5]> = an
        .rest_points
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
        .collect();
    let headers = [
        "",
        lang.pick("kind", "类型"),
        lang.pick("state", "状态"),
        lang.pick("eigenvalues", "特征值"),
        lang.pick("stability", "稳定性"),
    ];
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

fn latex_table(ld: &Loaded, an: &Analysis) -> String {
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
fn parse_state(g: &NumericGame, names: &[String], s: &str) -> anyhow::Result<Vec<f64>> {
    let bad = |m: String| bad_input(format!("--from {s}: {m}"));
    let nums = |part: &str| -> anyhow::Result<Vec<f64>> {
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
fn default_starts(g: &NumericGame) -> Vec<Vec<f64>> {
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
const MAX_T_END: f64 = 1e5;
/// Tightest relative tolerance accepted: double precision cannot meet a tighter one.
const MIN_RTOL: f64 = 1e-13;

fn output_times(t_end: f64, points: usize) -> anyhow::Result<Vec<f64>> {
    if !(t_end.is_finite() && t_end > 0.0 && t_end <= MAX_T_END) {
        return Err(bad_input(format!(
            "--t-end {}: expected a positive number up to {MAX_T_END:e} (trajectories of the replicator dynamics settle long before)",
            show(t_end)
        )));
    }
    if !(2..=1_000_000).contains(&points) {
        return Err(bad_input(format!(
            "--points {points}: expected 2 to 1000000"
        )));
    }
    Ok((0..points)
        .map(|k| t_end * k as f64 / (points - 1) as f64)
        .collect())
}

fn column_names(ld: &Loaded) -> Vec<String> {
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

fn trajectories_csv(ld: &Loaded, trajs: &[(Vec<f64>, Trajectory)]) -> String {
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

fn check_tolerances(rtol: f64, atol: f64) -> anyhow::Result<()> {
    if !(rtol.is_finite() && (MIN_RTOL..=0.1).contains(&rtol)) {
        return Err(bad_input(format!(
            "--rtol {}: expected a number from {MIN_RTOL:e} to 0.1 (double precision cannot meet a tighter relative tolerance)",
            show(rtol)
        )));
    }
    if !(atol.is_finite() && atol > 0.0 && atol <= 0.1) {
        return Err(bad_input(format!(
            "--atol {}: expected a positive finite number up to 0.1 (shares lie in [0, 1])",
            show(atol)
        )));
    }
    Ok(())
}

/// An integrator failure is caused by the options (end time, tolerances): exit status 2, with
/// what to change.
fn integration_failed(what: String, e: xietong_game::ode::OdeError) -> anyhow::Error {
    bad_input(format!(
        "{what}: {e}: the requested accuracy cannot be reached over this time span; use a shorter --t-end or looser --rtol/--atol"
    ))
}

/// The output folder must be usable before anything is computed or written.
fn prepare_out_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(bad_input(format!(
            "--out {}: exists and is not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        bad_input(format!(
            "--out {}: cannot create the folder: {e}",
            dir.display()
        ))
    })?;
    Ok(())
}

/// Write a complete output set that was rendered in memory beforehand; a failure to write is an
/// unusable output location (exit status 2).
fn write_all(files: &[(PathBuf, Vec<u8>)]) -> anyhow::Result<()> {
    for (p, bytes) in files {
        write_atomic(p, bytes)
            .map_err(|e| bad_input(format!("cannot write {}: {e}", p.display())))?;
    }
    Ok(())
}

fn formats(f: &str) -> anyhow::Result<(bool, bool)> {
    match f {
        "svg" => Ok((true, false)),
        "png" => Ok((false, true)),
        "both" => Ok((true, true)),
        _ => Err(bad_input(format!(
            "--format {f}: expected svg, png or both"
        ))),
    }
}

fn run_simulate(a: SimulateArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    let (svg, png) = formats(&a.format)?;
    let g = &ld.numeric;
    let names: Vec<String> = ld.game.populations.iter().map(|p| p.name.clone()).collect();
    let starts: Vec<Vec<f64>> = if a.from.is_empty() {
        default_starts(g)
    } else {
        a.from
            .iter()
            .map(|s| parse_state(g, &names, s))
            .collect::<anyhow::Result<_>>()?
    };
    check_tolerances(a.rtol, a.atol)?;
    let times = output_times(a.t_end, a.points)?;
    let opts = OdeOptions {
        rtol: a.rtol,
        atol: a.atol,
        ..Default::default()
    };
    let analysis = analyze(g);
    let mut trajs = Vec::new();
    for (k, x0) in starts.iter().enumerate() {
        if is_vertex(x0) {
            eprintln!(
                "warning: start {} lies on a vertex of the state space (a pure profile): it is a rest point and cannot move",
                k + 1
            );
        }
        let tr = integrate(g, x0, &times, &opts)
            .map_err(|e| integration_failed(format!("start {}", k + 1), e))?;
        trajs.push((x0.clone(), tr));
    }
    // Everything is rendered in memory first, so a failure leaves no partial set behind.
    let csv = trajectories_csv(&ld, &trajs);
    let path = a.out.join("trajectories.csv");
    let figures = charts::simulate_figures(&ld, &analysis, &trajs, ld.lang)?;
    let mut files = vec![(path.clone(), csv.into_bytes())];
    files.extend(render_figures(&a.out, &figures, svg, png)?);
    prepare_out_dir(&a.out)?;
    write_all(&files)?;
    let written: Vec<PathBuf> = files[1..].iter().map(|(p, _)| p.clone()).collect();

    // Summary: where each start ends and which rest point it approaches.
    let lang = ld.lang;
    println!(
        "{} ({} {}, t = 0..{})",
        ld.game.title,
        trajs.len(),
        lang.pick("starts", "个初始点"),
        num(a.t_end)
    );
    for (k, (x0, tr)) in trajs.iter().enumerate() {
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
        println!(
            "  {:>3}  {} → {}  {tag}",
            k + 1,
            short_state(g, x0),
            short_state(g, end)
        );
    }
    println!("{}: {}", lang.pick("wrote", "已写入"), path.display());
    for w in written {
        println!("{}: {}", lang.pick("wrote", "已写入"), w.display());
    }
    Ok(())
}

fn short_state(g: &NumericGame, x: &[f64]) -> String {
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

/// Render every figure to bytes (nothing is written here).
fn render_figures(
    dir: &Path,
    figs: &[charts::Figure],
    svg: bool,
    png: bool,
) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for f in figs {
        if svg {
            let p = dir.join(format!("{}.svg", f.name));
            let bytes = f
                .chart
                .to_svg()
                .with_context(|| format!("drawing {}", p.display()))?;
            out.push((p, bytes.into_bytes()));
        }
        if png {
            let p = dir.join(format!("{}.png", f.name));
            let bytes = f
                .chart
                .to_png()
                .with_context(|| format!("drawing {}", p.display()))?;
            out.push((p, bytes));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- sweep

fn stable_of(an: &Analysis) -> Vec<&RestPoint> {
    an.rest_points
        .iter()
        .filter(|r| r.stability == Stability::Stable)
        .collect()
}

fn run_sweep(a: SweepArgs) -> anyhow::Result<()> {
    let ld = load(&a.common)?;
    let (svg, png) = formats(&a.format)?;
    let g = &ld.numeric;
    if !ld.values.contains_key(&a.param) {
        return Err(bad_input(format!(
            "--param {}: not a parameter of this game (parameters: {})",
            a.param,
            ld.game
                .parameters
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let values = xietong_game::sweep::parse_range(&a.range).map_err(bad_input)?;
    let names: Vec<String> = ld.game.populations.iter().map(|p| p.name.clone()).collect();
    let start = match &a.from {
        Some(s) => parse_state(g, &names, s)?,
        None => g
            .shape
            .iter()
            .flat_map(|&n| vec![1.0 / n as f64; n])
            .collect(),
    };
    let times = output_times(a.t_end, a.points)?;
    let res = xietong_game::sweep::sweep(
        &ld.game,
        &ld.overrides,
        &a.param,
        &values,
        &start,
        &times,
        &OdeOptions::default(),
    )
    .map_err(|e| match e {
        xietong_game::sweep::SweepError::Game(ge) => bad_input(ge),
        xietong_game::sweep::SweepError::Input(m) => bad_input(m),
    })?;
    let lang = ld.lang;

    // Stable set per value.
    let mut stable_csv = String::new();
    let mut head = vec![csv_field(&a.param), "kind".into()];
    head.extend(column_names(&ld).iter().map(|c| csv_field(c)));
    let _ = writeln!(stable_csv, "{}", head.join(","));
    let mut final_csv = String::new();
    let mut head2 = vec![csv_field(&a.param), "t".into()];
    head2.extend(column_names(&ld).iter().map(|c| csv_field(c)));
    let _ = writeln!(final_csv, "{}", head2.join(","));
    for p in &res {
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
    let p1 = a.out.join("sweep_stable.csv");
    let p2 = a.out.join("sweep_trajectories.csv");
    let figs = charts::sweep_figures(&ld, &a.param, &res, lang)?;
    let mut files = vec![
        (p1.clone(), stable_csv.into_bytes()),
        (p2.clone(), final_csv.into_bytes()),
    ];
    files.extend(render_figures(&a.out, &figs, svg, png)?);
    prepare_out_dir(&a.out)?;
    write_all(&files)?;
    let written: Vec<PathBuf> = files[2..].iter().map(|(p, _)| p.clone()).collect();

    if a.json {
        let v = json!({
            "parameter": a.param,
            "points": res.iter().map(|p| json!({
                "value": p.value,
                "stable": stable_of(&p.analysis).iter().map(|rp| json!({"state": g.split(&rp.x), "kind": rp.kind.as_str()})).collect::<Vec<_>>(),
                "final_state": g.split(p.trajectory.x.last().expect("output")),
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{}: {} {} {}",
            ld.game.title,
            lang.pick("sweep of", "参数扫描"),
            a.param,
            a.range
        );
        println!(
            "{}  {}  |  {} {}",
            pad(&a.param, 10),
            pad(lang.pick("stable rest points", "稳定均衡点"), 40),
            lang.pick("state at t-end from", "t-end 时状态, 初始"),
            short_state(g, &start)
        );
        for p in &res {
            let st: Vec<String> = stable_of(&p.analysis)
                .iter()
                .map(|rp| short_state(g, &rp.x))
                .collect();
            let st = if st.is_empty() {
                lang.pick("none", "无").to_string()
            } else {
                st.join(" ")
            };
            println!(
                "{}  {}  |  {}",
                pad(&num(p.value), 10),
                pad(&st, 40),
                short_state(g, p.trajectory.x.last().expect("output"))
            );
        }
        println!(
            "{}: {}, {}",
            lang.pick("wrote", "已写入"),
            p1.display(),
            p2.display()
        );
        for w in written {
            println!("{}: {}", lang.pick("wrote", "已写入"), w.display());
        }
    }
    Ok(())
}

mod charts {
    //! Figures for `simulate` and `sweep`, drawn with xietong-report: phase portraits in the unit
    //! square (two-strategy games; pairwise panels for three or four populations), time plots,
    //! and the sensitivity figures of a sweep.
    use super::{Lang, Loaded, binary, stable_of};
    use xietong_game::ode::Trajectory;
    use xietong_game::sweep::SweepPoint;
    use xietong_game::{Analysis, Stability};
    use xietong_report::{Chart, LineChart, Marker, PhasePortrait, Series};

    pub struct Figure {
        pub name: String,
        pub chart: Box<dyn Chart>,
    }

    /// Most trajectories drawn in their own colour with a legend entry in a time chart; with more
    /// starts all are drawn in one colour (a legend of 80 entries would not fit the figure).
    pub const MAX_LEGEND_SERIES: usize = 12;

    fn share_label(ld: &Loaded, i: usize, lang: Lang) -> String {
        let p = &ld.game.populations[i];
        match lang {
            Lang::En => format!("{}: share {}", p.name, p.strategies[0]),
            Lang::Zh => format!("{}: {} 比例", p.name, p.strategies[0]),
        }
    }

    /// Population `i`'s share of its first strategy over time, one line per series.
    fn time_figure(ld: &Loaded, i: usize, lang: Lang, name: String, series: Vec<Series>) -> Figure {
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

    pub fn simulate_figures(
        ld: &Loaded,
        an: &Analysis,
        trajs: &[(Vec<f64>, Trajectory)],
        lang: Lang,
    ) -> anyhow::Result<Vec<Figure>> {
        let g = &ld.numeric;
        let np = g.n_pop();
        let mut figs = Vec::new();
        if binary(g) {
            for i in 0..np {
                for j in i + 1..np {
                    let (oi, oj) = (g.offsets[i], g.offsets[j]);
                    let mut arrows = Vec::new();
                    if np == 2 {
                        // Direction field on a 15 x 15 grid, scaled to a common short length.
                        let mut u = vec![0.0; g.dim_full];
                        let mut f = vec![0.0; g.dim_full];
                        let n = 15;
                        let mut raw = Vec::new();
                        for a in 0..n {
                            for b in 0..n {
                                let x = (a as f64 + 0.5) / n as f64;
                                let y = (b as f64 + 0.5) / n as f64;
                                let mut st = vec![0.0; g.dim_full];
                                st[oi] = x;
                                st[oi + 1] = 1.0 - x;
                                st[oj] = y;
                                st[oj + 1] = 1.0 - y;
                                g.field(&st, &mut u, &mut f);
                                raw.push(((x, y), (f[oi], f[oj])));
                            }
                        }
                        for ((x, y), (dx, dy)) in raw {
                            let len = (dx * dx + dy * dy).sqrt();
                            if len > 0.0 {
                                let k = 0.028 / len;
                                arrows.push(((x, y), (dx * k, dy * k)));
                            }
                        }
                    }
                    let trajectories = trajs
                        .iter()
                        .map(|(_, t)| t.x.iter().map(|x| (x[oi], x[oj])).collect())
                        .collect();
                    let markers = an
                        .rest_points
                        .iter()
                        .enumerate()
                        .map(|(k, rp)| Marker {
                            x: rp.x[oi],
                            y: rp.x[oj],
                            label: format!("E{}", k + 1),
                            filled: rp.stability == Stability::Stable,
                        })
                        .collect();
                    let title = match lang {
                        Lang::En => format!("{}: phase portrait (filled = stable)", ld.game.title),
                        Lang::Zh => format!("{}: 相图 (实心 = 稳定点)", ld.game.title),
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
        Ok(figs)
    }

    pub fn sweep_figures(
        ld: &Loaded,
        param: &str,
        res: &[SweepPoint],
        lang: Lang,
    ) -> anyhow::Result<Vec<Figure>> {
        let g = &ld.numeric;
        let mut figs = Vec::new();
        if res.is_empty() {
            return Ok(figs);
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
        Ok(figs)
    }
}
