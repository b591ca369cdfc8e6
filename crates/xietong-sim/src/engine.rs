//! One simulation run: the period loop of docs/ODD.md (section 3, process overview) wiring the pure
//! rules of `xietong_model::mechanism` together. Each phase of a period is one function named as in
//! the ODD: [`Run::start_programme`], [`Run::decide`], [`Run::indicators`], [`Run::standardize`],
//! [`Run::dilemmas`], [`Run::classify`]. Jurisdictions are processed in fixed-size chunks, each with
//! its own random stream and partial sums that are added in chunk order, so a run gives the same
//! bits whether its chunks run on one thread or many.

use crate::kernel::{self, AgentSums, Columns, Counts, DomainPlan, OutcomeColumns};
use crate::record::{PeriodRecord, RunResult, RunSummary, ZoneRecord};
use crate::rng::{Jumps, fill_uniform_by_column_with, stream, uniform};
use crate::setup::{Agent, agents};
use crate::sort::Sorter;
use rayon::prelude::*;
use xietong_model::mechanism::{self as m, DilemmaChoice, DomainTerms, Stage, StageInputs};
use xietong_model::scenario::Domain;
use xietong_model::{Axis, Quarter, Scenario, Tier, Timing};

/// Jurisdictions per chunk: the unit of random streams and of parallel work within a run.
pub const CHUNK: usize = 4096;

/// Partial sums of one chunk for one period.
#[derive(Clone, Debug)]
struct Acc {
    sum_p: Vec<f64>,    // [province * K + k]
    decided: Vec<f64>,  // [province * K + k]
    executed: Vec<f64>, // [province * K + k]
    joint_gain: [f64; 2],
    /// Joint value realized in the province's collaborations before it is split.
    pair_value: [f64; 2],
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
            pair_value: [0.0; 2],
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
            &mut self.pair_value,
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
        add(&mut self.pair_value, &o.pair_value);
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
    terms: &'a [DomainTerms],
    sigma: &'a [f64],
    /// Indices of the domains open to decisions this period, in order.
    active: &'a [usize],
    /// `obs[p * K + k]`: cooperation carried out last period by province p in domain k.
    obs: &'a [f64],
    /// Province mean development at the start of the period.
    dev_province: [f64; 2],
    dev_mean: f64,
    /// Mean observed partner cooperation over active domains, by the observing province.
    observed_partner: [f64; 2],
    /// Mean effective alignment `ā_eff` over domains.
    mean_alignment: f64,
    /// Mean formal alignment `ā` over domains (the shared rules adopted, however flexibly).
    formal_alignment: f64,
    /// Rule-based trust `τ_r` of each province's jurisdictions.
    rule_trust: [f64; 2],
    /// Each province's realized share of the joint value (what perceived unfairness compares).
    own_share: [f64; 2],
    /// Factor on experiential trust this period (below 1 after a retreat decision).
    trust_shock: f64,
    /// `κ u (1 − φ)³`: the scale of the adaptation cost.
    rigid: f64,
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
    /// Per active domain: its constants for the kernels, and its decisions and executions
    /// counted by province.
    plans: Vec<DomainPlan>,
    counts: Vec<Counts>,
    /// The random stream's jumps for the chunk's shape (jurisdictions × active domains).
    jumps: Jumps,
    stride: usize,
    /// Jurisdictions rounded up to a whole number of vectors: the kernels' length.
    padded: usize,
    /// Per jurisdiction: sums over its domains of p, p², joint gain and total gain.
    sum_p: Vec<f64>,
    sum_p2: Vec<f64>,
    joint: Vec<f64>,
    pair: Vec<f64>,
    gain: Vec<f64>,
    /// Per jurisdiction: mean probability over its active domains, and its selectivity.
    mean_p: Vec<f64>,
    selectivity: Vec<f64>,
    /// Experiential trust (the `trust` column is combined trust).
    experiential_trust: Vec<f64>,
    /// State after the period: development, experiential trust, λ, β, ω.
    next: [Vec<f64>; 5],
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
        // Every column in one pass over the chunk (a loop per column cost more in loop overhead
        // than in copying); the padding is set apart.
        self.second.resize(padded, false);
        self.second[n..].fill(false);
        let columns = [
            (&mut self.barrier, 0.0),
            (&mut self.trust, 0.0),
            (&mut self.lambda, 0.0),
            (&mut self.experiential_trust, 0.0),
            (&mut self.omega, 0.0),
            (&mut self.inv_mu, 0.0),
            (&mut self.ratio, 1.0),
            (&mut self.rel_gap, 0.0),
            (&mut self.fidelity, 0.0),
            (&mut self.development, 1.0),
            (&mut self.dev_pair, 1.0),
        ]
        .map(|(v, pad)| {
            v.resize(padded, pad);
            v[n..].fill(pad);
            &mut v[..n]
        });
        let [
            barrier,
            trust,
            lambda,
            experiential_trust,
            omega,
            inv_mu,
            ratio,
            rel_gap,
            fidelity,
            development,
            dev_pair,
        ] = columns;
        let second = &mut self.second[..n];
        for (i, a) in chunk.iter().enumerate() {
            second[i] = a.province == 1;
            barrier[i] = a.barrier;
            lambda[i] = a.local_centric;
            experiential_trust[i] = a.trust;
            omega[i] = a.orientation;
            inv_mu[i] = a.inv_temperature;
            fidelity[i] = a.fidelity;
            development[i] = a.development;
        }
        // The columns derived from them in a loop that vectorizes (two divisions per
        // jurisdiction, one at a time, took as long as copying the whole chunk).
        kernel::derived_columns(
            kernel::widest(),
            ctx.dev_province,
            ctx.dev_mean,
            ctx.rule_trust,
            second,
            experiential_trust,
            development,
            trust,
            ratio,
            rel_gap,
            dev_pair,
        );
        self.ln_ratio.resize(padded, 0.0);
        kernel::ln_column(kernel::widest(), &self.ratio, &mut self.ln_ratio);
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
            &mut self.pair,
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
    let rigid = ctx.rigid;
    let active = ctx.active;
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
        let plans = &mut cols.plans;
        plans.clear();
        for (ai, &k) in active.iter().enumerate() {
            // Shares depend on the domain only through σ: reuse an earlier domain's row.
            let same_sigma = |&j: &usize| ctx.sigma[j].to_bits() == ctx.sigma[k].to_bits();
            plans.push(DomainPlan {
                terms: ctx.terms[k],
                sigma: ctx.sigma[k],
                // Partners of province 0 are province 1 and vice versa.
                obs_seen: (ctx.obs[k_n + k], ctx.obs[k]),
                share_row: active[..ai].iter().position(same_sigma).unwrap_or(ai),
            });
        }
        let (floor, plans) = (dy.distrust_floor, &cols.plans);
        kernel::chunk_probabilities(
            width, plans, floor, rigid, &columns, stride, padded, probs, shares,
        );
        // Pass 2: the random numbers, drawn in the fixed order jurisdiction by jurisdiction (its
        // active domains in order), stored domain by domain for the next pass.
        fill_uniform_by_column_with(&mut cols.jumps, &mut rng, n, n_active, stride, draws);
        // Pass 3, domain by domain again: decisions, executions and gains, into per-jurisdiction
        // sums that each receive their domains in the same order as a jurisdiction-by-jurisdiction
        // loop.
        let outcome_columns = OutcomeColumns {
            second: &cols.second,
            fidelity: &cols.fidelity,
            omega: &cols.omega,
            development: &cols.development,
            dev_pair: &cols.dev_pair,
        };
        let mut sums = AgentSums {
            sum_p: &mut cols.sum_p,
            sum_p2: &mut cols.sum_p2,
            joint: &mut cols.joint,
            pair: &mut cols.pair,
            gain: &mut cols.gain,
        };
        cols.counts.clear();
        cols.counts.resize(n_active, Counts::default());
        kernel::chunk_outcomes(
            width,
            plans,
            &outcome_columns,
            stride,
            padded,
            probs,
            shares,
            draws,
            &mut sums,
            &mut cols.counts,
        );
        for (&k, counts) in active.iter().zip(&cols.counts) {
            for p in 0..2 {
                acc.decided[p * k_n + k] += counts.decided[p] as f64;
                acc.executed[p * k_n + k] += counts.executed[p] as f64;
            }
        }
        if n_active > 0 {
            cols.mean_p.resize(padded, 0.0);
            cols.selectivity.resize(padded, 0.0);
            let (sp, sp2) = (&cols.sum_p, &cols.sum_p2);
            let (mean, sel) = (&mut cols.mean_p, &mut cols.selectivity);
            kernel::selectivity_column(width, sp, sp2, n_active as f64, mean, sel);
        }
        if !dy.frozen {
            let u = kernel::UpdateTerms {
                growth_rate: dy.growth_rate,
                trust_target: [0, 1].map(|p| {
                    m::trust_target(ctx.observed_partner[p], ctx.own_share[p], dy.unfairness)
                }),
                trust_shock: ctx.trust_shock,
                trust_up: dy.trust_up,
                trust_down: dy.trust_down,
                mean_alignment: ctx.mean_alignment,
                formal_alignment: ctx.formal_alignment,
                wear_local_centric: dy.wear_local_centric,
                wear_barrier: dy.wear_barrier,
                orientation_rate: dy.orientation_rate,
            };
            cols.next.iter_mut().for_each(|v| v.resize(padded, 0.0));
            let [dev, trust, lambda, barrier, omega] = &mut cols.next;
            kernel::agent_updates(
                width,
                &u,
                &cols.second,
                &cols.experiential_trust,
                &cols.trust,
                &cols.lambda,
                &cols.barrier,
                &cols.omega,
                &cols.development,
                &cols.gain,
                dev,
                trust,
                lambda,
                barrier,
                omega,
            );
        }
        finish_chunk(ctx, chunk, active, cols, acc);
    })
}

