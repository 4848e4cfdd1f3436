//! Agora: a Discord bot that teaches one paper with quizzes and debates.
#![forbid(unsafe_code)]
//!
//! The domain core (`bank`, `scoring`, `memory`, `quiz`, `debate`) knows nothing of Discord, SQL or the
//! clock; adapters (`store`, `terminal`, `discord`, the CLI) sit around it.

pub mod app;
pub mod bank;
pub mod config;
pub mod debate;
pub mod discord;
pub mod files;
pub mod ids;
pub mod limits;
pub mod memory;
pub mod metrics;
pub mod quiz;
pub mod scoring;
pub mod stable;
pub mod store;
pub mod terminal;
pub mod text;
pub mod web;
pub mod yaml;
