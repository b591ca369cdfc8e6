//! Display names of scenario parameters, in English and Chinese: the one table every report, chart
//! and front end uses for a `--set` path or an experiment factor (files keep the paths). Domain,
//! zone and province names come from the scenario itself (`name_en`, `name_zh`).

use crate::Scenario;

/// `(path, English, Chinese)` for the parameters users vary most; others fall back to a readable
/// form of the path.
pub const PATH_LABELS: &[(&str, &str, &str)] = &[
    (
        "central.scale",
        "Central support and penalty (scale)",
        "中央支持与惩罚力度（倍数）",
    ),
    ("central.support", "Central support", "中央支持"),
    ("central.penalty", "Central penalty", "中央惩罚"),
    ("central.enforcement", "Central enforcement", "中央执行力度"),
    ("levers.sequencing", "Sequencing of domains", "领域推进顺序"),
    (
        "levers.uniformity",
        "Uniformity of standards",
        "标准统一程度",
    ),
    (
        "levers.flexibility",
        "Flexibility of execution",
        "执行灵活性",
    ),
    (
        "levers.standardization.timing",
        "Timing of standardization",
        "标准化启动时机",
    ),
    (
        "levers.standardization.start",
        "Start of standardization",
        "标准化启动时间",
    ),
    (
        "levers.standardization.effort",
        "Standardization effort",
        "标准化工作力度",
    ),
    ("levers.cadre.reward", "Cadre reward", "干部激励（奖励）"),
    (
        "levers.cadre.punishment",
        "Cadre punishment",
        "干部问责（惩罚）",
    ),
    (
        "behaviour.local_centric",
        "Local-centric thinking (λ)",
        "地方本位思维（λ）",
    ),
    (
        "behaviour.barrier",
        "Administrative barriers (β)",
        "行政壁垒（β）",
    ),
    ("behaviour.trust", "Initial trust (τ)", "初始信任（τ）"),
    (
        "behaviour.orientation",
        "Regional orientation (ω)",
        "区域整体取向（ω）",
    ),
    (
        "behaviour.temperature",
        "Bounded rationality (μ)",
        "有限理性（μ）",
    ),
    (
        "behaviour.fidelity",
        "Cadre execution fidelity",
        "干部执行忠实度",
    ),
    ("dynamics.growth_rate", "Growth rate", "增长率"),
    ("dynamics.alignment_rate", "Alignment rate", "政策协调速度"),
    ("dynamics.trust_up", "Trust gain", "信任增长"),
    ("dynamics.trust_down", "Trust loss", "信任下降"),
    (
        "stages.transition_alignment",
        "Alignment for transition",
        "进入过渡阶段的协调度门槛",
    ),
    (
        "stages.retreat_cooperation",
        "Cooperation below which retreat",
        "退出阶段的合作门槛",
    ),
    (
        "dilemma.drop",
        "Cooperation drop that triggers a dilemma",
        "触发困境的合作降幅",
    ),
    (
        "dilemma.deepen_enabled",
        "Deepen option available",
        "可选择深化",
    ),
    ("demand.scale", "Demand scale", "需求规模"),
    (
        "demand.peak",
        "Development level of peak demand",
        "需求峰值对应的发展水平",
    ),
    ("demand.shape", "Demand shape", "需求形状"),
];

/// Names of a domain's parameters, for paths `domains.<id>.<field>`.
const DOMAIN_FIELDS: &[(&str, &str, &str)] = &[
    ("value", "joint value", "合作价值"),
    ("local_benefit", "local benefit", "本地收益"),
    ("cost", "cost", "成本"),
    ("difficulty", "difficulty", "难度"),
    ("risk", "risk", "风险"),
    ("siphon", "siphoning", "虹吸"),
];

/// The display name of a scenario path in Chinese (`zh`) or English. With a scenario, domain and
/// zone ids in the path are shown by their names.
pub fn path_label(path: &str, scenario: Option<&Scenario>, zh: bool) -> String {
    let pick = |en: &str, cn: &str| if zh { cn.to_string() } else { en.to_string() };
    if let Some((_, en, cn)) = PATH_LABELS.iter().find(|(p, _, _)| *p == path) {
        return pick(en, cn);
    }
    if let Some(rest) = path.strip_prefix("domains.")
        && let Some((id, field)) = rest.split_once('.')
    {
        let name = scenario
            .and_then(|s| s.domains.iter().find(|d| d.id == id))
            .map_or(id.to_string(), |d| pick(&d.name_en, &d.name_zh));
        let field = DOMAIN_FIELDS
            .iter()
            .find(|(f, _, _)| *f == field)
            .map_or(field.to_string(), |(_, en, cn)| pick(en, cn));
        return format!("{name}: {field}");
    }
    // Fallback: the last segment in words, its section in brackets ("growth rate (dynamics)").
    match path.rsplit_once('.') {
        Some((section, last)) => format!("{} ({section})", last.replace('_', " ")),
        None => path.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_domains_and_fallback() {
        let s = crate::parse_scenario(crate::builtin::CHENGDU_CHONGQING, "builtin").unwrap();
        assert_eq!(
            path_label("levers.cadre.reward", None, false),
            "Cadre reward"
        );
        assert_eq!(
            path_label("levers.cadre.reward", None, true),
            "干部激励（奖励）"
        );
        assert_eq!(
            path_label("domains.public_services.local_benefit", Some(&s), true),
            "公共服务共建共享: 本地收益"
        );
        assert_eq!(
            path_label("dynamics.capacity", None, false),
            "capacity (dynamics)"
        );
    }

    /// Every labelled path is one a user can set on the built-in scenario.
    #[test]
    fn every_labelled_path_exists() {
        for (p, en, cn) in PATH_LABELS {
            let r = crate::parse_with_overrides(
                crate::builtin::CHENGDU_CHONGQING,
                "builtin",
                &[format!("{p}={}", sample_value(p))],
            );
            assert!(r.is_ok(), "{p}: {:?}", r.err().map(|e| e.to_string()));
            assert!(!en.is_empty() && !cn.is_empty());
        }
    }

    fn sample_value(p: &str) -> &'static str {
        match p {
            "levers.sequencing" => "\"key_first\"",
            "levers.standardization.timing" => "\"scheduled\"",
            "levers.standardization.start" => "\"2021Q3\"",
            "dilemma.deepen_enabled" => "true",
            p if p.starts_with("behaviour.") => "0.5",
            "demand.scale" => "100",
            "demand.shape" => "2",
            "dynamics.growth_rate" => "0.01",
            _ => "0.5",
        }
    }
}
