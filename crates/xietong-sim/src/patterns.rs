//! Pattern-oriented validation (docs/ODD.md, section 9): each pattern the model must reproduce,
//! written once as a comparison of scenario variants over many runs, so that the test suite (many
//! seeds), the robustness study (perturbed parameters) and anyone reading the ODD use the same
//! definition. A pattern is a claim about means over runs, each with a stated margin.
//!
//! Variants are `--set` overrides on top of a base: the built-in scenario plus `base` overrides
//! (a perturbation, for the robustness study).

use crate::record::{PeriodRecord, RunResult};
use crate::runset::run_many;
use xietong_model::builtin::CHENGDU_CHONGQING;
use xietong_model::load::parse_with_overrides;
use xietong_model::mechanism::Stage;
use xietong_model::{Scenario, Tier};

/// Where and how often to evaluate the patterns.
#[derive(Clone, Debug)]
pub struct Probe {
    /// Overrides of the built-in scenario that every variant starts from.
    pub base: Vec<String>,
    pub seed: u64,
    pub runs: u64,
    /// Standard errors a difference must also exceed (0: the margin alone decides).
    pub ses: f64,
}

/// One pattern's verdict and the numbers behind it.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub id: &'static str,
    pub holds: bool,
    /// What was measured, for people: `name = value` pairs.
    pub measured: Vec<(String, f64)>,
    /// Which of the pattern's conditions failed (empty when it holds).
    pub failed: Vec<String>,
}

struct Check {
    id: &'static str,
    ses: f64,
    measured: Vec<(String, f64)>,
    failed: Vec<String>,
}

impl Check {
    fn new(id: &'static str, ses: f64) -> Check {
        Check {
            id,
            ses,
            measured: Vec::new(),
            failed: Vec::new(),
        }
    }
    fn note(&mut self, name: &str, v: f64) -> f64 {
        self.measured.push((name.to_string(), v));
        v
    }
    /// The condition `what` must hold.
    fn require(&mut self, what: &str, ok: bool) {
        if !ok {
            self.failed.push(what.to_string());
        }
    }
    /// Per-run values `a` and `b` of two variants: their means must differ by more than
    /// `margin`, and by more than `ses` standard errors of the difference (so that an effect is
    /// clear of noise). Run r of every variant uses the same random streams (common random
    /// numbers), so the runs pair and the standard error is that of the paired differences.
    /// Both means are recorded.
    fn greater(&mut self, what: &str, a: &[f64], b: &[f64], margin: f64) {
        let ma = self.note(&format!("{what} (a)"), mean(a));
        let mb = self.note(&format!("{what} (b)"), mean(b));
        let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let se = (variance(&d) / d.len() as f64).sqrt();
        let diff = ma - mb;
        self.require(
            &format!(
                "{what}: {ma:.4} − {mb:.4} > {margin} and > {} paired SE ({se:.4})",
                self.ses
            ),
            diff > margin && diff > self.ses * se,
        );
    }
    fn done(self) -> Verdict {
        Verdict {
            id: self.id,
            holds: self.failed.is_empty(),
            measured: self.measured,
            failed: self.failed,
        }
    }
}

impl Probe {
    pub fn new(base: Vec<String>, seed: u64, runs: u64) -> Probe {
        Probe {
            base,
            seed,
            runs,
            ses: 0.0,
        }
    }

    /// The same probe, also asking every difference to exceed `ses` standard errors.
    pub fn with_standard_errors(self, ses: f64) -> Probe {
        Probe { ses, ..self }
    }

    /// The scenario of a variant.
    pub fn scenario(&self, sets: &[&str]) -> Scenario {
        let mut all = self.base.clone();
        all.extend(sets.iter().map(|s| s.to_string()));
        parse_with_overrides(CHENGDU_CHONGQING, "<pattern variant>", &all)
            .unwrap_or_else(|e| panic!("a pattern variant must be a valid scenario: {e}"))
    }

    /// Runs of a variant.
    pub fn runs(&self, sets: &[&str]) -> (Scenario, Vec<RunResult>) {
        let s = self.scenario(sets);
        let r = run_many(&s, self.seed, self.runs, &|| {});
        (s, r)
    }

