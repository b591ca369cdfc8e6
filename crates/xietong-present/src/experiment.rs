//! Presentation of `xietong experiment analyze`, `xietong compare` and `xietong calibrate`: the
//! sensitivity, comparison and calibration tables (CSV, Markdown), JSON and HTML reports, and the
//! pure checks of their options (`--shard`, `--lang`, `--variant`, the calibration file). The
//! numbers come from `xietong-experiment`; running, progress and files stay with the front end.

use crate::figures::{FigureOptions, FigureRef, export_files};
use crate::{Error, Lang, OutputFile, input};
use xietong_experiment::analyze as an;
use xietong_experiment::calibrate as cal;
use xietong_experiment::compare as cmp;

type Result<T> = std::result::Result<T, Error>;

/// `--lang` of the experiment reports: en or zh.
pub fn parse_lang(s: &str) -> Result<Lang> {
    Lang::parse(s).ok_or_else(|| input(format!("--lang: expected en or zh, found \"{s}\"")))
}

/// `--shard I/N` (1-based slice I of N).
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || {
        input(format!(
            "--shard {s}: expected I/N such as 2/8 (1 <= I <= N)"
        ))
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let i: usize = i.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

/// The report files of a sensitivity analysis, and the table as Markdown for the terminal.
pub struct SensitivityOutputs {
    /// analysis.json
    pub json: String,
    /// sensitivity.csv
    pub csv: String,
    /// sensitivity-report.html
    pub html: String,
    pub markdown: String,
    /// figures/*, tables.xlsx, tables.tex, report.docx
    pub export: Vec<OutputFile>,
}

fn refs(figs: &[an::Figure]) -> Vec<FigureRef<'_>> {
    figs.iter()
        .map(|f| FigureRef {
            stem: &f.stem,
            caption: &f.caption,
            chart: f.chart.as_ref(),
        })
        .collect()
}

/// Render a finished sensitivity analysis (Morris or Sobol' indices), with no figure files.
pub fn sensitivity_outputs(a: &an::Analysis, lang: Lang) -> Result<SensitivityOutputs> {
    sensitivity_outputs_with(a, lang, &FigureOptions::default())
}

/// [`sensitivity_outputs`] with figure files as `figures` asks.
pub fn sensitivity_outputs_with(
    a: &an::Analysis,
    lang: Lang,
    figures: &FigureOptions,
) -> Result<SensitivityOutputs> {
    let table = an::indices_table(a);
    let (report, figs) = an::report_parts(a, lang).map_err(|source| Error::Draw {
        what: "the report".into(),
        source,
    })?;
    Ok(SensitivityOutputs {
        json: serde_json::to_string_pretty(a)? + "\n",
        csv: table.to_csv(),
        html: report.render(),
        markdown: table.to_markdown(),
        export: export_files(&report, &refs(&figs), figures)?,
    })
}

/// The files of a `compare` results folder (it is replaced as a whole).
pub const COMPARE_FILES: [&str; 7] = [
    "compare.csv",
    "compare.json",
    "report.html",
    "figures",
    "tables.xlsx",
    "tables.tex",
    "report.docx",
];

/// The pairs to compare: the paper's four recommendations with their alternatives when
/// `variants` is empty, else every variant against the first (`NAME:PATH=VALUE,...` or a
/// built-in name).
pub fn variant_pairs(variants: &[String]) -> Result<Vec<(cmp::Variant, cmp::Variant, String)>> {
    if variants.is_empty() {
        return Ok(cmp::builtin_pairs()
            .into_iter()
            .map(|(a, b, l)| (a, b, l.to_string()))
            .collect());
    }
    let vs: Vec<cmp::Variant> = variants
        .iter()
        .map(|s| cmp::parse_variant(s))
        .collect::<std::result::Result<_, _>>()?;
    if vs.len() < 2 {
        return Err(input(
            "--variant: give at least two (the first is the reference)",
        ));
    }
    for (i, v) in vs.iter().enumerate() {
        if vs[..i].iter().any(|w| w.name == v.name) {
            return Err(input(format!("--variant: name {} used twice", v.name)));
        }
    }
    Ok(vs[1..]
        .iter()
        .map(|a| {
            (
                a.clone(),
                vs[0].clone(),
                format!("{} vs {}", a.name, vs[0].name),
            )
        })
        .collect())
}

/// The report files of a comparison, and its table as Markdown for the terminal.
pub struct CompareOutputs {
    /// compare.csv
    pub csv: String,
    /// compare.json
    pub json: String,
    /// report.html
    pub html: String,
    pub markdown: String,
    /// figures/*, tables.xlsx, tables.tex, report.docx
    pub export: Vec<OutputFile>,
}

/// The report of a design without sensitivity indices (grid, list, random, hypercube, Sobol'
/// sequence: main effects of every factor on every metric, from the per-point means) as HTML,
/// and its export files (figures/*, tables.xlsx, tables.tex, report.docx).
pub fn sweep_outputs(
    plan: &xietong_experiment::Plan,
    means: &[Vec<f64>],
    lang: Lang,
    figures: &FigureOptions,
) -> Result<(String, Vec<OutputFile>)> {
    let (report, figs) =
        an::sweep_report_parts(plan, means, lang).map_err(|source| Error::Draw {
            what: "the sweep report".into(),
            source,
        })?;
    let export = export_files(&report, &refs(&figs), figures)?;
    Ok((report.render(), export))
}

