//! The outbox: what must reach a channel, written in the transaction of the change that
//! calls for it, and delivered by a poster in the face (see `migrations/0004_outbox.sql`).
//!
//! Invariants:
//! * a row names what its message shows (a round's question, a debate's speech), not the
//!   message itself: the poster renders it from the store when it delivers, so a late
//!   delivery shows the state as it is then;
//! * a row is pending while `delivered < version` and no final failure is recorded; a
//!   change that calls for the message again bumps `version`, so a delivery that raced it
//!   leaves the row pending and the new state goes out too;
//! * a delivery is claimed atomically (a conditional `UPDATE` on the row, counted by its
//!   affected rows), so two posters on one database never both post it.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::Store;
use super::error::{Context, Result, StoreError};
use crate::ids::{ChannelId, GuildId};

/// What a message in the outbox shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PostKind {
    /// A live round's question (subject: the round id; number: the question, from 1), or,
    /// with part [`LEADERBOARD`] and number 0, the leaderboard that closes the round.
    Question,
    /// A debate's speech (subject: the debate id; number: its phase index; part: the slot).
    Speech,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Question => "question",
            PostKind::Speech => "speech",
        }
    }
    fn parse(s: &str) -> Option<PostKind> {
        match s {
            "question" => Some(PostKind::Question),
            "speech" => Some(PostKind::Speech),
            _ => None,
        }
    }
}

/// The part of a live round's closing leaderboard, queued under [`PostKind::Question`]
/// with number 0 (the table's `kind` admits only 'question' and 'speech').
pub const LEADERBOARD: &str = "leaderboard";

/// A message that must reach a channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Post {
    pub guild_id: GuildId,
    pub kind: PostKind,
    pub subject: String,
    pub number: i64,
    /// What tells apart two posts of one subject and number ('' for a question).
    pub part: String,
    pub channel_id: ChannelId,
}

/// A pending row as the poster reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub post: Post,
    /// The version to deliver; `post_delivered` records it.
    pub version: i64,
    /// The message posted for an earlier version, to edit.
    pub message_id: Option<String>,
    /// Failed tries since the last success (this claim included once claimed).
    pub attempts: i64,
}

/// Writes `post` in the caller's transaction: a new row, or, if the message exists, a new
/// version of it to deliver now (a final failure recorded earlier is cleared).
pub(crate) async fn put(conn: &mut AnyConnection, post: &Post, now: i64) -> Result<()> {
    put_raw(conn, post, now).await.with_context(|| key_context(post, "queueing"))
}

/// [`put`], with sqlx's error (for writes that add their own context).
pub(crate) async fn put_raw(conn: &mut AnyConnection, post: &Post, now: i64) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (guild_id, kind, subject, number, part, channel_id, next_at, created_at)
         VALUES ($1, $2, $3, $4, $7, $5, $6, $6)
         ON CONFLICT (guild_id, kind, subject, number, part) DO UPDATE
         SET version = outbox.version + 1, attempts = 0, next_at = excluded.next_at, failed = NULL",
    )
    .bind(post.guild_id.as_str())
    .bind(post.kind.as_str())
    .bind(post.subject.as_str())
    .bind(post.number)
    .bind(post.channel_id.as_str())
    .bind(now)
    .bind(post.part.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How a statement on one post's row names it: its first five placeholders, bound by [`keyed`].
const KEY: &str = "guild_id = $1 AND kind = $2 AND subject = $3 AND number = $4 AND part = $5";

/// `sql`, which names its row by [`KEY`], with the key of `post` bound; further values bind
/// from `$6` on.
fn keyed(sql: String, post: &Post) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(post.guild_id.as_str().to_owned())
        .bind(post.kind.as_str())
        .bind(post.subject.clone())
        .bind(post.number)
        .bind(post.part.clone())
}

fn key_context(p: &Post, what: &str) -> String {
    format!("{what} {} {} #{} {} of guild {}", p.kind.as_str(), p.subject, p.number, p.part, p.guild_id)
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt { table: "outbox", detail: e.to_string() }
}

fn pending_from_row(row: &AnyRow) -> Result<Pending> {
    let kind: String = row.try_get("kind").map_err(corrupt)?;
    Ok(Pending {
        post: Post {
            guild_id: GuildId::new(row.try_get::<String, _>("guild_id").map_err(corrupt)?),
            kind: PostKind::parse(&kind).ok_or_else(|| StoreError::Corrupt { table: "outbox", detail: format!("unknown kind {kind:?}") })?,
            subject: row.try_get("subject").map_err(corrupt)?,
            number: row.try_get("number").map_err(corrupt)?,
            part: row.try_get("part").map_err(corrupt)?,
            channel_id: ChannelId::new(row.try_get::<String, _>("channel_id").map_err(corrupt)?),
        },
        version: row.try_get("version").map_err(corrupt)?,
        message_id: row.try_get("message_id").map_err(corrupt)?,
        attempts: row.try_get("attempts").map_err(corrupt)?,
    })
}