    /// Every pattern, in order.
    pub fn all(&self) -> Vec<Verdict> {
        vec![
            self.p1(),
            self.p2(),
            self.p3(),
            self.p4(),
            self.p5(),
            self.p6(),
            self.p7(),
            self.p8(),
            self.p9(),
            self.p11(),
            self.p12(),
            self.p13(),
        ]
    }

    /// P1: with λ and β high and no standardization, the region stays initial; cooperation is
    /// high in high-b/low-h domains and low in the rest.
    pub fn p1(&self) -> Verdict {
        let mut c = Check::new("P1", self.ses);
        let (s, res) = self.runs(&[
            "levers.standardization.timing=none",
            "behaviour.local_centric.mean=0.7",
            "behaviour.barrier.mean=0.7",
        ]);
        let initial = mean(&per_run(&res, |r| {
            share(r.periods.iter().map(|p| p.stage == Stage::Initial))
        }));
        c.note("share of run-periods initial", initial);
        c.require("initial in at least 90% of run-periods", initial >= 0.9);
        let (easy, rest) = easy_and_rest(&s);
        let e = per_run(&res, |r| group(r, &easy, 20));
        let h = per_run(&res, |r| group(r, &rest, 20));
        c.greater("easy vs other domains, periods 20-", &e, &h, 0.15);
        c.require(
            "easy domains at least twice the rest",
            mean(&e) > 2.0 * mean(&h),
        );
        c.done()
    }

    /// P2: raising central support and penalty raises cooperation in every domain, but with
    /// protectionism the gap between easy and hard domains remains.
    pub fn p2(&self) -> Verdict {
        let mut c = Check::new("P2", self.ses);
        let (s, rb) = self.runs(&["levers.standardization.timing=none"]);
        let (_, rs) = self.runs(&["levers.standardization.timing=none", "central.scale=2"]);
        let higher = (0..s.domains.len())
            .filter(|&k| {
                mean(&per_run(&rs, |r| late(r, 0, |p| p.coop_domain[k])))
                    > mean(&per_run(&rb, |r| late(r, 0, |p| p.coop_domain[k])))
            })
            .count();
        c.note("domains with higher cooperation", higher as f64);
        c.require("every domain cooperates more", higher == s.domains.len());
        let (easy, rest) = easy_and_rest(&s);
        let gap =
            |res: &[RunResult]| mean(&per_run(res, |r| group(r, &easy, 20) - group(r, &rest, 20)));
        let (gb, gs) = (
            c.note("gap, base", gap(&rb)),
            c.note("gap, doubled", gap(&rs)),
        );
        c.require(
            "the easy-hard gap remains (≥ 0.1 and ≥ half the base gap)",
            gs >= 0.1 && gs >= 0.5 * gb,
        );
        c.done()
    }

    /// P3: with standardization trust rises, λ and β fall, the region reaches transition and
    /// then advanced.
    pub fn p3(&self) -> Verdict {
        let mut c = Check::new("P3", self.ses);
        let long = "calendar.periods=100";
        let (_, with) = self.runs(&[long]);
        let (_, none) = self.runs(&[long, "levers.standardization.timing=none"]);
        let last = |res: &[RunResult], f: &dyn Fn(&PeriodRecord) -> f64| {
            per_run(res, |r| f(r.periods.last().unwrap()))
        };
        c.greater(
            "final trust",
            &last(&with, &|p| p.trust),
            &last(&none, &|p| p.trust),
            0.1,
        );
        c.greater(
            "final λ (none vs with)",
            &last(&none, &|p| p.local_centric),
            &last(&with, &|p| p.local_centric),
            0.05,
        );
        c.greater(
            "final β (none vs with)",
            &last(&none, &|p| p.barrier),
            &last(&with, &|p| p.barrier),
            0.05,
        );
        let tr = c.note(
            "runs reaching transition",
            share(
                with.iter()
                    .map(|r| r.summary.first_transition_period.is_some()),
            ),
        );
        let adv = c.note(
            "runs reaching advanced",
            share(
                with.iter()
                    .map(|r| r.summary.first_advanced_period.is_some()),
            ),
        );
        c.require("most runs reach transition", tr >= 0.8);
        c.require("at least half the runs reach advanced", adv >= 0.5);
        c.done()
    }

