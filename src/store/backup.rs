//! Backing a database up and restoring it: `agora db backup` and `agora db restore`.
//!
//! Invariants it protects:
//! * a backup is a consistent snapshot, taken while the bot runs and writes (SQLite's
//!   `VACUUM INTO` reads one transaction's view), and never overwrites a file;
//! * a restore replaces the database only with a file that is a sound SQLite database
//!   (`integrity_check`) holding Agora's migration history from this version or an older one,
//!   each migration successful with this binary's checksum, and whose schema is, object for
//!   object, what those migrations make on a new database; it refuses while anything
//!   has the database open; the database is replaced by a rename (a reader sees the old file
//!   or the new one, never half of one) and the old one is kept beside it;
//! * PostgreSQL is backed up and restored with its own tools: the store says which, naming
//!   the database with its password hidden, and touches nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{Connection, SqliteConnection};

use super::error::{Context, Result, StoreError, redact_url};
use super::{Backend, Found, MIGRATOR, SQLITE_OBJECTS, Store, applied_sql, judge_database, sqlite_path};

/// How long a restore waits for another connection to let go of the database before it says
/// the database is in use.
const RESTORE_WAIT: Duration = Duration::from_secs(2);

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The database file that now holds the backup's contents.
    pub database: PathBuf,
    /// Where the database it replaced was kept (`None`: there was none).
    pub previous: Option<PathBuf>,
    /// The Agora migrations the backup had applied (later ones run on the next start).
    pub migrations: usize,
}

impl Store {
    /// Writes a consistent copy of the database to `file`, while others keep reading and
    /// writing. Refuses an existing `file`. SQLite only: on PostgreSQL the error says to use
    /// `pg_dump`.
    pub async fn backup(&self, url: &str, file: &Path) -> Result<()> {
        if self.backend == Backend::Postgres {
            return Err(postgres_tool(url, file, false));
        }
        if file.exists() || file.is_symlink() {
            return Err(StoreError::Backup {
                file: file.to_owned(),
                reason: "it already exists; give a new file name (a backup never overwrites a file)".into(),
            });
        }
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(StoreError::Backup { file: file.to_owned(), reason: format!("the folder {} does not exist", dir.display()) });
        }
        let Some(target) = file.to_str() else {
            return Err(StoreError::Backup { file: file.to_owned(), reason: "the path is not valid UTF-8; choose a plainer name".into() });
        };
        // On a read connection: VACUUM INTO reads one snapshot, beside the writer (WAL).
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.reader).await.with_context(|| format!("backing the database up into {}", file.display()))?;
        Ok(())
    }
}

/// Refuses a restore onto PostgreSQL with the tool to use instead.
pub fn restore_refusal(url: &str, file: &Path) -> Option<StoreError> {
    is_postgres(url).then(|| postgres_tool(url, file, true))
}

/// Refuses a backup of PostgreSQL with the tool to use instead, before anything connects.
pub fn backup_refusal(url: &str, file: &Path) -> Option<StoreError> {
    is_postgres(url).then(|| postgres_tool(url, file, false))
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// What to run instead of agora on PostgreSQL, with the URL's password hidden.
fn postgres_tool(url: &str, file: &Path, restore: bool) -> StoreError {
    let shown = redact_url(url);
    let without_query = shown.split('?').next().unwrap_or(&shown);
    let database = without_query
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, db)| db)
        .filter(|db| !db.is_empty())
        .unwrap_or("(the user's default database)");
    let file = file.display();
    let advice = if restore {
        format!(
            "stop the bot, then restore with PostgreSQL's own tools: `pg_restore --clean --if-exists --dbname='{shown}' {file}` for a dump made with `pg_dump --format=custom`, or `psql '{shown}' < {file}` for a plain SQL dump (database `{database}`; give the password with PGPASSWORD or ~/.pgpass)"
        )
    } else {
        format!(
            "back it up with PostgreSQL's own tool, which takes a consistent snapshot while the bot runs: `pg_dump --format=custom --file={file} '{shown}'` (database `{database}`; give the password with PGPASSWORD or ~/.pgpass)"
        )
    };
    StoreError::PostgresTool { database: database.to_owned(), advice }
}

