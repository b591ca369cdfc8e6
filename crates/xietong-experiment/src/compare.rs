//! Policy comparison with common random numbers: both arms of a comparison run with the same
//! seed and run indices, so run `r` of A and run `r` of B share their random streams and the
//! per-run differences are paired (`xietong_sensitivity::paired`, a t interval checked against
//! scipy `ttest_rel`). The paper's four recommendations are built in as named variants.

use crate::analyze::Figure;
use rayon::prelude::*;
use serde::Serialize;
use xietong_model::{Scenario, parse_with_overrides};
use xietong_report::{BarChart, BarGroup, Block, Chart, HtmlReport, Lang, Section, Table};
use xietong_sensitivity::paired;
use xietong_sim::{RunResult, simulate};

use crate::error::{ExpError, Result};
use crate::metrics::{self, Metric};

/// A named set of overrides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variant {
    pub name: String,
    pub sets: Vec<String>,
}

fn v(name: &str, sets: &[&str]) -> Variant {
    Variant {
        name: name.into(),
        sets: sets.iter().map(|s| s.to_string()).collect(),
    }
}

/// The built-in variants: the paper's recommendations and their alternatives (patterns P4-P7 of docs/ODD.md).
pub fn builtin_variants() -> Vec<Variant> {
    vec![
        v(
            "developmental",
            &["levers.standardization.timing=developmental"],
        ),
        v("responsive", &["levers.standardization.timing=responsive"]),
        v("basic_first", &["levers.sequencing=basic_first"]),
        v("key_first", &["levers.sequencing=key_first"]),
        v(
            "uniform_flexible",
            &["levers.uniformity=0.9", "levers.flexibility=0.9"],
        ),
        v(
            "uniform_rigid",
            &["levers.uniformity=0.9", "levers.flexibility=0.1"],
        ),
        v(
            "cadre_incentives",
            &["levers.cadre.reward=1", "levers.cadre.punishment=1"],
        ),
        v(
            "no_cadre_incentives",
            &["levers.cadre.reward=0", "levers.cadre.punishment=0"],
        ),
    ]
}

/// The four recommendations as (recommended, alternative) pairs, with their reading.
pub fn builtin_pairs() -> Vec<(Variant, Variant, &'static str)> {
    let b = builtin_variants();
    let get = |n: &str| b.iter().find(|x| x.name == n).cloned().expect("built in");
    vec![
        (
            get("developmental"),
            get("responsive"),
            "developmental vs responsive standardization",
        ),
        (
            get("basic_first"),
            get("key_first"),
            "basic-first vs key-first sequencing",
        ),
        (
            get("uniform_flexible"),
            get("uniform_rigid"),
            "unified and flexible vs unified and rigid standards",
        ),
        (
            get("cadre_incentives"),
            get("no_cadre_incentives"),
            "cadre reward and punishment vs none",
        ),
    ]
}

/// `(name, English, Chinese)` display names of the built-in variants, for tables and charts
/// (files keep the names).
pub const VARIANT_LABELS: &[(&str, &str, &str)] = &[
    (
        "developmental",
        "Developmental standardization",
        "发展型标准化",
    ),
    ("responsive", "Responsive standardization", "回应型标准化"),
    ("basic_first", "Basic domains first", "基础领域优先"),
    ("key_first", "Key domains first", "重点领域优先"),
    (
        "uniform_flexible",
        "Unified, flexible standards",
        "统一且执行灵活的标准",
    ),
    (
        "uniform_rigid",
        "Unified, rigid standards",
        "统一但执行刚性的标准",
    ),
    (
        "cadre_incentives",
        "Cadre reward and punishment",
        "干部奖惩",
    ),
    ("no_cadre_incentives", "No cadre incentives", "无干部奖惩"),
];

/// `(label, English, Chinese)` display names of the four built-in comparisons.
const PAIR_LABELS: &[(&str, &str, &str)] = &[
    (
        "developmental vs responsive standardization",
        "Developmental vs responsive standardization",
        "发展型与回应型标准化",
    ),
    (
        "basic-first vs key-first sequencing",
        "Basic-first vs key-first sequencing",
        "基础领域优先与重点领域优先",
    ),
    (
        "unified and flexible vs unified and rigid standards",
        "Unified and flexible vs unified and rigid standards",
        "统一且灵活与统一但刚性的标准",
    ),
    (
        "cadre reward and punishment vs none",
        "Cadre reward and punishment vs none",
        "干部奖惩与无奖惩",
    ),
];

