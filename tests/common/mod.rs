//! What the classroom-layer tests share: the bundled bank, a SQLite store in a temporary
//! folder, and a fresh PostgreSQL database per test, dropped afterwards.

use agora::bank::{self, Bank};
use agora::store::Store;
use sqlx::migrate::MigrateDatabase;

/// A moment far from the epoch, where the tests' clocks start.
pub const START: i64 = 1_800_000_000_000;

/// The bank the repository ships.
pub fn bank() -> Bank {
    bank::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/questions")), None).expect("the bundled bank loads")
}

/// A store on a new SQLite file in `dir`.
pub async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    Store::connect(&format!("sqlite://{}/agora.db", dir.path().display())).await.expect("open SQLite store")
}

/// A fresh PostgreSQL database for one test (at `AGORA_TEST_POSTGRES_URL`'s server, by
/// default postgres://postgres@127.0.0.1:5432), dropped by [`Postgres::drop`].
pub struct Postgres(pub String);

impl Postgres {
    pub async fn new() -> Postgres {
        sqlx::any::install_default_drivers();
        let base = std::env::var("AGORA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let server = &base[..base.rfind('/').expect("a database URL ends in /NAME")];
        let url = format!("{server}/agora_test_{:016x}", rand::random::<u64>());
        sqlx::Any::create_database(&url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {base} refused CREATE DATABASE ({e}); start it or set AGORA_TEST_POSTGRES_URL"));
        Postgres(url)
    }

    pub async fn drop(self) {
        sqlx::Any::force_drop_database(&self.0).await.expect("drop the test database");
    }
}
