//! One analysis at a time on a [`Table`], by column name: the engine behind `xietong survey
//! ttest|anova|chi2|alpha|multi`. Missing values are dropped per analysis (a case is used when the
//! variables of that analysis are present), except α, which is listwise over its items unless
//! pairwise deletion is asked for ([`MissingPolicy`]).

use crate::data::{Categories, DataError, Table, split_choices};
use crate::stats::{StatsError, anova, chi2, nonpar, reliability, ttest};
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum QuickError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error("{context}: {source}")]
    Stats { context: String, source: StatsError },
}

fn st<T>(r: Result<T, StatsError>, context: &str) -> Result<T, QuickError> {
    r.map_err(|source| QuickError::Stats {
        context: context.into(),
        source,
    })
}

/// Group levels in the order the user gave, else every category in natural order
/// (`natural_cmp`); with, per category label, its level's position (None: not a wanted level).
fn levels_of(cats: &Categories, wanted: Option<&[String]>) -> (Vec<String>, Vec<Option<usize>>) {
    let levels = match wanted {
        Some(w) => w.to_vec(),
        None => {
            let mut out = cats.labels.clone();
            out.sort_by(|a, b| crate::data::natural_cmp(a, b));
            out
        }
    };
    let pos = cats
        .labels
        .iter()
        .map(|c| levels.iter().position(|l| l == c))
        .collect();
    (levels, pos)
}

/// Values split by group level (cases missing either variable are dropped).
pub fn grouped(
    t: &Table,
    value: &str,
    group: &str,
    levels: Option<&[String]>,
    missing: &[String],
) -> Result<(Vec<String>, Vec<Vec<f64>>), QuickError> {
    if let Some(w) = levels
        && let Some((i, l)) = w.iter().enumerate().find(|(i, l)| w[..*i].contains(l))
    {
        return Err(DataError::File {
            file: t.source.clone(),
            msg: format!(
                "--levels: level '{l}' is duplicated (given at positions {} and {}); list each level of '{group}' once",
                w.iter().position(|x| x == l).unwrap_or(0) + 1,
                i + 1
            ),
        }
        .into());
    }
    let vj = t.col(value)?;
    let gj = t.col(group)?;
    let vals = t.numeric(vj, missing)?;
    let cats = t.categories(gj, missing);
    let (lv, pos) = levels_of(&cats, levels);
    let mut out = vec![Vec::new(); lv.len()];
    for (v, c) in vals.iter().zip(&cats.codes) {
        if let (Some(v), Some(c)) = (v, c) {
            if let Some(k) = pos[*c as usize] {
                out[k].push(*v);
            }
        }
    }
    if let Some(w) = levels {
        for (l, g) in w.iter().zip(&out) {
            if g.is_empty() {
                return Err(DataError::File {
                    file: t.source.clone(),
                    msg: format!(
                        "group level '{l}' of column '{group}' has no cases with a valid '{value}'"
                    ),
                }
                .into());
            }
        }
    }
    Ok((lv, out))
}

#[derive(Debug, Serialize)]
pub struct GroupSummary {
    pub level: String,
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
}

