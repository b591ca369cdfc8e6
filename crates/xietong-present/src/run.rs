//! Presentation of `xietong run` results, for every front end: the self-contained `report.html`
//! (cooperation by domain with 5-95% bands, trust and alignment, a stage ribbon, inequality and
//! zone demand, labelled in English or Chinese) and the short terminal summary. Both are drawn
//! from [`Collected`] — the aggregate, per-period bands and stage shares that
//! `xietong_sim::Collector` gathers one run at a time — so a front end never needs every run in
//! memory.

use xietong_model::mechanism::Stage;
use xietong_model::{Scenario, Tier, paper};
use xietong_report::{
    BarChart, BarGroup, Block, Chart, HtmlReport, Lang, LineChart, ReportError, Section, Series,
    StageRibbon, Table, XBand,
};
use xietong_sim::{Aggregate, BandMetric, Collected};

type Result<T> = std::result::Result<T, ReportError>;

fn fmt(x: Option<f64>, digits: usize) -> String {
    x.map_or("—".to_string(), |v| format!("{v:.digits$}"))
}

/// One line with its 5-95% band; every metric of `BandMetric::all` is in `c.bands`.
fn series(c: &Collected, name: String, m: BandMetric) -> Series {
    let (mean, lo, hi) = c.bands.get(m).expect("every banded metric is collected");
    Series {
        name,
        x: (0..mean.len()).map(|t| t as f64).collect(),
        y: mean.to_vec(),
        lower: Some(lo.to_vec()),
        upper: Some(hi.to_vec()),
    }
}

/// `report.html` of a set of runs of `s` (read from `source`, a file name or the built-in name).
pub fn report_html(
    s: &Scenario,
    source: &str,
    seed: u64,
    c: &Collected,
    lang: Lang,
) -> Result<String> {
    Ok(report_parts(s, source, seed, c, lang)?.0.render())
}

/// A chart of the run report, kept as a chart for export at print size (`figures/<stem>.*`).
pub struct Figure {
    pub stem: String,
    pub caption: String,
    pub chart: Box<dyn Chart + Send + Sync>,
}

