//! How answers reach the database: the one hot write path of the bot.
//!
//! Invariant: `AnswerSink::record` resolves only after the transaction holding the answer
//! has committed, and reports `Counted` only for the row it actually inserted.
//!
//! # Why one owned connection and a batching writer on SQLite
//!
//! SQLite has one writer at a time. Measured on the 2-core dev machine with
//! `cargo bench --bench store` (a class of 200 answering each question; answers/s):
//!
//! | SQLite write path                                        | sequential | concurrent |
//! |----------------------------------------------------------|-----------:|-----------:|
//! | one autocommitted INSERT per answer, 1-connection pool   |    ~5,700  |    ~4,300  |
//! | + writer task committing batches of what has queued      |    ~4,700  |   ~12,500  |
//! | + the write connection owned (mutex), not pooled         |    ~8,000  |   ~11,800  |
//!
//! With one autocommit per answer, a class answering at once queued on the single
//! connection and paid one commit each. So answers that find the writer busy go through a
//! channel to one task that takes whatever has queued (up to [`MAX_BATCH`]), inserts it in
//! one transaction, commits, and only then replies to each caller. A caller that finds the
//! write connection free inserts directly with autocommit instead, so a lone answer pays
//! neither the hand-off to the task nor a transaction. Finally, the pool itself cost a
//! third of a sequential answer (returning a pooled connection spawns a task), so the
//! write connection is owned outright behind a fair mutex. PostgreSQL was first left to take
//! concurrent writers on many connections, one transaction per answer (issue 25 measured the
//! price: a WAL flush and five round trips per answer, about 2,000 answers/s on two cores);
//! it now takes the same path, one batch at a time on a pooled connection.
//!
//! Measured since with the real bot (`cargo bench --bench discord`, BENCHMARKS.md): every
//! statement is a round trip to sqlx's SQLite thread, and at a few thousand answers a
//! second those round trips, not SQLite's work, set the pace. So a batch of up to
//! [`EXACT_CHUNK`] answers is one statement that commits on its own (no BEGIN, no COMMIT),
//! and a student's first answer carries their row into the batch instead of committing it
//! in a transaction of its own: from 1,000–2,000 to 3,000 answers/s at p99 ≤ 50 ms on disk
//! (3,000–4,000 on tmpfs). Waiting a millisecond for more answers before committing (a
//! timed group commit) was tried and dropped: 1.5 ms more at every rate, and 4,000/s no
//! longer held on tmpfs, since the writer then idles on its timer while answers queue.
//!
//! Since spaced practice (issue 22) a counted answer also updates the student's memory of
//! the item (`store::memory`) in the same transaction, so a lone answer and every batch are
//! a transaction again: BEGIN, the answers, one read of the memories they review, one upsert
//! of them, COMMIT. The single self-committing statement above is gone with it; the figures
//! above predate it. Issue 25's measurements of this path (bare serenity beside Agora, before
//! and after) are in BENCHMARKS.md.

use std::collections::HashSet;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::any::AnyConnectOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Row};
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

use super::error::{Context, Result, StoreError};
use super::model::{AnswerRecord, Recorded};

/// Inserts an answer only if its item is the open round's current question, opened, not
/// revealed and before its deadline (`answered_at < deadline`): the store itself refuses a
/// late or stray answer, whatever a face's cache believes. A second answer by the same
/// student hits the primary key and changes nothing.
const INSERT_ANSWER: &str = "INSERT INTO answers
    (guild_id, round_id, item_id, user_id, response, correct, credit, points, elapsed_ms, answered_at)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
    WHERE EXISTS (
        SELECT 1 FROM rounds r
        JOIN round_questions q
          ON q.guild_id = r.guild_id AND q.round_id = r.round_id AND q.position = r.current_index
        WHERE r.guild_id = $1 AND r.round_id = $2 AND r.status = 'open' AND q.item_id = $3
          AND r.opened_at IS NOT NULL AND r.revealed = 0
          AND (r.deadline IS NULL OR $10 < r.deadline))
    ON CONFLICT (guild_id, round_id, item_id, user_id) DO NOTHING";

/// Whether the answer a refused insert was for is already stored (a duplicate) or not (closed).
const ANSWER_EXISTS: &str = "SELECT COUNT(*) FROM answers
    WHERE guild_id = $1 AND round_id = $2 AND item_id = $3 AND user_id = $4";

/// Most answers committed in one transaction. A class-sized burst fits in one or two
/// batches; the cap bounds how long the first answer of a batch waits for the last.
pub(crate) const MAX_BATCH: usize = 128;

/// Answers waiting for the writer task. Enough for several classes answering at once;
/// when full, `record` waits for room (back-pressure), it never drops an answer.
const QUEUE: usize = 4 * MAX_BATCH;

/// Statements of up to this many answers are prepared for every size; larger batches go
/// in power-of-two chunks (see [`chunk`]).
const EXACT_CHUNK: usize = 16;

