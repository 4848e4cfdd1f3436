//! Items generated from the knowledge entries.
//!
//! Invariant: generation is a pure function of the entries and a seed (same bank and
//! seed, same items, same ids), and every generated item cites the passages of the
//! entries it comes from, so it is checked and shown like a written one.

use std::collections::HashMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::stable::{fnv1a, shuffle};

use super::limits::MAX_LABEL;
use super::model::*;

/// A generated question and the id of the knowledge entry it comes from.
#[derive(Debug, Clone)]
pub struct Generated {
    pub from: String,
    pub question: Question,
}

pub fn generate(entries: &[Entry], passages: &[Passage], seed: u64) -> Vec<Generated> {
    let quotes: HashMap<&str, &Passage> = passages.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut out = Vec::new();
    which_entry(entries, &quotes, true, seed, &mut out);
    which_entry(entries, &quotes, false, seed, &mut out);
    figures(entries, seed, &mut out);
    events(entries, seed, &mut out);
    not_a_factor(entries, seed, &mut out);
    out
}

fn named(entries: &[Entry], factors: bool) -> Vec<(&Entry, &str, &str)> {
    entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Factor { name, summary } if factors => Some((e, name.as_str(), summary.as_str())),
            Fact::Obstacle { name, summary } if !factors => Some((e, name.as_str(), summary.as_str())),
            _ => None,
        })
        .filter(|(_, name, _)| name.chars().count() <= MAX_LABEL)
        .collect()
}

/// Puts `correct` among `others` at a random place; returns the choices and its index.
fn shuffle_in(correct: String, others: Vec<String>, rng: &mut ChaCha8Rng) -> (Vec<String>, usize) {
    let mut choices = others;
    choices.push(correct.clone());
    shuffle(&mut choices, rng);
    let at = choices.iter().position(|c| *c == correct).unwrap_or(0);
    (choices, at)
}

/// "Which factor (obstacle) does this passage describe?" for every passage that one entry alone cites.
fn which_entry(entries: &[Entry], quotes: &HashMap<&str, &Passage>, factors: bool, seed: u64, out: &mut Vec<Generated>) {
    let list = named(entries, factors);
    if list.len() < 4 {
        return;
    }
    let mut citers: HashMap<&str, usize> = HashMap::new();
    for (e, _, _) in &list {
        for c in &e.citations {
            *citers.entry(c.as_str()).or_default() += 1;
        }
    }
    let what = if factors { "factor of convergence" } else { "obstacle or limitation" };
    for (e, name, summary) in &list {
        for cite in &e.citations {
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
            out.push(Generated {
                from: e.id.clone(),
                question: Question {
                    id,
                    origin: Origin::Generated,
                    topics: vec![e.topic.clone()],
                    difficulty: 2,
                    prompt: format!("According to the paper, which {what} does this passage describe?\n\n> {}", passage.quote),
                    answer: Answer::Single { choices, correct },
                    explanation: format!("According to the paper, this passage describes {name}: {summary} The other choices ({rest}) are other {what}s the paper names, each described in other passages."),
                    citations: vec![cite.clone()],
                },
            });
        }
    }
}

/// "What was X?" with other figures of the same unit and magnitude as distractors.
fn figures(entries: &[Entry], seed: u64, out: &mut Vec<Generated>) {
    let figs: Vec<(&Entry, f64, &str, &str, &str)> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Figure { value, unit, measures, period } => Some((e, *value, unit.as_str(), measures.as_str(), period.as_str())),
            _ => None,
        })
        .collect();
    for (e, value, unit, measures, period) in &figs {
        let label = format_value(*value, unit);
        let mut others: Vec<String> = Vec::new();
        for (o, v, u, _, _) in &figs {
            let text = format_value(*v, u);
            if o.id != e.id && u == unit && same_magnitude(*v, *value) && text != label && !others.contains(&text) {
                others.push(text);
            }
        }
        if others.len() < 2 || label.chars().count() > MAX_LABEL {
            continue;
        }
        let id = gen_id("figure", &[&e.id]);
        let rng = &mut rng_for(seed, &id);
        stable_pick(&mut others, seed, &id, 3);
        let rest = others.join("; ");
        let (choices, correct) = shuffle_in(label.clone(), others, rng);
        out.push(Generated {
            from: e.id.clone(),
            question: Question {
                id,
                origin: Origin::Generated,
                topics: vec![e.topic.clone()],
                difficulty: 2,
                prompt: format!("According to the paper, what was {measures}? (Period: {period})"),
                answer: Answer::Single { choices, correct },
                explanation: format!("According to the paper, {measures} was {label} (period: {period}). The other choices ({rest}) are figures the paper gives in the same unit for other things."),
                citations: e.citations.clone(),
            },
        });
    }
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

