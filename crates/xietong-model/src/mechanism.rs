//! The behavioural rules of `MODEL.md`, one small pure function each, so that every rule can be
//! checked by hand and the engine stays a loop that wires them together. Symbols follow MODEL.md.

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

/// A jurisdiction's utility of cooperating rather than not (MODEL.md steps 2-4): the net benefit as
/// perceived through local-centric thinking `λ` (collaborative gain discounted, local gain weighted
/// up) and barriers `β` (costs and risk inflated, less so where standards are aligned), plus the
/// partner's gain weighted by regional orientation `ω`.
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
    let gain = joint * share * (1.0 - lambda)
        + d.local_benefit * (1.0 + lambda)
        + d.support
        + d.enforcement * d.penalty;
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

/// Execution fidelity from cadre incentives, `f = f0 + (1 − f0)(1 − e^{−(ρ_r r + ρ_p p)})`.
pub fn fidelity(
    f0: f64,
    reward: f64,
    punishment: f64,
    reward_effect: f64,
    punishment_effect: f64,
) -> f64 {
    f0 + (1.0 - f0) * (1.0 - libm::exp(-(reward_effect * reward + punishment_effect * punishment)))
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

/// Utility of a provincial bureau's standardization effort: the expected relief of perceived cost
/// and difficulty over the domains in the current wave (seen less clearly with local-centric
/// thinking), against its own cost (raised by barriers).
pub fn bureau_utility(relief: f64, benefit_weight: f64, lambda: f64, cost: f64, beta: f64) -> f64 {
    benefit_weight * relief * (1.0 - lambda) - cost * (1.0 + beta)
}

/// Trust moves towards observed partner cooperation, faster down than up (negativity bias), and
/// never below the floor that rules create.
pub fn trust_step(trust: f64, observed: f64, up: f64, down: f64, floor: f64) -> f64 {
    let rate = if observed > trust { up } else { down };
    (trust + rate * (observed - trust)).max(floor)
}

/// Institutional trust floor `θ ā u`.
pub fn trust_floor(theta: f64, mean_alignment: f64, uniformity: f64) -> f64 {
    theta * mean_alignment * uniformity
}

/// Local protectionism wears down: `λ (1 − κ_λ ā τ)` and `β (1 − κ_β ā)`.
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

/// Purpose shift: `ω` moves towards `ā τ`.
pub fn orientation_step(omega: f64, mean_alignment: f64, trust: f64, rate: f64) -> f64 {
    omega + rate * (mean_alignment * trust - omega)
}

/// Share of the joint value a jurisdiction actually receives: the siphon share pulled towards an
/// equal split as its orientation turns regional, `(1 − ω) s + ω / 2`.
#[inline]
pub fn realized_share(share: f64, omega: f64) -> f64 {
    (1.0 - omega) * share + omega * 0.5
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
    pub mean_alignment: f64,
    pub mean_trust: f64,
    pub mean_orientation: f64,
    /// Number of axes whose cooperation reaches the advanced threshold.
    pub axes_cooperating: u32,
    /// Consecutive periods (including this one) of collapsed cooperation.
    pub collapse_streak: u32,
    /// Whether the provinces have decided to deepen (standardization has started).
    pub deepened: bool,
}

/// Stage from observables: retreat (sustained collapse) first, then advanced (high alignment and
/// trust, multi-axis cooperation, regional orientation), then transition (alignment past a first
/// threshold after a deepen decision), else initial.
pub fn classify_stage(x: &StageInputs, s: &crate::scenario::Stages) -> Stage {
    if x.collapse_streak >= s.retreat_window {
        Stage::Retreat
    } else if x.deepened
        && x.mean_alignment >= s.advanced_alignment
        && x.mean_trust >= s.advanced_trust
        && x.axes_cooperating >= s.advanced_axes
        && x.mean_orientation >= s.advanced_orientation
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

/// At a dilemma the provinces compare the perceived value of continuing as now with that of
/// deepening (valued at the alignment it leads to, minus its cost); they retreat only when both
/// look worse than `retreat_below`.
pub fn dilemma_choice(
    continue_value: f64,
    deepen_value: Option<f64>,
    retreat_below: f64,
) -> DilemmaChoice {
    let best_deepen = deepen_value.unwrap_or(f64::NEG_INFINITY);
    if continue_value.max(best_deepen) < retreat_below {
        DilemmaChoice::Retreat
    } else if best_deepen > continue_value {
        DilemmaChoice::Deepen
    } else {
        DilemmaChoice::Continue
    }
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
        // gain = 2·0.5·0.6·(1−0.3) + 0.5·1.3 + 0.2 + 0.4·0.5 = 0.42 + 0.65 + 0.4 = 1.47
        // costs = (1·(1 − 0.15) + 0.4·0.75 + 0.6·0.5)·(1 + 0.4·0.75) = 1.45·1.3 = 1.885
        // purpose = 0.2·2·0.5·0.4 = 0.08; adaptation 0.1
        let u = perceived_utility(&d, 0.5, 0.6, 0.3, 0.4, 0.2, 0.1);
        assert!(close(u, 1.47 - 1.885 - 0.1 + 0.08), "{u}");
    }

    #[test]
    fn perceived_utility_directions() {
        let d = terms();
        let base = perceived_utility(&d, 0.5, 0.5, 0.3, 0.4, 0.2, 0.0);
        // Local-centric thinking shrinks the collaborative gain; with no local benefit it lowers utility.
        let no_b = DomainTerms {
            local_benefit: 0.0,
            ..d
        };
        assert!(
            perceived_utility(&no_b, 0.5, 0.5, 0.6, 0.4, 0.2, 0.0)
                < perceived_utility(&no_b, 0.5, 0.5, 0.3, 0.4, 0.2, 0.0)
        );
        // … but it weights up the local benefit: a high-b, low-V domain looks better to high λ.
        let local = DomainTerms {
            value: 0.0,
            local_benefit: 1.0,
            ..d
        };
        assert!(
            perceived_utility(&local, 0.5, 0.5, 0.6, 0.4, 0.2, 0.0)
                > perceived_utility(&local, 0.5, 0.5, 0.3, 0.4, 0.2, 0.0)
        );
        // Barriers inflate costs; alignment, central support and orientation help.
        assert!(perceived_utility(&d, 0.5, 0.5, 0.3, 0.8, 0.2, 0.0) < base);
        assert!(
            perceived_utility(
                &DomainTerms {
                    alignment: 0.8,
                    ..d
                },
                0.5,
                0.5,
                0.3,
                0.4,
                0.2,
                0.0
            ) > base
        );
        assert!(
            perceived_utility(
                &DomainTerms { support: 1.0, ..d },
                0.5,
                0.5,
                0.3,
                0.4,
                0.2,
                0.0
            ) > base
        );
        assert!(perceived_utility(&d, 0.5, 0.5, 0.3, 0.4, 0.9, 0.0) > base);
        assert!(perceived_utility(&d, 0.5, 0.5, 0.3, 0.4, 0.2, 0.3) < base);
        // Belief in partner cooperation raises utility (joint value up, risk down).
        assert!(perceived_utility(&d, 0.9, 0.5, 0.3, 0.4, 0.2, 0.0) > base);
    }

    #[test]
    fn quantal_response_and_fidelity() {
        assert!(close(choice_probability(0.0, 5.0), 0.5));
        assert!(close(
            choice_probability(1.0, 1.0),
            1.0 / (1.0 + (-1.0f64).exp())
        ));
        assert!(choice_probability(1.0, 10.0) > choice_probability(1.0, 1.0)); // less noise, sharper
        assert!(close(fidelity(0.6, 0.0, 0.0, 1.0, 1.0), 0.6));
        assert!(close(
            fidelity(0.6, 0.5, 0.5, 1.0, 1.0),
            0.6 + 0.4 * (1.0 - (-1.0f64).exp())
        ));
        assert!(fidelity(0.6, 1.0, 0.0, 1.0, 1.0) > fidelity(0.6, 0.2, 0.0, 1.0, 1.0));
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
        assert!(close(bureau_utility(0.5, 4.0, 0.25, 0.5, 0.2), 1.5 - 0.6));
    }

    #[test]
    fn trust_rules() {
        // Up slowly, down fast.
        assert!(close(trust_step(0.5, 1.0, 0.1, 0.3, 0.0), 0.55));
        assert!(close(trust_step(0.5, 0.0, 0.1, 0.3, 0.0), 0.35));
        // The institutional floor holds.
        assert!(close(trust_step(0.5, 0.0, 0.1, 0.3, 0.4), 0.4));
        assert!(close(trust_floor(0.8, 0.5, 0.5), 0.2));
    }

    #[test]
    fn protectionism_and_purpose() {
        let (l, b) = wear_down(0.6, 0.5, 0.5, 0.8, 0.1, 0.2);
        assert!(close(l, 0.6 * (1.0 - 0.04)) && close(b, 0.5 * 0.9));
        assert!(close(
            orientation_step(0.2, 0.8, 0.75, 0.1),
            0.2 + 0.1 * (0.6 - 0.2)
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
            axes_cooperating: 2,
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
            axes_cooperating: 4,
            collapse_streak: 0,
            deepened: true,
        };
        assert_eq!(classify_stage(&x, &s), Stage::Advanced);
        x.axes_cooperating = 3;
        assert_eq!(classify_stage(&x, &s), Stage::Transition);
        x.collapse_streak = s.retreat_window;
        assert_eq!(classify_stage(&x, &s), Stage::Retreat);
    }

    #[test]
    fn dilemma_choices() {
        assert_eq!(dilemma_choice(0.2, Some(0.5), -0.5), DilemmaChoice::Deepen);
        assert_eq!(
            dilemma_choice(0.2, Some(0.1), -0.5),
            DilemmaChoice::Continue
        );
        assert_eq!(dilemma_choice(-1.0, None, -0.5), DilemmaChoice::Retreat);
        assert_eq!(
            dilemma_choice(-1.0, Some(-0.4), -0.5),
            DilemmaChoice::Deepen
        );
    }
}
