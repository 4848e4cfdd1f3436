//! Choosing questions for a session and the order their choices are shown in.
//!
//! Invariant: selection never repeats a question inside one session, and the same
//! seed always gives the same questions in the same order and the same
//! [`Presentation`]; an ordering question is never shown already in order.
//!
//! Shuffles draw from `ChaCha8Rng` through our own Fisher–Yates (not `rand`'s
//! slice helpers), because ChaCha's output stream is fixed by its specification
//! while `rand`'s sampling algorithms may change between versions: a presentation
//! recomputed from a stored seed after an upgrade still matches what was shown.

use std::collections::{HashMap, HashSet};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bank::{Answer, Kind, Prompt, Question};
use crate::ids::Millis;
use crate::stable::{fnv1a, partial_shuffle, unit};

/// Which questions a session may use. An empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filter {
    /// Topic ids; a question matches when it trains at least one of them.
    pub topics: Vec<String>,
    pub kinds: Vec<Kind>,
    /// 1 (recall) to 3 (analysis).
    pub difficulties: Vec<u8>,
}

impl Filter {
    /// The filter that lets every question through.
    pub fn any() -> Filter {
        Filter::default()
    }

    pub fn matches(&self, q: &Question) -> bool {
        (self.topics.is_empty() || q.topics.iter().any(|t| self.topics.contains(t)))
            && (self.kinds.is_empty() || self.kinds.contains(&q.kind()))
            && (self.difficulties.is_empty() || self.difficulties.contains(&q.difficulty))
    }
}

/// How a student has done on one topic so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRecord {
    pub answered: u32,
    pub correct: u32,
}

impl TopicRecord {
    /// Estimated accuracy with one imaginary right and one imaginary wrong answer
    /// added (Laplace smoothing), so an unseen topic reads as 50 %, not 0 % or 100 %.
    pub fn accuracy(self) -> f64 {
        let correct = self.correct.min(self.answered);
        (f64::from(correct) + 1.0) / (f64::from(self.answered) + 2.0)
    }
}

/// What the store knows about one student, built by the caller for practice selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Questions the student answered correctly recently; practice avoids them.
    pub recently_correct: HashSet<String>,
    /// Per topic id: answers given and how many were correct.
    pub topics: HashMap<String, TopicRecord>,
    /// Per item the student has answered: when its next review is due (FSRS, `memory`).
    pub due: HashMap<String, Millis>,
    /// The moment of the selection: an item is due when its review falls at or before it.
    pub now: Millis,
}

impl History {
    /// How much a question needs practice, in `(0, 1)`: one minus the estimated
    /// accuracy on the weakest of its topics.
    fn need(&self, q: &Question) -> f64 {
        let need = |t: &String| 1.0 - self.topics.get(t).copied().unwrap_or_default().accuracy();
        q.topics.iter().map(need).reduce(f64::max).unwrap_or(0.5)
    }
}

/// Which questions practice picks, and in what order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lean {
    /// Spaced practice: the reviews due now, most overdue first, then questions never
    /// answered, weak topics first; never a question answered before that is not yet due.
    #[default]
    Due,
    /// Only questions never answered, weak topics first.
    New,
    /// A question's chance of coming early grows with the student's error rate on
    /// its topics (a topic at 0 % is about five times likelier than one at 100 %).
    WeakTopics,
    /// Every eligible question is equally likely.
    Even,
}

/// What `/prompt` knows of one student and their channel when it hands out a prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptHistory {
    /// The prompts the student was handed before, with when each was last drawn.
    pub had: HashMap<String, Millis>,
    /// Prompts handed to anyone in the student's channel a moment ago.
    pub taken_here: HashSet<String>,
    /// Per topic id: the student's quiz answers and how many were correct.
    pub topics: HashMap<String, TopicRecord>,
}

/// The prompt to hand a student, among `open` (those they have not answered), or `None` when
/// there is none: first one they have not had yet, else the one they had longest ago; among
/// those, one nobody in their channel was just handed, where there is one; then the weakest
/// of its topics for the student (lowest estimated accuracy); ties broken by `seed`, so two
/// students with the same record get different prompts.
pub fn pick_prompt<'a>(open: &[&'a Prompt], history: &PromptHistory, seed: u64) -> Option<&'a Prompt> {
    let need = |p: &Prompt| -> u64 {
        let need = p.topics.iter().map(|t| 1.0 - history.topics.get(t).copied().unwrap_or_default().accuracy()).reduce(f64::max).unwrap_or(0.5);
        (need * 1e6) as u64
    };
    open.iter().copied().min_by_key(|p| {
        (history.had.get(&p.id).copied(), history.taken_here.contains(&p.id), std::cmp::Reverse(need(p)), fnv1a(format!("{seed}|{}", p.id).as_bytes()))
    })
}

