//! The store's contract: one suite of async checks, each taking a `&Store` (and the URL it
//! was opened with), run against SQLite (a temporary file) and PostgreSQL (a fresh database
//! per check, dropped afterwards).
//!
//! What it protects: an answer counts once, and only while its question is open (the
//! current question of an open round, opened, not revealed, before its deadline); a student
//! has one open practice and a channel one live round, even when two starts race; a round
//! keeps what a restart needs (questions in order, seed, deadline, message ids); reports
//! read one guild (and one round) only; rounds written before migration 0002 keep counting.
//!
//! PostgreSQL: at `AGORA_TEST_POSTGRES_URL`, or by default
//! `postgres://postgres@127.0.0.1:5432/test`; when the variable is unset and nothing answers
//! there, the PostgreSQL checks are skipped and the run says so once (`tests/common`).

use std::collections::HashMap;
use std::sync::Arc;

use agora::ids::{ChannelId, GuildId, ItemId, RoundId};
use agora::store::{AnswerRecord, Backend, LeaderboardRow, NewRound, RankBy, Recorded, Round, RoundKind, RoundProgress, RoundStatus, Store, StoreError, Tally};
use sqlx::{AnyConnection, Connection};

use crate::common::{Postgres, this_test};

// ---------------------------------------------------------------- fixtures

fn answer(guild: &str, round: &str, item: &str, user: &str, response: &str, correct: bool) -> AnswerRecord {
    AnswerRecord {
        guild_id: guild.into(),
        round_id: round.into(),
        item_id: item.into(),
        user_id: user.into(),
        response: response.into(),
        correct,
        credit: if correct { 1.0 } else { 0.0 },
        points: if correct { 10 } else { 0 },
        elapsed_ms: 1_500,
        answered_at: 0,
        review: Some(agora::memory::Review::of(agora::scoring::Verdict::exact(correct), 0, None, agora::memory::Scheduler::default())),
    }
}

/// `answer` at a given time with given points.
fn answer_at(guild: &str, round: &str, item: &str, user: &str, correct: bool, points: i64, at: i64) -> AnswerRecord {
    AnswerRecord { points, answered_at: at, ..answer(guild, round, item, user, if correct { "0" } else { "1" }, correct) }
}

/// A live round started by `teacher` at 1 000 with 30 s per question, so its first
/// question takes answers until 31 000. Each round gets a channel of its own
/// (`chan-ROUND`), so that checks not about the one-live-round-per-channel rule never trip it.
fn new_round(guild: &str, round: &str, items: &[&str]) -> NewRound {
    NewRound {
        guild_id: guild.into(),
        round_id: round.into(),
        kind: RoundKind::Live,
        channel_id: Some(format!("chan-{round}").into()),
        started_by: "teacher".into(),
        item_ids: items.iter().map(|&s| s.into()).collect(),
        open_seconds: 30,
        seed: 42,
        speed_bonus: true,
        started_at: 1_000,
    }
}

/// One student's practice: no channel, no deadline.
fn new_practice(guild: &str, round: &str, student: &str, items: &[&str]) -> NewRound {
    NewRound { kind: RoundKind::Practice, channel_id: None, started_by: student.into(), open_seconds: 0, speed_bonus: false, ..new_round(guild, round, items) }
}

fn gid(id: &str) -> GuildId {
    id.into()
}

fn rid(id: &str) -> RoundId {
    id.into()
}

fn topics(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
    pairs.iter().map(|(item, ts)| (item.to_string(), ts.iter().map(|t| t.to_string()).collect())).collect()
}

async fn start(store: &Store, new: &NewRound) -> Round {
    store.create_round(new).await.unwrap_or_else(|e| panic!("starting round {}: {e:?}", new.round_id)).round
}

/// Makes question `index` of an open round the current one, opened and with no deadline,
/// as a face does when it moves on: the store takes answers to the current question only.
async fn ask(store: &Store, guild: &str, round: &str, index: usize) {
    let progress = RoundProgress { current_index: index, opened_at: Some(1_000), deadline: None, revealed: false };
    store.update_round_progress(&gid(guild), &rid(round), progress).await.unwrap_or_else(|e| panic!("opening question {index} of {round}: {e:?}"));
}

async fn record(store: &Store, a: AnswerRecord) -> Recorded {
    store.record_answer(&a).await.expect("record answer")
}

/// The stored answers to one item of one round, earliest first, without the names.
async fn answers_to(store: &Store, guild: &str, round: &str, item: &str) -> Vec<AnswerRecord> {
    store.answers_for_round_item(&gid(guild), &rid(round), &item.into()).await.unwrap().into_iter().map(|named| named.answer).collect()
}

/// (user, item) of every stored answer of a round, in the order `round_answers` gives.
async fn answered(store: &Store, guild: &str, round: &str) -> Vec<(String, String)> {
    store.round_answers(&gid(guild), &rid(round)).await.unwrap().into_iter().map(|n| (n.answer.user_id.to_string(), n.answer.item_id.to_string())).collect()
}

fn board(rows: Vec<LeaderboardRow>) -> Vec<(u32, String, i64, u64)> {
    rows.into_iter().map(|r| (r.rank, r.name, r.points, r.answered)).collect()
}

fn pairs(items: &[(u32, &str, i64, u64)]) -> Vec<(u32, String, i64, u64)> {
    items.iter().map(|&(rank, name, points, answered)| (rank, name.to_string(), points, answered)).collect()
}

/// A plain connection beside the store, for writing rows the way an older version did.
async fn raw_connection(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url).await.unwrap_or_else(|e| panic!("raw connection to {url}: {e}"))
}

async fn execute(conn: &mut AnyConnection, sql: &'static str) {
    sqlx::query(sql).execute(&mut *conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

// ---------------------------------------------------------------- the contract

async fn migrations_are_idempotent(store: &Store, url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    for _ in 0..2 {
        let again = Store::connect(url).await.expect("connecting a second time re-runs no migration");
        assert_eq!(again.guild_settings("g1").await.unwrap().as_deref(), Some("{}"));
        // The back-fill of older rounds leaves rounds of the new format alone.
        let round = again.round(&gid("g1"), &rid("r1")).await.unwrap().unwrap();
        assert_eq!(round.item_ids, [ItemId::from("q1"), ItemId::from("q2")]);
        again.close().await;
    }
}

async fn guilds_settings_and_users(store: &Store, _url: &str) {
    assert_eq!(store.guild_settings("g1").await.unwrap(), None);
    store.ensure_guild("g1").await.unwrap();
    store.ensure_guild("g1").await.unwrap();
    assert_eq!(store.guild_settings("g1").await.unwrap().as_deref(), Some("{}"));
    store.set_guild_settings("g1", r#"{"anonymous":true}"#).await.unwrap();
    assert_eq!(store.guild_settings("g1").await.unwrap().as_deref(), Some(r#"{"anonymous":true}"#));
    let err = store.set_guild_settings("g1", "{not json").await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidSettings { .. }), "{err:?}");
    assert_eq!(store.guild_settings("g1").await.unwrap().as_deref(), Some(r#"{"anonymous":true}"#));

    // A display name change shows on the leaderboard and next to the answers.
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1"])).await;
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "0", true)).await, Recorded::Counted);
    store.upsert_user("g1", "u1", "Ada L.").await.unwrap();
    let board = store.leaderboard("g1", RankBy::Points, 10, false, 0).await.unwrap();
    assert_eq!(board[0].name, "Ada L.");
    let named = store.round_answers(&gid("g1"), &rid("r1")).await.unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].display_name, "Ada L.");
}

async fn duplicate_answer_counts_once(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "2", true)).await, Recorded::Counted);
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "2", true)).await, Recorded::Duplicate);
    // A second click on another choice does not replace the first answer.
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "3", false)).await, Recorded::Duplicate);
    let named = store.answers_for_round_item(&gid("g1"), &rid("r1"), &"q1".into()).await.unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].answer, AnswerRecord { review: None, ..answer("g1", "r1", "q1", "u1", "2", true) }, "read back, an answer carries no review");
    assert_eq!(named[0].display_name, "Ada");
    // A click replayed after the answer was shown is still the same answer, not a refusal:
    // the student's first answer stands.
    let revealed = RoundProgress { current_index: 0, opened_at: Some(1_000), deadline: Some(31_000), revealed: true };
    store.update_round_progress(&gid("g1"), &rid("r1"), revealed).await.unwrap();
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "3", false)).await, Recorded::Duplicate);
    let totals = store.user_totals("g1", "u1", &HashMap::new()).await.unwrap();
    assert_eq!((totals.answered, totals.points), (1, 10));
    let standings = store.round_leaderboard(&gid("g1"), &rid("r1"), RankBy::Points, 10, false).await.unwrap();
    assert_eq!(board(standings), pairs(&[(1, "Ada", 10, 1)]));

    // Double clicks arriving together (on SQLite often in one batch): per student exactly
    // one call is `Counted`, and the stored response is the one of that call.
    const N: usize = 20;
    for u in 0..N {
        store.upsert_user("g1", &format!("d{u}"), &format!("D{u}")).await.unwrap();
    }
    ask(store, "g1", "r1", 1).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(2 * N));
    let mut tasks = tokio::task::JoinSet::new();
    for u in 0..N {
        for response in ["0", "1"] {
            let (store, barrier) = (store.clone(), barrier.clone());
            tasks.spawn(async move {
                barrier.wait().await;
                let user = format!("d{u}");
                let a = answer("g1", "r1", "q2", &user, response, response == "0");
                (user, response, store.record_answer(&a).await.unwrap())
            });
        }
    }
    let mut counted: HashMap<String, &str> = HashMap::new();
    let mut duplicates = 0;
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (user, response, Recorded::Counted) => {
                assert!(counted.insert(user, response).is_none(), "counted twice");
            }
            (_, _, Recorded::Duplicate) => duplicates += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((counted.len(), duplicates), (N, N));
    let stored = answers_to(store, "g1", "r1", "q2").await;
    assert_eq!(stored.len(), N);
    for a in stored {
        assert_eq!(a.response, counted[a.user_id.as_str()], "{}", a.user_id);
    }
}

