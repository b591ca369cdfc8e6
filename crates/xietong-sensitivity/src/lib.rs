//! xietong-sensitivity
