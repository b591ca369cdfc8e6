//! `xietong survey …` (issue 4): questionnaire exports to tables, JSON and reports. This module does
//! the I/O (reading files, printing, writing results atomically); the computing is in
//! `xietong-survey`.

use crate::error::bad_input;
use crate::io::{begin_set, finish_set, write_atomic};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use xietong_report::{HtmlReport, Lang};
use xietong_survey::codebook::{self, Codebook};
use xietong_survey::data::{Table, to_csv_bytes};
use xietong_survey::quick;
use xietong_survey::read::{ReadOptions, read_table};
use xietong_survey::text::{num, p_apa, render};
use xietong_survey::{analyze, paper};

#[derive(Args, Clone)]
pub struct Input {
    /// Data file: .csv/.tsv (UTF-8, UTF-8 BOM, GBK/GB18030 detected), .xlsx, .xls, .ods.
    pub data: PathBuf,
    /// Text encoding of a CSV file (e.g. gbk, gb18030, utf-8); detected when omitted.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Worksheet of an Excel file (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Extra missing-value codes, comma separated (blank, (跳过), (空) are always missing).
    #[arg(long, value_delimiter = ',')]
    pub missing: Vec<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

impl Input {
    fn load(&self) -> anyhow::Result<Table> {
        read_table(
            &self.data,
            &ReadOptions {
                encoding: self.encoding.clone(),
                sheet: self.sheet.clone(),
            },
        )
        .map_err(bad_input)
    }
}

#[derive(Subcommand)]
pub enum SurveyCmd {
    /// Independent-samples t-test (Student and Welch rows, Levene, d, g, Mann-Whitney).
    Ttest {
        #[command(flatten)]
        input: Input,
        /// Numeric column (header text exactly as in the file).
        #[arg(long)]
        value: String,
        /// Grouping column with two levels.
        #[arg(long)]
        group: String,
        /// The two levels to compare, in order (default: order of appearance).
        #[arg(long, value_delimiter = ',')]
        levels: Option<Vec<String>>,
        /// Confidence level of the intervals.
        #[arg(long, default_value_t = 0.95, allow_negative_numbers = true)]
        conf: f64,
        /// Centre Levene's test on medians (Brown-Forsythe) instead of means (SPSS).
        #[arg(long)]
        levene_median: bool,
    },
    /// One-way ANOVA with η², Welch, Brown-Forsythe, Kruskal-Wallis, Levene and post-hoc tests.
    Anova {
        #[command(flatten)]
        input: Input,
        #[arg(long)]
        value: String,
        #[arg(long)]
        group: String,
        /// Levels to include, in display order (default: all, order of appearance).
        #[arg(long, value_delimiter = ',')]
        levels: Option<Vec<String>>,
        #[arg(long)]
        levene_median: bool,
    },
    /// Chi-square test of independence for two categorical columns.
    Chi2 {
        #[command(flatten)]
        input: Input,
        #[arg(long)]
        row: String,
        #[arg(long)]
        col: String,
    },
    /// Reliability of a scale: Cronbach's α, standardized α, ω, item statistics.
    Alpha {
        #[command(flatten)]
        input: Input,
        /// Item columns, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        items: Vec<String>,
        /// Cases with some items missing: listwise (as SPSS) or pairwise-complete covariances.
        #[arg(long, value_name = "listwise|pairwise", default_value = "listwise",
              value_parser = |s: &str| s.parse::<quick::MissingPolicy>())]
        missing_policy: quick::MissingPolicy,
    },
    /// Codebooks: draft one from a data file.
    #[command(subcommand)]
    Codebook(CodebookCmd),
    /// Every analysis a codebook implies: tables (CSV, Markdown), charts (SVG) and an HTML report.
    Analyze {
        #[command(flatten)]
        input: Input,
        /// Codebook (TOML, see docs/survey.md).
        #[arg(long)]
        codebook: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "survey-report")]
        out: PathBuf,
        /// Report language: zh or en.
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Regenerate the paper's two surveys as SYNTHETIC data, analyse them and check every
    /// published figure; also writes simulator calibration targets.
    Demo {
        #[arg(long, default_value = "survey-demo")]
        out: PathBuf,
        #[arg(long, default_value_t = 2024, value_parser = crate::limits::whole_u64, allow_negative_numbers = true)]
        seed: u64,
        #[arg(long, default_value = "zh")]
        lang: String,
    },
    /// Simulator calibration targets (domain cooperation shares, zone demand order) from the two
    /// questionnaires' data and codebooks.
    Calibrate {
        /// Questionnaire 1 data (standards use, with the zone group and demand scale).
        #[arg(long)]
        q1: PathBuf,
        #[arg(long)]
        q1_codebook: PathBuf,
        /// Questionnaire 2 data (with the multi item `future` and the single item `mode`).
        #[arg(long)]
        q2: PathBuf,
        #[arg(long)]
        q2_codebook: PathBuf,
        /// Output JSON file (printed when omitted).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Multiple-response set: counts, % of responses, % of cases (0/1 columns or one ┋-joined column).
    Multi {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_delimiter = ',', required = true)]
        items: Vec<String>,
        /// Crosstab by this grouping column.
        #[arg(long)]
        group: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum CodebookCmd {
    /// Draft a codebook from a data file (Wenjuanxing headers understood); edit it before use.
    Infer {
        #[command(flatten)]
        input: Input,
        /// Write the TOML here (printed when omitted).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn load_codebook(path: &std::path::Path) -> anyhow::Result<Codebook> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("{}: cannot read codebook: {e}", path.display())))?;
    Codebook::from_toml(&path.display().to_string(), &text).map_err(bad_input)
}

fn parse_lang(s: &str) -> anyhow::Result<Lang> {
    Lang::parse(s).ok_or_else(|| bad_input(format!("--lang must be zh or en, got '{s}'")))
}

fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// What a `survey analyze` results folder holds, written as one set.
const ANALYSIS_FILES: [&str; 5] = [
    "report.html",
    "report.md",
    "results.json",
    "tables",
    "charts",
];

/// Write an analysis as one set: report.html, report.md, results.json, tables/*.csv,
/// charts/*.svg (a folder of results is always one complete, consistent set).
fn write_analysis(a: &analyze::Analysis, out: &std::path::Path, lang: Lang) -> anyhow::Result<()> {
    let set = begin_set(out, &ANALYSIS_FILES)?;
    let html = HtmlReport {
        title: a.title.clone(),
        subtitle: a.subtitle.clone(),
        lang,
        sections: a.sections.clone(),
    }
    .render();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (stem, t) in &a.tables {
        files.push((format!("tables/{stem}.csv"), t.to_csv().into_bytes()));
    }
    for (stem, svg) in &a.charts {
        files.push((format!("charts/{stem}.svg"), svg.clone().into_bytes()));
    }
    files.push((
        "results.json".into(),
        serde_json::to_string_pretty(&a.json)?.into_bytes(),
    ));
    files.push(("report.md".into(), analyze::to_markdown(a).into_bytes()));
    files.push(("report.html".into(), html.into_bytes()));
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    finish_set(set, out, &ANALYSIS_FILES, &refs)
}

pub fn run(cmd: SurveyCmd) -> anyhow::Result<()> {
    match cmd {
        SurveyCmd::Codebook(CodebookCmd::Infer { input, out }) => {
            let t = input.load()?;
            let cb = codebook::infer(&t);
            let text = format!(
                "# Drafted by `xietong survey codebook infer` from {} ({} rows, {}). Check types, labels and groups.\n{}",
                t.source,
                t.n_rows(),
                t.encoding,
                cb.to_toml()
            );
            match out {
                Some(p) => write(&p, text.as_bytes()),
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
        SurveyCmd::Analyze {
            input,
            codebook,
            out,
            lang,
        } => {
            let lang = parse_lang(&lang)?;
            let cb = load_codebook(&codebook)?;
            let t = input.load()?;
            let a = analyze::analyze(&t, &cb, lang).map_err(bad_input)?;
            write_analysis(&a, &out, lang)?;
            eprintln!(
                "wrote {} tables, {} charts, report.html, report.md, results.json to {}",
                a.tables.len(),
                a.charts.len(),
                out.display()
            );
            for w in &a.warnings {
                eprintln!("note: {w}");
            }
            Ok(())
        }
        SurveyCmd::Demo { out, seed, lang } => demo(&out, seed, parse_lang(&lang)?),
        SurveyCmd::Calibrate {
            q1,
            q1_codebook,
            q2,
            q2_codebook,
            out,
        } => {
            let (cb1, cb2) = (load_codebook(&q1_codebook)?, load_codebook(&q2_codebook)?);
            let opts = ReadOptions::default();
            let t1 = read_table(&q1, &opts).map_err(bad_input)?;
            let t2 = read_table(&q2, &opts).map_err(bad_input)?;
            let c = paper::calibration_targets(&t1, &cb1, &t2, &cb2).map_err(bad_input)?;
            let text = serde_json::to_string_pretty(&c)?;
            match out {
                Some(p) => write(&p, text.as_bytes()),
                None => {
                    println!("{text}");
                    Ok(())
                }
            }
        }
        SurveyCmd::Ttest {
            input,
            value,
            group,
            levels,
            conf,
            levene_median,
        } => {
            if !(conf > 0.0 && conf < 1.0) {
                return Err(bad_input(format!(
                    "--conf must be between 0 and 1, got {conf}"
                )));
            }
            let t = input.load()?;
            let r = quick::ttest_report(
                &t,
                &value,
                &group,
                levels.as_deref(),
                &input.missing,
                conf,
                levene_median,
            )
            .map_err(bad_input)?;
            emit(input.json, &r, || ttest_text(&r))
        }
        SurveyCmd::Anova {
            input,
            value,
            group,
            levels,
            levene_median,
        } => {
            let t = input.load()?;
            let r = quick::anova_report(
                &t,
                &value,
                &group,
                levels.as_deref(),
                &input.missing,
                levene_median,
            )
            .map_err(bad_input)?;
            emit(input.json, &r, || anova_text(&r))
        }
        SurveyCmd::Chi2 { input, row, col } => {
            let t = input.load()?;
            let r = quick::chi2_report(&t, &row, &col, &input.missing).map_err(bad_input)?;
            emit(input.json, &r, || chi2_text(&r))
        }
        SurveyCmd::Alpha {
            input,
            items,
            missing_policy,
        } => {
            let t = input.load()?;
            let r = quick::alpha_report(&t, &items, &input.missing, missing_policy)
                .map_err(bad_input)?;
            emit(input.json, &r, || alpha_text(&r))
        }
        SurveyCmd::Multi {
            input,
            items,
            group,
        } => {
            let t = input.load()?;
            let r = quick::multi_report(&t, &items, group.as_deref(), &input.missing)
                .map_err(bad_input)?;
            emit(input.json, &r, || multi_text(&r))
        }
    }
}

fn demo(out: &std::path::Path, seed: u64, lang: Lang) -> anyhow::Result<()> {
    let f1 = out.join("synthetic_q1_standards_use.csv");
    let f2 = out.join("synthetic_q2_collaboration.csv");
    let (h1, r1) = paper::generate_q1(seed);
    let (h2, r2) = paper::generate_q2(seed);
    write(&f1, &to_csv_bytes(&h1, &r1, true))?;
    write(&f2, &to_csv_bytes(&h2, &r2, true))?;
    write(
        &out.join("paper_q1_codebook.toml"),
        paper::CODEBOOK_Q1.as_bytes(),
    )?;
    write(
        &out.join("paper_q2_codebook.toml"),
        paper::CODEBOOK_Q2.as_bytes(),
    )?;
    // Everything below is recomputed from the files just written, through the normal readers.
    let opts = ReadOptions::default();
    let t1 = read_table(&f1, &opts).map_err(bad_input)?;
    let t2 = read_table(&f2, &opts).map_err(bad_input)?;
    let cb1 =
        Codebook::from_toml("paper_q1_codebook.toml", paper::CODEBOOK_Q1).map_err(bad_input)?;
    let cb2 =
        Codebook::from_toml("paper_q2_codebook.toml", paper::CODEBOOK_Q2).map_err(bad_input)?;
    for (t, cb, dir) in [(&t1, &cb1, "q1_report"), (&t2, &cb2, "q2_report")] {
        let a = analyze::analyze(t, cb, lang).map_err(bad_input)?;
        write_analysis(&a, &out.join(dir), lang)?;
    }
    let checks = paper::check_figures(&t1, &cb1, &t2, &cb2).map_err(bad_input)?;
    let targets = paper::calibration_targets(&t1, &cb1, &t2, &cb2).map_err(bad_input)?;
    write(
        &out.join("calibration_targets.json"),
        serde_json::to_string_pretty(&targets)?.as_bytes(),
    )?;
    write(
        &out.join("paper_figures.json"),
        serde_json::to_string_pretty(&checks)?.as_bytes(),
    )?;
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                c.figure.clone(),
                c.published.clone(),
                c.reproduced.clone(),
                if c.ok { s("yes") } else { s("NO") },
            ]
        })
        .collect();
    print!(
        "{}",
        render(
            "SYNTHETIC DATA: the paper's published figures recomputed from the generated files",
            &[s("figure"), s("published"), s("reproduced"), s("match")],
            &rows
        )
    );
    println!(
        "\nwrote {} (reports in q1_report/ and q2_report/, calibration_targets.json)",
        out.display()
    );
    if checks.iter().any(|c| !c.ok) {
        anyhow::bail!("some published figures were not reproduced (see the table above)");
    }
    Ok(())
}

