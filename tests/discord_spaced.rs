//! Spaced practice in Discord (issue 22) and the private leaderboard (issue 20 item 8):
//! `/practice`'s modes and the sentence on what is due, `/score`'s recall view, `/settings`'
//! retention and reminder (a bad value refused), and `/leaderboard` private unless shared.
//! The real `agora serve` against the stand-in.

use crate::support;

use std::time::Duration;

use serde_json::json;
use sqlx::{Connection, Executor};
use support::bot::{Bot, BotConfig};
use support::discord::{StandIn, User};

/// poise's choice index for true/false questions (see `KindChoice`).
const TRUE_FALSE: u64 = 1;
/// poise's choice indexes of `/practice`'s modes.
const DUE: u64 = 0;
const NEW: u64 = 1;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_practises_due_reviews_and_sees_their_recall() {
    let discord = StandIn::start().await;
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    let registered = discord.wait_ready(Some(discord.guild)).await;
    let practice = registered.iter().find(|c| c["name"] == "practice").expect("/practice is registered");
    let mode = practice["options"].as_array().unwrap().iter().find(|o| o["name"] == "mode").expect("/practice has a mode option");
    let modes: Vec<&str> = mode["choices"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(modes, ["due", "new", "weak"]);
    let (c, ada, prof) = (discord.channel, User::student(3001, "ada"), User::instructor(2001, "prof"));

    // ada answers one question; her /score then has the recall view.
    let sent = discord.slash(&ada, c, "practice", json!({"kind": TRUE_FALSE, "questions": 1})).await;
    let p = discord.response(&sent).await;
    assert!(p.ephemeral());
    discord.callback(&discord.click(&ada, p.id, &p.button_id("True").unwrap()).await).await;
    let score = discord.response(&discord.slash(&ada, c, "score", json!({})).await).await.text();
    for shown in
        ["Spaced practice", "Nothing is due for review now; your next review falls due on", "Recall by topic", "due now 0", "recall today", "Next reviews"]
    {
        assert!(score.contains(shown), "/score shows {shown:?}: {score}");
    }

    // Due mode, nothing due: says when the next review falls due, then brings a new question.
    let sent = discord.slash(&ada, c, "practice", json!({"mode": DUE, "kind": TRUE_FALSE, "questions": 1})).await;
    let due = discord.response(&sent).await;
    assert!(due.ephemeral() && due.text().contains("your next review falls due on"), "{}", due.text());
    let sent = discord.slash(&ada, c, "practice", json!({"mode": NEW, "questions": 1})).await;
    assert!(discord.response(&sent).await.button_id("Finish").is_none(), "new mode brings a question");

    // /settings: a retention out of range is refused, saying the range; good values are shown.
    let sent = discord.slash(&prof, c, "settings", json!({"retention": 99})).await;
    let refused = discord.response(&sent).await.text();
    assert!(refused.contains("desired retention must be between") && refused.contains("not 99"), "{refused}");
    let sent = discord.slash(&prof, c, "settings", json!({"retention": 85, "reminder": true, "reminder_here": true, "reminder_hour": 7})).await;
    let shown = discord.response(&sent).await.text();
    assert!(shown.contains("85%") && shown.contains(&format!("on · <#{c}> · from 07:00 UTC")), "{shown}");
    let sent = discord.slash(&prof, c, "settings", json!({"reminder_hour": 24})).await;
    assert!(discord.response(&sent).await.text().contains("0 to 23"), "a bad hour is refused");

    // /leaderboard: private by default, posted to the channel with share.
    let board = discord.response(&discord.slash(&ada, c, "leaderboard", json!({})).await).await;
    assert!(board.ephemeral() && board.text().contains("ada"), "private: {}", board.text());
    let board = discord.response(&discord.slash(&ada, c, "leaderboard", json!({"share": true})).await).await;
    assert!(!board.ephemeral() && board.text().contains("ada"), "shared: {}", board.text());

    reminder_is_posted_once_a_day_pinging_nobody(&discord, &mut bot, &prof).await;
}

/// The daily reminder: once ada's review has fallen due, the bot posts one line in the chosen
/// channel (at its start-up check), pinging nobody; a restart the same day posts nothing more.
async fn reminder_is_posted_once_a_day_pinging_nobody(discord: &StandIn, bot: &mut Bot, prof: &User) {
    let c = discord.channel;
    // From midnight UTC, so the test does not depend on the hour it runs at.
    let sent = discord.slash(prof, c, "settings", json!({"reminder": true, "reminder_here": true, "reminder_hour": 0})).await;
    assert!(discord.response(&sent).await.text().contains("from 00:00 UTC"));
    // Nothing was due today, so no reminder yet; then ada's review falls due (a day passes).
    let reminders = || discord.messages(c).into_iter().filter(|m| m.text().contains("reviews due today")).collect::<Vec<_>>();
    assert!(reminders().is_empty(), "no reminder while nothing is due");
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&bot.database_url).await.unwrap();
    conn.execute("UPDATE memories SET due = 0").await.unwrap();
    conn.close().await.unwrap();

    let before = discord.registrations();
    bot.restart(discord);
    discord.wait_registered(Some(discord.guild), before).await;
    let posted = discord.wait_message(c, Duration::from_secs(10), |m| m.text().contains("reviews due today")).await;
    assert_eq!(posted.text(), "1 student has reviews due today — `/practice`");

    let before = discord.registrations();
    bot.restart(discord);
    discord.wait_registered(Some(discord.guild), before).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reminders().len(), 1, "one reminder a day, whatever the restarts");
    discord.assert_clean();
}
