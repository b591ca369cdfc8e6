//! Every bad-input case of issue 3 is reported with file, line and column and what was expected.

use xietong_game::{Game, GameError};

const BASE: &str = r#"title = "t"
[parameters]
R = 6.0
C = 2.0
[[population]]
name = "A"
strategies = ["c", "d"]
[[population]]
name = "B"
strategies = ["c", "d"]
[[payoff]]
profile = ["c", "c"]
values = ["R - C", "R - C"]
[[payoff]]
profile = ["c", "d"]
values = ["-C", "R"]
[[payoff]]
profile = ["d", "c"]
values = ["R", "-C"]
[[payoff]]
profile = ["d", "d"]
values = ["0", "0"]
"#;

fn err(src: &str) -> GameError {
    Game::parse("g.toml", src).expect_err("should fail")
}

fn at(e: &GameError, line: usize, column: usize, needle: &str) {
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("g.toml", line, column),
        "{e}"
    );
    assert!(e.message.contains(needle), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("g.toml:{line}:{column}: ")),
        "{e}"
    );
}

#[test]
fn the_base_file_is_valid() {
    let g = Game::parse("g.toml", BASE).unwrap();
    let v = g.parameter_values(&[]).unwrap();
    assert!(g.numeric(&v).is_ok());
}

