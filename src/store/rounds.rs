//! Rounds in the store: created open with their first question open, moved on question by
//! question, then finished or abandoned.
//!
//! Invariants:
//! * only an `open` round changes; a finished or abandoned round is history, so a late
//!   timer or a second "stop" after a restart cannot rewrite it;
//! * a student has at most one open practice and a channel at most one open live round:
//!   partial unique indexes say so, and starting a practice closes the student's other one
//!   in the same transaction, so two starts at the same moment cannot both stay open;
//! * everything needed to carry a round on after `kill -9` is in its rows: the seed, the
//!   questions in order, the current question with when it opened and its deadline, and
//!   the messages a face posted for each question.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{NewRound, Round, RoundKind, RoundProgress, RoundStatus, Started};
use super::outbox::{self, Post, PostKind};
use crate::ids::{ChannelId, GuildId, ItemId, RoundId, UserId};

const SELECT_ROUND: &str = "SELECT guild_id, round_id, kind, channel_id, started_by, current_index,
    opened_at, deadline, revealed, open_seconds, seed, speed_bonus, status, started_at, ended_at
    FROM rounds";

/// How often a practice start is retried when a start of the same student's practice on
/// another connection committed first (PostgreSQL; on SQLite's one writer it cannot happen).
const START_ATTEMPTS: usize = 4;

