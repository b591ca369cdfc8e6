//! Presentation of `xietong survey` results: the text tables of the quick tests (t-test, ANOVA,
//! χ², α, multiple response), the files of a codebook analysis (CSV tables, SVG charts, JSON,
//! Markdown and HTML report), the drafted codebook text and the demo's check table. The numbers
//! come from `xietong-survey`.

use crate::{Error, Lang, OutputFile, input};
use xietong_report::HtmlReport;
use xietong_survey::analyze;
use xietong_survey::codebook;
use xietong_survey::data::{Table, to_csv_bytes};
use xietong_survey::paper;
use xietong_survey::quick;
use xietong_survey::text::{num, p_apa, render};

/// `--lang` of the survey reports: zh or en.
pub fn parse_lang(s: &str) -> Result<Lang, Error> {
    Lang::parse(s).ok_or_else(|| input(format!("--lang must be zh or en, got '{s}'")))
}

/// `--conf` of the t-test: strictly between 0 and 1.
pub fn check_conf(conf: f64) -> Result<(), Error> {
    if !(conf > 0.0 && conf < 1.0) {
        return Err(input(format!("--conf must be between 0 and 1, got {conf}")));
    }
    Ok(())
}

/// A drafted codebook for `t` as TOML, headed by a comment naming the source.
pub fn codebook_draft(t: &Table) -> String {
    let cb = codebook::infer(t);
    format!(
        "# Drafted by `xietong survey codebook infer` from {} ({} rows, {}). Check types, labels and groups.\n{}",
        t.source,
        t.n_rows(),
        t.encoding,
        cb.to_toml()
    )
}

/// What a `survey analyze` results folder holds (it is replaced as a whole).
pub const ANALYSIS_FILES: [&str; 9] = [
    "report.html",
    "report.md",
    "results.json",
    "tables",
    "charts",
    "figures",
    "tables.xlsx",
    "tables.tex",
    "report.docx",
];

/// The files of an analysis: tables/*.csv, charts/*.svg, results.json, report.md, report.html.
pub fn analysis_files(a: &analyze::Analysis, lang: Lang) -> Result<Vec<OutputFile>, Error> {
    analysis_files_inner(a, lang, None)
}

/// [`analysis_files`] and the journal files: tables.xlsx, tables.tex, report.docx, and
/// `figures/*` as `figures` asks (see [`crate::figures`]).
pub fn analysis_files_with(
    a: &analyze::Analysis,
    lang: Lang,
    figures: &crate::figures::FigureOptions,
) -> Result<Vec<OutputFile>, Error> {
    analysis_files_inner(a, lang, Some(figures))
}

fn analysis_files_inner(
    a: &analyze::Analysis,
    lang: Lang,
    figures: Option<&crate::figures::FigureOptions>,
) -> Result<Vec<OutputFile>, Error> {
    let report = HtmlReport {
        title: a.title.clone(),
        subtitle: a.subtitle.clone(),
        lang,
        sections: a.sections.clone(),
    };
    let html = report.render();
    let figs: Vec<crate::figures::FigureRef> = a
        .charts
        .iter()
        .map(|f| crate::figures::FigureRef {
            stem: &f.stem,
            caption: &f.caption,
            chart: f.chart.as_ref(),
        })
        .collect();
    let mut files = Vec::new();
    let mut add = |name: String, bytes: Vec<u8>| files.push(OutputFile { name, bytes });
    for (stem, t) in &a.tables {
        add(format!("tables/{stem}.csv"), t.to_csv().into_bytes());
    }
    for f in &a.charts {
        let svg = f.chart.to_svg().map_err(|source| Error::Draw {
            what: format!("charts/{}.svg", f.stem),
            source,
        })?;
        add(format!("charts/{}.svg", f.stem), svg.into_bytes());
    }
    add(
        "results.json".into(),
        serde_json::to_string_pretty(&a.json)?.into_bytes(),
    );
    add("report.md".into(), analyze::to_markdown(a).into_bytes());
    add("report.html".into(), html.into_bytes());
    if let Some(figures) = figures {
        files.extend(crate::figures::export_files(&report, &figs, figures)?);
    }
    Ok(files)
}

/// The demo's SYNTHETIC questionnaire files (data CSVs and codebooks) for `seed`: the two data
/// files first.
pub fn demo_inputs(seed: u64) -> Vec<OutputFile> {
    let (h1, r1) = paper::generate_q1(seed);
    let (h2, r2) = paper::generate_q2(seed);
    vec![
        OutputFile {
            name: "synthetic_q1_standards_use.csv".into(),
            bytes: to_csv_bytes(&h1, &r1, true),
        },
        OutputFile {
            name: "synthetic_q2_collaboration.csv".into(),
            bytes: to_csv_bytes(&h2, &r2, true),
        },
        OutputFile {
            name: "paper_q1_codebook.toml".into(),
            bytes: paper::CODEBOOK_Q1.as_bytes().to_vec(),
        },
        OutputFile {
            name: "paper_q2_codebook.toml".into(),
            bytes: paper::CODEBOOK_Q2.as_bytes().to_vec(),
        },
    ]
}

/// The demo's table: each published figure, as recomputed, and whether it matches.
pub fn figure_checks_text(checks: &[paper::FigureCheck]) -> String {
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
    render(
        "SYNTHETIC DATA: the paper's published figures recomputed from the generated files",
        &[s("figure"), s("published"), s("reproduced"), s("match")],
        &rows,
    )
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

/// `survey ttest` as text: group table, Student and Welch rows, Levene, effect sizes, Mann-Whitney.
pub fn ttest_text(r: &quick::TTestReport) -> String {
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

/// `survey anova` as text: groups, F tests, η², Kruskal-Wallis and the post-hoc tables.
pub fn anova_text(r: &quick::AnovaReport) -> String {
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

/// `survey chi2` as text: observed (expected) counts and every test of independence.
pub fn chi2_text(r: &quick::Chi2Report) -> String {
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

/// `survey alpha` as text: α, standardized α, ω and the item table.
pub fn alpha_text(r: &quick::AlphaReport) -> String {
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

/// `survey multi` as text: the multiple-response table, overall and per group.
pub fn multi_text(r: &quick::MultiReport) -> String {
    let mut out = multi_table("Multiple response", &r.total);
    if let Some(groups) = &r.by_group {
        for (g, t) in groups {
            out += "\n";
            out += &multi_table(&format!("group: {g}"), t);
        }
    }
    out
}
