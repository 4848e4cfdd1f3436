//! The classroom layer's two kinds of error.
//!
//! Invariant: a [`UserError`] is a sentence the student or instructor can act on, shown to
//! them as it is; anything else is an internal error, kept typed with its whole chain for
//! the log, and shown only as the one short apology ([`APOLOGY`]). The layer's sentences
//! name what a person does, never a face's controls (no buttons, no command-line flags).

use thiserror::Error;

use crate::app::Privilege;
use crate::debate::Refusal;
use crate::quiz::{ResponseError, SessionError};
use crate::store::StoreError;

/// Something the person who asked can fix or should know; shown to them as it is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UserError {
    /// The one refusal of every privileged operation: what was refused, and who may do it
    /// here (the server's instructor role, a role id, if it has one).
    #[error("Only an instructor can {privilege}. Instructors are members with {}; ask your instructor if you need this.", instructors(role.as_deref()))]
    NotInstructor { privilege: Privilege, role: Option<String> },
    #[error("Only someone with Manage Server can change the settings.")]
    NotManager,
    /// A class lives in a server; a direct message has none.
    #[error("That works only in a server: use it in your class's server.")]
    NotInServer,
    /// Something that claims to come from this bot and does not (forged, another bot's, or
    /// an older version's).
    /// A face could not read what was typed (`what`, as the face shows it) for `why`.
    #[error("I could not read {what}: {why}. Check what you typed and try again.")]
    Unreadable { what: String, why: String },
    /// A passage or question looked up by what was typed (`typed`, made safe to show by the
    /// face) that matches nothing; `example` is a passage id to copy.
    #[error(
        "Nothing matches “{typed}”. Type part of a passage id (like {example}), a question id, or words from the quote, and pick one from the list that appears."
    )]
    NothingMatches { typed: String, example: String },
    #[error("“{typed}” matches {count} passages and questions. Pick one from the list as you type, for example {examples}.")]
    ManyMatch { typed: String, count: usize, examples: String },
    #[error("That is not one this bot made (or it is from an older version of it): run the command again.")]
    UnknownAction,
    #[error("No question matches that choice of topic, kind and difficulty; try fewer filters.")]
    NoQuestions,
    /// A typed topic, kind or motion that names none of the bank's, or several.
    #[error("{0}")]
    Name(crate::bank::names::NameError),
    #[error("{0}")]
    BadAnswer(ResponseError),
    #[error("{0}")]
    Session(SessionError),
    #[error("You have already answered this question.")]
    AlreadyAnswered,
    /// The store failed to commit the answer (a full disk, a lost database): nothing was
    /// stored, and the student may simply press again. The store's error is logged.
    #[error("Your answer did not count: the bot could not save it. Press again.")]
    AnswerNotSaved,
    #[error("This question is closed: answers are no longer accepted. Wait for the next question.")]
    QuestionClosed,
    /// More answers arrived at once than the bot takes in flight (`answers_in_flight`).
    #[error("Too many answers are arriving at this moment: yours was not counted. Press your answer again.")]
    TooManyAnswers,
    #[error("That was for a question that is over; answer the latest one.")]
    StaleButton,
    #[error("That round is over; its answers count (`/score` shows yours). An instructor starts a new one with `/quiz start`.")]
    RoundOver,
    #[error("That practice is over: start another with `/practice`.")]
    PracticeOver,
    #[error("That round does not exist (it may be from another server); an instructor starts one here with `/quiz start`.")]
    NoSuchRound,
    #[error("That belongs to a round in another channel: answer there.")]
    OtherChannel,
    #[error("That practice belongs to someone else: start your own with `/practice`.")]
    NotYourPractice,
    #[error("You have no practice under way: start one with `/practice`.")]
    NoPractice,
    #[error("This practice was closed because you started another one; the answers given here still count.")]
    Displaced,
    #[error("This channel already has a live round: end it with `/quiz stop` (or its End round button), then start again.")]
    ChannelBusy,
    #[error("There is no live round in this channel: start one with `/quiz start`.")]
    NoLiveRound,
    #[error("That question is no longer in the question bank (it was reloaded); the round was closed.")]
    QuestionGone,
    #[error("That setting is not allowed: {0}.")]
    BadSetting(String),
    #[error("{0}")]
    BadRequest(String),
    /// A debate move the rules refuse now (late, not your slot, phase closed, …).
    #[error("{0}")]
    Debate(Refusal),
    #[error("That debate does not exist (it may be from another server).")]
    NoSuchDebate,
    #[error("No debate is open in this channel: start one with `/debate start`.")]
    NoDebateHere,
    /// A speech begun for a phase that has closed since.
    #[error("That speech is for a phase that is over; the debate is now in: {now}.")]
    SpeechPhaseOver { now: String },
    #[error("You have no speech to give in this phase ({phase}): only the speakers in its speaking order, once each, before it closes.")]
    NoSpeechHere { phase: String },
    #[error("This channel already has a debate: release it with `/debate release` or call it off with `/debate cancel`, then start again.")]
    DebateChannelBusy,
    /// A speech out of the speaking order, with the name of who speaks next.
    #[error("It is not your turn yet in {phase}: {next} speaks before you. Press Speak again once their speech is posted (the board shows the order).")]
    NotYourTurn { phase: String, next: String },
    #[error("The debate moved on while you were acting: look at it again and retry.")]
    DebateMoved,
    /// A button of a debate's board that a newer board replaced (the phase it was for is over).
    #[error("This board is from an earlier phase of the debate, which is now in {now}: use the newest board, the last one posted in the channel.")]
    OldBoard { now: String },
    /// An advance pressed for a phase that had already closed (its timer was first).
    #[error(
        "The debate had already moved on to {now} when you pressed (the time of the phase before was up), so nothing was changed. To close {now} as well, run `/debate advance` again."
    )]
    PhaseMovedOn { now: String },
    #[error("There is no motion {0:?} in the bank; pick one from the list.")]
    NoSuchMotion(String),
    #[error("There is no passage {0:?} in the bank; evidence cards must be passages of the bank.")]
    UnknownPassage(String),
    #[error("That debate cannot start: {0}.")]
    BadDebate(String),
    #[error("No prompt matches that topic and kind; try fewer filters.")]
    NoPrompts,
    #[error("You have answered every prompt that matches; try another topic or kind.")]
    AllPromptsAnswered,
    #[error("There is no prompt {0:?} in the bank (it may have been removed).")]
    NoSuchPrompt(String),
    #[error("You have already answered that prompt.")]
    PromptAnswered,
    #[error("Write an answer first.")]
    EmptyAnswer,
    #[error("Your answer is {got} characters long; the most is {max}. Shorten it and send it again.")]
    AnswerTooLong { max: usize, got: usize },
    #[error("A prompt answer cites at most {0} passages.")]
    TooManyCitations(usize),
    #[error("That answer does not exist (it may be from another server).")]
    NoSuchSubmission,
    #[error("That answer has already been reviewed.")]
    AlreadyReviewed,
    #[error("{0}")]
    BadMarks(String),
    /// A ballot as typed that cannot be read (a line, a score, the winner), saying which.
    #[error("{0}")]
    BadBallot(String),
}

