//! The classroom layer end to end on a real store, with a clock the tests move by hand:
//! a live round with a class answering at once, its refusals and its reveal; a restart in
//! the middle of a question, on SQLite and on PostgreSQL; practice and its one-at-a-time rule.

use std::sync::Arc;

use agora::app::{App, AppError, LiveRequest, ManualClock, Member, PracticeRequest, PracticeStep, Privilege, QuestionView, UserError};
use agora::bank::{Answer, Bank, Kind};
use agora::ids::{ChannelId, GuildId, UserId};
use agora::quiz::{self, Filter, Lean};
use agora::store::{RoundStatus, Store};

use crate::common;

use common::{Postgres, START, bank, sqlite_store};

pub(crate) fn instructor() -> Member {
    Member { id: UserId::from("900"), name: "Dr Lee".into(), manage_guild: true, roles: vec![] }
}

fn student(n: usize) -> Member {
    Member { id: UserId::new(format!("{}", 1000 + n)), name: format!("Student {n}"), manage_guild: false, roles: vec![] }
}

fn user_error(e: AppError) -> UserError {
    match e {
        AppError::User(u) => u,
        other => panic!("expected a user error, got {}", other.chain()),
    }
}

/// The letter that answers `view` rightly (`right`) or wrongly, from the bank and the seed.
pub(crate) fn answer_for(bank: &Bank, view: &QuestionView, seed: u64, right: bool) -> String {
    let q = bank.question(view.item_id.as_str()).unwrap();
    let shown = quiz::presentation(q, seed);
    let letter = |original: usize| agora::app::letter(shown.order().iter().position(|&o| o == original).unwrap()).to_string();
    match &q.answer {
        Answer::Single { choices, correct } => letter(if right { *correct } else { (*correct + 1) % choices.len() }),
        Answer::TrueFalse { correct } => (*correct == right).to_string(),
        other => panic!("the test asks only single and true/false questions, not {:?}", other.kind()),
    }
}

pub(crate) fn live_request(count: usize, seed: u64) -> LiveRequest {
    LiveRequest { filter: Filter { kinds: vec![Kind::Single], ..Filter::default() }, count, seconds: Some(30), speed_bonus: Some(true), seed: Some(seed) }
}

/// 30 students answer the first question at once; each is counted once, a second click,
/// a late answer and an answer after the reveal are refused and not scored, and the
/// reveal's tally is what the store holds.
async fn a_class_answers_a_live_question(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = Arc::new(App::new(bank.clone(), store.clone(), clock.clone()));
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(3, 7)).await.unwrap();
    assert_eq!((q1.number, q1.of, q1.deadline), (1, 3, Some(START + 30_000)));

    clock.set(START + 5_000);
    let mut tasks = Vec::new();
    for n in 0..30 {
        let (app, guild, channel, q1) = (app.clone(), guild.clone(), channel.clone(), q1.clone());
        let typed = answer_for(&bank, &q1, 7, n % 3 != 0);
        tasks.push(tokio::spawn(async move { app.live_answer(&guild, &channel, &student(n), &q1.round_id, q1.number, &typed).await }));
    }
    for task in tasks {
        let locked = task.await.unwrap().expect("every student's first answer is accepted");
        assert!(!locked.your_answer.is_empty());
    }
    let again = app.live_answer(&guild, &channel, &student(0), &q1.round_id, q1.number, "a").await.unwrap_err();
    assert_eq!(user_error(again), UserError::AlreadyAnswered);
    let elsewhere = app.live_answer(&guild, &ChannelId::from("c2"), &student(40), &q1.round_id, q1.number, "a").await.unwrap_err();
    assert_eq!(user_error(elsewhere), UserError::OtherChannel);

    // A student may not reveal; a late answer (at the deadline) is refused.
    assert_eq!(
        user_error(app.live_reveal(&guild, &q1.round_id, 1, Some(&student(1))).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunRound, role: None }
    );
    clock.set(START + 30_000);
    let late = app.live_answer(&guild, &channel, &student(31), &q1.round_id, q1.number, "a").await.unwrap_err();
    assert_eq!(user_error(late), UserError::QuestionClosed);

    // The timer reveals it; the tally is the store's.
    let reveal = app.live_timer(&guild, &q1.round_id, 1).await.unwrap().expect("the deadline passed: the timer reveals");
    let stored = store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap();
    assert_eq!(stored.len(), 30);
    assert_eq!(reveal.answered, 30);
    assert_eq!(reveal.right, stored.iter().filter(|a| a.answer.correct).count() as u64);
    assert_eq!(reveal.right, 20);
    assert_eq!(reveal.tally.iter().map(|b| b.count).sum::<u64>(), 30);
    assert_eq!(reveal.tally.iter().filter(|b| b.correct).map(|b| b.count).sum::<u64>(), 20);
    assert!(!reveal.citations.is_empty() && reveal.citations.iter().all(|c| !c.quote.is_empty() && !c.anchor.is_empty()));
    assert_eq!(reveal.fastest.len(), 3);
    assert!(app.live_timer(&guild, &q1.round_id, 1).await.unwrap().is_none(), "a second firing changes nothing");

    // After the reveal, nothing more counts, even from someone who never answered.
    let after = app.live_answer(&guild, &channel, &student(32), &q1.round_id, q1.number, "a").await.unwrap_err();
    assert_eq!(user_error(after), UserError::QuestionClosed);
    assert_eq!(store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap().len(), 30);

    // Next, an instructor's reveal, and the end with the round's leaderboard.
    let q2 = app.live_next(&guild, &q1.round_id, 1, &instructor()).await.unwrap();
    assert_eq!(q2.number, 2);
    assert_eq!(
        user_error(app.live_next(&guild, &q1.round_id, 2, &instructor()).await.unwrap_err()).to_string(),
        "Question 2 is still open: reveal it or wait until its time runs out."
    );
    let right = answer_for(&bank, &q2, 7, true);
    app.live_answer(&guild, &channel, &student(1), &q1.round_id, q2.number, &right).await.unwrap();
    let reveal = app.live_reveal(&guild, &q1.round_id, 2, Some(&instructor())).await.unwrap();
    assert_eq!((reveal.answered, reveal.right), (1, 1));
    let end = app.live_end(&guild, &q1.round_id, &instructor()).await.unwrap();
    assert_eq!(end.asked, 2);
    assert_eq!(end.leaderboard[0].user_id, student(1).id.as_str(), "two right answers, the second on a streak");
    assert_eq!(store.round(&guild, &q1.round_id).await.unwrap().unwrap().status, RoundStatus::Finished);
    assert_eq!(user_error(app.live_answer(&guild, &channel, &student(2), &q1.round_id, q2.number, "a").await.unwrap_err()), UserError::RoundOver);
}

