//! Items generated from the knowledge entries.
//!
//! Invariant: generation is a pure function of the entries, the written items and a seed
//! (same bank and seed, same items, same ids), and every generated item cites the passages
//! of the entries it comes from, so it is checked and shown like a written one. No generated
//! item shows a passage that gives its answer away, asks "which obstacle" of a passage the
//! paper does not present as one, asks a bound as if it were the figure, or asks what a
//! written item already asks (`similar`).

use std::collections::{BTreeSet, HashMap};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::stable::{fnv1a, shuffle};

use super::craft;
use super::model::*;
use super::similar::{Profile, same_number};
use super::words::{sentence_starts, stems, words};
use crate::limits::LABEL;

/// A generated question and the id of the knowledge entry it comes from.
#[derive(Debug, Clone)]
pub struct Generated {
    pub from: String,
    pub question: Question,
}

/// The shortest stretch of a passage shown on its own, in words, when its first sentences
/// would give the answer away: a shorter stretch ("… In both theaters, their primary adversary
/// is the United States") has lost what it is about.
const MIN_SHOWN_WORDS: usize = 20;

/// Words that point back to a sentence not shown ("While it engages…", "In this evolving
/// landscape…"): a stretch with one among its first four words is not shown on its own.
const BACK_REFERENCES: &[&str] = &["it", "its", "they", "their", "them", "this", "these", "those", "such", "he", "his", "she", "her", "there"];

/// "Which came first?" pairs events at most this far apart, in months.
const MAX_FIRST_MONTHS: u32 = 12;

/// The section in which the paper lists the obstacles and limitations of the relationship.
const OBSTACLES_SECTION: &str = "s8";

pub fn generate(entries: &[Entry], passages: &[Passage], written: &[Question], seed: u64) -> Vec<Generated> {
    let quotes: HashMap<&str, &Passage> = passages.iter().map(|p| (p.id.as_str(), p)).collect();
    let anchor = |c: &str| quotes.get(c).map(|p| p.anchor.clone());
    let paragraphs = |q: &Question| -> BTreeSet<String> { q.citations.iter().filter_map(|c| anchor(c)).collect() };
    let shown: Vec<Shown> =
        written.iter().map(|w| Shown { paragraphs: paragraphs(w), text: format!("{} {}", w.prompt, craft::key_of(w).unwrap_or_default()) }).collect();
    let entry_paragraphs = |e: &Entry| -> BTreeSet<String> { e.citations.iter().filter_map(|c| anchor(c)).collect() };
    let mut out = Vec::new();
    which_entry(entries, &quotes, true, seed, &mut out);
    which_entry(entries, &quotes, false, seed, &mut out);
    figures(entries, &quotes, seed, &mut out);
    events(entries, seed, &mut out);
    odd_one_out(entries, &quotes, Odd::Obstacle, seed, &mut out);
    odd_one_out(entries, &quotes, Odd::Factor, seed, &mut out);
    dates(entries, &shown, entry_paragraphs, seed, &mut out);
    sources(entries, &shown, entry_paragraphs, seed, &mut out);
    // An item that asks what a written one asks adds nothing but a give-away.
    let asked: Vec<Profile> = written.iter().map(|q| Profile::of(q, anchor)).collect();
    out.retain(|g| {
        let profile = Profile::of(&g.question, anchor);
        asked.iter().all(|w| w.same(&profile).is_none())
    });
    // The craft rules (`craft`): no cue the checker would warn about, and no fact (a figure or a
    // date) a written item already asks from the same paragraph, whatever the kinds.
    out.retain(|g| craft::one(&g.question).is_empty());
    // A true/false statement shows its figures in its prompt ("… up more than 64 percent since
    // 2021"); its years only place them (a date item compares dates itself, in `dates`).
    let numbers = |w: &Question| {
        if w.kind() == Kind::TrueFalse {
            craft::numbers_in(&w.prompt).into_iter().filter(|n| !(1900.0..2100.0).contains(n) || n.fract() != 0.0).collect()
        } else {
            craft::key_numbers(w)
        }
    };
    let facts: Vec<Asked> = written.iter().map(|w| (paragraphs(w), numbers(w), craft::key_of(w).map(|k| (w.kind(), k)))).collect();
    out.retain(|g| {
        let here = paragraphs(&g.question);
        let mut numbers = craft::key_numbers(&g.question);
        numbers.extend(event_years(entries, &g.question));
        let key = craft::key_of(&g.question).map(|k| (g.question.kind(), k));
        !facts.iter().any(|(there, asked, wkey)| {
            !here.is_disjoint(there) && (numbers.iter().any(|n| asked.iter().any(|a| same_number(*a, *n))) || (key.is_some() && key == *wkey))
        })
    });
    // Two generated items of one kind with one key from one paragraph: the first stays.
    let mut seen: Vec<(BTreeSet<String>, (Kind, String))> = Vec::new();
    out.retain(|g| {
        let Some(key) = craft::key_of(&g.question).map(|k| (g.question.kind(), k)) else { return true };
        let here = paragraphs(&g.question);
        if seen.iter().any(|(p, k)| *k == key && !p.is_disjoint(&here)) {
            return false;
        }
        seen.push((here, key));
        true
    });
    out
}

