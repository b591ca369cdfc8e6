//! Codebooks (TOML, see docs/survey.md): what each column means — Likert items with their points
//! and labels, single-choice and multiple-response questions, numeric and text answers, reverse
//! keying, scales, grouping variables, missing codes and weights — and how to draft one from a file.

use crate::data::{
    DataError, Flavor, Table, WJX_META, natural_cmp, parse_option_header, parse_question_header,
    split_choices,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Codebook {
    #[serde(default)]
    pub survey: SurveyMeta,
    #[serde(default, rename = "group", skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    #[serde(default, rename = "item", skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    #[serde(default, rename = "scale", skip_serializing_if = "Vec::is_empty")]
    pub scales: Vec<Scale>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SurveyMeta {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub title_en: String,
    /// Column of case weights (frequency weights), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// Extra missing-value codes for every column (blank, (跳过), (空) are always missing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Set for generated data: shown on every report.
    #[serde(default)]
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub column: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    /// Values as they appear in the data, in display order.
    pub levels: Vec<String>,
    /// Optional English display names of the levels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels_en: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ItemType {
    Likert,
    Single,
    Multi,
    Numeric,
    Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// The data column (for `multi`: a single `┋`-joined column, alternative to `columns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `multi` only: one 0/1 column per option, in option order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_en: String,
    /// `likert`: number of points (values 1..=points).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<u32>,
    /// `likert`: labels of points 1..=points (text exports are mapped back to numbers with them);
    /// `single`/`multi`: the options in display order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels_en: Vec<String>,
    /// `likert`: scored as points + 1 - value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// Extra missing codes for this item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMethod {
    #[default]
    Mean,
    Sum,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub items: Vec<String>,
    #[serde(default)]
    pub method: ScaleMethod,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_en: String,
}

impl Codebook {
    /// Parse TOML; errors carry the line and column from the TOML parser.
    pub fn from_toml(name: &str, text: &str) -> Result<Codebook, DataError> {
        let cb: Codebook = toml::from_str(text).map_err(|e| {
            // The position and the message, without the echoed source line (which can be huge).
            let at = e.span().map_or(String::new(), |s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!("line {line}, column {col}: ")
            });
            DataError::File {
                file: name.into(),
                msg: format!("{at}{}", crate::text::shorten_quoted(e.message().trim())),
            }
        })?;
        cb.check(name)?;
        Ok(cb)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Internal consistency: unique ids, scale items exist and are numeric, Likert points given.
    pub fn check(&self, name: &str) -> Result<(), DataError> {
        let err = |msg: String| DataError::File {
            file: name.into(),
            msg,
        };
        let mut ids: Vec<&str> = Vec::new();
        for id in self
            .items
            .iter()
            .map(|i| i.id.as_str())
            .chain(self.scales.iter().map(|s| s.id.as_str()))
            .chain(self.groups.iter().map(|g| g.id.as_str()))
        {
            if ids.contains(&id) {
                return Err(err(format!("id '{id}' is used twice")));
            }
            ids.push(id);
        }
        for it in &self.items {
            match it.kind {
                ItemType::Likert => {
                    let p = it.points.ok_or_else(|| {
                        err(format!("item '{}': a likert item needs `points`", it.id))
                    })?;
                    if p < 2 {
                        return Err(err(format!("item '{}': points must be at least 2", it.id)));
                    }
                    if !it.labels.is_empty() && it.labels.len() != p as usize {
                        return Err(err(format!(
                            "item '{}': {} labels for {} points",
                            it.id,
                            it.labels.len(),
                            p
                        )));
                    }
                }
                ItemType::Multi => {
                    if it.columns.is_empty() && it.column.is_none() {
                        return Err(err(format!(
                            "item '{}': a multi item needs `columns` (0/1 per option) or `column` (┋-joined)",
                            it.id
                        )));
                    }
                    // One label per 0/1 column: a shorter or longer list would silently fall back
                    // to column names or label the wrong options.
                    if !it.columns.is_empty()
                        && !it.labels.is_empty()
                        && it.labels.len() != it.columns.len()
                    {
                        return Err(err(format!(
                            "item '{}': {} labels for {} columns; give one label per column (or none to use the column names)",
                            it.id,
                            it.labels.len(),
                            it.columns.len()
                        )));
                    }
                }
                _ => {
                    if it.column.is_none() {
                        return Err(err(format!("item '{}': `column` is missing", it.id)));
                    }
                }
            }
        }
        for s in &self.scales {
            if s.items.len() < 2 {
                return Err(err(format!("scale '{}': needs at least 2 items", s.id)));
            }
            for i in &s.items {
                match self.items.iter().find(|it| &it.id == i) {
                    None => return Err(err(format!("scale '{}': unknown item '{i}'", s.id))),
                    Some(it) if !matches!(it.kind, ItemType::Likert | ItemType::Numeric) => {
                        return Err(err(format!(
                            "scale '{}': item '{i}' is not likert or numeric",
                            s.id
                        )));
                    }
                    _ => {}
                }
            }
        }
        for g in &self.groups {
            if g.levels.is_empty() {
                return Err(err(format!("group '{}': `levels` is empty", g.id)));
            }
            if !g.levels_en.is_empty() && g.levels_en.len() != g.levels.len() {
                return Err(err(format!(
                    "group '{}': levels_en has {} entries for {} levels",
                    g.id,
                    g.levels_en.len(),
                    g.levels.len()
                )));
            }
        }
        Ok(())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// Numeric scores of a Likert/numeric item: text labels mapped to 1..=points, reverse keying
/// applied, values outside 1..=points rejected with file, row and column.
pub fn item_scores(t: &Table, cb: &Codebook, it: &Item) -> Result<Vec<Option<f64>>, DataError> {
    let col = it.column.as_deref().unwrap_or("");
    let j = t.col(col)?;
    let mut missing = cb.survey.missing.clone();
    missing.extend(it.missing.iter().cloned());
    let mut out = Vec::with_capacity(t.n_rows());
    // Through `cell`: a table handed over in memory holds numbers and coded answers in typed
    // columns, not in `columns`.
    for r in 0..t.n_rows() {
        let cell = t.cell(j, r);
        let cell = cell.as_ref();
        if t.is_missing(cell, &missing) {
            out.push(None);
            continue;
        }
        let c = crate::data::strip_free_text(cell.trim());
        let v = match c.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => match it.labels.iter().position(|l| l == c) {
                Some(k) if it.kind == ItemType::Likert => (k + 1) as f64,
                _ => {
                    return Err(DataError::Cell {
                        file: t.source.clone(),
                        row: r + 2,
                        column: col.into(),
                        msg: format!(
                            "expected a number{} for item '{}', found '{cell}'",
                            if it.labels.is_empty() {
                                String::new()
                            } else {
                                format!(" or one of {:?}", it.labels)
                            },
                            it.id
                        ),
                    });
                }
            },
        };
        if it.kind == ItemType::Likert {
            let p = it.points.unwrap_or(5) as f64;
            if v.fract() != 0.0 || v < 1.0 || v > p {
                return Err(DataError::Cell {
                    file: t.source.clone(),
                    row: r + 2,
                    column: col.into(),
                    msg: format!(
                        "Likert item '{}' has {} points, value {v} is out of range 1..{}",
                        it.id, p, p
                    ),
                });
            }
            out.push(Some(if it.reverse { p + 1.0 - v } else { v }));
        } else {
            out.push(Some(v));
        }
    }
    Ok(out)
}

/// Whether a text column reads as a single-choice question rather than free text: at least two
/// distinct answers (one answer repeated is what a free-text box gives when most leave it empty),
/// at most 20, each given by two respondents on average, short, and a header that does not ask for
/// comments (Wenjuanxing exports free-text boxes with the same header form as choices).
fn looks_like_choice(label: &str, distinct: &[String], answered: usize) -> bool {
    const FREE_TEXT_WORDS: [&str; 9] = [
        "建议",
        "意见",
        "请说明",
        "请填写",
        "请简述",
        "其他看法",
        "comment",
        "suggest",
        "specify",
    ];
    let lower = label.to_lowercase();
    if FREE_TEXT_WORDS.iter().any(|w| lower.contains(w)) {
        return false;
    }
    let mean_chars = distinct.iter().map(|d| d.chars().count()).sum::<usize>() as f64
        / distinct.len().max(1) as f64;
    (2..=20).contains(&distinct.len()) && distinct.len() * 2 <= answered && mean_chars <= 30.0
}

/// Draft a codebook from a table: Wenjuanxing metadata skipped, `N、题干` questions typed by their
/// values, `N(选项)` columns gathered into multiple-response sets, `┋` answers detected.
pub fn infer(t: &Table) -> Codebook {
    let mut cb = Codebook {
        survey: SurveyMeta {
            title: t.source.clone(),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut j = 0;
    while j < t.header.len() {
        let h = &t.header[j];
        if t.flavor == Flavor::Wenjuanxing && WJX_META.contains(&h.trim()) {
            j += 1;
            continue;
        }
        // Multiple-response sets declared in the file (SPSS) come first.
        if let Some((label, cols)) = t.mr_sets.iter().find(|(_, c)| c.first() == Some(h)) {
            let n_set = cols.len();
            cb.items.push(Item {
                id: format!("mr{}", cb.items.len() + 1),
                kind: ItemType::Multi,
                column: None,
                columns: cols.clone(),
                label: label.clone(),
                label_en: String::new(),
                points: None,
                labels: cols.clone(),
                labels_en: vec![],
                reverse: false,
                missing: vec![],
            });
            j += n_set;
            continue;
        }
        if let Some((q, _)) = parse_option_header(h) {
            let mut cols = vec![h.clone()];
            let mut opts = vec![parse_option_header(h).unwrap().1];
            while j + 1 < t.header.len() {
                match parse_option_header(&t.header[j + 1]) {
                    Some((q2, o)) if q2 == q => {
                        cols.push(t.header[j + 1].clone());
                        opts.push(o);
                        j += 1;
                    }
                    _ => break,
                }
            }
            cb.items.push(Item {
                id: format!("q{q}"),
                kind: ItemType::Multi,
                column: None,
                columns: cols,
                label: format!("第{q}题"),
                label_en: String::new(),
                points: None,
                labels: opts,
                labels_en: vec![],
                reverse: false,
                missing: vec![],
            });
            j += 1;
            continue;
        }
        let (id, label) = match parse_question_header(h) {
            Some((q, l)) => (format!("q{q}"), l),
            None => (format!("c{}", j + 1), h.clone()),
        };
        let cats = t.categorical(j, &[]);
        let vals: Vec<&String> = cats.iter().flatten().collect();
        let numeric: Vec<f64> = vals.iter().filter_map(|v| v.parse::<f64>().ok()).collect();
        let mut distinct: Vec<String> = Vec::new();
        for v in &vals {
            if !distinct.contains(v) {
                distinct.push((*v).clone());
            }
        }
        // What the column looks like decides the item's kind, points and labels.
        let (kind, points, labels) = if vals.iter().any(|v| v.contains('┋')) {
            let mut opts: Vec<String> = Vec::new();
            for v in &vals {
                for o in split_choices(v) {
                    if !opts.contains(&o) {
                        opts.push(o);
                    }
                }
            }
            (ItemType::Multi, None, opts)
        } else if !vals.is_empty() && numeric.len() == vals.len() {
            let ints = numeric.iter().all(|v| v.fract() == 0.0);
            let max = numeric.iter().cloned().fold(f64::MIN, f64::max);
            let min = numeric.iter().cloned().fold(f64::MAX, f64::min);
            // Value labels from the file (SPSS) fix the number of points when they label 1..=p.
            // Labels on codes 1, 2, 3, … (a prefix: labels on missing codes such as 9 are ignored).
            let vl: Vec<String> = t
                .value_labels
                .iter()
                .find(|(c, _)| c == h)
                .map(|(_, l)| {
                    l.iter()
                        .enumerate()
                        .take_while(|(i, (c, _))| *c == (i + 1).to_string())
                        .map(|(_, (_, x))| x.clone())
                        .collect()
                })
                .unwrap_or_default();
            let labelled_points = (vl.len() >= 2).then_some(vl.len() as u32);
            if ints
                && min >= 1.0
                && (max <= 7.0 || max == 10.0 || labelled_points.is_some_and(|p| p as f64 >= max))
                && max >= 2.0
                && (max >= 3.0 || labelled_points.is_some())
            {
                let points = labelled_points
                    .filter(|p| *p as f64 >= max)
                    .unwrap_or(if max <= 5.0 { 5 } else { max as u32 });
                let labels: Vec<String> = if vl.len() == points as usize {
                    vl.clone()
                } else {
                    Vec::new()
                };
                (ItemType::Likert, Some(points), labels)
            } else {
                (ItemType::Numeric, None, vec![])
            }
        } else if looks_like_choice(&label, &distinct, vals.len()) {
            distinct.sort_by(|a, b| natural_cmp(a, b));
            (ItemType::Single, None, distinct)
        } else {
            (ItemType::Text, None, vec![])
        };
        let item = Item {
            id,
            kind,
            column: Some(h.clone()),
            columns: vec![],
            label,
            label_en: String::new(),
            points,
            labels,
            labels_en: vec![],
            reverse: false,
            missing: vec![],
        };
        cb.items.push(item);
        j += 1;
    }
    // Single-choice questions with few levels are offered as grouping variables.
    let singles: Vec<(String, String, Vec<String>)> = cb
        .items
        .iter()
        .filter(|i| i.kind == ItemType::Single && i.labels.len() >= 2 && i.labels.len() <= 10)
        .map(|i| {
            (
                i.id.clone(),
                i.column.clone().unwrap_or_default(),
                i.labels.clone(),
            )
        })
        .collect();
    for (id, column, levels) in singles {
        cb.groups.push(Group {
            id: format!("{id}_group"),
            column,
            label: String::new(),
            label_en: String::new(),
            levels,
            levels_en: vec![],
        });
    }
    cb
}
