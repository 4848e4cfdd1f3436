//! The debate domain: formats, phases, seats, speeches, flags, votes, ballots and the
//! released result, as plain Rust that takes the time as an argument.
//!
//! Invariant: nothing here touches Discord, SQL or the clock. A debate is a
//! [`Debate`] built from a [`Setup`] or rebuilt from a [`DebateRecord`]; every move returns
//! what changed or a typed [`Refusal`], so the classroom layer stores the change and the
//! tests drive every phase change and every refusal with a fake clock.

mod format;
mod result;
mod round;
mod rubric;

pub use format::{Format, OXFORD_MAX, PHASE_SECONDS, Phase, PlannedPhase, Poll, Seat, Side, Slot, SlotKey, Timing, slots};
pub use result::{DebateResult, DecidedBy, Decision, EvidenceMap, PollTally, ShadowSummary, SpeakerResult, Swing};
pub use round::{
    Actor, CLAIM_CHARS, Cited, Debate, DebateMotion, DebateRecord, FLAG_REASON_CHARS, Flag, INFO_CHARS, Join, Joined, MAX_CITATIONS, MOTION_CHARS, PhaseChange,
    Place, REASONING_CHARS, RecordError, Refusal, Setup, SetupError, Speech, SpeechDraft, SpeechRef, Stance, Status, Vote,
};
pub use rubric::{Ballot, BallotDraft, CRITERION_CHARS, DebatePoints, FEEDBACK_CHARS, MAX_CRITERIA, MAX_DEBATE_POINTS, Rubric, SpeakerScores};

#[cfg(test)]
mod tests;
