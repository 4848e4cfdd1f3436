//! The store's contract: one suite of async checks, each taking a `&Store` (and the URL it
//! was opened with), run against SQLite (a temporary file) and PostgreSQL (a fresh database
//! per check, dropped afterwards).
//!
//! PostgreSQL is required: set `AGORA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); if it cannot be reached the PostgreSQL checks
//! fail with a message saying so.

use std::collections::HashMap;
use std::sync::Arc;

use agora::store::{
    AnswerRecord, Backend, NewRound, RankBy, Recorded, RoundKind, RoundProgress, RoundStatus,
    Store, StoreError, Tally,
};
use sqlx::migrate::MigrateDatabase;

// ---------------------------------------------------------------- fixtures

fn answer(
    guild: &str,
    round: &str,
    item: &str,
    user: &str,
    response: &str,
    correct: bool,
) -> AnswerRecord {
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
    }
}

/// `answer` at a given time with given points.
fn answer_at(
    guild: &str,
    round: &str,
    item: &str,
    user: &str,
    correct: bool,
    points: i64,
    at: i64,
) -> AnswerRecord {
    AnswerRecord {
        points,
        answered_at: at,
        ..answer(
            guild,
            round,
            item,
            user,
            if correct { "0" } else { "1" },
            correct,
        )
    }
}

fn new_round(guild: &str, round: &str, items: &[&str]) -> NewRound {
    NewRound {
        guild_id: guild.into(),
        round_id: round.into(),
        kind: RoundKind::Live,
        channel_id: Some("chan-1".into()),
        started_by: "teacher".into(),
        item_ids: items.iter().map(|s| s.to_string()).collect(),
        open_seconds: 30,
        started_at: 1_000,
    }
}

fn topics(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(item, ts)| (item.to_string(), ts.iter().map(|t| t.to_string()).collect()))
        .collect()
}

async fn record(store: &Store, a: AnswerRecord) -> Recorded {
    store.record_answer(&a).await.expect("record answer")
}

// ---------------------------------------------------------------- the contract

async fn migrations_are_idempotent(store: &Store, url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    for _ in 0..2 {
        let again = Store::connect(url)
            .await
            .expect("connecting a second time re-runs no migration");
        assert_eq!(
            again.guild_settings("g1").await.unwrap().as_deref(),
            Some("{}")
        );
        again.close().await;
    }
}

async fn guilds_settings_and_users(store: &Store, _url: &str) {
    assert_eq!(store.guild_settings("g1").await.unwrap(), None);
    store.ensure_guild("g1").await.unwrap();
    store.ensure_guild("g1").await.unwrap();
    assert_eq!(
        store.guild_settings("g1").await.unwrap().as_deref(),
        Some("{}")
    );
    store
        .set_guild_settings("g1", r#"{"anonymous":true}"#)
        .await
        .unwrap();
    assert_eq!(
        store.guild_settings("g1").await.unwrap().as_deref(),
        Some(r#"{"anonymous":true}"#)
    );
    let err = store
        .set_guild_settings("g1", "{not json")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidSettings { .. }), "{err:?}");
    assert_eq!(
        store.guild_settings("g1").await.unwrap().as_deref(),
        Some(r#"{"anonymous":true}"#)
    );

    // A display name change shows on the leaderboard.
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    record(store, answer("g1", "r1", "q1", "u1", "0", true)).await;
    store.upsert_user("g1", "u1", "Ada L.").await.unwrap();
    let board = store
        .leaderboard("g1", RankBy::Points, 10, false, 0)
        .await
        .unwrap();
    assert_eq!(board[0].name, "Ada L.");
}

async fn duplicate_answer_counts_once(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "2", true)).await,
        Recorded::Counted
    );
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "2", true)).await,
        Recorded::Duplicate
    );
    // A second click on another choice does not replace the first answer.
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "3", false)).await,
        Recorded::Duplicate
    );
    let rows = store
        .answers_for_round_item("g1", "r1", "q1")
        .await
        .unwrap();
    assert_eq!(rows, vec![answer("g1", "r1", "q1", "u1", "2", true)]);
    let totals = store
        .user_totals("g1", "u1", &HashMap::new())
        .await
        .unwrap();
    assert_eq!((totals.answered, totals.points), (1, 10));
}