/// Replaces the SQLite database at `url` with the backup `file`, keeping the database it
/// replaces beside it as `NAME.bak-MILLIS`. Refuses a file that is not a sound Agora
/// database, and a database that something (a running bot) has open.
pub async fn restore(url: &str, file: &Path, now_ms: u64) -> Result<Restored> {
    if let Some(refusal) = restore_refusal(url, file) {
        return Err(refusal);
    }
    let refuse = |reason: String| StoreError::Restore { file: file.to_owned(), reason };
    let (path, _) = sqlite_path(url)?;
    let database = PathBuf::from(&path);
    // Only a regular file (or a link to one): SQLite would block opening a FIFO.
    if let Some(what) = crate::files::not_regular(file) {
        return Err(refuse(if what.starts_with("nothing") { "there is no such file".into() } else { format!("it is {what}, not a regular file") }));
    }
    if database.exists() && same_file(file, &database) {
        return Err(refuse(format!("it is the database itself ({})", database.display())));
    }
    let wal = sidecar(file, "-wal");
    if wal.metadata().is_ok_and(|m| m.len() > 0) {
        return Err(refuse(format!(
            "a write-ahead log stands beside it ({}): it is a database in use or copied while in use, not a backup. Make backups with `agora db backup FILE`",
            wal.display()
        )));
    }
    let migrations = check_backup(file).await?;
    // Copied beside the database first, so the switch is one rename on one file system.
    let dir = database.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir { path: dir.to_owned(), source })?;
    let name = database.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "agora.db".into());
    let incoming = dir.join(format!("{name}.restoring-{now_ms}"));
    let io = |what: String| move |source: std::io::Error| StoreError::Restore { file: file.to_owned(), reason: format!("{what}: {source}") };
    std::fs::copy(file, &incoming).map_err(io(format!("cannot copy it to {}", incoming.display())))?;
    std::fs::File::open(&incoming).and_then(|f| f.sync_all()).map_err(io(format!("cannot flush {}", incoming.display())))?;
    let outcome = replace(&database, &incoming, &name, now_ms).await;
    if outcome.is_err() {
        let _ = std::fs::remove_file(&incoming);
    }
    let previous = outcome?;
    Ok(Restored { database, previous, migrations })
}

/// Takes the database for itself (refusing if anyone has it open), folds its write-ahead log
/// back in, moves it aside and renames `incoming` into its place, holding the lock meanwhile.
async fn replace(database: &Path, incoming: &Path, name: &str, now_ms: u64) -> Result<Option<PathBuf>> {
    if !database.exists() {
        std::fs::rename(incoming, database)
            .map_err(|source| StoreError::Restore { file: incoming.to_owned(), reason: format!("cannot move it to {}: {source}", database.display()) })?;
        return Ok(None);
    }
    let in_use = || StoreError::Restore {
        file: incoming.to_owned(),
        reason: format!("{} is in use (a running `agora serve` or another program has it open): stop it, then restore again", database.display()),
    };
    // Exclusive locking: in WAL mode the lock conflicts with any other open connection, even
    // an idle one; leaving WAL folds the log into the file, which then stands alone.
    let options = SqliteConnectOptions::new().filename(database).create_if_missing(false).locking_mode(SqliteLockingMode::Exclusive).busy_timeout(RESTORE_WAIT);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| StoreError::Restore { file: incoming.to_owned(), reason: format!("cannot open {}: {e}", database.display()) })?;
    let locked = async {
        sqlx::query("PRAGMA journal_mode = DELETE").execute(&mut conn).await?;
        sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await?;
        sqlx::Result::Ok(())
    }
    .await;
    if let Err(e) = locked {
        let _ = conn.close().await;
        return Err(match super::error::cause(&e) {
            super::error::Cause::Busy => in_use(),
            _ => StoreError::Restore { file: incoming.to_owned(), reason: format!("cannot take {} for the restore: {e}", database.display()) },
        });
    }
    let previous = database.with_file_name(format!("{name}.bak-{now_ms}"));
    let moved = std::fs::rename(database, &previous).and_then(|()| std::fs::rename(incoming, database));
    // Nothing was written under the lock: rolling back releases it and leaves no journal.
    let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
    let _ = conn.close().await;
    moved.map_err(|source| StoreError::Restore {
        file: incoming.to_owned(),
        reason: format!("cannot move it into place as {}: {source}", database.display()),
    })?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let stale = sidecar(database, suffix);
        if stale.exists() {
            let _ = std::fs::rename(&stale, sidecar(&previous, suffix));
        }
    }
    Ok(Some(previous))
}

/// Opens the backup read-only and checks it is a sound Agora database this version can run;
/// returns how many Agora migrations it has applied.
async fn check_backup(file: &Path) -> Result<usize> {
    let refuse = |reason: String| StoreError::Restore { file: file.to_owned(), reason };
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options).await.map_err(|e| refuse(format!("cannot open it: {e}")))?;
    let checked = async {
        let not_sqlite = |e: sqlx::Error| refuse(format!("it is not a SQLite database ({e})"));
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await.map_err(not_sqlite)?;
        if integrity != ["ok"] {
            let shown: Vec<&str> = integrity.iter().take(3).map(String::as_str).collect();
            return Err(refuse(format!("SQLite finds it damaged: {}", shown.join("; "))));
        }
        let rows: Vec<(String, String)> = sqlx::query_as(SQLITE_OBJECTS).fetch_all(&mut conn).await.map_err(not_sqlite)?;
        let objects: Vec<Found> = rows.into_iter().map(|(kind, name)| Found { kind, name }).collect();
        let applied: Vec<i64> = if objects.iter().any(|o| o.kind == "table" && o.name == MIGRATOR.table_name.as_ref()) {
            sqlx::query_scalar(sqlx::AssertSqlSafe(applied_sql())).fetch_all(&mut conn).await.map_err(not_sqlite)?
        } else {
            Vec::new()
        };
        let applied = judge_database(&file.display().to_string(), &objects, &applied).map_err(|e| refuse(e.to_string()))?;
        if applied == 0 {
            return Err(refuse("it holds no Agora migration history: it is not a backup of Agora's database".into()));
        }
        let last = check_history(&mut conn).await.map_err(&refuse)?;
        check_schema(&mut conn, last).await.map_err(&refuse)?;
        Ok(applied)
    }
    .await;
    let _ = conn.close().await;
    checked
}

