//! `xietong survey …` (issue 4): questionnaire exports to tables, JSON and reports. This module does
//! the I/O (reading files, printing, writing results atomically); the computing is in
//! `xietong-survey`, the tables and report files in `xietong_present::survey`.

use crate::error::bad_input;
use crate::game::present_err;
use crate::io::{FigureArgs, begin_set, finish_set, write_atomic};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use xietong_present::Lang;
use xietong_present::figures::FigureOptions;
use xietong_present::survey::{self as present, ANALYSIS_FILES};
use xietong_survey::codebook::Codebook;
use xietong_survey::data::Table;
use xietong_survey::quick;
use xietong_survey::read::{ReadOptions, read_table};
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
        #[command(flatten)]
        figures: FigureArgs,
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
        #[command(flatten)]
        figures: FigureArgs,
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
    present::parse_lang(s).map_err(|e| present_err(e, None))
}

fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Write an analysis as one set: report.html, report.md, results.json, tables/*.csv,
/// charts/*.svg, tables.xlsx, tables.tex, report.docx, figures/* (a folder of results is always
/// one complete, consistent set).
fn write_analysis(
    a: &analyze::Analysis,
    out: &std::path::Path,
    lang: Lang,
    figures: &FigureOptions,
) -> anyhow::Result<()> {
    let set = begin_set(out, &ANALYSIS_FILES)?;
    let files = present::analysis_files_with(a, lang, figures).map_err(|e| present_err(e, None))?;
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|f| (f.name.as_str(), f.bytes.as_slice()))
        .collect();
    finish_set(set, out, &ANALYSIS_FILES, &refs)
}

pub fn run(cmd: SurveyCmd) -> anyhow::Result<()> {
    match cmd {
        SurveyCmd::Codebook(CodebookCmd::Infer { input, out }) => {
            let t = input.load()?;
            let text = present::codebook_draft(&t);
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
            figures,
        } => {
            let lang = parse_lang(&lang)?;
            let figures = figures.options()?;
            let cb = load_codebook(&codebook)?;
            let t = input.load()?;
            let a = analyze::analyze(&t, &cb, lang).map_err(bad_input)?;
            write_analysis(&a, &out, lang, &figures)?;
            eprintln!(
                "wrote {} tables, {} charts, report.html, report.md, report.docx, tables.xlsx, tables.tex, results.json{} to {}",
                a.tables.len(),
                a.charts.len(),
                if figures.formats.is_empty() {
                    ""
                } else {
                    ", figures/"
                },
                out.display()
            );
            for w in &a.warnings {
                eprintln!("note: {w}");
            }
            Ok(())
        }
        SurveyCmd::Demo {
            out,
            seed,
            lang,
            figures,
        } => {
            let lang = parse_lang(&lang)?;
            demo(&out, seed, lang, &figures.options()?)
        }
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
            present::check_conf(conf).map_err(|e| present_err(e, None))?;
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
            emit(input.json, &r, || present::ttest_text(&r))
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
            emit(input.json, &r, || present::anova_text(&r))
        }
        SurveyCmd::Chi2 { input, row, col } => {
            let t = input.load()?;
            let r = quick::chi2_report(&t, &row, &col, &input.missing).map_err(bad_input)?;
            emit(input.json, &r, || present::chi2_text(&r))
        }
        SurveyCmd::Alpha {
            input,
            items,
            missing_policy,
        } => {
            let t = input.load()?;
            let r = quick::alpha_report(&t, &items, &input.missing, missing_policy)
                .map_err(bad_input)?;
            emit(input.json, &r, || present::alpha_text(&r))
        }
        SurveyCmd::Multi {
            input,
            items,
            group,
        } => {
            let t = input.load()?;
            let r = quick::multi_report(&t, &items, group.as_deref(), &input.missing)
                .map_err(bad_input)?;
            emit(input.json, &r, || present::multi_text(&r))
        }
    }
}

fn demo(
    out: &std::path::Path,
    seed: u64,
    lang: Lang,
    figures: &FigureOptions,
) -> anyhow::Result<()> {
    let inputs = present::demo_inputs(seed);
    for f in &inputs {
        write(&out.join(&f.name), &f.bytes)?;
    }
    let f1 = out.join(&inputs[0].name);
    let f2 = out.join(&inputs[1].name);
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
        write_analysis(&a, &out.join(dir), lang, figures)?;
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
    print!("{}", present::figure_checks_text(&checks));
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
