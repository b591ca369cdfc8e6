//! Payoff expressions: a small parser that keeps character positions (so a bad expression is
//! reported at its column in the game file), evaluation, and a simplifier that brings an
//! expression to a canonical sum of monomials for the symbolic stability tables.
//!
//! A hand-written parser was chosen over an expression crate because the error positions and the
//! printed forms (plain text and LaTeX) are the product here; the grammar is tiny.

use std::collections::BTreeMap;
use std::fmt;

/// Longest expression accepted, in characters (checked before lexing).
pub const MAX_EXPR_CHARS: usize = 20_000;
/// Most tokens (numbers, names, operators, parentheses) in one expression, checked before parsing:
/// it bounds the depth of the left-nested tree of a long flat sum.
pub const MAX_EXPR_TOKENS: usize = 1_000;
/// Deepest nesting accepted: parentheses, function calls, unary signs and `^` chains together,
/// checked before each descent.
pub const MAX_EXPR_DEPTH: usize = 100;

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Func {
    Min,
    Max,
    Exp,
    Ln,
    Sqrt,
    Abs,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "exp" => Func::Exp,
            "ln" => Func::Ln,
            "sqrt" => Func::Sqrt,
            "abs" => Func::Abs,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
        }
    }
    fn arity(self) -> usize {
        match self {
            Func::Min | Func::Max => 2,
            _ => 1,
        }
    }
    fn apply(self, a: &[f64]) -> f64 {
        match self {
            Func::Min => a[0].min(a[1]),
            Func::Max => a[0].max(a[1]),
            Func::Exp => a[0].exp(),
            Func::Ln => a[0].ln(),
            Func::Sqrt => a[0].sqrt(),
            Func::Abs => a[0].abs(),
        }
    }
}

/// True for the names reserved for built-in functions.
pub fn is_function_name(name: &str) -> bool {
    Func::from_name(name).is_some()
}

/// Expression tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Add(Box<Expr>, Box<Expr>),
    Sub(Box<Expr>, Box<Expr>),
    Mul(Box<Expr>, Box<Expr>),
    Div(Box<Expr>, Box<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// A parse error: `offset` counts characters from the start of the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

/// A parsed expression together with every parameter reference and its character offset, so that
/// undefined names can be reported where they are written.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub expr: Expr,
    pub vars: Vec<(String, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Op(char),
    End,
}

struct Lexer {
    toks: Vec<(Tok, usize)>,
}

fn lex(text: &str) -> Result<Lexer, ExprError> {
    let n_chars = text.chars().count();
    if n_chars > MAX_EXPR_CHARS {
        return Err(ExprError {
            offset: 0,
            message: format!(
                "expression is {n_chars} characters long: the limit is {MAX_EXPR_CHARS} characters per expression (name repeated parts under [definitions])"
            ),
        });
    }
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if toks.len() >= MAX_EXPR_TOKENS {
            return Err(ExprError {
                offset: i,
                message: format!(
                    "expression has more than {MAX_EXPR_TOKENS} tokens (numbers, names, operators, parentheses): the limit is {MAX_EXPR_TOKENS} per expression (name repeated parts under [definitions])"
                ),
            });
        }
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let save = i;
                i += 1;
                if i < chars.len() && (chars[i] == '+' || chars[i] == '-') {
                    i += 1;
                }
                if i < chars.len() && chars[i].is_ascii_digit() {
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    i = save;
                }
            }
            let s: String = chars[start..i].iter().collect();
            let v: f64 = s.parse().map_err(|_| ExprError {
                offset: start,
                message: format!("`{s}` is not a number"),
            })?;
            toks.push((Tok::Num(v), start));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            toks.push((Tok::Ident(chars[start..i].iter().collect()), start));
        } else if "+-*/^(),".contains(c) {
            toks.push((Tok::Op(c), i));
            i += 1;
        } else {
            return Err(ExprError {
                offset: i,
                message: format!(
                    "unexpected character `{c}`: expected a number, a parameter name, an operator (+ - * / ^), a parenthesis or a function (min max exp ln sqrt abs)"
                ),
            });
        }
    }
    toks.push((Tok::End, chars.len()));
    Ok(Lexer { toks })
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    vars: Vec<(String, usize)>,
    depth: usize,
}

