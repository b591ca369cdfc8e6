//! The paper's two questionnaires (Liu & Li 2024): codebooks, a seeded generator of SYNTHETIC
//! responses that reproduce every figure the paper publishes, the check that recomputes those
//! figures from data, and simulator calibration targets derived from survey results.
//!
//! The raw data are not public. The generator fixes the published margins exactly (zone sums,
//! option counts) with quota allocation, and draws everything else — who answers what, the
//! correlation between items through one latent trait per respondent — from a seeded PCG stream.
//! Group sizes per zone and the Likert distributions of questionnaire 2 are not published: they
//! are assumptions, listed in docs/survey.md.

use crate::codebook::{Codebook, item_scores};
use crate::data::{DataError, Table};
use crate::stats::{describe, ttest};
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use serde::Serialize;

pub const CODEBOOK_Q1: &str = include_str!("../codebooks/paper_q1.toml");
pub const CODEBOOK_Q2: &str = include_str!("../codebooks/paper_q2.toml");

/// Published zone means of the standards-use demand score (questionnaire 1), paper order.
pub const ZONE_MEANS: [(&str, f64); 7] = [
    ("A2", 180.00),
    ("B3", 173.79),
    ("A3", 170.29),
    ("A1", 164.31),
    ("B2", 159.82),
    ("B1", 130.89),
    ("B4", 127.73),
];
pub const ZONES: [&str; 7] = ["A1", "A2", "A3", "B1", "B2", "B3", "B4"];
/// Assumed zone sizes (not published); they add up to the published N = 1,476.
pub const Q1_ZONE_N: [usize; 7] = [260, 200, 190, 220, 210, 200, 196];
/// Assumed zone sizes of questionnaire 2; Sichuan 1,290 + Chongqing 1,116 = 2,406.
pub const Q2_ZONE_N: [usize; 7] = [520, 410, 360, 300, 280, 276, 260];
const WJX_META_VALUES: usize = 4;

fn meta(i: usize, rng: &mut Pcg64) -> Vec<String> {
    let day = 1 + (i % 28);
    let secs = 120 + rng.random_range(0..900);
    vec![
        (i + 1).to_string(),
        format!(
            "2023/5/{day} {:02}:{:02}:{:02}",
            8 + i % 12,
            i % 60,
            (i * 7) % 60
        ),
        format!("{secs}秒"),
        "手机提交".into(),
    ]
}

/// Level counts over 1..=points for `n` answers whose total is exactly `total`, shaped like a
/// discretised normal around total/n.
fn quota_with_total(n: usize, total: usize, points: usize, sd: f64) -> Vec<usize> {
    let mu = total as f64 / n as f64;
    let w: Vec<f64> = (1..=points)
        .map(|k| (-0.5 * ((k as f64 - mu) / sd).powi(2)).exp())
        .collect();
    let mut c = largest_remainder(n, &w);
    let mut cur: usize = c.iter().enumerate().map(|(k, &x)| (k + 1) * x).sum();
    while cur != total {
        if cur < total {
            // Move one answer up a level, from the level nearest the mean that can move.
            let k = (0..points - 1)
                .filter(|&k| c[k] > 0)
                .min_by(|&a, &b| {
                    ((a as f64 + 1.0 - mu).abs())
                        .partial_cmp(&(b as f64 + 1.0 - mu).abs())
                        .unwrap()
                })
                .expect("total within range");
            c[k] -= 1;
            c[k + 1] += 1;
            cur += 1;
        } else {
            let k = (1..points)
                .filter(|&k| c[k] > 0)
                .min_by(|&a, &b| {
                    ((a as f64 + 1.0 - mu).abs())
                        .partial_cmp(&(b as f64 + 1.0 - mu).abs())
                        .unwrap()
                })
                .expect("total within range");
            c[k] -= 1;
            c[k - 1] += 1;
            cur -= 1;
        }
    }
    c
}

/// Integer counts proportional to `w`, summing to n (largest remainder).
fn largest_remainder(n: usize, w: &[f64]) -> Vec<usize> {
    let s: f64 = w.iter().sum();
    let exact: Vec<f64> = w.iter().map(|x| x / s * n as f64).collect();
    let mut c: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut rem: Vec<(usize, f64)> = exact
        .iter()
        .enumerate()
        .map(|(i, x)| (i, x - x.floor()))
        .collect();
    rem.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap().then(a.0.cmp(&b.0)));
    let short = n - c.iter().sum::<usize>();
    for (i, _) in rem.into_iter().take(short) {
        c[i] += 1;
    }
    c
}

