//! One simulation run: the period loop of MODEL.md wiring the pure rules of
//! `xietong_model::mechanism` together. Jurisdictions are processed in fixed-size chunks, each with
//! its own random stream and partial sums that are added in chunk order, so a run gives the same
//! bits whether its chunks run on one thread or many.

use crate::kernel::{self, AgentSums, Columns, DomainInputs, OutcomeInputs};
use crate::record::{PeriodRecord, RunResult, RunSummary, ZoneRecord};
use crate::rng::{fill_uniform_by_column, stream};
use crate::setup::{Agent, agents};
use crate::sort::Sorter;
use rayon::prelude::*;
use xietong_model::mechanism::{self as m, DilemmaChoice, DomainTerms, Stage, StageInputs};
use xietong_model::{Axis, Scenario, Tier, Timing};

/// Jurisdictions per chunk: the unit of random streams and of parallel work within a run.
pub const CHUNK: usize = 4096;

/// Partial sums of one chunk for one period.
#[derive(Clone, Debug)]
struct Acc {
    sum_p: Vec<f64>,    // [province * K + k]
    decided: Vec<f64>,  // [province * K + k]
    executed: Vec<f64>, // [province * K + k]
    joint_gain: [f64; 2],
    total_gain: f64,
    selective: f64,
    zone_p: Vec<f64>,
    zone_d: Vec<f64>,
    trust: [f64; 2],
    local_centric: [f64; 2],
    barrier: [f64; 2],
    orientation: [f64; 2],
    development: [f64; 2],
}

impl Acc {
    fn new(k: usize, z: usize) -> Acc {
        Acc {
            sum_p: vec![0.0; 2 * k],
            decided: vec![0.0; 2 * k],
            executed: vec![0.0; 2 * k],
            joint_gain: [0.0; 2],
            total_gain: 0.0,
            selective: 0.0,
            zone_p: vec![0.0; z],
            zone_d: vec![0.0; z],
            trust: [0.0; 2],
            local_centric: [0.0; 2],
            barrier: [0.0; 2],
            orientation: [0.0; 2],
            development: [0.0; 2],
        }
    }

    fn clear(&mut self) {
        for v in [
            &mut self.sum_p,
            &mut self.decided,
            &mut self.executed,
            &mut self.zone_p,
            &mut self.zone_d,
        ] {
            v.fill(0.0);
        }
        for a in [
            &mut self.joint_gain,
            &mut self.trust,
            &mut self.local_centric,
            &mut self.barrier,
            &mut self.orientation,
            &mut self.development,
        ] {
            *a = [0.0; 2];
        }
        self.total_gain = 0.0;
        self.selective = 0.0;
    }

    fn add(&mut self, o: &Acc) {
        let add = |a: &mut [f64], b: &[f64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.sum_p, &o.sum_p);
        add(&mut self.decided, &o.decided);
        add(&mut self.executed, &o.executed);
        add(&mut self.joint_gain, &o.joint_gain);
        self.total_gain += o.total_gain;
        self.selective += o.selective;
        add(&mut self.zone_p, &o.zone_p);
        add(&mut self.zone_d, &o.zone_d);
        add(&mut self.trust, &o.trust);
        add(&mut self.local_centric, &o.local_centric);
        add(&mut self.barrier, &o.barrier);
        add(&mut self.orientation, &o.orientation);
        add(&mut self.development, &o.development);
    }
}

/// What every jurisdiction sees in one period (read-only during the decision pass).
struct Context<'a> {
    s: &'a Scenario,
    terms: Vec<DomainTerms>,
    sigma: &'a [f64],
    /// Indices of the domains open to decisions this period, in order.
    active: Vec<usize>,
    /// `obs[p * K + k]`: cooperation carried out last period by province p in domain k.
    obs: Vec<f64>,
    /// Province mean development at the start of the period.
    dev_province: [f64; 2],
    dev_mean: f64,
    /// Mean observed partner cooperation over active domains, by the observing province.
    observed_partner: [f64; 2],
    mean_alignment: f64,
    trust_floor: f64,
}

