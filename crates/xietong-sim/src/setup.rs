//! Initial state of a run: jurisdictions drawn from the scenario's zones and behavioural
//! distributions. Unit-interval values come from a Beta with the given mean and sd, positive ones
//! from a lognormal with the given mean and sd, so draws are always in range without clamping.
//!
//! The samplers are written here on the portable `libm` functions (rather than taken from
//! `rand_distr`, whose samplers call the platform's `ln` and `exp`) so that a seed gives the same
//! jurisdictions, bit for bit, on every machine.

use crate::rng::uniform;
use rand_pcg::Pcg64Mcg;
use xietong_model::fastlog::ln;
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

/// Standard normal draw (Box-Muller, one of the pair).
fn normal(rng: &mut Pcg64Mcg) -> f64 {
    let u1 = 1.0 - uniform(rng); // in (0, 1]
    let u2 = uniform(rng);
    libm::sqrt(-2.0 * ln(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// Gamma(shape, 1) draws: Marsaglia & Tsang (2000), with the `u^{1/shape}` boost for shape < 1.
/// The constants of a shape are taken once per distribution rather than once per draw (a run draws
/// from the same few distributions hundreds of times); the draws are the same.
#[derive(Clone, Copy, Debug)]
struct Gamma {
    /// `1/shape` when shape < 1 (the draw is then Gamma(shape + 1) · u^{1/shape}).
    boost: Option<f64>,
    d: f64,
    c: f64,
}

impl Gamma {
    fn new(shape: f64) -> Gamma {
        let (boost, core) = if shape < 1.0 {
            (Some(1.0 / shape), shape + 1.0)
        } else {
            (None, shape)
        };
        let d = core - 1.0 / 3.0;
        Gamma {
            boost,
            d,
            c: 1.0 / libm::sqrt(9.0 * d),
        }
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        if let Some(inv_shape) = self.boost {
            let u = 1.0 - uniform(rng);
            return self.draw_core(rng) * libm::pow(u, inv_shape);
        }
        self.draw_core(rng)
    }

    fn draw_core(&self, rng: &mut Pcg64Mcg) -> f64 {
        let (d, c) = (self.d, self.c);
        loop {
            let x = normal(rng);
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = 1.0 - uniform(rng);
            if ln(u) < 0.5 * x * x + d - d * v + d * ln(v) {
                return d * v;
            }
        }
    }
}

/// Beta draws with mean `m` and standard deviation `sd` (requires `sd² < m(1 − m)`), as
/// `X / (X + Y)` for gamma draws X and Y.
#[derive(Clone, Copy, Debug)]
struct Beta {
    x: Gamma,
    y: Gamma,
}

impl Beta {
    fn new(m: f64, sd: f64) -> Beta {
        let k = m * (1.0 - m) / (sd * sd) - 1.0;
        Beta {
            x: Gamma::new(m * k),
            y: Gamma::new((1.0 - m) * k),
        }
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        let x = self.x.draw(rng);
        let y = self.y.draw(rng);
        x / (x + y)
    }
}

/// Lognormal draws with mean `mean` and standard deviation `sd` (on the original scale):
/// `exp(location + scale · z)` for a standard normal z.
#[derive(Clone, Copy, Debug)]
struct LogNormal {
    location: f64,
    scale: f64,
}

impl LogNormal {
    fn new(mean: f64, sd: f64) -> LogNormal {
        let s2 = ln(1.0 + (sd / mean) * (sd / mean));
        LogNormal {
            location: ln(mean) - s2 / 2.0,
            scale: libm::sqrt(s2),
        }
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        libm::exp(self.location + self.scale * normal(rng))
    }
}

/// Beta draw with mean `m` and standard deviation `sd` (requires `sd² < m(1 − m)`).
pub fn beta_mean_sd(m: f64, sd: f64, rng: &mut Pcg64Mcg) -> f64 {
    Beta::new(m, sd).draw(rng)
}

/// Lognormal draw with mean `mean` and standard deviation `sd` (on the original scale).
pub fn lognormal_mean_sd(mean: f64, sd: f64, rng: &mut Pcg64Mcg) -> f64 {
    LogNormal::new(mean, sd).draw(rng)
}

/// A value in [0, 1] from a scenario distribution shifted by `shift`: fixed, or Beta.
#[derive(Clone, Copy, Debug)]
enum Unit {
    Fixed(f64),
    Beta(Beta),
}

impl Unit {
    fn new(d: &Dist, shift: f64) -> Unit {
        match *d {
            Dist::Fixed(v) => Unit::Fixed(v + shift),
            Dist::Spread { sd, .. } if sd == 0.0 => Unit::Fixed(d.mean() + shift),
            // Validation guarantees sd² < m(1 − m) for the shifted mean.
            Dist::Spread { mean, sd } => Unit::Beta(Beta::new(mean + shift, sd)),
        }
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            Unit::Fixed(v) => *v,
            Unit::Beta(b) => b.draw(rng),
        }
    }
}

/// A positive value from a scenario distribution: fixed, or lognormal.
#[derive(Clone, Copy, Debug)]
enum Positive {
    Fixed(f64),
    LogNormal(LogNormal),
}

impl Positive {
    fn new(d: &Dist) -> Positive {
        match *d {
            Dist::Fixed(v) => Positive::Fixed(v),
            Dist::Spread { mean, sd } if sd == 0.0 => Positive::Fixed(mean),
            Dist::Spread { mean, sd } => Positive::LogNormal(LogNormal::new(mean, sd)),
        }
    }

    fn draw(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            Positive::Fixed(v) => *v,
            Positive::LogNormal(l) => l.draw(rng),
        }
    }
}

/// Jurisdictions of the scenario, in zone order (or in listed order when listed explicitly).
pub fn agents(s: &Scenario, rng: &mut Pcg64Mcg) -> Vec<Agent> {
    let b = &s.behaviour;
    let cadre = &s.levers.cadre;
    // Each distribution's constants once: per zone its province and development, per province
    // the shifted λ and β, and the distributions every jurisdiction shares.
    let province_of: Vec<usize> = s
        .zones
        .iter()
        .map(|z| s.province_index(&z.province).expect("validated province"))
        .collect();
    let development: Vec<Positive> = s
        .zones
        .iter()
        .map(|z| Positive::new(&z.development))
        .collect();
    let local_centric: Vec<Unit> = s
        .provinces
        .iter()
        .map(|p| Unit::new(&b.local_centric, p.local_centric_shift))
        .collect();
    let barrier: Vec<Unit> = s
        .provinces
        .iter()
        .map(|p| Unit::new(&b.barrier, p.barrier_shift))
        .collect();
    let (trust, orientation) = (Unit::new(&b.trust, 0.0), Unit::new(&b.orientation, 0.0));
    let (temperature, fidelity0) = (Positive::new(&b.temperature), Unit::new(&b.fidelity, 0.0));
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
    specs
        .into_iter()
        .map(|(zi, dev)| {
            let pi = province_of[zi];
            let development = dev.unwrap_or_else(|| development[zi].draw(rng));
            let local_centric = local_centric[pi].draw(rng);
            let barrier = barrier[pi].draw(rng);
            let trust = trust.draw(rng);
            let orientation = orientation.draw(rng);
            let temperature = temperature.draw(rng);
            let f0 = fidelity0.draw(rng);
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
                    s.dynamics.punishment_ceiling,
                ),
                province: pi as u8,
                zone: zi as u16,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    fn moments(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        (
            m,
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt(),
        )
    }

    // 200,000 draws: the standard error of the mean is sd/447, of the sd about sd/632.
    #[test]
    fn beta_has_the_requested_mean_and_sd() {
        for (m, sd) in [(0.5, 0.08), (0.12, 0.05), (0.9, 0.2), (0.3, 0.4)] {
            let mut r = stream(1, 2, 3, 4);
            let v: Vec<f64> = (0..200_000).map(|_| beta_mean_sd(m, sd, &mut r)).collect();
            let (gm, gsd) = moments(&v);
            assert!(v.iter().all(|x| (0.0..=1.0).contains(x)));
            assert!((gm - m).abs() < 5.0 * sd / 447.0, "Beta mean {gm} vs {m}");
            assert!(
                (gsd - sd).abs() < 0.02 * sd + 5.0 * sd / 632.0,
                "Beta sd {gsd} vs {sd}"
            );
        }
    }

    #[test]
    fn lognormal_has_the_requested_mean_and_sd() {
        for (m, sd) in [(1.0, 0.05), (0.5, 0.2), (2.0, 1.0)] {
            let mut r = stream(5, 6, 7, 8);
            let v: Vec<f64> = (0..200_000)
                .map(|_| lognormal_mean_sd(m, sd, &mut r))
                .collect();
            let (gm, gsd) = moments(&v);
            assert!(v.iter().all(|&x| x > 0.0));
            assert!(
                (gm - m).abs() < 5.0 * sd / 447.0,
                "lognormal mean {gm} vs {m}"
            );
            assert!((gsd - sd).abs() < 0.05 * sd, "lognormal sd {gsd} vs {sd}");
        }
    }
}