/// Assign levels 1..=points to respondents by rank of (latent + noise): exact counts, items
/// correlated through the latent trait.
fn assign_by_rank(latent: &[f64], counts: &[usize], noise: f64, rng: &mut Pcg64) -> Vec<usize> {
    let n = latent.len();
    let mut key: Vec<(f64, usize)> = latent
        .iter()
        .enumerate()
        .map(|(i, l)| (l + noise * rng.sample::<f64, _>(StandardNormal), i))
        .collect();
    key.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut out = vec![0; n];
    let mut pos = 0;
    for (k, &c) in counts.iter().enumerate() {
        for &(_, i) in &key[pos..pos + c] {
            out[i] = k + 1;
        }
        pos += c;
    }
    out
}

fn shuffle<T>(v: &mut [T], rng: &mut Pcg64) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

/// Synthetic questionnaire 1 in Wenjuanxing layout: (header, rows).
pub fn generate_q1(seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let cb = Codebook::from_toml("paper_q1.toml", CODEBOOK_Q1).expect("bundled codebook is valid");
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut header: Vec<String> = ["序号", "提交答卷时间", "所用时间", "来源"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.push(cb.groups[0].column.clone());
    header.extend(cb.items.iter().map(|i| i.column.clone().unwrap()));
    let k = cb.items.len();
    let mut records: Vec<(usize, Vec<usize>)> = Vec::new();
    for (z, zone) in ZONES.iter().enumerate() {
        let n = Q1_ZONE_N[z];
        let m = ZONE_MEANS.iter().find(|(id, _)| id == zone).unwrap().1;
        let total = (m * n as f64).round() as usize; // zone mean rounds to the published value
        // Spread the zone total over the 40 items as evenly as possible.
        let item_totals: Vec<usize> = (0..k)
            .map(|i| total / k + usize::from(i < total % k))
            .collect();
        let latent: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        let answers: Vec<Vec<usize>> = item_totals
            .iter()
            .map(|&t| assign_by_rank(&latent, &quota_with_total(n, t, 5, 0.9), 0.8, &mut rng))
            .collect();
        for r in 0..n {
            records.push((z, answers.iter().map(|a| a[r]).collect()));
        }
    }
    shuffle(&mut records, &mut rng);
    let rows = records
        .into_iter()
        .enumerate()
        .map(|(i, (z, ans))| {
            let mut row = meta(i, &mut rng);
            row.push(ZONES[z].to_string());
            row.extend(ans.into_iter().map(|a| a.to_string()));
            row
        })
        .collect();
    (header, rows)
}

/// Synthetic questionnaire 2 in Wenjuanxing layout (by-option-number export: single choices as
/// option text, the multiple-response question as one 0/1 column per option).
pub fn generate_q2(seed: u64) -> (Vec<String>, Vec<Vec<String>>) {
    let cb = Codebook::from_toml("paper_q2.toml", CODEBOOK_Q2).expect("bundled codebook is valid");
    let mut rng = Pcg64::seed_from_u64(seed ^ 0x5eed_0002);
    let col = |id: &str| cb.item(id).unwrap().column.clone().unwrap();
    let mut header: Vec<String> = ["序号", "提交答卷时间", "所用时间", "来源"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.push(cb.groups[0].column.clone());
    header.push(cb.groups[1].column.clone());
    let likert_ids = [
        "research",
        "planning",
        "execution",
        "necessity",
        "helpfulness",
    ];
    let part_ids = ["part_led", "part_difficulty", "part_planning"];
    for id in likert_ids {
        header.push(col(id));
    }
    header.push(col("mode"));
    for id in part_ids {
        header.push(col(id));
    }
    header.push(col("reason"));
    header.extend(cb.item("future").unwrap().columns.iter().cloned());
    // Assumed level shares (1..5) by province: both high, execution above research and planning.
    let shares = |id: &str, sichuan: bool| -> [f64; 5] {
        match (id, sichuan) {
            ("research", true) => [0.02, 0.04, 0.14, 0.44, 0.36],
            ("research", false) => [0.02, 0.05, 0.15, 0.43, 0.35],
            ("planning", true) => [0.02, 0.04, 0.13, 0.45, 0.36],
            ("planning", false) => [0.02, 0.05, 0.14, 0.44, 0.35],
            ("execution", true) => [0.01, 0.03, 0.10, 0.42, 0.44],
            ("execution", false) => [0.01, 0.03, 0.11, 0.43, 0.42],
            ("necessity", _) => [0.01, 0.02, 0.07, 0.35, 0.55],
            ("helpfulness", _) => [0.01, 0.03, 0.09, 0.40, 0.47],
            // Participation: the same distribution in both provinces (no significant difference).
            ("part_led", _) => [0.02, 0.05, 0.15, 0.42, 0.36],
            ("part_difficulty", _) => [0.02, 0.06, 0.18, 0.42, 0.32],
            _ => [0.02, 0.05, 0.16, 0.43, 0.34],
        }
    };
    let n_total: usize = Q2_ZONE_N.iter().sum();
    let mut cols: Vec<Vec<String>> =
        vec![Vec::with_capacity(n_total); header.len() - WJX_META_VALUES];
    // Per province: likert items by rank of a latent trait within the province.
    for (sichuan, zones) in [(true, 0..3usize), (false, 3..7usize)] {
        let n: usize = zones.clone().map(|z| Q2_ZONE_N[z]).sum();
        let latent: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        let latent2: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        for z in zones {
            for _ in 0..Q2_ZONE_N[z] {
                cols[0].push(if sichuan { "四川" } else { "重庆" }.to_string());
                cols[1].push(ZONES[z].to_string());
            }
        }
        for (j, id) in likert_ids.iter().enumerate() {
            let a = assign_by_rank(
                &latent,
                &largest_remainder(n, &shares(id, sichuan)),
                0.9,
                &mut rng,
            );
            cols[2 + j].extend(a.into_iter().map(|v| v.to_string()));
        }
        for (j, id) in part_ids.iter().enumerate() {
            let a = assign_by_rank(
                &latent2,
                &largest_remainder(n, &shares(id, sichuan)),
                0.9,
                &mut rng,
            );
            cols[8 + j].extend(a.into_iter().map(|v| v.to_string()));
        }
    }
    // Whole-sample published counts: cooperation modes (92% contain "合作"), reasons (5.1%),
    // future directions (69 / 65.7 / 36.7% of 2,406).
    let n = n_total;
    let mode_opts = &cb.item("mode").unwrap().labels;
    let mut mode: Vec<String> = [1251usize, 674, 289, 144, 48]
        .iter()
        .enumerate()
        .flat_map(|(k, &c)| std::iter::repeat_n(mode_opts[k].clone(), c))
        .collect();
    shuffle(&mut mode, &mut rng);
    cols[7] = mode;
    let reason_opts = &cb.item("reason").unwrap().labels;
    let mut reason: Vec<String> = [1251usize, 794, 238, 51, 72]
        .iter()
        .enumerate()
        .flat_map(|(k, &c)| std::iter::repeat_n(reason_opts[k].clone(), c))
        .collect();
    shuffle(&mut reason, &mut rng);
    cols[11] = reason;
    // Future directions: everyone picks at least one (public services 1,660; infrastructure 1,581
    // covers all 746 without public services; consumption 883; other 60).
    let mut order: Vec<usize> = (0..n).collect();
    shuffle(&mut order, &mut rng);
    let mut f = vec![[0u8; 4]; n];
    for &i in &order[..1660] {
        f[i][0] = 1;
    }
    let mut infra: Vec<usize> = order[1660..].to_vec();
    let mut rest: Vec<usize> = order[..1660].to_vec();
    shuffle(&mut rest, &mut rng);
    infra.extend(rest.into_iter().take(1581 - (n - 1660)));
    for i in infra {
        f[i][1] = 1;
    }
    shuffle(&mut order, &mut rng);
    for &i in &order[..883] {
        f[i][2] = 1;
    }
    shuffle(&mut order, &mut rng);
    for &i in &order[..60] {
        f[i][3] = 1;
    }
    for o in 0..4 {
        cols[12 + o] = f.iter().map(|v| v[o].to_string()).collect();
    }
    // Shuffle respondents (rows), keeping each row intact.
    let mut idx: Vec<usize> = (0..n).collect();
    shuffle(&mut idx, &mut rng);
    let rows = idx
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            let mut row = meta(i, &mut rng);
            row.extend(cols.iter().map(|c| c[r].clone()));
            row
        })
        .collect();
    (header, rows)
}

