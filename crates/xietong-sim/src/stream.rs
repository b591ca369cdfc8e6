//! Results of many runs taken one run at a time, in run order, so that a front end can write each
//! run's rows as soon as it is simulated and keep memory flat however many runs there are.
//!
//! [`Collector`] keeps running counts and sums (stage shares, survey-window means) and appends
//! the per-run values whose distribution over runs is wanted — the outcome statistics of
//! [`Aggregate`] and the per-period bands of the report — to a [`ColumnStore`]: blocks of runs,
//! each block column-major, held in memory or in a scratch file. [`Collector::finish`] reads the
//! columns back a group at a time within a fixed budget of values and computes the same exact
//! means and quantiles as the in-memory [`Aggregate::of`] and [`crate::output::bands`] (tested to
//! the bit). Memory is therefore one block of runs plus one group of columns: flat in the number
//! of runs until a single column (8 bytes per run) exceeds the budget, i.e. beyond
//! [`READ_BUDGET_VALUES`] runs (524,288), where one column at a time is read whole. The scratch
//! file holds 8 bytes per run and column (5.8 KB per run of the built-in scenario, a tenth of
//! what the run's CSV rows take).

use crate::record::{PeriodRecord, RunResult};
use crate::runset::{Aggregate, Stat, SurveyAggregate};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use xietong_model::Scenario;
use xietong_model::mechanism::Stage;

/// Values read back at once when computing statistics (4 MiB of doubles).
pub const READ_BUDGET_VALUES: usize = 1 << 19;
/// Bytes of one block of runs before it is written out (the block is kept twice while written).
const BLOCK_BYTES: usize = 1 << 20;

/// A per-period indicator whose mean and 5-95% band over runs the run report draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BandMetric {
    /// Probability of cooperating in domain `k` (scenario order).
    Domain(usize),
    Trust,
    Alignment,
    LocalCentric,
    Barrier,
    Orientation,
    Gini,
    Theil,
    Siphon,
}

impl BandMetric {
    /// Every banded indicator of scenario `s`: its domains, then the regional state and inequality.
    pub fn all(s: &Scenario) -> Vec<BandMetric> {
        let mut v: Vec<BandMetric> = (0..s.domains.len()).map(BandMetric::Domain).collect();
        v.extend([
            BandMetric::Trust,
            BandMetric::Alignment,
            BandMetric::LocalCentric,
            BandMetric::Barrier,
            BandMetric::Orientation,
            BandMetric::Gini,
            BandMetric::Theil,
            BandMetric::Siphon,
        ]);
        v
    }

    pub fn value(self, p: &PeriodRecord) -> f64 {
        match self {
            BandMetric::Domain(k) => p.coop_domain[k],
            BandMetric::Trust => p.trust,
            BandMetric::Alignment => p.alignment,
            BandMetric::LocalCentric => p.local_centric,
            BandMetric::Barrier => p.barrier,
            BandMetric::Orientation => p.orientation,
            BandMetric::Gini => p.gini,
            BandMetric::Theil => p.theil,
            BandMetric::Siphon => p.siphon_index,
        }
    }
}

/// Per period: mean and 5%/95% quantiles over runs of each [`BandMetric`] (NaN where no run has a
/// number), as [`crate::output::bands`] computes them from runs held in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    pub metrics: Vec<BandMetric>,
    /// `[metric][period]`.
    pub mean: Vec<Vec<f64>>,
    pub lo: Vec<Vec<f64>>,
    pub hi: Vec<Vec<f64>>,
}

impl Bands {
    /// `(mean, 5%, 95%)` per period of one metric.
    pub fn get(&self, m: BandMetric) -> Option<(&[f64], &[f64], &[f64])> {
        let i = self.metrics.iter().position(|&x| x == m)?;
        Some((&self.mean[i], &self.lo[i], &self.hi[i]))
    }
}

/// What the report and the summary need of a set of runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Collected {
    pub aggregate: Aggregate,
    pub bands: Bands,
    /// Per period, the share of runs in each stage of `Stage::ALL`.
    pub stage_shares: Vec<[f64; 4]>,
}