impl Parser {
    /// One level deeper (parenthesis, call, unary sign, exponent), refused beyond the limit
    /// before the recursive call is made.
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return self.err(format!(
                "expression nested more than {MAX_EXPR_DEPTH} levels deep (parentheses, function calls, unary signs and `^` together): the limit is {MAX_EXPR_DEPTH}"
            ));
        }
        Ok(())
    }
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn offset(&self) -> usize {
        self.toks[self.pos].1
    }
    fn next(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            offset: self.offset(),
            message: message.into(),
        })
    }
    fn describe(&self) -> String {
        match self.peek() {
            Tok::Num(v) => format!("number {v}"),
            Tok::Ident(s) => format!("name `{s}`"),
            Tok::Op(c) => format!("`{c}`"),
            Tok::End => "end of expression".into(),
        }
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.term()?;
        loop {
            match self.peek() {
                Tok::Op('+') => {
                    self.next();
                    lhs = Expr::Add(Box::new(lhs), Box::new(self.term()?));
                }
                Tok::Op('-') => {
                    self.next();
                    lhs = Expr::Sub(Box::new(lhs), Box::new(self.term()?));
                }
                _ => return Ok(lhs),
            }
        }
    }
    fn term(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            match self.peek() {
                Tok::Op('*') => {
                    self.next();
                    lhs = Expr::Mul(Box::new(lhs), Box::new(self.unary()?));
                }
                Tok::Op('/') => {
                    self.next();
                    lhs = Expr::Div(Box::new(lhs), Box::new(self.unary()?));
                }
                _ => return Ok(lhs),
            }
        }
    }
    fn unary(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Tok::Op('-') => {
                self.next();
                self.enter()?;
                let e = Expr::Neg(Box::new(self.unary()?));
                self.depth -= 1;
                Ok(e)
            }
            Tok::Op('+') => {
                self.next();
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(e)
            }
            _ => self.power(),
        }
    }
    fn power(&mut self) -> Result<Expr, ExprError> {
        let base = self.atom()?;
        if let Tok::Op('^') = self.peek() {
            self.next();
            self.enter()?;
            let exp = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Pow(Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }
    fn atom(&mut self) -> Result<Expr, ExprError> {
        let desc = self.describe();
        let (tok, off) = self.next();
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Ident(name) => {
                if let Tok::Op('(') = self.peek() {
                    let Some(f) = Func::from_name(&name) else {
                        return Err(ExprError {
                            offset: off,
                            message: format!(
                                "unknown function `{name}`: expected one of min, max, exp, ln, sqrt, abs"
                            ),
                        });
                    };
                    self.next();
                    self.enter()?;
                    let mut args = vec![self.expr()?];
                    while let Tok::Op(',') = self.peek() {
                        self.next();
                        args.push(self.expr()?);
                    }
                    self.depth -= 1;
                    if !matches!(self.peek(), Tok::Op(')')) {
                        return self.err(format!(
                            "expected `,` or `)` in the call of {name}, found {}",
                            self.describe()
                        ));
                    }
                    self.next();
                    if args.len() != f.arity() {
                        return Err(ExprError {
                            offset: off,
                            message: format!(
                                "{name} takes {} argument(s), found {}",
                                f.arity(),
                                args.len()
                            ),
                        });
                    }
                    Ok(Expr::Call(f, args))
                } else {
                    self.vars.push((name.clone(), off));
                    Ok(Expr::Var(name))
                }
            }
            Tok::Op('(') => {
                self.enter()?;
                let e = self.expr()?;
                self.depth -= 1;
                if !matches!(self.peek(), Tok::Op(')')) {
                    return self.err(format!("expected `)`, found {}", self.describe()));
                }
                self.next();
                Ok(e)
            }
            _ => Err(ExprError {
                offset: off,
                message: format!(
                    "expected a number, a parameter name, a function call or `(`, found {desc}"
                ),
            }),
        }
    }
}

/// Parse an expression; reports the character offset of the first problem.
pub fn parse(text: &str) -> Result<Parsed, ExprError> {
    let lexer = lex(text)?;
    let mut p = Parser {
        toks: lexer.toks,
        pos: 0,
        vars: Vec::new(),
        depth: 0,
    };
    if matches!(p.peek(), Tok::End) {
        return p.err("empty expression: expected a payoff such as `R - C`");
    }
    let expr = p.expr()?;
    if !matches!(p.peek(), Tok::End) {
        return p.err(format!(
            "expected an operator or the end of the expression, found {}",
            p.describe()
        ));
    }
    Ok(Parsed { expr, vars: p.vars })
}

impl Expr {
    /// Evaluate with parameter values looked up by `get`; names are checked at load time, so a
    /// missing name evaluates to NaN (caught by the caller's finiteness check).
    pub fn eval(&self, get: &dyn Fn(&str) -> Option<f64>) -> f64 {
        match self {
            Expr::Num(v) => *v,
            Expr::Var(n) => get(n).unwrap_or(f64::NAN),
            Expr::Neg(a) => -a.eval(get),
            Expr::Add(a, b) => a.eval(get) + b.eval(get),
            Expr::Sub(a, b) => a.eval(get) - b.eval(get),
            Expr::Mul(a, b) => a.eval(get) * b.eval(get),
            Expr::Div(a, b) => a.eval(get) / b.eval(get),
            Expr::Pow(a, b) => a.eval(get).powf(b.eval(get)),
            Expr::Call(f, args) => {
                let v: Vec<f64> = args.iter().map(|a| a.eval(get)).collect();
                f.apply(&v)
            }
        }
    }

