//! xietong-report
