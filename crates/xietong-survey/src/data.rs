//! Tabular survey data as read from a file: a header and string cells, column-major, plus the
//! rules that turn cells into numbers or categories (missing codes, Wenjuanxing skip markers).
//! A table handed over in memory (a pandas DataFrame from Python) may also carry numeric columns
//! as numbers and text columns as category codes ([`Table::from_columns`]): they are copied once
//! and never turned into one string per cell, and [`Table::numeric`], [`Table::categories`] and
//! [`Table::categorical`] give exactly what the same column gives when it is read from a CSV file
//! that holds each number as pandas' `to_csv` writes it (see [`NumberForm`]) and each coded cell
//! as its label's text.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use thiserror::Error;

/// A data problem located in the source file (rows are 1-based file rows, header = row 1).
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DataError {
    #[error("{file}: {msg}")]
    File { file: String, msg: String },
    #[error("{file}, row {row}, column '{column}': {msg}")]
    Cell {
        file: String,
        row: usize,
        column: String,
        msg: String,
    },
    #[error("{file}: no column named '{column}' (columns are: {available})")]
    NoColumn {
        file: String,
        column: String,
        available: String,
    },
}

/// Largest magnitude a numeric survey value may have, and `1 / MAX_MAGNITUDE` the smallest
/// non-zero one: the statistics square values and sum squares of deviations (and Welch's degrees
/// of freedom square variances), which overflows to infinity beyond about 1e75 and underflows to
/// zero below about 1e-75. No questionnaire measure comes near either.
pub const MAX_MAGNITUDE: f64 = 1e50;

/// Which layout conventions the file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Flavor {
    Plain,
    /// Wenjuanxing (问卷星) export: metadata columns, `1、题干` headers, skip markers.
    Wenjuanxing,
}

impl Flavor {
    /// The flavour of a file with this header: Wenjuanxing when at least two of its metadata
    /// columns are there, or one and a numbered question.
    pub fn detect(header: &[String]) -> Flavor {
        let wjx_hits = header
            .iter()
            .filter(|h| WJX_META.contains(&h.trim()))
            .count();
        let numbered = header
            .iter()
            .filter(|h| parse_question_header(h).is_some())
            .count();
        if wjx_hits >= 2 || (wjx_hits >= 1 && numbered >= 1) {
            Flavor::Wenjuanxing
        } else {
            Flavor::Plain
        }
    }
}

/// How the numbers of a column would be written in a file, which decides what missing codes
/// (and Wenjuanxing's negative skip codes) they match and what category labels they give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberForm {
    /// Shortest round-trip digits, whole numbers without a decimal point (`3`, `-2`, `0.1`): an
    /// integer column.
    Shortest,
    /// Python's `repr` of a float, as pandas writes a float column (`3.0`, `-2.0`, `1e-07`,
    /// `1e+16`): never a whole number's text, so never a Wenjuanxing skip code.
    Float,
}

/// Numbers handed over as numbers: NaN is a missing value (an empty cell in a file).
#[derive(Debug, Clone, PartialEq)]
pub struct NumberColumn {
    pub values: Vec<f64>,
    pub form: NumberForm,
}

/// Cells handed over as codes into their distinct texts (pandas' `factorize`, or a categorical's
/// `codes` and `categories`): cell `i` is `labels[codes[i]]`, a negative code is an empty cell.
/// A million answers with a few distinct values are a million small integers, not a million
/// strings; labels are cleaned (missing codes, free-text brackets) once each, not per cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedColumn {
    pub codes: Vec<i32>,
    pub labels: Vec<String>,
}

/// One column handed over in memory (see [`Table::from_columns`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Cells as text, as a file holds them (empty = missing).
    Text(Vec<String>),
    Numbers(NumberColumn),
    Coded(CodedColumn),
}

/// A column held in a typed form instead of text cells (see [`Table::typed`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedColumn {
    Numbers(NumberColumn),
    Coded(CodedColumn),
}

/// The categories of a column ([`Table::categories`]): the distinct labels (missing values left
/// out, free-text brackets removed) in the order they first appear in the column, and per row the
/// index of its label (`None` = missing). Statistics count and group by the index, so they compare
/// strings once per label rather than once per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Categories {
    pub labels: Vec<String>,
    pub codes: Vec<Option<u32>>,
}

