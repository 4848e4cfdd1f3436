//! Answers to argument prompts in the store: submitted into a queue, reviewed once with a
//! mark per rubric line, a score and feedback, and delivered back to the student.
//!
//! Invariants:
//! * a student answers each prompt once (a unique key), and an answer is reviewed once:
//!   the review's UPDATE only touches an answer still `waiting`;
//! * the review, its marks and its award are written in one transaction, so the points in
//!   the scores are exactly those of reviewed answers;
//! * the queue is read oldest first, with the count of every answer still waiting;
//! * an answer's text and the feedback are bound through `text::typed`, so both databases
//!   store the same string.

use sqlx::any::AnyRow;
use sqlx::{Connection, Row};

use super::Store;
use super::error::{Context, Result, StoreError};
use crate::debate::Cited;
use crate::ids::{GuildId, Millis, SubmissionId, UserId};

/// Whether an answer waits for the instructor or has been reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromptStatus {
    Waiting,
    Reviewed,
}

/// A student's answer as submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPromptAnswer {
    pub guild_id: GuildId,
    pub answer_id: SubmissionId,
    pub user_id: UserId,
    pub prompt_id: String,
    pub body: String,
    pub citations: Vec<Cited>,
    pub submitted_at: Millis,
}

/// The instructor's review of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptReview {
    /// Each rubric line with its mark, in the rubric's order.
    pub marks: Vec<(String, u8)>,
    pub score: u32,
    pub max_score: u32,
    pub points: i64,
    pub feedback: String,
    pub reviewed_by: UserId,
    pub reviewed_at: Millis,
}

/// An answer as stored, with its student's name and, once reviewed, the review.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptAnswer {
    pub answer_id: SubmissionId,
    pub user_id: UserId,
    pub display_name: String,
    pub prompt_id: String,
    pub body: String,
    pub citations: Vec<Cited>,
    pub status: PromptStatus,
    pub submitted_at: Millis,
    pub review: Option<PromptReview>,
    /// When a face delivered the feedback to the student.
    pub delivered_at: Option<Millis>,
}

const SELECT_ANSWER: &str = "SELECT a.guild_id AS guild_id, a.answer_id AS answer_id, a.user_id AS user_id, u.display_name AS display_name,
    a.prompt_id AS prompt_id, a.body AS body, a.status AS status, a.submitted_at AS submitted_at, a.score AS score,
    a.max_score AS max_score, a.points AS points, a.feedback AS feedback, a.reviewed_by AS reviewed_by,
    a.reviewed_at AS reviewed_at, a.delivered_at AS delivered_at
    FROM prompt_answers a JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id";