/// The process stops in the middle of a question; a new layer on the same store resumes
/// the round with the same question, choice order and deadline, and nothing is lost or
/// counted twice.
async fn a_live_round_survives_a_restart(url: String) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let (q1, before) = {
        let store = Store::connect(&url).await.unwrap();
        let app = App::new(bank.clone(), store.clone(), clock.clone());
        let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(2, 11)).await.unwrap();
        app.live_posted(&guild, &q1.round_id, 1, "message-1").await.unwrap();
        clock.set(START + 2_000);
        for n in 0..5 {
            app.live_answer(&guild, &channel, &student(n), &q1.round_id, q1.number, &answer_for(&bank, &q1, 11, true)).await.unwrap();
        }
        let before = store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap();
        drop(app);
        store.close().await;
        (q1, before)
    };
    clock.set(START + 4_000);
    let store = Store::connect(&url).await.unwrap();
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let resumed = app.live_resume(|_| true).await.unwrap();
    assert_eq!(resumed.len(), 1);
    let r = &resumed[0];
    assert_eq!(r.question, q1, "same question, same choice order, same deadline");
    assert_eq!((r.message_id.as_deref(), r.revealed, r.closed, &r.channel_id), (Some("message-1"), false, false, &channel));
    let twice = app.live_answer(&guild, &channel, &student(0), &q1.round_id, q1.number, "a").await.unwrap_err();
    assert_eq!(user_error(twice), UserError::AlreadyAnswered, "an answer from before the restart still blocks a second");
    app.live_answer(&guild, &channel, &student(9), &q1.round_id, q1.number, &answer_for(&bank, &q1, 11, true)).await.unwrap();
    clock.set(START + 31_000);
    let reveal = app.live_timer(&guild, &q1.round_id, 1).await.unwrap().expect("the timer fires after the restart");
    assert_eq!((reveal.answered, reveal.right), (6, 6));
    let after = store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert!(before.iter().all(|b| after.contains(b)), "nothing recorded before the restart changed");
    // Streaks carry across the restart: student 0's second right answer in a row.
    let q2 = app.live_next(&guild, &q1.round_id, 1, &instructor()).await.unwrap();
    app.live_answer(&guild, &channel, &student(0), &q1.round_id, q2.number, &answer_for(&bank, &q2, 11, true)).await.unwrap();
    let score = app.score(&guild, &student(0).id, "Student 0").await.unwrap();
    assert_eq!((score.answered, score.current_streak), (2, 2));
    store.close().await;
}

#[tokio::test]
async fn a_class_answers_a_live_question_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_class_answers_a_live_question(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn a_class_answers_a_live_question_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    a_class_answers_a_live_question(store.clone()).await;
    store.close().await;
}

/// Runs `sql` on the database at `url` beside the store, as another program (or a full
/// disk) would change what the store can do.
async fn beside(url: &str, sql: &str) {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await.unwrap();
    conn.close().await.unwrap();
}

