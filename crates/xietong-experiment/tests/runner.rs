//! The runner and the experiment folder: identical bytes for any thread count, window size and
//! sharding; resume after an interruption (with a torn last line) gives the same file; a changed
//! design or a corrupted file is refused and left untouched; every row is the simulator's own run.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use xietong_experiment::runner::run_points;
use xietong_experiment::store::{self, Start};
use xietong_experiment::{ExpError, Plan};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

const EXPERIMENT: &str = r#"
name = "test"
seed = 42
replications = 3

[base]
set = ["calendar.periods=16", "calendar.survey_window=[\"2022Q1\", \"2022Q4\"]"]

[[factor]]
path = "levers.flexibility"
low = 0.1
high = 0.9

[[factor]]
path = "levers.sequencing"
values = ["basic_first", "key_first"]

[[factor]]
path = "behaviour.local_centric"
low = 0.3
high = 0.8

[design]
method = "latin_hypercube"
n = 14
seed = 9

[output]
metrics = ["first_transition_period", "dilemmas", "cumulative_cooperation", "survey_zone_demand.A2"]
timeseries = ["cooperation", "stage", "coop.public_services"]
"#;

fn plan(text: &str) -> Plan {
    Plan::new(text, "test.toml", CHENGDU_CHONGQING, BUILTIN_NAME).expect("valid experiment")
}