/// What a written item asks: the paragraphs it cites, the numbers of its key, its kind and key.
type Asked = (BTreeSet<String>, Vec<f64>, Option<(Kind, String)>);

/// What a written item shows a student: the paragraphs it cites, and its prompt and key, where
/// a date or a name it gives (or asks for) stands.
struct Shown {
    paragraphs: BTreeSet<String>,
    text: String,
}

impl Shown {
    /// Whether it shows this entry's fact: it cites one of `paragraphs` and `gives` its text.
    fn shows(&self, paragraphs: &BTreeSet<String>, gives: impl Fn(&str) -> bool) -> bool {
        !self.paragraphs.is_disjoint(paragraphs) && gives(&self.text)
    }
}

/// The years of the events an item orders or compares (its labels are the events' `what`).
fn event_years(entries: &[Entry], q: &Question) -> Vec<f64> {
    let labels = q.answer.labels();
    entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Event { date, what } if labels.contains(what) => date.get(..4).and_then(|y| y.parse().ok()),
            _ => None,
        })
        .collect()
}

fn named(entries: &[Entry], factors: bool) -> Vec<(&Entry, &str, &str)> {
    entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Factor { name, summary, .. } if factors => Some((e, name.as_str(), summary.as_str())),
            Fact::Obstacle { name, summary, .. } if !factors => Some((e, name.as_str(), summary.as_str())),
            _ => None,
        })
        .filter(|(_, name, _)| name.chars().count() <= LABEL)
        .collect()
}

/// The passages an entry's `presented_in` names: those the paper presents it in.
fn presented_in(e: &Entry) -> &[String] {
    match &e.fact {
        Fact::Factor { presented_in, .. } | Fact::Obstacle { presented_in, .. } => presented_in,
        _ => &[],
    }
}

/// The stems of `key` that could single it out: its content words, less those that every
/// choice shares.
pub fn distinctive(key: &str, choices: &[String]) -> BTreeSet<String> {
    let mut common: Option<BTreeSet<String>> = None;
    for c in choices {
        let s = stems(c);
        common = Some(match common {
            None => s,
            Some(acc) => acc.intersection(&s).cloned().collect(),
        });
    }
    let common = common.unwrap_or_default();
    stems(key).difference(&common).cloned().collect()
}

/// What of `quote` can be shown without giving `key` away: the whole quote when it shares no
/// distinctive word with the key, else the quote from the first later sentence on that does
/// not, stands on its own (`MIN_SHOWN_WORDS`, `BACK_REFERENCES`); `None` when there is none.
pub fn unrevealing<'q>(quote: &'q str, key: &str, choices: &[String]) -> Option<&'q str> {
    let giveaway = distinctive(key, choices);
    if stems(quote).is_disjoint(&giveaway) {
        return Some(quote);
    }
    sentence_starts(quote).into_iter().skip(1).map(|at| &quote[at..]).find(|rest| {
        let shown = words(rest);
        let points_back = shown.iter().take(4).any(|w| BACK_REFERENCES.contains(&w.to_lowercase().as_str()));
        shown.len() >= MIN_SHOWN_WORDS && !points_back && stems(rest).is_disjoint(&giveaway)
    })
}

/// Puts `correct` among `others` at a random place; returns the choices and its index.
fn shuffle_in(correct: String, others: Vec<String>, rng: &mut ChaCha8Rng) -> (Vec<String>, usize) {
    let mut choices = others;
    choices.push(correct.clone());
    shuffle(&mut choices, rng);
    let at = choices.iter().position(|c| *c == correct).unwrap_or(0);
    (choices, at)
}

