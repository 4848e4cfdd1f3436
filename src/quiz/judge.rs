//! Reading what a student typed and judging it against the bank's answer.
//!
//! Invariant: judging is total. Any [`Response`], of any shape, against any question
//! gives a [`Verdict`] with `credit` in `0..=1`, and `correct` only when the answer is
//! exactly right (then `credit == 1`); nothing here panics on user input. A response
//! always speaks of the bank's choice order: the shuffled display order is undone by
//! [`parse_response`] and never reaches [`judge`].

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::{Answer, Question, Scale, letter};
use crate::quiz::select::Presentation;
use crate::scoring::Verdict;
use crate::text::osa_distance;

/// A student's answer, in the bank's terms: indices are positions in the question's
/// `choices` or `items` as written in the bank, not as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Choice(usize),
    Bool(bool),
    Choices(Vec<usize>),
    Number(f64),
    /// Item indices, in the order the student put them.
    Order(Vec<usize>),
    Text(String),
}

/// Why a typed answer could not be read; the message tells the student what to type.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResponseError {
    #[error("Answer with one letter from A to {last}.")]
    OneLetter { last: char },
    #[error("There is no choice {letter}: answer with letters from A to {last}.")]
    NoSuchChoice { letter: char, last: char },
    #[error("Answer with one or more letters from A to {last}, for example \"A, C\".")]
    Letters { last: char },
    #[error("Put every letter from A to {last} in order, each once, for example \"{example}\".")]
    Order { last: char, example: String },
    #[error("You gave {letter} twice: put every letter from A to {last} in order, each once.")]
    OrderRepeat { letter: char, last: char },
    #[error("You left out {missing}: put every letter from A to {last} in order, each once.")]
    OrderMissing { missing: String, last: char },
    #[error("Answer true or false (or T / F).")]
    TrueFalse,
    #[error("Answer with one number{}, for example \"12.5\".", in_unit(.unit))]
    Number { unit: String },
    #[error("Type your answer.")]
    EmptyText,
    #[error("That answer is too long: keep it under {max} characters.")]
    TooLong { max: usize },
}

fn in_unit(unit: &str) -> String {
    if unit.trim().is_empty() { String::new() } else { format!(" (in {unit})") }
}

/// The longest short answer read, in characters.
pub const MAX_TEXT: usize = 200;

/// Reads what a student typed for question `q`, shown with `display`.
///
/// Letters refer to the order shown and are mapped back to the bank's order through
/// `display` (an empty or mismatched presentation reads as the bank's order).
/// Choices: `"b"`, `"A, C"`, `"a c"`, `"AC"`; ordering: `"C A D B"`; true/false:
/// `"t"`, `"true"`, `"yes"`, `"f"`, `"no"`…; numeric: see [`parse_number`].
pub fn parse_response(q: &Question, display: &Presentation, input: &str) -> Result<Response, ResponseError> {
    let to_bank = |n: usize, shown: usize| if display.len() == n { display.original(shown).unwrap_or(shown) } else { shown };
    match &q.answer {
        Answer::Single { choices, .. } => {
            let n = choices.len();
            let last = letter(n.saturating_sub(1));
            match letters(input, n, false)?.as_slice() {
                [one] => Ok(Response::Choice(to_bank(n, *one))),
                _ => Err(ResponseError::OneLetter { last }),
            }
        }
        Answer::Multi { choices, .. } => {
            let n = choices.len();
            let shown = letters(input, n, true)?;
            if shown.is_empty() {
                return Err(ResponseError::Letters { last: letter(n.saturating_sub(1)) });
            }
            let mut picked: Vec<usize> = shown.into_iter().map(|s| to_bank(n, s)).collect();
            picked.sort_unstable();
            picked.dedup();
            Ok(Response::Choices(picked))
        }
        Answer::Ordering { items } => {
            let n = items.len();
            let last = letter(n.saturating_sub(1));
            let shown = letters(input, n, true)?;
            let mut seen = vec![false; n];
            for &s in &shown {
                if std::mem::replace(&mut seen[s], true) {
                    return Err(ResponseError::OrderRepeat { letter: letter(s), last });
                }
            }
            if shown.is_empty() {
                let example = (0..n).rev().map(|i| letter(i).to_string()).collect::<Vec<_>>().join(" ");
                return Err(ResponseError::Order { last, example });
            }
            let missing: Vec<String> = (0..n).filter(|&i| !seen[i]).map(|i| letter(i).to_string()).collect();
            if !missing.is_empty() {
                let missing = match missing.split_last() {
                    Some((tail, [])) => tail.clone(),
                    Some((tail, head)) => format!("{} and {tail}", head.join(", ")),
                    None => String::new(),
                };
                return Err(ResponseError::OrderMissing { missing, last });
            }
            Ok(Response::Order(shown.into_iter().map(|s| to_bank(n, s)).collect()))
        }
        Answer::TrueFalse { .. } => {
            let word = input.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            match word.as_str() {
                "t" | "true" | "y" | "yes" | "right" | "correct" => Ok(Response::Bool(true)),
                "f" | "false" | "n" | "no" | "wrong" | "incorrect" => Ok(Response::Bool(false)),
                _ => Err(ResponseError::TrueFalse),
            }
        }
        Answer::Numeric { unit, scale, .. } => parse_number(input, *scale).map(Response::Number).ok_or_else(|| ResponseError::Number { unit: unit.clone() }),
        Answer::Short { .. } => {
            let text = input.trim();
            if text.chars().count() > MAX_TEXT {
                Err(ResponseError::TooLong { max: MAX_TEXT })
            } else if !text.chars().any(char::is_alphanumeric) {
                Err(ResponseError::EmptyText)
            } else {
                Ok(Response::Text(text.to_owned()))
            }
        }
    }
}