/// Up to `n` distinct questions that pass `filter`, in a random order fixed by `seed`.
/// Fewer than `n` when fewer match: a session never repeats a question.
pub fn pick<'a>(questions: &'a [Question], filter: &Filter, n: usize, seed: u64) -> Vec<&'a Question> {
    let mut pool: Vec<&Question> = questions.iter().filter(|q| filter.matches(q)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    partial_shuffle(&mut pool, n, &mut rng);
    pool.truncate(n);
    pool
}

/// Up to `n` distinct questions for one student's practice, fixed by `seed`.
///
/// [`Lean::Due`] and [`Lean::New`] follow the student's memory (`history.due`). Otherwise
/// questions the student recently got right come only after every other eligible
/// question (so a small bank still fills the session); among the rest, `lean`
/// decides whether weak topics come first more often.
pub fn pick_practice<'a>(questions: &'a [Question], filter: &Filter, history: &History, n: usize, seed: u64, lean: Lean) -> Vec<&'a Question> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if let Lean::Due | Lean::New = lean {
        let mut due: Vec<&Question> = match lean {
            Lean::Due => questions.iter().filter(|q| filter.matches(q) && history.due.get(&q.id).is_some_and(|&at| at <= history.now)).collect(),
            _ => Vec::new(),
        };
        due.sort_by_key(|q| (history.due[&q.id], q.id.as_str()));
        let mut new: Vec<&Question> = questions.iter().filter(|q| filter.matches(q) && !history.due.contains_key(&q.id)).collect();
        weighted_order(&mut new, |q| 0.1 + history.need(q), &mut rng);
        due.extend(new);
        due.truncate(n);
        return due;
    }
    let (mut fresh, mut known): (Vec<&Question>, Vec<&Question>) =
        questions.iter().filter(|q| filter.matches(q)).partition(|q| !history.recently_correct.contains(&q.id));
    match lean {
        Lean::Even => partial_shuffle(&mut fresh, n, &mut rng),
        Lean::WeakTopics | Lean::Due | Lean::New => weighted_order(&mut fresh, |q| 0.1 + history.need(q), &mut rng),
    }
    fresh.truncate(n);
    if fresh.len() < n {
        let missing = n - fresh.len();
        partial_shuffle(&mut known, missing, &mut rng);
        fresh.extend(known.into_iter().take(missing));
    }
    fresh
}

/// The order in which one question's choices (or items) are shown.
///
/// `order()[shown] = original`: the choice shown at position `shown` (letter `A` + shown)
/// is the bank's choice `original`. Empty for true/false, numeric and short questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<usize>", into = "Vec<usize>")]
pub struct Presentation {
    order: Vec<usize>,
}

impl Presentation {
    /// The presentation that shows `n` choices in the bank's order.
    pub fn identity(n: usize) -> Presentation {
        Presentation { order: (0..n).collect() }
    }

    /// Rebuilds a stored presentation; `None` unless `order` is a permutation of `0..len`.
    pub fn from_order(order: Vec<usize>) -> Option<Presentation> {
        let mut seen = vec![false; order.len()];
        for &i in &order {
            if i >= order.len() || std::mem::replace(&mut seen[i], true) {
                return None;
            }
        }
        Some(Presentation { order })
    }

