//! The bank as one JSON document, and its quiz items as Moodle GIFT.
//!
//! Invariant: every exported item carries its citations in full (anchor, section and
//! quote), so an export is as checkable as the bank it came from.

use serde::Serialize;
use serde_json::{Value, json};

use super::Bank;
use super::model::*;

#[derive(Serialize)]
struct Cited<'a> {
    passage: &'a str,
    anchor: &'a str,
    section: &'a str,
    section_title: &'a str,
    quote: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

fn cited<'a>(bank: &'a Bank, ids: &'a [String]) -> Vec<Cited<'a>> {
    ids.iter()
        .filter_map(|id| bank.passage(id))
        .map(|p| Cited {
            passage: &p.id,
            anchor: &p.anchor,
            section: &p.section,
            section_title: bank.section(&p.section).map(|s| s.title.as_str()).unwrap_or(""),
            quote: &p.quote,
            source: p.source.as_deref(),
        })
        .collect()
}

/// `(choices, answer)` as an export shows them.
fn choices_and_answer(a: &Answer) -> (Value, Value) {
    match a {
        Answer::Single { choices, correct } => (json!(choices), json!(letter(*correct).to_string())),
        Answer::Multi { choices, correct } => (json!(choices), json!(correct.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>())),
        Answer::TrueFalse { correct } => (json!(["True", "False"]), json!(correct)),
        Answer::Numeric { value, unit, tolerance, .. } => (Value::Null, json!({"value": value, "unit": unit, "tolerance": tolerance})),
        Answer::Ordering { items } => (json!(items), json!(items)),
        Answer::Short { accepted } => (Value::Null, json!(accepted)),
    }
}

/// The whole bank: `paper`, `items` (written and generated), `motions`, `prompts`.
pub fn json(bank: &Bank) -> Value {
    let items: Vec<Value> = bank
        .questions
        .iter()
        .map(|q| {
            let (choices, answer) = choices_and_answer(&q.answer);
            json!({
                "id": q.id, "origin": q.origin, "kind": q.kind(), "topics": q.topics,
                "difficulty": q.difficulty, "prompt": q.prompt, "choices": choices, "answer": answer,
                "explanation": q.explanation, "citations": cited(bank, &q.citations),
            })
        })
        .collect();
    let motions: Vec<Value> = bank
        .motions
        .iter()
        .map(|m| {
            json!({"id": m.id, "origin": m.origin, "motion": m.motion, "info": m.info, "topics": m.topics,
            "proposition": cited(bank, &m.proposition), "opposition": cited(bank, &m.opposition)})
        })
        .collect();
    let prompts: Vec<Value> = bank
        .prompts
        .iter()
        .map(|p| {
            json!({"id": p.id, "origin": p.origin, "kind": p.kind, "task": p.task, "topics": p.topics,
            "passages": cited(bank, &p.passages), "rubric": p.rubric})
        })
        .collect();
    json!({"paper": bank.paper, "topics": bank.topics, "items": items, "motions": motions, "prompts": prompts})
}

/// Escapes GIFT's control characters and folds blank lines, which would end the question.
fn gift_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '~' | '=' | '#' | '{' | '}' | ':' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.split('\n').filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\\n")
}

/// Every quiz item as Moodle GIFT, with the explanation and citation as general feedback.
pub fn gift(bank: &Bank) -> String {
    let mut out = format!("// {} — {} ({}). Exported by Agora.\n\n", bank.paper.title, bank.paper.authors.join(", "), bank.paper.year);
    for q in &bank.questions {
        let body = match &q.answer {
            Answer::Single { choices, correct } => {
                choices.iter().enumerate().map(|(i, c)| format!("\n  {}{}", if i == *correct { "=" } else { "~" }, gift_text(c))).collect::<String>() + "\n"
            }
            Answer::Multi { choices, correct } => {
                let right = 100.0 / correct.len() as f64;
                let wrong = -100.0 / (choices.len() - correct.len()).max(1) as f64;
                choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("\n  ~%{}%{}", trim_weight(if correct.contains(&i) { right } else { wrong }), gift_text(c)))
                    .collect::<String>()
                    + "\n"
            }
            Answer::TrueFalse { correct } => {
                if *correct {
                    "TRUE".into()
                } else {
                    "FALSE".into()
                }
            }
            Answer::Numeric { value, tolerance, .. } => format!("#{value}:{tolerance}"),
            Answer::Ordering { items } => {
                items.iter().enumerate().map(|(i, it)| format!("\n  ={} -> {}", gift_text(it), ordinal(i + 1))).collect::<String>() + "\n"
            }
            Answer::Short { accepted } => accepted.iter().map(|a| format!("={} ", gift_text(a))).collect::<String>(),
        };
        let unit = match &q.answer {
            Answer::Numeric { unit, .. } => format!(" ({})", gift_text(unit)),
            _ => String::new(),
        };
        let source = q.citations.iter().filter_map(|c| bank.passage(c)).map(|p| format!("[{}] \"{}\"", p.anchor, p.quote)).collect::<Vec<_>>().join(" ");
        let feedback = gift_text(&format!("{} Source: {source}", q.explanation));
        out.push_str(&format!("::{}::{}{unit} {{{body}####{feedback}}}\n\n", q.id, gift_text(&q.prompt)));
    }
    out
}

/// A GIFT answer weight: Moodle only accepts its own list of grade fractions, so the
/// weight is the nearest of them (with the sign kept).
fn trim_weight(w: f64) -> String {
    const MOODLE: [f64; 21] =
        [100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333, 30.0, 25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0, 0.0];
    let nearest = MOODLE.iter().copied().min_by(|a, b| (a - w.abs()).abs().total_cmp(&(b - w.abs()).abs())).unwrap_or(0.0);
    let s = format!("{:.5}", nearest.copysign(w));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn weights_are_grades_moodle_accepts() {
        assert_eq!(super::trim_weight(100.0 / 3.0), "33.33333");
        assert_eq!(super::trim_weight(-100.0 / 11.0), "-10");
        assert_eq!(super::trim_weight(-50.0), "-50");
    }
}
