//! What a person types for one of the bank's names — a topic, a kind of question, a
//! motion — matched to the one they mean, as they would type it: case, the spaces around
//! it, and a hyphen, space or underscore between words do not matter, and a beginning that
//! only one name has is enough ("energy" for `energy-dependence`, "true false" for
//! `true_false`).
//!
//! Invariant: a spelling stands for exactly one name or for none. One that begins several
//! names is refused with all of them listed, never settled by picking one.

use thiserror::Error;

use super::{Bank, Kind, Motion, Topic};

/// Why a typed name stands for no name of the bank, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("There is no {what} “{typed}”. The {what}s are: {}.", known.join(", "))]
    Unknown { what: &'static str, typed: String, known: Vec<String> },
    #[error("“{typed}” could be any of these {what}s: {}. Type more of the one you mean.", candidates.join(", "))]
    Ambiguous { what: &'static str, typed: String, candidates: Vec<String> },
}

/// How a name is compared: lower case, hyphens, underscores and runs of spaces as one
/// space, curly apostrophes as straight ones, no trailing full stop.
pub fn normalize(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '-' | '_' | '\u{2010}'..='\u{2014}' => ' ',
            '\u{2018}' | '\u{2019}' => '\'',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let words = mapped.split_whitespace().collect::<Vec<_>>().join(" ");
    words.trim_end_matches('.').trim_end().to_owned()
}

/// The one candidate `typed` names: the one with a spelling equal to it, or else the only
/// one with a spelling that begins with it. Candidates are (what is returned, spellings
/// compared in full, spellings whose beginning is enough).
pub fn resolve<'a, T: Copy + PartialEq>(typed: &str, candidates: &[(T, Vec<&'a str>, Vec<&'a str>)]) -> Resolved<T> {
    let t = normalize(typed);
    if t.is_empty() {
        return Resolved::None;
    }
    let mut exact: Vec<T> = Vec::new();
    let mut begun: Vec<T> = Vec::new();
    for (value, whole, prefixes) in candidates {
        if whole.iter().chain(prefixes).any(|s| normalize(s) == t) && !exact.contains(value) {
            exact.push(*value);
        }
        if prefixes.iter().any(|s| normalize(s).starts_with(&t)) && !begun.contains(value) {
            begun.push(*value);
        }
    }
    match (exact.as_slice(), begun.as_slice()) {
        ([one], _) => Resolved::One(*one),
        ([], [one]) => Resolved::One(*one),
        ([], []) => Resolved::None,
        ([], many) | (many, _) => Resolved::Many(many.to_vec()),
    }
}

/// What a typed name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<T> {
    One(T),
    None,
    Many(Vec<T>),
}

impl Bank {
    /// The topic a person typed: by id or title, or their unique beginning.
    pub fn find_topic(&self, typed: &str) -> Result<&Topic, NameError> {
        let candidates: Vec<(usize, Vec<&str>, Vec<&str>)> =
            self.topics.iter().enumerate().map(|(i, t)| (i, vec![], vec![t.id.as_str(), t.title.as_str()])).collect();
        let ids = |is: &[usize]| is.iter().map(|&i| self.topics[i].id.clone()).collect();
        match resolve(typed, &candidates) {
            Resolved::One(i) => Ok(&self.topics[i]),
            Resolved::None => {
                Err(NameError::Unknown { what: "topic", typed: typed.trim().to_owned(), known: ids(&(0..self.topics.len()).collect::<Vec<_>>()) })
            }
            Resolved::Many(is) => Err(NameError::Ambiguous { what: "topic", typed: typed.trim().to_owned(), candidates: ids(&is) }),
        }
    }

    /// The bank's motion a person typed: its id (or the id's unique beginning) or its whole
    /// text; `None` when it names no motion of the bank (a motion of one's own).
    pub fn find_motion(&self, typed: &str) -> Result<Option<&Motion>, NameError> {
        let candidates: Vec<(usize, Vec<&str>, Vec<&str>)> =
            self.motions.iter().enumerate().map(|(i, m)| (i, vec![m.motion.as_str()], vec![m.id.as_str()])).collect();
        match resolve(typed, &candidates) {
            Resolved::One(i) => Ok(Some(&self.motions[i])),
            Resolved::None => Ok(None),
            Resolved::Many(is) => Err(NameError::Ambiguous {
                what: "motion",
                typed: typed.trim().to_owned(),
                candidates: is.iter().map(|&i| self.motions[i].id.clone()).collect(),
            }),
        }
    }
}

impl Kind {
    /// The kind of question a person typed: its name with `-`, `_` or a space
    /// (`true-false`), or a unique beginning of it (`num`).
    pub fn find(typed: &str) -> Result<Kind, NameError> {
        let candidates: Vec<(Kind, Vec<&str>, Vec<&str>)> = Kind::ALL.into_iter().map(|k| (k, vec![], vec![k.as_str()])).collect();
        let names = |ks: &[Kind]| ks.iter().map(|k| k.as_str().replace('_', "-")).collect();
        match resolve(typed, &candidates) {
            Resolved::One(k) => Ok(k),
            Resolved::None => Err(NameError::Unknown { what: "kind", typed: typed.trim().to_owned(), known: names(&Kind::ALL) }),
            Resolved::Many(ks) => Err(NameError::Ambiguous { what: "kind", typed: typed.trim().to_owned(), candidates: names(&ks) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(typed: &str, expected: Resolved<u8>) {
        let candidates = vec![
            (1, vec![], vec!["energy-dependence", "Energy dependence"]),
            (2, vec![], vec!["energy-cooperation", "Energy cooperation"]),
            (3, vec!["This house believes China's stance is neutral."], vec!["china-neutral"]),
        ];
        assert_eq!(resolve(typed, &candidates), expected, "{typed:?}");
    }

    #[test]
    fn any_spelling_a_person_would_type() {
        check("energy-dependence", Resolved::One(1));
        check("  Energy_Dependence ", Resolved::One(1));
        check("ENERGY   DEPENDENCE", Resolved::One(1));
        check("energy d", Resolved::One(1));
        check("energy co", Resolved::One(2));
        check("energy", Resolved::Many(vec![1, 2]));
        check("china", Resolved::One(3));
        check("this house believes china’s stance is neutral", Resolved::One(3));
        check("this house", Resolved::None);
        check("nuclear", Resolved::None);
        check("  ", Resolved::None);
    }

    #[test]
    fn kinds_by_any_spelling() {
        assert_eq!(Kind::find("True-False"), Ok(Kind::TrueFalse));
        assert_eq!(Kind::find("true false"), Ok(Kind::TrueFalse));
        assert_eq!(Kind::find("num"), Ok(Kind::Numeric));
        assert_eq!(Kind::find("S").unwrap_err().to_string(), "“S” could be any of these kinds: single, short. Type more of the one you mean.");
        assert!(Kind::find("essay").unwrap_err().to_string().contains("There is no kind “essay”. The kinds are: single, true-false"));
    }
}