fn summaries(levels: &[String], groups: &[Vec<f64>]) -> Vec<GroupSummary> {
    let refs: Vec<&[f64]> = groups.iter().map(|g| g.as_slice()).collect();
    anova::group_stats(&refs)
        .into_iter()
        .zip(levels)
        .map(|(g, l)| GroupSummary {
            level: l.clone(),
            n: g.n,
            mean: g.mean,
            sd: g.sd,
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct TTestReport {
    pub value: String,
    pub group: String,
    pub groups: Vec<GroupSummary>,
    #[serde(flatten)]
    pub test: ttest::TTest,
    pub mann_whitney: Option<nonpar::MannWhitney>,
}

pub fn ttest_report(
    t: &Table,
    value: &str,
    group: &str,
    levels: Option<&[String]>,
    missing: &[String],
    conf: f64,
    levene_median: bool,
) -> Result<TTestReport, QuickError> {
    let (lv, g) = grouped(t, value, group, levels, missing)?;
    if lv.len() != 2 {
        return Err(DataError::File {
            file: t.source.clone(),
            msg: format!("t-test needs exactly 2 groups in '{group}', found {} ({}); choose two with --levels A,B or use `anova`", lv.len(), lv.join(", ")),
        }
        .into());
    }
    let test = st(
        ttest::ttest_ind(&g[0], &g[1], conf, levene_median),
        &format!("t-test of '{value}' by '{group}'"),
    )?;
    let mw = nonpar::mann_whitney(&g[0], &g[1]).ok();
    Ok(TTestReport {
        value: value.into(),
        group: group.into(),
        groups: summaries(&lv, &g),
        test,
        mann_whitney: mw,
    })
}

#[derive(Debug, Serialize)]
pub struct AnovaReport {
    pub value: String,
    pub group: String,
    pub groups: Vec<GroupSummary>,
    pub anova: anova::Anova,
    pub welch: Option<anova::RobustF>,
    pub brown_forsythe: Option<anova::RobustF>,
    pub kruskal: Option<nonpar::Kruskal>,
    pub levene: Option<ttest::Levene>,
    pub tukey: Vec<anova::Pair>,
    pub games_howell: Option<Vec<anova::Pair>>,
    pub bonferroni: Vec<anova::Pair>,
    pub warnings: Vec<String>,
}

pub fn anova_report(
    t: &Table,
    value: &str,
    group: &str,
    levels: Option<&[String]>,
    missing: &[String],
    levene_median: bool,
) -> Result<AnovaReport, QuickError> {
    let (lv, g) = grouped(t, value, group, levels, missing)?;
    let refs: Vec<&[f64]> = g.iter().map(|v| v.as_slice()).collect();
    let ctx = format!("ANOVA of '{value}' by '{group}'");
    let a = st(anova::oneway(&refs), &ctx)?;
    let mut warnings = Vec::new();
    fn opt<T>(r: Result<T, StatsError>, what: &str, warnings: &mut Vec<String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                warnings.push(format!("{what}: {e}"));
                None
            }
        }
    }
    let welch = opt(anova::welch(&refs), "Welch", &mut warnings);
    let bf = opt(
        anova::brown_forsythe(&refs),
        "Brown-Forsythe",
        &mut warnings,
    );
    let kw = opt(nonpar::kruskal(&refs), "Kruskal-Wallis", &mut warnings);
    let lev = opt(ttest::levene(&refs, levene_median), "Levene", &mut warnings);
    let gh = opt(
        anova::games_howell(&refs, &lv),
        "Games-Howell",
        &mut warnings,
    );
    Ok(AnovaReport {
        value: value.into(),
        group: group.into(),
        groups: summaries(&lv, &g),
        anova: a,
        welch,
        brown_forsythe: bf,
        kruskal: kw,
        levene: lev,
        tukey: st(anova::tukey(&refs, &lv), &ctx)?,
        games_howell: gh,
        bonferroni: st(anova::bonferroni(&refs, &lv), &ctx)?,
        warnings,
    })
}

#[derive(Debug, Serialize)]
pub struct Chi2Report {
    pub row: String,
    pub col: String,
    pub row_levels: Vec<String>,
    pub col_levels: Vec<String>,
    pub observed: Vec<Vec<f64>>,
    #[serde(flatten)]
    pub test: chi2::Contingency,
}

pub fn chi2_report(
    t: &Table,
    row: &str,
    col: &str,
    missing: &[String],
) -> Result<Chi2Report, QuickError> {
    let (rj, cj) = (t.col(row)?, t.col(col)?);
    let rc = t.categories(rj, missing);
    let cc = t.categories(cj, missing);
    // Levels in order of first appearance among the cases with both answers.
    let mut rl: Vec<String> = Vec::new();
    let mut cl: Vec<String> = Vec::new();
    let mut rpos: Vec<Option<usize>> = vec![None; rc.labels.len()];
    let mut cpos: Vec<Option<usize>> = vec![None; cc.labels.len()];
    let mut counts: Vec<Vec<u64>> = Vec::new();
    for (r, c) in rc.codes.iter().zip(&cc.codes) {
        if let (Some(r), Some(c)) = (r, c) {
            let i = *rpos[*r as usize].get_or_insert_with(|| {
                rl.push(rc.labels[*r as usize].clone());
                counts.push(Vec::new());
                rl.len() - 1
            });
            let j = *cpos[*c as usize].get_or_insert_with(|| {
                cl.push(cc.labels[*c as usize].clone());
                cl.len() - 1
            });
            let row = &mut counts[i];
            if row.len() <= j {
                row.resize(j + 1, 0);
            }
            row[j] += 1;
        }
    }
    let obs: Vec<Vec<f64>> = counts
        .iter()
        .map(|row| {
            (0..cl.len())
                .map(|j| row.get(j).copied().unwrap_or(0) as f64)
                .collect()
        })
        .collect();
    let test = st(
        chi2::contingency(&obs),
        &format!("chi-square of '{row}' by '{col}'"),
    )?;
    Ok(Chi2Report {
        row: row.into(),
        col: col.into(),
        row_levels: rl,
        col_levels: cl,
        observed: obs,
        test,
    })
}

/// How α treats cases with some items missing: listwise (SPSS's only choice, the default) or
/// pairwise-complete covariances.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    #[default]
    Listwise,
    Pairwise,
}

impl std::str::FromStr for MissingPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "listwise" => Ok(Self::Listwise),
            "pairwise" => Ok(Self::Pairwise),
            _ => Err(format!(
                "unknown missing-data policy '{s}': expected listwise or pairwise"
            )),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AlphaReport {
    pub missing_policy: MissingPolicy,
    /// Cases answering every item, and the others (under either policy).
    pub n_complete: usize,
    pub n_excluded: usize,
    /// Range of cases behind the pairwise covariances (pairwise policy only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairwise: Option<reliability::PairwiseCounts>,
    #[serde(flatten)]
    pub rel: reliability::Reliability,
}

