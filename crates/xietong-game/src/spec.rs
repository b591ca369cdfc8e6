//! Game files (TOML): parsing and validation. Every error carries the file, line and column of the
//! offending text, so a researcher can fix the model without guessing. Reading the file from disk
//! is the caller's job; this module works on the text.

use crate::expr::{self, Expr};
use std::collections::{BTreeMap, HashMap};
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

/// A validated game: parameters, populations and one payoff expression per (profile, population).
/// Profiles are indexed in mixed radix, first population most significant, strategies in order.
#[derive(Clone, Debug)]
pub struct Game {
    pub title: String,
    pub source_citation: Option<String>,
    pub parameters: Vec<Parameter>,
    pub populations: Vec<Population>,
    /// `payoffs[profile][population]`
    pub payoffs: Vec<Vec<PayoffExpr>>,
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
    population: Vec<Spanned<RawPopulation>>,
    #[serde(default)]
    payoff: Vec<Spanned<RawPayoff>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    name: Spanned<String>,
    strategies: Spanned<Vec<Spanned<String>>>,
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
        let n_profiles: usize = populations.iter().map(|p| p.strategies.len()).product();
        let param_names: HashMap<&str, ()> =
            parameters.iter().map(|p| (p.name.as_str(), ())).collect();
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
                let span = v.span();
                let (text_v, body_at) = match v.get_ref() {
                    toml::Value::String(s) => {
                        // The expression starts after the opening quote; exact when the string
                        // has no escapes (raw text equals the value), otherwise we point at the quote.
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
                        return Err(src.error(
                            span.start,
                            format!(
                                "a payoff must be an expression string or a number, found {}",
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
                let parsed = expr::parse(&text_v).map_err(|err| {
                    src.error(
                        at_char(err.offset),
                        format!("in payoff expression \"{text_v}\": {}", err.message),
                    )
                })?;
                for (name, off) in &parsed.vars {
                    if !param_names.contains_key(name.as_str()) {
                        let known = if parameters.is_empty() {
                            "no parameters are defined".to_string()
                        } else {
                            format!(
                                "defined: {}",
                                parameters
                                    .iter()
                                    .map(|p| p.name.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        return Err(src.error(
                            at_char(*off),
                            format!("undefined parameter `{name}`: every name in a payoff must be defined under [parameters] ({known})"),
                        ));
                    }
                }
                let at0 = at_char(0);
                exprs.push(PayoffExpr {
                    text: text_v,
                    expr: parsed.expr,
                    at: at0,
                });
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
            populations,
            payoffs,
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

    /// Evaluate every payoff at the given parameter values; a NaN or infinite payoff is an error
    /// located at its expression.
    pub fn numeric(&self, values: &BTreeMap<String, f64>) -> Result<crate::NumericGame, GameError> {
        let get = |n: &str| values.get(n).copied();
        let n_pop = self.populations.len();
        let mut flat = Vec::with_capacity(self.payoffs.len() * n_pop);
        for (pi, row) in self.payoffs.iter().enumerate() {
            for (i, p) in row.iter().enumerate() {
                let v = p.expr.eval(&get);
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