    /// Replace every name for which `f` gives an expression.
    pub fn substitute(&self, f: &dyn Fn(&str) -> Option<Expr>) -> Expr {
        let b = |e: &Expr| Box::new(e.substitute(f));
        match self {
            Expr::Num(_) => self.clone(),
            Expr::Var(n) => f(n).unwrap_or_else(|| self.clone()),
            Expr::Neg(a) => Expr::Neg(b(a)),
            Expr::Add(x, y) => Expr::Add(b(x), b(y)),
            Expr::Sub(x, y) => Expr::Sub(b(x), b(y)),
            Expr::Mul(x, y) => Expr::Mul(b(x), b(y)),
            Expr::Div(x, y) => Expr::Div(b(x), b(y)),
            Expr::Pow(x, y) => Expr::Pow(b(x), b(y)),
            Expr::Call(g, args) => Expr::Call(*g, args.iter().map(|a| a.substitute(f)).collect()),
        }
    }

    /// Does the name `v` occur in the expression?
    pub fn mentions(&self, v: &str) -> bool {
        match self {
            Expr::Num(_) => false,
            Expr::Var(n) => n == v,
            Expr::Neg(a) => a.mentions(v),
            Expr::Add(x, y)
            | Expr::Sub(x, y)
            | Expr::Mul(x, y)
            | Expr::Div(x, y)
            | Expr::Pow(x, y) => x.mentions(v) || y.mentions(v),
            Expr::Call(_, args) => args.iter().any(|a| a.mentions(v)),
        }
    }

    pub fn minus(a: Expr, b: Expr) -> Expr {
        Expr::Sub(Box::new(a), Box::new(b))
    }

    /// Canonical simplified form (sum of monomials; non-polynomial parts kept as simplified atoms).
    pub fn simplify(&self) -> Expr {
        to_poly(self).to_expr()
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        write_text(self, &mut s, 0);
        s
    }

