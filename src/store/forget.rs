//! One student's records in one server: all of them read out (`/mydata`), or all of them
//! deleted (`agora scores forget`).
//!
//! Invariants it protects:
//! * what is shown to a student and what is deleted for them are the same rows: both read
//!   the one list [`STUDENT_ROWS`], table by table;
//! * forgetting is one transaction: every row goes, or none does; totals, leaderboards and the
//!   gradebook are computed from answers and awards, so they follow at once;
//! * nothing of another student and nothing of another server is read or deleted: every
//!   selection is scoped to the guild and names the student.

use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Column, Connection, Row, ValueRef};

use super::Store;
use super::error::{Context, Result};
use crate::ids::{GuildId, UserId};

/// A table's rows that belong to a student: `WHERE guild_id = $1 AND (filter)`, with the
/// student's id as `$2`. Listed children first, in the order they are deleted.
struct Selection {
    table: &'static str,
    filter: &'static str,
    /// The order rows are shown in.
    order: &'static str,
}

/// A speech the student gave: as its author, or in their slot.
const THEIR_SPEECH: &str = "EXISTS (SELECT 1 FROM debate_speeches s WHERE s.guild_id = $1 AND s.debate_id = t.debate_id AND s.phase_index = t.phase_index AND s.slot = t.slot AND (s.author_id = $2 OR s.slot = $2))";

/// Every row stored about a student in a server.
const STUDENT_ROWS: &[Selection] = &[
    Selection { table: "debate_citations", filter: THEIR_SPEECH, order: "debate_id, phase_index, slot, position" },
    Selection {
        table: "debate_flags",
        filter: "t.flagged_by = $2 OR EXISTS (SELECT 1 FROM debate_speeches s WHERE s.guild_id = $1 AND s.debate_id = t.debate_id AND s.phase_index = t.phase_index AND s.slot = t.slot AND (s.author_id = $2 OR s.slot = $2))",
        order: "debate_id, phase_index, slot, passage_id, flagged_by",
    },
    // Their speech's post for the channel (its slot is their id).
    Selection { table: "outbox", filter: "t.kind = 'speech' AND t.part = $2", order: "subject, number" },
    Selection { table: "debate_speeches", filter: "t.author_id = $2 OR t.slot = $2", order: "debate_id, phase_index, slot" },
    Selection { table: "debate_scores", filter: "t.judge_id = $2 OR t.speaker_id = $2", order: "debate_id, judge_id, speaker_id, criterion" },
    Selection { table: "debate_ballots", filter: "t.judge_id = $2", order: "debate_id, judge_id" },
    Selection { table: "debate_votes", filter: "t.user_id = $2", order: "debate_id, poll" },
    Selection { table: "debate_seats", filter: "t.user_id = $2", order: "debate_id" },
    Selection {
        table: "prompt_citations",
        filter: "EXISTS (SELECT 1 FROM prompt_answers a WHERE a.guild_id = $1 AND a.answer_id = t.answer_id AND a.user_id = $2)",
        order: "answer_id, position",
    },
    Selection {
        table: "prompt_marks",
        filter: "EXISTS (SELECT 1 FROM prompt_answers a WHERE a.guild_id = $1 AND a.answer_id = t.answer_id AND a.user_id = $2)",
        order: "answer_id, line",
    },
    Selection { table: "prompt_answers", filter: "t.user_id = $2", order: "submitted_at, answer_id" },
    Selection { table: "prompt_draws", filter: "t.user_id = $2", order: "drawn_at, prompt_id" },
    Selection { table: "awards", filter: "t.user_id = $2", order: "awarded_at, source" },
    Selection { table: "memories", filter: "t.user_id = $2", order: "item_id" },
    Selection { table: "answers", filter: "t.user_id = $2", order: "answered_at, round_id, item_id" },
    // Their practice sessions (what they were asked); live rounds are the class's.
    Selection {
        table: "round_questions",
        filter: "EXISTS (SELECT 1 FROM rounds r WHERE r.guild_id = $1 AND r.round_id = t.round_id AND r.kind = 'practice' AND r.started_by = $2)",
        order: "round_id, position",
    },
    Selection { table: "rounds", filter: "t.kind = 'practice' AND t.started_by = $2", order: "started_at, round_id" },
    Selection { table: "users", filter: "t.user_id = $2", order: "user_id" },
];