/// Answers the store refuses: a question that is not the open round's current one, not
/// opened, revealed or past its deadline, or a round that is finished or abandoned. Each
/// is `Closed` and leaves nothing behind.
async fn closed_questions_refuse_answers(store: &Store, _url: &str) {
    for u in ["u1", "u2", "u3", "u4", "u5"] {
        store.upsert_user("g1", u, u).await.unwrap();
    }
    let round = start(store, &new_round("g1", "r1", &["q1", "q2", "q3"])).await;
    assert_eq!((round.opened_at, round.deadline), (Some(1_000), Some(31_000)));
    let at = |user: &str, item: &str, t: i64| answer_at("g1", "r1", item, user, true, 10, t);
    let (counted, closed) = (Recorded::Counted, Recorded::Closed);

    // The deadline is exclusive: its last millisecond counts, the deadline itself does not.
    assert_eq!(record(store, at("u1", "q1", 30_999)).await, counted);
    assert_eq!(record(store, at("u2", "q1", 31_000)).await, closed);
    assert_eq!(record(store, at("u2", "q1", 95_000)).await, closed);
    // Another question of the round (not yet asked), or an item the round does not have.
    assert_eq!(record(store, at("u3", "q2", 2_000)).await, closed);
    assert_eq!(record(store, at("u3", "q7", 2_000)).await, closed);
    // Once the answer is shown, in time or not.
    let progress = |index, opened_at, deadline, revealed| RoundProgress { current_index: index, opened_at, deadline, revealed };
    store.update_round_progress(&gid("g1"), &rid("r1"), progress(0, Some(1_000), Some(31_000), true)).await.unwrap();
    assert_eq!(record(store, at("u4", "q1", 2_000)).await, closed);
    // After the round moved on: the previous question is closed, the new one open.
    store.update_round_progress(&gid("g1"), &rid("r1"), progress(1, Some(40_000), Some(70_000), false)).await.unwrap();
    assert_eq!(record(store, at("u5", "q1", 41_000)).await, closed);
    assert_eq!(record(store, at("u5", "q2", 41_000)).await, counted);
    // A current question that has not opened yet.
    store.update_round_progress(&gid("g1"), &rid("r1"), progress(2, None, None, false)).await.unwrap();
    assert_eq!(record(store, at("u1", "q3", 80_000)).await, closed);
    // A finished round, even before what was its deadline.
    store.update_round_progress(&gid("g1"), &rid("r1"), progress(2, Some(80_000), Some(110_000), false)).await.unwrap();
    assert_eq!(record(store, at("u1", "q3", 80_500)).await, counted);
    store.finish_round(&gid("g1"), &rid("r1"), 90_000).await.unwrap();
    assert_eq!(record(store, at("u2", "q3", 85_000)).await, closed);
    // An abandoned round.
    start(store, &new_practice("g1", "p1", "u3", &["q1"])).await;
    store.abandon_round(&gid("g1"), &rid("p1"), 5_000).await.unwrap();
    assert_eq!(record(store, answer_at("g1", "p1", "q1", "u3", true, 10, 4_000)).await, closed);
    // Practice has no deadline: an answer a day later counts while its question is open.
    let p2 = start(store, &new_practice("g1", "p2", "u4", &["q1"])).await;
    assert_eq!(p2.deadline, None);
    assert_eq!(record(store, answer_at("g1", "p2", "q1", "u4", true, 10, 86_400_000)).await, counted);

    // Nothing refused was stored, and no report counts it.
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> { v.iter().map(|(u, i)| (u.to_string(), i.to_string())).collect() };
    assert_eq!(answered(store, "g1", "r1").await, owned(&[("u1", "q1"), ("u5", "q2"), ("u1", "q3")]));
    assert_eq!(answered(store, "g1", "p1").await, owned(&[]));
    assert_eq!(answered(store, "g1", "p2").await, owned(&[("u4", "q1")]));
    let stats = store.item_stats("g1").await.unwrap();
    let answers: Vec<_> = stats.iter().map(|s| (s.item_id.as_str(), s.answers)).collect();
    assert_eq!(answers, [("q1", 2), ("q2", 1), ("q3", 1)]);
    for (user, expected) in [("u1", 2), ("u2", 0), ("u3", 0), ("u4", 1), ("u5", 1)] {
        let t = store.user_totals("g1", user, &HashMap::new()).await.unwrap();
        assert_eq!(t.answered, expected, "{user}");
    }
}

async fn answer_to_unknown_round_or_user_is_refused(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    let err = store.record_answer(&answer("g1", "r1", "q1", "ghost", "0", true)).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownRoundOrUser { .. }), "{err:?}");
    // Changed on purpose with migration 0002: an answer to a round the guild does not have
    // is `Closed` (no open question takes it), no longer an error.
    assert_eq!(record(store, answer("g1", "nope", "q1", "u1", "0", true)).await, Recorded::Closed);
    assert_eq!(record(store, answer("g2", "r1", "q1", "u1", "0", true)).await, Recorded::Closed);
    // The failures did not disturb the writer.
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "0", true)).await, Recorded::Counted);

    // Concurrently (so the SQLite writer batches them), unknown users among known ones:
    // each caller gets its own outcome and the known users' answers all count.
    for u in 0..50 {
        store.upsert_user("g1", &format!("k{u}"), "known").await.unwrap();
    }
    ask(store, "g1", "r1", 1).await;
    let mut tasks = tokio::task::JoinSet::new();
    for u in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let user = if u % 5 == 0 { format!("ghost{u}") } else { format!("k{u}") };
            (u, store.record_answer(&answer("g1", "r1", "q2", &user, "0", true)).await)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (u, Err(StoreError::UnknownRoundOrUser { .. })) if u % 5 == 0 => {}
            (u, Ok(Recorded::Counted)) if u % 5 != 0 => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(answers_to(store, "g1", "r1", "q2").await.len(), 40);
}

/// Runs `click(store, u)` for each student `u` of `students`, all released at once by a
/// barrier, as a class answering together; returns the outcomes in the order they finished.
async fn at_once<F, Fut>(store: &Store, students: Vec<usize>, click: F) -> Vec<agora::store::Result<Recorded>>
where
    F: Fn(Store, usize) -> Fut,
    Fut: std::future::Future<Output = agora::store::Result<Recorded>> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(students.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for u in students {
        let (answer, barrier) = (click(store.clone(), u), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            answer.await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(r) = tasks.join_next().await {
        outcomes.push(r.unwrap());
    }
    outcomes
}

async fn five_hundred_students_answer_at_once(store: &Store, _url: &str) {
    const N: usize = 500;
    start(store, &new_round("g1", "r1", &["q1"])).await;
    let mut setup = tokio::task::JoinSet::new();
    for u in 0..N {
        let store = store.clone();
        setup.spawn(async move { store.upsert_user("g1", &format!("u{u:03}"), &format!("Student {u}")).await });
    }
    while let Some(r) = setup.join_next().await {
        r.unwrap().expect("upsert user");
    }

    for (pass, expected) in [(1, Recorded::Counted), (2, Recorded::Duplicate)] {
        let outcomes: Vec<Recorded> = at_once(store, (0..N).collect(), |store, u| async move {
            store.record_answer(&answer("g1", "r1", "q1", &format!("u{u:03}"), &(u % 4).to_string(), u % 4 == 0)).await
        })
        .await
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("pass {pass}: {e:?}")))
        .collect();
        assert!(outcomes.iter().all(|o| *o == expected), "pass {pass}: {outcomes:?}");
        assert_eq!(answers_to(store, "g1", "r1", "q1").await.len(), N, "pass {pass}");
    }
    let stats = store.item_stats("g1").await.unwrap();
    assert_eq!((stats[0].answers, stats[0].correct), (500, 125));
}