    pub fn to_latex(&self) -> String {
        let mut s = String::new();
        write_latex(self, &mut s, 0);
        s
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Format a coefficient compactly: 12 significant digits, trailing zeros removed, so that
/// `0.1 + 0.2` prints as `0.3`.
pub fn fmt_num(v: f64) -> String {
    if v == v.round() && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{:.*e}", 11, v);
    let parsed: f64 = s.parse().unwrap_or(v);
    let mut out = format!("{parsed}");
    if out.contains('e') {
        return out;
    }
    if out.contains('.') {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    out
}

// ---------- affinity in one variable ----------

/// Degree of `e` as a polynomial in `v` (coefficients free of `v`), or the smallest
/// sub-expression that is not such a polynomial (`v` under a function, in a denominator or an
/// exponent, or raised to a non-integer power).
fn degree_in(e: &Expr, v: &str) -> Result<u32, Expr> {
    Ok(match e {
        Expr::Num(_) => 0,
        Expr::Var(n) => u32::from(n == v),
        Expr::Neg(a) => degree_in(a, v)?,
        Expr::Add(a, b) | Expr::Sub(a, b) => degree_in(a, v)?.max(degree_in(b, v)?),
        Expr::Mul(a, b) => degree_in(a, v)? + degree_in(b, v)?,
        Expr::Div(a, b) => {
            if b.mentions(v) {
                return Err(e.clone());
            }
            degree_in(a, v)?
        }
        Expr::Pow(a, b) => {
            if b.mentions(v) {
                return Err(e.clone());
            }
            let d = degree_in(a, v)?;
            if d == 0 {
                0
            } else {
                match **b {
                    Expr::Num(k) if k >= 0.0 && k == k.round() && k <= 64.0 => d * k as u32,
                    _ => return Err(e.clone()),
                }
            }
        }
        Expr::Call(_, args) => {
            if args.iter().any(|a| a.mentions(v)) {
                return Err(e.clone());
            }
            0
        }
    })
}

/// The smallest sub-expression of degree 2 or more in `v` (a product or power).
fn first_nonlinear(e: &Expr, v: &str) -> Expr {
    let children: Vec<&Expr> = match e {
        Expr::Neg(a) => vec![a],
        Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) | Expr::Pow(a, b) => {
            vec![a, b]
        }
        _ => vec![],
    };
    for c in children {
        if !matches!(degree_in(c, v), Ok(0 | 1)) {
            return first_nonlinear(c, v);
        }
    }
    e.clone()
}

/// Is `e` affine in `v` (a + b·v with a, b free of v)? Decided on the structure first and, when
/// that finds a higher degree, on the expanded polynomial (so `(v + 1)^2 - v^2` is accepted).
/// On failure returns the offending term.
pub fn affine_in(e: &Expr, v: &str) -> Result<(), Expr> {
    let term = match degree_in(e, v) {
        Ok(0 | 1) => return Ok(()),
        Ok(_) => first_nonlinear(e, v),
        Err(t) => t,
    };
    if expanded_size(e) <= 4096.0 {
        let p = to_poly(e);
        let in_atom = p.atoms.iter().any(|(k, a)| k != v && a.mentions(v));
        let max_deg = p
            .terms
            .keys()
            .map(|m| m.get(v).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if !in_atom && max_deg <= 1 {
            return Ok(());
        }
    }
    Err(term)
}

// ---------- polynomial canonical form ----------

/// Monomial: atom key -> exponent. Atom keys are parameter names or the text of an opaque
/// (non-polynomial) simplified sub-expression.
type Mono = BTreeMap<String, u32>;

#[derive(Clone, Debug, Default)]
pub struct Poly {
    terms: BTreeMap<Mono, f64>,
    atoms: BTreeMap<String, Expr>,
}

impl Poly {
    fn constant(c: f64) -> Poly {
        let mut p = Poly::default();
        if c != 0.0 {
            p.terms.insert(Mono::new(), c);
        }
        p
    }
    fn atom(key: String, e: Expr) -> Poly {
        let mut p = Poly::default();
        let mut m = Mono::new();
        m.insert(key.clone(), 1);
        p.terms.insert(m, 1.0);
        p.atoms.insert(key, e);
        p
    }
    fn as_constant(&self) -> Option<f64> {
        match self.terms.len() {
            0 => Some(0.0),
            1 => self.terms.get(&Mono::new()).copied(),
            _ => None,
        }
    }
    fn add(mut self, other: Poly, sign: f64) -> Poly {
        for (m, c) in other.terms {
            *self.terms.entry(m).or_insert(0.0) += sign * c;
        }
        self.atoms.extend(other.atoms);
        self.clean()
    }
    fn scale(mut self, k: f64) -> Poly {
        for c in self.terms.values_mut() {
            *c *= k;
        }
        self.clean()
    }
    fn mul(&self, other: &Poly) -> Poly {
        let mut out = Poly::default();
        for (m1, c1) in &self.terms {
            for (m2, c2) in &other.terms {
                let mut m = m1.clone();
                for (k, e) in m2 {
                    *m.entry(k.clone()).or_insert(0) += e;
                }
                *out.terms.entry(m).or_insert(0.0) += c1 * c2;
            }
        }
        out.atoms = self.atoms.clone();
        out.atoms.extend(other.atoms.clone());
        out.clean()
    }
    fn clean(mut self) -> Poly {
        let scale = self.terms.values().fold(0.0f64, |a, c| a.max(c.abs()));
        self.terms.retain(|_, c| c.abs() > 1e-12 * scale.max(1.0));
        self
    }

    /// Split into (positive part, negated negative part) so that `p < 0` reads `pos < neg`.
    pub fn split_signs(&self) -> (Poly, Poly) {
        let mut pos = Poly {
            atoms: self.atoms.clone(),
            ..Default::default()
        };
        let mut neg = Poly {
            atoms: self.atoms.clone(),
            ..Default::default()
        };
        for (m, c) in &self.terms {
            if *c > 0.0 {
                pos.terms.insert(m.clone(), *c);
            } else {
                neg.terms.insert(m.clone(), -*c);
            }
        }
        (pos, neg)
    }

    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn constant_value(&self) -> Option<f64> {
        self.as_constant()
    }

    /// Back to an expression tree: monomials ordered by their atoms, the constant last.
    pub fn to_expr(&self) -> Expr {
        let mut out: Option<Expr> = None;
        let mut items: Vec<(&Mono, &f64)> =
            self.terms.iter().filter(|(m, _)| !m.is_empty()).collect();
        // Lead with a positive term where there is one: `T - R`, not `-R + T`.
        items.sort_by_key(|(_, c)| **c < 0.0);
        if let Some((m, c)) = self.terms.get_key_value(&Mono::new()) {
            items.push((m, c));
        }
        for (m, &c) in items {
            let mag = c.abs();
            let mut parts: Vec<Expr> = Vec::new();
            if m.is_empty() || (mag - 1.0).abs() > 1e-15 {
                parts.push(Expr::Num(mag));
            }
            for (k, &e) in m {
                let base = self
                    .atoms
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| Expr::Var(k.clone()));
                parts.push(if e == 1 {
                    base
                } else {
                    Expr::Pow(Box::new(base), Box::new(Expr::Num(e as f64)))
                });
            }
            let term = parts
                .into_iter()
                .reduce(|a, b| Expr::Mul(Box::new(a), Box::new(b)))
                .unwrap_or(Expr::Num(mag));
            out = Some(match out {
                None => {
                    if c < 0.0 {
                        Expr::Neg(Box::new(term))
                    } else {
                        term
                    }
                }
                Some(acc) => {
                    if c < 0.0 {
                        Expr::Sub(Box::new(acc), Box::new(term))
                    } else {
                        Expr::Add(Box::new(acc), Box::new(term))
                    }
                }
            });
        }
        out.unwrap_or(Expr::Num(0.0))
    }
}

/// Canonical polynomial of an expression.
pub fn to_poly(e: &Expr) -> Poly {
    match e {
        Expr::Num(v) => Poly::constant(*v),
        Expr::Var(n) => Poly::atom(n.clone(), Expr::Var(n.clone())),
        Expr::Neg(a) => to_poly(a).scale(-1.0),
        Expr::Add(a, b) => to_poly(a).add(to_poly(b), 1.0),
        Expr::Sub(a, b) => to_poly(a).add(to_poly(b), -1.0),
        Expr::Mul(a, b) => to_poly(a).mul(&to_poly(b)),
        Expr::Div(a, b) => {
            let num = to_poly(a);
            let den = to_poly(b);
            match den.as_constant() {
                Some(c) if c != 0.0 => num.scale(1.0 / c),
                _ => {
                    if num.is_zero() {
                        return Poly::default();
                    }
                    let ex = Expr::Div(Box::new(num.to_expr()), Box::new(den.to_expr()));
                    Poly::atom(ex.to_text(), ex)
                }
            }
        }
        Expr::Pow(a, b) => {
            let base = to_poly(a);
            let exp = to_poly(b);
            match (base.as_constant(), exp.as_constant()) {
                (Some(x), Some(y)) => Poly::constant(x.powf(y)),
                (_, Some(y)) if y >= 0.0 && y == y.round() && y <= 8.0 => {
                    let mut acc = Poly::constant(1.0);
                    for _ in 0..(y as u32) {
                        acc = acc.mul(&base);
                    }
                    acc
                }
                _ => {
                    let ex = Expr::Pow(Box::new(base.to_expr()), Box::new(exp.to_expr()));
                    Poly::atom(ex.to_text(), ex)
                }
            }
        }
        Expr::Call(f, args) => {
            let ps: Vec<Poly> = args.iter().map(to_poly).collect();
            let consts: Option<Vec<f64>> = ps.iter().map(|p| p.as_constant()).collect();
            if let Some(c) = consts {
                return Poly::constant(f.apply(&c));
            }
            let ex = Expr::Call(*f, ps.iter().map(|p| p.to_expr()).collect());
            Poly::atom(ex.to_text(), ex)
        }
    }
}

// ---------- signed sums: the form conditions are printed in ----------

/// A simplified expression as a signed sum of terms: `Σ coef · term`. A constant is the term
/// `Num(1)`. Both simplifiers below produce this form.
#[derive(Clone, Debug, Default)]
pub struct Sum {
    pub terms: Vec<(f64, Expr)>,
}

impl Sum {
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }
    pub fn constant_value(&self) -> Option<f64> {
        match self.terms.as_slice() {
            [] => Some(0.0),
            [(c, Expr::Num(v))] => Some(c * v),
            _ => None,
        }
    }
    /// `(positive part, negated negative part)`, so that `sum < 0` reads `pos < neg`.
    pub fn split_signs(&self) -> (Sum, Sum) {
        let pos = self
            .terms
            .iter()
            .filter(|(c, _)| *c > 0.0)
            .cloned()
            .collect();
        let neg = self
            .terms
            .iter()
            .filter(|(c, _)| *c < 0.0)
            .map(|(c, e)| (-c, e.clone()))
            .collect();
        (Sum { terms: pos }, Sum { terms: neg })
    }
    /// Expression with positive terms first and constants last.
    pub fn to_expr(&self) -> Expr {
        let mut items: Vec<&(f64, Expr)> = self.terms.iter().collect();
        items.sort_by_key(|(c, e)| (matches!(e, Expr::Num(_)), *c < 0.0));
        let mut out: Option<Expr> = None;
        for (c, e) in items {
            let mag = c.abs();
            let term = match e {
                Expr::Num(v) => Expr::Num(mag * v),
                _ if (mag - 1.0).abs() < 1e-15 => e.clone(),
                _ => Expr::Mul(Box::new(Expr::Num(mag)), Box::new(e.clone())),
            };
            out = Some(match out {
                None if *c < 0.0 => Expr::Neg(Box::new(term)),
                None => term,
                Some(acc) if *c < 0.0 => Expr::Sub(Box::new(acc), Box::new(term)),
                Some(acc) => Expr::Add(Box::new(acc), Box::new(term)),
            });
        }
        out.unwrap_or(Expr::Num(0.0))
    }
}

fn poly_to_sum(p: &Poly) -> Sum {
    let mut terms = Vec::new();
    for (m, &c) in &p.terms {
        if m.is_empty() {
            terms.push((c, Expr::Num(1.0)));
            continue;
        }
        let e = m
            .iter()
            .map(|(k, &e)| {
                let base = p
                    .atoms
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| Expr::Var(k.clone()));
                if e == 1 {
                    base
                } else {
                    Expr::Pow(Box::new(base), Box::new(Expr::Num(e as f64)))
                }
            })
            .reduce(|a, b| Expr::Mul(Box::new(a), Box::new(b)))
            .expect("non-empty monomial");
        terms.push((c, e));
    }
    Sum { terms }
}

