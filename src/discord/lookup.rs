//! Finding a passage or a question from what a user typed: `/source`'s autocomplete and the
//! reading of its argument.
//!
//! Invariant: the autocomplete offers at most 25 answers whose names and values fit Discord's
//! 100 characters, and every value it offers resolves to exactly that passage or question;
//! text that matches several things is refused with the ids to pick from, never guessed.

use crate::bank::source::normalise;
use crate::bank::{Bank, Passage, Question};

use super::render::{code, escape, limits, truncate};
use crate::app::UserError;

/// What `/source` can show.
#[derive(Debug, Clone, Copy)]
pub enum Target<'b> {
    Passage(&'b Passage),
    Question(&'b Question),
    /// A paragraph of the paper by its anchor (`s7-economic-p2`, as every reveal prints it).
    Paragraph(&'b str),
}

impl Target<'_> {
    pub fn id(&self) -> &str {
        match self {
            Target::Passage(p) => &p.id,
            Target::Question(q) => &q.id,
            Target::Paragraph(anchor) => anchor,
        }
    }
}

/// One autocomplete answer: `name` is shown, `value` is what the command receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub name: String,
    pub value: String,
}

/// How well an id or a text matches the query; lower is better.
fn rank_id(id: &str, query: &str) -> Option<u8> {
    let id = id.to_lowercase();
    if id == query {
        Some(0)
    } else if id.starts_with(query) {
        Some(1)
    } else if id.contains(query) {
        Some(2)
    } else {
        None
    }
}

fn words(text: &str) -> Vec<String> {
    normalise(text).to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Whether every word of the query is a word of `text`, the last one possibly half typed.
fn words_match(text_words: &[String], query_words: &[String]) -> bool {
    let Some((last, whole)) = query_words.split_last() else { return false };
    whole.iter().all(|w| text_words.contains(w)) && text_words.iter().any(|t| t.starts_with(last.as_str()))
}

/// Everything that matches `query`, best first: ids equal, then beginning with it, then
/// containing it, then passages whose quote holds every word of it. Passages come before
/// questions at equal rank, each in bank order.
pub fn matches<'b>(bank: &'b Bank, query: &str) -> Vec<Target<'b>> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return bank.passages.iter().map(Target::Passage).collect();
    }
    let query_words = words(&query);
    let mut found: Vec<(u8, usize, Target<'b>)> = Vec::new();
    for (i, p) in bank.passages.iter().enumerate() {
        let rank = rank_id(&p.id, &query).or_else(|| words_match(&words(&p.quote), &query_words).then_some(3));
        if let Some(r) = rank {
            found.push((r, i, Target::Passage(p)));
        }
    }
    let offset = bank.passages.len();
    for (i, q) in bank.questions.iter().enumerate() {
        if let Some(r) = rank_id(&q.id, &query) {
            found.push((r, offset + i, Target::Question(q)));
        }
    }
    found.sort_by_key(|(r, i, _)| (*r, *i));
    found.into_iter().map(|(_, _, t)| t).collect()
}

/// The autocomplete answers for `query`: at most 25, each name ≤ 100 characters.
pub fn suggest(bank: &Bank, query: &str) -> Vec<Suggestion> {
    matches(bank, query)
        .into_iter()
        .take(limits::AUTOCOMPLETE_CHOICES)
        .map(|t| {
            let (id, text) = match t {
                Target::Passage(p) => (p.id.as_str(), format!("“{}”", normalise(&p.quote))),
                Target::Question(q) => (q.id.as_str(), format!("question: {}", normalise(&q.prompt))),
                Target::Paragraph(anchor) => (anchor, "the whole paragraph".to_owned()),
            };
            Suggestion { name: truncate(&format!("{id} · {text}"), limits::CHOICE_NAME), value: truncate(id, limits::CHOICE_VALUE) }
        })
        .collect()
}

