//! The behavioural rules of the model (docs/ODD.md, section 7), one small pure function each, so
//! that every rule can be checked by hand and the engine stays a loop that wires them together.
//! Symbols follow the ODD.

use crate::scenario::Tier;

/// Belief about partner cooperation: observed cooperation distorted by administrative barriers
/// (information asymmetry, relieved by aligned standards) and discounted by distrust,
/// `π̃ = π_obs (1 − β (1 − a)) (c + (1 − c) τ)`.
#[inline]
pub fn belief(pi_obs: f64, barrier: f64, alignment: f64, trust: f64, distrust_floor: f64) -> f64 {
    pi_obs * (1.0 - barrier * (1.0 - alignment)) * (distrust_floor + (1.0 - distrust_floor) * trust)
}

/// Share of the joint value a jurisdiction keeps, `s = d^σ / (d^σ + d_p^σ)`; σ = 0 splits equally,
/// σ > 0 siphons towards the stronger side. Written as `1 / (1 + (d_p/d)^σ)` to avoid overflow.
#[inline]
pub fn siphon_share(d_own: f64, d_partner: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        return 0.5;
    }
    1.0 / (1.0 + libm::pow(d_partner / d_own, sigma))
}

/// The same share from `ln(d_p / d)`, so that an engine can take the logarithm once per jurisdiction.
#[inline]
pub fn siphon_share_from_log_ratio(ln_partner_over_own: f64, sigma: f64) -> f64 {
    if sigma == 0.0 {
        return 0.5;
    }
    1.0 / (1.0 + crate::fastexp::exp(sigma * ln_partner_over_own))
}

/// Adaptation cost of a rigid unified standard for a jurisdiction unlike the average,
/// `A = u (1 − φ) κ |d/d̄ − 1| a`. The gap is relative so that it does not grow with the economy.
#[inline]
pub fn adaptation_cost(
    uniformity: f64,
    flexibility: f64,
    kappa: f64,
    rel_gap: f64,
    alignment: f64,
) -> f64 {
    uniformity * (1.0 - flexibility) * kappa * rel_gap * alignment
}

/// The economics of cooperating in one domain in one period, as seen by everyone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DomainTerms {
    pub value: f64,
    pub local_benefit: f64,
    pub cost: f64,
    pub difficulty: f64,
    pub risk: f64,
    pub support: f64,
    pub penalty: f64,
    pub enforcement: f64,
    pub alignment: f64,
    pub cost_relief: f64,
}

impl DomainTerms {
    /// A domain's terms under central policy `(S, F, q)` at alignment `a`.
    pub fn new(
        d: &crate::scenario::Domain,
        central: (f64, f64, f64),
        alignment: f64,
        cost_relief: f64,
    ) -> DomainTerms {
        DomainTerms {
            value: d.value,
            local_benefit: d.local_benefit,
            cost: d.cost,
            difficulty: d.difficulty,
            risk: d.risk,
            support: central.0,
            penalty: central.1,
            enforcement: central.2,
            alignment,
            cost_relief,
        }
    }
}

/// A jurisdiction's utility of cooperating rather than not (ODD 7.4): the net benefit as perceived
/// through local-centric thinking `λ` (the collaborative gain discounted; the purely local gain `b`
/// counted at its true value, so that protectionism lowers cooperation overall and leaves local
/// benefit as what still moves a high-λ government) and barriers `β` (costs and risk inflated, less
/// so where standards are aligned), plus the partner's gain weighted by regional orientation `ω`.
#[inline]
pub fn perceived_utility(
    d: &DomainTerms,
    pi: f64,
    share: f64,
    lambda: f64,
    beta: f64,
    omega: f64,
    adapt: f64,
) -> f64 {
    let a = d.alignment;
    let joint = d.value * pi;
    let gain =
        joint * share * (1.0 - lambda) + d.local_benefit + d.support + d.enforcement * d.penalty;
    let costs =
        (d.cost * (1.0 - d.cost_relief * a) + d.difficulty * (1.0 - a) + d.risk * (1.0 - pi))
            * (1.0 + beta * (1.0 - a));
    gain - costs - adapt + omega * joint * (1.0 - share)
}

