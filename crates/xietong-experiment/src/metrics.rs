//! Per-run metrics an experiment can keep, by name, read from a run's summary. Names are checked
//! against the base scenario (domain and zone ids) before anything runs.

use xietong_model::Scenario;
use xietong_model::mechanism::Stage;
use xietong_sim::RunResult;

/// A metric resolved against a scenario: how to read one number (or nothing) from a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Metric {
    FirstTransition,
    /// Censored at the scenario's horizon (its number of periods).
    TransitionPeriodCensored(u32),
    FirstAdvanced,
    ReachedTransition,
    ReachedAdvanced,
    Dilemmas,
    Deepens,
    Retreats,
    CumulativeCooperation,
    FinalGini,
    FinalAlignment,
    FinalTrust,
    EndedInRetreat,
    SurveyCooperationMean,
    SurveyCooperation(usize),
    SurveyZoneDemand(usize),
}

/// Metrics kept when an experiment names none.
pub const DEFAULT_METRICS: &[&str] = &[
    "first_transition_period",
    "reached_transition",
    "dilemmas",
    "retreats",
    "ended_in_retreat",
    "cumulative_cooperation",
    "final_gini",
    "final_trust",
    "survey_cooperation_mean",
];

/// Names without a scenario-dependent part, with a one-line meaning (for messages and docs).
pub const FIXED: &[(&str, &str)] = &[
    (
        "first_transition_period",
        "period the transition stage was first reached (empty if never)",
    ),
    (
        "transition_period_censored",
        "period the transition stage was first reached; the horizon if never (complete in every run, as paired comparisons need)",
    ),
    (
        "first_advanced_period",
        "period the advanced stage was first reached (empty if never)",
    ),
    (
        "reached_transition",
        "1 if the transition stage was reached, else 0",
    ),
    (
        "reached_advanced",
        "1 if the advanced stage was reached, else 0",
    ),
    ("dilemmas", "number of dilemmas"),
    ("deepens", "number of deepen decisions"),
    ("retreats", "number of retreat decisions"),
    (
        "cumulative_cooperation",
        "sum over periods of mean cooperation",
    ),
    ("final_gini", "Gini of development in the last period"),
    ("final_alignment", "mean alignment in the last period"),
    ("final_trust", "mean trust in the last period"),
    (
        "ended_in_retreat",
        "1 if the last period is in the retreat stage",
    ),
    (
        "survey_cooperation_mean",
        "mean cooperation over domains in the survey window",
    ),
];

