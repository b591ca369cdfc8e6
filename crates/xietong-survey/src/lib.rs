//! xietong-survey
