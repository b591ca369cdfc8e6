//! An experiment resolved against its base scenario: the design expanded into `--set` overrides
//! per point, the seed of every run, the metric columns and the design hash that `--resume` and
//! `merge` compare. Pure computation: the caller supplies the file texts.

use std::ops::Range;

use rayon::prelude::*;
use xietong_model::{Scenario, parse_with_overrides};
use xietong_sensitivity::{Design, Factor};
use xietong_sim::RunResult;

use crate::error::{ExpError, Problem, Result};
use crate::metrics::{DEFAULT_METRICS, Metric, cell};
use crate::series::Indicator;
use crate::spec::{ExperimentSpec, Seeding};

/// Version of the output layout; part of the design hash.
pub const FORMAT: &str = "xietong-experiment/1";

/// A checked experiment, ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub spec: ExperimentSpec,
    pub experiment_text: String,
    pub experiment_file: String,
    pub base_text: String,
    pub base_file: String,
    /// The base scenario with the fixed overrides applied.
    pub base: Scenario,
    pub factors: Vec<Factor>,
    pub design: Design,
    pub metric_names: Vec<String>,
    pub metrics: Vec<Metric>,
    /// Time-series indicators (`[output] timeseries`), empty for none.
    pub series_names: Vec<String>,
    pub series: Vec<Indicator>,
    /// Hex digest over everything that determines the result rows.
    pub hash: String,
    /// The base scenario's TOML table with the fixed overrides applied: each point starts from a
    /// copy of it instead of parsing the text again (a third of a run's time otherwise).
    base_table: toml::Table,
}

