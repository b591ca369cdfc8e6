//! Game file parser (`Game::parse`) and the payoff expression parser (`expr::parse`).
//!
//! The same input is given to both: as a whole game file, and as one payoff expression. A parsed
//! expression is also evaluated, simplified and printed, and its printed form parsed again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xietong_game::expr;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(game) = xietong_game::Game::parse("fuzz.toml", text) {
        let _ = game.shape();
    }
    if let Ok(parsed) = expr::parse(text) {
        let e = &parsed.expr;
        let _ = e.eval(&|_| Some(0.5));
        let s = e.simplify();
        let _ = expr::to_poly(e);
        let _ = expr::simplify_sum(e);
        let _ = s.to_latex();
        // The printed form of a parsed expression must itself parse.
        let printed = e.to_text();
        if let Err(err) = expr::parse(&printed) {
            panic!("printed form {printed:?} of {text:?} does not parse: {err:?}");
        }
    }
});