/// Reads `/source`'s argument: a passage or question id, or a paragraph anchor the bank
/// quotes from (in any case), or text that matches exactly one passage or question.
pub fn resolve<'b>(bank: &'b Bank, input: &str) -> Result<Target<'b>, UserError> {
    let input = input.trim();
    let id = input.to_lowercase();
    if let Some(p) = bank.passage(&id) {
        return Ok(Target::Passage(p));
    }
    if let Some(q) = bank.question(&id) {
        return Ok(Target::Question(q));
    }
    if let Some(p) = bank.passages.iter().find(|p| p.anchor == id) {
        return Ok(Target::Paragraph(&p.anchor));
    }
    let shown = escape(&truncate(input, 80));
    let found = if input.is_empty() { Vec::new() } else { matches(bank, input) };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(UserError::NothingMatches { typed: shown, example: code(bank.passages.first().map_or("s5-p1", |p| p.id.as_str())) }),
        many => {
            let examples: Vec<String> = many.iter().take(5).map(|t| code(t.id())).collect();
            Err(UserError::ManyMatch { typed: shown, count: many.len(), examples: examples.join(", ") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Bank {
        crate::bank::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("questions"), None).unwrap_or_else(|p| panic!("{p}"))
    }

    #[test]
    fn a_paragraph_anchor_goes_straight_to_its_paragraph() {
        let bank = bank();
        for anchor in ["s7-economic-p2", "S7-Economic-P2 "] {
            match resolve(&bank, anchor) {
                Ok(Target::Paragraph(a)) => assert_eq!(a, "s7-economic-p2"),
                other => panic!("{anchor:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_passage_and_question_is_offered_first_for_its_own_id_and_resolves() {
        let bank = bank();
        for id in bank.passages.iter().map(|p| &p.id).chain(bank.questions.iter().map(|q| &q.id)) {
            let s = suggest(&bank, id);
            assert!(!s.is_empty() && s.len() <= 25, "{id}: {} suggestions", s.len());
            assert_eq!(&s[0].value, id, "{id} first for its own id");
            for x in &s {
                assert!(x.name.chars().count() <= 100 && x.value.chars().count() <= 100 && !x.name.is_empty(), "{x:?}");
                assert_eq!(resolve(&bank, &x.value).unwrap().id(), x.value, "every offered value resolves to itself");
            }
        }
    }

    #[test]
    fn words_of_the_quote_find_a_passage_and_the_last_word_may_be_half_typed() {
        let bank = bank();
        let p = bank.passages.iter().find(|p| words(&p.quote).len() >= 6).unwrap();
        let w = words(&p.quote);
        let typed = format!("{} {} {}", w[3], w[4], &w[5][..w[5].len().min(3)]);
        assert!(matches(&bank, &typed).iter().any(|t| t.id() == p.id), "`{typed}` finds {}", p.id);
        assert!(suggest(&bank, "").len() == 25, "an empty box offers the first 25 passages");
    }

    #[test]
    fn text_that_matches_nothing_or_several_things_is_refused_with_what_to_do() {
        let bank = bank();
        let none = resolve(&bank, "zzqx nothing like this").unwrap_err().to_string();
        assert!(none.contains("Nothing matches “zzqx nothing like this”") && none.contains("pick one from the list"), "{none}");
        let many = resolve(&bank, "russia").unwrap_err().to_string();
        assert!(many.contains("matches") && many.contains("for example `"), "{many}");
        let mention = resolve(&bank, "@everyone *bold*").unwrap_err().to_string();
        assert!(mention.contains("@\u{200B}everyone \\*bold\\*"), "typed text shows as written, and mentions nobody: {mention}");
        // Five words that stand in one quote only resolve without picking from the list.
        let (typed, id) = bank
            .passages
            .iter()
            .find_map(|p| {
                let w = words(&p.quote);
                (0..w.len().saturating_sub(4)).map(|i| w[i..i + 5].join(" ")).find(|t| matches(&bank, t).len() == 1).map(|t| (t, p.id.clone()))
            })
            .expect("some five words stand in one quote only");
        assert_eq!(resolve(&bank, &typed).unwrap().id(), id);
    }
}
