//! Answers in the store: recorded once each, read back to rebuild a round or pick items.
//!
//! Invariant: the primary key (guild, round, item, user) makes recording idempotent, and a
//! `Counted` reply means the row is committed.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{AnswerRecord, Recorded};

impl Store {
    /// Records a judged answer. Returns `Counted` once the new row is committed, or
    /// `Duplicate` if this user already answered this item in this round (a double click,
    /// a replayed interaction); the first answer stands. The round and the user must exist.
    pub async fn record_answer(&self, answer: &AnswerRecord) -> Result<Recorded> {
        self.answers.record(answer).await
    }

    /// Everyone's answer to one item of one round, earliest first: who already answered,
    /// to rebuild a live round after a restart.
    pub async fn answers_for_round_item(
        &self,
        guild_id: &str,
        round_id: &str,
        item_id: &str,
    ) -> Result<Vec<AnswerRecord>> {
        let rows = sqlx::query(
            "SELECT guild_id, round_id, item_id, user_id, response, correct, credit, points,
                    elapsed_ms, answered_at
             FROM answers WHERE guild_id = $1 AND round_id = $2 AND item_id = $3
             ORDER BY answered_at, user_id",
        )
        .bind(guild_id)
        .bind(round_id)
        .bind(item_id)
        .fetch_all(&self.reader)
        .await
        .with_context(|| {
            format!("reading answers to item {item_id} of round {round_id} in guild {guild_id}")
        })?;
        rows.iter().map(answer_from_row).collect()
    }

    /// Ids of the items this user most recently answered correctly, latest first, each once:
    /// what practice can skip for now.
    pub async fn recent_correct(
        &self,
        guild_id: &str,
        user_id: &str,
        limit: u32,
    ) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT item_id FROM answers
             WHERE guild_id = $1 AND user_id = $2 AND correct = 1
             GROUP BY item_id
             ORDER BY MAX(answered_at) DESC, item_id
             LIMIT $3",
        )
        .bind(guild_id)
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .with_context(|| {
            format!("reading recent correct answers of user {user_id} in guild {guild_id}")
        })
    }
}

fn answer_from_row(row: &AnyRow) -> Result<AnswerRecord> {
    let get = |e: sqlx::Error| StoreError::Corrupt {
        table: "answers",
        detail: e.to_string(),
    };
    let correct: i64 = row.try_get("correct").map_err(get)?;
    Ok(AnswerRecord {
        guild_id: row.try_get("guild_id").map_err(get)?,
        round_id: row.try_get("round_id").map_err(get)?,
        item_id: row.try_get("item_id").map_err(get)?,
        user_id: row.try_get("user_id").map_err(get)?,
        response: row.try_get("response").map_err(get)?,
        correct: correct != 0,
        credit: row.try_get("credit").map_err(get)?,
        points: row.try_get("points").map_err(get)?,
        elapsed_ms: row.try_get("elapsed_ms").map_err(get)?,
        answered_at: row.try_get("answered_at").map_err(get)?,
    })
}