/// Quantal response: probability of deciding to cooperate at temperature `μ` (given as `1/μ`).
#[inline]
pub fn choice_probability(utility: f64, inv_temperature: f64) -> f64 {
    1.0 / (1.0 + crate::fastexp::exp(-utility * inv_temperature))
}

/// Expected surplus of a quantal choice between an option of utility `u` and one of utility 0,
/// `μ ln(1 + e^{u/μ})`, written to stay finite for any `u`.
pub fn choice_surplus(u: f64, temperature: f64) -> f64 {
    let z = u / temperature;
    temperature * (z.max(0.0) + libm::log1p(libm::exp(-z.abs())))
}

/// Execution fidelity from cadre incentives (ODD 7.6). Punishment raises a compliance floor with
/// quickly diminishing returns, closing at most `ceiling` of the gap to full execution
/// (`c_p (1 − e^{−k_p p})`, steep `k_p`); reward closes the gap more gently but without that
/// ceiling (`1 − e^{−ρ_r r}`). The two act on the remaining gap independently:
/// `f = f0 + (1 − f0) [1 − (1 − c_p (1 − e^{−k_p p})) e^{−ρ_r r}]`.
pub fn fidelity(
    f0: f64,
    reward: f64,
    punishment: f64,
    reward_effect: f64,
    punishment_effect: f64,
    punishment_ceiling: f64,
) -> f64 {
    let compliance = punishment_ceiling * (1.0 - libm::exp(-punishment_effect * punishment));
    let remaining = (1.0 - compliance) * libm::exp(-reward_effect * reward);
    f0 + (1.0 - f0) * (1.0 - remaining)
}

/// Alignment partners can rely on, `a (1 − ψ φ)`: flexible execution leaves local variants of a
/// unified standard, so part of the formal alignment does not bind (ODD 7.7).
#[inline]
pub fn effective_alignment(alignment: f64, flexibility: f64, dilution: f64) -> f64 {
    alignment * (1.0 - dilution * flexibility)
}

/// Rigidity of unified standards, `u (1 − φ)³`: convex in the lack of flexibility, so a little
/// flexibility removes most of the resistance a rigid standard provokes while diluting little.
#[inline]
pub fn rigidity(uniformity: f64, flexibility: f64) -> f64 {
    let r = 1.0 - flexibility;
    uniformity * r * r * r
}

/// Rule-based trust `τ_r = θ ā_eff u f̄`: aligned rules that are actually carried out (ODD 7.8).
#[inline]
pub fn rule_trust(theta: f64, effective_alignment: f64, uniformity: f64, fidelity: f64) -> f64 {
    theta * effective_alignment * uniformity * fidelity
}

/// Trust from its two sources, `τ = 1 − (1 − τ_e)(1 − τ_r)`.
#[inline]
pub fn combined_trust(experiential: f64, rule_based: f64) -> f64 {
    1.0 - (1.0 - experiential) * (1.0 - rule_based)
}

/// Foundation of a domain's alignment: basic domains stand on their own; key and other domains
/// need aligned basic domains, `ζ + (1 − ζ) ā_basic`.
pub fn foundation(tier: Tier, zeta: f64, basic_alignment: f64) -> f64 {
    match tier {
        Tier::Basic => 1.0,
        Tier::Key | Tier::Other => zeta + (1.0 - zeta) * basic_alignment,
    }
}

/// Alignment growth of a domain in the current wave, `a + γ e₁ e₂ (1 − a) u found`: both bureaus
/// must put in effort (bilateral, provincial-level).
pub fn alignment_growth(
    a: f64,
    rate: f64,
    effort_1: f64,
    effort_2: f64,
    uniformity: f64,
    found: f64,
) -> f64 {
    a + rate * effort_1 * effort_2 * (1.0 - a) * uniformity * found
}

