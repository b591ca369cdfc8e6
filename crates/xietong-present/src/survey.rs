//! Presentation of `xietong survey` results (being moved here from the CLI crate).