/// Per-run columns of doubles, appended one run (row) at a time and read back column by column
/// in run order. Rows are gathered into blocks; each full block is written column-major, so a
/// group of adjacent columns is one contiguous segment per block.
pub struct ColumnStore {
    cols: usize,
    block_runs: usize,
    /// Rows of the block being filled, run-major.
    pending: Vec<f64>,
    /// Where full blocks go: a scratch file, or memory when `None`.
    file: Option<File>,
    mem: Vec<f64>,
    /// Per written block: offset in values, runs.
    blocks: Vec<(u64, usize)>,
    written: u64,
    scratch: Vec<u8>,
}

impl ColumnStore {
    /// A store of `cols` columns, in memory (`file` = None) or in `file` (created empty, read and
    /// written). `block_runs` = 0 picks blocks of about 1 MiB.
    pub fn new(cols: usize, file: Option<File>, block_runs: usize) -> ColumnStore {
        let block_runs = if block_runs == 0 {
            (BLOCK_BYTES / (8 * cols.max(1))).clamp(1, 4096)
        } else {
            block_runs
        };
        ColumnStore {
            cols,
            block_runs,
            pending: Vec::with_capacity(cols * block_runs),
            file,
            mem: Vec::new(),
            blocks: Vec::new(),
            written: 0,
            scratch: Vec::new(),
        }
    }

    pub fn runs(&self) -> usize {
        self.blocks.iter().map(|b| b.1).sum::<usize>() + self.pending.len() / self.cols.max(1)
    }