fn emit<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        print!("{}", text());
    }
    Ok(())
}

fn s(x: &str) -> String {
    x.to_string()
}

fn group_table(groups: &[quick::GroupSummary]) -> String {
    let rows: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            vec![
                g.level.clone(),
                g.n.to_string(),
                num(Some(g.mean), 3),
                num(g.sd, 3),
            ]
        })
        .collect();
    render("", &[s("group"), s("n"), s("M"), s("SD")], &rows)
}

fn ttest_text(r: &quick::TTestReport) -> String {
    let mut out = format!("Independent-samples t-test: {} by {}\n\n", r.value, r.group);
    out += &group_table(&r.groups);
    let t = &r.test;
    let mut rows = vec![vec![
        s("Student (equal variances)"),
        num(Some(t.student.t), 3),
        num(Some(t.student.df), 0),
        p_apa(t.student.p),
        num(Some(t.mean_diff), 3),
        format!(
            "[{}, {}]",
            num(Some(t.student.ci[0]), 3),
            num(Some(t.student.ci[1]), 3)
        ),
    ]];
    if let Some(w) = &t.welch {
        rows.push(vec![
            s("Welch (unequal variances)"),
            num(Some(w.t), 3),
            num(Some(w.df), 2),
            p_apa(w.p),
            num(Some(t.mean_diff), 3),
            format!("[{}, {}]", num(Some(w.ci[0]), 3), num(Some(w.ci[1]), 3)),
        ]);
    }
    out += "\n";
    out += &render(
        "",
        &[
            s("test"),
            s("t"),
            s("df"),
            s("p"),
            s("mean diff"),
            s("95% CI"),
        ],
        &rows,
    );
    if let Some(l) = &t.levene {
        out += &format!(
            "\nLevene ({}-centred): F({}, {}) = {:.3}, p = {}\n",
            l.center,
            l.df1,
            l.df2,
            l.f,
            p_apa(l.p)
        );
    }
    out += &format!(
        "Cohen's d = {:.3}, Hedges' g = {:.3}\n",
        t.cohen_d, t.hedges_g
    );
    if let Some(m) = &r.mann_whitney {
        out += &format!(
            "Mann-Whitney U = {:.1}, p = {} ({}), rank-biserial r = {:.3}\n",
            m.u,
            p_apa(m.p),
            m.method,
            m.rank_biserial
        );
    }
    for w in &t.warnings {
        out += &format!("note: {w}\n");
    }
    out
}

