//! Models written as papers write them: the payoff-advantage (replicator) form and named
//! sub-expressions (`[definitions]`).

use std::path::PathBuf;
use xietong_game::{Game, analyze, symbolic};

fn example(rel: &str) -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/games")
        .join(rel);
    (rel.to_string(), std::fs::read_to_string(path).unwrap())
}

const STAG_ADVANTAGE: &str = r#"title = "Stag hunt, replicator form"
[parameters]
S = 4.0
G = 0.0
H = 3.0
[[population]]
name = "A"
strategies = ["joint", "local"]
advantage = "y*S + (1 - y)*G - H"
[[population]]
name = "B"
strategies = ["joint", "local"]
advantage = "A*S + (1 - A)*G - H"    # the share of population A, by name
"#;

/// The same game given as a table and as payoff advantages has the same rest points, eigenvalues
/// and verdicts, at the file's values and with a parameter changed.
#[test]
fn advantage_form_matches_the_payoff_table() {
    let (name, text) = example("stag_hunt.toml");
    let table = Game::parse(&name, &text).unwrap();
    let adv = Game::parse("adv.toml", STAG_ADVANTAGE).unwrap();
    assert!(adv.advantages.is_some() && table.advantages.is_none());
    for set in [
        vec![],
        vec![("S".to_string(), 2.5)],
        vec![("G".to_string(), -1.0)],
    ] {
        let a = analyze(
            &table
                .numeric(&table.parameter_values(&set).unwrap())
                .unwrap(),
        );
        let b = analyze(&adv.numeric(&adv.parameter_values(&set).unwrap()).unwrap());
        assert_eq!(a.rest_points.len(), b.rest_points.len());
        for (p, q) in a.rest_points.iter().zip(&b.rest_points) {
            // Only payoff differences matter: the table's local payoff H is the advantage form's 0.
            assert_eq!(p.stability, q.stability);
            assert_eq!(p.kind, q.kind);
            for (u, v) in p.x.iter().zip(&q.x) {
                assert!((u - v).abs() < 1e-12, "{:?} vs {:?}", p.x, q.x);
            }
            for (u, v) in p.eigenvalues.iter().zip(&q.eigenvalues) {
                assert!((u.re - v.re).abs() < 1e-12 && (u.im - v.im).abs() < 1e-12);
            }
        }
    }
    // The built table: A's first strategy earns the advantage at each vertex, the second 0.
    let t: Vec<String> = adv.payoffs.iter().map(|row| row[0].text.clone()).collect();
    assert_eq!(t, vec!["S - H", "G - H", "0", "0"]);
    // Symbolic eigenvalues at (joint, joint): switching to `local` loses S - H.
    let sym = symbolic::pure_profile(&adv, &[0, 0]);
    assert_eq!(sym[0].text, "H - S");
}

