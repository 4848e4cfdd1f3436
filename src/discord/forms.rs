//! The modals every feature builds (a text input, a modal with its action's id, the typed
//! answer of a question) and their text: cited passage ids as typed, and the ballot form's
//! starting text. The layer reads the ballot and the marks back (`app/forms.rs`), so its
//! refusals are the layer's words.
//!
//! Invariant: labels and titles are cut to Discord's 45 characters, lengths to its 4,000.

use poise::serenity_prelude::{CreateActionRow, CreateInputText, CreateModal, InputTextStyle};

use crate::app::{DebateView, ballot_codes};
use crate::discord::custom_id::Action;
use crate::discord::render::truncate;

/// A text input of a modal, its label cut to Discord's 45 characters.
pub fn input(style: InputTextStyle, label: &str, id: &str, max: usize, required: bool) -> CreateInputText {
    CreateInputText::new(style, truncate(label, 45), id).max_length(max.min(4000) as u16).required(required)
}

/// A modal whose submit comes back as `action`, one input a row.
pub fn modal(action: Action, title: &str, inputs: Vec<CreateInputText>) -> CreateModal {
    CreateModal::new(action.id(), truncate(title, 45)).components(inputs.into_iter().map(CreateActionRow::InputText).collect())
}

/// The modal for a typed answer to question `number` (numbers, short answers, orderings, or
/// a multi select), its one input `answer`.
pub fn typed_answer(action: Action, number: usize) -> CreateModal {
    let answer = input(InputTextStyle::Short, "Your answer", "answer", crate::quiz::judge::MAX_TEXT, true).placeholder("Type your answer");
    modal(action, &format!("Question {number}"), vec![answer])
}

/// Passage ids as typed: separated by spaces, commas, semicolons or new lines; backticks
/// and surrounding punctuation ignored.
pub fn citations(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';'))
        .map(|t| t.trim_matches(|c: char| matches!(c, '`' | '.' | '"' | '\'' | '(' | ')' | '[' | ']')))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ballot form's starting text: one line a speaker, `P1 (Name):`, scores to add (read
/// back by the layer, [`crate::app::App::debate_ballot_typed`]).
pub fn ballot_template(v: &DebateView) -> String {
    ballot_codes(v)
        .iter()
        .map(|(code, s)| format!("{code} ({}): ", crate::text::display_name(&s.name).replace([':', '\n'], " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::forms::{ballot_scores, marks, winner};
    use crate::app::{MotionView, PhaseView, SeatView, YourPart};
    use crate::debate::{Format, Phase, Side, Status};
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
        let err = |e: crate::app::UserError| e.to_string();
        assert_eq!(
            scores.iter().map(|s| (s.speaker.as_str(), s.scores.clone())).collect::<Vec<_>>(),
            [("1", vec![4, 4, 3, 5]), ("2", vec![3; 4]), ("3", vec![5; 4])]
        );
        assert!(err(ballot_scores("X9: 1 2", &v).unwrap_err()).contains("Line 1"));
        assert!(err(ballot_scores("P1 (Ada): ", &v).unwrap_err()).contains("has no scores"));
        assert!(err(ballot_scores("P1: 1\np1: 2", &v).unwrap_err()).contains("twice"));
        assert_eq!(winner(" Opposition ").unwrap(), Some(Side::Opposition));
        assert!(winner("both").is_err());
        assert_eq!(marks("2 3, 1").unwrap(), [2, 3, 1]);
        assert!(err(marks("2 x").unwrap_err()).contains("`x`"));
        assert_eq!(citations("`s5-p1`, s7-p2;  x\nlast."), ["s5-p1", "s7-p2", "x", "last"]);
    }
}
