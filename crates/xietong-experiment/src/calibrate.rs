//! Calibration: fit scenario parameters (each a `--set` path with bounds) to survey-window targets
//! with argmin's Nelder-Mead or particle swarm, from several starting points. Every evaluation
//! runs the same seeds (common random numbers), so the objective is a deterministic, smooth-ish
//! function of the parameters rather than a noisy one. No I/O: texts in, values and TOML text out.

use argmin::core::{CostFunction, Error as ArgminError, Executor, State};
use argmin::solver::neldermead::NelderMead;
use argmin::solver::particleswarm::ParticleSwarm;
use rand_xoshiro::rand_core::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use xietong_model::{Scenario, parse_with_overrides};
use xietong_sensitivity::Factor;
use xietong_sim::simulate;

use crate::error::{ExpError, Problem, Result};
use crate::spec::Base;

/// The calibration file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationSpec {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub base: Base,
    #[serde(rename = "parameter")]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub calibration: Settings,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub path: String,
    pub low: f64,
    pub high: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimiser {
    NelderMead,
    ParticleSwarm,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub method: Optimiser,
    /// Runs per evaluation, the same seeds every time.
    pub runs: usize,
    pub seed: u64,
    /// Independent starts (Nelder-Mead) or swarms (particle swarm).
    pub restarts: usize,
    pub max_iters: u64,
    /// Particles per swarm.
    pub particles: usize,
    /// Weight of the zone-order penalty against the squared cooperation errors.
    pub order_weight: f64,
    /// A targets JSON file (as `xietong survey calibrate` writes), relative to this file; the
    /// paper's survey-window figures when absent.
    pub targets: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            method: Optimiser::NelderMead,
            runs: 20,
            seed: 1,
            restarts: 4,
            max_iters: 60,
            particles: 12,
            order_weight: 1.0,
            targets: None,
        }
    }
}

/// What to fit: domain cooperation shares in the survey window and the order of zone demand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Targets {
    #[serde(default)]
    pub domain_cooperation_shares: BTreeMap<String, f64>,
    /// Zones from highest to lowest demand.
    #[serde(default)]
    pub zone_demand_order: Vec<String>,
}

impl Targets {
    /// The paper's survey-window figures (Liu & Li 2024): future directions 69 / 65.7 / 36.7 %,
    /// zone demand A2 > B3 > A3 > A1 > B2 > B1 > B4.
    pub fn paper() -> Targets {
        Targets {
            domain_cooperation_shares: xietong_model::paper::SURVEY_COOPERATION
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            zone_demand_order: {
                let mut zones = xietong_model::paper::ZONE_DEMAND;
                zones.sort_by(|a, b| b.1.total_cmp(&a.1));
                zones.iter().map(|(z, _)| z.to_string()).collect()
            },
        }
    }

    pub fn parse_json(text: &str, file: &str) -> Result<Targets> {
        let t: Targets = serde_json::from_str(text).map_err(|e| {
            ExpError::input(format!(
                "{file}:{}:{}: not a targets file: {e}",
                e.line(),
                e.column()
            ))
        })?;
        if t.domain_cooperation_shares.is_empty() && t.zone_demand_order.is_empty() {
            return Err(ExpError::input(format!(
                "{file}: no targets: expected domain_cooperation_shares and/or zone_demand_order"
            )));
        }
        for (d, v) in &t.domain_cooperation_shares {
            if !(0.0..=1.0).contains(v) {
                return Err(ExpError::input(format!(
                    "{file}: domain_cooperation_shares.{d} = {v}: expected a share in [0, 1]"
                )));
            }
        }
        Ok(t)
    }
}

/// A calibration ready to run: the base scenario text, parameters and targets resolved.
pub struct Calibration {
    pub base_text: String,
    pub base_file: String,
    pub base_sets: Vec<String>,
    pub params: Vec<Parameter>,
    pub settings: Settings,
    pub targets: Targets,
    domains: Vec<(usize, f64)>,
    zones: Vec<usize>,
}

impl Calibration {
    /// Check a calibration file against its base scenario and targets.
    pub fn new(
        spec_text: &str,
        spec_file: &str,
        base_text: &str,
        base_file: &str,
        targets: Targets,
    ) -> Result<Calibration> {
        Self::with_targets_from(
            spec_text, spec_file, base_text, base_file, targets, "targets",
        )
    }