/// The run report before rendering, and its charts.
pub fn report_parts(
    s: &Scenario,
    source: &str,
    seed: u64,
    c: &Collected,
    lang: Lang,
) -> Result<(HtmlReport, Vec<Figure>)> {
    let figs: std::cell::RefCell<Vec<Figure>> = Default::default();
    let keep = |stem: &str, caption: &str, chart: Box<dyn Chart + Send + Sync>| -> Result<String> {
        let svg = chart.to_svg()?;
        figs.borrow_mut().push(Figure {
            stem: stem.to_string(),
            caption: caption.to_string(),
            chart,
        });
        Ok(svg)
    };
    let agg = &c.aggregate;
    let zh = lang == Lang::Zh;
    let t = |en: &'static str, cn: &'static str| lang.pick(en, cn).to_string();
    let periods = s.calendar.periods as usize;
    let year_ticks: Vec<(f64, String)> = (0..periods)
        .filter(|&p| s.calendar.start.plus(p as i64).quarter() == 1)
        .map(|p| (p as f64, s.calendar.start.plus(p as i64).year().to_string()))
        .collect();
    let ticks = if year_ticks.len() > 12 {
        year_ticks
            .iter()
            .step_by(year_ticks.len().div_ceil(12))
            .cloned()
            .collect()
    } else {
        year_ticks
    };
    let dname = |k: usize| {
        if zh {
            s.domains[k].name_zh.clone()
        } else {
            s.domains[k].name_en.clone()
        }
    };
    // the survey window, shaded on every time chart: its quarters are periods a..=b, each
    // drawn as the unit around its point
    let (w_a, w_b) = s.survey_periods();
    let survey_band = vec![XBand {
        from: w_a as f64 - 0.5,
        to: w_b as f64 + 0.5,
        label: format!(
            "{} {}–{}",
            t("Survey window", "问卷调查窗口"),
            s.calendar.survey_window[0],
            s.calendar.survey_window[1]
        ),
    }];
    let line = |stem: &str,
                title: String,
                y_label: String,
                series: Vec<Series>,
                y_range: Option<(f64, f64)>|
     -> Result<String> {
        let chart = LineChart {
            title: title.clone(),
            // ticks mark the first quarter of each year
            x_label: t("Year", "年份"),
            y_label,
            series,
            y_range,
            x_ticks: Some(ticks.clone()),
            width: 860,
            height: 420,
        }
        .with_x_bands(survey_band.clone());
        keep(stem, &title, Box::new(chart))
    };

    let mut sections = Vec::new();

    // Overview.
    let window = format!(
        "{}–{}",
        agg.survey_period.window[0], agg.survey_period.window[1]
    );
    let stat_row = |label: String, st: &xietong_sim::runset::Stat, digits: usize| -> Vec<String> {
        let mut row = vec![
            label,
            fmt(st.mean, digits),
            fmt(st.p05, digits),
            fmt(st.p95, digits),
        ];
        row.push(
            st.never_share
                .map_or(String::new(), |v| format!("{:.0}%", v * 100.0)),
        );
        row
    };
    let overview = Table {
        caption: t("Outcomes over runs", "各次模拟的结果"),
        header: vec![
            t("Measure", "指标"),
            t("Mean", "均值"),
            "5%".into(),
            "95%".into(),
            t("Never reached", "未达到"),
        ],
        rows: vec![
            stat_row(
                t("First transition period", "首次进入过渡阶段（期）"),
                &agg.first_transition_period,
                1,
            ),
            stat_row(
                t("First advanced period", "首次进入高级阶段（期）"),
                &agg.first_advanced_period,
                1,
            ),
            stat_row(t("Dilemmas", "协同困境次数"), &agg.dilemmas, 2),
            stat_row(
                t("Retreat decisions", "退出决策次数"),
                &agg.retreat_decisions,
                2,
            ),
            stat_row(
                t("Cumulative cooperation", "累计合作"),
                &agg.cumulative_cooperation,
                2,
            ),
            stat_row(t("Final Gini", "期末基尼系数"), &agg.final_gini, 3),
            stat_row(
                t("Final alignment", "期末标准协同度"),
                &agg.final_alignment,
                3,
            ),
            stat_row(t("Final trust", "期末信任"), &agg.final_trust, 3),
        ],
        note: Some(format!(
            "{} {}; {} {}; {} {}; {} {:.0}%.",
            t("Scenario", "情景"),
            source,
            t("runs", "模拟次数"),
            agg.runs,
            t("seed", "随机种子"),
            seed,
            t("runs ending in retreat", "以退出告终的比例"),
            agg.retreat_share * 100.0
        )),
    };
    sections.push(Section {
        heading: t("Overview", "概览"),
        blocks: vec![
            Block::Paragraph(format!(
                "{} {} {} {}, {} {}.",
                t("Simulated", "模拟"),
                periods,
                t("quarters from", "个季度，起始于"),
                s.calendar.start,
                t("survey window", "问卷调查窗口"),
                window
            )),
            Block::Table(overview),
        ],
    });

    // Cooperation by domain, one chart per tier.
    let mut blocks = Vec::new();
    for tier in Tier::ALL {
        let ks: Vec<usize> = (0..s.domains.len())
            .filter(|&k| s.domains[k].tier == tier)
            .collect();
        if ks.is_empty() {
            continue;
        }
        let title = match tier {
            Tier::Basic => t("Basic domains", "基础领域"),
            Tier::Key => t("Key domains", "重点领域"),
            Tier::Other => t("Other domains", "其他领域"),
        };
        let ser = ks
            .iter()
            .map(|&k| series(c, dname(k), BandMetric::Domain(k)))
            .collect();
        let stem = format!("cooperation_{}", figs.borrow().len() + 1);
        blocks.push(Block::Svg(line(
            &stem,
            title,
            t("Probability of cooperating", "合作概率"),
            ser,
            Some((0.0, 1.0)),
        )?));
    }
    let mut rows = Vec::new();
    for (k, d) in s.domains.iter().enumerate() {
        let sim = agg
            .survey_period
            .cooperation_by_domain
            .get(&d.id)
            .copied()
            .unwrap_or(f64::NAN);
        let paper = paper::SURVEY_COOPERATION
            .iter()
            .find(|(id, _)| *id == d.id)
            .map_or(String::new(), |(_, v)| format!("{v:.3}"));
        rows.push(vec![
            dname(k),
            match d.tier {
                Tier::Basic => t("Basic", "基础"),
                Tier::Key => t("Key", "重点"),
                Tier::Other => t("Other", "其他"),
            },
            format!("{sim:.3}"),
            paper,
        ]);
    }
    blocks.push(Block::Table(Table {
        caption: format!("{} ({window})", t("Cooperation in the survey window", "问卷窗口期的合作概率")),
        header: vec![t("Domain", "领域"), t("Tier", "层级"), t("Simulated", "模拟"), t("Paper (figure 5)", "论文（图5）")],
        rows,
        note: Some(t(
            "Coloured bands: 5-95% of runs; grey: the survey window. Paper column: share of respondents naming the domain as a preferred future direction of joint work (Liu & Li 2024, figure 5), the calibration target.",
            "彩色阴影：各次模拟的5%-95%区间；灰色：问卷调查窗口。论文列：受访者选择该领域作为未来协同方向的比例（刘敏、李晓玲 2024，图5），为校准目标。",
        )),
    }));
    sections.push(Section {
        heading: t("Cooperation by domain", "各领域合作"),
        blocks,
    });

    // Trust, alignment and protectionism.
    let state = vec![
        series(c, t("Trust τ", "信任 τ"), BandMetric::Trust),
        series(c, t("Alignment ā", "标准协同度 ā"), BandMetric::Alignment),
        series(
            c,
            t("Local-centric thinking λ", "地方本位思维 λ"),
            BandMetric::LocalCentric,
        ),
        series(
            c,
            t("Administrative barrier β", "行政壁垒 β"),
            BandMetric::Barrier,
        ),
        series(
            c,
            t("Regional orientation ω", "区域取向 ω"),
            BandMetric::Orientation,
        ),
    ];
    sections.push(Section {
        heading: t(
            "Trust, alignment and local protectionism",
            "信任、标准协同与地方保护主义",
        ),
        blocks: vec![Block::Svg(line(
            "trust_alignment",
            t("Regional means", "区域均值"),
            t("Level", "水平"),
            state,
            Some((0.0, 1.0)),
        )?)],
    });

    // Stage ribbon: share of runs in each stage per period.
    let shares: Vec<Vec<f64>> = c.stage_shares.iter().map(|s| s.to_vec()).collect();
    let ribbon = StageRibbon {
        title: t(
            "Stage of collaboration (share of runs)",
            "协同阶段（各次模拟所占比例）",
        ),
        periods: (0..periods).map(|p| s.period_label(p)).collect(),
        categories: Stage::ALL
            .iter()
            .map(|st| {
                if zh {
                    st.name_zh().to_string()
                } else {
                    st.id().to_string()
                }
            })
            .collect(),
        shares,
        width: 860,
        // as tall as the line charts' plots, so the stage shares are readable
        height: 360,
    };
    sections.push(Section {
        heading: t("Stages", "阶段"),
        blocks: vec![Block::Svg(keep(
            "stages",
            &ribbon.title.clone(),
            Box::new(ribbon),
        )?)],
    });

    // Inequality and siphoning.
    let ineq = vec![
        series(c, t("Gini", "基尼系数"), BandMetric::Gini),
        series(c, t("Theil", "泰尔指数"), BandMetric::Theil),
        series(c, t("Siphon index", "虹吸指数"), BandMetric::Siphon),
    ];
    sections.push(Section {
        heading: t("Inequality and siphon effect", "不平等与虹吸效应"),
        blocks: vec![
            Block::Svg(line("inequality", t("Development inequality across jurisdictions", "各地区发展差距"), t("Index", "指数"), ineq, None)?),
            Block::Note(t(
                "Siphon index: share of the realized joint value captured by the more developed province.",
                "虹吸指数：已实现的合作收益中由发展水平较高一方获得的比例。",
            )),
        ],
    });

    // Zone demand.
    let zones: Vec<String> = s.zones.iter().map(|z| z.id.clone()).collect();
    let sim_demand: Vec<f64> = zones
        .iter()
        .map(|z| {
            agg.survey_period
                .zone_demand
                .get(z)
                .copied()
                .unwrap_or(f64::NAN)
        })
        .collect();
    let mut groups = vec![BarGroup {
        name: t("Simulated", "模拟"),
        values: sim_demand,
        err_low: None,
        err_high: None,
    }];
    let paper_demand: Vec<f64> = zones
        .iter()
        .map(|z| {
            paper::ZONE_DEMAND
                .iter()
                .find(|(id, _)| id == z)
                .map_or(f64::NAN, |p| p.1)
        })
        .collect();
    if paper_demand.iter().all(|v| !v.is_nan()) {
        groups.push(BarGroup {
            name: t("Paper (questionnaire 1)", "论文（问卷一）"),
            values: paper_demand,
            err_low: None,
            err_high: None,
        });
    }
    let demand = BarChart {
        title: format!(
            "{} ({window})",
            t("Standards demand by zone", "各区域标准需求")
        ),
        x_label: t("Zone", "区域"),
        y_label: t("Demand score", "需求得分"),
        categories: zones,
        groups,
        horizontal: false,
        width: 860,
        height: 400,
    };
    sections.push(Section {
        heading: t("Standards demand", "标准需求"),
        blocks: vec![Block::Svg(keep(
            "zone_demand",
            &demand.title.clone(),
            Box::new(demand),
        )?)],
    });

    let report = HtmlReport {
        title: format!(
            "{} — {}",
            t("xietong simulation report", "协同模拟报告"),
            s.name
        ),
        subtitle: if zh {
            "区域协同机制模拟（刘敏、李晓玲 2024 理论）".to_string()
        } else {
            "Mechanism simulation of regional collaboration (theory: Liu & Li 2024)".to_string()
        },
        lang,
        sections,
    };
    Ok((report, figs.into_inner()))
}

