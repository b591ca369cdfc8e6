//! Analysis of a finished experiment: for any design, per-point summaries of each metric over
//! its replications (`points.csv`); for Morris and Saltelli designs, Morris measures or Sobol'
//! indices of the per-point means, from `xietong-sensitivity` (whose estimators are validated
//! against SALib and closed forms there). Tables and a report as strings; no I/O.

use serde::Serialize;
use xietong_report::{
    BarChart, BarGroup, Block, Chart, HtmlReport, Lang, LineChart, Section, Series, Table,
};
use xietong_sensitivity::{
    Method, MorrisIndices, MorrisOptions, Replicates, SobolIndices, SobolOptions, morris_analyze,
    sobol_analyze,
};

use crate::error::{ExpError, Result};
use crate::metrics::{cell, label as metric_label};
use crate::plan::{Plan, csv_field};
use xietong_model::labels::path_label;

/// Indices of one metric.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Indices {
    Morris(MorrisIndices),
    Sobol(SobolIndices),
}

/// A chart of a report, kept as a chart (not only its SVG) so it can be laid out again at a
/// printed size for export.
pub struct Figure {
    /// File stem, e.g. `sobol_cooperation`.
    pub stem: String,
    /// Caption for a document (the chart's title).
    pub caption: String,
    pub chart: Box<dyn Chart + Send + Sync>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricAnalysis {
    pub metric: String,
    /// None when the metric could not be analysed (`note` says why).
    pub indices: Option<Indices>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub name: String,
    pub method: String,
    pub points: usize,
    pub replications: usize,
    pub metrics: Vec<MetricAnalysis>,
}

/// Reads `results.csv` rows one at a time (header first) and keeps, per metric, the mean over
/// replications at each point, and a `points.csv` line per point with each metric's n, mean, sd,
/// p05 and p95 over its replications (`xietong_sensitivity::Replicates`). Memory: one point's
/// values plus one number per point and metric, however many rows.
pub struct PointAccumulator<'a> {
    plan: &'a Plan,
    header: Vec<String>,
    rows: usize,
    current: Vec<Replicates>,
    means: Vec<Vec<f64>>,
    points_csv: String,
}

impl<'a> PointAccumulator<'a> {
    pub fn new(plan: &'a Plan) -> PointAccumulator<'a> {
        let mut points_csv = String::from("point");
        for f in &plan.factors {
            points_csv.push(',');
            points_csv.push_str(&csv_field(&f.name));
        }
        for m in &plan.metric_names {
            for stat in ["n", "mean", "sd", "p05", "p95"] {
                points_csv.push(',');
                points_csv.push_str(&csv_field(&format!("{m}_{stat}")));
            }
        }
        points_csv.push('\n');
        PointAccumulator {
            plan,
            header: crate::store::split_csv_line(plan.header().trim_end()),
            rows: 0,
            current: vec![Replicates::new(); plan.metrics.len()],
            means: vec![Vec::with_capacity(plan.n_points()); plan.metrics.len()],
            points_csv,
        }
    }

    /// One line of `results.csv` split into fields; `line` is its 1-based line number.
    pub fn push(&mut self, line: usize, row: &[String]) -> Result<()> {
        if line == 1 {
            if row != self.header.as_slice() {
                return Err(ExpError::input(
                    "results.csv: the header does not match the experiment's columns",
                ));
            }
            return Ok(());
        }
        let reps = self.plan.replications();
        let p = self.rows / reps;
        if p >= self.plan.n_points() {
            return Err(ExpError::input(format!(
                "results.csv:{line}: more rows than {} points × {reps} replications",
                self.plan.n_points()
            )));
        }
        if row.len() != self.header.len() || row[0] != p.to_string() {
            return Err(ExpError::input(format!(
                "results.csv:{line}: expected point {p} with {} fields",
                self.header.len()
            )));
        }
        let first_metric = 3 + self.plan.factors.len();
        for (k, acc) in self.current.iter_mut().enumerate() {
            let c = &row[first_metric + k];
            if c.is_empty() {
                continue;
            }
            let v: f64 = c
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    ExpError::input(format!(
                        "results.csv:{line}: {} = {c:?} is not a number",
                        self.plan.metric_names[k]
                    ))
                })?;
            acc.push(v).expect("finite");
        }
        self.rows += 1;
        if self.rows == (p + 1) * reps {
            self.close_point(p);
        }
        Ok(())
    }

    fn close_point(&mut self, p: usize) {
        let out = &mut self.points_csv;
        out.push_str(&p.to_string());
        for (j, v) in self.plan.design.row(p).iter().enumerate() {
            out.push(',');
            out.push_str(&csv_field(&self.plan.label(j, *v)));
        }
        for (k, acc) in self.current.iter_mut().enumerate() {
            let n = acc.stats().count();
            let s = (n > 0).then(|| acc.summary());
            let sd = s.as_ref().filter(|_| n > 1).map(|s| s.std_dev);
            out.push_str(&format!(
                ",{n},{},{},{},{}",
                cell(s.as_ref().map(|s| s.mean)),
                cell(sd),
                cell(s.as_ref().map(|s| s.p05)),
                cell(s.as_ref().map(|s| s.p95))
            ));
            self.means[k].push(s.map_or(f64::NAN, |s| s.mean));
            *acc = Replicates::new();
        }
        out.push('\n');
    }

    /// Per-metric point means and the text of `points.csv`; errors if rows are missing.
    pub fn finish(self) -> Result<(Vec<Vec<f64>>, String)> {
        let want = self.plan.n_points() * self.plan.replications();
        if self.rows != want {
            return Err(ExpError::input(format!(
                "results.csv: {} rows, expected {} points × {} replications = {want}",
                self.rows,
                self.plan.n_points(),
                self.plan.replications()
            )));
        }
        Ok((self.means, self.points_csv))
    }
}