/// "Which factor (obstacle) does this passage describe?" for every passage the entry's
/// `presented_in` names, when no other factor or obstacle cites it and it can be shown
/// without giving the answer away.
fn which_entry(entries: &[Entry], quotes: &HashMap<&str, &Passage>, factors: bool, seed: u64, out: &mut Vec<Generated>) {
    let list = named(entries, factors);
    if list.len() < 4 {
        return;
    }
    // A passage two entries cite has two right answers.
    let mut citers: HashMap<&str, usize> = HashMap::new();
    for (e, _, _) in named(entries, true).iter().chain(named(entries, false).iter()) {
        for c in &e.citations {
            *citers.entry(c.as_str()).or_default() += 1;
        }
    }
    let (what, whats) = if factors { ("factor of convergence", "factors of convergence") } else { ("obstacle or limitation", "obstacles or limitations") };
    for (e, name, summary) in &list {
        for cite in presented_in(e) {
            let Some(passage) = quotes.get(cite.as_str()) else { continue };
            if citers.get(cite.as_str()) != Some(&1) {
                continue;
            }
            let id = gen_id(if factors { "factor" } else { "obstacle" }, &[&e.id, cite]);
            let rng = &mut rng_for(seed, &id);
            let mut others: Vec<&str> = list.iter().filter(|(o, n, _)| o.id != e.id && !same_label(n, name)).map(|(_, n, _)| *n).collect();
            stable_pick(&mut others, seed, &id, 3);
            let rest = others.join("; ");
            let (choices, correct) = shuffle_in(name.to_string(), others.into_iter().map(str::to_string).collect(), rng);
            let Some(shown) = unrevealing(&passage.quote, name, &choices) else { continue };
            let shown = if shown.len() < passage.quote.len() { format!("… {shown}") } else { shown.to_string() };
            out.push(single(e, id, 2, format!("According to the paper, which {what} does this passage describe?\n\n> {shown}"), (choices, correct), format!("According to the paper, this passage describes {}: {summary} The other choices ({rest}) are other {whats} the paper names, each described in other passages.", in_sentence(name)), vec![cite.clone()]));
        }
    }
}

/// "What was X?" with other figures of the same unit and magnitude as distractors. A figure
/// the paper gives as a bound is asked as one ("… was more than what figure?"): the prompt asks
/// for the bound the paper gives, with distractors on both sides of it, so that the extreme
/// option is not always the key (`craft`).
fn figures(entries: &[Entry], quotes: &HashMap<&str, &Passage>, seed: u64, out: &mut Vec<Generated>) {
    /// One figure entry, unpacked.
    struct Fig<'a> {
        entry: &'a Entry,
        value: f64,
        unit: &'a str,
        measures: &'a str,
        period: &'a str,
        bound: Option<Bound>,
    }
    let anchors = |e: &Entry| -> Vec<String> { e.citations.iter().filter_map(|c| quotes.get(c.as_str()).map(|p| p.anchor.clone())).collect() };
    let figs: Vec<Fig> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Figure { value, unit, measures, period, bound } => Some(Fig { entry: e, value: *value, unit, measures, period, bound: *bound }),
            _ => None,
        })
        .collect();
    for Fig { entry: e, value, unit, measures, period, bound } in &figs {
        let label = format_value(*value, unit);
        let here = anchors(e);
        // The most confusable figures first: those of the same paragraph, then the nearest in size.
        let mut candidates: Vec<(bool, u64, u64, String)> = Vec::new();
        for Fig { entry: o, value: v, unit: u, .. } in &figs {
            let text = format_value(*v, u);
            if o.id != e.id && u == unit && same_magnitude(*v, *value) && text != label && !candidates.iter().any(|c| c.3 == text) {
                let elsewhere = !anchors(o).iter().any(|a| here.contains(a));
                let distance = ((*v / *value).ln().abs() * 1e6) as u64;
                candidates.push((elsewhere, distance, fnv1a(format!("{seed}|{}|{text}", e.id).as_bytes()), text));
            }
        }
        // Three distractors of the same unit and size, or none: with fewer, the odd ones out
        // ("75 years" for an oil contract) are figures no reader of the paper would consider.
        if candidates.len() < 3 || label.chars().count() > LABEL {
            continue;
        }
        candidates.sort();
        let mut picked: Vec<(bool, u64, u64, String)> = candidates.iter().take(3).cloned().collect();
        // A bound's distractors lie on both sides of it, or its extreme option is the key: the
        // nearest figure of the missing side takes the place of the farthest pick.
        if bound.is_some() {
            let below = |c: &(bool, u64, u64, String)| bare_value(&c.3).is_some_and(|v| v < *value);
            let sides = |p: &[(bool, u64, u64, String)]| p.iter().any(below) && p.iter().any(|c| !below(c));
            if !sides(&picked) {
                let want_below = !picked.iter().any(below);
                let Some(other) = candidates.iter().find(|c| below(c) == want_below) else { continue };
                picked.pop();
                picked.push(other.clone());
            }
            if !sides(&picked) {
                continue;
            }
        }
        let others: Vec<String> = picked.into_iter().map(|c| c.3).collect();
        let id = gen_id("figure", &[&e.id]);
        let rng = &mut rng_for(seed, &id);
        let rest = others.join("; ");
        let (choices, correct) = shuffle_in(label.clone(), others, rng);
        let (prompt, explanation) = match bound {
            None => (
                format!("According to the paper, what was {measures}? (Period: {period})"),
                format!(
                    "According to the paper, {measures} was {label} (period: {period}). The other choices ({rest}) are figures the paper gives in the same unit for other things."
                ),
            ),
            Some(b) => {
                let words = b.words();
                (
                    format!(
                        "The paper gives {measures} as a bound, not as an exact figure. According to the paper, it was {words} what figure? (Period: {period})"
                    ),
                    format!(
                        "According to the paper, {measures} was {words} {label} (period: {period}): the paper gives {label} as a bound, not as the exact figure. The other choices ({rest}) are figures the paper gives in the same unit for other things; none of them is the bound it gives here."
                    ),
                )
            }
        };
        out.push(single(e, id, 2, prompt, (choices, correct), explanation, e.citations.clone()));
    }
}

