//! The store's error type: every failure says what the store was doing when it failed.
//!
//! Invariant: no store function panics on bad input or a failing database; it returns a
//! `StoreError` whose message names the operation (and guild, round, user where relevant)
//! and whose `source()` chain keeps the driver's error for the log.

use std::path::PathBuf;

use crate::ids::{ChannelId, DebateId, GuildId, RoundId, SubmissionId, UserId};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:…` nor `postgres://…`, or cannot be parsed.
    #[error("unsupported database URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },

    /// The directory that should hold the SQLite file could not be created.
    #[error("could not create the database directory {}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The database could not be reached or opened. The URL is shown without its password.
    #[error("could not connect to {url}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    /// The migrations in `migrations/` could not be applied.
    #[error("could not apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),

    /// The database holds objects (tables, views, types, … in any schema) and no Agora
    /// migration history: it belongs to another program. Nothing was written to it (not
    /// even SQLite's switch to WAL). `what` is `tables` or `objects`; `found` names them.
    #[error(
        "{url} is not Agora's database: it holds other {what} ({found}) and no Agora migration history. Nothing was written to it. Point DATABASE_URL at a new file or an empty database, or at Agora's own"
    )]
    NotAgoras { url: String, what: String, found: String },

    /// The database's migration history has versions this build does not know: a newer
    /// Agora wrote it. Nothing was written to it.
    #[error(
        "{url} was written by a newer Agora: it has migration {unknown}, and this agora knows migrations up to {latest}. Nothing was written to it. Run the newer agora on it, or point DATABASE_URL at another database"
    )]
    NewerAgora { url: String, unknown: String, latest: i64 },

    /// The database refuses writes: a read-only SQLite file or folder, a read-only
    /// PostgreSQL transaction or standby.
    #[error("{context}: the database is read-only. {hint}")]
    ReadOnly {
        context: String,
        hint: &'static str,
        #[source]
        source: sqlx::Error,
    },

    /// SQLite could not open or create the file.
    #[error(
        "cannot open or create the SQLite database {}: check that its folder is writable by the user running agora (SQLite also creates FILE-wal and FILE-shm beside it) and that the path is not a folder",
        path.display()
    )]
    CannotOpen {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },

    /// The file is not a SQLite database.
    #[error(
        "{} is not a SQLite database (another kind of file, or an encrypted one). Nothing was written to it. Point DATABASE_URL at a SQLite file or a new path",
        path.display()
    )]
    NotSqlite {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },

    /// A query failed; `context` says which operation it belonged to.
    #[error("{context}")]
    Query {
        context: String,
        #[source]
        source: sqlx::Error,
    },

    /// A round was created with an id its guild already uses.
    #[error("round {round_id} already exists in guild {guild_id}")]
    RoundExists { guild_id: GuildId, round_id: RoundId },

    /// A round asked of the store that it cannot hold: no questions, a repeated question,
    /// a question index or position the round does not have. A caller's bug, not bad input.
    #[error("round {round_id}: {reason}")]
    InvalidRound { round_id: RoundId, reason: String },

    /// A live round was started in a channel that already has one open.
    #[error("channel {channel_id} in guild {guild_id} already has a live round open")]
    ChannelBusy { guild_id: GuildId, channel_id: ChannelId },

    /// A round was moved on, finished or abandoned, but there is no open round with that id.
    #[error("round {round_id} in guild {guild_id} does not exist or is no longer open")]
    RoundNotOpen { guild_id: GuildId, round_id: RoundId },

    /// An answer names a round or a user the guild does not have (create the round and
    /// upsert the user first).
    #[error("answer of user {user_id} to round {round_id} in guild {guild_id} refers to an unknown round or user")]
    UnknownRoundOrUser { guild_id: GuildId, round_id: RoundId, user_id: UserId },

    /// Guild settings must be a JSON document.
    #[error("guild settings for {guild_id} are not valid JSON")]
    InvalidSettings {
        guild_id: String,
        #[source]
        source: serde_json::Error,
    },

    /// A stored value does not have the shape the schema promises (hand-edited database?).
    #[error("corrupt row in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },

    /// Writing the gradebook CSV failed.
    #[error("could not write the gradebook CSV")]
    Csv(#[source] csv::Error),

    /// A debate was created with an id its guild already uses.
    #[error("debate {debate_id} already exists in guild {guild_id}")]
    DebateExists { guild_id: GuildId, debate_id: DebateId },

    /// A debate was started in a channel that already has one open.
    #[error("channel {channel_id} in guild {guild_id} already has a debate open")]
    DebateChannelBusy { guild_id: GuildId, channel_id: ChannelId },

    /// A change to a debate found it closed, or no longer in the phase (or before the
    /// deadline) the change was made for: another process moved it on first. Nothing changed.
    #[error("debate {debate_id} in guild {guild_id} is not open in the phase this change was for")]
    DebateMoved { guild_id: GuildId, debate_id: DebateId },

    /// A student answered a prompt they had already answered.
    #[error("user {user_id} has already answered prompt {prompt_id} in guild {guild_id}")]
    PromptAnswered { guild_id: GuildId, user_id: UserId, prompt_id: String },

    /// A review of a prompt answer that is not waiting for one (reviewed already, or unknown).
    #[error("prompt answer {answer_id} in guild {guild_id} is not waiting for review")]
    NotWaiting { guild_id: GuildId, answer_id: SubmissionId },

    /// A backup was not made; `reason` says why and what to do.
    #[error("cannot back up into {}: {reason}", file.display())]
    Backup { file: PathBuf, reason: String },

    /// A restore was refused or failed before the database was replaced; `reason` says why.
    #[error("cannot restore from {}: {reason}. The database was left as it was", file.display())]
    Restore { file: PathBuf, reason: String },

    /// Backups of PostgreSQL are made and restored with its own tools; `advice` says which.
    #[error("agora does not copy a PostgreSQL database itself: {advice}")]
    PostgresTool { database: String, advice: String },

    /// The background task that commits SQLite answers has stopped (the store is shutting down).
    #[error("the answer writer has stopped; answer of user {user_id} to round {round_id} was not recorded")]
    WriterGone { round_id: RoundId, user_id: UserId },
}