/// A worker thread's buffers for one chunk: the structure-of-arrays columns and the per-domain
/// arrays. Kept from chunk to chunk, as allocating them afresh (a few hundred KiB per chunk and
/// period) cost page faults and zeroing that measured as much as a kernel.
#[derive(Default)]
struct Scratch {
    second: Vec<bool>,
    barrier: Vec<f64>,
    trust: Vec<f64>,
    lambda: Vec<f64>,
    omega: Vec<f64>,
    inv_mu: Vec<f64>,
    ratio: Vec<f64>,
    ln_ratio: Vec<f64>,
    rel_gap: Vec<f64>,
    fidelity: Vec<f64>,
    development: Vec<f64>,
    dev_pair: Vec<f64>,
    /// `[active domain * stride + jurisdiction]`; the stride is padded so that the rows of one
    /// jurisdiction do not all fall in the same cache set (a power-of-two stride made them).
    probs: Vec<f64>,
    shares: Vec<f64>,
    draws: Vec<f64>,
    stride: usize,
    /// Jurisdictions rounded up to a whole number of vectors: the kernels' length.
    padded: usize,
    /// Per jurisdiction: sums over its domains of p, p², joint gain and total gain.
    sum_p: Vec<f64>,
    sum_p2: Vec<f64>,
    joint: Vec<f64>,
    gain: Vec<f64>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Scratch {
    /// Copies the chunk's state into columns and sizes every buffer; the per-domain arrays are
    /// left as they are (every element is written before it is read), the sums are zeroed.
    /// Columns run to `padded` (a whole number of the widest vectors) so that the kernels have
    /// no scalar remainder loop, which cost as much as the vector loop for a chunk of 100; the
    /// padding holds harmless values, is never drawn for (its draws are 1, so nothing is decided
    /// there) and is never read back.
    fn fill(&mut self, ctx: &Context, chunk: &[Agent], n_active: usize) -> &mut Scratch {
        let n = chunk.len();
        let padded = n.next_multiple_of(kernel::LANES);
        // Generic rather than a closure over `&dyn Fn`, so that each copy loop is inlined.
        fn column(
            v: &mut Vec<f64>,
            chunk: &[Agent],
            len: usize,
            f: impl Fn(&Agent) -> f64,
            pad: f64,
        ) {
            v.clear();
            v.extend(chunk.iter().map(f));
            v.resize(len, pad);
        }
        fn partner(a: &Agent, c: &Context) -> f64 {
            c.dev_province[1 - a.province as usize]
        }
        self.second.clear();
        self.second.extend(chunk.iter().map(|a| a.province == 1));
        self.second.resize(padded, false);
        column(&mut self.barrier, chunk, padded, |a| a.barrier, 0.0);
        column(&mut self.trust, chunk, padded, |a| a.trust, 0.0);
        column(&mut self.lambda, chunk, padded, |a| a.local_centric, 0.0);
        column(&mut self.omega, chunk, padded, |a| a.orientation, 0.0);
        column(&mut self.inv_mu, chunk, padded, |a| a.inv_temperature, 0.0);
        column(
            &mut self.ratio,
            chunk,
            padded,
            |a| partner(a, ctx) / a.development,
            1.0,
        );
        self.ln_ratio.resize(padded, 0.0);
        kernel::ln_column(kernel::widest(), &self.ratio, &mut self.ln_ratio);
        column(
            &mut self.rel_gap,
            chunk,
            padded,
            |a| (a.development / ctx.dev_mean - 1.0).abs(),
            0.0,
        );
        column(&mut self.fidelity, chunk, padded, |a| a.fidelity, 0.0);
        column(&mut self.development, chunk, padded, |a| a.development, 1.0);
        column(
            &mut self.dev_pair,
            chunk,
            padded,
            |a| a.development + partner(a, ctx),
            1.0,
        );
        self.padded = padded;
        self.stride = padded + kernel::LANES;
        for v in [&mut self.probs, &mut self.shares, &mut self.draws] {
            v.resize(n_active * self.stride, 0.0);
        }
        for row in self.draws.chunks_exact_mut(self.stride) {
            row[n..padded].fill(1.0);
        }
        for v in [
            &mut self.sum_p,
            &mut self.sum_p2,
            &mut self.joint,
            &mut self.gain,
        ] {
            v.clear();
            v.resize(padded, 0.0);
        }
        self
    }
}

/// Adds one chunk's period to `acc`.
fn process_chunk(ctx: &Context, chunk: &mut [Agent], mut rng: rand_pcg::Pcg64Mcg, acc: &mut Acc) {
    let s = ctx.s;
    let k_n = ctx.terms.len();
    let dy = &s.dynamics;
    let lv = &s.levers;
    let rigid = lv.uniformity * (1.0 - lv.flexibility) * dy.adaptation;
    let active = &ctx.active;
    let n_active = active.len();
    let n = chunk.len();
    SCRATCH.with_borrow_mut(|w| {
        let cols = w.fill(ctx, chunk, n_active);
        let (probs, shares, draws) = (&mut cols.probs, &mut cols.shares, &mut cols.draws);
        let (width, stride, padded) = (kernel::widest(), cols.stride, cols.padded);
        // Pass 1, domain by domain over a structure-of-arrays copy of the chunk: probabilities and
        // siphon shares, in a loop without random numbers that the compiler vectorizes.
        let columns = Columns {
            second: &cols.second,
            barrier: &cols.barrier,
            trust: &cols.trust,
            lambda: &cols.lambda,
            omega: &cols.omega,
            inv_mu: &cols.inv_mu,
            ln_ratio: &cols.ln_ratio,
            rel_gap: &cols.rel_gap,
        };
        let mut share_row = vec![0; n_active];
        for (ai, &k) in active.iter().enumerate() {
            // Partners of province 0 are province 1 and vice versa.
            let inputs = DomainInputs {
                terms: &ctx.terms[k],
                sigma: ctx.sigma[k],
                obs_seen: (ctx.obs[k_n + k], ctx.obs[k]),
                distrust_floor: dy.distrust_floor,
                rigid,
            };
            let prob = &mut probs[ai * stride..ai * stride + padded];
            // Shares depend on the domain only through σ: reuse an earlier domain's row.
            let same_sigma = |&j: &usize| ctx.sigma[j].to_bits() == ctx.sigma[k].to_bits();
            share_row[ai] = active[..ai].iter().position(same_sigma).unwrap_or(ai);
            if share_row[ai] == ai {
                let share = &mut shares[ai * stride..ai * stride + padded];
                kernel::domain_probabilities(width, &inputs, &columns, prob, share);
            } else {
                let row = share_row[ai] * stride;
                let share = &shares[row..row + padded];
                kernel::domain_probabilities_given_shares(width, &inputs, &columns, prob, share);
            }
        }
        // Pass 2: the random numbers, drawn in the fixed order jurisdiction by jurisdiction (its
        // active domains in order), stored domain by domain for the next pass.
        fill_uniform_by_column(&mut rng, n, n_active, stride, draws);
        // Pass 3, domain by domain again: decisions, executions and gains, into per-jurisdiction
        // sums that each receive their domains in the same order as a jurisdiction-by-jurisdiction
        // loop.
        for (ai, &k) in active.iter().enumerate() {
            let inputs = OutcomeInputs {
                terms: &ctx.terms[k],
                obs_seen: (ctx.obs[k_n + k], ctx.obs[k]),
                second: &cols.second,
                prob: &probs[ai * stride..ai * stride + padded],
                share: &shares[share_row[ai] * stride..share_row[ai] * stride + padded],
                draws: &draws[ai * stride..ai * stride + padded],
                fidelity: &cols.fidelity,
                omega: &cols.omega,
                development: &cols.development,
                dev_pair: &cols.dev_pair,
            };
            let mut sums = AgentSums {
                sum_p: &mut cols.sum_p,
                sum_p2: &mut cols.sum_p2,
                joint: &mut cols.joint,
                gain: &mut cols.gain,
            };
            let counts = kernel::domain_outcomes(width, &inputs, &mut sums);
            for p in 0..2 {
                acc.decided[p * k_n + k] += counts.decided[p] as f64;
                acc.executed[p * k_n + k] += counts.executed[p] as f64;
            }
        }
        finish_chunk(ctx, chunk, active, cols, acc);
    })
}

/// Pass 4, jurisdiction by jurisdiction in a fixed order: sums over the chunk, state updates.
fn finish_chunk(ctx: &Context, chunk: &mut [Agent], active: &[usize], w: &Scratch, acc: &mut Acc) {
    let dy = &ctx.s.dynamics;
    let (k_n, n_active) = (ctx.terms.len(), active.len());
    let (probs, sum_p, sum_p2, joint, gain) = (&w.probs, &w.sum_p, &w.sum_p2, &w.joint, &w.gain);
    for (i, a) in chunk.iter_mut().enumerate() {
        let p = a.province as usize;
        let prov_sum_p = &mut acc.sum_p[p * k_n..(p + 1) * k_n];
        for (ai, &k) in active.iter().enumerate() {
            prov_sum_p[k] += probs[ai * w.stride + i];
        }
        let (sp, sp2, joint_total, gain) = (sum_p[i], sum_p2[i], joint[i], gain[i]);
        if n_active > 0 {
            let mean = sp / n_active as f64;
            acc.selective += (sp2 / n_active as f64 - mean * mean).max(0.0).sqrt();
            acc.zone_p[a.zone as usize] += mean;
        }
        acc.joint_gain[p] += joint_total;
        acc.total_gain += gain;
        acc.trust[p] += a.trust;
        acc.local_centric[p] += a.local_centric;
        acc.barrier[p] += a.barrier;
        acc.orientation[p] += a.orientation;
        if !dy.frozen {
            a.development += dy.growth_rate * gain;
            a.trust = m::trust_step(
                a.trust,
                ctx.observed_partner[p],
                dy.trust_up,
                dy.trust_down,
                ctx.trust_floor,
            );
            let (l, b) = m::wear_down(
                a.local_centric,
                a.barrier,
                ctx.mean_alignment,
                a.trust,
                dy.wear_local_centric,
                dy.wear_barrier,
            );
            a.local_centric = l;
            a.barrier = b;
            a.orientation = m::orientation_step(
                a.orientation,
                ctx.mean_alignment,
                a.trust,
                dy.orientation_rate,
            );
        }
        acc.development[p] += a.development;
        acc.zone_d[a.zone as usize] += a.development;
    }
}

/// Region-level state that evolves between periods.
struct Region {
    alignment: Vec<f64>,
    active: Vec<bool>,
    retreat_left: Vec<u32>,
    obs: Vec<f64>,
    peak: Vec<f64>,
    cooldown: Vec<u32>,
    /// Domains opened for standardization by a deepen decision.
    opened: Vec<bool>,
    /// Per domain: periods open for standardization since the last check, and alignment then.
    open_for: Vec<u32>,
    open_since_alignment: Vec<f64>,
    started: bool,
    wave: usize,
    selective_streak: u32,
    collapse_streak: u32,
}

/// Central support, penalty and enforcement per domain at period `t`, schedule applied in order.
pub fn central_at(s: &Scenario, t: usize) -> Vec<(f64, f64, f64)> {
    let c = &s.central;
    let now = s.calendar.start.plus(t as i64);
    let mut scale = vec![c.scale; s.domains.len()];
    let mut out: Vec<(f64, f64, f64)> = s
        .domains
        .iter()
        .map(|d| {
            let o = c.domains.get(&d.id).cloned().unwrap_or_default();
            (
                o.support.unwrap_or(c.support),
                o.penalty.unwrap_or(c.penalty),
                o.enforcement.unwrap_or(c.enforcement),
            )
        })
        .collect();
    for ch in c.schedule.iter().filter(|ch| ch.from <= now) {
        for (k, d) in s.domains.iter().enumerate() {
            if ch.domain.as_deref().is_some_and(|id| id != d.id) {
                continue;
            }
            if let Some(v) = ch.scale {
                scale[k] = v;
            }
            if let Some(v) = ch.support {
                out[k].0 = v;
            }
            if let Some(v) = ch.penalty {
                out[k].1 = v;
            }
            if let Some(v) = ch.enforcement {
                out[k].2 = v;
            }
        }
    }
    out.iter()
        .zip(scale)
        .map(|(&(sup, pen, q), sc)| (sup * sc, pen * sc, q))
        .collect()
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Simulate one run of the scenario. `run` selects the random streams.
pub fn simulate(s: &Scenario, seed: u64, run: u64) -> RunResult {
    let k_n = s.domains.len();
    let z_n = s.zones.len();
    let mut init_rng = stream(seed, run, u64::MAX, 0);
    let mut people = agents(s, &mut init_rng);
    let n = people.len();
    let n_prov = {
        let mut c = [0usize; 2];
        people.iter().for_each(|a| c[a.province as usize] += 1);
        c
    };
    let zone_n: Vec<usize> = (0..z_n)
        .map(|z| people.iter().filter(|a| a.zone as usize == z).count())
        .collect();
    let dy = &s.dynamics;
    let lv = &s.levers;
    let waves = lv.sequencing.order();
    let (survey_a, survey_b) = s.survey_periods();
    let start_period = match lv.standardization.timing {
        Timing::Developmental => Some(0),
        Timing::Scheduled => lv
            .standardization
            .start
            .map(|q| q.since(s.calendar.start).max(0) as usize),
        Timing::None | Timing::Responsive => None,
    };
    let mut region = Region {
        alignment: vec![0.0; k_n],
        active: vec![true; k_n],
        retreat_left: vec![0; k_n],
        obs: vec![dy.prior_cooperation; 2 * k_n],
        peak: vec![0.0; k_n],
        cooldown: vec![0; k_n],
        opened: vec![false; k_n],
        open_for: vec![0; k_n],
        open_since_alignment: vec![0.0; k_n],
        started: false,
        wave: 0,
        selective_streak: 0,
        collapse_streak: 0,
    };
    // Domains with above-median local benefit, for the benefit gap.
    let mut bs: Vec<f64> = s.domains.iter().map(|d| d.local_benefit).collect();
    bs.sort_by(f64::total_cmp);
    let median_b = if k_n == 0 {
        0.0
    } else if k_n % 2 == 1 {
        bs[k_n / 2]
    } else {
        (bs[k_n / 2 - 1] + bs[k_n / 2]) / 2.0
    };
    let high_b: Vec<bool> = s
        .domains
        .iter()
        .map(|d| d.local_benefit > median_b)
        .collect();

    let sigma: Vec<f64> = s.domains.iter().map(|d| d.siphon).collect();
    // The period's partial sums, reused from period to period.
    let mut acc = Acc::new(k_n, z_n);
    let mut records = Vec::with_capacity(s.calendar.periods as usize);
    let mut scratch = Vec::with_capacity(n);
    let mut sorter = Sorter::default();
    let mut dev_province = province_means(&people, n_prov);
    for t in 0..s.calendar.periods as usize {
        if Some(t) == start_period {
            region.started = true;
        }
        let central = central_at(s, t);
        let terms: Vec<DomainTerms> = s
            .domains
            .iter()
            .enumerate()
            .map(|(k, d)| DomainTerms::new(d, central[k], region.alignment[k], dy.cost_relief))
            .collect();
        let mean_alignment = mean_of(region.alignment.iter().copied());
        let observed_partner = [0, 1].map(|p| {
            mean_of(
                (0..k_n)
                    .filter(|&k| region.active[k])
                    .map(|k| region.obs[(1 - p) * k_n + k]),
            )
        });
        let observed_partner = observed_partner.map(|v| if v.is_nan() { 0.0 } else { v });
        let dev_mean =
            (dev_province[0] * n_prov[0] as f64 + dev_province[1] * n_prov[1] as f64) / n as f64;
        let active_at_start = region.active.clone();
        let ctx = Context {
            s,
            terms,
            sigma: &sigma,
            active: (0..k_n).filter(|&k| region.active[k]).collect(),
            obs: region.obs.clone(),
            dev_province,
            dev_mean,
            observed_partner,
            mean_alignment,
            trust_floor: m::trust_floor(dy.trust_floor, mean_alignment, lv.uniformity),
        };
        acc.clear();
        if n > CHUNK {
            let parts: Vec<Acc> = people
                .par_chunks_mut(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    let mut part = Acc::new(k_n, z_n);
                    let rng = stream(seed, run, t as u64, ci as u64);
                    process_chunk(&ctx, chunk, rng, &mut part);
                    part
                })
                .collect();
            parts.iter().for_each(|p| acc.add(p));
        } else {
            process_chunk(&ctx, &mut people, stream(seed, run, t as u64, 0), &mut acc);
        }

        // Indicators from the pass.
        let np = [n_prov[0] as f64, n_prov[1] as f64];
        let coop_province_domain = [0, 1].map(|p| {
            (0..k_n)
                .map(|k| acc.sum_p[p * k_n + k] / np[p])
                .collect::<Vec<f64>>()
        });
        let coop_domain: Vec<f64> = (0..k_n)
            .map(|k| (acc.sum_p[k] + acc.sum_p[k_n + k]) / n as f64)
            .collect();
        let decided: f64 = acc.decided.iter().sum::<f64>() / (n * k_n) as f64;
        let executed: f64 = acc.executed.iter().sum::<f64>() / (n * k_n) as f64;
        let cooperation = mean_of(coop_domain.iter().copied());
        let coop_axis = Axis::ALL.map(|ax| {
            mean_of(
                (0..k_n)
                    .filter(|&k| s.domains[k].axis == ax)
                    .map(|k| coop_domain[k]),
            )
        });
        let coop_tier = Tier::ALL.map(|ti| {
            mean_of(
                (0..k_n)
                    .filter(|&k| s.domains[k].tier == ti)
                    .map(|k| coop_domain[k]),
            )
        });
        let coop_province = [0, 1].map(|p| mean_of(coop_province_domain[p].iter().copied()));
        let benefit_gap = mean_of((0..k_n).filter(|&k| high_b[k]).map(|k| coop_domain[k]))
            - mean_of((0..k_n).filter(|&k| !high_b[k]).map(|k| coop_domain[k]));
        let selective_index = acc.selective / n as f64;
        let stronger = if dev_province[0] >= dev_province[1] {
            0
        } else {
            1
        };
        let joint = acc.joint_gain[0] + acc.joint_gain[1];
        let siphon_index = if joint > 0.0 {
            acc.joint_gain[stronger] / joint
        } else {
            f64::NAN
        };
        let trust = (acc.trust[0] + acc.trust[1]) / n as f64;
        let local_centric = (acc.local_centric[0] + acc.local_centric[1]) / n as f64;
        let barrier = (acc.barrier[0] + acc.barrier[1]) / n as f64;
        let orientation = (acc.orientation[0] + acc.orientation[1]) / n as f64;
        let province_lambda = [0, 1].map(|p| acc.local_centric[p] / np[p]);
        let province_beta = [0, 1].map(|p| acc.barrier[p] / np[p]);
        dev_province = [0, 1].map(|p| acc.development[p] / np[p]);
        let dev_mean_after = (acc.development[0] + acc.development[1]) / n as f64;
        scratch.clear();
        scratch.extend(people.iter().map(|a| a.development));
        sorter.sort(&mut scratch);
        let gini = m::gini_sorted(&scratch);
        let theil = m::theil(&scratch);
        let zones: Vec<ZoneRecord> = (0..z_n)
            .map(|z| {
                let c = zone_n[z].max(1) as f64;
                let development = acc.zone_d[z] / c;
                ZoneRecord {
                    cooperation: acc.zone_p[z] / c,
                    development,
                    demand: m::standards_demand(
                        development / dev_mean_after,
                        s.demand.scale,
                        s.demand.peak,
                        s.demand.shape,
                    ),
                }
            })
            .collect();

        // Observed cooperation for next period.
        for p in 0..2 {
            for k in 0..k_n {
                region.obs[p * k_n + k] = acc.executed[p * k_n + k] / np[p];
            }
        }

        // Standardization: bureau effort and alignment over the open waves.
        let mut effort = [0.0; 2];
        if region.started {
            let open: Vec<bool> = (0..k_n)
                .map(|k| {
                    region.active[k]
                        && (region.opened[k]
                            || waves[..=region.wave.min(waves.len() - 1)]
                                .iter()
                                .any(|w| w.contains(&s.domains[k].tier)))
                })
                .collect();
            let relief: f64 = (0..k_n)
                .filter(|&k| open[k])
                .map(|k| {
                    (dy.cost_relief * s.domains[k].cost + s.domains[k].difficulty)
                        * (1.0 - region.alignment[k])
                })
                .sum();
            effort = [0, 1].map(|p| {
                let u = m::bureau_utility(
                    relief,
                    dy.bureau_benefit,
                    province_lambda[p],
                    dy.bureau_cost,
                    province_beta[p],
                );
                lv.standardization.effort / (1.0 + libm::exp(-u / dy.bureau_temperature))
            });
            if !dy.frozen {
                // Limited capacity: beyond `capacity` open, unfinished domains, each one moves more slowly.
                let n_open = (0..k_n)
                    .filter(|&k| open[k] && region.alignment[k] < s.dilemma.deepen_alignment)
                    .count() as f64;
                let pace = dy.alignment_rate * (dy.capacity / n_open.max(dy.capacity));
                let basic = mean_of(
                    (0..k_n)
                        .filter(|&k| s.domains[k].tier == Tier::Basic)
                        .map(|k| region.alignment[k]),
                );
                let basic = if basic.is_nan() { 1.0 } else { basic };
                for k in 0..k_n {
                    if open[k] {
                        if region.open_for[k] == 0 {
                            region.open_since_alignment[k] = region.alignment[k];
                        }
                        region.open_for[k] += 1;
                    }
                    region.alignment[k] = if open[k] {
                        let found = m::foundation(s.domains[k].tier, dy.foundation, basic);
                        m::alignment_growth(
                            region.alignment[k],
                            pace,
                            effort[0],
                            effort[1],
                            lv.uniformity,
                            found,
                        )
                    } else {
                        m::alignment_decay(region.alignment[k], dy.alignment_decay)
                    };
                }
                // The next wave opens when the newest one is aligned enough.
                if region.wave + 1 < waves.len() {
                    let newest = mean_of(
                        (0..k_n)
                            .filter(|&k| waves[region.wave].contains(&s.domains[k].tier))
                            .map(|k| region.alignment[k]),
                    );
                    if newest.is_nan() || newest >= dy.wave_threshold {
                        region.wave += 1;
                    }
                }
            }
        } else if !dy.frozen {
            region
                .alignment
                .iter_mut()
                .for_each(|a| *a = m::alignment_decay(*a, dy.alignment_decay));
        }

        // Dilemmas and the provinces' choice.
        let (mut dilemmas, mut deepens, mut retreats) = (0, 0, 0);
        let mut triggered = vec![false; k_n];
        for k in 0..k_n {
            if !region.active[k] {
                continue;
            }
            region.peak[k] = region.peak[k].max(coop_domain[k]);
            if region.cooldown[k] > 0 {
                region.cooldown[k] -= 1;
            } else if region.peak[k] >= s.dilemma.min_peak
                && coop_domain[k] < (1.0 - s.dilemma.drop) * region.peak[k]
            {
                triggered[k] = true;
            }
        }
        // A standardization that has not moved a domain's alignment in a whole window has stalled.
        for k in 0..k_n {
            if region.active[k] && region.open_for[k] >= s.dilemma.selective_window {
                if region.alignment[k] < s.dilemma.deepen_alignment
                    && region.alignment[k] - region.open_since_alignment[k] < s.dilemma.stall
                    && region.cooldown[k] == 0
                {
                    triggered[k] = true;
                }
                region.open_for[k] = 0;
            }
        }
        // A persistent selective spell before any standardization is the initial-stage dilemma.
        if !region.started && selective_index > s.dilemma.selective_threshold {
            region.selective_streak += 1;
            if region.selective_streak >= s.dilemma.selective_window {
                region.selective_streak = 0;
                if let Some(k) = (0..k_n)
                    .filter(|&k| region.active[k] && region.cooldown[k] == 0)
                    .min_by(|&a, &b| coop_domain[a].total_cmp(&coop_domain[b]))
                {
                    triggered[k] = true;
                }
            }
        } else {
            region.selective_streak = 0;
        }
        let rep = Representative {
            lambda: local_centric,
            beta: barrier,
            trust,
            omega: orientation,
        };
        let deepen_possible = match lv.standardization.timing {
            Timing::None => false,
            Timing::Scheduled => region.started,
            Timing::Developmental | Timing::Responsive => true,
        };
        for k in (0..k_n).filter(|&k| triggered[k]) {
            dilemmas += 1;
            region.cooldown[k] = s.dilemma.cooldown;
            region.peak[k] = coop_domain[k];
            let pi_obs = (region.obs[k] + region.obs[k_n + k]) / 2.0;
            let now = DomainTerms {
                alignment: region.alignment[k],
                ..ctx.terms[k]
            };
            let later = DomainTerms {
                alignment: region.alignment[k].max(s.dilemma.deepen_alignment),
                ..ctx.terms[k]
            };
            let v_continue = rep.utility(&now, pi_obs, dy.distrust_floor);
            let v_deepen = deepen_possible
                .then(|| rep.utility(&later, pi_obs, dy.distrust_floor) - s.dilemma.deepen_cost);
            match m::dilemma_choice(v_continue, v_deepen, s.dilemma.retreat_below) {
                DilemmaChoice::Continue => {}
                DilemmaChoice::Deepen => {
                    deepens += 1;
                    region.started = true;
                    region.opened[k] = true;
                }
                DilemmaChoice::Retreat => {
                    retreats += 1;
                    region.active[k] = false;
                    region.retreat_left[k] = s.dilemma.retreat_periods;
                    region.obs[k] = 0.0;
                    region.obs[k_n + k] = 0.0;
                }
            }
        }
        for k in 0..k_n {
            if !region.active[k] && !triggered[k] {
                region.retreat_left[k] = region.retreat_left[k].saturating_sub(1);
                if region.retreat_left[k] == 0 {
                    region.active[k] = true;
                    region.peak[k] = 0.0;
                    region.obs[k] = dy.prior_cooperation;
                    region.obs[k_n + k] = dy.prior_cooperation;
                }
            }
        }

        // Stage.
        region.collapse_streak = if cooperation < s.stages.retreat_cooperation {
            region.collapse_streak + 1
        } else {
            0
        };
        let axes_cooperating = coop_axis
            .iter()
            .filter(|&&c| c >= s.stages.advanced_cooperation)
            .count() as u32;
        let stage = m::classify_stage(
            &StageInputs {
                mean_alignment: mean_of(region.alignment.iter().copied()),
                mean_trust: trust,
                mean_orientation: orientation,
                axes_cooperating,
                collapse_streak: region.collapse_streak,
                deepened: region.started,
            },
            &s.stages,
        );

        records.push(PeriodRecord {
            stage,
            coop_domain,
            coop_province_domain,
            alignment_domain: region.alignment.clone(),
            active_domain: active_at_start,
            coop_axis,
            coop_tier,
            coop_province,
            cooperation,
            executed,
            execution_gap: decided - executed,
            selective_index,
            benefit_gap,
            trust,
            alignment: mean_of(region.alignment.iter().copied()),
            local_centric,
            barrier,
            orientation,
            gini,
            theil,
            siphon_index,
            welfare: acc.total_gain / n as f64,
            effort,
            dilemmas,
            deepens,
            retreats,
            zones,
        });
    }
    let summary = summarize(s, run, &records, survey_a, survey_b);
    RunResult {
        periods: records,
        summary,
    }
}

fn province_means(people: &[Agent], n_prov: [usize; 2]) -> [f64; 2] {
    let mut sum = [0.0; 2];
    people
        .iter()
        .for_each(|a| sum[a.province as usize] += a.development);
    [0, 1].map(|p| sum[p] / n_prov[p].max(1) as f64)
}

/// The region as one average jurisdiction, for the provinces' choice at a dilemma.
struct Representative {
    lambda: f64,
    beta: f64,
    trust: f64,
    omega: f64,
}

impl Representative {
    fn utility(&self, t: &DomainTerms, pi_obs: f64, distrust_floor: f64) -> f64 {
        let pi = m::belief(pi_obs, self.beta, t.alignment, self.trust, distrust_floor);
        m::perceived_utility(t, pi, 0.5, self.lambda, self.beta, self.omega, 0.0)
    }
}

fn summarize(
    s: &Scenario,
    run: u64,
    records: &[PeriodRecord],
    survey_a: usize,
    survey_b: usize,
) -> RunSummary {
    let first = |want: &[Stage]| {
        records
            .iter()
            .position(|r| want.contains(&r.stage))
            .map(|p| p as u32)
    };
    let last = records.last().expect("at least one period");
    let window = &records[survey_a..=survey_b];
    let w = window.len() as f64;
    RunSummary {
        run,
        first_transition_period: first(&[Stage::Transition, Stage::Advanced]),
        first_advanced_period: first(&[Stage::Advanced]),
        dilemmas: records.iter().map(|r| r.dilemmas).sum(),
        deepens: records.iter().map(|r| r.deepens).sum(),
        retreats: records.iter().map(|r| r.retreats).sum(),
        cumulative_cooperation: records.iter().map(|r| r.cooperation).sum(),
        final_stage: last.stage.id().to_string(),
        final_gini: last.gini,
        final_alignment: last.alignment,
        final_trust: last.trust,
        survey_cooperation: (0..s.domains.len())
            .map(|k| window.iter().map(|r| r.coop_domain[k]).sum::<f64>() / w)
            .collect(),
        survey_zone_demand: (0..s.zones.len())
            .map(|z| window.iter().map(|r| r.zones[z].demand).sum::<f64>() / w)
            .collect(),
        survey_stages: window.iter().map(|r| r.stage.id().to_string()).collect(),
    }
}
