//! Views: what each operation of the classroom layer returns, ready for a face to render.
//!
//! Invariant: no face recomputes anything from a view. The question comes with its choices
//! in the order this round shows them, the verdict with the right answer in those letters,
//! the reveal with the tally the store holds; every citation carries section, anchor and
//! quote. Views hold text as written (names, answers): escaping is the renderer's job.

use crate::bank::{Answer, Bank, Kind, Question};
use crate::ids::{ItemId, RoundId, UserId};
use crate::quiz::{self, Millis, Presentation, Response};
use crate::store::{LeaderboardRow, Tally};

/// One cited passage, as shown under an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct CitationView {
    pub passage_id: String,
    /// The section's title ("Factors of convergence").
    pub section: String,
    /// The paragraph anchor (`s5-p3`).
    pub anchor: String,
    pub quote: String,
    /// Where the paper attributes the point, if it does ("Rumer, 2024: 4").
    pub source: Option<String>,
}

/// A question as one round shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub round_id: RoundId,
    pub item_id: ItemId,
    /// 1-based position in the round, and how many questions it has.
    pub number: usize,
    pub of: usize,
    /// The title of the question's first topic.
    pub topic: String,
    pub difficulty: u8,
    pub kind: Kind,
    pub prompt: String,
    /// The labels in the order shown: choices, orderings' items; empty for typed answers.
    pub choices: Vec<String>,
    /// The unit a numeric answer is in ("" when none or not numeric).
    pub unit: String,
    /// How to answer ("one letter", "true or false", …).
    pub how: String,
    pub opened_at: Millis,
    /// When the question stops taking answers; `None` in practice.
    pub deadline: Option<Millis>,
}

/// The judgement of one answer, with everything a student should learn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictView {
    pub question: QuestionView,
    pub correct: bool,
    /// Share of the points earned, 0 to 1.
    pub credit: f64,
    pub points: i64,
    /// Right answers in a row in this round, this one included.
    pub streak: u32,
    /// What the student answered, in the letters shown.
    pub your_answer: String,
    /// The right answer, in the letters shown ("B. Complementary economies").
    pub right_answer: String,
    pub explanation: String,
    pub citations: Vec<CitationView>,
}

/// A live answer accepted: the student's own pick, and nothing of anyone else's.
#[derive(Debug, Clone, PartialEq)]
pub struct LockedIn {
    pub question: QuestionView,
    pub your_answer: String,
}

/// One bar of a reveal's spread.
#[derive(Debug, Clone, PartialEq)]
pub struct TallyBar {
    /// "A. Complementary economies", "True", "Right answer", "Other answers".
    pub label: String,
    pub count: u64,
    /// Whether this bar is (part of) the right answer.
    pub correct: bool,
}

/// A live question closed and its answer shown to the class.
#[derive(Debug, Clone, PartialEq)]
pub struct RevealView {
    pub question: QuestionView,
    pub right_answer: String,
    pub explanation: String,
    pub citations: Vec<CitationView>,
    /// The spread of answers, in the order the choices were shown.
    pub tally: Vec<TallyBar>,
    pub answered: u64,
    /// Exactly right answers.
    pub right: u64,
    /// The quickest right answers: display name and milliseconds, fastest first (up to 3).
    pub fastest: Vec<(String, Millis)>,
    /// Whether this was the round's last question.
    pub last: bool,
}

/// A live round ended: its own leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundEndView {
    pub round_id: RoundId,
    /// The message a face posted for the question open when the round ended, whose buttons
    /// it should take away.
    pub last_message: Option<String>,
    /// Questions that were opened.
    pub asked: usize,
    pub leaderboard: Vec<LeaderboardRow>,
}

/// A practice just started.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeStarted {
    pub question: QuestionView,
    pub seed: u64,
    /// Whether another practice of the same student was closed to make room for this one.
    pub closed_other: bool,
}

/// What follows a practice question.
#[derive(Debug, Clone, PartialEq)]
pub enum PracticeStep {
    Question(QuestionView),
    Finished(PracticeSummary),
}

/// A practice that ended, and where the student stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeSummary {
    pub answered: u32,
    pub correct: u32,
    pub points: i64,
    pub total_points: i64,
    pub total_answered: u64,
    pub total_accuracy: f64,
}

/// A student's record in one server.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreView {
    pub user_id: UserId,
    pub name: String,
    pub points: i64,
    pub answered: u64,
    pub correct: u64,
    pub accuracy: f64,
    pub current_streak: u32,
    pub best_streak: u32,
    /// Per topic (its title), answered and right, in the bank's topic order.
    pub mastery: Vec<(String, Tally)>,
}

/// The letter shown for display position `i` (`A`, `B`, …).
pub use crate::quiz::judge::letter;

/// Where a question stands in its round, as its view shows it.
pub(crate) struct Slot<'a> {
    pub round: &'a RoundId,
    /// 0-based position in the round, and how many questions it has.
    pub position: usize,
    pub of: usize,
    /// The round's seed, which fixes the order the choices are shown in.
    pub seed: u64,
    pub opened_at: Millis,
    pub deadline: Option<Millis>,
}