/// One published figure and what the data give.
#[derive(Debug, Clone, Serialize)]
pub struct FigureCheck {
    pub figure: String,
    pub published: String,
    pub reproduced: String,
    pub ok: bool,
}

fn pct(count: usize, n: usize) -> f64 {
    100.0 * count as f64 / n as f64
}

/// Recompute every published figure from (re-read) data.
pub fn check_figures(
    t1: &Table,
    cb1: &Codebook,
    t2: &Table,
    cb2: &Codebook,
) -> Result<Vec<FigureCheck>, DataError> {
    let mut out = Vec::new();
    // Questionnaire 1: N and zone means of the summed score.
    out.push(FigureCheck {
        figure: "Q1 valid responses".into(),
        published: "1476".into(),
        reproduced: t1.n_rows().to_string(),
        ok: t1.n_rows() == 1476,
    });
    let zcol = t1.categorical(t1.col(&cb1.groups[0].column)?, &[]);
    let scale = &cb1.scales[0];
    let scores: Vec<Vec<Option<f64>>> = scale
        .items
        .iter()
        .map(|i| item_scores(t1, cb1, cb1.item(i).unwrap()))
        .collect::<Result<_, _>>()?;
    let mut means = Vec::new();
    for (zone, published) in ZONE_MEANS {
        let sums: Vec<f64> = (0..t1.n_rows())
            .filter(|&r| zcol[r].as_deref() == Some(zone))
            .filter_map(|r| scores.iter().map(|s| s[r]).sum::<Option<f64>>())
            .collect();
        let m = describe::describe(&sums, 0.95)
            .map(|d| d.mean)
            .unwrap_or(f64::NAN);
        means.push((zone, m));
        out.push(FigureCheck {
            figure: format!("Q1 demand score mean, zone {zone}"),
            published: format!("{published:.2}"),
            reproduced: format!("{m:.2}"),
            ok: format!("{m:.2}") == format!("{published:.2}"),
        });
    }
    let mut order: Vec<(&str, f64)> = means.clone();
    order.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    let got: Vec<&str> = order.iter().map(|z| z.0).collect();
    let want: Vec<&str> = ZONE_MEANS.iter().map(|z| z.0).collect();
    out.push(FigureCheck {
        figure: "Q1 zone order by demand".into(),
        published: want.join(" > "),
        reproduced: got.join(" > "),
        ok: got == want,
    });
    // Questionnaire 2.
    let n2 = t2.n_rows();
    out.push(FigureCheck {
        figure: "Q2 valid responses".into(),
        published: "2406".into(),
        reproduced: n2.to_string(),
        ok: n2 == 2406,
    });
    let prov = t2.categorical(t2.col(&cb2.groups[0].column)?, &[]);
    let by_prov = |id: &str, p: &str| -> Result<Vec<f64>, DataError> {
        let s = item_scores(t2, cb2, cb2.item(id).unwrap())?;
        Ok((0..n2)
            .filter(|&r| prov[r].as_deref() == Some(p))
            .filter_map(|r| s[r])
            .collect())
    };
    for p in ["四川", "重庆"] {
        let m = |id: &str| -> Result<f64, DataError> {
            Ok(describe::describe(&by_prov(id, p)?, 0.95)
                .map(|d| d.mean)
                .unwrap_or(f64::NAN))
        };
        let (r, pl, e) = (m("research")?, m("planning")?, m("execution")?);
        out.push(FigureCheck {
            figure: format!("Q2 {p}: execution rated above research and planning, all high"),
            published: "execution > research, planning; high".into(),
            reproduced: format!("research {r:.2}, planning {pl:.2}, execution {e:.2}"),
            ok: e > r && e > pl && r > 3.5 && pl > 3.5,
        });
        let (nn, h) = (m("necessity")?, m("helpfulness")?);
        out.push(FigureCheck {
            figure: format!("Q2 {p}: necessity and helpfulness high"),
            published: "high".into(),
            reproduced: format!("necessity {nn:.2}, helpfulness {h:.2}"),
            ok: nn > 3.5 && h > 3.5,
        });
    }
    for id in ["part_led", "part_difficulty", "part_planning"] {
        let (a, b) = (by_prov(id, "四川")?, by_prov(id, "重庆")?);
        let t = ttest::ttest_ind(&a, &b, 0.95, false).map_err(|e| DataError::File {
            file: t2.source.clone(),
            msg: e.to_string(),
        })?;
        let ma = describe::describe(&a, 0.95)
            .map(|d| d.mean)
            .unwrap_or(f64::NAN);
        out.push(FigureCheck {
            figure: format!(
                "Q2 participation '{id}': no significant province difference, both high"
            ),
            published: "n.s., high".into(),
            reproduced: format!(
                "t({:.0}) = {:.2}, p = {:.3}; Sichuan M = {ma:.2}",
                t.student.df, t.student.t, t.student.p
            ),
            ok: t.student.p > 0.05 && ma > 3.5,
        });
    }
    let count = |id: &str, pred: &dyn Fn(&str) -> bool| -> Result<usize, DataError> {
        let it = cb2.item(id).unwrap();
        let c = t2.categorical(t2.col(it.column.as_deref().unwrap())?, &[]);
        Ok(c.iter().flatten().filter(|v| pred(v)).count())
    };
    let coop = count("mode", &|v| v.contains("合作"))?;
    out.push(FigureCheck {
        figure: "Q2 figure 3: chose an option containing 'cooperation' (合作)".into(),
        published: "92%".into(),
        reproduced: format!("{:.1}%", pct(coop, n2)),
        ok: pct(coop, n2).round() == 92.0,
    });
    let pr = count("reason", &|v| {
        v == "不参与会受到惩罚" || v == "参与会获得奖励"
    })?;
    out.push(FigureCheck {
        figure: "Q2 figure 4: penalty + reward as reason".into(),
        published: "5.1%".into(),
        reproduced: format!("{:.1}%", pct(pr, n2)),
        ok: format!("{:.1}", pct(pr, n2)) == "5.1",
    });
    let fut = cb2.item("future").unwrap();
    for (k, published) in [(0usize, "69"), (1, "65.7"), (2, "36.7")] {
        let c = t2
            .numeric(t2.col(&fut.columns[k])?, &[])?
            .iter()
            .filter(|v| **v == Some(1.0))
            .count();
        let dp = if published.contains('.') { 1 } else { 0 };
        let got = format!("{:.*}", dp, pct(c, n2));
        out.push(FigureCheck {
            figure: format!("Q2 figure 5: {}", fut.labels[k]),
            published: format!("{published}%"),
            reproduced: format!("{:.2}%", pct(c, n2)),
            ok: got == published,
        });
    }
    Ok(out)
}