    pub fn order(&self) -> &[usize] {
        &self.order
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The bank index of the choice shown at position `shown`.
    pub fn original(&self, shown: usize) -> Option<usize> {
        self.order.get(shown).copied()
    }

    /// Where the bank's choice `original` is shown.
    pub fn shown(&self, original: usize) -> Option<usize> {
        self.order.iter().position(|&o| o == original)
    }
}

impl TryFrom<Vec<usize>> for Presentation {
    type Error = &'static str;
    fn try_from(order: Vec<usize>) -> Result<Self, Self::Error> {
        Presentation::from_order(order).ok_or("a presentation must be a permutation of 0..n")
    }
}

impl From<Presentation> for Vec<usize> {
    fn from(p: Presentation) -> Vec<usize> {
        p.order
    }
}

/// The shuffled order of `q`'s choices or items for `seed`. The question id is mixed
/// into the seed, so one seed per session gives each question its own order.
pub fn presentation(q: &Question, seed: u64) -> Presentation {
    let n = q.answer.labels().len();
    if n == 0 {
        return Presentation::default();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ fnv1a(q.id.as_bytes()));
    let mut order: Vec<usize> = (0..n).collect();
    partial_shuffle(&mut order, n, &mut rng);
    // Shown in the correct order, an ordering question answers itself: rotate it.
    if matches!(q.answer, Answer::Ordering { .. }) && n > 1 && order.iter().enumerate().all(|(i, &o)| i == o) {
        order.rotate_left(1);
    }
    Presentation { order }
}

/// Weighted random order without replacement (Efraimidis–Spirakis): each item draws
/// `u^(1/w)` and the largest keys come first, so heavier items tend to come earlier.
fn weighted_order<T>(v: &mut Vec<T>, weight: impl Fn(&T) -> f64, rng: &mut ChaCha8Rng) {
    let mut keyed: Vec<(f64, T)> = v.drain(..).map(|x| (unit(rng).powf(1.0 / weight(&x)), x)).collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    v.extend(keyed.into_iter().map(|(_, x)| x));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Origin, Scale};

    fn prompt(id: &str, topic: &str) -> Prompt {
        Prompt {
            id: id.into(),
            origin: Origin::Written,
            kind: crate::bank::PromptKind::Explain,
            task: String::new(),
            topics: vec![topic.into()],
            passages: vec![],
            rubric: vec![],
        }
    }

    #[test]
    fn a_prompt_is_picked_new_first_then_not_taken_here_then_on_a_weak_topic() {
        let list = [prompt("trade-a", "trade"), prompt("arms-a", "arms"), prompt("arms-b", "arms"), prompt("trade-b", "trade")];
        let open: Vec<&Prompt> = list.iter().collect();
        let weak_arms =
            HashMap::from([("arms".to_string(), TopicRecord { answered: 10, correct: 1 }), ("trade".to_string(), TopicRecord { answered: 10, correct: 9 })]);
        let mut history = PromptHistory { topics: weak_arms, ..Default::default() };
        for seed in 0..20 {
            assert!(pick_prompt(&open, &history, seed).unwrap().id.starts_with("arms"), "the weak topic first");
        }
        history.had = HashMap::from([("arms-a".to_string(), 5), ("arms-b".to_string(), 9)]);
        assert!(pick_prompt(&open, &history, 1).unwrap().id.starts_with("trade"), "not had yet beats a weak topic");
        history.taken_here = HashSet::from(["trade-a".to_string()]);
        assert_eq!(pick_prompt(&open, &history, 1).unwrap().id, "trade-b", "not the one just handed out here");
        history.had.extend([("trade-a".to_string(), 20), ("trade-b".to_string(), 30)]);
        assert_eq!(pick_prompt(&open, &history, 1).unwrap().id, "arms-a", "all had: the one had longest ago");
        assert!(pick_prompt(&[], &history, 1).is_none());
    }

    fn q(id: &str, topic: &str, difficulty: u8, answer: Answer) -> Question {
        Question {
            id: id.into(),
            origin: Origin::Written,
            topics: vec![topic.into()],
            difficulty,
            prompt: format!("prompt {id}"),
            answer,
            explanation: String::new(),
            citations: vec!["p".into()],
        }
    }

    fn single(id: &str, topic: &str) -> Question {
        q(id, topic, 1, Answer::Single { choices: vec!["a".into(), "b".into(), "c".into(), "d".into()], correct: 0 })
    }

    fn bank() -> Vec<Question> {
        let mut v: Vec<Question> = (0..10).map(|i| single(&format!("trade-{i}"), "trade")).collect();
        v.extend((0..10).map(|i| single(&format!("arms-{i}"), "arms")));
        v.push(q("tf", "arms", 2, Answer::TrueFalse { correct: true }));
        v.push(q("num", "trade", 3, Answer::Numeric { value: 1.0, unit: "x".into(), tolerance: 0.0, scale: Scale::One }));
        v
    }

    fn ids(qs: &[&Question]) -> Vec<String> {
        qs.iter().map(|q| q.id.clone()).collect()
    }

