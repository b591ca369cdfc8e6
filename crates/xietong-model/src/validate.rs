//! Semantic checks of a parsed scenario. Serde already rejects unknown keys and wrong types; this
//! module rejects values out of range and references to things that do not exist. Each problem
//! carries the dotted path of the offending value so that the loader can point at its line.

use crate::scenario::*;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Path of the offending value, e.g. `domains[2].cost`.
    pub path: String,
    pub message: String,
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }
    fn finite(&mut self, path: &str, v: f64) -> bool {
        if !v.is_finite() {
            self.fail(path, format!("expected a finite number, found {v}"));
            return false;
        }
        true
    }
    fn unit(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(0.0..=1.0).contains(&v) {
            self.fail(
                path,
                format!("expected a probability or share in [0, 1], found {v}"),
            );
        }
    }
    fn non_negative(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v < 0.0 {
            self.fail(path, format!("expected a number ≥ 0, found {v}"));
        }
    }
    fn positive(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && v <= 0.0 {
            self.fail(path, format!("expected a number > 0, found {v}"));
        }
    }
    /// A magnitude the model can work with: finite, ≥ 0 and at most `max` (documented limits, so
    /// that no arithmetic overflows to infinity).
    fn magnitude(&mut self, path: &str, v: f64, max: f64) {
        if self.finite(path, v) {
            if v < 0.0 {
                self.fail(path, format!("expected a number ≥ 0, found {v}"));
            } else if v > max {
                self.fail(path, format!("expected at most {max}, found {v}"));
            }
        }
    }
    /// A positive level in `[min, max]` (development, temperature).
    fn level(&mut self, path: &str, v: f64, min: f64, max: f64) {
        if self.finite(path, v) && !(min..=max).contains(&v) {
            self.fail(
                path,
                format!("expected a number in [{min}, {max}], found {v}"),
            );
        }
    }
    /// A positive distribution of levels: mean in `[min, max]`, sd at most 10 × the mean.
    fn level_dist(&mut self, path: &str, d: &Dist, min: f64, max: f64) {
        match *d {
            Dist::Fixed(v) => self.level(path, v, min, max),
            Dist::Spread { mean, sd } => {
                self.level(&format!("{path}.mean"), mean, min, max);
                let sp = format!("{path}.sd");
                if self.finite(&sp, sd) {
                    if sd < 0.0 {
                        self.fail(sp, format!("expected a standard deviation ≥ 0, found {sd}"));
                    } else if sd > 10.0 * mean.abs() {
                        self.fail(
                            sp,
                            format!(
                                "expected at most 10 × the mean ({}), found {sd}",
                                10.0 * mean.abs()
                            ),
                        );
                    }
                }
            }
        }
    }
    fn open_unit(&mut self, path: &str, v: f64) {
        if self.finite(path, v) && !(v > 0.0 && v < 1.0) {
            self.fail(
                path,
                format!("expected a number strictly between 0 and 1, found {v}"),
            );
        }
    }
    /// A unit-interval distribution: mean in [0,1]; a spread must be feasible for a Beta.
    fn unit_dist(&mut self, path: &str, d: &Dist) {
        match *d {
            Dist::Fixed(v) => self.unit(path, v),
            Dist::Spread { mean, sd } => {
                let mp = format!("{path}.mean");
                let sp = format!("{path}.sd");
                if sd == 0.0 {
                    self.unit(&mp, mean);
                } else if self.finite(&mp, mean) && !(mean > 0.0 && mean < 1.0) {
                    self.fail(mp, format!("a spread value in [0, 1] needs a mean strictly between 0 and 1, found {mean}"));
                } else if self.finite(&sp, sd) {
                    if sd < 0.0 {
                        self.fail(sp, format!("expected a standard deviation ≥ 0, found {sd}"));
                    } else if sd * sd >= mean * (1.0 - mean) {
                        self.fail(
                            sp,
                            format!(
                                "sd {sd} is too large for a value in [0, 1] with mean {mean}: need sd < {:.4}",
                                (mean * (1.0 - mean)).sqrt()
                            ),
                        );
                    }
                }
            }
        }
    }
    fn unique_ids<'a>(&mut self, what: &str, ids: impl Iterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        for (i, id) in ids.enumerate() {
            if id.trim().is_empty() {
                self.fail(format!("{what}[{i}].id"), "expected a non-empty id");
            } else if !seen.insert(id) {
                self.fail(format!("{what}[{i}].id"), format!("duplicate id \"{id}\""));
            }
        }
    }
}

