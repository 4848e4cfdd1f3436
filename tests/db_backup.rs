//! `agora db backup` and `agora db restore` on SQLite: a backup taken while another
//! connection writes is one consistent snapshot; a restore brings the backup's rows back and
//! keeps the database it replaced; what is refused (an existing backup file, a file that is not
//! Agora's, a database in use, PostgreSQL) is refused with words that say what to do, and
//! leaves the database as it was.

use std::path::Path;
use std::process::Command;

use agora::store::{AnswerRecord, NewRound, Recorded, RoundKind, RoundProgress, Store, StoreError};

fn url_of(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn open_round(store: &Store) {
    let new = NewRound {
        guild_id: "g".into(),
        round_id: "r".into(),
        kind: RoundKind::Live,
        channel_id: Some("c".into()),
        started_by: "teacher".into(),
        item_ids: vec!["q1".into()],
        open_seconds: 30,
        seed: 1,
        speed_bonus: false,
        started_at: 1_000,
    };
    store.create_round(&new).await.unwrap();
    let progress = RoundProgress { current_index: 0, opened_at: Some(1_000), deadline: None, revealed: false };
    store.update_round_progress(&"g".into(), &"r".into(), progress).await.unwrap();
}

/// Student `n` joins and answers: two transactions, in that order.
async fn student_answers(store: &Store, n: usize) {
    let user = format!("u{n:05}");
    store.upsert_user("g", &user, &format!("Student {n}")).await.unwrap();
    let answer = AnswerRecord {
        guild_id: "g".into(),
        round_id: "r".into(),
        item_id: "q1".into(),
        user_id: user.as_str().into(),
        response: "0".into(),
        correct: true,
        credit: 1.0,
        points: 10,
        elapsed_ms: 100,
        answered_at: 2_000,
        review: Some(agora::memory::Review::of(agora::scoring::Verdict::exact(true), 0, None, agora::memory::Scheduler::default())),
    };
    assert_eq!(store.record_answer(&answer).await.unwrap(), Recorded::Counted);
}

/// (users, answers) in a database file, read through a plain connection.
async fn counts(path: &Path) -> (Vec<String>, Vec<String>) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
    assert_eq!(check, "ok", "{}", path.display());
    let users = sqlx::query_scalar("SELECT user_id FROM users ORDER BY user_id").fetch_all(&mut conn).await.unwrap();
    let answers = sqlx::query_scalar("SELECT user_id FROM answers ORDER BY user_id").fetch_all(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    (users, answers)
}

fn names(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("u{n:05}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_while_another_connection_writes_is_one_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let store = Store::connect(&url_of(&db)).await.unwrap();
    open_round(&store).await;
    // The writer stops halfway until the first backup is taken, so at least one backup is
    // surely taken mid-stream however fast or slow this machine is; the others race it.
    let (halfway, at_halfway) = tokio::sync::oneshot::channel::<()>();
    let (go_on, resume) = tokio::sync::oneshot::channel::<()>();
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0..300 {
                student_answers(&store, n).await;
            }
            halfway.send(()).unwrap();
            resume.await.unwrap();
            for n in 300..600 {
                student_answers(&store, n).await;
            }
        })
    };
    // A second store on the same file, as `agora db backup` is beside a running bot.
    let beside = Store::connect(&url_of(&db)).await.unwrap();
    let mut snapshots = Vec::new();
    at_halfway.await.unwrap();
    let mut go_on = Some(go_on);
    for i in 0..6 {
        let file = dir.path().join(format!("backup-{i}.db"));
        beside.backup(&url_of(&db), &file).await.unwrap();
        snapshots.push(file);
        if let Some(go) = go_on.take() {
            go.send(()).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
    writer.await.unwrap();
    beside.close().await;
    store.close().await;
    let mut seen = Vec::new();
    for file in &snapshots {
        let (users, answers) = counts(file).await;
        // Students join and answer in order: a snapshot holds the first n who joined and the
        // first n or n - 1 of their answers, never a later one without an earlier one.
        let n = users.len();
        assert_eq!(users, names(0..n), "{}", file.display());
        assert!(answers == names(0..n) || (n > 0 && answers == names(0..n - 1)), "{}: {} users, {} answers", file.display(), n, answers.len());
        // Each backup opens as a store of its own.
        let copy = Store::connect(&url_of(file)).await.unwrap();
        copy.close().await;
        seen.push(n);
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "later snapshots hold more: {seen:?}");
    assert!(seen.iter().any(|&n| n > 0 && n < 600), "at least one backup was taken mid-stream: {seen:?}");
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let store = Store::connect(&url_of(&db)).await.unwrap();
    let file = dir.path().join("kept.db");
    std::fs::write(&file, "precious").unwrap();
    let err = store.backup(&url_of(&db), &file).await.unwrap_err();
    assert!(matches!(err, StoreError::Backup { .. }), "{err:?}");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    let err = store.backup(&url_of(&db), &dir.path().join("no/such/folder/b.db")).await.unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_brings_the_backup_back_and_keeps_the_replaced_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/agora.db");
    let url = url_of(&db);
    let store = Store::connect(&url).await.unwrap();
    open_round(&store).await;
    for n in 0..3 {
        student_answers(&store, n).await;
    }
    let backup = dir.path().join("monday.db");
    store.backup(&url, &backup).await.unwrap();
    for n in 3..5 {
        student_answers(&store, n).await;
    }
    // While the bot has the database open, the restore is refused and nothing moves.
    let err = agora::store::restore(&url, &backup, 7).await.unwrap_err();
    assert!(err.to_string().contains("is in use"), "{err}");
    assert!(err.to_string().contains("The database was left as it was"), "{err}");
    let (users, _) = counts(&db).await;
    assert_eq!(users, names(0..5));
    store.close().await;
    let restored = agora::store::restore(&url, &backup, 7).await.unwrap();
    assert_eq!(restored.database, db);
    let previous = dir.path().join("data/agora.db.bak-7");
    assert_eq!(restored.previous.as_deref(), Some(previous.as_path()));
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap().count();
    assert_eq!(restored.migrations, shipped, "every migration the repository ships");
    // The database holds the backup's rows; the one it replaced holds all five, whole.
    assert_eq!(counts(&db).await, (names(0..3), names(0..3)));
    assert_eq!(counts(&previous).await, (names(0..5), names(0..5)));
    // No leftover copy beside it, and the restored database opens and takes answers.
    let left: Vec<String> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
    let store = Store::connect(&url).await.unwrap();
    student_answers(&store, 9).await;
    store.close().await;
}

#[tokio::test]
async fn a_restore_refuses_what_is_not_an_agora_backup() {
    use sqlx::{Connection, Executor};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let url = url_of(&db);
    let store = Store::connect(&url).await.unwrap();
    store.upsert_user("g", "kept", "Kept").await.unwrap();
    store.close().await;
    // Another program's database.
    let other = dir.path().join("other.db");
    let mut conn = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&other).create_if_missing(true)).await.unwrap();
    conn.execute("CREATE TABLE invoices (id INTEGER)").await.unwrap();
    conn.close().await.unwrap();
    // A newer Agora's: a migration this build does not know.
    let newer = dir.path().join("newer.db");
    let newer_store = Store::connect(&url_of(&newer)).await.unwrap();
    newer_store.close().await;
    let mut conn = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&newer)).await.unwrap();
    conn.execute("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'future', 1, x'00', 0)")
        .await
        .unwrap();
    conn.execute("PRAGMA journal_mode = DELETE").await.unwrap();
    conn.close().await.unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, just some words that fill more than a page header").unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let cases: [(&Path, &str); 6] = [
        (&other, "is not Agora's database"),
        (&newer, "was written by a newer Agora"),
        (&text, "not a SQLite database"),
        (&empty, "holds no Agora migration history"),
        (&dir.path().join("missing.db"), "there is no such file"),
        (&db, "it is the database itself"),
    ];
    for (file, expected) in cases {
        let err = agora::store::restore(&url, file, 1).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains(expected), "{}: {message}", file.display());
        assert!(message.starts_with(&format!("cannot restore from {}", file.display())), "{message}");
    }
    // The database is as it was, and nothing was left beside it.
    assert_eq!(counts(&db).await.0, ["kept"]);
    let mut files: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with("agora.db")).collect();
    files.sort();
    assert!(files.iter().all(|f| !f.contains("bak") && !f.contains("restoring")), "{files:?}");
}