/// Slow decay of a neglected domain's alignment.
pub fn alignment_decay(a: f64, decay: f64) -> f64 {
    a * (1.0 - decay)
}

/// Utility of a provincial bureau's standardization work this quarter (ODD 7.7): the expected
/// relief of perceived cost and difficulty over the open domains (seen less clearly with
/// local-centric thinking) plus what pushes the bureau (cadre reward, the joint programme built by
/// deepen decisions), against its own cost (raised by barriers) and the resistance a rigid
/// standard meets in a heterogeneous province.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BureauTerms {
    pub relief: f64,
    pub benefit_weight: f64,
    pub lambda: f64,
    pub cost: f64,
    pub beta: f64,
    pub resistance: f64,
    pub push: f64,
}

pub fn bureau_utility(b: &BureauTerms) -> f64 {
    b.benefit_weight * b.relief * (1.0 - b.lambda) - b.cost * (1.0 + b.beta) - b.resistance + b.push
}

/// Experiential trust moves towards observed partner cooperation, faster down than up
/// (negativity bias).
#[inline]
pub fn trust_step(trust: f64, observed: f64, up: f64, down: f64) -> f64 {
    let rate = if observed > trust { up } else { down };
    trust + rate * (observed - trust)
}

/// What a jurisdiction's experiential trust moves towards: the partner's executed cooperation,
/// discounted when its own side's share of the joint value is siphoned away (perceived
/// unfairness: `x (1 − w · max(0, 1 − 2 ŝ))` with ŝ its side's realized share).
#[inline]
pub fn trust_target(observed: f64, own_share: f64, unfairness_weight: f64) -> f64 {
    observed * (1.0 - unfairness_weight * (1.0 - 2.0 * own_share).max(0.0)).max(0.0)
}

/// Local protectionism wears down: `λ (1 − κ_λ ā τ)` and `β (1 − κ_β ā)`.
#[inline]
pub fn wear_down(
    lambda: f64,
    beta: f64,
    mean_alignment: f64,
    trust: f64,
    k_lambda: f64,
    k_beta: f64,
) -> (f64, f64) {
    (
        lambda * (1.0 - k_lambda * mean_alignment * trust),
        beta * (1.0 - k_beta * mean_alignment),
    )
}

/// Purpose shift: `ω` moves towards `√(ā τ)`, the geometric mean of effective alignment and
/// trust: no regional purpose without either, a middling one when both are middling.
#[inline]
pub fn orientation_step(omega: f64, mean_alignment: f64, trust: f64, rate: f64) -> f64 {
    omega + rate * (libm::sqrt(mean_alignment * trust) - omega)
}

/// Share of the joint value a jurisdiction actually receives: the siphon share pulled towards an
/// equal split as its orientation turns regional, `(1 − ω) s + ω / 2`.
#[inline]
pub fn realized_share(share: f64, omega: f64) -> f64 {
    (1.0 - omega) * share + omega * 0.5
}

/// Selectivity of one jurisdiction's cooperation across its active domains: the coefficient of
/// variation `sd / mean` of its probabilities of cooperating (0 when it cooperates nowhere).
/// Scale-free, so that a government cooperating a little everywhere is not called selective and
/// one that keeps cooperating only where it pays is, whatever its overall level.
#[inline]
pub fn selectivity(mean: f64, sd: f64) -> f64 {
    if mean > 0.0 { sd / mean } else { 0.0 }
}

/// Gini coefficient of non-negative values (sorted copy; 0 for fewer than two values or zero sum).
pub fn gini(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    gini_sorted(&v)
}

/// Gini of values already sorted ascending: `Σ (2i − n − 1) x_i / (n Σ x)`.
pub fn gini_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    let total: f64 = v.iter().sum();
    if n < 2 || total <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n as f64 - 1.0) * x)
        .sum();
    weighted / (n as f64 * total)
}

