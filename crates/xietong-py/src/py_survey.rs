//! Survey analyses on pandas columns: the columns an analysis names become the survey crate's
//! [`Table`] and the same `quick::*_report` functions as `xietong survey
//! ttest|anova|chi2|alpha|multi --json` run on it. Numeric columns are read in place from their
//! numpy array (NaN = missing), with a flag saying whether pandas would write them as integers or
//! floats, and stay numbers ([`ColumnData::Numbers`], see [`numbers`]): copied once, never
//! written as text or parsed, and read by the statistics exactly as the column read from
//! `df.to_csv(…)`. Other
//! columns become codes into their distinct values ([`ColumnData::Coded`]), so the statistics
//! count and group by code, not by a string per answer: a categorical's own codes, codes made
//! here from an Arrow string column's buffers ([`arrow_codes`]) or an object array's pointers
//! ([`object_codes`]), read in place, or `pd.factorize`'s for anything else.

use crate::input_err;
use pyo3::prelude::*;
use rustc_hash::FxHashMap;
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
        let data = if let Ok((kind, payload)) = c.extract::<(String, Bound<'_, PyAny>)>() {
            match kind.as_str() {
                "numbers" => ColumnData::Numbers(numbers(&name, &payload)?),
                "codes" => ColumnData::Coded(codes(&name, &payload)?),
                "objects" => ColumnData::Coded(object_codes(py, &name, &payload)?),
                "arrow" => ColumnData::Coded(arrow_codes(&name, &payload)?),
                _ => {
                    return Err(input_err(format!(
                        "column {name}: unknown transport {kind:?}"
                    )));
                }
            }
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

/// A numeric column read in place from its numpy array and copied once into the table.
/// `payload` is `(array, address, length, float)`: a C-contiguous 1-D float64, int64 or int32
/// array (NaN = missing), its data address from `__array_interface__`, its length, and whether
/// pandas writes it as floats ("3.0") or integers ("3").
fn numbers(name: &str, payload: &Bound<'_, PyAny>) -> PyResult<NumberColumn> {
    let (array, address, len, float): (Bound<'_, PyAny>, usize, usize, bool) = payload.extract()?;
    let a = InPlace::new(name, &array, address, len)?;
    let values: Vec<f64> = match a.typestr.as_str() {
        "<f8" => a.view::<f64>()?.to_vec(),
        // As numpy's int-to-float cast: the nearest double.
        "<i8" => a.view::<i64>()?.iter().map(|&v| v as f64).collect(),
        "<i4" => a.view::<i32>()?.iter().map(|&v| f64::from(v)).collect(),
        other => {
            return Err(input_err(format!(
                "column {name}: numbers of type {other} (expected float64, int64 or int32)"
            )));
        }
    };
    let form = if float {
        NumberForm::Float
    } else {
        NumberForm::Shortest
    };
    Ok(NumberColumn { values, form })
}

/// A categorical's codes (negative = missing) into its categories, or `pd.factorize`'s, read in
/// place from their numpy array (int8 to int64, as pandas sizes them) and copied once into the
/// table, which checks that every code has a label. `payload` is `(array, address, length,
/// labels)`.
fn codes(name: &str, payload: &Bound<'_, PyAny>) -> PyResult<CodedColumn> {
    let (array, address, len, labels): (Bound<'_, PyAny>, usize, usize, Vec<String>) =
        payload.extract()?;
    let a = InPlace::new(name, &array, address, len)?;
    let too_many = |k: i64| {
        input_err(format!(
            "column {name}: category code {k} is beyond the supported {} labels",
            i32::MAX
        ))
    };
    let codes: Vec<i32> = match a.typestr.as_str() {
        "|i1" => a
            .view::<i8>()?
            .iter()
            .map(|&k| i32::from(k.max(-1)))
            .collect(),
        "<i2" => a
            .view::<i16>()?
            .iter()
            .map(|&k| i32::from(k.max(-1)))
            .collect(),
        "<i4" => a.view::<i32>()?.iter().map(|&k| k.max(-1)).collect(),
        "<i8" => a
            .view::<i64>()?
            .iter()
            .map(|&k| i32::try_from(k.max(-1)).map_err(|_| too_many(k)))
            .collect::<PyResult<_>>()?,
        other => {
            return Err(input_err(format!(
                "column {name}: codes of type {other} (expected int8 to int64)"
            )));
        }
    };
    Ok(CodedColumn { codes, labels })
}

/// A 1-D numpy array whose memory is read in place: checked against its
/// `__array_interface__` (the address the caller took from it, the length, contiguity).
struct InPlace<'a, 'py> {
    name: &'a str,
    /// Keeps the array alive while its memory is read.
    _array: &'a Bound<'py, PyAny>,
    address: usize,
    len: usize,
    typestr: String,
}

impl<'a, 'py> InPlace<'a, 'py> {
    fn new(
        name: &'a str,
        array: &'a Bound<'py, PyAny>,
        address: usize,
        len: usize,
    ) -> PyResult<Self> {
        let interface = array.getattr("__array_interface__")?;
        let (data, _readonly): (usize, bool) = interface.get_item("data")?.extract()?;
        let shape: Vec<usize> = interface.get_item("shape")?.extract()?;
        let typestr: String = interface.get_item("typestr")?.extract()?;
        let contiguous = interface.get_item("strides")?.is_none();
        if data != address || shape != [len] || !contiguous {
            return Err(input_err(format!(
                "column {name}: expected a contiguous 1-D array of {len} values"
            )));
        }
        Ok(InPlace {
            name,
            _array: array,
            address,
            len,
            typestr,
        })
    }

    /// The array's values; the caller has matched `T` to `typestr`.
    fn view<T>(&self) -> PyResult<&[T]> {
        if self.len == 0 {
            // An empty array may have a dangling address, which is never read.
            return Ok(&[]);
        }
        if self.address % std::mem::align_of::<T>() != 0 {
            return Err(input_err(format!(
                "column {}: the array's memory is not aligned",
                self.name
            )));
        }
        // SAFETY: the array is alive for `self`'s lifetime and unchanged while the GIL is held
        // (no Python code runs while the slice is read); its interface says `len` contiguous
        // values of `typestr` (= `T`, matched by the caller) start at `address`, aligned above.
        Ok(unsafe { std::slice::from_raw_parts(self.address as *const T, self.len) })
    }
}

/// Distinct texts seen so far and the code of each, in first-appearance order.
#[derive(Default)]
struct Labels<'a> {
    code_of: FxHashMap<std::borrow::Cow<'a, [u8]>, i32>,
    labels: Vec<String>,
}

impl<'a> Labels<'a> {
    fn code(&mut self, name: &str, text: std::borrow::Cow<'a, [u8]>) -> PyResult<i32> {
        match self.code_of.get(text.as_ref()) {
            Some(&k) => Ok(k),
            None => self.add(name, text),
        }
    }

    /// The code of `text`, copying it only when it is new.
    fn code_of_bytes(&mut self, name: &str, text: &[u8]) -> PyResult<i32> {
        match self.code_of.get(text) {
            Some(&k) => Ok(k),
            None => self.add(name, std::borrow::Cow::Owned(text.to_vec())),
        }
    }

    fn add(&mut self, name: &str, text: std::borrow::Cow<'a, [u8]>) -> PyResult<i32> {
        let label = std::str::from_utf8(&text)
            .map_err(|_| input_err(format!("column {name}: a value is not valid UTF-8 text")))?
            .to_string();
        let k = i32::try_from(self.labels.len()).map_err(|_| {
            input_err(format!(
                "column {name}: more than {} distinct values",
                i32::MAX
            ))
        })?;
        self.labels.push(label);
        self.code_of.insert(text, k);
        Ok(k)
    }
}

/// An object column (pandas' `object` dtype, or `str` kept as Python strings) coded in one pass
/// over the array's own object pointers, without a Python call per answer: equal objects (pandas'
/// CSV reader and Python's interning share one object per distinct string) are recognised by
/// address, and a new string object one look-up by Python's hash and equality. `payload` is `(array, address,
/// length, isna)`: a C-contiguous 1-D numpy object array, its data address from
/// `__array_interface__`, its length, and `pandas.isna`, asked only about non-string objects
/// (None, NaN, `pd.NA` and `NaT` are missing, as `pd.factorize` has them). The label of a
/// non-string object is its `str()`, the text `to_csv` writes for it.
fn object_codes(py: Python<'_>, name: &str, payload: &Bound<'_, PyAny>) -> PyResult<CodedColumn> {
    let (array, address, len, isna): (Bound<'_, PyAny>, usize, usize, Bound<'_, PyAny>) =
        payload.extract()?;
    let interface = array.getattr("__array_interface__")?;
    let (data, _readonly): (usize, bool) = interface.get_item("data")?.extract()?;
    let shape: Vec<usize> = interface.get_item("shape")?.extract()?;
    let typestr: String = interface.get_item("typestr")?.extract()?;
    let strides = interface.get_item("strides")?;
    if data != address || shape != [len] || typestr != "|O" || !strides.is_none() {
        return Err(input_err(format!(
            "column {name}: expected a contiguous 1-D object array of {len} values"
        )));
    }
    // SAFETY: `array` is alive for this call and the GIL is held throughout (no Python code that
    // could resize or free it runs concurrently); its interface says `len` contiguous object
    // pointers start at `address`, each a valid (borrowed) reference while the array holds it.
    let pointers: &[*mut pyo3::ffi::PyObject] =
        unsafe { std::slice::from_raw_parts(address as *const *mut pyo3::ffi::PyObject, len) };
    let mut by_address: FxHashMap<usize, i32> = FxHashMap::default();
    let mut by_hash: FxHashMap<isize, Vec<(Bound<'_, pyo3::types::PyString>, i32)>> =
        FxHashMap::default();
    let mut labels = Labels::default();
    let mut codes = Vec::with_capacity(len);
    for &p in pointers {
        let k = match by_address.get(&(p as usize)) {
            Some(&k) => k,
            None => {
                // SAFETY: see above: a live object owned by the array.
                let obj = unsafe { Bound::from_borrowed_ptr(py, p) };
                let k = if let Ok(text) = obj.cast::<pyo3::types::PyString>() {
                    // A string not seen at this address: found among the distinct strings by
                    // Python's own hash (computed once per string object and cached in it) and
                    // equality, so its text is converted to UTF-8 only when it is a new value
                    // (abi3 for Python 3.9 has no borrowed UTF-8 view; each conversion is a copy).
                    let h = text.hash()?;
                    let seen = by_hash.entry(h).or_default();
                    let mut found = None;
                    for (rep, k) in seen.iter() {
                        // SAFETY: both are live str objects (held by `seen` and the array);
                        // comparing two strings cannot fail.
                        if rep.is(text)
                            || unsafe { pyo3::ffi::PyUnicode_Compare(rep.as_ptr(), text.as_ptr()) }
                                == 0
                        {
                            found = Some(*k);
                            break;
                        }
                    }
                    match found {
                        Some(k) => k,
                        None => {
                            let k = labels.code_of_bytes(name, text.to_cow()?.as_bytes())?;
                            seen.push((text.clone(), k));
                            k
                        }
                    }
                } else if isna.call1((&obj,))?.extract::<bool>().unwrap_or(false) {
                    -1
                } else {
                    labels.code_of_bytes(name, obj.str()?.to_cow()?.as_bytes())?
                };
                // Bounded: a column of distinct objects (free text, or strings made one per row)
                // gains nothing from it.
                if by_address.len() < 1 << 10 {
                    by_address.insert(p as usize, k);
                }
                k
            }
        };
        codes.push(k);
    }
    Ok(CodedColumn {
        codes,
        labels: labels.labels,
    })
}

/// A pyarrow-backed string column (pandas' default `str` dtype where pyarrow is installed) coded
/// straight from its Arrow buffers, which are read in place, not copied. `payload` is a list of
/// chunks, each `(owner, validity address or 0, offsets address, data address, data size,
/// offset, length, large)` with `owner` the pyarrow array holding the buffers; offsets are int64
/// for `large_string`, int32 for `string`. A null is missing.
fn arrow_codes(name: &str, payload: &Bound<'_, PyAny>) -> PyResult<CodedColumn> {
    type Chunk<'py> = (
        Bound<'py, PyAny>,
        usize,
        usize,
        usize,
        usize,
        usize,
        usize,
        bool,
    );
    let chunks: Vec<Chunk<'_>> = payload.extract()?;
    let total: usize = chunks.iter().map(|c| c.6).sum();
    let mut codes = Vec::with_capacity(total);
    let mut labels = Labels::default();
    let mut short: FxHashMap<u128, i32> = FxHashMap::default();
    // u128::MAX is no key: a key's top byte is a length of at most 15.
    let mut cache = vec![(u128::MAX, 0i32); 256];
    for (_owner, validity, offsets, data, size, offset, len, large) in &chunks {
        let (validity, offsets, data, size, offset, len) =
            (*validity, *offsets, *data, *size, *offset, *len);
        // SAFETY: the owners (pyarrow arrays) are alive for this call and their buffers are
        // immutable; the addresses and sizes are theirs (`Buffer.address`, `Buffer.size`), and the
        // offsets buffer holds offset + len + 1 entries as the Arrow format requires. Every offset
        // read is checked against the data size before the data is read.
        let offset_at = |i: usize| -> i64 {
            unsafe {
                if *large {
                    (offsets as *const i64).add(i).read_unaligned()
                } else {
                    i64::from((offsets as *const i32).add(i).read_unaligned())
                }
            }
        };
        let data: &[u8] = if size == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(data as *const u8, size) }
        };
        let bad = || input_err(format!("column {name}: damaged Arrow string buffers"));
        for i in offset..offset + len {
            let valid = validity == 0
                || unsafe { (*(validity as *const u8).add(i / 8) >> (i % 8)) & 1 == 1 };
            if !valid {
                codes.push(-1);
                continue;
            }
            let (a, b) = (offset_at(i), offset_at(i + 1));
            if a < 0 || b < a || b as usize > data.len() {
                return Err(bad());
            }
            let (a, b) = (a as usize, b as usize);
            let text = &data[a..b];
            // Short answers (nearly all) are looked up as one 128-bit number holding their bytes
            // and length: comparing slices cost a mispredicted byte loop or a memcmp call per
            // candidate, about three times as long (measured).
            let k = match short_key(data, a, b) {
                Some(key) => {
                    // A direct-mapped cache in front of the map: one multiply and one compare
                    // for a column with a few hundred answers or fewer (measured 1.7-2.4 times
                    // faster than the map alone on a two-answer column).
                    let slot = &mut cache[((key as u64 ^ (key >> 64) as u64)
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        >> 56) as usize];
                    if slot.0 == key {
                        slot.1
                    } else {
                        let k = match short.get(&key) {
                            Some(&k) => k,
                            None => {
                                let k = labels.code(name, std::borrow::Cow::Borrowed(text))?;
                                short.insert(key, k);
                                k
                            }
                        };
                        *slot = (key, k);
                        k
                    }
                }
                None => labels.code(name, std::borrow::Cow::Borrowed(text))?,
            };
            codes.push(k);
        }
    }
    Ok(CodedColumn {
        codes,
        labels: labels.labels,
    })
}

/// The bytes `data[a..b]` and their length as one number, for texts of at most 15 bytes.
fn short_key(data: &[u8], a: usize, b: usize) -> Option<u128> {
    let len = b - a;
    if len > 15 {
        return None;
    }
    let bytes: [u8; 16] = match data.get(a..a + 16) {
        Some(w) => w.try_into().expect("16 bytes"),
        None => {
            let mut w = [0u8; 16];
            w[..len].copy_from_slice(&data[a..b]);
            w
        }
    };
    let mask = if len == 0 {
        0
    } else {
        u128::MAX >> (128 - 8 * len)
    };
    Some(u128::from_le_bytes(bytes) & mask | (len as u128) << 120)
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