    /// P4: developmental standardization reaches transition sooner, with fewer dilemmas and
    /// retreats, than responsive.
    pub fn p4(&self) -> Verdict {
        let mut c = Check::new("P4", self.ses);
        let long = "calendar.periods=60";
        let (_, dev) = self.runs(&[long, "levers.standardization.timing=developmental"]);
        let (_, resp) = self.runs(&[long, "levers.standardization.timing=responsive"]);
        c.greater(
            "quarters to transition (responsive vs developmental)",
            &transition_time(&resp),
            &transition_time(&dev),
            2.0,
        );
        let trouble =
            |res: &[RunResult]| per_run(res, |r| (r.summary.dilemmas + r.summary.retreats) as f64);
        c.greater(
            "dilemmas + retreats (responsive vs developmental)",
            &trouble(&resp),
            &trouble(&dev),
            0.0,
        );
        c.done()
    }

    /// P5: basic-first sequencing gives more cumulative cooperation and no more retreats than
    /// key-first; key-first reaches transition later, not never.
    pub fn p5(&self) -> Verdict {
        let mut c = Check::new("P5", self.ses);
        let long = "calendar.periods=60";
        let (_, basic) = self.runs(&[long]);
        let (_, key) = self.runs(&[long, "levers.sequencing=key_first"]);
        let cum = |res: &[RunResult]| per_run(res, |r| r.summary.cumulative_cooperation);
        c.greater("cumulative cooperation", &cum(&basic), &cum(&key), 0.5);
        let ret = |res: &[RunResult]| mean(&per_run(res, |r| r.summary.retreats as f64));
        let (rb, rk) = (
            c.note("retreats, basic-first", ret(&basic)),
            c.note("retreats, key-first", ret(&key)),
        );
        c.require("no more retreats under basic-first", rb <= rk);
        c.greater(
            "quarters to transition (key vs basic)",
            &transition_time(&key),
            &transition_time(&basic),
            0.5,
        );
        let reach = c.note(
            "key-first runs reaching transition",
            share(
                key.iter()
                    .map(|r| r.summary.first_transition_period.is_some()),
            ),
        );
        c.require("key-first reaches transition in most runs", reach >= 0.5);
        c.done()
    }

    /// P6: at high heterogeneity, high uniformity with intermediate flexibility beats rigidity
    /// (φ = 0), dilution (φ = 1) and low uniformity, on cumulative cooperation and time to
    /// transition.
    pub fn p6(&self) -> Verdict {
        let mut c = Check::new("P6", self.ses);
        let het = [
            "calendar.periods=60",
            "zones.A1.development.sd=0.5",
            "zones.B1.development.sd=0.6",
            "zones.B4.development.sd=0.2",
        ];
        let arm = |u: &str, phi: &str| {
            let mut v: Vec<String> = het.iter().map(|s| s.to_string()).collect();
            v.push(format!("levers.uniformity={u}"));
            v.push(format!("levers.flexibility={phi}"));
            let v: Vec<&str> = v.iter().map(|s| s.as_str()).collect();
            self.runs(&v).1
        };
        let (mid, rigid, diluted, low) = (
            arm("1", "0.5"),
            arm("1", "0"),
            arm("1", "1"),
            arm("0.3", "0.5"),
        );
        let cum = |res: &[RunResult]| per_run(res, |r| r.summary.cumulative_cooperation);
        for (name, other) in [
            ("rigid", &rigid),
            ("diluted", &diluted),
            ("low uniformity", &low),
        ] {
            c.greater(
                &format!("cumulative cooperation, intermediate φ vs {name}"),
                &cum(&mid),
                &cum(other),
                0.3,
            );
            c.greater(
                &format!("quarters to transition, {name} vs intermediate φ"),
                &transition_time(other),
                &transition_time(&mid),
                0.5,
            );
        }
        c.done()
    }