/// The view of `q` in `slot`.
pub(crate) fn question_view(bank: &Bank, q: &Question, slot: Slot<'_>) -> QuestionView {
    let Slot { round, position, of, seed, opened_at, deadline } = slot;
    let shown = quiz::presentation(q, seed);
    let labels = q.answer.labels();
    let (unit, how) = match &q.answer {
        Answer::Single { .. } => (String::new(), "one letter".to_string()),
        Answer::Multi { .. } => (String::new(), "every letter that applies, e.g. \"A C\"".to_string()),
        Answer::TrueFalse { .. } => (String::new(), "true or false".to_string()),
        Answer::Numeric { unit, .. } => (unit.clone(), format!("a number, in {unit}")),
        Answer::Ordering { .. } => (String::new(), "the letters in order, e.g. \"C A D B\"".to_string()),
        Answer::Short { .. } => (String::new(), "a word or a short name".to_string()),
    };
    QuestionView {
        round_id: round.clone(),
        item_id: ItemId::new(q.id.clone()),
        number: position + 1,
        of,
        topic: q.topics.first().and_then(|t| bank.topic(t)).map(|t| t.title.clone()).unwrap_or_default(),
        difficulty: q.difficulty,
        kind: q.kind(),
        prompt: q.prompt.clone(),
        choices: shown.order().iter().map(|&o| labels[o].clone()).collect(),
        unit,
        how,
        opened_at,
        deadline,
    }
}

/// Where the bank's choice `original` stands in what was shown, as a letter.
fn shown_letter(shown: &Presentation, original: usize) -> char {
    letter(shown.order().iter().position(|&o| o == original).unwrap_or(original))
}

/// The right answer, in the letters shown.
pub(crate) fn right_answer(q: &Question, shown: &Presentation) -> String {
    match &q.answer {
        Answer::Single { choices, correct } => format!("{}. {}", shown_letter(shown, *correct), choices[*correct]),
        Answer::Multi { choices, correct } => {
            let mut picks: Vec<(char, &str)> = correct.iter().map(|&i| (shown_letter(shown, i), choices[i].as_str())).collect();
            picks.sort();
            picks.iter().map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("; ")
        }
        Answer::TrueFalse { correct } => if *correct { "True" } else { "False" }.into(),
        Answer::Numeric { value, unit, tolerance, .. } => {
            let within = if *tolerance > 0.0 { format!(" (±{})", crate::bank::generate::format_value(*tolerance, "")) } else { String::new() };
            format!("{}{within}", crate::bank::generate::format_value(*value, unit))
        }
        Answer::Ordering { items } => items.iter().enumerate().map(|(i, it)| format!("{}. {it}", shown_letter(shown, i))).collect::<Vec<_>>().join(" → "),
        Answer::Short { accepted } => accepted[0].clone(),
    }
}

/// What the student answered, in the letters shown.
pub(crate) fn your_answer(q: &Question, shown: &Presentation, r: &Response) -> String {
    let labels = q.answer.labels();
    let label = |i: usize| labels.get(i).map(String::as_str).unwrap_or("");
    match r {
        Response::Choice(i) => format!("{}. {}", shown_letter(shown, *i), label(*i)),
        Response::Choices(v) => {
            let mut picks: Vec<(char, &str)> = v.iter().map(|&i| (shown_letter(shown, i), label(i))).collect();
            picks.sort();
            picks.iter().map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("; ")
        }
        Response::Bool(b) => if *b { "True" } else { "False" }.into(),
        Response::Number(n) => match &q.answer {
            Answer::Numeric { unit, .. } => crate::bank::generate::format_value(*n, unit),
            _ => n.to_string(),
        },
        Response::Order(v) => v.iter().map(|&i| shown_letter(shown, i).to_string()).collect::<Vec<_>>().join(" "),
        Response::Text(t) => t.clone(),
    }
}

/// The response as stored: choices by their letter in the bank's order (so item statistics
/// count picks per choice whatever order they were shown in), numbers as numbers, text as
/// typed (cleaned of control characters).
pub(crate) fn canonical(r: &Response) -> String {
    let bank_letter = |i: &usize| letter(*i).to_string();
    match r {
        Response::Choice(i) => bank_letter(i),
        Response::Bool(b) => b.to_string(),
        Response::Choices(v) => {
            let mut v = v.clone();
            v.sort();
            v.iter().map(bank_letter).collect::<Vec<_>>().join(",")
        }
        Response::Number(n) => n.to_string(),
        Response::Order(v) => v.iter().map(bank_letter).collect::<Vec<_>>().join(""),
        Response::Text(t) => t.clone(),
    }
}

/// Every passage `q` cites, with its section's title.
pub(crate) fn citations(bank: &Bank, q: &Question) -> Vec<CitationView> {
    q.citations
        .iter()
        .filter_map(|c| bank.passage(c))
        .map(|p| CitationView {
            passage_id: p.id.clone(),
            section: bank.section(&p.section).map(|s| s.title.clone()).unwrap_or_else(|| p.section.clone()),
            anchor: p.anchor.clone(),
            quote: p.quote.clone(),
            source: p.source.clone(),
        })
        .collect()
}
