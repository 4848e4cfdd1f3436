//! What the operator's health check and metrics read from the store: whether it answers,
//! and how many rounds and debates are open.
//!
//! Invariant: both are single cheap reads that change nothing.

use super::Store;
use super::error::{Context, Result};

impl Store {
    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.reader).await.context("checking that the database answers")?;
        Ok(())
    }

    /// How many live rounds and how many debates are open, in every server.
    pub async fn open_counts(&self) -> Result<(i64, i64)> {
        let rounds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE status = 'open' AND kind = 'live'")
            .fetch_one(&self.reader)
            .await
            .context("counting open rounds")?;
        let debates: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM debates WHERE status = 'open'").fetch_one(&self.reader).await.context("counting open debates")?;
        Ok((rounds, debates))
    }
}
