//! Each student's memory of each item (FSRS state, `src/memory.rs`) in the store, and the
//! daily reminder's claim.
//!
//! Invariants: a memory row changes only in the transaction that stores the answer reviewing
//! it ([`apply_reviews`], called by the writer), so it is always the replay of the student's
//! stored answers in order; the answers stored before the table existed are replayed into it
//! once ([`replay_history`], at open, claimed in its own transaction); a server's reminder is
//! claimed for a day by one conditional upsert, so at most one per day across restarts and
//! processes.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Connection, Row};

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::AnswerRecord;
use super::writer::Params;
use crate::ids::{GuildId, ItemId, Millis, UserId};
use crate::memory::{Memory, Review, Scheduler, rating, speed_window_ms};
use crate::scoring::Verdict;

/// A memory's key: (guild, user, item).
type Key = (String, String, String);

/// Rows written per statement by the replay (9 parameters each).
const REPLAY_CHUNK: usize = 100;

const MEMORY_COLUMNS: &str = "stability, difficulty, due, last_review, reviews, lapses";

fn key(a: &AnswerRecord) -> Key {
    (a.guild_id.as_str().to_owned(), a.user_id.as_str().to_owned(), a.item_id.as_str().to_owned())
}

/// Updates the memories the counted `answers` review (those with a review), in the order
/// given, on `conn` (inside the transaction that stores them): one read of the rows before,
/// one upsert of the rows after.
pub(crate) async fn apply_reviews(conn: &mut AnyConnection, answers: &[&AnswerRecord]) -> std::result::Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    let answers: Vec<(&AnswerRecord, Review)> = answers.iter().filter_map(|a| Some((*a, a.review?))).collect();
    if answers.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<Key> = Vec::with_capacity(answers.len());
    for (a, _) in &answers {
        let k = key(a);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    // In chunks of the writer's sizes, so that a batch of any size prepares one of a few
    // statements (each cached per connection) rather than one of its own.
    let mut memories = HashMap::with_capacity(keys.len());
    let mut rest = keys.as_slice();
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(super::writer::chunk(rest.len()));
        memories.extend(read_memories(&mut *conn, chunk).await?);
        rest = tail;
    }
    for (a, review) in &answers {
        let k = key(a);
        let after = review.apply(memories.get(&k), a.answered_at);
        memories.insert(k, after);
    }
    let mut rest = keys.as_slice();
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(super::writer::chunk(rest.len()));
        write_memories(&mut *conn, chunk.iter().map(|k| (k, &memories[k]))).await?;
        rest = tail;
    }
    Ok(())
}

