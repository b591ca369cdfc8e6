//! `survey analyze`: every analysis a codebook implies, as APA-style tables (for CSV, Markdown and
//! HTML) and charts. Pure computation: the caller writes the files.

use crate::codebook::{Codebook, ItemType, ScaleMethod, item_scores};
use crate::data::{DataError, Table, split_choices};
use crate::stats::{anova, chi2, describe, multi, reliability, ttest};
use crate::text::p_apa;
/// Beyond this many items with significant post-hoc pairs, the report's post-hoc table keeps only
/// the scale scores (when the codebook defines any); results.json keeps every pair.
const MAX_POSTHOC_ITEMS: usize = 8;
use serde_json::{Value, json};
use xietong_report::{
    BarChart, BarGroup, Block, Chart, DivergingBarChart, Lang, Section, Table as RTable,
};

/// A chart of the analysis, kept as a chart (not only its SVG) so it can be laid out again at
/// a printed size for export.
pub struct Figure {
    /// File stem, e.g. `means_zone`.
    pub stem: String,
    /// Caption for a document (the chart's title).
    pub caption: String,
    pub chart: Box<dyn Chart + Send + Sync>,
}

pub struct Analysis {
    pub title: String,
    pub subtitle: String,
    pub sections: Vec<Section>,
    /// (file stem, table) for CSV and Markdown export.
    pub tables: Vec<(String, RTable)>,
    /// The charts, in report order (their SVG is in `sections`).
    pub charts: Vec<Figure>,
    pub json: Value,
    pub warnings: Vec<String>,
}

/// A numeric variable ready for analysis: item or scale.
struct Var {
    id: String,
    label: String,
    values: Vec<Option<f64>>,
}

fn f3(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "—".into()
    }
}
fn f2(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "—".into()
    }
}
/// "= .015" or "< .001", to follow a "p".
fn p_rel(p: f64) -> String {
    let s = p_apa(p);
    if s.starts_with('<') {
        s
    } else {
        format!("= {s}")
    }
}
fn opt3(v: Option<f64>) -> String {
    v.map_or("—".into(), f3)
}