    /// [`Calibration::new`] with targets read from `targets_file`, which messages about the
    /// targets name (e.g. `targets.json: unknown zone "Z9" in zone_demand_order`).
    pub fn with_targets_from(
        spec_text: &str,
        spec_file: &str,
        base_text: &str,
        base_file: &str,
        targets: Targets,
        targets_file: &str,
    ) -> Result<Calibration> {
        let spec: CalibrationSpec = toml::from_str(spec_text).map_err(|e| {
            ExpError::file(
                spec_file,
                vec![Problem {
                    line_col: e
                        .span()
                        .map(|s| xietong_model::load::line_col(spec_text, s.start)),
                    path: String::new(),
                    message: xietong_model::load::shorten_quoted(e.message().trim()),
                }],
            )
        })?;
        let at = |path: String, message: String| {
            ExpError::file(
                spec_file,
                vec![Problem {
                    line_col: xietong_model::load::locate(spec_text, &path),
                    path,
                    message,
                }],
            )
        };
        let s = &spec.calibration;
        if s.runs == 0 || s.restarts == 0 || s.max_iters == 0 || s.particles < 2 {
            return Err(at(
                "calibration".into(),
                "runs, restarts and max_iters must be at least 1, particles at least 2".into(),
            ));
        }
        if spec.parameters.is_empty() {
            return Err(at("parameter".into(), "no [[parameter]] to fit".into()));
        }
        let factors: Vec<Factor> = spec
            .parameters
            .iter()
            .map(|p| Factor::new(p.path.clone(), p.low, p.high))
            .collect();
        if let Err(e) = xietong_sensitivity::factor::validate_factors(&factors) {
            return Err(at("parameter".into(), e.to_string()));
        }
        let base = parse_with_overrides(base_text, base_file, &spec.base.set)
            .map_err(|e| ExpError::input(format!("base scenario of {spec_file}: {e}")))?;
        for (i, p) in spec.parameters.iter().enumerate() {
            for v in [p.low, p.high] {
                let mut sets = spec.base.set.clone();
                sets.push(format!("{}={v}", p.path));
                parse_with_overrides(base_text, base_file, &sets).map_err(|e| {
                    at(
                        format!("parameter[{i}]"),
                        format!("{} = {v} does not make a valid scenario: {e}", p.path),
                    )
                })?;
            }
        }
        let mut domains = Vec::new();
        for (d, v) in &targets.domain_cooperation_shares {
            let k = base.domain_index(d).ok_or_else(|| {
                ExpError::input(format!(
                    "{targets_file}: unknown domain \"{d}\" in domain_cooperation_shares; the scenario's domains are {}",
                    base.domains
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            domains.push((k, *v));
        }
        let mut zones = Vec::new();
        for z in &targets.zone_demand_order {
            zones.push(base.zone_index(z).ok_or_else(|| {
                ExpError::input(format!(
                    "{targets_file}: unknown zone \"{z}\" in zone_demand_order; the scenario's zones are {}",
                    base.zones
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?);
        }
        Ok(Calibration {
            base_text: base_text.into(),
            base_file: base_file.into(),
            base_sets: spec.base.set.clone(),
            params: spec.parameters,
            settings: spec.calibration,
            targets,
            domains,
            zones,
        })
    }

    /// Overrides for parameter values `x` (natural units).
    pub fn sets(&self, x: &[f64]) -> Vec<String> {
        let mut sets = self.base_sets.clone();
        for (p, v) in self.params.iter().zip(x) {
            sets.push(format!("{}={v}", p.path));
        }
        sets
    }

    pub fn scenario(&self, x: &[f64]) -> Result<Scenario> {
        parse_with_overrides(&self.base_text, &self.base_file, &self.sets(x))
            .map_err(|e| ExpError::input(format!("calibration point {x:?}: {e}")))
    }

    /// Simulated survey-window cooperation per target domain and mean demand per zone (target
    /// order), averaged over the common-random-number runs.
    pub fn simulate_targets(&self, x: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let s = self.scenario(x)?;
        let runs = self.settings.runs;
        let sums = (0..runs as u64)
            .into_par_iter()
            .map(|r| {
                let m = simulate(&s, self.settings.seed, r).summary;
                let c: Vec<f64> = self
                    .domains
                    .iter()
                    .map(|(k, _)| m.survey_cooperation[*k])
                    .collect();
                let z: Vec<f64> = self
                    .zones
                    .iter()
                    .map(|k| m.survey_zone_demand[*k])
                    .collect();
                (c, z)
            })
            .reduce(
                || (vec![0.0; self.domains.len()], vec![0.0; self.zones.len()]),
                |mut a, b| {
                    a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
                    a.1.iter_mut().zip(&b.1).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let n = runs as f64;
        Ok((
            sums.0.into_iter().map(|v| v / n).collect(),
            sums.1.into_iter().map(|v| v / n).collect(),
        ))
    }

    /// Objective: squared errors of cooperation plus `order_weight` × the squared hinge of every
    /// adjacent pair of zones out of the target order (demand relative to the zones' mean).
    pub fn objective_of(&self, coop: &[f64], demand: &[f64]) -> f64 {
        let sq: f64 = coop
            .iter()
            .zip(&self.domains)
            .map(|(c, (_, t))| (c - t).powi(2))
            .sum();
        let mean = demand.iter().sum::<f64>() / demand.len().max(1) as f64;
        let order: f64 = demand
            .windows(2)
            .map(|w| ((w[1] - w[0]) / mean.max(1e-12)).max(0.0).powi(2))
            .sum();
        sq + self.settings.order_weight * order
    }

    fn natural(&self, u: &[f64]) -> Vec<f64> {
        self.params
            .iter()
            .zip(u)
            .map(|(p, &u)| p.low + (p.high - p.low) * u.clamp(0.0, 1.0))
            .collect()
    }

    /// Objective at a point of the unit cube; outside it, the value at the nearest face plus a
    /// steep penalty, so Nelder-Mead is pushed back into the bounds.
    pub fn objective_unit(&self, u: &[f64]) -> Result<f64> {
        let outside: f64 = u.iter().map(|&v| (v - v.clamp(0.0, 1.0)).powi(2)).sum();
        let (c, d) = self.simulate_targets(&self.natural(u))?;
        Ok(self.objective_of(&c, &d) + 100.0 * outside)
    }
}

struct Cost<'a>(&'a Calibration);

impl CostFunction for Cost<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, u: &Self::Param) -> std::result::Result<f64, ArgminError> {
        self.0
            .objective_unit(u)
            .map_err(|e| ArgminError::msg(e.to_string()))
    }
}

/// One start's result.
#[derive(Clone, Debug, Serialize)]
pub struct Fit {
    pub start: Vec<f64>,
    pub params: Vec<f64>,
    pub objective: f64,
    pub iterations: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub method: Optimiser,
    pub names: Vec<String>,
    pub fits: Vec<Fit>,
    /// Index of the best fit.
    pub best: usize,
    /// Simulated vs target cooperation at the best fit.
    pub cooperation: Vec<(String, f64, f64)>,
    /// Zones in target order with their simulated demand at the best fit.
    pub zone_demand: Vec<(String, f64)>,
    /// Adjacent zone pairs out of the target order at the best fit.
    pub order_violations: usize,
    /// Per parameter over the restarts' fits: min, max, standard deviation.
    pub spread: Vec<(f64, f64, f64)>,
}

/// Starting points: a Latin hypercube over the unit cube, so restarts begin far apart.
fn starts(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    if n == 1 {
        return vec![vec![0.5; k]];
    }
    let f: Vec<Factor> = (0..k)
        .map(|i| Factor::new(format!("u{i}"), 0.0, 1.0))
        .collect();
    let d = xietong_sensitivity::design::latin_hypercube(&f, n, seed).expect("valid unit factors");
    d.rows().map(|r| r.to_vec()).collect()
}

/// Run the optimiser from every start (Nelder-Mead) or every swarm (particle swarm).
pub fn calibrate(c: &Calibration, on_fit: &dyn Fn(usize)) -> Result<Outcome> {
    let k = c.params.len();
    let s = &c.settings;
    let mut fits = Vec::new();
    let unwrap = |e: ArgminError| {
        let m = e.to_string();
        ExpError::input(format!("calibration failed: {m}"))
    };
    match s.method {
        Optimiser::NelderMead => {
            for (i, u0) in starts(k, s.restarts, s.seed).into_iter().enumerate() {
                // Initial simplex: the start and one step of 0.15 along each axis (inwards).
                let mut simplex = vec![u0.clone()];
                for j in 0..k {
                    let mut v = u0.clone();
                    v[j] += if v[j] > 0.5 { -0.15 } else { 0.15 };
                    simplex.push(v);
                }
                let solver = NelderMead::new(simplex)
                    .with_sd_tolerance(1e-7)
                    .map_err(unwrap)?;
                let res = Executor::new(Cost(c), solver)
                    .configure(|st| st.max_iters(s.max_iters))
                    .run()
                    .map_err(unwrap)?;
                let st = res.state();
                let best = st.get_best_param().cloned().unwrap_or(u0.clone());
                fits.push(Fit {
                    start: c.natural(&u0),
                    params: c.natural(&best),
                    objective: st.get_best_cost(),
                    iterations: st.get_iter(),
                });
                on_fit(i);
            }
        }
        Optimiser::ParticleSwarm => {
            for i in 0..s.restarts {
                let rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(crate::plan::mix(
                    s.seed ^ i as u64,
                ));
                let solver = ParticleSwarm::new((vec![0.0; k], vec![1.0; k]), s.particles)
                    .with_rng_generator(rng);
                let res = Executor::new(Cost(c), solver)
                    .configure(|st| st.max_iters(s.max_iters))
                    .run()
                    .map_err(unwrap)?;
                let st = res.state();
                let best = st
                    .get_best_param()
                    .map(|p| p.position.clone())
                    .unwrap_or(vec![0.5; k]);
                fits.push(Fit {
                    start: Vec::new(),
                    params: c.natural(&best),
                    objective: st.get_best_cost(),
                    iterations: st.get_iter(),
                });
                on_fit(i);
            }
        }
    }
    let best = (0..fits.len())
        .min_by(|&a, &b| fits[a].objective.total_cmp(&fits[b].objective))
        .expect("at least one restart");
    let (coop, demand) = c.simulate_targets(&fits[best].params)?;
    let spread = (0..k)
        .map(|j| {
            let v: Vec<f64> = fits.iter().map(|f| f.params[j]).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let sd = if v.len() > 1 {
                (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
            } else {
                0.0
            };
            (
                v.iter().copied().fold(f64::INFINITY, f64::min),
                v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                sd,
            )
        })
        .collect();
    Ok(Outcome {
        method: s.method,
        names: c.params.iter().map(|p| p.path.clone()).collect(),
        best,
        cooperation: c
            .targets
            .domain_cooperation_shares
            .iter()
            .zip(&coop)
            .map(|((d, t), v)| (d.clone(), *v, *t))
            .collect(),
        zone_demand: c
            .targets
            .zone_demand_order
            .iter()
            .cloned()
            .zip(demand.iter().copied())
            .collect(),
        order_violations: demand.windows(2).filter(|w| w[1] > w[0]).count(),
        spread,
        fits,
    })
}

/// The base scenario with the fixed and fitted values applied through the `--set` mechanism,
/// as TOML (comments of the base file are not kept; a header says where the values came from).
pub fn calibrated_toml(c: &Calibration, x: &[f64], header: &str) -> Result<String> {
    let mut table: toml::Table = toml::from_str(&c.base_text)
        .map_err(|e| ExpError::input(format!("{}: {}", c.base_file, e.message())))?;
    for set in c.sets(x) {
        xietong_model::load::apply_set(&mut table, &set)
            .map_err(|m| ExpError::input(format!("--set {set}: {m}")))?;
    }
    let body = toml::to_string(&table)
        .map_err(|e| ExpError::input(format!("writing the calibrated scenario: {e}")))?;
    let text = format!("{header}{body}");
    // The written file must load and equal the scenario the fit was evaluated on.
    xietong_model::parse_scenario(&text, "calibrated scenario")
        .map_err(|e| ExpError::input(format!("the calibrated scenario does not load: {e}")))?;
    Ok(text)
}
