//! Answers in the store: recorded once each, and only while their question is open; read
//! back to rebuild a round, tally a reveal or pick items.
//!
//! Invariant: the primary key (guild, round, item, user) makes recording idempotent, the
//! insert itself checks that the item is the open round's current question before its
//! deadline, and a `Counted` reply means the row is committed.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{AnswerRecord, Recorded};
use crate::ids::{GuildId, ItemId, RoundId, UserId};

const SELECT_ANSWER: &str = "SELECT a.guild_id AS guild_id, a.round_id AS round_id, a.item_id AS item_id,
    a.user_id AS user_id, a.response AS response, a.correct AS correct, a.credit AS credit,
    a.points AS points, a.elapsed_ms AS elapsed_ms, a.answered_at AS answered_at,
    u.display_name AS display_name
    FROM answers a JOIN users u ON u.guild_id = a.guild_id AND u.user_id = a.user_id";

/// An answer with the display name of the student who gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedAnswer {
    pub answer: AnswerRecord,
    pub display_name: String,
}

impl Store {
    /// Records a judged answer. Returns `Counted` once the new row is committed, `Duplicate`
    /// if this user already answered this item in this round (a double click, a replayed
    /// interaction; the first answer stands), or `Closed` if the item is not the open
    /// round's current question before its deadline (nothing is stored). The user must exist.
    pub async fn record_answer(&self, answer: &AnswerRecord) -> Result<Recorded> {
        self.answers.record(answer, None).await
    }

    /// [`Store::record_answer`] for a student who may not be stored yet, as a live click
    /// is: their row (with `display_name`) is written only when this process has not
    /// written it with that name ([`KnownUsers`](super::KnownUsers)), and then in the
    /// answer's own batch on SQLite. If the row has gone since (another process forgot the
    /// student), it is written again and the answer retried.
    pub async fn record_answer_of(&self, answer: &AnswerRecord, display_name: &str) -> Result<Recorded> {
        let (guild, user) = (answer.guild_id.as_str(), answer.user_id.as_str());
        let name = crate::text::typed(display_name);
        let known = self.known_users.holds(guild, user, &name);
        let recorded = match self.answers.record(answer, (!known).then_some(name.as_str())).await {
            Err(StoreError::UnknownRoundOrUser { .. }) if known => self.answers.record(answer, Some(&name)).await?,
            Ok(recorded) if known => return Ok(recorded),
            other => other?,
        };
        // The row was written with the answer (whatever the answer's outcome, it committed first).
        self.known_users.insert(guild, user, name);
        Ok(recorded)
    }

    /// Every answer of one round, in the order given, with the students' names: what a
    /// round's state (who answered, streaks) is rebuilt from after a restart.
    pub async fn round_answers(&self, guild_id: &GuildId, round_id: &RoundId) -> Result<Vec<NamedAnswer>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT_ANSWER} WHERE a.guild_id = $1 AND a.round_id = $2 ORDER BY a.answered_at, a.user_id")))
            .bind(guild_id.as_str().to_owned())
            .bind(round_id.as_str().to_owned())
            .fetch_all(&self.reader)
            .await
            .with_context(|| format!("reading the answers of round {round_id} in guild {guild_id}"))?;
        rows.iter().map(named_answer_from_row).collect()
    }

    /// Everyone's answer to one item of one round, earliest first, with their names: the
    /// tally a reveal shows.
    pub async fn answers_for_round_item(&self, guild_id: &GuildId, round_id: &RoundId, item_id: &ItemId) -> Result<Vec<NamedAnswer>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_ANSWER} WHERE a.guild_id = $1 AND a.round_id = $2 AND a.item_id = $3 ORDER BY a.answered_at, a.user_id"
        )))
        .bind(guild_id.as_str().to_owned())
        .bind(round_id.as_str().to_owned())
        .bind(item_id.as_str().to_owned())
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("reading answers to item {item_id} of round {round_id} in guild {guild_id}"))?;
        rows.iter().map(named_answer_from_row).collect()
    }

    /// Ids of the items this user most recently answered correctly, latest first, each once:
    /// what practice can skip for now.
    pub async fn recent_correct(&self, guild_id: &str, user_id: &str, limit: u32) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT item_id FROM answers
             WHERE guild_id = $1 AND user_id = $2 AND correct = 1
             GROUP BY item_id
             ORDER BY MAX(answered_at) DESC, item_id
             LIMIT $3",
        )
        .bind(guild_id.to_owned())
        .bind(user_id.to_owned())
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("reading recent correct answers of user {user_id} in guild {guild_id}"))
    }
}

fn named_answer_from_row(row: &AnyRow) -> Result<NamedAnswer> {
    let get = |e: sqlx::Error| StoreError::Corrupt { table: "answers", detail: e.to_string() };
    let correct: i64 = row.try_get("correct").map_err(get)?;
    let text = |name: &str| row.try_get::<String, _>(name).map_err(get);
    Ok(NamedAnswer {
        answer: AnswerRecord {
            guild_id: GuildId::new(text("guild_id")?),
            round_id: RoundId::new(text("round_id")?),
            item_id: ItemId::new(text("item_id")?),
            user_id: UserId::new(text("user_id")?),
            response: text("response")?,
            correct: correct != 0,
            credit: row.try_get("credit").map_err(get)?,
            points: row.try_get("points").map_err(get)?,
            elapsed_ms: row.try_get("elapsed_ms").map_err(get)?,
            answered_at: row.try_get("answered_at").map_err(get)?,
            review: None,
        },
        display_name: text("display_name")?,
    })
}
