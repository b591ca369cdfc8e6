//! Scenario types and the regional-synergy mechanism as pure functions.
//!
//! `scenario` holds what a user writes; `load` and `validate` turn TOML into a checked scenario with
//! located errors; `mechanism` holds each behavioural rule of the model (docs/ODD.md, section 7) as a small, testable
//! function; `builtin` embeds the Chengdu-Chongqing scenario.

pub mod builtin;
pub mod calendar;
pub mod fastexp;
pub mod fastlog;
pub mod labels;
pub mod load;
pub mod mechanism;
pub mod paper;
pub mod scenario;
pub mod validate;

pub use calendar::Quarter;
pub use load::{LoadError, Located, parse_scenario, parse_with_overrides};
pub use scenario::*;
