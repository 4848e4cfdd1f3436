//! Spaced practice through the classroom layer, on SQLite and on PostgreSQL, with a clock
//! the tests move by hand: each answer updates the student's memory of the item as it is
//! stored; practice brings back what is due, most overdue first, and nothing early; the
//! score's recall view; the replay of stored answers on upgrade; the daily reminder at most
//! once a day, across a restart.

use std::sync::Arc;

use agora::app::{App, ManualClock, Member, PracticeRequest, SettingsChange};
use agora::bank::{Answer, Bank, Kind};
use agora::ids::{GuildId, ItemId, UserId};
use agora::memory::{Rating, Scheduler};
use agora::quiz::{Filter, Lean};
use agora::store::Store;
use sqlx::{AnyConnection, Connection};

use crate::common::{self, Postgres, START, bank};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn ada() -> Member {
    Member { id: UserId::from("1001"), name: "Ada".into(), manage_guild: false, roles: vec![] }
}

fn instructor() -> Member {
    Member { id: UserId::from("900"), name: "Dr Lee".into(), manage_guild: true, roles: vec![] }
}

fn request(lean: Lean, count: usize) -> PracticeRequest {
    PracticeRequest { filter: Filter { kinds: vec![Kind::TrueFalse], ..Filter::default() }, count, lean, seed: Some(5) }
}

/// The answer to a true/false item, right or wrong.
fn true_false(bank: &Bank, item: &ItemId, right: bool) -> String {
    match &bank.question(item.as_str()).unwrap().answer {
        Answer::TrueFalse { correct } => (*correct == right).to_string(),
        other => panic!("a true/false item was asked, not {:?}", other.kind()),
    }
}

/// Ada practises two true/false items at `clock`'s time: the first right, the second wrong.
/// Returns them.
async fn practise_two(app: &App, bank: &Bank, guild: &GuildId, lean: Lean) -> (ItemId, ItemId) {
    let started = app.practice_start(guild, &ada(), &request(lean, 2)).await.unwrap();
    let q1 = started.question;
    app.practice_answer(guild, &ada().id, &q1.round_id, 1, &true_false(bank, &q1.item_id, true)).await.unwrap();
    let agora::app::PracticeStep::Question(q2) = app.practice_next(guild, &ada().id, &q1.round_id, 1).await.unwrap() else { panic!("a second question") };
    app.practice_answer(guild, &ada().id, &q1.round_id, 2, &true_false(bank, &q2.item_id, false)).await.unwrap();
    app.practice_end(guild, &ada().id, &q1.round_id).await.unwrap();
    (q1.item_id, q2.item_id)
}

/// The items of Ada's open practice, in order.
async fn practice_items(store: &Store, guild: &GuildId) -> Vec<ItemId> {
    store.open_practice(guild, &ada().id).await.unwrap().expect("an open practice").item_ids
}