/// Render finished comparisons of `scenario_name`'s variants.
pub fn compare_outputs(
    results: &[cmp::Comparison],
    scenario_name: &str,
    lang: Lang,
    figures: &FigureOptions,
) -> Result<CompareOutputs> {
    let table = cmp::table(results);
    let display = cmp::display_table(results, lang);
    let (report, figs) =
        cmp::report_parts(results, scenario_name, lang).map_err(|source| Error::Draw {
            what: "the report".into(),
            source,
        })?;
    Ok(CompareOutputs {
        csv: table.to_csv(),
        json: serde_json::to_string_pretty(results)? + "\n",
        html: report.render(),
        markdown: display.to_markdown(),
        export: export_files(&report, &refs(&figs), figures)?,
    })
}

/// A calibration file's settings; a TOML error names `name:line:column`.
pub fn parse_calibration_spec(name: &str, text: &str) -> Result<cal::CalibrationSpec> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let at = e
            .span()
            .map(|s| xietong_model::load::line_col(text, s.start));
        let message = xietong_model::load::shorten_quoted(e.message().trim());
        input(match at {
            Some((l, c)) => format!("{name}:{l}:{c}: {message}"),
            None => format!("{name}: {message}"),
        })
    })
}

/// One line saying what is about to be fitted, to what, and how.
pub fn calibration_plan_text(c: &cal::Calibration, targets_name: &str) -> String {
    let s = &c.settings;
    format!(
        "calibrating {} parameter(s) to {targets_name}: {:?}, {} restarts × ≤{} iterations, {} runs per evaluation (seed {}, common random numbers)",
        c.params.len(),
        s.method,
        s.restarts,
        s.max_iters,
        s.runs,
        s.seed
    )
}

/// The files of a finished calibration, and its three tables as Markdown for the terminal.
pub struct CalibrationOutputs {
    /// calibration.json
    pub json: String,
    /// calibrated.toml: the base scenario at the best parameters, headed by how it was fitted.
    pub toml: String,
    /// report.html
    pub html: String,
    pub markdown: String,
    /// tables.xlsx, tables.tex, report.docx (a calibration draws no charts)
    pub export: Vec<OutputFile>,
}

/// Render a finished calibration of `c` (file `name`, base scenario `base_name`).
pub fn calibration_outputs(
    c: &cal::Calibration,
    outcome: &cal::Outcome,
    name: &str,
    targets_name: &str,
    base_name: &str,
) -> Result<CalibrationOutputs> {
    let s = &c.settings;
    let best = &outcome.fits[outcome.best];
    let header = format!(
        "# Calibrated by `xietong calibrate {name}` to {targets_name}\n# ({:?}, best of {} restarts, objective {:.6}, {} runs per evaluation, seed {}).\n# Fitted: {}\n# Based on {base_name}; comments of the base file are not kept.\n\n",
        outcome.method,
        outcome.fits.len(),
        best.objective,
        s.runs,
        s.seed,
        outcome
            .names
            .iter()
            .zip(&best.params)
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let toml_text = cal::calibrated_toml(c, &best.params, &header)?;
    let f = |v: f64| format!("{v:.4}");
    let params = xietong_report::Table {
        caption: "Fitted parameters and their spread over restarts".into(),
        header: ["parameter", "low", "high", "best", "min", "max", "sd"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: c
            .params
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let (lo, hi, sd) = outcome.spread[j];
                vec![
                    p.path.clone(),
                    f(p.low),
                    f(p.high),
                    f(best.params[j]),
                    f(lo),
                    f(hi),
                    f(sd),
                ]
            })
            .collect(),
        note: None,
    };
    let mut fit_rows: Vec<Vec<String>> = outcome
        .cooperation
        .iter()
        .map(|(d, v, t)| vec![format!("cooperation {d}"), f(*v), f(*t), f(v - t)])
        .collect();
    fit_rows.push(vec![
        "zone demand, target order".into(),
        outcome
            .zone_demand
            .iter()
            .map(|(z, v)| format!("{z} {v:.1}"))
            .collect::<Vec<_>>()
            .join(" > "),
        format!("{} adjacent pair(s) out of order", outcome.order_violations),
        String::new(),
    ]);
    let fit = xietong_report::Table {
        caption: format!(
            "Fit at the best parameters (objective {:.6})",
            best.objective
        ),
        header: ["target", "simulated", "target", "error"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: fit_rows,
        note: None,
    };
    let restarts = xietong_report::Table {
        caption: "Restarts".into(),
        header: ["restart", "objective", "iterations", "parameters"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: outcome
            .fits
            .iter()
            .enumerate()
            .map(|(i, x)| {
                vec![
                    (i + 1).to_string(),
                    format!("{:.6}", x.objective),
                    x.iterations.to_string(),
                    x.params
                        .iter()
                        .map(|v| f(*v))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
        note: None,
    };
    let report = xietong_report::HtmlReport {
        title: "Calibration".into(),
        subtitle: format!("{name} → {targets_name}"),
        lang: xietong_report::Lang::En,
        sections: vec![xietong_report::Section {
            heading: "Results".into(),
            blocks: vec![
                xietong_report::Block::Table(fit.clone()),
                xietong_report::Block::Table(params.clone()),
                xietong_report::Block::Table(restarts.clone()),
                xietong_report::Block::Note(
                    "A wide spread of a parameter over restarts that reach similar objectives means the targets do not pin it down (weak identifiability)."
                        .into(),
                ),
            ],
        }],
    };
    Ok(CalibrationOutputs {
        json: serde_json::to_string_pretty(outcome)? + "\n",
        toml: toml_text,
        html: report.render(),
        export: crate::figures::table_files(&report, &[], &FigureOptions::default().size)?,
        markdown: format!(
            "{}\n{}\n{}",
            fit.to_markdown(),
            params.to_markdown(),
            restarts.to_markdown()
        ),
    })
}
