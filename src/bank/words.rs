//! The words of the bank's texts, for the checks that compare them: whether a passage gives
//! a choice away, whether two items ask the same thing, and where the sentences of a quote begin.
//!
//! Invariant: every comparison of "the same words" goes through [`stems`], so the generator
//! and the checker agree on it. The stemmer is deliberately crude and symmetric: both sides
//! of a comparison are stemmed alike, so a collision can only make a check stricter.

use std::collections::BTreeSet;

/// Function words, and the words every item of the bank uses to say what it asks
/// ("according to the paper", "true or false", "select all that apply").
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "according",
    "after",
    "again",
    "against",
    "all",
    "also",
    "although",
    "am",
    "among",
    "an",
    "and",
    "another",
    "any",
    "apply",
    "are",
    "article",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "best",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "during",
    "each",
    "either",
    "even",
    "every",
    "false",
    "following",
    "for",
    "from",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "least",
    "many",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "no",
    "nor",
    "not",
    "of",
    "on",
    "one",
    "ones",
    "only",
    "onto",
    "or",
    "other",
    "others",
    "our",
    "out",
    "over",
    "own",
    "paper",
    "same",
    "select",
    "several",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "true",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "yet",
    "you",
    "your",
];

/// The paper's two subjects and their capitals: nearly every text names them, so they tell
/// no choice and no item apart.
const SUBJECTS: &[&str] = &["beijing", "china", "chinese", "moscow", "russia", "russian", "russians", "sino"];

/// Stems are cut to this many characters (a truncation stemmer): `complementary` and
/// `complementarity`, `selective` and `selectively`, `economy` and `economic` read alike.
const STEM_CHARS: usize = 6;

/// The stem of one word: lower case, British and American spellings folded (`defence`,
/// `defense`), common inflections dropped (`treaties` → `treaty`, `selectively` → `selective`,
/// `sanctions` → `sanction`, `Asian` → `Asia`), then cut to six characters. Numbers stay whole.
pub fn stem(word: &str) -> String {
    let mut w = word.to_lowercase();
    if w.chars().any(|c| c.is_ascii_digit()) {
        return w.replace(',', "");
    }
    for (from, to) in [("ence", "ense"), ("our", "or"), ("isation", "ization"), ("ised", "ized"), ("ising", "izing"), ("ise", "ize")] {
        if w.len() > from.len() + 2 && w.ends_with(from) {
            w.truncate(w.len() - from.len());
            w.push_str(to);
            break;
        }
    }
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 5 && w.ends_with("ly") {
        w.truncate(w.len() - 2);
    } else if w.len() > 3 && w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        w.pop();
    }
    if w.len() > 4 && w.ends_with("ian") {
        w.pop();
    }
    w.chars().take(STEM_CHARS).collect()
}

/// The words of a text: runs of letters and digits; an apostrophe inside a word and a point
/// or comma between digits belong to it (`Russia's`, `244.8`, `1,000`); `U.S.`, `the United
/// States`, `Washington` and `America(n)` are one word, `US`.
pub fn words(text: &str) -> Vec<String> {
    // One country, one word: a key that says "U.S." is given away by a passage that says
    // "the United States" or "Washington".
    let mut text = text.replace('\u{2019}', "'");
    for name in ["U.S.", "United States", "Washington", "Americans", "American", "America"] {
        text = text.replace(name, "US");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let inside = match c {
            c if c.is_alphanumeric() => true,
            '\'' => prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic),
            '.' | ',' => prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit()),
            _ => false,
        };
        if inside {
            word.push(c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The stems of a text's content words: stop words, the two subjects and one-letter words left out.
pub fn stems(text: &str) -> BTreeSet<String> {
    words(text)
        .into_iter()
        .filter_map(|w| {
            let lower = w.to_lowercase();
            let base = lower.strip_suffix("'s").unwrap_or(&lower);
            let keep = base.chars().count() > 1 && !STOP_WORDS.contains(&base) && !SUBJECTS.contains(&base);
            keep.then(|| stem(base))
        })
        .collect()
}

/// Token-set similarity: shared stems over all stems (0 when both are empty).
pub fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The byte offsets at which the sentences of `text` begin (the first is 0). A sentence ends
/// at `.`, `!` or `?` (perhaps closing a quotation or a bracket) followed by a space and a
/// capital or a quotation mark; a one-letter word before the point is an abbreviation
/// ("U.S.", "e.g.").
pub fn sentence_starts(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut starts = vec![0];
    for i in 0..chars.len() {
        if !matches!(chars[i].1, '.' | '!' | '?') {
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '\'' | ')' | '\u{201d}') {
            j += 1;
        }
        let spaced = chars.get(j).is_some_and(|(_, c)| c.is_whitespace());
        let Some(&(at, next)) = chars[j..].iter().find(|(_, c)| !c.is_whitespace()) else { continue };
        let abbreviation = i >= 1 && chars[i - 1].1.is_alphabetic() && (i < 2 || !chars[i - 2].1.is_alphabetic());
        if spaced && (next.is_uppercase() || next == '"' || next == '\u{201c}') && !abbreviation {
            starts.push(at);
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> BTreeSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn spellings_and_inflections_read_alike() {
        assert_eq!(stem("defence"), stem("defense"));
        assert_eq!(stem("selectively"), stem("Selective"));
        assert_eq!(stem("complementary"), stem("complementarity"));
        assert_eq!(stem("treaties"), stem("treaty"));
        assert_eq!(stem("economies"), stem("economic"));
        assert_eq!(stem("sanctions"), stem("sanction"));
        assert_eq!(stem("Asian"), stem("Asia"));
        assert_eq!(stem("behaviour"), stem("behavior"));
        assert_ne!(stem("alliance"), stem("allies"));
        assert_eq!(stem("244.8"), "244.8");
    }

    #[test]
    fn content_stems_leave_out_function_words_and_the_two_subjects() {
        assert_eq!(stems("According to the paper, Russia's economy and China's needs"), set(&["econom", "need"]));
        assert_eq!(stems("U.S. unilateralism"), set(&["us", "unilat"]));
        assert_eq!(stems("the United States' reluctance, Washington's threats"), set(&["us", "reluct", "threat"]));
        assert_eq!(stems("trade of $244.8 billion, up 1,000"), set(&["trade", "244.8", "billio", "1000"]));
        assert_eq!(stems("one-sided dependency"), set(&["sided", "depend"]));
    }

    #[test]
    fn similarity_is_shared_over_all() {
        assert_eq!(jaccard(&set(&["a", "b"]), &set(&["b", "c"])), 1.0 / 3.0);
        assert_eq!(jaccard(&set(&[]), &set(&[])), 0.0);
    }

    #[test]
    fn sentences_begin_past_abbreviations_and_quotations() {
        let text = "The U.S. leads. Russia objects! Does China? \"Yes.\" It does.";
        let starts: Vec<&str> = sentence_starts(text).into_iter().map(|s| &text[s..]).collect();
        assert_eq!(
            starts,
            [
                "The U.S. leads. Russia objects! Does China? \"Yes.\" It does.",
                "Russia objects! Does China? \"Yes.\" It does.",
                "Does China? \"Yes.\" It does.",
                "\"Yes.\" It does.",
                "It does."
            ]
        );
        assert_eq!(sentence_starts("In both theaters, their primary adversary is the United States (Rumer, 2024: 4)").len(), 1);
    }
}