/// Flatten the top-level sum without expanding products, folding numeric factors and cancelling
/// identical terms: what a person does when subtracting two payoffs that share most terms.
fn light_sum(e: &Expr) -> Sum {
    fn flatten(e: &Expr, k: f64, out: &mut Vec<(f64, Expr)>) {
        match e {
            Expr::Add(a, b) => {
                flatten(a, k, out);
                flatten(b, k, out);
            }
            Expr::Sub(a, b) => {
                flatten(a, k, out);
                flatten(b, -k, out);
            }
            Expr::Neg(a) => flatten(a, -k, out),
            Expr::Num(v) => out.push((k * v, Expr::Num(1.0))),
            Expr::Mul(a, b) if matches!(**a, Expr::Num(_)) => {
                let Expr::Num(c) = **a else { unreachable!() };
                flatten(b, k * c, out)
            }
            Expr::Mul(a, b) if matches!(**b, Expr::Num(_)) => {
                let Expr::Num(c) = **b else { unreachable!() };
                flatten(a, k * c, out)
            }
            Expr::Div(a, b) if matches!(**b, Expr::Num(c) if c != 0.0) => {
                let Expr::Num(c) = **b else { unreachable!() };
                flatten(a, k / c, out)
            }
            other => out.push((k, other.clone())),
        }
    }
    let mut flat = Vec::new();
    flatten(e, 1.0, &mut flat);
    let mut merged: Vec<(f64, Expr, String)> = Vec::new();
    for (c, t) in flat {
        let key = t.to_text();
        match merged.iter_mut().find(|(_, _, k)| *k == key) {
            Some(slot) => slot.0 += c,
            None => merged.push((c, t, key)),
        }
    }
    let scale = merged.iter().fold(1.0f64, |a, (c, _, _)| a.max(c.abs()));
    Sum {
        terms: merged
            .into_iter()
            .filter(|(c, _, _)| c.abs() > 1e-12 * scale)
            .map(|(c, t, _)| (c, t))
            .collect(),
    }
}