impl Categories {
    /// Per row its label (missing → None): what [`Table::categorical`] returns.
    pub fn strings(&self) -> Vec<Option<String>> {
        self.codes
            .iter()
            .map(|c| c.map(|k| self.labels[k as usize].clone()))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// File name used in messages.
    pub source: String,
    pub header: Vec<String>,
    /// Text cells per column. Empty for a column held in a typed form (see `typed`): read cells
    /// through [`Table::cell`], [`Table::numeric`], [`Table::categories`] or
    /// [`Table::categorical`], which know every form.
    pub columns: Vec<Vec<String>>,
    /// Per column, `Some(column)` when the column was handed over as numbers or as category codes
    /// by [`Table::from_columns`]; `None` for text columns (every column read from a file).
    pub typed: Vec<Option<TypedColumn>>,
    pub flavor: Flavor,
    /// Encoding the text was decoded from (CSV) or the container format (Excel).
    pub encoding: String,
    /// Value labels of coded columns (SPSS): column → (code, label), codes in order.
    pub value_labels: Vec<(String, Vec<(String, String)>)>,
    /// Multiple-response sets declared in the file (SPSS): (label, 0/1 columns).
    pub mr_sets: Vec<(String, Vec<String>)>,
}

/// The Wenjuanxing metadata columns (not questions).
pub const WJX_META: &[&str] = &[
    "序号",
    "提交答卷时间",
    "所用时间",
    "来源",
    "来源详情",
    "来自IP",
    "总分",
];

impl Table {
    /// Build from rows; checks duplicate/empty headers and detects the flavour.
    pub fn from_rows(
        source: &str,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        encoding: &str,
    ) -> Result<Table, DataError> {
        if header.is_empty() {
            return Err(DataError::File {
                file: source.into(),
                msg: "the file is empty (no header row)".into(),
            });
        }
        for (j, h) in header.iter().enumerate() {
            if let Some(k) = header[..j].iter().position(|x| x == h) {
                return Err(DataError::File {
                    file: source.into(),
                    msg: format!(
                        "duplicate column header '{h}' (columns {} and {}); rename one so columns can be addressed by name",
                        k + 1,
                        j + 1
                    ),
                });
            }
        }
        let mut columns = vec![Vec::with_capacity(rows.len()); header.len()];
        for (i, row) in rows.into_iter().enumerate() {
            if row.len() != header.len() {
                return Err(DataError::File {
                    file: source.into(),
                    msg: format!(
                        "row {} has {} fields but the header has {}",
                        i + 2,
                        row.len(),
                        header.len()
                    ),
                });
            }
            for (j, v) in row.into_iter().enumerate() {
                columns[j].push(v);
            }
        }
        let flavor = Flavor::detect(&header);
        Ok(Table {
            source: source.into(),
            typed: vec![None; header.len()],
            header,
            columns,
            flavor,
            encoding: encoding.into(),
            value_labels: Vec::new(),
            mr_sets: Vec::new(),
        })
    }

    /// Build from named columns held in memory (a DataFrame's), numbers kept as numbers. Checks
    /// empty and duplicate names and equal lengths as [`Table::from_rows`] does; the flavour is
    /// detected from these names (set `flavor` from the whole header when only some columns of a
    /// larger table are handed over).
    pub fn from_columns(
        source: &str,
        columns: Vec<(String, ColumnData)>,
        encoding: &str,
    ) -> Result<Table, DataError> {
        let header: Vec<String> = columns.iter().map(|(h, _)| h.clone()).collect();
        let mut t = Table::from_rows(source, header, Vec::new(), encoding)?;
        let mut rows = None;
        for (j, (name, data)) in columns.into_iter().enumerate() {
            let n = match &data {
                ColumnData::Text(v) => v.len(),
                ColumnData::Numbers(v) => v.values.len(),
                ColumnData::Coded(v) => v.codes.len(),
            };
            match rows {
                None => rows = Some((n, name)),
                Some((m, ref first)) if m != n => {
                    return Err(DataError::File {
                        file: source.into(),
                        msg: format!("column '{name}' has {n} rows, column '{first}' has {m}"),
                    });
                }
                _ => {}
            }
            match data {
                ColumnData::Text(v) => t.columns[j] = v,
                ColumnData::Numbers(v) => t.typed[j] = Some(TypedColumn::Numbers(v)),
                ColumnData::Coded(v) => {
                    if let Some(i) = v
                        .codes
                        .iter()
                        .position(|&k| k as i64 >= v.labels.len() as i64)
                    {
                        return Err(DataError::Cell {
                            file: source.into(),
                            row: i + 2,
                            column: t.header[j].clone(),
                            msg: format!(
                                "category code {} is beyond the column's {} labels",
                                v.codes[i],
                                v.labels.len()
                            ),
                        });
                    }
                    t.typed[j] = Some(TypedColumn::Coded(v))
                }
            }
        }
        Ok(t)
    }

