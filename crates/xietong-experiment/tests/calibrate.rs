//! Calibration: the objective is what it says, the optimiser recovers a parameter value from
//! targets the model itself produced at that value, and the written scenario loads to the fitted one.

use xietong_experiment::calibrate::{Calibration, Targets, calibrate, calibrated_toml};
use xietong_model::builtin::{BUILTIN_NAME, CHENGDU_CHONGQING};

fn cal(spec: &str, targets: Targets) -> Calibration {
    Calibration::new(spec, "cal.toml", CHENGDU_CHONGQING, BUILTIN_NAME, targets).unwrap()
}

const SPEC: &str = r#"
[[parameter]]
path = "domains.public_services.local_benefit"
low = 0.0
high = 1.5
[calibration]
runs = 4
seed = 3
restarts = 2
max_iters = 40
"#;

#[test]
fn objective_is_squared_error_plus_order_hinge() {
    let c = cal(SPEC, Targets::paper());
    // Domains in the targets' (sorted) order: consumption_destination, infrastructure, public_services.
    let coop = [0.4, 0.6, 0.7];
    let sq = (0.4f64 - 0.367).powi(2) + (0.6f64 - 0.657).powi(2) + (0.7f64 - 0.69).powi(2);
    // One adjacent pair out of order (B3 above A2 by 10 with a mean of 100).
    let demand = [100.0, 110.0, 100.0, 100.0, 100.0, 95.0, 95.0];
    let mean = demand.iter().sum::<f64>() / 7.0;
    let want = sq + (10.0 / mean).powi(2);
    assert!((c.objective_of(&coop, &demand) - want).abs() < 1e-15);
    let ordered = [120.0, 110.0, 100.0, 90.0, 80.0, 70.0, 60.0];
    assert!((c.objective_of(&coop, &ordered) - sq).abs() < 1e-15);
}

#[test]
fn recovers_a_value_from_targets_made_at_that_value() {
    let probe = cal(SPEC, Targets::paper());
    let truth = 0.8;
    let (coop, _) = probe.simulate_targets(&[truth]).unwrap();
    // Only the public-services share, as simulated at b = 0.8 with the same seeds.
    let k = Targets::paper()
        .domain_cooperation_shares
        .keys()
        .position(|d| d == "public_services")
        .unwrap();
    let targets = Targets {
        domain_cooperation_shares: [("public_services".to_string(), coop[k])].into(),
        zone_demand_order: vec![],
    };
    for method in ["nelder_mead", "particle_swarm"] {
        let spec = SPEC.replace("runs = 4", &format!("runs = 4\nmethod = \"{method}\""));
        let c = cal(&spec, targets.clone());
        let out = calibrate(&c, &|_| {}).unwrap();
        let best = &out.fits[out.best];
        assert!(
            (best.params[0] - truth).abs() < 0.02,
            "{method}: fitted {} for truth {truth}",
            best.params[0]
        );
        assert!(
            best.objective < 1e-5,
            "{method}: objective {}",
            best.objective
        );
        assert_eq!(out.fits.len(), 2);
        // The written scenario loads and carries the fitted value.
        let text = calibrated_toml(&c, &best.params, "# test\n").unwrap();
        let s = xietong_model::parse_scenario(&text, "calibrated").unwrap();
        let d = s.domain_index("public_services").unwrap();
        assert_eq!(s.domains[d].local_benefit, best.params[0]);
        let direct = c.scenario(&best.params).unwrap();
        assert_eq!(
            xietong_sim::simulate(&s, 1, 0).summary,
            xietong_sim::simulate(&direct, 1, 0).summary
        );
    }
}

#[test]
fn bad_calibration_files_and_targets_are_refused() {
    let e = |spec: &str| {
        Calibration::new(
            spec,
            "cal.toml",
            CHENGDU_CHONGQING,
            BUILTIN_NAME,
            Targets::paper(),
        )
        .err()
        .expect("refused")
        .to_string()
    };
    let m = e(&SPEC.replace("low = 0.0", "low = 2.0"));
    assert!(m.contains("cal.toml") && m.contains("inverted"), "{m}");
    let m = e(&SPEC.replace("local_benefit\"", "local_benefitt\""));
    assert!(m.contains("does not make a valid scenario"), "{m}");
    let m = e(&SPEC.replace("runs = 4", "runs = 0"));
    assert!(m.contains("at least 1"), "{m}");
    let m = e(&SPEC.replace("runs = 4", "runs = 4\nmethod = \"simplex\""));
    assert!(m.contains("cal.toml:"), "{m}");
    let bad = Targets {
        domain_cooperation_shares: [("health".to_string(), 0.5)].into(),
        zone_demand_order: vec![],
    };
    let m = Calibration::new(SPEC, "cal.toml", CHENGDU_CHONGQING, BUILTIN_NAME, bad)
        .err()
        .unwrap()
        .to_string();
    assert!(m.contains("unknown domain \"health\""), "{m}");
    let m = Targets::parse_json("{\"domain_cooperation_shares\": {\"x\": 1.5}}", "t.json")
        .unwrap_err()
        .to_string();
    assert!(m.contains("expected a share"), "{m}");
    let m = Targets::parse_json("{\"domain_cooperation_shares\": [}", "t.json")
        .unwrap_err()
        .to_string();
    assert!(m.contains("t.json:1:"), "{m}");
    // The survey module's output shape is accepted (extra fields ignored).
    let t = Targets::parse_json(
        r#"{"source": "x", "synthetic": true, "domain_cooperation_shares": {"public_services": 0.69},
            "zone_demand_order": ["A2", "B3"], "zone_demand_means": {"A2": 180.0}, "cooperation_mode_share": 0.92}"#,
        "t.json",
    )
    .unwrap();
    assert_eq!(t.zone_demand_order, ["A2", "B3"]);
}