/// Upper bound on the number of monomials full expansion would produce.
fn expanded_size(e: &Expr) -> f64 {
    match e {
        Expr::Num(_) | Expr::Var(_) | Expr::Call(..) => 1.0,
        Expr::Neg(a) => expanded_size(a),
        Expr::Add(a, b) | Expr::Sub(a, b) => expanded_size(a) + expanded_size(b),
        Expr::Mul(a, b) => expanded_size(a) * expanded_size(b),
        Expr::Div(a, b) => match **b {
            Expr::Num(_) => expanded_size(a),
            _ => 1.0 + expanded_size(a) + expanded_size(b),
        },
        Expr::Pow(a, b) => match **b {
            Expr::Num(k) if (0.0..=8.0).contains(&k) => expanded_size(a).powf(k.max(1.0)),
            _ => 1.0,
        },
    }
}

/// Simplify to a signed sum: the fully expanded canonical polynomial or the lightly cancelled
/// form, whichever prints shorter (expansion helps small payoff tables and hurts long ones).
pub fn simplify_sum(e: &Expr) -> Sum {
    let light = light_sum(e);
    // Expansion multiplies term counts; beyond a few dozen monomials it never prints shorter, and
    // its cost grows fast, so it is not attempted.
    if expanded_size(e) > 64.0 {
        return light;
    }
    let expanded = poly_to_sum(&to_poly(e));
    if light.to_expr().to_text().len() < expanded.to_expr().to_text().len() {
        light
    } else {
        expanded
    }
}

// ---------- printing ----------

fn prec(e: &Expr) -> u8 {
    match e {
        Expr::Add(..) | Expr::Sub(..) => 1,
        Expr::Mul(..) | Expr::Div(..) => 2,
        Expr::Neg(..) => 3,
        Expr::Pow(..) => 4,
        Expr::Num(v) if *v < 0.0 => 3,
        _ => 5,
    }
}

