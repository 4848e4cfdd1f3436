//! The store: the only owner of Agora's durable state (guilds, students, rounds, answers,
//! debates, prompt answers and the points they award).
//!
//! Invariants it protects:
//! * an answer counts at most once per (guild, round, item, user), whatever the clicks;
//! * `record_answer` returns only after the answer is committed, so "your answer counted"
//!   is never a lie, even if the process dies a moment later;
//! * every query is scoped to one guild: nothing read or written for one guild touches
//!   another's rows;
//! * text a person typed (an answer's response, a display name) is stored as
//!   `crate::text::typed` cleans it, where it is bound: SQLite and PostgreSQL store the same
//!   string, and PostgreSQL never sees the NUL its `text` type refuses.
//!
//! # One pool type for both backends: `sqlx::AnyPool`
//!
//! The store holds `AnyPool`s rather than an enum of `SqlitePool` / `PgPool`. The schema is
//! deliberately narrow (text, 64-bit integers, doubles) and every statement is portable SQL
//! with `$n` placeholders, which both drivers accept, so with `Any` each query is written
//! and reviewed once, and the one contract suite in `tests/store.rs` exercises the very code
//! path each backend runs. An enum would double every query (or hide the doubling in a
//! macro) and let the two paths drift. The price of `Any` is small and paid here: values are
//! converted through `AnyValue` (a few percent of CPU, invisible next to a commit), there are
//! no compile-time checked `query!` macros (none would be possible for two backends anyway),
//! and SQLite pragmas that the URL cannot carry are applied in `after_connect`.
//! `PostgreSQL`'s `SUM(bigint)` returns `numeric`, which `Any` cannot decode, so sums are
//! cast back to `BIGINT` in SQL.
//!
//! # Durability on SQLite
//!
//! The file runs in WAL mode with `synchronous = NORMAL`. A commit appends to the WAL with
//! a `write()` before returning, so once `record_answer` returns the answer is in the
//! operating system's page cache and survives the *process* crashing or being killed (the
//! case that matters for a bot restarted by its supervisor); the suite tests this with a
//! child process that aborts. What NORMAL gives up compared to FULL is the `fsync` per
//! commit: after a *power loss or kernel crash* the last commits before the failure may be
//! rolled back (the database itself stays consistent). FULL would add an `fsync` to every
//! commit, whose cost depends on the disk (small on a local SSD, milliseconds on network
//! block storage) and would bound a sequential stream of answers by it; the last few
//! answers before a power cut are a cheap loss next to that.
//!
//! # Writers on SQLite
//!
//! SQLite allows one writer at a time; many pooled connections contending for the write
//! lock spend their time in the busy handler. All SQLite writes therefore go through one
//! connection the store owns, handed out in turn by a fair mutex. Answers that find it busy
//! queue for a writer task that commits them in small batches (see `writer.rs`, which also
//! records the measurements behind this): each caller is acknowledged only after the
//! transaction holding its answer commits. Reads use a separate pool of connections, which
//! WAL lets run beside the writer. On PostgreSQL reads and writes share one pool; answers
//! take the same batching path (one batch in flight at a time, on a pooled connection), so
//! that answers arriving together share one commit and its WAL flush.

mod answers;
mod backup;
mod dashboard;
mod debates;
mod error;
mod forget;
mod health;
mod memory;
mod model;
mod outbox;
mod prompts;
mod reports;
mod rounds;
mod writer;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use std::sync::Arc;

use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::Mutex;

pub use answers::NamedAnswer;
pub use backup::{Restored, backup_refusal, restore, restore_refusal};
pub use dashboard::{QuestionHeld, RoundHeld};
pub use debates::{Board, Expect, NewDebate, OpenDebate, StoredDebate};
pub use error::{Result, StoreError};
pub use forget::Forgotten;
pub use model::{AnswerRecord, ItemStats, LeaderboardRow, NewRound, RankBy, Recorded, Round, RoundKind, RoundProgress, RoundStatus, Started, Tally, Totals};
pub use outbox::{LEADERBOARD, Pending, Post, PostKind};
pub use prompts::{NewPromptAnswer, PromptAnswer, PromptReview, PromptStatus};
pub use reports::StudentTally;