/// Display name of a variant in `lang`: the built-in ones in words, a user's own name as given.
pub fn variant_label(name: &str, lang: Lang) -> String {
    VARIANT_LABELS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or_else(
            || name.to_string(),
            |(_, en, zh)| lang.pick(en, zh).to_string(),
        )
}

/// Display name of a comparison in `lang`: the four built-in ones in words, others (named
/// `A vs B` after their variants) with the variants' display names.
pub fn comparison_label(c: &Comparison, lang: Lang) -> String {
    if let Some((_, en, zh)) = PAIR_LABELS.iter().find(|(l, _, _)| *l == c.label) {
        return lang.pick(en, zh).to_string();
    }
    if c.label == format!("{} vs {}", c.a.name, c.b.name) {
        let vs = lang.pick(" vs ", "与");
        return format!(
            "{}{vs}{}",
            variant_label(&c.a.name, lang),
            variant_label(&c.b.name, lang)
        );
    }
    c.label.clone()
}

/// "A − B" with the variants' display names (identifiers when `lang` is `None`, for files).
fn arms(c: &Comparison, lang: Option<Lang>) -> String {
    match lang {
        None => format!("{} − {}", c.a.name, c.b.name),
        Some(l) => format!(
            "{} − {}",
            variant_label(&c.a.name, l),
            variant_label(&c.b.name, l)
        ),
    }
}