/// Per metric, the mean over replications at each point (NaN where no replication has a value,
/// e.g. an event that never happened). `rows` is `results.csv` split into fields, header first.
pub fn point_means(plan: &Plan, rows: &[Vec<String>]) -> Result<Vec<Vec<f64>>> {
    if rows.is_empty() {
        return Err(ExpError::input("results.csv is empty"));
    }
    let mut acc = PointAccumulator::new(plan);
    for (i, r) in rows.iter().enumerate() {
        acc.push(i + 1, r)?;
    }
    Ok(acc.finish()?.0)
}

/// Whether the design supports sensitivity indices (Morris or Saltelli).
pub fn has_indices(plan: &Plan) -> bool {
    matches!(
        plan.design.method,
        Method::Morris { .. } | Method::Saltelli { .. }
    )
}

/// Analyse every metric with the method the design was made for, from the rows of `results.csv`.
pub fn analyze(plan: &Plan, rows: &[Vec<String>], resamples: usize, seed: u64) -> Result<Analysis> {
    if !has_indices(plan) {
        return analyze_means(plan, &[], resamples, seed);
    }
    analyze_means(plan, &point_means(plan, rows)?, resamples, seed)
}

/// Analyse per-point means (one vector per metric, in design order).
pub fn analyze_means(
    plan: &Plan,
    means: &[Vec<f64>],
    resamples: usize,
    seed: u64,
) -> Result<Analysis> {
    let kind = match plan.design.method {
        Method::Morris { .. } => "morris",
        Method::Saltelli { .. } => "sobol",
        ref m => {
            return Err(ExpError::input(format!(
                "sensitivity indices need a morris or saltelli design; {} was made with a {} design (points.csv has per-point summaries for regression or plotting)",
                plan.experiment_file,
                m.name()
            )));
        }
    };
    if resamples == 0 {
        return Err(ExpError::input("--resamples: expected at least 1"));
    }
    let mut out = Vec::new();
    for (k, y) in means.iter().enumerate() {
        let metric = plan.metric_names[k].clone();
        if let Some(p) = y.iter().position(|v| v.is_nan()) {
            out.push(MetricAnalysis {
                metric,
                indices: None,
                note: Some(format!(
                    "no replication of point {p} has a value (the event never happened); analyse a 0/1 metric such as reached_transition instead"
                )),
            });
            continue;
        }
        let indices = if kind == "morris" {
            morris_analyze(
                &plan.design,
                y,
                &MorrisOptions {
                    resamples,
                    conf_level: 0.95,
                    seed,
                },
            )
            .map(Indices::Morris)
        } else {
            sobol_analyze(
                &plan.design,
                y,
                &SobolOptions {
                    resamples,
                    conf_level: 0.95,
                    seed,
                },
            )
            .map(Indices::Sobol)
        };
        match indices {
            Ok(i) => out.push(MetricAnalysis {
                metric,
                indices: Some(i),
                note: None,
            }),
            Err(e) => out.push(MetricAnalysis {
                metric,
                indices: None,
                note: Some(e.to_string()),
            }),
        }
    }
    Ok(Analysis {
        name: plan.spec.name.clone(),
        method: kind.into(),
        points: plan.n_points(),
        replications: plan.replications(),
        metrics: out,
    })
}

