//! Experiments over the xietong simulator (issue 5): many runs of a scenario under a design of
//! `--set` overrides, with results that do not depend on thread count or sharding.
//!
//! * [`spec`]: the experiment file (TOML); [`plan`]: an experiment resolved against its base
//!   scenario (points as overrides, seeds, columns, design hash); [`metrics`]: per-run metrics.
//! * [`runner`]: parallel runs handed back in design order, one bounded window at a time.
//! * [`store`]: output folders, resume, merge; with feature `parquet`, `parquet_out` writes
//!   `results.parquet` from a finished `results.csv`. These two are the only modules with file I/O.
//! * [`analyze`], [`compare`], [`calibrate`]: sensitivity indices from finished results, paired
//!   policy comparisons, and fitting parameters to targets.
//!
//! File format and commands: `docs/experiments.md`.

pub mod analyze;
pub mod calibrate;
pub mod compare;
pub mod error;
pub mod metrics;
#[cfg(feature = "parquet")]
pub mod parquet_out;
pub mod plan;
pub mod runner;
pub mod series;
pub mod spec;
pub mod store;

pub use error::{ExpError, Result};
pub use plan::Plan;
pub use spec::ExperimentSpec;