/// Theil T index `(1/n) Σ (x/x̄) ln(x/x̄)` of positive values.
pub fn theil(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 || mean <= 0.0 {
        return 0.0;
    }
    // Block by block on the stack: the logarithms in a loop that vectorizes, then the terms of
    // positive values added in order.
    const BLOCK: usize = 256;
    let (mut ratios, mut logs) = ([0.0; BLOCK], [0.0; BLOCK]);
    let mut sum = -0.0; // the identity of `+`, as `Iterator::sum` starts from
    for block in values.chunks(BLOCK) {
        let (r, l) = (&mut ratios[..block.len()], &mut logs[..block.len()]);
        r.iter_mut().zip(block).for_each(|(r, &x)| *r = x / mean);
        crate::fastlog::ln_into(r, l);
        for ((&x, &r), &l) in block.iter().zip(r.iter()).zip(l.iter()) {
            if x > 0.0 {
                sum += r * l;
            }
        }
    }
    sum / n
}

/// Standards demand of a zone at relative development `x = d/d̄`: involvement rising with
/// development times need falling as the zone's own standards mature, a hump peaking at `peak`.
pub fn standards_demand(x: f64, scale: f64, peak: f64, shape: f64) -> f64 {
    let r = x / peak;
    scale * libm::pow(r, shape) * libm::exp(shape * (1.0 - r))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Initial,
    Transition,
    Advanced,
    Retreat,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Initial,
        Stage::Transition,
        Stage::Advanced,
        Stage::Retreat,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Stage::Initial => "initial",
            Stage::Transition => "transition",
            Stage::Advanced => "advanced",
            Stage::Retreat => "retreat",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Initial => "初级阶段",
            Stage::Transition => "过渡阶段",
            Stage::Advanced => "高级阶段",
            Stage::Retreat => "退出",
        }
    }
}

/// What the stage classifier sees in one period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageInputs {
    /// Mean effective alignment `ā_eff` over domains.
    pub mean_alignment: f64,
    pub mean_trust: f64,
    pub mean_orientation: f64,
    /// The main axis: cooperation on the economic axis reaches the advanced threshold.
    pub economic_cooperating: bool,
    /// The key axis: effective alignment of the political axis reaches the advanced threshold.
    pub political_aligned: bool,
    /// Cultural, social and ecological axes whose cooperation reaches the advanced threshold.
    pub other_axes_cooperating: u32,
    /// Consecutive periods (including this one) of collapsed cooperation.
    pub collapse_streak: u32,
    /// Whether the provinces have decided to deepen (standardization has started).
    pub deepened: bool,
}