/// The store cannot save answers (here a trigger refuses every insert, as a full disk
/// would): a student's answer is neither stored nor acknowledged, and they are told plainly
/// that it did not count and to press again (not "Locked in", not the generic apology).
/// Once the store takes answers again, pressing again counts.
async fn an_answer_the_store_cannot_save_is_not_acknowledged(store: Store, url: &str, refuse: &str, allow: &str) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = Arc::new(App::new(bank.clone(), store.clone(), clock.clone()));
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(2, 7)).await.unwrap();
    clock.set(START + 5_000);
    let typed = answer_for(&bank, &q1, 7, true);
    app.live_answer(&guild, &channel, &student(0), &q1.round_id, q1.number, &typed).await.expect("before the fault, an answer counts");

    beside(url, refuse).await;
    let mut tasks = Vec::new();
    for n in 1..6 {
        let (app, guild, channel, q1, typed) = (app.clone(), guild.clone(), channel.clone(), q1.clone(), typed.clone());
        tasks.push(tokio::spawn(async move { app.live_answer(&guild, &channel, &student(n), &q1.round_id, q1.number, &typed).await }));
    }
    for task in tasks {
        let refused = user_error(task.await.unwrap().unwrap_err());
        assert_eq!(refused, UserError::AnswerNotSaved);
        assert_eq!(refused.to_string(), "Your answer did not count: the bot could not save it. Press again.");
    }
    assert_eq!(store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap().len(), 1);

    beside(url, allow).await;
    for n in 1..6 {
        app.live_answer(&guild, &channel, &student(n), &q1.round_id, q1.number, &typed).await.expect("pressed again, it counts");
    }
    assert_eq!(store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_the_store_cannot_save_is_not_acknowledged_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let url = format!("sqlite://{}/agora.db", dir.path().display());
    let refuse = "CREATE TRIGGER no_room BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END";
    an_answer_the_store_cannot_save_is_not_acknowledged(store.clone(), &url, refuse, "DROP TRIGGER no_room").await;
    store.close().await;
}

#[tokio::test]
async fn an_answer_the_store_cannot_save_is_not_acknowledged_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    let refuse =
        "CREATE FUNCTION no_room() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
        CREATE TRIGGER no_room BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION no_room()";
    an_answer_the_store_cannot_save_is_not_acknowledged(store.clone(), &pg.0, refuse, "DROP TRIGGER no_room ON answers").await;
    store.close().await;
}

#[tokio::test]
async fn a_live_round_survives_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_live_round_survives_a_restart(format!("sqlite://{}/agora.db", dir.path().display())).await;
}

#[tokio::test]
async fn a_live_round_survives_a_restart_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    a_live_round_survives_a_restart(pg.0.clone()).await;
}

#[tokio::test]
async fn one_live_round_per_channel_and_only_instructors_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(bank(), sqlite_store(&dir).await, ManualClock::new(START));
    let guild = GuildId::from("g1");
    let refused = app.live_start(&guild, &ChannelId::from("c1"), &student(1), &live_request(2, 1)).await.unwrap_err();
    assert_eq!(user_error(refused), UserError::NotInstructor { privilege: Privilege::RunRound, role: None });
    app.live_start(&guild, &ChannelId::from("c1"), &instructor(), &live_request(2, 1)).await.unwrap();
    let busy = app.live_start(&guild, &ChannelId::from("c1"), &instructor(), &live_request(2, 2)).await.unwrap_err();
    assert_eq!(user_error(busy), UserError::ChannelBusy);
    app.live_start(&guild, &ChannelId::from("c2"), &instructor(), &live_request(2, 3)).await.unwrap();
    // The instructor role from the settings counts as instructor.
    let ta = Member { id: UserId::from("77"), name: "TA".into(), manage_guild: false, roles: vec!["555".into()] };
    assert_eq!(
        user_error(app.live_start(&guild, &ChannelId::from("c3"), &ta, &live_request(1, 4)).await.unwrap_err()),
        UserError::NotInstructor { privilege: Privilege::RunRound, role: None }
    );
    let change = agora::app::SettingsChange { instructor_role: Some(Some("555".into())), ..Default::default() };
    assert_eq!(user_error(app.update_settings(&guild, &ta, &change).await.unwrap_err()), UserError::NotManager);
    app.update_settings(&guild, &instructor(), &change).await.unwrap();
    app.live_start(&guild, &ChannelId::from("c3"), &ta, &live_request(1, 4)).await.unwrap();
}

