//! Opening a database, on SQLite and PostgreSQL: several processes opening a new one at the
//! same moment; a database that is another program's, or a newer Agora's, refused before
//! anything is written; a read-only one named as such.
//!
//! PostgreSQL checks create a fresh database at `AGORA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`; the role must be allowed to create databases)
//! and drop it afterwards; they are skipped as `tests/common` says.

use std::path::Path;

use agora::store::{Store, StoreError};
use sqlx::{Connection, Executor};

use crate::common::{Postgres, this_test};

// ---------------------------------------------------------------- helpers

/// A fresh, empty PostgreSQL database (dropped with its `common::Postgres` guard, even when
/// the test panics), with what these checks do on it.
struct FreshPostgres {
    url: String,
    _guard: Postgres,
}

impl FreshPostgres {
    /// `None` when the PostgreSQL tests are skipped on this machine.
    async fn new() -> Option<FreshPostgres> {
        let guard = Postgres::new().await?;
        Some(FreshPostgres { url: guard.0.clone(), _guard: guard })
    }

    async fn run(&self, sql: impl Into<String>) {
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        conn.execute(sqlx::AssertSqlSafe(sql.into())).await.unwrap();
        conn.close().await.unwrap();
    }

    /// The tables of the database's public schema, by name.
    async fn tables(&self) -> Vec<String> {
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        let names = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        names
    }
}

/// Opens `url` from `n` processes at once: this test binary run again as children, each
/// connecting at the same instant; returns each open's outcome (its stderr on failure).
fn open_at_once(url: &str, n: usize) -> Vec<Result<(), String>> {
    let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() + 300;
    let children: Vec<_> = (0..n)
        .map(|_| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", &this_test(module_path!(), "open_child"), "--nocapture", "--test-threads=1"])
                .env(CHILD_URL, url)
                .env(CHILD_AT, at.to_string())
                .env("RUST_BACKTRACE", "0")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            if out.status.success() && stdout.contains("1 passed") {
                return Ok(());
            }
            // The panic's message, without the test harness's report around it.
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(stderr.lines().skip_while(|l| !l.contains("panicked at")).skip(1).take_while(|l| !l.starts_with("note:")).collect::<Vec<_>>().join("\n"))
        })
        .collect()
}

const CHILD_URL: &str = "AGORA_OPEN_CHILD_URL";
const CHILD_AT: &str = "AGORA_OPEN_CHILD_AT";

/// The child of `open_at_once`: waits for the agreed instant, then opens the store. Run on
/// its own (without the variables) it has nothing to open and passes.
#[test]
fn open_child() {
    let (Ok(url), Ok(at)) = (std::env::var(CHILD_URL), std::env::var(CHILD_AT)) else { return };
    let at: u128 = at.parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    while std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() < at {
        std::hint::spin_loop();
    }
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap_or_else(|e| panic!("{e}: {:?}", std::error::Error::source(&e)));
        store.close().await;
    });
}

// ---------------------------------------------------------------- two processes at once

#[test]
fn a_new_sqlite_file_opened_by_several_processes_at_once_is_migrated_once() {
    for attempt in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/agora.db", dir.path().display());
        let failures: Vec<String> = open_at_once(&url, 4).into_iter().filter_map(Result::err).collect();
        assert_eq!(failures, Vec::<String>::new(), "attempt {attempt}");
    }
}

#[test]
fn a_new_postgres_database_opened_by_several_processes_at_once_is_migrated_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for attempt in 0..20 {
        let Some(db) = rt.block_on(FreshPostgres::new()) else { return };
        let failures: Vec<String> = open_at_once(&db.url, 4).into_iter().filter_map(Result::err).collect();
        assert_eq!(failures, Vec::<String>::new(), "attempt {attempt}");
        drop(db);
    }
}

// ---------------------------------------------------------------- another program's, a newer Agora's

/// Runs `sql` on the SQLite file at `path` (created if missing) without Agora's store, in
/// SQLite's default rollback journal, as another program would.
async fn sqlite_run(path: &Path, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", path.display())).await.unwrap();
    conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await.unwrap();
    conn.close().await.unwrap();
}

/// Every file of `dir`, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn another_programs_sqlite_database_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    // Its tables include one whose name Agora uses too.
    sqlite_run(&path, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('Ada'); CREATE TABLE guilds (id TEXT)").await;
    let before = files(dir.path());
    let url = format!("sqlite://{}", path.display());
    let err = Store::connect(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::NotAgoras { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{url} is not Agora's database: it holds other tables (guilds, people) and no Agora migration history. Nothing was written to it. Point DATABASE_URL at a new file or an empty database, or at Agora's own"
        )
    );
    // Not switched to WAL, no table added: every file as it was, and no other file.
    assert_eq!(files(dir.path()), before);
}

/// A file holding no table but another object (a view here; a trigger, an index or a virtual
/// table each need a table or make one) is not empty: it is another program's.
#[tokio::test]
async fn a_sqlite_file_holding_only_a_view_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("views.db");
    sqlite_run(&path, "CREATE VIEW report AS SELECT 1 AS one").await;
    let before = files(dir.path());
    let url = format!("sqlite://{}", path.display());
    let err = Store::connect(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::NotAgoras { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{url} is not Agora's database: it holds other objects (view report) and no Agora migration history. Nothing was written to it. Point DATABASE_URL at a new file or an empty database, or at Agora's own"
        )
    );
    assert_eq!(files(dir.path()), before);
}

