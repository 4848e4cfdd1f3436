//! Scores and settings: `/score`, `/leaderboard`, `/mydata`, the instructor's `/scores …` and
//! `/settings`. No buttons: each command is one layer operation rendered by `views`.

pub mod command;
pub mod dashboard;
pub mod settings;
pub mod views;