/// Where every write (not only answers) gets its connection.
#[derive(Debug, Clone)]
pub(crate) enum Writer {
    /// PostgreSQL: any connection of the shared pool.
    Pool(AnyPool),
    /// SQLite: the one write connection, owned outright rather than pooled (a pooled
    /// connection costs a task spawn on every release, a third of a sequential answer's
    /// time) and handed out in FIFO order by a fair mutex, so writers queue instead of
    /// spinning in SQLite's busy handler; with the options to open it again (see
    /// [`Writer::settle`]).
    Sqlite(Arc<Mutex<AnyConnection>>, Arc<AnyConnectOptions>),
}

/// A connection to write on, for as long as the guard lives.
pub(crate) enum WriteGuard {
    Pool(PoolConnection<Any>),
    Sqlite(OwnedMutexGuard<AnyConnection>),
}

impl Deref for WriteGuard {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            WriteGuard::Pool(c) => c,
            WriteGuard::Sqlite(c) => c,
        }
    }
}

impl DerefMut for WriteGuard {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            WriteGuard::Pool(c) => c,
            WriteGuard::Sqlite(c) => c,
        }
    }
}

impl Writer {
    /// Waits for a connection to write on.
    pub(crate) async fn acquire(&self) -> Result<WriteGuard> {
        match self {
            Writer::Pool(pool) => Ok(WriteGuard::Pool(pool.acquire().await.context("waiting for a database connection")?)),
            Writer::Sqlite(conn, _) => {
                let mut guard = WriteGuard::Sqlite(conn.clone().lock_owned().await);
                self.settle(&mut guard).await?;
                Ok(guard)
            }
        }
    }

    /// A connection if one is free right now, without queueing (and without overtaking
    /// anyone already queued). Settle it before writing on it.
    fn try_acquire(&self) -> Option<WriteGuard> {
        match self {
            Writer::Pool(pool) => pool.try_acquire().map(WriteGuard::Pool),
            Writer::Sqlite(conn, _) => conn.clone().try_lock_owned().ok().map(WriteGuard::Sqlite),
        }
    }

    /// Makes sure the SQLite write connection is outside any transaction before anyone
    /// writes on it, opening it again when it cannot be sure.
    ///
    /// Why: SQLite rolls a transaction back by itself when a statement without a statement
    /// journal fails with `SQLITE_FULL` (a full disk), or when COMMIT fails. sqlx does not
    /// know: its ROLLBACK then fails ("no transaction is active") and its transaction depth
    /// stays at one. The next `begin` becomes a SAVEPOINT, which starts a real transaction,
    /// and the rollback of a failed statement in it becomes `ROLLBACK TO SAVEPOINT`, which
    /// leaves that transaction open: every later autocommitted answer went into it, was
    /// reported counted and was never committed (the full-disk loss of issue 18). No
    /// transaction outlives the guard that began it, so a depth above zero here, once the
    /// rollback sqlx queued when the transaction was dropped has run, means the two disagree;
    /// closing the connection rolls back whatever SQLite still holds, and a new one starts
    /// clean. A clean connection costs one atomic load.
    async fn settle(&self, guard: &mut WriteGuard) -> Result<()> {
        let (Writer::Sqlite(_, options), WriteGuard::Sqlite(conn)) = (self, guard) else {
            return Ok(());
        };
        if !conn.is_in_transaction() {
            return Ok(());
        }
        // Runs the rollback queued when a transaction was dropped.
        let pinged = conn.ping().await;
        if pinged.is_ok() && !conn.is_in_transaction() {
            return Ok(());
        }
        tracing::warn!(error = ?pinged.err(), "the SQLite write connection was left inside a transaction it cannot end (a failed commit or a full disk); opening it again");
        let fresh = open_sqlite_writer(options).await.context("opening the SQLite write connection again after a failed transaction")?;
        let old = std::mem::replace(&mut **conn, fresh);
        // Closing it rolls back whatever it still held (nothing acknowledged: every answer
        // reported counted was committed before it was reported).
        let _ = old.close().await;
        Ok(())
    }

    pub(crate) async fn close(&self) {
        if let Writer::Pool(pool) = self {
            pool.close().await;
        }
        // The SQLite connection closes when the last handle to it (the store's clones and
        // the writer task) is dropped.
    }
}

/// Opens the SQLite write connection, with the store's per-connection pragmas and no
/// automatic checkpoint (checkpoints run beside it; see `store::checkpoints`).
pub(crate) async fn open_sqlite_writer(options: &AnyConnectOptions) -> std::result::Result<AnyConnection, sqlx::Error> {
    let mut conn = AnyConnection::connect_with(options).await?;
    conn.execute(sqlx::AssertSqlSafe(super::sqlite_pragmas())).await?;
    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
    #[cfg(test)]
    if let Some(pages) = tests::page_limit(options) {
        conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}"))).await?;
    }
    Ok(conn)
}

/// An answer handed to the writer task, with the student's row to write in the same
/// commit (their display name, when this process has not written it yet) and the way back
/// to its caller.
pub(crate) struct Job {
    answer: AnswerRecord,
    user: Option<String>,
    reply: oneshot::Sender<Result<Recorded>>,
}

