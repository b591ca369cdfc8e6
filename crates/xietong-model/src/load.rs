//! From TOML text to a validated [`Scenario`], with errors that point at file, line and column.
//! Also applies `--set PATH=VALUE` overrides, which go through exactly the same checks.

use crate::scenario::{Dist, Scenario};
use crate::validate::{Problem, validate};
use std::fmt;
use toml::de::{DeTable, DeValue};

/// One thing wrong with a scenario, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    /// 1-based line and column in the file, when the problem can be tied to a place in it.
    pub line_col: Option<(usize, usize)>,
    /// Dotted path of the value (empty for syntax errors).
    pub path: String,
    pub message: String,
    /// The `--set` override responsible, if any.
    pub set: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub file: String,
    pub problems: Vec<Located>,
}

impl std::error::Error for LoadError {}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{} problem{} in scenario {}",
            n,
            if n == 1 { "" } else { "s" },
            self.file
        )?;
        for p in &self.problems {
            write!(f, "\n  ")?;
            match (&p.set, p.line_col) {
                (Some(set), _) => write!(f, "--set {}: ", shorten(set))?,
                (None, Some((l, c))) => write!(f, "{}:{l}:{c}: ", self.file)?,
                (None, None) => write!(f, "{}: ", self.file)?,
            }
            if !p.path.is_empty() {
                write!(f, "{}: ", shorten(&p.path))?;
            }
            write!(f, "{}", p.message)?;
        }
        Ok(())
    }
}

/// Parse and validate scenario text. `file` names the source in messages.
pub fn parse_scenario(text: &str, file: &str) -> Result<Scenario, LoadError> {
    parse_with_overrides(text, file, &[])
}

/// Parse, apply `PATH=VALUE` overrides in order, and validate.
pub fn parse_with_overrides(
    text: &str,
    file: &str,
    sets: &[String],
) -> Result<Scenario, LoadError> {
    let err = |problems| LoadError {
        file: file.to_string(),
        problems,
    };
    let base: Scenario = toml::from_str(text).map_err(|e| err(all_type_errors(text, e)))?;
    let base_problems = validate(&base);
    if !base_problems.is_empty() {
        return Err(err(base_problems
            .into_iter()
            .map(|p| locate_problem(text, p))
            .collect()));
    }
    if sets.is_empty() {
        return Ok(base);
    }
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| err(vec![from_toml_error(text, &e, None)]))?;
    for set in sets {
        apply_set(&mut table, set).map_err(|message| {
            err(vec![Located {
                line_col: None,
                path: String::new(),
                message,
                set: Some(set.clone()),
            }])
        })?;
    }
    let edited = toml::to_string(&table).expect("a TOML table always serializes");
    let attribute = sets.join(" --set ");
    let scenario: Scenario = toml::from_str(&edited).map_err(|e| {
        // Every wrong type the overrides introduced (and what validation then finds), each
        // attributed to its override when exactly one matches.
        err(all_type_errors(&edited, e)
            .into_iter()
            .map(|mut l| {
                l.line_col = None;
                l.set = Some(responsible_set(&l.path, sets).unwrap_or_else(|| attribute.clone()));
                l
            })
            .collect())
    })?;
    let problems = validate(&scenario);
    if !problems.is_empty() {
        return Err(err(problems
            .into_iter()
            .map(|p| {
                let set = responsible_set(&p.path, sets).unwrap_or_else(|| attribute.clone());
                Located {
                    line_col: None,
                    path: p.path,
                    message: p.message,
                    set: Some(set),
                }
            })
            .collect()));
    }
    Ok(scenario)
}