#[tokio::test]
async fn practice_goes_question_by_question_and_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store.clone(), clock.clone());
    let guild = GuildId::from("g1");
    let ada = student(1);
    let request = PracticeRequest { filter: Filter { kinds: vec![Kind::TrueFalse], ..Filter::default() }, count: 2, lean: Lean::WeakTopics, seed: Some(5) };
    let started = app.practice_start(&guild, &ada, &request).await.unwrap();
    let q1 = started.question;
    assert!(!started.closed_other);
    assert_eq!(user_error(app.practice_next(&guild, &ada.id, &q1.round_id, 1).await.unwrap_err()).to_string(), "Answer this question before moving on.");
    assert_eq!(
        user_error(app.practice_answer(&guild, &ada.id, &q1.round_id, q1.number, "maybe").await.unwrap_err()).to_string(),
        "Answer true or false (or T / F)."
    );
    let bank = app.bank();
    let verdict = app.practice_answer(&guild, &ada.id, &q1.round_id, q1.number, &answer_for(&bank, &q1, 5, true)).await.unwrap();
    assert!(verdict.correct && verdict.points > 0 && !verdict.citations.is_empty());
    assert_eq!(user_error(app.practice_answer(&guild, &ada.id, &q1.round_id, q1.number, "true").await.unwrap_err()), UserError::AlreadyAnswered);
    assert_eq!(user_error(app.practice_answer(&guild, &student(2).id, &q1.round_id, q1.number, "true").await.unwrap_err()), UserError::NotYourPractice);
    let PracticeStep::Question(q2) = app.practice_next(&guild, &ada.id, &q1.round_id, 1).await.unwrap() else { panic!("a second question") };
    assert_eq!(app.practice_current(&guild, &ada.id).await.unwrap().map(|(v, answered)| (v.item_id, answered)), Some((q2.item_id.clone(), false)));

    // A second practice closes the first; the first says so; its answer still counts.
    let second = app.practice_start(&guild, &ada, &PracticeRequest { seed: Some(6), ..request.clone() }).await.unwrap();
    assert!(second.closed_other);
    assert_eq!(user_error(app.practice_answer(&guild, &ada.id, &q1.round_id, q2.number, "true").await.unwrap_err()), UserError::Displaced);
    assert_eq!(app.score(&guild, &ada.id, "Ada").await.unwrap().answered, 1);
    let summary = app.practice_end(&guild, &ada.id, &second.question.round_id).await.unwrap();
    assert_eq!((summary.answered, summary.total_answered), (0, 1));

    // A filter that matches nothing is refused before the student is recorded.
    let empty = bank
        .topics
        .iter()
        .flat_map(|t| [Kind::Ordering, Kind::Numeric, Kind::Short].map(|k| Filter { topics: vec![t.id.clone()], kinds: vec![k], difficulties: vec![3] }))
        .find(|f| !bank.questions.iter().any(|q| f.matches(q)))
        .expect("some topic has no hard question of some kind");
    let newcomer = student(3);
    let refused = app.practice_start(&guild, &newcomer, &PracticeRequest { filter: empty, ..request.clone() }).await.unwrap_err();
    assert_eq!(user_error(refused), UserError::NoQuestions);
    assert!(!app.gradebook(&guild, &instructor()).await.unwrap().contains(newcomer.id.as_str()), "no empty student in the gradebook");
    let typed = |topic: &str| PracticeRequest {
        filter: Filter { topics: vec![topic.into()], ..Filter::default() },
        seed: Some(agora::stable::fnv1a(topic.as_bytes())),
        ..request.clone()
    };
    let unknown = user_error(app.practice_start(&guild, &newcomer, &typed("nonsense")).await.unwrap_err()).to_string();
    assert!(unknown.starts_with("There is no topic “nonsense”. The topics are: complementary-economies, "), "{unknown}");
    // A topic as a person types it: any case, spaces or hyphens, a unique beginning.
    for spelling in ["  ENERGY ", "energy_figures", "Energy Fig"] {
        let started = app.practice_start(&guild, &newcomer, &typed(spelling)).await.unwrap_or_else(|e| panic!("{spelling:?}: {}", e.chain()));
        assert_eq!(started.question.topic, "Energy", "{spelling:?}");
    }
    let ambiguous = user_error(app.practice_start(&guild, &newcomer, &typed("co")).await.unwrap_err()).to_string();
    assert!(ambiguous.contains("“co” could be any of these topics: complementary-economies, ") && ambiguous.contains("conclusion"), "{ambiguous}");
}

/// Two starts of one student's practice at the same moment leave exactly one open, on both
/// backends: the database's rule, not a read followed by a write.
async fn concurrent_practice_starts_leave_one_open(store: Store) {
    let app = Arc::new(App::new(bank(), store.clone(), ManualClock::new(START)));
    let guild = GuildId::from("g1");
    let request = PracticeRequest { filter: Filter::default(), count: 3, lean: Lean::Even, seed: None };
    for _ in 0..10 {
        let (a, b) = (app.clone(), app.clone());
        let (ra, rb) = (request.clone(), request.clone());
        let (g1, g2) = (guild.clone(), guild.clone());
        let (x, y) = tokio::join!(
            tokio::spawn(async move { a.practice_start(&g1, &student(1), &ra).await }),
            tokio::spawn(async move { b.practice_start(&g2, &student(1), &rb).await })
        );
        x.unwrap().unwrap();
        y.unwrap().unwrap();
        assert!(store.open_practice(&guild, &student(1).id).await.unwrap().is_some());
        let open = store.open_rounds().await.unwrap().into_iter().filter(|r| r.started_by == student(1).id).count();
        assert_eq!(open, 1);
    }
}

#[tokio::test]
async fn concurrent_practice_starts_leave_one_open_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_practice_starts_leave_one_open(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn concurrent_practice_starts_leave_one_open_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    concurrent_practice_starts_leave_one_open(store.clone()).await;
    store.close().await;
}

