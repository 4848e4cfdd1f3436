//! Quiz sessions as state machines: an instructor's live round and a student's practice.
//!
//! Invariant: every answer is accepted at most once per user and question, only
//! while its question is open (before its deadline and before the reveal), and only
//! one question is open at a time; every other move is a typed [`SessionError`],
//! never a panic. The whole state can be written out as a record and rebuilt from
//! it ([`LiveRound::resume`], [`Practice::resume`]), because after a restart the
//! store is the only source of truth.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::Question;
use crate::ids::Millis;
pub use crate::ids::UserId;
use crate::quiz::judge::{Response, judge};
use crate::scoring::{Rules, ScoreDelta, Streak, Verdict, score};

/// A move the session does not allow now. The message can be shown to whoever tried it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SessionError {
    #[error("No question is open yet.")]
    NotOpen,
    #[error("This question is closed: answers are no longer accepted. Wait for the next question.")]
    Closed,
    #[error("You have already answered this question.")]
    AlreadyAnswered,
    #[error("This question is already closed.")]
    AlreadyClosed,
    #[error("Question {number} is still open: reveal it or wait until its time runs out.")]
    StillOpen { number: usize },
    #[error("Answer this question before moving on.")]
    NotAnswered,
    #[error("That was the last question: the round is over.")]
    NoMoreQuestions,
    #[error("This session is over.")]
    Finished,
    #[error("That is not the current question (the current one is {expected}, not {got}).")]
    WrongQuestion { expected: String, got: String },
}

/// A session that cannot be built from the data given: a bug or a damaged row.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error("a session needs at least one question")]
    NoQuestions,
    #[error("question {0} appears twice in one session")]
    Repeated(String),
    #[error("a live question must stay open for a positive time, not {0} ms")]
    OpenTime(Millis),
    #[error("question index {index} is out of range for {len} questions")]
    Index { index: usize, len: usize },
}

/// What one accepted answer came to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Which question of the session (0-based).
    pub index: usize,
    pub verdict: Verdict,
    /// From the question opening to the answer, never negative.
    pub elapsed_ms: Millis,
    pub score: ScoreDelta,
}

fn check_questions(questions: &[String]) -> Result<(), RecordError> {
    if questions.is_empty() {
        return Err(RecordError::NoQuestions);
    }
    let mut seen = HashSet::new();
    match questions.iter().find(|id| !seen.insert(id.as_str())) {
        Some(id) => Err(RecordError::Repeated(id.clone())),
        None => Ok(()),
    }
}

fn same_question(expected: &str, q: &Question) -> Result<(), SessionError> {
    if q.id == expected { Ok(()) } else { Err(SessionError::WrongQuestion { expected: expected.to_owned(), got: q.id.clone() }) }
}

// ───────────────────────────── live round ─────────────────────────────

/// An instructor's round for a whole channel: questions open one at a time, many
/// users answer each (once), and each closes at its deadline or when revealed.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveRound {
    questions: Vec<String>,
    /// How long each question stays open.
    open_ms: Millis,
    /// The question opened last; `None` before the first.
    current: Option<CurrentQuestion>,
    finished: bool,
    /// Each user's run of right answers, so the scoring streak survives between questions.
    streaks: HashMap<UserId, Streak>,
}

/// The question a live round opened last, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentQuestion {
    pub index: usize,
    pub opened_at: Millis,
    /// Users who answered it; each may answer once.
    pub answered: HashSet<UserId>,
    /// Whether the instructor revealed the answer (which closes it).
    pub revealed: bool,
}

/// Every user's streak in one round, rebuilt from the answers a store holds: `(user,
/// question index, exactly right)`, in any order. The rule is [`Streak`]'s.
pub fn streaks_from_answers(answers: impl IntoIterator<Item = (UserId, usize, bool)>) -> HashMap<UserId, Streak> {
    let mut rows: Vec<_> = answers.into_iter().collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut streaks: HashMap<UserId, Streak> = HashMap::new();
    for (user, index, right) in rows {
        let before = streaks.get(&user).copied().unwrap_or_default();
        streaks.insert(user, before.after(index, right));
    }
    streaks
}

