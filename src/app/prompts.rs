//! Argument prompts: a student draws a prompt with its suggested passages and answers it in
//! writing; the answer waits in the server's queue until an instructor marks it on the
//! prompt's rubric and writes feedback, which the student then receives privately.
//!
//! Invariants:
//! * an answer is committed to the queue before the student is told it was received, and
//!   each student answers each prompt once;
//! * only an instructor reads the queue or reviews, and an answer is reviewed once; its
//!   points reach the scores in the same transaction as the review;
//! * text follows Discord's limit on a modal input (4,000 characters), counted after
//!   cleaning; citations the bank does not have are kept and marked.

use crate::app::view::{self, PromptFeedbackView, PromptSubmitted, PromptView, QueuedAnswerView, ReviewQueueView};
use crate::app::{App, AppResult, Member, Privilege, UserError, clean_text, clean_typed};
use crate::bank::{Bank, Prompt, PromptKind};
use crate::debate::Cited;
use crate::ids::{ChannelId, GuildId, Millis, SubmissionId, UserId};
use crate::quiz::select::{PromptHistory, TopicRecord, pick_prompt};
use crate::store::{NewPromptAnswer, PromptAnswer, PromptReview, StoreError};

/// The longest answer, in characters (Discord's limit on a modal input).
pub const SUBMISSION_CHARS: usize = 4000;
/// Most passages one answer may cite.
const MAX_CITATIONS: usize = 10;

/// What a student asks for: a prompt on a topic, of a kind, or any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PromptRequest {
    pub topic: Option<String>,
    pub kind: Option<PromptKind>,
    /// Fixes the draw; a fresh one when `None`.
    pub seed: Option<u64>,
    /// Where the student asks: a prompt just handed to someone else there goes to them only
    /// when no other fits.
    pub channel: Option<ChannelId>,
}

/// How long a prompt handed out in a channel is kept from the others there.
pub const CHANNEL_WINDOW: Millis = 30 * 60 * 1000;

impl App {
    /// A prompt for `student` matching the request, among those they have not answered: one
    /// they have not had yet, where there is one, and not one just handed to someone else in
    /// their channel, weak topics first ([`pick_prompt`]). The draw is recorded, one draw at a
    /// time in this process, so two students asking at once in one channel get different
    /// prompts where the bank has enough.
    pub async fn prompt_draw(&self, guild: &GuildId, student: &Member, request: &PromptRequest) -> AppResult<PromptView> {
        let bank = self.bank();
        let topic = request.topic.as_deref().map(|t| App::resolve_topic(&bank, t)).transpose()?;
        let matching: Vec<&Prompt> =
            bank.prompts.iter().filter(|p| topic.as_ref().is_none_or(|t| p.topics.contains(t)) && request.kind.is_none_or(|k| p.kind == k)).collect();
        if matching.is_empty() {
            return Err(UserError::NoPrompts.into());
        }
        let answered: Vec<String> = self.store.prompt_answers_of(guild, &student.id).await?.into_iter().map(|a| a.prompt_id).collect();
        let open: Vec<&Prompt> = matching.into_iter().filter(|p| !answered.contains(&p.id)).collect();
        if open.is_empty() {
            return Err(UserError::AllPromptsAnswered.into());
        }
        let seed = request.seed.unwrap_or_else(|| self.fresh_seed(student.id.as_str()));
        let totals = self.store.user_totals(guild.as_str(), student.id.as_str(), &super::item_topics(&bank)).await?;
        let topics =
            totals.mastery.iter().map(|(t, tally)| (t.clone(), TopicRecord { answered: tally.answered as u32, correct: tally.correct as u32 })).collect();
        let channel = request.channel.as_ref().map_or("", |c| c.as_str());
        let _turn = self.prompt_turn.lock().await;
        let now = self.now();
        let had = self.store.prompt_draws_of(guild, &student.id).await?.into_iter().collect();
        let taken_here = match request.channel {
            Some(_) => self.store.prompts_drawn_in(guild, channel, now - CHANNEL_WINDOW).await?.into_iter().collect(),
            None => Default::default(),
        };
        let history = PromptHistory { had, taken_here, topics };
        let Some(prompt) = pick_prompt(&open, &history, seed) else { return Err(UserError::AllPromptsAnswered.into()) };
        self.store.upsert_user(guild.as_str(), student.id.as_str(), &student.name).await?;
        self.store.record_prompt_draw(guild, &student.id, &prompt.id, channel, now).await?;
        Ok(prompt_view(&bank, prompt))
    }