/// `/mydata`'s document: everything stored about the student in this server, as JSON, and
/// nothing about anyone else; after `forget_student` it is empty and the board no longer has them.
#[tokio::test]
async fn a_students_records_are_theirs_alone_and_forgetting_empties_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store.clone(), clock.clone());
    let guild = GuildId::from("g1");
    let request = PracticeRequest { filter: Filter { kinds: vec![Kind::TrueFalse], ..Filter::default() }, count: 2, lean: Lean::WeakTopics, seed: Some(5) };
    for (n, typed) in [(1, "true"), (2, "false")] {
        let started = app.practice_start(&guild, &student(n), &request).await.unwrap();
        let q = started.question;
        app.practice_answer(&guild, &student(n).id, &q.round_id, q.number, typed).await.unwrap();
    }
    let text = app.student_records(&guild, &student(1).id).await.unwrap().to_json();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the records are a JSON document");
    assert_eq!(doc["server"], "g1");
    assert_eq!(doc["user"], "1001");
    assert_eq!(doc["read_at_ms"], START);
    let tables = &doc["tables"];
    assert_eq!(tables["users"], serde_json::json!([{ "guild_id": "g1", "user_id": "1001", "display_name": "Student 1" }]));
    let answers = tables["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{text}");
    assert_eq!((answers[0]["user_id"].as_str(), answers[0]["response"].as_str()), (Some("1001"), Some("true")));
    assert_eq!(tables["rounds"].as_array().unwrap().len(), 1, "their practice session: {text}");
    assert_eq!(tables["rounds"][0]["kind"], "practice");
    for table in ["debate_speeches", "debate_ballots", "debate_votes", "debate_seats", "prompt_answers", "awards"] {
        assert_eq!(tables[table], serde_json::json!([]), "{table}");
    }
    assert!(!text.contains("1002") && !text.contains("Student 2"), "nothing of another student: {text}");
    // Forgotten: the same document is empty, the board keeps only the other student.
    let gone = app.forget_student(&guild, &instructor(), &student(1).id, true).await.unwrap().unwrap();
    assert_eq!((gone.of("answers"), gone.of("rounds"), gone.of("users")), (1, 1, 1));
    let doc: serde_json::Value = serde_json::from_str(&app.student_records(&guild, &student(1).id).await.unwrap().to_json()).unwrap();
    assert!(doc["tables"].as_object().unwrap().values().all(|rows| rows == &serde_json::json!([])), "{doc}");
    let board = app.leaderboard(&guild, agora::store::RankBy::Points, 10, false).await.unwrap();
    assert_eq!(board.iter().map(|r| r.user_id.as_str()).collect::<Vec<_>>(), ["1002"]);
    store.close().await;
}

/// A live click writes the student's row only when this process has not written it with that
/// name: a renamed student's new name is stored, and a student whom another process forgot
/// (`agora scores forget` beside the running bot) is written again and counted.
#[tokio::test]
async fn a_renamed_student_and_one_forgotten_by_another_process_are_counted_under_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank(), store.clone(), clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let name_of = async |user: &str| -> Vec<String> {
        let records: serde_json::Value = serde_json::from_str(&app.student_records(&guild, &UserId::from(user)).await.unwrap().to_json()).unwrap();
        records["tables"]["users"].as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap().to_owned()).collect()
    };
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(3, 11)).await.unwrap();
    app.live_answer(&guild, &channel, &student(1), &q1.round_id, 1, "a").await.unwrap();
    assert_eq!(name_of("1001").await, ["Student 1"]);

    // Renamed between two questions: the new name is written.
    app.live_reveal(&guild, &q1.round_id, 1, Some(&instructor())).await.unwrap();
    let q2 = app.live_next(&guild, &q1.round_id, 1, &instructor()).await.unwrap();
    let renamed = Member { name: "Student One".into(), ..student(1) };
    app.live_answer(&guild, &channel, &renamed, &q2.round_id, 2, "a").await.unwrap();
    assert_eq!(name_of("1001").await, ["Student One"]);

    // Another process forgets the student; their next click still counts, under their name.
    let other = sqlite_store(&dir).await;
    assert_eq!(other.forget_student(&guild, &UserId::from("1001")).await.unwrap().of("answers"), 2);
    other.close().await;
    assert_eq!(name_of("1001").await, Vec::<String>::new());
    app.live_reveal(&guild, &q1.round_id, 2, Some(&instructor())).await.unwrap();
    let q3 = app.live_next(&guild, &q1.round_id, 2, &instructor()).await.unwrap();
    app.live_answer(&guild, &channel, &renamed, &q3.round_id, 3, "a").await.expect("counted after the row is written again");
    assert_eq!(name_of("1001").await, ["Student One"]);
    assert_eq!(store.answers_for_round_item(&guild, &q3.round_id, &q3.item_id).await.unwrap().len(), 1);
    store.close().await;
}