use error::{Context, redact_url};
use writer::Writer;

/// The URL the application uses when none is configured.
pub const DEFAULT_URL: &str = "sqlite://data/agora.db";

/// How long a SQLite connection waits for a lock before reporting `SQLITE_BUSY`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often SQLite's WAL is copied back into the database file, beside the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// The page size of a new SQLite file (bytes).
const SQLITE_PAGE_SIZE: u32 = 1024;
/// Read connections on SQLite (WAL lets them run beside the one writer).
const SQLITE_READERS: u32 = 4;
/// Connections to PostgreSQL, shared by reads and writes.
const POSTGRES_CONNECTIONS: u32 = 16;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle to the database; cheap to clone (pools and the writer are shared).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// Reads. On SQLite a pool of its own so reports never wait behind the writer.
    reader: AnyPool,
    /// Every write. On SQLite exactly one connection: SQLite has one writer at a time, and
    /// queueing for the connection is cheaper than spinning in the busy handler. On
    /// PostgreSQL the same pool as `reader`.
    writer: Writer,
    /// How answers reach the database (a batching task, on either backend).
    answers: writer::AnswerSink,
    /// The students whose row this process has written, with the name it wrote.
    known_users: Arc<KnownUsers>,
    /// SQLite: held by every clone; when the last goes, the checkpoint task stops.
    _checkpointer: Option<tokio::sync::mpsc::Sender<()>>,
}

/// The (guild, user) rows this process has written and the display name each holds, so that
/// [`Store::record_answer_of`] (every live click) writes no row for a student already stored.
///
/// Invariant: an entry is added only after its row committed and removed when this process
/// forgets the student. Only another process deleting the row (`agora scores forget` beside a
/// running bot) can make an entry stale; the answer that then meets the missing row gets
/// [`StoreError::UnknownRoundOrUser`], and `record_answer_of` writes the row again and
/// retries.
#[derive(Debug, Default)]
struct KnownUsers(std::sync::Mutex<HashMap<(String, String), String>>);

/// Most students [`KnownUsers`] remembers; past it, it starts again empty (a few MiB at most).
const KNOWN_USERS: usize = 50_000;

impl KnownUsers {
    fn holds(&self, guild_id: &str, user_id: &str, name: &str) -> bool {
        let known = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        known.get(&(guild_id.to_owned(), user_id.to_owned())).is_some_and(|n| n == name)
    }

    fn insert(&self, guild_id: &str, user_id: &str, name: String) {
        let mut known = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.len() >= KNOWN_USERS {
            known.clear();
        }
        known.insert((guild_id.to_owned(), user_id.to_owned()), name);
    }

    fn remove(&self, guild_id: &str, user_id: &str) {
        let mut known = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        known.remove(&(guild_id.to_owned(), user_id.to_owned()));
    }
}