pub fn analyze(t: &Table, cb: &Codebook, lang: Lang) -> Result<Analysis, DataError> {
    let pick = |en: &str, zh: &str| lang.pick(en, zh).to_string();
    let lab = |zh: &str, en: &str| {
        if lang == Lang::En && !en.is_empty() {
            en.to_string()
        } else {
            zh.to_string()
        }
    };
    let n = t.n_rows();
    if n == 0 {
        // Like ttest/anova: a header without answers has nothing to report.
        return Err(DataError::File {
            file: t.source.clone(),
            msg: "no respondents: the file has a header row but no data rows, so there is nothing to analyze".into(),
        });
    }
    let weights: Option<Vec<f64>> = match &cb.survey.weight {
        Some(w) => {
            let j = t.col(w)?;
            let v = t.numeric(j, &[])?;
            Some(v.into_iter().map(|x| x.unwrap_or(0.0)).collect())
        }
        None => None,
    };
    // Check every referenced column up front so the error names the codebook item.
    for it in &cb.items {
        for c in it.column.iter().chain(it.columns.iter()) {
            t.col(c).map_err(|_| DataError::File {
                file: t.source.clone(),
                msg: format!(
                    "codebook item '{}' refers to column '{c}', which is not in the data",
                    it.id
                ),
            })?;
        }
    }
    for g in &cb.groups {
        t.col(&g.column).map_err(|_| DataError::File {
            file: t.source.clone(),
            msg: format!(
                "codebook group '{}' refers to column '{}', which is not in the data",
                g.id, g.column
            ),
        })?;
    }
    let mut sections = Vec::new();
    let mut tables: Vec<(String, RTable)> = Vec::new();
    let mut charts: Vec<Figure> = Vec::new();
    let mut warnings = Vec::new();
    let mut js = serde_json::Map::new();
    let push_table =
        |sec: &mut Vec<Block>, stem: &str, tab: RTable, tables: &mut Vec<(String, RTable)>| {
            sec.push(Block::Table(tab.clone()));
            tables.push((format!("{:02}_{stem}", tables.len() + 1), tab));
        };
    let add_chart = |sec: &mut Vec<Block>,
                     stem: &str,
                     caption: &str,
                     chart: Box<dyn Chart + Send + Sync>,
                     charts: &mut Vec<Figure>,
                     warnings: &mut Vec<String>| match chart.to_svg() {
        Ok(svg) => {
            sec.push(Block::Svg(svg));
            charts.push(Figure {
                stem: stem.to_string(),
                caption: caption.to_string(),
                chart,
            });
        }
        Err(e) => warnings.push(format!("chart {stem}: {e}")),
    };

    // Group codes.
    let mut group_codes: Vec<(usize, Vec<Option<usize>>)> = Vec::new();
    for (gi, g) in cb.groups.iter().enumerate() {
        let cats = t.categorical(t.col(&g.column)?, &cb.survey.missing);
        let mut codes = Vec::with_capacity(n);
        for (r, c) in cats.iter().enumerate() {
            codes.push(match c {
                None => None,
                Some(c) => match g.levels.iter().position(|l| l == c) {
                    Some(k) => Some(k),
                    None => {
                        return Err(DataError::Cell {
                            file: t.source.clone(),
                            row: r + 2,
                            column: g.column.clone(),
                            msg: format!(
                                "'{c}' is not a declared level of group '{}' ({})",
                                g.id,
                                g.levels.join(", ")
                            ),
                        });
                    }
                },
            });
        }
        group_codes.push((gi, codes));
    }
    let level_names = |gi: usize| -> Vec<String> {
        let g = &cb.groups[gi];
        if lang == Lang::En && !g.levels_en.is_empty() {
            g.levels_en.clone()
        } else {
            g.levels.clone()
        }
    };

    // 1. Sample.
    {
        let mut blocks = Vec::new();
        if cb.survey.synthetic {
            blocks.push(Block::Note(pick(
                "SYNTHETIC DATA: generated by a program (for the paper's surveys, to match its published figures); these are not real responses.",
                "合成数据：由程序生成（论文问卷的数据按论文公开的汇总数字生成），并非真实答卷。",
            )));
        }
        blocks.push(Block::Paragraph(format!(
            "{}: {n}. {}: {} ({})",
            pick("Cases", "样本量"),
            pick("Source", "数据来源"),
            t.source,
            t.encoding
        )));
        let mut sample = serde_json::Map::new();
        for (gi, codes) in &group_codes {
            let g = &cb.groups[*gi];
            let (rows, valid, missing) =
                describe::frequencies(&level_names(*gi), codes, weights.as_deref());
            let tab = RTable {
                caption: format!(
                    "{}: {}",
                    pick("Sample by", "样本构成"),
                    lab(&g.label, &g.label_en)
                ),
                header: vec![
                    pick("Level", "类别"),
                    pick("n", "人数"),
                    pick("%", "百分比"),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.value.clone(),
                            format!("{:.0}", r.count),
                            format!("{:.1}", r.valid_percent),
                        ]
                    })
                    .collect(),
                note: Some(format!(
                    "{}: {valid:.0}; {}: {missing:.0}",
                    pick("Valid", "有效"),
                    pick("missing", "缺失")
                )),
            };
            sample.insert(g.id.clone(), json!(rows));
            push_table(&mut blocks, &format!("sample_{}", g.id), tab, &mut tables);
        }
        js.insert("n".into(), json!(n));
        js.insert("sample".into(), Value::Object(sample));
        sections.push(Section {
            heading: pick("Sample", "样本"),
            blocks,
        });
    }

    // 2. Likert and numeric items: descriptives and diverging bars.
    let mut vars: Vec<Var> = Vec::new();
    {
        let mut blocks = Vec::new();
        let mut rows = Vec::new();
        let mut jitems = serde_json::Map::new();
        let mut div_items = Vec::new();
        let mut div_shares = Vec::new();
        let mut div_levels: Option<Vec<String>> = None;
        for it in cb
            .items
            .iter()
            .filter(|i| matches!(i.kind, ItemType::Likert | ItemType::Numeric))
        {
            let v = item_scores(t, cb, it)?;
            let (xs, ws): (Vec<f64>, Vec<f64>) = v
                .iter()
                .enumerate()
                .filter_map(|(i, x)| x.map(|x| (x, weights.as_ref().map_or(1.0, |w| w[i]))))
                .unzip();
            let d = if weights.is_some() {
                describe::describe_weighted(&xs, &ws, 0.95)
            } else {
                describe::describe(&xs, 0.95)
            };
            let label = lab(&it.label, &it.label_en);
            match d {
                Ok(d) => {
                    rows.push(vec![
                        label.clone(),
                        format!("{:.0}", d.n),
                        f2(d.mean),
                        opt3(d.sd),
                        opt3(d.se),
                        format!(
                            "[{}, {}]",
                            d.ci_low.map_or("—".into(), f2),
                            d.ci_high.map_or("—".into(), f2)
                        ),
                        f2(d.median),
                    ]);
                    jitems.insert(it.id.clone(), json!(d));
                }
                Err(e) => warnings.push(format!("item '{}': {e}", it.id)),
            }
            if it.kind == ItemType::Likert {
                let p = it.points.unwrap_or(5) as usize;
                let mut counts = vec![0.0; p];
                for (i, x) in v.iter().enumerate() {
                    if let Some(x) = x {
                        counts[*x as usize - 1] += weights.as_ref().map_or(1.0, |w| w[i]);
                    }
                }
                let tot: f64 = counts.iter().sum();
                let levels: Vec<String> = if lang == Lang::En && !it.labels_en.is_empty() {
                    it.labels_en.clone()
                } else if !it.labels.is_empty() {
                    it.labels.clone()
                } else {
                    (1..=p).map(|k| k.to_string()).collect()
                };
                if tot > 0.0 && div_levels.as_ref().is_none_or(|l| l.len() == p) {
                    div_levels.get_or_insert(levels);
                    div_items.push(label.clone());
                    div_shares.push(counts.iter().map(|c| c / tot).collect::<Vec<f64>>());
                }
            }
            vars.push(Var {
                id: it.id.clone(),
                label,
                values: v,
            });
        }
        if !rows.is_empty() {
            let tab = RTable {
                caption: pick("Descriptive statistics of rating items", "评分题描述统计"),
                header: vec![
                    pick("Item", "题目"),
                    "n".into(),
                    "M".into(),
                    "SD".into(),
                    "SE".into(),
                    "95% CI".into(),
                    pick("Median", "中位数"),
                ],
                rows,
                note: Some(pick(
                    "Reverse-keyed items are rescored before analysis. CI: t-based.",
                    "反向题已重新计分。置信区间基于 t 分布。",
                )),
            };
            push_table(&mut blocks, "items_descriptives", tab, &mut tables);
            if let Some(levels) = div_levels {
                let caption = pick("Distribution of answers", "各题回答分布");
                let chart = DivergingBarChart {
                    title: caption.clone(),
                    items: div_items,
                    levels,
                    shares: div_shares,
                    width: 0,
                    height: 0,
                };
                add_chart(
                    &mut blocks,
                    "likert_diverging",
                    &caption,
                    Box::new(chart),
                    &mut charts,
                    &mut warnings,
                );
            }
            js.insert("items".into(), Value::Object(jitems));
            sections.push(Section {
                heading: pick("Rating items", "评分题"),
                blocks,
            });
        }
    }

    // 3. Scales: scores, descriptives, reliability.
    {
        let mut blocks = Vec::new();
        let mut rows = Vec::new();
        let mut rel_rows = Vec::new();
        let mut jscales = serde_json::Map::new();
        for s in &cb.scales {
            let cols: Vec<&Var> = s
                .items
                .iter()
                .filter_map(|i| vars.iter().find(|v| &v.id == i))
                .collect();
            let mut score = Vec::with_capacity(n);
            let mut complete = Vec::new();
            for r in 0..n {
                let row: Option<Vec<f64>> = cols.iter().map(|c| c.values[r]).collect();
                score.push(row.as_ref().map(|v| {
                    let sum: f64 = v.iter().sum();
                    if s.method == ScaleMethod::Mean {
                        sum / v.len() as f64
                    } else {
                        sum
                    }
                }));
                if let Some(v) = row {
                    complete.push(v);
                }
            }
            let label = lab(&s.label, &s.label_en);
            let xs: Vec<f64> = score.iter().flatten().copied().collect();
            let mut entry = serde_json::Map::new();
            if let Ok(d) = describe::describe(&xs, 0.95) {
                rows.push(vec![
                    label.clone(),
                    s.items.len().to_string(),
                    format!("{:.0}", d.n),
                    f2(d.mean),
                    opt3(d.sd),
                    format!(
                        "[{}, {}]",
                        d.ci_low.map_or("—".into(), f2),
                        d.ci_high.map_or("—".into(), f2)
                    ),
                ]);
                entry.insert("descriptives".into(), json!(d));
            }
            match reliability::reliability(
                &cols.iter().map(|c| c.label.clone()).collect::<Vec<_>>(),
                &complete,
            ) {
                Ok(r) => {
                    rel_rows.push(vec![
                        label.clone(),
                        r.k.to_string(),
                        r.n.to_string(),
                        f3(r.alpha),
                        f3(r.standardized_alpha),
                        opt3(r.omega),
                    ]);
                    for w in &r.warnings {
                        warnings.push(format!("scale '{}': {w}", s.id));
                    }
                    entry.insert("reliability".into(), json!(r));
                }
                Err(e) => warnings.push(format!("scale '{}': {e}", s.id)),
            }
            jscales.insert(s.id.clone(), Value::Object(entry));
            vars.push(Var {
                id: s.id.clone(),
                label,
                values: score,
            });
        }
        if !cb.scales.is_empty() {
            push_table(
                &mut blocks,
                "scales_descriptives",
                RTable {
                    caption: pick("Scale scores", "量表得分"),
                    header: vec![
                        pick("Scale", "量表"),
                        pick("Items", "题数"),
                        "n".into(),
                        "M".into(),
                        "SD".into(),
                        "95% CI".into(),
                    ],
                    rows,
                    note: Some(pick(
                        "Scores from cases with all items answered.",
                        "仅含全部题目作答的样本。",
                    )),
                },
                &mut tables,
            );
            push_table(
                &mut blocks,
                "scales_reliability",
                RTable {
                    caption: pick("Reliability", "信度"),
                    header: vec![
                        pick("Scale", "量表"),
                        "k".into(),
                        "n".into(),
                        "Cronbach α".into(),
                        pick("Standardized α", "标准化 α"),
                        "McDonald ω".into(),
                    ],
                    rows: rel_rows,
                    note: Some(pick(
                        "ω from a one-factor ULS (minres) model on the correlation matrix.",
                        "ω 基于相关矩阵的单因子 ULS（minres）模型。",
                    )),
                },
                &mut tables,
            );
            js.insert("scales".into(), Value::Object(jscales));
            sections.push(Section {
                heading: pick("Scales", "量表"),
                blocks,
            });
        }
    }

    // 4. Group comparisons of items and scales.
    let mut jcomp = Vec::new();
    for (gi, codes) in &group_codes {
        let g = &cb.groups[*gi];
        let lv = level_names(*gi);
        let k = lv.len();
        let mut blocks = Vec::new();
        let mut rows = Vec::new();
        let mut means_groups: Vec<BarGroup> = Vec::new();
        // The scale range of each means_groups entry (1..=points for Likert means), if known.
        let mut means_ranges: Vec<Option<(f64, f64)>> = Vec::new();
        let mut posthoc_rows: Vec<Vec<String>> = Vec::new();
        // Whether each post-hoc row belongs to a scale score (not a single item).
        let mut posthoc_scale: Vec<bool> = Vec::new();
        for v in &vars {
            let mut gs: Vec<Vec<f64>> = vec![Vec::new(); k];
            for r in 0..n {
                if let (Some(x), Some(c)) = (v.values[r], codes[r]) {
                    gs[c].push(x);
                }
            }
            let present: Vec<usize> = (0..k).filter(|&i| !gs[i].is_empty()).collect();
            if present.len() < 2 {
                warnings.push(format!(
                    "{} by {}: fewer than two groups with data",
                    v.id, g.id
                ));
                continue;
            }
            let refs: Vec<&[f64]> = present.iter().map(|&i| gs[i].as_slice()).collect();
            let names: Vec<String> = present.iter().map(|&i| lv[i].clone()).collect();
            let stats = anova::group_stats(&refs);
            let mut cells = vec![v.label.clone()];
            for s in &stats {
                cells.push(format!("{} ({})", f2(s.mean), s.sd.map_or("—".into(), f2)));
            }
            if present.len() == 2 {
                match ttest::ttest_ind(refs[0], refs[1], 0.95, false) {
                    Ok(tt) => {
                        let w = tt.welch.as_ref();
                        cells.push(format!("t({:.0}) = {}", tt.student.df, f2(tt.student.t)));
                        cells.push(p_apa(tt.student.p));
                        cells.push(w.map_or("—".into(), |w| {
                            format!("t({:.1}) = {}, p {}", w.df, f2(w.t), p_rel(w.p))
                        }));
                        cells.push(f2(tt.cohen_d));
                        jcomp.push(
                            json!({"group": g.id, "var": v.id, "levels": names, "ttest": tt}),
                        );
                    }
                    Err(e) => {
                        warnings.push(format!("{} by {}: {e}", v.id, g.id));
                        continue;
                    }
                }
            } else {
                match anova::oneway(&refs) {
                    Ok(a) => {
                        let w = anova::welch(&refs).ok();
                        cells.push(format!("F({:.0}, {:.0}) = {}", a.df1, a.df2, f2(a.f)));
                        cells.push(p_apa(a.p));
                        cells.push(w.as_ref().map_or("—".into(), |w| {
                            format!(
                                "F({:.0}, {:.1}) = {}, p {}",
                                w.df1,
                                w.df2,
                                f2(w.f),
                                p_rel(w.p)
                            )
                        }));
                        cells.push(f3(a.eta_squared));
                        let tk = anova::tukey(&refs, &names).ok();
                        if a.p < 0.05
                            && let Some(pairs) = &tk
                        {
                            for pr in pairs.iter().filter(|pr| pr.p < 0.05) {
                                posthoc_scale.push(cb.scales.iter().any(|sc| sc.id == v.id));
                                posthoc_rows.push(vec![
                                    v.label.clone(),
                                    format!("{} − {}", pr.a, pr.b),
                                    f2(pr.diff),
                                    f3(pr.se),
                                    p_apa(pr.p),
                                ]);
                            }
                        }
                        jcomp.push(json!({"group": g.id, "var": v.id, "levels": names, "anova": a, "welch": w, "tukey": tk}));
                    }
                    Err(e) => {
                        warnings.push(format!("{} by {}: {e}", v.id, g.id));
                        continue;
                    }
                }
            }
            if present.len() == k {
                rows.push(cells);
                let ci = |s: &anova::GroupStat, sign: f64| match s.sd {
                    Some(sd) if s.n > 1 => {
                        s.mean
                            + sign * crate::stats::dist::t_quantile(0.975, s.n as f64 - 1.0) * sd
                                / (s.n as f64).sqrt()
                    }
                    _ => s.mean,
                };
                means_ranges.push(value_range(cb, &v.id));
                means_groups.push(BarGroup {
                    name: v.label.clone(),
                    values: stats.iter().map(|s| s.mean).collect(),
                    err_low: Some(stats.iter().map(|s| ci(s, -1.0)).collect()),
                    err_high: Some(stats.iter().map(|s| ci(s, 1.0)).collect()),
                });
            } else {
                warnings.push(format!(
                    "{} by {}: some levels have no data; row left out of the table",
                    v.id, g.id
                ));
            }
        }
        if rows.is_empty() {
            continue;
        }
        let mut header = vec![pick("Variable", "变量")];
        header.extend(lv.iter().map(|l| format!("{l} M (SD)")));
        if k == 2 {
            header.extend([
                pick("Student t", "t 检验"),
                "p".into(),
                "Welch".into(),
                "d".into(),
            ]);
        } else {
            header.extend(["F".into(), "p".into(), "Welch".into(), "η²".into()]);
        }
        let glabel = lab(&g.label, &g.label_en);
        push_table(
            &mut blocks,
            &format!("compare_{}", g.id),
            RTable {
                caption: format!("{} {}", pick("Comparison by", "按组比较："), glabel),
                header,
                rows,
                note: Some(pick(
                    "Two groups: independent t-test (Student; Welch alongside). More: one-way ANOVA, Welch ANOVA; Tukey HSD post-hoc comparisons in the next table.",
                    "两组：独立样本 t 检验（Student 与 Welch）；多组：单因素方差分析与 Welch 检验，Tukey 事后比较见下表。",
                )),
            },
            &mut tables,
        );
        // With many items (the paper's 40-item questionnaire gives some 800 significant pairs) the
        // report keeps the scale scores' pairs; every pair stays in results.json.
        let items_with_pairs = {
            let mut v: Vec<&String> = posthoc_rows
                .iter()
                .zip(&posthoc_scale)
                .filter(|(_, s)| !**s)
                .map(|(r, _)| &r[0])
                .collect();
            v.dedup();
            v.len()
        };
        let only_scales = items_with_pairs > MAX_POSTHOC_ITEMS && posthoc_scale.iter().any(|s| *s);
        if only_scales {
            posthoc_rows = posthoc_rows
                .into_iter()
                .zip(&posthoc_scale)
                .filter(|(_, s)| **s)
                .map(|(r, _)| r)
                .collect();
        }
        if !posthoc_rows.is_empty() {
            push_table(
                &mut blocks,
                &format!("posthoc_{}", g.id),
                RTable {
                    caption: format!(
                        "{} {}",
                        pick("Tukey HSD post-hoc comparisons by", "Tukey HSD 事后比较："),
                        glabel
                    ),
                    header: vec![
                        pick("Variable", "变量"),
                        pick("Pair", "组对"),
                        pick("Mean difference", "均值差"),
                        "SE".into(),
                        pick("p (adjusted)", "p（校正）"),
                    ],
                    rows: posthoc_rows,
                    note: Some(if only_scales {
                        pick(
                            &format!(
                                "Scale scores whose one-way ANOVA has p < .05; pairs with Tukey-adjusted p < .05. The {items_with_pairs} items with such pairs are left out here for length; every pair of every variable is in results.json (comparisons → tukey)."
                            ),
                            &format!(
                                "仅列单因素方差分析 p < .05 的量表得分中 Tukey 校正 p < .05 的组对；为控制篇幅，此处略去有此类组对的 {items_with_pairs} 个题项，全部组对见 results.json（comparisons → tukey）。"
                            ),
                        )
                    } else {
                        pick(
                            "Variables whose one-way ANOVA has p < .05; pairs with Tukey-adjusted p < .05. Every pair of every variable is in results.json (comparisons → tukey).",
                            "仅列单因素方差分析 p < .05 的变量中 Tukey 校正 p < .05 的组对；全部组对见 results.json（comparisons → tukey）。",
                        )
                    }),
                },
                &mut tables,
            );
        }
        // Means chart: scales if any, otherwise items (at most 8 series to stay legible).
        let scale_ids: Vec<&str> = cb.scales.iter().map(|s| s.id.as_str()).collect();
        let (chosen, ranges): (Vec<BarGroup>, Vec<Option<(f64, f64)>>) = if scale_ids.is_empty() {
            means_groups.into_iter().zip(means_ranges).take(8).unzip()
        } else {
            means_groups
                .into_iter()
                .zip(means_ranges)
                .filter(|(b, _)| {
                    cb.scales
                        .iter()
                        .any(|s| lab(&s.label, &s.label_en) == b.name)
                })
                .take(8)
                .unzip()
        };
        // Means on a common 1..p scale are drawn on that scale (bars from 1, not 0).
        let common_range = ranges
            .first()
            .copied()
            .flatten()
            .filter(|r| ranges.iter().all(|x| *x == Some(*r)));
        if !chosen.is_empty() {
            let caption = format!("{} {} (95% CI)", pick("Means by", "各组均值："), glabel);
            let chart = BarChart {
                title: caption.clone(),
                x_label: glabel.clone(),
                y_label: pick("Mean", "均值"),
                categories: lv.clone(),
                groups: chosen,
                horizontal: false,
                width: 0,
                height: 0,
            };
            let chart: Box<dyn Chart + Send + Sync> = match common_range {
                Some((lo, hi)) => Box::new(chart.with_value_range(lo, hi)),
                None => Box::new(chart),
            };
            add_chart(
                &mut blocks,
                &format!("means_{}", g.id),
                &caption,
                chart,
                &mut charts,
                &mut warnings,
            );
        }
        sections.push(Section {
            heading: format!("{} {}", pick("Comparison by", "组间比较："), glabel),
            blocks,
        });
    }
    js.insert("comparisons".into(), json!(jcomp));

    // 5. Single-choice and multiple-response questions.
    {
        let mut blocks = Vec::new();
        let mut jq = serde_json::Map::new();
        for it in cb
            .items
            .iter()
            .filter(|i| matches!(i.kind, ItemType::Single | ItemType::Multi))
        {
            let label = lab(&it.label, &it.label_en);
            let opts_disp: Vec<String> = if lang == Lang::En
                && it.labels_en.len() == it.labels.len()
                && !it.labels_en.is_empty()
            {
                it.labels_en.clone()
            } else {
                it.labels.clone()
            };
            let mut miss = cb.survey.missing.clone();
            miss.extend(it.missing.iter().cloned());
            if it.kind == ItemType::Single {
                let col = it.column.as_deref().unwrap_or("");
                let cats = t.categorical(t.col(col)?, &miss);
                let mut codes = Vec::with_capacity(n);
                for (r, c) in cats.iter().enumerate() {
                    codes.push(match c {
                        None => None,
                        Some(c) => {
                            Some(it.labels.iter().position(|l| l == c).ok_or_else(|| {
                                DataError::Cell {
                                    file: t.source.clone(),
                                    row: r + 2,
                                    column: col.into(),
                                    msg: format!(
                                        "'{c}' is not an option of item '{}' ({})",
                                        it.id,
                                        it.labels.join(", ")
                                    ),
                                }
                            })?)
                        }
                    });
                }
                let (rows, valid, missing) =
                    describe::frequencies(&opts_disp, &codes, weights.as_deref());
                push_table(
                    &mut blocks,
                    &format!("freq_{}", it.id),
                    RTable {
                        caption: label.clone(),
                        header: vec![
                            pick("Option", "选项"),
                            "n".into(),
                            pick("Valid %", "有效百分比"),
                            pick("Cumulative %", "累计百分比"),
                        ],
                        rows: rows
                            .iter()
                            .map(|r| {
                                vec![
                                    r.value.clone(),
                                    format!("{:.0}", r.count),
                                    format!("{:.1}", r.valid_percent),
                                    format!("{:.1}", r.cumulative_percent),
                                ]
                            })
                            .collect(),
                        note: Some(format!(
                            "{}: {valid:.0}; {}: {missing:.0}",
                            pick("Valid", "有效"),
                            pick("missing", "缺失")
                        )),
                    },
                    &mut tables,
                );
                let mut entry = json!({"frequencies": rows});
                for (gi, gcodes) in &group_codes {
                    let g = &cb.groups[*gi];
                    let mut obs = vec![vec![0.0; g.levels.len()]; it.labels.len()];
                    for r in 0..n {
                        if let (Some(a), Some(b)) = (codes[r], gcodes[r]) {
                            obs[a][b] += 1.0;
                        }
                    }
                    let obs: Vec<Vec<f64>> = obs
                        .into_iter()
                        .filter(|row| row.iter().sum::<f64>() > 0.0)
                        .collect();
                    match chi2::contingency(&obs) {
                        Ok(c) => {
                            blocks.push(Block::Paragraph(format!(
                                "{label} × {}: χ²({:.0}) = {:.2}, p {}, Cramér's V = {:.3}{}{}",
                                lab(&g.label, &g.label_en),
                                c.pearson.df,
                                c.pearson.chi2,
                                p_rel(c.pearson.p),
                                c.cramers_v,
                                // 2×2 tables: the exact test, which small expected counts call for.
                                c.fisher_p
                                    .map(|fp| format!(
                                        "; {} p {}",
                                        pick("Fisher's exact test", "Fisher 精确检验"),
                                        p_rel(fp)
                                    ))
                                    .unwrap_or_default(),
                                c.warnings
                                    .first()
                                    .map(|w| format!(" ({w})"))
                                    .unwrap_or_default()
                            )));
                            entry[format!("chi2_by_{}", g.id)] = json!(c);
                        }
                        Err(e) => warnings.push(format!("{} by {}: {e}", it.id, g.id)),
                    }
                }
                jq.insert(it.id.clone(), entry);
            } else {
                let sel: Vec<Vec<Option<bool>>> = if !it.columns.is_empty() {
                    let cols: Vec<Vec<Option<f64>>> = it
                        .columns
                        .iter()
                        .map(|c| t.numeric(t.col(c)?, &miss))
                        .collect::<Result<_, _>>()?;
                    for (c, vals) in it.columns.iter().zip(&cols) {
                        if let Some(r) = vals
                            .iter()
                            .position(|v| v.is_some_and(|v| v != 0.0 && v != 1.0))
                        {
                            return Err(DataError::Cell {
                                file: t.source.clone(),
                                row: r + 2,
                                column: c.clone(),
                                msg: "option columns of a multiple-response item must be 0/1"
                                    .into(),
                            });
                        }
                    }
                    (0..n)
                        .map(|r| cols.iter().map(|c| c[r].map(|v| v == 1.0)).collect())
                        .collect()
                } else {
                    let cats = t.categorical(t.col(it.column.as_deref().unwrap_or(""))?, &miss);
                    cats.iter()
                        .map(|c| match c {
                            None => vec![None; it.labels.len()],
                            Some(s) => {
                                let ch = split_choices(s);
                                it.labels.iter().map(|o| Some(ch.contains(o))).collect()
                            }
                        })
                        .collect()
                };
                let names = if opts_disp.len() == sel.first().map_or(0, |r| r.len()) {
                    opts_disp.clone()
                } else {
                    it.columns.clone()
                };
                let tot = multi::multi_response(&names, &sel, weights.as_deref());
                push_table(
                    &mut blocks,
                    &format!("multi_{}", it.id),
                    RTable {
                        // Questionnaires often already say so in the question ("…（多选）").
                        caption: if ["多选", "multiple"]
                            .iter()
                            .any(|w| label.to_lowercase().contains(w))
                        {
                            label.clone()
                        } else {
                            format!("{label} ({})", pick("multiple response", "多选"))
                        },
                        header: vec![
                            pick("Option", "选项"),
                            "n".into(),
                            pick("% of responses", "占回答%"),
                            pick("% of cases", "占个案%"),
                        ],
                        rows: tot
                            .options
                            .iter()
                            .map(|o| {
                                vec![
                                    o.item.clone(),
                                    format!("{:.0}", o.count),
                                    format!("{:.1}", o.pct_responses),
                                    format!("{:.1}", o.pct_cases),
                                ]
                            })
                            .collect(),
                        note: Some(format!(
                            "{}: {:.0}",
                            pick("Cases with at least one choice", "至少选择一项的个案"),
                            tot.cases
                        )),
                    },
                    &mut tables,
                );
                let chart = BarChart {
                    title: label.clone(),
                    x_label: String::new(),
                    y_label: pick("% of cases", "占个案%"),
                    categories: names.clone(),
                    groups: vec![BarGroup {
                        name: pick("All", "全部"),
                        values: tot.options.iter().map(|o| o.pct_cases).collect(),
                        err_low: None,
                        err_high: None,
                    }],
                    horizontal: true,
                    width: 0,
                    height: 0,
                };
                add_chart(
                    &mut blocks,
                    &format!("multi_{}", it.id),
                    &label,
                    Box::new(chart),
                    &mut charts,
                    &mut warnings,
                );
                let mut entry = json!({"total": tot});
                for (gi, gcodes) in &group_codes {
                    let g = &cb.groups[*gi];
                    let by = multi::multi_by_group(
                        &names,
                        &sel,
                        gcodes,
                        g.levels.len(),
                        weights.as_deref(),
                    );
                    let lv = level_names(*gi);
                    let mut header = vec![pick("Option", "选项")];
                    header.extend(lv.iter().map(|l| format!("{l} %")));
                    push_table(
                        &mut blocks,
                        &format!("multi_{}_by_{}", it.id, g.id),
                        RTable {
                            caption: format!(
                                "{label} × {} ({})",
                                lab(&g.label, &g.label_en),
                                pick("% of cases", "占个案%")
                            ),
                            header,
                            rows: names
                                .iter()
                                .enumerate()
                                .map(|(j, o)| {
                                    let mut r = vec![o.clone()];
                                    r.extend(
                                        by.iter().map(|b| format!("{:.1}", b.options[j].pct_cases)),
                                    );
                                    r
                                })
                                .collect(),
                            note: None,
                        },
                        &mut tables,
                    );
                    entry[format!("by_{}", g.id)] = json!(
                        lv.iter()
                            .zip(&by)
                            .map(|(l, b)| json!({"level": l, "table": b}))
                            .collect::<Vec<_>>()
                    );
                }
                jq.insert(it.id.clone(), entry);
            }
        }
        if !jq.is_empty() {
            js.insert("questions".into(), Value::Object(jq));
            sections.push(Section {
                heading: pick("Choice questions", "选择题"),
                blocks,
            });
        }
    }
    if !warnings.is_empty() {
        sections.push(Section {
            heading: pick("Notes", "说明"),
            blocks: warnings.iter().map(|w| Block::Note(w.clone())).collect(),
        });
    }
    js.insert("warnings".into(), json!(warnings));
    let title = if lang == Lang::En && !cb.survey.title_en.is_empty() {
        cb.survey.title_en.clone()
    } else {
        cb.survey.title.clone()
    };
    let subtitle = format!(
        "{}{} · n = {n}",
        if cb.survey.synthetic {
            pick("SYNTHETIC DATA · ", "合成数据 · ")
        } else {
            String::new()
        },
        t.source
    );
    Ok(Analysis {
        title,
        subtitle,
        sections,
        tables,
        charts,
        json: Value::Object(js),
        warnings,
    })
}