    #[test]
    fn pick_is_reproducible_distinct_and_filtered() {
        let b = bank();
        let a = ids(&pick(&b, &Filter::any(), 8, 42));
        assert_eq!(a, ids(&pick(&b, &Filter::any(), 8, 42)));
        assert_ne!(a, ids(&pick(&b, &Filter::any(), 8, 43)));
        let set: HashSet<_> = a.iter().collect();
        assert_eq!(set.len(), 8);

        let f = Filter { topics: vec!["arms".into()], kinds: vec![Kind::Single], difficulties: vec![] };
        let got = pick(&b, &f, 50, 1);
        assert_eq!(got.len(), 10, "only ten single questions on arms; no repeats to fill up");
        assert!(got.iter().all(|q| q.id.starts_with("arms-")));

        let f = Filter { difficulties: vec![2, 3], ..Filter::default() };
        assert_eq!(
            ids(&{
                let mut v = pick(&b, &f, 5, 9);
                v.sort_by(|x, y| x.id.cmp(&y.id));
                v
            }),
            ["num", "tf"]
        );
    }

    #[test]
    fn practice_avoids_recent_successes_until_nothing_else_is_left() {
        let b = bank();
        let history = History { recently_correct: b.iter().filter(|q| q.id.starts_with("trade-")).map(|q| q.id.clone()).collect(), ..History::default() };
        let got = pick_practice(&b, &Filter::any(), &history, 12, 7, Lean::Even);
        assert_eq!(got.len(), 12);
        assert!(got[..12].iter().all(|q| !q.id.starts_with("trade-")), "12 fresh questions exist: {:?}", ids(&got));
        let got = pick_practice(&b, &Filter::any(), &history, 15, 7, Lean::WeakTopics);
        assert_eq!(got.len(), 15);
        assert!(got[..12].iter().all(|q| !q.id.starts_with("trade-")));
        assert!(got[12..].iter().all(|q| q.id.starts_with("trade-")));
        assert_eq!(got.iter().map(|q| &q.id).collect::<HashSet<_>>().len(), 15);
    }

    #[test]
    fn practice_leans_towards_the_weakest_topic() {
        let b = bank();
        let mut history = History::default();
        history.topics.insert("trade".into(), TopicRecord { answered: 20, correct: 20 });
        history.topics.insert("arms".into(), TopicRecord { answered: 20, correct: 2 });
        let (mut weak, mut even) = (0, 0);
        for seed in 0..200 {
            let first = pick_practice(&b, &Filter::any(), &history, 1, seed, Lean::WeakTopics)[0];
            weak += usize::from(first.topics[0] == "arms");
            let first = pick_practice(&b, &Filter::any(), &history, 1, seed, Lean::Even)[0];
            even += usize::from(first.topics[0] == "arms");
        }
        assert!(weak > 150, "arms first {weak} times in 200");
        assert!((70..130).contains(&even), "arms first {even} times in 200 without leaning");
    }

    #[test]
    fn presentation_is_a_reproducible_permutation() {
        let b = bank();
        let p = presentation(&b[0], 5);
        assert_eq!(p, presentation(&b[0], 5));
        let mut sorted = p.order().to_vec();
        sorted.sort();
        assert_eq!(sorted, [0, 1, 2, 3]);
        let distinct: HashSet<Vec<usize>> = (0..50).map(|s| presentation(&b[0], s).order().to_vec()).collect();
        assert!(distinct.len() > 10, "{} distinct orders in 50 seeds", distinct.len());
        assert!(presentation(&b[20], 5).is_empty(), "true/false has nothing to shuffle");
        assert!(presentation(&b[21], 5).is_empty());
        for shown in 0..4 {
            assert_eq!(p.shown(p.original(shown).unwrap()), Some(shown));
        }
    }

    #[test]
    fn ordering_is_never_shown_in_order() {
        let two = q("two", "t", 1, Answer::Ordering { items: vec!["first".into(), "second".into()] });
        for seed in 0..100 {
            assert_eq!(presentation(&two, seed).order(), [1, 0]);
        }
    }

    #[test]
    fn stored_presentations_are_checked() {
        assert!(Presentation::from_order(vec![2, 0, 1]).is_some());
        assert!(Presentation::from_order(vec![0, 0, 1]).is_none());
        assert!(Presentation::from_order(vec![0, 3]).is_none());
        let p: Presentation = serde_json::from_str("[1,0]").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "[1,0]");
        assert!(serde_json::from_str::<Presentation>("[1,1]").is_err());
    }
}
