//! Same scenario and seed → bit-identical results, whatever the thread count; different runs and
//! seeds → different results; a frozen state stays frozen.

use xietong_model::builtin::chengdu_chongqing;
use xietong_sim::output::{summary_json, timeseries_csv, zones_csv};
use xietong_sim::{Aggregate, run_many, simulate, simulate_into};

fn render(sets: &[&str], seed: u64, runs: u64, threads: usize) -> (String, String, String) {
    let s = chengdu_chongqing(&sets.iter().map(|x| x.to_string()).collect::<Vec<_>>()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let res = run_many(&s, seed, runs, &|| {});
        let agg = Aggregate::of(&s, &res);
        (
            timeseries_csv(&s, &res),
            zones_csv(&s, &res),
            summary_json(&s, seed, &res, &agg),
        )
    })
}

#[test]
fn identical_for_any_thread_count() {
    let one = render(&[], 5, 8, 1);
    let two = render(&[], 5, 8, 2);
    let four = render(&[], 5, 8, 4);
    assert_eq!(one, two);
    assert_eq!(one, four);
}

#[test]
fn identical_when_jurisdictions_are_split_into_parallel_chunks() {
    // 3 × 5,000 jurisdictions per province: several chunks, processed in parallel when threads allow.
    let sets = [
        "zones.A1.jurisdictions=5000",
        "zones.A2.jurisdictions=5000",
        "zones.B1.jurisdictions=5000",
        "calendar.periods=16",
    ];
    assert_eq!(render(&sets, 9, 2, 1), render(&sets, 9, 2, 3));
}

#[test]
fn seeds_and_runs_matter() {
    let (a, _, _) = render(&[], 1, 2, 2);
    let (b, _, _) = render(&[], 2, 2, 2);
    assert_ne!(a, b);
    let s = chengdu_chongqing(&[]).unwrap();
    assert_ne!(simulate(&s, 1, 0).periods, simulate(&s, 1, 1).periods);
}

#[test]
fn frozen_dynamics_keep_the_state() {
    let s = chengdu_chongqing(&[
        "dynamics.frozen=true".into(),
        "levers.standardization.timing=developmental".into(),
    ])
    .unwrap();
    let r = simulate(&s, 3, 0);
    let first = &r.periods[0];
    for p in &r.periods {
        assert_eq!(p.trust, first.trust);
        assert_eq!(p.alignment, 0.0);
        assert_eq!(p.local_centric, first.local_centric);
        assert_eq!(p.barrier, first.barrier);
        assert_eq!(p.orientation, first.orientation);
        assert_eq!(p.gini, first.gini);
    }
    // Decisions still happen and vary from period to period.
    assert!(r.periods.iter().any(|p| p.executed != first.executed));
}

/// `simulate_into` over a result spent by other scenarios (longer, shorter, other levers, other
/// numbers of jurisdictions) leaves exactly what `simulate` returns: nothing of the old result
/// survives in the vectors and strings it reuses.
#[test]
fn simulate_into_a_spent_result_equals_simulate() {
    let sc = |v: &[&str]| {
        chengdu_chongqing(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>()).unwrap()
    };
    let long = sc(&[
        "calendar.periods=60",
        "levers.standardization.timing=developmental",
    ]);
    let short = sc(&["calendar.periods=30", "zones.A1.jurisdictions=20"]);
    let base = sc(&[]);
    let mut out = simulate(&long, 3, 7);
    for (s, seed, run) in [(&base, 1, 0), (&short, 2, 5), (&long, 9, 1), (&base, 1, 3)] {
        simulate_into(s, seed, run, &mut out);
        let want = simulate(s, seed, run);
        assert_eq!(out.periods.len(), want.periods.len());
        assert_eq!(
            format!("{out:?}"),
            format!("{want:?}"),
            "seed {seed}, run {run}"
        );
    }
}