/// Who is an instructor, in words: Manage Server, or the server's instructor role (shown as a
/// role mention, which renders as the role's name and pings nobody).
fn instructors(role: Option<&str>) -> String {
    match role {
        Some(role) => format!("the Manage Server permission or the <@&{role}> role"),
        None => "the Manage Server permission".to_owned(),
    }
}

/// What an operation of the classroom layer can fail with.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    User(#[from] UserError),
    /// The store failed (a database error, a damaged row).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else that is not the user's doing (a bug, a bank that no longer matches, a
    /// face's own failure), with its whole chain of causes.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What a person sees when something failed on the bot's side (the cause is logged): the
/// one apology of every face.
pub const APOLOGY: &str = "Sorry, something went wrong on my side. Please try again in a moment; if it keeps happening, tell your instructor.";

impl AppError {
    /// An internal error that says what went wrong, with no cause of its own to chain.
    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::Internal(anyhow::anyhow!("{what}"))
    }

    /// An internal error caused by `source`, with what was being done.
    pub fn caused(source: impl Into<anyhow::Error>, doing: impl std::fmt::Display + Send + Sync + 'static) -> AppError {
        AppError::Internal(source.into().context(doing))
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

impl From<Refusal> for AppError {
    /// The domain's own instructor check (behind the layer's) is told in the layer's one wording.
    fn from(e: Refusal) -> AppError {
        AppError::User(match e {
            Refusal::NotInstructor => UserError::NotInstructor { privilege: Privilege::RunDebate, role: None },
            other => UserError::Debate(other),
        })
    }
}

impl From<ResponseError> for AppError {
    fn from(e: ResponseError) -> AppError {
        AppError::User(UserError::BadAnswer(e))
    }
}

pub type AppResult<T> = Result<T, AppError>;