impl Store {
    /// Opens the database at `url` and applies any pending migrations.
    ///
    /// * `sqlite://path/to/file.db` (or `sqlite:path`): creates the file and its directory
    ///   if missing; WAL journal, `synchronous = NORMAL`, busy timeout, foreign keys on.
    /// * `postgres://…` / `postgresql://…`: the database must exist.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else {
            Err(StoreError::InvalidUrl { url: redact_url(url), reason: "expected sqlite://path or postgres://…".into() })
        }
    }

    async fn connect_postgres(url: &str) -> Result<Store> {
        let options = any_options(url)?;
        let shown = redact_url(url);
        let connect_err = |source| StoreError::Connect { url: shown.clone(), source };
        // One plain connection first: a pool retries a refused connection until its acquire
        // timeout and then reports only "timed out"; this fails at once with the real cause.
        // It also looks at what the database holds before anything is written to it.
        let mut first = AnyConnection::connect_with(&options).await.map_err(connect_err)?;
        check_database(&mut first, &shown).await?;
        first.close().await.map_err(connect_err)?;
        let pool = AnyPoolOptions::new().max_connections(POSTGRES_CONNECTIONS).connect_with(options).await.map_err(connect_err)?;
        // sqlx's migrator holds an advisory lock while it migrates, so processes starting
        // together on a new database apply each migration once.
        MIGRATOR.run(&pool).await.map_err(|e| migrate_error(e, &shown))?;
        let mut conn = pool.acquire().await.map_err(connect_err)?;
        rounds::backfill_round_questions(&mut conn).await?;
        memory::replay_history(&mut conn).await?;
        drop(conn);
        let writer = Writer::Pool(pool.clone());
        tracing::info!(database = %shown, "score store opened (PostgreSQL)");
        Ok(Store {
            backend: Backend::Postgres,
            reader: pool,
            answers: writer::AnswerSink::batching(writer.clone()),
            writer,
            known_users: Arc::default(),
            _checkpointer: None,
        })
    }

    async fn connect_sqlite(url: &str) -> Result<Store> {
        let (path, query) = sqlite_path(url)?;
        if path == ":memory:" || query.is_some_and(|q| q.contains("mode=memory")) {
            // Each connection would get its own in-memory database (or share one through
            // SQLite's shared cache, whose table locks ignore the busy timeout).
            return Err(StoreError::InvalidUrl {
                url: url.to_owned(),
                reason: "in-memory SQLite is not supported; use a file in a temporary directory".into(),
            });
        }
        if let Some(dir) = Path::new(&path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: PathBuf::from(dir), source })?;
        }
        // Errors name the URL as given.
        let shown = redact_url(url);
        // `mode=rwc` creates the file if it is missing.
        let url = match query {
            None => format!("{url}?mode=rwc"),
            Some(q) if q.split('&').any(|kv| kv.starts_with("mode=")) => url.to_owned(),
            Some(_) => format!("{url}&mode=rwc"),
        };
        let options = any_options(&url)?;
        let writer_options = options.clone();
        let connect_err = |source| sqlite_error(source, &path, &shown);
        // The writer first: WAL is a property of the file, set before any reader opens it.
        let mut writer = AnyConnection::connect_with(&options).await.map_err(connect_err)?;
        if let Err(e) = prepare_sqlite(&mut writer, &shown, &connect_err).await {
            // Closed before the error is returned (a dropped connection closes in the
            // background), so that whoever sees the error finds the file as it was left.
            let _ = writer.close().await;
            return Err(e);
        }
        let reader = AnyPoolOptions::new()
            .max_connections(SQLITE_READERS)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(sqlx::AssertSqlSafe(sqlite_pragmas())).await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(connect_err)?;
        let writer = Writer::Sqlite(Arc::new(Mutex::new(writer)), Arc::new(writer_options));
        let answers = writer::AnswerSink::batching(writer.clone());
        let (checkpointer, stop) = tokio::sync::mpsc::channel(1);
        tokio::spawn(checkpoints(reader.clone(), stop));
        tracing::info!(database = %shown, "score store opened (SQLite)");
        Ok(Store { backend: Backend::Sqlite, reader, writer, answers, known_users: Arc::default(), _checkpointer: Some(checkpointer) })
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the connections. A write in progress finishes first; the SQLite write
    /// connection closes once the last clone of the store is gone. Dropping the store
    /// instead is also safe: acknowledged answers are already committed.
    pub async fn close(self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Makes sure the guild has a row (with empty settings `{}`); harmless if it exists.
    pub async fn ensure_guild(&self, guild_id: &str) -> Result<()> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query("INSERT INTO guilds (id, settings) VALUES ($1, '{}') ON CONFLICT (id) DO NOTHING")
            .bind(guild_id)
            .execute(&mut *conn)
            .await
            .with_context(|| format!("creating guild {guild_id}"))?;
        Ok(())
    }

    /// Records a student (and their guild, if new), or updates their display name. The name
    /// is stored as `text::typed` cleans it (no NUL or other control character), the same on
    /// both backends.
    pub async fn upsert_user(&self, guild_id: &str, user_id: &str, display_name: &str) -> Result<()> {
        let context = || format!("saving user {user_id} of guild {guild_id}");
        let name = crate::text::typed(display_name);
        let mut conn = self.writer.acquire().await?;
        let mut tx = conn.begin().await.with_context(context)?;
        sqlx::query("INSERT INTO guilds (id, settings) VALUES ($1, '{}') ON CONFLICT (id) DO NOTHING")
            .bind(guild_id)
            .execute(&mut *tx)
            .await
            .with_context(context)?;
        writer::upsert_users(&mut tx, &[(guild_id, user_id, &name)]).await.with_context(context)?;
        tx.commit().await.with_context(context)?;
        self.known_users.insert(guild_id, user_id, name);
        Ok(())
    }

    /// The guild's settings as a JSON string, or `None` if the guild is unknown.
    pub async fn guild_settings(&self, guild_id: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT settings FROM guilds WHERE id = $1")
            .bind(guild_id)
            .fetch_optional(&self.reader)
            .await
            .with_context(|| format!("reading settings of guild {guild_id}"))
    }

    /// Replaces the guild's settings (creating the guild if new). `settings_json` must be
    /// valid JSON; it is stored as given.
    pub async fn set_guild_settings(&self, guild_id: &str, settings_json: &str) -> Result<()> {
        if let Err(source) = serde_json::from_str::<serde_json::Value>(settings_json) {
            return Err(StoreError::InvalidSettings { guild_id: guild_id.to_owned(), source });
        }
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "INSERT INTO guilds (id, settings) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
        )
        .bind(guild_id)
        .bind(settings_json)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("saving settings of guild {guild_id}"))?;
        Ok(())
    }
}

