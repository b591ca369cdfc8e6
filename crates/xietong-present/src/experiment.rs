//! Presentation of `xietong experiment` results (being moved here from the CLI crate).