/// A class whose students answer live for the first time, all at once: each answer carries
/// the student's row (in its batch on SQLite), so every answer counts under its name and a
/// double click counts once. (A renamed or forgotten student: `tests/app.rs`.)
async fn new_students_answer_at_once_with_their_rows(store: &Store, _url: &str) {
    const N: usize = 300;
    start(store, &new_round("g1", "r1", &["q1"])).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(N + 20));
    let mut tasks = tokio::task::JoinSet::new();
    // Students 0..N, and a second click from students 0..20.
    for u in (0..N).chain(0..20) {
        let (store, barrier) = (store.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            let a = answer("g1", "r1", "q1", &format!("u{u:03}"), "0", true);
            store.record_answer_of(&a, &format!("Student {u}")).await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(r) = tasks.join_next().await {
        outcomes.push(r.unwrap().unwrap_or_else(|e| panic!("{e:?}")));
    }
    assert_eq!(outcomes.iter().filter(|o| **o == Recorded::Counted).count(), N);
    assert_eq!(outcomes.iter().filter(|o| **o == Recorded::Duplicate).count(), 20);
    let stored = store.answers_for_round_item(&gid("g1"), &rid("r1"), &"q1".into()).await.unwrap();
    assert_eq!(stored.len(), N);
    for a in &stored {
        let u: usize = a.answer.user_id.as_str()[1..].parse().unwrap();
        assert_eq!(a.display_name, format!("Student {u}"));
    }
}

/// Issue 25: each index of a table is one more page an answer's commit writes. An answer
/// changes the answers table with its primary key and `answers_by_user` (a student's record),
/// and the memories table with its primary key: no index by item alone, none by due date.
async fn an_answer_changes_five_b_trees(_store: &Store, url: &str) {
    let mut conn = raw_connection(url).await;
    let sql = if url.starts_with("sqlite:") {
        "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('answers', 'memories') ORDER BY 1"
    } else {
        "SELECT tablename || '.' || indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('answers', 'memories') ORDER BY 1"
    };
    let indexes: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap();
    let primary = |name: &str| name.contains("autoindex") || name.ends_with("_pkey");
    let others: Vec<&str> = indexes.iter().map(String::as_str).filter(|n| !primary(n)).collect();
    assert_eq!(others, ["answers.answers_by_user"], "all indexes: {indexes:?}");
    assert_eq!(indexes.len(), 3, "one primary key each: {indexes:?}");
}

async fn guilds_are_isolated(store: &Store, _url: &str) {
    // Same user id, round id, item id and channel in two guilds (a user in two servers).
    for (guild, name) in [("111", "Ada"), ("222", "Ada in 222")] {
        store.upsert_user(guild, "u1", name).await.unwrap();
        start(store, &new_round(guild, "r1", &["q1", "q2"])).await;
        start(store, &new_practice(guild, "p1", "u1", &["q1"])).await;
    }
    store.upsert_user("111", "u2", "Bob").await.unwrap();
    store.set_guild_settings("111", r#"{"x":1}"#).await.unwrap();
    record(store, answer_at("111", "r1", "q1", "u1", true, 10, 1)).await;
    record(store, answer_at("111", "r1", "q1", "u2", false, 0, 3)).await;
    ask(store, "111", "r1", 1).await;
    record(store, answer_at("111", "r1", "q2", "u1", true, 10, 2)).await;
    // The same key in the other guild is a new answer, not a duplicate; and moving 111's
    // round on did not move 222's.
    assert_eq!(record(store, answer_at("222", "r1", "q1", "u1", false, 0, 4)).await, Recorded::Counted);

    let map = topics(&[("q1", &["trade"]), ("q2", &["trade"])]);
    let t = store.user_totals("222", "u1", &map).await.unwrap();
    assert_eq!((t.answered, t.correct, t.points), (1, 0, 0));
    assert_eq!(t.mastery["trade"], Tally { answered: 1, correct: 0 });
    let t = store.user_totals("111", "u1", &map).await.unwrap();
    assert_eq!((t.answered, t.correct, t.points), (2, 2, 20));

    let board = store.leaderboard("222", RankBy::Points, 10, false, 0).await.unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!((board[0].name.as_str(), board[0].points), ("Ada in 222", 0));
    let standings = store.round_leaderboard(&gid("222"), &rid("r1"), RankBy::Points, 10, false).await.unwrap();
    assert_eq!(names_and_points(standings), [("Ada in 222".to_string(), 0)]);
    assert_eq!(answers_to(store, "222", "r1", "q1").await.len(), 1);
    assert_eq!(answered(store, "222", "r1").await.len(), 1);
    assert_eq!(store.recent_correct("222", "u1", 10).await.unwrap(), Vec::<String>::new());
    let stats = store.item_stats("222").await.unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].item_id.as_str(), stats[0].answers), ("q1", 1));
    let csv = store.gradebook_csv("222", &map, &["trade".into()]).await.unwrap();
    assert_eq!(
        csv,
        "user_id,display_name,answered,correct,accuracy,points,accuracy_trade\n\
         u1,Ada in 222,1,0,0.000,0,0.000\n"
    );
    assert_eq!(store.guild_settings("222").await.unwrap().as_deref(), Some("{}"));
    assert!(store.user_totals("333", "u1", &map).await.unwrap().answered == 0);
    // Rounds are found in their own guild only.
    let r1 = store.round(&gid("222"), &rid("r1")).await.unwrap().unwrap();
    assert_eq!(r1.current_index, 0);
    let practice = store.open_practice(&gid("222"), &"u1".into()).await.unwrap();
    assert_eq!(practice.map(|p| p.guild_id), Some(gid("222")));
    let live = store.open_live_round(&gid("111"), &"chan-r1".into()).await.unwrap();
    assert_eq!(live.map(|r| (r.guild_id, r.current_index)), Some((gid("111"), 1)));
    assert_eq!(store.round(&gid("333"), &rid("r1")).await.unwrap(), None);
}

fn names_and_points(rows: Vec<LeaderboardRow>) -> Vec<(String, i64)> {
    rows.into_iter().map(|r| (r.name, r.points)).collect()
}

async fn totals_streaks_and_mastery(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store.upsert_user("g1", "u2", "Bob").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1", "q2", "q3"])).await;
    start(store, &new_round("g1", "r2", &["q4", "q5", "q1"])).await;
    // u1, in time order: r1 ✓ ✓ ✗, r2 ✓ ✓ ✓ — recorded out of order on purpose (each
    // question opened again just before its answer): reports follow `answered_at`.
    // u2: r1 ✓ ✓, then r2 ✓ (q4), skips q5, ✓ (q1).
    let answers = [
        ("u1", "r2", 0, "q4", true, 7, 400),
        ("u1", "r1", 0, "q1", true, 10, 100),
        ("u2", "r2", 2, "q1", true, 1, 610),
        ("u1", "r1", 2, "q3", false, 0, 300),
        ("u2", "r1", 0, "q1", true, 1, 110),
        ("u1", "r1", 1, "q2", true, 8, 200),
        ("u1", "r2", 1, "q5", true, 9, 500),
        ("u2", "r2", 0, "q4", true, 1, 410),
        ("u1", "r2", 2, "q1", true, 6, 600),
        ("u2", "r1", 1, "q2", true, 1, 210),
    ];
    for (user, round, index, item, correct, points, at) in answers {
        ask(store, "g1", round, index).await;
        assert_eq!(record(store, answer_at("g1", round, item, user, correct, points, at)).await, Recorded::Counted, "{user} {round} {item}");
    }
    let map = topics(&[("q1", &["trade", "energy"]), ("q2", &["trade"]), ("q3", &["energy"]), ("q4", &["arms"])]);
    let t = store.user_totals("g1", "u1", &map).await.unwrap();
    assert_eq!((t.points, t.answered, t.correct), (40, 6, 5));
    assert!((t.accuracy - 5.0 / 6.0).abs() < 1e-9);
    assert_eq!((t.current_streak, t.best_streak), (3, 3));
    assert_eq!(t.mastery["trade"], Tally { answered: 3, correct: 3 });
    assert_eq!(t.mastery["energy"], Tally { answered: 3, correct: 2 });
    assert_eq!(t.mastery["arms"], Tally { answered: 1, correct: 1 });
    assert_eq!(t.mastery.len(), 3, "q5 has no topic: {:?}", t.mastery);

    // Changed on purpose: streaks follow `scoring::Streak`, runs within one round in
    // question order. u2's four right answers in a row used to make a streak of 4; now r1
    // gives a run of 2, and r2's run is broken by the skipped q5, so the current streak
    // (r2's, the round answered last) is 1 and the best 2.
    let t = store.user_totals("g1", "u2", &map).await.unwrap();
    assert_eq!((t.answered, t.correct), (4, 4));
    assert_eq!((t.current_streak, t.best_streak), (1, 2));

    // q1 twice correct; its latest is at 600.
    assert_eq!(store.recent_correct("g1", "u1", 3).await.unwrap(), ["q1", "q5", "q4"]);
    assert_eq!(store.recent_correct("g1", "u1", 10).await.unwrap(), ["q1", "q5", "q4", "q2"]);

    let none = store.user_totals("g1", "nobody", &map).await.unwrap();
    assert_eq!((none.answered, none.accuracy, none.current_streak), (0, 0.0, 0));
}

async fn leaderboards(store: &Store, _url: &str) {
    start(store, &new_round("g1", "r1", &["q1", "q2", "q3", "q4"])).await;
    // (user, name, answers as correct flags, points per correct answer)
    let students = [
        ("ua", "Ada", "yyyy", 10), // 4/4, 40
        ("ub", "Bob", "yyn", 20),  // 2/3, 40
        ("uc", "Cy", "yny", 30),   // 2/3, 60
        ("ud", "Di", "y", 5),      // 1/1, 5
    ];
    for (user, name, _, _) in students {
        store.upsert_user("g1", user, name).await.unwrap();
    }
    for i in 0..4 {
        ask(store, "g1", "r1", i).await;
        let item = format!("q{}", i + 1);
        for (user, _, pattern, per) in students {
            let Some(c) = pattern.chars().nth(i) else {
                continue;
            };
            let correct = c == 'y';
            let points = if correct { per } else { 0 };
            let a = answer_at("g1", "r1", &item, user, correct, points, i as i64);
            assert_eq!(record(store, a).await, Recorded::Counted);
        }
    }
    let by_points = store.leaderboard("g1", RankBy::Points, 10, false, 0).await.unwrap();
    assert!((by_points[1].accuracy - 1.0).abs() < 1e-9);
    assert_eq!(board(by_points), pairs(&[(1, "Cy", 60, 3), (2, "Ada", 40, 4), (2, "Bob", 40, 3), (4, "Di", 5, 1)]));
    let by_accuracy = store.leaderboard("g1", RankBy::Accuracy, 10, false, 2).await.unwrap();
    assert_eq!(board(by_accuracy), pairs(&[(1, "Ada", 40, 4), (2, "Cy", 60, 3), (2, "Bob", 40, 3)]));
    let anonymous = store.leaderboard("g1", RankBy::Points, 2, true, 0).await.unwrap();
    assert_eq!(board(anonymous), pairs(&[(1, "Student 1", 60, 3), (2, "Student 2", 40, 4)]));
    assert!(store.leaderboard("empty", RankBy::Points, 10, false, 0).await.unwrap().is_empty());
}

