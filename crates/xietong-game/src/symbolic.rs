//! Symbolic stability tables for pure profiles, as papers print them.
//!
//! At a pure profile the Jacobian, written in the coordinates of the strategies not played, is
//! diagonal: each eigenvalue is the payoff gain of one population switching alone to one unused
//! strategy, π_i(s, s*_{-i}) − π_i(s*). So the eigenvalues are exact expressions in the
//! parameters; each is simplified to a canonical sum of monomials, and the stability condition
//! λ < 0 is printed with positive terms on the left and negative terms on the right.

use crate::expr::{Expr, Sum, fmt_num, simplify_sum};
use crate::spec::Game;
use std::collections::BTreeMap;

/// One eigenvalue of a pure profile.
#[derive(Clone, Debug)]
pub struct SymbolicEigen {
    /// Population that deviates and the strategy it deviates to.
    pub population: usize,
    pub strategy: usize,
    pub expr: Expr,
    pub text: String,
    pub latex: String,
    /// The condition `expr < 0`, rearranged; `None` when the eigenvalue is a constant.
    pub condition_text: String,
    pub condition_latex: String,
    /// Constant eigenvalue: Some(value); then the condition holds or fails regardless of parameters.
    pub constant: Option<f64>,
}

/// Symbolic eigenvalues of the pure profile `profile` (strategy index per population), ordered by
/// population and then strategy, skipping the strategy played.
pub fn pure_profile(game: &Game, profile: &[usize]) -> Vec<SymbolicEigen> {
    let shape = game.shape();
    let index = |p: &[usize]| p.iter().zip(&shape).fold(0, |acc, (s, n)| acc * n + s);
    let here = index(profile);
    let mut out = Vec::new();
    for i in 0..shape.len() {
        for s in 0..shape[i] {
            if s == profile[i] {
                continue;
            }
            let mut alt = profile.to_vec();
            alt[i] = s;
            let dev = &game.payoffs[index(&alt)][i].expr;
            let cur = &game.payoffs[here][i].expr;
            let poly = simplify_sum(&Expr::minus(dev.clone(), cur.clone()));
            let expr = poly.to_expr();
            let (condition_text, condition_latex) = condition(&poly);
            out.push(SymbolicEigen {
                population: i,
                strategy: s,
                text: expr.to_text(),
                latex: expr.to_latex(),
                expr,
                condition_text,
                condition_latex,
                constant: poly.constant_value(),
            });
        }
    }
    out
}

/// `p < 0` rearranged as `positive terms < negative terms`.
fn condition(p: &Sum) -> (String, String) {
    if let Some(c) = p.constant_value() {
        let holds = c < 0.0;
        let t = format!(
            "{} < 0 ({})",
            fmt_num(c),
            if holds { "always holds" } else { "never holds" }
        );
        let l = format!("{} < 0", fmt_num(c));
        return (t, l);
    }
    let (pos, neg) = p.split_signs();
    let lhs = if pos.is_zero() {
        Expr::Num(0.0)
    } else {
        pos.to_expr()
    };
    let rhs = if neg.is_zero() {
        Expr::Num(0.0)
    } else {
        neg.to_expr()
    };
    if pos.is_zero() {
        // 0 < N reads better as N > 0.
        return (
            format!("{} > 0", rhs.to_text()),
            format!("{} > 0", rhs.to_latex()),
        );
    }
    (
        format!("{} < {}", lhs.to_text(), rhs.to_text()),
        format!("{} < {}", lhs.to_latex(), rhs.to_latex()),
    )
}

/// Evaluate a symbolic eigenvalue at parameter values.
pub fn eval(e: &SymbolicEigen, values: &BTreeMap<String, f64>) -> f64 {
    e.expr.eval(&|n| values.get(n).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PD: &str = r#"
title = "Prisoner's dilemma"
[parameters]
R = 3
S = 0
T = 5
P = 1
[[population]]
name = "A"
strategies = ["C", "D"]
[[population]]
name = "B"
strategies = ["C", "D"]
[[payoff]]
profile = ["C", "C"]
values = ["R", "R"]
[[payoff]]
profile = ["C", "D"]
values = ["S", "T"]
[[payoff]]
profile = ["D", "C"]
values = ["T", "S"]
[[payoff]]
profile = ["D", "D"]
values = ["P", "P"]
"#;

    #[test]
    fn prisoners_dilemma_table() {
        let g = Game::parse("pd.toml", PD).unwrap();
        let cc = pure_profile(&g, &[0, 0]);
        assert_eq!(cc.len(), 2);
        assert_eq!(cc[0].text, "T - R");
        assert_eq!(cc[0].condition_text, "T < R");
        let dd = pure_profile(&g, &[1, 1]);
        assert_eq!(dd[0].text, "S - P");
        assert_eq!(dd[0].condition_text, "S < P");
        let vals = g.parameter_values(&[]).unwrap();
        assert_eq!(eval(&dd[1], &vals), -1.0);
    }
}
