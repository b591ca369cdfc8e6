//! Survey analyses on pandas columns: the columns an analysis names are turned into the survey
//! crate's text [`Table`] (the form a CSV file is read into), and the same `quick::*_report`
//! functions as `xietong survey ttest|anova|chi2|alpha|multi --json` run on it. Numeric columns
//! arrive as the raw bytes of a float64 array (one copy on the Python side) and are written in
//! shortest round-trip form, so every value parses back to the identical number; missing (NaN)
//! becomes an empty cell, which the survey crate treats as missing as in a file. Other columns
//! arrive factorized (int64 codes and the distinct values as text).

use crate::input_err;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use xietong_survey::data::Table;
use xietong_survey::quick;

/// Build a table from `(name, column)` pairs; `header` is every column name of the DataFrame, so
/// the file flavour (a Wenjuanxing export or a plain file) is detected as for the whole file.
fn table(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<Table> {
    let source = "<DataFrame>";
    let flavor = Table::from_rows(source, header, Vec::new(), "dataframe")
        .map_err(input_err)?
        .flavor;
    let mut names = Vec::with_capacity(columns.len());
    let mut cols: Vec<Vec<String>> = Vec::with_capacity(columns.len());
    for (name, c) in columns {
        let cells = if let Ok(b) = c.cast::<PyBytes>() {
            let raw = b.as_bytes();
            if raw.len() % 8 != 0 {
                return Err(input_err(format!(
                    "column {name}: {} bytes is not a whole number of float64 values",
                    raw.len()
                )));
            }
            py.detach(|| {
                raw.chunks_exact(8)
                    .map(|w| {
                        let v = f64::from_ne_bytes(w.try_into().expect("8 bytes"));
                        if v.is_nan() { String::new() } else { format!("{v}") }
                    })
                    .collect::<Vec<String>>()
            })
        } else if let Ok((codes, levels)) = c.extract::<(Bound<'_, PyBytes>, Vec<String>)>() {
            // A factorized column: int64 codes (-1 = missing) into its distinct values.
            let raw = codes.as_bytes();
            if raw.len() % 8 != 0 {
                return Err(input_err(format!("column {name}: codes are not whole int64 values")));
            }
            let cells: Result<Vec<String>, String> = py.detach(|| {
                raw.chunks_exact(8)
                    .map(|w| {
                        let k = i64::from_ne_bytes(w.try_into().expect("8 bytes"));
                        if k < 0 {
                            Ok(String::new())
                        } else {
                            levels.get(k as usize).cloned().ok_or_else(|| {
                                format!("column {name}: code {k} beyond its {} values", levels.len())
                            })
                        }
                    })
                    .collect()
            });
            cells.map_err(input_err)?
        } else {
            let v: Vec<Option<String>> = c.extract()?;
            v.into_iter().map(Option::unwrap_or_default).collect()
        };
        if let Some(first) = cols.first() {
            if first.len() != cells.len() {
                return Err(input_err(format!(
                    "column {name} has {} rows, column {} has {}",
                    cells.len(),
                    names[0],
                    first.len()
                )));
            }
        }
        names.push(name);
        cols.push(cells);
    }
    let mut t = Table::from_rows(source, names, Vec::new(), "dataframe").map_err(input_err)?;
    t.columns = cols;
    t.flavor = flavor;
    Ok(t)
}

fn json<T: serde::Serialize>(r: &T) -> String {
    serde_json::to_string(r).expect("reports serialize")
}

/// `survey ttest --json`.
#[pyfunction]
#[pyo3(signature = (header, columns, value, group, levels=None, missing=Vec::new(), conf=0.95, levene_median=false))]
#[allow(clippy::too_many_arguments)]
fn survey_ttest(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    value: String,
    group: String,
    levels: Option<Vec<String>>,
    missing: Vec<String>,
    conf: f64,
    levene_median: bool,
) -> PyResult<String> {
    if !(conf > 0.0 && conf < 1.0) {
        return Err(input_err(format!("conf must be between 0 and 1, got {conf}")));
    }
    let t = table(py, header, columns)?;
    py.detach(|| {
        quick::ttest_report(&t, &value, &group, levels.as_deref(), &missing, conf, levene_median)
            .map(|r| json(&r))
    })
    .map_err(input_err)
}

/// `survey anova --json`.
#[pyfunction]
#[pyo3(signature = (header, columns, value, group, levels=None, missing=Vec::new(), levene_median=false))]
fn survey_anova(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    value: String,
    group: String,
    levels: Option<Vec<String>>,
    missing: Vec<String>,
    levene_median: bool,
) -> PyResult<String> {
    let t = table(py, header, columns)?;
    py.detach(|| {
        quick::anova_report(&t, &value, &group, levels.as_deref(), &missing, levene_median)
            .map(|r| json(&r))
    })
    .map_err(input_err)
}

/// `survey chi2 --json`.
#[pyfunction]
#[pyo3(signature = (header, columns, row, col, missing=Vec::new()))]
fn survey_chi2(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    row: String,
    col: String,
    missing: Vec<String>,
) -> PyResult<String> {
    let t = table(py, header, columns)?;
    py.detach(|| quick::chi2_report(&t, &row, &col, &missing).map(|r| json(&r)))
        .map_err(input_err)
}

/// `survey alpha --json`.
#[pyfunction]
#[pyo3(signature = (header, columns, items, missing=Vec::new(), missing_policy="listwise"))]
fn survey_alpha(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    items: Vec<String>,
    missing: Vec<String>,
    missing_policy: &str,
) -> PyResult<String> {
    let policy: quick::MissingPolicy = missing_policy.parse().map_err(input_err)?;
    let t = table(py, header, columns)?;
    py.detach(|| quick::alpha_report(&t, &items, &missing, policy).map(|r| json(&r)))
        .map_err(input_err)
}

/// `survey multi --json`.
#[pyfunction]
#[pyo3(signature = (header, columns, items, group=None, missing=Vec::new()))]
fn survey_multi(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    items: Vec<String>,
    group: Option<String>,
    missing: Vec<String>,
) -> PyResult<String> {
    let t = table(py, header, columns)?;
    py.detach(|| quick::multi_report(&t, &items, group.as_deref(), &missing).map(|r| json(&r)))
        .map_err(input_err)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survey_ttest, m)?)?;
    m.add_function(wrap_pyfunction!(survey_anova, m)?)?;
    m.add_function(wrap_pyfunction!(survey_chi2, m)?)?;
    m.add_function(wrap_pyfunction!(survey_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(survey_multi, m)?)?;
    Ok(())
}