    pub fn push(&mut self, row: &[f64]) -> std::io::Result<()> {
        assert_eq!(row.len(), self.cols, "one value per column");
        self.pending.extend_from_slice(row);
        if self.pending.len() >= self.cols * self.block_runs {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let runs = self.pending.len() / self.cols.max(1);
        if runs == 0 {
            return Ok(());
        }
        let mut col_major = Vec::with_capacity(self.pending.len());
        for c in 0..self.cols {
            col_major.extend((0..runs).map(|r| self.pending[r * self.cols + c]));
        }
        match &mut self.file {
            Some(f) => {
                self.scratch.clear();
                self.scratch
                    .extend(col_major.iter().flat_map(|x| x.to_le_bytes()));
                f.write_all(&self.scratch)?;
            }
            None => self.mem.extend_from_slice(&col_major),
        }
        self.blocks.push((self.written, runs));
        self.written += col_major.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// The values of columns `cols` (outer) in run order (inner).
    pub fn read(&mut self, cols: Range<usize>) -> std::io::Result<Vec<Vec<f64>>> {
        self.flush()?;
        let total = self.runs();
        let mut out: Vec<Vec<f64>> = cols.clone().map(|_| Vec::with_capacity(total)).collect();
        let width = cols.len();
        for &(offset, runs) in &self.blocks {
            let start = offset + (cols.start * runs) as u64;
            let n = width * runs;
            let values: &[f64] = match &mut self.file {
                Some(f) => {
                    f.seek(SeekFrom::Start(start * 8))?;
                    self.scratch.resize(n * 8, 0);
                    f.read_exact(&mut self.scratch)?;
                    self.mem.clear();
                    self.mem.extend(
                        self.scratch
                            .chunks_exact(8)
                            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
                    );
                    &self.mem
                }
                None => &self.mem[start as usize..start as usize + n],
            };
            for (j, col) in out.iter_mut().enumerate() {
                col.extend_from_slice(&values[j * runs..(j + 1) * runs]);
            }
        }
        if self.file.is_some() {
            self.mem = Vec::new();
            self.scratch = Vec::new();
        }
        Ok(out)
    }
}

/// The per-run outcome columns, in this order, before the band columns.
const OUTCOMES: usize = 9;

/// Takes runs in run order (see the module documentation).
pub struct Collector<'a> {
    s: &'a Scenario,
    metrics: Vec<BandMetric>,
    periods: usize,
    store: ColumnStore,
    budget: usize,
    row: Vec<f64>,
    runs: usize,
    retreats: usize,
    /// `[period][stage]`.
    stage_counts: Vec<[u64; 4]>,
    survey_stage_counts: [u64; 4],
    survey_cells: u64,
    survey_cooperation: Vec<f64>,
    survey_demand: Vec<f64>,
}

fn stage_index(st: Stage) -> usize {
    Stage::ALL
        .iter()
        .position(|&x| x == st)
        .expect("known stage")
}

impl<'a> Collector<'a> {
    /// Collect in memory (8 bytes per run and column: for tests and small sets).
    pub fn in_memory(s: &'a Scenario) -> Collector<'a> {
        Collector::with_store(s, None, 0, READ_BUDGET_VALUES)
    }

    /// Collect into `scratch`, an empty file opened for reading and writing.
    pub fn to_file(s: &'a Scenario, scratch: File) -> Collector<'a> {
        Collector::with_store(s, Some(scratch), 0, READ_BUDGET_VALUES)
    }

    /// As [`Collector::to_file`] or [`Collector::in_memory`] with a chosen block size (runs; 0:
    /// about 1 MiB) and read budget (values), to exercise many blocks and groups in tests.
    pub fn with_store(
        s: &'a Scenario,
        scratch: Option<File>,
        block_runs: usize,
        budget: usize,
    ) -> Collector<'a> {
        let metrics = BandMetric::all(s);
        let periods = s.calendar.periods as usize;
        let cols = OUTCOMES + metrics.len() * periods;
        Collector {
            s,
            periods,
            store: ColumnStore::new(cols, scratch, block_runs),
            budget: budget.max(1),
            row: Vec::with_capacity(cols),
            runs: 0,
            retreats: 0,
            stage_counts: vec![[0; 4]; periods],
            survey_stage_counts: [0; 4],
            survey_cells: 0,
            survey_cooperation: vec![0.0; s.domains.len()],
            survey_demand: vec![0.0; s.zones.len()],
            metrics,
        }
    }

    /// Add the next run (runs must come in run order for sums to match the in-memory ones).
    pub fn push(&mut self, r: &RunResult) -> std::io::Result<()> {
        let sm = &r.summary;
        let event = |e: Option<u32>| e.map_or(f64::NAN, f64::from);
        self.row.clear();
        self.row.extend([
            event(sm.first_transition_period),
            event(sm.first_advanced_period),
            sm.dilemmas as f64,
            sm.deepens as f64,
            sm.retreats as f64,
            sm.cumulative_cooperation,
            sm.final_gini,
            sm.final_alignment,
            sm.final_trust,
        ]);
        for m in &self.metrics {
            self.row
                .extend(r.periods.iter().take(self.periods).map(|p| m.value(p)));
        }
        self.store.push(&self.row)?;
        self.runs += 1;
        if sm.final_stage == Stage::Retreat.id() {
            self.retreats += 1;
        }
        for (t, p) in r.periods.iter().enumerate().take(self.periods) {
            self.stage_counts[t][stage_index(p.stage)] += 1;
        }
        for st in &sm.survey_stages {
            let i = Stage::ALL
                .iter()
                .position(|x| x.id() == st)
                .expect("known stage");
            self.survey_stage_counts[i] += 1;
            self.survey_cells += 1;
        }
        for (acc, x) in self
            .survey_cooperation
            .iter_mut()
            .zip(&sm.survey_cooperation)
        {
            *acc += x;
        }
        for (acc, x) in self.survey_demand.iter_mut().zip(&sm.survey_zone_demand) {
            *acc += x;
        }
        Ok(())
    }

    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Statistics of every column, a group of columns at a time.
    pub fn finish(mut self) -> std::io::Result<Collected> {
        let s = self.s;
        let cols = self.store.cols;
        let per_group = (self.budget / self.runs.max(1)).max(1);
        let mut stats: Vec<Stat> = Vec::with_capacity(cols);
        let mut c = 0;
        while c < cols {
            let end = (c + per_group).min(cols);
            for (j, values) in self.store.read(c..end)?.into_iter().enumerate() {
                stats.push(if c + j < 2 {
                    Stat::of_event_column(&values)
                } else {
                    Stat::of(&values)
                });
            }
            c = end;
        }
        let n = self.runs.max(1) as f64;
        let cells = (self.survey_cells as f64).max(1.0);
        let stage_shares: BTreeMap<String, f64> = Stage::ALL
            .iter()
            .zip(self.survey_stage_counts)
            .map(|(st, k)| (st.id().to_string(), k as f64 / cells))
            .collect();
        let mut st = stats.drain(..OUTCOMES);
        let mut next = || st.next().expect("nine outcome columns");
        let aggregate = Aggregate {
            runs: self.runs,
            first_transition_period: next(),
            first_advanced_period: next(),
            dilemmas: next(),
            deepen_decisions: next(),
            retreat_decisions: next(),
            cumulative_cooperation: next(),
            final_gini: next(),
            final_alignment: next(),
            final_trust: next(),
            retreat_share: self.retreats as f64 / n,
            survey_period: SurveyAggregate {
                window: s.calendar.survey_window.map(|q| q.to_string()),
                cooperation_by_domain: s
                    .domains
                    .iter()
                    .zip(&self.survey_cooperation)
                    .map(|(d, &v)| (d.id.clone(), v / n))
                    .collect(),
                stage_shares,
                zone_demand: s
                    .zones
                    .iter()
                    .zip(&self.survey_demand)
                    .map(|(z, &v)| (z.id.clone(), v / n))
                    .collect(),
            },
        };
        drop(st);
        let pick = |f: fn(&Stat) -> Option<f64>| -> Vec<Vec<f64>> {
            stats
                .chunks(self.periods.max(1))
                .map(|c| c.iter().map(|x| f(x).unwrap_or(f64::NAN)).collect())
                .collect()
        };
        let bands = Bands {
            mean: pick(|x| x.mean),
            lo: pick(|x| x.p05),
            hi: pick(|x| x.p95),
            metrics: self.metrics,
        };
        let stage_shares = self
            .stage_counts
            .iter()
            .map(|c| c.map(|k| k as f64 / self.runs as f64))
            .collect();
        Ok(Collected {
            aggregate,
            bands,
            stage_shares,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::bands;
    use crate::runset::run_many;

    fn scenario(sets: &[&str]) -> Scenario {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        xietong_model::builtin::chengdu_chongqing(&sets).unwrap()
    }

    /// The streamed statistics equal, to the bit, the in-memory ones over the same runs, whether
    /// the columns sit in memory or in a file, in one block or many, read in one group or many.
    #[test]
    fn streamed_statistics_equal_in_memory_ones() {
        let s = scenario(&["calendar.periods=15"]);
        let results = run_many(&s, 5, 23, &|| {});
        let want_agg = Aggregate::of(&s, &results);
        let dir = std::env::temp_dir().join(format!("xietong-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (i, (file, block, budget)) in [
            (false, 0, READ_BUDGET_VALUES),
            (true, 0, READ_BUDGET_VALUES),
            (true, 4, 50),
            (false, 1, 1),
            (true, 7, 23 * 3),
        ]
        .into_iter()
        .enumerate()
        {
            let f = file.then(|| {
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(dir.join(format!("cols{i}")))
                    .unwrap()
            });
            let mut c = Collector::with_store(&s, f, block, budget);
            for r in &results {
                c.push(r).unwrap();
            }
            let got = c.finish().unwrap();
            assert_eq!(got.aggregate, want_agg, "case {i}");
            for (m, metric) in got.bands.metrics.iter().enumerate() {
                let (mean, lo, hi) = bands(&results, |p| metric.value(p));
                let b = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(b(&got.bands.mean[m]), b(&mean), "case {i} {metric:?} mean");
                assert_eq!(b(&got.bands.lo[m]), b(&lo), "case {i} {metric:?} 5%");
                assert_eq!(b(&got.bands.hi[m]), b(&hi), "case {i} {metric:?} 95%");
            }
            for t in 0..15 {
                for (k, st) in Stage::ALL.iter().enumerate() {
                    let n = results.iter().filter(|r| r.periods[t].stage == *st).count();
                    assert_eq!(got.stage_shares[t][k], n as f64 / 23.0);
                }
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn column_store_returns_columns_in_run_order() {
        for block in [1, 2, 3, 10] {
            let mut st = ColumnStore::new(3, None, block);
            for r in 0..7 {
                st.push(&[r as f64, 10.0 + r as f64, 20.0 + r as f64])
                    .unwrap();
            }
            let cols = st.read(1..3).unwrap();
            assert_eq!(cols[0], (0..7).map(|r| 10.0 + r as f64).collect::<Vec<_>>());
            assert_eq!(cols[1], (0..7).map(|r| 20.0 + r as f64).collect::<Vec<_>>());
        }
    }
}