async fn answer_to_unknown_round_or_user_is_refused(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    let err = store
        .record_answer(&answer("g1", "r1", "q1", "ghost", "0", true))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownRoundOrUser { .. }),
        "{err:?}"
    );
    let err = store
        .record_answer(&answer("g1", "nope", "q1", "u1", "0", true))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownRoundOrUser { .. }),
        "{err:?}"
    );
    // The failures did not disturb the writer.
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "0", true)).await,
        Recorded::Counted
    );

    // Concurrently (so the SQLite writer batches them), unknown users among known ones:
    // each caller gets its own outcome and the known users' answers all count.
    for u in 0..50 {
        store
            .upsert_user("g1", &format!("k{u}"), "known")
            .await
            .unwrap();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for u in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let user = if u % 5 == 0 {
                format!("ghost{u}")
            } else {
                format!("k{u}")
            };
            (
                u,
                store
                    .record_answer(&answer("g1", "r1", "q2", &user, "0", true))
                    .await,
            )
        });
    }
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (u, Err(StoreError::UnknownRoundOrUser { .. })) if u % 5 == 0 => {}
            (u, Ok(Recorded::Counted)) if u % 5 != 0 => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    let rows = store
        .answers_for_round_item("g1", "r1", "q2")
        .await
        .unwrap();
    assert_eq!(rows.len(), 40);
}

async fn five_hundred_students_answer_at_once(store: &Store, _url: &str) {
    const N: usize = 500;
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    let mut setup = tokio::task::JoinSet::new();
    for u in 0..N {
        let store = store.clone();
        setup.spawn(async move {
            store
                .upsert_user("g1", &format!("u{u:03}"), &format!("Student {u}"))
                .await
        });
    }
    while let Some(r) = setup.join_next().await {
        r.unwrap().expect("upsert user");
    }

    for (pass, expected) in [(1, Recorded::Counted), (2, Recorded::Duplicate)] {
        let barrier = Arc::new(tokio::sync::Barrier::new(N));
        let mut tasks = tokio::task::JoinSet::new();
        for u in 0..N {
            let (store, barrier) = (store.clone(), barrier.clone());
            tasks.spawn(async move {
                barrier.wait().await;
                let a = answer(
                    "g1",
                    "r1",
                    "q1",
                    &format!("u{u:03}"),
                    &(u % 4).to_string(),
                    u % 4 == 0,
                );
                store.record_answer(&a).await
            });
        }
        let mut outcomes = Vec::with_capacity(N);
        while let Some(r) = tasks.join_next().await {
            outcomes.push(r.unwrap().unwrap_or_else(|e| panic!("pass {pass}: {e:?}")));
        }
        assert!(
            outcomes.iter().all(|o| *o == expected),
            "pass {pass}: {outcomes:?}"
        );
        let rows = store
            .answers_for_round_item("g1", "r1", "q1")
            .await
            .unwrap();
        assert_eq!(rows.len(), N, "pass {pass}");
    }
    let stats = store.item_stats("g1").await.unwrap();
    assert_eq!((stats[0].answers, stats[0].correct), (500, 125));
}