fn pairs_table(title: &str, pairs: &[xietong_survey::stats::anova::Pair]) -> String {
    let rows: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| {
            vec![
                format!("{} – {}", p.a, p.b),
                num(Some(p.diff), 3),
                num(Some(p.se), 3),
                num(Some(p.t), 3),
                num(Some(p.df), 2),
                p_apa(p.p),
            ]
        })
        .collect();
    render(
        title,
        &[s("pair"), s("diff"), s("SE"), s("t"), s("df"), s("p")],
        &rows,
    )
}

fn anova_text(r: &quick::AnovaReport) -> String {
    let mut out = format!("One-way ANOVA: {} by {}\n\n", r.value, r.group);
    out += &group_table(&r.groups);
    let a = &r.anova;
    let mut rows = vec![vec![
        s("ANOVA"),
        num(Some(a.f), 3),
        num(Some(a.df1), 0),
        num(Some(a.df2), 0),
        p_apa(a.p),
    ]];
    // The two robust F tests share a type and a row layout (fractional df2).
    for (name, w) in [("Welch", &r.welch), ("Brown-Forsythe", &r.brown_forsythe)] {
        if let Some(w) = w {
            rows.push(vec![
                s(name),
                num(Some(w.f), 3),
                num(Some(w.df1), 0),
                num(Some(w.df2), 2),
                p_apa(w.p),
            ]);
        }
    }
    if let Some(l) = &r.levene {
        rows.push(vec![
            format!("Levene ({})", l.center),
            num(Some(l.f), 3),
            num(Some(l.df1), 0),
            num(Some(l.df2), 0),
            p_apa(l.p),
        ]);
    }
    out += "\n";
    out += &render("", &[s("test"), s("F"), s("df1"), s("df2"), s("p")], &rows);
    out += &format!("η² = {:.3}\n", a.eta_squared);
    if let Some(k) = &r.kruskal {
        out += &format!(
            "Kruskal-Wallis H({}) = {:.3}, p = {}\n",
            k.df,
            k.h,
            p_apa(k.p)
        );
    }
    out += "\n";
    out += &pairs_table("Tukey HSD (Tukey-Kramer for unequal n)", &r.tukey);
    if let Some(gh) = &r.games_howell {
        out += "\n";
        out += &pairs_table("Games-Howell", gh);
    }
    out += "\n";
    out += &pairs_table("Bonferroni", &r.bonferroni);
    for w in &r.warnings {
        out += &format!("note: {w}\n");
    }
    out
}