#[tokio::test]
async fn a_sqlite_database_from_a_newer_agora_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.db");
    let url = format!("sqlite://{}", path.display());
    Store::connect(&url).await.unwrap().close().await;
    sqlite_run(
        &path,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99999, 'from a newer agora', 1, X'00', 0)",
    )
    .await;
    let before = files(dir.path());
    let err = Store::connect(&url).await.unwrap_err();
    assert!(matches!(err, StoreError::NewerAgora { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&format!("{url} was written by a newer Agora: it has migration 99999, and this agora knows migrations up to ")), "{message}");
    assert!(message.contains("Nothing was written to it. Run the newer agora on it"), "{message}");
    assert_eq!(files(dir.path()), before);
}

#[tokio::test]
async fn a_file_that_is_not_a_sqlite_database_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "These are my notes, not a database.\n".repeat(200)).unwrap();
    let before = files(dir.path());
    let err = Store::connect(&format!("sqlite://{}", path.display())).await.unwrap_err();
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{} is not a SQLite database", path.display())), "{err}");
    assert_eq!(files(dir.path()), before);
}

#[tokio::test]
async fn another_programs_postgres_database_is_refused_before_anything_is_written() {
    let Some(db) = FreshPostgres::new().await else { return };
    db.run("CREATE TABLE people (id INT PRIMARY KEY, name TEXT); INSERT INTO people VALUES (1, 'Ada')").await;
    let err = Store::connect(&db.url).await.unwrap_err();
    assert!(matches!(err, StoreError::NotAgoras { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{} is not Agora's database: it holds other tables (people)", db.url)), "{err}");
    assert_eq!(db.tables().await, ["people"], "no table added");
}

/// Every schema counts, not only `public`: a database whose only objects are another
/// program's table, enum and sequence in its own schema is refused, and nothing is written
/// (no Agora table, no migration history, in any schema).
#[tokio::test]
async fn a_postgres_database_with_another_programs_schema_is_refused_before_anything_is_written() {
    let Some(db) = FreshPostgres::new().await else { return };
    db.run("CREATE SCHEMA other; CREATE TYPE other.mood AS ENUM ('happy', 'sad'); CREATE SEQUENCE other.tickets; CREATE TABLE other.people (id INT PRIMARY KEY, mood other.mood)")
        .await;
    let err = Store::connect(&db.url).await.unwrap_err();
    assert!(matches!(err, StoreError::NotAgoras { .. }), "{err:?}");
    let message = err.to_string();
    for found in ["table other.people", "sequence other.tickets", "type other.mood"] {
        assert!(message.contains(found), "{found}: {message}");
    }
    assert!(message.contains("Nothing was written to it. Point DATABASE_URL at a new file or an empty database, or at Agora's own"), "{message}");
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_schema::text || '.' || table_name::text FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    assert_eq!(tables, ["other.people"], "no table added in any schema");
}

#[tokio::test]
async fn a_postgres_database_from_a_newer_agora_is_refused_before_anything_is_written() {
    let Some(db) = FreshPostgres::new().await else { return };
    Store::connect(&db.url).await.unwrap().close().await;
    db.run("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99999, 'from a newer agora', true, '\\x00', 0)")
        .await;
    let tables = db.tables().await;
    db.run("CREATE TABLE canary (n INT); INSERT INTO canary SELECT count(*) FROM _sqlx_migrations").await;
    let err = Store::connect(&db.url).await.unwrap_err();
    assert!(matches!(err, StoreError::NewerAgora { .. }), "{err:?}");
    assert!(err.to_string().contains("it has migration 99999"), "{err}");
    let mut after = db.tables().await;
    after.retain(|t| t != "canary");
    assert_eq!(after, tables);
}

// ---------------------------------------------------------------- read-only

#[tokio::test]
async fn a_read_only_sqlite_database_says_so_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.db");
    Store::connect(&format!("sqlite://{}", path.display())).await.unwrap().close().await;
    // What a file the user may not write gives (root may write any file, so the test asks
    // SQLite for a read-only connection instead of changing the file's mode): reading works,
    // and a write says why it cannot be done.
    let store = Store::connect(&format!("sqlite://{}?mode=ro", path.display())).await.expect("a read-only Agora database opens for reading");
    assert_eq!(store.guild_settings("g1").await.unwrap(), None);
    let err = store.upsert_user("g1", "u1", "Ada").await.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "saving user u1 of guild g1: the database is read-only. Make the database file and its folder writable by the user running agora (SQLite also writes FILE-wal and FILE-shm beside it), or point DATABASE_URL at a writable place"
    );
    store.close().await;
}

#[tokio::test]
async fn a_read_only_sqlite_file_that_needs_migrating_says_so_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.db");
    // An empty database in the rollback journal: opening it must switch it to WAL.
    sqlite_run(&path, "PRAGMA user_version = 0").await;
    let err = Store::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(": the database is read-only. Make the database file and its folder writable"), "{message}");
}

#[tokio::test]
async fn a_folder_where_the_sqlite_file_should_be_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::connect(&format!("sqlite://{}", dir.path().display())).await.unwrap_err();
    assert!(matches!(err, StoreError::CannotOpen { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!("cannot open or create the SQLite database {}: check that its folder is writable", dir.path().display())),
        "{err}"
    );
}

#[tokio::test]
async fn a_read_only_postgres_database_says_so_and_what_to_do() {
    let Some(db) = FreshPostgres::new().await else { return };
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    db.run(format!("ALTER DATABASE {name} SET default_transaction_read_only = on")).await;
    let err = Store::connect(&db.url).await.unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("the database is read-only. The server refuses writes"), "{message}");
}
