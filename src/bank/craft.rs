//! The craft of an item: cues a test-wise student can use without having read the paper.
//!
//! Invariant: these are the standard item-writing rules (Haladyna, Downing and Rodriguez,
//! 2002) as the checker reports them (warnings, with the item's place) and as the generator
//! obeys them (it never emits an item [`check`] would flag). Each rule reads only the items:
//! - absolute words ("only", "always", "never", …) in true/false statements must not predict
//!   their keys across the bank ([`ABSOLUTE_WORDS`], [`ABSOLUTE_SHARE`]);
//! - nor must closeness to the paper's own sentence: statements that copy a run of
//!   [`VERBATIM_RUN`] words of a passage they cite are not mostly of one key;
//! - a bound item ("more than what figure?") has distractors on both sides of its key;
//! - no two items of one kind give the same key from the same paragraph;
//! - no option is far longer than its siblings ([`LONG_OPTION`]);
//! - no label carries the date an item asks for (a year in a "which came first?" choice or
//!   in an item to put in order).

use std::collections::BTreeSet;

use super::model::{Answer, Kind, Question};
use super::similar::bare_number;
use super::words::words;

/// Words that make a statement absolute (specific determiners): a test-wise student reads
/// them as "false". Matched as whole words, case aside; "not only" is not absolute.
pub const ABSOLUTE_WORDS: &[&str] =
    &["only", "always", "never", "all", "none", "every", "entirely", "completely", "fully", "solely", "exclusively", "nothing", "no longer", "at all"];

/// Absolute-word statements predict their keys when one key holds at least this share of
/// them (the review found 8 of 10 keyed false)…
pub const ABSOLUTE_SHARE: f64 = 0.7;
/// …among at least this many statements (fewer say nothing about the bank).
pub const ABSOLUTE_MIN: usize = 4;

/// A true/false statement is near-verbatim when it shares a run of at least this many words
/// with a passage it cites: a student who only recognises the paper's sentence reads it as
/// "true" (the review found 19 of 24 true statements so, against 3 of 29 false ones). The
/// same share and minimum as for absolute words say when such statements predict their keys.
pub const VERBATIM_RUN: usize = 8;

/// An option is far longer than its siblings when it has at least this many times the
/// characters of the longest of the others…
pub const LONG_OPTION: f64 = 1.8;
/// …and at least this many characters more (short labels vary a lot by the ratio alone).
pub const LONG_OPTION_EXTRA: usize = 20;

/// What a rule found about one item, for the checker to place and the generator to refuse.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// The index of the item in the list checked.
    pub item: usize,
    /// The key to point at (`answer`, `choices`, `prompt`) and, if any, a text inside it.
    pub key: &'static str,
    pub text: Option<String>,
    pub message: String,
    pub hint: String,
    /// For a pair: the index of the other item.
    pub other: Option<usize>,
}

/// Every rule over `items`; `anchor` maps a cited passage id to its paragraph anchor, `quote`
/// to its text.
pub fn check(items: &[Question], anchor: impl Fn(&str) -> Option<String>, quote: impl Fn(&str) -> Option<String>) -> Vec<Flag> {
    let mut flags = absolute_words(items);
    flags.extend(verbatim_statements(items, quote));
    for (i, q) in items.iter().enumerate() {
        flags.extend(one(q).into_iter().map(|mut f| {
            f.item = i;
            f
        }));
    }
    flags.extend(same_key(items, anchor));
    flags
}

/// The rules that read one item alone (the flag's `item` is 0).
pub fn one(q: &Question) -> Vec<Flag> {
    let mut flags = Vec::new();
    flags.extend(one_sided_bound(q));
    flags.extend(long_option(q));
    flags.extend(date_in_label(q));
    flags
}

fn flag(key: &'static str, text: Option<String>, message: String, hint: &str) -> Flag {
    Flag { item: 0, key, text, message, hint: hint.to_string(), other: None }
}

/// The absolute words of a statement, in the order of [`ABSOLUTE_WORDS`].
pub fn absolute_in(statement: &str) -> Vec<&'static str> {
    let words: Vec<String> = statement.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect();
    ABSOLUTE_WORDS
        .iter()
        .copied()
        .filter(|a| {
            let parts: Vec<&str> = a.split(' ').collect();
            words.windows(parts.len()).enumerate().any(|(i, w)| w.iter().zip(&parts).all(|(x, y)| x == y) && !(*a == "only" && i > 0 && words[i - 1] == "not"))
        })
        .collect()
}

