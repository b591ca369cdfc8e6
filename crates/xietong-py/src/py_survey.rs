//! Survey analyses on pandas columns: the columns an analysis names become the survey crate's
//! [`Table`] and the same `quick::*_report` functions as `xietong survey
//! ttest|anova|chi2|alpha|multi --json` run on it. Numeric columns arrive as the raw bytes of a
//! float64 array (NaN = missing) with a flag saying whether pandas would write them as integers
//! or floats, and stay numbers ([`ColumnData::Numbers`]): copied once, never written as text or
//! parsed, and read by the statistics exactly as the column read from `df.to_csv(…)`. Other
//! columns arrive factorized (int64 codes and the distinct values as text) and stay codes
//! ([`ColumnData::Coded`]): the statistics count and group by code, not by a string per answer.

use crate::input_err;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use xietong_survey::data::{CodedColumn, ColumnData, Flavor, NumberColumn, NumberForm, Table};
use xietong_survey::quick;

/// Build a table from `(name, column)` pairs; `header` is every column name of the DataFrame, so
/// the file flavour (a Wenjuanxing export or a plain file) is detected as for the whole file.
fn table(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<Table> {
    let source = "<DataFrame>";
    // The header checks (empty, duplicate names) of a file with these columns.
    Table::from_rows(source, header.clone(), Vec::new(), "dataframe").map_err(input_err)?;
    let mut cols = Vec::with_capacity(columns.len());
    for (name, c) in columns {
        let data = if let Ok((b, float)) = c.extract::<(Bound<'_, PyBytes>, bool)>() {
            let raw = b.as_bytes();
            if raw.len() % 8 != 0 {
                return Err(input_err(format!(
                    "column {name}: {} bytes is not a whole number of float64 values",
                    raw.len()
                )));
            }
            let values = py.detach(|| {
                raw.chunks_exact(8)
                    .map(|w| f64::from_ne_bytes(w.try_into().expect("8 bytes")))
                    .collect()
            });
            let form = if float {
                NumberForm::Float
            } else {
                NumberForm::Shortest
            };
            ColumnData::Numbers(NumberColumn { values, form })
        } else if let Ok((codes, labels)) = c.extract::<(Bound<'_, PyBytes>, Vec<String>)>() {
            // A factorized or categorical column: int64 codes (negative = missing) into its
            // distinct values, kept as codes (the table checks each code has a label).
            let raw = codes.as_bytes();
            if raw.len() % 8 != 0 {
                return Err(input_err(format!(
                    "column {name}: codes are not whole int64 values"
                )));
            }
            let codes: Result<Vec<i32>, i64> = py.detach(|| {
                raw.chunks_exact(8)
                    .map(|w| {
                        let k = i64::from_ne_bytes(w.try_into().expect("8 bytes"));
                        i32::try_from(k.max(-1)).map_err(|_| k)
                    })
                    .collect()
            });
            let codes = codes.map_err(|k| {
                input_err(format!(
                    "column {name}: category code {k} is beyond the supported {} labels",
                    i32::MAX
                ))
            })?;
            ColumnData::Coded(CodedColumn { codes, labels })
        } else {
            let v: Vec<Option<String>> = c.extract()?;
            ColumnData::Text(v.into_iter().map(Option::unwrap_or_default).collect())
        };
        cols.push((name, data));
    }
    let mut t = Table::from_columns(source, cols, "dataframe").map_err(input_err)?;
    t.flavor = Flavor::detect(&header);
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
        return Err(input_err(format!(
            "conf must be between 0 and 1, got {conf}"
        )));
    }
    let t = table(py, header, columns)?;
    py.detach(|| {
        quick::ttest_report(
            &t,
            &value,
            &group,
            levels.as_deref(),
            &missing,
            conf,
            levene_median,
        )
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
        quick::anova_report(
            &t,
            &value,
            &group,
            levels.as_deref(),
            &missing,
            levene_median,
        )
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

/// Benchmark helper (python/bench/bench_overhead.py): the best of `repeats` wall times, in
/// seconds, of building the table from the transported columns (the Rust half of the transport).
#[pyfunction]
fn _bench_table_seconds(
    py: Python<'_>,
    header: Vec<String>,
    columns: Vec<(String, Bound<'_, PyAny>)>,
    repeats: usize,
) -> PyResult<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let t = std::time::Instant::now();
        let table = table(py, header.clone(), columns.clone())?;
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(table);
    }
    Ok(best)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_bench_table_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(survey_ttest, m)?)?;
    m.add_function(wrap_pyfunction!(survey_anova, m)?)?;
    m.add_function(wrap_pyfunction!(survey_chi2, m)?)?;
    m.add_function(wrap_pyfunction!(survey_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(survey_multi, m)?)?;
    Ok(())
}
