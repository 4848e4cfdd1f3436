//! The instructor's page over HTTP: `GET /dashboard/{token}` (the class at a glance),
//! `GET /dashboard/{token}/gradebook.csv` (the same file as `/scores export`),
//! `GET /dashboard/{token}/bank/{file}` (a file of the bank in use, each line numbered and
//! linkable, as `#L12`) and its one stylesheet. A face like the others: it asks the layer for the report a token opens and
//! renders it (`page.rs`), never deciding who may read what.
//!
//! Invariants: a token that opens nothing gets 403 and no data, and a client address that
//! sends [`FAILURES_ALLOWED`] such tokens within a minute gets 429 until the minute is over;
//! every response carries `Cache-Control: no-store`, a Content-Security-Policy that allows
//! no script and nothing from elsewhere, and `X-Content-Type-Options: nosniff`; the page
//! only reads.

mod page;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::app::{App, AppError, BankFileView};
use crate::ids::Millis;

/// Bad tokens one client address may send in a minute before it is turned away.
pub const FAILURES_ALLOWED: u32 = 10;
const WINDOW_MS: Millis = 60_000;

/// The policy every response carries: nothing but this origin's stylesheet and inline SVG.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(Clone)]
struct Web {
    app: Arc<App>,
    /// The reverse proxy whose `X-Forwarded-For` names the client (`web_trusted_proxy`).
    trusted_proxy: Option<IpAddr>,
    /// Per client address: when its window opened and the bad tokens sent in it.
    failures: Arc<Mutex<HashMap<IpAddr, (Millis, u32)>>>,
}

/// The page's routes over `app`, for [`listen`] and for tests (serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()`).
pub fn router(app: Arc<App>) -> Router {
    router_behind(app, None)
}

/// [`router`] behind a reverse proxy at `trusted_proxy`: a request from that address counts
/// against the client the proxy names last in `X-Forwarded-For` (the address it saw), so one
/// client's bad links do not turn every other client away.
pub fn router_behind(app: Arc<App>, trusted_proxy: Option<IpAddr>) -> Router {
    Router::new()
        .route("/dashboard.css", get(stylesheet))
        .route("/dashboard/{token}", get(dashboard))
        .route("/dashboard/{token}/gradebook.csv", get(gradebook))
        .route("/dashboard/{token}/bank/{*file}", get(bank_file))
        .fallback(|| async { secured(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "Nothing here.\n".into()) })
        .with_state(Web { app, trusted_proxy, failures: Arc::default() })
}

/// Binds `addr` now (so a bad address fails the start-up) and serves the page until
/// `shutdown`.
pub async fn listen(
    addr: &str,
    app: Arc<App>,
    trusted_proxy: Option<IpAddr>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot listen for the class page on {addr} (web_addr): {e}"))?;
    let bound = listener.local_addr()?;
    let service = router_behind(app, trusted_proxy).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, service).with_graceful_shutdown(shutdown).await {
            tracing::error!("the class page's listener stopped: {e}");
        }
    });
    tracing::info!(addr = %bound, "the class page listening on {bound}");
    Ok(bound)
}

#[derive(serde::Deserialize, Default)]
struct Sort {
    /// Sort the heatmap's students by this topic's accuracy (weakest first); by name when absent.
    by: Option<String>,
}

async fn dashboard(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(sort): Query<Sort>,
) -> Response {
    let client = web.client(peer, &headers);
    if let Some(refused) = web.turned_away(client) {
        return refused;
    }
    match web.app.dashboard(&token).await {
        Ok(Some(report)) => secured(StatusCode::OK, "text/html; charset=utf-8", page::render(&report, &token, sort.by.as_deref())),
        Ok(None) => web.refuse(client),
        Err(e) => internal(e),
    }
}

async fn gradebook(State(web): State<Web>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, Path(token): Path<String>) -> Response {
    let client = web.client(peer, &headers);
    if let Some(refused) = web.turned_away(client) {
        return refused;
    }
    match web.app.dashboard_gradebook(&token).await {
        Ok(Some(csv)) => {
            let mut response = secured(StatusCode::OK, "text/csv; charset=utf-8", csv);
            response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"gradebook.csv\""));
            response
        }
        Ok(None) => web.refuse(client),
        Err(e) => internal(e),
    }
}

async fn bank_file(
    State(web): State<Web>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((token, file)): Path<(String, String)>,
) -> Response {
    let client = web.client(peer, &headers);
    if let Some(refused) = web.turned_away(client) {
        return refused;
    }
    match web.app.dashboard_bank_file(&token, &file).await {
        Ok(Some(view @ BankFileView::Found { .. })) => secured(StatusCode::OK, "text/html; charset=utf-8", page::bank_file(&view, &token)),
        Ok(Some(view @ BankFileView::Missing { .. })) => secured(StatusCode::NOT_FOUND, "text/html; charset=utf-8", page::bank_file(&view, &token)),
        Ok(None) => web.refuse(client),
        Err(e) => internal(e),
    }
}

async fn stylesheet() -> Response {
    secured(StatusCode::OK, "text/css; charset=utf-8", page::STYLE.into())
}

impl Web {
    /// The address a request counts against: the peer's, or, when the peer is the trusted
    /// proxy, the last address of `X-Forwarded-For` (the one that proxy appended; earlier ones
    /// are the client's to forge). A proxy that sends no usable header counts as itself.
    fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.ip();
        if self.trusted_proxy != Some(peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok())
            .unwrap_or(peer)
    }

    /// 429 when `ip` has used up its bad tokens for this minute.
    fn turned_away(&self, ip: IpAddr) -> Option<Response> {
        let now = self.app.now();
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(&ip) {
            Some(&(since, n)) if now - since < WINDOW_MS && n >= FAILURES_ALLOWED => Some(secured(
                StatusCode::TOO_MANY_REQUESTS,
                "text/plain; charset=utf-8",
                "Too many links that do not work came from your address: wait a minute, then ask for a new link with /dashboard in Discord.\n".into(),
            )),
            _ => None,
        }
    }

    /// 403 for a token that opens nothing, counted against `ip`.
    fn refuse(&self, ip: IpAddr) -> Response {
        let now = self.app.now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Forget windows that are over, so the map holds only this minute's addresses.
        failures.retain(|_, (since, _)| now - *since < WINDOW_MS);
        failures.entry(ip).or_insert((now, 0)).1 += 1;
        secured(
            StatusCode::FORBIDDEN,
            "text/plain; charset=utf-8",
            "This link does not open a class page: it was altered, has expired, or was revoked. Ask for a new one with /dashboard in Discord.\n".into(),
        )
    }
}

fn internal(e: AppError) -> Response {
    tracing::error!("the class page: {:?}", anyhow::Error::new(e));
    secured(StatusCode::INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", format!("{}\n", crate::app::APOLOGY))
}

/// A response with the headers every answer of the page carries.
fn secured(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