/// What `xietong run` prints when it is done: runs, scenario and destination, the most common
/// stage in the survey window, and when the transition stage is reached.
pub fn terminal_summary(
    s: &Scenario,
    seed: u64,
    destination: &str,
    agg: &Aggregate,
    lang: Lang,
) -> String {
    let zh = lang == Lang::Zh;
    let sp = &agg.survey_period;
    let mut out = if zh {
        format!(
            "{} 的 {} 次模拟（自 {} 起 {} 期），种子 {seed} → {destination}/\n",
            s.name, agg.runs, s.calendar.start, s.calendar.periods,
        )
    } else {
        format!(
            "{} runs of {} ({} periods from {}), seed {seed} → {destination}/\n",
            agg.runs, s.name, s.calendar.periods, s.calendar.start,
        )
    };
    let stage_now = sp
        .stage_shares
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(k, v)| {
            let name = Stage::ALL
                .iter()
                .find(|st| st.id() == k.as_str())
                .filter(|_| zh)
                .map_or(k.to_string(), |st| st.name_zh().to_string());
            format!("{name} ({:.0}%)", v * 100.0)
        })
        .unwrap_or_default();
    let (w0, w1) = (&sp.window[0], &sp.window[1]);
    out.push_str(&if zh {
        format!("问卷窗口期 {w0}–{w1}：最常见的阶段为 {stage_now}\n")
    } else {
        format!("survey window {w0}–{w1}: most common stage {stage_now}\n")
    });
    let never = agg.first_transition_period.never_share.unwrap_or(0.0) * 100.0;
    out.push_str(&match (agg.first_transition_period.mean, zh) {
        (Some(m), false) => format!(
            "transition reached after {m:.1} periods on average (never in {never:.0}% of runs)\n"
        ),
        (Some(m), true) => {
            format!("平均 {m:.1} 期后进入过渡阶段（{never:.0}% 的模拟从未进入）\n")
        }
        (None, false) => "transition never reached\n".into(),
        (None, true) => "从未进入过渡阶段\n".into(),
    });
    out
}