/// The stored memories of `keys` (those that have one).
async fn read_memories(conn: &mut AnyConnection, keys: &[Key]) -> std::result::Result<HashMap<Key, Memory>, sqlx::Error> {
    let sql = format!(
        "SELECT guild_id, user_id, item_id, {MEMORY_COLUMNS} FROM memories WHERE (guild_id, user_id, item_id) IN (VALUES {})",
        Params::of(conn).rows(keys.len(), 3)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (g, u, i) in keys {
        query = query.bind(g.clone()).bind(u.clone()).bind(i.clone());
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(|r| Ok(((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?), memory_from_row(r, 3)?))).collect()
}

/// Writes each memory, new or changed, in one statement; each key at most once.
async fn write_memories<'a>(conn: &mut AnyConnection, rows: impl ExactSizeIterator<Item = (&'a Key, &'a Memory)>) -> std::result::Result<(), sqlx::Error> {
    let params = Params::of(conn).rows(rows.len(), 9);
    let sql = format!(
        "INSERT INTO memories (guild_id, user_id, item_id, {MEMORY_COLUMNS}) VALUES {}
         ON CONFLICT (guild_id, user_id, item_id) DO UPDATE SET stability = excluded.stability,
           difficulty = excluded.difficulty, due = excluded.due, last_review = excluded.last_review,
           reviews = excluded.reviews, lapses = excluded.lapses",
        params
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for ((g, u, i), m) in rows {
        query = query
            .bind(g.clone())
            .bind(u.clone())
            .bind(i.clone())
            .bind(m.stability)
            .bind(m.difficulty)
            .bind(m.due)
            .bind(m.last_review)
            .bind(i64::from(m.reviews))
            .bind(i64::from(m.lapses));
    }
    query.execute(conn).await?;
    Ok(())
}

/// The memory in `row`'s columns from `at` on, in [`MEMORY_COLUMNS`]' order.
fn memory_from_row(row: &AnyRow, at: usize) -> std::result::Result<Memory, sqlx::Error> {
    let count = |i: usize| -> std::result::Result<u32, sqlx::Error> { Ok(u32::try_from(row.try_get::<i64, _>(i)?).unwrap_or(u32::MAX)) };
    Ok(Memory {
        stability: row.try_get(at)?,
        difficulty: row.try_get(at + 1)?,
        due: row.try_get(at + 2)?,
        last_review: row.try_get(at + 3)?,
        reviews: count(at + 4)?,
        lapses: count(at + 5)?,
    })
}

/// Replays every answer stored before the memories existed into them, in the order given,
/// once: the first open after the upgrade claims the replay (`memory_replay.done`) in the
/// transaction that writes the memories, so another process, or the next open, finds it
/// done. Every server then had the default desired retention (the setting came with this).
pub(crate) async fn replay_history(conn: &mut AnyConnection) -> Result<()> {
    let context = || "replaying the stored answers into each student's memory of each item".to_string();
    // Read first, so that a database opened read-only (replayed long ago) is not written to.
    let done: i64 = sqlx::query_scalar("SELECT done FROM memory_replay WHERE id = 1").fetch_one(&mut *conn).await.with_context(context)?;
    if done != 0 {
        return Ok(());
    }
    let mut tx = conn.begin().await.with_context(context)?;
    let claimed = sqlx::query("UPDATE memory_replay SET done = 1 WHERE done = 0").execute(&mut *tx).await.with_context(context)?;
    if claimed.rows_affected() == 0 {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT a.guild_id, a.user_id, a.item_id, a.correct, a.credit, a.elapsed_ms, a.answered_at,
                r.kind, r.speed_bonus, r.open_seconds
         FROM answers a JOIN rounds r ON r.guild_id = a.guild_id AND r.round_id = a.round_id
         ORDER BY a.answered_at, a.round_id, a.item_id, a.user_id",
    )
    .fetch_all(&mut *tx)
    .await
    .with_context(context)?;
    let corrupt = |e: sqlx::Error| StoreError::Corrupt { table: "answers", detail: e.to_string() };
    let scheduler = Scheduler::default();
    let mut order: Vec<Key> = Vec::new();
    let mut memories: HashMap<Key, Memory> = HashMap::new();
    for r in &rows {
        let k: Key = (r.try_get(0).map_err(corrupt)?, r.try_get(1).map_err(corrupt)?, r.try_get(2).map_err(corrupt)?);
        let correct: i64 = r.try_get(3).map_err(corrupt)?;
        let verdict = if correct != 0 { Verdict::RIGHT } else { Verdict::partial(r.try_get(4).map_err(corrupt)?) };
        let live = r.try_get::<String, _>(7).map_err(corrupt)? == "live";
        let speed_bonus: i64 = r.try_get(8).map_err(corrupt)?;
        let window = speed_window_ms(live && speed_bonus != 0, r.try_get(9).map_err(corrupt)?);
        let review = Review { rating: rating(verdict, r.try_get(5).map_err(corrupt)?, window), scheduler };
        let at: Millis = r.try_get(6).map_err(corrupt)?;
        let after = review.apply(memories.get(&k), at);
        if memories.insert(k.clone(), after).is_none() {
            order.push(k);
        }
    }
    for chunk in order.chunks(REPLAY_CHUNK) {
        write_memories(&mut tx, chunk.iter().map(|k| (k, &memories[k]))).await.with_context(context)?;
    }
    tx.commit().await.with_context(context)?;
    if !order.is_empty() {
        tracing::info!(answers = rows.len(), memories = order.len(), "replayed the stored answers into the students' memories (FSRS)");
    }
    Ok(())
}

impl Store {
    /// Every memory of one student in one server, by item id.
    pub async fn memories_of(&self, guild: &GuildId, user: &UserId) -> Result<Vec<(ItemId, Memory)>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT item_id, {MEMORY_COLUMNS} FROM memories WHERE guild_id = $1 AND user_id = $2 ORDER BY item_id")))
                .bind(guild.as_str().to_owned())
                .bind(user.as_str().to_owned())
                .fetch_all(&self.reader)
                .await
                .with_context(|| format!("reading the memories of user {user} in guild {guild}"))?;
        let corrupt = |e: sqlx::Error| StoreError::Corrupt { table: "memories", detail: e.to_string() };
        rows.iter().map(|r| Ok((ItemId::new(r.try_get::<String, _>(0).map_err(corrupt)?), memory_from_row(r, 1).map_err(corrupt)?))).collect()
    }

    /// Every memory of every student in one server, by student then item.
    pub async fn guild_memories(&self, guild: &GuildId) -> Result<Vec<(UserId, ItemId, Memory)>> {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT user_id, item_id, {MEMORY_COLUMNS} FROM memories WHERE guild_id = $1 ORDER BY user_id, item_id")))
                .bind(guild.as_str().to_owned())
                .fetch_all(&self.reader)
                .await
                .with_context(|| format!("reading the memories of guild {guild}"))?;
        let corrupt = |e: sqlx::Error| StoreError::Corrupt { table: "memories", detail: e.to_string() };
        rows.iter()
            .map(|r| {
                let user = UserId::new(r.try_get::<String, _>(0).map_err(corrupt)?);
                Ok((user, ItemId::new(r.try_get::<String, _>(1).map_err(corrupt)?), memory_from_row(r, 2).map_err(corrupt)?))
            })
            .collect()
    }

    /// The servers where some student has a review due before `before` (Unix ms).
    pub async fn guilds_with_reviews_due(&self, before: Millis) -> Result<Vec<GuildId>> {
        let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT guild_id FROM memories WHERE due < $1 ORDER BY guild_id")
            .bind(before)
            .fetch_all(&self.reader)
            .await
            .with_context(|| "reading the servers with reviews due".to_string())?;
        Ok(ids.into_iter().map(GuildId::new).collect())
    }

    /// Claims `day` (days since the epoch) for `guild`'s reminder: true for the one caller
    /// that moved the server's last reminder day forward to it, false if it already was
    /// there (or later). The guild must exist.
    pub async fn claim_reminder_day(&self, guild: &GuildId, day: i64) -> Result<bool> {
        let mut conn = self.writer.acquire().await?;
        let done = sqlx::query(
            "INSERT INTO reminders_sent (guild_id, day) VALUES ($1, $2)
             ON CONFLICT (guild_id) DO UPDATE SET day = excluded.day WHERE reminders_sent.day < excluded.day",
        )
        .bind(guild.as_str().to_owned())
        .bind(day)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("claiming the reminder of day {day} for guild {guild}"))?;
        Ok(done.rows_affected() > 0)
    }
}