/// Forgetting a student in the middle of a live question leaves no trace in the round this
/// process holds in memory: the question takes their answer again (the store has none), and
/// the reveal counts only what the store holds.
#[tokio::test]
async fn forgetting_a_student_mid_round_clears_what_the_live_round_remembers() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(&dir).await;
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(2, 7)).await.unwrap();
    let seed = store.round(&guild, &q1.round_id).await.unwrap().unwrap().seed;
    let right = answer_for(&bank, &q1, seed, true);
    for n in [1, 2] {
        app.live_answer(&guild, &channel, &student(n), &q1.round_id, q1.number, &right).await.unwrap();
    }
    let again = app.live_answer(&guild, &channel, &student(1), &q1.round_id, q1.number, &right).await.unwrap_err();
    assert_eq!(user_error(again), UserError::AlreadyAnswered);

    let gone = app.forget_student(&guild, &instructor(), &student(1).id, true).await.unwrap().unwrap();
    assert_eq!(gone.of("answers"), 1);
    // The store no longer holds their answer, and neither does the round in memory.
    app.live_answer(&guild, &channel, &student(1), &q1.round_id, q1.number, &right).await.expect("a forgotten student answers afresh");
    assert_eq!(store.answers_for_round_item(&guild, &q1.round_id, &q1.item_id).await.unwrap().len(), 2);
    clock.set(START + 31_000);
    let reveal = app.live_timer(&guild, &q1.round_id, 1).await.unwrap().expect("the timer reveals");
    assert_eq!((reveal.answered, reveal.right), (2, 2));
    store.close().await;
}

/// Ending a round (End or `/quiz stop`) on a question not yet revealed reveals it first:
/// the answers given to it count, so the class sees its answer, why and the passage. The
/// last question's reveal, by the timer or the instructor, closes the round and queues its
/// leaderboard for the channel, so the channel is free for the next round.
async fn ending_reveals_the_open_question_and_the_last_reveal_closes_the_round(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));

    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(2, 5)).await.unwrap();
    app.live_answer(&guild, &channel, &student(1), &q1.round_id, 1, &answer_for(&bank, &q1, 5, true)).await.unwrap();
    clock.set(START + 3_000);
    let end = app.live_end(&guild, &q1.round_id, &instructor()).await.unwrap();
    let reveal = end.reveal.expect("the open question is revealed by the end");
    assert_eq!((reveal.question.number, reveal.answered, reveal.right, reveal.over), (1, 1, 1, true));
    assert!(!reveal.right_answer.is_empty() && !reveal.explanation.is_empty() && !reveal.citations.is_empty());
    let stored = store.round(&guild, &q1.round_id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.revealed), (RoundStatus::Finished, true));

    // The timer reveals the last question: the round is over, its leaderboard queued.
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(2, 6)).await.unwrap();
    clock.set(START + 40_000);
    assert!(!app.live_timer(&guild, &q1.round_id, 1).await.unwrap().unwrap().over, "the round goes on after question 1");
    let q2 = app.live_next(&guild, &q1.round_id, 1, &instructor()).await.unwrap();
    app.live_answer(&guild, &channel, &student(2), &q1.round_id, 2, &answer_for(&bank, &q2, 6, true)).await.unwrap();
    clock.set(START + 80_000);
    let last = app.live_timer(&guild, &q1.round_id, 2).await.unwrap().expect("the timer reveals question 2");
    assert!(last.last && last.over, "the last reveal closes the round");
    assert_eq!(store.round(&guild, &q1.round_id).await.unwrap().unwrap().status, RoundStatus::Finished);
    let due = store.due_posts(START + 80_000, 10).await.unwrap();
    assert!(due.iter().any(|p| p.post.subject == q1.round_id.as_str() && p.post.part == agora::store::LEADERBOARD), "the leaderboard is queued: {due:?}");
    let board = app.live_round_end(&guild, &q1.round_id).await.unwrap().unwrap();
    assert_eq!((board.asked, board.leaderboard[0].user_id.as_str()), (2, student(2).id.as_str()));
    // The poster shows question 2's reveal on its message, without buttons.
    match app.live_post_view(&guild, &q1.round_id, 2).await.unwrap() {
        agora::app::LivePost::Reveal(r) => assert!(r.over && r.answered == 1),
        other => panic!("the closed round's last message shows its reveal, not {other:?}"),
    }

    // The instructor's reveal of the last question closes the round too; the channel is free.
    let q1 = app.live_start(&guild, &channel, &instructor(), &live_request(1, 7)).await.unwrap();
    let busy = app.live_start(&guild, &channel, &instructor(), &live_request(1, 8)).await.unwrap_err();
    assert!(user_error(busy).to_string().contains("`/quiz stop`"), "a refusal names what to do");
    assert!(app.live_reveal(&guild, &q1.round_id, 1, Some(&instructor())).await.unwrap().over);
    app.live_start(&guild, &channel, &instructor(), &live_request(1, 9)).await.expect("the channel is free after the last reveal");
}

#[tokio::test]
async fn ending_reveals_the_open_question_and_the_last_reveal_closes_the_round_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    ending_reveals_the_open_question_and_the_last_reveal_closes_the_round(sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn ending_reveals_the_open_question_and_the_last_reveal_closes_the_round_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    let store = Store::connect(&pg.0).await.unwrap();
    ending_reveals_the_open_question_and_the_last_reveal_closes_the_round(store.clone()).await;
    store.close().await;
}