/// Everything a store must keep to rebuild a [`LiveRound`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveRoundRecord {
    pub questions: Vec<String>,
    pub open_ms: Millis,
    pub current: Option<CurrentQuestion>,
    pub finished: bool,
    /// See [`streaks_from_answers`] to rebuild these from answer rows.
    pub streaks: HashMap<UserId, Streak>,
}

/// Where a live round stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No question opened yet.
    Ready,
    Open {
        index: usize,
        deadline: Millis,
    },
    /// The question at `index` takes no more answers; the next may be opened.
    Closed {
        index: usize,
        revealed: bool,
    },
    Finished,
}

impl LiveRound {
    /// A round over `questions` (ids, in the order they will be asked), each open for `open_ms`.
    pub fn new(questions: Vec<String>, open_ms: Millis) -> Result<LiveRound, RecordError> {
        LiveRound::resume(LiveRoundRecord { questions, open_ms, current: None, finished: false, streaks: HashMap::new() })
    }

    /// Rebuilds a round from what the store kept.
    pub fn resume(record: LiveRoundRecord) -> Result<LiveRound, RecordError> {
        check_questions(&record.questions)?;
        if record.open_ms <= 0 {
            return Err(RecordError::OpenTime(record.open_ms));
        }
        if let Some(c) = &record.current
            && c.index >= record.questions.len()
        {
            return Err(RecordError::Index { index: c.index, len: record.questions.len() });
        }
        let LiveRoundRecord { questions, open_ms, current, finished, streaks } = record;
        Ok(LiveRound { questions, open_ms, current, finished, streaks })
    }

    /// The round as the store should keep it.
    pub fn record(&self) -> LiveRoundRecord {
        LiveRoundRecord {
            questions: self.questions.clone(),
            open_ms: self.open_ms,
            current: self.current.clone(),
            finished: self.finished,
            streaks: self.streaks.clone(),
        }
    }

    pub fn questions(&self) -> &[String] {
        &self.questions
    }

    pub fn open_ms(&self) -> Millis {
        self.open_ms
    }

    /// The question opened last, open or not.
    pub fn current(&self) -> Option<&CurrentQuestion> {
        self.current.as_ref()
    }

    /// The id of the question opened last.
    pub fn current_id(&self) -> Option<&str> {
        self.current.as_ref().map(|c| self.questions[c.index].as_str())
    }

    pub fn phase(&self, now: Millis) -> Phase {
        match &self.current {
            _ if self.finished => Phase::Finished,
            None => Phase::Ready,
            Some(c) if c.revealed || now >= c.opened_at.saturating_add(self.open_ms) => Phase::Closed { index: c.index, revealed: c.revealed },
            Some(c) => Phase::Open { index: c.index, deadline: c.opened_at.saturating_add(self.open_ms) },
        }
    }

    /// Opens the next question (the first, at the start) and returns its index.
    pub fn open_next(&mut self, now: Millis) -> Result<usize, SessionError> {
        let next = match self.phase(now) {
            Phase::Finished => return Err(SessionError::Finished),
            Phase::Open { index, .. } => return Err(SessionError::StillOpen { number: index + 1 }),
            Phase::Ready => 0,
            Phase::Closed { index, .. } => index + 1,
        };
        if next >= self.questions.len() {
            return Err(SessionError::NoMoreQuestions);
        }
        self.current = Some(CurrentQuestion { index: next, opened_at: now, answered: HashSet::new(), revealed: false });
        Ok(next)
    }