/// `NAME:PATH=VALUE,PATH=VALUE` or the name of a built-in variant.
pub fn parse_variant(s: &str) -> Result<Variant> {
    let s = s.trim();
    match s.split_once(':') {
        None => builtin_variants()
            .into_iter()
            .find(|v| v.name == s)
            .ok_or_else(|| {
                ExpError::input(format!(
                    "--variant {s}: not a built-in variant ({}); write NAME:PATH=VALUE,PATH=VALUE",
                    builtin_variants()
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }),
        Some((name, sets)) => {
            let name = name.trim();
            if name.is_empty() {
                return Err(ExpError::input(format!(
                    "--variant {s}: empty name before ':'"
                )));
            }
            let sets: Vec<String> = sets
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect();
            if let Some(bad) = sets.iter().find(|x| !x.contains('=')) {
                return Err(ExpError::input(format!(
                    "--variant {s}: \"{bad}\" is not PATH=VALUE"
                )));
            }
            Ok(Variant {
                name: name.into(),
                sets,
            })
        }
    }
}

/// What is compared, per run: metrics of the experiment registry (`crate::metrics`), so an
/// outcome has the same name and meaning in `compare` as in experiments. The transition period is
/// the censored one because a paired difference needs a value in both arms of every run.
pub const OUTCOMES: [&str; 7] = [
    "transition_period_censored",
    "reached_transition",
    "dilemmas",
    "ended_in_retreat",
    "retreats",
    "cumulative_cooperation",
    "final_gini",
];

fn outcome_metrics(s: &Scenario) -> Vec<Metric> {
    OUTCOMES
        .iter()
        .map(|n| Metric::parse(n, s).expect("compare's outcomes are registry metrics"))
        .collect()
}

fn outcomes(metrics: &[Metric], r: &RunResult) -> [f64; 7] {
    std::array::from_fn(|k| metrics[k].value(r).unwrap_or(f64::NAN))
}

/// The paired difference of one outcome, A − B.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub outcome: String,
    pub mean_a: f64,
    pub mean_b: f64,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Two-sided p-value of the paired t test; None when every run gave the same difference.
    pub p_value: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub label: String,
    pub a: Variant,
    pub b: Variant,
    pub runs: usize,
    pub seed: u64,
    pub differences: Vec<Difference>,
}

/// A scenario for `base_sets` then `variant` overrides.
pub fn variant_scenario(
    base_text: &str,
    base_file: &str,
    base_sets: &[String],
    v: &Variant,
) -> Result<Scenario> {
    let mut sets = base_sets.to_vec();
    sets.extend(v.sets.iter().cloned());
    parse_with_overrides(base_text, base_file, &sets)
        .map_err(|e| ExpError::input(format!("variant {}: {e}", v.name)))
}

/// Run both arms with the same seed and run indices `0..runs` and compare every outcome.
pub fn compare(
    label: &str,
    a: (&Variant, &Scenario),
    b: (&Variant, &Scenario),
    runs: usize,
    seed: u64,
    on_run: &(dyn Fn() + Sync),
) -> Result<Comparison> {
    if runs < 2 {
        return Err(ExpError::input(
            "--runs: a paired interval needs at least 2 runs",
        ));
    }
    let (ma, mb) = (outcome_metrics(a.1), outcome_metrics(b.1));
    let pairs: Vec<Result<([f64; 7], [f64; 7])>> = (0..runs as u64)
        .into_par_iter()
        .map(|r| {
            let (ra, rb) = (simulate(a.1, seed, r), simulate(b.1, seed, r));
            on_run();
            on_run();
            for (arm, res) in [(&a.0.name, &ra), (&b.0.name, &rb)] {
                if let Some((t, what)) = res.first_non_finite() {
                    return Err(ExpError::input(format!(
                        "variant {arm}: the simulation overflowed ({what} is not a finite number in run {r}, period {t}); lower dynamics.growth_rate, the domains' values or calendar.periods"
                    )));
                }
            }
            Ok((outcomes(&ma, &ra), outcomes(&mb, &rb)))
        })
        .collect();
    let pairs = pairs.into_iter().collect::<Result<Vec<_>>>()?;
    let mut differences = Vec::new();
    for (k, name) in OUTCOMES.iter().enumerate() {
        let xa: Vec<f64> = pairs.iter().map(|p| p.0[k]).collect();
        let xb: Vec<f64> = pairs.iter().map(|p| p.1[k]).collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let d0 = xa[0] - xb[0];
        let constant = xa.iter().zip(&xb).all(|(x, y)| x - y == d0);
        let diff = if constant {
            // Identical difference in every run (often 0): the interval collapses to a point.
            Difference {
                outcome: name.to_string(),
                mean_a: mean(&xa),
                mean_b: mean(&xb),
                difference: d0,
                ci_low: d0,
                ci_high: d0,
                p_value: None,
            }
        } else {
            let m = paired(&xa, &xb, 0.95)
                .map_err(|e| ExpError::input(format!("{label}: {name}: {e}")))?;
            Difference {
                outcome: name.to_string(),
                mean_a: m.mean_a,
                mean_b: m.mean_b,
                difference: m.difference,
                ci_low: m.ci_low,
                ci_high: m.ci_high,
                p_value: Some(m.p_value),
            }
        };
        differences.push(diff);
    }
    Ok(Comparison {
        label: label.into(),
        a: a.0.clone(),
        b: b.0.clone(),
        runs,
        seed,
        differences,
    })
}

/// p-values: three decimals, or "< 0.001".
fn fmt_p(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

fn g(v: f64) -> String {
    format!("{v:.3}")
}

/// One row per comparison and outcome, with identifiers: the CSV that scripts read.
pub fn table(cs: &[Comparison]) -> Table {
    rows_table(cs, None)
}

/// The same rows with display names in `lang`: for reports and the terminal.
pub fn display_table(cs: &[Comparison], lang: Lang) -> Table {
    rows_table(cs, Some(lang))
}

fn rows_table(cs: &[Comparison], lang: Option<Lang>) -> Table {
    let name = |id: &str| lang.map_or(id.to_string(), |l| metrics::label(id, l));
    let mut rows = Vec::new();
    for c in cs {
        for d in &c.differences {
            rows.push(vec![
                lang.map_or_else(|| c.label.clone(), |l| comparison_label(c, l)),
                arms(c, lang),
                name(&d.outcome),
                g(d.mean_a),
                g(d.mean_b),
                g(d.difference),
                format!("[{}, {}]", g(d.ci_low), g(d.ci_high)),
                d.p_value.map_or("–".into(), fmt_p),
            ]);
        }
    }
    let zh = lang == Some(Lang::Zh);
    let header: [&str; 8] = match lang {
        None => [
            "comparison",
            "A − B",
            "outcome",
            "mean A",
            "mean B",
            "difference",
            "95% CI",
            "p",
        ],
        Some(_) if zh => [
            "比较",
            "A − B",
            "结果指标",
            "A 均值",
            "B 均值",
            "差值",
            "95% 置信区间",
            "p",
        ],
        Some(_) => [
            "Comparison",
            "A − B",
            "Outcome",
            "Mean A",
            "Mean B",
            "Difference",
            "95% CI",
            "p",
        ],
    };
    Table {
        caption: if zh {
            "配对差值 A − B（两组使用相同随机种子），95% t 区间".into()
        } else {
            "Paired differences A − B (same seeds in both arms), 95% t intervals".into()
        },
        header: header.iter().map(|s| s.to_string()).collect(),
        rows,
        note: Some(if zh {
            "未进入过渡阶段的运行按全期计；进入比例见“进入过渡阶段的比例”。每次运行差值都相同时 p 记为“–”。".into()
        } else {
            "Runs that never reach the transition stage count as the whole horizon in the quarters to transition; the share reaching it is its own row. p is '–' when every run gave the same difference."
                .into()
        }),
    }
}

/// HTML report: per outcome, a horizontal bar chart of the differences with their intervals.
pub fn report(
    cs: &[Comparison],
    scenario_name: &str,
    lang: Lang,
) -> std::result::Result<String, xietong_report::ReportError> {
    Ok(report_parts(cs, scenario_name, lang)?.0.render())
}

/// The report before rendering, and its charts (`diff_<outcome>`) for export as figures.
pub fn report_parts(
    cs: &[Comparison],
    scenario_name: &str,
    lang: Lang,
) -> std::result::Result<(HtmlReport, Vec<Figure>), xietong_report::ReportError> {
    let mut sections = Vec::new();
    let mut figures = Vec::new();
    for (k, name) in OUTCOMES.iter().enumerate() {
        let label = metrics::label(name, lang);
        let d: Vec<&Difference> = cs.iter().map(|c| &c.differences[k]).collect();
        let chart = BarChart {
            title: format!("{label}: A − B"),
            x_label: String::new(),
            y_label: lang
                .pick("difference A − B (95% CI)", "差值 A − B（95% 置信区间）")
                .into(),
            categories: cs.iter().map(|c| arms(c, Some(lang))).collect(),
            groups: vec![BarGroup {
                name: lang.pick("difference", "差值").into(),
                values: d.iter().map(|x| x.difference).collect(),
                err_low: Some(d.iter().map(|x| x.ci_low).collect()),
                err_high: Some(d.iter().map(|x| x.ci_high).collect()),
            }],
            horizontal: true,
            ..Default::default()
        };
        sections.push(Section {
            heading: label,
            blocks: vec![Block::Svg(chart.to_svg()?)],
        });
        figures.push(Figure {
            stem: format!("diff_{name}"),
            caption: chart.title.clone(),
            chart: Box::new(chart),
        });
    }
    // Each variant once: its display name (with the name `--variant` takes) and its overrides.
    let mut seen: Vec<&str> = Vec::new();
    let mut variants = Vec::new();
    for c in cs {
        for v in [&c.a, &c.b] {
            if !seen.contains(&v.name.as_str()) {
                seen.push(&v.name);
                let shown = variant_label(&v.name, lang);
                let first = if shown == v.name {
                    shown
                } else {
                    format!("{shown} ({})", v.name)
                };
                variants.push(vec![first, v.sets.join(", ")]);
            }
        }
    }
    let (runs, seed) = (
        cs.first().map_or(0, |c| c.runs),
        cs.first().map_or(0, |c| c.seed),
    );
    sections.insert(
        0,
        Section {
            heading: lang.pick("Results", "结果").into(),
            blocks: vec![
                Block::Table(display_table(cs, lang)),
                Block::Table(Table {
                    caption: lang.pick("Variants", "方案").into(),
                    header: vec![
                        lang.pick("Variant", "方案").into(),
                        lang.pick("Overrides", "参数设置").into(),
                    ],
                    rows: variants,
                    note: None,
                }),
                Block::Note(if lang == Lang::Zh {
                    format!("每组 {runs} 次运行，种子 {seed}；两组的第 r 次运行使用相同的随机数流（共同随机数），因此区间为配对区间。")
                } else {
                    format!("{runs} runs per arm, seed {seed}; run r of both arms uses the same random streams (common random numbers), so the intervals are paired.")
                }),
            ],
        },
    );
    Ok((
        HtmlReport {
            title: lang.pick("Policy comparison", "政策比较").into(),
            subtitle: scenario_name.into(),
            lang,
            sections,
        },
        figures,
    ))
}

/// The error for a design point whose simulation overflowed (a non-finite indicator), so that no
/// `inf` or `NaN` reaches a results file.
pub(crate) fn overflow(point: usize, replication: usize, period: usize, what: &str) -> ExpError {
    ExpError::input(format!(
        "design point {point}, replication {replication}: the simulation overflowed ({what} is not a finite number in period {period}); the point's values make development grow without bound (lower dynamics.growth_rate, the domains' values or calendar.periods, or narrow the design's ranges)"
    ))
}