/// Where `record_answer` sends an answer: to the writer task that commits what has queued as
/// one transaction, unless no answer is being written, in which case the caller writes its
/// own at once.
///
/// One lane on both backends: answers are written by one transaction at a time, so that those
/// arriving meanwhile share the next commit. On SQLite the file has one writer anyway; on
/// PostgreSQL a commit per answer (a WAL flush each, five round trips each) capped the bot near
/// 2,000 answers/s on two cores, where batches share the flush and the round trips.
#[derive(Debug, Clone)]
pub(crate) struct AnswerSink {
    writer: Writer,
    queue: mpsc::Sender<Job>,
    /// Held by whoever is writing answers: a caller writing its own, or the writer task.
    lane: Arc<Mutex<()>>,
}

impl AnswerSink {
    /// Spawns the writer task on the current tokio runtime. It runs until every clone of
    /// the sink is dropped and the queue is drained.
    pub(crate) fn batching(writer: Writer) -> Self {
        let (queue, rx) = mpsc::channel(QUEUE);
        let lane = Arc::new(Mutex::new(()));
        tokio::spawn(write_batches(writer.clone(), lane.clone(), rx));
        AnswerSink { writer, queue, lane }
    }

    /// Commits `answer`, and first the student's row with display name `user` when given
    /// (already cleaned by `text::typed`), in the same batch on SQLite.
    pub(crate) async fn record(&self, answer: &AnswerRecord, user: Option<&str>) -> Result<Recorded> {
        let started = std::time::Instant::now();
        let recorded = self.record_unmeasured(answer, user).await;
        metrics::histogram!(crate::metrics::COMMIT).record(started.elapsed().as_secs_f64());
        if matches!(recorded, Ok(Recorded::Counted)) {
            metrics::counter!(crate::metrics::ANSWERS).increment(1);
        }
        recorded
    }

    async fn record_unmeasured(&self, answer: &AnswerRecord, user: Option<&str>) -> Result<Recorded> {
        // No answer is being written: skip the hand-off to the writer task (two task
        // wake-ups) and insert in a transaction of its own.
        if let Ok(_lane) = self.lane.try_lock()
            && let Some(mut conn) = self.writer.try_acquire()
        {
            self.writer.settle(&mut conn).await?;
            return insert_one(&mut conn, answer, user).await;
        }
        let gone = || StoreError::WriterGone { round_id: answer.round_id.clone(), user_id: answer.user_id.clone() };
        let (reply, outcome) = oneshot::channel();
        self.queue.send(Job { answer: answer.clone(), user: user.map(str::to_owned), reply }).await.map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }
}

/// The student's row (when `user` names them), the answer, and, if it counted, the student's
/// memory of the item, in one transaction: an answer is never stored without its review.
/// A row written for an answer that is then refused is the same row `upsert_user` writes.
async fn insert_one(conn: &mut AnyConnection, answer: &AnswerRecord, user: Option<&str>) -> Result<Recorded> {
    let fail = |e| answer_error(answer, e);
    let mut tx = sqlx::Connection::begin(conn).await.map_err(fail)?;
    if let Some(name) = user {
        upsert_users(&mut tx, &[(answer.guild_id.as_str(), answer.user_id.as_str(), name)]).await.map_err(fail)?;
    }
    let done = bind_answer(answer).execute(&mut *tx).await.map_err(fail)?;
    let outcome = recorded(&mut tx, answer, done.rows_affected()).await.map_err(fail)?;
    if outcome == Recorded::Counted {
        super::memory::apply_reviews(&mut tx, &[answer]).await.map_err(fail)?;
    }
    tx.commit().await.map_err(fail)?;
    Ok(outcome)
}

/// The writer task: drain what is queued, commit it as one transaction, reply to each.
async fn write_batches(writer: Writer, lane: Arc<Mutex<()>>, mut queue: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let _lane = lane.lock().await;
        // What queued while the lane was taken joins this batch.
        while batch.len() < MAX_BATCH
            && let Ok(job) = queue.try_recv()
        {
            batch.push(job);
        }
        let mut conn = match writer.acquire().await {
            Ok(conn) => conn,
            Err(e) => {
                let message = e.to_string();
                for Job { answer, reply, .. } in batch.drain(..) {
                    let _ = reply.send(Err(StoreError::Query {
                        context: format!("recording the answer of user {}", answer.user_id),
                        source: sqlx::Error::Protocol(message.clone()),
                    }));
                }
                continue;
            }
        };
        if batch.len() == 1
            && let Some(Job { answer, user, reply }) = batch.pop()
        {
            // The caller may have given up waiting; the answer is recorded all the same.
            let _ = reply.send(insert_one(&mut conn, &answer, user.as_deref()).await);
            continue;
        }
        metrics::histogram!(crate::metrics::BATCH).record(batch.len() as f64);
        match insert_batch(&mut conn, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            // Something in the batch failed (an unknown user, a full disk): the batch was
            // rolled back, so record each answer on its own and give each caller its own
            // result. Rare, and correct rather than fast.
            // Settled first: a failed transaction may have left the connection inside one.
            Err(_) => {
                let settled = writer.settle(&mut conn).await;
                for Job { answer, user, reply } in batch.drain(..) {
                    let outcome = match &settled {
                        Ok(()) => insert_one(&mut conn, &answer, user.as_deref()).await,
                        Err(e) => Err(StoreError::Query {
                            context: format!("recording the answer of user {}", answer.user_id),
                            source: sqlx::Error::Protocol(e.to_string()),
                        }),
                    };
                    let _ = reply.send(outcome);
                }
            }
        }
    }
}