async fn guilds_are_isolated(store: &Store, _url: &str) {
    // Same user id, round id and item id in two guilds (a user in two servers).
    for (guild, name) in [("111", "Ada"), ("222", "Ada in 222")] {
        store.upsert_user(guild, "u1", name).await.unwrap();
        store
            .create_round(&new_round(guild, "r1", &["q1", "q2"]))
            .await
            .unwrap();
    }
    store.upsert_user("111", "u2", "Bob").await.unwrap();
    store.set_guild_settings("111", r#"{"x":1}"#).await.unwrap();
    record(store, answer_at("111", "r1", "q1", "u1", true, 10, 1)).await;
    record(store, answer_at("111", "r1", "q2", "u1", true, 10, 2)).await;
    record(store, answer_at("111", "r1", "q1", "u2", false, 0, 3)).await;
    // The same key in the other guild is a new answer, not a duplicate.
    assert_eq!(
        record(store, answer_at("222", "r1", "q1", "u1", false, 0, 4)).await,
        Recorded::Counted
    );

    let map = topics(&[("q1", &["trade"]), ("q2", &["trade"])]);
    let t = store.user_totals("222", "u1", &map).await.unwrap();
    assert_eq!((t.answered, t.correct, t.points), (1, 0, 0));
    assert_eq!(
        t.mastery["trade"],
        Tally {
            answered: 1,
            correct: 0
        }
    );
    let t = store.user_totals("111", "u1", &map).await.unwrap();
    assert_eq!((t.answered, t.correct, t.points), (2, 2, 20));

    let board = store
        .leaderboard("222", RankBy::Points, 10, false, 0)
        .await
        .unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!((board[0].name.as_str(), board[0].points), ("Ada in 222", 0));
    assert_eq!(
        store
            .answers_for_round_item("222", "r1", "q1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.recent_correct("222", "u1", 10).await.unwrap(),
        Vec::<String>::new()
    );
    let stats = store.item_stats("222").await.unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!((stats[0].item_id.as_str(), stats[0].answers), ("q1", 1));
    let csv = store
        .gradebook_csv("222", &map, &["trade".into()])
        .await
        .unwrap();
    assert_eq!(
        csv,
        "user_id,display_name,answered,correct,accuracy,points,accuracy_trade\n\
         u1,Ada in 222,1,0,0.000,0,0.000\n"
    );
    assert_eq!(
        store.guild_settings("222").await.unwrap().as_deref(),
        Some("{}")
    );
    assert!(store.user_totals("333", "u1", &map).await.unwrap().answered == 0);
}

async fn totals_streaks_and_mastery(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1", "q2", "q3"]))
        .await
        .unwrap();
    store
        .create_round(&new_round("g1", "r2", &["q4", "q5", "q1"]))
        .await
        .unwrap();
    // In time order: ✓ ✓ ✗ ✓ ✓ ✓ — recorded out of order on purpose.
    let answers = [
        ("r2", "q4", true, 7, 400),
        ("r1", "q1", true, 10, 100),
        ("r1", "q3", false, 0, 300),
        ("r1", "q2", true, 8, 200),
        ("r2", "q5", true, 9, 500),
        ("r2", "q1", true, 6, 600),
    ];
    for (round, item, correct, points, at) in answers {
        record(
            store,
            answer_at("g1", round, item, "u1", correct, points, at),
        )
        .await;
    }
    let map = topics(&[
        ("q1", &["trade", "energy"]),
        ("q2", &["trade"]),
        ("q3", &["energy"]),
        ("q4", &["arms"]),
    ]);
    let t = store.user_totals("g1", "u1", &map).await.unwrap();
    assert_eq!((t.points, t.answered, t.correct), (40, 6, 5));
    assert!((t.accuracy - 5.0 / 6.0).abs() < 1e-9);
    assert_eq!((t.current_streak, t.best_streak), (3, 3));
    assert_eq!(
        t.mastery["trade"],
        Tally {
            answered: 3,
            correct: 3
        }
    );
    assert_eq!(
        t.mastery["energy"],
        Tally {
            answered: 3,
            correct: 2
        }
    );
    assert_eq!(
        t.mastery["arms"],
        Tally {
            answered: 1,
            correct: 1
        }
    );
    assert_eq!(t.mastery.len(), 3, "q5 has no topic: {:?}", t.mastery);

    // q1 twice correct; its latest is at 600.
    assert_eq!(
        store.recent_correct("g1", "u1", 3).await.unwrap(),
        ["q1", "q5", "q4"]
    );
    assert_eq!(
        store.recent_correct("g1", "u1", 10).await.unwrap(),
        ["q1", "q5", "q4", "q2"]
    );

    let none = store.user_totals("g1", "nobody", &map).await.unwrap();
    assert_eq!(
        (none.answered, none.accuracy, none.current_streak),
        (0, 0.0, 0)
    );
}

async fn leaderboards(store: &Store, _url: &str) {
    store
        .create_round(&new_round("g1", "r1", &["q1", "q2", "q3", "q4"]))
        .await
        .unwrap();
    // (user, name, answers as correct flags, points per correct answer)
    let students = [
        ("ua", "Ada", "yyyy", 10), // 4/4, 40
        ("ub", "Bob", "yyn", 20),  // 2/3, 40
        ("uc", "Cy", "yny", 30),   // 2/3, 60
        ("ud", "Di", "y", 5),      // 1/1, 5
    ];
    for (user, name, pattern, per) in students {
        store.upsert_user("g1", user, name).await.unwrap();
        for (i, c) in pattern.chars().enumerate() {
            let correct = c == 'y';
            let item = format!("q{}", i + 1);
            record(
                store,
                answer_at(
                    "g1",
                    "r1",
                    &item,
                    user,
                    correct,
                    if correct { per } else { 0 },
                    i as i64,
                ),
            )
            .await;
        }
    }
    let rows = |board: Vec<agora::store::LeaderboardRow>| {
        board
            .into_iter()
            .map(|r| (r.rank, r.name, r.points, r.answered))
            .collect::<Vec<_>>()
    };
    let by_points = store
        .leaderboard("g1", RankBy::Points, 10, false, 0)
        .await
        .unwrap();
    assert!((by_points[1].accuracy - 1.0).abs() < 1e-9);
    assert_eq!(
        rows(by_points),
        [
            (1, "Cy".to_string(), 60, 3),
            (2, "Ada".to_string(), 40, 4),
            (2, "Bob".to_string(), 40, 3),
            (4, "Di".to_string(), 5, 1),
        ]
    );
    let by_accuracy = store
        .leaderboard("g1", RankBy::Accuracy, 10, false, 2)
        .await
        .unwrap();
    assert_eq!(
        rows(by_accuracy),
        [
            (1, "Ada".to_string(), 40, 4),
            (2, "Cy".to_string(), 60, 3),
            (2, "Bob".to_string(), 40, 3),
        ]
    );
    let anonymous = store
        .leaderboard("g1", RankBy::Points, 2, true, 0)
        .await
        .unwrap();
    assert_eq!(
        rows(anonymous),
        [
            (1, "Student 1".to_string(), 60, 3),
            (2, "Student 2".to_string(), 40, 4)
        ]
    );
    assert!(
        store
            .leaderboard("empty", RankBy::Points, 10, false, 0)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn item_stats_count_picks(store: &Store, _url: &str) {
    store
        .create_round(&new_round("g1", "r1", &["q1", "q2", "q3"]))
        .await
        .unwrap();
    store
        .create_round(&new_round("g1", "r2", &["q1", "q9"]))
        .await
        .unwrap();
    // r1 reached q2 (opened); q3 never asked. r2 is on q1, not yet opened.
    let progress = RoundProgress {
        current_index: 1,
        opened_at: Some(5_000),
        revealed: false,
    };
    store
        .update_round_progress("g1", "r1", progress)
        .await
        .unwrap();
    for (u, pick) in [
        ("u1", "2"),
        ("u2", "2"),
        ("u3", "0"),
        ("u4", "2"),
        ("u5", "1"),
    ] {
        store.upsert_user("g1", u, u).await.unwrap();
        record(store, answer("g1", "r1", "q1", u, pick, pick == "2")).await;
    }
    let stats = store.item_stats("g1").await.unwrap();
    let summary: Vec<_> = stats
        .iter()
        .map(|s| (s.item_id.as_str(), s.times_asked, s.answers, s.correct))
        .collect();
    assert_eq!(summary, [("q1", 1, 5, 3), ("q2", 1, 0, 0)]);
    assert!((stats[0].share_correct - 0.6).abs() < 1e-9);
    assert_eq!(
        stats[0].responses,
        [
            ("2".to_string(), 3),
            ("0".to_string(), 1),
            ("1".to_string(), 1)
        ]
    );
    assert!(stats[1].responses.is_empty());
    // Once r2 opens q1, it has been asked twice.
    let progress = RoundProgress {
        current_index: 0,
        opened_at: Some(9_000),
        revealed: false,
    };
    store
        .update_round_progress("g1", "r2", progress)
        .await
        .unwrap();
    assert_eq!(store.item_stats("g1").await.unwrap()[0].times_asked, 2);
}

async fn gradebook_csv(store: &Store, _url: &str) {
    store
        .create_round(&new_round("g1", "r1", &["q1", "q2", "q3"]))
        .await
        .unwrap();
    store
        .upsert_user("g1", "200", "bea, \"the\" reader")
        .await
        .unwrap();
    store.upsert_user("g1", "100", "Al").await.unwrap();
    store
        .upsert_user("g1", "300", "=HYPERLINK(\"x\")")
        .await
        .unwrap();
    store.upsert_user("g1", "400", "Zed").await.unwrap(); // never answers
    let answers = [
        ("100", "q1", true, 10),
        ("100", "q2", false, 0),
        ("100", "q3", true, 7),
        ("200", "q1", false, 0),
        ("200", "q3", true, 12),
        ("300", "q2", true, 5),
    ];
    for (user, item, correct, points) in answers {
        record(store, answer_at("g1", "r1", item, user, correct, points, 1)).await;
    }
    let map = topics(&[
        ("q1", &["trade"]),
        ("q2", &["trade", "arms"]),
        ("q3", &["energy"]),
    ]);
    let order = [
        "trade".to_string(),
        "arms".to_string(),
        "energy".to_string(),
    ];
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
    let mut practice = new_round("local", "p1", &["q1"]);
    practice.kind = RoundKind::Practice;
    practice.channel_id = None;
    practice.started_at = 500;
    let created = store.create_round(&practice).await.unwrap();
    assert_eq!(
        (created.status, created.current_index, created.revealed),
        (RoundStatus::Open, 0, false)
    );
    store
        .create_round(&new_round("g1", "live", &["q1", "q2", "q3"]))
        .await
        .unwrap();
    store
        .create_round(&new_round("g1", "done", &["q1"]))
        .await
        .unwrap();
    store
        .create_round(&new_round("g2", "gone", &["q1"]))
        .await
        .unwrap();

    let err = store
        .create_round(&new_round("g1", "live", &["q7"]))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RoundExists { .. }), "{err:?}");

    let progress = RoundProgress {
        current_index: 2,
        opened_at: Some(61_000),
        revealed: true,
    };
    store
        .update_round_progress("g1", "live", progress)
        .await
        .unwrap();
    store.finish_round("g1", "done", 70_000).await.unwrap();
    store.abandon_round("g2", "gone", 71_000).await.unwrap();

    let open = store.open_rounds().await.unwrap();
    let ids: Vec<_> = open
        .iter()
        .map(|r| (r.guild_id.as_str(), r.round_id.as_str()))
        .collect();
    assert_eq!(ids, [("local", "p1"), ("g1", "live")]);
    assert_eq!(open[0], created);
    let live = &open[1];
    assert_eq!(live.item_ids, ["q1", "q2", "q3"]);
    assert_eq!(
        (live.current_index, live.opened_at, live.revealed),
        (2, Some(61_000), true)
    );
    assert_eq!(
        (live.kind, live.channel_id.as_deref(), live.open_seconds),
        (RoundKind::Live, Some("chan-1"), 30)
    );

    let done = store.round("g1", "done").await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.ended_at),
        (RoundStatus::Finished, Some(70_000))
    );
    let gone = store.round("g2", "gone").await.unwrap().unwrap();
    assert_eq!(gone.status, RoundStatus::Abandoned);
    assert_eq!(store.round("g2", "live").await.unwrap(), None);

    // History is not rewritten.
    for result in [
        store.finish_round("g1", "done", 80_000).await,
        store.abandon_round("g1", "done", 80_000).await,
        store.update_round_progress("g2", "gone", progress).await,
        store.finish_round("g1", "missing", 80_000).await,
    ] {
        assert!(
            matches!(result, Err(StoreError::RoundNotOpen { .. })),
            "{result:?}"
        );
    }
    let done = store.round("g1", "done").await.unwrap().unwrap();
    assert_eq!(
        (done.status, done.ended_at),
        (RoundStatus::Finished, Some(70_000))
    );
}