/// True/false statements with absolute words, as a set: one warning, at the first statement
/// of the key they predict, when one key holds [`ABSOLUTE_SHARE`] of them.
fn absolute_words(items: &[Question]) -> Vec<Flag> {
    let marked: Vec<bool> = items.iter().map(|q| !absolute_in(&q.prompt).is_empty()).collect();
    let Some(set) = KeyedSet::of(items, &marked) else { return Vec::new() };
    let first = set.major[0];
    let (total, f, t, word) = (set.total, set.falses, set.trues, set.word);
    vec![Flag {
        item: first,
        key: "prompt",
        text: absolute_in(&items[first].prompt).first().map(|w| w.to_string()),
        message: format!(
            "absolute words predict true/false keys: of {total} statements with absolute words (only, always, never, all, …), {f} are keyed false and {t} true, so \"absolute word means {word}\" is right {} times in {total}",
            set.major.len()
        ),
        hint: format!("reword some of these so that neither key holds more than {:.0}% of them: {}", ABSOLUTE_SHARE * 100.0, set.ids(items)),
        other: None,
    }]
}

/// True/false statements that copy the paper's sentence ([`VERBATIM_RUN`] words of a passage
/// they cite), as a set: one warning, at the first statement of the key they predict, when one
/// key holds [`ABSOLUTE_SHARE`] of them.
fn verbatim_statements(items: &[Question], quote: impl Fn(&str) -> Option<String>) -> Vec<Flag> {
    let marked: Vec<bool> = items
        .iter()
        .map(|q| {
            matches!(q.answer, Answer::TrueFalse { .. }) && q.citations.iter().filter_map(|c| quote(c)).any(|text| common_run(&q.prompt, &text) >= VERBATIM_RUN)
        })
        .collect();
    let Some(set) = KeyedSet::of(items, &marked) else { return Vec::new() };
    let (total, f, t, word) = (set.total, set.falses, set.trues, set.word);
    vec![Flag {
        item: set.major[0],
        key: "prompt",
        text: None,
        message: format!(
            "closeness to the paper's sentence predicts true/false keys: of {total} statements that copy {VERBATIM_RUN} or more words in a row of a passage they cite, {f} are keyed false and {t} true, so \"the paper's own words mean {word}\" is right {} times in {total}",
            set.major.len()
        ),
        hint: format!(
            "paraphrase some of these, or word some statements of the other key as closely to the paper, so that neither key holds more than {:.0}% of them: {}",
            ABSOLUTE_SHARE * 100.0,
            set.ids(items)
        ),
        other: None,
    }]
}

/// The true/false statements a rule marks, by key, when one key holds [`ABSOLUTE_SHARE`] of
/// at least [`ABSOLUTE_MIN`] of them; `None` when their keys say nothing.
struct KeyedSet {
    /// The marked statements of the key they predict, in bank order.
    major: Vec<usize>,
    total: usize,
    falses: usize,
    trues: usize,
    /// The key they predict: "false" or "true".
    word: &'static str,
}

impl KeyedSet {
    fn of(items: &[Question], marked: &[bool]) -> Option<KeyedSet> {
        let mut keyed: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
        for (i, q) in items.iter().enumerate() {
            if let Answer::TrueFalse { correct } = q.answer
                && marked[i]
            {
                keyed[correct as usize].push(i);
            }
        }
        let [falses, trues] = keyed;
        let (f, t) = (falses.len(), trues.len());
        let total = f + t;
        let (major, word) = if f >= t { (falses, "false") } else { (trues, "true") };
        (total >= ABSOLUTE_MIN && major.len() as f64 >= ABSOLUTE_SHARE * total as f64).then_some(KeyedSet { major, total, falses: f, trues: t, word })
    }

