//! `results.parquet`: with feature `parquet`, read back with the parquet crate's own reader and
//! compared value by value with `results.csv` (several row groups, nulls, names and numbers);
//! a bad CSV is refused without leaving a file behind. Without the feature, asking for Parquet
//! is an input error that names the feature.

use std::fs;
use std::path::{Path, PathBuf};

use xietong_experiment::Plan;
use xietong_experiment::runner::run_points;
use xietong_experiment::store::{self, Start};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

// `first_transition_period` is empty (null) for runs that never leave the first stage in 16
// periods (all of these), so the file holds nulls as well as numbers.
const EXPERIMENT: &str = r#"
name = "pq"
seed = 7
replications = 3

[base]
set = ["calendar.periods=16"]

[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9

[[factor]]
path = "levers.sequencing"
values = ["basic_first", "key_first"]

[design]
method = "latin_hypercube"
n = 9
seed = 3

[output]
metrics = ["first_transition_period", "dilemmas", "cumulative_cooperation"]
"#;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xietong-pq-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

fn run(dir: &Path) -> Plan {
    let plan = Plan::new(EXPERIMENT, "pq.toml", CHENGDU_CHONGQING, BUILTIN_NAME).unwrap();
    let range = plan.shard_range(None).unwrap();
    match store::start(dir, &plan, None, range, false).unwrap() {
        Start::Complete => panic!("fresh folder"),
        Start::Run {
            mut writer, todo, ..
        } => {
            run_points(&plan, todo, 4, &|| {}, &mut |_, rows, series| {
                writer.append(rows, series)
            })
            .unwrap();
            writer.finish().unwrap();
        }
    }
    plan
}

#[cfg(feature = "parquet")]
mod with_feature {
    use super::*;
    use arrow_array::{Array, Float64Array, StringArray, UInt64Array};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use xietong_experiment::parquet_out::write_results_parquet;

    #[test]
    fn parquet_holds_every_value_of_results_csv() {
        let dir = tmp("values");
        let plan = run(&dir);
        // 27 rows in groups of 5: six row groups, the last one short.
        let rows = write_results_parquet(&dir, &plan, 5).unwrap();
        assert_eq!(rows, 27);
        let csv = store::read_results(&dir).unwrap();
        let header = &csv[0];
        let body = &csv[1..];
        assert_eq!(body.len(), 27);

        let file = fs::File::open(dir.join(store::RESULTS_PARQUET)).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        assert_eq!(builder.metadata().num_row_groups(), 6);
        let schema = builder.schema().clone();
        let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
        assert_eq!(names, header.iter().collect::<Vec<_>>());
        let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        use DataType::*;
        assert_eq!(
            types,
            [
                &UInt64, &UInt64, &UInt64, &Float64, &Utf8, &Float64, &Float64, &Float64
            ]
        );

        let mut row = 0;
        let (mut nulls, mut empties) = (0, 0);
        for batch in builder.build().unwrap() {
            let batch = batch.unwrap();
            for i in 0..batch.num_rows() {
                let want = &body[row];
                for (k, col) in batch.columns().iter().enumerate() {
                    let got = if col.is_null(i) {
                        nulls += 1;
                        String::new()
                    } else if let Some(a) = col.as_any().downcast_ref::<UInt64Array>() {
                        a.value(i).to_string()
                    } else if let Some(a) = col.as_any().downcast_ref::<Float64Array>() {
                        // Shortest round-trip text, as results.csv writes numbers.
                        format!("{}", a.value(i))
                    } else {
                        let a = col.as_any().downcast_ref::<StringArray>().unwrap();
                        a.value(i).to_string()
                    };
                    if want[k].is_empty() {
                        empties += 1;
                    }
                    assert_eq!(got, want[k], "row {} column {}", row + 2, header[k]);
                }
                row += 1;
            }
        }
        assert_eq!(row, 27);
        assert_eq!(nulls, empties);
        assert!(nulls > 0, "the test should cover null cells");
        // No temporary file is left next to it.
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bad_cell_is_refused_and_no_file_is_left() {
        let dir = tmp("bad");
        let plan = run(&dir);
        let path = dir.join(store::RESULTS);
        let text = fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut f = store::split_csv_line(&lines[3]);
        let last = f.len() - 1;
        f[last] = "abc".into();
        lines[3] = f.join(",");
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        let e = write_results_parquet(&dir, &plan, 5).unwrap_err();
        assert!(e.is_input());
        let msg = e.to_string();
        assert!(msg.contains("results.csv:4:"), "{msg}");
        assert!(msg.contains("cumulative_cooperation = \"abc\""), "{msg}");
        for entry in fs::read_dir(&dir).unwrap() {
            let n = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!n.contains("parquet"), "left behind: {n}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_feature_parquet_is_an_input_error_naming_it() {
    let dir = tmp("nofeature");
    let plan = run(&dir);
    assert!(!store::PARQUET);
    let e = store::write_parquet(&dir, &plan).unwrap_err();
    assert!(e.is_input());
    assert!(e.to_string().contains("--features parquet"), "{e}");
    assert!(!dir.join(store::RESULTS_PARQUET).exists());
    fs::remove_dir_all(&dir).unwrap();
}