    pub fn n_rows(&self) -> usize {
        match self.typed.first() {
            Some(Some(TypedColumn::Numbers(v))) => v.values.len(),
            Some(Some(TypedColumn::Coded(v))) => v.codes.len(),
            _ => self.columns.first().map_or(0, |c| c.len()),
        }
    }

    /// The text of cell `i` of column `j`: a number handed over as a number is written in its
    /// column's [`NumberForm`] (empty when missing), a coded cell is its label (empty for a
    /// negative code), as a CSV file would hold them.
    pub fn cell(&self, j: usize, i: usize) -> Cow<'_, str> {
        match &self.typed[j] {
            Some(TypedColumn::Numbers(v)) => Cow::Owned(number_text(v.values[i], v.form)),
            Some(TypedColumn::Coded(v)) => match usize::try_from(v.codes[i]) {
                Ok(k) => Cow::Borrowed(&v.labels[k]),
                Err(_) => Cow::Borrowed(""),
            },
            None => Cow::Borrowed(&self.columns[j][i]),
        }
    }

    /// Column index by exact header text (Chinese included), with a helpful error.
    pub fn col(&self, name: &str) -> Result<usize, DataError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| DataError::NoColumn {
                file: self.source.clone(),
                column: name.into(),
                available: self.header.join(", "),
            })
    }

    /// Is this cell missing under the file's conventions?
    pub fn is_missing(&self, cell: &str, extra_codes: &[String]) -> bool {
        let t = cell.trim();
        if t.is_empty()
            || t == "(跳过)"
            || t == "(空)"
            || t == "（跳过）"
            || t == "（空）"
            || extra_codes.iter().any(|c| c == t)
        {
            return true;
        }
        // Wenjuanxing writes negative codes (-2 skipped, -3 not shown) for unanswered questions.
        self.flavor == Flavor::Wenjuanxing && t.starts_with('-') && t[1..].parse::<u32>().is_ok()
    }

    /// Numeric values of a column (missing → None). A value that is not a finite number, or whose
    /// magnitude is above [`MAX_MAGNITUDE`] or non-zero below its inverse, is an error naming its
    /// row and column.
    pub fn numeric(
        &self,
        j: usize,
        extra_missing: &[String],
    ) -> Result<Vec<Option<f64>>, DataError> {
        let cell_error = |i: usize, msg: String| DataError::Cell {
            file: self.source.clone(),
            row: i + 2,
            column: self.header[j].clone(),
            msg,
        };
        if let Some(TypedColumn::Coded(col)) = &self.typed[j] {
            // Each label is read once; a cell's value is its label's.
            let mut parsed: Vec<Option<Result<Option<f64>, String>>> = vec![None; col.labels.len()];
            return col
                .codes
                .iter()
                .enumerate()
                .map(|(i, &k)| {
                    let Ok(k) = usize::try_from(k) else {
                        return Ok(None);
                    };
                    let label = &col.labels[k];
                    parsed[k]
                        .get_or_insert_with(|| self.number_of(label, extra_missing))
                        .clone()
                        .map_err(|m| cell_error(i, m))
                })
                .collect();
        }
        if let Some(TypedColumn::Numbers(col)) = &self.typed[j] {
            let missing = NumberMissing::new(self.flavor, col.form, extra_missing);
            return col
                .values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if missing.is(v) {
                        return Ok(None);
                    }
                    if !v.is_finite() {
                        return Err(cell_error(
                            i,
                            format!("expected a number, found '{}'", number_text(v, col.form)),
                        ));
                    }
                    check_magnitude(v).map_err(|m| cell_error(i, m))?;
                    Ok(Some(v))
                })
                .collect();
        }
        self.columns[j]
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                self.number_of(cell, extra_missing)
                    .map_err(|m| cell_error(i, m))
            })
            .collect()
    }

    /// The number a text cell holds (missing → None), or the message of a bad one.
    fn number_of(&self, cell: &str, extra_missing: &[String]) -> Result<Option<f64>, String> {
        if self.is_missing(cell, extra_missing) {
            return Ok(None);
        }
        let t = strip_free_text(cell.trim());
        let v = t
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("expected a number, found '{cell}'"))?;
        check_magnitude(v)?;
        Ok(Some(v))
    }

    /// The categories of a column: distinct labels in order of first appearance and per row the
    /// index of its label (see [`Categories`]). Missing cells, free-text brackets and a number's
    /// text as in [`Table::categorical`]; for a coded column each label is cleaned once, and
    /// labels that clean to the same text (`"A "` and `"A"`) are one category, as in a file.
    pub fn categories(&self, j: usize, extra_missing: &[String]) -> Categories {
        let mut labels: Vec<String> = Vec::new();
        let codes = match &self.typed[j] {
            Some(TypedColumn::Numbers(col)) => {
                // Distinct numbers have distinct texts (shortest round-trip digits), so the bits
                // identify the label.
                let missing = NumberMissing::new(self.flavor, col.form, extra_missing);
                let mut index: HashMap<u64, u32> = HashMap::new();
                col.values
                    .iter()
                    .map(|&v| {
                        if missing.is(v) {
                            return None;
                        }
                        Some(*index.entry(v.to_bits()).or_insert_with(|| {
                            labels.push(number_text(v, col.form));
                            (labels.len() - 1) as u32
                        }))
                    })
                    .collect()
            }
            Some(TypedColumn::Coded(col)) => {
                const UNSEEN: u32 = u32::MAX;
                const MISSING: u32 = u32::MAX - 1;
                let mut index: HashMap<&str, u32> = HashMap::new();
                let mut remap = vec![UNSEEN; col.labels.len()];
                col.codes
                    .iter()
                    .map(|&k| {
                        let k = usize::try_from(k).ok()?;
                        if remap[k] == UNSEEN {
                            let label = &col.labels[k];
                            remap[k] = if self.is_missing(label, extra_missing) {
                                MISSING
                            } else {
                                let clean = strip_free_text(label.trim());
                                *index.entry(clean).or_insert_with(|| {
                                    labels.push(clean.to_string());
                                    (labels.len() - 1) as u32
                                })
                            };
                        }
                        (remap[k] != MISSING).then_some(remap[k])
                    })
                    .collect()
            }
            None => {
                let mut index: HashMap<&str, u32> = HashMap::new();
                self.columns[j]
                    .iter()
                    .map(|c| {
                        if self.is_missing(c, extra_missing) {
                            return None;
                        }
                        let clean = strip_free_text(c.trim());
                        Some(*index.entry(clean).or_insert_with(|| {
                            labels.push(clean.to_string());
                            (labels.len() - 1) as u32
                        }))
                    })
                    .collect()
            }
        };
        Categories { labels, codes }
    }

    /// Category labels of a column (missing → None), free-text brackets removed. A column held
    /// as numbers gives each number's text in its column's [`NumberForm`], a coded column each
    /// cell's label, as read from a file.
    pub fn categorical(&self, j: usize, extra_missing: &[String]) -> Vec<Option<String>> {
        self.categories(j, extra_missing).strings()
    }
}

