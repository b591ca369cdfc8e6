//! Experimental designs and global sensitivity analysis for xietong experiments, in the spirit of
//! SALib: pure computation over named factors, no I/O.
//!
//! * [`design`]: full-factorial grid, explicit list, uniform random, Latin hypercube, Sobol'
//!   sequence, Saltelli (for Sobol' indices) and Morris trajectories, all deterministic.
//! * [`sobol_analyze`] and [`morris_analyze`]: SALib's estimators with seeded bootstrap intervals.
//! * [`summary`]: streaming mean/variance, quantiles and Welch mean differences over replications.
//!
//! Estimators and validation are described in `docs/sensitivity.md`.

pub mod design;
pub mod error;
pub mod factor;
pub mod morris_analysis;
mod rng;
pub mod sobol_analysis;
pub mod special;
pub mod summary;
pub mod testfn;

pub use design::{
    Design, DesignSpec, DesignWarning, GridLevels, Method, MorrisStep, SaltelliOptions,
};
pub use error::{Result, SaError};
pub use factor::{Factor, Range};
pub use morris_analysis::{MorrisIndices, MorrisOptions, morris_analyze};
pub use sobol_analysis::{
    PairIndex, SobolIndices, SobolOptions, sobol_analyze, sobol_analyze_outputs,
};
pub use summary::{
    MeanDifference, Replicates, RunningStats, Summary, paired, welch, welch_from_stats,
};
