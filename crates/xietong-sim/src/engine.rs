//! One simulation run: the period loop of MODEL.md wiring the pure rules of
//! `xietong_model::mechanism` together. Jurisdictions are processed in fixed-size chunks, each with
//! its own random stream and partial sums that are added in chunk order, so a run gives the same
//! bits whether its chunks run on one thread or many.

use crate::record::{PeriodRecord, RunResult, RunSummary, ZoneRecord};
use crate::rng::{stream, uniform};
use crate::setup::{Agent, agents};
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
    sigma: Vec<f64>,
    active: Vec<bool>,
    /// `obs[p * K + k]`: cooperation carried out last period by province p in domain k.
    obs: Vec<f64>,
    /// Province mean development at the start of the period.
    dev_province: [f64; 2],
    dev_mean: f64,
    /// Mean observed partner cooperation over active domains, by the observing province.
    observed_partner: [f64; 2],
    mean_alignment: f64,
    trust_floor: f64,
    n_zones: usize,
}

/// Columns of a chunk's decision-relevant state: province is the second, β, τ, λ, ω, 1/μ,
/// `ln(d̄_partner/d)`, `|d/d̄ − 1|`.
type Columns<'a> = (
    &'a [bool],
    &'a [f64],
    &'a [f64],
    &'a [f64],
    &'a [f64],
    &'a [f64],
    &'a [f64],
    &'a [f64],
);

/// What one domain's decisions share within a chunk.
struct DomainInputs<'a> {
    terms: &'a DomainTerms,
    sigma: f64,
    /// Partner cooperation seen by jurisdictions of the first and of the second province.
    obs_seen: (f64, f64),
    distrust_floor: f64,
    rigid: f64,
    cols: Columns<'a>,
}

/// Probabilities of cooperating (and siphon shares) in one domain for a chunk, on the widest
/// vectors the processor offers. Every lane does the same IEEE-754 operations in the same order
/// (no fused multiply-add is enabled, and Rust never contracts `a * b + c`), so the results are
/// bit-identical whichever copy runs.
fn domain_probabilities(d: &DomainInputs, prob: &mut [f64], share: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has just been found to support AVX-512F.
            return unsafe { domain_probabilities_avx512(d, prob, share) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has just been found to support AVX2.
            return unsafe { domain_probabilities_avx2(d, prob, share) };
        }
    }
    domain_probabilities_baseline(d, prob, share);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline(never)]
fn domain_probabilities_avx512(d: &DomainInputs, prob: &mut [f64], share: &mut [f64]) {
    domain_probabilities_baseline(d, prob, share);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline(never)]
fn domain_probabilities_avx2(d: &DomainInputs, prob: &mut [f64], share: &mut [f64]) {
    domain_probabilities_baseline(d, prob, share);
}

/// Out of line in the portable build, with every input a parameter, so the compiler knows the
/// outputs alias nothing and vectorizes; the σ = 0 test is taken out of the loop, as a branch
/// inside it would stop vectorization.
#[inline(always)]
fn domain_probabilities_baseline(d: &DomainInputs, prob: &mut [f64], share: &mut [f64]) {
    if d.sigma == 0.0 {
        fill_probabilities(d, prob, share, |_| 0.5);
    } else {
        let sigma = d.sigma;
        fill_probabilities(d, prob, share, |lr| {
            m::siphon_share_from_log_ratio(lr, sigma)
        });
    }
}

#[inline(always)]
fn fill_probabilities(
    d: &DomainInputs,
    prob: &mut [f64],
    share: &mut [f64],
    share_of: impl Fn(f64) -> f64,
) {
    let n = prob.len();
    let share = &mut share[..n];
    let (second, barrier, trust, lambda, omega, inv_mu, ln_ratio, rel_gap) = d.cols;
    let (second, barrier, trust, lambda) = (&second[..n], &barrier[..n], &trust[..n], &lambda[..n]);
    let (omega, inv_mu, ln_ratio, rel_gap) =
        (&omega[..n], &inv_mu[..n], &ln_ratio[..n], &rel_gap[..n]);
    let (t, (obs_first, obs_second), c, rigid) = (d.terms, d.obs_seen, d.distrust_floor, d.rigid);
    for i in 0..n {
        let pi_obs = if second[i] { obs_second } else { obs_first };
        let pi = m::belief(pi_obs, barrier[i], t.alignment, trust[i], c);
        let s = share_of(ln_ratio[i]);
        let adapt = rigid * rel_gap[i] * t.alignment;
        let u = m::perceived_utility(t, pi, s, lambda[i], barrier[i], omega[i], adapt);
        prob[i] = m::choice_probability(u, inv_mu[i]);
        share[i] = s;
    }
}