impl Store {
    /// Stores a new open round (creating its guild if new) with its first question open at
    /// `started_at`, and returns it. A practice closes (abandons) the student's other open
    /// practice in the same transaction and names it in [`Started::displaced`]. A live round
    /// in a channel that already has one is refused with [`StoreError::ChannelBusy`].
    pub async fn create_round(&self, new: &NewRound) -> Result<Started> {
        let invalid = |reason: String| Err(StoreError::InvalidRound { round_id: new.round_id.clone(), reason });
        if new.item_ids.is_empty() {
            return invalid("a round needs at least one question".into());
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(item) = new.item_ids.iter().find(|i| !seen.insert(*i)) {
            return invalid(format!("question {item} is asked twice"));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut conn = self.writer.acquire().await?;
            match insert_round(&mut conn, new).await {
                Err(StoreError::Query { source: sqlx::Error::Database(db), .. })
                    if db.kind() == sqlx::error::ErrorKind::UniqueViolation && new.kind == RoundKind::Practice && attempt < START_ATTEMPTS =>
                {
                    continue;
                }
                Err(StoreError::Query { source: sqlx::Error::Database(db), .. })
                    if db.kind() == sqlx::error::ErrorKind::UniqueViolation && new.kind == RoundKind::Live =>
                {
                    return Err(StoreError::ChannelBusy {
                        guild_id: new.guild_id.clone(),
                        channel_id: new.channel_id.clone().unwrap_or_else(|| ChannelId::new("")),
                    });
                }
                other => return other,
            }
        }
    }

    /// The round with this id in this guild, whatever its status.
    pub async fn round(&self, guild_id: &GuildId, round_id: &RoundId) -> Result<Option<Round>> {
        let row = sqlx::query(const_format(SELECT_ROUND, "WHERE guild_id = $1 AND round_id = $2"))
            .bind(guild_id.as_str())
            .bind(round_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading round {round_id} of guild {guild_id}"))?;
        match row {
            Some(row) => Ok(Some(self.with_questions(round_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// The student's open practice in this guild, if any.
    pub async fn open_practice(&self, guild_id: &GuildId, user_id: &UserId) -> Result<Option<Round>> {
        let row = sqlx::query(const_format(SELECT_ROUND, "WHERE guild_id = $1 AND started_by = $2 AND kind = 'practice' AND status = 'open'"))
            .bind(guild_id.as_str())
            .bind(user_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading the open practice of {user_id} in guild {guild_id}"))?;
        match row {
            Some(row) => Ok(Some(self.with_questions(round_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// The live round open in this channel, if any.
    pub async fn open_live_round(&self, guild_id: &GuildId, channel_id: &ChannelId) -> Result<Option<Round>> {
        let row = sqlx::query(const_format(SELECT_ROUND, "WHERE guild_id = $1 AND channel_id = $2 AND kind = 'live' AND status = 'open'"))
            .bind(guild_id.as_str())
            .bind(channel_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading the live round of channel {channel_id} in guild {guild_id}"))?;
        match row {
            Some(row) => Ok(Some(self.with_questions(round_from_row(&row)?).await?)),
            None => Ok(None),
        }
    }

    /// Every round still open, in every guild, oldest first: after a restart the bot resumes
    /// each one or abandons it.
    pub async fn open_rounds(&self) -> Result<Vec<Round>> {
        let rows = sqlx::query(const_format(SELECT_ROUND, "WHERE status = 'open' ORDER BY started_at, guild_id, round_id"))
            .fetch_all(&self.reader)
            .await
            .context("listing open rounds")?;
        let mut rounds = Vec::with_capacity(rows.len());
        for row in &rows {
            // One damaged row must not keep every other round from resuming.
            match async { self.with_questions(round_from_row(row)?).await }.await {
                Ok(round) => rounds.push(round),
                Err(e) => tracing::warn!(error = %e, "an open round cannot be read and is left out"),
            }
        }
        Ok(rounds)
    }

    /// Saves where an open round is: which question, since when, until when, whether revealed.
    pub async fn update_round_progress(&self, guild_id: &GuildId, round_id: &RoundId, progress: RoundProgress) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let rows = save_progress(&mut conn, guild_id, round_id, &progress).await?;
        drop(conn);
        self.progress_saved(rows, guild_id, round_id, &progress).await
    }

    /// Saves where an open live round is, as [`Store::update_round_progress`], and queues
    /// `post` (the message that must show it) in the same transaction: both or neither.
    pub async fn update_round_progress_posting(&self, guild_id: &GuildId, round_id: &RoundId, progress: RoundProgress, post: &Post, now: i64) -> Result<()> {
        let context = || format!("saving progress of round {round_id} in guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        let rows = save_progress(&mut tx, guild_id, round_id, &progress).await?;
        if rows == 1 {
            outbox::put(&mut tx, post, now).await?;
        }
        tx.commit().await.with_context(context)?;
        drop(conn);
        self.progress_saved(rows, guild_id, round_id, &progress).await
    }

    async fn progress_saved(&self, rows: u64, guild_id: &GuildId, round_id: &RoundId, progress: &RoundProgress) -> Result<()> {
        if rows == 0 && self.round(guild_id, round_id).await?.is_some_and(|r| r.status == RoundStatus::Open) {
            return Err(StoreError::InvalidRound { round_id: round_id.clone(), reason: format!("it has no question at index {}", progress.current_index) });
        }
        not_open_unless_updated(rows, guild_id, round_id)
    }

    /// Remembers the message a face posted for one question of a round, so that after a
    /// restart it can edit that message instead of posting another.
    pub async fn set_question_message(&self, guild_id: &GuildId, round_id: &RoundId, position: usize, message_id: &str) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let done = sqlx::query("UPDATE round_questions SET message_id = $4 WHERE guild_id = $1 AND round_id = $2 AND position = $3")
            .bind(guild_id.as_str())
            .bind(round_id.as_str())
            .bind(position as i64)
            .bind(message_id)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("saving the message of question {} of round {round_id} in guild {guild_id}", position + 1))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::InvalidRound { round_id: round_id.clone(), reason: format!("it has no question at index {position} in guild {guild_id}") });
        }
        Ok(())
    }

    /// Marks an open round finished at `ended_at` (Unix ms).
    pub async fn finish_round(&self, guild_id: &GuildId, round_id: &RoundId, ended_at: i64) -> Result<()> {
        self.close_round(guild_id, round_id, RoundStatus::Finished, ended_at).await
    }

    /// Finishes an open live round at `ended_at` (Unix ms), in one transaction with what
    /// closes it: its last `progress` (the question revealed) when given, and `posts` (the
    /// reveal, the closing leaderboard) queued for its channel. All of it, or nothing when
    /// the round was no longer open ([`StoreError::RoundNotOpen`]).
    pub async fn finish_round_posting(
        &self,
        guild_id: &GuildId,
        round_id: &RoundId,
        progress: Option<RoundProgress>,
        posts: &[Post],
        ended_at: i64,
    ) -> Result<()> {
        let context = || format!("finishing round {round_id} in guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        if let Some(progress) = &progress {
            let rows = save_progress(&mut tx, guild_id, round_id, progress).await?;
            if rows == 0 {
                drop(tx);
                drop(conn);
                return self.progress_saved(rows, guild_id, round_id, progress).await;
            }
        }
        let rows = close(&mut tx, guild_id, round_id, RoundStatus::Finished, ended_at).await?;
        if rows == 1 {
            for post in posts {
                outbox::put(&mut tx, post, ended_at).await?;
            }
        }
        tx.commit().await.with_context(context)?;
        not_open_unless_updated(rows, guild_id, round_id)
    }

    /// Marks an open round abandoned at `ended_at` (Unix ms); its answers still count.
    pub async fn abandon_round(&self, guild_id: &GuildId, round_id: &RoundId, ended_at: i64) -> Result<()> {
        self.close_round(guild_id, round_id, RoundStatus::Abandoned, ended_at).await
    }

    async fn close_round(&self, guild_id: &GuildId, round_id: &RoundId, status: RoundStatus, ended_at: i64) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let rows = close(&mut conn, guild_id, round_id, status, ended_at).await?;
        not_open_unless_updated(rows, guild_id, round_id)
    }

    /// Fills in a round's questions and their messages from `round_questions`.
    async fn with_questions(&self, mut round: Round) -> Result<Round> {
        let rows = sqlx::query("SELECT item_id, message_id FROM round_questions WHERE guild_id = $1 AND round_id = $2 ORDER BY position")
            .bind(round.guild_id.as_str())
            .bind(round.round_id.as_str())
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the questions of round {} in guild {}", round.round_id, round.guild_id))?;
        for row in &rows {
            let item: String = row.try_get("item_id").map_err(corrupt)?;
            round.item_ids.push(ItemId::new(item));
            round.messages.push(row.try_get("message_id").map_err(corrupt)?);
        }
        if round.current_index >= round.item_ids.len().max(1) {
            return Err(StoreError::Corrupt {
                table: "rounds",
                detail: format!("round {}: question index {} beyond its {} questions", round.round_id, round.current_index, round.item_ids.len()),
            });
        }
        Ok(round)
    }
}

/// The `UPDATE` of a round's progress; the number of rows it changed (0 or 1).
async fn save_progress(conn: &mut AnyConnection, guild_id: &GuildId, round_id: &RoundId, progress: &RoundProgress) -> Result<u64> {
    let index = i64::try_from(progress.current_index)
        .map_err(|_| StoreError::Corrupt { table: "rounds", detail: format!("question index {} out of range", progress.current_index) })?;
    let done = sqlx::query(
        "UPDATE rounds SET current_index = $3, opened_at = $4, deadline = $5, revealed = $6
         WHERE guild_id = $1 AND round_id = $2 AND status = 'open'
           AND EXISTS (SELECT 1 FROM round_questions q
                       WHERE q.guild_id = $1 AND q.round_id = $2 AND q.position = $3)",
    )
    .bind(guild_id.as_str())
    .bind(round_id.as_str())
    .bind(index)
    .bind(progress.opened_at)
    .bind(progress.deadline)
    .bind(i32::from(progress.revealed))
    .execute(&mut *conn)
    .await
    .with_context(|| format!("saving progress of round {round_id} in guild {guild_id}"))?;
    Ok(done.rows_affected())
}

/// Marks an open round `status` at `ended_at`; the rows changed (0 when it was not open).
async fn close(conn: &mut AnyConnection, guild_id: &GuildId, round_id: &RoundId, status: RoundStatus, ended_at: i64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE rounds SET status = $3, ended_at = $4, deadline = NULL
         WHERE guild_id = $1 AND round_id = $2 AND status = 'open'",
    )
    .bind(guild_id.as_str())
    .bind(round_id.as_str())
    .bind(status.as_str())
    .bind(ended_at)
    .execute(&mut *conn)
    .await
    .with_context(|| format!("marking round {round_id} of guild {guild_id} {}", status.as_str()))?;
    Ok(done.rows_affected())
}

/// One attempt at creating a round, in one transaction.
async fn insert_round(conn: &mut AnyConnection, new: &NewRound) -> Result<Started> {
    let context = || format!("creating round {} in guild {}", new.round_id, new.guild_id);
    let mut tx = conn.begin().await.with_context(context)?;
    sqlx::query("INSERT INTO guilds (id, settings) VALUES ($1, '{}') ON CONFLICT (id) DO NOTHING")
        .bind(new.guild_id.as_str())
        .execute(&mut *tx)
        .await
        .with_context(context)?;
    let mut displaced = Vec::new();
    if new.kind == RoundKind::Practice {
        let rows = sqlx::query(
            "UPDATE rounds SET status = 'abandoned', ended_at = $3, deadline = NULL
             WHERE guild_id = $1 AND started_by = $2 AND kind = 'practice' AND status = 'open'
             RETURNING round_id",
        )
        .bind(new.guild_id.as_str())
        .bind(new.started_by.as_str())
        .bind(new.started_at)
        .fetch_all(&mut *tx)
        .await
        .with_context(context)?;
        for row in &rows {
            displaced.push(RoundId::new(row.try_get::<String, _>("round_id").map_err(corrupt)?));
        }
    }
    let deadline = new.deadline();
    let inserted = sqlx::query(
        "INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids,
             current_index, opened_at, deadline, revealed, open_seconds, seed, speed_bonus, status, started_at, ended_at)
         VALUES ($1, $2, $3, $4, $5, '[]', 0, $6, $7, 0, $8, $9, $10, 'open', $6, NULL)
         ON CONFLICT (guild_id, round_id) DO NOTHING",
    )
    .bind(new.guild_id.as_str())
    .bind(new.round_id.as_str())
    .bind(new.kind.as_str())
    .bind(new.channel_id.as_ref().map(ChannelId::as_str))
    .bind(new.started_by.as_str())
    .bind(new.started_at)
    .bind(deadline)
    .bind(i64::from(new.open_seconds))
    .bind(new.seed as i64)
    .bind(i32::from(new.speed_bonus))
    .execute(&mut *tx)
    .await
    .with_context(context)?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::RoundExists { guild_id: new.guild_id.clone(), round_id: new.round_id.clone() });
    }
    for (position, item) in new.item_ids.iter().enumerate() {
        sqlx::query("INSERT INTO round_questions (guild_id, round_id, position, item_id) VALUES ($1, $2, $3, $4)")
            .bind(new.guild_id.as_str())
            .bind(new.round_id.as_str())
            .bind(position as i64)
            .bind(item.as_str())
            .execute(&mut *tx)
            .await
            .with_context(context)?;
    }
    // A live round's first question must reach its channel: queued in the same transaction.
    if let (RoundKind::Live, Some(channel)) = (new.kind, &new.channel_id) {
        let post = Post {
            guild_id: new.guild_id.clone(),
            kind: PostKind::Question,
            subject: new.round_id.to_string(),
            number: 1,
            part: String::new(),
            channel_id: channel.clone(),
        };
        outbox::put(&mut tx, &post, new.started_at).await?;
    }
    tx.commit().await.with_context(context)?;
    let round = Round {
        guild_id: new.guild_id.clone(),
        round_id: new.round_id.clone(),
        kind: new.kind,
        channel_id: new.channel_id.clone(),
        started_by: new.started_by.clone(),
        item_ids: new.item_ids.clone(),
        messages: vec![None; new.item_ids.len()],
        current_index: 0,
        opened_at: Some(new.started_at),
        deadline,
        revealed: false,
        open_seconds: new.open_seconds,
        seed: new.seed,
        speed_bonus: new.speed_bonus,
        status: RoundStatus::Open,
        started_at: new.started_at,
        ended_at: None,
    };
    Ok(Started { round, displaced })
}

/// `SELECT … FROM rounds` followed by a clause. The query text is built from constants
/// only, never from input, which is what `AssertSqlSafe` asserts.
fn const_format(select: &'static str, clause: &'static str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("{select} {clause}"))
}

fn not_open_unless_updated(rows: u64, guild_id: &GuildId, round_id: &RoundId) -> Result<()> {
    if rows == 0 { Err(StoreError::RoundNotOpen { guild_id: guild_id.clone(), round_id: round_id.clone() }) } else { Ok(()) }
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt { table: "rounds", detail: e.to_string() }
}

fn round_from_row(row: &AnyRow) -> Result<Round> {
    let bad = |detail: String| StoreError::Corrupt { table: "rounds", detail };
    let round_id: String = row.try_get("round_id").map_err(corrupt)?;
    let kind: String = row.try_get("kind").map_err(corrupt)?;
    let status: String = row.try_get("status").map_err(corrupt)?;
    let current_index: i64 = row.try_get("current_index").map_err(corrupt)?;
    let open_seconds: i64 = row.try_get("open_seconds").map_err(corrupt)?;
    let revealed: i64 = row.try_get("revealed").map_err(corrupt)?;
    let speed_bonus: i64 = row.try_get("speed_bonus").map_err(corrupt)?;
    let seed: i64 = row.try_get("seed").map_err(corrupt)?;
    let guild: String = row.try_get("guild_id").map_err(corrupt)?;
    let channel: Option<String> = row.try_get("channel_id").map_err(corrupt)?;
    let started_by: String = row.try_get("started_by").map_err(corrupt)?;
    Ok(Round {
        guild_id: GuildId::new(guild),
        kind: RoundKind::parse(&kind).ok_or_else(|| bad(format!("round {round_id}: unknown kind {kind:?}")))?,
        channel_id: channel.map(ChannelId::new),
        started_by: UserId::new(started_by),
        item_ids: Vec::new(),
        messages: Vec::new(),
        current_index: usize::try_from(current_index).map_err(|_| bad(format!("round {round_id}: negative question index")))?,
        opened_at: row.try_get("opened_at").map_err(corrupt)?,
        deadline: row.try_get("deadline").map_err(corrupt)?,
        revealed: revealed != 0,
        open_seconds: u32::try_from(open_seconds).map_err(|_| bad(format!("round {round_id}: open_seconds out of range")))?,
        seed: seed as u64,
        speed_bonus: speed_bonus != 0,
        status: RoundStatus::parse(&status).ok_or_else(|| bad(format!("round {round_id}: unknown status {status:?}")))?,
        started_at: row.try_get("started_at").map_err(corrupt)?,
        ended_at: row.try_get("ended_at").map_err(corrupt)?,
        round_id: RoundId::new(round_id),
    })
}

/// Copies the question lists of rounds written before migration 0002 (a JSON array in
/// `rounds.item_ids`) into `round_questions`, once: rounds that already have rows, or an
/// empty list, are left alone, so running it again does nothing.
pub(crate) async fn backfill_round_questions(conn: &mut AnyConnection) -> Result<()> {
    let context = || "copying the questions of older rounds into round_questions".to_string();
    let rows = sqlx::query(
        "SELECT guild_id, round_id, item_ids FROM rounds r
         WHERE item_ids <> '[]'
           AND NOT EXISTS (SELECT 1 FROM round_questions q WHERE q.guild_id = r.guild_id AND q.round_id = r.round_id)",
    )
    .fetch_all(&mut *conn)
    .await
    .with_context(context)?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = conn.begin().await.with_context(context)?;
    for row in &rows {
        let guild: String = row.try_get("guild_id").map_err(corrupt)?;
        let round: String = row.try_get("round_id").map_err(corrupt)?;
        let items: String = row.try_get("item_ids").map_err(corrupt)?;
        let items: Vec<String> = serde_json::from_str(&items)
            .map_err(|e| StoreError::Corrupt { table: "rounds", detail: format!("round {round}: item ids are not a JSON list: {e}") })?;
        for (position, item) in items.iter().enumerate() {
            sqlx::query("INSERT INTO round_questions (guild_id, round_id, position, item_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(guild.as_str())
                .bind(round.as_str())
                .bind(position as i64)
                .bind(item.as_str())
                .execute(&mut *tx)
                .await
                .with_context(context)?;
        }
    }
    tx.commit().await.with_context(context)
}