fn write_text(e: &Expr, s: &mut String, ctx: u8) {
    let p = prec(e);
    let paren = p < ctx;
    if paren {
        s.push('(');
    }
    match e {
        Expr::Num(v) => s.push_str(&fmt_num(*v)),
        Expr::Var(n) => s.push_str(n),
        Expr::Neg(a) => {
            s.push('-');
            write_text(a, s, 3);
        }
        Expr::Add(a, b) => {
            write_text(a, s, 1);
            s.push_str(" + ");
            write_text(b, s, 2);
        }
        Expr::Sub(a, b) => {
            write_text(a, s, 1);
            s.push_str(" - ");
            write_text(b, s, 2);
        }
        Expr::Mul(a, b) => {
            write_text(a, s, 2);
            s.push('*');
            write_text(b, s, 3);
        }
        Expr::Div(a, b) => {
            write_text(a, s, 2);
            s.push('/');
            write_text(b, s, 3);
        }
        Expr::Pow(a, b) => {
            write_text(a, s, 5);
            s.push('^');
            write_text(b, s, 4);
        }
        Expr::Call(f, args) => {
            s.push_str(f.name());
            s.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_text(a, s, 0);
            }
            s.push(')');
        }
    }
    if paren {
        s.push(')');
    }
}

const GREEK: [&str; 24] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
    "omega", "Delta",
];

/// LaTeX for a parameter name: Greek names become symbols, `C_1` becomes `C_{1}`, longer names
/// are set upright-italic as one symbol.
pub fn latex_name(n: &str) -> String {
    let (head, tail) = match n.split_once('_') {
        Some((h, t)) => (h, Some(t)),
        None => (n, None),
    };
    // Common abbreviations of Greek names.
    let head = match head {
        "lam" => "lambda",
        "eps" => "epsilon",
        "sig" => "sigma",
        other => other,
    };
    let head_tex = if GREEK.contains(&head)
        || GREEK.contains(&head.to_lowercase().as_str()) && head.len() > 2
    {
        format!("\\{head}")
    } else if head.chars().count() <= 1 {
        head.to_string()
    } else {
        // A letter followed by digits reads as a subscripted symbol: C1 -> C_{1}.
        let mut chars = head.chars();
        let first = chars.next().unwrap();
        let rest: String = chars.collect();
        if first.is_alphabetic() && rest.chars().all(|c| c.is_ascii_digit()) && tail.is_none() {
            return format!("{first}_{{{rest}}}");
        }
        format!("\\mathit{{{head}}}")
    };
    match tail {
        Some(t) => format!("{head_tex}_{{{}}}", t.replace('_', "\\_")),
        None => head_tex,
    }
}

