//! Game files (TOML): parsing and validation. Every error carries the file, line and column of the
//! offending text, so a researcher can fix the model without guessing. Reading the file from disk
//! is the caller's job; this module works on the text.

use crate::expr::{self, Expr};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// An error located in a game file.
#[derive(Debug, Clone, PartialEq)]
pub struct GameError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for GameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for GameError {}

/// Source text plus name, to turn byte offsets into line and column (1-based, columns in chars).
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn locate(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let before = &self.text[..byte];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }
    pub fn error(&self, byte: usize, message: impl Into<String>) -> GameError {
        let (line, column) = self.locate(byte);
        GameError {
            file: self.name.clone(),
            line,
            column,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub value: f64,
    pub(crate) span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Population {
    pub name: String,
    pub strategies: Vec<String>,
}

/// A payoff expression with the byte offset of its first character in the file (for errors).
#[derive(Clone, Debug)]
pub struct PayoffExpr {
    pub text: String,
    pub expr: Expr,
    pub(crate) at: usize,
}

/// A named sub-expression (`[definitions]`): used in payoffs by name, printed by name in the
/// symbolic tables, evaluated from the parameters and the definitions above it.
#[derive(Clone, Debug)]
pub struct Definition {
    pub name: String,
    pub text: String,
    pub expr: Expr,
    pub(crate) at: usize,
}

/// Largest number of support combinations Π(2^nᵢ − 1) accepted: the rest-point search visits
/// every one of them (this bounds populations × strategies, checked before anything is allocated).
pub const MAX_SUPPORT_COMBINATIONS: f64 = 20_000.0;

/// Largest estimated work of the rest-point search accepted (see [`search_work`]): about 5–10 s
/// of one core at the limit.
pub const MAX_SEARCH_WORK: f64 = 1e8;

/// Estimated work of the rest-point search for populations with these strategy counts: over
/// every combination of supports, the Newton starts it gets (1 when at most two populations are
/// mixed, the equations then being linear; 12 + 6·d otherwise, d the face's dimension) times the
/// cost of one iteration (profiles × populations²).
pub fn search_work(shape: &[usize]) -> f64 {
    let n_pop = shape.len() as f64;
    let profiles: f64 = shape.iter().map(|&n| n as f64).product();
    let binom = |n: usize, k: usize| -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    };
    let mut total = 0.0;
    let mut sizes = vec![1usize; shape.len()];
    loop {
        let mixed = sizes.iter().filter(|&&k| k > 1).count();
        if mixed > 0 {
            let count: f64 = shape
                .iter()
                .zip(&sizes)
                .map(|(&n, &k)| binom(n, k))
                .product();
            let dim: usize = sizes.iter().map(|k| k - 1).sum();
            let starts = if mixed <= 2 {
                1.0
            } else {
                12.0 + 6.0 * dim as f64
            };
            total += count * starts * profiles * n_pop * n_pop;
        }
        // Next combination of support sizes (odometer).
        let mut i = 0;
        loop {
            if i == shape.len() {
                return total;
            }
            if sizes[i] < shape[i] {
                sizes[i] += 1;
                break;
            }
            sizes[i] = 1;
            i += 1;
        }
    }
}

/// Largest payoff magnitude accepted: payoff differences, expected payoffs and Jacobian entries
/// then stay far from overflow.
pub const MAX_PAYOFF: f64 = 1e100;

/// Share variables of the payoff-advantage form, by population position.
pub const SHARE_LETTERS: [&str; 4] = ["x", "y", "z", "w"];

/// A validated game: parameters, populations and one payoff expression per (profile, population).
/// Profiles are indexed in mixed radix, first population most significant, strategies in order.
#[derive(Clone, Debug)]
pub struct Game {
    pub title: String,
    pub source_citation: Option<String>,
    pub parameters: Vec<Parameter>,
    pub definitions: Vec<Definition>,
    pub populations: Vec<Population>,
    /// `payoffs[profile][population]`
    pub payoffs: Vec<Vec<PayoffExpr>>,
    /// The payoff advantages when the game was given in replicator form (one per population);
    /// `payoffs` is then the equivalent table built from them.
    pub advantages: Option<Vec<PayoffExpr>>,
    pub(crate) src: Source,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGame {
    title: Option<String>,
    source: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    definitions: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    population: Vec<Spanned<RawPopulation>>,
    #[serde(default)]
    payoff: Vec<Spanned<RawPayoff>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    name: Spanned<String>,
    strategies: Spanned<Vec<Spanned<String>>>,
    advantage: Option<Spanned<toml::Value>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayoff {
    profile: Spanned<Vec<Spanned<String>>>,
    values: Spanned<Vec<Spanned<toml::Value>>>,
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_alphanumeric() || ch == '_')
}

impl Game {
    /// Parse and validate a game file's text. `file` names it in error messages.
    pub fn parse(file: &str, text: &str) -> Result<Game, GameError> {
        let src = Source {
            name: file.to_string(),
            text: text.to_string(),
        };
        let raw: RawGame = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start).unwrap_or(0);
            src.error(at, e.message().trim().to_string())
        })?;

        // Parameters.
        let mut parameters = Vec::new();
        for (k, v) in &raw.parameters {
            let name = k.get_ref();
            if !is_identifier(name) || expr::is_function_name(name) {
                return Err(src.error(
                    k.span().start,
                    format!("parameter name `{name}` is not usable in expressions: expected letters, digits and `_`, starting with a letter, and not a function name"),
                ));
            }
            let value = match v.get_ref() {
                toml::Value::Float(f) => *f,
                toml::Value::Integer(i) => *i as f64,
                other => {
                    return Err(src.error(
                        v.span().start,
                        format!(
                            "parameter `{name}` must be a number, found {}",
                            other.type_str()
                        ),
                    ));
                }
            };
            if !value.is_finite() {
                return Err(src.error(v.span().start, format!("parameter `{name}` must be finite")));
            }
            parameters.push(Parameter {
                name: name.clone(),
                value,
                span: v.span(),
            });
        }
        parameters.sort_by_key(|p| p.span.start);

        // Populations.
        if raw.population.len() < 2 || raw.population.len() > 4 {
            let at = raw
                .population
                .last()
                .map(|p| p.span().start)
                .unwrap_or(text.len());
            return Err(src.error(
                at,
                format!(
                    "expected 2 to 4 [[population]] tables, found {}",
                    raw.population.len()
                ),
            ));
        }
        let mut populations: Vec<Population> = Vec::new();
        for p in &raw.population {
            let p = p.get_ref();
            let name = p.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(src.error(p.name.span().start, "population name is empty"));
            }
            if populations.iter().any(|q| q.name == name) {
                return Err(src.error(
                    p.name.span().start,
                    format!("population `{name}` is defined twice"),
                ));
            }
            let strategies: Vec<String> = p
                .strategies
                .get_ref()
                .iter()
                .map(|s| s.get_ref().trim().to_string())
                .collect();
            if strategies.len() < 2 {
                return Err(src.error(
                    p.strategies.span().start,
                    format!(
                        "population `{name}` needs at least 2 strategies, found {}",
                        strategies.len()
                    ),
                ));
            }
            for (i, s) in strategies.iter().enumerate() {
                let at = p.strategies.get_ref()[i].span().start;
                if s.is_empty() {
                    return Err(src.error(at, "strategy name is empty"));
                }
                if strategies[..i].contains(s) {
                    return Err(src.error(
                        at,
                        format!("strategy `{s}` appears twice in population `{name}`"),
                    ));
                }
            }
            populations.push(Population { name, strategies });
        }

        let n_pop = populations.len();
        // Size: the rest-point search visits every combination of supports, so their number is
        // bounded before any table is allocated.
        let combinations: f64 = populations
            .iter()
            .map(|p| 2f64.powi(p.strategies.len().min(1000) as i32) - 1.0)
            .product();
        if combinations > MAX_SUPPORT_COMBINATIONS {
            let last = raw.population.last().expect("2 to 4 populations");
            return Err(src.error(
                last.get_ref().strategies.span().start,
                format!(
                    "game too large: {} populations with {} strategies have {} combinations of supports to search for rest points; the limit is {} (e.g. 4 populations of 3 strategies, 3 of 4, or 2 of 7)",
                    n_pop,
                    populations
                        .iter()
                        .map(|p| p.strategies.len().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if combinations < 1e15 {
                        format!("{combinations}")
                    } else {
                        format!("{combinations:.3e}")
                    },
                    MAX_SUPPORT_COMBINATIONS
                ),
            ));
        }
        let shape: Vec<usize> = populations.iter().map(|p| p.strategies.len()).collect();
        let work = search_work(&shape);
        if work > MAX_SEARCH_WORK {
            let last = raw.population.last().expect("2 to 4 populations");
            return Err(src.error(
                last.get_ref().strategies.span().start,
                format!(
                    "game too large: the rest-point search for {} populations with {} strategies would take about {:.0e} work units (Newton starts on every support × profiles × populations²); the limit is {:.0e} (e.g. 4 populations of 3 strategies, 3 of 4, or 2 of 7; not 3, 3, 4, 4 or 5, 5, 4)",
                    n_pop,
                    shape
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    work,
                    MAX_SEARCH_WORK
                ),
            ));
        }
        let n_profiles: usize = shape.iter().product();

        // Definitions, in file order: each may use parameters and the definitions above it.
        let mut def_entries: Vec<(&Spanned<String>, &Spanned<toml::Value>)> =
            raw.definitions.iter().collect();
        def_entries.sort_by_key(|(k, _)| k.span().start);
        let mut definitions: Vec<Definition> = Vec::new();
        for (k, v) in &def_entries {
            let name = k.get_ref();
            if !is_identifier(name) || expr::is_function_name(name) {
                return Err(src.error(
                    k.span().start,
                    format!("definition name `{name}` is not usable in expressions: expected letters, digits and `_`, starting with a letter, and not a function name"),
                ));
            }
            if parameters.iter().any(|p| &p.name == name) {
                return Err(src.error(
                    k.span().start,
                    format!("`{name}` is both a parameter and a definition: rename one of them"),
                ));
            }
            let later: Vec<&str> = def_entries
                .iter()
                .filter(|(k2, _)| k2.span().start >= k.span().start)
                .map(|(k2, _)| k2.get_ref().as_str())
                .collect();
            let check = |n: &str| -> Result<(), String> {
                if parameters.iter().any(|p| p.name == n) || definitions.iter().any(|d| d.name == n)
                {
                    Ok(())
                } else if later.contains(&n) {
                    Err(format!(
                        "definition `{name}` uses `{n}`, which is not defined above it: a definition may use parameters and the definitions written before it"
                    ))
                } else {
                    Err(format!(
                        "undefined parameter `{n}`: every name in a definition must be a parameter or a definition above it ({})",
                        known_list(&parameters, &definitions)
                    ))
                }
            };
            let e = parse_value(&src, text, v, &format!("definition `{name}`"), &check)?;
            definitions.push(Definition {
                name: name.clone(),
                text: e.text,
                expr: e.expr,
                at: e.at,
            });
        }
        let is_known = |n: &str| {
            parameters.iter().any(|p| p.name == n) || definitions.iter().any(|d| d.name == n)
        };
        let undefined = |n: &str| {
            format!(
                "undefined parameter `{n}`: every name in a payoff must be defined under [parameters] or [definitions] ({})",
                known_list(&parameters, &definitions)
            )
        };

        // Payoff-advantage (replicator) form: one expression per population instead of a table.
        let with_adv = raw
            .population
            .iter()
            .filter(|p| p.get_ref().advantage.is_some())
            .count();
        if with_adv > 0 {
            let payoffs =
                advantage_form(&src, text, &raw, &populations, &parameters, &definitions)?;
            return Ok(Game {
                title: raw.title.unwrap_or_else(|| file.to_string()),
                source_citation: raw.source,
                parameters,
                definitions,
                populations,
                payoffs: payoffs.0,
                advantages: Some(payoffs.1),
                src,
            });
        }

        let mut slots: Vec<Option<(Vec<PayoffExpr>, usize)>> = vec![None; n_profiles];

        for entry in &raw.payoff {
            let e = entry.get_ref();
            let prof = e.profile.get_ref();
            if prof.len() != n_pop {
                return Err(src.error(
                    e.profile.span().start,
                    format!(
                        "profile has {} strategies; expected {} (one per population, in order: {})",
                        prof.len(),
                        n_pop,
                        pop_list(&populations)
                    ),
                ));
            }
            let mut index = 0;
            for (i, s) in prof.iter().enumerate() {
                let pop = &populations[i];
                let Some(k) = pop.strategies.iter().position(|x| x == s.get_ref().trim()) else {
                    return Err(src.error(
                        s.span().start,
                        format!(
                            "unknown strategy `{}` for population `{}` (position {} of the profile): expected one of {}",
                            s.get_ref(),
                            pop.name,
                            i + 1,
                            quoted_list(&pop.strategies)
                        ),
                    ));
                };
                index = index * pop.strategies.len() + k;
            }
            if let Some((_, first)) = &slots[index] {
                let (l, c) = src.locate(*first);
                return Err(src.error(
                    e.profile.span().start,
                    format!(
                        "profile {} is given twice (first at line {l}, column {c})",
                        profile_text(prof.iter().map(|s| s.get_ref().as_str()))
                    ),
                ));
            }
            let vals = e.values.get_ref();
            if vals.len() != n_pop {
                return Err(src.error(
                    e.values.span().start,
                    format!(
                        "expected {} payoff values (one per population: {}), found {}",
                        n_pop,
                        pop_list(&populations),
                        vals.len()
                    ),
                ));
            }
            let mut exprs = Vec::with_capacity(n_pop);
            for v in vals {
                let check = |n: &str| {
                    if is_known(n) {
                        Ok(())
                    } else {
                        Err(undefined(n))
                    }
                };
                exprs.push(parse_value(&src, text, v, "payoff expression", &check)?);
            }
            slots[index] = Some((exprs, e.profile.span().start));
        }

        let mut payoffs = Vec::with_capacity(n_profiles);
        for (i, s) in slots.into_iter().enumerate() {
            match s {
                Some((e, _)) => payoffs.push(e),
                None => {
                    let names = profile_names(&populations, i);
                    let at = raw
                        .payoff
                        .last()
                        .map(|p| p.span().start)
                        .unwrap_or(text.len());
                    return Err(src.error(
                        at,
                        format!(
                            "missing [[payoff]] for profile {}: all {} profiles are required ({} given)",
                            profile_text(names.iter().map(|s| s.as_str())),
                            n_profiles,
                            raw.payoff.len()
                        ),
                    ));
                }
            }
        }

        Ok(Game {
            title: raw.title.unwrap_or_else(|| file.to_string()),
            source_citation: raw.source,
            parameters,
            definitions,
            populations,
            payoffs,
            advantages: None,
            src,
        })
    }

    /// Number of strategies per population.
    pub fn shape(&self) -> Vec<usize> {
        self.populations
            .iter()
            .map(|p| p.strategies.len())
            .collect()
    }

    /// Parameter values with `overrides` applied (unknown override names are an error).
    pub fn parameter_values(
        &self,
        overrides: &[(String, f64)],
    ) -> Result<BTreeMap<String, f64>, String> {
        let mut vals: BTreeMap<String, f64> = self
            .parameters
            .iter()
            .map(|p| (p.name.clone(), p.value))
            .collect();
        for (k, v) in overrides {
            match vals.get_mut(k) {
                Some(slot) => *slot = *v,
                None => {
                    return Err(format!(
                        "--set {k}=…: `{k}` is not a parameter of this game (parameters: {})",
                        self.parameters
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
        Ok(vals)
    }

    /// Parameter values extended with the value of every definition (in file order); a NaN or
    /// infinite definition is an error located at its expression.
    pub fn environment(
        &self,
        values: &BTreeMap<String, f64>,
    ) -> Result<BTreeMap<String, f64>, GameError> {
        let mut env = values.clone();
        for d in &self.definitions {
            let v = d.expr.eval(&|n| env.get(n).copied());
            if !v.is_finite() {
                return Err(self.src.error(
                    d.at,
                    format!(
                        "definition `{}` = \"{}\" evaluates to {v} at the given parameters: expected a finite number",
                        d.name, d.text
                    ),
                ));
            }
            env.insert(d.name.clone(), v);
        }
        Ok(env)
    }

    /// Evaluate every payoff at the given parameter values; a NaN or infinite payoff is an error
    /// located at its expression.
    pub fn numeric(&self, values: &BTreeMap<String, f64>) -> Result<crate::NumericGame, GameError> {
        let env = self.environment(values)?;
        let get = |n: &str| env.get(n).copied();
        let n_pop = self.populations.len();
        let mut flat = Vec::with_capacity(self.payoffs.len() * n_pop);
        for (pi, row) in self.payoffs.iter().enumerate() {
            for (i, p) in row.iter().enumerate() {
                let v = p.expr.eval(&get);
                if v.is_finite() && v.abs() > MAX_PAYOFF {
                    let names = profile_names(&self.populations, pi);
                    return Err(self.src.error(
                        p.at,
                        format!(
                            "payoff \"{}\" of `{}` at profile {} evaluates to {v:e} at the given parameters: expected a magnitude up to {MAX_PAYOFF:e} (larger payoffs overflow the replicator equations and their eigenvalues)",
                            p.text,
                            self.populations[i].name,
                            profile_text(names.iter().map(|s| s.as_str())),
                        ),
                    ));
                }
                if !v.is_finite() {
                    let names = profile_names(&self.populations, pi);
                    return Err(self.src.error(
                        p.at,
                        format!(
                            "payoff \"{}\" of `{}` at profile {} evaluates to {} at the given parameters: expected a finite number",
                            p.text,
                            self.populations[i].name,
                            profile_text(names.iter().map(|s| s.as_str())),
                            v
                        ),
                    ));
                }
                flat.push(v);
            }
        }
        Ok(crate::NumericGame::new(self.shape(), flat))
    }

    /// Strategy names of a profile index.
    pub fn profile_names(&self, index: usize) -> Vec<String> {
        profile_names(&self.populations, index)
    }
}

fn profile_names(pops: &[Population], mut index: usize) -> Vec<String> {
    let mut out = vec![String::new(); pops.len()];
    for i in (0..pops.len()).rev() {
        let n = pops[i].strategies.len();
        out[i] = pops[i].strategies[index % n].clone();
        index /= n;
    }
    out
}

fn profile_text<'a>(names: impl Iterator<Item = &'a str>) -> String {
    format!(
        "[{}]",
        names
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn quoted_list(xs: &[String]) -> String {
    xs.iter()
        .map(|x| format!("`{x}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pop_list(pops: &[Population]) -> String {
    pops.iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn known_list(parameters: &[Parameter], definitions: &[Definition]) -> String {
    let names: Vec<&str> = parameters
        .iter()
        .map(|p| p.name.as_str())
        .chain(definitions.iter().map(|d| d.name.as_str()))
        .collect();
    if names.is_empty() {
        "no parameters are defined".to_string()
    } else {
        format!("defined: {}", names.join(", "))
    }
}

/// Parse one expression given as a TOML string or number, with errors located in the file.
/// `what` names it in messages; `check` accepts or refuses (with a message) each name used.
fn parse_value(
    src: &Source,
    text: &str,
    v: &Spanned<toml::Value>,
    what: &str,
    check: &dyn Fn(&str) -> Result<(), String>,
) -> Result<PayoffExpr, GameError> {
    let span = v.span();
    let (text_v, body_at) = match v.get_ref() {
        toml::Value::String(s) => {
            // The expression starts after the opening quote; exact when the string has no
            // escapes (raw text equals the value), otherwise we point at the quote.
            let raw_text = text.get(span.start..span.end).unwrap_or("");
            let q = if raw_text.starts_with("\"\"\"") || raw_text.starts_with("'''") {
                3
            } else {
                1
            };
            let inner = raw_text
                .get(q..raw_text.len().saturating_sub(q))
                .unwrap_or("");
            let exact = inner == s;
            (s.clone(), if exact { Some(span.start + q) } else { None })
        }
        toml::Value::Float(f) => (format!("{f:?}"), Some(span.start)),
        toml::Value::Integer(i) => (i.to_string(), Some(span.start)),
        other => {
            let article = if what.starts_with("payoff expression") {
                "a payoff".to_string()
            } else {
                format!("the {what}")
            };
            return Err(src.error(
                span.start,
                format!(
                    "{article} must be an expression string or a number, found {}",
                    other.type_str()
                ),
            ));
        }
    };
    let at_char = |off: usize| -> usize {
        match body_at {
            Some(b) => {
                b + text_v
                    .char_indices()
                    .nth(off)
                    .map(|(i, _)| i)
                    .unwrap_or(text_v.len())
            }
            None => span.start,
        }
    };
    let shown: String = if text_v.chars().count() > 80 {
        format!("{}…", text_v.chars().take(80).collect::<String>())
    } else {
        text_v.clone()
    };
    let parsed = expr::parse(&text_v).map_err(|err| {
        src.error(
            at_char(err.offset),
            format!("in {what} \"{shown}\": {}", err.message),
        )
    })?;
    for (name, off) in &parsed.vars {
        if let Err(m) = check(name) {
            return Err(src.error(at_char(*off), m));
        }
    }
    Ok(PayoffExpr {
        at: at_char(0),
        text: text_v,
        expr: parsed.expr,
    })
}

/// The payoff-advantage (replicator) form: every population has two strategies and one
/// expression, the advantage of its first strategy as a function of the other populations'
/// shares. Returns the equivalent payoff table (first strategy earns the advantage at each
/// vertex, the second 0) and the parsed advantages.
fn advantage_form(
    src: &Source,
    text: &str,
    raw: &RawGame,
    populations: &[Population],
    parameters: &[Parameter],
    definitions: &[Definition],
) -> Result<(Vec<Vec<PayoffExpr>>, Vec<PayoffExpr>), GameError> {
    let n_pop = populations.len();
    if let Some(p) = raw.payoff.first() {
        return Err(src.error(
            p.span().start,
            "[[payoff]] tables and `advantage =` cannot be combined: give either the payoff table or one payoff advantage per population",
        ));
    }
    // Share names: x, y, z, w by position, and each population's name when usable.
    let mut shares: Vec<Vec<String>> = Vec::new();
    for (i, p) in populations.iter().enumerate() {
        let mut v = vec![SHARE_LETTERS[i].to_string()];
        if is_identifier(&p.name) && !expr::is_function_name(&p.name) && p.name != SHARE_LETTERS[i]
        {
            v.push(p.name.clone());
        }
        shares.push(v);
    }
    let all_shares: Vec<&str> = shares.iter().flatten().map(|s| s.as_str()).collect();
    for p in parameters {
        if all_shares.contains(&p.name.as_str()) {
            return Err(src.error(
                p.span.start,
                format!(
                    "parameter `{}` has the name of a population share: in the payoff-advantage form x, y, z, w (by population order) and the population names stand for the shares; rename the parameter",
                    p.name
                ),
            ));
        }
    }
    for d in definitions {
        if all_shares.contains(&d.name.as_str()) {
            return Err(src.error(
                d.at,
                format!(
                    "definition `{}` has the name of a population share (x, y, z, w and the population names): rename it",
                    d.name
                ),
            ));
        }
    }
    let mut advantages = Vec::with_capacity(n_pop);
    for (i, rp) in raw.population.iter().enumerate() {
        let rp = rp.get_ref();
        let pop = &populations[i];
        let Some(adv) = &rp.advantage else {
            return Err(src.error(
                rp.name.span().start,
                format!(
                    "population `{}` has no `advantage =`: in the payoff-advantage form every population needs one",
                    pop.name
                ),
            ));
        };
        if pop.strategies.len() != 2 {
            return Err(src.error(
                adv.span().start,
                format!(
                    "`advantage =` needs a population with exactly 2 strategies; `{}` has {}: give a [[payoff]] table instead",
                    pop.name,
                    pop.strategies.len()
                ),
            ));
        }
        let check = |n: &str| -> Result<(), String> {
            if shares[i].iter().any(|s| s == n) {
                return Err(format!(
                    "the payoff advantage of `{}` uses `{n}`, its own share: a population's payoff advantage depends only on the other populations' shares (no payoff table produces anything else)",
                    pop.name
                ));
            }
            if all_shares.contains(&n)
                || parameters.iter().any(|p| p.name == n)
                || definitions.iter().any(|d| d.name == n)
            {
                Ok(())
            } else {
                Err(format!(
                    "undefined name `{n}` in the payoff advantage of `{}`: expected a parameter, a definition or another population's share ({}; shares: {})",
                    pop.name,
                    known_list(parameters, definitions),
                    shares
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, s)| s.join(" or "))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        };
        let e = parse_value(
            src,
            text,
            adv,
            &format!("the payoff advantage of `{}`", pop.name),
            &check,
        )?;
        // Affine in every other population's share (multi-affine overall).
        for (j, names) in shares.iter().enumerate() {
            if j == i {
                continue;
            }
            for n in names {
                if let Err(term) = expr::affine_in(&e.expr, n) {
                    return Err(src.error(
                        e.at,
                        format!(
                            "the payoff advantage of `{}` is not affine in `{n}` (the share of `{}`): the term `{}` is not of the form a + b*{n} with a, b free of {n}; an advantage built from a payoff table is affine in each other population's share",
                            pop.name,
                            populations[j].name,
                            term.to_text()
                        ),
                    ));
                }
            }
        }
        advantages.push(e);
    }
    // The table: at each profile, the first strategy earns the advantage with every other share
    // at 1 (first strategy) or 0, the second strategy earns 0.
    let n_profiles: usize = 1 << n_pop;
    let mut payoffs = Vec::with_capacity(n_profiles);
    for k in 0..n_profiles {
        let prof = profile_names(populations, k);
        let idx: Vec<usize> = (0..n_pop).map(|i| (k >> (n_pop - 1 - i)) & 1).collect();
        debug_assert_eq!(prof.len(), n_pop);
        let mut row = Vec::with_capacity(n_pop);
        for i in 0..n_pop {
            if idx[i] == 1 {
                row.push(PayoffExpr {
                    text: "0".into(),
                    expr: Expr::Num(0.0),
                    at: advantages[i].at,
                });
                continue;
            }
            let sub = advantages[i].expr.substitute(&|n| {
                shares
                    .iter()
                    .position(|s| s.iter().any(|m| m == n))
                    .map(|j| Expr::Num(if idx[j] == 0 { 1.0 } else { 0.0 }))
            });
            let e = expr::simplify_sum(&sub).to_expr();
            row.push(PayoffExpr {
                text: e.to_text(),
                expr: e,
                at: advantages[i].at,
            });
        }
        payoffs.push(row);
    }
    Ok((payoffs, advantages))
}
