//! Per-period indicators an experiment can keep as time series (`[output] timeseries`), by name.

use xietong_model::Scenario;
use xietong_sim::PeriodRecord;

/// A per-period indicator resolved against a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Indicator {
    Stage,
    Field(&'static str),
    CoopDomain(usize),
}

/// Numeric indicators of every period, with their meaning.
pub const FIELDS: &[(&str, &str)] = &[
    ("cooperation", "mean cooperation over domains"),
    ("executed", "share of cooperation carried out"),
    ("execution_gap", "decided minus executed"),
    ("selective_index", "selective-cooperation index"),
    (
        "benefit_gap",
        "cooperation in high- minus low-benefit domains",
    ),
    ("trust", "mean trust"),
    ("alignment", "mean alignment"),
    ("local_centric", "mean local-centric thinking"),
    ("barrier", "mean administrative barrier"),
    ("orientation", "mean regional orientation"),
    ("gini", "Gini of development"),
    ("theil", "Theil index of development"),
    (
        "siphon_index",
        "share of joint value captured by the stronger province",
    ),
    ("welfare", "mean realized benefit"),
    ("dilemmas", "dilemmas this period"),
    ("deepens", "deepen decisions this period"),
    ("retreats", "retreat decisions this period"),
];

impl Indicator {
    pub fn parse(name: &str, s: &Scenario) -> Result<Indicator, String> {
        if name == "stage" {
            return Ok(Indicator::Stage);
        }
        if let Some((n, _)) = FIELDS.iter().find(|(n, _)| *n == name) {
            return Ok(Indicator::Field(n));
        }
        if let Some(id) = name.strip_prefix("coop.") {
            return s
                .domain_index(id)
                .map(Indicator::CoopDomain)
                .ok_or_else(|| {
                    format!(
                        "unknown domain \"{id}\" in {name}; the scenario's domains are {}",
                        s.domains
                            .iter()
                            .map(|d| d.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
        }
        Err(format!(
            "unknown time-series indicator \"{name}\"; expected stage, {}, or coop.<domain id>",
            FIELDS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// The CSV cell of this indicator in one period.
    pub fn cell(&self, p: &PeriodRecord) -> String {
        let v = match self {
            Indicator::Stage => return p.stage.id().to_string(),
            Indicator::CoopDomain(k) => p.coop_domain[*k],
            Indicator::Field(name) => match *name {
                "cooperation" => p.cooperation,
                "executed" => p.executed,
                "execution_gap" => p.execution_gap,
                "selective_index" => p.selective_index,
                "benefit_gap" => p.benefit_gap,
                "trust" => p.trust,
                "alignment" => p.alignment,
                "local_centric" => p.local_centric,
                "barrier" => p.barrier,
                "orientation" => p.orientation,
                "gini" => p.gini,
                "theil" => p.theil,
                "siphon_index" => p.siphon_index,
                "welfare" => p.welfare,
                "dilemmas" => p.dilemmas as f64,
                "deepens" => p.deepens as f64,
                "retreats" => p.retreats as f64,
                _ => unreachable!("names come from FIELDS"),
            },
        };
        crate::metrics::cell(Some(v))
    }
}
