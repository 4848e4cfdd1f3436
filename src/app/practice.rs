//! Practice: one student, self-paced, one question at a time, leaning to weak topics.
//!
//! Invariant: each operation reads the practice back from the store (its round row, its
//! questions, its answers) and writes its one change there, so a practice goes on after a
//! restart, from another terminal, or from Discord, exactly where it was. The database keeps
//! at most one open practice per student.

use crate::app::view::{self, PracticeStarted, PracticeStep, PracticeSummary, QuestionView, Slot, VerdictView};
use crate::app::{App, AppError, AppResult, Member, UserError, item_topics};
use crate::bank::{Bank, Question};
use crate::ids::{GuildId, ItemId, RoundId, UserId};
use crate::quiz::{self, Filter, History, Lean, Next, Practice, PracticeRecord, Summary, TopicRecord};
use crate::scoring::Streak;
use crate::store::{AnswerRecord, NamedAnswer, NewRound, Recorded, Round, RoundKind, RoundProgress, RoundStatus, StoreError};

/// What a student asked to practise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeRequest {
    pub filter: Filter,
    /// How many questions (at least 1).
    pub count: usize,
    pub lean: Lean,
    /// Fixes the choice of questions and the order of choices; a fresh one when `None`.
    pub seed: Option<u64>,
}

impl App {
    /// Starts a practice for `student`, closing any other they left open (its answers still
    /// count), with the first question open now.
    pub async fn practice_start(&self, guild: &GuildId, student: &Member, request: &PracticeRequest) -> AppResult<PracticeStarted> {
        let bank = self.bank();
        let filter = App::resolve_filter(&bank, &request.filter)?;
        let history = self.history(&bank, guild, &student.id).await?;
        let seed = request.seed.unwrap_or_else(|| self.fresh_seed(student.id.as_str()));
        let picked = quiz::pick_practice(&bank.questions, &filter, &history, request.count.max(1), seed, request.lean);
        let (due_reviews, next_due, note) = spaced_note(&history, &picked, request.lean);
        if picked.is_empty() {
            return Err(match (request.lean, note) {
                (Lean::Due, Some(note)) => UserError::BadRequest(format!("{note} `/practice mode:new` brings questions you have not tried yet.")),
                (Lean::New, _) => {
                    UserError::BadRequest("You have tried every question that matches; `/practice mode:due` brings back those that are due.".into())
                }
                _ => UserError::NoQuestions,
            }
            .into());
        }
        self.store.upsert_user(guild.as_str(), student.id.as_str(), &student.name).await?;
        let now = self.now();
        let new = NewRound {
            guild_id: guild.clone(),
            round_id: App::round_id('p', now, seed ^ crate::stable::fnv1a(student.id.as_str().as_bytes())),
            kind: RoundKind::Practice,
            channel_id: None,
            started_by: student.id.clone(),
            item_ids: picked.iter().map(|q| ItemId::new(q.id.clone())).collect(),
            open_seconds: 0,
            seed,
            speed_bonus: false,
            started_at: now,
        };
        let started = self.store.create_round(&new).await?;
        let question =
            view::question_view(&bank, picked[0], Slot { round: &new.round_id, position: 0, of: picked.len(), seed, opened_at: now, deadline: None });
        Ok(PracticeStarted { question, seed, closed_other: !started.displaced.is_empty(), due_reviews, next_due, note })
    }

    /// The student's open practice and its current question, if they have one.
    pub async fn practice_current(&self, guild: &GuildId, student: &UserId) -> AppResult<Option<(QuestionView, bool)>> {
        let Some(round) = self.store.open_practice(guild, student).await? else { return Ok(None) };
        let bank = self.bank();
        let answers = self.store.round_answers(guild, &round.round_id).await?;
        let practice = rebuild(&round, &answers)?;
        let q = App::question(&bank, &round.item_ids[round.current_index])?;
        Ok(Some((current_view(&bank, q, &round), practice.record().answered)))
    }

    /// Question `number` of the student's practice while it waits for their answer (for the
    /// box a typed answer is written in); refused as an answer to it would be.
    pub async fn practice_question(&self, guild: &GuildId, student: &UserId, round_id: &RoundId, number: usize) -> AppResult<QuestionView> {
        let bank = self.bank();
        let (round, answers) = self.open_practice_round(guild, student, round_id).await?;
        let item = waiting(&round, &answers, number)?;
        Ok(current_view(&bank, App::question(&bank, &item)?, &round))
    }

