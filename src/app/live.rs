//! Live rounds: an instructor's quiz in a channel, one question at a time for the whole
//! class, each open until its deadline or the instructor's reveal.
//!
//! Invariants:
//! * an answer counts only if the store accepts it: the round open, the item its current
//!   question, before the deadline and the reveal. The in-memory round is only a cache that
//!   refuses the obvious early (a second click) and is rebuilt from the store when missing;
//! * judging and accepting are two steps: the student is marked as having answered only
//!   after the store committed the answer;
//! * a reveal's tally is read from the store, so it shows exactly what was recorded.

use std::sync::{Arc, Mutex};

use crate::app::view::{self, LiveVerdict, LockedIn, PointsParts, QuestionView, RevealView, RoundEndView, Slot, TallyBar};
use crate::app::{App, AppError, AppResult, Member, Privilege, UserError};
use crate::bank::{Answer, Bank};
use crate::ids::{ChannelId, GuildId, ItemId, RoundId};
use crate::quiz::{self, CurrentQuestion, Filter, LiveRound, LiveRoundRecord, Millis, Phase, SessionError};
use crate::scoring::Rules;
use crate::store::{
    AnswerRecord, LEADERBOARD, NamedAnswer, NewRound, Post, PostKind, RankBy, Recorded, Round, RoundKind, RoundProgress, RoundStatus, StoreError,
};

/// What an instructor asked for when starting a live round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveRequest {
    pub filter: Filter,
    /// How many questions (at least 1).
    pub count: usize,
    /// Seconds each question stays open; the server's default when `None`.
    pub seconds: Option<u32>,
    /// Whether fast answers earn a bonus; the server's setting when `None`.
    pub speed_bonus: Option<bool>,
    /// Fixes the questions and the order of choices; a fresh one when `None`.
    pub seed: Option<u64>,
}

/// A live round found open at start-up, for its face to pick up again.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumedRound {
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    /// The current question, with its deadline.
    pub question: QuestionView,
    /// The message the face posted for the current question, if it got that far.
    pub message_id: Option<String>,
    pub revealed: bool,
    /// The round could not go on (its question left the bank) and was closed.
    pub closed: bool,
}

/// What a live question's message must show now ([`App::live_post_view`]).
#[derive(Debug, Clone, PartialEq)]
pub enum LivePost {
    Question(QuestionView),
    Reveal(RevealView),
    /// Nothing: the round ended, or moved on past this question.
    Gone,
}

/// A live round as this process holds it: the domain state and what it was started with.
pub(crate) struct Live {
    round: LiveRound,
    stored: Round,
    rules: Rules,
    /// The server's scheduler (desired retention) when the round was loaded.
    scheduler: crate::memory::Scheduler,
}

impl Live {
    fn channel(&self) -> Option<&ChannelId> {
        self.stored.channel_id.as_ref()
    }
}

impl App {
    /// Starts a live round in `channel` with its first question open now.
    pub async fn live_start(&self, guild: &GuildId, channel: &ChannelId, instructor: &Member, request: &LiveRequest) -> AppResult<QuestionView> {
        let settings = self.require_instructor(guild, instructor, Privilege::RunRound).await?;
        let bank = self.bank();
        let filter = App::resolve_filter(&bank, &request.filter)?;
        let seed = request.seed.unwrap_or_else(|| self.fresh_seed(channel.as_str()));
        let picked = quiz::pick(&bank.questions, &filter, request.count.max(1), seed);
        if picked.is_empty() {
            return Err(UserError::NoQuestions.into());
        }
        let seconds = request.seconds.unwrap_or(settings.default_seconds);
        if !crate::app::SECONDS.contains(&seconds) {
            return Err(UserError::BadSetting(format!(
                "seconds per question must be between {} and {}, not {seconds}",
                crate::app::SECONDS.start(),
                crate::app::SECONDS.end()
            ))
            .into());
        }
        let now = self.now();
        let new = NewRound {
            guild_id: guild.clone(),
            round_id: App::round_id('l', now, seed ^ crate::stable::fnv1a(channel.as_str().as_bytes())),
            kind: RoundKind::Live,
            channel_id: Some(channel.clone()),
            started_by: instructor.id.clone(),
            item_ids: picked.iter().map(|q| ItemId::new(q.id.clone())).collect(),
            open_seconds: seconds,
            seed,
            speed_bonus: request.speed_bonus.unwrap_or(settings.scoring.speed_bonus),
            started_at: now,
        };
        let started = match self.store.create_round(&new).await {
            Err(StoreError::ChannelBusy { .. }) => return Err(UserError::ChannelBusy.into()),
            other => other?,
        };
        let live = build(&started.round, &[], &settings)?;
        let view = question_of(&bank, &live)?;
        self.cache().insert((guild.clone(), new.round_id.clone()), Arc::new(Mutex::new(live)));
        Ok(view)
    }