/// Checks the backup's migration history against this binary's migrations: each applied
/// migration succeeded with this binary's checksum, and they are this binary's first ones,
/// none missing between (a backup from an older Agora has fewer; the next start applies the
/// rest). Returns the last version applied. (An unknown version was refused before.)
async fn check_history(conn: &mut SqliteConnection) -> std::result::Result<i64, String> {
    let sql = format!("SELECT version, description, success, checksum FROM {} ORDER BY version", MIGRATOR.table_name);
    let rows: Vec<(i64, String, bool, Vec<u8>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await.map_err(|e| format!("its migration history cannot be read ({e})"))?;
    for (version, description, success, checksum) in &rows {
        let Some(ours) = MIGRATOR.iter().find(|m| m.version == *version && !m.migration_type.is_down_migration()) else {
            return Err(format!("its migration history has migration {version}, which this agora does not know"));
        };
        if !success {
            return Err(format!("its migration {version} ({description}) is marked as failed: the database was left half-migrated"));
        }
        if checksum.as_slice() != ours.checksum.as_ref() {
            return Err(format!(
                "its migration {version} ({description}) has another checksum than this agora's: its schema was made by other SQL than Agora's"
            ));
        }
    }
    let last = rows.last().map_or(0, |r| r.0);
    if let Some(missing) =
        MIGRATOR.iter().filter(|m| !m.migration_type.is_down_migration() && m.version <= last).find(|m| !rows.iter().any(|r| r.0 == m.version))
    {
        return Err(format!("its migration history lacks migration {} ({}) but has later ones", missing.version, missing.description));
    }
    Ok(last)
}

/// What a schema holds, object by object: (type, name) → (table, SQL), without SQLite's
/// statistics (`sqlite_stat*`, which `ANALYZE` may add).
type Schema = std::collections::BTreeMap<(String, String), (String, Option<String>)>;

async fn schema_of(conn: &mut SqliteConnection) -> sqlx::Result<Schema> {
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite!_stat%' ESCAPE '!'").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(kind, name, table, sql)| ((kind, name), (table, sql))).collect())
}

/// Compares the backup's schema, object for object (type, name, table and SQL, both ways),
/// with what this binary's migrations up to `last` make on a new, empty database in memory:
/// a dropped table, an extra trigger, an altered column are each refused, named.
async fn check_schema(conn: &mut SqliteConnection, last: i64) -> std::result::Result<(), String> {
    let unexpected = |e: &dyn std::fmt::Display| format!("its schema could not be compared with Agora's ({e})");
    let mut fresh = SqliteConnection::connect_with(&SqliteConnectOptions::new().in_memory(true)).await.map_err(|e| unexpected(&e))?;
    let expected = async {
        MIGRATOR.run_direct(Some(last), &mut fresh, false).await.map_err(|e| unexpected(&e))?;
        schema_of(&mut fresh).await.map_err(|e| unexpected(&e))
    }
    .await;
    let _ = fresh.close().await;
    let expected = expected?;
    let found = schema_of(conn).await.map_err(|e| unexpected(&e))?;
    let mut wrong: Vec<String> = Vec::new();
    for ((kind, name), definition) in &expected {
        match found.get(&(kind.clone(), name.clone())) {
            None => wrong.push(format!("{kind} {name} is missing")),
            Some(other) if other != definition => wrong.push(format!("{kind} {name} differs from Agora's")),
            Some(_) => {}
        }
    }
    for (kind, name) in found.keys().filter(|k| !expected.contains_key(*k)) {
        wrong.push(format!("{kind} {name} is not Agora's"));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    // Tables first: a dropped table takes its indexes and triggers with it.
    wrong.sort_by_key(|w| !w.starts_with("table "));
    let more = wrong.len().saturating_sub(5);
    wrong.truncate(5);
    if more > 0 {
        wrong.push(format!("and {more} more"));
    }
    let shown: Vec<String> = wrong.iter().map(|w| crate::text::typed(w)).collect();
    Err(format!("its schema is not what Agora's migrations make: {}", shown.join(", ")))
}

/// `path` with `suffix` added to its file name (SQLite's `-wal`, `-shm`, `-journal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