/// Readies the SQLite writer connection: per-connection pragmas, the check of what the file
/// holds, WAL, then the migrations under the file's write lock.
async fn prepare_sqlite(writer: &mut AnyConnection, shown: &str, connect_err: &(dyn Fn(sqlx::Error) -> StoreError + Sync)) -> Result<()> {
    // Per-connection settings write nothing to the file; then the file is looked at,
    // and refused if it is another program's or a newer Agora's, before the switch to
    // WAL, which is the first write.
    writer.execute(sqlx::AssertSqlSafe(sqlite_pragmas())).await.map_err(connect_err)?;
    // The first read of the file: it fails here if the file is not a SQLite database.
    writer.execute("SELECT count(*) FROM sqlite_master").await.map_err(connect_err)?;
    check_database(writer, shown).await?;
    // A new file gets pages of 1 KiB instead of 4: each commit appends every page it changed
    // to the WAL, so an answer committed alone writes about a third as many bytes (and
    // SQLite's CPU per answer falls too; BENCHMARKS.md, issue 25). A file that exists keeps
    // its page size (SQLite ignores this then).
    writer.execute(sqlx::AssertSqlSafe(format!("PRAGMA page_size = {SQLITE_PAGE_SIZE}"))).await.map_err(connect_err)?;
    switch_to_wal(writer, connect_err).await?;
    // One migrator at a time. sqlx's migrator takes no lock on SQLite, so two processes
    // opening a new file together would both find no migration applied and both apply
    // the first (one then fails: "table guilds already exists"). BEGIN IMMEDIATE takes
    // the file's write lock (a second process waits for it, up to the busy timeout);
    // the migrator's own transactions become savepoints inside it, and whoever comes
    // second finds every migration applied. (A migration marked `-- no-transaction`
    // would run inside it too; none is.)
    let mut lock = writer.begin_with("BEGIN IMMEDIATE").await.map_err(connect_err)?;
    check_database(&mut lock, shown).await?;
    MIGRATOR.run_direct(None, &mut *lock, false).await.map_err(|e| migrate_error(e, shown))?;
    lock.commit().await.map_err(connect_err)?;
    rounds::backfill_round_questions(&mut *writer).await?;
    memory::replay_history(&mut *writer).await?;
    // Checkpoints run beside the writer (see `checkpoints`), never inside a commit.
    writer.execute("PRAGMA wal_autocheckpoint = 0").await.map_err(connect_err)?;
    Ok(())
}

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`], on a read
/// connection, until every clone of the store is gone (`stop` closes) or the pool is closed.
///
/// SQLite's own automatic checkpoint runs inside the commit that fills the WAL to 1,000
/// pages: that commit writes the pages back and calls fsync twice, and every answer queued
/// behind the one writer waits for it (3–66 ms on the dev machine's disk; the burst's p99
/// tails, BENCHMARKS.md). A PASSIVE checkpoint on another connection takes no write lock,
/// so the writer keeps appending while it runs; the WAL restarts from its beginning at the
/// first commit after a checkpoint has copied all of it.
async fn checkpoints(reader: AnyPool, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            _ = stop.recv() => return,
            () = tokio::time::sleep(CHECKPOINT_EVERY) => {}
        }
        if reader.is_closed() {
            return;
        }
        match reader.execute("PRAGMA wal_checkpoint(PASSIVE)").await {
            Ok(_) => {}
            // Another process (the CLI beside the bot) is checkpointing the same file.
            Err(e) if matches!(error::cause(&e), error::Cause::Busy) => tracing::debug!(error = %e, "SQLite checkpoint skipped"),
            Err(e) => tracing::warn!(error = %e, "SQLite checkpoint failed; the next one tries again"),
        }
    }
}

/// Switches the file to WAL (a no-op once it is). Two processes switching a new file at the
/// same moment both hold a read lock and both need the exclusive one: SQLite answers the
/// loser SQLITE_BUSY at once, without the busy timeout (waiting could deadlock), so the
/// loser tries again, for as long as the busy timeout.
async fn switch_to_wal(writer: &mut AnyConnection, connect_err: &(dyn Fn(sqlx::Error) -> StoreError + Sync)) -> Result<()> {
    let deadline = std::time::Instant::now() + SQLITE_BUSY_TIMEOUT;
    loop {
        match writer.execute("PRAGMA journal_mode = WAL").await {
            Ok(_) => return Ok(()),
            Err(e) if matches!(error::cause(&e), error::Cause::Busy) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => return Err(connect_err(e)),
        }
    }
}

/// Agora's migrations, embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Refuses a database that is neither empty nor Agora's (any object of its own, and no
/// Agora migration history), or whose history has a migration this build does not know (a
/// newer Agora's). Reads only: it runs before anything is written. Returns how many Agora
/// migrations the database has applied.
async fn check_database(conn: &mut AnyConnection, url: &str) -> Result<usize> {
    let sqlite = conn.backend_name().eq_ignore_ascii_case("sqlite");
    let context = || format!("looking at what {url} holds");
    let rows: Vec<(String, String)> =
        sqlx::query_as(if sqlite { SQLITE_OBJECTS } else { POSTGRES_OBJECTS }).fetch_all(&mut *conn).await.with_context(context)?;
    let history = MIGRATOR.table_name.as_ref();
    let has_history = rows.iter().any(|(kind, name)| kind == "table" && name == history);
    let applied: Vec<i64> =
        if has_history { sqlx::query_scalar(sqlx::AssertSqlSafe(applied_sql())).fetch_all(&mut *conn).await.with_context(context)? } else { Vec::new() };
    let objects: Vec<Found> = rows.into_iter().map(|(kind, name)| Found { kind, name }).collect();
    judge_database(url, &objects, &applied)
}

/// Something a database holds: its kind (`table`, `view`, `index`, `trigger`, `sequence`,
/// `type`, `function`…) and its name (on PostgreSQL schema-qualified outside the current
/// schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) kind: String,
    pub(crate) name: String,
}

/// Everything a SQLite file holds in `sqlite_master` (tables, views, indexes, triggers,
/// virtual tables), without SQLite's own (`sqlite_sequence`, `sqlite_stat1`, automatic
/// indexes).
const SQLITE_OBJECTS: &str = "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY type <> 'table', type, name";

/// Every user object of a PostgreSQL database, in every schema but the system's
/// (`pg_catalog`, `information_schema`, `pg_toast*`, `pg_temp*`): relations (tables, views,
/// sequences, …), types of their own (enums, domains, ranges), functions and procedures.
/// What comes with another object (a table's indexes, row type and owned sequences, an
/// array type) is that object's, and objects an extension installed do not count (a hosted
/// PostgreSQL may come with some); neither does the `public` schema itself existing. Names
/// outside the current schema are qualified.
const POSTGRES_OBJECTS: &str = "
WITH user_ns AS (
    SELECT oid, nspname, nspname = current_schema() AS here FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg!_toast%' ESCAPE '!' AND nspname NOT LIKE 'pg!_temp!_%' ESCAPE '!'
), objects AS (
    SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
               WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table'
               WHEN 'c' THEN 'type' ELSE 'index' END AS kind,
           c.relname::text AS name, n.nspname::text AS ns, n.here, 'pg_class'::regclass AS cat, c.oid
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace WHERE c.relkind NOT IN ('i', 'I', 't')
    UNION ALL
    SELECT 'type', t.typname::text, n.nspname::text, n.here, 'pg_type'::regclass, t.oid
    FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
    WHERE t.typrelid = 0 AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
    UNION ALL
    SELECT 'function', p.proname::text, n.nspname::text, n.here, 'pg_proc'::regclass, p.oid
    FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
)
SELECT kind, CASE WHEN here THEN name ELSE ns || '.' || name END FROM objects o
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.cat AND d.objid = o.oid AND d.deptype IN ('a', 'i', 'e'))
ORDER BY kind <> 'table', kind, 2";

/// The migration versions a database's history holds.
fn applied_sql() -> String {
    format!("SELECT version FROM {} ORDER BY version", MIGRATOR.table_name)
}

/// The verdict of `check_database` on what a database holds: its objects and the migration
/// versions its history has applied. Returns how many of those are Agora's.
fn judge_database(url: &str, objects: &[Found], applied: &[i64]) -> Result<usize> {
    let history = MIGRATOR.table_name.as_ref();
    let others: Vec<&Found> = objects.iter().filter(|o| !(o.kind == "table" && o.name == history)).collect();
    let known = |v: &i64| MIGRATOR.iter().any(|m| m.version == *v);
    let agoras = applied.iter().filter(|v| known(v)).count();
    if !others.is_empty() && agoras == 0 {
        // Tables alone are named bare ("other tables (people)"); anything else with its kind.
        let tables_only = others.iter().all(|o| o.kind == "table");
        let mut names: Vec<String> =
            others.iter().take(5).map(|o| crate::text::display_name(&if tables_only { o.name.clone() } else { format!("{} {}", o.kind, o.name) })).collect();
        if others.len() > 5 {
            names.push(format!("and {} more", others.len() - 5));
        }
        let what = if tables_only { "tables" } else { "objects" };
        return Err(StoreError::NotAgoras { url: url.to_owned(), what: what.to_owned(), found: names.join(", ") });
    }
    let unknown: Vec<String> = applied.iter().filter(|v| !known(v)).map(ToString::to_string).collect();
    if !unknown.is_empty() {
        return Err(StoreError::NewerAgora { url: url.to_owned(), unknown: unknown.join(", "), latest: MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0) });
    }
    Ok(agoras)
}

/// A migration error in words: a newer Agora's history (one that appeared after the
/// check), a read-only database, or sqlx's own error.
fn migrate_error(e: sqlx::migrate::MigrateError, url: &str) -> StoreError {
    use sqlx::migrate::MigrateError;
    match e {
        MigrateError::VersionMissing(v) => {
            StoreError::NewerAgora { url: url.to_owned(), unknown: v.to_string(), latest: MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0) }
        }
        MigrateError::Execute(source) | MigrateError::ExecuteMigration(source, _) if matches!(error::cause(&source), error::Cause::ReadOnly(_)) => {
            StoreError::query(format!("could not apply the database migrations to {url}"), source)
        }
        e => StoreError::Migrate(e),
    }
}

/// An error opening a SQLite file, in words: read-only, cannot be opened or created, not a
/// SQLite database, or the driver's own.
fn sqlite_error(source: sqlx::Error, path: &str, url: &str) -> StoreError {
    match error::cause(&source) {
        error::Cause::ReadOnly(_) => StoreError::query(format!("could not open {url} for writing"), source),
        error::Cause::CannotOpen => StoreError::CannotOpen { path: PathBuf::from(path), source },
        error::Cause::NotSqlite => StoreError::NotSqlite { path: PathBuf::from(path), source },
        error::Cause::Busy | error::Cause::Other => StoreError::Connect { url: url.to_owned(), source },
    }
}

fn any_options(url: &str) -> Result<AnyConnectOptions> {
    AnyConnectOptions::from_str(url).map_err(|e| StoreError::InvalidUrl { url: redact_url(url), reason: e.to_string() })
}

/// The file a `sqlite:` URL names, or `None` for another kind of URL.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    url.starts_with("sqlite:").then(|| sqlite_path(url).ok()).flatten().map(|(p, _)| PathBuf::from(p))
}

/// Splits `sqlite://path?query` (or `sqlite:path?query`) into the path and the query.
fn sqlite_path(url: &str) -> Result<(String, Option<&str>)> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() {
        return Err(StoreError::InvalidUrl { url: url.to_owned(), reason: "no file path after sqlite://".into() });
    }
    Ok((path.to_owned(), query))
}