    /// The live round open in `channel`, if any.
    pub async fn live_round_in(&self, guild: &GuildId, channel: &ChannelId) -> AppResult<Option<RoundId>> {
        Ok(self.store.open_live_round(guild, channel).await?.map(|r| r.round_id))
    }

    /// Question `number` of a live round while it takes answers (for the box a typed answer
    /// is written in); refused as closed once it is not.
    pub async fn live_question(&self, guild: &GuildId, round_id: &RoundId, number: usize) -> AppResult<QuestionView> {
        let state = self.live_state(guild, round_id).await?;
        let live = lock(&state);
        match live.round.phase(self.now()) {
            Phase::Open { index, .. } if index + 1 == number => question_of(&self.bank(), &live),
            _ => Err(UserError::QuestionClosed.into()),
        }
    }

    /// A student's answer to the open question: judged, committed, then acknowledged with
    /// their own pick only. The verdict waits for the reveal.
    pub async fn live_answer(
        &self,
        guild: &GuildId,
        channel: &ChannelId,
        student: &Member,
        round_id: &RoundId,
        number: usize,
        typed: &str,
    ) -> AppResult<LockedIn> {
        let state = self.live_state(guild, round_id).await?;
        let bank = self.bank();
        let now = self.now();
        // Checked and judged under the round's lock; committed without it.
        let (item, response, outcome, seed, slot, review) = {
            let live = lock(&state);
            if live.channel() != Some(channel) {
                return Err(UserError::OtherChannel.into());
            }
            let current = live.round.current().filter(|c| c.index + 1 == number).ok_or(UserError::QuestionClosed)?;
            let item = ItemId::new(live.round.questions()[current.index].clone());
            let q = App::question(&bank, &item)?;
            let shown = quiz::presentation(q, live.stored.seed);
            let response = quiz::parse_response(q, &shown, &crate::app::clean_typed(typed))?;
            let outcome = live.round.check_answer(&student.id, q, &response, now, &live.rules)?;
            let slot = (current.index, live.round.questions().len(), current.opened_at, current.opened_at + live.round.open_ms());
            let window = crate::memory::speed_window_ms(live.rules.speed_bonus, live.round.open_ms() / 1000);
            let review = crate::memory::Review::of(outcome.verdict, outcome.elapsed_ms, window, live.scheduler);
            (item, response, outcome, live.stored.seed, slot, review)
        };
        let record = AnswerRecord { review: Some(review), ..view::answer_record(guild, round_id, &item, &student.id, &response, &outcome, now) };
        match self.store.record_answer_of(&record, &student.name).await.map_err(not_saved)? {
            Recorded::Counted => lock(&state).round.accept(&student.id, &outcome),
            Recorded::Duplicate => return Err(UserError::AlreadyAnswered.into()),
            Recorded::Closed => return Err(UserError::QuestionClosed.into()),
        }
        let q = App::question(&bank, &item)?;
        let (position, of, opened_at, deadline) = slot;
        Ok(LockedIn {
            question: view::question_view(&bank, q, Slot { round: round_id, position, of, seed, opened_at, deadline: Some(deadline) }),
            your_answer: view::your_answer(q, &quiz::presentation(q, seed), &response, typed),
        })
    }