/// A number as a CSV cell in `form`, empty for NaN; parsing it back gives the same number.
/// Shortest: Rust's `{}` (shortest round-trip digits, never an exponent). Float: Python's
/// `repr` — the same digits, positional with at least one decimal when the decimal exponent is
/// in -4..16, else `d.ddde±XX` (two exponent digits at least).
pub fn number_text(v: f64, form: NumberForm) -> String {
    if v.is_nan() {
        return String::new();
    }
    match form {
        NumberForm::Shortest => format!("{v}"),
        NumberForm::Float if v.is_infinite() => format!("{v}"),
        NumberForm::Float => {
            let sci = format!("{v:e}");
            let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
            let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
            if (-4..16).contains(&exp) {
                let mut t = format!("{v}");
                if !t.contains('.') {
                    t.push_str(".0");
                }
                t
            } else {
                let sign = if exp < 0 { '-' } else { '+' };
                format!("{mantissa}e{sign}{:02}", exp.abs())
            }
        }
    }
}

/// The magnitude limits of [`MAX_MAGNITUDE`], with the message of a cell beyond them.
fn check_magnitude(v: f64) -> Result<(), String> {
    if v.abs() > MAX_MAGNITUDE {
        return Err(format!(
            "{v:e} is beyond the supported magnitude {MAX_MAGNITUDE:e} (squares and sums of squares of larger values overflow); rescale the column, e.g. to thousands or millions"
        ));
    }
    if v != 0.0 && v.abs() < 1.0 / MAX_MAGNITUDE {
        return Err(format!(
            "{v:e} is closer to zero than the supported magnitude {:e} (squares of smaller values underflow to 0); rescale the column",
            1.0 / MAX_MAGNITUDE
        ));
    }
    Ok(())
}

