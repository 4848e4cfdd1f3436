//! What the instructor's page reads beyond the scores: the key that signs its links and each
//! server's generation of them, the live rounds held with each question's spread, and the
//! debates released.
//!
//! Invariants: the signing key is generated once and then only read (two processes racing to
//! make it both end up with the first one written); a server's generation only grows, so a
//! revoked link never comes back; every report reads one guild's rows.

use std::collections::BTreeMap;

use sqlx::Row;

use super::Store;
use super::error::{Context, Result, StoreError};
use crate::ids::{DebateId, GuildId, Millis};

/// One question of a round held, as the class answered it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionHeld {
    pub item_id: String,
    pub answered: u64,
    pub correct: u64,
    /// How often each response was given, most picked first (for choice questions, the
    /// choice's index as text).
    pub responses: Vec<(String, u64)>,
}

/// A live round as held: when, how many took part, each question in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundHeld {
    pub round_id: String,
    pub started_at: Millis,
    /// `open`, `finished` or `abandoned`.
    pub status: String,
    /// Students who answered at least one question.
    pub participants: u64,
    pub questions: Vec<QuestionHeld>,
}

impl Store {
    /// The key named `name`, made by `fresh` the first time it is asked for.
    pub async fn web_key(&self, name: &str, fresh: impl FnOnce() -> String) -> Result<String> {
        let context = || format!("reading the key {name}");
        let mut conn = self.writer.acquire().await?;
        sqlx::query("INSERT INTO web_keys (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(fresh())
            .execute(&mut *conn)
            .await
            .with_context(context)?;
        sqlx::query_scalar("SELECT secret FROM web_keys WHERE name = $1").bind(name).fetch_one(&mut *conn).await.with_context(context)
    }

    /// The server's generation of page links: 0 until a first revocation.
    pub async fn link_generation(&self, guild_id: &GuildId) -> Result<i64> {
        let g: Option<i64> = sqlx::query_scalar("SELECT generation FROM dashboard_links WHERE guild_id = $1")
            .bind(guild_id.as_str())
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading the page links of guild {guild_id}"))?;
        Ok(g.unwrap_or(0))
    }

    /// Moves the server to its next generation of links (every earlier link stops working)
    /// and returns it.
    pub async fn bump_link_generation(&self, guild_id: &GuildId) -> Result<i64> {
        self.ensure_guild(guild_id.as_str()).await?;
        let context = || format!("revoking the page links of guild {guild_id}");
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "INSERT INTO dashboard_links (guild_id, generation) VALUES ($1, 1)
             ON CONFLICT (guild_id) DO UPDATE SET generation = dashboard_links.generation + 1",
        )
        .bind(guild_id.as_str())
        .execute(&mut *conn)
        .await
        .with_context(context)?;
        sqlx::query_scalar("SELECT generation FROM dashboard_links WHERE guild_id = $1")
            .bind(guild_id.as_str())
            .fetch_one(&mut *conn)
            .await
            .with_context(context)
    }

    /// The guild's live rounds, newest first, with each question put to the class (opened,
    /// or passed) and the answers it received.
    pub async fn rounds_held(&self, guild_id: &GuildId) -> Result<Vec<RoundHeld>> {
        let context = || format!("reading the rounds held in guild {guild_id}");
        let rounds = sqlx::query(
            "SELECT r.round_id AS round_id, r.started_at AS started_at, r.status AS status,
                    (SELECT COUNT(DISTINCT a.user_id) FROM answers a WHERE a.guild_id = r.guild_id AND a.round_id = r.round_id) AS participants
             FROM rounds r WHERE r.guild_id = $1 AND r.kind = 'live'
             ORDER BY r.started_at DESC, r.round_id",
        )
        .bind(guild_id.as_str())
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;
        let questions = sqlx::query(
            "SELECT q.round_id AS round_id, q.position AS position, q.item_id AS item_id
             FROM round_questions q
             JOIN rounds r ON r.guild_id = q.guild_id AND r.round_id = q.round_id
             WHERE q.guild_id = $1 AND r.kind = 'live'
               AND (q.position < r.current_index OR (q.position = r.current_index AND r.opened_at IS NOT NULL))
             ORDER BY q.round_id, q.position",
        )
        .bind(guild_id.as_str())
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;
        let picks = sqlx::query(
            "SELECT a.round_id AS round_id, a.item_id AS item_id, a.response AS response, COUNT(*) AS n, CAST(SUM(a.correct) AS BIGINT) AS c
             FROM answers a JOIN rounds r ON r.guild_id = a.guild_id AND r.round_id = a.round_id
             WHERE a.guild_id = $1 AND r.kind = 'live'
             GROUP BY a.round_id, a.item_id, a.response",
        )
        .bind(guild_id.as_str())
        .fetch_all(&self.reader)
        .await
        .with_context(context)?;

        let mut held: BTreeMap<(String, String), QuestionHeld> = BTreeMap::new();
        for row in &picks {
            let key = (text(row, "round_id")?, text(row, "item_id")?);
            let q = held.entry(key.clone()).or_insert_with(|| QuestionHeld { item_id: key.1, ..QuestionHeld::default() });
            let (n, c) = (number(row, "n")?, number(row, "c")?);
            q.answered += n;
            q.correct += c;
            q.responses.push((text(row, "response")?, n));
        }
        let mut per_round: BTreeMap<String, Vec<QuestionHeld>> = BTreeMap::new();
        for row in &questions {
            let (round, item) = (text(row, "round_id")?, text(row, "item_id")?);
            let mut q = held.remove(&(round.clone(), item.clone())).unwrap_or(QuestionHeld { item_id: item, ..QuestionHeld::default() });
            q.responses.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            per_round.entry(round).or_default().push(q);
        }
        rounds
            .iter()
            .map(|row| {
                let round_id = text(row, "round_id")?;
                Ok(RoundHeld {
                    questions: per_round.remove(&round_id).unwrap_or_default(),
                    round_id,
                    started_at: row.try_get("started_at").map_err(corrupt)?,
                    status: text(row, "status")?,
                    participants: number(row, "participants")?,
                })
            })
            .collect()
    }

    /// The guild's released debates, the latest released first.
    pub async fn released_debates(&self, guild_id: &GuildId) -> Result<Vec<DebateId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT debate_id FROM debates WHERE guild_id = $1 AND status = 'released' ORDER BY ended_at DESC, debate_id")
                .bind(guild_id.as_str())
                .fetch_all(&self.reader)
                .await
                .with_context(|| format!("reading the debates of guild {guild_id}"))?;
        Ok(ids.into_iter().map(DebateId::new).collect())
    }
}

fn text(row: &sqlx::any::AnyRow, column: &str) -> Result<String> {
    row.try_get(column).map_err(corrupt)
}

fn number(row: &sqlx::any::AnyRow, column: &str) -> Result<u64> {
    let n: i64 = row.try_get(column).map_err(corrupt)?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt { table: "answers", detail: format!("negative count {n} in {column}") })
}

fn corrupt(e: sqlx::Error) -> StoreError {
    StoreError::Corrupt { table: "rounds", detail: e.to_string() }
}