/// A multi-affine advantage with a product of two other shares (a three-population game) builds a
/// table that reproduces the advantage at interior points too.
#[test]
fn advantage_with_a_product_of_shares_is_reproduced_inside_the_cube() {
    let src = r#"
[parameters]
a = 1.5
b = -2.0
c = 0.7
[[population]]
name = "E"
strategies = ["1", "2"]
advantage = "a - b*y*z + c*z"
[[population]]
name = "P"
strategies = ["1", "2"]
advantage = "(x - 0.5)*(1 + z)"
[[population]]
name = "G"
strategies = ["1", "2"]
advantage = "1 - 2*x + x*y - (y + 1)^2 + y^2"
"#;
    let g = Game::parse("p.toml", src).unwrap();
    let ng = g.numeric(&g.parameter_values(&[]).unwrap()).unwrap();
    for (x, y, z) in [(0.3, 0.6, 0.2), (0.9, 0.1, 0.75)] {
        let st = vec![x, 1.0 - x, y, 1.0 - y, z, 1.0 - z];
        let mut u = vec![0.0; 6];
        ng.expected_payoffs(&st, &mut u);
        let want = [
            1.5 + 2.0 * y * z + 0.7 * z,
            (x - 0.5) * (1.0 + z),
            1.0 - 2.0 * x + x * y - (y + 1.0) * (y + 1.0) + y * y,
        ];
        for i in 0..3 {
            assert!((u[2 * i] - u[2 * i + 1] - want[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn advantage_errors_name_the_offending_term() {
    let bad = STAG_ADVANTAGE.replace("y*S + (1 - y)*G - H", "y*y*S - H");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("not affine in `y`"), "{e}");
    assert!(e.message.contains("the term `y*y`"), "{e}");
    assert_eq!((e.line, e.column), (9, 14), "{e}");

    let bad = STAG_ADVANTAGE.replace("y*S + (1 - y)*G - H", "exp(y) - H");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("the term `exp(y)`"), "{e}");

    let bad = STAG_ADVANTAGE.replace("y*S + (1 - y)*G - H", "S/(1 + y) - H");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("the term `S/(1 + y)`"), "{e}");

    let bad = STAG_ADVANTAGE.replace("y*S + (1 - y)*G - H", "x*S - H");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("uses `x`, its own share"), "{e}");
    assert_eq!((e.line, e.column), (9, 14), "{e}");

    let bad = STAG_ADVANTAGE.replace("advantage = \"A*S + (1 - A)*G - H\"", "");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(
        e.message.contains("population `B` has no `advantage =`"),
        "{e}"
    );

    let bad = STAG_ADVANTAGE.replace(
        "strategies = [\"joint\", \"local\"]\nadvantage = \"A*S",
        "strategies = [\"joint\", \"local\", \"x\"]\nadvantage = \"A*S",
    );
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("exactly 2 strategies"), "{e}");

    let bad = STAG_ADVANTAGE.replace("H = 3.0", "H = 3.0\ny = 1");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(
        e.message
            .contains("parameter `y` has the name of a population share"),
        "{e}"
    );
    // With two populations `z` is not a share: an ordinary parameter.
    assert!(
        Game::parse(
            "adv.toml",
            &STAG_ADVANTAGE.replace("H = 3.0", "H = 3.0\nz = 1")
        )
        .is_ok()
    );

    let bad =
        format!("{STAG_ADVANTAGE}[[payoff]]\nprofile = [\"joint\", \"joint\"]\nvalues = [1, 1]\n");
    let e = Game::parse("adv.toml", &bad).unwrap_err();
    assert!(e.message.contains("cannot be combined"), "{e}");
}

/// The built-in central-government example names its sub-expressions: the symbolic table uses
/// the names, and every symbolic eigenvalue evaluates to the numeric one.
#[test]
fn definitions_keep_the_central_example_table_readable_and_exact() {
    let (name, text) = example("chengdu_chongqing_central.toml");
    let g = Game::parse(&name, &text).unwrap();
    assert!(g.definitions.iter().any(|d| d.name == "K_S"));
    for a in [0.0, 0.5, 1.0] {
        let vals = g.parameter_values(&[("a".into(), a)]).unwrap();
        let env = g.environment(&vals).unwrap();
        let ng = g.numeric(&vals).unwrap();
        for rp in analyze(&ng).rest_points {
            let Some(p) = &rp.profile else { continue };
            let sym = symbolic::pure_profile(&g, p);
            for (s, e) in sym.iter().zip(&rp.eigenvalues) {
                assert!((symbolic::eval(s, &env) - e.re).abs() < 1e-12);
                // Short enough to print in a paper's table: no expanded belief or cost terms.
                assert!(s.text.len() < 130, "{}", s.text);
                assert!(!s.text.contains("beta_"), "{}", s.text);
            }
        }
    }
    // At (not, not, strict) Sichuan's gain from cooperating is its payoff at (cooperate, not,
    // strict) in the file: b + Sc + q_strict*F - K_S - A_S - R_S, in those names (the local
    // benefit counts at its true value: local-centric thinking only discounts the joint value).
    let sym = symbolic::pure_profile(&g, &[1, 1, 0]);
    let mut names: Vec<String> = xietong_game::expr::parse(&sym[0].text)
        .unwrap()
        .vars
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names, ["A_S", "F", "K_S", "R_S", "Sc", "b", "q_strict"]);
}

#[test]
fn definition_errors_are_located() {
    let src = r#"[parameters]
R = 1
[definitions]
D = "R + E"
E = "2*R"
[[population]]
name = "A"
strategies = ["c", "d"]
[[population]]
name = "B"
strategies = ["c", "d"]
[[payoff]]
profile = ["c", "c"]
values = ["D", "D"]
[[payoff]]
profile = ["c", "d"]
values = [0, 0]
[[payoff]]
profile = ["d", "c"]
values = [0, 0]
[[payoff]]
profile = ["d", "d"]
values = [0, 0]
"#;
    let e = Game::parse("d.toml", src).unwrap_err();
    assert!(
        e.message
            .contains("uses `E`, which is not defined above it"),
        "{e}"
    );
    assert_eq!((e.line, e.column), (4, 10), "{e}");
    let ok = src.replace("D = \"R + E\"\nE = \"2*R\"", "E = \"2*R\"\nD = \"R + E\"");
    let g = Game::parse("d.toml", &ok).unwrap();
    let env = g.environment(&g.parameter_values(&[]).unwrap()).unwrap();
    assert_eq!(env["D"], 3.0);
    let e = Game::parse("d.toml", &ok.replace("\"2*R\"", "\"2*Q\"")).unwrap_err();
    assert!(e.message.contains("undefined parameter `Q`"), "{e}");
    let e = Game::parse("d.toml", &ok.replace("E = \"2*R\"", "R = \"2\"")).unwrap_err();
    assert!(
        e.message.contains("both a parameter and a definition"),
        "{e}"
    );
    let inf = Game::parse("d.toml", &ok.replace("\"2*R\"", "\"1/(R - 1)\"")).unwrap();
    let e = inf
        .numeric(&inf.parameter_values(&[]).unwrap())
        .unwrap_err();
    assert!(e.message.contains("definition `E`"), "{e}");
}