/// The display positions named by letters in `input`, in the order typed.
/// Separators are anything but letters and digits, and the word "and"; with
/// `compact`, a run of letters ("ACD") names several choices.
fn letters(input: &str, n: usize, compact: bool) -> Result<Vec<usize>, ResponseError> {
    let last = letter(n.saturating_sub(1));
    let expected = || if compact { ResponseError::Letters { last } } else { ResponseError::OneLetter { last } };
    let mut out = Vec::new();
    for word in input.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if word.eq_ignore_ascii_case("and") {
            continue;
        }
        if !word.chars().all(|c| c.is_ascii_alphabetic()) || (word.len() > 1 && !compact) {
            return Err(expected());
        }
        for c in word.chars() {
            let i = usize::from(c.to_ascii_lowercase() as u8 - b'a');
            if i >= n {
                return Err(ResponseError::NoSuchChoice { letter: c.to_ascii_uppercase(), last });
            }
            out.push(i);
        }
    }
    if out.is_empty() && !compact {
        return Err(expected());
    }
    Ok(out)
}

/// Reads a number as a student might type it, in units of `scale`.
///
/// With `Scale::Billion`: "190", "190.5", "190 billion", "190 bn", "190b", "$190bn",
/// "US$190 billion", "0.19 trillion", "190,000,000,000" and "190 000 000 000" all read
/// as 190 (or 190.5). A number with no magnitude word that is at least one unit of
/// `scale` (≥ 10⁹ here) is taken as written out in full. Thousands separators are
/// commas, dots or single spaces between groups of three; a lone comma before one or
/// two digits is a decimal comma ("244,8"). Currency signs, "%" and other words are
/// ignored. `None` when there is no number, or more than one ("190 to 200"), or the
/// result is not finite. Never panics.
pub fn parse_number(text: &str, scale: Scale) -> Option<f64> {
    if text.len() > 200 {
        return None;
    }
    let chars: Vec<char> = text.chars().map(|c| if c == '\u{2212}' { '-' } else { c.to_ascii_lowercase() }).collect();
    let mut found: Option<(f64, Option<f64>)> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if !starts {
            i += 1;
            continue;
        }
        if found.is_some() {
            return None; // a second number: ambiguous
        }
        let negative = i > 0 && chars[i - 1] == '-' && (i == 1 || !chars[i - 2].is_alphanumeric());
        let (raw, end) = scan_number(&chars, i);
        let value = number_value(&raw)?;
        let (magnitude, after) = magnitude_after(&chars, end);
        found = Some((if negative { -value } else { value }, magnitude));
        i = after;
    }
    let (n, magnitude) = found?;
    let factor = scale.factor();
    let value = match magnitude {
        Some(m) => n * m / factor,
        None if scale != Scale::One && n.abs() >= factor => n / factor,
        None => n,
    };
    value.is_finite().then_some(value)
}