/// `/mydata` shows each answer as the student saw it: the question, the choice with the
/// letter it had on their screen (not the bank's letter the tables keep, since choices are
/// shuffled per round), the verdict and a readable UTC time, beside the stored fields.
#[tokio::test]
async fn my_data_shows_each_answer_as_the_student_saw_it() {
    let dir = tempfile::tempdir().unwrap();
    let bank = bank();
    let app = App::new(bank.clone(), sqlite_store(&dir).await, ManualClock::new(START));
    let guild = GuildId::from("g1");
    // A round whose first question shows its choices in another order than the bank's.
    let mut found = None;
    for seed in 1..200 {
        let view = app.live_start(&guild, &ChannelId::new(format!("c{seed}")), &instructor(), &live_request(1, seed)).await.unwrap();
        let order = quiz::presentation(bank.question(view.item_id.as_str()).unwrap(), seed).order().to_vec();
        if let Some(shown) = order.iter().enumerate().position(|(shown, original)| shown != *original) {
            found = Some((view, agora::app::letter(shown), seed));
            break;
        }
    }
    let (q, shown_letter, seed) = found.expect("some seed shuffles the choices");
    let channel = ChannelId::new(format!("c{seed}"));
    let locked = app.live_answer(&guild, &channel, &student(1), &q.round_id, 1, &shown_letter.to_string()).await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&app.student_records(&guild, &student(1).id).await.unwrap().to_json()).unwrap();
    let seen = &doc["answers"][0];
    assert_eq!(seen["you_answered"], locked.your_answer.as_str(), "the choice as the student saw it: {doc}");
    assert!(locked.your_answer.starts_with(&format!("{shown_letter}. ")), "{}", locked.your_answer);
    assert_ne!(doc["tables"]["answers"][0]["response"], shown_letter.to_string(), "the tables keep the bank's letter");
    assert_eq!(seen["response"], doc["tables"]["answers"][0]["response"]);
    assert_eq!(seen["question"], q.prompt.as_str());
    assert!(seen["verdict"] == "right" || seen["verdict"] == "wrong", "{seen}");
    assert!(seen["when"].as_str().unwrap().ends_with(" UTC") && seen["answered_at_ms"] == START, "{seen}");
    assert!(doc["read_at"].as_str().unwrap().ends_with(" UTC"));
}

/// Every privilege of the layer; the `match` stops compiling when one is added, so this list
/// (and the test below) grows with it.
fn every_privilege() -> Vec<Privilege> {
    use Privilege::*;
    let all = [RunRound, RunDebate, MarkAnswers, ExportGradebook, ItemReport, ForgetStudent, ReloadBank, SharePassage, Dashboard];
    for p in all {
        match p {
            RunRound | RunDebate | MarkAnswers | ExportGradebook | ItemReport | ForgetStudent | ReloadBank | SharePassage | Dashboard => {}
        }
    }
    all.to_vec()
}