/// The one override that set the value at a validation path (`domains[4].siphon` ↔
/// `domains.industry.siphon`, `behaviour.trust.sd` ↔ `behaviour.trust`), if exactly one matches.
fn responsible_set(problem_path: &str, sets: &[String]) -> Option<String> {
    let tokens: Vec<&str> = problem_path
        .split('.')
        .map(|t| t.split('[').next().unwrap_or(t))
        .collect();
    let (first, last) = (tokens[0], *tokens.last()?);
    let field = if matches!(last, "mean" | "sd") && tokens.len() > 1 {
        tokens[tokens.len() - 2]
    } else {
        last
    };
    let matching: Vec<&String> = sets
        .iter()
        .filter(|set| {
            let path = set.split('=').next().unwrap_or("").trim();
            let st: Vec<&str> = path.split('.').collect();
            st[0] == first && (st.last() == Some(&last) || st.last() == Some(&field))
        })
        .collect();
    (matching.len() == 1).then(|| matching[0].clone())
}

/// Every problem of a file whose first problem is `first`, a type error: deserialization stops
/// at the first wrong value, so each wrong value is replaced by a value of the right type (the
/// built-in scenario's at the same path, or a plain literal) and the text parsed again, up to
/// [`MAX_PROBLEMS`] times; the validation problems of the repaired scenario follow, except at the
/// repaired paths. A syntax error or a problem that cannot be tied to one value ends the search.
fn all_type_errors(text: &str, first: toml::de::Error) -> Vec<Located> {
    const MAX_PROBLEMS: usize = 50;
    let builtin: Option<toml::Table> = toml::from_str(crate::builtin::CHENGDU_CHONGQING).ok();
    let mut problems = vec![from_toml_error(text, &first, None)];
    let mut repaired: Vec<String> = Vec::new();
    let mut current = text.to_string();
    let mut error = first;
    while problems.len() < MAX_PROBLEMS {
        let Some(offset) = error.span().map(|s| s.start) else {
            return sorted(problems);
        };
        // An unknown key on a line of its own: comment the line out (line numbers stay the same)
        // and read on, so that a misspelt key does not hide the file's other problems.
        if let Some(line) = unknown_key_line(&current, &error, offset) {
            current.insert(line, '#');
            match toml::from_str::<Scenario>(&current) {
                Ok(scenario) => {
                    for p in validate(&scenario) {
                        if problems.len() < MAX_PROBLEMS {
                            problems.push(locate_problem(text, p));
                        }
                    }
                    return sorted(problems);
                }
                Err(e) => {
                    problems.push(from_toml_error(&current, &e, None));
                    error = e;
                    continue;
                }
            }
        }
        let Some((segs, span)) = scalar_at(&current, offset) else {
            return sorted(problems);
        };
        if let Some(last) = problems.last_mut() {
            last.path = path_string(&segs);
        }
        let from_builtin = builtin
            .as_ref()
            .and_then(|b| value_at(b, &segs))
            .map(|v| v.to_string());
        let candidates = from_builtin
            .into_iter()
            .chain(["0.5", "1", "\"x\"", "false", "[]"].map(String::from));
        let mut next = None;
        for c in candidates {
            let attempt = format!("{}{c}{}", &current[..span.start], &current[span.end..]);
            match toml::from_str::<Scenario>(&attempt) {
                Ok(s) => {
                    next = Some((attempt, Ok(s)));
                    break;
                }
                Err(e) if e.span().map(|s| s.start) != Some(span.start) => {
                    next = Some((attempt, Err(e)));
                    break;
                }
                Err(_) => {}
            }
        }
        let Some((attempt, outcome)) = next else {
            return sorted(problems);
        };
        repaired.push(path_string(&segs));
        current = attempt;
        match outcome {
            Ok(scenario) => {
                for p in validate(&scenario) {
                    let at_repaired = repaired
                        .iter()
                        .any(|r| p.path == *r || p.path.starts_with(&format!("{r}.")));
                    if !at_repaired && problems.len() < MAX_PROBLEMS {
                        problems.push(locate_problem(text, p));
                    }
                }
                return sorted(problems);
            }
            Err(e) => {
                problems.push(from_toml_error(&current, &e, None));
                error = e;
            }
        }
    }
    sorted(problems)
}

/// Where the line starts when `error` is an unknown key written as `key = value` on a line of
/// its own (not inside an inline table).
fn unknown_key_line(text: &str, error: &toml::de::Error, offset: usize) -> Option<usize> {
    if !error.message().starts_with("unknown field") || offset > text.len() {
        return None;
    }
    let line = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line..offset];
    let rest = &text[offset..];
    let key_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let after_key = rest[key_len..].trim_start_matches([' ', '\t']);
    (before.trim().is_empty() && key_len > 0 && after_key.starts_with('=')).then_some(line)
}