fn process_chunk(ctx: &Context, chunk: &mut [Agent], mut rng: rand_pcg::Pcg64Mcg) -> Acc {
    let s = ctx.s;
    let k_n = ctx.terms.len();
    let dy = &s.dynamics;
    let lv = &s.levers;
    let rigid = lv.uniformity * (1.0 - lv.flexibility) * dy.adaptation;
    let active: Vec<usize> = (0..k_n).filter(|&k| ctx.active[k]).collect();
    let n_active = active.len();
    let n = chunk.len();
    // Pass 1, domain by domain over a structure-of-arrays copy of the chunk: probabilities and
    // siphon shares, in a loop without random numbers that the compiler vectorizes.
    let second: Vec<bool> = chunk.iter().map(|a| a.province == 1).collect();
    let col = |f: fn(&Agent) -> f64| chunk.iter().map(f).collect::<Vec<f64>>();
    let (barrier, trust) = (col(|a| a.barrier), col(|a| a.trust));
    let (lambda, omega, inv_mu) = (
        col(|a| a.local_centric),
        col(|a| a.orientation),
        col(|a| a.inv_temperature),
    );
    let ln_ratio: Vec<f64> = chunk
        .iter()
        .map(|a| libm::log(ctx.dev_province[1 - a.province as usize] / a.development))
        .collect();
    let rel_gap: Vec<f64> = chunk
        .iter()
        .map(|a| (a.development / ctx.dev_mean - 1.0).abs())
        .collect();
    let mut probs = vec![0.0; n_active * n];
    let mut shares = vec![0.0; n_active * n];
    for (ai, &k) in active.iter().enumerate() {
        // Partners of province 0 are province 1 and vice versa.
        let inputs = DomainInputs {
            terms: &ctx.terms[k],
            sigma: ctx.sigma[k],
            obs_seen: (ctx.obs[k_n + k], ctx.obs[k]),
            distrust_floor: dy.distrust_floor,
            rigid,
            cols: (
                &second, &barrier, &trust, &lambda, &omega, &inv_mu, &ln_ratio, &rel_gap,
            ),
        };
        domain_probabilities(
            &inputs,
            &mut probs[ai * n..(ai + 1) * n],
            &mut shares[ai * n..(ai + 1) * n],
        );
    }
    // Pass 2, jurisdiction by jurisdiction in a fixed order: draws, execution, gains, updates.
    let mut acc = Acc::new(k_n, ctx.n_zones);
    for (i, a) in chunk.iter_mut().enumerate() {
        let p = a.province as usize;
        let q = 1 - p;
        let d_partner = ctx.dev_province[q];
        let obs_partner = &ctx.obs[q * k_n..(q + 1) * k_n];
        let (sum_p, decided, executed) = (
            &mut acc.sum_p[p * k_n..(p + 1) * k_n],
            &mut acc.decided[p * k_n..(p + 1) * k_n],
            &mut acc.executed[p * k_n..(p + 1) * k_n],
        );
        let (mut sp, mut sp2, mut gain, mut joint_total) = (0.0, 0.0, 0.0, 0.0);
        for (ai, &k) in active.iter().enumerate() {
            let t = &ctx.terms[k];
            let pi_obs = obs_partner[k];
            let prob = probs[ai * n + i];
            let share = shares[ai * n + i];
            let x = uniform(&mut rng);
            sum_p[k] += prob;
            sp += prob;
            sp2 += prob * prob;
            // Branch-free: one uniform decides both (executed ⊂ decided, P(executed) = prob · f).
            let dec = (x < prob) as u8 as f64;
            let exe = (x < prob * a.fidelity) as u8 as f64;
            decided[k] += dec;
            executed[k] += exe;
            let joint = exe
                * t.value
                * pi_obs
                * m::realized_share(share, a.orientation)
                * (a.development + d_partner);
            joint_total += joint;
            gain += joint + exe * t.local_benefit * a.development;
        }
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
    acc
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

    let mut records = Vec::with_capacity(s.calendar.periods as usize);
    let mut scratch = Vec::with_capacity(n);
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
        let ctx = Context {
            s,
            terms,
            sigma: s.domains.iter().map(|d| d.siphon).collect(),
            active: region.active.clone(),
            obs: region.obs.clone(),
            dev_province,
            dev_mean,
            observed_partner,
            mean_alignment,
            trust_floor: m::trust_floor(dy.trust_floor, mean_alignment, lv.uniformity),
            n_zones: z_n,
        };
        let acc = if n > CHUNK {
            let parts: Vec<Acc> = people
                .par_chunks_mut(CHUNK)
                .enumerate()
                .map(|(ci, chunk)| {
                    process_chunk(&ctx, chunk, stream(seed, run, t as u64, ci as u64))
                })
                .collect();
            let mut total = Acc::new(k_n, z_n);
            parts.iter().for_each(|p| total.add(p));
            total
        } else {
            process_chunk(&ctx, &mut people, stream(seed, run, t as u64, 0))
        };

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
        // Only the sorted values matter (equal values are interchangeable), so the unstable
        // sort gives the same sequence as any other; it measured faster than re-sorting the
        // previous period's order, which development growth reshuffles too much to be adaptive.
        scratch.sort_unstable_by(f64::total_cmp);
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
            active_domain: ctx.active.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, uniform};

    /// The wide-vector copies of the probability pass must give the same bits as the portable one
    /// (and as the rules applied one jurisdiction at a time), or results would depend on the
    /// processor. Odd lengths exercise the vector loops' tails.
    #[test]
    fn probability_pass_is_bit_identical_on_every_vector_width() {
        let mut rng = stream(7, 0, 0, 0);
        let mut u = |lo: f64, hi: f64| lo + (hi - lo) * uniform(&mut rng);
        for (n, sigma) in [
            (1usize, 0.0),
            (7, 0.8),
            (1003, 0.0),
            (4096, 1.3),
            (333, 2.5),
        ] {
            let terms = DomainTerms {
                value: u(0.5, 3.0),
                local_benefit: u(0.0, 1.0),
                cost: u(0.2, 1.5),
                difficulty: u(0.0, 1.0),
                risk: u(0.0, 1.0),
                support: u(0.0, 0.5),
                penalty: u(0.0, 0.5),
                enforcement: u(0.0, 1.0),
                alignment: u(0.0, 1.0),
                cost_relief: u(0.0, 1.0),
            };
            let second: Vec<bool> = (0..n).map(|_| u(0.0, 1.0) < 0.5).collect();
            let mut col = |lo, hi| (0..n).map(|_| u(lo, hi)).collect::<Vec<f64>>();
            let (barrier, trust, lambda, omega) =
                (col(0.0, 1.0), col(0.0, 1.0), col(0.0, 1.0), col(0.0, 1.0));
            // Inverse temperatures up to 1e3 drive the exponential into saturation.
            let (inv_mu, ln_ratio, rel_gap) = (col(0.1, 1e3), col(-3.0, 3.0), col(0.0, 2.0));
            let d = DomainInputs {
                terms: &terms,
                sigma,
                obs_seen: (0.3, 0.8),
                distrust_floor: 0.2,
                rigid: 0.35,
                cols: (
                    &second, &barrier, &trust, &lambda, &omega, &inv_mu, &ln_ratio, &rel_gap,
                ),
            };
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            let (mut p0, mut s0) = (vec![0.0; n], vec![0.0; n]);
            domain_probabilities_baseline(&d, &mut p0, &mut s0);
            for i in 0..n {
                let pi_obs = if second[i] { 0.8 } else { 0.3 };
                let pi = m::belief(pi_obs, barrier[i], terms.alignment, trust[i], 0.2);
                let s = m::siphon_share_from_log_ratio(ln_ratio[i], sigma);
                let adapt = 0.35 * rel_gap[i] * terms.alignment;
                let ut =
                    m::perceived_utility(&terms, pi, s, lambda[i], barrier[i], omega[i], adapt);
                assert_eq!(
                    p0[i].to_bits(),
                    m::choice_probability(ut, inv_mu[i]).to_bits()
                );
                assert_eq!(s0[i].to_bits(), s.to_bits());
            }
            let (mut p1, mut s1) = (vec![0.0; n], vec![0.0; n]);
            domain_probabilities(&d, &mut p1, &mut s1);
            assert_eq!(
                (bits(&p0), bits(&s0)),
                (bits(&p1), bits(&s1)),
                "dispatched, n = {n}"
            );
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    let (mut p2, mut s2) = (vec![0.0; n], vec![0.0; n]);
                    // SAFETY: AVX2 support was just detected.
                    unsafe { domain_probabilities_avx2(&d, &mut p2, &mut s2) };
                    assert_eq!(
                        (bits(&p0), bits(&s0)),
                        (bits(&p2), bits(&s2)),
                        "AVX2, n = {n}"
                    );
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    let (mut p3, mut s3) = (vec![0.0; n], vec![0.0; n]);
                    // SAFETY: AVX-512F support was just detected.
                    unsafe { domain_probabilities_avx512(&d, &mut p3, &mut s3) };
                    assert_eq!(
                        (bits(&p0), bits(&s0)),
                        (bits(&p3), bits(&s3)),
                        "AVX-512, n = {n}"
                    );
                }
            }
        }
    }
}