/// A generated single-choice item on entry `e`'s topic.
fn single(
    e: &Entry,
    id: String,
    difficulty: u8,
    prompt: String,
    (choices, correct): (Vec<String>, usize),
    explanation: String,
    citations: Vec<String>,
) -> Generated {
    Generated {
        from: e.id.clone(),
        question: Question {
            id,
            origin: Origin::Generated,
            topics: vec![e.topic.clone()],
            difficulty,
            prompt,
            answer: Answer::Single { choices, correct },
            explanation,
            citations,
        },
    }
}

/// The number a generated figure label opens with ("64 percent" → 64).
fn bare_value(label: &str) -> Option<f64> {
    label.split(' ').next().and_then(|n| n.replace(',', "").parse().ok())
}

fn same_magnitude(a: f64, b: f64) -> bool {
    if a <= 0.0 || b <= 0.0 {
        return a == 0.0 && b == 0.0;
    }
    let ratio = a.max(b) / a.min(b);
    ratio < 10.0
}

/// A figure as a choice label: "244.8 US$ billion", "1,993", "25 percent".
pub fn format_value(value: f64, unit: &str) -> String {
    let mut number = if value.fract() == 0.0 && value.abs() < 1e15 {
        let digits = format!("{}", value.abs() as u64);
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if value < 0.0 { format!("-{grouped}") } else { grouped }
    } else {
        let s = format!("{value:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if !unit.is_empty() {
        number.push(' ');
        number.push_str(unit);
    }
    number
}

/// Events whose dates can be compared without doubt: both full dates, or different years.
fn comparable(a: &str, b: &str) -> bool {
    a != b && (a[..4] != b[..4] || (a.len() == 10 && b.len() == 10) || (a.len() >= 7 && b.len() >= 7 && a[..7] != b[..7]))
}

/// How far apart two dates are, in months (a date without a month is read as its January).
fn months_apart(a: &str, b: &str) -> u32 {
    let months = |d: &str| -> u32 {
        let year: u32 = d.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let month: u32 = d.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
        year * 12 + month
    };
    months(a).abs_diff(months(b))
}

/// A date as the paper writes it: "1991", "November 2021", "February 24, 2022".
pub fn format_date(date: &str) -> String {
    const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let parts: Vec<&str> = date.split('-').collect();
    let month = |m: &str| m.parse::<usize>().ok().and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match parts.as_slice() {
        [year, m] => month(m).map_or_else(|| date.to_string(), |m| format!("{m} {year}")),
        [year, m, day] => month(m).map_or_else(|| date.to_string(), |m| format!("{m} {}, {year}", day.trim_start_matches('0'))),
        _ => date.to_string(),
    }
}

/// A label inside a sentence: "The idea of a multipolar world order" → "the idea of …"; a
/// label that begins with an abbreviation ("U.S. …") is left as it is.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first.to_lowercase().chain(label.chars().skip(1)).collect(),
        _ => label.to_string(),
    }
}