    /// Judges the student's answer to the practice's current question, commits it, and
    /// returns the verdict with the explanation and the cited passages.
    pub async fn practice_answer(&self, guild: &GuildId, student: &UserId, round_id: &RoundId, number: usize, typed: &str) -> AppResult<VerdictView> {
        let bank = self.bank();
        let (round, answers) = self.open_practice_round(guild, student, round_id).await?;
        let item = &waiting(&round, &answers, number)?;
        let q = App::question(&bank, item)?;
        let shown = quiz::presentation(q, round.seed);
        let response = quiz::parse_response(q, &shown, &crate::app::clean_typed(typed))?;
        let mut practice = rebuild(&round, &answers)?;
        let settings = self.settings(guild).await?;
        let now = self.now();
        let outcome = practice.answer(q, &response, now, &settings.scoring)?;
        let review = crate::memory::Review::of(outcome.verdict, outcome.elapsed_ms, None, settings.practice.scheduler().unwrap_or_default());
        let record = AnswerRecord { review: Some(review), ..view::answer_record(guild, round_id, item, student, &response, &outcome, now) };
        // Committed first; only then is the student told the answer counted.
        match self.store.record_answer(&record).await.map_err(crate::app::live::not_saved)? {
            Recorded::Counted => {}
            Recorded::Duplicate => return Err(UserError::AlreadyAnswered.into()),
            Recorded::Closed => return Err(self.why_closed(guild, round_id).await),
        }
        Ok(VerdictView {
            question: current_view(&bank, q, &round),
            correct: outcome.verdict.correct,
            credit: outcome.verdict.credit,
            points: outcome.score.points,
            streak: outcome.score.streak_after,
            your_answer: view::your_answer(q, &shown, &response, typed),
            right_answer: view::right_answer(q, &shown),
            explanation: q.explanation.clone(),
            citations: view::citations(&bank, q),
        })
    }

    /// The passages behind question `number` of the student's practice, once they answered it
    /// (before, they would give the answer away).
    pub async fn practice_sources(&self, guild: &GuildId, student: &UserId, round_id: &RoundId, number: usize) -> AppResult<Vec<crate::app::CitationView>> {
        let bank = self.bank();
        let round = self.store.round(guild, round_id).await?.ok_or(UserError::NoSuchRound)?;
        if round.kind != RoundKind::Practice || round.started_by != *student {
            return Err(UserError::NotYourPractice.into());
        }
        let item = round.item_ids.get(number.wrapping_sub(1)).ok_or(UserError::StaleButton)?;
        let answered = self.store.round_answers(guild, round_id).await?.iter().any(|a| a.answer.item_id == *item);
        if !answered {
            return Err(UserError::BadRequest("Answer the question first; then its source is yours to read.".into()).into());
        }
        Ok(view::citations(&bank, App::question(&bank, item)?))
    }

    /// Moves on once the current question is answered: the next question, or the summary
    /// after the last one. `number` is the question the student moves on from, so a second
    /// click on the same Next changes nothing.
    pub async fn practice_next(&self, guild: &GuildId, student: &UserId, round_id: &RoundId, number: usize) -> AppResult<PracticeStep> {
        let bank = self.bank();
        let (round, answers) = self.open_practice_round(guild, student, round_id).await?;
        if round.current_index + 1 != number {
            return Err(UserError::StaleButton.into());
        }
        let mut practice = rebuild(&round, &answers)?;
        let now = self.now();
        match practice.next(now)? {
            Next::Question(index) => {
                let progress = RoundProgress { current_index: index, opened_at: Some(now), deadline: None, revealed: false };
                if let Err(e) = self.store.update_round_progress(guild, round_id, progress).await {
                    return Err(match e {
                        StoreError::RoundNotOpen { .. } => self.why_closed(guild, round_id).await,
                        e => e.into(),
                    });
                }
                let q = App::question(&bank, &round.item_ids[index])?;
                Ok(PracticeStep::Question(view::question_view(
                    &bank,
                    q,
                    Slot { round: round_id, position: index, of: round.item_ids.len(), seed: round.seed, opened_at: now, deadline: None },
                )))
            }
            Next::Finished(summary) => Ok(PracticeStep::Finished(self.close_practice(&bank, guild, student, round_id, summary).await?)),
        }
    }

    /// Ends the practice now (early, or at the end); every answer given counts.
    pub async fn practice_end(&self, guild: &GuildId, student: &UserId, round_id: &RoundId) -> AppResult<PracticeSummary> {
        let bank = self.bank();
        let (round, answers) = self.open_practice_round(guild, student, round_id).await?;
        let summary = rebuild(&round, &answers)?.summary();
        self.close_practice(&bank, guild, student, round_id, summary).await
    }

    async fn close_practice(&self, bank: &Bank, guild: &GuildId, student: &UserId, round_id: &RoundId, summary: Summary) -> AppResult<PracticeSummary> {
        match self.store.finish_round(guild, round_id, self.now()).await {
            Err(StoreError::RoundNotOpen { .. }) => return Err(self.why_closed(guild, round_id).await),
            other => other?,
        }
        let totals = self.store.user_totals(guild.as_str(), student.as_str(), &item_topics(bank)).await?;
        Ok(PracticeSummary {
            answered: summary.answered,
            correct: summary.correct,
            points: summary.points,
            total_points: totals.points,
            total_answered: totals.answered,
            total_accuracy: totals.accuracy,
        })
    }