/// `round_leaderboard` ranks what students earned in one round of one guild, nothing else.
async fn round_leaderboard_ranks_one_round(store: &Store, _url: &str) {
    for (user, name) in [("ua", "Ada"), ("ub", "Bob"), ("uc", "Cy")] {
        store.upsert_user("g1", user, name).await.unwrap();
    }
    store.upsert_user("g2", "ua", "Ada in g2").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    start(store, &new_round("g1", "r2", &["q1"])).await;
    start(store, &new_round("g2", "r1", &["q1"])).await;
    let answers = [
        ("g1", "r1", 0, "q1", "ua", true, 10),
        ("g1", "r1", 0, "q1", "ub", true, 20),
        ("g1", "r1", 0, "q1", "uc", false, 0),
        ("g1", "r1", 1, "q2", "ua", true, 10),
        ("g1", "r1", 1, "q2", "ub", false, 0),
        ("g1", "r2", 0, "q1", "uc", true, 100),
        ("g1", "r2", 0, "q1", "ua", true, 5),
        ("g2", "r1", 0, "q1", "ua", true, 1_000),
    ];
    for (guild, round, index, item, user, correct, points) in answers {
        ask(store, guild, round, index).await;
        let a = answer_at(guild, round, item, user, correct, points, 2_000);
        assert_eq!(record(store, a).await, Recorded::Counted);
    }
    let standings = |guild: &'static str, round: &'static str, by: RankBy, top_n: usize, anonymous: bool| async move {
        store.round_leaderboard(&gid(guild), &rid(round), by, top_n, anonymous).await.unwrap()
    };
    // Ada and Bob tie on points (a shared rank, the more accurate listed first); Cy's 100
    // points in r2 and Ada's 1 000 in the other guild are not in r1's standings.
    assert_eq!(board(standings("g1", "r1", RankBy::Points, 10, false).await), pairs(&[(1, "Ada", 20, 2), (1, "Bob", 20, 2), (3, "Cy", 0, 1)]));
    assert_eq!(board(standings("g1", "r1", RankBy::Accuracy, 10, false).await), pairs(&[(1, "Ada", 20, 2), (2, "Bob", 20, 2), (3, "Cy", 0, 1)]));
    assert_eq!(board(standings("g1", "r2", RankBy::Points, 10, false).await), pairs(&[(1, "Cy", 100, 1), (2, "Ada", 5, 1)]));
    let anonymous = standings("g1", "r1", RankBy::Points, 2, true).await;
    let ids: Vec<_> = anonymous.iter().map(|r| r.user_id.as_str()).collect();
    assert_eq!(ids, ["ua", "ub"]);
    assert_eq!(board(anonymous), pairs(&[(1, "Student 1", 20, 2), (1, "Student 2", 20, 2)]));
    assert_eq!(board(standings("g2", "r1", RankBy::Points, 10, false).await), pairs(&[(1, "Ada in g2", 1_000, 1)]));
    assert!(standings("g1", "nope", RankBy::Points, 10, false).await.is_empty());
    // The guild's board, by contrast, adds both rounds up.
    let guild = store.leaderboard("g1", RankBy::Points, 10, false, 0).await.unwrap();
    assert_eq!(board(guild), pairs(&[(1, "Cy", 100, 2), (2, "Ada", 25, 3), (3, "Bob", 20, 2)]));
}

async fn item_stats_count_picks(store: &Store, _url: &str) {
    start(store, &new_round("g1", "r1", &["q1", "q2", "q3"])).await;
    start(store, &new_round("g1", "r2", &["q1", "q9"])).await;
    // r2 is on q1, not yet opened (a round opens its first question when it starts; this
    // one is put back to "not opened" to check that such a question is not counted).
    let not_opened = RoundProgress { current_index: 0, opened_at: None, deadline: None, revealed: false };
    store.update_round_progress(&gid("g1"), &rid("r2"), not_opened).await.unwrap();
    for (u, pick) in [("u1", "2"), ("u2", "2"), ("u3", "0"), ("u4", "2"), ("u5", "1")] {
        store.upsert_user("g1", u, u).await.unwrap();
        assert_eq!(record(store, answer("g1", "r1", "q1", u, pick, pick == "2")).await, Recorded::Counted);
    }
    // r1 then reached q2 (opened, unanswered); q3 is never asked.
    let progress = RoundProgress { current_index: 1, opened_at: Some(5_000), deadline: Some(35_000), revealed: false };
    store.update_round_progress(&gid("g1"), &rid("r1"), progress).await.unwrap();
    let stats = store.item_stats("g1").await.unwrap();
    let summary: Vec<_> = stats.iter().map(|s| (s.item_id.as_str(), s.times_asked, s.answers, s.correct)).collect();
    assert_eq!(summary, [("q1", 1, 5, 3), ("q2", 1, 0, 0)]);
    assert!((stats[0].share_correct - 0.6).abs() < 1e-9);
    assert_eq!(stats[0].responses, [("2".to_string(), 3), ("0".to_string(), 1), ("1".to_string(), 1)]);
    assert!(stats[1].responses.is_empty());
    // Once r2 opens q1, it has been asked twice.
    ask(store, "g1", "r2", 0).await;
    assert_eq!(store.item_stats("g1").await.unwrap()[0].times_asked, 2);
}

async fn gradebook_csv(store: &Store, _url: &str) {
    start(store, &new_round("g1", "r1", &["q1", "q2", "q3"])).await;
    store.upsert_user("g1", "200", "bea, \"the\" reader").await.unwrap();
    store.upsert_user("g1", "100", "Al").await.unwrap();
    store.upsert_user("g1", "300", "=HYPERLINK(\"x\")").await.unwrap();
    store.upsert_user("g1", "400", "Zed").await.unwrap(); // never answers
    let answers = [
        ("100", 0, "q1", true, 10),
        ("200", 0, "q1", false, 0),
        ("100", 1, "q2", false, 0),
        ("300", 1, "q2", true, 5),
        ("100", 2, "q3", true, 7),
        ("200", 2, "q3", true, 12),
    ];
    for (user, index, item, correct, points) in answers {
        ask(store, "g1", "r1", index).await;
        let a = answer_at("g1", "r1", item, user, correct, points, 1);
        assert_eq!(record(store, a).await, Recorded::Counted);
    }
    let map = topics(&[("q1", &["trade"]), ("q2", &["trade", "arms"]), ("q3", &["energy"])]);
    let order = ["trade".to_string(), "arms".to_string(), "energy".to_string()];
    let csv = store.gradebook_csv("g1", &map, &order).await.unwrap();
    assert_eq!(
        csv,
        "user_id,display_name,answered,correct,accuracy,points,accuracy_trade,accuracy_arms,accuracy_energy\n\
         300,\"'=HYPERLINK(\"\"x\"\")\",1,1,1.000,5,1.000,1.000,\n\
         100,Al,3,2,0.667,17,0.500,0.000,1.000\n\
         200,\"bea, \"\"the\"\" reader\",2,1,0.500,12,0.000,,1.000\n\
         400,Zed,0,0,,0,,,\n"
    );
}

async fn open_rounds_resume(store: &Store, _url: &str) {
    let mut practice = new_practice("local", "p1", "local:ada", &["q1"]);
    practice.started_at = 500;
    let created = store.create_round(&practice).await.unwrap();
    assert!(created.displaced.is_empty());
    let created = created.round;
    assert_eq!((created.status, created.current_index, created.revealed, created.opened_at, created.deadline), (RoundStatus::Open, 0, false, Some(500), None));
    start(store, &new_round("g1", "live", &["q1", "q2", "q3"])).await;
    start(store, &new_round("g1", "done", &["q1"])).await;
    start(store, &new_round("g2", "gone", &["q1"])).await;

    // An id the guild already uses is refused whatever the channel, and changes nothing.
    for channel in ["elsewhere", "chan-live"] {
        let again = NewRound { channel_id: Some(channel.into()), ..new_round("g1", "live", &["q7"]) };
        let err = store.create_round(&again).await.unwrap_err();
        assert!(matches!(err, StoreError::RoundExists { .. }), "{channel}: {err:?}");
    }
    let again = new_practice("local", "p1", "local:ada", &["q7"]);
    let err = store.create_round(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::RoundExists { .. }), "{err:?}");

    let progress = RoundProgress { current_index: 2, opened_at: Some(61_000), deadline: Some(91_000), revealed: true };
    store.update_round_progress(&gid("g1"), &rid("live"), progress).await.unwrap();
    store.finish_round(&gid("g1"), &rid("done"), 70_000).await.unwrap();
    store.abandon_round(&gid("g2"), &rid("gone"), 71_000).await.unwrap();

    let open = store.open_rounds().await.unwrap();
    let ids: Vec<_> = open.iter().map(|r| (r.guild_id.as_str(), r.round_id.as_str())).collect();
    assert_eq!(ids, [("local", "p1"), ("g1", "live")]);
    assert_eq!(open[0], created);
    let live = &open[1];
    assert_eq!(live.item_ids, ["q1", "q2", "q3"].map(ItemId::from));
    assert_eq!((live.current_index, live.opened_at, live.deadline, live.revealed), (2, Some(61_000), Some(91_000), true));
    assert_eq!((live.kind, live.channel_id.as_ref().map(ChannelId::as_str), live.open_seconds), (RoundKind::Live, Some("chan-live"), 30));

    let done = store.round(&gid("g1"), &rid("done")).await.unwrap().unwrap();
    assert_eq!((done.status, done.ended_at, done.deadline), (RoundStatus::Finished, Some(70_000), None));
    let gone = store.round(&gid("g2"), &rid("gone")).await.unwrap().unwrap();
    assert_eq!(gone.status, RoundStatus::Abandoned);
    assert_eq!(store.round(&gid("g2"), &rid("live")).await.unwrap(), None);

    // History is not rewritten.
    for result in [
        store.finish_round(&gid("g1"), &rid("done"), 80_000).await,
        store.abandon_round(&gid("g1"), &rid("done"), 80_000).await,
        store.update_round_progress(&gid("g2"), &rid("gone"), progress).await,
        store.finish_round(&gid("g1"), &rid("missing"), 80_000).await,
    ] {
        assert!(matches!(result, Err(StoreError::RoundNotOpen { .. })), "{result:?}");
    }
    let done = store.round(&gid("g1"), &rid("done")).await.unwrap().unwrap();
    assert_eq!((done.status, done.ended_at), (RoundStatus::Finished, Some(70_000)));
}