/// Inserts every answer of the batch, with the students' rows before them and the memories
/// of the counted ones after them (FSRS, `store::memory`), in one transaction; returns each
/// one's outcome only once the commit succeeded.
///
/// The answers go in a few multi-row statements ([`insert_rows`]) rather than one each:
/// every statement is a round trip to sqlx's SQLite worker thread, which cost more than
/// SQLite's own work per answer. A second answer for the same (round, item, user) within
/// the batch goes on its own afterwards, so each caller learns whether *its* answer counted.
async fn insert_batch(conn: &mut AnyConnection, batch: &[Job]) -> std::result::Result<Vec<Recorded>, sqlx::Error> {
    let mut seen = HashSet::with_capacity(batch.len());
    let (first, again): (Vec<usize>, Vec<usize>) = (0..batch.len()).partition(|&i| seen.insert(key(&batch[i].answer)));
    // Each student's row once, with the last name given (PostgreSQL refuses a statement that
    // upserts one row twice).
    let mut users: Vec<(&str, &str, &str)> = Vec::new();
    for j in batch.iter().rev() {
        let (guild, user) = (j.answer.guild_id.as_str(), j.answer.user_id.as_str());
        if let Some(name) = j.user.as_deref()
            && !users.iter().any(|(g, u, _)| *g == guild && *u == user)
        {
            users.push((guild, user, name));
        }
    }
    users.reverse();
    let mut tx = sqlx::Connection::begin(conn).await?;
    // Students answering for the first time (since this process started) first.
    let mut rest = users.as_slice();
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(chunk(rest.len()));
        upsert_users(&mut tx, chunk).await?;
        rest = tail;
    }
    let mut counted = HashSet::with_capacity(first.len());
    let mut rest = first.as_slice();
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(chunk(rest.len()));
        counted.extend(insert_rows(&mut tx, chunk.iter().map(|&i| &batch[i].answer)).await?);
        rest = tail;
    }
    let mut outcomes = vec![Recorded::Counted; batch.len()];
    for i in first {
        let answer = &batch[i].answer;
        if !counted.contains(&key(answer)) {
            outcomes[i] = recorded(&mut tx, answer, 0).await?;
        }
    }
    for i in again {
        let answer = &batch[i].answer;
        let done = bind_answer(answer).execute(&mut *tx).await?;
        outcomes[i] = recorded(&mut tx, answer, done.rows_affected()).await?;
    }
    // The memories of the answers that counted, in the order they came.
    let reviewed: Vec<&AnswerRecord> = batch.iter().zip(&outcomes).filter(|(_, o)| **o == Recorded::Counted).map(|(j, _)| &j.answer).collect();
    super::memory::apply_reviews(&mut tx, &reviewed).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// How many of `n` rows go in the next statement: all of them up to [`EXACT_CHUNK`],
/// else the largest power of two, so that sqlx prepares and caches at most
/// `EXACT_CHUNK` + 3 statements (32, 64, 128) of each kind for any batch.
pub(crate) fn chunk(n: usize) -> usize {
    if n <= EXACT_CHUNK { n } else { 1 << n.ilog2() }
}

/// What makes two answers the same answer: the answers table's primary key.
type Key = (String, String, String, String);

fn key(a: &AnswerRecord) -> Key {
    (a.guild_id.as_str().to_owned(), a.round_id.as_str().to_owned(), a.item_id.as_str().to_owned(), a.user_id.as_str().to_owned())
}

/// Writes each (guild, user, display name) row, new or renamed, in one statement; the guild
/// must exist. A row whose name has not changed is left as it is (no page rewritten: after a
/// restart every student's first answer brings their row again). Each student at most once
/// (PostgreSQL refuses a second upsert of one row).
pub(crate) async fn upsert_users(conn: &mut AnyConnection, users: &[(&str, &str, &str)]) -> std::result::Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (guild_id, user_id, display_name) VALUES {}
         ON CONFLICT (guild_id, user_id) DO UPDATE SET display_name = excluded.display_name
         WHERE users.display_name <> excluded.display_name",
        Params::of(conn).rows(users.len(), 3)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (guild, user, name) in users {
        query = query.bind((*guild).to_owned()).bind((*user).to_owned()).bind((*name).to_owned());
    }
    query.execute(conn).await?;
    Ok(())
}

