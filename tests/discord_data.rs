//! A class's data in Discord: `/mydata` gives a student their own records as a private
//! attachment; `/scores forget` is the instructor's, asks for `confirm`, and then deletes
//! the student's records so that `/score`, the leaderboard and the database no longer hold
//! them. The real `agora serve` against the stand-in.

use crate::support;

use std::time::Duration;

use agora::ids::{GuildId, RoundId};
use agora::store::Store;
use serde_json::{Value, json};
use support::bot::{Bot, BotConfig};
use support::discord::{Message, Sent, StandIn, User, user_option};

/// poise's choice index for single-choice questions (see `KindChoice`).
const SINGLE: u64 = 0;

/// The newest open question 1 in `channel` (one with a Reveal button).
async fn wait_question(discord: &StandIn, channel: u64) -> Message {
    let open = |m: &&Message| m.channel_id == channel && m.text().contains("Question 1/") && m.button_id("Reveal").is_some();
    discord.wait_for(Duration::from_secs(10), |v| v.messages().filter(open).last().cloned()).await.expect("an open question 1")
}

/// The private reply `sent` got.
async fn private(discord: &StandIn, sent: &Sent) -> Message {
    let m = discord.response(sent).await;
    assert!(m.ephemeral(), "{}: only its user sees this: {}", sent.label, m.text());
    m
}

/// `/mydata` as `who`: the JSON document attached to a private reply.
async fn mydata(discord: &StandIn, who: &User) -> (Message, Value) {
    let sent = discord.slash(who, discord.channel, "mydata", json!({})).await;
    let m = private(discord, &sent).await;
    let file = m.attachments.first().unwrap_or_else(|| panic!("/mydata attaches a file: {}", m.text()));
    assert_eq!(file.filename, format!("agora-mydata-{}-{}.json", discord.guild, who.id));
    let doc = serde_json::from_slice(&file.bytes).unwrap_or_else(|e| panic!("the file is JSON ({e}): {}", String::from_utf8_lossy(&file.bytes)));
    (m, doc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_student_gets_their_data_and_an_instructor_forgets_them() {
    let discord = StandIn::start().await;
    let mut bot = Bot::start(&discord, BotConfig { guild: Some(discord.guild), ..BotConfig::default() });
    discord.wait_ready(Some(discord.guild)).await;
    let store = Store::connect(&bot.database_url).await.unwrap();
    let guild = GuildId::new(discord.guild.to_string());
    let prof = User::instructor(2001, "prof");
    let (ada, bob) = (User::student(3001, "ada"), User::student(3002, "bob"));

    // Both answer a live question.
    let sent = discord.slash(&prof, discord.channel, "quiz start", json!({"kind": SINGLE, "questions": 1, "seconds": 300})).await;
    private(&discord, &sent).await;
    let q = wait_question(&discord, discord.channel).await;
    let a = q.button_id("A").expect("a button A");
    let round_id = RoundId::from(a.split(':').nth(2).unwrap());
    for who in [&ada, &bob] {
        let sent = discord.click(who, q.id, &a).await;
        assert!(private(&discord, &sent).await.text().contains("Locked in"));
    }
    let item = store.round(&guild, &round_id).await.unwrap().unwrap().item_ids[0].clone();
    let (s, g, r, i) = (&store, &guild, &round_id, &item);
    let answered = move || async move { s.answers_for_round_item(g, r, i).await.unwrap().iter().map(|a| a.answer.user_id.to_string()).collect::<Vec<_>>() };
    assert_eq!(answered().await.len(), 2);

    // ── /mydata: ada's answer, nothing of bob's.
    let (m, doc) = mydata(&discord, &ada).await;
    assert!(m.text().contains("Everything Agora stores about you"), "{}", m.text());
    assert_eq!((doc["server"].as_str(), doc["user"].as_str()), (Some(discord.guild.to_string().as_str()), Some("3001")));
    let answers = doc["tables"]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{doc:#}");
    assert_eq!((answers[0]["user_id"].as_str(), answers[0]["round_id"].as_str()), (Some("3001"), Some(round_id.as_str())));
    assert_eq!(doc["tables"]["users"][0]["display_name"], "ada");
    // Each answer as ada saw it: the choice she clicked (A, with its text), the verdict, a
    // readable time; the bank's letter stays in the stored fields beside it.
    let seen = &doc["answers"][0];
    assert!(seen["you_answered"].as_str().unwrap().starts_with("A. ") && seen["you_answered"].as_str().unwrap().len() > 3, "{doc:#}");
    assert!(seen["when"].as_str().unwrap().ends_with(" UTC") && seen["question"].as_str().is_some_and(|q| !q.is_empty()), "{doc:#}");
    assert_eq!(seen["response"], answers[0]["response"]);
    assert!(seen["verdict"] == "right" || seen["verdict"] == "wrong", "{doc:#}");
    // The upload came back as Discord's attachment objects: a snowflake of its own, its size.
    let file = &m.attachments[0];
    assert!(file.id != m.id && file.id > (1u64 << 22), "an attachment's own snowflake: {} (message {})", file.id, m.id);
    let text = doc.to_string();
    assert!(!text.contains("3002") && !text.contains("bob"), "nothing of another student: {text}");

    // ── A student cannot forget anyone; nothing changes.
    let sent = discord.slash(&bob, discord.channel, "scores forget", json!({"user": user_option(&ada), "confirm": true})).await;
    assert!(private(&discord, &sent).await.text().contains("Only an instructor"), "a student is refused");
    assert_eq!(answered().await.len(), 2);

    // ── The instructor without confirm: told what would go; nothing changes.
    let sent = discord.slash(&prof, discord.channel, "scores forget", json!({"user": user_option(&ada)})).await;
    let preview = private(&discord, &sent).await.text();
    assert!(preview.contains("Nothing was deleted") && preview.contains("confirm: True") && preview.contains("ada"), "{preview}");
    assert_eq!(answered().await.len(), 2);

    // ── With confirm: ada's records go, bob's stay.
    let sent = discord.slash(&prof, discord.channel, "scores forget", json!({"user": user_option(&ada), "confirm": true})).await;
    let done = private(&discord, &sent).await.text();
    assert!(done.contains("Deleted everything Agora stored about ada") && done.contains("- answers: 1") && done.contains("- name on record: 1"), "{done}");
    assert_eq!(answered().await, ["3002"], "only bob's answer is left");
    let sent = discord.slash(&prof, discord.channel, "score", json!({"user": user_option(&ada)})).await;
    let score = discord.response(&sent).await.text();
    assert!(score.contains("has not answered any question here yet"), "/score of ada shows nothing: {score}");
    let sent = discord.slash(&bob, discord.channel, "leaderboard", json!({})).await;
    let board = discord.response(&sent).await.text();
    assert!(board.contains("bob") && !board.contains("ada"), "the leaderboard lacks ada: {board}");
    let (_, doc) = mydata(&discord, &ada).await;
    assert!(doc["tables"].as_object().unwrap().values().all(|rows| rows == &json!([])), "ada's records are empty: {doc:#}");
    // Forgotten mid-question, ada answers afresh: the round in memory does not remember her.
    let sent = discord.click(&ada, q.id, &a).await;
    assert!(private(&discord, &sent).await.text().contains("Locked in"));
    assert_eq!(answered().await.len(), 2);

    discord.assert_clean();
    store.close().await;
    bot.signal("TERM");
    assert!(bot.wait_exit(Duration::from_secs(10)).await.success(), "{}", bot.logs());
}
