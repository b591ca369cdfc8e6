//! `results.parquet` (feature `parquet`): a finished `results.csv` streamed into a Parquet file,
//! row group by row group, so memory stays bounded however large the design. Built from the CSV
//! rather than from the runner so that resume, shards and merge keep exactly the CSV's semantics:
//! the CSV is the record, the Parquet file a typed copy of it. A writer module like `store`.
//!
//! Columns and types follow `results.csv`: `point`, `replication`, `seed` as UInt64, a factor as
//! Utf8 when it has `values` (names) and Float64 otherwise, every metric as nullable Float64 (an
//! empty CSV cell is null). Written to a temporary sibling and renamed, like every result file.

use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::{ExpError, Result};
use crate::plan::Plan;
use crate::store::{RESULTS, RESULTS_PARQUET, for_each_result_row, split_csv_line};

/// Rows per row group by default: large enough for good compression and fast scans, small
/// enough (a few MB per group for typical widths) to keep memory bounded.
pub const ROW_GROUP: usize = 65_536;

/// Rows converted per Arrow batch handed to the writer.
const BATCH: usize = 8_192;

/// The Arrow schema of `results.csv` for `plan`.
pub fn results_schema(plan: &Plan) -> Schema {
    let mut fields = vec![
        Field::new("point", DataType::UInt64, false),
        Field::new("replication", DataType::UInt64, false),
        Field::new("seed", DataType::UInt64, false),
    ];
    for (j, f) in plan.factors.iter().enumerate() {
        let t = if plan.spec.factors[j].values.is_some() {
            DataType::Utf8
        } else {
            DataType::Float64
        };
        fields.push(Field::new(f.name.clone(), t, false));
    }
    for m in &plan.metric_names {
        fields.push(Field::new(m.clone(), DataType::Float64, true));
    }
    Schema::new(fields)
}

enum Col {
    U(UInt64Builder),
    F(Float64Builder),
    S(StringBuilder),
}

/// Write `dir/results.parquet` from the finished `dir/results.csv` of `plan`, in row groups of
/// `row_group` rows. Returns the number of rows written.
pub fn write_results_parquet(dir: &Path, plan: &Plan, row_group: usize) -> Result<usize> {
    let dest = dir.join(RESULTS_PARQUET);
    let csv = dir.join(RESULTS);
    let tmp = dir.join(format!(".{RESULTS_PARQUET}.{}.tmp", std::process::id()));
    let result = convert(dir, &csv, &tmp, plan, row_group.max(1));
    match result {
        Ok(rows) => {
            fs::rename(&tmp, &dest)
                .map_err(|e| ExpError::io(format!("writing {}", dest.display()), e))?;
            Ok(rows)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn convert(dir: &Path, csv: &Path, tmp: &Path, plan: &Plan, row_group: usize) -> Result<usize> {
    let io = |e: std::io::Error| ExpError::io(format!("writing {}", tmp.display()), e);
    let pq = |e: parquet::errors::ParquetError| io(std::io::Error::other(e));
    let schema = Arc::new(results_schema(plan));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(row_group)
        .build();
    let file = File::create(tmp).map_err(io)?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(pq)?;
    let new_cols = || -> Vec<Col> {
        schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::UInt64 => Col::U(UInt64Builder::with_capacity(BATCH)),
                DataType::Utf8 => Col::S(StringBuilder::new()),
                _ => Col::F(Float64Builder::with_capacity(BATCH)),
            })
            .collect()
    };
    let mut cols = new_cols();
    let mut pending = 0usize;
    let mut rows = 0usize;
    let header = plan.header();
    let header = header.trim_end_matches('\n');
    let n = schema.fields().len();
    let flush = |cols: &mut Vec<Col>, writer: &mut ArrowWriter<File>| -> Result<()> {
        let arrays: Vec<ArrayRef> = std::mem::replace(cols, new_cols())
            .into_iter()
            .map(|c| -> ArrayRef {
                match c {
                    Col::U(mut b) => Arc::new(b.finish()),
                    Col::F(mut b) => Arc::new(b.finish()),
                    Col::S(mut b) => Arc::new(b.finish()),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| {
            ExpError::io(
                format!("writing {}", tmp.display()),
                std::io::Error::other(e),
            )
        })?;
        writer.write(&batch).map_err(pq)
    };
    for_each_result_row(dir, &mut |line, fields| {
        let at = |what: String| ExpError::input(format!("{}:{line}: {what}", csv.display()));
        if line == 1 {
            if fields != split_csv_line(header) {
                return Err(at("the header differs from the experiment's columns".into()));
            }
            return Ok(());
        }
        if fields.len() != n {
            return Err(at(format!("{} fields, expected {n}", fields.len())));
        }
        for (k, (c, v)) in cols.iter_mut().zip(fields).enumerate() {
            let name = schema.field(k).name();
            match c {
                Col::U(b) => b
                    .append_value(v.parse::<u64>().map_err(|_| {
                        at(format!("{name} = {v:?} is not a non-negative integer"))
                    })?),
                Col::F(b) if v.is_empty() && schema.field(k).is_nullable() => b.append_null(),
                Col::F(b) => b.append_value(
                    v.parse::<f64>()
                        .map_err(|_| at(format!("{name} = {v:?} is not a number")))?,
                ),
                Col::S(b) => b.append_value(v),
            }
        }
        rows += 1;
        pending += 1;
        if pending == BATCH {
            flush(&mut cols, &mut writer)?;
            pending = 0;
        }
        Ok(())
    })?;
    if pending > 0 {
        flush(&mut cols, &mut writer)?;
    }
    let file = writer.into_inner().map_err(pq)?;
    file.sync_all().map_err(io)?;
    Ok(rows)
}