async fn spaced_practice_follows_the_clock(store: Store) {
    let bank = bank();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let guild = GuildId::from("g1");
    let (right, missed) = practise_two(&app, &bank, &guild, Lean::Due).await;

    // Each answer reviewed its item, as FSRS schedules it: right is Good, wrong is Again.
    let memories = store.memories_of(&guild, &ada().id).await.unwrap();
    let s = Scheduler::default();
    let of = |item: &ItemId| memories.iter().find(|(i, _)| i == item).map(|(_, m)| *m).unwrap();
    assert_eq!(memories.len(), 2);
    assert_eq!(of(&right), s.review(None, Rating::Good, START));
    assert_eq!(of(&missed), s.review(None, Rating::Again, START));
    assert_eq!((of(&right).due, of(&missed).due), (START + 2 * DAY, START + DAY), "a missed item comes back before one answered right");

    // An hour later nothing is due: due mode brings only new items, never these two early.
    clock.set(START + HOUR);
    let started = app.practice_start(&guild, &ada(), &request(Lean::Due, 20)).await.unwrap();
    let items = practice_items(&store, &guild).await;
    assert!(!items.contains(&right) && !items.contains(&missed), "{items:?}");
    assert_eq!((started.due_reviews, started.next_due), (0, Some(START + DAY)));
    assert_eq!(started.note.as_deref(), Some("Nothing is due for review now; your next review falls due on 2027-01-16 (tomorrow)."));
    let recall = app.recall(&guild, &ada().id).await.unwrap();
    assert_eq!(recall.due_now, 0);
    assert_eq!(recall.next_reviews.iter().map(|r| r.item_id.clone()).collect::<Vec<_>>(), [missed.clone(), right.clone()]);
    assert_eq!(recall.next_reviews[0].date, "2027-01-16");
    assert_eq!(
        recall.topics.iter().map(|t| t.reviewed).sum::<usize>(),
        bank.question(right.as_str()).unwrap().topics.len() + bank.question(missed.as_str()).unwrap().topics.len()
    );
    assert!(recall.topics.iter().filter_map(|t| t.recall).all(|r| r == 1.0), "recalled today: {:?}", recall.topics);

    // After a day the missed one is due, the other not yet.
    clock.set(START + DAY);
    app.practice_start(&guild, &ada(), &request(Lean::Due, 20)).await.unwrap();
    let items = practice_items(&store, &guild).await;
    assert_eq!(items[0], missed);
    assert!(!items.contains(&right), "{items:?}");
    assert_eq!(app.recall(&guild, &ada().id).await.unwrap().summary, "1 review is due now: `/practice`.");

    // Two days on both are due, most overdue first; new items only after them.
    clock.set(START + 2 * DAY);
    let started = app.practice_start(&guild, &ada(), &request(Lean::Due, 20)).await.unwrap();
    assert_eq!(practice_items(&store, &guild).await[..2], [missed.clone(), right.clone()]);
    assert_eq!(started.due_reviews, 2);
    let recall = app.recall(&guild, &ada().id).await.unwrap();
    assert!(recall.topics.iter().any(|t| t.due_now > 0 && t.recall.is_some_and(|r| r < 1.0)), "{:?}", recall.topics);

    // `new` mode never brings them back.
    clock.set(START + 2 * DAY + 1);
    app.practice_start(&guild, &ada(), &request(Lean::New, 20)).await.unwrap();
    let items = practice_items(&store, &guild).await;
    assert!(!items.contains(&right) && !items.contains(&missed), "{items:?}");

    // The instructor's views: the items' difficulty, the gradebook's due items and recall.
    let reports = app.item_reports(&guild, &instructor()).await.unwrap();
    let difficulty = |item: &ItemId| reports.iter().find(|r| r.item_id == item.as_str()).and_then(|r| r.difficulty);
    assert_eq!(difficulty(&missed), Some(of(&missed).difficulty));
    let csv = app.gradebook(&guild, &instructor()).await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",items_due,mean_recall"), "{csv}");
    let ada_row = lines.next().unwrap();
    let recall_now = (of(&right).recall(START + 2 * DAY + 1) + of(&missed).recall(START + 2 * DAY + 1)) / 2.0;
    assert!(ada_row.ends_with(&format!(",2,{recall_now:.3}")), "{ada_row}");
    store.close().await;
}

#[tokio::test]
async fn spaced_practice_follows_the_clock_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    spaced_practice_follows_the_clock(common::sqlite_store(&dir).await).await;
}

#[tokio::test]
async fn spaced_practice_follows_the_clock_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    spaced_practice_follows_the_clock(Store::connect(&pg.0).await.unwrap()).await;
}

/// Answers stored before the upgrade (here: their memories deleted and the replay marked
/// undone, as migration 0005 leaves a database) are replayed into the same memories at the
/// next open, once.
async fn answers_are_replayed_on_upgrade(url: &str) {
    let bank = bank();
    let store = Store::connect(url).await.unwrap();
    let clock = Arc::new(ManualClock::new(START));
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let guild = GuildId::from("g1");
    practise_two(&app, &bank, &guild, Lean::WeakTopics).await;
    clock.set(START + 3 * DAY);
    practise_two(&app, &bank, &guild, Lean::Due).await;
    let before = store.memories_of(&guild, &ada().id).await.unwrap();
    assert!(before.iter().any(|(_, m)| m.reviews == 2), "an item reviewed twice: {before:?}");
    store.close().await;

    let mut conn = AnyConnection::connect(url).await.unwrap();
    sqlx::query("DELETE FROM memories").execute(&mut conn).await.unwrap();
    sqlx::query("UPDATE memory_replay SET done = 0").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();

    for _ in 0..2 {
        let store = Store::connect(url).await.unwrap();
        assert_eq!(store.memories_of(&guild, &ada().id).await.unwrap(), before);
        store.close().await;
    }
}