/// The value range of an item or scale score: `1..=points` for a Likert item and for the mean
/// of Likert items with the same points, `k..=k·points` for their sum; `None` when not fixed
/// (numeric items, mixed points).
fn value_range(cb: &Codebook, id: &str) -> Option<(f64, f64)> {
    let likert = |item: &str| {
        cb.items
            .iter()
            .find(|it| it.id == item && it.kind == ItemType::Likert)
            .and_then(|it| it.points)
            .map(|p| (1.0, p as f64))
    };
    if let Some(s) = cb.scales.iter().find(|s| s.id == id) {
        let first = likert(s.items.first()?)?;
        if !s.items.iter().all(|i| likert(i) == Some(first)) {
            return None;
        }
        let k = s.items.len() as f64;
        Some(match s.method {
            ScaleMethod::Mean => first,
            // a sum of k items on 1..=p ranges k..=k·p
            ScaleMethod::Sum => (k * first.0, k * first.1),
        })
    } else {
        likert(id)
    }
}

/// Markdown version of all tables, under section headings.
pub fn to_markdown(a: &Analysis) -> String {
    let mut out = format!("# {}\n\n{}\n\n", a.title, a.subtitle);
    for s in &a.sections {
        out += &format!("## {}\n\n", s.heading);
        for b in &s.blocks {
            match b {
                Block::Table(t) => {
                    out += &t.to_markdown();
                    out += "\n";
                }
                Block::Paragraph(p) => out += &format!("{p}\n\n"),
                Block::Note(p) => out += &format!("> {p}\n\n"),
                _ => {}
            }
        }
    }
    out
}
