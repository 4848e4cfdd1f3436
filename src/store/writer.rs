//! How answers reach the database: the one hot write path of the bot.
//!
//! Invariant: `AnswerSink::record` resolves only after the transaction holding the answer
//! has committed, and reports `Counted` only for the row it actually inserted.

use sqlx::AnyPool;

use super::error::{Result, StoreError};
use super::model::{AnswerRecord, Recorded};

const INSERT_ANSWER: &str = "INSERT INTO answers
    (guild_id, round_id, item_id, user_id, response, correct, credit, points, elapsed_ms, answered_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (guild_id, round_id, item_id, user_id) DO NOTHING";

/// Where `record_answer` sends an answer.
#[derive(Debug, Clone)]
pub(crate) enum AnswerSink {
    /// One autocommitted statement per answer.
    Direct(AnyPool),
}

impl AnswerSink {
    pub(crate) fn direct(pool: AnyPool) -> Self {
        AnswerSink::Direct(pool)
    }

    pub(crate) fn batching(pool: AnyPool) -> Self {
        AnswerSink::Direct(pool)
    }

    pub(crate) async fn record(&self, answer: &AnswerRecord) -> Result<Recorded> {
        match self {
            AnswerSink::Direct(pool) => {
                let done = bind_answer(answer)
                    .execute(pool)
                    .await
                    .map_err(|e| answer_error(answer, e))?;
                Ok(recorded(done.rows_affected()))
            }
        }
    }

    pub(crate) async fn close(&self) {}
}

fn bind_answer(a: &AnswerRecord) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(INSERT_ANSWER)
        .bind(&a.guild_id)
        .bind(&a.round_id)
        .bind(&a.item_id)
        .bind(&a.user_id)
        .bind(&a.response)
        .bind(i32::from(a.correct))
        .bind(a.credit)
        .bind(a.points)
        .bind(a.elapsed_ms)
        .bind(a.answered_at)
}

fn recorded(rows_affected: u64) -> Recorded {
    if rows_affected == 0 {
        Recorded::Duplicate
    } else {
        Recorded::Counted
    }
}

/// A foreign-key violation means the round or the user is unknown: say so plainly.
fn answer_error(a: &AnswerRecord, source: sqlx::Error) -> StoreError {
    let fk = matches!(&source, sqlx::Error::Database(db)
        if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation);
    if fk {
        StoreError::UnknownRoundOrUser {
            guild_id: a.guild_id.clone(),
            round_id: a.round_id.clone(),
            user_id: a.user_id.clone(),
        }
    } else {
        StoreError::Query {
            context: format!(
                "recording the answer of user {} to item {} of round {} in guild {}",
                a.user_id, a.item_id, a.round_id, a.guild_id
            ),
            source,
        }
    }
}