fn chi2_text(r: &quick::Chi2Report) -> String {
    let mut header = vec![format!("{} \\ {}", r.row, r.col)];
    header.extend(r.col_levels.iter().cloned());
    let rows: Vec<Vec<String>> = r
        .row_levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut v = vec![l.clone()];
            v.extend(
                r.observed[i]
                    .iter()
                    .zip(&r.test.expected[i])
                    .map(|(o, e)| format!("{o:.0} ({e:.1})")),
            );
            v
        })
        .collect();
    let mut out = render("Observed (expected) counts", &header, &rows);
    let t = &r.test;
    out += &format!(
        "\nPearson χ²({}) = {:.3}, p = {}\n",
        t.pearson.df,
        t.pearson.chi2,
        p_apa(t.pearson.p)
    );
    if let Some(y) = &t.yates {
        out += &format!(
            "Yates-corrected χ²({}) = {:.3}, p = {}\n",
            y.df,
            y.chi2,
            p_apa(y.p)
        );
    }
    out += &format!(
        "Likelihood ratio G²({}) = {:.3}, p = {}\n",
        t.likelihood_ratio.df,
        t.likelihood_ratio.chi2,
        p_apa(t.likelihood_ratio.p)
    );
    if let Some(p) = t.fisher_p {
        out += &format!("Fisher's exact test (two-sided) p = {}\n", p_apa(p));
    }
    out += &format!("Cramér's V = {:.3}   N = {}\n", t.cramers_v, t.n);
    for w in &t.warnings {
        out += &format!("note: {w}\n");
    }
    out
}

