//! End-to-end tests: headless Chromium drives every page of the studio as a user would. Skipped
//! with a notice when chromium/chromedriver are missing, unless XIETONG_REQUIRE_BROWSER=1.
//! Screenshots of each page in both languages go to target/tmp/studio-screens/ for review.

mod support;

use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;
use support::*;

/// One browser at a time: the machines that run these have two cores.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

const T: Duration = Duration::from_secs(60);

#[test]
fn simulator_change_a_lever_see_errors_run_and_switch_language() {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut b) = browser() else { return };
    let (s, _ws) = studio("e2e-sim");
    b.open_in(&format!("{}#sim", s.url), "en");
    b.wait(
        "the scenario form",
        "document.querySelector('#sim-status.ok')",
        T,
    );
    let lever = "#sim-form input[type=number][data-path='levers.uniformity']";
    // A value out of range is marked on the field, with the loader's message.
    b.type_into(lever, "1.5");
    b.wait(
        "the lever marked invalid",
        &format!("document.querySelector(\"{lever}\").classList.contains('invalid')"),
        T,
    );
    let problems = b.js(
        "return document.querySelector('#sim-problems').textContent;",
        json!([]),
    );
    assert!(
        problems.as_str().unwrap().contains("levers.uniformity"),
        "{problems}"
    );
    // Running is refused while the scenario is invalid.
    b.click("#sim-run-btn");
    b.wait(
        "the refusal",
        "document.querySelector('#sim-run .ptext').textContent.includes('problem')",
        T,
    );
    // A valid value clears the mark.
    b.type_into(lever, "0.95");
    b.wait(
        "the form valid again",
        "document.querySelector('#sim-status.ok') && !document.querySelector('.invalid')",
        T,
    );
    // Run 12 runs: the run report (report.html of `xietong run`) is shown and its files offered.
    b.type_into("#sim-runs", "12");
    b.click("#sim-run-btn");
    b.wait(
        "the report",
        "document.querySelector('#sim-charts iframe.report')",
        T,
    );
    b.wait(
        "the files",
        "document.querySelectorAll('#sim-files a').length >= 7",
        T,
    );
    let report = b.js("return fetch(document.querySelector('#sim-charts iframe.report').src).then(r => r.text());", json!([]));
    assert!(
        report
            .as_str()
            .unwrap()
            .contains("xietong simulation report"),
        "{report}"
    );
    b.wait(
        "the report shown",
        "document.querySelector('#sim-charts iframe.report[data-loaded]')",
        T,
    );
    let progress = b.js(
        "return document.querySelector('#sim-run .ptext').textContent;",
        json!([]),
    );
    assert!(
        progress.as_str().unwrap().starts_with("12/12"),
        "{progress}"
    );
    let files = b.js(
        "return [...document.querySelectorAll('#sim-files a')].map(a => a.textContent).join(' ');",
        json!([]),
    );
    for f in [
        "timeseries.csv",
        "zones.csv",
        "summary.json",
        "report.html",
        "tables.xlsx",
        "report.docx",
        "tables.tex",
        "scenario.toml",
    ] {
        assert!(files.as_str().unwrap().contains(f), "{files}");
    }
    // The run used the edited lever: the scenario file offered with the results says so.
    let href = b.js("return [...document.querySelectorAll('#sim-files a')].find(a => a.textContent.includes('scenario.toml')).getAttribute('href');", json!([]));
    let toml = get(s.addr, href.as_str().unwrap()).text();
    let parsed: toml::Table = toml::from_str(&toml).unwrap();
    assert_eq!(
        parsed["levers"]["uniformity"].as_float(),
        Some(0.95),
        "{toml}"
    );
    let summary = b.js("return fetch([...document.querySelectorAll('#sim-files a')].find(a => a.textContent.includes('summary.json')).href).then(r => r.json()).then(j => j.runs);", json!([]));
    assert_eq!(summary, json!(12));
    b.screenshot(&shot("sim-en.png"));

    // Compare two built-in variants side by side.
    b.type_into("#sim-cmp-runs", "6");
    b.click("#sim-cmp-btn");
    b.wait(
        "the comparison table",
        "document.querySelector('#sim-cmp-table table')",
        T,
    );
    let sides = b.js("return [document.querySelectorAll('#sim-cmp-a svg').length, document.querySelectorAll('#sim-cmp-b svg').length];", json!([]));
    assert!(
        sides[0].as_u64().unwrap() > 0 && sides[1].as_u64().unwrap() > 0,
        "{sides}"
    );

    b.js(
        "document.querySelector('#sim-cmp').scrollIntoView();",
        json!([]),
    );
    b.screenshot(&shot("sim-cmp-en.png"));

    // Switch to Chinese: the page's words change, and the reports shown are redrawn in Chinese.
    let old_src = b.js(
        "return document.querySelector('#sim-charts iframe.report').src;",
        json!([]),
    );
    b.click("#lang");
    b.wait(
        "Chinese labels",
        "document.querySelector('#nav a[data-page=sim]').textContent === '机制模拟'",
        T,
    );
    assert_eq!(
        b.js("return document.documentElement.lang;", json!([])),
        json!("zh-CN")
    );
    b.wait(
        "the report reloaded",
        &format!("document.querySelector('#sim-charts iframe.report').src !== {old_src}"),
        T,
    );
    let report = b.js("return fetch(document.querySelector('#sim-charts iframe.report').src).then(r => r.text());", json!([]));
    assert!(
        report.as_str().unwrap().contains("协同模拟报告"),
        "{report}"
    );
    b.wait(
        "the comparison table in Chinese",
        "/[\\u4e00-\\u9fff]/.test(document.querySelector('#sim-cmp-table table').textContent)",
        T,
    );
    b.wait(
        "the arms' charts in Chinese",
        "[...document.querySelectorAll('#sim-cmp-a svg text')].some(t => t.textContent.includes('合作概率'))",
        T,
    );
    b.wait(
        "the report shown",
        "document.querySelector('#sim-charts iframe.report[data-loaded]')",
        T,
    );
    std::thread::sleep(Duration::from_millis(1000)); // let the frame paint before the screenshot
    b.screenshot(&shot("sim-zh.png"));
    // A long run: the report's charts are drawn live, in Chinese, as the runs come in; cancel.
    b.type_into("#sim-runs", "3000");
    b.click("#sim-run-btn");
    b.wait("a Chinese chart", "[...document.querySelectorAll('#sim-charts svg text')].some(t => t.textContent.includes('合作概率'))", T);
    b.wait(
        "the preview's run count",
        "document.querySelector('#sim-note').textContent.includes('已完成')",
        T,
    );
    b.screenshot(&shot("sim-zh-live.png"));
    b.click("#sim-run .cancel");
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn game_slider_updates_the_table_click_starts_a_trajectory_errors_marked_in_place() {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut b) = browser() else { return };
    let (s, _ws) = studio("e2e-game");
    b.open_in(&format!("{}#game", s.url), "en");
    b.wait(
        "the analysis",
        "document.querySelector('#game-msg.ok') && document.querySelector('#game-rest table')",
        T,
    );
    let before = b.js(
        "return document.querySelector('#game-rest').textContent;",
        json!([]),
    );
    assert!(
        before
            .as_str()
            .unwrap()
            .contains("(cooperate, cooperate, strict)"),
        "{before}"
    );
    // Move the slider of Cg (the centre's cost of strict supervision) as a user drags it.
    b.js(
        "const r = document.querySelector('#game-params input[type=range][data-param=Cg]'); r.value = 0.9; r.dispatchEvent(new Event('input', {bubbles: true}));",
        json!([]),
    );
    b.wait(
        "the table to change",
        "document.querySelector('#game-rest').textContent.includes('0.9')",
        T,
    );
    let after = b.js(
        "return document.querySelector('#game-rest').textContent;",
        json!([]),
    );
    assert_ne!(before, after);
    assert!(
        b.js(
            "return document.querySelector('#game-cond').textContent;",
            json!([])
        )
        .as_str()
        .unwrap()
        .contains("0.9")
    );
    // Click inside the portrait: one more trajectory is drawn.
    let paths_before = b.js("return document.querySelectorAll('#game-phase svg polyline, #game-phase svg path').length;", json!([])).as_u64().unwrap();
    b.click_at("#game-phase svg", 200, 200);
    b.wait(
        "a trajectory",
        &format!("document.querySelectorAll('#game-phase svg polyline, #game-phase svg path').length > {paths_before}"),
        T,
    );
    b.screenshot(&shot("game-en.png"));
    // A typo in a payoff is marked on its line while typing.
    b.js(
        "const t = document.querySelector('#page-game textarea'); t.value = t.value.replace('values = [', 'values = [\"S +* 1\", '); t.dispatchEvent(new Event('input', {bubbles: true}));",
        json!([]),
    );
    b.wait(
        "the error marked in place",
        "document.querySelector('#page-game .ln.bad') && document.querySelector('#game-msg.err')",
        T,
    );
    let msg = b.js(
        "return document.querySelector('#game-msg').textContent;",
        json!([]),
    );
    assert!(
        msg.as_str()
            .unwrap()
            .contains("chengdu_chongqing_central.toml:"),
        "{msg}"
    );
    b.screenshot(&shot("game-error.png"));
    // Back to the example, in Chinese.
    b.click("#lang");
    b.js(
        "const s = document.querySelector('#game-example'); s.dispatchEvent(new Event('change'));",
        json!([]),
    );
    b.wait("the analysis in Chinese", "document.querySelector('#game-msg.ok') && document.querySelector('#page-game h2').textContent === '演化博弈分析'", T);
    b.screenshot(&shot("game-zh.png"));
    // A game with three strategies per population: the time paths of `xietong game simulate`.
    b.js(
        "const s = document.querySelector('#game-example'); s.value = 'nashpy_rps.toml'; s.dispatchEvent(new Event('change'));",
        json!([]),
    );
    b.wait("the time paths", "document.querySelectorAll('#game-phase .timepath svg').length === 2 && document.querySelector('#game-timepaths-note')", T);
    let note = b.js(
        "return document.querySelector('#game-timepaths-note').textContent;",
        json!([]),
    );
    assert!(note.as_str().unwrap().contains("相图"), "{note}");
    // The previous game's sliders are gone (this one has no parameters).
    assert_eq!(
        b.js(
            "return document.querySelectorAll('#game-params input').length;",
            json!([])
        ),
        json!(0)
    );
    b.js(
        "document.querySelector('#game-phase').scrollIntoView();",
        json!([]),
    );
    b.screenshot(&shot("game-rps-zh.png"));
    b.click("#lang");
    b.wait("the time paths in English", "[...document.querySelectorAll('#game-phase .timepath svg text')].some(t => t.textContent === 'time')", T);
    b.js(
        "document.querySelector('#game-phase').scrollIntoView();",
        json!([]),
    );
    b.screenshot(&shot("game-rps-en.png"));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn survey_upload_the_example_export_and_get_a_t_test() {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut b) = browser() else { return };
    let (s, ws) = studio("e2e-survey");
    b.open_in(&format!("{}#survey", s.url), "en");
    b.wait("the page", "document.querySelector('#survey-file')", T);
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/survey/wjx_sample.csv");
    b.choose_file("#survey-file", &example.canonicalize().unwrap());
    b.wait(
        "the upload read",
        "document.querySelector('#survey-msg.ok')",
        T,
    );
    let codebook = b.js(
        "return document.querySelector('#page-survey textarea').value;",
        json!([]),
    );
    assert!(
        codebook.as_str().unwrap().contains("[[item]]")
            && codebook
                .as_str()
                .unwrap()
                .contains("column = \"5、政策执行工作情况\""),
        "{codebook}"
    );
    // The upload went into the workspace under a name the studio chose.
    assert_eq!(std::fs::read_dir(ws.join("uploads")).unwrap().count(), 1);
    let pick = |b: &mut Browser, id: &str, v: &str| {
        b.js(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));",
            json!([id, v]),
        );
    };
    pick(&mut b, "#survey-value", "5、政策执行工作情况");
    pick(&mut b, "#survey-group", "1、您所在的省份");
    b.wait(
        "the t-test",
        "document.querySelector('#survey-out').textContent.includes('5、政策执行工作情况')",
        T,
    );
    let text = b
        .js(
            "return document.querySelector('#survey-out').textContent;",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_string();
    // The same text as `xietong survey ttest` prints, from the same library function.
    let t = xietong_survey::read::read_table(&example, &Default::default()).unwrap();
    let r = xietong_survey::quick::ttest_report(
        &t,
        "5、政策执行工作情况",
        "1、您所在的省份",
        None,
        &[],
        0.95,
        false,
    )
    .unwrap();
    let mut expected = xietong_present::survey::ttest_text(&r);
    expected = expected.replace(&t.source, "wjx_sample.csv");
    assert_eq!(text.trim(), expected.trim());
    b.screenshot(&shot("survey-en.png"));
    // Change an option: the result follows (ANOVA over the zones, with post-hoc tests).
    pick(&mut b, "#survey-analysis", "anova");
    pick(&mut b, "#survey-group", "2、您所在的区域");
    b.wait(
        "the ANOVA",
        "document.querySelector('#survey-out').textContent.includes('Tukey')",
        T,
    );
    b.click("#lang");
    b.wait(
        "Chinese labels",
        "document.querySelector('#page-survey h2').textContent === '问卷分析'",
        T,
    );
    b.screenshot(&shot("survey-zh.png"));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn experiment_start_cancel_close_the_studio_resume_and_see_the_morris_report() {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut b) = browser() else { return };
    let ws = temp_dir("e2e-exp");
    let config = || xietong_studio::Config {
        port: 0,
        port_fixed: true,
        workspace: ws.clone(),
        ..Default::default()
    };
    let s = xietong_studio::start(config()).unwrap();
    b.open_in(&format!("{}#experiment", s.url), "en");
    b.wait(
        "the example",
        "document.querySelector('#page-experiment textarea').value.includes('morris')",
        T,
    );
    b.js(
        "const t = document.querySelector('#page-experiment textarea'); t.value = t.value.replace('replications = 4', 'replications = 30').replace('name = \"morris-levers\"', 'name = \"e2e-morris\"');",
        json!([]),
    );
    b.click("#exp-start");
    // Cancel once some points are done: the complete points stay on disk.
    b.wait(
        "some progress",
        "document.querySelector('#exp-progress').value > 0",
        T,
    );
    b.click("#exp-cancel");
    b.wait(
        "the cancel",
        "document.querySelector('#exp-ptext').textContent.toLowerCase().includes('cancelled')",
        T,
    );
    b.wait("a partial experiment", "document.querySelector('#exp-list tr[data-id=e2e-morris] .exp-status')?.textContent === 'partial'", T);
    let done_before = b
        .js(
            "return document.querySelector('#exp-progress').value;",
            json!([]),
        )
        .as_f64()
        .unwrap();
    assert!(
        done_before < 1800.0,
        "cancelled before the end ({done_before})"
    );
    // Close the studio and open a new one on the same workspace.
    s.stop().unwrap();
    let s = xietong_studio::start(config()).unwrap();
    b.goto(&format!("{}#experiment", s.url));
    b.wait(
        "the partial experiment listed",
        "document.querySelector('#exp-list tr[data-id=e2e-morris] .exp-resume')",
        T,
    );
    b.click("#exp-list tr[data-id=e2e-morris] .exp-resume");
    b.wait("the experiment complete", "document.querySelector('#exp-list tr[data-id=e2e-morris] .exp-status')?.textContent === 'complete'", Duration::from_secs(400));
    let results = std::fs::read_to_string(ws.join("experiments/e2e-morris/results.csv")).unwrap();
    assert_eq!(
        results.lines().count(),
        1 + 1800,
        "every run once after the resume"
    );
    b.click("#exp-list tr[data-id=e2e-morris] .exp-analyze");
    b.wait(
        "the Morris report frame",
        "document.querySelector('#exp-report')?.src",
        T,
    );
    // The framed report is sandboxed (opaque origin), so read what it shows from its address.
    let report = b.js(
        "return fetch(document.querySelector('#exp-report').src).then(r => r.text());",
        json!([]),
    );
    assert!(
        report.as_str().unwrap().contains("<svg") && report.as_str().unwrap().contains("Morris"),
        "{report}"
    );
    let files = b.js(
        "return [...document.querySelectorAll('#exp-files a')].map(a => a.textContent).join(' ');",
        json!([]),
    );
    // The journal files come with the analysis, as from `xietong experiment analyze`.
    for name in [
        "sensitivity.csv",
        "report.docx",
        "tables.xlsx",
        "tables.tex",
    ] {
        assert!(files.as_str().unwrap().contains(name), "{name}: {files}");
    }
    b.screenshot(&shot("experiment-en.png"));
    let old_src = b.js(
        "return document.querySelector('#exp-report').src;",
        json!([]),
    );
    b.click("#lang");
    b.wait(
        "Chinese labels",
        "document.querySelector('#page-experiment h2').textContent === '实验'",
        T,
    );
    // The report shown is asked for again, in Chinese.
    b.wait("the report again", &format!("document.querySelector('#exp-report') && document.querySelector('#exp-report').src !== {old_src}"), T);
    let report = b.js(
        "return fetch(document.querySelector('#exp-report').src).then(r => r.text());",
        json!([]),
    );
    assert!(
        report.as_str().unwrap().contains("lang=\"zh-CN\""),
        "{report}"
    );
    // The progress line of the finished job is written again in Chinese.
    b.wait(
        "the progress line in Chinese",
        "document.querySelector('#exp-ptext').textContent.includes('完成')",
        T,
    );
    // The experiments list is written again in Chinese too.
    b.wait(
        "the status word in Chinese",
        "document.querySelector('#exp-list tr[data-id=e2e-morris] .exp-status')?.textContent === '已完成'",
        T,
    );
    b.screenshot(&shot("experiment-zh.png"));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}