    /// Judges and scores `user`'s answer to the open question `q` (the caller looks it up by
    /// [`LiveRound::current_id`]) without accepting it: the caller commits the answer first
    /// and then calls [`LiveRound::accept`], so a failed commit never leaves a student
    /// marked as having answered.
    pub fn check_answer(&self, user: &UserId, q: &Question, response: &Response, now: Millis, rules: &Rules) -> Result<Outcome, SessionError> {
        let (index, opened_at) = match self.phase(now) {
            Phase::Finished => return Err(SessionError::Finished),
            Phase::Ready => return Err(SessionError::NotOpen),
            Phase::Closed { .. } => return Err(SessionError::Closed),
            Phase::Open { index, deadline } => (index, deadline - self.open_ms),
        };
        same_question(&self.questions[index], q)?;
        if self.current.as_ref().is_some_and(|c| c.answered.contains(user)) {
            return Err(SessionError::AlreadyAnswered);
        }
        let verdict = judge(q, response);
        let elapsed_ms = now.saturating_sub(opened_at).max(0);
        let streak_before = self.streaks.get(user).copied().unwrap_or_default().before(index);
        let score = score(rules, q.difficulty, verdict, elapsed_ms, self.open_ms, streak_before, true);
        Ok(Outcome { index, verdict, elapsed_ms, score })
    }

    /// Marks `user` as having answered the question of `outcome` (from
    /// [`LiveRound::check_answer`]), once the answer is stored. Idempotent.
    pub fn accept(&mut self, user: &UserId, outcome: &Outcome) {
        if let Some(c) = self.current.as_mut().filter(|c| c.index == outcome.index)
            && c.answered.insert(user.clone())
        {
            let before = self.streaks.get(user).copied().unwrap_or_default();
            self.streaks.insert(user.clone(), before.after(outcome.index, outcome.verdict.correct));
        }
    }

    /// Judges, scores and accepts `user`'s answer in one step (for callers that keep no
    /// store, such as tests).
    pub fn answer(&mut self, user: &UserId, q: &Question, response: &Response, now: Millis, rules: &Rules) -> Result<Outcome, SessionError> {
        let outcome = self.check_answer(user, q, response, now, rules)?;
        self.accept(user, &outcome);
        Ok(outcome)
    }

    /// The instructor reveals the open question's answer, closing it; returns its index.
    pub fn reveal(&mut self, now: Millis) -> Result<usize, SessionError> {
        match self.phase(now) {
            Phase::Finished => Err(SessionError::Finished),
            Phase::Ready => Err(SessionError::NotOpen),
            Phase::Closed { .. } => Err(SessionError::AlreadyClosed),
            Phase::Open { index, .. } => {
                if let Some(c) = self.current.as_mut() {
                    c.revealed = true;
                }
                Ok(index)
            }
        }
    }

    /// Ends the round, after its last question or early; not while a question is open.
    pub fn finish(&mut self, now: Millis) -> Result<(), SessionError> {
        match self.phase(now) {
            Phase::Finished => Err(SessionError::Finished),
            Phase::Open { index, .. } => Err(SessionError::StillOpen { number: index + 1 }),
            Phase::Ready | Phase::Closed { .. } => {
                self.finished = true;
                Ok(())
            }
        }
    }
}

// ───────────────────────────── practice ─────────────────────────────

/// One student, self-paced: each question is answered once, then the next opens.
#[derive(Debug, Clone, PartialEq)]
pub struct Practice {
    record: PracticeRecord,
}

/// Everything a store must keep to rebuild a [`Practice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeRecord {
    pub questions: Vec<String>,
    /// The current question.
    pub index: usize,
    pub opened_at: Millis,
    /// Whether the current question has been answered.
    pub answered: bool,
    pub finished: bool,
    /// The run of right answers so far (see [`Streak`]).
    pub streak: Streak,
    pub summary: Summary,
}

/// How a practice session went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub answered: u32,
    /// Exactly right answers.
    pub correct: u32,
    pub points: i64,
}

/// What follows a practice question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The question at this index is now open.
    Question(usize),
    /// That was the last one.
    Finished(Summary),
}

impl Practice {
    /// Starts a practice over `questions`, with the first one open at `now`.
    pub fn new(questions: Vec<String>, now: Millis) -> Result<Practice, RecordError> {
        Practice::resume(PracticeRecord {
            questions,
            index: 0,
            opened_at: now,
            answered: false,
            finished: false,
            streak: Streak::default(),
            summary: Summary::default(),
        })
    }