fn events(entries: &[Entry], seed: u64, out: &mut Vec<Generated>) {
    let mut evs: Vec<(&Entry, &str, &str)> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            // A label that carries a year ("… for 2021-2025") would give the order away (`craft`).
            Fact::Event { date, what } if what.chars().count() <= LABEL && craft::years_in(what).is_empty() => Some((e, date.as_str(), what.as_str())),
            _ => None,
        })
        .collect();
    // "Which came first?": each event against the nearest in time it can be told apart from
    // and has not yet been paired with, at most `MAX_FIRST_MONTHS` apart (events years apart,
    // like Xi taking office and the invasion of Ukraine, are ordered from general knowledge).
    let mut asked: Vec<(usize, usize)> = Vec::new();
    for (i, (e, date, what)) in evs.iter().enumerate() {
        let rng = &mut rng_for(seed, &e.id);
        let partners = (0..evs.len()).filter(|&j| {
            j != i
                && comparable(date, evs[j].1)
                && evs[j].2 != *what
                && months_apart(date, evs[j].1) <= MAX_FIRST_MONTHS
                && !asked.contains(&(i.min(j), i.max(j)))
        });
        let Some(j) = partners.min_by_key(|&j| (months_apart(date, evs[j].1), fnv1a(format!("{seed}|{}|{}", e.id, evs[j].0.id).as_bytes()))) else { continue };
        asked.push((i.min(j), i.max(j)));
        let (o, odate, owhat) = evs[j];
        let (first, later) = if *date < odate { ((*what, *date), (owhat, odate)) } else { ((owhat, odate), (*what, *date)) };
        let (choices, correct) = shuffle_in(first.0.to_string(), vec![later.0.to_string()], rng);
        out.push(Generated {
            from: e.id.clone(),
            question: Question {
                id: gen_id("first", &[&e.id, &o.id]),
                origin: Origin::Generated,
                topics: vec![e.topic.clone()],
                difficulty: 1,
                prompt: "According to the paper, which of these came first?".into(),
                answer: Answer::Single { choices, correct },
                explanation: format!("According to the paper: {} ({}). Later: {} ({}).", first.0, format_date(first.1), later.0, format_date(later.1)),
                citations: dedup([e.citations.first(), o.citations.first()]),
            },
        });
    }
    // Timelines: groups of four events, all dates told apart, earliest first.
    shuffle(&mut evs, &mut rng_for(seed, "timelines"));
    let mut pool = evs;
    while pool.len() >= 4 {
        let mut group: Vec<(&Entry, &str, &str)> = Vec::new();
        let mut rest = Vec::new();
        for ev in pool {
            if group.len() < 4 && group.iter().all(|g| comparable(g.1, ev.1) && g.2 != ev.2) {
                group.push(ev);
            } else {
                rest.push(ev);
            }
        }
        pool = rest;
        if group.len() < 4 {
            break;
        }
        group.sort_by(|a, b| a.1.cmp(b.1));
        let ids: Vec<&str> = group.iter().map(|g| g.0.id.as_str()).collect();
        out.push(Generated {
            from: group[0].0.id.clone(),
            question: Question {
                id: gen_id("timeline", &ids),
                origin: Origin::Generated,
                topics: dedup_owned(group.iter().map(|g| g.0.topic.clone())),
                difficulty: 2,
                prompt: "According to the paper, put these events in order, earliest first.".into(),
                answer: Answer::Ordering { items: group.iter().map(|g| g.2.to_string()).collect() },
                explanation: format!(
                    "According to the paper: {}.",
                    group.iter().map(|g| format!("{} ({})", g.2, format_date(g.1))).collect::<Vec<_>>().join(". Then: ")
                ),
                citations: dedup(group.iter().map(|g| g.0.citations.first())),
            },
        });
    }
}

/// What an "odd one out" item asks for: the one that is NOT a factor (an obstacle among
/// factors) or NOT an obstacle (a factor among obstacles).
#[derive(Clone, Copy, PartialEq)]
enum Odd {
    Obstacle,
    Factor,
}

/// The section in which the paper presents the factors of convergence.
const FACTORS_SECTION: &str = "s5";

/// "Which of these is NOT a factor (an obstacle) that the paper names?": one entry of the one
/// kind among three of the other. Only entries the paper presents as such stand on either side:
/// factors that section 5 presents, obstacles that section 8 (its list of obstacles and
/// limitations) presents, so that an explanation calling them so says no more than the paper.
/// Of the triples of others, in a stable order, the first the craft rules pass is asked (an
/// option far longer than its siblings would single itself out).
fn odd_one_out(entries: &[Entry], quotes: &HashMap<&str, &Passage>, odd: Odd, seed: u64, out: &mut Vec<Generated>) {
    let presented = |factors: bool, section: &str| -> Vec<(&Entry, &str, &str)> {
        named(entries, factors)
            .into_iter()
            .filter(|(e, _, _)| presented_in(e).iter().any(|c| quotes.get(c.as_str()).is_some_and(|p| p.section == section)))
            .collect()
    };
    let factors = presented(true, FACTORS_SECTION);
    let obstacles = presented(false, OBSTACLES_SECTION);
    let (keys, others) = if odd == Odd::Obstacle { (&obstacles, &factors) } else { (&factors, &obstacles) };
    if others.len() < 3 {
        return;
    }
    for (e, name, summary) in keys {
        let mut picks: Vec<&(&Entry, &str, &str)> = others.iter().filter(|f| !same_label(f.1, name)).collect();
        picks.sort_by_key(|p| fnv1a(format!("{seed}|{}|{}", e.id, p.0.id).as_bytes()));
        let n = picks.len();
        let triples = (0..n).flat_map(|i| (i + 1..n).flat_map(move |j| (j + 1..n).map(move |k| [i, j, k])));
        let asked = triples.map(|t| odd_question(e, name, summary, &t.map(|i| picks[i]), odd, seed)).find(|q| craft::one(q).is_empty());
        if let Some(question) = asked {
            out.push(Generated { from: e.id.clone(), question });
        }
    }
}

