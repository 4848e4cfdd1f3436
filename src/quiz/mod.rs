//! The quiz domain: judging answers, choosing questions and running sessions.
//!
//! Invariant: nothing here touches the outside world. Time arrives as [`Millis`],
//! randomness as a `u64` seed, and every function returns what happened as data,
//! so the same inputs always give the same outcome.

pub mod judge;
pub mod review;
pub mod select;
pub mod session;

// The moment and the verdict belong below the quiz (`ids`, `scoring`), so that scoring never
// imports the quiz; they stay nameable here as the quiz's vocabulary.
pub use crate::ids::Millis;
pub use crate::scoring::Verdict;
pub use judge::{Response, ResponseError, judge, parse_number, parse_response};
pub use select::{Filter, History, Lean, Presentation, TopicRecord, pick, pick_practice, presentation};
pub use session::{
    CurrentQuestion, LiveRound, LiveRoundRecord, Next, Outcome, Phase, Practice, PracticeRecord, RecordError, SessionError, Summary, UserId,
    streaks_from_answers,
};
