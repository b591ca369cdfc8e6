//! xietong-survey: questionnaire exports (CSV, Excel, Wenjuanxing conventions) to publication
//! statistics. The statistics are pure functions checked against scipy, pingouin and statsmodels
//! (see `tests/fixtures/gen_reference.py`); readers are kept in their own module.

pub mod analyze;
pub mod codebook;
pub mod compound;
pub mod data;
pub mod paper;
pub mod quick;
pub mod read;
#[cfg(feature = "spss")]
pub mod spss;
pub mod stats;
pub mod text;
