//! A digest of everything the engine records (every field of every `RunResult`, printed with
//! `{:?}`, which writes each `f64` exactly) for a set of scenarios that exercise the engine's
//! paths: the built-in scenario with several seeds and levers, each standardization timing, frozen
//! dynamics, a central schedule given out of order with per-domain overrides, and sizes from 1 to
//! 15,000 jurisdictions (several parallel chunks). Two builds of the engine that print the same
//! digests record the same bits; a speed-up of the engine must leave them unchanged.
//! `cargo run --release -p xietong-sim --example engine_digest` (`-- --dump DIR` also writes the
//! records, one file per case, to compare when a digest differs).

use xietong_model::builtin::chengdu_chongqing;
use xietong_model::calendar::Quarter;
use xietong_model::scenario::{CentralChange, CentralOverride};
use xietong_sim::run_many;

/// FNV-1a, 64 bits: enough to tell two dumps apart.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dump = args
        .iter()
        .position(|a| a == "--dump")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let sets = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut cases: Vec<(&str, xietong_model::Scenario, u64, u64)> = vec![
        ("builtin-s1", chengdu_chongqing(&[]).unwrap(), 1, 300),
        ("builtin-s5", chengdu_chongqing(&[]).unwrap(), 5, 300),
        (
            "key_first",
            chengdu_chongqing(&sets(&["levers.sequencing=key_first"])).unwrap(),
            5,
            150,
        ),
        (
            "all_at_once",
            chengdu_chongqing(&sets(&["levers.sequencing=all_at_once"])).unwrap(),
            2,
            150,
        ),
        (
            "responsive",
            chengdu_chongqing(&sets(&["levers.standardization.timing=responsive"])).unwrap(),
            3,
            150,
        ),
        (
            "developmental",
            chengdu_chongqing(&sets(&["levers.standardization.timing=developmental"])).unwrap(),
            4,
            150,
        ),
        (
            "none",
            chengdu_chongqing(&sets(&["levers.standardization.timing=none"])).unwrap(),
            6,
            150,
        ),
        (
            "frozen",
            chengdu_chongqing(&sets(&[
                "dynamics.frozen=true",
                "levers.standardization.timing=developmental",
            ]))
            .unwrap(),
            7,
            30,
        ),
        (
            "cadre-flexible",
            chengdu_chongqing(&sets(&[
                "levers.cadre.reward=0.6",
                "levers.cadre.punishment=0.4",
                "levers.flexibility=0.1",
                "levers.uniformity=1.0",
            ]))
            .unwrap(),
            8,
            150,
        ),
        (
            "one-jurisdiction-per-zone",
            chengdu_chongqing(&sets(&[
                "zones.A1.jurisdictions=1",
                "zones.A2.jurisdictions=1",
                "zones.A3.jurisdictions=1",
                "zones.B1.jurisdictions=1",
                "zones.B2.jurisdictions=1",
                "zones.B3.jurisdictions=1",
                "zones.B4.jurisdictions=1",
            ]))
            .unwrap(),
            9,
            100,
        ),
        (
            "700-jurisdictions",
            chengdu_chongqing(&sets(&[
                "zones.A1.jurisdictions=400",
                "zones.B2.jurisdictions=290",
            ]))
            .unwrap(),
            10,
            10,
        ),
        (
            "15000-jurisdictions",
            chengdu_chongqing(&sets(&[
                "zones.A1.jurisdictions=5000",
                "zones.A2.jurisdictions=5000",
                "zones.B1.jurisdictions=5000",
                "calendar.periods=16",
            ]))
            .unwrap(),
            11,
            2,
        ),
    ];
    // A central schedule out of quarter order, with a per-domain change and override.
    let mut sched = chengdu_chongqing(&[]).unwrap();
    let first = sched.domains[0].id.clone();
    let third = sched.domains[2].id.clone();
    sched.central.domains.insert(
        third.clone(),
        CentralOverride {
            support: Some(0.45),
            penalty: None,
            enforcement: Some(0.6),
        },
    );
    let change = |q: &str, domain: Option<&String>, scale, support, enforcement| CentralChange {
        from: Quarter::parse(q).unwrap(),
        domain: domain.cloned(),
        scale,
        support,
        penalty: None,
        enforcement,
    };
    sched.central.schedule = vec![
        change("2026Q1", None, Some(1.5), None, None),
        change("2022Q2", Some(&first), None, Some(0.7), None),
        change("2024Q3", Some(&third), Some(0.5), None, Some(0.1)),
        change("2021Q1", None, None, None, Some(0.4)),
    ];
    cases.push(("central-schedule", sched, 12, 150));
    for (name, s, seed, runs) in cases {
        let text = format!("{:?}", run_many(&s, seed, runs, &|| {}));
        println!("{name:<28} {:016x}", fnv(text.as_bytes()));
        if let Some(dir) = &dump {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("{name}.txt")), text).unwrap();
        }
    }
}
