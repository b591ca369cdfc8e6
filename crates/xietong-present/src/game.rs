//! Presentation of `xietong game` results (being moved here from the CLI crate).
