//! What an operator can measure: the names of the bot's metrics and the recorder that
//! renders them in Prometheus's text format.
//!
//! Invariant: metrics cost nothing unless switched on. Every `metrics::counter!` and
//! `histogram!` in the code is a no-op until [`install`] sets the recorder, which happens
//! only when `metrics_addr` is configured; no metric carries a student's text or id.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Interactions by `kind` (`command`, `component`, `modal`) and `outcome` (`ok`,
/// `user_error`, `internal_error`).
pub const INTERACTIONS: &str = "agora_interactions_total";
/// From an interaction received to its first response sent, in seconds (buttons and modals).
pub const FIRST_RESPONSE: &str = "agora_first_response_seconds";
/// Answers the store committed (each counted once).
pub const ANSWERS: &str = "agora_answers_recorded_total";
/// Live answers turned away at once, unrecorded, because `answers_in_flight` were being
/// handled already; and answers committed whose student could not be told (Discord refused
/// the deferral), which should stay at zero.
pub const ANSWERS_TURNED_AWAY: &str = "agora_answers_turned_away_total";
pub const ANSWERS_UNACKNOWLEDGED: &str = "agora_answers_unacknowledged_total";
/// How long committing answers took, in seconds (one insert, or one batch on SQLite).
pub const COMMIT: &str = "agora_store_commit_seconds";
/// How many answers one SQLite batch committed.
pub const BATCH: &str = "agora_store_batch_size";
/// Live rounds and debates open now (set when `/metrics` is read).
pub const OPEN_ROUNDS: &str = "agora_open_rounds";
pub const OPEN_DEBATES: &str = "agora_open_debates";
/// Each shard's heartbeat latency in seconds, and whether it is connected (1) or not (0).
pub const GATEWAY_LATENCY: &str = "agora_gateway_latency_seconds";
pub const SHARD_CONNECTED: &str = "agora_shard_connected";

/// Installs the process's metrics recorder and returns the handle that renders it.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(FIRST_RESPONSE.into()), &seconds)?
        .set_buckets_for_metric(Matcher::Full(COMMIT.into()), &seconds)?
        .set_buckets_for_metric(Matcher::Full(BATCH.into()), &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0])?
        .install_recorder()?;
    Ok(handle)
}