impl Metric {
    /// Resolve a metric name, or explain what names exist.
    pub fn parse(name: &str, s: &Scenario) -> Result<Metric, String> {
        use Metric::*;
        let m = match name {
            "first_transition_period" => FirstTransition,
            "transition_period_censored" => TransitionPeriodCensored(s.calendar.periods),
            "first_advanced_period" => FirstAdvanced,
            "reached_transition" => ReachedTransition,
            "reached_advanced" => ReachedAdvanced,
            "dilemmas" => Dilemmas,
            "deepens" => Deepens,
            "retreats" => Retreats,
            "cumulative_cooperation" => CumulativeCooperation,
            "final_gini" => FinalGini,
            "final_alignment" => FinalAlignment,
            "final_trust" => FinalTrust,
            "ended_in_retreat" => EndedInRetreat,
            "survey_cooperation_mean" => SurveyCooperationMean,
            _ => {
                if let Some(id) = name.strip_prefix("survey_cooperation.") {
                    SurveyCooperation(s.domain_index(id).ok_or_else(|| {
                        format!(
                            "unknown domain \"{id}\" in metric {name}; the scenario's domains are {}",
                            s.domains.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    })?)
                } else if let Some(id) = name.strip_prefix("survey_zone_demand.") {
                    SurveyZoneDemand(s.zone_index(id).ok_or_else(|| {
                        format!(
                            "unknown zone \"{id}\" in metric {name}; the scenario's zones are {}",
                            s.zones
                                .iter()
                                .map(|z| z.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?)
                } else {
                    return Err(format!(
                        "unknown metric \"{name}\"; expected one of {}, survey_cooperation.<domain id>, survey_zone_demand.<zone id>",
                        FIXED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        };
        Ok(m)
    }

    /// The metric's value in one run; None for an event that never happened.
    pub fn value(&self, r: &RunResult) -> Option<f64> {
        use Metric::*;
        let s = &r.summary;
        let flag = |b: bool| Some(if b { 1.0 } else { 0.0 });
        match *self {
            FirstTransition => s.first_transition_period.map(f64::from),
            TransitionPeriodCensored(horizon) => {
                Some(f64::from(s.first_transition_period.unwrap_or(horizon)))
            }
            FirstAdvanced => s.first_advanced_period.map(f64::from),
            ReachedTransition => flag(s.first_transition_period.is_some()),
            ReachedAdvanced => flag(s.first_advanced_period.is_some()),
            Dilemmas => Some(s.dilemmas as f64),
            Deepens => Some(s.deepens as f64),
            Retreats => Some(s.retreats as f64),
            CumulativeCooperation => Some(s.cumulative_cooperation),
            FinalGini => Some(s.final_gini),
            FinalAlignment => Some(s.final_alignment),
            FinalTrust => Some(s.final_trust),
            EndedInRetreat => flag(s.final_stage == Stage::Retreat.id()),
            SurveyCooperationMean => {
                let v = &s.survey_cooperation;
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            }
            SurveyCooperation(k) => s.survey_cooperation.get(k).copied(),
            SurveyZoneDemand(z) => s.survey_zone_demand.get(z).copied(),
        }
    }
}

/// A CSV cell for a value: shortest round-trip decimal, empty for none (identical on every platform).
pub fn cell(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        Some(x) => format!("{x}"),
        None => String::new(),
    }
}

/// Display names of the metrics in English and Chinese, one table for every report, chart and
/// front end; files (CSV, JSON) keep the identifiers.
pub const LABELS: &[(&str, &str, &str)] = &[
    (
        "first_transition_period",
        "Quarter of first transition",
        "首次进入过渡阶段的季度",
    ),
    (
        "transition_period_censored",
        "Quarters to transition (horizon if never)",
        "进入过渡阶段所需季度（未进入计为全期）",
    ),
    (
        "first_advanced_period",
        "Quarter of first advanced stage",
        "首次进入高级阶段的季度",
    ),
    (
        "reached_transition",
        "Share reaching transition",
        "进入过渡阶段的比例",
    ),
    (
        "reached_advanced",
        "Share reaching the advanced stage",
        "进入高级阶段的比例",
    ),
    ("dilemmas", "Dilemmas per run", "每次运行的困境次数"),
    (
        "deepens",
        "Deepen decisions per run",
        "每次运行的深化决策次数",
    ),
    (
        "retreats",
        "Retreat decisions per run",
        "每次运行的退出决策次数",
    ),
    (
        "cumulative_cooperation",
        "Cumulative cooperation",
        "累计合作水平",
    ),
    (
        "final_gini",
        "Final inequality (Gini)",
        "期末发展不平等（基尼系数）",
    ),
    ("final_alignment", "Final alignment", "期末政策协调度"),
    ("final_trust", "Final trust", "期末信任水平"),
    (
        "ended_in_retreat",
        "Share ending in retreat",
        "以退出阶段结束的比例",
    ),
    (
        "survey_cooperation_mean",
        "Cooperation in the survey window",
        "调查期合作水平",
    ),
];

/// The built-in scenario's name of a domain or zone id (`public_services` → 公共服务共建共享),
/// or the id itself for one a user's scenario adds.
fn builtin_name(id: &str, zh: bool) -> String {
    type Names = Vec<(String, String, String)>;
    static NAMES: std::sync::OnceLock<Names> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        xietong_model::builtin::chengdu_chongqing(&[]).map_or_else(
            |_| Vec::new(),
            |s| {
                let domains = s
                    .domains
                    .iter()
                    .map(|d| (d.id.clone(), d.name_en.clone(), d.name_zh.clone()));
                let zones = s
                    .zones
                    .iter()
                    .map(|z| (z.id.clone(), z.name_en.clone(), z.name_zh.clone()));
                domains.chain(zones).collect()
            },
        )
    });
    names
        .iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, en, cn)| if zh { cn } else { en })
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.to_string(), |n| n.clone())
}

/// The display name of a metric in `lang`; identifiers of per-domain and per-zone metrics keep
/// their domain or zone id after the label.
pub fn label(name: &str, lang: xietong_report::Lang) -> String {
    let zh = lang == xietong_report::Lang::Zh;
    if let Some((_, en, cn)) = LABELS.iter().find(|(n, _, _)| *n == name) {
        return (if zh { *cn } else { *en }).to_string();
    }
    if let Some(id) = name.strip_prefix("survey_cooperation.") {
        let what = if zh {
            "调查期合作水平"
        } else {
            "Survey-window cooperation"
        };
        return format!("{what}: {}", builtin_name(id, zh));
    }
    if let Some(id) = name.strip_prefix("survey_zone_demand.") {
        let what = if zh {
            "调查期区域需求"
        } else {
            "Survey-window zone demand"
        };
        return format!("{what}: {}", builtin_name(id, zh));
    }
    name.to_string()
}

#[cfg(test)]
mod label_tests {
    use super::*;

    /// Every fixed metric has a label in both languages, and no label table entry is orphaned.
    #[test]
    fn every_metric_has_one_label_row() {
        for (name, _) in FIXED {
            assert_eq!(
                LABELS.iter().filter(|(n, _, _)| n == name).count(),
                1,
                "{name}"
            );
        }
        for (name, en, zh) in LABELS {
            assert!(
                FIXED.iter().any(|(n, _)| n == name),
                "{name} is not a metric"
            );
            assert!(!en.is_empty() && !zh.is_empty() && en != zh);
        }
    }

    /// Survey-window metrics name their domain or zone in words, from the built-in scenario.
    #[test]
    fn survey_window_metrics_name_their_domain_in_words() {
        use xietong_report::Lang;
        let zh = label("survey_cooperation.public_services", Lang::Zh);
        assert_eq!(zh, "调查期合作水平: 公共服务共建共享");
        let en = label("survey_cooperation.public_services", Lang::En);
        assert!(!en.contains("public_services"), "{en}");
        assert!(label("survey_zone_demand.A1", Lang::Zh).starts_with("调查期区域需求: "));
        assert_eq!(
            label("survey_cooperation.my_domain", Lang::En),
            "Survey-window cooperation: my_domain"
        );
    }
}
