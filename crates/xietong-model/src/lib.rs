//! xietong-model
