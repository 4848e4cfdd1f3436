//! The slash commands: each parses its options, calls the bank (or, later, the classroom
//! layer), and sends what `render` builds.
//!
//! Invariant: a command checks who may run it on every invocation (`Data::require_instructor`)
//! before it changes anything, and answers within Discord's 3 s, deferring first whatever
//! may take longer.

mod bank;
mod source;

use super::{Data, Error};

/// Every command the bot registers, in the order Discord lists them.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![source::source(), bank::bank()]
}
