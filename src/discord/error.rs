//! The bot's two kinds of error: what the user can act on, and everything else.
//!
//! Invariant: a user error is shown to the user who caused it, as written, in an ephemeral
//! reply; any other error is logged with its whole chain and the user only sees a short
//! apology, so no internal detail (SQL, file paths, Discord's answers) reaches a channel.

use std::fmt;

/// A sentence the user can act on ("only an instructor can reload the bank").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError(pub String);

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// The error type of every command and interaction handler.
#[derive(Debug)]
pub enum Error {
    /// Shown to the user as it is.
    User(UserError),
    /// Logged with its chain; the user sees [`APOLOGY`].
    Internal(anyhow::Error),
}

/// What a user sees when something failed on the bot's side.
pub const APOLOGY: &str = "Sorry, something went wrong on my side. Please try again in a moment; if it keeps happening, tell your instructor.";

impl Error {
    pub fn user(message: impl Into<String>) -> Error {
        Error::User(UserError(message.into()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::User(e) => write!(f, "{e}"),
            Error::Internal(e) => write!(f, "{e:#}"),
        }
    }
}

/// Anything that converts into `anyhow::Error` is internal, unless it is (or wraps, at its
/// outermost layer) a [`UserError`]: `?` keeps working on every library's errors.
impl<E: Into<anyhow::Error>> From<E> for Error {
    fn from(e: E) -> Error {
        let e: anyhow::Error = e.into();
        // The classroom layer's user errors are sentences for the user too.
        if let Some(crate::app::AppError::User(u)) = e.downcast_ref::<crate::app::AppError>() {
            return Error::user(u.to_string());
        }
        if let Some(u) = e.downcast_ref::<crate::app::UserError>() {
            return Error::user(u.to_string());
        }
        match e.downcast::<UserError>() {
            Ok(user) => Error::User(user),
            Err(e) => Error::Internal(e),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_error_survives_conversion_and_anything_else_is_internal() {
        let e: Error = anyhow::Error::new(UserError("pick a passage from the list".into())).into();
        assert!(matches!(e, Error::User(UserError(ref m)) if m == "pick a passage from the list"));
        let e: Error = crate::app::UserError::NoLiveRound.into();
        assert!(matches!(e, Error::User(UserError(ref m)) if m.contains("/quiz start")), "the classroom layer's user error, bare: {e}");
        let e: Error = std::io::Error::other("disk full").into();
        assert!(matches!(e, Error::Internal(_)));
        let e: Error = anyhow::anyhow!("inner").context("outer").into();
        assert_eq!(e.to_string(), "outer: inner");
    }
}
