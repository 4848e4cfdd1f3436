//! Reading what people type into the debate and prompt modals: cited passage ids, a ballot
//! in its compact text form, and marks for a prompt answer.
//!
//! Invariant: every form is read whole or refused with a sentence that names the line and
//! says how to write it; nothing is guessed, so a ballot stored is the ballot typed.

use crate::app::DebateView;
use crate::debate::{Side, SpeakerScores};

/// Passage ids as typed: separated by spaces, commas, semicolons or new lines; backticks
/// and surrounding punctuation ignored.
pub fn citations(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '`' | '.' | '"' | '\'' | '(' | ')' | '[' | ']')))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every speaker with the code the ballot uses (P1, O2, …), proposition first.
fn codes(v: &DebateView) -> Vec<(String, &crate::app::SeatView)> {
    let code = |s: &crate::app::SeatView| format!("{}{}", if s.team == Side::Proposition { 'P' } else { 'O' }, s.number);
    v.proposition.iter().chain(&v.opposition).map(|s| (code(s), s)).collect()
}

/// The ballot form's starting text: one line a speaker, `P1 (Name):`, scores to add.
pub fn ballot_template(v: &DebateView) -> String {
    codes(v).iter().map(|(code, s)| format!("{code} ({}): ", crate::text::display_name(&s.name).replace([':', '\n'], " "))).collect::<Vec<_>>().join("\n")
}

/// Reads a ballot's scores: one line a speaker, starting with their code (P1, O2, …) and
/// ending with their scores in the rubric's order (`P1 (Ada): 4 4 3 5`).
pub fn ballot_scores(text: &str, v: &DebateView) -> Result<Vec<SpeakerScores>, String> {
    let speakers = codes(v);
    let mut out: Vec<SpeakerScores> = Vec::new();
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.is_empty()) {
        let code = line.split(|c: char| c.is_whitespace() || c == ':' || c == '(').next().unwrap_or("").to_uppercase();
        let Some((_, seat)) = speakers.iter().find(|(c, _)| *c == code) else {
            let known = speakers.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
            return Err(format!(
                "Line {n} of the scores starts with `{}`, which is not a speaker of this debate ({known}). Write each line as `P1: 4 4 3 5`.",
                code.replace('`', "'")
            ));
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
            return Err(format!("Line {n} of the scores (`{code}`) has no scores: end it with one number per criterion, e.g. `{code}: 4 4 3 5`."));
        }
        if out.iter().any(|s| s.speaker == seat.user_id) {
            return Err(format!("{code} is scored twice (line {n}): keep one line a speaker."));
        }
        out.push(SpeakerScores { speaker: seat.user_id.clone(), scores });
    }
    Ok(out)
}

/// The winner as typed: a side, or nothing.
pub fn winner(text: &str) -> Result<Option<Side>, String> {
    match text.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "p" | "prop" | "proposition" => Ok(Some(Side::Proposition)),
        "o" | "opp" | "opposition" => Ok(Some(Side::Opposition)),
        other => Err(format!("The winner is `{}`: write `proposition`, `opposition`, or leave it empty.", other.replace('`', "'"))),
    }
}

/// Marks for a prompt answer, one number a rubric line (`2 3 1`).
pub fn marks(text: &str) -> Result<Vec<u8>, String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/'))
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<u8>().map_err(|_| format!("`{}` is not a mark: write one whole number per rubric line, e.g. `2 3 1`.", t.replace('`', "'"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{MotionView, PhaseView, SeatView, YourPart};
    use crate::debate::{Format, Phase, Status};
    use crate::ids::{ChannelId, DebateId, UserId};

    fn view() -> DebateView {
        let seat = |id: &str, name: &str, team, number| SeatView { user_id: UserId::from(id), name: name.into(), team, number };
        DebateView {
            debate_id: DebateId::from("d1"),
            channel_id: ChannelId::from("1"),
            thread_id: None,
            format: Format::Quick { per_side: 2 },
            format_title: String::new(),
            status: Status::Open,
            motion: MotionView { id: None, text: String::new(), info: String::new() },
            phase: PhaseView { index: 4, phase: Phase::Judging, title: String::new(), opened_at: 0, deadline: None, next: None },
            plan: Vec::new(),
            proposition: vec![seat("1", "Ada: 5", Side::Proposition, 1), seat("2", "Bo", Side::Proposition, 2)],
            opposition: vec![seat("3", "Cy 3", Side::Opposition, 1)],
            audience: 0,
            slots: Vec::new(),
            speeches: Vec::new(),
            votes_cast: None,
            ballot_in: false,
            flags: Vec::new(),
            you: YourPart::default(),
        }
    }

    #[test]
    fn a_filled_in_template_reads_back_and_mistakes_name_their_line() {
        let v = view();
        let template = ballot_template(&v);
        assert_eq!(template, "P1 (Ada  5): \nP2 (Bo): \nO1 (Cy 3): ");
        let filled: String = template.lines().zip(["4 4 3 5", "3,3,3,3", "5 5 5 5"]).map(|(l, s)| format!("{l}{s}\n")).collect();
        let scores = ballot_scores(&filled, &v).unwrap();
        assert_eq!(
            scores.iter().map(|s| (s.speaker.as_str(), s.scores.clone())).collect::<Vec<_>>(),
            [("1", vec![4, 4, 3, 5]), ("2", vec![3; 4]), ("3", vec![5; 4])]
        );
        assert!(ballot_scores("X9: 1 2", &v).unwrap_err().contains("Line 1"));
        assert!(ballot_scores("P1 (Ada): ", &v).unwrap_err().contains("has no scores"));
        assert!(ballot_scores("P1: 1\np1: 2", &v).unwrap_err().contains("twice"));
        assert_eq!(winner(" Opposition ").unwrap(), Some(Side::Opposition));
        assert!(winner("both").is_err());
        assert_eq!(marks("2 3, 1").unwrap(), [2, 3, 1]);
        assert!(marks("2 x").unwrap_err().contains("`x`"));
        assert_eq!(citations("`s5-p1`, s7-p2;  x\nlast."), ["s5-p1", "s7-p2", "x", "last"]);
    }
}