impl Store {
    /// Queues a student's answer with its citations. A second answer by the same student
    /// to the same prompt is refused with [`StoreError::PromptAnswered`]. The user must exist.
    pub async fn submit_prompt_answer(&self, new: &NewPromptAnswer) -> Result<()> {
        let context = || format!("saving the answer of {} to prompt {} in guild {}", new.user_id, new.prompt_id, new.guild_id);
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        let inserted = sqlx::query(
            "INSERT INTO prompt_answers (guild_id, answer_id, user_id, prompt_id, body, status, submitted_at)
             VALUES ($1, $2, $3, $4, $5, 'waiting', $6) ON CONFLICT DO NOTHING",
        )
        .bind(new.guild_id.as_str())
        .bind(new.answer_id.as_str())
        .bind(new.user_id.as_str())
        .bind(new.prompt_id.as_str())
        .bind(crate::text::typed(&new.body))
        .bind(new.submitted_at)
        .execute(&mut *tx)
        .await
        .with_context(context)?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::PromptAnswered { guild_id: new.guild_id.clone(), user_id: new.user_id.clone(), prompt_id: new.prompt_id.clone() });
        }
        for (position, c) in new.citations.iter().enumerate() {
            sqlx::query("INSERT INTO prompt_citations (guild_id, answer_id, position, passage_id, in_bank) VALUES ($1, $2, $3, $4, $5)")
                .bind(new.guild_id.as_str())
                .bind(new.answer_id.as_str())
                .bind(position as i64)
                .bind(c.passage_id.as_str())
                .bind(i32::from(c.in_bank))
                .execute(&mut *tx)
                .await
                .with_context(context)?;
        }
        tx.commit().await.with_context(context)
    }

    /// One answer, with its citations and review.
    pub async fn prompt_answer(&self, guild_id: &GuildId, answer_id: &SubmissionId) -> Result<Option<PromptAnswer>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ANSWER} WHERE a.guild_id = $1 AND a.answer_id = $2")))
            .bind(guild_id.as_str())
            .bind(answer_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading prompt answer {answer_id} of guild {guild_id}"))?;
        match row {
            Some(row) => Ok(Some(self.complete(guild_id, answer_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// How many answers wait for review in this guild, and the oldest `limit` of them.
    pub async fn prompt_queue(&self, guild_id: &GuildId, limit: usize) -> Result<(u64, Vec<PromptAnswer>)> {
        let context = || format!("reading the review queue of guild {guild_id}");
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM prompt_answers WHERE guild_id = $1 AND status = 'waiting'")
            .bind(guild_id.as_str())
            .fetch_one(&self.reader)
            .await
            .with_context(context)?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_ANSWER} WHERE a.guild_id = $1 AND a.status = 'waiting' ORDER BY a.submitted_at, a.answer_id LIMIT $2"
        )))
        .bind(guild_id.as_str())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;
        let mut answers = Vec::with_capacity(rows.len());
        for row in &rows {
            answers.push(self.complete(guild_id, answer_from_row(row)?).await?);
        }
        Ok((u64::try_from(waiting).unwrap_or(0), answers))
    }

    /// Records that `user` was handed `prompt_id` in `channel` ('' outside one) at `at`: a
    /// second draw of the same prompt moves its time and channel. The user must exist.
    pub async fn record_prompt_draw(&self, guild_id: &GuildId, user_id: &UserId, prompt_id: &str, channel: &str, at: Millis) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "INSERT INTO prompt_draws (guild_id, user_id, prompt_id, channel_id, drawn_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (guild_id, user_id, prompt_id) DO UPDATE SET channel_id = excluded.channel_id, drawn_at = excluded.drawn_at",
        )
        .bind(guild_id.as_str())
        .bind(user_id.as_str())
        .bind(prompt_id)
        .bind(channel)
        .bind(at)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("recording the draw of prompt {prompt_id} by {user_id} in guild {guild_id}"))?;
        Ok(())
    }

    /// The prompts handed to one student in this guild, with when each was last drawn.
    pub async fn prompt_draws_of(&self, guild_id: &GuildId, user_id: &UserId) -> Result<Vec<(String, Millis)>> {
        let rows = sqlx::query("SELECT prompt_id, drawn_at FROM prompt_draws WHERE guild_id = $1 AND user_id = $2 ORDER BY drawn_at, prompt_id")
            .bind(guild_id.as_str())
            .bind(user_id.as_str())
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the prompts drawn by {user_id} in guild {guild_id}"))?;
        rows.iter().map(|r| Ok((r.try_get("prompt_id").map_err(corrupt)?, r.try_get("drawn_at").map_err(corrupt)?))).collect()
    }

    /// The prompts handed out in `channel` since `since`, by anyone.
    pub async fn prompts_drawn_in(&self, guild_id: &GuildId, channel: &str, since: Millis) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT prompt_id FROM prompt_draws WHERE guild_id = $1 AND channel_id = $2 AND drawn_at >= $3 ORDER BY drawn_at, prompt_id")
            .bind(guild_id.as_str())
            .bind(channel)
            .bind(since)
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the prompts drawn in channel {channel} of guild {guild_id}"))?;
        rows.iter().map(|r| r.try_get("prompt_id").map_err(corrupt)).collect()
    }

    /// Every answer of one student in this guild, newest first.
    pub async fn prompt_answers_of(&self, guild_id: &GuildId, user_id: &UserId) -> Result<Vec<PromptAnswer>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ANSWER} WHERE a.guild_id = $1 AND a.user_id = $2 ORDER BY a.submitted_at DESC, a.answer_id")))
                .bind(guild_id.as_str())
                .bind(user_id.as_str())
                .fetch_all(&self.reader)
                .await
                .with_context(|| format!("reading the prompt answers of {user_id} in guild {guild_id}"))?;
        let mut answers = Vec::with_capacity(rows.len());
        for row in &rows {
            answers.push(self.complete(guild_id, answer_from_row(row)?).await?);
        }
        Ok(answers)
    }

    /// Reviewed answers whose feedback no face has delivered yet, in every guild, oldest
    /// review first: what a restarted bot still owes its students.
    pub async fn undelivered_feedback(&self) -> Result<Vec<(GuildId, PromptAnswer)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_ANSWER} WHERE a.status = 'reviewed' AND a.delivered_at IS NULL ORDER BY a.reviewed_at, a.guild_id, a.answer_id"
        )))
        .fetch_all(&self.reader)
        .await
        .context("listing undelivered prompt feedback")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let guild = GuildId::new(row.try_get::<String, _>("guild_id").map_err(corrupt)?);
            let answer = self.complete(&guild, answer_from_row(row)?).await?;
            out.push((guild, answer));
        }
        Ok(out)
    }

    /// Records that the feedback on an answer reached its student.
    pub async fn mark_feedback_delivered(&self, guild_id: &GuildId, answer_id: &SubmissionId, at: Millis) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query("UPDATE prompt_answers SET delivered_at = $3 WHERE guild_id = $1 AND answer_id = $2 AND status = 'reviewed' AND delivered_at IS NULL")
            .bind(guild_id.as_str())
            .bind(answer_id.as_str())
            .bind(at)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("marking the feedback on {answer_id} of guild {guild_id} delivered"))?;
        Ok(())
    }

    /// Stores the review of a waiting answer, its marks and its award, in one transaction;
    /// an answer not waiting is refused with [`StoreError::NotWaiting`].
    pub async fn review_prompt_answer(&self, guild_id: &GuildId, answer_id: &SubmissionId, review: &PromptReview) -> Result<()> {
        let context = || format!("saving the review of prompt answer {answer_id} in guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        let user: Option<String> = sqlx::query_scalar(
            "UPDATE prompt_answers SET status = 'reviewed', score = $3, max_score = $4, points = $5, feedback = $6, reviewed_by = $7, reviewed_at = $8
             WHERE guild_id = $1 AND answer_id = $2 AND status = 'waiting' RETURNING user_id",
        )
        .bind(guild_id.as_str())
        .bind(answer_id.as_str())
        .bind(i64::from(review.score))
        .bind(i64::from(review.max_score))
        .bind(review.points)
        .bind(crate::text::typed(&review.feedback))
        .bind(review.reviewed_by.as_str())
        .bind(review.reviewed_at)
        .fetch_optional(&mut *tx)
        .await
        .with_context(context)?;
        let Some(user) = user else {
            return Err(StoreError::NotWaiting { guild_id: guild_id.clone(), answer_id: answer_id.clone() });
        };
        for (line, (criterion, mark)) in review.marks.iter().enumerate() {
            sqlx::query("INSERT INTO prompt_marks (guild_id, answer_id, line, criterion, mark) VALUES ($1, $2, $3, $4, $5)")
                .bind(guild_id.as_str())
                .bind(answer_id.as_str())
                .bind(line as i64)
                .bind(criterion.as_str())
                .bind(i64::from(*mark))
                .execute(&mut *tx)
                .await
                .with_context(context)?;
        }
        sqlx::query("INSERT INTO awards (guild_id, user_id, source, kind, points, awarded_at) VALUES ($1, $2, $3, 'prompt', $4, $5)")
            .bind(guild_id.as_str())
            .bind(user.as_str())
            .bind(format!("prompt:{answer_id}"))
            .bind(review.points)
            .bind(review.reviewed_at)
            .execute(&mut *tx)
            .await
            .with_context(context)?;
        tx.commit().await.with_context(context)
    }

    /// Fills in an answer's citations and, if reviewed, its marks.
    async fn complete(&self, guild_id: &GuildId, mut answer: PromptAnswer) -> Result<PromptAnswer> {
        let context = || format!("reading prompt answer {} of guild {guild_id}", answer.answer_id);
        let rows = sqlx::query("SELECT passage_id, in_bank FROM prompt_citations WHERE guild_id = $1 AND answer_id = $2 ORDER BY position")
            .bind(guild_id.as_str())
            .bind(answer.answer_id.as_str())
            .fetch_all(&self.reader)
            .await
            .with_context(context)?;
        for r in &rows {
            answer
                .citations
                .push(Cited { passage_id: r.try_get("passage_id").map_err(corrupt)?, in_bank: r.try_get::<i64, _>("in_bank").map_err(corrupt)? != 0 });
        }
        if let Some(review) = answer.review.as_mut() {
            let rows = sqlx::query("SELECT criterion, mark FROM prompt_marks WHERE guild_id = $1 AND answer_id = $2 ORDER BY line")
                .bind(guild_id.as_str())
                .bind(answer.answer_id.as_str())
                .fetch_all(&self.reader)
                .await
                .with_context(context)?;
            for r in &rows {
                let mark: i64 = r.try_get("mark").map_err(corrupt)?;
                review.marks.push((r.try_get("criterion").map_err(corrupt)?, u8::try_from(mark).map_err(|_| bad(format!("mark {mark} out of range")))?));
            }
        }
        Ok(answer)
    }
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt { table: "prompt_answers", detail: e.to_string() }
}