    /// Rebuilds a practice from what the store kept.
    pub fn resume(record: PracticeRecord) -> Result<Practice, RecordError> {
        check_questions(&record.questions)?;
        if record.index >= record.questions.len() {
            return Err(RecordError::Index { index: record.index, len: record.questions.len() });
        }
        Ok(Practice { record })
    }

    /// The practice as the store should keep it.
    pub fn record(&self) -> &PracticeRecord {
        &self.record
    }

    pub fn questions(&self) -> &[String] {
        &self.record.questions
    }

    /// The current question's index and id; `None` once finished.
    pub fn current(&self) -> Option<(usize, &str)> {
        let r = &self.record;
        (!r.finished).then(|| (r.index, r.questions[r.index].as_str()))
    }

    pub fn summary(&self) -> Summary {
        self.record.summary
    }

    pub fn is_finished(&self) -> bool {
        self.record.finished
    }

    /// Judges and scores the answer to the current question `q` (no speed bonus in practice).
    pub fn answer(&mut self, q: &Question, response: &Response, now: Millis, rules: &Rules) -> Result<Outcome, SessionError> {
        let r = &mut self.record;
        if r.finished {
            return Err(SessionError::Finished);
        }
        same_question(&r.questions[r.index], q)?;
        if r.answered {
            return Err(SessionError::AlreadyAnswered);
        }
        let verdict = judge(q, response);
        let elapsed_ms = now.saturating_sub(r.opened_at).max(0);
        let score = score(rules, q.difficulty, verdict, elapsed_ms, 0, r.streak.before(r.index), false);
        r.answered = true;
        r.streak = r.streak.after(r.index, verdict.correct);
        r.summary.answered += 1;
        r.summary.correct += u32::from(verdict.correct);
        r.summary.points += score.points;
        Ok(Outcome { index: r.index, verdict, elapsed_ms, score })
    }

    /// Moves on once the current question is answered.
    pub fn next(&mut self, now: Millis) -> Result<Next, SessionError> {
        let r = &mut self.record;
        if r.finished {
            return Err(SessionError::Finished);
        }
        if !r.answered {
            return Err(SessionError::NotAnswered);
        }
        if r.index + 1 == r.questions.len() {
            r.finished = true;
            return Ok(Next::Finished(r.summary));
        }
        r.index += 1;
        r.opened_at = now;
        r.answered = false;
        Ok(Next::Question(r.index))
    }