    /// The prompt with this id (for a face that shows it again, e.g. with its answer form).
    pub fn prompt_show(&self, prompt_id: &str) -> AppResult<PromptView> {
        let bank = self.bank();
        let prompt = bank.prompts.iter().find(|p| p.id == prompt_id).ok_or_else(|| UserError::NoSuchPrompt(prompt_id.to_owned()))?;
        Ok(prompt_view(&bank, prompt))
    }

    /// A student's answer to a prompt, queued for review once committed.
    pub async fn prompt_submit(&self, guild: &GuildId, student: &Member, prompt_id: &str, text: &str, citations: &[String]) -> AppResult<PromptSubmitted> {
        let bank = self.bank();
        if !bank.prompts.iter().any(|p| p.id == prompt_id) {
            return Err(UserError::NoSuchPrompt(prompt_id.to_owned()).into());
        }
        let body = clean_text(text);
        if body.is_empty() {
            return Err(UserError::EmptyAnswer.into());
        }
        let got = body.chars().count();
        if got > SUBMISSION_CHARS {
            return Err(UserError::AnswerTooLong { max: SUBMISSION_CHARS, got }.into());
        }
        let mut cited: Vec<Cited> = Vec::new();
        for id in citations.iter().map(|c| clean_typed(c)).map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()) {
            if !cited.iter().any(|c| c.passage_id == id) {
                cited.push(Cited { in_bank: bank.passage(&id).is_some(), passage_id: id });
            }
        }
        if cited.len() > MAX_CITATIONS {
            return Err(UserError::TooManyCitations(MAX_CITATIONS).into());
        }
        self.store.upsert_user(guild.as_str(), student.id.as_str(), &student.name).await?;
        let now = self.now();
        let seed = self.fresh_seed(student.id.as_str());
        let answer_id = SubmissionId::new(format!("a{now:x}{:04x}", seed & 0xffff));
        let new = NewPromptAnswer {
            guild_id: guild.clone(),
            answer_id: answer_id.clone(),
            user_id: student.id.clone(),
            prompt_id: prompt_id.to_owned(),
            body,
            citations: cited,
            submitted_at: now,
        };
        match self.store.submit_prompt_answer(&new).await {
            Err(StoreError::PromptAnswered { .. }) => return Err(UserError::PromptAnswered.into()),
            other => other?,
        }
        let (waiting, _) = self.store.prompt_queue(guild, 0).await?;
        Ok(PromptSubmitted {
            answer_id,
            prompt_id: prompt_id.to_owned(),
            citations: new.citations.iter().map(|c| view::cited_view(&bank, &c.passage_id)).collect(),
            waiting,
        })
    }

    /// The review queue: how many answers wait, and the oldest `limit` of them.
    pub async fn prompt_queue(&self, guild: &GuildId, instructor: &Member, limit: usize) -> AppResult<ReviewQueueView> {
        let settings = self.require_instructor(guild, instructor, Privilege::MarkAnswers).await?;
        let bank = self.bank();
        let (waiting, answers) = self.store.prompt_queue(guild, limit).await?;
        let answers = answers
            .into_iter()
            .map(|a| {
                let prompt = bank.prompts.iter().find(|p| p.id == a.prompt_id);
                QueuedAnswerView {
                    citations: a.citations.iter().map(|c| view::cited_view(&bank, &c.passage_id)).collect(),
                    task: prompt.map_or_else(|| format!("(prompt {} is no longer in the bank)", a.prompt_id), |p| p.task.clone()),
                    rubric: prompt.map_or_else(Vec::new, |p| p.rubric.clone()),
                    top_mark: settings.prompts.top_mark,
                    answer_id: a.answer_id,
                    user_id: a.user_id,
                    name: a.display_name,
                    prompt_id: a.prompt_id,
                    body: a.body,
                    submitted_at: a.submitted_at,
                }
            })
            .collect();
        Ok(ReviewQueueView { waiting, answers })
    }

    /// What an instructor needs to mark an answer: the server's top mark.
    pub async fn prompt_mark_form(&self, guild: &GuildId, instructor: &Member) -> AppResult<u8> {
        Ok(self.require_instructor(guild, instructor, Privilege::MarkAnswers).await?.prompts.top_mark)
    }

    /// The instructor marks an answer, one mark per line of the prompt's rubric (0 to the
    /// server's top mark), and writes feedback; the points go to the student's scores.
    /// Returns the feedback as the student is to receive it, privately.
    pub async fn prompt_review(
        &self,
        guild: &GuildId,
        instructor: &Member,
        answer_id: &SubmissionId,
        marks: &[u8],
        feedback: &str,
    ) -> AppResult<PromptFeedbackView> {
        let settings = self.require_instructor(guild, instructor, Privilege::MarkAnswers).await?;
        let bank = self.bank();
        let answer = self.store.prompt_answer(guild, answer_id).await?.ok_or(UserError::NoSuchSubmission)?;
        if answer.review.is_some() {
            return Err(UserError::AlreadyReviewed.into());
        }
        let prompt = bank.prompts.iter().find(|p| p.id == answer.prompt_id).ok_or_else(|| UserError::NoSuchPrompt(answer.prompt_id.clone()))?;
        let top = settings.prompts.top_mark;
        if marks.len() != prompt.rubric.len() {
            return Err(UserError::BadMarks(format!(
                "The rubric of this prompt has {} lines: give one mark for each, not {}.",
                prompt.rubric.len(),
                marks.len()
            ))
            .into());
        }
        if let Some(&bad) = marks.iter().find(|&&m| m > top) {
            return Err(UserError::BadMarks(format!("Marks run from 0 to {top}, not {bad}.")).into());
        }
        let feedback = clean_text(feedback);
        let got = feedback.chars().count();
        if got > SUBMISSION_CHARS {
            return Err(UserError::BadMarks(format!("The feedback is {got} characters long; the most is {SUBMISSION_CHARS}.")).into());
        }
        let score: u32 = marks.iter().map(|&m| u32::from(m)).sum();
        let review = PromptReview {
            marks: prompt.rubric.iter().cloned().zip(marks.iter().copied()).collect(),
            score,
            max_score: prompt.rubric.len() as u32 * u32::from(top),
            points: i64::from(score) * i64::from(settings.prompts.points_per_mark),
            feedback,
            reviewed_by: instructor.id.clone(),
            reviewed_at: self.now(),
        };
        match self.store.review_prompt_answer(guild, answer_id, &review).await {
            Err(StoreError::NotWaiting { .. }) => return Err(UserError::AlreadyReviewed.into()),
            other => other?,
        }
        let reviewed = PromptAnswer { review: Some(review), ..answer };
        Ok(feedback_view(&bank, &reviewed, top))
    }

    /// A review as a form types it: the marks as text (`2 3 1`), then as [`App::prompt_review`].
    pub async fn prompt_review_typed(
        &self,
        guild: &GuildId,
        instructor: &Member,
        answer_id: &SubmissionId,
        marks: &str,
        feedback: &str,
    ) -> AppResult<PromptFeedbackView> {
        let marks = super::forms::marks(marks)?;
        self.prompt_review(guild, instructor, answer_id, &marks, feedback).await
    }

    /// A student's reviewed answers, newest first, with their marks and feedback.
    pub async fn prompt_feedback(&self, guild: &GuildId, student: &UserId) -> AppResult<Vec<PromptFeedbackView>> {
        let top = self.settings(guild).await?.prompts.top_mark;
        let bank = self.bank();
        Ok(self.store.prompt_answers_of(guild, student).await?.iter().filter(|a| a.review.is_some()).map(|a| feedback_view(&bank, a, top)).collect())
    }

    /// The feedback `/feedback` shows a student: every review not yet delivered to them, or,
    /// when all were, the latest again. A face marks each new one delivered
    /// ([`App::prompt_delivered`]) once it has sent it.
    pub async fn prompt_feedback_due(&self, guild: &GuildId, student: &UserId) -> AppResult<Vec<PromptFeedbackView>> {
        let mut reviewed = self.prompt_feedback(guild, student).await?;
        if reviewed.iter().any(|f| !f.delivered) {
            reviewed.retain(|f| !f.delivered);
        } else {
            reviewed.truncate(1);
        }
        Ok(reviewed)
    }

    /// Feedback reviewed but not yet delivered, in the servers `owns` says yes to: what a
    /// face still owes its students (after a restart, say).
    pub async fn prompt_undelivered(&self, owns: impl Fn(&GuildId) -> bool) -> AppResult<Vec<(GuildId, PromptFeedbackView)>> {
        let bank = self.bank();
        let mut out = Vec::new();
        for (guild, answer) in self.store.undelivered_feedback().await? {
            if owns(&guild) {
                let top = self.settings(&guild).await?.prompts.top_mark;
                out.push((guild.clone(), feedback_view(&bank, &answer, top)));
            }
        }
        Ok(out)
    }

    /// Records that a face delivered the feedback on `answer_id` to its student.
    pub async fn prompt_delivered(&self, guild: &GuildId, answer_id: &SubmissionId) -> AppResult<()> {
        Ok(self.store.mark_feedback_delivered(guild, answer_id, self.now()).await?)
    }
}