impl Plan {
    /// Check the experiment against its base scenario and build its design.
    pub fn new(
        experiment_text: &str,
        experiment_file: &str,
        base_text: &str,
        base_file: &str,
    ) -> Result<Plan> {
        let spec = ExperimentSpec::parse(experiment_text, experiment_file)?;
        let at = |path: &str, message: String| {
            ExpError::file(
                experiment_file,
                vec![Problem {
                    line_col: xietong_model::load::locate(experiment_text, path),
                    path: path.to_string(),
                    message,
                }],
            )
        };
        let base = parse_with_overrides(base_text, base_file, &spec.base.set).map_err(|e| {
            ExpError::input(format!(
                "base scenario of {experiment_file} ([base] scenario and set): {e}"
            ))
        })?;
        let factors: Vec<Factor> = spec
            .factors
            .iter()
            .map(|f| match (&f.levels, &f.values) {
                (Some(l), _) => Factor::levels(f.path.clone(), l.clone()),
                (None, Some(v)) => {
                    Factor::levels(f.path.clone(), (0..v.len()).map(|i| i as f64).collect())
                }
                (None, None) => Factor::new(
                    f.path.clone(),
                    f.low.unwrap_or(f64::NAN),
                    f.high.unwrap_or(f64::NAN),
                ),
            })
            .collect();
        if let Some(rows) = spec.design.rows(factors.len())
            && rows == 0
        {
            return Err(at("design", "the design has no points".into()));
        }
        let design = spec
            .design
            .generate(&factors)
            .map_err(|e| at("design", e.to_string()))?;
        let names: Vec<String> = if spec.output.metrics.is_empty() {
            DEFAULT_METRICS.iter().map(|s| s.to_string()).collect()
        } else {
            spec.output.metrics.clone()
        };
        let mut metrics = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(at(
                    &format!("output.metrics[{i}]"),
                    format!("metric {n} is listed twice"),
                ));
            }
            metrics
                .push(Metric::parse(n, &base).map_err(|m| at(&format!("output.metrics[{i}]"), m))?);
        }
        let series_names = spec.output.timeseries.clone();
        let mut series = Vec::new();
        for (i, n) in series_names.iter().enumerate() {
            if series_names[..i].contains(n) {
                return Err(at(
                    &format!("output.timeseries[{i}]"),
                    format!("{n} is listed twice"),
                ));
            }
            series.push(
                Indicator::parse(n, &base)
                    .map_err(|m| at(&format!("output.timeseries[{i}]"), m))?,
            );
        }
        let mut base_table: toml::Table = toml::from_str(base_text)
            .map_err(|e| ExpError::input(format!("{base_file}: {}", e.message())))?;
        for set in &spec.base.set {
            xietong_model::load::apply_set(&mut base_table, set)
                .map_err(|m| ExpError::input(format!("--set {set}: {m}")))?;
        }
        let mut plan = Plan {
            spec,
            experiment_text: experiment_text.to_string(),
            experiment_file: experiment_file.to_string(),
            base_text: base_text.to_string(),
            base_file: base_file.to_string(),
            base,
            factors,
            design,
            metric_names: names,
            metrics,
            series_names,
            series,
            hash: String::new(),
            base_table,
        };
        plan.check_factor_values()?;
        plan.hash = plan.compute_hash();
        Ok(plan)
    }

    pub fn n_points(&self) -> usize {
        self.design.n_rows
    }

    pub fn replications(&self) -> usize {
        self.spec.replications
    }

    /// The value written for factor `j` at `v`: the name for a `values` factor, else the number.
    pub fn label(&self, j: usize, v: f64) -> String {
        match &self.spec.factors[j].values {
            Some(names) => names[v as usize].clone(),
            None => format!("{v}"),
        }
    }

    /// The overrides that make point `p`: the fixed ones, then one per factor.
    pub fn sets(&self, p: usize) -> Vec<String> {
        let mut sets = self.spec.base.set.clone();
        for (j, v) in self.design.row(p).iter().enumerate() {
            sets.push(format!("{}={}", self.factors[j].name, self.label(j, *v)));
        }
        sets
    }

    /// The scenario of point `p`: the base table with the point's overrides, deserialized and
    /// validated. Only when that fails is the text parsed again, for the located message.
    pub fn scenario(&self, p: usize) -> Result<Scenario> {
        let fast = || -> Option<Scenario> {
            let mut t = self.base_table.clone();
            for (j, v) in self.design.row(p).iter().enumerate() {
                let set = format!("{}={}", self.factors[j].name, self.label(j, *v));
                xietong_model::load::apply_set(&mut t, &set).ok()?;
            }
            let s: Scenario = toml::Value::Table(t).try_into().ok()?;
            xietong_model::validate::validate(&s)
                .is_empty()
                .then_some(s)
        };
        if let Some(s) = fast() {
            return Ok(s);
        }
        self.scenario_from_text(p)
    }

    /// The scenario of point `p` the way `xietong run --set` builds it, from the text.
    pub fn scenario_from_text(&self, p: usize) -> Result<Scenario> {
        parse_with_overrides(&self.base_text, &self.base_file, &self.sets(p)).map_err(|e| {
            ExpError::input(format!("design point {p} of {}: {e}", self.experiment_file))
        })
    }

    /// Seed of the random streams of point `p`; replication `r` is run index `r` under it, so
    /// `xietong run --seed <seed> --runs <r+1>` reproduces it as its last run.
    pub fn seed(&self, p: usize) -> u64 {
        match self.spec.seeds {
            Seeding::Common => self.spec.seed,
            Seeding::Independent => mix(mix(self.spec.seed) ^ p as u64),
        }
    }

    /// Every factor alone at each end of its range (or at each level) on the base scenario, so an
    /// unknown path or an out-of-range bound is reported before anything runs.
    fn check_factor_values(&self) -> Result<()> {
        for (j, f) in self.factors.iter().enumerate() {
            let values: Vec<f64> = match &f.range {
                xietong_sensitivity::Range::Continuous { low, high } => vec![*low, *high],
                xietong_sensitivity::Range::Levels(l) => l.clone(),
            };
            for v in values {
                let mut sets = self.spec.base.set.clone();
                sets.push(format!("{}={}", f.name, self.label(j, v)));
                parse_with_overrides(&self.base_text, &self.base_file, &sets).map_err(|e| {
                    ExpError::file(
                        &self.experiment_file,
                        vec![Problem {
                            line_col: xietong_model::load::locate(
                                &self.experiment_text,
                                &format!("factor[{j}]"),
                            ),
                            path: format!("factor[{j}]"),
                            message: format!(
                                "{} = {} does not make a valid scenario: {e}",
                                f.name,
                                self.label(j, v)
                            ),
                        }],
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Check that every point in `points` makes a valid scenario (in parallel; the first bad point
    /// in design order is reported).
    pub fn check_points(&self, points: Range<usize>) -> Result<()> {
        let bad = points
            .into_par_iter()
            .find_first(|&p| self.scenario(p).is_err());
        match bad {
            Some(p) => Err(self.scenario(p).expect_err("just failed")),
            None => Ok(()),
        }
    }

    /// Points of shard `index` (1-based) of `count`: contiguous, so merging shards is concatenation.
    pub fn shard_range(&self, shard: Option<(usize, usize)>) -> Result<Range<usize>> {
        let n = self.n_points();
        match shard {
            None => Ok(0..n),
            Some((i, k)) => {
                if k == 0 || i == 0 || i > k {
                    return Err(ExpError::input(format!(
                        "--shard {i}/{k}: expected I/N with 1 <= I <= N"
                    )));
                }
                if k > n {
                    return Err(ExpError::input(format!(
                        "--shard {i}/{k}: more shards than the design's {n} points"
                    )));
                }
                Ok((i - 1) * n / k..i * n / k)
            }
        }
    }

    /// Header line of `results.csv`.
    pub fn header(&self) -> String {
        let mut cols = vec!["point".to_string(), "replication".into(), "seed".into()];
        cols.extend(self.factors.iter().map(|f| csv_field(&f.name)));
        cols.extend(self.metric_names.iter().map(|m| csv_field(m)));
        cols.join(",") + "\n"
    }

    /// One result row (with its newline).
    pub fn row(&self, p: usize, r: usize, result: &RunResult) -> String {
        let mut cols = vec![p.to_string(), r.to_string(), self.seed(p).to_string()];
        for (j, v) in self.design.row(p).iter().enumerate() {
            cols.push(csv_field(&self.label(j, *v)));
        }
        for m in &self.metrics {
            cols.push(cell(m.value(result)));
        }
        cols.join(",") + "\n"
    }

    pub fn has_series(&self) -> bool {
        !self.series.is_empty()
    }

    /// Header line of `timeseries.csv`.
    pub fn series_header(&self) -> String {
        let mut cols = vec![
            "point".to_string(),
            "replication".into(),
            "period".into(),
            "quarter".into(),
        ];
        cols.extend(self.series_names.iter().map(|m| csv_field(m)));
        cols.join(",") + "\n"
    }

    /// One `timeseries.csv` row per period of a run (empty without time series).
    pub fn series_rows(&self, p: usize, r: usize, s: &Scenario, result: &RunResult) -> String {
        let mut out = String::new();
        if self.series.is_empty() {
            return out;
        }
        for (t, rec) in result.periods.iter().enumerate() {
            out.push_str(&format!("{p},{r},{t},{}", s.period_label(t)));
            for ind in &self.series {
                out.push(',');
                out.push_str(&ind.cell(rec));
            }
            out.push('\n');
        }
        out
    }

    /// `design.csv`: the point index and the factor values of every point.
    pub fn design_csv(&self) -> String {
        let mut out = String::from("point");
        for f in &self.factors {
            out.push(',');
            out.push_str(&csv_field(&f.name));
        }
        out.push('\n');
        for p in 0..self.n_points() {
            out.push_str(&p.to_string());
            for (j, v) in self.design.row(p).iter().enumerate() {
                out.push(',');
                out.push_str(&csv_field(&self.label(j, *v)));
            }
            out.push('\n');
        }
        out
    }

    fn compute_hash(&self) -> String {
        let mut h = Hasher::new();
        h.str(FORMAT);
        h.str(&self.base_text);
        for s in &self.spec.base.set {
            h.str(s);
        }
        h.u64(self.spec.seed);
        h.u64(self.spec.replications as u64);
        h.str(match self.spec.seeds {
            Seeding::Independent => "independent",
            Seeding::Common => "common",
        });
        for (j, f) in self.factors.iter().enumerate() {
            h.str(&f.name);
            if let Some(v) = &self.spec.factors[j].values {
                v.iter().for_each(|s| h.str(s));
            }
        }
        h.u64(self.design.n_rows as u64);
        for v in &self.design.points {
            h.u64(v.to_bits());
        }
        for m in &self.metric_names {
            h.str(m);
        }
        if !self.series_names.is_empty() {
            h.str("timeseries");
            for m in &self.series_names {
                h.str(m);
            }
        }
        h.hex()
    }
}

/// Quote a CSV field if it needs it (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// SplitMix64 finaliser (the same mixing the simulator uses for its streams).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Two FNV-1a 64 lanes with different offsets: 128 bits to detect a changed design (not a
/// cryptographic hash; it guards against mistakes, not against forgery).
struct Hasher([u64; 2]);

impl Hasher {
    fn new() -> Hasher {
        Hasher([0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142])
    }
    fn bytes(&mut self, b: &[u8]) {
        for lane in &mut self.0 {
            for &x in b {
                *lane ^= x as u64;
                *lane = lane.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    /// Length-prefixed, so ("ab","c") and ("a","bc") differ.
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn hex(&self) -> String {
        format!("{:016x}{:016x}", self.0[0], self.0[1])
    }
}
