//! SPSS .sav/.zsav reader (cargo feature `spss`, via ambers): numeric and string variables,
//! user-missing values declared in the file (treated as missing), value labels (nominal variables
//! are read as their label text, others keep their codes and pass the labels to `codebook infer`),
//! and multiple-dichotomy sets.

use crate::data::{DataError, Table};
use ambers::{Measure, MissingSpec, MrType, Value};
use arrow_array::{Array, Float64Array, StringViewArray};
use std::path::Path;

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn is_user_missing(v: f64, specs: &[MissingSpec]) -> bool {
    specs.iter().any(|s| match s {
        MissingSpec::Value(x) => *x == v,
        MissingSpec::Range { lo, hi } => v >= *lo && v <= *hi,
        MissingSpec::StringValue(_) => false,
    })
}

pub fn read_sav(path: &Path) -> Result<Table, DataError> {
    let name = path.display().to_string();
    let (batch, meta) = ambers::read_sav(path).map_err(|e| DataError::File {
        file: name.clone(),
        msg: format!("cannot read SPSS file: {e}"),
    })?;
    let header: Vec<String> = meta.variable_names.clone();
    let n = batch.num_rows();
    let mut columns: Vec<Vec<String>> = Vec::with_capacity(header.len());
    let mut value_labels = Vec::new();
    for (j, var) in header.iter().enumerate() {
        let col = batch.column(j);
        let specs = meta
            .variable_missing_values
            .get(var)
            .cloned()
            .unwrap_or_default();
        let labels: Vec<(f64, String)> = meta
            .value_labels(var)
            .map(|m| {
                let mut v: Vec<(f64, String)> = m
                    .iter()
                    .filter_map(|(k, l)| {
                        if let Value::Numeric(x) = k {
                            Some((*x, l.clone()))
                        } else {
                            None
                        }
                    })
                    .collect();
                v.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
                v
            })
            .unwrap_or_default();
        let nominal = matches!(meta.variable_measures.get(var), Some(Measure::Nominal));
        let cells: Vec<String> = if let Some(a) = col.as_any().downcast_ref::<Float64Array>() {
            (0..n)
                .map(|i| {
                    if a.is_null(i) || is_user_missing(a.value(i), &specs) {
                        return String::new();
                    }
                    let v = a.value(i);
                    match labels.iter().find(|(c, _)| *c == v) {
                        Some((_, l)) if nominal => l.clone(),
                        _ => fmt_num(v),
                    }
                })
                .collect()
        } else if let Some(a) = col.as_any().downcast_ref::<StringViewArray>() {
            let missing: Vec<&str> = specs
                .iter()
                .filter_map(|s| {
                    if let MissingSpec::StringValue(x) = s {
                        Some(x.as_str())
                    } else {
                        None
                    }
                })
                .collect();
            (0..n)
                .map(|i| {
                    if a.is_null(i) || missing.contains(&a.value(i).trim_end()) {
                        String::new()
                    } else {
                        a.value(i).trim_end().to_string()
                    }
                })
                .collect()
        } else {
            return Err(DataError::File {
                file: name,
                msg: format!(
                    "variable '{var}' has type {} (dates and times are not supported; convert them to numbers or strings in SPSS)",
                    col.data_type()
                ),
            });
        };
        if !labels.is_empty() && !nominal {
            value_labels.push((
                var.clone(),
                labels
                    .iter()
                    .map(|(c, l)| (fmt_num(*c), l.clone()))
                    .collect(),
            ));
        }
        columns.push(cells);
    }
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    let mut t = Table::from_rows(
        &name,
        header,
        rows,
        &format!("SPSS ({})", meta.file_encoding),
    )?;
    t.value_labels = value_labels;
    t.mr_sets = meta
        .mr_sets
        .values()
        .filter(|s| {
            s.mr_type == MrType::MultipleDichotomy
                && s.counted_value.as_deref().is_none_or(|c| c.trim() == "1")
        })
        .map(|s| {
            (
                if s.label.is_empty() {
                    s.name.clone()
                } else {
                    s.label.clone()
                },
                s.variables.clone(),
            )
        })
        .collect();
    Ok(t)
}