    fn ids(&self, items: &[Question]) -> String {
        self.major.iter().map(|&i| items[i].id.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The longest run of words two texts share, case aside ("… the Asia-Pacific region is the
/// most critical …").
pub fn common_run(a: &str, b: &str) -> usize {
    let lower = |t: &str| words(t).into_iter().map(|w| w.to_lowercase()).collect::<Vec<_>>();
    let (a, b) = (lower(a), lower(b));
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in &a {
        let mut row = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                row[j + 1] = prev[j] + 1;
                best = best.max(row[j + 1]);
            }
        }
        prev = row;
    }
    best
}

/// Whether a prompt asks a bound ("more than what figure?").
fn asks_a_bound(prompt: &str) -> bool {
    let p = prompt.to_lowercase();
    ["more than", "at least", "over what", "or more", "lower bound", "minimum", "exceed"].iter().any(|w| p.contains(w))
}

/// A bound item whose numeric distractors all lie on one side of its key: the extreme
/// option is the key.
fn one_sided_bound(q: &Question) -> Option<Flag> {
    let Answer::Single { choices, correct } = &q.answer else { return None };
    if choices.len() < 3 || !asks_a_bound(&q.prompt) {
        return None;
    }
    let values: Vec<f64> = choices.iter().map(|c| bare_number(c)).collect::<Option<_>>()?;
    let key = values[*correct];
    let others = values.iter().enumerate().filter(|(i, _)| i != correct).map(|(_, v)| *v);
    let (below, above) = others.fold((0, 0), |(b, a), v| (b + usize::from(v < key), a + usize::from(v > key)));
    if below > 0 && above > 0 {
        return None;
    }
    let side = if below == 0 { "larger" } else { "smaller" };
    let extreme = if below == 0 { "smallest" } else { "largest" };
    Some(flag(
        "answer",
        None,
        format!("a bound item whose distractors are all {side} than its key ({}): the {extreme} option is always right", choices[*correct]),
        "place distractors on both sides of the key, or ask the bound another way",
    ))
}

/// An option far longer than every other: length cues the key (or marks a distractor).
fn long_option(q: &Question) -> Option<Flag> {
    let choices = match &q.answer {
        Answer::Single { choices, .. } | Answer::Multi { choices, .. } => choices,
        _ => return None,
    };
    let lens: Vec<usize> = choices.iter().map(|c| c.chars().count()).collect();
    let (at, &longest) = lens.iter().enumerate().max_by_key(|(_, l)| **l)?;
    let next = lens.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, l)| *l).max()?;
    if (longest as f64) < LONG_OPTION * next as f64 || longest < next + LONG_OPTION_EXTRA {
        return None;
    }
    Some(flag(
        "choices",
        Some(choices[at].clone()),
        format!("an option of {longest} characters beside siblings of at most {next}: its length singles it out"),
        "make the options about as long as each other",
    ))
}