impl Store {
    /// Queues `post` on its own (outside any other change): a new row, or a new version of
    /// an existing one.
    pub async fn put_post(&self, post: &Post, now: i64) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        put(&mut conn, post, now).await
    }

    /// Queues `post` unless a row for it exists already, whatever its state (after a
    /// restart, for rounds opened before the outbox existed): delivered already when the
    /// face had posted it as `message_id`.
    pub async fn ensure_post(&self, post: &Post, message_id: Option<&str>, now: i64) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "INSERT INTO outbox (guild_id, kind, subject, number, part, channel_id, next_at, created_at, message_id, delivered)
             VALUES ($1, $2, $3, $4, $8, $5, $6, $6, $7, CASE WHEN $7 IS NULL THEN 0 ELSE 1 END)
             ON CONFLICT (guild_id, kind, subject, number, part) DO NOTHING",
        )
        .bind(post.guild_id.as_str())
        .bind(post.kind.as_str())
        .bind(post.subject.as_str())
        .bind(post.number)
        .bind(post.channel_id.as_str())
        .bind(now)
        .bind(message_id)
        .bind(post.part.as_str())
        .execute(&mut *conn)
        .await
        .with_context(|| key_context(post, "queueing"))?;
        Ok(())
    }

    /// The rows due at `now` (pending, past their backoff, not claimed), oldest first, at
    /// most `limit`.
    pub async fn due_posts(&self, now: i64, limit: i64) -> Result<Vec<Pending>> {
        let rows = sqlx::query(
            "SELECT guild_id, kind, subject, number, part, channel_id, version, message_id, attempts FROM outbox
             WHERE delivered < version AND failed IS NULL AND next_at <= $1 AND claimed_until <= $1
             ORDER BY created_at, guild_id, subject, number, part LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .context("listing the posts due")?;
        rows.iter().map(pending_from_row).collect()
    }

    /// The row of `post`, whatever its state.
    pub async fn post_state(&self, post: &Post) -> Result<Option<(Pending, i64, Option<String>)>> {
        let sql = format!("SELECT guild_id, kind, subject, number, part, channel_id, version, message_id, attempts, delivered, failed FROM outbox WHERE {KEY}");
        let row = keyed(sql, post).fetch_optional(&self.reader).await.with_context(|| key_context(post, "reading"))?;
        match row {
            Some(row) => Ok(Some((pending_from_row(&row)?, row.try_get("delivered").map_err(corrupt)?, row.try_get("failed").map_err(corrupt)?))),
            None => Ok(None),
        }
    }

    /// Claims `version` of `post` for one try until `until`: true for exactly one caller
    /// among all processes, while it is pending, due and unclaimed at `now`.
    pub async fn claim_post(&self, post: &Post, version: i64, now: i64, until: i64) -> Result<bool> {
        let mut conn = self.writer.acquire().await?;
        let sql = format!(
            "UPDATE outbox SET claimed_until = $6, attempts = attempts + 1
             WHERE {KEY} AND version = $7 AND delivered < version AND failed IS NULL AND next_at <= $8 AND claimed_until <= $8"
        );
        let done = keyed(sql, post).bind(until).bind(version).bind(now).execute(&mut *conn).await.with_context(|| key_context(post, "claiming"))?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that Discord accepted `version` of `post` as `message_id`; a newer version
    /// queued meanwhile stays pending.
    pub async fn post_delivered(&self, post: &Post, version: i64, message_id: Option<&str>) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let sql =
            format!("UPDATE outbox SET delivered = $6, message_id = COALESCE($7, message_id), attempts = 0, claimed_until = 0 WHERE {KEY} AND delivered < $6");
        keyed(sql, post).bind(version).bind(message_id.map(str::to_owned)).execute(&mut *conn).await.with_context(|| key_context(post, "marking delivered"))?;
        Ok(())
    }

    /// Remembers the messages posted so far for a post in several parts (comma-separated),
    /// so that a retry posts only the rest.
    pub async fn post_parts(&self, post: &Post, message_ids: &str) -> Result<()> {
        self.update_post(post, "message_id = $6", message_ids.to_owned(), "remembering the parts posted of").await
    }

    /// Releases a failed try of `post`: the next may start at `next_at`.
    pub async fn post_retry(&self, post: &Post, next_at: i64) -> Result<()> {
        self.update_post(post, "next_at = $6, claimed_until = 0", next_at, "rescheduling").await
    }

    /// Records the final failure of `post` (no more tries), in words.
    pub async fn post_failed(&self, post: &Post, reason: &str) -> Result<()> {
        self.update_post(post, "failed = $6, claimed_until = 0", reason.to_owned(), "recording the failure of").await
    }

    /// Sets `set` (which names its one value `$6`) on the row of `post`.
    async fn update_post<T>(&self, post: &Post, set: &'static str, value: T, what: &'static str) -> Result<()>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
    {
        let mut conn = self.writer.acquire().await?;
        keyed(format!("UPDATE outbox SET {set} WHERE {KEY}"), post).bind(value).execute(&mut *conn).await.with_context(|| key_context(post, what))?;
        Ok(())
    }
}