/// Starting a practice closes the student's other open practice, in the same step: the
/// old one is named in `displaced`, abandoned, and takes no more answers. Two starts at the
/// same moment still leave exactly one open.
async fn a_new_practice_displaces_the_old_one(store: &Store, _url: &str) {
    for user in ["s1", "s2"] {
        store.upsert_user("g1", user, user).await.unwrap();
    }
    store.upsert_user("g2", "s1", "s1").await.unwrap();
    let first = store.create_round(&new_practice("g1", "p1", "s1", &["q1", "q2"])).await.unwrap();
    assert!(first.displaced.is_empty());
    assert_eq!(record(store, answer("g1", "p1", "q1", "s1", "0", true)).await, Recorded::Counted);
    ask(store, "g1", "p1", 1).await;
    // Other students' practices, the student's practice in another guild and a live round
    // they started are not theirs to displace.
    let other = store.create_round(&new_practice("g1", "p-s2", "s2", &["q1"])).await.unwrap();
    assert!(other.displaced.is_empty());
    start(store, &new_practice("g2", "p1", "s1", &["q1"])).await;
    let live = NewRound { started_by: "s1".into(), ..new_round("g1", "live", &["q1"]) };
    assert!(store.create_round(&live).await.unwrap().displaced.is_empty());

    let second = NewRound { started_at: 5_000, ..new_practice("g1", "p2", "s1", &["q3"]) };
    let second = store.create_round(&second).await.unwrap();
    assert_eq!(second.displaced, [rid("p1")]);
    let p1 = store.round(&gid("g1"), &rid("p1")).await.unwrap().unwrap();
    assert_eq!((p1.status, p1.ended_at), (RoundStatus::Abandoned, Some(5_000)));
    // The displaced practice's open question takes no more answers; its earlier answer stays.
    assert_eq!(record(store, answer_at("g1", "p1", "q2", "s1", true, 10, 6_000)).await, Recorded::Closed);
    assert_eq!(answered(store, "g1", "p1").await, [("s1".to_string(), "q1".to_string())]);
    assert_eq!(record(store, answer_at("g1", "p2", "q3", "s1", true, 10, 6_000)).await, Recorded::Counted);
    let open =
        |guild: &'static str, user: &'static str| async move { store.open_practice(&gid(guild), &user.into()).await.unwrap().map(|r| r.round_id.to_string()) };
    assert_eq!(open("g1", "s1").await.as_deref(), Some("p2"));
    assert_eq!(open("g1", "s2").await.as_deref(), Some("p-s2"));
    assert_eq!(open("g2", "s1").await.as_deref(), Some("p1"));
    assert_eq!(open("g1", "nobody").await, None);
    let live = store.round(&gid("g1"), &rid("live")).await.unwrap().unwrap();
    assert_eq!(live.status, RoundStatus::Open);

    // Two starts for one student at the same moment, ten times over.
    for pair in 0..10 {
        let student = format!("c{pair}");
        let ids = [format!("c{pair}-a"), format!("c{pair}-b")];
        let spawn = |id: &str| {
            let store = store.clone();
            let new = new_practice("g1", id, &student, &["q1", "q2"]);
            tokio::spawn(async move { store.create_round(&new).await })
        };
        let (a, b) = tokio::join!(spawn(&ids[0]), spawn(&ids[1]));
        let started = [a.unwrap(), b.unwrap()].map(|r| r.unwrap_or_else(|e| panic!("pair {pair}: {e:?}")));
        let mut statuses = Vec::new();
        for id in &ids {
            let round = store.round(&gid("g1"), &rid(id)).await.unwrap().unwrap();
            statuses.push(round.status);
        }
        let still_open: Vec<_> =
            store.open_rounds().await.unwrap().into_iter().filter(|r| r.started_by.as_str() == student).map(|r| r.round_id.to_string()).collect();
        assert_eq!(still_open.len(), 1, "pair {pair}: {still_open:?}");
        let (winner, loser) = if still_open[0] == ids[0] { (0, 1) } else { (1, 0) };
        assert_eq!((statuses[winner], statuses[loser]), (RoundStatus::Open, RoundStatus::Abandoned), "pair {pair}");
        // The one left open closed the other, and says so.
        assert_eq!(started[winner].displaced, [rid(&ids[loser])], "pair {pair}");
        assert!(started[loser].displaced.is_empty(), "pair {pair}");
        let found = store.open_practice(&gid("g1"), &student.as_str().into()).await.unwrap().map(|r| r.round_id.to_string());
        assert_eq!(found.as_ref(), Some(&ids[winner]), "pair {pair}");
    }
}

/// A channel has at most one live round open; another channel, another guild, or the same
/// channel once its round is over, is free. Two starts racing for a channel: one wins.
/// A round the store cannot hold is refused by name: no questions, a repeated question, a
/// question index or message position the round does not have.
async fn invalid_rounds_are_refused_by_name(store: &Store, _url: &str) {
    let invalid = |e: StoreError| matches!(e, StoreError::InvalidRound { .. });
    assert!(invalid(store.create_round(&new_round("g1", "empty", &[])).await.unwrap_err()));
    let twice = store.create_round(&new_round("g1", "twice", &["q1", "q1"])).await.unwrap_err();
    assert_eq!(twice.to_string(), "round twice: question q1 is asked twice");
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    let beyond = RoundProgress { current_index: 2, opened_at: Some(1_000), deadline: None, revealed: false };
    assert!(invalid(store.update_round_progress(&gid("g1"), &rid("r1"), beyond).await.unwrap_err()));
    assert!(invalid(store.set_question_message(&gid("g1"), &rid("r1"), 5, "m").await.unwrap_err()));
    assert!(invalid(store.set_question_message(&gid("g1"), &rid("nope"), 0, "m").await.unwrap_err()));
    let r1 = store.round(&gid("g1"), &rid("r1")).await.unwrap().unwrap();
    assert_eq!(r1.current_index, 0, "the refused move changed nothing");
    assert_eq!(store.open_rounds().await.unwrap().len(), 1);
}

async fn one_live_round_per_channel(store: &Store, _url: &str) {
    let in_channel = |guild: &str, round: &str, channel: &str| NewRound { channel_id: Some(channel.into()), ..new_round(guild, round, &["q1"]) };
    start(store, &in_channel("g1", "L1", "chan-A")).await;
    let err = store.create_round(&in_channel("g1", "L2", "chan-A")).await.unwrap_err();
    match &err {
        StoreError::ChannelBusy { guild_id, channel_id } => assert_eq!((guild_id.as_str(), channel_id.as_str()), ("g1", "chan-A")),
        other => panic!("expected ChannelBusy, got {other:?}"),
    }
    assert!(err.to_string().contains("chan-A"), "{err}");
    assert_eq!(store.round(&gid("g1"), &rid("L2")).await.unwrap(), None);
    let open = |guild: &'static str, channel: &'static str| async move {
        store.open_live_round(&gid(guild), &channel.into()).await.unwrap().map(|r| r.round_id.to_string())
    };
    assert_eq!(open("g1", "chan-A").await.as_deref(), Some("L1"));
    start(store, &in_channel("g1", "L3", "chan-B")).await;
    start(store, &in_channel("g2", "L1", "chan-A")).await;
    assert_eq!(open("g1", "chan-B").await.as_deref(), Some("L3"));
    assert_eq!(open("g2", "chan-A").await.as_deref(), Some("L1"));
    assert_eq!(open("g1", "chan-C").await, None);
    // A practice has no channel and does not compete with live rounds.
    start(store, &new_practice("g1", "P1", "teacher", &["q1"])).await;
    store.finish_round(&gid("g1"), &rid("L1"), 40_000).await.unwrap();
    assert_eq!(open("g1", "chan-A").await, None);
    start(store, &in_channel("g1", "L4", "chan-A")).await;
    assert_eq!(open("g1", "chan-A").await.as_deref(), Some("L4"));

    for pair in 0..5 {
        let channel = format!("race-{pair}");
        let ids = [format!("race-{pair}-a"), format!("race-{pair}-b")];
        let spawn = |id: &str| {
            let store = store.clone();
            let new = in_channel("g1", id, &channel);
            tokio::spawn(async move { store.create_round(&new).await })
        };
        let (a, b) = tokio::join!(spawn(&ids[0]), spawn(&ids[1]));
        let outcomes = [a.unwrap(), b.unwrap()];
        let won: Vec<_> = outcomes.iter().filter(|o| o.is_ok()).collect();
        let busy = outcomes.iter().filter(|o| matches!(o, Err(StoreError::ChannelBusy { .. }))).count();
        assert_eq!((won.len(), busy), (1, 1), "pair {pair}: {outcomes:?}");
        let winner = won[0].as_ref().unwrap().round.round_id.to_string();
        let found = store.open_live_round(&gid("g1"), &channel.as_str().into()).await.unwrap().map(|r| r.round_id.to_string());
        assert_eq!(found, Some(winner), "pair {pair}");
    }
}

/// What a restart needs to carry a round on is in the store: its questions in order, the
/// seed of its presentation, the speed-bonus setting, the current question's deadline and
/// the message posted for each question.
async fn rounds_keep_what_a_restart_needs(store: &Store, url: &str) {
    let new = NewRound {
        // A seed above i64::MAX: stored as BIGINT, it must come back unchanged.
        seed: u64::MAX - 6,
        speed_bonus: false,
        open_seconds: 20,
        started_at: 5_000,
        ..new_round("g1", "r1", &["q9", "q2", "q5"])
    };
    let started = start(store, &new).await;
    assert_eq!((started.opened_at, started.deadline), (Some(5_000), Some(25_000)));
    let stored = store.round(&gid("g1"), &rid("r1")).await.unwrap().unwrap();
    assert_eq!(stored, started);
    assert_eq!(stored.item_ids, ["q9", "q2", "q5"].map(ItemId::from));
    assert_eq!((stored.seed, stored.speed_bonus), (u64::MAX - 6, false));
    assert_eq!(stored.messages, [None, None, None]);

    let message = |position: usize, id: &'static str| async move { store.set_question_message(&gid("g1"), &rid("r1"), position, id).await.unwrap() };
    message(0, "1001").await;
    message(2, "1003").await;
    message(0, "1002").await; // posted again: the latest message is the one to edit
    let progress = RoundProgress { current_index: 1, opened_at: Some(40_000), deadline: Some(60_000), revealed: false };
    store.update_round_progress(&gid("g1"), &rid("r1"), progress).await.unwrap();

    let other = NewRound { seed: 0, ..new_round("g1", "r2", &["q1"]) };
    start(store, &other).await;

    // After a restart (a new connection), everything is there.
    let reopened = Store::connect(url).await.unwrap();
    for round in
        [reopened.round(&gid("g1"), &rid("r1")).await.unwrap().unwrap(), reopened.open_live_round(&gid("g1"), &"chan-r1".into()).await.unwrap().unwrap()]
    {
        assert_eq!(round.item_ids, ["q9", "q2", "q5"].map(ItemId::from));
        assert_eq!(round.messages, [Some("1002".to_string()), None, Some("1003".to_string())]);
        assert_eq!((round.current_index, round.opened_at, round.deadline, round.revealed), (1, Some(40_000), Some(60_000), false));
        assert_eq!((round.seed, round.speed_bonus, round.open_seconds, round.started_at), (u64::MAX - 6, false, 20, 5_000));
    }
    let r2 = reopened.round(&gid("g1"), &rid("r2")).await.unwrap().unwrap();
    assert_eq!((r2.seed, r2.speed_bonus, r2.deadline, r2.messages), (0, true, Some(31_000), vec![None]));
    let open: Vec<_> = reopened.open_rounds().await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open.iter().find(|r| r.round_id == rid("r1")).map(|r| &r.messages), Some(&vec![Some("1002".to_string()), None, Some("1003".to_string())]));
    reopened.close().await;
}

