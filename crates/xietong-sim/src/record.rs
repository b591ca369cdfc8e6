//! What a run records: one [`PeriodRecord`] per period (the indicators of docs/ODD.md) and a
//! [`RunSummary`] of the whole run.

use serde::Serialize;
use xietong_model::mechanism::Stage;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ZoneRecord {
    /// Mean probability of cooperating across the zone's jurisdictions and active domains.
    pub cooperation: f64,
    pub development: f64,
    pub demand: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PeriodRecord {
    pub stage: Stage,
    /// Mean probability of cooperating, per domain (0 while a domain is retreated).
    pub coop_domain: Vec<f64>,
    /// Per province (outer) and domain (inner).
    pub coop_province_domain: [Vec<f64>; 2],
    pub alignment_domain: Vec<f64>,
    pub active_domain: Vec<bool>,
    /// Per axis in `Axis::ALL` order; NaN for an axis without domains.
    pub coop_axis: [f64; 5],
    /// Per tier in `Tier::ALL` order; NaN for a tier without domains.
    pub coop_tier: [f64; 3],
    pub coop_province: [f64; 2],
    /// Mean cooperation over all domains.
    pub cooperation: f64,
    /// Share of jurisdiction-domain slots in which cooperation was carried out.
    pub executed: f64,
    /// Decided minus executed share: cooperation decided but not carried out.
    pub execution_gap: f64,
    /// Mean over jurisdictions of the standard deviation of their cooperation across active domains.
    pub selective_index: f64,
    /// Cooperation in domains with above-median local benefit minus the rest.
    pub benefit_gap: f64,
    pub trust: f64,
    pub alignment: f64,
    pub local_centric: f64,
    pub barrier: f64,
    pub orientation: f64,
    pub gini: f64,
    pub theil: f64,
    /// Share of realized joint value captured by the more developed province.
    pub siphon_index: f64,
    /// Mean realized benefit per jurisdiction.
    pub welfare: f64,
    /// Provincial bureaus' standardization effort.
    pub effort: [f64; 2],
    pub dilemmas: u32,
    pub deepens: u32,
    pub retreats: u32,
    pub zones: Vec<ZoneRecord>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunSummary {
    pub run: u64,
    pub first_transition_period: Option<u32>,
    pub first_advanced_period: Option<u32>,
    pub dilemmas: u32,
    pub deepens: u32,
    pub retreats: u32,
    /// Sum over periods of the mean cooperation across domains.
    pub cumulative_cooperation: f64,
    pub final_stage: String,
    pub final_gini: f64,
    pub final_alignment: f64,
    pub final_trust: f64,
    /// Mean cooperation per domain over the survey window.
    pub survey_cooperation: Vec<f64>,
    /// Mean demand per zone over the survey window.
    pub survey_zone_demand: Vec<f64>,
    /// Stage in each survey-window period.
    pub survey_stages: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub periods: Vec<PeriodRecord>,
    pub summary: RunSummary,
}

impl RunResult {
    /// The first indicator that overflowed to infinity or became undefined, as
    /// `(period, indicator)`; `None` when every value that must be a number is one. Extreme
    /// scenarios (huge joint values or growth rates over a long horizon) can make development
    /// overflow; callers refuse to write such results instead of writing `inf`. Averages over an
    /// empty set (an axis or tier without domains) are NaN by design and are written as empty
    /// cells, so they are not checked.
    pub fn first_non_finite(&self) -> Option<(usize, &'static str)> {
        for (t, p) in self.periods.iter().enumerate() {
            let values = [
                ("cooperation", p.cooperation),
                ("executed", p.executed),
                ("trust", p.trust),
                ("alignment", p.alignment),
                ("gini", p.gini),
                ("theil", p.theil),
                ("siphon_index", p.siphon_index),
                ("welfare", p.welfare),
                ("selective_index", p.selective_index),
            ];
            if let Some((name, _)) = values.iter().find(|(_, v)| !v.is_finite()) {
                return Some((t, name));
            }
            for z in &p.zones {
                for (name, v) in [
                    ("zone cooperation", z.cooperation),
                    ("zone development", z.development),
                    ("zone demand", z.demand),
                ] {
                    if !v.is_finite() {
                        return Some((t, name));
                    }
                }
            }
        }
        None
    }
}
