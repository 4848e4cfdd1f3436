//! When two items ask the same thing: the rule the checker applies to written items and the
//! generator applies before it adds an item beside the written ones.
//!
//! Invariant: one rule, in one place. Two items are the same question when their prompts
//! share nearly all their content words ([`SAME_PROMPT`]), or when they cite the same
//! paragraph of the paper and give the same answer: the same number (two items asking one
//! figure), or, to much the same prompt, answers that share most of their content words
//! ([`SAME_ANSWER`]). The thresholds were measured on the bank
//! (see [`SAME_PROMPT`]); a pair of items below them is a pair a student tells apart.

use std::collections::BTreeSet;

use super::model::{Answer, Question};
use super::words::{jaccard, stems, words};

/// Prompts whose content stems overlap this much (shared over all) ask the same thing.
/// Measured on the 259 written items of the bank before its duplicates were removed: the
/// three pairs with the very same prompt scored 1.0, a true/false that restates another
/// item's answer 0.69 to 0.78; the closest pair a student tells apart (two timelines that share
/// the 2022 UN votes) scored 0.64, and when China unveiled its 12-point position against how
/// many points it had, 0.60.
pub const SAME_PROMPT: f64 = 0.7;

/// Prompts with fewer content stems than this are too short to compare on their own ("Which
/// of these came first?"): their choices say what they ask.
pub const MIN_PROMPT_STEMS: usize = 4;

/// Answers (correct choices, items in order, model answers) that overlap this much, on the
/// same paragraph and with prompts that overlap at least [`SAME_ANSWER_PROMPT`], are the same
/// answer to the same question. Measured on the same bank: the duplicates scored 0.57 (the
/// paper's main question worded twice, prompts 0.67; the conclusion's perceived threat, prompts
/// 0.50) to 1.0; the closest distinct pair (what replaces an alliance, and how "no limits" fits
/// with no alliance) 0.43, with prompts at 0.07.
pub const SAME_ANSWER: f64 = 0.5;

/// See [`SAME_ANSWER`]: the same answer to a different question ("which came first?" and "what
/// did the relationship become in 1996?") is not a duplicate. Distinct pairs with similar
/// answers scored at most 0.22 here, duplicates at least 0.50.
pub const SAME_ANSWER_PROMPT: f64 = 0.35;

/// What the rule compares of one item.
#[derive(Debug, Clone)]
pub struct Profile {
    prompt: BTreeSet<String>,
    answer: Key,
    /// The anchors of the paragraphs the item cites.
    paragraphs: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Key {
    /// A true/false statement: its answer is a boolean, so only its prompt is compared.
    None,
    Number(f64),
    /// One choice or model answer that is not a bare number, and the number it opens with, if
    /// any ("$190 billion, a 30% increase" opens with 190).
    Label(BTreeSet<String>, Option<f64>),
    /// Several correct choices, or the items of an ordering.
    Words(BTreeSet<String>),
}

/// Why two items are the same question.
#[derive(Debug, Clone, PartialEq)]
pub enum Same {
    /// Their prompts share this share of their content words.
    Prompt(f64),
    /// They give the same number from this paragraph.
    Number { value: f64, paragraph: String },
    /// Their answers share this share of their content words, from this paragraph.
    Answer { share: f64, paragraph: String },
}

impl std::fmt::Display for Same {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Same::Prompt(share) => write!(f, "their prompts share {:.0}% of their content words", share * 100.0),
            Same::Number { value, paragraph } => write!(f, "both answer {value} from paragraph {paragraph}"),
            Same::Answer { share, paragraph } => {
                write!(f, "both cite paragraph {paragraph} and their answers share {:.0}% of their content words", share * 100.0)
            }
        }
    }
}

impl Profile {
    /// `anchor` gives the paragraph anchor of a passage id (unknown ids are left out).
    pub fn of(q: &Question, anchor: impl Fn(&str) -> Option<String>) -> Profile {
        let answer = match &q.answer {
            Answer::TrueFalse { .. } => Key::None,
            Answer::Numeric { value, .. } => Key::Number(*value),
            Answer::Single { choices, correct } => label_key(&choices[*correct]),
            Answer::Short { accepted } => accepted.first().map(|a| label_key(a)).unwrap_or(Key::None),
            Answer::Multi { choices, correct } => Key::Words(correct.iter().flat_map(|&i| stems(&choices[i])).collect()),
            Answer::Ordering { items } => Key::Words(items.iter().flat_map(|i| stems(i)).collect()),
        };
        let paragraphs = q.citations.iter().filter_map(|c| anchor(c)).collect();
        Profile { prompt: stems(&q.prompt), answer, paragraphs }
    }