fn tmp(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "xietong-exp-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&d);
    d
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// Run `plan` (or a shard of it) into `dir` from scratch or resuming, stopping after `stop_after`
/// points if given (an interruption).
fn run_dir(
    plan: &Plan,
    dir: &Path,
    shard: Option<(usize, usize)>,
    resume: bool,
    threads: usize,
    window: usize,
    stop_after: Option<usize>,
) -> Result<(), ExpError> {
    let range = plan.shard_range(shard)?;
    match store::start(dir, plan, shard, range, resume)? {
        Start::Complete => Ok(()),
        Start::Run {
            mut writer, todo, ..
        } => {
            let mut n = 0;
            let r = in_pool(threads, || {
                run_points(plan, todo, window, &|| {}, &mut |_, rows, series| {
                    if stop_after == Some(n) {
                        return Err(ExpError::input("interrupted"));
                    }
                    n += 1;
                    writer.append(rows, series)
                })
            });
            match r {
                Ok(()) => writer.finish(),
                Err(e) => Err(e),
            }
        }
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn collect(plan: &Plan, threads: usize, window: usize) -> String {
    let mut out = String::new();
    let mut order = Vec::new();
    in_pool(threads, || {
        run_points(
            plan,
            0..plan.n_points(),
            window,
            &|| {},
            &mut |p, rows, _| {
                order.push(p);
                out.push_str(rows);
                Ok(())
            },
        )
    })
    .unwrap();
    assert_eq!(order, (0..plan.n_points()).collect::<Vec<_>>());
    out
}

#[test]
fn rows_are_identical_for_any_thread_count_and_window() {
    let p = plan(EXPERIMENT);
    let one = collect(&p, 1, 1);
    assert_eq!(one.lines().count(), 14 * 3);
    for (threads, window) in [(2, 1), (2, 4), (3, 100), (1, 7)] {
        assert_eq!(
            collect(&p, threads, window),
            one,
            "{threads} threads, window {window}"
        );
    }
}

#[test]
fn each_row_is_the_simulators_run_of_that_point() {
    let p = plan(EXPERIMENT);
    let text = collect(&p, 2, 4);
    let rows: Vec<Vec<String>> = text.lines().map(store::split_csv_line).collect();
    for point in [0, 5, 13] {
        let s = p.scenario(point).unwrap();
        // The point's scenario carries the design's values.
        let row = p.design.row(point);
        assert_eq!(s.levers.flexibility, row[0]);
        let seq = if row[1] == 0.0 {
            "BasicFirst"
        } else {
            "KeyFirst"
        };
        assert_eq!(format!("{:?}", s.levers.sequencing), seq);
        assert_eq!(s.behaviour.local_centric.mean(), row[2]);
        for r in 0..3 {
            let run = xietong_sim::simulate(&s, p.seed(point), r as u64);
            let got = &rows[point * 3 + r];
            assert_eq!(got[0], point.to_string());
            assert_eq!(got[1], r.to_string());
            assert_eq!(
                got[8].parse::<f64>().unwrap(),
                run.summary.cumulative_cooperation
            );
            assert_eq!(got[7], run.summary.dilemmas.to_string());
            assert_eq!(
                got[6],
                run.summary
                    .first_transition_period
                    .map_or(String::new(), |v| v.to_string())
            );
            let a2 = s.zone_index("A2").unwrap();
            assert_eq!(
                got[9].parse::<f64>().unwrap(),
                run.summary.survey_zone_demand[a2]
            );
        }
    }
    // Independent seeding: seeds differ between points; common seeding: one seed.
    assert_ne!(p.seed(0), p.seed(1));
    let common =
        plan(&EXPERIMENT.replace("replications = 3", "replications = 3\nseeds = \"common\""));
    assert_eq!(common.seed(0), 42);
    assert_eq!(common.seed(13), 42);
}

#[test]
fn shards_merge_to_the_bytes_of_a_single_run() {
    let p = plan(EXPERIMENT);
    let whole = tmp("whole");
    run_dir(&p, &whole, None, false, 2, 3, None).unwrap();
    let mut shard_dirs = Vec::new();
    for i in [3, 1, 2] {
        let d = tmp(&format!("shard{i}"));
        run_dir(&p, &d, Some((i, 3)), false, 1 + i % 2, 2, None).unwrap();
        shard_dirs.push(d);
    }
    let merged = tmp("merged");
    assert_eq!(store::merge(&shard_dirs, &merged).unwrap(), 3);
    assert_eq!(files(&merged), files(&whole));
    // A missing shard or a shard of another design is refused.
    let err = store::merge(&shard_dirs[..2], &tmp("m2")).unwrap_err();
    assert!(err.to_string().contains("need shards 1..=3"), "{err}");
    let other = plan(&EXPERIMENT.replace("seed = 42", "seed = 43"));
    let od = tmp("other");
    run_dir(&other, &od, Some((2, 3)), false, 1, 4, None).unwrap();
    let err = store::merge(
        &[shard_dirs[0].clone(), od, shard_dirs[1].clone()],
        &tmp("m3"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("different experiments"), "{err}");
    // A shard whose results lost their last row is refused; nothing is left in the output.
    let cut = tmp("cut");
    fs::create_dir_all(&cut).unwrap();
    for (name, bytes) in files(&shard_dirs[1]) {
        fs::write(cut.join(name), bytes).unwrap();
    }
    let text = fs::read_to_string(cut.join(store::RESULTS)).unwrap();
    let shorter: String = text
        .lines()
        .take(text.lines().count() - 1)
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(cut.join(store::RESULTS), shorter).unwrap();
    let out = tmp("m4");
    let err = store::merge(&[shard_dirs[0].clone(), cut, shard_dirs[2].clone()], &out).unwrap_err();
    assert!(err.to_string().contains("rows, expected"), "{err}");
    assert!(!out.join(store::MANIFEST).exists() && !out.join(store::RESULTS).exists());
    // Shard bounds.
    assert!(p.shard_range(Some((0, 3))).is_err());
    assert!(p.shard_range(Some((4, 3))).is_err());
    assert!(p.shard_range(Some((1, 15))).is_err());
}

#[test]
fn resume_continues_an_interrupted_run_to_the_same_bytes() {
    let p = plan(EXPERIMENT);
    let whole = tmp("ref");
    run_dir(&p, &whole, None, false, 2, 4, None).unwrap();
    // The time series holds every period of every run, as the simulator recorded it.
    let ts = fs::read_to_string(whole.join(store::SERIES)).unwrap();
    assert_eq!(
        ts.lines().next().unwrap(),
        "point,replication,period,quarter,cooperation,stage,coop.public_services"
    );
    assert_eq!(ts.lines().count(), 1 + 14 * 3 * 16);
    let s5 = p.scenario(5).unwrap();
    let run = xietong_sim::simulate(&s5, p.seed(5), 1);
    let k = s5.domain_index("public_services").unwrap();
    let line = ts.lines().nth(1 + (5 * 3 + 1) * 16 + 3).unwrap();
    let f = store::split_csv_line(line);
    assert_eq!(&f[..4], ["5", "1", "3", "2020Q4"]);
    assert_eq!(f[4].parse::<f64>().unwrap(), run.periods[3].cooperation);
    assert_eq!(f[5], run.periods[3].stage.id());
    assert_eq!(f[6].parse::<f64>().unwrap(), run.periods[3].coop_domain[k]);
    let dir = tmp("resume");
    let err = run_dir(&p, &dir, None, false, 2, 4, Some(5)).unwrap_err();
    assert!(err.to_string().contains("interrupted"));
    let partial = dir.join(store::PARTIAL);
    // Simulate a kill in the middle of writing: one and a half rows of the next point.
    let next = collect(&p, 1, 16);
    let torn: String = next
        .lines()
        .skip(5 * 3)
        .take(1)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n6,0,12";
    let mut bytes = fs::read(&partial).unwrap();
    bytes.extend_from_slice(torn.as_bytes());
    fs::write(&partial, &bytes).unwrap();
    let (done, _) = store::scan_partial(&partial, &p, &(0..14)).unwrap();
    assert_eq!(done, 5);
    // Without --resume the folder is refused and untouched.
    let err = run_dir(&p, &dir, None, false, 2, 4, None).unwrap_err();
    assert!(err.to_string().contains("--resume"), "{err}");
    assert_eq!(fs::read(&partial).unwrap(), bytes);
    // A second interruption, then a resume to the end.
    run_dir(&p, &dir, None, true, 1, 2, Some(3)).unwrap_err();
    run_dir(&p, &dir, None, true, 2, 5, None).unwrap();
    assert!(!partial.exists());
    assert_eq!(files(&dir), files(&whole));
    // Killed while the header was being written: resume starts from scratch.
    let early = tmp("early");
    run_dir(&p, &early, None, false, 1, 4, Some(0)).unwrap_err();
    let partial = early.join(store::PARTIAL);
    let header = fs::read_to_string(&partial).unwrap();
    fs::write(&partial, &header[..header.len() / 2]).unwrap();
    run_dir(&p, &early, None, true, 2, 4, None).unwrap();
    assert_eq!(files(&early), files(&whole));
    // Killed between renaming the time series and the results: resume completes the folder.
    fs::rename(dir.join(store::RESULTS), dir.join(store::PARTIAL)).unwrap();
    run_dir(&p, &dir, None, true, 2, 5, None).unwrap();
    assert_eq!(files(&dir), files(&whole));
    // Resuming a finished folder does nothing.
    run_dir(&p, &dir, None, true, 2, 5, None).unwrap();
    assert_eq!(files(&dir), files(&whole));
}

#[test]
fn resume_refuses_a_changed_design_or_a_corrupted_file() {
    let p = plan(EXPERIMENT);
    let dir = tmp("changed");
    run_dir(&p, &dir, None, false, 2, 4, Some(4)).unwrap_err();
    let partial = dir.join(store::PARTIAL);
    let before = fs::read(&partial).unwrap();
    for changed in [
        EXPERIMENT.replace("high = 0.9", "high = 0.95"),
        EXPERIMENT.replace("replications = 3", "replications = 4"),
        EXPERIMENT.replace("calendar.periods=16", "calendar.periods=17"),
        EXPERIMENT.replace("\"dilemmas\", ", ""),
    ] {
        let q = plan(&changed);
        let err = run_dir(&q, &dir, None, true, 1, 4, None).unwrap_err();
        assert!(err.is_input());
        assert!(err.to_string().contains("design changed"), "{err}");
        assert_eq!(fs::read(&partial).unwrap(), before);
    }
    // Another shard of the same design.
    let err = run_dir(&p, &dir, Some((1, 2)), true, 1, 4, None).unwrap_err();
    assert!(err.to_string().contains("shard 1/2"), "{err}");
    // Corruption: a changed value in a complete middle row, a missing field, a bad header.
    let text = String::from_utf8(before.clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let good = lines.clone();
    lines[4] = lines[4].replacen(",", ",9", 1);
    let cases = [
        lines.join("\n") + "\n",
        {
            let mut l = good.clone();
            l[2] = l[2].rsplit_once(',').unwrap().0.to_string();
            l.join("\n") + "\n"
        },
        {
            let mut l = good.clone();
            l[0] = l[0].replace("dilemmas", "dilemma");
            l.join("\n") + "\n"
        },
        {
            let mut l = good.clone();
            l[3] = l[3].replacen("0.", "x.", 1);
            l.join("\n") + "\n"
        },
    ];
    // A damaged time series (a middle row's period changed) is corruption too; neither file changes.
    let series = dir.join(store::SERIES_PARTIAL);
    let series_before = fs::read_to_string(&series).unwrap();
    let mut sl: Vec<String> = series_before.lines().map(String::from).collect();
    sl[5] = sl[5].replacen(",4,", ",5,", 1);
    let damaged = sl.join("\n") + "\n";
    fs::write(&series, &damaged).unwrap();
    let err = run_dir(&p, &dir, None, true, 1, 4, None).unwrap_err();
    assert!(
        err.to_string().contains("timeseries.csv.partial:6"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&series).unwrap(), damaged);
    assert_eq!(fs::read(&partial).unwrap(), before);
    fs::write(&series, &series_before).unwrap();
    for bad in cases {
        fs::write(&partial, &bad).unwrap();
        let err = run_dir(&p, &dir, None, true, 1, 4, None).unwrap_err();
        assert!(err.is_input());
        assert!(err.to_string().contains("corrupted"), "{err}");
        assert_eq!(fs::read_to_string(&partial).unwrap(), bad);
    }
}