/// Rounds written before migration 0002 kept their questions only as a JSON list in
/// `rounds.item_ids`. Connecting copies those into `round_questions` (once), so the
/// reports that read question rows (times asked, streaks in question order) count them.
async fn older_rounds_get_their_questions_back(store: &Store, url: &str) {
    store.upsert_user("g1", "ua", "Ada").await.unwrap();
    store.upsert_user("g1", "ub", "Bob").await.unwrap();
    let mut raw = raw_connection(url).await;
    // Asked q1…q4 (the current one, q4, opened); nobody answered q3.
    execute(
        &mut raw,
        r#"INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids,
               current_index, opened_at, revealed, open_seconds, status, started_at, ended_at)
           VALUES ('g1', 'old', 'live', 'chan-old', 'teacher', '["q1","q2","q3","q4"]',
               3, 100000, 1, 30, 'finished', 1000, 130000)"#,
    )
    .await;
    execute(
        &mut raw,
        "INSERT INTO answers (guild_id, round_id, item_id, user_id, response, correct, credit,
             points, elapsed_ms, answered_at)
         VALUES ('g1', 'old', 'q1', 'ua', '0', 1, 1.0, 10, 900, 10000),
                ('g1', 'old', 'q1', 'ub', '1', 0, 0.0, 0, 900, 10000),
                ('g1', 'old', 'q2', 'ua', '0', 1, 1.0, 10, 900, 40000),
                ('g1', 'old', 'q4', 'ua', '0', 1, 1.0, 10, 900, 100500)",
    )
    .await;
    raw.close().await.unwrap();

    // Without its question rows, the round's unanswered q3 was never "asked", and Ada's
    // answers each start a run of their own: what the back-fill below must repair.
    let stats = store.item_stats("g1").await.unwrap();
    assert!(stats.iter().all(|s| s.item_id != "q3"), "{stats:?}");
    let t = store.user_totals("g1", "ua", &HashMap::new()).await.unwrap();
    assert_eq!(t.best_streak, 1);

    for _ in 0..2 {
        let reopened = Store::connect(url).await.unwrap();
        let old = reopened.round(&gid("g1"), &rid("old")).await.unwrap().unwrap();
        assert_eq!(old.item_ids, ["q1", "q2", "q3", "q4"].map(ItemId::from));
        assert_eq!(old.messages, [None, None, None, None]);
        assert_eq!((old.status, old.current_index), (RoundStatus::Finished, 3));
        let stats = reopened.item_stats("g1").await.unwrap();
        let summary: Vec<_> = stats.iter().map(|s| (s.item_id.as_str(), s.times_asked, s.answers)).collect();
        assert_eq!(summary, [("q1", 1, 2), ("q2", 1, 1), ("q3", 1, 0), ("q4", 1, 1)]);
        // q1, q2 right in a row; q3 skipped breaks the run; q4 right.
        let t = reopened.user_totals("g1", "ua", &HashMap::new()).await.unwrap();
        assert_eq!((t.answered, t.current_streak, t.best_streak), (3, 1, 2));
        reopened.close().await;
    }
    // Connecting twice copied the questions once.
    let mut raw = raw_connection(url).await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM round_questions WHERE guild_id = 'g1' AND round_id = 'old'").fetch_one(&mut raw).await.unwrap();
    assert_eq!(rows, 4);
    raw.close().await.unwrap();
}

async fn committed_answer_survives_reconnect(store: &Store, url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1"])).await;
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "1", true)).await, Recorded::Counted);
    // Drop (not close) a clone: the answer was committed before `record_answer` returned.
    drop(store.clone());
    let reopened = Store::connect(url).await.unwrap();
    let named = reopened.answers_for_round_item(&gid("g1"), &rid("r1"), &"q1".into()).await.unwrap();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].answer, AnswerRecord { review: None, ..answer("g1", "r1", "q1", "u1", "1", true) });
    assert_eq!(reopened.record_answer(&answer("g1", "r1", "q1", "u1", "1", true)).await.unwrap(), Recorded::Duplicate);
    reopened.close().await;
}

/// What a student types is stored the same on both backends: PostgreSQL's `text` refuses a
/// NUL, which SQLite would keep, so the store cleans typed text where it binds it
/// (`agora::text::typed`): control characters and escape sequences go, newlines stay.
async fn typed_text_is_stored_the_same(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "A\u{1b}[31mda\0").await.unwrap();
    start(store, &new_round("g1", "r1", &["q1"])).await;
    assert_eq!(record(store, answer("g1", "r1", "q1", "u1", "rus\0sia\r\n", true)).await, Recorded::Counted);
    let rows = store.answers_for_round_item(&gid("g1"), &rid("r1"), &"q1".into()).await.unwrap();
    let stored: Vec<(&str, &str)> = rows.iter().map(|r| (r.answer.response.as_str(), r.display_name.as_str())).collect();
    assert_eq!(stored, [("russia\n", "Ada")]);
}

// ---------------------------------------------------------------- from an empty database

/// A database created by the previous version (migration 0001 only), with a finished and
/// an open round in the old format, upgraded by connecting: 0002 closes the open round
/// (it kept no seed, so it cannot be resumed as shown), the back-fill gives both rounds
/// their questions, and their answers keep counting.
async fn upgrade_from_the_first_schema(url: &str) {
    sqlx::any::install_default_drivers();
    let mut raw = raw_connection(url).await;
    // `run_direct` rather than `run_to`: the latter's `Acquire` bound is not general enough
    // for a future that must be `Send` (sqlx's own note on `run_direct`).
    sqlx::migrate!("./migrations").run_direct(Some(1), &mut raw, false).await.expect("applying migration 0001 only");
    execute(&mut raw, "INSERT INTO guilds (id, settings) VALUES ('g1', '{}')").await;
    execute(&mut raw, "INSERT INTO users (guild_id, user_id, display_name) VALUES ('g1', 'ua', 'Ada')").await;
    execute(
        &mut raw,
        r#"INSERT INTO rounds (guild_id, round_id, kind, channel_id, started_by, item_ids,
               current_index, opened_at, revealed, open_seconds, status, started_at, ended_at)
           VALUES ('g1', 'done', 'live', 'chan-1', 'teacher', '["q1","q2"]',
                   1, 40000, 1, 30, 'finished', 1000, 70000),
                  ('g1', 'left', 'live', 'chan-1', 'teacher', '["q3","q1"]',
                   0, 200000, 0, 30, 'open', 190000, NULL)"#,
    )
    .await;
    execute(
        &mut raw,
        "INSERT INTO answers (guild_id, round_id, item_id, user_id, response, correct, credit,
             points, elapsed_ms, answered_at)
         VALUES ('g1', 'done', 'q1', 'ua', '0', 1, 1.0, 10, 900, 10000),
                ('g1', 'done', 'q2', 'ua', '0', 1, 1.0, 10, 900, 40500),
                ('g1', 'left', 'q3', 'ua', '1', 0, 0.0, 0, 900, 200500)",
    )
    .await;
    raw.close().await.unwrap();

    let store = Store::connect(url).await.expect("upgrading by connecting");
    assert!(store.open_rounds().await.unwrap().is_empty());
    let left = store.round(&gid("g1"), &rid("left")).await.unwrap().unwrap();
    assert_eq!((left.status, left.ended_at, left.item_ids.clone()), (RoundStatus::Abandoned, Some(190_000), ["q3", "q1"].map(ItemId::from).to_vec()));
    let done = store.round(&gid("g1"), &rid("done")).await.unwrap().unwrap();
    assert_eq!((done.status, done.item_ids.clone(), done.seed, done.speed_bonus), (RoundStatus::Finished, ["q1", "q2"].map(ItemId::from).to_vec(), 0, true));
    let stats = store.item_stats("g1").await.unwrap();
    let summary: Vec<_> = stats.iter().map(|s| (s.item_id.as_str(), s.times_asked, s.answers)).collect();
    assert_eq!(summary, [("q1", 1, 1), ("q2", 1, 1), ("q3", 1, 1)]);
    let t = store.user_totals("g1", "ua", &HashMap::new()).await.unwrap();
    assert_eq!((t.answered, t.points, t.best_streak, t.current_streak), (3, 20, 2, 0));
    // The channel the closed round held is free again.
    let new = NewRound { channel_id: Some("chan-1".into()), ..new_round("g1", "new", &["q1"]) };
    start(&store, &new).await;
    store.upsert_user("g1", "ub", "Bob").await.unwrap();
    assert_eq!(record(&store, answer_at("g1", "new", "q1", "ub", true, 10, 2_000)).await, Recorded::Counted);
    store.close().await;
}

