//! The per-domain loops over a chunk of jurisdictions, where nearly all of a run's arithmetic is.
//! Each loop reads and writes plain columns (structure of arrays), has no branches the compiler
//! cannot turn into selects and no reduction in floating point, so it vectorizes; each is compiled
//! three times, for baseline x86-64 (2 lanes), AVX2 (4) and AVX-512 (8), and the widest copy the
//! processor supports runs. Every lane does the same IEEE-754 operations in the same order (no
//! fused multiply-add is enabled, and Rust never contracts `a * b + c`), so all copies give the
//! same bits: results do not depend on the processor.

use xietong_model::mechanism::{self as m, DomainTerms};

/// Doubles in the widest vector (AVX-512): callers that pad columns to a multiple of this leave
/// the kernels no scalar remainder.
pub(crate) const LANES: usize = 8;

/// Vector width a kernel copy is compiled for. Only [`widths`] hands out the wide ones, after
/// checking that the processor has them, which is what makes calling those copies sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Width(Isa);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Width {
    fn lanes(self) -> usize {
        match self.0 {
            Isa::Portable => 2,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => 4,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => 8,
        }
    }
}

/// Every width this processor can run, narrowest first (detected once).
pub(crate) fn widths() -> &'static [Width] {
    static WIDTHS: std::sync::OnceLock<Vec<Width>> = std::sync::OnceLock::new();
    WIDTHS.get_or_init(|| {
        #[allow(unused_mut)]
        let mut w = vec![Width(Isa::Portable)];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                w.push(Width(Isa::Avx2));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                w.push(Width(Isa::Avx512));
            }
        }
        w
    })
}

static LANE_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(usize::MAX);

/// Caps the vector width the engine uses at `lanes` doubles (2: baseline x86-64, 4: AVX2, 8:
/// AVX-512; the narrowest copy always stays available). Results are the same at every width, so
/// this only serves to measure, on one machine, what processors without the wider vectors get,
/// and to test that the copies agree.
pub fn limit_vector_lanes(lanes: usize) {
    LANE_LIMIT.store(lanes, std::sync::atomic::Ordering::Relaxed);
}

/// Doubles per vector in the kernels as things stand (processor and limit).
pub fn vector_lanes() -> usize {
    widest().lanes()
}

/// The widest width this processor can run, within the limit.
pub(crate) fn widest() -> Width {
    let limit = LANE_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
    let all = widths();
    *all.iter()
        .rev()
        .find(|w| w.lanes() <= limit)
        .unwrap_or(&all[0])
}

/// Defines `$name(width, args…)`, which runs `$body(args…)` compiled for `width`. The body must
/// be `#[inline(always)]` so that each copy gets its own code for its vector width.
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $body:ident) => {
        $(#[$meta])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name(width: Width, $($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                #[inline(never)]
                #[allow(clippy::too_many_arguments)]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                #[inline(never)]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                match width.0 {
                    // SAFETY: `widths` hands out these widths only when the processor has them.
                    Isa::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    Isa::Avx2 => return unsafe { avx2($($arg),*) },
                    Isa::Portable => {}
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = width;
            #[inline(never)]
            #[allow(clippy::too_many_arguments)]
            fn portable($($arg: $ty),*) $(-> $ret)? {
                $body($($arg),*)
            }
            portable($($arg),*)
        }
    };
}

/// Columns of a chunk's decision-relevant state: whether a jurisdiction is in the second
/// province, β, τ, λ, ω, 1/μ, `ln(d̄_partner/d)`, `|d/d̄ − 1|`.
pub(crate) struct Columns<'a> {
    pub second: &'a [bool],
    pub barrier: &'a [f64],
    pub trust: &'a [f64],
    pub lambda: &'a [f64],
    pub omega: &'a [f64],
    pub inv_mu: &'a [f64],
    pub ln_ratio: &'a [f64],
    pub rel_gap: &'a [f64],
}