/// The "odd one out" item for entry `e` among `picks`.
fn odd_question(e: &Entry, name: &str, summary: &str, picks: &[&(&Entry, &str, &str); 3], odd: Odd, seed: u64) -> Question {
    let rng = &mut rng_for(seed, &e.id);
    let (choices, correct) = shuffle_in(name.to_string(), picks.iter().map(|p| p.1.to_string()).collect(), rng);
    // The passages that present it as what it is first, then (for an obstacle) those its summary
    // also rests on, then one of each other choice. A factor's passages are many and long (the
    // hypothesis, the conclusion): a factor is cited, and explained, by the passages of section 5
    // that present it, and each obstacle by the first that presents it in section 8, so that
    // `/source` shows them all within one message.
    let mut citations = presented_in(e).to_vec();
    match odd {
        Odd::Obstacle => {
            citations.extend(e.citations.iter().cloned());
            citations.extend(dedup(picks.iter().map(|p| p.0.citations.first())));
        }
        Odd::Factor => citations.extend(dedup(picks.iter().map(|p| presented_in(p.0).first()))),
    }
    let (id, prompt, explanation) = match odd {
        Odd::Obstacle => (
            gen_id("not-factor", &[&e.id]),
            "Which of these is NOT a factor of convergence that the paper names?",
            format!(
                "According to the paper, {} is not a factor of convergence: section 8 presents it as an obstacle or limitation. {summary} The other three are factors the paper names.",
                in_sentence(name)
            ),
        ),
        Odd::Factor => (
            gen_id("not-obstacle", &[&e.id]),
            "Which of these is NOT an obstacle or limitation that the paper names?",
            format!(
                "According to the paper, {} is not an obstacle or limitation: section 5 presents it as a factor of convergence. The other three are obstacles or limitations that section 8 names.",
                in_sentence(name)
            ),
        ),
    };
    Question {
        id,
        origin: Origin::Generated,
        topics: vec![e.topic.clone()],
        difficulty: 1,
        prompt: prompt.into(),
        answer: Answer::Single { choices, correct },
        explanation,
        citations: dedup_owned(citations),
    }
}

/// "When did this happen?" for an event whose date no written item on its paragraphs shows
/// in its prompt or key: its date among three other events' dates of the same precision, at
/// least one earlier and one later, so that neither the earliest nor the latest option is
/// always the key. An event whose description carries a year is not asked.
fn dates(entries: &[Entry], shown: &[Shown], paragraphs: impl Fn(&Entry) -> BTreeSet<String>, seed: u64, out: &mut Vec<Generated>) {
    let evs: Vec<(&Entry, &str, &str)> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Event { date, what } => Some((e, date.as_str(), what.as_str())),
            _ => None,
        })
        .collect();
    for (e, date, what) in &evs {
        let here = paragraphs(e);
        if !craft::years_in(what).is_empty() || shown.iter().any(|s| s.shows(&here, |text| gives_date(text, date))) {
            continue;
        }
        let label = format_date(date);
        // Other dates of the same precision, nearest first, each date once.
        let mut others: Vec<(&str, String, &str)> = Vec::new();
        let mut near: Vec<&(&Entry, &str, &str)> = evs.iter().filter(|o| o.1.len() == date.len() && format_date(o.1) != label).collect();
        near.sort_by_key(|o| (days_apart(date, o.1), fnv1a(format!("{seed}|{}|{}", e.id, o.0.id).as_bytes())));
        for o in near {
            if !others.iter().any(|(_, l, _)| *l == format_date(o.1)) {
                others.push((o.1, format_date(o.1), o.2));
            }
        }
        let before = others.iter().find(|o| o.0 < *date);
        let after = others.iter().find(|o| o.0 > *date);
        let (Some(before), Some(after)) = (before, after) else { continue };
        let Some(third) = others.iter().find(|o| o.1 != before.1 && o.1 != after.1) else { continue };
        let picks = [before, after, third];
        let id = gen_id("date", &[&e.id]);
        let rest = picks.iter().map(|(_, l, w)| format!("{l} ({})", w.trim_end_matches('.'))).collect::<Vec<_>>().join("; ");
        let (choices, correct) = shuffle_in(label.clone(), picks.iter().map(|p| p.1.clone()).collect(), &mut rng_for(seed, &id));
        out.push(single(
            e,
            id,
            2,
            format!("According to the paper, when did this happen?\n\n> {what}"),
            (choices, correct),
            format!(
                "According to the paper, this happened {} {label}. The other dates are those of other events it gives: {rest}.",
                if date.len() == 10 { "on" } else { "in" }
            ),
            e.citations.clone(),
        ));
    }
}

/// Whether a text gives a date: its year and, for a full date, its day, written as numbers.
fn gives_date(text: &str, date: &str) -> bool {
    let numbers = craft::numbers_in(text);
    let has = |part: Option<&str>| part.and_then(|p| p.parse::<f64>().ok()).is_none_or(|v| numbers.contains(&v));
    let parts: Vec<&str> = date.split('-').collect();
    has(parts.first().copied()) && has(parts.get(2).copied())
}