fn prompt_view(bank: &Bank, p: &Prompt) -> PromptView {
    PromptView {
        prompt_id: p.id.clone(),
        kind: p.kind,
        task: p.task.clone(),
        topics: p.topics.iter().map(|t| bank.topic(t).map_or_else(|| t.clone(), |t| t.title.clone())).collect(),
        rubric: p.rubric.clone(),
        suggested: p.passages.iter().filter_map(|id| view::passage_view(bank, id)).collect(),
        max_chars: SUBMISSION_CHARS,
    }
}

fn feedback_view(bank: &Bank, a: &PromptAnswer, top_mark: u8) -> PromptFeedbackView {
    let review = a.review.clone().unwrap_or_else(|| PromptReview {
        marks: Vec::new(),
        score: 0,
        max_score: 0,
        points: 0,
        feedback: String::new(),
        reviewed_by: UserId::new(""),
        reviewed_at: 0,
    });
    // The top mark the review used: its maximum over its lines (the setting may change later).
    let top_mark = u8::try_from(review.max_score.checked_div(review.marks.len() as u32).unwrap_or(u32::from(top_mark))).unwrap_or(top_mark);
    PromptFeedbackView {
        answer_id: a.answer_id.clone(),
        user_id: a.user_id.clone(),
        name: a.display_name.clone(),
        prompt_id: a.prompt_id.clone(),
        task: bank.prompts.iter().find(|p| p.id == a.prompt_id).map_or_else(|| a.prompt_id.clone(), |p| p.task.clone()),
        marks: review.marks,
        top_mark,
        score: review.score,
        max_score: review.max_score,
        points: review.points,
        feedback: review.feedback,
        reviewed_at: review.reviewed_at,
        delivered: a.delivered_at.is_some(),
    }
}
