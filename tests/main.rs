//! Agora's integration tests, as one test crate: each file of `tests/` is a module of it, so
//! what they share (the Discord stand-in in `support/`, the stores and PostgreSQL databases in
//! `common/`) is compiled once, and one binary runs them all.
//!
//! Run one file's tests with its module name as the filter, e.g.
//! `cargo test --test it store_open::`, or one test by its path,
//! `cargo test --test it -- --exact discord_quiz::a_class_plays_a_quiz_in_discord`.
//! Tests that run this binary again as a child name themselves through
//! [`common::this_test`], since their names carry their module.

mod common;
mod support;

mod app;
mod argue;
mod bank_check;
mod bank_fuzz;
mod db_backup;
mod debate;
mod deploy;
mod discord;
mod discord_data;
mod discord_debate;
mod discord_edges;
mod discord_outbox;
mod discord_quiz;
mod discord_shards;
mod discord_spaced;
mod generate;
mod hostile;
mod judge;
mod layers;
mod memory;
mod play;
mod spaced;
mod special_files;
mod store;
mod store_open;
mod web;
mod web_browser;