/// How far apart two dates are, in days (months counted as 31 days; a missing day as the 1st).
fn days_apart(a: &str, b: &str) -> u32 {
    let day = |d: &str| -> u32 { d.get(8..10).and_then(|x| x.parse().ok()).unwrap_or(1) };
    let (early, late) = if a <= b { (a, b) } else { (b, a) };
    (months_apart(a, b) * 31 + day(late)).saturating_sub(day(early))
}

/// "Which source does this describe?" for each actor the paper cites whose name no written
/// item on its paragraphs shows in its prompt or key, and whose role does not name it: the
/// name among three other actors' of the same form (all dated or none), whose names share no
/// word with it or with each other (two entries for one author, "Rumer (2024)" and "Eugene
/// Rumer (2024)", are one answer).
fn sources(entries: &[Entry], shown: &[Shown], paragraphs: impl Fn(&Entry) -> BTreeSet<String>, seed: u64, out: &mut Vec<Generated>) {
    let actors: Vec<(&Entry, &str, &str)> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Actor { name, role } if name.chars().count() <= LABEL => Some((e, name.as_str(), role.as_str())),
            _ => None,
        })
        .collect();
    // A name's words, its year aside: "Rumer (2024)" → {rumer}.
    let names = |name: &str| -> BTreeSet<String> { stems(name).into_iter().filter(|w| !w.chars().all(|c| c.is_ascii_digit())).collect() };
    // Choices of one form: all with a year ("Rumer (2024)") or none ("Robert Jervis").
    let dated = |name: &str| !craft::years_in(name).is_empty();
    for (e, name, role) in &actors {
        let own = names(name);
        let here = paragraphs(e);
        if !stems(role).is_disjoint(&own) || shown.iter().any(|s| s.shows(&here, |text| !stems(text).is_disjoint(&own))) {
            continue;
        }
        let id = gen_id("source", &[&e.id]);
        let mut candidates: Vec<&(&Entry, &str, &str)> = actors.iter().filter(|o| o.0.id != e.id && dated(o.1) == dated(name)).collect();
        candidates.sort_by_key(|o| fnv1a(format!("{seed}|{id}|{}", o.0.id).as_bytes()));
        let mut taken = own.clone();
        let mut picks: Vec<&str> = Vec::new();
        for o in candidates {
            let theirs = names(o.1);
            if picks.len() < 3 && taken.is_disjoint(&theirs) {
                taken.extend(theirs);
                picks.push(o.1);
            }
        }
        if picks.len() < 3 {
            continue;
        }
        let rest = picks.join("; ");
        let (choices, correct) = shuffle_in(name.to_string(), picks.into_iter().map(str::to_string).collect(), &mut rng_for(seed, &id));
        out.push(single(
            e,
            id,
            2,
            format!("According to the paper, which source does this describe?\n\n> {role}"),
            (choices, correct),
            format!("According to the paper, this describes {name}: {role} The other choices ({rest}) are sources the paper cites for other points."),
            e.citations.clone(),
        ));
    }
}

fn dedup<'a>(ids: impl IntoIterator<Item = Option<&'a String>>) -> Vec<String> {
    dedup_owned(ids.into_iter().flatten().cloned())
}

