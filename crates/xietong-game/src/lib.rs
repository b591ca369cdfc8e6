//! xietong-game: asymmetric multi-population evolutionary games with parametric payoffs.
//!
//! The workflow papers in this field do by hand — replicator equations, every rest point, the
//! Jacobian and its eigenvalues, sign conditions for stability, ode45 trajectories — done from a
//! TOML game file. No I/O here: the CLI (`xietong game`) reads files and writes results.
//!
//! - [`spec`]: game files, validation with file/line/column errors.
//! - [`expr`]: payoff expressions, simplification, text and LaTeX.
//! - [`dynamics`]: replicator field and exact Jacobian in reduced coordinates.
//! - [`rest`]: rest points (pure, faces, interior) and classification.
//! - [`symbolic`]: eigenvalue expressions and stability conditions at pure profiles.
//! - [`ode`]: Dormand-Prince 5(4) trajectories on the product of simplices.
//! - [`sweep`]: one-parameter sweeps of the stable set.

pub mod dynamics;
pub mod expr;
pub mod ode;
pub mod rest;
pub mod spec;
pub mod sweep;
pub mod symbolic;

pub use dynamics::NumericGame;
pub use rest::{Analysis, Continuum, Eigen, Kind, RestPoint, Stability, analyze};
pub use spec::{Game, GameError};