/// The characters of one number starting at `start` (digits, separators, an
/// exponent), with separating spaces turned into commas; and where it ends.
fn scan_number(chars: &[char], start: usize) -> (String, usize) {
    let digit = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
    let mut raw = String::new();
    let mut group = 0; // digits since the last separator
    let mut j = start;
    while let Some(&c) = chars.get(j) {
        if c.is_ascii_digit() {
            raw.push(c);
            group += 1;
        } else if c == ',' || c == '.' {
            raw.push(c);
            group = 0;
        } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
            && (1..=3).contains(&group)
            && !raw.contains('.')
            && (1..=3).all(|k| digit(j + k))
            && !digit(j + 4)
        {
            raw.push(',');
            group = 0;
        } else if c == 'e' && (digit(j + 1) || (matches!(chars.get(j + 1), Some('-' | '+')) && digit(j + 2))) {
            raw.push('e');
            raw.push(chars[j + 1]);
            j += 2;
            while digit(j) {
                raw.push(chars[j]);
                j += 1;
            }
            break;
        } else {
            break;
        }
        j += 1;
    }
    (raw, j)
}

/// The value of a scanned number, resolving thousands separators and decimal commas.
fn number_value(raw: &str) -> Option<f64> {
    let (mantissa, exponent) = match raw.find('e') {
        Some(e) => (&raw[..e], &raw[e..]),
        None => (raw, ""),
    };
    let mantissa = mantissa.trim_end_matches([',', '.']);
    let commas = mantissa.matches(',').count();
    let dots = mantissa.matches('.').count();
    let grouped = |s: &str, sep: char| {
        let mut groups = s.split(sep);
        groups.next().is_some_and(|g| (1..=3).contains(&g.len())) && groups.all(|g| g.len() == 3)
    };
    let plain: String = match (commas, dots) {
        (0, 0 | 1) => mantissa.to_owned(),
        (_, 0 | 1) => {
            let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
            if grouped(whole, ',') {
                let whole = whole.replace(',', "");
                if dots == 1 { format!("{whole}.{fraction}") } else { whole }
            } else if commas == 1 && dots == 0 && whole.split(',').nth(1).is_some_and(|f| (1..=2).contains(&f.len())) {
                whole.replace(',', ".")
            } else {
                return None;
            }
        }
        (0, _) if grouped(mantissa, '.') => mantissa.replace('.', ""),
        _ => return None,
    };
    format!("{plain}{exponent}").parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A magnitude word ("bn", "million", "k"…) right after the number, and where reading resumes.
fn magnitude_after(chars: &[char], mut j: usize) -> (Option<f64>, usize) {
    while chars.get(j).is_some_and(|c| c.is_whitespace()) {
        j += 1;
    }
    let start = j;
    while chars.get(j).is_some_and(|c| c.is_alphabetic()) {
        j += 1;
    }
    let word: String = chars[start..j].iter().collect();
    let magnitude = match word.as_str() {
        "k" | "thousand" | "thousands" => Some(1e3),
        "m" | "mn" | "mln" | "million" | "millions" => Some(1e6),
        "b" | "bn" | "bln" | "billion" | "billions" => Some(1e9),
        "t" | "tn" | "trillion" | "trillions" => Some(1e12),
        _ => None,
    };
    (magnitude, if magnitude.is_some() { j } else { start })
}

/// Judges `r` against `q`'s answer. A response of the wrong shape is simply wrong.
///
/// - single, true/false, short, numeric: all or nothing;
/// - multi: `(right picks − wrong picks) / correct choices`, floored at 0;
/// - ordering: Kendall's tau floored at 0, i.e. `(pairs in order − pairs out of
///   order) / pairs`, so one swap of neighbours in four items earns 2/3 and a
///   random order earns about nothing;
/// - numeric: within `tolerance` (plus a hair of rounding slack);
/// - short: see [`short_matches`].
pub fn judge(q: &Question, r: &Response) -> Verdict {
    match (&q.answer, r) {
        (Answer::Single { correct, .. }, Response::Choice(c)) => Verdict::exact(c == correct),
        (Answer::TrueFalse { correct }, Response::Bool(b)) => Verdict::exact(b == correct),
        (Answer::Multi { correct, choices }, Response::Choices(picked)) => judge_multi(correct, choices.len(), picked),
        (Answer::Numeric { value, tolerance, .. }, Response::Number(x)) => {
            let slack = 1e-9 * value.abs().max(1.0);
            Verdict::exact(x.is_finite() && (x - value).abs() <= tolerance + slack)
        }
        (Answer::Ordering { items }, Response::Order(order)) => judge_order(items.len(), order),
        (Answer::Short { accepted }, Response::Text(text)) => Verdict::exact(accepted.iter().any(|a| short_matches(a, text))),
        _ => Verdict::WRONG,
    }
}

fn judge_multi(correct: &[usize], n: usize, picked: &[usize]) -> Verdict {
    if correct.is_empty() {
        return Verdict::WRONG;
    }
    // Distinct picks, counted with a bit set for the usual small question.
    let (mut right, mut wrong, mut seen) = (0usize, 0usize, 0u64);
    for (k, &p) in picked.iter().enumerate() {
        let repeat = if p < 64 { !first_time(&mut seen, p) } else { picked[..k].contains(&p) };
        if repeat {
            continue;
        }
        if p < n && correct.contains(&p) { right += 1 } else { wrong += 1 }
    }
    if wrong == 0 && right == correct.len() {
        return Verdict::RIGHT;
    }
    Verdict::partial((right as f64 - wrong as f64) / correct.len() as f64)
}

/// Marks `i` (< 64) in a bit set; true the first time.
fn first_time(seen: &mut u64, i: usize) -> bool {
    let bit = 1u64 << i;
    let first = *seen & bit == 0;
    *seen |= bit;
    first
}

fn judge_order(n: usize, order: &[usize]) -> Verdict {
    if order.len() != n || n == 0 {
        return Verdict::WRONG;
    }
    let permutation = if n <= 64 {
        let mut seen = 0u64;
        order.iter().all(|&i| i < n && first_time(&mut seen, i))
    } else {
        let mut seen = vec![false; n];
        order.iter().all(|&i| i < n && !std::mem::replace(&mut seen[i], true))
    };
    if !permutation {
        return Verdict::WRONG;
    }
    if order.iter().enumerate().all(|(k, &i)| k == i) {
        return Verdict::RIGHT;
    }
    let (mut concordant, mut discordant) = (0i64, 0i64);
    for a in 0..n {
        for b in a + 1..n {
            if order[a] < order[b] { concordant += 1 } else { discordant += 1 }
        }
    }
    Verdict::partial((concordant - discordant) as f64 / (concordant + discordant) as f64)
}

/// Whether a typed `given` answer matches the `accepted` one.
///
/// Both are normalised: lower case, a leading "the", "a" or "an" dropped, then only
/// letters and digits kept ("No-limits!" → "nolimits"). Then a few typos are forgiven
/// (Damerau–Levenshtein, adjacent swaps counting once), by the length of the
/// *shorter* of the two: none below 5 characters, 1 from 5 to 9, 2 from 10. Using the
/// shorter keeps "air" (and "hair") from passing for "chair". An accepted answer with a
/// digit in it (a year, a figure) must match exactly: "1996" is not "1997".
pub fn short_matches(accepted: &str, given: &str) -> bool {
    with_normalised(accepted, |a| {
        with_normalised(given, |g| {
            if a.is_empty() || g.is_empty() {
                return false;
            }
            if a == g {
                return true;
            }
            if a.iter().any(char::is_ascii_digit) {
                return false;
            }
            let allowed = match a.len().min(g.len()) {
                0..=4 => return false,
                5..=9 => 1,
                _ => 2,
            };
            a.len().abs_diff(g.len()) <= allowed && osa_distance(a, g) <= allowed
        })
    })
}

/// Normalises `s` into a buffer on the stack (or the heap when very long) and hands it to `f`.
fn with_normalised<R>(s: &str, f: impl FnOnce(&[char]) -> R) -> R {
    const INLINE: usize = 64;
    let s = s.trim();
    let s = match s.split_once(char::is_whitespace) {
        Some((first, rest)) if ["the", "a", "an"].iter().any(|a| first.eq_ignore_ascii_case(a)) => rest,
        _ => s,
    };
    let chars = s.chars().flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric());
    let mut buf = ['\0'; INLINE];
    let mut len = 0;
    for c in chars.clone() {
        if len == INLINE {
            return f(&chars.collect::<Vec<char>>());
        }
        buf[len] = c;
        len += 1;
    }
    f(&buf[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parse_number_never_panics(s in "\\PC{0,40}", scale in prop_oneof![Just(Scale::One), Just(Scale::Thousand), Just(Scale::Million), Just(Scale::Billion)]) {
            if let Some(v) = parse_number(&s, scale) {
                prop_assert!(v.is_finite());
            }
        }

        #[test]
        fn parse_number_reads_plain_decimals(x in 0.0f64..1e6) {
            let text = format!("{x:.2}");
            prop_assert_eq!(parse_number(&text, Scale::One), text.parse::<f64>().ok());
        }
    }

    #[test]
    fn long_answers_use_the_heap_path() {
        let long = format!("{}limits", "very ".repeat(20));
        assert!(short_matches(&long, &long.to_uppercase()));
    }
}