/// Problems in file order (those without a place last).
fn sorted(mut problems: Vec<Located>) -> Vec<Located> {
    problems.sort_by_key(|p| p.line_col.unwrap_or((usize::MAX, 0)));
    problems
}

/// Dotted form of a path: `domains[2].cost`.
fn path_string(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value at a path of a TOML table.
fn value_at<'a>(root: &'a toml::Table, segs: &[Seg]) -> Option<&'a toml::Value> {
    let (first, rest) = segs.split_first()?;
    let Seg::Key(k) = first else { return None };
    let mut cur = root.get(k)?;
    for s in rest {
        cur = match (s, cur) {
            (Seg::Key(k), toml::Value::Table(t)) => t.get(k)?,
            (Seg::Index(i), toml::Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Path and byte span of the innermost single value (not a table) whose span holds `offset`.
fn scalar_at(text: &str, offset: usize) -> Option<(Vec<Seg>, std::ops::Range<usize>)> {
    fn walk_table(
        t: &DeTable,
        offset: usize,
        path: &mut Vec<Seg>,
    ) -> Option<(Vec<Seg>, std::ops::Range<usize>)> {
        for (k, v) in t.iter() {
            path.push(Seg::Key(k.get_ref().to_string()));
            if let Some(found) = walk_value(v, offset, path) {
                return Some(found);
            }
            path.pop();
        }
        None
    }
    fn walk_value(
        v: &toml::Spanned<DeValue>,
        offset: usize,
        path: &mut Vec<Seg>,
    ) -> Option<(Vec<Seg>, std::ops::Range<usize>)> {
        let span = v.span();
        match v.get_ref() {
            DeValue::Table(t) => walk_table(t, offset, path),
            DeValue::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(Seg::Index(i));
                    if let Some(found) = walk_value(x, offset, path) {
                        return Some(found);
                    }
                    path.pop();
                }
                span.contains(&offset).then(|| (path.clone(), span))
            }
            _ => span.contains(&offset).then(|| (path.clone(), span)),
        }
    }
    let root = DeTable::parse(text).ok()?;
    walk_table(root.get_ref(), offset, &mut Vec::new())
}

fn from_toml_error(text: &str, e: &toml::de::Error, set: Option<String>) -> Located {
    Located {
        line_col: e.span().map(|s| line_col(text, s.start)),
        path: String::new(),
        message: shorten_quoted(e.message().trim()),
        set,
    }
}

/// The message with every `quoted` piece of user text shortened by [`shorten`].
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::new();
    for (i, piece) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&shorten(piece));
        } else {
            out.push_str(piece);
        }
    }
    out
}