/// Every privileged operation of the layer, called by a student: each is refused with the
/// one wording naming what was refused, and nothing changes in the store or the layer.
#[tokio::test]
async fn every_privileged_operation_refuses_a_student_and_changes_nothing() {
    use agora::app::{AdvanceFrom, DebateRequest, MotionChoice, Reloaded, SettingsChange};
    use agora::debate::{Format, Join};
    use agora::ids::SubmissionId;

    let dir = tempfile::tempdir().unwrap();
    let app = App::new(bank(), sqlite_store(&dir).await, ManualClock::new(START));
    let (guild, channel) = (GuildId::from("g1"), ChannelId::from("c1"));
    let ann = student(1);
    // A live round with an answer, and a debate, for the student to try to move.
    let q = app.live_start(&guild, &channel, &instructor(), &live_request(2, 1)).await.unwrap();
    app.live_answer(&guild, &channel, &ann, &q.round_id, 1, &answer_for(&app.bank(), &q, 1, true)).await.unwrap();
    let request =
        DebateRequest { motion: MotionChoice::Typed("Trade binds more than it divides".into()), format: Format::Quick { per_side: 1 }, times: vec![] };
    let debate = app.debate_start(&guild, &ChannelId::from("c2"), &instructor(), &request).await.unwrap().debate_id;
    let records = app.student_records(&guild, &ann.id).await.unwrap().counts().iter().map(|&(t, n)| (t.to_owned(), n)).collect::<Vec<_>>();
    let bank_before = app.bank();

    let refused = |privilege: Privilege| UserError::NotInstructor { privilege, role: None };
    let mut seen = Vec::new();
    let mut check = |what: &str, e: AppError, p: Privilege| {
        let e = user_error(e);
        assert_eq!(e, refused(p), "{what}");
        assert!(e.to_string().starts_with(&format!("Only an instructor can {p}. Instructors are members with the Manage Server permission")), "{what}: {e}");
        seen.push(p);
    };
    check("live_start", app.live_start(&guild, &ChannelId::from("c9"), &ann, &live_request(1, 2)).await.unwrap_err(), Privilege::RunRound);
    check("live_reveal", app.live_reveal(&guild, &q.round_id, 1, Some(&ann)).await.unwrap_err(), Privilege::RunRound);
    check("live_next", app.live_next(&guild, &q.round_id, 1, &ann).await.unwrap_err(), Privilege::RunRound);
    check("live_end", app.live_end(&guild, &q.round_id, &ann).await.unwrap_err(), Privilege::RunRound);
    check("live_stop", app.live_stop(&guild, &channel, &ann).await.unwrap_err(), Privilege::RunRound);
    check("debate_start", app.debate_start(&guild, &ChannelId::from("c9"), &ann, &request).await.unwrap_err(), Privilege::RunDebate);
    check("debate_assign", app.debate_assign(&guild, &debate, &ann, &student(2), Join::Audience).await.unwrap_err(), Privilege::RunDebate);
    check("debate_balance", app.debate_balance(&guild, &debate, &ann).await.unwrap_err(), Privilege::RunDebate);
    check("debate_advance", app.debate_advance(&guild, &debate, &ann, AdvanceFrom::Phase(0)).await.unwrap_err(), Privilege::RunDebate);
    check("debate_preview", app.debate_preview(&guild, &debate, &ann).await.unwrap_err(), Privilege::RunDebate);
    check("debate_release", app.debate_release(&guild, &debate, &ann).await.unwrap_err(), Privilege::RunDebate);
    check("debate_cancel", app.debate_cancel(&guild, &ChannelId::from("c2"), &ann).await.unwrap_err(), Privilege::RunDebate);
    check("prompt_queue", app.prompt_queue(&guild, &ann, 5).await.unwrap_err(), Privilege::MarkAnswers);
    check("prompt_mark_form", app.prompt_mark_form(&guild, &ann).await.unwrap_err(), Privilege::MarkAnswers);
    check("prompt_review", app.prompt_review(&guild, &ann, &SubmissionId::from("a1"), &[1], "").await.unwrap_err(), Privilege::MarkAnswers);
    check("gradebook", app.gradebook(&guild, &ann).await.unwrap_err(), Privilege::ExportGradebook);
    check("item_reports", app.item_reports(&guild, &ann).await.unwrap_err(), Privilege::ItemReport);
    check("forget_student", app.forget_student(&guild, &ann, &ann.id, true).await.unwrap_err(), Privilege::ForgetStudent);
    let mut loaded = false;
    let reload = app.reload_bank(&guild, &ann, async {
        loaded = true;
        Ok(Ok(bank()))
    });
    check("reload_bank", reload.await.map(|_: Reloaded| ()).unwrap_err(), Privilege::ReloadBank);
    assert!(!loaded, "the bank's files are not even read for a student");
    check("share_passage", app.share_passage(&guild, &ann).await.unwrap_err(), Privilege::SharePassage);
    check("dashboard_link", app.dashboard_link(&guild, &ann).await.unwrap_err(), Privilege::Dashboard);
    check("dashboard_revoke", app.dashboard_revoke(&guild, &ann).await.unwrap_err(), Privilege::Dashboard);
    assert_eq!(seen.iter().collect::<std::collections::HashSet<_>>(), every_privilege().iter().collect(), "every privilege is tried");
    // Settings are Manage Server's alone: another rule, with its own refusal, shown or changed.
    let change = SettingsChange { default_seconds: Some(10), ..Default::default() };
    assert_eq!(user_error(app.update_settings(&guild, &ann, &change).await.unwrap_err()), UserError::NotManager);
    assert_eq!(user_error(app.update_settings(&guild, &ann, &SettingsChange::default()).await.unwrap_err()), UserError::NotManager);

    // Nothing moved: the round and the debate are where they were, the records all there.
    assert_eq!(app.live_round_in(&guild, &channel).await.unwrap(), Some(q.round_id.clone()), "the round is still open");
    let state = app.debate_state(&guild, &debate, &ann).await.unwrap();
    assert_eq!((state.phase.index, state.status), (0, agora::debate::Status::Open), "the debate is still in sign-up");
    let after = app.student_records(&guild, &ann.id).await.unwrap().counts().iter().map(|&(t, n)| (t.to_owned(), n)).collect::<Vec<_>>();
    assert_eq!(after, records, "nothing of the student's was deleted");
    assert!(Arc::ptr_eq(&bank_before, &app.bank()), "the bank was not swapped");
    assert_eq!(app.settings(&guild).await.unwrap().default_seconds, agora::app::Settings::default().default_seconds);
    // And an instructor may do each (a sample that changes nothing for the rest).
    assert!(app.gradebook(&guild, &instructor()).await.unwrap().contains(ann.id.as_str()));
    app.share_passage(&guild, &instructor()).await.unwrap();
}

/// The terminal's operator and the terminal's student are instructors: `agora scores` and
/// `agora play` pass a local member that the one rule lets in.
#[tokio::test]
async fn the_terminal_passes_a_local_instructor() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(bank(), sqlite_store(&dir).await, ManualClock::new(START));
    let guild = GuildId::from("local");
    app.gradebook(&guild, &Member::operator()).await.unwrap();
    app.item_reports(&guild, &Member::local(UserId::from("local:ada"), "Ada")).await.unwrap();
}
