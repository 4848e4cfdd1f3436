//! Rounds in the store: created open, moved on item by item, then finished or abandoned.
//!
//! Invariant: only an `open` round changes; a finished or abandoned round is history, so a
//! late timer or a second "stop" after a restart cannot rewrite it.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::error::{Context, Result, StoreError};
use super::model::{NewRound, Round, RoundKind, RoundProgress, RoundStatus};
use sqlx::Connection;

const ROUND_COLUMNS: &str =
    "guild_id, round_id, kind, channel_id, started_by, item_ids, current_index,
    opened_at, revealed, open_seconds, status, started_at, ended_at";

impl Store {
    /// Stores a new open round (creating its guild if new) and returns it as stored.
    pub async fn create_round(&self, new: &NewRound) -> Result<Round> {
        let context = || format!("creating round {} in guild {}", new.round_id, new.guild_id);
        let item_ids = serde_json::to_string(&new.item_ids).map_err(|e| StoreError::Corrupt {
            table: "rounds",
            detail: format!("item ids do not serialise: {e}"),
        })?;
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        sqlx::query(
            "INSERT INTO guilds (id, settings) VALUES ($1, '{}') ON CONFLICT (id) DO NOTHING",
        )
        .bind(&new.guild_id)
        .execute(&mut *tx)
        .await
        .with_context(context)?;
        let inserted = sqlx::query(
            "INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids,
                 current_index, opened_at, revealed, open_seconds, status, started_at, ended_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, 0, $7, 'open', $8, NULL)
             ON CONFLICT (guild_id, round_id) DO NOTHING",
        )
        .bind(&new.guild_id)
        .bind(&new.round_id)
        .bind(new.kind.as_str())
        .bind(new.channel_id.as_deref())
        .bind(&new.started_by)
        .bind(item_ids)
        .bind(i64::from(new.open_seconds))
        .bind(new.started_at)
        .execute(&mut *tx)
        .await
        .with_context(context)?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::RoundExists {
                guild_id: new.guild_id.clone(),
                round_id: new.round_id.clone(),
            });
        }
        tx.commit().await.with_context(context)?;
        Ok(Round {
            guild_id: new.guild_id.clone(),
            round_id: new.round_id.clone(),
            kind: new.kind,
            channel_id: new.channel_id.clone(),
            started_by: new.started_by.clone(),
            item_ids: new.item_ids.clone(),
            current_index: 0,
            opened_at: None,
            revealed: false,
            open_seconds: new.open_seconds,
            status: RoundStatus::Open,
            started_at: new.started_at,
            ended_at: None,
        })
    }

    /// The round with this id in this guild, whatever its status.
    pub async fn round(&self, guild_id: &str, round_id: &str) -> Result<Option<Round>> {
        let row = sqlx::query(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE guild_id = $1 AND round_id = $2"
        ))
        .bind(guild_id)
        .bind(round_id)
        .fetch_optional(&self.reader)
        .await
        .with_context(|| format!("reading round {round_id} of guild {guild_id}"))?;
        row.as_ref().map(round_from_row).transpose()
    }

    /// The rounds one user started that are still open in one guild, oldest first: what a
    /// terminal session closes before it starts another. Other guilds' rows are not read.
    pub async fn open_rounds_started_by(&self, guild_id: &str, started_by: &str) -> Result<Vec<Round>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE status = 'open' AND guild_id = $1 AND started_by = $2
             ORDER BY started_at, round_id"
        ))
        .bind(guild_id)
        .bind(started_by)
        .fetch_all(&self.reader)
        .await
        .with_context(|| format!("listing open rounds of {started_by} in guild {guild_id}"))?;
        rows.iter().map(round_from_row).collect()
    }

    /// Every round still open, in every guild, oldest first: after a restart the bot resumes
    /// each one or abandons it.
    pub async fn open_rounds(&self) -> Result<Vec<Round>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROUND_COLUMNS} FROM rounds WHERE status = 'open'
             ORDER BY started_at, guild_id, round_id"
        ))
        .fetch_all(&self.reader)
        .await
        .context("listing open rounds")?;
        rows.iter().map(round_from_row).collect()
    }

    /// Saves where an open round is: which item, since when, whether it is revealed.
    pub async fn update_round_progress(
        &self,
        guild_id: &str,
        round_id: &str,
        progress: RoundProgress,
    ) -> Result<()> {
        let index = i64::try_from(progress.current_index).map_err(|_| StoreError::Corrupt {
            table: "rounds",
            detail: format!("item index {} out of range", progress.current_index),
        })?;
        let mut conn = self.writer.acquire().await?;
        let done = sqlx::query(
            "UPDATE rounds SET current_index = $3, opened_at = $4, revealed = $5
             WHERE guild_id = $1 AND round_id = $2 AND status = 'open'",
        )
        .bind(guild_id)
        .bind(round_id)
        .bind(index)
        .bind(progress.opened_at)
        .bind(i32::from(progress.revealed))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("saving progress of round {round_id} in guild {guild_id}"))?;
        not_open_unless_updated(done.rows_affected(), guild_id, round_id)
    }

    /// Marks an open round finished at `ended_at` (Unix ms).
    pub async fn finish_round(&self, guild_id: &str, round_id: &str, ended_at: i64) -> Result<()> {
        self.close_round(guild_id, round_id, RoundStatus::Finished, ended_at)
            .await
    }

    /// Marks an open round abandoned at `ended_at` (Unix ms); its answers still count.
    pub async fn abandon_round(&self, guild_id: &str, round_id: &str, ended_at: i64) -> Result<()> {
        self.close_round(guild_id, round_id, RoundStatus::Abandoned, ended_at)
            .await
    }

    async fn close_round(
        &self,
        guild_id: &str,
        round_id: &str,
        status: RoundStatus,
        ended_at: i64,
    ) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        let done = sqlx::query(
            "UPDATE rounds SET status = $3, ended_at = $4
             WHERE guild_id = $1 AND round_id = $2 AND status = 'open'",
        )
        .bind(guild_id)
        .bind(round_id)
        .bind(status.as_str())
        .bind(ended_at)
        .execute(&mut *conn)
        .await
        .with_context(|| {
            format!(
                "marking round {round_id} of guild {guild_id} {}",
                status.as_str()
            )
        })?;
        not_open_unless_updated(done.rows_affected(), guild_id, round_id)
    }
}