/// [`INSERT_ANSWER`] for several answers in one statement; returns the keys it inserted.
async fn insert_rows<'a>(conn: &mut AnyConnection, answers: impl ExactSizeIterator<Item = &'a AnswerRecord>) -> std::result::Result<Vec<Key>, sqlx::Error> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(insert_rows_sql(Params::of(conn), answers.len())));
    for a in answers {
        query = bind_fields(query, a);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect()
}

/// The SQL of [`insert_rows`] for `n` answers: the same guard as [`INSERT_ANSWER`], row by
/// row over a `VALUES` list (whose columns SQLite and PostgreSQL both name `column1`…).
fn insert_rows_sql(params: Params, n: usize) -> String {
    format!(
        "INSERT INTO answers
            (guild_id, round_id, item_id, user_id, response, correct, credit, points, elapsed_ms, answered_at)
         SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10
         FROM (VALUES {}) AS v
         WHERE EXISTS (
            SELECT 1 FROM rounds r
            JOIN round_questions q
              ON q.guild_id = r.guild_id AND q.round_id = r.round_id AND q.position = r.current_index
            WHERE r.guild_id = v.column1 AND r.round_id = v.column2 AND r.status = 'open' AND q.item_id = v.column3
              AND r.opened_at IS NOT NULL AND r.revealed = 0
              AND (r.deadline IS NULL OR v.column10 < r.deadline))
         ON CONFLICT (guild_id, round_id, item_id, user_id) DO NOTHING
         RETURNING guild_id, round_id, item_id, user_id",
        params.rows(n, 10)
    )
}

/// How a multi-row statement writes its parameters, each used once and in order: `$1`, `$2`…
/// on PostgreSQL; on SQLite anonymous `?`s. sqlx asks SQLite for the name of every parameter
/// of a statement each time it binds it, and SQLite finds a numbered parameter's name by
/// walking the list of them from the start: the 1,280 parameters of a batch of 128 answers
/// took some 800,000 steps per statement (2–4 % of the bot's CPU in a run of `cargo bench
/// --bench discord`, more in the large batches past what it keeps up with), where an anonymous
/// parameter has no name to look for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    anonymous: bool,
}

impl Params {
    pub(crate) fn of(conn: &AnyConnection) -> Params {
        Params { anonymous: conn.backend_name() == <sqlx::Sqlite as sqlx::Database>::NAME }
    }

    /// `rows` parenthesised groups of `width` parameters, comma-separated: `($1, $2), ($3, $4)`.
    pub(crate) fn rows(self, rows: usize, width: usize) -> String {
        let group = |row: usize| -> String {
            let p: Vec<String> = (1..=width).map(|c| if self.anonymous { "?".to_string() } else { format!("${}", row * width + c) }).collect();
            format!("({})", p.join(", "))
        };
        (0..rows).map(group).collect::<Vec<_>>().join(", ")
    }
}

fn bind_answer(a: &AnswerRecord) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    bind_fields(sqlx::query(INSERT_ANSWER), a)
}

/// Binds an answer's ten columns in [`INSERT_ANSWER`]'s order (the next ten placeholders).
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    a: &AnswerRecord,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(a.guild_id.as_str().to_owned())
        .bind(a.round_id.as_str().to_owned())
        .bind(a.item_id.as_str().to_owned())
        .bind(a.user_id.as_str().to_owned())
        .bind(crate::text::typed(&a.response))
        .bind(i32::from(a.correct))
        .bind(a.credit)
        .bind(a.points)
        .bind(a.elapsed_ms)
        .bind(a.answered_at)
}

/// What an insert that touched `rows_affected` rows means for the student.
async fn recorded(conn: &mut AnyConnection, a: &AnswerRecord, rows_affected: u64) -> std::result::Result<Recorded, sqlx::Error> {
    if rows_affected > 0 {
        return Ok(Recorded::Counted);
    }
    let stored: i64 = sqlx::query_scalar(ANSWER_EXISTS)
        .bind(a.guild_id.as_str().to_owned())
        .bind(a.round_id.as_str().to_owned())
        .bind(a.item_id.as_str().to_owned())
        .bind(a.user_id.as_str().to_owned())
        .fetch_one(conn)
        .await?;
    Ok(if stored > 0 { Recorded::Duplicate } else { Recorded::Closed })
}