    /// P7: cadre reward and punishment each raise execution, realized cooperation and trust and
    /// bring transition earlier; they differ (punishment saturates, reward keeps working).
    pub fn p7(&self) -> Verdict {
        let mut c = Check::new("P7", self.ses);
        let long = "calendar.periods=60";
        let (_, none) = self.runs(&[long]);
        let (_, reward) = self.runs(&[long, "levers.cadre.reward=1"]);
        let (_, punish) = self.runs(&[long, "levers.cadre.punishment=1"]);
        let m =
            |res: &[RunResult], f: &dyn Fn(&PeriodRecord) -> f64| per_run(res, |r| late(r, 0, f));
        for (name, arm) in [("reward", &reward), ("punishment", &punish)] {
            c.greater(
                &format!("{name}: execution gap (none vs {name})"),
                &m(&none, &|p| p.execution_gap),
                &m(arm, &|p| p.execution_gap),
                0.005,
            );
            c.greater(
                &format!("{name}: realized cooperation"),
                &m(arm, &|p| p.executed),
                &m(&none, &|p| p.executed),
                0.005,
            );
            c.greater(
                &format!("{name}: mean trust"),
                &m(arm, &|p| p.trust),
                &m(&none, &|p| p.trust),
                0.005,
            );
            c.greater(
                &format!("{name}: quarters to transition (none vs {name})"),
                &transition_time(&none),
                &transition_time(arm),
                0.5,
            );
        }
        // They differ: punishment saturates quickly, reward keeps working (and also pushes the
        // bureaus), so doubling reward adds more realized cooperation than doubling punishment.
        let (_, reward2) = self.runs(&[long, "levers.cadre.reward=2"]);
        let (_, punish2) = self.runs(&[long, "levers.cadre.punishment=2"]);
        // Run r of every variant uses the same random streams, so the per-run differences pair.
        let added = |more: &[RunResult], base: &[RunResult]| {
            let (x, y) = (m(more, &|p| p.executed), m(base, &|p| p.executed));
            x.iter().zip(&y).map(|(a, b)| a - b).collect::<Vec<f64>>()
        };
        c.greater(
            "realized cooperation added by doubling: reward vs punishment",
            &added(&reward2, &reward),
            &added(&punish2, &punish),
            0.005,
        );
        c.done()
    }

    /// P8: with strong siphoning and a local purpose inequality widens; as orientation turns
    /// regional it narrows (a long horizon: 160 quarters).
    pub fn p8(&self) -> Verdict {
        let mut c = Check::new("P8", self.ses);
        let mut sets = vec!["calendar.periods=160".to_string()];
        for d in &self.scenario(&[]).domains {
            sets.push(format!("domains.{}.siphon=3", d.id));
        }
        let sets: Vec<&str> = sets.iter().map(|s| s.as_str()).collect();
        let (_, res) = self.runs(&sets);
        let t_n = res[0].periods.len();
        let gini = |t: usize| per_run(&res, |r| r.periods[t].gini);
        // The period at which the mean Gini over runs peaks.
        let peak_t = (0..t_n)
            .max_by(|&a, &b| mean(&gini(a)).total_cmp(&mean(&gini(b))))
            .expect("periods");
        c.greater("Gini: peak vs start", &gini(peak_t), &gini(0), 0.01);
        c.greater("Gini: peak vs end", &gini(peak_t), &gini(t_n - 1), 0.01);
        let omega = |t: usize| per_run(&res, |r| r.periods[t].orientation);
        c.greater(
            "orientation: end vs at the peak",
            &omega(t_n - 1),
            &omega(peak_t),
            0.02,
        );
        c.done()
    }

    /// P9: standards demand peaks at intermediate development across zones (survey window).
    pub fn p9(&self) -> Verdict {
        let mut c = Check::new("P9", self.ses);
        let (s, res) = self.runs(&[]);
        let hump = share(res.iter().map(|r| {
            let d = &r.summary.survey_zone_demand;
            let dev: Vec<f64> = (0..s.zones.len())
                .map(|z| window_mean(&s, r, |p| p.zones[z].development))
                .collect();
            let top = argmax(d);
            let (lo, hi) = (argmin(&dev), argmax(&dev));
            top != lo && top != hi
        }));
        c.note(
            "runs where the demand peak is at an intermediate zone",
            hump,
        );
        c.require("in at least 90% of runs", hump >= 0.9);
        c.done()
    }