fn not_open_unless_updated(rows: u64, guild_id: &str, round_id: &str) -> Result<()> {
    if rows == 0 {
        Err(StoreError::RoundNotOpen {
            guild_id: guild_id.to_owned(),
            round_id: round_id.to_owned(),
        })
    } else {
        Ok(())
    }
}

fn round_from_row(row: &AnyRow) -> Result<Round> {
    let get = |e: sqlx::Error| StoreError::Corrupt {
        table: "rounds",
        detail: e.to_string(),
    };
    let corrupt = |detail: String| StoreError::Corrupt {
        table: "rounds",
        detail,
    };
    let round_id: String = row.try_get("round_id").map_err(get)?;
    let kind: String = row.try_get("kind").map_err(get)?;
    let status: String = row.try_get("status").map_err(get)?;
    let item_ids: String = row.try_get("item_ids").map_err(get)?;
    let current_index: i64 = row.try_get("current_index").map_err(get)?;
    let open_seconds: i64 = row.try_get("open_seconds").map_err(get)?;
    let revealed: i64 = row.try_get("revealed").map_err(get)?;
    Ok(Round {
        guild_id: row.try_get("guild_id").map_err(get)?,
        kind: RoundKind::parse(&kind)
            .ok_or_else(|| corrupt(format!("round {round_id}: unknown kind {kind:?}")))?,
        channel_id: row.try_get("channel_id").map_err(get)?,
        started_by: row.try_get("started_by").map_err(get)?,
        item_ids: serde_json::from_str(&item_ids).map_err(|e| {
            corrupt(format!(
                "round {round_id}: item ids are not a JSON list: {e}"
            ))
        })?,
        current_index: usize::try_from(current_index)
            .map_err(|_| corrupt(format!("round {round_id}: negative item index")))?,
        opened_at: row.try_get("opened_at").map_err(get)?,
        revealed: revealed != 0,
        open_seconds: u32::try_from(open_seconds)
            .map_err(|_| corrupt(format!("round {round_id}: open_seconds out of range")))?,
        status: RoundStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("round {round_id}: unknown status {status:?}")))?,
        started_at: row.try_get("started_at").map_err(get)?,
        ended_at: row.try_get("ended_at").map_err(get)?,
        round_id,
    })
}