/// Stage from observables: retreat (sustained collapse) first, then advanced (high effective
/// alignment and trust, regional orientation, and multi-axis cooperation with economy the main
/// axis and politics the key axis), then transition (effective alignment past a first threshold
/// after a deepen decision), else initial.
pub fn classify_stage(x: &StageInputs, s: &crate::scenario::Stages) -> Stage {
    if x.collapse_streak >= s.retreat_window {
        Stage::Retreat
    } else if x.deepened
        && x.mean_alignment >= s.advanced_alignment
        && x.mean_trust >= s.advanced_trust
        && x.mean_orientation >= s.advanced_orientation
        && x.economic_cooperating
        && x.political_aligned
        && x.other_axes_cooperating >= s.advanced_axes
    {
        Stage::Advanced
    } else if x.deepened && x.mean_alignment >= s.transition_alignment {
        Stage::Transition
    } else {
        Stage::Initial
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DilemmaChoice {
    Continue,
    Deepen,
    Retreat,
}

/// The provinces' choice at a dilemma is a quantal draw (they are boundedly rational too):
/// `P(option) ∝ exp(value / μ_p)` over continue, deepen (when available) and retreat. `x` is a
/// uniform draw in [0, 1).
pub fn dilemma_choice(
    continue_value: f64,
    deepen_value: Option<f64>,
    retreat_value: f64,
    temperature: f64,
    x: f64,
) -> DilemmaChoice {
    let top = continue_value
        .max(retreat_value)
        .max(deepen_value.unwrap_or(f64::NEG_INFINITY));
    let w = |v: f64| libm::exp((v - top) / temperature);
    let (wc, wr) = (w(continue_value), w(retreat_value));
    let wd = deepen_value.map_or(0.0, w);
    let total = wc + wd + wr;
    if x * total < wc {
        DilemmaChoice::Continue
    } else if x * total < wc + wd {
        DilemmaChoice::Deepen
    } else {
        DilemmaChoice::Retreat
    }
}

/// Probability that a bureau works on standardization this quarter: a quantal draw on its
/// utility, times the scenario's effort lever.
pub fn work_probability(utility: f64, temperature: f64, effort: f64) -> f64 {
    effort / (1.0 + libm::exp(-utility / temperature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Stages;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn belief_hand_computed() {
        // 0.6 · (1 − 0.5·(1 − 0.2)) · (0.3 + 0.7·0.5) = 0.6 · 0.6 · 0.65
        assert!(close(belief(0.6, 0.5, 0.2, 0.5, 0.3), 0.234));
        // Full trust, no barrier: belief equals observation.
        assert!(close(belief(0.7, 0.0, 0.0, 1.0, 0.3), 0.7));
        // Trust raises belief; barriers lower it; alignment removes the barrier's effect.
        assert!(belief(0.6, 0.5, 0.2, 0.9, 0.3) > belief(0.6, 0.5, 0.2, 0.1, 0.3));
        assert!(belief(0.6, 0.8, 0.2, 0.5, 0.3) < belief(0.6, 0.2, 0.2, 0.5, 0.3));
        assert!(close(belief(0.6, 0.8, 1.0, 1.0, 0.3), 0.6));
    }

    #[test]
    fn siphon_share_hand_computed() {
        assert!(close(siphon_share(2.0, 1.0, 0.0), 0.5));
        assert!(close(siphon_share(2.0, 1.0, 1.0), 2.0 / 3.0));
        assert!(close(siphon_share(2.0, 1.0, 2.0), 0.8));
        assert!(close(siphon_share(1.0, 2.0, 2.0), 0.2));
        for (d, dp, sg) in [(2.0, 1.0, 1.0), (1.0, 3.0, 0.5), (1.7, 0.4, 3.0)] {
            assert!(
                (siphon_share_from_log_ratio((dp / d as f64).ln(), sg) - siphon_share(d, dp, sg))
                    .abs()
                    < 1e-14
            );
        }
        // Extreme exponents do not overflow.
        assert!(siphon_share(1e3, 1.0, 400.0) > 0.999);
    }

    #[test]
    fn adaptation_cost_hand_computed() {
        assert!(close(
            adaptation_cost(0.8, 0.25, 2.0, 0.5, 0.5),
            0.8 * 0.75 * 2.0 * 0.5 * 0.5
        ));
        assert_eq!(adaptation_cost(0.8, 1.0, 2.0, 0.5, 0.5), 0.0); // full flexibility
        assert_eq!(adaptation_cost(0.8, 0.0, 2.0, 0.0, 0.5), 0.0); // an average jurisdiction
    }

    fn terms() -> DomainTerms {
        DomainTerms {
            value: 2.0,
            local_benefit: 0.5,
            cost: 1.0,
            difficulty: 0.4,
            risk: 0.6,
            support: 0.2,
            penalty: 0.5,
            enforcement: 0.4,
            alignment: 0.25,
            cost_relief: 0.6,
        }
    }

    #[test]
    fn perceived_utility_hand_computed() {
        let d = terms();
        // gain = 2·0.5·0.6·(1−0.3) + 0.5 + 0.2 + 0.4·0.5 = 0.42 + 0.9 = 1.32 (b at its true value)
        // costs = (1·(1 − 0.15) + 0.4·0.75 + 0.6·0.5)·(1 + 0.4·0.75) = 1.45·1.3 = 1.885
        // purpose = 0.2·2·0.5·0.4 = 0.08; adaptation 0.1
        let u = perceived_utility(&d, 0.5, 0.6, 0.3, 0.4, 0.2, 0.1);
        assert!(close(u, 1.32 - 1.885 - 0.1 + 0.08), "{u}");
    }

    #[test]
    fn perceived_utility_directions() {
        let d = terms();
        let at = |t: &DomainTerms, pi, lambda, beta, omega, adapt| {
            perceived_utility(t, pi, 0.5, lambda, beta, omega, adapt)
        };
        let base = at(&d, 0.5, 0.3, 0.4, 0.2, 0.0);
        // Local-centric thinking lowers utility wherever there is a collaborative gain …
        assert!(at(&d, 0.5, 0.6, 0.4, 0.2, 0.0) < base);
        // … and leaves a purely local domain (no joint value) as it is: b counts at its true value.
        let local = DomainTerms { value: 0.0, ..d };
        assert_eq!(
            at(&local, 0.5, 0.9, 0.4, 0.2, 0.0),
            at(&local, 0.5, 0.1, 0.4, 0.2, 0.0)
        );
        // Barriers inflate costs; alignment, central support and orientation help.
        assert!(at(&d, 0.5, 0.3, 0.8, 0.2, 0.0) < base);
        assert!(
            at(
                &DomainTerms {
                    alignment: 0.8,
                    ..d
                },
                0.5,
                0.3,
                0.4,
                0.2,
                0.0
            ) > base
        );
        assert!(at(&DomainTerms { support: 1.0, ..d }, 0.5, 0.3, 0.4, 0.2, 0.0) > base);
        assert!(at(&d, 0.5, 0.3, 0.4, 0.9, 0.0) > base);
        assert!(at(&d, 0.5, 0.3, 0.4, 0.2, 0.3) < base);
        // Belief in partner cooperation raises utility (joint value up, risk down).
        assert!(at(&d, 0.9, 0.3, 0.4, 0.2, 0.0) > base);
    }

    #[test]
    fn quantal_response_and_fidelity() {
        assert!(close(choice_probability(0.0, 5.0), 0.5));
        assert!(close(
            choice_probability(1.0, 1.0),
            1.0 / (1.0 + (-1.0f64).exp())
        ));
        assert!(choice_probability(1.0, 10.0) > choice_probability(1.0, 1.0)); // less noise, sharper
        // No incentives: baseline fidelity.
        assert!(close(fidelity(0.6, 0.0, 0.0, 0.7, 5.0, 0.6), 0.6));
        // Punishment 1: 0.6 + 0.4·0.6·(1 − e^{−5}).
        assert!(close(
            fidelity(0.6, 0.0, 1.0, 0.7, 5.0, 0.6),
            0.6 + 0.4 * 0.6 * (1.0 - (-5.0f64).exp())
        ));
        // Reward 1: 0.6 + 0.4·(1 − e^{−0.7}).
        assert!(close(
            fidelity(0.6, 1.0, 0.0, 0.7, 5.0, 0.6),
            0.6 + 0.4 * (1.0 - (-0.7f64).exp())
        ));
        // Punishment saturates below its ceiling; reward keeps working.
        let p = |x| fidelity(0.6, 0.0, x, 0.7, 5.0, 0.6);
        let r = |x| fidelity(0.6, x, 0.0, 0.7, 5.0, 0.6);
        // From p = 1 to 3 punishment adds only 0.4·0.6·(e^{−5} − e^{−15}) ≈ 0.0016.
        assert!(p(3.0) - p(1.0) < 0.002 && p(3.0) < 0.6 + 0.4 * 0.6 + 1e-12);
        assert!(r(3.0) - r(1.0) > 0.1);
    }

    #[test]
    fn choice_surplus_is_the_log_sum() {
        for (u, mu) in [
            (0.0, 0.5),
            (1.0, 0.3),
            (-2.0, 0.5),
            (40.0, 0.1),
            (-40.0, 0.1),
        ] {
            let want = mu * (1.0 + (u / mu as f64).exp()).ln();
            assert!(
                (choice_surplus(u, mu) - want).abs() < 1e-12 * want.abs().max(1.0),
                "{u} {mu}"
            );
        }
        assert!(choice_surplus(-1e6, 0.5) >= 0.0 && choice_surplus(1e6, 0.5).is_finite());
    }

    #[test]
    fn flexibility_trades_rigidity_against_dilution() {
        assert!(close(effective_alignment(0.5, 0.5, 0.4), 0.4));
        assert!(close(effective_alignment(0.5, 0.0, 0.4), 0.5));
        assert!(close(rigidity(0.8, 0.5), 0.1));
        assert!(close(rigidity(1.0, 1.0), 0.0));
        // Convex: half the flexibility removes seven eighths of the rigidity.
        assert!(close(rigidity(1.0, 0.5) / rigidity(1.0, 0.0), 0.125));
    }

    #[test]
    fn standardization_rules() {
        assert!(close(foundation(Tier::Basic, 0.1, 0.0), 1.0));
        assert!(close(foundation(Tier::Key, 0.1, 0.5), 0.55));
        // 0.2 + 0.1·0.8·0.5·0.8·0.9·1 = 0.2288
        assert!(close(
            alignment_growth(0.2, 0.1, 0.8, 0.5, 0.9, 1.0),
            0.2288
        ));
        // Without both bureaus nothing aligns.
        assert!(close(alignment_growth(0.2, 0.1, 0.8, 0.0, 0.9, 1.0), 0.2));
        assert!(close(alignment_decay(0.5, 0.02), 0.49));
        let b = BureauTerms {
            relief: 0.5,
            benefit_weight: 4.0,
            lambda: 0.25,
            cost: 0.5,
            beta: 0.2,
            resistance: 0.1,
            push: 0.3,
        };
        assert!(close(bureau_utility(&b), 1.5 - 0.6 - 0.1 + 0.3));
        assert!(close(work_probability(0.0, 0.3, 0.8), 0.4));
    }

    #[test]
    fn trust_rules() {
        // Up slowly, down fast.
        assert!(close(trust_step(0.5, 1.0, 0.1, 0.3), 0.55));
        assert!(close(trust_step(0.5, 0.0, 0.1, 0.3), 0.35));
        // Two sources: 1 − (1 − 0.4)(1 − 0.5).
        assert!(close(combined_trust(0.4, 0.5), 0.7));
        assert!(close(rule_trust(1.0, 0.5, 0.8, 0.75), 0.3));
        // Siphoning lowers what trust moves towards, for the side that loses only.
        assert!(close(trust_target(0.6, 0.5, 1.0), 0.6));
        assert!(close(trust_target(0.6, 0.7, 1.0), 0.6));
        assert!(close(trust_target(0.6, 0.4, 1.0), 0.6 * 0.8));
    }

    #[test]
    fn protectionism_and_purpose() {
        let (l, b) = wear_down(0.6, 0.5, 0.5, 0.8, 0.1, 0.2);
        assert!(close(l, 0.6 * (1.0 - 0.04)) && close(b, 0.5 * 0.9));
        assert!(close(
            orientation_step(0.2, 0.8, 0.8, 0.1),
            0.2 + 0.1 * (0.8 - 0.2)
        ));
        assert!(close(realized_share(0.8, 0.0), 0.8));
        assert!(close(realized_share(0.8, 1.0), 0.5));
    }

    #[test]
    fn inequality_measures() {
        assert_eq!(gini(&[1.0, 1.0, 1.0]), 0.0);
        // Two values 1 and 3: Gini = |1−3| / (2·2·2) = 0.25.
        assert!(close(gini(&[3.0, 1.0]), 0.25));
        // 0,0,0,1 → (n−1)/n = 0.75.
        assert!(close(gini(&[0.0, 0.0, 0.0, 1.0]), 0.75));
        assert!(close(theil(&[2.0, 2.0]), 0.0));
        // 1 and 3: mean 2; (0.5 ln 0.5 + 1.5 ln 1.5)/2.
        assert!(close(
            theil(&[1.0, 3.0]),
            (0.5 * 0.5f64.ln() + 1.5 * 1.5f64.ln()) / 2.0
        ));
    }

    #[test]
    fn demand_is_a_hump() {
        let at = |x| standards_demand(x, 180.0, 1.0, 2.0);
        assert!(close(at(1.0), 180.0));
        assert!(at(0.5) < at(1.0) && at(1.6) < at(1.0));
        assert!(at(0.3) < at(0.6));
    }

    #[test]
    fn stage_classification() {
        let s = Stages::default();
        let mut x = StageInputs {
            mean_alignment: 0.1,
            mean_trust: 0.4,
            mean_orientation: 0.2,
            economic_cooperating: false,
            political_aligned: false,
            other_axes_cooperating: 1,
            collapse_streak: 0,
            deepened: true,
        };
        assert_eq!(classify_stage(&x, &s), Stage::Initial);
        x.mean_alignment = 0.3;
        assert_eq!(classify_stage(&x, &s), Stage::Transition);
        x.deepened = false;
        assert_eq!(classify_stage(&x, &s), Stage::Initial);
        x = StageInputs {
            mean_alignment: 0.8,
            mean_trust: 0.7,
            mean_orientation: 0.55,
            economic_cooperating: true,
            political_aligned: true,
            other_axes_cooperating: 2,
            collapse_streak: 0,
            deepened: true,
        };
        assert_eq!(classify_stage(&x, &s), Stage::Advanced);
        // The main axis, the key axis and two further axes are each needed.
        for broken in [
            StageInputs {
                economic_cooperating: false,
                ..x
            },
            StageInputs {
                political_aligned: false,
                ..x
            },
            StageInputs {
                other_axes_cooperating: 1,
                ..x
            },
        ] {
            assert_eq!(classify_stage(&broken, &s), Stage::Transition);
        }
        x.collapse_streak = s.retreat_window;
        assert_eq!(classify_stage(&x, &s), Stage::Retreat);
    }

    #[test]
    fn dilemma_choices_are_quantal() {
        // Draws across [0, 1) split in proportion to exp(value / μ).
        let share = |c: f64, d: Option<f64>, r: f64, want: DilemmaChoice| {
            let n = 100_000;
            (0..n)
                .filter(|&i| dilemma_choice(c, d, r, 0.5, (i as f64 + 0.5) / n as f64) == want)
                .count() as f64
                / n as f64
        };
        let (wc, wd, wr) = (
            (0.2f64 / 0.5).exp(),
            (0.5f64 / 0.5).exp(),
            (-0.5f64 / 0.5).exp(),
        );
        let total = wc + wd + wr;
        assert!((share(0.2, Some(0.5), -0.5, DilemmaChoice::Deepen) - wd / total).abs() < 1e-4);
        assert!((share(0.2, Some(0.5), -0.5, DilemmaChoice::Retreat) - wr / total).abs() < 1e-4);
        // Without the deepen option it is never drawn.
        assert_eq!(share(0.2, None, -0.5, DilemmaChoice::Deepen), 0.0);
        // Huge values do not overflow.
        assert_eq!(
            dilemma_choice(1e6, Some(-1e6), -1e6, 0.1, 0.99),
            DilemmaChoice::Continue
        );
    }
}