/// What one domain's decisions share within a chunk.
struct DomainInputs<'a> {
    terms: &'a DomainTerms,
    sigma: f64,
    /// Partner cooperation seen by jurisdictions of the first and of the second province.
    obs_seen: (f64, f64),
    distrust_floor: f64,
    rigid: f64,
}

/// One active domain's constants for a chunk's decisions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DomainPlan {
    pub terms: DomainTerms,
    pub sigma: f64,
    /// Partner cooperation carried out last period, seen by jurisdictions of the first and of the
    /// second province.
    pub obs_seen: (f64, f64),
    /// The row of `shares` the domain uses: its own, or an earlier domain's with the same σ
    /// (shares depend on the domain only through σ, so the exponential is taken once).
    pub share_row: usize,
}

multiversion! {
    /// Probabilities of deciding to cooperate in every active domain for a chunk, into
    /// `probs[ai * stride..][..padded]`, and the siphon shares of the domains that compute their
    /// own, into the same rows of `shares`. One call per chunk rather than one per domain: at a
    /// few dozen jurisdictions the calls' set-up was a noticeable part of the work.
    pub(crate) fn chunk_probabilities(
        plans: &[DomainPlan],
        distrust_floor: f64,
        rigid: f64,
        c: &Columns,
        stride: usize,
        padded: usize,
        probs: &mut [f64],
        shares: &mut [f64],
    ) => chunk_probabilities_body
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn chunk_probabilities_body(
    plans: &[DomainPlan],
    distrust_floor: f64,
    rigid: f64,
    c: &Columns,
    stride: usize,
    padded: usize,
    probs: &mut [f64],
    shares: &mut [f64],
) {
    for (ai, plan) in plans.iter().enumerate() {
        let d = DomainInputs {
            terms: &plan.terms,
            sigma: plan.sigma,
            obs_seen: plan.obs_seen,
            distrust_floor,
            rigid,
        };
        let prob = &mut probs[ai * stride..ai * stride + padded];
        let row = plan.share_row * stride;
        if plan.share_row == ai {
            probabilities_body(&d, c, prob, &mut shares[row..row + padded]);
        } else {
            given_shares_body(&d, c, prob, &shares[row..row + padded]);
        }
    }
}

/// The σ = 0 test is taken out of the loop, as a branch inside it would stop vectorization.
#[inline(always)]
fn probabilities_body(d: &DomainInputs, c: &Columns, prob: &mut [f64], share: &mut [f64]) {
    let n = prob.len();
    let share = &mut share[..n];
    let store = |i: usize, s: f64| share[i] = s;
    if d.sigma == 0.0 {
        fill_probabilities(d, c, prob, |_| 0.5, store);
    } else {
        let (sigma, ln_ratio) = (d.sigma, &c.ln_ratio[..n]);
        let share_at = |i: usize| m::siphon_share_from_log_ratio(ln_ratio[i], sigma);
        fill_probabilities(d, c, prob, share_at, store);
    }
}

#[inline(always)]
fn given_shares_body(d: &DomainInputs, c: &Columns, prob: &mut [f64], share: &[f64]) {
    let share = &share[..prob.len()];
    fill_probabilities(d, c, prob, |i| share[i], |_, _| {});
}

/// The decision rule over a chunk; `share_at(i)` gives jurisdiction i's siphon share and
/// `store(i, s)` keeps it for the outcome pass.
#[inline(always)]
fn fill_probabilities(
    d: &DomainInputs,
    c: &Columns,
    prob: &mut [f64],
    share_at: impl Fn(usize) -> f64,
    mut store: impl FnMut(usize, f64),
) {
    let n = prob.len();
    let (second, barrier, trust, lambda) = (
        &c.second[..n],
        &c.barrier[..n],
        &c.trust[..n],
        &c.lambda[..n],
    );
    let (omega, inv_mu, rel_gap) = (&c.omega[..n], &c.inv_mu[..n], &c.rel_gap[..n]);
    let (t, (obs_first, obs_second), floor, rigid) =
        (d.terms, d.obs_seen, d.distrust_floor, d.rigid);
    for i in 0..n {
        let pi_obs = if second[i] { obs_second } else { obs_first };
        let pi = m::belief(pi_obs, barrier[i], t.alignment, trust[i], floor);
        let s = share_at(i);
        let adapt = rigid * rel_gap[i] * t.alignment;
        let u = m::perceived_utility(t, pi, s, lambda[i], barrier[i], omega[i], adapt);
        prob[i] = m::choice_probability(u, inv_mu[i]);
        store(i, s);
    }
}

multiversion! {
    /// Columns derived from a chunk's state at the start of a period: combined trust, the partner
    /// province's mean development over the jurisdiction's, `|d/d̄ − 1|`, and development plus the
    /// partner province's mean. Jurisdictions of the first province (`second[i]` false) have the
    /// second as partner and the first's rule-based trust, and vice versa.
    pub(crate) fn derived_columns(
        dev_province: [f64; 2],
        dev_mean: f64,
        rule_trust: [f64; 2],
        second: &[bool],
        experiential_trust: &[f64],
        development: &[f64],
        trust: &mut [f64],
        ratio: &mut [f64],
        rel_gap: &mut [f64],
        dev_pair: &mut [f64],
    ) => derived_body
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn derived_body(
    dev_province: [f64; 2],
    dev_mean: f64,
    rule_trust: [f64; 2],
    second: &[bool],
    experiential_trust: &[f64],
    development: &[f64],
    trust: &mut [f64],
    ratio: &mut [f64],
    rel_gap: &mut [f64],
    dev_pair: &mut [f64],
) {
    let n = trust.len();
    let (second, experiential_trust, development) =
        (&second[..n], &experiential_trust[..n], &development[..n]);
    let (ratio, rel_gap, dev_pair) = (&mut ratio[..n], &mut rel_gap[..n], &mut dev_pair[..n]);
    for i in 0..n {
        let (partner, rule) = if second[i] {
            (dev_province[0], rule_trust[1])
        } else {
            (dev_province[1], rule_trust[0])
        };
        trust[i] = m::combined_trust(experiential_trust[i], rule);
        ratio[i] = partner / development[i];
        rel_gap[i] = (development[i] / dev_mean - 1.0).abs();
        dev_pair[i] = development[i] + partner;
    }
}

multiversion! {
    /// `out[i] = ln(xs[i])`, bit-identical to `libm::log`.
    pub(crate) fn ln_column(xs: &[f64], out: &mut [f64]) => ln_body
}

#[inline(always)]
fn ln_body(xs: &[f64], out: &mut [f64]) {
    xietong_model::fastlog::ln_into(xs, out);
}

multiversion! {
    /// Per jurisdiction, the mean of its probabilities over its `n_active` domains and their
    /// selectivity, from the sums of p and p²: the square root and the two divisions in a loop
    /// that vectorizes, rather than one jurisdiction at a time in the serial pass.
    pub(crate) fn selectivity_column(
        sum_p: &[f64],
        sum_p2: &[f64],
        n_active: f64,
        mean: &mut [f64],
        selectivity: &mut [f64],
    ) => selectivity_body
}

#[inline(always)]
fn selectivity_body(
    sum_p: &[f64],
    sum_p2: &[f64],
    n_active: f64,
    mean: &mut [f64],
    selectivity: &mut [f64],
) {
    let n = mean.len();
    let (sum_p, sum_p2, selectivity) = (&sum_p[..n], &sum_p2[..n], &mut selectivity[..n]);
    for i in 0..n {
        let mu = sum_p[i] / n_active;
        let sd = (sum_p2[i] / n_active - mu * mu).max(0.0).sqrt();
        mean[i] = mu;
        selectivity[i] = m::selectivity(mu, sd);
    }
}

/// What every jurisdiction's own state update shares in a period (ODD 7.8-7.11).
pub(crate) struct UpdateTerms {
    pub growth_rate: f64,
    /// Experiential trust moves towards this target, by province (first, second).
    pub trust_target: [f64; 2],
    pub trust_shock: f64,
    pub trust_up: f64,
    pub trust_down: f64,
    pub mean_alignment: f64,
    pub formal_alignment: f64,
    pub wear_local_centric: f64,
    pub wear_barrier: f64,
    pub orientation_rate: f64,
}

multiversion! {
    /// Each jurisdiction's state after the period: development grown by its gain, experiential
    /// trust stepped towards its province's target, protectionism worn down, orientation moved,
    /// written to `out` = [development, trust, λ, β, ω]. The rules one jurisdiction at a time, in
    /// a loop that vectorizes; the serial pass only stores them and adds them up.
    pub(crate) fn agent_updates(
        u: &UpdateTerms,
        second: &[bool],
        experiential_trust: &[f64],
        trust: &[f64],
        lambda: &[f64],
        barrier: &[f64],
        omega: &[f64],
        development: &[f64],
        gain: &[f64],
        new_development: &mut [f64],
        new_trust: &mut [f64],
        new_lambda: &mut [f64],
        new_barrier: &mut [f64],
        new_omega: &mut [f64],
    ) => agent_updates_body
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn agent_updates_body(
    u: &UpdateTerms,
    second: &[bool],
    experiential_trust: &[f64],
    trust: &[f64],
    lambda: &[f64],
    barrier: &[f64],
    omega: &[f64],
    development: &[f64],
    gain: &[f64],
    new_development: &mut [f64],
    new_trust: &mut [f64],
    new_lambda: &mut [f64],
    new_barrier: &mut [f64],
    new_omega: &mut [f64],
) {
    let n = new_development.len();
    let (second, experiential_trust, trust) = (&second[..n], &experiential_trust[..n], &trust[..n]);
    let (lambda, barrier, omega) = (&lambda[..n], &barrier[..n], &omega[..n]);
    let (development, gain) = (&development[..n], &gain[..n]);
    let (new_trust, new_lambda) = (&mut new_trust[..n], &mut new_lambda[..n]);
    let (new_barrier, new_omega) = (&mut new_barrier[..n], &mut new_omega[..n]);
    let (target_first, target_second) = (u.trust_target[0], u.trust_target[1]);
    for i in 0..n {
        new_development[i] = development[i] + u.growth_rate * gain[i];
        let target = if second[i] {
            target_second
        } else {
            target_first
        };
        new_trust[i] = m::trust_step(
            experiential_trust[i] * u.trust_shock,
            target,
            u.trust_up,
            u.trust_down,
        );
        let (l, b) = m::wear_down(
            lambda[i],
            barrier[i],
            u.mean_alignment,
            trust[i],
            u.wear_local_centric,
            u.wear_barrier,
        );
        new_lambda[i] = l;
        new_barrier[i] = b;
        new_omega[i] =
            m::orientation_step(omega[i], u.formal_alignment, trust[i], u.orientation_rate);
    }
}

/// The columns the outcomes need besides the probabilities, shares and draws: ω and development
/// before this period's updates, execution fidelity, and development plus the partner province's
/// mean development.
pub(crate) struct OutcomeColumns<'a> {
    pub second: &'a [bool],
    pub fidelity: &'a [f64],
    pub omega: &'a [f64],
    pub development: &'a [f64],
    pub dev_pair: &'a [f64],
}

/// Per-jurisdiction running sums over its domains, added to in domain order.
pub(crate) struct AgentSums<'a> {
    pub sum_p: &'a mut [f64],
    pub sum_p2: &'a mut [f64],
    pub joint: &'a mut [f64],
    /// Joint value realized before it is split (for the siphon index).
    pub pair: &'a mut [f64],
    pub gain: &'a mut [f64],
}

/// Decisions and executions counted by province (first, second). Counts are exact in any order,
/// unlike floating-point sums, so the loop may add them in vector lanes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub decided: [u64; 2],
    pub executed: [u64; 2],
}