/// Every problem found, in file order as far as possible; empty means the scenario is usable.
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };

    // Calendar.
    if s.calendar.periods == 0 {
        c.fail("calendar.periods", "expected at least 1 period");
    }
    if s.calendar.periods > 10_000 {
        c.fail(
            "calendar.periods",
            format!(
                "expected at most 10000 periods, found {}",
                s.calendar.periods
            ),
        );
    }
    let [w0, w1] = s.calendar.survey_window;
    let last = s.calendar.start.plus(s.calendar.periods as i64 - 1);
    if w0 > w1 {
        c.fail(
            "calendar.survey_window",
            format!("window starts ({w0}) after it ends ({w1})"),
        );
    }
    if w0 < s.calendar.start || w1 > last {
        c.fail(
            "calendar.survey_window",
            format!(
                "survey window {w0}-{w1} lies outside the simulated calendar {}-{last}",
                s.calendar.start
            ),
        );
    }

    // Provinces and zones.
    if s.provinces.len() != 2 {
        c.fail(
            "provinces",
            format!("expected exactly 2 provinces (collaboration is between two provincial systems), found {}", s.provinces.len()),
        );
    }
    c.unique_ids("provinces", s.provinces.iter().map(|p| p.id.as_str()));
    for (i, p) in s.provinces.iter().enumerate() {
        c.finite(
            &format!("provinces[{i}].local_centric_shift"),
            p.local_centric_shift,
        );
        c.finite(&format!("provinces[{i}].barrier_shift"), p.barrier_shift);
    }
    c.unique_ids("zones", s.zones.iter().map(|z| z.id.as_str()));
    let explicit = !s.jurisdictions.is_empty();
    for (i, z) in s.zones.iter().enumerate() {
        if s.province_index(&z.province).is_none() {
            c.fail(
                format!("zones[{i}].province"),
                format!(
                    "unknown province \"{}\"; expected one of {}",
                    z.province,
                    list(s.provinces.iter().map(|p| &p.id))
                ),
            );
        }
        if explicit && z.jurisdictions > 0 {
            c.fail(
                format!("zones[{i}].jurisdictions"),
                "jurisdictions are listed explicitly, so zone counts must be 0 (or omitted)",
            );
        }
        if z.jurisdictions > 5_000_000 {
            c.fail(
                format!("zones[{i}].jurisdictions"),
                "expected at most 5,000,000 jurisdictions per zone",
            );
        }
        c.level_dist(
            &format!("zones[{i}].development"),
            &z.development,
            1e-3,
            1e3,
        );
    }
    for (i, j) in s.jurisdictions.iter().enumerate() {
        if s.zone_index(&j.zone).is_none() {
            c.fail(
                format!("jurisdictions[{i}].zone"),
                format!("unknown zone \"{}\"", j.zone),
            );
        }
        c.level(
            &format!("jurisdictions[{i}].development"),
            j.development,
            1e-3,
            1e3,
        );
    }
    for (pi, p) in s.provinces.iter().enumerate() {
        let n: u64 = if explicit {
            s.jurisdictions
                .iter()
                .filter(|j| {
                    s.zone_index(&j.zone)
                        .is_some_and(|z| s.zones[z].province == p.id)
                })
                .count() as u64
        } else {
            s.zones
                .iter()
                .filter(|z| z.province == p.id)
                .map(|z| z.jurisdictions as u64)
                .sum()
        };
        if n == 0 {
            c.fail(
                format!("provinces[{pi}]"),
                format!(
                    "province \"{}\" has zero jurisdictions; expected at least one",
                    p.id
                ),
            );
        }
    }

    // Domains.
    if s.domains.is_empty() {
        c.fail("domains", "expected at least one domain");
    }
    c.unique_ids("domains", s.domains.iter().map(|d| d.id.as_str()));
    for (i, d) in s.domains.iter().enumerate() {
        let p = |f: &str| format!("domains[{i}].{f}");
        for (f, v) in [
            ("value", d.value),
            ("local_benefit", d.local_benefit),
            ("cost", d.cost),
            ("difficulty", d.difficulty),
            ("risk", d.risk),
        ] {
            c.magnitude(&p(f), v, 1e3);
        }
        c.magnitude(&p("siphon"), d.siphon, 50.0);
    }

    // Central policy.
    c.magnitude("central.scale", s.central.scale, 1e3);
    c.magnitude("central.support", s.central.support, 1e3);
    c.magnitude("central.penalty", s.central.penalty, 1e3);
    c.unit("central.enforcement", s.central.enforcement);
    for (id, o) in &s.central.domains {
        let p = |f: &str| format!("central.domains.{id}.{f}");
        if s.domain_index(id).is_none() {
            c.fail(
                format!("central.domains.{id}"),
                format!(
                    "unknown domain id \"{id}\"; expected one of {}",
                    list(s.domains.iter().map(|d| &d.id))
                ),
            );
        }
        if let Some(v) = o.support {
            c.magnitude(&p("support"), v, 1e3);
        }
        if let Some(v) = o.penalty {
            c.magnitude(&p("penalty"), v, 1e3);
        }
        if let Some(v) = o.enforcement {
            c.unit(&p("enforcement"), v);
        }
    }
    for (i, ch) in s.central.schedule.iter().enumerate() {
        let p = |f: &str| format!("central.schedule[{i}].{f}");
        if let Some(d) = &ch.domain {
            if s.domain_index(d).is_none() {
                c.fail(
                    p("domain"),
                    format!(
                        "unknown domain id \"{d}\"; expected one of {}",
                        list(s.domains.iter().map(|d| &d.id))
                    ),
                );
            }
        }
        if ch.from < s.calendar.start {
            c.fail(
                p("from"),
                format!(
                    "{} is before the calendar starts ({})",
                    ch.from, s.calendar.start
                ),
            );
        }
        for (f, v) in [
            ("scale", ch.scale),
            ("support", ch.support),
            ("penalty", ch.penalty),
        ] {
            if let Some(v) = v {
                c.magnitude(&p(f), v, 1e3);
            }
        }
        if let Some(v) = ch.enforcement {
            c.unit(&p("enforcement"), v);
        }
    }

    // Levers.
    let l = &s.levers;
    c.unit("levers.uniformity", l.uniformity);
    c.unit("levers.flexibility", l.flexibility);
    c.unit("levers.standardization.effort", l.standardization.effort);
    c.magnitude("levers.cadre.reward", l.cadre.reward, 1e3);
    c.magnitude("levers.cadre.punishment", l.cadre.punishment, 1e3);
    if l.standardization.timing == Timing::Scheduled {
        match l.standardization.start {
            None => c.fail(
                "levers.standardization.start",
                "timing = \"scheduled\" needs a start quarter, e.g. start = \"2021Q3\"",
            ),
            Some(q) if q < s.calendar.start => c.fail(
                "levers.standardization.start",
                format!("{q} is before the calendar starts ({})", s.calendar.start),
            ),
            _ => {}
        }
    }

    // Behaviour.
    let b = &s.behaviour;
    c.unit_dist("behaviour.local_centric", &b.local_centric);
    c.unit_dist("behaviour.barrier", &b.barrier);
    c.unit_dist("behaviour.trust", &b.trust);
    c.unit_dist("behaviour.orientation", &b.orientation);
    c.unit_dist("behaviour.fidelity", &b.fidelity);
    c.level_dist("behaviour.temperature", &b.temperature, 1e-3, 1e3);
    for (i, p) in s.provinces.iter().enumerate() {
        for (what, dist, shift) in [
            ("local_centric", b.local_centric, p.local_centric_shift),
            ("barrier", b.barrier, p.barrier_shift),
        ] {
            let (base, sd) = (dist.mean(), dist.sd());
            let m = base + shift;
            let path = format!("provinces[{i}].{what}_shift");
            if sd == 0.0 && !(0.0..=1.0).contains(&m) {
                c.fail(
                    path,
                    format!("behaviour.{what} {base} plus this shift gives {m}, outside [0, 1]"),
                );
            } else if sd > 0.0 && !(m > 0.0 && m < 1.0) {
                c.fail(path, format!("behaviour.{what} mean {base} plus this shift gives {m}; a spread value needs a mean strictly between 0 and 1"));
            } else if sd > 0.0 && sd * sd >= m * (1.0 - m) {
                c.fail(path, format!("with this shift the mean of behaviour.{what} is {m}, for which sd {sd} is too large (need sd < {:.4})", (m * (1.0 - m)).sqrt()));
            }
        }
    }

    // Dynamics.
    let d = &s.dynamics;
    c.unit("dynamics.prior_cooperation", d.prior_cooperation);
    c.open_unit("dynamics.distrust_floor", d.distrust_floor);
    c.unit("dynamics.cost_relief", d.cost_relief);
    c.non_negative("dynamics.adaptation", d.adaptation);
    c.unit("dynamics.alignment_rate", d.alignment_rate);
    c.unit("dynamics.alignment_decay", d.alignment_decay);
    c.unit("dynamics.foundation", d.foundation);
    c.positive("dynamics.capacity", d.capacity);
    c.unit("dynamics.wave_threshold", d.wave_threshold);
    c.unit("dynamics.trust_up", d.trust_up);
    c.unit("dynamics.trust_down", d.trust_down);
    c.unit("dynamics.trust_floor", d.trust_floor);
    c.unit("dynamics.dilution", d.dilution);
    c.non_negative("dynamics.bureau_rigidity", d.bureau_rigidity);
    c.unit("dynamics.unfairness", d.unfairness);
    c.unit("dynamics.retreat_trust_cost", d.retreat_trust_cost);
    c.unit("dynamics.wear_local_centric", d.wear_local_centric);
    c.unit("dynamics.wear_barrier", d.wear_barrier);
    c.unit("dynamics.orientation_rate", d.orientation_rate);
    c.non_negative("dynamics.reward_effect", d.reward_effect);
    c.non_negative("dynamics.punishment_effect", d.punishment_effect);
    c.unit("dynamics.punishment_ceiling", d.punishment_ceiling);
    c.non_negative("dynamics.reward_bureau", d.reward_bureau);
    c.magnitude("dynamics.growth_rate", d.growth_rate, 0.1);
    c.level(
        "dynamics.bureau_temperature",
        d.bureau_temperature,
        1e-3,
        1e3,
    );
    c.non_negative("dynamics.bureau_benefit", d.bureau_benefit);
    c.non_negative("dynamics.bureau_cost", d.bureau_cost);
    c.non_negative("dynamics.deepen_effort", d.deepen_effort);
    c.unit("dynamics.joint_body", d.joint_body);

    // Stages and dilemmas.
    let st = &s.stages;
    c.unit("stages.transition_alignment", st.transition_alignment);
    c.unit("stages.advanced_alignment", st.advanced_alignment);
    c.unit("stages.advanced_trust", st.advanced_trust);
    c.unit("stages.advanced_cooperation", st.advanced_cooperation);
    c.unit("stages.advanced_orientation", st.advanced_orientation);
    c.unit("stages.retreat_cooperation", st.retreat_cooperation);
    if st.advanced_axes > 3 {
        c.fail(
            "stages.advanced_axes",
            format!(
                "counts the cultural, social and ecological axes: at most 3, found {}",
                st.advanced_axes
            ),
        );
    }
    if st.retreat_window == 0 {
        c.fail("stages.retreat_window", "expected at least 1 period");
    }
    let dl = &s.dilemma;
    c.unit("dilemma.drop", dl.drop);
    c.unit("dilemma.min_peak", dl.min_peak);
    c.unit("dilemma.selective_threshold", dl.selective_threshold);
    c.unit("dilemma.siphon_threshold", dl.siphon_threshold);
    c.unit("dilemma.stall", dl.stall);
    c.non_negative("dilemma.deepen_cost", dl.deepen_cost);
    c.unit("dilemma.deepen_alignment", dl.deepen_alignment);
    c.level("dilemma.temperature", dl.temperature, 1e-3, 1e3);
    if dl.selective_window == 0 {
        c.fail("dilemma.selective_window", "expected at least 1 period");
    }

    c.level("demand.scale", s.demand.scale, 1e-6, 1e6);
    c.level("demand.peak", s.demand.peak, 1e-3, 1e3);
    c.level("demand.shape", s.demand.shape, 1e-3, 100.0);
    c.problems
}

fn list<'a>(ids: impl Iterator<Item = &'a String>) -> String {
    ids.map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