/// [`Table::is_missing`] for a number, decided without writing each number as text: the cell a
/// number stands for is `number_text(v, form)`, which is missing when empty (NaN), equal to a
/// missing code, or (Wenjuanxing, Shortest form only) a negative whole number that fits a u32. A
/// code equals that text exactly when it is itself a number's text in `form` and that number has
/// the same bits (so `-0` and `0`, `99` and `99.0` are told apart as text tells them apart).
struct NumberMissing {
    codes: Vec<u64>,
    wjx: bool,
}

impl NumberMissing {
    fn new(flavor: Flavor, form: NumberForm, extra: &[String]) -> NumberMissing {
        let codes = extra
            .iter()
            .filter_map(|c| {
                // Compared untrimmed, as is_missing compares a code with the trimmed cell.
                let v = c.parse::<f64>().ok().filter(|v| !v.is_nan())?;
                (number_text(v, form) == *c).then_some(v.to_bits())
            })
            .collect();
        NumberMissing {
            codes,
            wjx: flavor == Flavor::Wenjuanxing && form == NumberForm::Shortest,
        }
    }

    fn is(&self, v: f64) -> bool {
        v.is_nan()
            || self.codes.contains(&v.to_bits())
            || (self.wjx && v.is_sign_negative() && v.trunc() == v && -v <= u32::MAX as f64)
    }
}

/// Remove a Wenjuanxing free-text attachment: `其他〖自填内容〗` → `其他`.
/// Orders category codes as a reader expects when no codebook says otherwise: numbers by value,
/// codes such as "A2" < "A10" by their digit runs, everything else by code point. First
/// appearance in the file (the previous rule) depends on who answered first, so the same survey
/// gave different table orders from one export to the next.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    if let (Ok(x), Ok(y)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        return x
            .partial_cmp(&y)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.cmp(b));
    }
    let (mut i, mut j) = (a.char_indices().peekable(), b.char_indices().peekable());
    loop {
        match (i.peek().copied(), j.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((_, ca)), Some((_, cb))) if ca.is_ascii_digit() && cb.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::CharIndices>| {
                    let mut d = String::new();
                    while let Some((_, c)) = it.peek().copied().filter(|(_, c)| c.is_ascii_digit())
                    {
                        d.push(c);
                        it.next();
                    }
                    d
                };
                let (da, db) = (run(&mut i), run(&mut j));
                let (ta, tb) = (da.trim_start_matches('0'), db.trim_start_matches('0'));
                let o = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some((_, ca)), Some((_, cb))) => {
                if ca != cb {
                    return ca.cmp(&cb);
                }
                i.next();
                j.next();
            }
        }
    }
}

pub fn strip_free_text(s: &str) -> &str {
    match s.find('〖') {
        Some(i) if s.ends_with('〗') => s[..i].trim_end(),
        _ => s,
    }
}

