//! The operator's HTTP listener: `/healthz` answers 200 only when a gateway shard is
//! connected and the database answers; `/metrics` renders the bot's metrics in
//! Prometheus's text format, with the gauges read at that moment.
//!
//! Invariant: off unless `metrics_addr` is configured; it reads state and never changes it,
//! and it stops with the bot.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use poise::serenity_prelude as serenity;

use crate::app::App;
use crate::metrics::{GATEWAY_LATENCY, OPEN_DEBATES, OPEN_ROUNDS, SHARD_CONNECTED};

#[derive(Clone)]
struct Health {
    app: Arc<App>,
    shards: Arc<serenity::ShardManager>,
    metrics: PrometheusHandle,
}

/// Binds `addr` now (so a bad address fails the start-up) and serves until `shutdown`.
pub async fn listen(
    addr: &str,
    app: Arc<App>,
    shards: Arc<serenity::ShardManager>,
    metrics: PrometheusHandle,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<SocketAddr> {
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen for /healthz and /metrics on {addr} (metrics_addr): {e}"))?;
    let bound = listener.local_addr()?;
    let router = Router::new().route("/healthz", get(healthz)).route("/metrics", get(render)).with_state(Health { app, shards, metrics });
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
            tracing::error!("the metrics listener stopped: {e}");
        }
    });
    tracing::info!(addr = %bound, "metrics listening on {bound}");
    Ok(bound)
}

/// 200 when a shard is connected and the database answers; 503 with the reason otherwise.
async fn healthz(State(h): State<Health>) -> (StatusCode, String) {
    let connected = h.shards.runners.lock().await.values().any(|r| r.stage == serenity::ConnectionStage::Connected);
    if !connected {
        return (StatusCode::SERVICE_UNAVAILABLE, "no gateway shard is connected\n".into());
    }
    match h.app.store().ping().await {
        Ok(()) => (StatusCode::OK, "ok\n".into()),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("the database does not answer: {e}\n")),
    }
}

async fn render(State(h): State<Health>) -> String {
    for (id, runner) in h.shards.runners.lock().await.iter() {
        let shard = id.0.to_string();
        metrics::gauge!(SHARD_CONNECTED, "shard" => shard.clone()).set(f64::from(u8::from(runner.stage == serenity::ConnectionStage::Connected)));
        if let Some(latency) = runner.latency {
            metrics::gauge!(GATEWAY_LATENCY, "shard" => shard).set(latency.as_secs_f64());
        }
    }
    match h.app.store().open_counts().await {
        Ok((rounds, debates)) => {
            metrics::gauge!(OPEN_ROUNDS).set(rounds as f64);
            metrics::gauge!(OPEN_DEBATES).set(debates as f64);
        }
        Err(e) => tracing::warn!("metrics: {e}"),
    }
    h.metrics.render()
}
