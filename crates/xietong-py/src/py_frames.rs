//! CSV text written by the library (the CLI's files) to typed columns for a pandas DataFrame,
//! without a CSV reader on the Python side: per column, whole numbers become int64, numbers
//! (empty = missing = NaN) float64, anything else text. Numbers travel as the native bytes of
//! the array (numpy views them without copying); the values are the file's, parsed once.

use crate::input_err;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

enum Col {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<String>),
}

fn typed(cells: Vec<String>) -> Col {
    if !cells.is_empty() {
        if let Ok(v) = cells
            .iter()
            .map(|c| c.parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
        {
            return Col::Int(v);
        }
    }
    let floats: Result<Vec<f64>, _> = cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                Ok(f64::NAN)
            } else {
                c.parse::<f64>()
            }
        })
        .collect();
    match floats {
        Ok(v) => Col::Float(v),
        Err(_) => Col::Text(cells),
    }
}

/// `[(name, kind, data)]` with kind "i" (int64 bytes), "f" (float64 bytes) or "s" (list of str).
#[pyfunction]
pub fn csv_columns<'py>(
    py: Python<'py>,
    data: &[u8],
) -> PyResult<Vec<(String, &'static str, Bound<'py, PyAny>)>> {
    let parsed = py.detach(|| -> Result<Vec<(String, Col)>, csv::Error> {
        let mut r = csv::Reader::from_reader(data);
        let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
        let mut cols: Vec<Vec<String>> = vec![Vec::new(); header.len()];
        for rec in r.records() {
            let rec = rec?;
            for (j, f) in rec.iter().enumerate().take(cols.len()) {
                cols[j].push(f.to_string());
            }
        }
        Ok(header
            .into_iter()
            .zip(cols.into_iter().map(typed))
            .collect())
    });
    let parsed = parsed.map_err(|e| input_err(format!("reading results: {e}")))?;
    parsed
        .into_iter()
        .map(|(name, c)| {
            Ok(match c {
                Col::Int(v) => {
                    let b: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
                    (name, "i", PyBytes::new(py, &b).into_any())
                }
                Col::Float(v) => {
                    let b: Vec<u8> = v.iter().flat_map(|x| x.to_ne_bytes()).collect();
                    (name, "f", PyBytes::new(py, &b).into_any())
                }
                Col::Text(v) => (name, "s", PyList::new(py, v)?.into_any()),
            })
        })
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(csv_columns, m)?)
}