#[test]
fn undefined_parameter() {
    let e = err(&BASE.replace(r#"values = ["-C", "R"]"#, r#"values = ["-C", "R + Q"]"#));
    // `Q` sits at column 22 of line 16.
    at(&e, 16, 22, "undefined parameter `Q`");
}

#[test]
fn missing_profile() {
    let src = BASE.replace(
        "[[payoff]]\nprofile = [\"d\", \"d\"]\nvalues = [\"0\", \"0\"]\n",
        "",
    );
    let e = Game::parse("g.toml", &src).expect_err("missing");
    assert!(
        e.message
            .contains("missing [[payoff]] for profile [\"d\", \"d\"]"),
        "{e}"
    );
    // Points at the last [[payoff]] given.
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("g.toml", 17, 1),
        "{e}"
    );
}

#[test]
fn duplicated_profile() {
    let e = err(&BASE.replace(r#"profile = ["d", "c"]"#, r#"profile = ["c", "d"]"#));
    at(&e, 18, 11, "given twice (first at line 15");
}

#[test]
fn wrong_number_of_values() {
    let e = err(&BASE.replace(r#"values = ["R", "-C"]"#, r#"values = ["R"]"#));
    at(&e, 19, 10, "expected 2 payoff values");
}

#[test]
fn unknown_strategy() {
    let e = err(&BASE.replace(r#"profile = ["d", "d"]"#, r#"profile = ["d", "x"]"#));
    at(&e, 21, 17, "unknown strategy `x` for population `B`");
    assert!(e.message.contains("`c`, `d`"));
}

#[test]
fn unparsable_expression() {
    let e = err(&BASE.replace(
        r#"values = ["R - C", "R - C"]"#,
        r#"values = ["R - C", "R - * C"]"#,
    ));
    // line 13: `values = ["R - C", "R - * C"]`, the `*` is at column 25.
    at(&e, 13, 25, "expected a number");
}

#[test]
fn nan_or_infinite_payoff_at_given_parameters() {
    let src = BASE.replace(r#"values = ["0", "0"]"#, r#"values = ["R / (C - 2)", "0"]"#);
    let g = Game::parse("g.toml", &src).unwrap();
    let v = g.parameter_values(&[]).unwrap();
    let e = g.numeric(&v).expect_err("inf");
    at(&e, 22, 12, "evaluates to inf");
    let v = g.parameter_values(&[("C".into(), 3.0)]).unwrap();
    assert!(g.numeric(&v).is_ok());
    assert!(
        g.parameter_values(&[("Z".into(), 1.0)])
            .unwrap_err()
            .contains("not a parameter")
    );
}

#[test]
fn toml_syntax_and_unknown_fields() {
    let e = err(&BASE.replace("C = 2.0", "C = "));
    assert_eq!(e.line, 4, "{e}");
    let e = err(&BASE.replace("name = \"A\"", "name = \"A\"\nstrategy = []"));
    assert!(e.message.contains("unknown field"), "{e}");
    assert_eq!(e.line, 7, "{e}");
}

#[test]
fn population_and_strategy_counts() {
    let one = "[[population]]\nname = \"A\"\nstrategies = [\"c\", \"d\"]\n";
    let e = err(one);
    assert!(e.message.contains("expected 2 to 4 [[population]]"), "{e}");
    let e = err(&BASE.replace(
        "strategies = [\"c\", \"d\"]\n[[population]]\nname = \"B\"",
        "strategies = [\"c\"]\n[[population]]\nname = \"B\"",
    ));
    at(&e, 7, 14, "at least 2 strategies");
}

#[test]
fn large_games_are_refused_before_allocating() {
    let pop = |name: &str, n: usize| {
        let s: Vec<String> = (0..n).map(|k| format!("\"s{k}\"")).collect();
        format!(
            "[[population]]\nname = \"{name}\"\nstrategies = [{}]\n",
            s.join(", ")
        )
    };
    // 2 x 300 strategies: 2^300 supports; 4 x 6: (2^6 - 1)^4 = 15,752,961.
    for src in [
        format!("{}{}", pop("A", 300), pop("B", 300)),
        format!(
            "{}{}{}{}",
            pop("A", 6),
            pop("B", 6),
            pop("C", 6),
            pop("D", 6)
        ),
    ] {
        let e = err(&src);
        assert!(e.message.starts_with("game too large"), "{e}");
        assert!(e.message.contains("the limit is 20000"), "{e}");
    }
    // 4 x 3 and 2 x 7 are within the limit (checked up to the missing payoffs).
    let e = err(&format!(
        "{}{}{}{}",
        pop("A", 3),
        pop("B", 3),
        pop("C", 3),
        pop("D", 3)
    ));
    assert!(e.message.contains("missing [[payoff]]"), "{e}");
    let e = err(&format!("{}{}", pop("A", 7), pop("B", 7)));
    assert!(e.message.contains("missing [[payoff]]"), "{e}");
}

#[test]
fn slow_searches_are_refused_by_the_work_limit() {
    use xietong_game::spec::{MAX_SEARCH_WORK, search_work};
    let pop = |name: &str, n: usize| {
        let s: Vec<String> = (0..n).map(|k| format!("\"s{k}\"")).collect();
        format!(
            "[[population]]\nname = \"{name}\"\nstrategies = [{}]\n",
            s.join(", ")
        )
    };
    // 3, 3, 4, 4 has 10,881 supports (under the support limit) but took about a minute.
    let e = err(&format!(
        "{}{}{}{}",
        pop("A", 3),
        pop("B", 3),
        pop("C", 4),
        pop("D", 4)
    ));
    assert!(e.message.contains("the rest-point search"), "{e}");
    assert!(search_work(&[3, 3, 4, 4]) > MAX_SEARCH_WORK);
    assert!(search_work(&[5, 5, 4]) > MAX_SEARCH_WORK);
    // The games measured at a few seconds or less stay allowed.
    for shape in [
        vec![3, 3, 3, 3],
        vec![4, 4, 4],
        vec![7, 7],
        vec![2, 2, 2, 2],
        vec![2, 3],
    ] {
        assert!(search_work(&shape) < MAX_SEARCH_WORK, "{shape:?}");
    }
    // Counting by hand for 2 x 2: one support with both mixed (1 start) and four with one mixed
    // (1 start each), 4 profiles, 2 populations: 5 * 4 * 4 = 80.
    assert_eq!(search_work(&[2, 2]), 80.0);
}

#[test]
fn huge_payoffs_are_refused_instead_of_overflowing_to_inf() {
    // Payoffs of 1e308 are finite, but differences of them (eigenvalues, Jacobian entries)
    // overflow to inf: before this limit `--json` printed such eigenvalues as null.
    let g = Game::parse("g.toml", BASE).unwrap();
    let v = g.parameter_values(&[("R".into(), 1e308)]).unwrap();
    let e = g.numeric(&v).expect_err("too large");
    assert!(
        e.message.contains("expected a magnitude up to 1e100"),
        "{e}"
    );
    assert_eq!((e.line, e.column), (13, 12), "{e}");
    let v = g.parameter_values(&[("R".into(), 1e99)]).unwrap();
    assert!(g.numeric(&v).is_ok());
}
