//! Random expressions (deterministic generator): the parser never panics, and every expression it
//! accepts prints (plain text) to a form that parses back to the same value; simplification keeps
//! the value too.

use xietong_game::expr::{parse, simplify_sum};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "a", "b", "c_1", "2", "0.5", "1e-3", "3", "+", "-", "*", "/", "^", "(", ")", ",", " ", "min(",
    "max(", "exp(", "ln(", "sqrt(", "abs(", "--", "e", ".", "#", "1e", "((", "))",
];

fn value(text: &str) -> f64 {
    parse(text).unwrap().expr.eval(&|n| match n {
        "a" => Some(1.7),
        "b" => Some(-0.3),
        "c_1" => Some(2.5),
        _ => None,
    })
}

fn close(x: f64, y: f64) -> bool {
    (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs()))
}

#[test]
fn random_expressions_never_panic_and_print_back_to_the_same_value() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut accepted = 0;
    for _ in 0..30_000 {
        let n = 1 + (rng.next() % 14) as usize;
        let text: String = (0..n).map(|_| rng.pick(PIECES)).collect();
        let Ok(p) = parse(&text) else { continue };
        accepted += 1;
        let v = value(&text);
        let printed = p.expr.to_text();
        let back = value(&printed);
        assert!(close(v, back), "{text:?} = {v} but {printed:?} = {back}");
        let _ = p.expr.to_latex();
        if v.is_finite() && v.abs() < 1e6 {
            let s = simplify_sum(&p.expr).to_expr().to_text();
            let w = value(&s);
            assert!(close(v, w), "{text:?} = {v} but simplified {s:?} = {w}");
        }
    }
    assert!(accepted > 1_000, "{accepted}");
}

const GAME: &str = r#"title = "t"
[parameters]
R = 6.0
C = 2.0
[definitions]
D = "R - C"
[[population]]
name = "A"
strategies = ["c", "d"]
[[population]]
name = "B"
strategies = ["c", "d"]
[[payoff]]
profile = ["c", "c"]
values = ["D", "R - C"]
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

/// Random edits of a valid game file (deleting, duplicating or replacing a byte): parsing,
/// evaluating and analysing never panic; a rejected file always names a line and column inside it.
#[test]
fn mutated_game_files_never_panic() {
    use xietong_game::{Game, analyze};
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let alphabet = b"[]=\"',.#\n 0123456789abcdRCD-+*/^()e_";
    let lines = GAME.lines().count() + 2;
    for _ in 0..5_000 {
        let mut bytes = GAME.as_bytes().to_vec();
        for _ in 0..1 + rng.next() % 3 {
            let at = (rng.next() % bytes.len() as u64) as usize;
            match rng.next() % 3 {
                0 => {
                    bytes.remove(at);
                }
                1 => bytes.insert(at, bytes[at]),
                _ => bytes[at] = alphabet[(rng.next() % alphabet.len() as u64) as usize],
            }
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        match Game::parse("m.toml", &text) {
            Err(e) => assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{e}"),
            Ok(g) => {
                if let Ok(v) = g.parameter_values(&[])
                    && let Ok(ng) = g.numeric(&v)
                {
                    let _ = analyze(&ng);
                }
            }
        }
    }
}
