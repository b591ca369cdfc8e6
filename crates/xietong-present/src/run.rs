//! Presentation of `xietong run` results (being moved here from the CLI crate).