/// Draws decide and execute (one uniform for both: executed ⊂ decided, P(executed) = p · f),
/// and the realized gains are added to each jurisdiction's sums, domain after domain; counts go
/// to `counts[ai]`. Rows as in [`chunk_probabilities`], draws likewise in `draws`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn chunk_outcomes(
    width: Width,
    plans: &[DomainPlan],
    o: &OutcomeColumns,
    stride: usize,
    padded: usize,
    probs: &[f64],
    shares: &[f64],
    draws: &[f64],
    sums: &mut AgentSums,
    counts: &mut [Counts],
) {
    chunk_outcomes_of_slices(
        width,
        plans,
        stride,
        padded,
        probs,
        shares,
        draws,
        o.second,
        o.fidelity,
        o.omega,
        o.development,
        o.dev_pair,
        &mut *sums.sum_p,
        &mut *sums.sum_p2,
        &mut *sums.joint,
        &mut *sums.pair,
        &mut *sums.gain,
        counts,
    )
}

multiversion! {
    /// [`chunk_outcomes`] with every column a separate argument: slices behind a struct's fields
    /// are not known to be disjoint, and the compiler checked their overlap at run time, pair by
    /// pair, which took longer than the loop itself at a few dozen jurisdictions. Slices passed as
    /// arguments are known not to overlap (`&mut` is exclusive), so no check is made.
    fn chunk_outcomes_of_slices(
        plans: &[DomainPlan],
        stride: usize,
        padded: usize,
        probs: &[f64],
        shares: &[f64],
        draws: &[f64],
        second: &[bool],
        fidelity: &[f64],
        omega: &[f64],
        development: &[f64],
        dev_pair: &[f64],
        sum_p: &mut [f64],
        sum_p2: &mut [f64],
        joint_sum: &mut [f64],
        pair_sum: &mut [f64],
        gain: &mut [f64],
        counts: &mut [Counts],
    ) => chunk_outcomes_body
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn chunk_outcomes_body(
    plans: &[DomainPlan],
    stride: usize,
    padded: usize,
    probs: &[f64],
    shares: &[f64],
    draws: &[f64],
    second: &[bool],
    fidelity: &[f64],
    omega: &[f64],
    development: &[f64],
    dev_pair: &[f64],
    sum_p: &mut [f64],
    sum_p2: &mut [f64],
    joint_sum: &mut [f64],
    pair_sum: &mut [f64],
    gain: &mut [f64],
    counts: &mut [Counts],
) {
    for ((ai, plan), count) in plans.iter().enumerate().zip(counts.iter_mut()) {
        let (row, share_row) = (ai * stride, plan.share_row * stride);
        *count = outcomes_body(
            &plan.terms,
            plan.obs_seen,
            second,
            &probs[row..row + padded],
            &shares[share_row..share_row + padded],
            &draws[row..row + padded],
            fidelity,
            omega,
            development,
            dev_pair,
            sum_p,
            sum_p2,
            joint_sum,
            pair_sum,
            gain,
        );
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn outcomes_body(
    t: &DomainTerms,
    obs_seen: (f64, f64),
    second: &[bool],
    prob: &[f64],
    share: &[f64],
    draws: &[f64],
    fidelity: &[f64],
    omega: &[f64],
    development: &[f64],
    dev_pair: &[f64],
    sum_p: &mut [f64],
    sum_p2: &mut [f64],
    joint_sum: &mut [f64],
    pair_sum: &mut [f64],
    gain: &mut [f64],
) -> Counts {
    let n = prob.len();
    let (second, share, draws) = (&second[..n], &share[..n], &draws[..n]);
    let (fidelity, omega, development, dev_pair) = (
        &fidelity[..n],
        &omega[..n],
        &development[..n],
        &dev_pair[..n],
    );
    let (sum_p, sum_p2) = (&mut sum_p[..n], &mut sum_p2[..n]);
    let (joint_sum, pair_sum, gain) = (&mut joint_sum[..n], &mut pair_sum[..n], &mut gain[..n]);
    let (obs_first, obs_second) = obs_seen;
    let (mut dec_all, mut dec_second, mut exe_all, mut exe_second) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..n {
        let pi_obs = if second[i] { obs_second } else { obs_first };
        let (p, x) = (prob[i], draws[i]);
        sum_p[i] += p;
        sum_p2[i] += p * p;
        let (dec, exe) = (x < p, x < p * fidelity[i]);
        dec_all += u64::from(dec);
        dec_second += u64::from(dec & second[i]);
        exe_all += u64::from(exe);
        exe_second += u64::from(exe & second[i]);
        let exe = f64::from(u8::from(exe));
        let pair = exe * t.value * pi_obs * dev_pair[i];
        let joint = pair * m::realized_share(share[i], omega[i]);
        pair_sum[i] += pair;
        joint_sum[i] += joint;
        gain[i] += joint + exe * t.local_benefit * development[i];
    }
    Counts {
        decided: [dec_all - dec_second, dec_second],
        executed: [exe_all - exe_second, exe_second],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, uniform};

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Every compiled copy of both kernels gives the same bits as the rules applied one
    /// jurisdiction at a time, or results would depend on the processor, for a domain that takes
    /// its own shares and one that takes another's. Odd lengths exercise the vector loops' tails;
    /// inverse temperatures up to 1e3 drive the exponential into saturation.
    #[test]
    fn kernels_are_bit_identical_on_every_vector_width() {
        let mut rng = stream(7, 0, 0, 0);
        let mut u = |lo: f64, hi: f64| lo + (hi - lo) * uniform(&mut rng);
        for (n, sigma) in [
            (1usize, 0.0),
            (7, 0.8),
            (1003, 0.0),
            (4096, 1.3),
            (333, 2.5),
        ] {
            let t = DomainTerms {
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
            let (inv_mu, ln_ratio, rel_gap) = (col(0.1, 1e3), col(-3.0, 3.0), col(0.0, 2.0));
            let (draws, fidelity, development) = (col(0.0, 1.0), col(0.3, 1.0), col(0.5, 3.0));
            let dev_pair: Vec<f64> = development.iter().map(|d| d + 1.7).collect();
            let cols = Columns {
                second: &second,
                barrier: &barrier,
                trust: &trust,
                lambda: &lambda,
                omega: &omega,
                inv_mu: &inv_mu,
                ln_ratio: &ln_ratio,
                rel_gap: &rel_gap,
            };
            // Two domains with the same terms and σ: the second takes the first's shares.
            let plan = |share_row| DomainPlan {
                terms: t,
                sigma,
                obs_seen: (0.3, 0.8),
                share_row,
            };
            let plans = [plan(0), plan(0)];
            // The reference: one jurisdiction at a time, straight from the rules.
            let (mut p0, mut s0) = (vec![0.0; n], vec![0.0; n]);
            let mut sums0 = vec![[0.0; 5]; n];
            let mut counts0 = Counts::default();
            for i in 0..n {
                let pi_obs = if second[i] { 0.8 } else { 0.3 };
                let pi = m::belief(pi_obs, barrier[i], t.alignment, trust[i], 0.2);
                let s = m::siphon_share_from_log_ratio(ln_ratio[i], sigma);
                let adapt = 0.35 * rel_gap[i] * t.alignment;
                let ut = m::perceived_utility(&t, pi, s, lambda[i], barrier[i], omega[i], adapt);
                let p = m::choice_probability(ut, inv_mu[i]);
                (p0[i], s0[i]) = (p, s);
                // Two rounds of outcomes, so that the sums are added to, not just set.
                for _ in 0..2 {
                    let (dec, exe) = (draws[i] < p, draws[i] < p * fidelity[i]);
                    counts0.decided[usize::from(second[i])] += u64::from(dec);
                    counts0.executed[usize::from(second[i])] += u64::from(exe);
                    let e = if exe { 1.0 } else { 0.0 };
                    let pair = e * t.value * pi_obs * dev_pair[i];
                    let joint = pair * m::realized_share(s, omega[i]);
                    sums0[i][0] += p;
                    sums0[i][1] += p * p;
                    sums0[i][2] += joint;
                    sums0[i][3] += pair;
                    sums0[i][4] += joint + e * t.local_benefit * development[i];
                }
            }
            let column = |j: usize| sums0.iter().map(|s| s[j]).collect::<Vec<f64>>();
            let want = (
                bits(&p0),
                bits(&s0),
                (0..5).map(|j| bits(&column(j))).collect::<Vec<_>>(),
            );
            // Rows at an offset from each other, with a gap between them.
            let stride = n + 3;
            let row = |v: &[f64], r: usize| bits(&v[r * stride..r * stride + n]);
            let mut draw_rows = vec![f64::NAN; 2 * stride];
            for r in 0..2 {
                draw_rows[r * stride..r * stride + n].copy_from_slice(&draws);
            }
            for &w in widths() {
                let mut probs = vec![f64::NAN; 2 * stride];
                let mut shares = vec![f64::NAN; 2 * stride];
                chunk_probabilities(
                    w,
                    &plans,
                    0.2,
                    0.35,
                    &cols,
                    stride,
                    n,
                    &mut probs,
                    &mut shares,
                );
                assert_eq!(row(&probs, 1), bits(&p0), "{w:?}, given shares, n = {n}");
                let o = OutcomeColumns {
                    second: &second,
                    fidelity: &fidelity,
                    omega: &omega,
                    development: &development,
                    dev_pair: &dev_pair,
                };
                let mut sums: Vec<Vec<f64>> = vec![vec![0.0; n]; 5];
                let mut counts = [Counts::default(); 2];
                let [a, b, c, pr, e] = &mut sums[..] else {
                    unreachable!()
                };
                let mut s = AgentSums {
                    sum_p: a,
                    sum_p2: b,
                    joint: c,
                    pair: pr,
                    gain: e,
                };
                let (p, sh, d) = (&probs, &shares, &draw_rows);
                chunk_outcomes(w, &plans, &o, stride, n, p, sh, d, &mut s, &mut counts);
                let got = (
                    row(&probs, 0),
                    row(&shares, 0),
                    sums.iter().map(|v| bits(v)).collect::<Vec<_>>(),
                );
                assert!(got == want, "{w:?}, n = {n}, σ = {sigma}");
                assert_eq!(counts[0], counts[1], "{w:?}, n = {n}");
                let mut both = counts[0];
                for p in 0..2 {
                    both.decided[p] += counts[1].decided[p];
                    both.executed[p] += counts[1].executed[p];
                }
                assert_eq!(both, counts0, "{w:?}, n = {n}");
            }
        }
    }

    /// The derived columns give, on every width, the bits of the rules applied one jurisdiction
    /// at a time, for both provinces and lengths that leave vector tails.
    #[test]
    fn derived_columns_are_bit_identical_on_every_vector_width() {
        let mut rng = stream(10, 0, 0, 0);
        let mut u = |lo: f64, hi: f64| lo + (hi - lo) * uniform(&mut rng);
        for n in [1usize, 7, 42, 48, 1003] {
            let (dev_province, rule_trust) =
                ([u(0.5, 3.0), u(0.5, 3.0)], [u(0.0, 0.3), u(0.0, 0.3)]);
            let dev_mean = u(0.5, 3.0);
            let second: Vec<bool> = (0..n).map(|_| u(0.0, 1.0) < 0.5).collect();
            let experiential: Vec<f64> = (0..n).map(|_| u(0.0, 1.0)).collect();
            let development: Vec<f64> = (0..n).map(|_| u(0.2, 4.0)).collect();
            let mut want = [vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]];
            for i in 0..n {
                let p = usize::from(second[i]);
                let partner = dev_province[1 - p];
                want[0][i] = m::combined_trust(experiential[i], rule_trust[p]);
                want[1][i] = partner / development[i];
                want[2][i] = (development[i] / dev_mean - 1.0).abs();
                want[3][i] = development[i] + partner;
            }
            for &w in widths() {
                let [mut t, mut r, mut g, mut d] = [0; 4].map(|_| vec![f64::NAN; n]);
                derived_columns(
                    w,
                    dev_province,
                    dev_mean,
                    rule_trust,
                    &second,
                    &experiential,
                    &development,
                    &mut t,
                    &mut r,
                    &mut g,
                    &mut d,
                );
                for (got, want) in [t, r, g, d].iter().zip(&want) {
                    assert_eq!(bits(got), bits(want), "{w:?}, n = {n}");
                }
            }
        }
    }

    /// The selectivity kernel gives, on every width, the bits of the rule applied one
    /// jurisdiction at a time, including sums that round to a negative variance (clamped to 0)
    /// and jurisdictions that cooperate nowhere (mean 0, selectivity 0).
    #[test]
    fn selectivity_is_bit_identical_on_every_vector_width() {
        let mut rng = stream(9, 0, 0, 0);
        for (n, n_active) in [(1usize, 1.0), (42, 10.0), (48, 7.0), (1003, 3.0)] {
            let mut sum_p = Vec::new();
            let mut sum_p2 = Vec::new();
            for i in 0..n {
                let p: Vec<f64> = (0..n_active as usize).map(|_| uniform(&mut rng)).collect();
                let (a, b) = match i % 5 {
                    0 => (0.0, 0.0),
                    // Equal probabilities: a variance of zero up to rounding, either sign.
                    1 => (p[0] * n_active, p[0] * p[0] * n_active),
                    _ => (p.iter().sum(), p.iter().map(|x| x * x).sum()),
                };
                sum_p.push(a);
                sum_p2.push(b);
            }
            let (mut mean0, mut sel0) = (vec![0.0; n], vec![0.0; n]);
            for i in 0..n {
                let mean = sum_p[i] / n_active;
                let sd = (sum_p2[i] / n_active - mean * mean).max(0.0).sqrt();
                (mean0[i], sel0[i]) = (mean, m::selectivity(mean, sd));
            }
            for &w in widths() {
                let (mut mean1, mut sel1) = (vec![f64::NAN; n], vec![f64::NAN; n]);
                selectivity_column(w, &sum_p, &sum_p2, n_active, &mut mean1, &mut sel1);
                assert_eq!(bits(&mean1), bits(&mean0), "{w:?}, n = {n}");
                assert_eq!(bits(&sel1), bits(&sel0), "{w:?}, n = {n}");
            }
        }
    }

    #[test]
    fn the_widest_width_is_one_the_processor_has() {
        assert!(widths().contains(&widest()));
        assert_eq!(widths()[0], Width(Isa::Portable));
        assert!(widths().windows(2).all(|w| w[0].lanes() < w[1].lanes()));
        // The limit picks the widest copy within it (other tests running meanwhile may see the
        // limit too, which changes nothing in their results).
        for limit in [1, 2, 4, 8] {
            limit_vector_lanes(limit);
            let want = widths().iter().rev().find(|w| w.lanes() <= limit);
            assert_eq!(widest(), *want.unwrap_or(&widths()[0]), "limit {limit}");
        }
        limit_vector_lanes(usize::MAX);
        assert_eq!(widest(), *widths().last().unwrap());
    }
}