    /// Stops early (or at the end); the summary counts what was answered.
    pub fn finish(&mut self) -> Result<Summary, SessionError> {
        if std::mem::replace(&mut self.record.finished, true) {
            return Err(SessionError::Finished);
        }
        Ok(self.record.summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Answer, Origin};

    fn tf(id: &str, difficulty: u8, correct: bool) -> Question {
        Question {
            id: id.into(),
            origin: Origin::Written,
            topics: vec!["t".into()],
            difficulty,
            prompt: "True or false?".into(),
            answer: Answer::TrueFalse { correct },
            explanation: String::new(),
            citations: vec!["p".into()],
        }
    }

    fn u(n: u32) -> UserId {
        UserId::new(n.to_string())
    }

    const T: Millis = 20_000;
    const START: Millis = 1_700_000_000_000;
    const YES: Response = Response::Bool(true);
    const NO: Response = Response::Bool(false);

    fn round() -> (LiveRound, Vec<Question>) {
        let qs = vec![tf("q1", 1, true), tf("q2", 2, true), tf("q3", 3, false)];
        (LiveRound::new(qs.iter().map(|q| q.id.clone()).collect(), T).unwrap(), qs)
    }

    #[test]
    fn a_live_round_from_start_to_finish() {
        let rules = Rules::default();
        let (mut r, qs) = round();
        assert_eq!(r.phase(START), Phase::Ready);
        assert_eq!(r.answer(&u(1), &qs[0], &YES, START, &rules), Err(SessionError::NotOpen));
        assert_eq!(r.reveal(START), Err(SessionError::NotOpen));

        assert_eq!(r.open_next(START), Ok(0));
        assert_eq!(r.current_id(), Some("q1"));
        assert_eq!(r.open_next(START + 1), Err(SessionError::StillOpen { number: 1 }));
        assert_eq!(r.finish(START + 1), Err(SessionError::StillOpen { number: 1 }));
        let o = r.answer(&u(1), &qs[0], &YES, START + 5_000, &rules).unwrap();
        assert_eq!((o.index, o.verdict.correct, o.elapsed_ms), (0, true, 5_000));
        // 10 base + 50 % speed bonus × 3/4 of the time left = 13.75 → 14.
        assert_eq!(o.score.points, 14);
        assert_eq!(r.answer(&u(1), &qs[0], &NO, START + 6_000, &rules), Err(SessionError::AlreadyAnswered));
        let o = r.answer(&u(2), &qs[0], &NO, START + 6_000, &rules).unwrap();
        assert_eq!((o.verdict.correct, o.score.points), (false, 0));
        assert_eq!(r.answer(&u(3), &qs[1], &YES, START + 6_000, &rules), Err(SessionError::WrongQuestion { expected: "q1".into(), got: "q2".into() }));
        assert_eq!(r.reveal(START + 7_000), Ok(0));
        assert_eq!(r.reveal(START + 7_001), Err(SessionError::AlreadyClosed));
        assert_eq!(r.answer(&u(3), &qs[0], &YES, START + 7_002, &rules), Err(SessionError::Closed));

        assert_eq!(r.open_next(START + 10_000), Ok(1));
        let o = r.answer(&u(1), &qs[1], &YES, START + 10_000 + T - 1, &rules).unwrap();
        assert_eq!(o.score.streak_bonus, 2, "second right answer in a row: +10 % of 20");
        // The deadline closes the question without a reveal.
        assert_eq!(r.answer(&u(2), &qs[1], &YES, START + 10_000 + T, &rules), Err(SessionError::Closed));
        assert_eq!(r.reveal(START + 10_000 + T), Err(SessionError::AlreadyClosed));
        assert_eq!(r.phase(START + 10_000 + T), Phase::Closed { index: 1, revealed: false });

        assert_eq!(r.open_next(START + 40_000), Ok(2));
        r.reveal(START + 41_000).unwrap();
        assert_eq!(r.open_next(START + 42_000), Err(SessionError::NoMoreQuestions));
        assert_eq!(r.finish(START + 42_000), Ok(()));
        assert_eq!(r.phase(START + 42_000), Phase::Finished);
        assert_eq!(r.open_next(START + 43_000), Err(SessionError::Finished));
        assert_eq!(r.answer(&u(1), &qs[2], &NO, START + 43_000, &rules), Err(SessionError::Finished));
        assert_eq!(r.reveal(START + 43_000), Err(SessionError::Finished));
        assert_eq!(r.finish(START + 43_000), Err(SessionError::Finished));
    }

    #[test]
    fn a_skipped_question_breaks_the_streak() {
        let rules = Rules { speed_bonus: false, ..Rules::default() };
        let (mut r, qs) = round();
        r.open_next(START).unwrap();
        r.answer(&u(7), &qs[0], &YES, START, &rules).unwrap();
        r.reveal(START).unwrap();
        r.open_next(START).unwrap();
        r.reveal(START).unwrap(); // user 7 did not answer q2
        r.open_next(START).unwrap();
        let o = r.answer(&u(7), &qs[2], &NO, START, &rules).unwrap();
        assert_eq!((o.score.points, o.score.streak_bonus, o.score.streak_after), (30, 0, 1));
    }

    #[test]
    fn a_live_round_resumes_from_its_record() {
        let rules = Rules::default();
        let (mut r, qs) = round();
        r.open_next(START).unwrap();
        r.answer(&u(1), &qs[0], &YES, START + 1, &rules).unwrap();
        r.reveal(START + 2).unwrap();
        r.open_next(START + 3).unwrap();
        r.answer(&u(1), &qs[1], &YES, START + 4, &rules).unwrap();

        // Through JSON, as a store might keep it.
        let json = serde_json::to_string(&r.record()).unwrap();
        let mut back = LiveRound::resume(serde_json::from_str(&json).unwrap()).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.answer(&u(1), &qs[1], &YES, START + 5, &rules), Err(SessionError::AlreadyAnswered));
        assert!(back.answer(&u(2), &qs[1], &YES, START + 5, &rules).is_ok());
        back.reveal(START + 6).unwrap();
        back.open_next(START + 7).unwrap();
        let o = back.answer(&u(1), &qs[2], &NO, START + 7, &rules).unwrap();
        assert_eq!(o.score.streak_bonus, 6, "third in a row, kept across the restart: +20 % of 30");

        // The streaks a store rebuilds from its answer rows are the ones the round kept.
        let rows = [(u(1), 0, true), (u(1), 1, true), (u(2), 1, true), (u(1), 2, true)];
        assert_eq!(streaks_from_answers(rows), back.record().streaks);
    }

