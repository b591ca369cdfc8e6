//! The game presentation API called directly (no CLI): the tables must show the rest points and
//! verdicts of the engine's own analysis.

use xietong_game::Stability;
use xietong_present::Lang;
use xietong_present::game::{self, Formats, LoadedGame, SimulateOptions, SweepOptions};

const STAG_HUNT: &str = include_str!("../../../examples/games/stag_hunt.toml");

fn stag_hunt(set: &[&str], lang: Lang) -> LoadedGame {
    let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
    LoadedGame::new("stag_hunt.toml", STAG_HUNT, &set, lang).unwrap()
}

#[test]
fn stability_table_lists_the_engines_rest_points_and_verdicts() {
    let ld = stag_hunt(&[], Lang::En);
    let an = ld.analyze();
    let text = game::analysis_text(&ld, &an);
    let json = game::analysis_json(&ld, &an);
    let rows = json["rest_points"].as_array().unwrap();
    assert_eq!(rows.len(), an.rest_points.len());
    // Four pure profiles and the interior saddle (the file's documented result).
    assert_eq!(an.rest_points.len(), 5);
    for (k, rp) in an.rest_points.iter().enumerate() {
        let word = game::stability_word(rp.stability, Lang::En);
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("E{}  ", k + 1)))
            .unwrap_or_else(|| panic!("no table row for E{}:\n{text}", k + 1));
        assert!(line.ends_with(word), "{line}");
        assert_eq!(rows[k]["stability"], rp.stability.as_str());
    }
    let stable: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('E') && l.contains("  pure  ") && l.ends_with("stable (ESS)"))
        .collect();
    assert_eq!(stable.len(), 2, "{text}");
    assert!(stable.iter().any(|l| l.contains("(joint, joint)")));
    assert!(stable.iter().any(|l| l.contains("(local, local)")));
    let saddle = text.lines().find(|l| l.ends_with("saddle")).unwrap();
    assert!(saddle.contains("(0.75, 0.75)"), "{saddle}");
    // The LaTeX table has one block per pure profile and escapes nothing it should not.
    let tex = game::latex_table(&ld, &an);
    assert_eq!(tex.matches("$E_{").count(), 4);
    assert_eq!(
        an.rest_points
            .iter()
            .filter(|r| r.stability == Stability::Stable)
            .count(),
        2
    );
}

#[test]
fn bad_values_are_input_errors_naming_the_option() {
    let e = game::parse_set(&["S=abc".into()]).unwrap_err();
    assert!(e.is_input());
    assert_eq!(e.to_string(), "--set S=abc: `abc` is not a number");
    let ld = stag_hunt(&[], Lang::En);
    let e = game::plan_simulation(
        &ld,
        &SimulateOptions {
            from: vec!["0.2".into()],
            ..Default::default()
        },
    )
    .err()
    .unwrap();
    assert!(
        e.to_string().starts_with("--from 0.2: expected 2 shares"),
        "{e}"
    );
    assert!(Formats::parse("gif").unwrap_err().is_input());
}

#[test]
fn simulation_ends_at_the_stable_profile_of_its_basin_and_renders_every_file() {
    let ld = stag_hunt(&[], Lang::Zh);
    let plan = game::plan_simulation(
        &ld,
        &SimulateOptions {
            from: vec!["0.9,0.9".into(), "0.1,0.1".into(), "1,0".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(plan.warnings().len(), 1);
    assert!(plan.warnings()[0].starts_with("start 3 lies on a vertex"));
    let sim = plan.run(&ld).unwrap();
    let summary = game::simulation_summary(&ld, &sim);
    let lines: Vec<&str> = summary.lines().collect();
    // Above the saddle at 0.75 both join; below, both stay local.
    assert!(
        lines[1].contains("→ (1.000, 1.000)") && lines[1].contains("稳定点"),
        "{summary}"
    );
    assert!(lines[2].contains("→ (0.000, 0.000)"), "{summary}");
    let files = game::simulation_files(&ld, &sim, Formats::parse("both").unwrap()).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "trajectories.csv",
            "phase.svg",
            "phase.png",
            "time_1.svg",
            "time_1.png",
            "time_2.svg",
            "time_2.png"
        ]
    );
    let csv = String::from_utf8(files[0].bytes.clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 201);
    assert!(files[2].bytes.starts_with(b"\x89PNG"));
}

#[test]
fn sweep_of_the_stag_payoff_keeps_two_stable_profiles() {
    let ld = stag_hunt(&[], Lang::En);
    let sw = game::sweep(
        &ld,
        &SweepOptions {
            param: "S".into(),
            range: "3.5:5:4".into(),
            from: None,
            t_end: 50.0,
            points: 11,
        },
    )
    .unwrap();
    assert_eq!(sw.points.len(), 4);
    let json = game::sweep_json(&ld, &sw);
    for p in json["points"].as_array().unwrap() {
        assert_eq!(p["stable"].as_array().unwrap().len(), 2, "{p}");
    }
    let text = game::sweep_text(&ld, &sw);
    assert_eq!(text.lines().count(), 2 + 4);
    let e = game::sweep(
        &ld,
        &SweepOptions {
            param: "Q".into(),
            ..SweepOptions {
                param: String::new(),
                range: "0:1:2".into(),
                from: None,
                t_end: 50.0,
                points: 11,
            }
        },
    )
    .err()
    .unwrap();
    assert_eq!(
        e.to_string(),
        "--param Q: not a parameter of this game (parameters: S, G, H)"
    );
}
