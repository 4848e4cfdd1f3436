//! The modals every feature builds (a text input, a modal with its action's id, the typed
//! answer of a question) and their text: cited passage ids as typed, and the ballot form's
//! starting text. The layer reads the ballot and the marks back (`app/forms.rs`), so its
//! refusals are the layer's words.
//!
//! Invariant: titles, labels and placeholders are cut to Discord's limits (`src/limits.rs`:
//! 45, 45 and 100 characters), lengths to its 4,000.

use poise::serenity_prelude::{CreateActionRow, CreateInputText, CreateModal, InputTextStyle};

use crate::app::{DebateView, QuestionView, ballot_codes, letter};
use crate::bank::Kind;
use crate::discord::custom_id::Action;
use crate::discord::render::{limits, truncate};

/// A text input of a modal, its label cut to Discord's 45 characters.
pub fn input(style: InputTextStyle, label: &str, id: &str, max: usize, required: bool) -> CreateInputText {
    CreateInputText::new(style, truncate(label, limits::INPUT_LABEL), id).max_length(max.min(limits::INPUT_VALUE) as u16).required(required)
}

/// A modal whose submit comes back as `action`, one input a row.
pub fn modal(action: Action, title: &str, inputs: Vec<CreateInputText>) -> CreateModal {
    CreateModal::new(action.id(), truncate(title, limits::MODAL_TITLE)).components(inputs.into_iter().map(CreateActionRow::InputText).collect())
}

/// What the box for a typed answer to `q` says: its title, its label and its placeholder,
/// each within Discord's limits. The box covers the question on a phone, so it says what to
/// type: a number and its unit, the letters in order (with the items when they fit), a word
/// or a short name (with the question's own words when they fit).
pub fn answer_help(q: &QuestionView) -> (String, String, String) {
    let n = q.choices.len();
    let last = letter(n.saturating_sub(1));
    let (what, label, placeholder) = match q.kind {
        Kind::Numeric if q.unit.is_empty() => ("type a number", "A number".to_string(), "Digits, e.g. 12.5".to_string()),
        Kind::Numeric => ("type a number", format!("A number, in {}", q.unit), format!("Digits, e.g. 12.5; no need to type “{}”", q.unit)),
        Kind::Ordering => {
            let example = (0..n).rev().map(|i| letter(i).to_string()).collect::<Vec<_>>().join(" ");
            let items = q.choices.iter().enumerate().map(|(i, c)| format!("{}: {c}", letter(i))).collect::<Vec<_>>().join(" · ");
            let placeholder = if items.chars().count() <= limits::INPUT_PLACEHOLDER {
                items
            } else {
                format!("All {n} letters, first to last; the question lists what each letter stands for")
            };
            ("put the items in order", format!("Letters, first to last, e.g. {example}"), placeholder)
        }
        Kind::Short => ("type a word or a short name", "A word or a short name".to_string(), prompt_tail(&q.prompt)),
        Kind::Multi => ("type letters", format!("Every letter that applies (A to {last}), e.g. A C"), "Letters separated by spaces".to_string()),
        Kind::Single | Kind::TrueFalse => ("type a letter", format!("One letter, A to {last}"), "One letter".to_string()),
    };
    (format!("Question {}: {what}", q.number), label, truncate(&placeholder, limits::INPUT_PLACEHOLDER))
}

/// The question's own words for a placeholder: the whole prompt when it fits, or its end
/// (where it asks what it asks: "…which continent? (one word)").
fn prompt_tail(prompt: &str) -> String {
    let chars: Vec<char> = prompt.trim().chars().collect();
    if chars.len() <= limits::INPUT_PLACEHOLDER {
        return chars.into_iter().collect();
    }
    let tail: String = chars[chars.len() - (limits::INPUT_PLACEHOLDER - 1)..].iter().collect();
    // Start at a word.
    let tail = tail.split_once(' ').map_or(tail.as_str(), |(_, rest)| rest);
    format!("…{tail}")
}

/// The box for a typed answer to `q` (numbers, short answers, orderings), its one input
/// `answer`, saying what to type ([`answer_help`]).
pub fn typed_answer(action: Action, q: &QuestionView) -> CreateModal {
    let (title, label, placeholder) = answer_help(q);
    let answer = input(InputTextStyle::Short, &label, "answer", crate::quiz::judge::MAX_TEXT, true).placeholder(placeholder);
    modal(action, &title, vec![answer])
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
