//! Initial state of a run: jurisdictions drawn from the scenario's zones and behavioural
//! distributions. Unit-interval values come from a Beta with the given mean and sd, positive ones
//! from a lognormal with the given mean and sd, so draws are always in range without clamping.

use rand_distr::{Beta, Distribution, LogNormal};
use rand_pcg::Pcg64Mcg;
use xietong_model::mechanism::fidelity;
use xietong_model::{Dist, Scenario};

/// One local government. Array-of-structs keeps a jurisdiction's whole state in one cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Agent {
    pub development: f64,
    pub local_centric: f64,
    pub barrier: f64,
    pub trust: f64,
    pub orientation: f64,
    pub inv_temperature: f64,
    /// Execution fidelity with the scenario's cadre incentives already applied.
    pub fidelity: f64,
    pub province: u8,
    pub zone: u16,
}

fn draw_unit(d: &Dist, shift: f64, rng: &mut Pcg64Mcg) -> f64 {
    match *d {
        Dist::Fixed(v) => v + shift,
        Dist::Spread { mean, sd } => {
            let m = mean + shift;
            if sd == 0.0 {
                return m;
            }
            // Validation guarantees sd² < m(1 − m) for the shifted mean, so k > 0.
            let k = m * (1.0 - m) / (sd * sd) - 1.0;
            Beta::new(m * k, (1.0 - m) * k)
                .map(|b| b.sample(rng))
                .unwrap_or(m)
        }
    }
}

fn draw_positive(d: &Dist, rng: &mut Pcg64Mcg) -> f64 {
    match *d {
        Dist::Fixed(v) => v,
        Dist::Spread { mean, sd } => {
            if sd == 0.0 {
                return mean;
            }
            let s2 = (1.0 + (sd / mean).powi(2)).ln();
            LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt())
                .map(|l| l.sample(rng))
                .unwrap_or(mean)
        }
    }
}

/// Jurisdictions of the scenario, in zone order (or in listed order when listed explicitly).
pub fn agents(s: &Scenario, rng: &mut Pcg64Mcg) -> Vec<Agent> {
    let mut specs: Vec<(usize, Option<f64>)> = Vec::new();
    if s.jurisdictions.is_empty() {
        for (zi, z) in s.zones.iter().enumerate() {
            specs.extend((0..z.jurisdictions).map(|_| (zi, None)));
        }
    } else {
        for j in &s.jurisdictions {
            specs.push((
                s.zone_index(&j.zone).expect("validated zone"),
                Some(j.development),
            ));
        }
    }
    let b = &s.behaviour;
    let cadre = &s.levers.cadre;
    specs
        .into_iter()
        .map(|(zi, dev)| {
            let zone = &s.zones[zi];
            let pi = s
                .province_index(&zone.province)
                .expect("validated province");
            let p = &s.provinces[pi];
            let development = dev.unwrap_or_else(|| draw_positive(&zone.development, rng));
            let local_centric = draw_unit(&b.local_centric, p.local_centric_shift, rng);
            let barrier = draw_unit(&b.barrier, p.barrier_shift, rng);
            let trust = draw_unit(&b.trust, 0.0, rng);
            let orientation = draw_unit(&b.orientation, 0.0, rng);
            let temperature = draw_positive(&b.temperature, rng);
            let f0 = draw_unit(&b.fidelity, 0.0, rng);
            Agent {
                development,
                local_centric,
                barrier,
                trust,
                orientation,
                inv_temperature: 1.0 / temperature,
                fidelity: fidelity(
                    f0,
                    cadre.reward,
                    cadre.punishment,
                    s.dynamics.reward_effect,
                    s.dynamics.punishment_effect,
                ),
                province: pi as u8,
                zone: zi as u16,
            }
        })
        .collect()
}
