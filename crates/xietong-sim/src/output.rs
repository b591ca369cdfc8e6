//! Results rendered as text: `timeseries.csv`, `zones.csv` and `summary.json`. Numbers are written
//! in shortest round-trip form, so equal results give equal bytes and files can be compared.

use crate::record::{PeriodRecord, RunResult};
use crate::runset::Aggregate;
use serde_json::{Map, Value, json};
use xietong_model::{Axis, Scenario, Tier};

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn to_csv(header: Vec<String>, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("flush to memory")).expect("CSV of UTF-8 fields")
}

/// Axes and tiers that have at least one domain (columns for the others would always be empty).
fn present(s: &Scenario) -> (Vec<usize>, Vec<usize>) {
    let axes = (0..Axis::ALL.len())
        .filter(|&i| s.domains.iter().any(|d| d.axis == Axis::ALL[i]))
        .collect();
    let tiers = (0..Tier::ALL.len())
        .filter(|&i| s.domains.iter().any(|d| d.tier == Tier::ALL[i]))
        .collect();
    (axes, tiers)
}

/// One row per run × period. Column meanings are listed in `docs/scenario.md` (Outputs).
pub fn timeseries_csv(s: &Scenario, results: &[RunResult]) -> String {
    let (axes, tiers) = present(s);
    let mut h: Vec<String> = ["run", "period", "quarter", "stage"]
        .map(String::from)
        .to_vec();
    h.extend(s.domains.iter().map(|d| format!("coop_{}", d.id)));
    h.extend(
        axes.iter()
            .map(|&i| format!("coop_axis_{}", Axis::ALL[i].id())),
    );
    h.extend(
        tiers
            .iter()
            .map(|&i| format!("coop_tier_{}", Tier::ALL[i].id())),
    );
    h.extend(s.provinces.iter().map(|p| format!("coop_{}", p.id)));
    h.extend(
        [
            "cooperation",
            "executed",
            "execution_gap",
            "selective_index",
            "benefit_gap",
            "trust",
            "alignment",
            "local_centric",
            "barrier",
            "orientation",
            "gini",
            "theil",
            "siphon_index",
            "welfare",
        ]
        .map(String::from),
    );
    h.extend(s.provinces.iter().map(|p| format!("effort_{}", p.id)));
    h.extend(["dilemmas", "deepens", "retreats"].map(String::from));
    h.extend(s.domains.iter().map(|d| format!("align_{}", d.id)));
    h.extend(s.domains.iter().map(|d| format!("active_{}", d.id)));
    let rows = results.iter().flat_map(|r| {
        let axes = &axes;
        let tiers = &tiers;
        r.periods
            .iter()
            .enumerate()
            .map(move |(t, p): (usize, &PeriodRecord)| {
                let mut row = vec![
                    r.summary.run.to_string(),
                    t.to_string(),
                    s.period_label(t),
                    p.stage.id().to_string(),
                ];
                row.extend(p.coop_domain.iter().map(|&x| num(x)));
                row.extend(axes.iter().map(|&i| num(p.coop_axis[i])));
                row.extend(tiers.iter().map(|&i| num(p.coop_tier[i])));
                row.extend(p.coop_province.iter().map(|&x| num(x)));
                row.extend(
                    [
                        p.cooperation,
                        p.executed,
                        p.execution_gap,
                        p.selective_index,
                        p.benefit_gap,
                        p.trust,
                        p.alignment,
                        p.local_centric,
                        p.barrier,
                        p.orientation,
                        p.gini,
                        p.theil,
                        p.siphon_index,
                        p.welfare,
                    ]
                    .map(num),
                );
                row.extend(p.effort.iter().map(|&x| num(x)));
                row.extend([p.dilemmas, p.deepens, p.retreats].map(|x| x.to_string()));
                row.extend(p.alignment_domain.iter().map(|&x| num(x)));
                row.extend(p.active_domain.iter().map(|&a| (a as u8).to_string()));
                row
            })
    });
    to_csv(h, rows)
}

/// One row per run × period × zone.
pub fn zones_csv(s: &Scenario, results: &[RunResult]) -> String {
    let h = [
        "run",
        "period",
        "quarter",
        "zone",
        "province",
        "cooperation",
        "development",
        "demand",
    ]
    .map(String::from)
    .to_vec();
    let rows = results.iter().flat_map(|r| {
        r.periods.iter().enumerate().flat_map(move |(t, p)| {
            p.zones.iter().enumerate().map(move |(z, zr)| {
                vec![
                    r.summary.run.to_string(),
                    t.to_string(),
                    s.period_label(t),
                    s.zones[z].id.clone(),
                    s.zones[z].province.clone(),
                    num(zr.cooperation),
                    num(zr.development),
                    num(zr.demand),
                ]
            })
        })
    });
    to_csv(h, rows)
}

/// `summary.json`: the scenario and seed, every run's summary, and the aggregate over runs.
pub fn summary_json(s: &Scenario, seed: u64, results: &[RunResult], agg: &Aggregate) -> String {
    let per_run: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(&r.summary).expect("plain data");
            let obj = v.as_object_mut().expect("a struct");
            let coop: Map<String, Value> = s
                .domains
                .iter()
                .zip(&r.summary.survey_cooperation)
                .map(|(d, &c)| (d.id.clone(), json!(c)))
                .collect();
            let demand: Map<String, Value> = s
                .zones
                .iter()
                .zip(&r.summary.survey_zone_demand)
                .map(|(z, &c)| (z.id.clone(), json!(c)))
                .collect();
            obj.insert("survey_cooperation".into(), Value::Object(coop));
            obj.insert("survey_zone_demand".into(), Value::Object(demand));
            v
        })
        .collect();
    let doc = json!({
        "scenario": s.name,
        "seed": seed,
        "runs": results.len(),
        "periods": s.calendar.periods,
        "start": s.calendar.start.to_string(),
        "per_run": per_run,
        "aggregate": agg,
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("plain data");
    text.push('\n');
    text
}

/// Per period: mean, 5% and 95% quantile over runs of one indicator (NaN values skipped).
pub fn bands(
    results: &[RunResult],
    f: impl Fn(&PeriodRecord) -> f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let periods = results.first().map_or(0, |r| r.periods.len());
    let mut mean = Vec::with_capacity(periods);
    let mut lo = Vec::with_capacity(periods);
    let mut hi = Vec::with_capacity(periods);
    for t in 0..periods {
        let st =
            crate::runset::Stat::of(&results.iter().map(|r| f(&r.periods[t])).collect::<Vec<_>>());
        mean.push(st.mean.unwrap_or(f64::NAN));
        lo.push(st.p05.unwrap_or(f64::NAN));
        hi.push(st.p95.unwrap_or(f64::NAN));
    }
    (mean, lo, hi)
}