    /// P11: with Sichuan's λ above Chongqing's and Chongqing's β above Sichuan's, Sichuan's
    /// cooperation across domains follows local benefit more closely, Chongqing's follows ease
    /// (low h) more closely. Statistic: across domains, the correlation of each province's
    /// log-odds of cooperating with b, and with −h (no standardization, periods 10-).
    pub fn p11(&self) -> Verdict {
        let mut c = Check::new("P11", self.ses);
        let (s, res) = self.runs(&["levers.standardization.timing=none"]);
        let b: Vec<f64> = s.domains.iter().map(|d| d.local_benefit).collect();
        let ease: Vec<f64> = s.domains.iter().map(|d| -d.difficulty).collect();
        let corr_with = |p: usize, x: &[f64]| {
            per_run(&res, |r| {
                let y: Vec<f64> = (0..s.domains.len())
                    .map(|k| {
                        let q =
                            late(r, 10, |pr| pr.coop_province_domain[p][k]).clamp(1e-9, 1.0 - 1e-9);
                        (q / (1.0 - q)).ln()
                    })
                    .collect();
                correlation(x, &y)
            })
        };
        c.greater(
            "follows local benefit: Sichuan vs Chongqing",
            &corr_with(0, &b),
            &corr_with(1, &b),
            0.0,
        );
        c.greater(
            "follows ease: Chongqing vs Sichuan",
            &corr_with(1, &ease),
            &corr_with(0, &ease),
            0.0,
        );
        c.done()
    }

    /// P12: raising λ or β lowers mean and key-domain cooperation and raises the
    /// selective-cooperation index (the built-in scenario over 60 quarters).
    pub fn p12(&self) -> Verdict {
        let mut c = Check::new("P12", self.ses);
        for what in ["local_centric", "barrier"] {
            let lo = format!("behaviour.{what}.mean=0.2");
            let hi = format!("behaviour.{what}.mean=0.8");
            let (_, rl) = self.runs(&["calendar.periods=60", &lo]);
            let (_, rh) = self.runs(&["calendar.periods=60", &hi]);
            let m = |res: &[RunResult], f: &dyn Fn(&PeriodRecord) -> f64| {
                per_run(res, |r| late(r, 0, f))
            };
            let key = Tier::ALL
                .iter()
                .position(|&t| t == Tier::Key)
                .expect("key tier");
            c.greater(
                &format!("{what}: mean cooperation, low vs high"),
                &m(&rl, &|p| p.cooperation),
                &m(&rh, &|p| p.cooperation),
                0.02,
            );
            c.greater(
                &format!("{what}: key-domain cooperation, low vs high"),
                &m(&rl, &|p| p.coop_tier[key]),
                &m(&rh, &|p| p.coop_tier[key]),
                0.01,
            );
            c.greater(
                &format!("{what}: selective index, high vs low"),
                &m(&rh, &|p| p.selective_index),
                &m(&rl, &|p| p.selective_index),
                0.0,
            );
        }
        c.done()
    }