/// Pass 4, jurisdiction by jurisdiction in a fixed order: sums over the chunk, then each
/// jurisdiction's own state updates from what it observed (ODD 7.8-7.11).
#[allow(clippy::needless_range_loop)] // four chains of additions side by side, indexed alike
fn finish_chunk(ctx: &Context, chunk: &mut [Agent], active: &[usize], w: &Scratch, acc: &mut Acc) {
    let dy = &ctx.s.dynamics;
    let (k_n, n_active) = (ctx.terms.len(), active.len());
    // Probabilities summed by province: each sum still receives its jurisdictions in chunk
    // order, but over runs of jurisdictions of one province (the chunk is usually one run per
    // province), without a branch per jurisdiction, and four domains at a time, so that four
    // chains of additions overlap instead of waiting on each other.
    let second = &w.second[..chunk.len()];
    let row = |ai: usize| &w.probs[ai * w.stride..ai * w.stride + chunk.len()];
    let mut start = 0;
    while start < second.len() {
        let in_second = second[start];
        let len = second[start..]
            .iter()
            .position(|&x| x != in_second)
            .unwrap_or(second.len() - start);
        let (run, base) = (start..start + len, usize::from(in_second) * k_n);
        let mut ai = 0;
        while ai + 4 <= n_active {
            let ks = [0, 1, 2, 3].map(|j| base + active[ai + j]);
            let rows = [0, 1, 2, 3].map(|j| &row(ai + j)[run.clone()]);
            let mut sums = ks.map(|k| acc.sum_p[k]);
            for i in 0..len {
                for j in 0..4 {
                    sums[j] += rows[j][i];
                }
            }
            for j in 0..4 {
                acc.sum_p[ks[j]] = sums[j];
            }
            ai += 4;
        }
        for ai in ai..n_active {
            let k = base + active[ai];
            acc.sum_p[k] = row(ai)[run.clone()]
                .iter()
                .fold(acc.sum_p[k], |sum, &x| sum + x);
        }
        start += len;
    }
    // Then jurisdiction by jurisdiction, over runs of one province and zone (a chunk of the
    // built-in scenario has one run per zone): every sum receives its jurisdictions in chunk
    // order as before, but in a register for the whole run rather than through memory.
    let (selecting, frozen) = (n_active > 0, dy.frozen);
    let (mut selective, mut total_gain) = (acc.selective, acc.total_gain);
    let mut start = 0;
    while start < chunk.len() {
        let (province, zone) = (chunk[start].province, chunk[start].zone);
        let len = chunk[start..]
            .iter()
            .position(|a| a.province != province || a.zone != zone)
            .unwrap_or(chunk.len() - start);
        let (p, z) = (province as usize, zone as usize);
        let (mut zone_p, mut zone_d) = (acc.zone_p[z], acc.zone_d[z]);
        let (mut joint_gain, mut pair_value) = (acc.joint_gain[p], acc.pair_value[p]);
        let (mut trust, mut local_centric) = (acc.trust[p], acc.local_centric[p]);
        let (mut barrier, mut orientation) = (acc.barrier[p], acc.orientation[p]);
        let mut development = acc.development[p];
        for (i, a) in chunk.iter_mut().enumerate().skip(start).take(len) {
            if selecting {
                selective += w.selectivity[i];
                zone_p += w.mean_p[i];
            }
            joint_gain += w.joint[i];
            pair_value += w.pair[i];
            total_gain += w.gain[i];
            // Combined trust as the decision pass used it (the column holds the same expression).
            trust += w.trust[i];
            local_centric += a.local_centric;
            barrier += a.barrier;
            orientation += a.orientation;
            if !frozen {
                // Computed for the whole chunk by `kernel::agent_updates`.
                let next = &w.next;
                a.development = next[0][i];
                a.trust = next[1][i];
                a.local_centric = next[2][i];
                a.barrier = next[3][i];
                a.orientation = next[4][i];
            }
            development += a.development;
            zone_d += a.development;
        }
        (acc.zone_p[z], acc.zone_d[z]) = (zone_p, zone_d);
        (acc.joint_gain[p], acc.pair_value[p]) = (joint_gain, pair_value);
        (acc.trust[p], acc.local_centric[p]) = (trust, local_centric);
        (acc.barrier[p], acc.orientation[p]) = (barrier, orientation);
        acc.development[p] = development;
        start += len;
    }
    (acc.selective, acc.total_gain) = (selective, total_gain);
}

