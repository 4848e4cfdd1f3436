//! The ids that name things across the layers: a server, a student, a round, a debate, a
//! prompt answer, a bank item; and [`Millis`], the one way a moment is written.
//!
//! Invariant: an id of one kind cannot be passed where another is expected. They are all
//! text (Discord snowflakes as decimal strings; the terminal's server is `local` and its
//! students `local:NAME`), so each is a thin newtype over `String`.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> $name {
                $name(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> $name {
                $name(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id!(
    /// A Discord server (guild), or `local` for the terminal.
    GuildId
);
id!(
    /// A student or instructor: a Discord user id, or `local:NAME` in the terminal.
    UserId
);
id!(
    /// A quiz round (live or practice), unique within its server.
    RoundId
);
id!(
    /// A question of the bank (written or generated).
    ItemId
);
id!(
    /// A Discord channel.
    ChannelId
);
id!(
    /// A debate, unique within its server.
    DebateId
);
id!(
    /// A student's answer to an argument prompt, unique within its server.
    SubmissionId
);

/// Milliseconds since the Unix epoch, as the caller's clock reads it. The core never reads a
/// clock: every moment arrives as one of these.
pub type Millis = i64;