/// Rows of every kind about two students of g1, and about the first in g2, written the way
/// the debate and prompt code writes them.
const STUDENT_ROWS_SQL: &[&str] = &[
    "INSERT INTO debates (guild_id, debate_id, channel_id, format, per_side, motion, info, scale_max, phase_opened_at, status, started_by, started_at)
     VALUES ('g1', 'd1', 'c9', 'quick', 1, 'Motion', '', 5, 0, 'released', 'teacher', 0)",
    "INSERT INTO users (guild_id, user_id, display_name) VALUES ('g1', 'teacher', 'Teacher')",
    "INSERT INTO debate_seats VALUES ('g1', 'd1', 'u1', 'proposition', 0, 1), ('g1', 'd1', 'u2', 'opposition', 0, 2)",
    "INSERT INTO debate_speeches VALUES ('g1', 'd1', 1, 'u1', 'u1', 'proposition', 'claim one', 'reasons one', 10), ('g1', 'd1', 2, 'u2', 'u2', 'opposition', 'claim two', 'reasons two', 20)",
    "INSERT INTO debate_citations VALUES ('g1', 'd1', 1, 'u1', 0, 'p-1', 1), ('g1', 'd1', 1, 'u1', 1, 'p-2', 0), ('g1', 'd1', 2, 'u2', 0, 'p-3', 1)",
    "INSERT INTO debate_flags VALUES ('g1', 'd1', 1, 'u1', 'p-1', 'u2', 'misread', 30), ('g1', 'd1', 2, 'u2', 'p-3', 'u1', 'out of context', 31)",
    "INSERT INTO debate_ballots VALUES ('g1', 'd1', 'teacher', 1, 'proposition', 'well argued', 40), ('g1', 'd1', 'u1', 0, 'proposition', 'mine', 41), ('g1', 'd1', 'u2', 0, 'opposition', 'theirs', 42)",
    "INSERT INTO debate_scores VALUES ('g1', 'd1', 'teacher', 'u1', 0, 4), ('g1', 'd1', 'teacher', 'u1', 1, 5), ('g1', 'd1', 'teacher', 'u2', 0, 3), ('g1', 'd1', 'teacher', 'u2', 1, 3),
     ('g1', 'd1', 'u1', 'u2', 0, 2), ('g1', 'd1', 'u1', 'u2', 1, 2), ('g1', 'd1', 'u2', 'u1', 0, 1)",
    "INSERT INTO debate_votes VALUES ('g1', 'd1', 'before', 'u1', 'undecided', 5), ('g1', 'd1', 'after', 'u1', 'proposition', 50), ('g1', 'd1', 'after', 'u2', 'opposition', 51)",
    "INSERT INTO prompt_answers (guild_id, answer_id, user_id, prompt_id, body, status, submitted_at, score, max_score, points, feedback, reviewed_by, reviewed_at)
     VALUES ('g1', 'a1', 'u1', 'pr-1', 'my essay', 'reviewed', 60, 3, 4, 15, 'good', 'teacher', 61),
            ('g1', 'a2', 'u2', 'pr-1', 'their essay', 'waiting', 62, NULL, NULL, NULL, NULL, NULL, NULL)",
    "INSERT INTO prompt_citations VALUES ('g1', 'a1', 0, 'p-1', 1), ('g1', 'a2', 0, 'p-2', 1)",
    "INSERT INTO prompt_marks VALUES ('g1', 'a1', 0, 'Uses the paper', 2), ('g1', 'a1', 1, 'Clear', 1)",
    "INSERT INTO awards VALUES ('g1', 'u1', 'debate:d1', 'debate', 29, 70), ('g1', 'u1', 'prompt:a1', 'prompt', 15, 71), ('g1', 'u2', 'debate:d1', 'debate', 6, 72)",
];

async fn a_forgotten_student_leaves_no_row_behind(store: &Store, url: &str) {
    for (guild, user) in [("g1", "u1"), ("g1", "u2"), ("g2", "u1")] {
        store.upsert_user(guild, user, &format!("{user} of {guild}")).await.unwrap();
    }
    start(store, &new_round("g1", "r1", &["q1"])).await;
    ask(store, "g1", "r1", 0).await;
    start(store, &new_practice("g1", "p1", "u1", &["q2"])).await;
    ask(store, "g1", "p1", 0).await;
    start(store, &new_round("g2", "r1", &["q1"])).await;
    ask(store, "g2", "r1", 0).await;
    for a in [
        answer_at("g1", "r1", "q1", "u1", true, 10, 1_100),
        answer_at("g1", "r1", "q1", "u2", true, 10, 1_200),
        answer_at("g1", "p1", "q2", "u1", false, 0, 1_300),
        answer_at("g2", "r1", "q1", "u1", true, 10, 1_400),
    ] {
        assert_eq!(record(store, a).await, Recorded::Counted);
    }
    let mut conn = raw_connection(url).await;
    for sql in STUDENT_ROWS_SQL {
        execute(&mut conn, sql).await;
    }
    conn.close().await.unwrap();
    // Each speaker's speech waiting for its channel (the outbox names the slot: their id).
    for (guild, user) in [("g1", "u1"), ("g1", "u2"), ("g2", "u1")] {
        let post = agora::store::Post {
            guild_id: gid(guild),
            kind: agora::store::PostKind::Speech,
            subject: "d1".into(),
            number: 1,
            part: user.into(),
            channel_id: "c1".into(),
        };
        store.put_post(&post, 1_500).await.unwrap();
    }
    let (g1, u1, u2) = (gid("g1"), agora::ids::UserId::from("u1"), agora::ids::UserId::from("u2"));

    // What the student is shown is every row about them, table by table.
    let records = store.student_records(&g1, &u1).await.unwrap();
    let count = |records: &serde_json::Value, table: &str| records[table].as_array().unwrap_or_else(|| panic!("no table {table} in {records}")).len();
    let expected = [
        ("users", 1),
        ("answers", 2),
        ("memories", 2),
        ("rounds", 1),
        ("round_questions", 1),
        ("debate_seats", 1),
        ("debate_speeches", 1),
        ("outbox", 1),
        ("debate_citations", 2),
        ("debate_flags", 2),
        ("debate_ballots", 1),
        ("debate_scores", 5),
        ("debate_votes", 2),
        ("prompt_answers", 1),
        ("prompt_citations", 1),
        ("prompt_marks", 2),
        ("awards", 2),
    ];
    for (table, n) in expected {
        assert_eq!(count(&records, table), n, "{table}: {}", records[table]);
    }
    assert_eq!(records["users"][0]["display_name"], "u1 of g1");
    assert_eq!(records["prompt_answers"][0]["body"], "my essay");
    assert_eq!(records["prompt_answers"][0]["points"], 15);
    assert_eq!(records["debate_speeches"][0]["claim"], "claim one");
    assert_eq!(records["answers"][0]["credit"], 1.0);
    assert_eq!(records["answers"][1]["correct"], 0);
    assert!(records["debate_citations"].as_array().unwrap().iter().all(|c| c["slot"] == "u1"), "{}", records["debate_citations"]);

    // Forgetting deletes exactly those rows, and says how many of each.
    let gone = store.forget_student(&g1, &u1).await.unwrap();
    for (table, n) in expected {
        assert_eq!(gone.of(table), n as u64, "{table}: {gone:?}");
    }
    assert_eq!(gone.total(), 28);
    let after = store.student_records(&g1, &u1).await.unwrap();
    for (table, _) in expected {
        assert_eq!(count(&after, table), 0, "{table} still holds {}", after[table]);
    }
    // The scores follow: u1 is off g1's board and gradebook, u2 keeps everything of theirs.
    let board = store.leaderboard("g1", RankBy::Points, 10, false, 0).await.unwrap();
    assert_eq!(board.iter().map(|r| (r.user_id.as_str(), r.points)).collect::<Vec<_>>(), [("u2", 16)]);
    let gradebook = store.gradebook_csv("g1", &topics(&[]), &[]).await.unwrap();
    assert!(!gradebook.contains("u1"), "{gradebook}");
    let totals = store.user_totals("g1", "u1", &topics(&[])).await.unwrap();
    assert_eq!((totals.points, totals.answered), (0, 0));
    let theirs = store.student_records(&g1, &u2).await.unwrap();
    let kept = [
        ("users", 1),
        ("answers", 1),
        ("debate_seats", 1),
        ("debate_speeches", 1),
        ("outbox", 1),
        ("debate_citations", 1),
        ("debate_ballots", 1),
        ("debate_scores", 2),
        ("debate_votes", 1),
        ("prompt_answers", 1),
        ("prompt_citations", 1),
        ("awards", 1),
    ];
    for (table, n) in kept {
        assert_eq!(count(&theirs, table), n, "u2's {table}: {}", theirs[table]);
    }
    assert_eq!(count(&theirs, "debate_flags"), 0, "u2's flag was on u1's speech, which is gone");
    // The teacher's ballot stays (its scores of u2 with it); the same user in another server stays.
    let teacher = store.student_records(&g1, &"teacher".into()).await.unwrap();
    assert_eq!(count(&teacher, "debate_ballots"), 1);
    let elsewhere = store.student_records(&gid("g2"), &u1).await.unwrap();
    assert_eq!((count(&elsewhere, "users"), count(&elsewhere, "answers")), (1, 1));
    // Forgetting again finds nothing; the student may come back as new.
    assert_eq!(store.forget_student(&g1, &u1).await.unwrap().total(), 0);
    store.upsert_user("g1", "u1", "back").await.unwrap();
    assert_eq!(record(store, answer_at("g1", "r1", "q1", "u1", true, 10, 1_500)).await, Recorded::Counted);
}