/// A foreign-key violation means the round or the user is unknown: say so plainly.
fn answer_error(a: &AnswerRecord, source: sqlx::Error) -> StoreError {
    let fk = matches!(&source, sqlx::Error::Database(db)
        if db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation);
    if fk {
        StoreError::UnknownRoundOrUser { guild_id: a.guild_id.clone(), round_id: a.round_id.clone(), user_id: a.user_id.clone() }
    } else {
        StoreError::Query {
            context: format!("recording the answer of user {} to item {} of round {} in guild {}", a.user_id, a.item_id, a.round_id, a.guild_id),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Job, insert_batch};
    use crate::store::{AnswerRecord, NewRound, Recorded, RoundKind, Store};
    use tokio::sync::oneshot;

    fn answer(user: &str, item: &str, response: &str, at: i64) -> AnswerRecord {
        AnswerRecord {
            guild_id: "g".into(),
            round_id: "r".into(),
            item_id: item.into(),
            user_id: user.into(),
            response: response.into(),
            correct: response == "0",
            credit: 1.0,
            points: 10,
            elapsed_ms: 500,
            answered_at: at,
            review: Some(crate::memory::Review { rating: crate::memory::Rating::Good, scheduler: crate::memory::Scheduler::default() }),
        }
    }

    /// A store with users u0…u99 and round `r` of items q1, q2, open on q1 until 31 s.
    async fn store_with_open_round(dir: &std::path::Path) -> Store {
        let store = Store::connect(&format!("sqlite://{}/agora.db", dir.display())).await.unwrap();
        for u in 0..100 {
            store.upsert_user("g", &format!("u{u}"), "x").await.unwrap();
        }
        store.create_round(&round_r()).await.unwrap();
        store
    }

    /// Round `r` of items q1, q2, opened at 1 s for 30 s.
    fn round_r() -> NewRound {
        NewRound {
            guild_id: "g".into(),
            round_id: "r".into(),
            kind: RoundKind::Live,
            channel_id: Some("c".into()),
            started_by: "t".into(),
            item_ids: vec!["q1".into(), "q2".into()],
            open_seconds: 30,
            seed: 1,
            speed_bonus: false,
            started_at: 1_000,
        }
    }

    /// The outcomes of `insert_batch` for `answers`, each with the student's row to write
    /// (`Some(name)`) or not, on the store's write connection.
    async fn run_batch(store: &Store, answers: impl IntoIterator<Item = (AnswerRecord, Option<&str>)>) -> Vec<Recorded> {
        let batch: Vec<Job> = answers.into_iter().map(|(answer, user)| Job { answer, user: user.map(str::to_owned), reply: oneshot::channel().0 }).collect();
        let mut conn = store.writer.acquire().await.unwrap();
        insert_batch(&mut conn, &batch).await.unwrap()
    }

    /// A small batch (one statement of answers) still
    /// tells each answer apart: counted, stored before, late, for another question.
    #[tokio::test]
    async fn a_batch_in_one_statement_gives_each_answer_its_own_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_open_round(dir.path()).await;
        assert_eq!(store.record_answer(&answer("u0", "q1", "0", 2_000)).await.unwrap(), Recorded::Counted);
        let mut answers: Vec<AnswerRecord> = (1..8).map(|u| answer(&format!("u{u}"), "q1", "1", 2_000)).collect();
        answers.push(answer("u0", "q1", "1", 2_000)); // stored before the batch
        answers.push(answer("u8", "q1", "0", 31_000)); // at the deadline: late
        answers.push(answer("u9", "q2", "0", 2_000)); // not the current question
        let outcomes = run_batch(&store, answers.into_iter().map(|a| (a, None))).await;

        let mut expected = vec![Recorded::Counted; 7];
        expected.extend([Recorded::Duplicate, Recorded::Closed, Recorded::Closed]);
        assert_eq!(outcomes, expected);
        let stored = store.answers_for_round_item(&"g".into(), &"r".into(), &"q1".into()).await.unwrap();
        let mut who: Vec<String> = stored.iter().map(|a| a.answer.user_id.to_string()).collect();
        who.sort();
        assert_eq!(who, ["u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7"]);
        assert!(stored.iter().all(|a| a.answer.response == if a.answer.user_id.as_str() == "u0" { "0" } else { "1" }));
        store.close().await;
    }

    /// Students answering for the first time bring their rows: written in the batch's
    /// transaction before their answers, which count under those names.
    #[tokio::test]
    async fn a_batch_writes_new_students_rows_before_their_answers() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_open_round(dir.path()).await;
        let students = [("u1", None), ("new1", Some("New One")), ("new2", Some("New Two"))];
        let outcomes = run_batch(&store, students.map(|(u, name)| (answer(u, "q1", "0", 2_000), name))).await;

        assert_eq!(outcomes, vec![Recorded::Counted; 3]);
        let stored = store.answers_for_round_item(&"g".into(), &"r".into(), &"q1".into()).await.unwrap();
        let mut named: Vec<(String, String)> = stored.iter().map(|a| (a.answer.user_id.to_string(), a.display_name.clone())).collect();
        named.sort();
        assert_eq!(named, [("new1".into(), "New One".into()), ("new2".into(), "New Two".into()), ("u1".into(), "x".into())]);
        store.close().await;
    }

    /// One batch of 100 (chunks of 64, 32 and 4) holding answers that count, a double click
    /// within the batch, answers already stored, a late one and one to another question:
    /// each gets its own outcome, and exactly the counted ones are stored.
    #[tokio::test]
    async fn a_batch_gives_each_answer_its_own_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_open_round(dir.path()).await;
        assert_eq!(store.record_answer(&answer("u0", "q1", "0", 2_000)).await.unwrap(), Recorded::Counted);

        let mut answers: Vec<AnswerRecord> = (1..95).map(|u| answer(&format!("u{u}"), "q1", "0", 2_000)).collect();
        answers.push(answer("u0", "q1", "1", 2_000)); // stored before the batch
        answers.push(answer("u1", "q1", "1", 2_000)); // a double click within the batch
        answers.push(answer("u95", "q1", "0", 31_000)); // at the deadline: late
        answers.push(answer("u96", "q2", "0", 2_000)); // not the current question
        answers.push(answer("u97", "q1", "1", 2_000));
        answers.push(answer("u97", "q1", "0", 2_000)); // a double click within the batch
        assert_eq!(answers.len(), 100);
        let outcomes = run_batch(&store, answers.into_iter().map(|a| (a, None))).await;

        let mut expected = vec![Recorded::Counted; 94];
        expected.extend([Recorded::Duplicate, Recorded::Duplicate, Recorded::Closed, Recorded::Closed, Recorded::Counted, Recorded::Duplicate]);
        assert_eq!(outcomes, expected);
        let stored = store.answers_for_round_item(&"g".into(), &"r".into(), &"q1".into()).await.unwrap();
        assert_eq!(stored.len(), 96, "u0 before the batch, u1..u94 and u97");
        assert_eq!(memories(&store).await, 96, "each counted answer reviewed its item, in the batch's transaction");
        let response_of = |u: &str| stored.iter().find(|a| a.answer.user_id.as_str() == u).map(|a| a.answer.response.clone());
        assert_eq!((response_of("u0"), response_of("u1"), response_of("u97")), (Some("0".into()), Some("0".into()), Some("1".into())));
        store.close().await;
    }

    /// Each memory a batch reviews starts from where it stood before the batch (read before
    /// the batch writes any): a student who reviewed the item in an earlier round goes on from
    /// that memory, a student new to it starts afresh, and a student answering it twice in one
    /// batch (two rounds) is reviewed twice, in order.
    #[tokio::test]
    async fn a_batch_reviews_each_memory_from_where_it_stood() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_open_round(dir.path()).await;
        let mut second = NewRound { round_id: "r2".into(), channel_id: Some("c2".into()), started_at: 1_500, ..round_r() };
        second.item_ids = vec!["q1".into()];
        store.create_round(&second).await.unwrap();
        assert_eq!(store.record_answer(&answer("u1", "q1", "0", 2_000)).await.unwrap(), Recorded::Counted);
        let in_r2 = |user: &str, at: i64| AnswerRecord { round_id: "r2".into(), ..answer(user, "q1", "0", at) };
        let batch = [in_r2("u1", 3_000), in_r2("u2", 3_000), answer("u3", "q1", "0", 2_500), in_r2("u3", 3_000)];
        assert_eq!(run_batch(&store, batch.map(|a| (a, None))).await, vec![Recorded::Counted; 4]);

        let good = answer("u0", "q1", "0", 0).review.unwrap();
        let memory_of = |user: &str| {
            let store = store.clone();
            let user = crate::ids::UserId::from(user);
            async move { store.memories_of(&"g".into(), &user).await.unwrap() }
        };
        let first = good.apply(None, 2_000);
        assert_eq!(memory_of("u1").await, [(crate::ids::ItemId::from("q1"), good.apply(Some(&first), 3_000))]);
        assert_eq!(memory_of("u2").await, [(crate::ids::ItemId::from("q1"), good.apply(None, 3_000))]);
        assert_eq!(memory_of("u3").await, [(crate::ids::ItemId::from("q1"), good.apply(Some(&good.apply(None, 2_500)), 3_000))]);
        assert_eq!(memory_of("u3").await[0].1.reviews, 2);
        store.close().await;
    }

    /// Page limits by database URL, applied to a write connection opened again (SQLite's
    /// `max_page_count` is the connection's), so a disk a test filled stays full.
    static PAGE_LIMITS: std::sync::Mutex<Vec<(String, i64)>> = std::sync::Mutex::new(Vec::new());

    pub(super) fn page_limit(options: &sqlx::any::AnyConnectOptions) -> Option<i64> {
        let url = options.database_url.as_str();
        PAGE_LIMITS.lock().unwrap().iter().find(|(u, _)| url.starts_with(u.as_str())).map(|(_, p)| *p)
    }

    /// The store's write connection (and any it opens again) may grow the file to `pages`
    /// pages at most (`None`: no limit): a disk that is full, or has room again.
    async fn limit_pages(store: &Store, url: &str, pages: Option<i64>) {
        PAGE_LIMITS.lock().unwrap().retain(|(u, _)| u != url);
        if let Some(pages) = pages {
            PAGE_LIMITS.lock().unwrap().push((url.to_owned(), pages));
        }
        let pages = pages.unwrap_or(1 << 30);
        let mut conn = store.writer.acquire().await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}"))).execute(&mut *conn).await.unwrap();
    }

    /// `student` answers q1 alone.
    async fn alone(store: &Store, student: String) -> Vec<(String, crate::store::Result<Recorded>)> {
        let outcome = store.record_answer_of(&answer(&student, "q1", "0", 2_000), "x").await;
        vec![(student, outcome)]
    }

    /// Each (user, display name) answers q1 at the same moment: while the test holds the
    /// write connection they all queue for the writer task, which then commits them as one
    /// batch. Returns each student's outcome.
    async fn batch_of(store: &Store, students: Vec<(String, String)>) -> Vec<(String, crate::store::Result<Recorded>)> {
        let guard = store.writer.acquire().await.unwrap();
        let n = students.len();
        let started = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tasks: Vec<_> = students
            .into_iter()
            .map(|(user, name)| {
                let (store, started) = (store.clone(), started.clone());
                tokio::spawn(async move {
                    started.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let outcome = store.record_answer_of(&answer(&user, "q1", "0", 2_000), &name).await;
                    (user, outcome)
                })
            })
            .collect();
        // On this one-threaded runtime each click, once started, runs until it waits for its
        // answer's outcome, its answer queued (the write connection is taken); the writer
        // task they wake runs after them and takes them all as one batch.
        while started.load(std::sync::atomic::Ordering::SeqCst) < n {
            tokio::task::yield_now().await;
        }
        drop(guard);
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    }

    /// Sorts outcomes into who was told their answer counted and who got an error.
    fn sort_out(outcomes: Vec<(String, crate::store::Result<Recorded>)>, counted: &mut Vec<String>, failed: &mut Vec<String>) {
        for (user, outcome) in outcomes {
            match outcome {
                Ok(Recorded::Counted) => counted.push(user),
                Ok(other) => panic!("{user}: {other:?}"),
                Err(_) => failed.push(user),
            }
        }
    }

    /// How many memories (one per student and item reviewed) are stored.
    async fn memories(store: &Store) -> usize {
        store.guild_memories(&"g".into()).await.unwrap().len()
    }

    /// Who has an answer to q1 stored (committed: read on a read connection).
    async fn stored(store: &Store) -> Vec<String> {
        let mut who: Vec<String> =
            store.answers_for_round_item(&"g".into(), &"r".into(), &"q1".into()).await.unwrap().iter().map(|a| a.answer.user_id.to_string()).collect();
        who.sort();
        who
    }

    /// A store that cannot grow (SQLite's `max_page_count` at the file's size: a full disk)
    /// while a class answers, in batches (a newcomer among known students, then newcomers
    /// only) and one at a time: every answer reported `Counted` is stored and every other one
    /// got an error. Once there is room again the writer takes answers by itself, and after a
    /// restart every acknowledged answer is still there.
    #[tokio::test]
    async fn a_full_database_never_acknowledges_an_answer_it_did_not_store_and_recovers() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_open_round(dir.path()).await;
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut *store.writer.acquire().await.unwrap()).await.unwrap();
        let url = format!("sqlite://{}/agora.db", dir.path().display());
        limit_pages(&store, &url, Some(pages)).await;

        let (mut counted, mut failed) = (Vec::new(), Vec::new());
        let mut known = (0..100).map(|u| format!("u{u}"));
        // Until the file is full: a newcomer (whose row comes first
        // in the batch) among known students.
        for round in 0..20 {
            let mut students: Vec<(String, String)> = known.by_ref().take(4).map(|u| (u, "x".to_string())).collect();
            students.insert(2, (format!("n{round:02}"), "N".repeat(300)));
            sort_out(batch_of(&store, students).await, &mut counted, &mut failed);
            if !failed.is_empty() {
                break;
            }
        }
        // Known students and newcomers, then known students one at a time.
        let mut students: Vec<(String, String)> = known.by_ref().take(6).map(|u| (u, "x".to_string())).collect();
        students.extend((0..10).map(|u| (format!("m{u:02}"), "M".repeat(300))));
        sort_out(batch_of(&store, students).await, &mut counted, &mut failed);
        for user in known.by_ref().take(5) {
            sort_out(alone(&store, user).await, &mut counted, &mut failed);
        }
        assert!(!failed.is_empty(), "the file never filled: the test tests nothing");
        counted.sort();
        assert_eq!(stored(&store).await, counted, "stored = acknowledged while full ({} failed)", failed.len());

        // Room again: the students told to press again do, others answer in a batch and alone.
        limit_pages(&store, &url, None).await;
        let mut again = Vec::new();
        let retry: Vec<(String, String)> = failed.drain(..).map(|u| (u, "again".to_string())).collect();
        sort_out(batch_of(&store, retry).await, &mut again, &mut failed);
        sort_out(batch_of(&store, known.by_ref().take(30).map(|u| (u, "x".to_string())).collect()).await, &mut again, &mut failed);
        for user in known.by_ref().take(5) {
            sort_out(alone(&store, user).await, &mut again, &mut failed);
        }
        assert_eq!(failed, Vec::<String>::new(), "every answer counts once there is room");
        counted.extend(again);
        counted.sort();
        assert_eq!(stored(&store).await, counted);

        assert_eq!(memories(&store).await, counted.len(), "a memory for each stored answer, none for a failed one");

        // A restart keeps every acknowledged answer.
        store.close().await;
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(stored(&store).await, counted);
        store.close().await;
    }
}