fn write_latex(e: &Expr, s: &mut String, ctx: u8) {
    let p = prec(e);
    let paren = p < ctx && !matches!(e, Expr::Div(..));
    if paren {
        s.push_str("\\left(");
    }
    match e {
        Expr::Num(v) => s.push_str(&fmt_num(*v)),
        Expr::Var(n) => s.push_str(&latex_name(n)),
        Expr::Neg(a) => {
            s.push('-');
            write_latex(a, s, 3);
        }
        Expr::Add(a, b) => {
            write_latex(a, s, 1);
            s.push_str(" + ");
            write_latex(b, s, 2);
        }
        Expr::Sub(a, b) => {
            write_latex(a, s, 1);
            s.push_str(" - ");
            write_latex(b, s, 2);
        }
        Expr::Mul(a, b) => {
            write_latex(a, s, 2);
            // Juxtaposition reads naturally except between two numbers.
            let needs_dot = matches!(**b, Expr::Num(_))
                || matches!(**a, Expr::Num(_))
                    && matches!(**b, Expr::Pow(ref x, _) if matches!(**x, Expr::Num(_)));
            s.push_str(if needs_dot { " \\cdot " } else { " " });
            write_latex(b, s, 3);
        }
        Expr::Div(a, b) => {
            s.push_str("\\frac{");
            write_latex(a, s, 0);
            s.push_str("}{");
            write_latex(b, s, 0);
            s.push('}');
        }
        Expr::Pow(a, b) => {
            write_latex(a, s, 5);
            s.push_str("^{");
            write_latex(b, s, 0);
            s.push('}');
        }
        Expr::Call(f, args) => match f {
            Func::Sqrt => {
                s.push_str("\\sqrt{");
                write_latex(&args[0], s, 0);
                s.push('}');
            }
            Func::Abs => {
                s.push_str("\\left|");
                write_latex(&args[0], s, 0);
                s.push_str("\\right|");
            }
            _ => {
                s.push_str(match f {
                    Func::Min => "\\min",
                    Func::Max => "\\max",
                    Func::Exp => "\\exp",
                    _ => "\\ln",
                });
                s.push_str("\\left(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    write_latex(a, s, 0);
                }
                s.push_str("\\right)");
            }
        },
    }
    if paren {
        s.push_str("\\right)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simp(s: &str) -> String {
        parse(s).unwrap().expr.simplify().to_text()
    }

    #[test]
    fn parses_precedence_and_evaluates() {
        let p = parse("2 + 3*4^2/8 - -1").unwrap();
        assert_eq!(p.expr.eval(&|_| None), 2.0 + 3.0 * 16.0 / 8.0 + 1.0);
        let p = parse("-2^2").unwrap();
        assert_eq!(p.expr.eval(&|_| None), -4.0);
        let p = parse("max(a, 2) + ln(exp(1)) + sqrt(abs(-9))").unwrap();
        assert_eq!(p.expr.eval(&|n| (n == "a").then_some(5.0)), 5.0 + 1.0 + 3.0);
        assert_eq!(p.vars, vec![("a".to_string(), 4)]);
    }

    #[test]
    fn reports_positions() {
        let e = parse("R - * C").unwrap_err();
        assert_eq!(e.offset, 4);
        let e = parse("R + foo(2)").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("unknown function"));
        let e = parse("(R - C").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = parse("R # C").unwrap_err();
        assert_eq!(e.offset, 2);
        let e = parse("R C").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(parse("  ").is_err());
    }

    #[test]
    fn simplifies_to_canonical_sums() {
        assert_eq!(simp("(R - C) - (T - C)"), "R - T");
        assert_eq!(simp("a*R - C - (a*R - 0)"), "-C");
        assert_eq!(simp("(x + y)^2 - x*x"), "2*x*y + y^2");
        assert_eq!(simp("0.1*R + 0.2*R"), "0.3*R");
        assert_eq!(simp("R/2 + R/2"), "R");
        assert_eq!(simp("exp(2*a - a) - exp(a)"), "0");
        assert_eq!(simp("3 - 1"), "2");
    }

    #[test]
    fn latex_forms() {
        let e = parse("alpha*R_1/(C + 1) + sqrt(x)^2").unwrap().expr;
        let t = e.to_latex();
        assert!(t.contains("\\alpha"), "{t}");
        assert!(t.contains("R_{1}"), "{t}");
        assert!(t.contains("\\frac"), "{t}");
        assert_eq!(latex_name("Cg"), "\\mathit{Cg}");
        assert_eq!(latex_name("C1"), "C_{1}");
        assert_eq!(latex_name("lam_S"), "\\lambda_{S}");
    }

    #[test]
    fn deep_nesting_is_refused_at_the_documented_limit_not_by_a_stack_overflow() {
        let ok = format!(
            "{}a{}",
            "(".repeat(MAX_EXPR_DEPTH - 1),
            ")".repeat(MAX_EXPR_DEPTH - 1)
        );
        assert!(parse(&ok).is_ok());
        for text in [
            format!("{}a{}", "(".repeat(9000), ")".repeat(9000)),
            format!("{}a", "-".repeat(17000)),
            format!("a{}", "^a".repeat(19000)),
            format!("{}a{}", "exp(".repeat(5000), ")".repeat(5000)),
        ] {
            let e = parse(&text).unwrap_err();
            assert!(
                e.message
                    .contains(&format!("the limit is {MAX_EXPR_DEPTH}"))
                    || e.message.contains("characters per expression")
                    || e.message.contains("tokens"),
                "{}",
                e.message
            );
        }
        let e = parse(&format!("{}a{}", "(".repeat(150), ")".repeat(150))).unwrap_err();
        assert!(
            e.message.contains("nested more than 100 levels"),
            "{}",
            e.message
        );
    }

    #[test]
    fn long_flat_sums_are_refused_at_the_token_limit() {
        let long = vec!["a"; 75_000].join("+");
        let e = parse(&long).unwrap_err();
        assert!(
            e.message.contains("characters per expression"),
            "{}",
            e.message
        );
        let many = vec!["a"; 3_000].join("+"); // 5,999 tokens, under the character limit
        let e = parse(&many).unwrap_err();
        assert!(e.message.contains("more than 1000 tokens"), "{}", e.message);
        // The largest sum under the limit (999 tokens) goes through every recursive pass, also in
        // a debug build on a test thread's 2 MB stack.
        let fine = vec!["a"; 500].join("+");
        let p = parse(&fine).unwrap();
        assert_eq!(p.expr.eval(&|_| Some(1.0)), 500.0);
        assert_eq!(p.expr.simplify().to_text(), "500*a");
        assert_eq!(simplify_sum(&p.expr).to_expr().to_text(), "500*a");
        assert!(p.expr.to_latex().len() > 999);
        // The deepest nesting under the limit inside the longest sum.
        let nested = format!(
            "{}+{}a{}",
            vec!["a"; 300].join("+"),
            "(".repeat(MAX_EXPR_DEPTH - 1),
            ")".repeat(MAX_EXPR_DEPTH - 1)
        );
        let p = parse(&nested).unwrap();
        assert_eq!(p.expr.simplify().to_text(), "301*a");
    }
}
