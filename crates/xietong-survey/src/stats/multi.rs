//! Multiple-response sets (one 0/1 column per option): counts with both SPSS bases, % of
//! responses and % of cases, and crosstabs by a grouping variable.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OptionRow {
    pub item: String,
    pub count: f64,
    pub pct_responses: f64,
    pub pct_cases: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MultiTable {
    /// Cases that chose at least one option (the SPSS MULT RESPONSE base).
    pub cases: f64,
    /// Cases with no option chosen or all options missing (excluded from the base).
    pub cases_without_response: f64,
    pub responses: f64,
    pub options: Vec<OptionRow>,
}

/// `selected[i][j]`: whether case i chose option j (`None` = missing). `weights` are case weights.
pub fn multi_response(
    names: &[String],
    selected: &[Vec<Option<bool>>],
    weights: Option<&[f64]>,
) -> MultiTable {
    let k = names.len();
    let mut counts = vec![0.0; k];
    let mut cases = 0.0;
    let mut none = 0.0;
    for (i, row) in selected.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        let any = row.iter().any(|v| *v == Some(true));
        if any {
            cases += w;
            for (j, v) in row.iter().enumerate() {
                if *v == Some(true) {
                    counts[j] += w;
                }
            }
        } else {
            none += w;
        }
    }
    let responses: f64 = counts.iter().sum();
    let options = names
        .iter()
        .zip(&counts)
        .map(|(n, &c)| OptionRow {
            item: n.clone(),
            count: c,
            pct_responses: if responses > 0.0 {
                100.0 * c / responses
            } else {
                0.0
            },
            pct_cases: if cases > 0.0 { 100.0 * c / cases } else { 0.0 },
        })
        .collect();
    MultiTable {
        cases,
        cases_without_response: none,
        responses,
        options,
    }
}

/// One multiple-response table per group level (`group[i]` = level index, `None` = missing group).
pub fn multi_by_group(
    names: &[String],
    selected: &[Vec<Option<bool>>],
    group: &[Option<usize>],
    n_levels: usize,
    weights: Option<&[f64]>,
) -> Vec<MultiTable> {
    (0..n_levels)
        .map(|g| {
            let idx: Vec<usize> = (0..selected.len())
                .filter(|&i| group[i] == Some(g))
                .collect();
            let sel: Vec<Vec<Option<bool>>> = idx.iter().map(|&i| selected[i].clone()).collect();
            let w: Option<Vec<f64>> = weights.map(|w| idx.iter().map(|&i| w[i]).collect());
            multi_response(names, &sel, w.as_deref())
        })
        .collect()
}