/// Region-level state that evolves between periods.
struct Region {
    /// Formal alignment `a_k` of the two provinces' standard systems.
    alignment: Vec<f64>,
    active: Vec<bool>,
    retreat_left: Vec<u32>,
    /// Periods each domain has been active since its (re)activation.
    active_for: Vec<u32>,
    /// `obs[p * K + k]`: cooperation carried out last period by province p in domain k.
    obs: Vec<f64>,
    peak: Vec<f64>,
    cooldown: Vec<u32>,
    /// Domains opened for standardization by a deepen decision.
    opened: Vec<bool>,
    /// Per domain: periods open for standardization since the last stagnation check, and the
    /// domain's cooperation then.
    open_for: Vec<u32>,
    open_since_cooperation: Vec<f64>,
    /// Joint bodies set up per domain by deepen decisions (each lowers its T and h).
    joint_bodies: Vec<u32>,
    /// Deepen decisions so far (the joint programme that pushes the bureaus).
    programme: u32,
    started: bool,
    wave: usize,
    selective_streak: u32,
    collapse_streak: u32,
    /// Factor on experiential trust next period (a retreat decision costs trust).
    trust_shock: f64,
    /// Each province's realized share of the joint value last period.
    own_share: [f64; 2],
}

/// Central support, penalty and enforcement per domain at period `t`, schedule applied in order.
pub fn central_at(s: &Scenario, t: usize) -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    central_into(s, s.calendar.start.plus(t as i64), &mut out);
    out
}

/// [`central_at`] for quarter `now`, written into `out` (reused from period to period).
fn central_into(s: &Scenario, now: Quarter, out: &mut Vec<(f64, f64, f64)>) {
    let c = &s.central;
    let mut scale = vec![c.scale; s.domains.len()];
    out.clear();
    out.extend(s.domains.iter().map(|d| {
        let o = c.domains.get(&d.id).cloned().unwrap_or_default();
        (
            o.support.unwrap_or(c.support),
            o.penalty.unwrap_or(c.penalty),
            o.enforcement.unwrap_or(c.enforcement),
        )
    }));
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
    for (o, sc) in out.iter_mut().zip(scale) {
        *o = (o.0 * sc, o.1 * sc, o.2);
    }
}

/// The central policy of the current period, recomputed only when another change of the
/// schedule comes into force: the changes in force at quarter `now` are those with `from <= now`,
/// a set that only grows as `now` advances, so its size tells whether it changed.
struct CentralPolicy {
    in_force: usize,
    values: Vec<(f64, f64, f64)>,
}

impl CentralPolicy {
    fn new() -> CentralPolicy {
        CentralPolicy {
            in_force: usize::MAX,
            values: Vec::new(),
        }
    }

    fn update(&mut self, s: &Scenario, t: usize) {
        let now = s.calendar.start.plus(t as i64);
        let in_force = s
            .central
            .schedule
            .iter()
            .filter(|ch| ch.from <= now)
            .count();
        if in_force != self.in_force {
            central_into(s, now, &mut self.values);
            self.in_force = in_force;
        }
    }
}

fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// A domain's terms as jurisdictions see them at alignment `a`: the alignment they can rely on is
/// the effective one, and each joint body set up by a deepen decision lowers T and h.
/// `relief[j]` is `(1 − joint_body)^j` for `j` = 0…3 joint bodies (more relieve no further),
/// taken once per run.
fn domain_terms(
    s: &Scenario,
    k: usize,
    central: (f64, f64, f64),
    alignment: f64,
    joint_bodies: u32,
    relief: &[f64; 4],
) -> DomainTerms {
    let dy = &s.dynamics;
    let a_eff = m::effective_alignment(alignment, s.levers.flexibility, dy.dilution);
    let mut t = DomainTerms::new(&s.domains[k], central, a_eff, dy.cost_relief);
    let relief = relief[joint_bodies.min(3) as usize];
    t.cost *= relief;
    t.difficulty *= relief;
    t
}

/// Gini and Theil T of values sorted ascending, with the bits of `m::gini_sorted` and `m::theil`
/// (the same operations in the same order): both start from the same total, taken once here, and
/// the logarithms are taken in the vectorized kernel, which gives `ln`'s bits at every width.
/// Block by block, as the model's function does, so that memory does not grow with the number of
/// jurisdictions; the block's ratios and logarithms are kept in `buf` between calls (zeroing two
/// blocks on the stack every period cost about as much as the logarithms of 42 values).
fn inequality(v: &[f64], buf: &mut Vec<f64>) -> (f64, f64) {
    let len = v.len();
    let n = len as f64;
    // The total and the Gini's weighted sum in one loop, so that their two chains of additions
    // overlap; each is the fold `Iterator::sum` makes, from the identity it starts from.
    let zero: f64 = std::iter::empty::<f64>().sum();
    let (mut total, mut weighted) = (zero, zero);
    for (i, &x) in v.iter().enumerate() {
        total += x;
        weighted += (2.0 * (i as f64 + 1.0) - n - 1.0) * x;
    }
    let gini = if len < 2 || total <= 0.0 {
        0.0
    } else {
        weighted / (n * total)
    };
    let mean = total / n;
    let theil = if len < 2 || mean <= 0.0 {
        0.0
    } else {
        const BLOCK: usize = 256;
        let block_len = len.min(BLOCK);
        buf.resize(2 * block_len, 0.0);
        let (ratios, logs) = buf.split_at_mut(block_len);
        let mut sum = -0.0;
        for block in v.chunks(BLOCK) {
            let (r, l) = (&mut ratios[..block.len()], &mut logs[..block.len()]);
            r.iter_mut().zip(block).for_each(|(r, &x)| *r = x / mean);
            kernel::ln_column(kernel::widest(), r, l);
            for ((&x, &r), &l) in block.iter().zip(r.iter()).zip(l.iter()) {
                if x > 0.0 {
                    sum += r * l;
                }
            }
        }
        sum / n
    };
    (gini, theil)
}

