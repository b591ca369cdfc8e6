//! Tabular survey data as read from a file: a header and string cells, column-major, plus the
//! rules that turn cells into numbers or categories (missing codes, Wenjuanxing skip markers).

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

#[derive(Debug, Clone)]
pub struct Table {
    /// File name used in messages.
    pub source: String,
    pub header: Vec<String>,
    pub columns: Vec<Vec<String>>,
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
        let wjx_hits = header
            .iter()
            .filter(|h| WJX_META.contains(&h.trim()))
            .count();
        let numbered = header
            .iter()
            .filter(|h| parse_question_header(h).is_some())
            .count();
        let flavor = if wjx_hits >= 2 || (wjx_hits >= 1 && numbered >= 1) {
            Flavor::Wenjuanxing
        } else {
            Flavor::Plain
        };
        Ok(Table {
            source: source.into(),
            header,
            columns,
            flavor,
            encoding: encoding.into(),
            value_labels: Vec::new(),
            mr_sets: Vec::new(),
        })
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
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
        self.columns[j]
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                if self.is_missing(cell, extra_missing) {
                    return Ok(None);
                }
                let t = strip_free_text(cell.trim());
                let cell_error = |msg: String| DataError::Cell {
                    file: self.source.clone(),
                    row: i + 2,
                    column: self.header[j].clone(),
                    msg,
                };
                let v = t
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| cell_error(format!("expected a number, found '{cell}'")))?;
                if v.abs() > MAX_MAGNITUDE {
                    return Err(cell_error(format!(
                        "{v:e} is beyond the supported magnitude {MAX_MAGNITUDE:e} (squares and sums of squares of larger values overflow); rescale the column, e.g. to thousands or millions"
                    )));
                }
                if v != 0.0 && v.abs() < 1.0 / MAX_MAGNITUDE {
                    return Err(cell_error(format!(
                        "{v:e} is closer to zero than the supported magnitude {:e} (squares of smaller values underflow to 0); rescale the column",
                        1.0 / MAX_MAGNITUDE
                    )));
                }
                Ok(Some(v))
            })
            .collect()
    }

    /// Category labels of a column (missing → None), free-text brackets removed.
    pub fn categorical(&self, j: usize, extra_missing: &[String]) -> Vec<Option<String>> {
        self.columns[j]
            .iter()
            .map(|c| {
                if self.is_missing(c, extra_missing) {
                    None
                } else {
                    Some(strip_free_text(c.trim()).to_string())
                }
            })
            .collect()
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