/// The outbox: a live round's first question is queued with the round, the next with the
/// progress that opens it (both or neither); a delivery is claimed by one caller only; a
/// new version queued while one is on its way stays pending; retries wait their time; a
/// final failure ends the tries.
async fn the_outbox_queues_with_the_change_and_claims_once(store: &Store, _url: &str) {
    use agora::store::{Post, PostKind};
    let g = gid("g1");
    start(store, &new_round("g1", "r1", &["q1", "q2"])).await;
    start(store, &new_practice("g1", "p1", "s1", &["q1"])).await;
    let q1 = Post { guild_id: g.clone(), kind: PostKind::Question, subject: "r1".into(), number: 1, part: String::new(), channel_id: "chan-r1".into() };
    let due = store.due_posts(1_000, 10).await.unwrap();
    assert_eq!(due.len(), 1, "the live round's first question, and nothing for a practice: {due:?}");
    assert_eq!((&due[0].post, due[0].version, due[0].message_id.as_deref(), due[0].attempts), (&q1, 1, None, 0));
    assert!(store.due_posts(999, 10).await.unwrap().is_empty(), "not due before it was queued");

    // Claimed once: a second claim (another process) at the same moment gets nothing.
    assert!(store.claim_post(&q1, 1, 1_000, 21_000).await.unwrap());
    assert!(!store.claim_post(&q1, 1, 1_000, 21_000).await.unwrap(), "claimed twice");
    assert!(store.due_posts(2_000, 10).await.unwrap().is_empty(), "a claimed row is not due");
    // A failed try: retried from its time on, with the try counted.
    store.post_retry(&q1, 3_000).await.unwrap();
    assert!(store.due_posts(2_999, 10).await.unwrap().is_empty());
    let due = store.due_posts(3_000, 10).await.unwrap();
    assert_eq!(due[0].attempts, 1);
    assert!(store.claim_post(&q1, 1, 3_000, 23_000).await.unwrap());
    // The timer's reveal queues version 2 while version 1 is on its way: delivering 1
    // leaves 2 pending, to edit the message 1 posted.
    store.put_post(&q1, 3_500).await.unwrap();
    store.post_delivered(&q1, 1, Some("m1")).await.unwrap();
    let due = store.due_posts(4_000, 10).await.unwrap();
    assert_eq!((due.len(), due[0].version, due[0].message_id.as_deref(), due[0].attempts), (1, 2, Some("m1"), 0), "{due:?}");
    assert!(!store.claim_post(&q1, 1, 4_000, 24_000).await.unwrap(), "an old version cannot be claimed");
    assert!(store.claim_post(&q1, 2, 4_000, 24_000).await.unwrap());
    store.post_delivered(&q1, 2, Some("m1")).await.unwrap();
    assert!(store.due_posts(i64::MAX / 2, 10).await.unwrap().is_empty(), "all delivered");

    // The next question is queued with the progress that opens it.
    let q2 = Post { number: 2, ..q1.clone() };
    let progress = RoundProgress { current_index: 1, opened_at: Some(40_000), deadline: Some(70_000), revealed: false };
    store.update_round_progress_posting(&g, &rid("r1"), progress, &q2, 40_000).await.unwrap();
    assert_eq!(store.round(&g, &rid("r1")).await.unwrap().unwrap().current_index, 1);
    assert_eq!(store.due_posts(40_000, 10).await.unwrap().iter().map(|p| p.post.clone()).collect::<Vec<_>>(), vec![q2.clone()]);
    // A progress refused (no question at that index) queues nothing.
    let q9 = Post { number: 9, ..q1.clone() };
    let beyond = RoundProgress { current_index: 8, opened_at: Some(50_000), deadline: None, revealed: false };
    assert!(store.update_round_progress_posting(&g, &rid("r1"), beyond, &q9, 50_000).await.is_err());
    assert!(store.post_state(&q9).await.unwrap().is_none(), "nothing queued without its change");
    // A final failure ends the tries; the row says why.
    assert!(store.claim_post(&q2, 1, 40_000, 60_000).await.unwrap());
    store.post_failed(&q2, "Discord answered 403: Missing Permissions").await.unwrap();
    assert!(store.due_posts(i64::MAX / 2, 10).await.unwrap().is_empty());
    let (_, delivered, failed) = store.post_state(&q2).await.unwrap().unwrap();
    assert_eq!((delivered, failed.as_deref()), (0, Some("Discord answered 403: Missing Permissions")));
    // A row for an older round: delivered already if it had its message, else queued.
    let old = Post { subject: "old".into(), ..q1.clone() };
    store.ensure_post(&old, Some("m-old"), 60_000).await.unwrap();
    store.ensure_post(&Post { number: 2, ..old.clone() }, None, 60_000).await.unwrap();
    store.ensure_post(&q1, None, 60_000).await.unwrap();
    let due = store.due_posts(60_000, 10).await.unwrap();
    assert_eq!(due.iter().map(|p| (p.post.subject.as_str(), p.post.number)).collect::<Vec<_>>(), vec![("old", 2)], "{due:?}");
}

// ---------------------------------------------------------------- harness

/// Generates, for each contract check, one test per backend: checks given a migrated
/// store, and checks given the URL of an empty database.
macro_rules! contract {
    ($($check:ident),* $(,)?; empty: $($fresh:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let dir = tempfile::tempdir().expect("temp dir");
                    // A directory that does not exist yet: connect must create it.
                    let url = format!("sqlite://{}/nested/agora.db", dir.path().display());
                    let store = agora::store::Store::connect(&url).await.expect("open SQLite store");
                    assert_eq!(store.backend(), agora::store::Backend::Sqlite);
                    super::$check(&store, &url).await;
                    store.close().await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $fresh() {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let url = format!("sqlite://{}/agora.db", dir.path().display());
                    std::fs::File::create(dir.path().join("agora.db")).expect("empty database file");
                    super::$fresh(&url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::with_postgres(|store, url| async move { super::$check(&store, &url).await }).await;
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $fresh() {
                    super::with_postgres_database(|url| async move { super::$fresh(&url).await }).await;
                }
            )*
        }
    };
}

contract!(
    migrations_are_idempotent,
    invalid_rounds_are_refused_by_name,
    guilds_settings_and_users,
    duplicate_answer_counts_once,
    closed_questions_refuse_answers,
    answer_to_unknown_round_or_user_is_refused,
    five_hundred_students_answer_at_once,
    new_students_answer_at_once_with_their_rows,
    an_answer_changes_five_b_trees,
    guilds_are_isolated,
    totals_streaks_and_mastery,
    leaderboards,
    round_leaderboard_ranks_one_round,
    item_stats_count_picks,
    gradebook_csv,
    open_rounds_resume,
    a_new_practice_displaces_the_old_one,
    one_live_round_per_channel,
    rounds_keep_what_a_restart_needs,
    older_rounds_get_their_questions_back,
    committed_answer_survives_reconnect,
    typed_text_is_stored_the_same,
    a_forgotten_student_leaves_no_row_behind,
    the_outbox_queues_with_the_change_and_claims_once;
    empty: upgrade_from_the_first_schema,
);

/// Runs `check` against a fresh, migrated PostgreSQL database that is dropped afterwards,
/// even when the check panics; returns at once when the PostgreSQL tests are skipped.
async fn with_postgres<F, Fut>(check: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    with_postgres_database(|url| async move {
        let store = Store::connect(&url).await.expect("open PostgreSQL store");
        assert_eq!(store.backend(), Backend::Postgres);
        check(store.clone(), url).await;
        store.close().await;
    })
    .await;
}

/// Runs `check` with the URL of a new, empty PostgreSQL database that is dropped
/// afterwards, even when the check panics (the guard's `Drop`).
async fn with_postgres_database<F, Fut>(check: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = Postgres::new().await else { return };
    check(db.0.clone()).await;
}

// ---------------------------------------------------------------- PostgreSQL only

/// A class answering at once on PostgreSQL shares commits (issue 25): the answers that arrive
/// while one is being written go in the next transaction together, so far fewer transactions
/// than answers inserted them (each row's `xmin` names the transaction that inserted it),
/// and every answer is stored, counted once, with its memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_arriving_together_share_a_commit() {
    const N: usize = 300;
    with_postgres(|store, url| async move {
        start(&store, &new_round("g1", "r1", &["q1"])).await;
        let outcomes = at_once(&store, (0..N).collect(), |store, u| async move {
            store.record_answer_of(&answer("g1", "r1", "q1", &format!("u{u:03}"), "0", true), &format!("Student {u}")).await
        })
        .await;
        assert!(outcomes.iter().all(|o| matches!(o, Ok(Recorded::Counted))), "{outcomes:?}");
        assert_eq!(answers_to(&store, "g1", "r1", "q1").await.len(), N);
        assert_eq!(store.guild_memories(&gid("g1")).await.unwrap().len(), N, "each answer's memory");
        let mut conn = raw_connection(&url).await;
        let commits: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT xmin::text)::BIGINT FROM answers").fetch_one(&mut conn).await.unwrap();
        assert!(commits <= (N / 4) as i64, "{N} answers in {commits} transactions");
    })
    .await;
}

// ---------------------------------------------------------------- SQLite only

/// A new SQLite file has pages of 1 KiB (issue 25): an answer committed alone appends each
/// page it changed to the WAL, so it writes about a third of what 4 KiB pages wrote.
#[tokio::test]
async fn a_new_sqlite_file_has_small_pages() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/agora.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    store.close().await;
    let mut conn = raw_connection(&url).await;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut conn).await.unwrap();
    assert_eq!(page_size, 1024);
}

/// A committed answer survives the process dying abruptly (no destructors, no close):
/// this test re-runs itself as a child process that records answers and aborts.
#[test]
fn sqlite_answers_survive_a_crash() {
    const CHILD: &str = "AGORA_STORE_CRASH_CHILD";
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Ok(url) = std::env::var(CHILD) {
        rt.block_on(async {
            let store = Store::connect(&url).await.unwrap();
            start(&store, &new_round("g1", "r1", &["q1"])).await;
            for u in 0..50 {
                store.upsert_user("g1", &format!("u{u}"), "x").await.unwrap();
                let recorded = store.record_answer(&answer("g1", "r1", "q1", &format!("u{u}"), "0", true)).await;
                assert_eq!(recorded.unwrap(), Recorded::Counted);
            }
            std::process::abort();
        });
        unreachable!("the child aborts");
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/agora.db", dir.path().display());
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &this_test(module_path!(), "sqlite_answers_survive_a_crash"), "--nocapture", "--test-threads=1"])
        .env(CHILD, &url)
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have aborted");
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(answers_to(&store, "g1", "r1", "q1").await.len(), 50);
        // The round the child left open is still there, to be resumed.
        let open = store.open_rounds().await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].item_ids, [ItemId::from("q1")]);
        store.close().await;
    });
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    for url in ["mysql://localhost/agora", "data/agora.db", "sqlite://", "sqlite::memory:"] {
        let err = Store::connect(url).await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidUrl { .. }), "{url}: {err:?}");
    }
    let err = Store::connect("postgres://agora:s3cret@127.0.0.1:1/nope").await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("agora:***@127.0.0.1:1") && !message.contains("s3cret"), "{message}");
}