    /// The number this item's answer is, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self.answer {
            Key::Number(v) => Some(v),
            _ => None,
        }
    }

    /// The paragraphs this item cites.
    pub fn paragraphs(&self) -> &BTreeSet<String> {
        &self.paragraphs
    }

    /// Whether `self` and `other` ask the same thing, and why.
    pub fn same(&self, other: &Profile) -> Option<Same> {
        let prompts = jaccard(&self.prompt, &other.prompt);
        if self.prompt.len() >= MIN_PROMPT_STEMS && other.prompt.len() >= MIN_PROMPT_STEMS && prompts >= SAME_PROMPT {
            return Some(Same::Prompt(prompts));
        }
        let paragraph = self.paragraphs.intersection(&other.paragraphs).next()?.clone();
        match (&self.answer, &other.answer) {
            (Key::Number(a), Key::Number(b)) if same_number(*a, *b) => Some(Same::Number { value: *a, paragraph }),
            // "$190 billion, a 30% increase" answers "what was trade worth in 2022?", and, to much
            // the same prompt, "by how much did it grow?".
            (Key::Number(v), Key::Label(w, lead)) | (Key::Label(w, lead), Key::Number(v))
                if lead.is_some_and(|l| same_number(l, *v)) || (prompts >= SAME_ANSWER_PROMPT && w.contains(&number_text(*v))) =>
            {
                Some(Same::Number { value: *v, paragraph })
            }
            (Key::Label(a, _) | Key::Words(a), Key::Label(b, _) | Key::Words(b)) if !a.is_empty() && prompts >= SAME_ANSWER_PROMPT => {
                let share = jaccard(a, b);
                (share >= SAME_ANSWER).then_some(Same::Answer { share, paragraph })
            }
            _ => None,
        }
    }
}

/// A number as `words::stems` reads it in a text: `190`, `244.8`.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") }
}

