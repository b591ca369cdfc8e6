//! File readers (the only module here that touches the file system): CSV with encoding detection
//! (UTF-8, UTF-8 with BOM, GBK/GB18030 and others via chardetng, or an explicit label), and
//! Excel workbooks (xlsx, xls, ods) via calamine.

use crate::data::{DataError, Table};
use std::path::Path;

/// Options for reading a data file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Encoding label (e.g. "gbk", "gb18030", "utf-8"); `None` = detect.
    pub encoding: Option<String>,
    /// Worksheet name for Excel files; `None` = the first sheet.
    pub sheet: Option<String>,
}

/// Read a CSV/TSV or Excel file into a [`Table`], choosing the reader by extension.
pub fn read_table(path: &Path, opts: &ReadOptions) -> Result<Table, DataError> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => read_excel(path, opts),
        #[cfg(feature = "spss")]
        "sav" | "zsav" => crate::spss::read_sav(path),
        #[cfg(not(feature = "spss"))]
        "sav" | "zsav" => Err(DataError::File {
            file: name,
            msg: "SPSS .sav files need xietong built with the `spss` feature (cargo build --release --features spss); otherwise export from SPSS to CSV or Excel".into(),
        }),
        _ => {
            let bytes = std::fs::read(path).map_err(|e| DataError::File { file: name.clone(), msg: format!("cannot read: {e}") })?;
            let delim = if ext == "tsv" || ext == "txt" { b'\t' } else { b',' };
            parse_csv_bytes(&name, &bytes, opts.encoding.as_deref(), delim)
        }
    }
}

/// Decode bytes to text: BOM first, then an explicit label, then valid UTF-8, then chardetng's guess.
pub fn decode(
    name: &str,
    bytes: &[u8],
    label: Option<&str>,
) -> Result<(String, String), DataError> {
    if let Some(label) = label {
        let enc = encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            DataError::File {
                file: name.into(),
                msg: format!("unknown encoding '{label}' (try utf-8, gbk, gb18030, big5)"),
            }
        })?;
        let (text, used, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err(undecodable(name, bytes, used));
        }
        return Ok((text.into_owned(), used.name().to_string()));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_string(), "UTF-8 (BOM)".into())),
            Err(_) => Err(undecodable(name, rest, encoding_rs::UTF_8)),
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8".into()));
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let mut enc = det.guess(Some(b"cn"), true);
    // GB18030 is a superset of GBK/GB2312: decode Chinese guesses with it.
    if enc == encoding_rs::GBK {
        enc = encoding_rs::GB18030;
    }
    let (text, used, had_errors) = enc.decode(bytes);
    if had_errors {
        return Err(undecodable(name, bytes, used));
    }
    Ok((text.into_owned(), used.name().to_string()))
}

fn undecodable(name: &str, bytes: &[u8], enc: &'static encoding_rs::Encoding) -> DataError {
    // Find the first bad byte by decoding incrementally, and report its line.
    let mut dec = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut offset = 0usize;
    for chunk in bytes.chunks(1) {
        let (res, _read) = dec.decode_to_string_without_replacement(chunk, &mut out, false);
        if let encoding_rs::DecoderResult::Malformed(_, _) = res {
            break;
        }
        offset += 1;
    }
    let line = bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    DataError::File {
        file: name.into(),
        msg: format!(
            "bytes at offset {offset} (row {line}) are not valid {}; pass --encoding (e.g. gbk, gb18030, utf-8) if the guess is wrong",
            enc.name()
        ),
    }
}

/// Parse CSV bytes (any supported encoding) into a table.
pub fn parse_csv_bytes(
    name: &str,
    bytes: &[u8],
    label: Option<&str>,
    delim: u8,
) -> Result<Table, DataError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DataError::File {
            file: name.into(),
            msg: "the file is empty".into(),
        });
    }
    let (text, enc) = decode(name, bytes, label)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| DataError::File {
            file: name.into(),
            msg: format!("row {}: {e}", i + 1),
        })?;
        let fields: Vec<String> = rec.iter().map(|s| s.to_string()).collect();
        match &header {
            None => header = Some(fields.iter().map(|h| h.trim().to_string()).collect()),
            Some(h) => {
                if fields.len() == 1 && fields[0].trim().is_empty() {
                    continue; // blank line
                }
                if fields.len() != h.len() {
                    return Err(DataError::File {
                        file: name.into(),
                        msg: format!(
                            "row {} has {} fields but the header has {} (ragged row)",
                            i + 1,
                            fields.len(),
                            h.len()
                        ),
                    });
                }
                rows.push(fields);
            }
        }
    }
    Table::from_rows(name, header.unwrap_or_default(), rows, &enc)
}

/// Read the first (or named) worksheet of an Excel/ODS workbook.
pub fn read_excel(path: &Path, opts: &ReadOptions) -> Result<Table, DataError> {
    check_compound_file(path)?;
    // calamine 0.38 panics on some damaged .xls (compound file) inputs, found by fuzzing
    // (docs/fuzzing.md): report those as an unreadable workbook instead of crashing.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_excel_unguarded(path, opts)
    }))
    .unwrap_or_else(|_| {
        Err(DataError::File {
            file: path.display().to_string(),
            msg: "cannot open workbook: the file is damaged or not a valid Excel workbook".into(),
        })
    })
}

/// The largest old-format (.xls) workbook read: the BIFF8 format itself tops out far below
/// this for survey data, and calamine keeps the whole file in memory.
pub const MAX_XLS_BYTES: u64 = 1 << 30;

