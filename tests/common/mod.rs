//! What the integration tests share: the bundled bank, a SQLite store in a temporary folder,
//! a fresh PostgreSQL database per test, and the name a test runs under.
//!
//! PostgreSQL: the tests run at `AGORA_TEST_POSTGRES_URL`'s server when it is set (and fail,
//! saying so, if it cannot be reached: `.ci/run` sets it), otherwise at
//! `postgres://postgres@127.0.0.1:5432/test` if anything answers there; when nothing does,
//! each PostgreSQL test returns at once and the run says so once, on one line of stderr.
//! Invariant: a database a test creates is dropped when its [`Postgres`] guard goes, also
//! when the test panics.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::OnceLock;
use std::time::Duration;

use agora::bank::{self, Bank};
use agora::store::Store;
use sqlx::migrate::MigrateDatabase;

/// A moment far from the epoch, where the tests' clocks start.
pub const START: i64 = 1_800_000_000_000;

/// The variable that names the PostgreSQL server the tests use.
pub const POSTGRES_VAR: &str = "AGORA_TEST_POSTGRES_URL";

/// Where the PostgreSQL tests look when [`POSTGRES_VAR`] is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The bank the repository ships.
pub fn bank() -> Bank {
    bank::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/questions")), None).expect("the bundled bank loads")
}

/// A store on a new SQLite file in `dir`.
pub async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    Store::connect(&format!("sqlite://{}/agora.db", dir.path().display())).await.expect("open SQLite store")
}

/// The name libtest gives the test `name` of the module at `module_path` (`module_path!()`:
/// this crate's name, then the module), for a test that runs this binary again as a child
/// with `--exact`.
pub fn this_test(module_path: &str, name: &str) -> String {
    let module = module_path.split_once("::").map_or("", |(_, m)| m);
    if module.is_empty() { name.to_string() } else { format!("{module}::{name}") }
}

/// Where the PostgreSQL tests run on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostgresServer {
    /// At this URL (its database name is replaced by each test's own).
    At(String),
    /// Nowhere: the variable is unset and nothing answers at the default; the sentence says
    /// how to run them.
    Skipped(String),
}

/// Decides where the PostgreSQL tests run: at `set` (the variable's value) whenever it is
/// set, reachable or not; otherwise at `default` if something accepts a connection at its
/// host and port within a second, else nowhere.
pub fn choose_postgres(set: Option<String>, default: &str) -> PostgresServer {
    if let Some(url) = set {
        return PostgresServer::At(url);
    }
    if answers(default) {
        return PostgresServer::At(default.to_string());
    }
    PostgresServer::Skipped(format!(
        "note: the PostgreSQL tests were skipped: nothing answers at {default} and {POSTGRES_VAR} is unset. \
         Start PostgreSQL there (trust auth, a role that may create databases) or set {POSTGRES_VAR}=postgres://USER@HOST:PORT/DB, as .ci/run does"
    ))
}

/// Whether something accepts a TCP connection at `url`'s host and port (5432 by default).
fn answers(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let address = if host_port.contains(':') { host_port.to_string() } else { format!("{host_port}:5432") };
    let Ok(addresses) = address.to_socket_addrs() else { return false };
    addresses.into_iter().any(|a| TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok())
}

/// This run's choice, made once; the first test to skip says so on stderr (past the test
/// harness's capture), once for the whole run.
fn postgres_server() -> Option<&'static str> {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    static NOTICE: std::sync::Once = std::sync::Once::new();
    match SERVER.get_or_init(|| choose_postgres(std::env::var(POSTGRES_VAR).ok(), DEFAULT_POSTGRES_URL)) {
        PostgresServer::At(url) => Some(url),
        PostgresServer::Skipped(why) => {
            NOTICE.call_once(|| {
                let _ = writeln!(std::io::stderr(), "{why}");
            });
            None
        }
    }
}

