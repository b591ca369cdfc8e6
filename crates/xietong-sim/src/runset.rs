//! Many runs of one scenario in parallel, returned in run order whatever order they finish in,
//! and their aggregate over runs.

use crate::engine::simulate;
use crate::record::RunResult;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use xietong_model::Scenario;
use xietong_model::mechanism::Stage;

/// Run `runs` independent runs (run indices `0..runs`); `on_done` is called as each finishes.
pub fn run_many(s: &Scenario, seed: u64, runs: u64, on_done: &(dyn Fn() + Sync)) -> Vec<RunResult> {
    (0..runs)
        .into_par_iter()
        .map(|r| {
            let out = simulate(s, seed, r);
            on_done();
            out
        })
        .collect()
}

/// Mean and 5%/95% quantiles (linear interpolation between order statistics, as numpy's default).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stat {
    pub mean: Option<f64>,
    pub p05: Option<f64>,
    pub p95: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never_share: Option<f64>,
}

/// Quantile `q` of sorted values, numpy's default (type 7) definition.
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

impl Stat {
    pub fn of(values: &[f64]) -> Stat {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            return Stat {
                mean: None,
                p05: None,
                p95: None,
                never_share: None,
            };
        }
        // The same ascending sequence as `sort_by(f64::total_cmp)` (so the mean, summed in this
        // order, keeps its bits), sorted as integer keys: a report's hundreds of columns are each
        // sorted once, which measured 3% of `xietong run --runs 1000` with the comparison sort.
        crate::sort::Sorter::default().sort(&mut v);
        Stat {
            mean: Some(v.iter().sum::<f64>() / v.len() as f64),
            p05: Some(quantile_sorted(&v, 0.05)),
            p95: Some(quantile_sorted(&v, 0.95)),
            never_share: None,
        }
    }

    /// Over the runs that reached the event; `never_share` is the share that never did.
    pub fn of_event(values: &[Option<u32>]) -> Stat {
        let reached: Vec<f64> = values.iter().flatten().map(|&v| v as f64).collect();
        let mut s = Stat::of(&reached);
        s.never_share = Some(if values.is_empty() {
            0.0
        } else {
            1.0 - reached.len() as f64 / values.len() as f64
        });
        s
    }

    /// As [`Stat::of_event`], with NaN for a run that never reached the event.
    pub fn of_event_column(values: &[f64]) -> Stat {
        let reached = values.iter().filter(|x| !x.is_nan()).count();
        let mut s = Stat::of(values);
        s.never_share = Some(if values.is_empty() {
            0.0
        } else {
            1.0 - reached as f64 / values.len() as f64
        });
        s
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SurveyAggregate {
    pub window: [String; 2],
    pub cooperation_by_domain: BTreeMap<String, f64>,
    pub stage_shares: BTreeMap<String, f64>,
    pub zone_demand: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    pub runs: usize,
    pub first_transition_period: Stat,
    pub first_advanced_period: Stat,
    pub dilemmas: Stat,
    pub deepen_decisions: Stat,
    pub retreat_decisions: Stat,
    pub cumulative_cooperation: Stat,
    pub final_gini: Stat,
    pub final_alignment: Stat,
    pub final_trust: Stat,
    /// Share of runs that ended in the retreat stage.
    pub retreat_share: f64,
    pub survey_period: SurveyAggregate,
}

impl Aggregate {
    pub fn of(s: &Scenario, results: &[RunResult]) -> Aggregate {
        let n = results.len().max(1) as f64;
        let col = |f: &dyn Fn(&RunResult) -> f64| results.iter().map(f).collect::<Vec<f64>>();
        let mut stage_shares: BTreeMap<String, f64> = Stage::ALL
            .iter()
            .map(|st| (st.id().to_string(), 0.0))
            .collect();
        let mut cells = 0.0f64;
        for r in results {
            for st in &r.summary.survey_stages {
                *stage_shares.get_mut(st).expect("known stage") += 1.0;
                cells += 1.0;
            }
        }
        stage_shares.values_mut().for_each(|v| *v /= cells.max(1.0));
        Aggregate {
            runs: results.len(),
            first_transition_period: Stat::of_event(
                &results
                    .iter()
                    .map(|r| r.summary.first_transition_period)
                    .collect::<Vec<_>>(),
            ),
            first_advanced_period: Stat::of_event(
                &results
                    .iter()
                    .map(|r| r.summary.first_advanced_period)
                    .collect::<Vec<_>>(),
            ),
            dilemmas: Stat::of(&col(&|r| r.summary.dilemmas as f64)),
            deepen_decisions: Stat::of(&col(&|r| r.summary.deepens as f64)),
            retreat_decisions: Stat::of(&col(&|r| r.summary.retreats as f64)),
            cumulative_cooperation: Stat::of(&col(&|r| r.summary.cumulative_cooperation)),
            final_gini: Stat::of(&col(&|r| r.summary.final_gini)),
            final_alignment: Stat::of(&col(&|r| r.summary.final_alignment)),
            final_trust: Stat::of(&col(&|r| r.summary.final_trust)),
            retreat_share: results
                .iter()
                .filter(|r| r.summary.final_stage == Stage::Retreat.id())
                .count() as f64
                / n,
            survey_period: SurveyAggregate {
                window: s.calendar.survey_window.map(|q| q.to_string()),
                cooperation_by_domain: s
                    .domains
                    .iter()
                    .enumerate()
                    .map(|(k, d)| {
                        (
                            d.id.clone(),
                            results
                                .iter()
                                .map(|r| r.summary.survey_cooperation[k])
                                .sum::<f64>()
                                / n,
                        )
                    })
                    .collect(),
                stage_shares,
                zone_demand: s
                    .zones
                    .iter()
                    .enumerate()
                    .map(|(z, zone)| {
                        (
                            zone.id.clone(),
                            results
                                .iter()
                                .map(|r| r.summary.survey_zone_demand[z])
                                .sum::<f64>()
                                / n,
                        )
                    })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.95]) = [1.2, 8.8]
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile_sorted(&v, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile_sorted(&v, 0.95) - 8.8).abs() < 1e-12);
        let s = Stat::of(&[3.0, 1.0, f64::NAN]);
        assert_eq!(s.mean, Some(2.0));
    }

    #[test]
    fn event_stats_report_never_share() {
        let s = Stat::of_event(&[Some(4), None, Some(8), None]);
        assert_eq!(s.mean, Some(6.0));
        assert_eq!(s.never_share, Some(0.5));
        let none = Stat::of_event(&[None, None]);
        assert_eq!(none.mean, None);
        assert_eq!(none.never_share, Some(1.0));
    }
}
