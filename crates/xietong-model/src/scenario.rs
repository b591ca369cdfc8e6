//! The scenario: everything a simulation needs, as read from TOML. Types here mirror the file
//! format documented in `docs/scenario.md`; `validate` checks every range so that the engine never
//! has to clamp or guess. Symbols in comments follow `docs/ODD.md`.

use crate::calendar::Quarter;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub calendar: Calendar,
    pub provinces: Vec<Province>,
    pub zones: Vec<Zone>,
    /// Explicitly listed jurisdictions; when non-empty, zone `jurisdictions` counts must be 0.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jurisdictions: Vec<JurisdictionSpec>,
    pub domains: Vec<Domain>,
    pub central: Central,
    pub levers: Levers,
    pub behaviour: Behaviour,
    #[serde(default)]
    pub dynamics: Dynamics,
    #[serde(default)]
    pub stages: Stages,
    #[serde(default)]
    pub dilemma: DilemmaRules,
    #[serde(default)]
    pub demand: Demand,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    pub start: Quarter,
    pub periods: u32,
    /// First and last quarter (inclusive) of the survey window.
    pub survey_window: [Quarter; 2],
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Province {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Added to the region-wide mean of initial λ for this province's jurisdictions.
    #[serde(default)]
    pub local_centric_shift: f64,
    /// Added to the region-wide mean of initial β for this province's jurisdictions.
    #[serde(default)]
    pub barrier_shift: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub id: String,
    pub province: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// Number of jurisdictions generated in this zone.
    #[serde(default)]
    pub jurisdictions: u32,
    /// Development level `d` of generated jurisdictions (relative units; lognormal when spread).
    pub development: Dist,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionSpec {
    pub name: String,
    pub zone: String,
    pub development: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    Economic,
    Political,
    Cultural,
    Social,
    Ecological,
}

impl Axis {
    pub const ALL: [Axis; 5] = [
        Axis::Economic,
        Axis::Political,
        Axis::Cultural,
        Axis::Social,
        Axis::Ecological,
    ];
    pub fn id(self) -> &'static str {
        match self {
            Axis::Economic => "economic",
            Axis::Political => "political",
            Axis::Cultural => "cultural",
            Axis::Social => "social",
            Axis::Ecological => "ecological",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Axis::Economic => "经济",
            Axis::Political => "政治",
            Axis::Cultural => "文化",
            Axis::Social => "社会",
            Axis::Ecological => "生态",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Basic,
    Key,
    Other,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Basic, Tier::Key, Tier::Other];
    pub fn id(self) -> &'static str {
        match self {
            Tier::Basic => "basic",
            Tier::Key => "key",
            Tier::Other => "other",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub axis: Axis,
    pub tier: Tier,
    /// Joint value `V` (relative to a jurisdiction's size).
    pub value: f64,
    /// Selective local benefit `b`.
    pub local_benefit: f64,
    /// Transaction cost `T`.
    pub cost: f64,
    /// Negotiation difficulty `h` (难协商).
    pub difficulty: f64,
    /// Risk loss `L` when the partner does not deliver.
    pub risk: f64,
    /// Siphon exponent `σ ≥ 0`.
    #[serde(default)]
    pub siphon: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Central {
    /// Multiplies every support `S` and penalty `F`.
    #[serde(default = "one")]
    pub scale: f64,
    /// Default support `S` for cooperating, for every domain.
    pub support: f64,
    /// Default penalty `F` for not cooperating.
    pub penalty: f64,
    /// Default enforcement probability `q`.
    pub enforcement: f64,
    /// Per-domain overrides of the defaults, keyed by domain id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, CentralOverride>,
    /// Changes from a given quarter on (applied in order; later entries win).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<CentralChange>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralOverride {
    pub support: Option<f64>,
    pub penalty: Option<f64>,
    pub enforcement: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralChange {
    pub from: Quarter,
    /// A domain id, or absent for every domain.
    pub domain: Option<String>,
    pub scale: Option<f64>,
    pub support: Option<f64>,
    pub penalty: Option<f64>,
    pub enforcement: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    None,
    /// From the first period (建设先行: developmental, not responsive).
    Developmental,
    /// From the first dilemma.
    Responsive,
    /// From `levers.standardization.start`.
    Scheduled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sequencing {
    BasicFirst,
    AllAtOnce,
    KeyFirst,
}

impl Sequencing {
    /// Tiers in the order their waves open.
    pub fn order(self) -> Vec<Vec<Tier>> {
        match self {
            Sequencing::BasicFirst => vec![vec![Tier::Basic], vec![Tier::Key], vec![Tier::Other]],
            Sequencing::KeyFirst => vec![vec![Tier::Key], vec![Tier::Basic], vec![Tier::Other]],
            Sequencing::AllAtOnce => vec![vec![Tier::Basic, Tier::Key, Tier::Other]],
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levers {
    pub standardization: Standardization,
    pub sequencing: Sequencing,
    /// Uniformity `u` of unified standards.
    pub uniformity: f64,
    /// Execution flexibility `φ`.
    pub flexibility: f64,
    #[serde(default)]
    pub cadre: Cadre,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standardization {
    pub timing: Timing,
    /// First quarter of standardization when `timing = "scheduled"`.
    pub start: Option<Quarter>,
    /// Multiplier on the provincial bureaus' effort, in [0, 1].
    #[serde(default = "one")]
    pub effort: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cadre {
    /// Reward `r` for cadres who carry out cooperation.
    #[serde(default)]
    pub reward: f64,
    /// Punishment `p` for cadres who do not.
    #[serde(default)]
    pub punishment: f64,
}

/// A behavioural parameter: a fixed value or a spread across jurisdictions. Unit-interval
/// quantities are drawn from a Beta with this mean and standard deviation, positive ones from a
/// lognormal: both keep draws in range without clamping.
/// Read by hand (see `load.rs`) so that a misspelt key such as `sdd` is an error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Dist {
    Fixed(f64),
    Spread { mean: f64, sd: f64 },
}

impl Dist {
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Spread { mean, .. } => mean,
        }
    }
    pub fn sd(&self) -> f64 {
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Spread { sd, .. } => sd,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Initial local-centric thinking `λ` (region mean; provinces add their shift).
    pub local_centric: Dist,
    /// Initial administrative barrier `β`.
    pub barrier: Dist,
    /// Initial trust `τ`.
    pub trust: Dist,
    /// Initial regional orientation `ω`.
    pub orientation: Dist,
    /// Bounded-rationality temperature `μ > 0`.
    pub temperature: Dist,
    /// Baseline execution fidelity `f0`.
    pub fidelity: Dist,
}

fn one() -> f64 {
    1.0
}

/// Constants of the state dynamics (docs/ODD.md, section 7).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dynamics {
    /// Freeze trust, alignment, λ, β, ω and development at their initial values.
    pub frozen: bool,
    /// Partner cooperation assumed before anything has been observed, `π_0`.
    pub prior_cooperation: f64,
    /// Share of belief kept at zero trust, `c` in `(c + (1 − c) τ)`.
    pub distrust_floor: f64,
    /// Fall of transaction cost with alignment, `η`.
    pub cost_relief: f64,
    /// Adaptation-cost scale `κ` of rigid unified standards.
    pub adaptation: f64,
    /// Alignment growth rate `γ`.
    pub alignment_rate: f64,
    /// Per-period relative decay of alignment in domains outside the active waves.
    pub alignment_decay: f64,
    /// `ζ`: foundation of key/other domains without aligned basic domains.
    pub foundation: f64,
    /// Number of domains the two bureaus can standardize at full pace; with more open domains not
    /// yet aligned to `dilemma.deepen_alignment`, the pace of each is scaled by `capacity / open`.
    pub capacity: f64,
    /// Mean alignment of the newest wave that opens the next wave.
    pub wave_threshold: f64,
    /// Trust adjustment rate towards higher observed cooperation.
    pub trust_up: f64,
    /// Trust adjustment rate towards lower observed cooperation (negativity bias: larger).
    pub trust_down: f64,
    /// `θ` in rule-based trust `τ_r = θ ā_eff u f̄` (aligned rules that are carried out).
    pub trust_floor: f64,
    /// `ψ`: share of alignment that flexible execution leaves unbinding, `ā_eff = a (1 − ψ φ)`.
    pub dilution: f64,
    /// Weight of the resistance to rigid standards, `u (1 − φ)³` times the province's mean
    /// development gap, in a bureau's work utility.
    pub bureau_rigidity: f64,
    /// Weight of perceived unfairness (the own side's siphoned share) in experiential trust.
    pub unfairness: f64,
    /// Share of experiential trust lost in both provinces at a retreat decision.
    pub retreat_trust_cost: f64,
    /// `κ_λ`: wearing down of local-centric thinking with alignment and trust.
    pub wear_local_centric: f64,
    /// `κ_β`: wearing down of barriers with alignment.
    pub wear_barrier: f64,
    /// Rate at which `ω` moves towards `ā τ`.
    pub orientation_rate: f64,
    /// `ρ_r`: effect of cadre reward on fidelity (gentle, no ceiling).
    pub reward_effect: f64,
    /// `k_p`: effect of cadre punishment on fidelity (steep: it saturates quickly).
    pub punishment_effect: f64,
    /// `c_p`: the largest share of the gap to full execution that punishment can close.
    pub punishment_ceiling: f64,
    /// Weight of cadre reward in a bureau's work utility (reward also speeds standardization).
    pub reward_bureau: f64,
    /// Scale of development growth from realized benefits per period.
    pub growth_rate: f64,
    /// Temperature of the provincial bureaus' quarterly work / no-work decision.
    pub bureau_temperature: f64,
    /// Weight of the expected cost relief (summed over the open domains) in a bureau's benefit.
    pub bureau_benefit: f64,
    /// A bureau's cost of standardization effort.
    pub bureau_cost: f64,
    /// Push on both bureaus' work utility from each deepen decision (a joint programme), up to
    /// three.
    pub deepen_effort: f64,
    /// Share of a domain's transaction cost and negotiation difficulty removed by the joint body a
    /// deepen decision sets up (compounding, at most three times per domain).
    pub joint_body: f64,
}

impl Default for Dynamics {
    fn default() -> Self {
        Dynamics {
            frozen: false,
            prior_cooperation: 0.5,
            distrust_floor: 0.3,
            cost_relief: 0.7,
            adaptation: 1.0,
            alignment_rate: 0.35,
            alignment_decay: 0.01,
            foundation: 0.1,
            capacity: 3.0,
            wave_threshold: 0.5,
            trust_up: 0.05,
            trust_down: 0.12,
            trust_floor: 1.0,
            dilution: 0.4,
            bureau_rigidity: 3.0,
            unfairness: 1.0,
            retreat_trust_cost: 0.15,
            wear_local_centric: 0.04,
            wear_barrier: 0.04,
            orientation_rate: 0.1,
            reward_effect: 0.7,
            punishment_effect: 5.0,
            punishment_ceiling: 0.6,
            reward_bureau: 1.0,
            growth_rate: 0.004,
            bureau_temperature: 0.3,
            bureau_benefit: 2.0,
            bureau_cost: 0.5,
            deepen_effort: 0.5,
            joint_body: 0.15,
        }
    }
}

/// Stage thresholds (docs/ODD.md, 7.14).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Stages {
    /// Mean alignment that marks the transition stage (after a deepen decision).
    pub transition_alignment: f64,
    pub advanced_alignment: f64,
    pub advanced_trust: f64,
    /// Cooperation an axis needs to count towards multi-axis collaboration.
    pub advanced_cooperation: f64,
    /// Cultural, social and ecological axes that must cooperate (besides the economic main axis
    /// and the aligned political key axis).
    pub advanced_axes: u32,
    pub advanced_orientation: f64,
    /// Mean cooperation below which the region is collapsing.
    pub retreat_cooperation: f64,
    /// Consecutive periods of collapse that make the retreat stage.
    pub retreat_window: u32,
}

impl Default for Stages {
    fn default() -> Self {
        Stages {
            transition_alignment: 0.2,
            advanced_alignment: 0.6,
            advanced_trust: 0.7,
            advanced_cooperation: 0.6,
            advanced_axes: 2,
            advanced_orientation: 0.5,
            retreat_cooperation: 0.08,
            retreat_window: 4,
        }
    }
}

/// When a domain is in a dilemma and what the provinces then weigh.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DilemmaRules {
    /// Whether the provinces can choose to deepen at a dilemma (`false`: only continue or
    /// retreat; a scheduled or developmental start of standardization still happens).
    pub deepen_enabled: bool,
    /// Relative fall below the running peak of a domain's cooperation that triggers a dilemma.
    pub drop: f64,
    /// Running peak a domain must have reached before a fall counts.
    pub min_peak: f64,
    /// Selective-cooperation index above which a sustained spell, before any standardization has
    /// started, is the initial-stage dilemma.
    pub selective_threshold: f64,
    /// Periods the selective index must stay above its threshold.
    pub selective_window: u32,
    /// The weaker province's share of a domain's joint value below which it sees the domain's
    /// gains siphoned away: a dilemma.
    pub siphon_threshold: f64,
    /// Periods a domain must have been active before it can trigger a dilemma (no dilemma on the
    /// noise of a fresh start).
    pub warmup: u32,
    /// A domain open for standardization whose cooperation is still below `min_peak` and has
    /// risen by less than this over `selective_window` periods has stagnated: a dilemma.
    pub stall: f64,
    /// Periods after a dilemma in a domain before it can trigger again.
    pub cooldown: u32,
    /// Periods a retreated domain stays inactive.
    pub retreat_periods: u32,
    /// Perceived cost of deepening (starting or raising standardization for the domain).
    pub deepen_cost: f64,
    /// Long-run alignment at which deepening is valued.
    pub deepen_alignment: f64,
    /// Temperature of the provinces' quantal choice at a dilemma.
    pub temperature: f64,
}

impl Default for DilemmaRules {
    fn default() -> Self {
        DilemmaRules {
            deepen_enabled: true,
            drop: 0.3,
            min_peak: 0.2,
            selective_threshold: 0.8,
            selective_window: 8,
            siphon_threshold: 0.4,
            warmup: 4,
            stall: 0.05,
            cooldown: 12,
            retreat_periods: 8,
            deepen_cost: 0.1,
            deepen_alignment: 0.8,
            temperature: 0.3,
        }
    }
}

/// Standards demand by zone: involvement (rises with development) × need (falls as standards
/// mature), a hump in relative development `x = d / d̄`: `scale · (x/peak)^shape · e^{shape (1 − x/peak)}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Demand {
    /// Demand at the peak, in the survey's summed-score units.
    pub scale: f64,
    /// Relative development at which demand peaks.
    pub peak: f64,
    /// Sharpness of the hump.
    pub shape: f64,
}

impl Default for Demand {
    fn default() -> Self {
        Demand {
            scale: 180.0,
            peak: 1.0,
            shape: 2.0,
        }
    }
}

impl Scenario {
    pub fn domain_index(&self, id: &str) -> Option<usize> {
        self.domains.iter().position(|d| d.id == id)
    }
    pub fn province_index(&self, id: &str) -> Option<usize> {
        self.provinces.iter().position(|p| p.id == id)
    }
    pub fn zone_index(&self, id: &str) -> Option<usize> {
        self.zones.iter().position(|z| z.id == id)
    }
    /// Period labels, one per simulated period.
    pub fn period_label(&self, t: usize) -> String {
        self.calendar.start.plus(t as i64).to_string()
    }
    /// Inclusive period range of the survey window.
    pub fn survey_periods(&self) -> (usize, usize) {
        let [a, b] = self.calendar.survey_window;
        (
            a.since(self.calendar.start) as usize,
            b.since(self.calendar.start) as usize,
        )
    }
}
