//! Degenerate inputs give a defined result or a clear error, never NaN.

use xietong_survey::stats::{StatsError, anova, chi2, describe, multi, nonpar, reliability, ttest};

#[test]
fn empty_and_single_values() {
    assert!(matches!(
        describe::describe(&[], 0.95),
        Err(StatsError::TooFew { .. })
    ));
    let d = describe::describe(&[4.0], 0.95).unwrap();
    assert_eq!((d.mean, d.sd, d.ci_low), (4.0, None, None));
}

#[test]
fn ttest_group_of_one_and_zero_variance() {
    let r = ttest::ttest_ind(&[3.0], &[1.0, 2.0, 4.0], 0.95, false).unwrap();
    assert!(r.welch.is_none() && r.levene.is_none() && !r.warnings.is_empty());
    assert!(r.student.t.is_finite() && r.student.p.is_finite());
    let e = ttest::ttest_ind(&[2.0, 2.0], &[3.0, 3.0], 0.95, false).unwrap_err();
    assert!(e.to_string().contains("zero within-group variance"), "{e}");
    let e = ttest::ttest_ind(&[2.0, 2.0], &[2.0, 2.0], 0.95, false).unwrap_err();
    assert!(e.to_string().contains("all values are identical"), "{e}");
    assert!(ttest::ttest_ind(&[], &[1.0, 2.0], 0.95, false).is_err());
}

#[test]
fn anova_degenerate() {
    let g1 = [1.0, 2.0, 3.0];
    assert!(matches!(
        anova::oneway(&[&g1]),
        Err(StatsError::TooFewGroups { .. })
    ));
    assert!(
        anova::oneway(&[&g1, &[]])
            .unwrap_err()
            .to_string()
            .contains("group 2")
    );
    // A group of one: classical ANOVA and Tukey-Kramer are defined, Welch/Games-Howell are not.
    let a = anova::oneway(&[&g1, &[5.0]]).unwrap();
    assert!(a.f.is_finite());
    assert!(anova::welch(&[&g1, &[5.0]]).is_err());
    assert!(anova::games_howell(&[&g1, &[5.0]], &["a".into(), "b".into()]).is_err());
    assert!(matches!(
        anova::oneway(&[&[2.0, 2.0], &[3.0, 3.0]]),
        Err(StatsError::NoWithinVariance { .. })
    ));
    assert!(nonpar::kruskal(&[&[1.0, 1.0], &[1.0]]).is_err());
}

#[test]
fn chi2_degenerate() {
    assert!(chi2::contingency(&[vec![3.0, 4.0]]).is_err());
    let e = chi2::contingency(&[vec![3.0, 0.0], vec![4.0, 0.0]]).unwrap_err();
    assert!(e.to_string().contains("column 2 is empty"), "{e}");
    let r = chi2::contingency(&[vec![1.0, 2.0], vec![3.0, 1.0]]).unwrap();
    assert!(r.cells_expected_below_5 == 4 && r.warnings[0].contains("Fisher"));
}

#[test]
fn reliability_degenerate() {
    let names: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
    let data = vec![
        vec![1.0, 2.0, 3.0],
        vec![1.0, 3.0, 4.0],
        vec![1.0, 4.0, 4.0],
    ];
    let e = reliability::reliability(&names, &data).unwrap_err();
    assert!(e.to_string().contains("item 'a'"), "{e}");
    assert!(reliability::reliability(&names[..1], &data).is_err());
}

#[test]
fn multi_response_bases() {
    let names: Vec<String> = vec!["x".into(), "y".into()];
    let sel = vec![
        vec![Some(true), Some(true)],
        vec![Some(true), Some(false)],
        vec![Some(false), Some(false)],
        vec![None, None],
    ];
    let t = multi::multi_response(&names, &sel, None);
    assert_eq!(
        (t.cases, t.responses, t.cases_without_response),
        (2.0, 3.0, 2.0)
    );
    assert_eq!(t.options[0].pct_cases, 100.0);
    assert!((t.options[0].pct_responses - 200.0 / 3.0).abs() < 1e-12);
}

/// Issue 10 item 14: groups that differ but are constant inside are not "all identical".
#[test]
fn zero_within_group_variance_is_not_called_identical_values() {
    for e in [
        ttest::ttest_ind(&[1.0, 1.0, 1.0], &[5.0, 5.0], 0.95, false).unwrap_err(),
        anova::oneway(&[&[1.0, 1.0], &[5.0, 5.0], &[9.0, 9.0]]).unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(
            !msg.contains("all values are identical") && msg.contains("within each group"),
            "{msg}"
        );
    }
    let msg = anova::oneway(&[&[4.0, 4.0], &[4.0, 4.0]])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("all values are identical"), "{msg}");
}

/// Issue 10 item 1: items whose other items sum to a constant (y + z = 1 in every case) have an
/// undefined item-total r and α-if-deleted: None, never NaN.
#[test]
fn undefined_item_statistics_are_none_not_nan() {
    let names: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
    let data = vec![
        vec![0.0, 1.0, 0.0],
        vec![1.0, 0.0, 1.0],
        vec![1.0, 1.0, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let r = reliability::reliability(&names, &data).unwrap();
    assert_eq!(r.items[0].item_total_r, None);
    assert_eq!(r.items[0].alpha_if_deleted, None);
    for it in &r.items {
        assert!(it.item_total_r.is_none_or(f64::is_finite));
        assert!(it.alpha_if_deleted.is_none_or(f64::is_finite));
    }
    assert!(r.alpha.is_finite());
}