fn alpha_text(r: &quick::AlphaReport) -> String {
    let rel = &r.rel;
    let basis = match r.pairwise {
        Some(p) => format!(
            "pairwise deletion: {}–{} cases per covariance ({} cases answered every item)",
            p.n_min, p.n_max, r.n_complete
        ),
        None => format!(
            "{} complete cases ({} excluded listwise)",
            r.n_complete, r.n_excluded
        ),
    };
    let mut out = format!(
        "Reliability: {} items, {basis}\nCronbach's α = {:.3}   standardized α = {:.3}   McDonald's ω = {}\n\n",
        rel.k,
        rel.alpha,
        rel.standardized_alpha,
        num(rel.omega, 3)
    );
    let rows: Vec<Vec<String>> = rel
        .items
        .iter()
        .map(|i| {
            vec![
                i.item.clone(),
                num(Some(i.mean), 3),
                num(Some(i.sd), 3),
                num(i.item_total_r, 3),
                num(i.alpha_if_deleted, 3),
                num(i.loading, 3),
            ]
        })
        .collect();
    out += &render(
        "",
        &[
            s("item"),
            s("M"),
            s("SD"),
            s("corrected item-total r"),
            s("α if deleted"),
            s("loading"),
        ],
        &rows,
    );
    for w in &rel.warnings {
        out += &format!("note: {w}\n");
    }
    out
}

fn multi_table(title: &str, t: &xietong_survey::stats::multi::MultiTable) -> String {
    let mut rows: Vec<Vec<String>> = t
        .options
        .iter()
        .map(|o| {
            vec![
                o.item.clone(),
                format!("{:.0}", o.count),
                format!("{:.1}%", o.pct_responses),
                format!("{:.1}%", o.pct_cases),
            ]
        })
        .collect();
    rows.push(vec![
        s("total"),
        format!("{:.0}", t.responses),
        s("100.0%"),
        format!(
            "{:.1}%",
            if t.cases > 0.0 {
                100.0 * t.responses / t.cases
            } else {
                0.0
            }
        ),
    ]);
    let mut out = render(
        title,
        &[
            s("option"),
            s("count"),
            s("% of responses"),
            s("% of cases"),
        ],
        &rows,
    );
    out += &format!(
        "cases with at least one choice: {:.0}; without: {:.0}\n",
        t.cases, t.cases_without_response
    );
    out
}

fn multi_text(r: &quick::MultiReport) -> String {
    let mut out = multi_table("Multiple response", &r.total);
    if let Some(groups) = &r.by_group {
        for (g, t) in groups {
            out += "\n";
            out += &multi_table(&format!("group: {g}"), t);
        }
    }
    out
}