    #[test]
    fn damaged_records_are_refused() {
        assert_eq!(LiveRound::new(vec![], T), Err(RecordError::NoQuestions));
        assert_eq!(LiveRound::new(vec!["a".into(), "a".into()], T), Err(RecordError::Repeated("a".into())));
        assert_eq!(LiveRound::new(vec!["a".into()], 0), Err(RecordError::OpenTime(0)));
        let mut rec = round().0.record();
        rec.current = Some(CurrentQuestion { index: 3, opened_at: START, answered: HashSet::new(), revealed: false });
        assert_eq!(LiveRound::resume(rec), Err(RecordError::Index { index: 3, len: 3 }));
        let mut rec = Practice::new(vec!["a".into()], START).unwrap().record().clone();
        rec.index = 1;
        assert_eq!(Practice::resume(rec), Err(RecordError::Index { index: 1, len: 1 }));
    }

    #[test]
    fn a_practice_session_from_start_to_summary() {
        let rules = Rules::default();
        let qs = [tf("q1", 1, true), tf("q2", 2, true), tf("q3", 3, false)];
        let mut p = Practice::new(qs.iter().map(|q| q.id.clone()).collect(), START).unwrap();
        assert_eq!(p.next(START), Err(SessionError::NotAnswered));
        let o = p.answer(&qs[0], &YES, START + 60_000, &rules).unwrap();
        assert_eq!((o.elapsed_ms, o.score.points), (60_000, 10), "no speed bonus in practice");
        assert_eq!(p.answer(&qs[0], &NO, START, &rules), Err(SessionError::AlreadyAnswered));
        assert_eq!(p.next(START + 61_000), Ok(Next::Question(1)));
        assert!(matches!(p.answer(&qs[2], &YES, START, &rules), Err(SessionError::WrongQuestion { .. })));
        assert_eq!(p.answer(&qs[1], &YES, START + 62_000, &rules).unwrap().score.points, 22);

        // A restart between questions.
        let mut p = Practice::resume(serde_json::from_str(&serde_json::to_string(p.record()).unwrap()).unwrap()).unwrap();
        assert_eq!(p.next(START + 63_000), Ok(Next::Question(2)));
        assert_eq!(p.current(), Some((2, "q3")));
        assert_eq!(p.answer(&qs[2], &YES, START + 64_000, &rules).unwrap().score, ScoreDelta::default());
        let summary = Summary { answered: 3, correct: 2, points: 32 };
        assert_eq!(p.next(START + 65_000), Ok(Next::Finished(summary)));
        assert_eq!(p.current(), None);
        assert_eq!(p.next(START + 66_000), Err(SessionError::Finished));
        assert_eq!(p.answer(&qs[2], &NO, START, &rules), Err(SessionError::Finished));
        assert_eq!(p.finish(), Err(SessionError::Finished));
    }

    #[test]
    fn practice_can_stop_early() {
        let q = tf("q1", 1, true);
        let mut p = Practice::new(vec!["q1".into(), "q2".into()], START).unwrap();
        p.answer(&q, &NO, START, &Rules::default()).unwrap();
        assert_eq!(p.finish(), Ok(Summary { answered: 1, correct: 0, points: 0 }));
        assert!(p.is_finished());
    }
}