fn dedup_owned(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Two labels a student could not tell apart (case and spacing aside).
fn same_label(a: &str, b: &str) -> bool {
    a.split_whitespace().map(str::to_lowercase).eq(b.split_whitespace().map(str::to_lowercase))
}

/// `gen-KIND-HASH`: short, stable across runs, different for different sources.
pub(super) fn gen_id(kind: &str, parts: &[&str]) -> String {
    format!("gen-{kind}-{:010x}", fnv1a(parts.join("|").as_bytes()) & 0xff_ffff_ffff)
}

/// Keeps the `n` labels that hash lowest for this item: removing a label that was not kept
/// changes nothing, unlike a shuffle of the whole list.
fn stable_pick<S: AsRef<str>>(labels: &mut Vec<S>, seed: u64, item: &str, n: usize) {
    labels.sort_by_key(|l| fnv1a(format!("{seed}|{item}|{}", l.as_ref()).as_bytes()));
    labels.truncate(n);
}

/// Each item draws from its own generator, so editing one entry leaves the others' items as they were.
fn rng_for(seed: u64, key: &str) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ fnv1a(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_like_the_paper() {
        assert_eq!(format_value(244.8, "US$ billion"), "244.8 US$ billion");
        assert_eq!(format_value(400.0, "US$ billion"), "400 US$ billion");
        assert_eq!(format_value(100000000.0, "tons"), "100,000,000 tons");
        assert_eq!(format_value(1.9, "percent"), "1.9 percent");
    }

    fn labels(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// The factors and obstacles of the bank, as choice labels.
    const FACTORS: [&str; 4] =
        ["Complementary economies", "Geopolitical complementarity", "The idea of a multipolar world order", "Personal relationship between Xi and Putin"];
    const OBSTACLES: [&str; 4] = [
        "Selective compliance with sanctions; supply-chain costs",
        "No formal alliance or defence treaty",
        "Historical distrust",
        "Competition in Central Asia",
    ];

    #[test]
    fn a_passage_that_shares_the_key_s_distinctive_words_is_not_shown() {
        // The three the review found, from the paper: no sentence of each can be shown.
        let economies = "First, they have complementary economies. In general, China's economy is in need of raw materials, particularly energy, while Russia, as one of the largest holders of these resources, holds significant importance for China.";
        assert_eq!(unrevealing(economies, FACTORS[0], &labels(&FACTORS)), None);
        let selective = "However, despite this rhetorical support, China has not provided substantial military aid to Russia and has selectively adhered to Western sanctions against it.";
        assert_eq!(unrevealing(selective, OBSTACLES[0], &labels(&OBSTACLES)), None);
        let treaty = "Although China and Russia have strengthened their ties and increased military collaboration after the Ukraine crisis, they have not formalized a defense treaty. Despite leaders from both nations describing their relationship as having \"no limits,\" there exists no formal alliance; instead, their partnership is characterized by pragmatic mutual benefit.";
        assert_eq!(unrevealing(treaty, OBSTACLES[1], &labels(&OBSTACLES)), None);
    }

    #[test]
    fn a_passage_that_gives_nothing_away_is_shown_whole() {
        let europe = "There is a notable parallel between China's role in the Asia-Pacific and Russia's role in Europe. Although over 70% of Russia's territory lies in Asia, Europe remains its most vital arena, as the greatest threats to the Russian state have historically originated from there.";
        assert_eq!(unrevealing(europe, FACTORS[1], &labels(&FACTORS)), Some(europe));
    }

    #[test]
    fn a_later_sentence_is_shown_only_when_it_stands_on_its_own() {
        let ideology = "In addition to their personal rapport, there are ideological similarities between the political elites of both countries. Both Russian and Chinese leaders perceive liberal democracy as a threat to their political stability and societal order. This shared perspective fosters mutual understanding and cooperation.";
        let key = "Ideological similarity of the two elites";
        let choices = labels(&[key, FACTORS[0], FACTORS[1], FACTORS[3]]);
        assert_eq!(
            unrevealing(ideology, key, &choices),
            Some(
                "Both Russian and Chinese leaders perceive liberal democracy as a threat to their political stability and societal order. This shared perspective fosters mutual understanding and cooperation."
            )
        );
        // "While it engages…": who "it" is was in the sentence left out.
        let revisionist = "China can be characterized as a \"revisionist power\" that is intricately integrated into the current international order. While it engages deeply with international institutions, its objective is to instigate changes within the existing institutional framework rather than to overthrow it entirely.";
        assert_eq!(unrevealing(revisionist, "Reform versus revolution in moving to a new order", &labels(&OBSTACLES)), None);
        // Too short to say what it is about.
        let theaters = "China and Russia's preoccupation with their respective geopolitical priorities in Asia and Europe makes for a perfect match—they reinforce rather than get in each other's way in their pursuit of their objectives. In both theaters, their primary adversary is the United States";
        assert_eq!(unrevealing(theaters, FACTORS[1], &labels(&FACTORS)), None);
    }

    #[test]
    fn words_every_choice_shares_give_nothing_away() {
        let choices = labels(&["Trade in Asia", "Competition in Central Asia", "Security in Asia", "Energy in Asia"]);
        assert_eq!(distinctive("Competition in Central Asia", &choices), ["centra", "compet"].iter().map(|s| s.to_string()).collect());
        let quote = "Russia and China both look to Asia for markets, pipelines and partners in the years after the war began in Ukraine.";
        assert_eq!(unrevealing(quote, "Competition in Central Asia", &choices), Some(quote));
    }

    #[test]
    fn dates_read_as_the_paper_writes_them() {
        assert_eq!(format_date("1991"), "1991");
        assert_eq!(format_date("2021-11"), "November 2021");
        assert_eq!(format_date("2022-02-04"), "February 4, 2022");
    }

    #[test]
    fn labels_read_inside_a_sentence() {
        assert_eq!(in_sentence("The idea of a multipolar world order"), "the idea of a multipolar world order");
        assert_eq!(in_sentence("U.S. pressure"), "U.S. pressure");
    }

    #[test]
    fn dates_are_compared_only_when_they_can_be() {
        assert!(comparable("1993", "1996"));
        assert!(!comparable("2022", "2022-02-04"));
        assert!(comparable("2022-02-04", "2022-02-28"));
        assert!(comparable("2022-02", "2022-06-16"));
        assert!(!comparable("2022-02", "2022-02-04"));
    }
}