/// Shorthand for results of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attaches the name of the operation to a driver error.
pub(crate) trait Context<T> {
    fn context(self, what: &str) -> Result<T>;
    fn with_context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, what: &str) -> Result<T> {
        self.map_err(|source| StoreError::query(what.to_owned(), source))
    }

    fn with_context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| StoreError::query(what(), source))
    }
}

/// What to do about a database that refuses writes, by backend.
const SQLITE_READ_ONLY: &str = "Make the database file and its folder writable by the user running agora (SQLite also writes FILE-wal and FILE-shm beside it), or point DATABASE_URL at a writable place";
const POSTGRES_READ_ONLY: &str = "The server refuses writes (a standby, or default_transaction_read_only is on): point DATABASE_URL at a writable primary, or turn read-only off for this database";

/// SQLite's result codes this module names (the low byte of an extended code).
const SQLITE_BUSY: i64 = 5;
const SQLITE_READONLY: i64 = 8;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

/// The driver's error, classified: what a person should be told about it.
pub(crate) enum Cause {
    /// The database refuses writes; the hint says what to do.
    ReadOnly(&'static str),
    /// SQLite could not open or create the file.
    CannotOpen,
    /// The file is not a SQLite database.
    NotSqlite,
    /// SQLite's lock is held by another connection (after the busy timeout, or at once
    /// where waiting could deadlock).
    Busy,
    Other,
}

pub(crate) fn cause(e: &sqlx::Error) -> Cause {
    let Some(db) = e.as_database_error() else { return Cause::Other };
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        match db.code().and_then(|c| c.parse::<i64>().ok()).map(|c| c & 0xff) {
            Some(SQLITE_READONLY) => Cause::ReadOnly(SQLITE_READ_ONLY),
            Some(SQLITE_CANTOPEN) => Cause::CannotOpen,
            Some(SQLITE_NOTADB) => Cause::NotSqlite,
            Some(SQLITE_BUSY) => Cause::Busy,
            _ => Cause::Other,
        }
    } else if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() && db.code().as_deref() == Some("25006") {
        Cause::ReadOnly(POSTGRES_READ_ONLY)
    } else {
        Cause::Other
    }
}

impl StoreError {
    /// A failed query, named by `context`; a refused write says the database is read-only.
    pub(crate) fn query(context: String, source: sqlx::Error) -> StoreError {
        match cause(&source) {
            Cause::ReadOnly(hint) => StoreError::ReadOnly { context, hint, source },
            _ => StoreError::Query { context, source },
        }
    }
}

/// The URL with any password replaced by `***`, fit for logs and error messages: the
/// user-info password and `password=` / `sslpassword=` query parameters.
pub(crate) fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = redact_userinfo(base);
    if let Some(q) = query {
        let params: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

fn redact_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod query_tests {
    use super::redact_url;

    #[test]
    fn passwords_in_the_query_string_are_hidden_too() {
        assert_eq!(redact_url("postgres://u@h:1/x?password=hunter2&sslmode=disable"), "postgres://u@h:1/x?password=***&sslmode=disable");
        assert_eq!(redact_url("postgres://u:pw@h/x?sslpassword=s"), "postgres://u:***@h/x?sslpassword=***");
        assert_eq!(redact_url("sqlite://data/agora.db"), "sqlite://data/agora.db");
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://agora:s3cret@db:5432/agora"), "postgres://agora:***@db:5432/agora");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/test"), "postgres://postgres@127.0.0.1/test");
        assert_eq!(redact_url("sqlite://data/agora.db"), "sqlite://data/agora.db");
        assert_eq!(redact_url("sqlite:data/a@b.db"), "sqlite:data/a@b.db");
    }
}