fn agora(dir: &Path, url: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env_remove("AGORA_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_commands_say_what_they_did_and_send_postgresql_to_its_own_tools() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let url = url_of(&db);
    // No database yet: nothing to back up, and none is created.
    let (code, _, err) = agora(dir.path(), &url, &["db", "backup", "b.db"]);
    assert_ne!(code, 0);
    assert!(err.contains("there is no database at"), "{err}");
    assert!(!db.exists());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        store.upsert_user("g", "u1", "One").await.unwrap();
        store.close().await;
    });
    let (code, out, err) = agora(dir.path(), &url, &["db", "backup", "b.db"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("Backed up {} into b.db (", db.display())), "{out}");
    let (code, _, err) = agora(dir.path(), &url, &["db", "backup", "b.db"]);
    assert_ne!(code, 0);
    assert!(err.contains("cannot back up into b.db: it already exists"), "{err}");
    let (code, out, err) = agora(dir.path(), &url, &["db", "restore", "b.db"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("Restored {} from b.db", db.display())), "{out}");
    assert!(out.contains("The database it replaced is kept as"), "{out}");
    // PostgreSQL: the tool to use, the database named, the password never shown.
    let pg = "postgres://agora:hunter2@db:5432/classes";
    let (code, _, err) = agora(dir.path(), pg, &["db", "backup", "x.dump"]);
    assert_ne!(code, 0);
    assert!(err.contains("pg_dump --format=custom --file=x.dump 'postgres://agora:***@db:5432/classes'"), "{err}");
    assert!(err.contains("database `classes`"), "{err}");
    let (code, _, err) = agora(dir.path(), pg, &["db", "restore", "x.dump"]);
    assert_ne!(code, 0);
    assert!(err.contains("pg_restore") && err.contains("psql"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

/// A backup of a store with students s0 and s1, changed by `damage` (SQL run on the backup
/// file as another program would, then left in SQLite's rollback journal like a backup).
async fn damaged_backup(dir: &Path, name: &str, damage: &str) -> std::path::PathBuf {
    use sqlx::{Connection, Executor};
    let source = dir.join(format!("{name}-source.db"));
    let store = Store::connect(&url_of(&source)).await.unwrap();
    open_round(&store).await;
    for n in 0..2 {
        student_answers(&store, n).await;
    }
    let backup = dir.join(format!("{name}.db"));
    store.backup(&url_of(&source), &backup).await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&backup)).await.unwrap();
    conn.execute(sqlx::AssertSqlSafe(damage.to_string())).await.unwrap();
    conn.execute("PRAGMA journal_mode = DELETE").await.unwrap();
    conn.close().await.unwrap();
    backup
}