/// Calibration targets for the simulator, from survey results.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationTargets {
    pub source: String,
    pub synthetic: bool,
    /// Share of respondents wanting cooperation in each simulator domain.
    pub domain_cooperation_shares: std::collections::BTreeMap<String, f64>,
    /// Zones from highest to lowest mean standards-use demand.
    pub zone_demand_order: Vec<String>,
    pub zone_demand_means: std::collections::BTreeMap<String, f64>,
    /// Share choosing any cooperation-containing mode.
    pub cooperation_mode_share: f64,
}

/// Domain shares from questionnaire 2's future-direction question, zone order from
/// questionnaire 1's demand score.
pub fn calibration_targets(
    t1: &Table,
    cb1: &Codebook,
    t2: &Table,
    cb2: &Codebook,
) -> Result<CalibrationTargets, DataError> {
    let n2 = t2.n_rows();
    let fut = cb2.item("future").ok_or_else(|| DataError::File {
        file: "codebook".into(),
        msg: "questionnaire-2 codebook needs the multi item 'future'".into(),
    })?;
    let mut shares = std::collections::BTreeMap::new();
    for (k, dom) in [
        "public_services",
        "infrastructure",
        "consumption_destination",
    ]
    .iter()
    .enumerate()
    {
        let c = t2
            .numeric(t2.col(&fut.columns[k])?, &[])?
            .iter()
            .filter(|v| **v == Some(1.0))
            .count();
        shares.insert(dom.to_string(), c as f64 / n2 as f64);
    }
    let zcol = t1.categorical(t1.col(&cb1.groups[0].column)?, &[]);
    let scale = cb1.scales.first().ok_or_else(|| DataError::File {
        file: "codebook".into(),
        msg: "questionnaire-1 codebook needs the demand scale".into(),
    })?;
    let scores: Vec<Vec<Option<f64>>> = scale
        .items
        .iter()
        .map(|i| item_scores(t1, cb1, cb1.item(i).unwrap()))
        .collect::<Result<_, _>>()?;
    let mut means = std::collections::BTreeMap::new();
    for z in ZONES {
        let sums: Vec<f64> = (0..t1.n_rows())
            .filter(|&r| zcol[r].as_deref() == Some(z))
            .filter_map(|r| scores.iter().map(|s| s[r]).sum::<Option<f64>>())
            .collect();
        if let Ok(d) = describe::describe(&sums, 0.95) {
            means.insert(z.to_string(), d.mean);
        }
    }
    let mut order: Vec<(String, f64)> = means.iter().map(|(k, v)| (k.clone(), *v)).collect();
    order.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    let mode = cb2.item("mode").unwrap();
    let mc = t2.categorical(t2.col(mode.column.as_deref().unwrap())?, &[]);
    let coop = mc.iter().flatten().filter(|v| v.contains("合作")).count() as f64
        / mc.iter().flatten().count().max(1) as f64;
    Ok(CalibrationTargets {
        source: format!("{} + {}", t1.source, t2.source),
        synthetic: cb1.survey.synthetic || cb2.survey.synthetic,
        domain_cooperation_shares: shares,
        zone_demand_order: order.into_iter().map(|z| z.0).collect(),
        zone_demand_means: means,
        cooperation_mode_share: coop,
    })
}
