//! The studio's answers are the library's: the same located errors as the CLI's loaders and the
//! same tables as `xietong-present`.

mod support;

use serde_json::json;
use support::*;
use xietong_model::builtin::CHENGDU_CHONGQING;

#[test]
fn scenario_errors_are_the_loaders_with_paths_and_lines() {
    let (s, _ws) = studio("api-sim");
    let bad = CHENGDU_CHONGQING.replace("uniformity = 0.8", "uniformity = 1.8");
    let r = post_json(s.addr, "/api/sim/check", &json!({"toml": bad, "name": "my.toml"})).json();
    assert_eq!(r["ok"], false);
    let expected = xietong_model::parse_scenario(&bad, "my.toml").unwrap_err();
    assert_eq!(r["problems"]["message"], expected.to_string());
    let p = &r["problems"]["problems"][0];
    assert_eq!(p["path"], "levers.uniformity");
    let line = bad.lines().position(|l| l.starts_with("uniformity = 1.8")).unwrap() + 1;
    assert_eq!(p["line"], line);
    // The form's document round-trips to a valid scenario; running refuses an invalid one.
    let ok = post_json(s.addr, "/api/sim/check", &json!({"toml": CHENGDU_CHONGQING})).json();
    assert_eq!(ok["ok"], true);
    let doc = ok["doc"].clone();
    assert_eq!(post_json(s.addr, "/api/sim/check", &json!({"doc": doc})).json()["ok"], true);
    assert_eq!(post_json(s.addr, "/api/sim/run", &json!({"toml": bad})).status, 400);
    assert_eq!(post_json(s.addr, "/api/sim/run", &json!({"toml": CHENGDU_CHONGQING, "runs": 0})).status, 400);
}

#[test]
fn game_answers_carry_the_presentation_crates_latex_and_located_errors() {
    let (s, _ws) = studio("api-game");
    let text = xietong_studio::game::EXAMPLES[0].1;
    let r = post_json(s.addr, "/api/game/analyze", &json!({"text": text, "name": "g.toml", "values": {"Cg": 0.9}})).json();
    assert_eq!(r["ok"], true, "{r}");
    let ld = xietong_present::game::LoadedGame::new("g.toml", text, &["Cg=0.9".to_string()], xietong_report::Lang::En).unwrap();
    let an = ld.analyze();
    assert_eq!(r["latex"], xietong_present::game::latex_table(&ld, &an));
    assert_eq!(r["rest_points"].as_array().unwrap().len(), an.rest_points.len());
    let broken = text.replacen("values = [", "values = [\"S +* 1\", ", 1);
    let e = post_json(s.addr, "/api/game/analyze", &json!({"text": broken, "name": "g.toml"})).json();
    assert_eq!(e["ok"], false);
    let expected = xietong_game::Game::parse("g.toml", &broken).unwrap_err();
    assert_eq!(e["problems"][0]["line"], expected.line);
    assert_eq!(e["problems"][0]["column"], expected.column);
}