fn locate_problem(text: &str, p: Problem) -> Located {
    Located {
        line_col: locate(text, &p.path),
        path: p.path,
        message: p.message,
        set: None,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Split `domains[2].cost` or `central.domains.ecology.support` into keys and indices.
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push(Seg::Key(rest[..i].to_string()));
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                if let Ok(n) = rest[1..end].parse() {
                    out.push(Seg::Index(n));
                }
                rest = &rest[end + 1..];
            }
        } else {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Line and column of the value at `path`, or of its nearest existing ancestor.
pub fn locate(text: &str, path: &str) -> Option<(usize, usize)> {
    let root = DeTable::parse(text).ok()?;
    let mut best: Option<usize> = None;
    let mut table: Option<&DeTable> = Some(root.get_ref());
    let mut value: Option<&DeValue> = None;
    for seg in segments(path) {
        let next = match (&seg, table, value) {
            (Seg::Key(k), Some(t), _) => t
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                .map(|(_, v)| v),
            (Seg::Index(i), _, Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        };
        let Some(v) = next else { break };
        best = Some(v.span().start);
        value = Some(v.get_ref());
        table = match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    best.map(|o| line_col(text, o))
}

/// Apply one `PATH=VALUE`. Arrays of tables (provinces, zones, domains) are addressed by `id`.
/// A number set on a spread `{ mean, sd }` sets its mean.
pub fn apply_set(root: &mut toml::Table, set: &str) -> Result<(), String> {
    let (path, raw) = set
        .split_once('=')
        .ok_or_else(|| "expected PATH=VALUE, e.g. levers.uniformity=0.8".to_string())?;
    let path = path.trim();
    if path.is_empty() {
        return Err("empty path before '='".into());
    }
    let value = parse_value(raw.trim());
    let keys: Vec<&str> = path.split('.').collect();
    let mut cur: &mut toml::Table = root;
    for (i, key) in keys.iter().enumerate() {
        let last = i + 1 == keys.len();
        if last {
            match cur.get_mut(*key) {
                Some(toml::Value::Table(t))
                    if t.contains_key("mean")
                        && matches!(value, toml::Value::Float(_) | toml::Value::Integer(_)) =>
                {
                    t.insert("mean".into(), value);
                }
                _ => {
                    cur.insert(key.to_string(), value);
                }
            }
            return Ok(());
        }
        let entry = cur
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = match entry {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) => {
                let id = keys[i + 1];
                let ids: Vec<String> = items
                    .iter()
                    .filter_map(|v| v.get("id")?.as_str().map(String::from))
                    .collect();
                let pos = ids.iter().position(|x| x == id).ok_or_else(|| {
                    format!(
                        "unknown id \"{id}\" in {key}; expected one of {}",
                        ids.iter()
                            .map(|s| format!("\"{s}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
                if i + 2 == keys.len() {
                    return Err(format!(
                        "{key}.{id} is a whole entry; name a field, e.g. {key}.{id}.siphon"
                    ));
                }
                // Skip the id segment: continue inside the matched entry.
                let t = items[pos]
                    .as_table_mut()
                    .ok_or_else(|| format!("{key} entries must be tables"))?;
                return apply_set(t, &format!("{}={}", keys[i + 2..].join("."), raw.trim()));
            }
            _ => {
                return Err(format!(
                    "{} is a single value, not a table: cannot set {path}",
                    keys[..=i].join(".")
                ));
            }
        };
    }
    Ok(())
}

/// A TOML literal if it parses as one, else the raw text as a string (so `timing=responsive` works).
fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim_matches('"').to_string()))
}

/// A [`Dist`] is a number or a table with exactly `mean` and `sd`. Written by hand instead of an
/// untagged derive, which would accept unknown keys (`sdd = 1` silently ignored) and explain a
/// mismatch only as "did not match any variant".
impl<'de> serde::Deserialize<'de> for Dist {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Dist, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

const DIST_KEYS: &[&str] = &["mean", "sd"];

impl<'de> serde::de::Visitor<'de> for DistVisitor {
    type Value = Dist;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a spread { mean = NUMBER, sd = NUMBER }")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dist, E> {
        Ok(Dist::Fixed(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dist, E> {
        Ok(Dist::Fixed(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dist, E> {
        Ok(Dist::Fixed(v as f64))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        use serde::de::Error;
        let (mut mean, mut sd) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "mean" => &mut mean,
                "sd" => &mut sd,
                other => return Err(A::Error::unknown_field(&shorten(other), DIST_KEYS)),
            };
            if slot.is_some() {
                return Err(A::Error::custom(format!("duplicate key `{key}`")));
            }
            *slot = Some(map.next_value::<f64>()?);
        }
        match (mean, sd) {
            (Some(mean), Some(sd)) => Ok(Dist::Spread { mean, sd }),
            (None, _) => Err(A::Error::missing_field("mean")),
            (_, None) => Err(A::Error::missing_field("sd")),
        }
    }
}

/// At most `MAX_ECHO` characters of user text, with an ellipsis and the full length when cut:
/// a message never repeats a megabyte-long key.
pub fn shorten(s: &str) -> String {
    const MAX_ECHO: usize = 100;
    let n = s.chars().count();
    if n <= MAX_ECHO {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX_ECHO).collect();
        format!("{head}… ({n} characters)")
    }
}
