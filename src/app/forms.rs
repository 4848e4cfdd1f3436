//! Reading what people type in a form: a ballot in its compact text form (`P1 (Ada): 4 4 3
//! 5`, a line a speaker), the winner, and marks for a prompt answer.
//!
//! Invariant: every form is read whole or refused with a [`UserError`] that names the line
//! and says how to write it; nothing is guessed, so a ballot stored is the ballot typed.

use crate::app::{DebateView, SeatView, UserError};
use crate::debate::{Side, SpeakerScores};

/// Every speaker with the code the ballot uses (P1, O2, …), proposition first.
pub fn ballot_codes(v: &DebateView) -> Vec<(String, &SeatView)> {
    let code = |s: &SeatView| format!("{}{}", if s.team == Side::Proposition { 'P' } else { 'O' }, s.number);
    v.proposition.iter().chain(&v.opposition).map(|s| (code(s), s)).collect()
}

/// Reads a ballot's scores: one line a speaker, starting with their code (P1, O2, …) and
/// ending with their scores in the rubric's order (`P1 (Ada): 4 4 3 5`).
pub fn ballot_scores(text: &str, v: &DebateView) -> Result<Vec<SpeakerScores>, UserError> {
    let speakers = ballot_codes(v);
    let mut out: Vec<SpeakerScores> = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()) {
        let code = line.split(|c: char| c.is_whitespace() || c == ':' || c == '(').next().unwrap_or("").to_uppercase();
        let Some((_, seat)) = speakers.iter().find(|(c, _)| *c == code) else {
            let known = speakers.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
            return Err(UserError::BadBallot(format!(
                "Line {n} of the scores starts with `{}`, which is not a speaker of this debate ({known}). Write each line as `P1: 4 4 3 5`.",
                code.replace('`', "'")
            )));
        };
        let mut scores: Vec<u8> = Vec::new();
        for token in line.rsplit(|c: char| c.is_whitespace() || c == ',' || c == ':') {
            if token.is_empty() {
                continue;
            }
            match token.parse::<u8>() {
                Ok(s) => scores.push(s),
                Err(_) => break,
            }
        }
        scores.reverse();
        if scores.is_empty() {
            return Err(UserError::BadBallot(format!(
                "Line {n} of the scores (`{code}`) has no scores: end it with one number per criterion, e.g. `{code}: 4 4 3 5`."
            )));
        }
        if out.iter().any(|s| s.speaker == seat.user_id) {
            return Err(UserError::BadBallot(format!("{code} is scored twice (line {n}): keep one line a speaker.")));
        }
        out.push(SpeakerScores { speaker: seat.user_id.clone(), scores });
    }
    Ok(out)
}

/// The winner as typed: a side, or nothing.
pub fn winner(text: &str) -> Result<Option<Side>, UserError> {
    match text.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "p" | "prop" | "proposition" => Ok(Some(Side::Proposition)),
        "o" | "opp" | "opposition" => Ok(Some(Side::Opposition)),
        other => Err(UserError::BadBallot(format!("The winner is `{}`: write `proposition`, `opposition`, or leave it empty.", other.replace('`', "'")))),
    }
}

/// Marks for a prompt answer, one number a rubric line (`2 3 1`).
pub fn marks(text: &str) -> Result<Vec<u8>, UserError> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/'))
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<u8>()
                .map_err(|_| UserError::BadMarks(format!("`{}` is not a mark: write one whole number per rubric line, e.g. `2 3 1`.", t.replace('`', "'"))))
        })
        .collect()
}