/// `base` with its database name replaced by `name`.
pub fn with_database(base: &str, name: &str) -> String {
    let (main, query) = base.split_once('?').map_or((base, None), |(m, q)| (m, Some(q)));
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let server = main[scheme_end..].find('/').map_or(main, |slash| &main[..scheme_end + slash]);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// A fresh, empty PostgreSQL database for one test, dropped when this guard is (at the end
/// of the test, or while a panic unwinds it). `.0` is its URL.
#[derive(Debug)]
pub struct Postgres(pub String);

impl Postgres {
    /// A new database on this run's server, or `None` when the PostgreSQL tests are skipped
    /// (the caller returns at once).
    pub async fn new() -> Option<Postgres> {
        let base = postgres_server()?;
        Some(Postgres::on(base).await)
    }

    /// A new database on the server of `base`; panics, naming the server and what to do, if
    /// it cannot be created within 10 s.
    pub async fn on(base: &str) -> Postgres {
        sqlx::any::install_default_drivers();
        let url = with_database(base, &format!("agora_test_{:016x}", rand::random::<u64>()));
        match tokio::time::timeout(Duration::from_secs(10), sqlx::Any::create_database(&url)).await {
            Ok(Ok(())) => Postgres(url),
            Ok(Err(e)) => panic!("PostgreSQL at {base} is unreachable or refused CREATE DATABASE ({e}); start PostgreSQL or set {POSTGRES_VAR}"),
            Err(_) => panic!("PostgreSQL at {base} did not answer within 10 s; start PostgreSQL or set {POSTGRES_VAR}"),
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let url = self.0.clone();
        // On a thread with a runtime of its own: drop runs inside a test's runtime or outside
        // any, and must not panic while a panic unwinds.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            rt.block_on(sqlx::Any::force_drop_database(&url)).map_err(|e| e.to_string())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = writeln!(std::io::stderr(), "could not drop the test database {}: {e}", self.0);
            }
            Err(_) => {
                let _ = writeln!(std::io::stderr(), "dropping the test database {} panicked", self.0);
            }
        }
    }
}

/// A local port nothing listens on: one the system just handed out, closed again.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("postgres://postgres@127.0.0.1:{port}/test")
}

#[test]
fn the_postgres_tests_are_skipped_when_the_variable_is_unset_and_nothing_answers_at_the_default() {
    let closed = closed_port_url();
    let PostgresServer::Skipped(why) = choose_postgres(None, &closed) else { panic!("nothing answers at {closed}, yet the tests would run there") };
    assert!(!why.contains('\n'), "one line: {why}");
    assert!(why.contains("PostgreSQL tests were skipped") && why.contains(&closed) && why.contains(&format!("set {POSTGRES_VAR}=")), "{why}");
}

#[tokio::test]
async fn the_postgres_tests_fail_when_the_variable_names_a_server_that_does_not_answer() {
    let closed = closed_port_url();
    assert_eq!(choose_postgres(Some(closed.clone()), DEFAULT_POSTGRES_URL), PostgresServer::At(closed.clone()), "a set variable is never skipped");
    let failed = tokio::spawn(async move { Postgres::on(&closed).await }).await.expect_err("no database on a closed port");
    let message = failed.into_panic();
    let message = message.downcast_ref::<String>().map(String::as_str).unwrap_or_default();
    assert!(message.starts_with("PostgreSQL at postgres://postgres@127.0.0.1:") && message.contains(POSTGRES_VAR), "{message}");
}

#[tokio::test]
async fn a_test_database_is_dropped_even_when_its_test_panics() {
    let Some(server) = postgres_server() else { return };
    let server = server.to_string();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let test = tokio::spawn(async move {
        let db = Postgres::on(&server).await;
        tx.send(db.0.clone()).expect("the test waits for the URL");
        panic!("a failing check");
    });
    let url = rx.await.expect("the database was created");
    assert!(test.await.expect_err("the check panicked").is_panic());
    sqlx::any::install_default_drivers();
    assert!(!sqlx::Any::database_exists(&url).await.expect("ask the server"), "{url} is left behind");
}

#[test]
fn a_database_name_is_replaced_in_a_url() {
    assert_eq!(with_database("postgres://p@h:5432/test", "x"), "postgres://p@h:5432/x");
    assert_eq!(with_database("postgres://p@h/test?sslmode=disable", "x"), "postgres://p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://p@h", "x"), "postgres://p@h/x");
}