/// Years (1900–2099) and ISO dates written in a text.
pub fn years_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let before_ok = start == 0 || !(chars[start - 1].is_alphanumeric() || chars[start - 1] == '.' || chars[start - 1] == ',');
            if run.len() == 4 && before_ok && (run.starts_with("19") || run.starts_with("20")) {
                out.insert(run);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a label opens with a date ("2012", "February 28, 2022, four days after …").
fn opens_with_date(label: &str) -> bool {
    const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let first = label.split_whitespace().next().unwrap_or("");
    MONTHS.contains(&first) || first.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Whether an item asks when something happened or what came first.
fn asks_time(q: &Question) -> bool {
    if q.kind() == Kind::Ordering {
        let p = q.prompt.to_lowercase();
        return ["earliest", "latest", "chronolog", "in order", "first", "when"].iter().any(|w| p.contains(w));
    }
    let p = q.prompt.to_lowercase();
    ["came first", "first?", "earliest", "latest", "came last", "which year", "what year", "when did", "when was", "when were"].iter().any(|w| p.contains(w))
}

/// A label that carries the date the item asks for: a year in a "which came first?" choice
/// or in an item to put in order. (A date in a label of an item that does not ask when is no
/// cue: "Georgia (2008)" among the precedents of China's stance.)
fn date_in_label(q: &Question) -> Option<Flag> {
    if !asks_time(q) {
        return None;
    }
    for label in q.answer.labels() {
        // A date as a choice is the question's own form ("In which year …? 2012", "February 2023").
        if bare_number(label).is_some() || opens_with_date(label) {
            continue;
        }
        if let Some(year) = years_in(label).into_iter().next() {
            return Some(flag(
                if q.kind() == Kind::Ordering { "items" } else { "choices" },
                Some(year.clone()),
                format!("the label `{label}` carries a date ({year}) the item asks for: it can be answered from the label"),
                "leave the date out of the label (name the event without it), or ask something else",
            ));
        }
    }
    None
}

/// The key of an item, comparable across items of one kind; `None` for true/false (a boolean
/// key says nothing about the fact asked).
pub fn key_of(q: &Question) -> Option<String> {
    let norm = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
    match &q.answer {
        Answer::Single { choices, correct } => Some(norm(&choices[*correct])),
        Answer::Multi { choices, correct } => Some(correct.iter().map(|&i| norm(&choices[i])).collect::<Vec<_>>().join(" | ")),
        Answer::Numeric { value, .. } => Some(format!("{value}")),
        Answer::Ordering { items } => Some(items.iter().map(|s| norm(s)).collect::<Vec<_>>().join(" > ")),
        Answer::Short { accepted } => accepted.first().map(|a| norm(a)),
        Answer::TrueFalse { .. } => None,
    }
}

/// The numbers an item's key holds: a numeric answer, or every number written in its correct
/// choices, ordered items or model answer ("US$190 billion, a 30% increase" → 190, 30).
pub fn key_numbers(q: &Question) -> Vec<f64> {
    let texts: Vec<&String> = match &q.answer {
        Answer::Numeric { value, .. } => return vec![*value],
        Answer::Single { choices, correct } => vec![&choices[*correct]],
        Answer::Multi { choices, correct } => correct.iter().map(|&i| &choices[i]).collect(),
        Answer::Ordering { items } => items.iter().collect(),
        Answer::Short { accepted } => accepted.iter().take(1).collect(),
        Answer::TrueFalse { .. } => Vec::new(),
    };
    texts.into_iter().flat_map(|t| numbers_in(t)).collect()
}

/// Every number written in digits in a text ("244.8", "1,000", "2022"), in order.
pub fn numbers_in(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (!run.is_empty() && (c == '.' || c == ',')) {
            run.push(c);
        } else if !run.is_empty() {
            if let Ok(v) = run.trim_end_matches(['.', ',']).replace(',', "").parse() {
                out.push(v);
            }
            run.clear();
        }
    }
    out
}

/// Two items of one kind with the same key citing the same paragraph: one fact asked twice.
/// The later one is flagged, with the earlier as `other`.
fn same_key(items: &[Question], anchor: impl Fn(&str) -> Option<String>) -> Vec<Flag> {
    let keyed: Vec<Option<(Kind, String, BTreeSet<String>)>> =
        items.iter().map(|q| key_of(q).map(|k| (q.kind(), k, q.citations.iter().filter_map(|c| anchor(c)).collect()))).collect();
    let mut flags = Vec::new();
    for j in 0..items.len() {
        let Some((kind, key, paras)) = &keyed[j] else { continue };
        for i in 0..j {
            let Some((k2, key2, paras2)) = &keyed[i] else { continue };
            if k2 != kind || key2 != key {
                continue;
            }
            let Some(p) = paras.intersection(paras2).next() else { continue };
            flags.push(Flag {
                item: j,
                key: "id",
                text: None,
                message: format!("asks the fact `{}` asks: same kind, same key ({}), same paragraph {p}", items[i].id, key),
                hint: "keep the better of the two, or ask another fact of the paragraph".into(),
                other: Some(i),
            });
            break;
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_words_are_whole_words_and_not_only_is_not_one() {
        assert_eq!(absolute_in("China only buys oil"), vec!["only"]);
        assert_eq!(absolute_in("not only trade but also arms"), Vec::<&str>::new());
        assert_eq!(absolute_in("Tensions no longer matter at all"), vec!["all", "no longer", "at all"]);
        assert!(absolute_in("The overall balance").is_empty());
    }

    #[test]
    fn the_common_run_counts_words_in_a_row_case_aside() {
        let quote = "For China, the Asia-Pacific region is the most critical geopolitical landscape.";
        assert_eq!(common_run("True or false: for China the Asia-Pacific region is the most critical arena.", quote), 10);
        assert_eq!(common_run("China counts the Pacific as its key region.", quote), 1);
        assert_eq!(common_run("", quote), 0);
    }

    #[test]
    fn years_are_read_from_labels() {
        assert_eq!(years_in("Road Map for 2021-2025").into_iter().collect::<Vec<_>>(), vec!["2021", "2025"]);
        assert!(years_in("244.8 billion; 12005").is_empty());
    }
}