    /// Closes the open question and shows its answer: by the instructor (`by`), or by the
    /// round's timer (`None`) once the deadline has passed. A question already revealed is
    /// refused, so a timer that fires after the instructor's reveal changes nothing. The
    /// reveal of the last question closes the round, and its leaderboard is queued for the
    /// channel in the same transaction.
    pub async fn live_reveal(&self, guild: &GuildId, round_id: &RoundId, number: usize, by: Option<&Member>) -> AppResult<RevealView> {
        if let Some(member) = by {
            self.require_instructor(guild, member, Privilege::RunRound).await?;
        }
        let state = self.live_state(guild, round_id).await?;
        let now = self.now();
        let (progress, last, channel) = {
            let mut live = lock(&state);
            if live.round.current().map(|c| c.index + 1) != Some(number) {
                return Err(UserError::StaleButton.into());
            }
            if by.is_none() && matches!(live.round.phase(now), Phase::Open { .. }) {
                return Err(SessionError::StillOpen { number }.into());
            }
            (reveal_current(&mut live, now)?, number == live.round.questions().len(), live.channel().cloned())
        };
        let mut posts = Vec::new();
        if let Some(channel) = &channel {
            // The timer's reveal must reach the question's message: queued with it. The
            // instructor's shows in the update of the message they clicked.
            if by.is_none() {
                posts.push(question_post(guild, round_id, number, channel));
            }
            if last {
                posts.push(leaderboard_post(guild, round_id, channel));
            }
        }
        let saved = match (last, posts.first()) {
            (true, _) => self.store.finish_round_posting(guild, round_id, Some(progress), &posts, now).await,
            (false, Some(post)) => self.store.update_round_progress_posting(guild, round_id, progress, post, now).await,
            (false, None) => self.store.update_round_progress(guild, round_id, progress).await,
        };
        if let Err(e) = saved {
            self.forget(guild, round_id);
            return Err(e.into());
        }
        if last {
            self.forget(guild, round_id);
        }
        self.reveal_view(guild, round_id, &state, true).await
    }

