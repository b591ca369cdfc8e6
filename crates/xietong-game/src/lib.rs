//! xietong-game