/// Backups that SQLite finds sound but that are not what this agora's migrations make are
/// refused whole, each with what is wrong, and the live store is left as it was: a
/// migration's checksum altered, the last migration marked as failed, the answers table
/// dropped, a trigger that deletes every answer inserted. A genuine backup still restores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_checks_the_backup_whole_and_refuses_a_crafted_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("agora.db");
    let url = url_of(&db);
    let store = Store::connect(&url).await.unwrap();
    open_round(&store).await;
    for n in 0..4 {
        student_answers(&store, n).await;
    }
    store.close().await;

    let last = "(SELECT MAX(version) FROM _sqlx_migrations)";
    let cases = [
        ("checksum", format!("UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = {last}"), "has another checksum than this agora's"),
        ("failed", format!("UPDATE _sqlx_migrations SET success = 0 WHERE version = {last}"), "is marked as failed"),
        ("dropped", "DROP TABLE answers".to_string(), "table answers is missing"),
        ("trigger", "CREATE TRIGGER wipe AFTER INSERT ON answers BEGIN DELETE FROM answers; END".to_string(), "trigger wipe is not Agora's"),
    ];
    for (name, damage, expected) in cases {
        let backup = damaged_backup(dir.path(), name, &damage).await;
        let err = agora::store::restore(&url, &backup, 5).await.unwrap_err();
        let message = err.to_string();
        assert!(message.starts_with(&format!("cannot restore from {}", backup.display())), "{name}: {message}");
        assert!(message.contains(expected), "{name}: {message}");
        assert!(message.ends_with("The database was left as it was"), "{name}: {message}");
        assert_eq!(counts(&db).await, (names(0..4), names(0..4)), "{name}: the live store is unchanged");
    }
    let beside: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with("agora.db")).collect();
    assert!(beside.iter().all(|f| !f.contains("bak") && !f.contains("restoring")), "{beside:?}");
    assert_eq!(counts(&db).await, (names(0..4), names(0..4)));

    // A genuine backup (the same steps, no damage) restores.
    let genuine = damaged_backup(dir.path(), "genuine", "SELECT 1").await;
    agora::store::restore(&url, &genuine, 6).await.unwrap();
    assert_eq!(counts(&db).await, (names(0..2), names(0..2)));
}
