//! The bot's two kinds of error: what the user can act on, and everything else.
//!
//! Invariant: a user error is the classroom layer's [`UserError`], shown to the user who
//! caused it, as the layer words it, in an ephemeral reply; the bot writes no sentence of its
//! own. Any other error is logged with its whole chain and the user only sees the layer's one
//! apology ([`APOLOGY`]), so no internal detail (SQL, file paths, Discord's answers) reaches
//! a channel.

use std::fmt;

use poise::serenity_prelude as serenity;

use crate::app::AppError;
pub use crate::app::{APOLOGY, UserError};

/// The error type of every command and interaction handler.
#[derive(Debug)]
pub enum Error {
    /// Shown to the user as the layer words it.
    User(UserError),
    /// Logged with its chain; the user sees [`APOLOGY`].
    Internal(anyhow::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::User(e) => write!(f, "{e}"),
            Error::Internal(e) => write!(f, "{e:#}"),
        }
    }
}

impl From<UserError> for Error {
    fn from(e: UserError) -> Error {
        Error::User(e)
    }
}

/// The layer's user errors stay user errors; anything else it failed with is internal, its
/// chain kept.
impl From<AppError> for Error {
    fn from(e: AppError) -> Error {
        match e {
            AppError::User(u) => Error::User(u),
            AppError::Internal(e) => Error::Internal(e),
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Internal(e)
    }
}

impl From<serenity::Error> for Error {
    fn from(e: serenity::Error) -> Error {
        Error::Internal(e.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_error_stays_one_and_anything_else_is_internal_with_its_chain() {
        let e: Error = AppError::from(UserError::NoLiveRound).into();
        assert!(matches!(e, Error::User(UserError::NoLiveRound)), "the classroom layer's user error: {e}");
        let e: Error = AppError::caused(std::io::Error::other("disk full"), "reading the bank").into();
        assert!(matches!(e, Error::Internal(_)));
        assert_eq!(e.to_string(), "reading the bank: disk full", "the chain is kept");
        let e: Error = anyhow::anyhow!("inner").context("outer").into();
        assert_eq!(e.to_string(), "outer: inner");
    }
}