/// What the pass over jurisdictions yields for the rest of the period (ODD 3, step 4).
#[derive(Default)]
struct Indicators {
    coop_domain: Vec<f64>,
    coop_province_domain: [Vec<f64>; 2],
    coop_axis: [f64; 5],
    coop_tier: [f64; 3],
    coop_province: [f64; 2],
    cooperation: f64,
    executed: f64,
    decided: f64,
    selective_index: f64,
    benefit_gap: f64,
    trust: f64,
    local_centric: f64,
    barrier: f64,
    orientation: f64,
    province_lambda: [f64; 2],
    province_beta: [f64; 2],
    siphon_index: f64,
    welfare: f64,
    gini: f64,
    theil: f64,
    zones: Vec<ZoneRecord>,
}

/// What the standardization phase did this period.
struct Standardization {
    effort: [f64; 2],
}

/// Dilemma events of one period.
#[derive(Default)]
struct Events {
    dilemmas: u32,
    deepens: u32,
    retreats: u32,
}

/// One run in progress: the scenario, the jurisdictions, the region's state and the per-run
/// constants. The period loop calls the phases in the ODD's order.
struct Run<'a> {
    s: &'a Scenario,
    seed: u64,
    run: u64,
    people: Vec<Agent>,
    n_prov: [usize; 2],
    zone_n: Vec<usize>,
    /// Mean execution fidelity per province (fixed for a run: cadre levers act at set-up).
    fidelity: [f64; 2],
    /// Mean relative development gap `|d/d̄ − 1|` per province at set-up (heterogeneity).
    gap: [f64; 2],
    waves: Vec<Vec<Tier>>,
    start_period: Option<usize>,
    /// Domains grouped once per run, each group in domain order (so that means over a group add
    /// in the order a filter over all domains would): by axis in `Axis::ALL` order, by tier in
    /// `Tier::ALL` order, with above-median local benefit and the rest, of the basic tier, of the
    /// political axis.
    by_axis: [Vec<usize>; 5],
    by_tier: [Vec<usize>; 3],
    high_b: Vec<usize>,
    low_b: Vec<usize>,
    basic: Vec<usize>,
    political: Vec<usize>,
    sigma: Vec<f64>,
    region: Region,
    dev_province: [f64; 2],
    acc: Acc,
    scratch: Vec<f64>,
    inequality_buf: Vec<f64>,
    sorter: Sorter,
    central: CentralPolicy,
    /// `(1 − joint_body)^j` for j = 0…3 joint bodies.
    relief: [f64; 4],
    /// Buffers kept from period to period: the domains' terms, the indices of active domains,
    /// and per domain whether it is open for standardization, triggered, stalled, ready.
    terms: Vec<DomainTerms>,
    active_idx: Vec<usize>,
    /// `(σ bits, share)` of the weaker province's siphon shares taken this period.
    shares_by_sigma: Vec<(u64, f64)>,
    /// Which domains were active at the start of the period (recorded).
    active_at_start: Vec<bool>,
    open: Vec<bool>,
    triggered: Vec<bool>,
    stalled: Vec<bool>,
    ready: Vec<bool>,
}

