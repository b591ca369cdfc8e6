//! What every front end shows. The CLI, the studio and the Python package call these functions
//! for the text, JSON and LaTeX tables, charts and reports of each command, so that no
//! presentation logic exists twice. Nothing here touches the file system or the terminal: each
//! function returns strings or bytes and the front end decides where they go.

pub mod experiment;
pub mod game;
pub mod run;
pub mod survey;