pub fn alpha_report(
    t: &Table,
    items: &[String],
    missing: &[String],
    policy: MissingPolicy,
) -> Result<AlphaReport, QuickError> {
    let cols: Vec<Vec<Option<f64>>> = items
        .iter()
        .map(|i| t.numeric(t.col(i)?, missing))
        .collect::<Result<_, _>>()?;
    let n = t.n_rows();
    let mut data = Vec::with_capacity(n);
    for r in 0..n {
        let row: Option<Vec<f64>> = cols.iter().map(|c| c[r]).collect();
        if let Some(row) = row {
            data.push(row);
        }
    }
    let excluded = n - data.len();
    // Errors name the items and the file, e.g. "reliability of q1, q2, q3 in survey.csv".
    let ctx = format!("reliability of {} in {}", items.join(", "), t.source);
    let (rel, pairwise) = match policy {
        MissingPolicy::Listwise => (st(reliability::reliability(items, &data), &ctx)?, None),
        MissingPolicy::Pairwise => {
            let refs: Vec<&[Option<f64>]> = cols.iter().map(|c| c.as_slice()).collect();
            let (rel, counts) = st(
                reliability::reliability_pairwise(items, &refs),
                &format!("{ctx} (pairwise)"),
            )?;
            (rel, Some(counts))
        }
    };
    Ok(AlphaReport {
        missing_policy: policy,
        n_complete: data.len(),
        n_excluded: excluded,
        pairwise,
        rel,
    })
}

/// Selection matrix of a multiple-response set: several 0/1 columns, or one `┋`-joined column.
pub fn multi_selection(
    t: &Table,
    items: &[String],
    missing: &[String],
) -> Result<(Vec<String>, Vec<Vec<Option<bool>>>), QuickError> {
    let n = t.n_rows();
    if items.len() == 1 {
        let j = t.col(&items[0])?;
        let cats = t.categories(j, missing);
        // Each distinct answer is split once; options in order of first appearance.
        let split: Vec<Vec<String>> = cats.labels.iter().map(|s| split_choices(s)).collect();
        let mut opts: Vec<String> = Vec::new();
        let mut seen = vec![false; split.len()];
        for c in cats.codes.iter().flatten() {
            if !std::mem::replace(&mut seen[*c as usize], true) {
                for s in &split[*c as usize] {
                    if !opts.contains(s) {
                        opts.push(s.clone());
                    }
                }
            }
        }
        let rows: Vec<Vec<Option<bool>>> = split
            .iter()
            .map(|ch| opts.iter().map(|o| Some(ch.contains(o))).collect())
            .collect();
        let sel = cats
            .codes
            .iter()
            .map(|c| match c {
                None => vec![None; opts.len()],
                Some(c) => rows[*c as usize].clone(),
            })
            .collect();
        return Ok((opts, sel));
    }
    let mut cols = Vec::new();
    for it in items {
        let j = t.col(it)?;
        let vals = t.numeric(j, missing)?;
        for (r, v) in vals.iter().enumerate() {
            if let Some(v) = v {
                if *v != 0.0 && *v != 1.0 {
                    return Err(DataError::Cell {
                        file: t.source.clone(),
                        row: r + 2,
                        column: it.clone(),
                        msg: format!("a multiple-response option column must be 0/1, found {v}"),
                    }
                    .into());
                }
            }
        }
        cols.push(vals);
    }
    let sel = (0..n)
        .map(|r| cols.iter().map(|c| c[r].map(|v| v == 1.0)).collect())
        .collect();
    let names = items
        .iter()
        .map(|i| {
            crate::data::parse_option_header(i)
                .map(|(_, o)| o)
                .unwrap_or_else(|| i.clone())
        })
        .collect();
    Ok((names, sel))
}

#[derive(Debug, Serialize)]
pub struct MultiReport {
    #[serde(flatten)]
    pub total: crate::stats::multi::MultiTable,
    pub by_group: Option<Vec<(String, crate::stats::multi::MultiTable)>>,
}

pub fn multi_report(
    t: &Table,
    items: &[String],
    group: Option<&str>,
    missing: &[String],
) -> Result<MultiReport, QuickError> {
    let (names, sel) = multi_selection(t, items, missing)?;
    let total = crate::stats::multi::multi_response(&names, &sel, None);
    let by_group = match group {
        None => None,
        Some(g) => {
            let cats = t.categories(t.col(g)?, missing);
            let (lv, pos) = levels_of(&cats, None);
            let codes: Vec<Option<usize>> = cats
                .codes
                .iter()
                .map(|c| c.and_then(|c| pos[c as usize]))
                .collect();
            let tabs = crate::stats::multi::multi_by_group(&names, &sel, &codes, lv.len(), None);
            Some(lv.into_iter().zip(tabs).collect())
        }
    };
    Ok(MultiReport { total, by_group })
}