/// Old `.xls` workbooks are compound files that calamine 0.38 reads without bounding its
/// allocations; check their structure first ([`crate::compound`]) so that a damaged file is an
/// error naming it instead of memory running out. Other formats pass through untouched.
fn check_compound_file(path: &Path) -> Result<(), DataError> {
    use std::io::Read;
    let name = path.display().to_string();
    let ferr = |msg: String| DataError::File {
        file: name.clone(),
        msg,
    };
    let mut f =
        std::fs::File::open(path).map_err(|e| ferr(format!("cannot open workbook: {e}")))?;
    let mut head = [0u8; 8];
    let n = f
        .read(&mut head)
        .map_err(|e| ferr(format!("cannot read: {e}")))?;
    if !crate::compound::is_compound_file(&head[..n]) {
        return Ok(());
    }
    let size = f
        .metadata()
        .map_err(|e| ferr(format!("cannot read: {e}")))?
        .len();
    if size > MAX_XLS_BYTES {
        return Err(ferr(format!(
            "the .xls workbook is {size} bytes, above the limit of {MAX_XLS_BYTES} bytes for the old Excel format; save it as .xlsx or CSV"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ferr(format!("cannot read: {e}")))?;
    crate::compound::check(&bytes).map_err(|why| {
        ferr(format!(
            "cannot open workbook: the file is damaged or not a valid Excel workbook ({why})"
        ))
    })
}

fn read_excel_unguarded(path: &Path, opts: &ReadOptions) -> Result<Table, DataError> {
    use calamine::{Data, Reader, open_workbook_auto};
    let name = path.display().to_string();
    let ferr = |msg: String| DataError::File {
        file: name.clone(),
        msg,
    };
    let mut wb =
        open_workbook_auto(path).map_err(|e| ferr(format!("cannot open workbook: {e}")))?;
    let sheets = wb.sheet_names().to_vec();
    let sheet = match &opts.sheet {
        Some(s) => {
            if !sheets.contains(s) {
                return Err(ferr(format!(
                    "no worksheet '{s}' (sheets: {})",
                    sheets.join(", ")
                )));
            }
            s.clone()
        }
        None => sheets
            .first()
            .cloned()
            .ok_or_else(|| ferr("the workbook has no worksheets".into()))?,
    };
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| ferr(format!("cannot read worksheet '{sheet}': {e}")))?;
    let cell = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{}", *f as i64)
                } else {
                    format!("{f}")
                }
            }
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => {
                if *b {
                    "1".into()
                } else {
                    "0".into()
                }
            }
            Data::DateTime(dt) => format!("{dt}"),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => format!("#ERR:{e:?}"),
        }
    };
    let mut it = range.rows();
    let header: Vec<String> = match it.next() {
        Some(r) => r.iter().map(|d| cell(d).trim().to_string()).collect(),
        None => return Err(ferr(format!("worksheet '{sheet}' is empty"))),
    };
    // Trailing empty header cells come from formatting, not data.
    let width = header
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |p| p + 1);
    let header = header[..width].to_vec();
    if let Some(j) = header.iter().position(|h| h.is_empty()) {
        return Err(ferr(format!(
            "worksheet '{sheet}': header cell in column {} is empty",
            j + 1
        )));
    }
    let mut rows = Vec::new();
    for r in it {
        let mut v: Vec<String> = r.iter().map(cell).collect();
        if v.iter().all(|s| s.trim().is_empty()) {
            continue;
        }
        v.resize(width.max(v.len()), String::new());
        if v[width..].iter().any(|s| !s.trim().is_empty()) {
            return Err(ferr(format!(
                "worksheet '{sheet}', row {}: values beyond the last header column",
                rows.len() + 2
            )));
        }
        v.truncate(width);
        rows.push(v);
    }
    Table::from_rows(
        &name,
        header,
        rows,
        &format!(
            "{} ({sheet})",
            path.extension().and_then(|e| e.to_str()).unwrap_or("excel")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let csv = "序号,1、您所在的省份,2、满意度\n1,四川,5\n2,重庆,(跳过)\n";
        let utf8 = parse_csv_bytes("u.csv", csv.as_bytes(), None, b',').unwrap();
        assert_eq!(utf8.encoding, "UTF-8");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(csv.as_bytes());
        let b = parse_csv_bytes("b.csv", &bom, None, b',').unwrap();
        assert_eq!(b.header[0], "序号");
        let (gbk, _, _) = encoding_rs::GBK.encode(csv);
        let g = parse_csv_bytes("g.csv", &gbk, None, b',').unwrap();
        assert_eq!(g.encoding, "gb18030");
        assert_eq!(g.columns[1], vec!["四川", "重庆"]);
        assert_eq!(g.header, utf8.header);
        let forced = parse_csv_bytes("g.csv", &gbk, Some("gbk"), b',').unwrap();
        assert_eq!(forced.columns[1][0], "四川");
    }

    #[test]
    fn bad_files_name_the_problem() {
        let e = parse_csv_bytes("r.csv", b"a,b\n1,2\n3\n", None, b',')
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("r.csv") && e.contains("row 3") && e.contains("ragged"),
            "{e}"
        );
        let e = parse_csv_bytes("e.csv", b"", None, b',')
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty"), "{e}");
        let e = parse_csv_bytes("x.csv", b"a,b\n1,\xff\xfe\n", Some("utf-8"), b',')
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 2") && e.contains("not valid UTF-8"), "{e}");
    }
}
