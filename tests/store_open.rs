//! Opening a database, on SQLite and PostgreSQL: several processes opening a new one at the
//! same moment.
//!
//! PostgreSQL checks create a fresh database at `AGORA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`; the role must be allowed to create databases)
//! and drop it afterwards.

use std::sync::{Arc, Barrier};

use agora::store::Store;
use sqlx::migrate::MigrateDatabase;

// ---------------------------------------------------------------- helpers

fn postgres_base_url() -> String {
    std::env::var("AGORA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `base` with its database name replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (main, query) = base.split_once('?').map_or((base, None), |(m, q)| (m, Some(q)));
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let server = main[scheme_end..].find('/').map_or(main, |slash| &main[..scheme_end + slash]);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// A fresh, empty PostgreSQL database, dropped when the value is.
struct FreshPostgres {
    url: String,
}

impl FreshPostgres {
    async fn new() -> FreshPostgres {
        sqlx::any::install_default_drivers();
        let base = postgres_base_url();
        let url = with_database(&base, &format!("agora_open_{:016x}", rand::random::<u64>()));
        match tokio::time::timeout(std::time::Duration::from_secs(10), sqlx::Any::create_database(&url)).await {
            Ok(Ok(())) => FreshPostgres { url },
            Ok(Err(e)) => panic!("PostgreSQL at {base} refused CREATE DATABASE ({e}); start PostgreSQL or set AGORA_TEST_POSTGRES_URL"),
            Err(_) => panic!("PostgreSQL at {base} did not answer within 10 s; start PostgreSQL or set AGORA_TEST_POSTGRES_URL"),
        }
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        let url = self.url.clone();
        // A runtime of its own: drop may run inside or outside one.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(sqlx::Any::force_drop_database(&url)).unwrap_or_else(|e| panic!("could not drop {url}: {e}"));
        })
        .join()
        .unwrap();
    }
}

/// Opens `url` from `n` threads at once, each with its own runtime (as separate processes
/// would); returns each open's outcome.
fn open_at_once(url: &str, n: usize) -> Vec<Result<(), String>> {
    let barrier = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (url, barrier) = (url.to_string(), barrier.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    barrier.wait();
                    let store = Store::connect(&url).await.map_err(|e| format!("{e}: {:?}", std::error::Error::source(&e)))?;
                    store.close().await;
                    Ok(())
                })
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
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
        let db = rt.block_on(FreshPostgres::new());
        let failures: Vec<String> = open_at_once(&db.url, 4).into_iter().filter_map(Result::err).collect();
        assert_eq!(failures, Vec::<String>::new(), "attempt {attempt}");
        drop(db);
    }
}