    /// The timer's reveal of question `number` (1-based): `None` when there is nothing to
    /// do (the instructor revealed it already, moved on, or ended the round).
    pub async fn live_timer(&self, guild: &GuildId, round_id: &RoundId, number: usize) -> AppResult<Option<RevealView>> {
        let state = match self.live_state(guild, round_id).await {
            Err(AppError::User(_)) => return Ok(None),
            other => other?,
        };
        let due = {
            let live = lock(&state);
            matches!(live.round.phase(self.now()), Phase::Closed { index, revealed: false } if index + 1 == number)
        };
        if !due {
            return Ok(None);
        }
        match self.live_reveal(guild, round_id, number, None).await {
            Ok(view) => Ok(Some(view)),
            Err(AppError::User(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens the question after question `number` (the instructor's Next), once that one is
    /// closed. A second click on the same Next is refused, so it never skips a question.
    pub async fn live_next(&self, guild: &GuildId, round_id: &RoundId, number: usize, instructor: &Member) -> AppResult<QuestionView> {
        self.require_instructor(guild, instructor, Privilege::RunRound).await?;
        let state = self.live_state(guild, round_id).await?;
        let bank = self.bank();
        let now = self.now();
        let (view, progress) = {
            let mut live = lock(&state);
            if live.round.current().map(|c| c.index + 1) != Some(number) {
                return Err(UserError::StaleButton.into());
            }
            let channel = live.channel().cloned().ok_or(UserError::NoSuchRound)?;
            let index = live.round.open_next(now)?;
            let progress = RoundProgress { current_index: index, opened_at: Some(now), deadline: Some(now + live.round.open_ms()), revealed: false };
            (question_of(&bank, &live), (progress, question_post(guild, round_id, index + 1, &channel)))
        };
        let (progress, post) = progress;
        // The next question and its post, both or neither.
        if let Err(e) = self.store.update_round_progress_posting(guild, round_id, progress, &post, now).await {
            self.forget(guild, round_id);
            return Err(e.into());
        }
        view
    }

    /// Ends the round open in `channel` (`/quiz stop`), as [`App::live_end`] does.
    pub async fn live_stop(&self, guild: &GuildId, channel: &ChannelId, instructor: &Member) -> AppResult<RoundEndView> {
        let round = self.live_round_in(guild, channel).await?.ok_or(UserError::NoLiveRound)?;
        self.live_end(guild, &round, instructor).await
    }

    /// Ends the round (the instructor's End or `/quiz stop`) and returns the round's
    /// leaderboard. A question still open is revealed first: the answers given to it count,
    /// so the class sees its answer, why and the passage, as at any other reveal.
    pub async fn live_end(&self, guild: &GuildId, round_id: &RoundId, instructor: &Member) -> AppResult<RoundEndView> {
        self.require_instructor(guild, instructor, Privilege::RunRound).await?;
        let state = self.live_state(guild, round_id).await?;
        let now = self.now();
        let (asked, progress) = {
            let mut live = lock(&state);
            let progress = match live.round.current() {
                Some(c) if !c.revealed => Some(reveal_current(&mut live, now)?),
                _ => None,
            };
            (live.round.current().map_or(0, |c| c.index + 1), progress)
        };
        // Only a question this ending reveals tells its students their results.
        let revealed_now = progress.is_some();
        let finished = self.store.finish_round_posting(guild, round_id, progress, &[], now).await;
        self.forget(guild, round_id);
        match finished {
            Err(StoreError::RoundNotOpen { .. }) => return Err(UserError::RoundOver.into()),
            other => other?,
        }
        let reveal = match self.reveal_view(guild, round_id, &state, revealed_now).await {
            Ok(reveal) => Some(Box::new(RevealView { over: true, ..reveal })),
            Err(AppError::User(_)) => None,
            Err(e) => return Err(e),
        };
        self.end_view(guild, round_id, asked, reveal).await
    }

    /// The leaderboard of a live round closed by its last reveal, for the face's poster;
    /// `None` when there is no such round.
    pub async fn live_round_end(&self, guild: &GuildId, round_id: &RoundId) -> AppResult<Option<RoundEndView>> {
        let Some(round) = self.store.round(guild, round_id).await? else { return Ok(None) };
        let asked = if round.opened_at.is_some() { round.current_index + 1 } else { 0 };
        Ok(Some(self.end_view(guild, round_id, asked, None).await?))
    }

    async fn end_view(&self, guild: &GuildId, round_id: &RoundId, asked: usize, reveal: Option<Box<RevealView>>) -> AppResult<RoundEndView> {
        let last_message = self.store.round(guild, round_id).await?.and_then(|r| r.messages.get(r.current_index).cloned().flatten());
        let leaderboard = self.store.round_leaderboard(guild, round_id, RankBy::Points, 10, self.settings(guild).await?.anonymous_leaderboard).await?;
        Ok(RoundEndView { round_id: round_id.clone(), last_message, leaderboard, asked, reveal })
    }

    /// Remembers the message a face posted for question `number` (1-based) of a round.
    pub async fn live_posted(&self, guild: &GuildId, round_id: &RoundId, number: usize, message_id: &str) -> AppResult<()> {
        Ok(self.store.set_question_message(guild, round_id, number.saturating_sub(1), message_id).await?)
    }

    /// What question `number` of a live round's message must show now, for the face's
    /// poster: the question while it takes answers (or waits for its timer), its reveal once
    /// revealed, or nothing when the round ended or moved past it.
    pub async fn live_post_view(&self, guild: &GuildId, round_id: &RoundId, number: usize) -> AppResult<LivePost> {
        let state = match self.live_state(guild, round_id).await {
            Err(AppError::User(UserError::RoundOver)) => return self.closed_post_view(guild, round_id, number).await,
            Err(AppError::User(_)) => return Ok(LivePost::Gone),
            other => other?,
        };
        let (current, revealed) = {
            let live = lock(&state);
            (live.round.current().map(|c| c.index + 1), live.round.current().is_some_and(|c| c.revealed))
        };
        if current != Some(number) {
            return Ok(LivePost::Gone);
        }
        if revealed {
            return Ok(LivePost::Reveal(self.reveal_view(guild, round_id, &state, false).await?));
        }
        Ok(LivePost::Question(question_of(&self.bank(), &lock(&state))?))
    }

    /// What question `number` of a finished round's message must show: its reveal, if it
    /// was the question revealed as the round closed; nothing otherwise.
    async fn closed_post_view(&self, guild: &GuildId, round_id: &RoundId, number: usize) -> AppResult<LivePost> {
        let Some(round) = self.store.round(guild, round_id).await? else { return Ok(LivePost::Gone) };
        if round.status != RoundStatus::Finished || !round.revealed || round.current_index + 1 != number {
            return Ok(LivePost::Gone);
        }
        let answers = self.store.round_answers(guild, round_id).await?;
        let live = build(&round, &answers, &self.settings(guild).await?)?;
        let reveal = self.reveal_view(guild, round_id, &Arc::new(Mutex::new(live)), false).await?;
        Ok(LivePost::Reveal(RevealView { over: true, ..reveal }))
    }

    /// The face could not post a round's question for good: the round is closed (its
    /// answers still count), so a new one can start. False when it was not open.
    pub async fn live_post_failed(&self, guild: &GuildId, round_id: &RoundId) -> AppResult<bool> {
        let closed = match self.store.abandon_round(guild, round_id, self.now()).await {
            Err(StoreError::RoundNotOpen { .. }) => false,
            other => other.map(|()| true)?,
        };
        self.forget(guild, round_id);
        Ok(closed)
    }

    /// Every live round left open (after a restart), for which `owns` says yes: rebuilt from
    /// the store and returned for its face to pick up (re-arm the timer, keep the buttons).
    /// A round whose current question left the bank is closed and returned as such.
    pub async fn live_resume(&self, owns: impl Fn(&GuildId) -> bool) -> AppResult<Vec<ResumedRound>> {
        let bank = self.bank();
        let mut resumed = Vec::new();
        for round in self.store.open_rounds().await? {
            if round.kind != RoundKind::Live || !owns(&round.guild_id) {
                continue;
            }
            let Some(channel) = round.channel_id.clone() else { continue };
            let settings = self.settings(&round.guild_id).await?;
            let answers = self.store.round_answers(&round.guild_id, &round.round_id).await?;
            let live = build(&round, &answers, &settings)?;
            let message_id = round.messages.get(round.current_index).cloned().flatten();
            match question_of(&bank, &live) {
                Ok(question) => {
                    let revealed = round.revealed;
                    // A round opened before the outbox existed gets its current question's row.
                    let post = question_post(&round.guild_id, &round.round_id, question.number, &channel);
                    self.store.ensure_post(&post, message_id.as_deref(), self.now()).await?;
                    self.cache().insert((round.guild_id.clone(), round.round_id.clone()), Arc::new(Mutex::new(live)));
                    resumed.push(ResumedRound { guild_id: round.guild_id, channel_id: channel, question, message_id, revealed, closed: false });
                }
                Err(_) => {
                    self.store.abandon_round(&round.guild_id, &round.round_id, self.now()).await?;
                    let question = QuestionView {
                        round_id: round.round_id.clone(),
                        item_id: round.item_ids[round.current_index].clone(),
                        number: round.current_index + 1,
                        of: round.item_ids.len(),
                        topic: String::new(),
                        difficulty: 0,
                        kind: crate::bank::Kind::Single,
                        prompt: String::new(),
                        choices: Vec::new(),
                        unit: String::new(),
                        how: String::new(),
                        opened_at: round.opened_at.unwrap_or(round.started_at),
                        deadline: round.deadline,
                    };
                    resumed.push(ResumedRound { guild_id: round.guild_id, channel_id: channel, question, message_id, revealed: round.revealed, closed: true });
                }
            }
        }
        Ok(resumed)
    }

    /// The cached round, or the round rebuilt from the store; a user error when it is not
    /// an open live round of this server.
    async fn live_state(&self, guild: &GuildId, round_id: &RoundId) -> AppResult<Arc<Mutex<Live>>> {
        let key = (guild.clone(), round_id.clone());
        if let Some(state) = self.cache().get(&key) {
            return Ok(state.clone());
        }
        let round = self.store.round(guild, round_id).await?.ok_or(UserError::NoSuchRound)?;
        if round.kind != RoundKind::Live {
            return Err(UserError::NoSuchRound.into());
        }
        if round.status != RoundStatus::Open {
            return Err(UserError::RoundOver.into());
        }
        let settings = self.settings(guild).await?;
        let answers = self.store.round_answers(guild, round_id).await?;
        let live = build(&round, &answers, &settings)?;
        // Another task may have rebuilt it meanwhile: keep the first, so both share one state.
        Ok(self.cache().entry(key).or_insert_with(|| Arc::new(Mutex::new(live))).clone())
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, super::LiveCache> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops a round from the cache; the next touch rebuilds it from the store.
    fn forget(&self, guild: &GuildId, round_id: &RoundId) {
        self.cache().remove(&(guild.clone(), round_id.clone()));
    }

    /// The reveal of the current question, tallied from the store; with `verdicts`, each
    /// answering student's own result too (for the reveal itself, not for a message shown
    /// again).
    async fn reveal_view(&self, guild: &GuildId, round_id: &RoundId, state: &Arc<Mutex<Live>>, verdicts: bool) -> AppResult<RevealView> {
        let bank = self.bank();
        let (question, seed, rules, open_ms, items) = {
            let live = lock(state);
            (question_of(&bank, &live)?, live.stored.seed, live.rules.clone(), live.round.open_ms(), live.stored.item_ids.clone())
        };
        let (answers, earlier) = if verdicts {
            let all = self.store.round_answers(guild, round_id).await?;
            all.into_iter().partition(|a| a.answer.item_id == question.item_id)
        } else {
            (self.store.answers_for_round_item(guild, round_id, &question.item_id).await?, Vec::new())
        };
        let q = App::question(&bank, &question.item_id)?;
        let shown = quiz::presentation(q, seed);
        let mut right: Vec<&NamedAnswer> = answers.iter().filter(|a| a.answer.correct).collect();
        right.sort_by_key(|a| (a.answer.elapsed_ms, a.answer.answered_at));
        let verdicts = if verdicts {
            let position = |item: &ItemId| items.iter().position(|i| i == item);
            let streaks =
                quiz::streaks_from_answers(earlier.iter().filter_map(|a| position(&a.answer.item_id).map(|p| (a.answer.user_id.clone(), p, a.answer.correct))));
            let index = question.number - 1;
            answers
                .iter()
                .map(|a| {
                    let streak_before = streaks.get(&a.answer.user_id).copied().unwrap_or_default().before(index);
                    live_verdict(q, &shown, &a.answer, &rules, open_ms, streak_before)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(RevealView {
            last: question.number == question.of,
            // The last reveal closes the round.
            over: question.number == question.of,
            right_answer: view::right_answer(q, &shown),
            explanation: q.explanation.clone(),
            citations: view::citations(&bank, q),
            tally: tally(&q.answer, &shown, &answers),
            answered: answers.len() as u64,
            right: right.len() as u64,
            fastest: right.iter().take(3).map(|a| (a.display_name.clone(), a.answer.elapsed_ms)).collect(),
            question,
            verdicts,
        })
    }
}

/// A student's result from their stored answer: the points as stored, and how they were made
/// when the round's rules, scored again, give exactly those points.
fn live_verdict(q: &crate::bank::Question, shown: &quiz::Presentation, a: &AnswerRecord, rules: &Rules, open_ms: Millis, streak_before: u32) -> LiveVerdict {
    let verdict = crate::scoring::Verdict { correct: a.correct, credit: a.credit };
    let score = crate::scoring::score(rules, q.difficulty, verdict, a.elapsed_ms, open_ms, streak_before, true);
    let parts = (score.points == a.points).then_some(PointsParts {
        question: rules.base(q.difficulty),
        base: score.base,
        speed_bonus: score.speed_bonus,
        streak_bonus: score.streak_bonus,
        streak: score.streak_after,
    });
    let your_answer = match view::from_canonical(q, &a.response) {
        Some(r) => view::your_answer(q, shown, &r, &a.response),
        None => a.response.clone(),
    };
    LiveVerdict { user_id: a.user_id.clone(), correct: a.correct, credit: a.credit, points: a.points, parts, elapsed_ms: a.elapsed_ms, your_answer }
}

/// The outbox row of a live round's closing leaderboard.
fn leaderboard_post(guild: &GuildId, round_id: &RoundId, channel: &ChannelId) -> Post {
    Post { number: 0, part: LEADERBOARD.to_owned(), ..question_post(guild, round_id, 0, channel) }
}

/// The outbox row of question `number` (from 1) of a live round.
fn question_post(guild: &GuildId, round_id: &RoundId, number: usize, channel: &ChannelId) -> Post {
    Post {
        guild_id: guild.clone(),
        kind: PostKind::Question,
        subject: round_id.to_string(),
        number: number as i64,
        part: String::new(),
        channel_id: channel.clone(),
    }
}

fn lock(state: &Arc<Mutex<Live>>) -> std::sync::MutexGuard<'_, Live> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The domain round rebuilt from its stored row and answers.
fn build(round: &Round, answers: &[NamedAnswer], settings: &crate::app::Settings) -> AppResult<Live> {
    let position = |item: &ItemId| round.item_ids.iter().position(|i| i == item);
    let current_item = &round.item_ids[round.current_index];
    let current = round.opened_at.map(|opened_at| CurrentQuestion {
        index: round.current_index,
        opened_at,
        answered: answers.iter().filter(|a| a.answer.item_id == *current_item).map(|a| a.answer.user_id.clone()).collect(),
        revealed: round.revealed,
    });
    let streaks =
        quiz::streaks_from_answers(answers.iter().filter_map(|a| position(&a.answer.item_id).map(|p| (a.answer.user_id.clone(), p, a.answer.correct))));
    let record = LiveRoundRecord {
        questions: round.item_ids.iter().map(|i| i.as_str().to_owned()).collect(),
        open_ms: Millis::from(round.open_seconds) * 1000,
        current,
        finished: round.status != RoundStatus::Open,
        streaks,
    };
    let live = LiveRound::resume(record).map_err(|e| AppError::caused(e, format!("live round {} cannot be rebuilt", round.round_id)))?;
    let rules = Rules { speed_bonus: round.speed_bonus, ..settings.scoring.clone() };
    Ok(Live { round: live, stored: round.clone(), rules, scheduler: settings.practice.scheduler().unwrap_or_default() })
}

/// The view of the round's current question.
fn question_of(bank: &Bank, live: &Live) -> AppResult<QuestionView> {
    let c = live.round.current().ok_or(SessionError::NotOpen)?;
    let item = ItemId::new(live.round.questions()[c.index].clone());
    let q = App::question(bank, &item)?;
    Ok(view::question_view(
        bank,
        q,
        Slot {
            round: &live.stored.round_id,
            position: c.index,
            of: live.round.questions().len(),
            seed: live.stored.seed,
            opened_at: c.opened_at,
            deadline: Some(c.opened_at + live.round.open_ms()),
        },
    ))
}

/// Reveals the round's current question, open or closed by its deadline, and returns the
/// progress to store; refused when it is revealed already or there is none.
fn reveal_current(live: &mut Live, now: Millis) -> AppResult<RoundProgress> {
    match live.round.phase(now) {
        Phase::Open { .. } => {
            live.round.reveal(now)?;
        }
        Phase::Closed { revealed: false, .. } => mark_revealed(&mut live.round),
        Phase::Closed { revealed: true, .. } => return Err(SessionError::AlreadyClosed.into()),
        Phase::Ready => return Err(SessionError::NotOpen.into()),
        Phase::Finished => return Err(UserError::RoundOver.into()),
    }
    let c = live.round.current().ok_or(SessionError::NotOpen)?;
    Ok(RoundProgress { current_index: c.index, opened_at: Some(c.opened_at), deadline: Some(c.opened_at + live.round.open_ms()), revealed: true })
}

/// Marks a question closed by its deadline as revealed too.
fn mark_revealed(round: &mut LiveRound) {
    let mut record = round.record();
    if let Some(c) = record.current.as_mut() {
        c.revealed = true;
    }
    if let Ok(r) = LiveRound::resume(record) {
        *round = r;
    }
}

/// The spread of answers: one bar per choice in the order shown (choice kinds), True and
/// False, or right against other answers (typed kinds).
fn tally(answer: &Answer, shown: &quiz::Presentation, answers: &[NamedAnswer]) -> Vec<TallyBar> {
    let bank_letter = |o: usize| view::letter(o).to_string();
    let picked = |o: usize, multi: bool| {
        answers.iter().filter(|a| if multi { a.answer.response.split(',').any(|l| l == bank_letter(o)) } else { a.answer.response == bank_letter(o) }).count()
            as u64
    };
    match answer {
        Answer::Single { choices, correct } => shown
            .order()
            .iter()
            .enumerate()
            .map(|(i, &o)| TallyBar { label: format!("{}. {}", view::letter(i), choices[o]), count: picked(o, false), correct: o == *correct })
            .collect(),
        Answer::Multi { choices, correct } => shown
            .order()
            .iter()
            .enumerate()
            .map(|(i, &o)| TallyBar { label: format!("{}. {}", view::letter(i), choices[o]), count: picked(o, true), correct: correct.contains(&o) })
            .collect(),
        Answer::TrueFalse { correct } => [true, false]
            .iter()
            .map(|&b| TallyBar {
                label: if b { "True" } else { "False" }.into(),
                count: answers.iter().filter(|a| a.answer.response == b.to_string()).count() as u64,
                correct: b == *correct,
            })
            .collect(),
        _ => {
            let right = answers.iter().filter(|a| a.answer.correct).count() as u64;
            vec![
                TallyBar { label: "Right answer".into(), count: right, correct: true },
                TallyBar { label: "Other answers".into(), count: answers.len() as u64 - right, correct: false },
            ]
        }
    }
}

/// A store failure while recording an answer, for the student: it did not count, press
/// again (never "Locked in", never the generic apology). The cause is logged with its chain.
pub(crate) fn not_saved(e: crate::store::StoreError) -> AppError {
    let chain = AppError::from(e).chain();
    tracing::error!(error = %chain, "an answer could not be saved; the student was told to press again");
    UserError::AnswerNotSaved.into()
}