impl<'a> Run<'a> {
    fn new(s: &'a Scenario, seed: u64, run: u64) -> Run<'a> {
        let k_n = s.domains.len();
        let z_n = s.zones.len();
        let mut init_rng = stream(seed, run, u64::MAX, 0);
        let people = agents(s, &mut init_rng);
        let n = people.len();
        let mut n_prov = [0usize; 2];
        people.iter().for_each(|a| n_prov[a.province as usize] += 1);
        let zone_n: Vec<usize> = (0..z_n)
            .map(|z| people.iter().filter(|a| a.zone as usize == z).count())
            .collect();
        let dev_province = province_means(&people, n_prov);
        let dev_mean = people.iter().map(|a| a.development).sum::<f64>() / n.max(1) as f64;
        let mut fidelity = [0.0; 2];
        let mut gap = [0.0; 2];
        for a in &people {
            fidelity[a.province as usize] += a.fidelity;
            gap[a.province as usize] += (a.development / dev_mean - 1.0).abs();
        }
        let per = |v: [f64; 2]| [0, 1].map(|p| v[p] / n_prov[p].max(1) as f64);
        let lv = &s.levers;
        let start_period = match lv.standardization.timing {
            Timing::Developmental => Some(0),
            Timing::Scheduled => lv
                .standardization
                .start
                .map(|q| q.since(s.calendar.start).max(0) as usize),
            Timing::None | Timing::Responsive => None,
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
        let dy = &s.dynamics;
        let high_b = |d: &Domain| d.local_benefit > median_b;
        let domains_where = |want: &dyn Fn(&Domain) -> bool| -> Vec<usize> {
            (0..k_n).filter(|&k| want(&s.domains[k])).collect()
        };
        Run {
            s,
            seed,
            run,
            n_prov,
            zone_n,
            fidelity: per(fidelity),
            gap: per(gap),
            waves: lv.sequencing.order(),
            start_period,
            by_axis: Axis::ALL.map(|ax| domains_where(&|d| d.axis == ax)),
            by_tier: Tier::ALL.map(|ti| domains_where(&|d| d.tier == ti)),
            high_b: domains_where(&high_b),
            low_b: domains_where(&|d| !high_b(d)),
            basic: domains_where(&|d| d.tier == Tier::Basic),
            political: domains_where(&|d| d.axis == Axis::Political),
            sigma: s.domains.iter().map(|d| d.siphon).collect(),
            region: Region {
                alignment: vec![0.0; k_n],
                active: vec![true; k_n],
                retreat_left: vec![0; k_n],
                active_for: vec![0; k_n],
                obs: vec![dy.prior_cooperation; 2 * k_n],
                peak: vec![0.0; k_n],
                cooldown: vec![0; k_n],
                opened: vec![false; k_n],
                open_for: vec![0; k_n],
                open_since_cooperation: vec![0.0; k_n],
                joint_bodies: vec![0; k_n],
                programme: 0,
                started: false,
                wave: 0,
                selective_streak: 0,
                collapse_streak: 0,
                trust_shock: 1.0,
                own_share: [0.5; 2],
            },
            dev_province,
            acc: Acc::new(k_n, z_n),
            scratch: Vec::with_capacity(n),
            inequality_buf: Vec::new(),
            sorter: Sorter::default(),
            central: CentralPolicy::new(),
            relief: [0, 1, 2, 3].map(|j| libm::pow(1.0 - dy.joint_body, f64::from(j))),
            terms: Vec::with_capacity(k_n),
            active_idx: Vec::with_capacity(k_n),
            shares_by_sigma: Vec::with_capacity(k_n),
            active_at_start: Vec::with_capacity(k_n),
            open: Vec::with_capacity(k_n),
            triggered: Vec::with_capacity(k_n),
            stalled: Vec::with_capacity(k_n),
            ready: Vec::with_capacity(k_n),
            people,
        }
    }

    fn mean_fidelity(&self) -> f64 {
        let n = (self.n_prov[0] + self.n_prov[1]).max(1) as f64;
        (self.fidelity[0] * self.n_prov[0] as f64 + self.fidelity[1] * self.n_prov[1] as f64) / n
    }

    fn effective_alignment(&self, k: usize) -> f64 {
        let dy = &self.s.dynamics;
        m::effective_alignment(
            self.region.alignment[k],
            self.s.levers.flexibility,
            dy.dilution,
        )
    }

    fn mean_effective_alignment(&self) -> f64 {
        mean_of((0..self.s.domains.len()).map(|k| self.effective_alignment(k)))
    }

    /// Step 2: a scheduled or developmental start of standardization is the provinces' decision to
    /// deepen (the built-in scenario's joint working plan of 2021Q3): it starts the programme.
    fn start_programme(&mut self, t: usize) -> u32 {
        if Some(t) == self.start_period && !self.region.started {
            self.region.started = true;
            self.region.programme += 1;
            1
        } else {
            0
        }
    }

    /// Step 3: every jurisdiction decides in every active domain and updates its own state.
    fn decide(&mut self, t: usize) {
        let s = self.s;
        let (k_n, z_n) = (s.domains.len(), s.zones.len());
        let n = self.people.len();
        let dy = &s.dynamics;
        let lv = &s.levers;
        let region = &self.region;
        let central = &self.central.values;
        self.terms.clear();
        self.terms.extend((0..k_n).map(|k| {
            domain_terms(
                s,
                k,
                central[k],
                region.alignment[k],
                region.joint_bodies[k],
                &self.relief,
            )
        }));
        self.active_idx.clear();
        self.active_idx
            .extend((0..k_n).filter(|&k| region.active[k]));
        let mean_alignment = self.mean_effective_alignment();
        let observed_partner = [0, 1].map(|p| {
            let v = mean_of(
                (0..k_n)
                    .filter(|&k| region.active[k])
                    .map(|k| region.obs[(1 - p) * k_n + k]),
            );
            if v.is_nan() { 0.0 } else { v }
        });
        let dev_mean = (self.dev_province[0] * self.n_prov[0] as f64
            + self.dev_province[1] * self.n_prov[1] as f64)
            / n as f64;
        let ctx = Context {
            s,
            terms: &self.terms,
            sigma: &self.sigma,
            active: &self.active_idx,
            obs: &region.obs,
            dev_province: self.dev_province,
            dev_mean,
            observed_partner,
            mean_alignment,
            formal_alignment: mean_of(region.alignment.iter().copied()),
            rule_trust: [0, 1].map(|p| {
                m::rule_trust(
                    dy.trust_floor,
                    mean_alignment,
                    lv.uniformity,
                    self.fidelity[p],
                )
            }),
            own_share: region.own_share,
            trust_shock: region.trust_shock,
            rigid: dy.adaptation * m::rigidity(lv.uniformity, lv.flexibility),
        };
        let acc = &mut self.acc;
        acc.clear();
        let (seed, run) = (self.seed, self.run);
        if n > CHUNK {
            let parts: Vec<Acc> = self
                .people
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
            process_chunk(&ctx, &mut self.people, stream(seed, run, t as u64, 0), acc);
        }
        self.region.trust_shock = 1.0;
    }

    /// Step 4: indicators from the pass; partners' observations for the next period.
    /// The vectors of `spare` (a previous period's indicators) are reused.
    fn indicators(&mut self, spare: Indicators) -> Indicators {
        let s = self.s;
        let (k_n, z_n) = (s.domains.len(), s.zones.len());
        let n = self.people.len();
        let acc = &self.acc;
        let np = [self.n_prov[0] as f64, self.n_prov[1] as f64];
        let Indicators {
            mut coop_domain,
            mut coop_province_domain,
            mut zones,
            ..
        } = spare;
        for (p, v) in coop_province_domain.iter_mut().enumerate() {
            v.clear();
            v.extend((0..k_n).map(|k| acc.sum_p[p * k_n + k] / np[p]));
        }
        coop_domain.clear();
        coop_domain.extend((0..k_n).map(|k| (acc.sum_p[k] + acc.sum_p[k_n + k]) / n as f64));
        let decided: f64 = acc.decided.iter().sum::<f64>() / (n * k_n) as f64;
        let executed: f64 = acc.executed.iter().sum::<f64>() / (n * k_n) as f64;
        let cooperation = mean_of(coop_domain.iter().copied());
        let mean_over = |group: &[usize]| mean_of(group.iter().map(|&k| coop_domain[k]));
        let coop_axis = [0, 1, 2, 3, 4].map(|a| mean_over(&self.by_axis[a]));
        let coop_tier = [0, 1, 2].map(|t| mean_over(&self.by_tier[t]));
        let coop_province = [0, 1].map(|p| mean_of(coop_province_domain[p].iter().copied()));
        let benefit_gap = mean_over(&self.high_b) - mean_over(&self.low_b);
        // The siphon index: of the joint value realized in collaborations, the share that goes to
        // the more developed province's side (its own captured part plus what its partners' lose).
        let stronger = if self.dev_province[0] >= self.dev_province[1] {
            0
        } else {
            1
        };
        let weaker = 1 - stronger;
        let pair = acc.pair_value[0] + acc.pair_value[1];
        let siphon_index = if pair > 0.0 {
            (acc.joint_gain[stronger] + acc.pair_value[weaker] - acc.joint_gain[weaker]) / pair
        } else {
            0.5
        };
        for p in 0..2 {
            if acc.pair_value[p] > 0.0 {
                self.region.own_share[p] = acc.joint_gain[p] / acc.pair_value[p];
            }
        }
        let province_lambda = [0, 1].map(|p| acc.local_centric[p] / np[p]);
        let province_beta = [0, 1].map(|p| acc.barrier[p] / np[p]);
        self.dev_province = [0, 1].map(|p| acc.development[p] / np[p]);
        let dev_mean_after = (acc.development[0] + acc.development[1]) / n as f64;
        let people = &self.people;
        self.sorter
            .sort_from_previous(people.len(), |i| people[i].development, &mut self.scratch);
        let (gini, theil) = inequality(&self.scratch, &mut self.inequality_buf);
        zones.clear();
        zones.extend((0..z_n).map(|z| {
            let c = self.zone_n[z].max(1) as f64;
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
        }));
        // Observed cooperation for next period.
        for p in 0..2 {
            for k in 0..k_n {
                self.region.obs[p * k_n + k] = acc.executed[p * k_n + k] / np[p];
            }
        }
        Indicators {
            coop_domain,
            coop_province_domain,
            coop_axis,
            coop_tier,
            coop_province,
            cooperation,
            executed,
            decided,
            selective_index: acc.selective / n as f64,
            benefit_gap,
            trust: (acc.trust[0] + acc.trust[1]) / n as f64,
            local_centric: (acc.local_centric[0] + acc.local_centric[1]) / n as f64,
            barrier: (acc.barrier[0] + acc.barrier[1]) / n as f64,
            orientation: (acc.orientation[0] + acc.orientation[1]) / n as f64,
            province_lambda,
            province_beta,
            siphon_index,
            welfare: acc.total_gain / n as f64,
            gini,
            theil,
            zones,
        }
    }

    /// Domains open for standardization: those of the opened waves, and those opened by deepen
    /// decisions, while active.
    /// Written into `self.open`.
    fn open_domains(&mut self) {
        let (s, region) = (self.s, &self.region);
        let opened_waves = &self.waves[..=region.wave.min(self.waves.len() - 1)];
        self.open.clear();
        self.open.extend((0..s.domains.len()).map(|k| {
            region.active[k]
                && (region.opened[k] || opened_waves.iter().any(|w| w.contains(&s.domains[k].tier)))
        }));
    }

    /// Step 5: each bureau decides whether to work on standardization this quarter (a quantal
    /// draw); alignment of open domains grows only when both work, in proportion to how
    /// faithfully cadres execute; other domains decay; the next wave opens (ODD 7.7).
    fn standardize(&mut self, x: &Indicators, rng: &mut rand_pcg::Pcg64Mcg) -> Standardization {
        let s = self.s;
        let (dy, lv) = (&s.dynamics, &s.levers);
        let k_n = s.domains.len();
        if !self.region.started {
            if !dy.frozen {
                let r = &mut self.region;
                r.alignment
                    .iter_mut()
                    .for_each(|a| *a = m::alignment_decay(*a, dy.alignment_decay));
            }
            return Standardization { effort: [0.0; 2] };
        }
        self.open_domains();
        let open = &self.open;
        let region = &self.region;
        // The relief still to come, as far as it binds: diluted standards relieve less.
        let binding = m::effective_alignment(1.0, lv.flexibility, dy.dilution);
        let relief: f64 = (0..k_n)
            .filter(|&k| open[k])
            .map(|k| {
                (dy.cost_relief * s.domains[k].cost + s.domains[k].difficulty)
                    * (1.0 - region.alignment[k])
                    * binding
            })
            .sum();
        let rigidity = m::rigidity(lv.uniformity, lv.flexibility);
        let push =
            dy.reward_bureau * lv.cadre.reward + dy.deepen_effort * region.programme.min(3) as f64;
        let effort = [0, 1].map(|p| {
            let u = m::bureau_utility(&m::BureauTerms {
                // Relief is realized only where cadres carry cooperation out.
                relief: relief * self.fidelity[p],
                benefit_weight: dy.bureau_benefit,
                lambda: x.province_lambda[p],
                cost: dy.bureau_cost,
                beta: x.province_beta[p],
                resistance: dy.bureau_rigidity * rigidity * self.gap[p],
                push,
            });
            m::work_probability(u, dy.bureau_temperature, lv.standardization.effort)
        });
        // Both draws are taken every period, so the stream does not depend on the outcome.
        let worked = effort.map(|e| uniform(rng) < e);
        if dy.frozen {
            return Standardization { effort };
        }
        let fbar = self.mean_fidelity();
        // Limited capacity: beyond `capacity` open, unfinished domains, each one moves more slowly.
        let n_open = (0..k_n)
            .filter(|&k| open[k] && region.alignment[k] < s.dilemma.deepen_alignment)
            .count() as f64;
        let pace = dy.alignment_rate * fbar * (dy.capacity / n_open.max(dy.capacity));
        let basic = mean_of(self.basic.iter().map(|&k| region.alignment[k]));
        let basic = if basic.is_nan() { 1.0 } else { basic };
        let both = f64::from(u8::from(worked[0] && worked[1]));
        let region = &mut self.region;
        for k in 0..k_n {
            region.alignment[k] = if open[k] {
                let found = m::foundation(s.domains[k].tier, dy.foundation, basic);
                m::alignment_growth(region.alignment[k], pace, both, 1.0, lv.uniformity, found)
            } else {
                m::alignment_decay(region.alignment[k], dy.alignment_decay)
            };
        }
        // The next wave opens when the newest one is aligned enough.
        let waves = &self.waves;
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
        Standardization { effort }
    }

    /// Which active domains are in a dilemma this period (ODD 7.13): cooperation fallen well
    /// below its running peak; a sustained selective spell before any standardization (assigned
    /// to the least cooperative domain); the weaker province's share of a domain's joint value
    /// siphoned below its threshold. Only after a warm-up and outside a cooldown.
    /// Written into `self.triggered`.
    fn dilemma_triggers(&mut self, x: &Indicators) {
        let s = self.s;
        let dl = &s.dilemma;
        let k_n = s.domains.len();
        if self.region.started {
            self.open_domains();
        } else {
            self.open.clear();
            self.open.resize(k_n, false);
        }
        let open = &self.open;
        let region = &mut self.region;
        let stronger = usize::from(self.dev_province[1] > self.dev_province[0]);
        let weaker = 1 - stronger;
        let (triggered, stalled, ready) = (&mut self.triggered, &mut self.stalled, &mut self.ready);
        for v in [&mut *triggered, &mut *stalled] {
            v.clear();
            v.resize(k_n, false);
        }
        ready.clear();
        ready.extend((0..k_n).map(|k| region.active[k] && region.active_for[k] >= dl.warmup));
        // Shares depend on the domain only through σ: each σ's `pow` is taken once a period.
        let shares = &mut self.shares_by_sigma;
        shares.clear();
        for k in 0..k_n {
            if !ready[k] {
                continue;
            }
            region.peak[k] = region.peak[k].max(x.coop_domain[k]);
            if region.cooldown[k] > 0 {
                region.cooldown[k] -= 1;
                continue;
            }
            let fell = region.peak[k] >= dl.min_peak
                && x.coop_domain[k] < (1.0 - dl.drop) * region.peak[k];
            // The weaker side's share of the joint value in this domain, as it sees it.
            let sigma = self.sigma[k];
            let share = match shares.iter().find(|(b, _)| *b == sigma.to_bits()) {
                Some(&(_, share)) => share,
                None => {
                    let (d_weak, d_strong) =
                        (self.dev_province[weaker], self.dev_province[stronger]);
                    let share = m::siphon_share(d_weak, d_strong, sigma);
                    shares.push((sigma.to_bits(), share));
                    share
                }
            };
            let omega = x.orientation;
            let siphoned = m::realized_share(share, omega) < dl.siphon_threshold;
            // Standardization under way, but the domain's cooperation has not picked up over a
            // whole window while still low: collaboration is not paying as expected.
            let mut stagnated = false;
            if open[k] {
                if region.open_for[k] == 0 {
                    region.open_since_cooperation[k] = x.coop_domain[k];
                }
                region.open_for[k] += 1;
                if region.open_for[k] >= dl.selective_window {
                    stagnated = x.coop_domain[k] < dl.min_peak
                        && x.coop_domain[k] - region.open_since_cooperation[k] < dl.stall;
                    region.open_for[k] = 0;
                }
            }
            triggered[k] = fell || siphoned;
            stalled[k] = stagnated;
        }
        // Stagnation is one dilemma for the programme, placed in its least cooperative domain.
        if let Some(k) = (0..k_n)
            .filter(|&k| stalled[k] && !triggered[k])
            .min_by(|&a, &b| x.coop_domain[a].total_cmp(&x.coop_domain[b]))
        {
            triggered[k] = true;
        }
        if !region.started && x.selective_index > dl.selective_threshold {
            region.selective_streak += 1;
            if region.selective_streak >= dl.selective_window {
                region.selective_streak = 0;
                if let Some(k) = (0..k_n)
                    .filter(|&k| ready[k] && region.cooldown[k] == 0)
                    .min_by(|&a, &b| x.coop_domain[a].total_cmp(&x.coop_domain[b]))
                {
                    triggered[k] = true;
                }
            }
        } else {
            region.selective_streak = 0;
        }
    }

    /// Step 6: dilemmas, and at each the provinces' quantal choice to continue, deepen or retreat
    /// (ODD 7.13). Deepening is valued as the programme it starts (every active domain at the
    /// long-run alignment with a joint body) where none runs, and as that domain's prospect where
    /// one does; retreating at the central support and penalty it forfeits.
    fn dilemmas(&mut self, x: &Indicators, rng: &mut rand_pcg::Pcg64Mcg) -> Events {
        let s = self.s;
        let (dy, dl) = (&s.dynamics, &s.dilemma);
        let k_n = s.domains.len();
        self.dilemma_triggers(x);
        let triggered = std::mem::take(&mut self.triggered);
        let central = std::mem::take(&mut self.central.values);
        let rep = Representative {
            lambda: x.local_centric,
            beta: x.barrier,
            trust: x.trust,
            omega: x.orientation,
            temperature: s.behaviour.temperature.mean(),
        };
        let deepen_possible = dl.deepen_enabled
            && match s.levers.standardization.timing {
                Timing::None => false,
                Timing::Scheduled => self.region.started,
                Timing::Developmental | Timing::Responsive => true,
            };
        let mut ev = Events::default();
        for k in (0..k_n).filter(|&k| triggered[k]) {
            ev.dilemmas += 1;
            let region = &self.region;
            let pi_of = |k: usize| (region.obs[k] + region.obs[k_n + k]) / 2.0;
            let relief = &self.relief;
            let now = domain_terms(
                s,
                k,
                central[k],
                region.alignment[k],
                region.joint_bodies[k],
                relief,
            );
            let v_continue = rep.utility(&now, pi_of(k), dy.distrust_floor);
            let prospect = |k: usize| {
                let a = region.alignment[k].max(dl.deepen_alignment);
                let t = domain_terms(s, k, central[k], a, region.joint_bodies[k] + 1, relief);
                rep.utility(&t, pi_of(k), dy.distrust_floor)
            };
            let v_deepen = deepen_possible.then(|| {
                let v = if region.started {
                    prospect(k)
                } else {
                    mean_of((0..k_n).filter(|&j| region.active[j]).map(prospect))
                };
                v - dl.deepen_cost
            });
            let (support, penalty, enforcement) = central[k];
            let v_retreat = -(support + enforcement * penalty);
            let choice = m::dilemma_choice(
                v_continue,
                v_deepen,
                v_retreat,
                dl.temperature,
                uniform(rng),
            );
            let region = &mut self.region;
            region.cooldown[k] = dl.cooldown;
            region.peak[k] = x.coop_domain[k];
            match choice {
                DilemmaChoice::Continue => {}
                DilemmaChoice::Deepen => {
                    ev.deepens += 1;
                    let was_running = region.started;
                    region.started = true;
                    region.opened[k] = true;
                    region.joint_bodies[k] += 1;
                    region.programme += 1;
                    // A deepen decision within a running programme widens its scope: the next
                    // sequencing wave opens now.
                    if was_running && region.wave + 1 < self.waves.len() {
                        region.wave += 1;
                    }
                }
                DilemmaChoice::Retreat => {
                    ev.retreats += 1;
                    region.active[k] = false;
                    region.retreat_left[k] = dl.retreat_periods;
                    region.obs[k] = 0.0;
                    region.obs[k_n + k] = 0.0;
                    region.trust_shock *= 1.0 - dy.retreat_trust_cost;
                }
            }
        }
        let region = &mut self.region;
        for k in 0..k_n {
            if region.active[k] {
                region.active_for[k] = region.active_for[k].saturating_add(1);
            } else if !triggered[k] {
                region.retreat_left[k] = region.retreat_left[k].saturating_sub(1);
                if region.retreat_left[k] == 0 {
                    region.active[k] = true;
                    region.active_for[k] = 0;
                    region.peak[k] = 0.0;
                    region.obs[k] = dy.prior_cooperation;
                    region.obs[k_n + k] = dy.prior_cooperation;
                }
            }
        }
        self.triggered = triggered;
        self.central.values = central;
        ev
    }

    /// Step 7: the stage from observables (ODD 7.14).
    fn classify(&mut self, x: &Indicators) -> Stage {
        let s = self.s;
        let st = &s.stages;
        let region = &mut self.region;
        region.collapse_streak = if x.cooperation < st.retreat_cooperation {
            region.collapse_streak + 1
        } else {
            0
        };
        let axis = |ax: Axis| Axis::ALL.iter().position(|&a| a == ax).expect("an axis");
        let cooperating = |ax: Axis| x.coop_axis[axis(ax)] >= st.advanced_cooperation;
        let political = mean_of(self.political.iter().map(|&k| self.effective_alignment(k)));
        let other_axes = [Axis::Cultural, Axis::Social, Axis::Ecological]
            .into_iter()
            .filter(|&ax| cooperating(ax))
            .count() as u32;
        m::classify_stage(
            &StageInputs {
                mean_alignment: self.mean_effective_alignment(),
                mean_trust: x.trust,
                mean_orientation: x.orientation,
                economic_cooperating: cooperating(Axis::Economic),
                political_aligned: political >= st.advanced_alignment,
                other_axes_cooperating: other_axes,
                collapse_streak: self.region.collapse_streak,
                deepened: self.region.started,
            },
            st,
        )
    }
}

/// Simulate one run of the scenario. `run` selects the random streams.
pub fn simulate(s: &Scenario, seed: u64, run: u64) -> RunResult {
    let mut out = RunResult {
        periods: Vec::with_capacity(s.calendar.periods as usize),
        summary: RunSummary::default(),
    };
    simulate_into(s, seed, run, &mut out);
    out
}

/// [`simulate`] written into `out`, whose previous contents (a spent result of any scenario) are
/// overwritten: afterwards `*out == simulate(s, seed, run)`. Its vectors and strings are reused,
/// so a caller that simulates many runs one after another and keeps a spent result to pass in
/// allocates almost nothing per period (a fresh result allocates seven vectors per period).
pub fn simulate_into(s: &Scenario, seed: u64, run: u64, out: &mut RunResult) {
    let mut r = Run::new(s, seed, run);
    let periods = s.calendar.periods as usize;
    let records = &mut out.periods;
    records.truncate(periods);
    let mut spare = Indicators::default();
    for t in 0..periods {
        // The provinces' own draws (bureau work, dilemma choices) come from a stream of their own.
        let mut province_rng = stream(seed, run, t as u64, u64::MAX);
        r.central.update(s, t);
        let programme_start = r.start_programme(t);
        r.active_at_start.clone_from(&r.region.active);
        r.decide(t);
        let x = r.indicators(std::mem::take(&mut spare));
        let std = r.standardize(&x, &mut province_rng);
        let ev = r.dilemmas(&x, &mut province_rng);
        let stage = r.classify(&x);
        // The vectors of the record this run overwrites (a spent run's), refilled in place.
        let (mut alignment_domain, mut active_domain, mut zones, mut coop_domain, mut by_province) =
            match records.get_mut(t) {
                Some(old) => (
                    std::mem::take(&mut old.alignment_domain),
                    std::mem::take(&mut old.active_domain),
                    std::mem::take(&mut old.zones),
                    std::mem::take(&mut old.coop_domain),
                    std::mem::take(&mut old.coop_province_domain),
                ),
                None => Default::default(),
            };
        alignment_domain.clone_from(&r.region.alignment);
        active_domain.clone_from(&r.active_at_start);
        zones.clone_from(&x.zones);
        coop_domain.clone_from(&x.coop_domain);
        for (to, from) in by_province.iter_mut().zip(&x.coop_province_domain) {
            to.clone_from(from);
        }
        let record = PeriodRecord {
            stage,
            alignment_domain,
            active_domain,
            coop_axis: x.coop_axis,
            coop_tier: x.coop_tier,
            coop_province: x.coop_province,
            cooperation: x.cooperation,
            executed: x.executed,
            execution_gap: x.decided - x.executed,
            selective_index: x.selective_index,
            benefit_gap: x.benefit_gap,
            trust: x.trust,
            alignment: mean_of(r.region.alignment.iter().copied()),
            local_centric: x.local_centric,
            barrier: x.barrier,
            orientation: x.orientation,
            gini: x.gini,
            theil: x.theil,
            siphon_index: x.siphon_index,
            welfare: x.welfare,
            effort: std.effort,
            dilemmas: ev.dilemmas,
            deepens: ev.deepens + programme_start,
            retreats: ev.retreats,
            zones,
            coop_domain,
            coop_province_domain: by_province,
        };
        match records.get_mut(t) {
            Some(old) => *old = record,
            None => records.push(record),
        }
        spare = x;
    }
    let (survey_a, survey_b) = s.survey_periods();
    summarize_into(s, run, records, survey_a, survey_b, &mut out.summary);
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
    temperature: f64,
}

impl Representative {
    /// What keeping a domain open is worth to its jurisdictions: the expected surplus of their
    /// quantal choice between cooperating (perceived utility `U`) and not (0), `μ ln(1 + e^{U/μ})`
    /// — never negative, since a jurisdiction can always decline.
    fn utility(&self, t: &DomainTerms, pi_obs: f64, distrust_floor: f64) -> f64 {
        let pi = m::belief(pi_obs, self.beta, t.alignment, self.trust, distrust_floor);
        let u = m::perceived_utility(t, pi, 0.5, self.lambda, self.beta, self.omega, 0.0);
        m::choice_surplus(u, self.temperature)
    }
}

/// The run's summary, written into `out` (its vectors and strings reused).
fn summarize_into(
    s: &Scenario,
    run: u64,
    records: &[PeriodRecord],
    survey_a: usize,
    survey_b: usize,
    out: &mut RunSummary,
) {
    let first = |want: &[Stage]| {
        records
            .iter()
            .position(|r| want.contains(&r.stage))
            .map(|p| p as u32)
    };
    let last = records.last().expect("at least one period");
    let window = &records[survey_a..=survey_b];
    let w = window.len() as f64;
    out.run = run;
    out.first_transition_period = first(&[Stage::Transition, Stage::Advanced]);
    out.first_advanced_period = first(&[Stage::Advanced]);
    out.dilemmas = records.iter().map(|r| r.dilemmas).sum();
    out.deepens = records.iter().map(|r| r.deepens).sum();
    out.retreats = records.iter().map(|r| r.retreats).sum();
    out.cumulative_cooperation = records.iter().map(|r| r.cooperation).sum();
    out.final_stage.clear();
    out.final_stage.push_str(last.stage.id());
    out.final_gini = last.gini;
    out.final_alignment = last.alignment;
    out.final_trust = last.trust;
    out.survey_cooperation.clear();
    out.survey_cooperation.extend(
        (0..s.domains.len()).map(|k| window.iter().map(|r| r.coop_domain[k]).sum::<f64>() / w),
    );
    out.survey_zone_demand.clear();
    out.survey_zone_demand.extend(
        (0..s.zones.len()).map(|z| window.iter().map(|r| r.zones[z].demand).sum::<f64>() / w),
    );
    let stages = &mut out.survey_stages;
    stages.truncate(window.len());
    for (i, r) in window.iter().enumerate() {
        match stages.get_mut(i) {
            Some(id) => {
                id.clear();
                id.push_str(r.stage.id());
            }
            None => stages.push(r.stage.id().to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's Gini and Theil give the model's functions' bits: sorted values of several
    /// sizes, with zeros, equal values, a single value, none, and a zero total.
    #[test]
    fn inequality_has_the_bits_of_the_model_functions() {
        let mut rng = stream(13, 0, 0, 0);
        let mut cases: Vec<Vec<f64>> = vec![vec![], vec![2.5], vec![0.0; 5], vec![1.0; 42]];
        for n in [2usize, 42, 255, 256, 257, 1000, 5000] {
            let mut v: Vec<f64> = (0..n).map(|_| 0.5 + 3.0 * uniform(&mut rng)).collect();
            v[0] = 0.0;
            v.sort_by(f64::total_cmp);
            cases.push(v);
        }
        for v in &cases {
            let (gini, theil) = inequality(v, &mut Vec::new());
            let n = v.len();
            assert_eq!(gini.to_bits(), m::gini_sorted(v).to_bits(), "Gini, n = {n}");
            assert_eq!(theil.to_bits(), m::theil(v).to_bits(), "Theil, n = {n}");
        }
    }
}
