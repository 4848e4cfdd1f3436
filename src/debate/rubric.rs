//! Judging a debate: the rubric speakers are scored on, ballots, and the points a debate
//! is worth.
//!
//! Invariant: a ballot that counts scores every speaker on every criterion of the debate's
//! rubric, each within the rubric's scale; a rubric and a points table are checked before
//! a debate uses them, so a result is always computed from complete, in-range scores.

use serde::{Deserialize, Serialize};

use super::format::Side;
use crate::ids::{Millis, UserId};

/// Most criteria a rubric may have (a face shows one select menu per criterion).
pub const MAX_CRITERIA: usize = 8;
/// Longest criterion name, in characters (Discord's limit on a modal or menu label).
pub const CRITERION_CHARS: usize = 45;
/// Longest feedback a judge may write (Discord's limit on a modal input).
pub const FEEDBACK_CHARS: usize = 4000;

/// What each speaker is scored on, and the top of the scale (scores run from 1 to `max`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rubric {
    pub criteria: Vec<String>,
    pub max: u8,
}

impl Default for Rubric {
    fn default() -> Rubric {
        Rubric { criteria: ["Use of evidence", "Reasoning", "Rebuttal", "Clarity"].map(String::from).to_vec(), max: 5 }
    }
}

impl Rubric {
    /// Checks the rubric; the message says what is wrong and what is allowed.
    pub fn check(&self) -> Result<(), String> {
        if self.criteria.is_empty() || self.criteria.len() > MAX_CRITERIA {
            return Err(format!("a rubric has 1 to {MAX_CRITERIA} criteria, not {}", self.criteria.len()));
        }
        for (i, c) in self.criteria.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(format!("criterion {} of the rubric has no name", i + 1));
            }
            if c.chars().count() > CRITERION_CHARS {
                return Err(format!("the criterion {c:?} is longer than {CRITERION_CHARS} characters"));
            }
            if self.criteria[..i].iter().any(|d| d.trim().eq_ignore_ascii_case(c.trim())) {
                return Err(format!("the criterion {c:?} appears twice in the rubric"));
            }
        }
        if !(2..=10).contains(&self.max) {
            return Err(format!("rubric scores run from 1 to a top of 2 to 10, not {}", self.max));
        }
        Ok(())
    }

    /// The most a speaker can total on one ballot.
    pub fn max_total(&self) -> u32 {
        self.criteria.len() as u32 * u32::from(self.max)
    }
}

/// One speaker's scores on a ballot, in the rubric's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerScores {
    pub speaker: UserId,
    pub scores: Vec<u8>,
}

impl SpeakerScores {
    pub fn total(&self) -> u32 {
        self.scores.iter().map(|&s| u32::from(s)).sum()
    }
}

/// What a judge fills in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BallotDraft {
    /// Every speaker's scores, in the rubric's order.
    pub scores: Vec<SpeakerScores>,
    /// Required in a quick debate; in an Oxford debate it only breaks a tie of the vote;
    /// a controversy has no winner.
    pub winner: Option<Side>,
    pub feedback: String,
}

/// A judge's ballot. The instructor's is `official` (one per debate; a new one replaces
/// it); a student's is a shadow ballot, which never counts towards the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub judge: UserId,
    pub official: bool,
    pub scores: Vec<SpeakerScores>,
    pub winner: Option<Side>,
    pub feedback: String,
    pub submitted_at: Millis,
}

impl Ballot {
    /// The scores of `speaker` on this ballot.
    pub fn of(&self, speaker: &UserId) -> Option<&SpeakerScores> {
        self.scores.iter().find(|s| &s.speaker == speaker)
    }
}

/// What a debate is worth, per server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebatePoints {
    /// Points per rubric mark on the instructor's ballot (a speaker scored 4 × 4 earns 16).
    pub per_mark: u32,
    /// Extra points for each speaker of the winning side.
    pub win: u32,
    /// Points for each audience poll a member of the audience voted in.
    pub vote: u32,
    /// Points for a complete shadow ballot.
    pub shadow: u32,
}

impl Default for DebatePoints {
    fn default() -> DebatePoints {
        DebatePoints { per_mark: 1, win: 10, vote: 1, shadow: 2 }
    }
}

/// The most points any one part of a debate may be worth.
pub const MAX_DEBATE_POINTS: u32 = 1000;

impl DebatePoints {
    pub fn check(&self) -> Result<(), String> {
        for (name, value) in [("per_mark", self.per_mark), ("win", self.win), ("vote", self.vote), ("shadow", self.shadow)] {
            if value > MAX_DEBATE_POINTS {
                return Err(format!("debate points {name} must be at most {MAX_DEBATE_POINTS}, not {value}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rubrics_are_checked() {
        assert!(Rubric::default().check().is_ok());
        assert_eq!(Rubric::default().max_total(), 20);
        let bad = |criteria: &[&str], max: u8| Rubric { criteria: criteria.iter().map(|c| c.to_string()).collect(), max }.check().unwrap_err();
        assert_eq!(bad(&[], 5), "a rubric has 1 to 8 criteria, not 0");
        assert_eq!(bad(&["a"; 9], 5), "a rubric has 1 to 8 criteria, not 9");
        assert_eq!(bad(&["Evidence", " "], 5), "criterion 2 of the rubric has no name");
        assert_eq!(bad(&["Evidence", "evidence"], 5), "the criterion \"evidence\" appears twice in the rubric");
        assert_eq!(bad(&["Evidence"], 1), "rubric scores run from 1 to a top of 2 to 10, not 1");
        assert!(bad(&[&"x".repeat(46)], 5).contains("longer than 45"));
        assert!(DebatePoints::default().check().is_ok());
        assert_eq!(DebatePoints { win: 1001, ..DebatePoints::default() }.check().unwrap_err(), "debate points win must be at most 1000, not 1001");
    }
}