/// Per-connection pragmas; they write nothing to the file. (The journal mode is stored in
/// the file: the writer sets it once the file has been checked.)
fn sqlite_pragmas() -> String {
    format!("PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", SQLITE_BUSY_TIMEOUT.as_millis())
}

#[cfg(test)]
mod tests {
    use super::{Store, sqlite_path};
    use sqlx::Row;

    #[tokio::test]
    async fn sqlite_connections_use_wal_normal_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/a/b/agora.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let mut writer = store.writer.acquire().await.unwrap();
        let mut reader = store.reader.acquire().await.unwrap();
        for conn in [&mut *writer, &mut *reader] {
            let mut pragma = async |name: &str| -> String {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {name}"))).fetch_one(&mut *conn).await.unwrap();
                match row.try_get::<String, _>(0) {
                    Ok(text) => text,
                    Err(_) => row.try_get::<i64, _>(0).unwrap().to_string(),
                }
            };
            let found = [pragma("journal_mode").await, pragma("synchronous").await, pragma("foreign_keys").await, pragma("busy_timeout").await];
            assert_eq!(found, ["wal", "1", "1", "10000"]);
        }
        drop((writer, reader));
        store.close().await;
    }

    /// No commit checkpoints (the writer's automatic checkpoint is off); the background
    /// task copies the WAL into the database file within a second or two.
    #[tokio::test]
    async fn the_wal_is_checkpointed_beside_the_writer_not_by_its_commits() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("agora.db");
        let store = Store::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *store.writer.acquire().await.unwrap()).await.unwrap();
        assert_eq!(auto, 0, "the writer's commits never checkpoint");
        let before = std::fs::metadata(&file).unwrap().len();
        // About 1,500 pages of users, in 30 commits: past SQLite's 1,000-page automatic checkpoint.
        for batch in 0..30 {
            let mut conn = store.writer.acquire().await.unwrap();
            let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
            sqlx::query("INSERT INTO guilds (id, settings) VALUES ('g', '{}') ON CONFLICT (id) DO NOTHING").execute(&mut *tx).await.unwrap();
            for n in 0..100 {
                sqlx::query("INSERT INTO users (guild_id, user_id, display_name) VALUES ('g', $1, $2)")
                    .bind(format!("{batch}-{n}"))
                    .bind("x".repeat(2_000))
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
        let grown = async {
            loop {
                let now = std::fs::metadata(&file).unwrap().len();
                if now > before + 4_000_000 {
                    return now;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        tokio::time::timeout(super::CHECKPOINT_EVERY * 5, grown).await.expect("the checkpoint task copies the WAL into the file");
        store.close().await;
    }

    #[test]
    fn sqlite_urls_split_into_path_and_query() {
        assert_eq!(sqlite_path("sqlite://data/agora.db").unwrap(), ("data/agora.db".into(), None));
        assert_eq!(sqlite_path("sqlite:///tmp/a.db").unwrap(), ("/tmp/a.db".into(), None));
        assert_eq!(sqlite_path("sqlite:a.db?mode=rw").unwrap(), ("a.db".into(), Some("mode=rw")));
        assert_eq!(sqlite_path("sqlite::memory:").unwrap(), (":memory:".into(), None));
        assert!(sqlite_path("sqlite://").is_err());
    }
}