async fn committed_answer_survives_reconnect(store: &Store, url: &str) {
    store.upsert_user("g1", "u1", "Ada").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "1", true)).await,
        Recorded::Counted
    );
    // Drop (not close) a clone: the answer was committed before `record_answer` returned.
    drop(store.clone());
    let reopened = Store::connect(url).await.unwrap();
    assert_eq!(
        reopened
            .answers_for_round_item("g1", "r1", "q1")
            .await
            .unwrap(),
        [answer("g1", "r1", "q1", "u1", "1", true)]
    );
    assert_eq!(
        reopened
            .record_answer(&answer("g1", "r1", "q1", "u1", "1", true))
            .await
            .unwrap(),
        Recorded::Duplicate
    );
    reopened.close().await;
}

/// What a student types is stored the same on both backends: PostgreSQL's `text` refuses a
/// NUL, which SQLite would keep, so the store cleans typed text where it binds it
/// (`agora::text::typed`): control characters and escape sequences go, newlines stay.
async fn typed_text_is_stored_the_same(store: &Store, _url: &str) {
    store.upsert_user("g1", "u1", "A\u{1b}[31mda\0").await.unwrap();
    store
        .create_round(&new_round("g1", "r1", &["q1"]))
        .await
        .unwrap();
    assert_eq!(
        record(store, answer("g1", "r1", "q1", "u1", "rus\0sia\r\n", true)).await,
        Recorded::Counted
    );
    let rows = store
        .answers_for_round_item(&"g1".into(), &"r1".into(), &"q1".into())
        .await
        .unwrap();
    let stored: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.answer.response.as_str(), r.display_name.as_str()))
        .collect();
    assert_eq!(stored, [("russia\n", "Ada")]);
}