#[tokio::test]
async fn answers_are_replayed_on_upgrade_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    answers_are_replayed_on_upgrade(&format!("sqlite://{}/agora.db", dir.path().display())).await;
}

#[tokio::test]
async fn answers_are_replayed_on_upgrade_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    answers_are_replayed_on_upgrade(&pg.0).await;
}

/// The reminder: off until its hour, none when nothing is due, one on the day something is,
/// never a second that day, not even after a restart; the next day again.
async fn the_reminder_goes_out_at_most_once_a_day(url: &str) {
    let bank = bank();
    let day = START - 8 * HOUR; // 2027-01-15 00:00 UTC
    let clock = Arc::new(ManualClock::new(day + 9 * HOUR));
    let store = Store::connect(url).await.unwrap();
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    let guild = GuildId::from("g1");
    let on = SettingsChange { reminder: Some(true), reminder_channel: Some("77".into()), reminder_hour: Some(8), ..Default::default() };
    app.update_settings(&guild, &instructor(), &on).await.unwrap();
    assert_eq!(app.reminder_due(&guild).await.unwrap(), None, "nothing is due: no reminder");

    practise_two(&app, &bank, &guild, Lean::Due).await; // one item due tomorrow 09:00, one the day after
    clock.set(day + 20 * HOUR);
    assert_eq!(app.reminder_due(&guild).await.unwrap(), None, "nothing due today");
    clock.set(day + DAY + 7 * HOUR);
    assert_eq!(app.reminder_due(&guild).await.unwrap(), None, "before the reminder's hour");
    clock.set(day + DAY + 8 * HOUR);
    let reminder = app.reminder_due(&guild).await.unwrap().expect("a review is due today");
    assert_eq!((reminder.channel.as_str(), reminder.students, reminder.text.as_str()), ("77", 1, "1 student has reviews due today — `/practice`"));
    assert_eq!(app.reminder_due(&guild).await.unwrap(), None, "one a day");
    store.close().await;

    let store = Store::connect(url).await.unwrap();
    let app = App::new(bank.clone(), store.clone(), clock.clone());
    clock.set(day + DAY + 23 * HOUR);
    assert_eq!(app.reminder_due(&guild).await.unwrap(), None, "not again after a restart");
    clock.set(day + 2 * DAY + 8 * HOUR);
    assert_eq!(app.reminders_due(|g| g.as_str() != "g1").await.unwrap(), [], "another shard's server");
    let all = app.reminders_due(|_| true).await.unwrap();
    assert_eq!(all.iter().map(|r| (r.guild.as_str(), r.students)).collect::<Vec<_>>(), [("g1", 1)], "the next day, reviews still due");
    assert_eq!(app.reminders_due(|_| true).await.unwrap(), [], "claimed for the day");
    store.close().await;
}

#[tokio::test]
async fn the_reminder_goes_out_at_most_once_a_day_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    the_reminder_goes_out_at_most_once_a_day(&format!("sqlite://{}/agora.db", dir.path().display())).await;
}

#[tokio::test]
async fn the_reminder_goes_out_at_most_once_a_day_on_postgres() {
    let Some(pg) = Postgres::new().await else { return };
    the_reminder_goes_out_at_most_once_a_day(&pg.0).await;
}

/// The live round's Easy: right within the first half of a speed window.
#[test]
fn a_quick_right_answer_in_a_live_round_is_easy() {
    let window = agora::memory::speed_window_ms(true, 30);
    assert_eq!(agora::memory::rating(agora::scoring::Verdict::RIGHT, 14_000, window), Rating::Easy);
    assert_eq!(agora::memory::rating(agora::scoring::Verdict::RIGHT, 14_000, agora::memory::speed_window_ms(false, 30)), Rating::Good);
}