#[test]
fn experiment_on_an_uploaded_base_scenario() {
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let Some(mut b) = browser() else { return };
    let (s, ws) = studio("e2e-exp-base");
    b.open_in(&format!("{}#experiment", s.url), "en");
    b.wait(
        "the example",
        "document.querySelector('#page-experiment textarea').value.includes('morris')",
        T,
    );
    let exp = "name = \"on-file\"\nseed = 1\nreplications = 2\n[base]\nscenario = \"my-region.toml\"\n[[factor]]\npath = \"central.support\"\nlow = 0.0\nhigh = 1.0\n[design]\nmethod = \"latin_hypercube\"\nn = 3\nseed = 1\n";
    b.js("const t = document.querySelector('#page-experiment textarea'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));", json!([exp]));
    // Without the scenario file: refused, saying which file to open.
    b.click("#exp-start");
    b.wait("the refusal", "document.querySelector('#exp-msg.err') && document.querySelector('#exp-msg').textContent.includes('my-region.toml')", T);
    // A bad scenario file: the CLI's located error.
    let dir = temp_dir("e2e-exp-base-files");
    let bad = dir.join("my-region.toml");
    std::fs::write(
        &bad,
        xietong_model::builtin::CHENGDU_CHONGQING.replace("uniformity = 0.8", "uniformity = 1.8"),
    )
    .unwrap();
    b.choose_file("#exp-base-file", &bad);
    b.wait(
        "the file read",
        "document.querySelector('#exp-base-name').textContent === 'my-region.toml'",
        T,
    );
    b.click("#exp-start");
    b.wait("the located error", "document.querySelector('#exp-msg.err') && document.querySelector('#exp-msg').textContent.includes('levers.uniformity')", T);
    b.screenshot(&shot("experiment-base-error-en.png"));
    // Fixed in the page's editor: the experiment runs on it.
    b.js("const t = document.querySelectorAll('#exp-base textarea')[0]; t.value = t.value.replace('uniformity = 1.8', 'uniformity = 0.6'); t.dispatchEvent(new Event('input', {bubbles: true}));", json!([]));
    b.click("#exp-start");
    b.wait("the experiment complete", "document.querySelector('#exp-list tr[data-id=on-file] .exp-status')?.textContent === 'complete'", Duration::from_secs(300));
    let copy = std::fs::read_to_string(
        ws.join("experiments/on-file")
            .join(xietong_experiment::store::SCENARIO_COPY),
    )
    .unwrap();
    assert!(copy.contains("uniformity = 0.6"), "{copy}");
    b.click("#lang");
    b.wait(
        "Chinese labels",
        "document.querySelector('#exp-base h3').textContent === '基础情景'",
        T,
    );
    b.screenshot(&shot("experiment-base-zh.png"));
    assert_eq!(b.console_errors(), Vec::<String>::new());
}