// ---------------------------------------------------------------- harness

/// Generates, for each contract check, one test per backend.
macro_rules! contract {
    ($($check:ident),* $(,)?) => {
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
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    super::with_postgres(|store, url| async move { super::$check(&store, &url).await }).await;
                }
            )*
        }
    };
}

contract!(
    migrations_are_idempotent,
    guilds_settings_and_users,
    duplicate_answer_counts_once,
    answer_to_unknown_round_or_user_is_refused,
    five_hundred_students_answer_at_once,
    guilds_are_isolated,
    totals_streaks_and_mastery,
    leaderboards,
    item_stats_count_picks,
    gradebook_csv,
    open_rounds_resume,
    committed_answer_survives_reconnect,
    typed_text_is_stored_the_same,
);

fn postgres_base_url() -> String {
    std::env::var("AGORA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// `base` with its database name replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map_or(0, |i| i + 3);
    let server = match main[scheme_end..].find('/') {
        Some(slash) => &main[..scheme_end + slash],
        None => main,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Runs `check` against a fresh PostgreSQL database that is dropped afterwards, even
/// when the check panics.
async fn with_postgres<F, Fut>(check: F)
where
    F: FnOnce(Store, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    sqlx::any::install_default_drivers();
    let base = postgres_base_url();
    let name = format!("agora_test_{:016x}", rand::random::<u64>());
    let url = with_database(&base, &name);
    let created = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sqlx::Any::create_database(&url),
    )
    .await;
    match created {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!(
            "PostgreSQL at {base} is unreachable or refused CREATE DATABASE ({e}); \
             start PostgreSQL or set AGORA_TEST_POSTGRES_URL"
        ),
        Err(_) => panic!(
            "PostgreSQL at {base} did not answer within 10 s; start PostgreSQL or set AGORA_TEST_POSTGRES_URL"
        ),
    }
    let run_url = url.clone();
    let outcome = tokio::spawn(async move {
        let store = Store::connect(&run_url)
            .await
            .expect("open PostgreSQL store");
        assert_eq!(store.backend(), Backend::Postgres);
        check(store.clone(), run_url).await;
        store.close().await;
    })
    .await;
    sqlx::Any::force_drop_database(&url)
        .await
        .unwrap_or_else(|e| panic!("could not drop test database {name}: {e}"));
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

// ---------------------------------------------------------------- SQLite only

/// A committed answer survives the process dying abruptly (no destructors, no close):
/// this test re-runs itself as a child process that records answers and aborts.
#[test]
fn sqlite_answers_survive_a_crash() {
    const CHILD: &str = "AGORA_STORE_CRASH_CHILD";
    let rt = tokio::runtime::Runtime::new().unwrap();
    if let Ok(url) = std::env::var(CHILD) {
        rt.block_on(async {
            let store = Store::connect(&url).await.unwrap();
            store
                .create_round(&new_round("g1", "r1", &["q1"]))
                .await
                .unwrap();
            for u in 0..50 {
                store
                    .upsert_user("g1", &format!("u{u}"), "x")
                    .await
                    .unwrap();
                let recorded = store
                    .record_answer(&answer("g1", "r1", "q1", &format!("u{u}"), "0", true))
                    .await;
                assert_eq!(recorded.unwrap(), Recorded::Counted);
            }
            std::process::abort();
        });
        unreachable!("the child aborts");
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/agora.db", dir.path().display());
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "sqlite_answers_survive_a_crash",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, &url)
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have aborted");
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(
            store
                .answers_for_round_item("g1", "r1", "q1")
                .await
                .unwrap()
                .len(),
            50
        );
        store.close().await;
    });
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    for url in [
        "mysql://localhost/agora",
        "data/agora.db",
        "sqlite://",
        "sqlite::memory:",
    ] {
        let err = Store::connect(url).await.unwrap_err();
        assert!(
            matches!(err, StoreError::InvalidUrl { .. }),
            "{url}: {err:?}"
        );
    }
    let err = Store::connect("postgres://agora:s3cret@127.0.0.1:1/nope")
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("agora:***@127.0.0.1:1") && !message.contains("s3cret"),
        "{message}"
    );
}

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://p@h:5432/test", "x"),
        "postgres://p@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://p@h/test?sslmode=disable", "x"),
        "postgres://p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://p@h", "x"), "postgres://p@h/x");
}