    /// P13: deepen matters. Under responsive timing deepen decisions occur and disabling them
    /// delays or prevents transition and lowers cooperation; where a running programme stalls
    /// (key-first sequencing) and deepen decisions occur at its dilemmas, disabling them delays
    /// transition and lowers cooperation.
    pub fn p13(&self) -> Verdict {
        let mut c = Check::new("P13", self.ses);
        let long = "calendar.periods=60";
        let (_, on) = self.runs(&[long, "levers.standardization.timing=responsive"]);
        let (_, off) = self.runs(&[
            long,
            "levers.standardization.timing=responsive",
            "dilemma.deepen_enabled=false",
        ]);
        let deepens = c.note(
            "deepen decisions per run, responsive",
            mean(&per_run(&on, |r| r.summary.deepens as f64)),
        );
        c.require(
            "deepen decisions occur under responsive timing",
            deepens >= 0.5,
        );
        c.greater(
            "quarters to transition, responsive: disabled vs enabled",
            &transition_time(&off),
            &transition_time(&on),
            2.0,
        );
        let cum = |res: &[RunResult]| per_run(res, |r| r.summary.cumulative_cooperation);
        c.greater(
            "cumulative cooperation, responsive: enabled vs disabled",
            &cum(&on),
            &cum(&off),
            0.5,
        );
        // Where a running programme stalls (key-first sequencing), deepen decisions at its
        // dilemmas open the foundation early: disabling them delays transition.
        let (_, key_on) = self.runs(&[long, "levers.sequencing=key_first"]);
        let (_, key_off) = self.runs(&[
            long,
            "levers.sequencing=key_first",
            "dilemma.deepen_enabled=false",
        ]);
        let endogenous = mean(&per_run(&key_on, |r| r.summary.deepens as f64 - 1.0));
        c.note(
            "deepen decisions at dilemmas per run, key-first",
            endogenous,
        );
        c.greater(
            "quarters to transition, key-first: disabled vs enabled",
            &transition_time(&key_off),
            &transition_time(&key_on),
            2.0,
        );
        c.greater(
            "cumulative cooperation, key-first: enabled vs disabled",
            &cum(&key_on),
            &cum(&key_off),
            0.5,
        );
        c.done()
    }
}

/// Each run's first transition quarter, counting a run that never reaches it as the horizon
/// plus one (so "never" is the worst outcome, not a missing value).
pub fn transition_time(res: &[RunResult]) -> Vec<f64> {
    per_run(res, |r| {
        r.summary
            .first_transition_period
            .map_or(r.periods.len() as f64 + 1.0, f64::from)
    })
}

/// Sample variance (0 for fewer than two values).
fn variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return 0.0;
    }
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0)
}

fn per_run(res: &[RunResult], f: impl Fn(&RunResult) -> f64) -> Vec<f64> {
    res.iter().map(f).collect()
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn share(v: impl Iterator<Item = bool>) -> f64 {
    let (yes, n) = v.fold((0usize, 0usize), |(y, n), b| (y + usize::from(b), n + 1));
    yes as f64 / n.max(1) as f64
}

/// Mean over periods `from..` of an indicator.
fn late(r: &RunResult, from: usize, f: impl Fn(&PeriodRecord) -> f64) -> f64 {
    let p = &r.periods[from.min(r.periods.len() - 1)..];
    p.iter().map(f).sum::<f64>() / p.len() as f64
}

fn window_mean(s: &Scenario, r: &RunResult, f: impl Fn(&PeriodRecord) -> f64) -> f64 {
    let (a, b) = s.survey_periods();
    let w = &r.periods[a..=b];
    w.iter().map(f).sum::<f64>() / w.len() as f64
}

fn group(r: &RunResult, ks: &[usize], from: usize) -> f64 {
    ks.iter()
        .map(|&k| late(r, from, |p| p.coop_domain[k]))
        .sum::<f64>()
        / ks.len().max(1) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Domains with above-median local benefit and below-median difficulty, and the rest.
pub fn easy_and_rest(s: &Scenario) -> (Vec<usize>, Vec<usize>) {
    let mb = median(s.domains.iter().map(|d| d.local_benefit).collect());
    let mh = median(s.domains.iter().map(|d| d.difficulty).collect());
    let easy: Vec<usize> = (0..s.domains.len())
        .filter(|&k| s.domains[k].local_benefit > mb && s.domains[k].difficulty < mh)
        .collect();
    let rest = (0..s.domains.len()).filter(|k| !easy.contains(k)).collect();
    (easy, rest)
}

fn argmax(v: &[f64]) -> usize {
    (0..v.len())
        .max_by(|&a, &b| v[a].total_cmp(&v[b]))
        .unwrap_or(0)
}

fn argmin(v: &[f64]) -> usize {
    (0..v.len())
        .min_by(|&a, &b| v[a].total_cmp(&v[b]))
        .unwrap_or(0)
}

/// Pearson correlation (0 when either side has no variance).
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}