/// Split a by-text multiple-choice answer `A┋B┋C` into its choices.
pub fn split_choices(s: &str) -> Vec<String> {
    s.split('┋')
        .map(|p| strip_free_text(p.trim()).to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// `1、题干` / `12. 题干` → (1, "题干").
pub fn parse_question_header(h: &str) -> Option<(u32, String)> {
    let h = h.trim();
    let digits: String = h.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &h[digits.len()..];
    let rest = rest
        .strip_prefix('、')
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_prefix('．'))?;
    Some((digits.parse().ok()?, rest.trim().to_string()))
}

/// `第5题(选项)` / `5(选项)` / `5、(选项)` (full-width brackets too) → (5, "选项"): one 0/1 column
/// of a multiple-choice question in the by-option-number export.
pub fn parse_option_header(h: &str) -> Option<(u32, String)> {
    let h = h.trim();
    let h = h.strip_prefix('第').unwrap_or(h);
    let digits: String = h.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let mut rest = &h[digits.len()..];
    rest = rest.strip_prefix('题').unwrap_or(rest);
    rest = rest.strip_prefix('、').unwrap_or(rest);
    let (open, close) = if rest.starts_with('(') {
        ('(', ')')
    } else if rest.starts_with('（') {
        ('（', '）')
    } else {
        return None;
    };
    let inner = rest.strip_prefix(open)?.strip_suffix(close)?;
    Some((digits.parse().ok()?, inner.trim().to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn natural_order_of_codes() {
        let mut v: Vec<&str> = vec!["B4", "A10", "A1", "B1", "A3", "A2"];
        v.sort_by(|a, b| super::natural_cmp(a, b));
        assert_eq!(v, ["A1", "A2", "A3", "A10", "B1", "B4"]);
        let mut n = vec!["10", "9", "1.5", "2"];
        n.sort_by(|a, b| super::natural_cmp(a, b));
        assert_eq!(n, ["1.5", "2", "9", "10"]);
        assert_eq!(super::natural_cmp("x", "x"), std::cmp::Ordering::Equal);
    }

    use super::*;

    #[test]
    fn headers() {
        assert_eq!(
            parse_question_header("1、您的性别"),
            Some((1, "您的性别".into()))
        );
        assert_eq!(parse_question_header("序号"), None);
        assert_eq!(
            parse_option_header("第5题(公共服务共建共享)"),
            Some((5, "公共服务共建共享".into()))
        );
        assert_eq!(
            parse_option_header("5(现代基础设施)"),
            Some((5, "现代基础设施".into()))
        );
        assert_eq!(parse_option_header("5（其他）"), Some((5, "其他".into())));
        assert_eq!(parse_option_header("5、题干"), None);
        assert_eq!(
            split_choices("甲┋乙┋其他〖说明〗"),
            vec!["甲", "乙", "其他"]
        );
    }

    /// Float form is Python's repr (what pandas' to_csv writes); these are Python's outputs.
    #[test]
    fn float_form_is_python_repr() {
        for (v, py) in [
            (1e16, "1e+16"),
            (9999999999999998.0, "9999999999999998.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (0.0001234, "0.0001234"),
            (-0.0, "-0.0"),
            (-2.0, "-2.0"),
            (0.1, "0.1"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1.5e-300, "-1.5e-300"),
            (123456789.125, "123456789.125"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(number_text(v, NumberForm::Float), py, "{v:e}");
        }
        assert_eq!(number_text(-2.0, NumberForm::Shortest), "-2");
        assert_eq!(number_text(f64::NAN, NumberForm::Float), "");
    }

    /// A column handed over as numbers reads exactly as the same numbers written to a file
    /// cell (shortest round-trip text) and read back: values, missing values, categories and
    /// error messages, in both flavours and with extra missing codes.
    #[test]
    fn numbers_read_as_their_text() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            -3.0,
            3.5,
            -3.5,
            99.0,
            -99.0,
            0.1,
            1e-7,
            123456789.125,
            1e20,
            -1e20,
            4294967295.0,
            -4294967295.0,
            -4294967296.0,
            f64::NAN,
            2.0f64.powi(60),
            1e-40,
            1e49,
            -2.5e-30,
        ];
        // A deterministic spread of awkward doubles (xorshift bits, finite ones only).
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        while values.len() < 400 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() && v.abs() <= MAX_MAGNITUDE && v.abs() >= 1.0 / MAX_MAGNITUDE {
                values.push(v);
            }
            values.push((x % 2001) as f64 / 8.0 - 125.0);
        }
        for (form, head) in [
            (NumberForm::Shortest, vec!["x", "g"]),
            (NumberForm::Shortest, vec!["序号", "提交答卷时间"]),
            (NumberForm::Float, vec!["x", "g"]),
            (NumberForm::Float, vec!["序号", "提交答卷时间"]),
        ] {
            let texts: Vec<String> = values.iter().map(|&v| number_text(v, form)).collect();
            let header: Vec<String> = head.iter().map(|h| h.to_string()).collect();
            let from_text = Table::from_rows(
                "t.csv",
                header.clone(),
                texts.iter().map(|t| vec![t.clone(), t.clone()]).collect(),
                "UTF-8",
            )
            .unwrap();
            let typed = Table::from_columns(
                "t.csv",
                vec![
                    (
                        header[0].clone(),
                        ColumnData::Numbers(NumberColumn {
                            values: values.clone(),
                            form,
                        }),
                    ),
                    (header[1].clone(), ColumnData::Text(texts.clone())),
                ],
                "UTF-8",
            )
            .unwrap();
            assert_eq!(typed.flavor, from_text.flavor);
            assert_eq!(typed.n_rows(), values.len());
            for codes in [
                vec![],
                vec!["99".to_string(), "-0".into(), "0.1".into()],
                vec![
                    "99.0".into(),
                    " 3.5".into(),
                    "1e20".into(),
                    "-3".into(),
                    "1e+20".into(),
                ],
                vec![
                    "-0.0".into(),
                    "0.0001".into(),
                    "1e-07".into(),
                    "-3.0".into(),
                ],
            ] {
                let want = from_text.numeric(0, &codes).unwrap();
                let got = typed.numeric(0, &codes).unwrap();
                assert_eq!(got.len(), want.len());
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert_eq!(
                        g.map(f64::to_bits),
                        w.map(f64::to_bits),
                        "row {i}: {}",
                        texts[i]
                    );
                }
                assert_eq!(
                    typed.categorical(0, &codes),
                    from_text.categorical(0, &codes)
                );
                assert_eq!(
                    typed.categorical(1, &codes),
                    from_text.categorical(1, &codes)
                );
            }
            for i in 0..values.len() {
                assert_eq!(typed.cell(0, i), from_text.cell(0, i));
            }
            // The flavours treat negative whole numbers differently, so both branches were hit.
            let n_missing = typed
                .numeric(0, &[])
                .unwrap()
                .iter()
                .filter(|v| v.is_none())
                .count();
            if from_text.flavor == Flavor::Wenjuanxing && form == NumberForm::Shortest {
                assert!(n_missing > 3, "{n_missing}");
            } else {
                assert_eq!(n_missing, 1);
            }
        }
        // Bad values: the same message, naming row and column.
        for bad in [f64::INFINITY, f64::NEG_INFINITY, 1e60, 1e-60] {
            let text = Table::from_rows(
                "b.csv",
                vec!["v".into()],
                vec![vec!["1".into()], vec![number_text(bad, NumberForm::Float)]],
                "UTF-8",
            )
            .unwrap();
            let values = vec![1.0, bad];
            let col = NumberColumn {
                values,
                form: NumberForm::Float,
            };
            let typed = Table::from_columns(
                "b.csv",
                vec![("v".into(), ColumnData::Numbers(col))],
                "UTF-8",
            )
            .unwrap();
            let (e, w) = (
                typed.numeric(0, &[]).unwrap_err(),
                text.numeric(0, &[]).unwrap_err(),
            );
            assert_eq!(e, w);
            assert!(e.to_string().contains("row 3, column 'v'"), "{e}");
        }
        let uneven = Table::from_columns(
            "d",
            vec![
                (
                    "a".into(),
                    ColumnData::Numbers(NumberColumn {
                        values: vec![1.0],
                        form: NumberForm::Shortest,
                    }),
                ),
                ("b".into(), ColumnData::Text(vec![])),
            ],
            "",
        )
        .unwrap_err();
        assert!(
            uneven
                .to_string()
                .contains("column 'b' has 0 rows, column 'a' has 1"),
            "{uneven}"
        );
    }

    /// A coded column reads exactly as its cells written out as text: categories (labels in
    /// first-appearance order, labels that clean to the same text merged, unused labels left
    /// out), numbers, cells and error messages, with missing codes, skip markers, free-text
    /// brackets and Wenjuanxing's negative codes.
    #[test]
    fn coded_reads_as_its_text() {
        let labels: Vec<String> = [
            "城市",
            "农村",
            " 城市",
            "",
            "(跳过)",
            "99",
            "-2",
            "其他〖自填〗",
            "其他",
            "unused",
            "3.5",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut codes = Vec::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..500 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Label 9 is never used; -1 is a missing cell.
            codes.push(match (x % 11) as i32 {
                9 => -1,
                k => k,
            });
        }
        let texts: Vec<String> = codes
            .iter()
            .map(|&k| {
                if k < 0 {
                    String::new()
                } else {
                    labels[k as usize].clone()
                }
            })
            .collect();
        for head in [vec!["g", "x"], vec!["序号", "提交答卷时间"]] {
            let header: Vec<String> = head.iter().map(|h| h.to_string()).collect();
            let from_text = Table::from_rows(
                "t.csv",
                header.clone(),
                texts.iter().map(|t| vec![t.clone(), "1".into()]).collect(),
                "UTF-8",
            )
            .unwrap();
            let coded = Table::from_columns(
                "t.csv",
                vec![
                    (
                        header[0].clone(),
                        ColumnData::Coded(CodedColumn {
                            codes: codes.clone(),
                            labels: labels.clone(),
                        }),
                    ),
                    (
                        header[1].clone(),
                        ColumnData::Text(vec!["1".into(); codes.len()]),
                    ),
                ],
                "UTF-8",
            )
            .unwrap();
            assert_eq!(coded.n_rows(), codes.len());
            for i in 0..codes.len() {
                assert_eq!(coded.cell(0, i), from_text.cell(0, i));
            }
            for miss in [vec![], vec!["99".to_string(), "农村".into()]] {
                let (c, t) = (coded.categories(0, &miss), from_text.categories(0, &miss));
                assert_eq!(c, t);
                assert!(!c.labels.contains(&"unused".to_string()));
                assert!(!c.labels.contains(&" 城市".to_string()));
                assert!(!c.labels.contains(&"其他〖自填〗".to_string()));
                assert_eq!(coded.categorical(0, &miss), from_text.categorical(0, &miss));
                // Not numbers: the same error, on the same row.
                assert_eq!(coded.numeric(0, &miss), from_text.numeric(0, &miss));
            }
        }
        // Numbers in a coded column read as in a file.
        let nums = Table::from_columns(
            "n.csv",
            vec![(
                "v".into(),
                ColumnData::Coded(CodedColumn {
                    codes: vec![0, 1, -1, 2, 0],
                    labels: vec!["3.5".into(), "99".into(), "(跳过)".into()],
                }),
            )],
            "UTF-8",
        )
        .unwrap();
        assert_eq!(
            nums.numeric(0, &["99".into()]).unwrap(),
            vec![Some(3.5), None, None, None, Some(3.5)]
        );
        let bad = Table::from_columns(
            "b.csv",
            vec![(
                "v".into(),
                ColumnData::Coded(CodedColumn {
                    codes: vec![0, 2],
                    labels: vec!["a".into(), "b".into()],
                }),
            )],
            "UTF-8",
        )
        .unwrap_err()
        .to_string();
        assert!(
            bad.contains("row 3, column 'v'") && bad.contains("code 2 is beyond"),
            "{bad}"
        );
    }

    /// Categories of a number column: first-appearance order, one label per distinct number.
    #[test]
    fn number_categories() {
        let t = Table::from_columns(
            "n.csv",
            vec![(
                "v".into(),
                ColumnData::Numbers(NumberColumn {
                    values: vec![2.0, 1.0, f64::NAN, 2.0, -0.0, 0.0],
                    form: NumberForm::Float,
                }),
            )],
            "UTF-8",
        )
        .unwrap();
        let c = t.categories(0, &[]);
        assert_eq!(c.labels, ["2.0", "1.0", "-0.0", "0.0"]);
        assert_eq!(c.codes, [Some(0), Some(1), None, Some(0), Some(2), Some(3)]);
    }

    #[test]
    fn missing_and_numeric_errors() {
        let t = Table::from_rows(
            "x.csv",
            vec!["序号".into(), "提交答卷时间".into(), "1、满意度".into()],
            vec![
                vec!["1".into(), "t".into(), "5".into()],
                vec!["2".into(), "t".into(), "-3".into()],
                vec!["3".into(), "t".into(), "(跳过)".into()],
                vec!["4".into(), "t".into(), "很好".into()],
            ],
            "UTF-8",
        )
        .unwrap();
        assert_eq!(t.flavor, Flavor::Wenjuanxing);
        let e = t.numeric(2, &[]).unwrap_err().to_string();
        assert!(
            e.contains("row 5") && e.contains("1、满意度") && e.contains("很好"),
            "{e}"
        );
        let dup =
            Table::from_rows("d.csv", vec!["a".into(), "a".into()], vec![], "UTF-8").unwrap_err();
        assert!(dup.to_string().contains("duplicate column header 'a'"));
    }
}

/// Serialise a table as CSV bytes (UTF-8; with a BOM when `bom`, as Excel expects for Chinese).
pub fn to_csv_bytes(header: &[String], rows: &[Vec<String>], bom: bool) -> Vec<u8> {
    let mut out = if bom {
        vec![0xEF, 0xBB, 0xBF]
    } else {
        Vec::new()
    };
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(header);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}
