//! The classroom layer's two kinds of error.
//!
//! Invariant: a [`UserError`] is a sentence the student or instructor can act on, shown to
//! them as it is; anything else is an internal error, kept typed with its whole chain for
//! the log, and shown only as a short apology ([`AppError::user_message`]).

use thiserror::Error;

use crate::quiz::{ResponseError, SessionError};
use crate::store::StoreError;

/// Something the person who asked can fix or should know; shown to them as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UserError {
    #[error("Only an instructor can do that: ask someone with Manage Server or the instructor role.")]
    NotInstructor,
    #[error("Only someone with Manage Server can change the settings.")]
    NotManager,
    #[error("No question matches that choice of topic, kind and difficulty; try fewer filters.")]
    NoQuestions,
    #[error("There is no topic {0:?}; pick one from the list.")]
    UnknownTopic(String),
    #[error("{0}")]
    BadAnswer(ResponseError),
    #[error("{0}")]
    Session(SessionError),
    #[error("You have already answered this question.")]
    AlreadyAnswered,
    #[error("This question is closed: answers are no longer accepted.")]
    QuestionClosed,
    #[error("That button belongs to a question that is over; use the buttons on the latest one.")]
    StaleButton,
    #[error("That round is over.")]
    RoundOver,
    #[error("That round does not exist (it may be from before a restart, or from another server).")]
    NoSuchRound,
    #[error("That button belongs to a round in another channel.")]
    OtherChannel,
    #[error("That practice belongs to someone else: start your own.")]
    NotYourPractice,
    #[error("You have no practice under way: start one.")]
    NoPractice,
    #[error("This practice was closed because you started another one; the answers given here still count.")]
    Displaced,
    #[error("This channel already has a live round: end it first.")]
    ChannelBusy,
    #[error("There is no live round in this channel.")]
    NoLiveRound,
    #[error("That question is no longer in the question bank (it was reloaded); the round was closed.")]
    QuestionGone,
    #[error("That setting is not allowed: {0}.")]
    BadSetting(String),
    #[error("{0}")]
    BadRequest(String),
}

/// What an operation of the classroom layer can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    User(#[from] UserError),
    /// The store failed (a database error, a damaged row).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else that is not the user's doing: a bug, a bank that no longer matches.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// What to show the person who asked: the user error itself, or a short apology.
    pub fn user_message(&self) -> String {
        match self {
            AppError::User(e) => e.to_string(),
            _ => "Sorry, something went wrong on our side; it has been logged. Please try again in a moment.".into(),
        }
    }

    /// The user error, if this is one.
    pub fn as_user(&self) -> Option<&UserError> {
        match self {
            AppError::User(e) => Some(e),
            _ => None,
        }
    }

    /// The whole chain, for the log.
    pub fn chain(&self) -> String {
        let mut s = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(e) = source {
            s.push_str(": ");
            s.push_str(&e.to_string());
            source = e.source();
        }
        s
    }
}

impl From<SessionError> for AppError {
    fn from(e: SessionError) -> AppError {
        AppError::User(match e {
            SessionError::AlreadyAnswered => UserError::AlreadyAnswered,
            SessionError::Closed => UserError::QuestionClosed,
            other => UserError::Session(other),
        })
    }
}

impl From<ResponseError> for AppError {
    fn from(e: ResponseError) -> AppError {
        AppError::User(UserError::BadAnswer(e))
    }
}

pub type AppResult<T> = Result<T, AppError>;
