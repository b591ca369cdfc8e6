//! The simulation engine: runs the mechanism of `xietong-model` over a scenario's calendar, many
//! runs in parallel, and aggregates what they record. No file I/O here: `output` renders results
//! to strings and the CLI writes them.

pub mod engine;
mod kernel;
pub mod output;
pub mod patterns;
pub mod record;
pub mod rng;
pub mod runset;
pub mod setup;
mod sort;

pub use engine::simulate;
pub use kernel::{limit_vector_lanes, vector_lanes};
pub use record::{PeriodRecord, RunResult, RunSummary, ZoneRecord};
pub use runset::{Aggregate, run_many};