fn bad(detail: String) -> StoreError {
    StoreError::Corrupt { table: "prompt_answers", detail }
}

fn answer_from_row(row: &AnyRow) -> Result<PromptAnswer> {
    let status: String = row.try_get("status").map_err(corrupt)?;
    let status = match status.as_str() {
        "waiting" => PromptStatus::Waiting,
        "reviewed" => PromptStatus::Reviewed,
        other => return Err(bad(format!("unknown status {other:?}"))),
    };
    let review = match status {
        PromptStatus::Waiting => None,
        PromptStatus::Reviewed => {
            let number = |name: &str| -> Result<i64> {
                row.try_get::<Option<i64>, _>(name).map_err(corrupt)?.ok_or_else(|| bad(format!("a reviewed answer without {name}")))
            };
            Some(PromptReview {
                marks: Vec::new(),
                score: u32::try_from(number("score")?).map_err(|_| bad("score out of range".into()))?,
                max_score: u32::try_from(number("max_score")?).map_err(|_| bad("max_score out of range".into()))?,
                points: number("points")?,
                feedback: row.try_get::<Option<String>, _>("feedback").map_err(corrupt)?.unwrap_or_default(),
                reviewed_by: UserId::new(row.try_get::<Option<String>, _>("reviewed_by").map_err(corrupt)?.unwrap_or_default()),
                reviewed_at: number("reviewed_at")?,
            })
        }
    };
    Ok(PromptAnswer {
        answer_id: SubmissionId::new(row.try_get::<String, _>("answer_id").map_err(corrupt)?),
        user_id: UserId::new(row.try_get::<String, _>("user_id").map_err(corrupt)?),
        display_name: row.try_get("display_name").map_err(corrupt)?,
        prompt_id: row.try_get("prompt_id").map_err(corrupt)?,
        body: row.try_get("body").map_err(corrupt)?,
        citations: Vec::new(),
        status,
        submitted_at: row.try_get("submitted_at").map_err(corrupt)?,
        review,
        delivered_at: row.try_get("delivered_at").map_err(corrupt)?,
    })
}