/// `report.html` and the export files (figures/* as `figures` asks, tables.xlsx, tables.tex,
/// report.docx) of a set of runs.
pub fn report_files(
    s: &Scenario,
    source: &str,
    seed: u64,
    c: &Collected,
    lang: Lang,
    figures: &crate::figures::FigureOptions,
) -> std::result::Result<(String, Vec<crate::OutputFile>), crate::Error> {
    let (report, figs) =
        report_parts(s, source, seed, c, lang).map_err(|source| crate::Error::Draw {
            what: "report.html".into(),
            source,
        })?;
    let refs: Vec<crate::figures::FigureRef> = figs
        .iter()
        .map(|f| crate::figures::FigureRef {
            stem: &f.stem,
            caption: &f.caption,
            chart: f.chart.as_ref(),
        })
        .collect();
    let export = crate::figures::export_files(&report, &refs, figures)?;
    Ok((report.render(), export))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_charts_shade_the_scenarios_survey_window_and_the_ribbon_is_tall() {
        let s = xietong_model::builtin::chengdu_chongqing(&[]).unwrap();
        let mut col = xietong_sim::Collector::in_memory(&s);
        for r in xietong_sim::run_many(&s, 1, 3, &|| {}) {
            col.push(&r).unwrap();
        }
        let c = col.finish().unwrap();
        let (report, figs) = report_parts(&s, "builtin", 1, &c, Lang::En).unwrap();
        let [w0, w1] = s.calendar.survey_window;
        let label = format!("Survey window {w0}–{w1}");
        let (a, b) = s.survey_periods();
        let mut lines = 0;
        for f in &figs {
            let svg = f.chart.to_svg().unwrap();
            if f.stem == "stages" || f.stem == "zone_demand" {
                assert!(!svg.contains(&label), "{}", f.stem);
                continue;
            }
            lines += 1;
            assert!(svg.contains(&label), "{} has the band label", f.stem);
            // the shaded rectangle spans the window's quarters a-0.5..b+0.5 of the 40
            // periods; the x scale is read off the year ticks of the same chart
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let band = doc
                .descendants()
                .find(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#eaeaea"))
                .expect("shaded survey window");
            let num = |n: roxmltree::Node, k: &str| n.attribute(k).unwrap().parse::<f64>().unwrap();
            let tick = |y: &str| {
                doc.descendants()
                    .find(|n| n.has_tag_name("text") && n.text() == Some(y))
                    .map(|n| num(n, "x"))
                    .unwrap()
            };
            // 2020Q1 is period 0 and 2021Q1 period 4
            let (x0, x4) = (tick("2020"), tick("2021"));
            let at = |p: f64| x0 + (x4 - x0) * p / 4.0;
            assert!((num(band, "x") - at(a as f64 - 0.5)).abs() < 0.6);
            assert!((num(band, "x") + num(band, "width") - at(b as f64 + 0.5)).abs() < 0.6);
        }
        assert_eq!(lines, 5, "three tiers, the regional means and inequality");
        let ribbon = figs.iter().find(|f| f.stem == "stages").unwrap();
        let svg = ribbon.chart.to_svg().unwrap();
        assert!(
            svg.contains(r#"height="360""#),
            "ribbon at least 360 px tall"
        );
        assert!(report.render().contains(&label));
    }
}
