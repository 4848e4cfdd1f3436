//! Agora: a Discord bot that teaches one paper with quizzes and debates.
//!
//! The domain core (`bank`, `quiz`, `scoring`) knows nothing of Discord, SQL or the
//! clock; adapters (`store`, `terminal`, the CLI) sit around it.

pub mod bank;
pub mod config;
pub mod yaml;
pub mod quiz;
pub mod scoring;
pub mod stable;
pub mod store;
pub mod terminal;