pub fn same_number(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A choice or model answer: a number when it is one with at most a unit ("2012", "64 percent",
/// "$400 billion", "244.8 US$ billion"), otherwise its content words.
fn label_key(label: &str) -> Key {
    bare_number(label).map(Key::Number).unwrap_or_else(|| Key::Label(stems(label), leading_number(label)))
}

/// The number a label opens with ("$190 billion, a 30% increase" → 190), if it opens with one.
fn leading_number(label: &str) -> Option<f64> {
    let text = label.trim().trim_start_matches("US$").trim_start_matches('$');
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(text.len());
    text[..end].trim_end_matches(['.', ',']).replace(',', "").parse().ok()
}

/// The number a label is, when the rest of it is at most a three-word unit without digits.
pub fn bare_number(label: &str) -> Option<f64> {
    let text = label.trim().trim_start_matches("US$").trim_start_matches('$').trim_start();
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(text.len());
    let number: f64 = text[..end].replace(',', "").parse().ok()?;
    let rest = &text[end..];
    let unit_words = words(rest);
    let is_unit = !rest.chars().any(|c| c.is_ascii_digit())
        && unit_words.len() <= 3
        && rest.chars().all(|c| c.is_alphabetic() || c.is_whitespace() || matches!(c, '%' | '$'));
    is_unit.then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::model::Origin;

    fn item(prompt: &str, answer: Answer, cites: &[&str]) -> Profile {
        let q = Question {
            id: "x".into(),
            origin: Origin::Written,
            topics: vec![],
            difficulty: 1,
            prompt: prompt.into(),
            answer,
            explanation: String::new(),
            citations: cites.iter().map(|c| c.to_string()).collect(),
        };
        Profile::of(&q, |c| Some(c.rfind("-x").map_or(c, |i| &c[..i]).to_string()))
    }

    fn numeric(value: f64, unit: &str) -> Answer {
        Answer::Numeric { value, unit: unit.into(), tolerance: 0.0, scale: crate::bank::model::Scale::One }
    }

    #[test]
    fn labels_that_are_numbers_read_as_numbers() {
        assert_eq!(bare_number("2012"), Some(2012.0));
        assert_eq!(bare_number("64 percent"), Some(64.0));
        assert_eq!(bare_number("$400 billion"), Some(400.0));
        assert_eq!(bare_number("244.8 US$ billion"), Some(244.8));
        assert_eq!(bare_number("70%"), Some(70.0));
        assert_eq!(bare_number("$190 billion, a 30% increase on the previous year"), None);
        assert_eq!(bare_number("His fifth term"), None);
        assert_eq!(leading_number("$190 billion, a 30% increase on the previous year"), Some(190.0));
        assert_eq!(leading_number("It rose from 77% to 83%"), None);
    }

    #[test]
    fn the_same_prompt_twice_is_the_same_question() {
        let a = item(
            "According to the paper, at least how many times have Putin and Xi met since Xi took office in 2013?",
            numeric(43.0, "meetings"),
            &["s5-p10-x1"],
        );
        let b = item(
            "According to the paper, at least how many times have Putin and Xi met since Xi took office in 2013?",
            numeric(43.0, "meetings"),
            &["s7-p2-x1"],
        );
        assert_eq!(a.same(&b), Some(Same::Prompt(1.0)));
    }

    #[test]
    fn the_same_number_from_the_same_paragraph_is_the_same_question() {
        let a = item("According to the paper, over what percentage of Russia's territory lies in Asia?", numeric(70.0, "%"), &["s5-p3-x-europe"]);
        let b = item(
            "According to the paper, citing Rumer (2024), over what share of the Russian landmass is Asian?",
            numeric(70.0, "percent"),
            &["s5-p3-x-territory"],
        );
        assert_eq!(a.same(&b), Some(Same::Number { value: 70.0, paragraph: "s5-p3".into() }));
        let single = item(
            "According to the paper, in what year were the joint exercises in Eastern Siberia held?",
            Answer::Single { choices: vec!["2014".into(), "2012".into()], correct: 1 },
            &["s8-p2-x-siberia"],
        );
        let year =
            item("According to the paper, when did both armies drill together near the unresolved border?", numeric(2012.0, "year"), &["s8-p2-x-siberia"]);
        assert!(matches!(single.same(&year), Some(Same::Number { .. })));
    }

    #[test]
    fn items_a_student_tells_apart_are_not_the_same() {
        // The same number from different paragraphs, and different numbers from the same one.
        let a = item("According to the paper, how long is the Rosneft agreement, in years?", numeric(10.0, "years"), &["s7-economic-p4-x-rosneft"]);
        let b = item("According to the paper, what stake does Sinopec hold in Sibur?", numeric(10.0, "percent"), &["s7-economic-p3-x-sinopec"]);
        let c =
            item("According to the paper, how much oil will Rosneft supply, in million tons?", numeric(100.0, "million tons"), &["s7-economic-p4-x-rosneft"]);
        assert_eq!(a.same(&b), None);
        assert_eq!(a.same(&c), None);
        // Two questions on one sentence that ask different things.
        let when = item(
            "According to the paper, when did China unveil its '12-Point Position on the Political Settlement of the Ukraine Crisis'?",
            Answer::Single { choices: vec!["February 2023".into(), "February 2022".into()], correct: 0 },
            &["s6-p3-x"],
        );
        let points = item(
            "According to the paper, China's February 2023 position paper on the Political Settlement of the Ukraine Crisis had how many points?",
            numeric(12.0, "points"),
            &["s6-p3-x"],
        );
        assert_eq!(when.same(&points), None);
        // Short prompts are not compared on their prompts alone.
        let first = item(
            "According to the paper, which of these came first?",
            Answer::Single { choices: vec!["The Treaty of Peking".into(), "The Soviet invasion of Xinjiang".into()], correct: 0 },
            &["s8-p1-x"],
        );
        let other = item(
            "According to the paper, which of these came first?",
            Answer::Single { choices: vec!["The Road Map".into(), "The Alaska patrol".into()], correct: 0 },
            &["s7-military-p3-x"],
        );
        assert_eq!(first.same(&other), None);
    }
}