    /// The student's open practice `round_id` with its answers, or the user error that
    /// says why it cannot be used.
    async fn open_practice_round(&self, guild: &GuildId, student: &UserId, round_id: &RoundId) -> AppResult<(Round, Vec<NamedAnswer>)> {
        let round = self.store.round(guild, round_id).await?.ok_or(UserError::NoSuchRound)?;
        if round.kind != RoundKind::Practice {
            return Err(UserError::NoSuchRound.into());
        }
        if round.started_by != *student {
            return Err(UserError::NotYourPractice.into());
        }
        match round.status {
            RoundStatus::Open => {}
            RoundStatus::Finished => return Err(UserError::PracticeOver.into()),
            RoundStatus::Abandoned => return Err(UserError::Displaced.into()),
        }
        let answers = self.store.round_answers(guild, round_id).await?;
        Ok((round, answers))
    }

    /// Why the store refused to move a practice on: another start closed it, or it ended.
    async fn why_closed(&self, guild: &GuildId, round_id: &RoundId) -> AppError {
        match self.store.round(guild, round_id).await {
            Ok(Some(r)) if r.status == RoundStatus::Abandoned => UserError::Displaced.into(),
            Ok(Some(r)) if r.status == RoundStatus::Finished => UserError::PracticeOver.into(),
            Ok(_) => UserError::QuestionClosed.into(),
            Err(e) => e.into(),
        }
    }

    /// What the store knows of this student, as the selector needs it.
    async fn history(&self, bank: &Bank, guild: &GuildId, student: &UserId) -> AppResult<History> {
        let totals = self.store.user_totals(guild.as_str(), student.as_str(), &item_topics(bank)).await?;
        let recent = self.store.recent_correct(guild.as_str(), student.as_str(), 50).await?;
        let memories = self.store.memories_of(guild, student).await?;
        Ok(History {
            due: memories.into_iter().filter(|(i, _)| bank.question(i.as_str()).is_some()).map(|(i, m)| (i.as_str().to_owned(), m.due)).collect(),
            now: self.now(),
            recently_correct: recent.into_iter().collect(),
            topics: totals
                .mastery
                .iter()
                .map(|(t, tally)| (t.clone(), TopicRecord { answered: tally.answered as u32, correct: tally.correct as u32 }))
                .collect(),
        })
    }
}

/// How many of `picked` are due reviews, when the next review not among them falls due, and
/// the sentence saying so, for a practice that asked for reviews ([`Lean::Due`]).
fn spaced_note(history: &History, picked: &[&crate::bank::Question], lean: Lean) -> (usize, Option<crate::ids::Millis>, Option<String>) {
    let is_due = |id: &str| history.due.get(id).is_some_and(|&at| at <= history.now);
    let due_reviews = picked.iter().filter(|q| is_due(&q.id)).count();
    let next_due = history.due.iter().filter(|(id, at)| **at > history.now && !picked.iter().any(|q| q.id == **id)).map(|(_, at)| *at).min();
    let note = (lean == Lean::Due).then(|| crate::app::spaced::summary(due_reviews, next_due, history.now));
    (due_reviews, next_due, note)
}

/// A practice's state from its stored round and answers.
fn rebuild(round: &Round, answers: &[NamedAnswer]) -> AppResult<Practice> {
    let position = |item: &ItemId| round.item_ids.iter().position(|i| i == item);
    let mut marks: Vec<(usize, bool)> = answers.iter().filter_map(|a| position(&a.answer.item_id).map(|p| (p, a.answer.correct))).collect();
    marks.sort_unstable();
    let streak = marks.iter().fold(Streak::default(), |s, &(p, right)| s.after(p, right));
    let current = &round.item_ids[round.current_index];
    let summary = Summary {
        answered: answers.len() as u32,
        correct: answers.iter().filter(|a| a.answer.correct).count() as u32,
        points: answers.iter().map(|a| a.answer.points).sum(),
    };
    Practice::resume(PracticeRecord {
        questions: round.item_ids.iter().map(|i| i.as_str().to_owned()).collect(),
        index: round.current_index,
        opened_at: round.opened_at.unwrap_or(round.started_at),
        answered: answers.iter().any(|a| a.answer.item_id == *current),
        finished: round.status != RoundStatus::Open,
        streak,
        summary,
    })
    .map_err(|e| AppError::caused(e, format!("practice {} cannot be rebuilt", round.round_id)))
}

/// The item of question `number` (1-based) of a practice, if it is the one waiting for an
/// answer; refused as already answered, or as closed (a question skipped or not yet open).
fn waiting(round: &Round, answers: &[NamedAnswer], number: usize) -> AppResult<ItemId> {
    let item = round.item_ids.get(number.wrapping_sub(1)).cloned().ok_or(UserError::StaleButton)?;
    if round.item_ids[round.current_index] != item {
        let answered = answers.iter().any(|a| a.answer.item_id == item);
        return Err(if answered { UserError::AlreadyAnswered } else { UserError::QuestionClosed }.into());
    }
    Ok(item)
}

/// The view of `q`, a practice's current question.
fn current_view(bank: &Bank, q: &Question, round: &Round) -> QuestionView {
    view::question_view(
        bank,
        q,
        Slot {
            round: &round.round_id,
            position: round.current_index,
            of: round.item_ids.len(),
            seed: round.seed,
            opened_at: round.opened_at.unwrap_or(round.started_at),
            deadline: None,
        },
    )
}