fn f(v: f64) -> String {
    format!("{v:.4}")
}

/// One table row per (metric, factor): the long format that spreadsheets and R read directly.
pub fn indices_table(a: &Analysis) -> Table {
    let morris = a.method == "morris";
    let header: Vec<String> = if morris {
        ["metric", "factor", "mu", "mu_star", "sigma", "mu_star_conf"]
    } else {
        ["metric", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    }
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for m in &a.metrics {
        match &m.indices {
            Some(Indices::Morris(i)) => {
                for j in 0..i.names.len() {
                    rows.push(vec![
                        m.metric.clone(),
                        i.names[j].clone(),
                        f(i.mu[j]),
                        f(i.mu_star[j]),
                        f(i.sigma[j]),
                        f(i.mu_star_conf[j]),
                    ]);
                }
            }
            Some(Indices::Sobol(i)) => {
                for j in 0..i.names.len() {
                    rows.push(vec![
                        m.metric.clone(),
                        i.names[j].clone(),
                        f(i.s1[j]),
                        f(i.s1_conf[j]),
                        f(i.st[j]),
                        f(i.st_conf[j]),
                    ]);
                }
            }
            None => {}
        }
    }
    Table {
        caption: if morris {
            "Morris elementary effects (mean over replications per point; 95% bootstrap half-width of mu*)".into()
        } else {
            "Sobol' indices (first order S1, total ST; 95% bootstrap half-widths)".into()
        },
        header,
        rows,
        note: None,
    }
}

/// The HTML report: per metric, a tornado chart (factors sorted by importance, horizontal bars with
/// intervals) and its table; second-order indices when present.
pub fn report(
    a: &Analysis,
    lang: Lang,
) -> std::result::Result<String, xietong_report::ReportError> {
    Ok(report_parts(a, lang)?.0.render())
}

/// The report before rendering, and its charts (`morris_<metric>` / `sobol_<metric>`).
pub fn report_parts(
    a: &Analysis,
    lang: Lang,
) -> std::result::Result<(HtmlReport, Vec<Figure>), xietong_report::ReportError> {
    let mut figures = Vec::new();
    let zh = lang == Lang::Zh;
    let fl = |p: &str| path_label(p, None, zh);
    let ml = |m: &str| metric_label(m, lang);
    let hdr = |v: &[(&str, &str)]| -> Vec<String> {
        v.iter()
            .map(|(en, cn)| lang.pick(en, cn).to_string())
            .collect()
    };
    let mut sections = Vec::new();
    for m in &a.metrics {
        let mut blocks = Vec::new();
        match &m.indices {
            None => blocks.push(Block::Note(
                m.note
                    .clone()
                    .unwrap_or_else(|| lang.pick("not analysed", "未分析").into()),
            )),
            Some(Indices::Morris(i)) => {
                let mut order: Vec<usize> = (0..i.names.len()).collect();
                order.sort_by(|&x, &y| i.mu_star[y].total_cmp(&i.mu_star[x]));
                let chart = BarChart {
                    title: format!("{}: μ*", ml(&m.metric)),
                    x_label: String::new(),
                    y_label: lang
                        .pick("mean |elementary effect| (μ*)", "平均绝对基本效应 μ*")
                        .into(),
                    categories: order.iter().map(|&j| fl(&i.names[j])).collect(),
                    groups: vec![
                        BarGroup {
                            name: "μ*".into(),
                            values: order.iter().map(|&j| i.mu_star[j]).collect(),
                            err_low: Some(
                                order
                                    .iter()
                                    .map(|&j| i.mu_star[j] - i.mu_star_conf[j])
                                    .collect(),
                            ),
                            err_high: Some(
                                order
                                    .iter()
                                    .map(|&j| i.mu_star[j] + i.mu_star_conf[j])
                                    .collect(),
                            ),
                        },
                        BarGroup {
                            name: "σ".into(),
                            values: order.iter().map(|&j| i.sigma[j]).collect(),
                            err_low: None,
                            err_high: None,
                        },
                    ],
                    horizontal: true,
                    ..Default::default()
                };
                blocks.push(Block::Svg(chart.to_svg()?));
                figures.push(Figure {
                    stem: format!("morris_{}", m.metric),
                    caption: chart.title.clone(),
                    chart: Box::new(chart),
                });
                blocks.push(Block::Table(Table {
                    caption: format!("{} — Morris (r = {})", ml(&m.metric), i.trajectories),
                    header: hdr(&[
                        ("Factor", "因素"),
                        ("μ", "μ"),
                        ("μ*", "μ*"),
                        ("σ", "σ"),
                        ("μ* ± (95%)", "μ* ±（95%）"),
                    ]),
                    rows: order
                        .iter()
                        .map(|&j| {
                            vec![
                                fl(&i.names[j]),
                                f(i.mu[j]),
                                f(i.mu_star[j]),
                                f(i.sigma[j]),
                                f(i.mu_star_conf[j]),
                            ]
                        })
                        .collect(),
                    note: Some(
                        lang.pick(
                            "Large μ* with small σ: an influential, nearly linear factor; large σ: non-linear or interacting.",
                            "μ* 大而 σ 小：影响大且近似线性；σ 大：非线性或存在交互作用。",
                        )
                        .into(),
                    ),
                }));
            }
            Some(Indices::Sobol(i)) => {
                let mut order: Vec<usize> = (0..i.names.len()).collect();
                order.sort_by(|&x, &y| i.st[y].total_cmp(&i.st[x]));
                let group = |name: &str, v: &[f64], c: &[f64]| BarGroup {
                    name: name.into(),
                    values: order.iter().map(|&j| v[j]).collect(),
                    err_low: Some(order.iter().map(|&j| v[j] - c[j]).collect()),
                    err_high: Some(order.iter().map(|&j| v[j] + c[j]).collect()),
                };
                let chart = BarChart {
                    title: format!("{}: Sobol' S1, ST", ml(&m.metric)),
                    x_label: String::new(),
                    y_label: lang.pick("share of output variance", "输出方差占比").into(),
                    categories: order.iter().map(|&j| fl(&i.names[j])).collect(),
                    groups: vec![
                        group("S1", &i.s1, &i.s1_conf),
                        group("ST", &i.st, &i.st_conf),
                    ],
                    horizontal: true,
                    ..Default::default()
                };
                blocks.push(Block::Svg(chart.to_svg()?));
                figures.push(Figure {
                    stem: format!("sobol_{}", m.metric),
                    caption: chart.title.clone(),
                    chart: Box::new(chart),
                });
                blocks.push(Block::Table(Table {
                    caption: format!("{} — Sobol' (N = {})", ml(&m.metric), i.base_samples),
                    header: hdr(&[
                        ("Factor", "因素"),
                        ("S1", "S1"),
                        ("± (95%)", "±（95%）"),
                        ("ST", "ST"),
                        ("± (95%)", "±（95%）"),
                    ]),
                    rows: order
                        .iter()
                        .map(|&j| {
                            vec![
                                fl(&i.names[j]),
                                f(i.s1[j]),
                                f(i.s1_conf[j]),
                                f(i.st[j]),
                                f(i.st_conf[j]),
                            ]
                        })
                        .collect(),
                    note: (!i.warnings.is_empty()).then(|| i.warnings.join("; ")),
                }));
                if !i.s2.is_empty() {
                    blocks.push(Block::Table(Table {
                        caption: format!(
                            "{} — {}",
                            ml(&m.metric),
                            lang.pick("second-order indices S2", "二阶指数 S2")
                        ),
                        header: hdr(&[
                            ("Factor i", "因素 i"),
                            ("Factor j", "因素 j"),
                            ("S2", "S2"),
                            ("± (95%)", "±（95%）"),
                        ]),
                        rows: i
                            .s2
                            .iter()
                            .map(|p| {
                                vec![fl(&i.names[p.i]), fl(&i.names[p.j]), f(p.value), f(p.conf)]
                            })
                            .collect(),
                        note: None,
                    }));
                }
            }
        }
        sections.push(Section {
            heading: ml(&m.metric),
            blocks,
        });
    }
    Ok((
        HtmlReport {
            title: format!(
                "{}: {}",
                lang.pick("Sensitivity analysis", "敏感性分析"),
                if a.name.is_empty() {
                    "experiment"
                } else {
                    &a.name
                }
            ),
            subtitle: if zh {
                format!(
                    "{} — {} 个设计点 × {} 次重复；输出为各设计点重复运行的均值",
                    a.method, a.points, a.replications
                )
            } else {
                format!(
                    "{} — {} points × {} replications; outputs are per-point means over replications",
                    a.method, a.points, a.replications
                )
            },
            lang,
            sections,
        },
        figures,
    ))
}

/// Main effects of each factor on one metric, for any design: the points are grouped by the
/// factor's value (its levels when it has at most 12, else 8 equal-count bins), and each group's
/// mean of the point means is drawn against the factor's position in its range (low = 0, high =
/// 1), so factors of different units share one chart. The band is the 10–90 % range of the point
/// means in the group: how much the other factors move the metric at that value.
pub fn main_effects(plan: &Plan, means: &[f64], factor: usize) -> Option<Series> {
    let col: Vec<f64> = plan.design.rows().map(|r| r[factor]).collect();
    let (lo, hi) = col
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !(hi > lo) {
        return None;
    }
    let mut order: Vec<usize> = (0..col.len()).filter(|&p| means[p].is_finite()).collect();
    order.sort_by(|&a, &b| col[a].total_cmp(&col[b]));
    let mut levels: Vec<f64> = order.iter().map(|&p| col[p]).collect();
    levels.dedup();
    let groups: Vec<Vec<usize>> = if levels.len() <= 12 {
        levels
            .iter()
            .map(|&v| order.iter().copied().filter(|&p| col[p] == v).collect())
            .collect()
    } else {
        let k = 8.min(order.len());
        (0..k)
            .map(|b| order[b * order.len() / k..(b + 1) * order.len() / k].to_vec())
            .collect()
    };
    let mut s = Series {
        name: String::new(),
        lower: Some(Vec::new()),
        upper: Some(Vec::new()),
        ..Default::default()
    };
    for g in groups.iter().filter(|g| !g.is_empty()) {
        let x = g.iter().map(|&p| col[p]).sum::<f64>() / g.len() as f64;
        let mut ys: Vec<f64> = g.iter().map(|&p| means[p]).collect();
        ys.sort_by(f64::total_cmp);
        s.x.push((x - lo) / (hi - lo));
        s.y.push(ys.iter().sum::<f64>() / ys.len() as f64);
        let q = |f: f64| xietong_sensitivity::summary::quantile_sorted(&ys, f);
        s.lower.as_mut().unwrap().push(q(0.1));
        s.upper.as_mut().unwrap().push(q(0.9));
    }
    (s.x.len() >= 2).then_some(s)
}

/// The report of a design without indices (grid, list, random, Latin hypercube, Sobol'
/// sequence): per metric, the main effects of every factor (`main_effects`) in one chart, and a
/// table of each factor's range of group means, largest first.
pub fn sweep_report(
    plan: &Plan,
    means: &[Vec<f64>],
    lang: Lang,
) -> std::result::Result<String, xietong_report::ReportError> {
    Ok(sweep_report_parts(plan, means, lang)?.0.render())
}

/// The sweep report before rendering, and its charts (`main_effects_<metric>`).
pub fn sweep_report_parts(
    plan: &Plan,
    means: &[Vec<f64>],
    lang: Lang,
) -> std::result::Result<(HtmlReport, Vec<Figure>), xietong_report::ReportError> {
    let mut figures = Vec::new();
    let zh = lang == Lang::Zh;
    let mut sections = Vec::new();
    for (k, metric) in plan.metric_names.iter().enumerate() {
        let label = metric_label(metric, lang);
        let mut series = Vec::new();
        let mut rows = Vec::new();
        for (j, factor) in plan.factors.iter().enumerate() {
            if let Some(mut s) = main_effects(plan, &means[k], j) {
                s.name = path_label(&factor.name, Some(&plan.base), zh);
                let (a, b) =
                    s.y.iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                            (a.min(v), b.max(v))
                        });
                rows.push((b - a, vec![s.name.clone(), f(a), f(b), f(b - a)]));
                series.push(s);
            }
        }
        if series.is_empty() {
            continue;
        }
        rows.sort_by(|x, y| y.0.total_cmp(&x.0));
        let chart = LineChart {
            title: format!("{label}: {}", lang.pick("main effects", "主效应")),
            x_label: lang
                .pick(
                    "factor value, as a share of its range (low = 0, high = 1)",
                    "因素取值在其范围内的位置（下限 = 0，上限 = 1）",
                )
                .into(),
            y_label: label.clone(),
            series,
            ..Default::default()
        };
        let svg = chart.to_svg()?;
        figures.push(Figure {
            stem: format!("main_effects_{metric}"),
            caption: chart.title.clone(),
            chart: Box::new(chart),
        });
        sections.push(Section {
            heading: label.clone(),
            blocks: vec![
                Block::Svg(svg),
                Block::Table(Table {
                    caption: format!("{label}: {}", lang.pick("range of group means by factor", "各因素分组均值的极差")),
                    header: [
                        lang.pick("Factor", "因素"),
                        lang.pick("Lowest group mean", "最低组均值"),
                        lang.pick("Highest group mean", "最高组均值"),
                        lang.pick("Range", "极差"),
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                    rows: rows.into_iter().map(|r| r.1).collect(),
                    note: Some(lang.pick(
                        "Points grouped by the factor's value (its levels, or 8 equal-count bins); bands: 10–90 % of the point means in a group. A one-factor-at-a-time view: interactions show as wide bands, not as separate effects; use a Morris or Saltelli design for indices.",
                        "按因素取值分组（取值水平或 8 个等频区间）；阴影为组内设计点均值的 10–90% 范围。此为单因素视角：交互作用表现为宽阴影；需要敏感性指数请用 Morris 或 Saltelli 设计。",
                    ).into()),
                }),
            ],
        });
    }
    Ok((
        HtmlReport {
            title: format!(
                "{}: {}",
                lang.pick("Parameter sweep", "参数扫描"),
                if plan.spec.name.is_empty() {
                    "experiment"
                } else {
                    &plan.spec.name
                }
            ),
            subtitle: if zh {
                format!(
                    "{} — {} 个设计点 × {} 次重复；输出为各设计点重复运行的均值",
                    plan.design.method.name(),
                    plan.n_points(),
                    plan.replications()
                )
            } else {
                format!(
                    "{} — {} points × {} replications; outputs are per-point means over replications",
                    plan.design.method.name(),
                    plan.n_points(),
                    plan.replications()
                )
            },
            lang,
            sections,
        },
        figures,
    ))
}
