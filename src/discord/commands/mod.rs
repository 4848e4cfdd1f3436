//! The slash commands: each parses its options, calls one operation of the classroom layer
//! (or reads the bank), and sends what `views` or `render` builds.
//!
//! Invariant: a command checks who may run it on every invocation (`Data::require_instructor`)
//! before it changes anything, and answers within Discord's 3 s, deferring first whatever
//! may take longer.

mod bank;
mod debate;
mod practice;
mod prompts;
pub mod quiz;
mod scores;
mod settings;
mod source;

use super::{Data, Error};

/// Every command the bot registers, in the order Discord lists them.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        quiz::quiz(),
        practice::practice(),
        scores::score(),
        scores::leaderboard(),
        scores::mydata(),
        source::source(),
        scores::scores(),
        bank::bank(),
        settings::settings(),
        debate::debate(),
        prompts::prompt(),
        prompts::feedback(),
        prompts::review(),
    ]
}