fn events(entries: &[Entry], seed: u64, out: &mut Vec<Generated>) {
    let mut evs: Vec<(&Entry, &str, &str)> = entries
        .iter()
        .filter_map(|e| match &e.fact {
            Fact::Event { date, what } if what.chars().count() <= MAX_LABEL => Some((e, date.as_str(), what.as_str())),
            _ => None,
        })
        .collect();
    // "Which came first?": each event against another it can be told apart from.
    for (i, (e, date, what)) in evs.iter().enumerate() {
        let rng = &mut rng_for(seed, &e.id);
        let partners = (0..evs.len()).filter(|&j| j != i && comparable(date, evs[j].1) && evs[j].2 != *what);
        let Some(j) = partners.min_by_key(|&j| fnv1a(format!("{seed}|{}|{}", e.id, evs[j].0.id).as_bytes())) else { continue };
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
                explanation: format!("According to the paper, {} ({}) came before {} ({}).", first.0, first.1, later.0, later.1),
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
                explanation: format!("According to the paper: {}.", group.iter().map(|g| format!("{} ({})", g.2, g.1)).collect::<Vec<_>>().join("; then ")),
                citations: dedup(group.iter().map(|g| g.0.citations.first())),
            },
        });
    }
}

/// "Which of these is NOT a factor the paper names?": three factors and one obstacle.
fn not_a_factor(entries: &[Entry], seed: u64, out: &mut Vec<Generated>) {
    let factors = named(entries, true);
    if factors.len() < 3 {
        return;
    }
    for (e, name, summary) in named(entries, false) {
        let rng = &mut rng_for(seed, &e.id);
        let mut picks: Vec<&(&Entry, &str, &str)> = factors.iter().filter(|f| !same_label(f.1, name)).collect();
        picks.sort_by_key(|p| fnv1a(format!("{seed}|{}|{}", e.id, p.0.id).as_bytes()));
        picks.truncate(3);
        let (choices, correct) = shuffle_in(name.to_string(), picks.iter().map(|p| p.1.to_string()).collect(), rng);
        let mut citations = e.citations.clone();
        citations.extend(dedup(picks.iter().map(|p| p.0.citations.first())));
        out.push(Generated {
            from: e.id.clone(),
            question: Question {
                id: gen_id("not-factor", &[&e.id]),
                origin: Origin::Generated,
                topics: vec![e.topic.clone()],
                difficulty: 1,
                prompt: "Which of these is NOT a factor of convergence that the paper names?".into(),
                answer: Answer::Single { choices, correct },
                explanation: format!("According to the paper, {name} is an obstacle or limitation, not a factor of convergence: {summary} The other three are factors the paper names."),
                citations: dedup_owned(citations),
            },
        });
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
fn gen_id(kind: &str, parts: &[&str]) -> String {
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

    #[test]
    fn dates_are_compared_only_when_they_can_be() {
        assert!(comparable("1993", "1996"));
        assert!(!comparable("2022", "2022-02-04"));
        assert!(comparable("2022-02-04", "2022-02-28"));
        assert!(comparable("2022-02", "2022-06-16"));
        assert!(!comparable("2022-02", "2022-02-04"));
    }
}
