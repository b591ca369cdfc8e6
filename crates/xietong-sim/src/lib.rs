//! The simulation engine: runs the mechanism of `xietong-model` over a scenario's calendar, many
//! runs in parallel, and aggregates what they record. The only file I/O is a scratch column file
//! a front end may hand to [`stream::Collector`]; `output` renders results to bytes and the front
//! ends write them.

pub mod engine;
mod kernel;
pub mod output;
pub mod patterns;
pub mod record;
pub mod rng;
pub mod runset;
pub mod setup;
mod sort;
pub mod stream;

pub use engine::{simulate, simulate_into};
pub use kernel::{limit_vector_lanes, vector_lanes};
pub use record::{PeriodRecord, RunResult, RunSummary, ZoneRecord};
pub use runset::{Aggregate, run_many};
pub use stream::{BandMetric, Bands, Collected, Collector};
