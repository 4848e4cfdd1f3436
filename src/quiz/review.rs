//! Item review for instructors: which questions are too easy, too hard, or carry a
//! distractor nobody picks — read off the answers a class gave.
//!
//! Invariant: a flag is raised only once an item has enough answers to mean something
//! (`MIN_ANSWERS`); below that the figures are shown without a verdict.

use crate::bank::{Answer, Question};

/// Answers an item needs before it is judged too easy or too hard.
pub const MIN_ANSWERS: u64 = 10;
/// At or above this share correct, an item is flagged too easy.
pub const TOO_EASY: f64 = 0.9;
/// At or below this share correct, an item is flagged too hard.
pub const TOO_HARD: f64 = 0.25;
/// A wrong choice picked by less than this share of answers is flagged as doing no work.
pub const DEAD_DISTRACTOR: f64 = 0.05;

/// What the class did with one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemReview {
    pub answers: u64,
    pub share_correct: f64,
    /// For choice items: each choice in the bank's order, whether it is correct, and how often it was picked.
    pub picks: Vec<Pick>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub label: String,
    pub correct: bool,
    pub count: u64,
    /// Share of answers that picked it.
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Flag {
    TooEasy,
    TooHard,
    /// A wrong choice that (almost) nobody picks: it does no work as a distractor.
    DeadDistractor(String),
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Flag::TooEasy => write!(f, "too easy"),
            Flag::TooHard => write!(f, "too hard"),
            Flag::DeadDistractor(label) => write!(f, "nobody picks \"{label}\""),
        }
    }
}

/// Reviews an item from its answer counts. `responses` are the stored responses with their
/// counts: a choice letter in the bank's order (`B`), or letters joined by commas (`A,C`).
pub fn review(q: &Question, answers: u64, correct: u64, responses: &[(String, u64)]) -> ItemReview {
    let share_correct = if answers == 0 { 0.0 } else { correct as f64 / answers as f64 };
    let (labels, keys): (&[String], Vec<usize>) = match &q.answer {
        Answer::Single { choices, correct } => (choices, vec![*correct]),
        Answer::Multi { choices, correct } => (choices, correct.clone()),
        _ => (&[], vec![]),
    };
    let mut counts = vec![0u64; labels.len()];
    for (response, n) in responses {
        for letter in response.split(',') {
            let mut chars = letter.trim().chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && c.is_ascii_uppercase()
                && let Some(slot) = counts.get_mut((c as u8 - b'A') as usize)
            {
                *slot += n;
            }
        }
    }
    let picks: Vec<Pick> = labels
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (label, &count))| Pick {
            label: label.clone(),
            correct: keys.contains(&i),
            count,
            rate: if answers == 0 { 0.0 } else { count as f64 / answers as f64 },
        })
        .collect();
    let mut flags = Vec::new();
    if answers >= MIN_ANSWERS {
        if share_correct >= TOO_EASY {
            flags.push(Flag::TooEasy);
        } else if share_correct <= TOO_HARD {
            flags.push(Flag::TooHard);
        }
        for p in picks.iter().filter(|p| !p.correct && p.rate < DEAD_DISTRACTOR) {
            flags.push(Flag::DeadDistractor(p.label.clone()));
        }
    }
    ItemReview { answers, share_correct, picks, flags }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Origin;

    fn single() -> Question {
        Question {
            id: "q".into(),
            origin: Origin::Written,
            topics: vec![],
            difficulty: 1,
            prompt: "?".into(),
            answer: Answer::Single { choices: vec!["Energy".into(), "Grain".into(), "Chips".into()], correct: 0 },
            explanation: String::new(),
            citations: vec!["p".into()],
        }
    }

    #[test]
    fn an_item_everyone_gets_right_with_a_distractor_nobody_picks_is_flagged() {
        let r = review(&single(), 20, 19, &[("A".into(), 19), ("B".into(), 1)]);
        assert_eq!(r.flags, vec![Flag::TooEasy, Flag::DeadDistractor("Chips".into())]);
        assert_eq!(r.picks[1].count, 1);
        assert!((r.picks[0].rate - 0.95).abs() < 1e-9);
    }

    #[test]
    fn few_answers_give_figures_but_no_verdict() {
        let r = review(&single(), 3, 0, &[("B".into(), 3)]);
        assert!(r.flags.is_empty());
        assert_eq!(r.share_correct, 0.0);
    }

    #[test]
    fn multi_select_responses_count_each_letter_picked() {
        let mut q = single();
        q.answer = Answer::Multi { choices: vec!["a".into(), "b".into(), "c".into()], correct: vec![0, 2] };
        let r = review(&q, 10, 2, &[("A,C".into(), 2), ("A".into(), 8), ("junk".into(), 4)]);
        assert_eq!(r.picks.iter().map(|p| p.count).collect::<Vec<_>>(), vec![10, 0, 2]);
        assert_eq!(r.flags, vec![Flag::TooHard, Flag::DeadDistractor("b".into())]);
    }
}
