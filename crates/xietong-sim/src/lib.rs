//! xietong-sim