/// How many rows of each table went when a student was forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forgotten {
    /// (table, rows deleted), in the order they were deleted; tables with none included.
    pub rows: Vec<(&'static str, u64)>,
}

impl Forgotten {
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }

    /// The rows deleted from `table`.
    pub fn of(&self, table: &str) -> u64 {
        self.rows.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n)
    }
}

impl Store {
    /// Deletes everything stored about `user` in `guild`, in one transaction: answers, practice
    /// sessions, debate seats, speeches (with their citations and the flags on them), the
    /// flags they raised, their ballots, the scores given to them, their votes, prompt answers
    /// (with citations and marks), the prompts drawn, awards, their memories of items, and their user row. Returns the rows per table.
    pub async fn forget_student(&self, guild: &GuildId, user: &UserId) -> Result<Forgotten> {
        let context = || format!("forgetting user {user} of guild {guild}");
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        let mut rows = Vec::with_capacity(STUDENT_ROWS.len());
        for s in STUDENT_ROWS {
            let sql = format!("DELETE FROM {table} AS t WHERE t.guild_id = $1 AND ({filter})", table = s.table, filter = s.filter);
            let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(guild.as_str())
                .bind(user.as_str())
                .execute(&mut *tx)
                .await
                .with_context(|| format!("{} (table {})", context(), s.table))?;
            rows.push((s.table, done.rows_affected()));
        }
        tx.commit().await.with_context(context)?;
        self.known_users.remove(guild.as_str(), user.as_str());
        Ok(Forgotten { rows })
    }

    /// Everything stored about `user` in `guild`, as a JSON object: for each table, its rows
    /// about the student (column → value), read in one transaction so the tables agree.
    pub async fn student_records(&self, guild: &GuildId, user: &UserId) -> Result<Value> {
        let context = || format!("reading the records of user {user} of guild {guild}");
        let mut conn = self.reader.acquire().await.with_context(context)?;
        let mut tx = conn.begin().await.with_context(context)?;
        let mut tables = Map::new();
        // Shown parents first: the user row, then what hangs from it.
        for s in STUDENT_ROWS.iter().rev() {
            let sql =
                format!("SELECT * FROM {table} t WHERE t.guild_id = $1 AND ({filter}) ORDER BY {order}", table = s.table, filter = s.filter, order = s.order);
            let found = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(guild.as_str())
                .bind(user.as_str())
                .fetch_all(&mut *tx)
                .await
                .with_context(|| format!("{} (table {})", context(), s.table))?;
            let rows: Vec<Value> = found.iter().map(row_json).collect();
            tables.insert(s.table.to_owned(), Value::Array(rows));
        }
        tx.commit().await.with_context(context)?;
        Ok(Value::Object(tables))
    }
}

/// A row as a JSON object, each column as the number, text or null it holds.
fn row_json(row: &AnyRow) -> Value {
    let mut object = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let null = row.try_get_raw(i).map_or(true, |v| v.is_null());
        let value = if null {
            Value::Null
        } else if let Ok(n) = row.try_get::<i64, _>(i) {
            Value::from(n)
        } else if let Ok(n) = row.try_get::<i32, _>(i) {
            Value::from(n)
        } else if let Ok(x) = row.try_get::<f64, _>(i) {
            Value::from(x)
        } else if let Ok(s) = row.try_get::<String, _>(i) {
            Value::from(s)
        } else {
            Value::Null
        };
        object.insert(column.name().to_owned(), value);
    }
    Value::Object(object)
}
